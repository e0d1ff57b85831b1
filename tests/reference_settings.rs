//! The pipeline under settings and image types the shared reference data
//! does not exercise — normalisation with outlier removal, a voxel shift,
//! two distances, an asymmetric and weighted GLCM, `gldm_a`, sigma
//! re-segmentation with a bin count, pre-cropping, `force2D`, B-spline and
//! nearest-neighbour resampling, and the Square, SquareRoot, Logarithm,
//! Exponential, Gradient, LBP2D, two-level Haar wavelet and integer-sigma
//! LoG image types — against PyRadiomics 3.1.4 values in
//! `tests/data/pyradiomics_settings.json`, which records the versions and
//! parameter files that made them (regenerate with
//! `tests/data/generate_pyradiomics_settings.py`). Cases come from the shared
//! reference.

mod common;

use std::collections::BTreeMap;

use radcohort::radiomics::extractor::CaseFiles;
use radcohort::radiomics::params::Params;

fn check(config: &str) {
    let Some(reference) = common::reference_dir(config) else {
        return;
    };
    let data: serde_json::Value =
        serde_json::from_str(include_str!("data/pyradiomics_settings.json")).unwrap();
    let text = data["params"][config].as_str().unwrap();
    let params = Params::from_yaml(text, config, &[]).unwrap();
    for case in ["brain1", "breast1"] {
        let expected: BTreeMap<String, f64> = data["values"][format!("{case}.{config}")]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, value)| (name.clone(), value.as_f64().unwrap()))
            .collect();
        let cases = reference.join("pyradiomics/cases");
        let files = CaseFiles::read(
            &cases.join(format!("{case}_image.nii.gz")),
            &cases.join(format!("{case}_label.nii.gz")),
        )
        .unwrap();
        let extraction = files
            .extract(&params)
            .unwrap_or_else(|err| panic!("{case} {config}: {}", radcohort::error_chain(&err)));
        common::assert_matches_pyradiomics(&format!("{case} {config}"), &expected, &extraction);
    }
}

#[test]
fn intensity_settings() {
    check("intensity_settings");
}

#[test]
fn roi_settings() {
    check("roi_settings");
}

#[test]
fn force2d() {
    check("force2d");
}

#[test]
fn bspline_resampling() {
    check("bspline");
}

#[test]
fn nearest_neighbour_resampling() {
    check("nearest");
}

#[test]
fn other_image_types() {
    check("image_types");
}
