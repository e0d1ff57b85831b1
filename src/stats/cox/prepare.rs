//! The data of a Cox fit, checked and sorted once for every pass over the
//! risk sets: by stratum, by decreasing time, covariates standardised and
//! stored row by row, tie groups and (with delayed entry) the order in which
//! subjects leave the risk set.

use std::collections::BTreeMap;
use std::ops::Range;

use rayon::prelude::*;

use crate::stats::concordance::{
    Concordance, Counts, Leaving, WalkGroup, count_walk, dense_ranks, order_key,
};
use crate::stats::{Design, StatsError, SurvivalData};

/// Subjects sharing a stratum and a time, at sorted positions
/// `start..end`, the first `events` of them with the event.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TieGroup {
    pub start: usize,
    pub events: usize,
    pub end: usize,
}

/// The data of a Cox fit, sorted once: by stratum, then by decreasing time,
/// events before censored subjects at the same time, then by input
/// position. Covariates are centred on their means and divided by their
/// standard deviations, stored row by row.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// Subjects.
    pub n: usize,
    /// Covariates.
    pub p: usize,
    /// The design's column names.
    pub names: Vec<String>,
    /// Sorted position → input position.
    pub order: Vec<usize>,
    /// Times in sorted order.
    pub time: Vec<f64>,
    /// Event indicators in sorted order.
    pub event: Vec<bool>,
    /// Standardised covariates, sorted, row-major n × p.
    pub x: Vec<f64>,
    /// Column means subtracted.
    pub center: Vec<f64>,
    /// Column standard deviations divided by.
    pub scale: Vec<f64>,
    /// Sorted positions of each stratum.
    pub strata: Vec<Range<usize>>,
    /// The tie groups of each stratum (indices into `groups`).
    pub strata_groups: Vec<Range<usize>>,
    /// Stratum labels, in the order of `strata` (sorted).
    pub strata_labels: Vec<String>,
    /// All tie groups, in sorted order.
    pub groups: Vec<TieGroup>,
    /// Number of events.
    pub events: usize,
    /// Entry times in sorted order, with delayed entry; `None` when every
    /// subject is at risk from time 0.
    pub entry: Option<Vec<f64>>,
    /// With delayed entry: each stratum's sorted positions by decreasing
    /// entry time, the order in which a walk down in time drops subjects
    /// from the risk set (indices into this vector per stratum in
    /// `strata_removals`).
    pub removals: Vec<usize>,
    /// The slice of `removals` of each stratum.
    pub strata_removals: Vec<Range<usize>>,
}

