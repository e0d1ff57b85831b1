//! Neighbouring gray-tone difference matrix (NGTDM), as PyRadiomics 3.1 computes it.

use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, feature};

/// The class's features, in PyRadiomics' order.
pub const FEATURES: &[FeatureDef] = &[
    feature("Busyness"),
    feature("Coarseness"),
    feature("Complexity"),
    feature("Contrast"),
    feature("Strength"),
];

/// Computes the requested features.
pub fn compute(
    input: &ClassInput<'_>,
    wanted: &[&'static str],
) -> Result<FeatureValues, FeatureError> {
    let _ = (input, wanted);
    Err(FeatureError::NotApplicable {
        class: "ngtdm",
        reason: "not implemented yet".to_owned(),
    })
}
