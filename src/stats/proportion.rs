//! Binomial proportions with a confidence interval: Wilson's score interval
//! (as R's `prop.test(x, n, correct = FALSE)`) or the exact Clopper–Pearson
//! interval (as R's `binom.test`).

use statrs::distribution::{Beta, ContinuousCDF};

use super::StatsError;
use super::wald::two_sided_z;

/// How the confidence interval of a proportion is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalMethod {
    /// Wilson's score interval without continuity correction (Wilson 1927;
    /// R's `prop.test(x, n, correct = FALSE)$conf.int`). Good coverage for
    /// small n and proportions near 0 or 1; the default.
    #[default]
    Wilson,
    /// The exact Clopper–Pearson interval from Beta quantiles (Clopper &
    /// Pearson 1934; R's `binom.test(x, n)$conf.int`): conservative, its
    /// coverage is at least the level.
    ClopperPearson,
}

/// A proportion `successes / trials` with its confidence interval.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Proportion {
    /// The estimate, `successes / trials`.
    pub estimate: f64,
    /// Lower confidence limit.
    pub ci_lower: f64,
    /// Upper confidence limit.
    pub ci_upper: f64,
    /// The numerator.
    pub successes: usize,
    /// The denominator.
    pub trials: usize,
}

/// The proportion `successes / trials` with a two-sided confidence interval
/// at `level` (e.g. 0.95) by `method`.
///
/// At 0 successes the lower limit is exactly 0, at `trials` successes the
/// upper limit is exactly 1, for both methods. Refuses zero trials, more
/// successes than trials and a level outside (0, 1).
pub fn proportion(
    successes: usize,
    trials: usize,
    level: f64,
    method: IntervalMethod,
) -> Result<Proportion, StatsError> {
    let z = two_sided_z(level)?;
    if trials == 0 {
        return Err(StatsError::TooFewObservations {
            what: "proportion".to_owned(),
            found: 0,
            needed: 1,
        });
    }
    if successes > trials {
        return Err(StatsError::invalid_parameter(
            "successes",
            successes,
            format!("at most the {trials} trials"),
        ));
    }
    let (ci_lower, ci_upper) = match method {
        IntervalMethod::Wilson => wilson(successes, trials, z),
        IntervalMethod::ClopperPearson => clopper_pearson(successes, trials, level)?,
    };
    Ok(Proportion {
        estimate: successes as f64 / trials as f64,
        ci_lower,
        ci_upper,
        successes,
        trials,
    })
}

