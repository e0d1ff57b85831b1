//! The application state beneath the screens: the study, the top-level
//! views and the patient opened over them, the popup, the status line and
//! the error history, and the jobs in flight. It knows nothing of
//! terminals, so tests drive it with keys and actions and render it into a
//! test backend.
//!
//! Everything that changes the database happens here, on the UI thread for
//! an edit (one small transaction) and on a job's thread for anything long.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;

use radcohort::study::edit::Field;
use radcohort::study::model::PatientRecord;
use radcohort::study::{Actor, SaveError, StudyDb};
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Clear, Paragraph, Tabs};

use super::action::Action;
use super::event::Event;
use super::jobs::{self, JobEvent, JobSpec};
use super::keymap::{self, Context, View};
use super::palette;
use super::screens::building::BuildingScreen;
use super::screens::chemo::ChemoScreen;
use super::screens::cohort::CohortScreen;
use super::screens::columns::Column;
use super::screens::jobs::JobsScreen;
use super::screens::patient::{PatientScreen, plural};
use super::screens::survival::SurvivalScreen;
use super::screens::{Component, Outcome};
// The quality, signature, tables and audit views.
use super::screens::audit::AuditScreen;
use super::screens::quality::QualityScreen;
use super::screens::signature::SignatureScreen;
use super::screens::tables::TablesScreen;
use super::study::Study;
use super::train_form;
use super::widgets::form::Form;
use super::widgets::help::HelpPopup;
use super::widgets::popup::{Confirm, Menu, Message, TextInput};
use super::widgets::slice_view::ColourDepth;

/// How the app was started: which database, who is editing, whether
/// writing is allowed, and where jobs report.
#[derive(Debug, Clone)]
pub struct Session {
    /// The study database.
    pub database: PathBuf,
    /// Refuse every change (`--read-only`, for analysts).
    pub read_only: bool,
    /// The user named in audit rows.
    pub user: String,
    /// Where background jobs send their reports; without it no job can
    /// start.
    pub events: Option<Sender<Event>>,
    /// The colours the terminal shows, for images.
    pub colours: ColourDepth,
    /// Where the session's log goes, if anywhere.
    pub log: Option<PathBuf>,
}

impl Session {
    /// The user and time for one set of changes.
    fn actor(&self) -> Actor {
        Actor::new(&self.user, chrono::Utc::now())
    }
}

/// A write that can be undone: the record before and as stored after.
#[derive(Debug, Clone)]
struct Written {
    before: PatientRecord,
    after: PatientRecord,
    changes: usize,
}

/// What a yes to a question does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Write,
    Undo,
    Quit,
}

/// The popup over the screen, which takes the keys while open.
#[derive(Debug)]
enum Popup {
    Help(HelpPopup),
    Confirm(Confirm, Pending),
    Message(Message),
    JobMenu(Menu, Vec<JobSpec>),
    Input(TextInput, Field),
    /// Text a screen asked for; the answer goes back to it.
    Prompt(TextInput),
    /// The cohort's columns, each shown or hidden with Enter.
    Columns(Menu, Vec<Column>),
    /// A choice a screen offered; the index goes back to it.
    Choice(Menu),
    /// A form a screen opened; the values go back to it.
    Form(Form),
    /// The training form of the jobs menu; its values start a job.
    TrainForm(Form),
    /// The command palette.
    Palette(TextInput),
}

impl Popup {
    fn context(&self) -> Context {
        match self {
            Popup::Help(_) => Context::Help,
            Popup::Confirm(..) => Context::Confirm,
            Popup::Message(_) => Context::Message,
            Popup::JobMenu(..) | Popup::Columns(..) | Popup::Choice(_) => Context::Menu,
            Popup::Input(..)
            | Popup::Prompt(_)
            | Popup::Form(_)
            | Popup::TrainForm(_)
            | Popup::Palette(_) => Context::Input,
        }
    }
}

/// The views of a loaded study.
#[derive(Debug)]
struct Views {
    study: Study,
    cohort: CohortScreen,
    jobs: JobsScreen,
    /// The views other than the cohort and the jobs.
    others: Vec<(View, Box<dyn Component>)>,
    /// The top-level view shown.
    view: View,
    /// The patient opened over the cohort.
    patient: Option<PatientScreen>,
    /// Writes of this session, the last undone first.
    written: Vec<Written>,
}

impl Views {
    fn new(study: Study) -> Self {
        Views {
            cohort: CohortScreen::new(&study),
            jobs: JobsScreen::default(),
            others: vec![
                (View::Survival, Box::new(SurvivalScreen::new(&study))),
                (View::Chemo, Box::new(ChemoScreen::new(&study))),
                (View::Quality, Box::new(QualityScreen::new(&study))),
                (View::Signature, Box::new(SignatureScreen::new(&study))),
                (View::Tables, Box::new(TablesScreen::new(&study))),
                (View::Audit, Box::new(AuditScreen::new(&study))),
            ],
            study,
            view: View::Cohort,
            patient: None,
            written: Vec::new(),
        }
    }

    fn screen(&self) -> &dyn Component {
        if let Some(patient) = &self.patient {
            return patient;
        }
        match self.view {
            View::Cohort => &self.cohort,
            View::Jobs => &self.jobs,
            view => self
                .others
                .iter()
                .find(|(v, _)| *v == view)
                .map_or(&self.cohort as &dyn Component, |(_, screen)| {
                    screen.as_ref()
                }),
        }
    }

