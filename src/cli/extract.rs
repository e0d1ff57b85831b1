//! `radcohort extract`: extract every selected patient's image and mask
//! into the study database, and `radcohort runs`: list and export runs.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result};
use radcohort::extraction::{
    ExtractProgress, ExtractionRequest, SeriesSelection, export_run_csv, extract_cohort, list_runs,
};
use radcohort::study::Actor;
use radcohort::study::model::SeriesKind;

/// Arguments of `extract`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A PyRadiomics parameter file (YAML).
    #[arg(long, value_name = "P.yaml")]
    params: PathBuf,
    /// Override one setting, e.g. --setting binWidth=10 (repeatable).
    #[arg(long = "setting", value_name = "KEY=VALUE")]
    settings: Vec<String>,
    /// The definitions to follow: pyradiomics (default) or ibsi; the same
    /// as --setting mode=MODE.
    #[arg(long, value_name = "MODE")]
    mode: Option<String>,
    /// Which series to extract: dwi, adc or other.
    #[arg(long, default_value = "dwi", value_parser = parse_kind)]
    series_kind: SeriesKind,
    /// The b-value of the DWI series (s/mm²).
    #[arg(long)]
    b_value: Option<f64>,
    /// The mask series to read, by name (a repeat segmentation for the
    /// reproducibility filter); default: the mask that segments the image.
    #[arg(long, value_name = "NAME")]
    mask_series: Option<String>,
    /// Only these patients (comma-separated study ids).
    #[arg(long, value_delimiter = ',')]
    patients: Option<Vec<String>>,
    /// Cases extracted at once (default: every core).
    #[arg(long)]
    jobs: Option<usize>,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

fn parse_kind(text: &str) -> Result<SeriesKind, String> {
    match text.parse::<SeriesKind>()? {
        SeriesKind::Mask => Err("masks are not extracted; choose dwi, adc or other".to_owned()),
        kind => Ok(kind),
    }
}

/// Exits 0 when every case succeeded, 1 when some failed or the run was
/// cancelled (Ctrl-C stops before the next case; finished cases are kept).
pub fn run(db: &Path, args: Args) -> Result<ExitCode> {
    let mut study = super::open(db)?;
    let params_source = std::fs::read_to_string(&args.params)
        .with_context(|| format!("reading {}", args.params.display()))?;
    let mut settings = args.settings.clone();
    if let Some(mode) = &args.mode {
        settings.push(format!("mode={mode}"));
    }
    let params = super::features::load_params(Some(&args.params), &settings)?;
    let request = ExtractionRequest {
        params,
        params_source,
        selection: SeriesSelection {
            kind: args.series_kind,
            b_value: args.b_value,
            mask_series: args.mask_series,
        },
        patients: args.patients,
        jobs: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
    };
    let cancel = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&cancel))
        .context("installing the Ctrl-C handler")?;
    let interactive = std::io::stderr().is_terminal();
    let show = |p: &ExtractProgress| {
        if interactive {
            eprint!("\r{}", progress_line(p));
            let _ = std::io::stderr().flush();
        }
    };
    let summary = extract_cohort(
        &mut study,
        &request,
        &Actor::from_environment(),
        &show,
        &cancel,
    )?;
    if interactive {
        eprintln!();
    }
    if args.json {
        super::print_json(&summary)?;
    } else {
        for (study_id, reason) in &summary.failed {
            eprintln!("radcohort: {study_id}: {reason}");
        }
        println!(
            "run {}: {} extracted, {} already done, {} failed{} in {:.1} s",
            summary.run_id,
            summary.extracted,
            summary.skipped,
            summary.failed.len(),
            if summary.cancelled { ", cancelled" } else { "" },
            summary.seconds
        );
    }
    let clean = summary.failed.is_empty() && !summary.cancelled;
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `[=====>    ] 42/124  3 failed  ETA 0:12`.
fn progress_line(p: &ExtractProgress) -> String {
    const WIDTH: usize = 30;
    let filled = (p.done * WIDTH).checked_div(p.total).unwrap_or(WIDTH);
    let eta = p
        .eta
        .map(|eta| format!("ETA {}:{:02}", eta.as_secs() / 60, eta.as_secs() % 60))
        .unwrap_or_default();
    format!(
        "[{}{}] {}/{}  {} failed  {eta:<10}",
        "=".repeat(filled),
        " ".repeat(WIDTH - filled),
        p.done,
        p.total,
        p.failed
    )
}

/// Arguments of `runs`.
#[derive(Debug, clap::Args)]
pub struct RunsArgs {
    /// Export this run's values as a wide CSV (PyRadiomics batch layout).
    #[arg(long, value_name = "RUN", requires = "out")]
    export: Option<i64>,
    /// The CSV file to write.
    #[arg(long, value_name = "FILE.csv")]
    out: Option<PathBuf>,
    /// List runs as JSON.
    #[arg(long)]
    json: bool,
}

pub fn runs(db: &Path, args: RunsArgs) -> Result<ExitCode> {
    let study = super::open(db)?;
    if let (Some(run), Some(out)) = (args.export, &args.out) {
        let rows = export_run_csv(&study, run, out)?;
        println!("{rows} cases written to {}", out.display());
        return Ok(ExitCode::SUCCESS);
    }
    let runs = list_runs(&study)?;
    if args.json {
        super::print_json(&runs)?;
    } else {
        println!(
            "{:>4}  {:<12} {:>5} {:>6} {:>8}  {:<20} params",
            "run", "series", "done", "failed", "features", "created"
        );
        for r in runs {
            println!(
                "{:>4}  {:<12} {:>5} {:>6} {:>8}  {:<20} {}",
                r.id,
                r.selection,
                r.done,
                r.failed,
                r.features,
                r.created_at,
                &r.params_hash[..12]
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `adc`.
#[derive(Debug, clap::Args)]
pub struct AdcArgs {
    /// Only these patients (comma-separated study ids).
    #[arg(long, value_delimiter = ',')]
    patients: Option<Vec<String>>,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

/// Fits ADC maps from every patient's DWI series and registers them.
pub fn adc(db: &Path, args: AdcArgs) -> Result<ExitCode> {
    let mut study = super::open(db)?;
    let interactive = std::io::stderr().is_terminal();
    let show = |done: usize, total: usize| {
        if interactive {
            eprint!("\rADC maps {done}/{total}");
            let _ = std::io::stderr().flush();
        }
    };
    let summary = radcohort::extraction::adc_maps::compute_adc_maps(
        &mut study,
        args.patients.as_deref(),
        &Actor::from_environment(),
        &show,
    )?;
    if interactive {
        eprintln!();
    }
    if args.json {
        super::print_json(&summary)?;
    } else {
        for (study_id, reason) in &summary.failed {
            eprintln!("radcohort: {study_id}: {reason}");
        }
        println!(
            "{} ADC maps written, {} patients already had one, {} failed; {} voxels without signal and {} with a negative fit set to 0",
            summary.written,
            summary.skipped,
            summary.failed.len(),
            summary.voxels_without_signal,
            summary.voxels_negative
        );
    }
    Ok(if summary.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
