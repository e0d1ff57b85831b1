//! The study analyses a radiomic-signature paper reports, computed from
//! the study data and its signatures with the statistics engine:
//!
//! 1. [`discrimination`]: early recurrence — AUC with DeLong CIs for the
//!    signature, the CPR model and the combined model in the training and
//!    validation cohorts, paired DeLong tests, the confusion table at the
//!    frozen cutoff, calibration and decision curves;
//! 2. [`prognosis`]: DFS and OS by risk group (Kaplan–Meier, log-rank,
//!    medians, 1/2/3-year survival), univariable and multivariable Cox
//!    models, C-indices;
//! 3. [`chemo`]: adjuvant chemotherapy against none inside each risk
//!    group and the risk-group × chemotherapy interaction;
//! 4. [`baseline`]: Table 1 by cohort and by risk group.
//!
//! [`analyze`] runs them all into one [`StudyResults`], which
//! [`crate::report`] writes out as JSON, tables and figures.

pub mod baseline;
pub mod chemo;
pub mod cohort;
pub mod discrimination;
mod error;
pub mod prognosis;

use serde::Serialize;

pub use cohort::{AnalysisSet, Role};
pub use error::AnalysisError;

use crate::signature::{Signature, StudyData};

/// A model in the results, with what scoring it found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSummary {
    /// Its role.
    pub role: Role,
    /// Its name.
    pub name: String,
    /// Its id.
    pub id: String,
    /// Its kind.
    pub model: String,
    /// Its cutoff.
    pub cutoff: Option<f64>,
    /// Patients scored.
    pub scored: usize,
    /// Patients not scored, with the reason.
    pub not_scored: Vec<(String, String)>,
}

/// Everything the analyses found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyResults {
    /// The study's name.
    pub study: String,
    /// The tool and version.
    pub tool: String,
    /// Patients per cohort: training, validation, unassigned.
    pub patients: [usize; 3],
    /// The early-recurrence window, days.
    pub early_recurrence_days: i64,
    /// The models.
    pub models: Vec<ModelSummary>,
    /// Discrimination of early recurrence.
    pub discrimination: discrimination::Discrimination,
    /// Prognosis by risk group.
    pub prognosis: prognosis::Prognosis,
    /// Chemotherapy benefit by risk group.
    pub chemo_benefit: chemo::ChemoBenefit,
    /// Table 1.
    pub baseline: baseline::Baseline,
}

/// Runs every analysis. `signature` is the radiomic signature (its frozen
/// cutoff makes the risk groups); `cpr` and `combined` are optional.
pub fn analyze(
    data: &StudyData,
    study_name: &str,
    signature: Signature,
    cpr: Option<Signature>,
    combined: Option<Signature>,
) -> Result<StudyResults, AnalysisError> {
    let mut models = vec![(Role::Signature, signature)];
    models.extend(cpr.map(|s| (Role::Cpr, s)));
    models.extend(combined.map(|s| (Role::Combined, s)));
    let set = AnalysisSet::new(data, models)?;
    let count = |cohort| data.patients.iter().filter(|p| p.cohort == cohort).count();
    use crate::study::model::Cohort;
    Ok(StudyResults {
        study: study_name.to_owned(),
        tool: format!("radcohort {}", env!("CARGO_PKG_VERSION")),
        patients: [
            count(Some(Cohort::Training)),
            count(Some(Cohort::Validation)),
            count(None),
        ],
        early_recurrence_days: data.windows.early_recurrence_days,
        models: set
            .models
            .iter()
            .map(|m| ModelSummary {
                role: m.role,
                name: m.signature.name.clone(),
                id: m.signature.id(),
                model: m.signature.model.as_str().to_owned(),
                cutoff: m.signature.cutoff.as_ref().map(|c| c.value),
                scored: m.scores.scores.len(),
                not_scored: m
                    .scores
                    .failures
                    .iter()
                    .map(|f| (f.study_id.clone(), f.reason.clone()))
                    .collect(),
            })
            .collect(),
        discrimination: discrimination::discrimination(&set),
        prognosis: prognosis::prognosis(&set, data),
        chemo_benefit: chemo::chemo_benefit(&set),
        baseline: baseline::baseline(&set, data),
    })
}