    /// The screen that has the keys, to update.
    fn screen_mut(&mut self) -> &mut dyn Component {
        if let Some(patient) = &mut self.patient {
            return patient;
        }
        let view = self.view;
        match view {
            View::Cohort => &mut self.cohort,
            View::Jobs => &mut self.jobs,
            _ => match self.others.iter_mut().find(|(v, _)| *v == view) {
                Some((_, screen)) => screen.as_mut(),
                None => &mut self.cohort,
            },
        }
    }

    /// Calls `f` with the screen that has the keys and the study.
    fn with_screen<T>(&mut self, f: impl FnOnce(&mut dyn Component, &Study) -> T) -> T {
        // The study is moved out for the call so that the screen can be
        // borrowed mutably beside it.
        let study = std::mem::take(&mut self.study);
        let result = f(self.screen_mut(), &study);
        self.study = study;
        result
    }

    /// Applies an action to the screen that has the keys.
    fn update(&mut self, action: Action) -> Outcome {
        self.with_screen(|screen, study| screen.update(action, study))
    }

    /// Gives the screen that has the keys the text it asked for.
    fn answer(&mut self, text: &str) -> Result<Outcome, String> {
        self.with_screen(|screen, study| screen.answer(text, study))
    }

    /// Shows a top-level view, letting its screen read again what it
    /// shows from outside the study in memory.
    fn show(&mut self, view: View) {
        self.view = view;
        let study = std::mem::take(&mut self.study);
        self.screen_mut().shown(&study);
        self.study = study;
    }

    /// Tells every screen the study changed.
    fn study_changed(&mut self) {
        let study = &self.study;
        self.cohort.study_changed(study);
        self.jobs.study_changed(study);
        for (_, screen) in &mut self.others {
            screen.study_changed(study);
        }
        if let Some(patient) = &mut self.patient {
            patient.study_changed(study);
        }
        // Views work out what they show when shown; the one in sight must
        // do so now.
        if self.patient.is_none() {
            self.show(self.view);
        }
    }
}

#[derive(Debug)]
enum Phase {
    /// The sample study is being built.
    Building(BuildingScreen),
    /// A study is open.
    Ready(Box<Views>),
}

/// A line for the status bar until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Note {
    text: String,
    error: bool,
}

/// The application.
#[derive(Debug)]
pub struct App {
    session: Session,
    phase: Phase,
    popup: Option<Popup>,
    note: Option<Note>,
    /// Every error shown this session, oldest first.
    errors: Vec<String>,
    next_job: usize,
    quit: bool,
}

impl App {
    /// The app on the cohort table of a loaded study.
    pub fn with_study(mut study: Study, session: Session) -> Self {
        study.read_only = session.read_only;
        App {
            session,
            phase: Phase::Ready(Box::new(Views::new(study))),
            popup: None,
            note: None,
            errors: Vec::new(),
            next_job: 1,
            quit: false,
        }
    }

    /// The app waiting for the sample study to be built into `folder`; the
    /// build's job reports through [`App::on_job`].
    pub fn building(folder: PathBuf, session: Session) -> Self {
        App {
            session,
            phase: Phase::Building(BuildingScreen::new(folder)),
            popup: None,
            note: None,
            errors: Vec::new(),
            next_job: 1,
            quit: false,
        }
    }

    /// Whether the user asked to quit.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// The loaded study, if any.
    #[cfg(test)]
    pub fn study(&self) -> Option<&Study> {
        match &self.phase {
            Phase::Ready(views) => Some(&views.study),
            Phase::Building(_) => None,
        }
    }

    /// Which key table applies now.
    pub fn context(&self) -> Context {
        if let Some(popup) = &self.popup {
            return popup.context();
        }
        match &self.phase {
            Phase::Building(screen) => screen.context(),
            Phase::Ready(views) => views.screen().context(),
        }
    }

    /// The cohort screen, for tests.
    #[cfg(test)]
    pub fn cohort(&self) -> Option<&CohortScreen> {
        match &self.phase {
            Phase::Ready(views) => Some(&views.cohort),
            Phase::Building(_) => None,
        }
    }

    /// The patient shown, for tests.
    #[cfg(test)]
    pub fn patient(&self) -> Option<&PatientScreen> {
        match &self.phase {
            Phase::Ready(views) => views.patient.as_ref(),
            Phase::Building(_) => None,
        }
    }

    /// The jobs screen, for tests.
    #[cfg(test)]
    pub fn jobs(&self) -> Option<&JobsScreen> {
        match &self.phase {
            Phase::Ready(views) => Some(&views.jobs),
            Phase::Building(_) => None,
        }
    }

    /// The status-line note, for tests.
    #[cfg(test)]
    pub fn note(&self) -> Option<&str> {
        self.note.as_ref().map(|note| note.text.as_str())
    }

    /// The text typed in the open input, prompt or palette, for tests.
    #[cfg(test)]
    pub fn input(&self) -> Option<&TextInput> {
        match &self.popup {
            Some(Popup::Input(input, _) | Popup::Prompt(input) | Popup::Palette(input)) => {
                Some(input)
            }
            _ => None,
        }
    }

