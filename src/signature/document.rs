//! The signature document: a versioned JSON file that holds everything
//! needed to score a patient — the inputs it reads and how each is
//! preprocessed, the model, the frozen risk cutoff and where it came from.
//!
//! ```json
//! {
//!   "format": "radcohort-signature/1",
//!   "id": "3f2a…",
//!   "name": "DWI radiomic signature",
//!   "model": "logistic",
//!   "inputs": [
//!     {"source": {"feature": {"series": "dwi b=800", "params_hash": "…",
//!                             "name": "original_glcm_Contrast"}},
//!      "log": false, "center": 12.3, "scale": 4.5}
//!   ],
//!   "intercept": -0.2,
//!   "coefficients": [0.8],
//!   "cutoff": {"value": -0.1, "method": "youden", "chosen_on": "training cohort, 83 patients"},
//!   "provenance": {"created": "2026-11-27", "tool": "radcohort 0.1.0", …}
//! }
//! ```
//!
//! A linear model's score (the Rad-score) is
//! `intercept + Σ_j coefficient_j · (t_j(x_j) − center_j) / scale_j`, where
//! `t_j` is the natural logarithm when `log` is set and the identity
//! otherwise; for a logistic model it is the log-odds, for a Cox model the
//! log relative hazard. A random forest's score is its predicted
//! probability. A patient whose score is at or above the cutoff is high
//! risk.
//!
//! The id is the first 16 hex digits of the SHA-256 of the document
//! written without its id, so any change to a model or its cutoff makes a
//! new signature. A file may leave the id out (a signature written by hand
//! from a published formula); a file whose id does not match its content
//! is refused.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::SignatureError;
use super::forest::Forest;

/// The format tag of the documents this version reads and writes.
pub const FORMAT: &str = "radcohort-signature/1";

/// A signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// Always [`FORMAT`].
    pub format: String,
    /// The content id (see the module documentation); absent in a
    /// hand-written file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// A name for tables and figures.
    pub name: String,
    /// The kind of model.
    pub model: ModelKind,
    /// What the model reads, in the order of `coefficients`.
    pub inputs: Vec<Input>,
    /// The intercept of a linear or logistic model (0 for Cox).
    #[serde(default)]
    pub intercept: f64,
    /// One coefficient per input (linear, logistic and Cox models).
    #[serde(default)]
    pub coefficients: Vec<f64>,
    /// The trees of a random forest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forest: Option<Forest>,
    /// The risk cutoff, frozen once chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cutoff: Option<Cutoff>,
    /// Where the signature came from.
    #[serde(default)]
    pub provenance: Provenance,
}

/// The kind of model a signature applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// A linear Rad-score (e.g. a published formula).
    Linear,
    /// A logistic model: the score is the log-odds.
    Logistic,
    /// A Cox model: the score is the log relative hazard.
    Cox,
    /// A random-forest classifier: the score is the predicted probability.
    RandomForest,
}

impl ModelKind {
    /// The name used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Linear => "linear",
            ModelKind::Logistic => "logistic",
            ModelKind::Cox => "cox",
            ModelKind::RandomForest => "random_forest",
        }
    }
}

/// One input of a signature with its preprocessing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Where the value comes from.
    pub source: InputSource,
    /// Take the natural logarithm of the value first (it must then be
    /// positive).
    #[serde(default)]
    pub log: bool,
    /// Subtracted after the logarithm (the training mean for a z-score).
    #[serde(default)]
    pub center: f64,
    /// Divided by after centring (the training SD for a z-score).
    #[serde(default = "one")]
    pub scale: f64,
}

fn one() -> f64 {
    1.0
}

/// Where an input's value comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum InputSource {
    /// A radiomic feature of an extraction run.
    Feature {
        /// The series the run read, as the run names it (`dwi b=800`,
        /// `adc`).
        series: String,
        /// The hash of the extraction parameters the feature must come
        /// from; `None` accepts any run of the series (a hand-written
        /// signature), as long as only one run matches.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        params_hash: Option<String>,
        /// The feature's name as the extraction wrote it, e.g.
        /// `wavelet-LLH_firstorder_Mean`.
        name: String,
    },
    /// A dictionary variable: its value (numeric, integer, boolean as 0/1),
    /// or for a categorical variable 1 when it equals `level` and 0
    /// otherwise.
    Variable {
        /// The variable's name in the data dictionary.
        name: String,
        /// The level of a categorical variable.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        level: Option<String>,
    },
    /// The score of another signature (a Rad-score inside a nomogram).
    Signature {
        /// The signature, embedded so the document stands alone.
        signature: Box<Signature>,
    },
}

