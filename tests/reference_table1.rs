//! Table 1 of GBSG2 by hormone therapy against tableone 0.9.6
//! (`table1_gbsg2.json`, its raw numbers at the suggested tolerances, and
//! `table1_gbsg2_by_horTh_tableone.csv`, the printed table cell by cell),
//! and the tests behind it against scipy's values recorded there.

mod common;

use std::collections::BTreeMap;
use std::fmt::Display;
use std::fs;
use std::path::Path;

use radcohort::stats::hypothesis::{
    chi_square_contingency, fisher_exact, kruskal_wallis, mann_whitney_u, pooled_t_test,
    welch_t_test,
};
use radcohort::stats::table1::RowValues;
use radcohort::stats::{Frame, Grouping, Table1, Table1Variable};
use serde_json::Value;

/// `tolerance_suggested` of `table1_gbsg2.json`.
const STATS_REL: f64 = 1e-10;
const P_REL: f64 = 1e-8;

/// Relative comparisons of one kind, with the largest deviation printed.
struct Deviations {
    name: &'static str,
    tolerance: f64,
    compared: usize,
    worst: (f64, String),
    failures: Vec<String>,
}

impl Deviations {
    fn new(name: &'static str, tolerance: f64) -> Deviations {
        Deviations {
            name,
            tolerance,
            compared: 0,
            worst: (0.0, String::new()),
            failures: Vec::new(),
        }
    }

    fn check(&mut self, label: impl Display, ours: Option<f64>, reference: &Value) {
        self.compared += 1;
        let Some(want) = reference.as_f64() else {
            self.failures
                .push(format!("{label}: reference {reference} is not a number"));
            return;
        };
        let Some(got) = ours else {
            self.failures
                .push(format!("{label}: ours none, reference {want}"));
            return;
        };
        let error = (got - want).abs();
        let relative = if want == 0.0 {
            error
        } else {
            error / want.abs()
        };
        if relative > self.worst.0 {
            self.worst = (relative, label.to_string());
        }
        if relative > self.tolerance {
            self.failures.push(format!(
                "{label}: ours {got}, reference {want} ({relative:.2e})"
            ));
        }
    }

