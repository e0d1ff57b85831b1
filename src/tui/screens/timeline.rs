//! A patient's timeline as the patient view lists it: surgery,
//! chemotherapy courses, recurrences, death and last contact in date
//! order with days from surgery, each course and event selectable for
//! editing; and the staged timeline changes described for the write
//! confirmation.

use chrono::NaiveDate;
use radcohort::study::edit::Entry;
use radcohort::study::model::{ChemoCourse, EventKind, FollowUpEvent, PatientRecord, Procedure};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;

use super::patient::StagedChange;
use crate::tui::format;

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow {
    /// When.
    pub date: NaiveDate,
    /// Same-day order: surgery, chemotherapy, recurrence, death, last
    /// contact, as they happen clinically.
    rank: u8,
    /// What.
    pub text: String,
    /// The course or event, for editing; `None` for the surgery, which is
    /// edited with the clinical values.
    pub entry: Option<Entry>,
}

/// How an event reads: `Recurrence (liver)`.
pub fn describe_event(event: &FollowUpEvent) -> String {
    let name = match event.kind {
        EventKind::Recurrence => "Recurrence",
        EventKind::Death => "Death",
        EventKind::LastContact => "Last contact",
    };
    match &event.detail {
        Some(detail) => format!("{name} ({detail})"),
        None => name.to_owned(),
    }
}

/// How a course reads: `Chemo GEMOX, 6 cycles, completed, until 2019-06-30`.
pub fn describe_chemo(course: &ChemoCourse) -> String {
    let mut text = format!("Chemo {}", course.regimen);
    if let Some(cycles) = course.cycles {
        text.push_str(&format!(", {cycles} cycles"));
    }
    match course.completed {
        Some(true) => text.push_str(", completed"),
        Some(false) => text.push_str(", stopped early"),
        None => {}
    }
    if let Some(end) = course.end {
        text.push_str(&format!(", until {}", format::date(Some(end))));
    }
    text
}

/// The timeline of a record, in date order.
pub fn rows(record: &PatientRecord) -> Vec<TimelineRow> {
    let mut rows = Vec::new();
    if let Some(date) = record.surgery.date {
        let procedure = match record.surgery.procedure {
            Some(Procedure::Major) => "major hepatectomy",
            Some(Procedure::Minor) => "minor hepatectomy",
            None => "hepatectomy",
        };
        let lymph = match record.surgery.lymphadenectomy {
            Some(true) => ", lymphadenectomy",
            Some(false) => ", no lymphadenectomy",
            None => "",
        };
        rows.push(TimelineRow {
            date,
            rank: 0,
            text: format!("Surgery: {procedure}{lymph}"),
            entry: None,
        });
    }
    for (i, course) in record.chemo.iter().enumerate() {
        rows.push(TimelineRow {
            date: course.start,
            rank: 1,
            text: describe_chemo(course),
            entry: Some(Entry::Chemo(i)),
        });
    }
    for (i, event) in record.events.iter().enumerate() {
        let rank = match event.kind {
            EventKind::Recurrence => 2,
            EventKind::Death => 3,
            EventKind::LastContact => 4,
        };
        rows.push(TimelineRow {
            date: event.date,
            rank,
            text: describe_event(event),
            entry: Some(Entry::Event(i)),
        });
    }
    rows.sort_by_key(|row| (row.date, row.rank));
    rows
}

