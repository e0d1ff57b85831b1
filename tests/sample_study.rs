//! The sample study: its committed CSVs are the generator's output, the
//! study it writes is complete and clean, `info` agrees with its CSVs, and
//! it has the shape and the planted effect its README states.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::NaiveDate;
use radcohort::sample_study::{PATIENTS, TRAINING, sample_csv_files, write_sample_study};
use radcohort::study::validation::{self, ImageCheck};
use radcohort::study::{Actor, StudyDb};

/// The generated sample study, written once per test run.
fn sample() -> &'static Path {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sample-study");
        let _ = fs::remove_dir_all(&folder);
        let actor = Actor::new(
            "tester",
            chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        );
        write_sample_study(&folder, &actor, &|_| {}).unwrap_or_else(|err| panic!("{err}"));
        folder
    })
}

fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

fn date(text: &str) -> Option<NaiveDate> {
    (!text.is_empty()).then(|| text.parse().unwrap())
}

#[test]
fn the_committed_csvs_are_the_generators_output() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_study");
    for (name, generated) in sample_csv_files().named() {
        let stored = fs::read_to_string(committed.join(name)).unwrap();
        assert!(
            stored == generated,
            "sample_study/{name} differs from the generator's output; regenerate it with \
             `cargo run -- sample-study --out /tmp/sample` and copy the CSVs"
        );
    }
}

#[test]
fn the_written_study_is_complete_and_clean() {
    let folder = sample();
    let db = StudyDb::open(&folder.join("study.db")).unwrap();
    let report = validation::check(&db, ImageCheck::Checksum).unwrap();
    assert_eq!(report.patients, PATIENTS);
    // b0, b800, the tumour mask and the fitted ADC map.
    assert_eq!(report.images, 4 * PATIENTS);
    assert!(report.issues.is_empty(), "{:#?}", report.issues);
    assert!(!folder.join(".building-study.db").exists());
    // The study refuses to be written over.
    let again = write_sample_study(folder, &Actor::from_environment(), &|_| {});
    assert!(again.is_err());
}