    fn finish(self) {
        eprintln!(
            "{}: {} values, largest relative deviation {:.2e} ({})",
            self.name, self.compared, self.worst.0, self.worst.1
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

fn load(dir: &Path) -> (Value, Frame) {
    let base = dir.join("survival");
    let reference: Value =
        serde_json::from_str(&fs::read_to_string(base.join("ref/table1_gbsg2.json")).unwrap())
            .unwrap();
    let frame = Frame::from_csv(
        fs::File::open(base.join("data/gbsg2.csv")).unwrap(),
        "gbsg2.csv",
    )
    .unwrap();
    (reference, frame)
}

/// The call of the reference: `TableOne(df, columns=[...],
/// categorical=[menostat, tgrade, high_risk], groupby='horTh',
/// nonnormal=[tsize, pnodes, progrec, estrec])`.
fn variables() -> Vec<Table1Variable> {
    Table1Variable::from_lists(
        &[
            "age",
            "menostat",
            "tsize",
            "tgrade",
            "pnodes",
            "progrec",
            "estrec",
            "high_risk",
        ],
        &["menostat", "tgrade", "high_risk"],
        &["tsize", "pnodes", "progrec", "estrec"],
    )
    .unwrap()
}

fn build(frame: &Frame) -> Table1 {
    Table1::build(frame, "horTh", &variables()).unwrap()
}

#[test]
fn gbsg2_table1_numbers_match_tableone() {
    let Some(dir) = common::reference_dir("gbsg2_table1_numbers_match_tableone") else {
        return;
    };
    let (reference, frame) = load(&dir);
    let table = build(&frame);
    let raw = &reference["raw"];
    assert_eq!(table.levels, vec!["no", "yes"]);
    let mut stats = Deviations::new("Table 1 summaries", STATS_REL);
    let mut pvalues = Deviations::new("Table 1 p-values", P_REL);

    let RowValues::Count { overall, groups } = &table.rows[0].values else {
        panic!("the first row is not the counts");
    };
    assert_eq!(*overall, 686);
    for level in ["no", "yes"] {
        assert_eq!(
            groups.get(level).copied(),
            raw["n"][level].as_u64().map(|n| n as usize)
        );
    }

    for (name, spec) in raw["variables"].as_object().unwrap() {
        let rows: Vec<_> = table.rows.iter().filter(|r| &r.variable == name).collect();
        assert!(!rows.is_empty(), "no rows for {name}");
        match spec["type"].as_str().unwrap() {
            "continuous" => {
                let RowValues::Continuous { overall, groups } = &rows[0].values else {
                    panic!("{name} is not continuous");
                };
                assert_eq!(rows[0].missing, Some(0));
                for level in ["no", "yes"] {
                    let s = groups.get(level).unwrap();
                    let label = format!("{name} {level}");
                    stats.check(format!("{label} mean"), s.mean, &spec["mean"][level]);
                    stats.check(format!("{label} sd"), s.sd, &spec["sd_ddof1"][level]);
                    stats.check(format!("{label} median"), s.median, &spec["median"][level]);
                    let quartiles = &spec["q25_q75_numpy_linear(R type 7)"][level];
                    stats.check(format!("{label} q1"), s.q1, &quartiles[0]);
                    stats.check(format!("{label} q3"), s.q3, &quartiles[1]);
                }
                let label = format!("{name} overall");
                stats.check(
                    format!("{label} mean"),
                    overall.mean,
                    &spec["overall_mean_sd"][0],
                );
                stats.check(
                    format!("{label} sd"),
                    overall.sd,
                    &spec["overall_mean_sd"][1],
                );
                let quantiles = &spec["overall_median_q25_q75"];
                stats.check(format!("{label} median"), overall.median, &quantiles[0]);
                stats.check(format!("{label} q1"), overall.q1, &quantiles[1]);
                stats.check(format!("{label} q3"), overall.q3, &quantiles[2]);
            }
            "categorical" => {
                let counts = spec["counts"].as_object().unwrap();
                assert_eq!(rows.len(), counts.len(), "{name} levels");
                assert_eq!(rows[0].missing, Some(0));
                for row in &rows {
                    let level = row.level.as_deref().unwrap();
                    let RowValues::Level { groups, .. } = &row.values else {
                        panic!("{name} {level} is not a level row");
                    };
                    for group in ["no", "yes"] {
                        let ours = groups.get(group).unwrap();
                        assert_eq!(
                            Some(ours.count as u64),
                            counts[level][group].as_u64(),
                            "{name} {level} {group}"
                        );
                        stats.check(
                            format!("{name} {level} {group} percent"),
                            ours.percent,
                            &spec["percent_of_column"][level][group],
                        );
                    }
                }
            }
            other => panic!("unknown type {other}"),
        }
    }

    let tests = &reference["tableone_raw_pvalues"];
    for (i, name) in tests["variable"].as_array().unwrap().iter().enumerate() {
        let name = name.as_str().unwrap();
        let ours = table.test(name).unwrap();
        assert_eq!(ours.name, tests["Test"][i].as_str().unwrap(), "{name}");
        pvalues.check(format!("{name} p"), ours.p, &tests["P-Value"][i]);
        let first = table.rows.iter().find(|r| r.variable == name).unwrap();
        assert_eq!(first.p, ours.p);
        assert_eq!(first.test.as_deref(), Some(ours.name.as_str()));
    }
    stats.finish();
    pvalues.finish();
}

#[test]
fn gbsg2_tests_match_scipy() {
    let Some(dir) = common::reference_dir("gbsg2_tests_match_scipy") else {
        return;
    };
    let (reference, frame) = load(&dir);
    let groups = Grouping::from_column(&frame, "horTh").unwrap();
    let mut stats = Deviations::new("test statistics", STATS_REL);
    let mut pvalues = Deviations::new("test p-values", P_REL);
    for (name, spec) in reference["raw"]["variables"].as_object().unwrap() {
        match spec["type"].as_str().unwrap() {
            "continuous" => {
                let cells = frame.numeric(name).unwrap();
                let mut by_group = [Vec::new(), Vec::new()];
                for (row, cell) in cells.iter().enumerate() {
                    by_group[groups.code(row).unwrap()].push(cell.unwrap());
                }
                let [no, yes] = &by_group;
                let welch = welch_t_test(no, yes).unwrap();
                stats.check(
                    format!("{name} Welch t"),
                    Some(welch.statistic),
                    &spec["welch_t"]["t"],
                );
                pvalues.check(
                    format!("{name} Welch p"),
                    Some(welch.p),
                    &spec["welch_t"]["p"],
                );
                let pooled = pooled_t_test(no, yes).unwrap();
                stats.check(
                    format!("{name} pooled t"),
                    Some(pooled.statistic),
                    &spec["pooled_t"]["t"],
                );
                pvalues.check(
                    format!("{name} pooled p"),
                    Some(pooled.p),
                    &spec["pooled_t"]["p"],
                );
                let kw = kruskal_wallis(&[no, yes]).unwrap();
                let reference_kw = &spec["kruskal_wallis_tiecorrected"];
                stats.check(format!("{name} H"), Some(kw.statistic), &reference_kw["H"]);
                pvalues.check(format!("{name} KW p"), Some(kw.p), &reference_kw["p"]);
                for (continuity, key) in [
                    (
                        true,
                        "mann_whitney_asymptotic_continuity (R wilcox.test default when ties/n>=50)",
                    ),
                    (
                        false,
                        "mann_whitney_asymptotic_no_continuity (== Kruskal-Wallis for 2 groups)",
                    ),
                ] {
                    let mw = mann_whitney_u(no, yes, continuity).unwrap();
                    stats.check(
                        format!("{name} U ({continuity})"),
                        Some(mw.u),
                        &spec[key]["U"],
                    );
                    pvalues.check(
                        format!("{name} MW p ({continuity})"),
                        Some(mw.p),
                        &spec[key]["p"],
                    );
                }
            }
            "categorical" => {
                let counts = spec["counts"].as_object().unwrap();
                let table: Vec<Vec<u64>> = counts
                    .values()
                    .map(|by_group| {
                        vec![
                            by_group["no"].as_u64().unwrap(),
                            by_group["yes"].as_u64().unwrap(),
                        ]
                    })
                    .collect();
                for (yates, key) in [(true, "chi2_yates_if_2x2"), (false, "chi2_no_correction")] {
                    let test = chi_square_contingency(&table, yates).unwrap();
                    stats.check(
                        format!("{name} {key} chi2"),
                        Some(test.statistic),
                        &spec[key]["chi2"],
                    );
                    assert_eq!(Some(test.df as u64), spec[key]["df"].as_u64(), "{name} df");
                    pvalues.check(format!("{name} {key} p"), Some(test.p), &spec[key]["p"]);
                    stats.check(
                        format!("{name} min expected"),
                        test.min_expected,
                        &spec["min_expected"],
                    );
                }
                if let Some(fisher) = spec.get("fisher_exact_two_sided") {
                    let test =
                        fisher_exact([[table[0][0], table[0][1]], [table[1][0], table[1][1]]])
                            .unwrap();
                    stats.check(
                        format!("{name} odds ratio"),
                        test.odds_ratio,
                        &fisher["odds_ratio"],
                    );
                    pvalues.check(format!("{name} Fisher p"), Some(test.p), &fisher["p"]);
                }
            }
            other => panic!("unknown type {other}"),
        }
    }
    stats.finish();
    pvalues.finish();
}

#[test]
fn gbsg2_table1_text_matches_tableone_csv() {
    let Some(dir) = common::reference_dir("gbsg2_table1_text_matches_tableone_csv") else {
        return;
    };
    let (reference, frame) = load(&dir);
    let table = build(&frame);
    let csv_path = dir
        .join("survival")
        .join(reference["csv"].as_str().unwrap());
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(&csv_path)
        .unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // Two header rows: "Grouped by horTh", then Missing, Overall, no, yes,
    // P-Value, Test.
    let header: Vec<&str> = records[1].iter().collect();
    assert_eq!(
        header,
        ["", "", "Missing", "Overall", "no", "yes", "P-Value", "Test"]
    );
    let expected: BTreeMap<(String, String), Vec<String>> = records[2..]
        .iter()
        .map(|record| {
            let cells: Vec<String> = record.iter().map(str::to_owned).collect();
            ((cells[0].clone(), cells[1].clone()), cells[2..].to_vec())
        })
        .collect();
    assert_eq!(expected.len(), table.rows.len());
    let mut compared = 0;
    for row in &table.rows {
        let key = (row.label.clone(), row.level.clone().unwrap_or_default());
        let want = expected
            .get(&key)
            .unwrap_or_else(|| panic!("tableone has no row {key:?}"));
        let categorical = matches!(row.values, RowValues::Level { .. });
        // tableone 0.9.6 lists a categorical variable's missing values as a
        // level (include_null) and leaves its Missing cell empty; we count
        // them in the Missing column.
        let missing = if categorical {
            want[0].clone()
        } else {
            row.missing.map(|m| m.to_string()).unwrap_or_default()
        };
        let ours = vec![
            missing,
            row.overall.clone(),
            row.groups.get("no").cloned().unwrap_or_default(),
            row.groups.get("yes").cloned().unwrap_or_default(),
            row.p_text.clone().unwrap_or_default(),
            row.test.clone().unwrap_or_default(),
        ];
        assert_eq!(&ours, want, "row {key:?}");
        compared += 1;
    }
    eprintln!("Table 1 text: {compared} rows identical to tableone's CSV");
    // Our printed p-values and test names against tableone's own
    // dictionaries, keyed "('label', 'level')".
    for (key, p_value) in reference["tableone_pvalues"].as_object().unwrap() {
        let (label, level) = key
            .trim_start_matches("('")
            .trim_end_matches("')")
            .split_once("', '")
            .unwrap();
        let row = table
            .rows
            .iter()
            .find(|r| r.label == label && r.level.as_deref().unwrap_or("") == level)
            .unwrap_or_else(|| panic!("no row {key}"));
        assert_eq!(
            row.p_text.as_deref().unwrap_or(""),
            p_value.as_str().unwrap(),
            "{key}"
        );
        let test = &reference["tableone_tests"][key];
        assert_eq!(
            row.test.as_deref().unwrap_or(""),
            test.as_str().unwrap(),
            "{key}"
        );
    }
}
