//! Image preprocessing as PyRadiomics 3.1 does it before features are
//! computed (`radiomics.imageoperations`), reproducing SimpleITK 2.5's
//! results voxel for voxel:
//!
//! - [`resample_image_and_mask`]: `resampleImage` — the output grid limited
//!   to the ROI's bounding box plus `padDistance`, the image interpolated
//!   with the chosen interpolator and cast back to its pixel type, the mask
//!   with nearest neighbour;
//! - [`normalize_image`]: `normalizeImage` — SimpleITK `Normalize`, then
//!   `removeOutliers`, then `normalizeScale`;
//! - [`geometry_differences`], [`align_mask`], [`correct_mask`],
//!   [`roi_box_in_image`]: the image/mask geometry check of `checkMask`
//!   (SimpleITK's "Inputs do not occupy the same physical space!", here
//!   saying what differs), `_correctMask` and `_checkROI`.
//!
//! Masks are [`Volume`]s of label values, selected by `settings.label`
//! after truncation, as PyRadiomics' cast to UInt32 selects them.
//! Geometries are radcohort's (RAS+); the arithmetic is done in ITK's LPS
//! frame through [`ItkFrame`].

use std::fmt;

use ndarray::{Axis, s};
use rayon::prelude::*;

use super::settings::{Interpolator, Settings};
use crate::imaging::resample::lps_ras;
use crate::imaging::{
    Geometry, Interpolation, ItkFrame, PixelType, ResampleError, Volume, resample,
};

/// Why preprocessing could not produce an image and mask.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PreprocessError {
    /// The resampler refused a grid.
    #[error("resampling")]
    Resample(#[from] ResampleError),
    /// A volume's voxel array does not match its geometry.
    #[error(
        "the {which}'s voxel array is {actual:?} ([z, y, x]) but its geometry says {expected:?}"
    )]
    ShapeMismatch {
        /// `image` or `mask`.
        which: &'static str,
        /// Shape from the geometry, `[z, y, x]`.
        expected: [usize; 3],
        /// Shape of the array.
        actual: [usize; 3],
    },
    /// The label is not in the mask (or vanished when the mask was resampled).
    #[error("label {label} is not present in the {which}")]
    LabelAbsent {
        /// The label.
        label: u32,
        /// Which mask: `mask` or `mask resampled onto the image grid`.
        which: &'static str,
    },
    /// The ROI's bounding box reaches outside the image (PyRadiomics
    /// `_checkROI`: "Bounding box of ROI is larger than image space").
    #[error(
        "the bounding box of label {label} reaches outside the image: in image index space (x, y, z) \
         it spans {lower:?} to {upper:?}, the image is {size:?} voxels, i.e. -0.5 to size - 0.5 \
         (tolerance 0.001)"
    )]
    RoiOutsideImage {
        /// The label.
        label: u32,
        /// Lower corner of the box, continuous image index (x, y, z).
        lower: [f64; 3],
        /// Upper corner of the box, continuous image index (x, y, z).
        upper: [f64; 3],
        /// Image size (x, y, z).
        size: [usize; 3],
    },
    /// Image and mask grids differ beyond SimpleITK's tolerance and
    /// `correctMask` is off.
    #[error(
        "image and mask do not occupy the same physical space: {}; enable correctMask to resample \
         the mask onto the image, or raise geometryTolerance",
        join(differences)
    )]
    GeometryMismatch {
        /// Everything that differs.
        differences: Vec<GeometryDifference>,
    },
    /// The resampled grid would hold no voxel along an axis.
    #[error("the resampled grid would be empty: {size:?} voxels (x, y, z)")]
    EmptyGrid {
        /// Size computed as PyRadiomics computes it.
        size: [i64; 3],
    },
    /// The image cannot be normalised.
    #[error("cannot normalize the image: {reason}")]
    CannotNormalize {
        /// Why (a constant image, or fewer than two voxels).
        reason: String,
    },
}

fn join(differences: &[GeometryDifference]) -> String {
    let parts: Vec<String> = differences.iter().map(ToString::to_string).collect();
    parts.join("; ")
}

