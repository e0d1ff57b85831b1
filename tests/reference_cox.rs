//! Cox models against the shared references (lifelines 0.30.3 and
//! statsmodels 0.15.0 on GBSG2; R's coxph numbers recorded in statsmodels'
//! test suite) and against R 4.2.2 / survival 3.5-3 values made by
//! `tests/data/cox_r_reference.R` (cox.zph, a factor term, strata, a
//! reference level). Tolerances are the ones each reference suggests.

mod common;

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use radcohort::stats::cox::{ZphTransform, likelihood_ratio_test};
use radcohort::stats::{
    CoxModel, CoxOptions, Design, Formula, Frame, ModelMatrix, StatsError, SurvivalData, Ties,
};
use serde_json::Value;

/// Collects comparisons, remembers the largest deviation of each kind and
/// the failures, and reports both at the end.
#[derive(Default)]
struct Checker {
    worst: BTreeMap<String, (f64, String)>,
    failures: Vec<String>,
    compared: usize,
}

impl Checker {
    /// `got` must be within `abs` absolutely or `rel` relatively of `want`.
    fn close(&mut self, kind: &str, label: &str, got: f64, want: f64, abs: f64, rel: f64) {
        self.compared += 1;
        let error = (got - want).abs();
        let relative = error / want.abs().max(f64::MIN_POSITIVE);
        let (measure, shown) = if abs > 0.0 {
            (error, "abs")
        } else {
            (relative, "rel")
        };
        let entry = self
            .worst
            .entry(format!("{kind} ({shown})"))
            .or_insert((0.0, String::new()));
        if measure > entry.0 {
            *entry = (measure, label.to_owned());
        }
        let ok = (abs > 0.0 && error <= abs) || (rel > 0.0 && relative <= rel);
        if !ok || !got.is_finite() {
            self.failures.push(format!(
                "{label}: {got} vs {want} (abs {error:.2e}, rel {relative:.2e})"
            ));
        }
    }

    fn all(&mut self, kind: &str, label: &str, got: &[f64], want: &Value, abs: f64, rel: f64) {
        let want = numbers(want);
        assert_eq!(got.len(), want.len(), "{label}: length");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            self.close(kind, &format!("{label}[{i}]"), *g, *w, abs, rel);
        }
    }

    fn finish(self, test: &str) {
        eprintln!(
            "{test}: {} values compared; largest deviations:",
            self.compared
        );
        for (kind, (value, label)) in &self.worst {
            eprintln!("  {kind:<28} {value:.2e}  ({label})");
        }
        assert!(
            self.failures.is_empty(),
            "{test}:\n{}",
            self.failures.join("\n")
        );
    }
}

fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_f64().unwrap_or_else(|| panic!("not a number: {v}")))
        .collect()
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn gbsg2(reference: &Path) -> (Frame, SurvivalData) {
    let path = reference.join("survival/data/gbsg2.csv");
    let frame = Frame::from_csv(File::open(&path).unwrap(), "gbsg2.csv").unwrap();
    let data = survival_of(&frame, &(0..frame.rows()).collect::<Vec<_>>());
    (frame, data)
}

fn survival_of(frame: &Frame, rows: &[usize]) -> SurvivalData {
    let time = frame.numeric("time").unwrap();
    let event = frame.numeric("event").unwrap();
    SurvivalData::new(
        rows.iter().map(|&r| time[r].unwrap()).collect(),
        rows.iter().map(|&r| event[r] == Some(1.0)).collect(),
    )
    .unwrap()
}

fn model(frame: &Frame, formula: &str) -> ModelMatrix {
    Formula::parse(formula)
        .unwrap()
        .model_matrix(frame, &BTreeMap::new())
        .unwrap()
}

fn fit(frame: &Frame, formula: &str, ties: Ties) -> (CoxModel, ModelMatrix) {
    let matrix = model(frame, formula);
    let data = survival_of(frame, &matrix.rows);
    let options = CoxOptions {
        ties,
        ..CoxOptions::default()
    };
    (
        CoxModel::fit(&data, &matrix.design, &options).unwrap(),
        matrix,
    )
}

