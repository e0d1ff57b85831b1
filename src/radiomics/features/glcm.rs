//! Gray-level co-occurrence matrix (GLCM), as PyRadiomics 3.1 computes it.

use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, deprecated, feature};

/// The class's features, in PyRadiomics' order.
pub const FEATURES: &[FeatureDef] = &[
    feature("Autocorrelation"),
    feature("ClusterProminence"),
    feature("ClusterShade"),
    feature("ClusterTendency"),
    feature("Contrast"),
    feature("Correlation"),
    feature("DifferenceAverage"),
    feature("DifferenceEntropy"),
    feature("DifferenceVariance"),
    deprecated("Dissimilarity"),
    deprecated("Homogeneity1"),
    deprecated("Homogeneity2"),
    feature("Id"),
    feature("Idm"),
    feature("Idmn"),
    feature("Idn"),
    feature("Imc1"),
    feature("Imc2"),
    feature("InverseVariance"),
    feature("JointAverage"),
    feature("JointEnergy"),
    feature("JointEntropy"),
    feature("MCC"),
    feature("MaximumProbability"),
    feature("SumAverage"),
    feature("SumEntropy"),
    feature("SumSquares"),
    deprecated("SumVariance"),
];

/// Computes the requested features.
pub fn compute(
    input: &ClassInput<'_>,
    wanted: &[&'static str],
) -> Result<FeatureValues, FeatureError> {
    let _ = (input, wanted);
    Err(FeatureError::NotApplicable {
        class: "glcm",
        reason: "not implemented yet".to_owned(),
    })
}