    /// Handles a key press: a text input takes what it can type, then the
    /// keymap of the context decides.
    pub fn handle_key(&mut self, key: &KeyEvent) {
        self.note = None;
        let context = self.context();
        let action = match (&mut self.popup, context) {
            (Some(Popup::Input(input, _) | Popup::Prompt(input)), Context::Input) => {
                match keymap::lookup(Context::Input, key) {
                    Some(action) => Some(action),
                    None => {
                        input.key(key);
                        None
                    }
                }
            }
            (Some(Popup::Palette(input)), Context::Input) => {
                match keymap::lookup(Context::Input, key) {
                    Some(action) => Some(action),
                    None => {
                        if let Phase::Ready(views) = &self.phase {
                            palette_key(input, key, &views.study);
                        }
                        None
                    }
                }
            }
            (Some(Popup::Form(form) | Popup::TrainForm(form)), Context::Input) => {
                match keymap::lookup(Context::Input, key) {
                    Some(action) => Some(action),
                    None => {
                        form.key(key);
                        None
                    }
                }
            }
            (Some(_), context) => keymap::lookup(context, key),
            (None, _) => match &self.phase {
                Phase::Building(screen) => keymap::lookup(screen.context(), key),
                Phase::Ready(views) => views.screen().handle_key(key),
            },
        };
        if let Some(action) = action {
            self.update(action);
        }
    }

    /// Applies an action: quitting first, then the popup, then the app's
    /// own keys, then the screen.
    pub fn update(&mut self, action: Action) {
        if action == Action::Quit {
            self.ask_to_quit();
            return;
        }
        if let Some(popup) = self.popup.take() {
            self.popup_action(popup, action);
            return;
        }
        match action {
            Action::ToggleHelp => {
                self.popup = Some(Popup::Help(HelpPopup::new(self.context())));
                return;
            }
            Action::Palette => {
                let input = TextInput::new("Command", palette::summary(), "").accepting("runs");
                self.popup = Some(Popup::Palette(input));
                return;
            }
            Action::ErrorHistory => {
                let lines = if self.errors.is_empty() {
                    vec!["No errors so far.".to_owned()]
                } else {
                    self.errors.clone()
                };
                self.popup = Some(Popup::Message(Message::new("Errors", lines, false)));
                return;
            }
            _ => {}
        }
        let Phase::Ready(views) = &mut self.phase else {
            return;
        };
        if let Action::View(view) = action {
            if views.patient.is_none() {
                views.show(view);
            }
            return;
        }
        let outcome = views.update(action);
        self.apply(outcome);
    }

    /// Runs a command of the palette.
    fn run_command(&mut self, command: palette::Command) {
        use palette::Command;
        let Some(views) = self.views_mut() else {
            return;
        };
        match command {
            Command::Action(action) => self.update(action),
            Command::Open(index) => {
                if views.patient.as_ref().is_some_and(|p| p.staged().is_some()) {
                    self.say("the patient shown has staged changes: w writes, D discards");
                    return;
                }
                views.patient = None;
                views.view = View::Cohort;
                views.cohort.select(index);
                self.apply(Outcome::OpenPatient(index));
            }
            Command::Filter(text) => {
                if views.patient.is_some() {
                    self.say("Esc back to the cohort first");
                    return;
                }
                views.view = View::Cohort;
                match views.cohort.set_filter(&views.study, &text) {
                    Ok(shown) => {
                        let total = views.study.patients.len();
                        self.say(format!("{shown} of {total} patients shown"));
                    }
                    Err(error) => self.fail("Filter not applied", error),
                }
            }
            Command::Sort(column, descending) => {
                if views.patient.is_some() {
                    self.say("Esc back to the cohort first");
                    return;
                }
                views.view = View::Cohort;
                let study = std::mem::take(&mut views.study);
                let outcome = views.cohort.sort_by(&study, column, descending);
                views.study = study;
                self.apply(outcome);
            }
        }
    }

    fn ask_to_quit(&mut self) {
        let staged = self
            .views()
            .and_then(|views| views.patient.as_ref())
            .is_some_and(|patient| patient.staged().is_some());
        match staged {
            true if !matches!(self.popup, Some(Popup::Confirm(_, Pending::Quit))) => {
                self.popup = Some(Popup::Confirm(
                    Confirm {
                        question: "Quit and drop the staged changes?".to_owned(),
                        details: vec!["They have not been written to the study.".to_owned()],
                    },
                    Pending::Quit,
                ));
            }
            _ => self.quit = true,
        }
    }

