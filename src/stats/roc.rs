//! Discrimination of a score for a 0/1 outcome: the area under the ROC
//! curve with DeLong's standard error, the paired DeLong test of two scores
//! on the same subjects, the ROC curve, the Youden-optimal cutoff and the
//! confusion table at a cutoff.
//!
//! Conventions, throughout:
//! - a **higher score means positive** (label 1): the direction is fixed,
//!   never guessed from the data (pROC's `direction = "<"`, which pROC
//!   would otherwise pick by comparing medians);
//! - a subject is called positive when `score >= cutoff`;
//! - a positive and a negative with equal scores count ½ in the AUC, which
//!   is the Mann–Whitney U / (n_pos · n_neg);
//! - DeLong's variance (DeLong, DeLong & Clarke-Pearson 1988) is computed
//!   from mid-ranks in O(n log n) as Sun & Xu (2014) show, with the
//!   placement variances divided by n − 1, as pROC's `var(roc)`,
//!   `ci.auc(method = "delong")` and `roc.test(method = "delong")`.

use super::StatsError;
use super::binary::{binary_outcome, finite, same_length};
use super::proportion::{IntervalMethod, Proportion, proportion};
use super::wald::{two_sided_p, two_sided_z};

/// The AUC of one score with DeLong's standard error and confidence
/// interval. Serialises as `{"auc","se","ci_lower","ci_upper","n_pos","n_neg"}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Auc {
    /// Area under the ROC curve: P(score of a positive > score of a
    /// negative) + ½ P(equal).
    pub auc: f64,
    /// DeLong standard error. It is 0 when the score separates the classes
    /// perfectly (AUC 1 or 0): DeLong's estimator has no spread to measure
    /// there, and pROC reports the same 0.
    pub se: f64,
    /// Lower limit: AUC − z·SE, clipped at 0, as pROC's
    /// `ci.auc(method = "delong")`.
    pub ci_lower: f64,
    /// Upper limit: AUC + z·SE, clipped at 1.
    pub ci_upper: f64,
    /// Number of positives (label 1).
    pub n_pos: usize,
    /// Number of negatives (label 0).
    pub n_neg: usize,
}

/// The test of an AUC against chance, H0: AUC = ½.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChanceTest {
    /// (AUC − ½) / SE.
    pub z: f64,
    /// Two-sided normal p-value.
    pub p: f64,
}

/// The paired DeLong test of two AUCs measured on the same subjects, as
/// pROC's `roc.test(roc1, roc2, method = "delong", paired = TRUE)`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DelongTest {
    /// AUC of the first score.
    pub auc1: f64,
    /// AUC of the second score.
    pub auc2: f64,
    /// `auc1 − auc2`.
    pub difference: f64,
    /// Standard error of the difference, sqrt(Var1 + Var2 − 2·Cov).
    pub se: f64,
    /// Lower limit of the difference's Wald interval, `difference − z·se`
    /// (not clipped, as pROC).
    pub ci_lower: f64,
    /// Upper limit, `difference + z·se`.
    pub ci_upper: f64,
    /// `difference / se`.
    pub z: f64,
    /// Two-sided normal p-value.
    pub p: f64,
    /// DeLong covariance matrix of (auc1, auc2).
    pub covariance: [[f64; 2]; 2],
}

/// What the CLI prints for `radcohort stats roc`: the AUC of a score and,
/// when a second score is given, the paired DeLong test of the two.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RocAnalysis {
    /// The first score's AUC, flattened into the top level.
    #[serde(flatten)]
    pub auc: Auc,
    /// The paired test against the second score, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delong_test: Option<DelongTest>,
}

/// One point of the empirical ROC curve.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RocPoint {
    /// Subjects with `score >= cutoff` are called positive. An observed
    /// score, or +∞ for the point that calls nobody positive (JSON `null`).
    pub cutoff: f64,
    /// The same split in pROC's convention: the midpoint between `cutoff`
    /// and the next lower distinct score (−∞ at the lowest score, +∞ at the
    /// last point; JSON `null` for both), as `coords(roc, "all")` lists.
    pub proc_threshold: f64,
    /// True positives / positives.
    pub sensitivity: f64,
    /// True negatives / negatives.
    pub specificity: f64,
    /// Positives with `score >= cutoff`.
    pub tp: usize,
    /// Negatives with `score >= cutoff`.
    pub fp: usize,
}

/// The cutoff maximising Youden's J = sensitivity + specificity − 1.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct YoudenCutoff {
    /// Call positive when `score >= cutoff`; an observed score. When
    /// several cutoffs reach the same J, the highest (the most specific),
    /// and all of them are in `tied_cutoffs`.
    pub cutoff: f64,
    /// The same split as pROC reports it (`coords(roc, "best",
    /// best.method = "youden")`): the midpoint between `cutoff` and the next
    /// lower distinct score.
    pub proc_threshold: f64,
    /// Sensitivity at the cutoff.
    pub sensitivity: f64,
    /// Specificity at the cutoff.
    pub specificity: f64,
    /// sensitivity + specificity − 1.
    pub youden_j: f64,
    /// Every cutoff reaching the maximal J, ascending (one entry when the
    /// optimum is unique).
    pub tied_cutoffs: Vec<f64>,
}

