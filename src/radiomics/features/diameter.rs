//! Largest distances between mesh vertices: PyRadiomics 3.1
//! `cshape.c:calculate_meshDiameter` compares every pair of vertices, which
//! is quadratic in the number of vertices. This finds the same maximum —
//! bit for bit — with far fewer comparisons: vertices are grouped into cells,
//! and a pair of cells is searched only if an upper bound of the distances
//! between them exceeds the largest distance found so far.
//!
//! The distance is computed exactly as in `cshape.c`, as the squared
//! Euclidean distance `(dz² + dy²) + dx²` between vertex positions
//! `(h / 2) · spacing` (h in half-voxel units), so the maximum is the same
//! double. The cell bound is computed with the same operations on the
//! cells' bounding boxes; since rounding is monotone, it bounds the
//! computed distances too, not only the exact ones, and pruning with it
//! never discards the pair that attains the maximum.

use super::mesh::HalfVoxel;

/// Target number of cells along the longest free axis: enough to prune
/// well, few enough that the cell pairs stay cheap.
const CELLS_PER_AXIS_3D: f64 = 12.0;
/// The same for cells restricted to one plane.
const CELLS_PER_AXIS_PLANE: f64 = 16.0;

/// The squared distance between two points, as `cshape.c` computes it.
#[inline]
fn squared_distance(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    let d0 = a[0] - b[0];
    let d1 = a[1] - b[1];
    let d2 = a[2] - b[2];
    d0 * d0 + d1 * d1 + d2 * d2
}

/// A cell: a run of the sorted points and their bounding box.
#[derive(Debug, Clone, Copy)]
struct Cell {
    start: usize,
    end: usize,
    /// Points in different groups (planes) are never compared.
    group: u64,
    low: [f64; 3],
    high: [f64; 3],
}

/// An upper bound of [`squared_distance`] over all pairs of points drawn
/// from the two cells, rounding included.
fn cell_bound(a: &Cell, b: &Cell) -> f64 {
    let reach = |axis: usize| (a.high[axis] - b.low[axis]).max(b.high[axis] - a.low[axis]);
    let (g0, g1, g2) = (reach(0), reach(1), reach(2));
    g0 * g0 + g1 * g1 + g2 * g2
}

