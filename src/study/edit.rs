//! Setting one field of a patient record from text, as a coordinator types
//! it: the core fields and every dictionary variable, each parsed and
//! checked against its definition (type, range, levels, required) before
//! the record changes. Saving the edited record is
//! [`StudyDb::save_record`](super::StudyDb::save_record)'s job.
//!
//! Fields are named as the columns of the patients CSV (`sex`, `age`,
//! `cohort`, `surgery_date`, `procedure`, `lymphadenectomy`, then the
//! dictionary's variable names), so a field means the same thing whether
//! it is imported, exported or edited.

use super::dates::{ISO_DATE, iso};
use super::model::{
    ChemoCourse, Cohort, EventKind, FollowUpEvent, PatientRecord, Procedure, Sex, Variable,
    parse_bool, parse_finite,
};
use super::rules::check_record;

/// Largest age accepted, in years: a typo guard, not a clinical claim.
const MAX_AGE: f64 = 120.0;

/// A field of a patient record that can be edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// `sex`: M or F.
    Sex,
    /// `age`: age at surgery in years.
    Age,
    /// `cohort`: training or validation.
    Cohort,
    /// `surgery_date`: the index operation's date.
    SurgeryDate,
    /// `procedure`: minor or major hepatectomy.
    Procedure,
    /// `lymphadenectomy`: yes or no.
    Lymphadenectomy,
    /// A dictionary variable, by name.
    Variable(String),
}

/// The core fields, in the order the patient view lists them.
pub const CORE_FIELDS: [Field; 6] = [
    Field::Sex,
    Field::Age,
    Field::Cohort,
    Field::SurgeryDate,
    Field::Procedure,
    Field::Lymphadenectomy,
];

impl Field {
    /// The field's column name.
    pub fn name(&self) -> &str {
        match self {
            Field::Sex => "sex",
            Field::Age => "age",
            Field::Cohort => "cohort",
            Field::SurgeryDate => "surgery_date",
            Field::Procedure => "procedure",
            Field::Lymphadenectomy => "lymphadenectomy",
            Field::Variable(name) => name,
        }
    }

    /// The field of a column name: a core field, else a dictionary
    /// variable; `None` when it is neither.
    pub fn named(name: &str, dictionary: &[Variable]) -> Option<Field> {
        CORE_FIELDS
            .iter()
            .find(|field| field.name() == name)
            .cloned()
            .or_else(|| {
                dictionary
                    .iter()
                    .any(|variable| variable.name == name)
                    .then(|| Field::Variable(name.to_owned()))
            })
    }

    /// What may be typed, for a prompt: `M or F`, `[0, 100000] U/mL`,
    /// `well, moderate, poor`.
    pub fn hint(&self, dictionary: &[Variable]) -> String {
        match self {
            Field::Sex => "M or F".to_owned(),
            Field::Age => format!("years, 0 to {MAX_AGE}"),
            Field::Cohort => "training or validation".to_owned(),
            Field::SurgeryDate => "a date, YYYY-MM-DD".to_owned(),
            Field::Procedure => "minor or major".to_owned(),
            Field::Lymphadenectomy => "yes or no".to_owned(),
            Field::Variable(name) => match variable(dictionary, name) {
                Some(variable) => variable_hint(variable),
                None => String::new(),
            },
        }
    }

    /// The field's value in `record` as text that [`set_field`] reads
    /// back; empty when missing.
    pub fn text(&self, record: &PatientRecord) -> String {
        fn or_empty<T: ToString>(value: Option<T>) -> String {
            value.map(|v| v.to_string()).unwrap_or_default()
        }
        match self {
            Field::Sex => or_empty(record.patient.sex),
            Field::Age => or_empty(record.patient.age_at_surgery),
            Field::Cohort => or_empty(record.patient.cohort),
            Field::SurgeryDate => or_empty(record.surgery.date.map(iso)),
            Field::Procedure => or_empty(record.surgery.procedure),
            Field::Lymphadenectomy => or_empty(
                record
                    .surgery
                    .lymphadenectomy
                    .map(|yes| if yes { "yes" } else { "no" }),
            ),
            Field::Variable(name) => or_empty(record.values.get(name)),
        }
    }

    /// Whether the data dictionary requires a value.
    pub fn required(&self, dictionary: &[Variable]) -> bool {
        match self {
            Field::Variable(name) => variable(dictionary, name).is_some_and(|v| v.required),
            _ => false,
        }
    }
}

