//! Endpoints derived from a patient's timeline. Every time is counted in
//! whole days from the index surgery (day 0).
//!
//! - **DFS** (disease-free survival): an event at the first recurrence or
//!   death, whichever comes first; otherwise censored at the last contact,
//!   the last date the patient was known alive and recurrence-free.
//! - **OS** (overall survival): an event at death; otherwise censored at the
//!   later of the last contact and the first recurrence.
//! - **Early recurrence** within a window of W days: `1` when the first
//!   recurrence is on or before day W; `0` when the patient is known
//!   recurrence-free at day W (last contact on or after day W, or a first
//!   recurrence or death after day W); unknown when follow-up ended before
//!   day W without recurrence, or the patient died on or before day W
//!   without recurrence (a competing event, not a non-recurrence).
//! - **Adjuvant chemotherapy**: a course starting between day 0 and day A
//!   (the adjuvant window) inclusive. A patient with no recorded course did
//!   not receive it.
//!
//! An endpoint is unknown (`None`) when the surgery date is missing, or when
//! there is no date to measure it to.

use chrono::NaiveDate;
use serde::Serialize;

use super::db::StudySettings;
use super::model::PatientRecord;

/// A right-censored time to event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimeToEvent {
    /// Days from surgery to the event or to censoring.
    pub days: i64,
    /// Whether the event was observed (`false`: censored).
    pub event: bool,
}

/// The derived endpoints of one patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Endpoints {
    /// Disease-free survival.
    pub dfs: Option<TimeToEvent>,
    /// Overall survival.
    pub os: Option<TimeToEvent>,
    /// Recurrence within the early-recurrence window.
    pub early_recurrence: Option<bool>,
    /// Adjuvant chemotherapy received.
    pub adjuvant_chemo: Option<bool>,
}

/// The windows the endpoints depend on, from the study settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointWindows {
    /// Early recurrence window W in days.
    pub early_recurrence_days: i64,
    /// Adjuvant chemotherapy window A in days.
    pub adjuvant_days: i64,
}

impl From<&StudySettings> for EndpointWindows {
    fn from(settings: &StudySettings) -> Self {
        EndpointWindows {
            early_recurrence_days: settings.early_recurrence_window_days,
            adjuvant_days: settings.adjuvant_window_days,
        }
    }
}

impl Default for EndpointWindows {
    fn default() -> Self {
        EndpointWindows::from(&StudySettings::default())
    }
}

/// Derives a patient's endpoints (see the module documentation for the
/// rules).
pub fn derive(record: &PatientRecord, windows: EndpointWindows) -> Endpoints {
    let Some(surgery) = record.surgery.date else {
        return Endpoints {
            dfs: None,
            os: None,
            early_recurrence: None,
            adjuvant_chemo: None,
        };
    };
    let days = |date: NaiveDate| (date - surgery).num_days();
    let recurrence = record.first_recurrence().map(days);
    let death = record.death().map(days);
    let last_contact = record.last_contact().map(days);

    let dfs = match (recurrence, death) {
        (Some(r), Some(d)) => Some(event_at(r.min(d))),
        (Some(t), None) | (None, Some(t)) => Some(event_at(t)),
        (None, None) => last_contact.map(censored_at),
    };
    let os = match death {
        Some(d) => Some(event_at(d)),
        None => last_contact.max(recurrence).map(censored_at),
    };

    let window = windows.early_recurrence_days;
    let early_recurrence = if recurrence.is_some_and(|r| r <= window) {
        Some(true)
    } else if death.is_some_and(|d| d <= window) {
        None
    } else {
        let free_at_window = last_contact.is_some_and(|l| l >= window)
            || recurrence.is_some_and(|r| r > window)
            || death.is_some_and(|d| d > window);
        free_at_window.then_some(false)
    };

    let adjuvant_chemo = Some(record.chemo.iter().any(|course| {
        let start = days(course.start);
        (0..=windows.adjuvant_days).contains(&start)
    }));

    Endpoints {
        dfs,
        os,
        early_recurrence,
        adjuvant_chemo,
    }
}

