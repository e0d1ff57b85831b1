//! `radcohort stats logistic`.

use std::process::ExitCode;

use anyhow::Result;
use radcohort::stats::{LogisticOptions, fit_logistic};

use super::model::{ModelArgs, model_rows};
use super::output::{Coefficient, coefficient_table, left_out, number, p_value};
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
    println!(
        "Logistic regression of {}: n = {}, events = {}{}",
        args.label,
        fit.n,
        fit.events,
        left_out(frame.rows(), rows.len())
    );
    let coefficients: Vec<Coefficient> = fit
        .terms
        .iter()
        .map(|t| Coefficient {
            term: &t.term,
            coef: t.coef,
            se: t.se,
            ratio: t.or,
            ci_lower: t.ci_lower,
            ci_upper: t.ci_upper,
            z: t.z,
            p: t.p,
        })
        .collect();
    print!("{}", coefficient_table("OR", fit.level, &coefficients));
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
