//! The audit log: every change to the study, newest first — when (UTC),
//! who, what kind of change, the table and record, the field, and the
//! value before and after.
//!
//! The log grows without bound, so the view never holds all of it: it reads
//! the latest [`LIMIT`] rows ([`StudyDb::audit_recent`]) when made, when
//! the study changes, when the view is chosen and when the filter changes,
//! and only moves through those on a key. `/` filters with free text found
//! anywhere in the time, user, action, table, record, field or either value
//! (ignoring the case of ASCII letters); an empty filter shows every row.

use std::path::PathBuf;

use radcohort::study::{AuditEntry, StudyDb};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, Wrap};

use super::list::{ListCursor, render_window};
use super::{Component, Outcome, Prompt};
use crate::tui::action::Action;
use crate::tui::format::UNKNOWN;
use crate::tui::keymap::Context;
use crate::tui::study::Study;
use crate::tui::widgets::status_bar::StatusBar;

/// The most rows read at once: the latest this many that match.
pub const LIMIT: usize = 2_000;

/// Lines under the table for the selected row in full.
const DETAIL_HEIGHT: u16 = 2;

/// From this width on the table column is shown and times keep their
/// seconds; below it they are left to the detail lines.
const WIDE: u16 = 110;

/// The audit-log screen.
#[derive(Debug)]
pub struct AuditScreen {
    /// The study database the rows are read from.
    database: PathBuf,
    /// Whether to read it through a read-only connection.
    read_only: bool,
    /// The latest rows that match, newest first.
    entries: Vec<AuditEntry>,
    /// The text rows must contain, if any.
    filter: Option<String>,
    /// Why the log could not be read, if it could not.
    error: Option<String>,
    /// The row selected and the rows on screen.
    cursor: ListCursor,
}

impl AuditScreen {
    /// The latest rows of the log of `study`, the newest selected.
    pub fn new(study: &Study) -> Self {
        AuditScreen {
            database: study.database.clone(),
            read_only: study.read_only,
            entries: Vec::new(),
            filter: None,
            error: None,
            cursor: ListCursor::default(),
        }
    }

    /// The rows read, newest first.
    #[cfg(test)]
    pub fn entries(&self) -> &[AuditEntry] {
        &self.entries
    }

    /// Reads the latest rows again. A selection on the newest row stays on
    /// the newest, so new changes show up selected as a `tail -f` would
    /// show them; a selection further down stays on its row, which new
    /// rows push down the list.
    fn reload(&mut self) {
        let row = self.cursor.selected();
        let selected = self.entries.get(row).filter(|_| row > 0).map(|e| e.id);
        let open = if self.read_only {
            StudyDb::open_read_only
        } else {
            StudyDb::open
        };
        let read =
            open(&self.database).and_then(|db| db.audit_recent(self.filter.as_deref(), LIMIT));
        match read {
            Ok(entries) => {
                self.entries = entries;
                self.error = None;
            }
            Err(err) => {
                self.entries.clear();
                self.error = Some(radcohort::error_chain(&err));
            }
        }
        let position = selected.and_then(|id| self.entries.iter().position(|e| e.id == id));
        let len = self.entries.len();
        self.cursor.select(position.unwrap_or(row), len);
    }

    fn status(&self) -> String {
        let rows = if self.entries.len() >= LIMIT {
            format!("the latest {LIMIT} rows")
        } else {
            super::patient::plural(self.entries.len(), "row")
        };
        match &self.filter {
            Some(filter) => format!(" {rows} containing `{filter}`"),
            None => format!(" {rows}"),
        }
    }

    fn render_detail(&self, frame: &mut Frame, area: Rect) {
        let Some(entry) = self.entries.get(self.cursor.selected()) else {
            return;
        };
        let line = Line::from(vec![
            Span::styled(
                format!(
                    "#{} {} UTC · {} · {} {} {} · ",
                    entry.id,
                    when(&entry.at, true),
                    entry.user,
                    entry.action,
                    entry.table,
                    entry.record
                ),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!("{}: {}", entry.field, change(entry))),
        ]);
        frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), area);
    }
}

