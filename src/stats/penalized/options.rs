//! The options of a penalised fit, named and defaulted as glmnet's, and
//! their checks.

use serde::Serialize;

use crate::stats::StatsError;

/// Options shared by penalised logistic and Cox fits. Names and defaults
/// are glmnet's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PenaltyOptions {
    /// Elastic-net mixing parameter α in [0, 1]: 1 is the LASSO (default),
    /// 0 ridge regression.
    pub alpha: f64,
    /// Number of λ values on the generated path (glmnet `nlambda`, default
    /// 100). Unused when `lambda` is given. A generated logistic path may
    /// end sooner, as glmnet's does (see `path::stops_early`).
    pub nlambda: usize,
    /// The smallest generated λ as a fraction of λ_max, in (0, 1) (glmnet
    /// `lambda.min.ratio`). `None` takes glmnet's default: 1e-4 when there
    /// are at least as many observations as terms, else 1e-2.
    pub lambda_min_ratio: Option<f64>,
    /// A λ sequence to fit instead of the generated one: finite, ≥ 0 and
    /// strictly decreasing (glmnet `lambda`, which glmnet sorts itself).
    pub lambda: Option<Vec<f64>>,
    /// One factor ≥ 0 per term multiplying its penalty (glmnet
    /// `penalty.factor`); 0 leaves the term unpenalised. Rescaled to sum to
    /// the number of terms, as glmnet does, so λ reflects the rescaling.
    /// `None`: every factor 1.
    pub penalty_factor: Option<Vec<f64>>,
    /// Standardise predictors to mean 0 and 1/n variance 1 before fitting
    /// (glmnet `standardize`, default true). Coefficients are returned on
    /// the original scale either way.
    pub standardize: bool,
    /// Convergence tolerance (default 1e-12). At each λ, proximal-Newton
    /// iterations stop once the step just taken moved every coefficient by
    /// a Δ_j with (H_jj + ridge_j)·Δ_j² ≤ `tolerance`, H the Hessian of
    /// (1/n)·loss: the objective decrease the quadratic model credits to
    /// any one coordinate (≤ 1e-4·`tolerance` when the step used a
    /// Hessian kept from an earlier point). The last step being a Newton
    /// step, the objective is then within rounding of its minimum and the
    /// KKT conditions hold to 1e-9 or better (about 1e-11 on the
    /// reference problems; the property tests allow 1e-9, as 1e-10 was
    /// exceeded once in 10⁵ random problems). glmnet's `thresh` = 1e-7 bounds the same
    /// quantity relative to the null deviance, for each inner sweep.
    pub tolerance: f64,
    /// Maximum proximal-Newton iterations at one λ (default 100) before
    /// [`StatsError::NotConverged`].
    pub max_iterations: usize,
}

impl Default for PenaltyOptions {
    fn default() -> Self {
        PenaltyOptions {
            alpha: 1.0,
            nlambda: 100,
            lambda_min_ratio: None,
            lambda: None,
            penalty_factor: None,
            standardize: true,
            tolerance: 1e-12,
            max_iterations: 100,
        }
    }
}

/// The smallest α used to compute λ_max, as glmnet: a ridge path (α = 0)
/// starts where an α = 0.001 path would.
pub(crate) const ALPHA_FLOOR_FOR_LAMBDA_MAX: f64 = 1e-3;

