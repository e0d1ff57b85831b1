//! Import of good and bad files: every problem reported with its line,
//! column and value, nothing written on failure, audited updates.

mod common;

use common::{DICTIONARY, PATIENTS, TestStudy, grid, populated};
use radcohort::study::endpoints::{self, EndpointWindows, TimeToEvent};
use radcohort::study::import::{ImportKind, ImportOptions, Problem};
use radcohort::study::model::{EventKind, Value};

/// (line, column, value) of each problem, for compact assertions.
fn located(problems: &[Problem]) -> Vec<(Option<u64>, Option<&str>, Option<&str>)> {
    problems
        .iter()
        .map(|p| (p.line, p.column.as_deref(), p.value.as_deref()))
        .collect()
}

fn reasons(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("{p}\n")).collect()
}

#[test]
fn a_good_study_imports_with_its_events_and_endpoints() {
    let study = populated();
    let records = study.db.load_records().unwrap();
    assert_eq!(records.len(), 3);
    let p1 = &records[0];
    assert_eq!(p1.study_id(), "P001");
    assert_eq!(p1.values["ca19_9"], Value::Number(120.5));
    assert_eq!(p1.values["vascular_invasion"], Value::Level("micro".into()));
    let kinds: Vec<EventKind> = p1.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Recurrence,
            EventKind::Death,
            EventKind::LastContact
        ]
    );
    assert_eq!(p1.events[0].detail.as_deref(), Some("intrahepatic"));
    let e = endpoints::derive(p1, EndpointWindows::default());
    assert_eq!(
        e.dfs,
        Some(TimeToEvent {
            days: 234,
            event: true
        })
    );
    assert_eq!(
        e.os,
        Some(TimeToEvent {
            days: 536,
            event: true
        })
    );
    assert_eq!(e.early_recurrence, Some(true));
    // P003 has no cohort and blank optional values: stored as missing.
    assert_eq!(records[2].patient.cohort, None);
    assert!(!records[2].values.contains_key("vascular_invasion"));
}

#[test]
fn importing_the_same_file_again_changes_nothing() {
    let mut study = populated();
    let audit_rows = study.db.audit_log(None).unwrap().len();
    let report = study.accept(ImportKind::Patients, PATIENTS);
    assert_eq!((report.records_created, report.records_updated), (0, 0));
    assert!(report.changes.is_empty());
    let report = study.accept(ImportKind::Dictionary, DICTIONARY);
    assert!(report.changes.is_empty());
    assert_eq!(study.db.audit_log(None).unwrap().len(), audit_rows);
}

#[test]
fn a_bad_patients_file_reports_every_problem_and_writes_nothing() {
    let mut study = TestStudy::new();
    study.accept(ImportKind::Dictionary, DICTIONARY);
    let bad = "\
study_id,sex,age,cohort,surgery_date,procedure,recurrence_date,death_date,last_followup_date,ca19_9,tumour_number,shoe_size
P001,M,61,training,2018-02-30,major,,,2019-01-01,12,single,
P002,X,130,test,2018-01-10,huge,,,2019-01-01,-5,Single,
P001,F,50,training,2018-01-10,minor,,,2019-01-01,1,single,
Jane Doe,F,50,,2018-01-10,,,,,,,
P004,F,50,,2018-01-10,,2017-12-31,,2019-01-01,,,
P005,F,50,,2018-01-10,,2018-06-01,2018-05-01,2018-07-01,,,
";
    let problems = study.reject(ImportKind::Patients, bad);
    assert_eq!(
        located(&problems),
        [
            (Some(1), Some("shoe_size"), None),
            (Some(2), Some("surgery_date"), Some("2018-02-30")),
            (Some(3), Some("sex"), Some("X")),
            (Some(3), Some("age"), Some("130")),
            (Some(3), Some("cohort"), Some("test")),
            (Some(3), Some("procedure"), Some("huge")),
            (Some(3), Some("ca19_9"), Some("-5")),
            (Some(3), Some("tumour_number"), Some("Single")),
            (Some(4), Some("study_id"), Some("P001")),
            (Some(5), Some("study_id"), Some("Jane Doe")),
            (Some(6), Some("recurrence_date"), Some("2017-12-31")),
            (Some(7), Some("death_date"), Some("2018-05-01")),
            (Some(7), Some("last_followup_date"), Some("2018-07-01")),
        ],
        "{}",
        reasons(&problems)
    );
    let text = reasons(&problems);
    assert!(text.contains("unknown column"), "{text}");
    assert!(
        text.contains("expected a date in the form %Y-%m-%d"),
        "{text}"
    );
    assert!(text.contains("out of range [0, 100000] U/mL"), "{text}");
    assert!(text.contains("did you mean 'single'?"), "{text}");
    assert!(
        text.contains("duplicate study_id; first at line 2"),
        "{text}"
    );
    assert!(
        text.contains("P004: recurrence 2017-12-31 is before surgery 2018-01-10"),
        "{text}"
    );
    assert!(
        text.contains("P005: death 2018-05-01 is before recurrence 2018-06-01"),
        "{text}"
    );
    assert!(
        text.contains("P005: last contact 2018-07-01 is after death 2018-05-01"),
        "{text}"
    );
    assert!(study.db.load_records().unwrap().is_empty());
}

