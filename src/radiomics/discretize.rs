//! Gray-level discretisation, as PyRadiomics 3.1 `imageoperations.getBinEdges`
//! and `binImage` compute it, down to numpy's floating-point steps.
//!
//! - Fixed bin width W: edges start at the largest multiple of W not above
//!   the ROI minimum (`min - (min mod W)`, Python's floored modulo) and run
//!   to `max + 2W` exclusive, as `numpy.arange` lays them out.
//! - Fixed bin count N: `numpy.histogram`'s N equal bins between the ROI
//!   minimum and maximum (±0.5 for a flat ROI), the last edge raised by 1.
//! - A voxel's level is `numpy.digitize`: the number of edges at or below
//!   its value. Levels inside the ROI start at 1; voxels outside are 0.

use ndarray::{Array3, Zip};

use super::settings::Settings;

/// A discretised ROI.
#[derive(Debug, Clone, PartialEq)]
pub struct Binned {
    /// Gray level of each voxel, `[z, y, x]`: 1 and up inside the ROI, 0
    /// outside.
    pub levels: Array3<u32>,
    /// The bin edges used.
    pub edges: Vec<f64>,
    /// The distinct levels present in the ROI, ascending.
    pub gray_levels: Vec<u32>,
    /// The largest level in the ROI (PyRadiomics' `Ng`).
    pub ng: u32,
}

/// Python's `float % float`: the remainder with the sign of the divisor.
fn python_mod(x: f64, w: f64) -> f64 {
    let r = x % w;
    if r != 0.0 && ((w < 0.0) != (r < 0.0)) {
        r + w
    } else {
        r
    }
}

/// `numpy.arange(start, stop, step)` for floats: the length is
/// `ceil((stop - start) / step)`, the second value `start + step`, and every
/// later one `start + i * (second - start)`.
fn numpy_arange(start: f64, stop: f64, step: f64) -> Vec<f64> {
    let length = ((stop - start) / step).ceil().max(0.0) as usize;
    let mut values = Vec::with_capacity(length);
    if length == 0 {
        return values;
    }
    values.push(start);
    if length > 1 {
        values.push(start + step);
    }
    let delta = (start + step) - start;
    for i in 2..length {
        values.push(start + i as f64 * delta);
    }
    values
}

/// `numpy.linspace(start, stop, num)` with its endpoint: `i * step + start`,
/// the last value exactly `stop`.
fn numpy_linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let step = (stop - start) / (num - 1) as f64;
    let mut values: Vec<f64> = (0..num).map(|i| i as f64 * step + start).collect();
    if let Some(last) = values.last_mut() {
        *last = stop;
    }
    values
}

/// The bin edges of a set of ROI values under the settings' `binWidth` or
/// `binCount` (see the module documentation). `values` must not be empty.
pub fn bin_edges(values: &[f64], settings: &Settings) -> Vec<f64> {
    let minimum = values.iter().copied().fold(f64::INFINITY, f64::min);
    let maximum = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    match settings.bin_count {
        Some(count) => {
            let (first, last) = if minimum == maximum {
                (minimum - 0.5, maximum + 0.5)
            } else {
                (minimum, maximum)
            };
            let mut edges = numpy_linspace(first, last, count as usize + 1);
            if let Some(top) = edges.last_mut() {
                *top += 1.0;
            }
            edges
        }
        None => {
            let width = settings.bin_width;
            let low = minimum - python_mod(minimum, width);
            let high = maximum + 2.0 * width;
            let edges = numpy_arange(low, high, width);
            if edges.len() == 1 {
                // A flat ROI on a multiple of the width: one bin around it.
                vec![edges[0] - 0.5, edges[0] + 0.5]
            } else {
                edges
            }
        }
    }
}

/// `numpy.digitize(value, edges)` for ascending edges: how many edges are at
/// or below the value.
pub fn digitize(value: f64, edges: &[f64]) -> u32 {
    edges.partition_point(|edge| *edge <= value) as u32
}

/// [`digitize`] for edges spaced about evenly (as both binning modes make
/// them): the bin is first guessed from the mean spacing, then moved until
/// the edges around it bracket the value, so the answer is exactly
/// `digitize`'s whatever the guess, in a step or two instead of a binary
/// search over every edge.
struct EvenEdges<'a> {
    edges: &'a [f64],
    first: f64,
    step: f64,
}

impl<'a> EvenEdges<'a> {
    fn new(edges: &'a [f64]) -> Self {
        let (first, last) = match edges {
            [first, .., last] => (*first, *last),
            _ => (0.0, 0.0),
        };
        let step = (last - first) / (edges.len().max(2) - 1) as f64;
        EvenEdges { edges, first, step }
    }

    fn digitize(&self, value: f64) -> u32 {
        let edges = self.edges;
        let guess = (value - self.first) / self.step;
        if !(guess.is_finite() && self.step > 0.0) {
            return digitize(value, edges);
        }
        // Float-to-int casts saturate: negative guesses become 0.
        let mut index = (guess as usize).min(edges.len());
        while index < edges.len() && edges[index] <= value {
            index += 1;
        }
        while index > 0 && edges[index - 1] > value {
            index -= 1;
        }
        index as u32
    }
}

