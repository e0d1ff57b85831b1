//! How numbers are printed in tables: hazard ratios and AUCs with their
//! CIs, p-values as journals print them.

use crate::stats::km::{QuantileSurvival, SurvivalAt};
use crate::stats::{Auc, CoxTerm, Proportion};

/// A p-value with three decimals, `<0.001` below that.
pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "<0.001".to_owned()
    } else {
        format!("{p:.3}")
    }
}

/// `HR (lower–upper)` with two decimals.
pub fn hr_ci(term: &CoxTerm) -> String {
    format!("{:.2} ({:.2}–{:.2})", term.hr, term.ci_lower, term.ci_upper)
}

/// `AUC (lower–upper)` with three decimals.
pub fn auc_ci(auc: &Auc) -> String {
    format!("{:.3} ({:.3}–{:.3})", auc.auc, auc.ci_lower, auc.ci_upper)
}

/// `72.7% (55.4–84.9)`.
pub fn percent_ci(p: &Proportion) -> String {
    format!(
        "{:.1}% ({:.1}–{:.1})",
        100.0 * p.estimate,
        100.0 * p.ci_lower,
        100.0 * p.ci_upper
    )
}

/// A median in months with its CI; `NR` where not reached.
pub fn median_ci(median: &QuantileSurvival) -> String {
    let months = |t: Option<f64>| t.map_or("NR".to_owned(), |t| format!("{t:.1}"));
    format!(
        "{} ({}–{})",
        months(median.time),
        months(median.ci_lower),
        months(median.ci_upper)
    )
}

/// Survival at a time as a percentage with its CI.
pub fn survival_ci(at: &SurvivalAt) -> String {
    match (at.ci_lower, at.ci_upper) {
        (Some(lo), Some(hi)) => format!(
            "{:.1}% ({:.1}–{:.1})",
            100.0 * at.survival,
            100.0 * lo,
            100.0 * hi
        ),
        _ => format!("{:.1}%", 100.0 * at.survival),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_print_as_journals_do() {
        assert_eq!(p_value(0.0004), "<0.001");
        assert_eq!(p_value(0.029), "0.029");
        assert_eq!(p_value(0.0294), "0.029");
        assert_eq!(p_value(1.0), "1.000");
    }

    #[test]
    fn a_median_not_reached_says_so() {
        let median = QuantileSurvival {
            time: Some(18.25),
            ci_lower: Some(12.0),
            ci_upper: None,
        };
        assert_eq!(median_ci(&median), "18.2 (12.0–NR)");
    }
}
