//! Kaplan–Meier curves and log-rank tests against the shared reference
//! values: GBSG2 (lifelines 0.30.3 / R conventions, `gbsg2_survival.json`),
//! R's own survfit / survdiff numbers and SAS PROC LIFETEST as recorded by
//! statsmodels (`r_reference_from_statsmodels_tests.json`). Every value the
//! references give is compared, at the tolerances they suggest.

mod common;

use std::fmt::Display;
use std::fs;
use std::path::Path;

use radcohort::stats::{
    ConfidenceTransform, Frame, Grouping, KaplanMeier, KmOptions, LogRankTest, LogRankWeights,
    QuantileRule, SurvivalData, logrank_test,
};
use serde_json::Value;

/// Suggested tolerances of `gbsg2_survival.json` (`tolerance_suggested`).
const KM_SURV: f64 = 1e-10;
const KM_CI: f64 = 1e-8;
const LOGRANK_REL: f64 = 1e-8;

/// Collects comparisons of one kind, remembers the largest deviation and
/// fails listing every value outside its tolerance.
struct Deviations {
    name: &'static str,
    relative: bool,
    tolerance: f64,
    compared: usize,
    worst: (f64, String),
    failures: Vec<String>,
}

impl Deviations {
    fn absolute(name: &'static str, tolerance: f64) -> Deviations {
        Deviations {
            name,
            relative: false,
            tolerance,
            compared: 0,
            worst: (0.0, String::new()),
            failures: Vec::new(),
        }
    }

    fn relative(name: &'static str, tolerance: f64) -> Deviations {
        Deviations {
            relative: true,
            ..Deviations::absolute(name, tolerance)
        }
    }

    /// Compares ours with the reference; none on both sides (null, NA,
    /// "inf") is agreement.
    fn check(&mut self, label: impl Display, ours: Option<f64>, reference: Option<f64>) {
        self.compared += 1;
        match (ours, reference) {
            (Some(got), Some(want)) => {
                let error = (got - want).abs();
                let deviation = if self.relative {
                    error / want.abs().max(f64::MIN_POSITIVE)
                } else {
                    error
                };
                if deviation > self.worst.0 {
                    self.worst = (deviation, label.to_string());
                }
                if deviation > self.tolerance && !(self.relative && error == 0.0) {
                    self.failures.push(format!(
                        "{label}: ours {got}, reference {want} ({deviation:.2e})"
                    ));
                }
            }
            (None, None) => {}
            _ => self
                .failures
                .push(format!("{label}: ours {ours:?}, reference {reference:?}")),
        }
    }

    fn finish(self) {
        eprintln!(
            "{}: {} values, largest {} deviation {:.2e} ({})",
            self.name,
            self.compared,
            if self.relative {
                "relative"
            } else {
                "absolute"
            },
            self.worst.0,
            self.worst.1
        );
        assert!(
            self.failures.is_empty(),
            "{}: {} outside {:e}:\n{}",
            self.name,
            self.failures.len(),
            self.tolerance,
            self.failures.join("\n")
        );
    }
}

/// A reference number; null, NA and "inf" (not reached, undefined) are none.
fn number(value: &Value) -> Option<f64> {
    value.as_f64()
}

fn numbers(value: &Value) -> Vec<Option<f64>> {
    value
        .as_array()
        .expect("an array in the reference")
        .iter()
        .map(number)
        .collect()
}

fn counts(value: &Value) -> Vec<usize> {
    value
        .as_array()
        .expect("an array in the reference")
        .iter()
        .map(|v| v.as_u64().expect("a count") as usize)
        .collect()
}

fn load_json(dir: &Path, file: &str) -> Value {
    let path = dir.join("survival/ref").join(file);
    serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap()
}

fn load_frame(dir: &Path, file: &str) -> Frame {
    let path = dir.join("survival/data").join(file);
    Frame::from_csv(fs::File::open(&path).unwrap(), file).unwrap()
}

fn column(frame: &Frame, name: &str) -> Vec<f64> {
    frame
        .numeric(name)
        .unwrap()
        .iter()
        .map(|cell| cell.expect("no missing cells in the reference data"))
        .collect()
}

