//! Gray-level size-zone matrix (GLSZM), as PyRadiomics 3.1 computes it
//! (`glszm.py`, and `calculate_glszm` in its C extension).
//!
//! A zone is a maximal set of ROI voxels of one gray level that are
//! connected through the offsets of Chebyshev length 1 — 26-connectivity in
//! 3D, 8-connectivity in a single slice or with `force2D`. `P(i, j)` counts
//! the zones of gray level `i` and size `j`. As in PyRadiomics, gray levels
//! absent from the ROI and zone sizes that never occur are removed before
//! the features are computed, and every sum is numpy's (pairwise, over the
//! matrix flattened gray level by gray level), so the values round as
//! PyRadiomics' do.
//!
//! This module also holds what the three neighbourhood classes GLSZM, GLDM
//! and NGTDM share: the checked, discretised ROI ([`GrayImage`]), the
//! neighbour offsets ([`Neighbourhood`]), numpy's summation of computed terms
//! ([`sum_of`]) and the gray level × size matrix of GLSZM and GLDM
//! ([`CountMatrix`]).

use super::angles::generate_angles;
use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, feature, select};
use crate::radiomics::discretize::discretize;

/// The class's features, in PyRadiomics' order.
pub const FEATURES: &[FeatureDef] = &[
    feature("GrayLevelNonUniformity"),
    feature("GrayLevelNonUniformityNormalized"),
    feature("GrayLevelVariance"),
    feature("HighGrayLevelZoneEmphasis"),
    feature("LargeAreaEmphasis"),
    feature("LargeAreaHighGrayLevelEmphasis"),
    feature("LargeAreaLowGrayLevelEmphasis"),
    feature("LowGrayLevelZoneEmphasis"),
    feature("SizeZoneNonUniformity"),
    feature("SizeZoneNonUniformityNormalized"),
    feature("SmallAreaEmphasis"),
    feature("SmallAreaHighGrayLevelEmphasis"),
    feature("SmallAreaLowGrayLevelEmphasis"),
    feature("ZoneEntropy"),
    feature("ZonePercentage"),
    feature("ZoneVariance"),
];

const CLASS: &str = "glszm";

