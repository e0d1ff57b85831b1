//! Floating-point reductions done the way numpy does them, so that sums of
//! many voxels round exactly as in PyRadiomics.

/// The block length of numpy's reductions: `np.sum` reaches its inner loop
/// through the iterator's buffer (`np.getbufsize()`, 8192 elements), so
/// longer arrays are summed block by block.
const NUMPY_BUFFER_SIZE: usize = 8192;

/// `numpy.sum` of a contiguous `float64` array: numpy's pairwise summation
/// within each block of 8192 elements, the block sums added in order.
pub fn numpy_sum(values: &[f64]) -> f64 {
    numpy_sum_of(values.len(), |k| values[k])
}

/// `numpy.sum` of the virtual array `term(0), …, term(n - 1)`, computed
/// without storing it, rounding exactly as [`numpy_sum`] of the collected
/// terms would — so that sums over matrices need not allocate.
pub fn numpy_sum_of(n: usize, term: impl Fn(usize) -> f64) -> f64 {
    let mut total = -0.0;
    let mut start = 0;
    while start < n {
        let block = NUMPY_BUFFER_SIZE.min(n - start);
        total += pairwise(start, block, &term);
        start += block;
    }
    total
}

/// numpy's pairwise summation of one inner-loop block (`pairwise_sum` in
/// numpy's `loops_utils.h`) of `term(start..start + n)`: a plain loop below
/// 8 elements, eight interleaved accumulators up to 128, halves above.
fn pairwise(start: usize, n: usize, term: &impl Fn(usize) -> f64) -> f64 {
    if n < 8 {
        // numpy starts from -0.0 so that an all -0.0 sum keeps its sign.
        (start..start + n).fold(-0.0, |total, k| total + term(k))
    } else if n <= 128 {
        let mut partial: [f64; 8] = std::array::from_fn(|j| term(start + j));
        let whole = n - n % 8;
        let mut i = 8;
        while i < whole {
            for (j, sum) in partial.iter_mut().enumerate() {
                *sum += term(start + i + j);
            }
            i += 8;
        }
        let mut total = ((partial[0] + partial[1]) + (partial[2] + partial[3]))
            + ((partial[4] + partial[5]) + (partial[6] + partial[7]));
        for k in start + whole..start + n {
            total += term(k);
        }
        total
    } else {
        let mut half = n / 2;
        half -= half % 8;
        pairwise(start, half, term) + pairwise(start + half, n - half, term)
    }
}

/// `numpy.mean`: the pairwise sum divided by the count.
pub fn numpy_mean(values: &[f64]) -> f64 {
    numpy_sum(values) / values.len() as f64
}

/// `numpy.percentile(values, q)` with the default linear method, on values
/// already sorted ascending.
pub fn numpy_percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let index = (n - 1) as f64 * (q / 100.0);
    let below = index.floor();
    let gamma = index - below;
    let lower = sorted[below as usize];
    let upper = sorted[(below as usize + 1).min(n - 1)];
    // numpy's `_lerp` computes from the nearer end for accuracy.
    let difference = upper - lower;
    if gamma >= 0.5 {
        upper - difference * (1.0 - gamma)
    } else {
        lower + difference * gamma
    }
}

/// `numpy.median` on values already sorted ascending.
pub fn numpy_median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        numpy_mean(&sorted[n / 2 - 1..=n / 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_sum_matches_numpy_where_naive_summation_does_not() {
        // numpy 1.26: np.sum([1e16] + [1.0] * 300) == 1.0000000000000292e16,
        // whereas adding left to right loses every 1.0.
        let mut values = vec![1e16];
        values.extend(std::iter::repeat_n(1.0, 300));
        assert_eq!(numpy_sum(&values), 1.0000000000000292e16);
        assert_eq!(values.iter().sum::<f64>(), 1e16);
    }

    #[test]
    fn long_sums_go_block_by_block_as_numpy_buffers_them() {
        // numpy 1.26: np.sum([1e16] + [1.0] * 10000) == 1.0000000000009984e16
        // and np.sum([1.0] * 8192 + [1e16] + [1.0] * 8000) ==
        // 1.000000000001618e16; one pairwise tree over all values gives
        // different roundings.
        let mut values = vec![1e16];
        values.extend(std::iter::repeat_n(1.0, 10_000));
        assert_eq!(numpy_sum(&values), 1.0000000000009984e16);
        assert_ne!(
            pairwise(0, values.len(), &|k| values[k]),
            numpy_sum(&values)
        );
        let mut values = vec![1.0; 8192];
        values.push(1e16);
        values.extend(std::iter::repeat_n(1.0, 8000));
        assert_eq!(numpy_sum(&values), 1.000000000001618e16);
        assert_ne!(
            pairwise(0, values.len(), &|k| values[k]),
            numpy_sum(&values)
        );
        assert_eq!(numpy_sum(&[0.1; 20_000]), 2000.0000000000005);
    }

    #[test]
    fn percentiles_and_medians_interpolate_like_numpy() {
        let sorted = [1.0, 2.0, 4.0, 7.0, 11.0];
        assert_eq!(numpy_percentile_sorted(&sorted, 10.0), 1.4);
        assert_eq!(numpy_percentile_sorted(&sorted, 90.0), 9.4);
        assert_eq!(numpy_percentile_sorted(&sorted, 100.0), 11.0);
        assert_eq!(numpy_median_sorted(&sorted), 4.0);
        assert_eq!(numpy_median_sorted(&sorted[..4]), 3.0);
    }
}
