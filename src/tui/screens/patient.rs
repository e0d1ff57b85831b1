//! One patient in detail, in three sections: clinical values, the timeline
//! from surgery, and the imaging series. Clinical values are edited in
//! place: each new value is checked against its definition and staged, and
//! the staged edits are written together, after a confirmation, by the app.

use std::cell::Cell;

use chrono::NaiveDate;
use radcohort::study::edit::{CORE_FIELDS, Field, set_field};
use radcohort::study::model::{EventKind, PatientRecord, Procedure, Variable};
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

/// Edits made to one patient and not yet written: the record as it was
/// read, which a write checks is still what is stored, and as edited.
#[derive(Debug, Clone, PartialEq)]
pub struct Staged {
    /// The record as read from the database.
    pub shown: PatientRecord,
    /// The record with the staged edits.
    pub edited: PatientRecord,
}

/// One staged change, for the confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedChange {
    /// The field's column name.
    pub field: String,
    /// The value as stored (empty: missing).
    pub old: String,
    /// The value staged (empty: missing).
    pub new: String,
}

impl Staged {
    /// The fields whose values differ, in the order the view lists them.
    pub fn changes(&self, dictionary: &[Variable]) -> Vec<StagedChange> {
        editable_fields(dictionary)
            .into_iter()
            .filter_map(|field| {
                let (old, new) = (field.text(&self.shown), field.text(&self.edited));
                (old != new).then(|| StagedChange {
                    field: field.name().to_owned(),
                    old,
                    new,
                })
            })
            .collect()
    }
}

/// The fields of the clinical section that can be edited, in order.
fn editable_fields(dictionary: &[Variable]) -> Vec<Field> {
    CORE_FIELDS
        .iter()
        .cloned()
        .chain(dictionary.iter().map(|v| Field::Variable(v.name.clone())))
        .collect()
}

/// The patient detail screen.
#[derive(Debug)]
pub struct PatientScreen {
    index: usize,
    section: Section,
    scroll: Cell<usize>,
    /// The field selected in the clinical section.
    cursor: usize,
    staged: Option<Staged>,
    /// Content lines visible at the last draw.
    page: Cell<usize>,
}

impl PatientScreen {
    /// The patient at `index` of `study` (clamped), on the clinical section.
    pub fn new(study: &Study, index: usize) -> Self {
        let index = step(index, 0, study.patients.len());
        PatientScreen {
            index,
            section: Section::Clinical,
            scroll: Cell::new(0),
            cursor: 0,
            staged: None,
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
        self.scroll.get()
    }

    /// The edits not yet written, if any.
    pub fn staged(&self) -> Option<&Staged> {
        self.staged.as_ref()
    }

    /// Forgets the staged edits: they were written, or discarded.
    pub fn clear_staged(&mut self) {
        self.staged = None;
    }

    /// The field selected in the clinical section.
    pub fn selected_field(&self, study: &Study) -> Option<Field> {
        editable_fields(&study.dictionary).get(self.cursor).cloned()
    }

    /// The field's value as the view shows it now, staged or stored.
    pub fn field_text(&self, study: &Study, field: &Field) -> String {
        match (&self.staged, self.patient(study)) {
            (Some(staged), _) => field.text(&staged.edited),
            (None, Some(patient)) => field.text(&patient.record),
            (None, None) => String::new(),
        }
    }

    /// Stages `text` as the new value of `field`, after checking it against
    /// the field's definition; on refusal nothing is staged.
    pub fn stage(&mut self, study: &Study, field: &Field, text: &str) -> Result<(), String> {
        let Some(patient) = self.patient(study) else {
            return Err("this patient is no longer in the study".to_owned());
        };
        let mut staged = self.staged.clone().unwrap_or_else(|| Staged {
            shown: patient.record.clone(),
            edited: patient.record.clone(),
        });
        set_field(&mut staged.edited, &study.dictionary, field, text)?;
        self.staged = (staged.shown != staged.edited).then_some(staged);
        Ok(())
    }

    fn patient<'a>(&self, study: &'a Study) -> Option<&'a Patient> {
        study.patients.get(self.index)
    }

    /// The content lines of the section, and for the clinical section the
    /// line of each editable field.
    fn lines(&self, study: &Study) -> (Vec<Line<'static>>, Vec<usize>) {
        let Some(patient) = self.patient(study) else {
            return (
                vec![Line::from("This patient is no longer in the study.")],
                Vec::new(),
            );
        };
        match self.section {
            Section::Clinical => {
                let cursor = Some(self.cursor);
                clinical_lines(patient, self.staged.as_ref(), study, cursor)
            }
            Section::Timeline => (timeline_lines(patient), Vec::new()),
            Section::Imaging => (imaging_lines(patient), Vec::new()),
        }
    }

    fn max_scroll(&self, study: &Study) -> usize {
        self.lines(study).0.len().saturating_sub(self.page.get())
    }

    fn scroll_by(&mut self, delta: isize, study: &Study) {
        let scroll = step(self.scroll.get(), delta, self.max_scroll(study) + 1);
        self.scroll.set(scroll);
    }

    fn move_cursor(&mut self, delta: isize, study: &Study) {
        let count = editable_fields(&study.dictionary).len();
        self.cursor = step(self.cursor, delta, count);
    }

    fn show_section(&mut self, section: Section) {
        self.section = section;
        self.scroll.set(0);
    }

    fn show_patient(&mut self, delta: isize, study: &Study) -> Outcome {
        if let Some(note) = self.unsaved_note() {
            return Outcome::Note(note);
        }
        self.index = step(self.index, delta, study.patients.len());
        self.scroll.set(0);
        Outcome::Stay
    }

    fn unsaved_note(&self) -> Option<String> {
        self.staged
            .as_ref()
            .map(|_| "this patient has staged changes: w writes them, D discards them".to_owned())
    }
}

