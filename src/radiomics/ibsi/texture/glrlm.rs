//! Grey level run length matrix (GLRLM), IBSI reference manual section 3.7
//! (features 3.7.1–3.7.16), tags `rlm_*`.
//!
//! Convention: along a direction `d` (one of each opposite pair, see
//! [`super::aggregation`]), a run is a maximal sequence `v, v + d, …` of ROI
//! voxels of one grey level; `r_ij` counts the runs of level `i` and length
//! `j`. Voxels outside the ROI or the grid end runs. Every ROI voxel lies
//! in exactly one run per direction, so `N_v = Σ j r_ij` (and merged
//! matrices add their `N_v`, as the manual requires for run percentage).

use super::aggregation::{DirectionalAggregation, directional};
use super::count_matrix::CountMatrix;
use super::{Grid, IbsiFeature, IbsiRoi, Slab, push_tagged};

/// The GLRLM feature names, in tag order (`rlm_<name>_<aggregation>`).
pub const GLRLM_FEATURES: [&str; 16] = [
    "sre",
    "lre",
    "lgre",
    "hgre",
    "srlge",
    "srhge",
    "lrlge",
    "lrhge",
    "glnu",
    "glnu_norm",
    "rlnu",
    "rlnu_norm",
    "r_perc",
    "gl_var",
    "rl_var",
    "rl_entr",
];

/// The GLRLM features of `roi` under each of `aggregations`.
pub fn glrlm_features(roi: &IbsiRoi, aggregations: &[DirectionalAggregation]) -> Vec<IbsiFeature> {
    let mut out = Vec::new();
    compute(&Grid::new(roi), aggregations, &mut out);
    out
}

/// [`glrlm_features`] on a prepared grid, appended to `out`. The features
/// are the shared ones of [`CountMatrix::shared_features`] without energy.
pub(crate) fn compute(
    grid: &Grid,
    aggregations: &[DirectionalAggregation],
    out: &mut Vec<IbsiFeature>,
) {
    let mut dense = Vec::new();
    let results = directional(grid, aggregations, GLRLM_FEATURES.len() + 1, |slab, d| {
        run_length_matrix(slab, d, grid.ng, &mut dense)
    });
    for (aggregation, values) in results {
        push_tagged(
            out,
            "rlm",
            &GLRLM_FEATURES,
            aggregation.suffix(),
            &values[..GLRLM_FEATURES.len()],
        );
    }
}

