//! Unit tests of the Cox fit: small cases solved by hand, degenerate input,
//! and invariants (row order, covariate shifts, thread count).

use proptest::prelude::*;

use super::*;
use crate::stats::{Design, StatsError, SurvivalData};

fn design(columns: &[(&str, &[f64])]) -> Design {
    Design::from_columns(
        columns
            .iter()
            .map(|(name, values)| ((*name).to_owned(), values.to_vec()))
            .collect(),
    )
    .unwrap()
}

fn data(time: &[f64], event: &[bool]) -> SurvivalData {
    SurvivalData::new(time.to_vec(), event.to_vec()).unwrap()
}

fn efron() -> CoxOptions {
    CoxOptions::default()
}

fn breslow() -> CoxOptions {
    CoxOptions {
        ties: Ties::Breslow,
        ..CoxOptions::default()
    }
}

fn close(got: f64, want: f64, tolerance: f64) {
    assert!(
        (got - want).abs() <= tolerance,
        "{got} vs {want} (difference {:e})",
        got - want
    );
}

/// A (t 1, event, x 1), B (t 2, event, x 0), C (t 3, censored, x 1).
/// With u = exp(β): l(β) = β − log(2u + 1) − log(1 + u);
/// U = 1 − 2u/(2u + 1) − u/(1 + u) = 0 ⇔ 2u² = 1 ⇔ β = −ln(2)/2;
/// I = 2u/(2u + 1)² + u/(1 + u)² = 6√2 − 8 at u = 1/√2;
/// l(β̂) = −ln(2)/2 − ln(1 + √2) − ln(1 + 1/√2); l(0) = −ln 3 − ln 2;
/// score test at 0: U = 1 − 2/3 − 1/2 = −1/6, I = 2/9 + 1/4 = 17/36,
/// U²/I = 1/17.
#[test]
fn three_subjects_by_hand() {
    let d = data(&[1.0, 2.0, 3.0], &[true, true, false]);
    let x = design(&[("x", &[1.0, 0.0, 1.0])]);
    for options in [efron(), breslow()] {
        let fit = CoxModel::fit(&d, &x, &options).unwrap();
        let beta = -(2.0f64.ln()) / 2.0;
        let information = 6.0 * 2.0f64.sqrt() - 8.0;
        close(fit.terms[0].coef, beta, 1e-12);
        close(fit.terms[0].se, 1.0 / information.sqrt(), 1e-12);
        close(fit.vcov[0][0], 1.0 / information, 1e-12);
        close(fit.terms[0].hr, 0.5f64.sqrt(), 1e-12);
        close(fit.terms[0].z, beta * information.sqrt(), 1e-12);
        let loglik = beta - (1.0 + 2.0f64.sqrt()).ln() - (1.0 + 0.5f64.sqrt()).ln();
        close(fit.loglik, loglik, 1e-12);
        close(fit.loglik_null, -(3.0f64.ln()) - 2.0f64.ln(), 1e-12);
        close(fit.lr_test.statistic, 2.0 * (loglik + 6.0f64.ln()), 1e-12);
        close(fit.score_test.statistic, 1.0 / 17.0, 1e-12);
        close(fit.wald_test.statistic, beta * beta * information, 1e-12);
        assert_eq!((fit.n, fit.events, fit.lr_test.df), (3, 2, 1));
        // 95% interval: exp(β ± 1.959963984540054·se).
        let se = 1.0 / information.sqrt();
        close(
            fit.terms[0].ci_lower,
            (beta - 1.959963984540054 * se).exp(),
            1e-10,
        );
        close(
            fit.terms[0].ci_upper,
            (beta + 1.959963984540054 * se).exp(),
            1e-10,
        );
        // Concordance of the scores xβ = (β, 0, β), β < 0: (A,B): A dies
        // first with the lower score, discordant; (A,C): equal scores, tied;
        // (B,C): B dies first with the higher score, concordant.
        // C = (1 + 0.5) / 3.
        close(fit.concordance, 0.5, 1e-15);
    }
}

