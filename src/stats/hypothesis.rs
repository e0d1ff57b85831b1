//! Two-sample, k-sample and contingency-table tests as Table 1 uses them,
//! with scipy's and R's conventions: Welch's and the pooled t-test, one-way
//! ANOVA, Kruskal–Wallis, Mann–Whitney U (normal approximation), Pearson's
//! chi-square (Yates-corrected for 2×2 tables) and Fisher's exact test.
//!
//! Every test refuses input on which its statistic is undefined (a group
//! with too few values, no variation at all) with an error that says so,
//! where scipy would return NaN.

use serde::Serialize;
use statrs::function::factorial::ln_binomial;

use super::StatsError;
use super::descriptive::{mean, sd};
use super::pvalue::{chi_square_upper, f_upper, normal_two_sided, student_t_two_sided};

/// A t-test of two means.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TTest {
    /// t = (mean₁ − mean₂)/SE.
    pub statistic: f64,
    /// Degrees of freedom (Welch–Satterthwaite for Welch's test).
    pub df: f64,
    /// Two-sided p-value.
    pub p: f64,
}

/// One-way analysis of variance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AnovaTest {
    /// F = (between-group mean square)/(within-group mean square).
    pub statistic: f64,
    /// Between-group degrees of freedom, groups − 1.
    pub df_between: f64,
    /// Within-group degrees of freedom, N − groups.
    pub df_within: f64,
    /// Upper-tail p-value.
    pub p: f64,
}

/// A chi-square statistic with its degrees of freedom (Kruskal–Wallis,
/// Pearson's contingency test).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChiSquareTest {
    /// The statistic (H for Kruskal–Wallis, X² for a table).
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: f64,
    /// Upper-tail p-value.
    pub p: f64,
    /// Whether Yates' continuity correction was applied (2×2 tables).
    pub yates: bool,
    /// The smallest expected cell count (contingency tables; none for
    /// Kruskal–Wallis).
    pub min_expected: Option<f64>,
}

/// The Mann–Whitney U test by its normal approximation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MannWhitneyTest {
    /// U of the first sample: its rank sum minus n₁(n₁ + 1)/2 (scipy's
    /// `U1`, R's `W`).
    pub u: f64,
    /// z = (|U − n₁n₂/2| − c)/σ with c = ½ under the continuity
    /// correction, else 0.
    pub z: f64,
    /// Two-sided p-value, at most 1.
    pub p: f64,
}

/// Fisher's exact test of a 2×2 table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FisherTest {
    /// The sample odds ratio ad/(bc) of the table [[a, b], [c, d]] (as
    /// scipy); none when bc = 0.
    pub odds_ratio: Option<f64>,
    /// Two-sided p-value.
    pub p: f64,
}

fn too_few(what: &str, found: usize, needed: usize) -> StatsError {
    StatsError::TooFewObservations {
        what: what.to_owned(),
        found,
        needed,
    }
}

