//! Signatures: models over a few radiomic features or clinical variables
//! that score each patient, with the frozen cutoff that makes risk groups.
//!
//! - [`document`]: the versioned JSON document, its content id and checks;
//! - [`data`]: the study as signatures read it (cohorts, endpoints,
//!   dictionary values, extracted features);
//! - [`filters`]: near-zero-variance, correlation and ICC filters;
//! - [`forest`]: a seeded random-forest classifier;
//! - [`train`](mod@train): LASSO logistic and Cox, random-forest, CPR and combined
//!   models, trained on the training cohort only;
//! - [`score`]: scoring patients and freezing a cutoff;
//! - [`store`]: signatures and scores in the study database.

pub mod data;
pub mod document;
mod error;
pub mod filters;
pub mod forest;
pub mod score;
pub mod store;
pub mod train;

pub use data::{PatientData, StudyData};
pub use document::{Cutoff, CutoffMethod, Input, InputSource, ModelKind, Provenance, Signature};
pub use error::SignatureError;
pub use score::{
    CutoffChoice, PatientScore, RiskGroup, ScoreFailure, Scores, freeze_cutoff, score_patients,
};
pub use store::{
    PatientSignatureScore, StoredScore, StoredSignature, list_signatures, load_scores,
    patient_scores, store_scores,
};
pub use train::{LambdaRule, ModelChoice, Outcome, TrainOptions, TrainingReport, train};

#[cfg(test)]
mod tests;
