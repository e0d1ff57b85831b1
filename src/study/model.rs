//! The study's data model: patients, their index surgery, follow-up events,
//! chemotherapy courses, imaging series, and typed values of the study's own
//! dictionary variables.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::imaging::Geometry;

/// Declares an enum stored and exchanged as fixed lowercase words, with its
/// `as_str`, `FromStr` (whose error lists the accepted words), `Display` and
/// `Serialize` (as the word).
macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word that stands for this value in files and the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, String> {
                match text {
                    $($word => Ok($name::$variant),)+
                    _ => Err(format!(
                        "expected one of {}",
                        [$($word),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

word_enum! {
    /// Sex as recorded in the cohort table.
    Sex {
        /// Male, stored as `M`.
        Male = "M",
        /// Female, stored as `F`.
        Female = "F",
    }
}

word_enum! {
    /// The study cohort a patient belongs to. Validation patients never
    /// influence a trained signature.
    Cohort {
        /// The cohort signatures are trained on.
        Training = "training",
        /// The cohort signatures are tested on.
        Validation = "validation",
    }
}

word_enum! {
    /// Extent of the index hepatectomy.
    Procedure {
        /// Fewer than three Couinaud segments.
        Minor = "minor",
        /// Three or more Couinaud segments.
        Major = "major",
    }
}

word_enum! {
    /// Kinds of follow-up events.
    EventKind {
        /// Recurrence of the disease, with its site as detail.
        Recurrence = "recurrence",
        /// Death, with its cause as detail.
        Death = "death",
        /// The latest date the patient was seen or known alive.
        LastContact = "last_contact",
    }
}

word_enum! {
    /// What an imaging series holds.
    SeriesKind {
        /// A diffusion-weighted image at one b-value.
        Dwi = "dwi",
        /// An apparent-diffusion-coefficient map.
        Adc = "adc",
        /// A label mask of the tumour, belonging to one image.
        Mask = "mask",
        /// Any other volume.
        Other = "other",
    }
}

word_enum! {
    /// The type of a dictionary variable, as in a REDCap data dictionary.
    VariableType {
        /// A real number, optionally within a range.
        Numeric = "numeric",
        /// A whole number, optionally within a range.
        Integer = "integer",
        /// One of a fixed list of levels.
        Categorical = "categorical",
        /// Yes or no.
        Boolean = "boolean",
        /// A calendar date.
        Date = "date",
        /// Free text (dropped from de-identified exports).
        Text = "text",
    }
}

/// A study-specific variable of the data dictionary.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// Identifier used as CSV column name: lowercase letters, digits and `_`.
    pub name: String,
    /// Human-readable label.
    pub label: String,
    /// Value type.
    pub kind: VariableType,
    /// Unit of numeric values, e.g. `U/mL`.
    pub unit: Option<String>,
    /// Allowed levels of a categorical variable, in display order.
    pub levels: Vec<String>,
    /// Smallest allowed value of a numeric or integer variable.
    pub min: Option<f64>,
    /// Largest allowed value of a numeric or integer variable.
    pub max: Option<f64>,
    /// Whether a missing value is a data-quality problem.
    pub required: bool,
}

/// A typed value of a dictionary variable.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Value of a numeric variable.
    Number(f64),
    /// Value of an integer variable.
    Integer(i64),
    /// Value of a categorical variable: one of its levels.
    Level(String),
    /// Value of a boolean variable.
    Bool(bool),
    /// Value of a date variable.
    Date(NaiveDate),
    /// Value of a text variable.
    Text(String),
}

impl fmt::Display for Value {
    /// The canonical text form, which [`Variable::parse`] reads back:
    /// booleans as `1`/`0`, dates in ISO 8601.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Number(x) => write!(f, "{x}"),
            Value::Integer(n) => write!(f, "{n}"),
            Value::Level(text) | Value::Text(text) => f.write_str(text),
            Value::Bool(b) => f.write_str(if *b { "1" } else { "0" }),
            Value::Date(date) => write!(f, "{}", date.format(crate::study::dates::ISO_DATE)),
        }
    }
}

impl Value {
    /// The value as a number, for analyses: numbers, integers and booleans
    /// (1/0); `None` for other kinds.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(x) => Some(*x),
            Value::Integer(n) => Some(*n as f64),
            Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            _ => None,
        }
    }
}

/// Parses the accepted spellings of a boolean: `1`/`0`, `yes`/`no`,
/// `true`/`false`, `y`/`n`, in any case.
pub fn parse_bool(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" => Ok(true),
        "0" | "no" | "n" | "false" => Ok(false),
        _ => Err("expected a boolean: 1/0, yes/no or true/false".to_owned()),
    }
}

impl Variable {
    /// Parses one cell of this variable's column into a value and checks it
    /// against the definition (range, levels). Dates are read with
    /// `date_format` (a chrono format such as `%Y-%m-%d`).
    pub fn parse(&self, text: &str, date_format: &str) -> Result<Value, String> {
        let value = match self.kind {
            VariableType::Numeric => Value::Number(parse_finite(text)?),
            VariableType::Integer => Value::Integer(
                text.parse::<i64>()
                    .map_err(|_| "expected a whole number".to_owned())?,
            ),
            VariableType::Categorical => Value::Level(text.to_owned()),
            VariableType::Boolean => Value::Bool(parse_bool(text)?),
            VariableType::Date => Value::Date(crate::study::dates::parse_date(text, date_format)?),
            VariableType::Text => Value::Text(text.to_owned()),
        };
        self.check(&value)?;
        Ok(value)
    }

