//! Cohort feature extraction into the study database.
//!
//! A run applies one parameter set to one kind of image series (say DWI at
//! b = 800) of every selected patient, in parallel across cases (and inside
//! each case across image types and classes). Each finished case is written
//! at once, in its own transaction, with the checksums of the files it
//! read, so a run is resumable: running the same parameters again skips the
//! cases already done (unless their files changed) and retries failed ones.
//! A failing case is recorded with its error while the others go on.

pub mod adc_maps;
mod cases;
mod store;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub use cases::{Case, SeriesSelection, select_case};
pub use store::{
    PatientCase, RunInfo, RunValues, export_run_csv, list_runs, load_run_values, patient_cases,
};

use crate::radiomics::extractor::{CaseFiles, Extraction};
use crate::radiomics::params::Params;
use crate::study::{Actor, StudyDb, StudyError};

/// What to extract.
#[derive(Debug, Clone)]
pub struct ExtractionRequest {
    /// The parameters.
    pub params: Params,
    /// The parameter file as given, kept with the run.
    pub params_source: String,
    /// Which series of each patient.
    pub selection: SeriesSelection,
    /// Only these patients (all when `None`).
    pub patients: Option<Vec<String>>,
    /// Worker threads (cases in flight).
    pub jobs: usize,
}

/// Where a run has got to.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractProgress {
    /// Cases to extract in this call (skipped ones excluded).
    pub total: usize,
    /// Cases finished, successfully or not.
    pub done: usize,
    /// Cases that failed so far.
    pub failed: usize,
    /// The case just finished.
    pub last: Option<String>,
    /// Time since the start.
    pub elapsed: Duration,
    /// Estimated time to finish, once a case has finished.
    pub eta: Option<Duration>,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RunSummary {
    /// The run's id.
    pub run_id: i64,
    /// Cases extracted now.
    pub extracted: usize,
    /// Cases already done with unchanged files, skipped.
    pub skipped: usize,
    /// Cases that failed, with why, by study id.
    pub failed: Vec<(String, String)>,
    /// Whether the run was cancelled before every case was done.
    pub cancelled: bool,
    /// Wall time in seconds.
    pub seconds: f64,
}

/// Why a run could not proceed at all (a failing case is not an error).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The study database failed.
    #[error(transparent)]
    Study(#[from] StudyError),
    /// A patient asked for is not in the study.
    #[error("no patient {0} in the study")]
    UnknownPatient(String),
    /// No patient has a series the run could read.
    #[error("no patient has an extractable {selection} series (e.g. {example})")]
    NothingToExtract {
        /// What was asked for.
        selection: String,
        /// One patient's reason.
        example: String,
    },
    /// The worker pool could not start.
    #[error("starting {jobs} worker threads")]
    Pool {
        /// Threads asked for.
        jobs: usize,
        /// Why.
        source: rayon::ThreadPoolBuildError,
    },
}

/// One case's outcome, computed on a worker and written by the caller.
struct Outcome {
    case: Result<Case, (String, String)>,
    result: Result<(Extraction, String, String), String>,
    seconds: f64,
}

