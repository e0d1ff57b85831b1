//! The figures, as SVG drawn with plotters' SVG backend (text is left to
//! the SVG viewer's fonts, so no font library is needed): Kaplan–Meier
//! curves with numbers at risk and the log-rank p, ROC curves with AUCs,
//! the chemotherapy-benefit forest plot, calibration plots and decision
//! curves.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::format::p_value;
use crate::analysis::StudyResults;
use crate::analysis::discrimination::ModelDiscrimination;
use crate::analysis::prognosis::SurvivalComparison;

/// A figure: its file stem, caption and SVG text.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The file stem, e.g. `km_dfs_validation`.
    pub name: String,
    /// The caption for the report.
    pub caption: String,
    /// The SVG document.
    pub svg: String,
}

const PALETTE: [RGBColor; 4] = [
    RGBColor(0x1f, 0x5f, 0xa8),
    RGBColor(0xc0, 0x39, 0x2b),
    RGBColor(0x2e, 0x8b, 0x57),
    RGBColor(0x8e, 0x44, 0xad),
];
const FONT: &str = "sans-serif";

/// A drawing error, as text (plotters' errors carry the backend's type).
fn text_error(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// Every figure of the report.
pub fn figures(results: &StudyResults) -> Result<Vec<Figure>, String> {
    let mut figures = Vec::new();
    for comparison in &results.prognosis.by_risk_group {
        figures.push(kaplan_meier(
            comparison,
            &format!(
                "km_{}_{}",
                comparison.endpoint.label().to_lowercase(),
                comparison.cohort
            ),
            &format!(
                "{} by radiomic risk group, {} cohort",
                comparison.endpoint.label(),
                comparison.cohort
            ),
        )?);
    }
    for (group, comparison) in &results.chemo_benefit.by_risk_group {
        figures.push(kaplan_meier(
            comparison,
            &format!(
                "km_{}_chemo_{group}_risk",
                comparison.endpoint.label().to_lowercase()
            ),
            &format!(
                "{} with and without adjuvant chemotherapy, {group}-risk patients",
                comparison.endpoint.label()
            ),
        )?);
    }
    for cohort in ["training", "validation"] {
        let models: Vec<&ModelDiscrimination> = results
            .discrimination
            .models
            .iter()
            .filter(|m| m.cohort == cohort)
            .collect();
        figures.push(roc(&models, cohort)?);
        let calibrated: Vec<&ModelDiscrimination> = models
            .iter()
            .copied()
            .filter(|m| m.hosmer_lemeshow.is_some())
            .collect();
        if !calibrated.is_empty() {
            figures.push(calibration(&calibrated, cohort)?);
        }
        let decided: Vec<&ModelDiscrimination> = models
            .iter()
            .copied()
            .filter(|m| !m.decision_curve.is_empty())
            .collect();
        if !decided.is_empty() {
            figures.push(decision(&decided, cohort)?);
        }
    }
    if let Some(forest) = forest(results)? {
        figures.push(forest);
    }
    Ok(figures)
}

/// Kaplan–Meier step curves per group, the log-rank p on the plot and the
/// numbers at risk every 12 months beneath.
fn kaplan_meier(
    comparison: &SurvivalComparison,
    name: &str,
    caption: &str,
) -> Result<Figure, String> {
    let longest = comparison
        .groups
        .iter()
        .map(|g| g.curve.last_time())
        .fold(12.0_f64, f64::max);
    let x_max = (longest / 12.0).ceil() * 12.0;
    let ticks: Vec<f64> = (0..=(x_max / 12.0) as usize)
        .map(|k| 12.0 * k as f64)
        .collect();
    let mut svg = String::new();
    {
        let rows = comparison.groups.len() as u32;
        let root = SVGBackend::with_string(&mut svg, (720, 470 + 22 * rows)).into_drawing_area();
        root.fill(&WHITE).map_err(text_error)?;
        let (upper, lower) = root.split_vertically(440);
        let mut chart = ChartBuilder::on(&upper)
            .caption(caption, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d((0.0..x_max).step(12.0), 0.0..1.02)
            .map_err(text_error)?;
        chart
            .configure_mesh()
            .x_desc("Months since surgery")
            .y_desc(format!("{} probability", comparison.endpoint.label()))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.1}"))
            .light_line_style(WHITE)
            .draw()
            .map_err(text_error)?;
        for (k, group) in comparison.groups.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            let mut points = vec![(0.0, 1.0)];
            let mut last = 1.0;
            for row in &group.curve.table {
                points.push((row.time, last));
                points.push((row.time, row.survival));
                last = row.survival;
            }
            points.push((group.curve.last_time(), last));
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))
                .map_err(text_error)?
                .label(format!(
                    "{} (n = {}, {} events)",
                    group.group, group.n, group.events
                ))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight, 13)?;
        if let Some(test) = &comparison.logrank {
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("log-rank p = {}", p_value(test.p)),
                    (x_max * 0.04, 0.08),
                    (FONT, 15),
                )))
                .map_err(text_error)?;
        }
        // Numbers at risk, under the x axis positions of the ticks.
        let label_x = 8;
        lower
            .draw(&Text::new(
                "Number at risk",
                (label_x, 4),
                (FONT, 13).into_font().style(FontStyle::Bold),
            ))
            .map_err(text_error)?;
        let (offset_x, _) = upper.get_base_pixel();
        for (k, group) in comparison.groups.iter().enumerate() {
            let y = 24 + 22 * k as i32;
            let color = PALETTE[k % PALETTE.len()];
            lower
                .draw(&Text::new(
                    group.group.clone(),
                    (label_x, y),
                    (FONT, 13).into_font().color(&color),
                ))
                .map_err(text_error)?;
            let counts = group.curve.at_times(&ticks).unwrap_or_default();
            for (tick, at) in ticks.iter().zip(counts) {
                let (px, _) = chart.backend_coord(&(*tick, 0.0));
                lower
                    .draw(&Text::new(
                        at.at_risk.to_string(),
                        (px - offset_x - 6, y),
                        (FONT, 13),
                    ))
                    .map_err(text_error)?;
            }
        }
        root.present().map_err(text_error)?;
    }
    Ok(Figure {
        name: name.to_owned(),
        caption: caption.to_owned(),
        svg,
    })
}

