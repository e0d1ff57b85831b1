//! radcohort: radiomics-signature cohort studies, from the study database to
//! publication tables.
//!
//! The library does all the work; the `radcohort` binary's command line and
//! terminal UI are thin layers over it, and nothing here depends on them.
//! Data flows one way:
//!
//! files → [`study`] database → extraction → features → signature → scores →
//! analyses → tables and figures.
//!
//! - [`study`]: the SQLite study database, its schema migrations, the data
//!   model, CSV import and export with validation, derived endpoints (DFS,
//!   OS, early recurrence, adjuvant chemotherapy), data-quality checks and
//!   the audit trail.
//! - [`imaging`]: NIfTI volumes, image geometry, resampling and filters.
//! - [`radiomics`]: feature extraction reproducing PyRadiomics.
//! - [`extraction`]: cohort extraction runs stored in the study database.
//! - [`stats`]: survival, regression, discrimination and Table-1 tests,
//!   matching R and lifelines.
//! - [`signature`]: signatures (LASSO, random-forest, clinical and combined
//!   models) trained on the training cohort, their frozen cutoffs and
//!   scores.
//! - [`analysis`]: the study analyses — discrimination, prognosis by risk
//!   group, chemotherapy benefit, Table 1.
//! - [`report`]: the results as JSON, tables (CSV, Markdown, LaTeX) and SVG
//!   figures with a `report.md`.
//! - [`sample_study`]: the deterministic synthetic study modelled on the
//!   intrahepatic cholangiocarcinoma cohort of Yang et al. (Insights Imaging
//!   2022).

#![warn(missing_docs)]

pub mod analysis;
pub mod extraction;
pub mod imaging;
pub mod radiomics;
pub mod report;
pub mod sample_study;
pub mod signature;
pub mod stats;
pub mod study;

/// An error and every cause beneath it on one line, joined by `: ` — the
/// form radcohort shows errors in. Error types here keep their causes out
/// of their own messages and expose them as `source()`, so nothing repeats.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