    /// Checks a value against this definition: its kind, range and levels.
    pub fn check(&self, value: &Value) -> Result<(), String> {
        let kind_matches = matches!(
            (self.kind, value),
            (VariableType::Numeric, Value::Number(_))
                | (VariableType::Integer, Value::Integer(_))
                | (VariableType::Categorical, Value::Level(_))
                | (VariableType::Boolean, Value::Bool(_))
                | (VariableType::Date, Value::Date(_))
                | (VariableType::Text, Value::Text(_))
        );
        if !kind_matches {
            return Err(format!("not a {} value", self.kind));
        }
        if let Value::Level(level) = value
            && !self.levels.iter().any(|allowed| allowed == level)
        {
            let hint = self
                .levels
                .iter()
                .find(|allowed| allowed.eq_ignore_ascii_case(level))
                .map(|allowed| format!(" (did you mean '{allowed}'?)"))
                .unwrap_or_default();
            return Err(format!(
                "unknown level; allowed: {}{hint}",
                self.levels.join(", ")
            ));
        }
        if let Some(x) = value
            .as_f64()
            .filter(|_| self.kind != VariableType::Boolean)
        {
            let below = self.min.is_some_and(|min| x < min);
            let above = self.max.is_some_and(|max| x > max);
            if below || above {
                return Err(format!("out of range {}", self.range_text()));
            }
        }
        Ok(())
    }

    /// The allowed range as text, e.g. `[0, 10000] U/mL`.
    pub fn range_text(&self) -> String {
        let bound = |b: Option<f64>| b.map_or_else(|| "…".to_owned(), |b| b.to_string());
        let unit = self
            .unit
            .as_deref()
            .map(|u| format!(" {u}"))
            .unwrap_or_default();
        format!("[{}, {}]{unit}", bound(self.min), bound(self.max))
    }
}

/// Parses a finite real number; NaN and infinities are refused, never stored.
pub fn parse_finite(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err("expected a finite number".to_owned()),
        Err(_) => Err("expected a number".to_owned()),
    }
}

/// A patient's core identification and cohort data.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Patient {
    /// Pseudonymous study identifier, unique in the study.
    pub study_id: String,
    /// Sex.
    pub sex: Option<Sex>,
    /// Age in years at the index surgery.
    pub age_at_surgery: Option<f64>,
    /// Training or validation cohort; `None` if not assigned.
    pub cohort: Option<Cohort>,
}

/// The index surgery.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Surgery {
    /// Date of the operation; time zero of every endpoint.
    pub date: Option<NaiveDate>,
    /// Extent of the hepatectomy.
    pub procedure: Option<Procedure>,
    /// Whether a lymphadenectomy was done.
    pub lymphadenectomy: Option<bool>,
}

impl Surgery {
    /// Whether nothing at all is recorded.
    pub fn is_empty(&self) -> bool {
        *self == Surgery::default()
    }
}

/// A follow-up event: recurrence, death or last contact.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpEvent {
    /// Database row id; `None` until stored.
    pub id: Option<i64>,
    /// What happened.
    pub kind: EventKind,
    /// When.
    pub date: NaiveDate,
    /// Recurrence site or cause of death (free text).
    pub detail: Option<String>,
}

/// A chemotherapy course.
#[derive(Debug, Clone, PartialEq)]
pub struct ChemoCourse {
    /// Database row id; `None` until stored.
    pub id: Option<i64>,
    /// Regimen, e.g. `GEMOX` (free text).
    pub regimen: String,
    /// First day of the course.
    pub start: NaiveDate,
    /// Last day of the course, if known.
    pub end: Option<NaiveDate>,
    /// Number of cycles given.
    pub cycles: Option<u32>,
    /// Whether the planned course was completed.
    pub completed: Option<bool>,
}

/// An image volume or mask of a patient.
#[derive(Debug, Clone, PartialEq)]
pub struct ImagingSeries {
    /// Name of the series, unique within the patient (e.g. `b800`).
    pub series: String,
    /// What the volume holds.
    pub kind: SeriesKind,
    /// Diffusion weighting in s/mm² of a DWI series.
    pub b_value: Option<f64>,
    /// File path as stored: relative to the database's folder when the file
    /// lies inside it, absolute otherwise.
    pub path: String,
    /// SHA-256 of the file at import, lowercase hex.
    pub checksum: String,
    /// Grid read from the NIfTI header at import.
    pub geometry: Geometry,
    /// For a mask: the series name of the image it segments.
    pub mask_of: Option<String>,
    /// For a mask: the label value of the tumour.
    pub label: Option<i64>,
}