fn check_finite(what: &str, values: &[f64]) -> Result<(), StatsError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(StatsError::NonFinite {
            what: what.to_owned(),
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

/// Mean, variance and size of a sample of at least two finite values.
fn moments(what: &str, values: &[f64]) -> Result<(f64, f64, f64), StatsError> {
    check_finite(what, values)?;
    match (mean(values), sd(values)) {
        (Some(m), Some(s)) => Ok((m, s * s, values.len() as f64)),
        _ => Err(too_few(what, values.len(), 2)),
    }
}

/// Welch's unequal-variance t-test, as scipy `ttest_ind(equal_var=False)`
/// and R `t.test()`: t = (x̄ − ȳ)/√(s²ₓ/nₓ + s²ᵧ/nᵧ) on Welch–Satterthwaite
/// degrees of freedom. Each sample needs two values, and they must vary.
pub fn welch_t_test(x: &[f64], y: &[f64]) -> Result<TTest, StatsError> {
    let (mean_x, var_x, n_x) = moments("first sample", x)?;
    let (mean_y, var_y, n_y) = moments("second sample", y)?;
    let (a, b) = (var_x / n_x, var_y / n_y);
    let se2 = a + b;
    if se2 <= 0.0 {
        return Err(StatsError::invalid_parameter(
            "samples",
            "no variation within either sample",
            "some spread in at least one sample",
        ));
    }
    let statistic = (mean_x - mean_y) / se2.sqrt();
    let df = se2 * se2 / (a * a / (n_x - 1.0) + b * b / (n_y - 1.0));
    let p = student_t_two_sided(statistic, df)?;
    Ok(TTest { statistic, df, p })
}

/// Student's pooled-variance t-test, as scipy `ttest_ind(equal_var=True)`
/// and R `t.test(var.equal = TRUE)`, on nₓ + nᵧ − 2 degrees of freedom.
pub fn pooled_t_test(x: &[f64], y: &[f64]) -> Result<TTest, StatsError> {
    let (mean_x, var_x, n_x) = moments("first sample", x)?;
    let (mean_y, var_y, n_y) = moments("second sample", y)?;
    let df = n_x + n_y - 2.0;
    let pooled = ((n_x - 1.0) * var_x + (n_y - 1.0) * var_y) / df;
    if pooled <= 0.0 {
        return Err(StatsError::invalid_parameter(
            "samples",
            "no variation within the samples",
            "some spread within the samples",
        ));
    }
    let statistic = (mean_x - mean_y) / (pooled * (1.0 / n_x + 1.0 / n_y)).sqrt();
    let p = student_t_two_sided(statistic, df)?;
    Ok(TTest { statistic, df, p })
}

/// One-way ANOVA F test of equal means, as scipy `f_oneway` and R
/// `oneway.test(var.equal = TRUE)`. Needs two groups, each non-empty, more
/// values than groups, and some variation within groups.
pub fn one_way_anova(groups: &[&[f64]]) -> Result<AnovaTest, StatsError> {
    if groups.len() < 2 {
        return Err(too_few("groups", groups.len(), 2));
    }
    let mut total = 0usize;
    let mut means = Vec::with_capacity(groups.len());
    for (index, group) in groups.iter().enumerate() {
        let what = format!("group {}", index + 1);
        check_finite(&what, group)?;
        means.push(mean(group).ok_or_else(|| too_few(&what, 0, 1))?);
        total += group.len();
    }
    let k = groups.len() as f64;
    let n = total as f64;
    if total <= groups.len() {
        return Err(too_few("all groups together", total, groups.len() + 1));
    }
    let all: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let grand = mean(&all).unwrap_or(0.0);
    let between: f64 = groups
        .iter()
        .zip(&means)
        .map(|(g, m)| g.len() as f64 * (m - grand) * (m - grand))
        .sum();
    let within: f64 = groups
        .iter()
        .zip(&means)
        .map(|(g, m)| g.iter().map(|v| (v - m) * (v - m)).sum::<f64>())
        .sum();
    if within <= 0.0 {
        return Err(StatsError::invalid_parameter(
            "groups",
            "no variation within any group",
            "some spread within the groups",
        ));
    }
    let (df_between, df_within) = (k - 1.0, n - k);
    let statistic = (between / df_between) / (within / df_within);
    let p = f_upper(statistic, df_between, df_within)?;
    Ok(AnovaTest {
        statistic,
        df_between,
        df_within,
        p,
    })
}

/// Mid-ranks (1-based, ties given their average rank) of the pooled
/// values, and the tie term Σ(t³ − t) over groups of t tied values.
fn pooled_ranks(values: &[f64]) -> (Vec<f64>, f64) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut ties = 0.0;
    let mut start = 0;
    while start < order.len() {
        let value = values[order[start]];
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&i| values[i] == value)
                .count();
        // Positions start..end (0-based) share the ranks start+1..=end.
        let average = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = average;
        }
        let t = (end - start) as f64;
        ties += t * t * t - t;
        start = end;
    }
    (ranks, ties)
}

/// The Kruskal–Wallis H test with the tie correction and no continuity
/// correction, as scipy `kruskal` and R `kruskal.test`: H =
/// 12/(N(N+1)) Σ nᵢ(R̄ᵢ − (N+1)/2)² divided by 1 − Σ(t³ − t)/(N³ − N), on
/// groups − 1 degrees of freedom. For two groups it is the Mann–Whitney
/// test without continuity correction.
pub fn kruskal_wallis(groups: &[&[f64]]) -> Result<ChiSquareTest, StatsError> {
    if groups.len() < 2 {
        return Err(too_few("groups", groups.len(), 2));
    }
    for (index, group) in groups.iter().enumerate() {
        let what = format!("group {}", index + 1);
        check_finite(&what, group)?;
        if group.is_empty() {
            return Err(too_few(&what, 0, 1));
        }
    }
    let all: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let n = all.len() as f64;
    let (ranks, ties) = pooled_ranks(&all);
    let correction = 1.0 - ties / (n * n * n - n);
    if correction <= 0.0 {
        return Err(StatsError::invalid_parameter(
            "groups",
            "every value the same",
            "values that are not all tied",
        ));
    }
    let centre = (n + 1.0) / 2.0;
    let mut offset = 0;
    let mut spread = 0.0;
    for group in groups {
        let size = group.len();
        let rank_sum: f64 = ranks[offset..offset + size].iter().sum();
        let deviation = rank_sum / size as f64 - centre;
        spread += size as f64 * deviation * deviation;
        offset += size;
    }
    let statistic = 12.0 / (n * (n + 1.0)) * spread / correction;
    let df = (groups.len() - 1) as f64;
    let p = chi_square_upper(statistic, df)?;
    Ok(ChiSquareTest {
        statistic,
        df,
        p,
        yates: false,
        min_expected: None,
    })
}

