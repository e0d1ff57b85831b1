//! Descriptive statistics of a sample: mean, standard deviation, and
//! quantiles as R's `quantile()` computes them by default (type 7, the
//! same as numpy's `linear` percentiles).

use serde::Serialize;

use super::StatsError;

/// The arithmetic mean, summed in two passes (the mean, then the mean
/// of the deviations from it, added back) for accuracy; none for an empty
/// sample.
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let first = values.iter().sum::<f64>() / n;
    let correction = values.iter().map(|v| v - first).sum::<f64>() / n;
    Some(first + correction)
}

/// The sample standard deviation (divisor n − 1, as R's `sd()` and
/// tableone's ddof = 1), from the deviations about the mean; none for
/// fewer than two values.
pub fn sd(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let centre = mean(values)?;
    let squares: f64 = values.iter().map(|v| (v - centre) * (v - centre)).sum();
    Some((squares / (values.len() - 1) as f64).sqrt())
}

/// The `probability` quantile of values sorted in increasing order, R's
/// type 7: with h = (n − 1)·p, j = ⌊h⌋, the value (1 − (h − j))·x₍ⱼ₎ +
/// (h − j)·x₍ⱼ₊₁₎ (zero-based), as R `quantile(x, p)`. Refuses an empty
/// sample and a probability outside [0, 1].
pub fn quantile_sorted(sorted: &[f64], probability: f64) -> Result<f64, StatsError> {
    if !(0.0..=1.0).contains(&probability) {
        return Err(StatsError::invalid_parameter(
            "probability",
            probability,
            "a probability from 0 to 1",
        ));
    }
    let Some(&last) = sorted.last() else {
        return Err(StatsError::TooFewObservations {
            what: "the sample".to_owned(),
            found: 0,
            needed: 1,
        });
    };
    let h = (sorted.len() - 1) as f64 * probability;
    let low = h.floor();
    let fraction = h - low;
    // h is at most n − 1, so ⌊h⌋ indexes the sample and ⌊h⌋ + 1 does
    // whenever the fraction is not zero; `get` spares a panic regardless.
    let index = low as usize;
    let below = sorted.get(index).copied().unwrap_or(last);
    let above = sorted.get(index + 1).copied().unwrap_or(last);
    if fraction == 0.0 || above == below {
        return Ok(below);
    }
    Ok((1.0 - fraction) * below + fraction * above)
}

/// Summary of a continuous variable in one group: count, missing, mean,
/// SD and the type-7 median and quartiles; the statistics are none where
/// there are too few values (SD needs two).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContinuousSummary {
    /// Values present.
    pub n: usize,
    /// Values missing.
    pub missing: usize,
    /// Mean.
    pub mean: Option<f64>,
    /// Standard deviation (n − 1).
    pub sd: Option<f64>,
    /// Median.
    pub median: Option<f64>,
    /// First quartile (25th percentile, type 7).
    pub q1: Option<f64>,
    /// Third quartile (75th percentile, type 7).
    pub q3: Option<f64>,
}

impl ContinuousSummary {
    /// Summarises the values present (`values`) with `missing` absent.
    pub fn of(values: &[f64], missing: usize) -> ContinuousSummary {
        let mut sorted = values.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        let at = |p: f64| quantile_sorted(&sorted, p).ok();
        ContinuousSummary {
            n: values.len(),
            missing,
            mean: mean(values),
            sd: sd(values),
            median: at(0.5),
            q1: at(0.25),
            q3: at(0.75),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_seven_quantiles_by_hand() {
        // x = 1, 2, 4, 8 (n = 4): p = 0.25 → h = 0.75: 0.25·1 + 0.75·2 = 1.75;
        // p = 0.5 → h = 1.5: (2 + 4)/2 = 3; p = 0.75 → h = 2.25:
        // 0.75·4 + 0.25·8 = 5. R: quantile(c(1,2,4,8)) = 1, 1.75, 3, 5, 8.
        let x = [1.0, 2.0, 4.0, 8.0];
        let got: Vec<f64> = [0.0, 0.25, 0.5, 0.75, 1.0]
            .iter()
            .map(|&p| quantile_sorted(&x, p).unwrap())
            .collect();
        assert_eq!(got, vec![1.0, 1.75, 3.0, 5.0, 8.0]);
        assert!(quantile_sorted(&[], 0.5).is_err());
        assert!(quantile_sorted(&x, 1.5).is_err());
        assert_eq!(quantile_sorted(&[7.0], 0.3).unwrap(), 7.0);
    }

    #[test]
    fn mean_and_sd_by_hand() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squares 9+1+1+1+0+0+4+16 = 32,
        // sd = √(32/7).
        let x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean(&x), Some(5.0));
        assert!((sd(&x).unwrap() - (32.0_f64 / 7.0).sqrt()).abs() < 1e-15);
        assert_eq!(sd(&[1.0]), None);
        assert_eq!(mean(&[]), None);
        let summary = ContinuousSummary::of(&x, 2);
        assert_eq!((summary.n, summary.missing), (8, 2));
        // h = 7·0.25 = 1.75: 0.25·4 + 0.75·4 = 4; h = 5.25: 0.75·5 + 0.25·7 = 5.5.
        assert_eq!(
            (summary.q1, summary.median, summary.q3),
            (Some(4.0), Some(4.5), Some(5.5))
        );
    }
}
