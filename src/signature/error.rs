//! The error type of signatures: training, reading, scoring and storing.

use std::path::PathBuf;

use crate::stats::StatsError;
use crate::study::StudyError;

/// What can go wrong with a signature. Each variant names the file, option,
/// patient or input concerned.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// A signature file could not be read or written.
    #[error("{path}: {context}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A signature file is not valid JSON of the signature format.
    #[error("{path}: not a radcohort signature: {reason}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        reason: String,
    },
    /// A signature file parsed but does not hold a valid signature; the
    /// source says why.
    #[error("{path}")]
    InFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with its content.
        #[source]
        source: Box<SignatureError>,
    },
    /// A field of a signature holds a value it cannot hold.
    #[error("signature {name}: {field}: {reason}")]
    Invalid {
        /// The signature's name.
        name: String,
        /// The field, e.g. `inputs[2].scale`.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A signature's stored id does not match its content.
    #[error(
        "signature {name}: its id is {stored} but its content hashes to {computed}: it was edited \
         after it was written (remove the \"id\" field to import it as a new signature)"
    )]
    IdMismatch {
        /// The signature's name.
        name: String,
        /// The id in the file.
        stored: String,
        /// The id of the content.
        computed: String,
    },
    /// An option has a value it cannot take.
    #[error("{name} = '{value}': expected {expected}")]
    InvalidOption {
        /// The option.
        name: String,
        /// The value given.
        value: String,
        /// What it accepts.
        expected: String,
    },
    /// An extraction run asked for does not exist.
    #[error("no extraction run {run} in the study (see `radcohort runs`)")]
    UnknownRun {
        /// The run id.
        run: i64,
    },
    /// An input a signature reads is not in the study.
    #[error("{input}: {reason}")]
    MissingInput {
        /// The input, as displayed.
        input: String,
        /// Why it cannot be read.
        reason: String,
    },
    /// Too few patients to train or to choose a cutoff on.
    #[error("{what}: {reason}")]
    NotEnoughData {
        /// The step that needs the data.
        what: String,
        /// What is lacking.
        reason: String,
    },
    /// The frozen cutoff of a signature cannot be chosen again.
    #[error(
        "signature {name}: its cutoff is frozen at {value} ({method}); a new cutoff needs a new signature"
    )]
    CutoffFrozen {
        /// The signature's name.
        name: String,
        /// The frozen value.
        value: f64,
        /// How it was chosen.
        method: String,
    },
    /// A statistical routine failed.
    #[error("{context}")]
    Stats {
        /// What was being computed.
        context: String,
        /// The cause.
        #[source]
        source: StatsError,
    },
    /// The study database failed.
    #[error(transparent)]
    Study(#[from] StudyError),
}

impl SignatureError {
    /// Wraps a statistics error with what was being computed.
    pub(crate) fn stats(context: impl Into<String>) -> impl FnOnce(StatsError) -> SignatureError {
        let context = context.into();
        move |source| SignatureError::Stats { context, source }
    }
}
