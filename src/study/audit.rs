//! The audit trail: who changed what, when. Rows are written by
//! the study module's change writer in the same transaction as the change they describe.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::params;

use super::{StudyDb, StudyError};

/// Who is making a set of changes, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The operating-system user.
    pub user: String,
    /// When the changes are made; every row of one change set shares it.
    pub at: DateTime<Utc>,
}

impl Actor {
    /// The current OS user (`$USER`, else `$LOGNAME`, else `$USERNAME`,
    /// else `unknown`), now.
    pub fn from_environment() -> Self {
        let user = ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .find_map(|key| std::env::var(key).ok().filter(|v| !v.trim().is_empty()))
            .unwrap_or_else(|| "unknown".to_owned());
        Actor {
            user,
            at: Utc::now(),
        }
    }

    /// A fixed user and time, for reproducible runs and tests.
    pub fn new(user: &str, at: DateTime<Utc>) -> Self {
        Actor {
            user: user.to_owned(),
            at,
        }
    }

    /// The timestamp as stored: RFC 3339 in UTC to the second.
    pub fn timestamp(&self) -> String {
        self.at.to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

/// What kind of change an audit row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// A record was created; one row per field set.
    Insert,
    /// A field changed.
    Update,
    /// A record was removed; one row per field it had.
    Delete,
}

impl AuditAction {
    /// The word stored in the `action` column.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Insert => "insert",
            AuditAction::Update => "update",
            AuditAction::Delete => "delete",
        }
    }
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    /// Row id, increasing with time.
    pub id: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who (OS user).
    pub user: String,
    /// `insert`, `update` or `delete`.
    pub action: String,
    /// The table changed.
    pub table: String,
    /// The record, e.g. `ICC001` or `ICC001/recurrence#12`.
    pub record: String,
    /// The patient concerned, if any.
    pub study_id: Option<String>,
    /// The field changed.
    pub field: String,
    /// Value before the change.
    pub old_value: Option<String>,
    /// Value after the change.
    pub new_value: Option<String>,
}

impl StudyDb {
    /// The audit log, oldest first; only one patient's rows when `study_id`
    /// is given.
    pub fn audit_log(&self, study_id: Option<&str>) -> Result<Vec<AuditEntry>, StudyError> {
        let sql =
            "SELECT id, at, user, action, table_name, record, study_id, field, old_value, new_value
                   FROM audit_log WHERE ?1 IS NULL OR study_id = ?1 ORDER BY id";
        let read = || -> rusqlite::Result<Vec<AuditEntry>> {
            let mut statement = self.conn().prepare(sql)?;
            let rows = statement.query_map(params![study_id], |row| {
                Ok(AuditEntry {
                    id: row.get(0)?,
                    at: row.get(1)?,
                    user: row.get(2)?,
                    action: row.get(3)?,
                    table: row.get(4)?,
                    record: row.get(5)?,
                    study_id: row.get(6)?,
                    field: row.get(7)?,
                    old_value: row.get(8)?,
                    new_value: row.get(9)?,
                })
            })?;
            rows.collect()
        };
        read().map_err(self.sql_error("reading the audit log"))
    }
}
