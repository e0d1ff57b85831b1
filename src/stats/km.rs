//! The Kaplan–Meier (product-limit) estimate of a survival function, with
//! Greenwood variance, pointwise confidence intervals under three
//! transforms, survival at chosen times, median (and other quantile)
//! survival with confidence intervals, and the reverse Kaplan–Meier median
//! follow-up.
//!
//! Conventions follow R's `survival` package (`survfit`, `summary.survfit`,
//! `print.survfit`) and lifelines' `KaplanMeierFitter`; where the two
//! differ (the median's midpoint rule, the default transform) both are
//! offered and the choice is the caller's. Times are compared exactly: two
//! times are tied only when equal as numbers (R's `timefix` rounding of
//! nearly equal times is not applied).

use serde::Serialize;

use super::wald::two_sided_z;
use super::{Grouping, StatsError, SurvivalData};

/// How a pointwise confidence interval for S(t) is built from the
/// Greenwood variance (`gw` = Σ d/(n(n−d)), the variance of log S) and the
/// normal quantile `z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ConfidenceTransform {
    /// `exp(−exp(log(−log S) ± z·√gw / log S))`: lifelines' and SAS's
    /// default, R's `conf.type = "log-log"`. Undefined (none) where S = 0;
    /// [1, 1] where S = 1 (before the first event, no variance), as
    /// lifelines and R's `summary(fit, times = )` report it.
    #[serde(rename = "log-log")]
    LogLog,
    /// `S·exp(±z·√gw)`, the upper limit clipped at 1: R `survfit`'s default
    /// `conf.type = "log"`. Undefined (none) where S = 0.
    #[serde(rename = "log")]
    Log,
    /// `S ± z·S·√gw` clipped to [0, 1]: R's `conf.type = "plain"`.
    /// Undefined (none) where S = 0, as in R.
    #[serde(rename = "plain")]
    Plain,
}

impl ConfidenceTransform {
    /// The interval (lower, upper) for survival `s` with Greenwood sum `gw`
    /// and normal quantile `z`; none where the transform is undefined.
    fn interval(self, s: f64, gw: f64, z: f64) -> Option<(f64, f64)> {
        if s <= 0.0 || !gw.is_finite() {
            return None;
        }
        let sd_log = gw.sqrt();
        match self {
            ConfidenceTransform::Plain => {
                let half = z * s * sd_log;
                Some(((s - half).max(0.0), (s + half).min(1.0)))
            }
            ConfidenceTransform::Log => {
                let lower = s * (-z * sd_log).exp();
                let upper = s * (z * sd_log).exp();
                Some((lower, upper.min(1.0)))
            }
            ConfidenceTransform::LogLog => {
                if s >= 1.0 {
                    return Some((1.0, 1.0));
                }
                // exp(−exp(log(−log S) ± x)) = exp(log S · e^(±x)): two
                // exponentials fewer than the formula as written.
                let log_s = s.ln();
                let stretch = (z * sd_log / log_s).exp();
                // log S < 0, so the shift x is negative and e^x < 1.
                Some(((log_s / stretch).exp(), (log_s * stretch).exp()))
            }
        }
    }
}

/// The confidence level and transform of a Kaplan–Meier fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KmOptions {
    /// Confidence level of the pointwise intervals, in (0, 1); default 0.95.
    pub level: f64,
    /// The interval's transform; default log-log (lifelines, SAS).
    pub transform: ConfidenceTransform,
}

impl Default for KmOptions {
    fn default() -> KmOptions {
        KmOptions {
            level: 0.95,
            transform: ConfidenceTransform::LogLog,
        }
    }
}

impl KmOptions {
    /// The two-sided normal quantile z for the level (R's
    /// `qnorm(1 - (1 - level)/2)`), refusing a level outside (0, 1).
    fn z(&self) -> Result<f64, StatsError> {
        two_sided_z(self.level)
    }
}

/// One row of the Kaplan–Meier table, at a distinct event time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KmRow {
    /// The event time.
    pub time: f64,
    /// Subjects at risk just before it: those whose time is this or later
    /// (censorings tied with the events count as at risk, as in R and
    /// lifelines).
    pub at_risk: usize,
    /// Events at this time.
    pub events: usize,
    /// Censorings tied at exactly this time (censorings between event
    /// times have no row; they show as the drop in `at_risk`).
    pub censored: usize,
    /// S(t), the product-limit estimate just after this time.
    pub survival: f64,
    /// Standard error of S(t), `S·√gw` (Greenwood), as R
    /// `summary(survfit)$std.err`; none where S = 0.
    pub se: Option<f64>,
    /// Lower pointwise confidence limit.
    pub ci_lower: Option<f64>,
    /// Upper pointwise confidence limit.
    pub ci_upper: Option<f64>,
}

