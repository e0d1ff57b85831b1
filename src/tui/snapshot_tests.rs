//! What the screens look like at 80×24, the size of a default terminal
//! over SSH. Each snapshot is the screen's text, checked in under
//! `snapshots/`; a change to a screen shows up as a reviewable diff.

use std::path::{Path, PathBuf};

use insta::assert_snapshot;
use radcohort::sample_study::SampleProgress;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::action::Action;
use super::app::App;
use super::fixture;
use super::jobs::JobEvent;
use super::keymap::View;

fn draw(app: &App) -> Terminal<TestBackend> {
    draw_at(app, 80, 24)
}

fn draw_at(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    terminal
        .draw(|frame| app.render(frame))
        .expect("a drawn frame");
    terminal
}

/// An app with the temporary folder of its database, which must outlive
/// it: views read the database as they open.
struct TestApp {
    app: App,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for TestApp {
    type Target = App;

    fn deref(&self) -> &App {
        &self.app
    }
}

impl std::ops::DerefMut for TestApp {
    fn deref_mut(&mut self) -> &mut App {
        &mut self.app
    }
}

fn test_app((dir, db): (tempfile::TempDir, radcohort::study::StudyDb)) -> TestApp {
    TestApp {
        app: App::with_study(fixture::load(&db), fixture::session(&db)),
        _dir: dir,
    }
}

fn populated_app() -> TestApp {
    test_app(fixture::populated())
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
        colours: crate::tui::widgets::slice_view::ColourDepth::Basic16,
        log: None,
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
    let cohort = populated_app();
    let mut patient = populated_app();
    patient.update(Action::Open);
    patient.update(Action::Section(2));
    let mut viewer = populated_app();
    viewer.update(Action::Open);
    viewer.update(Action::Section(2));
    viewer.update(Action::Edit);
    let mut survival = scored_app();
    survival.update(Action::View(View::Survival));
    let mut chemo = scored_app();
    chemo.update(Action::View(View::Chemo));
    let mut failed = building_app();
    failed.on_job(JobEvent::SampleFailed("disk full".to_owned()));
    let mut apps = [cohort, patient, viewer, survival, chemo];
    let mut others = [building_app(), failed];
    let all = apps.iter_mut().map(|a| &mut a.app).chain(others.iter_mut());
    for app in all {
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

fn scored_app() -> TestApp {
    test_app(fixture::scored_sample())
}

/// Snapshots a view of the scored sample study at 80×24 and 120×40.
fn both_sizes(name: &str, setup: &dyn Fn(&mut TestApp)) {
    both_sizes_with(name, &|_| {}, setup);
}

/// Snapshots a view of the scored sample study at 80×24 and 120×40, after
/// `prepare` has put files in the study folder. The folder outlives the
/// setup, for views that read the database or the folder on a key.
fn both_sizes_with(name: &str, prepare: &dyn Fn(&Path), setup: &dyn Fn(&mut TestApp)) {
    let (dir, db) = fixture::scored_sample();
    prepare(dir.path());
    let mut app = test_app((dir, db));
    setup(&mut app);
    for (width, height) in [(80, 24), (120, 40)] {
        let terminal = draw_at(&app, width, height);
        assert_snapshot!(format!("{name}_{width}x{height}"), terminal.backend());
    }
}

#[test]
fn sample_cohort() {
    both_sizes("sample_cohort", &|_| {});
}

#[test]
fn sample_cohort_filtered() {
    both_sizes("sample_cohort_filtered", &|app| {
        app.update(Action::Filter);
        for c in "cohort = validation and ca19_9 > 37 and risk = high".chars() {
            app.handle_key(&ratatui::crossterm::event::KeyEvent::from(
                ratatui::crossterm::event::KeyCode::Char(c),
            ));
        }
        app.update(Action::Accept);
    });
}

#[test]
fn filter_with_an_error() {
    both_sizes("filter_with_an_error", &|app| {
        app.update(Action::Filter);
        for c in "ca199 > 37".chars() {
            app.handle_key(&ratatui::crossterm::event::KeyEvent::from(
                ratatui::crossterm::event::KeyCode::Char(c),
            ));
        }
        app.update(Action::Accept);
    });
}

#[test]
fn survival_by_risk_group() {
    both_sizes("survival_by_risk_group", &|app| {
        app.update(Action::View(View::Survival))
    });
}

#[test]
fn survival_os_by_chemotherapy_validation() {
    both_sizes("survival_os_by_chemotherapy_validation", &|app| {
        app.update(Action::View(View::Survival));
        app.update(Action::ToggleEndpoint);
        app.update(Action::NextGrouping);
        app.update(Action::NextCohort);
        app.update(Action::NextCohort);
    });
}

#[test]
fn chemo_benefit() {
    both_sizes("chemo_benefit", &|app| {
        app.update(Action::View(View::Chemo))
    });
}

#[test]
fn survival_and_chemo_before_scoring() {
    let mut app = populated_app();
    app.update(Action::View(View::Survival));
    assert_snapshot!("survival_unscored", draw(&app).backend());
    app.update(Action::View(View::Chemo));
    assert_snapshot!("chemo_unscored", draw(&app).backend());
}

#[test]
fn jobs_empty_and_menu() {
    both_sizes("jobs_empty", &|app| app.update(Action::View(View::Jobs)));
    both_sizes("jobs_menu", &|app| {
        app.update(Action::View(View::Jobs));
        app.update(Action::NewJob);
    });
    // Training (the first entry here) asks for the model and options.
    both_sizes("jobs_train_form", &|app| {
        app.update(Action::View(View::Jobs));
        app.update(Action::NewJob);
        app.update(Action::Accept);
    });
}

#[test]
fn jobs_running_and_finished() {
    use super::jobs::{JobEvent, JobProgress, JobResult};
    both_sizes("jobs_progress", &|app| {
        // A session without a channel cannot start a thread, so the jobs
        // are registered by hand and fed reports as a thread would send.
        app.register_job_for_test(super::jobs::JobSpec::Train {
            out: "signature.json".into(),
            options: Box::default(),
        });
        app.register_job_for_test(super::jobs::JobSpec::Extract {
            params: "params_default.yaml".into(),
            kind: radcohort::study::model::SeriesKind::Dwi,
            b_value: Some(800.0),
        });
        app.on_job(JobEvent::Finished(
            1,
            Ok(JobResult {
                summary: "Radiomic signature (a1b2c3): 4 features".to_owned(),
                errors: vec![("ICC017".to_owned(), "mask is empty".to_owned())],
                cancelled: false,
            }),
        ));
        app.on_job(JobEvent::Progress(
            2,
            JobProgress {
                done: 48,
                total: 124,
                failed: 1,
                eta: Some(std::time::Duration::from_secs(75)),
                last: Some("ICC048".to_owned()),
            },
        ));
        app.update(Action::Up);
    });
}

#[test]
fn edit_input_and_confirmation() {
    let mut app = populated_app();
    app.update(Action::Open);
    for _ in 0..6 {
        app.update(Action::Down);
    }
    app.update(Action::Edit);
    app.handle_key(&ratatui::crossterm::event::KeyEvent::from(
        ratatui::crossterm::event::KeyCode::Char('x'),
    ));
    app.update(Action::Accept);
    assert_snapshot!("edit_refused", draw(&app).backend());
    app.handle_key(&ratatui::crossterm::event::KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Char('u'),
        ratatui::crossterm::event::KeyModifiers::CONTROL,
    ));
    for c in "41".chars() {
        app.handle_key(&ratatui::crossterm::event::KeyEvent::from(
            ratatui::crossterm::event::KeyCode::Char(c),
        ));
    }
    app.update(Action::Accept);
    assert_snapshot!("edit_staged", draw(&app).backend());
    app.update(Action::Write);
    assert_snapshot!("write_confirmation", draw(&app).backend());
}

#[test]
fn help_over_survival() {
    let mut app = scored_app();
    app.update(Action::View(View::Survival));
    app.update(Action::ToggleHelp);
    assert_snapshot!(draw(&app).backend());
}

/// The populated study after an extraction of its DWI b=800 series, whose
/// only case has a one-voxel mask.
fn extracted_app() -> TestApp {
    use radcohort::extraction::{ExtractionRequest, SeriesSelection, extract_cohort};
    use radcohort::radiomics::params::Params;
    use std::sync::atomic::AtomicBool;
    let (dir, mut db) = fixture::populated();
    let source = "setting:\n  binWidth: 25\n";
    let request = ExtractionRequest {
        params: Params::from_yaml(source, "params.yaml", &[]).expect("parameters"),
        params_source: source.to_owned(),
        selection: SeriesSelection {
            kind: radcohort::study::model::SeriesKind::Dwi,
            b_value: Some(800.0),
            mask_series: None,
        },
        patients: None,
        jobs: 1,
    };
    extract_cohort(
        &mut db,
        &request,
        &fixture::actor(),
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("an extraction run");
    test_app((dir, db))
}

#[test]
fn patient_features_scores_and_history() {
    let mut app = extracted_app();
    app.update(Action::Open);
    app.update(Action::Section(3));
    assert_snapshot!("patient_features", draw(&app).backend());
    app.update(Action::Section(5));
    assert_snapshot!("patient_history", draw(&app).backend());
    let mut scored = scored_app();
    scored.update(Action::Open);
    scored.update(Action::Section(4));
    assert_snapshot!("patient_scores", draw(&scored).backend());
}

#[test]
fn slice_viewer() {
    let mut app = populated_app();
    app.update(Action::Open);
    app.update(Action::Section(2));
    app.update(Action::Down);
    app.update(Action::Edit);
    assert_snapshot!("slice_viewer", draw(&app).backend());
    app.update(Action::ToggleHelp);
    assert_snapshot!("help_over_slice_viewer", draw(&app).backend());
}

#[test]
fn timeline_menu_and_form() {
    let mut app = populated_app();
    app.update(Action::Open);
    app.update(Action::AddEntry);
    assert_snapshot!("timeline_add_menu", draw(&app).backend());
    app.update(Action::Down);
    app.update(Action::Accept);
    assert_snapshot!("timeline_chemo_form", draw(&app).backend());
}

// The quality, signature, tables and audit views.

/// Types `text` into the prompt or input open.
fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle_key(&ratatui::crossterm::event::KeyEvent::from(
            ratatui::crossterm::event::KeyCode::Char(c),
        ));
    }
}

#[test]
fn quality() {
    both_sizes("quality", &|app| app.update(Action::View(View::Quality)));
}

#[test]
fn quality_of_the_small_study() {
    let mut app = populated_app();
    app.update(Action::View(View::Quality));
    assert_snapshot!("quality_populated", draw(&app).backend());
    assert_snapshot!("quality_populated_120x40", draw_at(&app, 120, 40).backend());
    app.update(Action::NextKind);
    app.update(Action::NextKind);
    assert_snapshot!("quality_populated_one_kind", draw(&app).backend());
    app.update(Action::ToggleHelp);
    assert_snapshot!("help_over_quality", draw(&app).backend());
}

#[test]
fn signature_stored_without_a_file() {
    both_sizes("signature", &|app| {
        app.update(Action::View(View::Signature))
    });
}

/// A trained-looking signature file with a forest-free logistic model and
/// full provenance, not stored in the study.
const TRAINED: &str = r#"{
  "format": "radcohort-signature/1",
  "name": "DWI radiomic signature",
  "model": "logistic",
  "inputs": [
    {"source": {"feature": {"series": "dwi b=800", "name": "original_glcm_Contrast"}},
     "center": 12.3, "scale": 4.5},
    {"source": {"feature": {"series": "dwi b=800", "name": "wavelet-LLH_firstorder_Mean"}},
     "log": true, "center": 1.5, "scale": 0.25},
    {"source": {"variable": {"name": "differentiation", "level": "poor"}}}
  ],
  "intercept": -0.2,
  "coefficients": [0.8, -0.35, 1.1],
  "cutoff": {"value": -0.1, "method": "youden", "chosen_on": "training cohort, 87 patients"},
  "provenance": {"method": "LASSO logistic, 10-fold CV, λ.1se", "outcome": "early_recurrence",
                 "training_cohort": "training", "training_patients": 87, "training_events": 40,
                 "seed": 42, "lambda": 0.0375, "created": "2026-11-27", "tool": "radcohort 0.1.0"}
}"#;

