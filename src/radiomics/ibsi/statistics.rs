//! Intensity-based statistical features (IBSI 1, section 3.3, UHIW): the
//! distribution of the intensities `X_gl` of the voxels in the intensity
//! mask, without discretisation, computed over the 3D volume (DHQ4).
//!
//! Conventions (IBSI 3.3 unless noted):
//! - variance, skewness and kurtosis are population moments (divided by
//!   `N_v`, no bias correction, 3.3.2); kurtosis is the excess kurtosis
//!   (− 3, 3.3.4); skewness and kurtosis are 0 when the variance is 0, as
//!   the manual defines;
//! - percentiles (median, P10, P25, P75, P90) interpolate linearly between
//!   order statistics: `P_p = x_(h) + (h − ⌊h⌋)(x_(h+1) − x_(h))` with
//!   `h = (N − 1) p / 100` on the 0-based sorted values (Hyndman & Fan
//!   type 7, numpy's and R's default). The manual names no convention; this
//!   one gives the phantom's P90 = 4 (3.3.7 notes some give 4.2);
//! - the robust mean absolute deviation uses the voxels with
//!   `P10 ≤ x ≤ P90` (3.3.12); two distinct values leave none there, and
//!   it is NaN;
//! - the coefficient of variation `σ / μ` and the quartile coefficient of
//!   dispersion `(P75 − P25) / (P75 + P25)` are NaN when their denominator
//!   is 0.
//!
//! An empty intensity mask gives NaN for every feature (no intensities to
//! describe).

use super::{IbsiFeature, IbsiRoi};

/// The tags of this family, in the manual's order.
pub const TAGS: [&str; 18] = [
    "stat_mean",
    "stat_var",
    "stat_skew",
    "stat_kurt",
    "stat_median",
    "stat_min",
    "stat_p10",
    "stat_p90",
    "stat_max",
    "stat_iqr",
    "stat_range",
    "stat_mad",
    "stat_rmad",
    "stat_medad",
    "stat_cov",
    "stat_qcod",
    "stat_energy",
    "stat_rms",
];

/// The `p`-th percentile (0–100) of ascending `sorted` values, linear
/// between order statistics (Hyndman & Fan type 7); NaN without values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * p / 100.0;
            let low = h.floor() as usize;
            if low + 1 >= n {
                return sorted[n - 1];
            }
            let fraction = h - low as f64;
            if fraction == 0.0 {
                sorted[low]
            } else {
                sorted[low] + fraction * (sorted[low + 1] - sorted[low])
            }
        }
    }
}

/// The descriptive statistics IBSI defines alike for intensities (3.3) and
/// discretised intensities (3.4).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Distribution {
    /// Number of values `N_v`.
    pub count: usize,
    /// Mean `μ`.
    pub mean: f64,
    /// Population variance (divided by `N_v`).
    pub variance: f64,
    /// Skewness `m₃ / m₂^{3/2}`, 0 when the variance is 0.
    pub skewness: f64,
    /// Excess kurtosis `m₄ / m₂² − 3`, 0 when the variance is 0.
    pub kurtosis: f64,
    /// Median (the 50th percentile).
    pub median: f64,
    /// Smallest value.
    pub minimum: f64,
    /// 10th percentile.
    pub p10: f64,
    /// 25th percentile.
    pub p25: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Largest value.
    pub maximum: f64,
    /// Mean absolute deviation from the mean.
    pub mad: f64,
    /// Mean absolute deviation of the values in `[P10, P90]` from their
    /// own mean; NaN when no value lies there (two distinct values).
    pub rmad: f64,
    /// Mean absolute deviation from the median.
    pub medad: f64,
}

impl Distribution {
    /// The statistics of `values` (sorted in place); `None` without
    /// values.
    pub fn of(values: &mut [f64]) -> Option<Distribution> {
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let (mut m2, mut m3, mut m4, mut mad) = (0.0, 0.0, 0.0, 0.0);
        for &x in values.iter() {
            let d = x - mean;
            let d2 = d * d;
            m2 += d2;
            m3 += d2 * d;
            m4 += d2 * d2;
            mad += d.abs();
        }
        let (m2, m3, m4, mad) = (m2 / n, m3 / n, m4 / n, mad / n);
        let (skewness, kurtosis) = if m2 == 0.0 {
            (0.0, 0.0)
        } else {
            (m3 / m2.powf(1.5), m4 / (m2 * m2) - 3.0)
        };
        let median = percentile(values, 50.0);
        let p10 = percentile(values, 10.0);
        let p90 = percentile(values, 90.0);
        let robust: Vec<f64> = values
            .iter()
            .copied()
            .filter(|&x| p10 <= x && x <= p90)
            .collect();
        let rmad = if robust.is_empty() {
            f64::NAN
        } else {
            let robust_mean = robust.iter().sum::<f64>() / robust.len() as f64;
            robust.iter().map(|x| (x - robust_mean).abs()).sum::<f64>() / robust.len() as f64
        };
        let medad = values.iter().map(|x| (x - median).abs()).sum::<f64>() / n;
        Some(Distribution {
            count: values.len(),
            mean,
            variance: m2,
            skewness,
            kurtosis,
            median,
            minimum: values[0],
            p10,
            p25: percentile(values, 25.0),
            p75: percentile(values, 75.0),
            p90,
            maximum: values[values.len() - 1],
            mad,
            rmad,
            medad,
        })
    }

