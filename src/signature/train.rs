//! Training signatures, strictly on the training cohort.
//!
//! Every step that learns from data — the feature filters, the z-score
//! means and SDs, the penalised fit and its cross-validation, the forest,
//! the clinical screening and the risk cutoff — sees training patients
//! only. Validation patients are dropped before anything is computed, so
//! their data cannot change a trained signature (a test checks this).

use serde::Serialize;

use super::SignatureError;
use super::data::{PatientData, ResolvedSignature, StudyData};
use super::document::{FORMAT, Input, InputSource, ModelKind, Provenance, Signature};
use super::filters::{FilterOptions, correlation_filter, icc_agreement, near_zero_variance};
use super::forest::{Forest, ForestOptions};
use super::score::{CutoffChoice, cutoff_from_scores, training_cutoff};
use crate::stats::descriptive::{mean, sd};
use crate::stats::{
    CvOptions, Design, Folds, LogisticOptions, PenaltyOptions, SurvivalData, cv_cox, cv_logistic,
    fit_logistic,
};
use crate::study::model::{Cohort, Value, VariableType};

/// The model to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelChoice {
    /// LASSO logistic regression of early recurrence on radiomic features,
    /// λ by cross-validated deviance.
    LassoLogistic,
    /// LASSO Cox regression (Breslow ties) of DFS on radiomic features.
    LassoCox,
    /// A random-forest classifier of early recurrence on radiomic
    /// features.
    RandomForest,
    /// The clinicopathological-radiographic model: univariable screening
    /// of dictionary variables, then multivariable logistic regression.
    Cpr,
    /// The combined model (nomogram): logistic regression on a radiomic
    /// signature's score and the CPR model's variables.
    Combined,
}

impl ModelChoice {
    /// The outcome the model is trained for: DFS for LASSO Cox, early
    /// recurrence for every other model.
    pub fn outcome(self) -> Outcome {
        match self {
            ModelChoice::LassoCox => Outcome::Dfs,
            _ => Outcome::EarlyRecurrence,
        }
    }

    /// The CLI name, which [`ModelChoice::parse`] reads back.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelChoice::LassoLogistic => "lasso-logistic",
            ModelChoice::LassoCox => "lasso-cox",
            ModelChoice::RandomForest => "random-forest",
            ModelChoice::Cpr => "cpr",
            ModelChoice::Combined => "combined",
        }
    }

    /// Parses the CLI name.
    pub fn parse(text: &str) -> Result<ModelChoice, SignatureError> {
        Ok(match text {
            "lasso-logistic" => ModelChoice::LassoLogistic,
            "lasso-cox" => ModelChoice::LassoCox,
            "random-forest" => ModelChoice::RandomForest,
            "cpr" => ModelChoice::Cpr,
            "combined" => ModelChoice::Combined,
            _ => {
                return Err(SignatureError::InvalidOption {
                    name: "model".into(),
                    value: text.into(),
                    expected: "lasso-logistic, lasso-cox, random-forest, cpr or combined".into(),
                });
            }
        })
    }
}

/// The outcome a signature is trained for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Recurrence within the study's early-recurrence window (binary).
    EarlyRecurrence,
    /// Disease-free survival (time to event).
    Dfs,
}

impl Outcome {
    /// The name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::EarlyRecurrence => "early_recurrence",
            Outcome::Dfs => "dfs",
        }
    }

    /// Parses `early_recurrence` or `dfs`.
    pub fn parse(text: &str) -> Result<Outcome, SignatureError> {
        match text {
            "early_recurrence" | "early-recurrence" => Ok(Outcome::EarlyRecurrence),
            "dfs" => Ok(Outcome::Dfs),
            _ => Err(SignatureError::InvalidOption {
                name: "outcome".into(),
                value: text.into(),
                expected: "early_recurrence or dfs".into(),
            }),
        }
    }
}

