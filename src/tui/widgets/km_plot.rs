//! Kaplan–Meier curves in the terminal, with the numbers at risk under the
//! plot, laid out as in a published survival figure.
//!
//! Pure drawing: the caller fits the curves (times in months) and the
//! widget only reads them. The curves are a ratatui [`Chart`]; the x axis,
//! its tick labels and the at-risk table are drawn here rather than by the
//! chart, because the chart spreads x labels evenly over the width whatever
//! their values, and the counts must sit under the ticks they belong to.
//!
//! Top to bottom: title, legend, curves, x axis, tick labels, at-risk table.
//! When the area is short the title goes first, then the at-risk table,
//! then the legend, then the axis: the curves are the last thing to give up.

use radcohort::stats::km::KaplanMeier;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::{Marker, line};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Widget};

/// Group labels are cut to this width in the left margin, so that one long
/// label cannot take the plot's width.
const MAX_LABEL: usize = 14;

/// Rows the curves keep before any other part is given a row.
const MIN_GRAPH_ROWS: u16 = 3;

/// Tick steps in months, smallest first: the first that fits is used.
/// Follow-up is read in half-years and years; the small steps serve short
/// follow-up, the large ones curves passed in the wrong unit.
const TICK_STEPS: [f64; 11] = [
    1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 36.0, 60.0, 120.0, 240.0, 600.0,
];

/// Most intervals on the x axis: more make a crowded at-risk table.
const MAX_INTERVALS: usize = 8;

/// Curve rows from which the y axis is labelled in quarters rather than
/// halves: below it the five labels would touch.
const QUARTER_ROWS: u16 = 9;

/// The y axis' labels in quarters, bottom to top; "0.25" is the least
/// width of the left margin.
const Y_QUARTERS: [&str; 5] = ["0", "0.25", "0.5", "0.75", "1"];

/// One group's curve and how it is shown.
#[derive(Debug, Clone, Copy)]
pub struct KmSeries<'a> {
    /// The group's name, in the legend and at the start of its at-risk row.
    pub label: &'a str,
    /// The curve's colour, also used for its label; one of the 16 basic
    /// colours keeps it readable on every terminal.
    pub colour: Color,
    /// The fitted curve, times in months.
    pub curve: &'a KaplanMeier,
}

impl<'a> KmSeries<'a> {
    /// A group named `label` drawn in `colour`.
    pub fn new(label: &'a str, colour: Color, curve: &'a KaplanMeier) -> Self {
        KmSeries {
            label,
            colour,
            curve,
        }
    }
}

/// Kaplan–Meier curves of one or more groups with their numbers at risk.
#[derive(Debug, Clone)]
pub struct KmPlot<'a> {
    /// The groups, drawn in this order (a later curve's colour wins a
    /// cell both pass through).
    series: Vec<KmSeries<'a>>,
    /// The canvas marker of the curves.
    marker: Marker,
    /// The x axis' name, if any.
    x_label: Option<&'a str>,
    /// The line above the legend, if any.
    title: Option<Line<'a>>,
}

impl<'a> KmPlot<'a> {
    /// The curves of `series`, drawn in Braille, the x axis labelled
    /// "Months".
    pub fn new(series: Vec<KmSeries<'a>>) -> Self {
        KmPlot {
            series,
            marker: Marker::Braille,
            x_label: Some("Months"),
            title: None,
        }
    }

    /// The symbol the curves are drawn with: [`Marker::Braille`] (the
    /// default) has 2×4 dots a cell; [`Marker::Dot`] is the fallback for
    /// fonts without Braille.
    pub fn marker(mut self, marker: Marker) -> Self {
        self.marker = marker;
        self
    }

    /// The x axis' name, shown in the left margin of the tick labels' row
    /// (cut to the margin's width: a long name must not narrow the plot).
    pub fn x_label(mut self, label: &'a str) -> Self {
        self.x_label = Some(label);
        self
    }

