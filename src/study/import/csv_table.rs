//! A CSV file read whole, with line numbers, and typed access to its cells
//! that records every problem instead of stopping at the first.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Problem;

/// A CSV file: a header row and data rows, cells trimmed.
#[derive(Debug)]
pub(crate) struct CsvTable {
    pub path: PathBuf,
    /// Column names, trimmed and lowercased.
    pub headers: Vec<String>,
    pub rows: Vec<CsvRow>,
    columns: HashMap<String, usize>,
}

/// One data row and the line it starts on (the header is line 1).
#[derive(Debug)]
pub(crate) struct CsvRow {
    pub line: u64,
    pub cells: Vec<String>,
}

impl CsvTable {
    /// Reads a whole CSV file. Unreadable files, invalid UTF-8, duplicate
    /// column names and rows of the wrong width are all reported.
    pub fn read(path: &Path) -> Result<CsvTable, Vec<Problem>> {
        let problem = |line: Option<u64>, reason: String| Problem {
            file: path.to_owned(),
            line,
            column: None,
            value: None,
            reason,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(path)
            .map_err(|err| {
                vec![problem(
                    None,
                    format!("cannot read the file: {}", io_reason(&err)),
                )]
            })?;
        let mut problems = Vec::new();
        let mut records = Vec::new();
        for record in reader.records() {
            match record {
                Ok(record) => {
                    let line = record.position().map_or(0, |p| p.line());
                    let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
                    records.push(CsvRow { line, cells });
                }
                Err(err) => {
                    let line = err.position().map(|p| p.line());
                    problems.push(problem(
                        line,
                        format!("unreadable row: {}", io_reason(&err)),
                    ));
                }
            }
        }
        let mut rows = records.into_iter();
        let Some(header) = rows.next() else {
            problems.push(problem(
                None,
                "the file is empty; expected a header row".to_owned(),
            ));
            return Err(problems);
        };
        let headers: Vec<String> = header
            .cells
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_lowercase())
            .collect();
        let mut columns = HashMap::new();
        for (index, name) in headers.iter().enumerate() {
            if name.is_empty() {
                problems.push(Problem {
                    column: None,
                    value: None,
                    ..problem(
                        Some(header.line),
                        format!("column {} has no name", index + 1),
                    )
                });
            } else if columns.insert(name.clone(), index).is_some() {
                problems.push(Problem {
                    column: Some(name.clone()),
                    ..problem(Some(header.line), "column appears twice".to_owned())
                });
            }
        }
        if headers.len() == 1 && headers[0].contains(';') {
            problems.push(problem(
                Some(header.line),
                "the header has no commas but has semicolons; radcohort reads comma-separated files".to_owned(),
            ));
        }
        let rows: Vec<CsvRow> = rows
            .filter(|row| !row.cells.iter().all(String::is_empty))
            .collect();
        for row in &rows {
            if row.cells.len() != headers.len() {
                problems.push(problem(
                    Some(row.line),
                    format!(
                        "{} cells, the header has {}",
                        row.cells.len(),
                        headers.len()
                    ),
                ));
            }
        }
        if problems.is_empty() {
            Ok(CsvTable {
                path: path.to_owned(),
                headers,
                rows,
                columns,
            })
        } else {
            Err(problems)
        }
    }

    /// Whether the file has this column.
    pub fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    /// Reports required columns that are missing and columns that nobody
    /// reads.
    pub fn check_columns(&self, required: &[&str], known: impl Fn(&str) -> bool) -> Vec<Problem> {
        let mut problems = Vec::new();
        for column in required {
            if !self.has(column) {
                problems.push(Problem {
                    file: self.path.clone(),
                    line: Some(1),
                    column: Some((*column).to_owned()),
                    value: None,
                    reason: "required column is missing".to_owned(),
                });
            }
        }
        for column in &self.headers {
            if !column.is_empty() && !known(column) {
                problems.push(Problem {
                    file: self.path.clone(),
                    line: Some(1),
                    column: Some(column.clone()),
                    value: None,
                    reason: "unknown column".to_owned(),
                });
            }
        }
        problems
    }

    /// Typed access to one row, recording problems in `problems`.
    pub fn cells<'a>(&'a self, row: &'a CsvRow, problems: &'a mut Vec<Problem>) -> RowCells<'a> {
        RowCells {
            table: self,
            row,
            problems,
        }
    }
}

fn io_reason(err: &csv::Error) -> String {
    match err.kind() {
        csv::ErrorKind::Io(io) => io.to_string(),
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("not valid UTF-8 ({err}); save the file as UTF-8")
        }
        _ => err.to_string(),
    }
}

