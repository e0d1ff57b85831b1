//! Cox proportional-hazards regression, as R's `survival::coxph`.
//!
//! The partial likelihood with Efron (default, as R `coxph` and lifelines)
//! or Breslow (as SAS, Stata, statsmodels' default and glmnet) handling of
//! tied event times, optional strata with a separate baseline hazard each
//! (R's `strata()`) and optional delayed entry (R's `Surv(entry, time,
//! event)`), fitted by Newton–Raphson from β = 0 with step halving.
//! Covariates are centred and scaled internally (as `coxph` centres them);
//! every result is reported on the original scale.
//!
//! - [`prepare`]: the data checked, sorted and standardised once.
//! - [`fit`]: the Newton–Raphson fit and its checks for aliased terms and
//!   diverging coefficients.
//! - [`likelihood`]: log-likelihood, score and information from one walk
//!   over the risk sets and one weighted Gram matrix.
//! - [`hypothesis`]: likelihood-ratio, Wald and score tests.
//! - [`contrast`]: a linear combination of coefficients (a subgroup's HR).
//! - [`zph`]: the proportional-hazards test of R's `cox.zph`.
//! - [`baseline`]: the baseline cumulative hazard.

pub mod baseline;
pub mod contrast;
pub mod fit;
pub mod hypothesis;
pub mod likelihood;
pub mod prepare;
pub mod zph;

use serde::Serialize;

pub use baseline::BaselineHazard;
pub use contrast::LinearCombination;
pub use hypothesis::{ChiSquareTest, likelihood_ratio_test};
pub use zph::{ZphResult, ZphRow, ZphTransform};

use prepare::Prepared;

/// How tied event times enter the partial likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ties {
    /// Efron's approximation: R `coxph`'s and lifelines' default.
    #[default]
    Efron,
    /// Breslow's approximation: SAS, Stata, SPSS and glmnet.
    Breslow,
}

/// Settings of a Cox fit. `CoxOptions::default()` is R's `coxph` with
/// Efron ties, 95% intervals and no strata.
#[derive(Debug, Clone, PartialEq)]
pub struct CoxOptions {
    /// Handling of tied event times.
    pub ties: Ties,
    /// Confidence level of the hazard-ratio intervals, in (0, 1).
    pub conf_level: f64,
    /// One stratum label per subject (R's `strata()`): each stratum has its
    /// own baseline hazard. `None`: a single stratum.
    pub strata: Option<Vec<String>>,
    /// Delayed entry (left truncation), one time per subject: the subject
    /// is at risk on (entry, time], as R's `Surv(entry, time, event)`.
    /// `None`: at risk from time 0.
    pub entry: Option<Vec<f64>>,
    /// Newton–Raphson iterations allowed before [`StatsError::NotConverged`]
    /// (or [`StatsError::Separation`] when a coefficient is diverging).
    ///
    /// [`StatsError::NotConverged`]: crate::stats::StatsError::NotConverged
    /// [`StatsError::Separation`]: crate::stats::StatsError::Separation
    pub max_iterations: usize,
    /// Convergence: the fit stops when the log partial likelihood changes by
    /// at most this much relative to its size (R `coxph`'s `eps`, 1e-9).
    pub tolerance: f64,
}

impl Default for CoxOptions {
    fn default() -> Self {
        CoxOptions {
            ties: Ties::Efron,
            conf_level: 0.95,
            strata: None,
            entry: None,
            max_iterations: 50,
            tolerance: 1e-9,
        }
    }
}

/// One coefficient of a fitted Cox model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoxTerm {
    /// The design column's name (R's coefficient name, e.g. `gradeII`).
    pub term: String,
    /// The log hazard ratio per unit of the covariate.
    pub coef: f64,
    /// Its standard error, from the inverse observed information.
    pub se: f64,
    /// The hazard ratio, exp(coef).
    pub hr: f64,
    /// Lower limit of the hazard ratio's Wald interval, exp(coef − z·se).
    pub ci_lower: f64,
    /// Upper limit, exp(coef + z·se).
    pub ci_upper: f64,
    /// The Wald statistic coef / se.
    pub z: f64,
    /// Its two-sided p-value.
    pub p: f64,
}

/// A fitted Cox proportional-hazards model (R `coxph`): coefficients with
/// their inference, the variance–covariance matrix, the three global tests
/// and Harrell's C of the linear predictor. Serialises to the JSON the CLI
/// prints.
#[derive(Debug, Clone, Serialize)]
pub struct CoxModel {
    /// Subjects used.
    pub n: usize,
    /// Events among them.
    pub events: usize,
    /// The tie handling used.
    pub ties: Ties,
    /// Number of strata (1 without strata).
    pub strata: usize,
    /// Log partial likelihood at the estimate.
    pub loglik: f64,
    /// Log partial likelihood at β = 0.
    pub loglik_null: f64,
    /// Newton–Raphson iterations used.
    pub iterations: usize,
    /// The confidence level of the intervals.
    pub conf_level: f64,
    /// One entry per design column, in the design's order.
    pub terms: Vec<CoxTerm>,
    /// Variance–covariance matrix of the coefficients (inverse observed
    /// information), rows and columns in the order of `terms`.
    pub vcov: Vec<Vec<f64>>,
    /// Likelihood-ratio test of all coefficients = 0.
    pub lr_test: ChiSquareTest,
    /// Wald test of all coefficients = 0 (β' V⁻¹ β).
    pub wald_test: ChiSquareTest,
    /// Score (log-rank) test of all coefficients = 0, at β = 0.
    pub score_test: ChiSquareTest,
    /// Harrell's C of the linear predictor (within strata), R's tie rules.
    pub concordance: f64,
    #[serde(skip)]
    fitted: Fitted,
}

/// What the post-fit routines (residual tests, baseline hazard) need: the
/// prepared data and the estimate on the internal (standardised) scale.
#[derive(Debug, Clone)]
struct Fitted {
    prepared: Prepared,
    /// Coefficients on the standardised scale.
    beta_std: Vec<f64>,
    /// Coefficients on the original scale.
    beta: Vec<f64>,
    /// Variance–covariance matrix on the original scale, row-major p × p.
    vcov: Vec<f64>,
}

impl CoxModel {
    /// The coefficients, in the design's column order.
    pub fn coefficients(&self) -> &[f64] {
        &self.fitted.beta
    }

    /// The term names, in the design's column order.
    pub fn term_names(&self) -> Vec<&str> {
        self.terms.iter().map(|t| t.term.as_str()).collect()
    }

    /// The linear predictor x·β of each subject of the fit, in the input
    /// order, *not* centred (R's `predict(type = "lp")` subtracts the
    /// covariate means; lifelines' `predict_log_partial_hazard` does too).
    pub fn linear_predictor(&self) -> Vec<f64> {
        self.fitted
            .prepared
            .linear_predictor_original(&self.fitted.beta)
    }
}

#[cfg(test)]
mod tests;
