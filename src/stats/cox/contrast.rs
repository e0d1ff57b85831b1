//! A linear combination of Cox coefficients, wᵀβ, with its Wald inference:
//! the hazard ratio of treatment within a subgroup of an interaction model
//! (weights {"treat": 1, "treat:high_risk": 1} give the HR of treatment
//! when high_risk = 1). SE = sqrt(wᵀ V w) with V the model's
//! variance–covariance matrix, as R's `contrast`/`multcomp` and by hand
//! from `vcov(fit)`.

use serde::Serialize;

use super::CoxModel;
use super::hypothesis::{normal_quantile, two_sided_normal_p};
use crate::stats::StatsError;

/// wᵀβ with its standard error, hazard ratio, confidence interval at the
/// model's level, Wald z and two-sided p.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinearCombination {
    /// The weights, as given: (term, weight).
    pub weights: Vec<(String, f64)>,
    /// wᵀβ, a log hazard ratio.
    pub log_hr: f64,
    /// sqrt(wᵀ V w).
    pub se: f64,
    /// exp(wᵀβ).
    pub hr: f64,
    /// exp(wᵀβ − z·se).
    pub ci_lower: f64,
    /// exp(wᵀβ + z·se).
    pub ci_upper: f64,
    /// wᵀβ / se.
    pub z: f64,
    /// Two-sided p-value of z.
    pub p: f64,
}

impl CoxModel {
    /// The linear combination Σ weightᵢ·β(termᵢ) with its Wald inference.
    /// Terms not named have weight 0. Errors on an unknown or repeated
    /// term, a non-finite weight, or all weights zero.
    pub fn linear_combination(
        &self,
        weights: &[(&str, f64)],
    ) -> Result<LinearCombination, StatsError> {
        let p = self.terms.len();
        let mut w = vec![0.0; p];
        let mut given = vec![false; p];
        for &(term, weight) in weights {
            let Some(index) = self.terms.iter().position(|t| t.term == term) else {
                return Err(StatsError::UnknownColumn {
                    name: term.to_owned(),
                    available: self.term_names().join(", "),
                });
            };
            if given[index] {
                return Err(StatsError::invalid_parameter(
                    "weights",
                    format!("\"{term}\" twice"),
                    "each term at most once",
                ));
            }
            if !weight.is_finite() {
                return Err(StatsError::invalid_parameter(
                    format!("weight of \"{term}\""),
                    weight,
                    "a finite number",
                ));
            }
            given[index] = true;
            w[index] = weight;
        }
        if w.iter().all(|&v| v == 0.0) {
            return Err(StatsError::invalid_parameter(
                "weights",
                "all zero",
                "at least one non-zero weight",
            ));
        }
        let beta = &self.fitted.beta;
        let vcov = &self.fitted.vcov;
        let log_hr: f64 = w.iter().zip(beta).map(|(a, b)| a * b).sum();
        let variance: f64 = (0..p)
            .map(|i| (0..p).map(|j| w[i] * vcov[i * p + j] * w[j]).sum::<f64>())
            .sum();
        let se = variance.max(0.0).sqrt();
        let z_crit = normal_quantile(0.5 + self.conf_level / 2.0);
        let z = log_hr / se;
        Ok(LinearCombination {
            weights: weights.iter().map(|&(t, v)| (t.to_owned(), v)).collect(),
            log_hr,
            se,
            hr: log_hr.exp(),
            ci_lower: (log_hr - z_crit * se).exp(),
            ci_upper: (log_hr + z_crit * se).exp(),
            z,
            p: two_sided_normal_p(z),
        })
    }
}
