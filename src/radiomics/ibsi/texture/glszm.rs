//! Grey level size zone matrix (GLSZM), IBSI reference manual section 3.8
//! (features 3.8.1–3.8.16), tags `szm_*`.
//!
//! Convention: a zone is a maximal set of ROI voxels of one grey level
//! connected through neighbours at Chebyshev distance 1: 8-connectedness
//! in a slice (2D, 2.5D), 26-connectedness in the volume (3D). `s_ij`
//! counts the zones of level `i` and size `j` voxels; `N_v` is the number
//! of ROI voxels (summed over slices when merged), so zone percentage is
//! `N_s / N_v`.
//!
//! The zones are found here, for the GLDZM too, by one raster pass of
//! union–find over the 13 already-visited neighbours of each voxel, then a
//! second pass that labels the zones and totals their sizes (and, for the
//! GLDZM, their smallest distance to the ROI edge).

use super::aggregation::{DIRECTIONS_3D, TextureAggregation, by_slice};
use super::count_matrix::CountMatrix;
use super::{Grid, IbsiFeature, IbsiRoi, Slab, push_tagged};

/// The GLSZM feature names, in tag order (`szm_<name>_<aggregation>`).
pub const GLSZM_FEATURES: [&str; 16] = [
    "sze",
    "lze",
    "lgze",
    "hgze",
    "szlge",
    "szhge",
    "lzlge",
    "lzhge",
    "glnu",
    "glnu_norm",
    "zsnu",
    "zsnu_norm",
    "z_perc",
    "gl_var",
    "zs_var",
    "zs_entr",
];

/// The GLSZM features of `roi` under each of `aggregations`.
pub fn glszm_features(roi: &IbsiRoi, aggregations: &[TextureAggregation]) -> Vec<IbsiFeature> {
    let mut out = Vec::new();
    compute(&Grid::new(roi), aggregations, &mut out);
    out
}

/// [`glszm_features`] on a prepared grid, appended to `out`. The features
/// are the shared ones of [`CountMatrix::shared_features`] without energy.
pub(crate) fn compute(
    grid: &Grid,
    aggregations: &[TextureAggregation],
    out: &mut Vec<IbsiFeature>,
) {
    let mut scratch = ZoneScratch::default();
    let results = by_slice(grid, aggregations, GLSZM_FEATURES.len() + 1, |slab, _| {
        size_zone_matrix(slab, grid.ng, &mut scratch)
    });
    for (aggregation, values) in results {
        push_tagged(
            out,
            "szm",
            &GLSZM_FEATURES,
            aggregation.suffix(),
            &values[..GLSZM_FEATURES.len()],
        );
    }
}

/// The size zone matrix of `slab` (a slice: 8-connected zones; the volume:
/// 26-connected).
pub(crate) fn size_zone_matrix(
    slab: &Slab<'_>,
    ng: usize,
    scratch: &mut ZoneScratch,
) -> CountMatrix {
    find_zones(slab, None, scratch);
    scratch.entries.clear();
    scratch.entries.extend(
        scratch
            .zones
            .iter()
            .map(|zone| (u64::from(zone.size) << 32) | u64::from(zone.level)),
    );
    CountMatrix::from_entries(ng, &mut scratch.entries, slab.roi_voxels())
}

/// One zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Zone {
    /// Its grey level.
    pub(crate) level: u32,
    /// Its number of voxels.
    pub(crate) size: u32,
    /// The smallest distance to the ROI edge among its voxels (`u32::MAX`
    /// when no distance map was given).
    pub(crate) min_distance: u32,
}

/// Buffers reused from one slab to the next.
#[derive(Debug, Default)]
pub(crate) struct ZoneScratch {
    /// Union–find parents, then zone labels, per voxel.
    parent: Vec<u32>,
    /// The zones of the last slab.
    pub(crate) zones: Vec<Zone>,
    /// Packed `(j << 32) | i` matrix entries.
    pub(crate) entries: Vec<u64>,
}

