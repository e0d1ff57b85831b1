//! Scripted key sequences against a temporary study database: what a
//! coordinator types, and what ends up in the database and its audit log.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use radcohort::study::StudyDb;
use radcohort::study::model::Value;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::App;
use super::event::Event;
use super::fixture;
use super::jobs::{JobEvent, JobResult, JobSpec};
use super::keymap::Context;

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(&KeyEvent::new(code, KeyModifiers::NONE));
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// Opens the first patient (ICC-001) and moves to CA 19-9, the first
/// dictionary variable, after the six core fields.
fn open_ca199(app: &mut App) {
    key(app, KeyCode::Enter);
    for _ in 0..6 {
        key(app, KeyCode::Char('j'));
    }
}

fn ca199(db: &StudyDb) -> Option<Value> {
    let record = db
        .load_record("ICC-001")
        .expect("readable")
        .expect("ICC-001");
    record.values.get("ca199").cloned()
}

#[test]
fn an_edit_is_checked_staged_confirmed_written_and_audited() {
    let (_dir, db) = fixture::populated();
    let mut app = App::with_study(fixture::load(&db), fixture::session(&db));
    open_ca199(&mut app);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Input);
    assert_eq!(app.input().map(|i| i.text.as_str()), Some("37.5"));

    // A value the dictionary refuses stays in the input with the reason.
    key(&mut app, KeyCode::Char('u'));
    app.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(&mut app, "-4");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Input);
    let error = app.input().and_then(|i| i.error.clone());
    assert_eq!(error.as_deref(), Some("out of range [0, 100000] U/mL"));

    // A valid one is staged, not written.
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    keys(&mut app, "41.2");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Patient);
    assert_eq!(ca199(&db), Some(Value::Number(37.5)), "nothing written yet");

    // `w` asks; `n` leaves it staged; `w` then `y` writes.
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(app.context(), Context::Confirm);
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(ca199(&db), Some(Value::Number(37.5)));
    assert!(app.patient().and_then(|p| p.staged()).is_some());
    key(&mut app, KeyCode::Char('w'));
    key(&mut app, KeyCode::Char('y'));
    assert_eq!(ca199(&db), Some(Value::Number(41.2)));
    assert!(app.patient().and_then(|p| p.staged()).is_none());
    assert_eq!(app.note(), Some("1 change written to ICC-001 · u undoes"));

    let audit = db.audit_log(Some("ICC-001")).expect("an audit log");
    let row = audit.last().expect("an audit row");
    assert_eq!(
        (row.user.as_str(), row.action.as_str(), row.field.as_str()),
        ("tester", "update", "ca199")
    );
    assert_eq!(row.record, "ICC-001");
    assert_eq!(row.old_value.as_deref(), Some("37.5"));
    assert_eq!(row.new_value.as_deref(), Some("41.2"));

    // The study shown is the one stored.
    let shown = app.study().expect("a study").patients[0]
        .record
        .values
        .get("ca199");
    assert_eq!(shown, Some(&Value::Number(41.2)));
}

#[test]
fn the_last_write_is_undone_with_its_own_audit_rows() {
    let (_dir, db) = fixture::populated();
    let mut app = App::with_study(fixture::load(&db), fixture::session(&db));
    open_ca199(&mut app);
    key(&mut app, KeyCode::Enter);
    app.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(&mut app, "50");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "wy");
    let rows_after_write = db.audit_log(None).expect("a log").len();
    keys(&mut app, "u");
    assert_eq!(app.context(), Context::Confirm);
    keys(&mut app, "y");
    assert_eq!(ca199(&db), Some(Value::Number(37.5)));
    let log = db.audit_log(None).expect("a log");
    assert_eq!(log.len(), rows_after_write + 1, "the undo is audited too");
    let undo = log.last().expect("a row");
    assert_eq!(
        (undo.old_value.as_deref(), undo.new_value.as_deref()),
        (Some("50"), Some("37.5"))
    );
    keys(&mut app, "u");
    assert_eq!(app.note(), Some("nothing written in this session to undo"));
}

