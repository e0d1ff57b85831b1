//! Penalised logistic regression (glmnet `family = "binomial"`): the
//! binomial loss, its gradient and Hessian, and the path fit.

use super::columns::Columns;
use super::kernels::{carve, dot};
use super::options::PenaltyOptions;
use super::path::{Deviance, FittedPath, Prepared};
use super::solver::{Coord, Loss, coord_values};
use super::{Family, PenalizedPath};
use crate::stats::{Design, StatsError};

/// Minus the mean binomial log-likelihood of 0/1 outcomes:
/// (1/n)·Σ_i [log(1 + e^η_i) − y_i·η_i].
pub(crate) struct LogisticLoss {
    y: Vec<f64>,
}

/// What an evaluation of [`LogisticLoss`] leaves: residuals y − p and the
/// IRLS weights p·(1 − p).
#[derive(Debug, Clone)]
pub(crate) struct LogisticState {
    residual: Vec<f64>,
    weight: Vec<f64>,
}

impl LogisticLoss {
    /// The loss of outcomes `y` (true = 1).
    pub(crate) fn new(y: &[bool]) -> LogisticLoss {
        LogisticLoss {
            y: y.iter().map(|&v| if v { 1.0 } else { 0.0 }).collect(),
        }
    }
}

/// log(1 + e^η) and the probability 1/(1 + e^−η), without overflow.
fn softplus_and_probability(eta: f64) -> (f64, f64) {
    let small = (-eta.abs()).exp();
    let probability = if eta >= 0.0 {
        1.0 / (1.0 + small)
    } else {
        small / (1.0 + small)
    };
    (eta.max(0.0) + small.ln_1p(), probability)
}

impl Loss for LogisticLoss {
    type State = LogisticState;

    fn new_state(&self) -> LogisticState {
        LogisticState {
            residual: vec![0.0; self.y.len()],
            weight: vec![0.0; self.y.len()],
        }
    }

    fn rows(&self) -> usize {
        self.y.len()
    }

    fn has_intercept(&self) -> bool {
        true
    }

    fn evaluate(&self, eta: &[f64], state: &mut LogisticState) -> f64 {
        let mut total = 0.0;
        for (((&e, &y), r), w) in eta
            .iter()
            .zip(&self.y)
            .zip(&mut state.residual)
            .zip(&mut state.weight)
        {
            let (softplus, p) = softplus_and_probability(e);
            total += softplus - y * e;
            *r = y - p;
            *w = p * (1.0 - p);
        }
        total / self.y.len() as f64
    }

    fn residual<'a>(&self, state: &'a LogisticState) -> &'a [f64] {
        &state.residual
    }

    /// (1/n)·Σ_i w_i·c_k(i)·c_l(i), with c = 1 for the intercept.
    fn hessian(
        &self,
        columns: &Columns,
        state: &LogisticState,
        coords: &[Coord],
        out: &mut [f64],
        workspace: &mut Vec<f64>,
    ) {
        let m = coords.len();
        let n = self.y.len();
        let [ones, weighted] = carve(workspace, [n, n]);
        ones.iter_mut().for_each(|one| *one = 1.0);
        let ones: &[f64] = ones;
        for (k, &ck) in coords.iter().enumerate() {
            let column = coord_values(columns, ck, ones);
            for ((wx, &w), &x) in weighted.iter_mut().zip(&state.weight).zip(column) {
                *wx = w * x;
            }
            for (l, &cl) in coords.iter().enumerate().skip(k) {
                let value = dot(weighted, coord_values(columns, cl, ones)) / n as f64;
                out[k * m + l] = value;
                out[l * m + k] = value;
            }
        }
    }
}

impl Deviance for LogisticLoss {
    /// −2·log-likelihood (the saturated model of 0/1 outcomes has
    /// log-likelihood 0).
    fn deviance(&self, loss: f64) -> f64 {
        2.0 * self.y.len() as f64 * loss
    }

    /// −2·log-likelihood of the intercept-only model, whose probability is
    /// the proportion of 1s.
    fn null_deviance(&self) -> f64 {
        let n = self.y.len() as f64;
        let ones: f64 = self.y.iter().sum();
        let zeros = n - ones;
        let term = |count: f64| {
            if count > 0.0 {
                count * (count / n).ln()
            } else {
                0.0
            }
        };
        -2.0 * (term(ones) + term(zeros))
    }
}

/// Checks the outcome against the design and that both classes occur.
fn check_outcome(design: &Design, y: &[bool], what: &str) -> Result<(), StatsError> {
    if y.len() != design.rows() {
        return Err(StatsError::LengthMismatch {
            what: what.to_owned(),
            expected: design.rows(),
            found: y.len(),
        });
    }
    let ones = y.iter().filter(|&&v| v).count();
    for (label, count) in [("1", ones), ("0", y.len() - ones)] {
        if count == 0 {
            return Err(StatsError::TooFewObservations {
                what: format!("{what}: outcome {label}"),
                found: 0,
                needed: 1,
            });
        }
    }
    Ok(())
}

/// A logistic problem ready to fit, its rows in the design's order.
pub(crate) fn prepare(
    design: &Design,
    y: &[bool],
    options: &PenaltyOptions,
    what: &str,
) -> Result<Prepared<LogisticLoss>, StatsError> {
    check_outcome(design, y, what)?;
    let order: Vec<usize> = (0..design.rows()).collect();
    let columns = Columns::new(design.matrix(), &order, options.standardize);
    Prepared::new(
        Family::Binomial,
        design.names().to_vec(),
        LogisticLoss::new(y),
        columns,
        options,
    )
}

