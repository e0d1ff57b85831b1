//! `radcohort stats cox`.

use std::process::ExitCode;

use anyhow::{Result, bail};
use radcohort::stats::cox::{LinearCombination, ZphResult, ZphTransform};
use radcohort::stats::{CoxModel, CoxOptions, Ties};
use serde::Serialize;

use super::model::{ModelArgs, model_rows};
use super::output::{
    Coefficient, coefficient_table, left_out, limit_headers, number, p_value, table,
};
use super::{Followup, Input, read_frame, survival_rows};

/// Arguments of `stats cox`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: Input,
    #[command(flatten)]
    followup: Followup,
    #[command(flatten)]
    model: ModelArgs,
    /// A separate baseline hazard for each level of this column (R's
    /// strata()).
    #[arg(long, value_name = "COL")]
    strata: Option<String>,
    /// Handling of tied event times.
    #[arg(long, value_enum, default_value_t = TiesArg::Efron)]
    ties: TiesArg,
    /// The hazard ratio of a combination of coefficients, e.g. the effect
    /// of treatment among high-risk patients: `treat=1,treat:high_risk=1`
    /// (repeatable).
    #[arg(long, value_name = "TERM=W,...")]
    contrast: Vec<String>,
    /// Also test proportional hazards from scaled Schoenfeld residuals, as
    /// R's cox.zph, on this time scale.
    #[arg(long, value_enum, value_name = "TRANSFORM")]
    zph: Option<ZphArg>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum TiesArg {
    Efron,
    Breslow,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ZphArg {
    Km,
    Identity,
    Rank,
}

#[derive(Serialize)]
struct Report {
    #[serde(flatten)]
    model: CoxModel,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contrasts: Vec<LinearCombination>,
    #[serde(skip_serializing_if = "Option::is_none")]
    zph: Option<ZphResult>,
}

/// Parses `treat=1,treat:high_risk=1`.
fn parse_contrast(text: &str) -> Result<Vec<(String, f64)>> {
    text.split(',')
        .map(|part| {
            let Some((term, weight)) = part.split_once('=') else {
                bail!(
                    "--contrast {text}: expected TERM=WEIGHT,... (e.g. treat=1,treat:high_risk=1)"
                );
            };
            let weight: f64 = weight.trim().parse().map_err(|_| {
                anyhow::anyhow!("--contrast {text}: weight \"{weight}\" is not a number")
            })?;
            Ok((term.trim().to_owned(), weight))
        })
        .collect()
}

pub fn run(args: Args) -> Result<ExitCode> {
    let frame = read_frame(&args.input.csv)?;
    let mut others = vec![args.followup.time.as_str(), args.followup.event.as_str()];
    others.extend(args.strata.as_deref());
    let (matrix, rows) = model_rows(&frame, &args.model, &others)?;
    let (data, _) = survival_rows(&frame.select_rows(&rows), &args.followup, &[])?;
    let strata = args
        .strata
        .as_deref()
        .map(|column| frame.labels_at(column, &rows))
        .transpose()?;
    let options = CoxOptions {
        ties: match args.ties {
            TiesArg::Efron => Ties::Efron,
            TiesArg::Breslow => Ties::Breslow,
        },
        conf_level: args.input.level,
        strata,
        ..CoxOptions::default()
    };
    let model = CoxModel::fit(&data, &matrix.design, &options)?;
    let contrasts = args
        .contrast
        .iter()
        .map(|text| {
            let weights = parse_contrast(text)?;
            let weights: Vec<(&str, f64)> = weights.iter().map(|(t, w)| (t.as_str(), *w)).collect();
            Ok(model.linear_combination(&weights)?)
        })
        .collect::<Result<Vec<_>>>()?;
    let zph = args
        .zph
        .map(|transform| {
            let transform = match transform {
                ZphArg::Km => ZphTransform::Km,
                ZphArg::Identity => ZphTransform::Identity,
                ZphArg::Rank => ZphTransform::Rank,
            };
            model.zph(transform, Some(&matrix.terms))
        })
        .transpose()?;
    let report = Report {
        model,
        contrasts,
        zph,
    };
    if args.input.json {
        crate::cli::print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let model = &report.model;
    println!(
        "Cox model, {} ties{}: n = {}, events = {}{}",
        match model.ties {
            Ties::Efron => "Efron",
            Ties::Breslow => "Breslow",
        },
        if model.strata > 1 {
            format!(", {} strata", model.strata)
        } else {
            String::new()
        },
        model.n,
        model.events,
        left_out(frame.rows(), rows.len())
    );
    let coefficients: Vec<Coefficient> = model
        .terms
        .iter()
        .map(|t| Coefficient {
            term: &t.term,
            coef: t.coef,
            se: t.se,
            ratio: t.hr,
            ci_lower: t.ci_lower,
            ci_upper: t.ci_upper,
            z: t.z,
            p: t.p,
        })
        .collect();
    print!(
        "{}",
        coefficient_table("HR", model.conf_level, &coefficients)
    );
    println!();
    for (name, test) in [
        ("Likelihood ratio test", &model.lr_test),
        ("Wald test", &model.wald_test),
        ("Score (log-rank) test", &model.score_test),
    ] {
        println!(
            "{name:<22} = {} on {} df, p = {}",
            number(test.statistic),
            test.df,
            p_value(test.p)
        );
    }
    println!(
        "Concordance = {}, log partial likelihood = {}",
        number(model.concordance),
        number(model.loglik)
    );
    if !report.contrasts.is_empty() {
        println!();
        let (lower, upper) = limit_headers(model.conf_level);
        let rows: Vec<Vec<String>> = report
            .contrasts
            .iter()
            .map(|c| {
                vec![
                    c.weights
                        .iter()
                        .map(|(term, w)| format!("{w}·{term}"))
                        .collect::<Vec<_>>()
                        .join(" + "),
                    number(c.hr),
                    number(c.ci_lower),
                    number(c.ci_upper),
                    number(c.z),
                    p_value(c.p),
                ]
            })
            .collect();
        print!(
            "{}",
            table(&["contrast", "HR", &lower, &upper, "z", "p"], &rows)
        );
    }
    if let Some(zph) = &report.zph {
        println!();
        let mut rows: Vec<Vec<String>> = zph
            .table
            .iter()
            .map(|r| {
                vec![
                    r.term.clone(),
                    number(r.chisq),
                    r.df.to_string(),
                    p_value(r.p),
                ]
            })
            .collect();
        let global = &zph.global;
        rows.push(vec![
            "GLOBAL".to_owned(),
            number(global.chisq),
            global.df.to_string(),
            p_value(global.p),
        ]);
        print!("{}", table(&["cox.zph", "chisq", "df", "p"], &rows));
    }
    Ok(ExitCode::SUCCESS)
}
