//! Terminal-UI latency benchmark: drives the release `radcohort` binary in
//! a real 80×24 pseudo-terminal on a synthetic study of N patients
//! (default 10,000) and times what a user waits for, for
//! `benches/tui.sh`. Not a test: it asserts nothing it does not need to
//! go on, reports on stderr as it goes, and prints one JSON line.
//!
//! ```text
//! cargo bench --bench tui -- [--patients N] [--presses P] [--launches L]
//! ```
//!
//! Measured:
//! - time to first frame: from just before the process is started until
//!   the first table row and the status bar are on screen (median of L
//!   launches);
//! - key-to-frame latency, median and 95th percentile over P presses each,
//!   of `j` (one row down), `PgDn`, applying the filter
//!   `cohort = validation` (timed from Enter until the count shows) and
//!   clearing it (`/`, Ctrl-U, Enter), and sorting (`]` and `[` in turn);
//! - the peak resident memory of the TUI (VmHWM), read just before quitting.
//!
//! How "the frame arrived" is detected: the pty driver
//! (`tests/common/pty.rs`) stamps each chunk read from the master side as
//! `read` returns and evaluates the awaited condition on the emulated
//! screen after every chunk, so a latency is the time from just before the
//! key is written to the arrival of the chunk that completed the change.
//! ratatui writes only the cells that changed, in row order, so the status
//! bar on the last row comes last: where the status bar shows the result
//! (`row N`, the filter's count) the wait ends on exactly the end of the
//! frame. A sort's result is not predictable from outside, so there the
//! wait is for any change of the screen followed by 2 ms without output,
//! and the figure is the stamp of the last chunk before that pause; a frame
//! interrupted for longer than 2 ms would be cut short. The resolution is
//! the reader thread's wake-up after the program's write: tens of
//! microseconds on an idle machine. Before every press the output must have
//! been quiet for 2 ms, so no measurement includes the previous frame.
//!
//! The study is generated through the library (create, then import CSVs
//! derived from the sample study's, then score with a fixed clinical
//! score), once, and cached next to the other benchmarks' data in
//! `<target>/bench/`.

mod common;
#[cfg(unix)]
#[path = "../tests/common/pty.rs"]
mod pty;

#[cfg(not(unix))]
fn main() {
    eprintln!("bench: the TUI benchmark needs a Unix pseudo-terminal");
}

#[cfg(unix)]
fn main() {
    if let Err(err) = bench::run() {
        eprintln!("bench: {err}");
        std::process::exit(1);
    }
}

/// The benchmark itself: everything but `main` needs a pseudo-terminal.
#[cfg(unix)]
mod bench {
    use std::collections::HashMap;
    use std::fs;
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::time::{Duration, Instant};

    use crate::common;
    use crate::pty::Pty;
    use radcohort::signature::{Signature, StudyData, score_patients, store_scores};
    use radcohort::study::import::{ImportKind, ImportOptions, import_file};
    use radcohort::study::{Actor, StudyDb, StudySettings};

    /// The release binary `cargo bench` builds beside this benchmark.
    const BINARY: &str = env!("CARGO_BIN_EXE_radcohort");

    /// The terminal's size: the smallest the TUI is designed for.
    const ROWS: u16 = 24;
    const COLS: u16 = 80;

    /// The longest anything expected may take before the run is abandoned.
    const TIMEOUT: Duration = Duration::from_secs(20);

    /// How long a key that may do nothing (sorting, while it is not
    /// implemented) is given to change the screen.
    const CHANGE_TIMEOUT: Duration = Duration::from_secs(2);

    /// Output pause taken as the end of a frame (see the module docs).
    const QUIET: Duration = Duration::from_millis(2);

    /// Bumped whenever the generated study changes, so a cached one from an
    /// older generator is not reused.
    const GENERATOR: u32 = 1;

    /// The share of generated patients in the validation cohort.
    const VALIDATION_SHARE: f64 = 0.3;

    /// A hand-written clinical score over CA19-9 and tumour size with a
    /// fixed cutoff (the TUI test fixtures' file), so every patient
    /// has a score and risk group to show, as after a real scoring run.
    const CLINICAL_SCORE: &str = include_str!("../tests/data/clinical_score.json");

