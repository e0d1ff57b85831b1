//! The region of interest: selecting it from a label mask, checking it as
//! PyRadiomics' `checkMask` does, and cropping images to it.

use ndarray::{Array3, s};

use super::settings::Settings;

/// Why an ROI cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoiError {
    /// The mask has no non-zero voxel.
    #[error("the mask is empty: nothing is segmented")]
    Empty,
    /// The label is not in the mask.
    #[error("label {label} is not in the mask; it holds {present}")]
    LabelAbsent {
        /// The label asked for.
        label: u32,
        /// The labels present, e.g. `1, 2`.
        present: String,
    },
    /// The ROI is one voxel.
    #[error("the ROI is a single voxel; features need more")]
    SingleVoxel,
    /// The ROI spans too few dimensions.
    #[error("the ROI spans {found} dimension(s), minimumROIDimensions is {required}")]
    TooFewDimensions {
        /// Dimensions in which the ROI is more than one voxel wide.
        found: u32,
        /// The setting.
        required: u32,
    },
    /// The ROI has too few voxels.
    #[error("the ROI has {voxels} voxels, minimumROISize requires more than {required}")]
    TooSmall {
        /// Voxels in the ROI.
        voxels: u64,
        /// The setting.
        required: u64,
    },
}

/// The ROI's bounding box in array indices, inclusive: `lower[a]..=upper[a]`
/// along axis `a` of `[z, y, x]`.
pub use crate::imaging::BoundingBox;

/// Selects the voxels of `label` from a label volume whose values have been
/// cast to whole numbers as PyRadiomics does (`sitk.Cast` to UInt32:
/// truncation toward zero).
pub fn select_label(mask: &Array3<f64>, label: u32) -> Result<Array3<bool>, RoiError> {
    let wanted = f64::from(label);
    // `trunc(v) == label` for a label of 1 or more, without the call.
    let roi = mask.mapv(|v| v >= wanted && v < wanted + 1.0);
    if roi.iter().any(|&inside| inside) {
        return Ok(roi);
    }
    let mut present: Vec<i64> = mask
        .iter()
        .map(|v| v.trunc() as i64)
        .filter(|&v| v != 0)
        .collect();
    if present.is_empty() {
        return Err(RoiError::Empty);
    }
    present.sort_unstable();
    present.dedup();
    let listed: Vec<String> = present.iter().take(20).map(ToString::to_string).collect();
    Err(RoiError::LabelAbsent {
        label,
        present: listed.join(", "),
    })
}

/// The bounding box of the ROI, or `None` when it is empty.
pub fn bounding_box(roi: &Array3<bool>) -> Option<BoundingBox> {
    let mut found: Option<BoundingBox> = None;
    let ny = roi.shape()[1];
    for (line, row) in roi.rows().into_iter().enumerate() {
        let (z, y) = (line / ny, line % ny);
        // Whole rows at a time: the first and last ROI voxel of each row.
        let Some(first) = row.iter().position(|&inside| inside) else {
            continue;
        };
        let last = row.iter().rposition(|&inside| inside).unwrap_or(first);
        let bbox = found.get_or_insert(BoundingBox {
            lower: [z, y, first],
            upper: [z, y, last],
        });
        bbox.lower = [
            bbox.lower[0].min(z),
            bbox.lower[1].min(y),
            bbox.lower[2].min(first),
        ];
        bbox.upper = [
            bbox.upper[0].max(z),
            bbox.upper[1].max(y),
            bbox.upper[2].max(last),
        ];
    }
    found
}

/// Checks the ROI against `minimumROIDimensions` and `minimumROISize` and
/// returns its bounding box (PyRadiomics `checkMask`, after the geometry
/// check).
pub fn check_roi(roi: &Array3<bool>, settings: &Settings) -> Result<BoundingBox, RoiError> {
    let bbox = bounding_box(roi).ok_or(RoiError::Empty)?;
    let voxels = || roi.iter().filter(|&&inside| inside).count() as u64;
    check_box(&bbox, voxels, settings)?;
    Ok(bbox)
}

