//! Grey level co-occurrence matrix (GLCM), IBSI reference manual section
//! 3.6 (features 3.6.1–3.6.25), tags `cm_*`.
//!
//! Convention: for a direction `d` (one of each opposite pair, see
//! [`super::aggregation`]) and distance δ, every pair of ROI voxels
//! `(v, v + δ·d)` counts at `(i, j)` and at `(j, i)`: the matrix is
//! symmetric (it holds both `d` and `−d`). A pair with a voxel outside the
//! ROI or the grid is not counted. `p_ij` is the count over the matrix's
//! total; rows and columns run over all `N_g` grey levels.

use super::aggregation::{DirectionalAggregation, TextureMatrix, directional, overlap};
use super::{Grid, IbsiFeature, IbsiRoi, Slab, push_tagged, xlog2x};

/// The GLCM feature names, in tag order (`cm_<name>_<aggregation>`).
pub const GLCM_FEATURES: [&str; 25] = [
    "joint_max",
    "joint_avg",
    "joint_var",
    "joint_entr",
    "diff_avg",
    "diff_var",
    "diff_entr",
    "sum_avg",
    "sum_var",
    "sum_entr",
    "energy",
    "contrast",
    "dissimilarity",
    "inv_diff",
    "inv_diff_norm",
    "inv_diff_mom",
    "inv_diff_mom_norm",
    "inv_var",
    "corr",
    "auto_corr",
    "clust_tend",
    "clust_shade",
    "clust_prom",
    "info_corr1",
    "info_corr2",
];

/// The GLCM features of `roi` under each of `aggregations`, at Chebyshev
/// distance `distance` (0 is read as 1).
pub fn glcm_features(
    roi: &IbsiRoi,
    aggregations: &[DirectionalAggregation],
    distance: usize,
) -> Vec<IbsiFeature> {
    let mut out = Vec::new();
    compute(&Grid::new(roi), aggregations, distance, &mut out);
    out
}

/// [`glcm_features`] on a prepared grid, appended to `out`.
pub(crate) fn compute(
    grid: &Grid,
    aggregations: &[DirectionalAggregation],
    distance: usize,
    out: &mut Vec<IbsiFeature>,
) {
    let delta = distance.max(1) as isize;
    let results = directional(grid, aggregations, GLCM_FEATURES.len(), |slab, d| {
        Glcm::build(slab, [d[0] * delta, d[1] * delta, d[2] * delta], grid.ng)
    });
    for (aggregation, values) in results {
        push_tagged(out, "cm", &GLCM_FEATURES, aggregation.suffix(), &values);
    }
}

/// A symmetric co-occurrence count matrix, `N_g × N_g`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Glcm {
    /// `N_g`.
    ng: usize,
    /// Counts, row-major: `counts[(i - 1) * ng + (j - 1)]`.
    counts: Vec<f64>,
}

impl Glcm {
    /// The matrix of `slab` for the pairs `(v, v + offset)`, `offset`
    /// `[dz, dy, dx]`, in one pass over the overlapping voxels.
    pub(crate) fn build(slab: &Slab<'_>, offset: [isize; 3], ng: usize) -> Glcm {
        let [nz, ny, nx] = slab.dims;
        let mut one_way = vec![0u64; ng * ng];
        let xs = overlap(nx, offset[2]);
        for z in overlap(nz, offset[0]) {
            for y in overlap(ny, offset[1]) {
                let a = (z * ny + y) * nx;
                let b = ((z as isize + offset[0]) as usize * ny
                    + (y as isize + offset[1]) as usize)
                    * nx;
                let bx = (xs.start as isize + offset[2]) as usize;
                let row_a = &slab.levels[a + xs.start..a + xs.end];
                let row_b = &slab.levels[b + bx..b + bx + xs.len()];
                for (&la, &lb) in row_a.iter().zip(row_b) {
                    if la > 0 && lb > 0 {
                        one_way[(la as usize - 1) * ng + lb as usize - 1] += 1;
                    }
                }
            }
        }
        let mut counts = vec![0.0; ng * ng];
        for i in 0..ng {
            for j in 0..ng {
                counts[i * ng + j] = (one_way[i * ng + j] + one_way[j * ng + i]) as f64;
            }
        }
        Glcm { ng, counts }
    }

    /// The count at grey levels `(i, j)`, 1-based.
    #[cfg(test)]
    pub(crate) fn get(&self, i: usize, j: usize) -> f64 {
        self.counts[(i - 1) * self.ng + j - 1]
    }

