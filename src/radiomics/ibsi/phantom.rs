//! The IBSI digital phantom against the reference values of IBSI 1
//! (`ibsi/ibsi_1_dig_phantom.csv` in the shared reference data: `reference
//! value;tolerance;tag`), for the morphological, local intensity,
//! statistical, intensity histogram, intensity-volume histogram and
//! texture families, each family on its own so that a failure says where
//! (`tests/reference_ibsi.rs` runs the whole mode through the command line).
//!
//! The phantom's ROI: intensities as stored, both masks `mask > 0`, grey
//! levels equal to the intensities (1, 3, 4 and 6; a bin width of 1 from
//! the minimum 1 gives the same), `N_g = 6`. A value matches when
//! `|value − reference| ≤ tolerance`, or, where the tolerance is 0, when
//! both agree to 3 significant figures (the precision of the table).

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::ivh::IvhSettings;
use super::morphology::MorphologySettings;
use super::{
    IbsiFeature, IbsiRoi, histogram, ivh, local_intensity, morphology, statistics, texture,
};
use crate::imaging::read_volume;

/// The families under test, by tag prefix.
const PREFIXES: [&str; 11] = [
    "morph_", "loc_", "stat_", "ih_", "ivh_", "cm_", "rlm_", "szm_", "dzm_", "ngt_", "ngl_",
];

/// Where the shared reference data lives (`RADCOHORT_REFERENCE`, default
/// `../shared/reference` beside the crate). Absent, the test is skipped
/// with a loud message, unless `RADCOHORT_REQUIRE_REFERENCE` is set.
fn reference_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("RADCOHORT_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference"));
    if dir.join("ibsi").is_dir() {
        return Some(dir);
    }
    if std::env::var_os("RADCOHORT_REQUIRE_REFERENCE").is_some() {
        panic!(
            "{test}: reference data missing at {}",
            dir.join("ibsi").display()
        );
    }
    eprintln!(
        "\n*** SKIPPED {test}: no IBSI reference data at {} (set RADCOHORT_REFERENCE) ***\n",
        dir.join("ibsi").display()
    );
    None
}

/// The digital phantom's ROI.
fn phantom(reference: &Path) -> IbsiRoi {
    let dir = reference.join("ibsi/digital_phantom");
    let image = read_volume(&dir.join("phantom.nii.gz"))
        .expect("phantom")
        .volume;
    let mask = read_volume(&dir.join("mask.nii.gz")).expect("mask").volume;
    assert_eq!(image.data.dim(), mask.data.dim());
    let inside = mask.data.mapv(|v| v > 0.0);
    let levels = ndarray::Zip::from(&image.data)
        .and(&inside)
        .map_collect(|&v, &m| if m { v as u32 } else { 0 });
    IbsiRoi {
        intensity: image.data,
        intensity_mask: inside.clone(),
        morphological_mask: inside,
        spacing: image.geometry.spacing,
        levels,
        n_levels: 6,
    }
}

/// One row of the reference table: the tag and, when the table has one,
/// the value and its tolerance.
struct Row {
    tag: String,
    reference: Option<(f64, f64)>,
}

fn reference_rows(reference: &Path) -> Vec<Row> {
    let path = reference.join("ibsi/ibsi_1_dig_phantom.csv");
    let text = std::fs::read_to_string(&path).expect("reference table");
    text.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split(';').map(str::trim).collect();
            assert_eq!(fields.len(), 3, "{line}");
            let reference = (!fields[0].is_empty()).then(|| {
                let value: f64 = fields[0].parse().expect("value");
                let tolerance: f64 = if fields[1].is_empty() {
                    0.0
                } else {
                    fields[1].parse().expect("tolerance")
                };
                (value, tolerance)
            });
            Row {
                tag: fields[2].to_owned(),
                reference,
            }
        })
        .collect()
}

/// `x` rounded to `digits` significant figures.
fn significant(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let exponent = x.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits - 1 - exponent);
    (x * scale).round() / scale
}

/// Whether `value` matches `reference` under the table's rule.
fn matches(value: f64, reference: f64, tolerance: f64) -> bool {
    if tolerance > 0.0 {
        (value - reference).abs() <= tolerance
    } else {
        let (a, b) = (significant(value, 3), significant(reference, 3));
        (a - b).abs() <= 1e-9 * b.abs().max(1e-300)
    }
}

/// All five families of the phantom, with the time each took.
fn compute_all(roi: &IbsiRoi) -> Vec<(&'static str, Vec<IbsiFeature>, f64)> {
    let mut out = Vec::new();
    let mut timed = |name: &'static str, f: &dyn Fn() -> Vec<IbsiFeature>| {
        let start = Instant::now();
        let features = f();
        out.push((name, features, start.elapsed().as_secs_f64() * 1e3));
    };
    timed("morphology", &|| {
        morphology::features(roi, &MorphologySettings::default())
    });
    timed("local intensity", &|| local_intensity::features(roi));
    timed("statistics", &|| statistics::features(roi));
    timed("histogram", &|| histogram::features(roi));
    timed("ivh", &|| ivh::features(roi, &IvhSettings::default()));
    timed("texture", &|| {
        texture::texture_features(roi, &texture::TextureSettings::default())
    });
    out
}

