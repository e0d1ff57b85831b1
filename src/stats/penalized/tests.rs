//! Behaviour of whole penalised fits: KKT conditions on random problems,
//! the path's shape, penalty factors, degenerate inputs and
//! cross-validation's independence from the thread count. Gradients here
//! are recomputed from the definitions, not by the library.

use proptest::prelude::*;

use super::*;
use crate::stats::SurvivalData;

fn design_of(columns: &[Vec<f64>]) -> Design {
    Design::from_columns(
        columns
            .iter()
            .enumerate()
            .map(|(j, values)| (format!("x{j}"), values.clone()))
            .collect(),
    )
    .unwrap()
}

/// Gradient of −(1/n)·Breslow log partial likelihood, from its definition.
fn cox_gradient(time: &[f64], event: &[bool], x: &[Vec<f64>], beta: &[f64]) -> Vec<f64> {
    let n = time.len();
    let eta: Vec<f64> = (0..n)
        .map(|i| x.iter().zip(beta).map(|(column, b)| column[i] * b).sum())
        .collect();
    let mut gradient = vec![0.0; beta.len()];
    for i in (0..n).filter(|&i| event[i]) {
        let at_risk: Vec<usize> = (0..n).filter(|&k| time[k] >= time[i]).collect();
        let s0: f64 = at_risk.iter().map(|&k| eta[k].exp()).sum();
        for (j, column) in x.iter().enumerate() {
            let s1: f64 = at_risk.iter().map(|&k| eta[k].exp() * column[k]).sum();
            gradient[j] -= (column[i] - s1 / s0) / n as f64;
        }
    }
    gradient
}

/// Gradient of −(1/n)·binomial log-likelihood, intercept first.
fn logistic_gradient(y: &[bool], x: &[Vec<f64>], coefficients: &[f64]) -> Vec<f64> {
    let n = y.len();
    let mut gradient = vec![0.0; coefficients.len()];
    for i in 0..n {
        let eta = coefficients[0]
            + x.iter()
                .zip(&coefficients[1..])
                .map(|(column, b)| column[i] * b)
                .sum::<f64>();
        let residual = if y[i] { 1.0 } else { 0.0 } - 1.0 / (1.0 + (-eta).exp());
        gradient[0] -= residual / n as f64;
        for (j, column) in x.iter().enumerate() {
            gradient[j + 1] -= residual * column[i] / n as f64;
        }
    }
    gradient
}

/// Largest violation of the elastic-net KKT conditions for slopes with
/// penalty factors `factor`: g_j + λ·pf_j·(α·sign(β_j) + (1−α)·β_j) = 0
/// when β_j ≠ 0, |g_j| ≤ λ·α·pf_j when β_j = 0.
fn kkt_violation(gradient: &[f64], beta: &[f64], lambda: f64, alpha: f64, factor: &[f64]) -> f64 {
    gradient
        .iter()
        .zip(beta)
        .zip(factor)
        .map(|((&g, &b), &pf)| {
            if b != 0.0 {
                (g + lambda * pf * (alpha * b.signum() + (1.0 - alpha) * b)).abs()
            } else {
                (g.abs() - lambda * alpha * pf).max(0.0)
            }
        })
        .fold(0.0, f64::max)
}

fn penalty(beta: &[f64], alpha: f64) -> f64 {
    beta.iter()
        .map(|b| alpha * b.abs() + 0.5 * (1.0 - alpha) * b * b)
        .sum()
}

fn unstandardised(alpha: f64) -> PenaltyOptions {
    PenaltyOptions {
        alpha,
        nlambda: 8,
        lambda_min_ratio: Some(0.05),
        standardize: false,
        ..PenaltyOptions::default()
    }
}

