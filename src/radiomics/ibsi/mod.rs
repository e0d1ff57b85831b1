//! The IBSI mode: features as the Image Biomarker Standardisation
//! Initiative defines them (IBSI reference manual, chapters 2–5), named by
//! their IBSI tags (`morph_volume`, `cm_joint_max_3D_comb`, …), beside the
//! PyRadiomics mode of [`super::extractor`].
//!
//! The families read one [`IbsiRoi`]: the region of interest after the
//! image processing chain (interpolation, re-segmentation, discretisation),
//! with the intensity mask (re-segmented) and the morphological mask (not
//! re-segmented) kept apart, as the standard requires.
//!
//! Arrays are indexed `[z, y, x]`; spacings are (x, y, z) in mm.

pub mod chain;
pub mod geometry;
pub mod histogram;
pub mod interpolation;
pub mod ivh;
pub mod local_intensity;
pub mod morphology;
pub mod pipeline;
pub mod statistics;
pub mod texture;

#[cfg(test)]
mod phantom;

use ndarray::Array3;

/// One IBSI feature: its tag and value.
#[derive(Debug, Clone, PartialEq)]
pub struct IbsiFeature {
    /// The IBSI tag, e.g. `morph_volume` or `cm_joint_max_2D_avg`.
    pub tag: String,
    /// The value; NaN where the standard's definition has none (e.g. a
    /// correlation of a constant), never silently substituted.
    pub value: f64,
}

impl IbsiFeature {
    /// A feature.
    pub fn new(tag: impl Into<String>, value: f64) -> Self {
        IbsiFeature {
            tag: tag.into(),
            value,
        }
    }
}

/// The region of interest after the processing chain, as every family
/// reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct IbsiRoi {
    /// Intensities on the (interpolated) grid, `[z, y, x]`.
    pub intensity: Array3<f64>,
    /// The intensity mask: voxels whose intensities count (after range and
    /// outlier re-segmentation).
    pub intensity_mask: Array3<bool>,
    /// The morphological mask: the ROI's shape (before re-segmentation).
    pub morphological_mask: Array3<bool>,
    /// Voxel spacing (x, y, z) in mm.
    pub spacing: [f64; 3],
    /// Discretised grey levels, 1-based, inside the intensity mask (0
    /// outside), `[z, y, x]`.
    pub levels: Array3<u32>,
    /// The number of grey levels `N_g` (the highest level the
    /// discretisation can give, which texture matrices are sized by).
    pub n_levels: u32,
}

#[cfg(test)]
impl IbsiRoi {
    /// An ROI of `intensity` with both masks `mask`, the given spacing and
    /// no grey levels: for the tests of the families that read
    /// intensities and shape only.
    pub(crate) fn undiscretised(
        intensity: Array3<f64>,
        mask: Array3<bool>,
        spacing: [f64; 3],
    ) -> IbsiRoi {
        IbsiRoi {
            levels: Array3::zeros(intensity.dim()),
            intensity,
            intensity_mask: mask.clone(),
            morphological_mask: mask,
            spacing,
            n_levels: 1,
        }
    }
}

/// Every feature family of the standard on one ROI, in the reference
/// table's order (morphology, local intensity, statistics, intensity
/// histogram, intensity-volume histogram, then the texture families with
/// every aggregation), with the families' default settings (those of the
/// digital phantom's reference values) but the IVH's, which depend on the
/// intensities' kind.
pub fn families(roi: &IbsiRoi, ivh_settings: &ivh::IvhSettings) -> Vec<IbsiFeature> {
    let mut features = morphology::features(roi, &morphology::MorphologySettings::default());
    features.extend(local_intensity::features(roi));
    features.extend(statistics::features(roi));
    features.extend(histogram::features(roi));
    features.extend(ivh::features(roi, ivh_settings));
    features.extend(texture::texture_features(
        roi,
        &texture::TextureSettings::default(),
    ));
    features
}
