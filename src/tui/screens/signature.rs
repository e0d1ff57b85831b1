//! The signatures view: every signature stored in the study — the first,
//! the one that scored the study last, is the active one whose risk groups
//! the other views use — and every signature file (`*.json`) in the study
//! folder not stored yet. The list is on the left; on the right, the
//! selected signature's model, inputs with their preprocessing and
//! coefficients, cutoff, provenance, and for a stored one how well its
//! stored scores discriminate early recurrence in the training and
//! validation cohorts (AUC with DeLong's 95% CI, as the report computes
//! it). `s` scores the cohort with the selected signature, which makes it
//! the active one.
//!
//! The list is read from the database and the folder when the screen is
//! made and whenever the study changes: a few small queries and files. What
//! cannot be read is shown in the view rather than stopping it.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use radcohort::analysis::AnalysisSet;
use radcohort::report::format::auc_ci;
use radcohort::signature::{
    Input, ModelKind, Signature, StoredScore, list_signatures, load_scores,
};
use radcohort::stats::auc_delong;
use radcohort::study::model::Cohort;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};

use super::{Component, Outcome, page_step, step};
use crate::tui::action::Action;
use crate::tui::format;
use crate::tui::jobs::JobSpec;
use crate::tui::keymap::Context;
use crate::tui::study::Study;
use crate::tui::widgets::status_bar::StatusBar;

/// Width of the list at the left.
const LIST_WIDTH: u16 = 28;

/// Where a signature of the list comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// Stored in the study database.
    Stored {
        /// When it was first stored.
        stored_at: String,
        /// Who stored it.
        stored_by: String,
        /// When it last scored the study, if it has scores.
        scored_at: Option<String>,
        /// Patients with a stored score.
        scored: usize,
        /// Its file in the study folder, if one is there.
        file: Option<PathBuf>,
    },
    /// A file in the study folder whose signature is not stored yet.
    File(PathBuf),
}

/// How a signature discriminates early recurrence in one cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct Discrimination {
    /// The cohort.
    pub cohort: Cohort,
    /// Patients with a stored score and a known early-recurrence status.
    pub n: usize,
    /// Of them, with early recurrence.
    pub events: usize,
    /// `AUC (lower–upper)`, or why it could not be computed.
    pub auc: Result<String, String>,
}

/// One signature of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// How the list names it: the signature's name, or the file's when the
    /// file could not be read.
    pub name: String,
    /// The signature, or why its file could not be read.
    pub signature: Result<Signature, String>,
    /// Where it comes from.
    pub origin: Origin,
    /// Whether it is the active signature.
    pub active: bool,
    /// Early recurrence in the training and validation cohorts, from the
    /// stored scores; empty for a file not stored yet.
    pub discrimination: Vec<Discrimination>,
    /// Why the stored scores could not be read, if they could not.
    pub scores_error: Option<String>,
}

impl Entry {
    /// The job that scores the cohort with it: from its file when there is
    /// one, else from the database.
    pub fn score_job(&self) -> Result<JobSpec, String> {
        let signature = self
            .signature
            .as_ref()
            .map_err(|why| format!("{} cannot be scored: {why}", self.name))?;
        Ok(match &self.origin {
            Origin::File(path)
            | Origin::Stored {
                file: Some(path), ..
            } => JobSpec::Score {
                signature: path.clone(),
            },
            Origin::Stored { file: None, .. } => JobSpec::ScoreStored {
                id: signature.id(),
                name: signature.name.clone(),
            },
        })
    }
}

