//! The statistics engine: survival, regression, discrimination and
//! Table-1 tests, matching R (survival, pROC, glmnet) and lifelines to many
//! digits, with each routine's convention stated where it is defined.
//!
//! Nothing here knows about the study database or the UI: every routine
//! takes plain vectors ([`SurvivalData`], a [`Design`] matrix, scores and
//! labels) and returns plain results, so the CLI's `radcohort stats`, the
//! study analyses and the TUI all call the same code.
//!
//! Distributions come from `statrs`; linear solves from `nalgebra`
//! (Cholesky, with an LU fallback only where a matrix need not be positive
//! definite). No matrix is inverted by hand.
//!
//! # Modules
//!
//! - [`design`]: the model matrix regressions take.
//! - [`error`]: the error type of every routine.
//! - [`frame`]: a table of numeric and text columns read from CSV.
//! - [`survival`]: checked right-censored survival data.
//! - [`penalized`]: LASSO and elastic-net paths for logistic and Cox models
//!   with cross-validated λ, as glmnet.

pub mod design;
pub mod error;
pub mod frame;
pub mod penalized;
pub mod survival;

pub use design::Design;
pub use error::StatsError;
pub use frame::{Column, Frame};
pub use penalized::{
    CrossValidatedPath, CvOptions, Folds, PenalizedPath, PenaltyOptions, cv_cox, cv_logistic,
    fit_cox_path, fit_logistic_path,
};
pub use survival::SurvivalData;