/// The confusion table at a cutoff with each rate's confidence interval.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Classification {
    /// Subjects with `score >= cutoff` are called positive.
    pub cutoff: f64,
    /// Positives called positive.
    pub tp: usize,
    /// Negatives called positive.
    pub fp: usize,
    /// Negatives called negative.
    pub tn: usize,
    /// Positives called negative.
    #[serde(rename = "fn")]
    pub fn_: usize,
    /// TP / (TP + FN).
    pub sensitivity: Proportion,
    /// TN / (TN + FP).
    pub specificity: Proportion,
    /// Positive predictive value TP / (TP + FP); `None` (JSON `null`) when
    /// nobody is called positive.
    pub ppv: Option<Proportion>,
    /// Negative predictive value TN / (TN + FN); `None` when nobody is
    /// called negative.
    pub npv: Option<Proportion>,
    /// (TP + TN) / n.
    pub accuracy: Proportion,
    /// The interval method of the five proportions.
    pub interval: IntervalMethod,
    /// Their confidence level.
    pub level: f64,
}

/// A score's values split by label, in input order within each class.
struct Classes {
    positives: Vec<f64>,
    negatives: Vec<f64>,
}

/// Checks a score against the labels and splits it by class. Requires at
/// least one subject of each class.
fn classes(scores: &[f64], labels: &[f64], what: &str) -> Result<Classes, StatsError> {
    same_length("labels", labels.len(), scores.len())?;
    finite(scores, what)?;
    let labels = binary_outcome(labels, "labels")?;
    let mut positives = Vec::new();
    let mut negatives = Vec::new();
    for (&score, positive) in scores.iter().zip(labels) {
        if positive {
            positives.push(score);
        } else {
            negatives.push(score);
        }
    }
    if positives.is_empty() {
        return Err(StatsError::NoEvents {
            what: "labels (no label 1)".to_owned(),
        });
    }
    if negatives.is_empty() {
        return Err(StatsError::TooFewObservations {
            what: "negatives (label 0)".to_owned(),
            found: 0,
            needed: 1,
        });
    }
    Ok(Classes {
        positives,
        negatives,
    })
}

/// DeLong's variance needs two subjects of each class (it divides by n − 1).
fn at_least_two_of_each(classes: &Classes) -> Result<(), StatsError> {
    for (what, found) in [
        ("positives (label 1)", classes.positives.len()),
        ("negatives (label 0)", classes.negatives.len()),
    ] {
        if found < 2 {
            return Err(StatsError::TooFewObservations {
                what: format!("{what} for DeLong's variance"),
                found,
                needed: 2,
            });
        }
    }
    Ok(())
}

/// 1-based mid-ranks: tied values share the mean of the ranks they span.
fn mid_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let value = values[order[start]];
        // `==` rather than the sort's total order, so −0 and +0 tie.
        let run = order[start..]
            .iter()
            .take_while(|&&i| values[i] == value)
            .count();
        let end = start + run;
        // Sorted positions start..end hold the ranks start+1 ..= end.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        start = end;
    }
    ranks
}

/// DeLong's placement values of one score (Sun & Xu 2014): for each
/// positive, the fraction of negatives it beats (ties ½); for each
/// negative, the fraction of positives that beat it.
struct Placements {
    auc: f64,
    positives: Vec<f64>,
    negatives: Vec<f64>,
}

impl Placements {
    fn new(classes: &Classes) -> Placements {
        let m = classes.positives.len();
        let n = classes.negatives.len();
        let combined: Vec<f64> = classes
            .positives
            .iter()
            .chain(&classes.negatives)
            .copied()
            .collect();
        let in_all = mid_ranks(&combined);
        let (in_all_positives, in_all_negatives) = in_all.split_at(m);
        let within_positives = mid_ranks(&classes.positives);
        let within_negatives = mid_ranks(&classes.negatives);
        // A positive's rank among all minus its rank among positives counts
        // the negatives below it, ties ½.
        let positives = in_all_positives
            .iter()
            .zip(&within_positives)
            .map(|(all, own)| (all - own) / n as f64)
            .collect();
        let negatives = in_all_negatives
            .iter()
            .zip(&within_negatives)
            .map(|(all, own)| 1.0 - (all - own) / m as f64)
            .collect();
        // Mann–Whitney U from the rank sum: mid-ranks are multiples of ½,
        // so U is exact and the AUC is one correctly rounded division.
        let rank_sum: f64 = in_all_positives.iter().sum();
        let u = rank_sum - (m as f64) * (m as f64 + 1.0) / 2.0;
        Placements {
            auc: u / (m as f64 * n as f64),
            positives,
            negatives,
        }
    }

