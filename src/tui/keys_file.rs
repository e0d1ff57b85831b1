//! The user's keymap file: keys of their choosing for any action, in TOML.
//!
//! ```toml
//! # ~/.config/radcohort/keys.toml
//! [global]            # every view
//! quit = ["q", "Ctrl-q"]
//!
//! [cohort]            # one view: a table per context of `radcohort keys`
//! down = ["j", "Down", "Ctrl-n"]
//! sort_descending = ["}"]
//! ```
//!
//! A line gives an action every key it answers to, replacing its default
//! keys; actions not named keep theirs. A context's table wins over
//! `[global]`. The file is read once at start; any mistake (an unknown
//! context, action or key, or a key left bound to two actions in one
//! context) stops radcohort with a message naming it, rather than leaving
//! a keyboard that does something unexpected.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::action::Action;
use super::keymap::{self, CONTEXTS, Context, Key};

/// Keys the user gave actions, by context (`None`: every context).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    keys: HashMap<(Option<Context>, Action), Vec<Key>>,
}

impl Overrides {
    /// The keys given `action` in `context`, if the file gives any.
    pub fn keys(&self, context: Context, action: Action) -> Option<&[Key]> {
        self.keys
            .get(&(Some(context), action))
            .or_else(|| self.keys.get(&(None, action)))
            .map(Vec::as_slice)
    }
}

static ACTIVE: OnceLock<Overrides> = OnceLock::new();

/// The overrides in force: the installed ones, else none.
pub fn active() -> &'static Overrides {
    static NONE: OnceLock<Overrides> = OnceLock::new();
    ACTIVE
        .get()
        .unwrap_or_else(|| NONE.get_or_init(Overrides::default))
}

/// Puts `overrides` in force for the rest of the process; a second call
/// changes nothing (the keymap is read once, at start).
pub fn install(overrides: Overrides) {
    let _ = ACTIVE.set(overrides);
}

/// Where the keymap file is: `$RADCOHORT_KEYS`, else
/// `$XDG_CONFIG_HOME/radcohort/keys.toml`, else
/// `~/.config/radcohort/keys.toml`.
pub fn default_path() -> Option<PathBuf> {
    let env = |key: &str| std::env::var_os(key).filter(|v| !v.is_empty());
    if let Some(path) = env("RADCOHORT_KEYS") {
        return Some(PathBuf::from(path));
    }
    let config = env("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(config.join("radcohort").join("keys.toml"))
}

/// Reads the keymap file at `path`; a file that is not there means no
/// overrides.
pub fn load(path: &Path) -> Result<Overrides, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Overrides::default());
        }
        Err(error) => return Err(format!("{}: {error}", path.display())),
    };
    parse(&text).map_err(|error| format!("{}: {error}", path.display()))
}

/// Reads a keymap file's text.
pub fn parse(text: &str) -> Result<Overrides, String> {
    let tables: BTreeMap<String, BTreeMap<String, Vec<String>>> =
        toml::from_str(text).map_err(|error| error.to_string().trim_end().to_owned())?;
    let mut overrides = Overrides::default();
    for (table, actions) in tables {
        let context = if table == "global" {
            None
        } else {
            let found = CONTEXTS.iter().copied().find(|c| c.id() == table);
            Some(found.ok_or_else(|| {
                let names: Vec<&str> = CONTEXTS.iter().map(|c| c.id()).collect();
                format!(
                    "[{table}]: no such context; contexts: global, {}",
                    names.join(", ")
                )
            })?)
        };
        for (name, keys) in actions {
            let action = find_action(context, &name)
                .ok_or_else(|| format!("[{table}] {name}: no such action there"))?;
            let keys = keys
                .iter()
                .map(|k| Key::parse(k).map_err(|e| format!("[{table}] {name}: {e}")))
                .collect::<Result<Vec<Key>, String>>()?;
            if keys.is_empty() {
                return Err(format!(
                    "[{table}] {name}: no key; an action needs at least one"
                ));
            }
            overrides.keys.insert((context, action), keys);
        }
    }
    check_conflicts(&overrides)?;
    Ok(overrides)
}

/// The action named `name` among the bindings of `context` (of any
/// context for `[global]`).
fn find_action(context: Option<Context>, name: &str) -> Option<Action> {
    let contexts: Vec<Context> = match context {
        Some(context) => vec![context],
        None => CONTEXTS.to_vec(),
    };
    contexts
        .into_iter()
        .flat_map(keymap::defaults)
        .map(|binding| binding.action)
        .find(|action| action.id() == name)
}