/// Tolerances of gbsg2_survival.json's `tolerance_suggested`.
struct Tolerance {
    coef_abs: f64,
    se_rel: f64,
    p_rel: f64,
    loglik_abs: f64,
}

/// Compares a fit with one engine's block of gbsg2_survival.json.
fn check_fit(check: &mut Checker, label: &str, ours: &CoxModel, want: &Value, tol: &Tolerance) {
    // Deviations are reported per engine (the label's last word).
    let engine = label.rsplit(' ').next().unwrap_or(label);
    let kind = |what: &str| format!("{engine} {what}");
    let terms: Vec<&str> = want["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(ours.term_names(), terms, "{label}: terms");
    if let Some(n) = want.get("n") {
        assert_eq!(ours.n as u64, n.as_u64().unwrap(), "{label}: n");
        assert_eq!(
            ours.events as u64,
            want["events"].as_u64().unwrap(),
            "{label}: events"
        );
    }
    let column = |f: fn(&radcohort::stats::CoxTerm) -> f64| -> Vec<f64> {
        ours.terms.iter().map(f).collect()
    };
    check.all(
        &kind("coef"),
        &format!("{label} coef"),
        &column(|t| t.coef),
        &want["coef"],
        tol.coef_abs,
        0.0,
    );
    check.all(
        &kind("se"),
        &format!("{label} se"),
        &column(|t| t.se),
        &want["se"],
        0.0,
        tol.se_rel,
    );
    // HR and its limits are exp(coef ± z·se): relative error ≈ coef error + z·se error.
    check.all(
        &kind("hr"),
        &format!("{label} hr"),
        &column(|t| t.hr),
        &want["hr"],
        0.0,
        tol.se_rel,
    );
    check.all(
        &kind("ci"),
        &format!("{label} lower"),
        &column(|t| t.ci_lower),
        &want["hr_lower95"],
        0.0,
        tol.se_rel,
    );
    check.all(
        &kind("ci"),
        &format!("{label} upper"),
        &column(|t| t.ci_upper),
        &want["hr_upper95"],
        0.0,
        tol.se_rel,
    );
    check.all(
        &kind("z"),
        &format!("{label} z"),
        &column(|t| t.z),
        &want["z"],
        0.0,
        tol.se_rel,
    );
    check.all(
        &kind("p"),
        &format!("{label} p"),
        &column(|t| t.p),
        &want["p"],
        0.0,
        tol.p_rel,
    );
    let vcov: Vec<f64> = ours.vcov.iter().flatten().copied().collect();
    let want_vcov: Vec<Value> = want["vcov"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().clone())
        .collect();
    check.all(
        &kind("vcov"),
        &format!("{label} vcov"),
        &vcov,
        &Value::from(want_vcov),
        0.0,
        2.0 * tol.se_rel,
    );
    check.close(
        &kind("loglik"),
        &format!("{label} loglik"),
        ours.loglik,
        number(&want["loglik"]),
        tol.loglik_abs,
        0.0,
    );
    check.close(
        &kind("loglik"),
        &format!("{label} loglik_null"),
        ours.loglik_null,
        number(&want["loglik_null"]),
        tol.loglik_abs,
        0.0,
    );
    check_test(
        check,
        &format!("{label} lr"),
        &ours.lr_test,
        &want["lr_test"],
        2.0 * tol.loglik_abs,
        tol,
    );
    if let Some(score) = want.get("score_test") {
        check_test(
            check,
            &format!("{label} score"),
            &ours.score_test,
            score,
            0.0,
            tol,
        );
    }
    if let Some(wald) = want.get("wald_test_all") {
        check_test(
            check,
            &format!("{label} wald"),
            &ours.wald_test,
            wald,
            0.0,
            tol,
        );
    }
    if let Some(c) = want.get("concordance_lifelines") {
        check.close(
            &kind("concordance"),
            &format!("{label} C"),
            ours.concordance,
            number(c),
            1e-10,
            0.0,
        );
    }
    if let Some(aic) = want.get("partial_AIC") {
        let ours_aic = -2.0 * ours.loglik + 2.0 * ours.terms.len() as f64;
        check.close(
            &kind("loglik"),
            &format!("{label} AIC"),
            ours_aic,
            number(aic),
            2.0 * tol.loglik_abs,
            0.0,
        );
    }
}

fn check_test(
    check: &mut Checker,
    label: &str,
    ours: &radcohort::stats::cox::ChiSquareTest,
    want: &Value,
    abs: f64,
    tol: &Tolerance,
) {
    assert_eq!(ours.df as u64, want["df"].as_u64().unwrap(), "{label}: df");
    check.close(
        "test statistic",
        &format!("{label} chi2"),
        ours.statistic,
        number(&want["chi2"]),
        abs,
        tol.se_rel,
    );
    if let Some(p) = want.get("p") {
        check.close(
            "p",
            &format!("{label} p"),
            ours.p,
            number(p),
            0.0,
            tol.p_rel,
        );
    }
}

#[test]
fn gbsg2_models_match_lifelines_and_statsmodels() {
    let Some(reference) = common::reference_dir("gbsg2_models_match_lifelines_and_statsmodels")
    else {
        return;
    };
    let json = read_json(&reference.join("survival/ref/gbsg2_survival.json"));
    let suggested = &json["conventions"]["tolerance_suggested"];
    let tol = Tolerance {
        coef_abs: number(&suggested["cox_coef_abs"]),
        se_rel: number(&suggested["cox_se_rel"]),
        p_rel: number(&suggested["cox_p_rel"]),
        loglik_abs: number(&suggested["loglik_abs"]),
    };
    let (frame, _) = gbsg2(&reference);
    let mut check = Checker::default();
    let mut fits: BTreeMap<(String, &str), CoxModel> = BTreeMap::new();
    for (name, models) in json["cox"].as_object().unwrap() {
        let formula = models["formula"].as_str().unwrap();
        for (engine, ties) in [
            ("efron_lifelines", Ties::Efron),
            ("efron_statsmodels", Ties::Efron),
            ("breslow_statsmodels", Ties::Breslow),
        ] {
            let want = &models[engine];
            assert_eq!(want["formula"].as_str().unwrap(), formula);
            let (ours, _) = fit(&frame, formula, ties);
            let label = format!("{name} {engine}");
            check_fit(&mut check, &label, &ours, want, &tol);
            for (key, subgroup) in want.as_object().unwrap() {
                if !key.starts_with("hr_treat_in_") {
                    continue;
                }
                let weights: Vec<(&str, f64)> = subgroup["weights"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(term, w)| (term.as_str(), number(w)))
                    .collect();
                let combination = ours.linear_combination(&weights).unwrap();
                let l = format!("{label} {key}");
                check.close(
                    "coef",
                    &format!("{l} log_hr"),
                    combination.log_hr,
                    number(&subgroup["log_hr"]),
                    tol.coef_abs,
                    0.0,
                );
                check.close(
                    "se",
                    &format!("{l} se"),
                    combination.se,
                    number(&subgroup["se"]),
                    0.0,
                    tol.se_rel,
                );
                check.close(
                    "hr",
                    &format!("{l} hr"),
                    combination.hr,
                    number(&subgroup["hr"]),
                    0.0,
                    tol.se_rel,
                );
                check.close(
                    "ci",
                    &format!("{l} lower"),
                    combination.ci_lower,
                    number(&subgroup["hr_lower95"]),
                    0.0,
                    tol.se_rel,
                );
                check.close(
                    "ci",
                    &format!("{l} upper"),
                    combination.ci_upper,
                    number(&subgroup["hr_upper95"]),
                    0.0,
                    tol.se_rel,
                );
                check.close(
                    "z",
                    &format!("{l} z"),
                    combination.z,
                    number(&subgroup["z"]),
                    0.0,
                    tol.se_rel,
                );
                check.close(
                    "p",
                    &format!("{l} p"),
                    combination.p,
                    number(&subgroup["p"]),
                    0.0,
                    tol.p_rel,
                );
            }
            fits.insert((name.clone(), engine), ours);
        }
    }
    // The interaction's likelihood-ratio test against the main-effects model.
    for engine in [
        "efron_lifelines",
        "efron_statsmodels",
        "breslow_statsmodels",
    ] {
        let full = &fits[&("m4_interaction".to_owned(), engine)];
        let reduced = &fits[&("m3_main".to_owned(), engine)];
        let test = likelihood_ratio_test(full, reduced).unwrap();
        let want = &json["cox"]["m4_interaction"][engine]["interaction_lr_test_vs_m3"];
        check_test(
            &mut check,
            &format!("m4 vs m3 {engine}"),
            &test,
            want,
            2.0 * tol.loglik_abs,
            &tol,
        );
        assert!(
            likelihood_ratio_test(reduced, full).is_err(),
            "reversed nesting is refused"
        );
    }
    // The uncentred linear predictor of the full Efron model.
    let m2 = &fits[&("m2_full".to_owned(), "efron_lifelines")];
    check.all(
        "linear predictor",
        "lp_m2_full_efron_uncentred",
        &m2.linear_predictor(),
        &json["lp_m2_full_efron_uncentred"],
        1e-6,
        0.0,
    );
    check.finish("gbsg2 Cox models");
}

/// Reads one of statsmodels' R test inputs: space-separated, no header,
/// columns time, status, entry, x1..xp.
fn read_r_input(path: &Path) -> (Vec<f64>, Vec<bool>, Vec<f64>, Vec<Vec<f64>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let (mut time, mut status, mut entry, mut x) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let values: Vec<f64> = line
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        time.push(values[0]);
        status.push(values[1] == 1.0);
        entry.push(values[2]);
        x.push(values[3..].to_vec());
    }
    (time, status, entry, x)
}

