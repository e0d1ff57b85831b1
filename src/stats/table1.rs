//! Table 1: the cohort described overall and by group, with a test of
//! difference for each variable, as Python's tableone 0.9.6 builds it
//! (`TableOne(df, columns, categorical, groupby, nonnormal, pval=True,
//! htest_name=True, overall=True)`).
//!
//! Summaries: mean (SD) with the n − 1 divisor; `median [Q1,Q3]` with R's
//! type-7 quantiles; n (%) with the percentage of the values present in
//! the column. Numbers are printed to one decimal, p-values to three
//! (`<0.001` when that prints as 0.000), rounding as Python does.
//!
//! Tests, chosen as tableone chooses them, with `m` the smallest number of
//! values present in a group:
//! - no test when some group has no values (`m` = 0): "Not tested";
//! - a normal continuous variable in two groups with `m` ≥ 2: Welch's
//!   t-test; otherwise one-way ANOVA;
//! - a nonnormal continuous variable: Kruskal–Wallis (for two groups the
//!   same as Mann–Whitney without continuity correction);
//! - a categorical variable: Pearson's chi-square on levels × groups
//!   (Yates-corrected for 2×2); if an expected count is below 5 or
//!   `m` < 5, Fisher's exact test for a 2×2 table, else the chi-square
//!   with a warning in the test's name.
//!
//! Missing values are counted in each variable's `missing` column (for
//! categorical variables too, where tableone 0.9.6 would list them as a
//! level) and left out of the summaries, the percentages and the tests.
//! Rows whose group is missing count in the overall column only, as in
//! tableone. Where a test is undefined (one group, no spread, a single
//! level) the row has no p-value and its `note` says why.

use serde::{Serialize, Serializer};

use super::descriptive::ContinuousSummary;
use super::hypothesis::{
    chi_square_contingency, fisher_exact, kruskal_wallis, one_way_anova, welch_t_test,
};
use super::{Frame, Grouping, StatsError};

/// How a variable is summarised and tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VariableKind {
    /// Continuous, summarised as mean (SD), tested with t / ANOVA.
    Normal,
    /// Continuous, summarised as `median [Q1,Q3]`, tested with
    /// Kruskal–Wallis.
    Nonnormal,
    /// Categorical, summarised as n (%) per level, tested with chi-square
    /// or Fisher's exact test.
    Categorical,
}

/// A variable of Table 1: a column of the frame and how to treat it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table1Variable {
    /// The column's name.
    pub name: String,
    /// How it is summarised and tested.
    pub kind: VariableKind,
}

impl Table1Variable {
    /// A continuous variable summarised by mean (SD).
    pub fn normal(name: impl Into<String>) -> Table1Variable {
        Table1Variable {
            name: name.into(),
            kind: VariableKind::Normal,
        }
    }

    /// A continuous variable summarised by `median [Q1,Q3]`.
    pub fn nonnormal(name: impl Into<String>) -> Table1Variable {
        Table1Variable {
            name: name.into(),
            kind: VariableKind::Nonnormal,
        }
    }

    /// A categorical variable summarised by n (%).
    pub fn categorical(name: impl Into<String>) -> Table1Variable {
        Table1Variable {
            name: name.into(),
            kind: VariableKind::Categorical,
        }
    }

    /// The variables as tableone takes them: `columns` in order, those in
    /// `categorical` categorical, those in `nonnormal` nonnormal, the rest
    /// normal. Refuses a name in `categorical` or `nonnormal` that is not
    /// in `columns`, and one in both.
    pub fn from_lists(
        columns: &[&str],
        categorical: &[&str],
        nonnormal: &[&str],
    ) -> Result<Vec<Table1Variable>, StatsError> {
        let unknown = |list: &str, name: &str| {
            StatsError::invalid_parameter(list, name, "a name from the list of columns")
        };
        if let Some(name) = categorical.iter().find(|name| !columns.contains(name)) {
            return Err(unknown("categorical", name));
        }
        if let Some(name) = nonnormal.iter().find(|name| !columns.contains(name)) {
            return Err(unknown("nonnormal", name));
        }
        if let Some(name) = nonnormal.iter().find(|name| categorical.contains(name)) {
            return Err(StatsError::invalid_parameter(
                "nonnormal",
                name,
                "a continuous variable, not one also listed as categorical",
            ));
        }
        Ok(columns
            .iter()
            .map(|&name| {
                if categorical.contains(&name) {
                    Table1Variable::categorical(name)
                } else if nonnormal.contains(&name) {
                    Table1Variable::nonnormal(name)
                } else {
                    Table1Variable::normal(name)
                }
            })
            .collect())
    }
}

