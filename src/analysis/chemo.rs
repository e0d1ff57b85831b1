//! Chemotherapy benefit by risk group: inside each of the signature's risk
//! groups, DFS and OS with adjuvant chemotherapy against without
//! (Kaplan–Meier, log-rank, hazard ratio), and the Cox model with the
//! risk-group × chemotherapy interaction — its p-value and chemotherapy's
//! hazard ratio within each group as a linear combination of coefficients
//! (R: `coxph(Surv(t, e) ~ chemo * high_risk)`, then
//! β_chemo and β_chemo + β_chemo:high_risk with their Wald CIs).
//!
//! All patients are analysed together (the question is about treatment,
//! not about validating the signature; its cutoff was frozen on the
//! training cohort). A cell with fewer than [`MIN_CELL_PATIENTS`]
//! patients or [`MIN_CELL_EVENTS`] events gets a warning: its comparison
//! cannot support a conclusion.

use serde::Serialize;

use super::cohort::{AnalysisSet, DAYS_PER_MONTH, PatientRow};
use super::prognosis::{ENDPOINTS, Endpoint, SurvivalComparison, compare_groups, survival_of};
use crate::signature::RiskGroup;
use crate::stats::cox::LinearCombination;
use crate::stats::{CoxModel, CoxOptions, CoxTerm, Design, SurvivalData};

/// Fewest patients in a risk group × treatment cell before a warning.
pub const MIN_CELL_PATIENTS: usize = 10;
/// Fewest events in a cell before a warning.
pub const MIN_CELL_EVENTS: usize = 5;

/// The interaction model for one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InteractionModel {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// Patients and events.
    pub n: usize,
    /// Events.
    pub events: usize,
    /// The model's terms: chemotherapy, high risk, and their product.
    pub terms: Vec<CoxTerm>,
    /// The p-value of the interaction term.
    pub p_interaction: f64,
    /// Chemotherapy's HR in the low-risk group (β_chemo).
    pub chemo_in_low_risk: LinearCombination,
    /// Chemotherapy's HR in the high-risk group (β_chemo + β_interaction).
    pub chemo_in_high_risk: LinearCombination,
}

/// The chemotherapy-benefit results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChemoBenefit {
    /// Per risk group (`high`, `low`) and endpoint: chemotherapy vs none.
    pub by_risk_group: Vec<(String, SurvivalComparison)>,
    /// The interaction model per endpoint (absent when it cannot be
    /// fitted; see `notes`).
    pub interaction: Vec<InteractionModel>,
    /// Cells too small to support their comparison, and fits that failed.
    pub warnings: Vec<String>,
}

fn treated(row: &PatientRow) -> Option<&'static str> {
    row.adjuvant_chemo
        .map(|chemo| if chemo { "chemotherapy" } else { "none" })
}

fn interaction(rows: &[&PatientRow], endpoint: Endpoint) -> Result<InteractionModel, String> {
    let mut time = Vec::new();
    let mut event = Vec::new();
    let (mut chemo, mut high, mut product) = (Vec::new(), Vec::new(), Vec::new());
    for row in rows {
        let (Some(tte), Some(c), Some(group)) =
            (endpoint.of(row), row.adjuvant_chemo, row.risk_group())
        else {
            continue;
        };
        let (c, h) = (
            f64::from(u8::from(c)),
            f64::from(u8::from(group == RiskGroup::High)),
        );
        time.push(tte.days as f64 / DAYS_PER_MONTH);
        event.push(tte.event);
        chemo.push(c);
        high.push(h);
        product.push(c * h);
    }
    let survival = SurvivalData::new(time, event).map_err(|e| e.to_string())?;
    let design = Design::from_columns(vec![
        ("chemo".to_owned(), chemo),
        ("high_risk".to_owned(), high),
        ("chemo:high_risk".to_owned(), product),
    ])
    .map_err(|e| e.to_string())?;
    let model =
        CoxModel::fit(&survival, &design, &CoxOptions::default()).map_err(|e| e.to_string())?;
    let low = model
        .linear_combination(&[("chemo", 1.0)])
        .map_err(|e| e.to_string())?;
    let high = model
        .linear_combination(&[("chemo", 1.0), ("chemo:high_risk", 1.0)])
        .map_err(|e| e.to_string())?;
    Ok(InteractionModel {
        endpoint,
        n: model.n,
        events: model.events,
        p_interaction: model.terms[2].p,
        terms: model.terms.clone(),
        chemo_in_low_risk: low,
        chemo_in_high_risk: high,
    })
}

/// Chemotherapy against none inside each risk group, and the interaction
/// model, on all patients.
pub fn chemo_benefit(set: &AnalysisSet) -> ChemoBenefit {
    let rows = set.cohort(None);
    let mut by_risk_group = Vec::new();
    let mut warnings = Vec::new();
    for group in [RiskGroup::High, RiskGroup::Low] {
        let members: Vec<&PatientRow> = rows
            .iter()
            .copied()
            .filter(|row| row.risk_group() == Some(group))
            .collect();
        for endpoint in ENDPOINTS {
            let (_, survival, labels) = survival_of(&members, endpoint, treated);
            let comparison = compare_groups(
                "all",
                endpoint,
                &survival,
                &labels,
                &["none", "chemotherapy"],
            );
            for cell in &comparison.groups {
                if cell.n < MIN_CELL_PATIENTS || cell.events < MIN_CELL_EVENTS {
                    warnings.push(format!(
                        "{} risk, {}, {}: {} patients and {} events are too few to support the \
                         comparison",
                        group.as_str(),
                        cell.group,
                        endpoint.label(),
                        cell.n,
                        cell.events
                    ));
                }
            }
            warnings.extend(
                comparison
                    .notes
                    .iter()
                    .map(|note| format!("{} risk, {}: {note}", group.as_str(), endpoint.label())),
            );
            by_risk_group.push((group.as_str().to_owned(), comparison));
        }
    }
    let mut models = Vec::new();
    for endpoint in ENDPOINTS {
        match interaction(&rows, endpoint) {
            Ok(model) => models.push(model),
            Err(error) => warnings.push(format!(
                "{} interaction model not fitted: {error}",
                endpoint.label()
            )),
        }
    }
    ChemoBenefit {
        by_risk_group,
        interaction: models,
        warnings,
    }
}