/// Which λ of a cross-validated path to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LambdaRule {
    /// The λ of least cross-validated deviance (glmnet `lambda.min`).
    Min,
    /// The largest λ within one SE of it (glmnet `lambda.1se`), the
    /// sparser model.
    OneSe,
}

/// Options of a training run.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// The signature's name; `None`: from the model.
    pub name: Option<String>,
    /// The model.
    pub model: ModelChoice,
    /// The outcome (LASSO Cox: DFS; every other model: early recurrence).
    pub outcome: Outcome,
    /// The extraction runs whose features are candidates; empty: all.
    pub runs: Vec<i64>,
    /// The feature filters.
    pub filters: FilterOptions,
    /// Extraction runs of a repeat segmentation (`extract --mask-series`):
    /// a feature of a run with the same parameters and series is kept only
    /// if its ICC(2,1) between the two segmentations, over the training
    /// patients, reaches `icc_threshold`. Empty: no reproducibility filter.
    pub repeat_runs: Vec<i64>,
    /// The smallest ICC(2,1) a feature needs (default 0.75, "good"
    /// reliability in Koo & Li 2016).
    pub icc_threshold: f64,
    /// The λ rule of LASSO models (default λ.min).
    pub lambda_rule: LambdaRule,
    /// Folds of the cross-validation (default 10).
    pub nfolds: usize,
    /// The seed of folds and forest.
    pub seed: u64,
    /// The cutoff; `None`: Youden for early recurrence, the median for
    /// DFS.
    pub cutoff: Option<CutoffChoice>,
    /// The univariable p-value below which a CPR variable enters the
    /// multivariable model (default 0.1).
    pub screening_p: f64,
    /// Forest options.
    pub forest: ForestOptions,
    /// Inputs a forest signature keeps: the most important after a first
    /// forest on every filtered feature (default 10).
    pub forest_inputs: usize,
    /// The radiomic signature a combined model reads.
    pub radiomic: Option<Signature>,
    /// The CPR model whose variables a combined model reads.
    pub cpr: Option<Signature>,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            name: None,
            model: ModelChoice::LassoLogistic,
            outcome: Outcome::EarlyRecurrence,
            runs: Vec::new(),
            filters: FilterOptions::default(),
            repeat_runs: Vec::new(),
            icc_threshold: 0.75,
            lambda_rule: LambdaRule::Min,
            nfolds: 10,
            seed: 20221124,
            cutoff: None,
            screening_p: 0.1,
            forest: ForestOptions::default(),
            forest_inputs: 10,
            radiomic: None,
            cpr: None,
        }
    }
}

/// One candidate feature: where it comes from and its training values.
struct Candidate {
    source: InputSource,
    values: Vec<f64>,
}

/// A univariable screening result of the CPR model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Screening {
    /// The variable.
    pub variable: String,
    /// Training patients with a value.
    pub n: usize,
    /// Likelihood-ratio p-value of the variable (all its levels together).
    pub p: f64,
    /// Whether it entered the multivariable model.
    pub selected: bool,
}

/// What a training run did: the data it used and what it chose.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingReport {
    /// Training patients used.
    pub patients: usize,
    /// Of them, with the outcome event.
    pub events: usize,
    /// Training patients left out, with the reason.
    pub excluded: Vec<(String, String)>,
    /// Candidate features before filtering.
    pub candidates: usize,
    /// Dropped: a value missing or not finite for a training patient.
    pub dropped_incomplete: usize,
    /// Dropped: near-zero variance.
    pub dropped_near_zero_variance: usize,
    /// Dropped: ICC(2,1) across the repeat segmentation below the
    /// threshold.
    pub dropped_unreproducible: usize,
    /// Kept without a reproducibility check: no repeat run matches their
    /// run (only counted when repeat runs are given).
    pub unchecked_reproducibility: usize,
    /// Dropped: correlated with a kept feature.
    pub dropped_correlated: usize,
    /// Features entering the model.
    pub filtered: usize,
    /// The λ chosen (LASSO), with λ.min and λ.1se.
    pub lambda: Option<[f64; 3]>,
    /// The forest's out-of-bag error.
    pub oob_error: Option<f64>,
    /// The CPR screening.
    pub screening: Vec<Screening>,
    /// A forest's out-of-bag probabilities of the training patients with
    /// their early-recurrence status: what its cutoff is chosen on.
    #[serde(skip)]
    oob_scores: Option<Vec<(f64, Option<bool>)>>,
}