    /// Runs the benchmark; see the module documentation.
    pub fn run() -> Result<(), String> {
        let args = common::arguments();
        let patients: usize = common::option(&args, "--patients").unwrap_or(10_000);
        let presses: usize = common::option(&args, "--presses").unwrap_or(50).max(1);
        let launches: usize = common::option(&args, "--launches").unwrap_or(5).max(1);
        if patients < 100 {
            return Err("--patients must be at least 100".to_owned());
        }

        let database = study_database(patients)?;
        eprintln!("study: {}", database.display());

        let mut first_frames = Vec::new();
        let mut terminal = None;
        for launch in 0..launches {
            let (pty, first) = start(&database)?;
            eprintln!("launch {}: first frame {:.1} ms", launch + 1, ms(first));
            first_frames.push(first.as_secs_f64());
            if launch + 1 == launches {
                terminal = Some(pty);
            } else {
                quit(pty)?;
            }
        }
        let mut terminal = terminal.expect("at least one launch");
        let first_frame_max = first_frames.iter().copied().fold(0.0, f64::max);
        let first_frame = common::median(&mut first_frames);

        let mut down = Vec::new();
        for _ in 0..presses {
            let before = near_the_end(&mut terminal, patients, 1)?;
            down.push(press(&mut terminal, b"j", move |screen| {
                row_number(screen) == Some(before + 1)
            })?);
        }
        report("j (row down)", &down);

        let mut page = Vec::new();
        for _ in 0..presses {
            let before = near_the_end(&mut terminal, patients, usize::from(ROWS))?;
            page.push(press(&mut terminal, b"\x1b[6~", move |screen| {
                row_number(screen).is_some_and(|row| row > before)
            })?);
        }
        report("PgDn", &page);
        press(&mut terminal, b"g", |screen| row_number(screen) == Some(1))?;

        let sort = sort_latencies(&mut terminal, presses)?;
        match &sort {
            Some(latencies) => report("sort ] / [", latencies),
            None => eprintln!("sort ] / [: n/a (no change)"),
        }

        let (apply, clear) = filter_latencies(&mut terminal, presses, patients)?;
        report("filter: apply", &apply);
        report("filter: clear", &clear);

        let memory = peak_memory_kib(terminal.pid())?;
        eprintln!("peak memory (VmHWM): {:.1} MiB", memory as f64 / 1024.0);
        quit(terminal)?;

        let summary = |latencies: &[f64]| {
            let mut sorted = latencies.to_vec();
            format!(
                r#"{{"median_ms": {:.3}, "p95_ms": {:.3}, "presses": {}}}"#,
                1e3 * common::median(&mut sorted),
                1e3 * common::percentile(&mut sorted, 95.0),
                latencies.len()
            )
        };
        let sort = sort.as_deref().map_or_else(|| "null".to_owned(), summary);
        println!(
            r#"{{"patients": {patients}, "rows": {ROWS}, "cols": {COLS}, "first_frame_ms": {:.1}, "first_frame_max_ms": {:.1}, "launches": {launches}, "down": {}, "page_down": {}, "sort": {sort}, "filter_apply": {}, "filter_clear": {}, "peak_memory_mib": {:.1}}}"#,
            1e3 * first_frame,
            1e3 * first_frame_max,
            summary(&down),
            summary(&page),
            summary(&apply),
            summary(&clear),
            memory as f64 / 1024.0,
        );
        Ok(())
    }

    /// Milliseconds, for printing.
    fn ms(duration: Duration) -> f64 {
        1e3 * duration.as_secs_f64()
    }

    /// Prints the median and 95th percentile of some latencies in seconds.
    fn report(what: &str, latencies: &[f64]) {
        let mut sorted = latencies.to_vec();
        let median = common::median(&mut sorted);
        let p95 = common::percentile(&mut sorted, 95.0);
        eprintln!(
            "{what}: median {:.2} ms, p95 {:.2} ms, max {:.2} ms over {} presses",
            1e3 * median,
            1e3 * p95,
            1e3 * sorted[sorted.len() - 1],
            sorted.len()
        );
    }

    /// Starts the TUI on `database` and returns it with its time to first
    /// frame: until the first patient row and the status bar, which ratatui
    /// writes last, are on screen.
    fn start(database: &Path) -> Result<(Pty, Duration), String> {
        let mut command = Command::new(BINARY);
        command
            .arg("--db")
            .arg(database)
            .env("TERM", "xterm-256color")
            // Default keys, and the log beside the study, not the user's.
            .env("RADCOHORT_KEYS", database.with_file_name("no-keys.toml"))
            .env("RADCOHORT_LOG", database.with_file_name("tui.log"))
            .env_remove("LINES")
            .env_remove("COLUMNS");
        let pty = Pty::spawn(command, ROWS, COLS).map_err(|err| format!("starting: {err}"))?;
        let frame = pty
            .wait_for(TIMEOUT, |screen| {
                screen.contents().contains("ICC00001") && row_number(screen) == Some(1)
            })
            .map_err(|err| format!("waiting for the first frame: {err}"))?;
        let first = frame.saturating_duration_since(pty.started());
        Ok((pty, first))
    }

