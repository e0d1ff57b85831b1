//! Export of the study as CSV files, and of the one-row-per-patient analysis
//! file.
//!
//! An identified export writes each table in the form its import reads, so
//! `dictionary.csv`, `patients.csv`, `events.csv`, `chemo.csv` and
//! `imaging.csv` re-import into a new study unchanged; `study.csv` and
//! `audit_log.csv` are for the record.
//!
//! A de-identified export (`deidentify`) drops every free-text field
//! (recurrence site, cause of death, regimen, image paths, text variables)
//! and the audit log, and replaces every date by the number of days from
//! surgery; its date columns are renamed from `*_date` to `*_day`, and a date
//! variable `x` becomes `x_day`. Dates of a patient without a surgery date
//! cannot be converted and are left empty (the report counts them).

use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use super::dates::iso;
use super::endpoints::{self, EndpointWindows, TimeToEvent};
use super::model::{PatientRecord, Value, Variable, VariableType};
use super::{StudyDb, StudyError};

/// Why an export failed. Files already written are removed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The study could not be read.
    #[error(transparent)]
    Study(#[from] StudyError),
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    /// The folder written to.
    pub folder: PathBuf,
    /// Each file name and its number of data rows.
    pub files: Vec<(String, usize)>,
    /// Whether the export is de-identified.
    pub deidentified: bool,
    /// Patients whose dates were left empty in a de-identified export
    /// because they have no surgery date to count days from.
    pub patients_without_day_zero: usize,
}

/// A CSV file in memory.
struct Sheet {
    name: &'static str,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Sheet {
    fn new(name: &'static str, header: &[&str]) -> Self {
        Sheet {
            name,
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }
}

/// Writes dates as ISO 8601, or as days from surgery when de-identifying.
struct DateWriter {
    deidentify: bool,
}

impl DateWriter {
    fn write(&self, date: Option<NaiveDate>, surgery: Option<NaiveDate>) -> String {
        match (date, self.deidentify, surgery) {
            (Some(date), false, _) => iso(date),
            (Some(date), true, Some(surgery)) => (date - surgery).num_days().to_string(),
            (None, _, _) | (Some(_), true, None) => String::new(),
        }
    }