impl TrainingReport {
    fn new() -> TrainingReport {
        TrainingReport {
            patients: 0,
            events: 0,
            excluded: Vec::new(),
            candidates: 0,
            dropped_incomplete: 0,
            dropped_near_zero_variance: 0,
            dropped_unreproducible: 0,
            unchecked_reproducibility: 0,
            dropped_correlated: 0,
            filtered: 0,
            lambda: None,
            oob_error: None,
            screening: Vec::new(),
            oob_scores: None,
        }
    }
}

/// The training patients with a known outcome. Early recurrence: known
/// status; DFS: a DFS time.
fn training_patients<'a>(
    data: &'a StudyData,
    outcome: Outcome,
    report: &mut TrainingReport,
) -> Vec<&'a PatientData> {
    let mut kept = Vec::new();
    for patient in data
        .patients
        .iter()
        .filter(|p| p.cohort == Some(Cohort::Training))
    {
        let known = match outcome {
            Outcome::EarlyRecurrence => patient.endpoints.early_recurrence.is_some(),
            Outcome::Dfs => patient.endpoints.dfs.is_some_and(|d| d.days > 0),
        };
        if known {
            kept.push(patient);
        } else {
            report.excluded.push((
                patient.study_id.clone(),
                format!("{} unknown", outcome.as_str()),
            ));
        }
    }
    kept
}

/// Trains a signature as `options` say. Returns it sealed, with its
/// cutoff frozen, and the report of what training did.
pub fn train(
    data: &StudyData,
    options: &TrainOptions,
) -> Result<(Signature, TrainingReport), SignatureError> {
    let outcome = options.model.outcome();
    if options.outcome != outcome {
        return Err(SignatureError::InvalidOption {
            name: "outcome".into(),
            value: options.outcome.as_str().into(),
            expected: format!(
                "{} for this model (LASSO Cox models DFS; the others early recurrence)",
                outcome.as_str()
            ),
        });
    }
    if !(options.screening_p > 0.0 && options.screening_p <= 1.0) {
        return Err(SignatureError::InvalidOption {
            name: "screening p".into(),
            value: options.screening_p.to_string(),
            expected: "a p-value in (0, 1]".into(),
        });
    }
    if !(0.0..=1.0).contains(&options.icc_threshold) {
        return Err(SignatureError::InvalidOption {
            name: "icc threshold".into(),
            value: options.icc_threshold.to_string(),
            expected: "an ICC from 0 to 1".into(),
        });
    }
    let mut report = TrainingReport::new();
    let mut signature = match options.model {
        ModelChoice::LassoLogistic | ModelChoice::LassoCox | ModelChoice::RandomForest => {
            train_radiomic(data, options, &mut report)?
        }
        ModelChoice::Cpr => train_cpr(data, options, &mut report)?,
        ModelChoice::Combined => train_combined(data, options, &mut report)?,
    };
    let choice = options.cutoff.unwrap_or(match outcome {
        Outcome::EarlyRecurrence => CutoffChoice::Youden,
        Outcome::Dfs => CutoffChoice::Median,
    });
    let cutoff = match report.oob_scores.take() {
        Some(scores) => {
            let mut cutoff = cutoff_from_scores(&scores, choice)?;
            cutoff.chosen_on.push_str(", out-of-bag forest predictions");
            cutoff
        }
        None => training_cutoff(&signature, data, choice)?,
    };
    signature.cutoff = Some(cutoff);
    signature.provenance.created = Some(chrono::Utc::now().format("%Y-%m-%d").to_string());
    signature.provenance.tool = Some(format!("radcohort {}", env!("CARGO_PKG_VERSION")));
    signature.provenance.seed = Some(options.seed);
    signature.provenance.training_cohort = Some("training".into());
    signature.provenance.training_patients = Some(report.patients);
    signature.provenance.training_events = Some(report.events);
    signature.provenance.outcome = Some(outcome.as_str().into());
    signature.check()?;
    signature.seal();
    Ok((signature, report))
}

