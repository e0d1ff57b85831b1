//! First-order statistics of the ROI intensities, as PyRadiomics 3.1
//! `firstorder.py` computes them: population moments, numpy's linear
//! percentiles, and histogram features (Entropy, Uniformity) over the
//! discretised gray levels. `voxelArrayShift` is added before the energy
//! features only.

use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, deprecated, feature, select};
use crate::radiomics::discretize::discretize;
use crate::radiomics::numeric::{
    numpy_mean, numpy_median_sorted, numpy_percentile_sorted, numpy_sum,
};

/// The class's features, in PyRadiomics' order.
pub const FEATURES: &[FeatureDef] = &[
    feature("10Percentile"),
    feature("90Percentile"),
    feature("Energy"),
    feature("Entropy"),
    feature("InterquartileRange"),
    feature("Kurtosis"),
    feature("Maximum"),
    feature("Mean"),
    feature("MeanAbsoluteDeviation"),
    feature("Median"),
    feature("Minimum"),
    feature("Range"),
    feature("RobustMeanAbsoluteDeviation"),
    feature("RootMeanSquared"),
    feature("Skewness"),
    deprecated("StandardDeviation"),
    feature("TotalEnergy"),
    feature("Uniformity"),
    feature("Variance"),
];

/// Central moment of order `k` (population), as PyRadiomics `_moment`.
fn moment(values: &[f64], mean: f64, k: i32) -> f64 {
    let powers: Vec<f64> = values.iter().map(|v| (v - mean).powi(k)).collect();
    numpy_mean(&powers)
}

/// `numpy.std` (population): the square root of the mean squared deviation.
fn numpy_std(values: &[f64]) -> f64 {
    moment(values, numpy_mean(values), 2).sqrt()
}

/// Computes the requested features.
pub fn compute(
    input: &ClassInput<'_>,
    wanted: &[&'static str],
) -> Result<FeatureValues, FeatureError> {
    // Discretising first also checks the ROI: not empty, finite values.
    let binned = discretize(input.image, input.mask, input.settings)
        .map_err(|err| FeatureError::binning("firstorder", err))?;
    let values: Vec<f64> = input
        .image
        .iter()
        .zip(input.mask.iter())
        .filter(|(_, inside)| **inside)
        .map(|(v, _)| *v)
        .collect();
    let n = values.len() as f64;
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);

    let shift = input.settings.voxel_array_shift;
    let shifted_squares: Vec<f64> = values.iter().map(|v| (v + shift).powi(2)).collect();
    let energy = numpy_sum(&shifted_squares);
    let voxel_volume: f64 = input.spacing.iter().product();

    // Histogram of the discretised levels, normalised.
    let mut counts = vec![0usize; binned.ng as usize + 1];
    for (&level, &inside) in binned.levels.iter().zip(input.mask.iter()) {
        if inside {
            counts[level as usize] += 1;
        }
    }
    let p: Vec<f64> = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| c as f64 / n)
        .collect();
    let entropy_terms: Vec<f64> = p.iter().map(|p| p * (p + f64::EPSILON).log2()).collect();
    let entropy = -numpy_sum(&entropy_terms);
    let uniformity = numpy_sum(&p.iter().map(|p| p * p).collect::<Vec<_>>());

    let mean = numpy_mean(&values);
    let minimum = sorted[0];
    let maximum = sorted[sorted.len() - 1];
    let p10 = numpy_percentile_sorted(&sorted, 10.0);
    let p90 = numpy_percentile_sorted(&sorted, 90.0);
    let absolute_deviations: Vec<f64> = values.iter().map(|v| (v - mean).abs()).collect();
    let robust: Vec<f64> = values
        .iter()
        .copied()
        .filter(|v| *v >= p10 && *v <= p90)
        .collect();
    let robust_mean = numpy_mean(&robust);
    let robust_deviations: Vec<f64> = robust.iter().map(|v| (v - robust_mean).abs()).collect();
    let m2 = moment(&values, mean, 2);
    // A flat ROI has no skew or tail: PyRadiomics returns 0 (m3, m4 are 0).
    let divisor = if m2 == 0.0 { 1.0 } else { m2 };
    let skewness = moment(&values, mean, 3) / divisor.powf(1.5);
    let kurtosis = moment(&values, mean, 4) / divisor.powi(2);
    let std = numpy_std(&values);

    let all = [
        ("10Percentile", p10),
        ("90Percentile", p90),
        ("Energy", energy),
        ("Entropy", entropy),
        (
            "InterquartileRange",
            numpy_percentile_sorted(&sorted, 75.0) - numpy_percentile_sorted(&sorted, 25.0),
        ),
        ("Kurtosis", kurtosis),
        ("Maximum", maximum),
        ("Mean", mean),
        ("MeanAbsoluteDeviation", numpy_mean(&absolute_deviations)),
        ("Median", numpy_median_sorted(&sorted)),
        ("Minimum", minimum),
        ("Range", maximum - minimum),
        (
            "RobustMeanAbsoluteDeviation",
            numpy_mean(&robust_deviations),
        ),
        ("RootMeanSquared", (energy / n).sqrt()),
        ("Skewness", skewness),
        ("StandardDeviation", std),
        ("TotalEnergy", energy * voxel_volume),
        ("Uniformity", uniformity),
        ("Variance", std.powi(2)),
    ];
    Ok(select(&all, wanted))
}

