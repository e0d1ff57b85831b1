//! `dictionary.csv`: the study's own variables, one row each, in the manner
//! of a REDCap data dictionary.
//!
//! Columns: `name` (lowercase letters, digits and `_`, starting with a
//! letter), `label`, `type` (numeric/integer/categorical/boolean/date/text),
//! `unit`, `levels` (categorical only, separated by `|`), `min` and `max`
//! (numeric and integer only), `required` (yes/no). A stored variable of the
//! same name is updated; the values already stored must still fit it, and
//! its type cannot change while it has values.

use std::collections::{BTreeMap, HashMap};

use super::csv_table::{Cell, CsvTable};
use super::{ImportOptions, Plan, Problem, is_reserved_column};
use crate::study::changes::{RowKey, row_change, variable_columns};
use crate::study::model::{Variable, VariableType, parse_bool, parse_finite};
use crate::study::{StudyDb, StudyError};

/// The file's columns.
pub(crate) const COLUMNS: &[&str] = &[
    "name", "label", "type", "unit", "levels", "min", "max", "required",
];

fn check_name(text: &str) -> Result<String, String> {
    let mut chars = text.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_valid = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !starts_with_letter || !rest_valid || text.len() > 64 {
        return Err("a variable name is a lowercase letter, then lowercase letters, digits or '_' (64 at most)".to_owned());
    }
    if is_reserved_column(text) {
        return Err("this name is one of radcohort's own columns".to_owned());
    }
    Ok(text.to_owned())
}

pub(super) fn plan(
    db: &StudyDb,
    table: &CsvTable,
    _options: &ImportOptions,
) -> Result<Result<Plan, Vec<Problem>>, StudyError> {
    let mut problems = table.check_columns(&["name", "type"], |c| COLUMNS.contains(&c));
    let stored = db.dictionary()?;
    let records = db.load_records()?;
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut imported: Vec<(u64, Variable)> = Vec::new();
    for row in &table.rows {
        let mut cells = table.cells(row, &mut problems);
        let name = cells.require("name", check_name);
        let kind = cells.require("type", str::parse::<VariableType>);
        let label = cells.parse("label", |text| Ok(text.to_owned()));
        let unit = cells.parse("unit", |text| Ok(text.to_owned()));
        let levels = cells.parse("levels", |text| {
            let levels: Vec<String> = text.split('|').map(|l| l.trim().to_owned()).collect();
            if levels.iter().any(String::is_empty) {
                return Err("a level is empty; separate levels with '|'".to_owned());
            }
            let mut unique = levels.clone();
            unique.sort();
            unique.dedup();
            if unique.len() != levels.len() {
                return Err("a level appears twice".to_owned());
            }
            Ok(levels)
        });
        let min = cells.parse("min", parse_finite);
        let max = cells.parse("max", parse_finite);
        let required = cells.parse("required", parse_bool);
        let (Some(name), Some(kind)) = (name, kind) else {
            continue;
        };
        if let Some(first) = seen.insert(name.clone(), row.line) {
            cells.report(
                Some("name"),
                Some(&name),
                format!("already defined at line {first}"),
            );
            continue;
        }
        let categorical = kind == VariableType::Categorical;
        let ranged = matches!(kind, VariableType::Numeric | VariableType::Integer);
        match (&levels, categorical) {
            (Cell::Value(levels), true) if levels.len() < 2 => {
                cells.report(
                    Some("levels"),
                    Some(&levels.join("|")),
                    "a categorical variable needs two levels or more".to_owned(),
                );
            }
            (Cell::Blank | Cell::Absent, true) => {
                cells.report(
                    Some("levels"),
                    None,
                    "a categorical variable needs its levels".to_owned(),
                );
            }
            (Cell::Value(levels), false) => {
                cells.report(
                    Some("levels"),
                    Some(&levels.join("|")),
                    format!("a {kind} variable has no levels"),
                );
            }
            _ => {}
        }
        for (column, bound) in [("min", &min), ("max", &max)] {
            if let (Cell::Value(value), false) = (bound, ranged) {
                cells.report(
                    Some(column),
                    Some(&value.to_string()),
                    format!("a {kind} variable has no range"),
                );
            }
        }
        if let (Some(low), Some(high)) = (min.as_value(), max.as_value())
            && low > high
        {
            cells.report(
                Some("max"),
                Some(&high.to_string()),
                format!("max is below min {low}"),
            );
        }
        let variable = Variable {
            label: label.value().unwrap_or_else(|| name.clone()),
            name,
            kind,
            unit: unit.value(),
            levels: levels.value().unwrap_or_default(),
            min: min.value(),
            max: max.value(),
            required: required.value().unwrap_or(false),
        };
        imported.push((row.line, variable));
    }

    let stored_by_name: BTreeMap<&str, (usize, &Variable)> = stored
        .iter()
        .enumerate()
        .map(|(i, v)| (v.name.as_str(), (i, v)))
        .collect();
    let mut next_position = stored.len();
    let mut plan = Plan {
        changes: Vec::new(),
        records_created: 0,
        records_updated: 0,
    };
    for (line, variable) in &imported {
        let before = stored_by_name.get(variable.name.as_str());
        if let Some((_, old)) = before {
            problems.extend(
                stored_value_problems(old, variable, &records)
                    .into_iter()
                    .map(|reason| Problem {
                        file: table.path.clone(),
                        line: Some(*line),
                        column: Some("name".to_owned()),
                        value: Some(variable.name.clone()),
                        reason,
                    }),
            );
        }
        let position = before.map_or_else(
            || {
                next_position += 1;
                next_position - 1
            },
            |(position, _)| *position,
        );
        let change = row_change(
            RowKey::Variable {
                name: variable.name.clone(),
            },
            before.map(|(position, old)| variable_columns(old, *position)),
            Some(variable_columns(variable, position)),
        );
        if let Some(change) = change {
            if before.is_some() {
                plan.records_updated += 1;
            } else {
                plan.records_created += 1;
            }
            plan.changes.push(change);
        }
    }
    Ok(if problems.is_empty() {
        Ok(plan)
    } else {
        Err(problems)
    })
}

/// Why the values stored for `old` would not fit the new definition.
fn stored_value_problems(
    old: &Variable,
    new: &Variable,
    records: &[crate::study::model::PatientRecord],
) -> Vec<String> {
    let with_values: Vec<_> = records
        .iter()
        .filter_map(|r| r.values.get(&old.name).map(|v| (r.study_id(), v)))
        .collect();
    if with_values.is_empty() {
        return Vec::new();
    }
    if old.kind != new.kind {
        return vec![format!(
            "cannot change the type from {} to {}: {} patients have values",
            old.kind,
            new.kind,
            with_values.len()
        )];
    }
    with_values
        .into_iter()
        .filter_map(|(study_id, value)| {
            new.check(value).err().map(|reason| {
                format!("the stored value '{value}' of {study_id} would not fit: {reason}")
            })
        })
        .collect()
}