/// Puts a signature file and a file that is not a signature in `folder`.
fn signature_files(folder: &Path) {
    std::fs::write(folder.join("dwi_signature.json"), TRAINED).expect("a signature file");
    std::fs::write(folder.join("notes.json"), "{\"todo\": 1}").expect("a JSON file");
}

#[test]
fn signature_files_in_the_folder() {
    both_sizes_with("signature_file", &signature_files, &|app| {
        app.update(Action::View(View::Signature));
        app.update(Action::Down);
    });
    both_sizes_with("signature_unreadable_file", &signature_files, &|app| {
        app.update(Action::View(View::Signature));
        app.update(Action::Last);
    });
}

#[test]
fn tables() {
    both_sizes("tables_table1", &|app| {
        app.update(Action::View(View::Tables))
    });
    both_sizes("tables_table1_by_risk_scrolled", &|app| {
        app.update(Action::View(View::Tables));
        app.update(Action::NextSection);
        app.update(Action::ScrollRight);
        // Drawing first tells the view its height, which bounds the scroll.
        draw_at(app, 80, 24);
        app.update(Action::PageDown);
    });
    both_sizes("tables_survival", &|app| {
        app.update(Action::View(View::Tables));
        app.update(Action::NextSection);
        app.update(Action::NextSection);
    });
    both_sizes("tables_chemo", &|app| {
        app.update(Action::View(View::Tables));
        app.update(Action::PrevSection);
    });
}

