//! The data-quality view: every problem of the study as loaded, one row
//! each — required values that are missing, values that no longer fit
//! their variable's definition, broken timeline rules and patients without
//! follow-up (all from [`radcohort::study::validation::check_record`],
//! which applies the cross-field [`rules`](radcohort::study::rules) too),
//! and image files missing from disk (from the file checks the study did
//! when it was loaded).
//!
//! Everything is worked out from the study in memory, never from the
//! database, so the list costs no I/O; it is worked out again whenever the
//! study changes, so a value corrected in the patient view (Enter opens
//! it, Esc comes back here) drops its row at once.

use std::collections::BTreeMap;

use radcohort::study::validation::{IssueKind, check_record};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};

use super::list::{ListCursor, render_window};
use super::patient::plural;
use super::{Component, Outcome};
use crate::tui::action::Action;
use crate::tui::keymap::Context;
use crate::tui::study::{FileStatus, Study};
use crate::tui::widgets::status_bar::StatusBar;

/// Lines under the table for the selected problem in full, since the
/// table cuts long messages at 80 columns: a rule and two lines of text.
const DETAIL_HEIGHT: u16 = 3;

/// One data-quality problem as the view lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The patient's index in the study, for opening it.
    pub patient: usize,
    /// The patient's study id.
    pub study_id: String,
    /// What kind of problem it is.
    pub kind: IssueKind,
    /// The field, variable, `timeline` (a rule) or image series concerned.
    pub field: String,
    /// What is wrong, with the offending value when there is one.
    pub text: String,
}

/// A kind of problem in a few letters, for the table's kind column and
/// the counts in the status bar.
pub fn short_label(kind: IssueKind) -> &'static str {
    match kind {
        IssueKind::MissingRequired => "missing",
        IssueKind::OutOfRange => "invalid",
        IssueKind::RuleViolation => "rule",
        IssueKind::MissingFollowUp => "follow-up",
        IssueKind::MissingImage => "image",
        IssueKind::ChangedImage => "changed",
    }
}

/// Every problem of the study, patient by patient in the study's order.
pub fn problems(study: &Study) -> Vec<Problem> {
    let mut found = Vec::new();
    for (index, patient) in study.patients.iter().enumerate() {
        let record = &patient.record;
        for issue in check_record(record, &study.dictionary) {
            // An invalid value is worth seeing beside the reason; the other
            // kinds' messages already name their dates or say "required".
            let text = match (&issue.value, issue.kind) {
                (Some(value), IssueKind::OutOfRange) => format!("{value}: {}", issue.message),
                _ => issue.message,
            };
            found.push(Problem {
                patient: index,
                study_id: issue.study_id,
                kind: issue.kind,
                field: issue.field,
                text,
            });
        }
        // The library's image check reads the disk; the study already
        // checked each file when it was loaded, so its answer is reused.
        for (series, status) in record.imaging.iter().zip(&patient.files) {
            if *status == FileStatus::Missing {
                found.push(Problem {
                    patient: index,
                    study_id: record.study_id().to_owned(),
                    kind: IssueKind::MissingImage,
                    field: series.series.clone(),
                    text: format!("no file at {}", series.path),
                });
            }
        }
    }
    found
}

/// The data-quality screen.
#[derive(Debug)]
pub struct QualityScreen {
    /// Every problem found.
    problems: Vec<Problem>,
    /// Whether the study changed since the problems were listed.
    stale: bool,
    /// Only problems of this kind are shown, when set.
    filter: Option<IssueKind>,
    /// The problems shown, as indexes of `problems`.
    visible: Vec<usize>,
    /// The row selected (an index of `visible`) and the rows on screen.
    cursor: ListCursor,
}

impl QualityScreen {
    /// The view of `study`'s problems, every kind shown, listed when first
    /// shown.
    pub fn new(_study: &Study) -> Self {
        QualityScreen {
            problems: Vec::new(),
            stale: true,
            filter: None,
            visible: Vec::new(),
            cursor: ListCursor::default(),
        }
    }

    /// Lists the problems again, keeping the row selected while it is
    /// there; once it is fixed, the row that took its place is.
    fn recompute(&mut self, study: &Study) {
        let before = self.selected().cloned();
        self.problems = problems(study);
        self.stale = false;
        self.refilter();
        let position = before.and_then(|before| self.listed().position(|p| *p == before));
        let len = self.visible.len();
        self.cursor
            .select(position.unwrap_or(self.cursor.selected()), len);
    }