    fn popup_action(&mut self, popup: Popup, action: Action) {
        match popup {
            Popup::Help(mut help) => match action {
                Action::Back | Action::ToggleHelp => {}
                Action::Down => {
                    help.scroll_by(1);
                    self.popup = Some(Popup::Help(help));
                }
                Action::Up => {
                    help.scroll_by(-1);
                    self.popup = Some(Popup::Help(help));
                }
                _ => self.popup = Some(Popup::Help(help)),
            },
            Popup::Message(mut message) => match action {
                Action::Back => {}
                Action::Down => {
                    message.scroll_by(1);
                    self.popup = Some(Popup::Message(message));
                }
                Action::Up => {
                    message.scroll_by(-1);
                    self.popup = Some(Popup::Message(message));
                }
                _ => self.popup = Some(Popup::Message(message)),
            },
            Popup::Confirm(confirm, pending) => match action {
                Action::Yes => match pending {
                    Pending::Write => self.write_staged(),
                    Pending::Undo => self.undo_last(),
                    Pending::Quit => self.quit = true,
                },
                Action::No | Action::Back => {}
                _ => self.popup = Some(Popup::Confirm(confirm, pending)),
            },
            Popup::JobMenu(mut menu, specs) => match action {
                Action::Down => {
                    menu.move_by(1);
                    self.popup = Some(Popup::JobMenu(menu, specs));
                }
                Action::Up => {
                    menu.move_by(-1);
                    self.popup = Some(Popup::JobMenu(menu, specs));
                }
                Action::Accept => match specs.get(menu.selected) {
                    Some(JobSpec::Train { .. }) => {
                        self.popup = Some(Popup::TrainForm(train_form::form()));
                    }
                    Some(spec) => self.start_job(spec.clone()),
                    None => {}
                },
                Action::Back => {}
                _ => self.popup = Some(Popup::JobMenu(menu, specs)),
            },
            Popup::Input(mut input, field) => match action {
                Action::Accept => match self.stage(&field, &input.text) {
                    Ok(()) => {}
                    Err(error) => {
                        input.error = Some(error);
                        self.popup = Some(Popup::Input(input, field));
                    }
                },
                Action::Back => {}
                _ => self.popup = Some(Popup::Input(input, field)),
            },
            Popup::Columns(mut menu, columns) => {
                match action {
                    Action::Down => menu.move_by(1),
                    Action::Up => menu.move_by(-1),
                    Action::Accept => {
                        if let (Some(views), Some(column)) =
                            (self.views_mut(), columns.get(menu.selected))
                        {
                            views.cohort.toggle_column(column.clone());
                            if let Some(item) = menu.items.get_mut(menu.selected) {
                                let shown = item.starts_with("[x]");
                                let mark = if shown { "[ ]" } else { "[x]" };
                                item.replace_range(0..3, mark);
                            }
                        }
                    }
                    Action::Back => return,
                    _ => {}
                }
                self.popup = Some(Popup::Columns(menu, columns));
            }
            Popup::Choice(mut menu) => match action {
                Action::Down | Action::Up => {
                    menu.move_by(if action == Action::Down { 1 } else { -1 });
                    self.popup = Some(Popup::Choice(menu));
                }
                Action::Accept => {
                    if let Some(views) = self.views_mut() {
                        let outcome =
                            views.with_screen(|screen, study| screen.choose(menu.selected, study));
                        self.apply(outcome);
                    }
                }
                Action::Back => {}
                _ => self.popup = Some(Popup::Choice(menu)),
            },
            Popup::Form(mut form) => match action {
                Action::Accept => {
                    let Some(views) = self.views_mut() else {
                        return;
                    };
                    let values = form.values();
                    match views.with_screen(|screen, study| screen.submit(&values, study)) {
                        Ok(outcome) => self.apply(outcome),
                        Err(error) => {
                            form.error = Some(error);
                            self.popup = Some(Popup::Form(form));
                        }
                    }
                }
                Action::Back => {}
                _ => self.popup = Some(Popup::Form(form)),
            },
            Popup::TrainForm(mut form) => match action {
                Action::Accept => {
                    let Some(views) = self.views() else {
                        return;
                    };
                    match train_form::parse(&form.values(), &views.study.folder) {
                        Ok(spec) => self.start_job(spec),
                        Err(error) => {
                            form.error = Some(error);
                            self.popup = Some(Popup::TrainForm(form));
                        }
                    }
                }
                Action::Back => {}
                _ => self.popup = Some(Popup::TrainForm(form)),
            },
            Popup::Palette(mut input) => match action {
                Action::Accept => {
                    let Some(views) = self.views() else {
                        return;
                    };
                    match palette::parse(&input.text, &views.study) {
                        Ok(command) => self.run_command(command),
                        Err(error) => {
                            input.error = Some(error);
                            self.popup = Some(Popup::Palette(input));
                        }
                    }
                }
                Action::Back => {}
                _ => self.popup = Some(Popup::Palette(input)),
            },
            Popup::Prompt(mut input) => match action {
                Action::Accept => {
                    let Some(views) = self.views_mut() else {
                        return;
                    };
                    match views.answer(&input.text) {
                        Ok(outcome) => self.apply(outcome),
                        Err(error) => {
                            input.error = Some(error);
                            self.popup = Some(Popup::Prompt(input));
                        }
                    }
                }
                Action::Back => {}
                _ => self.popup = Some(Popup::Prompt(input)),
            },
        }
    }

    fn views(&self) -> Option<&Views> {
        match &self.phase {
            Phase::Ready(views) => Some(views),
            Phase::Building(_) => None,
        }
    }

    fn views_mut(&mut self) -> Option<&mut Views> {
        match &mut self.phase {
            Phase::Ready(views) => Some(views),
            Phase::Building(_) => None,
        }
    }

