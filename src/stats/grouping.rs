//! Group membership: which group (treatment arm, stratum, level of a
//! categorical variable) each observation belongs to, and the groups' names
//! in a fixed order.

use std::collections::BTreeMap;
use std::fmt::Display;

use super::{Column, Frame, StatsError};

/// The group of each observation, as an index into [`Grouping::levels`],
/// or none when the observation's label is missing.
///
/// Levels are sorted as R sorts the levels of a factor it makes from the
/// values: numbers numerically (`2` before `10`), text by its bytes. A
/// level is named by its value: a number as Rust prints it (`0`, `1`,
/// `2.5`), text as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    levels: Vec<String>,
    codes: Vec<Option<usize>>,
}

impl Grouping {
    /// Groups observations by labels of any ordered type (numbers as
    /// integers, text, booleans); no label is missing.
    pub fn from_labels<T: Ord + Display>(labels: &[T]) -> Grouping {
        let mut index: BTreeMap<&T, usize> = labels.iter().map(|label| (label, 0)).collect();
        for (code, slot) in index.values_mut().enumerate() {
            *slot = code;
        }
        let levels = index.keys().map(|label| label.to_string()).collect();
        let codes = labels
            .iter()
            .map(|label| index.get(label).copied())
            .collect();
        Grouping { levels, codes }
    }

    /// Groups observations by numeric labels, sorted numerically; a NaN or
    /// infinite label is refused, naming `what` and the observation.
    pub fn from_numbers(values: &[f64], what: &str) -> Result<Grouping, StatsError> {
        let cells: Vec<Option<f64>> = values.iter().copied().map(Some).collect();
        Grouping::from_numeric_cells(&cells, what)
    }

    /// Groups the rows of a table by the values of one column; a missing
    /// cell leaves its row without a group.
    pub fn from_column(frame: &Frame, name: &str) -> Result<Grouping, StatsError> {
        match frame.column(name)? {
            Column::Numeric(cells) => Grouping::from_numeric_cells(cells, name),
            Column::Text(cells) => {
                let mut index: BTreeMap<&str, usize> = cells
                    .iter()
                    .flatten()
                    .map(|label| (label.as_str(), 0))
                    .collect();
                for (code, slot) in index.values_mut().enumerate() {
                    *slot = code;
                }
                let levels = index.keys().map(|label| (*label).to_owned()).collect();
                let codes = cells
                    .iter()
                    .map(|cell| cell.as_deref().and_then(|label| index.get(label).copied()))
                    .collect();
                Ok(Grouping { levels, codes })
            }
        }
    }

    fn from_numeric_cells(cells: &[Option<f64>], what: &str) -> Result<Grouping, StatsError> {
        if let Some((index, value)) = cells
            .iter()
            .enumerate()
            .find_map(|(index, cell)| cell.filter(|v| !v.is_finite()).map(|v| (index, v)))
        {
            return Err(StatsError::NonFinite {
                what: what.to_owned(),
                index,
                value,
            });
        }
        // `+ 0.0` turns -0 into 0, so the two zeros are one level.
        let mut distinct: Vec<f64> = cells.iter().flatten().map(|v| v + 0.0).collect();
        distinct.sort_unstable_by(f64::total_cmp);
        distinct.dedup();
        let codes = cells
            .iter()
            .map(|cell| {
                cell.and_then(|v| {
                    distinct
                        .binary_search_by(|probe| probe.total_cmp(&(v + 0.0)))
                        .ok()
                })
            })
            .collect();
        let levels = distinct.iter().map(f64::to_string).collect();
        Ok(Grouping { levels, codes })
    }

