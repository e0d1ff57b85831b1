//! Damaged input of the other kinds a coordinator hands radcohort — the
//! study's CSV files, parameter files and signature files — is refused with
//! a message or accepted, never a panic; and a refused import leaves the
//! study database exactly as it was (one transaction, no partial write).
//!
//! The damage starts from the sample study's own valid files: characters
//! that matter to each format (separators, quotes, line ends, a BOM, a NUL,
//! digits, signs) put in at random places, lines dropped or repeated, the
//! end cut off.

use std::fs;
use std::path::Path;

use proptest::prelude::*;
use radcohort::radiomics::params::Params;
use radcohort::sample_study::sample_csv_files;
use radcohort::signature::Signature;
use radcohort::study::import::{ImportKind, ImportOptions, import_file};
use radcohort::study::{Actor, StudyDb, StudySettings};

/// A hand-written signature over a clinical variable and a feature.
const SIGNATURE: &str = r#"{
  "format": "radcohort-signature/1",
  "name": "Example score",
  "model": "logistic",
  "inputs": [
    {"source": {"variable": {"name": "ca19_9"}}, "log": true, "center": 3.5, "scale": 1.2},
    {"source": {"feature": {"series": "adc", "name": "original_firstorder_Mean"}}}
  ],
  "intercept": -0.25,
  "coefficients": [1.0, -0.002],
  "cutoff": {"value": 0.1, "method": "fixed", "chosen_on": "hand-written"}
}"#;

#[test]
fn the_undamaged_files_are_valid() {
    Signature::from_json(SIGNATURE, Path::new("s.json")).expect("a valid signature");
    for config in ["a", "b", "c", "d", "e"] {
        let name = format!("ibsi_config_{config}.yaml");
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("params")
            .join(&name);
        let text = fs::read_to_string(path).expect("a shipped parameter file");
        Params::from_yaml(&text, &name, &[]).expect("a valid parameter file");
    }
}

/// One edit of a text.
#[derive(Debug, Clone)]
enum Edit {
    /// Put a character at a position (a fraction of the length).
    Insert(f64, char),
    /// Replace the character at a position.
    Replace(f64, char),
    /// Remove the line at a position.
    DropLine(f64),
    /// Repeat the line at a position.
    RepeatLine(f64),
    /// Keep only this fraction of the text.
    Cut(f64),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let significant = prop_oneof![
        Just(','),
        Just(';'),
        Just('"'),
        Just('\n'),
        Just('\r'),
        Just(' '),
        Just('-'),
        Just(':'),
        Just('{'),
        Just('}'),
        Just('['),
        Just('#'),
        Just('\u{feff}'),
        Just('\0'),
        Just('é'),
        proptest::char::range('0', '9'),
        proptest::char::range('a', 'z'),
    ];
    let edit = prop_oneof![
        (0.0f64..1.0, significant.clone()).prop_map(|(at, c)| Edit::Insert(at, c)),
        (0.0f64..1.0, significant).prop_map(|(at, c)| Edit::Replace(at, c)),
        (0.0f64..1.0).prop_map(Edit::DropLine),
        (0.0f64..1.0).prop_map(Edit::RepeatLine),
        (0.0f64..1.0).prop_map(Edit::Cut),
    ];
    proptest::collection::vec(edit, 1..5)
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = |fraction: f64, len: usize| ((len as f64 * fraction) as usize).min(len);
    for edit in edits {
        match *edit {
            Edit::Insert(f, c) => {
                let i = at(f, chars.len());
                chars.insert(i, c);
            }
            Edit::Replace(f, c) => {
                if !chars.is_empty() {
                    let i = at(f, chars.len() - 1);
                    chars[i] = c;
                }
            }
            Edit::DropLine(f) | Edit::RepeatLine(f) => {
                let text: String = chars.iter().collect();
                let mut lines: Vec<&str> = text.split('\n').collect();
                let i = at(f, lines.len() - 1);
                if matches!(edit, Edit::DropLine(_)) {
                    lines.remove(i);
                } else {
                    lines.insert(i, lines[i]);
                }
                chars = lines.join("\n").chars().collect();
            }
            Edit::Cut(f) => {
                let keep = at(f, chars.len());
                chars.truncate(keep);
            }
        }
    }
    chars.into_iter().collect()
}

