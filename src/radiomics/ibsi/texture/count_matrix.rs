//! The grey level × count matrix that GLRLM (run length), GLSZM (zone
//! size), GLDZM (zone distance) and NGLDM (dependence count) share, and
//! the features their definitions share (IBSI sections 3.7, 3.8, 3.9 and
//! 3.11 use the same formulas under different names).
//!
//! Rows are grey levels `i = 1..=N_g`; columns are the count values `j ≥ 1`
//! that occur, kept sparse (a zone can be as large as the ROI).

use super::aggregation::TextureMatrix;
use super::xlog2x;

/// Number of features [`CountMatrix::features`] returns.
pub(crate) const N_FEATURES: usize = 17;

/// A grey level × count matrix `r_ij` and the voxel count `N_v` it was
/// built from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CountMatrix {
    /// `N_g`: the number of rows.
    ng: usize,
    /// The column values `j` that occur, ascending, all ≥ 1.
    cols: Vec<u32>,
    /// `r_ij` at `counts[c * ng + (i - 1)]` for `j = cols[c]`.
    counts: Vec<f64>,
    /// `N_v`: the ROI voxels behind the matrix (summed when merged), the
    /// denominator of run/zone/dependence-count percentage.
    n_voxels: f64,
}

impl CountMatrix {
    /// From a dense array `dense[j * ng + (i - 1)]`, `j = 0..`; column 0
    /// must be empty (it is dropped).
    pub(crate) fn from_dense(ng: usize, dense: &[f64], n_voxels: usize) -> CountMatrix {
        debug_assert!(dense[..ng.min(dense.len())].iter().all(|&v| v == 0.0));
        let mut cols = Vec::new();
        let mut counts = Vec::new();
        for (j, column) in dense.chunks_exact(ng).enumerate().skip(1) {
            if column.iter().any(|&v| v != 0.0) {
                cols.push(j as u32);
                counts.extend_from_slice(column);
            }
        }
        CountMatrix {
            ng,
            cols,
            counts,
            n_voxels: n_voxels as f64,
        }
    }

    /// From `(j, i)` entries, one per run/zone/voxel counted, packed as
    /// `(j << 32) | i` (sorted here). `j` must be ≥ 1, `i` in `1..=ng`.
    pub(crate) fn from_entries(ng: usize, entries: &mut [u64], n_voxels: usize) -> CountMatrix {
        entries.sort_unstable();
        let mut cols: Vec<u32> = Vec::new();
        let mut counts: Vec<f64> = Vec::new();
        for &entry in entries.iter() {
            let j = (entry >> 32) as u32;
            let i = (entry & 0xffff_ffff) as usize;
            if cols.last() != Some(&j) {
                cols.push(j);
                counts.resize(counts.len() + ng, 0.0);
            }
            let base = counts.len() - ng;
            counts[base + i - 1] += 1.0;
        }
        CountMatrix {
            ng,
            cols,
            counts,
            n_voxels: n_voxels as f64,
        }
    }

    /// `r_ij` (0 where `j` does not occur).
    #[cfg(test)]
    pub(crate) fn get(&self, i: usize, j: u32) -> f64 {
        match self.cols.binary_search(&j) {
            Ok(c) => self.counts[c * self.ng + i - 1],
            Err(_) => 0.0,
        }
    }

    /// `N_s = Σ r_ij`: the number of runs, zones or voxels counted.
    pub(crate) fn total(&self) -> f64 {
        self.counts.iter().sum()
    }

    /// `Σ j · r_ij`.
    #[cfg(test)]
    pub(crate) fn weighted_total(&self) -> f64 {
        self.cols
            .iter()
            .enumerate()
            .map(|(c, &j)| {
                f64::from(j)
                    * self.counts[c * self.ng..(c + 1) * self.ng]
                        .iter()
                        .sum::<f64>()
            })
            .sum()
    }

    /// `N_v`.
    #[cfg(test)]
    pub(crate) fn n_voxels(&self) -> f64 {
        self.n_voxels
    }

