//! The baseline cumulative hazard of a fitted Cox model at the covariate
//! means, as R's `-log(survfit(fit, type = "aalen")$surv)` (Breslow's
//! estimator, `ctype = 1`): at each distinct time t of a stratum,
//! H(t) = Σ_{s ≤ t} d_s / Σ_{risk set at s} exp((x − x̄)·β), with x̄ the
//! means over all subjects (R centres at `fit$means`). With delayed entry
//! the risk set at t holds the subjects with entry < t ≤ exit.

use serde::Serialize;

use super::CoxModel;
use crate::stats::StatsError;

/// One stratum's baseline cumulative hazard at every distinct time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineHazard {
    /// The stratum label (`all` without strata).
    pub stratum: String,
    /// The distinct times of the stratum (events and censorings), ascending.
    pub time: Vec<f64>,
    /// H(t) at those times, at the covariate means.
    pub cumulative_hazard: Vec<f64>,
}

impl CoxModel {
    /// The baseline cumulative hazard of each stratum at the covariate means
    /// (Breslow / Aalen type, as R `survfit(fit, type = "aalen")`).
    /// Errors when exp(x·β) overflows.
    pub fn baseline_cumulative_hazard(&self) -> Result<Vec<BaselineHazard>, StatsError> {
        let prepared = &self.fitted.prepared;
        let beta = &self.fitted.beta_std;
        let p = prepared.p;
        // (x − x̄)·β, which is x·β on the standardised scale.
        let eta: Vec<f64> = prepared
            .x
            .chunks_exact(p)
            .map(|row| row.iter().zip(beta).map(|(x, b)| x * b).sum())
            .collect();
        let mut result = Vec::with_capacity(prepared.strata.len());
        for (stratum, ((range, groups), label)) in prepared
            .strata
            .iter()
            .zip(&prepared.strata_groups)
            .zip(&prepared.strata_labels)
            .enumerate()
        {
            // Sums of exp(η − m) with m the stratum's largest η, so that
            // exp() cannot overflow; each increment is then scaled by
            // exp(−m).
            let m = eta[range.clone()]
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max);
            let mut sum = 0.0;
            let mut increments = Vec::with_capacity(groups.len());
            let mut next_removal = 0;
            for group in &prepared.groups[groups.clone()] {
                let at = prepared.time[group.start];
                for &row in prepared.leaving(stratum, at, &mut next_removal) {
                    sum -= (eta[row] - m).exp();
                }
                sum += eta[group.start..group.end]
                    .iter()
                    .map(|e| (e - m).exp())
                    .sum::<f64>();
                increments.push((prepared.time[group.start], group.events as f64 / sum));
            }
            let restore = (-m).exp();
            let mut time = Vec::with_capacity(increments.len());
            let mut cumulative_hazard = Vec::with_capacity(increments.len());
            let mut total = 0.0;
            for &(t, increment) in increments.iter().rev() {
                total += increment * restore;
                time.push(t);
                cumulative_hazard.push(total);
            }
            if let Some(index) = cumulative_hazard.iter().position(|h| !h.is_finite()) {
                return Err(StatsError::NonFinite {
                    what: format!("baseline cumulative hazard of stratum {label}"),
                    index,
                    value: cumulative_hazard[index],
                });
            }
            result.push(BaselineHazard {
                stratum: label.clone(),
                time,
                cumulative_hazard,
            });
        }
        Ok(result)
    }
}