    /// DeLong's covariance of this AUC with another's on the same subjects:
    /// S10/m + S01/n with the placement covariances divided by (m − 1) and
    /// (n − 1). With `other = self`, the variance.
    fn covariance(&self, other: &Placements) -> f64 {
        let part = |a: &[f64], b: &[f64], mean_a: f64, mean_b: f64| {
            let sum: f64 = a
                .iter()
                .zip(b)
                .map(|(x, y)| (x - mean_a) * (y - mean_b))
                .sum();
            sum / (a.len() as f64 - 1.0) / a.len() as f64
        };
        part(&self.positives, &other.positives, self.auc, other.auc)
            + part(&self.negatives, &other.negatives, self.auc, other.auc)
    }

    /// The variance of `self.auc − other.auc`, summed from the differences
    /// of placements rather than as Var1 + Var2 − 2·Cov, so that two scores
    /// that order the subjects alike give exactly 0.
    fn difference_variance(&self, other: &Placements) -> f64 {
        let part = |a: &[f64], b: &[f64]| {
            let mean = self.auc - other.auc;
            let sum: f64 = a.iter().zip(b).map(|(x, y)| (x - y - mean).powi(2)).sum();
            sum / (a.len() as f64 - 1.0) / a.len() as f64
        };
        part(&self.positives, &other.positives) + part(&self.negatives, &other.negatives)
    }
}

/// Refuses a score that is the same for every subject: its AUC is ½ by
/// construction and its DeLong variance 0, an interval of no width.
fn not_constant(classes: &Classes, what: &str) -> Result<(), StatsError> {
    let mut all = classes.positives.iter().chain(&classes.negatives);
    if let Some(first) = all.next()
        && all.all(|v| v == first)
    {
        return Err(StatsError::Degenerate {
            what: what.to_owned(),
            detail: format!(
                "every subject has the score {first}, so it cannot discriminate \
                 (AUC ½ with DeLong variance 0)"
            ),
        });
    }
    Ok(())
}

/// The AUC of `scores` for 0/1 `labels` with DeLong's standard error and a
/// two-sided interval at `level`: AUC ± z·SE clipped to [0, 1], as pROC's
/// `ci.auc(roc, method = "delong")`.
///
/// Errors: lengths differ, a score is not finite, a label is not 0 or 1,
/// fewer than two subjects of either class, or every score is the same
/// ([`StatsError::Degenerate`]).
pub fn auc_delong(scores: &[f64], labels: &[f64], level: f64) -> Result<Auc, StatsError> {
    let z = two_sided_z(level)?;
    let classes = classes(scores, labels, "score")?;
    at_least_two_of_each(&classes)?;
    not_constant(&classes, "score")?;
    let placements = Placements::new(&classes);
    let se = placements.covariance(&placements).max(0.0).sqrt();
    Ok(Auc {
        auc: placements.auc,
        se,
        ci_lower: (placements.auc - z * se).max(0.0),
        ci_upper: (placements.auc + z * se).min(1.0),
        n_pos: classes.positives.len(),
        n_neg: classes.negatives.len(),
    })
}

impl Auc {
    /// The interval on the logit scale, logit(AUC) ± z·SE / (AUC(1 − AUC))
    /// transformed back (the delta method), which stays inside (0, 1).
    /// Undefined at AUC 0 or 1 ([`StatsError::Degenerate`]).
    pub fn logit_interval(&self, level: f64) -> Result<(f64, f64), StatsError> {
        let z = two_sided_z(level)?;
        if !(self.auc > 0.0 && self.auc < 1.0) {
            return Err(StatsError::Degenerate {
                what: "AUC".to_owned(),
                detail: format!("{} has no logit", self.auc),
            });
        }
        let logit = (self.auc / (1.0 - self.auc)).ln();
        let se_logit = self.se / (self.auc * (1.0 - self.auc));
        let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
        Ok((expit(logit - z * se_logit), expit(logit + z * se_logit)))
    }

    /// The Wald test of H0: AUC = ½. Undefined when the SE is 0
    /// ([`StatsError::Degenerate`]).
    pub fn test_against_chance(&self) -> Result<ChanceTest, StatsError> {
        if self.se <= 0.0 {
            return Err(StatsError::Degenerate {
                what: "AUC".to_owned(),
                detail: "its DeLong standard error is 0 (the score separates the classes)"
                    .to_owned(),
            });
        }
        let z = (self.auc - 0.5) / self.se;
        Ok(ChanceTest {
            z,
            p: two_sided_p(z),
        })
    }
}

