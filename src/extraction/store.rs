//! Extraction runs, cases and feature values in the study database.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{OptionalExtension, params};

use super::{ExtractionRequest, Outcome};
use crate::study::{Actor, StudyDb, StudyError};

/// A run as listed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RunInfo {
    /// The run's id.
    pub id: i64,
    /// What it reads, e.g. `dwi b=800`.
    pub selection: String,
    /// The parameters' hash.
    pub params_hash: String,
    /// The engine that made it.
    pub engine: String,
    /// When it was created.
    pub created_at: String,
    /// Who created it.
    pub created_by: String,
    /// Cases done.
    pub done: usize,
    /// Cases failed.
    pub failed: usize,
    /// Features per done case.
    pub features: usize,
}

/// The run of these parameters and series, created if new.
pub(super) fn find_or_create_run(
    db: &mut StudyDb,
    request: &ExtractionRequest,
    actor: &Actor,
) -> Result<i64, StudyError> {
    let selection = request.selection.label();
    let context = "finding or creating the extraction run";
    let existing: Option<i64> = db
        .conn()
        .query_row(
            "SELECT id FROM extraction_run WHERE params_hash = ?1 AND selection = ?2",
            params![request.params.hash, selection],
            |row| row.get(0),
        )
        .optional()
        .map_err(db.sql_error(context))?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let conn = db.conn();
    let insert = || -> rusqlite::Result<i64> {
        let tx = conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO extraction_run (params_hash, params, params_source, mode, engine, series_kind, b_value,
                                         selection, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                request.params.hash,
                request.params.canonical,
                request.params_source,
                request.params.settings.mode.as_str(),
                format!("radcohort {}", env!("CARGO_PKG_VERSION")),
                request.selection.kind.as_str(),
                request.selection.b_value,
                selection,
                actor.timestamp(),
                actor.user,
            ],
        )?;
        let id = tx.last_insert_rowid();
        audit(
            &tx,
            actor,
            "insert",
            &format!("run#{id}"),
            None,
            "selection",
            &selection,
        )?;
        tx.commit()?;
        Ok(id)
    };
    insert().map_err(db.sql_error(context))
}

/// The checksums of every case of the run already done, by study id.
pub(super) fn done_cases(
    db: &StudyDb,
    run_id: i64,
) -> Result<HashMap<String, (String, String)>, StudyError> {
    let rows = db.query_all(
        &format!(
            "SELECT p.study_id, c.image_checksum, c.mask_checksum FROM extraction_case c
             JOIN patient p ON p.id = c.patient_id WHERE c.run_id = {run_id} AND c.status = 'done'"
        ),
        "reading finished cases",
        |row| Ok((row.get::<_, String>(0)?, (row.get(1)?, row.get(2)?))),
    )?;
    Ok(rows.into_iter().collect())
}

fn audit(
    tx: &rusqlite::Connection,
    actor: &Actor,
    action: &str,
    record: &str,
    study_id: Option<&str>,
    field: &str,
    value: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO audit_log (at, user, action, table_name, record, study_id, field, old_value, new_value)
         VALUES (?1, ?2, ?3, 'extraction_case', ?4, ?5, ?6, NULL, ?7)",
        params![actor.timestamp(), actor.user, action, record, study_id, field, value],
    )?;
    Ok(())
}