/// Values by group, in the grouping's level order; serialized as a JSON
/// object keyed by group name, in that order.
#[derive(Debug, Clone, PartialEq)]
pub struct ByGroup<T>(pub Vec<(String, T)>);

impl<T> ByGroup<T> {
    /// The value of group `name`.
    pub fn get(&self, name: &str) -> Option<&T> {
        self.0
            .iter()
            .find(|(group, _)| group == name)
            .map(|(_, value)| value)
    }
}

impl<T: Serialize> Serialize for ByGroup<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(group, value)| (group, value)))
    }
}

/// The count of one level of a categorical variable in a column.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LevelCount {
    /// Subjects at this level.
    pub count: usize,
    /// Percentage of the column's subjects with a value (none when no one
    /// in the column has a value).
    pub percent: Option<f64>,
}

/// The numbers behind a row, unrounded.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum RowValues {
    /// The row of subject counts.
    Count {
        /// All subjects.
        overall: usize,
        /// Subjects per group.
        groups: ByGroup<usize>,
    },
    /// A continuous variable's summaries.
    Continuous {
        /// All subjects.
        overall: ContinuousSummary,
        /// Per group.
        groups: ByGroup<ContinuousSummary>,
    },
    /// One level of a categorical variable.
    Level {
        /// All subjects.
        overall: LevelCount,
        /// Per group.
        groups: ByGroup<LevelCount>,
    },
}

/// The test of one variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table1Test {
    /// The variable tested.
    pub variable: String,
    /// The test's name as tableone prints it (`Welch’s T-test`,
    /// `One-way ANOVA`, `Kruskal-Wallis`, `Chi-squared`, `Fisher's exact`,
    /// `Not tested`).
    pub name: String,
    /// The statistic (t, F, H, X²; the odds ratio is not a statistic, so
    /// none for Fisher's test), unrounded.
    pub statistic: Option<f64>,
    /// The p-value, unrounded; none when not tested.
    pub p: Option<f64>,
    /// Why there is no p-value, when there is none.
    pub note: Option<String>,
}

/// One row of Table 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table1Row {
    /// The variable's column name (`n` for the counts row).
    pub variable: String,
    /// The row's label as tableone prints it: `age, mean (SD)`,
    /// `tsize, median [Q1,Q3]`, `tgrade, n (%)`, `n`.
    pub label: String,
    /// The level, for a categorical variable's rows.
    pub level: Option<String>,
    /// Missing values of the variable (on its first row).
    pub missing: Option<usize>,
    /// The overall column, formatted.
    pub overall: String,
    /// Each group's column, formatted.
    pub groups: ByGroup<String>,
    /// The p-value, unrounded (on the variable's first row).
    pub p: Option<f64>,
    /// The p-value as printed: three decimals, `<0.001` below that.
    pub p_text: Option<String>,
    /// The test's name (on the variable's first row).
    pub test: Option<String>,
    /// The numbers behind the row.
    pub values: RowValues,
}

/// A Table 1: rows of counts, summaries and tests by group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table1 {
    /// The grouping column.
    pub group_by: String,
    /// The groups, in order.
    pub levels: Vec<String>,
    /// The rows: `n`, then each variable's row(s) in the order given.
    pub rows: Vec<Table1Row>,
    /// Each variable's test, in the order given.
    pub tests: Vec<Table1Test>,
}

