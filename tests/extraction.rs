//! Cohort extraction into the study database: runs, resumption, failing
//! cases, cancellation, ADC maps and the batch CSV export.

mod common;

use std::sync::atomic::AtomicBool;

use common::{TestStudy, grid};
use ndarray::Array3;
use radcohort::extraction::adc_maps::compute_adc_maps;
use radcohort::extraction::{
    ExtractionRequest, RunError, SeriesSelection, export_run_csv, extract_cohort, list_runs,
};
use radcohort::imaging::write_volume;
use radcohort::radiomics::extractor::CaseFiles;
use radcohort::radiomics::params::Params;
use radcohort::study::import::ImportKind;
use radcohort::study::model::SeriesKind;

const FIRST_ORDER: &str = "featureClass:\n  firstorder:\nsetting:\n  binWidth: 10\n";

/// A study of four patients with b0 and b800 images and a box-shaped
/// tumour mask; P4's mask is missing.
fn cohort() -> TestStudy {
    let mut study = TestStudy::new();
    study.accept(
        ImportKind::Patients,
        "study_id,surgery_date\nP1,2019-01-01\nP2,2019-01-01\nP3,2019-01-01\nP4,2019-01-01\n",
    );
    let g = grid();
    let mut rows = String::from("study_id,series,kind,b_value,path,mask_of,label\n");
    for (index, id) in ["P1", "P2", "P3", "P4"].into_iter().enumerate() {
        // Arrays are (x, y, z) for the writer.
        let b0 = Array3::from_shape_fn(g.dims, |(x, y, z)| {
            (400 + 7 * x + 3 * y + 11 * z + 13 * index) as i16
        });
        let b800 = b0.mapv(|v| {
            (f64::from(v) * (-800.0 * (1.0e-3 + 1e-5 * index as f64)).exp()).round() as i16
        });
        let mask = Array3::from_shape_fn(g.dims, |(x, y, z)| {
            u8::from((4..10).contains(&x) && (5..11).contains(&y) && z >= 1)
        });
        write_volume(&study.path(&format!("{id}_b0.nii.gz")), &b0, &g).unwrap();
        write_volume(&study.path(&format!("{id}_b800.nii.gz")), &b800, &g).unwrap();
        rows.push_str(&format!(
            "{id},b0,dwi,0,{id}_b0.nii.gz,,\n{id},b800,dwi,800,{id}_b800.nii.gz,,\n"
        ));
        if id != "P4" {
            write_volume(&study.path(&format!("{id}_mask.nii.gz")), &mask, &g).unwrap();
            rows.push_str(&format!("{id},tumour,mask,,{id}_mask.nii.gz,b800,1\n"));
        }
    }
    study.accept(ImportKind::Imaging, &rows);
    study
}

fn request(kind: SeriesKind, b_value: Option<f64>) -> ExtractionRequest {
    ExtractionRequest {
        params: Params::from_yaml(FIRST_ORDER, "first-order.yaml", &[]).unwrap(),
        params_source: FIRST_ORDER.to_owned(),
        selection: SeriesSelection {
            kind,
            b_value,
            mask_series: None,
        },
        patients: None,
        jobs: 2,
    }
}

