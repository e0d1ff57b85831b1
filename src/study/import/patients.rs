//! `patients.csv`: one row per patient.
//!
//! Columns: `study_id` (required), `sex` (M/F), `age`, `cohort`
//! (training/validation/empty), `surgery_date`, `procedure` (minor/major),
//! `lymphadenectomy`, `recurrence_date`, `recurrence_site`, `death_date`,
//! `death_cause`, `last_followup_date`, then any dictionary variable by name.
//! Every column but `study_id` may be left out. The wide dates become
//! follow-up events: `recurrence_date` is the first recurrence (later ones
//! come from the events file), `death_date` the death and
//! `last_followup_date` the last contact.

use std::collections::{BTreeMap, HashMap};

use super::csv_table::{Cell, CsvTable, RowCells};
use super::{ImportOptions, PendingRecord, Plan, Problem, plan_records};
use crate::study::dates::parse_date;
use crate::study::model::{
    Cohort, EventKind, FollowUpEvent, Procedure, Sex, Variable, check_study_id, parse_bool,
    parse_finite,
};
use crate::study::rules::Subject;
use crate::study::{StudyDb, StudyError};

/// The file's own columns, in their canonical order.
pub(crate) const COLUMNS: &[&str] = &[
    "study_id",
    "sex",
    "age",
    "cohort",
    "surgery_date",
    "procedure",
    "lymphadenectomy",
    "recurrence_date",
    "recurrence_site",
    "death_date",
    "death_cause",
    "last_followup_date",
];

pub(super) fn plan(
    db: &StudyDb,
    table: &CsvTable,
    options: &ImportOptions,
) -> Result<Result<Plan, Vec<Problem>>, StudyError> {
    let dictionary: BTreeMap<String, Variable> = db
        .dictionary()?
        .into_iter()
        .map(|v| (v.name.clone(), v))
        .collect();
    let mut problems = table.check_columns(&["study_id"], |column| {
        COLUMNS.contains(&column) || dictionary.contains_key(column)
    });
    let mut stored: HashMap<String, _> = db
        .load_records()?
        .into_iter()
        .map(|r| (r.study_id().to_owned(), r))
        .collect();
    let mut pending: Vec<PendingRecord> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in &table.rows {
        let mut cells = table.cells(row, &mut problems);
        let Some(study_id) = cells.require("study_id", |text| {
            check_study_id(text).map(|()| text.to_owned())
        }) else {
            continue;
        };
        if let Some(first) = seen.insert(study_id.clone(), row.line) {
            cells.report(
                Some("study_id"),
                Some(&study_id),
                format!("duplicate study_id; first at line {first}"),
            );
            continue;
        }
        let mut record = PendingRecord::new(stored.remove(&study_id), &study_id, row.line);
        read_row(&mut cells, &mut record, &dictionary, options);
        pending.push(record);
    }
    for record in &pending {
        problems.extend(record.rule_problems(&table.path));
    }
    Ok(if problems.is_empty() {
        Ok(plan_records(&pending))
    } else {
        Err(problems)
    })
}

/// Applies one row's cells to the pending record.
fn read_row(
    cells: &mut RowCells<'_>,
    pending: &mut PendingRecord,
    dictionary: &BTreeMap<String, Variable>,
    options: &ImportOptions,
) {
    let overwrite = options.blank_overwrites;
    let format = options.date_format.as_str();
    let line = cells.line();
    let date = |text: &str| parse_date(text, format);
    let record = &mut pending.record;

    cells
        .parse("sex", str::parse::<Sex>)
        .store(&mut record.patient.sex, overwrite);
    cells
        .parse("age", |text| {
            let age = parse_finite(text)?;
            if (0.0..=120.0).contains(&age) {
                Ok(age)
            } else {
                Err("out of range [0, 120] years".to_owned())
            }
        })
        .store(&mut record.patient.age_at_surgery, overwrite);
    cells
        .parse("cohort", str::parse::<Cohort>)
        .store(&mut record.patient.cohort, overwrite);

    let surgery_date = cells.parse("surgery_date", date);
    if matches!(surgery_date, Cell::Value(_)) {
        pending.touched(Subject::Surgery, line, "surgery_date");
    }
    let record = &mut pending.record;
    surgery_date.store(&mut record.surgery.date, overwrite);
    cells
        .parse("procedure", str::parse::<Procedure>)
        .store(&mut record.surgery.procedure, overwrite);
    cells
        .parse("lymphadenectomy", parse_bool)
        .store(&mut record.surgery.lymphadenectomy, overwrite);

    let wide_events = [
        (
            EventKind::Recurrence,
            "recurrence_date",
            Some("recurrence_site"),
        ),
        (EventKind::Death, "death_date", Some("death_cause")),
        (EventKind::LastContact, "last_followup_date", None),
    ];
    for (kind, date_column, detail_column) in wide_events {
        let when = cells.parse(date_column, date);
        let detail = detail_column.map_or(Cell::Absent, |column| {
            cells.parse(column, |text| Ok(text.to_owned()))
        });
        set_wide_event(
            cells,
            pending,
            kind,
            (date_column, when),
            (detail_column, detail),
            overwrite,
        );
    }

    for (name, variable) in dictionary {
        let cell = cells.parse(name, |text| variable.parse(text, format));
        let mut value = pending.record.values.remove(name);
        cell.store(&mut value, overwrite);
        if let Some(value) = value {
            pending.record.values.insert(name.clone(), value);
        }
    }
}

/// Sets the wide follow-up event of one kind from its date and detail
/// cells: the first recurrence, the death or the last contact.
fn set_wide_event(
    cells: &mut RowCells<'_>,
    pending: &mut PendingRecord,
    kind: EventKind,
    (date_column, when): (&str, Cell<chrono::NaiveDate>),
    (detail_column, detail): (Option<&str>, Cell<String>),
    overwrite: bool,
) {
    let events = &mut pending.record.events;
    // The wide event is the earliest of its kind (the only one for deaths
    // and last contacts).
    let existing = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == kind)
        .min_by_key(|(_, e)| e.date)
        .map(|(index, _)| index);
    let index = match (when, existing) {
        (Cell::Value(date), Some(index)) => {
            events[index].date = date;
            Some(index)
        }
        (Cell::Value(date), None) => {
            events.push(FollowUpEvent {
                id: None,
                kind,
                date,
                detail: None,
            });
            Some(events.len() - 1)
        }
        (Cell::Blank, Some(_)) if overwrite => {
            events.retain(|e| e.kind != kind);
            None
        }
        (_, existing) => existing,
    };
    if let Some(index) = index {
        pending.touched(Subject::Event(index), cells.line(), date_column);
        detail.store(&mut pending.record.events[index].detail, overwrite);
    } else if let (Some(column), Cell::Value(text)) = (detail_column, &detail) {
        cells.report(
            Some(column),
            Some(text),
            format!("given without a {date_column}"),
        );
    }
}
