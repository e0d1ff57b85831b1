//! The whole radiomic-signature workflow on the sample study, through the
//! commands a coordinator types (README): sample study → extraction (DWI
//! b=800 and ADC, PyRadiomics defaults) → LASSO signature, CPR model and
//! nomogram → scores → analyses. The sample study plants its effects
//! (sample_study/README.md); this checks the pipeline recovers them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn radcohort(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_radcohort"))
        .args(args)
        .env("USER", "pipeline-test")
        .output()
        .expect("running radcohort")
}

fn run(args: &[&str]) -> String {
    let output = radcohort(args);
    assert!(
        output.status.success(),
        "radcohort {}: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn path(folder: &Path, name: &str) -> String {
    folder.join(name).display().to_string()
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

#[test]
fn the_pipeline_recovers_the_planted_effects() {
    let folder: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pipeline-study");
    let _ = std::fs::remove_dir_all(&folder);
    run(&["sample-study", "--out", &path(&folder, "")]);
    let db = path(&folder, "study.db");
    let params = path(&folder, "params_default.yaml");
    run(&[
        "extract",
        "--db",
        &db,
        "--params",
        &params,
        "--b-value",
        "800",
    ]);
    run(&[
        "extract",
        "--db",
        &db,
        "--params",
        &params,
        "--series-kind",
        "adc",
    ]);
    let signature = path(&folder, "signature.json");
    let cpr = path(&folder, "cpr.json");
    let nomogram = path(&folder, "nomogram.json");
    run(&[
        "train",
        "--db",
        &db,
        "--model",
        "lasso-logistic",
        "--out",
        &signature,
    ]);
    run(&["train", "--db", &db, "--model", "cpr", "--out", &cpr]);
    run(&[
        "train",
        "--db",
        &db,
        "--model",
        "combined",
        "--signature",
        &signature,
        "--cpr",
        &cpr,
        "--out",
        &nomogram,
    ]);
    run(&["score", "--db", &db, "--signature", &signature]);
    let shown = run(&["signature", "show", &signature]);
    assert!(shown.contains("cutoff"), "{shown}");
    let report = folder.join("report");
    run(&[
        "analyze",
        "--db",
        &db,
        "--signature",
        &signature,
        "--cpr",
        &cpr,
        "--combined",
        &nomogram,
        "--out",
        &path(&report, ""),
    ]);
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("results.json")).unwrap())
            .unwrap();

    // The signature discriminates early recurrence in the validation
    // cohort clearly above chance: its DeLong CI excludes 0.5.
    let models = results["discrimination"]["models"].as_array().unwrap();
    let signature_validation = models
        .iter()
        .find(|m| m["role"] == "signature" && m["cohort"] == "validation")
        .unwrap();
    let auc = &signature_validation["auc"];
    assert!(number(&auc["auc"]) > 0.7, "validation AUC {auc}");
    assert!(number(&auc["ci_lower"]) > 0.5, "validation AUC {auc}");

    // DFS separates by risk group over all patients.
    let dfs_all = results["prognosis"]["by_risk_group"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["cohort"] == "all" && c["endpoint"] == "dfs")
        .unwrap();
    assert!(
        number(&dfs_all["logrank"]["p"]) < 0.001,
        "{}",
        dfs_all["logrank"]
    );
    assert!(number(&dfs_all["hazard_ratio"]["hr"]) > 1.5);

    // Chemotherapy helps the high-risk group on DFS (HR 0.45 planted) and
    // not the low-risk one (HR 1), and the interaction points that way.
    let chemo = &results["chemo_benefit"];
    let dfs = chemo["interaction"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["endpoint"] == "dfs")
        .unwrap();
    let high = &dfs["chemo_in_high_risk"];
    let low = &dfs["chemo_in_low_risk"];
    assert!(
        number(&high["ci_upper"]) < 1.0,
        "high-risk chemotherapy HR {high}"
    );
    assert!(
        number(&low["ci_lower"]) < 1.0 && number(&low["ci_upper"]) > 1.0,
        "low-risk {low}"
    );
    let interaction = dfs["terms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["term"] == "chemo:high_risk")
        .unwrap();
    assert!(number(&interaction["coef"]) < 0.0, "{interaction}");

    // The publication folder: report, tables in three formats, figures.
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    for section in [
        "## Patients",
        "## Discrimination",
        "## Prognosis",
        "## Adjuvant chemotherapy",
    ] {
        assert!(md.contains(section), "report.md lacks {section}");
    }
    for table in [
        "table1_by_cohort",
        "discrimination",
        "survival_by_risk_group",
        "chemotherapy_benefit",
    ] {
        for extension in ["csv", "md", "tex"] {
            let file = report.join("tables").join(format!("{table}.{extension}"));
            assert!(file.is_file(), "{} missing", file.display());
        }
    }
    let tex = std::fs::read_to_string(report.join("tables/discrimination.tex")).unwrap();
    assert!(tex.contains("\\toprule") && tex.contains("\\bottomrule"));
    for figure in [
        "km_dfs_validation",
        "roc_validation",
        "chemotherapy_forest",
        "calibration_validation",
        "decision_validation",
    ] {
        let svg =
            std::fs::read_to_string(report.join("figures").join(format!("{figure}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{figure}"
        );
    }
    let km = std::fs::read_to_string(report.join("figures/km_dfs_validation.svg")).unwrap();
    assert!(km.contains("Number at risk") && km.contains("log-rank p"));

    // Running again replaces the report; a folder of other files is never
    // replaced.
    let analyze = |out: &Path| {
        radcohort(&[
            "analyze",
            "--db",
            &db,
            "--signature",
            &signature,
            "--out",
            &path(out, ""),
        ])
    };
    assert!(analyze(&report).status.success());
    let foreign = folder.join("thesis");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("thesis.tex"), "precious").unwrap();
    let output = analyze(&foreign);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a radcohort report"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(foreign.join("thesis.tex")).unwrap(),
        "precious"
    );
}

#[test]
fn analyze_refuses_a_signature_without_a_cutoff() {
    let folder: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pipeline-no-cutoff");
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    let db = path(&folder, "study.db");
    run(&["init", "--db", &db]);
    let signature = folder.join("hand.json");
    std::fs::write(
        &signature,
        r#"{"format": "radcohort-signature/1", "name": "Hand", "model": "linear",
            "inputs": [{"source": {"variable": {"name": "ca19_9"}}}], "coefficients": [1.0]}"#,
    )
    .unwrap();
    let output = radcohort(&[
        "analyze",
        "--db",
        &db,
        "--signature",
        &signature.display().to_string(),
        "--out",
        &path(&folder, "out"),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no cutoff"), "{stderr}");
    assert!(
        !folder.join("out").exists(),
        "nothing is written on an error"
    );
}
