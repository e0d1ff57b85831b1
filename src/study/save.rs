//! Saving an edited patient record: the one way besides import to change
//! patient data, with the same audited change writer.

use super::changes::diff_patient;
use super::model::PatientRecord;
use super::rules::check_record;
use super::{Actor, ChangeCounts, StudyDb, StudyError};

/// Why a record was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The study database failed.
    #[error(transparent)]
    Study(#[from] StudyError),
    /// The record changed since the caller read it; nothing was written.
    #[error("{study_id} was changed by someone else since it was read; reload it and edit again")]
    Stale {
        /// The patient.
        study_id: String,
    },
    /// The edited record breaks cross-field rules; nothing was written.
    #[error("{study_id}: {}", .violations.join("; "))]
    Rules {
        /// The patient.
        study_id: String,
        /// What is wrong.
        violations: Vec<String>,
    },
}

impl StudyDb {
    /// Saves `edited` over the patient's stored record in one transaction,
    /// with an audit row per changed field. `shown` is the record as the
    /// caller read it (`None` for a new patient): if the stored record is no
    /// longer that, someone else changed it, and the save is refused rather
    /// than silently overwriting their change.
    pub fn save_record(
        &mut self,
        shown: Option<&PatientRecord>,
        edited: &PatientRecord,
        actor: &Actor,
    ) -> Result<ChangeCounts, SaveError> {
        let violations: Vec<String> = check_record(edited)
            .into_iter()
            .map(|v| v.message)
            .collect();
        if !violations.is_empty() {
            return Err(SaveError::Rules {
                study_id: edited.study_id().to_owned(),
                violations,
            });
        }
        let (counts, ()) = self.write_changes(actor, false, |db| {
            let stored = db.load_record(edited.study_id())?;
            if stored.as_ref() != shown {
                return Err(SaveError::Stale {
                    study_id: edited.study_id().to_owned(),
                });
            }
            Ok((diff_patient(stored.as_ref(), edited), ()))
        })?;
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::StudySettings;
    use crate::study::model::{EventKind, FollowUpEvent, Sex};

    fn study() -> (tempfile::TempDir, StudyDb, Actor) {
        let dir = tempfile::tempdir().unwrap();
        let actor = Actor::new(
            "editor",
            chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        );
        let db =
            StudyDb::create(&dir.path().join("s.db"), &StudySettings::default(), &actor).unwrap();
        (dir, db, actor)
    }

    #[test]
    fn a_new_record_and_an_edit_are_saved_and_audited() {
        let (_dir, mut db, actor) = study();
        let mut record = PatientRecord::new("P1");
        record.surgery.date = "2019-01-01".parse().ok();
        db.save_record(None, &record, &actor).unwrap();
        let shown = db.load_record("P1").unwrap().unwrap();
        let mut edited = shown.clone();
        edited.patient.sex = Some(Sex::Female);
        edited.events.push(FollowUpEvent {
            id: None,
            kind: EventKind::LastContact,
            date: "2020-01-01".parse().unwrap(),
            detail: None,
        });
        let counts = db.save_record(Some(&shown), &edited, &actor).unwrap();
        assert_eq!((counts.inserted, counts.updated), (1, 1));
        let saved = db.load_record("P1").unwrap().unwrap();
        assert_eq!(saved.patient.sex, Some(Sex::Female));
        assert_eq!(saved.last_contact(), "2020-01-01".parse().ok());
    }

    #[test]
    fn a_stale_edit_is_refused_and_writes_nothing() {
        let (_dir, mut db, actor) = study();
        db.save_record(None, &PatientRecord::new("P1"), &actor)
            .unwrap();
        let shown = db.load_record("P1").unwrap().unwrap();
        // Someone else changes the record meanwhile.
        let mut theirs = shown.clone();
        theirs.patient.age_at_surgery = Some(60.0);
        db.save_record(Some(&shown), &theirs, &actor).unwrap();
        let mut mine = shown.clone();
        mine.patient.age_at_surgery = Some(61.0);
        let err = db.save_record(Some(&shown), &mine, &actor).unwrap_err();
        assert!(matches!(err, SaveError::Stale { .. }), "{err}");
        assert_eq!(
            db.load_record("P1")
                .unwrap()
                .unwrap()
                .patient
                .age_at_surgery,
            Some(60.0)
        );
    }

    #[test]
    fn a_record_breaking_the_rules_is_refused() {
        let (_dir, mut db, actor) = study();
        let mut record = PatientRecord::new("P1");
        record.surgery.date = "2019-01-01".parse().ok();
        record.events.push(FollowUpEvent {
            id: None,
            kind: EventKind::Recurrence,
            date: "2018-01-01".parse().unwrap(),
            detail: None,
        });
        let err = db
            .save_record(None, &record, &actor)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "P1: recurrence 2018-01-01 is before surgery 2019-01-01"
        );
        assert!(db.load_record("P1").unwrap().is_none());
    }
}