fn not_enough(what: &str, reason: String) -> SignatureError {
    SignatureError::NotEnoughData {
        what: what.to_owned(),
        reason,
    }
}

/// Fewest training patients a radiomic model is trained on: below this,
/// ten-fold cross-validation leaves folds of one patient.
const MIN_TRAINING_PATIENTS: usize = 10;

/// The radiomic models: candidates from the runs, filters, then the fit.
fn train_radiomic(
    data: &StudyData,
    options: &TrainOptions,
    report: &mut TrainingReport,
) -> Result<Signature, SignatureError> {
    let repeats: Vec<&crate::extraction::RunValues> = options
        .repeat_runs
        .iter()
        .map(|&run| data.run(run))
        .collect::<Result<_, _>>()?;
    let runs: Vec<&crate::extraction::RunValues> = if options.runs.is_empty() {
        // Every run but the repeat segmentations, which only check.
        data.runs
            .iter()
            .filter(|run| !options.repeat_runs.contains(&run.run.id))
            .collect()
    } else {
        options
            .runs
            .iter()
            .map(|&run| data.run(run))
            .collect::<Result<_, _>>()?
    };
    if runs.is_empty() {
        return Err(not_enough(
            "training a radiomic signature",
            "the study has no extraction run (run `radcohort extract` first)".into(),
        ));
    }
    let mut patients = training_patients(data, options.outcome, report);
    patients.retain(|p| {
        let missing = runs.iter().find(|run| !run.cases.contains_key(&p.study_id));
        if let Some(run) = missing {
            report.excluded.push((
                p.study_id.clone(),
                format!("no finished case in extraction run {}", run.run.id),
            ));
        }
        missing.is_none()
    });
    if patients.len() < MIN_TRAINING_PATIENTS {
        return Err(not_enough(
            "training a radiomic signature",
            format!(
                "{} training patients have the outcome and a finished case in every run; at \
                 least {MIN_TRAINING_PATIENTS} are needed ({} training patients left out)",
                patients.len(),
                report.excluded.len()
            ),
        ));
    }
    // Candidates, on training patients only.
    let mut candidates = Vec::new();
    for run in &runs {
        for (column, name) in run.features.iter().enumerate() {
            report.candidates += 1;
            let values: Option<Vec<f64>> = patients
                .iter()
                .map(|p| run.cases[&p.study_id][column].filter(|v| v.is_finite()))
                .collect();
            let Some(values) = values else {
                report.dropped_incomplete += 1;
                continue;
            };
            if options.filters.near_zero_variance && near_zero_variance(&values) {
                report.dropped_near_zero_variance += 1;
                continue;
            }
            if !repeats.is_empty() {
                match repeat_of(run, &repeats) {
                    Some(repeat) => {
                        let ratings: Vec<Vec<f64>> = patients
                            .iter()
                            .zip(&values)
                            .filter_map(|(p, &v)| {
                                repeat
                                    .value(&p.study_id, name)
                                    .filter(|r| r.is_finite())
                                    .map(|r| vec![v, r])
                            })
                            .collect();
                        let reproducible =
                            icc_agreement(&ratings).is_some_and(|icc| icc >= options.icc_threshold);
                        if !reproducible {
                            report.dropped_unreproducible += 1;
                            continue;
                        }
                    }
                    None => report.unchecked_reproducibility += 1,
                }
            }
            candidates.push(Candidate {
                source: InputSource::Feature {
                    series: run.run.selection.clone(),
                    params_hash: Some(run.run.params_hash.clone()),
                    name: name.clone(),
                },
                values,
            });
        }
    }
    if let Some(threshold) = options.filters.correlation_threshold {
        let columns: Vec<Vec<f64>> = candidates.iter().map(|c| c.values.clone()).collect();
        let keep = correlation_filter(&columns, threshold);
        let before = candidates.len();
        let mut flags = keep.into_iter();
        candidates.retain(|_| flags.next().unwrap_or(false));
        report.dropped_correlated = before - candidates.len();
    }
    report.filtered = candidates.len();
    report.patients = patients.len();
    if candidates.is_empty() {
        return Err(not_enough(
            "training a radiomic signature",
            format!(
                "no feature passed the filters ({} candidates: {} incomplete, {} near-zero variance)",
                report.candidates, report.dropped_incomplete, report.dropped_near_zero_variance
            ),
        ));
    }
    match options.model {
        ModelChoice::LassoLogistic => fit_lasso(&patients, candidates, options, report, false),
        ModelChoice::LassoCox => fit_lasso(&patients, candidates, options, report, true),
        _ => fit_forest(&patients, candidates, options, report),
    }
}