    /// A title above the legend; it is the first part dropped when rows
    /// are short, since the screen around usually names the plot too.
    pub fn title(mut self, title: impl Into<Line<'a>>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Where each part goes in `area`: rows by priority, then the columns
    /// of the curves.
    fn layout(&self, area: Rect) -> Parts {
        let groups = u16::try_from(self.series.len()).unwrap_or(u16::MAX);
        let mut spare = area.height.saturating_sub(MIN_GRAPH_ROWS);
        let mut take = |rows: u16| {
            let fits = rows <= spare;
            if fits {
                spare -= rows;
            }
            fits
        };
        let axis = take(2);
        let legend = take(1);
        let at_risk = take(groups.saturating_add(1));
        let title = self.title.is_some() && take(1);

        let mut y = area.y;
        let mut next = |rows: u16| {
            let rect = Rect::new(area.x, y, area.width, rows);
            y += rows;
            rect
        };
        let title = title.then(|| next(1));
        let legend = legend.then(|| next(1));
        let used = [title, legend].iter().flatten().count() as u16
            + if axis { 2 } else { 0 }
            + if at_risk { groups + 1 } else { 0 };
        let graph = next(area.height - used);
        let axis = axis.then(|| next(2));
        let at_risk = at_risk.then(|| next(groups + 1));
        Parts {
            title,
            legend,
            graph,
            axis,
            at_risk,
            columns: self.columns(area, graph.height),
        }
    }

    /// The left margin and the curves' columns, as [`Chart`] lays them out
    /// for y labels of the margin's width and no x labels: the margin, one
    /// column of axis line, then the plotting area. This repeats ratatui
    /// 0.30's layout; a test checks that a curve ends in the column
    /// computed here.
    fn columns(&self, area: Rect, graph_rows: u16) -> Columns {
        let widest_label = self
            .series
            .iter()
            .map(|series| Span::raw(series.label).width().min(MAX_LABEL))
            .max()
            .unwrap_or(0);
        let x_label = self
            .x_label
            .map_or(0, |label| Span::raw(label).width().min(MAX_LABEL));
        let wanted = [Y_QUARTERS[1].len(), widest_label, x_label]
            .into_iter()
            .max()
            .unwrap_or(0);
        // The chart gives its labels at most a third of the width.
        let margin = u16::try_from(wanted)
            .unwrap_or(u16::MAX)
            .min(area.width / 3);
        let y_labels: &[&str] = match margin {
            0 => &[],
            1 | 2 => &["0", "1"],
            3 => &["0", "0.5", "1"],
            _ if graph_rows < QUARTER_ROWS => &["0", "0.5", "1"],
            _ => &Y_QUARTERS,
        };
        let axis =
            (margin > 0 && area.left() + margin + 1 < area.right()).then_some(area.left() + margin);
        let graph_left = area.left() + margin + u16::from(axis.is_some());
        Columns {
            margin,
            y_labels: y_labels
                .iter()
                .map(|label| format!("{label:>width$}", width = usize::from(margin)))
                .collect(),
            axis,
            graph_left,
            graph_width: area.right().saturating_sub(graph_left),
            dots_per_cell: dots_per_cell(self.marker),
        }
    }

    /// The x axis' end and ticks, from the longest follow-up of any group
    /// and the room for the labels and counts under the ticks.
    fn x_axis(&self, columns: &Columns) -> XAxis {
        let longest = self
            .series
            .iter()
            .map(|series| series.curve.last_time())
            .fold(0.0, f64::max);
        let most = self.series.iter().map(|s| s.curve.n).max().unwrap_or(0);
        let step = tick_step(longest, columns.graph_width, most);
        let intervals = intervals(longest, step);
        let end = step * intervals as f64;
        let ticks: Vec<f64> = (0..=intervals).map(|i| step * i as f64).collect();
        XAxis {
            end,
            columns: ticks.iter().map(|&t| columns.tick_column(t, end)).collect(),
            ticks,
        }
    }

    /// Each group's colour, label, size and events on one line; without
    /// the counts when they would push a group's label out of the area,
    /// since the colour key matters more than the counts.
    fn render_legend(&self, area: Rect, buf: &mut Buffer) {
        let legend = |counts: bool| {
            let mut spans = Vec::new();
            for (i, series) in self.series.iter().enumerate() {
                if i > 0 {
                    spans.push(Span::raw("   "));
                }
                let style = Style::new().fg(series.colour);
                spans.push(Span::styled("■ ", style));
                spans.push(Span::styled(series.label, style));
                if counts {
                    spans.push(Span::raw(format!(
                        " (n={}, {} events)",
                        series.curve.n, series.curve.events
                    )));
                }
            }
            Line::from(spans)
        };
        let mut line = legend(true);
        if line.width() > usize::from(area.width) {
            line = legend(false);
        }
        buf.set_line(area.x, area.y, &line, area.width);
    }

    /// The curves as step-function line graphs on a [`Chart`] with the
    /// y axis and no x labels (those are [`KmPlot::render_x_axis`]'s).
    fn render_chart(&self, area: Rect, columns: &Columns, x_axis: &XAxis, buf: &mut Buffer) {
        let points: Vec<Vec<(f64, f64)>> = self
            .series
            .iter()
            .map(|series| step_points(series.curve))
            .collect();
        let datasets = self
            .series
            .iter()
            .zip(&points)
            .map(|(series, points)| {
                Dataset::default()
                    .data(points)
                    .marker(self.marker)
                    .graph_type(GraphType::Line)
                    .style(Style::new().fg(series.colour))
            })
            .collect();
        Chart::new(datasets)
            .x_axis(Axis::default().bounds([0.0, x_axis.end]))
            .y_axis(
                Axis::default()
                    .bounds([0.0, 1.0])
                    .labels(columns.y_labels.iter().map(String::as_str))
                    .labels_alignment(Alignment::Right),
            )
            .legend_position(None)
            .render(area, buf);
    }

    /// The axis line with a tick under each labelled time, and the labels.
    fn render_x_axis(&self, area: Rect, columns: &Columns, x_axis: &XAxis, buf: &mut Buffer) {
        let right = columns.graph_left + columns.graph_width;
        if let Some(x) = columns.axis {
            buf[(x, area.y)].set_symbol(line::BOTTOM_LEFT);
        }
        for x in columns.graph_left..right {
            buf[(x, area.y)].set_symbol(line::HORIZONTAL);
        }
        // No tick at time 0: it would sit against the corner.
        for &x in x_axis.columns.iter().filter(|&&x| x > columns.graph_left) {
            buf[(x, area.y)].set_symbol(line::HORIZONTAL_DOWN);
        }
        let labels_row = area.y + 1;
        if let Some(label) = self.x_label {
            let margin = usize::from(columns.margin);
            let width = Span::raw(label).width().min(margin) as u16;
            let x = area.x + columns.margin - width;
            buf.set_stringn(x, labels_row, label, margin, Style::new());
        }
        let first_free = area.x + columns.margin;
        let labels = x_axis
            .columns
            .iter()
            .zip(&x_axis.ticks)
            .map(|(&x, &t)| (x, format!("{t}")));
        place_centred(buf, labels_row, first_free, right, labels);
    }

    /// A heading, then per group its label and the number still at risk
    /// at each tick.
    fn render_at_risk(&self, area: Rect, columns: &Columns, x_axis: &XAxis, buf: &mut Buffer) {
        buf.set_stringn(
            area.x,
            area.y,
            "Number at risk",
            usize::from(area.width),
            Style::new(),
        );
        let right = columns.graph_left + columns.graph_width;
        for (row, series) in (area.y + 1..area.bottom()).zip(&self.series) {
            let (end, _) = buf.set_stringn(
                area.x,
                row,
                series.label,
                usize::from(columns.margin),
                Style::new().fg(series.colour),
            );
            let counts = at_risk(series.curve, &x_axis.ticks);
            let first_free = if end > area.x { end + 1 } else { area.x };
            let counts = x_axis
                .columns
                .iter()
                .zip(counts)
                .map(|(&x, count)| (x, count.to_string()));
            place_centred(buf, row, first_free, right, counts);
        }
    }
}

impl Widget for &KmPlot<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        if self.series.is_empty() {
            let middle = Rect::new(area.x, area.y + area.height / 2, area.width, 1);
            Line::from("no curve")
                .style(Style::new().fg(Color::DarkGray))
                .centered()
                .render(middle, buf);
            return;
        }
        let parts = self.layout(area);
        let x_axis = self.x_axis(&parts.columns);
        if let Some(rect) = parts.title
            && let Some(title) = &self.title
        {
            let title = title.clone().patch_style(Modifier::BOLD);
            buf.set_line(rect.x, rect.y, &title, rect.width);
        }
        if let Some(rect) = parts.legend {
            self.render_legend(rect, buf);
        }
        self.render_chart(parts.graph, &parts.columns, &x_axis, buf);
        if let Some(rect) = parts.axis {
            self.render_x_axis(rect, &parts.columns, &x_axis, buf);
        }
        if let Some(rect) = parts.at_risk {
            self.render_at_risk(rect, &parts.columns, &x_axis, buf);
        }
    }
}

