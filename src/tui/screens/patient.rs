//! One patient in detail, in three sections: clinical values, the timeline
//! from surgery, and the imaging series.

use std::cell::Cell;
use std::rc::Rc;

use chrono::NaiveDate;
use radcohort::study::model::{EventKind, Procedure};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, Tabs};

use super::{Component, Outcome, page_step, step};
use crate::tui::action::Action;
use crate::tui::format::{self, UNKNOWN};
use crate::tui::keymap::Context;
use crate::tui::study::{FileStatus, Patient, Study};
use crate::tui::widgets::status_bar::StatusBar;

/// Lines scrolled by PgUp/PgDn before the first draw tells the real height.
const DEFAULT_PAGE: usize = 10;

/// Labels wider than this are cut, so values keep a column of their own.
const MAX_LABEL: usize = 32;

/// The sections of the view, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Demographics, surgery, endpoints and dictionary values.
    Clinical,
    /// Dated events counted from surgery.
    Timeline,
    /// Image volumes and masks.
    Imaging,
}

impl Section {
    /// Every section, in tab order; the number keys index this.
    pub const ALL: [Section; 3] = [Section::Clinical, Section::Timeline, Section::Imaging];

    /// The tab title.
    pub fn title(self) -> &'static str {
        match self {
            Section::Clinical => "Clinical",
            Section::Timeline => "Timeline",
            Section::Imaging => "Imaging",
        }
    }

    fn index(self) -> usize {
        Section::ALL
            .iter()
            .position(|s| *s == self)
            .unwrap_or_default()
    }
}

/// The patient detail screen.
#[derive(Debug)]
pub struct PatientScreen {
    study: Rc<Study>,
    index: usize,
    section: Section,
    scroll: usize,
    /// Content lines visible at the last draw.
    page: Cell<usize>,
}

impl PatientScreen {
    /// The patient at `index` of `study` (clamped), on the clinical section.
    pub fn new(study: Rc<Study>, index: usize) -> Self {
        let index = step(index, 0, study.patients.len());
        PatientScreen {
            study,
            index,
            section: Section::Clinical,
            scroll: 0,
            page: Cell::new(DEFAULT_PAGE),
        }
    }

    /// The index of the patient shown.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The section shown.
    #[cfg(test)]
    pub fn section(&self) -> Section {
        self.section
    }

    /// The first content line shown.
    #[cfg(test)]
    pub fn scroll(&self) -> usize {
        self.scroll
    }

    fn patient(&self) -> Option<&Patient> {
        self.study.patients.get(self.index)
    }

    fn lines(&self) -> Vec<Line<'static>> {
        let Some(patient) = self.patient() else {
            return vec![Line::from("This patient is no longer in the study.")];
        };
        match self.section {
            Section::Clinical => clinical_lines(patient, &self.study),
            Section::Timeline => timeline_lines(patient),
            Section::Imaging => imaging_lines(patient),
        }
    }

    fn max_scroll(&self) -> usize {
        self.lines().len().saturating_sub(self.page.get())
    }

    fn scroll_by(&mut self, delta: isize) {
        self.scroll = step(self.scroll, delta, self.max_scroll() + 1);
    }

    fn show_section(&mut self, section: Section) {
        self.section = section;
        self.scroll = 0;
    }

    fn show_patient(&mut self, delta: isize) {
        self.index = step(self.index, delta, self.study.patients.len());
        self.scroll = 0;
    }
}

impl Component for PatientScreen {
    fn context(&self) -> Context {
        Context::Patient
    }

    fn render(&self, frame: &mut Frame, area: Rect) {
        let [main, status] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let study_id = self.patient().map_or(UNKNOWN, |p| p.record.study_id());
        let position = format!(" {} of {} ", self.index + 1, self.study.patients.len());
        let block = Block::bordered()
            .title(format!(" {study_id} "))
            .title(Line::from(position).right_aligned());
        let inner = block.inner(main);
        frame.render_widget(block, main);

        let [tabs, content] =
            Layout::vertical([Constraint::Length(2), Constraint::Fill(1)]).areas(inner);
        let titles = Section::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{} {}", i + 1, s.title()));
        frame.render_widget(
            Tabs::new(titles)
                .select(self.section.index())
                .highlight_style(Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)),
            tabs,
        );

        let lines = self.lines();
        let visible = usize::from(content.height).max(1);
        self.page.set(visible);
        let scroll = self.scroll.min(lines.len().saturating_sub(visible));
        let total = lines.len();
        frame.render_widget(
            Paragraph::new(lines).scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
            content,
        );
        if total > visible {
            let mut state = ScrollbarState::new(total - visible + 1).position(scroll);
            // On the right border beside the content, not the tabs.
            let track = Rect::new(main.right().saturating_sub(1), content.y, 1, content.height);
            frame.render_stateful_widget(
                Scrollbar::new(ScrollbarOrientation::VerticalRight),
                track,
                &mut state,
            );
        }

