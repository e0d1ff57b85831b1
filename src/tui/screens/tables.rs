//! The tables view: a preview of the publication tables that the stored
//! scores of the active signature are enough for — Table 1 by cohort, and
//! when there are risk groups Table 1 by risk group, DFS and OS by risk
//! group, and chemotherapy benefit by risk group with the interaction test.
//! They are built by the report's own table builders
//! ([`radcohort::report::tables`]) from the library's analyses, so the
//! preview prints what the report would. The discrimination, calibration
//! and Cox tables need the signature's model (and a CPR model) and come
//! only with the full report, which `r` writes as a job.
//!
//! `x` exports the table shown to a file named in a prompt: `.csv`, `.md`
//! (Markdown) or `.tex` (LaTeX booktabs) by its extension; a relative name
//! is in the study folder. An existing file is never replaced silently:
//! the prompt says so and asks for another name, or for `!` after the name
//! to replace it.

use std::cell::Cell;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use radcohort::analysis::baseline::baseline;
use radcohort::analysis::chemo::chemo_benefit;
use radcohort::analysis::prognosis::prognosis;
use radcohort::report::Table;
use radcohort::report::tables::{baseline_tables, chemotherapy_benefit, survival_by_risk_group};
use radcohort::signature::{PatientData, StudyData};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Tabs, Wrap};

use super::survival::analysis_set;
use super::{Component, Outcome, Prompt, page_step};
use crate::tui::action::Action;
use crate::tui::format;
use crate::tui::jobs;
use crate::tui::keymap::Context;
use crate::tui::study::Study;
use crate::tui::widgets::status_bar::StatusBar;

/// The widest a column other than the first is drawn; longer cells are cut
/// with `…` (the export keeps them whole).
const MAX_COLUMN: usize = 28;

/// The tables the stored scores of `study` are enough for, in the report's
/// order, and why any of them could not be built.
pub fn preview_tables(study: &Study) -> (Vec<Table>, Vec<String>) {
    // The analyses read the study as signatures do; it is all in memory
    // already except extraction runs, which these tables do not use.
    let data = StudyData {
        dictionary: study.dictionary.clone(),
        windows: study.windows,
        patients: study
            .patients
            .iter()
            .map(|p| PatientData {
                study_id: p.record.study_id().to_owned(),
                cohort: p.record.patient.cohort,
                sex: p.record.patient.sex,
                age: p.record.patient.age_at_surgery,
                endpoints: p.endpoints,
                values: p.record.values.clone(),
            })
            .collect(),
        runs: Vec::new(),
    };
    // Rows in the study's order, as `data.patients`, which the baseline
    // table pairs them with by position.
    let set = analysis_set(study);
    let scored = study.patients.iter().any(|p| p.risk_group().is_some());
    let baseline = baseline(&set, &data);
    let mut notes = baseline.notes.clone();
    let mut tables = baseline_tables(&baseline);
    if scored {
        tables.push(survival_by_risk_group(&prognosis(&set, &data)));
        tables.push(chemotherapy_benefit(&chemo_benefit(&set)));
    } else {
        // Without risk groups the by-risk-group tables would be empty.
        tables.retain(|table| table.name != "table1_by_risk_group");
        notes.retain(|note| !note.contains("Risk group"));
        notes.push(
            "No patient has a risk group yet: score the cohort with a signature (4 Signature, s) \
             for the tables by risk group."
                .to_owned(),
        );
    }
    (tables, notes)
}

/// A table's name on its tab.
fn tab_name(table: &Table) -> &str {
    match table.name.as_str() {
        "table1_by_cohort" => "Table 1 · cohort",
        "table1_by_risk_group" => "Table 1 · risk",
        "survival_by_risk_group" => "Survival",
        "chemotherapy_benefit" => "Chemotherapy",
        other => other,
    }
}

