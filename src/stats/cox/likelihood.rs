//! The log partial likelihood of a Cox model with its score vector and
//! observed information matrix, in one pass over the risk sets.
//!
//! Subjects are sorted by stratum and then by decreasing time, so walking
//! forward through them grows each risk set (with delayed entry, subjects
//! whose entry time is at or after the current time leave it again, as in
//! R's `agreg`): at every distinct time the subjects with that time join the
//! running weighted sums
//! S0 = Σ r, S1 = Σ r·x, S2 = Σ r·x·xᵀ (r = exp(η)), and the events at that
//! time then contribute, with d tied events and their own sums E0, E1, E2,
//!
//! - Efron (as R `coxph`): for k = 0 … d−1 and f = k/d, the denominator
//!   S0 − f·E0 with mean m = (S1 − f·E1)/(S0 − f·E0):
//!   loglik += Σ_events η − Σ_k log(S0 − f·E0); score += Σ_events x − Σ_k m;
//!   information += Σ_k [(S2 − f·E2)/(S0 − f·E0) − m·mᵀ];
//! - Breslow: the same with f = 0 for every k.
//!
//! The information matrix is the costly part (p(p+1)/2 products per
//! subject). Its entries are split into fixed segments that run in
//! parallel, each segment walking all subjects: every entry is computed by
//! the same sequence of operations whatever the number of threads, so the
//! result does not depend on it at all.

use rayon::prelude::*;

use super::Ties;
use super::prepare::Prepared;

/// Log partial likelihood, score and information at one β.
#[derive(Debug, Clone)]
pub(crate) struct Evaluation {
    /// The log partial likelihood.
    pub loglik: f64,
    /// Its gradient with respect to β.
    pub score: Vec<f64>,
    /// Minus its Hessian, row-major p × p.
    pub information: Vec<f64>,
}

/// The entries of the packed lower triangle (row i, columns j0..j1) that
/// one parallel task accumulates.
#[derive(Debug, Clone, Copy)]
struct Segment {
    row: usize,
    first: usize,
    end: usize,
}

/// How many packed information entries one task takes at most. Fixed, so
/// that the split does not depend on the machine.
const ENTRIES_PER_TASK: usize = 32;

/// Evaluates the log partial likelihood, score and information of the
/// prepared data at `beta` (standardised scale). A non-finite linear
/// predictor gives a log-likelihood of −∞, which the caller treats as a
/// step too far.
pub(crate) fn evaluate(prepared: &Prepared, beta: &[f64], ties: Ties) -> Evaluation {
    let p = prepared.p;
    let weights = risk_weights(prepared, beta);
    let Some((eta, risk)) = weights else {
        return Evaluation {
            loglik: f64::NEG_INFINITY,
            score: vec![0.0; p],
            information: vec![0.0; p * p],
        };
    };
    let tasks = split_triangle(p);
    let results: Vec<(f64, Vec<f64>, Vec<f64>)> = tasks
        .par_iter()
        .map(|segments| pass(prepared, &eta, &risk, ties, segments))
        .collect();
    let mut information = vec![0.0; p * p];
    let (mut loglik, mut score) = (0.0, vec![0.0; p]);
    for (index, (task, (task_loglik, task_score, packed))) in tasks.iter().zip(results).enumerate()
    {
        // Every task computes the log-likelihood and score the same way;
        // the first one's are kept.
        if index == 0 {
            loglik = task_loglik;
            score = task_score;
        }
        let mut k = 0;
        for segment in task {
            for j in segment.first..segment.end {
                information[segment.row * p + j] = packed[k];
                information[j * p + segment.row] = packed[k];
                k += 1;
            }
        }
    }
    if !loglik.is_finite() {
        loglik = f64::NEG_INFINITY;
    }
    Evaluation {
        loglik,
        score,
        information,
    }
}

/// The linear predictor η = x·β and the risk weights exp(η − max η of the
/// stratum) in sorted order; `None` when η is not finite. Shifting η by a
/// constant within a stratum leaves every ratio in the likelihood unchanged
/// and keeps exp() from overflowing.
pub(crate) fn risk_weights(prepared: &Prepared, beta: &[f64]) -> Option<(Vec<f64>, Vec<f64>)> {
    let p = prepared.p;
    let mut eta = vec![0.0; prepared.n];
    eta.par_chunks_mut(8192)
        .zip(prepared.x.par_chunks(8192 * p.max(1)))
        .for_each(|(eta, rows)| {
            for (value, row) in eta.iter_mut().zip(rows.chunks_exact(p)) {
                *value = row.iter().zip(beta).map(|(x, b)| x * b).sum();
            }
        });
    if eta.iter().any(|e| !e.is_finite()) {
        return None;
    }
    let mut risk = vec![0.0; prepared.n];
    for range in &prepared.strata {
        let shift = eta[range.clone()]
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        risk[range.clone()]
            .par_chunks_mut(8192)
            .zip(eta[range.clone()].par_chunks(8192))
            .for_each(|(risk, eta)| {
                for (r, e) in risk.iter_mut().zip(eta) {
                    *r = (e - shift).exp();
                }
            });
        for e in &mut eta[range.clone()] {
            *e -= shift;
        }
    }
    Some((eta, risk))
}