    /// Quits with `q` and checks that the TUI exits cleanly.
    fn quit(mut terminal: Pty) -> Result<(), String> {
        terminal
            .wait_quiet(QUIET, TIMEOUT)
            .map_err(|err| err.to_string())?;
        terminal
            .send(b"q")
            .map_err(|err| format!("typing q: {err}"))?;
        match terminal.wait_exit(TIMEOUT) {
            Ok(Some(status)) if status.success() => Ok(()),
            Ok(Some(status)) => Err(format!("the TUI exited with {status}")),
            Ok(None) => Err("the TUI did not exit after q".to_owned()),
            Err(err) => Err(format!("waiting for the TUI: {err}")),
        }
    }

    /// Waits until the output has settled, types `key` and returns the
    /// seconds until the screen satisfied `done`.
    fn press<F>(terminal: &mut Pty, key: &[u8], done: F) -> Result<f64, String>
    where
        F: FnMut(&vt100::Screen) -> bool + Send + 'static,
    {
        terminal
            .wait_quiet(QUIET, TIMEOUT)
            .map_err(|err| err.to_string())?;
        let sent = terminal
            .send(key)
            .map_err(|err| format!("typing {key:?}: {err}"))?;
        let frame = terminal
            .wait_for(TIMEOUT, done)
            .map_err(|err| format!("waiting for the frame after {key:?}: {err}"))?;
        Ok(frame.saturating_duration_since(sent).as_secs_f64())
    }

    /// The screen's last row: the status bar, or a note over it.
    fn status_row(screen: &vt100::Screen) -> String {
        screen.rows(0, COLS).last().unwrap_or_default()
    }

    /// The selected row's number as the cohort status bar shows it
    /// (`… · row 12`).
    fn row_number(screen: &vt100::Screen) -> Option<usize> {
        let status = status_row(screen);
        let (_, after) = status.rsplit_once(" row ")?;
        after.split_whitespace().next()?.parse().ok()
    }

    /// The selected row's number on the screen now.
    fn selected_row(terminal: &Pty) -> Result<usize, String> {
        terminal.inspect(row_number).ok_or_else(|| {
            let rows = terminal.rows();
            format!("no selected row in the status bar {:?}", rows.last())
        })
    }

    /// The selected row's number, after going back to the first row (`g`,
    /// untimed) if moving `step` further would reach the end of the
    /// table, where the key would change nothing.
    fn near_the_end(terminal: &mut Pty, rows: usize, step: usize) -> Result<usize, String> {
        let row = selected_row(terminal)?;
        if row + step <= rows {
            return Ok(row);
        }
        press(terminal, b"g", |screen| row_number(screen) == Some(1))?;
        Ok(1)
    }

    /// Everything drawn, with colours and attributes, one entry per row.
    fn picture(screen: &vt100::Screen) -> Vec<String> {
        screen.rows_formatted(0, COLS).collect()
    }

    /// Presses `]` and `[` in turn and times each until the screen has
    /// changed and gone quiet. `None` when the first press changes nothing
    /// within [`CHANGE_TIMEOUT`] (sorting not there); later presses that
    /// change nothing are left out with a note.
    fn sort_latencies(terminal: &mut Pty, presses: usize) -> Result<Option<Vec<f64>>, String> {
        let mut latencies = Vec::new();
        for i in 0..presses {
            let key: &[u8] = if i % 2 == 0 { b"]" } else { b"[" };
            terminal
                .wait_quiet(QUIET, TIMEOUT)
                .map_err(|err| err.to_string())?;
            let before = terminal.inspect(picture);
            let sent = terminal
                .send(key)
                .map_err(|err| format!("typing {key:?}: {err}"))?;
            let changed =
                terminal.wait_for(CHANGE_TIMEOUT, move |screen| picture(screen) != before);
            if changed.is_err() {
                if i == 0 {
                    return Ok(None);
                }
                eprintln!("sort: press {} changed nothing", i + 1);
                continue;
            }
            let end = terminal
                .wait_quiet(QUIET, TIMEOUT)
                .map_err(|err| err.to_string())?;
            latencies.push(end.saturating_duration_since(sent).as_secs_f64());
        }
        if latencies.is_empty() {
            Ok(None)
        } else {
            Ok(Some(latencies))
        }
    }

