//! Neighbouring grey level dependence matrix (NGLDM), IBSI reference manual
//! section 3.11 (features 3.11.1–3.11.17), tags `ngl_*`.
//!
//! Convention: the neighbourhood of a ROI voxel of level `i` is the ROI
//! voxels within Chebyshev distance δ, itself excluded (in-plane in 2D); a
//! neighbour is dependent when its level differs from `i` by at most α.
//! With `k` dependent neighbours, the voxel counts in `s_ij` at
//! `j = k + 1` (the manual's shift, which keeps `1/j²` finite and makes
//! `j` the size of the dependent group, the centre included). Every ROI
//! voxel counts once, so `N_s = N_v` and dependence count percentage is 1.

use super::aggregation::{TextureAggregation, by_slice};
use super::count_matrix::CountMatrix;
use super::{Grid, IbsiFeature, IbsiRoi, Slab, push_tagged};

/// The NGLDM feature names, in tag order (`ngl_<name>_<aggregation>`).
pub const NGLDM_FEATURES: [&str; 17] = [
    "lde",
    "hde",
    "lgce",
    "hgce",
    "ldlge",
    "ldhge",
    "hdlge",
    "hdhge",
    "glnu",
    "glnu_norm",
    "dcnu",
    "dcnu_norm",
    "dc_perc",
    "gl_var",
    "dc_var",
    "dc_entr",
    "dc_energy",
];

/// The NGLDM features of `roi` under each of `aggregations`, for
/// neighbourhoods of Chebyshev distance `distance` (0 is read as 1) and
/// coarseness `alpha`.
pub fn ngldm_features(
    roi: &IbsiRoi,
    aggregations: &[TextureAggregation],
    distance: usize,
    alpha: u32,
) -> Vec<IbsiFeature> {
    let mut out = Vec::new();
    compute(&Grid::new(roi), aggregations, distance, alpha, &mut out);
    out
}

/// [`ngldm_features`] on a prepared grid, appended to `out`. The features
/// are [`CountMatrix::shared_features`], energy included.
pub(crate) fn compute(
    grid: &Grid,
    aggregations: &[TextureAggregation],
    distance: usize,
    alpha: u32,
    out: &mut Vec<IbsiFeature>,
) {
    let delta = distance.max(1);
    let mut dense = Vec::new();
    let results = by_slice(grid, aggregations, NGLDM_FEATURES.len(), |slab, _| {
        dependence_matrix(slab, delta, alpha, grid.ng, &mut dense)
    });
    for (aggregation, values) in results {
        push_tagged(out, "ngl", &NGLDM_FEATURES, aggregation.suffix(), &values);
    }
}

/// The dependence matrix of `slab` (in-plane neighbourhoods for a
/// one-slice slab), one pass over the voxels; `dense` is scratch space.
pub(crate) fn dependence_matrix(
    slab: &Slab<'_>,
    delta: usize,
    alpha: u32,
    ng: usize,
    dense: &mut Vec<f64>,
) -> CountMatrix {
    let [nz, ny, nx] = slab.dims;
    let levels = slab.levels;
    let width = 2 * delta + 1;
    let largest = width * width * if nz > 1 { width } else { 1 };
    dense.clear();
    dense.resize((largest + 1) * ng, 0.0);
    let mut voxels = 0;
    let mut v = 0;
    for z in 0..nz {
        for y in 0..ny {
            for x in 0..nx {
                let level = levels[v];
                v += 1;
                if level == 0 {
                    continue;
                }
                voxels += 1;
                // Counts the centre too: that is the `+ 1` of `j = k + 1`.
                let mut j = 0;
                for zz in z.saturating_sub(delta)..=(z + delta).min(nz - 1) {
                    for yy in y.saturating_sub(delta)..=(y + delta).min(ny - 1) {
                        let row = (zz * ny + yy) * nx;
                        let x1 = (x + delta).min(nx - 1);
                        for &m in &levels[row + x.saturating_sub(delta)..=row + x1] {
                            if m > 0 && m.abs_diff(level) <= alpha {
                                j += 1;
                            }
                        }
                    }
                }
                dense[j * ng + level as usize - 1] += 1.0;
            }
        }
    }
    CountMatrix::from_dense(ng, dense, voxels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::radiomics::ibsi::texture::grid_from_levels as grid;
    use ndarray::{Array3, array};
    use proptest::prelude::*;

    #[test]
    fn a_slice_by_hand() {
        //   1 1 2
        //   1 2 2
        //   0 3 2
        // α = 0, δ = 1; j = dependent neighbours + 1:
        // (0,0)=1: 1s at (0,1),(1,0) → j 3; (0,1)=1: (0,0),(1,0) → 3;
        // (1,0)=1: (0,0),(0,1) → 3.
        // (0,2)=2: (1,1),(1,2) → 3; (1,1)=2: (0,2),(1,2),(2,2) → 4;
        // (1,2)=2: (0,2),(1,1),(2,2) → 4; (2,2)=2: (1,1),(1,2) → 3.
        // (2,1)=3: none → 1.
        let g = grid(array![[[1, 1, 2], [1, 2, 2], [0, 3, 2]]], 3);
        let mut dense = Vec::new();
        let m = dependence_matrix(&g.volume(), 1, 0, 3, &mut dense);
        assert_eq!(m.get(1, 3), 3.0);
        assert_eq!((m.get(2, 3), m.get(2, 4)), (2.0, 2.0));
        assert_eq!(m.get(3, 1), 1.0);
        assert_eq!(m.total(), 8.0);
        // α = 1: 1 and 2 depend on each other, 3 on 2.
        // (2,1)=3: neighbours 1 (1,0)? |3−1| = 2 no; (1,1)=2, (1,2)=2,
        // (2,2)=2 yes → j = 4.
        let m = dependence_matrix(&g.volume(), 1, 1, 3, &mut dense);
        assert_eq!(m.get(3, 4), 1.0);
        // dc_perc is 1.
        assert_eq!(m.shared_features()[12], 1.0);
    }

    fn volumes() -> impl Strategy<Value = Array3<u32>> {
        (1usize..4, 1usize..6, 1usize..6).prop_flat_map(|(nz, ny, nx)| {
            proptest::collection::vec(0u32..4, nz * ny * nx)
                .prop_map(move |v| Array3::from_shape_vec((nz, ny, nx), v).unwrap())
        })
    }

    proptest! {
        #[test]
        fn every_voxel_counts_once_and_dependence_is_symmetric(
            levels in volumes(), alpha in 0u32..3, delta in 1usize..3,
        ) {
            let g = grid(levels.clone(), 3);
            let mut dense = Vec::new();
            let m = dependence_matrix(&g.volume(), delta, alpha, 3, &mut dense);
            let voxels = levels.iter().filter(|&&l| l > 0).count() as f64;
            prop_assert_eq!(m.total(), voxels);
            prop_assert_eq!(m.n_voxels(), voxels);
            // Dependence is a symmetric relation, so Σ (j − 1) s_ij (the
            // number of ordered dependent pairs) is even.
            let pairs = m.weighted_total() - m.total();
            prop_assert_eq!(pairs % 2.0, 0.0);
        }
    }
}
