//! Slice and direction bookkeeping: the directions of GLCM and GLRLM, and
//! how matrices are merged and features averaged under each aggregation
//! method of the IBSI reference manual (chapter 3: the aggregation methods
//! introduced with the GLCM, section 3.6, and shared by every texture
//! family).

use super::{Grid, Slab};

/// How the GLCM and GLRLM features of a ROI are aggregated over slices and
/// directions (IBSI chapter 3, aggregation methods of section 3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DirectionalAggregation {
    /// `_2D_avg` (IBSI 2D:avg, "by slice, without merging"): one matrix per
    /// slice and in-plane direction; features averaged over all of them.
    TwoDAvg,
    /// `_2D_comb` (IBSI 2D:mrg, "by slice, with merging"): per slice, the 4
    /// directions' matrices summed into one; features averaged over slices.
    TwoDComb,
    /// `_2_5D_avg` (IBSI 2.5D:dmrg, "by direction, with merging"): per
    /// in-plane direction, the slices' matrices summed into one; features
    /// averaged over the 4 directions.
    TwoHalfDAvg,
    /// `_2_5D_comb` (IBSI 2.5D:vmrg, "full merging"): every slice's and
    /// direction's matrix summed into one.
    TwoHalfDComb,
    /// `_3D_avg` (IBSI 3D:avg, "as volume, without merging"): one matrix
    /// per 3D direction (13) over the volume; features averaged.
    ThreeDAvg,
    /// `_3D_comb` (IBSI 3D:mrg, "as volume, with merging"): the 13
    /// directions' matrices summed into one.
    ThreeDComb,
}

impl DirectionalAggregation {
    /// All six, in the order of the IBSI reference tables.
    pub const ALL: [DirectionalAggregation; 6] = [
        DirectionalAggregation::TwoDAvg,
        DirectionalAggregation::TwoDComb,
        DirectionalAggregation::TwoHalfDAvg,
        DirectionalAggregation::TwoHalfDComb,
        DirectionalAggregation::ThreeDAvg,
        DirectionalAggregation::ThreeDComb,
    ];

    /// The tag suffix: `2D_avg`, `2D_comb`, `2_5D_avg`, `2_5D_comb`,
    /// `3D_avg` or `3D_comb`.
    pub fn suffix(self) -> &'static str {
        match self {
            DirectionalAggregation::TwoDAvg => "2D_avg",
            DirectionalAggregation::TwoDComb => "2D_comb",
            DirectionalAggregation::TwoHalfDAvg => "2_5D_avg",
            DirectionalAggregation::TwoHalfDComb => "2_5D_comb",
            DirectionalAggregation::ThreeDAvg => "3D_avg",
            DirectionalAggregation::ThreeDComb => "3D_comb",
        }
    }
}

/// How the features of the rotation-invariant families (GLSZM, GLDZM,
/// NGTDM, NGLDM) are aggregated over slices (IBSI chapter 3, the
/// aggregation methods of section 3.6 without the directional ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextureAggregation {
    /// `_2D`: one matrix per slice (in-plane neighbourhoods); features
    /// averaged over slices.
    TwoD,
    /// `_2_5D`: the per-slice matrices summed into one.
    TwoHalfD,
    /// `_3D`: one matrix over the volume (3D neighbourhoods).
    ThreeD,
}

impl TextureAggregation {
    /// All three, in the order of the IBSI reference tables.
    pub const ALL: [TextureAggregation; 3] = [
        TextureAggregation::TwoD,
        TextureAggregation::TwoHalfD,
        TextureAggregation::ThreeD,
    ];

    /// The tag suffix: `2D`, `2_5D` or `3D`.
    pub fn suffix(self) -> &'static str {
        match self {
            TextureAggregation::TwoD => "2D",
            TextureAggregation::TwoHalfD => "2_5D",
            TextureAggregation::ThreeD => "3D",
        }
    }
}

/// The 4 in-plane directions `[dz, dy, dx]` of Chebyshev length 1, one of
/// each opposite pair (0°, 45°, 90°, 135°).
pub(crate) const DIRECTIONS_2D: [[isize; 3]; 4] = [[0, 0, 1], [0, 1, 1], [0, 1, 0], [0, 1, -1]];

