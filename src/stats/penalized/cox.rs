//! Penalised Cox regression (glmnet `family = "cox"`): the Breslow log
//! partial likelihood over rows sorted by time once, its gradient and
//! exact Hessian by backward risk-set sums, and the path fit.

use super::columns::Columns;
use super::kernels::{carve, dot, exp_nonpositive, largest};
use super::options::PenaltyOptions;
use super::path::{Deviance, FittedPath, Prepared};
use super::solver::{Coord, Loss};
use super::{Family, PenalizedPath};
use crate::stats::{Design, StatsError, SurvivalData};

/// The subjects with events at one distinct event time.
#[derive(Debug, Clone, Copy)]
struct EventTime {
    /// First row (in time order) with this time: the risk set is this row
    /// and every later one.
    start: usize,
    /// Number of events at this time, d.
    events: f64,
}

/// Minus the Breslow log partial likelihood over n:
/// −(1/n)·Σ_t [Σ_{i dies at t} η_i − d_t·log Σ_{k: time_k ≥ t} e^η_k],
/// rows in increasing time.
pub(crate) struct CoxLoss {
    event: Vec<f64>,
    event_times: Vec<EventTime>,
    /// For each row, the index of the event time whose risk set starts
    /// there, or `event_times.len()` (a spare slot) when none does: lets
    /// the backward passes record risk-set sums without a branch.
    slot: Vec<usize>,
    /// glmnet's saturated log-likelihood −Σ_t d_t·log d_t (0 without tied
    /// event times).
    saturated: f64,
}

/// Risk-set sums at or above this, relative to the largest e^η (which is
/// 1), are summed with that one shift; when one falls below, the
/// evaluation redoes them on a running log scale.
const SAFE_RISK_SUM: f64 = 1e-200;

/// What an evaluation of [`CoxLoss`] leaves. Relative risks are e^η
/// shifted by the largest η; when a risk set lies so far below it that its
/// sum would underflow (η far apart, as when a fold's likelihood is
/// monotone and λ small), each is taken relative to the running maximum
/// over the later rows instead, so nothing overflows or underflows.
#[derive(Debug, Clone)]
pub(crate) struct CoxState {
    /// max_{k ≥ i} η_k: the largest η at or after row i (time order).
    running_max: Vec<f64>,
    /// e^(η_i − running_max_i).
    scaled_risk: Vec<f64>,
    /// Σ_{k at risk at t} e^(η_k − max η), per event time and a spare slot
    /// (shifted path).
    risk_sum: Vec<f64>,
    /// log Σ_{k at risk at t} e^η_k, per event time (log-scale path).
    log_risk: Vec<f64>,
    /// Breslow cumulative hazard at row i's time times e^η_i: the expected
    /// events, and the Hessian's diagonal weight.
    expected: Vec<f64>,
    /// Martingale residuals δ_i − expected_i.
    residual: Vec<f64>,
    /// Whether the last evaluation took the single shift (`risk_sum`
    /// valid, `running_max` constant), which lets the Hessian skip the
    /// running rescaling.
    shifted: bool,
}

