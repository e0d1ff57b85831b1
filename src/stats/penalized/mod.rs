//! Penalised regression: LASSO and elastic-net paths for logistic and Cox
//! (Breslow) models, with k-fold cross-validation of λ, as R's glmnet.
//!
//! # Convention
//!
//! For `n` observations and `p` terms the fit at each λ minimises glmnet's
//! objective
//!
//! ```text
//! (1/n)·loss(β) + λ·Σ_j pf_j·(α·|β_j| + (1−α)/2·β_j²)
//! ```
//!
//! where `loss` is minus the log-likelihood (binomial, with an unpenalised
//! intercept) or minus the Breslow log partial likelihood (Cox), `α` mixes
//! the LASSO (1) and ridge (0) penalties, and the penalty factors `pf_j`
//! (default 1) are rescaled to sum to `p` as glmnet does. With
//! `standardize` (the default) the objective is taken over predictors
//! centred and divided by their 1/n standard deviation, so the penalty acts
//! on standardised coefficients; coefficients are returned on the original
//! scale either way. A term that is constant is left out of the fit and
//! keeps the coefficient 0, as glmnet does.
//!
//! The λ path runs from λ_max, the smallest λ at which every penalised
//! coefficient is 0, down to `lambda_min_ratio`·λ_max on a log grid of
//! `nlambda` values (glmnet's defaults: 100 values, ratio 1e-4 when
//! `n ≥ p`, else 1e-2), or over a λ sequence the caller gives.
//!
//! # Method
//!
//! Proximal Newton iterations on the exact Hessian of the working set, each
//! solved by cyclic coordinate descent with active-set cycling, with a
//! backtracking line search on the objective (Friedman, Hastie & Tibshirani
//! 2010, *J Stat Softw* 33(1); Simon, Friedman, Hastie & Tibshirani 2011,
//! *J Stat Softw* 39(5) for the Cox model; Lee, Sun & Saunders 2014 for the
//! line search). Warm starts run along the path; the working set at each λ
//! is the previous active set plus the terms the sequential strong rule
//! (Tibshirani et al. 2012) keeps, and the KKT conditions are then checked
//! over every term, re-solving with any violator added. The exact Hessian
//! (glmnet's Cox code uses only its diagonal; ours is recomputed once η has
//! moved by 2 % since) makes the final iterations converge quadratically,
//! so the solution is accurate to far below glmnet's `thresh`: see
//! [`PenaltyOptions::tolerance`]. Cox rows are sorted by time once per
//! fit, and every risk-set sum comes from one backward pass.
//!
//! Cross-validation ([`cv_logistic`], [`cv_cox`]) follows `cv.glmnet`:
//! folds are fitted on the full data's λ sequence, in parallel, and the
//! deviance is averaged over folds with glmnet's weights.

mod columns;
mod cox;
mod cv;
mod kernels;
mod logistic;
mod options;
mod path;
mod solver;
#[cfg(test)]
mod tests;

use serde::Serialize;

pub use cox::fit_cox_path;
pub use cv::{
    CrossValidatedPath, CrossValidation, CvMeasure, CvOptions, Folds, cv_cox, cv_logistic,
    seeded_foldid,
};
pub use logistic::{fit_logistic_path, lambda_from_sklearn_c};
pub use options::PenaltyOptions;

use super::{Design, StatsError};

/// Adds where a penalised fit failed: a non-convergence's method gets
/// `joiner` and `place` appended, what lacked events or observations gets
/// `(place)`; other errors pass unchanged.
pub(crate) fn located(error: StatsError, place: &str, joiner: &str) -> StatsError {
    match error {
        StatsError::NotConverged {
            method,
            iterations,
            change,
        } => StatsError::NotConverged {
            method: format!("{method}{joiner}{place}"),
            iterations,
            change,
        },
        StatsError::NoEvents { what } => StatsError::NoEvents {
            what: format!("{what} ({place})"),
        },
        StatsError::TooFewObservations {
            what,
            found,
            needed,
        } => StatsError::TooFewObservations {
            what: format!("{what} ({place})"),
            found,
            needed,
        },
        other => other,
    }
}

