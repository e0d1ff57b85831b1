//! The study as the screens show it: records read once from the database,
//! with their derived endpoints and image file checks worked out up front so
//! that drawing a frame never touches the disk.

use std::path::Path;

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
#[derive(Debug, Clone, PartialEq)]
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
}

impl Study {
    /// Reads the whole study from an open database.
    pub fn load(db: &StudyDb) -> anyhow::Result<Study> {
        let settings = db.settings()?;
        let windows = EndpointWindows::from(&settings);
        let folder = db.folder();
        let patients = db
            .load_records()?
            .into_iter()
            .map(|record| Patient::new(record, windows, &folder))
            .collect();
        Ok(Study {
            name: settings.name,
            source: db.path().file_name().map_or_else(
                || db.path().display().to_string(),
                |name| name.to_string_lossy().into_owned(),
            ),
            dictionary: db.dictionary()?,
            patients,
        })
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
        }
    }

    /// How many image files are missing.
    pub fn missing_files(&self) -> usize {
        self.files
            .iter()
            .filter(|status| **status == FileStatus::Missing)
            .count()
    }
}
