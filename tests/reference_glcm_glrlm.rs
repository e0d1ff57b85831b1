//! GLCM and GLRLM features of PyRadiomics' test cases (brain1, breast1,
//! lung1; Original image, default settings: label 1, binWidth 25) against
//! the values PyRadiomics 3.1.4 computed for them, to 1e-6 relative (1e-9
//! absolute near zero).

mod common;

use std::collections::HashMap;
use std::path::Path;

use radcohort::imaging::read_volume;
use radcohort::radiomics::features::{ClassInput, FeatureClass};
use radcohort::radiomics::roi::{check_roi, crop, select_label};
use radcohort::radiomics::settings::Settings;

const CASES: [&str; 3] = ["brain1", "breast1", "lung1"];
const RELATIVE: f64 = 1e-6;
const ABSOLUTE: f64 = 1e-9;

/// The reference values of a case, by PyRadiomics name
/// (`original_glcm_Contrast`).
fn reference_values(reference: &Path, case: &str) -> HashMap<String, f64> {
    let path = reference.join(format!("pyradiomics/values/{case}.default.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["features"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(name, value)| value.as_f64().map(|v| (name.clone(), v)))
        .collect()
}

/// Every default feature of `class` for a case, computed as PyRadiomics
/// does: the ROI of label 1, cropped to its bounding box without padding.
/// Also returns how long the class took (reading excluded).
fn compute(
    reference: &Path,
    case: &str,
    class: FeatureClass,
) -> (Vec<(&'static str, f64)>, std::time::Duration) {
    let cases = reference.join("pyradiomics/cases");
    let image = read_volume(&cases.join(format!("{case}_image.nii.gz"))).unwrap();
    let label = read_volume(&cases.join(format!("{case}_label.nii.gz"))).unwrap();
    let settings = Settings::default();
    let roi = select_label(&label.volume.data, settings.label).unwrap();
    let bbox = check_roi(&roi, &settings).unwrap();
    let (image_crop, _) = crop(&image.volume.data, &bbox, 0);
    let (mask_crop, _) = crop(&roi, &bbox, 0);
    let input = ClassInput {
        image: &image_crop,
        mask: &mask_crop,
        spacing: image.volume.spacing(),
        settings: &settings,
    };
    let wanted: Vec<&'static str> = class
        .features()
        .iter()
        .filter(|f| !f.deprecated)
        .map(|f| f.name)
        .collect();
    let started = std::time::Instant::now();
    let values = class.compute(&input, &wanted).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(values.len(), wanted.len(), "{case} {}", class.name());
    (values, elapsed)
}

fn check_class(class: FeatureClass) {
    let test = format!("{}_features_match_pyradiomics", class.name());
    let Some(reference) = common::reference_dir(&test) else {
        return;
    };
    let mut failures = Vec::new();
    for case in CASES {
        let expected = reference_values(&reference, case);
        let (values, elapsed) = compute(&reference, case, class);
        let mut largest = (0.0f64, "");
        for (name, value) in values {
            let key = format!("original_{}_{name}", class.name());
            let Some(&want) = expected.get(&key) else {
                failures.push(format!("{case} {key}: no reference value"));
                continue;
            };
            let error = (value - want).abs();
            let relative = error / want.abs().max(f64::MIN_POSITIVE);
            if relative > largest.0 {
                largest = (relative, name);
            }
            if !(error <= ABSOLUTE || relative <= RELATIVE) {
                failures.push(format!(
                    "{case} {key}: {value} vs {want} (relative {relative:.3e})"
                ));
            }
        }
        println!(
            "{case} {}: largest relative error {:.3e} ({}), computed in {elapsed:.2?}",
            class.name(),
            largest.0,
            largest.1
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn glcm_features_match_pyradiomics() {
    check_class(FeatureClass::Glcm);
}

#[test]
fn glrlm_features_match_pyradiomics() {
    check_class(FeatureClass::Glrlm);
}
