//! A table of text cells, written as CSV, Markdown or LaTeX (booktabs).

/// A table ready to write: a title, a header row, body rows and notes
/// (footnotes under the table).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The file stem, e.g. `table1_by_cohort`.
    pub name: String,
    /// The caption.
    pub title: String,
    /// Column headings.
    pub header: Vec<String>,
    /// Body rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
    /// Footnotes.
    pub notes: Vec<String>,
}

impl Table {
    /// A table with a name, title and header, and no rows yet.
    pub fn new(name: &str, title: &str, header: &[&str]) -> Table {
        Table {
            name: name.to_owned(),
            title: title.to_owned(),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Adds a row (padded or cut to the header's width).
    pub fn push(&mut self, row: Vec<String>) {
        let mut row = row;
        row.resize(self.header.len(), String::new());
        self.rows.push(row);
    }

    /// RFC 4180 CSV: the header then the rows (notes are not data and are
    /// left out).
    pub fn to_csv(&self) -> String {
        let line = |cells: &[String]| {
            cells
                .iter()
                .map(|cell| {
                    if cell.contains([',', '"', '\n', '\r']) {
                        format!("\"{}\"", cell.replace('"', "\"\""))
                    } else {
                        cell.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
                + "\n"
        };
        let mut text = line(&self.header);
        for row in &self.rows {
            text.push_str(&line(row));
        }
        text
    }

    /// A GitHub-flavoured Markdown table under a bold caption, notes
    /// beneath.
    pub fn to_markdown(&self) -> String {
        let escape = |cell: &String| cell.replace('|', "\\|");
        let mut text = format!("**{}**\n\n", self.title);
        text.push_str(&format!(
            "| {} |\n",
            self.header
                .iter()
                .map(escape)
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        text.push_str(&format!(
            "|{}\n",
            (0..self.header.len())
                .map(|i| if i == 0 { "---|" } else { "---:|" })
                .collect::<String>()
        ));
        for row in &self.rows {
            text.push_str(&format!(
                "| {} |\n",
                row.iter().map(escape).collect::<Vec<_>>().join(" | ")
            ));
        }
        for note in &self.notes {
            text.push_str(&format!("\n{note}\n"));
        }
        text
    }

    /// A LaTeX `table` with a booktabs `tabular` (needs
    /// `\usepackage{booktabs}`), the first column left-aligned and the
    /// others right-aligned, notes as a footnote-sized paragraph.
    pub fn to_latex(&self) -> String {
        let columns: String = std::iter::once('l')
            .chain(std::iter::repeat_n(
                'r',
                self.header.len().saturating_sub(1),
            ))
            .collect();
        let row = |cells: &[String]| {
            cells
                .iter()
                .map(|c| latex_escape(c))
                .collect::<Vec<_>>()
                .join(" & ")
                + " \\\\\n"
        };
        let mut text = format!(
            "\\begin{{table}}[htbp]\n\\centering\n\\caption{{{}}}\n\\label{{tab:{}}}\n\\begin{{tabular}}{{{columns}}}\n\\toprule\n",
            latex_escape(&self.title),
            self.name.replace('_', "-")
        );
        text.push_str(&row(&self.header));
        text.push_str("\\midrule\n");
        for cells in &self.rows {
            text.push_str(&row(cells));
        }
        text.push_str("\\bottomrule\n\\end{tabular}\n");
        if !self.notes.is_empty() {
            text.push_str("\\par\\footnotesize\n");
            for note in &self.notes {
                text.push_str(&format!("{}\\\\\n", latex_escape(note)));
            }
        }
        text.push_str("\\end{table}\n");
        text
    }
}

/// Escapes LaTeX's special characters and writes the non-ASCII symbols
/// the tables use (–, ×, ≥, ≤, χ, λ, ±) as math.
pub fn latex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '<' => out.push_str("$<$"),
            '>' => out.push_str("$>$"),
            '–' => out.push_str("--"),
            '—' => out.push_str("---"),
            '×' => out.push_str("$\\times$"),
            '≥' => out.push_str("$\\geq$"),
            '≤' => out.push_str("$\\leq$"),
            '±' => out.push_str("$\\pm$"),
            'χ' => out.push_str("$\\chi$"),
            'λ' => out.push_str("$\\lambda$"),
            '²' => out.push_str("$^2$"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut table = Table::new(
            "hr_table",
            "Hazard ratios & 95% CI",
            &["Term", "HR (95% CI)", "p"],
        );
        table.push(vec![
            "High risk_group".into(),
            "2.31 (1.40–3.81)".into(),
            "<0.001".into(),
        ]);
        table.push(vec!["Grade, \"G3\"".into(), "1.10 (0.70–1.72)".into()]);
        table.notes.push("Efron ties.".into());
        table
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_pads_short_rows() {
        assert_eq!(
            sample().to_csv(),
            "Term,HR (95% CI),p\nHigh risk_group,2.31 (1.40–3.81),<0.001\n\"Grade, \"\"G3\"\"\",1.10 (0.70–1.72),\n"
        );
    }

    #[test]
    fn markdown_has_a_caption_aligned_columns_and_notes() {
        let text = sample().to_markdown();
        assert!(text.starts_with(
            "**Hazard ratios & 95% CI**\n\n| Term | HR (95% CI) | p |\n|---|---:|---:|\n"
        ));
        assert!(text.ends_with("\nEfron ties.\n"));
    }

    #[test]
    fn latex_uses_booktabs_and_escapes() {
        let text = sample().to_latex();
        assert!(text.contains("\\caption{Hazard ratios \\& 95\\% CI}"));
        assert!(text.contains("\\label{tab:hr-table}"));
        assert!(text.contains(
            "\\begin{tabular}{lrr}\n\\toprule\nTerm & HR (95\\% CI) & p \\\\\n\\midrule\n"
        ));
        assert!(text.contains("High risk\\_group & 2.31 (1.40--3.81) & $<$0.001 \\\\"));
        assert!(text.contains("\\bottomrule"));
    }
}
