//! `radcohort stats km`.

use std::process::ExitCode;

use anyhow::Result;
use radcohort::stats::{
    ConfidenceTransform, Grouping, KaplanMeier, KmOptions, QuantileRule, SurvivalAt,
};
use serde::Serialize;

use super::output::{limit_headers, number, table};
use super::{Followup, Input, read_frame, survival_rows};

/// Arguments of `stats km`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: Input,
    #[command(flatten)]
    followup: Followup,
    /// One curve per level of this column.
    #[arg(long, value_name = "COL")]
    group: Option<String>,
    /// The transform of the pointwise intervals.
    #[arg(long, value_enum, default_value_t = Transform::LogLog)]
    ci: Transform,
    /// Survival at these times, as R's summary(fit, times = ...):
    /// comma-separated, ascending.
    #[arg(long, value_delimiter = ',', value_name = "T1,T2,...")]
    times: Vec<f64>,
}

/// `--ci` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Transform {
    /// exp(-exp(log(-log S) ± z·se/log S)): lifelines' and SAS's default.
    LogLog,
    /// S·exp(±z·se): R survfit's default.
    Log,
    /// S ± z·se.
    Plain,
}

/// One curve as `--json` prints it.
#[derive(Serialize)]
struct Curve {
    group: String,
    n: usize,
    events: usize,
    /// Median by R's convention (midpoint where S = 0.5 over an interval).
    median: Option<f64>,
    median_ci: [Option<f64>; 2],
    /// Median by lifelines' convention (first time S ≤ 0.5).
    median_lifelines: Option<f64>,
    table: Vec<radcohort::stats::KmRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at_times: Option<Vec<SurvivalAt>>,
}

#[derive(Serialize)]
struct Report {
    level: f64,
    ci: ConfidenceTransform,
    groups: Vec<Curve>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let frame = read_frame(&args.input.csv)?;
    let others: Vec<&str> = args.group.as_deref().into_iter().collect();
    let (data, rows) = survival_rows(&frame, &args.followup, &others)?;
    let options = KmOptions {
        level: args.input.level,
        transform: match args.ci {
            Transform::LogLog => ConfidenceTransform::LogLog,
            Transform::Log => ConfidenceTransform::Log,
            Transform::Plain => ConfidenceTransform::Plain,
        },
    };
    let fits: Vec<(String, KaplanMeier)> = match &args.group {
        None => vec![("all".to_owned(), KaplanMeier::fit(&data, options)?)],
        Some(column) => {
            let groups = Grouping::from_column(&frame, column)?.subset(&rows);
            KaplanMeier::fit_groups(&data, &groups, options)?
                .into_iter()
                .map(|curve| (curve.group, curve.fit))
                .collect()
        }
    };
    let mut curves = Vec::new();
    for (group, fit) in fits {
        let median = fit.median(QuantileRule::R);
        let at_times = if args.times.is_empty() {
            None
        } else {
            Some(fit.at_times(&args.times)?)
        };
        curves.push(Curve {
            group,
            n: fit.n,
            events: fit.events,
            median: median.time,
            median_ci: [median.ci_lower, median.ci_upper],
            median_lifelines: fit.median(QuantileRule::Lifelines).time,
            table: fit.table,
            at_times,
        });
    }
    let report = Report {
        level: options.level,
        ci: options.transform,
        groups: curves,
    };
    if args.input.json {
        crate::cli::print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let optional = |value: Option<f64>| value.map_or_else(|| "NA".to_owned(), number);
    let percent = options.level * 100.0;
    println!(
        "Kaplan–Meier, {percent:.0}% {} intervals (Greenwood); {} rows without a value left out",
        match args.ci {
            Transform::LogLog => "log-log",
            Transform::Log => "log",
            Transform::Plain => "plain",
        },
        frame.rows() - rows.len()
    );
    let summary: Vec<Vec<String>> = report
        .groups
        .iter()
        .map(|curve| {
            vec![
                curve.group.clone(),
                curve.n.to_string(),
                curve.events.to_string(),
                optional(curve.median),
                optional(curve.median_ci[0]),
                optional(curve.median_ci[1]),
            ]
        })
        .collect();
    let (lower, upper) = limit_headers(options.level);
    print!(
        "{}",
        table(
            &["group", "n", "events", "median", &lower, &upper],
            &summary
        )
    );
    for curve in &report.groups {
        let Some(at_times) = &curve.at_times else {
            continue;
        };
        println!("\n{}:", curve.group);
        let rows: Vec<Vec<String>> = at_times
            .iter()
            .map(|row| {
                vec![
                    number(row.time),
                    row.at_risk.to_string(),
                    row.events.to_string(),
                    row.censored.to_string(),
                    number(row.survival),
                    optional(row.se),
                    optional(row.ci_lower),
                    optional(row.ci_upper),
                ]
            })
            .collect();
        print!(
            "{}",
            table(
                &[
                    "time", "at risk", "events", "censored", "survival", "se", &lower, &upper
                ],
                &rows
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}
