//! The IBSI mode against every value of the IBSI 1 digital phantom
//! (`ibsi/ibsi_1_dig_phantom.csv`: `reference value;tolerance;tag`), run as
//! a coordinator runs it:
//!
//! `radcohort features --image phantom.nii.gz --mask mask.nii.gz --mode ibsi --setting binWidth=1 --json`
//!
//! A value matches when it is within its tolerance of the reference, or,
//! where the tolerance is 0, when both agree to 3 significant figures (the
//! table's precision). Rows without a value (no consensus in the
//! standard) are not compared but must still be output.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Both agree to 3 significant figures.
fn same_at_3_significant(a: f64, b: f64) -> bool {
    let round = |x: f64| {
        if x == 0.0 {
            return 0.0;
        }
        let magnitude = 10f64.powf(x.abs().log10().floor() - 2.0);
        (x / magnitude).round() * magnitude
    };
    (round(a) - round(b)).abs() <= 1e-12 * b.abs().max(1.0)
}

fn run_features(dir: &Path, extra: &[&str]) -> BTreeMap<String, serde_json::Value> {
    let phantom = dir.join("ibsi/digital_phantom");
    let mut args = vec![
        "features".to_owned(),
        "--image".to_owned(),
        phantom.join("phantom.nii.gz").display().to_string(),
        "--mask".to_owned(),
        phantom.join("mask.nii.gz").display().to_string(),
        "--mode".to_owned(),
        "ibsi".to_owned(),
        "--setting".to_owned(),
        "binWidth=1".to_owned(),
        "--json".to_owned(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let output = Command::new(env!("CARGO_BIN_EXE_radcohort"))
        .args(&args)
        .output()
        .expect("running radcohort");
    assert!(
        output.status.success(),
        "radcohort features failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("a JSON object")
}

#[test]
fn every_digital_phantom_value_matches_the_standard() {
    let Some(dir) = common::reference_dir("every_digital_phantom_value_matches_the_standard")
    else {
        return;
    };
    let ours = run_features(&dir, &[]);
    let table = std::fs::read_to_string(dir.join("ibsi/ibsi_1_dig_phantom.csv"))
        .expect("the reference table");
    let mut compared = 0;
    let mut failures = Vec::new();
    let mut tags = Vec::new();
    for line in table.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(';').collect();
        let [value, tolerance, tag] = fields[..] else {
            panic!("a malformed reference row: {line}");
        };
        tags.push(tag.to_owned());
        let Some(found) = ours.get(tag) else {
            failures.push(format!("{tag}: not in the output"));
            continue;
        };
        let Ok(reference) = value.parse::<f64>() else {
            continue;
        };
        let tolerance: f64 = tolerance.parse().expect("a tolerance");
        let found = found.as_f64().expect("a number");
        compared += 1;
        let matches = if tolerance > 0.0 {
            (found - reference).abs() <= tolerance
        } else {
            same_at_3_significant(found, reference)
        };
        if !matches {
            failures.push(format!("{tag}: {found} against {reference} ± {tolerance}"));
        }
    }
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
    assert_eq!(compared, 482, "every valued row of the table is compared");
    // Besides the table's tags, the output holds only diagnostics.
    let extra: Vec<&String> = ours
        .keys()
        .filter(|k| !tags.contains(k))
        .filter(|k| !(k.ends_with("_img") || k.ends_with("_roi")))
        .collect();
    assert!(
        extra.is_empty(),
        "tags the standard does not have: {extra:?}"
    );
}

#[test]
fn the_diagnostics_name_each_stage_of_the_chain() {
    let Some(dir) = common::reference_dir("the_diagnostics_name_each_stage_of_the_chain") else {
        return;
    };
    let ours = run_features(&dir, &[]);
    let number = |tag: &str| -> f64 {
        let value = ours.get(tag).unwrap_or_else(|| panic!("no {tag}"));
        value
            .as_f64()
            .unwrap_or_else(|| panic!("{tag} is not a number: {value}"))
    };
    // The phantom: 5 × 4 × 4 voxels, 74 in the mask, nothing interpolated
    // or re-segmented.
    assert_eq!(
        [
            number("img_dim_x_init_img"),
            number("img_dim_y_init_img"),
            number("img_dim_z_init_img")
        ],
        [5.0, 4.0, 4.0]
    );
    for stage in ["init", "interp", "reseg"] {
        assert_eq!(number(&format!("int_mask_vox_count_{stage}_roi")), 74.0);
        assert_eq!(number(&format!("morph_mask_vox_count_{stage}_roi")), 74.0);
    }
    assert_eq!(number("morph_mask_bb_dim_z_interp_roi"), 4.0);
    // Re-segmenting to [1, 5] drops the voxels at 6 from the intensity
    // mask only.
    let resegmented = run_features(&dir, &["--setting", "resegmentRange=[1, 5]"]);
    let value = |tag: &str| resegmented[tag].as_f64();
    assert!(value("int_mask_vox_count_reseg_roi") < Some(74.0));
    assert_eq!(value("morph_mask_vox_count_reseg_roi"), Some(74.0));
    assert_eq!(value("int_mask_max_int_reseg_roi"), Some(4.0));
}
