//! Discrimination of early recurrence: AUC with DeLong CI per model and
//! cohort, paired DeLong tests between models, the confusion table at the
//! frozen cutoff, calibration and decision curves.

use serde::Serialize;

use super::cohort::{AnalysisSet, PatientRow, Role, cohort_label};
use crate::stats::{
    Auc, Calibration, Classification, DelongTest, HosmerLemeshow, IntervalMethod, RocPoint,
    auc_delong, calibration, classify, delong_paired_test, hosmer_lemeshow, roc_curve,
};
use crate::study::model::Cohort;

/// Thresholds of the decision curve: 1% to 99% by 1%.
pub const DECISION_THRESHOLDS: std::ops::RangeInclusive<u32> = 1..=99;

/// One point of a decision curve (Vickers & Elkin 2006): the net benefit
/// of treating patients whose predicted risk is at least `threshold`,
/// TP/n − FP/n · pt/(1 − pt), beside treating everyone and no one (0).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetBenefit {
    /// The threshold probability pt.
    pub threshold: f64,
    /// Net benefit of the model.
    pub model: f64,
    /// Net benefit of treating everyone.
    pub treat_all: f64,
}

/// A model's discrimination in one cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelDiscrimination {
    /// The model's role.
    pub role: Role,
    /// The model's name.
    pub model: String,
    /// `training`, `validation` or `all`.
    pub cohort: String,
    /// Patients with a score and a known early-recurrence status.
    pub n: usize,
    /// Of them, with early recurrence.
    pub events: usize,
    /// AUC with DeLong's SE and 95% CI; `None` (see `notes`) without both
    /// outcomes.
    pub auc: Option<Auc>,
    /// The ROC curve, for figures.
    pub roc: Vec<RocPoint>,
    /// Sensitivity, specificity, PPV, NPV and accuracy at the model's
    /// frozen cutoff (Wilson 95% CIs).
    pub at_cutoff: Option<Classification>,
    /// Calibration intercept and slope (models with probabilities).
    pub calibration: Option<Calibration>,
    /// Hosmer–Lemeshow test in deciles of risk.
    pub hosmer_lemeshow: Option<HosmerLemeshow>,
    /// Decision curve (models with probabilities).
    pub decision_curve: Vec<NetBenefit>,
    /// What could not be computed, and why.
    pub notes: Vec<String>,
}

/// A paired DeLong comparison of two models on the same patients.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelComparison {
    /// The cohort.
    pub cohort: String,
    /// The first model's role.
    pub first: Role,
    /// The second model's role.
    pub second: Role,
    /// Patients scored by both with a known outcome.
    pub n: usize,
    /// The test; `None` (see `note`) when it cannot be made.
    pub test: Option<DelongTest>,
    /// Why the test is missing.
    pub note: Option<String>,
}

/// The discrimination results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discrimination {
    /// Per model and cohort.
    pub models: Vec<ModelDiscrimination>,
    /// Paired tests per cohort.
    pub comparisons: Vec<ModelComparison>,
}

fn labelled(rows: &[&PatientRow], model: usize) -> Vec<(f64, Option<f64>, f64)> {
    rows.iter()
        .filter_map(|row| {
            let scored = row.scores[model]?;
            let label = row.early_recurrence?;
            Some((
                scored.score,
                scored.probability,
                if label { 1.0 } else { 0.0 },
            ))
        })
        .collect()
}

/// Net benefit at each threshold of [`DECISION_THRESHOLDS`].
pub fn decision_curve(probability: &[f64], labels: &[f64]) -> Vec<NetBenefit> {
    let n = labels.len() as f64;
    let prevalence = labels.iter().sum::<f64>() / n;
    DECISION_THRESHOLDS
        .map(|percent| {
            let pt = f64::from(percent) / 100.0;
            let odds = pt / (1.0 - pt);
            let (mut tp, mut fp) = (0.0, 0.0);
            for (&p, &y) in probability.iter().zip(labels) {
                if p >= pt {
                    if y == 1.0 {
                        tp += 1.0;
                    } else {
                        fp += 1.0;
                    }
                }
            }
            NetBenefit {
                threshold: pt,
                model: tp / n - fp / n * odds,
                treat_all: prevalence - (1.0 - prevalence) * odds,
            }
        })
        .collect()
}

