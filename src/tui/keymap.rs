//! Every key binding, one table per context.
//!
//! These tables are the single source of truth: key handling looks keys up
//! here and the `?` help is generated from the same rows, so the help can
//! never drift from what the keys really do.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

/// Where keys are being read, which decides what they mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// The cohort table.
    Cohort,
    /// One patient's detail view.
    Patient,
    /// The background jobs.
    Jobs,
    /// Kaplan–Meier curves by group.
    Survival,
    /// Chemotherapy benefit by risk group.
    Chemo,
    /// The slice viewer over a patient.
    Viewer,
    /// The data-quality problems.
    Quality,
    /// The signatures, stored and in files.
    Signature,
    /// The publication tables' preview.
    Tables,
    /// The audit log.
    Audit,
    /// The progress screen while the sample study is built.
    Building,
    /// The help popup, over any other context.
    Help,
    /// A question waiting for yes or no.
    Confirm,
    /// A menu to choose from.
    Menu,
    /// A line of text being typed; keys not bound here are typed.
    Input,
    /// A message or the error history.
    Message,
}

/// Every context, for keymap files, tests and the help.
pub const CONTEXTS: [Context; 16] = [
    Context::Cohort,
    Context::Patient,
    Context::Jobs,
    Context::Survival,
    Context::Chemo,
    Context::Viewer,
    Context::Quality,
    Context::Signature,
    Context::Tables,
    Context::Audit,
    Context::Building,
    Context::Help,
    Context::Confirm,
    Context::Menu,
    Context::Input,
    Context::Message,
];

impl Context {
    /// The context's table name in a keymap file.
    pub fn id(self) -> &'static str {
        match self {
            Context::Cohort => "cohort",
            Context::Patient => "patient",
            Context::Jobs => "jobs",
            Context::Survival => "survival",
            Context::Chemo => "chemo",
            Context::Viewer => "viewer",
            Context::Quality => "quality",
            Context::Signature => "signature",
            Context::Tables => "tables",
            Context::Audit => "audit",
            Context::Building => "building",
            Context::Help => "help",
            Context::Confirm => "confirm",
            Context::Menu => "menu",
            Context::Input => "input",
            Context::Message => "message",
        }
    }

    /// What the context is called in the help's title.
    pub fn name(self) -> &'static str {
        match self {
            Context::Cohort => "cohort",
            Context::Patient => "patient",
            Context::Jobs => "jobs",
            Context::Survival => "survival",
            Context::Chemo => "chemotherapy benefit",
            Context::Viewer => "slice viewer",
            Context::Quality => "data quality",
            Context::Signature => "signatures",
            Context::Tables => "tables",
            Context::Audit => "audit log",
            Context::Building => "sample study",
            Context::Help => "help",
            Context::Confirm => "question",
            Context::Menu => "menu",
            Context::Input => "text entry",
            Context::Message => "message",
        }
    }
}

/// One key, with the modifiers that must be held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Modifiers other than Shift, which is part of the character typed.
    pub modifiers: KeyModifiers,
}

