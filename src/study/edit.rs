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
use super::model::{Cohort, PatientRecord, Procedure, Sex, Variable, parse_bool, parse_finite};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::model::{Value, VariableType};

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