/// The two-sided Mann–Whitney U test by the tie-corrected normal
/// approximation, as scipy `mannwhitneyu(method="asymptotic")`: σ² =
/// n₁n₂/12 · ((N + 1) − Σ(t³ − t)/(N(N − 1))); with `continuity` the
/// |U − n₁n₂/2| is reduced by ½ (R `wilcox.test`'s default, scipy's
/// `use_continuity=True`).
pub fn mann_whitney_u(
    x: &[f64],
    y: &[f64],
    continuity: bool,
) -> Result<MannWhitneyTest, StatsError> {
    check_finite("first sample", x)?;
    check_finite("second sample", y)?;
    if x.is_empty() {
        return Err(too_few("first sample", 0, 1));
    }
    if y.is_empty() {
        return Err(too_few("second sample", 0, 1));
    }
    let all: Vec<f64> = x.iter().chain(y).copied().collect();
    let (ranks, ties) = pooled_ranks(&all);
    let (n1, n2) = (x.len() as f64, y.len() as f64);
    let n = n1 + n2;
    let u = ranks[..x.len()].iter().sum::<f64>() - n1 * (n1 + 1.0) / 2.0;
    let variance = n1 * n2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
    if variance <= 0.0 {
        return Err(StatsError::invalid_parameter(
            "samples",
            "every value the same",
            "values that are not all tied",
        ));
    }
    let shift = if continuity { 0.5 } else { 0.0 };
    let z = ((u - n1 * n2 / 2.0).abs() - shift) / variance.sqrt();
    // A negative z (|U − μ| < ½ under the correction) gives p > 1: capped.
    let p = if z <= 0.0 { 1.0 } else { normal_two_sided(z)? };
    Ok(MannWhitneyTest { u, z, p })
}

/// Pearson's chi-square test of independence of a table of counts (rows ×
/// columns, each row and column with a positive total), as scipy
/// `chi2_contingency`: expected counts row·column/N, degrees of freedom
/// (rows − 1)·(columns − 1), and when `yates` is set and that is 1 (a 2×2
/// table) Yates' correction, each |O − E| reduced by min(½, |O − E|).
pub fn chi_square_contingency(
    table: &[Vec<u64>],
    yates: bool,
) -> Result<ChiSquareTest, StatsError> {
    let rows = table.len();
    let columns = table.first().map_or(0, Vec::len);
    if rows < 2 || columns < 2 {
        return Err(StatsError::invalid_parameter(
            "table",
            format!("{rows}×{columns}"),
            "at least 2 rows and 2 columns",
        ));
    }
    if let Some(row) = table.iter().position(|r| r.len() != columns) {
        return Err(StatsError::LengthMismatch {
            what: format!("table row {}", row + 1),
            expected: columns,
            found: table[row].len(),
        });
    }
    let row_totals: Vec<f64> = table.iter().map(|r| r.iter().sum::<u64>() as f64).collect();
    let column_totals: Vec<f64> = (0..columns)
        .map(|c| table.iter().map(|r| r[c]).sum::<u64>() as f64)
        .collect();
    let empty = |totals: &[f64], kind: &str| {
        totals.iter().position(|&t| t == 0.0).map(|index| {
            StatsError::invalid_parameter(
                "table",
                format!("{kind} {} has no counts", index + 1),
                "a positive total in every row and column",
            )
        })
    };
    if let Some(err) = empty(&row_totals, "row").or_else(|| empty(&column_totals, "column")) {
        return Err(err);
    }
    let total: f64 = row_totals.iter().sum();
    let df = ((rows - 1) * (columns - 1)) as f64;
    let corrected = yates && df == 1.0;
    let mut statistic = 0.0;
    let mut min_expected = f64::INFINITY;
    for (r, row) in table.iter().enumerate() {
        for (c, &count) in row.iter().enumerate() {
            let expected = row_totals[r] * column_totals[c] / total;
            min_expected = min_expected.min(expected);
            let mut difference = (count as f64 - expected).abs();
            if corrected {
                difference -= difference.min(0.5);
            }
            statistic += difference * difference / expected;
        }
    }
    let p = chi_square_upper(statistic, df)?;
    Ok(ChiSquareTest {
        statistic,
        df,
        p,
        yates: corrected,
        min_expected: Some(min_expected),
    })
}