    /// Applies `cohort = validation` and clears it again, `presses` times
    /// each, timing Enter until the status line shows the count.
    fn filter_latencies(
        terminal: &mut Pty,
        presses: usize,
        patients: usize,
    ) -> Result<(Vec<f64>, Vec<f64>), String> {
        let shown = format!("of {patients} patients shown");
        let all = format!("{patients} of {patients} patients shown");
        let (mut apply, mut clear) = (Vec::new(), Vec::new());
        for _ in 0..presses {
            type_and_wait(terminal, b"/", |text| {
                text.contains("Filter the cohort") && text.contains("> ")
            })?;
            type_and_wait(terminal, b"cohort = validation", |text| {
                text.contains("> cohort = validation")
            })?;
            let expected = shown.clone();
            apply.push(press(terminal, b"\r", move |screen| {
                status_row(screen).contains(&expected)
            })?);

            type_and_wait(terminal, b"/", |text| {
                text.contains("> cohort = validation")
            })?;
            type_and_wait(terminal, b"\x15", |text| {
                text.contains("Filter the cohort") && !text.contains("> cohort = validation")
            })?;
            let expected = all.clone();
            clear.push(press(terminal, b"\r", move |screen| {
                status_row(screen).contains(&expected)
            })?);
        }
        Ok((apply, clear))
    }

    /// Types `bytes` (untimed) and waits until the screen's text satisfies
    /// `done`.
    fn type_and_wait(
        terminal: &mut Pty,
        bytes: &[u8],
        done: fn(&str) -> bool,
    ) -> Result<(), String> {
        terminal
            .send(bytes)
            .map_err(|err| format!("typing {bytes:?}: {err}"))?;
        terminal
            .wait_for(TIMEOUT, move |screen| done(&screen.contents()))
            .map(drop)
            .map_err(|err| format!("after typing {bytes:?}: {err}"))
    }

