//! The extraction pipeline, step for step as PyRadiomics 3.1
//! `RadiomicsFeatureExtractor.execute`:
//!
//! 1. select the ROI's label from the mask;
//! 2. preprocess: normalise, then resample (or pre-crop);
//! 3. check the image/mask geometry and the ROI, get its bounding box;
//! 4. re-segment by intensity, if asked, and check again;
//! 5. shape features from the mask cropped to the bounding box;
//! 6. for every image type, derive its images from the whole (preprocessed)
//!    image — only their part in the bounding box, which is all that is
//!    used — and compute every other class.
//!
//! Independent (image, class) computations run in parallel.

use std::borrow::Cow;

use ndarray::Array3;
use rayon::prelude::*;

use super::features::{ClassInput, FeatureClass, FeatureError};
use super::image_types::{self, DerivedImage, ImageTypeError};
use super::params::{ImageType, Params};
use super::preprocess::{
    PreprocessError, correct_mask, geometry_differences, normalize_image, resample_image_and_mask,
};
use super::resegment::{ResegmentError, resegment};
use super::roi::{BoundingBox, RoiError, check_box, check_roi, crop, select_label};
use super::settings::{Mode, Settings};
use crate::imaging::{ImagingError, NiftiImage, Statistics, Volume};

/// One feature value, named as PyRadiomics names it
/// (`<imageType>_<class>_<feature>`, e.g. `wavelet-LLH_glcm_Contrast`).
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// The full feature name.
    pub name: String,
    /// Its value, always finite.
    pub value: f64,
}

/// The result of one extraction.
#[derive(Debug, Clone, PartialEq)]
pub struct Extraction {
    /// Feature values in PyRadiomics' order.
    pub features: Vec<Feature>,
    /// `diagnostics_*` entries (with `additionalInfo`), as text.
    pub diagnostics: Vec<(String, String)>,
    /// Things skipped on purpose, as PyRadiomics logs warnings for them
    /// (e.g. a LoG sigma too large for the image).
    pub warnings: Vec<String>,
}

