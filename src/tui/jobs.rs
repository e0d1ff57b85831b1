//! Background jobs: long work on its own thread, reporting through the
//! event channel so the UI never waits for it.
//!
//! Each job opens its own connection to the study database (SQLite's WAL
//! lets the UI keep reading meanwhile), does its work through the library
//! exactly as the matching CLI command does, and reports progress and its
//! outcome as [`JobEvent`]s. Cancelling sets a flag the job checks between
//! cases; a job that cannot stop midway (training) finishes and has its
//! result discarded instead.

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::thread;
use std::time::Duration;

use radcohort::analysis::analyze;
use radcohort::extraction::{ExtractProgress, ExtractionRequest, SeriesSelection, extract_cohort};
use radcohort::radiomics::params::Params;
use radcohort::report::write_report;
use radcohort::sample_study::{SampleProgress, write_sample_study};
use radcohort::signature::{
    ModelChoice, Outcome, RiskGroup, Signature, StudyData, TrainOptions, list_signatures,
    score_patients, store_scores, train,
};
use radcohort::study::model::SeriesKind;
use radcohort::study::{Actor, StudyDb};

use super::event::Event;

/// A job's number in this session, in the order jobs were started.
pub type JobId = usize;

/// What a job does.
#[derive(Debug, Clone, PartialEq)]
pub enum JobSpec {
    /// Extracts features of one series kind with a parameter file.
    Extract {
        /// The parameter file.
        params: PathBuf,
        /// DWI or ADC.
        kind: SeriesKind,
        /// The b-value of a DWI series.
        b_value: Option<f64>,
    },
    /// Trains a signature on the training cohort as `options` say (the
    /// choices of the training form) and writes it to `out`.
    Train {
        /// Where the signature file goes.
        out: PathBuf,
        /// The model and its options.
        options: Box<TrainOptions>,
    },
    /// Scores every patient with a signature file and stores the scores.
    Score {
        /// The signature file.
        signature: PathBuf,
    },
    /// Scores every patient with a signature stored in the study, read
    /// from the database (its file may be long gone), and stores the
    /// scores.
    ScoreStored {
        /// The signature's content id.
        id: String,
        /// Its name, for the jobs list.
        name: String,
    },
    /// Runs every study analysis of the active signature (the one that
    /// scored the study last) and writes the report folder, as
    /// `radcohort analyze --signature … --out …` does.
    Report {
        /// The report folder: new, empty or an earlier report, which is
        /// replaced whole.
        out: PathBuf,
    },
}

impl fmt::Display for JobSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobSpec::Extract {
                params,
                kind,
                b_value,
            } => {
                write!(f, "Extract features: {kind}")?;
                if let Some(b) = b_value {
                    write!(f, " b={b}")?;
                }
                write!(f, " with {}", file_name(params))
            }
            JobSpec::Train { out, options } => {
                let model = match options.model {
                    ModelChoice::LassoLogistic => "LASSO-logistic signature",
                    ModelChoice::LassoCox => "LASSO-Cox signature",
                    ModelChoice::RandomForest => "random-forest signature",
                    ModelChoice::Cpr => "CPR model",
                    ModelChoice::Combined => "combined model",
                };
                let outcome = match options.outcome {
                    Outcome::EarlyRecurrence => "early recurrence",
                    Outcome::Dfs => "DFS",
                };
                write!(f, "Train a {model} ({outcome}) → {}", file_name(out))
            }
            JobSpec::Score { signature } => {
                write!(f, "Score the cohort with {}", file_name(signature))
            }
            JobSpec::ScoreStored { id, name } => {
                write!(f, "Score the cohort with {name} (stored, {id})")
            }
            JobSpec::Report { out } => write!(
                f,
                "Export the report of the active signature → {}/",
                file_name(out)
            ),
        }
    }
}