/// One way in which a mask's grid differs from its image's, as SimpleITK
/// tests it (`ImageToImageFilter::VerifyInputInformation`, ITK 5.4).
#[derive(Debug, Clone, PartialEq)]
pub enum GeometryDifference {
    /// Different numbers of voxels (SimpleITK refuses these before any
    /// tolerance applies).
    Size {
        /// Image size (x, y, z).
        image: [usize; 3],
        /// Mask size (x, y, z).
        mask: [usize; 3],
    },
    /// A spacing differs by more than the coordinate tolerance.
    Spacing {
        /// Image spacing (x, y, z), mm.
        image: [f64; 3],
        /// Mask spacing (x, y, z), mm.
        mask: [f64; 3],
        /// Tolerance in mm (ITK: tolerance × the image's x spacing).
        tolerance: f64,
    },
    /// An origin coordinate differs by more than the coordinate tolerance.
    Origin {
        /// Image origin, RAS mm as in the NIfTI header.
        image: [f64; 3],
        /// Mask origin, RAS mm.
        mask: [f64; 3],
        /// Tolerance in mm.
        tolerance: f64,
    },
    /// A direction cosine differs by more than the direction tolerance.
    Direction {
        /// Image direction, rows, RAS.
        image: [[f64; 3]; 3],
        /// Mask direction, rows, RAS.
        mask: [[f64; 3]; 3],
        /// Tolerance.
        tolerance: f64,
    },
}

fn largest_difference<'a>(
    a: impl Iterator<Item = &'a f64>,
    b: impl Iterator<Item = &'a f64>,
) -> f64 {
    a.zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

impl fmt::Display for GeometryDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GeometryDifference::Size { image, mask } => write!(
                f,
                "size differs: image {}×{}×{}, mask {}×{}×{} voxels",
                image[0], image[1], image[2], mask[0], mask[1], mask[2]
            ),
            GeometryDifference::Spacing {
                image,
                mask,
                tolerance,
            } => write!(
                f,
                "spacing differs by up to {:.3e} mm (tolerance {:e} mm): image {:?}, mask {:?}",
                largest_difference(image.iter(), mask.iter()),
                tolerance,
                image,
                mask
            ),
            GeometryDifference::Origin {
                image,
                mask,
                tolerance,
            } => write!(
                f,
                "origin differs by up to {:.3e} mm (tolerance {:e} mm): image {:?}, mask {:?} (RAS)",
                largest_difference(image.iter(), mask.iter()),
                tolerance,
                image,
                mask
            ),
            GeometryDifference::Direction {
                image,
                mask,
                tolerance,
            } => write!(
                f,
                "direction differs by up to {:.3e} (tolerance {:e}): image {:?}, mask {:?} (RAS rows)",
                largest_difference(image.iter().flatten(), mask.iter().flatten()),
                tolerance,
                image,
                mask
            ),
        }
    }
}

/// Every way in which the mask's grid differs from the image's, judged as
/// SimpleITK's `LabelStatisticsImageFilter` judges it before it raises
/// "Inputs do not occupy the same physical space!": origin and spacing
/// each within `tolerance × image spacing[0]` mm, direction cosines within
/// `tolerance`, where `tolerance` is `geometryTolerance` when set (PyRadiomics
/// sets both of SimpleITK's global tolerances to it) and ITK's default 1e-6
/// otherwise. A coordinate differs when `|image − mask| > tolerance`.
/// Sizes must match exactly. Empty when the grids match.
pub fn geometry_differences(
    image: &Geometry,
    mask: &Geometry,
    geometry_tolerance: Option<f64>,
) -> Vec<GeometryDifference> {
    let tolerance = geometry_tolerance.unwrap_or(1e-6);
    let coordinate = (tolerance * image.spacing[0]).abs();
    let beyond = |a: &[f64], b: &[f64], tol: f64| {
        // Written as ITK's `!(|a − b| <= tol)` would differ only for NaN;
        // radcohort's geometries are finite.
        a.iter().zip(b).any(|(x, y)| (x - y).abs() > tol)
    };
    let mut found = Vec::new();
    if image.dims != mask.dims {
        found.push(GeometryDifference::Size {
            image: image.dims,
            mask: mask.dims,
        });
    }
    if beyond(&image.spacing, &mask.spacing, coordinate) {
        found.push(GeometryDifference::Spacing {
            image: image.spacing,
            mask: mask.spacing,
            tolerance: coordinate,
        });
    }
    if beyond(&image.origin, &mask.origin, coordinate) {
        found.push(GeometryDifference::Origin {
            image: image.origin,
            mask: mask.origin,
            tolerance: coordinate,
        });
    }
    let flat = |d: &[[f64; 3]; 3]| -> Vec<f64> { d.iter().flatten().copied().collect() };
    if beyond(
        &flat(&image.direction),
        &flat(&mask.direction),
        tolerance.abs(),
    ) {
        found.push(GeometryDifference::Direction {
            image: image.direction,
            mask: mask.direction,
            tolerance: tolerance.abs(),
        });
    }
    found
}