impl InputSource {
    /// How the input is shown in tables and messages.
    pub fn label(&self) -> String {
        match self {
            InputSource::Feature { series, name, .. } => format!("{series}: {name}"),
            InputSource::Variable { name, level: None } => name.clone(),
            InputSource::Variable {
                name,
                level: Some(level),
            } => format!("{name} = {level}"),
            InputSource::Signature { signature } => format!("{} score", signature.name),
        }
    }
}

/// The risk cutoff of a signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cutoff {
    /// Scores at or above it are high risk.
    pub value: f64,
    /// How it was chosen.
    pub method: CutoffMethod,
    /// On which patients, e.g. `training cohort, 83 patients`.
    pub chosen_on: String,
}

/// How a cutoff was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CutoffMethod {
    /// The Youden-optimal threshold of the training scores against the
    /// binary outcome (pROC's `coords(best.method = "youden")`).
    Youden,
    /// The median training score (R type-7 quantile).
    Median,
    /// Given by the user.
    Fixed,
}

impl CutoffMethod {
    /// The name used in files and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            CutoffMethod::Youden => "youden",
            CutoffMethod::Median => "median",
            CutoffMethod::Fixed => "fixed",
        }
    }
}

/// Where a signature came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// How it was made, e.g. `LASSO logistic, 10-fold CV, λ.1se`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The outcome it was trained for (`early_recurrence`, `dfs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The cohort it was trained on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_cohort: Option<String>,
    /// Training patients used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_patients: Option<usize>,
    /// Training patients with the outcome (events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_events: Option<usize>,
    /// The seed of every random choice made in training.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The chosen penalty λ of a penalised fit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda: Option<f64>,
    /// When it was created (ISO date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The tool and version that made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// Free text: the source of a hand-written signature, for example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl Signature {
    /// The content id: the first 16 hex digits of the SHA-256 of the
    /// document serialised without its id.
    pub fn content_id(&self) -> String {
        let mut bare = self.clone();
        bare.id = None;
        let text = serde_json::to_string(&bare).unwrap_or_default();
        let digest = Sha256::digest(text.as_bytes());
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Sets the id to the content id; call after every change.
    pub fn seal(&mut self) {
        self.id = None;
        self.id = Some(self.content_id());
    }

    /// The id (the content id when the document has none).
    pub fn id(&self) -> String {
        self.id.clone().unwrap_or_else(|| self.content_id())
    }

    /// Parses a document, checks it and its id, and seals it. `path` is
    /// for messages: every error names it ([`SignatureError::Parse`], or
    /// [`SignatureError::InFile`] around what the check found).
    pub fn from_json(text: &str, path: &Path) -> Result<Signature, SignatureError> {
        let mut signature: Signature =
            serde_json::from_str(text).map_err(|err| SignatureError::Parse {
                path: path.to_owned(),
                reason: err.to_string(),
            })?;
        let in_file = |source| SignatureError::InFile {
            path: path.to_owned(),
            source: Box::new(source),
        };
        signature.check().map_err(in_file)?;
        if let Some(stored) = &signature.id {
            let computed = signature.content_id();
            if *stored != computed {
                return Err(in_file(SignatureError::IdMismatch {
                    name: signature.name.clone(),
                    stored: stored.clone(),
                    computed,
                }));
            }
        }
        signature.seal();
        Ok(signature)
    }

    /// Reads a signature file (see [`Signature::from_json`]).
    pub fn read(path: &Path) -> Result<Signature, SignatureError> {
        let text = std::fs::read_to_string(path).map_err(|source| SignatureError::Io {
            path: path.to_owned(),
            context: "cannot read the signature".to_owned(),
            source,
        })?;
        Signature::from_json(&text, path)
    }

    /// The document as pretty JSON, sealed.
    pub fn to_json(&self) -> String {
        let mut sealed = self.clone();
        sealed.seal();
        serde_json::to_string_pretty(&sealed).unwrap_or_default() + "\n"
    }

    /// Writes the sealed document to `path` through a temporary file, so a
    /// failure never leaves a partial signature.
    pub fn write(&self, path: &Path) -> Result<(), SignatureError> {
        let io = |source| SignatureError::Io {
            path: path.to_owned(),
            context: "cannot write the signature".to_owned(),
            source,
        };
        let partial = path.with_file_name(format!(
            ".partial-{}",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        std::fs::write(&partial, self.to_json()).map_err(io)?;
        std::fs::rename(&partial, path).map_err(io)
    }

    /// Checks that the document can score: the format, a coefficient per
    /// input, finite numbers, positive scales, a forest for a forest model
    /// and none otherwise, and the same of embedded signatures.
    pub fn check(&self) -> Result<(), SignatureError> {
        let invalid = |field: &str, reason: String| SignatureError::Invalid {
            name: self.name.clone(),
            field: field.to_owned(),
            reason,
        };
        if self.format != FORMAT {
            return Err(invalid(
                "format",
                format!("'{}' is not '{FORMAT}'", self.format),
            ));
        }
        if self.inputs.is_empty() {
            return Err(invalid(
                "inputs",
                "a signature reads at least one input".into(),
            ));
        }
        match (self.model, &self.forest) {
            (ModelKind::RandomForest, None) => {
                return Err(invalid(
                    "forest",
                    "a random-forest model needs its trees".into(),
                ));
            }
            (ModelKind::RandomForest, Some(forest)) => forest
                .check(self.inputs.len())
                .map_err(|reason| invalid("forest", reason))?,
            (_, Some(_)) => {
                return Err(invalid(
                    "forest",
                    format!("a {} model has no trees", self.model.as_str()),
                ));
            }
            (_, None) => {
                if self.coefficients.len() != self.inputs.len() {
                    return Err(invalid(
                        "coefficients",
                        format!(
                            "{} coefficients for {} inputs",
                            self.coefficients.len(),
                            self.inputs.len()
                        ),
                    ));
                }
            }
        }
        if let Some(j) = self.coefficients.iter().position(|c| !c.is_finite()) {
            return Err(invalid(
                &format!("coefficients[{j}]"),
                "must be finite".into(),
            ));
        }
        if !self.intercept.is_finite() {
            return Err(invalid("intercept", "must be finite".into()));
        }
        if self.model == ModelKind::Cox && self.intercept != 0.0 {
            return Err(invalid(
                "intercept",
                "a Cox model has no intercept (its baseline hazard absorbs it)".into(),
            ));
        }
        for (j, input) in self.inputs.iter().enumerate() {
            if !input.center.is_finite() {
                return Err(invalid(
                    &format!("inputs[{j}].center"),
                    "must be finite".into(),
                ));
            }
            if !(input.scale.is_finite() && input.scale > 0.0) {
                return Err(invalid(
                    &format!("inputs[{j}].scale"),
                    format!("{} is not a positive number", input.scale),
                ));
            }
            if let InputSource::Signature { signature } = &input.source {
                signature.check()?;
                if signature.model == ModelKind::RandomForest {
                    return Err(invalid(
                        &format!("inputs[{j}]"),
                        "an embedded signature must be linear, logistic or Cox".into(),
                    ));
                }
            }
        }
        if let Some(cutoff) = &self.cutoff
            && !cutoff.value.is_finite()
        {
            return Err(invalid("cutoff.value", "must be finite".into()));
        }
        Ok(())
    }

    /// The preprocessed value of input `j` from its raw value: the
    /// logarithm if asked for, then centring and scaling.
    pub fn preprocess(&self, j: usize, raw: f64) -> Result<f64, String> {
        let input = &self.inputs[j];
        let value = if input.log {
            if raw <= 0.0 {
                return Err(format!(
                    "{}: {raw} has no logarithm (the signature takes the log of this input)",
                    input.source.label()
                ));
            }
            raw.ln()
        } else {
            raw
        };
        Ok((value - input.center) / input.scale)
    }

    /// The score from the preprocessed inputs (see the module
    /// documentation), and for logistic and forest models the probability.
    pub fn score_preprocessed(&self, values: &[f64]) -> (f64, Option<f64>) {
        match (&self.forest, self.model) {
            (Some(forest), _) => {
                let p = forest.predict(values);
                (p, Some(p))
            }
            (None, model) => {
                let lp = self.intercept
                    + self
                        .coefficients
                        .iter()
                        .zip(values)
                        .map(|(b, x)| b * x)
                        .sum::<f64>();
                let probability = (model == ModelKind::Logistic).then(|| logistic(lp));
                (lp, probability)
            }
        }
    }
}

/// The logistic function 1 / (1 + e^(−x)), written to stay accurate for
/// large |x|.
pub fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}