/// The most gray levels a discretisation may make: 2²⁴. More would only
/// come from a bin width far too small for the intensities, and the bin
/// edges alone would fill memory (PyRadiomics' own matrices overflow long
/// before).
pub const MAX_BINS: usize = 1 << 24;

/// Why an ROI cannot be discretised.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BinningError {
    /// The image and mask arrays differ in shape.
    #[error("the image ({image:?}) and the mask ({mask:?}) differ in shape")]
    ShapeMismatch {
        /// Image shape, `[z, y, x]`.
        image: Vec<usize>,
        /// Mask shape, `[z, y, x]`.
        mask: Vec<usize>,
    },
    /// The ROI has no voxel.
    #[error("the ROI is empty")]
    EmptyRoi,
    /// An ROI intensity is NaN or infinite.
    #[error("the ROI holds a non-finite intensity ({0})")]
    NonFinite(f64),
    /// The settings would make absurdly many bins.
    #[error(
        "intensities {low} to {high} make {bins:.3e} gray levels, more than the {MAX_BINS} allowed; use a larger binWidth or a smaller binCount"
    )]
    TooManyBins {
        /// Lowest ROI intensity.
        low: f64,
        /// Highest ROI intensity.
        high: f64,
        /// Bins the settings would make.
        bins: f64,
    },
}

