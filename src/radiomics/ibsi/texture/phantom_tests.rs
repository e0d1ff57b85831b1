//! The IBSI 1 digital phantom against its reference values (IBSI reference
//! manual, chapter 5; `ibsi/ibsi_1_dig_phantom.csv` in the shared reference
//! data), and the texture API's bookkeeping.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::*;
use crate::imaging::read_volume;

/// Where the shared reference data lives (`RADCOHORT_REFERENCE`, default
/// `../shared/reference` next to the crate), as the integration tests find
/// it; `None` (the test then skips, loudly) when it is absent, unless
/// `RADCOHORT_REQUIRE_REFERENCE` is set.
fn reference_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("RADCOHORT_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference"));
    if dir.join("ibsi").is_dir() {
        return Some(dir);
    }
    if std::env::var_os("RADCOHORT_REQUIRE_REFERENCE").is_some() {
        panic!("{test}: reference data missing at {}", dir.display());
    }
    eprintln!(
        "\n*** SKIPPED {test}: no IBSI reference data at {} (set RADCOHORT_REFERENCE) ***\n",
        dir.display()
    );
    None
}

/// The phantom's ROI: grey levels are the intensities themselves (1, 3, 4,
/// 6 inside the mask; binning with width 1 from 1 gives the same), both
/// masks `mask > 0`, `N_g = 6`.
fn phantom(dir: &Path) -> IbsiRoi {
    let folder = dir.join("ibsi/digital_phantom");
    let image = read_volume(&folder.join("phantom.nii.gz")).expect("phantom");
    let mask = read_volume(&folder.join("mask.nii.gz")).expect("mask");
    let inside = mask.volume.data.mapv(|m| m > 0.0);
    let levels = ndarray::Zip::from(&image.volume.data)
        .and(&inside)
        .map_collect(|&v, &m| if m { v as u32 } else { 0 });
    IbsiRoi {
        intensity: image.volume.data.clone(),
        intensity_mask: inside.clone(),
        morphological_mask: inside,
        spacing: image.volume.spacing(),
        levels,
        n_levels: 6,
    }
}

/// The texture rows of the reference table: tag → (value, tolerance).
fn reference_rows(dir: &Path) -> BTreeMap<String, (f64, f64)> {
    let text = std::fs::read_to_string(dir.join("ibsi/ibsi_1_dig_phantom.csv")).expect("csv");
    let mut rows = BTreeMap::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.trim().split(';').collect();
        let [value, tolerance, tag] = fields[..] else {
            continue;
        };
        let texture = ["cm_", "rlm_", "szm_", "dzm_", "ngt_", "ngl_"]
            .iter()
            .any(|p| tag.starts_with(p));
        if !texture || value.is_empty() {
            continue;
        }
        rows.insert(
            tag.to_owned(),
            (value.parse().unwrap(), tolerance.parse().unwrap_or(0.0)),
        );
    }
    rows
}