#[test]
fn info_agrees_with_the_sample_csvs() {
    let folder = sample();
    let output = Command::new(env!("CARGO_BIN_EXE_radcohort"))
        .args(["info", "--json", "--db"])
        .arg(folder.join("study.db"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let info: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();

    // Counts recomputed from the CSV files, independently of the library.
    let patients = rows(&folder.join("patients.csv"));
    let chemo = rows(&folder.join("chemo.csv"));
    let imaging = rows(&folder.join("imaging.csv"));
    let count =
        |f: &dyn Fn(&HashMap<String, String>) -> bool| patients.iter().filter(|p| f(p)).count();
    let surgery: HashMap<&str, NaiveDate> = patients
        .iter()
        .map(|p| (p["study_id"].as_str(), date(&p["surgery_date"]).unwrap()))
        .collect();
    let adjuvant = patients
        .iter()
        .filter(|p| {
            chemo.iter().any(|c| {
                let days =
                    (date(&c["start_date"]).unwrap() - surgery[p["study_id"].as_str()]).num_days();
                c["study_id"] == p["study_id"] && (0..=90).contains(&days)
            })
        })
        .count();
    let early = count(&|p| {
        date(&p["recurrence_date"])
            .is_some_and(|r| (r - date(&p["surgery_date"]).unwrap()).num_days() <= 365)
    });

    let r = &info["records"];
    let all = &info["endpoints"]["all"];
    let expected = [
        (&r["patients"], patients.len()),
        (&r["training"], count(&|p| p["cohort"] == "training")),
        (&r["validation"], count(&|p| p["cohort"] == "validation")),
        (&r["male"], count(&|p| p["sex"] == "M")),
        (
            &r["recurrence_events"],
            count(&|p| !p["recurrence_date"].is_empty()),
        ),
        (&r["death_events"], count(&|p| !p["death_date"].is_empty())),
        (
            &r["last_contact_events"],
            count(&|p| !p["last_followup_date"].is_empty()),
        ),
        (&r["chemotherapy_courses"], chemo.len()),
        (
            &r["dwi_series"],
            imaging.iter().filter(|i| i["kind"] == "dwi").count(),
        ),
        (
            &r["mask_series"],
            imaging.iter().filter(|i| i["kind"] == "mask").count(),
        ),
        (
            &info["dictionary_variables"],
            rows(&folder.join("dictionary.csv")).len(),
        ),
        (
            &all["dfs"]["events"],
            count(&|p| !p["recurrence_date"].is_empty() || !p["death_date"].is_empty()),
        ),
        (
            &all["os"]["events"],
            count(&|p| !p["death_date"].is_empty()),
        ),
        (&all["adjuvant_chemo"]["yes"], adjuvant),
        (&all["early_recurrence"]["yes"], early),
    ];
    for (index, (reported, counted)) in expected.iter().enumerate() {
        assert_eq!(
            reported.as_u64(),
            Some(*counted as u64),
            "check {index}: {info:#}"
        );
    }
}

#[test]
fn the_cohort_has_the_shape_the_readme_states() {
    let folder = sample();
    let db = StudyDb::open(&folder.join("study.db")).unwrap();
    let summary = radcohort::study::summary::summarize(&db).unwrap();
    let all = &summary.endpoints.all;
    assert_eq!(summary.records.training, TRAINING);
    assert_eq!(summary.records.validation, PATIENTS - TRAINING);
    let early = all.early_recurrence.yes as f64 / PATIENTS as f64;
    assert!((0.45..=0.55).contains(&early), "early recurrence {early}");
    let chemo = all.adjuvant_chemo.yes as f64 / PATIENTS as f64;
    assert!(
        (0.50..=0.65).contains(&chemo),
        "adjuvant chemotherapy {chemo}"
    );
    for record in db.load_records().unwrap() {
        let follow_up = radcohort::study::endpoints::derive(&record, Default::default())
            .os
            .unwrap();
        if !follow_up.event {
            assert!(
                follow_up.days <= 6 * 366,
                "{}: {}",
                record.study_id(),
                follow_up.days
            );
        }
    }
}

#[test]
fn chemotherapy_helps_the_truly_high_risk_only() {
    let folder = sample();
    let db = StudyDb::open(&folder.join("study.db")).unwrap();
    let truth: HashMap<String, bool> = rows(&folder.join("truth.csv"))
        .into_iter()
        .map(|t| (t["study_id"].clone(), t["true_high_risk"] == "1"))
        .collect();
    // DFS events per person-year, by true risk group and chemotherapy.
    let mut events = HashMap::new();
    for record in db.load_records().unwrap() {
        let e = radcohort::study::endpoints::derive(&record, Default::default());
        let dfs = e.dfs.unwrap();
        let key = (truth[record.study_id()], e.adjuvant_chemo.unwrap());
        let entry = events.entry(key).or_insert((0.0, 0.0));
        entry.0 += f64::from(u8::from(dfs.event));
        entry.1 += dfs.days as f64 / 365.25;
    }
    let rate = |high, chemo| {
        let (n, years) = events[&(high, chemo)];
        n / years
    };
    let high_risk_ratio = rate(true, true) / rate(true, false);
    let low_risk_ratio = rate(false, true) / rate(false, false);
    assert!(
        high_risk_ratio < 0.6,
        "high-risk rate ratio {high_risk_ratio}"
    );
    assert!(low_risk_ratio > 0.8, "low-risk rate ratio {low_risk_ratio}");
}

#[test]
fn the_sample_study_extracts_with_both_parameter_sets() {
    use radcohort::extraction::{ExtractionRequest, SeriesSelection, extract_cohort};
    use radcohort::radiomics::params::Params;
    use radcohort::study::model::SeriesKind;
    use std::sync::atomic::AtomicBool;

    let folder = sample();
    let mut db = StudyDb::open(&folder.join("study.db")).unwrap();
    let actor = Actor::new(
        "tester",
        chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
    );
    for params_file in ["params_default.yaml", "params_filters.yaml"] {
        let source = fs::read_to_string(folder.join(params_file)).unwrap();
        let params = Params::from_yaml(&source, params_file, &[]).unwrap();
        let features = if params_file == "params_default.yaml" {
            107
        } else {
            1130
        };
        for (kind, b_value) in [(SeriesKind::Dwi, Some(800.0)), (SeriesKind::Adc, None)] {
            let request = ExtractionRequest {
                params: params.clone(),
                params_source: source.clone(),
                selection: SeriesSelection {
                    kind,
                    b_value,
                    mask_series: None,
                },
                patients: None,
                jobs: 2,
            };
            let summary =
                extract_cohort(&mut db, &request, &actor, &|_| {}, &AtomicBool::new(false))
                    .unwrap();
            assert!(
                summary.failed.is_empty(),
                "{params_file} {kind}: {:?}",
                summary.failed
            );
            assert_eq!(summary.extracted + summary.skipped, PATIENTS);
            let runs = radcohort::extraction::list_runs(&db).unwrap();
            let run = runs.iter().find(|r| r.id == summary.run_id).unwrap();
            assert_eq!(
                (run.done, run.features),
                (PATIENTS, features),
                "{params_file} {kind}"
            );
        }
    }
}