/// Refuses overrides that leave one key bound to two actions of a context.
fn check_conflicts(overrides: &Overrides) -> Result<(), String> {
    for context in CONTEXTS {
        let mut seen: HashMap<Key, Action> = HashMap::new();
        for bound in keymap::bindings_with(overrides, context) {
            for key in &bound.keys {
                if let Some(other) = seen.insert(*key, bound.action)
                    && other != bound.action
                {
                    return Err(format!(
                        "in {}, `{}` would be bound to both {} and {}",
                        context.id(),
                        key.file_name(),
                        other.id(),
                        bound.action.id()
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The default keymap as a keymap file: every context's actions with
/// their keys and what they do, for `radcohort keys` to print and a user
/// to edit.
pub fn default_file() -> String {
    let mut text = String::from(
        "# radcohort's default keys. Copy the lines to change into\n\
         # ~/.config/radcohort/keys.toml (or $RADCOHORT_KEYS) and edit them;\n\
         # a [global] table applies to every context.\n",
    );
    for context in CONTEXTS {
        text.push_str(&format!("\n[{}]\n", context.id()));
        for binding in keymap::defaults(context) {
            let keys: Vec<String> = binding
                .keys
                .iter()
                .map(|k| format!("{:?}", k.file_name()))
                .collect();
            text.push_str(&format!(
                "{} = [{}]  # {}\n",
                binding.action.id(),
                keys.join(", "),
                binding.description
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;

    fn event(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    fn lookup(overrides: &Overrides, context: Context, key: KeyEvent) -> Option<Action> {
        keymap::bindings_with(overrides, context)
            .into_iter()
            .find(|b| b.keys.iter().any(|k| k.matches(&key)))
            .map(|b| b.action)
    }

    #[test]
    fn overrides_replace_an_actions_keys_and_leave_the_rest() {
        let overrides =
            parse("[global]\nquit = [\"Ctrl-q\"]\n[cohort]\ndown = [\"Ctrl-n\", \"Down\"]\n")
                .unwrap();
        let ctrl_n = event(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert_eq!(
            lookup(&overrides, Context::Cohort, ctrl_n),
            Some(Action::Down)
        );
        let j = event(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(
            lookup(&overrides, Context::Cohort, j),
            None,
            "j no longer moves"
        );
        assert_eq!(lookup(&overrides, Context::Jobs, j), Some(Action::Down));
        let q = event(KeyCode::Char('q'), KeyModifiers::NONE);
        let ctrl_q = event(KeyCode::Char('q'), KeyModifiers::CONTROL);
        for context in [Context::Cohort, Context::Patient, Context::Survival] {
            assert_eq!(lookup(&overrides, context, q), None);
            assert_eq!(lookup(&overrides, context, ctrl_q), Some(Action::Quit));
        }
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            ("[cohrt]\ndown = [\"j\"]\n", "[cohrt]: no such context"),
            (
                "[cohort]\nfly = [\"j\"]\n",
                "[cohort] fly: no such action there",
            ),
            (
                "[cohort]\ndown = [\"Ctrl-\"]\n",
                "[cohort] down: `Ctrl-`: Ctrl- takes one character",
            ),
            (
                "[cohort]\ndown = [\"PgDown\"]\n",
                "[cohort] down: `PgDown` is not a key",
            ),
            (
                "[cohort]\ndown = []\n",
                "[cohort] down: no key; an action needs at least one",
            ),
            (
                "[cohort]\ndown = [\"k\"]\n",
                "in cohort, `k` would be bound to both down and up",
            ),
        ];
        for (text, expected) in cases {
            let error = parse(text).unwrap_err();
            assert!(error.starts_with(expected), "{text:?}: {error}");
        }
        assert!(parse("[cohort\n").unwrap_err().contains("line 1"));
    }

    #[test]
    fn the_default_file_reads_back_as_no_change() {
        let overrides = parse(&default_file()).expect("the defaults parse");
        for context in CONTEXTS {
            let defaults: Vec<Vec<Key>> =
                keymap::defaults(context).map(|b| b.keys.to_vec()).collect();
            let read: Vec<Vec<Key>> = keymap::bindings_with(&overrides, context)
                .into_iter()
                .map(|b| b.keys)
                .collect();
            assert_eq!(defaults, read, "{context:?}");
        }
    }

    #[test]
    fn keys_and_action_ids_round_trip() {
        for text in [
            "j", "G", "/", "Ctrl-c", "PageDown", "Space", "F5", "BackTab", "Esc",
        ] {
            assert_eq!(Key::parse(text).unwrap().file_name(), text);
        }
        assert_eq!(Action::SortAscending.id(), "sort_ascending");
        assert_eq!(Action::View(keymap::View::Jobs).id(), "view_jobs");
        assert_eq!(Action::Section(0).id(), "section_1");
    }
}
