//! `radcohort validate`: the data-quality report.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use radcohort::study::validation::{self, ImageCheck};

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Only check that image files exist, not that their checksums match.
    #[arg(long)]
    skip_checksums: bool,
}

/// Exits 0 when the study is clean and 1 when problems were found.
pub fn run(db: &Path, args: Args) -> Result<ExitCode> {
    let study = super::open(db)?;
    let images = if args.skip_checksums {
        ImageCheck::Exists
    } else {
        ImageCheck::Checksum
    };
    let report = validation::check(&study, images)?;
    if args.json {
        super::print_json(&report)?;
    } else {
        for issue in &report.issues {
            let value = issue
                .value
                .as_deref()
                .map(|v| format!(" = '{v}'"))
                .unwrap_or_default();
            println!(
                "{}\t{}\t{}{}\t{}",
                issue.study_id,
                issue.kind.label(),
                issue.field,
                value,
                issue.message
            );
        }
        println!(
            "{} problem{} in {} patients and {} image files",
            report.issues.len(),
            if report.issues.len() == 1 { "" } else { "s" },
            report.patients,
            report.images
        );
    }
    Ok(if report.issues.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