impl Key {
    const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    const fn char(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            modifiers: KeyModifiers::CONTROL,
        }
    }

    /// Reads a key as a keymap file writes it: one character (`j`, `G`,
    /// `/`), a name (`Up`, `Down`, `Left`, `Right`, `PageUp`, `PageDown`,
    /// `Home`, `End`, `Tab`, `BackTab`, `Enter`, `Esc`, `Space`,
    /// `Backspace`, `Delete`, `F1`…`F12`), or `Ctrl-` and a character.
    pub fn parse(text: &str) -> Result<Key, String> {
        if let Some(rest) = text.strip_prefix("Ctrl-") {
            let mut chars = rest.chars();
            return match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(Key::ctrl(c.to_ascii_lowercase())),
                _ => Err(format!("`{text}`: Ctrl- takes one character")),
            };
        }
        let mut chars = text.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(Key::char(c));
        }
        let code = match text {
            "Up" => KeyCode::Up,
            "Down" => KeyCode::Down,
            "Left" => KeyCode::Left,
            "Right" => KeyCode::Right,
            "PageUp" => KeyCode::PageUp,
            "PageDown" => KeyCode::PageDown,
            "Home" => KeyCode::Home,
            "End" => KeyCode::End,
            "Tab" => KeyCode::Tab,
            "BackTab" => KeyCode::BackTab,
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            "Space" => KeyCode::Char(' '),
            "Backspace" => KeyCode::Backspace,
            "Delete" => KeyCode::Delete,
            f if f.starts_with('F') => match f[1..].parse::<u8>() {
                Ok(n @ 1..=12) => KeyCode::F(n),
                _ => return Err(format!("`{text}` is not a key")),
            },
            _ => return Err(format!("`{text}` is not a key")),
        };
        Ok(Key::plain(code))
    }

    /// How a keymap file writes the key, which [`Key::parse`] reads back.
    pub fn file_name(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "Up".to_owned(),
            KeyCode::Down => "Down".to_owned(),
            KeyCode::Left => "Left".to_owned(),
            KeyCode::Right => "Right".to_owned(),
            KeyCode::PageUp => "PageUp".to_owned(),
            KeyCode::PageDown => "PageDown".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "BackTab".to_owned(),
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::Backspace => "Backspace".to_owned(),
            KeyCode::Delete => "Delete".to_owned(),
            KeyCode::F(n) => format!("F{n}"),
            other => other.to_string(),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }

    /// Whether a key event is this key. Shift is ignored because terminals
    /// disagree on whether `G` arrives with it.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        event.code == self.code && event.modifiers.difference(KeyModifiers::SHIFT) == self.modifiers
    }

    /// How the key is written in the help, e.g. `j`, `↓`, `Ctrl-C`.
    pub fn name(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) if self.modifiers.contains(KeyModifiers::CONTROL) => {
                c.to_ascii_uppercase().to_string()
            }
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::Left => "←".to_owned(),
            KeyCode::Right => "→".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "S-Tab".to_owned(),
            // Spelled out because crossterm writes Enter as "Return" on macOS.
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            other => other.to_string(),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }
}

/// Keys bound to one action, with what the action does in this context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    /// Every key that triggers the action.
    pub keys: &'static [Key],
    /// The action.
    pub action: Action,
    /// What the keys do here, for the help.
    pub description: &'static str,
}

const fn bind(keys: &'static [Key], action: Action, description: &'static str) -> Binding {
    Binding {
        keys,
        action,
        description,
    }
}

/// Bindings that work in every context, listed after the context's own.
const GLOBAL: &[Binding] = &[bind(
    &[Key::char('q'), Key::ctrl('c')],
    Action::Quit,
    "quit radcohort",
)];

const HELP: Binding = bind(&[Key::char('?')], Action::ToggleHelp, "show these keys");

const ERRORS: Binding = bind(
    &[Key::char('E')],
    Action::ErrorHistory,
    "show the errors so far",
);

const PALETTE: Binding = bind(&[Key::char(':')], Action::Palette, "command palette (Tab)");

/// A top-level view: a tab of the bar at the top, chosen by its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    /// The cohort table.
    Cohort,
    /// Data-quality problems.
    Quality,
    /// Background jobs.
    Jobs,
    /// The signatures and their metrics.
    Signature,
    /// Kaplan–Meier curves by group.
    Survival,
    /// Chemotherapy benefit by risk group.
    Chemo,
    /// The publication tables' preview and export.
    Tables,
    /// The audit log.
    Audit,
}

impl View {
    /// Every view, in the order of the tab bar and the number keys.
    pub const ALL: [View; 8] = [
        View::Cohort,
        View::Quality,
        View::Jobs,
        View::Signature,
        View::Survival,
        View::Chemo,
        View::Tables,
        View::Audit,
    ];

