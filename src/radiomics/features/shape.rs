//! 3D shape, from a marching-cubes mesh of the ROI, as PyRadiomics 3.1
//! `shape.py` (with `cshape.c`) computes it:
//!
//! - MeshVolume, SurfaceArea and the ratios built on them come from the
//!   marching-cubes triangle mesh (private module `mesh`);
//! - the diameters are the largest distances between mesh vertices, over
//!   all vertices (3D) or over vertices sharing their z (Slice), y (Column)
//!   or x (Row) coordinate;
//! - the axis lengths, Elongation and Flatness come from the eigenvalues
//!   λ₀ ≤ λ₁ ≤ λ₂ of the covariance (divided by N) of the physical
//!   coordinates of the voxel centres (an axis length is 4√λ);
//! - VoxelVolume is the number of voxels times the voxel volume.
//!
//! Only the mask is used; the image is ignored.

use ndarray::s;

use super::diameter::max_squared_distance;
use super::mesh::marching_cubes;
use super::pca::{covariance, covariance_eigenvalues};
use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, deprecated, feature, select};
use crate::radiomics::roi::bounding_box;

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

const DIAMETERS: [&str; 4] = [
    "Maximum2DDiameterSlice",
    "Maximum2DDiameterColumn",
    "Maximum2DDiameterRow",
    "Maximum3DDiameter",
];

fn not_applicable(reason: impl Into<String>) -> FeatureError {
    FeatureError::NotApplicable {
        class: "shape",
        reason: reason.into(),
    }
}

/// Checks that every spacing is a positive number, as the mesh needs.
pub(crate) fn check_spacing(class: &'static str, spacing: &[f64]) -> Result<(), FeatureError> {
    if spacing.iter().all(|s| s.is_finite() && *s > 0.0) {
        Ok(())
    } else {
        Err(FeatureError::NotApplicable {
            class,
            reason: format!("the voxel spacing {spacing:?} is not positive and finite"),
        })
    }
}

/// The features read from the marching-cubes mesh's volume and area.
pub const MESH_FEATURES: [&str; 7] = [
    "Compactness1",
    "Compactness2",
    "MeshVolume",
    "SphericalDisproportion",
    "Sphericity",
    "SurfaceArea",
    "SurfaceVolumeRatio",
];