/// Survival at a chosen time, as R `summary(fit, times = t)` reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurvivalAt {
    /// The time asked for.
    pub time: f64,
    /// Subjects with a time at or after `time`.
    pub at_risk: usize,
    /// Events in (previous time asked for, `time`]; the first interval
    /// starts before every observation.
    pub events: usize,
    /// Censorings in the same interval.
    pub censored: usize,
    /// S(t), right-continuous: the value after the last event time at or
    /// before `time` (1 before the first event).
    pub survival: f64,
    /// Greenwood standard error of S(t) (0 before the first event, none
    /// where S = 0).
    pub se: Option<f64>,
    /// Lower pointwise confidence limit.
    pub ci_lower: Option<f64>,
    /// Upper pointwise confidence limit.
    pub ci_upper: Option<f64>,
}

/// Which rule turns a survival curve into a quantile time (the median and
/// its confidence limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum QuantileRule {
    /// lifelines: the first event time at which the curve (or band) is at
    /// or below the level.
    #[serde(rename = "lifelines")]
    Lifelines,
    /// R `print.survfit`: the first time at which the curve (or band) is
    /// below the level plus √ε (ε the machine epsilon); if it equals the
    /// level within √ε there, the midpoint between that time and the next
    /// time the curve drops below it (none: that time itself). R's
    /// `quantile.survfit` differs in two corner cases: a curve that ends
    /// flat exactly at the level (it takes the midpoint with the last
    /// follow-up time) and a band that rises again after crossing (it
    /// takes the band's value nearest below the level, not the first).
    #[serde(rename = "R")]
    R,
}

/// A quantile of the survival time (the median) with its confidence
/// interval; none where the curve or band never reaches the level (the
/// median "not reached", NA in R, infinity in lifelines).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuantileSurvival {
    /// The quantile time.
    pub time: Option<f64>,
    /// Lower confidence limit: where the lower band reaches the level.
    pub ci_lower: Option<f64>,
    /// Upper confidence limit: where the upper band reaches the level.
    pub ci_upper: Option<f64>,
}

/// A fitted Kaplan–Meier curve.
///
/// S(t) = Π over event times tⱼ ≤ t of (1 − dⱼ/nⱼ), with nⱼ the number at
/// risk just before tⱼ and dⱼ the events at tⱼ; Greenwood's variance of
/// log S is gw(t) = Σ dⱼ/(nⱼ(nⱼ − dⱼ)) (infinite, and S = 0, once everyone
/// at risk has had the event), as R `survfit` and lifelines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KaplanMeier {
    /// Number of subjects.
    pub n: usize,
    /// Number of events.
    pub events: usize,
    /// Confidence level of the intervals.
    pub level: f64,
    /// The intervals' transform.
    pub transform: ConfidenceTransform,
    /// One row per distinct event time, in time order (empty without
    /// events: S = 1 throughout).
    pub table: Vec<KmRow>,
    #[serde(skip)]
    greenwood: Vec<f64>,
    /// The censoring times, sorted (repeated when tied), for the counts of
    /// [`KaplanMeier::at_times`].
    #[serde(skip)]
    censored_times: Vec<f64>,
    #[serde(skip)]
    last_time: f64,
    #[serde(skip)]
    z: f64,
}

/// One group's Kaplan–Meier curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupKaplanMeier {
    /// The group's name (its label).
    pub group: String,
    /// Its curve.
    #[serde(flatten)]
    pub fit: KaplanMeier,
}

/// A non-negative finite time's bits, which order as the times do (-0 is
/// folded into 0).
fn time_key(time: f64) -> u64 {
    (time + 0.0).to_bits()
}

/// Each subject's time with a payload of the caller's (event flag, group
/// code), sorted by time and, among tied times, by payload. One sort of
/// (key, payload) pairs: no index to chase afterwards. Times must be
/// finite and not negative, as [`SurvivalData`] checks.
pub(crate) fn sorted_by_time(time: &[f64], payload: impl Fn(usize) -> u64) -> Vec<(f64, u64)> {
    let mut keyed: Vec<(u64, u64)> = time
        .iter()
        .enumerate()
        .map(|(index, &t)| (time_key(t), payload(index)))
        .collect();
    keyed.sort_unstable();
    keyed
        .into_iter()
        .map(|(key, payload)| (f64::from_bits(key), payload))
        .collect()
}

