//! The five IBSI CT-phantom configurations shipped in `params/` run in the
//! IBSI mode on a synthetic CT-like case, and their chains do what the
//! configurations say: the interpolated grid, the rounding, the
//! re-segmentation and the diagnostics of each stage.

use std::collections::BTreeMap;
use std::path::Path;

use ndarray::Array3;
use radcohort::imaging::{Geometry, PixelType, Volume};
use radcohort::radiomics::extractor::extract;
use radcohort::radiomics::params::Params;

/// A 40 × 36 × 12 CT-like image (0.8 × 0.8 × 2.5 mm) with a lesion of
/// about 40 HU amid soft tissue, a few air voxels and a bright calcification
/// in it, and its spherical mask.
fn case() -> (Volume, Volume) {
    let geometry = Geometry {
        dims: [40, 36, 12],
        spacing: [0.8, 0.8, 2.5],
        origin: [-16.0, -14.0, -15.0],
        direction: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
    };
    let centre = [20.0, 18.0, 6.0];
    let radius_mm: f64 = 9.0;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut noise = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 41) as f64 - 20.0
    };
    let image = Array3::from_shape_fn((12, 36, 40), |(z, y, x)| {
        let d = distance([x, y, z], centre, geometry.spacing);
        let base = if d < radius_mm { 40.0 } else { 10.0 };
        let value = base + noise();
        if (x, y, z) == (20, 18, 6) {
            900.0 // a calcification, beyond the range of A and B
        } else if (x, y, z) == (21, 18, 6) {
            -800.0 // air, beyond the range of A and B
        } else {
            value.round()
        }
    });
    let mask = Array3::from_shape_fn((12, 36, 40), |(z, y, x)| {
        if distance([x, y, z], centre, geometry.spacing) < radius_mm {
            1.0
        } else {
            0.0
        }
    });
    let volume = |data| Volume {
        data,
        geometry: geometry.clone(),
        pixel_type: PixelType::I16,
    };
    (volume(image), volume(mask))
}

fn distance(index: [usize; 3], centre: [f64; 3], spacing: [f64; 3]) -> f64 {
    (0..3)
        .map(|a| ((index[a] as f64 - centre[a]) * spacing[a]).powi(2))
        .sum::<f64>()
        .sqrt()
}

fn run(config: &str) -> (BTreeMap<String, f64>, BTreeMap<String, f64>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("params")
        .join(format!("ibsi_config_{config}.yaml"));
    let params = Params::from_file(&path).expect("a readable configuration");
    let (image, mask) = case();
    let extraction = extract(&image, &mask, &params).expect("an extraction");
    let features = extraction
        .features
        .iter()
        .map(|f| (f.name.clone(), f.value))
        .collect();
    let diagnostics = extraction
        .diagnostics
        .iter()
        .map(|(k, v)| (k.clone(), v.parse::<f64>().expect("a number")))
        .collect();
    (features, diagnostics)
}

#[test]
fn every_configuration_runs_with_every_family() {
    for config in ["a", "b", "c", "d", "e"] {
        let (features, diagnostics) = run(config);
        for tag in [
            "morph_volume",
            "loc_peak_glob",
            "stat_mean",
            "ih_mean",
            "ivh_v10",
            "cm_joint_max_2D_avg",
            "rlm_sre_3D_comb",
            "szm_sze_2_5D",
            "dzm_sde_3D",
            "ngt_coarseness_3D",
            "ngl_lde_2D",
        ] {
            assert!(
                features.contains_key(tag),
                "configuration {config}: no {tag}"
            );
        }
        assert!(diagnostics.contains_key("int_mask_vox_count_reseg_roi"));
        assert!(features.values().all(|v| v.is_finite()));
    }
}

#[test]
fn configuration_a_keeps_the_grid_and_resegments_to_its_range() {
    let (features, diagnostics) = run("a");
    assert_eq!(diagnostics["img_dim_x_interp_img"], 40.0);
    assert_eq!(diagnostics["vox_dim_x_interp_img"], 0.8);
    let morph = diagnostics["morph_mask_vox_count_reseg_roi"];
    // The calcification and the air are outside [-500, 400].
    assert_eq!(diagnostics["int_mask_vox_count_reseg_roi"], morph - 2.0);
    assert!(diagnostics["int_mask_max_int_reseg_roi"] <= 400.0);
    // Bins of 25 HU from -500: the lesion's 20–60 HU fall in bins 21–23.
    assert!(features["ih_min"] >= 21.0 && features["ih_max"] <= 23.0);
}

#[test]
fn configuration_b_interpolates_in_plane_only_and_rounds() {
    let (_, diagnostics) = run("b");
    // 40 × 0.8 = 32 mm at 2 mm: 16 voxels; 36 × 0.8 = 28.8 mm: 15; z kept.
    assert_eq!(
        [
            diagnostics["img_dim_x_interp_img"],
            diagnostics["img_dim_y_interp_img"],
            diagnostics["img_dim_z_interp_img"]
        ],
        [16.0, 15.0, 12.0]
    );
    assert_eq!(diagnostics["vox_dim_z_interp_img"], 2.5);
    for stage in ["mean", "min", "max"] {
        let value = diagnostics[&format!("{stage}_int_interp_img")];
        if stage != "mean" {
            assert_eq!(value, value.round(), "{stage} is a whole HU");
        }
    }
}

#[test]
fn configurations_c_to_e_interpolate_in_3d_and_d_filters_outliers() {
    let (_, c) = run("c");
    // z: 12 × 2.5 = 30 mm at 2 mm: 15 slices.
    assert_eq!(c["img_dim_z_interp_img"], 15.0);
    assert_eq!(c["vox_dim_z_interp_img"], 2.0);
    let (_, d) = run("d");
    // Outlier filtering alone removes the calcification and the air
    // (far beyond 3 σ of the lesion) but keeps the lesion.
    assert!(d["int_mask_vox_count_reseg_roi"] < d["morph_mask_vox_count_reseg_roi"]);
    assert!(d["int_mask_max_int_reseg_roi"] < 900.0);
    let (_, e) = run("e");
    assert!(e["int_mask_min_int_reseg_roi"] >= -1000.0);
    assert!(e["int_mask_vox_count_reseg_roi"] <= e["morph_mask_vox_count_reseg_roi"]);
}