/// Writes one case's outcome in one transaction, replacing any earlier
/// attempt. Returns the case's own failure, if it failed.
pub(super) fn write_case(
    db: &StudyDb,
    run_id: i64,
    outcome: &Outcome,
    actor: &Actor,
) -> Result<Result<(), String>, StudyError> {
    let (study_id, case) = match &outcome.case {
        Ok(case) => (case.study_id.as_str(), Some(case)),
        Err((id, _)) => (id.as_str(), None),
    };
    let conn = db.conn();
    let write = || -> rusqlite::Result<()> {
        let tx = conn.unchecked_transaction()?;
        let patient: i64 = tx.query_row(
            "SELECT id FROM patient WHERE study_id = ?1",
            [study_id],
            |row| row.get(0),
        )?;
        let series_id = |name: Option<&String>| -> rusqlite::Result<Option<i64>> {
            match name {
                None => Ok(None),
                Some(name) => tx
                    .query_row(
                        "SELECT id FROM imaging_series WHERE patient_id = ?1 AND series = ?2",
                        params![patient, name],
                        |row| row.get(0),
                    )
                    .optional(),
            }
        };
        let image_id = series_id(case.map(|c| &c.image_series))?;
        let mask_id = series_id(case.map(|c| &c.mask_series))?;
        tx.execute(
            "DELETE FROM extraction_case WHERE run_id = ?1 AND patient_id = ?2",
            params![run_id, patient],
        )?;
        let finished = actor.timestamp();
        let record = format!("{study_id}/run#{run_id}");
        match &outcome.result {
            Ok((extraction, image_sum, mask_sum)) => {
                let diagnostics: serde_json::Map<String, serde_json::Value> = extraction
                    .diagnostics
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                    .collect();
                tx.execute(
                    "INSERT INTO extraction_case (run_id, patient_id, image_series_id, mask_series_id, image_checksum,
                                                  mask_checksum, status, error, seconds, feature_count, diagnostics, finished_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'done', NULL, ?7, ?8, ?9, ?10)",
                    params![
                        run_id,
                        patient,
                        image_id,
                        mask_id,
                        image_sum,
                        mask_sum,
                        outcome.seconds,
                        extraction.features.len() as i64,
                        serde_json::Value::Object(diagnostics).to_string(),
                        finished,
                    ],
                )?;
                let mut insert = tx.prepare(
                    "INSERT INTO feature_value (run_id, patient_id, series_id, feature, position, value)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                for (position, feature) in extraction.features.iter().enumerate() {
                    insert.execute(params![
                        run_id,
                        patient,
                        image_id,
                        feature.name,
                        position as i64,
                        feature.value
                    ])?;
                }
                drop(insert);
                let summary = format!("done, {} features", extraction.features.len());
                audit(
                    &tx,
                    actor,
                    "insert",
                    &record,
                    Some(study_id),
                    "status",
                    &summary,
                )?;
            }
            Err(reason) => {
                tx.execute(
                    "INSERT INTO extraction_case (run_id, patient_id, image_series_id, mask_series_id, status, error,
                                                  seconds, finished_at)
                     VALUES (?1, ?2, ?3, ?4, 'failed', ?5, ?6, ?7)",
                    params![run_id, patient, image_id, mask_id, reason, outcome.seconds, finished],
                )?;
                audit(
                    &tx,
                    actor,
                    "insert",
                    &record,
                    Some(study_id),
                    "status",
                    &format!("failed: {reason}"),
                )?;
            }
        }
        tx.commit()
    };
    write().map_err(db.sql_error(&format!("storing the extraction of {study_id}")))?;
    Ok(outcome.result.as_ref().map(|_| ()).map_err(Clone::clone))
}

/// Every run of the study with its counts.
pub fn list_runs(db: &StudyDb) -> Result<Vec<RunInfo>, StudyError> {
    db.query_all(
        "SELECT r.id, r.selection, r.params_hash, r.engine, r.created_at, r.created_by,
                (SELECT count(*) FROM extraction_case c WHERE c.run_id = r.id AND c.status = 'done'),
                (SELECT count(*) FROM extraction_case c WHERE c.run_id = r.id AND c.status = 'failed'),
                (SELECT coalesce(max(feature_count), 0) FROM extraction_case c WHERE c.run_id = r.id)
         FROM extraction_run r ORDER BY r.id",
        "listing extraction runs",
        |row| {
            Ok(RunInfo {
                id: row.get(0)?,
                selection: row.get(1)?,
                params_hash: row.get(2)?,
                engine: row.get(3)?,
                created_at: row.get(4)?,
                created_by: row.get(5)?,
                done: row.get::<_, i64>(6)? as usize,
                failed: row.get::<_, i64>(7)? as usize,
                features: row.get::<_, i64>(8)? as usize,
            })
        },
    )
}