#[test]
fn a_missing_required_column_and_ragged_rows_are_reported() {
    let mut study = TestStudy::new();
    let problems = study.reject(ImportKind::Patients, "sex,age\nM,50\nF\n");
    let text = reasons(&problems);
    assert!(text.contains(":3: 1 cells, the header has 2"), "{text}");
    let problems = study.reject(ImportKind::Patients, "sex,age\nM,50\n");
    assert_eq!(located(&problems), [(Some(1), Some("study_id"), None)]);
}

#[test]
fn updates_are_audited_with_old_and_new_values() {
    let mut study = populated();
    let before = study.db.audit_log(Some("P002")).unwrap().len();
    let report = study.accept(
        ImportKind::Patients,
        "study_id,age,ca19_9,recurrence_date,recurrence_site\nP002,56,15.5,2019-04-01,intrahepatic\n",
    );
    assert_eq!((report.records_created, report.records_updated), (0, 1));
    let log = study.db.audit_log(Some("P002")).unwrap();
    type Row<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<&'a str>);
    let new: Vec<Row> = log[before..]
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.table.as_str(),
                e.field.as_str(),
                e.old_value.as_deref(),
                e.new_value.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        new,
        [
            (
                "update",
                "patient",
                "age_at_surgery",
                Some("55"),
                Some("56")
            ),
            (
                "update",
                "patient_value",
                "ca19_9",
                Some("12"),
                Some("15.5")
            ),
            (
                "insert",
                "follow_up_event",
                "kind",
                None,
                Some("recurrence")
            ),
            (
                "insert",
                "follow_up_event",
                "date",
                None,
                Some("2019-04-01")
            ),
            (
                "insert",
                "follow_up_event",
                "detail",
                None,
                Some("intrahepatic")
            ),
        ]
    );
    assert!(
        log[before..]
            .iter()
            .all(|e| e.user == "coordinator" && e.at == "2023-11-14T22:13:20Z")
    );
    // The untouched columns keep their values.
    let p2 = study.db.load_record("P002").unwrap().unwrap();
    assert_eq!(p2.values["tumour_number"], Value::Level("multiple".into()));
}

#[test]
fn blank_cells_keep_values_unless_told_to_overwrite() {
    let mut study = populated();
    let blanks = "study_id,ca19_9,recurrence_date,vascular_invasion\nP001,,,\n";
    let report = study.accept(ImportKind::Patients, blanks);
    assert!(report.changes.is_empty());
    let options = ImportOptions {
        blank_overwrites: true,
        ..ImportOptions::default()
    };
    let report = study
        .import_with(ImportKind::Patients, blanks, &options)
        .unwrap();
    assert_eq!(report.changes.deleted, 3, "{report:?}");
    let p1 = study.db.load_record("P001").unwrap().unwrap();
    assert!(!p1.values.contains_key("ca19_9"));
    assert_eq!(p1.first_recurrence(), None);
    let deleted = study
        .db
        .audit_log(Some("P001"))
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "delete")
        .count();
    // The value rows (2) and the recurrence's kind, date and detail (3).
    assert_eq!(deleted, 5);
}