/// Two events tied at t = 1 (A with x 1, B with x 0) and C (x 0) censored
/// at t = 2, u = exp(β).
/// Breslow: l = β − 2·log(u + 2); U = 1 − 2u/(u + 2) = 0 ⇔ u = 2.
/// Efron: l = β − log(u + 2) − log(u/2 + 3/2);
/// U = 1 − u/(u + 2) − u/(u + 3) = 0 ⇔ u² = 6.
/// At β = 0: Breslow l = −2 ln 3, Efron l = −ln 3 − ln 2.
#[test]
fn tied_events_efron_and_breslow_by_hand() {
    let d = data(&[1.0, 1.0, 2.0], &[true, true, false]);
    let x = design(&[("x", &[1.0, 0.0, 0.0])]);
    let fit = CoxModel::fit(&d, &x, &breslow()).unwrap();
    close(fit.terms[0].coef, 2.0f64.ln(), 1e-12);
    close(fit.loglik_null, -2.0 * 3.0f64.ln(), 1e-12);
    close(fit.loglik, 2.0f64.ln() - 2.0 * 4.0f64.ln(), 1e-12);
    // Breslow information: 2·u·2/(u + 2)² = 4·2/16 = 1/2 at u = 2.
    close(fit.vcov[0][0], 2.0, 1e-10);
    let fit = CoxModel::fit(&d, &x, &efron()).unwrap();
    let u = 6.0f64.sqrt();
    close(fit.terms[0].coef, u.ln(), 1e-12);
    close(fit.loglik_null, -(3.0f64.ln()) - 2.0f64.ln(), 1e-12);
    close(
        fit.loglik,
        u.ln() - (u + 2.0).ln() - (u / 2.0 + 1.5).ln(),
        1e-12,
    );
    // Efron information: 2u/(u + 2)² + 3u/(u + 3)² (from U above).
    let information = 2.0 * u / (u + 2.0).powi(2) + 3.0 * u / (u + 3.0).powi(2);
    close(fit.vcov[0][0], 1.0 / information, 1e-10);
    assert_eq!(fit.ties, Ties::Efron);
}

#[test]
fn strata_have_their_own_baseline() {
    // The three-subject case twice, as two strata: same β, twice the
    // log-likelihood; pooled without strata the answer differs.
    let d = data(
        &[1.0, 2.0, 3.0, 1.5, 2.5, 3.5],
        &[true, true, false, true, true, false],
    );
    let x = design(&[("x", &[1.0, 0.0, 1.0, 1.0, 0.0, 1.0])]);
    let options = CoxOptions {
        strata: Some(["a", "a", "a", "b", "b", "b"].map(String::from).to_vec()),
        ..CoxOptions::default()
    };
    let fit = CoxModel::fit(&d, &x, &options).unwrap();
    close(fit.terms[0].coef, -(2.0f64.ln()) / 2.0, 1e-12);
    let loglik = -(2.0f64.ln()) / 2.0 - (1.0 + 2.0f64.sqrt()).ln() - (1.0 + 0.5f64.sqrt()).ln();
    close(fit.loglik, 2.0 * loglik, 1e-12);
    assert_eq!(fit.strata, 2);
    let pooled = CoxModel::fit(&d, &x, &efron()).unwrap();
    assert!((pooled.terms[0].coef - fit.terms[0].coef).abs() > 1e-3);
    // Baseline at the mean x (2/3): each stratum from its own risk sets.
    let baseline = fit.baseline_cumulative_hazard().unwrap();
    assert_eq!(baseline.len(), 2);
    assert_eq!(baseline[1].stratum, "b");
    assert_eq!(baseline[1].time, vec![1.5, 2.5, 3.5]);
    // H(1.5) = 1 / Σ exp((x − 2/3)β) over all three of stratum b.
    let beta = fit.terms[0].coef;
    let weight = |x: f64| ((x - 2.0 / 3.0) * beta).exp();
    close(
        baseline[1].cumulative_hazard[0],
        1.0 / (2.0 * weight(1.0) + weight(0.0)),
        1e-12,
    );
}