    /// The 25 features (IBSI 3.6.1–3.6.25), in [`GLCM_FEATURES`]' order:
    /// with `p_ij` the normalised matrix, `p_i = Σ_j p_ij` (= `p_j` by
    /// symmetry), `μ = Σ i p_ij`, `σ² = Σ (i − μ)² p_i`,
    /// `p_{i−j}(k) = Σ_{|i−j|=k} p_ij` (`k = 0..N_g−1`) and
    /// `p_{i+j}(k) = Σ_{i+j=k} p_ij` (`k = 2..2N_g`):
    ///
    /// - joint maximum, average `μ`, variance `Σ (i − μ)² p_ij`, entropy;
    /// - difference average `Σ k p_{i−j}(k)`, variance, entropy;
    /// - sum average `Σ k p_{i+j}(k)`, variance, entropy;
    /// - angular second moment (energy) `Σ p_ij²`, contrast `Σ (i−j)² p_ij`,
    ///   dissimilarity `Σ |i−j| p_ij`;
    /// - inverse difference `Σ p_{i−j}(k)/(1+k)` and its normalised form
    ///   `/(1 + k/N_g)`, inverse difference moment `/(1+k²)` and normalised
    ///   `/(1 + k²/N_g²)`, inverse variance `Σ_{k≥1} p_{i−j}(k)/k²`;
    /// - correlation `Σ (i−μ)(j−μ) p_ij / σ²` (NaN for `σ = 0`),
    ///   autocorrelation `Σ i j p_ij`, cluster tendency, shade and
    ///   prominence `Σ (i + j − 2μ)^{2,3,4} p_ij`;
    /// - information correlation 1 `(HXY − HXY1) / HX` (NaN for `HX = 0`)
    ///   and 2 `√(1 − exp(−2 (HXY2 − HXY)))`, with `HXY` the joint
    ///   entropy, `HX = −Σ p_i log2 p_i`, `HXY1 = −Σ p_ij log2(p_i p_j)`,
    ///   `HXY2 = −Σ p_i p_j log2(p_i p_j)` — the exponential is natural
    ///   while the entropies are base 2, exactly as the manual writes it.
    pub(crate) fn glcm_features(&self) -> [f64; 25] {
        let ng = self.ng;
        let total: f64 = self.counts.iter().sum();
        if total <= 0.0 {
            return [f64::NAN; 25];
        }
        let p: Vec<f64> = self.counts.iter().map(|c| c / total).collect();
        let mut marginal = vec![0.0; ng];
        let mut diff = vec![0.0; ng];
        let mut sum = vec![0.0; 2 * ng + 1];
        let (mut joint_max, mut mu, mut joint_entr, mut energy) = (0.0f64, 0.0, 0.0, 0.0);
        let mut auto_corr = 0.0;
        for i in 1..=ng {
            for j in 1..=ng {
                let pij = p[(i - 1) * ng + j - 1];
                if pij == 0.0 {
                    continue;
                }
                joint_max = joint_max.max(pij);
                mu += i as f64 * pij;
                joint_entr -= xlog2x(pij);
                energy += pij * pij;
                auto_corr += (i * j) as f64 * pij;
                marginal[i - 1] += pij;
                diff[i.abs_diff(j)] += pij;
                sum[i + j] += pij;
            }
        }
        let (mut joint_var, mut contrast, mut dissimilarity) = (0.0, 0.0, 0.0);
        let (mut corr_num, mut tend, mut shade, mut prom) = (0.0, 0.0, 0.0, 0.0);
        let mut hxy1 = 0.0;
        for i in 1..=ng {
            for j in 1..=ng {
                let pij = p[(i - 1) * ng + j - 1];
                if pij == 0.0 {
                    continue;
                }
                let (fi, fj) = (i as f64, j as f64);
                joint_var += (fi - mu).powi(2) * pij;
                contrast += (fi - fj).powi(2) * pij;
                dissimilarity += (fi - fj).abs() * pij;
                corr_num += (fi - mu) * (fj - mu) * pij;
                let c = fi + fj - 2.0 * mu;
                tend += c * c * pij;
                shade += c * c * c * pij;
                prom += c * c * c * c * pij;
                hxy1 -= pij * (marginal[i - 1] * marginal[j - 1]).log2();
            }
        }
        let ngf = ng as f64;
        let (mut diff_avg, mut inv_diff, mut inv_diff_norm) = (0.0, 0.0, 0.0);
        let (mut inv_diff_mom, mut inv_diff_mom_norm, mut inv_var, mut diff_entr) =
            (0.0, 0.0, 0.0, 0.0);
        for (k, &pk) in diff.iter().enumerate() {
            let k = k as f64;
            diff_avg += k * pk;
            inv_diff += pk / (1.0 + k);
            inv_diff_norm += pk / (1.0 + k / ngf);
            inv_diff_mom += pk / (1.0 + k * k);
            inv_diff_mom_norm += pk / (1.0 + k * k / (ngf * ngf));
            if k > 0.0 {
                inv_var += pk / (k * k);
            }
            diff_entr -= xlog2x(pk);
        }
        let diff_var: f64 = diff
            .iter()
            .enumerate()
            .map(|(k, &pk)| (k as f64 - diff_avg).powi(2) * pk)
            .sum();
        let sum_avg: f64 = sum.iter().enumerate().map(|(k, &pk)| k as f64 * pk).sum();
        let sum_var: f64 = sum
            .iter()
            .enumerate()
            .map(|(k, &pk)| (k as f64 - sum_avg).powi(2) * pk)
            .sum();
        let sum_entr: f64 = -sum.iter().map(|&pk| xlog2x(pk)).sum::<f64>();
        let variance: f64 = marginal
            .iter()
            .enumerate()
            .map(|(k, &pi)| ((k + 1) as f64 - mu).powi(2) * pi)
            .sum();
        let corr = corr_num / variance;
        let hx: f64 = -marginal.iter().map(|&pi| xlog2x(pi)).sum::<f64>();
        let mut hxy2 = 0.0;
        for &pi in &marginal {
            for &pj in &marginal {
                hxy2 -= xlog2x(pi * pj);
            }
        }
        let info_corr1 = (joint_entr - hxy1) / hx;
        let info_corr2 = (1.0 - (-2.0 * (hxy2 - joint_entr)).exp()).sqrt();
        [
            joint_max,
            mu,
            joint_var,
            joint_entr,
            diff_avg,
            diff_var,
            diff_entr,
            sum_avg,
            sum_var,
            sum_entr,
            energy,
            contrast,
            dissimilarity,
            inv_diff,
            inv_diff_norm,
            inv_diff_mom,
            inv_diff_mom_norm,
            inv_var,
            corr,
            auto_corr,
            tend,
            shade,
            prom,
            info_corr1,
            info_corr2,
        ]
    }
}