/// Computes the requested features (PyRadiomics 3.1 `RadiomicsGLSZM`).
pub fn compute(
    input: &ClassInput<'_>,
    wanted: &[&'static str],
) -> Result<FeatureValues, FeatureError> {
    let gray = GrayImage::new(input, CLASS)?;
    // Zones grow through both directions of every distance-1 offset,
    // whatever `distances` says (PyRadiomics fixes the distance at 1).
    let neighbourhood = Neighbourhood::new(gray.shape, &[1], input, CLASS)?;
    let matrix = size_zone_matrix(gray, &neighbourhood);
    let all = [
        ("GrayLevelNonUniformity", matrix.row_non_uniformity()),
        (
            "GrayLevelNonUniformityNormalized",
            matrix.row_non_uniformity_normalized(),
        ),
        ("GrayLevelVariance", matrix.row_variance()),
        ("HighGrayLevelZoneEmphasis", matrix.high_row_emphasis()),
        ("LargeAreaEmphasis", matrix.large_column_emphasis()),
        (
            "LargeAreaHighGrayLevelEmphasis",
            matrix.large_column_high_row_emphasis(),
        ),
        (
            "LargeAreaLowGrayLevelEmphasis",
            matrix.large_column_low_row_emphasis(),
        ),
        ("LowGrayLevelZoneEmphasis", matrix.low_row_emphasis()),
        ("SizeZoneNonUniformity", matrix.column_non_uniformity()),
        (
            "SizeZoneNonUniformityNormalized",
            matrix.column_non_uniformity_normalized(),
        ),
        ("SmallAreaEmphasis", matrix.small_column_emphasis()),
        (
            "SmallAreaHighGrayLevelEmphasis",
            matrix.small_column_high_row_emphasis(),
        ),
        (
            "SmallAreaLowGrayLevelEmphasis",
            matrix.small_column_low_row_emphasis(),
        ),
        ("ZoneEntropy", matrix.entropy()),
        // Np is the number of voxels in the zones, i.e. in the ROI.
        (
            "ZonePercentage",
            matrix.total / matrix.weighted_column_total(),
        ),
        ("ZoneVariance", matrix.column_variance()),
    ];
    finish(&all, wanted, CLASS)
}

/// The GLSZM of a discretised ROI: zones are found by a depth-first flood
/// fill with an explicit stack, each voxel pushed once, so the labelling is
/// linear in the number of voxels (PyRadiomics' C code finds the same zones).
fn size_zone_matrix(gray: GrayImage, neighbourhood: &Neighbourhood) -> CountMatrix {
    let [_, height, width] = gray.shape;
    let plane = height * width;
    let index_of = gray.index_of;
    // Voxels are set to 0 once they belong to a zone, so 0 means "outside
    // the ROI or already taken" and the levels need no second array.
    let mut unassigned = gray.levels;
    let mut stack: Vec<usize> = Vec::new();
    // (row of the gray level, zone size) of every zone.
    let mut zones: Vec<(u32, usize)> = Vec::new();
    let mut largest = 0;
    for start in 0..unassigned.len() {
        let level = unassigned[start];
        if level == 0 {
            continue;
        }
        unassigned[start] = 0;
        stack.push(start);
        let mut size = 0;
        while let Some(voxel) = stack.pop() {
            size += 1;
            let at = [voxel / plane, (voxel % plane) / width, voxel % width];
            neighbourhood.for_each(at, voxel, |neighbour| {
                if unassigned[neighbour] == level {
                    unassigned[neighbour] = 0;
                    stack.push(neighbour);
                }
            });
        }
        largest = largest.max(size);
        zones.push((index_of[level as usize], size));
    }

    // Only the sizes that occur become columns, in ascending order, as
    // PyRadiomics keeps them after deleting the empty ones.
    let mut column_of = vec![u32::MAX; largest + 1];
    for &(_, size) in &zones {
        column_of[size] = 0;
    }
    let mut sizes = Vec::new();
    for (size, column) in column_of.iter_mut().enumerate() {
        if *column == 0 {
            *column = sizes.len() as u32;
            sizes.push(size as f64);
        }
    }
    let columns = sizes.len();
    let mut counts = vec![0.0; gray.gray_levels.len() * columns];
    for &(row, size) in &zones {
        counts[row as usize * columns + column_of[size] as usize] += 1.0;
    }
    let rows = gray
        .gray_levels
        .iter()
        .map(|&level| f64::from(level))
        .collect();
    // PyRadiomics' matrix has a column for every size up to the largest.
    CountMatrix::new(counts, rows, sizes, largest - columns)
}

// ---------------------------------------------------------------------------
// Shared by GLSZM, GLDM and NGTDM.
// ---------------------------------------------------------------------------

/// More bins than this are refused: the bin edges alone would take over
/// 100 MB (PyRadiomics' own matrices overflow their `int` indices long
/// before such counts are useful).
const MAX_BINS: f64 = (1u64 << 24) as f64;

/// The ROI discretised as PyRadiomics' `_applyBinning` does, flattened in
/// `[z, y, x]` order (x fastest), after the checks that keep the classes
/// from failing on odd input.
#[derive(Debug, Clone)]
pub(super) struct GrayImage {
    /// Gray level of every voxel: 1 and up inside the ROI, 0 outside.
    pub(super) levels: Vec<u32>,
    /// The array's shape, `[z, y, x]`.
    pub(super) shape: [usize; 3],
    /// The gray levels present in the ROI, ascending (PyRadiomics'
    /// `grayLevels`); the rows of the matrices.
    pub(super) gray_levels: Vec<u32>,
    /// Row of each gray level in `gray_levels` (indexed by level; levels
    /// absent from the ROI map to `u32::MAX`).
    pub(super) index_of: Vec<u32>,
    /// Number of voxels in the ROI.
    pub(super) voxels: usize,
}

impl GrayImage {
    /// Discretises the ROI of `input`. Fails, naming `class`, when image
    /// and mask differ in shape, when the ROI is empty or holds a NaN or
    /// infinite intensity, or when the binning would make more than 2^24
    /// bins.
    pub(super) fn new(input: &ClassInput<'_>, class: &'static str) -> Result<Self, FeatureError> {
        let fail = |reason: String| FeatureError::NotApplicable { class, reason };
        if input.image.shape() != input.mask.shape() {
            return Err(fail(format!(
                "the image ({:?}) and the mask ({:?}) differ in shape",
                input.image.shape(),
                input.mask.shape()
            )));
        }
        let mut voxels = 0usize;
        let (mut minimum, mut maximum) = (f64::INFINITY, f64::NEG_INFINITY);
        for (&value, &inside) in input.image.iter().zip(input.mask.iter()) {
            if inside {
                if !value.is_finite() {
                    return Err(fail(format!(
                        "the ROI holds a non-finite intensity ({value})"
                    )));
                }
                voxels += 1;
                minimum = minimum.min(value);
                maximum = maximum.max(value);
            }
        }
        if voxels == 0 {
            return Err(fail("the ROI is empty".to_owned()));
        }
        let settings = input.settings;
        let bins = match settings.bin_count {
            Some(count) => f64::from(count),
            None if settings.bin_width.is_finite() && settings.bin_width > 0.0 => {
                (maximum - minimum) / settings.bin_width + 3.0
            }
            None => {
                return Err(fail(format!(
                    "binWidth must be a positive number, not {}",
                    settings.bin_width
                )));
            }
        };
        if bins < 1.0 || !bins.is_finite() || bins > MAX_BINS {
            return Err(fail(format!(
                "the binning would make {bins:.0} gray levels (at most {MAX_BINS} are allowed); \
                 widen binWidth or lower binCount"
            )));
        }

        let binned = discretize(input.image, input.mask, settings);
        let levels: Vec<u32> = binned.levels.iter().copied().collect();
        let inside_without_level = levels
            .iter()
            .zip(input.mask.iter())
            .any(|(&level, &inside)| inside && level == 0);
        if inside_without_level {
            // Cannot happen for finite values (the first edge is at or below
            // the minimum), but a level 0 would index before the first row.
            return Err(fail(
                "an ROI voxel fell below the first bin edge".to_owned(),
            ));
        }
        let mut index_of = vec![u32::MAX; binned.ng as usize + 1];
        for (row, &level) in binned.gray_levels.iter().enumerate() {
            index_of[level as usize] = row as u32;
        }
        let shape = input.image.shape();
        Ok(GrayImage {
            levels,
            shape: [shape[0], shape[1], shape[2]],
            gray_levels: binned.gray_levels,
            index_of,
            voxels,
        })
    }
}

/// The neighbours of a voxel: both directions of every offset whose
/// Chebyshev length is one of the distances, as PyRadiomics'
/// `generate_angles(..., bidirectional=True, ...)` lists them for the
/// array's shape (offsets along the `force2Ddimension` axis are dropped
/// with `force2D`).
#[derive(Debug, Clone)]
pub(super) struct Neighbourhood {
    /// The offsets (dz, dy, dx), in PyRadiomics' order.
    angles: Vec<[isize; 3]>,
    /// The same offsets in the flat `[z, y, x]` array.
    steps: Vec<isize>,
    /// The largest offset along each axis: voxels at least this far from
    /// every border have all their neighbours inside the array.
    reach: [usize; 3],
    /// The array's shape, `[z, y, x]`.
    shape: [usize; 3],
}

impl Neighbourhood {
    /// The neighbourhood of `distances` in an array of `shape`. Fails, as
    /// PyRadiomics does ("Error getting angle count"), when no offset fits:
    /// the array is a single voxel in every direction the offsets may take.
    pub(super) fn new(
        shape: [usize; 3],
        distances: &[u32],
        input: &ClassInput<'_>,
        class: &'static str,
    ) -> Result<Self, FeatureError> {
        let settings = input.settings;
        let angles: Vec<[isize; 3]> = generate_angles(
            shape,
            distances,
            true,
            settings.force_2d,
            settings.force_2d_dimension,
        )
        .into_iter()
        .map(|angle| angle.map(|d| d as isize))
        .collect();
        if angles.is_empty() {
            return Err(FeatureError::NotApplicable {
                class,
                reason: format!(
                    "no neighbour at distance {distances:?} fits in the ROI's bounding box {shape:?}{}",
                    if settings.force_2d {
                        " with force2D"
                    } else {
                        ""
                    }
                ),
            });
        }
        let strides = [(shape[1] * shape[2]) as isize, shape[2] as isize, 1];
        let steps = angles
            .iter()
            .map(|angle| angle[0] * strides[0] + angle[1] * strides[1] + angle[2])
            .collect();
        let mut reach = [0; 3];
        for angle in &angles {
            for axis in 0..3 {
                reach[axis] = reach[axis].max(angle[axis].unsigned_abs());
            }
        }
        Ok(Neighbourhood {
            angles,
            steps,
            reach,
            shape,
        })
    }

    /// How many offsets there are (PyRadiomics' `Na`).
    pub(super) fn len(&self) -> usize {
        self.angles.len()
    }

    /// Calls `visit` with the flat index of each neighbour of the voxel at
    /// `at` (`[z, y, x]`, flat index `index`) that lies inside the array, in
    /// offset order.
    #[inline]
    pub(super) fn for_each(&self, at: [usize; 3], index: usize, mut visit: impl FnMut(usize)) {
        let interior = (0..3).all(|axis| {
            at[axis] >= self.reach[axis] && at[axis] + self.reach[axis] < self.shape[axis]
        });
        if interior {
            for &step in &self.steps {
                visit(index.wrapping_add_signed(step));
            }
            return;
        }
        for (angle, &step) in self.angles.iter().zip(&self.steps) {
            let inside = (0..3).all(|axis| {
                at[axis]
                    .checked_add_signed(angle[axis])
                    .is_some_and(|moved| moved < self.shape[axis])
            });
            if inside {
                visit(index.wrapping_add_signed(step));
            }
        }
    }
}

/// The block length of numpy's buffered reductions (`np.getbufsize()`).
const NUMPY_BUFFER_SIZE: usize = 8192;

/// `numpy.sum` of the virtual array `term(0), …, term(n - 1)`, computed
/// without storing it: pairwise within blocks of 8192 terms, the block sums
/// added in order — exactly `numeric::numpy_sum` of the collected terms.
/// This keeps the Ng × Ng sums of NGTDM from allocating.
pub(super) fn sum_of(n: usize, term: impl Fn(usize) -> f64) -> f64 {
    let mut total = -0.0;
    let mut start = 0;
    while start < n {
        let block = NUMPY_BUFFER_SIZE.min(n - start);
        total += pairwise(start, block, &term);
        start += block;
    }
    total
}

/// numpy's `pairwise_sum` of `term(start..start + n)`.
fn pairwise(start: usize, n: usize, term: &impl Fn(usize) -> f64) -> f64 {
    if n < 8 {
        (start..start + n).fold(-0.0, |total, k| total + term(k))
    } else if n <= 128 {
        let mut partial: [f64; 8] = std::array::from_fn(|j| term(start + j));
        let whole = n - n % 8;
        let mut i = 8;
        while i < whole {
            for (j, sum) in partial.iter_mut().enumerate() {
                *sum += term(start + i + j);
            }
            i += 8;
        }
        let mut total = ((partial[0] + partial[1]) + (partial[2] + partial[3]))
            + ((partial[4] + partial[5]) + (partial[6] + partial[7]));
        for k in start + whole..start + n {
            total += term(k);
        }
        total
    } else {
        let mut half = n / 2;
        half -= half % 8;
        pairwise(start, half, term) + pairwise(start + half, n - half, term)
    }
}

/// A count matrix with gray levels as rows and sizes (GLSZM zone sizes,
/// GLDM dependence counts) as columns, empty rows and columns removed — the
/// `P`, `ivector`, `jvector`, `pg`, `ps`/`pd` and `Nz` of PyRadiomics'
/// `glszm.py` and `gldm.py`, whose features share their formulas. Methods
/// name rows "row" (gray level `i`) and columns "column" (size `j`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct CountMatrix {
    /// Counts, row-major (gray level by gray level).
    counts: Vec<f64>,
    /// Gray level of each row (`ivector`).
    rows: Vec<f64>,
    /// Size of each column (`jvector`).
    columns: Vec<f64>,
    /// Row sums (`pg`).
    row_sums: Vec<f64>,
    /// Column sums (`ps`, `pd`).
    column_sums: Vec<f64>,
    /// Sum of all counts (`Nz`).
    pub(super) total: f64,
    /// Whether PyRadiomics' `P` lies in memory size by size (column-major),
    /// the order in which numpy sums it over both axes.
    column_major: bool,
}

