//! Cross-field rules a patient's timeline must obey. Import refuses records
//! that break them; the data-quality report lists stored records that do.

use std::fmt;

use chrono::NaiveDate;

use super::dates::iso;
use super::model::{EventKind, PatientRecord};

/// The part of a record a rule points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// The index surgery.
    Surgery,
    /// The follow-up event at this index of [`PatientRecord::events`].
    Event(usize),
    /// The course at this index of [`PatientRecord::chemo`].
    Chemo(usize),
}

/// The rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A follow-up event dated before the surgery.
    EventBeforeSurgery,
    /// A chemotherapy course starting before the surgery.
    ChemoBeforeSurgery,
    /// A death dated before a recurrence.
    DeathBeforeRecurrence,
    /// A last contact dated after the death.
    LastContactAfterDeath,
    /// A course ending before it starts.
    ChemoEndsBeforeStart,
    /// A course starting after the death.
    ChemoAfterDeath,
    /// Two events of one kind on one day, or a second death or last contact.
    DuplicateEvent,
    /// Two courses starting on one day.
    DuplicateCourse,
}

/// One broken rule: the offending part of the record, the part it
/// conflicts with, and a sentence saying what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleViolation {
    /// Which rule.
    pub rule: Rule,
    /// The part that breaks it (the later or dependent date).
    pub subject: Subject,
    /// The part it is measured against, if any.
    pub other: Option<Subject>,
    /// What is wrong, with both dates.
    pub message: String,
}

impl fmt::Display for RuleViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Checks every cross-field rule on one record:
/// - no follow-up event and no chemotherapy before surgery;
/// - no death before a recurrence, no last contact after death;
/// - no course that ends before it starts or starts after death;
/// - one death and one last contact at most, no two events of one kind on
///   one day and no two courses starting on one day.
///
/// Events on the same day as surgery or as each other are allowed.
pub fn check_record(record: &PatientRecord) -> Vec<RuleViolation> {
    let mut found = Vec::new();
    let mut violate = |rule, subject, other, message: String| {
        found.push(RuleViolation {
            rule,
            subject,
            other,
            message,
        });
    };
    let death = record
        .events
        .iter()
        .enumerate()
        .find(|(_, e)| e.kind == EventKind::Death)
        .map(|(index, e)| (index, e.date));

    if let Some(surgery) = record.surgery.date {
        for (index, event) in record.events.iter().enumerate() {
            if event.date < surgery {
                violate(
                    Rule::EventBeforeSurgery,
                    Subject::Event(index),
                    Some(Subject::Surgery),
                    format!(
                        "{} {} is before surgery {}",
                        describe(event.kind),
                        iso(event.date),
                        iso(surgery)
                    ),
                );
            }
        }
        for (index, course) in record.chemo.iter().enumerate() {
            if course.start < surgery {
                violate(
                    Rule::ChemoBeforeSurgery,
                    Subject::Chemo(index),
                    Some(Subject::Surgery),
                    format!(
                        "chemotherapy starting {} is before surgery {}",
                        iso(course.start),
                        iso(surgery)
                    ),
                );
            }
        }
    }

    if let Some((death_index, death_date)) = death {
        for (index, event) in record.events.iter().enumerate() {
            let (rule, message) = match event.kind {
                EventKind::Recurrence if death_date < event.date => (
                    Rule::DeathBeforeRecurrence,
                    format!(
                        "death {} is before recurrence {}",
                        iso(death_date),
                        iso(event.date)
                    ),
                ),
                EventKind::LastContact if event.date > death_date => (
                    Rule::LastContactAfterDeath,
                    format!(
                        "last contact {} is after death {}",
                        iso(event.date),
                        iso(death_date)
                    ),
                ),
                _ => continue,
            };
            let (subject, other) = match rule {
                Rule::DeathBeforeRecurrence => (Subject::Event(death_index), Subject::Event(index)),
                _ => (Subject::Event(index), Subject::Event(death_index)),
            };
            violate(rule, subject, Some(other), message);
        }
        for (index, course) in record.chemo.iter().enumerate() {
            if course.start > death_date {
                violate(
                    Rule::ChemoAfterDeath,
                    Subject::Chemo(index),
                    Some(Subject::Event(death_index)),
                    format!(
                        "chemotherapy starting {} is after death {}",
                        iso(course.start),
                        iso(death_date)
                    ),
                );
            }
        }
    }

    for (index, event) in record.events.iter().enumerate() {
        let earlier = record.events[..index].iter().find(|e| {
            e.kind == event.kind && (e.date == event.date || event.kind != EventKind::Recurrence)
        });
        if let Some(earlier) = earlier {
            violate(
                Rule::DuplicateEvent,
                Subject::Event(index),
                None,
                format!(
                    "a second {} ({}; the first is {})",
                    describe(event.kind),
                    iso(event.date),
                    iso(earlier.date)
                ),
            );
        }
    }
    for (index, course) in record.chemo.iter().enumerate() {
        if record.chemo[..index]
            .iter()
            .any(|c| c.start == course.start)
        {
            violate(
                Rule::DuplicateCourse,
                Subject::Chemo(index),
                None,
                format!(
                    "a second chemotherapy course starting {}",
                    iso(course.start)
                ),
            );
        }
    }
    for (index, course) in record.chemo.iter().enumerate() {
        if let Some(end) = course.end.filter(|end| *end < course.start) {
            violate(
                Rule::ChemoEndsBeforeStart,
                Subject::Chemo(index),
                None,
                format!(
                    "chemotherapy ends {} before it starts {}",
                    iso(end),
                    iso(course.start)
                ),
            );
        }
    }
    found
}

