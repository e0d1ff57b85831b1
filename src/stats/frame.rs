//! A small table of named columns — numbers or text, each cell possibly
//! missing — that formulas, the `radcohort stats` commands and the study
//! analyses read their variables from.

use std::io::Read;

use super::StatsError;

/// One column's cells. A cell is `None` when missing.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers.
    Numeric(Vec<Option<f64>>),
    /// Text (a categorical variable, or an identifier).
    Text(Vec<Option<String>>),
}

impl Column {
    /// Number of cells.
    pub fn len(&self) -> usize {
        match self {
            Column::Numeric(values) => values.len(),
            Column::Text(values) => values.len(),
        }
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether cell `row` is missing.
    pub fn is_missing(&self, row: usize) -> bool {
        match self {
            Column::Numeric(values) => values.get(row).is_none_or(Option::is_none),
            Column::Text(values) => values.get(row).is_none_or(Option::is_none),
        }
    }
}

/// Named columns of equal length; names are unique.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    names: Vec<String>,
    columns: Vec<Column>,
}

/// The cells read as missing in a CSV file: empty, and R's and pandas'
/// usual spellings.
const MISSING: [&str; 4] = ["", "NA", "NaN", "nan"];

impl Frame {
    /// An empty frame.
    pub fn new() -> Frame {
        Frame::default()
    }

    /// Adds a column, refusing a duplicate name or a length that differs
    /// from the columns already there.
    pub fn push(&mut self, name: impl Into<String>, column: Column) -> Result<(), StatsError> {
        let name = name.into();
        if self.names.contains(&name) {
            return Err(StatsError::invalid_parameter(
                "column",
                &name,
                "a name not already in the table",
            ));
        }
        if let Some(first) = self.columns.first()
            && first.len() != column.len()
        {
            return Err(StatsError::LengthMismatch {
                what: format!("column {name}"),
                expected: first.len(),
                found: column.len(),
            });
        }
        self.names.push(name);
        self.columns.push(column);
        Ok(())
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    /// The column names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Result<&Column, StatsError> {
        self.names
            .iter()
            .position(|candidate| candidate == name)
            .map(|index| &self.columns[index])
            .ok_or_else(|| StatsError::UnknownColumn {
                name: name.to_owned(),
                available: self.names.join(", "),
            })
    }

    /// The numeric column called `name`; a text column is an error naming
    /// its first value that is not a number.
    pub fn numeric(&self, name: &str) -> Result<&[Option<f64>], StatsError> {
        match self.column(name)? {
            Column::Numeric(values) => Ok(values),
            Column::Text(values) => {
                let (row, value) = values
                    .iter()
                    .enumerate()
                    .find_map(|(row, cell)| cell.as_ref().map(|value| (row, value.clone())))
                    .unwrap_or((0, String::new()));
                Err(StatsError::NotNumeric {
                    column: name.to_owned(),
                    row,
                    value,
                })
            }
        }
    }

    /// The rows where none of `columns` is missing, in order — R's
    /// `na.omit` over the variables a model uses.
    pub fn complete_rows(&self, columns: &[&str]) -> Result<Vec<usize>, StatsError> {
        let columns = columns
            .iter()
            .map(|name| self.column(name))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((0..self.rows())
            .filter(|&row| columns.iter().all(|column| !column.is_missing(row)))
            .collect())
    }

    /// A new table of the rows at `rows`, in that order (rows out of range
    /// are skipped): e.g. the complete cases of every variable an analysis
    /// uses, before a formula codes its factors on them, as R builds its
    /// model frame.
    pub fn select_rows(&self, rows: &[usize]) -> Frame {
        let rows: Vec<usize> = rows.iter().copied().filter(|&r| r < self.rows()).collect();
        let columns = self
            .columns
            .iter()
            .map(|column| match column {
                Column::Numeric(values) => {
                    Column::Numeric(rows.iter().map(|&r| values[r]).collect())
                }
                Column::Text(values) => {
                    Column::Text(rows.iter().map(|&r| values[r].clone()).collect())
                }
            })
            .collect();
        Frame {
            names: self.names.clone(),
            columns,
        }
    }

    /// The numbers of column `name` at `rows`, none of which may be missing
    /// (pass rows from [`Frame::complete_rows`]).
    pub fn numbers_at(&self, name: &str, rows: &[usize]) -> Result<Vec<f64>, StatsError> {
        let values = self.numeric(name)?;
        rows.iter()
            .map(|&row| {
                values
                    .get(row)
                    .copied()
                    .flatten()
                    .ok_or_else(|| StatsError::Missing {
                        column: name.to_owned(),
                        row,
                    })
            })
            .collect()
    }

    /// The 0/1 indicator in column `name` at `rows` as booleans; any other
    /// value is an error naming its row.
    pub fn indicator_at(&self, name: &str, rows: &[usize]) -> Result<Vec<bool>, StatsError> {
        let values = self.numbers_at(name, rows)?;
        values
            .iter()
            .zip(rows)
            .map(|(&value, &row)| match value {
                0.0 => Ok(false),
                1.0 => Ok(true),
                _ => Err(StatsError::OutOfRange {
                    what: name.to_owned(),
                    index: row,
                    value,
                    expected: "expected 0 or 1".to_owned(),
                }),
            })
            .collect()
    }

