//! The cohort table: one row per patient with the endpoints and imaging
//! status a coordinator scans for gaps.

use std::cell::Cell;

use radcohort::study::query::{Field as QueryField, FieldKind, Query, Row as QueryRow, ValueRef};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph, Row, Table, TableState, Wrap};

use super::{Component, Outcome, Prompt, page_step, step};
use crate::tui::action::Action;
use crate::tui::format;
use crate::tui::keymap::Context;
use crate::tui::study::{Patient, Study};
use crate::tui::widgets::status_bar::StatusBar;

/// Rows moved by PgUp/PgDn before the first draw tells the real height.
const DEFAULT_PAGE: usize = 10;

const HEADER: [&str; 8] = [
    "Study ID", "Cohort", "Surgery", "DFS", "OS", "Chemo", "Risk", "Imaging",
];

/// Column widths that fit 80 columns with borders and the selection mark;
/// the study id takes what is left because ids vary most in length.
const WIDTHS: [Constraint; 8] = [
    Constraint::Fill(1),
    Constraint::Length(10),
    Constraint::Length(10),
    Constraint::Length(11),
    Constraint::Length(11),
    Constraint::Length(5),
    Constraint::Length(4),
    Constraint::Length(9),
];

/// The cohort table screen.
#[derive(Debug)]
pub struct CohortScreen {
    /// The patients shown, as indexes of the study's, in display order.
    visible: Vec<usize>,
    /// The filter applied, if any.
    filter: Option<Query>,
    /// The row selected, an index of `visible`.
    selected: usize,
    /// The first visible row, kept between draws so the view scrolls only
    /// when the selection leaves it.
    offset: Cell<usize>,
    /// Patient rows visible at the last draw.
    page: Cell<usize>,
}

impl CohortScreen {
    /// The table of `study`, with the first patient selected.
    pub fn new(study: &Study) -> Self {
        CohortScreen {
            visible: (0..study.patients.len()).collect(),
            filter: None,
            selected: 0,
            offset: Cell::new(0),
            page: Cell::new(DEFAULT_PAGE),
        }
    }

    /// The index of the selected patient; meaningless when there are none.
    #[cfg(test)]
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// Selects the patient at `index` of the study if it is shown, else
    /// keeps the selection within the rows shown.
    pub fn select(&mut self, index: usize) {
        match self.visible.iter().position(|&i| i == index) {
            Some(row) => self.selected = row,
            None => self.selected = step(self.selected, 0, self.visible.len()),
        }
    }

    fn move_by(&mut self, delta: isize) {
        self.selected = step(self.selected, delta, self.visible.len());
    }

    /// The filter's text, for editing it again.
    pub fn filter_text(&self) -> &str {
        self.filter.as_ref().map_or("", Query::as_str)
    }

    /// Filters the rows with `text` (empty: every row), keeping the
    /// selected patient selected when it is still shown. A filter that
    /// does not compile changes nothing; the error says where and why.
    pub fn set_filter(&mut self, study: &Study, text: &str) -> Result<usize, String> {
        let selected = self.visible.get(self.selected).copied();
        self.filter = if text.trim().is_empty() {
            None
        } else {
            let columns = query_columns(study);
            let fields: Vec<QueryField> = columns.iter().map(|c| c.field.clone()).collect();
            let query = Query::parse(text, &fields)
                .map_err(|err| format!("{err} (at character {})", err.char_offset() + 1))?;
            Some(query)
        };
        self.refilter(study);
        self.selected = 0;
        if let Some(index) = selected {
            self.select(index);
        }
        Ok(self.visible.len())
    }

    fn refilter(&mut self, study: &Study) {
        self.visible = match &self.filter {
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
    }

    fn row(patient: &Patient) -> Row<'_> {
        let record = &patient.record;
        let endpoints = &patient.endpoints;
        let imaging = format::imaging_status(patient);
        let imaging_style = if patient.missing_files() > 0 {
            Style::new().fg(Color::Red)
        } else {
            Style::new()
        };
        Row::new(vec![
            Span::raw(record.study_id()),
            Span::raw(format::or_unknown(record.patient.cohort)),
            Span::raw(format::date(record.surgery.date)),
            Span::raw(format::time_to_event(endpoints.dfs)),
            Span::raw(format::time_to_event(endpoints.os)),
            Span::raw(format::yes_no(endpoints.adjuvant_chemo)),
            Span::raw(format::or_unknown(patient.risk_group().map(|g| g.as_str()))),
            Span::styled(imaging, imaging_style),
        ])
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
            text.push_str(&format!(" · row {}", self.selected + 1));
        }
        Line::from(text)
    }

    fn render_empty(&self, frame: &mut Frame, area: Rect, block: Block) {
        let text = vec![
            Line::from("No patients in this study yet."),
            Line::from(""),
            Line::from("Import the data dictionary, then the patients:"),
            Line::from("  radcohort import dictionary dictionary.csv"),
            Line::from("  radcohort import patients patients.csv"),
        ];
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: false })
                .block(block.padding(Padding::uniform(1))),
            area,
        );
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
        if study.patients.is_empty() {
            self.render_empty(frame, main, block);
            return;
        }
        // Two rows for the borders and one for the header.
        self.page
            .set(usize::from(main.height.saturating_sub(3)).max(1));
        let header = Row::new(HEADER).style(Style::new().add_modifier(Modifier::BOLD));
        let rows = self
            .visible
            .iter()
            .filter_map(|&i| study.patients.get(i))
            .map(Self::row);
        let table = Table::new(rows, WIDTHS)
            .header(header)
            .block(block)
            .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
            .highlight_symbol("▶ ");
        let mut state = TableState::new()
            .with_offset(self.offset.get())
            .with_selected(Some(self.selected));
        frame.render_stateful_widget(table, main, &mut state);
        self.offset.set(state.offset());
    }

    fn study_changed(&mut self, study: &Study) {
        let selected = self.visible.get(self.selected).copied();
        // A filter naming a variable the study no longer has is dropped.
        if let Some(query) = &self.filter {
            let text = query.as_str().to_owned();
            if self.set_filter(study, &text).is_err() {
                self.filter = None;
            }
        }
        self.refilter(study);
        self.selected = 0;
        if let Some(index) = selected {
            self.select(index);
        }
    }

    fn answer(&mut self, text: &str, study: &Study) -> Result<Outcome, String> {
        let shown = self.set_filter(study, text)?;
        Ok(Outcome::Note(format!(
            "{shown} of {} patients shown",
            study.patients.len()
        )))
    }

    fn update(&mut self, action: Action, _study: &Study) -> Outcome {
        let page = page_step(self.page.get());
        match action {
            Action::Down => self.move_by(1),
            Action::Up => self.move_by(-1),
            Action::PageDown => self.move_by(page),
            Action::PageUp => self.move_by(-page),
            Action::First => self.selected = 0,
            Action::Last => self.move_by(isize::MAX),
            Action::Filter => {
                return Outcome::Prompt(Prompt {
                    label: "Filter the cohort".to_owned(),
                    hint: "e.g. cohort = validation and risk = high · empty shows all".to_owned(),
                    initial: self.filter_text().to_owned(),
                    accept: "applies",
                });
            }
            Action::Open => {
                if let Some(&index) = self.visible.get(self.selected) {
                    return Outcome::OpenPatient(index);
                }
            }
            _ => {}
        }
        Outcome::Stay
    }
}