/// The first half of PyRadiomics `checkMask`: `Ok(None)` when image and
/// mask share their grid (see [`geometry_differences`]); otherwise, with
/// `correctMask`, the mask resampled onto the image grid
/// ([`correct_mask`]); otherwise [`PreprocessError::GeometryMismatch`]
/// listing every difference. The label must be present in the mask.
pub fn align_mask(
    image: &Volume,
    mask: &Volume,
    settings: &Settings,
) -> Result<Option<Volume>, PreprocessError> {
    check_shape(image, "image")?;
    check_shape(mask, "mask")?;
    let differences =
        geometry_differences(&image.geometry, &mask.geometry, settings.geometry_tolerance);
    if differences.is_empty() {
        if label_box(mask, settings.label).is_none() {
            return Err(PreprocessError::LabelAbsent {
                label: settings.label,
                which: "mask",
            });
        }
        return Ok(None);
    }
    if !settings.correct_mask {
        return Err(PreprocessError::GeometryMismatch { differences });
    }
    correct_mask(image, mask, settings).map(Some)
}

/// PyRadiomics `_correctMask`: checks that the ROI lies inside the image
/// ([`roi_box_in_image`]), then resamples the mask onto the image's grid
/// with nearest neighbour, keeping the mask's pixel type.
pub fn correct_mask(
    image: &Volume,
    mask: &Volume,
    settings: &Settings,
) -> Result<Volume, PreprocessError> {
    roi_box_in_image(image, mask, settings.label)?;
    Ok(resample(
        mask,
        &image.geometry,
        Interpolation::NearestNeighbor,
        mask.pixel_type,
    )?)
}

/// A bounding box in index space, as SimpleITK's
/// `LabelShapeStatisticsImageFilter::GetBoundingBox` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexBox {
    /// First index (x, y, z).
    pub lower: [usize; 3],
    /// Extent (x, y, z), at least 1.
    pub size: [usize; 3],
}

/// The bounding box of the voxels whose value truncates to `label`, or
/// `None` when there are none.
pub fn label_box(mask: &Volume, label: u32) -> Option<IndexBox> {
    let wanted = f64::from(label);
    // trunc(v) == label, written as a range test because masks can be whole
    // CT volumes and this runs on every voxel.
    let selected = |v: f64| {
        if label > 0 {
            wanted <= v && v < wanted + 1.0
        } else {
            v.trunc() == 0.0
        }
    };
    // Each slice's box, then their union; slices in parallel.
    let slices: Vec<Option<([usize; 3], [usize; 3])>> = (0..mask.data.len_of(Axis(0)))
        .into_par_iter()
        .map(|z| {
            let plane = mask.data.index_axis(Axis(0), z);
            let mut found: Option<([usize; 3], [usize; 3])> = None;
            for (y, row) in plane.outer_iter().enumerate() {
                let mut first = None;
                let mut last = 0;
                for (x, &v) in row.iter().enumerate() {
                    if selected(v) {
                        first.get_or_insert(x);
                        last = x;
                    }
                }
                if let Some(first) = first {
                    let (low, high) = found.get_or_insert(([first, y, z], [last, y, z]));
                    low[0] = low[0].min(first);
                    high[0] = high[0].max(last);
                    high[1] = y;
                }
            }
            found
        })
        .collect();
    let (lower, upper) = slices.into_iter().flatten().reduce(|(l1, u1), (l2, u2)| {
        (
            [0, 1, 2].map(|a| l1[a].min(l2[a])),
            [0, 1, 2].map(|a| u1[a].max(u2[a])),
        )
    })?;
    Some(IndexBox {
        lower,
        size: [0, 1, 2].map(|a| upper[a] - lower[a] + 1),
    })
}

