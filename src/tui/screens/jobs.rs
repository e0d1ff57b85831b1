//! The jobs view: every extraction, training and scoring run started in
//! this session, with its progress, time left, per-case errors and a way
//! to cancel it. The jobs themselves run on their own threads (see
//! [`crate::tui::jobs`]); this screen only shows what they report.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, LineGauge, Paragraph, Wrap};

use super::{Component, Outcome, step};
use crate::tui::action::Action;
use crate::tui::jobs::{JobId, JobProgress, JobResult, JobSpec};
use crate::tui::keymap::Context;
use crate::tui::study::Study;
use crate::tui::widgets::status_bar::StatusBar;

/// Where a job is.
#[derive(Debug, Clone, PartialEq)]
pub enum JobState {
    /// Running, at this progress.
    Running(JobProgress),
    /// Ended, having done its work (perhaps with per-case errors).
    Done(JobResult),
    /// Could not run; the text says why.
    Failed(String),
}

/// One job as the view shows it.
#[derive(Debug, Clone)]
pub struct Job {
    /// Its number.
    pub id: JobId,
    /// What it does.
    pub spec: JobSpec,
    /// Where it is.
    pub state: JobState,
    /// Set to ask it to stop.
    pub cancel: Arc<AtomicBool>,
}

impl Job {
    /// Whether it is still running.
    pub fn running(&self) -> bool {
        matches!(self.state, JobState::Running(_))
    }
}

/// The jobs screen.
#[derive(Debug, Default)]
pub struct JobsScreen {
    jobs: Vec<Job>,
    selected: usize,
}

impl JobsScreen {
    /// Adds a job just started, and selects it.
    pub fn add(&mut self, id: JobId, spec: JobSpec, cancel: Arc<AtomicBool>) {
        self.jobs.push(Job {
            id,
            spec,
            state: JobState::Running(JobProgress::default()),
            cancel,
        });
        self.selected = self.jobs.len() - 1;
    }

    /// Records a job's progress.
    pub fn progress(&mut self, id: JobId, progress: JobProgress) {
        if let Some(job) = self.job_mut(id)
            && job.running()
        {
            job.state = JobState::Running(progress);
        }
    }

    /// Records how a job ended; returns what it was.
    pub fn finish(&mut self, id: JobId, outcome: Result<JobResult, String>) -> Option<JobSpec> {
        let job = self.job_mut(id)?;
        job.state = match outcome {
            Ok(result) => JobState::Done(result),
            Err(reason) => JobState::Failed(reason),
        };
        Some(job.spec.clone())
    }

    /// Jobs still running.
    pub fn running(&self) -> usize {
        self.jobs.iter().filter(|job| job.running()).count()
    }

    /// Every job, oldest first.
    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    fn job_mut(&mut self, id: JobId) -> Option<&mut Job> {
        self.jobs.iter_mut().find(|job| job.id == id)
    }

