//! `radcohort stats` end to end: each subcommand's JSON on the shared GBSG2
//! data against the reference packages' values (lifelines, statsmodels,
//! pROC/DeLong, tableone), at 1e-6 relative, and bad input of every kind a
//! clear message with a non-zero exit.

mod common;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn radcohort(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_radcohort"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs a `stats` subcommand with `--json` and parses what it prints.
fn json(args: &[&str]) -> Value {
    let mut all = vec!["stats"];
    all.extend_from_slice(args);
    all.push("--json");
    let output = radcohort(&all);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A failure: non-zero exit, one `radcohort:` line, no panic.
fn failure(args: &[&str]) -> String {
    let mut all = vec!["stats"];
    all.extend_from_slice(args);
    let output = radcohort(&all);
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "{args:?} should fail");
    assert!(err.starts_with("radcohort: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn close(label: &str, actual: &Value, expected: &Value) {
    let (a, e) = (actual.as_f64().unwrap(), expected.as_f64().unwrap());
    let scale = e.abs().max(1e-12);
    assert!(
        (a - e).abs() / scale <= 1e-6,
        "{label}: {a} against the reference {e}"
    );
}

struct Reference {
    dir: PathBuf,
    survival: Value,
}

impl Reference {
    fn load(test: &str) -> Option<Reference> {
        let dir = common::reference_dir(test)?.join("survival");
        let survival =
            serde_json::from_str(&fs::read_to_string(dir.join("ref/gbsg2_survival.json")).unwrap())
                .unwrap();
        Some(Reference { dir, survival })
    }

    fn data(&self, name: &str) -> String {
        self.dir.join("data").join(name).display().to_string()
    }
}

#[test]
fn cox_interaction_model_and_subgroup_hazard_ratios() {
    let Some(reference) = Reference::load("cox_interaction_model") else {
        return;
    };
    let gbsg2 = reference.data("gbsg2.csv");
    let out = json(&[
        "cox",
        "--csv",
        &gbsg2,
        "--time",
        "time",
        "--event",
        "event",
        "--formula",
        "treat*high_risk",
        "--contrast",
        "treat=1,treat:high_risk=1",
    ]);
    let expected = &reference.survival["cox"]["m4_interaction"]["efron_lifelines"];
    assert_eq!(out["n"], 686);
    assert_eq!(out["events"], 299);
    assert_eq!(out["ties"], "efron");
    for (index, term) in out["terms"].as_array().unwrap().iter().enumerate() {
        assert_eq!(term["term"], expected["terms"][index]);
        for (ours, theirs) in [
            ("coef", "coef"),
            ("se", "se"),
            ("hr", "hr"),
            ("ci_lower", "hr_lower95"),
            ("ci_upper", "hr_upper95"),
            ("z", "z"),
        ] {
            close(theirs, &term[ours], &expected[theirs][index]);
        }
    }
    close("loglik", &out["loglik"], &expected["loglik"]);
    close(
        "lr_test",
        &out["lr_test"]["statistic"],
        &expected["lr_test"]["chi2"],
    );
    close(
        "concordance",
        &out["concordance"],
        &expected["concordance_lifelines"],
    );
    let within_high_risk = &expected["hr_treat_in_high_risk=1"];
    let contrast = &out["contrasts"][0];
    for key in ["hr", "se", "z", "p"] {
        close(key, &contrast[key], &within_high_risk[key]);
    }
    close(
        "ci_lower",
        &contrast["ci_lower"],
        &within_high_risk["hr_lower95"],
    );
}

#[test]
fn kaplan_meier_medians_and_logrank_tests() {
    let Some(reference) = Reference::load("kaplan_meier_medians") else {
        return;
    };
    let gbsg2 = reference.data("gbsg2.csv");
    let km = json(&[
        "km", "--csv", &gbsg2, "--time", "time", "--event", "event", "--group", "treat",
    ]);
    let groups = km["groups"].as_array().unwrap();
    // The reference lists the two arms first, then arm by risk group.
    let expected = &reference.survival["kaplan_meier"]["groups"]
        .as_array()
        .unwrap()[..2];
    assert_eq!(groups.len(), 2);
    for (ours, theirs) in groups.iter().zip(expected) {
        assert_eq!(ours["n"], theirs["n"]);
        assert_eq!(ours["events"], theirs["events"]);
        let median = &theirs["median"];
        assert_eq!(ours["median"], median["median_R_convention"]);
        assert_eq!(ours["median_lifelines"], median["median_lifelines"]);
        assert_eq!(ours["median_ci"], median["median_ci_loglog"]);
    }
    let logrank = json(&[
        "logrank", "--csv", &gbsg2, "--time", "time", "--event", "event", "--group", "tgrade",
    ]);
    let expected = &reference.survival["logrank"]["tgrade_3groups"];
    close("chi2", &logrank["statistic"], &expected["chi2"]);
    close("p", &logrank["p"], &expected["p"]);
    assert_eq!(logrank["df"], expected["df"]);
    for (index, group) in logrank["groups"].as_array().unwrap().iter().enumerate() {
        close("observed", &group["observed"], &expected["observed"][index]);
        close("expected", &group["expected"], &expected["expected"][index]);
    }
}

#[test]
fn concordance_roc_and_delong() {
    let Some(reference) = Reference::load("concordance_roc_and_delong") else {
        return;
    };
    let gbsg2 = reference.data("gbsg2.csv");
    let c = json(&[
        "cindex", "--csv", &gbsg2, "--time", "time", "--event", "event", "--score", "pnodes",
    ]);
    let expected = &reference.survival["cindex"]["risk=pnodes (many tied scores)"];
    close("cindex", &c["cindex"], &expected["c_index"]);
    for key in ["comparable_pairs", "concordant", "discordant", "tied_risk"] {
        close(key, &c[key], &expected[key]);
    }
    let landmark = reference.data("gbsg2_landmark730.csv");
    let roc = json(&[
        "roc",
        "--csv",
        &landmark,
        "--label",
        "event_by_730",
        "--score",
        "lp_m2",
        "--score2",
        "pnodes",
    ]);
    let delong = &reference.survival["landmark_730"]["roc"][0]["delong"];
    for key in ["auc", "se", "n_pos", "n_neg"] {
        close(key, &roc[key], &delong[key]);
    }
    close("ci_lower", &roc["ci_lower"], &delong["ci95_plain"][0]);
    close("ci_upper", &roc["ci_upper"], &delong["ci95_plain"][1]);
    let paired = &reference.survival["landmark_730"]["delong_paired_lp_m2_vs_pnodes"];
    close("z", &roc["delong_test"]["z"], &paired["z"]);
    close("p", &roc["delong_test"]["p"], &paired["p"]);
}

/// The landmark table joined with the patients' covariates by `id`, as a
/// CSV in `dir`: the reference logistic model reads both.
fn landmark_with_covariates(reference: &Reference, dir: &Path) -> String {
    let read = |name: &str| {
        let text = fs::read_to_string(reference.data(name)).unwrap();
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .unwrap()
            .split(',')
            .map(str::to_owned)
            .collect();
        let rows: Vec<Vec<String>> = lines
            .map(|line| line.split(',').map(str::to_owned).collect())
            .collect();
        (header, rows)
    };
    let (patient_header, patients) = read("gbsg2.csv");
    let (landmark_header, landmark) = read("gbsg2_landmark730.csv");
    let id = |header: &[String]| header.iter().position(|h| h == "id").unwrap();
    let (patient_id, landmark_id) = (id(&patient_header), id(&landmark_header));
    let mut text = format!(
        "{},{}\n",
        patient_header.join(","),
        landmark_header
            .iter()
            .filter(|h| *h != "id" && *h != "pnodes" && *h != "tsize")
            .cloned()
            .collect::<Vec<_>>()
            .join(",")
    );
    for row in &landmark {
        let patient = patients
            .iter()
            .find(|p| p[patient_id] == row[landmark_id])
            .unwrap();
        let extra: Vec<&str> = landmark_header
            .iter()
            .zip(row)
            .filter(|(h, _)| *h != "id" && *h != "pnodes" && *h != "tsize")
            .map(|(_, v)| v.as_str())
            .collect();
        writeln!(text, "{},{}", patient.join(","), extra.join(",")).unwrap();
    }
    let path = dir.join("landmark.csv");
    fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn logistic_model_of_the_landmark_outcome() {
    let Some(reference) = Reference::load("logistic_model") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let csv = landmark_with_covariates(&reference, dir.path());
    let expected = &reference.survival["landmark_730"]["logistic"];
    let out = json(&[
        "logistic",
        "--csv",
        &csv,
        "--label",
        "event_by_730",
        "--formula",
        "treat + age + postmeno + tsize + grade2 + grade3 + pnodes + progrec + estrec",
    ]);
    assert_eq!(out["n"], 623);
    for (index, term) in out["terms"].as_array().unwrap().iter().enumerate() {
        let name = expected["terms"][index].as_str().unwrap();
        let name = if name == "Intercept" {
            "(Intercept)"
        } else {
            name
        };
        assert_eq!(term["term"], name);
        close("coef", &term["coef"], &expected["coef"][index]);
        close("se", &term["se"], &expected["se"][index]);
    }
}

#[test]
fn table_one_p_values_match_tableone() {
    let Some(reference) = Reference::load("table_one") else {
        return;
    };
    let table1: Value = serde_json::from_str(
        &fs::read_to_string(reference.dir.join("ref/table1_gbsg2.json")).unwrap(),
    )
    .unwrap();
    let out = json(&[
        "table1",
        "--csv",
        &reference.data("gbsg2.csv"),
        "--group",
        "horTh",
        "--variables",
        "age,menostat,tsize,tgrade,pnodes,progrec,estrec,high_risk",
        "--categorical",
        "menostat,tgrade,high_risk",
        "--nonnormal",
        "tsize,pnodes,progrec,estrec",
    ]);
    let raw = &table1["tableone_raw_pvalues"];
    let variables = raw["variable"].as_array().unwrap();
    let tests = out["tests"].as_array().unwrap();
    for (index, variable) in variables.iter().enumerate() {
        let ours = tests
            .iter()
            .find(|t| t["variable"] == *variable)
            .unwrap_or_else(|| panic!("no test of {variable}"));
        close(
            variable.as_str().unwrap(),
            &ours["p"],
            &raw["P-Value"][index],
        );
    }
}

#[test]
fn lasso_cox_path_with_given_folds() {
    let Some(reference) = Reference::load("lasso_cox_path") else {
        return;
    };
    let out = json(&[
        "lasso",
        "--csv",
        &reference.data("gbsg2.csv"),
        "--time",
        "time",
        "--event",
        "event",
        "--formula",
        "treat + age + postmeno + tsize + grade2 + grade3 + pnodes + progrec + estrec",
        "--foldid",
        "foldid",
    ]);
    assert_eq!(out["family"], "cox");
    let lambda: Vec<f64> = out["lambda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(lambda.len(), 100);
    assert!(lambda.windows(2).all(|w| w[0] > w[1]));
    // λmax is the smallest λ with every coefficient zero.
    let first = out["coefficients"][0].as_array().unwrap();
    assert!(first.iter().all(|c| c.as_f64().unwrap() == 0.0));
    let cv = &out["cv"];
    assert_eq!(cv["nfolds"], 10);
    assert!(cv["lambda_1se"].as_f64().unwrap() >= cv["lambda_min"].as_f64().unwrap());
    assert_eq!(cv["foldid"][1], 1, "the second patient's fold in gbsg2.csv");
}

#[test]
fn bad_input_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let table = write(
        "t.csv",
        "time,event,x,copy,grade,score,label\n\
         5,1,1,2,a,0.1,0\n3,0,2,4,b,0.4,0\n8,1,3,6,a,0.5,1\n2,1,4,8,b,0.9,1\n9,0,5,10,a,0.2,0\n",
    );
    let err = failure(&[
        "cox",
        "--csv",
        &table,
        "--time",
        "tme",
        "--event",
        "event",
        "--formula",
        "x",
    ]);
    assert!(err.contains("no column \"tme\""), "{err}");
    let err = failure(&[
        "cox",
        "--csv",
        &table,
        "--time",
        "time",
        "--event",
        "grade",
        "--formula",
        "x",
    ]);
    assert!(
        err.contains("\"grade\"") && err.contains("not a number"),
        "{err}"
    );
    let err = failure(&[
        "cox",
        "--csv",
        &table,
        "--time",
        "time",
        "--event",
        "x",
        "--formula",
        "copy",
    ]);
    assert!(err.contains("expected 0 or 1"), "{err}");
    let err = failure(&[
        "cox",
        "--csv",
        &table,
        "--time",
        "time",
        "--event",
        "event",
        "--formula",
        "x + copy",
    ]);
    assert!(err.contains("singular") && err.contains("copy"), "{err}");
    let err = failure(&[
        "cox",
        "--csv",
        &table,
        "--time",
        "time",
        "--event",
        "event",
        "--formula",
        "x +",
    ]);
    assert!(err.contains("formula"), "{err}");
    let err = failure(&[
        "cox",
        "--csv",
        &table,
        "--time",
        "time",
        "--event",
        "event",
        "--formula",
        "grade",
        "--ref",
        "grade=c",
    ]);
    assert!(err.contains("grade"), "{err}");
    let none = write("none.csv", "time,event,x\n1,0,1\n2,0,2\n3,0,1\n");
    let err = failure(&[
        "cox",
        "--csv",
        &none,
        "--time",
        "time",
        "--event",
        "event",
        "--formula",
        "x",
    ]);
    assert!(err.contains("no events"), "{err}");
    let err = failure(&[
        "logistic",
        "--csv",
        &table,
        "--label",
        "label",
        "--formula",
        "score",
    ]);
    assert!(err.contains("no finite estimate"), "{err}");
    let err = failure(&[
        "roc", "--csv", &table, "--label", "label", "--score", "grade",
    ]);
    assert!(err.contains("not a number"), "{err}");
    let ragged = write("ragged.csv", "time,event\n1,0\n2\n");
    let err = failure(&["km", "--csv", &ragged, "--time", "time", "--event", "event"]);
    assert!(err.contains("line 3"), "{err}");
    let err = failure(&[
        "km",
        "--csv",
        "/nonexistent.csv",
        "--time",
        "time",
        "--event",
        "event",
    ]);
    assert!(err.contains("/nonexistent.csv"), "{err}");
}
