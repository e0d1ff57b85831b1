//! Analysis benchmark: times `radcohort analyze`'s work — every study
//! analysis and the publication folder — on a synthetic cohort of N
//! patients (default 10,000) whose features are already extracted, for
//! `benches/pipeline.sh`. Not a test: it asserts nothing and prints one
//! JSON line.
//!
//! ```text
//! cargo bench --bench analysis -- [--patients N] [--threads T] [--repeats R]
//! ```
//!
//! The cohort lives in memory: a latent risk z per patient drives five
//! features, early recurrence, DFS and OS; chemotherapy is randomised and
//! helps only when z > 0; two clinical variables follow z weakly. The
//! signature, CPR model and nomogram are fixed formulas with cutoffs, so
//! only the analyses are timed.

mod common;

use std::collections::BTreeMap;
use std::time::Instant;

use radcohort::analysis::analyze;
use radcohort::extraction::{RunInfo, RunValues};
use radcohort::report::write_report;
use radcohort::signature::{
    Cutoff, CutoffMethod, Input, InputSource, ModelKind, PatientData, Provenance, Signature,
    StudyData, document::FORMAT,
};
use radcohort::study::endpoints::{EndpointWindows, Endpoints, TimeToEvent};
use radcohort::study::model::{Cohort, Sex, Value, Variable, VariableType};

const FEATURES: [&str; 5] = [
    "original_firstorder_Mean",
    "original_glcm_Contrast",
    "original_glszm_ZoneEntropy",
    "wavelet-LLH_firstorder_Mean",
    "log-sigma-2-0-mm-3D_gldm_DependenceEntropy",
];

fn variable(name: &str, kind: VariableType, levels: &[&str]) -> Variable {
    Variable {
        name: name.into(),
        label: name.into(),
        kind,
        unit: None,
        levels: levels.iter().map(|l| l.to_string()).collect(),
        min: None,
        max: None,
        required: false,
    }
}

fn cohort(n: usize) -> StudyData {
    let mut rng = common::Rng(20221124);
    let mut run = RunValues {
        run: RunInfo {
            id: 1,
            selection: "dwi b=800".into(),
            params_hash: "bench".into(),
            engine: "bench".into(),
            created_at: String::new(),
            created_by: String::new(),
            done: n,
            failed: 0,
            features: FEATURES.len(),
        },
        features: FEATURES.iter().map(|f| f.to_string()).collect(),
        cases: BTreeMap::new(),
    };
    let mut patients = Vec::with_capacity(n);
    for i in 0..n {
        let study_id = format!("P{i:06}");
        let z = rng.normal();
        let chemo = rng.uniform() < 0.6;
        let features = (0..FEATURES.len())
            .map(|k| Some(10.0 * (k + 1) as f64 + z * (1.0 - 0.15 * k as f64) + rng.normal()))
            .collect();
        run.cases.insert(study_id.clone(), features);
        let hazard = (1.5 * z).exp() * if chemo && z > 0.0 { 0.45 } else { 1.0 };
        let recurrence = 365.0 * rng.exponential() / (0.7 * hazard);
        let death = recurrence + 365.0 * rng.exponential() / 0.6;
        let censor = 365.0 * (1.0 + 5.0 * rng.uniform());
        let days = |t: f64| (t.round() as i64).max(1);
        let dfs = TimeToEvent {
            days: days(recurrence.min(censor)),
            event: recurrence <= censor,
        };
        let os = TimeToEvent {
            days: days(death.min(censor)),
            event: death <= censor,
        };
        let early = if recurrence <= 365.0 {
            Some(true)
        } else {
            Some(false)
        };
        let mut values = BTreeMap::new();
        values.insert(
            "ca19_9".to_owned(),
            Value::Number((3.6 + 0.3 * z + rng.normal()).exp()),
        );
        let grade = if 0.3 * z + rng.normal() > 0.5 {
            "G3"
        } else {
            "G1"
        };
        values.insert("grade".to_owned(), Value::Level(grade.to_owned()));
        patients.push(PatientData {
            study_id,
            cohort: Some(if rng.uniform() < 0.7 {
                Cohort::Training
            } else {
                Cohort::Validation
            }),
            sex: Some(if rng.uniform() < 0.55 {
                Sex::Male
            } else {
                Sex::Female
            }),
            age: Some((57.0 + 10.0 * rng.normal()).round()),
            endpoints: Endpoints {
                dfs: Some(dfs),
                os: Some(os),
                early_recurrence: early,
                adjuvant_chemo: Some(chemo),
            },
            values,
        });
    }
    StudyData {
        dictionary: vec![
            variable("ca19_9", VariableType::Numeric, &[]),
            variable("grade", VariableType::Categorical, &["G1", "G3"]),
        ],
        windows: EndpointWindows::default(),
        patients,
        runs: vec![run],
    }
}

