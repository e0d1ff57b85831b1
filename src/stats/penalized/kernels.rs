//! The O(n) loops every iteration runs, written so the compiler can
//! vectorise them: sums in eight interleaved partial sums (a fixed order,
//! so results do not depend on the machine's threads), and e^x for x ≤ 0
//! without a library call.

/// Number of interleaved partial sums.
const LANES: usize = 8;

/// Σ a_i·b_i over the common length, accumulated in eight interleaved
/// partial sums combined pairwise: deterministic, and more accurate than
/// one running sum.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut partial = [0.0; LANES];
    let chunks_a = a.chunks_exact(LANES);
    let chunks_b = b.chunks_exact(LANES);
    let tail: f64 = chunks_a
        .remainder()
        .iter()
        .zip(chunks_b.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (ca, cb) in chunks_a.zip(chunks_b) {
        for ((s, x), y) in partial.iter_mut().zip(ca).zip(cb) {
            *s += x * y;
        }
    }
    combine(&partial) + tail
}

/// Σ a_i, accumulated as [`dot`].
pub(crate) fn sum(a: &[f64]) -> f64 {
    let mut partial = [0.0; LANES];
    let chunks = a.chunks_exact(LANES);
    let tail: f64 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for (s, x) in partial.iter_mut().zip(chunk) {
            *s += x;
        }
    }
    combine(&partial) + tail
}

fn combine(partial: &[f64; LANES]) -> f64 {
    ((partial[0] + partial[4]) + (partial[1] + partial[5]))
        + ((partial[2] + partial[6]) + (partial[3] + partial[7]))
}

/// Below this, e^x is returned as 0 (e^−708 ≈ 3e−308 is the smallest
/// normal double's order; a relative risk that small next to the largest,
/// which is 1, changes no risk-set sum).
const EXP_FLOOR: f64 = -708.0;

/// e^x for x ≤ 0 (0 below −708, and for −∞), within 2 units in the last
/// place: x = k·ln 2 + r with |r| ≤ ln 2 / 2 (Cody–Waite, ln 2 in two
/// parts), e^r by its Taylor series to r¹³ (truncation below 2e−16
/// relative), times 2^k built from the exponent bits. Branch-free, so a
/// loop over a slice vectorises, which the library `exp` does not.
pub(crate) fn exp_nonpositive(x: f64) -> f64 {
    const LOG2_E: f64 = std::f64::consts::LOG2_E;
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // Adding 1.5·2^52 rounds to an integer, left in the low mantissa bits.
    const ROUNDER: f64 = 6_755_399_441_055_744.0;
    let clamped = x.max(EXP_FLOOR);
    let shifted = clamped * LOG2_E + ROUNDER;
    let k = shifted - ROUNDER;
    let r = (clamped - k * LN2_HI) - k * LN2_LO;
    // Σ r^j/j! for j = 0..=13, Horner.
    let mut poly = 1.0 / 6_227_020_800.0;
    for factorial in [
        479_001_600.0,
        39_916_800.0,
        3_628_800.0,
        362_880.0,
        40_320.0,
        5_040.0,
        720.0,
        120.0,
        24.0,
        6.0,
        2.0,
        1.0,
        1.0,
    ] {
        poly = poly * r + 1.0 / factorial;
    }
    let exponent = (shifted.to_bits() as i64)
        .wrapping_sub(ROUNDER.to_bits() as i64)
        .wrapping_add(1023);
    let scale = f64::from_bits((exponent as u64) << 52);
    let value = poly * scale;
    if x.is_nan() {
        x
    } else if x < EXP_FLOOR {
        0.0
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_and_sum_match_plain_sums() {
        let a: Vec<f64> = (0..37).map(|i| i as f64 * 0.5 - 3.0).collect();
        let b: Vec<f64> = (0..37).map(|i| (i % 5) as f64).collect();
        let plain: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert_eq!(dot(&a, &b), plain);
        assert_eq!(sum(&a), a.iter().sum::<f64>());
        assert_eq!(dot(&a[..3], &b), plain_prefix(&a, &b, 3));
        assert_eq!(sum(&[]), 0.0);
    }

    fn plain_prefix(a: &[f64], b: &[f64], n: usize) -> f64 {
        a[..n].iter().zip(&b[..n]).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn exp_is_within_two_ulp_of_the_library() {
        let mut worst = 0.0_f64;
        for i in 0..=200_000 {
            let x = -708.0 * f64::from(i) / 200_000.0;
            let want = x.exp();
            let got = exp_nonpositive(x);
            worst = worst.max((got - want).abs() / want);
        }
        for x in [
            0.0,
            -1e-300,
            -1e-12,
            -0.5 * std::f64::consts::LN_2,
            -1.0,
            -700.0,
        ] {
            let want = f64::exp(x);
            worst = worst.max((exp_nonpositive(x) - want).abs() / want);
        }
        assert!(worst <= 2.0 * f64::EPSILON, "relative error {worst:e}");
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert_eq!(exp_nonpositive(-709.0), 0.0);
        assert_eq!(exp_nonpositive(f64::NEG_INFINITY), 0.0);
        assert!(exp_nonpositive(f64::NAN).is_nan());
    }
}
