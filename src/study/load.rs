//! Reading the study back into the data model.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::Row;

use super::dates::{ISO_DATE, parse_date};
use super::model::{
    ChemoCourse, FollowUpEvent, ImagingSeries, PatientRecord, Value, Variable, VariableType,
};
use super::{StudyDb, StudyError};
use crate::imaging::Geometry;

/// A stored word or date that does not parse, with where it was found.
struct BadField {
    table: &'static str,
    record: String,
    field: &'static str,
    value: String,
    reason: String,
}

type Loaded<T> = Result<T, BadField>;

fn word<T: std::str::FromStr<Err = String>>(
    table: &'static str,
    record: &str,
    field: &'static str,
    text: Option<String>,
) -> Loaded<Option<T>> {
    text.map(|text| {
        text.parse().map_err(|reason| BadField {
            table,
            record: record.to_owned(),
            field,
            value: text.clone(),
            reason,
        })
    })
    .transpose()
}

fn required_word<T: std::str::FromStr<Err = String>>(
    table: &'static str,
    record: &str,
    field: &'static str,
    text: String,
) -> Loaded<T> {
    text.parse().map_err(|reason| BadField {
        table,
        record: record.to_owned(),
        field,
        value: text.clone(),
        reason,
    })
}

fn required_date(
    table: &'static str,
    record: &str,
    field: &'static str,
    text: String,
) -> Loaded<NaiveDate> {
    parse_date(&text, ISO_DATE).map_err(|reason| BadField {
        table,
        record: record.to_owned(),
        field,
        value: text.clone(),
        reason,
    })
}

fn date(
    table: &'static str,
    record: &str,
    field: &'static str,
    text: Option<String>,
) -> Loaded<Option<NaiveDate>> {
    text.map(|text| {
        parse_date(&text, ISO_DATE).map_err(|reason| BadField {
            table,
            record: record.to_owned(),
            field,
            value: text.clone(),
            reason,
        })
    })
    .transpose()
}

impl StudyDb {
    /// The data dictionary in display order.
    pub fn dictionary(&self) -> Result<Vec<Variable>, StudyError> {
        let rows = self.query_all(
            "SELECT name, label, type, unit, levels, min_value, max_value, required
             FROM dictionary_variable ORDER BY position, id",
            "reading the data dictionary",
            |row| {
                let name: String = row.get(0)?;
                let kind: String = row.get(2)?;
                let levels: Option<String> = row.get(4)?;
                Ok((
                    kind,
                    Variable {
                        label: row.get(1)?,
                        kind: VariableType::Text,
                        unit: row.get(3)?,
                        levels: levels
                            .map(|l| l.split('|').map(str::to_owned).collect())
                            .unwrap_or_default(),
                        min: row.get(5)?,
                        max: row.get(6)?,
                        required: row.get::<_, i64>(7)? != 0,
                        name,
                    },
                ))
            },
        )?;
        rows.into_iter()
            .map(|(kind, mut variable)| {
                variable.kind = required_word("dictionary_variable", &variable.name, "type", kind)
                    .map_err(|bad| self.corrupt(bad))?;
                Ok(variable)
            })
            .collect()
    }

    /// Every patient's record, ordered by study id.
    pub fn load_records(&self) -> Result<Vec<PatientRecord>, StudyError> {
        self.load(None)
    }

    /// One patient's record, or `None` if the study id is unknown.
    pub fn load_record(&self, study_id: &str) -> Result<Option<PatientRecord>, StudyError> {
        Ok(self.load(Some(study_id))?.pop())
    }

    /// The study ids of every patient, in order.
    pub fn study_ids(&self) -> Result<Vec<String>, StudyError> {
        self.query_all(
            "SELECT study_id FROM patient ORDER BY study_id",
            "listing patients",
            |row| row.get(0),
        )
    }

    fn load(&self, only: Option<&str>) -> Result<Vec<PatientRecord>, StudyError> {
        self.load_checked(only).map_err(|err| match err {
            LoadError::Sql(err) => err,
            LoadError::Bad(bad) => self.corrupt(bad),
        })
    }

