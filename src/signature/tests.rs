//! Tests of training and scoring on small in-memory studies.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::extraction::{RunInfo, RunValues};
use crate::sample_study::rng::Rng;
use crate::study::endpoints::{EndpointWindows, Endpoints, TimeToEvent};
use crate::study::model::{Cohort, Value, Variable, VariableType};

const HASH: &str = "abc123";

fn run(id: i64, features: &[&str]) -> RunValues {
    RunValues {
        run: RunInfo {
            id,
            selection: "dwi b=800".into(),
            params_hash: HASH.into(),
            engine: "radcohort test".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            created_by: "test".into(),
            done: 0,
            failed: 0,
            features: features.len(),
        },
        features: features.iter().map(|f| f.to_string()).collect(),
        cases: BTreeMap::new(),
    }
}

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

/// 120 patients, two thirds training. Early recurrence follows feature
/// `signal` (and the categorical `grade`) through a logistic model;
/// `noise_*` features carry nothing.
fn study(seed: u64) -> StudyData {
    let mut rng = Rng::new(seed, 0);
    let mut features = run(1, &["signal", "noise_a", "noise_b", "noise_c"]);
    let mut patients = Vec::new();
    for i in 0..120 {
        let study_id = format!("P{i:03}");
        let signal = rng.normal();
        let grade = if rng.chance(0.5) { "G3" } else { "G1" };
        let lp = 1.5 * signal + if grade == "G3" { 1.5 } else { -1.5 };
        let early = rng.uniform() < 1.0 / (1.0 + (-lp).exp());
        let days = if early { 100 + i } else { 500 + i };
        features.cases.insert(
            study_id.clone(),
            vec![
                Some(10.0 + 3.0 * signal),
                Some(rng.normal()),
                Some(rng.normal()),
                Some(rng.normal()),
            ],
        );
        let mut values = BTreeMap::new();
        values.insert("grade".to_owned(), Value::Level(grade.to_owned()));
        values.insert(
            "ca19_9".to_owned(),
            Value::Number(20.0 + 10.0 * rng.uniform()),
        );
        patients.push(PatientData {
            study_id,
            cohort: Some(if i % 3 == 2 {
                Cohort::Validation
            } else {
                Cohort::Training
            }),
            sex: None,
            age: None,
            endpoints: Endpoints {
                dfs: Some(TimeToEvent {
                    days,
                    event: early || i % 2 == 0,
                }),
                os: None,
                early_recurrence: Some(early),
                adjuvant_chemo: Some(false),
            },
            values,
        });
    }
    StudyData {
        dictionary: vec![
            variable("grade", VariableType::Categorical, &["G1", "G3"]),
            variable("ca19_9", VariableType::Numeric, &[]),
        ],
        windows: EndpointWindows::default(),
        patients,
        runs: vec![features],
    }
}

fn lasso_options() -> TrainOptions {
    TrainOptions {
        filters: filters::FilterOptions {
            near_zero_variance: true,
            correlation_threshold: Some(0.9),
        },
        ..TrainOptions::default()
    }
}

#[test]
fn lasso_logistic_finds_the_signal_feature_and_freezes_a_youden_cutoff() {
    let data = study(1);
    let (signature, report) = train(&data, &lasso_options()).unwrap();
    assert_eq!(report.patients, 80);
    assert_eq!(signature.model, ModelKind::Logistic);
    let signal = signature
        .inputs
        .iter()
        .position(|i| matches!(&i.source, InputSource::Feature { name, .. } if name == "signal"))
        .expect("the signal feature is selected");
    assert!(signature.coefficients[signal] > 0.5);
    // z-scored with the training mean and SD of the feature.
    let training: Vec<f64> = data
        .patients
        .iter()
        .filter(|p| p.cohort == Some(Cohort::Training))
        .map(|p| data.runs[0].cases[&p.study_id][0].unwrap())
        .collect();
    let centre = training.iter().sum::<f64>() / training.len() as f64;
    assert!((signature.inputs[signal].center - centre).abs() < 1e-12);
    let cutoff = signature.cutoff.as_ref().unwrap();
    assert_eq!(cutoff.method, CutoffMethod::Youden);
    let scores = score_patients(&signature, &data).unwrap();
    assert_eq!(scores.scores.len(), 120);
    assert!(scores.failures.is_empty());
    for s in &scores.scores {
        let expected = if s.score >= cutoff.value {
            RiskGroup::High
        } else {
            RiskGroup::Low
        };
        assert_eq!(s.risk_group, Some(expected));
    }
}

