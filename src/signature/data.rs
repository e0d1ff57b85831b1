//! The study as signatures see it: each patient's cohort, endpoints,
//! dictionary values and extracted features, read once from the database.

use std::collections::BTreeMap;

use super::SignatureError;
use super::document::{InputSource, Signature};
use crate::extraction::{RunValues, list_runs, load_run_values};
use crate::study::StudyDb;
use crate::study::endpoints::{self, EndpointWindows, Endpoints};
use crate::study::model::{Cohort, Sex, Value, Variable, VariableType};

/// One patient's data.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientData {
    /// The pseudonymous study id.
    pub study_id: String,
    /// Training or validation; `None` when unassigned.
    pub cohort: Option<Cohort>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Age at surgery, years.
    pub age: Option<f64>,
    /// The derived endpoints.
    pub endpoints: Endpoints,
    /// Dictionary values by variable name.
    pub values: BTreeMap<String, Value>,
}

/// Every patient's data and every extraction run's values.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyData {
    /// The data dictionary, in display order.
    pub dictionary: Vec<Variable>,
    /// The endpoint windows of the study.
    pub windows: EndpointWindows,
    /// The patients, by study id.
    pub patients: Vec<PatientData>,
    /// The extraction runs' values.
    pub runs: Vec<RunValues>,
}

impl StudyData {
    /// Reads the study: its patients with their endpoints, and the values
    /// of every extraction run.
    pub fn load(db: &StudyDb) -> Result<StudyData, SignatureError> {
        let windows = EndpointWindows::from(&db.settings()?);
        let mut patients: Vec<PatientData> = db
            .load_records()?
            .into_iter()
            .map(|record| PatientData {
                study_id: record.patient.study_id.clone(),
                cohort: record.patient.cohort,
                sex: record.patient.sex,
                age: record.patient.age_at_surgery,
                endpoints: endpoints::derive(&record, windows),
                values: record.values,
            })
            .collect();
        patients.sort_by(|a, b| a.study_id.cmp(&b.study_id));
        let mut runs = Vec::new();
        for info in list_runs(db)? {
            if let Some(values) = load_run_values(db, info.id)? {
                runs.push(values);
            }
        }
        Ok(StudyData {
            dictionary: db.dictionary()?,
            windows,
            patients,
            runs,
        })
    }

    /// The run with id `run`.
    pub fn run(&self, run: i64) -> Result<&RunValues, SignatureError> {
        self.runs
            .iter()
            .find(|values| values.run.id == run)
            .ok_or(SignatureError::UnknownRun { run })
    }

    /// The dictionary variable called `name`.
    pub fn variable(&self, name: &str) -> Option<&Variable> {
        self.dictionary.iter().find(|v| v.name == name)
    }
}