impl Prepared {
    /// Checks and sorts the data. Errors on mismatched lengths, no terms,
    /// no events, an entry time not before its exit time, and a constant
    /// covariate.
    pub fn new(
        data: &SurvivalData,
        design: &Design,
        strata: Option<&[String]>,
        entry: Option<&[f64]>,
    ) -> Result<Prepared, StatsError> {
        let n = data.len();
        let p = design.terms();
        if design.rows() != n {
            return Err(StatsError::LengthMismatch {
                what: "design rows".to_owned(),
                expected: n,
                found: design.rows(),
            });
        }
        if p == 0 {
            return Err(StatsError::invalid_parameter(
                "design",
                "0 terms",
                "at least one covariate",
            ));
        }
        if data.events() == 0 {
            return Err(StatsError::NoEvents {
                what: "the cohort".to_owned(),
            });
        }
        if let Some(entry) = entry {
            check_entry(entry, data.time())?;
        }
        // Stratum codes: labels in sorted order, as R's factor levels.
        // Without strata there are no codes to store: every subject's is 0.
        let (codes, strata_labels): (Option<Vec<usize>>, Vec<String>) = match strata {
            None => (None, vec!["all".to_owned()]),
            Some(labels) => {
                if labels.len() != n {
                    return Err(StatsError::LengthMismatch {
                        what: "strata".to_owned(),
                        expected: n,
                        found: labels.len(),
                    });
                }
                let mut levels: BTreeMap<&str, usize> =
                    labels.iter().map(|l| (l.as_str(), 0)).collect();
                for (code, value) in levels.values_mut().enumerate() {
                    *value = code;
                }
                let codes = labels.iter().map(|l| levels[l.as_str()]).collect();
                (
                    Some(codes),
                    levels.keys().map(|l| (*l).to_owned()).collect(),
                )
            }
        };
        let code = |i: usize| codes.as_ref().map_or(0, |codes| codes[i]);
        let time = data.time();
        let event = data.event();
        // One sort of packed keys: stratum, time descending (−0 and +0
        // equal), events first, input position.
        if n >= 1 << 31 {
            return Err(StatsError::invalid_parameter(
                "subjects",
                n,
                format!("fewer than {}", 1u64 << 31),
            ));
        }
        let mut keys: Vec<u128> = (0..n)
            .into_par_iter()
            .map(|i| {
                (code(i) as u128) << 96
                    | u128::from(!order_key(time[i])) << 32
                    | u128::from(!event[i]) << 31
                    | i as u128
            })
            .collect();
        keys.par_sort_unstable();
        let order: Vec<usize> = keys
            .par_iter()
            .map(|key| (key & 0x7FFF_FFFF) as usize)
            .collect();
        drop(keys);

        // The design is column-major: column j is values[j·n .. (j+1)·n].
        let values = design.matrix().as_slice();
        let names = design.names().to_vec();
        let moments: Vec<(f64, f64, f64)> = values
            .par_chunks(n)
            .map(|column| {
                let mean = column.iter().sum::<f64>() / n as f64;
                let variance = column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
                let spread = column.iter().map(|v| (v - mean).abs()).fold(0.0, f64::max);
                (mean, variance, spread)
            })
            .collect();
        let mut center = vec![0.0; p];
        let mut scale = vec![0.0; p];
        for (j, &(mean, variance, spread)) in moments.iter().enumerate() {
            if !variance.is_finite() || variance <= 0.0 || spread <= 1e-12 * mean.abs() {
                return Err(StatsError::Singular {
                    detail: format!("term \"{}\" is constant", names[j]),
                });
            }
            center[j] = mean;
            scale[j] = variance.sqrt();
        }
        // Standardise into rows in input order (streaming through each
        // column), then move whole rows into sorted order: a row is one or
        // two cache lines, where gathering from the columns would touch p.
        const BLOCK: usize = 4096;
        let mut unsorted = vec![0.0; n * p];
        unsorted
            .par_chunks_mut(BLOCK * p)
            .enumerate()
            .for_each(|(block, rows)| {
                let first = block * BLOCK;
                for (j, (mean, sd)) in center.iter().zip(&scale).enumerate() {
                    let column = &values[j * n + first..j * n + first + rows.len() / p];
                    for (row, value) in rows.chunks_exact_mut(p).zip(column) {
                        row[j] = (value - mean) / sd;
                    }
                }
            });
        let mut x = vec![0.0; n * p];
        x.par_chunks_mut(p)
            .zip(order.par_iter())
            .for_each(|(row, &subject)| {
                row.copy_from_slice(&unsorted[subject * p..subject * p + p]);
            });
        drop(unsorted);

        let sorted_time: Vec<f64> = order.par_iter().map(|&i| time[i]).collect();
        let sorted_event: Vec<bool> = order.par_iter().map(|&i| event[i]).collect();
        let mut strata_ranges = Vec::new();
        let mut strata_groups = Vec::new();
        let mut groups = Vec::new();
        let mut start = 0;
        while start < n {
            let end = match &codes {
                None => n,
                Some(codes) => {
                    let code = codes[order[start]];
                    start
                        + order[start..]
                            .iter()
                            .take_while(|&&i| codes[i] == code)
                            .count()
                }
            };
            let first_group = groups.len();
            let mut group_start = start;
            while group_start < end {
                let at = sorted_time[group_start];
                let group_end = group_start
                    + sorted_time[group_start..end]
                        .iter()
                        .take_while(|&&t| t == at)
                        .count();
                let events = sorted_event[group_start..group_end]
                    .iter()
                    .filter(|&&e| e)
                    .count();
                groups.push(TieGroup {
                    start: group_start,
                    events,
                    end: group_end,
                });
                group_start = group_end;
            }
            strata_ranges.push(start..end);
            strata_groups.push(first_group..groups.len());
            start = end;
        }
        // Delayed entry: per stratum, positions by decreasing entry time.
        let sorted_entry: Option<Vec<f64>> = entry.map(|e| order.iter().map(|&i| e[i]).collect());
        let mut removals = Vec::new();
        let mut strata_removals = Vec::new();
        if let Some(sorted_entry) = &sorted_entry {
            for range in &strata_ranges {
                let first = removals.len();
                removals.extend(range.clone());
                removals[first..].sort_unstable_by(|&a: &usize, &b: &usize| {
                    sorted_entry[b].total_cmp(&sorted_entry[a]).then(a.cmp(&b))
                });
                strata_removals.push(first..removals.len());
            }
        }
        let strata_labels = strata_ranges
            .iter()
            .map(|range| strata_labels[code(order[range.start])].clone())
            .collect();
        Ok(Prepared {
            n,
            p,
            names,
            order,
            time: sorted_time,
            event: sorted_event,
            x,
            center,
            scale,
            strata: strata_ranges,
            strata_groups,
            strata_labels,
            groups,
            events: data.events(),
            entry: sorted_entry,
            removals,
            strata_removals,
        })
    }