impl CoxLoss {
    /// The loss of `survival`, and the order of its rows by increasing
    /// time (the order every η given to the loss must follow).
    pub(crate) fn new(
        survival: &SurvivalData,
        what: &str,
    ) -> Result<(CoxLoss, Vec<usize>), StatsError> {
        if survival.events() == 0 {
            return Err(StatsError::NoEvents {
                what: what.to_owned(),
            });
        }
        let time = survival.time();
        let mut order: Vec<usize> = (0..survival.len()).collect();
        order.sort_by(|&a, &b| time[a].total_cmp(&time[b]));
        let event: Vec<f64> = order
            .iter()
            .map(|&i| if survival.event()[i] { 1.0 } else { 0.0 })
            .collect();
        let mut event_times: Vec<EventTime> = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let t = time[order[start]];
            let mut end = start;
            while end < order.len() && time[order[end]] == t {
                end += 1;
            }
            let events: f64 = event[start..end].iter().sum();
            if events > 0.0 {
                event_times.push(EventTime { start, events });
            }
            start = end;
        }
        let saturated = -event_times
            .iter()
            .map(|t| t.events * t.events.ln())
            .sum::<f64>();
        let mut slot = vec![event_times.len(); order.len()];
        for (g, t) in event_times.iter().enumerate() {
            slot[t.start] = g;
        }
        Ok((
            CoxLoss {
                event,
                event_times,
                slot,
                saturated,
            },
            order,
        ))
    }

    /// glmnet's saturated log partial likelihood −Σ_t d_t·log d_t.
    pub(crate) fn saturated_loglik(&self) -> f64 {
        self.saturated
    }

    /// The Breslow log partial likelihood at `eta` (rows in time order);
    /// `workspace` is scratch memory kept between calls.
    pub(crate) fn loglik(&self, eta: &[f64], workspace: &mut Vec<f64>) -> f64 {
        let times = self.event_times.len();
        let [scaled, risk_sum] = carve(workspace, [eta.len(), times + 1]);
        if let Some(loglik) = self.shifted_loglik(eta, scaled, risk_sum) {
            return loglik;
        }
        let log_risk = &mut risk_sum[..times];
        self.log_risk_sums(eta, log_risk, |_, _, _| {});
        self.loglik_from(eta, log_risk)
    }

    /// The log partial likelihood with every e^η shifted by the largest η,
    /// filling `scaled` (e^(η − max η)) and `risk_sum` (one per event time
    /// and a spare); `None` when a risk-set sum is below
    /// [`SAFE_RISK_SUM`].
    fn shifted_loglik(&self, eta: &[f64], scaled: &mut [f64], risk_sum: &mut [f64]) -> Option<f64> {
        let shift = largest(eta);
        // e − shift ≤ 0: the vectorised exponential applies.
        for (r, &e) in scaled.iter_mut().zip(eta) {
            *r = exp_nonpositive(e - shift);
        }
        // Backward cumulative sums, recorded at each event time's first
        // row (other rows write the spare slot).
        let mut acc = 0.0;
        for (&v, &slot) in scaled.iter().zip(&self.slot).rev() {
            acc += v;
            risk_sum[slot] = acc;
        }
        let sums = &risk_sum[..self.event_times.len()];
        if !sums.iter().all(|&sum| sum >= SAFE_RISK_SUM) {
            return None;
        }
        let total_events: f64 = self.event_times.iter().map(|t| t.events).sum();
        let log_risk = log_of_powers(&self.event_times, sums) + total_events * shift;
        Some(dot(&self.event, eta) - log_risk)
    }

    /// One backward pass over the rows: log Σ e^η over each event time's
    /// risk set into `log_risk`, summed relative to the running maximum of
    /// η (rescaled as it grows, so every exponent is ≤ 0); `each_row(i,
    /// running_max_i, e^(η_i − running_max_i))` sees every row.
    fn log_risk_sums(
        &self,
        eta: &[f64],
        log_risk: &mut [f64],
        mut each_row: impl FnMut(usize, f64, f64),
    ) {
        let mut largest = f64::NEG_INFINITY;
        let mut scaled_sum = 0.0;
        let mut next = self.event_times.len();
        for (i, &e) in eta.iter().enumerate().rev() {
            let scaled = if e > largest {
                scaled_sum *= (largest - e).exp();
                largest = e;
                1.0
            } else {
                (e - largest).exp()
            };
            scaled_sum += scaled;
            each_row(i, largest, scaled);
            if next > 0 && self.event_times[next - 1].start == i {
                next -= 1;
                log_risk[next] = scaled_sum.ln() + largest;
            }
        }
    }

    /// expected_i = e^η_i·Σ_{t ≤ time_i} d_t·e^(−L_t), L_t the log
    /// risk-set sums, by a forward pass keeping hazard·e^(−L_current): L
    /// falls as risk sets shrink, so every rescaling exponent is ≤ 0, and
    /// η_i ≤ running_max_i ≤ L_current for a row at risk.
    fn expected_on_log_scale(
        &self,
        log_risk: &[f64],
        running_max: &[f64],
        scaled_risk: &[f64],
        expected: &mut [f64],
    ) {
        let mut hazard = 0.0;
        let mut current = f64::NAN;
        let mut factor_max = f64::NAN;
        let mut factor = 0.0;
        let mut next = 0;
        for (i, value) in expected.iter_mut().enumerate() {
            let mut moved = false;
            while next < self.event_times.len() && self.event_times[next].start <= i {
                let log_sum = log_risk[next];
                hazard = if current.is_nan() {
                    0.0
                } else {
                    hazard * (log_sum - current).exp()
                } + self.event_times[next].events;
                current = log_sum;
                next += 1;
                moved = true;
            }
            *value = if current.is_nan() {
                // Before the first event time: no hazard yet.
                0.0
            } else {
                if moved || running_max[i] != factor_max {
                    factor_max = running_max[i];
                    factor = (factor_max - current).exp();
                }
                hazard * scaled_risk[i] * factor
            };
        }
    }

    /// The Hessian as [`Loss::hessian`], after an evaluation that took
    /// the single shift: every relative risk is on one scale, so the
    /// risk-set sums of risk·x come from plain backward sums, read
    /// straight from the columns four at a time (independent running
    /// sums, no gathering of rows), and scaled by the `risk_sum` the
    /// evaluation left.
    fn shifted_hessian(
        &self,
        columns: &Columns,
        state: &CoxState,
        coords: &[Coord],
        out: &mut [f64],
        workspace: &mut Vec<f64>,
    ) {
        const CHUNK: usize = 4;
        let m = coords.len();
        let n = self.event.len();
        let times = self.event_times.len();
        // means[k·(times + 1) + t]: √d_t·(risk-set mean of x_k at t), with
        // a spare slot per column for the rows that start no risk set.
        let [means, factor, weighted] = carve(workspace, [m * (times + 1), times, n]);
        for ((f, t), &sum) in factor
            .iter_mut()
            .zip(&self.event_times)
            .zip(&state.risk_sum)
        {
            *f = t.events.sqrt() / sum;
        }
        let risk = &state.scaled_risk[..n];
        let slot = &self.slot[..n];
        for first in (0..m).step_by(CHUNK) {
            let chunk = &coords[first..(first + CHUNK).min(m)];
            // Columns of the chunk; a short chunk repeats its first column
            // and drops those sums. An intercept has no covariance within
            // a risk set: its means are never read.
            let column = |c: usize| match chunk.get(c).copied().unwrap_or(chunk[0]) {
                Coord::Feature(j) => &columns.column(j)[..n],
                Coord::Intercept => risk,
            };
            let (x0, x1, x2, x3) = (column(0), column(1), column(2), column(3));
            let mut acc = [0.0; CHUNK];
            let stride = times + 1;
            for i in (0..n).rev() {
                let r = risk[i];
                acc[0] += r * x0[i];
                acc[1] += r * x1[i];
                acc[2] += r * x2[i];
                acc[3] += r * x3[i];
                for (c, &value) in acc.iter().enumerate().take(chunk.len()) {
                    means[(first + c) * stride + slot[i]] = value;
                }
            }
            for c in 0..chunk.len() {
                let column_means = &mut means[(first + c) * stride..(first + c) * stride + times];
                for (value, &f) in column_means.iter_mut().zip(factor.iter()) {
                    *value *= f;
                }
            }
        }
        let means = RiskSetMeans {
            values: means,
            stride: times + 1,
            times,
        };
        assemble_hessian(columns, coords, &state.expected, &means, weighted, out);
    }

    fn loglik_from(&self, eta: &[f64], log_risk: &[f64]) -> f64 {
        let log_risk_total: f64 = self
            .event_times
            .iter()
            .zip(log_risk)
            .map(|(t, &l)| t.events * l)
            .sum();
        dot(&self.event, eta) - log_risk_total
    }
}

