//! Feature filters applied before a model is fitted, on training rows
//! only: near-zero variance, pairwise correlation and reproducibility
//! (ICC across repeat segmentations).

use serde::Serialize;

/// Which filters to apply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilterOptions {
    /// Drop near-zero-variance features (see [`near_zero_variance`]).
    pub near_zero_variance: bool,
    /// Drop one of each pair with |Pearson r| above this (default 0.9;
    /// `None` keeps correlated features).
    pub correlation_threshold: Option<f64>,
}

impl Default for FilterOptions {
    fn default() -> Self {
        FilterOptions {
            near_zero_variance: true,
            correlation_threshold: Some(0.9),
        }
    }
}

impl FilterOptions {
    /// The correlation threshold for a largest allowed |r| as users give
    /// it (`--max-correlation`, the TUI's training form): 1 or more keeps
    /// every correlated feature.
    pub fn correlation_threshold_for(max_correlation: f64) -> Option<f64> {
        (max_correlation < 1.0).then_some(max_correlation)
    }
}

/// caret's `nearZeroVar` defaults: the most common value at least 19
/// times (95/5) as frequent as the second, and distinct values at most
/// 10% of the rows.
const FREQUENCY_RATIO_CUT: f64 = 95.0 / 5.0;
const PERCENT_UNIQUE_CUT: f64 = 10.0;

/// Whether a column has (near) zero variance, as caret's `nearZeroVar`
/// with its defaults: constant, or with a frequency ratio of the two most
/// common values above 95/5 and at most 10% distinct values.
pub fn near_zero_variance(column: &[f64]) -> bool {
    let mut sorted: Vec<f64> = column.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut counts: Vec<usize> = Vec::new();
    for (k, value) in sorted.iter().enumerate() {
        if k > 0 && sorted[k - 1] == *value {
            *counts.last_mut().expect("a count per distinct value") += 1;
        } else {
            counts.push(1);
        }
    }
    if counts.len() <= 1 {
        return true;
    }
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let frequency_ratio = counts[0] as f64 / counts[1] as f64;
    let percent_unique = 100.0 * counts.len() as f64 / column.len() as f64;
    frequency_ratio > FREQUENCY_RATIO_CUT && percent_unique <= PERCENT_UNIQUE_CUT
}

