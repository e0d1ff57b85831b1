//! The test of proportional hazards of R's `cox.zph`, in its definition
//! since survival 3.0 (checked against survival 3.5-3): for a function g of
//! time, the Cox model is extended with covariates g(t)·x and the score test
//! of their coefficients γ = 0 is computed at (β̂, 0), with the full
//! information matrix of the extended model — per term (β free, the term's
//! γ tested) and globally (all γ). Before 3.0, `cox.zph` (and lifelines'
//! `proportional_hazard_test`) used an approximation built from the scaled
//! Schoenfeld residuals alone; the two differ in the second or third digit.
//!
//! g is the time transformed (`km`: 1 − the left-continuous Kaplan–Meier
//! estimate of all subjects pooled; `identity`; `rank`: average ranks of all
//! subjects' times) and centred on its mean over the events. Tied events
//! use the model's own tie handling. The scaled Schoenfeld residuals are
//! returned as R's `cox.zph(fit, terms = FALSE)$y` (one column per
//! coefficient, β̂ added), for plotting β(t).

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use super::hypothesis::chi_square_p;
use super::likelihood::risk_weights;
use super::{CoxModel, Ties};
use crate::stats::StatsError;
use crate::stats::formula::TermColumns;

/// The time scale g(t) of the test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ZphTransform {
    /// 1 − Kaplan–Meier (left-continuous), R's default.
    #[default]
    Km,
    /// The time itself.
    Identity,
    /// The rank of the time among all subjects (ties averaged).
    Rank,
}

/// One line of the test table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZphRow {
    /// The term (or `GLOBAL`).
    pub term: String,
    /// The score statistic.
    pub chisq: f64,
    /// Its degrees of freedom (the term's columns).
    pub df: usize,
    /// Upper-tail chi-square p-value.
    pub p: f64,
}

/// The proportional-hazards test table and the scaled Schoenfeld residuals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZphResult {
    /// The time transform used.
    pub transform: ZphTransform,
    /// One row per term.
    pub table: Vec<ZphRow>,
    /// The global test of all terms.
    pub global: ZphRow,
    /// The design columns of the residuals.
    pub columns: Vec<String>,
    /// The event times, by stratum and then ascending (R's order).
    pub time: Vec<f64>,
    /// g(t) at those times, before centring (R's `x`).
    pub transformed_time: Vec<f64>,
    /// The stratum of each event.
    pub strata: Vec<String>,
    /// Scaled Schoenfeld residuals + β̂, one row per event, one column per
    /// coefficient; `None` for a coefficient whose covariate is constant in
    /// the event's stratum (R's NA).
    pub scaled_residuals: Vec<Vec<Option<f64>>>,
}

