//! Errors of the statistics engine. Each names the input, the observation
//! or term, and the value at fault, so the CLI can print it as it stands.

use thiserror::Error;

/// What went wrong in a statistical routine.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum StatsError {
    /// Two inputs that must describe the same observations differ in length.
    #[error("{what}: {found} values where {expected} were expected")]
    LengthMismatch {
        /// The input whose length is wrong, e.g. `event`.
        what: String,
        /// The length it should have.
        expected: usize,
        /// The length it has.
        found: usize,
    },
    /// A NaN or infinite value where a number is needed.
    #[error("{what}: observation {} is {value}, not a finite number", .index + 1)]
    NonFinite {
        /// The input, e.g. `time` or a design column's name.
        what: String,
        /// Zero-based index of the observation (shown one-based).
        index: usize,
        /// The value found.
        value: f64,
    },
    /// A value outside the range the method accepts (a negative time, a
    /// probability above 1, a label other than 0 and 1).
    #[error("{what}: observation {} is {value}, {expected}", .index + 1)]
    OutOfRange {
        /// The input.
        what: String,
        /// Zero-based index of the observation (shown one-based).
        index: usize,
        /// The value found.
        value: f64,
        /// What the value should be, e.g. `expected a time of 0 or more`.
        expected: String,
    },
    /// Too few observations (or none) for the method.
    #[error("{what}: {found} observations, at least {needed} needed")]
    TooFewObservations {
        /// What was counted, e.g. `group "high"` or `the cohort`.
        what: String,
        /// How many there are.
        found: usize,
        /// How many the method needs.
        needed: usize,
    },
    /// No events, so nothing can be estimated.
    #[error("{what}: no events")]
    NoEvents {
        /// Where there are none, e.g. `the cohort` or `stratum "2"`.
        what: String,
    },
    /// The design (or the information matrix) is singular: a term is
    /// constant or a combination of others.
    #[error("singular design: {detail}")]
    Singular {
        /// Which terms, when they can be named.
        detail: String,
    },
    /// Perfect separation or a monotone likelihood: a coefficient runs off
    /// to infinity, so no finite estimate exists.
    #[error("no finite estimate: {detail}")]
    Separation {
        /// The terms whose coefficients diverge.
        detail: String,
    },
    /// The input carries no information for the method, so any number
    /// would mislead: a score that is the same for every observation, two
    /// scores that order every pair alike in a paired comparison, a
    /// Youden cutoff on a score no better than chance.
    #[error("{what}: {detail}")]
    Degenerate {
        /// The input or comparison, e.g. `score "lp"`.
        what: String,
        /// Why no estimate is given.
        detail: String,
    },
    /// An iterative fit stopped before converging.
    #[error("{method} did not converge in {iterations} iterations (last change {change:e})")]
    NotConverged {
        /// The routine, e.g. `Cox Newton-Raphson`.
        method: String,
        /// Iterations run.
        iterations: usize,
        /// The last change in the convergence criterion.
        change: f64,
    },
    /// A parameter outside its domain (a confidence level of 1.2, 0 folds).
    #[error("{name} = {value}: {expected}")]
    InvalidParameter {
        /// The parameter's name as the caller spells it.
        name: String,
        /// The value given.
        value: String,
        /// What is accepted.
        expected: String,
    },
    /// A column that the table does not have.
    #[error("no column \"{name}\" (the table has: {available})")]
    UnknownColumn {
        /// The name asked for.
        name: String,
        /// The names there are, comma-separated.
        available: String,
    },
    /// A column used as a number holds text.
    #[error("column \"{column}\", row {}: \"{value}\" is not a number", .row + 1)]
    NotNumeric {
        /// The column.
        column: String,
        /// Zero-based data row (shown one-based: row 1 is the first after the header).
        row: usize,
        /// The first cell that is not a number.
        value: String,
    },
    /// A missing value where the method needs one.
    #[error("column \"{column}\", row {}: missing value", .row + 1)]
    Missing {
        /// The column.
        column: String,
        /// Zero-based data row (shown one-based: row 1 is the first after the header).
        row: usize,
    },
    /// A CSV file that cannot be read as a table.
    #[error("{input}, line {line}: {detail}")]
    Csv {
        /// The file (or other input) name.
        input: String,
        /// One-based line number (1 is the header).
        line: u64,
        /// What is wrong.
        detail: String,
    },
    /// A model formula that cannot be read or refers to nothing known.
    #[error("formula \"{formula}\": {detail}")]
    Formula {
        /// The formula as written.
        formula: String,
        /// What is wrong and where.
        detail: String,
    },
}

impl StatsError {
    /// Shorthand for [`StatsError::InvalidParameter`].
    pub fn invalid_parameter(
        name: impl Into<String>,
        value: impl ToString,
        expected: impl Into<String>,
    ) -> StatsError {
        StatsError::InvalidParameter {
            name: name.into(),
            value: value.to_string(),
            expected: expected.into(),
        }
    }
}
