//! The analysis data set: one row per patient with the endpoints and
//! every model's score, built once from the study and the signatures.

use std::collections::HashMap;

use serde::Serialize;

use super::AnalysisError;
use crate::signature::{
    PatientScore, RiskGroup, Scores, Signature, StoredScore, StudyData, score_patients,
};
use crate::study::endpoints::{Endpoints, TimeToEvent};
use crate::study::model::Cohort;

/// Days per month in survival tables and figures (365.25 / 12).
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// The role a model plays in the study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The radiomic signature, whose risk groups the survival analyses use.
    Signature,
    /// The clinicopathological-radiographic model.
    Cpr,
    /// The combined model (nomogram).
    Combined,
}

impl Role {
    /// A short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Role::Signature => "Radiomic signature",
            Role::Cpr => "CPR model",
            Role::Combined => "Combined model",
        }
    }
}

/// A model with its scores.
#[derive(Debug, Clone)]
pub struct ScoredModel {
    /// Its role.
    pub role: Role,
    /// The signature.
    pub signature: Signature,
    /// Every patient's score.
    pub scores: Scores,
}

/// One patient's row.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientRow {
    /// The patient's position in [`StudyData::patients`].
    pub index: usize,
    /// The study id.
    pub study_id: String,
    /// Training or validation.
    pub cohort: Option<Cohort>,
    /// Early recurrence, when known.
    pub early_recurrence: Option<bool>,
    /// DFS, when known.
    pub dfs: Option<TimeToEvent>,
    /// OS, when known.
    pub os: Option<TimeToEvent>,
    /// Adjuvant chemotherapy, when known.
    pub adjuvant_chemo: Option<bool>,
    /// Each model's score, in the order of the models; `None` where the
    /// model could not score the patient.
    pub scores: Vec<Option<ModelScore>>,
}

/// One model's score of one patient.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelScore {
    /// The score.
    pub score: f64,
    /// The probability (logistic and forest models).
    pub probability: Option<f64>,
    /// The risk group under the model's cutoff.
    pub risk_group: Option<RiskGroup>,
}

/// The patients and the models.
#[derive(Debug, Clone)]
pub struct AnalysisSet {
    /// The models, the radiomic signature first.
    pub models: Vec<ScoredModel>,
    /// One row per patient, by study id.
    pub rows: Vec<PatientRow>,
}

impl AnalysisSet {
    /// Scores the study with each model (`models[0]` must be the radiomic
    /// signature and have a cutoff: it defines the risk groups).
    pub fn new(
        data: &StudyData,
        models: Vec<(Role, Signature)>,
    ) -> Result<AnalysisSet, AnalysisError> {
        match models.first() {
            Some((Role::Signature, signature)) if signature.cutoff.is_some() => {}
            Some((Role::Signature, signature)) => {
                return Err(AnalysisError::NoCutoff {
                    name: signature.name.clone(),
                });
            }
            _ => return Err(AnalysisError::NoSignature),
        }
        let mut scored = Vec::with_capacity(models.len());
        for (role, signature) in models {
            let scores = score_patients(&signature, data)?;
            scored.push(ScoredModel {
                role,
                signature,
                scores,
            });
        }
        // Each model's scores by study id, looked up once per patient.
        let lookup: Vec<HashMap<&str, &PatientScore>> = scored
            .iter()
            .map(|model| {
                model
                    .scores
                    .scores
                    .iter()
                    .map(|s| (s.study_id.as_str(), s))
                    .collect()
            })
            .collect();
        let rows = data
            .patients
            .iter()
            .enumerate()
            .map(|(index, patient)| PatientRow {
                index,
                study_id: patient.study_id.clone(),
                cohort: patient.cohort,
                early_recurrence: patient.endpoints.early_recurrence,
                dfs: patient.endpoints.dfs,
                os: patient.endpoints.os,
                adjuvant_chemo: patient.endpoints.adjuvant_chemo,
                scores: lookup
                    .iter()
                    .map(|by_id| {
                        by_id.get(patient.study_id.as_str()).map(|s| ModelScore {
                            score: s.score,
                            probability: s.probability,
                            risk_group: s.risk_group,
                        })
                    })
                    .collect(),
            })
            .collect();
        Ok(AnalysisSet {
            models: scored,
            rows,
        })
    }

    /// The set of scores already stored in the study (see
    /// [`crate::signature::load_scores`]), without scoring anything again:
    /// the rows carry one model, the stored signature's, whose risk groups
    /// the survival and chemotherapy-benefit analyses use. `models` is left
    /// empty, so analyses that need a model's definition (discrimination,
    /// calibration) do not apply to it. Patients without a stored score keep
    /// a row without one.
    pub fn from_stored_scores<'a>(
        patients: impl IntoIterator<Item = (&'a str, Option<Cohort>, &'a Endpoints)>,
        scores: &[StoredScore],
    ) -> AnalysisSet {
        let by_id: HashMap<&str, &StoredScore> =
            scores.iter().map(|s| (s.study_id.as_str(), s)).collect();
        let rows = patients
            .into_iter()
            .enumerate()
            .map(|(index, (study_id, cohort, endpoints))| PatientRow {
                index,
                study_id: study_id.to_owned(),
                cohort,
                early_recurrence: endpoints.early_recurrence,
                dfs: endpoints.dfs,
                os: endpoints.os,
                adjuvant_chemo: endpoints.adjuvant_chemo,
                scores: vec![by_id.get(study_id).map(|s| ModelScore {
                    score: s.score,
                    probability: s.probability,
                    risk_group: s.risk_group,
                })],
            })
            .collect();
        AnalysisSet {
            models: Vec::new(),
            rows,
        }
    }

    /// The rows of a cohort (`None`: every patient).
    pub fn cohort(&self, cohort: Option<Cohort>) -> Vec<&PatientRow> {
        self.rows
            .iter()
            .filter(|row| cohort.is_none() || row.cohort == cohort)
            .collect()
    }
}

impl PatientRow {
    /// The radiomic signature's risk group.
    pub fn risk_group(&self) -> Option<RiskGroup> {
        self.scores
            .first()
            .copied()
            .flatten()
            .and_then(|s| s.risk_group)
    }
}

/// The name of a cohort selection in tables: `training`, `validation`
/// or `all`.
pub fn cohort_label(cohort: Option<Cohort>) -> &'static str {
    cohort.map_or("all", Cohort::as_str)
}
