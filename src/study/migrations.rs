//! Schema migrations: the SQL files of `schema/`, embedded in the binary and
//! applied in order, tracked by `PRAGMA user_version`.

use rusqlite::Connection;

/// One schema step: `schema/NNNN_description.sql` takes the database from
/// version `NNNN - 1` to `NNNN`.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// The schema version after this step.
    pub version: u32,
    /// The file name, without folder.
    pub file: &'static str,
    /// The SQL of the step.
    pub sql: &'static str,
}

/// Every migration, in order. A test checks this list against `schema/`.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        file: "0001_initial.sql",
        sql: include_str!("../../schema/0001_initial.sql"),
    },
    Migration {
        version: 2,
        file: "0002_extraction.sql",
        sql: include_str!("../../schema/0002_extraction.sql"),
    },
    Migration {
        version: 3,
        file: "0003_signatures.sql",
        sql: include_str!("../../schema/0003_signatures.sql"),
    },
];

/// The schema version this build writes.
pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Reads the schema version recorded in the database.
pub fn current_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Applies every migration newer than the database's version, all in one
/// transaction, and returns how many were applied. The caller has checked
/// that the database is not newer than this build. A failure names the
/// step that failed.
pub fn apply_pending(conn: &mut Connection) -> Result<usize, (String, rusqlite::Error)> {
    let step = |what: &str| {
        let what = what.to_owned();
        move |err| (what, err)
    };
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(step("starting the migration"))?;
    // Read inside the write lock, so two processes do not migrate twice.
    let from = current_version(&tx).map_err(step("reading the schema version"))?;
    let pending: Vec<&Migration> = MIGRATIONS.iter().filter(|m| m.version > from).collect();
    for migration in &pending {
        let applying = format!("applying schema/{}", migration.file);
        tx.execute_batch(migration.sql).map_err(step(&applying))?;
        tx.pragma_update(None, "user_version", migration.version)
            .map_err(step(&applying))?;
    }
    tx.commit().map_err(step("committing the migration"))?;
    Ok(pending.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_file_is_embedded_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/schema");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        files.sort();
        let embedded: Vec<&str> = MIGRATIONS.iter().map(|m| m.file).collect();
        assert_eq!(files, embedded);
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version as usize, index + 1);
            assert!(
                migration
                    .file
                    .starts_with(&format!("{:04}_", migration.version))
            );
        }
    }

    #[test]
    fn migrating_twice_applies_nothing_the_second_time() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(apply_pending(&mut conn).unwrap(), MIGRATIONS.len());
        assert_eq!(current_version(&conn).unwrap(), latest_version());
        assert_eq!(apply_pending(&mut conn).unwrap(), 0);
    }
}