    /// The tab's title, short enough for all eight to fit one row of 80
    /// columns.
    pub fn title(self) -> &'static str {
        match self {
            View::Cohort => "Cohort",
            View::Quality => "Quality",
            View::Jobs => "Jobs",
            View::Signature => "Signature",
            View::Survival => "Survival",
            View::Chemo => "Chemo",
            View::Tables => "Tables",
            View::Audit => "Audit",
        }
    }

    /// Its position in the tab bar.
    pub fn index(self) -> usize {
        View::ALL
            .iter()
            .position(|v| *v == self)
            .unwrap_or_default()
    }
}

/// Switching between the top-level views, in every one of them.
const VIEW_KEYS: &[Binding] = &[
    bind(
        &[Key::char('1')],
        Action::View(View::Cohort),
        "view: cohort table",
    ),
    bind(
        &[Key::char('2')],
        Action::View(View::Quality),
        "view: data-quality problems",
    ),
    bind(
        &[Key::char('3')],
        Action::View(View::Jobs),
        "jobs: extract/train/score",
    ),
    bind(
        &[Key::char('4')],
        Action::View(View::Signature),
        "view: signatures",
    ),
    bind(
        &[Key::char('5')],
        Action::View(View::Survival),
        "view: survival curves",
    ),
    bind(
        &[Key::char('6')],
        Action::View(View::Chemo),
        "view: chemotherapy benefit",
    ),
    bind(
        &[Key::char('7')],
        Action::View(View::Tables),
        "view: publication tables",
    ),
    bind(
        &[Key::char('8')],
        Action::View(View::Audit),
        "view: audit log",
    ),
];

const COHORT: &[Binding] = &[
    bind(
        &[Key::char('j'), Key::plain(KeyCode::Down)],
        Action::Down,
        "next patient",
    ),
    bind(
        &[Key::char('k'), Key::plain(KeyCode::Up)],
        Action::Up,
        "previous patient",
    ),
    bind(
        &[Key::char('g'), Key::plain(KeyCode::Home)],
        Action::First,
        "first patient",
    ),
    bind(
        &[Key::char('G'), Key::plain(KeyCode::End)],
        Action::Last,
        "last patient",
    ),
    bind(
        &[Key::plain(KeyCode::PageDown)],
        Action::PageDown,
        "one page down",
    ),
    bind(
        &[Key::plain(KeyCode::PageUp)],
        Action::PageUp,
        "one page up",
    ),
    bind(
        &[Key::plain(KeyCode::Enter)],
        Action::Open,
        "open the patient, edit it",
    ),
    bind(&[Key::char('/')], Action::Filter, "filter, e.g. age > 60"),
    bind(
        &[Key::char('l'), Key::plain(KeyCode::Right)],
        Action::NextColumn,
        "next column",
    ),
    bind(
        &[Key::char('h'), Key::plain(KeyCode::Left)],
        Action::PrevColumn,
        "previous column",
    ),
    bind(
        &[Key::char('[')],
        Action::SortAscending,
        "sort ascending by column",
    ),
    bind(
        &[Key::char(']')],
        Action::SortDescending,
        "sort descending by column",
    ),
    bind(
        &[Key::char('s')],
        Action::Search,
        "search the rows for text",
    ),
    bind(&[Key::char('n')], Action::SearchNext, "next search match"),
    bind(
        &[Key::char('N')],
        Action::SearchPrev,
        "previous search match",
    ),
    bind(
        &[Key::char('F')],
        Action::Frequencies,
        "frequencies of the column",
    ),
    bind(
        &[Key::char('C')],
        Action::ChooseColumns,
        "choose the columns shown",
    ),
    HELP,
    ERRORS,
    PALETTE,
];