fn survival_data(frame: &Frame, time: &str, event: &str) -> SurvivalData {
    SurvivalData::new(
        column(frame, time),
        column(frame, event).iter().map(|&e| e == 1.0).collect(),
    )
    .unwrap()
}

fn options(transform: ConfidenceTransform) -> KmOptions {
    KmOptions {
        level: 0.95,
        transform,
    }
}

const TRANSFORMS: [(ConfidenceTransform, &str); 3] = [
    (ConfidenceTransform::LogLog, "loglog"),
    (ConfidenceTransform::Log, "log"),
    (ConfidenceTransform::Plain, "plain"),
];

/// The comparisons of one reference file.
struct KmChecks {
    survival: Deviations,
    greenwood: Deviations,
    intervals: Deviations,
    medians: Deviations,
}

impl KmChecks {
    fn new() -> KmChecks {
        KmChecks {
            survival: Deviations::absolute("KM survival", KM_SURV),
            greenwood: Deviations::relative("KM Greenwood sum", KM_SURV),
            intervals: Deviations::absolute("KM se and intervals", KM_CI),
            medians: Deviations::absolute("KM medians and their intervals", 0.0),
        }
    }

    fn finish(self) {
        self.survival.finish();
        self.greenwood.finish();
        self.intervals.finish();
        self.medians.finish();
    }

    /// One group's curve against its reference object (`table`,
    /// `at_times`, `median`, `n`, `events`) of `gbsg2_survival.json`.
    fn gbsg2_group(&mut self, name: &str, fits: &[KaplanMeier; 3], reference: &Value) {
        let [loglog, log, _] = fits;
        assert_eq!(
            loglog.n,
            reference["n"].as_u64().unwrap() as usize,
            "{name}: n"
        );
        assert_eq!(
            loglog.events,
            reference["events"].as_u64().unwrap() as usize,
            "{name}: events"
        );
        let table = &reference["table"];
        let times = numbers(&table["time"]);
        assert_eq!(loglog.table.len(), times.len(), "{name}: event times");
        let ours_times: Vec<Option<f64>> = loglog.table.iter().map(|r| Some(r.time)).collect();
        assert_eq!(ours_times, times, "{name}: event times");
        let at_risk: Vec<usize> = loglog.table.iter().map(|r| r.at_risk).collect();
        assert_eq!(at_risk, counts(&table["n_risk"]), "{name}: n_risk");
        let events: Vec<usize> = loglog.table.iter().map(|r| r.events).collect();
        assert_eq!(events, counts(&table["n_event"]), "{name}: n_event");
        let censored: Vec<usize> = loglog.table.iter().map(|r| r.censored).collect();
        assert_eq!(
            censored,
            counts(&table["n_censor_at_time"]),
            "{name}: n_censor"
        );
        for (i, (want, row)) in numbers(&table["surv"])
            .iter()
            .zip(&loglog.table)
            .enumerate()
        {
            self.survival
                .check(format!("{name} surv[{i}]"), Some(row.survival), *want);
        }
        for (i, (want, &gw)) in numbers(&table["greenwood_sum"])
            .iter()
            .zip(loglog.greenwood())
            .enumerate()
        {
            // "inf" where everyone at risk had the event.
            let ours = gw.is_finite().then_some(gw);
            self.greenwood
                .check(format!("{name} greenwood[{i}]"), ours, *want);
        }
        for (i, (want, row)) in numbers(&table["se_surv"])
            .iter()
            .zip(&loglog.table)
            .enumerate()
        {
            self.intervals
                .check(format!("{name} se[{i}]"), row.se, *want);
        }
        for ((_, suffix), fit) in TRANSFORMS.iter().zip(fits) {
            let lower = numbers(&table[format!("lower_{suffix}")]);
            let upper = numbers(&table[format!("upper_{suffix}")]);
            for (i, row) in fit.table.iter().enumerate() {
                self.intervals.check(
                    format!("{name} lower_{suffix}[{i}]"),
                    row.ci_lower,
                    lower[i],
                );
                self.intervals.check(
                    format!("{name} upper_{suffix}[{i}]"),
                    row.ci_upper,
                    upper[i],
                );
            }
        }
        self.at_times(name, fits, &reference["at_times"]);
        let median = &reference["median"];
        let lifelines = loglog.median(QuantileRule::Lifelines);
        let r_loglog = loglog.median(QuantileRule::R);
        let r_log = log.median(QuantileRule::R);
        let checks = [
            (
                "median_lifelines",
                lifelines.time,
                &median["median_lifelines"],
            ),
            (
                "median_R_convention",
                r_loglog.time,
                &median["median_R_convention"],
            ),
            (
                "median_ci_loglog[0]",
                r_loglog.ci_lower,
                &median["median_ci_loglog"][0],
            ),
            (
                "median_ci_loglog[1]",
                r_loglog.ci_upper,
                &median["median_ci_loglog"][1],
            ),
            (
                "median_ci_log[0]",
                r_log.ci_lower,
                &median["median_ci_log"][0],
            ),
            (
                "median_ci_log[1]",
                r_log.ci_upper,
                &median["median_ci_log"][1],
            ),
            (
                "lifelines lower band",
                lifelines.ci_lower,
                &median["lifelines_median_survival_times_of_confidence_interval_raw"]["col_from_lower_band"],
            ),
            (
                "lifelines upper band",
                lifelines.ci_upper,
                &median["lifelines_median_survival_times_of_confidence_interval_raw"]["col_from_upper_band"],
            ),
        ];
        for (label, ours, reference) in checks {
            self.medians
                .check(format!("{name} {label}"), ours, number(reference));
        }
        // The R median is the same time under every transform.
        assert_eq!(log.median(QuantileRule::R).time, r_loglog.time);
    }