#[test]
fn a_run_extracts_resumes_and_records_failures() {
    let mut study = cohort();
    let not_cancelled = AtomicBool::new(false);
    let request = request(SeriesKind::Dwi, Some(800.0));
    let summary = extract_cohort(
        &mut study.db,
        &request,
        &common::actor(),
        &|_| {},
        &not_cancelled,
    )
    .unwrap();
    assert_eq!((summary.extracted, summary.skipped), (3, 0));
    assert_eq!(
        summary.failed,
        [("P4".to_owned(), "no tumour mask".to_owned())]
    );

    // The stored values are those of a stand-alone extraction of the case.
    let files =
        CaseFiles::read(&study.path("P2_b800.nii.gz"), &study.path("P2_mask.nii.gz")).unwrap();
    let alone = files.extract(&request.params).unwrap();
    let out = study.path("run.csv");
    assert_eq!(export_run_csv(&study.db, summary.run_id, &out).unwrap(), 3);
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let names: Vec<&str> = alone.features.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(header[..3], ["study_id", "Image", "Mask"]);
    assert_eq!(header[3..], names[..]);
    let p2 = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[0] == "P2")
        .unwrap();
    for (index, feature) in alone.features.iter().enumerate() {
        assert_eq!(
            p2[index + 3].parse::<f64>().unwrap(),
            feature.value,
            "{}",
            feature.name
        );
    }

    // One patient's cases, as the TUI's patient view reads them: the same
    // values in extraction order, and the failed case with its reason.
    let cases = radcohort::extraction::patient_cases(&study.db, "P2").unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(
        (cases[0].status.as_str(), cases[0].error.as_deref()),
        ("done", None)
    );
    let stored: Vec<(&str, f64)> = cases[0]
        .features
        .iter()
        .map(|(name, value)| (name.as_str(), *value))
        .collect();
    let expected: Vec<(&str, f64)> = alone
        .features
        .iter()
        .map(|f| (f.name.as_str(), f.value))
        .collect();
    assert_eq!(stored, expected);
    let failed = radcohort::extraction::patient_cases(&study.db, "P4").unwrap();
    assert_eq!(
        (
            failed[0].status.as_str(),
            failed[0].error.as_deref(),
            failed[0].features.len()
        ),
        ("failed", Some("no tumour mask"), 0)
    );

    // Again: the done cases are skipped, the failed one retried.
    let again = extract_cohort(
        &mut study.db,
        &request,
        &common::actor(),
        &|_| {},
        &not_cancelled,
    )
    .unwrap();
    assert_eq!(
        (
            again.run_id,
            again.extracted,
            again.skipped,
            again.failed.len()
        ),
        (summary.run_id, 0, 3, 1)
    );

    // A file changed behind the study's back is refused, not extracted.
    let g = grid();
    write_volume(
        &study.path("P1_b800.nii.gz"),
        &Array3::<i16>::from_elem(g.dims, 5),
        &g,
    )
    .unwrap();
    let changed = extract_cohort(
        &mut study.db,
        &request,
        &common::actor(),
        &|_| {},
        &not_cancelled,
    )
    .unwrap();
    assert_eq!(
        changed.skipped, 3,
        "the done cases are judged by their stored checksums"
    );
    let runs = list_runs(&study.db).unwrap();
    assert_eq!(
        (runs.len(), runs[0].done, runs[0].failed, runs[0].features),
        (1, 3, 1, 18)
    );
}