/// PyRadiomics `_checkROI`: the ROI's bounding box in the mask, checked to
/// lie inside the image's physical extent. The box's outer corners (voxel
/// edges, ±0.5) are mapped through physical space into the image's
/// continuous index space, with ITK's arithmetic, and must lie within
/// `−0.5 … size − 0.5` give or take 0.001.
pub fn roi_box_in_image(
    image: &Volume,
    mask: &Volume,
    label: u32,
) -> Result<IndexBox, PreprocessError> {
    let bb = label_box(mask, label).ok_or(PreprocessError::LabelAbsent {
        label,
        which: "mask",
    })?;
    let mask_frame = ItkFrame::new(&mask.geometry, "mask")?;
    let image_frame = ItkFrame::new(&image.geometry, "image")?;
    let lower = bb.lower.map(|l| l as f64 - 0.5);
    let upper = [0, 1, 2].map(|a| (bb.lower[a] + bb.size[a]) as f64 - 0.5);
    let lower =
        image_frame.physical_to_continuous_index(mask_frame.continuous_index_to_physical(lower));
    let upper =
        image_frame.physical_to_continuous_index(mask_frame.continuous_index_to_physical(upper));
    let tolerance = 1e-3;
    let size = image.geometry.dims;
    let outside = (0..3).any(|a| {
        lower[a].min(upper[a]) < -0.5 - tolerance
            || lower[a].max(upper[a]) > size[a] as f64 - 0.5 + tolerance
    });
    if outside {
        return Err(PreprocessError::RoiOutsideImage {
            label,
            lower,
            upper,
            size,
        });
    }
    Ok(bb)
}

/// The interpolation SimpleITK runs for a PyRadiomics `interpolator`.
pub fn interpolation(interpolator: Interpolator) -> Interpolation {
    match interpolator {
        Interpolator::NearestNeighbor => Interpolation::NearestNeighbor,
        Interpolator::Linear => Interpolation::Linear,
        Interpolator::BSpline => Interpolation::BSpline,
    }
}

/// PyRadiomics 3.1 `resampleImage`: resamples image and mask to
/// `resampledPixelSpacing` on a grid aligned with the mask that covers the
/// ROI's bounding box plus `padDistance` voxels, clipped to the mask's
/// extent. The image is interpolated with `interpolator` and cast back to
/// its pixel type; the mask (label values) with nearest neighbour.
///
/// As PyRadiomics: a spacing of 0 keeps the mask's spacing; an axis along
/// which the ROI is one voxel thick is not resampled; when the resulting
/// spacing equals the image's (`numpy.allclose`), only the mask is
/// resampled onto the image grid and both are cropped to the ROI plus
/// padding. Without `resampledPixelSpacing` the inputs are returned as they
/// are (PyRadiomics' `loadImage` then skips resampling).
pub fn resample_image_and_mask(
    image: &Volume,
    mask: &Volume,
    settings: &Settings,
) -> Result<(Volume, Volume), PreprocessError> {
    check_shape(image, "image")?;
    check_shape(mask, "mask")?;
    let Some(requested) = settings.resampled_pixel_spacing else {
        return Ok((image.clone(), mask.clone()));
    };
    let label = settings.label;
    let mask_spacing = mask.geometry.spacing;
    let mut spacing = [0, 1, 2].map(|a| {
        if requested[a] == 0.0 {
            mask_spacing[a]
        } else {
            requested[a]
        }
    });
    let bb = roi_box_in_image(image, mask, label)?;
    for a in 0..3 {
        if bb.size[a] == 1 {
            spacing[a] = mask_spacing[a];
        }
    }

    // numpy.allclose(imageSpacing, resampledPixelSpacing)
    let all_close = (0..3)
        .all(|a| (image.geometry.spacing[a] - spacing[a]).abs() <= 1e-8 + 1e-5 * spacing[a].abs());
    if all_close {
        let aligned = resample(
            mask,
            &image.geometry,
            Interpolation::NearestNeighbor,
            mask.pixel_type,
        )?;
        let bb = label_box(&aligned, label).ok_or(PreprocessError::LabelAbsent {
            label,
            which: "mask resampled onto the image grid",
        })?;
        let cropped_image = crop_to_box(image, &bb, settings.pad_distance)?;
        let cropped_mask = crop_to_box(&aligned, &bb, settings.pad_distance)?;
        return Ok((cropped_image, cropped_mask));
    }

    let pad = settings.pad_distance as f64;
    let ratio = [0, 1, 2].map(|a| mask_spacing[a] / spacing[a]);
    let mut lower = [0.0; 3];
    let mut size = [0i64; 3];
    for a in 0..3 {
        let low = ((bb.lower[a] as f64 - 0.5) * ratio[a] - pad).floor();
        let high = (((bb.lower[a] + bb.size[a]) as f64 - 0.5) * ratio[a] + pad).ceil();
        let max_upper = (mask.geometry.dims[a] as f64 * ratio[a]).ceil() - 1.0;
        let low = if low < 0.0 { 0.0 } else { low };
        let high = if high > max_upper { max_upper } else { high };
        lower[a] = low;
        size[a] = (high - low + 1.0) as i64;
    }
    if size.iter().any(|&n| n <= 0) {
        return Err(PreprocessError::EmptyGrid { size });
    }
    // Where the new grid's first voxel centre lies in the mask's continuous
    // index space: half a new voxel in from the mask's first voxel edge, then
    // on by the cropped lower bound.
    let origin_index = [0, 1, 2].map(|a| {
        let first = 0.5 * (spacing[a] - mask_spacing[a]) / mask_spacing[a];
        first + lower[a] / ratio[a]
    });
    let mask_frame = ItkFrame::new(&mask.geometry, "mask")?;
    let origin = lps_ras(mask_frame.continuous_index_to_physical(origin_index));
    let grid = Geometry {
        dims: size.map(|n| n as usize),
        spacing,
        origin,
        direction: mask.geometry.direction,
    };
    let resampled_image = resample(
        image,
        &grid,
        interpolation(settings.interpolator),
        image.pixel_type,
    )?;
    let resampled_mask = resample(mask, &grid, Interpolation::NearestNeighbor, mask.pixel_type)?;
    Ok((resampled_image, resampled_mask))
}

