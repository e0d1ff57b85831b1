//! 3D shape features of PyRadiomics' reference cases (brain1, breast1,
//! lung1; default parameters, label 1) against the values PyRadiomics 3.1.4
//! computed, within 1e-6 relative (1e-9 absolute near zero), and of the IBSI
//! digital phantom against the installed PyRadiomics 3.1.4.
//!
//! Run with `--nocapture` to see the largest errors and the timings.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use radcohort::imaging::read_volume;
use radcohort::radiomics::features::{ClassInput, FeatureClass, FeatureValues};
use radcohort::radiomics::roi::{check_roi, crop, select_label};
use radcohort::radiomics::settings::Settings;

const RELATIVE: f64 = 1e-6;
const ABSOLUTE: f64 = 1e-9;

/// Reads the pair, selects the label, checks and crops as PyRadiomics'
/// extractor does before its shape classes, and computes `wanted`. Returns
/// the values and the time spent in the feature class alone.
fn shape_features(
    image: &Path,
    mask: &Path,
    settings: &Settings,
    wanted: &[&'static str],
) -> (FeatureValues, Duration) {
    let image = read_volume(image).unwrap().volume;
    let mask = read_volume(mask).unwrap().volume;
    let roi = select_label(&mask.data, settings.label).unwrap();
    let bbox = check_roi(&roi, settings).unwrap();
    let (image_crop, _) = crop(&image.data, &bbox, 0);
    let (roi_crop, _) = crop(&roi, &bbox, 0);
    let input = ClassInput {
        image: &image_crop,
        mask: &roi_crop,
        spacing: image.spacing(),
        settings,
    };
    let start = Instant::now();
    let values = FeatureClass::Shape.compute(&input, wanted).unwrap();
    (values, start.elapsed())
}

/// The number stored under `key` in a reference JSON file, parsed with
/// Rust's correctly rounded `f64::from_str`: serde_json's default parser can
/// be one unit in the last place off, which would hide exact agreement.
fn reference_value(json: &str, key: &str) -> Option<f64> {
    let quoted = format!("\"{key}\"");
    let after_key = &json[json.find(&quoted)? + quoted.len()..];
    let value = after_key.trim_start().strip_prefix(':')?.trim_start();
    let end = value
        .find(|c: char| c == ',' || c == '}' || c.is_whitespace())
        .unwrap_or(value.len());
    value[..end].parse().ok()
}

fn relative_error(got: f64, expected: f64) -> f64 {
    if got == expected {
        0.0
    } else {
        (got - expected).abs() / expected.abs()
    }
}

fn within_tolerance(got: f64, expected: f64) -> bool {
    (got - expected).abs() <= (RELATIVE * expected.abs()).max(ABSOLUTE)
}

/// What a feature is derived from, for the error report.
fn family(name: &str) -> &'static str {
    match name {
        "MeshVolume"
        | "SurfaceArea"
        | "SurfaceVolumeRatio"
        | "Sphericity"
        | "Compactness1"
        | "Compactness2"
        | "SphericalDisproportion" => "mesh",
        "Maximum3DDiameter"
        | "Maximum2DDiameterSlice"
        | "Maximum2DDiameterColumn"
        | "Maximum2DDiameterRow" => "diameters",
        "VoxelVolume" => "voxel count",
        _ => "principal axes",
    }
}

#[test]
fn shape_features_of_the_reference_cases_match_pyradiomics() {
    let Some(reference) =
        common::reference_dir("shape_features_of_the_reference_cases_match_pyradiomics")
    else {
        return;
    };
    let settings = Settings::default();
    let defaults: Vec<&'static str> = FeatureClass::Shape
        .features()
        .iter()
        .filter(|f| !f.deprecated)
        .map(|f| f.name)
        .collect();
    let mut failures = Vec::new();
    let mut largest = (0.0, String::new());
    for case in ["brain1", "breast1", "lung1"] {
        let cases = reference.join("pyradiomics/cases");
        let json = std::fs::read_to_string(
            reference.join(format!("pyradiomics/values/{case}.default.json")),
        )
        .unwrap();
        let (values, elapsed) = shape_features(
            &cases.join(format!("{case}_image.nii.gz")),
            &cases.join(format!("{case}_label.nii.gz")),
            &settings,
            &defaults,
        );
        assert_eq!(values.len(), defaults.len(), "{case}");
        let mut per_family: BTreeMap<&str, (f64, &str)> = BTreeMap::new();
        for (name, got) in values {
            let key = format!("original_shape_{name}");
            let expected = reference_value(&json, &key)
                .unwrap_or_else(|| panic!("{case}: no reference value for {key}"));
            let error = relative_error(got, expected);
            let worst = per_family.entry(family(name)).or_insert((0.0, name));
            if error >= worst.0 {
                *worst = (error, name);
            }
            if error > largest.0 {
                largest = (error, format!("{case} {name}"));
            }
            if !within_tolerance(got, expected) {
                failures.push(format!("{case} {name}: {got} vs {expected} ({error:.2e})"));
            }
            // Diameters and the voxel volume are computed with PyRadiomics'
            // very operations, so they agree to the last bit.
            if matches!(family(name), "diameters" | "voxel count") && got != expected {
                failures.push(format!(
                    "{case} {name}: {got:?} is not exactly {expected:?}"
                ));
            }
        }
        eprintln!("{case}: shape computed in {elapsed:.2?}");
        for (family, (error, name)) in per_family {
            eprintln!("  {family:>15}: largest relative error {error:.2e} ({name})");
        }
    }
    eprintln!("largest relative error: {:.2e} ({})", largest.0, largest.1);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The IBSI 1 digital phantom (5×4×4 voxels of 2 mm, 74 in the mask):
/// values of the installed PyRadiomics 3.1.4 extractor with default
/// settings and every shape feature enabled by name.
#[test]
fn shape_features_of_the_ibsi_phantom_match_pyradiomics() {
    let Some(reference) =
        common::reference_dir("shape_features_of_the_ibsi_phantom_match_pyradiomics")
    else {
        return;
    };
    let expected = [
        ("Compactness1", 0.0410576399887551),
        ("Compactness2", 0.5989495056264403),
        ("Elongation", 0.8163212280802616),
        ("Flatness", 0.7486135157421719),
        ("LeastAxisLength", 8.478109493212118),
        ("MajorAxisLength", 11.325082054933192),
        ("Maximum2DDiameterColumn", 11.661903789690601),
        ("Maximum2DDiameterRow", 10.0),
        ("Maximum2DDiameterSlice", 11.661903789690601),
        ("Maximum3DDiameter", 13.114877048604),
        ("MeshVolume", 556.3333333333334),
        ("MinorAxisLength", 9.244904891192798),
        ("SphericalDisproportion", 1.1863238540244065),
        ("Sphericity", 0.8429401437117412),
        ("SurfaceArea", 388.0706298811095),
        ("SurfaceVolumeRatio", 0.6975505629978),
        ("VoxelVolume", 592.0),
    ];
    let names: Vec<&'static str> = expected.iter().map(|(name, _)| *name).collect();
    let folder = reference.join("ibsi/digital_phantom");
    let (values, _) = shape_features(
        &folder.join("phantom.nii.gz"),
        &folder.join("mask.nii.gz"),
        &Settings::default(),
        &names,
    );
    for ((name, got), (_, want)) in values.into_iter().zip(expected) {
        assert!(
            relative_error(got, want) <= 1e-12,
            "{name}: {got} vs {want}"
        );
    }
}