/// Every signature of the study: the stored ones in the order of
/// [`list_signatures`] (the active one first), then the files of the study
/// folder not stored, by file name. The error says what could not be read.
pub fn load(study: &Study) -> (Vec<Entry>, Option<String>) {
    let mut entries = Vec::new();
    let mut error = None;
    let active = study.active_signature.as_ref().map(|a| a.id.as_str());
    match study.open_db() {
        Ok(db) => match list_signatures(&db) {
            Ok(stored) => {
                for stored in stored {
                    let id = stored.signature.id();
                    let (discrimination, scores_error) = match load_scores(&db, &id) {
                        Ok(scores) => (discrimination(study, &scores), None),
                        Err(err) => (Vec::new(), Some(radcohort::error_chain(&err))),
                    };
                    entries.push(Entry {
                        name: stored.signature.name.clone(),
                        active: active == Some(id.as_str()),
                        signature: Ok(stored.signature),
                        origin: Origin::Stored {
                            stored_at: stored.stored_at,
                            stored_by: stored.stored_by,
                            scored_at: stored.scored_at,
                            scored: stored.scored,
                            file: None,
                        },
                        discrimination,
                        scores_error,
                    });
                }
            }
            Err(err) => error = Some(radcohort::error_chain(&err)),
        },
        Err(err) => error = Some(radcohort::error_chain(&err)),
    }
    // Messages name files by their full path; within the study folder its
    // name alone says enough and fits the pane.
    let folder = format!("{}{}", study.folder.display(), std::path::MAIN_SEPARATOR);
    for path in signature_files(&study.folder) {
        let read =
            Signature::read(&path).map_err(|err| radcohort::error_chain(&err).replace(&folder, ""));
        // A file of a stored signature (same content id) is that
        // signature, not another one.
        if let Ok(signature) = &read {
            let id = signature.id();
            let stored = entries.iter_mut().find(|entry| {
                entry.signature.as_ref().is_ok_and(|s| s.id() == id)
                    && matches!(entry.origin, Origin::Stored { file: None, .. })
            });
            if let Some(Entry {
                origin: Origin::Stored { file, .. },
                ..
            }) = stored
            {
                *file = Some(path);
                continue;
            }
        }
        entries.push(Entry {
            name: match &read {
                Ok(signature) => signature.name.clone(),
                Err(_) => file_name(&path),
            },
            signature: read,
            origin: Origin::File(path),
            active: false,
            discrimination: Vec::new(),
            scores_error: None,
        });
    }
    (entries, error)
}