#[test]
fn a_dry_run_reports_but_writes_nothing() {
    let mut study = populated();
    let before = study.db_bytes();
    let options = ImportOptions {
        dry_run: true,
        ..ImportOptions::default()
    };
    let report = study
        .import_with(
            ImportKind::Patients,
            "study_id,age\nP001,62\nP009,40\n",
            &options,
        )
        .unwrap();
    assert!(report.dry_run);
    assert_eq!((report.records_created, report.records_updated), (1, 1));
    assert_eq!(study.db_bytes(), before);
    assert!(study.db.load_record("P009").unwrap().is_none());
}

#[test]
fn other_date_formats_are_read_when_named() {
    let mut study = TestStudy::new();
    let options = ImportOptions {
        date_format: "%d/%m/%Y".into(),
        ..ImportOptions::default()
    };
    study
        .import_with(
            ImportKind::Patients,
            "study_id,surgery_date\nP1,31/12/2018\n",
            &options,
        )
        .unwrap();
    let p = study.db.load_record("P1").unwrap().unwrap();
    assert_eq!(p.surgery.date, "2018-12-31".parse().ok());
    let problems = study.reject(
        ImportKind::Patients,
        "study_id,surgery_date\nP2,31/12/2018\n",
    );
    assert_eq!(
        located(&problems),
        [(Some(2), Some("surgery_date"), Some("31/12/2018"))]
    );
}

#[test]
fn events_add_to_and_update_the_timeline() {
    let mut study = populated();
    let report = study.accept(
        ImportKind::Events,
        "study_id,event,date,detail\nP001,recurrence,2019-02-01,lung\nP001,death,2019-06-30,disease progression\nP002,last_contact,2021-06-01,\n",
    );
    assert_eq!(report.records_updated, 2);
    let p1 = study.db.load_record("P001").unwrap().unwrap();
    assert_eq!(p1.events_of(EventKind::Recurrence).count(), 2);
    assert_eq!(p1.first_recurrence(), "2018-09-01".parse().ok());
    assert_eq!(
        p1.events_of(EventKind::Death)
            .next()
            .unwrap()
            .detail
            .as_deref(),
        Some("disease progression")
    );
    let p2 = study.db.load_record("P002").unwrap().unwrap();
    assert_eq!(p2.last_contact(), "2021-06-01".parse().ok());
    assert_eq!(p2.events_of(EventKind::LastContact).count(), 1);
}

#[test]
fn bad_events_are_rejected_including_conflicts_with_stored_data() {
    let mut study = populated();
    let bad = "\
study_id,event,date,detail
P999,recurrence,2019-01-01,
P001,relapse,2019-01-01,
P002,last_contact,2021-03-01,phone call
P002,recurrence,2019-01-01,liver
P002,recurrence,2019-01-01,liver
P001,recurrence,2019-08-01,
P003,death,2020-01-01,
";
    let problems = study.reject(ImportKind::Events, bad);
    assert_eq!(
        located(&problems),
        [
            (Some(2), Some("study_id"), Some("P999")),
            (Some(3), Some("event"), Some("relapse")),
            (Some(4), Some("detail"), Some("phone call")),
            (Some(6), Some("date"), Some("2019-01-01")),
            // P001 died on 2019-06-30 (stored): a later recurrence is refused.
            (Some(7), Some("date"), Some("2019-08-01")),
            // P003 recurred on 2020-11-02 and was seen on 2021-01-15.
            (Some(8), Some("date"), Some("2020-01-01")),
            (Some(8), Some("date"), Some("2020-01-01")),
        ],
        "{}",
        reasons(&problems)
    );
    let text = reasons(&problems);
    assert!(text.contains("unknown study_id"), "{text}");
    assert!(text.contains("already at line 5"), "{text}");
    assert!(
        text.contains("P003: death 2020-01-01 is before recurrence 2020-11-02"),
        "{text}"
    );
    assert!(
        text.contains("P003: last contact 2021-01-15 is after death 2020-01-01"),
        "{text}"
    );
}

