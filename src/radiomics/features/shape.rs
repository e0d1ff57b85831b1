//! 3D shape, from a marching-cubes mesh of the ROI, as PyRadiomics 3.1 computes it.

use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, deprecated, feature};

/// The class's features, in PyRadiomics' order.
pub const FEATURES: &[FeatureDef] = &[
    deprecated("Compactness1"),
    deprecated("Compactness2"),
    feature("Elongation"),
    feature("Flatness"),
    feature("LeastAxisLength"),
    feature("MajorAxisLength"),
    feature("Maximum2DDiameterColumn"),
    feature("Maximum2DDiameterRow"),
    feature("Maximum2DDiameterSlice"),
    feature("Maximum3DDiameter"),
    feature("MeshVolume"),
    feature("MinorAxisLength"),
    deprecated("SphericalDisproportion"),
    feature("Sphericity"),
    feature("SurfaceArea"),
    feature("SurfaceVolumeRatio"),
    feature("VoxelVolume"),
];

/// Computes the requested features.
pub fn compute(
    input: &ClassInput<'_>,
    wanted: &[&'static str],
) -> Result<FeatureValues, FeatureError> {
    let _ = (input, wanted);
    Err(FeatureError::NotApplicable {
        class: "shape",
        reason: "not implemented yet".to_owned(),
    })
}
