//! Penalised Cox regression (glmnet `family = "cox"`): the Breslow log
//! partial likelihood over rows sorted by time once, its gradient and
//! exact Hessian by backward risk-set sums, and the path fit.

use super::columns::Columns;
use super::options::PenaltyOptions;
use super::path::{Deviance, FittedPath, Prepared};
use super::solver::{Coord, Loss, dot};
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
    /// glmnet's saturated log-likelihood −Σ_t d_t·log d_t (0 without tied
    /// event times).
    saturated: f64,
}

/// What an evaluation of [`CoxLoss`] leaves.
#[derive(Debug, Clone)]
pub(crate) struct CoxState {
    /// e^(η − max η), rows in time order.
    relative_risk: Vec<f64>,
    /// Risk-set sums S_t = Σ_{k at risk at t} e^(η_k − max η), per event
    /// time.
    risk_sum: Vec<f64>,
    /// Cumulative hazard Σ_{t ≤ time_i} d_t/S_t times e^(η_i − max η),
    /// per row: the expected events, and the Hessian's diagonal weight.
    expected: Vec<f64>,
    /// Martingale residuals δ_i − expected_i.
    residual: Vec<f64>,
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
        Ok((
            CoxLoss {
                event,
                event_times,
                saturated,
            },
            order,
        ))
    }

    /// glmnet's saturated log partial likelihood −Σ_t d_t·log d_t.
    pub(crate) fn saturated_loglik(&self) -> f64 {
        self.saturated
    }

    /// The Breslow log partial likelihood at `eta` (rows in time order),
    /// for any finite η: each risk set's log Σ e^η is accumulated with its
    /// own running maximum, so that a risk set far below the largest η
    /// (coefficients of a fold with a monotone likelihood, scored on the
    /// full data) does not underflow to log 0.
    pub(crate) fn loglik(&self, eta: &[f64]) -> f64 {
        let mut largest = f64::NEG_INFINITY;
        let mut scaled_sum = 0.0;
        let mut next = self.event_times.len();
        let mut log_risk = 0.0;
        for (i, &e) in eta.iter().enumerate().rev() {
            if e > largest {
                scaled_sum = scaled_sum * (largest - e).exp() + 1.0;
                largest = e;
            } else {
                scaled_sum += (e - largest).exp();
            }
            if next > 0 && self.event_times[next - 1].start == i {
                next -= 1;
                log_risk += self.event_times[next].events * (scaled_sum.ln() + largest);
            }
        }
        dot(&self.event, eta) - log_risk
    }

    /// Backward cumulative sums of `values` read at each event time's
    /// first row: Σ over its risk set.
    fn risk_sums(&self, values: &[f64], out: &mut [f64]) {
        let mut acc = 0.0;
        let mut next = self.event_times.len();
        for (i, &v) in values.iter().enumerate().rev() {
            acc += v;
            if next > 0 && self.event_times[next - 1].start == i {
                next -= 1;
                out[next] = acc;
            }
        }
    }

    fn loglik_from(&self, eta: &[f64], shift: f64, risk_sum: &[f64]) -> f64 {
        let linear = dot(&self.event, eta);
        let log_risk: f64 = self
            .event_times
            .iter()
            .zip(risk_sum)
            .map(|(t, &s)| t.events * (s.ln() + shift))
            .sum();
        linear - log_risk
    }
}

impl Loss for CoxLoss {
    type State = CoxState;

    fn new_state(&self) -> CoxState {
        let n = self.event.len();
        CoxState {
            relative_risk: vec![0.0; n],
            risk_sum: vec![0.0; self.event_times.len()],
            expected: vec![0.0; n],
            residual: vec![0.0; n],
        }
    }

    fn rows(&self) -> usize {
        self.event.len()
    }

    fn has_intercept(&self) -> bool {
        false
    }

