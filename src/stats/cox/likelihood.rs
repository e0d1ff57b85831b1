//! The log partial likelihood of a Cox model with its score vector and
//! observed information matrix.
//!
//! Subjects are sorted by stratum and then by decreasing time, so walking
//! forward through them grows each risk set (with delayed entry, subjects
//! whose entry time is at or after the current time leave it again, as in
//! R's `agreg`): at every distinct time the subjects with that time join the
//! running weighted sums S0 = Σ r, S1 = Σ r·x (r = exp(η)), and the d events
//! at that time, with their own sums E0, E1 (and E2 = Σ_events r·x·xᵀ,
//! S2 = Σ r·x·xᵀ), contribute
//!
//! - Efron (as R `coxph`): for k = 0 … d−1 and f = k/d, the denominator
//!   D = S0 − f·E0 and mean m = (S1 − f·E1)/D:
//!   loglik += Σ_events η − Σ_k log D; score += Σ_events x − Σ_k m;
//!   information += Σ_k [(S2 − f·E2)/D − m·mᵀ];
//! - Breslow: the same with f = 0 for every k.
//!
//! The running S2 is never formed. Its contributions add up to
//! Σ_subjects r·W·x·xᵀ, where W is the sum of Σ_k 1/D over the times at
//! which the subject is at risk (minus Σ_k f/D of its own time for an
//! event, the E2 part), so after the walk — which costs O(p) per subject —
//! the information is one weighted Gram matrix XᵀVX, computed in parallel
//! over fixed blocks of rows and added up in block order, less
//! Σ_k m·mᵀ = S1·S1ᵀ·Σ1/D² − (S1·E1ᵀ + E1·S1ᵀ)·Σf/D² + E1·E1ᵀ·Σf²/D² per
//! time. The result does not depend on the number of threads.

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

/// Rows per block of the parallel Gram matrix: fixed, so that the sums do
/// not depend on the machine.
const GRAM_BLOCK: usize = 8192;

/// The buffers of [`evaluate`], allocated once per fit: on a 10⁶-row
/// cohort every fresh buffer costs its page faults again (about as much as
/// the arithmetic of a pass), so the n-sized vectors are reused across the
/// Newton iterations.
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    /// The linear predictor, shifted per stratum, in sorted order.
    eta: Vec<f64>,
    /// The risk weights exp(η), in sorted order.
    risk: Vec<f64>,
    /// The rows' weights in the Gram matrix, in sorted order.
    weights: Vec<f64>,
    /// Per tie group, Σ_k multiplicity/D (the weight of S2).
    risk_weight: Vec<f64>,
    /// Per tie group, Σ_k multiplicity·f/D (the weight of E2).
    event_weight: Vec<f64>,
    /// With delayed entry, per sorted row, the tie group before which it
    /// leaves the risk set (the stratum's group count if never).
    leaves_at: Vec<usize>,
    /// Per tie group, the suffix sums of `risk_weight` (one more entry).
    suffix: Vec<f64>,
    /// The packed Gram sums of each block of rows.
    partials: Vec<f64>,
}

impl Workspace {
    /// Buffers sized for `prepared`.
    pub(crate) fn new(prepared: &Prepared) -> Workspace {
        let blocks = prepared.n.div_ceil(GRAM_BLOCK);
        let packed = prepared.p * (prepared.p + 1) / 2;
        Workspace {
            eta: vec![0.0; prepared.n],
            risk: vec![0.0; prepared.n],
            weights: vec![0.0; prepared.n],
            risk_weight: vec![0.0; prepared.groups.len()],
            event_weight: vec![0.0; prepared.groups.len()],
            leaves_at: if prepared.entry.is_some() {
                vec![0; prepared.n]
            } else {
                Vec::new()
            },
            suffix: vec![0.0; prepared.groups.len() + 1],
            partials: vec![0.0; blocks * packed],
        }
    }
}

