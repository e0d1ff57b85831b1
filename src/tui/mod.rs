//! The terminal UI.

use std::path::PathBuf;

/// What the TUI opens.
#[derive(Debug, Clone)]
pub enum Start {
    /// An existing study database.
    Open(PathBuf),
    /// The sample study in this folder, built first if it is not there.
    Sample(PathBuf),
}

/// Runs the TUI until the user quits.
pub fn run(start: Start) -> anyhow::Result<()> {
    anyhow::bail!("the terminal UI is not written yet ({start:?})")
}