/// PyRadiomics `cropToTumorMask`: the box widened by `pad` voxels, clipped
/// to the volume, with the origin moved to the first kept voxel as
/// SimpleITK re-origins a cropped image (`TransformIndexToPhysicalPoint`).
fn crop_to_box(volume: &Volume, bb: &IndexBox, pad: usize) -> Result<Volume, PreprocessError> {
    let dims = volume.geometry.dims;
    let low = bb.lower.map(|l| l.saturating_sub(pad));
    let high = [0, 1, 2].map(|a| (bb.lower[a] + bb.size[a] - 1 + pad).min(dims[a] - 1));
    let data = volume
        .data
        .slice(s![low[2]..=high[2], low[1]..=high[1], low[0]..=high[0]])
        .to_owned();
    let frame = ItkFrame::new(&volume.geometry, "image")?;
    let origin = lps_ras(frame.index_to_physical(low.map(|i| i as i64)));
    Ok(Volume {
        data,
        geometry: Geometry {
            dims: [0, 1, 2].map(|a| high[a] - low[a] + 1),
            spacing: volume.geometry.spacing,
            origin,
            direction: volume.geometry.direction,
        },
        pixel_type: volume.pixel_type,
    })
}

fn check_shape(volume: &Volume, which: &'static str) -> Result<(), PreprocessError> {
    let [x, y, z] = volume.geometry.dims;
    let shape = volume.data.shape();
    let actual = [shape[0], shape[1], shape[2]];
    if actual != [z, y, x] {
        return Err(PreprocessError::ShapeMismatch {
            which,
            expected: [z, y, x],
            actual,
        });
    }
    Ok(())
}

/// ITK's `CompensatedSummation` (Kahan): what `StatisticsImageFilter`
/// accumulates with.
#[derive(Default)]
struct Compensated {
    sum: f64,
    compensation: f64,
}

impl Compensated {
    fn add(&mut self, value: f64) {
        let input = value - self.compensation;
        let total = self.sum + input;
        self.compensation = (total - self.sum) - input;
        self.sum = total;
    }
}

/// PyRadiomics `normalizeImage`: SimpleITK `Normalize` (ITK
/// `NormalizeImageFilter`: `(x − mean) · (1/σ)` over the whole image, with
/// the sample standard deviation, N − 1), then values beyond
/// ±`removeOutliers` clipped to it, then multiplied by `normalizeScale`.
/// The result is float64, as SimpleITK's.
///
/// Sums are Kahan-compensated in voxel order. For integer images they are
/// exact, so the result is SimpleITK's bit for bit; for floating-point
/// images ITK adds per-thread partial sums and the mean can differ in its
/// last bit. A constant image (σ = 0), for which SimpleITK returns NaN
/// everywhere, is refused.
pub fn normalize_image(image: &Volume, settings: &Settings) -> Result<Volume, PreprocessError> {
    check_shape(image, "image")?;
    let count = image.data.len();
    if count < 2 {
        return Err(PreprocessError::CannotNormalize {
            reason: format!("it has {count} voxel(s); the standard deviation needs two"),
        });
    }
    let mut sum = Compensated::default();
    let mut squares = Compensated::default();
    for &v in image.data.iter() {
        sum.add(v);
        squares.add(v * v);
    }
    let n = count as f64;
    let mean = sum.sum / n;
    let variance = (squares.sum - sum.sum * sum.sum / n) / (n - 1.0);
    let sigma = variance.sqrt();
    if !(sigma > 0.0 && sigma.is_finite()) {
        return Err(PreprocessError::CannotNormalize {
            reason: format!("its standard deviation is {sigma} (mean {mean})"),
        });
    }
    let shift = -mean;
    let scale = 1.0 / sigma;
    let outliers = settings.remove_outliers;
    let factor = settings.normalize_scale;
    let data = image.data.mapv(|v| {
        let mut z = (v + shift) * scale;
        if let Some(limit) = outliers {
            if z > limit {
                z = limit;
            }
            if z < -limit {
                z = -limit;
            }
        }
        z * factor
    });
    Ok(Volume {
        data,
        geometry: image.geometry.clone(),
        pixel_type: PixelType::F64,
    })
}