    /// `at_times` entries: R `summary(fit, times = t)`.
    fn at_times(&mut self, name: &str, fits: &[KaplanMeier; 3], reference: &Value) {
        let entries = reference.as_array().unwrap();
        let times: Vec<f64> = entries.iter().map(|e| e["t"].as_f64().unwrap()).collect();
        for ((_, suffix), fit) in TRANSFORMS.iter().zip(fits) {
            let at = fit.at_times(&times).unwrap();
            for (entry, ours) in entries.iter().zip(&at) {
                let label = format!("{name} t={}", ours.time);
                assert_eq!(
                    ours.at_risk as u64,
                    entry["n_risk"].as_u64().unwrap(),
                    "{label}"
                );
                assert_eq!(
                    ours.events as u64,
                    entry["n_event_in_(prev_t,t]"].as_u64().unwrap(),
                    "{label}"
                );
                assert_eq!(
                    ours.censored as u64,
                    entry["n_censor_in_(prev_t,t]"].as_u64().unwrap(),
                    "{label}"
                );
                self.survival.check(
                    format!("{label} surv"),
                    Some(ours.survival),
                    number(&entry["surv"]),
                );
                self.intervals
                    .check(format!("{label} se"), ours.se, number(&entry["se_surv"]));
                self.intervals.check(
                    format!("{label} lower_{suffix}"),
                    ours.ci_lower,
                    number(&entry[format!("lower_{suffix}")]),
                );
                self.intervals.check(
                    format!("{label} upper_{suffix}"),
                    ours.ci_upper,
                    number(&entry[format!("upper_{suffix}")]),
                );
            }
        }
    }
}

fn three_fits(data: &SurvivalData) -> [KaplanMeier; 3] {
    TRANSFORMS.map(|(transform, _)| KaplanMeier::fit(data, options(transform)).unwrap())
}

