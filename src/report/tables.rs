//! The publication tables, built from the study results.
//!
//! [`tables`] builds every table of the report. The tables that need only
//! risk groups and endpoints — Table 1, survival and chemotherapy benefit
//! by risk group — have their own builders taking just their part of the
//! results, so a caller holding stored scores rather than a full
//! [`StudyResults`] (the terminal UI's preview) prints the same numbers the
//! same way.

use super::format::{auc_ci, hr_ci, median_ci, p_value, percent_ci, survival_ci};
use super::table::Table;
use crate::analysis::StudyResults;
use crate::analysis::baseline::Baseline;
use crate::analysis::chemo::ChemoBenefit;
use crate::analysis::prognosis::{LANDMARK_MONTHS, Prognosis};
use crate::stats::Table1;

/// Every table, in the order the report shows them.
pub fn tables(results: &StudyResults) -> Vec<Table> {
    let mut tables = baseline_tables(&results.baseline);
    tables.push(discrimination(results));
    tables.push(comparisons(results));
    tables.push(survival_by_risk_group(&results.prognosis));
    tables.push(cox(results));
    tables.push(chemotherapy_benefit(&results.chemo_benefit));
    tables
}

/// Table 1 by cohort (`table1_by_cohort`) and by radiomic risk group
/// (`table1_by_risk_group`), each when it could be built.
pub fn baseline_tables(baseline: &Baseline) -> Vec<Table> {
    let mut tables = Vec::new();
    if let Some(table) = &baseline.by_cohort {
        tables.push(table1(
            table,
            "table1_by_cohort",
            "Baseline characteristics by cohort",
        ));
    }
    if let Some(table) = &baseline.by_risk_group {
        tables.push(table1(
            table,
            "table1_by_risk_group",
            "Baseline characteristics by radiomic risk group",
        ));
    }
    tables
}

/// A Table 1 named `name` (the file stem) under the caption `title`.
pub fn table1(table: &Table1, name: &str, title: &str) -> Table {
    let mut header = vec!["Characteristic".to_owned(), "Overall".to_owned()];
    header.extend(table.levels.iter().cloned());
    header.extend(["p".to_owned(), "Test".to_owned(), "Missing".to_owned()]);
    let mut out = Table {
        name: name.to_owned(),
        title: title.to_owned(),
        header,
        rows: Vec::new(),
        notes: vec![
            "Continuous variables: mean (SD) with Welch's t-test, or median [Q1,Q3] with the \
             Kruskal–Wallis test; categorical: n (%) with the chi-square test (Yates-corrected \
             for 2×2) or Fisher's exact test when an expected count is below 5. Missing values \
             are counted apart and left out of the tests."
                .to_owned(),
        ],
    };
    for row in &table.rows {
        let label = match &row.level {
            Some(level) if row.p.is_some() || row.test.is_some() => {
                format!("{}: {level}", row.label)
            }
            Some(level) => format!("    {level}"),
            None => row.label.clone(),
        };
        let mut cells = vec![label, row.overall.clone()];
        cells.extend(
            table
                .levels
                .iter()
                .map(|level| row.groups.get(level).cloned().unwrap_or_default()),
        );
        cells.push(row.p_text.clone().unwrap_or_default());
        cells.push(row.test.clone().unwrap_or_default());
        cells.push(row.missing.map(|m| m.to_string()).unwrap_or_default());
        out.push(cells);
    }
    out
}