/// Evaluates the log partial likelihood, score and information of the
/// prepared data at `beta` (standardised scale), in the buffers of
/// `workspace` (made by [`Workspace::new`] for the same data). A
/// non-finite linear predictor gives a log-likelihood of −∞, which the
/// caller treats as a step too far.
pub(crate) fn evaluate(
    prepared: &Prepared,
    beta: &[f64],
    ties: Ties,
    workspace: &mut Workspace,
) -> Evaluation {
    let p = prepared.p;
    if !fill_risk_weights(prepared, beta, &mut workspace.eta, &mut workspace.risk) {
        return Evaluation {
            loglik: f64::NEG_INFINITY,
            score: vec![0.0; p],
            information: vec![0.0; p * p],
        };
    }
    // The walk for the common widths with p a compile-time constant, so
    // that its per-row loops over the covariates are unrolled.
    let walk = match p {
        1 => walk::<1>(prepared, ties, workspace),
        2 => walk::<2>(prepared, ties, workspace),
        3 => walk::<3>(prepared, ties, workspace),
        4 => walk::<4>(prepared, ties, workspace),
        5 => walk::<5>(prepared, ties, workspace),
        6 => walk::<6>(prepared, ties, workspace),
        7 => walk::<7>(prepared, ties, workspace),
        8 => walk::<8>(prepared, ties, workspace),
        9 => walk::<9>(prepared, ties, workspace),
        10 => walk::<10>(prepared, ties, workspace),
        11 => walk::<11>(prepared, ties, workspace),
        12 => walk::<12>(prepared, ties, workspace),
        _ => walk::<0>(prepared, ties, workspace),
    };
    gram_weights(prepared, workspace);
    let packed = p * (p + 1) / 2;
    prepared
        .x
        .par_chunks(GRAM_BLOCK * p)
        .zip(workspace.weights.par_chunks(GRAM_BLOCK))
        .zip(workspace.partials.par_chunks_mut(packed))
        .for_each(|((rows, weights), sums)| {
            sums.fill(0.0);
            block_gram(sums, rows, weights, p);
        });
    let mut gram = vec![0.0; packed];
    for partial in workspace.partials.chunks_exact(packed) {
        for (g, v) in gram.iter_mut().zip(partial) {
            *g += v;
        }
    }
    let mut information = vec![0.0; p * p];
    let mut index = 0;
    for i in 0..p {
        for j in 0..=i {
            let value = gram[index] - walk.means_outer[index];
            information[i * p + j] = value;
            information[j * p + i] = value;
            index += 1;
        }
    }
    let loglik = if walk.loglik.is_finite() {
        walk.loglik
    } else {
        f64::NEG_INFINITY
    };
    Evaluation {
        loglik,
        score: walk.score,
        information,
    }
}

/// What the walk over the risk sets gathers.
struct Walk {
    loglik: f64,
    score: Vec<f64>,
    /// Σ over times of Σ_k m·mᵀ, packed lower triangle.
    means_outer: Vec<f64>,
}

