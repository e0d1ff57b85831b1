//! What the screens look like at 80×24, the size of a default terminal
//! over SSH. Each snapshot is the screen's text, checked in under
//! `snapshots/`; a change to a screen shows up as a reviewable diff.

use std::path::PathBuf;

use insta::assert_snapshot;
use radcohort::sample_study::SampleProgress;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::action::Action;
use super::app::App;
use super::fixture;
use super::jobs::JobEvent;

fn draw(app: &App) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("a test terminal");
    terminal
        .draw(|frame| app.render(frame))
        .expect("a drawn frame");
    terminal
}

fn populated_app() -> App {
    let (_dir, db) = fixture::populated();
    App::with_study(fixture::load(&db), fixture::session(&db))
}

#[test]
fn cohort() {
    let mut app = populated_app();
    app.update(Action::Down);
    app.update(Action::Down);
    assert_snapshot!(draw(&app).backend());
}

#[test]
fn empty_study() {
    let (_dir, db) = fixture::empty();
    let app = App::with_study(fixture::load(&db), fixture::session(&db));
    assert_snapshot!(draw(&app).backend());
}

#[test]
fn patient_clinical() {
    let mut app = populated_app();
    app.update(Action::Open);
    assert_snapshot!(draw(&app).backend());
}

#[test]
fn patient_clinical_scrolled_to_the_end() {
    let mut app = populated_app();
    app.update(Action::Open);
    // Drawing first tells the view its height, which bounds the scroll.
    draw(&app);
    app.update(Action::Last);
    assert_snapshot!(draw(&app).backend());
}

#[test]
fn patient_timeline() {
    let mut app = populated_app();
    app.update(Action::Open);
    app.update(Action::Section(1));
    assert_snapshot!(draw(&app).backend());
}

#[test]
fn patient_imaging() {
    let mut app = populated_app();
    app.update(Action::Open);
    app.update(Action::Section(2));
    assert_snapshot!(draw(&app).backend());
}

#[test]
fn patient_with_a_missing_image() {
    let mut app = populated_app();
    app.update(Action::Open);
    app.update(Action::NextPatient);
    app.update(Action::Section(2));
    assert_snapshot!(draw(&app).backend());
}

#[test]
fn patient_without_surgery_date() {
    let mut app = populated_app();
    app.update(Action::Down);
    app.update(Action::Down);
    app.update(Action::Down);
    app.update(Action::Down);
    app.update(Action::Open);
    app.update(Action::Section(1));
    assert_snapshot!(draw(&app).backend());
}

#[test]
fn help_over_cohort() {
    let mut app = populated_app();
    app.update(Action::ToggleHelp);
    assert_snapshot!(draw(&app).backend());
}

#[test]
fn help_over_patient() {
    let mut app = populated_app();
    app.update(Action::Open);
    app.update(Action::ToggleHelp);
    assert_snapshot!(draw(&app).backend());
}

fn building_app() -> App {
    let folder = PathBuf::from("/home/coordinator/.local/share/radcohort/sample-study");
    let session = super::app::Session {
        database: folder.join("study.db"),
        read_only: false,
        user: "tester".to_owned(),
        events: None,
    };
    App::building(folder, session)
}

#[test]
fn building_progress() {
    let mut app = building_app();
    app.on_job(JobEvent::SampleProgress(SampleProgress {
        stage: "writing images",
        done: 48,
        total: 120,
    }));
    assert_snapshot!(draw(&app).backend());
}

#[test]
fn building_failed() {
    let mut app = building_app();
    app.on_job(JobEvent::SampleFailed(
        "/home/coordinator/.local/share/radcohort/sample-study/images: No space left on device (os error 28)".to_owned(),
    ));
    assert_snapshot!(draw(&app).backend());
}

#[test]
fn tiny_terminals_do_not_panic() {
    let mut apps = vec![populated_app(), building_app()];
    let mut failed = building_app();
    failed.on_job(JobEvent::SampleFailed("disk full".to_owned()));
    apps.push(failed);
    let mut patient = populated_app();
    patient.update(Action::Open);
    patient.update(Action::Section(2));
    apps.push(patient);
    for app in &mut apps {
        app.update(Action::ToggleHelp);
        for (width, height) in [(1, 1), (10, 3), (20, 5), (40, 10)] {
            let mut terminal =
                Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
            terminal
                .draw(|frame| app.render(frame))
                .expect("a drawn frame");
        }
    }
}