const PATIENT: &[Binding] = &[
    bind(
        &[Key::char('j'), Key::plain(KeyCode::Down)],
        Action::Down,
        "next field / scroll down",
    ),
    bind(
        &[Key::char('k'), Key::plain(KeyCode::Up)],
        Action::Up,
        "previous field / scroll up",
    ),
    bind(
        &[Key::char('g'), Key::plain(KeyCode::Home)],
        Action::First,
        "top of the section",
    ),
    bind(
        &[Key::char('G'), Key::plain(KeyCode::End)],
        Action::Last,
        "bottom of the section",
    ),
    bind(
        &[Key::plain(KeyCode::PageDown)],
        Action::PageDown,
        "one page down",
    ),
    bind(
        &[Key::plain(KeyCode::PageUp)],
        Action::PageUp,
        "one page up",
    ),
    bind(
        &[Key::plain(KeyCode::Enter), Key::char('e')],
        Action::Edit,
        "edit it / view the series",
    ),
    bind(&[Key::char('w')], Action::Write, "write staged changes"),
    bind(
        &[Key::char('D')],
        Action::Discard,
        "discard the staged changes",
    ),
    bind(&[Key::char('a')], Action::AddEntry, "add a timeline entry"),
    bind(
        &[Key::char('d')],
        Action::DeleteEntry,
        "delete the timeline entry",
    ),
    bind(
        &[Key::char('u')],
        Action::Undo,
        "undo the last write (asks)",
    ),
    bind(
        &[Key::plain(KeyCode::Tab), Key::char('l')],
        Action::NextSection,
        "next section",
    ),
    bind(
        &[Key::plain(KeyCode::BackTab), Key::char('h')],
        Action::PrevSection,
        "previous section",
    ),
    bind(&[Key::char('1')], Action::Section(0), "clinical values"),
    bind(&[Key::char('2')], Action::Section(1), "timeline"),
    bind(&[Key::char('3')], Action::Section(2), "imaging series"),
    bind(&[Key::char('4')], Action::Section(3), "extracted features"),
    bind(&[Key::char('5')], Action::Section(4), "signature scores"),
    bind(&[Key::char('6')], Action::Section(5), "audit history"),
    bind(
        &[Key::char(']'), Key::char('n')],
        Action::NextPatient,
        "next patient",
    ),
    bind(
        &[Key::char('['), Key::char('p')],
        Action::PrevPatient,
        "previous patient",
    ),
    bind(
        &[Key::plain(KeyCode::Esc)],
        Action::Back,
        "back to the cohort",
    ),
    HELP,
    ERRORS,
    PALETTE,
];

const JOBS: &[Binding] = &[
    bind(
        &[Key::char('N'), Key::char('a')],
        Action::NewJob,
        "start: extract/train/score",
    ),
    bind(
        &[Key::char('j'), Key::plain(KeyCode::Down)],
        Action::Down,
        "next job",
    ),
    bind(
        &[Key::char('k'), Key::plain(KeyCode::Up)],
        Action::Up,
        "previous job",
    ),
    bind(
        &[Key::char('c'), Key::char('x')],
        Action::CancelJob,
        "cancel the selected job",
    ),
    HELP,
    ERRORS,
    PALETTE,
];

const SURVIVAL: &[Binding] = &[
    bind(&[Key::char('e')], Action::ToggleEndpoint, "DFS or OS"),
    bind(
        &[Key::char('v'), Key::plain(KeyCode::Right)],
        Action::NextGrouping,
        "group by the next variable",
    ),
    bind(
        &[Key::char('V'), Key::plain(KeyCode::Left)],
        Action::PrevGrouping,
        "group by previous variable",
    ),
    bind(
        &[Key::char('c')],
        Action::NextCohort,
        "all, training, validation",
    ),
    bind(
        &[Key::char('m')],
        Action::ToggleMarker,
        "Braille or dot markers",
    ),
    HELP,
    ERRORS,
    PALETTE,
];

const CHEMO: &[Binding] = &[
    bind(&[Key::char('e')], Action::ToggleEndpoint, "DFS or OS"),
    bind(
        &[Key::char('m')],
        Action::ToggleMarker,
        "Braille or dot markers",
    ),
    HELP,
    ERRORS,
    PALETTE,
];

