//! The log-rank test and its weighted relatives (Fleming–Harrington
//! G(ρ, γ), Gehan–Breslow, Tarone–Ware) for two or more groups, optionally
//! stratified, as R `survival::survdiff`.
//!
//! At each distinct event time t (within a stratum) with nₜ at risk, dₜ
//! events, n_gₜ at risk and d_gₜ events in group g, and weight wₜ:
//!
//! - observed O_g = Σ wₜ·d_gₜ, expected E_g = Σ wₜ·dₜ·n_gₜ/nₜ;
//! - variance V_gh = Σ wₜ²·dₜ(nₜ − dₜ)/(nₜ − 1) · (n_gₜ/nₜ)(δ_gh − n_hₜ/nₜ)
//!   (the hypergeometric variance; no term where nₜ = 1);
//! - a stratified test sums O, E and V over strata, each stratum with its
//!   own risk sets and weights;
//! - χ² = (O − E)ᵀ V⁻¹ (O − E) with one group dropped, on (groups − 1)
//!   degrees of freedom, solved by Cholesky. As R, a group whose expected
//!   count is 0 (never at risk at a weighted event time) is left out of the
//!   test and of the degrees of freedom; so is a group with no variance
//!   (at every event time it was alone at risk, or everyone at risk had the
//!   event), whose O − E is then 0 and where R stops with a singular
//!   matrix. A variance singular otherwise (groups confounded with strata)
//!   is refused.
//!
//! With weights other than 1, observed and expected are the weighted sums,
//! as R reports them.

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use super::km::sorted_by_time;
use super::pvalue::chi_square_upper;
use super::{Grouping, StatsError, SurvivalData};

/// The weight given to each event time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "family", rename_all = "kebab-case")]
pub enum LogRankWeights {
    /// Fleming–Harrington G(ρ, γ): w(t) = S(t−)^ρ · (1 − S(t−))^γ with S
    /// the Kaplan–Meier curve of all groups pooled (within the stratum),
    /// taken just before t (left-continuous), as R `survdiff(rho = ρ)`
    /// (which has γ = 0) and lifelines' `fleming-harrington` (p = ρ,
    /// q = γ). ρ = γ = 0 is the log-rank (Mantel–Haenszel) test; ρ = 1,
    /// γ = 0 the Peto–Peto modification of the Gehan–Wilcoxon test.
    FlemingHarrington {
        /// Exponent of S(t−), 0 or more.
        rho: f64,
        /// Exponent of 1 − S(t−), 0 or more.
        gamma: f64,
    },
    /// Gehan–Breslow generalized Wilcoxon: w(t) = n at risk (lifelines'
    /// `wilcoxon`).
    GehanBreslow,
    /// Tarone–Ware: w(t) = √(n at risk) (lifelines' `tarone-ware`).
    TaroneWare,
}

impl LogRankWeights {
    /// The plain log-rank test, G(0, 0).
    pub const LOGRANK: LogRankWeights = LogRankWeights::FlemingHarrington {
        rho: 0.0,
        gamma: 0.0,
    };

