//! Gray-level co-occurrence matrix (GLCM), as PyRadiomics 3.1 `glcm.py`
//! (with its C helper `cmatrices.c`) computes it.
//!
//! - Angles: the offsets of `generate_angles` for the `distances`, one of
//!   each opposite pair, limited by the ROI's bounding box; a pair of ROI
//!   voxels `(v, v + angle)` counts once in the matrix of that angle, at
//!   (level of `v`, level of `v + angle`).
//! - Rows and columns are the gray levels present in the ROI only (PyRadiomics
//!   deletes the others); `i` and `j` in the formulas are those levels' values.
//! - `symmetricalGLCM` adds each matrix's transpose to it.
//! - `weightingNorm` sums the angles' matrices, each weighted by
//!   `exp(-d²)` with `d` the angle's length in mm under the norm, into one.
//! - Otherwise, angles without any pair are dropped, each matrix is
//!   normalised to sum 1, every feature is computed per angle and the
//!   features are averaged over angles with `numpy.nanmean`.
//! - Logarithms are base 2 with `eps = numpy.spacing(1)` added to their
//!   argument.
//! - Sums follow numpy's order: over the matrix in row-major order, one term
//!   after another while several angles are stacked, and with numpy's
//!   pairwise summation when a single angle is left (the array is then
//!   contiguous); means over angles are pairwise.
//!
//! The deprecated features are the ones PyRadiomics declares mathematically
//! equal to a current feature (it no longer computes them): Dissimilarity is
//! DifferenceAverage, Homogeneity1 is Id, Homogeneity2 is Idm and
//! SumVariance is ClusterTendency.
//!
//! MCC takes the second largest eigenvalue of a non-symmetric matrix per
//! angle, found here as LAPACK (behind `numpy.linalg.eigvals`) does:
//! bit for bit for two gray levels, by balancing, Hessenberg reduction and
//! shifted QR (not bit for bit) for more.
//!
//! Degenerate angles: where an angle's matrix has rank one (proportional
//! rows), HXY2 − HXY under Imc2's root and MCC's second eigenvalue are 0 in
//! exact arithmetic, and so is Correlation's σ when a single row is
//! occupied. PyRadiomics computes them from whatever rounding leaves: an exact-zero
//! test, or a square root of ±1e-16 that is ≈1e-8 or NaN (skipped by the
//! mean over angles), depending on the summation order. Here residues
//! within rounding are taken as the zero they are — Correlation 1 (the
//! flat-matrix convention), Imc2 0, that eigenvalue 0 — so a feature no
//! longer depends on where the ROI sits in its array. Only ROIs of a
//! handful of voxels, or large distances, produce such angles; where
//! PyRadiomics' own rounding happened to land elsewhere the two differ
//! there, and nowhere else. MCC with complex eigenvalues (noise around a
//! zero pair) keeps numpy's principal root, within √ε ≈ 1.5e-8.
//!
//! The level layout, the numpy-order sums and `nanmean` here are shared
//! with the GLRLM.

use super::angles::{Angle, generate_angles};
use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, deprecated, feature, select};
use crate::radiomics::discretize::discretize;
use crate::radiomics::numeric::{numpy_mean, numpy_sum};
use crate::radiomics::settings::WeightingNorm;

/// The class's features, in PyRadiomics' order.
pub const FEATURES: &[FeatureDef] = &[
    feature("Autocorrelation"),
    feature("ClusterProminence"),
    feature("ClusterShade"),
    feature("ClusterTendency"),
    feature("Contrast"),
    feature("Correlation"),
    feature("DifferenceAverage"),
    feature("DifferenceEntropy"),
    feature("DifferenceVariance"),
    deprecated("Dissimilarity"),
    deprecated("Homogeneity1"),
    deprecated("Homogeneity2"),
    feature("Id"),
    feature("Idm"),
    feature("Idmn"),
    feature("Idn"),
    feature("Imc1"),
    feature("Imc2"),
    feature("InverseVariance"),
    feature("JointAverage"),
    feature("JointEnergy"),
    feature("JointEntropy"),
    feature("MCC"),
    feature("MaximumProbability"),
    feature("SumAverage"),
    feature("SumEntropy"),
    feature("SumSquares"),
    deprecated("SumVariance"),
];

const CLASS: &str = "glcm";

/// `numpy.spacing(1)`: PyRadiomics' `eps`, added inside logarithms and to
/// some divisors.
pub(crate) const EPS: f64 = f64::EPSILON;

/// The most elements (8 bytes each, so 1 GiB) a texture matrix may have.
/// PyRadiomics would allocate such matrices too, and then spend hours on
/// them; a larger bin width or a bin count is the remedy.
pub(crate) const MAX_MATRIX_ELEMENTS: usize = 1 << 27;

/// The error of a class that cannot compute, with the reason.
pub(crate) fn not_applicable(class: &'static str, reason: impl Into<String>) -> FeatureError {
    FeatureError::NotApplicable {
        class,
        reason: reason.into(),
    }
}

/// The discretised ROI laid out for neighbour look-ups: every voxel holds
/// the 1-based index of its gray level among the levels present in the ROI
/// (so PyRadiomics' deletion of absent levels is built in), and 0 outside
/// the ROI. The array is flat, row-major `[z, y, x]`, and padded with zeros
/// so that stepping by any of the angles it was built for from an ROI voxel
/// never leaves it: the loops over voxels need no tests at the borders.
#[derive(Debug, Clone)]
pub(crate) struct RoiLevels {
    /// The gray levels present in the ROI, ascending (PyRadiomics'
    /// `grayLevels`), as floats.
    pub(crate) levels: Vec<f64>,
    /// The largest gray level present (PyRadiomics' `Ng`).
    pub(crate) ng: u32,
    /// Level indices, padded.
    pub(crate) data: Vec<u32>,
    /// Shape of the unpadded array, `[z, y, x]`.
    pub(crate) shape: [usize; 3],
    /// Padding before and after the array, per axis.
    pad: [usize; 3],
    /// Strides of the padded array, per axis.
    strides: [usize; 3],
}

impl RoiLevels {
    /// Discretises the class input and lays it out with enough padding for
    /// `angles`. Errors when image and mask differ in shape, when the ROI is
    /// empty, or when an ROI voxel cannot be binned (a non-finite intensity).
    pub(crate) fn new(
        input: &ClassInput<'_>,
        class: &'static str,
        angles: &[Angle],
    ) -> Result<RoiLevels, FeatureError> {
        let shape = input_shape(input, class)?;
        let binned = discretize(input.image, input.mask, input.settings)
            .map_err(|err| FeatureError::binning(class, err))?;
        let mut pad = [0usize; 3];
        for angle in angles {
            for (axis, step) in angle.iter().enumerate() {
                pad[axis] = pad[axis].max(step.unsigned_abs() as usize);
            }
        }
        let padded = [0, 1, 2].map(|a| shape[a] + 2 * pad[a]);
        let strides = [padded[1] * padded[2], padded[2], 1];
        let mut data = vec![0u32; padded[0] * padded[1] * padded[2]];
        // Levels never exceed the number of bin edges, so a table indexed by
        // level is no larger than the edges.
        let mut index_of = vec![0u32; binned.ng as usize + 1];
        for (index, &level) in binned.gray_levels.iter().enumerate() {
            index_of[level as usize] = index as u32 + 1;
        }
        let flat = |z: usize, y: usize, x: usize| {
            (z + pad[0]) * strides[0] + (y + pad[1]) * strides[1] + x + pad[2]
        };
        match (binned.levels.as_slice(), input.mask.as_slice()) {
            (Some(levels), Some(mask)) => {
                let [_, sy, sx] = shape;
                for (row, (levels, mask)) in levels
                    .chunks_exact(sx)
                    .zip(mask.chunks_exact(sx))
                    .enumerate()
                {
                    let start = flat(row / sy, row % sy, 0);
                    for (x, (&level, &inside)) in levels.iter().zip(mask).enumerate() {
                        if inside {
                            data[start + x] = index_of[level as usize];
                        }
                    }
                }
            }
            _ => {
                for ((z, y, x), &level) in binned.levels.indexed_iter() {
                    if input.mask[[z, y, x]] {
                        data[flat(z, y, x)] = index_of[level as usize];
                    }
                }
            }
        }
        Ok(RoiLevels {
            levels: binned.gray_levels.iter().map(|&l| f64::from(l)).collect(),
            ng: binned.ng,
            data,
            shape,
            pad,
            strides,
        })
    }

    /// The flat index of unpadded voxel `(z, y, x)`.
    pub(crate) fn index(&self, z: usize, y: usize, x: usize) -> usize {
        (z + self.pad[0]) * self.strides[0] + (y + self.pad[1]) * self.strides[1] + x + self.pad[2]
    }

    /// The flat step of an angle.
    pub(crate) fn offset(&self, angle: Angle) -> isize {
        (0..3)
            .map(|axis| angle[axis] as isize * self.strides[axis] as isize)
            .sum()
    }

    /// The flat index of the first voxel of every row (`z`, `y`) of the
    /// unpadded array, ascending; a row has `shape[2]` voxels.
    pub(crate) fn row_starts(&self) -> impl Iterator<Item = usize> + '_ {
        let [sz, sy, _] = self.shape;
        (0..sz).flat_map(move |z| (0..sy).map(move |y| self.index(z, y, 0)))
    }

    /// Whether unpadded voxel `(z, y, x)` is in the ROI.
    pub(crate) fn inside(&self, z: usize, y: usize, x: usize) -> bool {
        self.data[self.index(z, y, x)] != 0
    }
}

/// The shape of the class input, checked against the mask's.
pub(crate) fn input_shape(
    input: &ClassInput<'_>,
    class: &'static str,
) -> Result<[usize; 3], FeatureError> {
    let dim = input.image.dim();
    if input.mask.dim() != dim {
        return Err(not_applicable(
            class,
            format!(
                "image and mask differ in shape ({:?} vs {:?})",
                input.image.shape(),
                input.mask.shape()
            ),
        ));
    }
    Ok([dim.0, dim.1, dim.2])
}

