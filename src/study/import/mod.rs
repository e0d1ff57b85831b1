//! CSV import of patients, follow-up events, chemotherapy courses, imaging
//! series and the data dictionary.
//!
//! Every row of a file is validated — against the schema, the data
//! dictionary and the cross-field [`super::rules`] applied to each
//! patient's record as it would become — before anything is written. A file
//! with any problem is rejected whole, with every problem reported (file,
//! line, column, value, reason), and the database is left untouched. A valid
//! file is written in one transaction together with its audit rows.
//!
//! Re-importing a record updates it. As in REDCap's default import mode, a
//! blank cell leaves the stored value alone; with
//! [`ImportOptions::blank_overwrites`] it erases it.

mod chemo;
mod csv_table;
mod dictionary;
mod events;
mod imaging;
mod patients;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;

use super::changes::RowChange;
use super::model::PatientRecord;
use super::rules::{self, Subject};
use super::{Actor, ChangeCounts, StudyDb, StudyError};
use csv_table::CsvTable;

/// Which kind of file is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// `patients.csv`: one row per patient, wide follow-up dates and
    /// dictionary variables.
    Patients,
    /// `events.csv`: one row per follow-up event.
    Events,
    /// `chemo.csv`: one row per chemotherapy course.
    Chemo,
    /// `imaging.csv`: one row per image or mask file.
    Imaging,
    /// `dictionary.csv`: one row per study variable.
    Dictionary,
}

impl ImportKind {
    /// Every kind, in the order a new study imports them.
    pub const ALL: [ImportKind; 5] = [
        ImportKind::Dictionary,
        ImportKind::Patients,
        ImportKind::Events,
        ImportKind::Chemo,
        ImportKind::Imaging,
    ];

    /// The file's columns in their canonical order; a patients file may add
    /// any dictionary variable after them.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::Patients => patients::COLUMNS,
            ImportKind::Events => events::COLUMNS,
            ImportKind::Chemo => chemo::COLUMNS,
            ImportKind::Imaging => imaging::COLUMNS,
            ImportKind::Dictionary => dictionary::COLUMNS,
        }
    }

    /// The kind's name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Patients => "patients",
            ImportKind::Events => "events",
            ImportKind::Chemo => "chemo",
            ImportKind::Imaging => "imaging",
            ImportKind::Dictionary => "dictionary",
        }
    }
}

impl FromStr for ImportKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        ImportKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| "expected patients, events, chemo, imaging or dictionary".to_owned())
    }
}

/// How to read a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// chrono format of dates in the file; ISO 8601 (`%Y-%m-%d`) by default.
    pub date_format: String,
    /// Validate and report what would change, but write nothing.
    pub dry_run: bool,
    /// Blank cells erase stored values instead of leaving them alone.
    pub blank_overwrites: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            date_format: super::dates::ISO_DATE.to_owned(),
            dry_run: false,
            blank_overwrites: false,
        }
    }
}

/// One problem found in an import file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file.
    pub file: PathBuf,
    /// The line (the header is line 1), when the problem has one.
    pub line: Option<u64>,
    /// The column, when the problem has one.
    pub column: Option<String>,
    /// The offending value, when there is one.
    pub value: Option<String>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        match (&self.column, &self.value) {
            (Some(column), Some(value)) => write!(f, "column '{column}', value '{value}': ")?,
            (Some(column), None) => write!(f, "column '{column}': ")?,
            (None, Some(value)) => write!(f, "value '{value}': ")?,
            (None, None) => {}
        }
        f.write_str(&self.reason)
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file has problems; every one is listed.
    #[error("{}: {} problem{} found, nothing imported:\n{}", file.display(), problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Rejected {
        /// The file.
        file: PathBuf,
        /// Every problem found.
        problems: Vec<Problem>,
    },
    /// The study database failed.
    #[error(transparent)]
    Study(#[from] StudyError),
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The kind of file.
    pub kind: ImportKind,
    /// The file.
    pub file: PathBuf,
    /// Data rows read.
    pub rows: usize,
    /// Records (patients, events, courses, series or variables) created.
    pub records_created: usize,
    /// Existing records changed.
    pub records_updated: usize,
    /// Database rows inserted, updated and deleted, and field values written.
    pub changes: ChangeCounts,
    /// Whether nothing was written because this was a dry run.
    pub dry_run: bool,
}

/// What a kind-specific planner found: the changes to write and the record
/// counts to report.
pub(crate) struct Plan {
    changes: Vec<RowChange>,
    records_created: usize,
    records_updated: usize,
}

/// Imports one file into the study (see the module documentation).
pub fn import_file(
    db: &mut StudyDb,
    kind: ImportKind,
    path: &Path,
    options: &ImportOptions,
    actor: &Actor,
) -> Result<ImportReport, ImportError> {
    let rejected = |problems| ImportError::Rejected {
        file: path.to_owned(),
        problems,
    };
    if let Err(reason) = super::dates::check_format(&options.date_format) {
        return Err(rejected(vec![Problem {
            file: path.to_owned(),
            line: None,
            column: None,
            value: Some(options.date_format.clone()),
            reason,
        }]));
    }
    let table = CsvTable::read(path).map_err(rejected)?;
    let rows = table.rows.len();
    let (counts, plan) = db.write_changes(actor, options.dry_run, |db| {
        let plan = match kind {
            ImportKind::Patients => patients::plan(db, &table, options)?,
            ImportKind::Events => events::plan(db, &table, options)?,
            ImportKind::Chemo => chemo::plan(db, &table, options)?,
            ImportKind::Imaging => imaging::plan(db, &table, options)?,
            ImportKind::Dictionary => dictionary::plan(db, &table, options)?,
        }
        .map_err(rejected)?;
        let Plan {
            changes,
            records_created,
            records_updated,
        } = plan;
        Ok::<_, ImportError>((changes, (records_created, records_updated)))
    })?;
    Ok(ImportReport {
        kind,
        file: path.to_owned(),
        rows,
        records_created: plan.0,
        records_updated: plan.1,
        changes: counts,
        dry_run: options.dry_run,
    })
}

