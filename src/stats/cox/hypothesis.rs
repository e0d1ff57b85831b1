//! Tests of a Cox model's coefficients: the likelihood-ratio, Wald and score
//! (log-rank) tests of all coefficients = 0 printed by R's
//! `summary(coxph)`, and the likelihood-ratio test of nested models (R's
//! `anova(reduced, full)`).

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

use super::CoxModel;
use crate::stats::StatsError;

/// A chi-square test: its statistic, degrees of freedom and upper-tail
/// p-value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChiSquareTest {
    /// The chi-square statistic.
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// P(χ²_df ≥ statistic).
    pub p: f64,
}

impl ChiSquareTest {
    /// The test of `statistic` on `df` degrees of freedom (df ≥ 1).
    pub fn new(statistic: f64, df: usize) -> ChiSquareTest {
        ChiSquareTest {
            statistic,
            df,
            p: chi_square_p(statistic, df),
        }
    }
}

/// Upper tail of the chi-square distribution with `df` degrees of freedom
/// (computed directly, not as 1 − cdf, so tiny p-values keep their digits).
pub(crate) fn chi_square_p(statistic: f64, df: usize) -> f64 {
    match ChiSquared::new(df as f64) {
        Ok(distribution) if statistic > 0.0 => distribution.sf(statistic),
        _ => 1.0,
    }
}

/// Two-sided p-value of a standard normal statistic, 2·P(Z ≥ |z|), as
/// [`crate::stats::wald::two_sided_p`] computes it (to about 1e-15).
pub(crate) fn two_sided_normal_p(z: f64) -> f64 {
    crate::stats::wald::two_sided_p(z)
}

/// The standard normal quantile of `probability` in (0, 1).
pub(crate) fn normal_quantile(probability: f64) -> f64 {
    standard_normal().inverse_cdf(probability)
}

fn standard_normal() -> Normal {
    Normal::standard()
}

/// The likelihood-ratio test of a `reduced` model against the `full` model
/// it is nested in (R's `anova(reduced, full)`): 2·(loglik_full −
/// loglik_reduced) on as many degrees of freedom as terms dropped.
///
/// Both models must be fitted to the same subjects (same n and events) with
/// the same ties and strata, and every term of `reduced` must be a term of
/// `full`; the comparison is refused otherwise.
pub fn likelihood_ratio_test(
    full: &CoxModel,
    reduced: &CoxModel,
) -> Result<ChiSquareTest, StatsError> {
    if full.n != reduced.n || full.events != reduced.events {
        return Err(StatsError::invalid_parameter(
            "reduced model",
            format!("n {} with {} events", reduced.n, reduced.events),
            format!(
                "the same subjects as the full model (n {} with {} events)",
                full.n, full.events
            ),
        ));
    }
    if full.ties != reduced.ties || full.strata != reduced.strata {
        return Err(StatsError::invalid_parameter(
            "reduced model",
            "other ties or strata",
            "the ties and strata of the full model",
        ));
    }
    let full_terms = full.term_names();
    if let Some(extra) = reduced
        .term_names()
        .into_iter()
        .find(|term| !full_terms.contains(term))
    {
        return Err(StatsError::invalid_parameter(
            "reduced model",
            format!("term \"{extra}\""),
            "terms that are all in the full model",
        ));
    }
    let df = full.terms.len().saturating_sub(reduced.terms.len());
    if df == 0 {
        return Err(StatsError::invalid_parameter(
            "reduced model",
            format!("{} terms", reduced.terms.len()),
            format!("fewer terms than the full model's {}", full.terms.len()),
        ));
    }
    let statistic = 2.0 * (full.loglik - reduced.loglik);
    Ok(ChiSquareTest::new(statistic.max(0.0), df))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_tails() {
        // P(chi2_1 >= 3.841458820694124) = 0.05; P(chi2_2 >= x) = exp(-x/2).
        assert!((chi_square_p(3.841458820694124, 1) - 0.05).abs() < 1e-14);
        assert!((chi_square_p(10.0, 2) - (-5.0f64).exp()).abs() < 1e-16);
        assert_eq!(chi_square_p(0.0, 3), 1.0);
        // 2 P(Z >= 1.959963984540054) = 0.05.
        assert!((two_sided_normal_p(-1.959963984540054) / 0.05 - 1.0).abs() < 1e-14);
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-12);
    }
}
