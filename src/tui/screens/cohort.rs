//! The cohort table: one row per patient with the endpoints and imaging
//! status a coordinator scans for gaps.

use std::cell::Cell;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph, Row, Table, TableState, Wrap};

use super::{Component, Outcome, page_step, step};
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
    /// Patients in the study, for clamping the selection between draws.
    len: usize,
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
            len: study.patients.len(),
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

    /// Selects the patient at `index`, clamped to the cohort.
    pub fn select(&mut self, index: usize) {
        self.selected = step(index, 0, self.len);
    }

    fn move_by(&mut self, delta: isize) {
        self.selected = step(self.selected, delta, self.len);
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
        let mut text = format!(
            " {} patients · {} training · {} validation",
            counts.patients, counts.training, counts.validation
        );
        if counts.patients > 0 {
            text.push_str(&format!(" · row {}/{}", self.selected + 1, counts.patients));
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
        frame.render_widget(StatusBar::new(self.status(study), "? help  q quit"), status);
        if study.patients.is_empty() {
            self.render_empty(frame, main, block);
            return;
        }
        // Two rows for the borders and one for the header.
        self.page
            .set(usize::from(main.height.saturating_sub(3)).max(1));
        let header = Row::new(HEADER).style(Style::new().add_modifier(Modifier::BOLD));
        let table = Table::new(study.patients.iter().map(Self::row), WIDTHS)
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
        self.len = study.patients.len();
        self.select(self.selected);
    }

    fn update(&mut self, action: Action, _study: &Study) -> Outcome {
        let page = page_step(self.page.get());
        match action {
            Action::Down => self.move_by(1),
            Action::Up => self.move_by(-1),
            Action::PageDown => self.move_by(page),
            Action::PageUp => self.move_by(-page),
            Action::First => self.selected = 0,
            Action::Last => self.select(usize::MAX),
            Action::Open if self.len > 0 => {
                return Outcome::OpenPatient(self.selected);
            }
            _ => {}
        }
        Outcome::Stay
    }
}
