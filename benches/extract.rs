//! Extraction benchmark: times radcohort on PyRadiomics' reference cases,
//! for `benches/compare.sh` to set beside PyRadiomics run in the same
//! session. Not a test: it asserts nothing and prints one JSON line per
//! measurement.
//!
//! ```text
//! cargo bench --bench extract -- CASE PARAMS [--threads N] [--repeats R]
//! cargo bench --bench extract -- --cohort STUDY.db PARAMS --threads N
//! ```
//!
//! CASE is `brain1`, `breast1` or `lung1` under `$RADCOHORT_REFERENCE`
//! (default `../shared/reference`); PARAMS a parameter file. Timing covers
//! reading the files and extracting, as PyRadiomics' `execute` does. Peak
//! resident memory of the process is reported too, so run one measurement
//! per process.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use radcohort::extraction::{ExtractionRequest, SeriesSelection, extract_cohort};
use radcohort::radiomics::extractor::CaseFiles;
use radcohort::radiomics::params::Params;
use radcohort::study::model::SeriesKind;
use radcohort::study::{Actor, StudyDb};

fn main() {
    if let Err(err) = run() {
        eprintln!("bench: {err}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args = common::arguments();
    let threads: usize = common::option(&args, "--threads").unwrap_or(1);
    let repeats: usize = common::option(&args, "--repeats").unwrap_or(3);
    let positional: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && (*i == 0 || !args[i - 1].starts_with("--")))
        .map(|(_, a)| a)
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|err| err.to_string())?;
    if let Some(study) = common::option::<String>(&args, "--cohort") {
        let params_path = positional.first().ok_or("PARAMS missing")?;
        return pool
            .install(|| cohort(&PathBuf::from(study), &PathBuf::from(params_path), threads));
    }
    let [case, params_path] = positional[..] else {
        return Err("usage: CASE PARAMS [--threads N] [--repeats R]".to_owned());
    };
    let reference = std::env::var_os("RADCOHORT_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference"));
    let cases = reference.join("pyradiomics/cases");
    let image = cases.join(format!("{case}_image.nii.gz"));
    let mask = cases.join(format!("{case}_label.nii.gz"));
    let params = Params::from_file(&PathBuf::from(params_path)).map_err(|err| err.to_string())?;
    let mut seconds = Vec::new();
    let mut features = 0;
    for _ in 0..repeats {
        let started = Instant::now();
        let files = CaseFiles::read(&image, &mask).map_err(|err| radcohort::error_chain(&err))?;
        let extraction = pool
            .install(|| files.extract(&params))
            .map_err(|err| radcohort::error_chain(&err))?;
        seconds.push(started.elapsed().as_secs_f64());
        features = extraction.features.len();
    }
    let median = common::median(&mut seconds);
    println!(
        "{{\"case\": \"{case}\", \"params\": \"{params_path}\", \"threads\": {threads}, \"features\": {features}, \
         \"seconds_median\": {}, \"peak_rss_mb\": {:.1}}}",
        median,
        peak_rss_mb()
    );
    Ok(())
}

/// Extracts a whole study (DWI b=800) into a fresh run and reports the time.
fn cohort(study: &Path, params_path: &Path, threads: usize) -> Result<(), String> {
    let source = std::fs::read_to_string(params_path).map_err(|err| err.to_string())?;
    let mut params = Params::from_yaml(&source, &params_path.display().to_string(), &[])
        .map_err(|err| err.to_string())?;
    // A hash no earlier run has, so nothing is skipped.
    params.hash = format!("bench-{}-{threads}", std::process::id());
    let mut db = StudyDb::open(study).map_err(|err| err.to_string())?;
    let request = ExtractionRequest {
        params,
        params_source: source,
        selection: SeriesSelection {
            kind: SeriesKind::Dwi,
            b_value: Some(800.0),
            mask_series: None,
        },
        patients: None,
        jobs: threads,
    };
    let started = Instant::now();
    let summary = extract_cohort(
        &mut db,
        &request,
        &Actor::from_environment(),
        &|_| {},
        &AtomicBool::new(false),
    )
    .map_err(|err| radcohort::error_chain(&err))?;
    println!(
        "{{\"cohort\": \"{}\", \"threads\": {threads}, \"cases\": {}, \"failed\": {}, \"seconds\": {}, \"peak_rss_mb\": {:.1}}}",
        study.display(),
        summary.extracted,
        summary.failed.len(),
        started.elapsed().as_secs_f64(),
        peak_rss_mb()
    );
    Ok(())
}

/// Peak resident set size of this process in MB (`getrusage`).
fn peak_rss_mb() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a complete rusage into the pointer it is given.
    let ok = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } == 0;
    if !ok {
        return f64::NAN;
    }
    // SAFETY: initialised by the successful call above (and zeroed before).
    let usage = unsafe { usage.assume_init() };
    usage.ru_maxrss as f64 / 1024.0
}