/// The repeat-segmentation run that checks `run`: the same parameters and
/// image series, read with another mask (its selection is the run's, up to
/// the ` mask=` part).
fn repeat_of<'a>(
    run: &crate::extraction::RunValues,
    repeats: &[&'a crate::extraction::RunValues],
) -> Option<&'a crate::extraction::RunValues> {
    let series = |selection: &str| {
        selection
            .split(" mask=")
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    repeats.iter().copied().find(|repeat| {
        repeat.run.id != run.run.id
            && repeat.run.params_hash == run.run.params_hash
            && series(&repeat.run.selection) == series(&run.run.selection)
    })
}

/// z-scores of a column with its training mean and SD (n − 1).
fn z_scored(values: &[f64]) -> (Vec<f64>, f64, f64) {
    let centre = mean(values).unwrap_or(0.0);
    let scale = sd(values).filter(|s| *s > 0.0).unwrap_or(1.0);
    let z = values.iter().map(|v| (v - centre) / scale).collect();
    (z, centre, scale)
}

fn fit_lasso(
    patients: &[&PatientData],
    candidates: Vec<Candidate>,
    options: &TrainOptions,
    report: &mut TrainingReport,
    cox: bool,
) -> Result<Signature, SignatureError> {
    let mut columns = Vec::with_capacity(candidates.len());
    let mut preprocessing = Vec::with_capacity(candidates.len());
    for (k, candidate) in candidates.iter().enumerate() {
        let (z, centre, scale) = z_scored(&candidate.values);
        columns.push((format!("x{k}"), z));
        preprocessing.push((centre, scale));
    }
    let design = Design::from_columns(columns)
        .map_err(SignatureError::stats("the training feature matrix"))?;
    let penalty = PenaltyOptions::default();
    let cv = CvOptions {
        folds: Folds::Seeded {
            nfolds: options.nfolds,
            seed: options.seed,
        },
        ..CvOptions::default()
    };
    let fitted = if cox {
        let (time, event): (Vec<f64>, Vec<bool>) = patients
            .iter()
            .filter_map(|p| p.endpoints.dfs.map(|d| (d.days as f64, d.event)))
            .unzip();
        report.events = event.iter().filter(|e| **e).count();
        let survival = SurvivalData::new(time, event)
            .map_err(SignatureError::stats("the training DFS data"))?;
        cv_cox(&design, &survival, &penalty, &cv)
            .map_err(SignatureError::stats("the LASSO Cox cross-validation"))?
    } else {
        let y: Vec<bool> = patients
            .iter()
            .map(|p| p.endpoints.early_recurrence == Some(true))
            .collect();
        report.events = y.iter().filter(|e| **e).count();
        cv_logistic(&design, &y, &penalty, &cv)
            .map_err(SignatureError::stats("the LASSO logistic cross-validation"))?
    };
    let index = match options.lambda_rule {
        LambdaRule::Min => fitted.cv.index_min,
        LambdaRule::OneSe => fitted.cv.index_1se,
    };
    let lambda = fitted.path.lambda[index];
    report.lambda = Some([lambda, fitted.cv.lambda_min, fitted.cv.lambda_1se]);
    let coefficients = &fitted.path.coefficients[index];
    let (intercept, slopes) = if cox {
        (0.0, coefficients.as_slice())
    } else {
        (coefficients[0], &coefficients[1..])
    };
    let mut inputs = Vec::new();
    let mut kept = Vec::new();
    for ((candidate, &(centre, scale)), &beta) in
        candidates.into_iter().zip(&preprocessing).zip(slopes)
    {
        if beta != 0.0 {
            inputs.push(Input {
                source: candidate.source,
                log: false,
                center: centre,
                scale,
            });
            kept.push(beta);
        }
    }
    let rule = match options.lambda_rule {
        LambdaRule::Min => "lambda.min",
        LambdaRule::OneSe => "lambda.1se",
    };
    if inputs.is_empty() {
        return Err(not_enough(
            "training a LASSO signature",
            format!(
                "no feature has a non-zero coefficient at {rule} = {lambda:.4e} \
                 (the outcome may not depend on the features; try --lambda min)"
            ),
        ));
    }
    let family = if cox { "Cox (Breslow)" } else { "logistic" };
    Ok(Signature {
        format: FORMAT.into(),
        id: None,
        name: options.name.clone().unwrap_or_else(|| {
            if cox {
                "Radiomic signature (LASSO Cox)".into()
            } else {
                "Radiomic signature (LASSO logistic)".into()
            }
        }),
        model: if cox {
            ModelKind::Cox
        } else {
            ModelKind::Logistic
        },
        inputs,
        intercept,
        coefficients: kept,
        forest: None,
        cutoff: None,
        provenance: Provenance {
            method: Some(format!(
                "LASSO {family} on training z-scores of {} filtered features, {}-fold CV \
                 deviance (seed {}), {rule}",
                report.filtered, options.nfolds, options.seed
            )),
            lambda: Some(lambda),
            ..Provenance::default()
        },
    })
}