#[test]
fn gbsg2_kaplan_meier_overall_and_by_group() {
    let Some(dir) = common::reference_dir("gbsg2_kaplan_meier_overall_and_by_group") else {
        return;
    };
    let reference = load_json(&dir, "gbsg2_survival.json");
    let km = &reference["kaplan_meier"];
    let frame = load_frame(&dir, "gbsg2.csv");
    let data = survival_data(&frame, "time", "event");
    let mut checks = KmChecks::new();
    checks.gbsg2_group("all", &three_fits(&data), &km["overall"]);

    let treat = Grouping::from_column(&frame, "treat").unwrap();
    let high_risk = Grouping::from_column(&frame, "high_risk").unwrap();
    let crossed = Grouping::interaction(&[("treat", &treat), ("high_risk", &high_risk)]).unwrap();
    // Fit every grouping under each transform; name each group as the
    // reference does ("treat=0", "treat=0,high_risk=1").
    let mut fitted: Vec<(String, [KaplanMeier; 3])> = Vec::new();
    for (prefix, grouping) in [("treat=", &treat), ("", &crossed)] {
        let per_transform = TRANSFORMS.map(|(transform, _)| {
            KaplanMeier::fit_groups(&data, grouping, options(transform)).unwrap()
        });
        for (g, level) in grouping.levels().iter().enumerate() {
            let fits = [0, 1, 2].map(|t| per_transform[t][g].fit.clone());
            assert_eq!(&per_transform[0][g].group, level);
            fitted.push((format!("{prefix}{level}").replace(' ', ""), fits));
        }
    }
    let groups = km["groups"].as_array().unwrap();
    assert_eq!(groups.len(), fitted.len());
    for group in groups {
        let label = group["group"].as_str().unwrap();
        let key = label.split(" (").next().unwrap();
        let (_, fits) = fitted
            .iter()
            .find(|(name, _)| name == key)
            .unwrap_or_else(|| panic!("no group {key}"));
        checks.gbsg2_group(label, fits, group);
    }
    checks.finish();
}

#[test]
fn r_survfit_small_samples() {
    let Some(dir) = common::reference_dir("r_survfit_small_samples") else {
        return;
    };
    let reference = load_json(&dir, "r_reference_from_statsmodels_tests.json");
    let small = &reference["km_small"];
    let mut checks = KmChecks::new();
    // R prints 7 significant digits: agreement to half a unit in the last.
    let mut printed = Deviations::absolute("KM vs R's printed survfit", 5e-7);
    for sample in ["sample1", "sample2"] {
        let entry = &small[sample];
        let data = SurvivalData::new(
            numbers(&entry["time"])
                .into_iter()
                .map(Option::unwrap)
                .collect(),
            counts(&entry["status"]).iter().map(|&s| s == 1).collect(),
        )
        .unwrap();
        let fits = three_fits(&data);
        let own = &entry["own"];
        let times: Vec<Option<f64>> = fits[0].table.iter().map(|r| Some(r.time)).collect();
        assert_eq!(times, numbers(&own["time"]), "{sample}");
        assert_eq!(times, numbers(&entry["r_times"]), "{sample}");
        let at_risk: Vec<usize> = fits[0].table.iter().map(|r| r.at_risk).collect();
        assert_eq!(at_risk, counts(&own["n_risk"]), "{sample}");
        assert_eq!(at_risk, counts(&entry["r_n_risk"]), "{sample}");
        let events: Vec<usize> = fits[0].table.iter().map(|r| r.events).collect();
        assert_eq!(events, counts(&own["n_event"]), "{sample}");
        let censored: Vec<usize> = fits[0].table.iter().map(|r| r.censored).collect();
        assert_eq!(censored, counts(&own["n_censor_at_time"]), "{sample}");
        for (i, row) in fits[0].table.iter().enumerate() {
            let label = format!("{sample}[{i}]");
            checks
                .survival
                .check(&label, Some(row.survival), number(&own["surv"][i]));
            printed.check(&label, Some(row.survival), number(&entry["r_surv"][i]));
            printed.check(&label, row.se, number(&entry["r_se_surv"][i]));
            let gw = fits[0].greenwood()[i];
            checks.greenwood.check(
                &label,
                gw.is_finite().then_some(gw),
                number(&own["greenwood_sum"][i]),
            );
            checks
                .intervals
                .check(&label, row.se, number(&own["se_surv"][i]));
            for ((_, suffix), fit) in TRANSFORMS.iter().zip(&fits) {
                let row = &fit.table[i];
                checks.intervals.check(
                    format!("{label} lower_{suffix}"),
                    row.ci_lower,
                    number(&own[format!("lower_{suffix}")][i]),
                );
                checks.intervals.check(
                    format!("{label} upper_{suffix}"),
                    row.ci_upper,
                    number(&own[format!("upper_{suffix}")][i]),
                );
            }
        }
    }
    checks.finish();
    printed.finish();
}