impl Widget for KmPlot<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        (&self).render(area, buf);
    }
}

/// The rows of each part of the plot (none: no room) and the columns.
#[derive(Debug)]
struct Parts {
    /// The title's row.
    title: Option<Rect>,
    /// The legend's row.
    legend: Option<Rect>,
    /// The chart: curves, y labels and y axis.
    graph: Rect,
    /// The x axis line and the tick labels under it.
    axis: Option<Rect>,
    /// The heading and one row per group of numbers at risk.
    at_risk: Option<Rect>,
    /// The columns of the chart, ticks and counts.
    columns: Columns,
}

/// The horizontal layout shared by the chart, the x axis and the at-risk
/// rows, so that a time has one column in all three.
#[derive(Debug)]
struct Columns {
    /// Width of the left margin: y labels, group labels, the x axis' name.
    margin: u16,
    /// The y labels, padded to the margin so the chart's margin is ours.
    y_labels: Vec<String>,
    /// Column of the y axis line, if there is room for one.
    axis: Option<u16>,
    /// First column of the plotting area.
    graph_left: u16,
    /// Columns of the plotting area, to the area's right edge.
    graph_width: u16,
    /// Horizontal dots per cell of the marker: the canvas' resolution.
    dots_per_cell: u16,
}

impl Columns {
    /// The column where the canvas puts time `t` of an axis running from 0
    /// to `end`: the nearest of its dots, as the canvas rounds.
    fn tick_column(&self, t: f64, end: f64) -> u16 {
        let dots = f64::from(self.graph_width) * f64::from(self.dots_per_cell);
        let dot = ((t / end) * (dots - 1.0)).round().clamp(0.0, dots - 1.0);
        self.graph_left + (dot as u16) / self.dots_per_cell
    }
}