/// The run length matrix of `slab` along `direction` `[dz, dy, dx]` (a unit
/// offset), in one pass: every line of the grid along `direction` is
/// walked once from the voxel where it enters the grid, cutting it into
/// runs where the level changes (level 0, outside the ROI, cuts and is not
/// counted). `dense` is scratch space, reused between calls.
pub(crate) fn run_length_matrix(
    slab: &Slab<'_>,
    direction: [isize; 3],
    ng: usize,
    dense: &mut Vec<f64>,
) -> CountMatrix {
    let [nz, ny, nx] = slab.dims;
    let n = slab.dims;
    let step = (direction[0] * ny as isize + direction[1]) * nx as isize + direction[2];
    let longest = nz.max(ny).max(nx);
    dense.clear();
    dense.resize((longest + 1) * ng, 0.0);
    // Walks the line entering the grid at `p` (flat index `v`).
    let mut walk = |v: usize, p: [usize; 3]| {
        let length = (0..3)
            .filter(|&a| direction[a] != 0)
            .map(|a| {
                if direction[a] > 0 {
                    n[a] - p[a]
                } else {
                    p[a] + 1
                }
            })
            .min()
            .unwrap_or(0);
        let mut record = |level: u32, run: usize| {
            if level > 0 {
                dense[run * ng + level as usize - 1] += 1.0;
            }
        };
        let (mut level, mut run) = (0u32, 0usize);
        let mut w = v as isize;
        for _ in 0..length {
            let l = slab.levels[w as usize];
            if l == level {
                run += 1;
            } else {
                record(level, run);
                (level, run) = (l, 1);
            }
            w += step;
        }
        record(level, run);
    };
    // A line enters the grid at `p` when `p − d` is outside it along some
    // axis.
    let enters = |d: isize, c: usize, len: usize| (d > 0 && c == 0) || (d < 0 && c + 1 == len);
    for z in 0..nz {
        let z_enters = enters(direction[0], z, nz);
        for y in 0..ny {
            let row = (z * ny + y) * nx;
            if z_enters || enters(direction[1], y, ny) {
                for x in 0..nx {
                    walk(row + x, [z, y, x]);
                }
            } else if direction[2] > 0 {
                walk(row, [z, y, 0]);
            } else if direction[2] < 0 {
                walk(row + nx - 1, [z, y, nx - 1]);
            }
        }
    }
    CountMatrix::from_dense(ng, dense, slab.roi_voxels())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::radiomics::ibsi::texture::aggregation::{DIRECTIONS_2D, DIRECTIONS_3D};
    use crate::radiomics::ibsi::texture::grid_from_levels as grid;
    use ndarray::{Array3, array};
    use proptest::prelude::*;

    #[test]
    fn runs_of_a_slice_by_hand() {
        //   1 1 1 2
        //   2 2 0 2
        //   1 2 2 2
        let g = grid(array![[[1, 1, 1, 2], [2, 2, 0, 2], [1, 2, 2, 2]]], 2);
        let mut scratch = Vec::new();
        // Horizontal: row 0: 1×3, 2×1; row 1: 2×2 (0 ends it), 2×1;
        // row 2: 1×1, 2×3.
        let m = run_length_matrix(&g.volume(), [0, 0, 1], 2, &mut scratch);
        assert_eq!(
            (m.get(1, 3), m.get(2, 1), m.get(2, 2), m.get(1, 1)),
            (1.0, 2.0, 1.0, 1.0)
        );
        assert_eq!(m.get(2, 3), 1.0);
        assert_eq!(m.total(), 6.0);
        // Vertical: x0: 1,2,1 → three runs of 1; x1: 1, then 2 2 → 1×1,
        // 2×2; x2: 1, (0), 2 → 1×1, 2×1; x3: 2 2 2 → 2×3.
        let m = run_length_matrix(&g.volume(), [0, 1, 0], 2, &mut scratch);
        assert_eq!(m.get(1, 1), 4.0);
        assert_eq!(m.get(2, 1), 2.0);
        assert_eq!(m.get(2, 2), 1.0);
        assert_eq!(m.get(2, 3), 1.0);
        assert_eq!(m.total(), 8.0);
        assert_eq!(m.n_voxels(), 11.0);
        // Anti-diagonal (dy, dx) = (1, -1): (0,3)-(1,2) is 2-0; the
        // diagonals: [(0,0)] 1; [(0,1),(1,0)] 1,2; [(0,2),(1,1),(2,0)]
        // 1,2,1; [(0,3),(1,2),(2,1)] 2,0,2; [(1,3),(2,2)] 2,2; [(2,3)] 2.
        let m = run_length_matrix(&g.volume(), [0, 1, -1], 2, &mut scratch);
        // Level 1: four runs of 1; level 2: five runs of 1, one of 2.
        assert_eq!(m.get(1, 1), 4.0);
        assert_eq!(m.get(2, 1), 5.0);
        assert_eq!(m.get(2, 2), 1.0);
        assert_eq!(m.weighted_total(), 11.0);
    }

    fn volumes() -> impl Strategy<Value = Array3<u32>> {
        (1usize..4, 1usize..7, 1usize..7).prop_flat_map(|(nz, ny, nx)| {
            proptest::collection::vec(0u32..4, nz * ny * nx)
                .prop_map(move |v| Array3::from_shape_vec((nz, ny, nx), v).unwrap())
        })
    }

    proptest! {
        #[test]
        fn run_lengths_cover_every_roi_voxel_once(levels in volumes()) {
            let g = grid(levels.clone(), 3);
            let voxels = levels.iter().filter(|&&l| l > 0).count() as f64;
            let mut scratch = Vec::new();
            for d in DIRECTIONS_3D {
                let m = run_length_matrix(&g.volume(), d, 3, &mut scratch);
                prop_assert_eq!(m.weighted_total(), voxels);
                prop_assert_eq!(m.n_voxels(), voxels);
            }
            for slab in g.slices() {
                let n = slab.roi_voxels() as f64;
                for d in DIRECTIONS_2D {
                    let m = run_length_matrix(&slab, d, 3, &mut scratch);
                    prop_assert_eq!(m.weighted_total(), n);
                }
            }
        }

        #[test]
        fn reversing_the_grid_keeps_the_runs(levels in volumes()) {
            // A run along d read backwards is a run along −d: flipping
            // every axis maps the matrix of d onto itself.
            let mut flipped = levels.clone();
            flipped.invert_axis(ndarray::Axis(0));
            flipped.invert_axis(ndarray::Axis(1));
            flipped.invert_axis(ndarray::Axis(2));
            let flipped = flipped.as_standard_layout().into_owned();
            let (a, b) = (grid(levels, 3), grid(flipped, 3));
            let mut scratch = Vec::new();
            for d in DIRECTIONS_3D {
                prop_assert_eq!(
                    run_length_matrix(&a.volume(), d, 3, &mut scratch),
                    run_length_matrix(&b.volume(), d, 3, &mut scratch)
                );
            }
        }
    }
}