/// The walk down in time: log-likelihood, score, the m·mᵀ sums and the
/// per-time weights of the Gram matrix (into `workspace`). O(p) per
/// subject, O(p²) per time. `P` is the number of covariates when not 0
/// (then known at compile time), else it is read from `prepared`.
fn walk<const P: usize>(prepared: &Prepared, ties: Ties, workspace: &mut Workspace) -> Walk {
    let Workspace {
        eta,
        risk,
        risk_weight,
        event_weight,
        leaves_at,
        ..
    } = workspace;
    let mut leaves_at = prepared.entry.as_ref().map(|_| leaves_at);
    let p = if P == 0 { prepared.p } else { P };
    debug_assert_eq!(p, prepared.p);
    let x = &prepared.x;
    let groups = &prepared.groups;
    let packed = p * (p + 1) / 2;
    let mut loglik = 0.0;
    let mut score = vec![0.0; p];
    let mut means_outer = vec![0.0; packed];
    let mut s1 = vec![0.0; p];
    let mut e1 = vec![0.0; p];
    for (stratum, range) in prepared.strata_groups.iter().enumerate() {
        let mut s0 = 0.0;
        s1.fill(0.0);
        let mut next_removal = 0;
        for g in range.clone() {
            let group = groups[g];
            let (start, events, end) = (group.start, group.events, group.end);
            for &row in prepared.leaving(stratum, prepared.time[start], &mut next_removal) {
                let r = risk[row];
                s0 -= r;
                for (s, xi) in s1.iter_mut().zip(&x[row * p..row * p + p]) {
                    *s -= r * xi;
                }
                if let Some(leaves_at) = &mut leaves_at {
                    leaves_at[row] = g;
                }
            }
            if let Some(leaves_at) = &mut leaves_at {
                // Until told otherwise, the group's rows stay to the end.
                leaves_at[start..end].fill(range.end);
            }
            // Events come first within a tie group.
            let mut e0 = 0.0;
            e1.fill(0.0);
            for row in start..start + events {
                let r = risk[row];
                loglik += eta[row];
                e0 += r;
                for ((u, e), xi) in score
                    .iter_mut()
                    .zip(e1.iter_mut())
                    .zip(&x[row * p..row * p + p])
                {
                    *u += xi;
                    *e += r * xi;
                }
            }
            for row in start + events..end {
                let r = risk[row];
                s0 += r;
                for (s, xi) in s1.iter_mut().zip(&x[row * p..row * p + p]) {
                    *s += r * xi;
                }
            }
            s0 += e0;
            for (s, e) in s1.iter_mut().zip(&e1) {
                *s += e;
            }
            if events == 0 {
                risk_weight[g] = 0.0;
                event_weight[g] = 0.0;
                continue;
            }
            let d = events as f64;
            let (repeats, multiplicity) = if ties == Ties::Efron && events > 1 {
                (events, 1.0)
            } else {
                (1, d)
            };
            // Σ_k 1/D, f/D, 1/D², f/D², f²/D², each times the multiplicity.
            let (mut w, mut wf, mut a, mut b, mut c) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for k in 0..repeats {
                let f = if repeats > 1 { k as f64 / d } else { 0.0 };
                let denominator = s0 - f * e0;
                loglik -= multiplicity * denominator.ln();
                let inverse = multiplicity / denominator;
                let inverse2 = inverse / denominator;
                w += inverse;
                wf += f * inverse;
                a += inverse2;
                b += f * inverse2;
                c += f * f * inverse2;
            }
            risk_weight[g] = w;
            event_weight[g] = wf;
            for ((u, s), e) in score.iter_mut().zip(&s1).zip(&e1) {
                *u -= s * w - e * wf;
            }
            let mut index = 0;
            for i in 0..p {
                for j in 0..=i {
                    means_outer[index] +=
                        a * s1[i] * s1[j] - b * (s1[i] * e1[j] + e1[i] * s1[j]) + c * e1[i] * e1[j];
                    index += 1;
                }
            }
        }
    }
    Walk {
        loglik,
        score,
        means_outer,
    }
}

/// Each sorted row's weight in the Gram matrix (into `workspace.weights`):
/// r times the sum of the risk weights of the times it is at risk at (from
/// its own time down to its entry), less its own time's event weight if it
/// is an event.
fn gram_weights(prepared: &Prepared, workspace: &mut Workspace) {
    let Workspace {
        risk,
        weights,
        risk_weight,
        event_weight,
        leaves_at,
        suffix,
        ..
    } = workspace;
    let leaves_at = prepared.entry.as_ref().map(|_| leaves_at);
    // Suffix sums of the risk weights in walk order, per stratum:
    // suffix[g] = Σ_{h ≥ g} risk_weight[h], suffix[end] = 0.
    for range in &prepared.strata_groups {
        suffix[range.end] = 0.0;
        let mut total = 0.0;
        for g in range.clone().rev() {
            total += risk_weight[g];
            suffix[g] = total;
        }
        for g in range.clone() {
            let group = prepared.groups[g];
            let (start, events, end) = (group.start, group.events, group.end);
            let Some(leaves) = &leaves_at else {
                // Every row is at risk until the stratum's earliest time.
                let own = suffix[g] - event_weight[g];
                for (weight, r) in weights[start..start + events]
                    .iter_mut()
                    .zip(&risk[start..start + events])
                {
                    *weight = r * own;
                }
                for (weight, r) in weights[start + events..end]
                    .iter_mut()
                    .zip(&risk[start + events..end])
                {
                    *weight = r * suffix[g];
                }
                continue;
            };
            for row in start..end {
                let until = if leaves[row] < range.end {
                    suffix[leaves[row]]
                } else {
                    0.0
                };
                let own = if row < start + events {
                    event_weight[g]
                } else {
                    0.0
                };
                weights[row] = risk[row] * (suffix[g] - until - own);
            }
        }
    }
}

