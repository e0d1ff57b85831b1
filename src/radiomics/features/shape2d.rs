//! 2D shape of a single-slice ROI (with force2D), as PyRadiomics 3.1
//! `shape2D.py` (with `cshape.c`) computes it:
//!
//! - the ROI must lie in one slice along `force2Ddimension`; that axis is
//!   dropped and the remaining two keep their array order and spacings;
//! - MeshSurface and Perimeter come from the contour of
//!   marching squares (private module `mesh`), MaximumDiameter is the largest
//!   distance between its vertices;
//! - the axis lengths and Elongation come from the eigenvalues λ₀ ≤ λ₁ of
//!   the covariance (divided by N) of the physical pixel coordinates;
//! - PixelSurface is the number of pixels times the pixel area.
//!
//! Only the mask is used; the image is ignored.

use ndarray::{Axis, s};

use super::diameter::max_squared_distance;
use super::mesh::marching_squares;
use super::pca::{covariance, covariance_eigenvalues};
use super::shape::check_spacing;
use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, deprecated, feature, select};
use crate::radiomics::roi::bounding_box;

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

fn not_applicable(reason: impl Into<String>) -> FeatureError {
    FeatureError::NotApplicable {
        class: "shape2D",
        reason: reason.into(),
    }
}

/// Computes the requested features of the single-slice ROI in
/// `input.mask`.
///
/// As in PyRadiomics, a 3D image needs `force2D`, and the ROI must be one
/// voxel thick along `force2Ddimension` (PyRadiomics raises a `ValueError`
/// otherwise). Also fails on an empty ROI, on a spacing that is not
/// positive, and when Elongation is asked of a single-pixel ROI (where
/// PyRadiomics returns NaN).
pub fn compute(
    input: &ClassInput<'_>,
    wanted: &[&'static str],
) -> Result<FeatureValues, FeatureError> {
    let settings = input.settings;
    if !settings.force_2d {
        return Err(not_applicable(
            "2D shape of a 3D image needs force2D (PyRadiomics raises ValueError)",
        ));
    }
    let dimension = settings.force_2d_dimension;
    if dimension > 2 {
        return Err(not_applicable(format!(
            "force2Ddimension is {dimension}; it must be 0, 1 or 2"
        )));
    }
    let bbox = bounding_box(input.mask).ok_or_else(|| not_applicable("the ROI is empty"))?;
    let thickness = bbox.size()[dimension];
    if thickness > 1 {
        return Err(not_applicable(format!(
            "the ROI spans {thickness} slices along dimension {dimension}; \
             2D shape needs a single one (PyRadiomics raises ValueError)"
        )));
    }
    check_spacing("shape2D", &input.spacing)?;
    let roi = input
        .mask
        .slice(s![
            bbox.lower[0]..=bbox.upper[0],
            bbox.lower[1]..=bbox.upper[1],
            bbox.lower[2]..=bbox.upper[2]
        ])
        .index_axis_move(Axis(dimension), 0);
    // Spacing in array order, without the dropped axis.
    let [x, y, z] = input.spacing;
    let kept: Vec<f64> = [z, y, x]
        .into_iter()
        .enumerate()
        .filter(|&(axis, _)| axis != dimension)
        .map(|(_, spacing)| spacing)
        .collect();
    let spacing = [kept[0], kept[1]];

    let contour = marching_squares(roi, spacing);
    let (perimeter, surface) = (contour.perimeter, contour.surface);
    let diameter = if wanted.contains(&"MaximumDiameter") {
        // The vertices have z = 0, so a unit z spacing leaves them in-plane.
        max_squared_distance(&contour.vertices, [1.0, spacing[0], spacing[1]], None).sqrt()
    } else {
        f64::NAN
    };

    let pixels = roi
        .indexed_iter()
        .filter(|(_, inside)| **inside)
        .map(|((a, b), _)| [a, b]);
    let count = roi.iter().filter(|inside| **inside).count() as f64;
    let cov = covariance(pixels, spacing).ok_or_else(|| not_applicable("the ROI is empty"))?;
    let [minor, major] = covariance_eigenvalues(cov);
    if major == 0.0 && wanted.contains(&"Elongation") {
        return Err(not_applicable(
            "Elongation is undefined for a single-pixel ROI (PyRadiomics returns NaN)",
        ));
    }
    // The contour of a non-empty ROI always encloses a positive area; this
    // only guards the ratios against a NaN should that ever fail.
    if !(surface > 0.0 && perimeter > 0.0) {
        return Err(not_applicable(format!(
            "the contour has area {surface} and perimeter {perimeter}; its ratios are undefined"
        )));
    }

    let sphericity = (2.0 * (std::f64::consts::PI * surface).sqrt()) / perimeter;
    let all = [
        ("Elongation", (minor / major).sqrt()),
        ("MajorAxisLength", major.sqrt() * 4.0),
        ("MaximumDiameter", diameter),
        ("MeshSurface", surface),
        ("MinorAxisLength", minor.sqrt() * 4.0),
        ("Perimeter", perimeter),
        ("PerimeterSurfaceRatio", perimeter / surface),
        // PyRadiomics unpacks (y, x) and multiplies x · y.
        ("PixelSurface", count * (spacing[1] * spacing[0])),
        ("SphericalDisproportion", 1.0 / sphericity),
        ("Sphericity", sphericity),
    ];
    Ok(select(&all, wanted))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use ndarray::{Array2, Array3};
    use proptest::prelude::*;

    use super::*;
    use crate::radiomics::settings::Settings;

    fn all_names() -> Vec<&'static str> {
        FEATURES.iter().map(|f| f.name).collect()
    }

    fn try_features(
        mask: &Array3<bool>,
        spacing: [f64; 3],
        force_2d: bool,
        dimension: usize,
        wanted: &[&'static str],
    ) -> Result<HashMap<&'static str, f64>, FeatureError> {
        let image = Array3::from_elem(mask.dim(), 1.0);
        let settings = Settings {
            force_2d,
            force_2d_dimension: dimension,
            ..Settings::default()
        };
        let input = ClassInput {
            image: &image,
            mask,
            spacing,
            settings: &settings,
        };
        Ok(compute(&input, wanted)?.into_iter().collect())
    }

    fn features(
        mask: &Array3<bool>,
        spacing: [f64; 3],
        dimension: usize,
    ) -> HashMap<&'static str, f64> {
        try_features(mask, spacing, true, dimension, &all_names()).unwrap()
    }

    fn assert_close(values: &HashMap<&str, f64>, expected: &[(&str, f64)]) {
        for &(name, want) in expected {
            let got = values[name];
            assert!(
                (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                "{name}: {got} vs {want}"
            );
        }
    }

    /// The disk a² + (0.8 b)² ≤ 10 on a 9×9 grid (a, b from −4 to 4) plus
    /// its corner pixel [0, 0], placed as a single slice across each axis
    /// of a 3D mask in turn (`numpy.expand_dims(disk, d)`), spacing
    /// (x, y, z) = (0.7, 1.1, 2.5), force2Ddimension = d: the values of
    /// PyRadiomics 3.1.4 `RadiomicsShape2D` on those masks. Each axis keeps
    /// its own spacing, so the three differ.
    #[test]
    fn a_disk_in_each_plane_matches_pyradiomics() {
        let disk = Array2::from_shape_fn((9, 9), |(a, b)| {
            let (a, b) = (a as f64 - 4.0, b as f64 - 4.0);
            a * a + (0.8 * b).powi(2) <= 10.0 || (a, b) == (-4.0, -4.0)
        });
        let expected: [[(&str, f64); 10]; 3] = [
            [
                ("Elongation", 0.6704632984306251),
                ("MajorAxisLength", 8.059451468766456),
                ("MaximumDiameter", 9.470480452437458),
                ("MeshSurface", 31.569999999999993),
                ("MinorAxisLength", 5.403566415290705),
                ("Perimeter", 24.83072384832424),
                ("PerimeterSurfaceRatio", 0.7865291051100489),
                ("PixelSurface", 32.34),
                ("SphericalDisproportion", 1.2466575083565352),
                ("Sphericity", 0.8021449301807816),
            ],
            [
                ("Elongation", 0.2974203388988702),
                ("MajorAxisLength", 18.24237246785617),
                ("MaximumDiameter", 20.303940504246953),
                ("MeshSurface", 71.74999999999997),
                ("MinorAxisLength", 5.425652601709202),
                ("Perimeter", 46.36920797719549),
                ("PerimeterSurfaceRatio", 0.6462607383581255),
                ("PixelSurface", 73.5),
                ("SphericalDisproportion", 1.5442364282003012),
                ("Sphericity", 0.6475692334012801),
            ],
            [
                ("Elongation", 0.4664323747962261),
                ("MajorAxisLength", 18.260792854277),
                ("MaximumDiameter", 20.74246851269154),
                ("MeshSurface", 112.75),
                ("MinorAxisLength", 8.517424976682376),
                ("Perimeter", 50.65040045399626),
                ("PerimeterSurfaceRatio", 0.44922749848333715),
                ("PixelSurface", 115.5),
                ("SphericalDisproportion", 1.345611456552974),
                ("Sphericity", 0.7431565740096179),
            ],
        ];
        for (dimension, expected) in expected.iter().enumerate() {
            let mask = disk.clone().insert_axis(Axis(dimension));
            assert_close(&features(&mask, [0.7, 1.1, 2.5], dimension), expected);
        }
    }

    /// One pixel of a z slice, spacing (x, y) = (1.5, 0.5): the contour is
    /// the diamond through the edge midpoints.
    #[test]
    fn a_single_pixel_by_exact_geometry() {
        let (sx, sy) = (1.5, 0.5);
        let mask = Array3::from_elem((1, 1, 1), true);
        let wanted = [
            "MeshSurface",
            "PixelSurface",
            "Perimeter",
            "MaximumDiameter",
            "MajorAxisLength",
        ];
        let values = try_features(&mask, [sx, sy, 3.0], true, 0, &wanted).unwrap();
        assert_close(
            &values,
            &[
                ("MeshSurface", 0.5 * sx * sy),
                ("PixelSurface", sx * sy),
                ("Perimeter", 2.0 * (sx * sx + sy * sy).sqrt()),
                ("MaximumDiameter", sx),
                ("MajorAxisLength", 0.0),
            ],
        );
        let error = try_features(&mask, [sx, sy, 3.0], true, 0, &["Elongation"]).unwrap_err();
        assert!(
            error.to_string().contains("Elongation is undefined"),
            "{error}"
        );
    }

    /// A 2×3 rectangle of pixels: the contour is the rectangle of the
    /// pixel centres grown by the diamond (Minkowski sum), and the pixel
    /// coordinates have variances s²/4 (two values) and 2s²/3 (three
    /// values).
    #[test]
    fn a_rectangle_by_exact_geometry() {
        let (sx, sy) = (0.8, 1.3);
        let mask = Array3::from_elem((1, 2, 3), true);
        let values = features(&mask, [sx, sy, 5.0], 0);
        // Centres span 2sx × sy; strips of depth sy/2 and sx/2; the diamond.
        let surface = 2.0 * sx * sy + 2.0 * sx * sy + sx * sy + 0.5 * sx * sy;
        let perimeter = 2.0 * 2.0 * sx + 2.0 * sy + 2.0 * (sx * sx + sy * sy).sqrt();
        let diameter = ((3.0 * sx).powi(2) + sy * sy)
            .max((2.0 * sx).powi(2) + (2.0 * sy).powi(2))
            .max((2.5 * sx).powi(2) + (1.5 * sy).powi(2))
            .sqrt();
        let major = 4.0 * (2.0f64 / 3.0).sqrt() * sx;
        let minor = 4.0 * 0.5 * sy;
        let (long, short) = (major.max(minor), major.min(minor));
        assert_close(
            &values,
            &[
                ("PixelSurface", 6.0 * sx * sy),
                ("MeshSurface", surface),
                ("Perimeter", perimeter),
                ("PerimeterSurfaceRatio", perimeter / surface),
                (
                    "Sphericity",
                    2.0 * (std::f64::consts::PI * surface).sqrt() / perimeter,
                ),
                ("MajorAxisLength", long),
                ("MinorAxisLength", short),
                ("Elongation", short / long),
                ("MaximumDiameter", diameter),
            ],
        );
    }

    #[test]
    fn the_roi_must_be_a_single_slice_with_force_2d() {
        let mask = Array3::from_elem((2, 1, 3), true);
        let wanted = all_names();
        let error = try_features(&mask, [1.0; 3], false, 1, &wanted).unwrap_err();
        assert!(error.to_string().contains("needs force2D"), "{error}");
        let error = try_features(&mask, [1.0; 3], true, 0, &wanted).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("spans 2 slices along dimension 0"),
            "{error}"
        );
        let error = try_features(&mask, [1.0; 3], true, 2, &wanted).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("spans 3 slices along dimension 2"),
            "{error}"
        );
        assert!(try_features(&mask, [1.0; 3], true, 1, &wanted).is_ok());
        let error = try_features(&mask, [1.0; 3], true, 3, &wanted).unwrap_err();
        assert!(
            error.to_string().contains("force2Ddimension is 3"),
            "{error}"
        );
        let empty = Array3::from_elem((1, 2, 2), false);
        let error = try_features(&empty, [1.0; 3], true, 0, &wanted).unwrap_err();
        assert_eq!(error.to_string(), "shape2D: the ROI is empty");
    }

    fn random_slice() -> impl Strategy<Value = Array2<bool>> {
        (1usize..8, 1usize..8)
            .prop_flat_map(|(a, b)| (Just((a, b)), prop::collection::vec(any::<bool>(), a * b)))
            .prop_filter_map("two pixels", |(shape, bits)| {
                let mask = Array2::from_shape_vec(shape, bits).unwrap();
                (mask.iter().filter(|v| **v).count() >= 2).then_some(mask)
            })
    }

    /// See `shape::tests::agree`: a zero eigenvalue comes out as noise.
    fn agree(name: &str, a: f64, b: f64, values: &HashMap<&str, f64>) -> bool {
        let slack = match name {
            "Elongation" => 1e-7,
            "MinorAxisLength" => 1e-7 * values["MajorAxisLength"],
            _ => 0.0,
        };
        a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + slack
    }

    proptest! {
        #[test]
        fn translating_scaling_and_mirroring_a_slice(
            slice in random_slice(),
            spacing in [0.3f64..3.0, 0.3f64..3.0, 0.3f64..6.0],
            dimension in 0usize..3,
            offset in [0usize..3, 0usize..3],
            k in 0.25f64..4.0,
            mirror_axis in 0usize..2,
        ) {
            let (a, b) = slice.dim();
            let mask = slice.clone().insert_axis(Axis(dimension));
            let values = features(&mask, spacing, dimension);

            let mut larger = Array2::from_elem((a + offset[0] + 2, b + offset[1] + 1), false);
            larger.slice_mut(s![offset[0]..offset[0] + a, offset[1]..offset[1] + b]).assign(&slice);
            let translated = features(&larger.insert_axis(Axis(dimension)), spacing, dimension);
            for name in all_names() {
                prop_assert_eq!(values[name].to_bits(), translated[name].to_bits(), "{}", name);
            }

            let scaled = features(&mask, spacing.map(|s| s * k), dimension);
            for name in all_names() {
                let power = match name {
                    "MeshSurface" | "PixelSurface" => 2,
                    "PerimeterSurfaceRatio" => -1,
                    "Elongation" | "Sphericity" | "SphericalDisproportion" => 0,
                    _ => 1,
                };
                let expected = values[name] * k.powi(power);
                prop_assert!(agree(name, scaled[name], expected, &scaled), "{}: {} vs {}", name, scaled[name], expected);
            }

            // Marching squares has no ambiguous orientation: mirroring
            // changes nothing at all.
            let mut flipped = slice.clone();
            flipped.invert_axis(Axis(mirror_axis));
            let mirrored = features(&flipped.insert_axis(Axis(dimension)), spacing, dimension);
            for name in all_names() {
                prop_assert!(agree(name, mirrored[name], values[name], &values), "{}: {} vs {}", name, mirrored[name], values[name]);
            }
        }
    }
}