/// A number to one decimal, as Python's `'{:.1f}'.format` (Rust's
/// formatting also rounds the exact binary value, ties to even).
fn one_decimal(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| format!("{v:.1}"))
}

/// tableone's p-value text: three decimals, `<0.001` where that is 0.000.
fn p_text(p: f64) -> String {
    let text = format!("{p:.3}");
    if text == "0.000" {
        "<0.001".to_owned()
    } else {
        text
    }
}

impl Table1 {
    /// Builds the table from the frame's `group_by` column and `variables`,
    /// in order. Refuses unknown columns and a continuous variable held as
    /// text; a variable without a usable test gets a row without p.
    pub fn build(
        frame: &Frame,
        group_by: &str,
        variables: &[Table1Variable],
    ) -> Result<Table1, StatsError> {
        let groups = Grouping::from_column(frame, group_by)?;
        let levels = groups.levels().to_vec();
        let sizes = groups.sizes();
        let mut rows = vec![Table1Row {
            variable: "n".to_owned(),
            label: "n".to_owned(),
            level: None,
            missing: None,
            overall: frame.rows().to_string(),
            groups: ByGroup(
                levels
                    .iter()
                    .zip(&sizes)
                    .map(|(name, size)| (name.clone(), size.to_string()))
                    .collect(),
            ),
            p: None,
            p_text: None,
            test: None,
            values: RowValues::Count {
                overall: frame.rows(),
                groups: ByGroup(levels.iter().cloned().zip(sizes.iter().copied()).collect()),
            },
        }];
        let mut tests = Vec::with_capacity(variables.len());
        for variable in variables {
            let (mut variable_rows, mut test) = match variable.kind {
                VariableKind::Categorical => categorical_rows(frame, &groups, &variable.name)?,
                kind => continuous_row(frame, &groups, &variable.name, kind)?,
            };
            test.variable.clone_from(&variable.name);
            if let Some(first) = variable_rows.first_mut() {
                first.p = test.p;
                first.p_text = test.p.map(p_text);
                first.test = Some(test.name.clone());
            }
            rows.extend(variable_rows);
            tests.push(test);
        }
        Ok(Table1 {
            group_by: group_by.to_owned(),
            levels,
            rows,
            tests,
        })
    }

    /// The test of variable `name`.
    pub fn test(&self, name: &str) -> Option<&Table1Test> {
        self.tests.iter().find(|test| test.variable == name)
    }
}

/// A test that could not be done, and why.
fn not_tested(note: impl Into<String>) -> Table1Test {
    Table1Test {
        variable: String::new(),
        name: "Not tested".to_owned(),
        statistic: None,
        p: None,
        note: Some(note.into()),
    }
}

/// The row of a continuous variable and its test.
fn continuous_row(
    frame: &Frame,
    groups: &Grouping,
    name: &str,
    kind: VariableKind,
) -> Result<(Vec<Table1Row>, Table1Test), StatsError> {
    let cells = frame.numeric(name)?;
    let levels = groups.levels();
    let mut by_group: Vec<Vec<f64>> = vec![Vec::new(); levels.len()];
    let mut missing_by_group = vec![0usize; levels.len()];
    let mut all = Vec::with_capacity(cells.len());
    for (row, cell) in cells.iter().enumerate() {
        let group = groups.code(row);
        match (cell, group) {
            (Some(value), Some(g)) => {
                all.push(*value);
                by_group[g].push(*value);
            }
            (Some(value), None) => all.push(*value),
            (None, Some(g)) => missing_by_group[g] += 1,
            (None, None) => {}
        }
    }
    let missing = cells.len() - all.len();
    let overall = ContinuousSummary::of(&all, missing);
    let summaries: Vec<ContinuousSummary> = by_group
        .iter()
        .zip(&missing_by_group)
        .map(|(values, &absent)| ContinuousSummary::of(values, absent))
        .collect();
    let (label, format): (String, fn(&ContinuousSummary) -> String) = match kind {
        VariableKind::Normal => (format!("{name}, mean (SD)"), |s| {
            format!("{} ({})", one_decimal(s.mean), one_decimal(s.sd))
        }),
        _ => (format!("{name}, median [Q1,Q3]"), |s| {
            format!(
                "{} [{},{}]",
                one_decimal(s.median),
                one_decimal(s.q1),
                one_decimal(s.q3)
            )
        }),
    };
    let test = continuous_test(&by_group, kind);
    let row = Table1Row {
        variable: name.to_owned(),
        label,
        level: None,
        missing: Some(missing),
        overall: format(&overall),
        groups: ByGroup(
            levels
                .iter()
                .zip(&summaries)
                .map(|(level, s)| (level.clone(), format(s)))
                .collect(),
        ),
        p: None,
        p_text: None,
        test: None,
        values: RowValues::Continuous {
            overall,
            groups: ByGroup(levels.iter().cloned().zip(summaries).collect()),
        },
    };
    Ok((vec![row], test))
}