/// Fits a penalised logistic regression path of `y` (true = 1) on the
/// terms of `design`, with an unpenalised intercept.
///
/// Convention (glmnet `family = "binomial"`): at each λ it minimises
/// −(1/n)·Σ_i [y_i·η_i − log(1 + e^η_i)] + λ·Σ_j pf_j·(α·|β_j| +
/// (1−α)/2·β_j²), η_i = β_0 + x_iᵀβ, over predictors standardised with the
/// 1/n SD when `options.standardize`; coefficients come back on the
/// original scale, [`super::INTERCEPT`] first. scikit-learn's
/// `LogisticRegression(penalty="l1", C)` on the same predictors minimises
/// n·λ times this objective with λ = 1/(n·C): see
/// [`lambda_from_sklearn_c`].
///
/// Errors: outcome length differing from the design's rows, an outcome
/// with one class only, and the option errors of [`PenaltyOptions`].
pub fn fit_logistic_path(
    design: &Design,
    y: &[bool],
    options: &PenaltyOptions,
) -> Result<PenalizedPath, StatsError> {
    let prepared = prepare(design, y, options, "y")?;
    let lambdas = prepared.lambda_sequence(options)?;
    prepared
        .fit(&lambdas, options.lambda.is_none())
        .map(|FittedPath { path, .. }| path)
}

/// The glmnet λ equivalent to scikit-learn's inverse regularisation
/// strength `C` for an L1 (or L2, with α = 0 and λ·n·C = 1 likewise)
/// logistic fit of `n` observations: scikit-learn minimises
/// ‖β‖₁ + C·Σ_i loss_i, which is n·C times glmnet's (1/n)·Σ_i loss_i +
/// λ·‖β‖₁ when λ = 1/(n·C).
pub fn lambda_from_sklearn_c(c: f64, n: usize) -> f64 {
    1.0 / (n as f64 * c)
}

/// The binomial deviance −2·[y·log p + (1−y)·log(1−p)] of one held-out
/// observation with linear predictor `eta`, p clamped to [1e-5, 1 − 1e-5]
/// as `cv.glmnet` does so that a confident miss costs at most
/// −2·log(1e-5).
pub(crate) fn clamped_binomial_deviance(y: bool, eta: f64) -> f64 {
    const PROBABILITY_FLOOR: f64 = 1e-5;
    let (_, p) = softplus_and_probability(eta);
    let p = p.clamp(PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR);
    -2.0 * if y { p.ln() } else { (1.0 - p).ln() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design(columns: &[(&str, &[f64])]) -> Design {
        Design::from_columns(
            columns
                .iter()
                .map(|(name, values)| (name.to_string(), values.to_vec()))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn lambda_max_and_the_null_intercept_are_hand_computable() {
        // x standardised: mean 0.5, 1/n SD 0.5, so (−1, −1, 1, 1); ȳ = 0.75.
        // Gradient at the null model: −(1/4)·Σ x̃_i·(y_i − ȳ)
        // = −(1/4)·(0.75 − 0.25 + 0.25 + 0.25) = −0.25, so λ_max = 0.25/α.
        let x = design(&[("x", &[0.0, 0.0, 1.0, 1.0])]);
        let y = [false, true, true, true];
        let path = fit_logistic_path(
            &x,
            &y,
            &PenaltyOptions {
                nlambda: 3,
                lambda_min_ratio: Some(0.5),
                ..Default::default()
            },
        )
        .unwrap();
        assert!((path.lambda_max - 0.25).abs() < 1e-15);
        assert_eq!(path.lambda.len(), 3);
        assert_eq!(path.lambda[0], path.lambda_max);
        // At λ_max only the intercept is fitted: logit(0.75) = ln 3.
        assert!((path.coefficients[0][0] - 3.0_f64.ln()).abs() < 1e-10);
        assert_eq!(path.coefficients[0][1], 0.0);
        assert!(path.coefficients[2][1] > 0.0);
        // Deviance of the intercept-only model: −2·(3·ln 0.75 + ln 0.25).
        let null = -2.0 * (3.0 * 0.75_f64.ln() + 0.25_f64.ln());
        assert!((path.null_deviance - null).abs() < 1e-12);
        assert!((path.deviance[0] - null).abs() < 1e-12);
        let half = fit_logistic_path(
            &x,
            &y,
            &PenaltyOptions {
                alpha: 0.5,
                ..Default::default()
            },
        )
        .unwrap();
        assert!((half.lambda_max - 0.5).abs() < 1e-15);
    }

    #[test]
    fn deviance_clamps_probabilities_as_cv_glmnet() {
        assert!((clamped_binomial_deviance(true, 0.0) - 2.0 * 2.0_f64.ln()).abs() < 1e-15);
        let floor = -2.0 * 1e-5_f64.ln();
        assert!((clamped_binomial_deviance(true, -50.0) - floor).abs() < 1e-9);
        assert!((clamped_binomial_deviance(false, 50.0) - floor).abs() < 1e-9);
    }

    #[test]
    fn sklearn_c_maps_to_one_over_n_c() {
        assert_eq!(lambda_from_sklearn_c(0.5, 4), 0.5);
    }

    #[test]
    fn refuses_one_class_and_mismatched_outcomes() {
        let x = design(&[("x", &[0.0, 1.0, 2.0])]);
        assert!(matches!(
            fit_logistic_path(&x, &[true, true, true], &PenaltyOptions::default()),
            Err(StatsError::TooFewObservations { what, .. }) if what.contains("outcome 0")
        ));
        assert!(matches!(
            fit_logistic_path(&x, &[true, false], &PenaltyOptions::default()),
            Err(StatsError::LengthMismatch { found: 2, .. })
        ));
    }
}