/// A patient record being changed by an import: its stored state, the state
/// it will have, and which file cell set each part of it, so that a broken
/// rule can be reported at the cell that broke it.
pub(crate) struct PendingRecord {
    pub stored: Option<PatientRecord>,
    pub record: PatientRecord,
    /// The line and column that last set each part of the record.
    pub sources: Vec<(Subject, u64, String)>,
    /// The line of the file that first touched this record.
    pub first_line: u64,
}

impl PendingRecord {
    pub fn new(stored: Option<PatientRecord>, study_id: &str, line: u64) -> Self {
        let record = stored
            .clone()
            .unwrap_or_else(|| PatientRecord::new(study_id));
        PendingRecord {
            stored,
            record,
            sources: Vec::new(),
            first_line: line,
        }
    }

    /// Notes that `line`, `column` of the file set `subject`.
    pub fn touched(&mut self, subject: Subject, line: u64, column: &str) {
        self.sources.retain(|(s, _, _)| *s != subject);
        self.sources.push((subject, line, column.to_owned()));
    }

    fn source(&self, subject: Subject) -> Option<(u64, &str)> {
        self.sources
            .iter()
            .find(|(s, _, _)| *s == subject)
            .map(|(_, line, column)| (*line, column.as_str()))
    }

    /// Problems for every rule the record would break through a part this
    /// file set (violations already stored and untouched are left to the
    /// data-quality report), or any rule at all for a new patient.
    pub fn rule_problems(&self, file: &Path) -> Vec<Problem> {
        rules::check_record(&self.record)
            .into_iter()
            .filter_map(|violation| {
                let pointed = [Some(violation.subject), violation.other]
                    .into_iter()
                    .flatten()
                    .find_map(|subject| {
                        self.source(subject)
                            .map(|(line, column)| (subject, line, column))
                    });
                let (subject, line, column) = match pointed {
                    Some((subject, line, column)) => (subject, line, Some(column.to_owned())),
                    None if self.stored.is_none() => (violation.subject, self.first_line, None),
                    None => return None,
                };
                Some(Problem {
                    file: file.to_owned(),
                    line: Some(line),
                    column,
                    value: rules::subject_date(&self.record, subject).map(super::dates::iso),
                    reason: format!("{}: {}", self.record.study_id(), violation.message),
                })
            })
            .collect()
    }

    /// Whether this record is new or differs from the stored one.
    pub fn changes(&self) -> Vec<RowChange> {
        super::changes::diff_patient(self.stored.as_ref(), &self.record)
    }
}

/// The patients touched by a file whose rows belong to existing patients
/// (events, chemotherapy, imaging), several rows per patient.
pub(crate) struct PatientRows {
    stored: HashMap<String, PatientRecord>,
    pending: Vec<PendingRecord>,
    index: HashMap<String, usize>,
}

impl PatientRows {
    pub fn new(db: &StudyDb) -> Result<Self, StudyError> {
        Ok(PatientRows {
            stored: db
                .load_records()?
                .into_iter()
                .map(|r| (r.study_id().to_owned(), r))
                .collect(),
            pending: Vec::new(),
            index: HashMap::new(),
        })
    }

    /// The pending record of the row's `study_id`, which must name a stored
    /// patient; a missing or unknown id is reported.
    pub fn row_patient(
        &mut self,
        cells: &mut csv_table::RowCells<'_>,
    ) -> Option<&mut PendingRecord> {
        let study_id = cells.require("study_id", |text| Ok(text.to_owned()))?;
        if let Some(&index) = self.index.get(&study_id) {
            return Some(&mut self.pending[index]);
        }
        let Some(stored) = self.stored.remove(&study_id) else {
            cells.report(
                Some("study_id"),
                Some(&study_id),
                "unknown study_id; import the patient first".to_owned(),
            );
            return None;
        };
        self.index.insert(study_id.clone(), self.pending.len());
        self.pending
            .push(PendingRecord::new(Some(stored), &study_id, cells.line()));
        self.pending.last_mut()
    }

    /// The records touched so far.
    pub fn records(&self) -> &[PendingRecord] {
        &self.pending
    }

    /// Checks the rules on every touched record and plans the changes, or
    /// returns every problem found.
    pub fn finish(self, file: &Path, mut problems: Vec<Problem>) -> Result<Plan, Vec<Problem>> {
        for record in &self.pending {
            problems.extend(record.rule_problems(file));
        }
        if problems.is_empty() {
            Ok(plan_records(&self.pending))
        } else {
            Err(problems)
        }
    }
}

/// Collects pending records' changes and counts into a plan.
pub(crate) fn plan_records<'a>(pending: impl IntoIterator<Item = &'a PendingRecord>) -> Plan {
    let mut plan = Plan {
        changes: Vec::new(),
        records_created: 0,
        records_updated: 0,
    };
    for record in pending {
        let changes = record.changes();
        if changes.is_empty() {
            continue;
        }
        if record.stored.is_none() {
            plan.records_created += 1;
        } else {
            plan.records_updated += 1;
        }
        plan.changes.extend(changes);
    }
    plan
}

/// Whether a name has a fixed meaning that no dictionary variable may take:
/// a column of the patients file or of the analysis file.
pub fn is_reserved_column(name: &str) -> bool {
    patients::COLUMNS.contains(&name) || super::export::ANALYSIS_COLUMNS.contains(&name)
}