/// A job's entry in the jobs menu: what it does, or for training, that a
/// form of its choices comes first.
pub fn menu_label(spec: &JobSpec) -> String {
    match spec {
        JobSpec::Train { out, .. } => {
            format!("Train a signature: choose the model → {} …", file_name(out))
        }
        other => other.to_string(),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// Where a running job has got to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JobProgress {
    /// Steps finished (cases, for an extraction).
    pub done: usize,
    /// Steps in all; 0 while unknown.
    pub total: usize,
    /// Steps that failed so far.
    pub failed: usize,
    /// Estimated time left.
    pub eta: Option<Duration>,
    /// The step just finished, e.g. a study id.
    pub last: Option<String>,
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq)]
pub struct JobResult {
    /// One line saying what it did.
    pub summary: String,
    /// Per-case errors (study id, why).
    pub errors: Vec<(String, String)>,
    /// Whether it was cancelled before the end.
    pub cancelled: bool,
}

/// What a background job reports.
#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    /// The sample study build moved on.
    SampleProgress(SampleProgress),
    /// The sample study is ready in this database.
    SampleReady(PathBuf),
    /// The sample study could not be built; the text says why.
    SampleFailed(String),
    /// A study job moved on.
    Progress(JobId, JobProgress),
    /// A study job ended: it did its work (maybe with per-case errors), or
    /// could not run at all.
    Finished(JobId, Result<JobResult, String>),
    /// A job panicked. The panic hook has restored the terminal by now, so
    /// the UI must take it over again.
    Panicked(String),
}

/// Builds the sample study in `folder` on a new thread, sending its
/// progress and outcome to `events`.
pub fn spawn_sample_build(
    folder: PathBuf,
    actor: Actor,
    events: Sender<Event>,
) -> std::io::Result<()> {
    thread::Builder::new()
        .name("sample-study".to_owned())
        .spawn(move || {
            let send = |event| {
                // A closed channel means the UI has quit and the process is
                // ending: there is nobody left to tell.
                let _ = events.send(Event::Job(event));
            };
            let progress = |step| send(JobEvent::SampleProgress(step));
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                match write_sample_study(&folder, &actor, &progress) {
                    Ok(study) => JobEvent::SampleReady(study.database),
                    Err(err) => JobEvent::SampleFailed(radcohort::error_chain(&err)),
                }
            }));
            send(outcome.unwrap_or_else(|_| {
                JobEvent::Panicked(
                    "the sample study builder crashed (a bug: please report it)".to_owned(),
                )
            }));
        })?;
    Ok(())
}

/// Runs `spec` against the database at `database` on a new thread,
/// reporting as job `id`; setting `cancel` asks it to stop.
pub fn spawn(
    id: JobId,
    spec: JobSpec,
    database: PathBuf,
    actor: Actor,
    cancel: Arc<AtomicBool>,
    events: Sender<Event>,
) -> std::io::Result<()> {
    thread::Builder::new()
        .name(format!("job-{id}"))
        .spawn(move || {
            let send = |event| {
                // Nobody is left to tell once the UI has quit.
                let _ = events.send(Event::Job(event));
            };
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                let progress = |p: JobProgress| send(JobEvent::Progress(id, p));
                run(&spec, &database, &actor, &cancel, &progress)
            }));
            match outcome {
                Ok(result) => send(JobEvent::Finished(id, result)),
                Err(_) => send(JobEvent::Panicked(format!(
                    "job {id} ({spec}) crashed (a bug: please report it)"
                ))),
            }
        })?;
    Ok(())
}

