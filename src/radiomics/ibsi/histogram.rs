//! Intensity histogram features (IBSI 1, section 3.4, ZVCW): the
//! distribution of the discretised intensities `X_d` (the grey levels of
//! [`IbsiRoi::levels`], 1-based) of the voxels in the intensity mask, over
//! the 3D volume (DHQ4).
//!
//! The histogram `H = {n_1, …, n_Ng}` counts every grey level from 1 to
//! `N_g` = [`IbsiRoi::n_levels`] (or the highest level present, if higher),
//! empty bins included ("non-sparse", 3.4.20); `p_i = n_i / N_v`.
//!
//! Conventions (IBSI 3.4 unless noted):
//! - mean, variance, skewness, kurtosis, percentiles and deviations are
//!   those of [`super::statistics::Distribution`] on `X_d` (population
//!   moments, excess kurtosis, 0 skewness and kurtosis for zero variance,
//!   linear percentiles of type 7);
//! - the mode (3.4.10) is the level with the highest count; ties go to the
//!   level closest to the mean, and between two equally close levels to
//!   the lower one ("the bin to the left of the mean");
//! - entropy uses log₂ and skips empty bins (`0 log 0 = 0`, 3.4.18);
//! - the histogram gradient (3.4.20) is `n₂ − n₁` at `i = 1`,
//!   `(n_{i+1} − n_{i−1}) / 2` inside and `n_Ng − n_{Ng−1}` at `i = N_g`;
//!   the grey level of the maximum (minimum) gradient is the lowest level
//!   attaining it. With `N_g = 1` the gradient has no definition (there is
//!   no second bin) and the four gradient features are NaN.
//!
//! Level 0 marks voxels outside the intensity mask ([`IbsiRoi::levels`]);
//! a voxel of the intensity mask with level 0 is not counted. An empty
//! intensity mask gives NaN for every feature.

use super::statistics::Distribution;
use super::{IbsiFeature, IbsiRoi};

/// The tags of this family, in the manual's order.
pub const TAGS: [&str; 23] = [
    "ih_mean",
    "ih_var",
    "ih_skew",
    "ih_kurt",
    "ih_median",
    "ih_min",
    "ih_p10",
    "ih_p90",
    "ih_max",
    "ih_mode",
    "ih_iqr",
    "ih_range",
    "ih_mad",
    "ih_rmad",
    "ih_medad",
    "ih_cov",
    "ih_qcod",
    "ih_entropy",
    "ih_uniformity",
    "ih_max_grad",
    "ih_max_grad_g",
    "ih_min_grad",
    "ih_min_grad_g",
];

/// The histogram gradient `H'` of counts `n_1 … n_Ng` (index 0 is grey
/// level 1), IBSI 3.4.20: one-sided differences at both ends, central
/// differences inside. Empty with fewer than two bins.
pub fn histogram_gradient(counts: &[u64]) -> Vec<f64> {
    let n = counts.len();
    if n < 2 {
        return Vec::new();
    }
    let c = |i: usize| counts[i] as f64;
    (0..n)
        .map(|i| match i {
            0 => c(1) - c(0),
            i if i == n - 1 => c(n - 1) - c(n - 2),
            i => (c(i + 1) - c(i - 1)) / 2.0,
        })
        .collect()
}

/// The mode of a histogram (IBSI 3.4.10): the level (1-based) with the
/// highest count, ties to the level closest to `mean`, then to the lower.
/// `None` for an empty histogram.
pub fn histogram_mode(counts: &[u64], mean: f64) -> Option<u32> {
    let highest = *counts.iter().max()?;
    if highest == 0 {
        return None;
    }
    counts
        .iter()
        .enumerate()
        .filter(|&(_, &n)| n == highest)
        .map(|(i, _)| i as u32 + 1)
        .min_by(|&a, &b| {
            let (da, db) = ((f64::from(a) - mean).abs(), (f64::from(b) - mean).abs());
            da.total_cmp(&db).then(a.cmp(&b))
        })
}