/// Where each input of a signature is read from, found once per
/// signature so that a mismatch is reported before any patient is scored.
#[derive(Debug)]
pub(crate) enum ResolvedInput<'a> {
    /// Column `column` of a run.
    Feature { run: &'a RunValues, column: usize },
    /// A numeric (or 0/1) dictionary variable.
    Number { name: &'a str },
    /// A categorical variable's indicator of `level`.
    Indicator { name: &'a str, level: &'a str },
    /// Another signature's score.
    Score(Box<ResolvedSignature<'a>>),
}

/// A signature with its inputs resolved against a study.
#[derive(Debug)]
pub(crate) struct ResolvedSignature<'a> {
    pub signature: &'a Signature,
    pub inputs: Vec<ResolvedInput<'a>>,
}

impl<'a> ResolvedSignature<'a> {
    /// Finds every input of `signature` in `data`: a feature must come
    /// from exactly one run of its series (and parameters, when the
    /// signature names their hash) that has it; a variable must be in the
    /// dictionary, numeric, integer or boolean — or categorical with one
    /// of its levels named.
    pub fn new(
        signature: &'a Signature,
        data: &'a StudyData,
    ) -> Result<ResolvedSignature<'a>, SignatureError> {
        let mut inputs = Vec::with_capacity(signature.inputs.len());
        for input in &signature.inputs {
            let missing = |reason: String| SignatureError::MissingInput {
                input: format!(
                    "signature {}: input {}",
                    signature.name,
                    input.source.label()
                ),
                reason,
            };
            let resolved = match &input.source {
                InputSource::Feature {
                    series,
                    params_hash,
                    name,
                } => {
                    let runs: Vec<&RunValues> = data
                        .runs
                        .iter()
                        .filter(|r| {
                            r.run.selection == *series
                                && params_hash.as_ref().is_none_or(|h| *h == r.run.params_hash)
                        })
                        .collect();
                    let run = match runs.as_slice() {
                        [] => {
                            return Err(missing(match params_hash {
                                Some(hash) => format!(
                                    "no extraction run of {series} with parameters {hash} \
                                     (run `radcohort extract` with the signature's parameter file)"
                                ),
                                None => format!("no extraction run of {series}"),
                            }));
                        }
                        [run] => *run,
                        _ => {
                            return Err(missing(format!(
                                "{} extraction runs of {series} (runs {}); name the parameters' \
                                 hash in the signature",
                                runs.len(),
                                runs.iter()
                                    .map(|r| r.run.id.to_string())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )));
                        }
                    };
                    let column = run.features.iter().position(|f| f == name).ok_or_else(|| {
                        missing(format!("run {} has no feature {name}", run.run.id))
                    })?;
                    ResolvedInput::Feature { run, column }
                }
                InputSource::Variable { name, level } => {
                    let variable = data
                        .variable(name)
                        .ok_or_else(|| missing("not in the data dictionary".to_owned()))?;
                    match (variable.kind, level) {
                        (
                            VariableType::Numeric | VariableType::Integer | VariableType::Boolean,
                            None,
                        ) => ResolvedInput::Number { name },
                        (VariableType::Categorical, Some(level)) => {
                            if !variable.levels.contains(level) {
                                return Err(missing(format!(
                                    "'{level}' is not a level of {name} ({})",
                                    variable.levels.join(", ")
                                )));
                            }
                            ResolvedInput::Indicator { name, level }
                        }
                        (VariableType::Categorical, None) => {
                            return Err(missing(format!(
                                "{name} is categorical: name the level the input indicates ({})",
                                variable.levels.join(", ")
                            )));
                        }
                        (kind, _) => {
                            return Err(missing(format!(
                                "a {} variable{} cannot be a model input",
                                kind.as_str(),
                                if level.is_some() { " with a level" } else { "" }
                            )));
                        }
                    }
                }
                InputSource::Signature { signature } => {
                    ResolvedInput::Score(Box::new(ResolvedSignature::new(signature, data)?))
                }
            };
            inputs.push(resolved);
        }
        Ok(ResolvedSignature { signature, inputs })
    }

    /// The raw (not yet preprocessed) value of input `j` for a patient;
    /// the error says what is missing.
    pub fn raw(&self, j: usize, patient: &PatientData) -> Result<f64, String> {
        let label = || self.signature.inputs[j].source.label();
        match &self.inputs[j] {
            ResolvedInput::Feature { run, column } => {
                let case = run.cases.get(&patient.study_id).ok_or_else(|| {
                    format!(
                        "{}: no finished case in extraction run {} ({})",
                        label(),
                        run.run.id,
                        run.run.selection
                    )
                })?;
                case[*column].ok_or_else(|| {
                    format!("{}: no value in extraction run {}", label(), run.run.id)
                })
            }
            ResolvedInput::Number { name } => patient
                .values
                .get(*name)
                .and_then(Value::as_f64)
                .ok_or_else(|| format!("{}: missing", label())),
            ResolvedInput::Indicator { name, level } => match patient.values.get(*name) {
                Some(Value::Level(value)) => Ok(if value == level { 1.0 } else { 0.0 }),
                _ => Err(format!("{name}: missing")),
            },
            ResolvedInput::Score(inner) => inner.evaluate(patient).map(|(score, _)| score),
        }
    }

    /// The patient's score and probability (see [`Signature`]).
    pub fn evaluate(&self, patient: &PatientData) -> Result<(f64, Option<f64>), String> {
        let mut values = Vec::with_capacity(self.inputs.len());
        for j in 0..self.inputs.len() {
            let raw = self.raw(j, patient)?;
            if !raw.is_finite() {
                return Err(format!(
                    "{}: {raw} is not finite",
                    self.signature.inputs[j].source.label()
                ));
            }
            values.push(self.signature.preprocess(j, raw)?);
        }
        Ok(self.signature.score_preprocessed(&values))
    }
}
