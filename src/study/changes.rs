//! Every write to study data goes through here: the difference between a
//! record as stored and as it should become is turned into row changes,
//! which are written with their audit rows in the caller's transaction.
//!
//! Import and interactive edits share this path, so a change is audited the
//! same way whichever way it arrives.

use std::collections::BTreeMap;

use rusqlite::types::Value as Stored;
use rusqlite::{Connection, params, params_from_iter};

use super::audit::{Actor, AuditAction};
use super::dates::iso;
use super::model::{
    ChemoCourse, FollowUpEvent, ImagingSeries, Patient, PatientRecord, SeriesKind, Surgery, Value,
    Variable,
};

/// Which row a change touches.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RowKey {
    /// The `patient` row of a study id.
    Patient { study_id: String },
    /// The patient's `surgery` row.
    Surgery { study_id: String },
    /// The patient's `patient_value` row of one variable.
    Value { study_id: String, variable: String },
    /// A `follow_up_event` row; `id` is `None` for a new one.
    Event { study_id: String, id: Option<i64> },
    /// A `chemotherapy_course` row; `id` is `None` for a new one.
    Chemo { study_id: String, id: Option<i64> },
    /// The patient's `imaging_series` row of one series name.
    Imaging { study_id: String, series: String },
    /// A `dictionary_variable` row.
    Variable { name: String },
}

impl RowKey {
    fn table(&self) -> &'static str {
        match self {
            RowKey::Patient { .. } => "patient",
            RowKey::Surgery { .. } => "surgery",
            RowKey::Value { .. } => "patient_value",
            RowKey::Event { .. } => "follow_up_event",
            RowKey::Chemo { .. } => "chemotherapy_course",
            RowKey::Imaging { .. } => "imaging_series",
            RowKey::Variable { .. } => "dictionary_variable",
        }
    }

    fn study_id(&self) -> Option<&str> {
        match self {
            RowKey::Patient { study_id }
            | RowKey::Surgery { study_id }
            | RowKey::Value { study_id, .. }
            | RowKey::Event { study_id, .. }
            | RowKey::Chemo { study_id, .. }
            | RowKey::Imaging { study_id, .. } => Some(study_id),
            RowKey::Variable { .. } => None,
        }
    }

    /// The record as the audit log names it.
    fn record(&self, id: Option<i64>) -> String {
        let id = id.map(|id| format!("#{id}")).unwrap_or_default();
        match self {
            RowKey::Patient { study_id } | RowKey::Value { study_id, .. } => study_id.clone(),
            RowKey::Surgery { study_id } => format!("{study_id}/surgery"),
            RowKey::Event { study_id, .. } => format!("{study_id}/event{id}"),
            RowKey::Chemo { study_id, .. } => format!("{study_id}/chemotherapy{id}"),
            RowKey::Imaging { study_id, series } => format!("{study_id}/{series}"),
            RowKey::Variable { name } => name.clone(),
        }
    }
}

/// One column's value before and after.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldChange {
    pub column: &'static str,
    pub old: Stored,
    pub new: Stored,
}

/// A change to one row: its insertion, deletion or the update of some of
/// its columns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RowChange {
    pub key: RowKey,
    pub action: AuditAction,
    pub fields: Vec<FieldChange>,
}

/// Counts of what a set of changes does, for reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ChangeCounts {
    /// Rows created.
    pub inserted: usize,
    /// Rows changed.
    pub updated: usize,
    /// Rows removed.
    pub deleted: usize,
    /// Field values written (one audit row each).
    pub fields: usize,
}

impl ChangeCounts {
    pub(crate) fn of(changes: &[RowChange]) -> Self {
        let mut counts = ChangeCounts::default();
        for change in changes {
            match change.action {
                AuditAction::Insert => counts.inserted += 1,
                AuditAction::Update => counts.updated += 1,
                AuditAction::Delete => counts.deleted += 1,
            }
            counts.fields += change.fields.len();
        }
        counts
    }

    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.inserted + self.updated + self.deleted == 0
    }
}