    /// The problems shown, in order.
    pub fn listed(&self) -> impl Iterator<Item = &Problem> {
        self.visible.iter().filter_map(|&i| self.problems.get(i))
    }

    /// The problem selected, if any is shown.
    pub fn selected(&self) -> Option<&Problem> {
        self.visible
            .get(self.cursor.selected())
            .and_then(|&i| self.problems.get(i))
    }

    /// How many problems of each kind there are, in the kinds' order.
    fn counts(&self) -> BTreeMap<IssueKind, usize> {
        let mut counts = BTreeMap::new();
        for problem in &self.problems {
            *counts.entry(problem.kind).or_insert(0) += 1;
        }
        counts
    }

    fn refilter(&mut self) {
        self.visible = self
            .problems
            .iter()
            .enumerate()
            .filter(|(_, p)| self.filter.is_none_or(|kind| p.kind == kind))
            .map(|(i, _)| i)
            .collect();
    }

    /// The next filter: each kind present in turn, then every kind.
    fn next_filter(&self) -> Option<IssueKind> {
        let counts = self.counts();
        match self.filter {
            None => counts.keys().next().copied(),
            Some(current) => counts.keys().find(|kind| **kind > current).copied(),
        }
    }

    fn status(&self) -> Line<'static> {
        let counts = self.counts();
        if counts.is_empty() {
            return Line::from(" no problems");
        }
        let parts: Vec<String> = counts
            .iter()
            .map(|(kind, count)| format!("{count} {}", short_label(*kind)))
            .collect();
        Line::from(format!(" {}", parts.join(" · ")))
    }

    fn title(&self) -> String {
        let total = self.problems.len();
        match self.filter {
            None => format!(" Data quality · {} ", plural(total, "problem")),
            Some(kind) => format!(
                " Data quality · {} only: {} of {total} ",
                kind.label(),
                self.visible.len()
            ),
        }
    }

    fn render_empty(&self, frame: &mut Frame, area: Rect, block: Block) {
        let text = match self.filter {
            _ if self.problems.is_empty() => vec![
                Line::from("No data-quality problem found."),
                Line::from(""),
                Line::from("Every required value is present, every value fits its definition,"),
                Line::from("every timeline obeys the rules, every patient has follow-up and"),
                Line::from("every image file is on disk."),
            ],
            Some(kind) => vec![
                Line::from(format!("No {} left.", kind.label())),
                Line::from(""),
                Line::from("Press f to show the next kind of problem."),
            ],
            None => Vec::new(),
        };
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: false }).block(block),
            area,
        );
    }

    fn render_detail(&self, frame: &mut Frame, area: Rect) {
        let Some(problem) = self.selected() else {
            return;
        };
        let line = Line::from(vec![
            Span::styled(
                format!("{} · {} · ", problem.study_id, problem.field),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!("{}: ", problem.kind.label()),
                Style::new().fg(kind_colour(problem.kind)),
            ),
            Span::raw(problem.text.clone()),
        ]);
        let rule = Block::new()
            .borders(Borders::TOP)
            .border_style(Style::new().fg(Color::DarkGray));
        frame.render_widget(
            Paragraph::new(line).wrap(Wrap { trim: false }).block(rule),
            area,
        );
    }
}

/// The colour a kind of problem is shown in: what blocks the analyses
/// (missing values, broken rules) in red, the rest in yellow.
fn kind_colour(kind: IssueKind) -> Color {
    match kind {
        IssueKind::MissingRequired | IssueKind::RuleViolation | IssueKind::OutOfRange => {
            Color::LightRed
        }
        IssueKind::MissingFollowUp | IssueKind::MissingImage | IssueKind::ChangedImage => {
            Color::Yellow
        }
    }
}

impl Component for QualityScreen {
    fn context(&self) -> Context {
        Context::Quality
    }