    /// Interquartile range `P75 − P25`.
    pub fn iqr(&self) -> f64 {
        self.p75 - self.p25
    }

    /// Range `max − min`.
    pub fn range(&self) -> f64 {
        self.maximum - self.minimum
    }

    /// Coefficient of variation `σ / μ`; NaN when `μ = 0`.
    pub fn cov(&self) -> f64 {
        ratio(self.variance.sqrt(), self.mean)
    }

    /// Quartile coefficient of dispersion `(P75 − P25) / (P75 + P25)`; NaN
    /// when `P75 + P25 = 0`.
    pub fn qcod(&self) -> f64 {
        ratio(self.p75 - self.p25, self.p75 + self.p25)
    }
}

/// `a / b`, NaN when `b` is 0 (never ±∞).
pub(crate) fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { f64::NAN } else { a / b }
}

/// The intensities of the voxels in the intensity mask, `X_gl`.
pub(crate) fn masked_intensities(roi: &IbsiRoi) -> Vec<f64> {
    roi.intensity
        .iter()
        .zip(roi.intensity_mask.iter())
        .filter(|&(_, &inside)| inside)
        .map(|(&x, _)| x)
        .collect()
}

/// Every `stat_*` feature of [`TAGS`], in that order (IBSI 3.3.1–3.3.18).
pub fn features(roi: &IbsiRoi) -> Vec<IbsiFeature> {
    let mut values = masked_intensities(roi);
    let energy: f64 = values.iter().map(|x| x * x).sum();
    let Some(d) = Distribution::of(&mut values) else {
        return TAGS
            .iter()
            .map(|tag| IbsiFeature::new(*tag, f64::NAN))
            .collect();
    };
    let rms = (energy / d.count as f64).sqrt();
    let values = [
        d.mean,
        d.variance,
        d.skewness,
        d.kurtosis,
        d.median,
        d.minimum,
        d.p10,
        d.p90,
        d.maximum,
        d.iqr(),
        d.range(),
        d.mad,
        d.rmad,
        d.medad,
        d.cov(),
        d.qcod(),
        energy,
        rms,
    ];
    TAGS.iter()
        .zip(values)
        .map(|(tag, value)| IbsiFeature::new(*tag, value))
        .collect()
}