/// The `*.json` files of `folder`, sorted; none when it cannot be read.
fn signature_files(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// Early recurrence against the stored `scores` in the training and
/// validation cohorts, with the AUC the report uses; patients whose early
/// recurrence is unknown are left out.
pub fn discrimination(study: &Study, scores: &[StoredScore]) -> Vec<Discrimination> {
    let set = AnalysisSet::from_stored_scores(
        study
            .patients
            .iter()
            .map(|p| (p.record.study_id(), p.record.patient.cohort, &p.endpoints)),
        scores,
    );
    [Cohort::Training, Cohort::Validation]
        .into_iter()
        .map(|cohort| {
            let (values, labels): (Vec<f64>, Vec<f64>) = set
                .cohort(Some(cohort))
                .into_iter()
                .filter_map(|row| {
                    let score = row.scores.first().copied().flatten()?;
                    let label = row.early_recurrence?;
                    Some((score.score, if label { 1.0 } else { 0.0 }))
                })
                .unzip();
            Discrimination {
                cohort,
                n: labels.len(),
                events: labels.iter().filter(|&&y| y == 1.0).count(),
                auc: auc_delong(&values, &labels, 0.95)
                    .map(|auc| auc_ci(&auc))
                    .map_err(|err| err.to_string()),
            }
        })
        .collect()
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// The signatures screen.
#[derive(Debug)]
pub struct SignatureScreen {
    entries: Vec<Entry>,
    /// Why the stored signatures could not be read, if they could not.
    error: Option<String>,
    selected: usize,
    /// The first line of the details shown.
    scroll: usize,
    /// Lines of details that fit at the last draw, for PgUp/PgDn.
    page: Cell<usize>,
    /// The furthest the details could scroll at the last draw.
    max_scroll: Cell<usize>,
}

impl SignatureScreen {
    /// The signatures of `study`, the first selected.
    pub fn new(study: &Study) -> Self {
        // Read when shown (see `shown`).
        let _ = study;
        SignatureScreen {
            entries: Vec::new(),
            error: None,
            selected: 0,
            scroll: 0,
            page: Cell::new(10),
            max_scroll: Cell::new(0),
        }
    }

    /// Reads the signatures again, keeping the one selected when it is
    /// still listed.
    fn reload(&mut self, study: &Study) {
        let before = self.entries.get(self.selected).map(|e| e.name.clone());
        let (entries, error) = load(study);
        self.entries = entries;
        self.error = error;
        let position = before.and_then(|name| self.entries.iter().position(|e| e.name == name));
        self.selected = position.unwrap_or_else(|| step(self.selected, 0, self.entries.len()));
    }

    /// Every signature listed.
    #[cfg(test)]
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    fn select(&mut self, delta: isize) {
        let before = self.selected;
        self.selected = step(self.selected, delta, self.entries.len());
        if self.selected != before {
            self.scroll = 0;
        }
    }

    fn list_item(entry: &Entry) -> ListItem<'static> {
        let (mark, mark_style) = if entry.active {
            ("● ", Style::new().fg(Color::Green))
        } else {
            ("  ", Style::new())
        };
        let origin = match &entry.origin {
            Origin::Stored { scored, .. } if entry.active => format!("active · {scored} scored"),
            Origin::Stored { scored: 0, .. } => "stored · not scored".to_owned(),
            Origin::Stored { scored, .. } => format!("stored · {scored} scored"),
            Origin::File(_) if entry.signature.is_err() => "file · unreadable".to_owned(),
            Origin::File(_) => "file · not stored".to_owned(),
        };
        ListItem::new(vec![
            Line::from(vec![
                Span::styled(mark, mark_style),
                Span::styled(
                    entry.name.clone(),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
            ]),
            Line::styled(format!("  {origin}"), Style::new().fg(Color::DarkGray)),
        ])
    }

    /// The details of an entry, as lines at most `width` columns wide
    /// (long text is wrapped here, so the number of lines is known).
    fn details(entry: &Entry, width: usize) -> Vec<Line<'static>> {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let heading = |text: &str| Line::styled(text.to_owned(), bold.fg(Color::Cyan));
        let mut lines = Vec::new();
        let text = |lines: &mut Vec<Line<'static>>, text: &str, style: Style| {
            lines.extend(
                format::wrap(text, width.saturating_sub(1))
                    .into_iter()
                    .map(|line| Line::styled(format!(" {line}"), style)),
            );
        };
        let plain = Style::new();
        let mut title = vec![Span::styled(entry.name.clone(), bold)];
        if entry.active {
            title.push(Span::styled("  ● active", Style::new().fg(Color::Green)));
        }
        lines.push(Line::from(title));
        match &entry.origin {
            Origin::Stored {
                stored_at,
                stored_by,
                scored_at,
                scored,
                file,
            } => {
                text(
                    &mut lines,
                    &format!("stored {stored_at} by {stored_by}"),
                    plain,
                );
                let scores = match scored_at {
                    Some(at) => format!("scored {scored} patients, last {at}"),
                    None => "no stored scores".to_owned(),
                };
                text(&mut lines, &scores, plain);
                let file = match file {
                    Some(path) => format!("file {}", file_name(path)),
                    None => "no file in the study folder: s scores from the database".to_owned(),
                };
                text(&mut lines, &file, plain);
            }
            Origin::File(path) => {
                text(&mut lines, &format!("file {}", file_name(path)), plain);
                text(
                    &mut lines,
                    "not stored yet: s scores the cohort and stores it",
                    plain,
                );
            }
        }
        let signature = match &entry.signature {
            Ok(signature) => signature,
            Err(why) => {
                lines.push(Line::from(""));
                let error = Style::new().fg(Color::LightRed);
                text(
                    &mut lines,
                    "This file cannot be read as a signature:",
                    error,
                );
                text(&mut lines, why, plain);
                return lines;
            }
        };
        let model = format!("id {} · {} model", signature.id(), signature.model.as_str());
        text(&mut lines, &model, plain);
        lines.push(Line::from(""));
        lines.extend(Self::inputs(signature, width));
        lines.push(Line::from(""));
        lines.push(heading("Cutoff"));
        let cutoff = match &signature.cutoff {
            Some(cutoff) => format!(
                "{} ({}), chosen on {}",
                number(cutoff.value),
                cutoff.method.as_str(),
                cutoff.chosen_on
            ),
            None => "none, so no risk groups".to_owned(),
        };
        text(&mut lines, &cutoff, plain);
        let provenance = provenance(signature);
        if !provenance.is_empty() {
            lines.push(Line::from(""));
            lines.push(heading("Provenance"));
            for line in provenance {
                text(&mut lines, &line, plain);
            }
        }
        lines.push(Line::from(""));
        lines.push(heading("Early recurrence, from the stored scores"));
        if let Some(why) = &entry.scores_error {
            let error = Style::new().fg(Color::LightRed);
            text(&mut lines, &format!("scores not read: {why}"), error);
        } else if entry.discrimination.is_empty() {
            text(
                &mut lines,
                "not scored yet: press s to score the cohort",
                plain,
            );
        } else {
            lines.push(Line::styled(
                format!(
                    " {:<11}{:>5}{:>8}  AUC (95% CI, DeLong)",
                    "cohort", "n", "events"
                ),
                bold,
            ));
            for d in &entry.discrimination {
                let row = format!("{:<11}{:>5}{:>8}  ", d.cohort.as_str(), d.n, d.events);
                match &d.auc {
                    Ok(auc) => text(&mut lines, &format!("{row}{auc}"), plain),
                    Err(why) => {
                        let warning = Style::new().fg(Color::Yellow);
                        text(&mut lines, &format!("{row}no AUC: {why}"), warning);
                    }
                }
            }
        }
        lines
    }

    /// The inputs as a table `width` columns wide: what each reads, its
    /// preprocessing and its coefficient (a forest's importance), then the
    /// intercept.
    fn inputs(signature: &Signature, width: usize) -> Vec<Line<'static>> {
        const PREPROCESSING: usize = 20;
        const WEIGHT: usize = 12;
        let forest = signature.forest.as_ref();
        let (weight_name, weights) = match forest {
            Some(forest) => ("importance", forest.importances.as_slice()),
            None => ("coefficient", signature.coefficients.as_slice()),
        };
        // One line per input when the labels fit beside the numbers (at
        // 120 columns); at 80 the label has a line of its own above them.
        let one_line = width >= 72;
        // Narrow, the numbers are indented under their label by as much as
        // the heading `Inputs` takes.
        let label_width = if one_line {
            width.saturating_sub(PREPROCESSING + WEIGHT + 2)
        } else {
            7
        };
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let mut lines = vec![Line::from(vec![
            Span::styled(
                format!("{:<w$}", "Inputs", w = label_width + 1),
                bold.fg(Color::Cyan),
            ),
            Span::styled(
                format!("{:<PREPROCESSING$}{weight_name:>WEIGHT$}", "preprocessing"),
                bold,
            ),
        ])];
        for (j, input) in signature.inputs.iter().enumerate() {
            let weight = weights.get(j).map_or_else(String::new, |w| number(*w));
            let label = input.source.label();
            let numbers = |label: &str| {
                format!(
                    " {label:<label_width$}{:<PREPROCESSING$}{weight:>WEIGHT$}",
                    format::fit(&preprocessing(input), PREPROCESSING - 1),
                )
            };
            if one_line {
                lines.push(Line::from(numbers(&format::fit(&label, label_width - 1))));
            } else {
                lines.extend(
                    format::wrap(&label, width.saturating_sub(1))
                        .into_iter()
                        .map(|l| Line::from(format!(" {l}"))),
                );
                lines.push(Line::from(numbers("")));
            }
        }
        match forest {
            Some(forest) => lines.push(Line::from(format!(
                " random forest of {} trees",
                forest.trees.len()
            ))),
            // A Cox model's baseline hazard absorbs the intercept.
            None if signature.model == ModelKind::Cox => {}
            None => lines.push(Line::from(format!(
                " {:<w$}{:>WEIGHT$}",
                "intercept",
                number(signature.intercept),
                w = label_width + PREPROCESSING
            ))),
        }
        lines
    }
}

