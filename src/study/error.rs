use std::path::PathBuf;

/// Why the study database could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// SQLite refused an operation; `context` says which.
    #[error("{path}: {context}")]
    Database {
        /// The database file.
        path: PathBuf,
        /// What radcohort was doing.
        context: String,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// The file is not a radcohort study database.
    #[error("{path}: not a radcohort study database ({reason})")]
    NotAStudy {
        /// The file.
        path: PathBuf,
        /// What gave it away.
        reason: String,
    },
    /// A file operation around the database failed.
    #[error("{path}: {context}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What radcohort was doing.
        context: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The database was written by a newer radcohort.
    #[error(
        "{path}: written by a newer radcohort (schema version {found}; this build knows up to {supported}); upgrade radcohort to open it"
    )]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// The schema version found in the file.
        found: u32,
        /// The newest schema version this build knows.
        supported: u32,
    },
    /// A database opened for reading only has another schema version than
    /// this build's, and reading must not migrate it.
    #[error(
        "{path}: schema version {found}, this radcohort reads {supported}; open it once without --read-only (which upgrades it), or use the radcohort that wrote it"
    )]
    SchemaMismatch {
        /// The database file.
        path: PathBuf,
        /// The schema version found in the file.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// The file does not exist (and was not to be created).
    #[error("{path}: no such study database (create one with `radcohort init --db {path}`)")]
    Missing {
        /// The database file.
        path: PathBuf,
    },
    /// The file exists but is to be created.
    #[error("{path}: already exists; refusing to overwrite it")]
    AlreadyExists {
        /// The database file.
        path: PathBuf,
    },
    /// A stored value does not fit the data model, e.g. an unknown word in a
    /// column the schema does not constrain.
    #[error("{path}: {location}: cannot read stored value '{value}': {reason}")]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// Where: table, record and field, e.g. `table patient, record ICC001, field sex`.
        location: String,
        /// The stored value.
        value: String,
        /// Why it cannot be read.
        reason: String,
    },
    /// A study setting was given a value it cannot take.
    #[error("study setting {key} = '{value}': {reason}")]
    InvalidSetting {
        /// The setting's key.
        key: String,
        /// The offending value.
        value: String,
        /// Why it is refused.
        reason: String,
    },
}