#[test]
fn r_coxph_fits_from_statsmodels_suite() {
    let Some(reference) = common::reference_dir("r_coxph_fits_from_statsmodels_suite") else {
        return;
    };
    let json = read_json(&reference.join("survival/ref/r_reference_from_statsmodels_tests.json"));
    let cox = &json["cox"];
    let coef_abs = number(&cox["tolerance_suggested"]["coef_abs"]);
    let se_rel = number(&cox["tolerance_suggested"]["se_rel"]);
    let mut check = Checker::default();
    let mut disagreeing = 0;
    for reference_fit in cox["fits"].as_array().unwrap() {
        let file = reference_fit["file"].as_str().unwrap();
        let ties = match reference_fit["ties"].as_str().unwrap() {
            "efron" => Ties::Efron,
            "breslow" => Ties::Breslow,
            other => panic!("ties {other}"),
        };
        let stratified = reference_fit["strata"].as_bool().unwrap();
        let delayed = reference_fit["entry_times"].as_bool().unwrap();
        let (time, status, entry, x) = read_r_input(&reference.join("survival").join(file));
        let n = time.len();
        let p = x[0].len();
        assert_eq!(n as u64, reference_fit["n"].as_u64().unwrap());
        let design = Design::from_columns(
            (0..p)
                .map(|j| (format!("x{}", j + 1), x.iter().map(|row| row[j]).collect()))
                .collect(),
        )
        .unwrap();
        let data = SurvivalData::new(time, status).unwrap();
        // strata = kronecker(1:5, rep(1, n/5)): five consecutive blocks.
        let strata = stratified.then(|| (0..n).map(|i| format!("{}", 1 + i / (n / 5))).collect());
        let options = CoxOptions {
            ties,
            strata,
            entry: delayed.then_some(entry),
            ..CoxOptions::default()
        };
        let ours = CoxModel::fit(&data, &design, &options).unwrap();
        let label = format!(
            "{file} {ties:?}{}{}",
            if delayed { " entry" } else { "" },
            if stratified { " strata" } else { "" }
        );
        let coef: Vec<f64> = ours.terms.iter().map(|t| t.coef).collect();
        let se: Vec<f64> = ours.terms.iter().map(|t| t.se).collect();
        check.all(
            "R coef",
            &format!("{label} R coef"),
            &coef,
            &reference_fit["r_coef"],
            coef_abs,
            0.0,
        );
        check.all(
            "R se",
            &format!("{label} R se"),
            &se,
            &reference_fit["r_se"],
            0.0,
            se_rel,
        );
        // statsmodels treats delayed entry differently from R on the
        // largest file (its own record: coefficients up to 1.3e-4 from R's); it
        // is compared only where it agrees with R.
        let statsmodels_vs_r = number(&reference_fit["max_abs_diff_coef_statsmodels_vs_R"]);
        if statsmodels_vs_r <= coef_abs {
            check.all(
                "statsmodels coef",
                &format!("{label} sm coef"),
                &coef,
                &reference_fit["statsmodels_coef"],
                coef_abs,
                0.0,
            );
            check.all(
                "statsmodels se",
                &format!("{label} sm se"),
                &se,
                &reference_fit["statsmodels_se"],
                0.0,
                se_rel,
            );
        } else {
            eprintln!(
                "{label}: statsmodels is {statsmodels_vs_r:.1e} from R; compared with R only"
            );
            disagreeing += 1;
        }
        if let Some(lifelines) = reference_fit.get("lifelines_coef") {
            check.all(
                "lifelines coef",
                &format!("{label} ll coef"),
                &coef,
                lifelines,
                coef_abs,
                0.0,
            );
            check.all(
                "lifelines se",
                &format!("{label} ll se"),
                &se,
                &reference_fit["lifelines_se"],
                0.0,
                se_rel,
            );
        }
        if let Some(times) = reference_fit.get("r_baseline_cumhaz_times") {
            let baseline = ours.baseline_cumulative_hazard().unwrap();
            assert_eq!(baseline.len(), 1);
            check.all(
                "baseline time",
                &format!("{label} baseline time"),
                &baseline[0].time,
                times,
                1e-12,
                0.0,
            );
            // R's values are printed to 7 significant digits.
            let want = numbers(&reference_fit["r_baseline_cumhaz"]);
            for (i, (g, w)) in baseline[0].cumulative_hazard.iter().zip(&want).enumerate() {
                check.close(
                    "baseline cumhaz",
                    &format!("{label} H[{i}]"),
                    *g,
                    *w,
                    5e-7 * w.abs().max(1e-3),
                    0.0,
                );
            }
        }
    }
    assert_eq!(
        disagreeing, 4,
        "statsmodels departs from R on the four 1000-row entry-time fits"
    );
    check.finish("R coxph (statsmodels suite)");
}

