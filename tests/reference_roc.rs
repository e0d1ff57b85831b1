//! AUC, DeLong, ROC curve, Youden cutoff and binomial intervals against
//! the shared GBSG2 landmark-730 reference (scikit-learn and a numpy
//! DeLong), the DeLong toy cases, and R (pROC 1.18, binom.test,
//! prop.test) in tests/data/r_discrimination.json.
//!
//! Tolerances are the reference's: `auc_abs` 1e-12 and `delong_se_rel`
//! 1e-8 (the toy file's `se_rel` 1e-10 there); quantities derived from the
//! AUC and SE by closed forms (intervals, z) get 1e-10 absolute or 1e-8
//! relative, p-values 1e-6 relative.

mod common;
mod landmark;

use landmark::{Checker, Landmark, num, nums, r_reference, read_json, shared_landmark_reference};
use radcohort::stats::{
    IntervalMethod, StatsError, auc_delong, classify, delong_paired_test, proportion, roc_curve,
    youden_cutoff,
};
use serde_json::Value;

const AUC_ABS: f64 = 1e-12;
const SE_REL: f64 = 1e-8;
const DERIVED_ABS: f64 = 1e-10;
const DERIVED_REL: f64 = 1e-8;
const P_REL: f64 = 1e-6;

/// The landmark file's column for a reference entry named e.g.
/// "pnodes (tied scores)".
fn column_of(entry: &Value) -> String {
    let name = entry["score"].as_str().unwrap();
    name.split_whitespace().next().unwrap().to_owned()
}

/// Every number of one score's `delong` block (and the scikit-learn AUC).
fn check_delong_block(
    check: &mut Checker,
    label: &str,
    scores: &[f64],
    labels: &[f64],
    delong: &Value,
) {
    let auc = auc_delong(scores, labels, 0.95).unwrap();
    check.abs(
        &format!("{label} auc"),
        auc.auc,
        num(&delong["auc"]),
        AUC_ABS,
    );
    check.exact(
        &format!("{label} n_pos"),
        auc.n_pos as u64,
        delong["n_pos"].as_u64().unwrap(),
    );
    check.exact(
        &format!("{label} n_neg"),
        auc.n_neg as u64,
        delong["n_neg"].as_u64().unwrap(),
    );
    check.rel(&format!("{label} se"), auc.se, num(&delong["se"]), SE_REL);
    check.rel(
        &format!("{label} var"),
        auc.se * auc.se,
        num(&delong["var"]),
        SE_REL,
    );
    let plain = nums(&delong["ci95_plain"]);
    check.abs(
        &format!("{label} ci lower"),
        auc.ci_lower,
        plain[0],
        DERIVED_ABS,
    );
    check.abs(
        &format!("{label} ci upper"),
        auc.ci_upper,
        plain[1],
        DERIVED_ABS,
    );
    let (logit_lower, logit_upper) = auc.logit_interval(0.95).unwrap();
    let logit = nums(&delong["ci95_logit"]);
    check.abs(
        &format!("{label} logit ci lower"),
        logit_lower,
        logit[0],
        DERIVED_ABS,
    );
    check.abs(
        &format!("{label} logit ci upper"),
        logit_upper,
        logit[1],
        DERIVED_ABS,
    );
    let chance = auc.test_against_chance().unwrap();
    check.rel(
        &format!("{label} z vs 0.5"),
        chance.z,
        num(&delong["z_vs_0.5"]),
        DERIVED_REL,
    );
    check.rel(
        &format!("{label} p vs 0.5"),
        chance.p,
        num(&delong["p_vs_0.5"]),
        P_REL,
    );
}

