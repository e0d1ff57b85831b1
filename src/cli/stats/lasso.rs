//! `radcohort stats lasso`.

use std::process::ExitCode;

use anyhow::{Result, bail};
use radcohort::stats::{
    CrossValidatedPath, CvOptions, Folds, PenaltyOptions, SurvivalData, cv_cox, cv_logistic,
};

use super::model::{ModelArgs, model_rows};
use super::output::{number, table};
use super::{Input, read_frame};

/// Arguments of `stats lasso`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: Input,
    /// Logistic model: the 0/1 outcome column.
    #[arg(long, value_name = "COL", conflicts_with_all = ["time", "event"])]
    label: Option<String>,
    /// Cox model (Breslow ties): the follow-up time column.
    #[arg(long, value_name = "COL", requires = "event")]
    time: Option<String>,
    /// Cox model: the event column, 0/1.
    #[arg(long, value_name = "COL", requires = "time")]
    event: Option<String>,
    #[command(flatten)]
    model: ModelArgs,
    /// The elastic-net mixing: 1 is the LASSO, 0 ridge (glmnet's alpha).
    #[arg(long, default_value_t = 1.0)]
    alpha: f64,
    /// Number of λ values on the path (glmnet's nlambda).
    #[arg(long, default_value_t = 100)]
    nlambda: usize,
    /// The smallest λ as a fraction of λmax (default as glmnet: 1e-4 when
    /// there are more observations than terms, else 0.01).
    #[arg(long, value_name = "RATIO")]
    lambda_min_ratio: Option<f64>,
    /// Number of cross-validation folds, assigned by a seeded shuffle.
    #[arg(long, default_value_t = 10, conflicts_with = "foldid")]
    nfolds: usize,
    /// Seed of the fold assignment.
    #[arg(long, default_value_t = 1, conflicts_with = "foldid")]
    seed: u64,
    /// A column giving each row's fold, 1..K (glmnet's foldid).
    #[arg(long, value_name = "COL")]
    foldid: Option<String>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let frame = read_frame(&args.input.csv)?;
    let mut others: Vec<&str> = Vec::new();
    others.extend(args.label.as_deref());
    others.extend(args.time.as_deref());
    others.extend(args.event.as_deref());
    others.extend(args.foldid.as_deref());
    if others.is_empty() {
        bail!("give --label COL (logistic) or --time COL --event COL (Cox)");
    }
    let (matrix, rows) = model_rows(&frame, &args.model, &others)?;
    let folds = match &args.foldid {
        Some(column) => {
            let ids = frame.numbers_at(column, &rows)?;
            let ids = ids
                .iter()
                .enumerate()
                .map(|(row, &id)| {
                    if id >= 1.0 && id.fract() == 0.0 {
                        Ok(id as usize)
                    } else {
                        bail!(
                            "--foldid {column}, row {}: {id} is not a fold number 1, 2, ...",
                            rows[row] + 1
                        )
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            Folds::Given(ids)
        }
        None => Folds::Seeded {
            nfolds: args.nfolds,
            seed: args.seed,
        },
    };
    let options = PenaltyOptions {
        alpha: args.alpha,
        nlambda: args.nlambda,
        lambda_min_ratio: args.lambda_min_ratio,
        ..PenaltyOptions::default()
    };
    let cv = CvOptions {
        folds,
        ..CvOptions::default()
    };
    let fit: CrossValidatedPath = match (&args.label, &args.time, &args.event) {
        (Some(label), _, _) => {
            let y = frame.indicator_at(label, &rows)?;
            cv_logistic(&matrix.design, &y, &options, &cv)?
        }
        (None, Some(time), Some(event)) => {
            let data = SurvivalData::new(
                frame.numbers_at(time, &rows)?,
                frame.indicator_at(event, &rows)?,
            )?;
            cv_cox(&matrix.design, &data, &options, &cv)?
        }
        _ => bail!("give --label COL (logistic) or --time COL --event COL (Cox)"),
    };
    if args.input.json {
        crate::cli::print_json(&fit)?;
        return Ok(ExitCode::SUCCESS);
    }
    let path = &fit.path;
    let cv = &fit.cv;
    println!(
        "{} path of {} λ values, {}-fold cross-validation ({} observations)",
        if args.alpha == 1.0 {
            "LASSO"
        } else {
            "Elastic-net"
        },
        path.lambda.len(),
        cv.nfolds,
        path.observations
    );
    let at = |index: usize, name: &str| -> Vec<String> {
        vec![
            name.to_owned(),
            number(path.lambda[index]),
            path.nonzero[index].to_string(),
            number(cv.cvm[index]),
            number(cv.cvsd[index]),
        ]
    };
    print!(
        "{}",
        table(
            &["", "lambda", "nonzero", "CV mean", "CV SE"],
            &[
                at(cv.index_min, "lambda.min"),
                at(cv.index_1se, "lambda.1se")
            ]
        )
    );
    println!();
    let rows: Vec<Vec<String>> = path
        .terms
        .iter()
        .enumerate()
        .map(|(j, term)| {
            vec![
                term.clone(),
                number(path.coefficients[cv.index_min][j]),
                number(path.coefficients[cv.index_1se][j]),
            ]
        })
        .collect();
    print!(
        "{}",
        table(&["term", "at lambda.min", "at lambda.1se"], &rows)
    );
    Ok(ExitCode::SUCCESS)
}