    fn apply(&mut self, outcome: Outcome) {
        let Some(views) = self.views_mut() else {
            return;
        };
        match outcome {
            Outcome::Stay => {}
            Outcome::Back => {
                if let Some(patient) = views.patient.take() {
                    views.cohort.select(patient.index());
                }
                // What the patient view changed shows in the view beneath.
                views.show(views.view);
            }
            Outcome::OpenPatient(index) => {
                let depth = self.session.colours;
                let Some(views) = self.views_mut() else {
                    return;
                };
                views.patient = Some(PatientScreen::new(&views.study, index).with_depth(depth));
            }
            Outcome::OpenPatientAt(index, focus) => {
                self.apply(Outcome::OpenPatient(index));
                if let Some(views) = self.views_mut()
                    && let Some(patient) = &mut views.patient
                {
                    patient.focus(&views.study, &focus);
                }
            }
            Outcome::EditField(field) => self.open_input(field),
            Outcome::Prompt(prompt) => {
                let input = TextInput::new(prompt.label, prompt.hint, prompt.initial)
                    .accepting(prompt.accept);
                self.popup = Some(Popup::Prompt(input));
            }
            Outcome::StartJob(spec) => {
                if !self.refuse_if_read_only("running jobs") {
                    self.start_job(spec);
                }
            }
            Outcome::Write => self.ask_to_write(),
            Outcome::Undo => self.ask_to_undo(),
            Outcome::NewJob => self.offer_jobs(),
            Outcome::CancelJob(id) => {
                if let Some(job) = views.jobs.jobs().iter().find(|job| job.id == id) {
                    job.cancel.store(true, Ordering::Relaxed);
                    self.say(format!("asked job #{id} to stop"));
                }
            }
            Outcome::Note(text) => self.say(text),
            Outcome::Show(title, lines) => {
                self.popup = Some(Popup::Message(Message::new(title, lines, false)));
            }
            Outcome::Choose(title, items) => {
                self.popup = Some(Popup::Choice(Menu::new(title, items)));
            }
            Outcome::Form(form) => {
                if !self.refuse_if_read_only("editing") {
                    self.popup = Some(Popup::Form(form));
                }
            }
            Outcome::ChooseColumns(items) => {
                let (names, columns) = items.into_iter().unzip();
                let menu = Menu::new("Columns (Enter shows or hides)", names);
                self.popup = Some(Popup::Columns(menu, columns));
            }
        }
    }

    /// Shows a note in the status line.
    fn say(&mut self, text: impl Into<String>) {
        self.note = Some(Note {
            text: text.into(),
            error: false,
        });
    }

    /// Appends a line to the session's log. A log that cannot be written
    /// is reported once in the error history, since nothing may be
    /// printed over the interface.
    fn log(&mut self, level: &str, message: &str) {
        let Some(path) = &self.session.log else {
            return;
        };
        if let Err(error) = super::log::append(path, &self.session.user, level, message) {
            self.errors.push(format!(
                "the log {} cannot be written ({error}); logging stops",
                path.display()
            ));
            self.session.log = None;
        }
    }

    /// Shows an error in a dialog and keeps it in the history.
    fn fail(&mut self, title: &str, error: String) {
        self.log("ERROR", &format!("{title}: {error}"));
        self.errors.push(format!("{title}: {error}"));
        self.popup = Some(Popup::Message(Message::new(title, vec![error], true)));
    }

    fn refuse_if_read_only(&mut self, what: &str) -> bool {
        if self.session.read_only {
            let text = format!("read-only session: {what} is not allowed");
            self.log("WARN", &text);
            self.errors.push(text.clone());
            self.note = Some(Note { text, error: true });
        }
        self.session.read_only
    }

    fn open_input(&mut self, field: Field) {
        if self.refuse_if_read_only("editing") {
            return;
        }
        let Some(views) = self.views() else {
            return;
        };
        let Some(patient) = &views.patient else {
            return;
        };
        let study = &views.study;
        let label = study
            .dictionary
            .iter()
            .find(|v| v.name == field.name())
            .map_or_else(|| field.name().to_owned(), |v| v.label.clone());
        let study_id = study
            .patients
            .get(patient.index())
            .map_or("", |p| p.record.study_id());
        let input = TextInput::new(
            format!("{label} · {study_id}"),
            format!("{} (empty: missing)", field.hint(&study.dictionary)),
            patient.field_text(study, &field),
        );
        self.popup = Some(Popup::Input(input, field));
    }

    fn stage(&mut self, field: &Field, text: &str) -> Result<(), String> {
        let views = self.views_mut().ok_or("no study is open")?;
        let study = &views.study;
        let patient = views.patient.as_mut().ok_or("no patient is open")?;
        patient.stage(study, field, text)?;
        let count = patient
            .staged()
            .map_or(0, |staged| staged.changes(&study.dictionary).len());
        self.say(format!(
            "{} staged · w writes them, D discards",
            plural(count, "change")
        ));
        Ok(())
    }

    fn ask_to_write(&mut self) {
        if self.refuse_if_read_only("writing") {
            return;
        }
        let Some(views) = self.views() else {
            return;
        };
        let Some(staged) = views.patient.as_ref().and_then(|p| p.staged()) else {
            return;
        };
        let changes = staged.changes(&views.study.dictionary);
        let details = changes
            .iter()
            .map(|c| {
                let show = |v: &str| {
                    if v.is_empty() {
                        "(missing)".to_owned()
                    } else {
                        v.to_owned()
                    }
                };
                match (c.field.as_str(), c.old.is_empty(), c.new.is_empty()) {
                    ("timeline", true, _) => format!("timeline: add {}", c.new),
                    ("timeline", _, true) => format!("timeline: remove {}", c.old),
                    _ => format!("{}: {} → {}", c.field, show(&c.old), show(&c.new)),
                }
            })
            .collect();
        self.popup = Some(Popup::Confirm(
            Confirm {
                question: format!(
                    "Write {} to {}?",
                    plural(changes.len(), "change"),
                    staged.shown.study_id()
                ),
                details,
            },
            Pending::Write,
        ));
    }