/// Compares the features whose tags start with one of `prefixes` to the
/// reference, and returns (matched, compared) or the list of failures.
fn compare(reference: &Path, prefixes: &[&str]) -> Result<(usize, usize), Vec<String>> {
    let roi = phantom(reference);
    let rows: Vec<Row> = reference_rows(reference)
        .into_iter()
        .filter(|row| prefixes.iter().any(|p| row.tag.starts_with(p)))
        .collect();
    let ours: Vec<IbsiFeature> = compute_all(&roi)
        .into_iter()
        .flat_map(|(_, features, _)| features)
        .filter(|f| prefixes.iter().any(|p| f.tag.starts_with(p)))
        .collect();
    let mut failures = Vec::new();
    let mut tags: Vec<&str> = ours.iter().map(|f| f.tag.as_str()).collect();
    tags.sort_unstable();
    if let Some(twice) = tags.windows(2).find(|w| w[0] == w[1]) {
        failures.push(format!("{}: computed twice", twice[0]));
    }
    for feature in &ours {
        if !rows.iter().any(|row| row.tag == feature.tag) {
            failures.push(format!("{}: extra (not in the reference)", feature.tag));
        }
    }
    let (mut matched, mut compared) = (0, 0);
    for row in &rows {
        let Some(feature) = ours.iter().find(|f| f.tag == row.tag) else {
            failures.push(format!("{}: missing", row.tag));
            continue;
        };
        let Some((value, tolerance)) = row.reference else {
            continue;
        };
        compared += 1;
        if matches(feature.value, value, tolerance) {
            matched += 1;
        } else {
            failures.push(format!(
                "{}: ours {} vs reference {value} (tolerance {tolerance})",
                row.tag, feature.value
            ));
        }
    }
    if failures.is_empty() {
        Ok((matched, compared))
    } else {
        Err(failures)
    }
}

fn check(test: &str, prefixes: &[&str], expected: usize) {
    let Some(reference) = reference_dir(test) else {
        return;
    };
    match compare(&reference, prefixes) {
        Ok((matched, compared)) => {
            eprintln!("{test}: {matched}/{compared} reference values match");
            assert_eq!(compared, expected, "{test}: reference rows with a value");
        }
        Err(failures) => panic!(
            "{test}: {} mismatches:\n  {}",
            failures.len(),
            failures.join("\n  ")
        ),
    }
}

#[test]
fn the_rule_of_three_significant_figures() {
    assert!(matches(2.1486, 2.15, 0.0));
    assert!(matches(7.0 / 74.0, 0.0946, 0.0));
    assert!(matches(-0.35512, -0.355, 0.0));
    assert!(matches(567.0, 567.0, 0.0));
    assert!(!matches(2.144, 2.15, 0.0));
    assert!(matches(559.0, 556.0, 4.0) && !matches(560.5, 556.0, 4.0));
}

#[test]
fn phantom_morphology_matches_the_reference() {
    // 29 tags, of which OMBB and MVEE (4) have no reference value.
    check("phantom_morphology", &["morph_"], 25);
}

#[test]
fn phantom_local_intensity_matches_the_reference() {
    check("phantom_local_intensity", &["loc_"], 2);
}

#[test]
fn phantom_statistics_match_the_reference() {
    check("phantom_statistics", &["stat_"], 18);
}

#[test]
fn phantom_histogram_matches_the_reference() {
    check("phantom_histogram", &["ih_"], 23);
}

#[test]
fn phantom_ivh_matches_the_reference() {
    // 7 tags, of which the area under the curve has no reference value.
    check("phantom_ivh", &["ivh_"], 6);
}

#[test]
fn phantom_texture_matches_the_reference() {
    // GLCM and GLRLM with six aggregations, the zone and neighbourhood
    // matrices with three: 150 + 96 + 48 + 48 + 15 + 51.
    check(
        "phantom_texture",
        &["cm_", "rlm_", "szm_", "dzm_", "ngt_", "ngl_"],
        408,
    );
}

#[test]
fn phantom_all_families_match_with_no_tag_missing_or_extra() {
    let Some(reference) = reference_dir("phantom_all_families") else {
        return;
    };
    match compare(&reference, &PREFIXES) {
        Ok((matched, compared)) => {
            assert_eq!((matched, compared), (482, 482));
            eprintln!("phantom_all_families: {matched}/{compared} reference values match");
        }
        Err(failures) => panic!(
            "phantom_all_families: {} mismatches:\n  {}",
            failures.len(),
            failures.join("\n  ")
        ),
    }
    // Values without a reference, for the record, and the timings.
    let roi = phantom(&reference);
    for (family, features, millis) in compute_all(&roi) {
        eprintln!("phantom {family}: {millis:.3} ms");
        for f in features
            .iter()
            .filter(|f| f.tag.contains("ombb") || f.tag.contains("mvee") || f.tag == "ivh_auc")
        {
            eprintln!("  {} = {}", f.tag, f.value);
        }
    }
}
