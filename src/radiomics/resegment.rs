//! Re-segmentation of the ROI by intensity, as PyRadiomics 3.1
//! `imageoperations.resegmentMask` does it.

use ndarray::{Array3, Zip};

use super::numeric::numpy_mean;
use super::settings::{ResegmentMode, Settings};

/// Why re-segmentation failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResegmentError {
    /// Too few voxels are left.
    #[error(
        "re-segmentation to [{low}, {high}] keeps {kept} voxel(s) of the ROI; at least 2 are needed"
    )]
    TooFewVoxels {
        /// Lower threshold applied.
        low: f64,
        /// Upper threshold applied (infinite when there is none).
        high: f64,
        /// Voxels kept.
        kept: usize,
    },
}

/// Keeps the ROI voxels whose intensity lies in the closed range given by
/// `resegmentRange`: absolute values, fractions of the ROI maximum
/// (`relative`) or standard deviations from the ROI mean (`sigma`, with the
/// population standard deviation as numpy's `std`). One threshold keeps
/// everything at or above it. Returns `None` when re-segmentation is off.
pub fn resegment(
    image: &Array3<f64>,
    roi: &Array3<bool>,
    settings: &Settings,
) -> Result<Option<Array3<bool>>, ResegmentError> {
    let Some(range) = &settings.resegment_range else {
        return Ok(None);
    };
    let mut thresholds = range.clone();
    thresholds.sort_by(f64::total_cmp);
    let values: Vec<f64> = image
        .iter()
        .zip(roi.iter())
        .filter(|(_, inside)| **inside)
        .map(|(v, _)| *v)
        .collect();
    match settings.resegment_mode {
        ResegmentMode::Absolute => {}
        ResegmentMode::Relative => {
            let maximum = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            thresholds.iter_mut().for_each(|t| *t *= maximum);
        }
        ResegmentMode::Sigma => {
            let mean = numpy_mean(&values);
            let squares: Vec<f64> = values.iter().map(|v| (v - mean).powi(2)).collect();
            let sd = numpy_mean(&squares).sqrt();
            thresholds.iter_mut().for_each(|t| *t = mean + sd * *t);
        }
    }
    let low = thresholds[0];
    let high = thresholds.get(1).copied().unwrap_or(f64::INFINITY);
    let mut kept_roi = roi.clone();
    Zip::from(&mut kept_roi)
        .and(image)
        .for_each(|inside, &value| {
            *inside = *inside && value >= low && value <= high;
        });
    let kept = kept_roi.iter().filter(|&&inside| inside).count();
    if kept <= 1 {
        return Err(ResegmentError::TooFewVoxels { low, high, kept });
    }
    Ok(Some(kept_roi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> (Array3<f64>, Array3<bool>) {
        let image =
            Array3::from_shape_vec((1, 1, 6), vec![1.0, 2.0, 3.0, 4.0, 10.0, 50.0]).unwrap();
        let roi =
            Array3::from_shape_vec((1, 1, 6), vec![true, true, true, true, true, false]).unwrap();
        (image, roi)
    }

    fn kept(settings: &Settings) -> Vec<bool> {
        let (image, roi) = case();
        resegment(&image, &roi, settings)
            .unwrap()
            .unwrap()
            .into_iter()
            .collect()
    }

    #[test]
    fn each_mode_keeps_the_closed_range() {
        let absolute = Settings {
            resegment_range: Some(vec![4.0, 2.0]),
            ..Settings::default()
        };
        assert_eq!(kept(&absolute), [false, true, true, true, false, false]);
        let relative = Settings {
            resegment_range: Some(vec![0.3]),
            resegment_mode: ResegmentMode::Relative,
            ..Settings::default()
        };
        assert_eq!(kept(&relative), [false, false, true, true, true, false]);
        // Mean 4, population SD sqrt(10) ≈ 3.16: one SD keeps 0.84..7.16.
        let sigma = Settings {
            resegment_range: Some(vec![-1.0, 1.0]),
            resegment_mode: ResegmentMode::Sigma,
            ..Settings::default()
        };
        assert_eq!(kept(&sigma), [true, true, true, true, false, false]);
    }

    #[test]
    fn too_few_voxels_left_is_an_error() {
        let (image, roi) = case();
        let settings = Settings {
            resegment_range: Some(vec![9.0, 11.0]),
            ..Settings::default()
        };
        assert_eq!(
            resegment(&image, &roi, &settings),
            Err(ResegmentError::TooFewVoxels {
                low: 9.0,
                high: 11.0,
                kept: 1
            })
        );
        assert_eq!(resegment(&image, &roi, &Settings::default()), Ok(None));
    }
}
