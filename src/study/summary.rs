//! Counts of the cohort, its records and its derived endpoints, overall and
//! per cohort: what `radcohort info` prints.

use serde::Serialize;

use super::endpoints::{self, EndpointWindows, Endpoints, TimeToEvent};
use super::model::{Cohort, EventKind, PatientRecord, SeriesKind, Sex};
use super::{StudyDb, StudyError, StudySettings};

/// The study at a glance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudySummary {
    /// Settings, including the endpoint windows.
    pub settings: StudySettings,
    /// Schema version of the database.
    pub schema_version: u32,
    /// Number of dictionary variables.
    pub dictionary_variables: usize,
    /// Counts of stored records.
    pub records: RecordCounts,
    /// Endpoint summaries for all patients, the training and the validation
    /// cohort.
    pub endpoints: CohortEndpoints,
}

/// Counts of stored records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecordCounts {
    /// Patients.
    pub patients: usize,
    /// Patients in the training cohort.
    pub training: usize,
    /// Patients in the validation cohort.
    pub validation: usize,
    /// Patients in neither cohort.
    pub unassigned: usize,
    /// Male patients.
    pub male: usize,
    /// Female patients.
    pub female: usize,
    /// Patients with a surgery date.
    pub with_surgery_date: usize,
    /// Recurrence events (a patient may have several).
    pub recurrence_events: usize,
    /// Death events.
    pub death_events: usize,
    /// Last-contact events.
    pub last_contact_events: usize,
    /// Chemotherapy courses.
    pub chemotherapy_courses: usize,
    /// DWI series.
    pub dwi_series: usize,
    /// ADC series.
    pub adc_series: usize,
    /// Mask series.
    pub mask_series: usize,
    /// Other series.
    pub other_series: usize,
}

/// Endpoint summaries by cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortEndpoints {
    /// Every patient.
    pub all: EndpointSummary,
    /// Training cohort.
    pub training: EndpointSummary,
    /// Validation cohort.
    pub validation: EndpointSummary,
}

/// Counts of one group's endpoints.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EndpointSummary {
    /// Patients in the group.
    pub patients: usize,
    /// Disease-free survival.
    pub dfs: SurvivalCounts,
    /// Overall survival.
    pub os: SurvivalCounts,
    /// Early recurrence.
    pub early_recurrence: BinaryCounts,
    /// Adjuvant chemotherapy.
    pub adjuvant_chemo: BinaryCounts,
}

/// Counts of a time-to-event endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SurvivalCounts {
    /// Patients with the endpoint known.
    pub known: usize,
    /// Events observed.
    pub events: usize,
    /// Censored patients.
    pub censored: usize,
    /// Longest observed time in days, if any.
    pub max_days: Option<i64>,
}

/// Counts of a yes/no endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BinaryCounts {
    /// Yes.
    pub yes: usize,
    /// No.
    pub no: usize,
    /// Unknown.
    pub unknown: usize,
}

impl SurvivalCounts {
    fn add(&mut self, value: Option<TimeToEvent>) {
        if let Some(t) = value {
            self.known += 1;
            if t.event {
                self.events += 1;
            } else {
                self.censored += 1;
            }
            self.max_days = Some(self.max_days.map_or(t.days, |m| m.max(t.days)));
        }
    }
}

impl BinaryCounts {
    fn add(&mut self, value: Option<bool>) {
        match value {
            Some(true) => self.yes += 1,
            Some(false) => self.no += 1,
            None => self.unknown += 1,
        }
    }
}

impl EndpointSummary {
    fn add(&mut self, endpoints: &Endpoints) {
        self.patients += 1;
        self.dfs.add(endpoints.dfs);
        self.os.add(endpoints.os);
        self.early_recurrence.add(endpoints.early_recurrence);
        self.adjuvant_chemo.add(endpoints.adjuvant_chemo);
    }
}

/// Summarises the study.
pub fn summarize(db: &StudyDb) -> Result<StudySummary, StudyError> {
    let settings = db.settings()?;
    let records = db.load_records()?;
    Ok(StudySummary {
        schema_version: db.schema_version()?,
        dictionary_variables: db.dictionary()?.len(),
        records: count_records(&records),
        endpoints: summarize_endpoints(&records, EndpointWindows::from(&settings)),
        settings,
    })
}

fn count_records(records: &[PatientRecord]) -> RecordCounts {
    let mut counts = RecordCounts {
        patients: records.len(),
        ..RecordCounts::default()
    };
    for record in records {
        match record.patient.cohort {
            Some(Cohort::Training) => counts.training += 1,
            Some(Cohort::Validation) => counts.validation += 1,
            None => counts.unassigned += 1,
        }
        match record.patient.sex {
            Some(Sex::Male) => counts.male += 1,
            Some(Sex::Female) => counts.female += 1,
            None => {}
        }
        counts.with_surgery_date += usize::from(record.surgery.date.is_some());
        for event in &record.events {
            match event.kind {
                EventKind::Recurrence => counts.recurrence_events += 1,
                EventKind::Death => counts.death_events += 1,
                EventKind::LastContact => counts.last_contact_events += 1,
            }
        }
        counts.chemotherapy_courses += record.chemo.len();
        for series in &record.imaging {
            match series.kind {
                SeriesKind::Dwi => counts.dwi_series += 1,
                SeriesKind::Adc => counts.adc_series += 1,
                SeriesKind::Mask => counts.mask_series += 1,
                SeriesKind::Other => counts.other_series += 1,
            }
        }
    }
    counts
}

/// Endpoint counts overall and per cohort.
pub fn summarize_endpoints(records: &[PatientRecord], windows: EndpointWindows) -> CohortEndpoints {
    let mut summary = CohortEndpoints {
        all: EndpointSummary::default(),
        training: EndpointSummary::default(),
        validation: EndpointSummary::default(),
    };
    for record in records {
        let derived = endpoints::derive(record, windows);
        summary.all.add(&derived);
        match record.patient.cohort {
            Some(Cohort::Training) => summary.training.add(&derived),
            Some(Cohort::Validation) => summary.validation.add(&derived),
            None => {}
        }
    }
    summary
}
