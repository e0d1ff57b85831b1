//! The cohort table's columns: what each shows, how it sorts, and what the
//! filter language calls it. One definition serves the table, sorting, the
//! frequency view and the filter, so a column reads, sorts and filters
//! the same way everywhere.

use std::cmp::Ordering;

use radcohort::study::model::{Value, Variable, VariableType};
use radcohort::study::query::{Field as QueryField, FieldKind, ValueRef};
use ratatui::layout::Constraint;
use ratatui::style::{Color, Style};

use crate::tui::format;
use crate::tui::study::{Patient, Study};

/// A column of the cohort table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// The pseudonymous study id.
    StudyId,
    /// Training or validation.
    Cohort,
    /// M or F.
    Sex,
    /// Age at surgery.
    Age,
    /// The surgery date.
    Surgery,
    /// Minor or major hepatectomy.
    Procedure,
    /// Disease-free survival: days and event or censoring.
    Dfs,
    /// Overall survival.
    Os,
    /// Early recurrence (within the study's window).
    EarlyRecurrence,
    /// Adjuvant chemotherapy.
    Chemo,
    /// The active signature's risk group.
    Risk,
    /// The active signature's score.
    Score,
    /// Image files: `3 ok`, `1 missing`, `none`.
    Imaging,
    /// A dictionary variable, by name.
    Variable(String),
}

/// The columns shown before the user chooses: what a coordinator scans
/// for gaps, within 80 columns.
pub fn default_columns() -> Vec<Column> {
    vec![
        Column::StudyId,
        Column::Cohort,
        Column::Surgery,
        Column::Dfs,
        Column::Os,
        Column::Chemo,
        Column::Risk,
        Column::Imaging,
    ]
}

/// Every column the study offers, fixed ones first, then the dictionary.
pub fn all_columns(study: &Study) -> Vec<Column> {
    let mut columns = vec![
        Column::StudyId,
        Column::Cohort,
        Column::Sex,
        Column::Age,
        Column::Surgery,
        Column::Procedure,
        Column::Dfs,
        Column::Os,
        Column::EarlyRecurrence,
        Column::Chemo,
        Column::Risk,
        Column::Score,
        Column::Imaging,
    ];
    columns.extend(
        study
            .dictionary
            .iter()
            .map(|v| Column::Variable(v.name.clone())),
    );
    columns
}

/// A value to sort by; missing values sort last whichever the direction.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum SortKey {
    Number(f64),
    Text(String),
}

impl Column {
    /// The header.
    pub fn header(&self, study: &Study) -> String {
        match self {
            Column::StudyId => "Study ID".to_owned(),
            Column::Cohort => "Cohort".to_owned(),
            Column::Sex => "Sex".to_owned(),
            Column::Age => "Age".to_owned(),
            Column::Surgery => "Surgery".to_owned(),
            Column::Procedure => "Procedure".to_owned(),
            Column::Dfs => "DFS".to_owned(),
            Column::Os => "OS".to_owned(),
            Column::EarlyRecurrence => "ER".to_owned(),
            Column::Chemo => "Chemo".to_owned(),
            Column::Risk => "Risk".to_owned(),
            Column::Score => "Score".to_owned(),
            Column::Imaging => "Imaging".to_owned(),
            Column::Variable(name) => variable(study, name).map_or_else(
                || name.clone(),
                |v| match &v.unit {
                    Some(unit) => format!("{} ({unit})", v.name),
                    None => v.name.clone(),
                },
            ),
        }
    }

    /// The name the filter language knows the column by.
    pub fn query_name(&self) -> &str {
        match self {
            Column::StudyId => "study_id",
            Column::Cohort => "cohort",
            Column::Sex => "sex",
            Column::Age => "age",
            Column::Surgery => "surgery_date",
            Column::Procedure => "procedure",
            Column::Dfs => "dfs_event",
            Column::Os => "os_event",
            Column::EarlyRecurrence => "early_recurrence",
            Column::Chemo => "chemo",
            Column::Risk => "risk",
            Column::Score => "score",
            Column::Imaging => "images_missing",
            Column::Variable(name) => name,
        }
    }

    /// The column as the filter language sees it.
    pub fn query_field(&self, study: &Study) -> QueryField {
        let levels = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect();
        let kind = match self {
            Column::StudyId => FieldKind::Text,
            Column::Cohort => FieldKind::Categorical(levels(&["training", "validation"])),
            Column::Sex => FieldKind::Categorical(levels(&["M", "F"])),
            Column::Procedure => FieldKind::Categorical(levels(&["minor", "major"])),
            Column::Age | Column::Score | Column::Imaging => FieldKind::Number,
            Column::Surgery => FieldKind::Date,
            Column::Dfs | Column::Os | Column::EarlyRecurrence | Column::Chemo => {
                FieldKind::Boolean
            }
            Column::Risk => FieldKind::Categorical(levels(&["high", "low"])),
            Column::Variable(name) => match variable(study, name) {
                Some(v) => return QueryField::from_variable(v),
                None => FieldKind::Text,
            },
        };
        QueryField::new(self.query_name(), kind)
    }