/// Sums terms in the order numpy does for the matrix at hand: one after
/// another (`pairwise == false`, angles stacked along the last axis) or
/// with numpy's pairwise summation (`pairwise == true`, a single angle, the
/// reduced axes contiguous).
#[derive(Debug, Clone)]
pub(crate) struct Reducer {
    pairwise: bool,
    buffer: Vec<f64>,
}

impl Reducer {
    /// A reducer for matrices of `angles` angles.
    pub(crate) fn for_angles(angles: usize) -> Reducer {
        Reducer {
            pairwise: angles == 1,
            buffer: Vec::new(),
        }
    }

    /// The sum of the terms.
    pub(crate) fn sum(&mut self, terms: impl Iterator<Item = f64>) -> f64 {
        if self.pairwise {
            self.buffer.clear();
            self.buffer.extend(terms);
            numpy_sum(&self.buffer)
        } else {
            // numpy starts a reduction from its identity, -0.0.
            terms.fold(-0.0, |total, term| total + term)
        }
    }
}

/// `numpy.nanmean` of a 1-D array: the pairwise sum of the non-NaN values
/// divided by their count (NaN when there are none).
pub(crate) fn nanmean(values: &[f64]) -> f64 {
    let count = values.iter().filter(|v| !v.is_nan()).count();
    let zeroed: Vec<f64> = values
        .iter()
        .map(|&v| if v.is_nan() { 0.0 } else { v })
        .collect();
    numpy_sum(&zeroed) / count as f64
}

/// Carries per-angle matrices of `cells` cells each (stacked) on as
/// PyRadiomics does: with `weights` (`weightingNorm`), sums them into one
/// weighted matrix, adding the angles' terms in numpy's order; then keeps
/// the angles whose matrix is not empty, or the only one. Returns the
/// matrices, each one's total and the kept angles; `None` when every kept
/// matrix is empty: the ROI has no texture along any angle.
pub(crate) fn weigh_and_keep(
    mut matrices: Vec<f64>,
    cells: usize,
    weights: Option<&[f64]>,
) -> Option<(Vec<f64>, Vec<f64>, Vec<usize>)> {
    if let Some(weights) = weights {
        let mut terms = vec![0.0; weights.len()];
        matrices = (0..cells)
            .map(|cell| {
                for (a, term) in terms.iter_mut().enumerate() {
                    *term = matrices[a * cells + cell] * weights[a];
                }
                numpy_sum(&terms)
            })
            .collect();
    }
    let stacked = matrices.len() / cells;
    let mut r = Reducer::for_angles(stacked);
    let totals: Vec<f64> = matrices
        .chunks_exact(cells)
        .map(|m| r.sum(m.iter().copied()))
        .collect();
    let kept: Vec<usize> = (0..stacked)
        .filter(|&a| stacked == 1 || totals[a] != 0.0)
        .collect();
    if kept.iter().all(|&a| totals[a] == 0.0) {
        return None;
    }
    Some((matrices, totals, kept))
}

/// The weight of an angle's matrix under `weightingNorm` (GLCM): `exp(-d²)`
/// with `d` the angle's length in mm, as PyRadiomics 3.1 glcm.py.
/// `spacing` is (z, y, x), the angle's order.
fn weight(norm: WeightingNorm, angle: Angle, spacing: [f64; 3]) -> f64 {
    let lengths = [0, 1, 2].map(|axis| f64::from(angle[axis].unsigned_abs()) * spacing[axis]);
    match norm {
        WeightingNorm::Infinity => {
            let longest = lengths.iter().copied().fold(lengths[0], f64::max);
            (-(longest * longest)).exp()
        }
        WeightingNorm::Euclidean => (-numpy_sum(&lengths.map(|l| l * l))).exp(),
        WeightingNorm::Manhattan => {
            let total = numpy_sum(&lengths);
            (-(total * total)).exp()
        }
        WeightingNorm::NoWeighting => 1.0,
    }
}

/// Pairs of ROI voxels per angle: `counts[a][i][j]`, `i` the level index of
/// a voxel and `j` that of its neighbour at `+angle` (PyRadiomics'
/// asymmetric `P_glcm` after the deletion of absent levels).
fn count_pairs(roi: &RoiLevels, angles: &[Angle]) -> Vec<f64> {
    let g = roi.levels.len();
    let gg = g * g;
    let width = roi.shape[2];
    // Integer counts: increments of one cell in a row are then cheap.
    let mut counts = vec![0u64; angles.len() * gg];
    // One sweep per angle: three sequential streams, friendly to the cache
    // even when the neighbour is a slice away.
    for (angle, counts) in angles.iter().zip(counts.chunks_exact_mut(gg)) {
        let offset = roi.offset(*angle);
        for start in roi.row_starts() {
            // The padding keeps the neighbours' row inside the array.
            let neighbours = start.wrapping_add_signed(offset);
            let row = &roi.data[start..start + width];
            let next = &roi.data[neighbours..neighbours + width];
            for (&level, &neighbour) in row.iter().zip(next) {
                if level != 0 && neighbour != 0 {
                    counts[(level as usize - 1) * g + neighbour as usize - 1] += 1;
                }
            }
        }
    }
    counts.into_iter().map(|c| c as f64).collect()
}

/// The flat matrix indices `i * g + j` grouped by a key of `(i, j)` (stable,
/// so row-major within a group), with the start of each group: the cells
/// that numpy's boolean indexing `P[:, key == k, :]` picks for each `k`.
#[derive(Debug, Clone)]
struct Groups {
    order: Vec<u32>,
    starts: Vec<usize>,
}

impl Groups {
    fn new(g: usize, groups: usize, key: impl Fn(usize, usize) -> usize) -> Groups {
        let mut starts = vec![0usize; groups + 1];
        for i in 0..g {
            for j in 0..g {
                starts[key(i, j) + 1] += 1;
            }
        }
        for k in 0..groups {
            starts[k + 1] += starts[k];
        }
        let mut next = starts.clone();
        let mut order = vec![0u32; g * g];
        for i in 0..g {
            for j in 0..g {
                let k = key(i, j);
                order[next[k]] = (i * g + j) as u32;
                next[k] += 1;
            }
        }
        Groups { order, starts }
    }

    fn group(&self, k: usize) -> &[u32] {
        &self.order[self.starts[k]..self.starts[k + 1]]
    }
}

/// What every angle's features need besides its matrix.
#[derive(Debug, Clone)]
struct Layout {
    /// Gray level of each row/column.
    levels: Vec<f64>,
    /// Gray level of the row of each cell `i * g + j` (`i`).
    row_levels: Vec<f64>,
    /// Gray level of the column of each cell (`j`).
    column_levels: Vec<f64>,
    /// PyRadiomics' `Ng`, the largest level.
    ng: f64,
    /// Cells by `i + j` (`kValuesSum = 2 ..= 2 Ng`).
    sums: Groups,
    /// Cells by `|i - j|` (`kValuesDiff = 0 .. Ng`).
    differences: Groups,
}

impl Layout {
    fn new(roi: &RoiLevels) -> Layout {
        let g = roi.levels.len();
        let ng = roi.ng as usize;
        let levels: Vec<usize> = roi.levels.iter().map(|&l| l as usize).collect();
        Layout {
            levels: roi.levels.clone(),
            row_levels: roi
                .levels
                .iter()
                .flat_map(|&l| std::iter::repeat_n(l, g))
                .collect(),
            column_levels: (0..g).flat_map(|_| roi.levels.iter().copied()).collect(),
            ng: f64::from(roi.ng),
            sums: Groups::new(g, 2 * ng - 1, |i, j| levels[i] + levels[j] - 2),
            differences: Groups::new(g, ng, |i, j| levels[i].abs_diff(levels[j])),
        }
    }
}

/// One angle's features (and the MCC's eigenvalue) before averaging.
#[derive(Debug, Clone, Copy, Default)]
struct AngleFeatures {
    autocorrelation: f64,
    joint_average: f64,
    cluster_prominence: f64,
    cluster_shade: f64,
    cluster_tendency: f64,
    contrast: f64,
    correlation: f64,
    difference_average: f64,
    difference_entropy: f64,
    difference_variance: f64,
    joint_energy: f64,
    joint_entropy: f64,
    imc1: f64,
    imc2: f64,
    idm: f64,
    idmn: f64,
    id: f64,
    idn: f64,
    inverse_variance: f64,
    maximum_probability: f64,
    sum_average: f64,
    sum_entropy: f64,
    sum_squares: f64,
}

/// A marginal standard deviation at or below this multiple of the largest
/// gray level is rounding residue of a single occupied row (see
/// `angle_features`' Correlation).
const FLAT_SIGMA: f64 = 1e-12;

/// Entropy differences (in bits) at or below this multiple of the entropy
/// are rounding residue (see `angle_features`' IMC2).
const ENTROPY_ROUNDING: f64 = 1e-13;

/// MCC eigenvalues within this distance of 0 (the largest is 1) are
/// rounding residue of a zero eigenvalue (see `mcc`).
const EIGENVALUE_ROUNDING: f64 = 1e-12;

/// `-sum(p * log2(p + eps))`.
fn entropy(r: &mut Reducer, p: impl Iterator<Item = f64>) -> f64 {
    -r.sum(p.map(|p| p * (p + EPS).log2()))
}