#[test]
fn a_stale_edit_is_refused_and_the_study_read_again() {
    let (_dir, db) = fixture::populated();
    let mut app = App::with_study(fixture::load(&db), fixture::session(&db));
    open_ca199(&mut app);
    key(&mut app, KeyCode::Enter);
    app.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(&mut app, "60");
    key(&mut app, KeyCode::Enter);

    // A second coordinator changes the same record meanwhile.
    let mut other = StudyDb::open(db.path()).expect("a second connection");
    let shown = other.load_record("ICC-001").unwrap().unwrap();
    let mut theirs = shown.clone();
    theirs
        .values
        .insert("ca199".to_owned(), Value::Number(99.0));
    other
        .save_record(Some(&shown), &theirs, &fixture::actor())
        .expect("their write");

    keys(&mut app, "wy");
    assert_eq!(ca199(&db), Some(Value::Number(99.0)), "theirs is kept");
    assert_eq!(app.context(), Context::Message);
    assert!(app.patient().and_then(|p| p.staged()).is_none());
    let shown = app.study().expect("a study").patients[0]
        .record
        .values
        .get("ca199");
    assert_eq!(shown, Some(&Value::Number(99.0)), "the view was refreshed");
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "E");
    assert_eq!(
        app.context(),
        Context::Message,
        "the error is in the history"
    );
}

#[test]
fn staged_changes_hold_the_patient_until_written_or_discarded() {
    let (_dir, db) = fixture::populated();
    let mut app = App::with_study(fixture::load(&db), fixture::session(&db));
    open_ca199(&mut app);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "1");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.context(), Context::Patient, "Esc does not drop edits");
    keys(&mut app, "n");
    assert_eq!(app.patient().map(|p| p.index()), Some(0));
    keys(&mut app, "q");
    assert_eq!(app.context(), Context::Confirm, "quitting asks first");
    keys(&mut app, "n");
    assert!(!app.should_quit());
    keys(&mut app, "D");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.context(), Context::Cohort);
    assert_eq!(ca199(&db), Some(Value::Number(37.5)));
}

#[test]
fn a_read_only_session_refuses_edits_and_jobs() {
    let (_dir, db) = fixture::populated();
    let mut session = fixture::session(&db);
    session.read_only = true;
    let reader = StudyDb::open_read_only(db.path()).expect("a read-only connection");
    let mut app = App::with_study(fixture::load(&reader), session);
    // The patient's history is read through a read-only connection too.
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "6");
    let text = screen(&app);
    assert!(text.contains("tester insert ICC-001"), "{text}");
    keys(&mut app, "1");
    key(&mut app, KeyCode::Esc);
    open_ca199(&mut app);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Patient);
    assert_eq!(
        app.note(),
        Some("read-only session: editing is not allowed")
    );
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "3a");
    assert_eq!(app.context(), Context::Jobs);
    assert_eq!(
        app.note(),
        Some("read-only session: running jobs is not allowed")
    );
}

/// A job runs on its own thread: while it runs, every key is handled at
/// once, and its reports arrive through the channel.
#[test]
fn a_long_job_keeps_the_interface_responsive() {
    let (dir, db) = fixture::populated();
    let (mut app, events) = app_running_jobs(&db);
    std::fs::write(dir.path().join("params.yaml"), "setting:\n  binWidth: 25\n")
        .expect("a parameter file");
    keys(&mut app, "3a");
    assert_eq!(app.context(), Context::Menu);
    key(&mut app, KeyCode::Enter);
    let jobs = app.jobs().expect("the jobs view").jobs();
    assert_eq!(jobs.len(), 1);
    assert!(matches!(jobs[0].spec, JobSpec::Extract { .. }));

    // Keys are handled while the job runs, each well within a frame.
    let mut slowest = Duration::ZERO;
    for c in "1jjkk".chars() {
        let started = Instant::now();
        key(&mut app, KeyCode::Char(c));
        slowest = slowest.max(started.elapsed());
    }
    assert_eq!(app.cohort().map(|c| c.selected()), Some(0));
    assert!(slowest < Duration::from_millis(100), "{slowest:?}");

    // The job reports its end through the channel.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(Event::Job(event)) => {
                let finished = matches!(event, JobEvent::Finished(..));
                app.on_job(event);
                if finished {
                    break;
                }
            }
            Ok(_) => {}
            Err(err) => panic!("no report from the job: {err}"),
        }
    }
    let job = &app.jobs().expect("the jobs view").jobs()[0];
    assert!(!job.running(), "{:?}", job.state);
}