fn event_at(days: i64) -> TimeToEvent {
    TimeToEvent { days, event: true }
}

fn censored_at(days: i64) -> TimeToEvent {
    TimeToEvent { days, event: false }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::model::{ChemoCourse, EventKind, FollowUpEvent};

    const SURGERY: &str = "2018-01-01";

    fn on(day: i64) -> NaiveDate {
        SURGERY.parse::<NaiveDate>().unwrap() + chrono::Days::new(day as u64)
    }

    /// A record with surgery on day 0 and events on the given days.
    fn record(
        recurrence: Option<i64>,
        death: Option<i64>,
        last_contact: Option<i64>,
    ) -> PatientRecord {
        let mut record = PatientRecord::new("P1");
        record.surgery.date = Some(on(0));
        let events = [
            (EventKind::Recurrence, recurrence),
            (EventKind::Death, death),
            (EventKind::LastContact, last_contact),
        ];
        for (kind, day) in events {
            if let Some(day) = day {
                record.events.push(FollowUpEvent {
                    id: None,
                    kind,
                    date: on(day),
                    detail: None,
                });
            }
        }
        record
    }

    fn endpoints(
        recurrence: Option<i64>,
        death: Option<i64>,
        last_contact: Option<i64>,
    ) -> Endpoints {
        derive(
            &record(recurrence, death, last_contact),
            EndpointWindows::default(),
        )
    }

    fn event(days: i64) -> Option<TimeToEvent> {
        Some(TimeToEvent { days, event: true })
    }

    fn censored(days: i64) -> Option<TimeToEvent> {
        Some(TimeToEvent { days, event: false })
    }

    #[test]
    fn recurrence_without_death() {
        let e = endpoints(Some(200), None, Some(900));
        assert_eq!(e.dfs, event(200));
        assert_eq!(e.os, censored(900));
        assert_eq!(e.early_recurrence, Some(true));
    }

    #[test]
    fn recurrence_after_the_last_contact_still_censors_os_at_the_recurrence() {
        let e = endpoints(Some(700), None, Some(650));
        assert_eq!(e.os, censored(700));
        assert_eq!(e.early_recurrence, Some(false));
    }

    #[test]
    fn same_day_recurrence_and_death() {
        let e = endpoints(Some(300), Some(300), Some(300));
        assert_eq!(e.dfs, event(300));
        assert_eq!(e.os, event(300));
        assert_eq!(e.early_recurrence, Some(true));
    }

    #[test]
    fn events_on_the_day_of_surgery() {
        let e = endpoints(Some(0), None, Some(0));
        assert_eq!(e.dfs, event(0));
        assert_eq!(e.os, censored(0));
        assert_eq!(e.early_recurrence, Some(true));
    }

    #[test]
    fn death_without_recurrence_inside_the_window_is_unknown_early_recurrence() {
        let e = endpoints(None, Some(100), Some(100));
        assert_eq!(e.dfs, event(100));
        assert_eq!(e.os, event(100));
        assert_eq!(e.early_recurrence, None);
        // Dying on the last day of the window is still inside it.
        assert_eq!(endpoints(None, Some(365), None).early_recurrence, None);
    }

    #[test]
    fn death_without_recurrence_outside_the_window_is_no_early_recurrence() {
        let e = endpoints(None, Some(500), None);
        assert_eq!(e.dfs, event(500));
        assert_eq!(e.os, event(500));
        assert_eq!(e.early_recurrence, Some(false));
    }

    #[test]
    fn censoring_before_the_window_is_unknown() {
        let e = endpoints(None, None, Some(200));
        assert_eq!(e.dfs, censored(200));
        assert_eq!(e.os, censored(200));
        assert_eq!(e.early_recurrence, None);
    }

    #[test]
    fn the_window_edges_are_inclusive() {
        assert_eq!(
            endpoints(Some(365), None, None).early_recurrence,
            Some(true)
        );
        assert_eq!(
            endpoints(Some(366), None, None).early_recurrence,
            Some(false)
        );
        assert_eq!(
            endpoints(None, None, Some(365)).early_recurrence,
            Some(false)
        );
        assert_eq!(endpoints(None, None, Some(364)).early_recurrence, None);
    }

    #[test]
    fn the_window_is_a_study_setting() {
        let windows = EndpointWindows {
            early_recurrence_days: 730,
            adjuvant_days: 90,
        };
        let e = derive(&record(Some(500), None, None), windows);
        assert_eq!(e.early_recurrence, Some(true));
    }

    #[test]
    fn only_the_first_recurrence_counts() {
        let mut r = record(Some(800), None, Some(1000));
        r.events.push(FollowUpEvent {
            id: None,
            kind: EventKind::Recurrence,
            date: on(300),
            detail: None,
        });
        let e = derive(&r, EndpointWindows::default());
        assert_eq!(e.dfs, event(300));
        assert_eq!(e.early_recurrence, Some(true));
    }

    #[test]
    fn no_follow_up_and_no_surgery_are_unknown() {
        let e = endpoints(None, None, None);
        assert_eq!((e.dfs, e.os, e.early_recurrence), (None, None, None));
        assert_eq!(e.adjuvant_chemo, Some(false));
        let mut r = record(Some(10), None, None);
        r.surgery.date = None;
        let e = derive(&r, EndpointWindows::default());
        assert_eq!(
            e,
            Endpoints {
                dfs: None,
                os: None,
                early_recurrence: None,
                adjuvant_chemo: None
            }
        );
    }

    #[test]
    fn adjuvant_chemotherapy_starts_within_the_window() {
        let course = |day: i64| ChemoCourse {
            id: None,
            regimen: "GEMOX".into(),
            start: on(day),
            end: None,
            cycles: None,
            completed: None,
        };
        let with = |days: &[i64]| {
            let mut r = record(None, None, Some(1000));
            r.chemo = days.iter().map(|&d| course(d)).collect();
            derive(&r, EndpointWindows::default()).adjuvant_chemo
        };
        assert_eq!(with(&[]), Some(false));
        assert_eq!(with(&[0]), Some(true));
        assert_eq!(with(&[90]), Some(true));
        assert_eq!(with(&[91]), Some(false));
        assert_eq!(with(&[400, 45]), Some(true));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Timelines that obey the cross-field rules: recurrence before or
        /// on the day of death, last contact not after death.
        fn timeline() -> impl Strategy<Value = (Option<i64>, Option<i64>, Option<i64>)> {
            (
                proptest::option::of(0i64..3000),
                proptest::option::of(0i64..3000),
                proptest::option::of(0i64..3000),
            )
                .prop_map(|(r, d, l)| {
                    let d = match (r, d) {
                        (Some(r), Some(d)) => Some(d.max(r)),
                        (_, d) => d,
                    };
                    let l = match (l, d) {
                        (Some(l), Some(d)) => Some(l.min(d)),
                        (l, _) => l,
                    };
                    (r, d, l)
                })
        }

        proptest! {
            #[test]
            fn endpoints_are_mutually_consistent((r, d, l) in timeline(), window in 1i64..1000) {
                let windows = EndpointWindows { early_recurrence_days: window, adjuvant_days: 90 };
                let e = derive(&record(r, d, l), windows);
                if let (Some(dfs), Some(os)) = (e.dfs, e.os) {
                    // DFS ends no later than OS, and an OS event is a DFS event.
                    prop_assert!(dfs.days <= os.days);
                    prop_assert!(!os.event || dfs.event);
                }
                // Any follow-up date makes DFS and OS known.
                let any = r.is_some() || d.is_some() || l.is_some();
                prop_assert_eq!(e.dfs.is_some(), any);
                prop_assert_eq!(e.os.is_some(), any);
                match e.early_recurrence {
                    Some(true) => {
                        let dfs = e.dfs.unwrap();
                        prop_assert!(dfs.event && dfs.days <= window);
                    }
                    // Known free at the window: followed beyond it or up to it.
                    Some(false) => prop_assert!(e.os.unwrap().days >= window),
                    None => prop_assert!(r.is_none_or(|r| r > window)),
                }
            }
        }
    }
}
