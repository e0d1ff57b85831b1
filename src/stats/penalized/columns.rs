//! Predictors as the solver sees them: centred, optionally scaled to unit
//! 1/n variance (glmnet's `standardize`), stored column by column in the
//! row order of the loss, with constant columns set aside.

use nalgebra::DMatrix;

use super::solver::Coord;
use crate::stats::StatsError;

/// A centred (and optionally standardised) copy of a design's columns.
///
/// Centring is always done: it leaves the Cox partial likelihood unchanged
/// and only shifts a logistic intercept, and it keeps the intercept and
/// slopes nearly orthogonal. Scaling divides by the 1/n standard deviation
/// when asked. A constant column (all values equal) is unusable: it is
/// stored as zeros and its coefficient stays 0, as in glmnet.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    rows: usize,
    values: Vec<f64>,
    /// The same values row by row, for passes that need every column of
    /// one row together.
    row_major: Vec<f64>,
    center: Vec<f64>,
    scale: Vec<f64>,
    usable: Vec<bool>,
}

impl Columns {
    /// The rows `order` (indices into `x`, each below `x.nrows()`) of every
    /// column of `x`, centred, and scaled when `standardize`.
    pub(crate) fn new(x: &DMatrix<f64>, order: &[usize], standardize: bool) -> Columns {
        let rows = order.len();
        let cols = x.ncols();
        let mut values = Vec::with_capacity(rows * cols);
        let mut center = Vec::with_capacity(cols);
        let mut scale = Vec::with_capacity(cols);
        let mut usable = Vec::with_capacity(cols);
        for source in x.column_iter() {
            let column: Vec<f64> = order.iter().map(|&row| source[row]).collect();
            let (min, max) = column
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            if rows == 0 || min == max {
                values.extend(std::iter::repeat_n(0.0, rows));
                center.push(column.first().copied().unwrap_or(0.0));
                scale.push(1.0);
                usable.push(false);
                continue;
            }
            let mean = column.iter().sum::<f64>() / rows as f64;
            let sd = if standardize {
                (column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / rows as f64).sqrt()
            } else {
                1.0
            };
            values.extend(column.iter().map(|v| (v - mean) / sd));
            center.push(mean);
            scale.push(sd);
            usable.push(true);
        }
        let mut row_major = vec![0.0; rows * cols];
        for (j, column) in values.chunks_exact(rows.max(1)).enumerate().take(cols) {
            for (i, &v) in column.iter().enumerate() {
                row_major[i * cols + j] = v;
            }
        }
        Columns {
            rows,
            values,
            row_major,
            center,
            scale,
            usable,
        }
    }

    /// Number of columns.
    pub(crate) fn cols(&self) -> usize {
        self.usable.len()
    }

    /// Column `j` (zeros when unusable).
    pub(crate) fn column(&self, j: usize) -> &[f64] {
        &self.values[j * self.rows..(j + 1) * self.rows]
    }

    /// The columns `coords` (features; the intercept's is ones) row by
    /// row: element (i, k) at `i·coords.len() + k`. Borrowed when `coords`
    /// is every column in order, else gathered into `buffer` (at least
    /// rows × `coords.len()` long).
    pub(crate) fn rows_of<'a>(&'a self, coords: &[Coord], buffer: &'a mut [f64]) -> &'a [f64] {
        let all = coords.len() == self.cols()
            && coords
                .iter()
                .enumerate()
                .all(|(k, &c)| c == Coord::Feature(k));
        if all {
            return &self.row_major;
        }
        let m = coords.len();
        let cols = self.cols();
        let buffer = &mut buffer[..self.rows * m];
        for (i, row) in buffer
            .chunks_exact_mut(m.max(1))
            .enumerate()
            .take(self.rows)
        {
            for (value, &coord) in row.iter_mut().zip(coords) {
                *value = match coord {
                    Coord::Intercept => 1.0,
                    Coord::Feature(j) => self.row_major[i * cols + j],
                };
            }
        }
        buffer
    }

    /// Refuses a column whose centring or scaling overflowed (values near
    /// the largest doubles), naming it from `names`.
    pub(crate) fn check_finite(&self, names: &[String]) -> Result<(), StatsError> {
        for j in 0..self.cols() {
            let bad = [self.center[j], self.scale[j]]
                .into_iter()
                .chain(self.column(j).iter().copied())
                .find(|v| !v.is_finite());
            if let Some(value) = bad {
                return Err(StatsError::OutOfRange {
                    what: names
                        .get(j)
                        .cloned()
                        .unwrap_or_else(|| format!("column {j}")),
                    index: 0,
                    value,
                    expected: "values small enough to centre and scale (their mean and \
                               spread overflow)"
                        .to_owned(),
                });
            }
        }
        Ok(())
    }