impl Component for PatientScreen {
    fn context(&self) -> Context {
        Context::Patient
    }

    fn render(&self, frame: &mut Frame, area: Rect, study: &Study) {
        let [main, status] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let study_id = self.patient(study).map_or(UNKNOWN, |p| p.record.study_id());
        let position = format!(" {} of {} ", self.index + 1, study.patients.len());
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

        let (lines, field_lines) = self.lines(study);
        let visible = usize::from(content.height).max(1);
        self.page.set(visible);
        let mut scroll = self.scroll.get().min(lines.len().saturating_sub(visible));
        // Keep the selected field in view as the cursor moves.
        if self.section == Section::Clinical
            && let Some(&line) = field_lines.get(self.cursor)
        {
            if line < scroll {
                scroll = line;
            } else if line >= scroll + visible {
                scroll = line + 1 - visible;
            }
        }
        self.scroll.set(scroll);
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

        let info = match &self.staged {
            Some(staged) => Line::from(vec![
                Span::raw(format!(" {study_id} · ")),
                Span::styled(
                    format!(
                        "{} staged: w writes, D discards",
                        plural(staged.changes(&study.dictionary).len(), "change")
                    ),
                    Style::new().fg(Color::Black).bg(Color::Yellow),
                ),
            ]),
            None => Line::from(format!(" {study_id} · {}", self.section.title())),
        };
        frame.render_widget(StatusBar::new(info, "Esc back  ? help"), status);
    }

    fn update(&mut self, action: Action, study: &Study) -> Outcome {
        let page = page_step(self.page.get());
        let clinical = self.section == Section::Clinical;
        match action {
            Action::Back => {
                if let Some(note) = self.unsaved_note() {
                    return Outcome::Note(note);
                }
                return Outcome::Back;
            }
            Action::Down if clinical => self.move_cursor(1, study),
            Action::Up if clinical => self.move_cursor(-1, study),
            Action::PageDown if clinical => self.move_cursor(page, study),
            Action::PageUp if clinical => self.move_cursor(-page, study),
            Action::First if clinical => self.cursor = 0,
            Action::Last if clinical => self.move_cursor(isize::MAX, study),
            Action::Down => self.scroll_by(1, study),
            Action::Up => self.scroll_by(-1, study),
            Action::PageDown => self.scroll_by(page, study),
            Action::PageUp => self.scroll_by(-page, study),
            Action::First => self.scroll.set(0),
            Action::Last => self.scroll.set(self.max_scroll(study)),
            Action::Edit if clinical => {
                if let Some(field) = self.selected_field(study) {
                    return Outcome::EditField(field);
                }
            }
            Action::Edit => {
                return Outcome::Note("values are edited in the clinical section (1)".to_owned());
            }
            Action::Write if self.staged.is_some() => return Outcome::Write,
            Action::Write => return Outcome::Note("nothing staged to write".to_owned()),
            Action::Discard if self.staged.is_some() => {
                self.staged = None;
                return Outcome::Note("staged changes discarded".to_owned());
            }
            Action::Undo => return Outcome::Undo,
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
            Action::NextPatient => return self.show_patient(1, study),
            Action::PrevPatient => return self.show_patient(-1, study),
            _ => {}
        }
        Outcome::Stay
    }

    fn study_changed(&mut self, study: &Study) {
        self.index = step(self.index, 0, study.patients.len());
    }
}

