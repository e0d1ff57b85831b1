//! Grey level distance zone matrix (GLDZM), IBSI reference manual section
//! 3.9 (features 3.9.1–3.9.16), tags `dzm_*`.
//!
//! Conventions:
//!
//! - Zones are the GLSZM's (8-connected in a slice, 26-connected in the
//!   volume, on the ROI = intensity mask).
//! - The distance of a voxel to the ROI edge is the city-block distance
//!   (4-connectedness in 2D, 6-connectedness in 3D) to the nearest voxel
//!   outside the morphological mask, counting the voxels beyond the grid
//!   as outside: a voxel on the edge has distance 1. Holes in the mask
//!   therefore count as edge too (the digital phantom cannot tell: its one
//!   inner hole borders only zones that reach the outer edge anyway, so
//!   its reference values hold under either reading). In 2D (and 2.5D)
//!   the map is computed
//!   within each slice, the neighbouring slices playing no part.
//! - A zone's distance is the smallest distance among its voxels; `d_ij`
//!   counts the zones of level `i` and distance `j`.
//! - `N_v` is the number of ROI voxels, so zone percentage equals the
//!   GLSZM's.

use super::aggregation::{TextureAggregation, by_slice};
use super::count_matrix::CountMatrix;
use super::glszm::{ZoneScratch, find_zones};
use super::{Grid, IbsiFeature, IbsiRoi, Slab, push_tagged};

/// The GLDZM feature names, in tag order (`dzm_<name>_<aggregation>`).
pub const GLDZM_FEATURES: [&str; 16] = [
    "sde",
    "lde",
    "lgze",
    "hgze",
    "sdlge",
    "sdhge",
    "ldlge",
    "ldhge",
    "glnu",
    "glnu_norm",
    "zdnu",
    "zdnu_norm",
    "z_perc",
    "gl_var",
    "zd_var",
    "zd_entr",
];

/// The GLDZM features of `roi` under each of `aggregations`.
pub fn gldzm_features(roi: &IbsiRoi, aggregations: &[TextureAggregation]) -> Vec<IbsiFeature> {
    let mut out = Vec::new();
    compute(&Grid::new(roi), aggregations, &mut out);
    out
}

/// [`gldzm_features`] on a prepared grid, appended to `out`. The features
/// are the shared ones of [`CountMatrix::shared_features`] without energy.
pub(crate) fn compute(
    grid: &Grid,
    aggregations: &[TextureAggregation],
    out: &mut Vec<IbsiFeature>,
) {
    let mut scratch = ZoneScratch::default();
    let mut distance = Vec::new();
    let results = by_slice(
        grid,
        aggregations,
        GLDZM_FEATURES.len() + 1,
        |slab, planar| distance_zone_matrix(slab, planar, grid.ng, &mut distance, &mut scratch),
    );
    for (aggregation, values) in results {
        push_tagged(
            out,
            "dzm",
            &GLDZM_FEATURES,
            aggregation.suffix(),
            &values[..GLDZM_FEATURES.len()],
        );
    }
}

/// The distance zone matrix of `slab`; `planar` when it is a slice
/// (in-plane distances). `distance` and `scratch` are reused buffers.
pub(crate) fn distance_zone_matrix(
    slab: &Slab<'_>,
    planar: bool,
    ng: usize,
    distance: &mut Vec<u32>,
    scratch: &mut ZoneScratch,
) -> CountMatrix {
    edge_distance(slab.morph, slab.dims, planar, distance);
    find_zones(slab, Some(distance), scratch);
    scratch.entries.clear();
    scratch.entries.extend(
        scratch
            .zones
            .iter()
            .map(|zone| (u64::from(zone.min_distance.max(1)) << 32) | u64::from(zone.level)),
    );
    CountMatrix::from_entries(ng, &mut scratch.entries, slab.roi_voxels())
}