fn scored_app() -> (tempfile::TempDir, App) {
    let (dir, db) = fixture::scored_sample();
    let app = App::with_study(fixture::load(&db), fixture::session(&db));
    (dir, app)
}

fn shown_ids(app: &App) -> Vec<String> {
    let study = app.study().expect("a study");
    app.cohort()
        .expect("the cohort")
        .visible()
        .iter()
        .map(|&i| study.patients[i].record.study_id().to_owned())
        .collect()
}

#[test]
fn a_column_is_added_and_sorted_with_missing_values_last() {
    let (_dir, mut app) = scored_app();
    keys(&mut app, "C");
    assert_eq!(app.context(), Context::Menu);
    // Study ID, Cohort, Sex, Age: Age is the fourth column offered.
    keys(&mut app, "jjj");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Esc);
    // The cursor to the new last column, then sort ascending.
    for _ in 0..12 {
        keys(&mut app, "l");
    }
    keys(&mut app, "[");
    assert_eq!(app.note(), Some("sorted by Age ascending"));
    let study = app.study().expect("a study");
    let ages: Vec<Option<f64>> = app
        .cohort()
        .expect("the cohort")
        .visible()
        .iter()
        .map(|&i| study.patients[i].record.patient.age_at_surgery)
        .collect();
    let known: Vec<f64> = ages.iter().flatten().copied().collect();
    assert!(known.windows(2).all(|w| w[0] <= w[1]), "{known:?}");
    let first_missing = ages.iter().position(Option::is_none).unwrap_or(ages.len());
    assert!(ages[first_missing..].iter().all(Option::is_none));
    assert_eq!(ages.len(), 124);

    keys(&mut app, "]");
    let study = app.study().expect("a study");
    let first = app.cohort().expect("the cohort").visible()[0];
    let oldest = known.iter().copied().fold(f64::MIN, f64::max);
    assert_eq!(
        study.patients[first].record.patient.age_at_surgery,
        Some(oldest)
    );
}

#[test]
fn sorting_by_study_id_descending_reverses_the_table() {
    let (_dir, mut app) = scored_app();
    keys(&mut app, "]");
    let ids = shown_ids(&app);
    let mut expected = ids.clone();
    expected.sort();
    expected.reverse();
    assert_eq!(ids, expected);
    assert_eq!(ids[0], "ICC124");
}

#[test]
fn search_finds_text_in_any_shown_column_and_wraps() {
    let (_dir, mut app) = scored_app();
    keys(&mut app, "s");
    keys(&mut app, "icc050");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.cohort().map(|c| c.selected()), Some(49));
    keys(&mut app, "n");
    assert_eq!(
        app.cohort().map(|c| c.selected()),
        Some(49),
        "the only match"
    );
    keys(&mut app, "s");
    app.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(&mut app, "validation");
    key(&mut app, KeyCode::Enter);
    let study = app.study().expect("a study");
    let at = |app: &App| {
        let cohort = app.cohort().expect("the cohort");
        study.patients[cohort.visible()[cohort.selected()]]
            .record
            .patient
            .cohort
    };
    assert_eq!(at(&app), Some(radcohort::study::model::Cohort::Validation));
    let before = app.cohort().map(|c| c.selected());
    keys(&mut app, "nN");
    assert_eq!(app.cohort().map(|c| c.selected()), before);
    keys(&mut app, "s");
    app.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(&mut app, "nowhere");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.note(), Some("`nowhere` is not in the rows shown"));
}