    fn ask_to_undo(&mut self) {
        if self.refuse_if_read_only("undoing") {
            return;
        }
        let Some(last) = self.views().and_then(|views| views.written.last()) else {
            self.say("nothing written in this session to undo");
            return;
        };
        let question = format!(
            "Undo the last write ({} to {})?",
            plural(last.changes, "change"),
            last.after.study_id()
        );
        self.popup = Some(Popup::Confirm(
            Confirm {
                question,
                details: vec!["The values before it are written back, audited.".to_owned()],
            },
            Pending::Undo,
        ));
    }

    /// Writes the staged edits of the patient shown in one audited
    /// transaction, refusing if the record changed since it was shown.
    fn write_staged(&mut self) {
        let actor = self.session.actor();
        let database = self.session.database.clone();
        let Some(views) = self.views_mut() else {
            return;
        };
        let Some(staged) = views.patient.as_ref().and_then(|p| p.staged()).cloned() else {
            return;
        };
        let changes = staged.changes(&views.study.dictionary).len();
        let study_id = staged.shown.study_id().to_owned();
        let outcome = StudyDb::open(&database)
            .map_err(SaveError::from)
            .and_then(|mut db| {
                db.save_record(Some(&staged.shown), &staged.edited, &actor)?;
                Ok(db.load_record(&study_id)?)
            });
        match outcome {
            Ok(Some(after)) => {
                views.study.replace_record(after.clone());
                if let Some(patient) = &mut views.patient {
                    patient.clear_staged();
                }
                views.written.push(Written {
                    before: staged.shown,
                    after,
                    changes,
                });
                views.study_changed();
                let message = format!("{} written to {study_id}", plural(changes, "change"));
                self.log("INFO", &message);
                self.say(format!("{message} · u undoes"));
            }
            Ok(None) => self.fail(
                "Not written",
                format!("{study_id} is no longer in the study"),
            ),
            Err(error @ SaveError::Stale { .. }) => {
                if let Some(patient) = &mut views.patient {
                    patient.clear_staged();
                }
                let message = format!(
                    "{error}. Your staged changes were dropped and the study was read again: \
                     check the values now shown and edit again."
                );
                self.reload();
                self.fail("Changed by someone else", message);
            }
            Err(error) => self.fail("Not written", radcohort::error_chain(&error)),
        }
    }

    /// Writes back the values before the last write, if the record is
    /// still as that write left it.
    fn undo_last(&mut self) {
        let actor = self.session.actor();
        let database = self.session.database.clone();
        let Some(views) = self.views_mut() else {
            return;
        };
        let Some(last) = views.written.pop() else {
            return;
        };
        let study_id = last.after.study_id().to_owned();
        let outcome = StudyDb::open(&database)
            .map_err(SaveError::from)
            .and_then(|mut db| {
                db.save_record(Some(&last.after), &last.before, &actor)?;
                Ok(db.load_record(&study_id)?)
            });
        match outcome {
            Ok(Some(record)) => {
                views.study.replace_record(record);
                if let Some(patient) = &mut views.patient {
                    patient.clear_staged();
                }
                views.study_changed();
                let message = format!(
                    "undone: {} to {study_id} written back",
                    plural(last.changes, "change")
                );
                self.log("INFO", &message);
                self.say(message);
            }
            Ok(None) => self.fail(
                "Not undone",
                format!("{study_id} is no longer in the study"),
            ),
            Err(error) => {
                let stale = matches!(error, SaveError::Stale { .. });
                if stale {
                    self.reload();
                }
                self.fail("Not undone", radcohort::error_chain(&error));
            }
        }
    }

    /// Reads the whole study again, keeping each view's place.
    fn reload(&mut self) {
        let open = if self.session.read_only {
            StudyDb::open_read_only
        } else {
            StudyDb::open
        };
        let loaded = open(&self.session.database)
            .map_err(anyhow::Error::from)
            .and_then(|db| Study::load(&db));
        match loaded {
            Ok(mut study) => {
                study.read_only = self.session.read_only;
                if let Some(views) = self.views_mut() {
                    views.study = study;
                    views.study_changed();
                }
            }
            Err(error) => self.fail("The study could not be read again", format!("{error:#}")),
        }
    }

    fn offer_jobs(&mut self) {
        if self.refuse_if_read_only("running jobs") {
            return;
        }
        let Some(views) = self.views() else {
            return;
        };
        let study = &views.study;
        let specs = jobs::available(&study.folder, study.active_signature.is_some());
        let items = specs.iter().map(jobs::menu_label).collect();
        self.popup = Some(Popup::JobMenu(Menu::new("Start a job", items), specs));
    }

    fn start_job(&mut self, spec: JobSpec) {
        let Some(events) = self.session.events.clone() else {
            self.fail("Not started", "this session cannot run jobs".to_owned());
            return;
        };
        let id = self.next_job;
        self.next_job += 1;
        let cancel = Arc::new(AtomicBool::new(false));
        let started = jobs::spawn(
            id,
            spec.clone(),
            self.session.database.clone(),
            self.session.actor(),
            Arc::clone(&cancel),
            events,
        );
        match started {
            Ok(()) => {
                self.log("INFO", &format!("job #{id} started: {spec}"));
                if let Some(views) = self.views_mut() {
                    views.jobs.add(id, spec, cancel);
                    views.view = View::Jobs;
                }
                self.say(format!("job #{id} started"));
            }
            Err(error) => self.fail("Not started", format!("starting a thread: {error}")),
        }
    }

