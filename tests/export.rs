//! Export: the identified export re-imports into an identical study, the
//! de-identified one holds no dates and no free text, and the analysis file
//! carries the derived endpoints.

mod common;

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use common::{TestStudy, grid, populated};
use radcohort::study::export::export;
use radcohort::study::import::{ImportKind, ImportOptions, import_file};

/// A CSV file as a header and rows of cells.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// Rows of a CSV file keyed by column name.
fn rows_by_column(path: &Path) -> Vec<HashMap<String, String>> {
    let (header, rows) = read_csv(path);
    rows.into_iter()
        .map(|row| header.iter().cloned().zip(row).collect())
        .collect()
}

/// The populated test study plus chemotherapy, an extra recurrence and
/// images, so every table has rows.
fn full_study() -> TestStudy {
    let mut study = populated();
    study.accept(
        ImportKind::Chemo,
        "study_id,regimen,start_date,end_date,cycles,completed\nP002,GEMOX,2018-04-10,2018-07-01,6,yes\nP001,S-1,2018-10-01,,,\n",
    );
    study.accept(
        ImportKind::Events,
        "study_id,event,date,detail\nP003,recurrence,2020-12-01,peritoneum\n",
    );
    study.accept(
        ImportKind::Patients,
        "study_id,biopsy_date,note,cycles_planned\nP001,2017-12-20,seen by Dr Smith,6\n",
    );
    study.write_image("b800.nii.gz", &grid());
    study.write_image("mask.nii.gz", &grid());
    study.accept(
        ImportKind::Imaging,
        "study_id,series,kind,b_value,path,mask_of,label\nP001,b800,dwi,800,b800.nii.gz,,\nP001,tumour,mask,,mask.nii.gz,b800,1\n",
    );
    study
}

#[test]
fn an_identified_export_reimports_into_the_same_study() {
    let study = full_study();
    let out = study.path("export");
    let report = export(&study.db, &out, false).unwrap();
    let names: Vec<&str> = report.files.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "study.csv",
            "dictionary.csv",
            "patients.csv",
            "events.csv",
            "chemo.csv",
            "imaging.csv",
            "analysis.csv",
            "audit_log.csv"
        ]
    );

    let fresh_dir = tempfile::tempdir().unwrap();
    let mut fresh = radcohort::study::StudyDb::create(
        &fresh_dir.path().join("copy.db"),
        &Default::default(),
        &common::actor(),
    )
    .unwrap();
    for kind in ImportKind::ALL {
        let file = out.join(format!("{}.csv", kind.as_str()));
        import_file(
            &mut fresh,
            kind,
            &file,
            &ImportOptions::default(),
            &common::actor(),
        )
        .unwrap_or_else(|err| panic!("{err}"));
    }
    let mut original = study.db.load_records().unwrap();
    let mut copy = fresh.load_records().unwrap();
    // Row ids and stored image paths differ between databases by design.
    for record in original.iter_mut().chain(copy.iter_mut()) {
        record.events.iter_mut().for_each(|e| e.id = None);
        record.chemo.iter_mut().for_each(|c| c.id = None);
        record.imaging.iter_mut().for_each(|s| s.path.clear());
    }
    assert_eq!(copy, original);
    assert_eq!(fresh.dictionary().unwrap(), study.db.dictionary().unwrap());

    let again = fresh_dir.path().join("again");
    export(&fresh, &again, false).unwrap();
    for name in [
        "patients.csv",
        "events.csv",
        "chemo.csv",
        "dictionary.csv",
        "analysis.csv",
    ] {
        assert_eq!(
            fs::read_to_string(again.join(name)).unwrap(),
            fs::read_to_string(out.join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn the_analysis_file_has_one_row_per_patient_with_endpoints() {
    let study = full_study();
    let out = study.path("export");
    export(&study.db, &out, false).unwrap();
    let rows = rows_by_column(&out.join("analysis.csv"));
    let (header, _) = read_csv(&out.join("analysis.csv"));
    assert_eq!(
        header[..8],
        [
            "study_id",
            "cohort",
            "dfs_days",
            "dfs_event",
            "os_days",
            "os_event",
            "early_recurrence",
            "adjuvant_chemo"
        ]
    );
    assert_eq!(rows.len(), 3);
    let p1 = &rows[0];
    let get = |key: &str| p1[key].as_str();
    assert_eq!(
        [
            get("dfs_days"),
            get("dfs_event"),
            get("os_days"),
            get("os_event")
        ],
        ["234", "1", "536", "1"]
    );
    assert_eq!([get("early_recurrence"), get("adjuvant_chemo")], ["1", "0"]);
    // The date variable is written as days from surgery.
    assert_eq!(get("biopsy_day"), "-21");
    assert_eq!(get("ca19_9"), "120.5");
    // P002: censored at the last contact, no recurrence in the first year.
    let p2 = &rows[1];
    assert_eq!(
        [
            &p2["dfs_days"],
            &p2["dfs_event"],
            &p2["early_recurrence"],
            &p2["adjuvant_chemo"]
        ],
        ["1064", "0", "0", "1"]
    );
}

#[test]
fn a_deidentified_export_has_no_dates_and_no_free_text() {
    let study = full_study();
    let out = study.path("deid");
    let report = export(&study.db, &out, true).unwrap();
    assert!(report.deidentified);
    assert!(!out.join("audit_log.csv").exists());
    let date = regex_free_date_check;
    for (name, _) in &report.files {
        let text = fs::read_to_string(out.join(name)).unwrap();
        date(name, &text);
        for secret in [
            "Dr Smith",
            "intrahepatic",
            "peritoneum",
            "GEMOX",
            "b800.nii.gz",
            "coordinator",
        ] {
            assert!(!text.contains(secret), "{name} contains '{secret}'");
        }
    }
    let patients = rows_by_column(&out.join("patients.csv"));
    let p1 = &patients[0];
    assert_eq!(p1["recurrence_day"], "234");
    assert_eq!(p1["death_day"], "536");
    assert_eq!(p1["last_followup_day"], "536");
    assert_eq!(p1["biopsy_day"], "-21");
    assert!(!p1.contains_key("surgery_date") && !p1.contains_key("note"));
    let chemo = rows_by_column(&out.join("chemo.csv"));
    assert_eq!(chemo[0]["start_day"], "264");
    assert_eq!(chemo[1]["start_day"], "36");
    let events = rows_by_column(&out.join("events.csv"));
    assert!(events.iter().all(|e| e["day"].parse::<i64>().is_ok()));
    let imaging = read_csv(&out.join("imaging.csv")).0;
    assert!(!imaging.contains(&"path".to_owned()));
}

/// Fails if a file holds anything shaped like a calendar date.
fn regex_free_date_check(name: &str, text: &str) {
    let bytes = text.as_bytes();
    for window in bytes.windows(10) {
        let shaped = window.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
        assert!(
            !shaped,
            "{name} holds a date: {}",
            String::from_utf8_lossy(window)
        );
    }
}

#[test]
fn patients_without_a_surgery_date_lose_their_dates_and_are_counted() {
    let mut study = TestStudy::new();
    study.accept(
        ImportKind::Patients,
        "study_id,last_followup_date\nP1,2020-01-01\n",
    );
    let report = export(&study.db, &study.path("deid"), true).unwrap();
    assert_eq!(report.patients_without_day_zero, 1);
}
