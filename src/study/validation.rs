//! The data-quality report: every missing required value, value outside its
//! variable's definition, broken cross-field rule, patient without follow-up
//! and missing or changed image file, each tied to its patient and field.

use std::path::Path;

use serde::Serialize;

use super::model::{PatientRecord, Variable};
use super::rules;
use super::{StudyDb, StudyError};

/// What kind of problem an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// A required field or dictionary variable has no value.
    MissingRequired,
    /// A stored value no longer fits its variable's definition.
    OutOfRange,
    /// A cross-field rule is broken.
    RuleViolation,
    /// No follow-up date is recorded, so survival endpoints are unknown.
    MissingFollowUp,
    /// An image file does not exist.
    MissingImage,
    /// An image file differs from the one imported (checksum mismatch).
    ChangedImage,
}

impl IssueKind {
    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            IssueKind::MissingRequired => "missing required value",
            IssueKind::OutOfRange => "value out of range",
            IssueKind::RuleViolation => "rule violation",
            IssueKind::MissingFollowUp => "no follow-up",
            IssueKind::MissingImage => "missing image file",
            IssueKind::ChangedImage => "changed image file",
        }
    }
}

/// One data-quality problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// The patient.
    pub study_id: String,
    /// The kind of problem.
    pub kind: IssueKind,
    /// The field, variable or series concerned.
    pub field: String,
    /// The offending value, if any.
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// Every data-quality problem of a study.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QualityReport {
    /// Patients checked.
    pub patients: usize,
    /// Image files checked.
    pub images: usize,
    /// The problems, by patient.
    pub issues: Vec<Issue>,
}

/// How thoroughly image files are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageCheck {
    /// Only that each file exists.
    Exists,
    /// That each file exists and still has the checksum it was imported with.
    Checksum,
}

/// Core fields every patient needs, besides the dictionary's required ones.
const REQUIRED_FIELDS: &[&str] = &["sex", "age", "surgery_date"];

/// Checks every patient of the study.
pub fn check(db: &StudyDb, images: ImageCheck) -> Result<QualityReport, StudyError> {
    let dictionary = db.dictionary()?;
    let records = db.load_records()?;
    let folder = db.folder();
    let mut report = QualityReport {
        patients: records.len(),
        images: 0,
        issues: Vec::new(),
    };
    for record in &records {
        report.issues.extend(check_record(record, &dictionary));
        for series in &record.imaging {
            report.images += 1;
            report
                .issues
                .extend(check_image(record, series, &folder, images));
        }
    }
    Ok(report)
}

/// The problems of one record that need no files: required values, value
/// definitions, rules and follow-up.
pub fn check_record(record: &PatientRecord, dictionary: &[Variable]) -> Vec<Issue> {
    let study_id = record.study_id().to_owned();
    let issue = |kind, field: &str, value: Option<String>, message: String| Issue {
        study_id: study_id.clone(),
        kind,
        field: field.to_owned(),
        value,
        message,
    };
    let mut issues = Vec::new();
    let present = [
        record.patient.sex.is_some(),
        record.patient.age_at_surgery.is_some(),
        record.surgery.date.is_some(),
    ];
    for (field, present) in REQUIRED_FIELDS.iter().zip(present) {
        if !present {
            issues.push(issue(
                IssueKind::MissingRequired,
                field,
                None,
                format!("{field} is required"),
            ));
        }
    }
    for variable in dictionary {
        match record.values.get(&variable.name) {
            None if variable.required => issues.push(issue(
                IssueKind::MissingRequired,
                &variable.name,
                None,
                format!("{} ({}) is required", variable.name, variable.label),
            )),
            Some(value) => {
                if let Err(reason) = variable.check(value) {
                    issues.push(issue(
                        IssueKind::OutOfRange,
                        &variable.name,
                        Some(value.to_string()),
                        reason,
                    ));
                }
            }
            None => {}
        }
    }
    for violation in rules::check_record(record) {
        let value = rules::subject_date(record, violation.subject).map(super::dates::iso);
        issues.push(issue(
            IssueKind::RuleViolation,
            "timeline",
            value,
            violation.message,
        ));
    }
    let has_follow_up = record.last_contact().is_some()
        || record.death().is_some()
        || record.first_recurrence().is_some();
    if record.surgery.date.is_some() && !has_follow_up {
        issues.push(issue(
            IssueKind::MissingFollowUp,
            "last_followup_date",
            None,
            "no last contact, recurrence or death recorded; DFS and OS are unknown".to_owned(),
        ));
    }
    issues
}

fn check_image(
    record: &PatientRecord,
    series: &super::model::ImagingSeries,
    folder: &Path,
    images: ImageCheck,
) -> Option<Issue> {
    let path = folder.join(&series.path);
    let issue = |kind, message| Issue {
        study_id: record.study_id().to_owned(),
        kind,
        field: series.series.clone(),
        value: Some(series.path.clone()),
        message,
    };
    if !path.is_file() {
        return Some(issue(
            IssueKind::MissingImage,
            format!("no such file: {}", path.display()),
        ));
    }
    if images == ImageCheck::Checksum {
        let checksum = match crate::imaging::file_checksum(&path) {
            Ok(checksum) => checksum,
            Err(err) => {
                return Some(issue(
                    IssueKind::MissingImage,
                    format!("cannot read it: {err}"),
                ));
            }
        };
        if checksum != series.checksum {
            return Some(issue(
                IssueKind::ChangedImage,
                format!(
                    "{} changed since import (SHA-256 differs); re-import it",
                    path.display()
                ),
            ));
        }
    }
    None
}