/// The lines of the timeline section, with the selectable entry at
/// `cursor` (an index of the entries, not of the rows) reversed, and the
/// line of each entry.
pub fn lines(record: &PatientRecord, cursor: usize) -> (Vec<Line<'static>>, Vec<usize>) {
    let surgery = record.surgery.date;
    let mut lines = vec![Line::styled(
        format!("   {:10}  {:>6}  Event", "Date", "Day"),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    if surgery.is_none() {
        lines.push(Line::styled(
            " The surgery date is missing, so days cannot be counted.",
            Style::new().fg(Color::Yellow),
        ));
    }
    let rows = rows(record);
    if rows.is_empty() {
        lines.push(Line::from(
            " Nothing recorded yet. a adds an event or a course.",
        ));
    }
    let mut entry_lines = Vec::new();
    for row in rows {
        let day = surgery.map(|s| (row.date - s).num_days());
        let selected = row.entry.is_some() && entry_lines.len() == cursor;
        if row.entry.is_some() {
            entry_lines.push(lines.len());
        }
        let marker = if selected { "▶" } else { " " };
        let line = Line::from(format!(
            " {marker} {}  {:>6}  {}",
            format::date(Some(row.date)),
            format::day_offset(day),
            row.text
        ));
        lines.push(if selected {
            line.style(Style::new().add_modifier(Modifier::REVERSED))
        } else {
            line
        });
    }
    (lines, entry_lines)
}

/// The selectable entries of a record, in the order the timeline lists
/// them.
pub fn entries(record: &PatientRecord) -> Vec<Entry> {
    rows(record)
        .into_iter()
        .filter_map(|row| row.entry)
        .collect()
}

/// The staged changes to the timeline: entries added, removed or changed,
/// matched by their row ids (new entries have none).
pub fn changes(shown: &PatientRecord, edited: &PatientRecord) -> Vec<StagedChange> {
    let mut found = Vec::new();
    let mut compare = |old: Vec<(Option<i64>, String)>, new: Vec<(Option<i64>, String)>| {
        for (id, text) in &old {
            match new.iter().find(|(other, _)| other == id && id.is_some()) {
                Some((_, now)) if now != text => found.push(StagedChange {
                    field: "timeline".to_owned(),
                    old: text.clone(),
                    new: now.clone(),
                }),
                Some(_) => {}
                None => found.push(StagedChange {
                    field: "timeline".to_owned(),
                    old: text.clone(),
                    new: String::new(),
                }),
            }
        }
        for (id, text) in new {
            if id.is_none() || !old.iter().any(|(other, _)| *other == id) {
                found.push(StagedChange {
                    field: "timeline".to_owned(),
                    old: String::new(),
                    new: text,
                });
            }
        }
    };
    let events = |r: &PatientRecord| {
        r.events
            .iter()
            .map(|e| {
                (
                    e.id,
                    format!("{} {}", format::date(Some(e.date)), describe_event(e)),
                )
            })
            .collect()
    };
    let courses = |r: &PatientRecord| {
        r.chemo
            .iter()
            .map(|c| {
                (
                    c.id,
                    format!("{} {}", format::date(Some(c.start)), describe_chemo(c)),
                )
            })
            .collect()
    };
    compare(events(shown), events(edited));
    compare(courses(shown), courses(edited));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: Option<i64>, kind: EventKind, date: &str, detail: Option<&str>) -> FollowUpEvent {
        FollowUpEvent {
            id,
            kind,
            date: date.parse().expect("a date"),
            detail: detail.map(str::to_owned),
        }
    }

    #[test]
    fn same_day_entries_follow_the_clinical_order_and_only_courses_and_events_are_selectable() {
        let mut record = PatientRecord::new("P1");
        record.surgery.date = "2019-01-10".parse().ok();
        record
            .events
            .push(event(Some(1), EventKind::LastContact, "2019-01-10", None));
        record.chemo.push(ChemoCourse {
            id: Some(2),
            regimen: "GEMOX".to_owned(),
            start: "2019-01-10".parse().expect("a date"),
            end: None,
            cycles: None,
            completed: None,
        });
        let texts: Vec<String> = rows(&record).into_iter().map(|r| r.text).collect();
        assert_eq!(
            texts,
            ["Surgery: hepatectomy", "Chemo GEMOX", "Last contact"]
        );
        assert_eq!(entries(&record), [Entry::Chemo(0), Entry::Event(0)]);
    }

    #[test]
    fn changes_name_what_was_added_removed_and_changed() {
        let mut shown = PatientRecord::new("P1");
        shown.events.push(event(
            Some(1),
            EventKind::Recurrence,
            "2019-05-01",
            Some("liver"),
        ));
        shown
            .events
            .push(event(Some(2), EventKind::LastContact, "2020-01-01", None));
        let mut edited = shown.clone();
        edited.events[0].detail = Some("lung".to_owned());
        edited.events.remove(1);
        edited
            .events
            .push(event(None, EventKind::Death, "2020-02-01", None));
        let described: Vec<(String, String)> = changes(&shown, &edited)
            .into_iter()
            .map(|c| (c.old, c.new))
            .collect();
        assert_eq!(
            described,
            [
                (
                    "2019-05-01 Recurrence (liver)".to_owned(),
                    "2019-05-01 Recurrence (lung)".to_owned()
                ),
                ("2020-01-01 Last contact".to_owned(), String::new()),
                (String::new(), "2020-02-01 Death".to_owned()),
            ]
        );
        assert!(changes(&shown, &shown).is_empty());
    }
}