fn input(source: InputSource, center: f64, scale: f64) -> Input {
    Input {
        source,
        log: false,
        center,
        scale,
    }
}

fn logistic(name: &str, inputs: Vec<Input>, intercept: f64, coefficients: Vec<f64>) -> Signature {
    let mut signature = Signature {
        format: FORMAT.into(),
        id: None,
        name: name.into(),
        model: ModelKind::Logistic,
        inputs,
        intercept,
        coefficients,
        forest: None,
        cutoff: Some(Cutoff {
            value: 0.0,
            method: CutoffMethod::Fixed,
            chosen_on: "given".into(),
        }),
        provenance: Provenance::default(),
    };
    signature.seal();
    signature
}

fn models() -> (Signature, Signature, Signature) {
    let feature = |k: usize| InputSource::Feature {
        series: "dwi b=800".into(),
        params_hash: Some("bench".into()),
        name: FEATURES[k].into(),
    };
    let signature = logistic(
        "Radiomic signature",
        (0..3)
            .map(|k| input(feature(k), 10.0 * (k + 1) as f64, 1.4))
            .collect(),
        0.1,
        vec![0.9, 0.6, 0.4],
    );
    let clinical = || {
        vec![
            input(
                InputSource::Variable {
                    name: "ca19_9".into(),
                    level: None,
                },
                0.0,
                1.0,
            ),
            input(
                InputSource::Variable {
                    name: "grade".into(),
                    level: Some("G3".into()),
                },
                0.0,
                1.0,
            ),
        ]
    };
    let cpr = logistic("CPR model", clinical(), -0.5, vec![0.005, 0.6]);
    let mut combined_inputs = vec![input(
        InputSource::Signature {
            signature: Box::new(signature.clone()),
        },
        0.0,
        1.0,
    )];
    combined_inputs.extend(clinical());
    let combined = logistic(
        "Combined model",
        combined_inputs,
        -0.3,
        vec![1.0, 0.004, 0.5],
    );
    (signature, cpr, combined)
}

fn main() {
    let args = common::arguments();
    let n: usize = common::option(&args, "--patients").unwrap_or(10_000);
    let threads: usize = common::option(&args, "--threads").unwrap_or(1);
    let repeats: usize = common::option(&args, "--repeats").unwrap_or(3);
    if let Err(err) = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
    {
        eprintln!("bench: {err}");
        std::process::exit(1);
    }
    let data = cohort(n);
    let (signature, cpr, combined) = models();
    let folder =
        std::env::temp_dir().join(format!("radcohort-bench-analysis-{}", std::process::id()));
    let mut analyze_times = Vec::new();
    let mut report_times = Vec::new();
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        let results = match analyze(
            &data,
            "bench",
            signature.clone(),
            Some(cpr.clone()),
            Some(combined.clone()),
        ) {
            Ok(results) => results,
            Err(err) => {
                eprintln!("bench: {err}");
                std::process::exit(1);
            }
        };
        analyze_times.push(start.elapsed().as_secs_f64());
        let start = Instant::now();
        if let Err(err) = write_report(&results, &[&signature, &cpr, &combined], &folder) {
            eprintln!("bench: {err}");
            std::process::exit(1);
        }
        report_times.push(start.elapsed().as_secs_f64());
    }
    let _ = std::fs::remove_dir_all(&folder);
    println!(
        "{{\"patients\": {n}, \"threads\": {threads}, \"analyze_s\": {:.4}, \"report_s\": {:.4}}}",
        common::median(&mut analyze_times),
        common::median(&mut report_times)
    );
}