impl KaplanMeier {
    /// Fits the curve to all subjects. Refuses an empty cohort and a
    /// confidence level outside (0, 1); a cohort without events gives an
    /// empty table (S = 1).
    pub fn fit(data: &SurvivalData, options: KmOptions) -> Result<KaplanMeier, StatsError> {
        let z = options.z()?;
        if data.is_empty() {
            return Err(StatsError::TooFewObservations {
                what: "the cohort".to_owned(),
                found: 0,
                needed: 1,
            });
        }
        let event = data.event();
        let sorted = sorted_by_time(data.time(), |i| u64::from(event[i]));
        Ok(KaplanMeier::from_sorted(&sorted, options, z))
    }

    /// Fits one curve per group, in the grouping's level order; every
    /// subject must have a group.
    pub fn fit_groups(
        data: &SurvivalData,
        groups: &Grouping,
        options: KmOptions,
    ) -> Result<Vec<GroupKaplanMeier>, StatsError> {
        let z = options.z()?;
        let codes = groups.complete_codes("group", data.len())?;
        let event = data.event();
        let sorted = sorted_by_time(data.time(), |i| {
            (codes[i] as u64) << 1 | u64::from(event[i])
        });
        let mut members: Vec<Vec<(f64, u64)>> = vec![Vec::new(); groups.levels().len()];
        for &(time, payload) in &sorted {
            if let Some(list) = members.get_mut((payload >> 1) as usize) {
                list.push((time, payload & 1));
            }
        }
        groups
            .levels()
            .iter()
            .zip(members)
            .map(|(group, sorted)| {
                if sorted.is_empty() {
                    return Err(StatsError::TooFewObservations {
                        what: format!("group \"{group}\""),
                        found: 0,
                        needed: 1,
                    });
                }
                Ok(GroupKaplanMeier {
                    group: group.clone(),
                    fit: KaplanMeier::from_sorted(&sorted, options, z),
                })
            })
            .collect()
    }

    /// The reverse Kaplan–Meier curve: censoring taken as the event and
    /// events as censorings (R `survfit(Surv(time, 1 - event) ~ 1)`). Its
    /// median is the median follow-up.
    pub fn fit_reverse(data: &SurvivalData, options: KmOptions) -> Result<KaplanMeier, StatsError> {
        let flipped = SurvivalData::new(
            data.time().to_vec(),
            data.event().iter().map(|&e| !e).collect(),
        )?;
        KaplanMeier::fit(&flipped, options)
    }

    /// Median follow-up by the reverse Kaplan–Meier method (Schemper and
    /// Smith 1996), with its confidence interval under `options`; none
    /// when the reverse curve does not reach one half.
    pub fn median_follow_up(
        data: &SurvivalData,
        options: KmOptions,
        rule: QuantileRule,
    ) -> Result<QuantileSurvival, StatsError> {
        Ok(KaplanMeier::fit_reverse(data, options)?.median(rule))
    }