impl Loss for CoxLoss {
    type State = CoxState;

    fn new_state(&self) -> CoxState {
        let n = self.event.len();
        CoxState {
            running_max: vec![0.0; n],
            scaled_risk: vec![0.0; n],
            risk_sum: vec![0.0; self.event_times.len() + 1],
            log_risk: vec![0.0; self.event_times.len()],
            expected: vec![0.0; n],
            residual: vec![0.0; n],
            shifted: false,
        }
    }

    fn rows(&self) -> usize {
        self.event.len()
    }

    fn has_intercept(&self) -> bool {
        false
    }

    fn evaluate(&self, eta: &[f64], state: &mut CoxState) -> f64 {
        let CoxState {
            running_max,
            scaled_risk,
            risk_sum,
            log_risk,
            expected,
            residual,
            shifted,
        } = state;
        let shifted_loglik = self.shifted_loglik(eta, scaled_risk, risk_sum);
        *shifted = shifted_loglik.is_some();
        let loglik = if let Some(loglik) = shifted_loglik {
            let shift = largest(eta);
            running_max.iter_mut().for_each(|m| *m = shift);
            // Forward: expected_i = e^(η_i − shift)·Σ_{t ≤ time_i} d_t/S_t,
            // constant between event times.
            let first = self.event_times.first().map_or(eta.len(), |t| t.start);
            expected[..first].iter_mut().for_each(|e| *e = 0.0);
            let mut hazard = 0.0;
            for (g, t) in self.event_times.iter().enumerate() {
                hazard += t.events / risk_sum[g];
                let end = self.event_times.get(g + 1).map_or(eta.len(), |u| u.start);
                for (e, &r) in expected[t.start..end]
                    .iter_mut()
                    .zip(&scaled_risk[t.start..end])
                {
                    *e = r * hazard;
                }
            }
            loglik
        } else {
            self.log_risk_sums(eta, log_risk, |i, largest, scaled| {
                running_max[i] = largest;
                scaled_risk[i] = scaled;
            });
            self.expected_on_log_scale(log_risk, running_max, scaled_risk, expected);
            self.loglik_from(eta, log_risk)
        };
        for ((r, &d), &e) in residual.iter_mut().zip(&self.event).zip(expected.iter()) {
            *r = d - e;
        }
        -loglik / eta.len() as f64
    }