/// The features of one normalised matrix `p` (`g × g`), as PyRadiomics 3.1
/// glcm.py computes them per angle. Also returns the marginals `px`, `py`
/// for the MCC.
fn angle_features(
    p: &[f64],
    layout: &Layout,
    r: &mut Reducer,
) -> (AngleFeatures, Vec<f64>, Vec<f64>) {
    let levels = &layout.levels;
    let g = levels.len();
    let cells = || (0..g).flat_map(move |i| (0..g).map(move |j| (i, j)));
    let level_i = |k: usize| layout.row_levels[k];
    let level_j = |k: usize| layout.column_levels[k];

    let px: Vec<f64> = (0..g)
        .map(|i| r.sum(p[i * g..(i + 1) * g].iter().copied()))
        .collect();
    // numpy sums this axis row by row whatever the angles: never pairwise.
    let py: Vec<f64> = (0..g)
        .map(|j| (0..g).fold(-0.0, |total, i| total + p[i * g + j]))
        .collect();
    let ux = r.sum((0..g * g).map(|k| level_i(k) * p[k]));
    let uy = r.sum((0..g * g).map(|k| level_j(k) * p[k]));
    let px_add_y: Vec<f64> = (0..layout.sums.starts.len() - 1)
        .map(|k| r.sum(layout.sums.group(k).iter().map(|&c| p[c as usize])))
        .collect();
    let px_sub_y: Vec<f64> = (0..layout.differences.starts.len() - 1)
        .map(|k| r.sum(layout.differences.group(k).iter().map(|&c| p[c as usize])))
        .collect();
    let hxy = entropy(r, p.iter().copied());

    let autocorrelation = r.sum((0..g * g).map(|k| p[k] * (level_i(k) * level_j(k))));
    let centred = |k: usize| level_i(k) + level_j(k) - ux - uy;
    // numpy's `** 4` and `** 3` are its own SIMD `pow`, which libm's does
    // not reproduce either; products are as close and much faster.
    let cluster_prominence = r.sum((0..g * g).map(|k| {
        let c2 = centred(k) * centred(k);
        p[k] * (c2 * c2)
    }));
    let cluster_shade = r.sum((0..g * g).map(|k| {
        let c = centred(k);
        p[k] * (c * c * c)
    }));
    let cluster_tendency = r.sum((0..g * g).map(|k| {
        let c = centred(k);
        p[k] * (c * c)
    }));
    let contrast = r.sum((0..g * g).map(|k| {
        let d = (level_i(k) - level_j(k)).abs();
        p[k] * (d * d)
    }));

    let sigma_x = r
        .sum((0..g * g).map(|k| {
            let d = level_i(k) - ux;
            p[k] * (d * d)
        }))
        .sqrt();
    let sigma_y = r
        .sum((0..g * g).map(|k| {
            let d = level_j(k) - uy;
            p[k] * (d * d)
        }))
        .sqrt();
    let covariance = r.sum((0..g * g).map(|k| p[k] * (level_i(k) - ux) * (level_j(k) - uy)));
    // PyRadiomics sets the correlation of a flat matrix (no variance) to 1,
    // testing for an exact zero. A single occupied row leaves σ as rounding
    // residue of the means (≈ ε·level) rather than zero, depending on the
    // summation order; a σ this small is taken as zero so that the flat
    // convention holds whatever the order. A matrix with two occupied rows
    // has σ ≥ √(p_min·(1 − p_min)), many orders of magnitude above.
    let flat_sigma = FLAT_SIGMA * levels.last().copied().unwrap_or(1.0).abs().max(1.0);
    let correlation = if sigma_x <= flat_sigma || sigma_y <= flat_sigma {
        1.0
    } else {
        covariance / (sigma_x * sigma_y + EPS)
    };

    let k_diff = |k: usize| k as f64;
    let difference_average = r.sum(px_sub_y.iter().enumerate().map(|(k, &v)| k_diff(k) * v));
    let difference_entropy = entropy(r, px_sub_y.iter().copied());
    let difference_variance = r.sum(px_sub_y.iter().enumerate().map(|(k, &v)| {
        let d = k_diff(k) - difference_average;
        v * (d * d)
    }));
    let joint_energy = r.sum(p.iter().map(|&v| v * v));

    // Informational measures of correlation.
    let hx = entropy(r, px.iter().copied());
    let hy = entropy(r, py.iter().copied());
    let hxy1 = -r.sum(cells().map(|(i, j)| p[i * g + j] * (px[i] * py[j] + EPS).log2()));
    let hxy2 = -r.sum(cells().map(|(i, j)| {
        let q = px[i] * py[j];
        q * (q + EPS).log2()
    }));
    let div = hx.max(hy);
    // Without marginal entropy (one level), PyRadiomics sets IMC1 to 0.
    let imc1 = if div != 0.0 { (hxy - hxy1) / div } else { 0.0 };
    // HXY2 ≥ HXY in exact arithmetic (the product of the marginals has the
    // larger entropy), with equality for a rank-one matrix. PyRadiomics
    // takes the square root of whatever residue rounding leaves there: 0,
    // ≈1.5e-8 (√ε) or NaN (skipped by the mean over angles), depending on
    // the summation order. A difference within rounding of the entropies
    // is taken as the equality it is, so IMC2 is 0.
    let imc2 = if hxy2 - hxy <= ENTROPY_ROUNDING * hxy.abs().max(1.0) {
        0.0
    } else {
        (1.0 - std::f64::consts::E.powf(-2.0 * (hxy2 - hxy))).sqrt()
    };

    let ng2 = layout.ng * layout.ng;
    let idm = r.sum(px_sub_y.iter().enumerate().map(|(k, &v)| {
        let k = k_diff(k);
        v / (1.0 + k * k)
    }));
    let idmn = r.sum(px_sub_y.iter().enumerate().map(|(k, &v)| {
        let k = k_diff(k);
        v / (1.0 + (k * k) / ng2)
    }));
    let id = r.sum(
        px_sub_y
            .iter()
            .enumerate()
            .map(|(k, &v)| v / (1.0 + k_diff(k))),
    );
    let idn = r.sum(
        px_sub_y
            .iter()
            .enumerate()
            .map(|(k, &v)| v / (1.0 + (k_diff(k) / layout.ng))),
    );
    let inverse_variance = r.sum(px_sub_y.iter().enumerate().skip(1).map(|(k, &v)| {
        let k = k_diff(k);
        v / (k * k)
    }));
    let maximum_probability = p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum_average = r.sum(
        px_add_y
            .iter()
            .enumerate()
            .map(|(k, &v)| (k + 2) as f64 * v),
    );
    let sum_entropy = entropy(r, px_add_y.iter().copied());
    let sum_squares = r.sum((0..g * g).map(|k| {
        let d = level_i(k) - ux;
        p[k] * (d * d)
    }));

    let features = AngleFeatures {
        autocorrelation,
        joint_average: ux,
        cluster_prominence,
        cluster_shade,
        cluster_tendency,
        contrast,
        correlation,
        difference_average,
        difference_entropy,
        difference_variance,
        joint_energy,
        joint_entropy: hxy,
        imc1,
        imc2,
        idm,
        idmn,
        id,
        idn,
        inverse_variance,
        maximum_probability,
        sum_average,
        sum_entropy,
        sum_squares,
    };
    (features, px, py)
}

/// The second largest eigenvalue (re, im) of PyRadiomics' MCC matrix
/// `Q[i][j] = sum_k p[i][k] p[j][k] / (px[i] py[k] + eps)` (summed over `k`
/// in order, as glcm.py does), with whether any eigenvalue is complex.
fn mcc_eigenvalue(p: &[f64], px: &[f64], py: &[f64]) -> Result<((f64, f64), bool), FeatureError> {
    let g = px.len();
    // Only terms where both p[i][k] and p[j][k] are occupied are nonzero,
    // and adding +0 to a non-negative sum changes nothing: each Q[i][j]
    // accumulates its nonzero terms in increasing k, the order numpy's sum
    // sees them, while the zero terms are never visited.
    let mut column_rows: Vec<Vec<usize>> = vec![Vec::new(); g];
    for (j, row) in p.chunks_exact(g).enumerate() {
        for (k, &value) in row.iter().enumerate() {
            if value != 0.0 {
                column_rows[k].push(j);
            }
        }
    }
    let mut q = vec![0.0; g * g];
    for ((row_i, q_i), &px_i) in p.chunks_exact(g).zip(q.chunks_exact_mut(g)).zip(px) {
        for (k, (&p_ik, rows)) in row_i.iter().zip(&column_rows).enumerate() {
            if p_ik == 0.0 {
                continue;
            }
            let divisor = px_i * py[k] + EPS;
            for &j in rows {
                q_i[j] += (p_ik * p[j * g + k]) / divisor;
            }
        }
    }
    let mut values = eigen::eigenvalues(&mut q, g).ok_or_else(|| {
        not_applicable(
            CLASS,
            "MCC: the eigenvalues of the correlation matrix did not converge",
        )
    })?;
    let complex = values.iter().any(|&(_, im)| im != 0.0);
    // numpy sorts complex numbers by real part, then imaginary part.
    values.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    Ok((values[g - 2], complex))
}

/// The real part of the principal square root of `re + i im`
/// (`numpy.sqrt` of a complex number).
fn complex_sqrt_re(re: f64, im: f64) -> f64 {
    if im == 0.0 {
        return if re >= 0.0 { re.sqrt() } else { 0.0 };
    }
    let modulus = re.hypot(im);
    if re >= 0.0 {
        ((modulus + re) / 2.0).sqrt()
    } else {
        let imaginary = ((modulus - re) / 2.0).sqrt();
        im.abs() / (2.0 * imaginary)
    }
}

/// PyRadiomics' MCC from the second largest eigenvalue of each angle:
/// numpy returns real eigenvalues unless one of any angle is complex, so a
/// negative (rounding) eigenvalue gives NaN (skipped by the mean) among
/// real ones, and 0 among complex ones.
fn mcc(eigenvalues: &[((f64, f64), bool)]) -> f64 {
    let complex = eigenvalues.iter().any(|&(_, c)| c);
    let per_angle: Vec<f64> = eigenvalues
        .iter()
        .map(|&((re, im), _)| {
            if complex {
                complex_sqrt_re(re, im)
            } else if re.abs() <= EIGENVALUE_ROUNDING {
                // Q's eigenvalues are real and non-negative in exact
                // arithmetic (Q is similar to a positive semi-definite
                // matrix) and the largest is 1; a rank-one matrix has a
                // second eigenvalue of 0, which rounding leaves as ±1e-16.
                // PyRadiomics takes √ of that residue (≈1e-8, or NaN that
                // the mean skips) depending on the summation order.
                0.0
            } else {
                re.sqrt()
            }
        })
        .collect();
    nanmean(&per_angle)
}

