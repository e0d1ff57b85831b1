//! The cohort table: one row per patient, with the columns a coordinator
//! chooses, sorted by any column, filtered by an expression over any
//! column or dictionary variable, searched by text, and a frequency view
//! of one column.

use radcohort::study::query::{Field as QueryField, Query, Row as QueryRow, ValueRef};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell as TableCell, Padding, Paragraph, Row, Table, Wrap};

use super::columns::{Column, all_columns, default_columns};
use super::list::{ListCursor, render_window};
use super::{Component, Outcome, Prompt, step};
use crate::tui::action::Action;
use crate::tui::format;
use crate::tui::keymap::Context;
use crate::tui::study::{Patient, Study};
use crate::tui::widgets::status_bar::StatusBar;

/// What a prompt of this screen is asking for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asking {
    Filter,
    Search,
}

/// How the rows are sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sort {
    column: Column,
    descending: bool,
}

/// One level of a frequency table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frequency {
    /// The level as shown in the table.
    pub level: String,
    /// Patients with it.
    pub count: usize,
}

/// The cohort table screen.
#[derive(Debug)]
pub struct CohortScreen {
    /// The columns shown, in order.
    columns: Vec<Column>,
    /// The column under the cursor (an index of `columns`).
    column: usize,
    sort: Option<Sort>,
    /// The patients shown, as indexes of the study's, in display order.
    visible: Vec<usize>,
    /// The filter applied, if any.
    filter: Option<Query>,
    /// The text `n`/`N` look for.
    search: Option<String>,
    asking: Asking,
    /// The row selected (an index of `visible`) and the rows on screen.
    cursor: ListCursor,
}

impl CohortScreen {
    /// The table of `study`, with the first patient selected.
    pub fn new(study: &Study) -> Self {
        CohortScreen {
            columns: default_columns(),
            column: 0,
            sort: None,
            visible: (0..study.patients.len()).collect(),
            filter: None,
            search: None,
            asking: Asking::Filter,
            cursor: ListCursor::default(),
        }
    }

    /// The index of the selected row; meaningless when there are none.
    #[cfg(test)]
    pub fn selected(&self) -> usize {
        self.cursor.selected()
    }

    /// The study indexes of the rows shown, in order.
    #[cfg(test)]
    pub fn visible(&self) -> &[usize] {
        &self.visible
    }

    /// Selects the patient at `index` of the study if it is shown, else
    /// keeps the selection within the rows shown.
    pub fn select(&mut self, index: usize) {
        match self.visible.iter().position(|&i| i == index) {
            Some(row) => self.cursor.select(row, self.visible.len()),
            None => self.cursor.move_by(0, self.visible.len()),
        }
    }

    /// The filter's text, for editing it again.
    pub fn filter_text(&self) -> &str {
        self.filter.as_ref().map_or("", Query::as_str)
    }

    /// Filters the rows with `text` (empty: every row), keeping the
    /// selected patient selected when it is still shown. A filter that
    /// does not compile changes nothing; the error says where and why.
    pub fn set_filter(&mut self, study: &Study, text: &str) -> Result<usize, String> {
        self.filter = if text.trim().is_empty() {
            None
        } else {
            let fields: Vec<QueryField> = query_columns(study)
                .iter()
                .map(|c| c.query_field(study))
                .collect();
            let query = Query::parse(text, &fields)
                .map_err(|err| format!("{err} (at character {})", err.char_offset() + 1))?;
            Some(query)
        };
        self.rebuild(study);
        Ok(self.visible.len())
    }

    /// Recomputes the rows shown (filter, then sort), keeping the selected
    /// patient selected when it is still shown.
    fn rebuild(&mut self, study: &Study) {
        let selected = self.visible.get(self.cursor.selected()).copied();
        let mut visible: Vec<usize> = match &self.filter {
            None => (0..study.patients.len()).collect(),
            Some(query) => {
                let columns = query_columns(study);
                study
                    .patients
                    .iter()
                    .enumerate()
                    .filter(|(_, patient)| {
                        query.matches(&PatientFields {
                            patient,
                            columns: &columns,
                        })
                    })
                    .map(|(i, _)| i)
                    .collect()
            }
        };
        if let Some(sort) = &self.sort {
            // Stable, so equal values stay in study-id order.
            visible.sort_by(|&a, &b| {
                sort.column
                    .compare(&study.patients[a], &study.patients[b], sort.descending)
            });
        }
        self.visible = visible;
        self.cursor.select(0, self.visible.len());
        if let Some(index) = selected {
            self.select(index);
        }
    }

