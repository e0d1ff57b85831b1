//! `radcohort stats cindex`.

use std::process::ExitCode;

use anyhow::Result;
use radcohort::stats::concordance_index;

use super::output::number;
use super::{Followup, Input, read_frame, survival_rows};

/// Arguments of `stats cindex`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: Input,
    #[command(flatten)]
    followup: Followup,
    /// The risk score column: higher means higher risk (shorter survival).
    #[arg(long, value_name = "COL")]
    score: String,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let frame = read_frame(&args.input.csv)?;
    let (data, rows) = survival_rows(&frame, &args.followup, &[args.score.as_str()])?;
    let score = frame.numbers_at(&args.score, &rows)?;
    let concordance = concordance_index(&data, &score)?;
    if args.input.json {
        crate::cli::print_json(&concordance)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Harrell's C of {} = {} over {} comparable pairs ({} concordant, {} discordant, {} tied in score; {} pairs tied in event time left out)",
        args.score,
        number(concordance.cindex),
        concordance.comparable_pairs,
        concordance.concordant,
        concordance.discordant,
        concordance.tied_risk,
        concordance.tied_time
    );
    Ok(ExitCode::SUCCESS)
}
