//! Kaplan–Meier curves of DFS or OS grouped by the active signature's risk
//! group, adjuvant chemotherapy, sex, cohort or any categorical or boolean
//! study variable, with each group's median, the log-rank test and, for
//! two groups, the hazard ratio beside the plot.
//!
//! The numbers come from [`radcohort::analysis::prognosis::compare_survival`]
//! on the stored scores, the same routine the publication tables use, so
//! the screen and the paper never disagree.

use radcohort::analysis::AnalysisSet;
use radcohort::analysis::cohort::PatientRow;
use radcohort::analysis::prognosis::{Endpoint, SurvivalComparison, compare_survival};
use radcohort::report::format::{hr_ci, median_ci, p_value};
use radcohort::signature::StoredScore;
use radcohort::study::model::{Cohort, Value, VariableType};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{Component, Outcome};
use crate::tui::action::Action;
use crate::tui::keymap::Context;
use crate::tui::study::{Patient, Study};
use crate::tui::widgets::km_plot::{KmPlot, KmSeries};
use crate::tui::widgets::status_bar::StatusBar;

/// Group colours in level order, all within the 16 basic colours.
pub const GROUP_COLOURS: [Color; 6] = [
    Color::Cyan,
    Color::LightRed,
    Color::Green,
    Color::Yellow,
    Color::Magenta,
    Color::Blue,
];

/// Width of the panel of numbers beside the plot.
const PANEL_WIDTH: u16 = 30;

/// What the patients are grouped by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupBy {
    /// The active signature's risk group.
    RiskGroup,
    /// Adjuvant chemotherapy or none.
    Chemotherapy,
    /// Sex.
    Sex,
    /// Training or validation.
    Cohort,
    /// A categorical or boolean dictionary variable, by name.
    Variable(String),
}

/// A grouping with its levels, in plot order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping {
    /// What decides the group.
    pub by: GroupBy,
    /// How the grouping is named on screen.
    pub name: String,
    /// The groups, in order; the hazard ratio is of the second against
    /// the first.
    pub levels: Vec<String>,
}

/// Every grouping the study offers: the fixed ones, then each categorical
/// and boolean variable of the dictionary.
pub fn groupings(study: &Study) -> Vec<Grouping> {
    let fixed = |by, name: &str, levels: &[&str]| Grouping {
        by,
        name: name.to_owned(),
        levels: levels.iter().map(|l| (*l).to_owned()).collect(),
    };
    let mut all = vec![
        fixed(GroupBy::RiskGroup, "risk group", &["low", "high"]),
        fixed(
            GroupBy::Chemotherapy,
            "adjuvant chemotherapy",
            &["none", "chemotherapy"],
        ),
        fixed(GroupBy::Sex, "sex", &["M", "F"]),
        fixed(GroupBy::Cohort, "cohort", &["training", "validation"]),
    ];
    for variable in &study.dictionary {
        let levels = match variable.kind {
            VariableType::Categorical => variable.levels.clone(),
            VariableType::Boolean => vec!["no".to_owned(), "yes".to_owned()],
            _ => continue,
        };
        all.push(Grouping {
            by: GroupBy::Variable(variable.name.clone()),
            name: variable.label.clone(),
            levels,
        });
    }
    all
}

/// The group of a patient under a grouping, if known.
pub fn group_of(patient: &Patient, by: &GroupBy) -> Option<String> {
    match by {
        GroupBy::RiskGroup => patient.risk_group().map(|g| g.as_str().to_owned()),
        GroupBy::Chemotherapy => patient
            .endpoints
            .adjuvant_chemo
            .map(|yes| if yes { "chemotherapy" } else { "none" }.to_owned()),
        GroupBy::Sex => patient.record.patient.sex.map(|s| s.to_string()),
        GroupBy::Cohort => patient.record.patient.cohort.map(|c| c.to_string()),
        GroupBy::Variable(name) => match patient.record.values.get(name) {
            Some(Value::Level(level)) => Some(level.clone()),
            Some(Value::Bool(yes)) => Some(if *yes { "yes" } else { "no" }.to_owned()),
            _ => None,
        },
    }
}