/// The x axis' end and ticks (from 0 to the end, one per step).
#[derive(Debug)]
struct XAxis {
    /// The axis' last time, a whole number of steps.
    end: f64,
    /// The labelled times, 0 to `end`.
    ticks: Vec<f64>,
    /// The column of each tick, shared by its label and its counts.
    columns: Vec<u16>,
}

/// Horizontal dots per cell of the canvas grid of `marker`.
fn dots_per_cell(marker: Marker) -> u16 {
    match marker {
        Marker::Braille | Marker::Quadrant | Marker::Sextant | Marker::Octant => 2,
        _ => 1,
    }
}

/// Intervals of `step` needed to reach `longest` (at least one, so a
/// cohort followed for no time still has an axis).
fn intervals(longest: f64, step: f64) -> usize {
    ((longest / step).ceil() as usize).max(1)
}

/// The smallest step of [`TICK_STEPS`] with at most [`MAX_INTERVALS`]
/// intervals to `longest` months, each wide enough in `width` columns for
/// its label or the largest count at risk (`most`) and two spaces (one for
/// the gap, one for the columns lost to rounding and to the last label
/// kept inside the area); the largest step (doubled until it gives one
/// interval) when none fits.
fn tick_step(longest: f64, width: u16, most: usize) -> f64 {
    let fits = |step: f64| {
        let intervals = intervals(longest, step);
        let end = step * intervals as f64;
        let label = format!("{end}").len().max(most.to_string().len());
        intervals <= MAX_INTERVALS && intervals * (label + 2) <= usize::from(width)
    };
    if let Some(&step) = TICK_STEPS.iter().find(|&&step| fits(step)) {
        return step;
    }
    let mut step = TICK_STEPS[TICK_STEPS.len() - 1];
    while !fits(step) && step < longest {
        step *= 2.0;
    }
    step
}