#[test]
fn validation_patients_cannot_change_a_trained_signature() {
    let data = study(2);
    let mut altered = data.clone();
    let mut rng = Rng::new(99, 0);
    for patient in altered
        .patients
        .iter_mut()
        .filter(|p| p.cohort == Some(Cohort::Validation))
    {
        patient.endpoints.early_recurrence = Some(rng.chance(0.5));
        patient.endpoints.dfs = Some(TimeToEvent {
            days: 1 + rng.below(900) as i64,
            event: rng.chance(0.5),
        });
        patient
            .values
            .insert("grade".into(), Value::Level("G3".into()));
        let case = altered.runs[0].cases.get_mut(&patient.study_id).unwrap();
        for value in case.iter_mut() {
            *value = Some(1000.0 * rng.normal());
        }
    }
    for model in [
        ModelChoice::LassoLogistic,
        ModelChoice::LassoCox,
        ModelChoice::RandomForest,
        ModelChoice::Cpr,
    ] {
        let options = TrainOptions {
            model,
            outcome: if model == ModelChoice::LassoCox {
                Outcome::Dfs
            } else {
                Outcome::EarlyRecurrence
            },
            forest: forest::ForestOptions {
                trees: 25,
                ..Default::default()
            },
            forest_inputs: 2,
            ..lasso_options()
        };
        let (a, _) = train(&data, &options).unwrap();
        let (b, _) = train(&altered, &options).unwrap();
        assert_eq!(a, b, "{model:?}");
        assert_eq!(a.id(), b.id());
    }
}

#[test]
fn a_signature_survives_its_json_round_trip_and_edits_are_refused() {
    let data = study(3);
    let (signature, _) = train(&data, &lasso_options()).unwrap();
    let text = signature.to_json();
    let back = Signature::from_json(&text, Path::new("s.json")).unwrap();
    assert_eq!(back, signature);
    assert_eq!(back.to_json(), text);
    let edited = text.replacen("\"intercept\": ", "\"intercept\": 1", 1);
    match Signature::from_json(&edited, Path::new("s.json")) {
        Err(SignatureError::InFile { path, source })
            if path == Path::new("s.json")
                && matches!(*source, SignatureError::IdMismatch { .. }) => {}
        other => panic!("expected an id mismatch, got {other:?}"),
    }
    let unknown = text.replacen("\"name\"", "\"nmae\"", 1);
    assert!(matches!(
        Signature::from_json(&unknown, Path::new("s.json")),
        Err(SignatureError::Parse { .. })
    ));
}

/// A Rad-score written by hand from a published formula.
const HAND_WRITTEN: &str = r#"{
  "format": "radcohort-signature/1",
  "name": "Published Rad-score",
  "model": "linear",
  "inputs": [
    {"source": {"feature": {"series": "dwi b=800", "name": "signal"}}, "center": 10, "scale": 2},
    {"source": {"feature": {"series": "dwi b=800", "name": "noise_a"}}, "log": true},
    {"source": {"variable": {"name": "grade", "level": "G3"}}},
    {"source": {"variable": {"name": "ca19_9"}}}
  ],
  "intercept": -1.25,
  "coefficients": [0.5, 2.0, 0.75, -0.01]
}"#;

#[test]
fn a_hand_written_signature_reproduces_hand_computed_scores() {
    let mut data = study(4);
    // Known values for two patients; noise_a must be positive for its log.
    let set = |data: &mut StudyData, id: &str, signal: f64, noise: f64, grade: &str, ca: f64| {
        let case = data.runs[0].cases.get_mut(id).unwrap();
        case[0] = Some(signal);
        case[1] = Some(noise);
        let patient = data.patients.iter_mut().find(|p| p.study_id == id).unwrap();
        patient
            .values
            .insert("grade".into(), Value::Level(grade.into()));
        patient.values.insert("ca19_9".into(), Value::Number(ca));
    };
    set(&mut data, "P000", 14.0, 1.0, "G3", 40.0);
    set(&mut data, "P001", 9.0, std::f64::consts::E, "G1", 0.0);
    let signature = Signature::from_json(HAND_WRITTEN, Path::new("hand.json")).unwrap();
    assert!(signature.cutoff.is_none());
    let scores = score_patients(&signature, &data).unwrap();
    // P000: −1.25 + 0.5·(14−10)/2 + 2·ln 1 + 0.75·1 − 0.01·40 = 0.1
    let p0 = scores.get("P000").unwrap();
    assert!((p0.score - 0.1).abs() < 1e-12, "{}", p0.score);
    assert_eq!(p0.probability, None);
    assert_eq!(p0.risk_group, None);
    // P001: −1.25 + 0.5·(9−10)/2 + 2·ln e + 0 − 0 = 0.5
    let p1 = scores.get("P001").unwrap();
    assert!((p1.score - 0.5).abs() < 1e-12, "{}", p1.score);
    // Every other patient with noise_a ≤ 0 cannot take its log: a failure
    // with the reason, never a silent score.
    assert!(!scores.failures.is_empty());
    assert!(
        scores
            .failures
            .iter()
            .all(|f| f.reason.contains("logarithm"))
    );
}