fn zph_check(
    check: &mut Checker,
    label: &str,
    ours: &radcohort::stats::cox::ZphResult,
    want: &Value,
) {
    let rows: Vec<&str> = want["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    let mut labels: Vec<&str> = ours.table.iter().map(|r| r.term.as_str()).collect();
    labels.push("GLOBAL");
    assert_eq!(labels, rows, "{label}: rows");
    let mut chisq: Vec<f64> = ours.table.iter().map(|r| r.chisq).collect();
    chisq.push(ours.global.chisq);
    let mut df: Vec<f64> = ours.table.iter().map(|r| r.df as f64).collect();
    df.push(ours.global.df as f64);
    let mut p: Vec<f64> = ours.table.iter().map(|r| r.p).collect();
    p.push(ours.global.p);
    check.all(
        "zph chisq",
        &format!("{label} chisq"),
        &chisq,
        &want["chisq"],
        0.0,
        1e-6,
    );
    check.all(
        "zph df",
        &format!("{label} df"),
        &df,
        &want["df"],
        1e-12,
        0.0,
    );
    check.all("zph p", &format!("{label} p"), &p, &want["p"], 0.0, 1e-6);
    if let Some(y) = want.get("y") {
        check.all(
            "zph time",
            &format!("{label} time"),
            &ours.time,
            &want["time"],
            1e-12,
            0.0,
        );
        check.all(
            "zph x",
            &format!("{label} x"),
            &ours.transformed_time,
            &want["x"],
            1e-12,
            0.0,
        );
        let rows = y.as_array().unwrap();
        assert_eq!(
            rows.len(),
            ours.scaled_residuals.len(),
            "{label}: residual rows"
        );
        for (i, (row, want_row)) in ours.scaled_residuals.iter().zip(rows).enumerate() {
            for (j, (value, want)) in row.iter().zip(want_row.as_array().unwrap()).enumerate() {
                match (value, want.as_f64()) {
                    (Some(v), Some(w)) => check.close(
                        "zph residual",
                        &format!("{label} y[{i}][{j}]"),
                        *v,
                        w,
                        1e-7 * w.abs().max(1.0),
                        0.0,
                    ),
                    (None, None) => {}
                    _ => check
                        .failures
                        .push(format!("{label} y[{i}][{j}]: {value:?} vs {want}")),
                }
            }
        }
    }
}

#[test]
fn zph_factor_strata_and_levels_match_r() {
    let Some(reference) = common::reference_dir("zph_factor_strata_and_levels_match_r") else {
        return;
    };
    let (frame, _) = gbsg2(&reference);
    let want =
        read_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cox_r_reference.json"));
    let mut check = Checker::default();
    let m2 = "treat + age + postmeno + tsize + grade2 + grade3 + pnodes + progrec + estrec";
    let (efron, _) = fit(&frame, m2, Ties::Efron);
    for (transform, key) in [
        (ZphTransform::Km, "zph_m2_km"),
        (ZphTransform::Identity, "zph_m2_identity"),
        (ZphTransform::Rank, "zph_m2_rank"),
    ] {
        zph_check(
            &mut check,
            key,
            &efron.zph(transform, None).unwrap(),
            &want[key],
        );
    }
    let (breslow, _) = fit(&frame, m2, Ties::Breslow);
    zph_check(
        &mut check,
        "zph_m2_breslow_km",
        &breslow.zph(ZphTransform::Km, None).unwrap(),
        &want["zph_m2_breslow_km"],
    );

    // A factor (tgrade: two columns, one term) with an interaction.
    let (factor, matrix) = fit(&frame, "treat * high_risk + age + tgrade", Ties::Efron);
    check_r_fit(&mut check, "factor_fit", &factor, &want["factor_fit"]);
    let zph = factor.zph(ZphTransform::Km, Some(&matrix.terms)).unwrap();
    zph_check(&mut check, "zph_factor_km", &zph, &want["zph_factor_km"]);

    // Strata (menostat).
    let matrix = model(&frame, "treat + pnodes + tsize");
    let data = survival_of(&frame, &matrix.rows);
    let menostat = match frame.column("menostat").unwrap() {
        radcohort::stats::Column::Text(values) => matrix
            .rows
            .iter()
            .map(|&r| values[r].clone().unwrap())
            .collect(),
        other => panic!("menostat: {other:?}"),
    };
    let options = CoxOptions {
        strata: Some(menostat),
        ..CoxOptions::default()
    };
    let stratified = CoxModel::fit(&data, &matrix.design, &options).unwrap();
    assert_eq!(stratified.strata, 2);
    check_r_fit(&mut check, "strata_fit", &stratified, &want["strata_fit"]);
    zph_check(
        &mut check,
        "zph_strata_km",
        &stratified.zph(ZphTransform::Km, None).unwrap(),
        &want["zph_strata_km"],
    );
    zph_check(
        &mut check,
        "zph_strata_rank",
        &stratified.zph(ZphTransform::Rank, None).unwrap(),
        &want["zph_strata_rank"],
    );

    // tgrade with reference level III (R's relevel).
    let matrix = Formula::parse("treat + tgrade")
        .unwrap()
        .model_matrix(
            &frame,
            &BTreeMap::from([("tgrade".to_owned(), "III".to_owned())]),
        )
        .unwrap();
    let data = survival_of(&frame, &matrix.rows);
    let releveled = CoxModel::fit(&data, &matrix.design, &CoxOptions::default()).unwrap();
    // R names the columns after its variable, tgrade3.
    let renamed: Vec<String> = releveled
        .term_names()
        .iter()
        .map(|t| t.replace("tgrade", "tgrade3"))
        .collect();
    let want_terms: Vec<&str> = want["relevel_fit"]["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(renamed, want_terms);
    check_r_fit(&mut check, "relevel_fit", &releveled, &want["relevel_fit"]);
    check.finish("R coxph / cox.zph (survival 3.5-3)");
}

/// Compares a fit with a block written by cox_r_reference.R. R stops at its
/// own convergence rule, so coefficients are compared at 1e-7 absolute and
/// the rest relatively at 1e-6.
fn check_r_fit(check: &mut Checker, label: &str, ours: &CoxModel, want: &Value) {
    assert_eq!(ours.n as u64, want["n"].as_u64().unwrap());
    assert_eq!(ours.events as u64, want["events"].as_u64().unwrap());
    let coef: Vec<f64> = ours.terms.iter().map(|t| t.coef).collect();
    let se: Vec<f64> = ours.terms.iter().map(|t| t.se).collect();
    check.all(
        "R coef",
        &format!("{label} coef"),
        &coef,
        &want["coef"],
        1e-7,
        0.0,
    );
    check.all("R se", &format!("{label} se"), &se, &want["se"], 0.0, 1e-6);
    let vcov: Vec<f64> = ours.vcov.iter().flatten().copied().collect();
    let want_vcov: Vec<Value> = want["vcov"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().clone())
        .collect();
    check.all(
        "R vcov",
        &format!("{label} vcov"),
        &vcov,
        &Value::from(want_vcov),
        1e-12,
        1e-6,
    );
    check.all(
        "R loglik",
        &format!("{label} loglik"),
        &[ours.loglik_null, ours.loglik],
        &want["loglik"],
        1e-8,
        0.0,
    );
    check.all(
        "R tests",
        &format!("{label} lr"),
        &[ours.lr_test.statistic],
        &want["lr"],
        0.0,
        1e-6,
    );
    check.all(
        "R tests",
        &format!("{label} wald"),
        &[ours.wald_test.statistic],
        &want["wald"],
        0.0,
        1e-6,
    );
    check.all(
        "R tests",
        &format!("{label} score"),
        &[ours.score_test.statistic],
        &want["score"],
        0.0,
        1e-6,
    );
    check.all(
        "R concordance",
        &format!("{label} C"),
        &[ours.concordance],
        &want["concordance"],
        1e-12,
        0.0,
    );
}

#[test]
fn degenerate_gbsg2_designs_are_named() {
    let Some(reference) = common::reference_dir("degenerate_gbsg2_designs_are_named") else {
        return;
    };
    let (frame, _) = gbsg2(&reference);
    // grade2 + grade3 + the tgrade dummies: the dummies are aliased.
    let matrix = model(&frame, "grade2 + grade3 + tgrade");
    let data = survival_of(&frame, &matrix.rows);
    match CoxModel::fit(&data, &matrix.design, &CoxOptions::default()) {
        Err(StatsError::Singular { detail }) => {
            assert!(
                detail.contains("\"tgradeII\"") && detail.contains("\"grade2\""),
                "{detail}"
            );
        }
        other => panic!("expected Singular, got {other:?}"),
    }
}