/// The largest squared distance between two of `vertices` (half-voxel
/// units, `[z, y, x]`; `spacing` in the same order), over the pairs that
/// share their coordinate along `same_plane` when it is given — PyRadiomics'
/// `a[axis] == b[axis]`, i.e. the 2D diameters in slice (z), column (y) and
/// row (x) planes. 0 when there is no pair, as in PyRadiomics.
pub(crate) fn max_squared_distance(
    vertices: &[HalfVoxel],
    spacing: [f64; 3],
    same_plane: Option<usize>,
) -> f64 {
    if vertices.len() < 2 {
        return 0.0;
    }
    let position = |h: &HalfVoxel| [0, 1, 2].map(|a| f64::from(h[a]) * 0.5 * spacing[a]);

    // Cell edges (half-voxel units) per axis, about equal in mm; along the
    // plane axis a cell is one plane thick, so each plane is its own group.
    let mut low = [u32::MAX; 3];
    let mut high = [0; 3];
    for h in vertices {
        for a in 0..3 {
            low[a] = low[a].min(h[a]);
            high[a] = high[a].max(h[a]);
        }
    }
    let range = [0, 1, 2].map(|a| high[a] - low[a]);
    let half_mm = [0, 1, 2].map(|a| 0.5 * spacing[a].abs());
    let free: Vec<usize> = (0..3).filter(|&a| Some(a) != same_plane).collect();
    let longest = free
        .iter()
        .map(|&a| f64::from(range[a]) * half_mm[a])
        .fold(0.0, f64::max);
    let per_axis = if same_plane.is_some() {
        CELLS_PER_AXIS_PLANE
    } else {
        CELLS_PER_AXIS_3D
    };
    let cell_size = [0, 1, 2].map(|a| {
        if Some(a) == same_plane {
            return 1;
        }
        let size = (longest / per_axis / half_mm[a]).floor();
        if size.is_finite() && size >= 1.0 {
            (size.min(f64::from(range[a]) + 1.0)) as u32
        } else {
            1
        }
    });
    let cells_along = [0, 1, 2].map(|a| u64::from(range[a] / cell_size[a]) + 1);
    // The plane axis first, so that a group's cells are contiguous.
    let order: [usize; 3] = match same_plane {
        Some(p) => {
            let mut order = [p, 0, 0];
            order[1..].copy_from_slice(&free);
            order
        }
        None => [0, 1, 2],
    };
    let cells_per_group = cells_along[order[1]] * cells_along[order[2]];
    let key = |h: &HalfVoxel| {
        order.iter().fold(0u64, |key, &a| {
            key * cells_along[a] + u64::from((h[a] - low[a]) / cell_size[a])
        })
    };

    let mut points: Vec<(u64, [f64; 3])> = vertices.iter().map(|h| (key(h), position(h))).collect();
    points.sort_unstable_by_key(|&(key, _)| key);
    let mut cells: Vec<Cell> = Vec::new();
    for (index, &(key, p)) in points.iter().enumerate() {
        let group = if same_plane.is_some() {
            key / cells_per_group
        } else {
            0
        };
        match cells.last_mut() {
            Some(cell) if key == points[cell.start].0 => {
                cell.end = index + 1;
                for ((low, high), value) in cell.low.iter_mut().zip(&mut cell.high).zip(p) {
                    *low = low.min(value);
                    *high = high.max(value);
                }
            }
            _ => cells.push(Cell {
                start: index,
                end: index + 1,
                group,
                low: p,
                high: p,
            }),
        }
    }
    let positions: Vec<[f64; 3]> = points.into_iter().map(|(_, p)| p).collect();

    let mut best = initial_bound(&positions, &cells);

    // Cell pairs that could beat the initial bound, most promising first.
    let mut candidates: Vec<(f64, u32, u32)> = Vec::new();
    let mut group_start = 0;
    while group_start < cells.len() {
        let group = cells[group_start].group;
        let group_end = cells[group_start..]
            .iter()
            .position(|c| c.group != group)
            .map_or(cells.len(), |offset| group_start + offset);
        for i in group_start..group_end {
            for j in i..group_end {
                let bound = cell_bound(&cells[i], &cells[j]);
                if bound > best {
                    candidates.push((bound, i as u32, j as u32));
                }
            }
        }
        group_start = group_end;
    }
    candidates.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    for (bound, i, j) in candidates {
        if bound <= best {
            break;
        }
        let (a, b) = (&cells[i as usize], &cells[j as usize]);
        for p in a.start..a.end {
            let from = if i == j { p + 1 } else { b.start };
            for q in &positions[from..b.end] {
                let distance = squared_distance(&positions[p], q);
                if distance > best {
                    best = distance;
                }
            }
        }
    }
    best
}

