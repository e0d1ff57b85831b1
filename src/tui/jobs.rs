//! Background jobs: long work on its own thread, reporting through the
//! event channel so the UI never waits for it.

use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::thread;

use radcohort::sample_study::{SampleProgress, write_sample_study};
use radcohort::study::Actor;

use super::event::Event;

/// What a background job reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobEvent {
    /// The sample study build moved on.
    SampleProgress(SampleProgress),
    /// The sample study is ready in this database.
    SampleReady(PathBuf),
    /// The sample study could not be built; the text says why.
    SampleFailed(String),
    /// A job panicked. The panic hook has restored the terminal by now, so
    /// the UI must take it over again.
    Panicked(String),
}

/// Builds the sample study in `folder` on a new thread, sending its
/// progress and outcome to `events`.
pub fn spawn_sample_build(
    folder: PathBuf,
    actor: Actor,
    events: Sender<Event>,
) -> std::io::Result<()> {
    thread::Builder::new()
        .name("sample-study".to_owned())
        .spawn(move || {
            let send = |event| {
                // A closed channel means the UI has quit and the process is
                // ending: there is nobody left to tell.
                let _ = events.send(Event::Job(event));
            };
            let progress = |step| send(JobEvent::SampleProgress(step));
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                match write_sample_study(&folder, &actor, &progress) {
                    Ok(study) => JobEvent::SampleReady(study.database),
                    Err(err) => JobEvent::SampleFailed(radcohort::error_chain(&err)),
                }
            }));
            send(outcome.unwrap_or_else(|_| {
                JobEvent::Panicked(
                    "the sample study builder crashed (a bug: please report it)".to_owned(),
                )
            }));
        })?;
    Ok(())
}