impl PenaltyOptions {
    /// Checks every option that does not depend on the data.
    pub(crate) fn check(&self) -> Result<(), StatsError> {
        if !(0.0..=1.0).contains(&self.alpha) {
            return Err(StatsError::invalid_parameter(
                "alpha",
                self.alpha,
                "a number from 0 (ridge) to 1 (LASSO)",
            ));
        }
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(StatsError::invalid_parameter(
                "tolerance",
                self.tolerance,
                "a positive number",
            ));
        }
        if self.max_iterations == 0 {
            return Err(StatsError::invalid_parameter(
                "max_iterations",
                0,
                "at least 1",
            ));
        }
        match &self.lambda {
            Some(lambda) => check_lambda_sequence(lambda)?,
            None => {
                if self.nlambda == 0 {
                    return Err(StatsError::invalid_parameter("nlambda", 0, "at least 1"));
                }
                if let Some(ratio) = self.lambda_min_ratio
                    && !(ratio > 0.0 && ratio < 1.0)
                {
                    return Err(StatsError::invalid_parameter(
                        "lambda_min_ratio",
                        ratio,
                        "a number between 0 and 1, both excluded",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The penalty factors for `terms` terms, checked and rescaled to sum
    /// to `terms` as glmnet does.
    pub(crate) fn rescaled_penalty_factor(&self, terms: usize) -> Result<Vec<f64>, StatsError> {
        let Some(factor) = &self.penalty_factor else {
            return Ok(vec![1.0; terms]);
        };
        if factor.len() != terms {
            return Err(StatsError::LengthMismatch {
                what: "penalty_factor".to_owned(),
                expected: terms,
                found: factor.len(),
            });
        }
        for (index, &value) in factor.iter().enumerate() {
            if !value.is_finite() {
                return Err(StatsError::NonFinite {
                    what: "penalty_factor".to_owned(),
                    index,
                    value,
                });
            }
            if value < 0.0 {
                return Err(StatsError::OutOfRange {
                    what: "penalty_factor".to_owned(),
                    index,
                    value,
                    expected: "expected a factor of 0 or more".to_owned(),
                });
            }
        }
        let total: f64 = factor.iter().sum();
        if total <= 0.0 {
            return Err(StatsError::invalid_parameter(
                "penalty_factor",
                "all 0",
                "at least one penalised term (a factor above 0)",
            ));
        }
        let scale = terms as f64 / total;
        Ok(factor.iter().map(|&value| value * scale).collect())
    }

    /// The λ sequence: the caller's, or glmnet's log grid from `lambda_max`
    /// down to `lambda_min_ratio`·`lambda_max`.
    pub(crate) fn lambda_sequence(
        &self,
        lambda_max: f64,
        observations: usize,
        terms: usize,
    ) -> Result<Vec<f64>, StatsError> {
        if let Some(lambda) = &self.lambda {
            return Ok(lambda.clone());
        }
        if !(lambda_max.is_finite() && lambda_max > 0.0) {
            return Err(StatsError::invalid_parameter(
                "lambda",
                "a generated path",
                format!(
                    "a λ sequence from the caller: λ_max is {lambda_max}, as no penalised term \
                     is associated with the outcome at the null model, so every coefficient is \
                     0 at any λ > 0"
                ),
            ));
        }
        let ratio = self
            .lambda_min_ratio
            .unwrap_or(if observations < terms { 1e-2 } else { 1e-4 });
        Ok(log_grid(lambda_max, ratio, self.nlambda))
    }
}

/// `count` values from `top` down to `top·ratio`, equally spaced in log λ
/// (glmnet's grid: λ_k = top·ratio^(k/(count−1))).
pub(crate) fn log_grid(top: f64, ratio: f64, count: usize) -> Vec<f64> {
    if count <= 1 {
        return vec![top; count];
    }
    let step = ratio.ln() / (count - 1) as f64;
    (0..count)
        .map(|k| {
            if k == 0 {
                top
            } else {
                top * (step * k as f64).exp()
            }
        })
        .collect()
}

fn check_lambda_sequence(lambda: &[f64]) -> Result<(), StatsError> {
    if lambda.is_empty() {
        return Err(StatsError::invalid_parameter(
            "lambda",
            "an empty sequence",
            "at least one λ",
        ));
    }
    for (index, &value) in lambda.iter().enumerate() {
        if !value.is_finite() {
            return Err(StatsError::NonFinite {
                what: "lambda".to_owned(),
                index,
                value,
            });
        }
        if value < 0.0 {
            return Err(StatsError::OutOfRange {
                what: "lambda".to_owned(),
                index,
                value,
                expected: "expected a λ of 0 or more".to_owned(),
            });
        }
        if index > 0 && value >= lambda[index - 1] {
            return Err(StatsError::OutOfRange {
                what: "lambda".to_owned(),
                index,
                value,
                expected: format!(
                    "expected a strictly decreasing sequence, below the previous λ {}",
                    lambda[index - 1]
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_grid_spans_the_ratio_geometrically() {
        let grid = log_grid(2.0, 1e-2, 3);
        assert_eq!(grid[0], 2.0);
        assert!((grid[1] - 0.2).abs() < 1e-15);
        assert!((grid[2] - 0.02).abs() < 1e-16);
        assert_eq!(log_grid(2.0, 1e-2, 1), vec![2.0]);
    }

    #[test]
    fn penalty_factors_are_rescaled_to_the_number_of_terms() {
        let options = PenaltyOptions {
            penalty_factor: Some(vec![0.0, 2.0, 4.0]),
            ..PenaltyOptions::default()
        };
        assert_eq!(
            options.rescaled_penalty_factor(3).unwrap(),
            vec![0.0, 1.0, 2.0]
        );
        assert_eq!(
            PenaltyOptions::default()
                .rescaled_penalty_factor(2)
                .unwrap(),
            vec![1.0, 1.0]
        );
    }

    #[test]
    fn refuses_bad_options() {
        let bad = |options: PenaltyOptions| options.check().unwrap_err();
        assert!(matches!(
            bad(PenaltyOptions { alpha: 1.5, ..Default::default() }),
            StatsError::InvalidParameter { name, .. } if name == "alpha"
        ));
        assert!(matches!(
            bad(PenaltyOptions { alpha: f64::NAN, ..Default::default() }),
            StatsError::InvalidParameter { name, .. } if name == "alpha"
        ));
        assert!(matches!(
            bad(PenaltyOptions {
                lambda: Some(vec![0.1, 0.2]),
                ..Default::default()
            }),
            StatsError::OutOfRange { index: 1, .. }
        ));
        assert!(matches!(
            bad(PenaltyOptions {
                lambda: Some(vec![-0.1]),
                ..Default::default()
            }),
            StatsError::OutOfRange { index: 0, .. }
        ));
        assert!(matches!(
            bad(PenaltyOptions { lambda_min_ratio: Some(1.0), ..Default::default() }),
            StatsError::InvalidParameter { name, .. } if name == "lambda_min_ratio"
        ));
        assert!(matches!(
            bad(PenaltyOptions { nlambda: 0, ..Default::default() }),
            StatsError::InvalidParameter { name, .. } if name == "nlambda"
        ));
        let factors = |factor: Vec<f64>| PenaltyOptions {
            penalty_factor: Some(factor),
            ..Default::default()
        };
        assert!(matches!(
            factors(vec![1.0, -1.0]).rescaled_penalty_factor(2),
            Err(StatsError::OutOfRange { index: 1, .. })
        ));
        assert!(matches!(
            factors(vec![0.0, 0.0]).rescaled_penalty_factor(2),
            Err(StatsError::InvalidParameter { .. })
        ));
        assert!(matches!(
            factors(vec![1.0]).rescaled_penalty_factor(2),
            Err(StatsError::LengthMismatch { .. })
        ));
    }
}