#[test]
fn frequencies_count_the_levels_of_the_rows_shown() {
    let (_dir, mut app) = scored_app();
    keys(&mut app, "l");
    let study = app.study().expect("a study");
    let levels = app.cohort().expect("the cohort").frequencies(study);
    let counts: Vec<(&str, usize)> = levels.iter().map(|l| (l.level.as_str(), l.count)).collect();
    assert_eq!(counts, [("training", 87), ("validation", 37)]);
    keys(&mut app, "F");
    assert_eq!(app.context(), Context::Message);
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "/");
    keys(&mut app, "cohort = validation");
    key(&mut app, KeyCode::Enter);
    let study = app.study().expect("a study");
    let levels = app.cohort().expect("the cohort").frequencies(study);
    assert_eq!(levels.len(), 1);
    assert_eq!(levels[0].count, 37);
}

/// Opens the patient at `index` of the populated fixture on its timeline.
fn open_timeline(app: &mut App, index: usize) {
    for _ in 0..index {
        keys(app, "j");
    }
    key(app, KeyCode::Enter);
    keys(app, "2");
}

fn events_of(db: &StudyDb, id: &str) -> Vec<(String, String, Option<String>)> {
    let record = db.load_record(id).expect("readable").expect("a patient");
    record
        .events
        .iter()
        .map(|e| (e.kind.to_string(), e.date.to_string(), e.detail.clone()))
        .collect()
}

#[test]
fn a_recurrence_is_added_to_the_timeline_checked_against_the_rules_and_written() {
    let (_dir, db) = fixture::populated();
    let mut app = App::with_study(fixture::load(&db), fixture::session(&db));
    open_timeline(&mut app, 1);
    keys(&mut app, "a");
    assert_eq!(app.context(), Context::Menu);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Input, "the form is open");

    // Before surgery: the form stays open with the broken rule.
    keys(&mut app, "2017-01-01");
    key(&mut app, KeyCode::Tab);
    keys(&mut app, "liver");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Input);
    assert!(
        events_of(&db, "ICC-002")
            .iter()
            .all(|(kind, ..)| kind != "recurrence")
    );

    key(&mut app, KeyCode::BackTab);
    app.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(&mut app, "2019-01-15");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Patient);
    assert_eq!(
        app.note(),
        Some("1 change staged · w writes them, D discards")
    );
    keys(&mut app, "wy");
    let events = events_of(&db, "ICC-002");
    assert!(
        events.contains(&(
            "recurrence".to_owned(),
            "2019-01-15".to_owned(),
            Some("liver".to_owned())
        )),
        "{events:?}"
    );
    let audit = db.audit_log(Some("ICC-002")).expect("a log");
    assert!(
        audit
            .iter()
            .any(|row| row.action == "insert" && row.table == "follow_up_event"),
        "the new event is audited"
    );
}

#[test]
fn a_course_is_edited_and_another_deleted_in_one_write() {
    let (_dir, db) = fixture::populated();
    let mut app = App::with_study(fixture::load(&db), fixture::session(&db));
    open_timeline(&mut app, 0);
    // The first entry is the GEMOX course: 6 cycles → 4.
    key(&mut app, KeyCode::Enter);
    for _ in 0..3 {
        key(&mut app, KeyCode::Tab);
    }
    app.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(&mut app, "4");
    key(&mut app, KeyCode::Enter);
    // The FOLFIRINOX course is the third entry, after the recurrence.
    keys(&mut app, "jjd");
    keys(&mut app, "w");
    assert_eq!(app.context(), Context::Confirm);
    keys(&mut app, "y");
    let record = db
        .load_record("ICC-001")
        .expect("readable")
        .expect("ICC-001");
    assert_eq!(record.chemo.len(), 1);
    assert_eq!(record.chemo[0].regimen, "GEMOX");
    assert_eq!(record.chemo[0].cycles, Some(4));
}