/// The paired DeLong test of H0: AUC1 = AUC2 for two scores of the same
/// subjects, with the difference's Wald interval at `level`, as pROC's
/// `roc.test(method = "delong", paired = TRUE)`.
///
/// When the difference has DeLong variance 0 — the two scores order every
/// positive–negative pair alike (e.g. a score against itself or a monotone
/// transform of it), or both separate the classes perfectly — the test is
/// undefined and [`StatsError::Degenerate`] says so. (pROC reports z = 0,
/// p = 1 when the difference is also 0.)
pub fn delong_paired_test(
    scores1: &[f64],
    scores2: &[f64],
    labels: &[f64],
    level: f64,
) -> Result<DelongTest, StatsError> {
    let z_level = two_sided_z(level)?;
    same_length("second score", scores2.len(), scores1.len())?;
    let first = classes(scores1, labels, "first score")?;
    let second = classes(scores2, labels, "second score")?;
    at_least_two_of_each(&first)?;
    let p1 = Placements::new(&first);
    let p2 = Placements::new(&second);
    let var1 = p1.covariance(&p1);
    let var2 = p2.covariance(&p2);
    let cov = p1.covariance(&p2);
    let variance = p1.difference_variance(&p2);
    let difference = p1.auc - p2.auc;
    // Var(a − b) ≤ 2(Var a + Var b), so a ratio below 1e-14 is rounding.
    if variance.is_nan() || variance <= 1e-14 * (var1 + var2) {
        return Err(StatsError::Degenerate {
            what: "paired DeLong test".to_owned(),
            detail: format!(
                "the AUC difference {difference} has DeLong variance 0: the two scores \
                 order every positive-negative pair alike (AUCs {} and {})",
                p1.auc, p2.auc
            ),
        });
    }
    let se = variance.sqrt();
    let z = difference / se;
    Ok(DelongTest {
        auc1: p1.auc,
        auc2: p2.auc,
        difference,
        se,
        ci_lower: difference - z_level * se,
        ci_upper: difference + z_level * se,
        z,
        p: two_sided_p(z),
        covariance: [[var1, cov], [cov, var2]],
    })
}

/// The AUC of `scores` and, when `comparison` is given, the paired DeLong
/// test of `scores` against it: [`auc_delong`] and [`delong_paired_test`]
/// together, at one `level`.
pub fn roc_analysis(
    scores: &[f64],
    comparison: Option<&[f64]>,
    labels: &[f64],
    level: f64,
) -> Result<RocAnalysis, StatsError> {
    let auc = auc_delong(scores, labels, level)?;
    let delong_test = comparison
        .map(|other| delong_paired_test(scores, other, labels, level))
        .transpose()?;
    Ok(RocAnalysis { auc, delong_test })
}

/// The midpoint between two consecutive distinct scores as pROC computes
/// its thresholds: (a + b)/2, or a/2 + b/2 where the sum would overflow;
/// if rounding lands on `lower` itself, `upper`, so that `score >=
/// threshold` still splits between them.
fn proc_midpoint(lower: f64, upper: f64) -> f64 {
    let mid = if lower.abs() > 1e100 || upper.abs() > 1e100 {
        lower / 2.0 + upper / 2.0
    } else {
        (lower + upper) / 2.0
    };
    if mid == lower { upper } else { mid }
}

/// The empirical ROC curve: one point per distinct score, used as the
/// cutoff, in ascending order (sensitivity falling from 1, specificity
/// rising from 0), then a last point at cutoff +∞ (sensitivity 0,
/// specificity 1). These are the points of pROC's `coords(roc, "all")`
/// in the same order; scikit-learn's `roc_curve` lists a subset of them.
pub fn roc_curve(scores: &[f64], labels: &[f64]) -> Result<Vec<RocPoint>, StatsError> {
    let classes = classes(scores, labels, "score")?;
    let n_pos = classes.positives.len();
    let n_neg = classes.negatives.len();
    let mut sorted: Vec<(f64, bool)> = classes
        .positives
        .iter()
        .map(|&s| (s, true))
        .chain(classes.negatives.iter().map(|&s| (s, false)))
        .collect();
    sorted.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut points = Vec::new();
    // Counts of subjects at or above the current cutoff.
    let (mut tp, mut fp) = (n_pos, n_neg);
    let mut previous: Option<f64> = None;
    let mut start = 0;
    while let Some(&(cutoff, _)) = sorted.get(start) {
        let run = sorted[start..]
            .iter()
            .take_while(|(score, _)| *score == cutoff)
            .count();
        points.push(RocPoint {
            cutoff,
            proc_threshold: previous
                .map_or(f64::NEG_INFINITY, |lower| proc_midpoint(lower, cutoff)),
            sensitivity: tp as f64 / n_pos as f64,
            specificity: (n_neg - fp) as f64 / n_neg as f64,
            tp,
            fp,
        });
        for &(_, positive) in &sorted[start..start + run] {
            if positive {
                tp -= 1;
            } else {
                fp -= 1;
            }
        }
        previous = Some(cutoff);
        start += run;
    }
    points.push(RocPoint {
        cutoff: f64::INFINITY,
        proc_threshold: f64::INFINITY,
        sensitivity: 0.0,
        specificity: 1.0,
        tp: 0,
        fp: 0,
    });
    Ok(points)
}