/// The root of `a`, halving the path on the way (parents never exceed
/// their children, so roots are the first voxel of their zone in raster
/// order).
fn find(parent: &mut [u32], mut a: u32) -> u32 {
    while parent[a as usize] != a {
        let grand = parent[parent[a as usize] as usize];
        parent[a as usize] = grand;
        a = grand;
    }
    a
}

/// Finds the zones of `slab` into `scratch.zones`: 26-connected in a
/// volume, which is 8-connected in a one-slice slab (the neighbours in
/// other slices fall outside it). With `distance` (one value per voxel of
/// the slab), each zone also gets its smallest distance.
pub(crate) fn find_zones(slab: &Slab<'_>, distance: Option<&[u32]>, scratch: &mut ZoneScratch) {
    let [nz, ny, nx] = slab.dims;
    let n = nz * ny * nx;
    assert!(
        n < u32::MAX as usize,
        "find_zones: a slab of {n} voxels is too large"
    );
    let levels = slab.levels;
    let parent = &mut scratch.parent;
    parent.clear();
    parent.extend(0..n as u32);
    // Each voxel joins the zones of its already-visited neighbours v − d.
    let steps: Vec<isize> = DIRECTIONS_3D
        .iter()
        .map(|d| (d[0] * ny as isize + d[1]) * nx as isize + d[2])
        .collect();
    let mut v = 0usize;
    for z in 0..nz {
        for y in 0..ny {
            // The offsets whose z and y stay inside for this row: (dx, step).
            let mut row = [(0isize, 0isize); 13];
            let mut k = 0;
            for (d, &step) in DIRECTIONS_3D.iter().zip(&steps) {
                let z_ok = d[0] == 0 || z > 0;
                let y_ok = match d[1] {
                    1 => y > 0,
                    -1 => y + 1 < ny,
                    _ => true,
                };
                if z_ok && y_ok {
                    row[k] = (d[2], step);
                    k += 1;
                }
            }
            for x in 0..nx {
                let level = levels[v];
                if level != 0 {
                    // `v` is the largest index so far, hence its own root
                    // until joined to an earlier zone.
                    let mut root = v as u32;
                    for &(dx, step) in &row[..k] {
                        let x_ok = match dx {
                            1 => x > 0,
                            -1 => x + 1 < nx,
                            _ => true,
                        };
                        let w = v.wrapping_sub(step as usize);
                        if x_ok && levels[w] == level {
                            let other = find(parent, w as u32);
                            if other < root {
                                parent[root as usize] = other;
                                root = other;
                            } else if other > root {
                                parent[other as usize] = root;
                            }
                        }
                    }
                }
                v += 1;
            }
        }
    }
    // Label the zones in raster order: a root gets a new label; any other
    // voxel takes its parent's, which precedes it and is labelled already.
    let zones = &mut scratch.zones;
    zones.clear();
    for v in 0..n {
        let level = levels[v];
        if level == 0 {
            continue;
        }
        let label = if parent[v] as usize == v {
            zones.push(Zone {
                level,
                size: 0,
                min_distance: u32::MAX,
            });
            (zones.len() - 1) as u32
        } else {
            parent[parent[v] as usize]
        };
        parent[v] = label;
        let zone = &mut zones[label as usize];
        zone.size += 1;
        if let Some(distance) = distance {
            zone.min_distance = zone.min_distance.min(distance[v]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::radiomics::ibsi::texture::grid_from_levels as grid;
    use ndarray::{Array3, array};
    use proptest::prelude::*;

    #[test]
    fn zones_of_a_slice_by_hand() {
        //   1 1 0 2
        //   0 2 1 2
        //   2 0 1 1
        // Level 1: (0,0),(0,1) touch (1,2) diagonally via (0,1); (1,2),
        // (2,2), (2,3) are joined: one zone of 5. Level 2: (0,3),(1,3)
        // joined, and (1,1) touches neither ((1,1)-(0,2) is 0): but (1,1)
        // and (2,0) are diagonal neighbours: zone of 2; (0,3),(1,3): 2.
        let g = grid(array![[[1, 1, 0, 2], [0, 2, 1, 2], [2, 0, 1, 1]]], 2);
        let mut scratch = ZoneScratch::default();
        let m = size_zone_matrix(&g.volume(), 2, &mut scratch);
        assert_eq!(m.get(1, 5), 1.0);
        assert_eq!(m.get(2, 2), 2.0);
        assert_eq!(m.total(), 3.0);
        assert_eq!(m.n_voxels(), 9.0);
    }

    #[test]
    fn zones_join_across_slices_only_in_3d() {
        // Slice 0: 1 at (0,0); slice 1: 1 at (1,1): diagonal in 3D.
        let levels = array![[[1, 0], [0, 2]], [[2, 0], [0, 1]]];
        let g = grid(levels, 2);
        let mut scratch = ZoneScratch::default();
        let m = size_zone_matrix(&g.volume(), 2, &mut scratch);
        // 3D: level 1 (0,0,0)-(1,1,1) one zone of 2; level 2
        // (0,1,1)-(1,0,0): one zone of 2.
        assert_eq!((m.get(1, 2), m.get(2, 2), m.total()), (1.0, 1.0, 2.0));
        let slices: Vec<CountMatrix> = g
            .slices()
            .map(|s| size_zone_matrix(&s, 2, &mut scratch))
            .collect();
        assert_eq!(slices.len(), 2);
        for m in slices {
            assert_eq!((m.get(1, 1), m.get(2, 1), m.total()), (1.0, 1.0, 2.0));
        }
    }

    /// Zones by flood fill, the slow obvious way.
    fn flood_fill_sizes(levels: &Array3<u32>) -> Vec<(u32, u32)> {
        let (nz, ny, nx) = levels.dim();
        let mut seen = Array3::from_elem((nz, ny, nx), false);
        let mut out = Vec::new();
        for ((z, y, x), &l) in levels.indexed_iter() {
            if l == 0 || seen[(z, y, x)] {
                continue;
            }
            let mut stack = vec![(z, y, x)];
            seen[(z, y, x)] = true;
            let mut size = 0;
            while let Some((z, y, x)) = stack.pop() {
                size += 1;
                for dz in -1isize..=1 {
                    for dy in -1isize..=1 {
                        for dx in -1isize..=1 {
                            let (a, b, c) = (z as isize + dz, y as isize + dy, x as isize + dx);
                            if a < 0
                                || b < 0
                                || c < 0
                                || a >= nz as isize
                                || b >= ny as isize
                                || c >= nx as isize
                            {
                                continue;
                            }
                            let w = (a as usize, b as usize, c as usize);
                            if !seen[w] && levels[w] == l {
                                seen[w] = true;
                                stack.push(w);
                            }
                        }
                    }
                }
            }
            out.push((l, size));
        }
        out.sort_unstable();
        out
    }

    fn volumes() -> impl Strategy<Value = Array3<u32>> {
        (1usize..4, 1usize..7, 1usize..7).prop_flat_map(|(nz, ny, nx)| {
            proptest::collection::vec(0u32..4, nz * ny * nx)
                .prop_map(move |v| Array3::from_shape_vec((nz, ny, nx), v).unwrap())
        })
    }

    proptest! {
        #[test]
        fn zones_match_a_flood_fill_and_cover_the_roi(levels in volumes()) {
            let g = grid(levels.clone(), 3);
            let mut scratch = ZoneScratch::default();
            find_zones(&g.volume(), None, &mut scratch);
            let mut ours: Vec<(u32, u32)> =
                scratch.zones.iter().map(|z| (z.level, z.size)).collect();
            ours.sort_unstable();
            prop_assert_eq!(&ours, &flood_fill_sizes(&levels));
            let m = size_zone_matrix(&g.volume(), 3, &mut scratch);
            let voxels = levels.iter().filter(|&&l| l > 0).count() as f64;
            prop_assert_eq!(m.weighted_total(), voxels);
            prop_assert_eq!(m.total(), ours.len() as f64);
        }
    }
}
