//! `events.csv`: one row per follow-up event.
//!
//! Columns: `study_id`, `event` (recurrence/death/last_contact), `date`, and
//! `detail` (the recurrence site or the cause of death; empty for a last
//! contact). An event matching a stored one — the same recurrence date, or
//! the patient's death or last contact — updates it.

use std::collections::HashMap;

use super::csv_table::{Cell, CsvTable};
use super::{ImportOptions, PatientRows, Plan, Problem};
use crate::study::dates::parse_date;
use crate::study::model::{EventKind, FollowUpEvent};
use crate::study::rules::Subject;
use crate::study::{StudyDb, StudyError};

/// The file's columns.
pub(crate) const COLUMNS: &[&str] = &["study_id", "event", "date", "detail"];

pub(super) fn plan(
    db: &StudyDb,
    table: &CsvTable,
    options: &ImportOptions,
) -> Result<Result<Plan, Vec<Problem>>, StudyError> {
    let mut problems =
        table.check_columns(&["study_id", "event", "date"], |c| COLUMNS.contains(&c));
    let mut pending = PatientRows::new(db)?;
    let mut seen: HashMap<(String, EventKind, Option<chrono::NaiveDate>), u64> = HashMap::new();
    for row in &table.rows {
        let mut cells = table.cells(row, &mut problems);
        let Some(record) = pending.row_patient(&mut cells) else {
            continue;
        };
        let kind = cells.require("event", str::parse::<EventKind>);
        let date = cells.require("date", |text| parse_date(text, &options.date_format));
        let detail = cells.parse("detail", |text| Ok(text.to_owned()));
        let (Some(kind), Some(date)) = (kind, date) else {
            continue;
        };
        if kind == EventKind::LastContact
            && let Cell::Value(text) = &detail
        {
            cells.report(
                Some("detail"),
                Some(text),
                "a last contact has no detail".to_owned(),
            );
            continue;
        }
        // A patient dies once and has one last contact: those are keyed by
        // kind alone, recurrences by their date.
        let key_date = (kind == EventKind::Recurrence).then_some(date);
        let key = (record.record.study_id().to_owned(), kind, key_date);
        if let Some(first) = seen.insert(key, row.line) {
            let text = cells.raw("date").unwrap_or_default().to_owned();
            cells.report(
                Some("date"),
                Some(&text),
                format!(
                    "the same {} of this patient is already at line {first}",
                    kind
                ),
            );
            continue;
        }
        let events = &mut record.record.events;
        let matching = events
            .iter()
            .position(|e| e.kind == kind && (kind != EventKind::Recurrence || e.date == date));
        let index = match matching {
            Some(index) => {
                events[index].date = date;
                index
            }
            None => {
                events.push(FollowUpEvent {
                    id: None,
                    kind,
                    date,
                    detail: None,
                });
                events.len() - 1
            }
        };
        detail.store(&mut events[index].detail, options.blank_overwrites);
        record.touched(Subject::Event(index), row.line, "date");
    }
    Ok(pending.finish(&table.path, problems))
}
