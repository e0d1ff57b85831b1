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
//! Modules:
//! - [`concordance`]: Harrell's C of a risk score, R's tie rules, O(n log n).
//! - [`cox`]: Cox proportional-hazards regression as R `coxph` (Efron or
//!   Breslow ties, strata), its tests, contrasts and `cox.zph`.
//! - [`design`]: the model matrix regression routines take.
//! - [`error`]: the error type.
//! - [`formula`]: R formulas (`a + b*c`) evaluated against a [`Frame`] into
//!   a [`Design`], as R's `model.matrix`.
//! - [`frame`]: a table of numeric and text columns read from CSV.
//! - [`survival`]: checked right-censored survival data.

pub mod concordance;
pub mod cox;
pub mod design;
pub mod error;
pub mod formula;
pub mod frame;
pub mod survival;

pub use concordance::{
    Concordance, concordance_index, concordance_index_stratified, concordance_index_with_entry,
};
pub use cox::{CoxModel, CoxOptions, CoxTerm, Ties};
pub use design::Design;
pub use error::StatsError;
pub use formula::{Formula, ModelMatrix, TermColumns};
pub use frame::{Column, Frame};
pub use survival::SurvivalData;