    fn render(&self, frame: &mut Frame, area: Rect, _study: &Study) {
        let [main, status] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        frame.render_widget(
            StatusBar::new(self.status(), "f kind  Enter open  ? help"),
            status,
        );
        let block = Block::bordered().title(self.title());
        if self.visible.is_empty() {
            self.render_empty(frame, main, block);
            return;
        }
        let inner = block.inner(main);
        frame.render_widget(block, main);
        let [list, detail] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(DETAIL_HEIGHT)]).areas(inner);
        // One row for the header.
        let (window, selected) = self.cursor.window(
            usize::from(list.height.saturating_sub(1)),
            self.visible.len(),
        );
        let longest = |text: fn(&Problem) -> usize| self.listed().map(text).max().unwrap_or(0);
        let id_width = longest(|p| p.study_id.chars().count()).clamp(8, 14);
        let field_width = longest(|p| p.field.chars().count()).clamp(5, 20);
        let widths = [
            Constraint::Length(u16::try_from(id_width).unwrap_or(14)),
            Constraint::Length(9),
            Constraint::Length(u16::try_from(field_width).unwrap_or(20)),
            Constraint::Fill(1),
        ];
        let header = Row::new(["Study ID", "Kind", "Field", "Problem"])
            .style(Style::new().add_modifier(Modifier::BOLD));
        let rows = self.visible[window]
            .iter()
            .filter_map(|&i| self.problems.get(i))
            .map(|problem| {
                Row::new(vec![
                    Span::raw(problem.study_id.clone()),
                    Span::styled(
                        short_label(problem.kind),
                        Style::new().fg(kind_colour(problem.kind)),
                    ),
                    Span::raw(problem.field.clone()),
                    Span::raw(problem.text.clone()),
                ])
            });
        let table = Table::new(rows, widths).header(header);
        render_window(frame, list, table, selected);
        self.render_detail(frame, detail);
    }

    fn update(&mut self, action: Action, _study: &Study) -> Outcome {
        if self.cursor.navigate(action, self.visible.len()) {
            return Outcome::Stay;
        }
        match action {
            Action::NextKind => {
                self.filter = self.next_filter();
                self.refilter();
                self.cursor.reset();
                let shown = match self.filter {
                    Some(kind) => format!("showing {} only", kind.label()),
                    None => "showing every kind of problem".to_owned(),
                };
                return Outcome::Note(shown);
            }
            Action::Open => {
                if let Some(problem) = self.selected() {
                    return Outcome::OpenPatientAt(problem.patient, problem.field.clone());
                }
            }
            _ => {}
        }
        Outcome::Stay
    }

    fn study_changed(&mut self, _study: &Study) {
        // Listed again when next shown: checking every record of a large
        // study is work no one should wait for on a view they are not in.
        self.stale = true;
    }

    fn shown(&mut self, study: &Study) {
        if self.stale {
            self.recompute(study);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use radcohort::study::endpoints::EndpointWindows;
    use radcohort::study::model::PatientRecord;

    use super::*;
    use crate::tui::study::Patient;

    fn study(records: Vec<PatientRecord>) -> Study {
        Study {
            patients: records
                .into_iter()
                .map(|r| Patient::new(r, EndpointWindows::default(), Path::new(".")))
                .collect(),
            ..Study::default()
        }
    }

    #[test]
    fn bare_records_lack_their_required_fields() {
        let study = study(vec![PatientRecord::new("P1"), PatientRecord::new("P2")]);
        let found = problems(&study);
        let fields: Vec<(&str, &str)> = found
            .iter()
            .map(|p| (p.study_id.as_str(), p.field.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("P1", "sex"),
                ("P1", "age"),
                ("P1", "surgery_date"),
                ("P2", "sex"),
                ("P2", "age"),
                ("P2", "surgery_date"),
            ]
        );
        assert!(found.iter().all(|p| p.kind == IssueKind::MissingRequired));
        assert_eq!(found[3].patient, 1);
    }

    #[test]
    fn the_filter_cycles_through_the_kinds_present_then_all() {
        let study = study(vec![PatientRecord::new("P1")]);
        let mut screen = QualityScreen::new(&study);
        screen.shown(&study);
        assert_eq!(screen.listed().count(), 3);
        screen.update(Action::NextKind, &study);
        assert_eq!(screen.filter, Some(IssueKind::MissingRequired));
        assert_eq!(screen.listed().count(), 3);
        screen.update(Action::NextKind, &study);
        assert_eq!(screen.filter, None, "no other kind is present");
    }

    #[test]
    fn enter_opens_the_patient_of_the_row() {
        let study = study(vec![PatientRecord::new("P1"), PatientRecord::new("P2")]);
        let mut screen = QualityScreen::new(&study);
        screen.shown(&study);
        screen.update(Action::Last, &study);
        assert!(matches!(
            screen.update(Action::Open, &study),
            Outcome::OpenPatientAt(1, _)
        ));
        let empty = self::study(Vec::new());
        let mut none = QualityScreen::new(&empty);
        none.shown(&empty);
        assert_eq!(none.update(Action::Open, &empty), Outcome::Stay);
    }
}
