//! One patient in detail, in six sections: clinical values, the timeline
//! from surgery, the imaging series (with a slice viewer), the extracted
//! features, the signature scores and the record's audit history.
//!
//! Clinical values and timeline entries are edited in place: each change
//! is checked against its definition and the study's rules and staged, and
//! the staged edits are written together, after a confirmation, by the app.

use std::cell::Cell;

use radcohort::extraction::{PatientCase, patient_cases};
use radcohort::signature::{PatientSignatureScore, patient_scores};
use radcohort::study::AuditEntry;
use radcohort::study::edit::{
    CORE_FIELDS, Entry, Field, parse_chemo, parse_event, put_chemo, put_event, remove_entry,
    set_field,
};
use radcohort::study::model::{EventKind, PatientRecord, SeriesKind, Variable};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, Tabs};

use super::viewer::SliceViewer;
use super::{Component, Outcome, page_step, step, timeline};
use crate::tui::action::Action;
use crate::tui::format::{self, UNKNOWN};
use crate::tui::keymap::Context;
use crate::tui::study::{FileStatus, Patient, Study};
use crate::tui::widgets::form::Form;
use crate::tui::widgets::slice_view::ColourDepth;
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
    /// Extracted radiomic features, per run.
    Features,
    /// Every stored signature's score.
    Scores,
    /// The record's audit rows.
    History,
}

impl Section {
    /// Every section, in tab order; the number keys index this.
    pub const ALL: [Section; 6] = [
        Section::Clinical,
        Section::Timeline,
        Section::Imaging,
        Section::Features,
        Section::Scores,
        Section::History,
    ];

