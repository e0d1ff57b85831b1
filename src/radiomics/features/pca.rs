//! Principal component analysis of the ROI's voxel centres, for the axis
//! lengths, elongation and flatness of PyRadiomics 3.1 `shape.py` and
//! `shape2D.py`: the eigenvalues of the covariance of the physical voxel
//! coordinates, divided by the number of voxels N (PyRadiomics' convention;
//! IBSI divides by N − 1).
//!
//! PyRadiomics centres the coordinates in floating point and lets numpy
//! find the eigenvalues. Here the covariance is accumulated exactly in
//! integers (coordinates are voxel indices times the spacing) and rounded
//! once, and the eigenvalues of the symmetric matrix come from Jacobi
//! rotations, which are accurate to a few units in the last place of the
//! largest eigenvalue; both agree with numpy far below 1e-6.

/// The covariance (divided by N) of the physical coordinates of the voxels
/// at `indices`, with `spacing` in the same axis order. `None` without
/// voxels.
pub(crate) fn covariance<const D: usize>(
    indices: impl IntoIterator<Item = [usize; D]>,
    spacing: [f64; D],
) -> Option<[[f64; D]; D]> {
    let mut n: u64 = 0;
    let mut sum = [0u64; D];
    let mut products = [[0u128; D]; D];
    for index in indices {
        n += 1;
        for a in 0..D {
            sum[a] += index[a] as u64;
            for b in a..D {
                products[a][b] += (index[a] as u128) * (index[b] as u128);
            }
        }
    }
    if n == 0 {
        return None;
    }
    // N² cov = N Σ ka kb − Σ ka Σ kb, exact in integers (≥ 0 on the diagonal).
    let n_squared = (n as f64) * (n as f64);
    let mut cov = [[0.0; D]; D];
    for a in 0..D {
        for b in a..D {
            let scaled = (u128::from(n) * products[a][b]) as i128
                - (u128::from(sum[a]) * u128::from(sum[b])) as i128;
            let value = scaled as f64 / n_squared * (spacing[a] * spacing[b]);
            cov[a][b] = value;
            cov[b][a] = value;
        }
    }
    Some(cov)
}

/// The eigenvalues of a symmetric matrix, ascending, by cyclic Jacobi
/// rotations. Negative eigenvalues of a covariance can only be rounding
/// error (the exact matrix is positive semi-definite) and are set to 0, as
/// PyRadiomics does for those above −1e-10.
pub(crate) fn covariance_eigenvalues<const D: usize>(matrix: [[f64; D]; D]) -> [f64; D] {
    let mut a = matrix;
    for _sweep in 0..64 {
        let off_diagonal: f64 = (0..D)
            .flat_map(|p| (p + 1..D).map(move |q| (p, q)))
            .map(|(p, q)| a[p][q] * a[p][q])
            .sum();
        let diagonal: f64 = (0..D).map(|p| a[p][p] * a[p][p]).sum();
        if off_diagonal <= f64::EPSILON * f64::EPSILON * diagonal * 1e-4 || off_diagonal == 0.0 {
            break;
        }
        for p in 0..D {
            for q in p + 1..D {
                rotate(&mut a, p, q);
            }
        }
    }
    let mut values: [f64; D] = std::array::from_fn(|p| a[p][p].max(0.0));
    values.sort_by(f64::total_cmp);
    values
}

/// One Jacobi rotation zeroing `a[p][q]`.
// Rows and columns are updated together to keep the matrix symmetric,
// which an iterator over one of them cannot express.
#[allow(clippy::needless_range_loop)]
fn rotate<const D: usize>(a: &mut [[f64; D]; D], p: usize, q: usize) {
    let apq = a[p][q];
    if apq == 0.0 {
        return;
    }
    // tan of the rotation angle: the smaller root of t² + 2θt − 1 = 0.
    let theta = (a[q][q] - a[p][p]) / (2.0 * apq);
    let t = if theta.abs() > 1e150 {
        0.5 / theta
    } else {
        theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt())
    };
    let c = 1.0 / (t * t + 1.0).sqrt();
    let s = t * c;
    a[p][p] -= t * apq;
    a[q][q] += t * apq;
    a[p][q] = 0.0;
    a[q][p] = 0.0;
    for r in 0..D {
        if r != p && r != q {
            let (arp, arq) = (a[r][p], a[r][q]);
            a[r][p] = c * arp - s * arq;
            a[r][q] = s * arp + c * arq;
            a[p][r] = a[r][p];
            a[q][r] = a[r][q];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-13 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn covariance_divides_by_n() {
        // x = 0, 1, 2, 3 with spacing 2: mm 0, 2, 4, 6, mean 3, variance 5.
        let cov = covariance((0..4).map(|x| [x]), [2.0]).unwrap();
        assert_eq!(cov, [[5.0]]);
        assert!(covariance::<2>([], [1.0, 1.0]).is_none());
    }

    #[test]
    fn eigenvalues_of_known_matrices() {
        let diagonal = covariance_eigenvalues([[3.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 2.0]]);
        assert_eq!(diagonal, [1.0, 2.0, 3.0]);
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
        let [low, high] = covariance_eigenvalues([[2.0, 1.0], [1.0, 2.0]]);
        assert!(close(low, 1.0) && close(high, 3.0), "{low} {high}");
        // A rank-one matrix v vᵀ, v = (1, 2, 3): eigenvalues 0, 0, 14.
        let v = [1.0, 2.0, 3.0];
        let m: [[f64; 3]; 3] = std::array::from_fn(|i| std::array::from_fn(|j| v[i] * v[j]));
        let [a, b, c] = covariance_eigenvalues(m);
        assert!(
            a.abs() < 1e-14 && b.abs() < 1e-14 && close(c, 14.0),
            "{a} {b} {c}"
        );
        // numpy.linalg.eigvals([[4, 1, 2], [1, 3, 0.5], [2, 0.5, 5]]), sorted.
        let [a, b, c] = covariance_eigenvalues([[4.0, 1.0, 2.0], [1.0, 3.0, 0.5], [2.0, 0.5, 5.0]]);
        assert!(close(a, 2.0965216172967187), "{a}");
        assert!(close(b, 3.072223952005074), "{b}");
        assert!(close(c, 6.8312544306982), "{c}");
    }
}