/// The 13 3D directions `[dz, dy, dx]` of Chebyshev length 1, one of each
/// opposite pair: the offsets whose first non-zero component is positive.
/// The first four are [`DIRECTIONS_2D`].
pub(crate) const DIRECTIONS_3D: [[isize; 3]; 13] = [
    [0, 0, 1],
    [0, 1, 1],
    [0, 1, 0],
    [0, 1, -1],
    [1, -1, -1],
    [1, -1, 0],
    [1, -1, 1],
    [1, 0, -1],
    [1, 0, 0],
    [1, 0, 1],
    [1, 1, -1],
    [1, 1, 0],
    [1, 1, 1],
];

/// A texture matrix that can be summed with another of its kind (IBSI
/// "merging") and turned into features.
pub(crate) trait TextureMatrix: Clone {
    /// Adds `other`'s counts (and voxel counts) to this matrix.
    fn merge(&mut self, other: &Self);
    /// Whether the matrix holds no entry (it then contributes nothing).
    fn is_empty(&self) -> bool;
    /// The family's features, in its order.
    fn features(&self) -> Vec<f64>;
}

/// Running mean of feature vectors.
struct Mean {
    sum: Vec<f64>,
    n: usize,
}

impl Mean {
    fn new(len: usize) -> Mean {
        Mean {
            sum: vec![0.0; len],
            n: 0,
        }
    }

    fn add(&mut self, values: &[f64]) {
        for (s, v) in self.sum.iter_mut().zip(values) {
            *s += v;
        }
        self.n += 1;
    }

    /// The mean; NaN everywhere when nothing was added.
    fn finish(self) -> Vec<f64> {
        let n = self.n as f64;
        self.sum
            .into_iter()
            .map(|s| if self.n == 0 { f64::NAN } else { s / n })
            .collect()
    }
}

/// Adds `m` to `acc` (taking a copy of it when `acc` is empty).
fn merge_into<M: TextureMatrix>(acc: &mut Option<M>, m: &M) {
    match acc {
        Some(a) => a.merge(m),
        None => *acc = Some(m.clone()),
    }
}

/// Features of a merged matrix; NaN when there is none or it is empty.
fn features_of<M: TextureMatrix>(m: Option<&M>, len: usize) -> Vec<f64> {
    match m {
        Some(m) if !m.is_empty() => m.features(),
        _ => vec![f64::NAN; len],
    }
}

