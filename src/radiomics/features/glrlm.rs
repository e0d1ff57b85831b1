//! Gray-level run-length matrix (GLRLM), as PyRadiomics 3.1 computes it.

use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, feature};

/// The class's features, in PyRadiomics' order.
pub const FEATURES: &[FeatureDef] = &[
    feature("GrayLevelNonUniformity"),
    feature("GrayLevelNonUniformityNormalized"),
    feature("GrayLevelVariance"),
    feature("HighGrayLevelRunEmphasis"),
    feature("LongRunEmphasis"),
    feature("LongRunHighGrayLevelEmphasis"),
    feature("LongRunLowGrayLevelEmphasis"),
    feature("LowGrayLevelRunEmphasis"),
    feature("RunEntropy"),
    feature("RunLengthNonUniformity"),
    feature("RunLengthNonUniformityNormalized"),
    feature("RunPercentage"),
    feature("RunVariance"),
    feature("ShortRunEmphasis"),
    feature("ShortRunHighGrayLevelEmphasis"),
    feature("ShortRunLowGrayLevelEmphasis"),
];

/// Computes the requested features.
pub fn compute(
    input: &ClassInput<'_>,
    wanted: &[&'static str],
) -> Result<FeatureValues, FeatureError> {
    let _ = (input, wanted);
    Err(FeatureError::NotApplicable {
        class: "glrlm",
        reason: "not implemented yet".to_owned(),
    })
}