fn fit_forest(
    patients: &[&PatientData],
    candidates: Vec<Candidate>,
    options: &TrainOptions,
    report: &mut TrainingReport,
) -> Result<Signature, SignatureError> {
    let y: Vec<bool> = patients
        .iter()
        .map(|p| p.endpoints.early_recurrence == Some(true))
        .collect();
    report.events = y.iter().filter(|e| **e).count();
    if report.events == 0 || report.events == y.len() {
        return Err(not_enough(
            "training a random forest",
            "the training patients all have the same early-recurrence status".into(),
        ));
    }
    let rows = |chosen: &[usize]| -> Vec<Vec<f64>> {
        (0..patients.len())
            .map(|i| chosen.iter().map(|&j| candidates[j].values[i]).collect())
            .collect()
    };
    let all: Vec<usize> = (0..candidates.len()).collect();
    let first = Forest::fit(&rows(&all), &y, &options.forest);
    let mut ranked = all;
    ranked.sort_by(|&a, &b| {
        first.importances[b]
            .total_cmp(&first.importances[a])
            .then(a.cmp(&b))
    });
    ranked.truncate(options.forest_inputs.max(1));
    let (forest, oob) = Forest::fit_with_oob(&rows(&ranked), &y, &options.forest);
    report.oob_error = forest.oob_error;
    report.oob_scores = Some(
        oob.iter()
            .zip(patients)
            .filter_map(|(p, patient)| p.map(|p| (p, patient.endpoints.early_recurrence)))
            .collect(),
    );
    let inputs = ranked
        .iter()
        .map(|&j| Input {
            source: candidates[j].source.clone(),
            log: false,
            center: 0.0,
            scale: 1.0,
        })
        .collect();
    Ok(Signature {
        format: FORMAT.into(),
        id: None,
        name: options
            .name
            .clone()
            .unwrap_or_else(|| "Radiomic signature (random forest)".into()),
        model: ModelKind::RandomForest,
        inputs,
        intercept: 0.0,
        coefficients: Vec::new(),
        forest: Some(forest),
        cutoff: None,
        provenance: Provenance {
            method: Some(format!(
                "random forest of {} trees (max features {}, seed {}) on the {} most important \
                 of {} filtered features",
                options.forest.trees,
                options
                    .forest
                    .max_features
                    .map_or("sqrt".to_owned(), |m| m.to_string()),
                options.forest.seed,
                ranked.len(),
                report.filtered
            )),
            ..Provenance::default()
        },
    })
}