/// Every `ih_*` feature of [`TAGS`], in that order (IBSI 3.4.1–3.4.23).
pub fn features(roi: &IbsiRoi) -> Vec<IbsiFeature> {
    let levels: Vec<u32> = roi
        .levels
        .iter()
        .zip(roi.intensity_mask.iter())
        .filter(|&(&level, &inside)| inside && level > 0)
        .map(|(&level, _)| level)
        .collect();
    let mut values: Vec<f64> = levels.iter().map(|&l| f64::from(l)).collect();
    let Some(d) = Distribution::of(&mut values) else {
        return TAGS
            .iter()
            .map(|tag| IbsiFeature::new(*tag, f64::NAN))
            .collect();
    };
    let n_g = levels.iter().copied().max().unwrap_or(0).max(roi.n_levels) as usize;
    let mut counts = vec![0u64; n_g];
    for &level in &levels {
        counts[level as usize - 1] += 1;
    }
    let n_v = d.count as f64;
    let (mut entropy, mut uniformity) = (0.0, 0.0);
    for &n in &counts {
        if n > 0 {
            let p = n as f64 / n_v;
            entropy -= p * p.log2();
            uniformity += p * p;
        }
    }
    let mode = histogram_mode(&counts, d.mean).map_or(f64::NAN, f64::from);
    let gradient = histogram_gradient(&counts);
    let extreme = |better: fn(f64, f64) -> bool| {
        gradient
            .iter()
            .enumerate()
            .fold(None, |best: Option<(usize, f64)>, (i, &g)| match best {
                Some((_, b)) if !better(g, b) => best,
                _ => Some((i, g)),
            })
            .map_or((f64::NAN, f64::NAN), |(i, g)| (g, (i + 1) as f64))
    };
    let (max_grad, max_grad_g) = extreme(|g, best| g > best);
    let (min_grad, min_grad_g) = extreme(|g, best| g < best);
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
        mode,
        d.iqr(),
        d.range(),
        d.mad,
        d.rmad,
        d.medad,
        d.cov(),
        d.qcod(),
        entropy,
        uniformity,
        max_grad,
        max_grad_g,
        min_grad,
        min_grad_g,
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

    fn roi(levels: &[u32], n_levels: u32) -> IbsiRoi {
        let n = levels.len();
        IbsiRoi {
            intensity: Array3::from_shape_vec(
                (1, 1, n),
                levels.iter().map(|&l| f64::from(l)).collect(),
            )
            .unwrap(),
            intensity_mask: Array3::from_elem((1, 1, n), true),
            morphological_mask: Array3::from_elem((1, 1, n), true),
            spacing: [1.0; 3],
            levels: Array3::from_shape_vec((1, 1, n), levels.to_vec()).unwrap(),
            n_levels,
        }
    }

    fn value(features: &[IbsiFeature], tag: &str) -> f64 {
        features.iter().find(|f| f.tag == tag).unwrap().value
    }

    #[test]
    fn gradient_at_the_edges_and_inside() {
        // The digital phantom's histogram: 50, 0, 1, 16, 0, 7.
        let counts = [50, 0, 1, 16, 0, 7];
        assert_eq!(
            histogram_gradient(&counts),
            vec![-50.0, -24.5, 8.0, -0.5, -4.5, 7.0]
        );
        // Two bins: both ends are the same one-sided difference.
        assert_eq!(histogram_gradient(&[3, 5]), vec![2.0, 2.0]);
        // One bin: no gradient.
        assert!(histogram_gradient(&[4]).is_empty());
        assert!(histogram_gradient(&[]).is_empty());
    }

    #[test]
    fn gradient_features_pick_the_lowest_level_on_ties() {
        // Levels 1..4 with counts 1, 3, 1, 3: gradient 2, 0, 0, 2.
        let features = features(&roi(&[1, 2, 2, 2, 3, 4, 4, 4], 4));
        assert_eq!(value(&features, "ih_max_grad"), 2.0);
        assert_eq!(value(&features, "ih_max_grad_g"), 1.0);
        assert_eq!(value(&features, "ih_min_grad"), 0.0);
        assert_eq!(value(&features, "ih_min_grad_g"), 2.0);
        // Empty trailing bins count: N_g = 6 with levels up to 4 gives
        // counts 1 3 1 3 0 0 and gradient 2 0 0 −0.5 −1.5 0.
        let features = super::features(&roi(&[1, 2, 2, 2, 3, 4, 4, 4], 6));
        assert_eq!(value(&features, "ih_min_grad"), -1.5);
        assert_eq!(value(&features, "ih_min_grad_g"), 5.0);
        // A single grey level has no gradient.
        let single = super::features(&roi(&[1, 1, 1], 1));
        assert!(value(&single, "ih_max_grad").is_nan());
        assert!(value(&single, "ih_min_grad_g").is_nan());
        assert_eq!(value(&single, "ih_entropy"), 0.0);
        assert_eq!(value(&single, "ih_uniformity"), 1.0);
    }

    #[test]
    fn mode_ties_go_to_the_mean_then_left() {
        // Counts 2, 1, 2: mean 2, levels 1 and 3 equally close → 1.
        assert_eq!(histogram_mode(&[2, 1, 2], 2.0), Some(1));
        // Counts 2, 0, 0, 2, 1 with mean 3.2: level 4 is closer.
        assert_eq!(histogram_mode(&[2, 0, 0, 2, 1], 3.2), Some(4));
        assert_eq!(histogram_mode(&[0, 0], 1.0), None);
    }

    #[test]
    fn entropy_and_uniformity_by_hand() {
        // p = 1/4, 1/4, 1/2: entropy 1.5 bits, uniformity 3/8.
        let features = features(&roi(&[1, 2, 3, 3], 3));
        assert_eq!(value(&features, "ih_entropy"), 1.5);
        assert_eq!(value(&features, "ih_uniformity"), 0.375);
        assert_eq!(value(&features, "ih_mean"), 2.25);
        assert_eq!(value(&features, "ih_mode"), 3.0);
    }

    #[test]
    fn empty_mask_gives_nan() {
        let mut empty = roi(&[1, 2], 2);
        empty.intensity_mask.fill(false);
        let features = features(&empty);
        assert_eq!(features.len(), TAGS.len());
        assert!(features.iter().all(|f| f.value.is_nan()));
    }

    proptest! {
        #[test]
        fn histogram_invariants(levels in prop::collection::vec(1u32..12, 1..300)) {
            let features = features(&roi(&levels, 12));
            let f = |tag: &str| value(&features, tag);
            prop_assert!(f("ih_var") >= 0.0);
            prop_assert!(f("ih_min") <= f("ih_p10") && f("ih_p10") <= f("ih_median"));
            prop_assert!(f("ih_median") <= f("ih_p90") && f("ih_p90") <= f("ih_max"));
            prop_assert!(f("ih_min") <= f("ih_mode") && f("ih_mode") <= f("ih_max"));
            prop_assert!(f("ih_entropy") >= 0.0 && f("ih_entropy") <= 12f64.log2() + 1e-12);
            prop_assert!(f("ih_uniformity") >= 1.0 / 12.0 - 1e-12 && f("ih_uniformity") <= 1.0);
            prop_assert!(f("ih_min_grad") <= f("ih_max_grad"));
            // The gradients sum to the telescoped edges.
            let mut counts = [0u64; 12];
            for &l in &levels {
                counts[l as usize - 1] += 1;
            }
            let gradient = histogram_gradient(&counts);
            prop_assert!(gradient.iter().all(|g| g.abs() <= levels.len() as f64));
        }
    }
}