/// A stored RFC 3339 time as `2023-11-14 22:13:20`, or in `full` as
/// `11-14 22:13` to fit 80 columns (the detail lines keep the whole time);
/// a time in another form is shown as stored.
fn when(at: &str, full: bool) -> String {
    let Some(plain) = at.strip_suffix('Z') else {
        return at.to_owned();
    };
    let plain = plain.replacen('T', " ", 1);
    if full {
        plain
    } else {
        plain.chars().skip(5).take(11).collect()
    }
}

/// `old → new`, with `—` for a value that was not there.
fn change(entry: &AuditEntry) -> String {
    format!(
        "{} → {}",
        entry.old_value.as_deref().unwrap_or(UNKNOWN),
        entry.new_value.as_deref().unwrap_or(UNKNOWN)
    )
}

/// The colour of a kind of change: removals stand out.
fn action_colour(action: &str) -> Color {
    match action {
        "insert" => Color::Green,
        "delete" => Color::LightRed,
        _ => Color::Yellow,
    }
}

impl Component for AuditScreen {
    fn context(&self) -> Context {
        Context::Audit
    }

    fn render(&self, frame: &mut Frame, area: Rect, _study: &Study) {
        let [main, status] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        frame.render_widget(StatusBar::new(self.status(), "/ filter  ? help"), status);
        let block = Block::bordered().title(" Audit log · newest first · times in UTC ");
        if let Some(error) = &self.error {
            let text = vec![
                Line::styled(
                    "The audit log could not be read:",
                    Style::new().fg(Color::LightRed),
                ),
                Line::from(error.clone()),
            ];
            frame.render_widget(
                Paragraph::new(text).wrap(Wrap { trim: false }).block(block),
                main,
            );
            return;
        }
        if self.entries.is_empty() {
            let text = match &self.filter {
                Some(filter) => format!("No audit row contains `{filter}`. Press / to change it."),
                None => "The audit log is empty.".to_owned(),
            };
            frame.render_widget(
                Paragraph::new(text).wrap(Wrap { trim: false }).block(block),
                main,
            );
            return;
        }
        let inner = block.inner(main);
        frame.render_widget(block, main);
        let [list, detail] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(DETAIL_HEIGHT)]).areas(inner);
        let (window, selected) = self.cursor.window(
            usize::from(list.height.saturating_sub(1)),
            self.entries.len(),
        );
        let wide = area.width >= WIDE;
        let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
            (
                vec![
                    "When",
                    "Who",
                    "Action",
                    "Table",
                    "Record",
                    "Field",
                    "Old → new",
                ],
                vec![
                    Constraint::Length(19),
                    Constraint::Length(8),
                    Constraint::Length(6),
                    Constraint::Length(19),
                    Constraint::Length(18),
                    Constraint::Length(16),
                    Constraint::Fill(1),
                ],
            )
        } else {
            (
                vec!["When", "Who", "Act", "Record", "Field", "Old → new"],
                vec![
                    Constraint::Length(11),
                    Constraint::Length(8),
                    Constraint::Length(3),
                    Constraint::Length(13),
                    Constraint::Length(14),
                    Constraint::Fill(1),
                ],
            )
        };
        let rows = self.entries[window].iter().map(|entry| {
            let action = if wide {
                entry.action.clone()
            } else {
                entry.action.chars().take(3).collect()
            };
            let mut cells = vec![
                Span::raw(when(&entry.at, wide)),
                Span::raw(entry.user.clone()),
                Span::styled(action, Style::new().fg(action_colour(&entry.action))),
            ];
            if wide {
                cells.push(Span::raw(entry.table.clone()));
            }
            cells.extend([
                Span::raw(entry.record.clone()),
                Span::raw(entry.field.clone()),
                Span::raw(change(entry)),
            ]);
            Row::new(cells)
        });
        let table = Table::new(rows, widths)
            .header(Row::new(header).style(Style::new().add_modifier(Modifier::BOLD)));
        render_window(frame, list, table, selected);
        self.render_detail(frame, detail);
    }

    fn update(&mut self, action: Action, _study: &Study) -> Outcome {
        if self.cursor.navigate(action, self.entries.len()) {
            return Outcome::Stay;
        }
        if action != Action::Filter {
            return Outcome::Stay;
        }
        Outcome::Prompt(Prompt {
            label: "Filter the audit log".to_owned(),
            hint: "text in the time, user, record, field or values · empty: all".to_owned(),
            initial: self.filter.clone().unwrap_or_default(),
            accept: "applies",
        })
    }

    fn answer(&mut self, text: &str, _study: &Study) -> Result<Outcome, String> {
        let text = text.trim();
        self.filter = (!text.is_empty()).then(|| text.to_owned());
        self.reload();
        // A new filter starts from the newest row that matches.
        self.cursor.reset();
        if let Some(error) = &self.error {
            return Ok(Outcome::Note(format!(
                "the audit log could not be read: {error}"
            )));
        }
        let rows = super::patient::plural(self.entries.len(), "row");
        Ok(Outcome::Note(match &self.filter {
            Some(filter) => format!("{rows} contain `{filter}`"),
            None => format!("filter cleared: {rows}"),
        }))
    }

    fn study_changed(&mut self, study: &Study) {
        // Read again when next shown (the view in sight is shown again
        // after every change).
        self.database = study.database.clone();
        self.read_only = study.read_only;
    }

    fn shown(&mut self, study: &Study) {
        self.study_changed(study);
        self.reload();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixture;

    #[test]
    fn the_newest_rows_are_read_and_a_selection_at_the_top_follows_new_ones() {
        let (_dir, mut db) = fixture::populated();
        let study = fixture::load(&db);
        let mut screen = AuditScreen::new(&study);
        screen.shown(&study);
        let all = db.audit_log(None).expect("the log");
        assert_eq!(screen.entries().len(), all.len());
        assert_eq!(screen.entries().first(), all.last());

        // A change made meanwhile is read when the view is shown again.
        let mut settings = db.settings().expect("settings");
        settings.name = "Renamed".to_owned();
        db.update_settings(&settings, &fixture::actor())
            .expect("a change");
        screen.shown(&study);
        assert_eq!(screen.cursor.selected(), 0);
        assert_eq!(
            screen.entries()[0].new_value.as_deref(),
            Some("Renamed"),
            "the newest row is selected"
        );

        // A selection further down stays on its row.
        screen.update(Action::Down, &study);
        let kept = screen.entries()[1].id;
        settings.name = "Renamed again".to_owned();
        db.update_settings(&settings, &fixture::actor())
            .expect("a change");
        screen.study_changed(&study);
        assert_eq!(screen.entries()[screen.cursor.selected()].id, kept);
    }

    #[test]
    fn a_log_that_cannot_be_read_is_an_error_in_the_view() {
        let study = Study {
            database: "/nonexistent/study.db".into(),
            ..Study::default()
        };
        let mut screen = AuditScreen::new(&study);
        screen.shown(&study);
        assert!(screen.entries().is_empty());
        assert!(
            screen
                .error
                .as_deref()
                .is_some_and(|e| e.contains("study.db"))
        );
        let said = screen.answer("x", &study);
        assert!(
            matches!(&said, Ok(Outcome::Note(note)) if note.starts_with("the audit log could not be read")),
            "{said:?}"
        );
    }

    #[test]
    fn times_are_shortened_to_fit_80_columns() {
        assert_eq!(when("2023-11-14T22:13:20Z", true), "2023-11-14 22:13:20");
        assert_eq!(when("2023-11-14T22:13:20Z", false), "11-14 22:13");
        assert_eq!(when("yesterday", false), "yesterday");
    }
}
