//! The IBSI mode from an image and its mask to tagged features: the
//! processing chain of [`super::chain`] with the settings of a parameter
//! file, every feature family, and the diagnostic features of each stage.
//!
//! Settings read in this mode: `label`; `resampledPixelSpacing` (0 keeps
//! an axis, so `[2, 2, 0]` interpolates in-plane only), `interpolator`,
//! `roundIntensities` and `maskThreshold` for interpolation (see
//! [`super::interpolation`]); `resegmentRange` (absolute intensities) and
//! `resegmentOutlier` (standard deviations); `binWidth` (fixed bin size,
//! from the lower re-segmentation bound or the ROI's minimum) or
//! `binCount` (fixed bin number); `ivhBinWidth` or `ivhBinCount` for the
//! intensity-volume histogram (intensities as they are without either);
//! `geometryTolerance`. Only the `Original` image type exists here.

use ndarray::{Array3, s};

use super::chain::{self, Discretisation, Resegmentation, Stage};
use super::interpolation::{InterpolationSettings, interpolate};
use super::ivh::{IvhDiscretisation, IvhSettings};
use super::{IbsiFeature, IbsiRoi};
use crate::imaging::Volume;
use crate::radiomics::extractor::{Extraction, Feature};
use crate::radiomics::params::{ImageType, Params};
use crate::radiomics::preprocess::{geometry_differences, interpolation};
use crate::radiomics::roi::{bounding_box, select_label};
use crate::radiomics::settings::{ResegmentMode, Settings};

