//! Gray-level dependence matrix (GLDM), as PyRadiomics 3.1 computes it.

use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, deprecated, feature};

/// The class's features, in PyRadiomics' order.
pub const FEATURES: &[FeatureDef] = &[
    feature("DependenceEntropy"),
    feature("DependenceNonUniformity"),
    feature("DependenceNonUniformityNormalized"),
    deprecated("DependencePercentage"),
    feature("DependenceVariance"),
    feature("GrayLevelNonUniformity"),
    deprecated("GrayLevelNonUniformityNormalized"),
    feature("GrayLevelVariance"),
    feature("HighGrayLevelEmphasis"),
    feature("LargeDependenceEmphasis"),
    feature("LargeDependenceHighGrayLevelEmphasis"),
    feature("LargeDependenceLowGrayLevelEmphasis"),
    feature("LowGrayLevelEmphasis"),
    feature("SmallDependenceEmphasis"),
    feature("SmallDependenceHighGrayLevelEmphasis"),
    feature("SmallDependenceLowGrayLevelEmphasis"),
];

/// Computes the requested features.
pub fn compute(
    input: &ClassInput<'_>,
    wanted: &[&'static str],
) -> Result<FeatureValues, FeatureError> {
    let _ = (input, wanted);
    Err(FeatureError::NotApplicable {
        class: "gldm",
        reason: "not implemented yet".to_owned(),
    })
}