type Columns = Vec<(&'static str, Stored)>;

fn text(value: &str) -> Stored {
    Stored::Text(value.to_owned())
}

fn opt_text<T: ToString>(value: Option<T>) -> Stored {
    value.map_or(Stored::Null, |v| Stored::Text(v.to_string()))
}

fn opt_real(value: Option<f64>) -> Stored {
    value.map_or(Stored::Null, Stored::Real)
}

fn opt_int(value: Option<i64>) -> Stored {
    value.map_or(Stored::Null, Stored::Integer)
}

fn opt_bool(value: Option<bool>) -> Stored {
    opt_int(value.map(i64::from))
}

fn patient_columns(patient: &Patient) -> Columns {
    vec![
        ("study_id", text(&patient.study_id)),
        ("sex", opt_text(patient.sex)),
        ("age_at_surgery", opt_real(patient.age_at_surgery)),
        ("cohort", opt_text(patient.cohort)),
    ]
}

fn surgery_columns(surgery: &Surgery) -> Columns {
    vec![
        ("date", opt_text(surgery.date.map(iso))),
        ("procedure", opt_text(surgery.procedure)),
        ("lymphadenectomy", opt_bool(surgery.lymphadenectomy)),
    ]
}

fn event_columns(event: &FollowUpEvent) -> Columns {
    vec![
        ("kind", text(event.kind.as_str())),
        ("date", text(&iso(event.date))),
        ("detail", opt_text(event.detail.as_deref())),
    ]
}

fn chemo_columns(course: &ChemoCourse) -> Columns {
    vec![
        ("regimen", text(&course.regimen)),
        ("start_date", text(&iso(course.start))),
        ("end_date", opt_text(course.end.map(iso))),
        ("cycles", opt_int(course.cycles.map(i64::from))),
        ("completed", opt_bool(course.completed)),
    ]
}

fn imaging_columns(series: &ImagingSeries) -> Columns {
    let g = &series.geometry;
    let direction = g
        .direction
        .iter()
        .flatten()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    vec![
        ("series", text(&series.series)),
        ("kind", text(series.kind.as_str())),
        ("b_value", opt_real(series.b_value)),
        ("path", text(&series.path)),
        ("checksum", text(&series.checksum)),
        ("dim_x", Stored::Integer(g.dims[0] as i64)),
        ("dim_y", Stored::Integer(g.dims[1] as i64)),
        ("dim_z", Stored::Integer(g.dims[2] as i64)),
        ("spacing_x", Stored::Real(g.spacing[0])),
        ("spacing_y", Stored::Real(g.spacing[1])),
        ("spacing_z", Stored::Real(g.spacing[2])),
        ("origin_x", Stored::Real(g.origin[0])),
        ("origin_y", Stored::Real(g.origin[1])),
        ("origin_z", Stored::Real(g.origin[2])),
        ("direction", Stored::Text(direction)),
        ("mask_of", opt_text(series.mask_of.as_deref())),
        ("label", opt_int(series.label)),
    ]
}

fn value_columns(value: &Value) -> Columns {
    match value.as_f64() {
        Some(x) => vec![("value_real", Stored::Real(x))],
        None => vec![("value_text", text(&value.to_string()))],
    }
}

pub(crate) fn variable_columns(variable: &Variable, position: usize) -> Columns {
    vec![
        ("name", text(&variable.name)),
        ("label", text(&variable.label)),
        ("type", text(variable.kind.as_str())),
        ("unit", opt_text(variable.unit.as_deref())),
        (
            "levels",
            if variable.levels.is_empty() {
                Stored::Null
            } else {
                text(&variable.levels.join("|"))
            },
        ),
        ("min_value", opt_real(variable.min)),
        ("max_value", opt_real(variable.max)),
        ("required", Stored::Integer(i64::from(variable.required))),
        ("position", Stored::Integer(position as i64)),
    ]
}

/// The change taking a row from `old` to `new` columns; `None` when they
/// are equal or both absent.
pub(crate) fn row_change(
    key: RowKey,
    old: Option<Columns>,
    new: Option<Columns>,
) -> Option<RowChange> {
    let (action, fields) = match (old, new) {
        (None, None) => return None,
        (None, Some(new)) => (
            AuditAction::Insert,
            new.into_iter()
                .filter(|(_, v)| *v != Stored::Null)
                .map(|(column, new)| FieldChange {
                    column,
                    old: Stored::Null,
                    new,
                })
                .collect(),
        ),
        (Some(old), None) => (
            AuditAction::Delete,
            old.into_iter()
                .filter(|(_, v)| *v != Stored::Null)
                .map(|(column, old)| FieldChange {
                    column,
                    old,
                    new: Stored::Null,
                })
                .collect(),
        ),
        (Some(old), Some(new)) => {
            let fields: Vec<FieldChange> = old
                .into_iter()
                .zip(new)
                .filter(|((_, o), (_, n))| o != n)
                .map(|((column, old), (_, new))| FieldChange { column, old, new })
                .collect();
            if fields.is_empty() {
                return None;
            }
            (AuditAction::Update, fields)
        }
    };
    Some(RowChange {
        key,
        action,
        fields,
    })
}

/// The row changes that turn the stored record `old` (`None` for a new
/// patient) into `new`, ordered so that they can be applied one by one:
/// the patient first, removals before additions, images before their masks.
///
/// Events and courses are matched by row id, values by variable, series by
/// name. An all-empty surgery means no surgery row.
pub(crate) fn diff_patient(old: Option<&PatientRecord>, new: &PatientRecord) -> Vec<RowChange> {
    let study_id = new.study_id().to_owned();
    let empty = PatientRecord::default();
    let stored = old.unwrap_or(&empty);
    let mut changes = Vec::new();
    let mut push = |change: Option<RowChange>| changes.extend(change);

    push(row_change(
        RowKey::Patient {
            study_id: study_id.clone(),
        },
        old.map(|o| patient_columns(&o.patient)),
        Some(patient_columns(&new.patient)),
    ));
    let surgery = |s: &Surgery| (!s.is_empty()).then(|| surgery_columns(s));
    push(row_change(
        RowKey::Surgery {
            study_id: study_id.clone(),
        },
        surgery(&stored.surgery),
        surgery(&new.surgery),
    ));

    let variables: std::collections::BTreeSet<&String> =
        stored.values.keys().chain(new.values.keys()).collect();
    for variable in variables {
        push(row_change(
            RowKey::Value {
                study_id: study_id.clone(),
                variable: variable.clone(),
            },
            stored.values.get(variable).map(value_columns),
            new.values.get(variable).map(value_columns),
        ));
    }

    let event_key = |id| RowKey::Event {
        study_id: study_id.clone(),
        id,
    };
    push_list_changes(
        &mut changes,
        &stored.events,
        &new.events,
        |e| e.id,
        event_columns,
        event_key,
    );
    let chemo_key = |id| RowKey::Chemo {
        study_id: study_id.clone(),
        id,
    };
    push_list_changes(
        &mut changes,
        &stored.chemo,
        &new.chemo,
        |c| c.id,
        chemo_columns,
        chemo_key,
    );

    let old_series: BTreeMap<&str, &ImagingSeries> = stored
        .imaging
        .iter()
        .map(|s| (s.series.as_str(), s))
        .collect();
    let new_series: BTreeMap<&str, &ImagingSeries> =
        new.imaging.iter().map(|s| (s.series.as_str(), s)).collect();
    let mut imaging: Vec<RowChange> = old_series
        .keys()
        .chain(new_series.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter_map(|name| {
            row_change(
                RowKey::Imaging {
                    study_id: study_id.clone(),
                    series: (*name).to_owned(),
                },
                old_series.get(name).map(|s| imaging_columns(s)),
                new_series.get(name).map(|s| imaging_columns(s)),
            )
        })
        .collect();
    let is_mask = |change: &RowChange| {
        let RowKey::Imaging { series, .. } = &change.key else {
            return false;
        };
        new_series
            .get(series.as_str())
            .or(old_series.get(series.as_str()))
            .is_some_and(|s| s.kind == SeriesKind::Mask)
    };
    imaging.sort_by_key(|change| (change.action != AuditAction::Delete, is_mask(change)));
    changes.extend(imaging);
    changes
}

/// Appends the changes between two lists of rows matched by id: deletions,
/// then updates, then insertions of the items without an id.
fn push_list_changes<T>(
    changes: &mut Vec<RowChange>,
    old: &[T],
    new: &[T],
    id: impl Fn(&T) -> Option<i64>,
    columns: impl Fn(&T) -> Columns,
    key: impl Fn(Option<i64>) -> RowKey,
) {
    for item in old {
        if !new.iter().any(|n| id(n).is_some() && id(n) == id(item)) {
            changes.extend(row_change(key(id(item)), Some(columns(item)), None));
        }
    }
    for item in new.iter().filter(|n| id(n).is_some()) {
        let before = old.iter().find(|o| id(o) == id(item));
        changes.extend(row_change(
            key(id(item)),
            before.map(&columns),
            Some(columns(item)),
        ));
    }
    for item in new.iter().filter(|n| id(n).is_none()) {
        changes.extend(row_change(key(None), None, Some(columns(item))));
    }
}

const PATIENT_ID: &str = "(SELECT id FROM patient WHERE study_id = ?)";
const VARIABLE_ID: &str = "(SELECT id FROM dictionary_variable WHERE name = ?)";
const SERIES_ID: &str = "(SELECT id FROM imaging_series WHERE patient_id = (SELECT id FROM patient WHERE study_id = ?) AND series = ?)";

/// How a stored column is written: most take their value directly, but a
/// mask's `mask_of` names a series and is stored as that series' row id.
fn column_value(key: &RowKey, column: &'static str, value: &Stored) -> (String, Vec<Stored>) {
    match (key, column, value) {
        (RowKey::Imaging { study_id, .. }, "mask_of", Stored::Text(series)) => {
            (SERIES_ID.to_owned(), vec![text(study_id), text(series)])
        }
        _ => ("?".to_owned(), vec![value.clone()]),
    }
}

/// The `WHERE` clause and parameters that find an existing row.
fn locator(key: &RowKey) -> (String, Vec<Stored>) {
    match key {
        RowKey::Patient { study_id } => ("study_id = ?".to_owned(), vec![text(study_id)]),
        RowKey::Surgery { study_id } => {
            (format!("patient_id = {PATIENT_ID}"), vec![text(study_id)])
        }
        RowKey::Value { study_id, variable } => (
            format!("patient_id = {PATIENT_ID} AND variable_id = {VARIABLE_ID}"),
            vec![text(study_id), text(variable)],
        ),
        RowKey::Event { id, .. } | RowKey::Chemo { id, .. } => {
            ("id = ?".to_owned(), vec![opt_int(*id)])
        }
        RowKey::Imaging { study_id, series } => (
            format!("patient_id = {PATIENT_ID} AND series = ?"),
            vec![text(study_id), text(series)],
        ),
        RowKey::Variable { name } => ("name = ?".to_owned(), vec![text(name)]),
    }
}

/// The parent columns a new row needs besides its own fields.
fn parent_columns(key: &RowKey) -> (Vec<&'static str>, Vec<String>, Vec<Stored>) {
    match key {
        RowKey::Patient { .. } | RowKey::Variable { .. } => (vec![], vec![], vec![]),
        RowKey::Value { study_id, variable } => (
            vec!["patient_id", "variable_id"],
            vec![PATIENT_ID.to_owned(), VARIABLE_ID.to_owned()],
            vec![text(study_id), text(variable)],
        ),
        RowKey::Surgery { study_id }
        | RowKey::Event { study_id, .. }
        | RowKey::Chemo { study_id, .. }
        | RowKey::Imaging { study_id, .. } => (
            vec!["patient_id"],
            vec![PATIENT_ID.to_owned()],
            vec![text(study_id)],
        ),
    }
}

fn audit_text(value: &Stored) -> Option<String> {
    match value {
        Stored::Null => None,
        Stored::Integer(n) => Some(n.to_string()),
        Stored::Real(x) => Some(x.to_string()),
        Stored::Text(t) => Some(t.clone()),
        Stored::Blob(b) => Some(format!("<{} bytes>", b.len())),
    }
}

/// Writes row changes and their audit rows; `tx` is inside the caller's
/// transaction. An update or deletion
/// that finds no row fails, so a change computed against a stale read is
/// never applied silently; the caller's transaction then rolls back.
pub(crate) fn apply(tx: &Connection, changes: &[RowChange], actor: &Actor) -> rusqlite::Result<()> {
    let at = actor.timestamp();
    for change in changes {
        let table = change.key.table();
        let row_id = match change.action {
            AuditAction::Insert => {
                let (mut columns, mut values, mut params) = parent_columns(&change.key);
                for field in &change.fields {
                    let (sql, bound) = column_value(&change.key, field.column, &field.new);
                    columns.push(field.column);
                    values.push(sql);
                    params.extend(bound);
                }
                let sql = format!(
                    "INSERT INTO {table} ({}) VALUES ({})",
                    columns.join(", "),
                    values.join(", ")
                );
                tx.execute(&sql, params_from_iter(params))?;
                Some(tx.last_insert_rowid())
            }
            AuditAction::Update => {
                let mut assignments = Vec::new();
                let mut params = Vec::new();
                for field in &change.fields {
                    let (sql, bound) = column_value(&change.key, field.column, &field.new);
                    assignments.push(format!("{} = {sql}", field.column));
                    params.extend(bound);
                }
                let (condition, bound) = locator(&change.key);
                params.extend(bound);
                let sql = format!(
                    "UPDATE {table} SET {} WHERE {condition}",
                    assignments.join(", ")
                );
                expect_one_row(tx.execute(&sql, params_from_iter(params))?)?;
                None
            }
            AuditAction::Delete => {
                let (condition, bound) = locator(&change.key);
                let sql = format!("DELETE FROM {table} WHERE {condition}");
                expect_one_row(tx.execute(&sql, params_from_iter(bound))?)?;
                None
            }
        };
        let id = match change.key {
            RowKey::Event { id, .. } | RowKey::Chemo { id, .. } => id.or(row_id),
            _ => None,
        };
        let record = change.key.record(id);
        for field in &change.fields {
            let name = match &change.key {
                RowKey::Value { variable, .. } => variable.as_str(),
                _ => field.column,
            };
            tx.execute(
                "INSERT INTO audit_log (at, user, action, table_name, record, study_id, field, old_value, new_value)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    at,
                    actor.user,
                    change.action.as_str(),
                    table,
                    record,
                    change.key.study_id(),
                    name,
                    audit_text(&field.old),
                    audit_text(&field.new),
                ],
            )?;
        }
    }
    Ok(())
}

/// An update or deletion must find exactly its row; anything else means the
/// row changed since it was read.
fn expect_one_row(affected: usize) -> rusqlite::Result<()> {
    if affected == 1 {
        Ok(())
    } else {
        Err(rusqlite::Error::StatementChangedRows(affected))
    }
}

/// Writes one study setting and its audit row.
pub(crate) fn write_setting(
    tx: &Connection,
    key: &str,
    value: &str,
    old: Option<&str>,
    actor: &Actor,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO study_setting (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    tx.execute(
        "INSERT INTO audit_log (at, user, action, table_name, record, study_id, field, old_value, new_value)
         VALUES (?1, ?2, ?3, 'study_setting', 'study', NULL, ?4, ?5, ?6)",
        params![
            actor.timestamp(),
            actor.user,
            if old.is_some() { "update" } else { "insert" },
            key,
            old,
            value
        ],
    )?;
    Ok(())
}