/// The checks of [`check_roi`] on a bounding box already known; `voxels`
/// counts the ROI, only when `minimumROISize` asks for it.
pub fn check_box(
    bbox: &BoundingBox,
    voxels: impl FnOnce() -> u64,
    settings: &Settings,
) -> Result<(), RoiError> {
    let dimensions = bbox.size().iter().filter(|&&extent| extent > 1).count() as u32;
    if dimensions == 0 {
        return Err(RoiError::SingleVoxel);
    }
    if dimensions < settings.minimum_roi_dimensions {
        return Err(RoiError::TooFewDimensions {
            found: dimensions,
            required: settings.minimum_roi_dimensions,
        });
    }
    if let Some(required) = settings.minimum_roi_size {
        let voxels = voxels();
        if voxels <= required {
            return Err(RoiError::TooSmall { voxels, required });
        }
    }
    Ok(())
}

/// The part of `array` inside the bounding box widened by `pad` voxels on
/// every side, clipped to the array (PyRadiomics `cropToTumorMask`). Also
/// returns the offset of the crop's first voxel in `array`.
pub fn crop<T: Clone>(
    array: &Array3<T>,
    bbox: &BoundingBox,
    pad: usize,
) -> (Array3<T>, [usize; 3]) {
    let shape = array.shape();
    let low = [0, 1, 2].map(|a| bbox.lower[a].saturating_sub(pad));
    let high = [0, 1, 2].map(|a| (bbox.upper[a] + pad).min(shape[a] - 1));
    let view = array.slice(s![low[0]..=high[0], low[1]..=high[1], low[2]..=high[2]]);
    (view.to_owned(), low)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(values: &[f64], shape: (usize, usize, usize)) -> Array3<f64> {
        Array3::from_shape_vec(shape, values.to_vec()).unwrap()
    }

    #[test]
    fn labels_are_selected_after_truncation() {
        let m = mask(&[0.0, 1.0, 1.9, 2.0, 0.0, 1.0], (1, 2, 3));
        let roi = select_label(&m, 1).unwrap();
        assert_eq!(roi.iter().filter(|&&v| v).count(), 3);
        assert_eq!(
            select_label(&m, 3).unwrap_err().to_string(),
            "label 3 is not in the mask; it holds 1, 2"
        );
        assert_eq!(
            select_label(&mask(&[0.0; 6], (1, 2, 3)), 1),
            Err(RoiError::Empty)
        );
    }

    #[test]
    fn roi_checks_follow_pyradiomics() {
        let settings = Settings::default();
        let mut roi = Array3::from_elem((3, 4, 5), false);
        roi[[1, 2, 3]] = true;
        assert_eq!(check_roi(&roi, &settings), Err(RoiError::SingleVoxel));
        roi[[1, 2, 4]] = true;
        assert_eq!(
            check_roi(&roi, &settings),
            Err(RoiError::TooFewDimensions {
                found: 1,
                required: 2
            })
        );
        roi[[1, 3, 4]] = true;
        let bbox = check_roi(&roi, &settings).unwrap();
        assert_eq!(
            bbox,
            BoundingBox {
                lower: [1, 2, 3],
                upper: [1, 3, 4]
            }
        );
        let strict = Settings {
            minimum_roi_size: Some(3),
            ..Settings::default()
        };
        assert_eq!(
            check_roi(&roi, &strict),
            Err(RoiError::TooSmall {
                voxels: 3,
                required: 3
            })
        );
    }

    #[test]
    fn crops_are_padded_and_clipped() {
        let array = Array3::from_shape_fn((3, 4, 5), |(z, y, x)| z * 100 + y * 10 + x);
        let bbox = BoundingBox {
            lower: [1, 2, 3],
            upper: [1, 3, 4],
        };
        let (cropped, offset) = crop(&array, &bbox, 0);
        assert_eq!(cropped.shape(), [1, 2, 2]);
        assert_eq!(cropped[[0, 0, 0]], 123);
        let (padded, offset_padded) = crop(&array, &bbox, 2);
        assert_eq!(padded.shape(), [3, 4, 4]);
        assert_eq!((offset, offset_padded), ([1, 2, 3], [0, 0, 1]));
    }
}
