//! The TUI's log file: what happened in a session (start, writes, jobs,
//! errors), one timestamped line each, appended to a file because nothing
//! may be printed over the interface.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Where the log goes: `$RADCOHORT_LOG`, else
/// `$XDG_STATE_HOME/radcohort/tui.log`, else
/// `~/.local/state/radcohort/tui.log`.
pub fn default_path() -> Option<PathBuf> {
    let env = |key: &str| std::env::var_os(key).filter(|v| !v.is_empty());
    if let Some(path) = env("RADCOHORT_LOG") {
        return Some(PathBuf::from(path));
    }
    let state = env("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|home| PathBuf::from(home).join(".local/state")))?;
    Some(state.join("radcohort").join("tui.log"))
}

/// Appends one line to the log at `path`, creating its folder and file as
/// needed. The caller decides what a failure means: the interface cannot
/// print it, so it goes to the error history.
pub fn append(path: &Path, user: &str, level: &str, message: &str) -> std::io::Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    // One write per line, so lines from two sessions never interleave.
    let line = format!("{at} {user} {level} {}\n", message.replace('\n', " "));
    file.write_all(line.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_appended_with_time_user_and_level() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("state/radcohort/tui.log");
        append(&path, "tester", "INFO", "opened study.db").unwrap();
        append(&path, "tester", "ERROR", "two\\nlines").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(
            lines[0].ends_with(" tester INFO opened study.db"),
            "{}",
            lines[0]
        );
        assert!(lines[1].contains(" ERROR "));
    }
}
