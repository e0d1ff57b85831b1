//! Does adjuvant chemotherapy help high-risk patients more than low-risk
//! ones? Side-by-side Kaplan–Meier panels of chemotherapy against none in
//! each risk group of the active signature, each with its hazard ratio,
//! and beneath them the Cox interaction model (`chemo + high_risk +
//! chemo:high_risk`, Efron ties as R `coxph`) with its p-value and the
//! chemotherapy HR in each group as linear combinations of its terms.
//!
//! The numbers are [`radcohort::analysis::chemo::chemo_benefit`]'s, the
//! same as the publication tables'; cells too small to support a
//! comparison are flagged as the tables flag them.

use radcohort::analysis::chemo::{ChemoBenefit, chemo_benefit};
use radcohort::analysis::prognosis::{Endpoint, SurvivalComparison};
use radcohort::report::format::{hr_ci, p_value};
use radcohort::stats::cox::LinearCombination;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::survival::{GROUP_COLOURS, analysis_set};
use super::{Component, Outcome};
use crate::tui::action::Action;
use crate::tui::keymap::Context;
use crate::tui::study::Study;
use crate::tui::widgets::km_plot::{KmPlot, KmSeries};
use crate::tui::widgets::status_bar::StatusBar;

/// The chemotherapy-benefit screen.
#[derive(Debug)]
pub struct ChemoScreen {
    endpoint: Endpoint,
    marker: Marker,
    /// The comparisons, worked out when the view is shown.
    benefit: Option<ChemoBenefit>,
    scored: bool,
}

impl ChemoScreen {
    /// DFS, computed when first shown.
    pub fn new(study: &Study) -> Self {
        ChemoScreen {
            endpoint: Endpoint::Dfs,
            marker: Marker::Braille,
            benefit: None,
            scored: study.patients.iter().any(|p| p.risk_group().is_some()),
        }
    }

    fn comparison(&self, group: &str) -> Option<&SurvivalComparison> {
        self.benefit
            .as_ref()?
            .by_risk_group
            .iter()
            .find(|(g, c)| g == group && c.endpoint == self.endpoint)
            .map(|(_, c)| c)
    }

    fn render_panel(&self, frame: &mut Frame, area: Rect, group: &str) {
        let comparison = self.comparison(group);
        let hr = comparison
            .and_then(|c| c.hazard_ratio.as_ref())
            .map_or_else(
                || "HR not estimable".to_owned(),
                |hr| format!("HR {} p {}", hr_ci(hr), p_value(hr.p)),
            );
        let block = Block::bordered()
            .title(format!(" {group} risk: chemo vs none "))
            .title_bottom(Line::from(format!(" {hr} ")).centered());
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let Some(comparison) = comparison else {
            frame.render_widget(Paragraph::new("no patient in this group"), inner);
            return;
        };
        let levels = ["none", "chemotherapy"];
        let series = comparison
            .groups
            .iter()
            .map(|g| {
                let index = levels
                    .iter()
                    .position(|l| *l == g.group)
                    .unwrap_or_default();
                let label = if g.group == "chemotherapy" {
                    "chemo"
                } else {
                    "none"
                };
                KmSeries::new(label, GROUP_COLOURS[index], &g.curve)
            })
            .collect();
        frame.render_widget(
            KmPlot::new(series).marker(self.marker).x_label("Months"),
            inner,
        );
    }

    fn summary(&self) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        let Some(benefit) = &self.benefit else {
            return vec![Line::from("Working out the comparisons…")];
        };
        let model = benefit
            .interaction
            .iter()
            .find(|m| m.endpoint == self.endpoint);
        match model {
            Some(model) => {
                let hr = |c: &LinearCombination| {
                    format!("{:.2} ({:.2}–{:.2})", c.hr, c.ci_lower, c.ci_upper)
                };
                lines.push(Line::styled(
                    format!(
                        "Interaction chemo × high risk: p {}  (n {}, {} events)",
                        p_value(model.p_interaction),
                        model.n,
                        model.events
                    ),
                    Style::new().add_modifier(Modifier::BOLD),
                ));
                lines.push(Line::from(format!(
                    "Chemo HR in high risk {} · in low risk {}",
                    hr(&model.chemo_in_high_risk),
                    hr(&model.chemo_in_low_risk)
                )));
            }
            None => lines.push(Line::styled(
                format!(
                    "No {} interaction model could be fitted.",
                    self.endpoint.label()
                ),
                Style::new().fg(Color::Yellow),
            )),
        }
        let label = self.endpoint.label();
        lines.extend(
            benefit
                .warnings
                .iter()
                .filter(|w| w.contains(label))
                .map(|w| Line::styled(format!("⚠ {w}"), Style::new().fg(Color::Yellow))),
        );
        lines
    }
}

impl Component for ChemoScreen {
    fn context(&self) -> Context {
        Context::Chemo
    }

    fn render(&self, frame: &mut Frame, area: Rect, study: &Study) {
        let [main, status] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let signature = study.signature_label();
        frame.render_widget(
            StatusBar::new(
                format!(" {} · risk groups: {signature}", self.endpoint.label()),
                "e DFS/OS  ? help",
            ),
            status,
        );
        if !self.scored {
            let text = vec![
                Line::from("No patient has a risk group yet, so there is nothing to compare."),
                Line::from(""),
                Line::from("Score the cohort with a signature first: press 3 for Jobs, then a,"),
                Line::from("and choose \"Score the cohort with …\"."),
            ];
            frame.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: false })
                    .block(Block::bordered().title(" Chemotherapy benefit ")),
                main,
            );
            return;
        }
        let summary = self.summary();
        let summary_height = u16::try_from(summary.len()).unwrap_or(u16::MAX).min(6);
        let [panels, text] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(summary_height)]).areas(main);
        let [high, low] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(panels);
        self.render_panel(frame, high, "high");
        self.render_panel(frame, low, "low");
        frame.render_widget(Paragraph::new(summary).wrap(Wrap { trim: false }), text);
    }

    fn update(&mut self, action: Action, _study: &Study) -> Outcome {
        match action {
            Action::ToggleEndpoint => {
                self.endpoint = match self.endpoint {
                    Endpoint::Dfs => Endpoint::Os,
                    Endpoint::Os => Endpoint::Dfs,
                };
            }
            Action::ToggleMarker => {
                self.marker = if self.marker == Marker::Braille {
                    Marker::Dot
                } else {
                    Marker::Braille
                };
            }
            _ => {}
        }
        Outcome::Stay
    }

    fn study_changed(&mut self, study: &Study) {
        self.scored = study.patients.iter().any(|p| p.risk_group().is_some());
        // Worked out again when next shown.
        self.benefit = None;
    }

    fn shown(&mut self, study: &Study) {
        if self.benefit.is_none() {
            self.benefit = Some(chemo_benefit(&analysis_set(study)));
        }
    }
}