    /// The peak resident set size of process `pid` in KiB (VmHWM).
    fn peak_memory_kib(pid: u32) -> Result<u64, String> {
        let path = format!("/proc/{pid}/status");
        let status = fs::read_to_string(&path).map_err(|err| format!("{path}: {err}"))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| format!("{path}: no VmHWM line"))
    }

    /// The cached study of `patients` patients, generated first if it is
    /// not there: `<target>/bench/tui-study-<N>-v<GENERATOR>/study.db`.
    fn study_database(patients: usize) -> Result<PathBuf, String> {
        // The binary is `<target>/<profile>/radcohort`, so this follows
        // CARGO_TARGET_DIR as the build did.
        let target = Path::new(BINARY)
            .parent()
            .and_then(Path::parent)
            .ok_or("no target folder above the binary")?;
        let folder = target
            .join("bench")
            .join(format!("tui-study-{patients}-v{GENERATOR}"));
        let database = folder.join("study.db");
        if database.is_file() {
            return Ok(database);
        }
        let started = Instant::now();
        fs::create_dir_all(&folder).map_err(|err| format!("{}: {err}", folder.display()))?;
        // Built under another name and renamed when complete, so an
        // interrupted build is never taken for a cached study.
        let building = folder.join(".building-study.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = fs::remove_file(format!("{}{suffix}", building.display()));
        }
        build_study(&building, &folder, patients)?;
        fs::rename(&building, &database).map_err(|err| format!("{}: {err}", database.display()))?;
        eprintln!(
            "generated {patients} patients in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Ok(database)
    }

    /// Creates the study at `path`, imports the generated CSVs (written
    /// into `folder`) and stores the clinical score of every patient.
    fn build_study(path: &Path, folder: &Path, patients: usize) -> Result<(), String> {
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("a valid timestamp");
        let actor = Actor::new("bench", at);
        let settings = StudySettings {
            name: format!("Synthetic ICC study, {patients} patients"),
            ..StudySettings::default()
        };
        let mut db = StudyDb::create(path, &settings, &actor).map_err(|err| err.to_string())?;
        let files = generate(patients)?;
        for (kind, name, text) in [
            (ImportKind::Dictionary, "dictionary.csv", &files.dictionary),
            (ImportKind::Patients, "patients.csv", &files.patients),
            (ImportKind::Chemo, "chemo.csv", &files.chemo),
        ] {
            let file = folder.join(name);
            fs::write(&file, text).map_err(|err| format!("{}: {err}", file.display()))?;
            import_file(&mut db, kind, &file, &ImportOptions::default(), &actor)
                .map_err(|err| format!("importing {name}: {err}"))?;
        }
        let signature = Signature::from_json(CLINICAL_SCORE, Path::new("clinical.json"))
            .map_err(|err| err.to_string())?;
        let data = StudyData::load(&db).map_err(|err| err.to_string())?;
        let scores = score_patients(&signature, &data).map_err(|err| err.to_string())?;
        store_scores(&db, &signature, &scores, &actor).map_err(|err| err.to_string())?;
        Ok(())
    }

    /// The generated CSV files.
    struct Files {
        dictionary: String,
        patients: String,
        chemo: String,
    }

    /// `patients` patients modelled on the sample study's: patient k copies
    /// sample patient k mod 124 — so every row is as consistent as the
    /// sample's — under the id `ICC<k+1, 5 digits>`, with every date of the
    /// patient (chemotherapy included) moved back by the same random number
    /// of days, the age moved by up to three years, numeric variables
    /// scaled by a random factor within the dictionary's bounds, and the
    /// cohort drawn anew (30% validation).
    fn generate(patients: usize) -> Result<Files, String> {
        let sample = radcohort::sample_study::sample_csv_files();
        let csv_error = |err: csv::Error| err.to_string();

        // Numeric variables and their bounds, from the dictionary.
        let mut numeric: HashMap<String, (f64, f64)> = HashMap::new();
        let mut dictionary = csv::Reader::from_reader(sample.dictionary.as_bytes());
        for record in dictionary.records() {
            let record = record.map_err(csv_error)?;
            if record.get(2) == Some("numeric") {
                let bound = |i: usize, default: f64| {
                    record
                        .get(i)
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(default)
                };
                numeric.insert(
                    record[0].to_owned(),
                    (bound(5, f64::MIN), bound(6, f64::MAX)),
                );
            }
        }

        let mut reader = csv::Reader::from_reader(sample.patients.as_bytes());
        let header = reader.headers().map_err(csv_error)?.clone();
        let templates: Vec<csv::StringRecord> = reader
            .records()
            .collect::<Result<_, _>>()
            .map_err(csv_error)?;
        let mut reader = csv::Reader::from_reader(sample.chemo.as_bytes());
        let chemo_header = reader.headers().map_err(csv_error)?.clone();
        let mut courses: HashMap<String, Vec<csv::StringRecord>> = HashMap::new();
        for record in reader.records() {
            let record = record.map_err(csv_error)?;
            courses
                .entry(record[0].to_owned())
                .or_default()
                .push(record);
        }

        let mut rng = common::Rng(20_221_124);
        let mut patients_csv = csv::Writer::from_writer(Vec::new());
        let mut chemo_csv = csv::Writer::from_writer(Vec::new());
        patients_csv.write_record(&header).map_err(csv_error)?;
        chemo_csv.write_record(&chemo_header).map_err(csv_error)?;
        for k in 0..patients {
            let template = &templates[k % templates.len()];
            let study_id = format!("ICC{:05}", k + 1);
            let shift = chrono::Days::new((rng.uniform() * 730.0) as u64);
            let validation = rng.uniform() < VALIDATION_SHARE;
            let row: Vec<String> = header
                .iter()
                .zip(template.iter())
                .map(|(column, value)| match column {
                    "study_id" => study_id.clone(),
                    "cohort" => if validation { "validation" } else { "training" }.to_owned(),
                    "age" => match value.parse::<f64>() {
                        Ok(age) => {
                            let moved = age + (rng.uniform() * 7.0).floor() - 3.0;
                            format!("{}", moved.clamp(18.0, 90.0))
                        }
                        Err(_) => value.to_owned(),
                    },
                    _ => match (numeric.get(column), value.parse::<f64>()) {
                        (Some(&(low, high)), Ok(number)) => {
                            let scaled = number * (0.2 * rng.normal()).exp();
                            format!("{:.1}", scaled.clamp(low, high))
                        }
                        _ => moved_date(value, shift),
                    },
                })
                .collect();
            patients_csv.write_record(&row).map_err(csv_error)?;
            for course in courses.get(&template[0]).into_iter().flatten() {
                let row: Vec<String> = chemo_header
                    .iter()
                    .zip(course.iter())
                    .map(|(column, value)| match column {
                        "study_id" => study_id.clone(),
                        _ => moved_date(value, shift),
                    })
                    .collect();
                chemo_csv.write_record(&row).map_err(csv_error)?;
            }
        }
        let text = |writer: csv::Writer<Vec<u8>>| {
            let bytes = writer.into_inner().map_err(|err| err.to_string())?;
            String::from_utf8(bytes).map_err(|err| err.to_string())
        };
        Ok(Files {
            dictionary: sample.dictionary,
            patients: text(patients_csv)?,
            chemo: text(chemo_csv)?,
        })
    }

    /// `value` moved back by `shift` if it is a date, else as it is.
    fn moved_date(value: &str, shift: chrono::Days) -> String {
        match chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(date) => (date - shift).format("%Y-%m-%d").to_string(),
            Err(_) => value.to_owned(),
        }
    }
}