    fn load_checked(&self, only: Option<&str>) -> Result<Vec<PatientRecord>, LoadError> {
        let filter = "(?1 IS NULL OR p.study_id = ?1)";
        let mut records: Vec<PatientRecord> = Vec::new();
        let mut index: HashMap<i64, usize> = HashMap::new();
        let patients = self.query_with(
            &format!(
                "SELECT p.id, p.study_id, p.sex, p.age_at_surgery, p.cohort, s.date, s.procedure, s.lymphadenectomy
                 FROM patient p LEFT JOIN surgery s ON s.patient_id = p.id
                 WHERE {filter} ORDER BY p.study_id"
            ),
            only,
            "reading patients",
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<String>>(2)?,
                    row.get::<_, Option<f64>>(3)?,
                    row.get::<_, Option<String>>(4)?,
                    row.get::<_, Option<String>>(5)?,
                    row.get::<_, Option<String>>(6)?,
                    row.get::<_, Option<i64>>(7)?,
                ))
            },
        )?;
        for (id, study_id, sex, age, cohort, surgery_date, procedure, lymphadenectomy) in patients {
            let mut record = PatientRecord::new(&study_id);
            record.patient.sex = word("patient", &study_id, "sex", sex)?;
            record.patient.age_at_surgery = age;
            record.patient.cohort = word("patient", &study_id, "cohort", cohort)?;
            record.surgery.date = date("surgery", &study_id, "date", surgery_date)?;
            record.surgery.procedure = word("surgery", &study_id, "procedure", procedure)?;
            record.surgery.lymphadenectomy = lymphadenectomy.map(|v| v != 0);
            index.insert(id, records.len());
            records.push(record);
        }

        let events = self.query_with(
            &format!(
                "SELECT e.patient_id, e.id, e.kind, e.date, e.detail FROM follow_up_event e
                 JOIN patient p ON p.id = e.patient_id WHERE {filter} ORDER BY e.date, e.id"
            ),
            only,
            "reading follow-up events",
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<String>>(4)?,
                ))
            },
        )?;
        for (patient, id, kind, when, detail) in events {
            let Some(record) = index.get(&patient).map(|&i| &mut records[i]) else {
                continue;
            };
            let key = format!("{}/event#{id}", record.study_id());
            record.events.push(FollowUpEvent {
                id: Some(id),
                kind: required_word("follow_up_event", &key, "kind", kind)?,
                date: required_date("follow_up_event", &key, "date", when)?,
                detail,
            });
        }

        let courses = self.query_with(
            &format!(
                "SELECT c.patient_id, c.id, c.regimen, c.start_date, c.end_date, c.cycles, c.completed
                 FROM chemotherapy_course c JOIN patient p ON p.id = c.patient_id
                 WHERE {filter} ORDER BY c.start_date, c.id"
            ),
            only,
            "reading chemotherapy courses",
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<String>>(4)?,
                    row.get::<_, Option<i64>>(5)?,
                    row.get::<_, Option<i64>>(6)?,
                ))
            },
        )?;
        for (patient, id, regimen, start, end, cycles, completed) in courses {
            let Some(record) = index.get(&patient).map(|&i| &mut records[i]) else {
                continue;
            };
            let key = format!("{}/chemotherapy#{id}", record.study_id());
            record.chemo.push(ChemoCourse {
                id: Some(id),
                regimen,
                start: required_date("chemotherapy_course", &key, "start_date", start)?,
                end: date("chemotherapy_course", &key, "end_date", end)?,
                cycles: cycles.map(|c| c as u32),
                completed: completed.map(|c| c != 0),
            });
        }

        let values = self.query_with(
            &format!(
                "SELECT v.patient_id, d.name, d.type, v.value_real, v.value_text
                 FROM patient_value v JOIN dictionary_variable d ON d.id = v.variable_id
                 JOIN patient p ON p.id = v.patient_id WHERE {filter}"
            ),
            only,
            "reading clinical values",
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, Option<f64>>(3)?,
                    row.get::<_, Option<String>>(4)?,
                ))
            },
        )?;
        for (patient, name, kind, real, text) in values {
            let Some(record) = index.get(&patient).map(|&i| &mut records[i]) else {
                continue;
            };
            let value = stored_value(record.study_id(), &kind, real, text)?;
            record.values.insert(name, value);
        }

        let series = self.query_with(
            &format!(
                "SELECT i.patient_id, i.series, i.kind, i.b_value, i.path, i.checksum,
                        i.dim_x, i.dim_y, i.dim_z, i.spacing_x, i.spacing_y, i.spacing_z,
                        i.origin_x, i.origin_y, i.origin_z, i.direction, m.series, i.label
                 FROM imaging_series i JOIN patient p ON p.id = i.patient_id
                 LEFT JOIN imaging_series m ON m.id = i.mask_of
                 WHERE {filter} ORDER BY i.id"
            ),
            only,
            "reading imaging series",
            |row| Ok((row.get::<_, i64>(0)?, StoredSeries::read(row)?)),
        )?;
        for (patient, stored) in series {
            let Some(record) = index.get(&patient).map(|&i| &mut records[i]) else {
                continue;
            };
            let series = stored.into_series(record.study_id())?;
            record.imaging.push(series);
        }
        for record in &mut records {
            record.normalize_order();
        }
        Ok(records)
    }

    fn query_with<T>(
        &self,
        sql: &str,
        only: Option<&str>,
        context: &str,
        map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, LoadError> {
        let run = || -> rusqlite::Result<Vec<T>> {
            let mut statement = self.conn().prepare(sql)?;
            let rows = statement.query_map([only], map)?;
            rows.collect()
        };
        run().map_err(|err| LoadError::Sql(self.sql_error(context)(err)))
    }

    pub(crate) fn query_all<T>(
        &self,
        sql: &str,
        context: &str,
        map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StudyError> {
        let run = || -> rusqlite::Result<Vec<T>> {
            let mut statement = self.conn().prepare(sql)?;
            let rows = statement.query_map([], map)?;
            rows.collect()
        };
        run().map_err(self.sql_error(context))
    }

    fn corrupt(&self, bad: BadField) -> StudyError {
        StudyError::Corrupt {
            path: self.path().to_owned(),
            location: format!(
                "table {}, record {}, field {}",
                bad.table, bad.record, bad.field
            ),
            value: bad.value,
            reason: bad.reason,
        }
    }
}

enum LoadError {
    Sql(StudyError),
    Bad(BadField),
}

impl From<BadField> for LoadError {
    fn from(bad: BadField) -> Self {
        LoadError::Bad(bad)
    }
}

fn stored_value(
    study_id: &str,
    kind: &str,
    real: Option<f64>,
    text: Option<String>,
) -> Loaded<Value> {
    let bad = |value: String, reason: &str| BadField {
        table: "patient_value",
        record: study_id.to_owned(),
        field: "value",
        value,
        reason: reason.to_owned(),
    };
    let kind: VariableType =
        required_word("dictionary_variable", study_id, "type", kind.to_owned())?;
    match (kind, real, text) {
        (VariableType::Numeric, Some(x), _) => Ok(Value::Number(x)),
        (VariableType::Integer, Some(x), _) => Ok(Value::Integer(x as i64)),
        (VariableType::Boolean, Some(x), _) => Ok(Value::Bool(x != 0.0)),
        (VariableType::Categorical, _, Some(t)) => Ok(Value::Level(t)),
        (VariableType::Text, _, Some(t)) => Ok(Value::Text(t)),
        (VariableType::Date, _, Some(t)) => parse_date(&t, ISO_DATE)
            .map(Value::Date)
            .map_err(|reason| bad(t, &reason)),
        (kind, real, text) => Err(bad(
            format!("{real:?}/{text:?}"),
            &format!("not a stored {kind} value"),
        )),
    }
}

/// An imaging row as read, before its words are checked.
struct StoredSeries {
    series: String,
    kind: String,
    b_value: Option<f64>,
    path: String,
    checksum: String,
    dims: [i64; 3],
    spacing: [f64; 3],
    origin: [f64; 3],
    direction: String,
    mask_of: Option<String>,
    label: Option<i64>,
}

impl StoredSeries {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(StoredSeries {
            series: row.get(1)?,
            kind: row.get(2)?,
            b_value: row.get(3)?,
            path: row.get(4)?,
            checksum: row.get(5)?,
            dims: [row.get(6)?, row.get(7)?, row.get(8)?],
            spacing: [row.get(9)?, row.get(10)?, row.get(11)?],
            origin: [row.get(12)?, row.get(13)?, row.get(14)?],
            direction: row.get(15)?,
            mask_of: row.get(16)?,
            label: row.get(17)?,
        })
    }

    fn into_series(self, study_id: &str) -> Loaded<ImagingSeries> {
        let record = format!("{study_id}/{}", self.series);
        let numbers: Vec<f64> = self
            .direction
            .split_whitespace()
            .filter_map(|v| v.parse().ok())
            .collect();
        let Ok(cosines) = <[f64; 9]>::try_from(numbers) else {
            return Err(BadField {
                table: "imaging_series",
                record,
                field: "direction",
                value: self.direction,
                reason: "expected nine direction cosines".to_owned(),
            });
        };
        let direction = [
            [cosines[0], cosines[1], cosines[2]],
            [cosines[3], cosines[4], cosines[5]],
            [cosines[6], cosines[7], cosines[8]],
        ];
        Ok(ImagingSeries {
            kind: required_word("imaging_series", &record, "kind", self.kind)?,
            series: self.series,
            b_value: self.b_value,
            path: self.path,
            checksum: self.checksum,
            geometry: Geometry {
                dims: self.dims.map(|d| d.max(0) as usize),
                spacing: self.spacing,
                origin: self.origin,
                direction,
            },
            mask_of: self.mask_of,
            label: self.label,
        })
    }
}
