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
}
