//! The O(n) loops every iteration runs, written so the compiler can
//! vectorise them: sums and maxima over eight interleaved partial results
//! (a fixed order, so results do not depend on the machine's threads).

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

/// The largest value (−∞ for none), over eight interleaved maxima so the
/// loop vectorises. NaN is never chosen over a number.
pub(crate) fn largest(a: &[f64]) -> f64 {
    let mut partial = [f64::NEG_INFINITY; LANES];
    let chunks = a.chunks_exact(LANES);
    let tail = chunks
        .remainder()
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    for chunk in chunks {
        for (m, &x) in partial.iter_mut().zip(chunk) {
            *m = if x > *m { x } else { *m };
        }
    }
    partial.iter().copied().fold(tail, f64::max)
}

/// The largest |a_i| (0 for none), as [`largest`].
pub(crate) fn largest_magnitude(a: &[f64]) -> f64 {
    let mut partial = [0.0_f64; LANES];
    let chunks = a.chunks_exact(LANES);
    let tail = chunks
        .remainder()
        .iter()
        .fold(0.0_f64, |m, x| m.max(x.abs()));
    for chunk in chunks {
        for (m, &x) in partial.iter_mut().zip(chunk) {
            let x = x.abs();
            *m = if x > *m { x } else { *m };
        }
    }
    partial.iter().copied().fold(tail, f64::max)
}

/// Below this, e^x is taken as 0 by [`exp_nonpositive`]: e^(−708) ≈
/// 3e-308 is the smallest normal power it builds, and a term that small
/// changes no risk-set sum the fits accept (they redo any sum below
/// 1e-200 on a log scale).
const EXP_FLOOR: f64 = -708.0;

/// e^x for x ≤ 0 (0 below −708), written without branches or calls so
/// loops over it vectorise, which libm's `exp` does not allow.
///
/// Convention (Cody & Waite 1980 range reduction, as in fdlibm and most
/// vector math libraries): x = k·ln 2 + r with k = round(x/ln 2) and
/// |r| ≤ ln 2/2, ln 2 split in two so k·ln 2 is exact; e^r by its Taylor
/// series to degree 13 (truncation below 4e-18 relative), and 2^k built
/// directly in the exponent bits. Accurate to a few units in the last
/// place (tested against libm to 1e-15 relative). Inputs above 0 are
/// not supported; a NaN gives an arbitrary finite value, so callers must
/// detect non-finite inputs otherwise (the Cox loss does, through Σ δ·η).
#[inline(always)]
pub(crate) fn exp_nonpositive(x: f64) -> f64 {
    // 1.5·2^52: adding it rounds to an integer held in the low mantissa
    // bits.
    const ROUNDER: f64 = 6_755_399_441_055_744.0;
    // fdlibm's split of ln 2: the high part has 32 trailing zero bits.
    const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
    let clamped = if x > EXP_FLOOR { x } else { EXP_FLOOR };
    let shifted = clamped * std::f64::consts::LOG2_E + ROUNDER;
    let k = shifted - ROUNDER;
    let r = (clamped - k * LN2_HI) - k * LN2_LO;
    // 1 + r + r²/2! + … + r¹³/13! by Estrin's scheme: pairs, then
    // pairs of pairs, so the dependency chain is four multiply-adds deep
    // instead of Horner's thirteen (the loops are latency-bound).
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let p01 = 1.0 + r;
    let p23 = 1.0 / 2.0 + r * (1.0 / 6.0);
    let p45 = 1.0 / 24.0 + r * (1.0 / 120.0);
    let p67 = 1.0 / 720.0 + r * (1.0 / 5_040.0);
    let p89 = 1.0 / 40_320.0 + r * (1.0 / 362_880.0);
    let p1011 = 1.0 / 3_628_800.0 + r * (1.0 / 39_916_800.0);
    let p1213 = 1.0 / 479_001_600.0 + r * (1.0 / 6_227_020_800.0);
    let p03 = p01 + r2 * p23;
    let p47 = p45 + r2 * p67;
    let p811 = p89 + r2 * p1011;
    let p07 = p03 + r4 * p47;
    let p813 = p811 + r4 * p1213;
    let p = p07 + r8 * p813;
    // The low bits of `shifted` are k (two's complement); k + 1023 in the
    // exponent field is 2^k, k ≥ −1022 by the clamp.
    let scale = f64::from_bits(shifted.to_bits().wrapping_add(1023) << 52);
    let value = p * scale;
    if x < EXP_FLOOR { 0.0 } else { value }
}

/// Slices of the given lengths carved from `buffer`, which grows when it
/// is too short and is otherwise reused as it stands (contents
/// unspecified: callers overwrite what they read). Large buffers
/// allocated afresh at every call would cost a page fault per 4 KiB.
pub(crate) fn carve<const N: usize>(buffer: &mut Vec<f64>, lengths: [usize; N]) -> [&mut [f64]; N] {
    let total: usize = lengths.iter().sum();
    if buffer.len() < total {
        buffer.resize(total, 0.0);
    }
    let mut rest: &mut [f64] = buffer.as_mut_slice();
    let mut parts: [&mut [f64]; N] = std::array::from_fn(|_| Default::default());
    for (part, &length) in parts.iter_mut().zip(&lengths) {
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(length);
        *part = head;
        rest = tail;
    }
    parts
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
    fn carve_splits_one_reused_buffer() {
        let mut buffer = Vec::new();
        let [a, b] = carve(&mut buffer, [2, 3]);
        assert_eq!((a.len(), b.len()), (2, 3));
        a[1] = 7.0;
        b[0] = 8.0;
        assert_eq!(buffer, vec![0.0, 7.0, 8.0, 0.0, 0.0]);
        let [c] = carve(&mut buffer, [4]);
        assert_eq!(c.len(), 4);
        assert_eq!(buffer.len(), 5);
    }

    #[test]
    fn largest_finds_the_maximum_anywhere() {
        let mut a: Vec<f64> = (0..29).map(|i| -(i as f64)).collect();
        assert_eq!(largest(&a), 0.0);
        a[27] = 4.0;
        assert_eq!(largest(&a), 4.0);
        a[3] = 5.0;
        assert_eq!(largest(&a), 5.0);
        assert_eq!(largest(&[]), f64::NEG_INFINITY);
        a[20] = -9.0;
        assert_eq!(largest_magnitude(&a), 28.0);
        assert_eq!(largest_magnitude(&[-3.0, 2.0]), 3.0);
    }

    #[test]
    fn exp_nonpositive_matches_libm() {
        let mut worst = 0.0_f64;
        let mut x = 0.0_f64;
        while x > -720.0 {
            let want = x.exp();
            let got = exp_nonpositive(x);
            if want > 1e-300 {
                worst = worst.max(((got - want) / want).abs());
            } else {
                assert!(got <= 1e-300, "{x}: {got}");
            }
            x -= 0.000_731_3;
        }
        assert!(worst < 1e-15, "relative error {worst:e}");
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert_eq!(exp_nonpositive(-1000.0), 0.0);
        assert_eq!(exp_nonpositive(f64::NEG_INFINITY), 0.0);
    }
}
