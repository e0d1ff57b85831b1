//! `radcohort stats logrank`.

use std::process::ExitCode;

use anyhow::Result;
use radcohort::stats::{Grouping, LogRankWeights, logrank_test};

use super::output::{number, p_value, table};
use super::{Followup, Input, read_frame, survival_rows};

/// Arguments of `stats logrank`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: Input,
    #[command(flatten)]
    followup: Followup,
    /// The groups to compare: the levels of this column.
    #[arg(long, value_name = "COL")]
    group: String,
    /// Compare within the levels of this column and add up (R's strata()).
    #[arg(long, value_name = "COL")]
    strata: Option<String>,
    /// Fleming–Harrington rho: weight S(t-)^rho (0: log-rank; 1: Peto–Peto
    /// as R survdiff(rho = 1)).
    #[arg(long, default_value_t = 0.0)]
    rho: f64,
    /// Fleming–Harrington gamma: weight (1 - S(t-))^gamma.
    #[arg(long, default_value_t = 0.0)]
    gamma: f64,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let frame = read_frame(&args.input.csv)?;
    let mut others = vec![args.group.as_str()];
    others.extend(args.strata.as_deref());
    let (data, rows) = survival_rows(&frame, &args.followup, &others)?;
    let groups = Grouping::from_column(&frame, &args.group)?.subset(&rows);
    let strata = args
        .strata
        .as_deref()
        .map(|column| Grouping::from_column(&frame, column).map(|g| g.subset(&rows)))
        .transpose()?;
    let weights = LogRankWeights::FlemingHarrington {
        rho: args.rho,
        gamma: args.gamma,
    };
    let test = logrank_test(&data, &groups, strata.as_ref(), weights)?;
    if args.input.json {
        crate::cli::print_json(&test)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = test
        .groups
        .iter()
        .map(|group| {
            vec![
                group.group.clone(),
                group.n.to_string(),
                number(group.observed),
                number(group.expected),
                number(group.o_minus_e),
            ]
        })
        .collect();
    print!(
        "{}",
        table(&["group", "n", "observed", "expected", "O-E"], &rows)
    );
    println!(
        "\nChisq = {} on {} degrees of freedom, p = {}{}",
        number(test.statistic),
        test.df,
        p_value(test.p),
        if test.strata > 1 {
            format!(" (stratified over {} strata)", test.strata)
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}
