//! End to end in a real pseudo-terminal: the `radcohort` binary on the
//! sample study at 80×24, driven by keystrokes and checked on the screen a
//! user would see (through a terminal emulator), from the first frame to
//! the restored terminal after `q`.
#![cfg(unix)]

#[path = "common/pty.rs"]
mod pty;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use pty::Pty;

/// How long any one thing may take to appear. Generous: CI runs the tests
/// in parallel on two cores, and the dev build is unoptimised.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The terminal's size, the smallest the TUI is designed for.
const ROWS: u16 = 24;
const COLS: u16 = 80;

const BINARY: &str = env!("CARGO_BIN_EXE_radcohort");

/// Waits for the screen to satisfy `predicate`, failing the test with
/// what the screen shows instead when it does not within [`TIMEOUT`].
fn expect<F>(terminal: &Pty, what: &str, predicate: F)
where
    F: FnMut(&vt100::Screen) -> bool + Send + 'static,
{
    if let Err(err) = terminal.wait_for(TIMEOUT, predicate) {
        panic!("waiting for {what}: {err}");
    }
}

/// Types `bytes`, failing the test if the terminal does not take them.
fn send(terminal: &mut Pty, bytes: &[u8]) {
    terminal.send(bytes).expect("typing into the terminal");
}

/// Whether `word` looks like one of the sample study's ids (`ICC001`).
fn is_study_id(word: &str) -> bool {
    word.len() == 6 && word.starts_with("ICC") && word[3..].bytes().all(|b| b.is_ascii_digit())
}

/// The cohort table's patient rows on screen, as their words (the first
/// is the study id, the second the cohort).
fn table_rows(rows: &[String]) -> Vec<Vec<String>> {
    rows.iter()
        .filter_map(|row| {
            let inside = row.strip_prefix('│')?;
            let words: Vec<String> = inside
                .split_whitespace()
                .filter(|word| *word != "▶")
                .map(str::to_owned)
                .collect();
            is_study_id(words.first()?).then_some(words)
        })
        .collect()
}

/// Writes the sample study into `folder` with the binary itself.
fn build_sample_study(folder: &Path) {
    let output = Command::new(BINARY)
        .arg("sample-study")
        .arg("--out")
        .arg(folder)
        .output()
        .expect("running radcohort sample-study");
    assert!(
        output.status.success(),
        "sample-study failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn filter_open_a_patient_and_quit_in_a_real_terminal() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let folder = dir.path().join("study");
    build_sample_study(&folder);

    let mut command = Command::new(BINARY);
    command
        .arg("--db")
        .arg(folder.join("study.db"))
        .env("TERM", "xterm-256color")
        // The user's own keymap and log stay out of the test.
        .env("RADCOHORT_KEYS", folder.join("no-keys.toml"))
        .env("RADCOHORT_LOG", folder.join("tui.log"))
        // The size comes from the pty, as in a real terminal.
        .env_remove("LINES")
        .env_remove("COLUMNS");
    let mut terminal = Pty::spawn(command, ROWS, COLS).expect("starting radcohort in a pty");

    expect(&terminal, "the cohort table", |screen| {
        screen.contents().contains("ICC001")
    });
    let first = terminal.rows();
    assert!(
        first[0].contains("1 Cohort│2 Quality│3 Jobs"),
        "no tab bar on the first row: {first:#?}"
    );

    // Filter to the validation cohort through the prompt.
    send(&mut terminal, b"/");
    expect(&terminal, "the filter prompt", |screen| {
        screen.contents().contains("Filter the cohort")
    });
    send(&mut terminal, b"cohort = validation");
    expect(&terminal, "the typed filter", |screen| {
        screen.contents().contains("> cohort = validation")
    });
    send(&mut terminal, b"\r");
    expect(&terminal, "the filter's count", |screen| {
        screen.contents().contains("of 124 patients shown")
    });
    let rows = terminal.rows();
    let shown = table_rows(&rows);
    assert!(
        !shown.is_empty(),
        "no patient rows after filtering: {rows:#?}"
    );
    for words in &shown {
        assert_eq!(
            words.get(1).map(String::as_str),
            Some("validation"),
            "a row outside the filter: {words:?}"
        );
    }
    let status = rows.last().expect("a status row");
    let count: usize = status
        .split_whitespace()
        .next()
        .and_then(|word| word.parse().ok())
        .unwrap_or_else(|| panic!("no count in the status row {status:?}"));
    assert!(count > 0 && count < 124, "{status:?}");
    // The table shows every match or fills the screen.
    assert_eq!(shown.len(), count.min(usize::from(ROWS) - 5), "{rows:#?}");
    let selected = shown[0][0].clone();

    // Open the selected (first) patient.
    send(&mut terminal, b"\r");
    expect(&terminal, "the patient view", |screen| {
        screen.contents().contains(" 1 Clinical")
    });
    let rows = terminal.rows();
    let title = rows[0]
        .strip_prefix("┌ ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no title on the patient view: {rows:#?}"));
    assert!(is_study_id(title), "the title is not a study id: {rows:#?}");
    assert_eq!(title, selected, "the view is not of the selected patient");

    // Back to the table. Esc must be read on its own before the next key,
    // or the two would arrive together as Alt-q; so wait for the table.
    send(&mut terminal, b"\x1b");
    expect(&terminal, "the cohort table again", |screen| {
        let text = screen.contents();
        text.contains("1 Cohort│") && !text.contains(" 1 Clinical")
    });
    send(&mut terminal, b"q");
    let status = terminal
        .wait_exit(TIMEOUT)
        .expect("waiting for radcohort")
        .unwrap_or_else(|| panic!("radcohort did not exit after q:\n{}", terminal.screen()));
    assert!(status.success(), "radcohort exited with {status}");

    let raw = terminal.raw_output();
    let last = |needle: &[u8]| raw.windows(needle.len()).rposition(|w| w == needle);
    let entered = last(b"\x1b[?1049h").expect("the TUI never entered the alternate screen");
    let left = last(b"\x1b[?1049l").expect("the TUI never left the alternate screen");
    assert!(
        left > entered,
        "the output ends inside the alternate screen"
    );
}