fn run(
    spec: &JobSpec,
    database: &Path,
    actor: &Actor,
    cancel: &AtomicBool,
    progress: &(dyn Fn(JobProgress) + Sync),
) -> Result<JobResult, String> {
    let chain = |err: &dyn std::error::Error| radcohort::error_chain(err);
    let mut db = StudyDb::open(database).map_err(|e| chain(&e))?;
    match spec {
        JobSpec::Extract {
            params,
            kind,
            b_value,
        } => {
            let source = std::fs::read_to_string(params)
                .map_err(|e| format!("reading {}: {e}", params.display()))?;
            let parsed = Params::from_yaml(&source, &params.display().to_string(), &[])
                .map_err(|e| chain(&e))?;
            let request = ExtractionRequest {
                params: parsed,
                params_source: source,
                selection: SeriesSelection {
                    kind: *kind,
                    b_value: *b_value,
                    mask_series: None,
                },
                patients: None,
                jobs: thread::available_parallelism().map_or(1, usize::from),
            };
            let report = |p: &ExtractProgress| {
                progress(JobProgress {
                    done: p.done,
                    total: p.total,
                    failed: p.failed,
                    eta: p.eta,
                    last: p.last.clone(),
                });
            };
            let summary =
                extract_cohort(&mut db, &request, actor, &report, cancel).map_err(|e| chain(&e))?;
            Ok(JobResult {
                summary: format!(
                    "run {}: {} extracted, {} already done, {} failed in {:.1} s",
                    summary.run_id,
                    summary.extracted,
                    summary.skipped,
                    summary.failed.len(),
                    summary.seconds
                ),
                errors: summary.failed,
                cancelled: summary.cancelled,
            })
        }
        JobSpec::Train { out, options } => {
            let data = StudyData::load(&db).map_err(|e| chain(&e))?;
            let (signature, report) = train(&data, options).map_err(|e| chain(&e))?;
            if cancel.load(Ordering::Relaxed) {
                return Ok(JobResult {
                    summary: "cancelled; the trained signature was not written".to_owned(),
                    errors: Vec::new(),
                    cancelled: true,
                });
            }
            signature.write(out).map_err(|e| chain(&e))?;
            Ok(JobResult {
                summary: format!(
                    "{} ({}): {} features, trained on {} training patients ({} events) → {}",
                    signature.name,
                    signature.id(),
                    signature.inputs.len(),
                    report.patients,
                    report.events,
                    file_name(out)
                ),
                errors: Vec::new(),
                cancelled: false,
            })
        }
        JobSpec::Score { signature } => {
            let signature = Signature::read(signature).map_err(|e| chain(&e))?;
            score(&db, &signature, actor, cancel)
        }
        JobSpec::ScoreStored { id, name } => {
            let stored = list_signatures(&db)
                .map_err(|e| chain(&e))?
                .into_iter()
                .find(|stored| stored.signature.id() == *id)
                .ok_or_else(|| format!("{name} ({id}) is no longer stored in the study"))?;
            score(&db, &stored.signature, actor, cancel)
        }
        JobSpec::Report { out } => report(&db, out, cancel),
    }
}

/// Scores every patient with `signature` and stores the scores, which
/// makes it the active signature.
fn score(
    db: &StudyDb,
    signature: &Signature,
    actor: &Actor,
    cancel: &AtomicBool,
) -> Result<JobResult, String> {
    let chain = |err: &dyn std::error::Error| radcohort::error_chain(err);
    let data = StudyData::load(db).map_err(|e| chain(&e))?;
    let scores = score_patients(signature, &data).map_err(|e| chain(&e))?;
    if cancel.load(Ordering::Relaxed) {
        return Ok(JobResult {
            summary: "cancelled; no score was stored".to_owned(),
            errors: Vec::new(),
            cancelled: true,
        });
    }
    let written = store_scores(db, signature, &scores, actor).map_err(|e| chain(&e))?;
    let high = scores
        .scores
        .iter()
        .filter(|s| s.risk_group == Some(RiskGroup::High))
        .count();
    let mut summary = format!(
        "{}: {written} patients scored ({high} high risk), {} not scored",
        signature.name,
        scores.failures.len()
    );
    if signature.cutoff.is_none() {
        summary.push_str("; no cutoff, so no risk groups");
    }
    Ok(JobResult {
        summary,
        errors: scores
            .failures
            .into_iter()
            .map(|f| (f.study_id, f.reason))
            .collect(),
        cancelled: false,
    })
}