    /// Whether column `j` varies, and so takes part in the fit.
    pub(crate) fn is_usable(&self, j: usize) -> bool {
        self.usable[j]
    }

    /// Slopes on the fitting scale converted to the original scale.
    pub(crate) fn original_slopes(&self, beta: &[f64]) -> Vec<f64> {
        beta.iter()
            .zip(&self.scale)
            .map(|(&b, &s)| if b == 0.0 { 0.0 } else { b / s })
            .collect()
    }

    /// The original-scale intercept given the fitting-scale one and the
    /// original-scale slopes: the centring moved Σ β_j·mean_j into it.
    pub(crate) fn original_intercept(&self, intercept: f64, slopes: &[f64]) -> f64 {
        intercept
            - slopes
                .iter()
                .zip(&self.center)
                .map(|(&b, &m)| b * m)
                .sum::<f64>()
    }

    /// Σ_j β_j·(x_j − mean_j) for original-scale slopes β, over these rows:
    /// the linear predictor up to a constant, all a Cox model needs.
    pub(crate) fn centred_predictor(&self, slopes: &[f64]) -> Vec<f64> {
        let mut eta = vec![0.0; self.rows];
        for (j, &beta) in slopes.iter().enumerate().take(self.cols()) {
            if beta != 0.0 && self.usable[j] {
                let coefficient = beta * self.scale[j];
                for (value, &x) in eta.iter_mut().zip(self.column(j)) {
                    *value += coefficient * x;
                }
            }
        }
        eta
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standardises_with_the_population_sd_and_sets_constants_aside() {
        let x = DMatrix::from_column_slice(4, 2, &[1.0, 2.0, 3.0, 4.0, 5.0, 5.0, 5.0, 5.0]);
        let columns = Columns::new(&x, &[3, 2, 1, 0], true);
        // mean 2.5, 1/n variance 1.25
        let sd = 1.25_f64.sqrt();
        let expected: Vec<f64> = [1.5, 0.5, -0.5, -1.5].iter().map(|v| v / sd).collect();
        for (got, want) in columns.column(0).iter().zip(&expected) {
            assert!((got - want).abs() < 1e-15);
        }
        assert!(columns.is_usable(0));
        assert!(!columns.is_usable(1));
        assert_eq!(columns.column(1), &[0.0; 4]);
        // β_std = 2 means 2/sd per unit of x; the intercept absorbs the mean.
        let slopes = columns.original_slopes(&[2.0, 0.0]);
        assert!((slopes[0] - 2.0 / sd).abs() < 1e-15);
        assert_eq!(slopes[1], 0.0);
        assert!((columns.original_intercept(1.0, &slopes) - (1.0 - 2.5 * 2.0 / sd)).abs() < 1e-14);
    }

    #[test]
    fn gives_rows_of_any_coordinates() {
        let x = DMatrix::from_column_slice(2, 3, &[1.0, 3.0, 10.0, 20.0, 5.0, 7.0]);
        let columns = Columns::new(&x, &[0, 1], false);
        let mut buffer = vec![0.0; 6];
        let all = [Coord::Feature(0), Coord::Feature(1), Coord::Feature(2)];
        assert_eq!(
            columns.rows_of(&all, &mut buffer),
            &[-1.0, -5.0, -1.0, 1.0, 5.0, 1.0]
        );
        let some = [Coord::Intercept, Coord::Feature(2)];
        assert_eq!(columns.rows_of(&some, &mut buffer), &[1.0, -1.0, 1.0, 1.0]);
    }

    #[test]
    fn refuses_columns_whose_spread_overflows() {
        let x = DMatrix::from_column_slice(2, 1, &[1e308, -1e308]);
        let columns = Columns::new(&x, &[0, 1], true);
        assert!(matches!(
            columns.check_finite(&["huge".to_owned()]),
            Err(StatsError::OutOfRange { what, .. }) if what == "huge"
        ));
    }

    #[test]
    fn centres_without_scaling_when_not_standardising() {
        let x = DMatrix::from_column_slice(3, 1, &[1.0, 2.0, 6.0]);
        let columns = Columns::new(&x, &[0, 1, 2], false);
        assert_eq!(columns.column(0), &[-2.0, -1.0, 3.0]);
        assert_eq!(columns.centred_predictor(&[2.0]), vec![-4.0, -2.0, 6.0]);
    }
}
