//! `radcohort stats`: the statistics engine on any CSV table, so that
//! coordinators and reviewers can run and cross-check an analysis outside
//! the study database. Each subcommand reads the table, calls one routine
//! of `radcohort::stats` and prints a table, or JSON with `--json`.

mod cindex;
mod cox;
mod km;
mod lasso;
mod logistic;
mod logrank;
mod model;
mod output;
mod roc;
mod table1;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use radcohort::stats::{Frame, SurvivalData};

/// Arguments of `stats`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Method,
}

#[derive(Debug, Subcommand)]
enum Method {
    /// Kaplan–Meier curves with Greenwood CIs, medians, survival at times,
    /// by group.
    Km(km::Args),
    /// Log-rank test (k groups, strata, Fleming–Harrington weights).
    Logrank(logrank::Args),
    /// Cox proportional-hazards model: HRs, tests, contrasts, cox.zph.
    Cox(cox::Args),
    /// Harrell's C-index of a risk score.
    Cindex(cindex::Args),
    /// AUC with DeLong's CI; the paired DeLong test against --score2;
    /// Youden's cutoff and the confusion table at a cutoff.
    Roc(roc::Args),
    /// Logistic regression: ORs with Wald CIs, likelihood-ratio test.
    Logistic(logistic::Args),
    /// LASSO / elastic-net path for a logistic or Cox model with
    /// cross-validated λ, as glmnet.
    Lasso(lasso::Args),
    /// Table 1 by group, with tableone's tests.
    Table1(table1::Args),
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
        Method::Km(args) => km::run(args),
        Method::Logrank(args) => logrank::run(args),
        Method::Cox(args) => cox::run(args),
        Method::Cindex(args) => cindex::run(args),
        Method::Logistic(args) => logistic::run(args),
        Method::Lasso(args) => lasso::run(args),
        Method::Roc(args) => roc::run(args),
        Method::Table1(args) => table1::run(args),
    }
}

/// The follow-up columns of a survival method.
#[derive(Debug, clap::Args)]
struct Followup {
    /// The follow-up time column.
    #[arg(long, value_name = "COL")]
    time: String,
    /// The event column, 0/1 (1 = event, 0 = censored).
    #[arg(long, value_name = "COL")]
    event: String,
}

/// The survival data of the rows where the follow-up and every column of
/// `others` have a value, with those rows.
fn survival_rows(
    frame: &Frame,
    followup: &Followup,
    others: &[&str],
) -> Result<(SurvivalData, Vec<usize>)> {
    let mut columns = vec![followup.time.as_str(), followup.event.as_str()];
    columns.extend_from_slice(others);
    let rows = frame.complete_rows(&columns)?;
    let time = frame.numbers_at(&followup.time, &rows)?;
    let event = frame.indicator_at(&followup.event, &rows)?;
    Ok((SurvivalData::new(time, event)?, rows))
}

/// Reads the CSV table named by `--csv`.
fn read_frame(path: &Path) -> Result<Frame> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(Frame::from_csv(
        std::io::BufReader::new(file),
        &path.display().to_string(),
    )?)
}
