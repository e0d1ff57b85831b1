//! The terminal UI.
//!
//! Laid out in the manner of gitui: [`app::App`] holds the state and
//! applies [`action::Action`]s; the [screens] and [widgets] draw it; the
//! [`keymap`] turns keys into actions and generates the help; input and
//! background [jobs] arrive as [`event::Event`]s on one channel, so the loop
//! below blocks in one place and the UI never waits on a job.

mod action;
mod app;
mod event;
mod format;
mod jobs;
mod keymap;
pub mod keys_file;
mod log;
mod palette;
mod screens;
mod study;
mod train_form;
mod widgets;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod flow_tests;
#[cfg(test)]
mod key_fuzz_tests;
#[cfg(test)]
mod snapshot_tests;

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver};

use anyhow::{Context as _, Result, bail};
use radcohort::study::{Actor, StudyDb};
use ratatui::DefaultTerminal;

use app::{App, Session};
use event::Event;
use jobs::JobEvent;
use study::Study;

/// How the TUI is started.
#[derive(Debug, Clone)]
pub struct Options {
    /// What to open.
    pub start: Start,
    /// Refuse every change to the study.
    pub read_only: bool,
}

/// What the TUI opens.
#[derive(Debug, Clone)]
pub enum Start {
    /// An existing study database.
    Open(PathBuf),
    /// The sample study in this folder, built first if it is not there.
    Sample(PathBuf),
}

/// Runs the TUI until the user quits.
///
/// An existing database is opened before the terminal is taken over, so a
/// database that cannot be opened is reported as a plain error. A sample
/// study that is not there yet is built on a background thread while the UI
/// shows its progress. The terminal is restored however this returns, and
/// on panic by the hook `ratatui` installs.
pub fn run(options: Options) -> Result<()> {
    if let Some(path) = keys_file::default_path() {
        let overrides = keys_file::load(&path).map_err(|e| anyhow::anyhow!("keymap file {e}"))?;
        keys_file::install(overrides);
    }
    let (sender, events) = mpsc::channel();
    let session = |database: PathBuf| Session {
        database,
        read_only: options.read_only,
        user: Actor::from_environment().user,
        events: Some(sender.clone()),
        colours: colour_depth(),
        log: log::default_path(),
    };
    let app = match options.start {
        Start::Open(path) => App::with_study(load(&path, options.read_only)?, session(path)),
        Start::Sample(folder) => {
            let database = folder.join("study.db");
            if database.is_file() {
                App::with_study(load(&database, options.read_only)?, session(database))
            } else {
                jobs::spawn_sample_build(folder.clone(), Actor::from_environment(), sender.clone())
                    .context("starting the sample study build")?;
                App::building(folder, session(database))
            }
        }
    };
    let mut terminal = ratatui::try_init().map_err(|err| {
        // Raw mode may be on even though setting up failed.
        ratatui::restore();
        anyhow::Error::new(err).context("setting up the terminal")
    })?;
    let outcome = event::spawn_input_thread(sender)
        .context("starting the input thread")
        .and_then(|()| event_loop(&mut terminal, app, &events));
    ratatui::restore();
    outcome
}

/// The colours the terminal shows, from the environment as terminals
/// announce them: `COLORTERM=truecolor`/`24bit`, else a `TERM` naming 256
/// colours, else the 16 every terminal has.
fn colour_depth() -> widgets::slice_view::ColourDepth {
    use widgets::slice_view::ColourDepth;
    let colorterm = std::env::var("COLORTERM").unwrap_or_default();
    let term = std::env::var("TERM").unwrap_or_default();
    if colorterm == "truecolor" || colorterm == "24bit" {
        ColourDepth::TrueColor
    } else if term.contains("256") {
        ColourDepth::Indexed256
    } else {
        ColourDepth::Basic16
    }
}

/// Reads the study, through a read-only connection in a read-only
/// session so that an analyst can open a file they may not write.
fn load(path: &std::path::Path, read_only: bool) -> Result<Study> {
    let db = if read_only {
        StudyDb::open_read_only(path)?
    } else {
        StudyDb::open(path)?
    };
    Study::load(&db)
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    mut app: App,
    events: &Receiver<Event>,
) -> Result<()> {
    loop {
        terminal
            .draw(|frame| app.render(frame))
            .context("drawing the screen")?;
        let first = events
            .recv()
            .context("the input thread stopped unexpectedly")?;
        // Apply everything already waiting before drawing again, so a burst
        // of job progress costs one frame, not one frame per report.
        for event in std::iter::once(first).chain(events.try_iter()) {
            match event {
                Event::Key(key) => app.handle_key(&key),
                Event::Resize => {}
                Event::Job(job) => {
                    if matches!(job, JobEvent::Panicked(_)) {
                        reclaim_terminal(terminal)?;
                    }
                    app.on_job(job);
                }
                Event::InputFailed(reason) => bail!("reading the terminal failed: {reason}"),
            }
            if app.should_quit() {
                return Ok(());
            }
        }
    }
}

/// Takes the terminal back after a panic in a job thread made ratatui's
/// panic hook restore it, so the UI can go on to show the failure.
fn reclaim_terminal(terminal: &mut DefaultTerminal) -> Result<()> {
    use ratatui::crossterm::{execute, terminal as term};
    term::enable_raw_mode().context("re-entering raw mode")?;
    execute!(std::io::stdout(), term::EnterAlternateScreen)
        .context("re-entering the alternate screen")?;
    terminal.clear().context("clearing the screen")?;
    Ok(())
}
