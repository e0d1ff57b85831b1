//! `radcohort train`, `radcohort score` and `radcohort signature show`:
//! training signatures on the training cohort, scoring the study with
//! them, and reading one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use radcohort::signature::filters::FilterOptions;
use radcohort::signature::{
    CutoffChoice, InputSource, LambdaRule, ModelChoice, ModelKind, Outcome, Signature, StudyData,
    TrainOptions, freeze_cutoff, score_patients, store_scores, train,
};
use radcohort::study::Actor;

/// Arguments of `train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// lasso-logistic, lasso-cox, random-forest, cpr or combined.
    #[arg(long, value_parser = |s: &str| ModelChoice::parse(s).map_err(|e| e.to_string()))]
    model: ModelChoice,
    /// early_recurrence (default) or dfs (LASSO Cox).
    #[arg(long, value_parser = |s: &str| Outcome::parse(s).map_err(|e| e.to_string()))]
    outcome: Option<Outcome>,
    /// Extraction runs whose features are candidates (repeatable; default all).
    #[arg(long = "run", value_name = "RUN")]
    runs: Vec<i64>,
    /// Where to write the signature.
    #[arg(long, value_name = "S.json")]
    out: PathBuf,
    /// The signature's name.
    #[arg(long)]
    name: Option<String>,
    /// LASSO λ: min (λ.min, default) or 1se (λ.1se).
    #[arg(long, default_value = "min", value_parser = ["min", "1se"])]
    lambda: String,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 10)]
    folds: usize,
    /// Seed of folds and forests.
    #[arg(long, default_value_t = 20221124)]
    seed: u64,
    /// Risk cutoff: youden, median or a number (default: youden; median for lasso-cox).
    #[arg(long, value_parser = |s: &str| CutoffChoice::parse(s).map_err(|e| e.to_string()))]
    cutoff: Option<CutoffChoice>,
    /// Drop one of each feature pair with |r| above this; 1 keeps all.
    #[arg(long, default_value_t = 0.9)]
    max_correlation: f64,
    /// Keep near-zero-variance features.
    #[arg(long)]
    keep_near_zero_variance: bool,
    /// An extraction run of a repeat segmentation (`extract --mask-series`):
    /// keep only features reproducible between it and the run it repeats
    /// (repeatable).
    #[arg(long = "icc-run", value_name = "RUN")]
    icc_runs: Vec<i64>,
    /// The smallest ICC(2,1) a feature needs with --icc-run.
    #[arg(long, default_value_t = 0.75)]
    icc_min: f64,
    /// CPR screening: univariable p below which a variable enters.
    #[arg(long, default_value_t = 0.1)]
    screening_p: f64,
    /// Random forest: number of trees.
    #[arg(long, default_value_t = 500)]
    trees: usize,
    /// Random forest: inputs kept, by importance.
    #[arg(long, default_value_t = 10)]
    forest_inputs: usize,
    /// Combined model: the radiomic signature it reads.
    #[arg(long, value_name = "S.json")]
    signature: Option<PathBuf>,
    /// Combined model: the CPR model whose variables it reads.
    #[arg(long, value_name = "C.json")]
    cpr: Option<PathBuf>,
    /// Print the training report as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `score`.
#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// The signature to score with.
    #[arg(long, value_name = "S.json")]
    signature: PathBuf,
    /// For a signature without a cutoff (a hand-written one): choose it on
    /// the training cohort (youden, median or a number), freeze it and
    /// rewrite the signature file.
    #[arg(long, value_parser = |s: &str| CutoffChoice::parse(s).map_err(|e| e.to_string()))]
    choose_cutoff: Option<CutoffChoice>,
    /// Print the scores as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `signature`.
