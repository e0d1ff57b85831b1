//! The whole pipeline against PyRadiomics 3.1: every feature of every
//! reference case (brain1, breast1, lung1) under every reference parameter
//! file (defaults; original + wavelet + LoG; 2 mm linear resampling with 32
//! bins), within 1e-6 relative or 1e-9 absolute — and the same set of
//! feature names, none missing, none extra.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use radcohort::radiomics::extractor::CaseFiles;
use radcohort::radiomics::params::Params;

fn reference_values(path: &Path) -> BTreeMap<String, f64> {
    let text = std::fs::read_to_string(path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["features"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, value)| (name.clone(), value.as_f64().unwrap()))
        .collect()
}

fn compare(reference: &Path, case: &str, params_name: &str) {
    let expected =
        reference_values(&reference.join(format!("pyradiomics/values/{case}.{params_name}.json")));
    let params =
        Params::from_file(&reference.join(format!("pyradiomics/params/{params_name}.yaml")))
            .unwrap();
    let cases = reference.join("pyradiomics/cases");
    let files = CaseFiles::read(
        &cases.join(format!("{case}_image.nii.gz")),
        &cases.join(format!("{case}_label.nii.gz")),
    )
    .unwrap();
    let extraction = files.extract(&params).unwrap_or_else(|err| {
        panic!("{case} {params_name}: {}", radcohort::error_chain(&err));
    });
    common::assert_matches_pyradiomics(&format!("{case} {params_name}"), &expected, &extraction);
}

macro_rules! reference_test {
    ($name:ident, $case:literal, $params:literal) => {
        #[test]
        fn $name() {
            let Some(reference) = common::reference_dir(stringify!($name)) else {
                return;
            };
            compare(&reference, $case, $params);
        }
    };
}

reference_test!(brain1_default, "brain1", "default");
reference_test!(breast1_default, "breast1", "default");
reference_test!(lung1_default, "lung1", "default");
reference_test!(brain1_filters, "brain1", "filters");
reference_test!(breast1_filters, "breast1", "filters");
reference_test!(brain1_resampled, "brain1", "resampled");
reference_test!(breast1_resampled, "breast1", "resampled");
reference_test!(lung1_resampled, "lung1", "resampled");

/// Reading only the ROI's box (default parameters) gives exactly what
/// converting the whole image gives, diagnostics included.
#[test]
fn reading_only_the_roi_box_changes_nothing() {
    let Some(reference) = common::reference_dir("reading_only_the_roi_box_changes_nothing") else {
        return;
    };
    let params = Params::from_file(&reference.join("pyradiomics/params/default.yaml")).unwrap();
    let cases = reference.join("pyradiomics/cases");
    for case in ["brain1", "breast1", "lung1"] {
        let files = CaseFiles::read(
            &cases.join(format!("{case}_image.nii.gz")),
            &cases.join(format!("{case}_label.nii.gz")),
        )
        .unwrap();
        let lazy = files.extract(&params).unwrap();
        let whole = radcohort::radiomics::extractor::extract(
            &files.image.volume().unwrap(),
            &files.mask.volume().unwrap(),
            &params,
        )
        .unwrap();
        assert_eq!(lazy, whole, "{case}");
    }
}
