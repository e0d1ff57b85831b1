//! Penalised logistic and Cox paths and their cross-validation against the
//! shared references: GBSG2 L1-Cox (Breslow) and L1-logistic paths with CV
//! (scikit-survival 0.28 / statsmodels 0.15 / scikit-learn 1.9), the L1
//! logistic fits of the landmark-730 analysis, and R glmnet's Cox fits
//! recorded in statsmodels' test suite.
//!
//! Fits are judged by the objective: the objective and KKT conditions are
//! recomputed here by plain O(n²) formulas, independent of the library, at
//! our coefficients and at the reference's.

mod common;

use std::collections::HashMap;
use std::path::Path;

use radcohort::stats::penalized::{
    CvOptions, Folds, PenaltyOptions, cv_cox, cv_logistic, fit_cox_path, fit_logistic_path,
    lambda_from_sklearn_c,
};
use radcohort::stats::{Design, SurvivalData};
use serde_json::Value;

/// KKT residual we require of our own fits (scaled gradient units).
const KKT_TOLERANCE: f64 = 1e-10;
/// Largest gap allowed between our objective and a reference optimum's.
const OBJECTIVE_TOLERANCE: f64 = 1e-8;

const COVARIATES: [&str; 9] = [
    "treat", "age", "postmeno", "tsize", "grade2", "grade3", "pnodes", "progrec", "estrec",
];

fn json(dir: &Path, file: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

fn matrix(value: &Value) -> Vec<Vec<f64>> {
    value.as_array().unwrap().iter().map(numbers).collect()
}

/// The numeric columns of a CSV file with a header.
fn read_csv(path: &Path) -> HashMap<String, Vec<f64>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let mut columns: HashMap<String, Vec<f64>> = HashMap::new();
    for record in reader.records() {
        let record = record.unwrap();
        for (name, cell) in headers.iter().zip(record.iter()) {
            if let Ok(value) = cell.parse::<f64>() {
                columns.entry(name.clone()).or_default().push(value);
            }
        }
    }
    columns
}