/// An input's preprocessing: the logarithm, centring and scaling, in the
/// order they are applied; `—` when the raw value is used.
fn preprocessing(input: &Input) -> String {
    let mut steps = Vec::new();
    if input.log {
        steps.push("ln".to_owned());
    }
    if input.center > 0.0 {
        steps.push(format!("−{}", short(input.center)));
    } else if input.center < 0.0 {
        steps.push(format!("+{}", short(-input.center)));
    }
    if input.scale != 1.0 {
        steps.push(format!("÷{}", short(input.scale)));
    }
    if steps.is_empty() {
        "—".to_owned()
    } else {
        steps.join(" ")
    }
}

/// The provenance fields that are set, one line each.
fn provenance(signature: &Signature) -> Vec<String> {
    let p = &signature.provenance;
    let mut lines = Vec::new();
    if let Some(method) = &p.method {
        lines.push(method.clone());
    }
    if let Some(outcome) = &p.outcome {
        lines.push(format!("outcome {outcome}"));
    }
    let mut training = Vec::new();
    if let Some(cohort) = &p.training_cohort {
        training.push(cohort.clone());
    }
    if let Some(n) = p.training_patients {
        training.push(format!("{n} patients"));
    }
    if let Some(events) = p.training_events {
        training.push(format!("{events} events"));
    }
    if !training.is_empty() {
        lines.push(format!("trained on {}", training.join(", ")));
    }
    let mut fit = Vec::new();
    if let Some(seed) = p.seed {
        fit.push(format!("seed {seed}"));
    }
    if let Some(lambda) = p.lambda {
        fit.push(format!("λ {}", number(lambda)));
    }
    if !fit.is_empty() {
        lines.push(fit.join(" · "));
    }
    match (&p.created, &p.tool) {
        (Some(created), Some(tool)) => lines.push(format!("created {created} by {tool}")),
        (Some(created), None) => lines.push(format!("created {created}")),
        (None, Some(tool)) => lines.push(format!("made by {tool}")),
        (None, None) => {}
    }
    if let Some(notes) = &p.notes {
        lines.push(notes.clone());
    }
    lines
}

