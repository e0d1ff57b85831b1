//! The feature classes of PyRadiomics 3.1, one module each. Every class
//! takes the same [`ClassInput`] — the image cropped to the ROI's bounding
//! box, the ROI, the spacing and the settings — and returns its enabled
//! features by PyRadiomics name.

pub mod angles;
mod diameter;
pub mod firstorder;
pub mod glcm;
pub mod gldm;
pub mod glrlm;
pub mod glszm;
pub(crate) mod mesh;
pub mod ngtdm;
pub(crate) mod pca;
pub mod shape;
pub mod shape2d;
mod texture;

use ndarray::Array3;

use super::settings::Settings;

/// A feature a class offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureDef {
    /// PyRadiomics' name, e.g. `Contrast`.
    pub name: &'static str,
    /// Deprecated features are computed only when asked for by name.
    pub deprecated: bool,
}

/// A non-deprecated feature.
pub(crate) const fn feature(name: &'static str) -> FeatureDef {
    FeatureDef {
        name,
        deprecated: false,
    }
}

/// A deprecated feature.
pub(crate) const fn deprecated(name: &'static str) -> FeatureDef {
    FeatureDef {
        name,
        deprecated: true,
    }
}

/// What every feature class computes from.
#[derive(Debug, Clone, Copy)]
pub struct ClassInput<'a> {
    /// Intensities, `[z, y, x]`, cropped to the ROI's bounding box (no
    /// padding), as PyRadiomics passes them to its feature classes.
    pub image: &'a Array3<f64>,
    /// The ROI, same shape.
    pub mask: &'a Array3<bool>,
    /// Voxel spacing (x, y, z) in mm.
    pub spacing: [f64; 3],
    /// The settings of this image type.
    pub settings: &'a Settings,
}

/// Feature values in the order asked for.
pub type FeatureValues = Vec<(&'static str, f64)>;

/// Why a feature class could not compute.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FeatureError {
    /// The ROI does not allow the class, e.g. 2D shape of a volume.
    #[error("{class}: {reason}")]
    NotApplicable {
        /// The class.
        class: &'static str,
        /// Why.
        reason: String,
    },
}

impl FeatureError {
    /// A class's error for an ROI that cannot be discretised.
    pub(crate) fn binning(
        class: &'static str,
        error: crate::radiomics::discretize::BinningError,
    ) -> Self {
        FeatureError::NotApplicable {
            class,
            reason: error.to_string(),
        }
    }
}

/// The feature classes, in PyRadiomics' order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeatureClass {
    /// First-order statistics.
    FirstOrder,
    /// 3D shape.
    Shape,
    /// 2D shape of a single slice (with `force2D`).
    Shape2D,
    /// Gray-level co-occurrence matrix.
    Glcm,
    /// Gray-level run-length matrix.
    Glrlm,
    /// Gray-level size-zone matrix.
    Glszm,
    /// Gray-level dependence matrix.
    Gldm,
    /// Neighbouring gray-tone difference matrix.
    Ngtdm,
}

impl FeatureClass {
    /// Every class, in the order PyRadiomics enables them all.
    pub const ALL: [FeatureClass; 8] = [
        FeatureClass::FirstOrder,
        FeatureClass::Glcm,
        FeatureClass::Gldm,
        FeatureClass::Glrlm,
        FeatureClass::Glszm,
        FeatureClass::Ngtdm,
        FeatureClass::Shape,
        FeatureClass::Shape2D,
    ];

    /// The class's name in parameter files and feature names.
    pub fn name(self) -> &'static str {
        match self {
            FeatureClass::FirstOrder => "firstorder",
            FeatureClass::Shape => "shape",
            FeatureClass::Shape2D => "shape2D",
            FeatureClass::Glcm => "glcm",
            FeatureClass::Glrlm => "glrlm",
            FeatureClass::Glszm => "glszm",
            FeatureClass::Gldm => "gldm",
            FeatureClass::Ngtdm => "ngtdm",
        }
    }

    /// The class of a parameter-file name.
    pub fn from_name(name: &str) -> Option<FeatureClass> {
        FeatureClass::ALL
            .into_iter()
            .find(|class| class.name() == name)
    }

    /// The features the class offers, in PyRadiomics' (alphabetical) order.
    pub fn features(self) -> &'static [FeatureDef] {
        match self {
            FeatureClass::FirstOrder => firstorder::FEATURES,
            FeatureClass::Shape => shape::FEATURES,
            FeatureClass::Shape2D => shape2d::FEATURES,
            FeatureClass::Glcm => glcm::FEATURES,
            FeatureClass::Glrlm => glrlm::FEATURES,
            FeatureClass::Glszm => glszm::FEATURES,
            FeatureClass::Gldm => gldm::FEATURES,
            FeatureClass::Ngtdm => ngtdm::FEATURES,
        }
    }

    /// Whether the class describes the ROI's shape rather than intensities
    /// (computed once, on the original image).
    pub fn is_shape(self) -> bool {
        matches!(self, FeatureClass::Shape | FeatureClass::Shape2D)
    }

    /// Computes the requested features of the class.
    pub fn compute(
        self,
        input: &ClassInput<'_>,
        wanted: &[&'static str],
    ) -> Result<FeatureValues, FeatureError> {
        match self {
            FeatureClass::FirstOrder => firstorder::compute(input, wanted),
            FeatureClass::Shape => shape::compute(input, wanted),
            FeatureClass::Shape2D => shape2d::compute(input, wanted),
            FeatureClass::Glcm => glcm::compute(input, wanted),
            FeatureClass::Glrlm => glrlm::compute(input, wanted),
            FeatureClass::Glszm => glszm::compute(input, wanted),
            FeatureClass::Gldm => gldm::compute(input, wanted),
            FeatureClass::Ngtdm => ngtdm::compute(input, wanted),
        }
    }
}

/// Picks the wanted features out of a table of all computed ones, in the
/// order asked for. Every class ends with this.
pub(crate) fn select(all: &[(&'static str, f64)], wanted: &[&'static str]) -> FeatureValues {
    wanted
        .iter()
        .filter_map(|name| all.iter().find(|(n, _)| n == name).copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_tables_are_sorted_as_pyradiomics_lists_them() {
        for class in FeatureClass::ALL {
            let names: Vec<&str> = class.features().iter().map(|f| f.name).collect();
            let mut sorted = names.clone();
            sorted.sort_unstable();
            assert_eq!(names, sorted, "{}", class.name());
        }
    }

    #[test]
    fn default_feature_counts_match_pyradiomics() {
        // PyRadiomics 3.1 with every class enabled: 18 + 14 + 24 + 16 + 16 + 14 + 5.
        let count = |class: FeatureClass| class.features().iter().filter(|f| !f.deprecated).count();
        let counts: Vec<usize> = [
            FeatureClass::FirstOrder,
            FeatureClass::Shape,
            FeatureClass::Glcm,
            FeatureClass::Glrlm,
            FeatureClass::Glszm,
            FeatureClass::Gldm,
            FeatureClass::Ngtdm,
        ]
        .into_iter()
        .map(count)
        .collect();
        assert_eq!(counts, [18, 14, 24, 16, 16, 14, 5]);
    }
}
