//! Prognosis: DFS and OS by the signature's risk group — Kaplan–Meier
//! curves, medians, survival at 1, 2 and 3 years, log-rank tests — and
//! univariable and multivariable Cox models with the risk group beside the
//! clinical variables, and Harrell's C of each model's score.
//!
//! Times are in months (days / 30.4375). Kaplan–Meier intervals use the
//! log-log transform, medians R's rule; Cox models Efron ties (R `coxph`).

use serde::Serialize;

use super::cohort::{AnalysisSet, DAYS_PER_MONTH, PatientRow, Role, cohort_label};
use crate::signature::data::ResolvedSignature;
use crate::signature::{InputSource, RiskGroup, Signature, StudyData};
use crate::stats::{
    CoxModel, CoxOptions, CoxTerm, Design, Grouping, KaplanMeier, KmOptions, LogRankTest,
    LogRankWeights, QuantileRule, QuantileSurvival, SurvivalAt, SurvivalData, concordance_index,
    logrank_test,
};
use crate::study::endpoints::TimeToEvent;
use crate::study::model::Cohort;

/// The survival endpoints analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Endpoint {
    /// Disease-free survival.
    Dfs,
    /// Overall survival.
    Os,
}

impl Endpoint {
    /// `DFS` or `OS`.
    pub fn label(self) -> &'static str {
        match self {
            Endpoint::Dfs => "DFS",
            Endpoint::Os => "OS",
        }
    }

    /// The endpoint of a patient.
    pub fn of(self, row: &PatientRow) -> Option<TimeToEvent> {
        match self {
            Endpoint::Dfs => row.dfs,
            Endpoint::Os => row.os,
        }
    }
}

/// Both endpoints, in table order.
pub const ENDPOINTS: [Endpoint; 2] = [Endpoint::Dfs, Endpoint::Os];

/// Months at which survival is reported (1, 2 and 3 years).
pub const LANDMARK_MONTHS: [f64; 3] = [12.0, 24.0, 36.0];

/// One group's curve and summaries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSurvival {
    /// The group (`high`, `low`, or `chemotherapy` / `none`).
    pub group: String,
    /// Patients.
    pub n: usize,
    /// Events.
    pub events: usize,
    /// Median survival (months) with its 95% CI, R's rule.
    pub median: QuantileSurvival,
    /// Survival at 12, 24 and 36 months.
    pub at_months: Vec<SurvivalAt>,
    /// The curve.
    pub curve: KaplanMeier,
}

/// Two or more groups compared on one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurvivalComparison {
    /// The cohort.
    pub cohort: String,
    /// The endpoint.
    pub endpoint: Endpoint,
    /// Each group, in level order.
    pub groups: Vec<GroupSurvival>,
    /// The log-rank test.
    pub logrank: Option<LogRankTest>,
    /// The hazard ratio of the second group against the first (univariable
    /// Cox, Efron).
    pub hazard_ratio: Option<CoxTerm>,
    /// What could not be computed, and why.
    pub notes: Vec<String>,
}

/// A Cox table: each term's univariable and multivariable estimates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoxTable {
    /// The cohort.
    pub cohort: String,
    /// The endpoint.
    pub endpoint: Endpoint,
    /// Each candidate alone: (term, estimate or why not).
    pub univariable: Vec<CoxTerm>,
    /// All together, on the patients complete for every term.
    pub multivariable: Vec<CoxTerm>,
    /// Patients and events of the multivariable model.
    pub multivariable_n: (usize, usize),
    /// Harrell's C of the multivariable model.
    pub multivariable_concordance: Option<f64>,
    /// What could not be computed, and why.
    pub notes: Vec<String>,
}

/// Harrell's C of a model's score for an endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreConcordance {
    /// The cohort.
    pub cohort: String,
    /// The endpoint.
    pub endpoint: Endpoint,
    /// The model.
    pub role: Role,
    /// Harrell's C (higher score, shorter survival).
    pub cindex: f64,
    /// Comparable pairs.
    pub comparable_pairs: u64,
}

/// The prognosis results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prognosis {
    /// DFS and OS by risk group, per cohort.
    pub by_risk_group: Vec<SurvivalComparison>,
    /// Cox tables per cohort and endpoint.
    pub cox: Vec<CoxTable>,
    /// C-index of each model's score.
    pub concordance: Vec<ScoreConcordance>,
}

/// Survival data in months of `rows` on `endpoint` with a label each;
/// rows without the endpoint or a label are left out.
pub(crate) fn survival_of<'a, T: Clone>(
    rows: &[&'a PatientRow],
    endpoint: Endpoint,
    label: impl Fn(&PatientRow) -> Option<T>,
) -> (Vec<&'a PatientRow>, SurvivalData, Vec<T>) {
    let mut kept = Vec::new();
    let mut time = Vec::new();
    let mut event = Vec::new();
    let mut labels = Vec::new();
    for row in rows {
        // The study's rules keep events on or after surgery; a negative
        // time could only come from a corrupt record and is left out rather
        // than spoiling every curve.
        if let (Some(tte), Some(l)) = (endpoint.of(row).filter(|t| t.days >= 0), label(row)) {
            kept.push(*row);
            time.push(tte.days as f64 / DAYS_PER_MONTH);
            event.push(tte.event);
            labels.push(l);
        }
    }
    let data = SurvivalData::new(time, event).unwrap_or_else(|_| {
        // Derived endpoints are never negative; an empty set is handled
        // by the callers' checks.
        SurvivalData::new(Vec::new(), Vec::new()).expect("an empty survival set is valid")
    });
    (kept, data, labels)
}