#[test]
fn the_slice_viewer_opens_on_a_series_and_pages_through_its_slices() {
    let (_dir, db) = fixture::populated();
    let mut app = App::with_study(fixture::load(&db), fixture::session(&db));
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "3j");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Viewer);
    let slice = |app: &App| app.patient().and_then(|p| p.viewer_slice());
    // The tumour is on the first of the two slices.
    assert_eq!(slice(&app), Some(0));
    keys(&mut app, "k");
    assert_eq!(slice(&app), Some(1));
    keys(&mut app, "kk");
    assert_eq!(slice(&app), Some(1), "stops at the top");
    keys(&mut app, "><+-0");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.context(), Context::Patient);
}

#[test]
fn the_palette_completes_and_runs_commands() {
    let (_dir, db) = fixture::populated();
    let mut app = App::with_study(fixture::load(&db), fixture::session(&db));
    keys(&mut app, ":vi");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.input().map(|i| i.text.as_str()), Some("view "));
    keys(&mut app, "s");
    key(&mut app, KeyCode::Tab);
    assert_eq!(
        app.input().map(|i| i.text.as_str()),
        Some("view s"),
        "signature or survival: nothing to add"
    );
    keys(&mut app, "u");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.input().map(|i| i.text.as_str()), Some("view survival"));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Survival);

    keys(&mut app, ":open icc-003");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.patient().map(|p| p.index()), Some(2));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.context(), Context::Cohort);

    keys(&mut app, ":bogus");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.context(),
        Context::Input,
        "an unknown command stays to fix"
    );
    let error = app
        .input()
        .and_then(|i| i.error.clone())
        .unwrap_or_default();
    assert!(error.starts_with("no command `bogus`"), "{error}");
    key(&mut app, KeyCode::Esc);

    keys(&mut app, ":filter cohort = training");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.cohort().map(|c| c.visible().len()), Some(3));
    keys(&mut app, ":quit");
    key(&mut app, KeyCode::Enter);
    assert!(app.should_quit());
}

#[test]
fn writes_and_errors_go_to_the_log_file() {
    let (dir, db) = fixture::populated();
    let mut session = fixture::session(&db);
    let log = dir.path().join("logs/tui.log");
    session.log = Some(log.clone());
    let mut app = App::with_study(fixture::load(&db), session);
    open_ca199(&mut app);
    key(&mut app, KeyCode::Enter);
    app.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(&mut app, "45");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "wy");
    let text = std::fs::read_to_string(&log).expect("a log file");
    assert!(
        text.lines()
            .any(|l| l.ends_with("tester INFO 1 change written to ICC-001")),
        "{text}"
    );
}

// The quality, signature, tables and audit views.

/// The screen as text at 120×40.
fn screen(app: &App) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40))
        .expect("a test terminal");
    terminal
        .draw(|frame| app.render(frame))
        .expect("a drawn frame");
    terminal.backend().to_string()
}

/// An app on `db` whose session can run jobs, with the channel their
/// reports arrive on.
fn app_running_jobs(db: &StudyDb) -> (App, mpsc::Receiver<Event>) {
    let (sender, events) = mpsc::channel();
    let mut session = fixture::session(db);
    session.events = Some(sender);
    (App::with_study(fixture::load(db), session), events)
}

/// Feeds the app the reports of the job it started until the job ends,
/// returning how it ended.
fn wait_for_job(app: &mut App, events: &mpsc::Receiver<Event>) -> Result<JobResult, String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(Event::Job(event)) => {
                let finished = match &event {
                    JobEvent::Finished(_, outcome) => Some(outcome.clone()),
                    _ => None,
                };
                app.on_job(event);
                if let Some(outcome) = finished {
                    return outcome;
                }
            }
            Ok(_) => {}
            Err(err) => panic!("no report from the job: {err}"),
        }
    }
}