/// Why an extraction failed.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// Normalisation, resampling or the image/mask grid check failed.
    #[error(transparent)]
    Preprocess(#[from] PreprocessError),
    /// The ROI is unusable.
    #[error(transparent)]
    Roi(#[from] RoiError),
    /// Re-segmentation left too little.
    #[error(transparent)]
    Resegment(#[from] ResegmentError),
    /// An image type could not be derived.
    #[error(transparent)]
    ImageType(#[from] ImageTypeError),
    /// A feature class failed.
    #[error("{image}")]
    Feature {
        /// The image (type) name, e.g. `original`.
        image: String,
        /// The class's error.
        source: FeatureError,
    },
    /// An image could not be converted (NaN or infinite voxels).
    #[error(transparent)]
    Image(#[from] ImagingError),
    /// The IBSI mode could not run.
    #[error(transparent)]
    Ibsi(#[from] crate::radiomics::ibsi::pipeline::IbsiError),
    /// A feature came out NaN or infinite.
    #[error("{name} is {value}: the ROI does not define it")]
    NonFinite {
        /// The feature.
        name: String,
        /// The value.
        value: f64,
    },
}

/// The inputs of an extraction read from files: decoded, but converted
/// only as far as the parameters need.
#[derive(Debug, Clone)]
pub struct CaseFiles {
    /// The image.
    pub image: NiftiImage,
    /// The label mask.
    pub mask: NiftiImage,
}

/// Why a case's files could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{role}")]
pub struct ReadError {
    /// `image` or `mask`.
    pub role: &'static str,
    /// What went wrong.
    pub source: ImagingError,
}

impl CaseFiles {
    /// Reads an image and its mask.
    pub fn read(image: &std::path::Path, mask: &std::path::Path) -> Result<CaseFiles, ReadError> {
        let read = |role, path| NiftiImage::read(path).map_err(|source| ReadError { role, source });
        Ok(CaseFiles {
            image: read("image", image)?,
            mask: read("mask", mask)?,
        })
    }

    /// Extracts the case ([`extract`]). When every feature depends only on
    /// the ROI's bounding box of the original image — no filter, no
    /// normalisation, no resampling — only that box is converted, which for
    /// a small ROI in a large image saves nearly all the work; the result is
    /// identical, diagnostics included.
    pub fn extract(&self, params: &Params) -> Result<Extraction, ExtractError> {
        let settings = &params.settings;
        if settings.mode == Mode::Ibsi {
            return Ok(crate::radiomics::ibsi::pipeline::extract(
                &self.image.volume()?,
                &self.mask.volume()?,
                params,
            )?);
        }
        let whole_image_needed = settings.normalize
            || settings.resampled_pixel_spacing.is_some()
            || params
                .image_types
                .iter()
                .any(|t| t.kind != ImageType::Original);
        let grids_match = geometry_differences(
            self.image.geometry(),
            self.mask.geometry(),
            settings.geometry_tolerance,
        )
        .is_empty();
        if whole_image_needed
            && grids_match
            && settings.resampled_pixel_spacing.is_none()
            && !settings.pre_crop
        {
            // The mask's values are read only to select the label here: the
            // grids match and nothing resamples, crops or corrects the mask.
            // The label's voxels found on the stored words spare converting
            // the whole mask to f64.
            let voxels = self.mask.label_voxels(settings.label)?;
            if !voxels.is_empty() {
                let shape = self.mask.shape();
                let mut roi = Array3::from_elem((shape[0], shape[1], shape[2]), false);
                if let Some(flat) = roi.as_slice_mut() {
                    for &i in &voxels {
                        flat[i] = true;
                    }
                }
                let mask = Volume {
                    data: Array3::zeros((0, 0, 0)),
                    geometry: self.mask.geometry().clone(),
                    pixel_type: self.mask.pixel_type(),
                };
                return extract_selected(&self.image.volume()?, &mask, Some(roi), params);
            }
        }
        if whole_image_needed || !grids_match {
            return extract(&self.image.volume()?, &self.mask.volume()?, params);
        }
        let voxels = self.mask.label_voxels(settings.label)?;
        if voxels.is_empty() {
            // The rare failure: let the full check name the labels present.
            select_label(&self.mask.volume()?.data, settings.label)?;
        }
        let bbox = box_of(&voxels, self.mask.shape()).ok_or(RoiError::Empty)?;
        check_box(&bbox, || voxels.len() as u64, settings)?;
        let (image, statistics) =
            self.image
                .region(bbox.lower, bbox.upper, settings.additional_info)?;
        let (mask, _) = self.mask.region(bbox.lower, bbox.upper, false)?;
        let mut extraction = extract(&image, &mask, params)?;
        if let Some(statistics) = statistics {
            extraction.diagnostics = diagnostics(
                params,
                self.image.geometry(),
                &statistics,
                voxels.len(),
                &bbox,
            );
        }
        Ok(extraction)
    }
}

/// The bounding box of voxels given by flat `[z, y, x]` indices.
fn box_of(voxels: &[usize], shape: [usize; 3]) -> Option<BoundingBox> {
    let plane = shape[1] * shape[2];
    let mut voxels = voxels
        .iter()
        .map(|&i| [i / plane, (i % plane) / shape[2], i % shape[2]]);
    let first = voxels.next()?;
    Some(voxels.fold(
        BoundingBox {
            lower: first,
            upper: first,
        },
        |bbox, index| BoundingBox {
            lower: [0, 1, 2].map(|a| bbox.lower[a].min(index[a])),
            upper: [0, 1, 2].map(|a| bbox.upper[a].max(index[a])),
        },
    ))
}

/// Extracts every enabled feature of an image and its label mask, in the
/// mode the settings name (PyRadiomics or IBSI).
pub fn extract(image: &Volume, mask: &Volume, params: &Params) -> Result<Extraction, ExtractError> {
    if params.settings.mode == Mode::Ibsi {
        return Ok(crate::radiomics::ibsi::pipeline::extract(
            image, mask, params,
        )?);
    }
    extract_selected(image, mask, None, params)
}

/// [`extract`], given the label's voxels of `mask` as `roi` when they are
/// already known. With `roi` given, `mask.data` is never read unless the
/// mask is resampled or corrected onto the image's grid (the caller knows
/// it is not, and may then pass the mask's geometry with no data).
fn extract_selected(
    image: &Volume,
    mask: &Volume,
    roi: Option<Array3<bool>>,
    params: &Params,
) -> Result<Extraction, ExtractError> {
    let settings = &params.settings;
    // PyRadiomics `loadImage`: the label must be present; then normalise,
    // then resample (or pre-crop); only then are image and mask compared.
    // Volumes are borrowed until a step makes a new one: whole-volume
    // copies are most of the cost of a small ROI in a large image.
    let mut roi = match roi {
        Some(roi) => roi,
        None => select_label(&mask.data, settings.label)?,
    };
    let mut image: Cow<'_, Volume> = Cow::Borrowed(image);
    let mut mask: Cow<'_, Volume> = Cow::Borrowed(mask);
    if settings.normalize {
        image = Cow::Owned(normalize_image(&image, settings)?);
    }
    if settings.resampled_pixel_spacing.is_some() {
        let (resampled, resampled_mask) = resample_image_and_mask(&image, &mask, settings)?;
        roi = select_label(&resampled_mask.data, settings.label)?;
        image = Cow::Owned(resampled);
        mask = Cow::Owned(resampled_mask);
    } else if settings.pre_crop {
        if let Some(corrected) = corrected_mask(&image, &mask, settings)? {
            roi = select_label(&corrected.data, settings.label)?;
            mask = Cow::Owned(corrected);
        }
        let bbox = check_roi(&roi, settings)?;
        image = Cow::Owned(crop_volume(&image, &bbox, settings.pad_distance));
        mask = Cow::Owned(crop_volume(&mask, &bbox, settings.pad_distance));
        roi = crop(&roi, &bbox, settings.pad_distance).0;
    }
    // PyRadiomics `checkMask`: the grids must match (or the mask is
    // corrected onto the image), then the ROI is checked.
    if let Some(corrected) = corrected_mask(&image, &mask, settings)? {
        roi = select_label(&corrected.data, settings.label)?;
    }
    let image = image.as_ref();
    let mut bbox = check_roi(&roi, settings)?;
    let resegmented = resegment(&image.data, &roi, settings)?;
    if let Some(kept) = &resegmented {
        bbox = check_roi(kept, settings)?;
    }
    let shape_roi = match (&resegmented, settings.resegment_shape) {
        (Some(kept), true) => kept,
        _ => &roi,
    };
    let texture_roi = resegmented.as_ref().unwrap_or(&roi);

    let mut features = Vec::new();
    let mut warnings = Vec::new();
    let shape_classes: Vec<_> = params
        .classes
        .iter()
        .filter(|c| c.class.is_shape())
        .collect();
    if !shape_classes.is_empty() {
        let (cropped, _) = crop(&image.data, &bbox, 0);
        let (cropped_roi, _) = crop(shape_roi, &bbox, 0);
        let input = ClassInput {
            image: &cropped,
            mask: &cropped_roi,
            spacing: image.spacing(),
            settings,
        };
        for spec in shape_classes {
            if spec.class == FeatureClass::Shape2D {
                // PyRadiomics 3.1 `computeShape` runs shape2D only with
                // force2D, and only when the ROI's extent along axis
                // `force2Ddimension` *of the (x, y, z) size* is above one —
                // an inverted, mis-indexed test that we keep so the same
                // parameter files give the same features.
                let extent_xyz = [bbox.size()[2], bbox.size()[1], bbox.size()[0]];
                if !settings.force_2d || extent_xyz[settings.force_2d_dimension] <= 1 {
                    warnings.push(format!(
                        "shape2D skipped: it needs force2D and, as PyRadiomics tests it, an ROI wider than one voxel along axis {} of (x, y, z)",
                        settings.force_2d_dimension
                    ));
                    continue;
                }
            }
            let values = spec
                .class
                .compute(&input, &spec.wanted())
                .map_err(|source| ExtractError::Feature {
                    image: "original".to_owned(),
                    source,
                })?;
            features.extend(values.into_iter().map(|(name, value)| Feature {
                name: format!("original_{}_{name}", spec.class.name()),
                value,
            }));
        }
    }

    // Derive only each image's part in the bounding box, all features
    // read: whole filtered volumes (eight of them for a wavelet) would cost
    // most of the time and memory.
    let cropped_roi = crop(texture_roi, &bbox, 0).0;
    let mut crops: Vec<(String, Array3<f64>, [f64; 3], &Settings)> = Vec::new();
    for spec in &params.image_types {
        let images =
            image_types::derive(spec.kind, image, texture_roi, &spec.settings, Some(&bbox))?;
        warnings.extend(images.warnings);
        for DerivedImage { name, volume } in images.images {
            let spacing = volume.spacing();
            crops.push((name, volume.data, spacing, &spec.settings));
        }
    }
    let texture_classes: Vec<_> = params
        .classes
        .iter()
        .filter(|c| !c.class.is_shape())
        .collect();
    let tasks: Vec<(usize, usize)> = (0..crops.len())
        .flat_map(|i| (0..texture_classes.len()).map(move |c| (i, c)))
        .collect();
    let results: Vec<Result<Vec<Feature>, ExtractError>> = tasks
        .par_iter()
        .map(|&(i, c)| {
            let (image_name, data, spacing, image_settings) = &crops[i];
            let spec = texture_classes[c];
            let input = ClassInput {
                image: data,
                mask: &cropped_roi,
                spacing: *spacing,
                settings: image_settings,
            };
            let values = spec
                .class
                .compute(&input, &spec.wanted())
                .map_err(|source| ExtractError::Feature {
                    image: image_name.clone(),
                    source,
                })?;
            Ok(values
                .into_iter()
                .map(|(name, value)| Feature {
                    name: format!("{image_name}_{}_{name}", spec.class.name()),
                    value,
                })
                .collect())
        })
        .collect();
    for result in results {
        features.extend(result?);
    }
    if let Some(bad) = features.iter().find(|f| !f.value.is_finite()) {
        return Err(ExtractError::NonFinite {
            name: bad.name.clone(),
            value: bad.value,
        });
    }
    let diagnostics = if settings.additional_info {
        diagnostics(
            params,
            &image.geometry,
            &Statistics::of(&image.data),
            texture_roi.iter().filter(|&&inside| inside).count(),
            &bbox,
        )
    } else {
        Vec::new()
    };
    Ok(Extraction {
        features,
        diagnostics,
        warnings,
    })
}

/// The mask resampled onto the image's grid when their grids differ and
/// `correctMask` allows it (PyRadiomics `checkMask`); `None` when they
/// match; an error listing every difference otherwise.
fn corrected_mask(
    image: &Volume,
    mask: &Volume,
    settings: &Settings,
) -> Result<Option<Volume>, PreprocessError> {
    let differences =
        geometry_differences(&image.geometry, &mask.geometry, settings.geometry_tolerance);
    if differences.is_empty() {
        Ok(None)
    } else if settings.correct_mask {
        correct_mask(image, mask, settings).map(Some)
    } else {
        Err(PreprocessError::GeometryMismatch { differences })
    }
}

/// The part of a volume inside the bounding box widened by `pad` voxels,
/// on a grid whose origin moves with the crop (PyRadiomics
/// `cropToTumorMask`).
fn crop_volume(volume: &Volume, bbox: &BoundingBox, pad: usize) -> Volume {
    let (data, offset) = crop(&volume.data, bbox, pad);
    let geometry = volume
        .geometry
        .region(offset, [data.shape()[0], data.shape()[1], data.shape()[2]]);
    Volume {
        data,
        geometry,
        pixel_type: volume.pixel_type,
    }
}

/// `diagnostics_*` entries in the manner of PyRadiomics' `generalinfo`:
/// versions, configuration, and the image and mask as used.
fn diagnostics(
    params: &Params,
    g: &crate::imaging::Geometry,
    statistics: &Statistics,
    voxels: usize,
    bbox: &BoundingBox,
) -> Vec<(String, String)> {
    let (mean, minimum, maximum) = (statistics.mean(), statistics.minimum, statistics.maximum);
    let size = bbox.size();
    let types: Vec<&str> = params.image_types.iter().map(|t| t.kind.name()).collect();
    vec![
        (
            "diagnostics_Versions_radcohort".to_owned(),
            env!("CARGO_PKG_VERSION").to_owned(),
        ),
        (
            "diagnostics_Configuration_Mode".to_owned(),
            params.settings.mode.as_str().to_owned(),
        ),
        (
            "diagnostics_Configuration_ParamsHash".to_owned(),
            params.hash.clone(),
        ),
        (
            "diagnostics_Configuration_EnabledImageTypes".to_owned(),
            types.join(", "),
        ),
        (
            "diagnostics_Image-original_Dimensionality".to_owned(),
            "3D".to_owned(),
        ),
        (
            "diagnostics_Image-original_Spacing".to_owned(),
            format!("({}, {}, {})", g.spacing[0], g.spacing[1], g.spacing[2]),
        ),
        (
            "diagnostics_Image-original_Size".to_owned(),
            format!("({}, {}, {})", g.dims[0], g.dims[1], g.dims[2]),
        ),
        (
            "diagnostics_Image-original_Mean".to_owned(),
            mean.to_string(),
        ),
        (
            "diagnostics_Image-original_Minimum".to_owned(),
            minimum.to_string(),
        ),
        (
            "diagnostics_Image-original_Maximum".to_owned(),
            maximum.to_string(),
        ),
        (
            "diagnostics_Mask-original_BoundingBox".to_owned(),
            // PyRadiomics lists (x, y, z, size x, size y, size z).
            format!(
                "({}, {}, {}, {}, {}, {})",
                bbox.lower[2], bbox.lower[1], bbox.lower[0], size[2], size[1], size[0]
            ),
        ),
        (
            "diagnostics_Mask-original_VoxelNum".to_owned(),
            voxels.to_string(),
        ),
    ]
}