/// `x` rounded to 3 significant figures.
fn three_figures(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(2 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

/// The reference's criterion: within the tolerance, or, where it is 0,
/// equal at 3 significant figures (the precision the table gives); a
/// reference of exactly 0 asks for 0 up to rounding noise.
fn matches(ours: f64, reference: f64, tolerance: f64) -> bool {
    if tolerance > 0.0 {
        return (ours - reference).abs() <= tolerance;
    }
    if reference == 0.0 {
        return ours.abs() < 1e-12;
    }
    let rounded = three_figures(ours);
    (rounded - reference).abs() <= 1e-9 * reference.abs().max(1e-12)
}

#[test]
fn digital_phantom_matches_every_ibsi_texture_reference_value() {
    let Some(dir) = reference_dir("digital_phantom_matches_every_ibsi_texture_reference_value")
    else {
        return;
    };
    let roi = phantom(&dir);
    assert_eq!(roi.levels.shape(), &[4, 4, 5]);
    let reference = reference_rows(&dir);
    assert_eq!(reference.len(), 150 + 96 + 48 + 48 + 15 + 51);
    let started = Instant::now();
    let features = texture_features(&roi, &TextureSettings::default());
    eprintln!(
        "digital phantom: {} texture features in {:?} ({} build)",
        features.len(),
        started.elapsed(),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "optimised"
        }
    );
    let ours: BTreeMap<&str, f64> = features.iter().map(|f| (f.tag.as_str(), f.value)).collect();
    assert_eq!(ours.len(), features.len(), "duplicate tags");
    let missing: Vec<&String> = reference
        .keys()
        .filter(|t| !ours.contains_key(t.as_str()))
        .collect();
    let extra: Vec<&&str> = ours
        .keys()
        .filter(|t| !reference.contains_key(**t))
        .collect();
    let mut mismatches = Vec::new();
    for (tag, &(value, tolerance)) in &reference {
        if let Some(&got) = ours.get(tag.as_str())
            && !matches(got, value, tolerance)
        {
            mismatches.push(format!(
                "{tag}: ours {got} (≈ {}), reference {value}",
                three_figures(got)
            ));
        }
    }
    let matched = reference.len() - missing.len() - mismatches.len();
    eprintln!(
        "digital phantom: {matched} of {} texture values match",
        reference.len()
    );
    assert!(
        missing.is_empty() && extra.is_empty() && mismatches.is_empty(),
        "missing {missing:?}\nextra {extra:?}\n{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn three_figures_rounds_as_the_table_does() {
    assert_eq!(three_figures(0.51853), 0.519);
    assert_eq!(three_figures(-0.012149), -0.0121);
    assert_eq!(three_figures(1490.4), 1490.0);
    assert_eq!(three_figures(79.14), 79.1);
    assert!(matches(0.0, 0.0, 0.0));
    assert!(matches(2.0049, 2.0, 0.0) && !matches(2.006, 2.0, 0.0));
}

#[test]
fn settings_select_families_and_aggregations() {
    let levels = ndarray::array![[[1, 2, 2], [1, 1, 3]], [[2, 2, 1], [3, 0, 1]]];
    let roi = roi_from_levels(levels, 3);
    let all = texture_features(&roi, &TextureSettings::default());
    assert_eq!(
        all.len(),
        6 * 25 + 6 * 16 + 3 * 16 + 3 * 16 + 3 * 5 + 3 * 17
    );
    let settings = TextureSettings {
        families: vec![TextureFamily::Ngldm, TextureFamily::Glcm],
        directional_aggregations: vec![DirectionalAggregation::ThreeDComb],
        aggregations: vec![TextureAggregation::TwoHalfD],
        ..TextureSettings::default()
    };
    let some = texture_features(&roi, &settings);
    assert_eq!(some.len(), 25 + 17);
    assert_eq!(some[0].tag, "cm_joint_max_3D_comb");
    assert_eq!(some[25].tag, "ngl_lde_2_5D");
    // The same values as in the full run, and as the family functions give.
    for f in &some {
        let full = all.iter().find(|g| g.tag == f.tag).unwrap();
        assert!(f.value == full.value || (f.value.is_nan() && full.value.is_nan()));
    }
    let direct = glcm_features(&roi, &[DirectionalAggregation::ThreeDComb], 1);
    assert_eq!(direct, some[..25].to_vec());
}

#[test]
fn empty_and_single_voxel_rois_give_nan_without_panicking() {
    let empty = roi_from_levels(ndarray::Array3::zeros((2, 3, 3)), 4);
    let out = texture_features(&empty, &TextureSettings::default());
    assert!(out.iter().all(|f| f.value.is_nan()));
    let mut one = ndarray::Array3::zeros((2, 3, 3));
    one[(1, 1, 1)] = 2;
    let out = texture_features(&roi_from_levels(one, 4), &TextureSettings::default());
    let szm = out.iter().find(|f| f.tag == "szm_sze_3D").unwrap();
    assert_eq!(szm.value, 1.0);
    assert!(
        out.iter()
            .find(|f| f.tag == "cm_joint_max_3D_avg")
            .unwrap()
            .value
            .is_nan()
    );
}

/// A 512 × 512 × 100 ROI with 32 levels: run with `--ignored` (release
/// profile advised) to time every family.
#[test]
#[ignore = "timing: cargo test --release -- --ignored large_roi_timing"]
fn large_roi_timing() {
    let (nz, ny, nx) = (100, 512, 512);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let levels = ndarray::Array3::from_shape_fn((nz, ny, nx), |(z, y, x)| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        // Smooth structure plus noise, so runs and zones have some size.
        let smooth = ((x / 16 + y / 16 + z / 8) % 24) as u64;
        (1 + (smooth + state % 9) % 32) as u32
    });
    let roi = roi_from_levels(levels, 32);
    for family in TextureFamily::ALL {
        let settings = TextureSettings {
            families: vec![family],
            ..TextureSettings::default()
        };
        let started = Instant::now();
        let out = texture_features(&roi, &settings);
        eprintln!(
            "{family:?}: {} features in {:?}",
            out.len(),
            started.elapsed()
        );
    }
}

#[test]
fn the_grid_is_cropped_to_the_roi_and_the_morphological_mask() {
    let mut levels = ndarray::Array3::zeros((4, 5, 6));
    levels[(1, 2, 3)] = 2;
    levels[(2, 3, 3)] = 1;
    let mut roi = roi_from_levels(levels, 3);
    roi.morphological_mask[(2, 1, 4)] = true;
    let grid = Grid::new(&roi);
    // z 1..3, y 1..4, x 3..5.
    assert_eq!(grid.dims, [2, 3, 2]);
    assert_eq!(grid.ng, 3);
    let at = |z: usize, y: usize, x: usize| (z * 3 + y) * 2 + x;
    assert_eq!(grid.levels[at(0, 1, 0)], 2);
    assert_eq!(grid.levels[at(1, 2, 0)], 1);
    assert_eq!(grid.levels.iter().filter(|&&l| l > 0).count(), 2);
    assert!(grid.morph[at(1, 0, 1)] && grid.morph[at(0, 1, 0)]);
    assert_eq!(grid.morph.iter().filter(|&&m| m).count(), 3);
    assert_eq!(grid.slices().count(), 2);
    // A level above n_levels raises N_g; a mask of another shape is
    // ignored.
    roi.levels[(1, 2, 3)] = 5;
    roi.morphological_mask = ndarray::Array3::from_elem((1, 1, 1), true);
    let grid = Grid::new(&roi);
    assert_eq!((grid.dims, grid.ng), ([2, 2, 1], 5));
    assert_eq!(grid.morph, vec![true, false, false, true]);
}