/// `1 change`, `3 changes`.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
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
/// A staged value is marked and shows what it replaces; the selected field
/// is reversed.
fn field(row: &FieldRow, width: usize, selected: bool) -> Line<'static> {
    let label = fit(&row.label, width);
    let marker = if selected { "▶" } else { " " };
    let mut spans = vec![Span::raw(format!(" {marker} {label:width$}  "))];
    let value = match &row.value {
        Some(value) => Span::raw(value.clone()),
        None if row.required => Span::styled(
            format!("{UNKNOWN} missing (required)"),
            Style::new().fg(Color::Yellow),
        ),
        None => Span::styled(
            format!("{UNKNOWN} missing"),
            Style::new().fg(Color::DarkGray),
        ),
    };
    spans.push(value);
    if let Some(was) = &row.was {
        let was = if was.is_empty() { UNKNOWN } else { was };
        spans.push(Span::styled(
            format!("  ● staged, was {was}"),
            Style::new().fg(Color::Yellow),
        ));
    }
    let line = Line::from(spans);
    if selected {
        line.style(Style::new().add_modifier(Modifier::REVERSED))
    } else {
        line
    }
}

/// One labelled value of the clinical section.
struct FieldRow {
    label: String,
    value: Option<String>,
    required: bool,
    /// The stored value, when a different one is staged.
    was: Option<String>,
    /// Whether the cursor can select it (an editable field).
    editable: bool,
}

/// A row of the clinical section before its labels are lined up.
enum ClinicalRow {
    Heading(&'static str),
    Field(FieldRow),
    Note(&'static str),
}

fn clinical_lines(
    patient: &Patient,
    staged: Option<&Staged>,
    study: &Study,
    cursor: Option<usize>,
) -> (Vec<Line<'static>>, Vec<usize>) {
    let record = staged.map_or(&patient.record, |s| &s.edited);
    let endpoints = &patient.endpoints;
    let yes_no = |answer: Option<bool>| answer.map(|a| format::yes_no(Some(a)));
    let time = |t| Some(format::time_to_event(Some(t)));
    let was = |field: &Field| {
        staged.and_then(|s| {
            let old = field.text(&s.shown);
            (old != field.text(&s.edited)).then_some(old)
        })
    };
    let editable = |label: &str, field: Field, value: Option<String>| {
        ClinicalRow::Field(FieldRow {
            label: label.to_owned(),
            value,
            required: field.required(&study.dictionary),
            was: was(&field),
            editable: true,
        })
    };
    let derived = |label: &str, value: Option<String>| {
        ClinicalRow::Field(FieldRow {
            label: label.to_owned(),
            value,
            required: false,
            was: None,
            editable: false,
        })
    };
    let mut rows = vec![
        ClinicalRow::Heading("Patient"),
        editable("Sex", Field::Sex, record.patient.sex.map(|s| s.to_string())),
        editable(
            "Age at surgery (years)",
            Field::Age,
            record.patient.age_at_surgery.map(|a| a.to_string()),
        ),
        editable(
            "Cohort",
            Field::Cohort,
            record.patient.cohort.map(|c| c.to_string()),
        ),
        ClinicalRow::Heading("Surgery"),
        editable(
            "Date",
            Field::SurgeryDate,
            record.surgery.date.map(radcohort::study::dates::iso),
        ),
        editable(
            "Procedure",
            Field::Procedure,
            record.surgery.procedure.map(|p| format!("{p} hepatectomy")),
        ),
        editable(
            "Lymphadenectomy",
            Field::Lymphadenectomy,
            yes_no(record.surgery.lymphadenectomy),
        ),
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
        rows.push(editable(
            &variable.label,
            Field::Variable(variable.name.clone()),
            value,
        ));
    }
    rows.extend([
        ClinicalRow::Heading("Endpoints (derived from the timeline)"),
        derived("Disease-free survival", endpoints.dfs.and_then(time)),
        derived("Overall survival", endpoints.os.and_then(time)),
        derived("Early recurrence", yes_no(endpoints.early_recurrence)),
        derived("Adjuvant chemotherapy", yes_no(endpoints.adjuvant_chemo)),
    ]);
    if let Some(score) = &patient.score {
        let group = score
            .risk_group
            .map_or_else(String::new, |g| format!(", {} risk", g.as_str()));
        rows.push(derived(
            "Signature score",
            Some(format!("{:.3}{group}", score.score)),
        ));
    }
    let width = rows
        .iter()
        .filter_map(|row| match row {
            ClinicalRow::Field(row) => Some(row.label.chars().count()),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .min(MAX_LABEL);
    let mut field_lines = Vec::new();
    let lines = rows
        .into_iter()
        .enumerate()
        .map(|(line, row)| match row {
            ClinicalRow::Heading(text) => heading(text),
            ClinicalRow::Field(row) => {
                let selected = row.editable && cursor == Some(field_lines.len());
                if row.editable {
                    field_lines.push(line);
                }
                field(&row, width, selected)
            }
            ClinicalRow::Note(text) => Line::from(format!("   {text}")),
        })
        .collect();
    (lines, field_lines)
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