/// Analyses the study with its active signature and writes the report
/// into `out`. The analyses cannot stop midway, so a cancelled job
/// finishes them and writes nothing.
fn report(db: &StudyDb, out: &Path, cancel: &AtomicBool) -> Result<JobResult, String> {
    let chain = |err: &dyn std::error::Error| radcohort::error_chain(err);
    let active = list_signatures(db)
        .map_err(|e| chain(&e))?
        .into_iter()
        .find(|stored| stored.scored > 0)
        .ok_or_else(|| {
            "no signature has scored the study yet: score the cohort with one first".to_owned()
        })?;
    let signature = active.signature;
    let data = StudyData::load(db).map_err(|e| chain(&e))?;
    let name = db.settings().map_err(|e| chain(&e))?.name;
    let results = analyze(&data, &name, signature.clone(), None, None).map_err(|e| chain(&e))?;
    if cancel.load(Ordering::Relaxed) {
        return Ok(JobResult {
            summary: "cancelled; no report was written".to_owned(),
            errors: Vec::new(),
            cancelled: true,
        });
    }
    let written = write_report(&results, &[&signature], out).map_err(|e| chain(&e))?;
    Ok(JobResult {
        summary: format!(
            "{}: {} files written to {}/ (start with report.md)",
            signature.name,
            written.files.len(),
            file_name(out)
        ),
        errors: results
            .models
            .into_iter()
            .flat_map(|model| model.not_scored)
            .collect(),
        cancelled: false,
    })
}

/// What can be started in the study in `folder`: an extraction per
/// parameter file (`*.yaml`) for DWI b = 800 and for ADC maps, training a
/// signature, scoring with each signature file (`*.json`) there, and when
/// a signature has scored the study (`scored`), exporting its report into
/// `report/`.
pub fn available(folder: &Path, scored: bool) -> Vec<JobSpec> {
    let mut params = Vec::new();
    let mut signatures = Vec::new();
    if let Ok(entries) = std::fs::read_dir(folder) {
        for entry in entries.flatten() {
            let path = entry.path();
            match path.extension().and_then(|e| e.to_str()) {
                Some("yaml" | "yml") => params.push(path),
                Some("json") => signatures.push(path),
                _ => {}
            }
        }
    }
    params.sort();
    signatures.sort();
    let mut specs = Vec::new();
    for params in &params {
        specs.push(JobSpec::Extract {
            params: params.clone(),
            kind: SeriesKind::Dwi,
            b_value: Some(800.0),
        });
        specs.push(JobSpec::Extract {
            params: params.clone(),
            kind: SeriesKind::Adc,
            b_value: None,
        });
    }
    // The defaults; choosing the entry opens the training form.
    specs.push(JobSpec::Train {
        out: super::train_form::default_out(folder),
        options: Box::default(),
    });
    specs.extend(
        signatures
            .into_iter()
            .map(|signature| JobSpec::Score { signature }),
    );
    if scored {
        specs.push(report_spec(folder));
    }
    specs
}

/// The report job, writing into the study folder's `report/`.
pub fn report_spec(folder: &Path) -> JobSpec {
    JobSpec::Report {
        out: folder.join("report"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_is_offered_once_a_signature_has_scored() {
        let dir = tempfile::tempdir().expect("a folder");
        std::fs::write(dir.path().join("s.json"), "{}").expect("a file");
        let unscored = available(dir.path(), false);
        assert!(!unscored.iter().any(|s| matches!(s, JobSpec::Report { .. })));
        let scored = available(dir.path(), true);
        assert_eq!(scored.last(), Some(&report_spec(dir.path())));
        assert_eq!(
            report_spec(dir.path()).to_string(),
            "Export the report of the active signature → report/"
        );
        let stored = JobSpec::ScoreStored {
            id: "40074acc53068707".to_owned(),
            name: "Clinical score".to_owned(),
        };
        assert_eq!(
            stored.to_string(),
            "Score the cohort with Clinical score (stored, 40074acc53068707)"
        );
    }
}
