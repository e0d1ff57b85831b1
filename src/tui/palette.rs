//! The `:` command palette: every view and most actions by name, with Tab
//! completion, for users who would rather type than remember keys.
//!
//! A command is a verb and an argument: `view survival`, `open ICC042`,
//! `filter risk = high`, `sort age desc`. Completion offers the verbs, then
//! each verb's arguments (views, study ids, columns).

use super::action::Action;
use super::keymap::View;
use super::screens::columns::{Column, all_columns};
use super::study::Study;

/// What a command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// An action, as its key would ask.
    Action(Action),
    /// Open the patient at this index of the study.
    Open(usize),
    /// Filter the cohort with this expression (empty: clear).
    Filter(String),
    /// Sort the cohort by a column.
    Sort(Column, bool),
}

/// A verb of the palette and what it takes, for completion and hints.
struct Verb {
    name: &'static str,
    argument: &'static str,
}

const VERBS: &[Verb] = &[
    Verb {
        name: "view",
        argument: "NAME",
    },
    Verb {
        name: "open",
        argument: "STUDY_ID",
    },
    Verb {
        name: "filter",
        argument: "EXPRESSION",
    },
    Verb {
        name: "sort",
        argument: "COLUMN [desc]",
    },
    Verb {
        name: "job",
        argument: "",
    },
    Verb {
        name: "write",
        argument: "",
    },
    Verb {
        name: "undo",
        argument: "",
    },
    Verb {
        name: "errors",
        argument: "",
    },
    Verb {
        name: "help",
        argument: "",
    },
    Verb {
        name: "quit",
        argument: "",
    },
];

/// The view names `view` takes.
fn view_name(view: View) -> &'static str {
    match view {
        View::Cohort => "cohort",
        View::Quality => "quality",
        View::Jobs => "jobs",
        View::Signature => "signature",
        View::Survival => "survival",
        View::Chemo => "chemo",
        View::Tables => "tables",
        View::Audit => "audit",
    }
}

