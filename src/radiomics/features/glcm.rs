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
//! [`RoiLevels`], [`Reducer`] and [`nanmean`] are shared with the GLRLM.

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
/// never leaves it — the inner loops need no bounds checks.
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
        let binned = discretize(input.image, input.mask, input.settings);
        if binned.gray_levels.is_empty() {
            return Err(not_applicable(class, "the ROI is empty"));
        }
        if binned.gray_levels[0] == 0 {
            return Err(not_applicable(
                class,
                "ROI intensities could not be discretised (not finite)",
            ));
        }
        let mut pad = [0usize; 3];
        for angle in angles {
            for (axis, step) in angle.iter().enumerate() {
                pad[axis] = pad[axis].max(step.unsigned_abs() as usize);
            }
        }
        let padded = [0, 1, 2].map(|a| shape[a] + 2 * pad[a]);
        let strides = [padded[1] * padded[2], padded[2], 1];
        let mut data = vec![0u32; padded[0] * padded[1] * padded[2]];
        let gray_levels = &binned.gray_levels;
        for ((z, y, x), &level) in binned.levels.indexed_iter() {
            if level != 0 && input.mask[[z, y, x]] {
                // Every ROI level is in `gray_levels`, so the search finds it.
                let index = gray_levels.partition_point(|&l| l < level);
                let flat = (z + pad[0]) * strides[0] + (y + pad[1]) * strides[1] + x + pad[2];
                data[flat] = index as u32 + 1;
            }
        }
        Ok(RoiLevels {
            levels: gray_levels.iter().map(|&l| f64::from(l)).collect(),
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

    /// Calls `f(flat index, level index)` for every ROI voxel, in row-major
    /// order.
    pub(crate) fn for_each_voxel(&self, mut f: impl FnMut(usize, u32)) {
        let [sz, sy, sx] = self.shape;
        for z in 0..sz {
            for y in 0..sy {
                let start = self.index(z, y, 0);
                for (x, &level) in self.data[start..start + sx].iter().enumerate() {
                    if level != 0 {
                        f(start + x, level);
                    }
                }
            }
        }
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
    let offsets: Vec<isize> = angles.iter().map(|&angle| roi.offset(angle)).collect();
    let mut counts = vec![0.0; angles.len() * gg];
    roi.for_each_voxel(|index, level| {
        let row = (level as usize - 1) * g;
        for (a, &offset) in offsets.iter().enumerate() {
            // The padding keeps `index + offset` inside the array.
            let neighbour = roi.data[index.wrapping_add_signed(offset)];
            if neighbour != 0 {
                counts[a * gg + row + neighbour as usize - 1] += 1.0;
            }
        }
    });
    counts
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
    let level_i = |k: usize| levels[k / g];
    let level_j = |k: usize| levels[k % g];

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
    let cluster_prominence = r.sum((0..g * g).map(|k| p[k] * centred(k).powf(4.0)));
    let cluster_shade = r.sum((0..g * g).map(|k| p[k] * centred(k).powf(3.0)));
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
    // PyRadiomics sets the correlation of a flat matrix (no variance) to 1.
    let correlation = if sigma_x * sigma_y == 0.0 {
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
    // Equal entropies make IMC2 0; HXY2 below HXY (rounding) makes it NaN,
    // which the mean over angles then skips.
    let imc2 = if hxy2 == hxy {
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
    let mut q = vec![0.0; g * g];
    let mut divisor = vec![0.0; g];
    for i in 0..g {
        for (k, d) in divisor.iter_mut().enumerate() {
            *d = px[i] * py[k] + EPS;
        }
        let row_i = &p[i * g..(i + 1) * g];
        for j in 0..g {
            let row_j = &p[j * g..(j + 1) * g];
            q[i * g + j] = (0..g).fold(-0.0, |total, k| total + (row_i[k] * row_j[k]) / divisor[k]);
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
    if let Some(norm) = settings.weighting_norm {
        let spacing = [input.spacing[2], input.spacing[1], input.spacing[0]];
        let weights: Vec<f64> = angles.iter().map(|&a| weight(norm, a, spacing)).collect();
        let mut terms = vec![0.0; angles.len()];
        matrices = (0..gg)
            .map(|cell| {
                for (a, term) in terms.iter_mut().enumerate() {
                    *term = matrices[a * gg + cell] * weights[a];
                }
                numpy_sum(&terms)
            })
            .collect();
    }
    let stacked = matrices.len() / gg;
    let mut r = Reducer::for_angles(stacked);
    let totals: Vec<f64> = matrices
        .chunks_exact(gg)
        .map(|m| r.sum(m.iter().copied()))
        .collect();
    // Angles without pairs are dropped (unless there is only one).
    let kept: Vec<usize> = (0..stacked)
        .filter(|&a| stacked == 1 || totals[a] != 0.0)
        .collect();
    if kept.iter().all(|&a| totals[a] == 0.0) {
        return Err(no_pairs());
    }

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
        balance(a, n);
        hessenberg(a, n);
        hessenberg_qr(a, n)
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
            // H A, columns right of k (column k becomes alpha e1 below).
            for j in k + 1..n {
                let f = (k + 1..n).map(|i| v[i] * a[i * n + j]).sum::<f64>() / h;
                for i in k + 1..n {
                    a[i * n + j] -= f * v[i];
                }
            }
            // (H A) H, all rows.
            for i in 0..n {
                let f = (k + 1..n).map(|j| a[i * n + j] * v[j]).sum::<f64>() / h;
                for j in k + 1..n {
                    a[i * n + j] -= f * v[j];
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
                    for j in k..=last {
                        let mut t = a[at(k, j)] + q * a[at(k + 1, j)];
                        if k != last - 1 {
                            t += r * a[at(k + 2, j)];
                            a[at(k + 2, j)] -= t * z;
                        }
                        a[at(k + 1, j)] -= t * y;
                        a[at(k, j)] -= t * x;
                    }
                    let bottom = last.min(k + 3);
                    for i in low..=bottom {
                        let mut t = x * a[at(i, k)] + y * a[at(i, k + 1)];
                        if k != last - 1 {
                            t += z * a[at(i, k + 2)];
                            a[at(i, k + 2)] -= t * r;
                        }
                        a[at(i, k + 1)] -= t * q;
                        a[at(i, k)] -= t;
                    }
                }
            }
        }
        Some(values)
    }
}
