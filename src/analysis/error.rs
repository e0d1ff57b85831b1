//! The error type of the study analyses.

use crate::signature::SignatureError;

/// What stops an analysis as a whole. A single comparison that cannot be
/// made (too few patients in a cell, a degenerate fit) does not: it is
/// reported in the results as not computed, with the reason.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// No radiomic signature was given first.
    #[error(
        "the analyses need the radiomic signature (its risk groups drive the survival analyses)"
    )]
    NoSignature,
    /// The radiomic signature has no cutoff, so there are no risk groups.
    #[error(
        "signature {name} has no cutoff, so it makes no risk groups: choose one with \
         `radcohort score --choose-cutoff youden|median|VALUE`"
    )]
    NoCutoff {
        /// The signature's name.
        name: String,
    },
    /// Scoring failed for everyone (an input missing from the study).
    #[error(transparent)]
    Signature(#[from] SignatureError),
}