    /// The tab title.
    pub fn title(self) -> &'static str {
        match self {
            Section::Clinical => "Clinical",
            Section::Timeline => "Timeline",
            Section::Imaging => "Imaging",
            Section::Features => "Features",
            Section::Scores => "Scores",
            Section::History => "History",
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
    /// The fields whose values differ, in the order the view lists them,
    /// then the timeline entries added, changed or removed.
    pub fn changes(&self, dictionary: &[Variable]) -> Vec<StagedChange> {
        let mut changes: Vec<StagedChange> = editable_fields(dictionary)
            .into_iter()
            .filter_map(|field| {
                let (old, new) = (field.text(&self.shown), field.text(&self.edited));
                (old != new).then(|| StagedChange {
                    field: field.name().to_owned(),
                    old,
                    new,
                })
            })
            .collect();
        changes.extend(timeline::changes(&self.shown, &self.edited));
        changes
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

/// What the patient's rows in other tables hold, read when the patient is
/// shown: the study keeps only the records in memory.
#[derive(Debug)]
struct Details {
    cases: Result<Vec<PatientCase>, String>,
    scores: Result<Vec<PatientSignatureScore>, String>,
    history: Result<Vec<AuditEntry>, String>,
}

impl Default for Details {
    /// Nothing read yet, as for a patient no longer in the study.
    fn default() -> Self {
        Details {
            cases: Ok(Vec::new()),
            scores: Ok(Vec::new()),
            history: Ok(Vec::new()),
        }
    }
}

impl Details {
    /// Reads a patient's features, scores and audit rows; a failure is
    /// kept as text for the section to show.
    fn load(study: &Study, study_id: &str) -> Details {
        let db = match study.open_db() {
            Ok(db) => db,
            Err(error) => {
                let text = radcohort::error_chain(&error);
                return Details {
                    cases: Err(text.clone()),
                    scores: Err(text.clone()),
                    history: Err(text),
                };
            }
        };
        let chain = |e: &dyn std::error::Error| radcohort::error_chain(e);
        let mut history = db.audit_log(Some(study_id)).map_err(|e| chain(&e));
        if let Ok(rows) = &mut history {
            rows.reverse();
        }
        Details {
            cases: patient_cases(&db, study_id).map_err(|e| chain(&e)),
            scores: patient_scores(&db, study_id).map_err(|e| chain(&e)),
            history,
        }
    }
}

/// Which timeline entry the open form edits, or what kind it adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimelineForm {
    Event(EventKind, Option<usize>),
    Chemo(Option<usize>),
}

/// The kinds of timeline entry `a` offers, in menu order.
const NEW_ENTRY_KINDS: [&str; 4] = ["Recurrence", "Chemotherapy course", "Last contact", "Death"];

/// The patient detail screen.
#[derive(Debug)]
pub struct PatientScreen {
    index: usize,
    section: Section,
    scroll: Cell<usize>,
    /// The field selected in the clinical section.
    cursor: usize,
    /// The entry selected in the timeline.
    entry: usize,
    /// The series selected in the imaging section.
    series: usize,
    staged: Option<Staged>,
    /// What the form open over the view edits.
    form: Option<TimelineForm>,
    /// The volume open in the slice viewer.
    viewer: Option<SliceViewer>,
    /// Colours the terminal shows, for the slice viewer.
    depth: ColourDepth,
    details: Details,
    /// Content lines visible at the last draw.
    page: Cell<usize>,
}

impl PatientScreen {
    /// The patient at `index` of `study` (clamped), on the clinical section.
    pub fn new(study: &Study, index: usize) -> Self {
        let index = step(index, 0, study.patients.len());
        let mut screen = PatientScreen {
            index,
            section: Section::Clinical,
            scroll: Cell::new(0),
            cursor: 0,
            entry: 0,
            series: 0,
            staged: None,
            form: None,
            viewer: None,
            depth: ColourDepth::Basic16,
            details: Details::default(),
            page: Cell::new(DEFAULT_PAGE),
        };
        screen.reload_details(study);
        screen
    }

    /// Selects what a data-quality problem names: a field (its clinical
    /// row), `timeline` or `last_followup_date` (the timeline), or an
    /// imaging series (its row). Anything else leaves the view as it is.
    pub fn focus(&mut self, study: &Study, name: &str) {
        if let Some(field) = Field::named(name, &study.dictionary)
            && let Some(at) = editable_fields(&study.dictionary)
                .iter()
                .position(|f| *f == field)
        {
            self.show_section(Section::Clinical);
            self.cursor = at;
        } else if name == "timeline" || name == "last_followup_date" {
            self.show_section(Section::Timeline);
        } else if let Some(at) = self
            .patient(study)
            .and_then(|p| p.record.imaging.iter().position(|s| s.series == name))
        {
            self.show_section(Section::Imaging);
            self.series = at;
        }
    }

    /// Draws slices with `depth` colours.
    pub fn with_depth(mut self, depth: ColourDepth) -> Self {
        self.depth = depth;
        self
    }

    fn reload_details(&mut self, study: &Study) {
        self.details = match self.patient(study) {
            Some(patient) => Details::load(study, patient.record.study_id()),
            None => Details::default(),
        };
    }

    /// The record as shown: with the staged edits.
    fn record<'a>(&'a self, study: &'a Study) -> Option<&'a PatientRecord> {
        match &self.staged {
            Some(staged) => Some(&staged.edited),
            None => self.patient(study).map(|p| &p.record),
        }
    }

    /// Applies `change` to a copy of the shown record and stages it.
    fn stage_with(
        &mut self,
        study: &Study,
        change: impl FnOnce(&mut PatientRecord) -> Result<(), String>,
    ) -> Result<(), String> {
        let Some(patient) = self.patient(study) else {
            return Err("this patient is no longer in the study".to_owned());
        };
        let mut staged = self.staged.clone().unwrap_or_else(|| Staged {
            shown: patient.record.clone(),
            edited: patient.record.clone(),
        });
        change(&mut staged.edited)?;
        self.staged = (staged.shown != staged.edited).then_some(staged);
        Ok(())
    }

    /// The selected timeline entry.
    fn selected_entry(&self, study: &Study) -> Option<Entry> {
        let record = self.record(study)?;
        timeline::entries(record).get(self.entry).copied()
    }

    /// The form for a new entry of the `choice`-th kind of the menu, or
    /// for editing `at`.
    fn entry_form(&mut self, study: &Study, what: TimelineForm) -> Outcome {
        let record = self.record(study).cloned().unwrap_or_default();
        let date_hint = || "YYYY-MM-DD".to_owned();
        let (title, fields) = match what {
            TimelineForm::Event(kind, at) => {
                let current = at.and_then(|i| record.events.get(i));
                let detail_label = match kind {
                    EventKind::Recurrence => "Site",
                    EventKind::Death => "Cause",
                    EventKind::LastContact => "Note",
                };
                let name = timeline::describe_event(&radcohort::study::model::FollowUpEvent {
                    id: None,
                    kind,
                    date: chrono::NaiveDate::MIN,
                    detail: None,
                });
                (
                    if at.is_some() {
                        format!("Edit {name}")
                    } else {
                        format!("Add {name}")
                    },
                    vec![
                        (
                            "Date".to_owned(),
                            date_hint(),
                            current
                                .map(|e| format::date(Some(e.date)))
                                .unwrap_or_default(),
                        ),
                        (
                            detail_label.to_owned(),
                            "free text, may be empty".to_owned(),
                            current.and_then(|e| e.detail.clone()).unwrap_or_default(),
                        ),
                    ],
                )
            }
            TimelineForm::Chemo(at) => {
                let current = at.and_then(|i| record.chemo.get(i));
                let text = |f: &dyn Fn(&radcohort::study::model::ChemoCourse) -> Option<String>| {
                    current.and_then(f).unwrap_or_default()
                };
                (
                    if at.is_some() {
                        "Edit chemotherapy course".to_owned()
                    } else {
                        "Add chemotherapy course".to_owned()
                    },
                    vec![
                        (
                            "Regimen".to_owned(),
                            "e.g. GEMOX (required)".to_owned(),
                            text(&|c| Some(c.regimen.clone())),
                        ),
                        (
                            "Start".to_owned(),
                            date_hint(),
                            text(&|c| Some(format::date(Some(c.start)))),
                        ),
                        (
                            "End".to_owned(),
                            "YYYY-MM-DD, may be empty".to_owned(),
                            text(&|c| c.end.map(|d| format::date(Some(d)))),
                        ),
                        (
                            "Cycles".to_owned(),
                            "a whole number, may be empty".to_owned(),
                            text(&|c| c.cycles.map(|n| n.to_string())),
                        ),
                        (
                            "Completed".to_owned(),
                            "yes or no, may be empty".to_owned(),
                            text(&|c| c.completed.map(|b| format::yes_no(Some(b)))),
                        ),
                    ],
                )
            }
        };
        self.form = Some(what);
        Outcome::Form(Form::new(title, fields))
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
        self.stage_with(study, |record| {
            set_field(record, &study.dictionary, field, text)
        })
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
            Section::Timeline => {
                let record = self.staged.as_ref().map_or(&patient.record, |s| &s.edited);
                timeline::lines(record, self.entry)
            }
            Section::Imaging => imaging_lines(patient, self.series),
            Section::Features => (features_lines(&self.details.cases), Vec::new()),
            Section::Scores => (scores_lines(&self.details.scores), Vec::new()),
            Section::History => (history_lines(&self.details.history), Vec::new()),
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
        match self.section {
            Section::Clinical => {
                let count = editable_fields(&study.dictionary).len();
                self.cursor = step(self.cursor, delta, count);
            }
            Section::Timeline => {
                let count = self.record(study).map_or(0, |r| timeline::entries(r).len());
                self.entry = step(self.entry, delta, count);
            }
            Section::Imaging => {
                let count = self.patient(study).map_or(0, |p| p.record.imaging.len());
                self.series = step(self.series, delta, count);
            }
            _ => {}
        }
    }

    /// Opens the selected series in the slice viewer, with the mask that
    /// segments it outlined.
    fn open_viewer(&mut self, study: &Study) -> Outcome {
        let Some(patient) = self.patient(study) else {
            return Outcome::Stay;
        };
        let record = &patient.record;
        let Some(series) = record.imaging.get(self.series) else {
            return Outcome::Note("no imaging series to show".to_owned());
        };
        if patient.files.get(self.series) == Some(&FileStatus::Missing) {
            return Outcome::Note(format!("{} is missing: nothing to show", series.path));
        }
        let (image, mask) = if series.kind == SeriesKind::Mask {
            let image = series
                .mask_of
                .as_ref()
                .and_then(|name| record.imaging.iter().find(|s| &s.series == name));
            match image {
                Some(image) => (image, Some(series)),
                None => return Outcome::Note("this mask names no image series".to_owned()),
            }
        } else {
            let mask = record.imaging.iter().find(|s| {
                s.kind == SeriesKind::Mask && s.mask_of.as_deref() == Some(&series.series)
            });
            (series, mask)
        };
        let path = |p: &str| study.folder.join(p);
        let mut title = format!("{} {}", record.study_id(), image.series);
        if let Some(mask) = mask {
            title.push_str(&format!(" + mask {}", mask.series));
        }
        let mask_path = mask.map(|m| (path(&m.path), m.label.unwrap_or(1)));
        match SliceViewer::open(
            title,
            &path(&image.path),
            mask_path.as_ref().map(|(p, label)| (p.as_path(), *label)),
        ) {
            Ok(viewer) => {
                self.viewer = Some(viewer);
                Outcome::Stay
            }
            Err(error) => Outcome::Note(format!("could not show {}: {error}", image.series)),
        }
    }

    /// The slice the viewer shows, if it is open.
    #[cfg(test)]
    pub fn viewer_slice(&self) -> Option<usize> {
        self.viewer.as_ref().map(SliceViewer::slice)
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
        self.entry = 0;
        self.series = 0;
        self.reload_details(study);
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
        if self.viewer.is_some() {
            Context::Viewer
        } else {
            Context::Patient
        }
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

        if let Some(viewer) = &self.viewer {
            viewer.render(frame, content, self.depth);
            let info = format!(" {study_id} · slice viewer");
            frame.render_widget(StatusBar::new(info, "Esc closes  ? help"), status);
            return;
        }
        let (lines, cursor_lines) = self.lines(study);
        let visible = usize::from(content.height).max(1);
        self.page.set(visible);
        let mut scroll = self.scroll.get().min(lines.len().saturating_sub(visible));
        // Keep the selected field, entry or series in view as it moves.
        let cursor = match self.section {
            Section::Clinical => Some(self.cursor),
            Section::Timeline => Some(self.entry),
            Section::Imaging => Some(self.series),
            _ => None,
        };
        if let Some(&line) = cursor.and_then(|c| cursor_lines.get(c)) {
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
        if let Some(viewer) = &mut self.viewer {
            match action {
                Action::Back => self.viewer = None,
                Action::Down => viewer.move_slice(-1),
                Action::Up => viewer.move_slice(1),
                Action::PageDown => viewer.move_slice(-5),
                Action::PageUp => viewer.move_slice(5),
                Action::WindowWider => viewer.widen(1.0),
                Action::WindowNarrower => viewer.widen(-1.0),
                Action::LevelUp => viewer.raise(1.0),
                Action::LevelDown => viewer.raise(-1.0),
                Action::WindowReset => viewer.reset_window(),
                _ => {}
            }
            return Outcome::Stay;
        }
        let selectable = matches!(
            self.section,
            Section::Clinical | Section::Timeline | Section::Imaging
        );
        match action {
            Action::Back => {
                if let Some(note) = self.unsaved_note() {
                    return Outcome::Note(note);
                }
                return Outcome::Back;
            }
            Action::Down if selectable => self.move_cursor(1, study),
            Action::Up if selectable => self.move_cursor(-1, study),
            Action::PageDown if selectable => self.move_cursor(page, study),
            Action::PageUp if selectable => self.move_cursor(-page, study),
            Action::First if selectable => self.move_cursor(isize::MIN, study),
            Action::Last if selectable => self.move_cursor(isize::MAX, study),
            Action::Down => self.scroll_by(1, study),
            Action::Up => self.scroll_by(-1, study),
            Action::PageDown => self.scroll_by(page, study),
            Action::PageUp => self.scroll_by(-page, study),
            Action::First => self.scroll.set(0),
            Action::Last => self.scroll.set(self.max_scroll(study)),
            Action::Edit => match self.section {
                Section::Clinical => {
                    if let Some(field) = self.selected_field(study) {
                        return Outcome::EditField(field);
                    }
                }
                Section::Timeline => match self.selected_entry(study) {
                    Some(Entry::Event(i)) => {
                        let kind = self
                            .record(study)
                            .and_then(|r| r.events.get(i))
                            .map(|e| e.kind);
                        if let Some(kind) = kind {
                            return self.entry_form(study, TimelineForm::Event(kind, Some(i)));
                        }
                    }
                    Some(Entry::Chemo(i)) => {
                        return self.entry_form(study, TimelineForm::Chemo(Some(i)));
                    }
                    None => return Outcome::Note("no entry selected: a adds one".to_owned()),
                },
                Section::Imaging => return self.open_viewer(study),
                _ => {
                    return Outcome::Note(
                        "values are edited in the clinical (1) and timeline (2) sections"
                            .to_owned(),
                    );
                }
            },
            Action::AddEntry => {
                self.show_section(Section::Timeline);
                return Outcome::Choose(
                    "Add to the timeline".to_owned(),
                    NEW_ENTRY_KINDS.iter().map(|k| (*k).to_owned()).collect(),
                );
            }
            Action::DeleteEntry if self.section == Section::Timeline => {
                let Some(entry) = self.selected_entry(study) else {
                    return Outcome::Note("no entry selected".to_owned());
                };
                return match self.stage_with(study, |record| remove_entry(record, entry)) {
                    Ok(()) => {
                        self.move_cursor(0, study);
                        Outcome::Note("removal staged · w writes, D discards".to_owned())
                    }
                    Err(error) => Outcome::Note(error),
                };
            }
            Action::DeleteEntry => {
                return Outcome::Note("entries are deleted in the timeline (2)".to_owned());
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
        self.move_cursor(0, study);
        self.reload_details(study);
    }

    fn choose(&mut self, index: usize, study: &Study) -> Outcome {
        let what = match NEW_ENTRY_KINDS.get(index) {
            Some(&"Recurrence") => TimelineForm::Event(EventKind::Recurrence, None),
            Some(&"Last contact") => TimelineForm::Event(EventKind::LastContact, None),
            Some(&"Death") => TimelineForm::Event(EventKind::Death, None),
            Some(_) => TimelineForm::Chemo(None),
            None => return Outcome::Stay,
        };
        self.entry_form(study, what)
    }

    fn submit(&mut self, values: &[String], study: &Study) -> Result<Outcome, String> {
        let value = |i: usize| values.get(i).map_or("", String::as_str);
        let Some(what) = self.form else {
            return Ok(Outcome::Stay);
        };
        match what {
            TimelineForm::Event(kind, at) => {
                let event = parse_event(kind, value(0), value(1))?;
                self.stage_with(study, |record| put_event(record, at, event))?;
            }
            TimelineForm::Chemo(at) => {
                let course = parse_chemo(value(0), value(1), value(2), value(3), value(4))?;
                self.stage_with(study, |record| put_chemo(record, at, course))?;
            }
        }
        self.form = None;
        let count = self
            .staged
            .as_ref()
            .map_or(0, |s| s.changes(&study.dictionary).len());
        Ok(Outcome::Note(format!(
            "{} staged · w writes them, D discards",
            plural(count, "change")
        )))
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
    let label = format::fit(&row.label, width);
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

/// The imaging section: one row per series with its file status and, for
/// a mask, whether it lies on its image's grid; the series at `cursor`
/// selected. Returns the line of each series too.
fn imaging_lines(patient: &Patient, cursor: usize) -> (Vec<Line<'static>>, Vec<usize>) {
    let header = format!(
        "   {:10} {:5} {:>7}  {:13} {:16} {}",
        "Series", "Kind", "b-value", "Dimensions", "Spacing (mm)", "File"
    );
    let mut lines = vec![Line::styled(
        header,
        Style::new().add_modifier(Modifier::BOLD),
    )];
    let record = &patient.record;
    if record.imaging.is_empty() {
        lines.push(Line::from(" No imaging series recorded."));
    }
    let mut series_lines = Vec::new();
    for (i, (series, status)) in record.imaging.iter().zip(&patient.files).enumerate() {
        let geometry = &series.geometry;
        let spacing = geometry.spacing.map(|s| format!("{s:.2}"));
        let selected = i == cursor;
        let row = format!(
            " {} {:10} {:5} {:>7}  {:13} {:16} ",
            if selected { "▶" } else { " " },
            format::fit(&series.series, 10),
            series.kind.as_str(),
            format::or_unknown(series.b_value),
            format::fit(&format::triple(&geometry.dims), 13),
            format::fit(&format::triple(&spacing), 16),
        );
        let (file, style) = match status {
            FileStatus::Present => ("ok", Style::new().fg(Color::Green)),
            FileStatus::Missing => ("missing", Style::new().fg(Color::Red)),
        };
        let mut spans = vec![Span::raw(row), Span::styled(file, style)];
        // A mask must lie on its image's grid, or its voxels mean nothing.
        if series.kind == SeriesKind::Mask
            && let Some(image) = series
                .mask_of
                .as_ref()
                .and_then(|name| record.imaging.iter().find(|s| &s.series == name))
        {
            let tolerance = radcohort::imaging::GeometryTolerance::default();
            if image.geometry.mismatches(geometry, tolerance).is_empty() {
                spans.push(Span::styled(" · grid ok", Style::new().fg(Color::Green)));
            } else {
                spans.push(Span::styled(
                    format!(" · grid ≠ {}", image.series),
                    Style::new().fg(Color::Red),
                ));
            }
        }
        series_lines.push(lines.len());
        let line = Line::from(spans);
        lines.push(if selected {
            line.style(Style::new().add_modifier(Modifier::REVERSED))
        } else {
            line
        });
        if *status == FileStatus::Missing {
            lines.push(Line::styled(
                format!("     ↳ not found: {}", series.path),
                Style::new().fg(Color::Red),
            ));
        }
    }
    if !record.imaging.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::styled(
            " Enter shows the selected series slice by slice, its mask outlined.",
            Style::new().fg(Color::DarkGray),
        ));
    }
    (lines, series_lines)
}

/// The features section: each run's case, then its values.
fn features_lines(cases: &Result<Vec<PatientCase>, String>) -> Vec<Line<'static>> {
    let cases = match cases {
        Ok(cases) => cases,
        Err(error) => {
            return vec![Line::styled(
                format!(" {error}"),
                Style::new().fg(Color::Red),
            )];
        }
    };
    if cases.is_empty() {
        return vec![Line::from(
            " No features extracted yet: start an extraction in Jobs.",
        )];
    }
    let mut lines = Vec::new();
    for case in cases {
        lines.push(heading(&format!(
            "Run {} · {} · {} · {}",
            case.run_id,
            case.selection,
            case.status,
            plural(case.features.len(), "feature")
        )));
        if let Some(error) = &case.error {
            lines.push(Line::styled(
                format!("   {error}"),
                Style::new().fg(Color::Red),
            ));
        }
        let width = case
            .features
            .iter()
            .map(|(name, _)| name.chars().count())
            .max()
            .unwrap_or(0)
            .min(52);
        for (name, value) in &case.features {
            lines.push(Line::from(format!(
                "   {:width$}  {}",
                format::fit(name, width),
                format_number(*value)
            )));
        }
    }
    lines
}

/// A feature value with six significant digits, as PyRadiomics prints
/// them in its tables.
fn format_number(value: f64) -> String {
    if value != 0.0 && (value.abs() >= 1e6 || value.abs() < 1e-3) {
        format!("{value:.5e}")
    } else {
        let digits = 5_i32
            .saturating_sub(value.abs().log10().floor() as i32)
            .clamp(0, 8);
        format!("{value:.*}", digits as usize)
    }
}

/// The scores section: every stored signature's score, the latest first.
fn scores_lines(scores: &Result<Vec<PatientSignatureScore>, String>) -> Vec<Line<'static>> {
    let scores = match scores {
        Ok(scores) => scores,
        Err(error) => {
            return vec![Line::styled(
                format!(" {error}"),
                Style::new().fg(Color::Red),
            )];
        }
    };
    if scores.is_empty() {
        return vec![Line::from(
            " Not scored yet: score the cohort with a signature in Jobs.",
        )];
    }
    let mut lines = vec![Line::styled(
        format!(
            "   {:24} {:>9} {:>11}  {:5} {}",
            "Signature", "Score", "Probability", "Risk", "Scored"
        ),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    for score in scores {
        lines.push(Line::from(format!(
            "   {:24} {:>9.4} {:>11}  {:5} {}",
            format::fit(&score.name, 24),
            score.score,
            score
                .probability
                .map_or_else(|| UNKNOWN.to_owned(), |p| format!("{p:.3}")),
            format::or_unknown(score.risk_group.map(|g| g.as_str())),
            score.scored_at
        )));
    }
    lines
}

/// The history section: the record's audit rows, the latest first.
fn history_lines(history: &Result<Vec<AuditEntry>, String>) -> Vec<Line<'static>> {
    let rows = match history {
        Ok(rows) => rows,
        Err(error) => {
            return vec![Line::styled(
                format!(" {error}"),
                Style::new().fg(Color::Red),
            )];
        }
    };
    if rows.is_empty() {
        return vec![Line::from(" No change recorded.")];
    }
    rows.iter()
        .map(|row| {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| UNKNOWN.to_owned());
            Line::from(vec![
                Span::styled(
                    format!(" {} {} ", row.at, row.user),
                    Style::new().fg(Color::DarkGray),
                ),
                Span::raw(format!(
                    "{} {}.{}: {} → {}",
                    row.action,
                    row.record,
                    row.field,
                    show(&row.old_value),
                    show(&row.new_value)
                )),
            ])
        })
        .collect()
}