/// The distance to the edge of `mask` (`[z, y, x]`, `dims`) of every voxel
/// into `out`: 0 outside, else the city-block distance to the nearest
/// voxel outside the mask or the grid (1 on the edge), moving along x and
/// y only when `planar`.
///
/// Two raster passes (forward over the already-visited neighbours −x, −y,
/// −z, then backward over +x, +y, +z), which give the exact city-block
/// distance transform (Rosenfeld and Pfaltz, 1966).
pub(crate) fn edge_distance(mask: &[bool], dims: [usize; 3], planar: bool, out: &mut Vec<u32>) {
    let [nz, ny, nx] = dims;
    let plane = ny * nx;
    out.clear();
    out.resize(mask.len(), 0);
    let use_z = !planar;
    let mut v = 0;
    for z in 0..nz {
        for y in 0..ny {
            for x in 0..nx {
                if mask[v] {
                    let mut d = if x > 0 { out[v - 1] } else { 0 };
                    d = d.min(if y > 0 { out[v - nx] } else { 0 });
                    if use_z {
                        d = d.min(if z > 0 { out[v - plane] } else { 0 });
                    }
                    out[v] = d + 1;
                }
                v += 1;
            }
        }
    }
    for z in (0..nz).rev() {
        for y in (0..ny).rev() {
            for x in (0..nx).rev() {
                v -= 1;
                if mask[v] {
                    let mut d = if x + 1 < nx { out[v + 1] } else { 0 };
                    d = d.min(if y + 1 < ny { out[v + nx] } else { 0 });
                    if use_z {
                        d = d.min(if z + 1 < nz { out[v + plane] } else { 0 });
                    }
                    out[v] = out[v].min(d + 1);
                }
            }
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
    fn distance_map_of_a_slice_by_hand() {
        // A 5 × 5 square with a hole at (1, 3): edge voxels 1, the centre
        // 3 if there were no hole; the hole makes its 4 neighbours 1.
        let mut mask = Array3::from_elem((1, 5, 5), true);
        mask[(0, 1, 3)] = false;
        let mut d = Vec::new();
        edge_distance(mask.as_slice().unwrap(), [1, 5, 5], true, &mut d);
        #[rustfmt::skip]
        let expected = [
            1, 1, 1, 1, 1,
            1, 2, 1, 0, 1,
            1, 2, 2, 1, 1,
            1, 2, 2, 2, 1,
            1, 1, 1, 1, 1,
        ];
        assert_eq!(d, expected);
        // The same single slice in 3D: every voxel touches the outside
        // across z.
        edge_distance(mask.as_slice().unwrap(), [1, 5, 5], false, &mut d);
        assert!(d.iter().zip(mask.iter()).all(|(&d, &m)| d == u32::from(m)));
    }

    #[test]
    fn distance_zones_of_a_slice_by_hand() {
        //   1 1 1 1
        //   1 2 2 1
        //   1 2 2 1
        //   1 1 1 3
        // Distances: ring 1, inner 2 × 2 block 2. Zones: level 1 ring
        // (min 1), level 2 block (min 2), level 3 corner (1).
        let g = grid(
            array![[[1, 1, 1, 1], [1, 2, 2, 1], [1, 2, 2, 1], [1, 1, 1, 3]]],
            3,
        );
        let mut scratch = ZoneScratch::default();
        let mut distance = Vec::new();
        let m = distance_zone_matrix(&g.volume(), true, 3, &mut distance, &mut scratch);
        assert_eq!((m.get(1, 1), m.get(2, 2), m.get(3, 1)), (1.0, 1.0, 1.0));
        assert_eq!(m.total(), 3.0);
        assert_eq!(m.n_voxels(), 16.0);
        // dzm_sde = (1 + 1/4 + 1) / 3.
        let f = m.shared_features();
        assert!((f[0] - 2.25 / 3.0).abs() < 1e-12);
    }

    fn masks() -> impl Strategy<Value = Array3<bool>> {
        (1usize..4, 1usize..7, 1usize..7).prop_flat_map(|(nz, ny, nx)| {
            proptest::collection::vec(proptest::bool::weighted(0.8), nz * ny * nx)
                .prop_map(move |v| Array3::from_shape_vec((nz, ny, nx), v).unwrap())
        })
    }

    proptest! {
        #[test]
        fn distance_is_the_city_block_distance_to_the_outside(mask in masks(), planar in any::<bool>()) {
            let (nz, ny, nx) = mask.dim();
            let mut d = Vec::new();
            edge_distance(mask.as_slice().unwrap(), [nz, ny, nx], planar, &mut d);
            for ((z, y, x), &m) in mask.indexed_iter() {
                // Brute force: the nearest outside voxel, the padding
                // around the grid included (only in-plane when planar).
                let mut best = i64::MAX;
                let zs: Vec<i64> = if planar { vec![z as i64] } else { (-1..=nz as i64).collect() };
                for &a in &zs {
                    for b in -1..=ny as i64 {
                        for c in -1..=nx as i64 {
                            let outside = a < 0 || b < 0 || c < 0 || a >= nz as i64
                                || b >= ny as i64 || c >= nx as i64
                                || !mask[(a as usize, b as usize, c as usize)];
                            if outside {
                                let dist = (a - z as i64).abs() + (b - y as i64).abs() + (c - x as i64).abs();
                                best = best.min(dist);
                            }
                        }
                    }
                }
                let got = d[(z * ny + y) * nx + x];
                prop_assert_eq!(i64::from(got), if m { best } else { 0 });
            }
        }
    }
}