#[test]
fn gbsg2_landmark_auc_delong_and_curves() {
    let Some(reference) = common::reference_dir("gbsg2_landmark_auc_delong_and_curves") else {
        return;
    };
    let data = Landmark::load(&reference);
    let expected = shared_landmark_reference(&reference);
    let labels = data.outcome();
    let mut check = Checker::new("landmark_730.roc vs scikit-learn / numpy DeLong");
    let mut plausible = Checker::new("landmark_730.roc DeLong vs bootstrap (plausibility)");
    check.exact("n", labels.len() as u64, expected["n"].as_u64().unwrap());
    check.exact(
        "n_pos",
        labels.iter().filter(|&&y| y == 1.0).count() as u64,
        expected["n_pos"].as_u64().unwrap(),
    );
    let entries = expected["roc"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    for entry in entries {
        let name = column_of(entry);
        let scores = data.column(&name);
        let auc = auc_delong(scores, labels, 0.95).unwrap();
        check.abs(
            &format!("{name} sklearn auc"),
            auc.auc,
            num(&entry["sklearn_roc_auc_score"]),
            AUC_ABS,
        );
        check_delong_block(&mut check, &name, scores, labels, &entry["delong"]);

        // The bootstrap is a plausibility check with its own Monte-Carlo
        // error (B = 4000): DeLong's SE within 5 % of the bootstrap SD and
        // the interval within 0.005 of the percentile interval.
        let bootstrap = &entry["bootstrap_check"];
        plausible.rel(
            &format!("{name} bootstrap sd"),
            auc.se,
            num(&bootstrap["sd"]),
            0.05,
        );
        let percentile = nums(&bootstrap["percentile_ci95"]);
        plausible.abs(
            &format!("{name} bootstrap lower"),
            auc.ci_lower,
            percentile[0],
            0.005,
        );
        plausible.abs(
            &format!("{name} bootstrap upper"),
            auc.ci_upper,
            percentile[1],
            0.005,
        );

        // scikit-learn's curve (drop_intermediate) is a subset of ours:
        // each of its points is ours at the same `>=` threshold.
        let curve = roc_curve(scores, labels).unwrap();
        let sklearn = &entry["roc_curve_sklearn"];
        let (fpr, tpr, thresholds) = (
            nums(&sklearn["fpr"]),
            nums(&sklearn["tpr"]),
            nums(&sklearn["thresholds"]),
        );
        assert_eq!(fpr.len(), thresholds.len());
        assert_eq!(tpr.len(), thresholds.len());
        for ((&fpr, &tpr), &threshold) in fpr.iter().zip(&tpr).zip(&thresholds) {
            let point = curve
                .iter()
                .find(|point| point.cutoff == threshold)
                .unwrap_or_else(|| panic!("{name}: no curve point at threshold {threshold}"));
            check.abs(
                &format!("{name} fpr at {threshold}"),
                1.0 - point.specificity,
                fpr,
                1e-15,
            );
            check.abs(
                &format!("{name} tpr at {threshold}"),
                point.sensitivity,
                tpr,
                1e-15,
            );
        }
    }

    let paired = &expected["delong_paired_lp_m2_vs_pnodes"];
    let test =
        delong_paired_test(data.column("lp_m2"), data.column("pnodes"), labels, 0.95).unwrap();
    check.abs("paired auc1", test.auc1, num(&paired["auc1"]), AUC_ABS);
    check.abs("paired auc2", test.auc2, num(&paired["auc2"]), AUC_ABS);
    check.abs(
        "paired diff",
        test.difference,
        num(&paired["diff"]),
        AUC_ABS,
    );
    check.rel("paired se_diff", test.se, num(&paired["se_diff"]), SE_REL);
    check.rel("paired z", test.z, num(&paired["z"]), DERIVED_REL);
    check.rel("paired p", test.p, num(&paired["p"]), P_REL);
    let covariance = paired["cov_matrix"].as_array().unwrap();
    for (i, row) in covariance.iter().enumerate() {
        for (j, want) in nums(row).into_iter().enumerate() {
            check.rel(
                &format!("paired cov[{i}][{j}]"),
                test.covariance[i][j],
                want,
                SE_REL,
            );
        }
    }
    plausible.finish();
    check.finish();
}

#[test]
fn delong_toy_cases() {
    let Some(reference) = common::reference_dir("delong_toy_cases") else {
        return;
    };
    let toy = read_json(&reference.join("survival/ref/delong_toy.json"));
    let auc_abs = num(&toy["tolerance_suggested"]["auc_abs"]);
    let se_rel = num(&toy["tolerance_suggested"]["se_rel"]);
    assert_eq!((auc_abs, se_rel), (1e-12, 1e-10));
    let mut check = Checker::new("delong_toy.json");

    let case1 = &toy["case1"];
    check_delong_block(
        &mut check,
        "case1",
        &nums(&case1["score"]),
        &nums(&case1["y"]),
        &case1["delong"],
    );
    let auc = auc_delong(&nums(&case1["score"]), &nums(&case1["y"]), 0.95).unwrap();
    check.rel(
        "case1 se (toy tolerance)",
        auc.se,
        num(&case1["delong"]["se"]),
        se_rel,
    );
    // The upper limit 0.708 + 1.96 · 0.169 > 1 is clipped, as pROC.
    assert_eq!(auc.ci_upper, 1.0);

    let case2 = &toy["case2_paired"];
    let expected = &case2["delong_paired"];
    let test = delong_paired_test(
        &nums(&case2["score1"]),
        &nums(&case2["score2"]),
        &nums(&case2["y"]),
        0.95,
    )
    .unwrap();
    check.abs("case2 auc1", test.auc1, num(&expected["auc1"]), auc_abs);
    check.abs("case2 auc2", test.auc2, num(&expected["auc2"]), auc_abs);
    check.abs(
        "case2 diff",
        test.difference,
        num(&expected["diff"]),
        auc_abs,
    );
    check.rel("case2 se_diff", test.se, num(&expected["se_diff"]), se_rel);
    check.rel("case2 z", test.z, num(&expected["z"]), se_rel);
    check.rel("case2 p", test.p, num(&expected["p"]), P_REL);
    for (i, row) in expected["cov_matrix"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        for (j, want) in nums(row).into_iter().enumerate() {
            // Score 1 separates perfectly: its variance is exactly 0.
            check.abs(
                &format!("case2 cov[{i}][{j}]"),
                test.covariance[i][j],
                want,
                1e-15,
            );
        }
    }
    check.finish();
}

#[test]
fn proc_curves_youden_and_paired_intervals() {
    let Some(reference) = common::reference_dir("proc_curves_youden_and_paired_intervals") else {
        return;
    };
    let data = Landmark::load(&reference);
    let labels = data.outcome();
    let r = r_reference();
    let mut check = Checker::new("pROC 1.18 (tests/data/r_discrimination.json)");
    for (name, expected) in r["roc"].as_object().unwrap() {
        let scores = data.column(name);
        let auc = auc_delong(scores, labels, 0.95).unwrap();
        check.abs(
            &format!("{name} auc"),
            auc.auc,
            num(&expected["auc"]),
            AUC_ABS,
        );
        check.rel(
            &format!("{name} var"),
            auc.se * auc.se,
            num(&expected["var"]),
            SE_REL,
        );
        let ci95 = nums(&expected["ci95"]);
        check.abs(
            &format!("{name} ci95 lower"),
            auc.ci_lower,
            ci95[0],
            DERIVED_ABS,
        );
        check.abs(
            &format!("{name} ci95 upper"),
            auc.ci_upper,
            ci95[1],
            DERIVED_ABS,
        );
        let at90 = auc_delong(scores, labels, 0.9).unwrap();
        let ci90 = nums(&expected["ci90"]);
        check.abs(
            &format!("{name} ci90 lower"),
            at90.ci_lower,
            ci90[0],
            DERIVED_ABS,
        );
        check.abs(
            &format!("{name} ci90 upper"),
            at90.ci_upper,
            ci90[1],
            DERIVED_ABS,
        );

        // coords(roc, "all"): the same points in the same order.
        let curve = roc_curve(scores, labels).unwrap();
        let thresholds = nums(&expected["curve"]["threshold"]);
        let sensitivity = nums(&expected["curve"]["sensitivity"]);
        let specificity = nums(&expected["curve"]["specificity"]);
        check.exact(
            &format!("{name} curve points"),
            curve.len(),
            thresholds.len(),
        );
        for (k, point) in curve.iter().enumerate().take(thresholds.len()) {
            if thresholds[k].is_infinite() {
                check.exact(
                    &format!("{name} threshold {k}"),
                    point.proc_threshold,
                    thresholds[k],
                );
            } else {
                check.rel(
                    &format!("{name} threshold {k}"),
                    point.proc_threshold,
                    thresholds[k],
                    1e-15,
                );
            }
            check.abs(
                &format!("{name} sensitivity {k}"),
                point.sensitivity,
                sensitivity[k],
                1e-15,
            );
            check.abs(
                &format!("{name} specificity {k}"),
                point.specificity,
                specificity[k],
                1e-15,
            );
        }

        // coords(roc, "best", best.method = "youden"): one optimum here.
        let youden = youden_cutoff(scores, labels).unwrap();
        let best = &expected["youden"];
        check.rel(
            &format!("{name} youden threshold"),
            youden.proc_threshold,
            num(&best["threshold"]),
            1e-15,
        );
        check.abs(
            &format!("{name} youden sensitivity"),
            youden.sensitivity,
            num(&best["sensitivity"]),
            1e-15,
        );
        check.abs(
            &format!("{name} youden specificity"),
            youden.specificity,
            num(&best["specificity"]),
            1e-15,
        );
        check.exact(&format!("{name} youden ties"), youden.tied_cutoffs.len(), 1);
        // Our cutoff is an observed score that splits the subjects as
        // pROC's midpoint does.
        let ours = classify(scores, labels, youden.cutoff, 0.95, IntervalMethod::Wilson).unwrap();
        let procs = classify(
            scores,
            labels,
            youden.proc_threshold,
            0.95,
            IntervalMethod::Wilson,
        )
        .unwrap();
        check.exact(
            &format!("{name} youden split"),
            (ours.tp, ours.fp),
            (procs.tp, procs.fp),
        );
        assert!(scores.contains(&youden.cutoff));
    }

    for (pair, expected) in r["delong_paired"].as_object().unwrap() {
        let (first, second) = pair.split_once("_vs_").unwrap();
        for (level, key) in [(0.95, "ci95"), (0.9, "ci90")] {
            let test =
                delong_paired_test(data.column(first), data.column(second), labels, level).unwrap();
            check.rel(
                &format!("{pair} z"),
                test.z,
                num(&expected["z"]),
                DERIVED_REL,
            );
            check.rel(&format!("{pair} p"), test.p, num(&expected["p"]), P_REL);
            let ci = nums(&expected[key]);
            check.abs(
                &format!("{pair} {key} lower"),
                test.ci_lower,
                ci[0],
                DERIVED_ABS,
            );
            check.abs(
                &format!("{pair} {key} upper"),
                test.ci_upper,
                ci[1],
                DERIVED_ABS,
            );
        }
    }
    check.finish();
}

/// Wilson (prop.test, correct = FALSE) and Clopper–Pearson (binom.test)
/// limits: 1e-12 for Wilson's closed form, 1e-10 for the Beta quantiles.
fn check_interval(check: &mut Checker, what: &str, expected: &Value, level: f64) {
    let x = expected["x"].as_u64().unwrap() as usize;
    let n = expected["n"].as_u64().unwrap() as usize;
    for (method, key, tolerance) in [
        (IntervalMethod::Wilson, "wilson", 1e-12),
        (IntervalMethod::ClopperPearson, "clopper_pearson", 1e-10),
    ] {
        let ours = proportion(x, n, level, method).unwrap();
        let want = nums(&expected[key]);
        check.abs(
            &format!("{what} {x}/{n} {key} lower"),
            ours.ci_lower,
            want[0],
            tolerance,
        );
        check.abs(
            &format!("{what} {x}/{n} {key} upper"),
            ours.ci_upper,
            want[1],
            tolerance,
        );
    }
}

#[test]
fn classification_at_a_cutoff_and_binomial_intervals() {
    let Some(reference) =
        common::reference_dir("classification_at_a_cutoff_and_binomial_intervals")
    else {
        return;
    };
    let data = Landmark::load(&reference);
    let labels = data.outcome();
    let r = r_reference();
    let expected = &r["classification"];
    let mut check = Checker::new("binom.test / prop.test (tests/data/r_discrimination.json)");
    let cutoff = num(&expected["cutoff"]);
    for method in [IntervalMethod::Wilson, IntervalMethod::ClopperPearson] {
        let table = classify(data.column("lp_m2"), labels, cutoff, 0.95, method).unwrap();
        check.exact("tp", table.tp as u64, expected["tp"].as_u64().unwrap());
        check.exact("fp", table.fp as u64, expected["fp"].as_u64().unwrap());
        check.exact("tn", table.tn as u64, expected["tn"].as_u64().unwrap());
        check.exact("fn", table.fn_ as u64, expected["fn"].as_u64().unwrap());
        let key = match method {
            IntervalMethod::Wilson => "wilson",
            IntervalMethod::ClopperPearson => "clopper_pearson",
        };
        let tolerance = match method {
            IntervalMethod::Wilson => 1e-12,
            IntervalMethod::ClopperPearson => 1e-10,
        };
        let ppv = table.ppv.clone().unwrap();
        let npv = table.npv.clone().unwrap();
        for (name, ours) in [
            ("sensitivity", &table.sensitivity),
            ("specificity", &table.specificity),
            ("ppv", &ppv),
            ("npv", &npv),
            ("accuracy", &table.accuracy),
        ] {
            let want = &expected[name];
            check.exact(
                &format!("{name} counts"),
                (ours.successes as u64, ours.trials as u64),
                (want["x"].as_u64().unwrap(), want["n"].as_u64().unwrap()),
            );
            let limits = nums(&want[key]);
            check.abs(
                &format!("{name} {key} lower"),
                ours.ci_lower,
                limits[0],
                tolerance,
            );
            check.abs(
                &format!("{name} {key} upper"),
                ours.ci_upper,
                limits[1],
                tolerance,
            );
        }
    }
    for case in r["binomial"].as_array().unwrap() {
        check_interval(&mut check, "level 0.95", &case["level95"], 0.95);
        check_interval(&mut check, "level 0.90", &case["level90"], 0.90);
    }
    check.finish();
}

#[test]
fn a_score_compared_with_itself_is_reported_as_degenerate() {
    let Some(reference) = common::reference_dir("a_score_compared_with_itself") else {
        return;
    };
    let data = Landmark::load(&reference);
    let scores = data.column("lp_m2");
    let err = delong_paired_test(scores, scores, data.outcome(), 0.95).unwrap_err();
    assert!(matches!(err, StatsError::Degenerate { .. }), "{err}");
}