#[test]
fn chemotherapy_courses_import_and_bad_ones_are_rejected() {
    let mut study = populated();
    let report = study.accept(
        ImportKind::Chemo,
        "study_id,regimen,start_date,end_date,cycles,completed\nP002,GEMOX,2018-04-10,2018-07-01,6,yes\n",
    );
    assert_eq!(report.records_updated, 1);
    let p2 = study.db.load_record("P002").unwrap().unwrap();
    let e = endpoints::derive(&p2, EndpointWindows::default());
    assert_eq!(e.adjuvant_chemo, Some(true));

    let bad = "\
study_id,regimen,start_date,end_date,cycles,completed
P001,GEMOX,2017-12-01,2018-02-01,6,yes
P002,S-1,2018-05-01,2018-04-01,0,maybe
P002,,2018-06-01,,,
P001,capecitabine,2019-08-01,,,
P002,GEMOX,2018-04-10,,,
P002,GEMOX,2018-04-10,,,
";
    let problems = study.reject(ImportKind::Chemo, bad);
    assert_eq!(
        located(&problems),
        [
            (Some(3), Some("cycles"), Some("0")),
            (Some(3), Some("completed"), Some("maybe")),
            (Some(4), Some("regimen"), None),
            (Some(7), Some("start_date"), Some("2018-04-10")),
            (Some(2), Some("start_date"), Some("2017-12-01")),
            (Some(5), Some("start_date"), Some("2019-08-01")),
            (Some(3), Some("start_date"), Some("2018-05-01")),
        ],
        "{}",
        reasons(&problems)
    );
    let text = reasons(&problems);
    assert!(
        text.contains("chemotherapy starting 2017-12-01 is before surgery 2018-01-10"),
        "{text}"
    );
    assert!(
        text.contains("chemotherapy starting 2019-08-01 is after death 2019-06-30"),
        "{text}"
    );
    assert!(
        text.contains("chemotherapy ends 2018-04-01 before it starts 2018-05-01"),
        "{text}"
    );
}

#[test]
fn images_and_masks_import_with_their_geometry_and_checksum() {
    let mut study = populated();
    study.write_image("p1_b800.nii.gz", &grid());
    study.write_image("p1_mask.nii.gz", &grid());
    let report = study.accept(
        ImportKind::Imaging,
        "study_id,series,kind,b_value,path,mask_of,label\nP001,b800,dwi,800,p1_b800.nii.gz,,\nP001,tumour,mask,,p1_mask.nii.gz,b800,\n",
    );
    assert_eq!(report.records_updated, 1);
    let p1 = study.db.load_record("P001").unwrap().unwrap();
    assert_eq!(p1.imaging.len(), 2);
    let mask = &p1.imaging[1];
    assert_eq!(mask.mask_of.as_deref(), Some("b800"));
    assert_eq!(mask.label, Some(1));
    assert_eq!(
        mask.path, "p1_mask.nii.gz",
        "stored relative to the study folder"
    );
    assert_eq!(mask.geometry.dims, [16, 16, 4]);
    assert_eq!(mask.geometry.orientation(), "LPS");
    assert_eq!(
        mask.checksum,
        radcohort::imaging::file_checksum(&study.path("p1_mask.nii.gz")).unwrap()
    );
}

