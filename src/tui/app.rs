//! The application state beneath the screens: which screens are open, the
//! help popup, and whether to quit. It knows nothing of terminals, so tests
//! drive it with actions and render it into a test backend.

use std::path::PathBuf;
use std::rc::Rc;

use radcohort::study::StudyDb;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;

use super::action::Action;
use super::jobs::JobEvent;
use super::keymap::{self, Context};
use super::screens::building::BuildingScreen;
use super::screens::cohort::CohortScreen;
use super::screens::patient::PatientScreen;
use super::screens::{Component, Outcome};
use super::study::Study;
use super::widgets::help::HelpPopup;

/// An open screen.
#[derive(Debug)]
pub enum Screen {
    /// The sample study is being built.
    Building(BuildingScreen),
    /// The cohort table.
    Cohort(CohortScreen),
    /// One patient.
    Patient(PatientScreen),
}

impl Screen {
    fn component(&self) -> &dyn Component {
        match self {
            Screen::Building(screen) => screen,
            Screen::Cohort(screen) => screen,
            Screen::Patient(screen) => screen,
        }
    }

    fn component_mut(&mut self) -> &mut dyn Component {
        match self {
            Screen::Building(screen) => screen,
            Screen::Cohort(screen) => screen,
            Screen::Patient(screen) => screen,
        }
    }
}

/// The application.
#[derive(Debug)]
pub struct App {
    /// The screen the app started on, which Esc never leaves.
    root: Screen,
    /// Screens opened over the root, the one shown last.
    stack: Vec<Screen>,
    /// The study once it is loaded, shared with the screens that show it.
    study: Option<Rc<Study>>,
    help: Option<HelpPopup>,
    quit: bool,
}

impl App {
    /// The app on the cohort table of a loaded study.
    pub fn with_study(study: Study) -> Self {
        let study = Rc::new(study);
        App {
            root: Screen::Cohort(CohortScreen::new(Rc::clone(&study))),
            stack: Vec::new(),
            study: Some(study),
            help: None,
            quit: false,
        }
    }

    /// The app waiting for the sample study to be built into `folder`; the
    /// build's job reports through [`App::on_job`].
    pub fn building(folder: PathBuf) -> Self {
        App {
            root: Screen::Building(BuildingScreen::new(folder)),
            stack: Vec::new(),
            study: None,
            help: None,
            quit: false,
        }
    }

    /// Whether the user asked to quit.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// The screen shown.
    pub fn screen(&self) -> &Screen {
        self.stack.last().unwrap_or(&self.root)
    }

    fn screen_mut(&mut self) -> &mut Screen {
        match self.stack.last_mut() {
            Some(screen) => screen,
            None => &mut self.root,
        }
    }

    /// Which key table applies now.
    pub fn context(&self) -> Context {
        match &self.help {
            Some(_) => Context::Help,
            None => self.screen().component().context(),
        }
    }

    /// Handles a key press.
    pub fn handle_key(&mut self, key: &KeyEvent) {
        let action = match &self.help {
            Some(_) => keymap::lookup(Context::Help, key),
            None => self.screen().component().handle_key(key),
        };
        if let Some(action) = action {
            self.update(action);
        }
    }

    /// Applies an action: quitting and the help first, then the screen.
    pub fn update(&mut self, action: Action) {
        if action == Action::Quit {
            self.quit = true;
            return;
        }
        if let Some(help) = &mut self.help {
            match action {
                Action::Back | Action::ToggleHelp => self.help = None,
                Action::Down => help.scroll_by(1),
                Action::Up => help.scroll_by(-1),
                _ => {}
            }
            return;
        }
        if action == Action::ToggleHelp {
            self.help = Some(HelpPopup::new(self.context()));
            return;
        }
        match self.screen_mut().component_mut().update(action) {
            Outcome::Stay => {}
            Outcome::Back => self.back(),
            Outcome::OpenPatient(index) => {
                if let Some(study) = &self.study {
                    let screen = PatientScreen::new(Rc::clone(study), index);
                    self.stack.push(Screen::Patient(screen));
                }
            }
        }
    }

    /// Closes the top screen, leaving the cohort on the patient last shown
    /// so that paging through patients is not lost on the way back.
    fn back(&mut self) {
        let Some(closed) = self.stack.pop() else {
            return;
        };
        if let (Screen::Patient(patient), Screen::Cohort(cohort)) = (closed, self.screen_mut()) {
            cohort.select(patient.index());
        }
    }