fn model_in(set: &AnalysisSet, model: usize, cohort: Option<Cohort>) -> ModelDiscrimination {
    let scored = &set.models[model];
    let data = labelled(&set.cohort(cohort), model);
    let scores: Vec<f64> = data.iter().map(|d| d.0).collect();
    let labels: Vec<f64> = data.iter().map(|d| d.2).collect();
    let events = labels.iter().filter(|&&y| y == 1.0).count();
    let mut notes = Vec::new();
    let mut note = |what: &str, error: &dyn std::fmt::Display| {
        notes.push(format!("{what} not computed: {error}"));
    };
    let auc = auc_delong(&scores, &labels, 0.95)
        .map_err(|e| note("AUC", &e))
        .ok();
    let roc = roc_curve(&scores, &labels).unwrap_or_default();
    let at_cutoff = scored.signature.cutoff.as_ref().and_then(|cutoff| {
        classify(&scores, &labels, cutoff.value, 0.95, IntervalMethod::Wilson)
            .map_err(|e| note("the classification at the cutoff", &e))
            .ok()
    });
    let probabilities: Option<Vec<f64>> = data.iter().map(|d| d.1).collect();
    let (calibration, hosmer_lemeshow, decision_curve) = match &probabilities {
        Some(p) if !p.is_empty() => (
            calibration(p, &labels, 0.95)
                .map_err(|e| note("calibration", &e))
                .ok(),
            hosmer_lemeshow(p, &labels, 10)
                .map_err(|e| note("the Hosmer–Lemeshow test", &e))
                .ok(),
            if events > 0 {
                decision_curve(p, &labels)
            } else {
                Vec::new()
            },
        ),
        _ => (None, None, Vec::new()),
    };
    ModelDiscrimination {
        role: scored.role,
        model: scored.signature.name.clone(),
        cohort: cohort_label(cohort).to_owned(),
        n: labels.len(),
        events,
        auc,
        roc,
        at_cutoff,
        calibration,
        hosmer_lemeshow,
        decision_curve,
        notes,
    }
}

fn compare(
    set: &AnalysisSet,
    first: usize,
    second: usize,
    cohort: Option<Cohort>,
) -> ModelComparison {
    let rows = set.cohort(cohort);
    let paired: Vec<(f64, f64, f64)> = rows
        .iter()
        .filter_map(|row| {
            let a = row.scores[first]?.score;
            let b = row.scores[second]?.score;
            let y = row.early_recurrence?;
            Some((a, b, if y { 1.0 } else { 0.0 }))
        })
        .collect();
    let a: Vec<f64> = paired.iter().map(|p| p.0).collect();
    let b: Vec<f64> = paired.iter().map(|p| p.1).collect();
    let y: Vec<f64> = paired.iter().map(|p| p.2).collect();
    let result = delong_paired_test(&a, &b, &y, 0.95);
    ModelComparison {
        cohort: cohort_label(cohort).to_owned(),
        first: set.models[first].role,
        second: set.models[second].role,
        n: paired.len(),
        note: result.as_ref().err().map(|e| e.to_string()),
        test: result.ok(),
    }
}

/// Every model in the training and validation cohorts, and the paired
/// DeLong test of every pair of models within each cohort (combined vs
/// signature, combined vs CPR, signature vs CPR).
pub fn discrimination(set: &AnalysisSet) -> Discrimination {
    let cohorts = [Some(Cohort::Training), Some(Cohort::Validation)];
    let mut models = Vec::new();
    let mut comparisons = Vec::new();
    for cohort in cohorts {
        for model in 0..set.models.len() {
            models.push(model_in(set, model, cohort));
        }
        for second in 0..set.models.len() {
            for first in second + 1..set.models.len() {
                comparisons.push(compare(set, first, second, cohort));
            }
        }
    }
    Discrimination {
        models,
        comparisons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_curve_matches_hand_computation() {
        // Four patients, two events; at pt = 0.5 the model treats the two
        // with p ≥ 0.5: one event, one not → NB = 1/4 − 1/4 · 1 = 0.
        let p = [0.9, 0.6, 0.4, 0.1];
        let y = [1.0, 0.0, 1.0, 0.0];
        let curve = decision_curve(&p, &y);
        let half = &curve[49];
        assert!((half.threshold - 0.5).abs() < 1e-12);
        assert!(half.model.abs() < 1e-12);
        assert!((half.treat_all - 0.0).abs() < 1e-12);
        // At pt = 0.2: treat p ≥ 0.2 → 2 TP, 1 FP: 2/4 − 1/4 · 0.25.
        let fifth = &curve[19];
        assert!((fifth.model - (0.5 - 0.0625)).abs() < 1e-12);
        assert!((fifth.treat_all - (0.5 - 0.5 * 0.25)).abs() < 1e-12);
    }
}
