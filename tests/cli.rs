//! The command line: each subcommand end to end, and every failure a clear
//! message with a non-zero exit, never a panic.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn radcohort(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_radcohort"))
        .args(args)
        .current_dir(dir)
        .env("USER", "cli-tester")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A failure: non-zero exit, a message starting with `radcohort:`, and no
/// panic or backtrace.
fn assert_clean_failure(output: &Output) -> String {
    let err = stderr(output);
    assert!(
        !output.status.success(),
        "expected a failure: {}",
        stdout(output)
    );
    assert!(err.starts_with("radcohort: "), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    err
}

#[test]
fn a_study_is_built_imported_checked_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = radcohort(
        &[
            "init",
            "--name",
            "ICC pilot",
            "--early-recurrence-days",
            "730",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(d.join("study.db").is_file(), "init defaults to ./study.db");

    fs::write(
        d.join("dictionary.csv"),
        "name,label,type,unit,levels,min,max,required\nca19_9,CA19-9,numeric,U/mL,,0,100000,yes\n",
    )
    .unwrap();
    fs::write(
        d.join("patients.csv"),
        "study_id,sex,age,cohort,surgery_date,recurrence_date,last_followup_date,ca19_9\n\
         P1,M,60,training,2018-01-01,2019-06-01,2020-01-01,40\n\
         P2,F,50,validation,2018-01-01,,2018-06-01,\n",
    )
    .unwrap();
    let out = radcohort(&["import", "dictionary", "dictionary.csv"], d);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = radcohort(
        &["import", "--json", "patients", "patients.csv", "--dry-run"],
        d,
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["records_created"], 2);
    assert_eq!(report["dry_run"], true);
    let out = radcohort(&["import", "patients", "patients.csv"], d);
    assert!(
        stdout(&out).contains("2 patients created"),
        "{}",
        stdout(&out)
    );

    let out = radcohort(&["info", "--json"], d);
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["settings"]["name"], "ICC pilot");
    assert_eq!(info["records"]["patients"], 2);
    // Recurrence on day 516 is early within the 730-day window.
    assert_eq!(info["endpoints"]["all"]["early_recurrence"]["yes"], 1);
    assert_eq!(info["endpoints"]["all"]["early_recurrence"]["unknown"], 1);

    // P2 misses a required value: validate says so and exits 1.
    let out = radcohort(&["validate", "--json"], d);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["issues"][0]["study_id"], "P2");
    assert_eq!(report["issues"][0]["kind"], "missing_required");

    let out = radcohort(&["export", "--out", "exported", "--deidentify"], d);
    assert!(out.status.success(), "{}", stderr(&out));
    let patients = fs::read_to_string(d.join("exported/patients.csv")).unwrap();
    assert!(
        patients.contains("P1,M,60,training,,,516,,730,40"),
        "{patients}"
    );

    let log = fs::read_to_string({
        radcohort(&["export", "--out", "full"], d);
        d.join("full/audit_log.csv")
    })
    .unwrap();
    assert!(
        log.contains(",cli-tester,insert,patient,P1,P1,study_id,,P1"),
        "{log}"
    );
}

#[test]
fn a_rejected_import_lists_every_problem_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    radcohort(&["init"], d);
    fs::write(d.join("bad.csv"), "study_id,sex,age\nP1,X,50\nP2,M,200\n").unwrap();
    let before = fs::read(d.join("study.db")).unwrap();
    let out = radcohort(&["import", "patients", "bad.csv"], d);
    let err = assert_clean_failure(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines[0],
        "radcohort: bad.csv: 2 problems found, nothing imported:"
    );
    assert_eq!(
        lines[1],
        "  bad.csv:2: column 'sex', value 'X': expected one of M, F"
    );
    assert_eq!(
        lines[2],
        "  bad.csv:3: column 'age', value '200': out of range [0, 120] years"
    );
    assert_eq!(fs::read(d.join("study.db")).unwrap(), before);
}

#[test]
fn bad_input_fails_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let err = assert_clean_failure(&radcohort(&["info"], d));
    assert!(err.contains("study.db: no such study database"), "{err}");

    fs::write(d.join("junk.db"), vec![7u8; 8192]).unwrap();
    let err = assert_clean_failure(&radcohort(&["info", "--db", "junk.db"], d));
    assert_eq!(err.lines().count(), 1, "{err}");

    radcohort(&["init"], d);
    let err = assert_clean_failure(&radcohort(&["init"], d));
    assert!(err.contains("already exists"), "{err}");
    let err = assert_clean_failure(&radcohort(&["import", "patients", "nowhere.csv"], d));
    assert!(err.contains("cannot read the file"), "{err}");
    let err = assert_clean_failure(&radcohort(
        &["import", "patients", "x.csv", "--date-format", "%Y"],
        d,
    ));
    assert!(err.contains("does not name a full date"), "{err}");
    let err = assert_clean_failure(&radcohort(
        &["init", "--db", "w.db", "--adjuvant-window-days", "0"],
        d,
    ));
    assert!(err.contains("adjuvant_window_days"), "{err}");

    // Argument errors are clap's: exit code 2 and a usage hint.
    let out = radcohort(&["import", "surgeries", "x.csv"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("expected patients, events, chemo, imaging or dictionary"));
}

#[test]
fn a_database_from_a_newer_radcohort_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    radcohort(&["init"], d);
    let conn = rusqlite::Connection::open(d.join("study.db")).unwrap();
    conn.pragma_update(None, "user_version", 7).unwrap();
    drop(conn);
    let err = assert_clean_failure(&radcohort(&["info"], d));
    assert!(
        err.contains("written by a newer radcohort (schema version 7"),
        "{err}"
    );
}