#[test]
fn missing_files_and_mismatched_masks_are_rejected_saying_what_differs() {
    let mut study = populated();
    study.write_image("b800.nii.gz", &grid());
    let mut thick = grid();
    thick.dims[2] = 5;
    thick.spacing[2] = 4.0;
    study.write_image("thick_mask.nii.gz", &thick);
    let mut flipped = grid();
    flipped.direction[0][0] = 1.0;
    study.write_image("flipped_mask.nii.gz", &flipped);
    std::fs::write(
        study.path("notes.nii"),
        "not an image at all, just some notes that are long enough ".repeat(10),
    )
    .unwrap();
    let bad = "\
study_id,series,kind,b_value,path,mask_of,label
P001,b800,dwi,800,b800.nii.gz,,
P001,tumour,mask,,thick_mask.nii.gz,b800,1
P002,b0,dwi,,b800.nii.gz,,
P002,b800,dwi,800,missing.nii.gz,,
P002,tumour,mask,,b800.nii.gz,b1000,
P003,b800,dwi,800,b800.nii.gz,,
P003,tumour,mask,,flipped_mask.nii.gz,b800,2
P003,notes,other,,notes.nii,,
";
    let problems = study.reject(ImportKind::Imaging, bad);
    let text = reasons(&problems);
    assert_eq!(
        located(&problems),
        [
            (Some(4), Some("b_value"), None),
            (Some(5), Some("path"), Some("missing.nii.gz")),
            (Some(9), Some("path"), Some("notes.nii")),
            (Some(3), Some("mask_of"), Some("b800")),
            (Some(6), Some("mask_of"), Some("b1000")),
            (Some(8), Some("mask_of"), Some("b800")),
        ],
        "{text}"
    );
    assert!(text.contains("no such file"), "{text}");
    assert!(text.contains("not a NIfTI-1 file"), "{text}");
    assert!(
        text.contains("P001: mask 'tumour' does not match image 'b800': dimensions 16×16×5 vs 16×16×4; spacing (2, 2, 4) vs (2, 2, 5) mm (mask vs image)"),
        "{text}"
    );
    assert!(text.contains("orientation RPS vs LPS"), "{text}");
    assert!(text.contains("no series 'b1000'"), "{text}");
}

#[test]
fn a_bad_dictionary_reports_every_problem() {
    let mut study = TestStudy::new();
    let bad = "\
name,label,type,unit,levels,min,max,required
CA199,CA19-9,numeric,,,,,
age,Age,numeric,,,,,
grade,Grade,ordinal,,,,,
margin,Margin,categorical,,,,,
size,Size,numeric,cm,small|large,10,1,
size,Size again,numeric,,,,,
flag,Flag,boolean,,,,,perhaps
";
    let problems = study.reject(ImportKind::Dictionary, bad);
    assert_eq!(
        located(&problems),
        [
            (Some(2), Some("name"), Some("CA199")),
            (Some(3), Some("name"), Some("age")),
            (Some(4), Some("type"), Some("ordinal")),
            (Some(5), Some("levels"), None),
            (Some(6), Some("levels"), Some("small|large")),
            (Some(6), Some("max"), Some("1")),
            (Some(7), Some("name"), Some("size")),
            (Some(8), Some("required"), Some("perhaps")),
        ],
        "{}",
        reasons(&problems)
    );
}

#[test]
fn a_dictionary_change_must_fit_the_stored_values() {
    let mut study = populated();
    let narrowed = DICTIONARY
        .replace(
            "ca19_9,CA19-9,numeric,U/mL,,0,100000,yes",
            "ca19_9,CA19-9,numeric,U/mL,,0,100,yes",
        )
        .replace("none|micro|macro", "none|macro")
        .replace("cirrhosis,Cirrhosis,boolean", "cirrhosis,Cirrhosis,text");
    let problems = study.reject(ImportKind::Dictionary, &narrowed);
    let text = reasons(&problems);
    assert!(
        text.contains("the stored value '120.5' of P001 would not fit: out of range [0, 100]"),
        "{text}"
    );
    assert!(
        text.contains("the stored value 'micro' of P001 would not fit"),
        "{text}"
    );
    assert!(
        text.contains("cannot change the type from boolean to text: 2 patients have values"),
        "{text}"
    );
    // A compatible change (a new level, a new label) is accepted and audited.
    let widened = DICTIONARY.replace("none|micro|macro", "none|micro|macro|unknown");
    let report = study.accept(ImportKind::Dictionary, &widened);
    assert_eq!(report.records_updated, 1);
    let last = study.db.audit_log(None).unwrap().pop().unwrap();
    assert_eq!(
        (
            last.record.as_str(),
            last.field.as_str(),
            last.new_value.as_deref()
        ),
        (
            "vascular_invasion",
            "levels",
            Some("none|micro|macro|unknown")
        )
    );
}