    /// The shared features, with `p_ij = r_ij / N_s`, `r_i = Σ_j r_ij`,
    /// `r_j = Σ_i r_ij` (IBSI sections 3.7.1–3.7.16 in their GLRLM form):
    ///
    /// 0. small (short-run) emphasis `Σ r_ij / j² / N_s`
    /// 1. large (long-run) emphasis `Σ j² r_ij / N_s`
    /// 2. low grey level emphasis `Σ r_ij / i² / N_s`
    /// 3. high grey level emphasis `Σ i² r_ij / N_s`
    /// 4. small-count low grey level emphasis `Σ r_ij / (i² j²) / N_s`
    /// 5. small-count high grey level emphasis `Σ i² r_ij / j² / N_s`
    /// 6. large-count low grey level emphasis `Σ j² r_ij / i² / N_s`
    /// 7. large-count high grey level emphasis `Σ i² j² r_ij / N_s`
    /// 8. grey level non-uniformity `Σ_i r_i² / N_s`
    /// 9. … normalised `Σ_i r_i² / N_s²`
    /// 10. count non-uniformity `Σ_j r_j² / N_s`
    /// 11. … normalised `Σ_j r_j² / N_s²`
    /// 12. percentage `N_s / N_v`
    /// 13. grey level variance `Σ (i − μ_i)² p_ij`, `μ_i = Σ i p_ij`
    /// 14. count variance `Σ (j − μ_j)² p_ij`, `μ_j = Σ j p_ij`
    /// 15. entropy `−Σ p_ij log2 p_ij`
    /// 16. energy `Σ p_ij²` (NGLDM only)
    ///
    /// All NaN for an empty matrix.
    pub(crate) fn shared_features(&self) -> [f64; N_FEATURES] {
        let ng = self.ng;
        let ns = self.total();
        if ns <= 0.0 {
            return [f64::NAN; N_FEATURES];
        }
        let mut row = vec![0.0; ng];
        let mut e = [0.0f64; 8];
        let (mut col_nu, mut mu_j, mut entropy, mut energy) = (0.0, 0.0, 0.0, 0.0);
        let mut col_sums = Vec::with_capacity(self.cols.len());
        for (c, &j) in self.cols.iter().enumerate() {
            let j = f64::from(j);
            let jj = j * j;
            let mut col = 0.0;
            for (k, &v) in self.counts[c * ng..(c + 1) * ng].iter().enumerate() {
                if v == 0.0 {
                    continue;
                }
                let i = (k + 1) as f64;
                let ii = i * i;
                e[0] += v / jj;
                e[1] += v * jj;
                e[2] += v / ii;
                e[3] += v * ii;
                e[4] += v / (ii * jj);
                e[5] += v * ii / jj;
                e[6] += v * jj / ii;
                e[7] += v * ii * jj;
                let p = v / ns;
                entropy -= xlog2x(p);
                energy += p * p;
                row[k] += v;
                col += v;
            }
            col_nu += col * col;
            mu_j += j * col / ns;
            col_sums.push((j, col));
        }
        let mu_i: f64 = row
            .iter()
            .enumerate()
            .map(|(k, &r)| (k + 1) as f64 * r / ns)
            .sum();
        let var_i: f64 = row
            .iter()
            .enumerate()
            .map(|(k, &r)| ((k + 1) as f64 - mu_i).powi(2) * r / ns)
            .sum();
        let var_j: f64 = col_sums
            .iter()
            .map(|&(j, col)| (j - mu_j).powi(2) * col / ns)
            .sum();
        let row_nu: f64 = row.iter().map(|r| r * r).sum();
        [
            e[0] / ns,
            e[1] / ns,
            e[2] / ns,
            e[3] / ns,
            e[4] / ns,
            e[5] / ns,
            e[6] / ns,
            e[7] / ns,
            row_nu / ns,
            row_nu / (ns * ns),
            col_nu / ns,
            col_nu / (ns * ns),
            ns / self.n_voxels,
            var_i,
            var_j,
            entropy,
            energy,
        ]
    }
}