/// Everything the study knows about one patient.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PatientRecord {
    /// Identification and cohort.
    pub patient: Patient,
    /// The index surgery.
    pub surgery: Surgery,
    /// Follow-up events in date order.
    pub events: Vec<FollowUpEvent>,
    /// Chemotherapy courses in start order.
    pub chemo: Vec<ChemoCourse>,
    /// Dictionary values by variable name; a missing value has no entry.
    pub values: BTreeMap<String, Value>,
    /// Imaging series, images before masks.
    pub imaging: Vec<ImagingSeries>,
}

impl PatientRecord {
    /// A record with nothing but its study id.
    pub fn new(study_id: &str) -> Self {
        PatientRecord {
            patient: Patient {
                study_id: study_id.to_owned(),
                ..Patient::default()
            },
            ..PatientRecord::default()
        }
    }

    /// The patient's study id.
    pub fn study_id(&self) -> &str {
        &self.patient.study_id
    }

    /// Events of one kind, in date order.
    pub fn events_of(&self, kind: EventKind) -> impl Iterator<Item = &FollowUpEvent> {
        self.events.iter().filter(move |event| event.kind == kind)
    }

    /// Date of the first recurrence.
    pub fn first_recurrence(&self) -> Option<NaiveDate> {
        self.events_of(EventKind::Recurrence).map(|e| e.date).min()
    }

    /// Date of death.
    pub fn death(&self) -> Option<NaiveDate> {
        self.events_of(EventKind::Death).map(|e| e.date).min()
    }

    /// Date of the last contact.
    pub fn last_contact(&self) -> Option<NaiveDate> {
        self.events_of(EventKind::LastContact).map(|e| e.date).max()
    }

    /// Puts events and courses in date order and images before masks, the
    /// order in which they are shown and stored.
    pub fn normalize_order(&mut self) {
        self.events.sort_by_key(|e| (e.date, e.kind));
        self.chemo.sort_by_key(|c| c.start);
        self.imaging.sort_by(|a, b| {
            (a.kind == SeriesKind::Mask, &a.series).cmp(&(b.kind == SeriesKind::Mask, &b.series))
        });
    }
}

/// Checks a pseudonymous study id: 1–32 characters of letters, digits, `-`
/// and `_`.
pub fn check_study_id(text: &str) -> Result<(), String> {
    let valid_chars = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if text.is_empty() || text.len() > 32 || !valid_chars {
        return Err("a study id is 1–32 letters, digits, '-' or '_'".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variable(kind: VariableType) -> Variable {
        Variable {
            name: "x".into(),
            label: "X".into(),
            kind,
            unit: Some("U/mL".into()),
            levels: vec!["none".into(), "micro".into(), "macro".into()],
            min: Some(0.0),
            max: Some(1000.0),
            required: false,
        }
    }

    #[test]
    fn values_parse_and_print_back() {
        let cases = [
            (VariableType::Numeric, "37.5", "37.5"),
            (VariableType::Integer, "3", "3"),
            (VariableType::Categorical, "micro", "micro"),
            (VariableType::Boolean, "Yes", "1"),
            (VariableType::Boolean, "false", "0"),
            (VariableType::Date, "2019-03-01", "2019-03-01"),
            (VariableType::Text, "left lobe", "left lobe"),
        ];
        for (kind, text, canonical) in cases {
            let value = variable(kind).parse(text, "%Y-%m-%d").unwrap();
            assert_eq!(value.to_string(), canonical);
            assert_eq!(variable(kind).parse(canonical, "%Y-%m-%d").unwrap(), value);
        }
    }

    #[test]
    fn bad_values_say_why() {
        let numeric = variable(VariableType::Numeric);
        assert_eq!(
            numeric.parse("abc", "%Y-%m-%d").unwrap_err(),
            "expected a number"
        );
        assert_eq!(
            numeric.parse("NaN", "%Y-%m-%d").unwrap_err(),
            "expected a finite number"
        );
        assert_eq!(
            numeric.parse("1000.5", "%Y-%m-%d").unwrap_err(),
            "out of range [0, 1000] U/mL"
        );
        assert_eq!(
            variable(VariableType::Integer)
                .parse("2.5", "%Y-%m-%d")
                .unwrap_err(),
            "expected a whole number"
        );
        assert_eq!(
            variable(VariableType::Categorical)
                .parse("Micro", "%Y-%m-%d")
                .unwrap_err(),
            "unknown level; allowed: none, micro, macro (did you mean 'micro'?)"
        );
        assert!(
            variable(VariableType::Boolean)
                .parse("maybe", "%Y-%m-%d")
                .is_err()
        );
    }

    #[test]
    fn word_enums_list_what_they_accept() {
        assert_eq!("F".parse::<Sex>(), Ok(Sex::Female));
        assert_eq!("female".parse::<Sex>().unwrap_err(), "expected one of M, F");
        assert_eq!(Cohort::Validation.to_string(), "validation");
    }

    #[test]
    fn study_ids_are_pseudonym_shaped() {
        assert!(check_study_id("ICC-001_b").is_ok());
        assert!(check_study_id("").is_err());
        assert!(check_study_id("Jane Doe").is_err());
        assert!(check_study_id(&"x".repeat(33)).is_err());
    }
}