    /// Builds the fit from (time, event flag in bit 0) pairs sorted by
    /// time, not empty.
    fn from_sorted(sorted: &[(f64, u64)], options: KmOptions, z: f64) -> KaplanMeier {
        let n = sorted.len();
        let is_event = |&(_, payload): &(f64, u64)| payload & 1 == 1;
        // One row per distinct event time: count them to allocate once.
        let event_times = sorted
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|tied| tied.iter().any(is_event))
            .count();
        let mut table = Vec::with_capacity(event_times);
        let mut greenwood = Vec::with_capacity(event_times);
        let mut censored_times = Vec::new();
        let (mut survival, mut gw) = (1.0_f64, 0.0_f64);
        let mut at_risk = n;
        let mut total_events = 0;
        for tied in sorted.chunk_by(|a, b| a.0 == b.0) {
            let time = tied[0].0;
            let events = tied.iter().filter(|pair| is_event(pair)).count();
            let censored = tied.len() - events;
            censored_times.extend(std::iter::repeat_n(time, censored));
            if events > 0 {
                let survivors = at_risk - events;
                survival *= survivors as f64 / at_risk as f64;
                gw += if survivors > 0 {
                    events as f64 / (at_risk as f64 * survivors as f64)
                } else {
                    f64::INFINITY
                };
                let (se, ci) = KaplanMeier::uncertainty(survival, gw, options.transform, z);
                table.push(KmRow {
                    time,
                    at_risk,
                    events,
                    censored,
                    survival,
                    se,
                    ci_lower: ci.map(|(lower, _)| lower),
                    ci_upper: ci.map(|(_, upper)| upper),
                });
                greenwood.push(gw);
                total_events += events;
            }
            at_risk -= tied.len();
        }
        KaplanMeier {
            n,
            events: total_events,
            level: options.level,
            transform: options.transform,
            table,
            greenwood,
            censored_times,
            last_time: sorted.last().map_or(0.0, |pair| pair.0),
            z,
        }
    }

    /// Standard error of S and the confidence interval.
    fn uncertainty(
        survival: f64,
        gw: f64,
        transform: ConfidenceTransform,
        z: f64,
    ) -> (Option<f64>, Option<(f64, f64)>) {
        let se = (survival > 0.0 && gw.is_finite()).then(|| survival * gw.sqrt());
        (se, transform.interval(survival, gw, z))
    }

    /// Greenwood's sum Σ d/(n(n−d)) (the variance of log S) at each row of
    /// the table.
    pub fn greenwood(&self) -> &[f64] {
        &self.greenwood
    }

    /// The largest time observed (event or censoring).
    pub fn last_time(&self) -> f64 {
        self.last_time
    }

    /// S(t) as a right-continuous step function: the survival after the
    /// last event time at or before `time` (1 before the first event).
    pub fn survival_at(&self, time: f64) -> f64 {
        let rows = self.table.partition_point(|row| row.time <= time);
        rows.checked_sub(1)
            .and_then(|row| self.table.get(row))
            .map_or(1.0, |row| row.survival)
    }

    /// Survival, its standard error and interval, the number at risk and
    /// the events and censorings since the previous time, at each of
    /// `times` (sorted into increasing order), as R
    /// `summary(fit, times = times, extend = TRUE)`: after the last
    /// observation the curve keeps its last value and no one is at risk.
    pub fn at_times(&self, times: &[f64]) -> Result<Vec<SurvivalAt>, StatsError> {
        if let Some((index, &value)) = times.iter().enumerate().find(|(_, t)| !t.is_finite()) {
            return Err(StatsError::NonFinite {
                what: "times".to_owned(),
                index,
                value,
            });
        }
        let mut sorted = times.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        // Events at or before each table row.
        let events_through: Vec<usize> = self
            .table
            .iter()
            .scan(0, |total, row| {
                *total += row.events;
                Some(*total)
            })
            .collect();
        let count_through = |rows: usize| {
            rows.checked_sub(1)
                .and_then(|row| events_through.get(row))
                .copied()
                .unwrap_or(0)
        };
        let (mut events_before, mut censored_before) = (0, 0);
        let mut out = Vec::with_capacity(sorted.len());
        for time in sorted {
            let rows = self.table.partition_point(|row| row.time <= time);
            let (survival, gw) = match rows.checked_sub(1) {
                Some(last) => (
                    self.table.get(last).map_or(1.0, |row| row.survival),
                    self.greenwood.get(last).copied().unwrap_or(0.0),
                ),
                None => (1.0, 0.0),
            };
            let (se, ci) = KaplanMeier::uncertainty(survival, gw, self.transform, self.z);
            // Subjects gone before `time`: events and censorings strictly
            // earlier.
            let gone = count_through(self.table.partition_point(|row| row.time < time))
                + self.censored_times.partition_point(|&c| c < time);
            let events_through = count_through(rows);
            let censored_through = self.censored_times.partition_point(|&c| c <= time);
            out.push(SurvivalAt {
                time,
                at_risk: self.n - gone,
                events: events_through - events_before,
                censored: censored_through - censored_before,
                survival,
                se,
                ci_lower: ci.map(|(lower, _)| lower),
                ci_upper: ci.map(|(_, upper)| upper),
            });
            events_before = events_through;
            censored_before = censored_through;
        }
        Ok(out)
    }

    /// The median survival time with its confidence interval (the times
    /// where the lower and upper pointwise bands reach one half, as R's
    /// `print.survfit` and lifelines' `median_survival_times` of the
    /// interval).
    pub fn median(&self, rule: QuantileRule) -> QuantileSurvival {
        self.curve_quantile(0.5, rule)
    }

    /// The time by which a fraction `probability` of subjects has had the
    /// event (S(t) reaches 1 − `probability`), with its confidence
    /// interval; `probability` in (0, 1).
    pub fn quantile(
        &self,
        probability: f64,
        rule: QuantileRule,
    ) -> Result<QuantileSurvival, StatsError> {
        if !(probability > 0.0 && probability < 1.0) {
            return Err(StatsError::invalid_parameter(
                "probability",
                probability,
                "a probability strictly between 0 and 1",
            ));
        }
        Ok(self.curve_quantile(1.0 - probability, rule))
    }

    /// Where the curve and its bands reach survival `level`.
    fn curve_quantile(&self, level: f64, rule: QuantileRule) -> QuantileSurvival {
        let crossing = |values: &dyn Fn(&KmRow) -> Option<f64>| {
            let points = self
                .table
                .iter()
                .filter_map(|row| values(row).map(|value| (row.time, value)));
            match rule {
                QuantileRule::Lifelines => first_at_or_below(points, level),
                QuantileRule::R => r_first_below(points, level),
            }
        };
        QuantileSurvival {
            time: crossing(&|row| Some(row.survival)),
            ci_lower: crossing(&|row| row.ci_lower),
            ci_upper: crossing(&|row| row.ci_upper),
        }
    }
}