#[test]
fn a_problem_corrected_from_the_quality_view_leaves_it_and_is_audited() {
    // Each kind of problem opens where it can be corrected.
    {
        let (_dir, db) = fixture::populated();
        let mut app = App::with_study(fixture::load(&db), fixture::session(&db));
        keys(&mut app, "2");
        // The first row is ICC-002's missing image file: its imaging row.
        key(&mut app, KeyCode::Enter);
        let text = screen(&app);
        assert!(text.contains("▶ b800"), "{text}");
        key(&mut app, KeyCode::Esc);
        // The fourth is ICC-004's missing follow-up: its timeline.
        keys(&mut app, "gjjj");
        key(&mut app, KeyCode::Enter);
        let text = screen(&app);
        assert!(text.contains("Date           Day  Event"), "{text}");
        key(&mut app, KeyCode::Esc);
        // The fifth is ICC-005's missing surgery date: its row.
        keys(&mut app, "j");
        key(&mut app, KeyCode::Enter);
        let text = screen(&app);
        assert!(text.contains("▶ Date"), "{text}");
    }

    let (_dir, db) = fixture::populated();
    let mut app = App::with_study(fixture::load(&db), fixture::session(&db));
    keys(&mut app, "2");
    assert_eq!(app.context(), Context::Quality);
    let before = screen(&app);
    assert!(before.contains("ICC-003  missing   ca199"), "{before}");
    assert!(before.contains("7 problems"), "{before}");

    // The second row is ICC-003's missing CA 19-9; Enter opens ICC-003.
    keys(&mut app, "j");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.patient().map(|p| p.index()), Some(2));
    assert_eq!(
        app.study().map(|s| s.patients[2].record.study_id()),
        Some("ICC-003")
    );

    // The patient opens on the field the problem names: CA 19-9.
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Input);
    assert_eq!(
        app.input().map(|i| i.label.as_str()),
        Some("CA 19-9 · ICC-003")
    );
    keys(&mut app, "12");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "wy");
    assert_eq!(app.note(), Some("1 change written to ICC-003 · u undoes"));

    // Esc goes back to the quality view, which no longer lists it.
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.context(), Context::Quality);
    let after = screen(&app);
    assert!(!after.contains("ICC-003  missing   ca199"), "{after}");
    assert!(after.contains("6 problems"), "{after}");

    // The audit view shows the write, newest first.
    keys(&mut app, "8");
    assert_eq!(app.context(), Context::Audit);
    let audit = screen(&app);
    let newest = audit
        .lines()
        .find(|line| line.contains('▶'))
        .expect("a selected row");
    // A value that was missing is inserted rather than updated.
    assert!(
        newest.contains("tester") && newest.contains("insert") && newest.contains("ICC-003"),
        "{audit}"
    );
    assert!(
        newest.contains("ca199") && newest.contains("— → 12"),
        "{audit}"
    );
}

#[test]
fn the_audit_filter_narrows_the_rows() {
    let (_dir, db) = fixture::populated();
    let mut app = App::with_study(fixture::load(&db), fixture::session(&db));
    keys(&mut app, "8/");
    assert_eq!(app.context(), Context::Input);
    keys(&mut app, "GEMOX");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Audit);
    assert_eq!(app.note(), Some("1 row contain `GEMOX`"));
    let shown = screen(&app);
    assert!(shown.contains("regimen"), "{shown}");
    keys(&mut app, "/");
    app.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    key(&mut app, KeyCode::Enter);
    let rows = db.audit_log(None).expect("the log").len();
    assert_eq!(
        app.note(),
        Some(format!("filter cleared: {rows} rows").as_str())
    );
}

#[test]
fn a_table_is_exported_by_its_extension_and_never_overwritten_unasked() {
    let (dir, db) = fixture::scored_sample();
    let mut app = App::with_study(fixture::load(&db), fixture::session(&db));
    keys(&mut app, "7x");
    assert_eq!(app.context(), Context::Input);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Tables);
    assert_eq!(
        app.note(),
        Some("Baseline characteristics by cohort written to table1_by_cohort.csv")
    );
    let csv = std::fs::read_to_string(dir.path().join("table1_by_cohort.csv")).expect("a CSV");
    assert_eq!(
        csv.lines().next(),
        Some("Characteristic,Overall,training,validation,p,Test,Missing")
    );
    assert!(
        csv.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("n,124,87,37")),
        "{csv}"
    );

    // The same name again is refused until it ends with `!`.
    keys(&mut app, "x");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Input);
    assert!(screen(&app).contains("exists: choose another name"));
    keys(&mut app, "!");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Tables);

    // Markdown and LaTeX by extension, of the table shown.
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    keys(&mut app, "x");
    app.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(&mut app, "survival.md");
    key(&mut app, KeyCode::Enter);
    let md = std::fs::read_to_string(dir.path().join("survival.md")).expect("Markdown");
    assert!(md.starts_with("**DFS and OS by radiomic risk group**\n\n| Cohort | Endpoint |"));
    keys(&mut app, "x");
    app.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(&mut app, "survival.TEX");
    key(&mut app, KeyCode::Enter);
    let tex = std::fs::read_to_string(dir.path().join("survival.TEX")).expect("LaTeX");
    assert!(tex.contains("\\label{tab:survival-by-risk-group}"), "{tex}");
}