impl CountMatrix {
    /// The matrix of `counts` (row-major, `rows.len()` × `columns.len()`),
    /// whose rows and columns must all be non-empty. `deleted_columns` is
    /// how many empty columns PyRadiomics' matrix had: it decides the
    /// memory layout numpy leaves `P` in, hence the order of the sums over
    /// the whole matrix. `numpy.delete` removes a single column by copying
    /// slices into a C-ordered array (gray level by gray level), but any
    /// other number — none included — through boolean indexing along the
    /// last axis, whose result lies in memory size by size.
    pub(super) fn new(
        counts: Vec<f64>,
        rows: Vec<f64>,
        columns: Vec<f64>,
        deleted_columns: usize,
    ) -> Self {
        let width = columns.len();
        // The sums of counts are exact (integers far below 2^53), so their
        // order does not matter.
        let row_sums: Vec<f64> = counts
            .chunks(width.max(1))
            .map(|row| row.iter().sum())
            .collect();
        let mut column_sums = vec![0.0; width];
        for row in counts.chunks(width.max(1)) {
            for (sum, count) in column_sums.iter_mut().zip(row) {
                *sum += count;
            }
        }
        let total = row_sums.iter().sum();
        CountMatrix {
            counts,
            rows,
            columns,
            row_sums,
            column_sums,
            total,
            column_major: deleted_columns != 1,
        }
    }