        let info = format!(" {study_id} · {}", self.section.title());
        frame.render_widget(StatusBar::new(info, "Esc back  ? help  q quit"), status);
    }

    fn update(&mut self, action: Action) -> Outcome {
        let page = page_step(self.page.get());
        match action {
            Action::Back => return Outcome::Back,
            Action::Down => self.scroll_by(1),
            Action::Up => self.scroll_by(-1),
            Action::PageDown => self.scroll_by(page),
            Action::PageUp => self.scroll_by(-page),
            Action::First => self.scroll = 0,
            Action::Last => self.scroll = self.max_scroll(),
            Action::NextSection => {
                let next = (self.section.index() + 1) % Section::ALL.len();
                self.show_section(Section::ALL[next]);
            }
            Action::PrevSection => {
                let count = Section::ALL.len();
                let prev = (self.section.index() + count - 1) % count;
                self.show_section(Section::ALL[prev]);
            }
            Action::Section(index) => {
                if let Some(section) = Section::ALL.get(index) {
                    self.show_section(*section);
                }
            }
            Action::NextPatient => self.show_patient(1),
            Action::PrevPatient => self.show_patient(-1),
            _ => {}
        }
        Outcome::Stay
    }
}

fn heading(text: &str) -> Line<'static> {
    Line::styled(
        format!(" {text}"),
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
    )
}

/// A label and value; a missing value is marked, and stands out when the
/// dictionary requires it. Labels are padded to `width` to line values up.
fn field(label: &str, value: Option<String>, required: bool, width: usize) -> Line<'static> {
    let label = fit(label, width);
    let value = match value {
        Some(value) => Span::raw(value),
        None if required => Span::styled(
            format!("{UNKNOWN} missing (required)"),
            Style::new().fg(Color::Yellow),
        ),
        None => Span::styled(
            format!("{UNKNOWN} missing"),
            Style::new().fg(Color::DarkGray),
        ),
    };
    Line::from(vec![Span::raw(format!("   {label:width$}  ")), value])
}