#[test]
fn sas_lifetest_bone_marrow_all_group() {
    let Some(dir) = common::reference_dir("sas_lifetest_bone_marrow_all_group") else {
        return;
    };
    let reference = load_json(&dir, "r_reference_from_statsmodels_tests.json");
    let bmt = load_frame(&dir, "r_ref/bmt.csv");
    let groups = Grouping::from_column(&bmt, "Group").unwrap();
    let data = survival_data(&bmt, "T", "Status");
    let all = groups.levels().iter().position(|l| l == "ALL").unwrap();
    let rows: Vec<usize> = (0..data.len())
        .filter(|&i| groups.code(i) == Some(all))
        .collect();
    let data = data.subset(&rows);
    let fits = three_fits(&data);
    // SAS prints five significant digits: tolerance 1e-4 (the reference's).
    let mut sas = Deviations::absolute("KM vs SAS PROC LIFETEST", 1e-4);
    let sas_table = load_frame(&dir, "r_ref/bmt_results_sas.csv");
    let (t, s, se) = (
        column(&sas_table, "t"),
        column(&sas_table, "s"),
        column(&sas_table, "se"),
    );
    let times: Vec<f64> = fits[0].table.iter().map(|r| r.time).collect();
    assert_eq!(times, t);
    for (i, row) in fits[0].table.iter().enumerate() {
        sas.check(format!("S({})", t[i]), Some(row.survival), Some(s[i]));
        sas.check(format!("se({})", t[i]), row.se, Some(se[i]));
    }
    sas.finish();
    // The 25th percentile's interval, from the pointwise bands: SAS's
    // linear (our plain), log-log and log transforms.
    let limits = &reference["bmt"]["sas_quantile25_ci_ALL"];
    let mut quantiles = Deviations::absolute("first quartile interval vs SAS", 0.0);
    for ((transform, _), fit) in TRANSFORMS.iter().zip(&fits) {
        let key = match transform {
            ConfidenceTransform::LogLog => "cloglog(=log-log)",
            ConfidenceTransform::Log => "log",
            ConfidenceTransform::Plain => "linear",
        };
        let q = fit.quantile(0.25, QuantileRule::R).unwrap();
        assert_eq!(q.time, Some(122.0));
        quantiles.check(format!("{key} lower"), q.ci_lower, number(&limits[key][0]));
        quantiles.check(format!("{key} upper"), q.ci_upper, number(&limits[key][1]));
    }
    quantiles.finish();
}