impl CoxModel {
    /// The proportional-hazards test of R's `cox.zph(fit, transform)`
    /// (survival ≥ 3.0). `terms` groups design columns into the model's
    /// terms (a factor's dummies form one term with several degrees of
    /// freedom, as R); `None` tests each column alone (R's `terms = FALSE`).
    pub fn zph(
        &self,
        transform: ZphTransform,
        terms: Option<&[TermColumns]>,
    ) -> Result<ZphResult, StatsError> {
        let prepared = &self.fitted.prepared;
        let p = prepared.p;
        let n = prepared.n;
        if prepared.entry.is_some() {
            return Err(StatsError::invalid_parameter(
                "cox.zph",
                "a model with delayed entry",
                "a model without entry times (R's counting-process variant is not implemented)",
            ));
        }
        let groups: Vec<TermColumns> = match terms {
            Some(terms) => {
                for term in terms {
                    if term.columns.is_empty() {
                        return Err(StatsError::invalid_parameter(
                            format!("term \"{}\"", term.label),
                            "no columns",
                            "at least one design column",
                        ));
                    }
                    if let Some(&column) = term.columns.iter().find(|&&c| c >= p) {
                        return Err(StatsError::invalid_parameter(
                            format!("term \"{}\"", term.label),
                            format!("column {column}"),
                            format!("a column below {p}"),
                        ));
                    }
                }
                terms.to_vec()
            }
            None => (0..p)
                .map(|j| TermColumns {
                    label: prepared.names[j].clone(),
                    columns: vec![j],
                })
                .collect(),
        };

        // g(t) of each sorted subject, centred on its mean over the events.
        let transformed = transform_times(&prepared.time, &prepared.event, transform);
        let event_mean = transformed
            .iter()
            .zip(&prepared.event)
            .filter(|(_, e)| **e)
            .map(|(g, _)| g)
            .sum::<f64>()
            / prepared.events as f64;

        let Some((_, risk)) = risk_weights(prepared, &self.fitted.beta_std) else {
            return Err(StatsError::NonFinite {
                what: "linear predictor".to_owned(),
                index: 0,
                value: f64::INFINITY,
            });
        };
        let q = 2 * p;
        let mut u = vec![0.0; q];
        let mut imat = vec![0.0; q * q];
        // Unscaled Schoenfeld residuals (standardised covariates), sorted order.
        let mut schoenfeld = vec![0.0; n * p];
        let x = &prepared.x;
        let mut s1 = vec![0.0; p];
        let mut s2 = vec![0.0; p * p];
        let mut e1 = vec![0.0; p];
        let mut e2 = vec![0.0; p * p];
        let mut mean = vec![0.0; p];
        let mut mean_of_means = vec![0.0; p];
        for groups_of_stratum in &prepared.strata_groups {
            let mut s0 = 0.0;
            s1.fill(0.0);
            s2.fill(0.0);
            for group in &prepared.groups[groups_of_stratum.clone()] {
                let (e0, d) = add_group(
                    x,
                    &risk,
                    p,
                    group.start,
                    group.end,
                    group.events,
                    &mut s0,
                    &mut s1,
                    &mut s2,
                    &mut e1,
                    &mut e2,
                );
                if d == 0 {
                    continue;
                }
                let g = transformed[group.start] - event_mean;
                for row in group.start..group.start + d {
                    for i in 0..p {
                        u[i] += x[row * p + i];
                        u[p + i] += g * x[row * p + i];
                    }
                }
                let efron = self.ties == Ties::Efron && d > 1;
                let (repeats, multiplicity) = if efron { (d, 1.0) } else { (1, d as f64) };
                mean_of_means.fill(0.0);
                for k in 0..repeats {
                    let f = if efron { k as f64 / d as f64 } else { 0.0 };
                    let denominator = s0 - f * e0;
                    for i in 0..p {
                        mean[i] = (s1[i] - f * e1[i]) / denominator;
                        mean_of_means[i] += mean[i] / repeats as f64;
                        u[i] -= multiplicity * mean[i];
                        u[p + i] -= g * multiplicity * mean[i];
                    }
                    for i in 0..p {
                        for j in 0..p {
                            let v = multiplicity
                                * ((s2[i * p + j] - f * e2[i * p + j]) / denominator
                                    - mean[i] * mean[j]);
                            imat[i * q + j] += v;
                            imat[i * q + p + j] += g * v;
                            imat[(p + i) * q + j] += g * v;
                            imat[(p + i) * q + p + j] += g * g * v;
                        }
                    }
                }
                for row in group.start..group.start + d {
                    for i in 0..p {
                        schoenfeld[row * p + i] = x[row * p + i] - mean_of_means[i];
                    }
                }
            }
        }

        // Score tests: the β part of the score is set to zero (β̂ is the
        // estimate), as R does.
        let test = |gamma_columns: &[usize]| -> Result<f64, StatsError> {
            let index: Vec<usize> = (0..p).chain(gamma_columns.iter().map(|&c| p + c)).collect();
            let size = index.len();
            let sub = DMatrix::from_fn(size, size, |a, b| imat[index[a] * q + index[b]]);
            let rhs = DVector::from_fn(size, |a, _| if a < p { 0.0 } else { u[index[a]] });
            let cholesky = sub.cholesky().ok_or_else(|| StatsError::Singular {
                detail: "information of the time-varying model is not positive definite \
                         (are all events at one time?)"
                    .to_owned(),
            })?;
            let solution = cholesky.solve(&rhs);
            Ok(solution.dot(&rhs))
        };
        let mut table = Vec::with_capacity(groups.len());
        for term in &groups {
            let chisq = test(&term.columns)?;
            let df = term.columns.len();
            table.push(ZphRow {
                term: term.label.clone(),
                chisq,
                df,
                p: chi_square_p(chisq, df),
            });
        }
        let all: Vec<usize> = (0..p).collect();
        let chisq = test(&all)?;
        let global = ZphRow {
            term: "GLOBAL".to_owned(),
            chisq,
            df: p,
            p: chi_square_p(chisq, p),
        };

        let residuals = self.scale_residuals(&schoenfeld, &imat, q)?;
        Ok(ZphResult {
            transform,
            table,
            global,
            columns: prepared.names.clone(),
            time: residuals.iter().map(|r| prepared.time[r.row]).collect(),
            transformed_time: residuals.iter().map(|r| transformed[r.row]).collect(),
            strata: residuals
                .iter()
                .map(|r| prepared.strata_labels[r.stratum].clone())
                .collect(),
            scaled_residuals: residuals.into_iter().map(|r| r.values).collect(),
        })
    }

