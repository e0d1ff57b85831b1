//! `radcohort sample-study`: write the synthetic sample study.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use radcohort::sample_study::{SampleProgress, write_sample_study};
use radcohort::study::Actor;

/// Arguments of `sample-study`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to write into (default: the sample folder the TUI opens,
    /// see README).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let folder = args.out.unwrap_or_else(super::default_sample_folder);
    // A progress line that rewrites itself is for a terminal only.
    let interactive = std::io::stderr().is_terminal();
    let report = |p: SampleProgress| {
        if interactive {
            eprint!("\r{:<24} {:>4}/{:<4}", p.stage, p.done, p.total);
            let _ = std::io::stderr().flush();
        }
    };
    let study = write_sample_study(&folder, &Actor::from_environment(), &report)?;
    if interactive {
        eprintln!();
    }
    println!("sample study written to {}", study.folder.display());
    println!("open it with: radcohort --db {}", study.database.display());
    Ok(ExitCode::SUCCESS)
}
