//! `radcohort import`: import one CSV file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use radcohort::study::Actor;
use radcohort::study::import::{ImportKind, ImportOptions, import_file};

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What the file holds: patients, events, chemo, imaging or dictionary.
    #[arg(value_parser = parse_kind)]
    kind: ImportKind,
    /// The CSV file.
    file: PathBuf,
    /// chrono format of the file's dates, e.g. %d/%m/%Y.
    #[arg(long, default_value = "%Y-%m-%d", value_name = "FMT")]
    date_format: String,
    /// Validate and report what would change, but write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Let blank cells erase stored values (by default they leave them alone).
    #[arg(long)]
    blank_overwrites: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

fn parse_kind(text: &str) -> Result<ImportKind, String> {
    text.parse()
}

pub fn run(db: &Path, args: Args) -> Result<ExitCode> {
    let mut study = super::open(db)?;
    let options = ImportOptions {
        date_format: args.date_format,
        dry_run: args.dry_run,
        blank_overwrites: args.blank_overwrites,
    };
    let report = import_file(
        &mut study,
        args.kind,
        &args.file,
        &options,
        &Actor::from_environment(),
    )?;
    if args.json {
        super::print_json(&report)?;
    } else {
        let verb = if report.dry_run {
            "would import"
        } else {
            "imported"
        };
        println!(
            "{verb} {}: {} rows; {} {} created, {} updated; {} field values written{}",
            report.file.display(),
            report.rows,
            report.records_created,
            report.kind.as_str(),
            report.records_updated,
            report.changes.fields,
            if report.dry_run {
                " (dry run: nothing written)"
            } else {
                ""
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