#[cfg(test)]
mod tests {
    //! Expected arrays come from PyRadiomics 3.1.4 with SimpleITK 2.5.7 on
    //! the volumes built here (LPS-identity direction; origins given in LPS
    //! as SimpleITK was given them).

    use ndarray::Array3;

    use super::*;

    const LPS_IDENTITY: [[f64; 3]; 3] = [[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]];

    fn geometry(dims: [usize; 3], spacing: [f64; 3], lps_origin: [f64; 3]) -> Geometry {
        Geometry {
            dims,
            spacing,
            origin: lps_ras(lps_origin),
            direction: LPS_IDENTITY,
        }
    }

    /// 8×6×4 Int16 image, spacing (1, 1, 3), LPS origin (−4, 2, 10),
    /// v = 10x + 100y + 1000z + (xyz mod 7).
    fn image() -> Volume {
        Volume {
            data: Array3::from_shape_fn((4, 6, 8), |(z, y, x)| {
                (10 * x + 100 * y + 1000 * z + (x * y * z) % 7) as f64
            }),
            geometry: geometry([8, 6, 4], [1.0, 1.0, 3.0], [-4.0, 2.0, 10.0]),
            pixel_type: PixelType::I16,
        }
    }

    /// Label 1 in z 1..=2, y 2..=3, x 3..=5, and one voxel of label 2 at
    /// (x, y, z) = (6, 3, 2); on the image's grid unless moved.
    fn mask(lps_origin: [f64; 3]) -> Volume {
        let mut data = Array3::zeros((4, 6, 8));
        data.slice_mut(s![1..3, 2..4, 3..6]).fill(1.0);
        data[[2, 3, 6]] = 2.0;
        Volume {
            data,
            geometry: geometry([8, 6, 4], [1.0, 1.0, 3.0], lps_origin),
            pixel_type: PixelType::U32,
        }
    }

    fn settings(spacing: [f64; 3], interpolator: Interpolator, pad: usize) -> Settings {
        Settings {
            resampled_pixel_spacing: Some(spacing),
            interpolator,
            pad_distance: pad,
            ..Settings::default()
        }
    }

    fn flat(volume: &Volume) -> Vec<f64> {
        volume.data.iter().copied().collect()
    }

    #[test]
    fn resampling_limits_the_grid_to_the_roi_and_keeps_zero_spacing_axes() {
        // resampledPixelSpacing [2, 2, 0], sitkLinear, padDistance 1.
        let (image, mask) = resample_image_and_mask(
            &image(),
            &mask([-4.0, 2.0, 10.0]),
            &settings([2.0, 2.0, 0.0], Interpolator::Linear, 1),
        )
        .unwrap();
        let want_geometry = geometry([4, 3, 4], [2.0, 2.0, 3.0], [-3.5, 2.5, 10.0]);
        assert_eq!(image.geometry, want_geometry);
        assert_eq!(mask.geometry, want_geometry);
        assert_eq!(
            (image.pixel_type, mask.pixel_type),
            (PixelType::I16, PixelType::U32)
        );
        assert_eq!(
            flat(&image),
            [
                55.0, 75.0, 95.0, 115.0, 255.0, 275.0, 295.0, 315.0, 455.0, 475.0, 495.0, 515.0,
                1055.0, 1076.0, 1097.0, 1116.0, 1256.0, 1279.0, 1297.0, 1317.0, 1457.0, 1477.0,
                1499.0, 1516.0, 2055.0, 2077.0, 2096.0, 2116.0, 2257.0, 2278.0, 2298.0, 2316.0,
                2456.0, 2478.0, 2498.0, 2517.0, 3055.0, 3077.0, 3096.0, 3116.0, 3257.0, 3279.0,
                3297.0, 3316.0, 3456.0, 3477.0, 3499.0, 3517.0
            ]
        );
        let labelled: Vec<usize> = (0..48).filter(|&i| flat(&mask)[i] == 1.0).collect();
        assert_eq!(labelled, [17, 18, 29, 30]);
        assert!(flat(&mask).iter().all(|&v| v == 0.0 || v == 1.0));
    }