/// Draws the series labels of `chart` in a framed box at `position`.
fn legend<'a, 'b: 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, CT>,
    position: SeriesLabelPosition,
    font_size: u32,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font((FONT, font_size))
        .draw()
        .map_err(text_error)
}

/// The chart [`unit_square`] draws on.
type UnitSquare<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A white [0, 1]² chart with its caption, axis titles and the diagonal.
fn unit_square<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    caption: &str,
    x: &str,
    y: &str,
) -> Result<UnitSquare<'a, 'b>, String> {
    root.fill(&WHITE).map_err(text_error)?;
    let mut chart = ChartBuilder::on(root)
        .caption(caption, (FONT, 17))
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)
        .map_err(text_error)?;
    chart
        .configure_mesh()
        .x_desc(x)
        .y_desc(y)
        .light_line_style(WHITE)
        .draw()
        .map_err(text_error)?;
    chart
        .draw_series(LineSeries::new(
            vec![(0.0, 0.0), (1.0, 1.0)],
            BLACK.mix(0.3),
        ))
        .map_err(text_error)?;
    Ok(chart)
}

/// ROC curves of the models in one cohort, with their AUCs in the legend.
fn roc(models: &[&ModelDiscrimination], cohort: &str) -> Result<Figure, String> {
    let caption = format!("ROC curves for early recurrence, {cohort} cohort");
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (560, 560)).into_drawing_area();
        let mut chart = unit_square(&root, &caption, "1 − specificity", "Sensitivity")?;
        for (k, model) in models.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            let mut points: Vec<(f64, f64)> = model
                .roc
                .iter()
                .map(|p| (1.0 - p.specificity, p.sensitivity))
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let auc = model.auc.as_ref().map_or("n/a".to_owned(), |a| {
                format!("{:.3} ({:.3}–{:.3})", a.auc, a.ci_lower, a.ci_upper)
            });
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))
                .map_err(text_error)?
                .label(format!("{}: AUC {auc}", model.model))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight, 12)?;
        root.present().map_err(text_error)?;
    }
    Ok(Figure {
        name: format!("roc_{cohort}"),
        caption,
        svg,
    })
}

/// Observed against predicted early recurrence in deciles of risk.
fn calibration(models: &[&ModelDiscrimination], cohort: &str) -> Result<Figure, String> {
    let caption = format!("Calibration in deciles of predicted risk, {cohort} cohort");
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (560, 560)).into_drawing_area();
        let mut chart = unit_square(
            &root,
            &caption,
            "Predicted probability",
            "Observed proportion",
        )?;
        for (k, model) in models.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            let Some(test) = &model.hosmer_lemeshow else {
                continue;
            };
            let points: Vec<(f64, f64)> = test
                .groups
                .iter()
                .filter(|g| g.n > 0)
                .map(|g| (g.expected / g.n as f64, g.observed as f64 / g.n as f64))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                .map_err(text_error)?
                .label(format!(
                    "{}: Hosmer–Lemeshow p = {}",
                    model.model,
                    p_value(test.p)
                ))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 4, color.filled())),
                )
                .map_err(text_error)?;
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft, 12)?;
        root.present().map_err(text_error)?;
    }
    Ok(Figure {
        name: format!("calibration_{cohort}"),
        caption,
        svg,
    })
}

