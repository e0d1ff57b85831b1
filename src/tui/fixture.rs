//! Small studies for tests, built through the library exactly as a
//! coordinator would build one: create the database, then import CSVs.

use std::fs;
use std::path::Path;

use ndarray::Array3;
use radcohort::imaging::{Geometry, write_volume};
use radcohort::study::import::{ImportKind, ImportOptions, import_file};
use radcohort::study::{Actor, StudyDb, StudySettings};
use tempfile::TempDir;

use super::app::Session;
use super::study::Study;

/// The same user and time for every change, so nothing depends on the
/// clock.
pub fn actor() -> Actor {
    let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("a valid timestamp");
    Actor::new("tester", at)
}

/// A study database with no data in a fresh temporary folder.
pub fn empty() -> (TempDir, StudyDb) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let settings = StudySettings {
        name: "Test cohort".to_owned(),
        ..StudySettings::default()
    };
    let db = StudyDb::create(&dir.path().join("study.db"), &settings, &actor())
        .expect("a new study database");
    (dir, db)
}

const DICTIONARY: &str = "\
name,label,type,unit,levels,min,max,required
ca199,CA 19-9,numeric,U/mL,,0,100000,yes
tumour_size,Tumour size,numeric,cm,,0,30,yes
satellite,Satellite nodules,boolean,,,,,no
differentiation,Differentiation,categorical,,well|moderate|poor,,,no
adc_mean,Mean ADC of the tumour,numeric,10^-3 mm²/s,,0,5,no
mri_date,Date of the preoperative MRI,date,,,,,no
cea,Carcinoembryonic antigen before surgery,numeric,ng/mL,,0,10000,no
";

/// Six patients covering the cases the screens must show: events and
/// censoring, a death, missing values, no surgery date, no cohort.
const PATIENTS: &str = "\
study_id,sex,age,cohort,surgery_date,procedure,lymphadenectomy,recurrence_date,recurrence_site,death_date,last_followup_date,ca199,tumour_size,satellite,differentiation,adc_mean,mri_date,cea
ICC-001,F,63,training,2018-03-14,major,yes,2019-04-30,liver,,2021-01-01,37.5,4.2,no,moderate,1.12,2018-03-01,
ICC-002,M,58,training,2018-05-02,minor,no,,,,2023-04-28,12.1,2.8,no,well,,,3.2
ICC-003,M,71,validation,2019-01-20,major,yes,2019-07-11,lung,2020-02-03,,,6.5,yes,poor,,,
ICC-004,F,66,validation,2019-06-10,minor,,,,,,88,,,,,,
ICC-005,M,49,training,,,,,,,,,,,,,,
ICC-006,F,55,,2020-02-02,major,yes,,,,2021-02-01,20,3.1,no,well,,,
";

const CHEMO: &str = "\
study_id,regimen,start_date,end_date,cycles,completed
ICC-001,GEMOX,2018-04-20,2018-09-01,6,yes
ICC-001,FOLFIRINOX,2019-05-20,,,
ICC-003,Capecitabine,2019-08-01,2019-10-15,4,no
";

const IMAGING: &str = "\
study_id,series,kind,b_value,path,mask_of,label
ICC-001,b0,dwi,0,images/ICC-001_b0.nii,,
ICC-001,b800,dwi,800,images/ICC-001_b800.nii,,
ICC-001,tumour,mask,,images/ICC-001_tumour.nii,b800,1
ICC-002,b800,dwi,800,images/ICC-002_b800.nii,,
";

/// A study of six patients with a dictionary, chemotherapy and images, one
/// of whose files has gone missing since import.
pub fn populated() -> (TempDir, StudyDb) {
    let (dir, mut db) = empty();
    let grid = Geometry {
        dims: [4, 4, 2],
        spacing: [0.78125, 0.78125, 5.0],
        origin: [0.0; 3],
        direction: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
    };
    let images = dir.path().join("images");
    fs::create_dir(&images).expect("an images folder");
    for name in ["ICC-001_b0", "ICC-001_b800", "ICC-002_b800"] {
        let path = images.join(format!("{name}.nii"));
        write_volume(&path, &Array3::<i16>::zeros((4, 4, 2)), &grid).expect("an image");
    }
    let mut mask = Array3::<u8>::zeros((4, 4, 2));
    mask[[1, 1, 0]] = 1;
    write_volume(&images.join("ICC-001_tumour.nii"), &mask, &grid).expect("a mask");

    let files = [
        (ImportKind::Dictionary, "dictionary.csv", DICTIONARY),
        (ImportKind::Patients, "patients.csv", PATIENTS),
        (ImportKind::Chemo, "chemo.csv", CHEMO),
        (ImportKind::Imaging, "imaging.csv", IMAGING),
    ];
    for (kind, name, text) in files {
        import(&mut db, dir.path(), kind, name, text);
    }
    fs::remove_file(images.join("ICC-002_b800.nii")).expect("an image to remove");
    (dir, db)
}

fn import(db: &mut StudyDb, folder: &Path, kind: ImportKind, name: &str, text: &str) {
    let path = folder.join(name);
    fs::write(&path, text).expect("a CSV file");
    if let Err(err) = import_file(db, kind, &path, &ImportOptions::default(), &actor()) {
        panic!("{name} did not import: {err}");
    }
}

/// The study as the screens see it.
pub fn load(db: &StudyDb) -> Study {
    Study::load(db).expect("a loadable study")
}

/// A session on `db` for the user "tester", without a job channel.
pub fn session(db: &StudyDb) -> Session {
    Session {
        database: db.path().to_owned(),
        read_only: false,
        user: "tester".to_owned(),
        events: None,
        colours: crate::tui::widgets::slice_view::ColourDepth::Basic16,
        log: None,
    }
}

/// A hand-written clinical score over the sample study's CA19-9 and tumour
/// size, with a fixed cutoff: enough to give every patient a risk group
/// without images or training.
const CLINICAL_SCORE: &str = include_str!("../../tests/data/clinical_score.json");

/// The sample study's patients, dictionary and chemotherapy (no images),
/// scored with a hand-written clinical score so that every patient with
/// its inputs has a risk group.
pub fn scored_sample() -> (TempDir, StudyDb) {
    use radcohort::signature::{Signature, StudyData, score_patients, store_scores};
    let (dir, mut db) = empty();
    let files = radcohort::sample_study::sample_csv_files();
    let kinds = [
        (ImportKind::Dictionary, "dictionary.csv", &files.dictionary),
        (ImportKind::Patients, "patients.csv", &files.patients),
        (ImportKind::Chemo, "chemo.csv", &files.chemo),
    ];
    for (kind, name, text) in kinds {
        import(&mut db, dir.path(), kind, name, text);
    }
    let signature = Signature::from_json(CLINICAL_SCORE, Path::new("clinical.json"))
        .expect("a valid signature");
    let data = StudyData::load(&db).expect("study data");
    let scores = score_patients(&signature, &data).expect("scores");
    store_scores(&db, &signature, &scores, &actor()).expect("stored scores");
    (dir, db)
}
