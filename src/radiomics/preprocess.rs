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

use ndarray::s;

use super::settings::{Interpolator, Settings};
use crate::imaging::resample::lps_ras;
use crate::imaging::{
    Geometry, Interpolation, ItkFrame, PixelType, ResampleError, Volume, resample,
};

/// Why preprocessing could not produce an image and mask.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PreprocessError {
    /// The resampler refused a grid.
    #[error("resampling: {0}")]
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
                "spacing differs by up to {:e} mm (tolerance {:e} mm): image {:?}, mask {:?}",
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
                "origin differs by up to {:e} mm (tolerance {:e} mm): image {:?}, mask {:?} (RAS)",
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
                "direction differs by up to {:e} (tolerance {:e}): image {:?}, mask {:?} (RAS rows)",
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
    let mut lower = [usize::MAX; 3];
    let mut upper = [0usize; 3];
    let mut any = false;
    for ((z, y, x), &v) in mask.data.indexed_iter() {
        if v.trunc() == wanted {
            any = true;
            for (a, i) in [x, y, z].into_iter().enumerate() {
                lower[a] = lower[a].min(i);
                upper[a] = upper[a].max(i);
            }
        }
    }
    any.then(|| IndexBox {
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