/// The verbs with what they take, for the palette's hint and errors:
/// `view NAME · open STUDY_ID · …`.
pub fn summary() -> String {
    VERBS
        .iter()
        .map(|v| {
            if v.argument.is_empty() {
                v.name.to_owned()
            } else {
                format!("{} {}", v.name, v.argument)
            }
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Reads a command line.
pub fn parse(line: &str, study: &Study) -> Result<Command, String> {
    let line = line.trim();
    let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
    let rest = rest.trim();
    let no_argument = |command: Command| {
        if rest.is_empty() {
            Ok(command)
        } else {
            Err(format!("`{verb}` takes no argument"))
        }
    };
    match verb {
        "" => Err(format!("type a command: {}", summary())),
        "view" => View::ALL
            .iter()
            .find(|v| view_name(**v) == rest)
            .map(|v| Command::Action(Action::View(*v)))
            .ok_or_else(|| {
                let names: Vec<&str> = View::ALL.iter().map(|v| view_name(*v)).collect();
                format!("no view `{rest}`; views: {}", names.join(", "))
            }),
        "open" => study
            .patients
            .iter()
            .position(|p| p.record.study_id().eq_ignore_ascii_case(rest))
            .map(Command::Open)
            .ok_or_else(|| format!("no patient `{rest}` in the study")),
        "filter" => Ok(Command::Filter(rest.to_owned())),
        "sort" => {
            let (name, direction) = match rest.rsplit_once(' ') {
                Some((name, "desc")) => (name.trim(), true),
                Some((name, "asc")) => (name.trim(), false),
                _ => (rest, false),
            };
            all_columns(study)
                .into_iter()
                .find(|c| c.query_name().eq_ignore_ascii_case(name))
                .map(|c| Command::Sort(c, direction))
                .ok_or_else(|| format!("no column `{name}`"))
        }
        "job" => no_argument(Command::Action(Action::NewJob)),
        "write" => no_argument(Command::Action(Action::Write)),
        "undo" => no_argument(Command::Action(Action::Undo)),
        "errors" => no_argument(Command::Action(Action::ErrorHistory)),
        "help" => no_argument(Command::Action(Action::ToggleHelp)),
        "quit" | "q" => no_argument(Command::Action(Action::Quit)),
        other => Err(format!("no command `{other}`; commands: {}", summary())),
    }
}

/// The completions of a command line: whole lines that extend it, in
/// order, at most `limit` of them.
pub fn complete(line: &str, study: &Study, limit: usize) -> Vec<String> {
    let Some((verb, rest)) = line.split_once(' ') else {
        return VERBS
            .iter()
            .filter(|v| v.name.starts_with(line))
            .map(|v| {
                if v.argument.is_empty() {
                    v.name.to_owned()
                } else {
                    format!("{} ", v.name)
                }
            })
            .take(limit)
            .collect();
    };
    let rest = rest.trim_start();
    let candidates: Vec<String> = match verb {
        "view" => View::ALL.iter().map(|v| view_name(*v).to_owned()).collect(),
        "open" => {
            let lower = rest.to_ascii_lowercase();
            return study
                .patients
                .iter()
                .map(|p| p.record.study_id())
                .filter(|id| id.to_ascii_lowercase().starts_with(&lower))
                .take(limit)
                .map(|id| format!("open {id}"))
                .collect();
        }
        "sort" => all_columns(study)
            .iter()
            .map(|c| c.query_name().to_owned())
            .collect(),
        _ => Vec::new(),
    };
    candidates
        .into_iter()
        .filter(|c| c.starts_with(rest))
        .take(limit)
        .map(|c| format!("{verb} {c}"))
        .collect()
}

/// The longest text every completion starts with, to extend the line by
/// on Tab.
pub fn common_prefix(completions: &[String]) -> Option<String> {
    let first = completions.first()?;
    let mut end = first.len();
    for other in &completions[1..] {
        end = first
            .char_indices()
            .zip(other.chars())
            .find(|((_, a), b)| a != b)
            .map_or(end.min(other.len()), |((i, _), _)| i.min(end));
    }
    Some(first[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixture;

    fn study() -> (tempfile::TempDir, Study) {
        let (dir, db) = fixture::populated();
        (dir, fixture::load(&db))
    }

    #[test]
    fn commands_read_as_their_actions() {
        let (_dir, study) = study();
        assert_eq!(
            parse("view survival", &study),
            Ok(Command::Action(Action::View(View::Survival)))
        );
        assert_eq!(parse(" open icc-003 ", &study), Ok(Command::Open(2)));
        assert_eq!(
            parse("filter ca199 > 37", &study),
            Ok(Command::Filter("ca199 > 37".to_owned()))
        );
        assert_eq!(
            parse("sort age desc", &study),
            Ok(Command::Sort(Column::Age, true))
        );
        assert_eq!(parse("quit", &study), Ok(Command::Action(Action::Quit)));
    }

    #[test]
    fn mistakes_say_what_would_have_worked() {
        let (_dir, study) = study();
        assert_eq!(
            parse("view plots", &study).unwrap_err(),
            "no view `plots`; views: cohort, quality, jobs, signature, survival, chemo, tables, audit"
        );
        assert_eq!(
            parse("open ICC-999", &study).unwrap_err(),
            "no patient `ICC-999` in the study"
        );
        assert_eq!(
            parse("undo now", &study).unwrap_err(),
            "`undo` takes no argument"
        );
        assert!(
            parse("frobnicate", &study)
                .unwrap_err()
                .starts_with("no command")
        );
    }

    #[test]
    fn tab_completes_verbs_then_arguments() {
        let (_dir, study) = study();
        assert_eq!(complete("vi", &study, 10), ["view "]);
        assert_eq!(complete("view su", &study, 10), ["view survival"]);
        assert_eq!(
            complete("view s", &study, 10),
            ["view signature", "view survival"]
        );
        assert_eq!(
            complete("open icc-00", &study, 2),
            ["open ICC-001", "open ICC-002"]
        );
        assert_eq!(complete("sort ca", &study, 10), ["sort ca199"]);
        assert!(complete("zzz", &study, 10).is_empty());
        let both = vec!["open ICC-001".to_owned(), "open ICC-002".to_owned()];
        assert_eq!(common_prefix(&both).as_deref(), Some("open ICC-00"));
        assert_eq!(common_prefix(&[]), None);
    }
}