/// Pearson correlation of two columns of equal length; 0 when either is
/// constant.
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - ma, y - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    if saa == 0.0 || sbb == 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// Which columns survive the correlation filter. Pairs with |r| above
/// `threshold` are visited from the most correlated down; while both
/// members are still kept, the one with the larger mean absolute
/// correlation with all columns is dropped (on a tie, the later one) —
/// caret's `findCorrelation` rule, applied greedily so that a pair whose
/// partner is already gone costs nothing.
pub fn correlation_filter(columns: &[Vec<f64>], threshold: f64) -> Vec<bool> {
    let p = columns.len();
    let centred: Vec<Vec<f64>> = columns
        .iter()
        .map(|c| {
            let mean = c.iter().sum::<f64>() / c.len() as f64;
            let d: Vec<f64> = c.iter().map(|v| v - mean).collect();
            let norm = d.iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm > 0.0 {
                d.iter().map(|v| v / norm).collect()
            } else {
                vec![0.0; d.len()]
            }
        })
        .collect();
    let mut mean_abs = vec![0.0; p];
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for i in 0..p {
        for j in i + 1..p {
            let r: f64 = centred[i].iter().zip(&centred[j]).map(|(a, b)| a * b).sum();
            let r = r.abs();
            mean_abs[i] += r;
            mean_abs[j] += r;
            if r > threshold {
                pairs.push((r, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut keep = vec![true; p];
    for (_, i, j) in pairs {
        if keep[i] && keep[j] {
            if mean_abs[i] > mean_abs[j] {
                keep[i] = false;
            } else {
                keep[j] = false;
            }
        }
    }
    keep
}

/// The intraclass correlation ICC(2,1) of paired measurements (two
/// segmentations of the same subjects): two-way random effects, absolute
/// agreement, single measurement — Shrout & Fleiss (1979) ICC(2,1),
/// McGraw & Wong (1996) ICC(A,1), as R `psych::ICC`'s "ICC2" and
/// `irr::icc(model = "twoway", type = "agreement")`. `ratings[i]` holds
/// subject i's k ratings. `None` with fewer than two subjects or raters,
/// or no variance at all.
pub fn icc_agreement(ratings: &[Vec<f64>]) -> Option<f64> {
    let n = ratings.len();
    let k = ratings.first()?.len();
    if n < 2 || k < 2 || ratings.iter().any(|r| r.len() != k) {
        return None;
    }
    let (nf, kf) = (n as f64, k as f64);
    let grand = ratings.iter().flatten().sum::<f64>() / (nf * kf);
    let row_means: Vec<f64> = ratings.iter().map(|r| r.iter().sum::<f64>() / kf).collect();
    let col_means: Vec<f64> = (0..k)
        .map(|j| ratings.iter().map(|r| r[j]).sum::<f64>() / nf)
        .collect();
    let ss_rows: f64 = kf * row_means.iter().map(|m| (m - grand).powi(2)).sum::<f64>();
    let ss_cols: f64 = nf * col_means.iter().map(|m| (m - grand).powi(2)).sum::<f64>();
    let ss_total: f64 = ratings.iter().flatten().map(|v| (v - grand).powi(2)).sum();
    let ss_error = ss_total - ss_rows - ss_cols;
    let ms_rows = ss_rows / (nf - 1.0);
    let ms_cols = ss_cols / (kf - 1.0);
    let ms_error = ss_error / ((nf - 1.0) * (kf - 1.0));
    let denominator = ms_rows + (kf - 1.0) * ms_error + kf * (ms_cols - ms_error) / nf;
    (denominator > 0.0).then(|| (ms_rows - ms_error) / denominator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrout_fleiss_table_gives_their_icc_2_1() {
        // Shrout & Fleiss (1979), Table 2: six targets rated by four
        // judges; their ICC(2,1) is 0.29 (R psych::ICC prints 0.2898).
        let ratings = vec![
            vec![9.0, 2.0, 5.0, 8.0],
            vec![6.0, 1.0, 3.0, 2.0],
            vec![8.0, 4.0, 6.0, 8.0],
            vec![7.0, 1.0, 2.0, 6.0],
            vec![10.0, 5.0, 6.0, 9.0],
            vec![6.0, 2.0, 4.0, 7.0],
        ];
        let icc = icc_agreement(&ratings).unwrap();
        assert!((icc - 0.28976).abs() < 5e-5, "{icc}");
    }

    #[test]
    fn identical_repeats_agree_perfectly_and_degenerate_input_has_no_icc() {
        let ratings: Vec<Vec<f64>> = (0..5).map(|i| vec![i as f64, i as f64]).collect();
        assert!((icc_agreement(&ratings).unwrap() - 1.0).abs() < 1e-15);
        assert_eq!(icc_agreement(&[vec![1.0, 2.0]]), None);
        assert_eq!(icc_agreement(&[vec![1.0, 1.0], vec![1.0, 1.0]]), None);
    }

    #[test]
    fn near_zero_variance_follows_carets_rule() {
        assert!(near_zero_variance(&[3.0; 10]));
        // 96 zeros and four ones: ratio 24 > 19, 2% distinct.
        let mut column = vec![0.0; 96];
        column.extend([1.0; 4]);
        assert!(near_zero_variance(&column));
        // 90 zeros and ten ones: ratio 9.
        let mut column = vec![0.0; 90];
        column.extend([1.0; 10]);
        assert!(!near_zero_variance(&column));
        let spread: Vec<f64> = (0..50).map(f64::from).collect();
        assert!(!near_zero_variance(&spread));
    }

    #[test]
    fn correlation_filter_drops_one_of_each_correlated_pair() {
        let a: Vec<f64> = (0..20).map(f64::from).collect();
        let b: Vec<f64> = a.iter().map(|v| 2.0 * v + 1.0).collect(); // r = 1 with a
        let c: Vec<f64> = (0..20).map(|i| f64::from((i * 7) % 5)).collect();
        let keep = correlation_filter(&[a, b, c], 0.9);
        assert_eq!(keep.iter().filter(|k| **k).count(), 2);
        assert!(keep[2]);
        assert!((pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-15);
        assert_eq!(pearson(&[1.0, 1.0], &[1.0, 2.0]), 0.0);
    }
}
