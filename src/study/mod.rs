//! The study database: cohort, clinical data, follow-up, chemotherapy,
//! imaging and the audit trail, in one SQLite file.
//!
//! - [`StudyDb`] opens or creates the database and applies the schema
//!   migrations of `schema/`;
//! - [`model`] is the data model, [`endpoints`] derives DFS, OS, early
//!   recurrence and adjuvant chemotherapy from it, and [`rules`] holds the
//!   cross-field rules every timeline obeys;
//! - [`import`] reads CSV files, validating every row before anything is
//!   written, and [`export`] writes the tables and the analysis file;
//! - [`edit`] sets one field of a record from typed text, checked against
//!   its definition;
//! - [`validation`] lists data-quality problems and [`summary`] counts the
//!   cohort and its endpoints;
//! - [`query`] compiles and evaluates cohort filters such as
//!   `cohort = validation and ca19_9 > 37`;
//! - every change is written together with its audit rows ([`audit`]).

pub mod audit;
mod changes;
pub mod dates;
mod db;
pub mod edit;
pub mod endpoints;
mod error;
pub mod export;
pub mod import;
mod load;
mod migrations;
pub mod model;
pub mod query;
pub mod rules;
mod save;
pub mod summary;
pub mod validation;

pub use audit::{Actor, AuditEntry};
pub use changes::ChangeCounts;
pub use db::{StudyDb, StudySettings};
pub use error::StudyError;
pub use migrations::latest_version as latest_schema_version;
pub use save::SaveError;