/// A run's features in extraction order: that of its first done case.
fn feature_order(db: &StudyDb, run_id: i64) -> Result<Vec<String>, StudyError> {
    db.query_all(
        &format!(
            "SELECT feature FROM feature_value WHERE run_id = {run_id} AND patient_id =
               (SELECT min(patient_id) FROM extraction_case WHERE run_id = {run_id} AND status = 'done')
             ORDER BY position"
        ),
        "reading the run's features",
        |row| row.get::<_, String>(0),
    )
}

/// Writes a run's values as one wide CSV in PyRadiomics' batch layout: a
/// row per done case with `study_id`, `Image` and `Mask` (the files read)
/// and then every feature in extraction order. Returns the number of rows.
pub fn export_run_csv(db: &StudyDb, run_id: i64, path: &Path) -> Result<usize, StudyError> {
    let order = feature_order(db, run_id)?;
    let cases = db.query_all(
        &format!(
            "SELECT c.patient_id, p.study_id, i.path, m.path FROM extraction_case c
             JOIN patient p ON p.id = c.patient_id
             LEFT JOIN imaging_series i ON i.id = c.image_series_id
             LEFT JOIN imaging_series m ON m.id = c.mask_series_id
             WHERE c.run_id = {run_id} AND c.status = 'done' ORDER BY p.study_id"
        ),
        "reading the run's cases",
        |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        },
    )?;
    let values = db.query_all(
        &format!("SELECT patient_id, feature, value FROM feature_value WHERE run_id = {run_id}"),
        "reading the run's values",
        |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, f64>(2)?,
            ))
        },
    )?;
    let mut by_case: HashMap<i64, HashMap<String, f64>> = HashMap::new();
    for (patient, feature, value) in values {
        by_case.entry(patient).or_default().insert(feature, value);
    }
    let io = |source: std::io::Error| StudyError::Io {
        path: path.to_owned(),
        context: "writing the run's features".to_owned(),
        source,
    };
    let csv_io = |err: csv::Error| io(std::io::Error::other(err.to_string()));
    let partial = path.with_file_name(format!(
        ".partial-{}",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    let mut writer = csv::Writer::from_path(&partial).map_err(csv_io)?;
    let mut header = vec!["study_id".to_owned(), "Image".to_owned(), "Mask".to_owned()];
    header.extend(order.iter().cloned());
    writer.write_record(&header).map_err(csv_io)?;
    let folder = db.folder();
    let shown = |stored: &Option<String>| {
        stored
            .as_ref()
            .map(|p| folder.join(p).display().to_string())
            .unwrap_or_default()
    };
    for (patient, study_id, image, mask) in &cases {
        let values = by_case.get(patient);
        let mut row = vec![study_id.clone(), shown(image), shown(mask)];
        row.extend(order.iter().map(|name| {
            values
                .and_then(|v| v.get(name))
                .map(|v| v.to_string())
                .unwrap_or_default()
        }));
        writer.write_record(&row).map_err(csv_io)?;
    }
    writer.flush().map_err(io)?;
    drop(writer);
    std::fs::rename(&partial, path).map_err(io)?;
    Ok(cases.len())
}

/// The feature values of one run: every done case's values, in the run's
/// extraction order. A signature reads its features from these.
#[derive(Debug, Clone, PartialEq)]
pub struct RunValues {
    /// The run.
    pub run: RunInfo,
    /// The features, in extraction order (that of the first done case).
    pub features: Vec<String>,
    /// Each done case's values by study id, in the order of `features`;
    /// `None` where a case lacks a feature the first case has.
    pub cases: std::collections::BTreeMap<String, Vec<Option<f64>>>,
}

impl RunValues {
    /// The value of `feature` for `study_id`: `None` when the patient has
    /// no done case in the run or the case lacks the feature.
    pub fn value(&self, study_id: &str, feature: &str) -> Option<f64> {
        let column = self.features.iter().position(|name| name == feature)?;
        self.cases.get(study_id)?.get(column).copied().flatten()
    }
}

/// Reads run `run_id`'s values; `None` when there is no such run.
pub fn load_run_values(db: &StudyDb, run_id: i64) -> Result<Option<RunValues>, StudyError> {
    let Some(run) = list_runs(db)?.into_iter().find(|run| run.id == run_id) else {
        return Ok(None);
    };
    let features = feature_order(db, run_id)?;
    let column: HashMap<&str, usize> = features
        .iter()
        .enumerate()
        .map(|(i, name)| (name.as_str(), i))
        .collect();
    let mut cases: std::collections::BTreeMap<String, Vec<Option<f64>>> = db
        .query_all(
            &format!(
                "SELECT p.study_id FROM extraction_case c JOIN patient p ON p.id = c.patient_id
                 WHERE c.run_id = {run_id} AND c.status = 'done'"
            ),
            "reading the run's cases",
            |row| row.get::<_, String>(0),
        )?
        .into_iter()
        .map(|id| (id, vec![None; features.len()]))
        .collect();
    let values = db.query_all(
        &format!(
            "SELECT p.study_id, v.feature, v.value FROM feature_value v
             JOIN extraction_case c ON c.run_id = v.run_id AND c.patient_id = v.patient_id
             JOIN patient p ON p.id = v.patient_id
             WHERE v.run_id = {run_id} AND c.status = 'done'"
        ),
        "reading the run's values",
        |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, f64>(2)?,
            ))
        },
    )?;
    for (study_id, feature, value) in values {
        if let (Some(row), Some(&j)) = (cases.get_mut(&study_id), column.get(feature.as_str())) {
            row[j] = Some(value);
        }
    }
    Ok(Some(RunValues {
        run,
        features,
        cases,
    }))
}

