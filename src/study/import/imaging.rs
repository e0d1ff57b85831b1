//! `imaging.csv`: one row per image or mask file.
//!
//! Columns: `study_id`, `series` (a name unique within the patient, e.g.
//! `b800`), `kind` (dwi/adc/mask/other), `b_value` (s/mm², required for DWI,
//! empty for masks), `path` (relative to the CSV file's folder), `mask_of`
//! (for a mask: the series it segments) and `label` (for a mask: the tumour's
//! label value, 1 by default).
//!
//! Each file must exist and be a readable NIfTI-1 volume; its geometry and
//! SHA-256 are stored. A mask must have exactly its image's dimensions,
//! spacing, origin and orientation.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::csv_table::{Cell, CsvTable};
use super::{ImportOptions, PatientRows, Plan, Problem};
use crate::imaging::{self, GeometryTolerance};
use crate::study::model::{ImagingSeries, SeriesKind, parse_finite};
use crate::study::{StudyDb, StudyError};

/// The file's columns.
pub(crate) const COLUMNS: &[&str] = &[
    "study_id", "series", "kind", "b_value", "path", "mask_of", "label",
];

fn check_series_name(text: &str) -> Result<String, String> {
    let valid = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if text.is_empty() || text.len() > 64 || !valid {
        return Err("a series name is 1–64 letters, digits, '_', '-' or '.'".to_owned());
    }
    Ok(text.to_owned())
}

pub(super) fn plan(
    db: &StudyDb,
    table: &CsvTable,
    _options: &ImportOptions,
) -> Result<Result<Plan, Vec<Problem>>, StudyError> {
    let mut problems = table.check_columns(&["study_id", "series", "kind", "path"], |c| {
        COLUMNS.contains(&c)
    });
    let csv_folder = table
        .path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let db_folder = fs::canonicalize(db.folder()).unwrap_or_else(|_| db.folder());
    let mut pending = PatientRows::new(db)?;
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    for row in &table.rows {
        let mut cells = table.cells(row, &mut problems);
        let Some(record) = pending.row_patient(&mut cells) else {
            continue;
        };
        let study_id = record.record.study_id().to_owned();
        let series = cells.require("series", check_series_name);
        let kind = cells.require("kind", str::parse::<SeriesKind>);
        let b_value = cells.parse("b_value", |text| {
            let b = parse_finite(text)?;
            if (0.0..=10_000.0).contains(&b) {
                Ok(b)
            } else {
                Err("expected a b-value from 0 to 10000 s/mm²".to_owned())
            }
        });
        let mask_of = cells.parse("mask_of", check_series_name);
        let label = cells.parse("label", |text| match text.parse::<i64>() {
            Ok(label) if (1..=65_535).contains(&label) => Ok(label),
            _ => Err("expected a whole label value from 1 to 65535".to_owned()),
        });
        let header = cells.require("path", |text| {
            let path = csv_folder.join(text);
            if !path.is_file() {
                return Err(format!("no such file: {}", path.display()));
            }
            let header = imaging::read_header(&path).map_err(|err| crate::error_chain(&err))?;
            Ok((path, header))
        });
        let (Some(series), Some(kind)) = (series, kind) else {
            continue;
        };
        if let Some(first) = seen.insert((study_id.clone(), series.clone()), row.line) {
            cells.report(
                Some("series"),
                Some(&series),
                format!("this patient's series is already at line {first}"),
            );
            continue;
        }
        match (kind, &b_value) {
            (SeriesKind::Dwi, Cell::Blank | Cell::Absent) => {
                cells.report(
                    Some("b_value"),
                    None,
                    "a DWI series needs its b-value".to_owned(),
                );
            }
            (SeriesKind::Mask, Cell::Value(b)) => {
                cells.report(
                    Some("b_value"),
                    Some(&b.to_string()),
                    "a mask has no b-value".to_owned(),
                );
            }
            _ => {}
        }
        let is_mask = kind == SeriesKind::Mask;
        match (&mask_of, is_mask) {
            (Cell::Blank | Cell::Absent, true) => {
                cells.report(
                    Some("mask_of"),
                    None,
                    "a mask names the series it segments".to_owned(),
                );
            }
            (Cell::Value(image), false) => {
                cells.report(
                    Some("mask_of"),
                    Some(image),
                    "only a mask belongs to another series".to_owned(),
                );
            }
            _ => {}
        }
        if let (Cell::Value(value), false) = (&label, is_mask) {
            cells.report(
                Some("label"),
                Some(&value.to_string()),
                "only a mask has a label value".to_owned(),
            );
        }
        let Some((path, header)) = header else {
            continue;
        };
        let stored_path = match stored_path(&path, &db_folder) {
            Ok(stored) => stored,
            Err(reason) => {
                cells.report(
                    Some("path"),
                    cells.raw("path").map(str::to_owned).as_deref(),
                    reason,
                );
                continue;
            }
        };
        let mask_of = mask_of.value().filter(|_| is_mask);
        let imported = ImagingSeries {
            series: series.clone(),
            kind,
            b_value: b_value.value(),
            path: stored_path,
            checksum: header.sha256,
            geometry: header.geometry,
            mask_of,
            label: if is_mask {
                Some(label.value().unwrap_or(1))
            } else {
                None
            },
        };
        let list = &mut record.record.imaging;
        match list.iter_mut().find(|s| s.series == series) {
            Some(existing) => *existing = imported,
            None => list.push(imported),
        }
    }
    // Every mask whose file or image this file touched must match its image.
    for pending in pending.records() {
        let record = &pending.record;
        for mask in record.imaging.iter().filter(|s| s.kind == SeriesKind::Mask) {
            let Some(image_name) = &mask.mask_of else {
                continue;
            };
            let line_of = |series: &str| {
                seen.get(&(record.study_id().to_owned(), series.to_owned()))
                    .copied()
            };
            let Some(line) = line_of(&mask.series).or_else(|| line_of(image_name)) else {
                continue;
            };
            if let Some(reason) = mask_problem(mask, image_name, &record.imaging) {
                problems.push(Problem {
                    file: table.path.clone(),
                    line: Some(line),
                    column: Some("mask_of".to_owned()),
                    value: Some(image_name.clone()),
                    reason: format!("{}: {reason}", record.study_id()),
                });
            }
        }
    }
    Ok(pending.finish(&table.path, problems))
}