fn variable<'a>(dictionary: &'a [Variable], name: &str) -> Option<&'a Variable> {
    dictionary.iter().find(|variable| variable.name == name)
}

fn variable_hint(variable: &Variable) -> String {
    use super::model::VariableType;
    match variable.kind {
        VariableType::Numeric | VariableType::Integer => {
            let kind = if variable.kind == VariableType::Integer {
                "a whole number"
            } else {
                "a number"
            };
            if variable.min.is_some() || variable.max.is_some() {
                format!("{kind} in {}", variable.range_text())
            } else {
                kind.to_owned()
            }
        }
        VariableType::Categorical => variable.levels.join(", "),
        VariableType::Boolean => "yes or no".to_owned(),
        VariableType::Date => "a date, YYYY-MM-DD".to_owned(),
        VariableType::Text => "text".to_owned(),
    }
}

/// Sets `field` of `record` from `text`: trimmed, empty meaning missing.
/// Nothing changes when the text does not parse, is out of range, is not a
/// level, or is empty for a required variable; the error says why in
/// words a coordinator can act on.
pub fn set_field(
    record: &mut PatientRecord,
    dictionary: &[Variable],
    field: &Field,
    text: &str,
) -> Result<(), String> {
    let text = text.trim();
    let missing = text.is_empty();
    match field {
        Field::Sex => {
            record.patient.sex = if missing {
                None
            } else {
                Some(text.to_ascii_uppercase().parse::<Sex>()?)
            };
        }
        Field::Age => {
            record.patient.age_at_surgery = if missing {
                None
            } else {
                let age = parse_finite(text)?;
                if !(0.0..=MAX_AGE).contains(&age) {
                    return Err(format!("out of range [0, {MAX_AGE}] years"));
                }
                Some(age)
            };
        }
        Field::Cohort => {
            record.patient.cohort = if missing {
                None
            } else {
                Some(text.to_ascii_lowercase().parse::<Cohort>()?)
            };
        }
        Field::SurgeryDate => {
            record.surgery.date = if missing {
                None
            } else {
                Some(super::dates::parse_date(text, ISO_DATE)?)
            };
        }
        Field::Procedure => {
            record.surgery.procedure = if missing {
                None
            } else {
                Some(text.to_ascii_lowercase().parse::<Procedure>()?)
            };
        }
        Field::Lymphadenectomy => {
            record.surgery.lymphadenectomy = if missing {
                None
            } else {
                Some(parse_bool(text)?)
            };
        }
        Field::Variable(name) => {
            let Some(variable) = variable(dictionary, name) else {
                return Err(format!("{name} is not in the data dictionary"));
            };
            if missing {
                if variable.required {
                    return Err("required: the data dictionary needs a value".to_owned());
                }
                record.values.remove(name);
            } else {
                let value = variable.parse(text, ISO_DATE)?;
                record.values.insert(name.clone(), value);
            }
        }
    }
    Ok(())
}

/// A timeline entry of a record: a follow-up event or a chemotherapy
/// course, by its position in the record's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// `record.events[i]`.
    Event(usize),
    /// `record.chemo[i]`.
    Chemo(usize),
}

/// A follow-up event as typed: kind, date (YYYY-MM-DD) and detail (site of
/// recurrence or cause of death; empty for none).
pub fn parse_event(kind: EventKind, date: &str, detail: &str) -> Result<FollowUpEvent, String> {
    let date = super::dates::parse_date(date.trim(), ISO_DATE).map_err(|e| format!("date: {e}"))?;
    let detail = detail.trim();
    Ok(FollowUpEvent {
        id: None,
        kind,
        date,
        detail: (!detail.is_empty()).then(|| detail.to_owned()),
    })
}

/// A chemotherapy course as typed: regimen (required), start date
/// (required), end date, cycles and completed (yes/no), the last three
/// optional (empty).
pub fn parse_chemo(
    regimen: &str,
    start: &str,
    end: &str,
    cycles: &str,
    completed: &str,
) -> Result<ChemoCourse, String> {
    let regimen = regimen.trim();
    if regimen.is_empty() {
        return Err("regimen: required".to_owned());
    }
    let date = |label: &str, text: &str| {
        super::dates::parse_date(text.trim(), ISO_DATE).map_err(|e| format!("{label}: {e}"))
    };
    let optional = |text: &str| (!text.trim().is_empty()).then(|| text.trim().to_owned());
    Ok(ChemoCourse {
        id: None,
        regimen: regimen.to_owned(),
        start: date("start", start)?,
        end: optional(end).map(|t| date("end", &t)).transpose()?,
        cycles: optional(cycles)
            .map(|t| {
                t.parse::<u32>()
                    .map_err(|_| "cycles: expected a whole number".to_owned())
            })
            .transpose()?,
        completed: optional(completed)
            .map(|t| parse_bool(&t).map_err(|e| format!("completed: {e}")))
            .transpose()?,
    })
}