/// The cutoff that maximises Youden's J = sensitivity + specificity − 1
/// over the points of [`roc_curve`], with `score >= cutoff` read as
/// positive. J is compared exactly, in integers (J·n_pos·n_neg =
/// TP·n_neg + TN·n_pos − n_pos·n_neg), so ties are real ties; among tied
/// cutoffs the highest is chosen and all are listed.
///
/// pROC's `coords(roc, "best", best.method = "youden")` finds the same
/// split and reports it as the midpoint to the next lower score, which is
/// in `proc_threshold`.
///
/// When no cutoff beats chance (J ≤ 0 everywhere: the score does not rank
/// positives higher) the cutoff would be meaningless, and the error is
/// [`StatsError::Degenerate`].
pub fn youden_cutoff(scores: &[f64], labels: &[f64]) -> Result<YoudenCutoff, StatsError> {
    let curve = roc_curve(scores, labels)?;
    let n_pos = curve.first().map_or(0, |point| point.tp) as u128;
    let n_neg = curve.first().map_or(0, |point| point.fp) as u128;
    // J·n_pos·n_neg + n_pos·n_neg, which is never negative.
    let scaled_j = |point: &RocPoint| point.tp as u128 * n_neg + (n_neg - point.fp as u128) * n_pos;
    let best = curve.iter().map(scaled_j).max().unwrap_or(0);
    if best <= n_pos * n_neg {
        return Err(StatsError::Degenerate {
            what: "Youden cutoff".to_owned(),
            detail: "no cutoff has sensitivity + specificity above 1: higher scores \
                     do not go with label 1"
                .to_owned(),
        });
    }
    let tied: Vec<&RocPoint> = curve.iter().filter(|p| scaled_j(p) == best).collect();
    let Some(chosen) = tied.last() else {
        return Err(StatsError::Degenerate {
            what: "Youden cutoff".to_owned(),
            detail: "empty ROC curve".to_owned(),
        });
    };
    Ok(YoudenCutoff {
        cutoff: chosen.cutoff,
        proc_threshold: chosen.proc_threshold,
        sensitivity: chosen.sensitivity,
        specificity: chosen.specificity,
        youden_j: chosen.sensitivity + chosen.specificity - 1.0,
        tied_cutoffs: tied.iter().map(|p| p.cutoff).collect(),
    })
}

