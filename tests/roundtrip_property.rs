//! Properties of import and export over random valid studies: importing a
//! file twice changes nothing the second time, and an identified export
//! re-imports into an identical study.

mod common;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use radcohort::study::export::export;
use radcohort::study::import::{ImportKind, ImportOptions, import_file};
use radcohort::study::model::PatientRecord;
use radcohort::study::{StudyDb, StudySettings};

/// One random patient with a timeline that obeys the rules.
#[derive(Debug, Clone)]
struct RandomPatient {
    sex: Option<&'static str>,
    age: Option<u8>,
    cohort: Option<&'static str>,
    surgery_day: u16,
    recurrence: Option<u16>,
    death: Option<u16>,
    last_contact: Option<u16>,
    ca19_9: Option<f64>,
    vascular: Option<&'static str>,
    courses: Vec<(u16, Option<u16>, Option<u8>)>,
}

fn patient() -> impl Strategy<Value = RandomPatient> {
    (
        (
            proptest::option::of(prop_oneof![Just("M"), Just("F")]),
            proptest::option::of(18u8..90),
            proptest::option::of(prop_oneof![Just("training"), Just("validation")]),
            0u16..2000,
        ),
        (
            proptest::option::of(0u16..2000),
            proptest::option::of(0u16..2000),
            proptest::option::of(0u16..2000),
        ),
        proptest::option::of(0.0f64..5000.0),
        proptest::option::of(prop_oneof![Just("none"), Just("micro"), Just("macro")]),
        proptest::collection::vec(
            (
                0u16..400,
                proptest::option::of(0u16..200),
                proptest::option::of(1u8..12),
            ),
            0..3,
        ),
    )
        .prop_map(
            |((sex, age, cohort, surgery_day), (r, d, l), ca19_9, vascular, courses)| {
                let d = match (r, d) {
                    (Some(r), Some(d)) => Some(d.max(r)),
                    (_, d) => d,
                };
                let l = match (l, d) {
                    (Some(l), Some(d)) => Some(l.min(d)),
                    (l, _) => l,
                };
                // Courses start on distinct days, before any death.
                let mut courses: Vec<_> = courses
                    .into_iter()
                    .filter(|(start, _, _)| d.is_none_or(|d| *start <= d))
                    .collect();
                courses.sort_by_key(|c| c.0);
                courses.dedup_by_key(|c| c.0);
                RandomPatient {
                    sex,
                    age,
                    cohort,
                    surgery_day,
                    recurrence: r,
                    death: d,
                    last_contact: l,
                    ca19_9: ca19_9.map(|x| (x * 10.0).round() / 10.0),
                    vascular,
                    courses,
                }
            },
        )
}

fn day(base: NaiveDate, offset: u16) -> String {
    (base + Days::new(u64::from(offset))).to_string()
}

fn files(patients: &[RandomPatient]) -> (String, String) {
    let origin = NaiveDate::from_ymd_opt(2012, 1, 1).unwrap();
    let mut text = String::from(
        "study_id,sex,age,cohort,surgery_date,recurrence_date,death_date,last_followup_date,ca19_9,vascular_invasion\n",
    );
    let mut chemo = String::from("study_id,regimen,start_date,end_date,cycles,completed\n");
    for (index, p) in patients.iter().enumerate() {
        let surgery = origin + Days::new(u64::from(p.surgery_day));
        let opt = |v: Option<String>| v.unwrap_or_default();
        text.push_str(&format!(
            "P{index},{},{},{},{},{},{},{},{},{}\n",
            p.sex.unwrap_or_default(),
            opt(p.age.map(|a| a.to_string())),
            p.cohort.unwrap_or_default(),
            surgery,
            opt(p.recurrence.map(|d| day(surgery, d))),
            opt(p.death.map(|d| day(surgery, d))),
            opt(p.last_contact.map(|d| day(surgery, d))),
            opt(p.ca19_9.map(|x| x.to_string())),
            p.vascular.unwrap_or_default(),
        ));
        for (start, length, cycles) in &p.courses {
            let start_date = surgery + Days::new(u64::from(*start));
            chemo.push_str(&format!(
                "P{index},GEMOX,{start_date},{},{},\n",
                opt(length.map(|l| day(start_date, l))),
                opt(cycles.map(|c| c.to_string())),
            ));
        }
    }
    (text, chemo)
}

const DICTIONARY: &str = "name,label,type,unit,levels,min,max,required\n\
ca19_9,CA19-9,numeric,U/mL,,0,100000,yes\n\
vascular_invasion,Vascular invasion,categorical,,none|micro|macro,,,no\n";

fn without_ids(mut records: Vec<PatientRecord>) -> Vec<PatientRecord> {
    for record in &mut records {
        record.events.iter_mut().for_each(|e| e.id = None);
        record.chemo.iter_mut().for_each(|c| c.id = None);
    }
    records
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn import_is_idempotent_and_export_round_trips(patients in proptest::collection::vec(patient(), 1..6)) {
        let dir = tempfile::tempdir().unwrap();
        let actor = common::actor();
        let mut db = StudyDb::create(&dir.path().join("a.db"), &StudySettings::default(), &actor).unwrap();
        let (patients_csv, chemo_csv) = files(&patients);
        let inputs = [
            (ImportKind::Dictionary, "dictionary.csv", DICTIONARY.to_owned()),
            (ImportKind::Patients, "patients.csv", patients_csv),
            (ImportKind::Chemo, "chemo.csv", chemo_csv),
        ];
        for (kind, name, text) in &inputs {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            import_file(&mut db, *kind, &path, &ImportOptions::default(), &actor)
                .unwrap_or_else(|err| panic!("{err}"));
        }
        let audit = db.audit_log(None).unwrap().len();
        for (kind, name, _) in &inputs {
            let report = import_file(&mut db, *kind, &dir.path().join(name), &ImportOptions::default(), &actor).unwrap();
            prop_assert!(report.changes.is_empty(), "{:?}", report);
        }
        prop_assert_eq!(db.audit_log(None).unwrap().len(), audit);

        let out = dir.path().join("export");
        export(&db, &out, false).unwrap();
        let mut copy = StudyDb::create(&dir.path().join("b.db"), &StudySettings::default(), &actor).unwrap();
        for kind in ImportKind::ALL {
            import_file(&mut copy, kind, &out.join(format!("{}.csv", kind.as_str())), &ImportOptions::default(), &actor)
                .unwrap_or_else(|err| panic!("{err}"));
        }
        prop_assert_eq!(without_ids(copy.load_records().unwrap()), without_ids(db.load_records().unwrap()));
    }
}
