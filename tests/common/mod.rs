//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use radcohort::imaging::{Geometry, write_volume};
use radcohort::study::import::{
    ImportError, ImportKind, ImportOptions, ImportReport, Problem, import_file,
};
use radcohort::study::{Actor, StudyDb, StudySettings};

/// A fixed actor, so audit rows are reproducible.
pub fn actor() -> Actor {
    Actor::new(
        "coordinator",
        chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
    )
}

/// A fresh study in a temporary folder.
pub struct TestStudy {
    pub dir: tempfile::TempDir,
    pub db: StudyDb,
}

impl TestStudy {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = StudyDb::create(
            &dir.path().join("study.db"),
            &StudySettings::default(),
            &actor(),
        )
        .unwrap();
        TestStudy { dir, db }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a CSV file into the study folder and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        fs::write(&path, text).unwrap();
        path
    }

    /// Imports text as a file of the given kind.
    pub fn import(&mut self, kind: ImportKind, text: &str) -> Result<ImportReport, ImportError> {
        self.import_with(kind, text, &ImportOptions::default())
    }

    pub fn import_with(
        &mut self,
        kind: ImportKind,
        text: &str,
        options: &ImportOptions,
    ) -> Result<ImportReport, ImportError> {
        let path = self.write(&format!("{}.csv", kind.as_str()), text);
        import_file(&mut self.db, kind, &path, options, &actor())
    }

    /// Imports text that must be accepted.
    pub fn accept(&mut self, kind: ImportKind, text: &str) -> ImportReport {
        self.import(kind, text)
            .unwrap_or_else(|err| panic!("{err}"))
    }

    /// Imports text that must be rejected, checking that the database file
    /// is byte-for-byte unchanged, and returns the problems.
    pub fn reject(&mut self, kind: ImportKind, text: &str) -> Vec<Problem> {
        let before = self.db_bytes();
        let result = self.import(kind, text);
        assert_eq!(
            self.db_bytes(),
            before,
            "a rejected import changed the database"
        );
        match result {
            Err(ImportError::Rejected { problems, .. }) => problems,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    /// The bytes of the database file and of its write-ahead log, which
    /// holds committed changes not yet copied into the file.
    pub fn db_bytes(&self) -> Vec<u8> {
        let mut bytes = fs::read(self.db.path()).unwrap();
        let wal = self.db.path().with_extension("db-wal");
        bytes.extend(fs::read(wal).unwrap_or_default());
        bytes
    }

    /// Writes a NIfTI volume of the given geometry into the study folder.
    pub fn write_image(&self, name: &str, geometry: &Geometry) -> PathBuf {
        let path = self.path(name);
        let data = ndarray::Array3::<i16>::from_elem(geometry.dims, 100);
        write_volume(&path, &data, geometry).unwrap();
        path
    }
}

/// A liver DWI grid.
pub fn grid() -> Geometry {
    Geometry {
        dims: [16, 16, 4],
        spacing: [2.0, 2.0, 5.0],
        origin: [10.0, 20.0, -30.0],
        direction: [[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]],
    }
}

/// A small dictionary with one variable of each kind.
pub const DICTIONARY: &str = "\
name,label,type,unit,levels,min,max,required
ca19_9,CA19-9,numeric,U/mL,,0,100000,yes
tumour_number,Tumour number,categorical,,single|multiple,,,yes
vascular_invasion,Vascular invasion,categorical,,none|micro|macro,,,no
cirrhosis,Cirrhosis,boolean,,,,,no
cycles_planned,Planned cycles,integer,,,1,12,no
biopsy_date,Biopsy date,date,,,,,no
note,Note,text,,,,,no
";

/// Three patients, consistent timelines.
pub const PATIENTS: &str = "\
study_id,sex,age,cohort,surgery_date,procedure,recurrence_date,recurrence_site,death_date,last_followup_date,ca19_9,tumour_number,vascular_invasion,cirrhosis
P001,M,61,training,2018-01-10,major,2018-09-01,intrahepatic,2019-06-30,2019-06-30,120.5,single,micro,no
P002,F,55,validation,2018-03-05,minor,,,,2021-02-01,12,multiple,none,yes
P003,M,70,,2019-07-20,major,2020-11-02,extrahepatic,,2021-01-15,,single,,
";

/// A study with the small dictionary and three patients.
pub fn populated() -> TestStudy {
    let mut study = TestStudy::new();
    study.accept(ImportKind::Dictionary, DICTIONARY);
    study.accept(ImportKind::Patients, PATIENTS);
    study
}

/// Where the shared reference data lives (`RADCOHORT_REFERENCE`, default
/// `../shared/reference`). When it is absent the calling test is skipped
/// with a loud message, unless `RADCOHORT_REQUIRE_REFERENCE` is set (as in
/// CI), in which case it fails.
pub fn reference_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("RADCOHORT_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("RADCOHORT_REQUIRE_REFERENCE").is_some() {
        panic!("{test}: reference data missing at {}", dir.display());
    }
    eprintln!(
        "\n*** SKIPPED {test}: no reference data at {} (set RADCOHORT_REFERENCE) ***\n",
        dir.display()
    );
    None
}

/// Asserts that an extraction gives exactly the features of `expected`
/// (none missing, none extra), each within 1e-6 relative or 1e-9 absolute,
/// and prints the largest relative error.
pub fn assert_matches_pyradiomics(
    label: &str,
    expected: &std::collections::BTreeMap<String, f64>,
    extraction: &radcohort::radiomics::extractor::Extraction,
) {
    const RELATIVE: f64 = 1e-6;
    const ABSOLUTE: f64 = 1e-9;
    let ours: std::collections::BTreeMap<&str, f64> = extraction
        .features
        .iter()
        .map(|f| (f.name.as_str(), f.value))
        .collect();
    let missing: Vec<&String> = expected
        .keys()
        .filter(|name| !ours.contains_key(name.as_str()))
        .collect();
    let extra: Vec<&&str> = ours
        .keys()
        .filter(|name| !expected.contains_key(**name))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{label}: missing {missing:?}, extra {extra:?}"
    );
    let mut failures = Vec::new();
    let mut worst = (0.0_f64, String::new());
    for (name, &want) in expected {
        let got = ours[name.as_str()];
        let error = (got - want).abs();
        let relative = error / want.abs().max(f64::MIN_POSITIVE);
        if want != 0.0 && relative > worst.0 {
            worst = (relative, name.clone());
        }
        if error > ABSOLUTE && relative > RELATIVE {
            failures.push(format!(
                "{name}: {got} vs PyRadiomics {want} (relative {relative:.1e})"
            ));
        }
    }
    eprintln!(
        "{label}: {} features, largest relative error {:.1e} ({})",
        expected.len(),
        worst.0,
        worst.1
    );
    assert!(failures.is_empty(), "{label}:\n{}", failures.join("\n"));
}