#[test]
fn tables_export_prompts() {
    both_sizes("tables_export_prompt", &|app| {
        app.update(Action::View(View::Tables));
        app.update(Action::Export);
    });
    both_sizes("tables_export_refused", &|app| {
        app.update(Action::View(View::Tables));
        app.update(Action::Export);
        app.handle_key(&ratatui::crossterm::event::KeyEvent::new(
            ratatui::crossterm::event::KeyCode::Char('u'),
            ratatui::crossterm::event::KeyModifiers::CONTROL,
        ));
        type_text(app, "table1.xlsx");
        app.update(Action::Accept);
    });
}

#[test]
fn tables_before_scoring() {
    let mut app = populated_app();
    app.update(Action::View(View::Tables));
    assert_snapshot!("tables_unscored", draw(&app).backend());
}

#[test]
fn audit() {
    both_sizes("audit", &|app| app.update(Action::View(View::Audit)));
    both_sizes("audit_filter_prompt", &|app| {
        app.update(Action::View(View::Audit));
        app.update(Action::Filter);
        type_text(app, "icc002");
    });
    both_sizes("audit_filtered", &|app| {
        app.update(Action::View(View::Audit));
        app.update(Action::Filter);
        type_text(app, "icc002");
        app.update(Action::Accept);
        app.update(Action::Down);
    });
}

