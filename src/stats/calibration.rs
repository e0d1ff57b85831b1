//! Calibration of predicted probabilities against observed 0/1 outcomes:
//! the Hosmer–Lemeshow test, and the logistic recalibration of the
//! outcome on the logit of the prediction (calibration-in-the-large and
//! calibration slope, Cox 1958; Steyerberg, *Clinical Prediction Models*).

use nalgebra::{DMatrix, DVector};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::StatsError;
use super::binary::{binary_outcome, finite, same_length};
use super::logistic::{INTERCEPT, maximise};
use super::wald::two_sided_z;

/// A calibration coefficient with its Wald interval.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CalibrationEstimate {
    /// The coefficient.
    pub estimate: f64,
    /// Its standard error (inverse observed information).
    pub se: f64,
    /// estimate − z·se.
    pub ci_lower: f64,
    /// estimate + z·se.
    pub ci_upper: f64,
}

/// Logistic recalibration of predicted probabilities p against outcomes y.
///
/// - `intercept_in_the_large`: a in logit P(y = 1) = a + logit(p), the slope
///   fixed at 1 (`glm(y ~ 1, offset = qlogis(p), family = binomial)`): 0
///   when the predictions are right on average, > 0 when they are too low.
/// - `slope` and `recalibration_intercept`: b and a in logit P(y = 1) =
///   a + b·logit(p) (`glm(y ~ qlogis(p), family = binomial)`): a slope
///   below 1 means predictions too extreme (overfitting). These are the
///   "Slope" and "Intercept" of R's `rms::val.prob`; note that val.prob's
///   "Intercept" is this free-slope intercept, not the
///   calibration-in-the-large.
///
/// A perfectly calibrated model has intercept-in-the-large 0 and slope 1.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Calibration {
    /// Observations.
    pub n: usize,
    /// Observations with outcome 1.
    pub events: usize,
    /// Calibration-in-the-large (slope fixed at 1).
    pub intercept_in_the_large: CalibrationEstimate,
    /// Calibration slope.
    pub slope: CalibrationEstimate,
    /// The intercept fitted together with the slope (val.prob's
    /// "Intercept").
    pub recalibration_intercept: CalibrationEstimate,
    /// Confidence level of the intervals.
    pub level: f64,
}

/// One Hosmer–Lemeshow group.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HosmerLemeshowGroup {
    /// Lower break of the group's interval (included for the first group
    /// only).
    pub lower: f64,
    /// Upper break (included).
    pub upper: f64,
    /// Observations in the group.
    pub n: usize,
    /// Observed events.
    pub observed: usize,
    /// Expected events, the sum of the predicted probabilities.
    pub expected: f64,
}

/// The Hosmer–Lemeshow goodness-of-fit test.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HosmerLemeshow {
    /// Σ over groups and both outcomes of (observed − expected)² / expected.
    pub statistic: f64,
    /// Groups formed − 2.
    pub df: usize,
    /// Upper chi-square tail at `df`.
    pub p: f64,
    /// The groups, by increasing predicted risk.
    pub groups: Vec<HosmerLemeshowGroup>,
}

/// Checks predictions and outcomes of the same length, the predictions
/// finite and within `[0, 1]`, or strictly inside when `open` (a logit is
/// needed).
fn checked(predicted: &[f64], outcome: &[f64], open: bool) -> Result<Vec<bool>, StatsError> {
    same_length("outcome", outcome.len(), predicted.len())?;
    finite(predicted, "predicted")?;
    let outside = |p: f64| {
        if open {
            !(p > 0.0 && p < 1.0)
        } else {
            !(0.0..=1.0).contains(&p)
        }
    };
    if let Some(index) = predicted.iter().position(|&p| outside(p)) {
        return Err(StatsError::OutOfRange {
            what: "predicted".to_owned(),
            index,
            value: predicted[index],
            expected: if open {
                "expected a probability strictly between 0 and 1".to_owned()
            } else {
                "expected a probability between 0 and 1".to_owned()
            },
        });
    }
    let y = binary_outcome(outcome, "outcome")?;
    let events = y.iter().filter(|&&event| event).count();
    if events == 0 {
        return Err(StatsError::NoEvents {
            what: "outcome".to_owned(),
        });
    }
    if events == y.len() {
        return Err(StatsError::TooFewObservations {
            what: "observations with outcome 0".to_owned(),
            found: 0,
            needed: 1,
        });
    }
    Ok(y)
}