/// The confusion table of `score >= cutoff` against the labels, with
/// sensitivity, specificity, PPV, NPV and accuracy, each with a two-sided
/// interval at `level` by `interval` (Wilson by default in the CLI).
pub fn classify(
    scores: &[f64],
    labels: &[f64],
    cutoff: f64,
    level: f64,
    interval: IntervalMethod,
) -> Result<Classification, StatsError> {
    if cutoff.is_nan() {
        return Err(StatsError::invalid_parameter(
            "cutoff",
            cutoff,
            "a number (or +inf to call nobody positive)",
        ));
    }
    two_sided_z(level)?;
    let classes = classes(scores, labels, "score")?;
    let tp = classes.positives.iter().filter(|&&s| s >= cutoff).count();
    let fp = classes.negatives.iter().filter(|&&s| s >= cutoff).count();
    let fn_ = classes.positives.len() - tp;
    let tn = classes.negatives.len() - fp;
    let rate = |x: usize, n: usize| proportion(x, n, level, interval);
    let optional_rate = |x: usize, n: usize| (n > 0).then(|| rate(x, n)).transpose();
    Ok(Classification {
        cutoff,
        tp,
        fp,
        tn,
        fn_,
        sensitivity: rate(tp, tp + fn_)?,
        specificity: rate(tn, tn + fp)?,
        ppv: optional_rate(tp, tp + fp)?,
        npv: optional_rate(tn, tn + fn_)?,
        accuracy: rate(tp + tn, tp + fp + tn + fn_)?,
        interval,
        level,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Scores of positives [3, 2] and negatives [1, 2, 0] in mixed order.
    const SCORES: [f64; 5] = [1.0, 3.0, 2.0, 2.0, 0.0];
    const LABELS: [f64; 5] = [0.0, 1.0, 0.0, 1.0, 0.0];

    #[test]
    fn auc_and_delong_variance_by_hand() {
        // Pairs: 3 beats 1, 2, 0 (3); 2 beats 1 and 0 and ties 2 (2.5):
        // U = 5.5, AUC = 5.5 / 6.
        // Placements of positives: 3 → 3/3 = 1, 2 → 2.5/3; of negatives
        // (share of positives above, ties ½): 1 → 1, 2 → 1.5/2 = 0.75, 0 → 1.
        // S10 = ((1/12)² + (1/12)²) / 1 = 2/144;
        // S01 = ((1/12)² + (1/6)² + (1/12)²) / 2 = (6/144) / 2 = 3/144;
        // Var = S10/2 + S01/3 = 1/144 + 1/144 = 1/72.
        let auc = auc_delong(&SCORES, &LABELS, 0.95).unwrap();
        assert!((auc.auc - 5.5 / 6.0).abs() < 1e-15);
        assert!((auc.se - (1.0_f64 / 72.0).sqrt()).abs() < 1e-15);
        assert_eq!((auc.n_pos, auc.n_neg), (2, 3));
        // 0.916667 + 1.959964 · 0.117851 > 1: clipped.
        assert_eq!(auc.ci_upper, 1.0);
        let lower = 5.5 / 6.0 - 1.959963984540054 * (1.0_f64 / 72.0).sqrt();
        assert!((auc.ci_lower - lower).abs() < 1e-15);
    }

    #[test]
    fn mid_ranks_average_ties() {
        // Sorted: 0 (1), 1 (2), 2 2 (3, 4 → 3.5), 3 (5).
        assert_eq!(mid_ranks(&SCORES), vec![2.0, 5.0, 3.5, 3.5, 1.0]);
        assert_eq!(mid_ranks(&[-0.0, 0.0]), vec![1.5, 1.5]);
    }

    #[test]
    fn curve_by_hand() {
        // Distinct scores 0, 1, 2, 3 then +∞; positives {2, 3}, negatives {0, 1, 2}.
        let curve = roc_curve(&SCORES, &LABELS).unwrap();
        let counts: Vec<(f64, usize, usize)> =
            curve.iter().map(|p| (p.cutoff, p.tp, p.fp)).collect();
        assert_eq!(
            counts,
            vec![
                (0.0, 2, 3),
                (1.0, 2, 2),
                (2.0, 2, 1),
                (3.0, 1, 0),
                (f64::INFINITY, 0, 0)
            ]
        );
        let thresholds: Vec<f64> = curve.iter().map(|p| p.proc_threshold).collect();
        assert_eq!(
            thresholds,
            vec![f64::NEG_INFINITY, 0.5, 1.5, 2.5, f64::INFINITY]
        );
        assert_eq!(curve[2].sensitivity, 1.0);
        assert!((curve[2].specificity - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn youden_by_hand() {
        // J·6 = TP·3 + TN·2 − 6 at cutoffs 0, 1, 2, 3, ∞:
        // 6+0−6 = 0, 6+2−6 = 2, 6+4−6 = 4, 3+6−6 = 3, 0+6−6 = 0.
        // The best is cutoff 2 (J = 4/6), pROC's threshold 1.5.
        let best = youden_cutoff(&SCORES, &LABELS).unwrap();
        assert_eq!(best.cutoff, 2.0);
        assert_eq!(best.proc_threshold, 1.5);
        assert!((best.youden_j - 4.0 / 6.0).abs() < 1e-15);
        assert_eq!(best.tied_cutoffs, vec![2.0]);
    }

    #[test]
    fn youden_ties_choose_the_highest_cutoff() {
        // Positives {2, 4}, negatives {1, 3}: J at 2 is 1 + 1/2 − 1 = ½ and
        // at 4 is ½ + 1 − 1 = ½; at 1, 3 and ∞ it is 0, 0 and 0.
        let best = youden_cutoff(&[1.0, 2.0, 3.0, 4.0], &[0.0, 1.0, 0.0, 1.0]).unwrap();
        assert_eq!(best.tied_cutoffs, vec![2.0, 4.0]);
        assert_eq!(best.cutoff, 4.0);
        assert_eq!(best.proc_threshold, 3.5);
    }

    #[test]
    fn youden_refuses_a_useless_score() {
        // Higher scores go with label 0: J ≤ 0 at every cutoff.
        let err = youden_cutoff(&[1.0, 2.0, 3.0], &[1.0, 0.0, 0.0]).unwrap_err();
        assert!(matches!(err, StatsError::Degenerate { .. }), "{err}");
    }

    #[test]
    fn classification_by_hand() {
        // Cutoff 2: called positive {3, 2, 2} → TP 2 (3, 2), FP 1 (the
        // negative 2); TN 2, FN 0.
        let table = classify(&SCORES, &LABELS, 2.0, 0.95, IntervalMethod::Wilson).unwrap();
        assert_eq!((table.tp, table.fp, table.tn, table.fn_), (2, 1, 2, 0));
        assert_eq!(table.sensitivity.estimate, 1.0);
        assert!((table.specificity.estimate - 2.0 / 3.0).abs() < 1e-15);
        assert!((table.ppv.as_ref().unwrap().estimate - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(table.npv.as_ref().unwrap().estimate, 1.0);
        assert_eq!(table.accuracy.estimate, 0.8);
        // Nobody called positive above every score: PPV undefined.
        let none = classify(
            &SCORES,
            &LABELS,
            f64::INFINITY,
            0.95,
            IntervalMethod::Wilson,
        )
        .unwrap();
        assert!(none.ppv.is_none());
        assert_eq!(none.npv.unwrap().estimate, 0.6);
    }

    #[test]
    fn degenerate_inputs_are_errors() {
        let constant = auc_delong(&[1.0; 4], &[0.0, 1.0, 0.0, 1.0], 0.95).unwrap_err();
        assert!(
            matches!(constant, StatsError::Degenerate { .. }),
            "{constant}"
        );
        let no_positive = auc_delong(&[1.0, 2.0], &[0.0, 0.0], 0.95).unwrap_err();
        assert!(matches!(no_positive, StatsError::NoEvents { .. }));
        let no_negative = auc_delong(&[1.0, 2.0], &[1.0, 1.0], 0.95).unwrap_err();
        assert!(matches!(
            no_negative,
            StatsError::TooFewObservations { found: 0, .. }
        ));
        let one_positive = auc_delong(&[1.0, 2.0, 3.0], &[0.0, 0.0, 1.0], 0.95).unwrap_err();
        assert!(matches!(
            one_positive,
            StatsError::TooFewObservations {
                found: 1,
                needed: 2,
                ..
            }
        ));
        let bad_label = auc_delong(&[1.0, 2.0], &[0.0, 2.0], 0.95).unwrap_err();
        assert!(matches!(bad_label, StatsError::OutOfRange { index: 1, .. }));
        let nan = auc_delong(&[1.0, f64::NAN], &[0.0, 1.0], 0.95).unwrap_err();
        assert!(matches!(nan, StatsError::NonFinite { index: 1, .. }));
        let short = auc_delong(&[1.0, 2.0], &[0.0], 0.95).unwrap_err();
        assert!(matches!(short, StatsError::LengthMismatch { .. }));
        let nan_cutoff = classify(&SCORES, &LABELS, f64::NAN, 0.95, IntervalMethod::Wilson);
        assert!(matches!(
            nan_cutoff,
            Err(StatsError::InvalidParameter { .. })
        ));
    }

    #[test]
    fn perfect_separation_has_zero_se_and_no_chance_test() {
        let auc = auc_delong(&[1.0, 2.0, 3.0, 4.0], &[0.0, 0.0, 1.0, 1.0], 0.95).unwrap();
        assert_eq!(
            (auc.auc, auc.se, auc.ci_lower, auc.ci_upper),
            (1.0, 0.0, 1.0, 1.0)
        );
        assert!(matches!(
            auc.test_against_chance(),
            Err(StatsError::Degenerate { .. })
        ));
        assert!(matches!(
            auc.logit_interval(0.95),
            Err(StatsError::Degenerate { .. })
        ));
    }

    #[test]
    fn serialises_with_the_cli_keys() {
        let analysis = roc_analysis(&SCORES, None, &LABELS, 0.95).unwrap();
        let json = serde_json::to_value(&analysis).unwrap();
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["auc", "ci_lower", "ci_upper", "n_neg", "n_pos", "se"]
        );
        let other = [0.5, 2.0, 2.5, 1.0, 0.1];
        let paired = roc_analysis(&SCORES, Some(&other), &LABELS, 0.95).unwrap();
        let json = serde_json::to_value(&paired).unwrap();
        assert!(json["delong_test"]["z"].is_f64() && json["delong_test"]["p"].is_f64());
        let table = classify(&SCORES, &LABELS, 2.0, 0.95, IntervalMethod::Wilson).unwrap();
        let json = serde_json::to_value(&table).unwrap();
        assert_eq!(json["fn"], 0);
        assert_eq!(json["interval"], "wilson");
    }

    /// Scores drawn from a small integer range so that ties are common,
    /// with labels having at least two of each class.
    fn scored_sample() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
        (4usize..40).prop_flat_map(|n| {
            (
                proptest::collection::vec(-20i32..20, n),
                proptest::collection::vec(proptest::bool::ANY, n),
            )
                .prop_filter_map("two of each class, score not constant", |(s, l)| {
                    let positives = l.iter().filter(|&&b| b).count();
                    let constant = s.iter().all(|&v| v == s[0]);
                    (positives >= 2 && l.len() - positives >= 2 && !constant).then(|| {
                        (
                            s.into_iter().map(f64::from).collect(),
                            l.into_iter().map(|b| if b { 1.0 } else { 0.0 }).collect(),
                        )
                    })
                })
        })
    }

    /// DeLong's placements by direct pairwise comparison, O(n_pos·n_neg).
    fn naive_delong(scores: &[f64], labels: &[f64]) -> (f64, f64) {
        let pos: Vec<f64> = (0..scores.len())
            .filter(|&i| labels[i] == 1.0)
            .map(|i| scores[i])
            .collect();
        let neg: Vec<f64> = (0..scores.len())
            .filter(|&i| labels[i] == 0.0)
            .map(|i| scores[i])
            .collect();
        let psi = |x: f64, y: f64| {
            if x > y {
                1.0
            } else if x == y {
                0.5
            } else {
                0.0
            }
        };
        let (m, n) = (pos.len() as f64, neg.len() as f64);
        let v10: Vec<f64> = pos
            .iter()
            .map(|&x| neg.iter().map(|&y| psi(x, y)).sum::<f64>() / n)
            .collect();
        let v01: Vec<f64> = neg
            .iter()
            .map(|&y| pos.iter().map(|&x| psi(x, y)).sum::<f64>() / m)
            .collect();
        let u: f64 = pos
            .iter()
            .map(|&x| neg.iter().map(|&y| psi(x, y)).sum::<f64>())
            .sum();
        let auc = u / (m * n);
        let s10 = v10.iter().map(|v| (v - auc).powi(2)).sum::<f64>() / (m - 1.0);
        let s01 = v01.iter().map(|v| (v - auc).powi(2)).sum::<f64>() / (n - 1.0);
        (auc, (s10 / m + s01 / n).sqrt())
    }

    proptest! {
        #[test]
        fn auc_is_mann_whitney_and_se_is_pairwise_delong((scores, labels) in scored_sample()) {
            let (auc, se) = naive_delong(&scores, &labels);
            let fast = auc_delong(&scores, &labels, 0.95).unwrap();
            prop_assert!((fast.auc - auc).abs() < 1e-14);
            prop_assert!((fast.se - se).abs() < 1e-13);
        }

        #[test]
        fn reversing_the_score_reflects_the_auc((scores, labels) in scored_sample()) {
            let reversed: Vec<f64> = scores.iter().map(|s| -s).collect();
            let a = auc_delong(&scores, &labels, 0.95).unwrap();
            let b = auc_delong(&reversed, &labels, 0.95).unwrap();
            prop_assert!((a.auc + b.auc - 1.0).abs() < 1e-14);
            prop_assert!((a.se - b.se).abs() < 1e-14);
        }

        #[test]
        fn monotone_transforms_change_nothing((scores, labels) in scored_sample()) {
            // exp(s/7) and s³ + s are strictly increasing and keep integer
            // scores in −20..20 distinct in floating point.
            let a = auc_delong(&scores, &labels, 0.95).unwrap();
            for transformed in [
                scores.iter().map(|s| (s / 7.0).exp()).collect::<Vec<f64>>(),
                scores.iter().map(|s| s * s * s + s).collect(),
            ] {
                let b = auc_delong(&transformed, &labels, 0.95).unwrap();
                prop_assert_eq!(&a, &b);
            }
        }

        #[test]
        fn a_score_against_itself_is_degenerate((scores, labels) in scored_sample()) {
            let same = delong_paired_test(&scores, &scores, &labels, 0.95);
            prop_assert!(matches!(same, Err(StatsError::Degenerate { .. })), "{:?}", same);
            let transformed: Vec<f64> = scores.iter().map(|s| 2.0 * s + 1.0).collect();
            let monotone = delong_paired_test(&scores, &transformed, &labels, 0.95);
            prop_assert!(matches!(monotone, Err(StatsError::Degenerate { .. })), "{:?}", monotone);
        }

        #[test]
        fn curve_is_monotone_and_its_area_is_the_auc((scores, labels) in scored_sample()) {
            let curve = roc_curve(&scores, &labels).unwrap();
            let mut area = 0.0;
            for pair in curve.windows(2) {
                prop_assert!(pair[1].cutoff > pair[0].cutoff);
                prop_assert!(pair[1].sensitivity <= pair[0].sensitivity);
                prop_assert!(pair[1].specificity >= pair[0].specificity);
                // Trapezoid in (1 − specificity, sensitivity).
                area += (pair[1].specificity - pair[0].specificity)
                    * (pair[0].sensitivity + pair[1].sensitivity) / 2.0;
            }
            let auc = auc_delong(&scores, &labels, 0.95).unwrap().auc;
            prop_assert!((area - auc).abs() < 1e-12);
        }

        #[test]
        fn youden_matches_a_scan_of_every_cutoff((scores, labels) in scored_sample()) {
            // J at each observed score by direct counting.
            let best_j = scores.iter().map(|&c| {
                let (mut tp, mut tn, mut pos, mut neg) = (0.0, 0.0, 0.0, 0.0);
                for (s, l) in scores.iter().zip(&labels) {
                    if *l == 1.0 { pos += 1.0; if *s >= c { tp += 1.0; } }
                    else { neg += 1.0; if *s < c { tn += 1.0; } }
                }
                tp / pos + tn / neg - 1.0
            }).fold(f64::NEG_INFINITY, f64::max);
            match youden_cutoff(&scores, &labels) {
                Ok(best) => prop_assert!((best.youden_j - best_j).abs() < 1e-12),
                Err(StatsError::Degenerate { .. }) => prop_assert!(best_j <= 1e-12),
                Err(other) => prop_assert!(false, "{other}"),
            }
        }
    }
}