const VIEWER: &[Binding] = &[
    bind(
        &[Key::char('k'), Key::plain(KeyCode::Up)],
        Action::Up,
        "next slice up",
    ),
    bind(
        &[Key::char('j'), Key::plain(KeyCode::Down)],
        Action::Down,
        "next slice down",
    ),
    bind(
        &[Key::plain(KeyCode::PageUp)],
        Action::PageUp,
        "five slices up",
    ),
    bind(
        &[Key::plain(KeyCode::PageDown)],
        Action::PageDown,
        "five slices down",
    ),
    bind(&[Key::char('>')], Action::WindowWider, "wider window"),
    bind(&[Key::char('<')], Action::WindowNarrower, "narrower window"),
    bind(
        &[Key::char('+'), Key::char('=')],
        Action::LevelUp,
        "raise the level",
    ),
    bind(&[Key::char('-')], Action::LevelDown, "lower the level"),
    bind(&[Key::char('0')], Action::WindowReset, "automatic window"),
    bind(
        &[Key::plain(KeyCode::Esc)],
        Action::Back,
        "close the viewer",
    ),
    HELP,
];

// The quality, signature, tables and audit views.

const QUALITY: &[Binding] = &[
    bind(
        &[Key::char('j'), Key::plain(KeyCode::Down)],
        Action::Down,
        "next problem",
    ),
    bind(
        &[Key::char('k'), Key::plain(KeyCode::Up)],
        Action::Up,
        "previous problem",
    ),
    bind(
        &[Key::char('g'), Key::plain(KeyCode::Home)],
        Action::First,
        "first problem",
    ),
    bind(
        &[Key::char('G'), Key::plain(KeyCode::End)],
        Action::Last,
        "last problem",
    ),
    bind(
        &[Key::plain(KeyCode::PageDown)],
        Action::PageDown,
        "one page down",
    ),
    bind(
        &[Key::plain(KeyCode::PageUp)],
        Action::PageUp,
        "one page up",
    ),
    bind(
        &[Key::plain(KeyCode::Enter)],
        Action::Open,
        "open the patient to correct it (Esc comes back)",
    ),
    bind(
        &[Key::char('f')],
        Action::NextKind,
        "show one kind of problem, the next, then all",
    ),
    HELP,
    ERRORS,
    PALETTE,
];

const SIGNATURE: &[Binding] = &[
    bind(
        &[Key::char('j'), Key::plain(KeyCode::Down)],
        Action::Down,
        "next signature",
    ),
    bind(
        &[Key::char('k'), Key::plain(KeyCode::Up)],
        Action::Up,
        "previous signature",
    ),
    bind(
        &[Key::char('g'), Key::plain(KeyCode::Home)],
        Action::First,
        "first signature",
    ),
    bind(
        &[Key::char('G'), Key::plain(KeyCode::End)],
        Action::Last,
        "last signature",
    ),
    bind(
        &[Key::plain(KeyCode::PageDown)],
        Action::PageDown,
        "scroll the details down",
    ),
    bind(
        &[Key::plain(KeyCode::PageUp)],
        Action::PageUp,
        "scroll the details up",
    ),
    bind(
        &[Key::char('s')],
        Action::Score,
        "score the cohort with it (makes it active)",
    ),
    HELP,
    ERRORS,
    PALETTE,
];

const TABLES: &[Binding] = &[
    bind(
        &[Key::plain(KeyCode::Tab), Key::char('l')],
        Action::NextSection,
        "next table",
    ),
    bind(
        &[Key::plain(KeyCode::BackTab), Key::char('h')],
        Action::PrevSection,
        "previous table",
    ),
    bind(
        &[Key::char('j'), Key::plain(KeyCode::Down)],
        Action::Down,
        "scroll down",
    ),
    bind(
        &[Key::char('k'), Key::plain(KeyCode::Up)],
        Action::Up,
        "scroll up",
    ),
    bind(
        &[Key::plain(KeyCode::PageDown)],
        Action::PageDown,
        "one page down",
    ),
    bind(
        &[Key::plain(KeyCode::PageUp)],
        Action::PageUp,
        "one page up",
    ),
    bind(
        &[Key::plain(KeyCode::Right)],
        Action::ScrollRight,
        "columns further right",
    ),
    bind(
        &[Key::plain(KeyCode::Left)],
        Action::ScrollLeft,
        "columns further left",
    ),
    bind(
        &[Key::char('x')],
        Action::Export,
        "export the table shown (.csv, .md or .tex)",
    ),
    bind(
        &[Key::char('r')],
        Action::ExportReport,
        "write the full report of the active signature (a job)",
    ),
    HELP,
    ERRORS,
    PALETTE,
];