/// Discretises the ROI of an image (PyRadiomics `binImage`), after checking
/// that it can be: same shapes, a non-empty ROI of finite intensities, and
/// at most [`MAX_BINS`] bins. Every ROI voxel gets a level of 1 or more: the
/// first edge is at or below the ROI minimum.
pub fn discretize(
    image: &Array3<f64>,
    mask: &Array3<bool>,
    settings: &Settings,
) -> Result<Binned, BinningError> {
    if image.shape() != mask.shape() {
        return Err(BinningError::ShapeMismatch {
            image: image.shape().to_vec(),
            mask: mask.shape().to_vec(),
        });
    }
    let mut values = Vec::new();
    for (&value, &inside) in image.iter().zip(mask.iter()) {
        if inside {
            if !value.is_finite() {
                return Err(BinningError::NonFinite(value));
            }
            values.push(value);
        }
    }
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if values.is_empty() {
        return Err(BinningError::EmptyRoi);
    }
    let bins = match settings.bin_count {
        Some(count) => f64::from(count),
        None => (high - low) / settings.bin_width + 3.0,
    };
    // NaN (an infinite range) must be refused too, hence no `bins > MAX`.
    if bins.is_nan() || bins > MAX_BINS as f64 {
        return Err(BinningError::TooManyBins { low, high, bins });
    }
    let edges = bin_edges(&values, settings);
    let mut levels = Array3::<u32>::zeros(image.raw_dim());
    let mut counts = vec![0usize; edges.len() + 1];
    let level_of = EvenEdges::new(&edges);
    Zip::from(&mut levels)
        .and(image)
        .and(mask)
        .for_each(|level, &value, &inside| {
            if inside {
                *level = level_of.digitize(value);
                counts[*level as usize] += 1;
            }
        });
    let gray_levels: Vec<u32> = (0..counts.len() as u32)
        .filter(|&l| counts[l as usize] > 0)
        .collect();
    Ok(Binned {
        levels,
        ng: gray_levels.last().copied().unwrap_or(0),
        gray_levels,
        edges,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn width(w: f64) -> Settings {
        Settings {
            bin_width: w,
            ..Settings::default()
        }
    }

    fn count(n: u32) -> Settings {
        Settings {
            bin_count: Some(n),
            ..Settings::default()
        }
    }

    // Expected edges are PyRadiomics 3.1.4 `getBinEdges` outputs (numpy 1.26).
    #[test]
    fn even_edges_digitize_as_the_binary_search_does() {
        let edge_sets: [Vec<f64>; 4] = [
            (0..40).map(|i| -312.5 + 25.0 * f64::from(i)).collect(),
            (0..33).map(|i| 0.1 * f64::from(i) * 1.000_000_1).collect(),
            vec![1.0, 2.0, 4.0, 8.0, 16.0],
            vec![3.0],
        ];
        for edges in &edge_sets {
            let even = EvenEdges::new(edges);
            let mut values: Vec<f64> = edges
                .iter()
                .flat_map(|&e| [e, e.next_down(), e.next_up(), e - 0.5, e + 0.5])
                .collect();
            values.extend([-1e9, 1e9, 0.0, -0.0]);
            for value in values {
                assert_eq!(
                    even.digitize(value),
                    digitize(value, edges),
                    "{value} in {edges:?}"
                );
            }
        }
    }

    #[test]
    fn fixed_width_edges_match_pyradiomics() {
        assert_eq!(
            bin_edges(&[54.0, 166.0], &width(25.0)),
            [50.0, 75.0, 100.0, 125.0, 150.0, 175.0, 200.0]
        );
        assert_eq!(
            bin_edges(&[-123.456, 17.3], &width(25.0)),
            [-125.0, -100.0, -75.0, -50.0, -25.0, 0.0, 25.0, 50.0]
        );
        assert_eq!(
            bin_edges(&[0.1, 0.35, 0.75], &width(0.1)),
            [
                0.1,
                0.2,
                0.30000000000000004,
                0.4,
                0.5,
                0.6,
                0.7000000000000001,
                0.8,
                0.9
            ]
        );
        assert_eq!(bin_edges(&[50.0, 50.0], &width(25.0)), [50.0, 75.0]);
    }

    #[test]
    fn fixed_count_edges_match_pyradiomics() {
        assert_eq!(
            bin_edges(&[1.0, 2.0, 3.0, 10.0], &count(4)),
            [1.0, 3.25, 5.5, 7.75, 11.0]
        );
        assert_eq!(
            bin_edges(&[0.3, 0.3], &count(3)),
            [-0.2, 0.1333333333333333, 0.4666666666666666, 1.8]
        );
        let edges = bin_edges(&[1.0, 2.0, 3.0, 10.0], &count(4));
        let levels: Vec<u32> = [1.0, 2.0, 3.0, 10.0]
            .iter()
            .map(|&v| digitize(v, &edges))
            .collect();
        assert_eq!(levels, [1, 1, 1, 4]);
    }

    #[test]
    fn levels_start_at_one_inside_and_are_zero_outside() {
        let image =
            Array3::from_shape_vec((1, 2, 3), vec![10.0, 30.0, 55.0, 99.0, 26.0, 0.0]).unwrap();
        let mask =
            Array3::from_shape_vec((1, 2, 3), vec![true, true, true, false, true, false]).unwrap();
        let binned = discretize(&image, &mask, &width(25.0)).unwrap();
        assert_eq!(
            binned.levels.iter().copied().collect::<Vec<_>>(),
            [1, 2, 3, 0, 2, 0]
        );
        assert_eq!(binned.gray_levels, [1, 2, 3]);
        assert_eq!(binned.ng, 3);
    }

    #[test]
    fn unbinnable_rois_are_refused() {
        let image = Array3::from_shape_vec((1, 1, 3), vec![0.0, 1e300, f64::NAN]).unwrap();
        let first_two = Array3::from_shape_vec((1, 1, 3), vec![true, true, false]).unwrap();
        let nan = Array3::from_shape_vec((1, 1, 3), vec![false, false, true]).unwrap();
        let none = Array3::from_elem((1, 1, 3), false);
        assert!(matches!(
            discretize(&image, &first_two, &width(1.0)),
            Err(BinningError::TooManyBins { .. })
        ));
        assert!(matches!(
            discretize(&image, &nan, &width(1.0)),
            Err(BinningError::NonFinite(_))
        ));
        assert_eq!(
            discretize(&image, &none, &width(1.0)),
            Err(BinningError::EmptyRoi)
        );
        let other = Array3::from_elem((1, 3, 1), true);
        assert!(matches!(
            discretize(&image, &other, &width(1.0)),
            Err(BinningError::ShapeMismatch { .. })
        ));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn values_range(image: &Array3<f64>) -> (f64, f64) {
            let low = image.iter().copied().fold(f64::INFINITY, f64::min);
            let high = image.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (low, high)
        }

        proptest! {
            #[test]
            fn every_roi_voxel_gets_a_level_within_the_bins(
                values in proptest::collection::vec(-1e6f64..1e6, 1..60),
                width in 0.01f64..500.0,
                count in proptest::option::of(1u32..64),
            ) {
                let n = values.len();
                let image = Array3::from_shape_vec((1, 1, n), values).unwrap();
                let mask = Array3::from_elem((1, 1, n), true);
                let settings = Settings { bin_width: width, bin_count: count, ..Settings::default() };
                // Wide ranges over narrow bins must be refused, not binned:
                // the refusal is part of the property.
                let (low, high) = values_range(&image);
                let fixed_width_bins = (high - low) / width + 3.0;
                if count.is_none() && fixed_width_bins > MAX_BINS as f64 {
                    let refused = discretize(&image, &mask, &settings);
                    prop_assert!(
                        matches!(refused, Err(BinningError::TooManyBins { .. })),
                        "expected TooManyBins, got {refused:?}"
                    );
                    return Ok(());
                }
                let binned = discretize(&image, &mask, &settings).unwrap();
                prop_assert!(binned.levels.iter().all(|&l| l >= 1 && (l as usize) < binned.edges.len()));
                if let Some(count) = count {
                    prop_assert!(binned.ng <= count);
                }
            }
        }
    }

    #[test]
    fn python_modulo_has_the_sign_of_the_divisor() {
        assert_eq!(python_mod(-123.0, 25.0), 2.0);
        assert_eq!(python_mod(123.0, 25.0), 23.0);
        assert_eq!(python_mod(-50.0, 25.0), 0.0);
    }
}