    /// `Σ term(P(i, j), i, j)` over the whole matrix, column by column or
    /// row by row in memory as numpy would sum the array of terms.
    fn matrix_sum(&self, column_major: bool, term: impl Fn(f64, f64, f64) -> f64) -> f64 {
        let (height, width) = (self.rows.len(), self.columns.len());
        if column_major {
            sum_of(self.counts.len(), |k| {
                let (i, j) = (k % height, k / height);
                term(self.counts[i * width + j], self.rows[i], self.columns[j])
            })
        } else {
            sum_of(self.counts.len(), |k| {
                term(
                    self.counts[k],
                    self.rows[k / width],
                    self.columns[k % width],
                )
            })
        }
    }

    /// `Σ term(P(i, j), i, j) / Nz` over the whole matrix, the form of the
    /// joint emphasis features, for terms numpy computes operation by
    /// operation from `P` and vectors (`P * i² / j²`): the array of terms
    /// keeps `P`'s memory layout (see [`CountMatrix::new`]). `term` spells
    /// out PyRadiomics' grouping of the products, which decides the
    /// rounding.
    pub(super) fn joint_emphasis(&self, term: impl Fn(f64, f64, f64) -> f64) -> f64 {
        self.matrix_sum(self.column_major, term) / self.total
    }