/// The tables screen.
#[derive(Debug)]
pub struct TablesScreen {
    tables: Vec<Table>,
    /// Why tables are missing.
    notes: Vec<String>,
    /// The table shown.
    current: usize,
    /// The first body line shown.
    scroll: usize,
    /// The first column shown after the first, which always stays.
    column: usize,
    /// The study folder, where exports with a relative name go.
    folder: PathBuf,
    /// Body lines that fit at the last draw, for PgUp/PgDn.
    page: Cell<usize>,
    /// The furthest the body could scroll at the last draw.
    max_scroll: Cell<usize>,
    /// Whether the study changed since the tables were built.
    stale: bool,
}

impl TablesScreen {
    /// The tables of `study`, the first shown.
    pub fn new(study: &Study) -> Self {
        let mut screen = TablesScreen {
            tables: Vec::new(),
            notes: Vec::new(),
            current: 0,
            scroll: 0,
            column: 0,
            folder: study.folder.clone(),
            page: Cell::new(10),
            max_scroll: Cell::new(0),
            stale: true,
        };
        screen.folder = study.folder.clone();
        screen
    }

    /// The table shown, if there is one.
    pub fn current(&self) -> Option<&Table> {
        self.tables.get(self.current)
    }

    fn switch(&mut self, forward: bool) {
        let count = self.tables.len().max(1);
        self.current = if forward {
            (self.current + 1) % count
        } else {
            (self.current + count - 1) % count
        };
        self.scroll = 0;
        self.column = 0;
    }

    /// Writes the table shown to the file `answer` names (see the module
    /// documentation), returning what to say.
    fn export(&self, answer: &str) -> Result<String, String> {
        let table = self.current().ok_or("there is no table to export")?;
        let answer = answer.trim();
        let (name, replace) = match answer.strip_suffix('!') {
            Some(name) => (name.trim_end(), true),
            None => (answer, false),
        };
        if name.is_empty() {
            return Err(format!("type a file name, e.g. {}.csv", table.name));
        }
        let path = self.folder.join(name);
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let text = match extension.as_deref() {
            Some("csv") => table.to_csv(),
            Some("md") => table.to_markdown(),
            Some("tex") => table.to_latex(),
            _ => return Err(format!("{name}: the name must end in .csv, .md or .tex")),
        };
        write_new(&path, &text, replace).map_err(|err| match err.kind() {
            std::io::ErrorKind::AlreadyExists => {
                format!("{name} exists: choose another name, or end it with ! to replace it")
            }
            _ => format!("{name}: {err}"),
        })?;
        Ok(format!("{} written to {name}", table.title))
    }