/// What one cell holds after parsing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<T> {
    /// The file has no such column: leave the stored value alone.
    Absent,
    /// The cell is empty: a missing value.
    Blank,
    /// A valid value.
    Value(T),
    /// An invalid value, already reported.
    Invalid,
}

impl<T> Cell<T> {
    /// Writes the cell into `target`: a value always, a blank only when
    /// blanks overwrite (REDCap's "overwrite" import behaviour), never an
    /// absent or invalid cell.
    pub fn store(self, target: &mut Option<T>, blank_overwrites: bool) {
        match self {
            Cell::Value(value) => *target = Some(value),
            Cell::Blank if blank_overwrites => *target = None,
            _ => {}
        }
    }

    /// The value, if valid.
    pub fn value(self) -> Option<T> {
        match self {
            Cell::Value(value) => Some(value),
            _ => None,
        }
    }

    /// A reference to the value, if valid.
    pub fn as_value(&self) -> Option<&T> {
        match self {
            Cell::Value(value) => Some(value),
            _ => None,
        }
    }
}

/// One row's cells, parsed column by column.
pub(crate) struct RowCells<'a> {
    table: &'a CsvTable,
    row: &'a CsvRow,
    problems: &'a mut Vec<Problem>,
}

impl RowCells<'_> {
    /// The row's line number.
    pub fn line(&self) -> u64 {
        self.row.line
    }

    /// The raw text of a cell; `None` for an absent column or blank cell.
    pub fn raw(&self, column: &str) -> Option<&str> {
        self.table
            .columns
            .get(column)
            .and_then(|&index| self.row.cells.get(index))
            .map(String::as_str)
            .filter(|text| !text.is_empty())
    }

    /// Parses a cell; an invalid value is reported with its reason.
    pub fn parse<T>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Cell<T> {
        if !self.table.has(column) {
            return Cell::Absent;
        }
        let Some(text) = self.raw(column).map(str::to_owned) else {
            return Cell::Blank;
        };
        match parse(&text) {
            Ok(value) => Cell::Value(value),
            Err(reason) => {
                self.report(Some(column), Some(&text), reason);
                Cell::Invalid
            }
        }
    }

    /// Parses a cell that must hold a value; a blank one is reported.
    pub fn require<T>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match self.parse(column, parse) {
            Cell::Value(value) => Some(value),
            Cell::Blank => {
                self.report(Some(column), None, "a value is required".to_owned());
                None
            }
            Cell::Absent | Cell::Invalid => None,
        }
    }

    /// Records a problem on this row.
    pub fn report(&mut self, column: Option<&str>, value: Option<&str>, reason: String) {
        self.problems.push(Problem {
            file: self.table.path.clone(),
            line: Some(self.row.line),
            column: column.map(str::to_owned),
            value: value.map(str::to_owned),
            reason,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn reads_rows_with_their_line_numbers_skipping_blank_lines() {
        let (_dir, path) = write("\u{feff}Study_ID, Age\nP1, 50\n\n,\n\"P2\",\"61\"\n");
        let table = CsvTable::read(&path).unwrap();
        assert_eq!(table.headers, ["study_id", "age"]);
        let lines: Vec<u64> = table.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 5]);
        assert_eq!(table.rows[1].cells, ["P2", "61"]);
    }

    #[test]
    fn every_structural_problem_is_reported() {
        let (_dir, path) = write("a,b,a,\n1,2,3,4\n1,2\n1,2,3,4,5\n");
        let problems = CsvTable::read(&path).unwrap_err();
        let reasons: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(reasons.len(), 4, "{reasons:#?}");
        assert!(reasons[0].contains("column 'a'") && reasons[0].contains("appears twice"));
        assert!(reasons[1].contains("column 4 has no name"));
        assert!(reasons[2].contains(":3:") && reasons[2].contains("2 cells, the header has 4"));
        assert!(reasons[3].contains(":4:"));
    }

    #[test]
    fn non_utf8_and_empty_files_are_reported() {
        let (_dir, path) = write("");
        assert!(
            CsvTable::read(&path).unwrap_err()[0]
                .reason
                .contains("empty")
        );
        let dir = tempfile::tempdir().unwrap();
        let latin1 = dir.path().join("l.csv");
        std::fs::write(&latin1, b"name\nJos\xe9\n").unwrap();
        assert!(
            CsvTable::read(&latin1).unwrap_err()[0]
                .reason
                .contains("UTF-8")
        );
    }

    #[test]
    fn semicolon_files_get_a_hint() {
        let (_dir, path) = write("study_id;age\nP1;50\n");
        let problems = CsvTable::read(&path).unwrap_err();
        assert!(problems[0].reason.contains("semicolons"));
    }
}
