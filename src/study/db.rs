//! Opening and creating the SQLite study database.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, params};

use super::audit::Actor;
use super::migrations;
use super::{StudyError, changes};

/// `PRAGMA application_id` of radcohort databases: "RADC" in ASCII.
const APPLICATION_ID: i32 = 0x5241_4443;

/// How long a writer waits for another coordinator's transaction to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Study-wide settings that shape derived endpoints.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StudySettings {
    /// The study's name.
    pub name: String,
    /// Early recurrence is a recurrence within this many days of surgery.
    pub early_recurrence_window_days: i64,
    /// Chemotherapy is adjuvant when it starts within this many days after
    /// surgery.
    pub adjuvant_window_days: i64,
}

impl Default for StudySettings {
    fn default() -> Self {
        StudySettings {
            name: "Untitled study".to_owned(),
            early_recurrence_window_days: 365,
            adjuvant_window_days: 90,
        }
    }
}

/// Setting keys as stored in `study_setting`.
const NAME: &str = "name";
const EARLY_WINDOW: &str = "early_recurrence_window_days";
const ADJUVANT_WINDOW: &str = "adjuvant_window_days";

impl StudySettings {
    fn check(&self) -> Result<(), StudyError> {
        let windows = [
            (EARLY_WINDOW, self.early_recurrence_window_days),
            (ADJUVANT_WINDOW, self.adjuvant_window_days),
        ];
        for (key, days) in windows {
            if !(1..=36_500).contains(&days) {
                return Err(StudyError::InvalidSetting {
                    key: key.to_owned(),
                    value: days.to_string(),
                    reason: "a window is 1 to 36500 days".to_owned(),
                });
            }
        }
        if self.name.trim().is_empty() {
            return Err(StudyError::InvalidSetting {
                key: NAME.to_owned(),
                value: self.name.clone(),
                reason: "the study needs a name".to_owned(),
            });
        }
        Ok(())
    }
}

/// An open study database.
///
/// Connections use WAL journaling, enforce foreign keys and wait up to five
/// seconds for another writer, so two coordinators can work on one study.
#[derive(Debug)]
pub struct StudyDb {
    conn: Connection,
    path: PathBuf,
}