/// A coefficient or cutoff: four significant decimals, in scientific
/// notation when that would hide it.
fn number(value: f64) -> String {
    if value != 0.0 && (value.abs() < 1e-3 || value.abs() >= 1e6) {
        format!("{value:.3e}")
    } else {
        format!("{value:.4}")
    }
}

/// A centre or scale in as few characters as keep four decimals: `12.3`,
/// `0.25`.
fn short(value: f64) -> String {
    if value != 0.0 && (value.abs() < 1e-3 || value.abs() >= 1e5) {
        return format!("{value:.2e}");
    }
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

impl Component for SignatureScreen {
    fn context(&self) -> Context {
        Context::Signature
    }

    fn render(&self, frame: &mut Frame, area: Rect, _study: &Study) {
        let [main, status] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let stored = self
            .entries
            .iter()
            .filter(|e| matches!(e.origin, Origin::Stored { .. }))
            .count();
        let files = self.entries.len() - stored;
        frame.render_widget(
            StatusBar::new(
                format!(" {stored} stored · {files} files not stored"),
                "s score  ? help",
            ),
            status,
        );
        let [list_area, details_area] =
            Layout::horizontal([Constraint::Length(LIST_WIDTH), Constraint::Fill(1)]).areas(main);
        let list_block = Block::bordered().title(" Signatures ");
        let details_block = Block::bordered().title(" Details ");
        if self.entries.is_empty() {
            frame.render_widget(list_block, list_area);
            let mut text = Vec::new();
            if let Some(error) = &self.error {
                text.push(Line::styled(
                    format!("The stored signatures could not be read: {error}"),
                    Style::new().fg(Color::LightRed),
                ));
                text.push(Line::from(""));
            }
            text.extend([
                Line::from("No signature yet."),
                Line::from(""),
                Line::from("Train one (3 Jobs, a, \"Train …\"), or put a signature file"),
                Line::from("(*.json) in the study folder; it is listed here and s scores"),
                Line::from("the cohort with it."),
            ]);
            frame.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: false })
                    .block(details_block),
                details_area,
            );
            return;
        }
        let list_inner = list_block.inner(list_area);
        frame.render_widget(list_block, list_area);
        let [list_rows, error_rows] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(if self.error.is_some() { 4 } else { 0 }),
        ])
        .areas(list_inner);
        let items: Vec<ListItem> = self.entries.iter().map(Self::list_item).collect();
        let list = List::new(items)
            .highlight_style(Style::new().add_modifier(Modifier::REVERSED))
            .highlight_symbol("▶");
        let mut state = ListState::default().with_selected(Some(self.selected));
        frame.render_stateful_widget(list, list_rows, &mut state);
        if let Some(error) = &self.error {
            frame.render_widget(
                Paragraph::new(format!("stored signatures not read: {error}"))
                    .style(Style::new().fg(Color::LightRed))
                    .wrap(Wrap { trim: false }),
                error_rows,
            );
        }
        let inner = details_block.inner(details_area);
        frame.render_widget(details_block, details_area);
        let Some(entry) = self.entries.get(self.selected) else {
            return;
        };
        let lines = Self::details(entry, usize::from(inner.width).saturating_sub(1));
        let visible = usize::from(inner.height).max(1);
        self.page.set(visible);
        self.max_scroll.set(lines.len().saturating_sub(visible));
        let scroll = self.scroll.min(self.max_scroll.get());
        frame.render_widget(
            Paragraph::new(lines).scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
            inner,
        );
    }

    fn update(&mut self, action: Action, _study: &Study) -> Outcome {
        let page = page_step(self.page.get());
        match action {
            Action::Down => self.select(1),
            Action::Up => self.select(-1),
            Action::First => self.select(isize::MIN),
            Action::Last => self.select(isize::MAX),
            Action::PageDown => {
                self.scroll = self
                    .scroll
                    .saturating_add_signed(page)
                    .min(self.max_scroll.get());
            }
            Action::PageUp => self.scroll = self.scroll.saturating_add_signed(-page),
            Action::Score => {
                return match self.entries.get(self.selected) {
                    Some(entry) => match entry.score_job() {
                        Ok(spec) => Outcome::StartJob(spec),
                        Err(why) => Outcome::Note(why),
                    },
                    None => Outcome::Note("no signature to score with".to_owned()),
                };
            }
            _ => {}
        }
        Outcome::Stay
    }

    fn shown(&mut self, study: &Study) {
        // Read each time the view is shown: a job may have written a
        // signature file since (training does not change the study, so
        // nothing else tells this screen), and reading it for a view not
        // in sight would only slow every change down.
        self.reload(study);
    }
}

