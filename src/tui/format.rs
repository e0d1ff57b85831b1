//! How study values are written on screen, shared by every screen so that a
//! value reads the same wherever it appears.

use chrono::NaiveDate;
use radcohort::study::dates::iso;
use radcohort::study::endpoints::TimeToEvent;
use radcohort::study::model::Value;

use super::study::Patient;

/// Stands for a value that is not known.
pub const UNKNOWN: &str = "—";

/// A time to event as `event 412d` or `cens 1820d`.
pub fn time_to_event(time: Option<TimeToEvent>) -> String {
    match time {
        Some(TimeToEvent { days, event: true }) => format!("event {days}d"),
        Some(TimeToEvent { days, event: false }) => format!("cens {days}d"),
        None => UNKNOWN.to_owned(),
    }
}

/// A yes/no answer.
pub fn yes_no(answer: Option<bool>) -> String {
    match answer {
        Some(true) => "yes".to_owned(),
        Some(false) => "no".to_owned(),
        None => UNKNOWN.to_owned(),
    }
}

/// A date in ISO 8601.
pub fn date(date: Option<NaiveDate>) -> String {
    date.map_or_else(|| UNKNOWN.to_owned(), iso)
}

/// Anything displayable, or the unknown mark.
pub fn or_unknown(value: Option<impl ToString>) -> String {
    value.map_or_else(|| UNKNOWN.to_owned(), |v| v.to_string())
}

/// A dictionary value. Booleans read as yes/no here, not as the `1`/`0` of
/// the files.
pub fn value(value: &Value) -> String {
    match value {
        Value::Bool(answer) => yes_no(Some(*answer)),
        other => other.to_string(),
    }
}

/// A patient's image files in a few characters: `3 ok`, `1 missing` or
/// `none`. Missing files win because they are what needs acting on.
pub fn imaging_status(patient: &Patient) -> String {
    let missing = patient.missing_files();
    match patient.files.len() {
        0 => "none".to_owned(),
        _ if missing > 0 => format!("{missing} missing"),
        present => format!("{present} ok"),
    }
}

/// `text` cut to `width` characters, the cut marked with `…`, so columns
/// keep their width whatever the value.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// A vector of three numbers joined by `×`, e.g. dimensions or spacing.
pub fn triple<T: std::fmt::Display>(values: &[T; 3]) -> String {
    format!("{}×{}×{}", values[0], values[1], values[2])
}

/// A day offset from surgery, signed so that a date before surgery is
/// plain to see.
pub fn day_offset(days: Option<i64>) -> String {
    match days {
        Some(days) if days > 0 => format!("+{days}"),
        Some(days) => days.to_string(),
        None => UNKNOWN.to_owned(),
    }
}

/// `text` broken into lines of at most `width` characters, at spaces
/// where it can be and inside a word longer than a line where it cannot.
/// For text whose line count must be known before drawing (to bound a
/// scroll), which ratatui's own wrapping does not tell.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut length = 0;
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        if length > 0 && length + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
            length = 0;
        }
        if length > 0 {
            line.push(' ');
            length += 1;
        }
        while length + word.len() > width {
            let rest = word.split_off(width - length);
            line.extend(word);
            lines.push(std::mem::take(&mut line));
            length = 0;
            word = rest;
        }
        length += word.len();
        line.extend(word);
    }
    if length > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_to_event_say_event_or_censored() {
        let event = TimeToEvent {
            days: 412,
            event: true,
        };
        let censored = TimeToEvent {
            days: 1820,
            event: false,
        };
        assert_eq!(time_to_event(Some(event)), "event 412d");
        assert_eq!(time_to_event(Some(censored)), "cens 1820d");
        assert_eq!(time_to_event(None), "—");
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_inside_long_words() {
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("abcdefgh ij", 3), ["abc", "def", "gh", "ij"]);
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(wrap("x", 0), ["x"]);
    }

    #[test]
    fn day_offsets_are_signed() {
        assert_eq!(day_offset(Some(0)), "0");
        assert_eq!(day_offset(Some(37)), "+37");
        assert_eq!(day_offset(Some(-2)), "-2");
        assert_eq!(day_offset(None), "—");
    }
}