#[cfg(test)]
mod tests {
    use ndarray::Array3;
    use proptest::prelude::*;

    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
    }

    /// An ROI of one row holding `values`, all in both masks.
    fn row_roi(values: &[f64]) -> IbsiRoi {
        let n = values.len();
        IbsiRoi {
            intensity: Array3::from_shape_vec((1, 1, n), values.to_vec()).unwrap(),
            intensity_mask: Array3::from_elem((1, 1, n), true),
            morphological_mask: Array3::from_elem((1, 1, n), true),
            spacing: [1.0; 3],
            levels: Array3::from_shape_vec((1, 1, n), values.iter().map(|&v| v as u32).collect())
                .unwrap(),
            n_levels: values.iter().fold(0.0f64, |m, &v| m.max(v)) as u32,
        }
    }

    fn value(features: &[IbsiFeature], tag: &str) -> f64 {
        features.iter().find(|f| f.tag == tag).unwrap().value
    }

    #[test]
    fn percentiles_interpolate_linearly() {
        let sorted = [1.0, 2.0, 4.0, 8.0];
        // h = 3p/100: P50 at 1.5 → 3, P10 at 0.3 → 1.3, P90 at 2.7 → 6.8.
        assert_eq!(percentile(&sorted, 50.0), 3.0);
        assert!(close(percentile(&sorted, 10.0), 1.3));
        assert!(close(percentile(&sorted, 90.0), 6.8));
        assert_eq!(percentile(&sorted, 0.0), 1.0);
        assert_eq!(percentile(&sorted, 100.0), 8.0);
        assert_eq!(percentile(&[5.0], 37.0), 5.0);
        assert!(percentile(&[], 50.0).is_nan());
    }

    #[test]
    fn statistics_of_a_small_list_by_hand() {
        // 1, 2, 3, 4, 10: mean 4, deviations −3 −2 −1 0 6.
        let features = features(&row_roi(&[4.0, 1.0, 10.0, 2.0, 3.0]));
        assert_eq!(value(&features, "stat_mean"), 4.0);
        // Σd² = 9 + 4 + 1 + 0 + 36 = 50 → variance 10.
        assert_eq!(value(&features, "stat_var"), 10.0);
        // Σd³ = −27 − 8 − 1 + 216 = 180 → m₃ = 36, skew = 36 / 10^1.5.
        assert!(close(value(&features, "stat_skew"), 36.0 / 10f64.powf(1.5)));
        // Σd⁴ = 81 + 16 + 1 + 1296 = 1394 → m₄ = 278.8, kurt = 2.788 − 3.
        assert!(close(value(&features, "stat_kurt"), 2.788 - 3.0));
        assert_eq!(value(&features, "stat_median"), 3.0);
        assert_eq!(value(&features, "stat_min"), 1.0);
        // h = 0.4 → 1.4; h = 3.6 → 4 + 0.6 · 6 = 7.6.
        assert!(close(value(&features, "stat_p10"), 1.4));
        assert!(close(value(&features, "stat_p90"), 7.6));
        assert_eq!(value(&features, "stat_max"), 10.0);
        // P25 = 2, P75 = 4.
        assert_eq!(value(&features, "stat_iqr"), 2.0);
        assert_eq!(value(&features, "stat_range"), 9.0);
        assert_eq!(value(&features, "stat_mad"), 12.0 / 5.0);
        // Values in [1.4, 7.6]: 2, 3, 4 → mean 3, deviations 1 0 1.
        assert!(close(value(&features, "stat_rmad"), 2.0 / 3.0));
        // |x − 3|: 2 1 0 1 7 → 11 / 5.
        assert!(close(value(&features, "stat_medad"), 2.2));
        assert!(close(value(&features, "stat_cov"), 10f64.sqrt() / 4.0));
        assert!(close(value(&features, "stat_qcod"), 2.0 / 6.0));
        // 1 + 4 + 9 + 16 + 100 = 130.
        assert_eq!(value(&features, "stat_energy"), 130.0);
        assert!(close(value(&features, "stat_rms"), 26f64.sqrt()));
    }

    #[test]
    fn constant_and_empty_regions() {
        let features = features(&row_roi(&[2.0, 2.0, 2.0]));
        assert_eq!(value(&features, "stat_var"), 0.0);
        // The manual sets skewness and kurtosis to 0 for zero variance.
        assert_eq!(value(&features, "stat_skew"), 0.0);
        assert_eq!(value(&features, "stat_kurt"), 0.0);
        assert_eq!(value(&features, "stat_cov"), 0.0);
        // A zero mean has no coefficient of variation.
        let zero = features_of(&[0.0, -1.0, 1.0]);
        assert!(value(&zero, "stat_cov").is_nan());
        assert!(value(&zero, "stat_qcod").is_nan());
        // P10 = 1.1 and P90 = 1.9 of {1, 2} leave no value between them.
        assert!(value(&features_of(&[1.0, 2.0]), "stat_rmad").is_nan());
        let mut empty = row_roi(&[1.0, 2.0]);
        empty.intensity_mask.fill(false);
        let features = super::features(&empty);
        assert_eq!(features.len(), TAGS.len());
        assert!(features.iter().all(|f| f.value.is_nan()));
    }

    fn features_of(values: &[f64]) -> Vec<IbsiFeature> {
        features(&row_roi(values))
    }

    proptest! {
        #[test]
        fn statistics_are_ordered(values in prop::collection::vec(-1e3f64..1e3, 1..200)) {
            let features = features_of(&values);
            let f = |tag: &str| value(&features, tag);
            prop_assert!(f("stat_var") >= 0.0);
            prop_assert!(f("stat_min") <= f("stat_p10"));
            prop_assert!(f("stat_p10") <= f("stat_median"));
            prop_assert!(f("stat_median") <= f("stat_p90"));
            prop_assert!(f("stat_p90") <= f("stat_max"));
            prop_assert!(f("stat_iqr") >= 0.0 && f("stat_iqr") <= f("stat_range"));
            prop_assert!(f("stat_mad") >= 0.0);
            // Two distinct values leave no voxel in [P10, P90]: NaN.
            prop_assert!(f("stat_rmad") >= 0.0 || (f("stat_rmad").is_nan() && values.len() == 2));
            // The median minimises the mean absolute deviation.
            prop_assert!(f("stat_medad") <= f("stat_mad") * (1.0 + 1e-12) + 1e-12);
            prop_assert!(f("stat_rms") * f("stat_rms") >= f("stat_var") * (1.0 - 1e-9) - 1e-9);
        }
    }
}
