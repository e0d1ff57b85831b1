//! The command line: argument parsing and one module per subcommand, each
//! calling the library and printing its result.

mod analyze;
mod export;
mod extract;
mod features;
mod import;
mod info;
mod init;
mod sample;
mod signature;
mod stats;
mod validate;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Radiomics-signature cohort studies in the terminal.
///
/// Without a subcommand, opens the terminal UI on ./study.db, or on the
/// sample study (built on first use) when there is none.
#[derive(Debug, Parser)]
#[command(name = "radcohort", version, about, long_about = None)]
pub struct Cli {
    /// The study database (default: ./study.db).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,

    /// Open the terminal UI without allowing any change to the study
    /// (for analysts): edits, undo and jobs are refused.
    #[arg(long)]
    read_only: bool,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new, empty study database.
    Init(init::Args),
    /// Import a CSV file of patients, events, chemotherapy, imaging or the
    /// data dictionary.
    Import(import::Args),
    /// Export every table and the analysis file as CSV.
    Export(export::Args),
    /// Report data-quality problems: missing required values, out-of-range
    /// values, rule violations, missing or changed image files.
    Validate(validate::Args),
    /// Show counts of the cohort and its endpoints.
    Info(info::Args),
    /// Write the synthetic sample study: CSVs, images and a ready database.
    SampleStudy(sample::Args),
    /// Extract radiomic features of one image and mask, like `pyradiomics`.
    Features(features::Args),
    /// Extract every selected patient's image and mask into the study.
    Extract(extract::Args),
    /// List extraction runs, or export one as CSV.
    Runs(extract::RunsArgs),
    /// Fit ADC maps from each patient's DWI series and register them.
    Adc(extract::AdcArgs),
    /// Run one statistical method on any CSV table (survival, Cox,
    /// C-index, ROC, logistic, LASSO, Table 1).
    Stats(stats::Args),
    /// Train a signature on the training cohort (LASSO logistic or Cox,
    /// random forest, CPR model, combined nomogram).
    Train(signature::TrainArgs),
    /// Score every patient with a signature and store scores and risk
    /// groups.
    Score(signature::ScoreArgs),
    /// Read a signature file.
    Signature(signature::SignatureArgs),
    /// Run the study analyses of a signature (with the CPR and combined
    /// models) and write results, tables and figures.
    Analyze(analyze::Args),
    /// Print the terminal UI's default keys as a keymap file to edit.
    Keys,
}

/// Parses the command line and runs it.
pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    let chosen = cli.db.is_some();
    let db = cli.db.unwrap_or_else(|| PathBuf::from("study.db"));
    match cli.command {
        None => {
            // A database named with --db must exist; only the default falls
            // back to the sample study.
            let start = if cli.read_only {
                // Nothing may be written: no migration, no sample study.
                if !db.exists() {
                    anyhow::bail!(
                        "{}: no such study database; --read-only opens an existing one",
                        db.display()
                    );
                }
                crate::tui::Start::Open(db)
            } else if chosen || db.exists() {
                open(&db)?;
                crate::tui::Start::Open(db)
            } else {
                crate::tui::Start::Sample(default_sample_folder())
            };
            crate::tui::run(crate::tui::Options {
                start,
                read_only: cli.read_only,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Init(args)) => init::run(&db, args),
        Some(Command::Import(args)) => import::run(&db, args),
        Some(Command::Export(args)) => export::run(&db, args),
        Some(Command::Validate(args)) => validate::run(&db, args),
        Some(Command::Info(args)) => info::run(&db, args),
        Some(Command::SampleStudy(args)) => sample::run(args),
        Some(Command::Features(args)) => features::run(args),
        Some(Command::Extract(args)) => extract::run(&db, args),
        Some(Command::Runs(args)) => extract::runs(&db, args),
        Some(Command::Adc(args)) => extract::adc(&db, args),
        Some(Command::Stats(args)) => stats::run(args),
        Some(Command::Train(args)) => signature::train_run(&db, args),
        Some(Command::Score(args)) => signature::score_run(&db, args),
        Some(Command::Signature(args)) => signature::signature_run(args),
        Some(Command::Keys) => {
            print!("{}", crate::tui::keys_file::default_file());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Analyze(args)) => analyze::run(&db, args),
    }
}

/// Where the sample study lives unless told otherwise:
/// `$RADCOHORT_SAMPLE_DIR`, else `$XDG_DATA_HOME/radcohort/sample-study`,
/// else `~/.local/share/radcohort/sample-study`, else `./radcohort-sample`.
pub fn default_sample_folder() -> PathBuf {
    let non_empty = |key: &str| {
        std::env::var_os(key)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(folder) = non_empty("RADCOHORT_SAMPLE_DIR") {
        return folder;
    }
    let data_home = non_empty("XDG_DATA_HOME")
        .or_else(|| non_empty("HOME").map(|home| home.join(".local/share")));
    match data_home {
        Some(data) => data.join("radcohort").join("sample-study"),
        None => PathBuf::from("radcohort-sample"),
    }
}

/// Prints a value as pretty JSON on stdout.
fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Opens an existing study database for a subcommand.
fn open(db: &Path) -> Result<radcohort::study::StudyDb> {
    Ok(radcohort::study::StudyDb::open(db)?)
}