/// Computes the requested features.
pub fn compute(
    input: &ClassInput<'_>,
    wanted: &[&'static str],
) -> Result<FeatureValues, FeatureError> {
    let settings = input.settings;
    let shape = input_shape(input, CLASS)?;
    let angles = generate_angles(
        shape,
        &settings.distances,
        false,
        settings.force_2d,
        settings.force_2d_dimension,
    );
    let roi = RoiLevels::new(input, CLASS, &angles)?;
    let g = roi.levels.len();
    let too_big = (2 * roi.ng as usize)
        .max(g * g)
        .saturating_mul(angles.len().max(1));
    if too_big > MAX_MATRIX_ELEMENTS {
        return Err(not_applicable(
            CLASS,
            format!(
                "{g} gray levels (up to {}) over {} angles make too large a matrix; use a larger binWidth or a binCount",
                roi.ng,
                angles.len()
            ),
        ));
    }
    let no_pairs = || {
        not_applicable(
            CLASS,
            "no two ROI voxels are neighbours at the given distances (PyRadiomics returns NaN)",
        )
    };
    if angles.is_empty() {
        return Err(no_pairs());
    }
    let gg = g * g;
    let mut matrices = count_pairs(&roi, &angles);
    if settings.symmetrical_glcm {
        for matrix in matrices.chunks_exact_mut(gg) {
            for i in 0..g {
                matrix[i * g + i] *= 2.0;
                for j in i + 1..g {
                    let both = matrix[i * g + j] + matrix[j * g + i];
                    matrix[i * g + j] = both;
                    matrix[j * g + i] = both;
                }
            }
        }
    }
    let weights = settings.weighting_norm.map(|norm| {
        let spacing = [input.spacing[2], input.spacing[1], input.spacing[0]];
        angles
            .iter()
            .map(|&a| weight(norm, a, spacing))
            .collect::<Vec<f64>>()
    });
    let Some((matrices, totals, kept)) = weigh_and_keep(matrices, gg, weights.as_deref()) else {
        return Err(no_pairs());
    };

    let layout = Layout::new(&roi);
    let mut r = Reducer::for_angles(kept.len());
    let mut per_angle = Vec::with_capacity(kept.len());
    let mut eigenvalues = Vec::with_capacity(kept.len());
    let want_mcc = wanted.contains(&"MCC") && g >= 2;
    let mut p = vec![0.0; gg];
    for &a in &kept {
        for (normalised, &count) in p.iter_mut().zip(&matrices[a * gg..(a + 1) * gg]) {
            *normalised = count / totals[a];
        }
        let (features, px, py) = angle_features(&p, &layout, &mut r);
        per_angle.push(features);
        if want_mcc {
            eigenvalues.push(mcc_eigenvalue(&p, &px, &py)?);
        }
    }

    let mean_of = |f: fn(&AngleFeatures) -> f64| {
        let values: Vec<f64> = per_angle.iter().map(f).collect();
        nanmean(&values)
    };
    let joint_average = numpy_mean(
        &per_angle
            .iter()
            .map(|f| f.joint_average)
            .collect::<Vec<_>>(),
    );
    let difference_average = mean_of(|f| f.difference_average);
    let id = mean_of(|f| f.id);
    let idm = mean_of(|f| f.idm);
    let cluster_tendency = mean_of(|f| f.cluster_tendency);
    // A single gray level: PyRadiomics returns 1 without eigenvalues.
    let mcc = if g < 2 {
        1.0
    } else if want_mcc {
        mcc(&eigenvalues)
    } else {
        f64::NAN
    };
    let all = [
        ("Autocorrelation", mean_of(|f| f.autocorrelation)),
        ("ClusterProminence", mean_of(|f| f.cluster_prominence)),
        ("ClusterShade", mean_of(|f| f.cluster_shade)),
        ("ClusterTendency", cluster_tendency),
        ("Contrast", mean_of(|f| f.contrast)),
        ("Correlation", mean_of(|f| f.correlation)),
        ("DifferenceAverage", difference_average),
        ("DifferenceEntropy", mean_of(|f| f.difference_entropy)),
        ("DifferenceVariance", mean_of(|f| f.difference_variance)),
        ("Dissimilarity", difference_average),
        ("Homogeneity1", id),
        ("Homogeneity2", idm),
        ("Id", id),
        ("Idm", idm),
        ("Idmn", mean_of(|f| f.idmn)),
        ("Idn", mean_of(|f| f.idn)),
        ("Imc1", mean_of(|f| f.imc1)),
        ("Imc2", mean_of(|f| f.imc2)),
        ("InverseVariance", mean_of(|f| f.inverse_variance)),
        ("JointAverage", joint_average),
        ("JointEnergy", mean_of(|f| f.joint_energy)),
        ("JointEntropy", mean_of(|f| f.joint_entropy)),
        ("MCC", mcc),
        ("MaximumProbability", mean_of(|f| f.maximum_probability)),
        ("SumAverage", mean_of(|f| f.sum_average)),
        ("SumEntropy", mean_of(|f| f.sum_entropy)),
        ("SumSquares", mean_of(|f| f.sum_squares)),
        ("SumVariance", cluster_tendency),
    ];
    let values = select(&all, wanted);
    if let Some((name, _)) = values.iter().find(|(_, v)| v.is_nan()) {
        return Err(not_applicable(
            CLASS,
            format!(
                "{name} is undefined for this ROI: it is NaN in every angle (rounding makes a \
                 quantity that should be 0 negative under a square root; PyRadiomics returns NaN)"
            ),
        ));
    }
    Ok(values)
}

/// Eigenvalues of a general real matrix, the way LAPACK's `dgeev` (behind
/// `numpy.linalg.eigvals`) finds them: balancing by powers of two,
/// Householder reduction to upper Hessenberg form, then the implicitly
/// shifted double-step QR algorithm (Francis) with deflation on negligible
/// subdiagonal elements.
mod eigen {
    /// The eigenvalues `(re, im)` of the `n × n` row-major matrix `a`
    /// (overwritten), complex ones in conjugate pairs; `None` if the QR
    /// iteration does not converge or the matrix is not finite.
    pub(super) fn eigenvalues(a: &mut [f64], n: usize) -> Option<Vec<(f64, f64)>> {
        if a.len() != n * n || a.iter().any(|v| !v.is_finite()) {
            return None;
        }
        if n == 2 {
            return Some(two_by_two([a[0], a[1], a[2], a[3]]).to_vec());
        }
        balance(a, n);
        hessenberg(a, n);
        hessenberg_qr(a, n)
    }

    /// The eigenvalues of a 2 × 2 matrix `[a, b; c, d]` exactly as LAPACK
    /// 3.11 computes them (`dgebal` with 2-norms, then `dlanv2`; checked bit
    /// for bit against `numpy.linalg.eigvals` on 20 000 MCC matrices). Two
    /// gray levels are common in small ROIs, and there the sign of a zero
    /// eigenvalue's rounding residue decides PyRadiomics' MCC (see
    /// [`super::mcc`]).
    pub(super) fn two_by_two(m: [f64; 4]) -> [(f64, f64); 2] {
        let [mut a, mut b, mut c, mut d] = m;
        // A zero off-diagonal element isolates the diagonal as eigenvalues.
        if b == 0.0 || c == 0.0 {
            return [(a, 0.0), (d, 0.0)];
        }
        // Balancing: powers of two make the row and column norms alike.
        let safe_min = f64::MIN_POSITIVE / f64::EPSILON;
        let (low, high) = (safe_min * 2.0, 1.0 / (safe_min * 2.0));
        loop {
            let mut converged = true;
            for i in 0..2 {
                let (column, row, diagonal) = if i == 0 { (c, b, a) } else { (b, c, d) };
                // dnrm2 of the column and of the row, diagonal included.
                let mut cn = (diagonal * diagonal + column * column).sqrt();
                let mut rn = (diagonal * diagonal + row * row).sqrt();
                let mut ca = diagonal.abs().max(column.abs());
                let mut ra = diagonal.abs().max(row.abs());
                let total = cn + rn;
                let mut f: f64 = 1.0;
                let mut g = rn / 2.0;
                while cn < g && f.max(cn).max(ca) < high && rn.min(g).min(ra) > low {
                    f *= 2.0;
                    cn *= 2.0;
                    ca *= 2.0;
                    rn /= 2.0;
                    g /= 2.0;
                    ra /= 2.0;
                }
                g = cn / 2.0;
                while g >= rn && rn.max(ra) < high && f.min(cn).min(g).min(ca) > low {
                    f /= 2.0;
                    cn /= 2.0;
                    g /= 2.0;
                    ca /= 2.0;
                    rn *= 2.0;
                    ra *= 2.0;
                }
                if cn + rn >= 0.95 * total {
                    continue;
                }
                converged = false;
                // Row i divided by f, column i multiplied by f.
                if i == 0 {
                    b /= f;
                    c *= f;
                } else {
                    c /= f;
                    b *= f;
                }
            }
            if converged {
                break;
            }
        }
        // dlanv2: the Schur factorisation of the 2 × 2 block.
        let sign = |x: f64| 1.0f64.copysign(x);
        if a - d == 0.0 && sign(b) != sign(c) {
            let im = b.abs().sqrt() * c.abs().sqrt();
            return [(a, im), (d, -im)];
        }
        let temp = a - d;
        let p = 0.5 * temp;
        let bc_max = b.abs().max(c.abs());
        let bc_mis = b.abs().min(c.abs()) * sign(b) * sign(c);
        let scale = p.abs().max(bc_max);
        let z = (p / scale) * p + (bc_max / scale) * bc_mis;
        if z >= 4.0 * f64::EPSILON {
            let z = p + (scale.sqrt() * z.sqrt()).copysign(p);
            return [(d + z, 0.0), (d - (bc_max / z) * bc_mis, 0.0)];
        }
        // Complex or nearly equal eigenvalues: equalise the diagonal.
        let sigma = b + c;
        // dlapy2, not hypot: the rounding must be LAPACK's.
        let (large, small) = (sigma.abs().max(temp.abs()), sigma.abs().min(temp.abs()));
        let tau = if small == 0.0 {
            large
        } else {
            large * (1.0 + (small / large) * (small / large)).sqrt()
        };
        let cs = (0.5 * (1.0 + sigma.abs() / tau)).sqrt();
        let sn = -(p / (tau * cs)) * sign(sigma);
        let (aa, bb) = (a * cs + b * sn, -a * sn + b * cs);
        let (cc, dd) = (c * cs + d * sn, -c * sn + d * cs);
        a = aa * cs + cc * sn;
        b = bb * cs + dd * sn;
        c = -aa * sn + cc * cs;
        d = -bb * sn + dd * cs;
        let mean = 0.5 * (a + d);
        if c != 0.0 && b != 0.0 && sign(b) == sign(c) {
            let p = (b.abs().sqrt() * c.abs().sqrt()).copysign(c);
            return [(mean + p, 0.0), (mean - p, 0.0)];
        }
        if c == 0.0 || b == 0.0 {
            return [(mean, 0.0), (mean, 0.0)];
        }
        let im = b.abs().sqrt() * c.abs().sqrt();
        [(mean, im), (mean, -im)]
    }

    /// Scales rows and columns by powers of two (exact) so that each row
    /// and its column have similar norms, which makes the eigenvalues less
    /// sensitive to rounding; the eigenvalues are unchanged.
    fn balance(a: &mut [f64], n: usize) {
        const RADIX: f64 = 2.0;
        for _sweep in 0..100 {
            let mut converged = true;
            for i in 0..n {
                let mut column = 0.0;
                let mut row = 0.0;
                for j in (0..n).filter(|&j| j != i) {
                    column += a[j * n + i].abs();
                    row += a[i * n + j].abs();
                }
                if column == 0.0 || row == 0.0 {
                    continue;
                }
                let total = column + row;
                let mut factor = 1.0;
                let mut scaled = column;
                while scaled < row / RADIX {
                    factor *= RADIX;
                    scaled *= RADIX * RADIX;
                }
                while scaled > row * RADIX {
                    factor /= RADIX;
                    scaled /= RADIX * RADIX;
                }
                if (scaled + row) / factor < 0.95 * total {
                    converged = false;
                    for j in 0..n {
                        a[i * n + j] /= factor;
                        a[j * n + i] *= factor;
                    }
                }
            }
            if converged {
                break;
            }
        }
    }

    /// Reduces `a` to upper Hessenberg form by Householder reflections
    /// `H = I - v vᵀ / h` applied on both sides (a similarity).
    fn hessenberg(a: &mut [f64], n: usize) {
        let mut v = vec![0.0; n];
        let mut f = vec![0.0; n];
        for k in 0..n.saturating_sub(2) {
            let scale: f64 = (k + 1..n).map(|i| a[i * n + k].abs()).sum();
            if scale == 0.0 {
                continue;
            }
            let mut h = 0.0;
            for i in k + 1..n {
                v[i] = a[i * n + k] / scale;
                h += v[i] * v[i];
            }
            let alpha = -h.sqrt().copysign(v[k + 1]);
            h -= v[k + 1] * alpha;
            v[k + 1] -= alpha;
            // H A, columns right of k (column k becomes alpha e1 below);
            // row by row, for contiguous access.
            f.fill(0.0);
            for i in k + 1..n {
                let vi = v[i];
                let row = &a[i * n + k + 1..(i + 1) * n];
                for (fj, &aij) in f[k + 1..n].iter_mut().zip(row) {
                    *fj += vi * aij;
                }
            }
            // `f[j] / h` once per column rather than once per element: the
            // same quotient, so the same result, without a division in the
            // inner loop.
            for fj in &mut f[k + 1..n] {
                *fj /= h;
            }
            for i in k + 1..n {
                let vi = v[i];
                let row = &mut a[i * n + k + 1..(i + 1) * n];
                for (aij, &fj) in row.iter_mut().zip(&f[k + 1..n]) {
                    *aij -= fj * vi;
                }
            }
            // (H A) H, all rows.
            for i in 0..n {
                let row = &mut a[i * n + k + 1..(i + 1) * n];
                let vs = &v[k + 1..n];
                let f = row.iter().zip(vs).map(|(a, v)| a * v).sum::<f64>() / h;
                for (aij, &vj) in row.iter_mut().zip(vs) {
                    *aij -= f * vj;
                }
            }
            a[(k + 1) * n + k] = scale * alpha;
            for i in k + 2..n {
                a[i * n + k] = 0.0;
            }
        }
    }

    /// Eigenvalues of an upper Hessenberg matrix by Francis double-shift
    /// QR steps on the active block, deflating one (real) or two (a real
    /// or complex pair from the trailing 2 × 2 block) at a time.
    fn hessenberg_qr(a: &mut [f64], n: usize) -> Option<Vec<(f64, f64)>> {
        let at = |i: usize, j: usize| i * n + j;
        let mut values = vec![(0.0, 0.0); n];
        let norm: f64 = (0..n)
            .flat_map(|i| (i.saturating_sub(1)..n).map(move |j| (i, j)))
            .map(|(i, j)| a[at(i, j)].abs())
            .sum();
        // Accumulated exceptional shifts.
        let mut shift = 0.0;
        // `last + 1` eigenvalues remain: rows and columns 0..=last.
        let mut remaining = n;
        while remaining > 0 {
            let last = remaining - 1;
            let mut iterations = 0;
            loop {
                // The lowest `low` above which the subdiagonal is not negligible.
                let mut low = last;
                while low > 0 {
                    let mut s = a[at(low - 1, low - 1)].abs() + a[at(low, low)].abs();
                    if s == 0.0 {
                        s = norm;
                    }
                    if a[at(low, low - 1)].abs() + s == s {
                        a[at(low, low - 1)] = 0.0;
                        break;
                    }
                    low -= 1;
                }
                let mut x = a[at(last, last)];
                if low == last {
                    values[last] = (x + shift, 0.0);
                    remaining -= 1;
                    break;
                }
                let mut y = a[at(last - 1, last - 1)];
                let mut w = a[at(last, last - 1)] * a[at(last - 1, last)];
                if low == last - 1 {
                    let p = 0.5 * (y - x);
                    let q = p * p + w;
                    let z = q.abs().sqrt();
                    x += shift;
                    if q >= 0.0 {
                        let z = p + z.copysign(p);
                        let second = if z != 0.0 { x - w / z } else { x + z };
                        values[last - 1] = (x + z, 0.0);
                        values[last] = (second, 0.0);
                    } else {
                        values[last - 1] = (x + p, -z);
                        values[last] = (x + p, z);
                    }
                    remaining -= 2;
                    break;
                }
                if iterations == 60 {
                    return None;
                }
                if iterations == 10 || iterations == 20 {
                    // Exceptional shift, to break cycles.
                    shift += x;
                    for i in 0..=last {
                        a[at(i, i)] -= x;
                    }
                    let s = a[at(last, last - 1)].abs() + a[at(last - 1, last - 2)].abs();
                    x = 0.75 * s;
                    y = x;
                    w = -0.4375 * s * s;
                }
                iterations += 1;
                // Start the double step where two consecutive subdiagonal
                // elements are small enough.
                let mut m = last - 2;
                let (mut p, mut q, mut r);
                loop {
                    let z = a[at(m, m)];
                    let rr = x - z;
                    let ss = y - z;
                    p = (rr * ss - w) / a[at(m + 1, m)] + a[at(m, m + 1)];
                    q = a[at(m + 1, m + 1)] - z - rr - ss;
                    r = a[at(m + 2, m + 1)];
                    let s = p.abs() + q.abs() + r.abs();
                    p /= s;
                    q /= s;
                    r /= s;
                    if m == low {
                        break;
                    }
                    let u = a[at(m, m - 1)].abs() * (q.abs() + r.abs());
                    let v =
                        p.abs() * (a[at(m - 1, m - 1)].abs() + z.abs() + a[at(m + 1, m + 1)].abs());
                    if u + v == v {
                        break;
                    }
                    m -= 1;
                }
                for i in m + 2..=last {
                    a[at(i, i - 2)] = 0.0;
                    if i != m + 2 {
                        a[at(i, i - 3)] = 0.0;
                    }
                }
                // The double QR step on rows low..=last, columns m..=last.
                for k in m..last {
                    if k != m {
                        p = a[at(k, k - 1)];
                        q = a[at(k + 1, k - 1)];
                        r = if k != last - 1 {
                            a[at(k + 2, k - 1)]
                        } else {
                            0.0
                        };
                        x = p.abs() + q.abs() + r.abs();
                        if x != 0.0 {
                            p /= x;
                            q /= x;
                            r /= x;
                        }
                    }
                    let s = (p * p + q * q + r * r).sqrt().copysign(p);
                    if s == 0.0 {
                        continue;
                    }
                    if k == m {
                        if low != m {
                            a[at(k, k - 1)] = -a[at(k, k - 1)];
                        }
                    } else {
                        a[at(k, k - 1)] = -s * x;
                    }
                    p += s;
                    x = p / s;
                    y = q / s;
                    let z = r / s;
                    q /= p;
                    r /= p;
                    // The same operations as element by element, on row
                    // slices and with the three-row test out of the loops.
                    let (upper, lower) = a.split_at_mut(at(k + 1, 0));
                    let row_k = &mut upper[at(k, k)..at(k, last + 1)];
                    if k != last - 1 {
                        let (row_1, row_2) = lower.split_at_mut(n);
                        let row_1 = &mut row_1[k..=last];
                        let row_2 = &mut row_2[k..=last];
                        for ((a0, a1), a2) in row_k.iter_mut().zip(row_1).zip(row_2) {
                            let mut t = *a0 + q * *a1;
                            t += r * *a2;
                            *a2 -= t * z;
                            *a1 -= t * y;
                            *a0 -= t * x;
                        }
                    } else {
                        let row_1 = &mut lower[k..=last];
                        for (a0, a1) in row_k.iter_mut().zip(row_1) {
                            let t = *a0 + q * *a1;
                            *a1 -= t * y;
                            *a0 -= t * x;
                        }
                    }
                    let bottom = last.min(k + 3);
                    for i in low..=bottom {
                        let cells = &mut a[at(i, k)..at(i, k) + 3.min(n - k)];
                        if k != last - 1 {
                            let mut t = x * cells[0] + y * cells[1];
                            t += z * cells[2];
                            cells[2] -= t * r;
                            cells[1] -= t * q;
                            cells[0] -= t;
                        } else {
                            let t = x * cells[0] + y * cells[1];
                            cells[1] -= t * q;
                            cells[0] -= t;
                        }
                    }
                }
            }
        }
        Some(values)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::HashMap;

    use ndarray::Array3;

    use super::*;
    use crate::radiomics::settings::{Settings, WeightingNorm};

    /// Shape of the fixtures, `[z, y, x]`.
    pub(crate) const SHAPE: (usize, usize, usize) = (3, 4, 5);
    /// Spacing (x, y, z) of the fixtures; anisotropic, so that the weighting
    /// norms differ.
    pub(crate) const SPACING: [f64; 3] = [0.7, 0.9, 2.5];

    /// Seven gray levels under binWidth 10: `((7z + 3y + 5x + zyx) mod 7) × 10`.
    pub(crate) fn textured() -> Array3<f64> {
        Array3::from_shape_fn(SHAPE, |(z, y, x)| {
            ((z * 7 + y * 3 + x * 5 + z * y * x) % 7) as f64 * 10.0
        })
    }

    /// The whole block but for holes at (1, 1, 1), (1, 1, 3) and the column
    /// y = 2, x = 2 through all slices.
    pub(crate) fn holes() -> Array3<bool> {
        Array3::from_shape_fn(SHAPE, |(z, y, x)| {
            !((z == 1 && y == 1 && (x == 1 || x == 3)) || (y == 2 && x == 2))
        })
    }

    /// The middle slice only: a 2D ROI in a 3D array.
    pub(crate) fn slab() -> Array3<bool> {
        Array3::from_shape_fn(SHAPE, |(z, _, _)| z == 1)
    }

    /// Default settings with binWidth 10.
    pub(crate) fn width_10() -> Settings {
        Settings {
            bin_width: 10.0,
            ..Settings::default()
        }
    }

    /// Every feature of a class (deprecated ones included) by name.
    pub(crate) fn all_features(
        compute: fn(&ClassInput<'_>, &[&'static str]) -> Result<FeatureValues, FeatureError>,
        table: &[FeatureDef],
        image: &Array3<f64>,
        mask: &Array3<bool>,
        settings: &Settings,
    ) -> Result<HashMap<&'static str, f64>, FeatureError> {
        let input = ClassInput {
            image,
            mask,
            spacing: SPACING,
            settings,
        };
        let names: Vec<&'static str> = table.iter().map(|f| f.name).collect();
        Ok(compute(&input, &names)?.into_iter().collect())
    }

    fn glcm(
        image: &Array3<f64>,
        mask: &Array3<bool>,
        settings: &Settings,
    ) -> HashMap<&'static str, f64> {
        all_features(compute, FEATURES, image, mask, settings).unwrap()
    }

    /// Asserts that every expected value is matched to 1e-12 relative (or
    /// 1e-15 absolute near zero).
    pub(crate) fn assert_matches(got: &HashMap<&'static str, f64>, expected: &[(&str, f64)]) {
        for &(name, want) in expected {
            let value = got[name];
            let error = (value - want).abs();
            assert!(
                error <= 1e-15 || error <= 1e-12 * want.abs(),
                "{name}: {value} vs {want}"
            );
        }
    }

    #[test]
    fn a_two_by_two_slice_by_hand() {
        // Levels [[1, 2], [2, 1]] (binWidth 1). Symmetric, normalised
        // matrices of the four in-plane angles:
        // (0,1,1): [[1, 0], [0, 0]]; (0,1,0): [[0, ½], [½, 0]];
        // (0,1,-1): [[0, 0], [0, 1]]; (0,0,1): [[0, ½], [½, 0]].
        let image = Array3::from_shape_vec((1, 2, 2), vec![1.0, 2.0, 2.0, 1.0]).unwrap();
        let mask = Array3::from_elem((1, 2, 2), true);
        let settings = Settings {
            bin_width: 1.0,
            ..Settings::default()
        };
        let f = glcm(&image, &mask, &settings);
        let exact = |name: &str, want: f64| assert_eq!(f[name], want, "{name}");
        exact("Contrast", (0.0 + 1.0 + 0.0 + 1.0) / 4.0);
        exact("JointEnergy", (1.0 + 0.5 + 1.0 + 0.5) / 4.0);
        exact("Autocorrelation", (1.0 + 2.0 + 4.0 + 2.0) / 4.0);
        exact("JointAverage", (1.0 + 1.5 + 2.0 + 1.5) / 4.0);
        exact("SumAverage", (2.0 + 3.0 + 4.0 + 3.0) / 4.0);
        exact("MaximumProbability", (1.0 + 0.5 + 1.0 + 0.5) / 4.0);
        exact("DifferenceAverage", 0.5);
        exact("Id", (1.0 + 0.5 + 1.0 + 0.5) / 4.0);
        exact("InverseVariance", 0.5);
        // Flat angles correlate by definition (1); the others perfectly
        // anti-correlate (-1, up to eps in the divisor).
        assert!(f["Correlation"].abs() < 1e-15, "{}", f["Correlation"]);
        // Two levels: the joint entropy of the mixed angles is 1 bit.
        assert!((f["JointEntropy"] - 0.5).abs() < 1e-15);
    }

    // Expected values in the tests below are PyRadiomics 3.1.4's
    // (`glcm.RadiomicsGLCM` on the same numpy arrays, spacing (0.7, 0.9,
    // 2.5), binWidth 10 unless said otherwise).

    #[test]
    fn a_flat_roi_matches_pyradiomics() {
        const FLAT: &[(&str, f64)] = &[
            ("Autocorrelation", 1.0),
            ("ClusterProminence", 0.0),
            ("ClusterShade", 0.0),
            ("ClusterTendency", 0.0),
            ("Contrast", 0.0),
            ("Correlation", 1.0),
            ("DifferenceAverage", 0.0),
            ("DifferenceEntropy", -3.2034265038149176e-16),
            ("DifferenceVariance", 0.0),
            ("Id", 1.0),
            ("Idm", 1.0),
            ("Idmn", 1.0),
            ("Idn", 1.0),
            ("Imc1", 0.0),
            ("Imc2", 0.0),
            ("InverseVariance", 0.0),
            ("JointAverage", 1.0),
            ("JointEnergy", 1.0),
            ("JointEntropy", -3.2034265038149176e-16),
            ("MCC", 1.0),
            ("MaximumProbability", 1.0),
            ("SumAverage", 2.0),
            ("SumEntropy", -3.2034265038149176e-16),
            ("SumSquares", 0.0),
        ];
        let image = textured().mapv(|_| 42.0);
        let f = glcm(&image, &holes(), &width_10());
        for &(name, want) in FLAT {
            assert_eq!(f[name], want, "{name}");
        }
    }

    #[test]
    fn an_roi_with_holes_matches_pyradiomics() {
        const HOLES: &[(&str, f64)] = &[
            ("Autocorrelation", 19.854191411157352),
            ("ClusterProminence", 137.34525130117134),
            ("ClusterShade", -3.3802791206538214),
            ("ClusterTendency", 7.507536686327596),
            ("Contrast", 9.301328581978737),
            ("Correlation", -0.10798300679436267),
            ("DifferenceAverage", 2.5074642477119258),
            ("DifferenceEntropy", 2.341249876599085),
            ("DifferenceVariance", 2.8918831511523613),
            ("Id", 0.40250779153384936),
            ("Idm", 0.3058512919703259),
            ("Idmn", 0.8620401742065078),
            ("Idn", 0.7613221683254652),
            ("Imc1", -0.2934887594708107),
            ("Imc2", 0.8742534947121878),
            ("InverseVariance", 0.2289566268657256),
            ("JointAverage", 4.5026312553402335),
            ("JointEnergy", 0.056301257514311094),
            ("JointEntropy", 4.38621707227003),
            ("MCC", 0.6709895523661734),
            ("MaximumProbability", 0.10623573765988627),
            ("SumAverage", 9.005262510680467),
            ("SumEntropy", 3.060609641932251),
            ("SumSquares", 4.202216317076583),
        ];
        assert_matches(&glcm(&textured(), &holes(), &width_10()), HOLES);
    }

    #[test]
    fn a_2d_roi_in_a_3d_array_matches_pyradiomics_and_its_own_slice() {
        const SLAB: &[(&str, f64)] = &[
            ("Autocorrelation", 23.026041666666664),
            ("ClusterProminence", 208.59932819711187),
            ("ClusterShade", -8.730194986979154),
            ("ClusterTendency", 9.432634548611112),
            ("Contrast", 10.186458333333333),
            ("Correlation", -0.03082245943738618),
            ("DifferenceAverage", 2.5385416666666663),
            ("DifferenceEntropy", 2.5296745066648585),
            ("DifferenceVariance", 3.4395442708333333),
            ("Id", 0.41968750000000005),
            ("Idm", 0.335858976906771),
            ("Idmn", 0.855288513782383),
            ("Idn", 0.7642974010942761),
            ("Imc1", -0.31182338171094887),
            ("Imc2", 0.8760249811426827),
            ("InverseVariance", 0.2731956018518518),
            ("JointAverage", 4.817187499999999),
            ("JointEnergy", 0.07173177083333333),
            ("JointEntropy", 4.12537244089331),
            ("MCC", 0.6241510465998211),
            ("MaximumProbability", 0.15416666666666667),
            ("SumAverage", 9.634374999999999),
            ("SumEntropy", 3.093683834043603),
            ("SumSquares", 4.904773220486112),
        ];
        let f = glcm(&textured(), &slab(), &width_10());
        assert_matches(&f, SLAB);
        // The angles across slices find no pairs and are dropped, so the
        // slice alone gives the same features.
        let slice = textured().slice(ndarray::s![1..2, .., ..]).to_owned();
        let mask = Array3::from_elem(slice.raw_dim(), true);
        assert_matches(&glcm(&slice, &mask, &width_10()), SLAB);
    }

    #[test]
    fn an_asymmetric_glcm_matches_pyradiomics() {
        const ASYMMETRIC: &[(&str, f64)] = &[
            ("Autocorrelation", 19.854191411157355),
            ("ClusterProminence", 137.34525130117134),
            ("ClusterShade", -3.380279120653812),
            ("ClusterTendency", 7.507536686327596),
            ("Contrast", 9.301328581978737),
            ("Correlation", -0.10213508465960318),
            ("DifferenceAverage", 2.5074642477119258),
            ("DifferenceEntropy", 2.341249876599085),
            ("DifferenceVariance", 2.8918831511523613),
            ("Id", 0.40250779153384936),
            ("Idm", 0.3058512919703259),
            ("Idmn", 0.8620401742065078),
            ("Idn", 0.761322168325465),
            ("Imc1", -0.4105462808976656),
            ("Imc2", 0.9336816686704813),
            ("InverseVariance", 0.2289566268657256),
            ("JointAverage", 4.500408985006508),
            ("JointEnergy", 0.0778946576065125),
            ("JointEntropy", 3.8988164139651578),
            ("MCC", 0.8434420213297623),
            ("MaximumProbability", 0.14035712596084113),
            ("SumAverage", 9.005262510680467),
            ("SumEntropy", 3.060609641932251),
            ("SumSquares", 4.401337509351862),
        ];
        let settings = Settings {
            symmetrical_glcm: false,
            ..width_10()
        };
        assert_matches(&glcm(&textured(), &holes(), &settings), ASYMMETRIC);
    }

    #[test]
    fn two_distances_match_pyradiomics() {
        const TWO_DISTANCES: &[(&str, f64)] = &[
            ("Autocorrelation", 18.589357896608995),
            ("ClusterProminence", 130.46707293533163),
            ("ClusterShade", -3.1249046553550155),
            ("ClusterTendency", 7.4302104307557215),
            ("Contrast", 8.20108835412783),
            ("Correlation", -0.05172592212507095),
            ("DifferenceAverage", 2.3131071142571233),
            ("DifferenceEntropy", 2.1682250841294888),
            ("DifferenceVariance", 2.621669964977112),
            ("Id", 0.4198052081521201),
            ("Idm", 0.33288108289444157),
            ("Idmn", 0.8769786474457767),
            ("Idn", 0.7760088844936378),
            ("Imc1", -0.41179895951788104),
            ("Imc2", 0.9171670787280893),
            ("InverseVariance", 0.29774944795795766),
            ("JointAverage", 4.321438778319323),
            ("JointEnergy", 0.07372565154622646),
            ("JointEntropy", 3.962831008236675),
            ("MCC", 0.7868277544905972),
            ("MaximumProbability", 0.11664722284321331),
            ("SumAverage", 8.642877556638647),
            ("SumEntropy", 2.715211186516909),
            ("SumSquares", 3.907824696220887),
        ];
        let settings = Settings {
            distances: vec![1, 2],
            ..width_10()
        };
        assert_matches(&glcm(&textured(), &holes(), &settings), TWO_DISTANCES);
    }

    #[test]
    fn every_weighting_norm_matches_pyradiomics() {
        const INFINITY: &[(&str, f64)] = &[
            ("Autocorrelation", 18.4197264608203),
            ("ClusterProminence", 131.95978153737946),
            ("ClusterShade", 1.4141771910441223),
            ("ClusterTendency", 7.387294038410502),
            ("Contrast", 8.9517013666085),
            ("Correlation", -0.09574684914333495),
            ("DifferenceAverage", 2.5070019947845616),
            ("DifferenceEntropy", 2.5546764379976112),
            ("DifferenceVariance", 2.6666423647547277),
            ("Id", 0.38865275550248946),
            ("Idm", 0.2876988171990283),
            ("Idmn", 0.8643268375465875),
            ("Idn", 0.7586342597866154),
            ("Imc1", -0.08554148162308643),
            ("Imc2", 0.6038107208723302),
            ("InverseVariance", 0.2305991377803661),
            ("JointAverage", 4.337145177748815),
            ("JointEnergy", 0.03649930048814749),
            ("JointEntropy", 5.074555552483608),
            ("MCC", 0.31245876174983667),
            ("MaximumProbability", 0.06194106471380946),
            ("SumAverage", 8.674290355497629),
            ("SumEntropy", 3.3787688165394507),
            ("SumSquares", 4.0847488512547505),
        ];
        const EUCLIDEAN: &[(&str, f64)] = &[
            ("Autocorrelation", 18.219917748594554),
            ("ClusterProminence", 123.31127089951588),
            ("ClusterShade", 3.0026932835150717),
            ("ClusterTendency", 7.139290461005846),
            ("Contrast", 9.21906069836578),
            ("Correlation", -0.1271381337335116),
            ("DifferenceAverage", 2.5590846167629606),
            ("DifferenceEntropy", 2.549357953158944),
            ("DifferenceVariance", 2.670146622612947),
            ("Id", 0.38430205121365235),
            ("Idm", 0.2814170769568263),
            ("Idmn", 0.8601960430872639),
            ("Idn", 0.7546091351250076),
            ("Imc1", -0.09784069959596277),
            ("Imc2", 0.6361143278214061),
            ("InverseVariance", 0.2157452230761941),
            ("JointAverage", 4.328956029799164),
            ("JointEnergy", 0.03736012262468457),
            ("JointEntropy", 5.04106938850057),
            ("MCC", 0.334027881501729),
            ("MaximumProbability", 0.06421621554665642),
            ("SumAverage", 8.657912059598328),
            ("SumEntropy", 3.345897780135481),
            ("SumSquares", 4.0895877898429065),
        ];
        const MANHATTAN: &[(&str, f64)] = &[
            ("Autocorrelation", 17.893289617820376),
            ("ClusterProminence", 109.34095553124047),
            ("ClusterShade", 5.571015721123655),
            ("ClusterTendency", 6.727348428035749),
            ("Contrast", 9.663683342359473),
            ("Correlation", -0.17914277486956054),
            ("DifferenceAverage", 2.645639615340905),
            ("DifferenceEntropy", 2.522026628798054),
            ("DifferenceVariance", 2.664274368098302),
            ("Id", 0.3770832467612871),
            ("Idm", 0.2709980406750331),
            ("Idmn", 0.8533294302772385),
            ("Idn", 0.7479221682119407),
            ("Imc1", -0.13226301573262358),
            ("Imc2", 0.7096953861888124),
            ("InverseVariance", 0.191097712502887),
            ("JointAverage", 4.315944085180124),
            ("JointEnergy", 0.03954480216383626),
            ("JointEntropy", 4.946080786137032),
            ("MCC", 0.4196053386681416),
            ("MaximumProbability", 0.07095914455628023),
            ("SumAverage", 8.631888170360249),
            ("SumEntropy", 3.2742121303243947),
            ("SumSquares", 4.097757942598806),
        ];
        const NO_WEIGHTING: &[(&str, f64)] = &[
            ("Autocorrelation", 19.641744548286603),
            ("ClusterProminence", 141.56872242561698),
            ("ClusterShade", -2.4312605686010116),
            ("ClusterTendency", 7.698450131501053),
            ("Contrast", 9.236760124610592),
            ("Correlation", -0.09083501000847558),
            ("DifferenceAverage", 2.4890965732087222),
            ("DifferenceEntropy", 2.6760831710849873),
            ("DifferenceVariance", 3.0411583738511854),
            ("Id", 0.4079735944221925),
            ("Idm", 0.31172797951247644),
            ("Idmn", 0.8628702424626743),
            ("Idn", 0.7631671979802821),
            ("Imc1", -0.031375687438941605),
            ("Imc2", 0.3896648903710818),
            ("InverseVariance", 0.2223122187608169),
            ("JointAverage", 4.475077881619937),
            ("JointEnergy", 0.033845750720586945),
            ("JointEntropy", 5.166450504661184),
            ("MCC", 0.2194522882873014),
            ("MaximumProbability", 0.06230529595015576),
            ("SumAverage", 8.950155763239875),
            ("SumEntropy", 3.4206593694910974),
            ("SumSquares", 4.233802564027911),
        ];
        for (norm, expected) in [
            (WeightingNorm::Infinity, INFINITY),
            (WeightingNorm::Euclidean, EUCLIDEAN),
            (WeightingNorm::Manhattan, MANHATTAN),
            (WeightingNorm::NoWeighting, NO_WEIGHTING),
        ] {
            let settings = Settings {
                weighting_norm: Some(norm),
                ..width_10()
            };
            assert_matches(&glcm(&textured(), &holes(), &settings), expected);
        }
    }

    #[test]
    fn force_2d_matches_pyradiomics() {
        const FORCE_2D: &[(&str, f64)] = &[
            ("Autocorrelation", 18.685435811751603),
            ("ClusterProminence", 145.352315562152),
            ("ClusterShade", -0.7005400246480624),
            ("ClusterTendency", 7.743055720344519),
            ("Contrast", 8.636737677527151),
            ("Correlation", -0.05482549052968487),
            ("DifferenceAverage", 2.4603104984683934),
            ("DifferenceEntropy", 2.243412996514277),
            ("DifferenceVariance", 2.511358090800813),
            ("Id", 0.39037501160308175),
            ("Idm", 0.2902866142262427),
            ("Idmn", 0.8684792437168816),
            ("Idn", 0.7616811678142087),
            ("Imc1", -0.27822461783643043),
            ("Imc2", 0.8701036811406735),
            ("InverseVariance", 0.24286330796126115),
            ("JointAverage", 4.34817947646895),
            ("JointEnergy", 0.051048456795939536),
            ("JointEntropy", 4.526501155791178),
            ("MCC", 0.6213817606474776),
            ("MaximumProbability", 0.09404065719855192),
            ("SumAverage", 8.696358952937901),
            ("SumEntropy", 3.1458499172992496),
            ("SumSquares", 4.094948349467918),
        ];
        let settings = Settings {
            force_2d: true,
            ..width_10()
        };
        assert_matches(&glcm(&textured(), &holes(), &settings), FORCE_2D);
    }

    #[test]
    fn a_bin_count_matches_pyradiomics() {
        // Intensities `textured() × 1.37 + 3.1`, binCount 5.
        const BIN_COUNT: &[(&str, f64)] = &[
            ("Autocorrelation", 10.865799015799015),
            ("ClusterProminence", 50.71018236345223),
            ("ClusterShade", -2.4312452961768973),
            ("ClusterTendency", 4.641374470393029),
            ("Contrast", 5.582566624981486),
            ("Correlation", -0.09681601199268317),
            ("DifferenceAverage", 1.9168194894201087),
            ("DifferenceEntropy", 2.008306238769151),
            ("DifferenceVariance", 1.8289260647945607),
            ("Id", 0.4696631982854893),
            ("Idm", 0.3801080758210607),
            ("Idmn", 0.843443874592612),
            ("Idn", 0.753484752793687),
            ("Imc1", -0.1933052229114805),
            ("Imc2", 0.7188756900580705),
            ("InverseVariance", 0.23918093348939148),
            ("JointAverage", 3.330054001725828),
            ("JointEnergy", 0.09429992034240922),
            ("JointEntropy", 3.6137032745081497),
            ("MCC", 0.5210180129429024),
            ("MaximumProbability", 0.151301741201122),
            ("SumAverage", 6.660108003451656),
            ("SumEntropy", 2.596489541895523),
            ("SumSquares", 2.555985273843629),
        ];
        let image = textured().mapv(|v| v * 1.37 + 3.1);
        let settings = Settings {
            bin_count: Some(5),
            ..Settings::default()
        };
        assert_matches(&glcm(&image, &holes(), &settings), BIN_COUNT);
    }

    #[test]
    fn deprecated_features_equal_the_features_pyradiomics_names() {
        let f = glcm(&textured(), &holes(), &width_10());
        assert_eq!(f["Dissimilarity"], f["DifferenceAverage"]);
        assert_eq!(f["Homogeneity1"], f["Id"]);
        assert_eq!(f["Homogeneity2"], f["Idm"]);
        assert_eq!(f["SumVariance"], f["ClusterTendency"]);
    }

    #[test]
    fn features_come_in_the_order_asked_for() {
        let image = textured();
        let mask = holes();
        let settings = width_10();
        let input = ClassInput {
            image: &image,
            mask: &mask,
            spacing: SPACING,
            settings: &settings,
        };
        let names: Vec<&str> = compute(&input, &["MCC", "Contrast", "Id"])
            .unwrap()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(names, ["MCC", "Contrast", "Id"]);
    }

    fn error_of(image: &Array3<f64>, mask: &Array3<bool>, settings: &Settings) -> String {
        all_features(compute, FEATURES, image, mask, settings)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn rois_without_features_are_errors_that_say_why() {
        let image = textured();
        let settings = width_10();
        let none = Array3::from_elem(SHAPE, false);
        assert_eq!(error_of(&image, &none, &settings), "glcm: the ROI is empty");
        let other_shape = Array3::from_elem((3, 4, 4), true);
        assert!(error_of(&image, &other_shape, &settings).contains("differ in shape"));
        // Two voxels that are no neighbours at distance 1.
        let mut apart = Array3::from_elem(SHAPE, false);
        apart[[0, 0, 0]] = true;
        apart[[2, 3, 4]] = true;
        assert!(error_of(&image, &apart, &settings).contains("no two ROI voxels are neighbours"));
        let mut nan = textured();
        nan[[1, 0, 0]] = f64::NAN;
        assert!(error_of(&nan, &holes(), &settings).contains("non-finite"));
        let mut huge = textured();
        huge[[1, 0, 0]] = 1e300;
        assert!(error_of(&huge, &holes(), &settings).contains("gray levels, more than"));
        let empty = Array3::<f64>::zeros((0, 4, 5));
        let empty_mask = Array3::from_elem((0, 4, 5), true);
        assert_eq!(
            error_of(&empty, &empty_mask, &settings),
            "glcm: the ROI is empty"
        );
    }

    fn sorted_eigenvalues(mut a: Vec<f64>, n: usize) -> Vec<(f64, f64)> {
        let mut values = eigen::eigenvalues(&mut a, n).unwrap();
        values.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        values
    }

    #[test]
    fn eigenvalues_of_known_matrices() {
        let close = |got: &[(f64, f64)], want: &[(f64, f64)]| {
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(want) {
                assert!(
                    (g.0 - w.0).abs() < 1e-12 && (g.1 - w.1).abs() < 1e-12,
                    "{got:?} vs {want:?}"
                );
            }
        };
        close(
            &sorted_eigenvalues(vec![2.0, 1.0, 1.0, 2.0], 2),
            &[(1.0, 0.0), (3.0, 0.0)],
        );
        // A rotation by 90°: ±i.
        close(
            &sorted_eigenvalues(vec![0.0, -1.0, 1.0, 0.0], 2),
            &[(0.0, -1.0), (0.0, 1.0)],
        );
        // The companion matrix of (x-1)(x-2)(x-3)(x-4)(x-5).
        let companion = vec![
            15.0, -85.0, 225.0, -274.0, 120.0, //
            1.0, 0.0, 0.0, 0.0, 0.0, //
            0.0, 1.0, 0.0, 0.0, 0.0, //
            0.0, 0.0, 1.0, 0.0, 0.0, //
            0.0, 0.0, 0.0, 1.0, 0.0,
        ];
        close(
            &sorted_eigenvalues(companion, 5),
            &[(1.0, 0.0), (2.0, 0.0), (3.0, 0.0), (4.0, 0.0), (5.0, 0.0)],
        );
        // Triangular with a zero row and badly scaled entries.
        let scaled = vec![
            1e-8, 1e8, 3.0, //
            0.0, 0.0, 0.0, //
            0.0, 0.0, 7.0,
        ];
        close(
            &sorted_eigenvalues(scaled, 3),
            &[(0.0, 0.0), (1e-8, 0.0), (7.0, 0.0)],
        );
        assert!(eigen::eigenvalues(&mut [f64::NAN], 1).is_none());
    }

    #[test]
    fn two_by_two_eigenvalues_are_lapacks_to_the_bit() {
        // Inputs and outputs are `numpy.linalg.eigvals` (numpy 1.26.4,
        // OpenBLAS 0.3.23) bit patterns. The first two are MCC matrices of
        // rank one: their zero eigenvalue comes out as +5.6e-17 and -1.1e-16.
        let bits = |b: [u64; 4]| b.map(f64::from_bits);
        let cases = [
            (
                [
                    0x3fe333333333332f,
                    0x3fd9999999999994,
                    0x3fe333333333332d,
                    0x3fd9999999999993,
                ],
                [0x3c90000000000000, 0x0, 0x3feffffffffffff8, 0x0],
            ),
            (
                [0x3fdffffffffffffa; 4],
                [0xbca0000000000000, 0x0, 0x3feffffffffffffa, 0x0],
            ),
            (
                [
                    0x3f438eed22b57d6f,
                    0x405c72b3f4019f26,
                    0xbf82969514c01edc,
                    0xbfb90f26b191215d,
                ],
                [
                    0xbfa8e808d74bb662,
                    0xbff03dc337f3ace3,
                    0xbfa8e808d74bb662,
                    0x3ff03dc337f3ace3,
                ],
            ),
        ];
        for (matrix, expected) in cases {
            let mut got = eigen::two_by_two(bits(matrix));
            got.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let expected = bits(expected);
            assert_eq!(
                got,
                [(expected[0], expected[1]), (expected[2], expected[3])]
            );
        }
    }

    #[test]
    fn complex_square_roots_keep_numpys_principal_branch() {
        assert_eq!(complex_sqrt_re(4.0, 0.0), 2.0);
        assert_eq!(complex_sqrt_re(-4.0, 0.0), 0.0);
        // sqrt(3 + 4i) = 2 + i; sqrt(-3 + 4i) = 1 + 2i.
        assert!((complex_sqrt_re(3.0, 4.0) - 2.0).abs() < 1e-15);
        assert!((complex_sqrt_re(-3.0, 4.0) - 1.0).abs() < 1e-15);
        assert!((complex_sqrt_re(-3.0, -4.0) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn nanmean_skips_nan_like_numpy() {
        assert_eq!(nanmean(&[1.0, f64::NAN, 2.0]), 1.5);
        assert!(nanmean(&[f64::NAN]).is_nan());
        // Among real eigenvalues a rounding residue around 0 counts as 0,
        // a clearly negative one is NaN and skipped; among complex ones a
        // negative real part counts as 0.
        assert_eq!(mcc(&[((0.25, 0.0), false), ((-1e-17, 0.0), false)]), 0.25);
        assert_eq!(mcc(&[((0.25, 0.0), false), ((1e-16, 0.0), false)]), 0.25);
        assert_eq!(mcc(&[((0.25, 0.0), false), ((-1e-3, 0.0), false)]), 0.5);
        assert_eq!(mcc(&[((0.25, 0.0), false), ((-1e-17, 0.0), true)]), 0.25);
    }
}