/// Calibration-in-the-large and calibration slope of `predicted`
/// probabilities (strictly between 0 and 1) for 0/1 `outcome`, by maximum
/// likelihood as [`super::fit_logistic`], with Wald intervals at `level`.
///
/// Errors as the logistic fit's: a constant prediction makes the slope
/// model singular, predictions that separate the outcomes make it diverge.
pub fn calibration(
    predicted: &[f64],
    outcome: &[f64],
    level: f64,
) -> Result<Calibration, StatsError> {
    let z = two_sided_z(level)?;
    let y = checked(predicted, outcome, true)?;
    let n = y.len();
    let logit: Vec<f64> = predicted.iter().map(|&p| (p / (1.0 - p)).ln()).collect();
    let estimate = |mle: &super::logistic::Mle, j: usize| {
        let estimate = mle.beta[j];
        let se = mle.vcov[(j, j)].max(0.0).sqrt();
        CalibrationEstimate {
            estimate,
            se,
            ci_lower: estimate - z * se,
            ci_upper: estimate + z * se,
        }
    };
    let iterations = 100;
    let ones = DMatrix::from_element(n, 1, 1.0);
    let in_the_large = maximise(
        &ones,
        &[INTERCEPT.to_owned()],
        &y,
        &logit,
        DVector::zeros(1),
        iterations,
    )?;
    let with_logit = DMatrix::from_fn(n, 2, |i, j| if j == 0 { 1.0 } else { logit[i] });
    let recalibration = maximise(
        &with_logit,
        &[INTERCEPT.to_owned(), "logit(predicted)".to_owned()],
        &y,
        &vec![0.0; n],
        DVector::from_column_slice(&[0.0, 1.0]),
        iterations,
    )?;
    Ok(Calibration {
        n,
        events: y.iter().filter(|&&event| event).count(),
        intercept_in_the_large: estimate(&in_the_large, 0),
        slope: estimate(&recalibration, 1),
        recalibration_intercept: estimate(&recalibration, 0),
        level,
    })
}

/// The quantile of sorted values by R's default definition (type 7):
/// with h = 1 + (n − 1)·prob, linear interpolation between the ⌊h⌋-th and
/// ⌈h⌉-th smallest values, computed as R's `quantile` does so that breaks
/// falling on data points agree to the last bit.
fn quantile_type7(sorted: &[f64], prob: f64) -> f64 {
    let n = sorted.len();
    let index = 1.0 + (n.saturating_sub(1)) as f64 * prob;
    let lo = index.floor();
    let hi = index.ceil();
    let value = |position: f64| {
        sorted
            .get((position as usize).saturating_sub(1))
            .copied()
            .unwrap_or(f64::NAN)
    };
    let (x_lo, x_hi) = (value(lo), value(hi));
    if index > lo && x_hi != x_lo {
        let h = index - lo;
        (1.0 - h) * x_lo + h * x_hi
    } else {
        x_lo
    }
}