#[test]
fn a_changed_file_fails_its_case_when_it_must_be_read() {
    let mut study = cohort();
    let g = grid();
    write_volume(
        &study.path("P1_b800.nii.gz"),
        &Array3::<i16>::from_elem(g.dims, 5),
        &g,
    )
    .unwrap();
    let summary = extract_cohort(
        &mut study.db,
        &request(SeriesKind::Dwi, Some(800.0)),
        &common::actor(),
        &|_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    let reasons: Vec<&str> = summary.failed.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(reasons, ["P1", "P4"]);
    assert!(
        summary.failed[0]
            .1
            .contains("changed since it was imported"),
        "{:?}",
        summary.failed
    );
}

#[test]
fn a_cancelled_run_stops_before_its_cases() {
    let mut study = cohort();
    let cancelled = AtomicBool::new(true);
    let summary = extract_cohort(
        &mut study.db,
        &request(SeriesKind::Dwi, Some(800.0)),
        &common::actor(),
        &|_| {},
        &cancelled,
    )
    .unwrap();
    assert!(summary.cancelled);
    assert_eq!(summary.extracted, 0);
}

#[test]
fn an_ambiguous_or_absent_series_is_refused_before_a_run_exists() {
    let mut study = cohort();
    let err = extract_cohort(
        &mut study.db,
        &request(SeriesKind::Dwi, None),
        &common::actor(),
        &|_| {},
        &AtomicBool::new(false),
    )
    .unwrap_err();
    assert!(matches!(err, RunError::NothingToExtract { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("P1: 2 dwi series (b0, b800); choose one with --b-value"),
        "{err}"
    );
    assert!(list_runs(&study.db).unwrap().is_empty());
}

#[test]
fn adc_maps_are_fitted_registered_and_extractable() {
    let mut study = cohort();
    let summary = compute_adc_maps(&mut study.db, None, &common::actor(), &|_, _| {}).unwrap();
    assert_eq!((summary.written, summary.skipped), (4, 0));
    let again = compute_adc_maps(&mut study.db, None, &common::actor(), &|_, _| {}).unwrap();
    assert_eq!((again.written, again.skipped), (0, 4));
    let p2 = study.db.load_record("P2").unwrap().unwrap();
    let adc = p2
        .imaging
        .iter()
        .find(|s| s.kind == SeriesKind::Adc)
        .unwrap();
    assert_eq!(adc.path, "adc/P2_adc.nii.gz");
    // The fitted ADC of P2 is 1.02e-3 mm²/s up to the rounding of integer
    // signals: 1020 in the map's 1e-6 mm²/s units.
    let map = radcohort::imaging::read_volume(&study.path("adc/P2_adc.nii.gz"))
        .unwrap()
        .volume;
    let mean = map.data.iter().sum::<f64>() / map.data.len() as f64;
    assert!((mean - 1020.0).abs() < 10.0, "{mean}");
    // The ADC map shares the b800 image's grid, so its mask applies.
    let run = extract_cohort(
        &mut study.db,
        &request(SeriesKind::Adc, None),
        &common::actor(),
        &|_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(run.extracted, 3);
}

#[test]
fn a_repeat_segmentation_is_chosen_by_name_and_otherwise_ambiguous() {
    let mut study = cohort();
    // A second reader's mask of P1's b800 image, one voxel row smaller.
    let g = grid();
    let mask = Array3::from_shape_fn(g.dims, |(x, y, z)| {
        u8::from((4..9).contains(&x) && (5..11).contains(&y) && z >= 1)
    });
    write_volume(&study.path("P1_mask2.nii.gz"), &mask, &g).unwrap();
    study.accept(
        ImportKind::Imaging,
        "study_id,series,kind,b_value,path,mask_of,label\nP1,tumour_reader2,mask,,P1_mask2.nii.gz,b800,1\n",
    );
    let not_cancelled = AtomicBool::new(false);
    let mut first = request(SeriesKind::Dwi, Some(800.0));
    first.patients = Some(vec!["P1".to_owned()]);
    let error = extract_cohort(
        &mut study.db,
        &first,
        &common::actor(),
        &|_| {},
        &not_cancelled,
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("2 masks segment series 'b800' (tumour, tumour_reader2)")
            && error.contains("--mask-series"),
        "{error}"
    );
    let mut named = first.clone();
    named.selection.mask_series = Some("tumour_reader2".to_owned());
    let summary = extract_cohort(
        &mut study.db,
        &named,
        &common::actor(),
        &|_| {},
        &not_cancelled,
    )
    .unwrap();
    assert_eq!((summary.extracted, summary.failed.len()), (1, 0));
    let runs = list_runs(&study.db).unwrap();
    assert!(
        runs.iter()
            .any(|r| r.selection == "dwi b=800 mask=tumour_reader2" && r.done == 1),
        "{runs:?}"
    );
}

#[test]
fn a_cohort_is_extracted_in_the_ibsi_mode_with_ibsi_tags() {
    let mut study = cohort();
    let mut request = request(SeriesKind::Dwi, Some(800.0));
    let source = "setting:\n  mode: ibsi\n  binWidth: 25\n";
    request.params = Params::from_yaml(source, "ibsi.yaml", &[]).unwrap();
    request.params_source = source.to_owned();
    let summary = extract_cohort(
        &mut study.db,
        &request,
        &common::actor(),
        &|_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(summary.extracted, 3, "{:?}", summary.failed);
    let cases = radcohort::extraction::patient_cases(&study.db, "P2").unwrap();
    let names: Vec<&str> = cases[0].features.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"morph_volume"), "{names:?}");
    assert!(names.contains(&"cm_joint_max_3D_comb"));
    assert!(names.iter().all(|n| !n.starts_with("original_")));
}