/// Adds Σ weight·x·xᵀ over `rows` (row-major, `p` wide) to the packed
/// lower triangle `sums`. Every entry is summed over the rows in order, so
/// the result is the same whichever kernel runs.
fn block_gram(sums: &mut [f64], rows: &[f64], weights: &[f64], p: usize) {
    match p {
        1 => block_gram_fixed::<1>(sums, rows, weights),
        2 => block_gram_fixed::<2>(sums, rows, weights),
        3 => block_gram_fixed::<3>(sums, rows, weights),
        4 => block_gram_fixed::<4>(sums, rows, weights),
        5 => block_gram_fixed::<5>(sums, rows, weights),
        6 => block_gram_fixed::<6>(sums, rows, weights),
        7 => block_gram_fixed::<7>(sums, rows, weights),
        8 => block_gram_fixed::<8>(sums, rows, weights),
        9 => block_gram_fixed::<9>(sums, rows, weights),
        10 => block_gram_fixed::<10>(sums, rows, weights),
        11 => block_gram_fixed::<11>(sums, rows, weights),
        12 => block_gram_fixed::<12>(sums, rows, weights),
        _ => {
            for (row, &weight) in rows.chunks_exact(p).zip(weights) {
                add_outer(sums, row, weight);
            }
        }
    }
}

/// Rows per pass of [`block_gram_fixed`]: small enough to stay in the L1
/// cache while each pair of the triangle's rows is accumulated over them.
const GRAM_TILE: usize = 256;

/// [`block_gram`] for a width known at compile time: the triangle's rows
/// are taken two at a time, each pair by [`gram_rows`].
fn block_gram_fixed<const P: usize>(sums: &mut [f64], rows: &[f64], weights: &[f64]) {
    for (tile, weights) in rows.chunks(GRAM_TILE * P).zip(weights.chunks(GRAM_TILE)) {
        gram_rows::<P, 0>(sums, tile, weights);
        gram_rows::<P, 2>(sums, tile, weights);
        gram_rows::<P, 4>(sums, tile, weights);
        gram_rows::<P, 6>(sums, tile, weights);
        gram_rows::<P, 8>(sums, tile, weights);
        gram_rows::<P, 10>(sums, tile, weights);
    }
}

/// Rows I and I + 1 of the triangle (columns 0..=I and 0..=I+1), summed
/// over a tile of data rows. With I and P known at compile time the
/// accumulators stay in registers across the tile and the loop over the
/// columns is unrolled; summing them in memory, one data row at a time, is
/// bound by the loads and stores. Nothing when I ≥ P; with I + 1 = P only
/// row I.
#[inline(always)]
fn gram_rows<const P: usize, const I: usize>(sums: &mut [f64], tile: &[f64], weights: &[f64]) {
    if I >= P {
        return;
    }
    let second = I + 1 < P;
    let width = if second { I + 2 } else { I + 1 };
    let (first_offset, second_offset) = (I * (I + 1) / 2, (I + 1) * (I + 2) / 2);
    let mut first = [0.0; P];
    let mut next = [0.0; P];
    first[..=I].copy_from_slice(&sums[first_offset..=first_offset + I]);
    if second {
        next[..=I + 1].copy_from_slice(&sums[second_offset..=second_offset + I + 1]);
    }
    for (row, &weight) in tile.chunks_exact(P).zip(weights) {
        let row: &[f64; P] = row.try_into().expect("rows of P values");
        let a = weight * row[I];
        let b = weight * row[if second { I + 1 } else { I }];
        for j in 0..width {
            first[j] += a * row[j];
            next[j] += b * row[j];
        }
    }
    sums[first_offset..=first_offset + I].copy_from_slice(&first[..=I]);
    if second {
        sums[second_offset..=second_offset + I + 1].copy_from_slice(&next[..=I + 1]);
    }
}