#[derive(Debug, clap::Args)]
pub struct SignatureArgs {
    #[command(subcommand)]
    command: SignatureCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SignatureCommand {
    /// Shows a signature: model, inputs, coefficients, cutoff, provenance.
    Show {
        /// The signature file.
        file: PathBuf,
        /// Print it as checked JSON instead.
        #[arg(long)]
        json: bool,
    },
}

pub fn train_run(db: &Path, args: TrainArgs) -> Result<ExitCode> {
    let study = super::open(db)?;
    let data = StudyData::load(&study)?;
    let options = TrainOptions {
        name: args.name,
        model: args.model,
        outcome: args.outcome.unwrap_or(args.model.outcome()),
        runs: args.runs,
        repeat_runs: args.icc_runs,
        icc_threshold: args.icc_min,
        filters: FilterOptions {
            near_zero_variance: !args.keep_near_zero_variance,
            correlation_threshold: FilterOptions::correlation_threshold_for(args.max_correlation),
        },
        lambda_rule: if args.lambda == "1se" {
            LambdaRule::OneSe
        } else {
            LambdaRule::Min
        },
        nfolds: args.folds,
        seed: args.seed,
        cutoff: args.cutoff,
        screening_p: args.screening_p,
        forest: radcohort::signature::forest::ForestOptions {
            trees: args.trees,
            seed: args.seed,
            ..Default::default()
        },
        forest_inputs: args.forest_inputs,
        radiomic: args.signature.as_deref().map(Signature::read).transpose()?,
        cpr: args.cpr.as_deref().map(Signature::read).transpose()?,
    };
    let (signature, report) = train(&data, &options)?;
    signature.write(&args.out)?;
    if args.json {
        super::print_json(&serde_json::json!({
            "signature": args.out.display().to_string(),
            "id": signature.id(),
            "report": report,
        }))?;
    } else {
        println!(
            "{} ({}): {} inputs, trained on {} training patients ({} events); {} excluded",
            signature.name,
            signature.id(),
            signature.inputs.len(),
            report.patients,
            report.events,
            report.excluded.len()
        );
        let radiomic = matches!(
            args.model,
            ModelChoice::LassoLogistic | ModelChoice::LassoCox | ModelChoice::RandomForest
        );
        if radiomic {
            println!(
                "candidates {}: {} incomplete, {} near-zero variance, {} not reproducible, {} correlated; {} entered the model",
                report.candidates,
                report.dropped_incomplete,
                report.dropped_near_zero_variance,
                report.dropped_unreproducible,
                report.dropped_correlated,
                report.filtered
            );
            if report.unchecked_reproducibility > 0 {
                println!(
                    "{} features had no repeat-segmentation run to check them against",
                    report.unchecked_reproducibility
                );
            }
        }
        if let Some([chosen, min, one_se]) = report.lambda {
            println!("λ = {chosen:.5e} (λ.min {min:.5e}, λ.1se {one_se:.5e})");
        }
        if let Some(oob) = report.oob_error {
            println!("out-of-bag error {oob:.3}");
        }
        for s in &report.screening {
            println!(
                "  screening {:<24} n = {:<4} p = {:<10.4} {}",
                s.variable,
                s.n,
                s.p,
                if s.selected { "entered" } else { "" }
            );
        }
        if let Some(cutoff) = &signature.cutoff {
            println!(
                "cutoff {} ({}, {})",
                cutoff.value,
                cutoff.method.as_str(),
                cutoff.chosen_on
            );
        }
        println!("written to {}", args.out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Exits 1 when some patient could not be scored.
pub fn score_run(db: &Path, args: ScoreArgs) -> Result<ExitCode> {
    let study = super::open(db)?;
    let data = StudyData::load(&study)?;
    let mut signature = Signature::read(&args.signature)?;
    if let Some(choice) = args.choose_cutoff {
        freeze_cutoff(&mut signature, &data, choice)?;
        signature.write(&args.signature)?;
    }
    let scores = score_patients(&signature, &data)?;
    let written = store_scores(&study, &signature, &scores, &Actor::from_environment())?;
    if args.json {
        super::print_json(&scores)?;
    } else {
        for failure in &scores.failures {
            eprintln!("radcohort: {}: {}", failure.study_id, failure.reason);
        }
        let high = scores
            .scores
            .iter()
            .filter(|s| s.risk_group == Some(radcohort::signature::RiskGroup::High))
            .count();
        println!(
            "{} ({}): {written} patients scored ({high} high risk), {} not scored",
            signature.name,
            signature.id(),
            scores.failures.len()
        );
        if signature.cutoff.is_none() {
            println!("no cutoff: risk groups need --choose-cutoff youden|median|VALUE");
        }
    }
    Ok(if scores.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub fn signature_run(args: SignatureArgs) -> Result<ExitCode> {
    match args.command {
        SignatureCommand::Show { file, json } => {
            let signature = Signature::read(&file)?;
            if json {
                print!("{}", signature.to_json());
            } else {
                print!("{}", describe(&signature));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A signature as text: header, the formula's terms, cutoff, provenance.
fn describe(signature: &Signature) -> String {
    let mut text = format!(
        "{}\n  id {}, {} model\n",
        signature.name,
        signature.id(),
        signature.model.as_str()
    );
    if signature.model != ModelKind::RandomForest {
        if signature.model != ModelKind::Cox {
            text.push_str(&format!("  intercept {:>12.6}\n", signature.intercept));
        }
        for (input, beta) in signature.inputs.iter().zip(&signature.coefficients) {
            let transform = match (input.log, input.center != 0.0 || input.scale != 1.0) {
                (true, true) => format!("  (ln x − {:.6}) / {:.6}", input.center, input.scale),
                (true, false) => "  ln x".to_owned(),
                (false, true) => format!("  (x − {:.6}) / {:.6}", input.center, input.scale),
                (false, false) => String::new(),
            };
            text.push_str(&format!(
                "  {beta:>+12.6} × {}{transform}\n",
                input.source.label()
            ));
            if let InputSource::Feature {
                params_hash: Some(hash),
                ..
            } = &input.source
            {
                text.push_str(&format!("{:17}parameters {hash}\n", ""));
            }
        }
    } else if let Some(forest) = &signature.forest {
        text.push_str(&format!(
            "  {} trees, out-of-bag error {}\n",
            forest.trees.len(),
            forest
                .oob_error
                .map_or("n/a".to_owned(), |e| format!("{e:.3}"))
        ));
        for (input, importance) in signature.inputs.iter().zip(&forest.importances) {
            text.push_str(&format!("  {importance:>8.4}  {}\n", input.source.label()));
        }
    }
    match &signature.cutoff {
        Some(cutoff) => text.push_str(&format!(
            "  cutoff {} ({}; {}): high risk at or above\n",
            cutoff.value,
            cutoff.method.as_str(),
            cutoff.chosen_on
        )),
        None => text.push_str("  no cutoff yet\n"),
    }
    let p = &signature.provenance;
    for (label, value) in [
        ("method", p.method.clone()),
        ("outcome", p.outcome.clone()),
        (
            "training",
            p.training_patients.map(|n| {
                format!(
                    "{n} patients of the {} cohort{}",
                    p.training_cohort.as_deref().unwrap_or("training"),
                    p.training_events
                        .map_or(String::new(), |e| format!(", {e} events"))
                )
            }),
        ),
        ("created", p.created.clone()),
        ("tool", p.tool.clone()),
        ("notes", p.notes.clone()),
    ] {
        if let Some(value) = value {
            text.push_str(&format!("  {label}: {value}\n"));
        }
    }
    text
}
