//! `radcohort init`: create a new study database.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use radcohort::study::{Actor, StudyDb, StudySettings};

/// Arguments of `init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The study's name.
    #[arg(long, default_value = "Untitled study")]
    name: String,
    /// Early recurrence: a recurrence within this many days of surgery.
    #[arg(long, default_value_t = 365, value_name = "DAYS")]
    early_recurrence_days: i64,
    /// Adjuvant chemotherapy: a course starting within this many days
    /// after surgery.
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    adjuvant_window_days: i64,
}

pub fn run(db: &Path, args: Args) -> Result<ExitCode> {
    let settings = StudySettings {
        name: args.name,
        early_recurrence_window_days: args.early_recurrence_days,
        adjuvant_window_days: args.adjuvant_window_days,
    };
    StudyDb::create(db, &settings, &Actor::from_environment())?;
    println!(
        "created {} (schema version {})",
        db.display(),
        radcohort::study::latest_schema_version()
    );
    Ok(ExitCode::SUCCESS)
}