/// The inputs a dictionary variable becomes: itself (numeric, integer,
/// boolean), or one indicator per non-reference level observed among
/// `patients` (categorical; the reference is the first observed level in
/// dictionary order). `None` for dates, text and variables with one
/// observed level.
fn variable_inputs(
    variable: &crate::study::model::Variable,
    patients: &[&PatientData],
) -> Option<Vec<InputSource>> {
    match variable.kind {
        VariableType::Numeric | VariableType::Integer | VariableType::Boolean => {
            Some(vec![InputSource::Variable {
                name: variable.name.clone(),
                level: None,
            }])
        }
        VariableType::Categorical => {
            let observed: Vec<&String> = variable
                .levels
                .iter()
                .filter(|level| {
                    patients.iter().any(
                        |p| matches!(p.values.get(&variable.name), Some(Value::Level(l)) if l == *level),
                    )
                })
                .collect();
            (observed.len() >= 2).then(|| {
                observed[1..]
                    .iter()
                    .map(|level| InputSource::Variable {
                        name: variable.name.clone(),
                        level: Some((*level).clone()),
                    })
                    .collect()
            })
        }
        VariableType::Date | VariableType::Text => None,
    }
}

/// A logistic fit of early recurrence on `sources` over the patients with
/// every value, with their raw values. Returns the fit and the number of
/// patients used.
fn logistic_on(
    data: &StudyData,
    patients: &[&PatientData],
    sources: &[InputSource],
    context: &str,
) -> Result<(crate::stats::LogisticFit, usize), SignatureError> {
    let probe = Signature {
        format: FORMAT.into(),
        id: None,
        name: context.into(),
        model: ModelKind::Linear,
        inputs: sources
            .iter()
            .map(|source| Input {
                source: source.clone(),
                log: false,
                center: 0.0,
                scale: 1.0,
            })
            .collect(),
        intercept: 0.0,
        coefficients: vec![0.0; sources.len()],
        forest: None,
        cutoff: None,
        provenance: Provenance::default(),
    };
    let resolved = ResolvedSignature::new(&probe, data)?;
    let mut columns = vec![Vec::new(); sources.len()];
    let mut y = Vec::new();
    for patient in patients {
        let row: Result<Vec<f64>, String> = (0..sources.len())
            .map(|j| resolved.raw(j, patient))
            .collect();
        if let Ok(row) = row {
            for (column, value) in columns.iter_mut().zip(row) {
                column.push(value);
            }
            y.push(if patient.endpoints.early_recurrence == Some(true) {
                1.0
            } else {
                0.0
            });
        }
    }
    let design = Design::from_columns(
        sources
            .iter()
            .map(InputSource::label)
            .zip(columns)
            .collect(),
    )
    .map_err(SignatureError::stats(context))?;
    let fit = fit_logistic(&design, &y, &LogisticOptions::default())
        .map_err(SignatureError::stats(context))?;
    Ok((fit, y.len()))
}

fn logistic_signature(
    name: String,
    sources: Vec<InputSource>,
    fit: &crate::stats::LogisticFit,
    method: String,
) -> Signature {
    Signature {
        format: FORMAT.into(),
        id: None,
        name,
        model: ModelKind::Logistic,
        inputs: sources
            .into_iter()
            .map(|source| Input {
                source,
                log: false,
                center: 0.0,
                scale: 1.0,
            })
            .collect(),
        intercept: fit.terms[0].coef,
        coefficients: fit.terms[1..].iter().map(|t| t.coef).collect(),
        forest: None,
        cutoff: None,
        provenance: Provenance {
            method: Some(method),
            ..Provenance::default()
        },
    }
}