    #[test]
    fn equal_spacing_only_aligns_the_mask_and_crops() {
        // resampledPixelSpacing equal to the image's: the image is cropped to
        // the ROI plus padDistance 1, not interpolated.
        let (image, mask) = resample_image_and_mask(
            &image(),
            &mask([-4.0, 2.0, 10.0]),
            &settings([1.0, 1.0, 3.0], Interpolator::Linear, 1),
        )
        .unwrap();
        assert_eq!(
            image.geometry,
            geometry([5, 4, 4], [1.0, 1.0, 3.0], [-2.0, 3.0, 10.0])
        );
        assert_eq!(
            image.data.slice(s![1, 1, ..]).to_vec(),
            [1224.0, 1236.0, 1241.0, 1253.0, 1265.0]
        );
        assert_eq!(
            mask.data.slice(s![2, 2, ..]).to_vec(),
            [0.0, 1.0, 1.0, 1.0, 2.0]
        );
        assert_eq!(mask.data.iter().filter(|&&v| v == 1.0).count(), 12);
    }

    #[test]
    fn a_single_slice_roi_is_not_resampled_across_slices() {
        // Label 1 only in slice z = 2 (y 1..=4, x 2..=5); [1.5, 1.5, 1.5],
        // sitkBSpline, padDistance 0: z keeps its 3 mm.
        let mut one_slice = mask([-4.0, 2.0, 10.0]);
        one_slice.data.fill(0.0);
        one_slice.data.slice_mut(s![2, 1..5, 2..6]).fill(1.0);
        let (image, mask) = resample_image_and_mask(
            &image(),
            &one_slice,
            &settings([1.5, 1.5, 1.5], Interpolator::BSpline, 0),
        )
        .unwrap();
        assert_eq!(
            image.geometry,
            geometry([4, 4, 3], [1.5, 1.5, 3.0], [-2.25, 2.25, 13.0])
        );
        assert_eq!(
            image
                .data
                .slice(s![1, .., ..])
                .iter()
                .copied()
                .collect::<Vec<_>>(),
            [
                2027.0, 2042.0, 2057.0, 2073.0, 2196.0, 2214.0, 2229.0, 2243.0, 2345.0, 2359.0,
                2373.0, 2387.0, 2513.0, 2525.0, 2539.0, 2557.0
            ]
        );
        let labelled: Vec<usize> = (0..48).filter(|&i| flat(&mask)[i] == 1.0).collect();
        assert_eq!(labelled, [20, 21, 22, 24, 25, 26]);
    }

    #[test]
    fn without_a_spacing_nothing_is_resampled() {
        let off = Settings::default();
        let (image, mask) =
            resample_image_and_mask(&image(), &mask([-4.0, 2.0, 10.0]), &off).unwrap();
        assert_eq!(
            (image, mask),
            (self::image(), self::mask([-4.0, 2.0, 10.0]))
        );
    }

    #[test]
    fn an_roi_outside_the_image_is_refused_with_its_bounds() {
        // Mask moved 4 mm along x: PyRadiomics reports ROI bounds
        // ((−1.5, 1.5, 0.5), (1.5, 3.5, 2.5)) against image size (8, 6, 4).
        let err = roi_box_in_image(&image(), &mask([-8.0, 2.0, 10.0]), 1).unwrap_err();
        assert_eq!(
            err,
            PreprocessError::RoiOutsideImage {
                label: 1,
                lower: [-1.5, 1.5, 0.5],
                upper: [1.5, 3.5, 2.5],
                size: [8, 6, 4],
            }
        );
        assert!(
            err.to_string()
                .contains("[-1.5, 1.5, 0.5] to [1.5, 3.5, 2.5]"),
            "{err}"
        );
        let absent = roi_box_in_image(&image(), &mask([-4.0, 2.0, 10.0]), 7).unwrap_err();
        assert_eq!(absent.to_string(), "label 7 is not present in the mask");
    }