#[test]
fn degenerate_input_is_refused_by_name() {
    let d = data(&[1.0, 2.0, 3.0, 4.0], &[true, false, true, false]);
    let censored = data(&[1.0, 2.0, 3.0, 4.0], &[false; 4]);
    let x = design(&[("x", &[1.0, 0.0, 2.0, 1.0])]);
    assert!(matches!(
        CoxModel::fit(&censored, &x, &efron()),
        Err(StatsError::NoEvents { .. })
    ));
    let constant = design(&[("x", &[1.0, 0.0, 2.0, 1.0]), ("k", &[3.0; 4])]);
    match CoxModel::fit(&d, &constant, &efron()) {
        Err(StatsError::Singular { detail }) => {
            assert!(detail.contains("\"k\" is constant"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
    let aliased = design(&[
        ("x", &[1.0, 0.0, 2.0, 1.0]),
        ("y", &[0.0, 1.0, 1.0, 3.0]),
        ("z", &[2.0, 1.0, 5.0, 5.0]),
    ]);
    // z = 2x + y.
    match CoxModel::fit(&d, &aliased, &efron()) {
        Err(StatsError::Singular { detail }) => {
            assert!(
                detail.contains("\"z\" is a linear combination of \"x\", \"y\""),
                "{detail}"
            )
        }
        other => panic!("{other:?}"),
    }
    let short = design(&[("x", &[1.0, 0.0, 2.0])]);
    assert!(matches!(
        CoxModel::fit(&d, &short, &efron()),
        Err(StatsError::LengthMismatch { .. })
    ));
    let bad_level = CoxOptions {
        conf_level: 1.0,
        ..CoxOptions::default()
    };
    assert!(matches!(
        CoxModel::fit(&d, &x, &bad_level),
        Err(StatsError::InvalidParameter { .. })
    ));
    let bad_strata = CoxOptions {
        strata: Some(vec!["a".to_owned()]),
        ..CoxOptions::default()
    };
    assert!(matches!(
        CoxModel::fit(&d, &x, &bad_strata),
        Err(StatsError::LengthMismatch { .. })
    ));
    // A covariate that is the stratum: no variation within the risk sets.
    let by_stratum = CoxOptions {
        strata: Some(["a", "a", "b", "b"].map(String::from).to_vec()),
        ..CoxOptions::default()
    };
    let stratum_column = design(&[("x", &[1.0, 0.0, 2.0, 1.0]), ("s", &[0.0, 0.0, 1.0, 1.0])]);
    match CoxModel::fit(&d, &stratum_column, &by_stratum) {
        Err(StatsError::Singular { detail }) => assert!(detail.contains("\"s\""), "{detail}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn monotone_likelihood_is_separation() {
    // Every subject with x = 1 has the event before any with x = 0: the
    // partial likelihood rises for ever with β.
    let d = data(
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        &[true, true, true, true, false, true],
    );
    let x = design(&[
        ("age", &[50.0, 61.0, 55.0, 70.0, 64.0, 58.0]),
        ("marker", &[1.0, 1.0, 1.0, 0.0, 0.0, 0.0]),
    ]);
    match CoxModel::fit(&d, &x, &efron()) {
        Err(StatsError::Separation { detail }) => {
            assert!(detail.contains("\"marker\""), "{detail}");
            assert!(!detail.contains("\"age\""), "{detail}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn linear_combinations() {
    let d = data(
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        &[true, true, false, true, true, false, true],
    );
    let x = design(&[
        ("a", &[1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0]),
        ("b", &[0.5, 1.5, 0.2, 2.0, 1.0, 0.1, 3.0]),
    ]);
    let fit = CoxModel::fit(&d, &x, &efron()).unwrap();
    // a + 2b: variance V_aa + 4 V_ab + 4 V_bb.
    let combination = fit.linear_combination(&[("a", 1.0), ("b", 2.0)]).unwrap();
    let v = &fit.vcov;
    close(
        combination.log_hr,
        fit.terms[0].coef + 2.0 * fit.terms[1].coef,
        1e-14,
    );
    close(
        combination.se,
        (v[0][0] + 4.0 * v[0][1] + 4.0 * v[1][1]).sqrt(),
        1e-14,
    );
    // One weight of 1 reproduces the term.
    let single = fit.linear_combination(&[("b", 1.0)]).unwrap();
    close(single.p, fit.terms[1].p, 1e-15);
    close(single.ci_upper, fit.terms[1].ci_upper, 1e-15);
    assert!(matches!(
        fit.linear_combination(&[("c", 1.0)]),
        Err(StatsError::UnknownColumn { .. })
    ));
    assert!(fit.linear_combination(&[("a", 1.0), ("a", 1.0)]).is_err());
    assert!(fit.linear_combination(&[("a", 0.0)]).is_err());
    assert!(fit.linear_combination(&[("a", f64::NAN)]).is_err());
}

#[test]
fn result_does_not_depend_on_thread_count() {
    // Enough columns for several parallel tasks (12 columns: 78 entries).
    let n = 3000;
    let p = 12;
    let mut state = 12345u64;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let columns: Vec<(String, Vec<f64>)> = (0..p)
        .map(|j| {
            (
                format!("x{j}"),
                (0..n).map(|_| uniform() * (j + 1) as f64).collect(),
            )
        })
        .collect();
    let time: Vec<f64> = (0..n).map(|_| (uniform() * 50.0).floor()).collect();
    let event: Vec<bool> = (0..n).map(|_| uniform() < 0.6).collect();
    let d = data(&time, &event);
    let x = Design::from_columns(columns).unwrap();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| CoxModel::fit(&d, &x, &efron()).unwrap())
    };
    let one = run(1);
    let three = run(3);
    assert_eq!(one.coefficients(), three.coefficients());
    assert_eq!(one.vcov, three.vcov);
    assert_eq!(one.loglik.to_bits(), three.loglik.to_bits());
}

fn cohort() -> impl Strategy<Value = (Vec<f64>, Vec<bool>, Vec<f64>, Vec<f64>)> {
    (20usize..40).prop_flat_map(|n| {
        (
            proptest::collection::vec((1u8..15).prop_map(f64::from), n),
            proptest::collection::vec(proptest::bool::weighted(0.7), n),
            proptest::collection::vec(-2.0f64..2.0, n),
            proptest::collection::vec((0u8..2).prop_map(f64::from), n),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn invariant_to_row_order((time, event, x1, x2) in cohort(), rotation in 1usize..19) {
        let d = data(&time, &event);
        let x = design(&[("x1", &x1), ("x2", &x2)]);
        let fit = CoxModel::fit(&d, &x, &efron());
        prop_assume!(fit.is_ok());
        let fit = fit.unwrap();
        // Reverse and rotate the rows.
        let n = time.len();
        let order: Vec<usize> = (0..n).rev().cycle().skip(rotation).take(n).collect();
        let permuted = d.subset(&order);
        let fit2 = CoxModel::fit(&permuted, &x.subset(&order), &efron()).unwrap();
        for (a, b) in fit.terms.iter().zip(&fit2.terms) {
            prop_assert!((a.coef - b.coef).abs() < 1e-9, "{} vs {}", a.coef, b.coef);
            prop_assert!((a.se - b.se).abs() < 1e-9 * a.se);
        }
        prop_assert!((fit.loglik - fit2.loglik).abs() < 1e-9);
        prop_assert_eq!(fit.concordance, fit2.concordance);
    }

    #[test]
    fn shifting_a_covariate_changes_only_the_uncentred_predictor(
        (time, event, x1, x2) in cohort(),
        shift in -100.0f64..100.0,
    ) {
        let d = data(&time, &event);
        let x = design(&[("x1", &x1), ("x2", &x2)]);
        let fit = CoxModel::fit(&d, &x, &breslow());
        prop_assume!(fit.is_ok());
        let fit = fit.unwrap();
        let shifted: Vec<f64> = x1.iter().map(|v| v + shift).collect();
        let fit2 = CoxModel::fit(&d, &design(&[("x1", &shifted), ("x2", &x2)]), &breslow()).unwrap();
        for (a, b) in fit.terms.iter().zip(&fit2.terms) {
            prop_assert!((a.coef - b.coef).abs() < 1e-9);
            prop_assert!((a.se - b.se).abs() < 1e-8 * a.se);
        }
        prop_assert!((fit.loglik - fit2.loglik).abs() < 1e-9);
        prop_assert!((fit.score_test.statistic - fit2.score_test.statistic).abs() < 1e-8);
        prop_assert_eq!(fit.concordance, fit2.concordance);
        // The baseline is at the covariate means, which move with the shift.
        let (h1, h2) = (fit.baseline_cumulative_hazard().unwrap(), fit2.baseline_cumulative_hazard().unwrap());
        for (a, b) in h1[0].cumulative_hazard.iter().zip(&h2[0].cumulative_hazard) {
            prop_assert!((a - b).abs() < 1e-9 * a.max(1.0));
        }
        // The uncentred linear predictor moves by β·shift.
        let beta = fit.terms[0].coef;
        for (a, b) in fit.linear_predictor().iter().zip(fit2.linear_predictor()) {
            prop_assert!((b - a - beta * shift).abs() < 1e-8 * (1.0 + shift.abs()));
        }
    }
}

/// The three-subject case with C entering late. Entering at 0.5, C is at
/// risk at t = 1 and β = −ln(2)/2 as before. Entering at 1 or 1.5, C is not
/// at risk at t = 1 (at risk on (entry, exit]): l = β − 2·log(1 + u), whose
/// score 1 − 2u/(1 + u) vanishes at u = 1, β = 0; then l(0) = −2 ln 2.
#[test]
fn delayed_entry_by_hand() {
    let d = data(&[1.0, 2.0, 3.0], &[true, true, false]);
    let x = design(&[("x", &[1.0, 0.0, 1.0])]);
    let with_entry = |c: f64| CoxOptions {
        entry: Some(vec![0.0, 0.0, c]),
        ..CoxOptions::default()
    };
    let early = CoxModel::fit(&d, &x, &with_entry(0.5)).unwrap();
    close(early.terms[0].coef, -(2.0f64.ln()) / 2.0, 1e-12);
    for late in [1.0, 1.5] {
        let fit = CoxModel::fit(&d, &x, &with_entry(late)).unwrap();
        close(fit.terms[0].coef, 0.0, 1e-12);
        close(fit.loglik, -2.0 * 2.0f64.ln(), 1e-12);
        // Information at β = 0: u/(1 + u)² twice = 1/2.
        close(fit.vcov[0][0], 2.0, 1e-10);
        // Baseline at the mean x = 2/3 with β = 0: H(1) = 1/2 (A and B at
        // risk), H(2) = 1/2 + 1/2 (B and C), H(3) unchanged.
        let baseline = fit.baseline_cumulative_hazard().unwrap();
        assert_eq!(baseline[0].cumulative_hazard, vec![0.5, 1.0, 1.0]);
        assert!(matches!(
            fit.zph(ZphTransform::Km, None),
            Err(StatsError::InvalidParameter { .. })
        ));
    }
    assert!(matches!(
        CoxModel::fit(&d, &x, &with_entry(3.0)),
        Err(StatsError::OutOfRange { index: 2, .. })
    ));
    assert!(matches!(
        CoxModel::fit(
            &d,
            &x,
            &CoxOptions {
                entry: Some(vec![0.0]),
                ..CoxOptions::default()
            }
        ),
        Err(StatsError::LengthMismatch { .. })
    ));
}

#[test]
fn serialises_to_the_cli_shape() {
    let d = data(&[1.0, 2.0, 3.0], &[true, true, false]);
    let fit = CoxModel::fit(&d, &design(&[("x", &[1.0, 0.0, 1.0])]), &efron()).unwrap();
    let json = serde_json::to_value(&fit).unwrap();
    for key in [
        "n",
        "events",
        "ties",
        "loglik",
        "terms",
        "lr_test",
        "wald_test",
        "score_test",
        "concordance",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["ties"], "efron");
    let term = &json["terms"][0];
    for key in ["term", "coef", "se", "hr", "ci_lower", "ci_upper", "z", "p"] {
        assert!(term.get(key).is_some(), "missing terms[0].{key}");
    }
    for key in ["statistic", "df", "p"] {
        assert!(json["lr_test"].get(key).is_some(), "missing lr_test.{key}");
    }
    assert!(json.get("fitted").is_none());
}

#[test]
fn fitted_concordance_respects_entry_and_strata() {
    // The fit's C (from its own sorted order) equals the stand-alone
    // count, itself checked pair by pair against the O(n²) definition.
    let time = [5.0, 3.0, 8.0, 2.0, 9.0, 4.0, 7.0, 6.0, 3.0, 10.0, 1.0, 6.0];
    let event = [
        true, true, false, true, true, false, true, true, true, false, true, true,
    ];
    let entry = [0.0, 1.0, 4.0, 0.0, 6.0, 0.0, 2.0, 5.5, 0.0, 3.0, 0.0, 2.0];
    let x = [
        0.3, 1.2, -0.5, 2.0, 0.1, -1.0, 0.7, 0.2, 1.5, -0.3, 2.2, 0.0,
    ];
    let strata: Vec<String> = (0..12).map(|i| ["a", "b"][i % 2].to_owned()).collect();
    let d = data(&time, &event);
    let options = CoxOptions {
        entry: Some(entry.to_vec()),
        strata: Some(strata.clone()),
        ..CoxOptions::default()
    };
    let fit = CoxModel::fit(&d, &design(&[("x", &x)]), &options).unwrap();
    let members: Vec<Vec<usize>> = ["a", "b"]
        .iter()
        .map(|s| (0..12).filter(|&i| strata[i] == *s).collect())
        .collect();
    let direct = crate::stats::concordance::concordance_index_with_entry(
        &d,
        &fit.linear_predictor(),
        &members,
        Some(&entry),
    )
    .unwrap();
    assert_eq!(fit.concordance, direct.cindex);
}