/// Puts `event` into the record: in place of the entry at `at` (keeping
/// its row id, so the change is an update), or added when `at` is `None`.
/// The record must still obey every cross-field rule afterwards, else it
/// is left unchanged and the first broken rule is the error.
pub fn put_event(
    record: &mut PatientRecord,
    at: Option<usize>,
    mut event: FollowUpEvent,
) -> Result<(), String> {
    let mut edited = record.clone();
    match at.and_then(|i| edited.events.get_mut(i)) {
        Some(slot) => {
            event.id = slot.id;
            *slot = event;
        }
        None => edited.events.push(event),
    }
    commit_if_valid(record, edited)
}

/// Puts `course` into the record, as [`put_event`] does an event.
pub fn put_chemo(
    record: &mut PatientRecord,
    at: Option<usize>,
    mut course: ChemoCourse,
) -> Result<(), String> {
    let mut edited = record.clone();
    match at.and_then(|i| edited.chemo.get_mut(i)) {
        Some(slot) => {
            course.id = slot.id;
            *slot = course;
        }
        None => edited.chemo.push(course),
    }
    commit_if_valid(record, edited)
}

/// Removes a timeline entry. No cross-field rule forbids an absence, so
/// this succeeds for any entry that exists.
pub fn remove_entry(record: &mut PatientRecord, entry: Entry) -> Result<(), String> {
    match entry {
        Entry::Event(i) if i < record.events.len() => {
            record.events.remove(i);
        }
        Entry::Chemo(i) if i < record.chemo.len() => {
            record.chemo.remove(i);
        }
        _ => return Err("that entry is no longer in the record".to_owned()),
    }
    Ok(())
}

