//! Filtered image types end to end against PyRadiomics 3.1.4: each filter
//! applied to the whole image (as PyRadiomics does without resampling or
//! pre-cropping), cropped to the ROI's bounding box, and every first-order
//! feature compared with `pyradiomics/values/<case>.filters.json`
//! (parameters `filters.yaml`: LoG sigma 1, 2, 3 mm and the coif1 wavelet,
//! bin width 25, label 1).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use radcohort::imaging::filters::{
    laplacian_of_gaussian, log_image_name, pyradiomics_wavelet_axes, wavelet_decompositions,
};
use radcohort::imaging::{Volume, read_volume};
use radcohort::radiomics::features::{ClassInput, firstorder};
use radcohort::radiomics::roi;
use radcohort::radiomics::settings::Settings;

/// Relative tolerance, and the absolute one for values near 0.
const RELATIVE: f64 = 1e-6;
const ABSOLUTE: f64 = 1e-9;

fn first_order_matches(reference: &Path, case: &str) {
    let values_path = reference.join(format!("pyradiomics/values/{case}.filters.json"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&values_path).unwrap()).unwrap();
    let expected = json["features"].as_object().unwrap();
    let cases = reference.join("pyradiomics/cases");
    let image = read_volume(&cases.join(format!("{case}_image.nii.gz")))
        .unwrap()
        .volume;
    let mask = read_volume(&cases.join(format!("{case}_label.nii.gz")))
        .unwrap()
        .volume;
    let settings = Settings::default();
    let roi_mask = roi::select_label(&mask.data, settings.label).unwrap();
    let bbox = roi::check_roi(&roi_mask, &settings).unwrap();
    let (cropped_mask, _) = roi::crop(&roi_mask, &bbox, 0);

    let mut images: Vec<(String, Volume)> = Vec::new();
    for sigma in [1.0, 2.0, 3.0] {
        let log = laplacian_of_gaussian(&image, sigma).unwrap();
        images.push((log_image_name(sigma), log));
    }
    let axes = pyradiomics_wavelet_axes(settings.force_2d, settings.force_2d_dimension).unwrap();
    images.extend(
        wavelet_decompositions(
            &image,
            &settings.wavelet,
            settings.start_level,
            settings.level,
            &axes,
        )
        .unwrap(),
    );

    let names: Vec<&'static str> = firstorder::FEATURES.iter().map(|f| f.name).collect();
    let mut worst: BTreeMap<String, (f64, String)> = BTreeMap::new();
    let mut failures = Vec::new();
    for (image_type, filtered) in &images {
        let (cropped, _) = roi::crop(&filtered.data, &bbox, 0);
        let input = ClassInput {
            image: &cropped,
            mask: &cropped_mask,
            spacing: filtered.spacing(),
            settings: &settings,
        };
        let computed: BTreeMap<&str, f64> = firstorder::compute(&input, &names)
            .unwrap()
            .into_iter()
            .collect();
        let prefix = format!("{image_type}_firstorder_");
        let mut compared = 0;
        for (key, value) in expected.iter().filter(|(k, _)| k.starts_with(&prefix)) {
            let feature = &key[prefix.len()..];
            let want = value.as_f64().unwrap();
            let got = *computed
                .get(feature)
                .unwrap_or_else(|| panic!("{case}: {key} not computed"));
            let error = (got - want).abs();
            let relative = if want == 0.0 {
                error
            } else {
                error / want.abs()
            };
            let entry = worst
                .entry(image_type.clone())
                .or_insert((0.0, String::new()));
            if relative > entry.0 {
                *entry = (relative, feature.to_owned());
            }
            if error > ABSOLUTE && relative > RELATIVE {
                failures.push(format!(
                    "{key}: {got} against {want} (relative {relative:.2e})"
                ));
            }
            compared += 1;
        }
        assert_eq!(compared, 18, "{case}: {image_type} is not in the reference");
    }
    // Every filtered first-order feature of the reference was produced.
    let produced: Vec<String> = images.iter().map(|(name, _)| name.clone()).collect();
    for key in expected.keys().filter(|k| k.contains("_firstorder_")) {
        let image_type = key.split("_firstorder_").next().unwrap();
        assert!(
            image_type == "original" || produced.iter().any(|p| p == image_type),
            "{case}: no image for {key}"
        );
    }
    for (image_type, (relative, feature)) in &worst {
        eprintln!("{case} {image_type}: largest relative error {relative:.2e} ({feature})");
    }
    assert!(failures.is_empty(), "{case}:\n{}", failures.join("\n"));
}

#[test]
fn brain1_filtered_first_order_features_match_pyradiomics() {
    let Some(reference) =
        common::reference_dir("brain1_filtered_first_order_features_match_pyradiomics")
    else {
        return;
    };
    first_order_matches(&reference, "brain1");
}

#[test]
fn breast1_filtered_first_order_features_match_pyradiomics() {
    let Some(reference) =
        common::reference_dir("breast1_filtered_first_order_features_match_pyradiomics")
    else {
        return;
    };
    first_order_matches(&reference, "breast1");
}