/// The Hosmer–Lemeshow test with `groups` groups by quantiles of predicted
/// risk, as `ResourceSelection::hoslem.test(y, p, g)` (version 0.3-6):
///
/// - breaks are the type-7 quantiles of the predictions at probabilities
///   0, 1/g, …, 1 (R's `seq(0, 1, 1/g)`), duplicates removed;
/// - groups are the right-closed intervals between breaks, the first also
///   closed on the left (R's `cut(include.lowest = TRUE)`), so tied
///   predictions always fall in one group;
/// - the statistic sums (O − E)²/E over groups for both outcomes (events
///   against Σp, non-events against Σ(1 − p));
/// - df = number of groups formed − 2 (g − 2 when no breaks tie).
///
/// Unlike R, a group left empty between two breaks is dropped rather than
/// turning the statistic into NaN. Needs `groups` ≥ 3 and at least 3
/// groups formed.
pub fn hosmer_lemeshow(
    predicted: &[f64],
    outcome: &[f64],
    groups: usize,
) -> Result<HosmerLemeshow, StatsError> {
    if groups < 3 {
        return Err(StatsError::invalid_parameter(
            "groups",
            groups,
            "at least 3 (the test has groups - 2 degrees of freedom)",
        ));
    }
    let y = checked(predicted, outcome, false)?;
    let mut sorted = predicted.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let step = 1.0 / groups as f64;
    let mut breaks: Vec<f64> = (0..=groups)
        .map(|k| quantile_type7(&sorted, (k as f64 * step).min(1.0)))
        .collect();
    breaks.dedup();
    let intervals = breaks.len().saturating_sub(1).max(1);
    let upper_breaks = breaks.get(1..).unwrap_or(&[]);
    let mut tables = vec![(0usize, 0usize, 0.0f64); intervals];
    for (&p, &event) in predicted.iter().zip(&y) {
        // The first interval whose upper break is ≥ p: (lower, upper].
        let group = upper_breaks.partition_point(|&b| b < p).min(intervals - 1);
        if let Some(cell) = tables.get_mut(group) {
            cell.0 += 1;
            cell.1 += usize::from(event);
            cell.2 += p;
        }
    }
    let mut statistic = 0.0;
    let mut formed = Vec::new();
    for (k, &(n, observed, expected)) in tables.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let expected_non_events = n as f64 - expected;
        if expected <= 0.0 || expected_non_events <= 0.0 {
            return Err(StatsError::Degenerate {
                what: "Hosmer-Lemeshow test".to_owned(),
                detail: format!(
                    "group {} has predicted risks all {}, so an expected count is 0",
                    k + 1,
                    if expected <= 0.0 { 0 } else { 1 }
                ),
            });
        }
        let observed_events = observed as f64;
        let observed_non_events = (n - observed) as f64;
        statistic += (observed_events - expected).powi(2) / expected
            + (observed_non_events - expected_non_events).powi(2) / expected_non_events;
        formed.push(HosmerLemeshowGroup {
            lower: breaks.get(k).copied().unwrap_or(f64::NAN),
            upper: breaks.get(k + 1).copied().unwrap_or(f64::NAN),
            n,
            observed,
            expected,
        });
    }
    if formed.len() < 3 {
        return Err(StatsError::TooFewObservations {
            what: "Hosmer-Lemeshow groups (distinct predicted risks)".to_owned(),
            found: formed.len(),
            needed: 3,
        });
    }
    let df = formed.len() - 2;
    let p = ChiSquared::new(df as f64)
        .map_err(|err| StatsError::invalid_parameter("df", df, err.to_string()))?
        .sf(statistic);
    Ok(HosmerLemeshow {
        statistic,
        df,
        p,
        groups: formed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_quantiles_as_r() {
        // quantile(c(1, 2, 4, 8), c(0, 1/3, 0.5, 0.9, 1)) = 1, 2, 3, 6.8, 8:
        // at 0.9, h = 1 + 3·0.9 = 3.7 → 0.3·4 + 0.7·8 = 6.8.
        let sorted = [1.0, 2.0, 4.0, 8.0];
        let got: Vec<f64> = [0.0, 1.0 / 3.0, 0.5, 0.9, 1.0]
            .iter()
            .map(|&p| quantile_type7(&sorted, p))
            .collect();
        let want = [1.0, 2.0, 3.0, 6.8, 8.0];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-14, "{got:?}");
        }
    }

    #[test]
    fn hosmer_lemeshow_by_hand() {
        // Six predictions in three groups (g = 3): quantiles at 0, 1/3,
        // 2/3, 1 of 0.1 0.2 0.3 0.4 0.5 0.6 are 0.1, 0.2667, 0.4333, 0.6,
        // so the groups are {0.1, 0.2}, {0.3, 0.4}, {0.5, 0.6}.
        // Outcomes 0 1 | 0 0 | 1 1:
        // group 1: O1 = 1, E1 = 0.3; O0 = 1, E0 = 1.7:
        //   0.49/0.3 + 0.49/1.7 = 1.633333 + 0.288235 = 1.921569
        // group 2: O1 = 0, E1 = 0.7; O0 = 2, E0 = 1.3:
        //   0.49/0.7 + 0.49/1.3 = 0.7 + 0.376923 = 1.076923
        // group 3: O1 = 2, E1 = 1.1; O0 = 0, E0 = 0.9:
        //   0.81/1.1 + 0.81/0.9 = 0.736364 + 0.9 = 1.636364
        // X² = 4.634855 on 3 − 2 = 1 df: p = erfc(sqrt(X²/2)) = 0.0313288.
        let p = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
        let y = [0.0, 1.0, 0.0, 0.0, 1.0, 1.0];
        let hl = hosmer_lemeshow(&p, &y, 3).unwrap();
        let ns: Vec<(usize, usize)> = hl.groups.iter().map(|g| (g.n, g.observed)).collect();
        assert_eq!(ns, vec![(2, 1), (2, 0), (2, 2)]);
        let expected = 0.49 / 0.3 + 0.49 / 1.7 + 0.49 / 0.7 + 0.49 / 1.3 + 0.81 / 1.1 + 0.81 / 0.9;
        assert!((hl.statistic - expected).abs() < 1e-12);
        assert!((hl.statistic - 4.634855).abs() < 1e-6);
        assert_eq!(hl.df, 1);
        assert!((hl.p - 0.0313288).abs() < 1e-7);
    }

    #[test]
    fn tied_predictions_merge_groups() {
        // Predictions take two values only: every quantile break is one of
        // them, so only two groups form — too few for a test.
        let p = [0.2, 0.2, 0.2, 0.7, 0.7, 0.7];
        let y = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0];
        let err = hosmer_lemeshow(&p, &y, 10).unwrap_err();
        assert!(matches!(
            err,
            StatsError::TooFewObservations {
                found: 2,
                needed: 3,
                ..
            }
        ));
    }

    #[test]
    fn perfectly_calibrated_predictions() {
        // Each prediction p appears 20 times with exactly 20·p events, so
        // the recalibration fit reproduces the predictions: the score
        // equations Σ (y − p) = 0 and Σ logit(p)(y − p) = 0 hold at
        // intercept 0, slope 1 (and in-the-large 0).
        let mut predicted = Vec::new();
        let mut outcome = Vec::new();
        for p in [0.1, 0.25, 0.5, 0.75, 0.9] {
            let events = (20.0 * p) as usize;
            for i in 0..20 {
                predicted.push(p);
                outcome.push(if i < events { 1.0 } else { 0.0 });
            }
        }
        let c = calibration(&predicted, &outcome, 0.95).unwrap();
        assert!(c.intercept_in_the_large.estimate.abs() < 1e-12);
        assert!((c.slope.estimate - 1.0).abs() < 1e-12);
        assert!(c.recalibration_intercept.estimate.abs() < 1e-12);
        assert_eq!((c.n, c.events), (100, 50));
        // And the Hosmer–Lemeshow statistic is 0 (observed = expected in
        // every group).
        let hl = hosmer_lemeshow(&predicted, &outcome, 5).unwrap();
        assert!(hl.statistic.abs() < 1e-20);
        assert_eq!(hl.df, 3);
    }

    #[test]
    fn in_the_large_by_hand() {
        // All predictions 0.2 (logit −1.386294), observed rate 0.5: the
        // offset model's intercept a solves logistic(a − 1.386294) = 0.5,
        // a = log 4; its variance is 1 / Σ p̂(1 − p̂) = 1 / (8·¼) = ½.
        let predicted = [0.2; 8];
        let outcome = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
        let z = two_sided_z(0.95).unwrap();
        let y = checked(&predicted, &outcome, true).unwrap();
        let logit = vec![(0.2_f64 / 0.8).ln(); 8];
        let mle = maximise(
            &DMatrix::from_element(8, 1, 1.0),
            &[INTERCEPT.to_owned()],
            &y,
            &logit,
            DVector::zeros(1),
            100,
        )
        .unwrap();
        assert!((mle.beta[0] - 4.0_f64.ln()).abs() < 1e-13);
        assert!((mle.vcov[(0, 0)] - 0.5).abs() < 1e-13);
        // The slope model is singular: the logit is constant.
        let err = calibration(&predicted, &outcome, 0.95).unwrap_err();
        assert_eq!(
            err,
            StatsError::Singular {
                detail: "logit(predicted) is constant (aliased with (Intercept))".to_owned()
            }
        );
        assert!(z > 1.95);
    }

    #[test]
    fn refuses_bad_inputs() {
        let y = [0.0, 1.0, 1.0];
        assert!(matches!(
            calibration(&[0.2, 1.0, 0.5], &y, 0.95),
            Err(StatsError::OutOfRange { index: 1, .. })
        ));
        assert!(matches!(
            hosmer_lemeshow(&[0.2, 1.2, 0.5], &y, 10),
            Err(StatsError::OutOfRange { index: 1, .. })
        ));
        assert!(matches!(
            hosmer_lemeshow(&[0.2, 0.3, 0.5], &y, 2),
            Err(StatsError::InvalidParameter { .. })
        ));
        assert!(matches!(
            calibration(&[0.2, 0.3], &y, 0.95),
            Err(StatsError::LengthMismatch { .. })
        ));
        assert!(matches!(
            calibration(&[0.2, 0.3, 0.4], &[0.0; 3], 0.95),
            Err(StatsError::NoEvents { .. })
        ));
    }
}