/// A row of the clinical section before its labels are lined up.
enum ClinicalRow {
    Heading(&'static str),
    Field(String, Option<String>, bool),
    Note(&'static str),
}

fn clinical_lines(patient: &Patient, study: &Study) -> Vec<Line<'static>> {
    let record = &patient.record;
    let surgery = &record.surgery;
    let endpoints = &patient.endpoints;
    let yes_no = |answer: Option<bool>| answer.map(|a| format::yes_no(Some(a)));
    let time = |t| Some(format::time_to_event(Some(t)));
    let optional = |label: &str, value| ClinicalRow::Field(label.to_owned(), value, false);
    let mut rows = vec![
        ClinicalRow::Heading("Patient"),
        optional("Sex", record.patient.sex.map(|s| s.to_string())),
        optional(
            "Age at surgery (years)",
            record.patient.age_at_surgery.map(|a| a.to_string()),
        ),
        optional("Cohort", record.patient.cohort.map(|c| c.to_string())),
        ClinicalRow::Heading("Surgery"),
        optional("Date", surgery.date.map(radcohort::study::dates::iso)),
        optional(
            "Procedure",
            surgery.procedure.map(|p| format!("{p} hepatectomy")),
        ),
        optional("Lymphadenectomy", yes_no(surgery.lymphadenectomy)),
        ClinicalRow::Heading("Endpoints"),
        optional("Disease-free survival", endpoints.dfs.and_then(time)),
        optional("Overall survival", endpoints.os.and_then(time)),
        optional("Early recurrence", yes_no(endpoints.early_recurrence)),
        optional("Adjuvant chemotherapy", yes_no(endpoints.adjuvant_chemo)),
        ClinicalRow::Heading("Study variables"),
    ];
    if study.dictionary.is_empty() {
        rows.push(ClinicalRow::Note("The data dictionary is empty."));
    }
    for variable in &study.dictionary {
        // The unit follows the value, where it is never cut off with a
        // long label.
        let value = record
            .values
            .get(&variable.name)
            .map(|value| match &variable.unit {
                Some(unit) => format!("{} {unit}", format::value(value)),
                None => format::value(value),
            });
        rows.push(ClinicalRow::Field(
            variable.label.clone(),
            value,
            variable.required,
        ));
    }
    let width = rows
        .iter()
        .filter_map(|row| match row {
            ClinicalRow::Field(label, ..) => Some(label.chars().count()),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .min(MAX_LABEL);
    rows.into_iter()
        .map(|row| match row {
            ClinicalRow::Heading(text) => heading(text),
            ClinicalRow::Field(label, value, required) => field(&label, value, required, width),
            ClinicalRow::Note(text) => Line::from(format!("   {text}")),
        })
        .collect()
}

/// A timeline entry: when, which kind (for ordering same-day entries in
/// the order they happen clinically), what.
struct Entry {
    date: NaiveDate,
    rank: u8,
    text: String,
}

fn timeline_lines(patient: &Patient) -> Vec<Line<'static>> {
    let record = &patient.record;
    let surgery_date = record.surgery.date;
    let mut entries = Vec::new();
    if let Some(date) = surgery_date {
        let procedure = match record.surgery.procedure {
            Some(Procedure::Major) => "major hepatectomy",
            Some(Procedure::Minor) => "minor hepatectomy",
            None => "hepatectomy",
        };
        let lymph = match record.surgery.lymphadenectomy {
            Some(true) => ", lymphadenectomy",
            Some(false) => ", no lymphadenectomy",
            None => "",
        };
        entries.push(Entry {
            date,
            rank: 0,
            text: format!("Surgery: {procedure}{lymph}"),
        });
    }
    for course in &record.chemo {
        let mut text = format!("Chemo {}", course.regimen);
        if let Some(cycles) = course.cycles {
            text.push_str(&format!(", {cycles} cycles"));
        }
        match course.completed {
            Some(true) => text.push_str(", completed"),
            Some(false) => text.push_str(", stopped early"),
            None => {}
        }
        if let Some(end) = course.end {
            text.push_str(&format!(", until {}", format::date(Some(end))));
        }
        entries.push(Entry {
            date: course.start,
            rank: 1,
            text,
        });
    }
    for event in &record.events {
        let (rank, name) = match event.kind {
            EventKind::Recurrence => (2, "Recurrence"),
            EventKind::Death => (3, "Death"),
            EventKind::LastContact => (4, "Last contact"),
        };
        let text = match &event.detail {
            Some(detail) => format!("{name} ({detail})"),
            None => name.to_owned(),
        };
        entries.push(Entry {
            date: event.date,
            rank,
            text,
        });
    }
    entries.sort_by_key(|entry| (entry.date, entry.rank));

    let mut lines = vec![Line::styled(
        format!(" {:10}  {:>6}  Event", "Date", "Day"),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    if surgery_date.is_none() {
        lines.push(Line::styled(
            " The surgery date is missing, so days cannot be counted.",
            Style::new().fg(Color::Yellow),
        ));
    }
    if entries.is_empty() {
        lines.push(Line::from(" Nothing recorded yet."));
    }
    for entry in entries {
        let day = surgery_date.map(|surgery| (entry.date - surgery).num_days());
        lines.push(Line::from(format!(
            " {}  {:>6}  {}",
            format::date(Some(entry.date)),
            format::day_offset(day),
            entry.text
        )));
    }
    lines
}

fn imaging_lines(patient: &Patient) -> Vec<Line<'static>> {
    let header = format!(
        " {:10} {:5} {:>7}  {:13} {:16} {}",
        "Series", "Kind", "b-value", "Dimensions", "Spacing (mm)", "File"
    );
    let mut lines = vec![Line::styled(
        header,
        Style::new().add_modifier(Modifier::BOLD),
    )];
    if patient.record.imaging.is_empty() {
        lines.push(Line::from(" No imaging series recorded."));
    }
    for (series, status) in patient.record.imaging.iter().zip(&patient.files) {
        let geometry = &series.geometry;
        let spacing = geometry.spacing.map(|s| format!("{s:.2}"));
        let row = format!(
            " {:10} {:5} {:>7}  {:13} {:16} ",
            fit(&series.series, 10),
            series.kind.as_str(),
            format::or_unknown(series.b_value),
            fit(&format::triple(&geometry.dims), 13),
            fit(&format::triple(&spacing), 16),
        );
        let (file, style) = match status {
            FileStatus::Present => ("ok", Style::new().fg(Color::Green)),
            FileStatus::Missing => ("missing", Style::new().fg(Color::Red)),
        };
        lines.push(Line::from(vec![Span::raw(row), Span::styled(file, style)]));
        if *status == FileStatus::Missing {
            lines.push(Line::styled(
                format!("   ↳ not found: {}", series.path),
                Style::new().fg(Color::Red),
            ));
        }
    }
    lines
}

/// Cuts `text` to `width` characters, marking the cut with `…`.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}