    #[test]
    fn a_shifted_mask_is_corrected_onto_the_image_grid() {
        // Mask origin half a voxel off along x (LPS −3.5 instead of −4):
        // PyRadiomics `_correctMask` moves the ROI one voxel up in x.
        let shifted = mask([-3.5, 2.0, 10.0]);
        let settings = Settings {
            correct_mask: true,
            ..Settings::default()
        };
        let corrected = align_mask(&image(), &shifted, &settings).unwrap().unwrap();
        assert_eq!(corrected.geometry, image().geometry);
        let ones: Vec<usize> = (0..192).filter(|&i| flat(&corrected)[i] == 1.0).collect();
        assert_eq!(ones, [67, 68, 69, 75, 76, 77, 115, 116, 117, 123, 124, 125]);
        assert_eq!(flat(&corrected)[126], 2.0);

        let strict = Settings::default();
        let err = align_mask(&image(), &shifted, &strict).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "image and mask do not occupy the same physical space: origin differs by up to 5.000e-1 mm \
                 (tolerance 1e-6 mm)"
            ),
            "{err}"
        );
        assert_eq!(
            align_mask(&image(), &mask([-4.0, 2.0, 10.0]), &strict),
            Ok(None)
        );
    }

    #[test]
    fn geometry_differences_use_itk_tolerances_and_name_everything() {
        let image = geometry([8, 6, 4], [0.5, 1.0, 3.0], [-4.0, 2.0, 10.0]);
        let mut mask = image.clone();
        // Within 1e-6 × 0.5 mm: the same space for SimpleITK.
        mask.origin[0] += 4e-7;
        mask.spacing[2] += 4e-7;
        assert!(geometry_differences(&image, &mask, None).is_empty());
        mask.origin[0] += 2e-7;
        mask.spacing[2] += 2e-7;
        let found = geometry_differences(&image, &mask, None);
        assert_eq!(found.len(), 2);
        assert!(
            matches!(found[0], GeometryDifference::Spacing { tolerance, .. } if tolerance == 5e-7)
        );
        // geometryTolerance replaces both tolerances.
        assert!(geometry_differences(&image, &mask, Some(1e-3)).is_empty());

        mask.dims = [8, 6, 5];
        mask.direction[0][0] = -0.9999;
        let text: Vec<String> = geometry_differences(&image, &mask, None)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(text.len(), 4);
        assert_eq!(text[0], "size differs: image 8×6×4, mask 8×6×5 voxels");
        assert!(
            text[1].starts_with("spacing differs by up to 6.000e-7 mm (tolerance 5e-7 mm)"),
            "{}",
            text[1]
        );
        assert!(
            text[1].contains("image [0.5, 1.0, 3.0], mask [0.5, 1.0, 3.0000006]"),
            "{}",
            text[1]
        );
        assert!(text[2].starts_with("origin differs"), "{}", text[2]);
        assert!(
            text[3].starts_with("direction differs by up to 1.000e-4 (tolerance 1e-6)"),
            "{}",
            text[3]
        );
    }

    #[test]
    fn normalisation_matches_simpleitk() {
        // Int16 2×2×1 image [1, 2, 3, 4].
        let image = Volume {
            data: Array3::from_shape_vec((1, 2, 2), vec![1.0, 2.0, 3.0, 4.0]).unwrap(),
            geometry: geometry([2, 2, 1], [1.0; 3], [0.0; 3]),
            pixel_type: PixelType::I16,
        };
        let plain = normalize_image(&image, &Settings::default()).unwrap();
        assert_eq!(plain.pixel_type, PixelType::F64);
        assert_eq!(
            flat(&plain),
            [
                -1.161895003862225,
                -0.3872983346207417,
                0.3872983346207417,
                1.161895003862225
            ]
        );
        let clipped = Settings {
            remove_outliers: Some(1.0),
            normalize_scale: 100.0,
            ..Settings::default()
        };
        assert_eq!(
            flat(&normalize_image(&image, &clipped).unwrap()),
            [-100.0, -38.72983346207417, 38.72983346207417, 100.0]
        );
        let mut constant = image.clone();
        constant.data.fill(3.0);
        assert!(matches!(
            normalize_image(&constant, &Settings::default()),
            Err(PreprocessError::CannotNormalize { .. })
        ));
    }

    #[test]
    fn mismatched_arrays_are_errors_not_panics() {
        let mut broken = image();
        broken.geometry.dims = [8, 6, 5];
        let err = resample_image_and_mask(
            &broken,
            &mask([-4.0, 2.0, 10.0]),
            &settings([2.0; 3], Interpolator::Linear, 5),
        )
        .unwrap_err();
        assert!(matches!(
            err,
            PreprocessError::ShapeMismatch { which: "image", .. }
        ));
        assert!(normalize_image(&broken, &Settings::default()).is_err());
    }
}
