//! The model matrix that regression routines take.

use nalgebra::DMatrix;

use super::StatsError;

/// A model matrix: one row per observation, one named column per term, as
/// R's `model.matrix` builds it but without the intercept column (Cox
/// models have none; logistic regression adds its own, named
/// `(Intercept)` as R does).
///
/// Column names follow R: a numeric variable keeps its name, a level of a
/// factor is the variable's name followed by the level (`gradeII`), an
/// interaction joins its parts with `:` (`treat:high_risk`).
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    names: Vec<String>,
    x: DMatrix<f64>,
}

impl Design {
    /// Builds a design from named columns of equal length, refusing NaN and
    /// infinite values.
    pub fn from_columns(columns: Vec<(String, Vec<f64>)>) -> Result<Design, StatsError> {
        let rows = columns.first().map_or(0, |(_, values)| values.len());
        for (name, values) in &columns {
            if values.len() != rows {
                return Err(StatsError::LengthMismatch {
                    what: format!("column {name}"),
                    expected: rows,
                    found: values.len(),
                });
            }
            if let Some(index) = values.iter().position(|v| !v.is_finite()) {
                return Err(StatsError::NonFinite {
                    what: name.clone(),
                    index,
                    value: values[index],
                });
            }
        }
        let x = DMatrix::from_fn(rows, columns.len(), |row, column| columns[column].1[row]);
        Ok(Design {
            names: columns.into_iter().map(|(name, _)| name).collect(),
            x,
        })
    }

    /// The column (term) names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The matrix, observations by terms.
    pub fn matrix(&self) -> &DMatrix<f64> {
        &self.x
    }

    /// Number of observations.
    pub fn rows(&self) -> usize {
        self.x.nrows()
    }

    /// Number of terms.
    pub fn terms(&self) -> usize {
        self.x.ncols()
    }

    /// The observations at `indices`, in that order.
    pub fn subset(&self, indices: &[usize]) -> Design {
        Design {
            names: self.names.clone(),
            x: self.x.select_rows(indices),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_from_named_columns() {
        let design = Design::from_columns(vec![
            ("age".to_owned(), vec![50.0, 60.0, 70.0]),
            ("treat".to_owned(), vec![1.0, 0.0, 1.0]),
        ])
        .unwrap();
        assert_eq!(design.names(), &["age", "treat"]);
        assert_eq!(design.matrix()[(2, 0)], 70.0);
        assert_eq!(design.subset(&[1]).matrix()[(0, 1)], 0.0);
    }

    #[test]
    fn refuses_ragged_and_non_finite_columns() {
        let ragged = Design::from_columns(vec![
            ("a".to_owned(), vec![1.0, 2.0]),
            ("b".to_owned(), vec![1.0]),
        ]);
        assert!(matches!(ragged, Err(StatsError::LengthMismatch { .. })));
        let nan = Design::from_columns(vec![("a".to_owned(), vec![1.0, f64::NAN])]);
        assert!(matches!(nan, Err(StatsError::NonFinite { index: 1, .. })));
    }
}