/// Compares the survival of `rows` on `endpoint`, grouped by `label`
/// (rows without the endpoint or a label are left out), with the groups
/// in the order of `levels`: each group's Kaplan–Meier curve (months,
/// Greenwood log intervals), median with R's CI rule and 1/2/3-year
/// survival; the log-rank test across every group present (k−1 degrees of
/// freedom, as R `survdiff`); and with exactly two levels the hazard ratio
/// of the second against the first (univariable Cox, Efron ties, as R
/// `coxph`). What cannot be computed is said in `notes`.
pub fn compare_survival(
    cohort: &str,
    endpoint: Endpoint,
    rows: &[&PatientRow],
    label: impl Fn(&PatientRow) -> Option<String>,
    levels: &[&str],
) -> SurvivalComparison {
    let (_, data, labels) = survival_of(rows, endpoint, label);
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    compare_groups(cohort, endpoint, &data, &labels, levels)
}

/// Compares groups (labels in the order given by `levels`) on one
/// endpoint: curves, medians, landmarks, log-rank, and with two levels the
/// HR of the second level against the first.
pub(crate) fn compare_groups(
    cohort: &str,
    endpoint: Endpoint,
    data: &SurvivalData,
    labels: &[&str],
    levels: &[&str],
) -> SurvivalComparison {
    let mut notes = Vec::new();
    let mut groups = Vec::new();
    for &level in levels {
        let members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == level).collect();
        if members.is_empty() {
            notes.push(format!("no patient in the {level} group"));
            continue;
        }
        let subset = data.subset(&members);
        match KaplanMeier::fit(&subset, KmOptions::default()) {
            Ok(curve) => groups.push(GroupSurvival {
                group: level.to_owned(),
                n: curve.n,
                events: curve.events,
                median: curve.median(QuantileRule::R),
                at_months: curve.at_times(&LANDMARK_MONTHS).unwrap_or_default(),
                curve,
            }),
            Err(error) => notes.push(format!("{level}: curve not computed: {error}")),
        }
    }
    // Patients whose label is not one of the levels take no part.
    let members: Vec<usize> = (0..labels.len())
        .filter(|&i| levels.contains(&labels[i]))
        .collect();
    let subset;
    let (data, labels): (&SurvivalData, Vec<&str>) = if members.len() == labels.len() {
        (data, labels.to_vec())
    } else {
        subset = data.subset(&members);
        (&subset, members.iter().map(|&i| labels[i]).collect())
    };
    let labels = labels.as_slice();
    let grouping = Grouping::from_labels(labels);
    let logrank = if groups.len() >= 2 {
        logrank_test(data, &grouping, None, LogRankWeights::LOGRANK)
            .map_err(|e| notes.push(format!("log-rank test not computed: {e}")))
            .ok()
    } else {
        None
    };
    let indicator: Vec<f64> = labels
        .iter()
        .map(|l| if *l == levels[1] { 1.0 } else { 0.0 })
        .collect();
    let hazard_ratio = if levels.len() == 2 && groups.len() == 2 {
        Design::from_columns(vec![(levels[1].to_owned(), indicator)])
            .and_then(|design| CoxModel::fit(data, &design, &CoxOptions::default()))
            .map(|fit| fit.terms[0].clone())
            .map_err(|e| notes.push(format!("hazard ratio not computed: {e}")))
            .ok()
    } else {
        None
    };
    SurvivalComparison {
        cohort: cohort.to_owned(),
        endpoint,
        groups,
        logrank,
        hazard_ratio,
        notes,
    }
}

/// The clinical covariates of the multivariable model: the CPR model's
/// inputs (variables, categorical ones as level indicators).
fn clinical_terms(cpr: Option<&Signature>) -> Vec<usize> {
    cpr.map(|s| {
        (0..s.inputs.len())
            .filter(|&j| matches!(s.inputs[j].source, InputSource::Variable { .. }))
            .collect()
    })
    .unwrap_or_default()
}

