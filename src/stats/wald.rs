//! Normal-theory (Wald) helpers shared by the estimators: the critical
//! value for a two-sided confidence level and the two-sided p-value of a z
//! statistic, both from the standard normal of `statrs`.

use statrs::distribution::{ContinuousCDF, Normal};

use super::StatsError;

/// The two-sided critical value z with P(|Z| ≤ z) = `level` for a standard
/// normal Z (1.959964 for 0.95), as R's `qnorm(1 - (1 - level) / 2)`.
/// `level` must lie strictly between 0 and 1.
pub fn two_sided_z(level: f64) -> Result<f64, StatsError> {
    if !(level > 0.0 && level < 1.0) {
        return Err(StatsError::invalid_parameter(
            "level",
            level,
            "a confidence level strictly between 0 and 1, e.g. 0.95",
        ));
    }
    // The upper tail (1 - level) / 2 is passed to the inverse of the
    // survival side, so a level of 0.999999 keeps its digits.
    Ok(-Normal::standard().inverse_cdf((1.0 - level) / 2.0))
}

/// The two-sided p-value 2·P(Z > |z|) of a standard normal statistic,
/// computed in the tail as P(χ²₁ ≥ z²) ([`super::pvalue::normal_two_sided`])
/// so tiny p-values keep their relative precision (about 1e-15, where
/// statrs' erfc gives only 1e-10). A NaN `z` gives NaN; callers check `z`
/// first.
pub fn two_sided_p(z: f64) -> f64 {
    super::pvalue::normal_two_sided(z).unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_values_match_the_normal_table() {
        // qnorm(0.975) = 1.959963984540054 and qnorm(0.995) = 2.5758293035489 (R 4.2).
        assert!((two_sided_z(0.95).unwrap() - 1.959963984540054).abs() < 1e-14);
        assert!((two_sided_z(0.99).unwrap() - 2.5758293035489).abs() < 1e-14);
        for bad in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
            assert!(matches!(
                two_sided_z(bad),
                Err(StatsError::InvalidParameter { .. })
            ));
        }
    }

    #[test]
    fn two_sided_p_keeps_tail_precision() {
        // 2 * pnorm(-1.959963984540054) = 0.05; 2 * pnorm(-11.078876844499307)
        // = 1.588527214394674e-28 (R 4.2; scipy's, in the GBSG2 reference,
        // is 1.588527214394664e-28). statrs' erfc is good to about 1e-10
        // relative (0.0499999999977541 here); the incomplete gamma keeps
        // every digit R prints.
        assert!((two_sided_p(1.959963984540054) / 0.05 - 1.0).abs() < 1e-14);
        let tiny = two_sided_p(-11.078876844499307);
        assert!((tiny / 1.588527214394674e-28 - 1.0).abs() < 1e-13);
        assert_eq!(two_sided_p(0.0), 1.0);
    }
}