#[test]
fn new_views_in_tiny_terminals_do_not_panic() {
    let (_dir, db) = fixture::scored_sample();
    let mut app = App::with_study(fixture::load(&db), fixture::session(&db));
    for view in [View::Quality, View::Signature, View::Tables, View::Audit] {
        app.update(Action::View(view));
        for (width, height) in [(1, 1), (10, 3), (20, 5), (40, 10)] {
            draw_at(&app, width, height);
        }
    }
}

/// What a snapshot does to the app before drawing it.
type Setup = dyn Fn(&mut TestApp);

/// The patient's sections, the popups and the help at 120×40, the larger
/// size the screens are checked at beside 80×24 (where the tests above
/// check them).
#[test]
fn patient_views_and_popups_at_120x40() {
    let setups: [(&str, &Setup); 12] = [
        ("patient_clinical", &|app| app.update(Action::Open)),
        ("patient_timeline", &|app| {
            app.update(Action::Open);
            app.update(Action::Section(1));
        }),
        ("patient_imaging", &|app| {
            app.update(Action::Open);
            app.update(Action::Section(2));
        }),
        ("patient_history", &|app| {
            app.update(Action::Open);
            app.update(Action::Section(5));
        }),
        ("slice_viewer", &|app| {
            app.update(Action::Open);
            app.update(Action::Section(2));
            app.update(Action::Down);
            app.update(Action::Edit);
        }),
        ("edit_input", &|app| {
            app.update(Action::Open);
            for _ in 0..6 {
                app.update(Action::Down);
            }
            app.update(Action::Edit);
        }),
        ("write_confirmation", &|app| {
            app.update(Action::Open);
            for _ in 0..6 {
                app.update(Action::Down);
            }
            app.update(Action::Edit);
            app.handle_key(&ratatui::crossterm::event::KeyEvent::from(
                ratatui::crossterm::event::KeyCode::Char('1'),
            ));
            app.update(Action::Accept);
            app.update(Action::Write);
        }),
        ("timeline_chemo_form", &|app| {
            app.update(Action::Open);
            app.update(Action::AddEntry);
            app.update(Action::Down);
            app.update(Action::Accept);
        }),
        ("help_over_cohort", &|app| app.update(Action::ToggleHelp)),
        ("help_over_patient", &|app| {
            app.update(Action::Open);
            app.update(Action::ToggleHelp);
        }),
        ("palette", &|app| {
            app.update(Action::Palette);
            app.handle_key(&ratatui::crossterm::event::KeyEvent::from(
                ratatui::crossterm::event::KeyCode::Char('v'),
            ));
        }),
        ("error_history", &|app| app.update(Action::ErrorHistory)),
    ];
    for (name, setup) in setups {
        let mut app = populated_app();
        setup(&mut app);
        assert_snapshot!(format!("{name}_120x40"), draw_at(&app, 120, 40).backend());
    }
}

/// The cohort's popups (column chooser, frequencies), the question before
/// quitting with staged changes and the timeline's menu, at both sizes.
#[test]
fn remaining_popups_at_both_sizes() {
    let setups: [(&str, &Setup); 4] = [
        ("column_chooser", &|app| app.update(Action::ChooseColumns)),
        ("frequencies", &|app| {
            app.update(Action::NextColumn);
            app.update(Action::Frequencies);
        }),
        ("quit_with_staged_changes", &|app| {
            app.update(Action::Open);
            app.update(Action::Edit);
            app.handle_key(&ratatui::crossterm::event::KeyEvent::from(
                ratatui::crossterm::event::KeyCode::Backspace,
            ));
            app.update(Action::Accept);
            app.update(Action::Quit);
        }),
        ("timeline_add_menu", &|app| {
            app.update(Action::Open);
            app.update(Action::AddEntry);
        }),
    ];
    for (name, setup) in setups {
        let mut app = populated_app();
        setup(&mut app);
        for (width, height) in [(80, 24), (120, 40)] {
            let name = format!("{name}_{width}x{height}");
            assert_snapshot!(name, draw_at(&app, width, height).backend());
        }
    }
}
