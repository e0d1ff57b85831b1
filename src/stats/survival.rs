//! Right-censored survival data, checked once so every routine can trust it.

use super::StatsError;

/// Right-censored follow-up: for each subject a time and whether the event
/// was observed then (`true`) or follow-up ended without it (`false`,
/// censored).
///
/// Times are finite and non-negative; their unit is the caller's (days in a
/// study). The order of subjects carries no meaning.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalData {
    time: Vec<f64>,
    event: Vec<bool>,
}

impl SurvivalData {
    /// Checks and wraps times and event indicators of the same subjects.
    pub fn new(time: Vec<f64>, event: Vec<bool>) -> Result<SurvivalData, StatsError> {
        if event.len() != time.len() {
            return Err(StatsError::LengthMismatch {
                what: "event".to_owned(),
                expected: time.len(),
                found: event.len(),
            });
        }
        for (index, &value) in time.iter().enumerate() {
            if !value.is_finite() {
                return Err(StatsError::NonFinite {
                    what: "time".to_owned(),
                    index,
                    value,
                });
            }
            if value < 0.0 {
                return Err(StatsError::OutOfRange {
                    what: "time".to_owned(),
                    index,
                    value,
                    expected: "expected a time of 0 or more".to_owned(),
                });
            }
        }
        Ok(SurvivalData { time, event })
    }

    /// The follow-up times.
    pub fn time(&self) -> &[f64] {
        &self.time
    }

    /// The event indicators (`true`: event observed).
    pub fn event(&self) -> &[bool] {
        &self.event
    }

    /// Number of subjects.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// Whether there are no subjects.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Number of observed events.
    pub fn events(&self) -> usize {
        self.event.iter().filter(|&&e| e).count()
    }

    /// The subjects at `indices`, in that order (a group, a stratum, a
    /// cross-validation fold).
    pub fn subset(&self, indices: &[usize]) -> SurvivalData {
        SurvivalData {
            time: indices.iter().map(|&i| self.time[i]).collect(),
            event: indices.iter().map(|&i| self.event[i]).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_bad_times_and_lengths() {
        assert!(matches!(
            SurvivalData::new(vec![1.0, 2.0], vec![true]),
            Err(StatsError::LengthMismatch { found: 1, .. })
        ));
        assert!(matches!(
            SurvivalData::new(vec![1.0, f64::NAN], vec![true, false]),
            Err(StatsError::NonFinite { index: 1, .. })
        ));
        assert!(matches!(
            SurvivalData::new(vec![-1.0], vec![true]),
            Err(StatsError::OutOfRange { index: 0, .. })
        ));
    }

    #[test]
    fn counts_events_and_subsets() {
        let data = SurvivalData::new(vec![3.0, 1.0, 2.0], vec![true, false, true]).unwrap();
        assert_eq!(data.events(), 2);
        let part = data.subset(&[2, 0]);
        assert_eq!(part.time(), &[2.0, 3.0]);
        assert_eq!(part.event(), &[true, true]);
    }
}