/// Features of a directional family (GLCM, GLRLM) under each of
/// `aggregations`, in that order. `build` makes the matrix of one slab
/// (a slice or the volume) along one direction; it is called once per
/// slice and in-plane direction when a 2D or 2.5D aggregation is asked
/// for, and once per 3D direction when a 3D one is.
pub(crate) fn directional<M: TextureMatrix>(
    grid: &Grid,
    aggregations: &[DirectionalAggregation],
    n_features: usize,
    mut build: impl FnMut(&Slab<'_>, [isize; 3]) -> M,
) -> Vec<(DirectionalAggregation, Vec<f64>)> {
    use DirectionalAggregation as A;
    let wants = |a: A| aggregations.contains(&a);
    let mut avg_2d = Mean::new(n_features);
    let mut comb_2d = Mean::new(n_features);
    let mut by_direction: [Option<M>; 4] = [None, None, None, None];
    let mut all_2d: Option<M> = None;
    if [A::TwoDAvg, A::TwoDComb, A::TwoHalfDAvg, A::TwoHalfDComb]
        .into_iter()
        .any(wants)
    {
        for slab in grid.slices() {
            let mut slice_merged: Option<M> = None;
            for (k, &direction) in DIRECTIONS_2D.iter().enumerate() {
                let m = build(&slab, direction);
                if m.is_empty() {
                    continue;
                }
                if wants(A::TwoDAvg) {
                    avg_2d.add(&m.features());
                }
                if wants(A::TwoDComb) {
                    merge_into(&mut slice_merged, &m);
                }
                if wants(A::TwoHalfDAvg) {
                    merge_into(&mut by_direction[k], &m);
                }
                if wants(A::TwoHalfDComb) {
                    merge_into(&mut all_2d, &m);
                }
            }
            if let Some(merged) = slice_merged {
                comb_2d.add(&merged.features());
            }
        }
    }
    let mut avg_3d = Mean::new(n_features);
    let mut all_3d: Option<M> = None;
    if wants(A::ThreeDAvg) || wants(A::ThreeDComb) {
        let volume = grid.volume();
        for &direction in &DIRECTIONS_3D {
            let m = build(&volume, direction);
            if m.is_empty() {
                continue;
            }
            if wants(A::ThreeDAvg) {
                avg_3d.add(&m.features());
            }
            if wants(A::ThreeDComb) {
                merge_into(&mut all_3d, &m);
            }
        }
    }
    let mut avg_25d = Mean::new(n_features);
    for m in by_direction.iter().flatten() {
        avg_25d.add(&m.features());
    }
    let results = [
        avg_2d.finish(),
        comb_2d.finish(),
        avg_25d.finish(),
        features_of(all_2d.as_ref(), n_features),
        avg_3d.finish(),
        features_of(all_3d.as_ref(), n_features),
    ];
    aggregations
        .iter()
        .map(|&a| {
            let k = A::ALL.iter().position(|&b| b == a).unwrap_or(0);
            (a, results[k].clone())
        })
        .collect()
}

/// Features of a rotation-invariant family (GLSZM, GLDZM, NGTDM, NGLDM)
/// under each of `aggregations`, in that order. `build(slab, planar)`
/// makes the matrix of one slab: a slice with `planar` true (in-plane
/// neighbourhoods), or the volume with `planar` false.
pub(crate) fn by_slice<M: TextureMatrix>(
    grid: &Grid,
    aggregations: &[TextureAggregation],
    n_features: usize,
    mut build: impl FnMut(&Slab<'_>, bool) -> M,
) -> Vec<(TextureAggregation, Vec<f64>)> {
    use TextureAggregation as A;
    let wants = |a: A| aggregations.contains(&a);
    let mut avg_2d = Mean::new(n_features);
    let mut merged: Option<M> = None;
    if wants(A::TwoD) || wants(A::TwoHalfD) {
        for slab in grid.slices() {
            let m = build(&slab, true);
            if m.is_empty() {
                continue;
            }
            if wants(A::TwoD) {
                avg_2d.add(&m.features());
            }
            if wants(A::TwoHalfD) {
                merge_into(&mut merged, &m);
            }
        }
    }
    let three_d = if wants(A::ThreeD) {
        let m = build(&grid.volume(), false);
        features_of(Some(&m), n_features)
    } else {
        Vec::new()
    };
    let results = [
        avg_2d.finish(),
        features_of(merged.as_ref(), n_features),
        three_d,
    ];
    aggregations
        .iter()
        .map(|&a| {
            let k = A::ALL.iter().position(|&b| b == a).unwrap_or(0);
            (a, results[k].clone())
        })
        .collect()
}

/// The half-open range of start coordinates `c` along an axis of length
/// `n` for which `c + offset` stays inside `0..n`.
pub(crate) fn overlap(n: usize, offset: isize) -> std::ops::Range<usize> {
    let lo = (-offset).max(0) as usize;
    let hi = (n as isize - offset.max(0)).max(0) as usize;
    lo.min(hi)..hi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_ranges() {
        assert_eq!(overlap(5, 0), 0..5);
        assert_eq!(overlap(5, 1), 0..4);
        assert_eq!(overlap(5, -1), 1..5);
        assert_eq!(overlap(5, 2), 0..3);
        assert_eq!(overlap(1, 1), 0..0);
        assert!(overlap(1, -2).is_empty());
        assert!(overlap(0, 0).is_empty());
    }

    #[test]
    fn directions_are_the_chebyshev_unit_offsets_once_each() {
        let mut all = Vec::new();
        for d in DIRECTIONS_3D {
            assert!(d.iter().all(|c| c.abs() <= 1) && d != [0, 0, 0]);
            all.push(d);
            all.push([-d[0], -d[1], -d[2]]);
        }
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 26);
        assert_eq!(&DIRECTIONS_3D[..4], &DIRECTIONS_2D[..]);
    }
}