    /// A patient's value for the filter language.
    pub fn query_value<'a>(&self, patient: &'a Patient) -> Option<ValueRef<'a>> {
        let record = &patient.record;
        match self {
            Column::StudyId => Some(ValueRef::Text(record.study_id())),
            Column::Cohort => record.patient.cohort.map(|c| ValueRef::Level(c.as_str())),
            Column::Sex => record.patient.sex.map(|s| ValueRef::Level(s.as_str())),
            Column::Procedure => record
                .surgery
                .procedure
                .map(|p| ValueRef::Level(p.as_str())),
            Column::Age => record.patient.age_at_surgery.map(ValueRef::Number),
            Column::Surgery => record.surgery.date.map(ValueRef::Date),
            Column::Dfs => patient.endpoints.dfs.map(|t| ValueRef::Bool(t.event)),
            Column::Os => patient.endpoints.os.map(|t| ValueRef::Bool(t.event)),
            Column::EarlyRecurrence => patient.endpoints.early_recurrence.map(ValueRef::Bool),
            Column::Chemo => patient.endpoints.adjuvant_chemo.map(ValueRef::Bool),
            Column::Risk => patient.risk_group().map(|g| ValueRef::Level(g.as_str())),
            Column::Score => patient.score.as_ref().map(|s| ValueRef::Number(s.score)),
            Column::Imaging => Some(ValueRef::Integer(
                i64::try_from(patient.missing_files()).unwrap_or(i64::MAX),
            )),
            Column::Variable(name) => record.values.get(name).map(ValueRef::from),
        }
    }

    /// The width the column asks for.
    pub fn width(&self) -> Constraint {
        match self {
            Column::StudyId => Constraint::Fill(1),
            Column::Cohort => Constraint::Length(10),
            Column::Sex => Constraint::Length(3),
            Column::Age | Column::Chemo | Column::Score => Constraint::Length(5),
            Column::Procedure => Constraint::Length(9),
            Column::Surgery => Constraint::Length(10),
            Column::Dfs | Column::Os => Constraint::Length(11),
            Column::EarlyRecurrence | Column::Risk => Constraint::Length(4),
            Column::Imaging => Constraint::Length(9),
            Column::Variable(_) => Constraint::Min(8),
        }
    }

    /// A patient's cell: its text and style. Missing values show the
    /// unknown mark, dimmed.
    pub fn cell(&self, patient: &Patient) -> (String, Style) {
        let record = &patient.record;
        let endpoints = &patient.endpoints;
        let text = match self {
            Column::StudyId => record.study_id().to_owned(),
            Column::Cohort => format::or_unknown(record.patient.cohort),
            Column::Sex => format::or_unknown(record.patient.sex),
            Column::Age => format::or_unknown(record.patient.age_at_surgery),
            Column::Procedure => format::or_unknown(record.surgery.procedure),
            Column::Surgery => format::date(record.surgery.date),
            Column::Dfs => format::time_to_event(endpoints.dfs),
            Column::Os => format::time_to_event(endpoints.os),
            Column::EarlyRecurrence => format::yes_no(endpoints.early_recurrence),
            Column::Chemo => format::yes_no(endpoints.adjuvant_chemo),
            Column::Risk => format::or_unknown(patient.risk_group().map(|g| g.as_str())),
            Column::Score => patient
                .score
                .as_ref()
                .map_or_else(|| format::UNKNOWN.to_owned(), |s| format!("{:.2}", s.score)),
            Column::Imaging => {
                let style = if patient.missing_files() > 0 {
                    Style::new().fg(Color::Red)
                } else {
                    Style::new()
                };
                return (format::imaging_status(patient), style);
            }
            Column::Variable(name) => record
                .values
                .get(name)
                .map_or_else(|| format::UNKNOWN.to_owned(), format::value),
        };
        let style = if text == format::UNKNOWN {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        };
        (text, style)
    }

    /// The text a frequency table counts: the cell, except for times to
    /// event, which are counted as event or censored.
    pub fn level(&self, patient: &Patient) -> String {
        match self {
            Column::Dfs | Column::Os => {
                let time = if *self == Column::Dfs {
                    patient.endpoints.dfs
                } else {
                    patient.endpoints.os
                };
                match time {
                    Some(t) if t.event => "event".to_owned(),
                    Some(_) => "censored".to_owned(),
                    None => format::UNKNOWN.to_owned(),
                }
            }
            other => other.cell(patient).0,
        }
    }

    fn sort_key(&self, patient: &Patient) -> Option<SortKey> {
        let number = |x: Option<f64>| x.map(SortKey::Number);
        match self {
            Column::Age => number(patient.record.patient.age_at_surgery),
            Column::Score => number(patient.score.as_ref().map(|s| s.score)),
            Column::Dfs => number(patient.endpoints.dfs.map(|t| t.days as f64)),
            Column::Os => number(patient.endpoints.os.map(|t| t.days as f64)),
            Column::Imaging => number(Some(patient.missing_files() as f64)),
            Column::Variable(name) => match patient.record.values.get(name)? {
                Value::Number(x) => Some(SortKey::Number(*x)),
                Value::Integer(n) => Some(SortKey::Number(*n as f64)),
                other => Some(SortKey::Text(format::value(other))),
            },
            other => {
                let (text, _) = other.cell(patient);
                (text != format::UNKNOWN).then_some(SortKey::Text(text))
            }
        }
    }

    /// Orders two patients by this column, missing values last in either
    /// direction, ties kept in study-id order by the caller's stable sort.
    pub fn compare(&self, a: &Patient, b: &Patient, descending: bool) -> Ordering {
        match (self.sort_key(a), self.sort_key(b)) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => {
                let order = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
                if descending { order.reverse() } else { order }
            }
        }
    }

    /// Whether the column's values are numbers, for right-aligned counts
    /// in the frequency view.
    pub fn is_numeric(&self, study: &Study) -> bool {
        match self {
            Column::Age | Column::Score => true,
            Column::Variable(name) => variable(study, name)
                .is_some_and(|v| matches!(v.kind, VariableType::Numeric | VariableType::Integer)),
            _ => false,
        }
    }
}

fn variable<'a>(study: &'a Study, name: &str) -> Option<&'a Variable> {
    study.dictionary.iter().find(|v| v.name == name)
}
