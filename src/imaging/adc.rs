//! Apparent diffusion coefficient (ADC) maps from diffusion-weighted images.
//!
//! The mono-exponential model S(b) = S0 · exp(−b · ADC) is fitted per voxel
//! by ordinary least squares of ln S on b over the b-values whose signal is
//! positive (the log-linear fit; with two b-values it is exact:
//! ADC = ln(S1/S2) / (b2 − b1)). A voxel with fewer than two positive
//! signals has no defined ADC and gets 0; a negative fitted ADC (signal
//! rising with b, i.e. noise) is set to 0 as well. Both are counted in the
//! result so the caller can report them. Values are written in
//! 10⁻⁶ mm²/s (µm²/s), the unit scanners export ADC maps in, which keeps
//! them in a range PyRadiomics-style fixed bin widths suit.

use ndarray::{Array3, Zip};

use super::{GeometryMismatch, GeometryTolerance, PixelType, Volume};

/// ADC units per mm²/s: maps are stored in 10⁻⁶ mm²/s.
pub const ADC_SCALE: f64 = 1e6;

/// An ADC map and how many voxels had no valid fit.
#[derive(Debug, Clone, PartialEq)]
pub struct AdcMap {
    /// The map, in 10⁻⁶ mm²/s, as 32-bit floats on the inputs' grid.
    pub volume: Volume,
    /// Voxels with fewer than two positive signals (set to 0).
    pub without_signal: usize,
    /// Voxels whose fitted ADC was negative (set to 0).
    pub negative: usize,
}

/// Why an ADC map cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AdcError {
    /// Fewer than two distinct b-values.
    #[error("an ADC fit needs two or more distinct b-values, got {0:?}")]
    TooFewBValues(Vec<f64>),
    /// A DWI volume lies on another grid than the first.
    #[error("the b={b} image lies on another grid: {}", .mismatches.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    GridMismatch {
        /// The b-value of the odd image.
        b: f64,
        /// How its grid differs.
        mismatches: Vec<GeometryMismatch>,
    },
}

/// Fits the ADC of every voxel from DWI volumes at their b-values (s/mm²).
pub fn adc_map(images: &[(f64, &Volume)]) -> Result<AdcMap, AdcError> {
    let mut b_values: Vec<f64> = images.iter().map(|(b, _)| *b).collect();
    b_values.sort_by(f64::total_cmp);
    b_values.dedup();
    if b_values.len() < 2 {
        return Err(AdcError::TooFewBValues(b_values));
    }
    let (_, first) = images[0];
    for (b, image) in &images[1..] {
        let mismatches = first
            .geometry
            .mismatches(&image.geometry, GeometryTolerance::default());
        if !mismatches.is_empty() {
            return Err(AdcError::GridMismatch { b: *b, mismatches });
        }
    }
    let mut adc = Array3::<f64>::zeros(first.data.raw_dim());
    let mut without_signal = 0;
    let mut negative = 0;
    // Logical (z, y, x) order, whatever the arrays' memory layout.
    let signals: Vec<Vec<f64>> = images
        .iter()
        .map(|(_, v)| v.data.iter().copied().collect())
        .collect();
    let mut points: Vec<(f64, f64)> = Vec::with_capacity(images.len());
    for (index, out) in adc.iter_mut().enumerate() {
        points.clear();
        for (k, (b, _)) in images.iter().enumerate() {
            let s = signals[k][index];
            if s > 0.0 {
                points.push((*b, s.ln()));
            }
        }
        match fit_slope(&points) {
            None => without_signal += 1,
            Some(slope) if -slope < 0.0 => negative += 1,
            Some(slope) => *out = -slope * ADC_SCALE,
        }
    }
    Zip::from(&mut adc).for_each(|v| *v = f64::from(*v as f32));
    Ok(AdcMap {
        volume: Volume {
            data: adc,
            geometry: first.geometry.clone(),
            pixel_type: PixelType::F32,
        },
        without_signal,
        negative,
    })
}

/// Least-squares slope of y on x; `None` without two distinct x.
fn fit_slope(points: &[(f64, f64)]) -> Option<f64> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    Some(sxy / sxx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::Geometry;

    fn volume(values: &[f64]) -> Volume {
        Volume {
            data: Array3::from_shape_vec((1, 1, values.len()), values.to_vec()).unwrap(),
            geometry: Geometry {
                dims: [values.len(), 1, 1],
                spacing: [2.0, 2.0, 5.0],
                origin: [0.0; 3],
                direction: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            },
            pixel_type: PixelType::I16,
        }
    }

    #[test]
    fn two_b_values_give_the_exact_log_ratio() {
        let s0 = 1000.0;
        let adc: f64 = 1.2e-3;
        let b0 = volume(&[s0, 500.0, 0.0, 100.0]);
        let b800 = volume(&[s0 * (-800.0 * adc).exp(), 500.0, 40.0, 200.0]);
        let map = adc_map(&[(0.0, &b0), (800.0, &b800)]).unwrap();
        let values: Vec<f64> = map.volume.data.iter().copied().collect();
        assert!((values[0] - 1200.0).abs() < 1e-3, "{}", values[0]);
        assert_eq!(values[1], 0.0); // no decay: ADC 0
        assert_eq!(values[2], 0.0); // no signal at b=0
        assert_eq!(values[3], 0.0); // signal rising with b
        assert_eq!((map.without_signal, map.negative), (1, 1));
        assert_eq!(map.volume.pixel_type, PixelType::F32);
    }

    #[test]
    fn three_b_values_are_fitted_by_least_squares() {
        let adc: f64 = 0.9e-3;
        let signal = |b: f64| 800.0 * (-b * adc).exp();
        let (a, b, c) = (
            volume(&[signal(0.0)]),
            volume(&[signal(400.0)]),
            volume(&[signal(1000.0)]),
        );
        let map = adc_map(&[(0.0, &a), (400.0, &b), (1000.0, &c)]).unwrap();
        assert!((map.volume.data[[0, 0, 0]] - 900.0).abs() < 1e-3);
    }

    #[test]
    fn bad_inputs_say_why() {
        let a = volume(&[1.0, 2.0]);
        assert_eq!(
            adc_map(&[(800.0, &a), (800.0, &a)]),
            Err(AdcError::TooFewBValues(vec![800.0]))
        );
        let mut other = volume(&[1.0, 2.0]);
        other.geometry.spacing[2] = 4.0;
        let err = adc_map(&[(0.0, &a), (800.0, &other)])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("the b=800 image lies on another grid: spacing"),
            "{err}"
        );
    }
}