/// Wilson's interval: the p with |p̂ − p| ≤ z·sqrt(p(1 − p)/n), i.e.
/// (x + z²/2 ± z·sqrt(x(n − x)/n + z²/4)) / (n + z²).
fn wilson(successes: usize, trials: usize, z: f64) -> (f64, f64) {
    let x = successes as f64;
    let n = trials as f64;
    let z2 = z * z;
    let centre = (x + z2 / 2.0) / (n + z2);
    let half = z / (n + z2) * (x * (n - x) / n + z2 / 4.0).sqrt();
    // At x = 0 (or n) the limit is 0 (or 1) in exact arithmetic; the
    // subtraction of two equal floats may leave a rounding residue.
    let lower = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let upper = if successes == trials {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (lower, upper)
}

/// Clopper–Pearson: lower = Beta(x, n − x + 1) quantile at α/2, upper =
/// Beta(x + 1, n − x) quantile at 1 − α/2.
fn clopper_pearson(successes: usize, trials: usize, level: f64) -> Result<(f64, f64), StatsError> {
    let alpha = 1.0 - level;
    let x = successes as f64;
    let n = trials as f64;
    let beta_quantile = |a: f64, b: f64, p: f64| -> Result<f64, StatsError> {
        let beta = Beta::new(a, b).map_err(|err| {
            StatsError::invalid_parameter("Beta shape", format!("({a}, {b})"), err.to_string())
        })?;
        Ok(beta.inverse_cdf(p))
    };
    let lower = if successes == 0 {
        0.0
    } else {
        beta_quantile(x, n - x + 1.0, alpha / 2.0)?
    };
    let upper = if successes == trials {
        1.0
    } else {
        beta_quantile(x + 1.0, n - x, 1.0 - alpha / 2.0)?
    };
    Ok((lower, upper))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    #[test]
    fn wilson_by_hand() {
        // x = 7, n = 10, z = 1.959963984540054 (z² = 3.841458820694124):
        // centre = (7 + 1.920729410347062) / 13.841458820694124 = 0.6444934
        // half = 1.959963984540054 / 13.841458820694124
        //        · sqrt(7·3/10 + 0.960364705173531) = 0.1416010 · 1.7493898
        //      = 0.2477153
        // so (0.3967781, 0.8922087), as R's prop.test(7, 10, correct = FALSE).
        let p = proportion(7, 10, 0.95, IntervalMethod::Wilson).unwrap();
        assert_eq!(p.estimate, 0.7);
        assert!((p.ci_lower - 0.3967781).abs() < 5e-8);
        assert!((p.ci_upper - 0.8922087).abs() < 5e-8);
    }

    #[test]
    fn clopper_pearson_closed_forms() {
        // At x = n the lower limit solves p^n = α/2: (0.025)^(1/10)
        // = 0.6915029...; at x = 0 the upper solves (1 − p)^n = α/2.
        let all = proportion(10, 10, 0.95, IntervalMethod::ClopperPearson).unwrap();
        assert!((all.ci_lower - 0.025_f64.powf(0.1)).abs() < 1e-12);
        assert_eq!(all.ci_upper, 1.0);
        let none = proportion(0, 10, 0.95, IntervalMethod::ClopperPearson).unwrap();
        assert_eq!(none.ci_lower, 0.0);
        assert!((none.ci_upper - (1.0 - 0.025_f64.powf(0.1))).abs() < 1e-12);
    }

    #[test]
    fn boundaries_are_exact_for_wilson() {
        let none = proportion(0, 10, 0.95, IntervalMethod::Wilson).unwrap();
        assert_eq!(none.ci_lower, 0.0);
        let all = proportion(10, 10, 0.95, IntervalMethod::Wilson).unwrap();
        assert_eq!(all.ci_upper, 1.0);
        // Upper limit at x = 0 is z² / (n + z²).
        let z2 = 1.959963984540054_f64.powi(2);
        assert!((none.ci_upper - z2 / (10.0 + z2)).abs() < 1e-15);
    }

    proptest::proptest! {
        #[test]
        fn intervals_bracket_the_estimate_and_mirror(
            (successes, trials) in (1usize..300).prop_flat_map(|n| (0..=n, proptest::strategy::Just(n))),
            level in 0.5f64..0.999,
        ) {
            for method in [IntervalMethod::Wilson, IntervalMethod::ClopperPearson] {
                let p = proportion(successes, trials, level, method).unwrap();
                proptest::prop_assert!(0.0 <= p.ci_lower && p.ci_lower <= p.estimate);
                proptest::prop_assert!(p.estimate <= p.ci_upper && p.ci_upper <= 1.0);
                // Counting failures instead mirrors the interval about ½.
                let q = proportion(trials - successes, trials, level, method).unwrap();
                proptest::prop_assert!((p.ci_lower - (1.0 - q.ci_upper)).abs() < 1e-9);
                proptest::prop_assert!((p.ci_upper - (1.0 - q.ci_lower)).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn refuses_impossible_counts() {
        assert!(matches!(
            proportion(1, 0, 0.95, IntervalMethod::Wilson),
            Err(StatsError::TooFewObservations { .. })
        ));
        assert!(matches!(
            proportion(11, 10, 0.95, IntervalMethod::ClopperPearson),
            Err(StatsError::InvalidParameter { .. })
        ));
        assert!(matches!(
            proportion(1, 10, 1.0, IntervalMethod::Wilson),
            Err(StatsError::InvalidParameter { .. })
        ));
    }
}