/// Computes the requested features of the ROI in `input.mask`.
///
/// The mask is cropped to the ROI's bounding box first (a no-op for the
/// crop PyRadiomics passes), so that the mesh coordinates are measured from
/// the same origin as in PyRadiomics and do not depend on any extra margin.
/// Fails on an empty ROI, on a spacing that is not positive, and when
/// Elongation or Flatness is asked of a single-voxel ROI (its principal
/// axes are all 0, where PyRadiomics returns NaN), and when a mesh feature
/// is asked of an ROI whose mesh has no positive volume (see
/// [`MESH_FEATURES`]).
pub fn compute(
    input: &ClassInput<'_>,
    wanted: &[&'static str],
) -> Result<FeatureValues, FeatureError> {
    let bbox = bounding_box(input.mask).ok_or_else(|| not_applicable("the ROI is empty"))?;
    check_spacing("shape", &input.spacing)?;
    let roi = input.mask.slice(s![
        bbox.lower[0]..=bbox.upper[0],
        bbox.lower[1]..=bbox.upper[1],
        bbox.lower[2]..=bbox.upper[2]
    ]);
    let [x, y, z] = input.spacing;
    let spacing = [z, y, x];

    let mesh = marching_cubes(roi, spacing);
    let (area, volume) = (mesh.surface_area, mesh.volume);

    let mut diameters = [f64::NAN; 4];
    if DIAMETERS.iter().any(|name| wanted.contains(name)) {
        for (diameter, plane) in diameters.iter_mut().zip([Some(0), Some(1), Some(2), None]) {
            *diameter = max_squared_distance(&mesh.vertices, spacing, plane).sqrt();
        }
    }

    let voxels = roi
        .indexed_iter()
        .filter(|(_, inside)| **inside)
        .map(|((z, y, x), _)| [z, y, x]);
    let count = roi.iter().filter(|inside| **inside).count() as f64;
    let cov = covariance(voxels, spacing).ok_or_else(|| not_applicable("the ROI is empty"))?;
    let [least, minor, major] = covariance_eigenvalues(cov);
    if major == 0.0 {
        for name in ["Elongation", "Flatness"] {
            if wanted.contains(&name) {
                return Err(not_applicable(format!(
                    "{name} is undefined for a single-voxel ROI (PyRadiomics returns NaN)"
                )));
            }
        }
    }

    // PyRadiomics' marching-cubes table is not orientation-consistent on
    // ambiguous cells, so an ROI of voxels that touch only at edges or
    // corners can get a negative signed mesh volume (PyRadiomics reports
    // e.g. MeshVolume −7.7 mm³ and a negative SurfaceVolumeRatio for such
    // a mask). Those numbers mean nothing, so the mesh features are
    // refused for it; the features that do not read the mesh still come.
    let mesh_wanted = MESH_FEATURES.iter().any(|name| wanted.contains(name));
    if mesh_wanted && !(volume > 0.0 && area > 0.0) {
        return Err(not_applicable(format!(
            "the mesh has volume {volume} and area {area} (an ROI whose voxels touch only at \
             edges or corners); its volume and ratios are undefined"
        )));
    }

    // `**` in Python is C `pow`, hence `powf` rather than `powi`.
    // (Mesh features computed here but not wanted are dropped by `select`.)
    let pi = std::f64::consts::PI;
    let sphere_area = (36.0 * pi * volume.powf(2.0)).powf(1.0 / 3.0);
    let all = [
        ("Compactness1", volume / (area.powf(3.0 / 2.0) * pi.sqrt())),
        (
            "Compactness2",
            (36.0 * pi) * volume.powf(2.0) / area.powf(3.0),
        ),
        ("Elongation", (minor / major).sqrt()),
        ("Flatness", (least / major).sqrt()),
        ("LeastAxisLength", least.sqrt() * 4.0),
        ("MajorAxisLength", major.sqrt() * 4.0),
        ("Maximum2DDiameterColumn", diameters[1]),
        ("Maximum2DDiameterRow", diameters[2]),
        ("Maximum2DDiameterSlice", diameters[0]),
        ("Maximum3DDiameter", diameters[3]),
        ("MeshVolume", volume),
        ("MinorAxisLength", minor.sqrt() * 4.0),
        ("SphericalDisproportion", area / sphere_area),
        ("Sphericity", sphere_area / area),
        ("SurfaceArea", area),
        ("SurfaceVolumeRatio", area / volume),
        // PyRadiomics multiplies z · x · y, in that order.
        ("VoxelVolume", count * (z * x * y)),
    ];
    Ok(select(&all, wanted))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use ndarray::{Array3, Axis};
    use proptest::prelude::*;

    use super::*;
    use crate::radiomics::settings::Settings;

    /// Every feature, deprecated ones included.
    fn all_names() -> Vec<&'static str> {
        FEATURES.iter().map(|f| f.name).collect()
    }

    /// The features of `mask` with spacing (x, y, z); the image is noise,
    /// to show it plays no part.
    fn features(mask: &Array3<bool>, spacing: [f64; 3]) -> HashMap<&'static str, f64> {
        try_features(mask, spacing, &all_names()).unwrap()
    }

    fn try_features(
        mask: &Array3<bool>,
        spacing: [f64; 3],
        wanted: &[&'static str],
    ) -> Result<HashMap<&'static str, f64>, FeatureError> {
        let image =
            Array3::from_shape_fn(mask.dim(), |(z, y, x)| ((z * 31 + y * 7 + x) % 13) as f64);
        let settings = Settings::default();
        let input = ClassInput {
            image: &image,
            mask,
            spacing,
            settings: &settings,
        };
        Ok(compute(&input, wanted)?.into_iter().collect())
    }

    fn mask_from_rows(shape: (usize, usize, usize), rows: &[&str]) -> Array3<bool> {
        let bits: Vec<bool> = rows.concat().chars().map(|c| c == '1').collect();
        Array3::from_shape_vec(shape, bits).unwrap()
    }

    fn assert_close(values: &HashMap<&str, f64>, expected: &[(&str, f64)], tolerance: f64) {
        for &(name, want) in expected {
            let got = values[name];
            assert!(
                (got - want).abs() <= tolerance * want.abs().max(1e-3),
                "{name}: {got} vs {want}"
            );
        }
    }

    /// A 2×2×2 block with spacing (x, y, z) = (0.7, 1.1, 2.5), by exact
    /// geometry: the mesh is the box of voxel centres grown by the
    /// octahedron |x|/sx + |y|/sy + |z|/sz ≤ 1/2 (faces, edge chamfers and
    /// corner triangles), and the voxel coordinates 0 and 1 on every axis
    /// have a variance of s²/4, so an axis length is 4·(s/2) = 2s. Also the
    /// values of PyRadiomics 3.1.4 `RadiomicsShape` on this mask.
    #[test]
    fn a_two_voxel_cube_by_exact_geometry() {
        let (sx, sy, sz) = (0.7, 1.1, 2.5);
        let values = features(&Array3::from_elem((2, 2, 2), true), [sx, sy, sz]);
        let volume = 17.0 / 3.0 * sx * sy * sz;
        let area = 2.0 * (sy * sz + sx * sz + sx * sy)
            + 2.0 * sx * (sy * sy + sz * sz).sqrt()
            + 2.0 * sy * (sx * sx + sz * sz).sqrt()
            + 2.0 * sz * (sx * sx + sy * sy).sqrt()
            + ((sx * sy).powi(2) + (sy * sz).powi(2) + (sx * sz).powi(2)).sqrt();
        // Farthest vertices: a face centre and the far corner of the
        // opposite face, e.g. (−sz/2, 0, 0) and (3sz/2, sy, sx).
        let d3 = (4.0 * sz * sz + sy * sy + sx * sx)
            .max(sz * sz + 4.0 * sy * sy + sx * sx)
            .max(sz * sz + sy * sy + 4.0 * sx * sx);
        let in_plane = |a: f64, b: f64| {
            (4.0 * a * a + b * b)
                .max(a * a + 4.0 * b * b)
                .max(2.25 * (a * a + b * b))
        };
        assert_close(
            &values,
            &[
                ("VoxelVolume", 8.0 * sx * sy * sz),
                ("MeshVolume", volume),
                ("SurfaceArea", area),
                ("SurfaceVolumeRatio", area / volume),
                (
                    "Sphericity",
                    (36.0 * std::f64::consts::PI * volume * volume).cbrt() / area,
                ),
                ("LeastAxisLength", 2.0 * sx),
                ("MinorAxisLength", 2.0 * sy),
                ("MajorAxisLength", 2.0 * sz),
                ("Elongation", sy / sz),
                ("Flatness", sx / sz),
                ("Maximum3DDiameter", d3.sqrt()),
                ("Maximum2DDiameterSlice", in_plane(sx, sy).sqrt()),
                ("Maximum2DDiameterColumn", in_plane(sx, sz).sqrt()),
                ("Maximum2DDiameterRow", in_plane(sy, sz).sqrt()),
            ],
            1e-12,
        );
        assert_close(
            &values,
            &[
                ("Compactness1", 0.03755965667512819),
                ("Compactness2", 0.5012397143247019),
                ("Maximum2DDiameterColumn", 5.048762224545735),
                ("Maximum2DDiameterRow", 5.119570294468081),
                ("Maximum2DDiameterSlice", 2.3086792761230392),
                ("Maximum3DDiameter", 5.167204273105526),
                ("MeshVolume", 10.908333333333333),
                ("SphericalDisproportion", 1.258881473010836),
                ("Sphericity", 0.7943559591899662),
                ("SurfaceArea", 29.94386804084774),
            ],
            1e-12,
        );
    }

    /// A 5×5×5 cube with its centre voxel removed, spacing 1: the cavity
    /// takes an octahedron (volume 1/6, area √3) out of the mesh of the
    /// full cube (volume 64 + 48 + 6 + 1/6, area 96 + 24√2 + √3); removing
    /// the centre leaves the summed squared deviations (250 per axis) and
    /// divides them by 124.
    #[test]
    fn a_cavity_is_subtracted_from_the_mesh() {
        let mut mask = Array3::from_elem((5, 5, 5), true);
        mask[[2, 2, 2]] = false;
        let values = features(&mask, [1.0; 3]);
        let axis = 4.0 * (250.0f64 / 124.0).sqrt();
        assert_close(
            &values,
            &[
                ("VoxelVolume", 124.0),
                ("MeshVolume", 118.0),
                (
                    "SurfaceArea",
                    96.0 + 24.0 * 2.0f64.sqrt() + 2.0 * 3.0f64.sqrt(),
                ),
                ("MajorAxisLength", axis),
                ("MinorAxisLength", axis),
                ("LeastAxisLength", axis),
                ("Elongation", 1.0),
                ("Flatness", 1.0),
                ("Maximum3DDiameter", 57.0f64.sqrt()),
                ("Maximum2DDiameterSlice", 41.0f64.sqrt()),
                ("Maximum2DDiameterColumn", 41.0f64.sqrt()),
                ("Maximum2DDiameterRow", 41.0f64.sqrt()),
                // PyRadiomics 3.1.4 on this mask.
                ("Sphericity", 0.8720993232786856),
                ("Compactness2", 0.6632814453039381),
            ],
            1e-12,
        );
    }

    /// The ball z² + y² + x² ≤ 9 (voxel units, 123 voxels) in a 9×9×9
    /// array, spacing (x, y, z) = (0.8, 0.9, 1.5): every feature as
    /// PyRadiomics 3.1.4 `RadiomicsShape` computes it on that mask (cropped
    /// to the ROI, as its extractor does).
    #[test]
    fn a_ball_matches_pyradiomics() {
        let mask = Array3::from_shape_fn((9, 9, 9), |(z, y, x)| {
            let (z, y, x) = (z as i32 - 4, y as i32 - 4, x as i32 - 4);
            z * z + y * y + x * x <= 9
        });
        assert_eq!(mask.iter().filter(|v| **v).count(), 123);
        let values = features(&mask, [0.8, 0.9, 1.5]);
        assert_close(
            &values,
            &[
                ("Compactness1", 0.039994599199927816),
                ("Compactness2", 0.568335709037267),
                ("Elongation", 0.6000000000000005),
                ("Flatness", 0.5333333333333335),
                ("LeastAxisLength", 4.432547763397112),
                ("MajorAxisLength", 8.311027056369582),
                ("Maximum2DDiameterColumn", 10.5),
                ("Maximum2DDiameterRow", 10.5),
                ("Maximum2DDiameterSlice", 6.3),
                ("Maximum3DDiameter", 10.5),
                ("MeshVolume", 125.09999999999991),
                ("MinorAxisLength", 4.986616233821754),
                ("SphericalDisproportion", 1.207253163201399),
                ("Sphericity", 0.8283266761945737),
                ("SurfaceArea", 146.03401183562315),
                ("SurfaceVolumeRatio", 1.1673382241057015),
                ("VoxelVolume", 132.84000000000003),
            ],
            1e-12,
        );
    }

    /// PyRadiomics' triangulation of ambiguous cubes is not mirror
    /// symmetric, so a noisy mask and its mirror image get different mesh
    /// volumes and areas; both are reproduced. The mask is
    /// `numpy.random.default_rng(7).random((4, 5, 6)) < 0.5`, spacing
    /// (x, y, z) = (0.7, 1.1, 2.5); values from PyRadiomics 3.1.4.
    #[test]
    fn a_noisy_mask_and_its_mirror_image_match_pyradiomics() {
        let mask = mask_from_rows(
            (4, 5, 6),
            &[
                "000110", "100111", "110000", "001101", "101000", "111101", "110110", "000010",
                "001011", "110100", "000111", "110101", "001000", "011001", "000111", "101010",
                "111100", "100100", "100010", "100110",
            ],
        );
        let spacing = [0.7, 1.1, 2.5];
        let shared = [
            ("Elongation", 0.5869590307355405),
            ("Flatness", 0.43757473295576954),
            ("LeastAxisLength", 4.791003340084587),
            ("MajorAxisLength", 10.94899448997405),
            ("Maximum2DDiameterColumn", 10.594810050208546),
            ("Maximum2DDiameterRow", 10.92520022699813),
            ("Maximum2DDiameterSlice", 6.519202405202649),
            ("Maximum3DDiameter", 11.278297743897348),
            ("MinorAxisLength", 6.426611193363941),
            ("VoxelVolume", 109.72500000000001),
        ];
        let values = features(&mask, spacing);
        assert_close(&values, &shared, 1e-12);
        assert_close(
            &values,
            &[
                ("MeshVolume", 77.48125000000006),
                ("SurfaceArea", 267.5136749106202),
                ("Sphericity", 0.32855081544646014),
                ("Compactness1", 0.009990856036971106),
            ],
            1e-12,
        );
        let mut mirrored = mask.clone();
        mirrored.invert_axis(Axis(2));
        let values = features(&mirrored, spacing);
        assert_close(&values, &shared, 1e-12);
        assert_close(
            &values,
            &[
                ("MeshVolume", 78.44374999999998),
                ("SurfaceArea", 271.3709006222513),
                ("Sphericity", 0.32655756305767786),
                ("Compactness1", 0.009900075271422722),
            ],
            1e-12,
        );
    }

    #[test]
    fn only_the_wanted_features_are_returned_in_the_order_asked() {
        let input_mask = Array3::from_elem((2, 3, 1), true);
        let wanted = ["VoxelVolume", "Compactness2", "Elongation"];
        let values = try_features(&input_mask, [1.0, 2.0, 3.0], &wanted).unwrap();
        assert_eq!(values.len(), 3);
        let image = Array3::zeros((2, 3, 1));
        let settings = Settings::default();
        let input = ClassInput {
            image: &image,
            mask: &input_mask,
            spacing: [1.0, 2.0, 3.0],
            settings: &settings,
        };
        let names: Vec<&str> = compute(&input, &wanted)
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, wanted);
    }

    #[test]
    fn degenerate_rois_fail_with_a_reason() {
        let empty = Array3::from_elem((2, 2, 2), false);
        let error = try_features(&empty, [1.0; 3], &all_names()).unwrap_err();
        assert_eq!(error.to_string(), "shape: the ROI is empty");

        let mut single = Array3::from_elem((3, 3, 3), false);
        single[[1, 2, 0]] = true;
        let error = try_features(&single, [1.0; 3], &["MeshVolume", "Flatness"]).unwrap_err();
        assert!(
            error.to_string().contains("Flatness is undefined"),
            "{error}"
        );
        // The rest is defined: an octahedron, axes of length 0.
        let values = try_features(
            &single,
            [1.0, 2.0, 3.0],
            &["MeshVolume", "MajorAxisLength", "Maximum3DDiameter"],
        )
        .unwrap();
        assert_eq!(values["MeshVolume"], 1.0);
        assert_eq!(values["MajorAxisLength"], 0.0);
        assert_eq!(values["Maximum3DDiameter"], 3.0);

        let error = try_features(&single, [1.0, 0.0, 1.0], &["MeshVolume"]).unwrap_err();
        assert!(error.to_string().contains("spacing"), "{error}");
        let error = try_features(&single, [1.0, f64::NAN, 1.0], &["MeshVolume"]).unwrap_err();
        assert!(error.to_string().contains("spacing"), "{error}");
    }

    /// A small random mask (at least two voxels) in a `shape` array whose
    /// mesh encloses a positive volume (see
    /// `an_roi_touching_at_corners_gets_its_mesh_free_features_and_a_clear_mesh_error`
    /// for the masks left out). The sign of the volume does not depend on
    /// the spacing, so unit spacing decides it.
    fn random_mask() -> impl Strategy<Value = Array3<bool>> {
        (1usize..6, 1usize..6, 1usize..6)
            .prop_flat_map(|(z, y, x)| {
                (
                    Just((z, y, x)),
                    prop::collection::vec(any::<bool>(), z * y * x),
                )
            })
            .prop_filter_map("two voxels, positive mesh volume", |(shape, bits)| {
                let mask = Array3::from_shape_vec(shape, bits).unwrap();
                let enough = mask.iter().filter(|v| **v).count() >= 2;
                (enough && try_features(&mask, [1.0; 3], &["MeshVolume"]).is_ok()).then_some(mask)
            })
    }

    /// An ellipsoid of random radii and centre, smooth enough that the
    /// mesh has none of the ambiguous cubes PyRadiomics triangulates
    /// asymmetrically.
    fn ellipsoid() -> impl Strategy<Value = Array3<bool>> {
        (
            [1.0f64..4.0, 1.0f64..4.0, 1.0f64..4.0],
            [-0.5f64..0.5, -0.5f64..0.5, -0.5f64..0.5],
        )
            .prop_filter_map("two voxels", |(radius, centre)| {
                let mask = Array3::from_shape_fn((9, 9, 9), |(z, y, x)| {
                    let p = [z, y, x];
                    (0..3)
                        .map(|a| ((p[a] as f64 - 4.0 - centre[a]) / radius[a]).powi(2))
                        .sum::<f64>()
                        <= 1.0
                });
                (mask.iter().filter(|v| **v).count() >= 2).then_some(mask)
            })
    }

    fn spacing() -> impl Strategy<Value = [f64; 3]> {
        [0.3f64..3.0, 0.3f64..3.0, 0.3f64..6.0]
    }

    /// Whether two values of `name` agree to rounding. An eigenvalue that
    /// is 0 in exact arithmetic (voxels on a slanted line or plane) comes
    /// out of the rounded covariance as noise of the order of 1e-16 times
    /// the largest, and its square root as 1e-8 times the major axis — in
    /// numpy as here — so axis lengths and their ratios are compared with
    /// that absolute slack.
    fn agree(name: &str, a: f64, b: f64, values: &HashMap<&str, f64>) -> bool {
        let slack = match name {
            "Elongation" | "Flatness" => 1e-7,
            "LeastAxisLength" | "MinorAxisLength" => 1e-7 * values["MajorAxisLength"],
            _ => 0.0,
        };
        a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + slack
    }

    /// Features that do not depend on the triangulation, hence are mirror
    /// symmetric whatever the mask.
    const MESH_FREE: [&str; 10] = [
        "Elongation",
        "Flatness",
        "LeastAxisLength",
        "MajorAxisLength",
        "Maximum2DDiameterColumn",
        "Maximum2DDiameterRow",
        "Maximum2DDiameterSlice",
        "Maximum3DDiameter",
        "MinorAxisLength",
        "VoxelVolume",
    ];

    #[test]
    fn an_roi_touching_at_corners_gets_its_mesh_free_features_and_a_clear_mesh_error() {
        // Four voxels joined only at edges and corners: PyRadiomics 3.1.4
        // gives this mask MeshVolume −7.71 (SurfaceArea 40.35), a
        // meaningless negative volume.
        let mask = mask_from_rows((3, 2, 3), &["000", "001", "000", "010", "010", "100"]);
        let spacing = [2.281864823039722, 1.2838376930266766, 2.871973217819567];
        let mesh_free = try_features(&mask, spacing, &MESH_FREE).unwrap();
        assert_eq!(mesh_free.len(), MESH_FREE.len());
        let error = try_features(&mask, spacing, &["MeshVolume"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("touch only at edges or corners"), "{error}");
    }

    proptest! {
        #[test]
        fn translating_the_roi_changes_nothing(
            mask in random_mask(),
            spacing in spacing(),
            margin_low in [0usize..4, 0usize..4, 0usize..4],
            margin_high in [0usize..4, 0usize..4, 0usize..4],
        ) {
            let (z, y, x) = mask.dim();
            let mut larger = Array3::from_elem(
                (z + margin_low[0] + margin_high[0], y + margin_low[1] + margin_high[1], x + margin_low[2] + margin_high[2]),
                false,
            );
            larger
                .slice_mut(s![margin_low[0]..margin_low[0] + z, margin_low[1]..margin_low[1] + y, margin_low[2]..margin_low[2] + x])
                .assign(&mask);
            let (before, after) = (features(&mask, spacing), features(&larger, spacing));
            for name in all_names() {
                // The mask is cropped to the ROI first: bit for bit.
                prop_assert_eq!(before[name].to_bits(), after[name].to_bits(), "{}", name);
            }
        }

        #[test]
        fn scaling_the_spacing_scales_sizes_and_keeps_ratios(
            mask in random_mask(),
            spacing in spacing(),
            k in 0.25f64..4.0,
        ) {
            let before = features(&mask, spacing);
            let after = features(&mask, spacing.map(|s| s * k));
            let power = |name: &str| match name {
                "MeshVolume" | "VoxelVolume" => 3,
                "SurfaceArea" => 2,
                "SurfaceVolumeRatio" => -1,
                "Elongation" | "Flatness" | "Sphericity" | "SphericalDisproportion" | "Compactness1"
                | "Compactness2" => 0,
                _ => 1,
            };
            for name in all_names() {
                let expected = before[name] * k.powi(power(name));
                prop_assert!(
                    agree(name, after[name], expected, &after),
                    "{}: {} vs {}", name, after[name], expected
                );
            }
        }

        #[test]
        fn mirroring_a_smooth_roi_changes_nothing(
            mask in ellipsoid(),
            spacing in spacing(),
            axis in 0usize..3,
        ) {
            let mut mirrored = mask.clone();
            mirrored.invert_axis(Axis(axis));
            let (before, after) = (features(&mask, spacing), features(&mirrored, spacing));
            for name in all_names() {
                prop_assert!(
                    agree(name, before[name], after[name], &before),
                    "{}: {} vs {}", name, before[name], after[name]
                );
            }
        }

        #[test]
        fn mirroring_any_roi_keeps_the_features_that_do_not_use_the_mesh(
            mask in random_mask(),
            spacing in spacing(),
            axis in 0usize..3,
        ) {
            let mut mirrored = mask.clone();
            mirrored.invert_axis(Axis(axis));
            // Only the mesh-free features: a mirrored ROI of voxels touching
            // at corners may have no positive mesh volume (see compute).
            let (before, after) = (
                try_features(&mask, spacing, &MESH_FREE).unwrap(),
                try_features(&mirrored, spacing, &MESH_FREE).unwrap(),
            );
            for name in MESH_FREE {
                prop_assert!(
                    agree(name, before[name], after[name], &before),
                    "{}: {} vs {}", name, before[name], after[name]
                );
            }
        }
    }
}