/// Adds weight·x·xᵀ to a packed lower triangle.
#[inline]
fn add_outer(sums: &mut [f64], x: &[f64], weight: f64) {
    let mut offset = 0;
    for (i, xi) in x.iter().enumerate() {
        let scaled = weight * xi;
        for (sum, xj) in sums[offset..offset + i + 1].iter_mut().zip(x) {
            *sum += scaled * xj;
        }
        offset += i + 1;
    }
}

/// The linear predictor η = x·β and the risk weights exp(η − max η of the
/// stratum) in sorted order; `None` when η is not finite. Shifting η by a
/// constant within a stratum leaves every ratio in the likelihood unchanged
/// and keeps exp() from overflowing.
pub(crate) fn risk_weights(prepared: &Prepared, beta: &[f64]) -> Option<(Vec<f64>, Vec<f64>)> {
    let mut eta = vec![0.0; prepared.n];
    let mut risk = vec![0.0; prepared.n];
    fill_risk_weights(prepared, beta, &mut eta, &mut risk).then_some((eta, risk))
}

/// [`risk_weights`] into the given buffers (n long); false when η is not
/// finite.
fn fill_risk_weights(prepared: &Prepared, beta: &[f64], eta: &mut [f64], risk: &mut [f64]) -> bool {
    let p = prepared.p;
    if beta.iter().all(|&b| b == 0.0) {
        // The null model (the first evaluation of every fit): η = 0 and
        // r = 1 for all, without a pass over the covariates.
        eta.fill(0.0);
        risk.fill(1.0);
        return true;
    }
    eta.par_chunks_mut(8192)
        .zip(prepared.x.par_chunks(8192 * p.max(1)))
        .for_each(|(eta, rows)| match p {
            1 => linear_predictor::<1>(eta, rows, beta),
            2 => linear_predictor::<2>(eta, rows, beta),
            3 => linear_predictor::<3>(eta, rows, beta),
            4 => linear_predictor::<4>(eta, rows, beta),
            5 => linear_predictor::<5>(eta, rows, beta),
            6 => linear_predictor::<6>(eta, rows, beta),
            7 => linear_predictor::<7>(eta, rows, beta),
            8 => linear_predictor::<8>(eta, rows, beta),
            9 => linear_predictor::<9>(eta, rows, beta),
            10 => linear_predictor::<10>(eta, rows, beta),
            11 => linear_predictor::<11>(eta, rows, beta),
            12 => linear_predictor::<12>(eta, rows, beta),
            _ => {
                for (value, row) in eta.iter_mut().zip(rows.chunks_exact(p)) {
                    *value = row.iter().zip(beta).map(|(x, b)| x * b).sum();
                }
            }
        });
    if eta.iter().any(|e| !e.is_finite()) {
        return false;
    }
    for range in &prepared.strata {
        let shift = eta[range.clone()]
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        risk[range.clone()]
            .par_chunks_mut(8192)
            .zip(eta[range.clone()].par_chunks_mut(8192))
            .for_each(|(risk, eta)| {
                for (r, e) in risk.iter_mut().zip(eta) {
                    *e -= shift;
                    *r = e.exp();
                }
            });
    }
    true
}

/// x·β of each row of `rows` (P wide, P known at compile time so that the
/// products are unrolled) into `eta`.
fn linear_predictor<const P: usize>(eta: &mut [f64], rows: &[f64], beta: &[f64]) {
    let beta: &[f64; P] = beta.try_into().expect("P coefficients");
    for (value, row) in eta.iter_mut().zip(rows.chunks_exact(P)) {
        *value = row.iter().zip(beta).map(|(x, b)| x * b).sum();
    }
}