/// The curve as the corners of a step function for a line graph: S = 1
/// from 0 to the first event, then at each event time a vertical drop
/// from the survival before it to the survival after; flat from the last
/// event to the last follow-up. The canvas draws each vertical segment dot
/// by dot, so the corners are enough.
fn step_points(curve: &KaplanMeier) -> Vec<(f64, f64)> {
    let mut points = Vec::with_capacity(2 * curve.table.len() + 2);
    points.push((0.0, 1.0));
    let mut survival = 1.0;
    for row in &curve.table {
        points.push((row.time, survival));
        points.push((row.time, row.survival));
        survival = row.survival;
    }
    let last = points.last().map_or(0.0, |&(time, _)| time);
    if curve.last_time() > last {
        points.push((curve.last_time(), survival));
    }
    points
}

/// Subjects still at risk (time at or after) at each of `ticks`, as R's
/// `summary(fit, times = )` counts them: 0 after the last follow-up.
fn at_risk(curve: &KaplanMeier, ticks: &[f64]) -> Vec<usize> {
    // Ticks are finite, which is all `at_times` checks.
    let at = curve.at_times(ticks).unwrap_or_default();
    at.iter().map(|at| at.at_risk).collect()
}

/// Writes each text centred on its column in row `y`, left to right,
/// moved right past the previous text (one space between) or the first
/// free column, and left to end by `right`; a text with no room is left
/// out rather than written over another.
fn place_centred(
    buf: &mut Buffer,
    y: u16,
    first_free: u16,
    right: u16,
    texts: impl Iterator<Item = (u16, String)>,
) {
    let mut free = first_free;
    for (column, text) in texts {
        let width = u16::try_from(text.len()).unwrap_or(u16::MAX);
        let centred = column.saturating_sub(width.saturating_sub(1) / 2);
        let start = centred.min(right.saturating_sub(width)).max(free);
        if start.saturating_add(width) > right {
            continue;
        }
        buf.set_string(start, y, &text, Style::new());
        free = start + width + 1;
    }
}

#[cfg(test)]
mod tests {
    use crate::tui::widgets::with_snapshots_beside_the_screens;
    use insta::assert_snapshot;
    use radcohort::stats::SurvivalData;
    use radcohort::stats::km::KmOptions;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;

    /// Low risk: 10 patients, 5 events (time in months, + censored):
    /// 3, 8.5+, 11, 15, 20+, 26, 31+, 38, 44+, 47.5+.
    const LOW: [(f64, bool); 10] = [
        (3.0, true),
        (8.5, false),
        (11.0, true),
        (15.0, true),
        (20.0, false),
        (26.0, true),
        (31.0, false),
        (38.0, true),
        (44.0, false),
        (47.5, false),
    ];