    /// `x_date` → `x_day` when de-identifying.
    fn column(&self, name: &str) -> String {
        if !self.deidentify {
            return name.to_owned();
        }
        match name.strip_suffix("_date") {
            Some(stem) => format!("{stem}_day"),
            None if name == "date" => "day".to_owned(),
            None => format!("{name}_day"),
        }
    }
}

/// Whether a record holds any calendar date besides its surgery date.
fn has_dates(record: &PatientRecord) -> bool {
    !record.events.is_empty()
        || !record.chemo.is_empty()
        || record.values.values().any(|v| matches!(v, Value::Date(_)))
}

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn flag(value: Option<bool>) -> String {
    opt(value.map(u8::from))
}

/// Writes the export (see the module documentation) into `folder`, creating
/// it if needed. Every file is written under a temporary name and renamed
/// only once all are written, so a failed export leaves no partial files.
pub fn export(db: &StudyDb, folder: &Path, deidentify: bool) -> Result<ExportReport, ExportError> {
    let settings = db.settings()?;
    let windows = EndpointWindows::from(&settings);
    let dictionary: Vec<Variable> = db
        .dictionary()?
        .into_iter()
        .filter(|v| !(deidentify && v.kind == VariableType::Text))
        .collect();
    let records = db.load_records()?;
    let dates = DateWriter { deidentify };

    let mut sheets = vec![
        study_sheet(&settings, deidentify),
        dictionary_sheet(&dictionary),
        patients_sheet(&records, &dictionary, &dates),
        events_sheet(&records, &dates),
        chemo_sheet(&records, &dates),
        imaging_sheet(db, &records, deidentify),
        analysis_sheet(&records, &dictionary, windows),
    ];
    if !deidentify {
        sheets.push(audit_sheet(db)?);
    }
    write_sheets(folder, &sheets)?;
    Ok(ExportReport {
        folder: folder.to_owned(),
        files: sheets
            .iter()
            .map(|s| (format!("{}.csv", s.name), s.rows.len()))
            .collect(),
        deidentified: deidentify,
        patients_without_day_zero: if deidentify {
            records
                .iter()
                .filter(|r| r.surgery.date.is_none() && has_dates(r))
                .count()
        } else {
            0
        },
    })
}

fn study_sheet(settings: &super::StudySettings, deidentify: bool) -> Sheet {
    let mut sheet = Sheet::new("study", &["key", "value"]);
    let rows = [
        ("name", settings.name.clone()),
        (
            "early_recurrence_window_days",
            settings.early_recurrence_window_days.to_string(),
        ),
        (
            "adjuvant_window_days",
            settings.adjuvant_window_days.to_string(),
        ),
        ("deidentified", u8::from(deidentify).to_string()),
        ("radcohort_version", env!("CARGO_PKG_VERSION").to_owned()),
    ];
    sheet.rows = rows
        .into_iter()
        .map(|(k, v)| vec![k.to_owned(), v])
        .collect();
    sheet
}

fn dictionary_sheet(dictionary: &[Variable]) -> Sheet {
    let mut sheet = Sheet::new(
        "dictionary",
        &[
            "name", "label", "type", "unit", "levels", "min", "max", "required",
        ],
    );
    for v in dictionary {
        sheet.rows.push(vec![
            v.name.clone(),
            v.label.clone(),
            v.kind.to_string(),
            opt(v.unit.as_deref()),
            v.levels.join("|"),
            opt(v.min),
            opt(v.max),
            flag(Some(v.required)),
        ]);
    }
    sheet
}

/// A dictionary value's cell: dates go through the date writer.
fn value_cell(value: Option<&Value>, surgery: Option<NaiveDate>, dates: &DateWriter) -> String {
    match value {
        Some(Value::Date(date)) => dates.write(Some(*date), surgery),
        Some(value) => value.to_string(),
        None => String::new(),
    }
}

fn variable_columns(dictionary: &[Variable], dates: &DateWriter) -> Vec<String> {
    dictionary
        .iter()
        .map(|v| {
            if v.kind == VariableType::Date {
                dates.column(&v.name)
            } else {
                v.name.clone()
            }
        })
        .collect()
}

fn patients_sheet(records: &[PatientRecord], dictionary: &[Variable], dates: &DateWriter) -> Sheet {
    let deidentify = dates.deidentify;
    let mut header: Vec<String> = vec![
        "study_id".into(),
        "sex".into(),
        "age".into(),
        "cohort".into(),
    ];
    if !deidentify {
        header.push("surgery_date".into());
    }
    header.extend([
        "procedure".into(),
        "lymphadenectomy".into(),
        dates.column("recurrence_date"),
    ]);
    if !deidentify {
        header.push("recurrence_site".into());
    }
    header.push(dates.column("death_date"));
    if !deidentify {
        header.push("death_cause".into());
    }
    header.push(dates.column("last_followup_date"));
    header.extend(variable_columns(dictionary, dates));
    let mut sheet = Sheet {
        name: "patients",
        header,
        rows: Vec::new(),
    };
    for record in records {
        let p = &record.patient;
        let surgery = record.surgery.date;
        let first = |kind| {
            record
                .events_of(kind)
                .min_by_key(|e| e.date)
                .map(|e| (e.date, e.detail.clone()))
        };
        let recurrence = first(super::model::EventKind::Recurrence);
        let death = first(super::model::EventKind::Death);
        let mut row = vec![
            p.study_id.clone(),
            opt(p.sex),
            opt(p.age_at_surgery),
            opt(p.cohort),
        ];
        if !deidentify {
            row.push(opt(surgery.map(iso)));
        }
        row.push(opt(record.surgery.procedure));
        row.push(flag(record.surgery.lymphadenectomy));
        row.push(dates.write(recurrence.as_ref().map(|r| r.0), surgery));
        if !deidentify {
            row.push(opt(recurrence.and_then(|r| r.1)));
        }
        row.push(dates.write(death.as_ref().map(|d| d.0), surgery));
        if !deidentify {
            row.push(opt(death.and_then(|d| d.1)));
        }
        row.push(dates.write(record.last_contact(), surgery));
        for variable in dictionary {
            row.push(value_cell(
                record.values.get(&variable.name),
                surgery,
                dates,
            ));
        }
        sheet.rows.push(row);
    }
    sheet
}

fn events_sheet(records: &[PatientRecord], dates: &DateWriter) -> Sheet {
    let mut header = vec![
        "study_id".to_owned(),
        "event".to_owned(),
        dates.column("date"),
    ];
    if !dates.deidentify {
        header.push("detail".into());
    }
    let mut sheet = Sheet {
        name: "events",
        header,
        rows: Vec::new(),
    };
    for record in records {
        for event in &record.events {
            let mut row = vec![
                record.study_id().to_owned(),
                event.kind.to_string(),
                dates.write(Some(event.date), record.surgery.date),
            ];
            if !dates.deidentify {
                row.push(opt(event.detail.as_deref()));
            }
            sheet.rows.push(row);
        }
    }
    sheet
}

fn chemo_sheet(records: &[PatientRecord], dates: &DateWriter) -> Sheet {
    let mut header = vec!["study_id".to_owned()];
    if !dates.deidentify {
        header.push("regimen".into());
    }
    header.extend([
        dates.column("start_date"),
        dates.column("end_date"),
        "cycles".into(),
        "completed".into(),
    ]);
    let mut sheet = Sheet {
        name: "chemo",
        header,
        rows: Vec::new(),
    };
    for record in records {
        let surgery = record.surgery.date;
        for course in &record.chemo {
            let mut row = vec![record.study_id().to_owned()];
            if !dates.deidentify {
                row.push(course.regimen.clone());
            }
            row.push(dates.write(Some(course.start), surgery));
            row.push(dates.write(course.end, surgery));
            row.push(opt(course.cycles));
            row.push(flag(course.completed));
            sheet.rows.push(row);
        }
    }
    sheet
}

fn imaging_sheet(db: &StudyDb, records: &[PatientRecord], deidentify: bool) -> Sheet {
    let columns: &[&str] = if deidentify {
        &[
            "study_id",
            "series",
            "kind",
            "b_value",
            "mask_of",
            "label",
            "dim_x",
            "dim_y",
            "dim_z",
            "spacing_x",
            "spacing_y",
            "spacing_z",
        ]
    } else {
        &[
            "study_id", "series", "kind", "b_value", "path", "mask_of", "label",
        ]
    };
    let mut sheet = Sheet::new("imaging", columns);
    let folder = db.folder();
    for record in records {
        for series in &record.imaging {
            let mut row = vec![
                record.study_id().to_owned(),
                series.series.clone(),
                series.kind.to_string(),
                opt(series.b_value),
            ];
            if deidentify {
                row.extend([opt(series.mask_of.as_deref()), opt(series.label)]);
                row.extend(series.geometry.dims.iter().map(ToString::to_string));
                row.extend(series.geometry.spacing.iter().map(ToString::to_string));
            } else {
                let path = folder.join(&series.path);
                let absolute = fs::canonicalize(&path).unwrap_or(path);
                row.push(absolute.to_string_lossy().into_owned());
                row.extend([opt(series.mask_of.as_deref()), opt(series.label)]);
            }
            sheet.rows.push(row);
        }
    }
    sheet
}

/// The analysis file: endpoints and every dictionary variable, one row per
/// patient. It holds no calendar dates: date variables are written as days
/// from surgery whether or not the export is de-identified.
fn analysis_sheet(
    records: &[PatientRecord],
    dictionary: &[Variable],
    windows: EndpointWindows,
) -> Sheet {
    let as_days = DateWriter { deidentify: true };
    let mut header: Vec<String> = [
        "study_id",
        "cohort",
        "dfs_days",
        "dfs_event",
        "os_days",
        "os_event",
        "early_recurrence",
        "adjuvant_chemo",
    ]
    .iter()
    .map(|c| (*c).to_owned())
    .collect();
    header.extend(variable_columns(dictionary, &as_days));
    let mut sheet = Sheet {
        name: "analysis",
        header,
        rows: Vec::new(),
    };
    let time = |t: Option<TimeToEvent>| (opt(t.map(|t| t.days)), flag(t.map(|t| t.event)));
    for record in records {
        let e = endpoints::derive(record, windows);
        let (dfs_days, dfs_event) = time(e.dfs);
        let (os_days, os_event) = time(e.os);
        let mut row = vec![
            record.study_id().to_owned(),
            opt(record.patient.cohort),
            dfs_days,
            dfs_event,
            os_days,
            os_event,
            flag(e.early_recurrence),
            flag(e.adjuvant_chemo),
        ];
        for variable in dictionary {
            row.push(value_cell(
                record.values.get(&variable.name),
                record.surgery.date,
                &as_days,
            ));
        }
        sheet.rows.push(row);
    }
    sheet
}

fn audit_sheet(db: &StudyDb) -> Result<Sheet, StudyError> {
    let mut sheet = Sheet::new(
        "audit_log",
        &[
            "id",
            "at",
            "user",
            "action",
            "table",
            "record",
            "study_id",
            "field",
            "old_value",
            "new_value",
        ],
    );
    for entry in db.audit_log(None)? {
        sheet.rows.push(vec![
            entry.id.to_string(),
            entry.at,
            entry.user,
            entry.action,
            entry.table,
            entry.record,
            opt(entry.study_id),
            entry.field,
            opt(entry.old_value),
            opt(entry.new_value),
        ]);
    }
    Ok(sheet)
}

fn write_sheets(folder: &Path, sheets: &[Sheet]) -> Result<(), ExportError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ExportError::Io { path, source }
    };
    fs::create_dir_all(folder).map_err(io(folder))?;
    let mut written: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = sheets.iter().try_for_each(|sheet| {
        let target = folder.join(format!("{}.csv", sheet.name));
        let partial = folder.join(format!(".partial-{}.csv", sheet.name));
        written.push((partial.clone(), target.clone()));
        let mut writer = csv::Writer::from_path(&partial).map_err(|err| csv_io(&partial, err))?;
        writer
            .write_record(&sheet.header)
            .map_err(|err| csv_io(&partial, err))?;
        for row in &sheet.rows {
            writer
                .write_record(row)
                .map_err(|err| csv_io(&partial, err))?;
        }
        writer.flush().map_err(io(&partial))
    });
    let result = result.and_then(|()| {
        written
            .iter()
            .try_for_each(|(partial, target)| fs::rename(partial, target).map_err(io(target)))
    });
    if result.is_err() {
        for (partial, _) in &written {
            let _ = fs::remove_file(partial);
        }
    }
    result
}

fn csv_io(path: &Path, err: csv::Error) -> ExportError {
    let source = match err.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    };
    ExportError::Io {
        path: path.to_owned(),
        source,
    }
}