#[cfg(test)]
mod tests {
    use radcohort::signature::InputSource;

    use super::*;
    use crate::tui::fixture;

    #[test]
    fn the_stored_signature_is_listed_active_with_its_discrimination() {
        let (_dir, db) = fixture::scored_sample();
        let study = fixture::load(&db);
        let mut screen = SignatureScreen::new(&study);
        screen.shown(&study);
        assert_eq!(screen.error, None);
        let [entry] = screen.entries() else {
            panic!("one signature expected: {:?}", screen.entries());
        };
        assert!(entry.active);
        assert!(matches!(
            entry.origin,
            Origin::Stored {
                scored: 124,
                file: None,
                ..
            }
        ));
        let counts: Vec<(Cohort, usize, usize)> = entry
            .discrimination
            .iter()
            .map(|d| (d.cohort, d.n, d.events))
            .collect();
        assert_eq!(
            counts,
            [(Cohort::Training, 83, 47), (Cohort::Validation, 37, 16)]
        );
        assert!(entry.discrimination.iter().all(|d| d.auc.is_ok()));
    }

    #[test]
    fn scoring_reads_the_file_when_there_is_one_and_the_database_otherwise() {
        let (dir, db) = fixture::scored_sample();
        let study = fixture::load(&db);
        let mut listed = SignatureScreen::new(&study);
        listed.shown(&study);
        let stored = listed.entries()[0].clone();
        let id = stored
            .signature
            .as_ref()
            .map(Signature::id)
            .expect("a signature");
        assert_eq!(
            stored.score_job(),
            Ok(JobSpec::ScoreStored {
                id,
                name: "Clinical score".to_owned()
            })
        );
        // Its own file in the folder makes it scored from the file, and is
        // not listed twice.
        let signature = stored.signature.clone().expect("a signature");
        let path = dir.path().join("clinical.json");
        signature.write(&path).expect("a signature file");
        std::fs::write(dir.path().join("broken.json"), "{").expect("a file");
        let mut screen = SignatureScreen::new(&study);
        screen.shown(&study);
        let entries = screen.entries();
        assert_eq!(entries.len(), 2, "{entries:?}");
        assert_eq!(
            entries[0].score_job(),
            Ok(JobSpec::Score { signature: path })
        );
        let refused = entries[1].score_job().expect_err("an unreadable file");
        assert!(
            refused.starts_with("broken.json cannot be scored: broken.json:"),
            "{refused}"
        );
    }

    #[test]
    fn a_study_without_a_database_says_so_instead_of_failing() {
        let study = Study {
            database: "/nonexistent/study.db".into(),
            folder: "/nonexistent".into(),
            ..Study::default()
        };
        let mut screen = SignatureScreen::new(&study);
        screen.shown(&study);
        assert!(screen.entries().is_empty());
        assert!(
            screen
                .error
                .as_deref()
                .is_some_and(|e| e.contains("study.db"))
        );
        assert_eq!(
            screen.update(Action::Score, &study),
            Outcome::Note("no signature to score with".to_owned())
        );
    }

    #[test]
    fn preprocessing_reads_in_the_order_it_is_applied() {
        let input = |log, center, scale| Input {
            source: InputSource::Variable {
                name: "x".to_owned(),
                level: None,
            },
            log,
            center,
            scale,
        };
        assert_eq!(preprocessing(&input(false, 0.0, 1.0)), "—");
        assert_eq!(preprocessing(&input(true, 12.3, 4.5)), "ln −12.3 ÷4.5");
        assert_eq!(preprocessing(&input(false, -0.25, 1.0)), "+0.25");
        assert_eq!(short(0.00012), "1.20e-4");
        assert_eq!(number(0.5), "0.5000");
    }
}