    /// Sorts by the column under the cursor.
    fn sort_by_cursor(&mut self, study: &Study, descending: bool) -> Outcome {
        let Some(column) = self.columns.get(self.column).cloned() else {
            return Outcome::Stay;
        };
        self.sort_by(study, column, descending)
    }

    /// Sorts by `column`, shown or not.
    pub fn sort_by(&mut self, study: &Study, column: Column, descending: bool) -> Outcome {
        let note = format!(
            "sorted by {} {}",
            column.header(study),
            if descending {
                "descending"
            } else {
                "ascending"
            }
        );
        self.sort = Some(Sort { column, descending });
        self.rebuild(study);
        self.cursor.reset();
        Outcome::Note(note)
    }

    /// Moves to the next (or previous) row whose cells contain the search
    /// text, case-insensitively, wrapping around.
    fn search_step(&mut self, study: &Study, forward: bool) -> Outcome {
        let Some(needle) = self.search.clone() else {
            return Outcome::Note("no search yet: s searches".to_owned());
        };
        let len = self.visible.len();
        for k in 1..=len {
            let row = if forward {
                (self.cursor.selected() + k) % len
            } else {
                (self.cursor.selected() + len - k % len) % len
            };
            let patient = &study.patients[self.visible[row]];
            if self.row_contains(patient, &needle) {
                self.cursor.select(row, len);
                return Outcome::Stay;
            }
        }
        Outcome::Note(format!("`{needle}` is not in the rows shown"))
    }

    fn row_contains(&self, patient: &Patient, needle: &str) -> bool {
        self.columns
            .iter()
            .any(|column| column.cell(patient).0.to_lowercase().contains(needle))
    }

    /// Counts of each level of the column under the cursor among the rows
    /// shown, most frequent first (ties in level order), the missing mark
    /// counted as a level of its own.
    pub fn frequencies(&self, study: &Study) -> Vec<Frequency> {
        let Some(column) = self.columns.get(self.column) else {
            return Vec::new();
        };
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for &i in &self.visible {
            *counts.entry(column.level(&study.patients[i])).or_default() += 1;
        }
        let mut levels: Vec<Frequency> = counts
            .into_iter()
            .map(|(level, count)| Frequency { level, count })
            .collect();
        levels.sort_by_key(|l| std::cmp::Reverse(l.count));
        levels
    }

    fn frequency_lines(&self, study: &Study) -> (String, Vec<String>) {
        let column = self.columns.get(self.column);
        let name = column.map_or_else(String::new, |c| c.header(study));
        let levels = self.frequencies(study);
        let total: usize = levels.iter().map(|l| l.count).sum();
        let width = levels
            .iter()
            .map(|l| l.level.chars().count())
            .max()
            .unwrap_or(0)
            .clamp(5, 30);
        let mut lines = vec![format!("{:width$}  {:>6}  {:>6}", "Level", "n", "%")];
        for level in &levels {
            let percent = 100.0 * level.count as f64 / total.max(1) as f64;
            lines.push(format!(
                "{:width$}  {:>6}  {:>5.1}%",
                format::fit(&level.level, width),
                level.count,
                percent
            ));
        }
        lines.push(format!("{:width$}  {:>6}", "total", total));
        if column.is_some_and(|c| c.is_numeric(study)) {
            lines.push("(each distinct value is a level)".to_owned());
        }
        (format!("Frequencies of {name}"), lines)
    }