fn describe(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Recurrence => "recurrence",
        EventKind::Death => "death",
        EventKind::LastContact => "last contact",
    }
}

/// The date a subject carries, for messages that point at it.
pub fn subject_date(record: &PatientRecord, subject: Subject) -> Option<NaiveDate> {
    match subject {
        Subject::Surgery => record.surgery.date,
        Subject::Event(index) => record.events.get(index).map(|e| e.date),
        Subject::Chemo(index) => record.chemo.get(index).map(|c| c.start),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::model::{ChemoCourse, FollowUpEvent};

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn record(surgery: &str) -> PatientRecord {
        let mut record = PatientRecord::new("P1");
        record.surgery.date = Some(day(surgery));
        record
    }

    fn event(kind: EventKind, date: &str) -> FollowUpEvent {
        FollowUpEvent {
            id: None,
            kind,
            date: day(date),
            detail: None,
        }
    }

    fn course(start: &str, end: Option<&str>) -> ChemoCourse {
        ChemoCourse {
            id: None,
            regimen: "GEMOX".into(),
            start: day(start),
            end: end.map(day),
            cycles: None,
            completed: None,
        }
    }

    fn rules(record: &PatientRecord) -> Vec<Rule> {
        check_record(record).into_iter().map(|v| v.rule).collect()
    }

    #[test]
    fn a_consistent_timeline_passes_including_same_day_events() {
        let mut r = record("2018-01-10");
        r.events = vec![
            event(EventKind::Recurrence, "2018-01-10"),
            event(EventKind::Death, "2019-05-01"),
            event(EventKind::LastContact, "2019-05-01"),
        ];
        r.chemo = vec![course("2018-02-01", Some("2018-02-01"))];
        assert_eq!(rules(&r), []);
    }

    #[test]
    fn each_rule_is_caught_and_points_at_the_later_date() {
        let mut r = record("2018-01-10");
        r.events = vec![
            event(EventKind::Recurrence, "2018-01-09"),
            event(EventKind::Death, "2018-06-01"),
            event(EventKind::Recurrence, "2018-07-01"),
            event(EventKind::LastContact, "2018-08-01"),
        ];
        r.chemo = vec![
            course("2018-01-01", None),
            course("2018-03-01", Some("2018-02-01")),
            course("2018-06-02", None),
        ];
        let found = check_record(&r);
        let summary: Vec<(Rule, Subject)> = found.iter().map(|v| (v.rule, v.subject)).collect();
        assert_eq!(
            summary,
            [
                (Rule::EventBeforeSurgery, Subject::Event(0)),
                (Rule::ChemoBeforeSurgery, Subject::Chemo(0)),
                (Rule::DeathBeforeRecurrence, Subject::Event(1)),
                (Rule::LastContactAfterDeath, Subject::Event(3)),
                (Rule::ChemoAfterDeath, Subject::Chemo(2)),
                (Rule::ChemoEndsBeforeStart, Subject::Chemo(1)),
            ]
        );
        assert_eq!(
            found[2].message,
            "death 2018-06-01 is before recurrence 2018-07-01"
        );
        assert_eq!(
            found[0].message,
            "recurrence 2018-01-09 is before surgery 2018-01-10"
        );
    }

    #[test]
    fn duplicates_are_caught() {
        let mut r = record("2018-01-10");
        r.events = vec![
            event(EventKind::Recurrence, "2018-03-01"),
            event(EventKind::Recurrence, "2018-04-01"),
            event(EventKind::Recurrence, "2018-03-01"),
            event(EventKind::LastContact, "2018-05-01"),
            event(EventKind::LastContact, "2018-06-01"),
        ];
        r.chemo = vec![course("2018-02-01", None), course("2018-02-01", None)];
        let found: Vec<(Rule, Subject)> = check_record(&r)
            .iter()
            .map(|v| (v.rule, v.subject))
            .collect();
        assert_eq!(
            found,
            [
                (Rule::DuplicateEvent, Subject::Event(2)),
                (Rule::DuplicateEvent, Subject::Event(4)),
                (Rule::DuplicateCourse, Subject::Chemo(1)),
            ]
        );
    }

    #[test]
    fn without_a_surgery_date_only_the_other_rules_apply() {
        let mut r = PatientRecord::new("P1");
        r.events = vec![event(EventKind::Recurrence, "2001-01-01")];
        assert_eq!(rules(&r), []);
    }
}
