//! Plain-text tables and number formats for `radcohort stats`.

use std::fmt::Write as _;

/// A number as R prints one in a summary: 4 significant digits, switching
/// to scientific notation for very small or large magnitudes.
pub fn number(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs().log10().floor() as i32;
    if !(-4..6).contains(&magnitude) {
        return format!("{value:.3e}");
    }
    if value.fract() == 0.0 {
        // Times and counts: 365, not 365.0.
        return format!("{value:.0}");
    }
    let decimals = (3 - magnitude).max(0) as usize;
    format!("{value:.decimals$}")
}

/// A p-value as R's `format.pval`: below 2.2e-16 (machine precision) as
/// `<2e-16`, else 3 significant digits.
pub fn p_value(p: f64) -> String {
    if p < 2.2e-16 {
        "<2e-16".to_owned()
    } else if p < 1e-4 {
        format!("{p:.2e}")
    } else {
        let decimals = (2 - p.log10().floor() as i32).max(0) as usize;
        format!("{p:.decimals$}")
    }
}

/// Columns aligned under a header: text left, the rest right.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let columns = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let numeric = |column: usize| {
        rows.iter().all(|row| {
            row.get(column).is_none_or(|cell| {
                cell.trim_start_matches(['-', '<'])
                    .starts_with(|c: char| c.is_ascii_digit())
                    || cell == "NA"
                    || cell == "inf"
            })
        })
    };
    let right: Vec<bool> = (0..columns)
        .map(|column| column > 0 && numeric(column))
        .collect();
    let mut text = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (column, cell) in cells.iter().enumerate() {
            let width = widths[column];
            if column > 0 {
                out.push_str("  ");
            }
            if right[column] {
                let _ = write!(out, "{cell:>width$}");
            } else {
                let _ = write!(out, "{cell:<width$}");
            }
        }
        text.push_str(out.trim_end());
        text.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    text
}

/// One row of a regression's coefficient table.
pub struct Coefficient<'a> {
    /// The term.
    pub term: &'a str,
    /// The coefficient (log HR or log OR).
    pub coef: f64,
    /// Its standard error.
    pub se: f64,
    /// exp(coef): the hazard or odds ratio.
    pub ratio: f64,
    /// Lower limit of the ratio.
    pub ci_lower: f64,
    /// Upper limit of the ratio.
    pub ci_upper: f64,
    /// Wald z.
    pub z: f64,
    /// Its p-value.
    pub p: f64,
}

/// The coefficient table of a Cox or logistic fit as R's `summary` shows
/// it: term, coef, se, the ratio (`ratio` names it: HR, OR), its limits
/// at `level`, z and p.
pub fn coefficient_table(ratio: &str, level: f64, rows: &[Coefficient<'_>]) -> String {
    let (lower, upper) = limit_headers(level);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|t| {
            vec![
                t.term.to_owned(),
                number(t.coef),
                number(t.se),
                number(t.ratio),
                number(t.ci_lower),
                number(t.ci_upper),
                number(t.z),
                p_value(t.p),
            ]
        })
        .collect();
    table(
        &["term", "coef", "se", ratio, &lower, &upper, "z", "p"],
        &cells,
    )
}

/// ` (N rows with a missing value left out)` when rows were dropped, else
/// nothing.
pub fn left_out(total: usize, used: usize) -> String {
    match total - used {
        0 => String::new(),
        dropped => format!(" ({dropped} rows with a missing value left out)"),
    }
}

/// The headings of a confidence interval's limits: `95% lower`, `95% upper`.
pub fn limit_headers(level: f64) -> (String, String) {
    let percent = level * 100.0;
    (
        format!("{percent:.0}% lower"),
        format!("{percent:.0}% upper"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_as_r_summaries() {
        assert_eq!(number(0.58049853), "0.5805");
        assert_eq!(number(12.3456), "12.35");
        assert_eq!(number(-1749.1733), "-1749");
        assert_eq!(number(365.0), "365");
        assert_eq!(number(0.00001234), "1.234e-5");
        assert_eq!(p_value(0.0093756), "0.00938");
        assert_eq!(p_value(0.4932), "0.493");
        assert_eq!(p_value(1.0), "1.00");
        assert_eq!(p_value(8.9e-11), "8.90e-11");
        assert_eq!(p_value(1e-20), "<2e-16");
    }

    #[test]
    fn aligns_columns() {
        let text = table(
            &["term", "coef"],
            &[
                vec!["treat".into(), "-0.5439".into()],
                vec!["high_risk".into(), "0.9198".into()],
            ],
        );
        assert_eq!(
            text,
            "term          coef\ntreat      -0.5439\nhigh_risk   0.9198\n"
        );
    }
}