#[test]
fn cutoffs_freeze_once_chosen() {
    let data = study(5);
    let mut signature = Signature::from_json(HAND_WRITTEN, Path::new("hand.json")).unwrap();
    // Make every patient scorable: no log.
    signature.inputs[1].log = false;
    signature.seal();
    let before = signature.id();
    freeze_cutoff(&mut signature, &data, CutoffChoice::Median).unwrap();
    let cutoff = signature.cutoff.clone().unwrap();
    assert_eq!(cutoff.method, CutoffMethod::Median);
    assert_ne!(signature.id(), before);
    // The median of the training scores, whatever validation patients score.
    let scores = score_patients(&signature, &data).unwrap();
    let mut training: Vec<f64> = scores
        .scores
        .iter()
        .filter(|s| s.cohort == Some(Cohort::Training))
        .map(|s| s.score)
        .collect();
    training.sort_by(f64::total_cmp);
    let n = training.len();
    let median = (training[n / 2 - 1] + training[n / 2]) / 2.0;
    assert!((cutoff.value - median).abs() < 1e-12);
    match freeze_cutoff(&mut signature, &data, CutoffChoice::Youden) {
        Err(SignatureError::CutoffFrozen { value, .. }) => assert_eq!(value, cutoff.value),
        other => panic!("expected a frozen cutoff, got {other:?}"),
    }
    // Scoring a changed study does not move it.
    let mut changed = data.clone();
    for case in changed.runs[0].cases.values_mut() {
        case[0] = case[0].map(|v| v + 5.0);
    }
    let rescored = score_patients(&signature, &changed).unwrap();
    assert_eq!(rescored.cutoff, Some(cutoff.value));
}