    /// Applies a background job's report.
    pub fn on_job(&mut self, event: JobEvent) {
        match event {
            JobEvent::SampleProgress(progress) => {
                if let Some(building) = self.building_mut() {
                    building.progress(progress);
                }
            }
            JobEvent::SampleReady(database) => {
                let loaded = StudyDb::open(&database)
                    .map_err(anyhow::Error::from)
                    .and_then(|db| Study::load(&db));
                match loaded {
                    Ok(study) => *self = App::with_study(study),
                    Err(err) => self.build_failed(format!(
                        "The sample study was written but could not be opened: {err}"
                    )),
                }
            }
            JobEvent::SampleFailed(reason) | JobEvent::Panicked(reason) => {
                self.build_failed(reason);
            }
        }
    }

    fn building_mut(&mut self) -> Option<&mut BuildingScreen> {
        match &mut self.root {
            Screen::Building(building) => Some(building),
            _ => None,
        }
    }

    fn build_failed(&mut self, reason: String) {
        if let Some(building) = self.building_mut() {
            building.fail(reason);
        }
    }

    /// Draws the screen shown, and the help over it.
    pub fn render(&self, frame: &mut Frame) {
        let area = frame.area();
        self.screen().component().render(frame, area);
        if let Some(help) = &self.help {
            help.render(frame, area);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use radcohort::sample_study::SampleProgress;
    use radcohort::study::endpoints::EndpointWindows;
    use radcohort::study::model::PatientRecord;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    use super::*;
    use crate::tui::screens::patient::Section;
    use crate::tui::study::Patient;

    /// A study of `count` bare patients, P001 onwards, without a database.
    fn study(count: usize) -> Study {
        let patients = (1..=count)
            .map(|i| {
                let record = PatientRecord::new(&format!("P{i:03}"));
                Patient::new(record, EndpointWindows::default(), Path::new("."))
            })
            .collect();
        Study {
            name: "Test".to_owned(),
            source: "study.db".to_owned(),
            dictionary: Vec::new(),
            patients,
        }
    }

    fn cohort_selection(app: &App) -> usize {
        match app.screen() {
            Screen::Cohort(cohort) => cohort.selected(),
            other => panic!("expected the cohort, found {other:?}"),
        }
    }

    fn patient_screen(app: &App) -> &PatientScreen {
        match app.screen() {
            Screen::Patient(patient) => patient,
            other => panic!("expected a patient, found {other:?}"),
        }
    }

    fn press(app: &mut App, code: KeyCode) {
        app.handle_key(&KeyEvent::new(code, KeyModifiers::NONE));
    }

    #[test]
    fn navigation_stops_at_both_ends() {
        let mut app = App::with_study(study(3));
        app.update(Action::Up);
        assert_eq!(cohort_selection(&app), 0);
        for _ in 0..5 {
            app.update(Action::Down);
        }
        assert_eq!(cohort_selection(&app), 2);
        app.update(Action::First);
        assert_eq!(cohort_selection(&app), 0);
        app.update(Action::Last);
        assert_eq!(cohort_selection(&app), 2);
        app.update(Action::PageUp);
        assert_eq!(cohort_selection(&app), 0);
        app.update(Action::PageDown);
        assert_eq!(cohort_selection(&app), 2);
    }

    #[test]
    fn keys_move_the_selection() {
        let mut app = App::with_study(study(30));
        press(&mut app, KeyCode::Char('j'));
        press(&mut app, KeyCode::Down);
        assert_eq!(cohort_selection(&app), 2);
        press(&mut app, KeyCode::Char('k'));
        assert_eq!(cohort_selection(&app), 1);
        app.handle_key(&KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT));
        assert_eq!(cohort_selection(&app), 29);
        press(&mut app, KeyCode::Char('g'));
        assert_eq!(cohort_selection(&app), 0);
        press(&mut app, KeyCode::PageDown);
        assert_eq!(cohort_selection(&app), 10, "one default page");
    }

    #[test]
    fn enter_opens_the_selected_patient_and_esc_returns() {
        let mut app = App::with_study(study(5));
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Enter);
        assert_eq!(patient_screen(&app).index(), 1);
        assert_eq!(app.context(), Context::Patient);
        press(&mut app, KeyCode::Esc);
        assert_eq!(cohort_selection(&app), 1);
        press(&mut app, KeyCode::Esc);
        assert_eq!(cohort_selection(&app), 1, "Esc on the cohort stays");
        assert!(!app.should_quit());
    }

    #[test]
    fn paging_through_patients_carries_back_to_the_cohort() {
        let mut app = App::with_study(study(3));
        app.update(Action::Open);
        press(&mut app, KeyCode::Char(']'));
        press(&mut app, KeyCode::Char('n'));
        press(&mut app, KeyCode::Char('n'));
        assert_eq!(patient_screen(&app).index(), 2, "stops at the last");
        press(&mut app, KeyCode::Char('p'));
        assert_eq!(patient_screen(&app).index(), 1);
        app.update(Action::Back);
        assert_eq!(cohort_selection(&app), 1);
    }

