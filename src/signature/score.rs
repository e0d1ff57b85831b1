//! Scoring patients with a signature, and choosing its risk cutoff.
//!
//! A cutoff is chosen once, on training patients only, and then frozen in
//! the signature: scoring never moves it, so validation patients are
//! classified by a rule they did not influence.

use serde::Serialize;

use super::SignatureError;
use super::data::{ResolvedSignature, StudyData};
use super::document::{Cutoff, CutoffMethod, Signature};
use crate::stats::descriptive::quantile_sorted;
use crate::stats::youden_cutoff;
use crate::study::model::Cohort;

/// A patient's risk group: high when the score is at or above the cutoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskGroup {
    /// Score ≥ cutoff.
    High,
    /// Score < cutoff.
    Low,
}

impl RiskGroup {
    /// `high` or `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskGroup::High => "high",
            RiskGroup::Low => "low",
        }
    }

    /// The group of `score` under `cutoff`.
    pub fn of(score: f64, cutoff: f64) -> RiskGroup {
        if score >= cutoff {
            RiskGroup::High
        } else {
            RiskGroup::Low
        }
    }
}

/// One patient's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatientScore {
    /// The patient.
    pub study_id: String,
    /// Their cohort.
    pub cohort: Option<Cohort>,
    /// The score (see [`Signature`]).
    pub score: f64,
    /// The predicted probability (logistic and forest models).
    pub probability: Option<f64>,
    /// The risk group; `None` when the signature has no cutoff.
    pub risk_group: Option<RiskGroup>,
}

/// A patient the signature could not score, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreFailure {
    /// The patient.
    pub study_id: String,
    /// What was missing or invalid.
    pub reason: String,
}

/// Every patient's score under one signature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    /// The signature's id.
    pub signature_id: String,
    /// Its name.
    pub signature_name: String,
    /// The cutoff used, if any.
    pub cutoff: Option<f64>,
    /// The patients scored, by study id.
    pub scores: Vec<PatientScore>,
    /// The patients that could not be scored.
    pub failures: Vec<ScoreFailure>,
}

impl Scores {
    /// The score of `study_id`, if scored.
    pub fn get(&self, study_id: &str) -> Option<&PatientScore> {
        self.scores.iter().find(|s| s.study_id == study_id)
    }
}

/// Scores every patient of the study. The signature's inputs are found
/// first (an input the study lacks altogether is an error for all); a
/// patient missing one of them is listed in `failures` with the reason,
/// never scored as if it were zero.
pub fn score_patients(signature: &Signature, data: &StudyData) -> Result<Scores, SignatureError> {
    signature.check()?;
    let resolved = ResolvedSignature::new(signature, data)?;
    let cutoff = signature.cutoff.as_ref().map(|c| c.value);
    let mut scores = Vec::new();
    let mut failures = Vec::new();
    for patient in &data.patients {
        match resolved.evaluate(patient) {
            Ok((score, probability)) => scores.push(PatientScore {
                study_id: patient.study_id.clone(),
                cohort: patient.cohort,
                score,
                probability,
                risk_group: cutoff.map(|c| RiskGroup::of(score, c)),
            }),
            Err(reason) => failures.push(ScoreFailure {
                study_id: patient.study_id.clone(),
                reason,
            }),
        }
    }
    Ok(Scores {
        signature_id: signature.id(),
        signature_name: signature.name.clone(),
        cutoff,
        scores,
        failures,
    })
}

/// How to choose a cutoff.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CutoffChoice {
    /// Youden-optimal against early recurrence in the training cohort;
    /// the frozen value is pROC's threshold, the midpoint between the
    /// optimal training score and the next lower one.
    Youden,
    /// The median training score (R type-7).
    Median,
    /// A given value.
    Fixed(f64),
}