fn commit_if_valid(record: &mut PatientRecord, mut edited: PatientRecord) -> Result<(), String> {
    edited.normalize_order();
    if let Some(violation) = check_record(&edited).into_iter().next() {
        return Err(violation.message);
    }
    *record = edited;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::model::{EventKind, Value, VariableType};

    fn dictionary() -> Vec<Variable> {
        vec![
            Variable {
                name: "ca19_9".to_owned(),
                label: "CA 19-9".to_owned(),
                kind: VariableType::Numeric,
                unit: Some("U/mL".to_owned()),
                levels: Vec::new(),
                min: Some(0.0),
                max: Some(100_000.0),
                required: true,
            },
            Variable {
                name: "grade".to_owned(),
                label: "Differentiation".to_owned(),
                kind: VariableType::Categorical,
                unit: None,
                levels: vec!["well".to_owned(), "poor".to_owned()],
                min: None,
                max: None,
                required: false,
            },
        ]
    }

    #[test]
    fn a_valid_value_is_set_and_reads_back_as_typed() {
        let dictionary = dictionary();
        let mut record = PatientRecord::new("P1");
        let ca = Field::Variable("ca19_9".to_owned());
        set_field(&mut record, &dictionary, &ca, " 37.5 ").unwrap();
        assert_eq!(record.values.get("ca19_9"), Some(&Value::Number(37.5)));
        assert_eq!(ca.text(&record), "37.5");
        set_field(&mut record, &dictionary, &Field::SurgeryDate, "2019-03-31").unwrap();
        assert_eq!(Field::SurgeryDate.text(&record), "2019-03-31");
        set_field(&mut record, &dictionary, &Field::Sex, "f").unwrap();
        assert_eq!(Field::Sex.text(&record), "F");
        set_field(&mut record, &dictionary, &Field::Lymphadenectomy, "no").unwrap();
        assert_eq!(Field::Lymphadenectomy.text(&record), "no");
    }

    #[test]
    fn invalid_text_leaves_the_record_unchanged_and_says_why() {
        let dictionary = dictionary();
        let mut record = PatientRecord::new("P1");
        let ca = Field::Variable("ca19_9".to_owned());
        set_field(&mut record, &dictionary, &ca, "40").unwrap();
        let before = record.clone();
        let cases = [
            (ca.clone(), "forty", "expected a number"),
            (ca.clone(), "-1", "out of range [0, 100000] U/mL"),
            (
                ca.clone(),
                "",
                "required: the data dictionary needs a value",
            ),
            (
                Field::Variable("grade".to_owned()),
                "Poor",
                "unknown level; allowed: well, poor (did you mean 'poor'?)",
            ),
            (Field::Age, "130", "out of range [0, 120] years"),
            (Field::Sex, "x", "expected one of M, F"),
            (
                Field::Cohort,
                "test",
                "expected one of training, validation",
            ),
        ];
        for (field, text, expected) in cases {
            let err = set_field(&mut record, &dictionary, &field, text).unwrap_err();
            assert_eq!(err, expected, "{} = {text:?}", field.name());
            assert_eq!(
                record,
                before,
                "{} = {text:?} changed the record",
                field.name()
            );
        }
        let err = set_field(&mut record, &dictionary, &Field::SurgeryDate, "31/03/2019");
        assert!(err.is_err());
    }

    #[test]
    fn an_empty_optional_value_becomes_missing() {
        let dictionary = dictionary();
        let mut record = PatientRecord::new("P1");
        let grade = Field::Variable("grade".to_owned());
        set_field(&mut record, &dictionary, &grade, "well").unwrap();
        set_field(&mut record, &dictionary, &grade, "  ").unwrap();
        assert_eq!(record.values.get("grade"), None);
        set_field(&mut record, &dictionary, &Field::Age, "61").unwrap();
        set_field(&mut record, &dictionary, &Field::Age, "").unwrap();
        assert_eq!(record.patient.age_at_surgery, None);
    }

    #[test]
    fn timeline_entries_are_parsed_checked_and_placed() {
        let mut record = PatientRecord::new("P1");
        record.surgery.date = "2019-01-10".parse().ok();
        let recurrence = parse_event(EventKind::Recurrence, "2019-08-01", " liver ").unwrap();
        assert_eq!(recurrence.detail.as_deref(), Some("liver"));
        put_event(&mut record, None, recurrence).unwrap();
        let course = parse_chemo("GEMOX", "2019-02-20", "2019-06-30", "6", "yes").unwrap();
        put_chemo(&mut record, None, course).unwrap();
        assert_eq!((record.events.len(), record.chemo.len()), (1, 1));

        // Before surgery breaks a rule: refused, nothing changes.
        let before = record.clone();
        let early = parse_event(EventKind::Death, "2018-12-31", "").unwrap();
        let err = put_event(&mut record, None, early).unwrap_err();
        assert_eq!(err, "death 2018-12-31 is before surgery 2019-01-10");
        assert_eq!(record, before);

        // An edit keeps the row id, so it is stored as an update.
        record.events[0].id = Some(7);
        let moved = parse_event(EventKind::Recurrence, "2019-09-01", "lung").unwrap();
        put_event(&mut record, Some(0), moved).unwrap();
        assert_eq!(record.events[0].id, Some(7));
        assert_eq!(record.events[0].detail.as_deref(), Some("lung"));

        remove_entry(&mut record, Entry::Chemo(0)).unwrap();
        assert!(record.chemo.is_empty());
        assert!(remove_entry(&mut record, Entry::Chemo(0)).is_err());
    }

    #[test]
    fn typed_timeline_fields_say_which_one_is_wrong() {
        assert_eq!(
            parse_chemo("", "2019-01-01", "", "", "").unwrap_err(),
            "regimen: required"
        );
        assert!(
            parse_chemo("X", "soon", "", "", "")
                .unwrap_err()
                .starts_with("start: ")
        );
        assert_eq!(
            parse_chemo("X", "2019-01-01", "", "six", "").unwrap_err(),
            "cycles: expected a whole number"
        );
        assert!(
            parse_chemo("X", "2019-01-01", "", "", "maybe")
                .unwrap_err()
                .starts_with("completed: ")
        );
        assert!(
            parse_event(EventKind::Death, "", "")
                .unwrap_err()
                .starts_with("date: ")
        );
    }

    #[test]
    fn fields_are_found_by_column_name() {
        let dictionary = dictionary();
        assert_eq!(Field::named("age", &dictionary), Some(Field::Age));
        assert_eq!(
            Field::named("grade", &dictionary),
            Some(Field::Variable("grade".to_owned()))
        );
        assert_eq!(Field::named("nope", &dictionary), None);
        assert!(Field::Variable("ca19_9".to_owned()).required(&dictionary));
        assert_eq!(
            Field::Variable("ca19_9".to_owned()).hint(&dictionary),
            "a number in [0, 100000] U/mL"
        );
    }
}
