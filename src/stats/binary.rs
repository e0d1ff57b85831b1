//! Checks of the inputs that discrimination, logistic regression and
//! calibration share: a 0/1 outcome and a vector of finite numbers.

use super::StatsError;

/// Reads a 0/1 outcome as booleans (1 = event / positive), refusing any
/// other value (a 2, a 0.5, a NaN) with its index.
pub fn binary_outcome(values: &[f64], what: &str) -> Result<Vec<bool>, StatsError> {
    values
        .iter()
        .enumerate()
        .map(|(index, &value)| {
            if value == 1.0 {
                Ok(true)
            } else if value == 0.0 {
                Ok(false)
            } else {
                Err(StatsError::OutOfRange {
                    what: what.to_owned(),
                    index,
                    value,
                    expected: "expected 0 or 1".to_owned(),
                })
            }
        })
        .collect()
}

/// Refuses a NaN or infinite value, naming the first.
pub fn finite(values: &[f64], what: &str) -> Result<(), StatsError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(StatsError::NonFinite {
            what: what.to_owned(),
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

/// Refuses two inputs of different lengths.
pub fn same_length(what: &str, found: usize, expected: usize) -> Result<(), StatsError> {
    if found == expected {
        Ok(())
    } else {
        Err(StatsError::LengthMismatch {
            what: what.to_owned(),
            expected,
            found,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_zero_one_and_refuses_the_rest() {
        assert_eq!(
            binary_outcome(&[0.0, 1.0, 1.0], "y").unwrap(),
            vec![false, true, true]
        );
        for bad in [2.0, 0.5, -1.0, f64::NAN] {
            let err = binary_outcome(&[1.0, bad], "y").unwrap_err();
            assert!(matches!(err, StatsError::OutOfRange { index: 1, .. }));
        }
        assert!(matches!(
            finite(&[1.0, f64::INFINITY], "score"),
            Err(StatsError::NonFinite { index: 1, .. })
        ));
        assert!(same_length("labels", 3, 3).is_ok());
        assert!(matches!(
            same_length("labels", 2, 3),
            Err(StatsError::LengthMismatch {
                expected: 3,
                found: 2,
                ..
            })
        ));
    }
}
