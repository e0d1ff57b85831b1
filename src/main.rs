//! The `radcohort` binary: the command line and the terminal UI, thin layers
//! over the `radcohort` library.

mod cli;
mod tui;

use std::process::ExitCode;

fn main() -> ExitCode {
    restore_default_sigpipe();
    // A bug must still end in one line, not a backtrace. The terminal UI
    // adds a hook in front of this one that restores the terminal first.
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("unknown cause");
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "radcohort: internal error{place}: {}; please report it",
            message.replace('\n', " ")
        );
    }));
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("radcohort: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Rust ignores SIGPIPE, so writing to a closed pipe (`radcohort info | head`)
/// fails with an error on every print. A command-line tool should instead
/// end quietly, as the default signal action does.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists;
    // setting a signal's disposition to its default has no other effect.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