    /// High risk: 10 patients, 7 events:
    /// 1.5, 2, 4+, 6, 7.5, 9, 13+, 16, 22, 29+.
    const HIGH: [(f64, bool); 10] = [
        (1.5, true),
        (2.0, true),
        (4.0, false),
        (6.0, true),
        (7.5, true),
        (9.0, true),
        (13.0, false),
        (16.0, true),
        (22.0, true),
        (29.0, false),
    ];

    fn fit(cohort: &[(f64, bool)]) -> KaplanMeier {
        let data = SurvivalData::new(
            cohort.iter().map(|&(t, _)| t).collect(),
            cohort.iter().map(|&(_, e)| e).collect(),
        )
        .expect("valid survival data");
        KaplanMeier::fit(&data, KmOptions::default()).expect("a fitted curve")
    }

    fn draw(plot: &KmPlot, width: u16, height: u16) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a terminal");
        terminal
            .draw(|frame| frame.render_widget(plot, frame.area()))
            .expect("a frame");
        terminal
    }

    fn rows(terminal: &Terminal<TestBackend>) -> Vec<String> {
        let buffer = terminal.backend().buffer();
        (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect()
            })
            .collect()
    }

    /// The words of a row after the margin, with the column each starts at.
    fn words(row: &str, from: usize) -> Vec<(usize, String)> {
        let chars: Vec<char> = row.chars().collect();
        let mut out = Vec::new();
        let mut start = None;
        for (i, &c) in chars.iter().enumerate().skip(from) {
            match (c == ' ', start) {
                (false, None) => start = Some(i),
                (true, Some(s)) => {
                    out.push((s, chars[s..i].iter().collect()));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push((s, chars[s..].iter().collect()));
        }
        out
    }

    /// Snapshots the two groups' curves at `width` × `height`.
    fn snapshot_two_groups(width: u16, height: u16) {
        let (low, high) = (fit(&LOW), fit(&HIGH));
        let plot = KmPlot::new(vec![
            KmSeries::new("Low risk", Color::Cyan, &low),
            KmSeries::new("High risk", Color::LightRed, &high),
        ])
        .title("Overall survival by signature group");
        with_snapshots_beside_the_screens(|| {
            assert_snapshot!(
                format!("two_groups_{width}x{height}"),
                draw(&plot, width, height).backend()
            );
        });
    }

    #[test]
    fn two_groups_80x20() {
        snapshot_two_groups(80, 20);
    }

    #[test]
    fn two_groups_120x30() {
        snapshot_two_groups(120, 30);
    }

    /// The counts printed are those counted by hand from the data (times at
    /// or after each tick; 47.5 months of follow-up gives 6-month ticks to
    /// 48 at these widths), each under its tick label: starting in the same
    /// column, or for the last, kept inside the area, ending in it.
    #[test]
    fn numbers_at_risk_are_the_hand_counts_under_their_ticks() {
        let (low, high) = (fit(&LOW), fit(&HIGH));
        let plot = KmPlot::new(vec![
            KmSeries::new("Low risk", Color::Cyan, &low),
            KmSeries::new("High risk", Color::LightRed, &high),
        ]);
        let expected_low = [10, 9, 7, 6, 5, 4, 3, 2, 0];
        let expected_high = [10, 7, 4, 2, 1, 0, 0, 0, 0];
        for (width, height) in [(80, 20), (120, 30), (60, 16)] {
            let terminal = draw(&plot, width, height);
            let rows = rows(&terminal);
            let margin = "High risk".len();
            let find = |start: &str| {
                rows.iter()
                    .find(|row| row.trim_start().starts_with(start))
                    .unwrap_or_else(|| panic!("no row starting {start:?}:\n{}", rows.join("\n")))
            };
            let ticks = words(find("Months"), margin);
            let values: Vec<String> = ticks.iter().map(|(_, w)| w.clone()).collect();
            assert_eq!(
                values,
                ["0", "6", "12", "18", "24", "30", "36", "42", "48"],
                "{width}x{height}"
            );
            for (label, expected) in [("Low risk ", expected_low), ("High risk", expected_high)] {
                let counts = words(find(label), margin);
                let numbers: Vec<usize> = counts.iter().map(|(_, w)| w.parse().unwrap()).collect();
                assert_eq!(numbers, expected, "{label} at {width}x{height}");
                let span = |(start, word): &(usize, String)| (*start, start + word.len());
                for (i, (count, tick)) in counts.iter().zip(&ticks).enumerate() {
                    let ((count_start, count_end), (tick_start, tick_end)) =
                        (span(count), span(tick));
                    let aligned = if i + 1 == ticks.len() {
                        count_end == tick_end && tick_end == usize::from(width)
                    } else {
                        count_start == tick_start
                    };
                    assert!(
                        aligned,
                        "{label} {count:?} under {tick:?} at {width}x{height}"
                    );
                }
            }
        }
    }

    #[test]
    fn dot_fallback_draws_no_braille() {
        let (low, high) = (fit(&LOW), fit(&HIGH));
        let series = vec![
            KmSeries::new("Low risk", Color::Cyan, &low),
            KmSeries::new("High risk", Color::LightRed, &high),
        ];
        let braille = |text: &str| text.chars().any(|c| ('\u{2800}'..='\u{28FF}').contains(&c));
        let text = rows(&draw(&KmPlot::new(series.clone()), 80, 20)).join("\n");
        assert!(braille(&text), "Braille is the default:\n{text}");
        let plot = KmPlot::new(series).marker(Marker::Dot);
        let text = rows(&draw(&plot, 80, 20)).join("\n");
        assert!(!braille(&text), "{text}");
        assert!(text.contains('•'), "{text}");
    }

    /// The curve is drawn in its colour where the step function says:
    /// at S = 1 in the top row before the first event, and ends at the
    /// last follow-up rather than running on to the axis' end.
    #[test]
    fn curves_are_in_their_colours_and_end_at_the_last_follow_up() {
        let high = fit(&HIGH);
        let plot = KmPlot::new(vec![KmSeries::new("High risk", Color::LightRed, &high)]);
        let terminal = draw(&plot, 80, 20);
        let buffer = terminal.backend().buffer();
        let rows = rows(&terminal);
        // Rows: legend, curves (top one is S = 1), …
        let top = 1;
        let axis = rows[top].chars().position(|c| c == '│').unwrap();
        let graph_left = u16::try_from(axis + 1).unwrap();
        assert_eq!(buffer[(graph_left, top as u16)].fg, Color::LightRed);
        assert_ne!(buffer[(graph_left, top as u16)].symbol(), " ");
        // Rows 1 to 15 are the curves. Last follow-up at 29 months, on an
        // axis of 6-month ticks to 30: the curve stops 29/30 of the way
        // across, in the column of the canvas' nearest Braille dot.
        let last_drawn = (0..buffer.area.width)
            .filter(|&x| (1..=15).any(|y| buffer[(x, y)].fg == Color::LightRed))
            .max()
            .unwrap();
        let width = buffer.area.width - graph_left;
        let dot = (29.0 / 30.0 * f64::from(2 * width - 1)).round() as u16;
        let expected = graph_left + dot / 2;
        assert_eq!(last_drawn, expected);
    }

    #[test]
    fn step_points_trace_the_product_limit_curve() {
        let fit = fit(&[(1.0, true), (2.0, false), (3.0, true), (5.0, false)]);
        // S: 1 → 3/4 at 1; 2+ leaves 2 at risk at 3 → 3/8; flat to 5.
        assert_eq!(
            step_points(&fit),
            [
                (0.0, 1.0),
                (1.0, 1.0),
                (1.0, 0.75),
                (3.0, 0.75),
                (3.0, 0.375),
                (5.0, 0.375)
            ]
        );
        let no_events = super::tests::fit(&[(4.0, false), (7.0, false)]);
        assert_eq!(step_points(&no_events), [(0.0, 1.0), (7.0, 1.0)]);
    }

    #[test]
    fn a_curve_without_events_is_flat_at_one() {
        let flat = fit(&[(4.0, false), (7.0, false), (12.0, false)]);
        let plot = KmPlot::new(vec![KmSeries::new("Censored", Color::Green, &flat)]);
        let terminal = draw(&plot, 40, 12);
        let buffer = terminal.backend().buffer();
        // Only the top curve row holds the curve's colour.
        let coloured_rows: Vec<u16> = (0..buffer.area.height)
            .filter(|&y| {
                (0..buffer.area.width)
                    .any(|x| buffer[(x, y)].fg == Color::Green && buffer[(x, y)].symbol() != "■")
            })
            .collect();
        let rows = rows(&terminal);
        assert!(
            rows.iter().any(|row| row.starts_with("Censored 3")),
            "{rows:#?}"
        );
        // Legend and at-risk rows colour the label too: the curve is on row 1.
        assert!(coloured_rows.contains(&1), "{coloured_rows:?}\n{rows:#?}");
        assert!(
            !coloured_rows.iter().any(|&y| (2..8).contains(&y)),
            "{coloured_rows:?}\n{rows:#?}"
        );
    }

    #[test]
    fn tick_steps_are_whole_half_years_and_years_that_fit() {
        // 47.5 months in 69 columns: 6-month ticks to 48 (8 intervals).
        assert_eq!(tick_step(47.5, 69, 10), 6.0);
        // 60 months: 6 would need 10 intervals; 12 gives 5.
        assert_eq!(tick_step(60.0, 69, 150), 12.0);
        // 47.5 months in 30 columns: 8 intervals need 4 columns each.
        assert_eq!(tick_step(47.5, 30, 10), 12.0);
        assert_eq!(tick_step(47.5, 32, 10), 6.0);
        // Ten years: 24-month steps would be 5 intervals.
        assert_eq!(tick_step(120.0, 69, 500), 24.0);
        // Short follow-up gets monthly ticks; no follow-up still one step.
        assert_eq!(tick_step(4.2, 69, 10), 1.0);
        assert_eq!(intervals(0.0, tick_step(0.0, 69, 10)), 1);
        // Too narrow for anything: the step grows to a single interval.
        let step = tick_step(47.5, 2, 10);
        assert_eq!(intervals(47.5, step), 1, "{step}");
    }

    #[test]
    fn no_groups_shows_a_note() {
        let plot = KmPlot::new(Vec::new());
        let rows = rows(&draw(&plot, 40, 9));
        assert_eq!(rows[4].trim(), "no curve");
    }

    #[test]
    fn tiny_areas_do_not_panic() {
        let (low, high) = (fit(&LOW), fit(&HIGH));
        let flat = fit(&[(0.0, false)]);
        let all_at_zero = fit(&[(0.0, true), (0.0, true)]);
        let long = "A group label much longer than any margin";
        let plots = [
            KmPlot::new(Vec::new()),
            KmPlot::new(vec![KmSeries::new("Low risk", Color::Cyan, &low)]),
            KmPlot::new(vec![
                KmSeries::new(long, Color::Cyan, &low),
                KmSeries::new("High risk", Color::LightRed, &high),
                KmSeries::new("", Color::Green, &flat),
                KmSeries::new("zero", Color::Yellow, &all_at_zero),
            ])
            .title("A title")
            .x_label("A long x axis label"),
        ];
        for plot in plots {
            for marker in [Marker::Braille, Marker::Dot, Marker::HalfBlock] {
                let plot = plot.clone().marker(marker);
                for (width, height) in [
                    (1, 1),
                    (10, 3),
                    (20, 5),
                    (2, 2),
                    (3, 9),
                    (5, 20),
                    (80, 1),
                    (80, 4),
                    (40, 8),
                ] {
                    draw(&plot, width, height);
                }
            }
        }
    }
}
