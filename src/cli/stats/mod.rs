//! `radcohort stats`: the statistics engine on any CSV table, so that
//! coordinators and reviewers can run and cross-check an analysis outside
//! the study database. Each subcommand reads the table, calls one routine
//! of `radcohort::stats` and prints a table, or JSON with `--json`.

mod output;
mod roc;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use radcohort::stats::Frame;

/// Arguments of `stats`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Method,
}

#[derive(Debug, Subcommand)]
enum Method {
    /// AUC with DeLong's CI; the paired DeLong test against --score2;
    /// Youden's cutoff and the confusion table at a cutoff.
    Roc(roc::Args),
}

/// Options every subcommand takes.
#[derive(Debug, clap::Args)]
struct Input {
    /// The table (CSV with a header row; empty cells and NA are missing).
    #[arg(long, value_name = "FILE")]
    csv: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Confidence level of every interval.
    #[arg(long, default_value_t = 0.95, value_name = "LEVEL")]
    level: f64,
}

/// Runs a `stats` subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    match args.command {
        Method::Roc(args) => roc::run(args),
    }
}

/// Reads the CSV table named by `--csv`.
fn read_frame(path: &Path) -> Result<Frame> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(Frame::from_csv(
        std::io::BufReader::new(file),
        &path.display().to_string(),
    )?)
}
