//! The IBSI mode from an image and its mask to tagged features: the
//! processing chain of [`super::chain`] with the settings of a parameter
//! file, every feature family, and the diagnostic features of each stage.
//!
//! Settings read in this mode: `label`, `binWidth` (fixed bin size, from
//! the lower re-segmentation bound or the ROI's minimum) or `binCount`
//! (fixed bin number), `resegmentRange` (absolute intensities),
//! `resegmentOutlier` (standard deviations), `geometryTolerance`. Only the
//! `Original` image type exists here.

use ndarray::{Array3, s};

use super::chain::{self, Discretisation, Resegmentation, Stage};
use super::{IbsiFeature, IbsiRoi};
use crate::imaging::Volume;
use crate::radiomics::extractor::{Extraction, Feature};
use crate::radiomics::params::{ImageType, Params};
use crate::radiomics::preprocess::geometry_differences;
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
}

/// The processing chain's settings, from a parameter file's.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainSettings {
    /// The label of the ROI in the mask.
    pub label: u32,
    /// Re-segmentation.
    pub resegmentation: Resegmentation,
    /// Discretisation.
    pub discretisation: Discretisation,
}

impl ChainSettings {
    /// Reads the IBSI mode's settings, refusing those it cannot honour
    /// rather than ignoring them.
    pub fn from_settings(settings: &Settings) -> Result<ChainSettings, IbsiError> {
        if settings.resampled_pixel_spacing.is_some() {
            return Err(IbsiError::Setting(
                "resampledPixelSpacing: interpolation on the standard's grid is not available yet in this mode; extract without it or in the PyRadiomics mode".to_owned(),
            ));
        }
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
        Ok(ChainSettings {
            label: settings.label,
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
    let spacing = image.spacing();
    let mut diagnostics = chain::image_diagnostics(&image.data, spacing, Stage::Initial);
    diagnostics.extend(chain::roi_diagnostics(
        &image.data,
        &morphological,
        &morphological,
        Stage::Initial,
    ));
    // Without interpolation the interpolated stage is the initial one.
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
    let features = super::families(&roi)
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