/// The analysis rows of the study: every patient with its endpoints and
/// the active signature's stored score.
pub fn analysis_set(study: &Study) -> AnalysisSet {
    let scores: Vec<StoredScore> = study
        .patients
        .iter()
        .filter_map(|p| p.score.clone())
        .collect();
    AnalysisSet::from_stored_scores(
        study
            .patients
            .iter()
            .map(|p| (p.record.study_id(), p.record.patient.cohort, &p.endpoints)),
        &scores,
    )
}

/// `all patients`, `training cohort`, `validation cohort`.
pub fn cohort_name(cohort: Option<Cohort>) -> &'static str {
    match cohort {
        None => "all patients",
        Some(Cohort::Training) => "training cohort",
        Some(Cohort::Validation) => "validation cohort",
    }
}

/// The survival screen.
#[derive(Debug)]
pub struct SurvivalScreen {
    endpoint: Endpoint,
    grouping: usize,
    cohort: Option<Cohort>,
    marker: Marker,
    groupings: Vec<Grouping>,
    /// The curves and tests, worked out when the view is shown (see
    /// [`Component::shown`]) so that a study opens without computing views
    /// nobody has asked for.
    comparison: Option<SurvivalComparison>,
    /// Whether any patient has a risk group (a signature has scored).
    scored: bool,
}

impl SurvivalScreen {
    /// DFS by risk group of all patients, computed when first shown.
    pub fn new(study: &Study) -> Self {
        SurvivalScreen {
            endpoint: Endpoint::Dfs,
            grouping: 0,
            cohort: None,
            marker: Marker::Braille,
            comparison: None,
            groupings: groupings(study),
            scored: false,
        }
    }

    fn recompute(&mut self, study: &Study) {
        self.comparison = Some(compare(
            study,
            self.endpoint,
            self.cohort,
            &self.groupings[self.grouping],
        ));
    }

    fn panel(&self, comparison: &SurvivalComparison) -> Vec<Line<'static>> {
        let grouping = &self.groupings[self.grouping];
        let mut lines = Vec::new();
        for group in &comparison.groups {
            let colour = GROUP_COLOURS[level_index(grouping, &group.group) % GROUP_COLOURS.len()];
            lines.push(Line::from(vec![
                Span::styled("■ ", Style::new().fg(colour)),
                Span::styled(
                    group.group.clone(),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(format!("  n {} · {} events", group.n, group.events)),
            ]));
            lines.push(Line::from(format!(
                "  median {} mo",
                median_ci(&group.median)
            )));
        }
        lines.push(Line::from(""));
        if let Some(test) = &comparison.logrank {
            lines.push(Line::from(format!(
                "log-rank p {} (χ² {:.2}, {} df)",
                p_value(test.p),
                test.statistic,
                test.df
            )));
        }
        if let Some(hr) = &comparison.hazard_ratio {
            let levels = &grouping.levels;
            lines.push(Line::from(format!("HR {} vs {}", levels[1], levels[0])));
            lines.push(Line::from(format!("  {} p {}", hr_ci(hr), p_value(hr.p))));
        }
        for note in &comparison.notes {
            lines.push(Line::styled(note.clone(), Style::new().fg(Color::Yellow)));
        }
        lines
    }
}

/// The position of a level in the grouping, for its colour.
fn level_index(grouping: &Grouping, level: &str) -> usize {
    grouping
        .levels
        .iter()
        .position(|l| l == level)
        .unwrap_or_default()
}

