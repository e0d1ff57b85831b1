//! The `radcohort` binary: the command line and the terminal UI, thin layers
//! over the `radcohort` library.

mod cli;
mod tui;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("radcohort: {err:#}");
            ExitCode::FAILURE
        }
    }
}
