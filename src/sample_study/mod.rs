//! The sample study: a complete synthetic cohort modelled on the
//! intrahepatic cholangiocarcinoma study of Yang et al. (Insights Imaging
//! 2022), generated deterministically from a fixed seed.
//!
//! See `sample_study/README.md` for how it is simulated and which effects
//! are planted in it.

mod files;
mod images;
pub(crate) mod rng;
mod simulate;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::imaging::{ImagingError, write_volume};
use crate::study::import::{ImportError, ImportKind, ImportOptions, import_file};
use crate::study::{Actor, StudyDb, StudyError, StudySettings};
pub use files::SampleCsvFiles;
pub use simulate::{CHEMO_HR_HIGH_RISK, PATIENTS, SEED, TRAINING};

/// The sample study's README and extraction parameter files, copied into
/// every generated folder.
const COPIED: [(&str, &str); 3] = [
    ("README.md", include_str!("../../sample_study/README.md")),
    (
        "params_default.yaml",
        include_str!("../../sample_study/params_default.yaml"),
    ),
    (
        "params_filters.yaml",
        include_str!("../../sample_study/params_filters.yaml"),
    ),
];

/// Where a sample-study build has got to, for progress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleProgress {
    /// What is being done.
    pub stage: &'static str,
    /// Steps of this stage done.
    pub done: usize,
    /// Steps of this stage in all.
    pub total: usize,
}

/// A written sample study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleStudy {
    /// The folder holding the CSVs, images and database.
    pub folder: PathBuf,
    /// The ready study database, `folder/study.db`.
    pub database: PathBuf,
}

/// Why the sample study could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// A file or folder could not be written.
    #[error("{path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The folder already holds a study database.
    #[error("{path}: already holds a study database")]
    AlreadyExists {
        /// The existing database.
        path: PathBuf,
    },
    /// An image could not be written.
    #[error(transparent)]
    Imaging(#[from] ImagingError),
    /// The database could not be created.
    #[error(transparent)]
    Study(#[from] StudyError),
    /// The generated files did not import (a bug in the generator).
    #[error(transparent)]
    Import(#[from] ImportError),
    /// An ADC map could not be fitted or registered.
    #[error("ADC map of {study_id}: {reason}")]
    Adc {
        /// The patient.
        study_id: String,
        /// Why.
        reason: String,
    },
    /// An ADC map could not be saved.
    #[error(transparent)]
    Save(#[from] crate::study::SaveError),
}

/// The sample study's CSV files, generated from the fixed seed; they are the
/// files committed in `sample_study/`.
pub fn sample_csv_files() -> SampleCsvFiles {
    files::csv_files(&simulate::simulate())
}

/// Writes the complete sample study into `folder` — README, CSVs, NIfTI
/// images and a ready database `folder/study.db` — reporting progress as it
/// goes. The database is built under a temporary name and appears only once
/// everything is in it; a folder that already holds one is refused.
pub fn write_sample_study(
    folder: &Path,
    actor: &Actor,
    progress: &(dyn Fn(SampleProgress) + Sync),
) -> Result<SampleStudy, SampleError> {
    let database = folder.join("study.db");
    if database.exists() {
        return Err(SampleError::AlreadyExists { path: database });
    }
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| SampleError::Io { path, source }
    };
    let image_folder = folder.join("images");
    fs::create_dir_all(&image_folder).map_err(io(&image_folder))?;

    let patients = simulate::simulate();
    let csv = files::csv_files(&patients);
    for (name, text) in COPIED.into_iter().chain(csv.named()) {
        let path = folder.join(name);
        fs::write(&path, text).map_err(io(&path))?;
    }

    let written = AtomicUsize::new(0);
    let total = patients.len();
    progress(SampleProgress {
        stage: "writing images",
        done: 0,
        total,
    });
    patients
        .par_iter()
        .enumerate()
        .try_for_each(|(index, patient)| {
            let volumes =
                images::render(index, patient.latent_risk, patient.clinical.tumour_size_cm);
            let path = |series: &str| folder.join(files::image_path(&patient.study_id, series));
            write_volume(&path("b0"), &volumes.b0, &volumes.geometry)?;
            write_volume(&path("b800"), &volumes.b800, &volumes.geometry)?;
            write_volume(&path("mask"), &volumes.mask, &volumes.geometry)?;
            let done = written.fetch_add(1, Ordering::Relaxed) + 1;
            progress(SampleProgress {
                stage: "writing images",
                done,
                total,
            });
            Ok::<_, SampleError>(())
        })?;

    let building = folder.join(".building-study.db");
    let _ = fs::remove_file(&building);
    let built = build_database(&building, folder, actor, progress);
    if built.is_err() {
        let _ = fs::remove_file(&building);
    }
    built?;
    fs::rename(&building, &database).map_err(io(&database))?;
    Ok(SampleStudy {
        folder: folder.to_owned(),
        database,
    })
}

/// Creates the database and imports the CSVs through the ordinary import,
/// so the sample study is exactly what a user importing its files would get.
fn build_database(
    path: &Path,
    folder: &Path,
    actor: &Actor,
    progress: &(dyn Fn(SampleProgress) + Sync),
) -> Result<(), SampleError> {
    let settings = StudySettings {
        name: "Sample ICC study (synthetic)".to_owned(),
        ..StudySettings::default()
    };
    let mut db = StudyDb::create(path, &settings, actor)?;
    let steps = [
        (ImportKind::Dictionary, "dictionary.csv"),
        (ImportKind::Patients, "patients.csv"),
        (ImportKind::Chemo, "chemo.csv"),
        (ImportKind::Imaging, "imaging.csv"),
    ];
    for (done, (kind, file)) in steps.iter().enumerate() {
        progress(SampleProgress {
            stage: "building the database",
            done,
            total: steps.len(),
        });
        import_file(
            &mut db,
            *kind,
            &folder.join(file),
            &ImportOptions::default(),
            actor,
        )?;
    }
    progress(SampleProgress {
        stage: "building the database",
        done: steps.len(),
        total: steps.len(),
    });
    let adc_progress = |done, total| {
        progress(SampleProgress {
            stage: "fitting ADC maps",
            done,
            total,
        })
    };
    let adc = crate::extraction::adc_maps::compute_adc_maps(&mut db, None, actor, &adc_progress)?;
    if let Some((study_id, reason)) = adc.failed.first() {
        return Err(SampleError::Adc {
            study_id: study_id.clone(),
            reason: reason.clone(),
        });
    }
    // Closing checkpoints the write-ahead log into the file before it moves.
    drop(db);
    Ok(())
}