    fn residual<'a>(&self, state: &'a CoxState) -> &'a [f64] {
        &state.residual
    }

    /// (1/n)·Σ_t d_t·Cov_t(x_k, x_l), the risk-set covariance weighted by
    /// e^η, computed as (1/n)·[Σ_i expected_i·x_ik·x_il −
    /// Σ_t d_t·m_tk·m_tl] with m_t the risk-set means.
    fn hessian(
        &self,
        columns: &Columns,
        state: &CoxState,
        coords: &[Coord],
        out: &mut [f64],
        workspace: &mut Vec<f64>,
    ) {
        if state.shifted {
            self.shifted_hessian(columns, state, coords, out, workspace);
            return;
        }
        let m = coords.len();
        let n = self.event.len();
        let times = self.event_times.len();
        let [gathered, means, weighted] = carve(workspace, [n * m, m * times, n]);
        // Row i of the coordinates at rows[i·m..(i + 1)·m].
        let rows = columns.rows_of(coords, gathered);
        // One backward pass, event time by event time: running sums of
        // risk·x for every coordinate and of the risk over the risk set,
        // on the evaluation's running scale (rescaled when it changes), so
        // their ratios are the risk-set means; stored scaled by √d_t,
        // column by column: means[k·times + t].
        let mut sums = vec![0.0; m];
        let mut total = 0.0;
        let mut scale_max = f64::NEG_INFINITY;
        let mut end = n;
        for (t, event_time) in self.event_times.iter().enumerate().rev() {
            for i in (event_time.start..end).rev() {
                if state.running_max[i] != scale_max {
                    let rescale = (scale_max - state.running_max[i]).exp();
                    sums.iter_mut().for_each(|s| *s *= rescale);
                    total *= rescale;
                    scale_max = state.running_max[i];
                }
                let risk = state.scaled_risk[i];
                for (sum, &x) in sums.iter_mut().zip(&rows[i * m..(i + 1) * m]) {
                    *sum += risk * x;
                }
                total += risk;
            }
            end = event_time.start;
            let scale = event_time.events.sqrt() / total;
            for (k, &sum) in sums.iter().enumerate() {
                means[k * times + t] = sum * scale;
            }
        }
        let means = RiskSetMeans {
            values: means,
            stride: times,
            times,
        };
        assemble_hessian(columns, coords, &state.expected, &means, weighted, out);
    }
}

