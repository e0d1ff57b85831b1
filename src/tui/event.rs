//! Everything the event loop waits for, on one channel.
//!
//! Terminal input and background jobs both send into the same channel, so
//! the loop blocks in one place and wakes for whichever comes first: the
//! UI stays responsive while a job runs, and redraws as soon as it reports.

use std::sync::mpsc::Sender;
use std::thread;

use ratatui::crossterm::event::{self as terminal, KeyEvent, KeyEventKind};

use super::jobs::JobEvent;

/// Something the event loop must react to.
#[derive(Debug)]
pub enum Event {
    /// A key was pressed.
    Key(KeyEvent),
    /// The terminal changed size; the next draw adapts to it.
    Resize,
    /// A background job reported.
    Job(JobEvent),
    /// Reading the terminal failed; no more input will come.
    InputFailed(String),
}

/// Starts the thread that forwards terminal input into `events`. It ends
/// when the receiving side is gone or the terminal cannot be read.
pub fn spawn_input_thread(events: Sender<Event>) -> std::io::Result<()> {
    thread::Builder::new()
        .name("terminal-input".to_owned())
        .spawn(move || {
            loop {
                let event = match terminal::read() {
                    // Windows also reports releases; acting on them would
                    // double every key.
                    Ok(terminal::Event::Key(key)) if key.kind != KeyEventKind::Release => {
                        Event::Key(key)
                    }
                    Ok(terminal::Event::Resize(..)) => Event::Resize,
                    Ok(_) => continue,
                    Err(err) => {
                        let _ = events.send(Event::InputFailed(err.to_string()));
                        return;
                    }
                };
                if events.send(event).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}
