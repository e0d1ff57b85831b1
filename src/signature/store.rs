//! Signatures and their scores in the study database.

use rusqlite::params;

use super::SignatureError;
use super::document::Signature;
use super::score::{RiskGroup, Scores};
use crate::study::{Actor, StudyDb};

/// A stored score, as read back.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredScore {
    /// The patient.
    pub study_id: String,
    /// The score.
    pub score: f64,
    /// The probability, for logistic and forest models.
    pub probability: Option<f64>,
    /// The risk group, when the signature has a cutoff.
    pub risk_group: Option<RiskGroup>,
}

/// Stores `signature` (once per id) and replaces its scores with
/// `scores`, all in one transaction with its audit rows. Returns the
/// number of scores written.
pub fn store_scores(
    db: &StudyDb,
    signature: &Signature,
    scores: &Scores,
    actor: &Actor,
) -> Result<usize, SignatureError> {
    let id = signature.id();
    let conn = db.conn();
    let write = || -> rusqlite::Result<usize> {
        let tx = conn.unchecked_transaction()?;
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO signature (id, name, model, document, stored_at, stored_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id,
                signature.name,
                signature.model.as_str(),
                signature.to_json(),
                actor.timestamp(),
                actor.user
            ],
        )?;
        let audit = |field: &str, value: &str| {
            tx.execute(
                "INSERT INTO audit_log (at, user, action, table_name, record, study_id, field, old_value, new_value)
                 VALUES (?1, ?2, 'insert', 'signature', ?3, NULL, ?4, NULL, ?5)",
                params![actor.timestamp(), actor.user, format!("signature {id}"), field, value],
            )
        };
        if inserted > 0 {
            audit("name", &signature.name)?;
        }
        tx.execute("DELETE FROM signature_score WHERE signature_id = ?1", [&id])?;
        let mut insert = tx.prepare(
            "INSERT INTO signature_score (signature_id, patient_id, score, probability, risk_group, scored_at)
             SELECT ?1, id, ?3, ?4, ?5, ?6 FROM patient WHERE study_id = ?2",
        )?;
        let mut written = 0;
        for score in &scores.scores {
            written += insert.execute(params![
                id,
                score.study_id,
                score.score,
                score.probability,
                score.risk_group.map(RiskGroup::as_str),
                actor.timestamp()
            ])?;
        }
        drop(insert);
        audit(
            "scores",
            &format!("{written} patients scored, {} not", scores.failures.len()),
        )?;
        tx.commit()?;
        Ok(written)
    };
    write().map_err(|source| {
        SignatureError::Study(db
            .sql_error(&format!("storing the scores of signature {id}"))(
            source
        ))
    })
}

/// The stored scores of signature `id`, by study id.
pub fn load_scores(db: &StudyDb, id: &str) -> Result<Vec<StoredScore>, SignatureError> {
    let rows = db.query_all(
        &format!(
            "SELECT p.study_id, s.score, s.probability, s.risk_group FROM signature_score s
             JOIN patient p ON p.id = s.patient_id WHERE s.signature_id = '{}'
             ORDER BY p.study_id",
            id.replace('\'', "''")
        ),
        "reading scores",
        |row| {
            let group: Option<String> = row.get(3)?;
            Ok(StoredScore {
                study_id: row.get(0)?,
                score: row.get(1)?,
                probability: row.get(2)?,
                risk_group: group.map(|g| {
                    if g == "high" {
                        RiskGroup::High
                    } else {
                        RiskGroup::Low
                    }
                }),
            })
        },
    )?;
    Ok(rows)
}

/// A signature stored in the study database, with when it last scored
/// the study.
#[derive(Debug, Clone)]
pub struct StoredSignature {
    /// The signature as stored.
    pub signature: Signature,
    /// When it was first stored (RFC 3339, UTC).
    pub stored_at: String,
    /// Who stored it.
    pub stored_by: String,
    /// When its scores were last written, if it has any.
    pub scored_at: Option<String>,
    /// Patients with a stored score.
    pub scored: usize,
}

/// Every signature stored in the study, the most recently scored first
/// (then the most recently stored): the first is the one whose risk groups
/// a coordinator last produced, which the TUI treats as the active one.
pub fn list_signatures(db: &StudyDb) -> Result<Vec<StoredSignature>, SignatureError> {
    let rows = db.query_all(
        "SELECT g.id, g.document, g.stored_at, g.stored_by, MAX(s.scored_at), COUNT(s.patient_id)
           FROM signature g LEFT JOIN signature_score s ON s.signature_id = g.id
          GROUP BY g.id
          ORDER BY MAX(s.scored_at) IS NULL, MAX(s.scored_at) DESC, g.stored_at DESC, g.id",
        "listing the stored signatures",
        |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, i64>(5)?,
            ))
        },
    )?;
    rows.into_iter()
        .map(|(id, document, stored_at, stored_by, scored_at, scored)| {
            let place = db.path().join(format!("signature {id}"));
            Ok(StoredSignature {
                signature: Signature::from_json(&document, &place)?,
                stored_at,
                stored_by,
                scored_at,
                scored: usize::try_from(scored).unwrap_or(0),
            })
        })
        .collect()
}

/// One patient's score under one stored signature.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientSignatureScore {
    /// The signature's name.
    pub name: String,
    /// Its content id.
    pub id: String,
    /// The score.
    pub score: f64,
    /// The probability, for logistic and forest models.
    pub probability: Option<f64>,
    /// The risk group, when the signature has a cutoff.
    pub risk_group: Option<RiskGroup>,
    /// When it was scored.
    pub scored_at: String,
}

/// Every stored signature's score of one patient, the latest first.
pub fn patient_scores(
    db: &StudyDb,
    study_id: &str,
) -> Result<Vec<PatientSignatureScore>, SignatureError> {
    let read = || -> rusqlite::Result<Vec<PatientSignatureScore>> {
        let mut statement = db.conn().prepare(
            "SELECT g.name, g.id, s.score, s.probability, s.risk_group, s.scored_at
               FROM signature_score s
               JOIN signature g ON g.id = s.signature_id
               JOIN patient p ON p.id = s.patient_id
              WHERE p.study_id = ?1 ORDER BY s.scored_at DESC, g.name",
        )?;
        let rows = statement.query_map(params![study_id], |row| {
            let group: Option<String> = row.get(4)?;
            Ok(PatientSignatureScore {
                name: row.get(0)?,
                id: row.get(1)?,
                score: row.get(2)?,
                probability: row.get(3)?,
                risk_group: group.map(|g| {
                    if g == "high" {
                        RiskGroup::High
                    } else {
                        RiskGroup::Low
                    }
                }),
                scored_at: row.get(5)?,
            })
        })?;
        rows.collect()
    };
    read().map_err(|source| {
        SignatureError::Study(db.sql_error(&format!("reading the scores of {study_id}"))(
            source,
        ))
    })
}