/// Columns standardised with their mean and 1/n SD, checked against the
/// reference's own standardisation.
fn standardised(raw: &[Vec<f64>], standardisation: &Value) -> Vec<Vec<f64>> {
    let means = numbers(&standardisation["mean"]);
    let sds = numbers(&standardisation["sd_pop"]);
    raw.iter()
        .zip(means.iter().zip(&sds))
        .map(|(column, (&ref_mean, &ref_sd))| {
            let n = column.len() as f64;
            let mean = column.iter().sum::<f64>() / n;
            let sd = (column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
            assert!((mean - ref_mean).abs() <= 1e-12 * ref_mean.abs().max(1.0));
            assert!((sd - ref_sd).abs() <= 1e-12 * ref_sd);
            column.iter().map(|v| (v - mean) / sd).collect()
        })
        .collect()
}

fn design(names: &[&str], columns: &[Vec<f64>]) -> Design {
    Design::from_columns(
        names
            .iter()
            .zip(columns)
            .map(|(name, column)| (name.to_string(), column.clone()))
            .collect(),
    )
    .unwrap()
}

/// Observations as rows of a column-major table.
fn rows(columns: &[Vec<f64>]) -> Vec<Vec<f64>> {
    (0..columns[0].len())
        .map(|i| columns.iter().map(|c| c[i]).collect())
        .collect()
}

// ---- Independent objective, gradient and KKT check ----------------------

/// −(1/n)·Breslow log partial likelihood and its gradient, straight from
/// the definition: every subject with time ≥ t is at risk at t.
fn cox_loss_and_gradient(
    time: &[f64],
    event: &[bool],
    x: &[Vec<f64>],
    beta: &[f64],
) -> (f64, Vec<f64>) {
    let n = time.len();
    let p = beta.len();
    let eta: Vec<f64> = x
        .iter()
        .map(|row| row.iter().zip(beta).map(|(a, b)| a * b).sum())
        .collect();
    let risk: Vec<f64> = eta.iter().map(|e| e.exp()).collect();
    let mut loglik = 0.0;
    let mut score = vec![0.0; p];
    for i in (0..n).filter(|&i| event[i]) {
        let mut s0 = 0.0;
        let mut s1 = vec![0.0; p];
        for k in (0..n).filter(|&k| time[k] >= time[i]) {
            s0 += risk[k];
            for j in 0..p {
                s1[j] += risk[k] * x[k][j];
            }
        }
        loglik += eta[i] - s0.ln();
        for j in 0..p {
            score[j] += x[i][j] - s1[j] / s0;
        }
    }
    (
        -loglik / n as f64,
        score.iter().map(|s| -s / n as f64).collect(),
    )
}

/// −(1/n)·binomial log-likelihood and its gradient, intercept first.
fn logistic_loss_and_gradient(y: &[bool], x: &[Vec<f64>], coefficients: &[f64]) -> (f64, Vec<f64>) {
    let n = y.len() as f64;
    let mut loss = 0.0;
    let mut gradient = vec![0.0; coefficients.len()];
    for (row, &label) in x.iter().zip(y) {
        let eta = coefficients[0]
            + row
                .iter()
                .zip(&coefficients[1..])
                .map(|(a, b)| a * b)
                .sum::<f64>();
        let target = if label { 1.0 } else { 0.0 };
        loss += (1.0 + eta.exp()).ln() - target * eta;
        let residual = target - 1.0 / (1.0 + (-eta).exp());
        gradient[0] -= residual / n;
        for (g, &v) in gradient[1..].iter_mut().zip(row) {
            *g -= residual * v / n;
        }
    }
    (loss / n, gradient)
}

fn l1(beta: &[f64]) -> f64 {
    beta.iter().map(|b| b.abs()).sum()
}

/// Largest violation of the LASSO KKT conditions for penalised slopes:
/// g_j = −λ·sign(β_j) when β_j ≠ 0, |g_j| ≤ λ when β_j = 0.
fn kkt_violation(gradient: &[f64], beta: &[f64], lambda: f64) -> f64 {
    gradient
        .iter()
        .zip(beta)
        .map(|(&g, &b)| {
            if b != 0.0 {
                (g + lambda * b.signum()).abs()
            } else {
                (g.abs() - lambda).max(0.0)
            }
        })
        .fold(0.0, f64::max)
}

fn max_abs_difference(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn relative(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

// ---- GBSG2 data ----------------------------------------------------------

struct Gbsg2 {
    time: Vec<f64>,
    event: Vec<bool>,
    foldid: Vec<usize>,
    covariates: Vec<Vec<f64>>,
}

fn gbsg2(dir: &Path) -> Gbsg2 {
    let columns = read_csv(&dir.join("survival/data/gbsg2.csv"));
    Gbsg2 {
        time: columns["time"].clone(),
        event: columns["event"].iter().map(|&e| e == 1.0).collect(),
        foldid: columns["foldid"].iter().map(|&f| f as usize).collect(),
        covariates: COVARIATES
            .iter()
            .map(|name| columns[*name].clone())
            .collect(),
    }
}

/// The landmark-730 subset: subjects followed to day 730 or with an event
/// before; the outcome is an event by day 730.
struct Landmark {
    y: Vec<bool>,
    foldid: Vec<usize>,
    covariates: Vec<Vec<f64>>,
}

fn landmark(data: &Gbsg2) -> Landmark {
    let keep: Vec<usize> = (0..data.time.len())
        // Dropped: censored before day 730.
        .filter(|&i| data.time[i] >= 730.0 || data.event[i])
        .collect();
    Landmark {
        y: keep
            .iter()
            .map(|&i| data.event[i] && data.time[i] <= 730.0)
            .collect(),
        foldid: keep.iter().map(|&i| data.foldid[i]).collect(),
        covariates: data
            .covariates
            .iter()
            .map(|column| keep.iter().map(|&i| column[i]).collect())
            .collect(),
    }
}

fn lasso_options(lambda: Vec<f64>) -> PenaltyOptions {
    PenaltyOptions {
        lambda: Some(lambda),
        standardize: false,
        ..PenaltyOptions::default()
    }
}

// ---- Cox -------------------------------------------------------------------

#[test]
fn cox_lasso_path_reaches_the_reference_optimum() {
    let Some(dir) = common::reference_dir("cox_lasso_path_reaches_the_reference_optimum") else {
        return;
    };
    let reference = &json(&dir, "survival/ref/gbsg2_lasso.json")["cox_lasso"];
    let data = gbsg2(&dir);
    let x = standardised(&data.covariates, &reference["standardisation"]);
    let x_rows = rows(&x);
    let survival = SurvivalData::new(data.time.clone(), data.event.clone()).unwrap();
    let points = reference["path"].as_array().unwrap();
    let lambdas: Vec<f64> = points
        .iter()
        .map(|p| p["lambda"].as_f64().unwrap())
        .collect();

    // glmnet's grid from our λ_max: λ_max·10^(−2k/11).
    let generated = fit_cox_path(
        &design(&COVARIATES, &x),
        &survival,
        &PenaltyOptions {
            nlambda: 12,
            lambda_min_ratio: Some(0.01),
            standardize: false,
            ..PenaltyOptions::default()
        },
    )
    .unwrap();
    let lambda_max = reference["lambda_max"].as_f64().unwrap();
    assert!(relative(generated.lambda_max, lambda_max) < 1e-12);
    for (ours, theirs) in generated.lambda.iter().zip(&lambdas) {
        assert!(relative(*ours, *theirs) < 1e-12, "λ {ours} vs {theirs}");
    }

    let path = fit_cox_path(
        &design(&COVARIATES, &x),
        &survival,
        &lasso_options(lambdas.clone()),
    )
    .unwrap();
    let (mut worst_gap, mut worst_kkt, mut worst_coef) = (0.0_f64, 0.0_f64, 0.0_f64);
    for (k, point) in points.iter().enumerate() {
        let lambda = lambdas[k];
        let ours = &path.coefficients[k];
        let theirs = numbers(&point["coef_reference"]);
        let (our_loss, our_gradient) =
            cox_loss_and_gradient(&data.time, &data.event, &x_rows, ours);
        let our_objective = our_loss + lambda * l1(ours);
        let (ref_loss, _) = cox_loss_and_gradient(&data.time, &data.event, &x_rows, &theirs);
        let ref_objective = ref_loss + lambda * l1(&theirs);
        // The test's objective is the reference's: it reproduces theirs.
        let (sk_loss, _) = cox_loss_and_gradient(
            &data.time,
            &data.event,
            &x_rows,
            &numbers(&point["coef_sksurv_coxnet"]),
        );
        let sk_objective = sk_loss + lambda * l1(&numbers(&point["coef_sksurv_coxnet"]));
        assert!((sk_objective - point["objective_sksurv"].as_f64().unwrap()).abs() < 1e-12);
        // Our reported objective is the one recomputed here.
        assert!((path.objective[k] - our_objective).abs() < 1e-12);
        // Never worse than the reference, and at the same optimum.
        assert!(
            our_objective <= ref_objective + 1e-13,
            "λ {lambda}: objective {our_objective} above the reference's {ref_objective}"
        );
        let gap = ref_objective - our_objective;
        assert!(
            gap < OBJECTIVE_TOLERANCE,
            "λ {lambda}: objective gap {gap:e}"
        );
        worst_gap = worst_gap.max(gap.abs());
        let kkt = kkt_violation(&our_gradient, ours, lambda);
        assert!(kkt < KKT_TOLERANCE, "λ {lambda}: KKT violation {kkt:e}");
        worst_kkt = worst_kkt.max(kkt);
        let difference = max_abs_difference(ours, &theirs);
        assert!(
            difference < 1e-4,
            "λ {lambda}: coefficients differ by {difference:e}"
        );
        worst_coef = worst_coef.max(difference);
        assert_eq!(
            path.nonzero[k],
            point["n_nonzero"].as_u64().unwrap() as usize,
            "λ {lambda}: active set"
        );
    }
    eprintln!(
        "Cox LASSO path: largest objective gap {worst_gap:.1e}, KKT violation {worst_kkt:.1e}, \
         coefficient difference {worst_coef:.1e}"
    );
}

#[test]
fn cox_lasso_standardize_equals_the_prestandardised_fit() {
    let Some(dir) = common::reference_dir("cox_lasso_standardize_equals_the_prestandardised_fit")
    else {
        return;
    };
    let reference = &json(&dir, "survival/ref/gbsg2_lasso.json")["cox_lasso"];
    let data = gbsg2(&dir);
    let sds = numbers(&reference["standardisation"]["sd_pop"]);
    let survival = SurvivalData::new(data.time.clone(), data.event.clone()).unwrap();
    let path = fit_cox_path(
        &design(&COVARIATES, &data.covariates),
        &survival,
        &PenaltyOptions {
            nlambda: 12,
            lambda_min_ratio: Some(0.01),
            ..PenaltyOptions::default()
        },
    )
    .unwrap();
    assert!(relative(path.lambda_max, reference["lambda_max"].as_f64().unwrap()) < 1e-12);
    let mut worst = 0.0_f64;
    for (k, point) in reference["path"].as_array().unwrap().iter().enumerate() {
        // Original-scale coefficients times the SD are the standardised ones.
        let scaled: Vec<f64> = path.coefficients[k]
            .iter()
            .zip(&sds)
            .map(|(b, s)| b * s)
            .collect();
        let difference = max_abs_difference(&scaled, &numbers(&point["coef_reference"]));
        assert!(difference < 1e-4, "λ index {k}: {difference:e}");
        worst = worst.max(difference);
    }
    eprintln!("Cox LASSO standardize=true: largest coefficient difference {worst:.1e}");
}

#[test]
fn cox_lasso_cv_matches_the_reference() {
    let Some(dir) = common::reference_dir("cox_lasso_cv_matches_the_reference") else {
        return;
    };
    let reference = &json(&dir, "survival/ref/gbsg2_lasso.json")["cox_lasso"];
    let data = gbsg2(&dir);
    let x = standardised(&data.covariates, &reference["standardisation"]);
    let survival = SurvivalData::new(data.time.clone(), data.event.clone()).unwrap();
    let lambdas: Vec<f64> = reference["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["lambda"].as_f64().unwrap())
        .collect();
    let cv_reference = &reference["cv"];
    // The reference leaves out glmnet's saturated term (see its "method").
    let plain = CvOptions {
        folds: Folds::Given(data.foldid.clone()),
        grouped: true,
        cox_saturated_term: false,
    };
    let result = cv_cox(
        &design(&COVARIATES, &x),
        &survival,
        &lasso_options(lambdas.clone()),
        &plain,
    )
    .unwrap();
    let cv = &result.cv;
    assert_eq!(cv.fold_weights, numbers(&cv_reference["events_per_fold"]));
    let mut worst = 0.0_f64;
    for (ours, theirs) in cv.cvraw.iter().zip(matrix(&cv_reference["cvraw"])) {
        for (a, b) in ours.iter().zip(&theirs) {
            worst = worst.max(relative(*a, *b));
        }
    }
    for (a, b) in cv.cvm.iter().zip(numbers(&cv_reference["cvm"])) {
        worst = worst.max(relative(*a, b));
    }
    for (a, b) in cv.cvsd.iter().zip(numbers(&cv_reference["cvsd"])) {
        worst = worst.max(relative(*a, b));
    }
    assert!(worst < 1e-4, "CV deviance differs by {worst:e} (relative)");
    assert_eq!(
        cv.index_min,
        cv_reference["index_min"].as_u64().unwrap() as usize
    );
    assert_eq!(
        cv.index_1se,
        cv_reference["index_1se"].as_u64().unwrap() as usize
    );
    assert_eq!(cv.lambda_min, cv_reference["lambda_min"].as_f64().unwrap());
    assert_eq!(cv.lambda_1se, cv_reference["lambda_1se"].as_f64().unwrap());
    eprintln!("Cox LASSO CV: largest relative difference of cvraw/cvm/cvsd {worst:.1e}");

    // glmnet ≥ 4.1 adds the saturated term: per fold a constant,
    // 2·(lsat_full − lsat_train)/events, with lsat = −Σ d·log d over tied
    // event counts. λ.min and λ.1se do not move here.
    let saturated = cv_cox(
        &design(&COVARIATES, &x),
        &survival,
        &lasso_options(lambdas),
        &CvOptions {
            cox_saturated_term: true,
            ..plain
        },
    )
    .unwrap();
    let lsat = |rows: &[usize]| {
        let mut counts: HashMap<u64, f64> = HashMap::new();
        for &i in rows.iter().filter(|&&i| data.event[i]) {
            *counts.entry(data.time[i].to_bits()).or_default() += 1.0;
        }
        -counts.values().map(|d| d * d.ln()).sum::<f64>()
    };
    let everyone: Vec<usize> = (0..data.time.len()).collect();
    for fold in 1..=10 {
        let training: Vec<usize> = everyone
            .iter()
            .copied()
            .filter(|&i| data.foldid[i] != fold)
            .collect();
        let shift = 2.0 * (lsat(&everyone) - lsat(&training)) / cv.fold_weights[fold - 1];
        for (with, without) in saturated.cv.cvraw[fold - 1].iter().zip(&cv.cvraw[fold - 1]) {
            assert!((with - without - shift).abs() < 1e-9, "fold {fold}");
        }
    }
    assert_eq!(saturated.cv.index_min, cv.index_min);
    assert_eq!(saturated.cv.index_1se, cv.index_1se);
}

// ---- Logistic -------------------------------------------------------------

#[test]
fn logistic_lasso_path_reaches_the_reference_optimum() {
    let Some(dir) = common::reference_dir("logistic_lasso_path_reaches_the_reference_optimum")
    else {
        return;
    };
    let reference = &json(&dir, "survival/ref/gbsg2_lasso.json")["logistic_lasso"];
    let data = landmark(&gbsg2(&dir));
    assert_eq!(data.y.len(), 623);
    let x = standardised(&data.covariates, &reference["standardisation"]);
    let x_rows = rows(&x);
    let points = reference["path"].as_array().unwrap();
    let lambdas: Vec<f64> = points
        .iter()
        .map(|p| p["lambda"].as_f64().unwrap())
        .collect();
    let path = fit_logistic_path(
        &design(&COVARIATES, &x),
        &data.y,
        &lasso_options(lambdas.clone()),
    )
    .unwrap();
    assert!(relative(path.lambda_max, reference["lambda_max"].as_f64().unwrap()) < 1e-10);
    assert_eq!(path.terms[0], "(Intercept)");
    let (mut worst_gap, mut worst_kkt, mut worst_coef) = (0.0_f64, 0.0_f64, 0.0_f64);
    for (k, point) in points.iter().enumerate() {
        let lambda = lambdas[k];
        let ours = &path.coefficients[k];
        let theirs = numbers(&point["coef_with_intercept"]);
        let (our_loss, gradient) = logistic_loss_and_gradient(&data.y, &x_rows, ours);
        let our_objective = our_loss + lambda * l1(&ours[1..]);
        let (ref_loss, _) = logistic_loss_and_gradient(&data.y, &x_rows, &theirs);
        let ref_objective = ref_loss + lambda * l1(&theirs[1..]);
        assert!((path.objective[k] - our_objective).abs() < 1e-12);
        assert!(
            our_objective <= ref_objective + 1e-13,
            "λ {lambda}: objective {our_objective} above the reference's {ref_objective}"
        );
        let gap = ref_objective - our_objective;
        assert!(
            gap < OBJECTIVE_TOLERANCE,
            "λ {lambda}: objective gap {gap:e}"
        );
        worst_gap = worst_gap.max(gap);
        // The intercept is unpenalised: its gradient is 0.
        let kkt = kkt_violation(&gradient[1..], &ours[1..], lambda).max(gradient[0].abs());
        assert!(kkt < KKT_TOLERANCE, "λ {lambda}: KKT violation {kkt:e}");
        worst_kkt = worst_kkt.max(kkt);
        let difference = max_abs_difference(ours, &theirs);
        assert!(
            difference < 1e-4,
            "λ {lambda}: coefficients differ by {difference:e}"
        );
        worst_coef = worst_coef.max(difference);
    }
    eprintln!(
        "logistic LASSO path: largest objective gap {worst_gap:.1e}, KKT violation {worst_kkt:.1e}, \
         coefficient difference {worst_coef:.1e}"
    );
}

#[test]
fn logistic_lasso_cv_matches_the_reference() {
    let Some(dir) = common::reference_dir("logistic_lasso_cv_matches_the_reference") else {
        return;
    };
    let reference = &json(&dir, "survival/ref/gbsg2_lasso.json")["logistic_lasso"];
    let data = landmark(&gbsg2(&dir));
    let x = standardised(&data.covariates, &reference["standardisation"]);
    let lambdas: Vec<f64> = reference["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["lambda"].as_f64().unwrap())
        .collect();
    let result = cv_logistic(
        &design(&COVARIATES, &x),
        &data.y,
        &lasso_options(lambdas),
        &CvOptions {
            folds: Folds::Given(data.foldid.clone()),
            ..CvOptions::default()
        },
    )
    .unwrap();
    let cv_reference = &reference["cv"];
    let cv = &result.cv;
    assert_eq!(cv.fold_weights, numbers(&cv_reference["fold_sizes"]));
    let reference_cvraw = matrix(&cv_reference["cvraw"]);
    // At the first λ (the full data's λ_max) a fold whose own λ_max is
    // smaller fits the intercept only: p = its training proportion of 1s,
    // a closed form. scikit-learn's saga misses that optimum by up to 1e-3
    // there, so those cells are checked against the closed form instead.
    let first_lambda = result.path.lambda[0];
    let mut worst = 0.0_f64;
    let mut worst_reference_miss = 0.0_f64;
    for fold in 1..=10 {
        let (train, test): (Vec<usize>, Vec<usize>) =
            (0..data.y.len()).partition(|&i| data.foldid[i] != fold);
        let share = train.iter().filter(|&&i| data.y[i]).count() as f64 / train.len() as f64;
        let fold_lambda_max = x
            .iter()
            .map(|column| {
                let n = train.len() as f64;
                let mean = train.iter().map(|&i| column[i]).sum::<f64>() / n;
                let residual = |i: usize| if data.y[i] { 1.0 - share } else { -share };
                (train
                    .iter()
                    .map(|&i| (column[i] - mean) * residual(i))
                    .sum::<f64>()
                    / n)
                    .abs()
            })
            .fold(0.0, f64::max);
        let ours = &cv.cvraw[fold - 1];
        let theirs = &reference_cvraw[fold - 1];
        let mut from = 0;
        if fold_lambda_max <= first_lambda {
            let closed_form = test
                .iter()
                .map(|&i| {
                    -2.0 * if data.y[i] {
                        share.ln()
                    } else {
                        (1.0 - share).ln()
                    }
                })
                .sum::<f64>()
                / test.len() as f64;
            assert!(
                (ours[0] - closed_form).abs() < 1e-12,
                "fold {fold}: {} vs {closed_form}",
                ours[0]
            );
            worst_reference_miss = worst_reference_miss.max(relative(theirs[0], closed_form));
            from = 1;
        }
        for (a, b) in ours.iter().zip(theirs).skip(from) {
            worst = worst.max(relative(*a, *b));
        }
    }
    for (a, b) in cv.cvm.iter().zip(numbers(&cv_reference["cvm"])).skip(1) {
        worst = worst.max(relative(*a, b));
    }
    for (a, b) in cv.cvsd.iter().zip(numbers(&cv_reference["cvsd"])).skip(1) {
        worst = worst.max(relative(*a, b));
    }
    assert!(worst < 1e-4, "CV deviance differs by {worst:e} (relative)");
    assert!(relative(cv.cvm[0], cv_reference["cvm"][0].as_f64().unwrap()) < 1e-3);
    assert_eq!(
        cv.index_min,
        cv_reference["index_min"].as_u64().unwrap() as usize
    );
    assert_eq!(
        cv.index_1se,
        cv_reference["index_1se"].as_u64().unwrap() as usize
    );
    assert_eq!(cv.lambda_min, cv_reference["lambda_min"].as_f64().unwrap());
    assert_eq!(cv.lambda_1se, cv_reference["lambda_1se"].as_f64().unwrap());
    eprintln!(
        "logistic LASSO CV: largest relative difference of cvraw/cvm/cvsd {worst:.1e}; \
         the reference misses intercept-only folds' deviance by up to {worst_reference_miss:.1e}"
    );
}

#[test]
fn l1_logistic_matches_statsmodels_and_maps_sklearn_c() {
    let Some(dir) = common::reference_dir("l1_logistic_matches_statsmodels_and_maps_sklearn_c")
    else {
        return;
    };
    let reference = &json(&dir, "survival/ref/gbsg2_survival.json")["landmark_730"]["l1_logistic"];
    let data = landmark(&gbsg2(&dir));
    let n = data.y.len();
    let x = standardised(&data.covariates, &reference["standardisation"]);
    let x_rows = rows(&x);
    let mut fits: Vec<&Value> = reference["fits"].as_array().unwrap().iter().collect();
    // Our λ sequences decrease.
    fits.sort_by(|a, b| {
        b["lambda_glmnet"]
            .as_f64()
            .unwrap()
            .total_cmp(&a["lambda_glmnet"].as_f64().unwrap())
    });
    let lambdas: Vec<f64> = fits
        .iter()
        .map(|f| f["lambda_glmnet"].as_f64().unwrap())
        .collect();
    let path = fit_logistic_path(
        &design(&COVARIATES, &x),
        &data.y,
        &lasso_options(lambdas.clone()),
    )
    .unwrap();
    let (mut worst_coef, mut worst_gap) = (0.0_f64, 0.0_f64);
    for (k, fit) in fits.iter().enumerate() {
        let lambda = lambdas[k];
        // scikit-learn's C is 1/(n·λ).
        let c = fit["sklearn_C"].as_f64().unwrap();
        assert!(relative(lambda_from_sklearn_c(c, n), lambda) < 1e-12);
        let ours = &path.coefficients[k];
        let statsmodels = numbers(&fit["coef_statsmodels_l1"]);
        let difference = max_abs_difference(ours, &statsmodels);
        assert!(difference < 1e-4, "λ {lambda}: {difference:e}");
        worst_coef = worst_coef.max(difference);
        let (loss, _) = logistic_loss_and_gradient(&data.y, &x_rows, ours);
        let objective = loss + lambda * l1(&ours[1..]);
        let theirs = fit["objective_at_statsmodels_solution"].as_f64().unwrap();
        assert!(
            objective <= theirs + 1e-13,
            "λ {lambda}: {objective} above {theirs}"
        );
        assert!(theirs - objective < OBJECTIVE_TOLERANCE);
        worst_gap = worst_gap.max(theirs - objective);
    }
    eprintln!(
        "L1 logistic vs statsmodels: largest coefficient difference {worst_coef:.1e}, objective gap {worst_gap:.1e}"
    );
}

// ---- R glmnet (statsmodels' test suite) ----------------------------------

#[test]
fn cox_fits_match_r_glmnet_by_objective() {
    let Some(dir) = common::reference_dir("cox_fits_match_r_glmnet_by_objective") else {
        return;
    };
    let reference = json(&dir, "survival/ref/r_reference_from_statsmodels_tests.json");
    let fits = reference["glmnet_cox"]["fits"].as_array().unwrap();
    for file in [
        "data/r_ref/survival_data_50_2.csv",
        "data/r_ref/survival_data_100_5.csv",
    ] {
        let at = |lambda: f64| {
            fits.iter()
                .find(|f| f["file"] == file && f["lambda"].as_f64() == Some(lambda))
                .unwrap()
        };
        // Space-separated: time status entry x1..xp; glmnet ignores entry.
        let text = std::fs::read_to_string(dir.join("survival").join(file)).unwrap();
        let table: Vec<Vec<f64>> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split_whitespace().map(|v| v.parse().unwrap()).collect())
            .collect();
        let n = table.len();
        let time: Vec<f64> = table.iter().map(|r| r[0]).collect();
        let event: Vec<bool> = table.iter().map(|r| r[1] == 1.0).collect();
        let p = table[0].len() - 3;
        // Standardised with the n − 1 SD before glmnet, as the R code did.
        let x: Vec<Vec<f64>> = (0..p)
            .map(|j| {
                let column: Vec<f64> = table.iter().map(|r| r[3 + j]).collect();
                let mean = column.iter().sum::<f64>() / n as f64;
                let sd = (column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64)
                    .sqrt();
                column.iter().map(|v| (v - mean) / sd).collect()
            })
            .collect();
        let x_rows = rows(&x);
        let names: Vec<String> = (1..=p).map(|j| format!("x{j}")).collect();
        let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let survival = SurvivalData::new(time.clone(), event.clone()).unwrap();
        let objective = |beta: &[f64], lambda: f64, weight: f64| {
            cox_loss_and_gradient(&time, &event, &x_rows, beta).0 + lambda * weight * l1(beta)
        };

        // Without re-standardisation: the optimum statsmodels reached, and
        // at λ = 0 the unpenalised Breslow estimate.
        let plain = fit_cox_path(
            &design(&name_refs, &x),
            &survival,
            &lasso_options(vec![0.1, 0.0]),
        )
        .unwrap();
        let penalised = at(0.1);
        let statsmodels = numbers(&penalised["statsmodels_fit_regularized_coef"]);
        let ours = objective(&plain.coefficients[0], 0.1, 1.0);
        let theirs = penalised["objective_statsmodels_fit_regularized_coef"]
            .as_f64()
            .unwrap();
        assert!((objective(&statsmodels, 0.1, 1.0) - theirs).abs() < 1e-12);
        assert!(
            ours <= theirs + 1e-13 && theirs - ours < OBJECTIVE_TOLERANCE,
            "{file}: {ours} vs {theirs}"
        );
        let (_, gradient) = cox_loss_and_gradient(&time, &event, &x_rows, &plain.coefficients[0]);
        assert!(kkt_violation(&gradient, &plain.coefficients[0], 0.1) < KKT_TOLERANCE);
        assert!(max_abs_difference(&plain.coefficients[0], &statsmodels) < 1e-6);
        let unpenalised = numbers(&at(0.0)["statsmodels_breslow_unpenalised"]);
        let (_, gradient) = cox_loss_and_gradient(&time, &event, &x_rows, &plain.coefficients[1]);
        assert!(
            gradient.iter().all(|g| g.abs() < KKT_TOLERANCE),
            "{file}: score {gradient:?}"
        );
        assert!(max_abs_difference(&plain.coefficients[1], &unpenalised) < 1e-6);

        // As R ran it (standardize = TRUE re-scales by the 1/n SD,
        // √((n−1)/n) here, so the penalty on these columns carries that
        // weight): at least as good as glmnet's own coefficients, and at
        // scikit-survival's emulation of it.
        let standardized = fit_cox_path(
            &design(&name_refs, &x),
            &survival,
            &PenaltyOptions {
                lambda: Some(vec![0.1, 0.0]),
                ..PenaltyOptions::default()
            },
        )
        .unwrap();
        let weight = ((n - 1) as f64 / n as f64).sqrt();
        let ours = objective(&standardized.coefficients[0], 0.1, weight);
        let r = objective(&numbers(&penalised["r_glmnet_coef"]), 0.1, weight);
        let emulated = numbers(&penalised["sksurv_coxnet_coef_glmnet_standardize_TRUE_emulated"]);
        let sksurv = objective(&emulated, 0.1, weight);
        assert!(ours <= r, "{file}: {ours} above R glmnet's {r}");
        assert!(
            ours <= sksurv + 1e-13 && sksurv - ours < 1e-7,
            "{file}: {ours} vs {sksurv}"
        );
        let to_r = max_abs_difference(
            &standardized.coefficients[0],
            &numbers(&penalised["r_glmnet_coef"]),
        );
        let to_sksurv = max_abs_difference(&standardized.coefficients[0], &emulated);
        assert!(to_r < 0.02, "{file}: {to_r}");
        assert!(to_sksurv < 1e-4, "{file}: {to_sksurv}");
        eprintln!(
            "{file}: objective {ours:.10} vs R glmnet {r:.10} (R is {:.1e} above), scikit-survival {sksurv:.10}; \
             coefficients differ from R by {to_r:.1e}, from scikit-survival by {to_sksurv:.1e}",
            r - ours
        );
    }
}

/// glmnet 4.1-6 (R 4.2.2), `glmnet(x, gbsg2$event, family = "binomial")`
/// on the nine covariates with every default: its generated path stops
/// after 56 of 100 λ, when the deviance ratio gains less than `fdev` =
/// 1e-5 (last λ 0.0007202369237, deviance ratio 0.0898437).
const GLMNET_GBSG2_BINOMIAL_PATH_LENGTH: usize = 56;

#[test]
fn a_generated_logistic_path_stops_where_glmnets_does() {
    let Some(dir) = common::reference_dir("a_generated_logistic_path_stops_where_glmnets_does")
    else {
        return;
    };
    let data = gbsg2(&dir);
    let design = design(&COVARIATES, &data.covariates);
    let path = fit_logistic_path(&design, &data.event, &PenaltyOptions::default()).unwrap();
    assert_eq!(path.lambda.len(), GLMNET_GBSG2_BINOMIAL_PATH_LENGTH);
    assert!((path.lambda[55] - 0.0007202369237).abs() < 1e-12);
    assert!((path.dev_ratio[55] - 0.0898437).abs() < 1e-5);
    // A sequence given by the user is fitted to its end.
    let given: Vec<f64> = (0..100).map(|k| path.lambda[0] * 0.9_f64.powi(k)).collect();
    let full = fit_logistic_path(
        &design,
        &data.event,
        &PenaltyOptions {
            lambda: Some(given),
            ..PenaltyOptions::default()
        },
    )
    .unwrap();
    assert_eq!(full.lambda.len(), 100);
    // Cross-validation folds use the full fit's (shortened) sequence.
    let cv = cv_logistic(
        &design,
        &data.event,
        &PenaltyOptions::default(),
        &CvOptions::default(),
    )
    .unwrap();
    assert_eq!(cv.path.lambda.len(), GLMNET_GBSG2_BINOMIAL_PATH_LENGTH);
    assert_eq!(cv.cv.cvm.len(), GLMNET_GBSG2_BINOMIAL_PATH_LENGTH);
}