#[test]
fn s_on_the_signature_view_needs_a_session_that_can_run_jobs() {
    let (_dir, db) = fixture::scored_sample();
    let mut app = App::with_study(fixture::load(&db), fixture::session(&db));
    keys(&mut app, "4s");
    assert_eq!(app.context(), Context::Message);
    assert!(screen(&app).contains("this session cannot run jobs"));
}

#[test]
fn s_scores_the_cohort_with_a_stored_signature_read_from_the_database() {
    let (_dir, db) = fixture::scored_sample();
    let (mut app, events) = app_running_jobs(&db);
    keys(&mut app, "4s");
    let jobs = app.jobs().expect("the jobs view").jobs();
    assert_eq!(jobs.len(), 1);
    match &jobs[0].spec {
        JobSpec::ScoreStored { name, .. } => assert_eq!(name, "Clinical score"),
        other => panic!("expected scoring with the stored signature, found {other:?}"),
    }
    assert_eq!(app.context(), Context::Jobs);
    let result = wait_for_job(&mut app, &events).expect("the job ran");
    assert!(
        result
            .summary
            .starts_with("Clinical score: 124 patients scored"),
        "{}",
        result.summary
    );
    let active = app.study().and_then(|s| s.active_signature.clone());
    assert_eq!(active.map(|a| a.name), Some("Clinical score".to_owned()));
}

#[test]
fn r_on_the_tables_view_writes_the_report_of_the_active_signature() {
    let (dir, db) = fixture::scored_sample();
    let (mut app, events) = app_running_jobs(&db);
    keys(&mut app, "7r");
    let jobs = app.jobs().expect("the jobs view").jobs();
    assert!(matches!(&jobs[0].spec, JobSpec::Report { out } if out.ends_with("report")));
    let result = wait_for_job(&mut app, &events).expect("the job ran");
    assert!(
        result.summary.contains("files written to report/"),
        "{}",
        result.summary
    );
    let report =
        std::fs::read_to_string(dir.path().join("report").join("report.md")).expect("a report");
    assert!(report.contains("Clinical score"), "{report}");
    assert!(
        dir.path()
            .join("report/tables/table1_by_cohort.csv")
            .is_file()
    );
}

/// Clears the focused field of a form and types `text` into it.
fn retype(app: &mut App, text: &str) {
    app.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(app, text);
}

#[test]
fn the_training_form_refuses_a_wrong_choice_then_trains_the_model_chosen() {
    let (dir, db) = fixture::scored_sample();
    let (mut app, events) = app_running_jobs(&db);
    // No parameter files here: training is the first entry.
    keys(&mut app, "3a");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Input);
    retype(&mut app, "lasso");
    key(&mut app, KeyCode::Enter);
    let text = screen(&app);
    assert!(text.contains("Model: \"lasso\" is not a model"), "{text}");
    assert!(app.jobs().expect("the jobs view").jobs().is_empty());

    // A CPR model of the clinical variables, written to cpr.json.
    retype(&mut app, "cpr");
    for _ in 0..9 {
        key(&mut app, KeyCode::Tab);
    }
    retype(&mut app, "cpr.json");
    key(&mut app, KeyCode::Enter);
    let jobs = app.jobs().expect("the jobs view").jobs();
    assert_eq!(jobs.len(), 1);
    match &jobs[0].spec {
        JobSpec::Train { out, options } => {
            assert_eq!(out, &dir.path().join("cpr.json"));
            assert_eq!(options.model, radcohort::signature::ModelChoice::Cpr);
        }
        other => panic!("expected training, found {other:?}"),
    }
    let result = wait_for_job(&mut app, &events).expect("the job ran");
    assert!(result.summary.contains("→ cpr.json"), "{}", result.summary);
    let written = radcohort::signature::Signature::read(&dir.path().join("cpr.json"))
        .expect("a readable signature");
    assert_eq!(written.model, radcohort::signature::ModelKind::Logistic);
    assert!(
        !written.inputs.is_empty()
            && written.inputs.iter().all(|input| !matches!(
                input.source,
                radcohort::signature::InputSource::Feature { .. }
            )),
        "a CPR model reads clinical variables only: {:?}",
        written.inputs
    );
}

