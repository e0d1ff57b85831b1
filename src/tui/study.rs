//! The study as the screens show it: records read once from the database,
//! with their derived endpoints and image file checks worked out up front so
//! that drawing a frame never touches the disk.

use std::path::Path;

use std::collections::HashMap;
use std::path::PathBuf;

use radcohort::signature::{RiskGroup, StoredScore, list_signatures, load_scores};
use radcohort::study::StudyDb;
use radcohort::study::endpoints::{self, EndpointWindows, Endpoints};
use radcohort::study::model::{Cohort, PatientRecord, Variable};

/// Whether an imaging series' file is where the database says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    /// The file exists.
    Present,
    /// No file at the stored path.
    Missing,
}

/// One patient, ready to display.
#[derive(Debug, Clone, PartialEq)]
pub struct Patient {
    /// Everything the study records about the patient.
    pub record: PatientRecord,
    /// Endpoints derived with the study's windows.
    pub endpoints: Endpoints,
    /// The file status of each of `record.imaging`, in the same order.
    pub files: Vec<FileStatus>,
    /// The active signature's stored score, if it scored the patient.
    pub score: Option<StoredScore>,
}

/// Patients per cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CohortCounts {
    /// All patients.
    pub patients: usize,
    /// In the training cohort.
    pub training: usize,
    /// In the validation cohort.
    pub validation: usize,
}

/// A loaded study.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Study {
    /// The study's name from its settings.
    pub name: String,
    /// How the database is named on screen: its file name, never a full
    /// path, which would not fit and could differ between machines.
    pub source: String,
    /// The data dictionary in display order.
    pub dictionary: Vec<Variable>,
    /// Every patient, ordered by study id.
    pub patients: Vec<Patient>,
    /// The signature whose stored scores the screens show: the one that
    /// scored the study last (see [`list_signatures`]).
    pub active_signature: Option<ActiveSignature>,
    /// The study's endpoint windows.
    pub windows: EndpointWindows,
    /// The folder image paths are relative to.
    pub folder: PathBuf,
    /// The database file, for screens that read what the study does not
    /// keep in memory (the audit log).
    pub database: PathBuf,
    /// Whether the session may not write: screens then read through a
    /// read-only connection.
    pub read_only: bool,
}

/// The signature whose risk groups the screens use.
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveSignature {
    /// Its name.
    pub name: String,
    /// Its content id.
    pub id: String,
    /// Its frozen cutoff, if it has one.
    pub cutoff: Option<f64>,
    /// When it last scored the study.
    pub scored_at: Option<String>,
}

impl Study {
    /// Reads the whole study from an open database.
    pub fn load(db: &StudyDb) -> anyhow::Result<Study> {
        let settings = db.settings()?;
        let windows = EndpointWindows::from(&settings);
        let folder = db.folder();
        let active = list_signatures(db)?
            .into_iter()
            .find(|stored| stored.scored > 0);
        let mut scores: HashMap<String, StoredScore> = match &active {
            Some(stored) => load_scores(db, &stored.signature.id())?
                .into_iter()
                .map(|score| (score.study_id.clone(), score))
                .collect(),
            None => HashMap::new(),
        };
        let patients = db
            .load_records()?
            .into_iter()
            .map(|record| {
                let mut patient = Patient::new(record, windows, &folder);
                patient.score = scores.remove(patient.record.study_id());
                patient
            })
            .collect();
        Ok(Study {
            active_signature: active.map(|stored| ActiveSignature {
                name: stored.signature.name.clone(),
                id: stored.signature.id(),
                cutoff: stored.signature.cutoff.as_ref().map(|c| c.value),
                scored_at: stored.scored_at,
            }),
            name: settings.name,
            source: db.path().file_name().map_or_else(
                || db.path().display().to_string(),
                |name| name.to_string_lossy().into_owned(),
            ),
            dictionary: db.dictionary()?,
            patients,
            windows,
            folder,
            database: db.path().to_owned(),
            read_only: false,
        })
    }

    /// Puts a record read again from the database in place of the
    /// patient's, keeping the patient's stored score; a record of a
    /// patient not in the study is added.
    pub fn replace_record(&mut self, record: PatientRecord) {
        let mut patient = Patient::new(record, self.windows, &self.folder);
        match self
            .patients
            .iter_mut()
            .find(|p| p.record.study_id() == patient.record.study_id())
        {
            Some(slot) => {
                patient.score = slot.score.take();
                *slot = patient;
            }
            None => self.patients.push(patient),
        }
    }

    /// A connection to the study's database for reading what it does not
    /// keep in memory: read-only in a read-only session.
    pub fn open_db(&self) -> Result<StudyDb, radcohort::study::StudyError> {
        if self.read_only {
            StudyDb::open_read_only(&self.database)
        } else {
            StudyDb::open(&self.database)
        }
    }

    /// The active signature's name, or that none has scored the study,
    /// for the status lines of the views that use risk groups.
    pub fn signature_label(&self) -> String {
        self.active_signature
            .as_ref()
            .map_or_else(|| "no signature scored yet".to_owned(), |s| s.name.clone())
    }

    /// How many patients are in each cohort.
    pub fn counts(&self) -> CohortCounts {
        let mut counts = CohortCounts {
            patients: self.patients.len(),
            ..CohortCounts::default()
        };
        for patient in &self.patients {
            match patient.record.patient.cohort {
                Some(Cohort::Training) => counts.training += 1,
                Some(Cohort::Validation) => counts.validation += 1,
                None => {}
            }
        }
        counts
    }
}

impl Patient {
    /// Derives the endpoints and checks the image files of a record whose
    /// relative image paths are relative to `folder`.
    pub fn new(record: PatientRecord, windows: EndpointWindows, folder: &Path) -> Patient {
        let files = record
            .imaging
            .iter()
            .map(|series| {
                // `join` keeps an absolute stored path as it is.
                if folder.join(&series.path).is_file() {
                    FileStatus::Present
                } else {
                    FileStatus::Missing
                }
            })
            .collect();
        Patient {
            endpoints: endpoints::derive(&record, windows),
            record,
            files,
            score: None,
        }
    }

    /// The active signature's risk group, if the patient has one.
    pub fn risk_group(&self) -> Option<RiskGroup> {
        self.score.as_ref().and_then(|score| score.risk_group)
    }

    /// How many image files are missing.
    pub fn missing_files(&self) -> usize {
        self.files
            .iter()
            .filter(|status| **status == FileStatus::Missing)
            .count()
    }
}
