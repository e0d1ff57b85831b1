//! Neighbourhood grey tone difference matrix (NGTDM), IBSI reference
//! manual section 3.10 (features 3.10.1–3.10.5), tags `ngt_*`.
//!
//! Convention (the manual's, which departs from Amadasun and King's
//! original by admitting incomplete neighbourhoods): the neighbourhood of a
//! ROI voxel is the ROI voxels within Chebyshev distance δ, the voxel
//! itself excluded (in-plane in 2D). `Ā` is their mean grey level. A voxel
//! without any neighbour in the ROI is left out. For grey level `i`,
//! `n_i` counts the voxels kept and `s_i = Σ |i − Ā|` over them;
//! `N_v,c = Σ n_i`, `p_i = n_i / N_v,c`, and `N_g,p` is the number of grey
//! levels with `p_i > 0`. Merging (2.5D) adds `s_i` and `n_i`.

use super::aggregation::{TextureAggregation, TextureMatrix, by_slice};
use super::{Grid, IbsiFeature, IbsiRoi, Slab, push_tagged};

/// The NGTDM feature names, in tag order (`ngt_<name>_<aggregation>`).
pub const NGTDM_FEATURES: [&str; 5] = [
    "coarseness",
    "contrast",
    "busyness",
    "complexity",
    "strength",
];

/// The NGTDM features of `roi` under each of `aggregations`, for
/// neighbourhoods of Chebyshev distance `distance` (0 is read as 1).
pub fn ngtdm_features(
    roi: &IbsiRoi,
    aggregations: &[TextureAggregation],
    distance: usize,
) -> Vec<IbsiFeature> {
    let mut out = Vec::new();
    compute(&Grid::new(roi), aggregations, distance, &mut out);
    out
}

/// [`ngtdm_features`] on a prepared grid, appended to `out`.
pub(crate) fn compute(
    grid: &Grid,
    aggregations: &[TextureAggregation],
    distance: usize,
    out: &mut Vec<IbsiFeature>,
) {
    let delta = distance.max(1);
    let results = by_slice(grid, aggregations, NGTDM_FEATURES.len(), |slab, _| {
        Ngtdm::build(slab, delta, grid.ng)
    });
    for (aggregation, values) in results {
        push_tagged(out, "ngt", &NGTDM_FEATURES, aggregation.suffix(), &values);
    }
}

/// The NGTDM: `s_i` and `n_i` for `i = 1..=N_g`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ngtdm {
    /// `s_i` at `i - 1`.
    s: Vec<f64>,
    /// `n_i` at `i - 1`.
    n: Vec<f64>,
}

impl Ngtdm {
    /// The matrix of `slab` with neighbourhoods of Chebyshev radius
    /// `delta` (in-plane for a one-slice slab), one pass over the voxels.
    pub(crate) fn build(slab: &Slab<'_>, delta: usize, ng: usize) -> Ngtdm {
        let [nz, ny, nx] = slab.dims;
        let levels = slab.levels;
        let mut s = vec![0.0; ng];
        let mut n = vec![0.0; ng];
        let mut v = 0;
        for z in 0..nz {
            for y in 0..ny {
                for x in 0..nx {
                    let level = levels[v];
                    v += 1;
                    if level == 0 {
                        continue;
                    }
                    let (mut sum, mut count) = (0u64, 0u64);
                    for zz in z.saturating_sub(delta)..=(z + delta).min(nz - 1) {
                        for yy in y.saturating_sub(delta)..=(y + delta).min(ny - 1) {
                            let row = (zz * ny + yy) * nx;
                            let x1 = (x + delta).min(nx - 1);
                            for &m in &levels[row + x.saturating_sub(delta)..=row + x1] {
                                if m > 0 {
                                    sum += u64::from(m);
                                    count += 1;
                                }
                            }
                        }
                    }
                    // The loops visited the voxel itself.
                    sum -= u64::from(level);
                    count -= 1;
                    if count == 0 {
                        continue;
                    }
                    let mean = sum as f64 / count as f64;
                    s[level as usize - 1] += (f64::from(level) - mean).abs();
                    n[level as usize - 1] += 1.0;
                }
            }
        }
        Ngtdm { s, n }
    }

    /// `(s_i, n_i)` for grey level `i` (1-based).
    #[cfg(test)]
    pub(crate) fn get(&self, i: usize) -> (f64, f64) {
        (self.s[i - 1], self.n[i - 1])
    }