impl StudyDb {
    /// Creates a new study database at `path` with `settings`. The file
    /// appears complete or not at all; an existing file is never touched.
    pub fn create(
        path: &Path,
        settings: &StudySettings,
        actor: &Actor,
    ) -> Result<Self, StudyError> {
        settings.check()?;
        if path.exists() {
            return Err(StudyError::AlreadyExists {
                path: path.to_owned(),
            });
        }
        let partial = path.with_file_name(format!(
            ".partial-{}",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        let _ = fs::remove_file(&partial);
        let built = Self::build(&partial, path, settings, actor);
        if let Err(err) = built {
            let _ = fs::remove_file(&partial);
            return Err(err);
        }
        fs::rename(&partial, path).map_err(|source| StudyError::Io {
            path: path.to_owned(),
            context: "moving the new database into place".to_owned(),
            source,
        })?;
        Self::open(path)
    }

    /// Writes the schema and settings into a fresh file and closes it, which
    /// checkpoints the WAL so the single file is complete.
    fn build(
        partial: &Path,
        path: &Path,
        settings: &StudySettings,
        actor: &Actor,
    ) -> Result<(), StudyError> {
        let sql_error = |context: &str| {
            let context = context.to_owned();
            let path = path.to_owned();
            move |source| StudyError::Database {
                path,
                context,
                source,
            }
        };
        let mut conn = Connection::open(partial).map_err(sql_error("creating the database"))?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(sql_error("marking the file as a radcohort study"))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sql_error("enabling WAL"))?;
        migrations::apply_pending(&mut conn).map_err(|(step, source)| sql_error(&step)(source))?;
        let tx = conn
            .transaction()
            .map_err(sql_error("writing the settings"))?;
        let entries = [
            (NAME, settings.name.clone()),
            (
                EARLY_WINDOW,
                settings.early_recurrence_window_days.to_string(),
            ),
            (ADJUVANT_WINDOW, settings.adjuvant_window_days.to_string()),
        ];
        for (key, value) in entries {
            changes::write_setting(&tx, key, &value, None, actor)
                .map_err(sql_error("writing the settings"))?;
        }
        tx.commit().map_err(sql_error("writing the settings"))?;
        conn.close()
            .map_err(|(_, source)| sql_error("closing the new database")(source))?;
        Ok(())
    }

    /// Opens an existing study database, bringing an older schema up to date.
    /// A database written by a newer radcohort is refused.
    pub fn open(path: &Path) -> Result<Self, StudyError> {
        if !path.is_file() {
            return Err(StudyError::Missing {
                path: path.to_owned(),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StudyError::Database {
            path: path.to_owned(),
            context: "opening".to_owned(),
            source,
        })?;
        let mut db = StudyDb {
            conn,
            path: path.to_owned(),
        };
        db.configure()?;
        Ok(db)
    }

    /// Opens an existing study database for reading only (an analyst's
    /// session, a file the user may not write): SQLite refuses every write
    /// on this connection, and nothing is changed on opening: no journal
    /// mode, no migration. A database whose schema is older than this
    /// radcohort's must first be opened once with [`StudyDb::open`].
    pub fn open_read_only(path: &Path) -> Result<Self, StudyError> {
        if !path.is_file() {
            return Err(StudyError::Missing {
                path: path.to_owned(),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StudyError::Database {
            path: path.to_owned(),
            context: "opening for reading".to_owned(),
            source,
        })?;
        let db = StudyDb {
            conn,
            path: path.to_owned(),
        };
        db.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(db.sql_error("setting the busy timeout"))?;
        let application_id: i32 = db
            .conn
            .pragma_query_value(None, "application_id", |row| row.get(0))
            .map_err(db.sql_error("reading the file header (is it a SQLite database?)"))?;
        if application_id != APPLICATION_ID {
            return Err(StudyError::NotAStudy {
                path: db.path.clone(),
                reason: format!("its application id is {application_id:#x}"),
            });
        }
        let found = migrations::current_version(&db.conn)
            .map_err(db.sql_error("reading the schema version"))?;
        let supported = migrations::latest_version();
        if found != supported {
            return Err(StudyError::SchemaMismatch {
                path: db.path.clone(),
                found,
                supported,
            });
        }
        Ok(db)
    }

    fn configure(&mut self) -> Result<(), StudyError> {
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(self.sql_error("setting the busy timeout"))?;
        self.conn
            .pragma_update(None, "foreign_keys", true)
            .map_err(self.sql_error("enabling foreign keys"))?;
        let application_id: i32 = self
            .conn
            .pragma_query_value(None, "application_id", |row| row.get(0))
            .map_err(self.sql_error("reading the file header (is it a SQLite database?)"))?;
        let found = migrations::current_version(&self.conn)
            .map_err(self.sql_error("reading the schema version"))?;
        if application_id != APPLICATION_ID {
            return Err(StudyError::NotAStudy {
                path: self.path.clone(),
                reason: format!("its application id is {application_id:#x}"),
            });
        }
        let supported = migrations::latest_version();
        if found > supported {
            return Err(StudyError::SchemaTooNew {
                path: self.path.clone(),
                found,
                supported,
            });
        }
        let mode: String = self
            .conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .map_err(self.sql_error("reading the journal mode"))?;
        if !mode.eq_ignore_ascii_case("wal") {
            self.conn
                .pragma_update(None, "journal_mode", "WAL")
                .map_err(self.sql_error("enabling WAL"))?;
        }
        // With WAL, NORMAL keeps the database consistent on a crash and only
        // risks the last commits on power loss, while sparing an fsync per
        // transaction (an extraction commits once per case).
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(self.sql_error("setting synchronous mode"))?;
        if found < supported {
            migrations::apply_pending(&mut self.conn)
                .map_err(|(step, source)| self.sql_error(&step)(source))?;
        }
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder image paths are stored relative to.
    pub fn folder(&self) -> PathBuf {
        match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        }
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32, StudyError> {
        migrations::current_version(&self.conn)
            .map_err(self.sql_error("reading the schema version"))
    }

    /// The study settings.
    pub fn settings(&self) -> Result<StudySettings, StudyError> {
        let read = |key: &str| -> Result<Option<String>, StudyError> {
            self.conn
                .query_row(
                    "SELECT value FROM study_setting WHERE key = ?1",
                    params![key],
                    |row| row.get(0),
                )
                .map(Some)
                .or_else(|err| match err {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    err => Err(err),
                })
                .map_err(self.sql_error("reading the study settings"))
        };
        let defaults = StudySettings::default();
        let days = |key: &'static str, default: i64| -> Result<i64, StudyError> {
            match read(key)? {
                None => Ok(default),
                Some(text) => text.parse().map_err(|_| StudyError::Corrupt {
                    path: self.path.clone(),
                    location: format!("table study_setting, record {key}, field value"),
                    value: text,
                    reason: "expected a whole number of days".to_owned(),
                }),
            }
        };
        Ok(StudySettings {
            name: read(NAME)?.unwrap_or(defaults.name),
            early_recurrence_window_days: days(
                EARLY_WINDOW,
                defaults.early_recurrence_window_days,
            )?,
            adjuvant_window_days: days(ADJUVANT_WINDOW, defaults.adjuvant_window_days)?,
        })
    }

    /// Changes the study settings, auditing every value that changes.
    pub fn update_settings(
        &mut self,
        settings: &StudySettings,
        actor: &Actor,
    ) -> Result<(), StudyError> {
        settings.check()?;
        let old = self.settings()?;
        let context = "updating the study settings";
        let tx = self
            .conn
            .transaction()
            .map_err(|source| StudyError::Database {
                path: self.path.clone(),
                context: context.to_owned(),
                source,
            })?;
        let entries = [
            (NAME, old.name, settings.name.clone()),
            (
                EARLY_WINDOW,
                old.early_recurrence_window_days.to_string(),
                settings.early_recurrence_window_days.to_string(),
            ),
            (
                ADJUVANT_WINDOW,
                old.adjuvant_window_days.to_string(),
                settings.adjuvant_window_days.to_string(),
            ),
        ];
        let written = entries
            .iter()
            .filter(|(_, old, new)| old != new)
            .try_for_each(|(key, old, new)| changes::write_setting(&tx, key, new, Some(old), actor))
            .and_then(|()| tx.commit());
        written.map_err(|source| StudyError::Database {
            path: self.path.clone(),
            context: context.to_owned(),
            source,
        })
    }

    /// Plans and writes one change set atomically. `plan` reads the study
    /// inside a transaction that already holds the write lock, so nobody
    /// can change what it read before its changes are written; the changes
    /// it returns are then written with their audit rows and committed.
    /// Nothing is written when `plan` fails, or when `dry_run` is set.
    pub(crate) fn write_changes<T, E: From<StudyError>>(
        &mut self,
        actor: &Actor,
        dry_run: bool,
        plan: impl FnOnce(&StudyDb) -> Result<(Vec<changes::RowChange>, T), E>,
    ) -> Result<(changes::ChangeCounts, T), E> {
        let begin = if dry_run {
            "BEGIN DEFERRED"
        } else {
            "BEGIN IMMEDIATE"
        };
        self.conn
            .execute_batch(begin)
            .map_err(self.sql_error("starting a transaction"))?;
        let outcome = plan(self).and_then(|(planned, value)| {
            let counts = changes::ChangeCounts::of(&planned);
            if !dry_run {
                changes::apply(&self.conn, &planned, actor)
                    .map_err(self.sql_error("writing changes"))?;
            }
            Ok((counts, value))
        });
        let end = if outcome.is_ok() && !dry_run {
            "COMMIT"
        } else {
            "ROLLBACK"
        };
        let ended = self
            .conn
            .execute_batch(end)
            .map_err(self.sql_error("ending the transaction"));
        match (outcome, ended) {
            (Ok(done), Ok(())) => Ok(done),
            (Err(err), _) => Err(err),
            (Ok(_), Err(err)) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(err.into())
            }
        }
    }

    /// The connection, for the study module's readers and writers.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Wraps a SQLite error with this database's path and what was being done.
    pub(crate) fn sql_error(
        &self,
        context: &str,
    ) -> impl Fn(rusqlite::Error) -> StudyError + use<> {
        let path = self.path.clone();
        let context = context.to_owned();
        move |source| StudyError::Database {
            path: path.clone(),
            context: context.clone(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor() -> Actor {
        Actor::new(
            "tester",
            chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        )
    }

    #[test]
    fn a_read_only_connection_reads_and_refuses_every_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("study.db");
        let settings = StudySettings {
            name: "ICC".into(),
            ..StudySettings::default()
        };
        drop(StudyDb::create(&path, &settings, &actor()).unwrap());
        let db = StudyDb::open_read_only(&path).unwrap();
        assert_eq!(db.settings().unwrap().name, "ICC");
        let write = db.conn().execute(
            "UPDATE study_setting SET value = 'x' WHERE key = 'name'",
            [],
        );
        assert!(write.is_err(), "a write went through");
        assert_eq!(
            StudyDb::open(&path).unwrap().settings().unwrap().name,
            "ICC"
        );

        let missing = StudyDb::open_read_only(&dir.path().join("none.db")).unwrap_err();
        assert!(matches!(missing, StudyError::Missing { .. }), "{missing}");
        // An older schema would need a migration, which reading may not do.
        db.conn()
            .pragma_update(None, "user_version", 1)
            .unwrap_err();
        let rw = StudyDb::open(&path).unwrap();
        rw.conn().pragma_update(None, "user_version", 1).unwrap();
        let older = StudyDb::open_read_only(&path).unwrap_err();
        assert!(
            matches!(older, StudyError::SchemaMismatch { found: 1, .. }),
            "{older}"
        );
    }

    #[test]
    fn created_database_is_current_and_holds_its_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("study.db");
        let settings = StudySettings {
            name: "ICC".into(),
            early_recurrence_window_days: 180,
            adjuvant_window_days: 60,
        };
        let db = StudyDb::create(&path, &settings, &actor()).unwrap();
        assert_eq!(db.schema_version().unwrap(), migrations::latest_version());
        assert_eq!(db.settings().unwrap(), settings);
        let mode: String = db
            .conn()
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert!(!dir.path().join(".partial-study.db").exists());
    }

    #[test]
    fn create_refuses_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("study.db");
        fs::write(&path, b"keep me").unwrap();
        let err = StudyDb::create(&path, &StudySettings::default(), &actor()).unwrap_err();
        assert!(matches!(err, StudyError::AlreadyExists { .. }));
        assert_eq!(fs::read(&path).unwrap(), b"keep me");
    }

    #[test]
    fn newer_schema_is_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("study.db");
        let db = StudyDb::create(&path, &StudySettings::default(), &actor()).unwrap();
        db.conn().pragma_update(None, "user_version", 99).unwrap();
        drop(db);
        let err = StudyDb::open(&path).unwrap_err().to_string();
        let expected = format!(
            "written by a newer radcohort (schema version 99; this build knows up to {})",
            migrations::latest_version()
        );
        assert!(err.contains(&expected), "{err}");
    }

    #[test]
    fn an_older_database_is_migrated_on_open_keeping_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        // A study as the first schema version wrote it.
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        conn.execute_batch(migrations::MIGRATIONS[0].sql).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute("INSERT INTO patient (study_id, sex) VALUES ('P1', 'F')", [])
            .unwrap();
        drop(conn);
        let db = StudyDb::open(&path).unwrap();
        assert_eq!(db.schema_version().unwrap(), migrations::latest_version());
        assert_eq!(db.study_ids().unwrap(), ["P1"]);
        let tables: i64 = db
            .conn()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'extraction_run'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(tables, 1);
    }

    #[test]
    fn other_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.db");
        fs::write(&text, vec![b'x'; 4096]).unwrap();
        assert!(StudyDb::open(&text).is_err());
        let foreign = dir.path().join("other.db");
        Connection::open(&foreign)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        let err = StudyDb::open(&foreign).unwrap_err().to_string();
        assert!(err.contains("not a radcohort study database"), "{err}");
        let missing = StudyDb::open(&dir.path().join("none.db")).unwrap_err();
        assert!(matches!(missing, StudyError::Missing { .. }));
    }

    #[test]
    fn settings_changes_are_audited() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = StudyDb::create(
            &dir.path().join("s.db"),
            &StudySettings::default(),
            &actor(),
        )
        .unwrap();
        let changed = StudySettings {
            early_recurrence_window_days: 730,
            ..StudySettings::default()
        };
        db.update_settings(&changed, &actor()).unwrap();
        let log = db.audit_log(None).unwrap();
        let last = log.last().unwrap();
        assert_eq!(
            (
                last.field.as_str(),
                last.old_value.as_deref(),
                last.new_value.as_deref()
            ),
            ("early_recurrence_window_days", Some("365"), Some("730"))
        );
        assert_eq!(last.user, "tester");
        assert_eq!(last.at, "2023-11-14T22:13:20Z");
        let invalid = StudySettings {
            adjuvant_window_days: 0,
            ..StudySettings::default()
        };
        assert!(db.update_settings(&invalid, &actor()).is_err());
    }
}