/// A column the filter language can name, and how a patient's value is
/// read for it.
#[derive(Debug, Clone)]
struct QueryColumn {
    field: QueryField,
    read: ColumnRead,
}

#[derive(Debug, Clone)]
enum ColumnRead {
    StudyId,
    Cohort,
    Sex,
    Age,
    SurgeryDate,
    Procedure,
    AdjuvantChemo,
    EarlyRecurrence,
    DfsEvent,
    OsEvent,
    Risk,
    Score,
    /// A dictionary variable, by name.
    Variable(String),
}

/// The columns of the cohort filter: the table's own, the endpoints, the
/// active signature's score and risk group, then every dictionary variable.
fn query_columns(study: &Study) -> Vec<QueryColumn> {
    let levels = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect();
    let column = |name: &str, kind, read| QueryColumn {
        field: QueryField::new(name, kind),
        read,
    };
    let mut columns = vec![
        column("study_id", FieldKind::Text, ColumnRead::StudyId),
        column(
            "cohort",
            FieldKind::Categorical(levels(&["training", "validation"])),
            ColumnRead::Cohort,
        ),
        column(
            "sex",
            FieldKind::Categorical(levels(&["M", "F"])),
            ColumnRead::Sex,
        ),
        column("age", FieldKind::Number, ColumnRead::Age),
        column("surgery_date", FieldKind::Date, ColumnRead::SurgeryDate),
        column(
            "procedure",
            FieldKind::Categorical(levels(&["minor", "major"])),
            ColumnRead::Procedure,
        ),
        column("chemo", FieldKind::Boolean, ColumnRead::AdjuvantChemo),
        column(
            "early_recurrence",
            FieldKind::Boolean,
            ColumnRead::EarlyRecurrence,
        ),
        column("dfs_event", FieldKind::Boolean, ColumnRead::DfsEvent),
        column("os_event", FieldKind::Boolean, ColumnRead::OsEvent),
        column(
            "risk",
            FieldKind::Categorical(levels(&["high", "low"])),
            ColumnRead::Risk,
        ),
        column("score", FieldKind::Number, ColumnRead::Score),
    ];
    columns.extend(study.dictionary.iter().map(|variable| QueryColumn {
        field: QueryField::from_variable(variable),
        read: ColumnRead::Variable(variable.name.clone()),
    }));
    columns
}

/// A patient as a row of the filter's columns.
struct PatientFields<'a> {
    patient: &'a Patient,
    columns: &'a [QueryColumn],
}

impl QueryRow for PatientFields<'_> {
    fn value(&self, field: usize) -> Option<ValueRef<'_>> {
        let patient = self.patient;
        let record = &patient.record;
        match &self.columns.get(field)?.read {
            ColumnRead::StudyId => Some(ValueRef::Text(record.study_id())),
            ColumnRead::Cohort => record.patient.cohort.map(|c| ValueRef::Level(c.as_str())),
            ColumnRead::Sex => record.patient.sex.map(|s| ValueRef::Level(s.as_str())),
            ColumnRead::Age => record.patient.age_at_surgery.map(ValueRef::Number),
            ColumnRead::SurgeryDate => record.surgery.date.map(ValueRef::Date),
            ColumnRead::Procedure => record
                .surgery
                .procedure
                .map(|p| ValueRef::Level(p.as_str())),
            ColumnRead::AdjuvantChemo => patient.endpoints.adjuvant_chemo.map(ValueRef::Bool),
            ColumnRead::EarlyRecurrence => patient.endpoints.early_recurrence.map(ValueRef::Bool),
            ColumnRead::DfsEvent => patient.endpoints.dfs.map(|t| ValueRef::Bool(t.event)),
            ColumnRead::OsEvent => patient.endpoints.os.map(|t| ValueRef::Bool(t.event)),
            ColumnRead::Risk => patient.risk_group().map(|g| ValueRef::Level(g.as_str())),
            ColumnRead::Score => patient.score.as_ref().map(|s| ValueRef::Number(s.score)),
            ColumnRead::Variable(name) => record.values.get(name).map(ValueRef::from),
        }
    }
}