impl CutoffChoice {
    /// Parses `youden`, `median` or a number.
    pub fn parse(text: &str) -> Result<CutoffChoice, SignatureError> {
        match text {
            "youden" => Ok(CutoffChoice::Youden),
            "median" => Ok(CutoffChoice::Median),
            _ => text
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(CutoffChoice::Fixed)
                .ok_or_else(|| SignatureError::InvalidOption {
                    name: "cutoff".to_owned(),
                    value: text.to_owned(),
                    expected: "youden, median or a number".to_owned(),
                }),
        }
    }
}

/// Chooses the cutoff of `signature` on the training cohort's scores and
/// freezes it (the signature is resealed, so its id changes). A signature
/// that already has a cutoff keeps it: [`SignatureError::CutoffFrozen`].
pub fn freeze_cutoff(
    signature: &mut Signature,
    data: &StudyData,
    choice: CutoffChoice,
) -> Result<(), SignatureError> {
    if let Some(cutoff) = &signature.cutoff {
        return Err(SignatureError::CutoffFrozen {
            name: signature.name.clone(),
            value: cutoff.value,
            method: cutoff.method.as_str().to_owned(),
        });
    }
    let cutoff = training_cutoff(signature, data, choice)?;
    signature.cutoff = Some(cutoff);
    signature.seal();
    Ok(())
}

/// The cutoff of `signature` chosen on the training cohort's scores.
/// Training patients it cannot score do not count.
pub(crate) fn training_cutoff(
    signature: &Signature,
    data: &StudyData,
    choice: CutoffChoice,
) -> Result<Cutoff, SignatureError> {
    let resolved = ResolvedSignature::new(signature, data)?;
    let scored: Vec<(f64, Option<bool>)> = data
        .patients
        .iter()
        .filter(|p| p.cohort == Some(Cohort::Training))
        .filter_map(|p| {
            resolved
                .evaluate(p)
                .ok()
                .map(|(score, _)| (score, p.endpoints.early_recurrence))
        })
        .collect();
    cutoff_from_scores(&scored, choice)
}

/// The cutoff from training scores paired with their early-recurrence
/// status (patients of unknown status count for the median, not for
/// Youden's J).
pub(crate) fn cutoff_from_scores(
    scored: &[(f64, Option<bool>)],
    choice: CutoffChoice,
) -> Result<Cutoff, SignatureError> {
    let not_enough = |reason: String| SignatureError::NotEnoughData {
        what: "choosing the cutoff on the training cohort".to_owned(),
        reason,
    };
    match choice {
        CutoffChoice::Fixed(value) => Ok(Cutoff {
            value,
            method: CutoffMethod::Fixed,
            chosen_on: "given".to_owned(),
        }),
        CutoffChoice::Median => {
            let mut scores: Vec<f64> = scored.iter().map(|(s, _)| *s).collect();
            if scores.is_empty() {
                return Err(not_enough("no training patient could be scored".to_owned()));
            }
            scores.sort_by(f64::total_cmp);
            let value = quantile_sorted(&scores, 0.5)
                .map_err(SignatureError::stats("the median training score"))?;
            Ok(Cutoff {
                value,
                method: CutoffMethod::Median,
                chosen_on: format!("training cohort, {} patients", scores.len()),
            })
        }
        CutoffChoice::Youden => {
            let (scores, labels): (Vec<f64>, Vec<f64>) = scored
                .iter()
                .filter_map(|&(s, label)| label.map(|l| (s, if l { 1.0 } else { 0.0 })))
                .unzip();
            if !(labels.contains(&1.0) && labels.contains(&0.0)) {
                return Err(not_enough(
                    "the Youden cutoff needs training patients with and without early recurrence"
                        .to_owned(),
                ));
            }
            let youden = youden_cutoff(&scores, &labels).map_err(SignatureError::stats(
                "the Youden cutoff on the training cohort",
            ))?;
            Ok(Cutoff {
                value: youden.proc_threshold,
                method: CutoffMethod::Youden,
                chosen_on: format!(
                    "training cohort, {} patients with known early-recurrence status",
                    scores.len()
                ),
            })
        }
    }
}