    /// The values of column `name` at `rows` as labels, for grouping: text
    /// as it stands, numbers written as R prints them (`1`, `2.5`).
    pub fn labels_at(&self, name: &str, rows: &[usize]) -> Result<Vec<String>, StatsError> {
        let column = self.column(name)?;
        rows.iter()
            .map(|&row| {
                let label = match column {
                    Column::Numeric(values) => {
                        values.get(row).copied().flatten().map(|v| format!("{v}"))
                    }
                    Column::Text(values) => values.get(row).cloned().flatten(),
                };
                label.ok_or_else(|| StatsError::Missing {
                    column: name.to_owned(),
                    row,
                })
            })
            .collect()
    }

    /// Reads a CSV table with a header row. A column is numeric when every
    /// cell that is not missing parses as a finite number, text otherwise;
    /// missing cells are empty or `NA`/`NaN`. `source` names the input in
    /// errors.
    pub fn from_csv(reader: impl Read, source: &str) -> Result<Frame, StatsError> {
        let csv_error = |line: u64, detail: String| StatsError::Csv {
            input: source.to_owned(),
            line,
            detail,
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(reader);
        let header: Vec<String> = reader
            .headers()
            .map_err(|err| csv_error(1, err.to_string()))?
            .iter()
            .map(|name| name.trim().to_owned())
            .collect();
        let mut cells: Vec<Vec<Option<String>>> = vec![Vec::new(); header.len()];
        for record in reader.records() {
            let record = record.map_err(|err| {
                let line = err.position().map_or(0, |position| position.line());
                csv_error(line, err.to_string())
            })?;
            for (column, cell) in cells.iter_mut().zip(record.iter()) {
                let cell = cell.trim();
                column.push((!MISSING.contains(&cell)).then(|| cell.to_owned()));
            }
        }
        let mut frame = Frame::new();
        for (name, column) in header.into_iter().zip(cells) {
            let numbers: Option<Vec<Option<f64>>> = column
                .iter()
                .map(|cell| match cell {
                    None => Some(None),
                    Some(text) => text.parse::<f64>().ok().filter(|v| v.is_finite()).map(Some),
                })
                .collect();
            let column = match numbers {
                Some(numbers) => Column::Numeric(numbers),
                None => Column::Text(column),
            };
            if name.is_empty() {
                return Err(csv_error(1, "a column has no name".to_owned()));
            }
            frame
                .push(name, column)
                .map_err(|_| csv_error(1, "two columns have the same name".to_owned()))?;
        }
        Ok(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_text_and_missing_cells() {
        let text = "id,age,grade\n1,50,II\n2,NA,III\n3,61.5,\n";
        let frame = Frame::from_csv(text.as_bytes(), "t.csv").unwrap();
        assert_eq!(frame.rows(), 3);
        assert_eq!(
            frame.numeric("age").unwrap(),
            &[Some(50.0), None, Some(61.5)]
        );
        assert_eq!(
            frame.column("grade").unwrap(),
            &Column::Text(vec![Some("II".into()), Some("III".into()), None])
        );
        assert_eq!(frame.complete_rows(&["age", "grade"]).unwrap(), vec![0]);
        let picked = frame.select_rows(&[2, 0, 7]);
        assert_eq!(picked.rows(), 2);
        assert_eq!(picked.numeric("id").unwrap(), &[Some(3.0), Some(1.0)]);
        assert_eq!(frame.numbers_at("age", &[0, 2]).unwrap(), vec![50.0, 61.5]);
        assert_eq!(frame.labels_at("id", &[0, 2]).unwrap(), vec!["1", "3"]);
        assert_eq!(frame.labels_at("grade", &[1]).unwrap(), vec!["III"]);
        assert!(frame.numbers_at("age", &[1]).is_err());
    }

    #[test]
    fn reads_indicators_strictly() {
        let frame = Frame::from_csv("e\n1\n0\n2\n".as_bytes(), "t.csv").unwrap();
        assert_eq!(frame.indicator_at("e", &[0, 1]).unwrap(), vec![true, false]);
        assert!(matches!(
            frame.indicator_at("e", &[2]),
            Err(StatsError::OutOfRange { index: 2, value, .. }) if value == 2.0
        ));
    }

    #[test]
    fn names_what_is_wrong() {
        let frame = Frame::from_csv("a,b\n1,x\n".as_bytes(), "t.csv").unwrap();
        assert!(matches!(
            frame.column("c"),
            Err(StatsError::UnknownColumn { ref name, .. }) if name == "c"
        ));
        assert!(matches!(
            frame.numeric("b"),
            Err(StatsError::NotNumeric { ref value, .. }) if value == "x"
        ));
        let ragged = Frame::from_csv("a,b\n1,2\n3\n".as_bytes(), "t.csv");
        assert!(matches!(ragged, Err(StatsError::Csv { line: 3, .. })));
        let duplicate = Frame::from_csv("a,a\n1,2\n".as_bytes(), "t.csv");
        assert!(matches!(duplicate, Err(StatsError::Csv { line: 1, .. })));
    }
}
