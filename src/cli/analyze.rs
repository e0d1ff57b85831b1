//! `radcohort analyze`: every study analysis of a signature (with the CPR
//! and combined models when given), written as a folder of results,
//! tables and figures.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use radcohort::analysis::analyze;
use radcohort::report::write_report;
use radcohort::signature::{Signature, StudyData};

/// Arguments of `analyze`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The radiomic signature (its frozen cutoff makes the risk groups).
    #[arg(long, value_name = "S.json")]
    signature: PathBuf,
    /// The CPR model.
    #[arg(long, value_name = "C.json")]
    cpr: Option<PathBuf>,
    /// The combined model (nomogram).
    #[arg(long, value_name = "N.json")]
    combined: Option<PathBuf>,
    /// The folder to write: new, empty, or an earlier report (replaced
    /// whole); a folder holding anything else is refused.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Print the written files as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(db: &Path, args: Args) -> Result<ExitCode> {
    let study = super::open(db)?;
    let data = StudyData::load(&study)?;
    let name = study.settings()?.name;
    let signature = Signature::read(&args.signature)?;
    let cpr = args.cpr.as_deref().map(Signature::read).transpose()?;
    let combined = args.combined.as_deref().map(Signature::read).transpose()?;
    let shown: Vec<Signature> = [Some(signature.clone()), cpr.clone(), combined.clone()]
        .into_iter()
        .flatten()
        .collect();
    let results = analyze(&data, &name, signature, cpr, combined)?;
    let refs: Vec<&Signature> = shown.iter().collect();
    let written = write_report(&results, &refs, &args.out)?;
    if args.json {
        super::print_json(&written)?;
    } else {
        for model in &results.models {
            for (study_id, reason) in &model.not_scored {
                eprintln!("radcohort: {}: {study_id}: {reason}", model.name);
            }
        }
        for warning in &results.chemo_benefit.warnings {
            eprintln!("radcohort: warning: {warning}");
        }
        println!(
            "{} files written to {} (start with report.md)",
            written.files.len(),
            written.folder.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