    /// Scales the Schoenfeld residuals as R's `cox.zph`: per stratum, by
    /// the inverse of the average information per event over the
    /// covariates that vary in that stratum, on the original scale, then
    /// adds β̂. Rows come in R's order (stratum, ascending time, input
    /// order).
    fn scale_residuals(
        &self,
        schoenfeld: &[f64],
        imat: &[f64],
        q: usize,
    ) -> Result<Vec<ResidualRow>, StatsError> {
        let prepared = &self.fitted.prepared;
        let p = prepared.p;
        let scale = &prepared.scale;
        // Events of each stratum where each covariate varies (R's `used`).
        let used: Vec<Vec<usize>> = prepared
            .strata
            .iter()
            .zip(&prepared.strata_groups)
            .map(|(range, groups)| {
                let events: usize = prepared.groups[groups.clone()]
                    .iter()
                    .map(|g| g.events)
                    .sum();
                (0..p)
                    .map(|j| {
                        let first = prepared.x[range.start * p + j];
                        let varies = range.clone().any(|row| prepared.x[row * p + j] != first);
                        if varies { events } else { 0 }
                    })
                    .collect()
            })
            .collect();
        // Information per event on the original scale (R's `vmean`); with
        // x̃ = x / s the information scales as I = s_i·s_j·Ĩ.
        let vmean = |i: usize, j: usize| {
            let weight: usize = used.iter().map(|u| u[i].min(u[j])).sum();
            imat[i * q + j] * (scale[i] * scale[j]) / if weight == 0 { 1.0 } else { weight as f64 }
        };
        let beta = &self.fitted.beta;
        let mut rows = Vec::with_capacity(prepared.events);
        for (stratum, groups) in prepared.strata_groups.iter().enumerate() {
            let varying: Vec<usize> = (0..p).filter(|&j| used[stratum][j] > 0).collect();
            let k = varying.len();
            let lu = DMatrix::from_fn(k, k, |a, b| vmean(varying[a], varying[b])).lu();
            for group in prepared.groups[groups.clone()].iter().rev() {
                for row in group.start..group.start + group.events {
                    let raw = DVector::from_fn(k, |a, _| {
                        schoenfeld[row * p + varying[a]] * scale[varying[a]]
                    });
                    let solved =
                        if k == 0 { Some(raw) } else { lu.solve(&raw) }.ok_or_else(|| {
                            StatsError::Singular {
                                detail: "average information of a stratum is singular".to_owned(),
                            }
                        })?;
                    let mut values = vec![None; p];
                    for (a, &j) in varying.iter().enumerate() {
                        values[j] = Some(solved[a] + beta[j]);
                    }
                    rows.push(ResidualRow {
                        row,
                        stratum,
                        values,
                    });
                }
            }
        }
        Ok(rows)
    }
}