/// Compares a test with a reference object holding `levels`, `observed`,
/// `expected`, `O_minus_E`, `variance_matrix`, `chi2`, `df`, `p`.
fn compare_logrank(
    label: &str,
    test: &LogRankTest,
    reference: &Value,
    values: &mut Deviations,
    statistics: &mut Deviations,
) {
    let levels: Vec<String> = reference["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|level| match level {
            Value::String(text) => text.clone(),
            number => number.as_f64().unwrap().to_string(),
        })
        .collect();
    let ours: Vec<String> = test.groups.iter().map(|g| g.group.clone()).collect();
    assert_eq!(ours, levels, "{label}");
    for (g, group) in test.groups.iter().enumerate() {
        let name = format!("{label} {}", group.group);
        values.check(
            format!("{name} observed"),
            Some(group.observed),
            number(&reference["observed"][g]),
        );
        values.check(
            format!("{name} expected"),
            Some(group.expected),
            number(&reference["expected"][g]),
        );
        values.check(
            format!("{name} O-E"),
            Some(group.o_minus_e),
            number(&reference["O_minus_E"][g]),
        );
        for (h, &cell) in test.variance[g].iter().enumerate() {
            values.check(
                format!("{name} variance[{h}]"),
                Some(cell),
                number(&reference["variance_matrix"][g][h]),
            );
        }
    }
    assert_eq!(test.df as u64, reference["df"].as_u64().unwrap(), "{label}");
    statistics.check(
        format!("{label} chi2"),
        Some(test.statistic),
        number(&reference["chi2"]),
    );
    statistics.check(format!("{label} p"), Some(test.p), number(&reference["p"]));
    statistics.check(
        format!("{label} chi2 (lifelines)"),
        Some(test.statistic),
        number(&reference["lifelines_chi2"]),
    );
    statistics.check(
        format!("{label} p (lifelines)"),
        Some(test.p),
        number(&reference["lifelines_p"]),
    );
    statistics.check(
        format!("{label} chi2 (statsmodels)"),
        Some(test.statistic),
        number(&reference["statsmodels_survdiff_chi2"]),
    );
    // statsmodels takes p as 1 − cdf, good to about 1e-16 absolute only
    // (it gives 2.2e-16 where the tail is 1.7e-16).
    let statsmodels_p = number(&reference["statsmodels_survdiff_p"]).unwrap();
    assert!(
        (test.p - statsmodels_p).abs() <= 1e-15 + LOGRANK_REL * statsmodels_p,
        "{label}: p {} vs statsmodels {statsmodels_p}",
        test.p
    );
}

#[test]
fn gbsg2_logrank_tests() {
    let Some(dir) = common::reference_dir("gbsg2_logrank_tests") else {
        return;
    };
    let reference = load_json(&dir, "gbsg2_survival.json");
    let frame = load_frame(&dir, "gbsg2.csv");
    let data = survival_data(&frame, "time", "event");
    let treat = column(&frame, "treat");
    let high_risk = column(&frame, "high_risk");
    let mut values = Deviations::relative("log-rank O, E, V", LOGRANK_REL);
    let mut statistics = Deviations::relative("log-rank chi-square and p", LOGRANK_REL);
    for (key, column_name) in [
        ("treat", "treat"),
        ("high_risk", "high_risk"),
        ("tgrade_3groups", "tgrade"),
    ] {
        let groups = Grouping::from_column(&frame, column_name).unwrap();
        let test = logrank_test(&data, &groups, None, LogRankWeights::LOGRANK).unwrap();
        compare_logrank(
            key,
            &test,
            &reference["logrank"][key],
            &mut values,
            &mut statistics,
        );
    }
    for risk in [0.0, 1.0] {
        let rows: Vec<usize> = (0..data.len()).filter(|&i| high_risk[i] == risk).collect();
        let labels: Vec<f64> = rows.iter().map(|&i| treat[i]).collect();
        let groups = Grouping::from_numbers(&labels, "treat").unwrap();
        let test =
            logrank_test(&data.subset(&rows), &groups, None, LogRankWeights::LOGRANK).unwrap();
        let key = format!("treat_within_high_risk={risk}");
        compare_logrank(
            &key,
            &test,
            &reference["logrank"][&key],
            &mut values,
            &mut statistics,
        );
    }
    values.finish();
    statistics.finish();
}