impl TextureMatrix for CountMatrix {
    /// Sums the matrices column by column (the column lists are merged)
    /// and adds the voxel counts, as IBSI merging prescribes.
    fn merge(&mut self, other: &Self) {
        debug_assert_eq!(self.ng, other.ng);
        let ng = self.ng;
        let mut cols = Vec::with_capacity(self.cols.len() + other.cols.len());
        let mut counts = Vec::with_capacity(self.counts.len() + other.counts.len());
        let (mut a, mut b) = (0, 0);
        while a < self.cols.len() || b < other.cols.len() {
            let ja = self.cols.get(a).copied().unwrap_or(u32::MAX);
            let jb = other.cols.get(b).copied().unwrap_or(u32::MAX);
            let j = ja.min(jb);
            cols.push(j);
            let start = counts.len();
            counts.resize(start + ng, 0.0);
            if ja == j {
                for (t, s) in counts[start..].iter_mut().zip(&self.counts[a * ng..]) {
                    *t += s;
                }
                a += 1;
            }
            if jb == j {
                for (t, s) in counts[start..].iter_mut().zip(&other.counts[b * ng..]) {
                    *t += s;
                }
                b += 1;
            }
        }
        self.cols = cols;
        self.counts = counts;
        self.n_voxels += other.n_voxels;
    }

    fn is_empty(&self) -> bool {
        self.cols.is_empty()
    }

    /// [`CountMatrix::shared_features`] as a vector.
    fn features(&self) -> Vec<f64> {
        self.shared_features().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_entries_agree_and_merge_adds() {
        // ng = 2; runs: level 1 length 1 twice, level 2 length 3 once.
        let mut dense = vec![0.0; 2 * 4];
        dense[2] = 2.0; // j = 1, i = 1
        dense[3 * 2 + 1] = 1.0; // j = 3, i = 2
        let a = CountMatrix::from_dense(2, &dense, 5);
        let mut entries = vec![(1 << 32) | 1, (3 << 32) | 2, (1 << 32) | 1];
        let b = CountMatrix::from_entries(2, &mut entries, 5);
        assert_eq!(a, b);
        assert_eq!(a.cols, vec![1, 3]);
        assert_eq!(a.total(), 3.0);
        assert_eq!(a.weighted_total(), 5.0);
        let mut c = CountMatrix::from_entries(2, &mut [(2 << 32) | 2, (3 << 32) | 1], 5);
        c.merge(&a);
        assert_eq!(c.cols, vec![1, 2, 3]);
        assert_eq!(c.get(1, 1), 2.0);
        assert_eq!(c.get(2, 2), 1.0);
        assert_eq!(c.get(1, 3), 1.0);
        assert_eq!(c.get(2, 3), 1.0);
        assert_eq!(c.n_voxels(), 10.0);
    }

    #[test]
    fn shared_features_by_hand() {
        // r_11 = 2, r_23 = 1, N_s = 3, N_v = 5.
        let m = CountMatrix::from_entries(2, &mut [(1 << 32) | 1, (1 << 32) | 1, (3 << 32) | 2], 5);
        let f = m.shared_features();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(f[0], (2.0 + 1.0 / 9.0) / 3.0));
        assert!(close(f[1], (2.0 + 9.0) / 3.0));
        assert!(close(f[2], (2.0 + 0.25) / 3.0));
        assert!(close(f[3], (2.0 + 4.0) / 3.0));
        assert!(close(f[4], (2.0 + 1.0 / 36.0) / 3.0));
        assert!(close(f[5], (2.0 + 4.0 / 9.0) / 3.0));
        assert!(close(f[6], (2.0 + 9.0 / 4.0) / 3.0));
        assert!(close(f[7], (2.0 + 36.0) / 3.0));
        assert!(close(f[8], (4.0 + 1.0) / 3.0));
        assert!(close(f[9], 5.0 / 9.0));
        assert!(close(f[10], 5.0 / 3.0));
        assert!(close(f[11], 5.0 / 9.0));
        assert!(close(f[12], 3.0 / 5.0));
        // μ_i = 4/3: (1/9·2 + 4/9) / 3 = 2/9.
        assert!(close(f[13], 2.0 / 9.0));
        // μ_j = 5/3: (4/9·2 + 16/9) / 3 = 8/9.
        assert!(close(f[14], 8.0 / 9.0));
        let p: [f64; 2] = [2.0 / 3.0, 1.0 / 3.0];
        assert!(close(f[15], -p.iter().map(|p| p * p.log2()).sum::<f64>()));
        assert!(close(f[16], 5.0 / 9.0));
        assert!(
            CountMatrix::from_entries(2, &mut [], 0)
                .shared_features()
                .iter()
                .all(|v| v.is_nan())
        );
    }
}