/// Why an IBSI-mode extraction could not run.
#[derive(Debug, thiserror::Error)]
pub enum IbsiError {
    /// A setting this mode does not take, or takes differently.
    #[error("IBSI mode: {0}")]
    Setting(String),
    /// The image and mask grids differ.
    #[error("IBSI mode: the mask is not on the image's grid ({0})")]
    Grid(String),
    /// The mask's label is absent or unusable.
    #[error("IBSI mode: {0}")]
    Roi(String),
    /// The processing chain failed.
    #[error("IBSI mode: {0}")]
    Chain(#[from] chain::ChainError),
    /// Interpolation failed.
    #[error("IBSI mode: interpolation: {0}")]
    Interpolation(#[from] crate::imaging::ResampleError),
}

/// The processing chain's settings, from a parameter file's.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainSettings {
    /// The label of the ROI in the mask.
    pub label: u32,
    /// Interpolation onto a new grid, if any.
    pub interpolation: Option<InterpolationSettings>,
    /// Re-segmentation.
    pub resegmentation: Resegmentation,
    /// Discretisation.
    pub discretisation: Discretisation,
    /// The intensity-volume histogram's discretisation.
    pub ivh: IvhSettings,
}

impl ChainSettings {
    /// Reads the IBSI mode's settings, refusing those it cannot honour
    /// rather than ignoring them.
    pub fn from_settings(settings: &Settings) -> Result<ChainSettings, IbsiError> {
        // PyRadiomics' convention: a spacing of 0 keeps the axis.
        let interpolation = settings
            .resampled_pixel_spacing
            .map(|spacing| InterpolationSettings {
                spacing: spacing.map(|s| (s > 0.0).then_some(s)),
                image: interpolation(settings.interpolator),
                round_intensities: settings.round_intensities,
                mask_threshold: settings.mask_threshold,
            });
        if settings.normalize {
            return Err(IbsiError::Setting(
                "normalize is not part of the IBSI chain".to_owned(),
            ));
        }
        let (lower, upper) = match (&settings.resegment_range, settings.resegment_mode) {
            (None, _) => (None, None),
            (Some(range), ResegmentMode::Absolute) => {
                (range.first().copied(), range.get(1).copied())
            }
            (Some(_), mode) => {
                return Err(IbsiError::Setting(format!(
                    "resegmentMode {mode:?}: the IBSI mode takes an absolute resegmentRange and resegmentOutlier for outlier filtering"
                )));
            }
        };
        let discretisation = match settings.bin_count {
            Some(count) => Discretisation::FixedBinNumber { count },
            None => Discretisation::FixedBinSize {
                width: settings.bin_width,
                lower,
            },
        };
        // A half-open range has an infinite bound, which the IVH replaces
        // by the intensities' extreme.
        let range = (lower.is_some() || upper.is_some()).then(|| {
            (
                lower.unwrap_or(f64::NEG_INFINITY),
                upper.unwrap_or(f64::INFINITY),
            )
        });
        let ivh = IvhSettings {
            discretisation: match (settings.ivh_bin_width, settings.ivh_bin_count) {
                (Some(_), Some(_)) => {
                    return Err(IbsiError::Setting(
                        "ivhBinWidth and ivhBinCount: give one or the other".to_owned(),
                    ));
                }
                (Some(bin_width), None) => IvhDiscretisation::FixedBinSize { bin_width, range },
                (None, Some(bins)) => IvhDiscretisation::FixedBinNumber { bins },
                (None, None) => IvhDiscretisation::Calibrated { range },
            },
        };
        Ok(ChainSettings {
            label: settings.label,
            interpolation,
            ivh,
            resegmentation: Resegmentation {
                lower,
                upper,
                outlier_sigma: settings.resegment_outlier,
            },
            discretisation,
        })
    }
}

/// The features of one ROI with the diagnostics of each stage, before the
/// families run: the ROI and the diagnostic features.
pub fn prepare(
    image: &Volume,
    mask: &Volume,
    chain_settings: &ChainSettings,
    geometry_tolerance: Option<f64>,
) -> Result<(IbsiRoi, Vec<IbsiFeature>), IbsiError> {
    let differences = geometry_differences(&image.geometry, &mask.geometry, geometry_tolerance);
    if !differences.is_empty() {
        return Err(IbsiError::Grid(format!("{differences:?}")));
    }
    let morphological = select_label(&mask.data, chain_settings.label)
        .map_err(|e| IbsiError::Roi(e.to_string()))?;
    let mut diagnostics = chain::image_diagnostics(&image.data, image.spacing(), Stage::Initial);
    diagnostics.extend(chain::roi_diagnostics(
        &image.data,
        &morphological,
        &morphological,
        Stage::Initial,
    ));
    // Without interpolation the interpolated stage is the initial one.
    let interpolated;
    let (image, morphological) = match &chain_settings.interpolation {
        Some(settings) => {
            let (volume, mask) = interpolate(image, &morphological, settings)?;
            interpolated = volume;
            (&interpolated, mask)
        }
        None => (image, morphological),
    };
    let spacing = image.spacing();
    diagnostics.extend(chain::image_diagnostics(
        &image.data,
        spacing,
        Stage::Interpolated,
    ));
    diagnostics.extend(chain::roi_diagnostics(
        &image.data,
        &morphological,
        &morphological,
        Stage::Interpolated,
    ));
    let bbox = bounding_box(&morphological)
        .ok_or_else(|| IbsiError::Roi("the mask has no voxel of the label".to_owned()))?;
    let [z, y, x] = [0, 1, 2].map(|a| bbox.lower[a]..=bbox.upper[a]);
    let intensity: Array3<f64> = image
        .data
        .slice(s![z.clone(), y.clone(), x.clone()])
        .to_owned();
    let morphological = morphological.slice(s![z, y, x]).to_owned();
    let roi = chain::roi(
        intensity,
        morphological,
        spacing,
        &chain_settings.resegmentation,
        chain_settings.discretisation,
    )?;
    diagnostics.extend(chain::roi_diagnostics(
        &roi.intensity,
        &roi.intensity_mask,
        &roi.morphological_mask,
        Stage::Resegmented,
    ));
    Ok((roi, diagnostics))
}

/// Extracts every IBSI feature family of an image and its label mask
/// with the parameter file's settings, features and diagnostics named by
/// their IBSI tags. A feature the ROI leaves undefined (NaN) is left out
/// with a warning naming it.
pub fn extract(image: &Volume, mask: &Volume, params: &Params) -> Result<Extraction, IbsiError> {
    if let Some(other) = params
        .image_types
        .iter()
        .find(|t| t.kind != ImageType::Original)
    {
        return Err(IbsiError::Setting(format!(
            "image type {}: the IBSI mode extracts the original image only",
            other.kind.name()
        )));
    }
    let chain_settings = ChainSettings::from_settings(&params.settings)?;
    let (roi, diagnostics) = prepare(
        image,
        mask,
        &chain_settings,
        params.settings.geometry_tolerance,
    )?;
    let mut warnings = Vec::new();
    let features = super::families(&roi, &chain_settings.ivh)
        .into_iter()
        .filter_map(|feature| {
            if feature.value.is_finite() {
                Some(Feature {
                    name: feature.tag,
                    value: feature.value,
                })
            } else {
                warnings.push(format!(
                    "{} is left out: the ROI does not define it ({})",
                    feature.tag, feature.value
                ));
                None
            }
        })
        .collect();
    Ok(Extraction {
        features,
        diagnostics: diagnostics
            .into_iter()
            .map(|d| (d.tag, d.value.to_string()))
            .collect(),
        warnings,
    })
}