#[cfg(test)]
mod tests {
    use ndarray::Array3;

    use super::*;
    use crate::radiomics::settings::Settings;

    /// Hand-checked: values 1, 2, 3, 4 and 10 in a 5-voxel ROI (a sixth
    /// voxel outside it), bin width 2 (levels 1, 2, 2, 3, 6).
    #[test]
    fn small_roi_by_hand() {
        let image =
            Array3::from_shape_vec((1, 2, 3), vec![1.0, 2.0, 3.0, 4.0, 10.0, 99.0]).unwrap();
        let mask =
            Array3::from_shape_vec((1, 2, 3), vec![true, true, true, true, true, false]).unwrap();
        let settings = Settings {
            bin_width: 2.0,
            ..Settings::default()
        };
        let input = ClassInput {
            image: &image,
            mask: &mask,
            spacing: [1.0, 2.0, 0.5],
            settings: &settings,
        };
        let names: Vec<&'static str> = FEATURES.iter().map(|f| f.name).collect();
        let values: std::collections::HashMap<_, _> =
            compute(&input, &names).unwrap().into_iter().collect();
        let close = |name: &str, expected: f64| {
            let got = values[name];
            assert!(
                (got - expected).abs() <= 1e-12 * expected.abs().max(1.0),
                "{name}: {got} vs {expected}"
            );
        };
        // Mean 4, deviations -3 -2 -1 0 6.
        close("Mean", 4.0);
        close("Energy", 130.0);
        close("TotalEnergy", 130.0);
        close("RootMeanSquared", 26.0_f64.sqrt());
        close("Variance", 10.0);
        close("StandardDeviation", 10.0_f64.sqrt());
        close("MeanAbsoluteDeviation", 12.0 / 5.0);
        close("Skewness", (180.0 / 5.0) / 10.0_f64.powf(1.5));
        close("Kurtosis", (1394.0 / 5.0) / 100.0);
        close("Median", 3.0);
        close("Minimum", 1.0);
        close("Maximum", 10.0);
        close("Range", 9.0);
        close("10Percentile", 1.4);
        close("90Percentile", 7.6);
        close("InterquartileRange", 2.0);
        // Between the 10th and 90th percentiles: 2, 3, 4 (mean 3).
        close("RobustMeanAbsoluteDeviation", 2.0 / 3.0);
        // Levels 1, 2, 2, 3, 6: p = 0.2, 0.4, 0.2, 0.2.
        close("Uniformity", 0.04 + 0.16 + 0.04 + 0.04);
        let entropy =
            -(3.0 * 0.2 * (0.2f64 + f64::EPSILON).log2() + 0.4 * (0.4f64 + f64::EPSILON).log2());
        close("Entropy", entropy);
    }

    #[test]
    fn a_flat_roi_has_no_skewness_or_kurtosis() {
        let image = Array3::from_elem((1, 1, 4), 7.0);
        let mask = Array3::from_elem((1, 1, 4), true);
        let settings = Settings::default();
        let input = ClassInput {
            image: &image,
            mask: &mask,
            spacing: [1.0; 3],
            settings: &settings,
        };
        let values = compute(&input, &["Kurtosis", "Skewness", "Entropy"]).unwrap();
        assert_eq!(
            values,
            [
                ("Kurtosis", 0.0),
                ("Skewness", 0.0),
                ("Entropy", -(1.0f64 + f64::EPSILON).log2())
            ]
        );
    }
}
