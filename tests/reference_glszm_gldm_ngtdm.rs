//! GLSZM, GLDM and NGTDM on PyRadiomics' test cases (brain1, breast1,
//! lung1) with the default settings, against the values PyRadiomics 3.1.4
//! extracted (`pyradiomics/values/{case}.default.json`, Original image).
//! As PyRadiomics does before calling a feature class, the label-1 ROI is
//! checked and image and mask are cropped to its bounding box without
//! padding.

mod common;

use std::path::Path;

use radcohort::imaging::read_volume;
use radcohort::radiomics::features::{ClassInput, FeatureClass};
use radcohort::radiomics::roi::{check_roi, crop, select_label};
use radcohort::radiomics::settings::Settings;

const CASES: [&str; 3] = ["brain1", "breast1", "lung1"];
const CLASSES: [FeatureClass; 3] = [FeatureClass::Glszm, FeatureClass::Gldm, FeatureClass::Ngtdm];
const RELATIVE: f64 = 1e-6;
const ABSOLUTE: f64 = 1e-9;

/// Every default feature of the three classes for one case, as
/// `(class, name, value)`.
fn compute_case(reference: &Path, case: &str) -> Vec<(FeatureClass, &'static str, f64)> {
    let cases = reference.join("pyradiomics/cases");
    let image = read_volume(&cases.join(format!("{case}_image.nii.gz")))
        .unwrap()
        .volume;
    let label = read_volume(&cases.join(format!("{case}_label.nii.gz")))
        .unwrap()
        .volume;
    let settings = Settings::default();
    let roi = select_label(&label.data, settings.label).unwrap();
    let bbox = check_roi(&roi, &settings).unwrap();
    let (image_box, _) = crop(&image.data, &bbox, 0);
    let (mask_box, _) = crop(&roi, &bbox, 0);
    let input = ClassInput {
        image: &image_box,
        mask: &mask_box,
        spacing: image.spacing(),
        settings: &settings,
    };
    let mut values = Vec::new();
    for class in CLASSES {
        let wanted: Vec<&'static str> = class
            .features()
            .iter()
            .filter(|f| !f.deprecated)
            .map(|f| f.name)
            .collect();
        let computed = class.compute(&input, &wanted).unwrap();
        assert_eq!(computed.len(), wanted.len(), "{case} {}", class.name());
        values.extend(computed.into_iter().map(|(name, v)| (class, name, v)));
    }
    values
}

/// The number stored under `"key"` in a reference file, parsed with Rust's
/// correctly rounded `f64` parser: serde_json's default parser can be one
/// unit in the last place off, which would hide an exact match.
fn reference_value(json: &str, key: &str) -> Option<f64> {
    let quoted = format!("\"{key}\"");
    let start = json.find(&quoted)? + quoted.len();
    let rest = json[start..].trim_start().strip_prefix(':')?.trim_start();
    let end = rest.find([',', '}', '\n']).unwrap_or(rest.len());
    rest[..end].trim().parse().ok()
}

#[test]
fn glszm_gldm_ngtdm_match_pyradiomics_on_its_test_cases() {
    let Some(reference) =
        common::reference_dir("glszm_gldm_ngtdm_match_pyradiomics_on_its_test_cases")
    else {
        return;
    };
    let mut failures = Vec::new();
    for case in CASES {
        let path = reference.join(format!("pyradiomics/values/{case}.default.json"));
        let json = std::fs::read_to_string(&path).unwrap();
        let mut largest = [0.0f64; 3];
        for (class, name, value) in compute_case(&reference, case) {
            let key = format!("original_{}_{name}", class.name());
            let want = reference_value(&json, &key)
                .unwrap_or_else(|| panic!("{case}: no reference value for {key}"));
            let error = (value - want).abs();
            let relative = if want == 0.0 {
                error
            } else {
                error / want.abs()
            };
            let slot = CLASSES.iter().position(|c| *c == class).unwrap();
            largest[slot] = largest[slot].max(relative);
            if error > ABSOLUTE && relative > RELATIVE {
                failures.push(format!(
                    "{case} {key}: {value} vs {want} (relative {relative:e})"
                ));
            }
        }
        for (class, error) in CLASSES.iter().zip(largest) {
            println!(
                "{case:8} {:6} largest relative error {error:.3e}",
                class.name()
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