    fn status(&self, study: &Study) -> Line<'static> {
        let counts = study.counts();
        let mut text = match &self.filter {
            None => format!(
                " {} patients · {} training · {} validation",
                counts.patients, counts.training, counts.validation
            ),
            Some(query) => format!(
                " {} of {} patients match `{}`",
                self.visible.len(),
                counts.patients,
                query.as_str()
            ),
        };
        if !self.visible.is_empty() {
            text.push_str(&format!(" · row {}", self.cursor.selected() + 1));
        }
        Line::from(text)
    }

    fn render_empty(&self, frame: &mut Frame, area: Rect, block: Block) {
        let text = if self.filter.is_some() {
            vec![
                Line::from("No patient matches the filter."),
                Line::from(""),
                Line::from("Press / to change it; an empty filter shows everyone."),
            ]
        } else {
            vec![
                Line::from("No patients in this study yet."),
                Line::from(""),
                Line::from("Import the data dictionary, then the patients:"),
                Line::from("  radcohort import dictionary dictionary.csv"),
                Line::from("  radcohort import patients patients.csv"),
            ]
        };
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: false })
                .block(block.padding(Padding::uniform(1))),
            area,
        );
    }

    /// The columns that fit `width` from the cursor's, so the cursor's
    /// column is always on screen.
    fn shown_columns(&self, width: u16) -> std::ops::Range<usize> {
        // Borders, the selection mark and one space between columns.
        let room = usize::from(width).saturating_sub(4);
        let min_width = |c: &Column| match c.width() {
            Constraint::Length(n) | Constraint::Min(n) => usize::from(n),
            _ => 8,
        };
        let mut first = 0;
        loop {
            let mut used = 0;
            let mut end = first;
            while end < self.columns.len() {
                let need = min_width(&self.columns[end]) + 1;
                if used + need > room && end > first {
                    break;
                }
                used += need;
                end += 1;
            }
            if self.column < end || first >= self.column {
                return first..end.max(first + 1).min(self.columns.len());
            }
            first += 1;
        }
    }
}

impl Component for CohortScreen {
    fn context(&self) -> Context {
        Context::Cohort
    }

    fn render(&self, frame: &mut Frame, area: Rect, study: &Study) {
        let [main, status] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let title = format!(" {} · {} ", study.name, study.source);
        let block = Block::bordered().title(title);
        frame.render_widget(
            StatusBar::new(self.status(study), "/ filter  ? help"),
            status,
        );
        if self.visible.is_empty() {
            self.render_empty(frame, main, block);
            return;
        }
        let range = self.shown_columns(main.width);
        let columns = &self.columns[range.clone()];
        let header = Row::new(columns.iter().enumerate().map(|(i, column)| {
            let mut text = column.header(study);
            if let Some(sort) = &self.sort
                && sort.column == *column
            {
                text.push(if sort.descending { '↓' } else { '↑' });
            }
            let style = if range.start + i == self.column {
                Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
            } else {
                Style::new().add_modifier(Modifier::BOLD)
            };
            TableCell::from(Span::styled(text, style))
        }));
        // Only the rows on screen are built; two rows go to the borders and
        // one to the header.
        let (window, selected) = self.cursor.window(
            usize::from(main.height.saturating_sub(3)),
            self.visible.len(),
        );
        let shown = &self.visible[window];
        let rows = shown
            .iter()
            .filter_map(|&i| study.patients.get(i))
            .map(|patient| {
                Row::new(columns.iter().map(|column| {
                    let (text, style) = column.cell(patient);
                    TableCell::from(Span::styled(text, style))
                }))
            });
        let widths: Vec<Constraint> = columns.iter().map(Column::width).collect();
        let table = Table::new(rows, widths).header(header).block(block);
        render_window(frame, main, table, selected);
        if range.start > 0 || range.end < self.columns.len() {
            let more = format!(
                " columns {}–{} of {} ",
                range.start + 1,
                range.end,
                self.columns.len()
            );
            let width = u16::try_from(more.chars().count()).unwrap_or(0);
            let x = main.right().saturating_sub(width + 1);
            frame.render_widget(
                Paragraph::new(more).style(Style::new().fg(Color::Cyan)),
                Rect::new(x, main.y, width.min(main.width), 1).intersection(main),
            );
        }
    }