    /// As [`CountMatrix::joint_emphasis`], for terms where `P` meets a full
    /// gray level × size array of weights (`P / (i² · j²)`): numpy then
    /// lays the terms out row by row, since the operands disagree.
    pub(super) fn joint_emphasis_row_major(&self, term: impl Fn(f64, f64, f64) -> f64) -> f64 {
        self.matrix_sum(false, term) / self.total
    }

    /// `Σ ps(j) / j² / Nz` (SAE, SDE).
    pub(super) fn small_column_emphasis(&self) -> f64 {
        sum_of(self.columns.len(), |k| {
            self.column_sums[k] / (self.columns[k] * self.columns[k])
        }) / self.total
    }

    /// `Σ ps(j) · j² / Nz` (LAE, LDE).
    pub(super) fn large_column_emphasis(&self) -> f64 {
        sum_of(self.columns.len(), |k| {
            self.column_sums[k] * (self.columns[k] * self.columns[k])
        }) / self.total
    }

    /// `Σ pg(i)² / Nz` (GLN).
    pub(super) fn row_non_uniformity(&self) -> f64 {
        self.sum_of_squares(&self.row_sums) / self.total
    }

    /// `Σ pg(i)² / Nz²` (GLNN).
    pub(super) fn row_non_uniformity_normalized(&self) -> f64 {
        self.sum_of_squares(&self.row_sums) / (self.total * self.total)
    }