    /// Registers a job as started without starting a thread, so tests can
    /// feed it reports.
    #[cfg(test)]
    pub fn register_job_for_test(&mut self, spec: JobSpec) {
        let id = self.next_job;
        self.next_job += 1;
        if let Some(views) = self.views_mut() {
            views.jobs.add(id, spec, Arc::new(AtomicBool::new(false)));
            views.view = View::Jobs;
        }
    }

    /// Applies a background job's report.
    pub fn on_job(&mut self, event: JobEvent) {
        match event {
            JobEvent::SampleProgress(progress) => {
                if let Phase::Building(building) = &mut self.phase {
                    building.progress(progress);
                }
            }
            JobEvent::SampleReady(database) => {
                let loaded = StudyDb::open(&database)
                    .map_err(anyhow::Error::from)
                    .and_then(|db| Study::load(&db));
                match loaded {
                    Ok(mut study) => {
                        study.read_only = self.session.read_only;
                        self.session.database = database;
                        self.phase = Phase::Ready(Box::new(Views::new(study)));
                    }
                    Err(err) => self.build_failed(format!(
                        "The sample study was written but could not be opened: {err}"
                    )),
                }
            }
            JobEvent::SampleFailed(reason) => self.build_failed(reason),
            JobEvent::Panicked(reason) => {
                if matches!(self.phase, Phase::Building(_)) {
                    self.build_failed(reason);
                } else {
                    self.fail("A job crashed", reason);
                }
            }
            JobEvent::Progress(id, progress) => {
                if let Some(views) = self.views_mut() {
                    views.jobs.progress(id, progress);
                }
            }
            JobEvent::Finished(id, outcome) => self.job_finished(id, outcome),
        }
    }

    fn job_finished(&mut self, id: usize, outcome: Result<jobs::JobResult, String>) {
        let Some(views) = self.views_mut() else {
            return;
        };
        let failure = outcome.as_ref().err().cloned();
        let summary = outcome.as_ref().ok().map(|r| r.summary.clone());
        let Some(spec) = views.jobs.finish(id, outcome) else {
            return;
        };
        match (failure, summary) {
            (Some(reason), _) => {
                self.log("ERROR", &format!("job #{id} ({spec}) failed: {reason}"));
                self.errors.push(format!("job #{id} ({spec}): {reason}"));
                self.note = Some(Note {
                    text: format!("job #{id} failed: {reason}"),
                    error: true,
                });
            }
            (None, Some(summary)) => {
                // Extraction and scoring change what the views show;
                // training and reports write files only.
                if !matches!(spec, JobSpec::Train { .. } | JobSpec::Report { .. }) {
                    self.reload();
                }
                self.log("INFO", &format!("job #{id} finished: {summary}"));
                self.say(format!("job #{id} finished: {summary}"));
            }
            (None, None) => {}
        }
    }

    fn build_failed(&mut self, reason: String) {
        if let Phase::Building(building) = &mut self.phase {
            building.fail(reason);
        }
    }

    /// Draws the screen shown, the note over its status line, and the
    /// popup over everything.
    pub fn render(&self, frame: &mut Frame) {
        let area = frame.area();
        match &self.phase {
            Phase::Building(screen) => screen.render(frame, area),
            Phase::Ready(views) => {
                if views.patient.is_some() {
                    views.screen().render(frame, area, &views.study);
                } else {
                    let [tabs, body] =
                        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
                    render_view_tabs(frame, tabs, views.view, views.jobs.running());
                    views.screen().render(frame, body, &views.study);
                }
            }
        }
        if let Some(note) = &self.note
            && area.height > 0
        {
            let line = Rect::new(area.x, area.bottom() - 1, area.width, 1);
            let style = if note.error {
                Style::new().fg(Color::White).bg(Color::Red)
            } else {
                Style::new().fg(Color::Black).bg(Color::Yellow)
            };
            frame.render_widget(Clear, line);
            frame.render_widget(Paragraph::new(format!(" {}", note.text)).style(style), line);
        }
        match &self.popup {
            Some(Popup::Help(help)) => help.render(frame, area),
            Some(Popup::Confirm(confirm, _)) => confirm.render(frame, area),
            Some(Popup::Message(message)) => message.render(frame, area),
            Some(Popup::JobMenu(menu, _) | Popup::Columns(menu, _) | Popup::Choice(menu)) => {
                menu.render(frame, area)
            }
            Some(Popup::Form(form) | Popup::TrainForm(form)) => form.render(frame, area),
            Some(Popup::Input(input, _) | Popup::Prompt(input) | Popup::Palette(input)) => {
                input.render(frame, area)
            }
            None => {}
        }
    }
}

/// A key typed into the palette: Tab completes the line as far as every
/// completion agrees (or to the only one); other keys edit it. The hint
/// shows what the line may become.
fn palette_key(input: &mut TextInput, key: &KeyEvent, study: &Study) {
    use ratatui::crossterm::event::KeyCode;
    if key.code == KeyCode::Tab {
        let completions = palette::complete(&input.text, study, 50);
        if let Some(prefix) = palette::common_prefix(&completions)
            && prefix.len() > input.text.len()
        {
            *input =
                TextInput::new(input.label.clone(), input.hint.clone(), prefix).accepting("runs");
        }
    } else {
        input.key(key);
    }
    let completions = palette::complete(&input.text, study, 6);
    input.hint = if input.text.is_empty() {
        palette::summary()
    } else if completions.is_empty() {
        "Enter runs it".to_owned()
    } else {
        completions.join(" · ")
    };
}