/// Compares the groups of `grouping` on `endpoint` in `cohort`.
fn compare(
    study: &Study,
    endpoint: Endpoint,
    cohort: Option<Cohort>,
    grouping: &Grouping,
) -> SurvivalComparison {
    let set = analysis_set(study);
    let rows: Vec<&PatientRow> = set.cohort(cohort);
    let levels: Vec<&str> = grouping.levels.iter().map(String::as_str).collect();
    compare_survival(
        cohort_name(cohort),
        endpoint,
        &rows,
        |row| {
            study
                .patients
                .get(row.index)
                .and_then(|p| group_of(p, &grouping.by))
        },
        &levels,
    )
}

impl Component for SurvivalScreen {
    fn context(&self) -> Context {
        Context::Survival
    }

    fn render(&self, frame: &mut Frame, area: Rect, study: &Study) {
        let [main, status] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let grouping = &self.groupings[self.grouping];
        let title = format!(
            " {} by {} · {} ",
            self.endpoint.label(),
            grouping.name,
            cohort_name(self.cohort)
        );
        let block = Block::bordered().title(title);
        let inner = block.inner(main);
        frame.render_widget(block, main);
        let signature = study.signature_label();
        frame.render_widget(
            StatusBar::new(format!(" risk groups: {signature}"), "e v c m  ? help"),
            status,
        );
        if grouping.by == GroupBy::RiskGroup && !self.scored {
            let text = vec![
                Line::from("No patient has a risk group yet."),
                Line::from(""),
                Line::from("Score the cohort with a signature first: press 3 for Jobs, then a,"),
                Line::from("and choose \"Score the cohort with …\". Or press v to group the"),
                Line::from("curves by another variable."),
            ];
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
            return;
        }
        let Some(comparison) = &self.comparison else {
            frame.render_widget(Paragraph::new("Working out the curves…"), inner);
            return;
        };
        let [plot, panel] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(PANEL_WIDTH)]).areas(inner);
        let series = comparison
            .groups
            .iter()
            .map(|group| {
                let colour =
                    GROUP_COLOURS[level_index(grouping, &group.group) % GROUP_COLOURS.len()];
                KmSeries::new(&group.group, colour, &group.curve)
            })
            .collect();
        frame.render_widget(
            KmPlot::new(series).marker(self.marker).x_label("Months"),
            plot,
        );
        frame.render_widget(
            Paragraph::new(self.panel(comparison)).wrap(Wrap { trim: false }),
            panel.inner(ratatui::layout::Margin::new(1, 0)),
        );
    }

    fn update(&mut self, action: Action, study: &Study) -> Outcome {
        let count = self.groupings.len();
        match action {
            Action::ToggleEndpoint => {
                self.endpoint = match self.endpoint {
                    Endpoint::Dfs => Endpoint::Os,
                    Endpoint::Os => Endpoint::Dfs,
                };
            }
            Action::NextGrouping => self.grouping = (self.grouping + 1) % count,
            Action::PrevGrouping => self.grouping = (self.grouping + count - 1) % count,
            Action::NextCohort => {
                self.cohort = match self.cohort {
                    None => Some(Cohort::Training),
                    Some(Cohort::Training) => Some(Cohort::Validation),
                    Some(Cohort::Validation) => None,
                };
            }
            Action::ToggleMarker => {
                self.marker = if self.marker == Marker::Braille {
                    Marker::Dot
                } else {
                    Marker::Braille
                };
                return Outcome::Stay;
            }
            _ => return Outcome::Stay,
        }
        self.recompute(study);
        Outcome::Stay
    }

    fn study_changed(&mut self, study: &Study) {
        let current = self.groupings[self.grouping].by.clone();
        self.groupings = groupings(study);
        self.grouping = self
            .groupings
            .iter()
            .position(|g| g.by == current)
            .unwrap_or_default();
        self.scored = study.patients.iter().any(|p| p.risk_group().is_some());
        // Worked out again when next shown.
        self.comparison = None;
    }

    fn shown(&mut self, study: &Study) {
        if self.comparison.is_none() {
            self.scored = study.patients.iter().any(|p| p.risk_group().is_some());
            self.recompute(study);
        }
    }
}