/// A first lower bound, from the points extreme along the axes and the
/// diagonals of each group: the farthest pair is usually among them, which
/// lets the cell bounds discard almost everything else.
fn initial_bound(positions: &[[f64; 3]], cells: &[Cell]) -> f64 {
    const DIRECTIONS: [[f64; 3]; 13] = [
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
        [1.0, 1.0, 0.0],
        [1.0, -1.0, 0.0],
        [1.0, 0.0, 1.0],
        [1.0, 0.0, -1.0],
        [0.0, 1.0, 1.0],
        [0.0, 1.0, -1.0],
        [1.0, 1.0, 1.0],
        [1.0, 1.0, -1.0],
        [1.0, -1.0, 1.0],
        [1.0, -1.0, -1.0],
    ];
    let mut best = 0.0;
    let mut start = 0;
    while start < cells.len() {
        let group = cells[start].group;
        let end = cells[start..]
            .iter()
            .position(|c| c.group != group)
            .map_or(cells.len(), |offset| start + offset);
        let points = &positions[cells[start].start..cells[end - 1].end];
        let mut extremes = Vec::with_capacity(2 * DIRECTIONS.len());
        for direction in DIRECTIONS {
            let project =
                |p: &[f64; 3]| direction[0] * p[0] + direction[1] * p[1] + direction[2] * p[2];
            let (mut low, mut high) = (0, 0);
            for (index, p) in points.iter().enumerate() {
                if project(p) < project(&points[low]) {
                    low = index;
                }
                if project(p) > project(&points[high]) {
                    high = index;
                }
            }
            extremes.extend([low, high]);
        }
        extremes.sort_unstable();
        extremes.dedup();
        for (n, &p) in extremes.iter().enumerate() {
            for &q in &extremes[n + 1..] {
                let distance = squared_distance(&points[p], &points[q]);
                if distance > best {
                    best = distance;
                }
            }
        }
        start = end;
    }
    best
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The quadratic search of `cshape.c`.
    fn brute_force(vertices: &[HalfVoxel], spacing: [f64; 3], same_plane: Option<usize>) -> f64 {
        let position = |h: &HalfVoxel| [0, 1, 2].map(|a| f64::from(h[a]) * 0.5 * spacing[a]);
        let mut best = 0.0;
        for (n, a) in vertices.iter().enumerate() {
            for b in &vertices[n + 1..] {
                if same_plane.is_some_and(|axis| a[axis] != b[axis]) {
                    continue;
                }
                let distance = squared_distance(&position(a), &position(b));
                if distance > best {
                    best = distance;
                }
            }
        }
        best
    }

    #[test]
    fn too_few_vertices_have_no_diameter() {
        assert_eq!(max_squared_distance(&[], [1.0; 3], None), 0.0);
        assert_eq!(max_squared_distance(&[[1, 2, 3]], [1.0; 3], None), 0.0);
        // Two vertices in different slices have no slice diameter.
        let pair = [[1, 2, 3], [2, 2, 3]];
        assert_eq!(max_squared_distance(&pair, [2.0; 3], Some(0)), 0.0);
        assert_eq!(max_squared_distance(&pair, [2.0; 3], Some(1)), 1.0);
    }

    proptest! {
        #[test]
        fn pruning_finds_the_brute_force_maximum_bit_for_bit(
            vertices in prop::collection::vec([0u32..60, 0u32..60, 0u32..60], 0..400),
            spacing in [0.1f64..5.0, 0.1f64..5.0, 0.1f64..5.0],
        ) {
            for same_plane in [None, Some(0), Some(1), Some(2)] {
                let fast = max_squared_distance(&vertices, spacing, same_plane);
                let slow = brute_force(&vertices, spacing, same_plane);
                prop_assert_eq!(fast.to_bits(), slow.to_bits(), "{:?}", same_plane);
            }
        }

        #[test]
        fn clustered_vertices_are_pruned_correctly(
            centres in prop::collection::vec([0u32..2000, 0u32..2000, 0u32..40], 1..6),
            offsets in prop::collection::vec([0u32..30, 0u32..30, 0u32..6], 2..300),
            spacing in [0.3f64..1.0, 0.3f64..1.0, 1.0f64..6.0],
        ) {
            let vertices: Vec<HalfVoxel> = offsets
                .iter()
                .enumerate()
                .map(|(n, o)| {
                    let c = centres[n % centres.len()];
                    [c[0] + o[0], c[1] + o[1], c[2] + o[2]]
                })
                .collect();
            for same_plane in [None, Some(0), Some(1), Some(2)] {
                let fast = max_squared_distance(&vertices, spacing, same_plane);
                let slow = brute_force(&vertices, spacing, same_plane);
                prop_assert_eq!(fast.to_bits(), slow.to_bits(), "{:?}", same_plane);
            }
        }
    }
}