impl TextureMatrix for Glcm {
    fn merge(&mut self, other: &Self) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    fn is_empty(&self) -> bool {
        self.counts.iter().all(|&c| c == 0.0)
    }

    fn features(&self) -> Vec<f64> {
        self.glcm_features().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::radiomics::ibsi::texture::grid_from_levels as grid;
    use crate::radiomics::ibsi::texture::roi_from_levels;
    use ndarray::{Array3, array};
    use proptest::prelude::*;

    #[test]
    fn a_3x3_slice_by_hand() {
        // One slice (y down, x right), 0 = outside:
        //   1 2 2
        //   1 1 0
        //   3 1 2
        let g = grid(array![[[1, 2, 2], [1, 1, 0], [3, 1, 2]]], 3);
        // Direction (dy, dx) = (0, 1): horizontal pairs
        //   row 0: (1,2) (2,2); row 1: (1,1); row 2: (3,1) (1,2).
        // Symmetric counts: (1,2)×2 each way, (2,2) 2, (1,1) 2, (1,3) 1
        // each way.
        let m = Glcm::build(&g.volume(), [0, 0, 1], 3);
        let expected = [[2.0, 2.0, 1.0], [2.0, 2.0, 0.0], [1.0, 0.0, 0.0]];
        for i in 1..=3 {
            for j in 1..=3 {
                assert_eq!(m.get(i, j), expected[i - 1][j - 1], "({i},{j})");
            }
        }
        // Direction (1, -1) (down-left): (0,1)->(1,0) = (2,1);
        // (0,2)->(1,1) = (2,1); (1,1)->(2,0) = (1,3); (1,2) is outside.
        let m = Glcm::build(&g.volume(), [0, 1, -1], 3);
        let expected = [[0.0, 2.0, 1.0], [2.0, 0.0, 0.0], [1.0, 0.0, 0.0]];
        for i in 1..=3 {
            for j in 1..=3 {
                assert_eq!(m.get(i, j), expected[i - 1][j - 1], "({i},{j})");
            }
        }
        // Features of the second: p = 1/6 · counts.
        let f = m.glcm_features();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(f[0], 2.0 / 6.0)); // joint max
        // μ = (1·3 + 2·2 + 3·1)/6 = 10/6.
        assert!(close(f[1], 10.0 / 6.0));
        // contrast: (1-2)² · 4/6 + (1-3)² · 2/6 = 4/6 + 8/6 = 2.
        assert!(close(f[11], 2.0));
        // dissimilarity = 4/6 + 4/6.
        assert!(close(f[12], 8.0 / 6.0));
        // inverse variance: p(1)/1 + p(2)/4 = 4/6 + 2/24.
        assert!(close(f[17], 4.0 / 6.0 + 2.0 / 24.0));
        // energy: 2·(2/6)² + 2·(1/6)².
        assert!(close(f[10], 10.0 / 36.0));
    }

