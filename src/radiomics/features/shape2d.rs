//! 2D shape of a single-slice ROI (with force2D), as PyRadiomics 3.1 computes it.

use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, deprecated, feature};

/// The class's features, in PyRadiomics' order.
pub const FEATURES: &[FeatureDef] = &[
    feature("Elongation"),
    feature("MajorAxisLength"),
    feature("MaximumDiameter"),
    feature("MeshSurface"),
    feature("MinorAxisLength"),
    feature("Perimeter"),
    feature("PerimeterSurfaceRatio"),
    feature("PixelSurface"),
    deprecated("SphericalDisproportion"),
    feature("Sphericity"),
];

/// Computes the requested features.
pub fn compute(
    input: &ClassInput<'_>,
    wanted: &[&'static str],
) -> Result<FeatureValues, FeatureError> {
    let _ = (input, wanted);
    Err(FeatureError::NotApplicable {
        class: "shape2d",
        reason: "not implemented yet".to_owned(),
    })
}