/// Why a mask cannot belong to the series it names, if it cannot.
fn mask_problem(
    mask: &ImagingSeries,
    image_name: &str,
    series: &[ImagingSeries],
) -> Option<String> {
    let Some(image) = series.iter().find(|s| s.series == image_name) else {
        return Some(format!(
            "no series '{image_name}' for mask '{}' to segment (import the image in this file or before)",
            mask.series
        ));
    };
    if image.kind == SeriesKind::Mask {
        return Some(format!("'{image_name}' is itself a mask"));
    }
    let differences = mask
        .geometry
        .mismatches(&image.geometry, GeometryTolerance::default());
    if differences.is_empty() {
        return None;
    }
    let listed: Vec<String> = differences.iter().map(ToString::to_string).collect();
    Some(format!(
        "mask '{}' does not match image '{image_name}': {} (mask vs image)",
        mask.series,
        listed.join("; ")
    ))
}

/// The path as stored: relative to the database's folder when the file lies
/// inside it (so a study folder can be moved whole), absolute otherwise.
fn stored_path(path: &Path, db_folder: &Path) -> Result<String, String> {
    let absolute =
        fs::canonicalize(path).map_err(|err| format!("cannot resolve the path: {err}"))?;
    let stored = absolute.strip_prefix(db_folder).unwrap_or(&absolute);
    stored
        .to_str()
        .map(str::to_owned)
        .ok_or_else(|| "the path is not valid UTF-8".to_owned())
}
