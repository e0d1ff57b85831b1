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
use super::import::ImportKind;
use super::model::{EventKind, PatientRecord, Value, Variable, VariableType};
use super::{StudyDb, StudyError};

/// Why an export failed. Files already written are removed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The study could not be read.
    #[error(transparent)]
    Study(#[from] StudyError),
    /// A file could not be written.
    #[error("{path}")]
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

/// Columns holding free text, dropped from de-identified exports with the
/// surgery date (day 0 by definition).
const FREE_TEXT: &[&str] = &[
    "recurrence_site",
    "death_cause",
    "detail",
    "regimen",
    "path",
];

/// The analysis file's endpoint columns, before the dictionary variables.
pub const ANALYSIS_COLUMNS: &[&str] = &[
    "study_id",
    "cohort",
    "dfs_days",
    "dfs_event",
    "os_days",
    "os_event",
    "early_recurrence",
    "adjuvant_chemo",
];

/// A CSV file in memory.
struct Sheet {
    name: &'static str,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// A column of a sheet: its name in the import format, and whether it holds
/// dates (renamed and converted to days when de-identifying).
#[derive(Clone)]
struct Column {
    name: String,
    is_date: bool,
}

impl Column {
    fn fixed(name: &str) -> Self {
        Column {
            name: name.to_owned(),
            is_date: name == "date" || name.ends_with("_date"),
        }
    }
}

/// Builds a sheet of one row per item, keeping the columns a de-identified
/// export may hold and naming date columns for their contents.
fn sheet<T>(
    name: &'static str,
    columns: Vec<Column>,
    dates: &DateWriter,
    items: impl IntoIterator<Item = T>,
    cell: impl Fn(&T, &str) -> String,
) -> Sheet {
    let kept: Vec<Column> = columns
        .into_iter()
        .filter(|c| {
            !dates.deidentify || !(FREE_TEXT.contains(&c.name.as_str()) || c.name == "surgery_date")
        })
        .collect();
    Sheet {
        name,
        header: kept
            .iter()
            .map(|c| {
                if c.is_date {
                    dates.column(&c.name)
                } else {
                    c.name.clone()
                }
            })
            .collect(),
        rows: items
            .into_iter()
            .map(|item| kept.iter().map(|c| cell(&item, &c.name)).collect())
            .collect(),
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

    /// `x_date` → `x_day`, `date` → `day` and a date variable `x` → `x_day`
    /// when de-identifying.
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
        dictionary_sheet(&dictionary, &dates),
        patients_sheet(&records, &dictionary, &dates),
        events_sheet(&records, &dates),
        chemo_sheet(&records, &dates),
        imaging_sheet(db, &records, &dates),
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
    Sheet {
        name: "study",
        header: vec!["key".to_owned(), "value".to_owned()],
        rows: rows
            .into_iter()
            .map(|(k, v)| vec![k.to_owned(), v])
            .collect(),
    }
}

fn fixed_columns(kind: ImportKind) -> Vec<Column> {
    kind.columns().iter().map(|c| Column::fixed(c)).collect()
}

fn dictionary_sheet(dictionary: &[Variable], dates: &DateWriter) -> Sheet {
    sheet(
        "dictionary",
        fixed_columns(ImportKind::Dictionary),
        dates,
        dictionary,
        |v, column| match column {
            "name" => v.name.clone(),
            "label" => v.label.clone(),
            "type" => v.kind.to_string(),
            "unit" => opt(v.unit.as_deref()),
            "levels" => v.levels.join("|"),
            "min" => opt(v.min),
            "max" => opt(v.max),
            "required" => flag(Some(v.required)),
            _ => String::new(),
        },
    )
}

/// A dictionary value's cell: dates go through the date writer.
fn value_cell(value: Option<&Value>, surgery: Option<NaiveDate>, dates: &DateWriter) -> String {
    match value {
        Some(Value::Date(date)) => dates.write(Some(*date), surgery),
        Some(value) => value.to_string(),
        None => String::new(),
    }
}

fn variable_columns(dictionary: &[Variable]) -> impl Iterator<Item = Column> + '_ {
    dictionary.iter().map(|v| Column {
        name: v.name.clone(),
        is_date: v.kind == VariableType::Date,
    })
}

fn patients_sheet(records: &[PatientRecord], dictionary: &[Variable], dates: &DateWriter) -> Sheet {
    let mut columns = fixed_columns(ImportKind::Patients);
    columns.extend(variable_columns(dictionary));
    sheet("patients", columns, dates, records, |record, column| {
        let p = &record.patient;
        let surgery = record.surgery.date;
        let first = |kind| record.events_of(kind).min_by_key(|e| e.date);
        let recurrence = first(EventKind::Recurrence);
        let death = first(EventKind::Death);
        match column {
            "study_id" => p.study_id.clone(),
            "sex" => opt(p.sex),
            "age" => opt(p.age_at_surgery),
            "cohort" => opt(p.cohort),
            "surgery_date" => opt(surgery.map(iso)),
            "procedure" => opt(record.surgery.procedure),
            "lymphadenectomy" => flag(record.surgery.lymphadenectomy),
            "recurrence_date" => dates.write(recurrence.map(|e| e.date), surgery),
            "recurrence_site" => opt(recurrence.and_then(|e| e.detail.as_deref())),
            "death_date" => dates.write(death.map(|e| e.date), surgery),
            "death_cause" => opt(death.and_then(|e| e.detail.as_deref())),
            "last_followup_date" => dates.write(record.last_contact(), surgery),
            variable => value_cell(record.values.get(variable), surgery, dates),
        }
    })
}

fn events_sheet(records: &[PatientRecord], dates: &DateWriter) -> Sheet {
    let events = records
        .iter()
        .flat_map(|r| r.events.iter().map(move |e| (r, e)));
    sheet(
        "events",
        fixed_columns(ImportKind::Events),
        dates,
        events,
        |(record, event), column| match column {
            "study_id" => record.study_id().to_owned(),
            "event" => event.kind.to_string(),
            "date" => dates.write(Some(event.date), record.surgery.date),
            "detail" => opt(event.detail.as_deref()),
            _ => String::new(),
        },
    )
}

fn chemo_sheet(records: &[PatientRecord], dates: &DateWriter) -> Sheet {
    let courses = records
        .iter()
        .flat_map(|r| r.chemo.iter().map(move |c| (r, c)));
    sheet(
        "chemo",
        fixed_columns(ImportKind::Chemo),
        dates,
        courses,
        |(record, course), column| {
            let surgery = record.surgery.date;
            match column {
                "study_id" => record.study_id().to_owned(),
                "regimen" => course.regimen.clone(),
                "start_date" => dates.write(Some(course.start), surgery),
                "end_date" => dates.write(course.end, surgery),
                "cycles" => opt(course.cycles),
                "completed" => flag(course.completed),
                _ => String::new(),
            }
        },
    )
}

/// Image series; a de-identified export keeps each grid's size and spacing
/// in place of the file path.
fn imaging_sheet(db: &StudyDb, records: &[PatientRecord], dates: &DateWriter) -> Sheet {
    let mut columns = fixed_columns(ImportKind::Imaging);
    if dates.deidentify {
        columns.extend(
            [
                "dim_x",
                "dim_y",
                "dim_z",
                "spacing_x",
                "spacing_y",
                "spacing_z",
            ]
            .map(Column::fixed),
        );
    }
    let folder = db.folder();
    let series = records
        .iter()
        .flat_map(|r| r.imaging.iter().map(move |s| (r, s)));
    sheet(
        "imaging",
        columns,
        dates,
        series,
        |(record, series), column| {
            let g = &series.geometry;
            match column {
                "study_id" => record.study_id().to_owned(),
                "series" => series.series.clone(),
                "kind" => series.kind.to_string(),
                "b_value" => opt(series.b_value),
                // Absolute, so the file re-imports from wherever it is read.
                "path" => {
                    let path = folder.join(&series.path);
                    fs::canonicalize(&path)
                        .unwrap_or(path)
                        .to_string_lossy()
                        .into_owned()
                }
                "mask_of" => opt(series.mask_of.as_deref()),
                "label" => opt(series.label),
                "dim_x" => g.dims[0].to_string(),
                "dim_y" => g.dims[1].to_string(),
                "dim_z" => g.dims[2].to_string(),
                "spacing_x" => g.spacing[0].to_string(),
                "spacing_y" => g.spacing[1].to_string(),
                "spacing_z" => g.spacing[2].to_string(),
                _ => String::new(),
            }
        },
    )
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
    let mut columns: Vec<Column> = ANALYSIS_COLUMNS.iter().map(|c| Column::fixed(c)).collect();
    columns.extend(variable_columns(dictionary));
    let rows = records.iter().map(|r| (r, endpoints::derive(r, windows)));
    let time = |t: Option<TimeToEvent>| (opt(t.map(|t| t.days)), flag(t.map(|t| t.event)));
    sheet(
        "analysis",
        columns,
        &as_days,
        rows,
        |(record, e), column| match column {
            "study_id" => record.study_id().to_owned(),
            "cohort" => opt(record.patient.cohort),
            "dfs_days" => time(e.dfs).0,
            "dfs_event" => time(e.dfs).1,
            "os_days" => time(e.os).0,
            "os_event" => time(e.os).1,
            "early_recurrence" => flag(e.early_recurrence),
            "adjuvant_chemo" => flag(e.adjuvant_chemo),
            variable => value_cell(record.values.get(variable), record.surgery.date, &as_days),
        },
    )
}

fn audit_sheet(db: &StudyDb) -> Result<Sheet, StudyError> {
    let header = [
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
    ];
    let rows = db
        .audit_log(None)?
        .into_iter()
        .map(|entry| {
            vec![
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
            ]
        })
        .collect();
    let sheet = Sheet {
        name: "audit_log",
        header: header.map(str::to_owned).to_vec(),
        rows,
    };
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
