//! Calibration against R on the GBSG2 landmark-730 cohort
//! (tests/data/r_discrimination.json; the shared reference has no
//! calibration values): rms 6.5 `val.prob`'s "Intercept" and "Slope",
//! `glm` with an offset for calibration-in-the-large, and the
//! Hosmer–Lemeshow test as ResourceSelection 0.3-6 defines it (recomputed
//! in R, the package not being installable here).
//!
//! Tolerances: estimates 1e-8 absolute (val.prob's lrm.fit stops at its
//! own default convergence, ~1e-9), SEs 1e-7 relative; the HL statistic
//! and expected counts 1e-10 relative, its p 1e-8 relative; group counts
//! exact, breaks 1e-15 relative.

mod common;
mod landmark;

use landmark::{Checker, Landmark, num, nums, r_reference};
use radcohort::stats::{calibration, hosmer_lemeshow};
use serde_json::Value;

fn logistic(eta: f64) -> f64 {
    1.0 / (1.0 + (-eta).exp())
}

fn check_calibration(check: &mut Checker, label: &str, predicted: &[f64], y: &[f64], r: &Value) {
    let ours = calibration(predicted, y, 0.95).unwrap();
    for (what, got, key) in [
        (
            "val.prob Intercept",
            ours.recalibration_intercept.estimate,
            "val_prob_intercept",
        ),
        ("val.prob Slope", ours.slope.estimate, "val_prob_slope"),
        (
            "glm intercept",
            ours.recalibration_intercept.estimate,
            "slope_intercept",
        ),
        ("glm slope", ours.slope.estimate, "slope"),
        (
            "in the large",
            ours.intercept_in_the_large.estimate,
            "in_the_large",
        ),
    ] {
        check.abs(&format!("{label} {what}"), got, num(&r[key]), 1e-8);
    }
    for (what, got, key) in [
        (
            "in the large se",
            ours.intercept_in_the_large.se,
            "in_the_large_se",
        ),
        ("slope se", ours.slope.se, "slope_se"),
        (
            "slope intercept se",
            ours.recalibration_intercept.se,
            "slope_intercept_se",
        ),
    ] {
        check.rel(&format!("{label} {what}"), got, num(&r[key]), 1e-7);
    }
}

fn check_hosmer_lemeshow(
    check: &mut Checker,
    label: &str,
    predicted: &[f64],
    y: &[f64],
    r: &Value,
) {
    let groups = r["g"].as_u64().unwrap() as usize;
    let ours = hosmer_lemeshow(predicted, y, groups).unwrap();
    check.rel(
        &format!("{label} statistic"),
        ours.statistic,
        num(&r["statistic"]),
        1e-10,
    );
    check.exact(&format!("{label} df"), ours.df as f64, num(&r["df"]));
    check.rel(&format!("{label} p"), ours.p, num(&r["p"]), 1e-8);
    let breaks = nums(&r["breaks"]);
    let n = nums(&r["n"]);
    let observed = nums(&r["observed"]);
    let expected = nums(&r["expected"]);
    check.exact(&format!("{label} groups"), ours.groups.len(), n.len());
    for (k, group) in ours.groups.iter().enumerate().take(n.len()) {
        // R's plogis and ours may differ in the last bit.
        check.rel(
            &format!("{label} group {k} lower"),
            group.lower,
            breaks[k],
            1e-15,
        );
        check.rel(
            &format!("{label} group {k} upper"),
            group.upper,
            breaks[k + 1],
            1e-15,
        );
        check.exact(&format!("{label} group {k} n"), group.n as f64, n[k]);
        check.exact(
            &format!("{label} group {k} observed"),
            group.observed as f64,
            observed[k],
        );
        check.rel(
            &format!("{label} group {k} expected"),
            group.expected,
            expected[k],
            1e-10,
        );
    }
}

#[test]
fn calibration_and_hosmer_lemeshow_vs_r() {
    let Some(reference) = common::reference_dir("calibration_and_hosmer_lemeshow_vs_r") else {
        return;
    };
    let data = Landmark::load(&reference);
    let y = data.outcome();
    let r = r_reference();
    let mut check = Checker::new("rms::val.prob, glm, Hosmer-Lemeshow (r_discrimination.json)");

    // The predictions R was given, rebuilt the same way.
    let from_lp: Vec<f64> = data
        .column("lp_m2")
        .iter()
        .map(|lp| logistic(lp - 1.7))
        .collect();
    let from_nodes: Vec<f64> = data
        .column("pnodes")
        .iter()
        .map(|n| logistic(0.1 * n - 1.5))
        .collect();
    let lp = &r["calibration"]["lp_m2"];
    assert_eq!(lp["prediction"], "plogis(lp_m2 - 1.7)");
    check_calibration(&mut check, "lp_m2", &from_lp, y, lp);
    check_hosmer_lemeshow(
        &mut check,
        "lp_m2 g=10",
        &from_lp,
        y,
        &lp["hosmer_lemeshow_g10"],
    );
    check_hosmer_lemeshow(
        &mut check,
        "lp_m2 g=5",
        &from_lp,
        y,
        &lp["hosmer_lemeshow_g5"],
    );

    // Many tied predictions: duplicate breaks merge, 7 groups, df 5.
    let nodes = &r["calibration"]["pnodes"];
    assert_eq!(nodes["prediction"], "plogis(0.1 * pnodes - 1.5)");
    check_calibration(&mut check, "pnodes", &from_nodes, y, nodes);
    check_hosmer_lemeshow(
        &mut check,
        "pnodes g=10",
        &from_nodes,
        y,
        &nodes["hosmer_lemeshow_g10"],
    );
    check.finish();
}