const AUDIT: &[Binding] = &[
    bind(
        &[Key::char('j'), Key::plain(KeyCode::Down)],
        Action::Down,
        "older row",
    ),
    bind(
        &[Key::char('k'), Key::plain(KeyCode::Up)],
        Action::Up,
        "newer row",
    ),
    bind(
        &[Key::char('g'), Key::plain(KeyCode::Home)],
        Action::First,
        "newest row",
    ),
    bind(
        &[Key::char('G'), Key::plain(KeyCode::End)],
        Action::Last,
        "oldest row shown",
    ),
    bind(
        &[Key::plain(KeyCode::PageDown)],
        Action::PageDown,
        "one page down",
    ),
    bind(
        &[Key::plain(KeyCode::PageUp)],
        Action::PageUp,
        "one page up",
    ),
    bind(
        &[Key::char('/')],
        Action::Filter,
        "filter: text in the time, user, record, field or values",
    ),
    HELP,
    ERRORS,
    PALETTE,
];

const BUILDING: &[Binding] = &[HELP];

const HELP_POPUP: &[Binding] = &[
    bind(
        &[Key::char('j'), Key::plain(KeyCode::Down)],
        Action::Down,
        "scroll down",
    ),
    bind(
        &[Key::char('k'), Key::plain(KeyCode::Up)],
        Action::Up,
        "scroll up",
    ),
    bind(
        &[Key::plain(KeyCode::Esc), Key::char('?')],
        Action::Back,
        "close the help",
    ),
];

const CONFIRM: &[Binding] = &[
    bind(
        &[Key::char('y'), Key::plain(KeyCode::Enter)],
        Action::Yes,
        "yes",
    ),
    bind(
        &[Key::char('n'), Key::plain(KeyCode::Esc)],
        Action::No,
        "no",
    ),
];

const MENU: &[Binding] = &[
    bind(
        &[Key::char('j'), Key::plain(KeyCode::Down)],
        Action::Down,
        "next item",
    ),
    bind(
        &[Key::char('k'), Key::plain(KeyCode::Up)],
        Action::Up,
        "previous item",
    ),
    bind(&[Key::plain(KeyCode::Enter)], Action::Accept, "choose"),
    bind(&[Key::plain(KeyCode::Esc)], Action::Back, "close the menu"),
];

const INPUT: &[Binding] = &[
    bind(
        &[Key::plain(KeyCode::Enter)],
        Action::Accept,
        "check and stage the value",
    ),
    bind(&[Key::plain(KeyCode::Esc)], Action::Back, "cancel the edit"),
];

const MESSAGE: &[Binding] = &[
    bind(
        &[Key::char('j'), Key::plain(KeyCode::Down)],
        Action::Down,
        "scroll down",
    ),
    bind(
        &[Key::char('k'), Key::plain(KeyCode::Up)],
        Action::Up,
        "scroll up",
    ),
    bind(
        &[Key::plain(KeyCode::Esc), Key::plain(KeyCode::Enter)],
        Action::Back,
        "close",
    ),
];