/// The bar of top-level views, numbered as their keys.
fn render_view_tabs(frame: &mut Frame, area: Rect, selected: View, running: usize) {
    let titles = View::ALL.iter().enumerate().map(|(i, view)| {
        let name = view.title();
        if *view == View::Jobs && running > 0 {
            format!("{} {name} ({running})", i + 1)
        } else {
            format!("{} {name}", i + 1)
        }
    });
    frame.render_widget(
        Tabs::new(titles)
            .select(selected.index())
            .highlight_style(Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD))
            // Without padding the eight titles fit one row of 80 columns.
            .padding("", "")
            .divider("│"),
        area,
    );
}
#[cfg(test)]
mod tests {
    use std::path::Path;

    use radcohort::sample_study::SampleProgress;
    use radcohort::study::endpoints::EndpointWindows;
    use radcohort::study::model::PatientRecord;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    use super::*;
    use crate::tui::fixture;
    use crate::tui::screens::patient::Section;
    use crate::tui::study::Patient;

    /// A session on `database` that cannot start jobs.
    fn session(database: &Path) -> Session {
        Session {
            database: database.to_owned(),
            read_only: false,
            user: "tester".to_owned(),
            events: None,
            colours: crate::tui::widgets::slice_view::ColourDepth::Basic16,
            log: None,
        }
    }

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
            active_signature: None,
            windows: EndpointWindows::default(),
            folder: PathBuf::from("."),
            database: PathBuf::from("study.db"),
            read_only: false,
        }
    }

    fn app(count: usize) -> App {
        App::with_study(study(count), session(Path::new("study.db")))
    }

    fn cohort_selection(app: &App) -> usize {
        assert!(app.patient().is_none(), "expected the cohort");
        app.cohort().expect("a loaded study").selected()
    }

    fn patient_screen(app: &App) -> &PatientScreen {
        app.patient().expect("a patient open")
    }

    fn press(app: &mut App, code: KeyCode) {
        app.handle_key(&KeyEvent::new(code, KeyModifiers::NONE));
    }

    #[test]
    fn navigation_stops_at_both_ends() {
        let mut app = app(3);
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
        let mut app = app(30);
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
        let mut app = app(5);
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
        let mut app = app(3);
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
        let mut app = app(1);
        app.update(Action::Open);
        press(&mut app, KeyCode::Tab);
        assert_eq!(patient_screen(&app).section(), Section::Timeline);
        press(&mut app, KeyCode::BackTab);
        press(&mut app, KeyCode::BackTab);
        assert_eq!(patient_screen(&app).section(), Section::History, "wraps");
        press(&mut app, KeyCode::Char('1'));
        assert_eq!(patient_screen(&app).section(), Section::Clinical);
        app.update(Action::Section(9));
        assert_eq!(patient_screen(&app).section(), Section::Clinical);
    }

    #[test]
    fn scrolling_a_section_stays_within_its_lines() {
        let (_dir, db) = fixture::populated();
        let mut app = App::with_study(fixture::load(&db), session(db.path()));
        app.update(Action::Open);
        // The audit history, which has no cursor, on a short page, so its
        // lines overflow it.
        app.update(Action::Section(5));
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 8))
            .expect("a test terminal");
        terminal.draw(|frame| app.render(frame)).expect("a frame");
        app.update(Action::Up);
        assert_eq!(patient_screen(&app).scroll(), 0);
        for _ in 0..100 {
            app.update(Action::Down);
        }
        let bottom = patient_screen(&app).scroll();
        assert!(bottom > 0 && bottom < 100, "{bottom}");
        app.update(Action::Last);
        assert_eq!(patient_screen(&app).scroll(), bottom);
        app.update(Action::Section(2));
        assert_eq!(patient_screen(&app).scroll(), 0);
    }

    #[test]
    fn question_mark_toggles_the_help_which_takes_the_keys() {
        let mut app = app(5);
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
        let mut app = app(2);
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
            let mut app = app(2);
            setup(&mut app);
            press(&mut app, KeyCode::Char('q'));
            assert!(app.should_quit());
        }
        let mut app = App::building("/sample".into(), session(Path::new("/sample/study.db")));
        app.handle_key(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert!(app.should_quit());
    }

    #[test]
    fn an_empty_study_opens_nothing() {
        let mut app = app(0);
        for action in [Action::Down, Action::Last, Action::PageDown, Action::Open] {
            app.update(action);
        }
        assert_eq!(app.context(), Context::Cohort);
        assert_eq!(cohort_selection(&app), 0);
    }

    #[test]
    fn a_failed_build_stays_on_screen_until_quit() {
        let mut app = App::building("/sample".into(), session(Path::new("/sample/study.db")));
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
        let mut app = App::building(db.folder(), session(db.path()));
        app.on_job(JobEvent::SampleReady(db.path().to_owned()));
        assert_eq!(app.context(), Context::Cohort);
        assert_eq!(cohort_selection(&app), 0);
    }

    #[test]
    fn a_build_whose_database_will_not_open_says_so() {
        let mut app = App::building("/sample".into(), session(Path::new("/sample/study.db")));
        app.on_job(JobEvent::SampleReady("/nonexistent/study.db".into()));
        assert_eq!(app.context(), Context::Building);
        match &app.phase {
            Phase::Building(screen) => {
                assert!(format!("{screen:?}").contains("could not be opened"))
            }
            other => panic!("expected the building screen, found {other:?}"),
        }
    }
}