    /// The table's lines: the header, a rule, then the rows and the notes,
    /// with the first column and the columns from `self.column` on that
    /// fit `width`.
    fn lines(&self, table: &Table, width: usize) -> (Vec<Line<'static>>, Vec<Line<'static>>, bool) {
        let columns = table.header.len();
        let natural: Vec<usize> = (0..columns)
            .map(|c| {
                std::iter::once(&table.header)
                    .chain(&table.rows)
                    .filter_map(|row| row.get(c))
                    .map(|cell| cell.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        // The first column (what each row is) gets up to a third of the
        // width; the others their natural width up to a limit.
        let first = natural
            .first()
            .copied()
            .unwrap_or(0)
            .min((width / 3).max(12));
        let mut shown = vec![(0, first)];
        let mut used = first;
        let mut more = false;
        for (c, &natural) in natural.iter().enumerate().skip(1 + self.column) {
            let w = natural.min(MAX_COLUMN);
            if used + 2 + w > width {
                more = true;
                break;
            }
            used += 2 + w;
            shown.push((c, w));
        }
        let left: Vec<bool> = (0..columns).map(|c| c == 0 || is_text(table, c)).collect();
        let line = |row: &[String]| -> String {
            shown
                .iter()
                .map(|&(c, w)| {
                    let cell = format::fit(row.get(c).map_or("", String::as_str), w);
                    if left[c] {
                        format!("{cell:<w$}")
                    } else {
                        format!("{cell:>w$}")
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
        };
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let head = vec![
            Line::styled(line(&table.header), bold),
            Line::styled(
                "─".repeat(used.min(width)),
                Style::new().fg(Color::DarkGray),
            ),
        ];
        let mut body: Vec<Line<'static>> = table.rows.iter().map(|r| Line::from(line(r))).collect();
        for note in &table.notes {
            body.push(Line::from(""));
            body.extend(
                format::wrap(note, width)
                    .into_iter()
                    .map(|l| Line::styled(l, Style::new().fg(Color::DarkGray))),
            );
        }
        (head, body, more)
    }
}

/// Whether column `c` holds words rather than numbers: most of its filled
/// cells start with a letter. Words read left-aligned, numbers
/// right-aligned, as in print.
fn is_text(table: &Table, c: usize) -> bool {
    let (mut words, mut filled) = (0, 0);
    for cell in table.rows.iter().filter_map(|row| row.get(c)) {
        if let Some(first) = cell.chars().next() {
            filled += 1;
            // `NR` (not reached) starts a median, which is a number.
            if first.is_alphabetic() && !cell.starts_with("NR") {
                words += 1;
            }
        }
    }
    words * 2 > filled
}

/// Writes `text` to `path`, refusing to replace a file unless `replace`.
fn write_new(path: &Path, text: &str, replace: bool) -> std::io::Result<()> {
    if replace {
        return std::fs::write(path, text);
    }
    // `create_new` refuses an existing file in the same step as creating
    // it, so a file that appears meanwhile is not overwritten either.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

impl Component for TablesScreen {
    fn context(&self) -> Context {
        Context::Tables
    }

    fn render(&self, frame: &mut Frame, area: Rect, study: &Study) {
        let [main, status] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let signature = study.signature_label();
        frame.render_widget(
            StatusBar::new(
                format!(" risk groups: {signature}"),
                "Tab table  x export  r report  ? help",
            ),
            status,
        );
        let Some(table) = self.current() else {
            let mut text = vec![Line::from("No table can be built from this study yet.")];
            text.extend(self.notes.iter().map(|n| Line::from(n.clone())));
            frame.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: false })
                    .block(Block::bordered().title(" Tables ")),
                main,
            );
            return;
        };
        let block = Block::bordered().title(format!(" {} ", table.title));
        let inner = block.inner(main);
        frame.render_widget(block, main);
        let [tabs, _, head_area, body_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(2),
            Constraint::Fill(1),
        ])
        .areas(inner);
        frame.render_widget(
            Tabs::new(self.tables.iter().map(tab_name))
                .select(self.current)
                .highlight_style(Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD))
                .divider("│"),
            tabs,
        );
        let width = usize::from(inner.width);
        let (head, mut body, more) = self.lines(table, width);
        if !self.notes.is_empty() {
            for note in &self.notes {
                body.push(Line::from(""));
                body.extend(
                    format::wrap(note, width)
                        .into_iter()
                        .map(|l| Line::styled(l, Style::new().fg(Color::Yellow))),
                );
            }
        }
        let visible = usize::from(body_area.height).max(1);
        self.page.set(visible);
        self.max_scroll.set(body.len().saturating_sub(visible));
        let scroll = self.scroll.min(self.max_scroll.get());
        frame.render_widget(Paragraph::new(head), head_area);
        frame.render_widget(
            Paragraph::new(body).scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
            body_area,
        );
        // Say when columns are hidden, in the rule's last cells.
        let hidden_left = self.column > 0;
        if (more || hidden_left) && head_area.height == 2 && head_area.width > 12 {
            let text = match (hidden_left, more) {
                (true, true) => "← more →",
                (true, false) => "← more",
                _ => "more →",
            };
            let width = u16::try_from(text.chars().count()).unwrap_or(0);
            let at = Rect::new(
                head_area.right().saturating_sub(width),
                head_area.y + 1,
                width,
                1,
            );
            frame.render_widget(
                Paragraph::new(Span::styled(text, Style::new().fg(Color::Yellow))),
                at,
            );
        }
    }

    fn update(&mut self, action: Action, study: &Study) -> Outcome {
        let page = page_step(self.page.get());
        let columns = self.current().map_or(0, |t| t.header.len());
        match action {
            Action::NextSection => self.switch(true),
            Action::PrevSection => self.switch(false),
            Action::Down => self.scroll = (self.scroll + 1).min(self.max_scroll.get()),
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::PageDown => {
                self.scroll = self
                    .scroll
                    .saturating_add_signed(page)
                    .min(self.max_scroll.get());
            }
            Action::PageUp => self.scroll = self.scroll.saturating_add_signed(-page),
            // The first column always shows, so the others scroll up to
            // the last one alone beside it.
            Action::ScrollRight => self.column = (self.column + 1).min(columns.saturating_sub(2)),
            Action::ScrollLeft => self.column = self.column.saturating_sub(1),
            Action::Export => {
                let Some(table) = self.current() else {
                    return Outcome::Note("there is no table to export".to_owned());
                };
                return Outcome::Prompt(Prompt {
                    label: format!("Export: {}", table.title),
                    hint: ".csv, .md or .tex, in the study folder; end with ! to replace"
                        .to_owned(),
                    initial: format!("{}.csv", table.name),
                    accept: "exports",
                });
            }
            Action::ExportReport => {
                return match &study.active_signature {
                    Some(_) => Outcome::StartJob(jobs::report_spec(&study.folder)),
                    None => Outcome::Note(
                        "no signature has scored the study: score one first (4 Signature, s)"
                            .to_owned(),
                    ),
                };
            }
            _ => {}
        }
        Outcome::Stay
    }

    fn answer(&mut self, text: &str, _study: &Study) -> Result<Outcome, String> {
        self.export(text).map(Outcome::Note)
    }

    fn study_changed(&mut self, study: &Study) {
        // Built again when next shown.
        self.stale = true;
        self.folder = study.folder.clone();
    }

    fn shown(&mut self, study: &Study) {
        if !self.stale {
            return;
        }
        self.stale = false;
        // The table shown stays shown when it is still there.
        let shown = self.current().map(|t| t.name.clone());
        let (tables, notes) = preview_tables(study);
        self.tables = tables;
        self.notes = notes;
        self.folder = study.folder.clone();
        self.current = shown
            .and_then(|name| self.tables.iter().position(|t| t.name == name))
            .unwrap_or(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixture;

    #[test]
    fn the_preview_has_the_reports_tables_when_there_are_risk_groups() {
        let (_dir, db) = fixture::scored_sample();
        let (tables, notes) = preview_tables(&fixture::load(&db));
        let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "table1_by_cohort",
                "table1_by_risk_group",
                "survival_by_risk_group",
                "chemotherapy_benefit"
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
        let (_dir, db) = fixture::populated();
        let (tables, notes) = preview_tables(&fixture::load(&db));
        assert_eq!(tables.len(), 1);
        assert!(
            notes[0].starts_with("No patient has a risk group yet"),
            "{notes:?}"
        );
    }

    #[test]
    fn exports_are_refused_without_a_known_extension_or_a_name() {
        let (dir, db) = fixture::scored_sample();
        let study = fixture::load(&db);
        let mut screen = TablesScreen::new(&study);
        screen.shown(&study);
        assert_eq!(
            screen.export("table.xlsx"),
            Err("table.xlsx: the name must end in .csv, .md or .tex".to_owned())
        );
        assert_eq!(
            screen.export("  "),
            Err("type a file name, e.g. table1_by_cohort.csv".to_owned())
        );
        assert_eq!(
            screen.export("!"),
            Err("type a file name, e.g. table1_by_cohort.csv".to_owned())
        );
        let missing = screen
            .export("no/such/folder/t.csv")
            .expect_err("no folder");
        assert!(missing.starts_with("no/such/folder/t.csv: "), "{missing}");
        assert!(screen.export("t.csv").is_ok());
        assert!(dir.path().join("t.csv").is_file());
    }

    #[test]
    fn words_are_left_aligned_and_numbers_right_aligned() {
        let mut table = Table::new("t", "T", &["Group", "n", "Median"]);
        table.push(vec!["high".into(), "12".into(), "NR (3.0–NR)".into()]);
        table.push(vec!["low".into(), "7".into(), "4.5 (1.0–9.0)".into()]);
        assert!(is_text(&table, 0));
        assert!(!is_text(&table, 1));
        assert!(!is_text(&table, 2));
    }
}