/// tableone's choice of test for a continuous variable.
fn continuous_test(by_group: &[Vec<f64>], kind: VariableKind) -> Table1Test {
    let smallest = by_group.iter().map(Vec::len).min().unwrap_or(0);
    if by_group.len() < 2 {
        return not_tested("fewer than two groups");
    }
    if smallest == 0 {
        return not_tested("a group has no values");
    }
    let samples: Vec<&[f64]> = by_group.iter().map(Vec::as_slice).collect();
    let (name, result) = match (kind, samples.as_slice()) {
        (VariableKind::Normal, [x, y]) if smallest >= 2 => (
            "Welch’s T-test",
            welch_t_test(x, y).map(|t| (t.statistic, t.p)),
        ),
        (VariableKind::Normal, _) => (
            "One-way ANOVA",
            one_way_anova(&samples).map(|f| (f.statistic, f.p)),
        ),
        _ => (
            "Kruskal-Wallis",
            kruskal_wallis(&samples).map(|h| (h.statistic, h.p)),
        ),
    };
    match result {
        Ok((statistic, p)) => Table1Test {
            variable: String::new(),
            name: name.to_owned(),
            statistic: Some(statistic),
            p: Some(p),
            note: None,
        },
        Err(err) => not_tested(format!("{name}: {err}")),
    }
}

/// The rows of a categorical variable (one per level) and its test.
fn categorical_rows(
    frame: &Frame,
    groups: &Grouping,
    name: &str,
) -> Result<(Vec<Table1Row>, Table1Test), StatsError> {
    let values = Grouping::from_column(frame, name)?;
    let group_levels = groups.levels();
    let value_levels = values.levels();
    // counts[level][group]; the overall column counts rows without a group too.
    let mut counts = vec![vec![0usize; group_levels.len()]; value_levels.len()];
    let mut overall = vec![0usize; value_levels.len()];
    let mut missing = 0;
    for row in 0..frame.rows() {
        match (values.code(row), groups.code(row)) {
            (Some(level), group) => {
                overall[level] += 1;
                if let Some(g) = group {
                    counts[level][g] += 1;
                }
            }
            (None, _) => missing += 1,
        }
    }
    let column_totals: Vec<usize> = (0..group_levels.len())
        .map(|g| counts.iter().map(|level| level[g]).sum())
        .collect();
    let overall_total: usize = overall.iter().sum();
    let percent =
        |count: usize, total: usize| (total > 0).then(|| count as f64 / total as f64 * 100.0);
    let format = |c: &LevelCount| match c.percent {
        Some(p) => format!("{} ({p:.1})", c.count),
        None => c.count.to_string(),
    };
    let rows = value_levels
        .iter()
        .enumerate()
        .map(|(level, level_name)| {
            let overall_count = LevelCount {
                count: overall[level],
                percent: percent(overall[level], overall_total),
            };
            let group_counts: Vec<LevelCount> = counts[level]
                .iter()
                .zip(&column_totals)
                .map(|(&count, &total)| LevelCount {
                    count,
                    percent: percent(count, total),
                })
                .collect();
            Table1Row {
                variable: name.to_owned(),
                label: format!("{name}, n (%)"),
                level: Some(level_name.clone()),
                missing: (level == 0).then_some(missing),
                overall: format(&overall_count),
                groups: ByGroup(
                    group_levels
                        .iter()
                        .zip(&group_counts)
                        .map(|(group, c)| (group.clone(), format(c)))
                        .collect(),
                ),
                p: None,
                p_text: None,
                test: None,
                values: RowValues::Level {
                    overall: overall_count,
                    groups: ByGroup(group_levels.iter().cloned().zip(group_counts).collect()),
                },
            }
        })
        .collect();
    Ok((rows, categorical_test(&counts, &column_totals)))
}