    #[test]
    fn sections_switch_by_tab_and_number_and_reset_the_scroll() {
        let mut app = App::with_study(study(1));
        app.update(Action::Open);
        press(&mut app, KeyCode::Tab);
        assert_eq!(patient_screen(&app).section(), Section::Timeline);
        press(&mut app, KeyCode::BackTab);
        press(&mut app, KeyCode::BackTab);
        assert_eq!(patient_screen(&app).section(), Section::Imaging);
        press(&mut app, KeyCode::Char('1'));
        assert_eq!(patient_screen(&app).section(), Section::Clinical);
        app.update(Action::Section(7));
        assert_eq!(patient_screen(&app).section(), Section::Clinical);
    }

    #[test]
    fn scrolling_a_section_stays_within_its_lines() {
        let mut app = App::with_study(study(1));
        app.update(Action::Open);
        app.update(Action::Up);
        assert_eq!(patient_screen(&app).scroll(), 0);
        for _ in 0..100 {
            app.update(Action::Down);
        }
        let bottom = patient_screen(&app).scroll();
        assert!(bottom > 0 && bottom < 100, "{bottom}");
        app.update(Action::Last);
        assert_eq!(patient_screen(&app).scroll(), bottom);
        app.update(Action::Section(1));
        assert_eq!(patient_screen(&app).scroll(), 0);
    }

    #[test]
    fn question_mark_toggles_the_help_which_takes_the_keys() {
        let mut app = App::with_study(study(5));
        press(&mut app, KeyCode::Char('?'));
        assert_eq!(app.context(), Context::Help);
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.context(), Context::Help);
        press(&mut app, KeyCode::Char('?'));
        assert_eq!(app.context(), Context::Cohort);
        assert_eq!(cohort_selection(&app), 0, "keys under the help did nothing");
        app.update(Action::ToggleHelp);
        app.update(Action::ToggleHelp);
        assert_eq!(app.context(), Context::Cohort);
    }

    #[test]
    fn esc_closes_the_help_before_leaving_the_view() {
        let mut app = App::with_study(study(2));
        app.update(Action::Open);
        press(&mut app, KeyCode::Char('?'));
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.context(), Context::Patient);
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.context(), Context::Cohort);
    }

    #[test]
    fn q_quits_from_anywhere() {
        let open_help = |app: &mut App| app.update(Action::ToggleHelp);
        let open_patient = |app: &mut App| app.update(Action::Open);
        let setups: [&dyn Fn(&mut App); 3] = [&|_| {}, &open_help, &open_patient];
        for setup in setups {
            let mut app = App::with_study(study(2));
            setup(&mut app);
            press(&mut app, KeyCode::Char('q'));
            assert!(app.should_quit());
        }
        let mut app = App::building("/sample".into());
        app.handle_key(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert!(app.should_quit());
    }

    #[test]
    fn an_empty_study_opens_nothing() {
        let mut app = App::with_study(study(0));
        for action in [Action::Down, Action::Last, Action::PageDown, Action::Open] {
            app.update(action);
        }
        assert_eq!(app.context(), Context::Cohort);
        assert_eq!(cohort_selection(&app), 0);
    }

    #[test]
    fn a_failed_build_stays_on_screen_until_quit() {
        let mut app = App::building("/sample".into());
        app.on_job(JobEvent::SampleProgress(SampleProgress {
            stage: "writing images",
            done: 1,
            total: 2,
        }));
        app.on_job(JobEvent::SampleFailed("disk full".to_owned()));
        assert_eq!(app.context(), Context::Building);
        app.update(Action::Back);
        assert!(!app.should_quit());
        assert_eq!(app.context(), Context::Building);
    }

    #[test]
    fn a_finished_build_opens_the_cohort() {
        let (_dir, db) = crate::tui::fixture::populated();
        let mut app = App::building(db.folder());
        app.on_job(JobEvent::SampleReady(db.path().to_owned()));
        assert_eq!(app.context(), Context::Cohort);
        assert_eq!(cohort_selection(&app), 0);
    }

    #[test]
    fn a_build_whose_database_will_not_open_says_so() {
        let mut app = App::building("/sample".into());
        app.on_job(JobEvent::SampleReady("/nonexistent/study.db".into()));
        assert_eq!(app.context(), Context::Building);
        match &app.root {
            Screen::Building(screen) => {
                assert!(format!("{screen:?}").contains("could not be opened"))
            }
            other => panic!("expected the building screen, found {other:?}"),
        }
    }
}