/// lifelines: the first time whose value is at or below `level`.
fn first_at_or_below(mut points: impl Iterator<Item = (f64, f64)>, level: f64) -> Option<f64> {
    points
        .find(|&(_, value)| value <= level)
        .map(|(time, _)| time)
}

/// R `print.survfit` (its `minmin`): the first time whose value is below
/// `level + tol` (tol = √ε, as `all.equal`); when that value equals `level`
/// within tol, the midpoint between its time and the first later time with
/// a smaller value, if any.
fn r_first_below(points: impl Iterator<Item = (f64, f64)>, level: f64) -> Option<f64> {
    let tolerance = f64::EPSILON.sqrt();
    let mut below = points.filter(|&(_, value)| value < level + tolerance);
    let (first_time, first_value) = below.next()?;
    if (first_value - level).abs() < tolerance
        && let Some((next_time, _)) = below.find(|&(_, value)| value < first_value)
    {
        return Some((first_time + next_time) / 2.0);
    }
    Some(first_time)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(time: &[f64], event: &[u8]) -> SurvivalData {
        SurvivalData::new(time.to_vec(), event.iter().map(|&e| e == 1).collect()).unwrap()
    }

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn normal_quantile_is_accurate() {
        // qnorm(0.975) in R, printed with digits = 17.
        let z = KmOptions::default().z().unwrap();
        assert!(close(z, 1.959_963_984_540_054, 1e-15), "{z}");
        assert!(
            KmOptions {
                level: 1.0,
                ..KmOptions::default()
            }
            .z()
            .is_err()
        );
    }

    #[test]
    fn hand_worked_product_limit() {
        // Times 1, 2+, 3, 3, 3+, 5 (+ censored), n = 6.
        // t=1: n=6, d=1: S = 5/6, gw = 1/(6·5) = 1/30.
        // t=3: n=4 (the 2+ left), d=2, one censoring tied: S = 5/6 · 2/4 =
        //      5/12, gw = 1/30 + 2/(4·2) = 1/30 + 1/4 = 17/60.
        // t=5: n=1, d=1: S = 0, gw infinite, no se or interval.
        let fit = KaplanMeier::fit(
            &data(&[3.0, 1.0, 2.0, 3.0, 5.0, 3.0], &[1, 1, 0, 0, 1, 1]),
            KmOptions {
                level: 0.95,
                transform: ConfidenceTransform::Log,
            },
        )
        .unwrap();
        assert_eq!((fit.n, fit.events, fit.table.len()), (6, 4, 3));
        let times: Vec<f64> = fit.table.iter().map(|r| r.time).collect();
        assert_eq!(times, vec![1.0, 3.0, 5.0]);
        let counts: Vec<(usize, usize, usize)> = fit
            .table
            .iter()
            .map(|r| (r.at_risk, r.events, r.censored))
            .collect();
        assert_eq!(counts, vec![(6, 1, 0), (4, 2, 1), (1, 1, 0)]);
        assert!(close(fit.table[0].survival, 5.0 / 6.0, 1e-15));
        assert!(close(fit.table[1].survival, 5.0 / 12.0, 1e-15));
        assert_eq!(fit.table[2].survival, 0.0);
        assert!(close(fit.greenwood()[1], 17.0 / 60.0, 1e-15));
        // se = S·√gw = 5/12 · √(17/60).
        let se = fit.table[1].se.unwrap();
        assert!(close(se, 5.0 / 12.0 * (17.0_f64 / 60.0).sqrt(), 1e-15));
        // log: lower = S·exp(−z√gw); upper clipped at 1? 5/12·exp(1.96·0.532)
        // = 5/12 · 2.84 = 1.18 → 1.
        let z = 1.959_963_984_540_054;
        let lower = 5.0 / 12.0 * (-z * (17.0_f64 / 60.0).sqrt()).exp();
        assert!(close(fit.table[1].ci_lower.unwrap(), lower, 1e-14));
        assert_eq!(fit.table[1].ci_upper, Some(1.0));
        assert_eq!(
            (
                fit.table[2].se,
                fit.table[2].ci_lower,
                fit.table[2].ci_upper
            ),
            (None, None, None)
        );
    }

    #[test]
    fn log_log_and_plain_intervals_by_hand() {
        // One event among 4 at t = 1: S = 3/4, gw = 1/(4·3) = 1/12.
        // plain: 3/4 ± z·3/4·√(1/12) = 0.75 ± 0.4243 → [0.3257, 1 (clipped)].
        // log-log: log(−log 0.75) = −1.2459; shift = z·√(1/12)/log 0.75 =
        // 0.5658/−0.2877 = −1.9667; lower = exp(−exp(−1.2459 + 1.9667)),
        // upper = exp(−exp(−1.2459 − 1.9667)).
        let survival = 0.75_f64;
        let gw = 1.0 / 12.0;
        let z = 1.959_963_984_540_054_f64;
        let (lower, upper) = ConfidenceTransform::Plain
            .interval(survival, gw, z)
            .unwrap();
        assert!(close(lower, 0.75 - z * 0.75 * gw.sqrt(), 1e-15));
        assert_eq!(upper, 1.0);
        let (lower, upper) = ConfidenceTransform::LogLog
            .interval(survival, gw, z)
            .unwrap();
        let centre = (-(0.75_f64.ln())).ln();
        let shift = z * gw.sqrt() / 0.75_f64.ln();
        assert!(close(lower, (-(centre - shift).exp()).exp(), 1e-15));
        assert!(close(upper, (-(centre + shift).exp()).exp(), 1e-15));
        assert!(lower < survival && survival < upper);
        assert_eq!(
            ConfidenceTransform::LogLog.interval(1.0, 0.0, z),
            Some((1.0, 1.0))
        );
        assert_eq!(
            ConfidenceTransform::LogLog.interval(0.0, f64::INFINITY, z),
            None
        );
        assert_eq!(
            ConfidenceTransform::Log.interval(1.0, 0.0, z),
            Some((1.0, 1.0))
        );
    }

    #[test]
    fn survival_at_times_as_r_summary() {
        // Times 1, 2+, 3, 3, 3+, 5. Asked at 0, 2, 3, 4, 9:
        // t=0: S=1, n at risk 6, nothing yet.
        // t=2: S=5/6, n(time >= 2) = 5, (0,2]: 1 event, 1 censoring.
        // t=3: S=5/12, n = 4, (2,3]: 2 events, 1 censoring.
        // t=4: S=5/12, n = 1, (3,4]: nothing.
        // t=9: S=0, n = 0, (4,9]: 1 event.
        let fit = KaplanMeier::fit(
            &data(&[3.0, 1.0, 2.0, 3.0, 5.0, 3.0], &[1, 1, 0, 0, 1, 1]),
            KmOptions::default(),
        )
        .unwrap();
        let at = fit.at_times(&[9.0, 2.0, 0.0, 4.0, 3.0]).unwrap();
        let got: Vec<(f64, usize, usize, usize)> = at
            .iter()
            .map(|a| (a.time, a.at_risk, a.events, a.censored))
            .collect();
        assert_eq!(
            got,
            vec![
                (0.0, 6, 0, 0),
                (2.0, 5, 1, 1),
                (3.0, 4, 2, 1),
                (4.0, 1, 0, 0),
                (9.0, 0, 1, 0)
            ]
        );
        let survival: Vec<f64> = at.iter().map(|a| a.survival).collect();
        assert_eq!(survival[0], 1.0);
        assert!(close(survival[1], 5.0 / 6.0, 1e-15));
        assert!(close(survival[3], 5.0 / 12.0, 1e-15));
        assert_eq!(survival[4], 0.0);
        assert_eq!(at[0].se, Some(0.0));
        // Before the first event the interval is the point 1.
        assert_eq!((at[0].ci_lower, at[0].ci_upper), (Some(1.0), Some(1.0)));
        // R 4.2, survival 3.5.3: summary(survfit(Surv(time, event) ~ 1,
        // conf.type = "log-log"), times = c(0, 2, 3, 4, 9), extend = TRUE)
        // prints std.err, lower, upper (7 digits) for t = 2 and 3 as below,
        // and NaN, NA, NA at t = 9.
        let r = [
            (0.1521452, 0.27312285, 0.9747124),
            (0.2217878, 0.05599186, 0.7665222),
        ];
        for (ours, (se, lower, upper)) in at[1..3].iter().zip(r) {
            assert!(close(ours.se.unwrap(), se, 5e-8));
            assert!(close(ours.ci_lower.unwrap(), lower, 5e-9));
            assert!(close(ours.ci_upper.unwrap(), upper, 5e-8));
        }
        assert_eq!(
            (at[4].se, at[4].ci_lower, at[4].ci_upper),
            (None, None, None)
        );
        assert_eq!(fit.survival_at(2.5), fit.table[0].survival);
        assert!(fit.at_times(&[f64::NAN]).is_err());
    }

    #[test]
    fn median_conventions_differ_on_an_exact_half() {
        // Times 1..4 all events: S = 3/4, 1/2, 1/4, 0. S = 0.5 exactly on
        // [2, 3): lifelines says 2, R the midpoint 2.5 (R 4.2 prints 2.5;
        // quantile(fit, 0.25) gives 1.5; with 3 and 4 censored, 2).
        let fit = KaplanMeier::fit(
            &data(&[1.0, 2.0, 3.0, 4.0], &[1, 1, 1, 1]),
            KmOptions::default(),
        )
        .unwrap();
        assert_eq!(fit.median(QuantileRule::Lifelines).time, Some(2.0));
        assert_eq!(fit.median(QuantileRule::R).time, Some(2.5));
        // 25th percentile: S reaches 0.75 at t = 1 exactly → R: (1 + 2)/2.
        assert_eq!(fit.quantile(0.25, QuantileRule::R).unwrap().time, Some(1.5));
        assert!(fit.quantile(1.0, QuantileRule::R).is_err());
        // Curve flat at 0.5 to the end: no later drop, R keeps the time.
        let flat = KaplanMeier::fit(
            &data(&[1.0, 2.0, 3.0, 4.0], &[1, 1, 0, 0]),
            KmOptions::default(),
        )
        .unwrap();
        assert_eq!(flat.median(QuantileRule::R).time, Some(2.0));
    }

    #[test]
    fn median_not_reached_is_none() {
        let fit = KaplanMeier::fit(
            &data(&[1.0, 2.0, 3.0, 4.0], &[1, 0, 0, 0]),
            KmOptions::default(),
        )
        .unwrap();
        let median = fit.median(QuantileRule::R);
        assert_eq!(median.time, None);
        assert_eq!(median.ci_upper, None);
        let no_events =
            KaplanMeier::fit(&data(&[1.0, 2.0], &[0, 0]), KmOptions::default()).unwrap();
        assert!(no_events.table.is_empty());
        assert_eq!(no_events.survival_at(5.0), 1.0);
        assert_eq!(no_events.median(QuantileRule::Lifelines).time, None);
    }

    #[test]
    fn reverse_km_median_follow_up() {
        // Reverse of 1, 2+, 3+, 4, 5+: censoring times 2, 3, 5 are the
        // events. At risk 4 at t=2 (S = 3/4), 3 at t=3 (S = 1/2): the
        // median follow-up is 3 (lifelines), R's midpoint (3 + 5)/2 = 4
        // (R: survfit(Surv(time, 1 - event) ~ 1) prints median 4).
        let cohort = data(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1, 0, 0, 1, 0]);
        let lifelines =
            KaplanMeier::median_follow_up(&cohort, KmOptions::default(), QuantileRule::Lifelines)
                .unwrap();
        assert_eq!(lifelines.time, Some(3.0));
        let r =
            KaplanMeier::median_follow_up(&cohort, KmOptions::default(), QuantileRule::R).unwrap();
        assert_eq!(r.time, Some(4.0));
    }

    #[test]
    fn serializes_table_rows_and_groups() {
        let cohort = data(&[1.0, 2.0, 3.0], &[1, 0, 1]);
        let arms = Grouping::from_labels(&[1, 1, 2]);
        let fits = KaplanMeier::fit_groups(&cohort, &arms, KmOptions::default()).unwrap();
        let json = serde_json::to_value(&fits).unwrap();
        assert_eq!(json[0]["group"], "1");
        assert_eq!(json[0]["transform"], "log-log");
        let row = &json[0]["table"][0];
        for key in [
            "time", "at_risk", "events", "censored", "survival", "se", "ci_lower", "ci_upper",
        ] {
            assert!(row.get(key).is_some(), "{key} missing from {row}");
        }
        // Group 2's only subject has the event: S = 0, no se or interval.
        assert!(json[1]["table"][0]["se"].is_null());
        let median = serde_json::to_value(fits[1].fit.median(QuantileRule::R)).unwrap();
        assert_eq!(median["time"], 3.0);
        assert!(median["ci_lower"].is_null());
    }

    #[test]
    fn refuses_empty_cohorts_and_missing_groups() {
        let empty = SurvivalData::new(vec![], vec![]).unwrap();
        assert!(matches!(
            KaplanMeier::fit(&empty, KmOptions::default()),
            Err(StatsError::TooFewObservations { found: 0, .. })
        ));
        let cohort = data(&[1.0, 2.0], &[1, 1]);
        let short = Grouping::from_labels(&[0]);
        assert!(matches!(
            KaplanMeier::fit_groups(&cohort, &short, KmOptions::default()),
            Err(StatsError::LengthMismatch { .. })
        ));
    }

    #[test]
    fn groups_are_fitted_separately() {
        let cohort = data(&[1.0, 2.0, 3.0, 4.0], &[1, 1, 0, 1]);
        let arms = Grouping::from_labels(&["b", "a", "b", "a"]);
        let fits = KaplanMeier::fit_groups(&cohort, &arms, KmOptions::default()).unwrap();
        assert_eq!(fits[0].group, "a");
        // Group a: times 2, 4, both events: S = 1/2 then 0.
        let a: Vec<f64> = fits[0].fit.table.iter().map(|r| r.survival).collect();
        assert_eq!(a, vec![0.5, 0.0]);
        // Group b: 1 (event), 3+: S = 1/2.
        assert_eq!(fits[1].fit.table.len(), 1);
        assert_eq!(fits[1].fit.last_time(), 3.0);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Small cohorts with many ties: integer times 0..12, events, and a
    /// group label 0..3 for each subject.
    fn cohort() -> impl Strategy<Value = Vec<(u8, bool, u8)>> {
        proptest::collection::vec((0u8..12, any::<bool>(), 0u8..3), 1..40)
    }

    fn split(rows: &[(u8, bool, u8)]) -> (SurvivalData, Vec<u8>) {
        let data = SurvivalData::new(
            rows.iter().map(|r| f64::from(r.0)).collect(),
            rows.iter().map(|r| r.1).collect(),
        )
        .unwrap();
        (data, rows.iter().map(|r| r.2).collect())
    }

    const TRANSFORMS: [ConfidenceTransform; 3] = [
        ConfidenceTransform::LogLog,
        ConfidenceTransform::Log,
        ConfidenceTransform::Plain,
    ];

    proptest! {
        #[test]
        fn survival_is_a_non_increasing_probability(rows in cohort()) {
            let (data, _) = split(&rows);
            for transform in TRANSFORMS {
                let fit = KaplanMeier::fit(&data, KmOptions { level: 0.9, transform }).unwrap();
                let mut previous = 1.0;
                for row in &fit.table {
                    prop_assert!((0.0..=1.0).contains(&row.survival));
                    prop_assert!(row.survival <= previous);
                    previous = row.survival;
                    if let (Some(lower), Some(upper)) = (row.ci_lower, row.ci_upper) {
                        prop_assert!(0.0 <= lower && lower <= row.survival + 1e-15);
                        prop_assert!(row.survival <= upper + 1e-15 && upper <= 1.0);
                    }
                    prop_assert!(row.se.is_none_or(|se| se >= 0.0));
                }
                let events: usize = fit.table.iter().map(|r| r.events).sum();
                prop_assert_eq!(events, data.events());
                // Survival at the times asked accounts for every subject.
                let last = fit.last_time();
                let at = fit.at_times(&[last / 2.0, last]).unwrap();
                let counted: usize = at.iter().map(|a| a.events + a.censored).sum();
                prop_assert_eq!(counted, data.len());
            }
        }

        #[test]
        fn a_group_is_fitted_as_its_rows_in_any_order(
            (rows, shuffled) in cohort().prop_flat_map(|rows| {
                let shuffled = Just(rows.clone()).prop_shuffle();
                (Just(rows), shuffled)
            })
        ) {
            let (data, labels) = split(&rows);
            let (shuffled_data, _) = split(&shuffled);
            let options = KmOptions::default();
            prop_assert_eq!(
                KaplanMeier::fit(&data, options).unwrap(),
                KaplanMeier::fit(&shuffled_data, options).unwrap()
            );
            let groups = Grouping::from_labels(&labels);
            let fits = KaplanMeier::fit_groups(&data, &groups, options).unwrap();
            for (g, fit) in fits.iter().enumerate() {
                let members: Vec<usize> =
                    (0..labels.len()).filter(|&i| groups.code(i) == Some(g)).collect();
                let alone = KaplanMeier::fit(&data.subset(&members), options).unwrap();
                prop_assert_eq!(&fit.fit, &alone);
            }
        }
    }
}
