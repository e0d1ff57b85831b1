//! Progress while the sample study is built in the background, and the
//! reason when it could not be.

use std::path::{Path, PathBuf};

use radcohort::sample_study::SampleProgress;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Gauge, Padding, Paragraph, Wrap};

use crate::tui::keymap::Context;
use crate::tui::widgets::status_bar::StatusBar;

/// The widest the progress box grows, so it stays readable on big screens.
const BOX_WIDTH: u16 = 72;

/// The sample study build screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildingScreen {
    folder: PathBuf,
    progress: Option<SampleProgress>,
    failure: Option<String>,
}

impl BuildingScreen {
    /// The screen of a build into `folder`, before its first report.
    pub fn new(folder: PathBuf) -> Self {
        BuildingScreen {
            folder,
            progress: None,
            failure: None,
        }
    }

    /// Shows how far the build has got.
    pub fn progress(&mut self, progress: SampleProgress) {
        self.progress = Some(progress);
    }

    /// Shows why the build failed; the screen stays until the user quits.
    pub fn fail(&mut self, reason: String) {
        self.failure = Some(reason);
    }

    fn render_progress(&self, frame: &mut Frame, area: Rect) {
        let popup = area.centered(
            Constraint::Length(BOX_WIDTH.min(area.width)),
            Constraint::Length(8.min(area.height)),
        );
        let block = Block::bordered().title(" Building the sample study ");
        let inner = block.inner(popup);
        frame.render_widget(block, popup);
        let [intro, folder, _, stage, gauge] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner.inner(ratatui::layout::Margin::new(1, 0)));
        frame.render_widget(
            Paragraph::new("Writing the synthetic cohort, its images and database to"),
            intro,
        );
        frame.render_widget(
            Paragraph::new(shorten_path(&self.folder, usize::from(folder.width))),
            folder,
        );
        let (stage_text, ratio, label) = match self.progress {
            Some(SampleProgress { stage, done, total }) => {
                let ratio = if total == 0 {
                    0.0
                } else {
                    (done.min(total) as f64) / (total as f64)
                };
                let percent = (ratio * 100.0).round();
                (
                    format!("{stage}: {done} of {total}"),
                    ratio,
                    format!("{percent}%"),
                )
            }
            None => ("starting…".to_owned(), 0.0, String::new()),
        };
        frame.render_widget(Paragraph::new(stage_text), stage);
        frame.render_widget(
            Gauge::default()
                .gauge_style(Style::new().fg(Color::Cyan).bg(Color::DarkGray))
                .ratio(ratio)
                .label(label),
            gauge,
        );
    }

    fn render_failure(&self, frame: &mut Frame, area: Rect, reason: &str) {
        let popup = area.centered(
            Constraint::Length(BOX_WIDTH.min(area.width)),
            Constraint::Percentage(60),
        );
        let block = Block::bordered()
            .title(" The sample study could not be built ")
            .border_style(Style::new().fg(Color::Red))
            .padding(Padding::horizontal(1));
        let text = vec![
            Line::from(shorten_path(
                &self.folder,
                usize::from(popup.width.saturating_sub(4)),
            )),
            Line::from(""),
            Line::from(reason.to_owned()),
            Line::from(""),
            Line::from("Press q to quit."),
        ];
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: false }).block(block),
            popup,
        );
    }
}

impl BuildingScreen {
    /// Which key table applies: only the help and quitting.
    pub fn context(&self) -> Context {
        Context::Building
    }

    /// Draws the progress, or the failure, into `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let [main, status] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        match &self.failure {
            Some(reason) => self.render_failure(frame, main, reason),
            None => self.render_progress(frame, main),
        }
        let info = if self.failure.is_some() {
            " sample study: failed"
        } else {
            " sample study: building"
        };
        frame.render_widget(StatusBar::new(info, "? help  q quit"), status);
    }
}

/// The path, cut at the front when it is wider than `width`, because the
/// end of a path is what tells folders apart.
fn shorten_path(path: &Path, width: usize) -> String {
    let text = path.display().to_string();
    let count = text.chars().count();
    if count <= width {
        return text;
    }
    let keep = width.saturating_sub(1);
    let tail: String = text.chars().skip(count - keep).collect();
    format!("…{tail}")
}