impl Deviance for CoxLoss {
    /// 2·(saturated − model) log partial likelihood, as glmnet (≥ 4.1).
    fn deviance(&self, loss: f64) -> f64 {
        2.0 * (self.saturated + self.event.len() as f64 * loss)
    }

    /// The deviance at β = 0.
    fn null_deviance(&self) -> f64 {
        let eta = vec![0.0; self.event.len()];
        2.0 * (self.saturated - self.loglik(&eta, &mut Vec::new()))
    }
}

/// Each coordinate's √d_t-weighted risk-set means, coordinate k's at
/// `values[k·stride..k·stride + times]`.
struct RiskSetMeans<'a> {
    values: &'a [f64],
    stride: usize,
    times: usize,
}

/// Fills the m×m Hessian `out` of the coordinates `coords` (row-major, m =
/// `coords.len()`): (1/n)·(Σ_i E_i·x_ik·x_il − Σ_t m_tk·m_tl), with E the
/// expected events of each row and m_tk coordinate k's √d_t-weighted
/// risk-set means at event time t (see [`RiskSetMeans`]). A non-feature
/// coordinate gets a zero row and column: a Cox model has no intercept, and
/// a constant has no covariance within a risk set. `weighted` (n long) is
/// scratch.
fn assemble_hessian(
    columns: &Columns,
    coords: &[Coord],
    expected: &[f64],
    means: &RiskSetMeans<'_>,
    weighted: &mut [f64],
    out: &mut [f64],
) {
    let m = coords.len();
    let n = expected.len();
    let (stride, times) = (means.stride, means.times);
    let means = means.values;
    for (k, &ck) in coords.iter().enumerate() {
        let Coord::Feature(j) = ck else {
            for l in 0..m {
                out[k * m + l] = 0.0;
                out[l * m + k] = 0.0;
            }
            continue;
        };
        for ((w, &e), &x) in weighted.iter_mut().zip(expected).zip(columns.column(j)) {
            *w = e * x;
        }
        let mk = &means[k * stride..k * stride + times];
        for (l, &cl) in coords.iter().enumerate().skip(k) {
            if let Coord::Feature(jl) = cl {
                let ml = &means[l * stride..l * stride + times];
                let value = (dot(weighted, columns.column(jl)) - dot(mk, ml)) / n as f64;
                out[k * m + l] = value;
                out[l * m + k] = value;
            }
        }
    }
}

/// Σ_t d_t·ln S_t for sums S_t in [1e-200, n], taken as the logarithm
/// of the product Π_t S_t^d_t: one logarithm per evaluation instead of
/// one per event time (which cost as much as the rest of an evaluation).
/// The product is kept as a mantissa in [1, 2) and a separate binary
/// exponent, renormalised after every factor, so it can neither overflow
/// nor underflow; its rounding (one half-ulp per event) is below that of
/// summing the logarithms.
fn log_of_powers(event_times: &[EventTime], sums: &[f64]) -> f64 {
    const EXPONENT_MASK: u64 = 0x7FF << 52;
    const ONE_EXPONENT: u64 = 1023 << 52;
    // Four independent products (event times taken in turn), so the
    // multiply–renormalise chains overlap.
    const LANES: usize = 4;
    let mut mantissa = [1.0_f64; LANES];
    let mut exponent = [0_i64; LANES];
    for (times, sums) in event_times.chunks(LANES).zip(sums.chunks(LANES)) {
        for (lane, (t, &sum)) in times.iter().zip(sums).enumerate() {
            // d_t is a whole number of events.
            for _ in 0..t.events as usize {
                let bits = (mantissa[lane] * sum).to_bits();
                exponent[lane] += ((bits & EXPONENT_MASK) >> 52) as i64 - 1023;
                mantissa[lane] = f64::from_bits((bits & !EXPONENT_MASK) | ONE_EXPONENT);
            }
        }
    }
    let exponent: i64 = exponent.iter().sum();
    let log_mantissa: f64 = mantissa.iter().map(|m| m.ln()).sum();
    log_mantissa + exponent as f64 * std::f64::consts::LN_2
}