#[test]
fn missing_inputs_are_errors_not_zeros() {
    let mut data = study(6);
    data.runs[0].cases.get_mut("P005").unwrap()[0] = None;
    data.patients[7].values.remove("grade");
    let mut signature = Signature::from_json(HAND_WRITTEN, Path::new("hand.json")).unwrap();
    signature.inputs[1].log = false;
    let scores = score_patients(&signature, &data).unwrap();
    let reasons: BTreeMap<&str, &str> = scores
        .failures
        .iter()
        .map(|f| (f.study_id.as_str(), f.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 2);
    assert!(reasons["P005"].contains("signal"), "{}", reasons["P005"]);
    assert!(reasons["P007"].contains("grade"), "{}", reasons["P007"]);
    // An input the study lacks altogether fails for everyone, up front.
    signature.inputs[0].source = InputSource::Feature {
        series: "adc".into(),
        params_hash: None,
        name: "signal".into(),
    };
    let error = score_patients(&signature, &data).unwrap_err().to_string();
    assert!(error.contains("no extraction run of adc"), "{error}");
    // A feature from other parameters is refused.
    signature.inputs[0].source = InputSource::Feature {
        series: "dwi b=800".into(),
        params_hash: Some("other".into()),
        name: "signal".into(),
    };
    let error = score_patients(&signature, &data).unwrap_err().to_string();
    assert!(error.contains("with parameters other"), "{error}");
}

#[test]
fn cpr_and_combined_models_train_on_clinical_variables_and_the_rad_score() {
    let data = study(7);
    let (radiomic, _) = train(&data, &lasso_options()).unwrap();
    let cpr_options = TrainOptions {
        model: ModelChoice::Cpr,
        ..lasso_options()
    };
    let (cpr, report) = train(&data, &cpr_options).unwrap();
    let grade = report
        .screening
        .iter()
        .find(|s| s.variable == "grade")
        .unwrap();
    assert!(grade.selected && grade.p < 0.1, "{grade:?}");
    assert!(cpr.inputs.iter().any(|i| matches!(
        &i.source,
        InputSource::Variable { name, level: Some(level) } if name == "grade" && level == "G3"
    )));
    let combined_options = TrainOptions {
        model: ModelChoice::Combined,
        radiomic: Some(radiomic.clone()),
        cpr: Some(cpr.clone()),
        ..lasso_options()
    };
    let (combined, _) = train(&data, &combined_options).unwrap();
    assert!(matches!(
        &combined.inputs[0].source,
        InputSource::Signature { signature } if **signature == radiomic
    ));
    assert_eq!(combined.inputs.len(), 1 + cpr.inputs.len());
    let scores = score_patients(&combined, &data).unwrap();
    assert_eq!(scores.scores.len(), 120);
    assert!(scores.scores.iter().all(|s| s.probability.is_some()));
    // A combined model without its parts is a clear error.
    let error = train(
        &data,
        &TrainOptions {
            model: ModelChoice::Combined,
            ..lasso_options()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("radiomic"), "{error}");
}

#[test]
fn a_forest_chooses_its_cutoff_on_out_of_bag_predictions() {
    let data = study(8);
    let options = TrainOptions {
        model: ModelChoice::RandomForest,
        forest: forest::ForestOptions {
            trees: 50,
            ..Default::default()
        },
        forest_inputs: 2,
        ..lasso_options()
    };
    let (signature, report) = train(&data, &options).unwrap();
    let cutoff = signature.cutoff.unwrap();
    assert!(
        cutoff.chosen_on.contains("out-of-bag"),
        "{}",
        cutoff.chosen_on
    );
    // In-sample predictions of a forest separate the training rows almost
    // perfectly, so a cutoff chosen on them would sit in the gap; the
    // out-of-bag one is a real probability threshold.
    assert!(cutoff.value > 0.0 && cutoff.value < 1.0);
    assert!(report.oob_error.unwrap() < 0.5);
}

#[test]
fn too_few_training_patients_is_a_clear_error() {
    let mut data = study(9);
    for patient in data.patients.iter_mut().skip(12) {
        patient.cohort = Some(Cohort::Validation);
    }
    let error = train(&data, &lasso_options()).unwrap_err().to_string();
    assert!(error.contains("at least 10 are needed"), "{error}");
}

#[test]
fn the_reproducibility_filter_drops_features_that_disagree_between_segmentations() {
    let mut data = study(10);
    // A repeat segmentation: `signal` and `noise_a` barely move, `noise_b`
    // and `noise_c` come out unrelated.
    let mut repeat = run(2, &["signal", "noise_a", "noise_b", "noise_c"]);
    repeat.run.selection = "dwi b=800 mask=tumour_reader2".into();
    let mut rng = Rng::new(11, 0);
    for (id, values) in &data.runs[0].cases {
        let first = values.clone();
        repeat.cases.insert(
            id.clone(),
            vec![
                first[0].map(|v| v + 0.05 * rng.normal()),
                first[1].map(|v| v + 0.05 * rng.normal()),
                Some(rng.normal()),
                Some(rng.normal()),
            ],
        );
    }
    data.runs.push(repeat);
    let options = TrainOptions {
        repeat_runs: vec![2],
        ..lasso_options()
    };
    let (signature, report) = train(&data, &options).unwrap();
    assert_eq!(
        report.candidates, 4,
        "the repeat run is not a source of candidates"
    );
    assert_eq!(report.dropped_unreproducible, 2);
    assert_eq!(report.unchecked_reproducibility, 0);
    for input in &signature.inputs {
        let InputSource::Feature { name, series, .. } = &input.source else {
            panic!("a feature input");
        };
        assert!(name == "signal" || name == "noise_a", "{name}");
        assert_eq!(series, "dwi b=800");
    }
    // Validation patients' repeat values play no part.
    let mut altered = data.clone();
    for patient in data
        .patients
        .iter()
        .filter(|p| p.cohort == Some(Cohort::Validation))
    {
        altered.runs[1]
            .cases
            .insert(patient.study_id.clone(), vec![Some(0.0); 4]);
    }
    assert_eq!(train(&altered, &options).unwrap().0, signature);
}