fn discrimination(results: &StudyResults) -> Table {
    let mut table = Table::new(
        "discrimination",
        &format!(
            "Discrimination of early recurrence (within {} days)",
            results.early_recurrence_days
        ),
        &[
            "Model",
            "Cohort",
            "n",
            "Events",
            "AUC (95% CI)",
            "Sensitivity",
            "Specificity",
            "Accuracy",
            "PPV",
            "NPV",
            "Calibration slope",
            "Hosmer–Lemeshow p",
        ],
    );
    table.notes.push(
        "AUC with DeLong 95% CI; sensitivity, specificity, accuracy, PPV and NPV at each model's \
         cutoff frozen on the training cohort, with Wilson 95% CIs; calibration slope from the \
         logistic recalibration model; Hosmer–Lemeshow test in deciles of risk."
            .to_owned(),
    );
    for m in &results.discrimination.models {
        let at = m.at_cutoff.as_ref();
        table.push(vec![
            m.model.clone(),
            m.cohort.clone(),
            m.n.to_string(),
            m.events.to_string(),
            m.auc.as_ref().map(auc_ci).unwrap_or_else(|| "n/a".into()),
            at.map(|c| percent_ci(&c.sensitivity)).unwrap_or_default(),
            at.map(|c| percent_ci(&c.specificity)).unwrap_or_default(),
            at.map(|c| percent_ci(&c.accuracy)).unwrap_or_default(),
            at.and_then(|c| c.ppv.as_ref())
                .map(percent_ci)
                .unwrap_or_default(),
            at.and_then(|c| c.npv.as_ref())
                .map(percent_ci)
                .unwrap_or_default(),
            m.calibration
                .as_ref()
                .map(|c| {
                    format!(
                        "{:.2} ({:.2}–{:.2})",
                        c.slope.estimate, c.slope.ci_lower, c.slope.ci_upper
                    )
                })
                .unwrap_or_default(),
            m.hosmer_lemeshow
                .as_ref()
                .map(|h| p_value(h.p))
                .unwrap_or_default(),
        ]);
        for note in &m.notes {
            table
                .notes
                .push(format!("{}, {}: {note}", m.model, m.cohort));
        }
    }
    table
}

fn comparisons(results: &StudyResults) -> Table {
    let mut table = Table::new(
        "auc_comparisons",
        "Paired DeLong tests between models",
        &["Cohort", "Models", "n", "ΔAUC (95% CI)", "z", "p"],
    );
    for c in &results.discrimination.comparisons {
        let label = format!("{} vs {}", c.first.label(), c.second.label());
        match &c.test {
            Some(t) => table.push(vec![
                c.cohort.clone(),
                label,
                c.n.to_string(),
                format!("{:.3} ({:.3}–{:.3})", t.difference, t.ci_lower, t.ci_upper),
                format!("{:.2}", t.z),
                p_value(t.p),
            ]),
            None => table.push(vec![
                c.cohort.clone(),
                label,
                c.n.to_string(),
                format!("not tested: {}", c.note.clone().unwrap_or_default()),
            ]),
        }
    }
    table
}