/// A Cox problem ready to fit, its rows sorted by time.
pub(crate) fn prepare(
    design: &Design,
    survival: &SurvivalData,
    options: &PenaltyOptions,
    what: &str,
) -> Result<Prepared<CoxLoss>, StatsError> {
    check_lengths(design, survival)?;
    let (loss, order) = CoxLoss::new(survival, what)?;
    let columns = Columns::new(design.matrix(), &order, options.standardize);
    Prepared::new(Family::Cox, design.names().to_vec(), loss, columns, options)
}

/// Checks that the survival data describe the design's rows.
pub(crate) fn check_lengths(design: &Design, survival: &SurvivalData) -> Result<(), StatsError> {
    if survival.len() != design.rows() {
        return Err(StatsError::LengthMismatch {
            what: "survival data".to_owned(),
            expected: design.rows(),
            found: survival.len(),
        });
    }
    Ok(())
}

/// Fits a penalised Cox regression path of `survival` on the terms of
/// `design`.
///
/// Convention (glmnet `family = "cox"`, Breslow ties): at each λ it
/// minimises −(1/n)·log PL(β) + λ·Σ_j pf_j·(α·|β_j| + (1−α)/2·β_j²), with
/// PL Breslow's partial likelihood (every subject with time ≥ t is at risk
/// at t, tied events share one risk set), over predictors standardised
/// with the 1/n SD when `options.standardize`; coefficients come back on
/// the original scale. scikit-survival's `CoxnetSurvivalAnalysis` and
/// statsmodels' `PHReg.fit_regularized` (L1) minimise the same objective.
///
/// Errors: survival data of another length than the design, no events,
/// and the option errors of [`PenaltyOptions`].
pub fn fit_cox_path(
    design: &Design,
    survival: &SurvivalData,
    options: &PenaltyOptions,
) -> Result<PenalizedPath, StatsError> {
    let prepared = prepare(design, survival, options, "survival data")?;
    let lambdas = prepared.lambda_sequence(options)?;
    // glmnet's Cox path stops by rules of its own, not reproduced here: a
    // generated Cox path runs to its end.
    prepared
        .fit(&lambdas, false)
        .map(|FittedPath { path, .. }| path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn survival(time: &[f64], event: &[bool]) -> SurvivalData {
        SurvivalData::new(time.to_vec(), event.to_vec()).unwrap()
    }

    #[test]
    fn breslow_loglik_by_hand_with_a_tie() {
        // Times 1, 2, 2, 3; events at 1, 2, 2; η = (0, ln 2, 0, ln 3).
        // t = 1: risk set all four, S = 1 + 2 + 1 + 3 = 7.
        // t = 2: two events, risk set rows 2..4, S = 2 + 1 + 3 = 6.
        // log PL = 0 − ln 7 + (ln 2 + 0) − 2·ln 6.
        let data = survival(&[2.0, 1.0, 3.0, 2.0], &[true, true, false, true]);
        let (loss, order) = CoxLoss::new(&data, "test").unwrap();
        assert_eq!(order[0], 1);
        let eta_by_subject = [2.0_f64.ln(), 0.0, 3.0_f64.ln(), 0.0];
        let eta: Vec<f64> = order.iter().map(|&i| eta_by_subject[i]).collect();
        let expected = -(7.0_f64.ln()) + 2.0_f64.ln() - 2.0 * 6.0_f64.ln();
        assert!((loss.loglik(&eta, &mut Vec::new()) - expected).abs() < 1e-14);
        let mut state = loss.new_state();
        assert!((loss.evaluate(&eta, &mut state) + expected / 4.0).abs() < 1e-15);
        // The tie of two events: saturated log-likelihood −2·ln 2.
        assert!((loss.saturated_loglik() + 2.0 * 2.0_f64.ln()).abs() < 1e-15);
        // Martingale residuals sum to 0.
        assert!(state.residual.iter().sum::<f64>().abs() < 1e-15);
    }

    #[test]
    fn loglik_survives_risk_sets_far_below_the_largest_predictor() {
        // Times 1, 2, 3, all events; η = (0, 0, 2000). Risk sets {1, 2, 3},
        // {2, 3}, {3}: log PL = (0 − 2000 − ln(1 + 2e^−2000))
        // + (0 − 2000 − ln(1 + e^−2000)) + (2000 − 2000) = −4000.
        let data = survival(&[1.0, 2.0, 3.0], &[true, true, true]);
        let (loss, _) = CoxLoss::new(&data, "test").unwrap();
        assert_eq!(loss.loglik(&[0.0, 0.0, 2000.0], &mut Vec::new()), -4000.0);
        // And far above: η = (2000, 0, 0) gives ln(1/(1 + 2e^−2000))
        // + (0 − ln 2) + 0 = −ln 2.
        // (to the rounding of sums near 2000)
        assert!((loss.loglik(&[2000.0, 0.0, 0.0], &mut Vec::new()) + 2.0_f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn shifted_and_log_scale_evaluations_agree() {
        // Moderate η: the shifted path is taken; redo it on the log scale.
        let time = [1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0, 6.0];
        let event = [true, true, true, false, true, false, true, false];
        let data = survival(&time, &event);
        let (loss, _) = CoxLoss::new(&data, "test").unwrap();
        let eta = [0.3, -1.2, 2.5, 0.0, 0.7, -0.4, 1.1, -2.0];
        let mut state = loss.new_state();
        let value = loss.evaluate(&eta, &mut state);
        let mut log_risk = vec![0.0; loss.event_times.len()];
        let mut running_max = vec![0.0; eta.len()];
        let mut scaled = vec![0.0; eta.len()];
        loss.log_risk_sums(&eta, &mut log_risk, |i, largest, r| {
            running_max[i] = largest;
            scaled[i] = r;
        });
        let mut expected = vec![0.0; eta.len()];
        loss.expected_on_log_scale(&log_risk, &running_max, &scaled, &mut expected);
        assert!((value + loss.loglik_from(&eta, &log_risk) / 8.0).abs() < 1e-15);
        for (a, b) in expected.iter().zip(&state.expected) {
            assert!((a - b).abs() < 1e-15, "{a} vs {b}");
        }
        // Far-apart η take the log-scale path: still finite, and the
        // martingale residuals still sum to 0.
        let far = [0.0, 0.0, 2000.0, -1500.0, 900.0, 0.0, -800.0, 10.0];
        let value = loss.evaluate(&far, &mut state);
        assert!(value.is_finite());
        assert!(state.residual.iter().all(|r| r.is_finite()));
        assert!(state.residual.iter().sum::<f64>().abs() < 1e-12);
    }

    #[test]
    fn lambda_max_is_the_largest_score_over_n() {
        // x = (1, 0, 0) standardised, times 1, 2, 3, events at 1 and 2.
        // Score at β = 0: Σ_events (x_i − mean of risk set).
        // x̃ = (x − 1/3)/√(2/9) = (2, −1, −1)/√2.
        // t = 1: 2/√2 − 0 = √2; t = 2: −1/√2 − (−1/√2) = 0. λ_max = √2/3.
        let design = Design::from_columns(vec![("x".to_owned(), vec![1.0, 0.0, 0.0])]).unwrap();
        let data = survival(&[1.0, 2.0, 3.0], &[true, true, false]);
        let path = fit_cox_path(&design, &data, &PenaltyOptions::default()).unwrap();
        assert!((path.lambda_max - 2.0_f64.sqrt() / 3.0).abs() < 1e-15);
        assert!(path.coefficients[0].iter().all(|&b| b == 0.0));
    }

    #[test]
    fn refuses_no_events_and_mismatched_lengths() {
        let design = Design::from_columns(vec![("x".to_owned(), vec![1.0, 0.0])]).unwrap();
        assert!(matches!(
            fit_cox_path(
                &design,
                &survival(&[1.0, 2.0], &[false, false]),
                &PenaltyOptions::default()
            ),
            Err(StatsError::NoEvents { .. })
        ));
        assert!(matches!(
            fit_cox_path(
                &design,
                &survival(&[1.0], &[true]),
                &PenaltyOptions::default()
            ),
            Err(StatsError::LengthMismatch { .. })
        ));
    }
}