    /// With delayed entry, the sorted positions that leave the risk set
    /// before the tie group at `time` is processed: those of the stratum's
    /// removal list from `*next` on whose entry time is at or after `time`
    /// (a subject is at risk at t when entry < t ≤ exit). Advances `*next`.
    pub fn leaving(&self, stratum: usize, time: f64, next: &mut usize) -> &[usize] {
        let (Some(entry), Some(range)) = (&self.entry, self.strata_removals.get(stratum)) else {
            return &[];
        };
        let list = &self.removals[range.clone()];
        let start = (*next).min(list.len());
        let count = list[start..]
            .iter()
            .take_while(|&&row| entry[row] >= time)
            .count();
        *next = start + count;
        &list[start..start + count]
    }

    /// Harrell's C of `score` (one value per subject, in the sorted order)
    /// within the strata, walking the sorted order already made (see
    /// [`crate::stats::concordance`] for the rules).
    pub fn concordance(&self, score: &[f64]) -> Result<Concordance, StatsError> {
        let mut total = Counts::default();
        for (stratum, (range, groups)) in self.strata.iter().zip(&self.strata_groups).enumerate() {
            let offset = range.start;
            let (rank, distinct) = dense_ranks(score[range.clone()].iter().copied());
            // Sorted groups hold their events first, then the censored.
            let walk = self.groups[groups.clone()].iter().map(|g| WalkGroup {
                time: self.time[g.start],
                censored: g.start + g.events - offset..g.end - offset,
                events: g.start - offset..g.start + g.events - offset,
            });
            let by_entry: Vec<usize> = match (&self.entry, self.strata_removals.get(stratum)) {
                (Some(_), Some(removals)) => self.removals[removals.clone()]
                    .iter()
                    .map(|&k| k - offset)
                    .collect(),
                _ => Vec::new(),
            };
            let leaving = self.entry.as_ref().map(|entry| Leaving {
                by_entry: &by_entry,
                entry: &entry[range.clone()],
            });
            total.add(&count_walk(&rank, distinct, walk, leaving));
        }
        total.into_concordance()
    }

    /// The covariate of sorted row `row`, column `j`, on the original scale.
    pub fn original(&self, row: usize, j: usize) -> f64 {
        self.x[row * self.p + j] * self.scale[j] + self.center[j]
    }

    /// x·β on the original scale (not centred), in input order.
    pub fn linear_predictor_original(&self, beta: &[f64]) -> Vec<f64> {
        let sorted = self.linear_predictor_sorted(beta);
        let mut lp = vec![0.0; self.n];
        for (&value, &subject) in sorted.iter().zip(&self.order) {
            lp[subject] = value;
        }
        lp
    }

    /// x·β on the original scale (not centred), in the sorted order: what
    /// the concordance walks, without the scatter to input order and back.
    pub fn linear_predictor_sorted(&self, beta: &[f64]) -> Vec<f64> {
        (0..self.n)
            .into_par_iter()
            .map(|row| (0..self.p).map(|j| self.original(row, j) * beta[j]).sum())
            .collect()
    }
}

/// Refuses entry times that are not finite or not before the exit time
/// (R: "Stop time must be > start time").
fn check_entry(entry: &[f64], time: &[f64]) -> Result<(), StatsError> {
    if entry.len() != time.len() {
        return Err(StatsError::LengthMismatch {
            what: "entry".to_owned(),
            expected: time.len(),
            found: entry.len(),
        });
    }
    for (index, (&start, &stop)) in entry.iter().zip(time).enumerate() {
        if !start.is_finite() {
            return Err(StatsError::NonFinite {
                what: "entry".to_owned(),
                index,
                value: start,
            });
        }
        if start >= stop {
            return Err(StatsError::OutOfRange {
                what: "entry".to_owned(),
                index,
                value: start,
                expected: format!("expected an entry time before the exit time {stop}"),
            });
        }
    }
    Ok(())
}