    fn validate(self) -> Result<(), StatsError> {
        if let LogRankWeights::FlemingHarrington { rho, gamma } = self {
            for (name, value) in [("rho", rho), ("gamma", gamma)] {
                if !(value >= 0.0 && value.is_finite()) {
                    return Err(StatsError::invalid_parameter(
                        name,
                        value,
                        "a finite number, 0 or more",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The weight at an event time with `at_risk` subjects and pooled
    /// left-continuous survival `km`.
    fn at(self, at_risk: f64, km: f64) -> f64 {
        match self {
            LogRankWeights::FlemingHarrington { rho, gamma } => {
                // powf(0, 0) is 1, so G(0, γ) and G(ρ, 0) need no case.
                km.powf(rho) * (1.0 - km).powf(gamma)
            }
            LogRankWeights::GehanBreslow => at_risk,
            LogRankWeights::TaroneWare => at_risk.sqrt(),
        }
    }
}

impl Default for LogRankWeights {
    fn default() -> LogRankWeights {
        LogRankWeights::LOGRANK
    }
}

/// One group's counts in the test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogRankGroup {
    /// The group's name.
    pub group: String,
    /// Number of subjects.
    pub n: usize,
    /// Observed (weighted) events.
    pub observed: f64,
    /// Expected (weighted) events under equal hazards.
    pub expected: f64,
    /// Observed minus expected.
    pub o_minus_e: f64,
}

/// The result of a log-rank (or weighted) test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogRankTest {
    /// The chi-square statistic.
    pub statistic: f64,
    /// Degrees of freedom: groups in the test − 1.
    pub df: usize,
    /// Upper-tail chi-square p-value.
    pub p: f64,
    /// Each group's counts, in level order.
    pub groups: Vec<LogRankGroup>,
    /// The variance-covariance matrix of O − E, groups by groups.
    pub variance: Vec<Vec<f64>>,
    /// The weights used.
    pub weights: LogRankWeights,
    /// Number of strata (1 when unstratified).
    pub strata: usize,
}

/// A Cholesky pivot whose square is below this fraction of its diagonal
/// element marks the variance as singular.
const SINGULAR_PIVOT: f64 = 1e-10;

/// Running sums over event times.
struct Accumulator {
    observed: Vec<f64>,
    expected: Vec<f64>,
    variance: Vec<f64>,
    groups: usize,
}

/// Tests whether the survival curves of `groups` differ, optionally
/// within `strata`, with the given weights (see the module's doc for the
/// formulas). Every subject needs a group (and a stratum, when given).
/// Refuses fewer than two groups, a cohort without events, and a singular
/// variance.
pub fn logrank_test(
    data: &SurvivalData,
    groups: &Grouping,
    strata: Option<&Grouping>,
    weights: LogRankWeights,
) -> Result<LogRankTest, StatsError> {
    weights.validate()?;
    let n = data.len();
    let group_of = groups.complete_codes("group", n)?;
    let levels = groups.levels();
    if levels.len() < 2 {
        return Err(StatsError::invalid_parameter(
            "group",
            format!("{} level(s) ({})", levels.len(), levels.join(", ")),
            "at least two groups to compare",
        ));
    }
    if data.events() == 0 {
        return Err(StatsError::NoEvents {
            what: "the cohort".to_owned(),
        });
    }
    let k = levels.len();
    let stratum_of = strata
        .map(|strata| strata.complete_codes("stratum", n))
        .transpose()?;
    let event = data.event();
    // Payload: (stratum·k + group)·2 + event, so one sort orders every
    // stratum by time and carries all a subject's test needs.
    let sorted = sorted_by_time(data.time(), |i| {
        let stratum = stratum_of.as_ref().map_or(0, |codes| codes[i]);
        ((stratum * k + group_of[i]) as u64) << 1 | u64::from(event[i])
    });
    // Each stratum's subjects, still in time order (strata without
    // subjects dropped).
    let by_stratum: Vec<Vec<(f64, u64)>> = match strata {
        None => vec![sorted],
        Some(strata) => {
            let mut buckets = vec![Vec::new(); strata.levels().len()];
            for pair in sorted {
                if let Some(bucket) = buckets.get_mut((pair.1 >> 1) as usize / k) {
                    bucket.push(pair);
                }
            }
            buckets.retain(|bucket: &Vec<(f64, u64)>| !bucket.is_empty());
            buckets
        }
    };
    let stratum_count = by_stratum.len();
    let mut sums = Accumulator {
        observed: vec![0.0; k],
        expected: vec![0.0; k],
        variance: vec![0.0; k * k],
        groups: k,
    };
    for stratum in &by_stratum {
        sums.add_stratum(stratum, weights);
    }
    sums.finish(levels, groups.sizes(), weights, stratum_count)
}

impl Accumulator {
    /// Adds one stratum: its subjects as (time, (code·2 + event)) pairs
    /// sorted by time, the group being the code modulo the number of groups.
    fn add_stratum(&mut self, sorted: &[(f64, u64)], weights: LogRankWeights) {
        let k = self.groups;
        let group = |payload: u64| (payload >> 1) as usize % k;
        let mut at_risk = vec![0usize; k];
        for &(_, payload) in sorted {
            at_risk[group(payload)] += 1;
        }
        let mut total_at_risk = sorted.len();
        let mut deaths = vec![0usize; k];
        let mut leaving = vec![0usize; k];
        let mut touched: Vec<usize> = Vec::with_capacity(k);
        let mut km = 1.0_f64;
        for tied in sorted.chunk_by(|a, b| a.0 == b.0) {
            let mut total_deaths = 0usize;
            for &(_, payload) in tied {
                let g = group(payload);
                if leaving[g] == 0 {
                    touched.push(g);
                }
                leaving[g] += 1;
                if payload & 1 == 1 {
                    deaths[g] += 1;
                    total_deaths += 1;
                }
            }
            if total_deaths > 0 {
                let n = total_at_risk as f64;
                let d = total_deaths as f64;
                let w = weights.at(n, km);
                for &g in &touched {
                    self.observed[g] += w * deaths[g] as f64;
                }
                for (g, &n_g) in at_risk.iter().enumerate() {
                    self.expected[g] += w * d * n_g as f64 / n;
                }
                if total_at_risk > 1 {
                    let scale = w * w * d * (n - d) / (n - 1.0);
                    for (g, &n_g) in at_risk.iter().enumerate() {
                        if n_g == 0 {
                            continue;
                        }
                        let share_g = n_g as f64 / n;
                        let row = &mut self.variance[g * k..(g + 1) * k];
                        for (h, (cell, &n_h)) in row.iter_mut().zip(&at_risk).enumerate() {
                            if h != g {
                                *cell -= scale * share_g * n_h as f64 / n;
                            }
                        }
                        // The diagonal as a sum of non-negative terms
                        // (n − n_g counted exactly), so a group that never
                        // shares an event time with another has a variance
                        // of exactly zero whatever the row order, rather
                        // than rounding noise from adding and subtracting.
                        row[g] += scale * share_g * (total_at_risk - n_g) as f64 / n;
                    }
                }
                km *= (n - d) / n;
            }
            for &g in &touched {
                at_risk[g] -= leaving[g];
                total_at_risk -= leaving[g];
                leaving[g] = 0;
                deaths[g] = 0;
            }
            touched.clear();
        }
    }

    /// The chi-square statistic over the groups with a positive expected
    /// count, one of them dropped.
    fn finish(
        self,
        levels: &[String],
        sizes: Vec<usize>,
        weights: LogRankWeights,
        strata: usize,
    ) -> Result<LogRankTest, StatsError> {
        let k = self.groups;
        // Groups without information: never at risk at a weighted event
        // time (E = 0), or with no variance, which forces O = E (every such
        // time had them alone at risk, or all at risk had the event).
        let kept: Vec<usize> = (0..k)
            .filter(|&g| self.expected[g] > 0.0 && self.variance[g * k + g] > 0.0)
            .collect();
        if kept.len() < 2 {
            return Err(StatsError::invalid_parameter(
                "group",
                format!(
                    "{} group(s) with a positive expected count and variance",
                    kept.len()
                ),
                "at least two groups at risk together at a (weighted) event time",
            ));
        }
        let tested = &kept[1..];
        let m = tested.len();
        let u = DVector::from_iterator(
            m,
            tested.iter().map(|&g| self.observed[g] - self.expected[g]),
        );
        let v = DMatrix::from_fn(m, m, |r, c| self.variance[tested[r] * k + tested[c]]);
        let singular = || StatsError::Singular {
            detail: format!(
                "the log-rank variance of groups {} has no inverse (groups confounded \
                 with strata or with each other)",
                kept.iter()
                    .map(|&g| levels[g].as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let cholesky = v.clone().cholesky().ok_or_else(singular)?;
        // A pivot lost to rounding (relative to its own diagonal) means the
        // variance is singular in all but rounding; its inverse would be
        // noise.
        let lost = cholesky
            .l_dirty()
            .diagonal()
            .iter()
            .zip(v.diagonal().iter())
            .any(|(pivot, diagonal)| pivot * pivot <= SINGULAR_PIVOT * diagonal);
        if lost {
            return Err(singular());
        }
        let statistic = u.dot(&cholesky.solve(&u));
        if !statistic.is_finite() {
            return Err(singular());
        }
        let statistic = statistic.max(0.0);
        let df = m;
        let p = chi_square_upper(statistic, df as f64)?;
        let groups = levels
            .iter()
            .enumerate()
            .map(|(g, name)| LogRankGroup {
                group: name.clone(),
                n: sizes.get(g).copied().unwrap_or(0),
                observed: self.observed[g],
                expected: self.expected[g],
                o_minus_e: self.observed[g] - self.expected[g],
            })
            .collect();
        let variance = self.variance.chunks(k).map(<[f64]>::to_vec).collect();
        Ok(LogRankTest {
            statistic,
            df,
            p,
            groups,
            variance,
            weights,
            strata,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(time: &[f64], event: &[u8]) -> SurvivalData {
        SurvivalData::new(time.to_vec(), event.iter().map(|&e| e == 1).collect()).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * (1.0 + b.abs())
    }

    #[test]
    fn two_groups_by_hand() {
        // Group a: 1, 3; group b: 2, 4+. All but 4 are events.
        // t=1: n=4 (a 2, b 2), d=1 in a: E_a += 1·2/4 = 1/2,
        //      V += 1·3/3 · (2/4)(1 − 2/4) = 1/4.
        // t=2: n=3 (a 1, b 2), d=1 in b: E_a += 1/3,
        //      V += 1·2/2 · (1/3)(2/3) = 2/9.
        // t=3: n=2 (a 1, b 1), d=1 in a: E_a += 1/2,
        //      V += 1·1/1 · (1/2)(1/2) = 1/4.
        // O_a = 2, E_a = 4/3, V = 1/4 + 2/9 + 1/4 = 13/18.
        // χ² = (2/3)² / (13/18) = (4/9)(18/13) = 8/13.
        let cohort = data(&[1.0, 3.0, 2.0, 4.0], &[1, 1, 1, 0]);
        let arms = Grouping::from_labels(&["a", "a", "b", "b"]);
        let test = logrank_test(&cohort, &arms, None, LogRankWeights::LOGRANK).unwrap();
        assert!(close(test.groups[0].observed, 2.0));
        assert!(close(test.groups[0].expected, 4.0 / 3.0));
        assert!(close(test.groups[1].expected, 5.0 / 3.0));
        assert!(close(test.variance[0][0], 13.0 / 18.0));
        assert!(close(test.variance[0][1], -13.0 / 18.0));
        assert!(close(test.statistic, 8.0 / 13.0));
        assert_eq!((test.df, test.strata), (1, 1));
        // R: pchisq(8/13, 1, lower.tail = FALSE) = 0.43276...
        assert!(
            (test.p - 0.432_767_580_667_784_65).abs() < 1e-12,
            "{}",
            test.p
        );
    }

    #[test]
    fn serializes_in_the_cli_shape() {
        let cohort = data(&[1.0, 3.0, 2.0, 4.0], &[1, 1, 1, 0]);
        let arms = Grouping::from_labels(&["a", "a", "b", "b"]);
        let test = logrank_test(&cohort, &arms, None, LogRankWeights::LOGRANK).unwrap();
        let json = serde_json::to_value(&test).unwrap();
        for key in [
            "statistic",
            "df",
            "p",
            "groups",
            "variance",
            "weights",
            "strata",
        ] {
            assert!(json.get(key).is_some(), "{key} missing from {json}");
        }
        assert_eq!(json["df"], 1);
        assert_eq!(json["groups"][1]["group"], "b");
        assert_eq!(json["groups"][0]["observed"], 2.0);
        assert!(json["groups"][0]["expected"].is_number());
        assert_eq!(json["variance"].as_array().unwrap().len(), 2);
        assert_eq!(json["weights"]["family"], "fleming-harrington");
        assert_eq!(json["weights"]["rho"], 0.0);
    }

    #[test]
    fn fleming_harrington_weights_by_hand() {
        // Same data; pooled left-continuous KM before t=1, 2, 3: 1, 3/4, 1/2.
        // G(1, 0): w = 1, 3/4, 1/2.
        //   O_a = 1 + 1/2 = 3/2, E_a = 1/2 + (3/4)(1/3) + (1/2)(1/2) = 1,
        //   V = 1/4 + (9/16)(2/9) + (1/4)(1/4) = 1/4 + 1/8 + 1/16 = 7/16,
        //   χ² = (1/2)² / (7/16) = 4/7.
        // G(0, 1): w = 0, 1/4, 1/2.
        //   O_a = 1/2, E_a = (1/4)(1/3) + (1/2)(1/2) = 1/3,
        //   V = (1/16)(2/9) + (1/4)(1/4) = 1/72 + 1/16 = 11/144,
        //   χ² = (1/6)² / (11/144) = (1/36)(144/11) = 4/11.
        let cohort = data(&[1.0, 3.0, 2.0, 4.0], &[1, 1, 1, 0]);
        let arms = Grouping::from_labels(&["a", "a", "b", "b"]);
        let peto = LogRankWeights::FlemingHarrington {
            rho: 1.0,
            gamma: 0.0,
        };
        let test = logrank_test(&cohort, &arms, None, peto).unwrap();
        assert!(close(test.groups[0].observed, 1.5));
        assert!(close(test.groups[0].expected, 1.0));
        assert!(close(test.variance[0][0], 7.0 / 16.0));
        assert!(close(test.statistic, 4.0 / 7.0));
        let late = LogRankWeights::FlemingHarrington {
            rho: 0.0,
            gamma: 1.0,
        };
        let test = logrank_test(&cohort, &arms, None, late).unwrap();
        assert!(close(test.groups[0].observed, 0.5));
        assert!(close(test.groups[0].expected, 1.0 / 3.0));
        assert!(close(test.variance[0][0], 11.0 / 144.0));
        assert!(close(test.statistic, 4.0 / 11.0));
    }

    #[test]
    fn strata_sum_their_own_risk_sets() {
        // Stratum 1: a 1, b 2 (both events): t=1: n=2, E_a = 1/2, V = 1/4;
        //   t=2: only b at risk, E_a += 0, n = 1: no variance.
        // Stratum 2: a 5+, b 3: t=3: n=2, E_a = 1/2, V = 1/4.
        // O_a = 1, E_a = 1, V = 1/2: χ² = 0.
        let cohort = data(&[1.0, 2.0, 5.0, 3.0], &[1, 1, 0, 1]);
        let arms = Grouping::from_labels(&["a", "b", "a", "b"]);
        let strata = Grouping::from_labels(&[1, 1, 2, 2]);
        let test = logrank_test(&cohort, &arms, Some(&strata), LogRankWeights::LOGRANK).unwrap();
        assert!(close(test.groups[0].observed, 1.0));
        assert!(close(test.groups[0].expected, 1.0));
        assert!(close(test.variance[0][0], 0.5));
        assert!(close(test.statistic, 0.0));
        assert_eq!((test.p, test.strata), (1.0, 2));
    }

    #[test]
    fn groups_without_information_leave_the_test() {
        // The a/b cohort of `two_groups_by_hand` in stratum 1, and in
        // stratum 2 a lone subject of group c with an event: c has O = E = 1
        // and no variance, so the test is a vs b, χ² = 8/13 on 1 df.
        let cohort = data(&[1.0, 3.0, 2.0, 4.0, 2.0], &[1, 1, 1, 0, 1]);
        let arms = Grouping::from_labels(&["a", "a", "b", "b", "c"]);
        let strata = Grouping::from_labels(&[1, 1, 1, 1, 2]);
        let test = logrank_test(&cohort, &arms, Some(&strata), LogRankWeights::LOGRANK).unwrap();
        assert!(close(test.statistic, 8.0 / 13.0));
        assert_eq!(test.df, 1);
        assert_eq!(
            (test.groups[2].observed, test.groups[2].expected),
            (1.0, 1.0)
        );
        // Groups a, b only in stratum 1 and c, d only in stratum 2: the
        // variance has rank 2 of 3, and no test exists.
        let cohort = data(&[1.0, 2.0, 1.0, 2.0], &[1, 1, 1, 1]);
        let arms = Grouping::from_labels(&["a", "b", "c", "d"]);
        let strata = Grouping::from_labels(&[1, 1, 2, 2]);
        assert!(matches!(
            logrank_test(&cohort, &arms, Some(&strata), LogRankWeights::LOGRANK),
            Err(StatsError::Singular { .. })
        ));
    }

    #[test]
    fn refuses_degenerate_input() {
        let cohort = data(&[1.0, 2.0], &[1, 1]);
        let one = Grouping::from_labels(&[1, 1]);
        assert!(matches!(
            logrank_test(&cohort, &one, None, LogRankWeights::LOGRANK),
            Err(StatsError::InvalidParameter { .. })
        ));
        let none = data(&[1.0, 2.0], &[0, 0]);
        let two = Grouping::from_labels(&[1, 2]);
        assert!(matches!(
            logrank_test(&none, &two, None, LogRankWeights::LOGRANK),
            Err(StatsError::NoEvents { .. })
        ));
        let negative = LogRankWeights::FlemingHarrington {
            rho: -1.0,
            gamma: 0.0,
        };
        assert!(logrank_test(&cohort, &two, None, negative).is_err());
        // Group 2's only subject leaves before any event: expected 0, so
        // one group is left and there is nothing to test.
        let early = data(&[1.0, 2.0, 3.0], &[0, 1, 1]);
        let arms = Grouping::from_labels(&[2, 1, 1]);
        assert!(matches!(
            logrank_test(&early, &arms, None, LogRankWeights::LOGRANK),
            Err(StatsError::InvalidParameter { .. })
        ));
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn cohort() -> impl Strategy<Value = Vec<(u8, bool, u8, u8)>> {
        proptest::collection::vec((0u8..12, any::<bool>(), 0u8..3, 0u8..2), 2..60)
    }

    fn run(
        rows: &[(u8, bool, u8, u8)],
        relabel: impl Fn(u8) -> u8,
        stratified: bool,
        weights: LogRankWeights,
    ) -> Result<LogRankTest, StatsError> {
        let data = SurvivalData::new(
            rows.iter().map(|r| f64::from(r.0)).collect(),
            rows.iter().map(|r| r.1).collect(),
        )
        .unwrap();
        let groups = Grouping::from_labels(&rows.iter().map(|r| relabel(r.2)).collect::<Vec<_>>());
        let strata = Grouping::from_labels(&rows.iter().map(|r| r.3).collect::<Vec<_>>());
        logrank_test(&data, &groups, stratified.then_some(&strata), weights)
    }

    fn weights() -> impl Strategy<Value = LogRankWeights> {
        prop_oneof![
            Just(LogRankWeights::LOGRANK),
            Just(LogRankWeights::GehanBreslow),
            Just(LogRankWeights::TaroneWare),
            (0.0..2.0f64, 0.0..2.0f64)
                .prop_map(|(rho, gamma)| LogRankWeights::FlemingHarrington { rho, gamma }),
        ]
    }

    proptest! {
        #[test]
        fn statistic_ignores_row_order_and_group_names(
            (rows, shuffled) in cohort().prop_flat_map(|rows| {
                let shuffled = Just(rows.clone()).prop_shuffle();
                (Just(rows), shuffled)
            }),
            stratified in any::<bool>(),
            weights in weights(),
        ) {
            let original = run(&rows, |g| g, stratified, weights);
            let reordered = run(&shuffled, |g| g, stratified, weights);
            // Names in reverse order: the dropped group changes, the
            // statistic must not.
            let renamed = run(&rows, |g| 2 - g, stratified, weights);
            match (original, reordered, renamed) {
                (Ok(a), Ok(b), Ok(c)) => {
                    let scale = 1.0 + a.statistic;
                    prop_assert!((a.statistic - b.statistic).abs() <= 1e-9 * scale);
                    prop_assert!((a.statistic - c.statistic).abs() <= 1e-9 * scale,
                        "{} vs {}", a.statistic, c.statistic);
                    prop_assert_eq!(a.df, c.df);
                    prop_assert!(a.statistic >= 0.0 && (0.0..=1.0).contains(&a.p));
                    let observed: f64 = a.groups.iter().map(|g| g.observed).sum();
                    let expected: f64 = a.groups.iter().map(|g| g.expected).sum();
                    prop_assert!((observed - expected).abs() <= 1e-9 * (1.0 + observed));
                }
                (Err(_), Err(_), Err(_)) => {}
                (a, b, c) => prop_assert!(false, "{a:?}\n{b:?}\n{c:?}"),
            }
        }
    }
}
