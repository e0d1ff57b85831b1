//! `radcohort export`: write every table and the analysis file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

/// Arguments of `export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to write into (created if needed).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Drop free text and the audit log, and write days from surgery
    /// instead of dates.
    #[arg(long)]
    deidentify: bool,
}

pub fn run(db: &Path, args: Args) -> Result<ExitCode> {
    let study = super::open(db)?;
    let report = radcohort::study::export::export(&study, &args.out, args.deidentify)?;
    for (file, rows) in &report.files {
        println!("{:>6} rows  {}", rows, report.folder.join(file).display());
    }
    if report.patients_without_day_zero > 0 {
        eprintln!(
            "radcohort: {} patients have no surgery date to count days from: their dates are left empty",
            report.patients_without_day_zero
        );
    }
    Ok(ExitCode::SUCCESS)
}
