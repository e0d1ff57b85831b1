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

/// The columns of an [`AuditEntry`], in the order [`audit_entry`] reads them.
const AUDIT_COLUMNS: &str =
    "id, at, user, action, table_name, record, study_id, field, old_value, new_value";

/// Reads one row selected with [`AUDIT_COLUMNS`].
fn audit_entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
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
}

/// A `LIKE` pattern matching `text` anywhere, with `\` escaping the
/// pattern's own wildcards so that `50%` or `ICC_001` match literally.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

impl StudyDb {
    /// The audit log, oldest first; only one patient's rows when `study_id`
    /// is given.
    pub fn audit_log(&self, study_id: Option<&str>) -> Result<Vec<AuditEntry>, StudyError> {
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE ?1 IS NULL OR study_id = ?1 ORDER BY id"
        );
        let read = || -> rusqlite::Result<Vec<AuditEntry>> {
            let mut statement = self.conn().prepare(&sql)?;
            let rows = statement.query_map(params![study_id], audit_entry)?;
            rows.collect()
        };
        read().map_err(self.sql_error("reading the audit log"))
    }

    /// The latest `limit` rows of the audit log, newest first, so that a
    /// screen can show a log of any length without reading all of it.
    ///
    /// With a `filter`, only rows where it occurs in the time, user,
    /// action, table, record, field, old or new value are returned. The
    /// text is matched literally (`%` and `_` are not wildcards) and, as
    /// SQLite's `LIKE` does, ignoring the case of ASCII letters only. A
    /// filter of nothing but spaces is no filter.
    pub fn audit_recent(
        &self,
        filter: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StudyError> {
        let pattern = filter
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(contains_pattern);
        // SQLite takes a signed limit; more rows than i64 holds cannot exist.
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log
              WHERE ?1 IS NULL
                 OR at LIKE ?1 ESCAPE '\\' OR user LIKE ?1 ESCAPE '\\'
                 OR action LIKE ?1 ESCAPE '\\' OR table_name LIKE ?1 ESCAPE '\\'
                 OR record LIKE ?1 ESCAPE '\\' OR field LIKE ?1 ESCAPE '\\'
                 OR old_value LIKE ?1 ESCAPE '\\' OR new_value LIKE ?1 ESCAPE '\\'
              ORDER BY id DESC LIMIT ?2"
        );
        let read = || -> rusqlite::Result<Vec<AuditEntry>> {
            let mut statement = self.conn().prepare(&sql)?;
            let rows = statement.query_map(params![pattern, limit], audit_entry)?;
            rows.collect()
        };
        read().map_err(self.sql_error("reading the latest audit rows"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::StudySettings;

    fn actor(user: &str, seconds: i64) -> Actor {
        let at = DateTime::from_timestamp(1_700_000_000 + seconds, 0).expect("a valid time");
        Actor::new(user, at)
    }

    /// A study whose audit log holds the creation rows and then one
    /// settings change per name, each by its own user.
    fn study_with_changes(names: &[(&str, &str)]) -> (tempfile::TempDir, StudyDb) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let settings = StudySettings {
            name: "First".to_owned(),
            ..StudySettings::default()
        };
        let mut db = StudyDb::create(&dir.path().join("study.db"), &settings, &actor("init", 0))
            .expect("a new study");
        for (i, (user, name)) in names.iter().enumerate() {
            let changed = StudySettings {
                name: (*name).to_owned(),
                ..settings.clone()
            };
            let seconds = i64::try_from(i).expect("a few changes") + 1;
            db.update_settings(&changed, &actor(user, seconds))
                .expect("a settings change");
        }
        (dir, db)
    }

    #[test]
    fn recent_rows_come_newest_first_and_stop_at_the_limit() {
        let (_dir, db) = study_with_changes(&[("ann", "Second"), ("bob", "Third")]);
        let all = db.audit_log(None).expect("the whole log");
        let recent = db.audit_recent(None, 2).expect("the latest rows");
        assert_eq!(recent.len(), 2);
        assert_eq!(recent[0], all[all.len() - 1]);
        assert_eq!(recent[1], all[all.len() - 2]);
        let everything = db.audit_recent(None, 10_000).expect("every row");
        assert_eq!(everything.len(), all.len());
        assert!(everything.windows(2).all(|w| w[0].id > w[1].id));
        assert!(db.audit_recent(None, 0).expect("no rows").is_empty());
    }

    #[test]
    fn the_filter_matches_any_column_ignoring_case() {
        let (_dir, db) = study_with_changes(&[("ann", "Second"), ("bob", "Third 50%_x")]);
        let by_user = db.audit_recent(Some("BOB"), 100).expect("rows");
        assert!(!by_user.is_empty());
        assert!(by_user.iter().all(|row| row.user == "bob"));
        let by_value = db.audit_recent(Some("second"), 100).expect("rows");
        assert!(
            by_value
                .iter()
                .any(|row| row.new_value.as_deref() == Some("Second")),
            "{by_value:?}"
        );
        assert!(
            by_value
                .iter()
                .any(|row| row.old_value.as_deref() == Some("Second")),
            "the change away from it matches too: {by_value:?}"
        );
        // Wildcards are literal: `%_` occurs only in bob's new name.
        let literal = db.audit_recent(Some("%_"), 100).expect("rows");
        assert_eq!(literal.len(), 1, "{literal:?}");
        assert_eq!(literal[0].new_value.as_deref(), Some("Third 50%_x"));
        assert!(
            db.audit_recent(Some("nobody"), 100)
                .expect("rows")
                .is_empty()
        );
        let blank = db.audit_recent(Some("  "), 100).expect("rows");
        assert_eq!(blank.len(), db.audit_log(None).expect("rows").len());
    }
}