/// The model family of a penalised fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Logistic regression of a 0/1 outcome, with an unpenalised intercept.
    Binomial,
    /// Cox proportional hazards, Breslow's handling of tied event times.
    Cox,
}

/// The name logistic fits give their intercept, as R does.
pub const INTERCEPT: &str = "(Intercept)";

/// A fitted regularisation path: one coefficient vector per λ.
#[derive(Debug, Clone, Serialize)]
pub struct PenalizedPath {
    /// The model family.
    pub family: Family,
    /// The elastic-net mixing parameter α.
    pub alpha: f64,
    /// Whether predictors were standardised for the fit.
    pub standardize: bool,
    /// The penalty factors used, after glmnet's rescaling to sum to the
    /// number of terms (one per design term).
    pub penalty_factor: Vec<f64>,
    /// The names of the coefficients: [`INTERCEPT`] first for a logistic
    /// fit, then the design's terms.
    pub terms: Vec<String>,
    /// The smallest λ at which every penalised coefficient is 0.
    pub lambda_max: f64,
    /// The λ values, decreasing.
    pub lambda: Vec<f64>,
    /// The coefficients at each λ on the original scale of the design,
    /// in the order of `terms`.
    pub coefficients: Vec<Vec<f64>>,
    /// Number of non-zero coefficients at each λ, intercept excluded
    /// (glmnet's `df`).
    pub nonzero: Vec<usize>,
    /// The minimised objective at each λ (see the module documentation),
    /// on the scale the fit used (standardised when `standardize`).
    pub objective: Vec<f64>,
    /// The deviance at each λ, as glmnet: −2·log-likelihood for logistic;
    /// 2·(saturated − model) log partial likelihood for Cox, where the
    /// saturated term −Σ d·log d over tied event counts is 0 without ties.
    pub deviance: Vec<f64>,
    /// The deviance of the null model: intercept only (logistic), β = 0
    /// (Cox).
    pub null_deviance: f64,
    /// Fraction of the null deviance explained, 1 − deviance/null deviance
    /// (glmnet's `dev.ratio`).
    pub dev_ratio: Vec<f64>,
    /// Proximal-Newton iterations spent at each λ.
    pub iterations: Vec<usize>,
    /// Number of observations fitted.
    pub observations: usize,
}

impl PenalizedPath {
    /// The linear predictor (log-odds, or log relative hazard) of the fit
    /// at λ number `index` for the rows of `design`, whose terms must be
    /// the fitted ones in the same order. For Cox fits it is not centred:
    /// Σ_j β_j·x_j.
    pub fn linear_predictor(&self, design: &Design, index: usize) -> Result<Vec<f64>, StatsError> {
        let coefficients =
            self.coefficients
                .get(index)
                .ok_or_else(|| StatsError::InvalidParameter {
                    name: "index".to_owned(),
                    value: index.to_string(),
                    expected: format!("a λ index below {}", self.lambda.len()),
                })?;
        let (intercept, slopes) = match self.family {
            Family::Binomial => match coefficients.split_first() {
                Some((&intercept, slopes)) => (intercept, slopes),
                None => (0.0, coefficients.as_slice()),
            },
            Family::Cox => (0.0, coefficients.as_slice()),
        };
        let fitted_terms = self
            .terms
            .len()
            .checked_sub(slopes.len())
            .and_then(|first| self.terms.get(first..))
            .unwrap_or_default();
        if design.names() != fitted_terms {
            return Err(StatsError::InvalidParameter {
                name: "design".to_owned(),
                value: design.names().join(", "),
                expected: format!("the fitted terms {}", fitted_terms.join(", ")),
            });
        }
        let x = design.matrix();
        let mut eta = vec![intercept; design.rows()];
        for (column, &beta) in x.column_iter().zip(slopes) {
            if beta != 0.0 {
                for (value, &xi) in eta.iter_mut().zip(column.iter()) {
                    *value += beta * xi;
                }
            }
        }
        Ok(eta)
    }
}