    fn evaluate(&self, eta: &[f64], state: &mut CoxState) -> f64 {
        // The partial likelihood is unchanged by shifting η; shifting by
        // its maximum keeps every e^η finite.
        let shift = eta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for (r, &e) in state.relative_risk.iter_mut().zip(eta) {
            *r = (e - shift).exp();
        }
        self.risk_sums(&state.relative_risk, &mut state.risk_sum);
        let loglik = self.loglik_from(eta, shift, &state.risk_sum);
        // Forward pass: the Breslow cumulative hazard at each row's time.
        let mut hazard = 0.0;
        let mut next = 0;
        for i in 0..eta.len() {
            while next < self.event_times.len() && self.event_times[next].start <= i {
                hazard += self.event_times[next].events / state.risk_sum[next];
                next += 1;
            }
            let expected = state.relative_risk[i] * hazard;
            state.expected[i] = expected;
            state.residual[i] = self.event[i] - expected;
        }
        -loglik / eta.len() as f64
    }

    fn residual<'a>(&self, state: &'a CoxState) -> &'a [f64] {
        &state.residual
    }

    /// (1/n)·Σ_t d_t·Cov_t(x_k, x_l), the risk-set covariance weighted by
    /// e^η, computed as (1/n)·[Σ_i expected_i·x_ik·x_il −
    /// Σ_t d_t·m_tk·m_tl] with m_t the risk-set means.
    fn hessian(&self, columns: &Columns, state: &CoxState, coords: &[Coord], out: &mut [f64]) {
        let m = coords.len();
        let n = self.event.len();
        let times = self.event_times.len();
        let column = |coord: Coord| match coord {
            Coord::Feature(j) => columns.column(j),
            // Cox models have no intercept; a constant has no covariance.
            Coord::Intercept => &[][..],
        };
        // Risk-set means of each coordinate, scaled by √d_t.
        let mut means = vec![0.0; m * times];
        let mut weighted = vec![0.0; n];
        for (k, &coord) in coords.iter().enumerate() {
            let x = column(coord);
            if x.is_empty() {
                continue;
            }
            for ((w, &r), &xi) in weighted.iter_mut().zip(&state.relative_risk).zip(x) {
                *w = r * xi;
            }
            let row = &mut means[k * times..(k + 1) * times];
            self.risk_sums(&weighted, row);
            for ((mean, t), &s) in row.iter_mut().zip(&self.event_times).zip(&state.risk_sum) {
                *mean *= t.events.sqrt() / s;
            }
        }
        for (k, &ck) in coords.iter().enumerate() {
            let xk = column(ck);
            if xk.is_empty() {
                for l in 0..m {
                    out[k * m + l] = 0.0;
                    out[l * m + k] = 0.0;
                }
                continue;
            }
            for ((w, &e), &xi) in weighted.iter_mut().zip(&state.expected).zip(xk) {
                *w = e * xi;
            }
            let mk = &means[k * times..(k + 1) * times];
            for (l, &cl) in coords.iter().enumerate().skip(k) {
                let xl = column(cl);
                if xl.is_empty() {
                    continue;
                }
                let ml = &means[l * times..(l + 1) * times];
                let value = (dot(&weighted, xl) - dot(mk, ml)) / n as f64;
                out[k * m + l] = value;
                out[l * m + k] = value;
            }
        }
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
        2.0 * (self.saturated - self.loglik(&eta))
    }
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
    prepared.fit(&lambdas).map(|FittedPath { path, .. }| path)
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
        assert!((loss.loglik(&eta) - expected).abs() < 1e-14);
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
        assert_eq!(loss.loglik(&[0.0, 0.0, 2000.0]), -4000.0);
        // And far above: η = (2000, 0, 0) gives ln(1/(1 + 2e^−2000))
        // + (0 − ln 2) + 0 = −ln 2.
        // (to the rounding of sums near 2000)
        assert!((loss.loglik(&[2000.0, 0.0, 0.0]) + 2.0_f64.ln()).abs() < 1e-12);
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
