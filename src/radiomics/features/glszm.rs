//! Gray-level size-zone matrix (GLSZM), as PyRadiomics 3.1 computes it.

use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, feature};

/// The class's features, in PyRadiomics' order.
pub const FEATURES: &[FeatureDef] = &[
    feature("GrayLevelNonUniformity"),
    feature("GrayLevelNonUniformityNormalized"),
    feature("GrayLevelVariance"),
    feature("HighGrayLevelZoneEmphasis"),
    feature("LargeAreaEmphasis"),
    feature("LargeAreaHighGrayLevelEmphasis"),
    feature("LargeAreaLowGrayLevelEmphasis"),
    feature("LowGrayLevelZoneEmphasis"),
    feature("SizeZoneNonUniformity"),
    feature("SizeZoneNonUniformityNormalized"),
    feature("SmallAreaEmphasis"),
    feature("SmallAreaHighGrayLevelEmphasis"),
    feature("SmallAreaLowGrayLevelEmphasis"),
    feature("ZoneEntropy"),
    feature("ZonePercentage"),
    feature("ZoneVariance"),
];

/// Computes the requested features.
pub fn compute(
    input: &ClassInput<'_>,
    wanted: &[&'static str],
) -> Result<FeatureValues, FeatureError> {
    let _ = (input, wanted);
    Err(FeatureError::NotApplicable {
        class: "glszm",
        reason: "not implemented yet".to_owned(),
    })
}