    /// The 5 features (IBSI 3.10.1–3.10.5), over the grey levels with
    /// `p_i > 0` only:
    ///
    /// - coarseness `1 / Σ p_i s_i` (NaN when the sum is 0: the manual's
    ///   definition has no value there; PyRadiomics would give 10⁶);
    /// - contrast `(Σ_i Σ_j p_i p_j (i − j)² / (N_g,p (N_g,p − 1))) ·
    ///   (Σ s_i / N_v,c)` (NaN for a single grey level);
    /// - busyness `Σ p_i s_i / Σ_i Σ_j |i p_i − j p_j|` (NaN when the
    ///   denominator is 0, e.g. a single grey level);
    /// - complexity `Σ_i Σ_j |i − j| (p_i s_i + p_j s_j) / (p_i + p_j) / N_v,c`;
    /// - strength `Σ_i Σ_j (p_i + p_j)(i − j)² / Σ s_i` (NaN when
    ///   `Σ s_i = 0`).
    pub(crate) fn ngtdm_features(&self) -> [f64; 5] {
        let n_vc: f64 = self.n.iter().sum();
        if n_vc <= 0.0 {
            return [f64::NAN; 5];
        }
        // (i, p_i, s_i) of the levels present.
        let present: Vec<(f64, f64, f64)> = self
            .n
            .iter()
            .zip(&self.s)
            .enumerate()
            .filter(|(_, (n, _))| **n > 0.0)
            .map(|(k, (&n, &s))| ((k + 1) as f64, n / n_vc, s))
            .collect();
        let ngp = present.len() as f64;
        let s_total: f64 = present.iter().map(|t| t.2).sum();
        let ps: f64 = present.iter().map(|t| t.1 * t.2).sum();
        let (mut contrast, mut busy_den, mut complexity, mut strength) = (0.0, 0.0, 0.0, 0.0);
        for &(i, pi, si) in &present {
            for &(j, pj, sj) in &present {
                contrast += pi * pj * (i - j).powi(2);
                busy_den += (i * pi - j * pj).abs();
                complexity += (i - j).abs() * (pi * si + pj * sj) / (pi + pj);
                strength += (pi + pj) * (i - j).powi(2);
            }
        }
        [
            1.0 / ps,
            contrast / (ngp * (ngp - 1.0)) * s_total / n_vc,
            ps / busy_den,
            complexity / n_vc,
            strength / s_total,
        ]
        .map(|v| if v.is_finite() { v } else { f64::NAN })
    }
}

impl TextureMatrix for Ngtdm {
    fn merge(&mut self, other: &Self) {
        for (a, b) in self.s.iter_mut().zip(&other.s) {
            *a += b;
        }
        for (a, b) in self.n.iter_mut().zip(&other.n) {
            *a += b;
        }
    }

    fn is_empty(&self) -> bool {
        self.n.iter().all(|&n| n == 0.0)
    }

    fn features(&self) -> Vec<f64> {
        self.ngtdm_features().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::radiomics::ibsi::texture::grid_from_levels as grid;
    use ndarray::{Array3, array};

    #[test]
    fn a_slice_by_hand() {
        //   1 2
        //   3 0
        //   0 0
        //   0 1
        // (0,0)=1: neighbours 2, 3 → Ā = 2.5, |1 − 2.5| = 1.5.
        // (0,1)=2: neighbours 1, 3 → Ā = 2, |2 − 2| = 0.
        // (1,0)=3: neighbours 1, 2 → Ā = 1.5, |3 − 1.5| = 1.5.
        // (3,1)=1: no neighbour in the ROI → left out.
        let g = grid(array![[[1, 2], [3, 0], [0, 0], [0, 1]]], 3);
        let m = Ngtdm::build(&g.volume(), 1, 3);
        assert_eq!(m.get(1), (1.5, 1.0));
        assert_eq!(m.get(2), (0.0, 1.0));
        assert_eq!(m.get(3), (1.5, 1.0));
        let f = m.ngtdm_features();
        // p_i = 1/3 each; Σ p s = 1.
        assert!((f[0] - 1.0).abs() < 1e-12);
        // contrast: Σ p_i p_j (i−j)² = (1/9)(2·1 + 2·4 + 2·1) = 12/9,
        // / (3·2) = 2/9; × Σ s / N_vc = 3/3 → 2/9.
        assert!((f[1] - 2.0 / 9.0).abs() < 1e-12);
        // busyness: 1 / Σ |i p_i − j p_j| = 1 / ((2·1 + 2·2 + 2·1)/3) = 3/8.
        assert!((f[2] - 3.0 / 8.0).abs() < 1e-12);
        // complexity: Σ |i−j| (p_i s_i + p_j s_j)/(p_i + p_j) / 3, pairs
        // (1,2): 1·(0.5+0)/(2/3) = 0.75, (1,3): 2·(1)/(2/3) = 3,
        // (2,3): 1·(0.5)/(2/3) = 0.75, each twice → 9 / 3 = 3.
        assert!((f[3] - 3.0).abs() < 1e-12);
        // strength: Σ (p_i + p_j)(i − j)² / Σ s = (2/3)(2·1 + 2·4 + 2·1) / 3.
        assert!((f[4] - 8.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn one_grey_level_gives_nan_not_a_panic() {
        // One grey level: no grey tone difference (coarseness 1/0),
        // contrast 0/0, busyness 0/0 and strength 0/0 have no value;
        // complexity is an empty sum, 0.
        let g = grid(Array3::from_elem((2, 3, 3), 4), 4);
        let f = Ngtdm::build(&g.volume(), 1, 4).ngtdm_features();
        assert!(
            f[0].is_nan() && f[1].is_nan() && f[2].is_nan() && f[4].is_nan(),
            "{f:?}"
        );
        assert_eq!(f[3], 0.0);
        // No voxel with a neighbour: no matrix at all.
        let empty = grid(array![[[1, 0, 1]]], 1);
        let f = Ngtdm::build(&empty.volume(), 1, 1).ngtdm_features();
        assert!(f.iter().all(|v| v.is_nan()), "{f:?}");
    }
}
