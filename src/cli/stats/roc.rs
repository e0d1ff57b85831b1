//! `radcohort stats roc`.

use std::process::ExitCode;

use anyhow::Result;
use radcohort::stats::{IntervalMethod, classify, roc_analysis, youden_cutoff};
use serde::Serialize;

use super::output::{number, p_value, table};
use super::{Input, read_frame};

/// Arguments of `stats roc`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: Input,
    /// The outcome column, 0/1 (1 = positive).
    #[arg(long, value_name = "COL")]
    label: String,
    /// The score column; higher means more likely positive.
    #[arg(long, value_name = "COL")]
    score: String,
    /// A second score on the same subjects: adds the paired DeLong test.
    #[arg(long, value_name = "COL")]
    score2: Option<String>,
    /// Also report the confusion table at this cutoff (positive when
    /// score >= cutoff).
    #[arg(long, value_name = "X")]
    cutoff: Option<f64>,
    /// Also report Youden's optimal cutoff and the confusion table there.
    #[arg(long)]
    youden: bool,
    /// Interval for sensitivity, specificity, PPV, NPV and accuracy.
    #[arg(long, value_enum, default_value_t = Interval::Wilson)]
    interval: Interval,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Interval {
    Wilson,
    ClopperPearson,
}

#[derive(Serialize)]
struct Report {
    #[serde(flatten)]
    analysis: radcohort::stats::RocAnalysis,
    #[serde(skip_serializing_if = "Option::is_none")]
    youden: Option<radcohort::stats::YoudenCutoff>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    classification: Vec<radcohort::stats::Classification>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let frame = read_frame(&args.input.csv)?;
    let mut columns = vec![args.label.as_str(), args.score.as_str()];
    columns.extend(args.score2.as_deref());
    let rows = frame.complete_rows(&columns)?;
    // Checked here so that a bad value is reported with its column.
    let labels: Vec<f64> = frame
        .indicator_at(&args.label, &rows)?
        .into_iter()
        .map(f64::from)
        .collect();
    let scores = frame.numbers_at(&args.score, &rows)?;
    let second = args
        .score2
        .as_deref()
        .map(|column| frame.numbers_at(column, &rows))
        .transpose()?;
    let level = args.input.level;
    let analysis = roc_analysis(&scores, second.as_deref(), &labels, level)?;
    let youden = args
        .youden
        .then(|| youden_cutoff(&scores, &labels))
        .transpose()?;
    let method = match args.interval {
        Interval::Wilson => IntervalMethod::Wilson,
        Interval::ClopperPearson => IntervalMethod::ClopperPearson,
    };
    let cutoffs = args
        .cutoff
        .into_iter()
        .chain(youden.as_ref().map(|y| y.cutoff));
    let classification = cutoffs
        .map(|cutoff| classify(&scores, &labels, cutoff, level, method))
        .collect::<Result<Vec<_>, _>>()?;
    let report = Report {
        analysis,
        youden,
        classification,
    };
    if args.input.json {
        crate::cli::print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let auc = &report.analysis.auc;
    println!(
        "{}: AUC {} ({:.0}% CI {}–{}, DeLong SE {}), {} positive, {} negative, {} rows without a value left out",
        args.score,
        number(auc.auc),
        level * 100.0,
        number(auc.ci_lower),
        number(auc.ci_upper),
        number(auc.se),
        auc.n_pos,
        auc.n_neg,
        frame.rows() - rows.len()
    );
    if let (Some(test), Some(other)) = (&report.analysis.delong_test, &args.score2) {
        println!(
            "paired DeLong test against {other} (AUC {}): difference {} ({:.0}% CI {}–{}), z = {}, p = {}",
            number(test.auc2),
            number(test.difference),
            level * 100.0,
            number(test.ci_lower),
            number(test.ci_upper),
            number(test.z),
            p_value(test.p)
        );
    }
    if let Some(youden) = &report.youden {
        println!(
            "Youden's cutoff: score >= {} (J = {}, pROC threshold {})",
            youden.cutoff,
            number(youden.youden_j),
            youden.proc_threshold
        );
    }
    if !report.classification.is_empty() {
        let interval = |p: &radcohort::stats::Proportion| {
            format!(
                "{} ({}–{})",
                number(p.estimate),
                number(p.ci_lower),
                number(p.ci_upper)
            )
        };
        let none = || "NA".to_owned();
        let rows: Vec<Vec<String>> = report
            .classification
            .iter()
            .map(|c| {
                vec![
                    format!("{}", c.cutoff),
                    format!("{}/{}/{}/{}", c.tp, c.fp, c.tn, c.fn_),
                    interval(&c.sensitivity),
                    interval(&c.specificity),
                    c.ppv.as_ref().map_or_else(none, interval),
                    c.npv.as_ref().map_or_else(none, interval),
                    interval(&c.accuracy),
                ]
            })
            .collect();
        print!(
            "{}",
            table(
                &[
                    "cutoff",
                    "TP/FP/TN/FN",
                    "sensitivity",
                    "specificity",
                    "PPV",
                    "NPV",
                    "accuracy"
                ],
                &rows
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}
