//! `radcohort stats logistic`.

use std::process::ExitCode;

use anyhow::Result;
use radcohort::stats::{LogisticOptions, fit_logistic};

use super::model::{ModelArgs, model_rows};
use super::output::{number, p_value, table};
use super::{Input, read_frame};

/// Arguments of `stats logistic`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: Input,
    /// The outcome column, 0/1.
    #[arg(long, value_name = "COL")]
    label: String,
    #[command(flatten)]
    model: ModelArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let frame = read_frame(&args.input.csv)?;
    let (matrix, rows) = model_rows(&frame, &args.model, &[args.label.as_str()])?;
    let outcome: Vec<f64> = frame
        .indicator_at(&args.label, &rows)?
        .into_iter()
        .map(f64::from)
        .collect();
    let options = LogisticOptions {
        level: args.input.level,
        ..LogisticOptions::default()
    };
    let fit = fit_logistic(&matrix.design, &outcome, &options)?;
    if args.input.json {
        crate::cli::print_json(&fit)?;
        return Ok(ExitCode::SUCCESS);
    }
    let percent = args.input.level * 100.0;
    println!(
        "Logistic regression of {}: n = {}, events = {}{}",
        args.label,
        fit.n,
        fit.events,
        match frame.rows() - rows.len() {
            0 => String::new(),
            dropped => format!(" ({dropped} rows with a missing value left out)"),
        }
    );
    let lower = format!("{percent:.0}% lower");
    let upper = format!("{percent:.0}% upper");
    let rows: Vec<Vec<String>> = fit
        .terms
        .iter()
        .map(|t| {
            vec![
                t.term.clone(),
                number(t.coef),
                number(t.se),
                number(t.or),
                number(t.ci_lower),
                number(t.ci_upper),
                number(t.z),
                p_value(t.p),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &["term", "coef", "se", "OR", &lower, &upper, "z", "p"],
            &rows
        )
    );
    println!(
        "\nLikelihood ratio test = {} on {} df, p = {}; log likelihood = {}, AIC = {}",
        number(fit.lr_test.statistic),
        fit.lr_test.df,
        p_value(fit.lr_test.p),
        number(fit.loglik),
        number(fit.aic)
    );
    Ok(ExitCode::SUCCESS)
}