/// The default bindings of a context: its own first, then the view keys of
/// the top-level views, then the global ones. Popups that take text have
/// no global keys, so `q` can be typed.
pub fn defaults(context: Context) -> impl Iterator<Item = &'static Binding> {
    let (own, views, global): (&[Binding], &[Binding], &[Binding]) = match context {
        Context::Cohort => (COHORT, VIEW_KEYS, GLOBAL),
        Context::Patient => (PATIENT, &[], GLOBAL),
        Context::Jobs => (JOBS, VIEW_KEYS, GLOBAL),
        Context::Survival => (SURVIVAL, VIEW_KEYS, GLOBAL),
        Context::Chemo => (CHEMO, VIEW_KEYS, GLOBAL),
        Context::Viewer => (VIEWER, &[], GLOBAL),
        Context::Quality => (QUALITY, VIEW_KEYS, GLOBAL),
        Context::Signature => (SIGNATURE, VIEW_KEYS, GLOBAL),
        Context::Tables => (TABLES, VIEW_KEYS, GLOBAL),
        Context::Audit => (AUDIT, VIEW_KEYS, GLOBAL),
        Context::Building => (BUILDING, &[], GLOBAL),
        Context::Help => (HELP_POPUP, &[], GLOBAL),
        Context::Confirm => (CONFIRM, &[], &[]),
        Context::Menu => (MENU, &[], GLOBAL),
        Context::Input => (INPUT, &[], &[]),
        Context::Message => (MESSAGE, &[], GLOBAL),
    };
    own.iter().chain(views).chain(global)
}

/// A binding in force: a default binding with the keys the user's keymap
/// file gives its action, if it gives any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    /// Every key that triggers the action.
    pub keys: Vec<Key>,
    /// The action.
    pub action: Action,
    /// What the keys do here, for the help.
    pub description: &'static str,
}

impl Bound {
    /// The keys as written in the help, e.g. `j/↓`.
    pub fn key_names(&self) -> String {
        self.keys
            .iter()
            .map(Key::name)
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// The bindings in force in a context: the defaults with the overrides of
/// the installed keymap file (see [`super::keys_file`]).
pub fn bindings(context: Context) -> Vec<Bound> {
    bindings_with(super::keys_file::active(), context)
}

/// The bindings of a context under `overrides`.
pub fn bindings_with(overrides: &super::keys_file::Overrides, context: Context) -> Vec<Bound> {
    defaults(context)
        .map(|binding| Bound {
            keys: overrides
                .keys(context, binding.action)
                .map_or_else(|| binding.keys.to_vec(), <[Key]>::to_vec),
            action: binding.action,
            description: binding.description,
        })
        .collect()
}

/// The action a key event triggers in a context, if any.
pub fn lookup(context: Context, event: &KeyEvent) -> Option<Action> {
    bindings(context)
        .into_iter()
        .find(|binding| binding.keys.iter().any(|key| key.matches(event)))
        .map(|binding| binding.action)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for context in CONTEXTS {
            let keys: Vec<Key> = bindings(context).into_iter().flat_map(|b| b.keys).collect();
            for (i, key) in keys.iter().enumerate() {
                assert!(
                    !keys[i + 1..].contains(key),
                    "{context:?}: {} bound twice",
                    key.name()
                );
            }
        }
    }

    #[test]
    fn quit_works_everywhere_text_is_not_typed() {
        for context in CONTEXTS {
            if matches!(context, Context::Input | Context::Confirm) {
                continue;
            }
            let q = press(KeyCode::Char('q'), KeyModifiers::NONE);
            let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
            assert_eq!(lookup(context, &q), Some(Action::Quit));
            assert_eq!(lookup(context, &ctrl_c), Some(Action::Quit));
        }
    }

    #[test]
    fn shift_is_part_of_the_character_but_control_is_not() {
        let shifted_g = press(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Context::Cohort, &shifted_g), Some(Action::Last));
        let ctrl_j = press(KeyCode::Char('j'), KeyModifiers::CONTROL);
        assert_eq!(lookup(Context::Cohort, &ctrl_j), None);
    }

    #[test]
    fn key_names_read_as_in_the_help() {
        let names: Vec<String> = bindings(Context::Cohort)
            .iter()
            .map(Bound::key_names)
            .collect();
        assert!(names.contains(&"j/↓".to_owned()));
        assert!(names.contains(&"q/Ctrl-C".to_owned()));
        assert!(names.contains(&"PgDn".to_owned()));
    }
}