    fn update(&mut self, action: Action, study: &Study) -> Outcome {
        if self.cursor.navigate(action, self.visible.len()) {
            return Outcome::Stay;
        }
        match action {
            Action::NextColumn => self.column = step(self.column, 1, self.columns.len()),
            Action::PrevColumn => self.column = step(self.column, -1, self.columns.len()),
            Action::SortAscending => return self.sort_by_cursor(study, false),
            Action::SortDescending => return self.sort_by_cursor(study, true),
            Action::Filter => {
                self.asking = Asking::Filter;
                return Outcome::Prompt(Prompt {
                    label: "Filter the cohort".to_owned(),
                    hint: "e.g. cohort = validation and risk = high · empty shows all".to_owned(),
                    initial: self.filter_text().to_owned(),
                    accept: "applies",
                });
            }
            Action::Search => {
                self.asking = Asking::Search;
                return Outcome::Prompt(Prompt {
                    label: "Search the rows shown".to_owned(),
                    hint: "text in any column shown; n next, N previous".to_owned(),
                    initial: self.search.clone().unwrap_or_default(),
                    accept: "searches",
                });
            }
            Action::SearchNext => return self.search_step(study, true),
            Action::SearchPrev => return self.search_step(study, false),
            Action::Frequencies => {
                let (title, lines) = self.frequency_lines(study);
                return Outcome::Show(title, lines);
            }
            Action::ChooseColumns => {
                let items = all_columns(study)
                    .into_iter()
                    .map(|column| {
                        let shown = self.columns.contains(&column);
                        let mark = if shown { "[x]" } else { "[ ]" };
                        (format!("{mark} {}", column.header(study)), column)
                    })
                    .collect();
                return Outcome::ChooseColumns(items);
            }
            Action::Open => {
                if let Some(&index) = self.visible.get(self.cursor.selected()) {
                    return Outcome::OpenPatient(index);
                }
            }
            _ => {}
        }
        Outcome::Stay
    }

    fn answer(&mut self, text: &str, study: &Study) -> Result<Outcome, String> {
        match self.asking {
            Asking::Filter => {
                let shown = self.set_filter(study, text)?;
                Ok(Outcome::Note(format!(
                    "{shown} of {} patients shown",
                    study.patients.len()
                )))
            }
            Asking::Search => {
                let needle = text.trim().to_lowercase();
                if needle.is_empty() {
                    self.search = None;
                    return Ok(Outcome::Stay);
                }
                self.search = Some(needle);
                // Start from the row before so the current row counts.
                let len = self.visible.len();
                if len == 0 {
                    return Ok(Outcome::Stay);
                }
                self.cursor
                    .select((self.cursor.selected() + len - 1) % len, len);
                Ok(self.search_step(study, true))
            }
        }
    }

    fn study_changed(&mut self, study: &Study) {
        // A filter naming a variable the study no longer has is dropped.
        if let Some(query) = &self.filter {
            let text = query.as_str().to_owned();
            if self.set_filter(study, &text).is_err() {
                self.filter = None;
            }
        }
        self.columns.retain(|column| match column {
            Column::Variable(name) => study.dictionary.iter().any(|v| &v.name == name),
            _ => true,
        });
        self.column = step(self.column, 0, self.columns.len());
        self.rebuild(study);
    }
}

impl CohortScreen {
    /// Shows or hides a column; the study id stays, so rows can always be
    /// told apart.
    pub fn toggle_column(&mut self, column: Column) {
        if column == Column::StudyId {
            return;
        }
        match self.columns.iter().position(|c| *c == column) {
            Some(at) => {
                self.columns.remove(at);
            }
            None => self.columns.push(column),
        }
        self.column = step(self.column, 0, self.columns.len());
    }
}

/// The columns of the cohort filter: every column the study offers.
fn query_columns(study: &Study) -> Vec<Column> {
    all_columns(study)
}

/// A patient as a row of the filter's columns.
struct PatientFields<'a> {
    patient: &'a Patient,
    columns: &'a [Column],
}

impl QueryRow for PatientFields<'_> {
    fn value(&self, field: usize) -> Option<ValueRef<'_>> {
        self.columns.get(field)?.query_value(self.patient)
    }
}