    fn render_job(job: &Job, selected: bool, frame: &mut Frame, area: Rect) {
        let [title, gauge, note] = Layout::vertical([Constraint::Length(1); 3]).areas(area);
        let marker = if selected { "▶ " } else { "  " };
        let title_style = if selected {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        };
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!("{marker}#{} {}", job.id, job.spec),
                title_style,
            )),
            title,
        );
        let indent = |area: Rect| {
            let [_, rest] =
                Layout::horizontal([Constraint::Length(4), Constraint::Fill(1)]).areas(area);
            rest
        };
        match &job.state {
            JobState::Running(progress) => {
                let ratio = if progress.total == 0 {
                    0.0
                } else {
                    (progress.done.min(progress.total) as f64) / (progress.total as f64)
                };
                let cancelling = job.cancel.load(Ordering::Relaxed);
                let label = if cancelling {
                    "cancelling…".to_owned()
                } else if progress.total == 0 {
                    "running…".to_owned()
                } else {
                    format!("{}/{}", progress.done, progress.total)
                };
                frame.render_widget(
                    LineGauge::default()
                        .filled_style(Style::new().fg(Color::Cyan))
                        .unfilled_style(Style::new().fg(Color::DarkGray))
                        .label(label)
                        .ratio(ratio),
                    indent(gauge),
                );
                let mut text = Vec::new();
                if let Some(eta) = progress.eta {
                    let secs = eta.as_secs();
                    text.push(format!("about {}:{:02} left", secs / 60, secs % 60));
                }
                if progress.failed > 0 {
                    text.push(format!("{} failed", progress.failed));
                }
                if let Some(last) = &progress.last {
                    text.push(format!("last {last}"));
                }
                frame.render_widget(Paragraph::new(text.join(" · ")), indent(note));
            }
            JobState::Done(result) => {
                let (status, colour) = if result.cancelled {
                    ("cancelled", Color::Yellow)
                } else if result.errors.is_empty() {
                    ("done", Color::Green)
                } else {
                    ("done with errors", Color::Yellow)
                };
                frame.render_widget(
                    Paragraph::new(Line::from(vec![Span::styled(
                        status,
                        Style::new().fg(colour).add_modifier(Modifier::BOLD),
                    )])),
                    indent(gauge),
                );
                frame.render_widget(Paragraph::new(result.summary.clone()), indent(note));
            }
            JobState::Failed(reason) => {
                frame.render_widget(
                    Paragraph::new(Line::styled(
                        "failed",
                        Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
                    )),
                    indent(gauge),
                );
                frame.render_widget(Paragraph::new(reason.clone()), indent(note));
            }
        }
    }

    fn details(&self) -> Vec<Line<'static>> {
        let Some(job) = self.jobs.get(self.selected) else {
            return Vec::new();
        };
        match &job.state {
            JobState::Done(result) if !result.errors.is_empty() => {
                let mut lines = vec![Line::styled(
                    format!(
                        "{} failed:",
                        super::patient::plural(result.errors.len(), "case")
                    ),
                    Style::new().fg(Color::Yellow),
                )];
                lines.extend(
                    result
                        .errors
                        .iter()
                        .map(|(id, why)| Line::from(format!("{id}: {why}"))),
                );
                lines
            }
            JobState::Failed(reason) => {
                vec![Line::styled(reason.clone(), Style::new().fg(Color::Red))]
            }
            _ => Vec::new(),
        }
    }
}

impl Component for JobsScreen {
    fn context(&self) -> Context {
        Context::Jobs
    }

    fn render(&self, frame: &mut Frame, area: Rect, study: &Study) {
        let [main, status] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let block = Block::bordered().title(format!(" Jobs · {} ", study.name));
        let inner = block.inner(main);
        frame.render_widget(block, main);
        let running = self.running();
        let info = format!(" {} jobs · {running} running", self.jobs.len());
        frame.render_widget(StatusBar::new(info, "a start  c cancel  ? help"), status);
        if self.jobs.is_empty() {
            let text = vec![
                Line::from("No job has run in this session."),
                Line::from(""),
                Line::from("Press a to start one: extract features from the images, train a"),
                Line::from("signature on the training cohort, or score the cohort with one."),
                Line::from("Jobs run in the background; the other views stay usable."),
            ];
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
            return;
        }
        let details = self.details();
        let detail_height = if details.is_empty() {
            0
        } else {
            u16::try_from(details.len() + 1)
                .unwrap_or(u16::MAX)
                .min(inner.height / 2)
        };
        let [list, detail] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(detail_height)]).areas(inner);
        let per_job = 4;
        let fits = usize::from(list.height / per_job).max(1);
        // Show the selected job, and the ones before it that fit.
        let first = (self.selected + 1).saturating_sub(fits);
        for (slot, (index, job)) in self
            .jobs
            .iter()
            .enumerate()
            .skip(first)
            .take(fits)
            .enumerate()
        {
            let y = list.y + u16::try_from(slot).unwrap_or(0) * per_job;
            let area = Rect::new(list.x, y, list.width, 3).intersection(list);
            Self::render_job(job, index == self.selected, frame, area);
        }
        if detail_height > 0 {
            frame.render_widget(
                Paragraph::new(details).wrap(Wrap { trim: false }).block(
                    Block::new()
                        .borders(ratatui::widgets::Borders::TOP)
                        .title(" Errors "),
                ),
                detail,
            );
        }
    }

    fn update(&mut self, action: Action, _study: &Study) -> Outcome {
        match action {
            Action::Down => self.selected = step(self.selected, 1, self.jobs.len()),
            Action::Up => self.selected = step(self.selected, -1, self.jobs.len()),
            Action::NewJob => return Outcome::NewJob,
            Action::CancelJob => match self.jobs.get(self.selected) {
                Some(job) if job.running() => return Outcome::CancelJob(job.id),
                Some(_) => return Outcome::Note("that job has already ended".to_owned()),
                None => return Outcome::Note("no job to cancel".to_owned()),
            },
            _ => {}
        }
        Outcome::Stay
    }
}