fn train_cpr(
    data: &StudyData,
    options: &TrainOptions,
    report: &mut TrainingReport,
) -> Result<Signature, SignatureError> {
    let patients = training_patients(data, Outcome::EarlyRecurrence, report);
    report.patients = patients.len();
    report.events = patients
        .iter()
        .filter(|p| p.endpoints.early_recurrence == Some(true))
        .count();
    let mut selected = Vec::new();
    for variable in &data.dictionary {
        let Some(sources) = variable_inputs(variable, &patients) else {
            continue;
        };
        report.candidates += 1;
        let context = format!("the univariable logistic model of {}", variable.name);
        match logistic_on(data, &patients, &sources, &context) {
            Ok((fit, n)) => {
                let chosen = fit.lr_test.p < options.screening_p;
                report.screening.push(Screening {
                    variable: variable.name.clone(),
                    n,
                    p: fit.lr_test.p,
                    selected: chosen,
                });
                if chosen {
                    selected.extend(sources);
                }
            }
            // A variable that cannot be fitted alone (separation, one
            // class among its patients) cannot enter the model either.
            Err(SignatureError::Stats { .. }) => report.dropped_incomplete += 1,
            Err(other) => return Err(other),
        }
    }
    if selected.is_empty() {
        return Err(not_enough(
            "training the CPR model",
            format!(
                "no dictionary variable has a univariable p below {}",
                options.screening_p
            ),
        ));
    }
    report.filtered = report.screening.iter().filter(|s| s.selected).count();
    let (fit, n) = logistic_on(
        data,
        &patients,
        &selected,
        "the multivariable CPR logistic model",
    )?;
    report.patients = n;
    Ok(logistic_signature(
        options.name.clone().unwrap_or_else(|| "CPR model".into()),
        selected,
        &fit,
        format!(
            "univariable logistic screening of dictionary variables (LR test p < {}), then \
             multivariable logistic regression on {n} complete training patients",
            options.screening_p
        ),
    ))
}

fn train_combined(
    data: &StudyData,
    options: &TrainOptions,
    report: &mut TrainingReport,
) -> Result<Signature, SignatureError> {
    let missing = |what: &str| SignatureError::InvalidOption {
        name: what.into(),
        value: String::new(),
        expected: format!("the {what} signature the combined model reads"),
    };
    let radiomic = options
        .radiomic
        .clone()
        .ok_or_else(|| missing("radiomic"))?;
    let cpr = options.cpr.as_ref().ok_or_else(|| missing("cpr"))?;
    if radiomic.model == ModelKind::RandomForest {
        return Err(SignatureError::InvalidOption {
            name: "radiomic".into(),
            value: radiomic.name.clone(),
            expected: "a linear, logistic or Cox signature (its score enters a logistic model)"
                .into(),
        });
    }
    let patients = training_patients(data, Outcome::EarlyRecurrence, report);
    let mut sources = vec![InputSource::Signature {
        signature: Box::new(radiomic),
    }];
    sources.extend(cpr.inputs.iter().filter_map(|input| match &input.source {
        source @ InputSource::Variable { .. } => Some(source.clone()),
        _ => None,
    }));
    report.candidates = sources.len();
    report.filtered = sources.len();
    let (fit, n) = logistic_on(data, &patients, &sources, "the combined logistic model")?;
    report.patients = n;
    report.events = fit.events;
    Ok(logistic_signature(
        options
            .name
            .clone()
            .unwrap_or_else(|| "Combined model (nomogram)".into()),
        sources,
        &fit,
        format!(
            "logistic regression of early recurrence on the radiomic score and the CPR \
             variables, {n} complete training patients"
        ),
    ))
}