/// Asserts the path's shape: all zero at λ_max, and the penalty of the
/// solution never increasing with λ (from the optimality of each point
/// against the other: (λ₂ − λ₁)·(P(β₂) − P(β₁)) ≤ 0).
fn assert_path_shape(path: &PenalizedPath, slopes: impl Fn(usize) -> Vec<f64>) {
    assert!(slopes(0).iter().all(|&b| b == 0.0), "{:?}", slopes(0));
    for k in 1..path.lambda.len() {
        let before = penalty(&slopes(k - 1), path.alpha);
        let after = penalty(&slopes(k), path.alpha);
        assert!(
            before <= after + 1e-9,
            "penalty fell from {after} to {before} as λ grew"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn cox_paths_satisfy_kkt_on_random_problems(
        rows in proptest::collection::vec(
            (1u8..8, any::<bool>(), proptest::collection::vec(-2.0f64..2.0, 3)),
            12..30,
        ),
        terms in 1usize..=3,
        alpha in prop_oneof![Just(1.0), Just(0.5)],
    ) {
        let time: Vec<f64> = rows.iter().map(|r| f64::from(r.0)).collect();
        let mut event: Vec<bool> = rows.iter().map(|r| r.1).collect();
        event[0] = true;
        let x: Vec<Vec<f64>> = (0..terms).map(|j| rows.iter().map(|r| r.2[j]).collect()).collect();
        prop_assume!(x.iter().all(|column| column.iter().any(|&v| v != column[0])));
        let survival = SurvivalData::new(time.clone(), event.clone()).unwrap();
        let fitted = fit_cox_path(&design_of(&x), &survival, &unstandardised(alpha));
        // A null score of exactly zero (e.g. every subject at risk at the
        // only event time has an event) leaves no path to generate: the fit
        // must say so rather than return one.
        let null_score = cox_gradient(&time, &event, &x, &vec![0.0; terms]);
        let path = match fitted {
            Err(StatsError::InvalidParameter { name, .. }) if name == "lambda" => {
                prop_assert!(
                    null_score.iter().all(|g| g.abs() < 1e-12),
                    "a path was refused though the null score is {null_score:?}"
                );
                return Ok(());
            }
            other => other.unwrap(),
        };
        for (k, &lambda) in path.lambda.iter().enumerate() {
            let beta = &path.coefficients[k];
            let gradient = cox_gradient(&time, &event, &x, beta);
            let violation = kkt_violation(&gradient, beta, lambda, alpha, &vec![1.0; terms]);
            prop_assert!(violation < 1e-9, "λ {lambda}: KKT violation {violation:e}");
        }
        assert_path_shape(&path, |k| path.coefficients[k].clone());
    }

    #[test]
    fn logistic_paths_satisfy_kkt_on_random_problems(
        rows in proptest::collection::vec(
            (any::<bool>(), proptest::collection::vec(-2.0f64..2.0, 3)),
            12..30,
        ),
        terms in 1usize..=3,
        alpha in prop_oneof![Just(1.0), Just(0.5)],
    ) {
        let mut y: Vec<bool> = rows.iter().map(|r| r.0).collect();
        y[0] = true;
        y[1] = false;
        let x: Vec<Vec<f64>> = (0..terms).map(|j| rows.iter().map(|r| r.1[j]).collect()).collect();
        prop_assume!(x.iter().all(|column| column.iter().any(|&v| v != column[0])));
        let path = fit_logistic_path(&design_of(&x), &y, &unstandardised(alpha)).unwrap();
        for (k, &lambda) in path.lambda.iter().enumerate() {
            let coefficients = &path.coefficients[k];
            let gradient = logistic_gradient(&y, &x, coefficients);
            prop_assert!(gradient[0].abs() < 1e-10, "intercept gradient {}", gradient[0]);
            let violation =
                kkt_violation(&gradient[1..], &coefficients[1..], lambda, alpha, &vec![1.0; terms]);
            prop_assert!(violation < 1e-9, "λ {lambda}: KKT violation {violation:e}");
        }
        assert_path_shape(&path, |k| path.coefficients[k][1..].to_vec());
    }
}

/// A small survival problem with ties and a clear signal in x0.
fn small_cox() -> (Vec<f64>, Vec<bool>, Vec<Vec<f64>>) {
    let time = vec![1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
    let event = vec![
        true, true, false, true, true, false, true, true, false, true, true, false,
    ];
    let x0 = vec![
        2.0, 1.5, 0.3, 1.0, 0.8, -0.2, 0.1, -0.5, 0.4, -1.0, -1.2, -2.0,
    ];
    let x1 = vec![
        0.3, -0.4, 1.2, 0.5, -0.9, 0.7, -0.1, 0.2, -1.5, 0.6, 0.0, -0.3,
    ];
    (time, event, vec![x0, x1])
}

#[test]
fn an_unpenalised_term_is_fitted_at_lambda_max() {
    let (time, event, x) = small_cox();
    let survival = SurvivalData::new(time.clone(), event.clone()).unwrap();
    let options = PenaltyOptions {
        penalty_factor: Some(vec![1.0, 0.0]),
        ..unstandardised(1.0)
    };
    let path = fit_cox_path(&design_of(&x), &survival, &options).unwrap();
    // Factors (1, 0) rescale to (2, 0).
    assert_eq!(path.penalty_factor, vec![2.0, 0.0]);
    let first = &path.coefficients[0];
    assert_eq!(first[0], 0.0);
    assert!(first[1] != 0.0);
    for (k, &lambda) in path.lambda.iter().enumerate() {
        let beta = &path.coefficients[k];
        let gradient = cox_gradient(&time, &event, &x, beta);
        // The unpenalised term is at its score zero at every λ.
        assert!(gradient[1].abs() < 1e-9, "λ {lambda}: {}", gradient[1]);
        assert!(kkt_violation(&gradient, beta, lambda, 1.0, &path.penalty_factor) < 1e-9);
    }
}

#[test]
fn one_predictor_solution_solves_the_one_dimensional_kkt_equation() {
    // With one predictor the LASSO solution at λ < λ_max is the root of
    // ∂loss/∂β + λ·sign(β) = 0; find it by bisection on the definition.
    let (time, event, x) = small_cox();
    let x = vec![x[0].clone()];
    let survival = SurvivalData::new(time.clone(), event.clone()).unwrap();
    let path = fit_cox_path(&design_of(&x), &survival, &unstandardised(1.0)).unwrap();
    let lambda = path.lambda[4];
    let beta = path.coefficients[4][0];
    let slope = |b: f64| cox_gradient(&time, &event, &x, &[b])[0] + lambda * b.signum();
    let (mut lo, mut hi) = if beta > 0.0 {
        (1e-12, 10.0)
    } else {
        (-10.0, -1e-12)
    };
    assert!(slope(lo) * slope(hi) < 0.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if slope(mid) * slope(lo) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    assert!((beta - 0.5 * (lo + hi)).abs() < 1e-9, "{beta} vs {lo}");
}

#[test]
fn ridge_keeps_every_term_and_satisfies_its_kkt() {
    let (time, event, x) = small_cox();
    let survival = SurvivalData::new(time.clone(), event.clone()).unwrap();
    let path = fit_cox_path(&design_of(&x), &survival, &unstandardised(0.0)).unwrap();
    // A ridge path starts at the λ_max of α = 0.001, where coefficients
    // are small but not 0.
    let last = path.lambda.len() - 1;
    assert!(path.coefficients[last].iter().all(|&b| b != 0.0));
    for (k, &lambda) in path.lambda.iter().enumerate() {
        let beta = &path.coefficients[k];
        let gradient = cox_gradient(&time, &event, &x, beta);
        assert!(kkt_violation(&gradient, beta, lambda, 0.0, &[1.0, 1.0]) < 1e-9);
    }
}

#[test]
fn standardisation_returns_coefficients_on_the_original_scale() {
    // Scaling a column by 10 with standardize = true leaves the fit
    // unchanged on the standardised scale, so its coefficient shrinks 10×.
    let (time, event, x) = small_cox();
    let survival = SurvivalData::new(time, event).unwrap();
    let scaled = vec![x[0].iter().map(|v| 10.0 * v + 3.0).collect(), x[1].clone()];
    let options = PenaltyOptions {
        nlambda: 6,
        ..PenaltyOptions::default()
    };
    let plain = fit_cox_path(&design_of(&x), &survival, &options).unwrap();
    let wide = fit_cox_path(&design_of(&scaled), &survival, &options).unwrap();
    for k in 0..6 {
        assert!((plain.lambda[k] - wide.lambda[k]).abs() < 1e-14);
        assert!((plain.coefficients[k][0] - 10.0 * wide.coefficients[k][0]).abs() < 1e-9);
        assert!((plain.coefficients[k][1] - wide.coefficients[k][1]).abs() < 1e-9);
    }
}

#[test]
fn logistic_intercept_absorbs_the_centring() {
    // Shifting a predictor changes only the original-scale intercept.
    let x = vec![vec![0.1, 0.5, 0.9, 1.4, 2.0, 2.2, 3.1, 3.5]];
    let shifted = vec![x[0].iter().map(|v| v + 100.0).collect()];
    let y = [false, false, true, false, true, false, true, true];
    let options = PenaltyOptions {
        nlambda: 5,
        ..PenaltyOptions::default()
    };
    let a = fit_logistic_path(&design_of(&x), &y, &options).unwrap();
    let b = fit_logistic_path(&design_of(&shifted), &y, &options).unwrap();
    for k in 0..5 {
        let slope = a.coefficients[k][1];
        assert!((slope - b.coefficients[k][1]).abs() < 1e-9);
        assert!((a.coefficients[k][0] - (b.coefficients[k][0] + 100.0 * slope)).abs() < 1e-7);
    }
}

#[test]
fn a_constant_column_keeps_coefficient_zero() {
    let (time, event, x) = small_cox();
    let survival = SurvivalData::new(time, event).unwrap();
    let with_constant = vec![x[0].clone(), vec![4.2; 12], x[1].clone()];
    let path = fit_cox_path(
        &design_of(&with_constant),
        &survival,
        &PenaltyOptions::default(),
    )
    .unwrap();
    let without = fit_cox_path(&design_of(&x), &survival, &PenaltyOptions::default()).unwrap();
    assert!(path.coefficients.iter().all(|beta| beta[1] == 0.0));
    // The other terms see the same problem, with the penalty factors of
    // three terms (rescaled to sum to 3: still 1 each).
    assert_eq!(path.lambda_max, without.lambda_max);
    let last = path.lambda.len() - 1;
    assert!((path.coefficients[last][2] - without.coefficients[last][1]).abs() < 1e-9);
}

#[test]
fn lambda_above_lambda_max_gives_the_null_model() {
    let (time, event, x) = small_cox();
    let survival = SurvivalData::new(time, event).unwrap();
    let probe = fit_cox_path(&design_of(&x), &survival, &PenaltyOptions::default()).unwrap();
    let lambda_max = probe.lambda_max;
    let path = fit_cox_path(
        &design_of(&x),
        &survival,
        &PenaltyOptions {
            lambda: Some(vec![2.0 * lambda_max, lambda_max, 0.999 * lambda_max]),
            ..PenaltyOptions::default()
        },
    )
    .unwrap();
    assert_eq!(path.nonzero, vec![0, 0, 1]);
    assert!((path.deviance[0] - path.null_deviance).abs() < 1e-12);
    assert!(path.dev_ratio[0].abs() < 1e-14);
}

#[test]
fn more_terms_than_observations_fit_on_the_default_grid() {
    // p > n: the default ratio is 1e-2 and the path still satisfies KKT.
    let n = 10;
    let x: Vec<Vec<f64>> = (0..15)
        .map(|j| {
            (0..n)
                .map(|i| ((i * 7 + j * 3) % 11) as f64 - 5.0 + 0.1 * j as f64)
                .collect()
        })
        .collect();
    let y: Vec<bool> = (0..n).map(|i| i % 3 == 0 || i == 4).collect();
    let path = fit_logistic_path(&design_of(&x), &y, &PenaltyOptions::default()).unwrap();
    let ratio = path.lambda[99] / path.lambda[0];
    assert!((ratio - 1e-2).abs() < 1e-14);
}

#[test]
fn cross_validation_does_not_depend_on_the_thread_count() {
    let (time, event, x) = small_cox();
    let survival = SurvivalData::new(time, event).unwrap();
    let design = design_of(&x);
    let options = PenaltyOptions {
        nlambda: 10,
        ..PenaltyOptions::default()
    };
    let cv = CvOptions {
        folds: Folds::Given(vec![1, 2, 3, 3, 2, 1, 1, 2, 3, 3, 2, 1]),
        ..CvOptions::default()
    };
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| cv_cox(&design, &survival, &options, &cv).unwrap())
    };
    let one = run(1);
    let three = run(3);
    assert_eq!(one.cv.cvraw, three.cv.cvraw);
    assert_eq!(one.path.coefficients, three.path.coefficients);
    assert_eq!(one.cv.index_min, three.cv.index_min);
}

/// Breslow log partial likelihood from its definition.
fn cox_loglik(time: &[f64], event: &[bool], eta: &[f64]) -> f64 {
    (0..time.len())
        .filter(|&i| event[i])
        .map(|i| {
            let at_risk: f64 = (0..time.len())
                .filter(|&k| time[k] >= time[i])
                .map(|k| eta[k].exp())
                .sum();
            eta[i] - at_risk.ln()
        })
        .sum()
}

#[test]
fn cox_cross_validation_scores_folds_as_cv_glmnet() {
    // Grouped: (−2·ll_all(β₋ₖ) + 2·ll_train(β₋ₖ))/events_k; ungrouped:
    // −2·ll_k(β₋ₖ)/events_k, with β₋ₖ fitted without fold k.
    let (time, event, x) = small_cox();
    let survival = SurvivalData::new(time.clone(), event.clone()).unwrap();
    let design = design_of(&x);
    let foldid = vec![1, 2, 3, 3, 2, 1, 1, 2, 3, 3, 2, 1];
    let options = PenaltyOptions {
        nlambda: 5,
        lambda_min_ratio: Some(0.1),
        ..PenaltyOptions::default()
    };
    let cv = |grouped: bool| {
        cv_cox(
            &design,
            &survival,
            &options,
            &CvOptions {
                folds: Folds::Given(foldid.clone()),
                grouped,
                cox_saturated_term: false,
            },
        )
        .unwrap()
    };
    let (grouped, ungrouped) = (cv(true), cv(false));
    let eta_of = |rows: &[usize], beta: &[f64]| -> Vec<f64> {
        rows.iter()
            .map(|&i| x.iter().zip(beta).map(|(column, b)| column[i] * b).sum())
            .collect()
    };
    let pick = |rows: &[usize]| -> (Vec<f64>, Vec<bool>) {
        (
            rows.iter().map(|&i| time[i]).collect(),
            rows.iter().map(|&i| event[i]).collect(),
        )
    };
    let everyone: Vec<usize> = (0..12).collect();
    for fold in 1..=3 {
        let (train, test): (Vec<usize>, Vec<usize>) =
            everyone.iter().partition(|&&i| foldid[i] != fold);
        let training = fit_cox_path(
            &design.subset(&train),
            &survival.subset(&train),
            &PenaltyOptions {
                lambda: Some(grouped.path.lambda.clone()),
                ..options.clone()
            },
        )
        .unwrap();
        let events = test.iter().filter(|&&i| event[i]).count() as f64;
        assert_eq!(grouped.cv.fold_weights[fold - 1], events);
        let (train_time, train_event) = pick(&train);
        let (test_time, test_event) = pick(&test);
        for (l, beta) in training.coefficients.iter().enumerate() {
            let all = cox_loglik(&time, &event, &eta_of(&everyone, beta));
            let within = cox_loglik(&train_time, &train_event, &eta_of(&train, beta));
            let held_out = cox_loglik(&test_time, &test_event, &eta_of(&test, beta));
            let expected_grouped = -2.0 * (all - within) / events;
            let expected_ungrouped = -2.0 * held_out / events;
            assert!((grouped.cv.cvraw[fold - 1][l] - expected_grouped).abs() < 1e-9);
            assert!((ungrouped.cv.cvraw[fold - 1][l] - expected_ungrouped).abs() < 1e-9);
        }
    }
}

#[test]
fn cross_validation_refuses_a_fold_without_events_and_too_many_folds() {
    let (time, event, x) = small_cox();
    let survival = SurvivalData::new(time, event).unwrap();
    let design = design_of(&x);
    // Fold 3 holds rows 2, 5, 8, 11: all censored.
    let foldid = vec![1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3];
    let result = cv_cox(
        &design,
        &survival,
        &PenaltyOptions::default(),
        &CvOptions {
            folds: Folds::Given(foldid),
            ..CvOptions::default()
        },
    );
    assert!(
        matches!(&result, Err(StatsError::NoEvents { what }) if what.contains("fold 3")),
        "{result:?}"
    );
    let result = cv_cox(
        &design,
        &survival,
        &PenaltyOptions::default(),
        &CvOptions {
            folds: Folds::Seeded {
                nfolds: 13,
                seed: 1,
            },
            ..CvOptions::default()
        },
    );
    assert!(matches!(
        result,
        Err(StatsError::TooFewObservations {
            found: 12,
            needed: 13,
            ..
        })
    ));
}

#[test]
fn logistic_cv_refuses_a_training_set_with_one_class() {
    let x = vec![vec![0.1, 0.5, 0.9, 1.4, 2.0, 2.2]];
    let y = [true, false, true, true, true, true];
    // Without fold 2 (row 1), every training outcome is 1.
    let result = cv_logistic(
        &design_of(&x),
        &y,
        &PenaltyOptions::default(),
        &CvOptions {
            folds: Folds::Given(vec![1, 2, 3, 1, 3, 1]),
            ..CvOptions::default()
        },
    );
    assert!(
        matches!(&result, Err(StatsError::TooFewObservations { what, .. }) if what.contains("fold 2")),
        "{result:?}"
    );
}

#[test]
fn the_path_serialises_with_the_cli_shape() {
    let (time, event, x) = small_cox();
    let survival = SurvivalData::new(time, event).unwrap();
    let result = cv_cox(
        &design_of(&x),
        &survival,
        &PenaltyOptions {
            nlambda: 4,
            ..PenaltyOptions::default()
        },
        &CvOptions {
            folds: Folds::Seeded {
                nfolds: 3,
                seed: 11,
            },
            ..CvOptions::default()
        },
    )
    .unwrap();
    let value = serde_json::to_value(&result).unwrap();
    assert_eq!(value["lambda"].as_array().unwrap().len(), 4);
    assert_eq!(value["coefficients"][0].as_array().unwrap().len(), 2);
    assert_eq!(value["terms"][1], "x1");
    assert_eq!(value["family"], "cox");
    assert!(value["cv"]["lambda_min"].is_f64());
    assert!(value["cv"]["lambda_1se"].is_f64());
    assert_eq!(value["cv"]["cvm"].as_array().unwrap().len(), 4);
}