fn cox_table(
    set: &AnalysisSet,
    data: &StudyData,
    cpr: Option<(&Signature, &ResolvedSignature<'_>)>,
    cohort: Option<Cohort>,
    endpoint: Endpoint,
) -> CoxTable {
    let rows = set.cohort(cohort);
    let mut notes = Vec::new();
    // Columns: high risk (0/1), then the clinical terms; None = missing.
    let mut names = vec!["High-risk signature group".to_owned()];
    let clinical = cpr
        .as_ref()
        .map(|(s, _)| clinical_terms(Some(s)))
        .unwrap_or_default();
    if let Some((signature, _)) = &cpr {
        names.extend(clinical.iter().map(|&j| signature.inputs[j].source.label()));
    }
    let patients = rows;
    let column_values: Vec<Vec<Option<f64>>> = patients
        .iter()
        .map(|row| {
            let mut values = vec![
                row.risk_group()
                    .map(|g| if g == RiskGroup::High { 1.0 } else { 0.0 }),
            ];
            if let Some((_, resolved)) = &cpr {
                let patient = &data.patients[row.index];
                values.extend(clinical.iter().map(|&j| resolved.raw(j, patient).ok()));
            }
            values
        })
        .collect();
    let fit = |terms: &[usize]| -> Result<(CoxModel, usize, usize), String> {
        let complete: Vec<usize> = (0..patients.len())
            .filter(|&i| {
                endpoint.of(patients[i]).is_some()
                    && terms.iter().all(|&t| column_values[i][t].is_some())
            })
            .collect();
        let (time, event): (Vec<f64>, Vec<bool>) = complete
            .iter()
            .map(|&i| {
                let tte = endpoint.of(patients[i]).expect("filtered above");
                (tte.days as f64 / DAYS_PER_MONTH, tte.event)
            })
            .unzip();
        let survival = SurvivalData::new(time, event).map_err(|e| e.to_string())?;
        let design = Design::from_columns(
            terms
                .iter()
                .map(|&t| {
                    (
                        names[t].clone(),
                        complete
                            .iter()
                            .map(|&i| column_values[i][t].unwrap_or(0.0))
                            .collect(),
                    )
                })
                .collect(),
        )
        .map_err(|e| e.to_string())?;
        let n = survival.len();
        let events = survival.events();
        CoxModel::fit(&survival, &design, &CoxOptions::default())
            .map(|model| (model, n, events))
            .map_err(|e| e.to_string())
    };
    let mut univariable = Vec::new();
    for (t, name) in names.iter().enumerate() {
        match fit(&[t]) {
            Ok((model, _, _)) => univariable.push(model.terms[0].clone()),
            Err(error) => notes.push(format!("{name}: univariable model not fitted: {error}")),
        }
    }
    let all: Vec<usize> = (0..names.len()).collect();
    let (multivariable, multivariable_n, multivariable_concordance) = if names.len() > 1 {
        match fit(&all) {
            Ok((model, n, events)) => (model.terms.clone(), (n, events), Some(model.concordance)),
            Err(error) => {
                notes.push(format!("multivariable model not fitted: {error}"));
                (Vec::new(), (0, 0), None)
            }
        }
    } else {
        notes.push("no clinical variables (no CPR model given): no multivariable model".into());
        (Vec::new(), (0, 0), None)
    };
    CoxTable {
        cohort: cohort_label(cohort).to_owned(),
        endpoint,
        univariable,
        multivariable,
        multivariable_n,
        multivariable_concordance,
        notes,
    }
}

/// DFS and OS by risk group in the training, validation and whole
/// cohorts; Cox tables and C-indices in the training and validation
/// cohorts.
pub fn prognosis(set: &AnalysisSet, data: &StudyData) -> Prognosis {
    let cohorts = [Some(Cohort::Training), Some(Cohort::Validation), None];
    let mut by_risk_group = Vec::new();
    for cohort in cohorts {
        let rows = set.cohort(cohort);
        for endpoint in ENDPOINTS {
            let (_, survival, labels) = survival_of(&rows, endpoint, |row| {
                row.risk_group().map(RiskGroup::as_str)
            });
            by_risk_group.push(compare_groups(
                cohort_label(cohort),
                endpoint,
                &survival,
                &labels,
                &["low", "high"],
            ));
        }
    }
    let cpr = set
        .models
        .iter()
        .find(|m| m.role == Role::Cpr)
        .map(|m| &m.signature);
    let resolved = cpr.and_then(|s| ResolvedSignature::new(s, data).ok().map(|r| (s, r)));
    let mut cox = Vec::new();
    let mut concordance = Vec::new();
    for cohort in [Some(Cohort::Training), Some(Cohort::Validation)] {
        for endpoint in ENDPOINTS {
            let cpr = resolved.as_ref().map(|(s, r)| (*s, r));
            cox.push(cox_table(set, data, cpr, cohort, endpoint));
            let rows = set.cohort(cohort);
            for (m, model) in set.models.iter().enumerate() {
                let (_, survival, scores) =
                    survival_of(&rows, endpoint, |row| row.scores[m].map(|s| s.score));
                if let Ok(c) = concordance_index(&survival, &scores) {
                    concordance.push(ScoreConcordance {
                        cohort: cohort_label(cohort).to_owned(),
                        endpoint,
                        role: model.role,
                        cindex: c.cindex,
                        comparable_pairs: c.comparable_pairs,
                    });
                }
            }
        }
    }
    Prognosis {
        by_risk_group,
        cox,
        concordance,
    }
}