    /// The groups crossed: one level per combination that occurs, named
    /// `name=level` joined by `, ` as R names the strata of
    /// `survfit(Surv(time, event) ~ a + b)`, ordered with the first
    /// grouping varying slowest. An observation missing in any part has no
    /// group.
    pub fn interaction(parts: &[(&str, &Grouping)]) -> Result<Grouping, StatsError> {
        let Some((_, first)) = parts.first() else {
            return Err(StatsError::invalid_parameter(
                "interaction",
                "no groupings",
                "at least one grouping",
            ));
        };
        let rows = first.len();
        for (name, part) in parts {
            if part.len() != rows {
                return Err(StatsError::LengthMismatch {
                    what: format!("grouping {name}"),
                    expected: rows,
                    found: part.len(),
                });
            }
        }
        let keys: Vec<Option<Vec<usize>>> = (0..rows)
            .map(|row| {
                parts
                    .iter()
                    .map(|(_, part)| part.code(row))
                    .collect::<Option<Vec<usize>>>()
            })
            .collect();
        let mut index: BTreeMap<&[usize], usize> = keys
            .iter()
            .flatten()
            .map(|key| (key.as_slice(), 0))
            .collect();
        for (code, slot) in index.values_mut().enumerate() {
            *slot = code;
        }
        let levels = index
            .keys()
            .map(|key| {
                parts
                    .iter()
                    .zip(key.iter())
                    .map(|((name, part), &code)| format!("{name}={}", part.levels[code]))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect();
        let codes = keys
            .iter()
            .map(|key| {
                key.as_ref()
                    .and_then(|key| index.get(key.as_slice()).copied())
            })
            .collect();
        Ok(Grouping { levels, codes })
    }

    /// The group names, in order.
    pub fn levels(&self) -> &[String] {
        &self.levels
    }

    /// Each observation's group (an index into [`Grouping::levels`]), none
    /// when its label is missing.
    pub fn codes(&self) -> &[Option<usize>] {
        &self.codes
    }

    /// The group of observation `row`, none when missing or out of range.
    pub fn code(&self, row: usize) -> Option<usize> {
        self.codes.get(row).copied().flatten()
    }

    /// Number of observations.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether there are no observations.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Number of observations in each group.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.levels.len()];
        for code in self.codes.iter().flatten() {
            if let Some(size) = sizes.get_mut(*code) {
                *size += 1;
            }
        }
        sizes
    }

    /// The observations at `rows` (e.g. the complete cases of a model), in
    /// that order, keeping the levels that still have a member in their
    /// order, as R's `droplevels` on the subset. A row out of range is
    /// missing.
    pub fn subset(&self, rows: &[usize]) -> Grouping {
        let picked: Vec<Option<usize>> = rows.iter().map(|&row| self.code(row)).collect();
        let mut used = vec![false; self.levels.len()];
        for code in picked.iter().flatten() {
            used[*code] = true;
        }
        let mut renumber = vec![None; self.levels.len()];
        let mut levels = Vec::new();
        for (code, level) in self.levels.iter().enumerate() {
            if used[code] {
                renumber[code] = Some(levels.len());
                levels.push(level.clone());
            }
        }
        let codes = picked
            .into_iter()
            .map(|code| code.and_then(|code| renumber[code]))
            .collect();
        Grouping { levels, codes }
    }

    /// Every observation's group, refusing a grouping of the wrong length
    /// or with a missing label; `what` names the grouping in errors.
    pub(crate) fn complete_codes(
        &self,
        what: &str,
        expected_len: usize,
    ) -> Result<Vec<usize>, StatsError> {
        if self.codes.len() != expected_len {
            return Err(StatsError::LengthMismatch {
                what: what.to_owned(),
                expected: expected_len,
                found: self.codes.len(),
            });
        }
        self.codes
            .iter()
            .enumerate()
            .map(|(row, code)| {
                code.ok_or_else(|| StatsError::Missing {
                    column: what.to_owned(),
                    row,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_drop_levels_left_empty() {
        let groups = Grouping::from_labels(&["b", "a", "c", "a"]);
        let part = groups.subset(&[3, 2, 9]);
        assert_eq!(part.levels(), &["a", "c"]);
        assert_eq!(part.codes(), &[Some(0), Some(1), None]);
    }

    #[test]
    fn sorts_levels_as_r_factors_do() {
        let numbers = Grouping::from_numbers(&[10.0, 2.0, -0.0, 2.0, 0.0], "dose").unwrap();
        assert_eq!(numbers.levels(), &["0", "2", "10"]);
        assert_eq!(
            numbers.codes(),
            &[Some(2), Some(1), Some(0), Some(1), Some(0)]
        );
        let text = Grouping::from_labels(&["yes", "no", "yes"]);
        assert_eq!(text.levels(), &["no", "yes"]);
        assert_eq!(text.sizes(), vec![1, 2]);
        assert!(matches!(
            Grouping::from_numbers(&[1.0, f64::NAN], "dose"),
            Err(StatsError::NonFinite { index: 1, .. })
        ));
    }

    #[test]
    fn reads_columns_with_missing_cells() {
        let frame = Frame::from_csv("arm,site\nB,1\n,2\nA,\n".as_bytes(), "t.csv").unwrap();
        let arm = Grouping::from_column(&frame, "arm").unwrap();
        assert_eq!(arm.levels(), &["A", "B"]);
        assert_eq!(arm.codes(), &[Some(1), None, Some(0)]);
        assert!(matches!(
            arm.complete_codes("arm", 3),
            Err(StatsError::Missing { row: 1, .. })
        ));
        let site = Grouping::from_column(&frame, "site").unwrap();
        assert_eq!(site.codes(), &[Some(0), Some(1), None]);
    }

    #[test]
    fn crosses_groupings_first_slowest() {
        let treat = Grouping::from_labels(&[1, 0, 1, 0]);
        let risk = Grouping::from_labels(&[0, 1, 1, 1]);
        let both = Grouping::interaction(&[("treat", &treat), ("risk", &risk)]).unwrap();
        assert_eq!(
            both.levels(),
            &["treat=0, risk=1", "treat=1, risk=0", "treat=1, risk=1"]
        );
        assert_eq!(both.codes(), &[Some(1), Some(0), Some(2), Some(0)]);
    }
}