/// Runs (or resumes) an extraction over the cohort, calling `progress` after
/// every case and stopping before the next case once `cancel` is set.
pub fn extract_cohort(
    db: &mut StudyDb,
    request: &ExtractionRequest,
    actor: &Actor,
    progress: &(dyn Fn(&ExtractProgress) + Sync),
    cancel: &AtomicBool,
) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let records = db.load_records()?;
    if let Some(wanted) = &request.patients {
        for id in wanted {
            if !records.iter().any(|r| r.study_id() == id) {
                return Err(RunError::UnknownPatient(id.clone()));
            }
        }
    }
    let folder = db.folder();
    let selected: Vec<Result<Case, (String, String)>> = records
        .iter()
        .filter(|r| {
            request
                .patients
                .as_ref()
                .is_none_or(|w| w.iter().any(|id| id == r.study_id()))
        })
        .map(|r| {
            select_case(r, &request.selection, &folder)
                .map_err(|reason| (r.study_id().to_owned(), reason))
        })
        .collect();
    if !selected.is_empty() && selected.iter().all(Result::is_err) {
        let example = selected
            .into_iter()
            .find_map(Result::err)
            .map(|(id, reason)| format!("{id}: {reason}"))
            .unwrap_or_default();
        return Err(RunError::NothingToExtract {
            selection: request.selection.label(),
            example,
        });
    }
    let run_id = store::find_or_create_run(db, request, actor)?;
    let done = store::done_cases(db, run_id)?;
    // A case already done from files with the same checksums is skipped;
    // failed and changed cases are extracted again.
    let (finished, pending): (Vec<_>, Vec<_>) = selected.into_iter().partition(|case| {
        case.as_ref().is_ok_and(|case| {
            done.get(&case.study_id).is_some_and(|(image, mask)| {
                *image == case.image_checksum && *mask == case.mask_checksum
            })
        })
    });
    let skipped = finished.len();

    let total = pending.len();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(request.jobs.max(1))
        .build()
        .map_err(|source| RunError::Pool {
            jobs: request.jobs,
            source,
        })?;
    let (sender, receiver) = mpsc::channel::<Outcome>();
    let mut summary = RunSummary {
        run_id,
        extracted: 0,
        skipped,
        failed: Vec::new(),
        cancelled: false,
        seconds: 0.0,
    };
    std::thread::scope(|scope| -> Result<(), RunError> {
        let params = &request.params;
        scope.spawn(move || {
            pool.install(|| {
                pending
                    .into_par_iter()
                    .for_each_with(sender, |sender, case| {
                        if cancel.load(Ordering::Relaxed) {
                            return;
                        }
                        let _ = sender.send(run_case(case, params));
                    });
            });
        });
        let mut finished = 0;
        for outcome in receiver {
            finished += 1;
            let study_id = match &outcome.case {
                Ok(case) => case.study_id.clone(),
                Err((id, _)) => id.clone(),
            };
            match store::write_case(db, run_id, &outcome, actor)? {
                Ok(()) => summary.extracted += 1,
                Err(reason) => summary.failed.push((study_id.clone(), reason)),
            }
            let elapsed = started.elapsed();
            let eta = (finished < total)
                .then(|| elapsed.mul_f64((total - finished) as f64 / finished as f64));
            progress(&ExtractProgress {
                total,
                done: finished,
                failed: summary.failed.len(),
                last: Some(study_id),
                elapsed,
                eta,
            });
        }
        summary.cancelled = finished < total;
        Ok(())
    })?;
    // Cases finish in whatever order the workers reach them; the report
    // lists failures by study id so that it reads the same every time.
    summary.failed.sort();
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Reads and extracts one case on a worker thread.
fn run_case(case: Result<Case, (String, String)>, params: &Params) -> Outcome {
    let started = Instant::now();
    let result = match &case {
        Err((_, reason)) => Err(reason.clone()),
        Ok(case) => extract_case(case, params),
    };
    Outcome {
        case,
        result,
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn extract_case(case: &Case, params: &Params) -> Result<(Extraction, String, String), String> {
    let files = CaseFiles::read(&case.image_path, &case.mask_path)
        .map_err(|err| crate::error_chain(&err))?;
    for (role, read, imported) in [
        ("image", files.image.sha256(), &case.image_checksum),
        ("mask", files.mask.sha256(), &case.mask_checksum),
    ] {
        if read != imported {
            return Err(format!(
                "the {role} file changed since it was imported; re-import it"
            ));
        }
    }
    // The label recorded with the mask series is the one to extract.
    let mut params = params.clone();
    params.settings.label = case.label;
    for spec in &mut params.image_types {
        spec.settings.label = case.label;
    }
    let extraction = files
        .extract(&params)
        .map_err(|err| crate::error_chain(&err))?;
    Ok((
        extraction,
        files.image.sha256().to_owned(),
        files.mask.sha256().to_owned(),
    ))
}
