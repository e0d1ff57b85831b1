//! PyRadiomics 3.1.4 with `resampled.yaml` (2 mm isotropic, sitkLinear,
//! binCount 32, label 1, padDistance 5) on its three test cases: the image
//! and mask are resampled as `loadImage` → `resampleImage` does, the ROI is
//! checked and both are cropped to it without padding, and every
//! first-order feature must equal the reference values.

mod common;

use std::path::Path;

use radcohort::imaging::read_volume;
use radcohort::radiomics::features::{ClassInput, FeatureClass};
use radcohort::radiomics::params::Params;
use radcohort::radiomics::preprocess::resample_image_and_mask;
use radcohort::radiomics::roi::{check_roi, crop, select_label};
use radcohort::radiomics::settings::Interpolator;

fn reference_values(path: &Path) -> serde_json::Map<String, serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["features"].as_object().unwrap().clone()
}

#[test]
fn resampled_first_order_features_match_pyradiomics() {
    let Some(reference) = common::reference_dir("resampled_first_order_features_match_pyradiomics")
    else {
        return;
    };
    let base = reference.join("pyradiomics");
    let params = Params::from_file(&base.join("params/resampled.yaml")).unwrap();
    let settings = params.settings;
    assert_eq!(settings.resampled_pixel_spacing, Some([2.0, 2.0, 2.0]));
    assert_eq!(settings.interpolator, Interpolator::Linear);

    let names: Vec<&'static str> = FeatureClass::FirstOrder
        .features()
        .iter()
        .filter(|f| !f.deprecated)
        .map(|f| f.name)
        .collect();
    let mut report = Vec::new();
    for case in ["brain1", "breast1", "lung1"] {
        let image = read_volume(&base.join(format!("cases/{case}_image.nii.gz")))
            .unwrap()
            .volume;
        let mask = read_volume(&base.join(format!("cases/{case}_label.nii.gz")))
            .unwrap()
            .volume;
        let (image, mask) = resample_image_and_mask(&image, &mask, &settings).unwrap();
        assert_eq!(image.geometry, mask.geometry, "{case}");
        assert_eq!(image.pixel_type, radcohort::imaging::PixelType::I16);

        let roi = select_label(&mask.data, settings.label).unwrap();
        let bbox = check_roi(&roi, &settings).unwrap();
        let (cropped_image, _) = crop(&image.data, &bbox, 0);
        let (cropped_roi, _) = crop(&roi, &bbox, 0);
        let expected = reference_values(&base.join(format!("values/{case}.resampled.json")));

        // VoxelVolume is the voxel count times the resampled voxel volume.
        let voxel_volume: f64 = image.geometry.spacing.iter().product();
        let expected_count =
            expected["original_shape_VoxelVolume"].as_f64().unwrap() / voxel_volume;
        let count = cropped_roi.iter().filter(|&&inside| inside).count();
        assert_eq!(count as f64, expected_count, "{case}: ROI voxels");

        let input = ClassInput {
            image: &cropped_image,
            mask: &cropped_roi,
            spacing: image.geometry.spacing,
            settings: &settings,
        };
        let values = FeatureClass::FirstOrder.compute(&input, &names).unwrap();
        assert_eq!(values.len(), names.len());
        let mut worst: f64 = 0.0;
        for (name, value) in values {
            let key = format!("original_firstorder_{name}");
            let want = expected[&key].as_f64().unwrap();
            let error = (value - want).abs();
            assert!(
                error <= 1e-9 || error <= 1e-6 * want.abs(),
                "{case} {key}: radcohort {value}, PyRadiomics {want}"
            );
            if want != 0.0 {
                worst = worst.max(error / want.abs());
            }
        }
        report.push(format!(
            "{case}: {count} voxels, largest relative error {worst:e}"
        ));
    }
    eprintln!("{}", report.join("\n"));
}
