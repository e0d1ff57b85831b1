//! `chemo.csv`: one row per chemotherapy course.
//!
//! Columns: `study_id`, `regimen` and `start_date` (required), `end_date`,
//! `cycles` (a whole number from 1 to 100) and `completed` (yes/no). A course
//! starting on the same day as a stored course of the patient updates it.

use std::collections::HashMap;

use super::csv_table::CsvTable;
use super::{ImportOptions, PatientRows, Plan, Problem};
use crate::study::dates::parse_date;
use crate::study::model::{ChemoCourse, parse_bool};
use crate::study::rules::Subject;
use crate::study::{StudyDb, StudyError};

/// The file's columns.
pub(crate) const COLUMNS: &[&str] = &[
    "study_id",
    "regimen",
    "start_date",
    "end_date",
    "cycles",
    "completed",
];

pub(super) fn plan(
    db: &StudyDb,
    table: &CsvTable,
    options: &ImportOptions,
) -> Result<Result<Plan, Vec<Problem>>, StudyError> {
    let mut problems = table.check_columns(&["study_id", "regimen", "start_date"], |c| {
        COLUMNS.contains(&c)
    });
    let mut pending = PatientRows::new(db)?;
    let mut seen: HashMap<(String, chrono::NaiveDate), u64> = HashMap::new();
    let overwrite = options.blank_overwrites;
    for row in &table.rows {
        let mut cells = table.cells(row, &mut problems);
        let Some(record) = pending.row_patient(&mut cells) else {
            continue;
        };
        let date = |text: &str| parse_date(text, &options.date_format);
        let regimen = cells.require("regimen", |text| Ok(text.to_owned()));
        let start = cells.require("start_date", date);
        let end = cells.parse("end_date", date);
        let cycles = cells.parse("cycles", |text| match text.parse::<u32>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            _ => Err("expected a whole number of cycles from 1 to 100".to_owned()),
        });
        let completed = cells.parse("completed", parse_bool);
        let (Some(regimen), Some(start)) = (regimen, start) else {
            continue;
        };
        if let Some(first) = seen.insert((record.record.study_id().to_owned(), start), row.line) {
            let text = cells.raw("start_date").unwrap_or_default().to_owned();
            cells.report(
                Some("start_date"),
                Some(&text),
                format!("a course of this patient starting that day is already at line {first}"),
            );
            continue;
        }
        let courses = &mut record.record.chemo;
        let index = match courses.iter().position(|c| c.start == start) {
            Some(index) => index,
            None => {
                courses.push(ChemoCourse {
                    id: None,
                    regimen: regimen.clone(),
                    start,
                    end: None,
                    cycles: None,
                    completed: None,
                });
                courses.len() - 1
            }
        };
        let course = &mut courses[index];
        course.regimen = regimen;
        end.store(&mut course.end, overwrite);
        cycles.store(&mut course.cycles, overwrite);
        completed.store(&mut course.completed, overwrite);
        record.touched(Subject::Chemo(index), row.line, "start_date");
    }
    Ok(pending.finish(&table.path, problems))
}