#[test]
fn the_report_needs_a_signature_that_scored_the_study() {
    let (_dir, db) = fixture::populated();
    let mut app = App::with_study(fixture::load(&db), fixture::session(&db));
    keys(&mut app, "7r");
    assert_eq!(app.context(), Context::Tables);
    assert_eq!(
        app.note(),
        Some("no signature has scored the study: score one first (4 Signature, s)")
    );
}

/// What "Done" asks of the TUI, as keys: open the sample study, find a
/// patient and correct a value, run extraction, training and scoring as
/// jobs, and read the chemotherapy-benefit comparison.
#[test]
fn a_coordinator_runs_the_study_from_the_keyboard() {
    let dir = tempfile::tempdir().expect("a folder");
    let sample =
        radcohort::sample_study::write_sample_study(dir.path(), &fixture::actor(), &|_| {})
            .expect("the sample study");
    let db = StudyDb::open(&sample.database).expect("the sample database");
    let (mut app, events) = app_running_jobs(&db);

    // Find ICC010 and correct its CA19-9, the first study variable.
    keys(&mut app, "/study_id = ICC010");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    for _ in 0..6 {
        keys(&mut app, "j");
    }
    key(&mut app, KeyCode::Enter);
    app.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(&mut app, "55");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "wy");
    let record = db.load_record("ICC010").expect("readable").expect("ICC010");
    assert_eq!(record.values.get("ca19_9"), Some(&Value::Number(55.0)));
    key(&mut app, KeyCode::Esc);

    // The jobs menu lists each parameter file for DWI and ADC, then
    // training, then each signature file.
    let params = ["params_default.yaml", "params_filters.yaml"];
    keys(&mut app, "3a");
    key(&mut app, KeyCode::Enter);
    let extracted = wait_for_job(&mut app, &events).expect("an extraction");
    assert!(extracted.errors.is_empty(), "{:?}", extracted.errors);
    keys(&mut app, "a");
    for _ in 0..2 * params.len() {
        keys(&mut app, "j");
    }
    // Training asks for its model and options first; the defaults train
    // a LASSO-logistic signature of early recurrence.
    key(&mut app, KeyCode::Enter);
    assert!(screen(&app).contains("Train a signature on the training cohort"));
    key(&mut app, KeyCode::Enter);
    let trained = wait_for_job(&mut app, &events).expect("a signature");
    assert!(
        trained.summary.contains("signature.json"),
        "{}",
        trained.summary
    );
    keys(&mut app, "a");
    for _ in 0..2 * params.len() + 1 {
        keys(&mut app, "j");
    }
    key(&mut app, KeyCode::Enter);
    let scored = wait_for_job(&mut app, &events).expect("scores");
    assert!(scored.errors.is_empty(), "{:?}", scored.errors);

    let study = app.study().expect("the study");
    let grouped = study
        .patients
        .iter()
        .filter(|p| p.risk_group().is_some())
        .count();
    assert_eq!(
        grouped,
        study.patients.len(),
        "every patient has a risk group"
    );
    keys(&mut app, "6");
    let text = screen(&app);
    assert!(text.contains("high risk: chemo vs none"), "{text}");
    assert!(text.contains("Interaction chemo × high risk: p"), "{text}");
}