#[test]
fn r_survdiff_small_samples_and_bone_marrow() {
    let Some(dir) = common::reference_dir("r_survdiff_small_samples_and_bone_marrow") else {
        return;
    };
    let reference = load_json(&dir, "r_reference_from_statsmodels_tests.json");
    let mut values = Deviations::relative("survdiff O, E, V", LOGRANK_REL);
    let mut statistics = Deviations::relative("survdiff chi-square and p", LOGRANK_REL);
    // R prints survdiff's chi-square to 7 significant digits (and drops
    // trailing zeros): agreement within half a unit of the last digit
    // printed, at most 5e-6.
    let mut printed = Deviations::absolute("survdiff vs R's printed chi-square", 5e-6);

    let small = &reference["km_small"];
    let mut time = Vec::new();
    let mut event = Vec::new();
    let mut sample = Vec::new();
    for (label, key) in [(0, "sample1"), (1, "sample2")] {
        for (t, s) in numbers(&small[key]["time"])
            .iter()
            .zip(counts(&small[key]["status"]))
        {
            time.push(t.unwrap());
            event.push(s == 1);
            sample.push(label);
        }
    }
    let data = SurvivalData::new(time, event).unwrap();
    let test = logrank_test(
        &data,
        &Grouping::from_labels(&sample),
        None,
        LogRankWeights::LOGRANK,
    )
    .unwrap();
    compare_logrank(
        "km_small",
        &test,
        &small["own_logrank"],
        &mut values,
        &mut statistics,
    );
    let r = &small["r_survdiff_sample1_vs_sample2"];
    printed.check("km_small chi2", Some(test.statistic), number(&r["chi2"]));
    printed.check("km_small p", Some(test.p), number(&r["p"]));

    let bmt = load_frame(&dir, "r_ref/bmt.csv");
    let all_groups = Grouping::from_column(&bmt, "Group").unwrap();
    let data = survival_data(&bmt, "T", "Status");
    let three = logrank_test(&data, &all_groups, None, LogRankWeights::LOGRANK).unwrap();
    let bmt_reference = &reference["bmt"];
    compare_logrank(
        "bmt three groups",
        &three,
        &bmt_reference["own_logrank_three_groups"],
        &mut values,
        &mut statistics,
    );
    // The AML rows, in file order (the strata are row number modulo 5).
    let labels: Vec<&str> = match bmt.column("Group").unwrap() {
        radcohort::stats::Column::Text(cells) => {
            cells.iter().map(|c| c.as_deref().unwrap()).collect()
        }
        other => panic!("Group is not text: {other:?}"),
    };
    let aml: Vec<usize> = (0..data.len()).filter(|&i| labels[i] != "ALL").collect();
    let aml_data = data.subset(&aml);
    let aml_groups = Grouping::from_labels(&aml.iter().map(|&i| labels[i]).collect::<Vec<_>>());
    let two = logrank_test(&aml_data, &aml_groups, None, LogRankWeights::LOGRANK).unwrap();
    compare_logrank(
        "bmt two AML groups",
        &two,
        &bmt_reference["own_logrank_two_AML_groups"],
        &mut values,
        &mut statistics,
    );
    let survdiff = &bmt_reference["r_survdiff"];
    let fh = |rho| LogRankWeights::FlemingHarrington { rho, gamma: 0.0 };
    let strata = Grouping::from_labels(&(0..aml.len()).map(|i| i % 5).collect::<Vec<_>>());
    let cases = [
        (
            "two_AML_groups_logrank",
            &aml_data,
            &aml_groups,
            None,
            LogRankWeights::LOGRANK,
        ),
        (
            "two_AML_groups_gehan_breslow(weight n)",
            &aml_data,
            &aml_groups,
            None,
            LogRankWeights::GehanBreslow,
        ),
        (
            "two_AML_groups_tarone_ware(weight sqrt n)",
            &aml_data,
            &aml_groups,
            None,
            LogRankWeights::TaroneWare,
        ),
        (
            "two_AML_groups_fleming_harrington_p0.5",
            &aml_data,
            &aml_groups,
            None,
            fh(0.5),
        ),
        (
            "two_AML_groups_fleming_harrington_p1",
            &aml_data,
            &aml_groups,
            None,
            fh(1.0),
        ),
        (
            "three_groups_fleming_harrington_p1",
            &data,
            &all_groups,
            None,
            fh(1.0),
        ),
        (
            "two_groups_5strata(row%5)_logrank",
            &aml_data,
            &aml_groups,
            Some(&strata),
            LogRankWeights::LOGRANK,
        ),
    ];
    for (key, data, groups, strata, weights) in cases {
        let test = logrank_test(data, groups, strata, weights).unwrap();
        printed.check(key, Some(test.statistic), number(&survdiff[key]));
    }
    values.finish();
    statistics.finish();
    printed.finish();
}