/// One patient's case in one run, as the patient view lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientCase {
    /// The run.
    pub run_id: i64,
    /// What the run reads, e.g. `dwi b=800`.
    pub selection: String,
    /// `done` or `failed`.
    pub status: String,
    /// Why the case failed.
    pub error: Option<String>,
    /// The values, in extraction order.
    pub features: Vec<(String, f64)>,
}

/// Every run's case of one patient, by run id, with its values: what the
/// patient view shows without reading whole runs.
pub fn patient_cases(db: &StudyDb, study_id: &str) -> Result<Vec<PatientCase>, StudyError> {
    let read = || -> rusqlite::Result<Vec<PatientCase>> {
        let conn = db.conn();
        let mut cases = conn.prepare(
            "SELECT r.id, r.selection, c.status, c.error, c.patient_id
               FROM extraction_case c
               JOIN extraction_run r ON r.id = c.run_id
               JOIN patient p ON p.id = c.patient_id
              WHERE p.study_id = ?1 ORDER BY r.id",
        )?;
        let mut values = conn.prepare(
            "SELECT feature, value FROM feature_value
              WHERE run_id = ?1 AND patient_id = ?2 ORDER BY position",
        )?;
        let rows = cases
            .query_map(params![study_id], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, i64>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(run_id, selection, status, error, patient)| {
                let features = values
                    .query_map(params![run_id, patient], |row| {
                        Ok((row.get::<_, String>(0)?, row.get::<_, f64>(1)?))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(PatientCase {
                    run_id,
                    selection,
                    status,
                    error,
                    features,
                })
            })
            .collect()
    };
    read().map_err(db.sql_error(&format!("reading the extracted features of {study_id}")))
}