/// Net benefit against the threshold probability, beside treating all
/// and none.
fn decision(models: &[&ModelDiscrimination], cohort: &str) -> Result<Figure, String> {
    let caption = format!("Decision curves for early recurrence, {cohort} cohort");
    let top = models
        .iter()
        .flat_map(|m| m.decision_curve.iter().map(|p| p.model.max(p.treat_all)))
        .fold(0.05_f64, f64::max);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(text_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&caption, (FONT, 17))
            .margin(14)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..1.0, (-0.1 * top)..(1.05 * top))
            .map_err(text_error)?;
        chart
            .configure_mesh()
            .x_desc("Threshold probability")
            .y_desc("Net benefit")
            .light_line_style(WHITE)
            .draw()
            .map_err(text_error)?;
        chart
            .draw_series(LineSeries::new(
                vec![(0.0, 0.0), (1.0, 0.0)],
                BLACK.stroke_width(1),
            ))
            .map_err(text_error)?
            .label("Treat none")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK));
        let floor = -0.1 * top;
        if let Some(first) = models.first() {
            let all: Vec<(f64, f64)> = first
                .decision_curve
                .iter()
                .filter(|p| p.treat_all >= floor)
                .map(|p| (p.threshold, p.treat_all))
                .collect();
            chart
                .draw_series(LineSeries::new(all, BLACK.mix(0.45).stroke_width(1)))
                .map_err(text_error)?
                .label("Treat all")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.mix(0.45)));
        }
        for (k, model) in models.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            let points: Vec<(f64, f64)> = model
                .decision_curve
                .iter()
                .map(|p| (p.threshold, p.model.max(floor)))
                .collect();
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))
                .map_err(text_error)?
                .label(model.model.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight, 12)?;
        root.present().map_err(text_error)?;
    }
    Ok(Figure {
        name: format!("decision_{cohort}"),
        caption,
        svg,
    })
}

/// Chemotherapy's hazard ratio with its CI inside each risk group, for DFS
/// and OS, on a log axis, with the p for interaction.
fn forest(results: &StudyResults) -> Result<Option<Figure>, String> {
    let chemo = &results.chemo_benefit;
    let rows: Vec<(String, f64, f64, f64)> = chemo
        .by_risk_group
        .iter()
        .filter_map(|(group, c)| {
            let hr = c.hazard_ratio.as_ref()?;
            let p_interaction = chemo
                .interaction
                .iter()
                .find(|m| m.endpoint == c.endpoint)
                .map(|m| format!(", p interaction {}", p_value(m.p_interaction)))
                .unwrap_or_default();
            Some((
                format!(
                    "{} {group} risk: HR {:.2} ({:.2}–{:.2}){p_interaction}",
                    c.endpoint.label(),
                    hr.hr,
                    hr.ci_lower,
                    hr.ci_upper
                ),
                hr.hr,
                hr.ci_lower,
                hr.ci_upper,
            ))
        })
        .collect();
    if rows.is_empty() {
        return Ok(None);
    }
    let caption = "Adjuvant chemotherapy against none, by radiomic risk group".to_owned();
    // The axis is log2(HR), labelled at powers of two (0.25, 0.5, 1, 2, …)
    // and widened to whole powers around every interval (and around 0.5–2).
    let low = rows
        .iter()
        .map(|r| r.2)
        .fold(0.5_f64, f64::min)
        .max(1e-3)
        .log2()
        .floor();
    let high = rows
        .iter()
        .map(|r| r.3)
        .fold(2.0_f64, f64::max)
        .min(1e3)
        .log2()
        .ceil();
    let mut svg = String::new();
    {
        let height = 140 + 60 * rows.len() as u32;
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(text_error)?;
        let n = rows.len() as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(&caption, (FONT, 17))
            .margin(14)
            .x_label_area_size(40)
            .y_label_area_size(10)
            .build_cartesian_2d((low..high).step(1.0), -0.5..n)
            .map_err(text_error)?;
        chart
            .configure_mesh()
            .x_desc("Hazard ratio (chemotherapy vs none), log scale")
            .disable_y_mesh()
            .disable_y_axis()
            .light_line_style(WHITE)
            .x_label_formatter(&|x| format!("{}", 2f64.powf(x.round())))
            .draw()
            .map_err(text_error)?;
        chart
            .draw_series(LineSeries::new(vec![(0.0, -0.5), (0.0, n)], BLACK.mix(0.5)))
            .map_err(text_error)?;
        for (k, (label, hr, lo, hi)) in rows.iter().enumerate() {
            let y = n - 1.0 - k as f64;
            let color = PALETTE[k / 2 % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(
                    vec![(lo.log2().max(low), y), (hi.log2().min(high), y)],
                    color.stroke_width(2),
                ))
                .map_err(text_error)?;
            let centre = hr.log2();
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(centre - 0.06, y - 0.08), (centre + 0.06, y + 0.08)],
                    color.filled(),
                )))
                .map_err(text_error)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    label.clone(),
                    (low + 0.03 * (high - low), y + 0.38),
                    (FONT, 13),
                )))
                .map_err(text_error)?;
        }
        root.present().map_err(text_error)?;
    }
    Ok(Some(Figure {
        name: "chemotherapy_forest".to_owned(),
        caption,
        svg,
    }))
}