/// Fisher's exact test of the 2×2 table [[a, b], [c, d]], two-sided as R
/// `fisher.test`: the sum of the hypergeometric probabilities (margins
/// fixed) of all tables no more probable than the one observed, "no more"
/// with a relative tolerance of 10⁻⁷ (scipy 1.17 uses 10⁻¹⁴; the two agree
/// unless two tables' probabilities differ by less than that).
pub fn fisher_exact(table: [[u64; 2]; 2]) -> Result<FisherTest, StatsError> {
    let [[a, b], [c, d]] = table;
    let (row1, row2, column1) = (a + b, c + d, a + c);
    let total = row1 + row2;
    if total == 0 {
        return Err(too_few("the table", 0, 1));
    }
    let low = column1.saturating_sub(row2);
    let high = row1.min(column1);
    // log P(X = x) up to the constant −ln C(N, column1), which cancels.
    let log_weight = |x: u64| ln_binomial(row1, x) + ln_binomial(row2, column1 - x);
    let logs: Vec<f64> = (low..=high).map(log_weight).collect();
    let largest = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = logs.iter().map(|l| (l - largest).exp()).collect();
    let observed = weights.get((a - low) as usize).copied().unwrap_or(0.0);
    let threshold = observed * (1.0 + 1e-7);
    let tail: f64 = weights.iter().filter(|&&w| w <= threshold).sum();
    let all: f64 = weights.iter().sum();
    let p = (tail / all).min(1.0);
    let (ad, bc) = (a as f64 * d as f64, b as f64 * c as f64);
    let odds_ratio = (bc > 0.0).then(|| ad / bc);
    Ok(FisherTest { odds_ratio, p })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relative(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs().max(f64::MIN_POSITIVE)
    }

    #[test]
    fn t_tests_by_hand() {
        // x = 1, 2, 3 (mean 2, var 1); y = 4, 6, 8 (mean 6, var 4).
        // Welch: SE² = 1/3 + 4/3 = 5/3, t = −4/√(5/3) = −3.0984;
        // df = (5/3)² / ((1/3)²/2 + (4/3)²/2) = (25/9)/(17/18) = 50/17.
        // Pooled: s² = (2·1 + 2·4)/4 = 5/2, t = −4/√(5/2 · 2/3) = −4/√(5/3), df 4.
        let welch = welch_t_test(&[1.0, 2.0, 3.0], &[4.0, 6.0, 8.0]).unwrap();
        assert!(relative(welch.statistic, -4.0 / (5.0_f64 / 3.0).sqrt()) < 1e-14);
        assert!(relative(welch.df, 50.0 / 17.0) < 1e-14);
        // R: t.test(c(1,2,3), c(4,6,8))$p.value
        assert!(
            relative(welch.p, 0.054_786_766_041_076_386) < 1e-10,
            "{}",
            welch.p
        );
        let pooled = pooled_t_test(&[1.0, 2.0, 3.0], &[4.0, 6.0, 8.0]).unwrap();
        assert_eq!(pooled.df, 4.0);
        assert!(relative(pooled.statistic, welch.statistic) < 1e-14);
        // R: t.test(c(1,2,3), c(4,6,8), var.equal = TRUE)$p.value
        assert!(
            relative(pooled.p, 0.03627782452189911) < 1e-10,
            "{}",
            pooled.p
        );
        assert!(welch_t_test(&[1.0], &[2.0, 3.0]).is_err());
        assert!(welch_t_test(&[1.0, 1.0], &[2.0, 2.0]).is_err());
    }

    #[test]
    fn anova_by_hand() {
        // Groups 1,2,3 | 4,6,8 | 5,5: grand mean 34/8 = 4.25.
        // Between: 3(2 − 4.25)² + 3(6 − 4.25)² + 2(5 − 4.25)² = 15.1875 + 9.1875
        // + 1.125 = 25.5; within: 2 + 8 + 0 = 10. F = (25.5/2)/(10/5) = 6.375.
        let test = one_way_anova(&[&[1.0, 2.0, 3.0], &[4.0, 6.0, 8.0], &[5.0, 5.0]]).unwrap();
        assert!(relative(test.statistic, 6.375) < 1e-14);
        assert_eq!((test.df_between, test.df_within), (2.0, 5.0));
        // R: pf(6.375, 2, 5, lower.tail = FALSE)
        assert!(
            relative(test.p, 0.042_114_254_507_778_254) < 1e-10,
            "{}",
            test.p
        );
        assert!(one_way_anova(&[&[1.0, 2.0]]).is_err());
        assert!(one_way_anova(&[&[1.0, 1.0], &[2.0, 2.0]]).is_err());
    }

    #[test]
    fn rank_tests_by_hand() {
        // x = 1, 2, 2; y = 2, 3. Pooled ranks: 1, 3, 3, 3, 5 (three 2s share
        // 2, 3, 4). R₁ = 7, U₁ = 7 − 6 = 1, μ = 3, ties Σ(t³ − t) = 24.
        // σ² = 6/12 · (6 − 24/20) = 0.5 · 4.8 = 2.4. z = 2/√2.4.
        let test = mann_whitney_u(&[1.0, 2.0, 2.0], &[2.0, 3.0], false).unwrap();
        assert_eq!(test.u, 1.0);
        assert!(relative(test.z, 2.0 / 2.4_f64.sqrt()) < 1e-14);
        let corrected = mann_whitney_u(&[1.0, 2.0, 2.0], &[2.0, 3.0], true).unwrap();
        assert!(relative(corrected.z, 1.5 / 2.4_f64.sqrt()) < 1e-14);
        // Kruskal–Wallis on the same: R̄ = 7/3 and 4, centre 3.
        // Σ n(R̄ − 3)² = 3·(4/9) + 2·1 = 10/3; H = 12/30 · 10/3 = 4/3,
        // corrected by 1 − 24/120 = 0.8: H = 5/3 = z² (no continuity).
        let kw = kruskal_wallis(&[&[1.0, 2.0, 2.0], &[2.0, 3.0]]).unwrap();
        assert!(relative(kw.statistic, 5.0 / 3.0) < 1e-14);
        assert!(relative(kw.statistic, test.z * test.z) < 1e-14);
        assert!(relative(kw.p, test.p) < 1e-12);
        assert!(kruskal_wallis(&[&[1.0, 1.0], &[1.0]]).is_err());
        assert!(mann_whitney_u(&[], &[1.0], false).is_err());
    }

    #[test]
    fn contingency_tests_by_hand() {
        // [[10, 20], [30, 40]]: N = 100, rows 30/70, columns 40/60;
        // E = 12, 18, 28, 42; |O − E| = 2 everywhere.
        // Plain: 4(1/12 + 1/18 + 1/28 + 1/42) = 0.79365...; Yates uses 1.5² = 2.25.
        let table = vec![vec![10, 20], vec![30, 40]];
        let inverse_sum = 1.0 / 12.0 + 1.0 / 18.0 + 1.0 / 28.0 + 1.0 / 42.0;
        let plain = chi_square_contingency(&table, false).unwrap();
        assert!(relative(plain.statistic, 4.0 * inverse_sum) < 1e-14);
        let yates = chi_square_contingency(&table, true).unwrap();
        assert!(relative(yates.statistic, 2.25 * inverse_sum) < 1e-14);
        assert!(yates.yates && !plain.yates);
        assert_eq!(yates.min_expected, Some(12.0));
        // 2×3: no correction even when asked.
        let wide = chi_square_contingency(&[vec![1, 2, 3], vec![3, 2, 1]], true).unwrap();
        assert!(!wide.yates && wide.df == 2.0);
        assert!(chi_square_contingency(&[vec![1, 0], vec![2, 0]], false).is_err());
        assert!(chi_square_contingency(&[vec![1, 2]], false).is_err());
    }

    #[test]
    fn fisher_exact_by_hand() {
        // [[3, 1], [1, 3]]: margins 4, 4, 4 of 8. P(x) = C(4,x)C(4,4−x)/70:
        // x = 0..4 → 1, 16, 36, 16, 1 (/70). Observed x = 3 (16/70):
        // tables no more probable: 0, 1, 3, 4 → 34/70.
        let test = fisher_exact([[3, 1], [1, 3]]).unwrap();
        assert!(relative(test.p, 34.0 / 70.0) < 1e-13);
        assert_eq!(test.odds_ratio, Some(9.0));
        // The most probable table: p = 1.
        assert!(relative(fisher_exact([[2, 2], [2, 2]]).unwrap().p, 1.0) < 1e-13);
        assert_eq!(fisher_exact([[2, 0], [0, 2]]).unwrap().odds_ratio, None);
        assert!(fisher_exact([[0, 0], [0, 0]]).is_err());
    }
}
