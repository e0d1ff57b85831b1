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

/// Discretises the ROI of an image (PyRadiomics `binImage`).
pub fn discretize(image: &Array3<f64>, mask: &Array3<bool>, settings: &Settings) -> Binned {
    let values: Vec<f64> = image
        .iter()
        .zip(mask.iter())
        .filter(|(_, inside)| **inside)
        .map(|(value, _)| *value)
        .collect();
    let edges = if values.is_empty() {
        Vec::new()
    } else {
        bin_edges(&values, settings)
    };
    let mut levels = Array3::<u32>::zeros(image.raw_dim());
    let mut present = Vec::new();
    Zip::from(&mut levels)
        .and(image)
        .and(mask)
        .for_each(|level, &value, &inside| {
            if inside {
                *level = digitize(value, &edges);
            }
        });
    for (&level, &inside) in levels.iter().zip(mask.iter()) {
        if inside {
            present.push(level);
        }
    }
    present.sort_unstable();
    present.dedup();
    Binned {
        levels,
        ng: present.last().copied().unwrap_or(0),
        gray_levels: present,
        edges,
    }
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
        let binned = discretize(&image, &mask, &width(25.0));
        assert_eq!(
            binned.levels.iter().copied().collect::<Vec<_>>(),
            [1, 2, 3, 0, 2, 0]
        );
        assert_eq!(binned.gray_levels, [1, 2, 3]);
        assert_eq!(binned.ng, 3);
    }

    #[test]
    fn python_modulo_has_the_sign_of_the_divisor() {
        assert_eq!(python_mod(-123.0, 25.0), 2.0);
        assert_eq!(python_mod(123.0, 25.0), 23.0);
        assert_eq!(python_mod(-50.0, 25.0), 0.0);
    }
}
