//! Data and comparison helpers of the discrimination, logistic and
//! calibration reference tests: the GBSG2 landmark-730 cohort (joined to
//! its covariates), the reference JSON files, and a tolerance check that
//! remembers the largest deviation it saw.
#![allow(dead_code)]

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use radcohort::stats::Frame;
use serde_json::Value;

/// The 623 landmark patients in the file's order, with the columns of the
/// landmark file and those of `gbsg2.csv` for the same `id`.
pub struct Landmark {
    pub columns: HashMap<String, Vec<f64>>,
}

impl Landmark {
    pub fn load(reference: &Path) -> Landmark {
        let data = reference.join("survival/data");
        let landmark = read_frame(&data.join("gbsg2_landmark730.csv"));
        let full = read_frame(&data.join("gbsg2.csv"));
        let ids = numbers(&landmark, "id");
        let full_ids = numbers(&full, "id");
        let rows: Vec<usize> = ids
            .iter()
            .map(|id| {
                full_ids
                    .iter()
                    .position(|candidate| candidate == id)
                    .unwrap_or_else(|| panic!("landmark id {id} not in gbsg2.csv"))
            })
            .collect();
        let mut columns = HashMap::new();
        for name in full.names() {
            if let Ok(values) = full.numeric(name) {
                let values = rows
                    .iter()
                    .map(|&row| values[row].expect("complete column"))
                    .collect();
                columns.insert(name.clone(), values);
            }
        }
        for name in landmark.names() {
            columns.insert(name.clone(), numbers(&landmark, name));
        }
        Landmark { columns }
    }

    pub fn column(&self, name: &str) -> &[f64] {
        self.columns
            .get(name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }

    /// The outcome, `event_by_730`.
    pub fn outcome(&self) -> &[f64] {
        self.column("event_by_730")
    }
}

fn read_frame(path: &Path) -> Frame {
    let file = File::open(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    Frame::from_csv(file, &path.display().to_string()).unwrap()
}

fn numbers(frame: &Frame, name: &str) -> Vec<f64> {
    frame
        .numeric(name)
        .unwrap()
        .iter()
        .map(|cell| cell.expect("no missing cells"))
        .collect()
}

pub fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The shared reference's `gbsg2_survival.json`, section `landmark_730`.
pub fn shared_landmark_reference(reference: &Path) -> Value {
    read_json(&reference.join("survival/ref/gbsg2_survival.json"))["landmark_730"].clone()
}

/// The R values made by `tests/data/generate_r_discrimination.R`.
pub fn r_reference() -> Value {
    read_json(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/r_discrimination.json"))
}

pub fn num(value: &Value) -> f64 {
    match value {
        Value::String(text) if text == "Inf" || text == "inf" => f64::INFINITY,
        Value::String(text) if text == "-Inf" || text == "-inf" => f64::NEG_INFINITY,
        other => other
            .as_f64()
            .unwrap_or_else(|| panic!("not a number: {other}")),
    }
}

pub fn nums(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(num)
        .collect()
}

/// Checks values against a reference within an absolute or a relative
/// tolerance, collecting every failure, and reports the largest
/// deviations seen (absolute, and relative where the reference is not 0).
/// With `RADCOHORT_SHOW_DEVIATIONS` set it prints every deviation.
pub struct Checker {
    label: String,
    failures: Vec<String>,
    worst_absolute: (f64, String),
    worst_relative: (f64, String),
    count: usize,
}

impl Checker {
    pub fn new(label: &str) -> Checker {
        Checker {
            label: label.to_owned(),
            failures: Vec::new(),
            worst_absolute: (0.0, String::new()),
            worst_relative: (0.0, String::new()),
            count: 0,
        }
    }

    /// Passes when |got − want| ≤ `absolute`.
    pub fn abs(&mut self, what: &str, got: f64, want: f64, absolute: f64) {
        self.check(what, got, want, absolute, 0.0);
    }

    /// Passes when |got − want| ≤ `relative`·|want|.
    pub fn rel(&mut self, what: &str, got: f64, want: f64, relative: f64) {
        self.check(what, got, want, 0.0, relative);
    }

    fn check(&mut self, what: &str, got: f64, want: f64, absolute: f64, relative: f64) {
        self.count += 1;
        if got == want {
            return;
        }
        let error = (got - want).abs();
        if std::env::var_os("RADCOHORT_SHOW_DEVIATIONS").is_some() {
            eprintln!(
                "deviation\t{}\t{what}\t{error:e}\t{:e}",
                self.label,
                error / want.abs()
            );
        }
        if error > self.worst_absolute.0 || error.is_nan() {
            self.worst_absolute = (error, what.to_owned());
        }
        if want != 0.0 {
            let ratio = error / want.abs();
            if ratio > self.worst_relative.0 {
                self.worst_relative = (ratio, what.to_owned());
            }
        }
        if error.is_nan() || error > absolute.max(relative * want.abs()) {
            self.failures.push(format!(
                "{what}: {got:e} vs reference {want:e} (|diff| {error:.2e})"
            ));
        }
    }

    pub fn exact<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, got: T, want: T) {
        self.count += 1;
        if got != want {
            self.failures
                .push(format!("{what}: {got:?} vs reference {want:?}"));
        }
    }

    /// Prints the largest deviations and fails with every mismatch.
    pub fn finish(self) {
        eprintln!(
            "{}: {} values; largest absolute deviation {:.2e} ({}), largest relative {:.2e} ({})",
            self.label,
            self.count,
            self.worst_absolute.0,
            self.worst_absolute.1,
            self.worst_relative.0,
            self.worst_relative.1
        );
        assert!(
            self.failures.is_empty(),
            "{}:\n{}",
            self.label,
            self.failures.join("\n")
        );
    }
}