    #[test]
    fn three_d_offsets_cross_slices() {
        // Two slices of one voxel each: only the (1, 0, 0) direction pairs.
        let g = grid(array![[[1]], [[2]]], 2);
        let m = Glcm::build(&g.volume(), [1, 0, 0], 2);
        assert_eq!((m.get(1, 2), m.get(2, 1), m.get(1, 1)), (1.0, 1.0, 0.0));
        assert!(Glcm::build(&g.volume(), [0, 0, 1], 2).is_empty());
        // 2D: each slice alone has no pair, so no 2D feature exists.
        let out = glcm_features(
            &roi_from_levels(array![[[1]], [[2]]], 2),
            &DirectionalAggregation::ALL,
            1,
        );
        assert_eq!(out.len(), 6 * 25);
        assert!(out[..4 * 25].iter().all(|f| f.value.is_nan()));
        // 3D: one pair (1, 2), symmetric: p = 1/2 at (1,2) and (2,1).
        let joint_max = out
            .iter()
            .find(|f| f.tag == "cm_joint_max_3D_comb")
            .unwrap();
        assert_eq!(joint_max.value, 0.5);
    }

    #[test]
    fn constant_image_correlation_is_nan() {
        let g = grid(Array3::from_elem((1, 3, 3), 2), 2);
        let f = Glcm::build(&g.volume(), [0, 0, 1], 2).glcm_features();
        assert!(f[18].is_nan()); // correlation
        assert!(f[23].is_nan()); // information correlation 1 (HX = 0)
        assert_eq!(f[0], 1.0);
    }

    fn volumes() -> impl Strategy<Value = Array3<u32>> {
        (1usize..4, 1usize..6, 1usize..6).prop_flat_map(|(nz, ny, nx)| {
            proptest::collection::vec(0u32..5, nz * ny * nx)
                .prop_map(move |v| Array3::from_shape_vec((nz, ny, nx), v).unwrap())
        })
    }

    proptest! {
        #[test]
        fn matrices_are_symmetric_and_count_every_pair(levels in volumes()) {
            let g = grid(levels.clone(), 4);
            for d in crate::radiomics::ibsi::texture::aggregation::DIRECTIONS_3D {
                let m = Glcm::build(&g.volume(), d, 4);
                let mut pairs = 0.0;
                let (nz, ny, nx) = levels.dim();
                for ((z, y, x), &l) in levels.indexed_iter() {
                    let (z2, y2, x2) = (z as isize + d[0], y as isize + d[1], x as isize + d[2]);
                    if l > 0 && (0..nz as isize).contains(&z2) && (0..ny as isize).contains(&y2)
                        && (0..nx as isize).contains(&x2)
                        && levels[(z2 as usize, y2 as usize, x2 as usize)] > 0 {
                        pairs += 2.0;
                    }
                }
                let total: f64 = m.counts.iter().sum();
                prop_assert_eq!(total, pairs);
                for i in 1..=4 {
                    for j in 1..=4 {
                        prop_assert_eq!(m.get(i, j), m.get(j, i));
                    }
                }
                if !m.is_empty() {
                    let f = m.glcm_features();
                    // Probabilities sum to 1: energy ≤ joint max ≤ 1, and
                    // the difference and sum marginals agree on contrast.
                    prop_assert!(f[10] <= f[0] + 1e-12 && f[0] <= 1.0 + 1e-12);
                    // contrast = Σ k² p_{i−j}(k) = diff_var + diff_avg².
                    prop_assert!((f[11] - (f[5] + f[4] * f[4])).abs() < 1e-9 * (1.0 + f[11]));
                    // dissimilarity is the difference average.
                    prop_assert!((f[12] - f[4]).abs() < 1e-12);
                    // sum average = 2 μ by symmetry.
                    prop_assert!((f[7] - 2.0 * f[1]).abs() < 1e-12);
                    // cluster tendency = sum variance.
                    prop_assert!((f[20] - f[8]).abs() < 1e-9 * (1.0 + f[8]));
                }
            }
        }
    }
}