/// DFS and OS by radiomic risk group in each cohort
/// (`survival_by_risk_group`): n, events, median and landmark survival per
/// group, the high- against low-risk HR and the log-rank p.
pub fn survival_by_risk_group(prognosis: &Prognosis) -> Table {
    let mut header = vec![
        "Cohort",
        "Endpoint",
        "Risk group",
        "n",
        "Events",
        "Median, months (95% CI)",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    header.extend(
        LANDMARK_MONTHS
            .iter()
            .map(|m| format!("{}-year survival", m / 12.0)),
    );
    header.extend(["HR (95% CI)".to_owned(), "Log-rank p".to_owned()]);
    let mut table = Table {
        name: "survival_by_risk_group".into(),
        title: "DFS and OS by radiomic risk group".into(),
        header,
        rows: Vec::new(),
        notes: vec![
            "Kaplan–Meier estimates with log-log 95% CIs; medians by R's rule (NR: not reached); \
             hazard ratio of the high- against the low-risk group from a univariable Cox model \
             (Efron ties)."
                .into(),
        ],
    };
    for comparison in &prognosis.by_risk_group {
        for (k, group) in comparison.groups.iter().enumerate() {
            let mut row = vec![
                comparison.cohort.clone(),
                comparison.endpoint.label().to_owned(),
                group.group.clone(),
                group.n.to_string(),
                group.events.to_string(),
                median_ci(&group.median),
            ];
            row.extend(group.at_months.iter().map(survival_ci));
            if k == 0 {
                row.push(
                    comparison
                        .hazard_ratio
                        .as_ref()
                        .map(hr_ci)
                        .unwrap_or_default(),
                );
                row.push(
                    comparison
                        .logrank
                        .as_ref()
                        .map(|l| p_value(l.p))
                        .unwrap_or_default(),
                );
            }
            table.push(row);
        }
        for note in &comparison.notes {
            table.notes.push(format!(
                "{}, {}: {note}",
                comparison.cohort,
                comparison.endpoint.label()
            ));
        }
    }
    table
}

fn cox(results: &StudyResults) -> Table {
    let mut table = Table::new(
        "cox_models",
        "Univariable and multivariable Cox models",
        &[
            "Cohort",
            "Endpoint",
            "Variable",
            "Univariable HR (95% CI)",
            "p",
            "Multivariable HR (95% CI)",
            "p",
        ],
    );
    table.notes.push(
        "Cox proportional hazards, Efron ties; the multivariable model holds the radiomic risk \
         group and the CPR model's variables, on patients with all of them."
            .into(),
    );
    for model in &results.prognosis.cox {
        for term in &model.univariable {
            let multi = model.multivariable.iter().find(|t| t.term == term.term);
            table.push(vec![
                model.cohort.clone(),
                model.endpoint.label().to_owned(),
                term.term.clone(),
                hr_ci(term),
                p_value(term.p),
                multi.map(hr_ci).unwrap_or_default(),
                multi.map(|t| p_value(t.p)).unwrap_or_default(),
            ]);
        }
        if let Some(c) = model.multivariable_concordance {
            table.notes.push(format!(
                "{}, {}: multivariable model on {} patients ({} events), C-index {c:.3}",
                model.cohort,
                model.endpoint.label(),
                model.multivariable_n.0,
                model.multivariable_n.1
            ));
        }
        for note in &model.notes {
            table.notes.push(format!(
                "{}, {}: {note}",
                model.cohort,
                model.endpoint.label()
            ));
        }
    }
    for c in &results.prognosis.concordance {
        table.notes.push(format!(
            "{}, {}: Harrell's C of the {} score {:.3}",
            c.cohort,
            c.endpoint.label(),
            c.role.label(),
            c.cindex
        ));
    }
    table
}

/// Adjuvant chemotherapy against none inside each risk group, with the
/// p for interaction (`chemotherapy_benefit`).
pub fn chemotherapy_benefit(chemo: &ChemoBenefit) -> Table {
    let mut table = Table::new(
        "chemotherapy_benefit",
        "Adjuvant chemotherapy by radiomic risk group (all patients)",
        &[
            "Risk group",
            "Endpoint",
            "Chemotherapy n (events)",
            "None n (events)",
            "HR (95% CI)",
            "Log-rank p",
            "p for interaction",
        ],
    );
    for (group, comparison) in &chemo.by_risk_group {
        let cell = |name: &str| {
            comparison
                .groups
                .iter()
                .find(|g| g.group == name)
                .map(|g| format!("{} ({})", g.n, g.events))
                .unwrap_or_else(|| "0".into())
        };
        let interaction = chemo
            .interaction
            .iter()
            .find(|m| m.endpoint == comparison.endpoint);
        table.push(vec![
            group.clone(),
            comparison.endpoint.label().to_owned(),
            cell("chemotherapy"),
            cell("none"),
            comparison
                .hazard_ratio
                .as_ref()
                .map(hr_ci)
                .unwrap_or_default(),
            comparison
                .logrank
                .as_ref()
                .map(|l| p_value(l.p))
                .unwrap_or_default(),
            interaction
                .map(|m| p_value(m.p_interaction))
                .unwrap_or_default(),
        ]);
    }
    table.notes.push(
        "HR of chemotherapy against none inside each risk group (univariable Cox, Efron ties); \
         p for interaction from the Cox model chemotherapy × high risk."
            .into(),
    );
    for m in &chemo.interaction {
        table.notes.push(format!(
            "{}: chemotherapy HR {} in the high-risk group and {} in the low-risk group \
             (linear combinations of the interaction model)",
            m.endpoint.label(),
            format_combination(&m.chemo_in_high_risk),
            format_combination(&m.chemo_in_low_risk),
        ));
    }
    table
        .notes
        .extend(chemo.warnings.iter().map(|w| format!("Warning: {w}")));
    table
}

fn format_combination(c: &crate::stats::cox::LinearCombination) -> String {
    format!(
        "{:.2} ({:.2}–{:.2}), p {}",
        c.hr,
        c.ci_lower,
        c.ci_upper,
        p_value(c.p)
    )
}
