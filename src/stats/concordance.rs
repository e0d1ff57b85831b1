//! Harrell's concordance index (C) of a risk score against right-censored
//! survival, with R's tie rules (`survival::concordance`, timewt "n").
//!
//! A pair of subjects is *comparable* when the one with the shorter time had
//! the event; when both times are equal the pair is comparable only if
//! exactly one had the event, and that one counts as the shorter. Pairs with
//! equal times and two events are left out. A comparable pair is
//! *concordant* when the shorter-lived subject has the higher score (higher
//! score = higher risk = shorter survival), *discordant* when it has the
//! lower, and *tied* on the score otherwise, counting one half:
//! C = (concordant + tied / 2) / comparable.
//!
//! Counting is O(n log n): subjects are visited from the longest time down
//! while counts over the score ranks (a Fenwick tree over blocks of 64
//! ranks plus the count of each rank) hold everyone with a longer time (and
//! the censored subjects sharing the current time), so each event asks how
//! many lower, equal and higher scores it is compared with. With delayed
//! entry ([`concordance_index_with_entry`]) a subject leaves the counts once the
//! walk reaches its entry time, so an event is compared only with subjects
//! at risk then.

use std::ops::Range;

use rayon::prelude::*;
use serde::Serialize;

use super::{StatsError, SurvivalData};

/// Harrell's C and the pair counts it comes from. Counts are exact integers
/// (held as `u64`), so C is exact up to one division.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concordance {
    /// (concordant + tied_risk / 2) / comparable_pairs.
    pub cindex: f64,
    /// Pairs that can be ordered by their outcome.
    pub comparable_pairs: u64,
    /// Comparable pairs where the shorter time has the higher score.
    pub concordant: u64,
    /// Comparable pairs where the shorter time has the lower score.
    pub discordant: u64,
    /// Comparable pairs with equal scores (each counts 1/2).
    pub tied_risk: u64,
    /// Pairs left out because both had the event at the same time.
    pub tied_time: u64,
}

/// Harrell's C of `score` (higher = higher risk) for the subjects of `data`,
/// with R's tie rules (see the module documentation).
///
/// Errors when the lengths differ, a score is not finite, or no pair is
/// comparable (no events, or only events at one time with nobody beyond).
pub fn concordance_index(data: &SurvivalData, score: &[f64]) -> Result<Concordance, StatsError> {
    let all: Vec<usize> = (0..data.len()).collect();
    concordance_index_stratified(data, score, &[all])
}

/// Harrell's C with pairs formed only within each group of `strata` (lists
/// of subject indices, as R's `concordance` with `strata()`); the counts of
/// all strata are added before dividing. Subjects in no group are ignored.
pub fn concordance_index_stratified(
    data: &SurvivalData,
    score: &[f64],
    strata: &[Vec<usize>],
) -> Result<Concordance, StatsError> {
    concordance_index_with_entry(data, score, strata, None)
}

/// Harrell's C within strata (as [`concordance_index_stratified`]), with
/// delayed entry when `entry` is given: a subject is then compared with an
/// event at time t only if it was at risk then (entry < t ≤ its time), as
/// R's `concordance` on `Surv(entry, time, event)`. Errors also on an entry
/// time that is not finite or not before the subject's time.
pub fn concordance_index_with_entry(
    data: &SurvivalData,
    score: &[f64],
    strata: &[Vec<usize>],
    entry: Option<&[f64]>,
) -> Result<Concordance, StatsError> {
    if let Some(entry) = entry {
        if entry.len() != data.len() {
            return Err(StatsError::LengthMismatch {
                what: "entry".to_owned(),
                expected: data.len(),
                found: entry.len(),
            });
        }
        if let Some((index, &value)) = entry
            .iter()
            .enumerate()
            .find(|&(i, e)| !e.is_finite() || *e >= data.time()[i])
        {
            return Err(StatsError::OutOfRange {
                what: "entry".to_owned(),
                index,
                value,
                expected: "expected a finite entry time before the subject's time".to_owned(),
            });
        }
    }
    if score.len() != data.len() {
        return Err(StatsError::LengthMismatch {
            what: "score".to_owned(),
            expected: data.len(),
            found: score.len(),
        });
    }
    if let Some(index) = score.iter().position(|s| !s.is_finite()) {
        return Err(StatsError::NonFinite {
            what: "score".to_owned(),
            index,
            value: score[index],
        });
    }
    if data.len() > u32::MAX as usize {
        return Err(StatsError::invalid_parameter(
            "subjects",
            data.len(),
            format!("at most {}", u32::MAX),
        ));
    }
    let mut total = Counts::default();
    for members in strata {
        if let Some(&index) = members.iter().find(|&&i| i >= data.len()) {
            return Err(StatsError::OutOfRange {
                what: "stratum member".to_owned(),
                index,
                value: index as f64,
                expected: format!("expected a subject index below {}", data.len()),
            });
        }
        total.add(&count_pairs(
            data.time(),
            data.event(),
            score,
            members,
            entry,
        ));
    }
    total.into_concordance()
}