/// Splits the packed lower triangle of a p × p matrix into tasks of at most
/// [`ENTRIES_PER_TASK`] entries (at least one task, possibly empty).
fn split_triangle(p: usize) -> Vec<Vec<Segment>> {
    let mut tasks = vec![Vec::new()];
    let mut in_task = 0;
    for row in 0..p {
        let mut first = 0;
        while first <= row {
            if in_task == ENTRIES_PER_TASK {
                tasks.push(Vec::new());
                in_task = 0;
            }
            let end = (first + ENTRIES_PER_TASK - in_task).min(row + 1);
            if let Some(task) = tasks.last_mut() {
                task.push(Segment { row, first, end });
            }
            in_task += end - first;
            first = end;
        }
    }
    tasks
}

/// One walk over all subjects: the log-likelihood, the score and the
/// information entries of `segments` (packed in segment order).
fn pass(
    prepared: &Prepared,
    eta: &[f64],
    risk: &[f64],
    ties: Ties,
    segments: &[Segment],
) -> (f64, Vec<f64>, Vec<f64>) {
    let p = prepared.p;
    let entries: usize = segments.iter().map(|s| s.end - s.first).sum();
    let mut loglik = 0.0;
    let mut score = vec![0.0; p];
    let mut information = vec![0.0; entries];
    // Running risk-set sums and the tied events' own sums.
    let mut s1 = vec![0.0; p];
    let mut s2 = vec![0.0; entries];
    let mut e1 = vec![0.0; p];
    let mut e2 = vec![0.0; entries];
    let mut mean = vec![0.0; p];
    let x = &prepared.x;
    for (stratum, groups) in prepared.strata_groups.iter().enumerate() {
        let mut s0 = 0.0;
        s1.iter_mut().for_each(|v| *v = 0.0);
        s2.iter_mut().for_each(|v| *v = 0.0);
        let mut next_removal = 0;
        for group in &prepared.groups[groups.clone()] {
            let (start, events, end) = (group.start, group.events, group.end);
            // Delayed entry: subjects that entered at or after this time
            // are not at risk here (nor at any earlier time).
            for &row in prepared.leaving(stratum, prepared.time[start], &mut next_removal) {
                let r = risk[row];
                let xr = &x[row * p..row * p + p];
                s0 -= r;
                for (s, xi) in s1.iter_mut().zip(xr) {
                    *s -= r * xi;
                }
                accumulate(&mut s2, segments, xr, -r);
            }
            // Events come first within a tie group. E sums are zero here
            // (cleared after the last group with events).
            let mut e0 = 0.0;
            // Events gather their own sums E first; the group then joins
            // the risk-set sums S (each row is accumulated once).
            for row in start..start + events {
                let r = risk[row];
                let xr = &x[row * p..row * p + p];
                loglik += eta[row];
                e0 += r;
                for ((u, e), xi) in score.iter_mut().zip(e1.iter_mut()).zip(xr) {
                    *u += xi;
                    *e += r * xi;
                }
                accumulate(&mut e2, segments, xr, r);
            }
            for row in start + events..end {
                let r = risk[row];
                let xr = &x[row * p..row * p + p];
                s0 += r;
                for (s, xi) in s1.iter_mut().zip(xr) {
                    *s += r * xi;
                }
                accumulate(&mut s2, segments, xr, r);
            }
            if events == 0 {
                continue;
            }
            s0 += e0;
            for (s, e) in s1.iter_mut().zip(&e1) {
                *s += e;
            }
            for (s, e) in s2.iter_mut().zip(&e2) {
                *s += e;
            }
            let efron_sums = ties == Ties::Efron && events > 1;
            let d = events as f64;
            let (repeats, multiplicity) = if efron_sums { (events, 1.0) } else { (1, d) };
            for k in 0..repeats {
                let f = k as f64 / d;
                let denominator = s0 - f * e0;
                loglik -= multiplicity * denominator.ln();
                for ((m, s), e) in mean.iter_mut().zip(&s1).zip(&e1) {
                    *m = (s - f * e) / denominator;
                }
                for (u, m) in score.iter_mut().zip(&mean) {
                    *u -= multiplicity * m;
                }
                let mut index = 0;
                for segment in segments {
                    let mi = mean[segment.row];
                    for mj in &mean[segment.first..segment.end] {
                        information[index] +=
                            multiplicity * ((s2[index] - f * e2[index]) / denominator - mi * mj);
                        index += 1;
                    }
                }
            }
            e1.fill(0.0);
            e2.fill(0.0);
        }
    }
    (loglik, score, information)
}

/// Adds r·xᵢ·xⱼ to the packed entries of `segments`.
#[inline]
fn accumulate(sums: &mut [f64], segments: &[Segment], x: &[f64], r: f64) {
    let mut index = 0;
    for segment in segments {
        let rxi = r * x[segment.row];
        let width = segment.end - segment.first;
        for (sum, xj) in sums[index..index + width]
            .iter_mut()
            .zip(&x[segment.first..segment.end])
        {
            *sum += rxi * xj;
        }
        index += width;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triangle_split_covers_every_entry_once() {
        for p in [0usize, 1, 2, 7, 8, 10, 25] {
            let tasks = split_triangle(p);
            let mut seen = vec![0u8; p * p];
            for task in &tasks {
                let size: usize = task.iter().map(|s| s.end - s.first).sum();
                assert!(size <= ENTRIES_PER_TASK);
                for s in task {
                    for j in s.first..s.end {
                        assert!(j <= s.row);
                        seen[s.row * p + j] += 1;
                    }
                }
            }
            for i in 0..p {
                for j in 0..p {
                    assert_eq!(seen[i * p + j], u8::from(j <= i), "p {p} ({i}, {j})");
                }
            }
        }
    }
}