/// tableone's choice of test for a categorical variable, on the table of
/// levels (rows) by groups (columns).
fn categorical_test(counts: &[Vec<usize>], column_totals: &[usize]) -> Table1Test {
    if column_totals.len() < 2 {
        return not_tested("fewer than two groups");
    }
    let smallest = column_totals.iter().copied().min().unwrap_or(0);
    if smallest == 0 {
        return not_tested("a group has no values");
    }
    // Levels seen only in rows without a group have no place in the test.
    let table: Vec<Vec<u64>> = counts
        .iter()
        .filter(|level| level.iter().any(|&c| c > 0))
        .map(|level| level.iter().map(|&c| c as u64).collect())
        .collect();
    let chi_square = match chi_square_contingency(&table, true) {
        Ok(test) => test,
        Err(err) => return not_tested(format!("Chi-squared: {err}")),
    };
    let sparse = chi_square.min_expected.is_some_and(|e| e < 5.0) || smallest < 5;
    if !sparse {
        return Table1Test {
            variable: String::new(),
            name: "Chi-squared".to_owned(),
            statistic: Some(chi_square.statistic),
            p: Some(chi_square.p),
            note: None,
        };
    }
    if let [first, second] = table.as_slice()
        && let ([a, b], [c, d]) = (first.as_slice(), second.as_slice())
    {
        return match fisher_exact([[*a, *b], [*c, *d]]) {
            Ok(test) => Table1Test {
                variable: String::new(),
                name: "Fisher's exact".to_owned(),
                statistic: None,
                p: Some(test.p),
                note: None,
            },
            Err(err) => not_tested(format!("Fisher's exact: {err}")),
        };
    }
    Table1Test {
        variable: String::new(),
        name: "Chi-squared (warning: expected count < 5)".to_owned(),
        statistic: Some(chi_square.statistic),
        p: Some(chi_square.p),
        note: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(text: &str) -> Frame {
        Frame::from_csv(text.as_bytes(), "t.csv").unwrap()
    }

    #[test]
    fn variables_from_tableone_lists() {
        let variables =
            Table1Variable::from_lists(&["age", "grade", "size"], &["grade"], &["size"]).unwrap();
        assert_eq!(
            variables,
            vec![
                Table1Variable::normal("age"),
                Table1Variable::categorical("grade"),
                Table1Variable::nonnormal("size"),
            ]
        );
        assert!(Table1Variable::from_lists(&["age"], &["grade"], &[]).is_err());
        assert!(Table1Variable::from_lists(&["age"], &["age"], &["age"]).is_err());
    }

    #[test]
    fn formats_as_python_does() {
        assert_eq!(one_decimal(Some(92.25)), "92.2");
        assert_eq!(one_decimal(Some(131.75)), "131.8");
        assert_eq!(one_decimal(None), "");
        assert_eq!(p_text(0.0004999), "<0.001");
        // tableone prints 0.00096 as 0.001, not <0.001.
        assert_eq!(p_text(0.00096), "0.001");
        assert_eq!(p_text(0.50654), "0.507");
    }

    #[test]
    fn small_table_by_hand() {
        // Group A: x = 1, 2, 3, missing; level a, a, b, b.
        // Group B: x = 4, 6, 8, 10; level b, b, b, (missing).
        // One row without a group: x = 100, level a.
        let table = Table1::build(
            &frame("g,x,c\nA,1,a\nA,2,a\nA,3,b\nA,,b\nB,4,b\nB,6,b\nB,8,b\nB,10,\n,100,a\n"),
            "g",
            &[
                Table1Variable::normal("x"),
                Table1Variable::categorical("c"),
            ],
        )
        .unwrap();
        assert_eq!(table.levels, vec!["A", "B"]);
        let n = &table.rows[0];
        assert_eq!(
            (n.overall.as_str(), n.groups.get("A").map(String::as_str)),
            ("9", Some("4"))
        );
        let x = &table.rows[1];
        assert_eq!(x.label, "x, mean (SD)");
        assert_eq!(x.missing, Some(1));
        // A: mean 2, SD 1; B: mean 7, SD √(20/3) = 2.58; overall of
        // 1,2,3,4,6,8,10,100: mean 134/8 = 16.75.
        assert_eq!(x.groups.get("A").unwrap(), "2.0 (1.0)");
        assert_eq!(x.groups.get("B").unwrap(), "7.0 (2.6)");
        assert!(x.overall.starts_with("16.8 ("), "{}", x.overall);
        assert_eq!(x.test.as_deref(), Some("Welch’s T-test"));
        // Levels: a (A 2, B 0, overall 3 of 8), b (A 2, B 3, overall 5 of 8).
        let a = &table.rows[2];
        assert_eq!(a.level.as_deref(), Some("a"));
        assert_eq!(a.missing, Some(1));
        assert_eq!(a.overall, "3 (37.5)");
        assert_eq!(a.groups.get("A").unwrap(), "2 (50.0)");
        assert_eq!(a.groups.get("B").unwrap(), "0 (0.0)");
        // A 2×2 table with an expected count below 5: Fisher's exact test.
        // [[2, 0], [2, 3]]: margins rows 2, 5, column A 4 of 7.
        // P(x) ∝ C(2,x)C(5,4−x): x = 0,1,2 → 5, 20, 10 (sum 35); observed
        // x = 2 (10): tables no more probable are x = 0 and 2, p = 15/35.
        let test = table.test("c").unwrap();
        assert_eq!(test.name, "Fisher's exact");
        assert!((test.p.unwrap() - 3.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn serializes_rows_with_groups_in_level_order() {
        let table = Table1::build(
            &frame("g,x\nb,1\nb,2\na,3\na,5\n"),
            "g",
            &[Table1Variable::nonnormal("x")],
        )
        .unwrap();
        let json = serde_json::to_string(&table.rows[1]).unwrap();
        for key in [
            "variable", "level", "overall", "groups", "p", "test", "values",
        ] {
            assert!(
                json.contains(&format!("\"{key}\":")),
                "{key} missing from {json}"
            );
        }
        // Groups keep the level order a, b in the JSON object.
        assert!(
            json.contains(r#""groups":{"a":"4.0 [3.5,4.5]","b":"1.5 [1.2,1.8]"}"#),
            "{json}"
        );
        assert!(json.contains(r#""test":"Kruskal-Wallis""#), "{json}");
    }

    #[test]
    fn undefined_tests_are_reported_not_computed() {
        let table = Table1::build(
            &frame("g,x,c\nA,1,a\nA,1,a\nB,1,a\nB,1,a\n"),
            "g",
            &[
                Table1Variable::normal("x"),
                Table1Variable::categorical("c"),
            ],
        )
        .unwrap();
        for variable in ["x", "c"] {
            let test = table.test(variable).unwrap();
            assert_eq!(test.name, "Not tested");
            assert_eq!(test.p, None);
            assert!(test.note.is_some());
        }
        assert!(matches!(
            Table1::build(&frame("g,x\nA,a\n"), "g", &[Table1Variable::normal("x")]),
            Err(StatsError::NotNumeric { .. })
        ));
        assert!(matches!(
            Table1::build(&frame("g,x\nA,1\n"), "h", &[]),
            Err(StatsError::UnknownColumn { .. })
        ));
    }
}