/// Pair counts of one or more strata.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Counts {
    concordant: u64,
    discordant: u64,
    tied_risk: u64,
    tied_time: u64,
}

impl Counts {
    /// Adds another stratum's counts.
    pub(crate) fn add(&mut self, other: &Counts) {
        self.concordant += other.concordant;
        self.discordant += other.discordant;
        self.tied_risk += other.tied_risk;
        self.tied_time += other.tied_time;
    }

    /// C from the counts; an error when no pair is comparable.
    pub(crate) fn into_concordance(self) -> Result<Concordance, StatsError> {
        let comparable = self.concordant + self.discordant + self.tied_risk;
        if comparable == 0 {
            return Err(StatsError::TooFewObservations {
                what: "comparable pairs for the concordance index".to_owned(),
                found: 0,
                needed: 1,
            });
        }
        Ok(Concordance {
            cindex: (self.concordant as f64 + 0.5 * self.tied_risk as f64) / comparable as f64,
            comparable_pairs: comparable,
            concordant: self.concordant,
            discordant: self.discordant,
            tied_risk: self.tied_risk,
            tied_time: self.tied_time,
        })
    }
}

/// A key whose unsigned order is the numeric order of a finite `value`,
/// with −0 and +0 equal.
pub(crate) fn order_key(value: f64) -> u64 {
    let bits = (value + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// Dense 1-based ranks of `scores` (equal scores share a rank) and the
/// number of distinct values.
pub(crate) fn dense_ranks(scores: impl Iterator<Item = f64>) -> (Vec<u32>, u32) {
    let mut keys: Vec<u128> = scores
        .enumerate()
        .map(|(position, score)| (u128::from(order_key(score)) << 64) | position as u128)
        .collect();
    keys.par_sort_unstable();
    let mut rank = vec![0u32; keys.len()];
    let mut distinct = 0u32;
    let mut previous = None;
    for key in &keys {
        let value = (key >> 64) as u64;
        if previous != Some(value) {
            distinct += 1;
            previous = Some(value);
        }
        rank[(key & u128::from(u64::MAX)) as usize] = distinct;
    }
    (rank, distinct)
}

/// One time of the walk: the positions of its censored subjects and of
/// its events.
pub(crate) struct WalkGroup {
    pub time: f64,
    pub censored: Range<usize>,
    pub events: Range<usize>,
}

/// Subjects that stop being at risk as the walk goes down in time: their
/// positions by decreasing entry time, and each position's entry time.
pub(crate) struct Leaving<'a> {
    pub by_entry: &'a [usize],
    pub entry: &'a [f64],
}

/// Counts the pairs of one stratum walking its times from the longest
/// down. `rank[k]` is the score rank of position k (1..=`distinct`); each
/// group's censored subjects enter the tree before its events are counted
/// against it, as they outlive them; with delayed entry, subjects leave
/// the tree once the walk reaches their entry time.
pub(crate) fn count_walk(
    rank: &[u32],
    distinct: u32,
    groups: impl Iterator<Item = WalkGroup>,
    leaving: Option<Leaving>,
) -> Counts {
    let mut counts = Counts::default();
    let mut tree = RankCounts::new(distinct);
    let mut next_leaving = 0;
    for group in groups {
        if let Some(leaving) = &leaving {
            // Entered at or after this time: not at risk here. Such a
            // subject's exit is later, so it is in the tree.
            while let Some(&position) = leaving.by_entry.get(next_leaving)
                && leaving.entry[position] >= group.time
            {
                tree.remove(rank[position]);
                next_leaving += 1;
            }
        }
        for position in group.censored.clone() {
            tree.add(rank[position]);
        }
        let in_tree = tree.total();
        for position in group.events.clone() {
            let r = rank[position];
            let below = tree.below(r);
            let equal = tree.count(r);
            counts.concordant += below;
            counts.tied_risk += equal;
            counts.discordant += in_tree - below - equal;
        }
        let d = group.events.len() as u64;
        counts.tied_time += d * d.saturating_sub(1) / 2;
        for position in group.events {
            tree.add(rank[position]);
        }
    }
    counts
}

/// Pair counts among `members` (valid indices, finite scores), sorting
/// them by time on packed integer keys, censored before events at a time.
fn count_pairs(
    time: &[f64],
    event: &[bool],
    score: &[f64],
    members: &[usize],
    entry: Option<&[f64]>,
) -> Counts {
    let m = members.len();
    if m < 2 {
        return Counts::default();
    }
    let mut by_time: Vec<u128> = members
        .iter()
        .enumerate()
        .map(|(position, &subject)| {
            (u128::from(!order_key(time[subject])) << 64)
                | (u128::from(event[subject]) << 32)
                | position as u128
        })
        .collect();
    by_time.par_sort_unstable();
    // Walk position k holds subject members[order[k]].
    let order: Vec<usize> = by_time
        .iter()
        .map(|key| (key & 0xFFFF_FFFF) as usize)
        .collect();
    drop(by_time);
    let subject = |k: usize| members[order[k]];
    let (rank, distinct) = dense_ranks((0..m).map(|k| score[subject(k)]));
    let mut groups = Vec::new();
    let mut start = 0;
    while start < m {
        let at = time[subject(start)];
        let end = start + (start..m).take_while(|&k| time[subject(k)] == at).count();
        let first_event = start + (start..end).take_while(|&k| !event[subject(k)]).count();
        groups.push(WalkGroup {
            time: at,
            censored: start..first_event,
            events: first_event..end,
        });
        start = end;
    }
    let entry_by_position: Vec<f64>;
    let by_entry: Vec<usize>;
    let leaving = match entry {
        Some(entry) => {
            entry_by_position = (0..m).map(|k| entry[subject(k)]).collect();
            let mut keys: Vec<u128> = entry_by_position
                .iter()
                .enumerate()
                .map(|(k, &e)| (u128::from(!order_key(e)) << 64) | k as u128)
                .collect();
            keys.par_sort_unstable();
            by_entry = keys
                .iter()
                .map(|key| (key & 0xFFFF_FFFF) as usize)
                .collect();
            Some(Leaving {
                by_entry: &by_entry,
                entry: &entry_by_position,
            })
        }
        None => None,
    };
    count_walk(&rank, distinct, groups.into_iter(), leaving)
}

/// Counts of scores by rank, answering "how many below rank r" in two
/// short steps: a Fenwick tree over blocks of 64 ranks (small enough to
/// stay in cache) and a scan of the counts inside r's block.
struct RankCounts {
    exact: Vec<u32>,
    blocks: Vec<u32>,
    total: u64,
}

/// Ranks per block of [`RankCounts`].
const RANK_BLOCK: usize = 64;

impl RankCounts {
    fn new(distinct: u32) -> RankCounts {
        let size = distinct as usize + 1;
        RankCounts {
            exact: vec![0; size],
            blocks: vec![0; size / RANK_BLOCK + 2],
            total: 0,
        }
    }

    fn add(&mut self, rank: u32) {
        self.exact[rank as usize] += 1;
        let mut i = rank as usize / RANK_BLOCK + 1;
        while i < self.blocks.len() {
            self.blocks[i] += 1;
            i += i & i.wrapping_neg();
        }
        self.total += 1;
    }

    fn remove(&mut self, rank: u32) {
        self.exact[rank as usize] -= 1;
        let mut i = rank as usize / RANK_BLOCK + 1;
        while i < self.blocks.len() {
            self.blocks[i] -= 1;
            i += i & i.wrapping_neg();
        }
        self.total -= 1;
    }

    /// Number of entries with a rank below `rank`.
    fn below(&self, rank: u32) -> u64 {
        let rank = rank as usize;
        let block = rank / RANK_BLOCK;
        // Whole blocks before this one (tree indices are block + 1).
        let mut sum = 0u64;
        let mut i = block;
        while i > 0 {
            sum += u64::from(self.blocks[i]);
            i -= i & i.wrapping_neg();
        }
        sum + self.exact[block * RANK_BLOCK..rank]
            .iter()
            .map(|&c| u64::from(c))
            .sum::<u64>()
    }

    /// Number of entries with exactly `rank`.
    fn count(&self, rank: u32) -> u64 {
        u64::from(self.exact[rank as usize])
    }

    fn total(&self) -> u64 {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn data(time: &[f64], event: &[bool]) -> SurvivalData {
        SurvivalData::new(time.to_vec(), event.to_vec()).unwrap()
    }

    /// The O(n²) definition, written out pair by pair: the oracle.
    fn brute_force(time: &[f64], event: &[bool], score: &[f64]) -> (u64, u64, u64, u64) {
        brute_force_entry(time, event, score, &vec![f64::NEG_INFINITY; time.len()])
    }

    /// The same, comparing an event at t only with subjects entered before t.
    fn brute_force_entry(
        time: &[f64],
        event: &[bool],
        score: &[f64],
        entry: &[f64],
    ) -> (u64, u64, u64, u64) {
        let (mut conc, mut disc, mut tied, mut tied_time) = (0, 0, 0, 0);
        for i in 0..time.len() {
            for j in 0..time.len() {
                if i == j || !event[i] {
                    continue;
                }
                // i is the event; j must outlive it (or share its time censored).
                let comparable =
                    (time[j] > time[i] || (time[j] == time[i] && !event[j])) && entry[j] < time[i];
                if time[j] == time[i] && event[j] && i < j {
                    tied_time += 1;
                }
                if !comparable {
                    continue;
                }
                if score[i] > score[j] {
                    conc += 1;
                } else if score[i] < score[j] {
                    disc += 1;
                } else {
                    tied += 1;
                }
            }
        }
        (conc, disc, tied, tied_time)
    }

    #[test]
    fn small_case_by_hand() {
        // Subjects (time, event, score): A (1, yes, 3), B (2, no, 1),
        // C (2, yes, 2), D (3, yes, 2), E (2, yes, 5).
        // Comparable pairs (event first):
        //   A vs B, C, D, E (all longer): scores 3 vs 1, 2, 2, 5 -> 3 conc, 1 disc
        //   C vs B (tied time, B censored): 2 vs 1 -> conc
        //   C vs D: 2 vs 2 -> tied
        //   E vs B: 5 vs 1 -> conc; E vs D: 5 vs 2 -> conc
        //   C vs E: both events at time 2 -> left out (tied_time 1)
        // concordant 6, discordant 1, tied 1, comparable 8: C = 6.5 / 8.
        let d = data(&[1.0, 2.0, 2.0, 3.0, 2.0], &[true, false, true, true, true]);
        let c = concordance_index(&d, &[3.0, 1.0, 2.0, 2.0, 5.0]).unwrap();
        assert_eq!(
            (c.concordant, c.discordant, c.tied_risk, c.tied_time),
            (6, 1, 1, 1)
        );
        assert_eq!(c.comparable_pairs, 8);
        assert_eq!(c.cindex, 6.5 / 8.0);
    }

    #[test]
    fn refuses_bad_input() {
        let d = data(&[1.0, 2.0], &[true, false]);
        assert!(matches!(
            concordance_index(&d, &[1.0]),
            Err(StatsError::LengthMismatch { found: 1, .. })
        ));
        assert!(matches!(
            concordance_index(&d, &[1.0, f64::NAN]),
            Err(StatsError::NonFinite { index: 1, .. })
        ));
        let censored = data(&[1.0, 2.0], &[false, false]);
        assert!(matches!(
            concordance_index(&censored, &[1.0, 2.0]),
            Err(StatsError::TooFewObservations { .. })
        ));
        // An entry time not before the subject's own time.
        let all = vec![0, 1];
        assert!(matches!(
            concordance_index_with_entry(
                &d,
                &[1.0, 2.0],
                std::slice::from_ref(&all),
                Some(&[0.0, 2.0])
            ),
            Err(StatsError::OutOfRange { index: 1, .. })
        ));
        assert!(matches!(
            concordance_index_with_entry(&d, &[1.0, 2.0], &[all], Some(&[0.0])),
            Err(StatsError::LengthMismatch { .. })
        ));
        // Two events at the same time: no comparable pair.
        let tied = data(&[1.0, 1.0], &[true, true]);
        assert!(concordance_index(&tied, &[1.0, 2.0]).is_err());
    }

    #[test]
    fn strata_only_pair_within() {
        // Stratum {0, 1}: 0 (t1, event, s1) vs 1 (t2, censored, s0): concordant.
        // Stratum {2, 3}: 2 (t1, event, s0) vs 3 (t2, censored, s1): discordant.
        // Across strata the pairs 0-3 and 2-1 would add one of each; they are left out.
        let d = data(&[1.0, 2.0, 1.0, 2.0], &[true, false, true, false]);
        let c = concordance_index_stratified(&d, &[1.0, 0.0, 0.0, 1.0], &[vec![0, 1], vec![2, 3]])
            .unwrap();
        assert_eq!((c.concordant, c.discordant, c.comparable_pairs), (1, 1, 2));
    }

    fn cohort() -> impl Strategy<Value = (Vec<f64>, Vec<bool>, Vec<f64>)> {
        (2usize..40).prop_flat_map(|n| {
            (
                proptest::collection::vec((0u8..6).prop_map(f64::from), n),
                proptest::collection::vec(any::<bool>(), n),
                proptest::collection::vec((0u8..5).prop_map(f64::from), n),
            )
        })
    }

    proptest! {
        #[test]
        fn matches_pairwise_count((time, event, score) in cohort()) {
            let d = data(&time, &event);
            let (conc, disc, tied, tied_time) = brute_force(&time, &event, &score);
            match concordance_index(&d, &score) {
                Ok(c) => {
                    prop_assert_eq!(
                        (c.concordant, c.discordant, c.tied_risk, c.tied_time),
                        (conc, disc, tied, tied_time)
                    );
                }
                Err(_) => prop_assert_eq!(conc + disc + tied, 0),
            }
        }

        #[test]
        fn delayed_entry_matches_pairwise_count(
            (time, event, score) in cohort(),
            fractions in proptest::collection::vec(0u8..4, 40),
        ) {
            // Entry times 0, 1/4, 1/2 or 3/4 of the exit time (before it).
            let entry: Vec<f64> = time
                .iter()
                .zip(&fractions)
                .map(|(t, &f)| if *t == 0.0 { -1.0 } else { t * f64::from(f) / 4.0 })
                .collect();
            let d = data(&time, &event);
            let all: Vec<usize> = (0..time.len()).collect();
            let (conc, disc, tied, _) = brute_force_entry(&time, &event, &score, &entry);
            match concordance_index_with_entry(&d, &score, &[all], Some(&entry)) {
                Ok(c) => prop_assert_eq!(
                    (c.concordant, c.discordant, c.tied_risk),
                    (conc, disc, tied)
                ),
                Err(_) => prop_assert_eq!(conc + disc + tied, 0),
            }
        }

        #[test]
        fn negated_score_gives_one_minus_c(
            (time, event, _) in cohort(),
            seed in any::<u64>(),
        ) {
            // Distinct scores (no ties on the score): C(-s) = 1 - C(s).
            let score: Vec<f64> = (0..time.len())
                .map(|i| ((i as u64 + 1).wrapping_mul(seed | 1) % 1_000_003) as f64 + i as f64 * 1e-3)
                .collect();
            let negated: Vec<f64> = score.iter().map(|s| -s).collect();
            let d = data(&time, &event);
            if let (Ok(a), Ok(b)) = (concordance_index(&d, &score), concordance_index(&d, &negated)) {
                prop_assert_eq!(a.tied_risk, 0);
                prop_assert!((a.cindex + b.cindex - 1.0).abs() < 1e-12);
            }
        }

        #[test]
        fn invariant_to_monotone_transform((time, event, score) in cohort()) {
            let transformed: Vec<f64> = score.iter().map(|s| (0.7 * s).exp() - 3.0).collect();
            let d = data(&time, &event);
            if let (Ok(a), Ok(b)) = (concordance_index(&d, &score), concordance_index(&d, &transformed)) {
                prop_assert_eq!(a, b);
            }
        }
    }
}