struct ResidualRow {
    row: usize,
    stratum: usize,
    values: Vec<Option<f64>>,
}

/// Adds the tie group `start..end` (its first `events` rows the events) to
/// the risk-set sums, and returns the events' own E0 (filling `e1`, `e2`)
/// and their number.
#[allow(clippy::too_many_arguments)]
fn add_group(
    x: &[f64],
    risk: &[f64],
    p: usize,
    start: usize,
    end: usize,
    events: usize,
    s0: &mut f64,
    s1: &mut [f64],
    s2: &mut [f64],
    e1: &mut [f64],
    e2: &mut [f64],
) -> (f64, usize) {
    let mut e0 = 0.0;
    e1.fill(0.0);
    e2.fill(0.0);
    for row in start..end {
        let r = risk[row];
        let xr = &x[row * p..row * p + p];
        *s0 += r;
        let is_event = row < start + events;
        if is_event {
            e0 += r;
        }
        for i in 0..p {
            s1[i] += r * xr[i];
            if is_event {
                e1[i] += r * xr[i];
            }
            for j in 0..p {
                s2[i * p + j] += r * xr[i] * xr[j];
                if is_event {
                    e2[i * p + j] += r * xr[i] * xr[j];
                }
            }
        }
    }
    (e0, events)
}

/// g(t) for each sorted subject (see the module documentation).
fn transform_times(time: &[f64], event: &[bool], transform: ZphTransform) -> Vec<f64> {
    match transform {
        ZphTransform::Identity => time.to_vec(),
        ZphTransform::Rank => average_ranks(time),
        ZphTransform::Km => {
            // Kaplan–Meier of all subjects pooled, evaluated just before
            // each time: 1 − S(t−).
            let mut order: Vec<usize> = (0..time.len()).collect();
            order.sort_unstable_by(|&a, &b| time[a].total_cmp(&time[b]));
            let mut before = vec![0.0; time.len()];
            let mut survival = 1.0;
            let mut at_risk = time.len() as f64;
            let mut start = 0;
            while start < order.len() {
                let at = time[order[start]];
                let end = start
                    + order[start..]
                        .iter()
                        .take_while(|&&i| time[i] == at)
                        .count();
                for &i in &order[start..end] {
                    before[i] = 1.0 - survival;
                }
                let deaths = order[start..end].iter().filter(|&&i| event[i]).count() as f64;
                survival *= 1.0 - deaths / at_risk;
                at_risk -= (end - start) as f64;
                start = end;
            }
            before
        }
    }
}

/// Ranks 1..n with ties given their average rank (R's `rank`).
fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let at = values[order[start]];
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&i| values[i] == at)
                .count();
        // Positions start+1 ..= end share their mean.
        let average = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = average;
        }
        start = end;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        // 3.0 twice at positions 2 and 3 -> 2.5 each.
        assert_eq!(
            average_ranks(&[5.0, 3.0, 1.0, 3.0]),
            vec![4.0, 2.5, 1.0, 2.5]
        );
    }

    #[test]
    fn km_transform_is_left_continuous() {
        // Times 1 (event), 2 (censored), 3 (event), 4 (event):
        // S = 1 before 1; 3/4 from 1; 3/4 * (1 - 1/2) = 3/8 from 3; 0 from 4.
        // 1 − S(t−): t=1 → 0, t=2 → 1/4, t=3 → 1/4, t=4 → 5/8.
        let g = transform_times(
            &[4.0, 3.0, 2.0, 1.0],
            &[true, true, false, true],
            ZphTransform::Km,
        );
        assert_eq!(g, vec![0.625, 0.25, 0.25, 0.0]);
    }
}
