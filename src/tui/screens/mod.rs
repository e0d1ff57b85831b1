//! Full-screen views. Each is a component: it draws itself from its own
//! state and turns actions into state changes, telling the app through an
//! [`Outcome`] when the change reaches beyond it (opening or leaving a view).

pub mod building;
pub mod chemo;
pub mod cohort;
pub mod columns;
pub mod jobs;
pub mod list;
pub mod patient;
pub mod survival;
pub mod timeline;
pub mod viewer;

// The quality, signature, tables and audit views.
pub mod audit;
pub mod quality;
pub mod signature;
pub mod tables;

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use radcohort::study::edit::Field;

use super::action::Action;
use super::jobs::JobSpec;
use super::keymap::{self, Context};
use super::study::Study;
use super::widgets::form::Form;

/// What the app must do after a screen handled an action: anything that
/// reaches beyond the screen (other screens, popups, the database, jobs).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing beyond the screen itself.
    Stay,
    /// Leave this screen for the one beneath it.
    Back,
    /// Open the patient at this index of the study.
    OpenPatient(usize),
    /// Open the patient at this index with this field, `timeline` or
    /// imaging series selected, as a data-quality problem names it.
    OpenPatientAt(usize, String),
    /// Ask for a new value of this field of the patient shown.
    EditField(Field),
    /// Ask for a line of text; the answer goes to the screen's
    /// [`Component::answer`].
    Prompt(Prompt),
    /// Start this job.
    StartJob(JobSpec),
    /// Ask whether to write the staged edits.
    Write,
    /// Ask whether to undo the last write.
    Undo,
    /// Offer the jobs that can be started.
    NewJob,
    /// Cancel this job.
    CancelJob(usize),
    /// Show a note in the status line.
    Note(String),
    /// Show lines of text in a popup, under a title.
    Show(String, Vec<String>),
    /// Offer a choice; the chosen index goes to [`Component::choose`].
    Choose(String, Vec<String>),
    /// Open a form; its values go to [`Component::submit`].
    Form(Form),
    /// Offer the cohort's columns to show or hide: each item's text and
    /// column.
    ChooseColumns(Vec<(String, columns::Column)>),
}

/// A line of text a screen asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// The popup's title.
    pub label: String,
    /// What may be typed.
    pub hint: String,
    /// The text to start from.
    pub initial: String,
    /// What Enter does, for the footer: `applies`, `exports`.
    pub accept: &'static str,
}

/// A full-screen view.
pub trait Component: std::fmt::Debug {
    /// Which key table applies while this screen has the keys.
    fn context(&self) -> Context;

    /// Draws the screen into `area` from `study`. Takes `&self` so drawing
    /// can never change what the user sees next; what drawing learns (page
    /// height, scroll offset) is kept in cells for the next key.
    fn render(&self, frame: &mut Frame, area: Rect, study: &Study);

    /// Applies an action to the screen's state.
    fn update(&mut self, action: Action, study: &Study) -> Outcome;

    /// Brings derived state (sorted rows, curves) up to date after the
    /// study changed under the screen.
    fn study_changed(&mut self, _study: &Study) {}

    /// Called when the screen's view is chosen, for screens that show what
    /// the study in memory does not hold (the audit log) and read it again
    /// then.
    fn shown(&mut self, _study: &Study) {}

    /// Takes the text the screen asked for with [`Outcome::Prompt`]. An
    /// error keeps the prompt open with the reason shown.
    fn answer(&mut self, _text: &str, _study: &Study) -> Result<Outcome, String> {
        Ok(Outcome::Stay)
    }

    /// Takes the item chosen from an [`Outcome::Choose`] menu.
    fn choose(&mut self, _index: usize, _study: &Study) -> Outcome {
        Outcome::Stay
    }

    /// Takes the values of an [`Outcome::Form`]. An error keeps the form
    /// open with the reason shown.
    fn submit(&mut self, _values: &[String], _study: &Study) -> Result<Outcome, String> {
        Ok(Outcome::Stay)
    }

    /// The action a key asks for on this screen, if any.
    fn handle_key(&self, key: &KeyEvent) -> Option<Action> {
        keymap::lookup(self.context(), key)
    }
}

/// Moves a selection or scroll position within `0..len` by `delta`,
/// stopping at the ends rather than wrapping, so holding a key down never
/// jumps from the last row to the first.
pub fn step(position: usize, delta: isize, len: usize) -> usize {
    position
        .saturating_add_signed(delta)
        .min(len.saturating_sub(1))
}

/// The whole page height as a step, for PgUp/PgDn.
pub fn page_step(page: usize) -> isize {
    isize::try_from(page.max(1)).unwrap_or(isize::MAX)
}