fn actor() -> Actor {
    Actor::new(
        "tester",
        chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("a valid timestamp"),
    )
}

/// Every row of every table, as text: what "unchanged" is checked against.
fn contents(db: &Path) -> Vec<String> {
    let connection = rusqlite::Connection::open(db).expect("the database");
    let mut tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("a query")
        .query_map([], |row| row.get(0))
        .expect("tables")
        .collect::<Result<_, _>>()
        .expect("names");
    tables.retain(|name| !name.starts_with("sqlite_"));
    let mut out = Vec::new();
    for table in tables {
        let mut statement = connection
            .prepare(&format!("SELECT * FROM \"{table}\""))
            .expect("a query");
        let columns = statement.column_count();
        let rows = statement
            .query_map([], |row| {
                (0..columns)
                    .map(|i| row.get_ref(i).map(|value| format!("{value:?}")))
                    .collect::<Result<Vec<_>, _>>()
            })
            .expect("rows");
        for row in rows {
            out.push(format!("{table}: {}", row.expect("a row").join(" | ")));
        }
    }
    out
}

/// Imports `text` as `kind` into a study that already holds `before`;
/// a refusal must leave the database unchanged.
fn import_damaged(
    before: &[(ImportKind, &str, &str)],
    kind: ImportKind,
    name: &str,
    text: &str,
) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("study.db");
    let mut db = StudyDb::create(&path, &StudySettings::default(), &actor()).expect("a new study");
    for (kind, name, valid) in before {
        let file = dir.path().join(name);
        fs::write(&file, valid).expect("written");
        import_file(&mut db, *kind, &file, &ImportOptions::default(), &actor())
            .expect("a valid file imports");
    }
    let file = dir.path().join(name);
    fs::write(&file, text).expect("written");
    let unchanged = contents(&path);
    let imported = import_file(&mut db, kind, &file, &ImportOptions::default(), &actor());
    if let Err(error) = imported {
        let message = error.to_string();
        prop_assert!(
            message.contains(name),
            "a message without the file: {message}"
        );
        prop_assert!(
            contents(&path) == unchanged,
            "a refused import changed the database: {message}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_damaged_dictionary_is_refused_whole_or_imported(edits in edits()) {
        let files = sample_csv_files();
        let text = apply(&files.dictionary, &edits);
        import_damaged(&[], ImportKind::Dictionary, "dictionary.csv", &text)?;
    }

    #[test]
    fn a_damaged_patients_file_is_refused_whole_or_imported(edits in edits()) {
        let files = sample_csv_files();
        let text = apply(&files.patients, &edits);
        let before = [(ImportKind::Dictionary, "dictionary.csv", files.dictionary.as_str())];
        import_damaged(&before, ImportKind::Patients, "patients.csv", &text)?;
    }

    #[test]
    fn a_damaged_chemo_file_is_refused_whole_or_imported(edits in edits()) {
        let files = sample_csv_files();
        let text = apply(&files.chemo, &edits);
        let before = [
            (ImportKind::Dictionary, "dictionary.csv", files.dictionary.as_str()),
            (ImportKind::Patients, "patients.csv", files.patients.as_str()),
        ];
        import_damaged(&before, ImportKind::Chemo, "chemo.csv", &text)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_damaged_parameter_file_is_refused_or_read(
        edits in edits(),
        config in 0usize..5,
        setting in proptest::option::of("[a-zA-Z]{0,12}=[-0-9a-z.,\\[\\] ]{0,8}"),
    ) {
        let name = format!("ibsi_config_{}.yaml", ["a", "b", "c", "d", "e"][config]);
        let valid = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("params").join(&name))
            .expect("a shipped parameter file");
        let text = apply(&valid, &edits);
        let overrides: Vec<String> = setting.into_iter().collect();
        if let Err(error) = Params::from_yaml(&text, &name, &overrides) {
            // The file's problems name the file; an override's, --setting.
            let message = error.to_string();
            prop_assert!(
                message.starts_with(&format!("{name}: ")) || message.starts_with("--setting: "),
                "{message}"
            );
        }
    }

    #[test]
    fn a_damaged_signature_file_is_refused_or_read(edits in edits()) {
        let text = apply(SIGNATURE, &edits);
        if let Err(error) = Signature::from_json(&text, Path::new("s.json")) {
            prop_assert!(error.to_string().starts_with("s.json"), "{error}");
        }
    }
}