    /// `Σ ps(j)² / Nz` (SZN, DN).
    pub(super) fn column_non_uniformity(&self) -> f64 {
        self.sum_of_squares(&self.column_sums) / self.total
    }

    /// `Σ ps(j)² / Nz²` (SZNN, DNN).
    pub(super) fn column_non_uniformity_normalized(&self) -> f64 {
        self.sum_of_squares(&self.column_sums) / (self.total * self.total)
    }

    fn sum_of_squares(&self, values: &[f64]) -> f64 {
        sum_of(values.len(), |k| values[k] * values[k])
    }

    /// `Σ Σ j · P(i, j)`: the number of voxels for GLSZM (`Np`).
    pub(super) fn weighted_column_total(&self) -> f64 {
        sum_of(self.columns.len(), |k| {
            self.column_sums[k] * self.columns[k]
        })
    }

    /// Variance of the gray level under `p = P / Nz` (GLV).
    pub(super) fn row_variance(&self) -> f64 {
        variance(&self.row_sums, &self.rows, self.total)
    }

    /// Variance of the size under `p = P / Nz` (ZV, DV).
    pub(super) fn column_variance(&self) -> f64 {
        variance(&self.column_sums, &self.columns, self.total)
    }

    /// `-Σ p log2(p + ε)` over the whole matrix, `p = P / Nz`, `ε` numpy's
    /// `spacing(1)` (ZE, DE).
    pub(super) fn entropy(&self) -> f64 {
        -self.matrix_sum(self.column_major, |count, _, _| {
            let p = count / self.total;
            p * (p + f64::EPSILON).log2()
        })
    }

    /// `Σ pg(i) / i² / Nz` (LGLZE, LGLE).
    pub(super) fn low_row_emphasis(&self) -> f64 {
        sum_of(self.rows.len(), |k| {
            self.row_sums[k] / (self.rows[k] * self.rows[k])
        }) / self.total
    }

    /// `Σ pg(i) · i² / Nz` (HGLZE, HGLE).
    pub(super) fn high_row_emphasis(&self) -> f64 {
        sum_of(self.rows.len(), |k| {
            self.row_sums[k] * (self.rows[k] * self.rows[k])
        }) / self.total
    }

    /// `Σ P / (i² j²) / Nz` (SALGLE, SDLGLE).
    pub(super) fn small_column_low_row_emphasis(&self) -> f64 {
        self.joint_emphasis_row_major(|p, i, j| p / ((i * i) * (j * j)))
    }

    /// `Σ P · i² / j² / Nz` (SAHGLE, SDHGLE).
    pub(super) fn small_column_high_row_emphasis(&self) -> f64 {
        self.joint_emphasis(|p, i, j| p * (i * i) / (j * j))
    }

    /// `Σ P · j² / i² / Nz` (LALGLE, LDLGLE).
    pub(super) fn large_column_low_row_emphasis(&self) -> f64 {
        self.joint_emphasis(|p, i, j| p * (j * j) / (i * i))
    }

    /// `Σ P · i² · j² / Nz` (LAHGLE).
    pub(super) fn large_column_high_row_emphasis(&self) -> f64 {
        self.joint_emphasis(|p, i, j| p * (i * i) * (j * j))
    }
}

/// Variance of `values` under the weights `counts / total`, as PyRadiomics
/// computes GLV and ZV: the mean `Σ p v` first, then `Σ p (v - mean)²`.
fn variance(counts: &[f64], values: &[f64], total: f64) -> f64 {
    let mean = sum_of(values.len(), |k| counts[k] / total * values[k]);
    sum_of(values.len(), |k| {
        let deviation = values[k] - mean;
        counts[k] / total * (deviation * deviation)
    })
}

/// Selects the wanted features, refusing to pass on a NaN: none of the
/// formulas can make one from a non-empty ROI, so one would be a bug.
pub(super) fn finish(
    all: &[(&'static str, f64)],
    wanted: &[&'static str],
    class: &'static str,
) -> Result<FeatureValues, FeatureError> {
    let values = select(all, wanted);
    match values.iter().find(|(_, value)| value.is_nan()) {
        Some((name, _)) => Err(FeatureError::NotApplicable {
            class,
            reason: format!("{name} is not a number for this ROI"),
        }),
        None => Ok(values),
    }
}
