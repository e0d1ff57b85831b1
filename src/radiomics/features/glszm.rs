//! Gray-level size-zone matrix (GLSZM), as PyRadiomics 3.1 computes it
//! (`glszm.py`, and `calculate_glszm` in its C extension).
//!
//! A zone is a maximal set of ROI voxels of one gray level that are
//! connected through the offsets of Chebyshev length 1 — 26-connectivity in
//! 3D, 8-connectivity in a single slice or with `force2D`. `P(i, j)` counts
//! the zones of gray level `i` and size `j`. As in PyRadiomics, gray levels
//! absent from the ROI and zone sizes that never occur are removed before
//! the features are computed, and every sum is numpy's: pairwise, in 8192
//! element blocks, over the terms in the memory order numpy leaves them in
//! (see [`CountMatrix::new`]), so the values round as PyRadiomics' do.
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
/// linear in the number of voxels (PyRadiomics' C code finds the same zones,
/// rescanning the image for each).
fn size_zone_matrix(gray: GrayImage, neighbourhood: &Neighbourhood) -> CountMatrix {
    // The levels are copied into an array with a border of one empty voxel
    // on every side: the offsets (at most 1 along each axis) then never
    // leave the array, and the fill needs neither coordinates nor bounds
    // checks. Voxels are set to 0 once they belong to a zone, so 0 means
    // "outside the ROI or already taken".
    let [depth, height, width] = gray.shape;
    let padded = [depth + 2, height + 2, width + 2];
    let mut unassigned = vec![0u32; padded.iter().product()];
    for (row, levels) in gray.levels.chunks(width.max(1)).enumerate() {
        let (z, y) = (row / height.max(1), row % height.max(1));
        let start = ((z + 1) * padded[1] + y + 1) * padded[2] + 1;
        unassigned[start..start + width].copy_from_slice(levels);
    }
    let steps = neighbourhood.steps_in(padded);
    let index_of = gray.index_of;
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
            for &step in &steps {
                let neighbour = voxel.wrapping_add_signed(step);
                if unassigned[neighbour] == level {
                    unassigned[neighbour] = 0;
                    stack.push(neighbour);
                }
            }
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
        // `discretize` makes a fresh array, normally in standard layout,
        // whose storage is then already in `[z, y, x]` order.
        let levels = if binned.levels.is_standard_layout() {
            binned.levels.into_raw_vec_and_offset().0
        } else {
            binned.levels.iter().copied().collect()
        };
        // Voxels outside the ROI are 0, so fewer non-zero levels than ROI
        // voxels means an ROI voxel got level 0.
        if levels.iter().filter(|&&level| level != 0).count() != voxels {
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
        let mut reach = [0; 3];
        for angle in &angles {
            for axis in 0..3 {
                reach[axis] = reach[axis].max(angle[axis].unsigned_abs());
            }
        }
        let mut neighbourhood = Neighbourhood {
            angles,
            steps: Vec::new(),
            reach,
            shape,
        };
        neighbourhood.steps = neighbourhood.steps_in(shape);
        Ok(neighbourhood)
    }

    /// The offsets as steps in a flat `[z, y, x]` array of another shape
    /// (a padded copy of the array this neighbourhood was made for).
    pub(super) fn steps_in(&self, shape: [usize; 3]) -> Vec<isize> {
        let strides = [(shape[1] * shape[2]) as isize, shape[2] as isize, 1];
        self.angles
            .iter()
            .map(|angle| angle[0] * strides[0] + angle[1] * strides[1] + angle[2])
            .collect()
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

    /// The non-zero cells as (gray level, size, count), row by row.
    #[cfg(test)]
    pub(super) fn cells(&self) -> Vec<(f64, f64, f64)> {
        let width = self.columns.len();
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0.0)
            .map(|(k, &count)| (self.rows[k / width], self.columns[k % width], count))
            .collect()
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

/// Test ROIs and checks shared by the GLSZM, GLDM and NGTDM tests.
#[cfg(test)]
pub(super) mod testing {
    use ndarray::Array3;

    use super::super::{ClassInput, FeatureDef, FeatureError, FeatureValues};
    use crate::radiomics::settings::Settings;

    /// A class's `compute`.
    pub(crate) type Compute =
        fn(&ClassInput<'_>, &[&'static str]) -> Result<FeatureValues, FeatureError>;

    /// An image and its ROI.
    #[derive(Debug, Clone)]
    pub(crate) struct Case {
        pub(crate) image: Array3<f64>,
        pub(crate) mask: Array3<bool>,
    }

    /// Settings with a bin width (the test values are whole numbers, so
    /// width 1 makes each value its own gray level, counted from 1 at the
    /// ROI minimum).
    pub(crate) fn settings(bin_width: f64) -> Settings {
        Settings {
            bin_width,
            ..Settings::default()
        }
    }

    /// `(k · multiplier) mod modulus + 1` for the k-th voxel in `[z, y, x]`
    /// order, as numpy's `(arange(n) * m % q + 1).reshape(shape)`.
    pub(crate) fn pattern(shape: [usize; 3], multiplier: usize, modulus: usize) -> Array3<f64> {
        let n = shape.iter().product::<usize>();
        let values = (0..n)
            .map(|k| (k * multiplier % modulus + 1) as f64)
            .collect();
        Array3::from_shape_vec(shape, values).unwrap()
    }

    /// A full mask of `shape` without the voxels `holes`.
    pub(crate) fn without(shape: [usize; 3], holes: &[[usize; 3]]) -> Array3<bool> {
        let mut mask = Array3::from_elem(shape, true);
        for hole in holes {
            mask[*hole] = false;
        }
        mask
    }

    fn full(shape: [usize; 3], values: &[f64]) -> Case {
        Case {
            image: Array3::from_shape_vec(shape, values.to_vec()).unwrap(),
            mask: Array3::from_elem(shape, true),
        }
    }

    /// The 5 × 5 example of PyRadiomics' GLSZM documentation, one slice.
    pub(crate) fn doc_glszm() -> Case {
        #[rustfmt::skip]
        let values = [
            5.0, 2.0, 5.0, 4.0, 4.0,
            3.0, 3.0, 3.0, 1.0, 3.0,
            2.0, 1.0, 1.0, 1.0, 3.0,
            4.0, 2.0, 2.0, 2.0, 3.0,
            3.0, 5.0, 3.0, 3.0, 2.0,
        ];
        full([1, 5, 5], &values)
    }

    /// The 4 × 4 example of PyRadiomics' NGTDM documentation, one slice.
    pub(crate) fn doc_ngtdm() -> Case {
        #[rustfmt::skip]
        let values = [
            1.0, 2.0, 5.0, 2.0,
            3.0, 5.0, 1.0, 3.0,
            1.0, 3.0, 5.0, 5.0,
            3.0, 1.0, 1.0, 1.0,
        ];
        full([1, 4, 4], &values)
    }

    /// A 3 × 3 slice small enough to check by hand:
    /// ```text
    /// 1 1 2
    /// 2 1 3
    /// 3 3 3
    /// ```
    pub(crate) fn small() -> Case {
        full([1, 3, 3], &[1.0, 1.0, 2.0, 2.0, 1.0, 3.0, 3.0, 3.0, 3.0])
    }

    /// `pattern([3, 3, 3], 7, 5)` (levels 1–5) without the centre, a corner
    /// and one more voxel.
    pub(crate) fn holes() -> Case {
        Case {
            image: pattern([3, 3, 3], 7, 5),
            mask: without([3, 3, 3], &[[1, 1, 1], [0, 0, 0], [2, 1, 2]]),
        }
    }

    /// A 2 × 3 × 3 block of 100s without its last voxel: one gray level.
    pub(crate) fn flat() -> Case {
        Case {
            image: Array3::from_elem([2, 3, 3], 100.0),
            mask: without([2, 3, 3], &[[1, 2, 2]]),
        }
    }

    /// `pattern([3, 4, 4], 5, 4) · 10` with the ROI in the middle slice only,
    /// less two voxels: a 2D ROI inside a 3D array (not cropped).
    pub(crate) fn slice() -> Case {
        let mut mask = Array3::from_elem([3, 4, 4], false);
        mask.index_axis_mut(ndarray::Axis(0), 1).fill(true);
        mask[[1, 0, 0]] = false;
        mask[[1, 3, 1]] = false;
        Case {
            image: pattern([3, 4, 4], 5, 4).mapv(|v| v * 10.0),
            mask,
        }
    }

    const CUBE_HOLES: [[usize; 3]; 4] = [[1, 1, 1], [2, 2, 1], [0, 3, 3], [3, 0, 2]];

    /// `pattern([4, 4, 4], 11, 6)` (levels 1–6) less four voxels.
    pub(crate) fn cube() -> Case {
        Case {
            image: pattern([4, 4, 4], 11, 6),
            mask: without([4, 4, 4], &CUBE_HOLES),
        }
    }

    /// `pattern([4, 4, 4], 7, 3)` (levels 1–3, equal along the in-plane
    /// anti-diagonals) less the same four voxels.
    pub(crate) fn cube3() -> Case {
        Case {
            image: pattern([4, 4, 4], 7, 3),
            mask: without([4, 4, 4], &CUBE_HOLES),
        }
    }

    /// Every feature of a class (deprecated ones too) on a case.
    pub(crate) fn run(
        compute: Compute,
        features: &[FeatureDef],
        case: &Case,
        settings: &Settings,
    ) -> Result<FeatureValues, FeatureError> {
        let names: Vec<&'static str> = features.iter().map(|f| f.name).collect();
        let input = ClassInput {
            image: &case.image,
            mask: &case.mask,
            spacing: [1.0, 1.0, 1.0],
            settings,
        };
        compute(&input, &names)
    }

    /// Asserts that every expected feature is within 1e-13 (relative, or
    /// absolute near 0) of the computed value.
    pub(crate) fn assert_features(values: &FeatureValues, expected: &[(&str, f64)]) {
        for (name, want) in expected {
            let (_, got) = values
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("{name} missing"));
            let error = (got - want).abs();
            assert!(
                error <= 1e-13 * want.abs().max(1e-2),
                "{name}: {got} vs {want} (error {error:e})"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array3;
    use proptest::prelude::*;

    use super::testing::{self, Case, assert_features, run, settings};
    use super::*;
    use crate::radiomics::numeric::numpy_sum;
    use crate::radiomics::settings::Settings;

    fn glszm(case: &Case, settings: &Settings) -> FeatureValues {
        run(compute, FEATURES, case, settings).unwrap()
    }

    /// The GLSZM of a case as (gray level, size, count) triples.
    fn matrix_of(case: &Case, settings: &Settings) -> Vec<(f64, f64, f64)> {
        let input = ClassInput {
            image: &case.image,
            mask: &case.mask,
            spacing: [1.0; 3],
            settings,
        };
        let gray = GrayImage::new(&input, CLASS).unwrap();
        let neighbourhood = Neighbourhood::new(gray.shape, &[1], &input, CLASS).unwrap();
        size_zone_matrix(gray, &neighbourhood).cells()
    }

    #[test]
    fn documentation_example() {
        // The GLSZM printed in PyRadiomics' glszm.py docstring (rows are the
        // gray levels 1–5, columns the sizes 1–5).
        let documented = [
            [0.0, 0.0, 0.0, 1.0, 0.0],
            [1.0, 0.0, 0.0, 0.0, 1.0],
            [1.0, 0.0, 1.0, 0.0, 1.0],
            [1.0, 1.0, 0.0, 0.0, 0.0],
            [3.0, 0.0, 0.0, 0.0, 0.0],
        ];
        let mut expected = Vec::new();
        for (i, row) in documented.iter().enumerate() {
            for (j, &count) in row.iter().enumerate() {
                if count > 0.0 {
                    expected.push(((i + 1) as f64, (j + 1) as f64, count));
                }
            }
        }
        let case = testing::doc_glszm();
        assert_eq!(matrix_of(&case, &settings(1.0)), expected);
        // PyRadiomics 3.1.4 RadiomicsGLSZM on this slice, binWidth 1.
        assert_features(
            &glszm(&case, &settings(1.0)),
            &[
                ("GrayLevelNonUniformity", 2.4545454545454546),
                ("GrayLevelNonUniformityNormalized", 0.2231404958677686),
                ("GrayLevelVariance", 1.6859504132231407),
                ("HighGrayLevelZoneEmphasis", 13.0),
                ("LargeAreaEmphasis", 7.7272727272727275),
                ("LargeAreaHighGrayLevelEmphasis", 53.63636363636363),
                ("LargeAreaLowGrayLevelEmphasis", 2.438308080808081),
                ("LowGrayLevelZoneEmphasis", 0.18893939393939393),
                ("SizeZoneNonUniformity", 3.909090909090909),
                ("SizeZoneNonUniformityNormalized", 0.35537190082644626),
                ("SmallAreaEmphasis", 0.5912373737373737),
                ("SmallAreaHighGrayLevelEmphasis", 9.962045454545454),
                ("SmallAreaLowGrayLevelEmphasis", 0.05895693041526375),
                ("ZoneEntropy", 3.0271691184406153),
                ("ZonePercentage", 0.44),
                ("ZoneVariance", 2.56198347107438),
            ],
        );
    }

    #[test]
    fn small_slice_by_hand() {
        // 1 1 2 / 2 1 3 / 3 3 3: the three 1s touch (size 3), the two 2s
        // touch nothing of their level (two zones of 1), the four 3s touch
        // (size 4). Nz = 4 zones, Np = 9 voxels.
        let case = testing::small();
        assert_eq!(
            matrix_of(&case, &settings(1.0)),
            [(1.0, 3.0, 1.0), (2.0, 1.0, 2.0), (3.0, 4.0, 1.0)]
        );
        let values = glszm(&case, &settings(1.0));
        let by_hand = [
            ("ZonePercentage", 4.0 / 9.0),
            ("SmallAreaEmphasis", (2.0 + 1.0 / 9.0 + 1.0 / 16.0) / 4.0),
            ("LargeAreaEmphasis", (2.0 + 9.0 + 16.0) / 4.0),
            ("GrayLevelNonUniformity", (1.0 + 4.0 + 1.0) / 4.0),
            ("SizeZoneNonUniformityNormalized", (4.0 + 1.0 + 1.0) / 16.0),
            // p(i) = 1/4, 1/2, 1/4: mean level 2.
            ("GrayLevelVariance", 0.25 + 0.0 + 0.25),
            ("HighGrayLevelZoneEmphasis", (1.0 + 2.0 * 4.0 + 9.0) / 4.0),
            // Four zones with p = 1/4, 1/2, 1/4 over three cells.
            ("ZoneEntropy", 1.5),
        ];
        for (name, want) in by_hand {
            let got = values.iter().find(|(n, _)| *n == name).unwrap().1;
            assert!((got - want).abs() < 1e-12, "{name}: {got} vs {want}");
        }
        // PyRadiomics 3.1.4 on the same slice, binWidth 1.
        assert_features(
            &values,
            &[
                ("GrayLevelNonUniformity", 1.5),
                ("GrayLevelNonUniformityNormalized", 0.375),
                ("GrayLevelVariance", 0.5),
                ("HighGrayLevelZoneEmphasis", 4.5),
                ("LargeAreaEmphasis", 6.75),
                ("LargeAreaHighGrayLevelEmphasis", 40.25),
                ("LargeAreaLowGrayLevelEmphasis", 2.8194444444444446),
                ("LowGrayLevelZoneEmphasis", 0.4027777777777778),
                ("SizeZoneNonUniformity", 1.5),
                ("SizeZoneNonUniformityNormalized", 0.375),
                ("SmallAreaEmphasis", 0.5434027777777778),
                ("SmallAreaHighGrayLevelEmphasis", 2.1684027777777777),
                ("SmallAreaLowGrayLevelEmphasis", 0.1545138888888889),
                ("ZoneEntropy", 1.4999999999999991),
                ("ZonePercentage", 0.4444444444444444),
                ("ZoneVariance", 1.6875),
            ],
        );
    }

    #[test]
    fn a_flat_roi_is_one_zone() {
        // 17 voxels of one level, all 26-connected: P = [[1]] at size 17.
        let values = glszm(&testing::flat(), &settings(25.0));
        // PyRadiomics 3.1.4, binWidth 25; the entropy is -log2(1 + eps),
        // a tiny negative number, not 0.
        assert_features(
            &values,
            &[
                ("GrayLevelNonUniformity", 1.0),
                ("GrayLevelNonUniformityNormalized", 1.0),
                ("GrayLevelVariance", 0.0),
                ("HighGrayLevelZoneEmphasis", 1.0),
                ("LargeAreaEmphasis", 289.0),
                ("LargeAreaHighGrayLevelEmphasis", 289.0),
                ("LargeAreaLowGrayLevelEmphasis", 289.0),
                ("LowGrayLevelZoneEmphasis", 1.0),
                ("SizeZoneNonUniformity", 1.0),
                ("SizeZoneNonUniformityNormalized", 1.0),
                ("SmallAreaEmphasis", 0.0034602076124567475),
                ("SmallAreaHighGrayLevelEmphasis", 0.0034602076124567475),
                ("SmallAreaLowGrayLevelEmphasis", 0.0034602076124567475),
                ("ZonePercentage", 0.058823529411764705),
                ("ZoneVariance", 0.0),
            ],
        );
        let entropy = values.iter().find(|(n, _)| *n == "ZoneEntropy").unwrap().1;
        assert_eq!(entropy, -3.203426503814917e-16);
    }

    #[test]
    fn a_2d_roi_inside_a_3d_array() {
        // PyRadiomics 3.1.4 on the uncropped 3 × 4 × 4 array, binWidth 10.
        assert_features(
            &glszm(&testing::slice(), &settings(10.0)),
            &[
                ("GrayLevelNonUniformity", 1.0),
                ("GrayLevelNonUniformityNormalized", 0.25),
                ("GrayLevelVariance", 1.25),
                ("HighGrayLevelZoneEmphasis", 7.5),
                ("LargeAreaEmphasis", 12.5),
                ("LargeAreaHighGrayLevelEmphasis", 111.25),
                ("LargeAreaLowGrayLevelEmphasis", 3.5069444444444446),
                ("LowGrayLevelZoneEmphasis", 0.3559027777777778),
                ("SizeZoneNonUniformity", 2.0),
                ("SizeZoneNonUniformityNormalized", 0.5),
                ("SmallAreaEmphasis", 0.08680555555555555),
                ("SmallAreaHighGrayLevelEmphasis", 0.5295138888888888),
                ("SmallAreaLowGrayLevelEmphasis", 0.037434895833333336),
                ("ZoneEntropy", 1.9999999999999987),
                ("ZonePercentage", 0.2857142857142857),
                ("ZoneVariance", 0.25),
            ],
        );
    }

    #[test]
    fn an_roi_with_holes() {
        // PyRadiomics 3.1.4, binWidth 1.
        assert_features(
            &glszm(&testing::holes(), &settings(1.0)),
            &[
                ("GrayLevelNonUniformity", 2.272727272727273),
                ("GrayLevelNonUniformityNormalized", 0.2066115702479339),
                ("GrayLevelVariance", 1.9008264462809916),
                ("HighGrayLevelZoneEmphasis", 10.363636363636363),
                ("LargeAreaEmphasis", 6.363636363636363),
                ("LargeAreaHighGrayLevelEmphasis", 82.0),
                ("LargeAreaLowGrayLevelEmphasis", 1.6104292929292932),
                ("LowGrayLevelZoneEmphasis", 0.28883838383838384),
                ("SizeZoneNonUniformity", 3.5454545454545454),
                ("SizeZoneNonUniformityNormalized", 0.32231404958677684),
                ("SmallAreaEmphasis", 0.5271464646464646),
                ("SmallAreaHighGrayLevelEmphasis", 5.3396464646464645),
                ("SmallAreaLowGrayLevelEmphasis", 0.11406723484848486),
                ("ZoneEntropy", 3.0271691184406153),
                ("ZonePercentage", 0.4583333333333333),
                ("ZoneVariance", 1.6033057851239667),
            ],
        );
    }

    #[test]
    fn force_2d_keeps_zones_in_their_slice() {
        let case = testing::cube3();
        // PyRadiomics 3.1.4, binWidth 1: in 3D three big zones...
        assert_features(
            &glszm(&case, &settings(1.0)),
            &[
                ("LargeAreaEmphasis", 291.0),
                ("ZonePercentage", 0.06666666666666667),
                ("ZoneVariance", 66.0),
                ("SmallAreaEmphasis", 0.2519519349752828),
            ],
        );
        // ... but 29 zones within the z slices (force2Ddimension 0) ...
        let force_z = Settings {
            force_2d: true,
            ..settings(1.0)
        };
        assert_features(
            &glszm(&case, &force_z),
            &[
                ("GrayLevelNonUniformity", 9.689655172413794),
                ("GrayLevelNonUniformityNormalized", 0.3341260404280618),
                ("GrayLevelVariance", 0.6896551724137931),
                ("HighGrayLevelZoneEmphasis", 4.689655172413793),
                ("LargeAreaEmphasis", 5.241379310344827),
                ("LargeAreaHighGrayLevelEmphasis", 22.448275862068964),
                ("LargeAreaLowGrayLevelEmphasis", 2.510536398467433),
                ("LowGrayLevelZoneEmphasis", 0.460727969348659),
                ("SizeZoneNonUniformity", 8.448275862068966),
                ("SizeZoneNonUniformityNormalized", 0.291319857312723),
                ("SmallAreaEmphasis", 0.4604885057471264),
                ("SmallAreaHighGrayLevelEmphasis", 2.0196360153256703),
                ("SmallAreaLowGrayLevelEmphasis", 0.2420511387824606),
                ("ZoneEntropy", 3.289569151839154),
                ("ZonePercentage", 0.48333333333333334),
                ("ZoneVariance", 0.9607609988109393),
            ],
        );
        // ... and 30 within the x slices (force2Ddimension 2).
        let force_x = Settings {
            force_2d: true,
            force_2d_dimension: 2,
            ..settings(1.0)
        };
        assert_features(
            &glszm(&case, &force_x),
            &[
                ("GrayLevelNonUniformity", 10.066666666666666),
                ("GrayLevelNonUniformityNormalized", 0.33555555555555555),
                ("GrayLevelVariance", 0.6988888888888889),
                ("HighGrayLevelZoneEmphasis", 4.566666666666666),
                ("LargeAreaEmphasis", 4.933333333333334),
                ("LargeAreaHighGrayLevelEmphasis", 22.1),
                ("LargeAreaLowGrayLevelEmphasis", 2.234259259259259),
                ("LowGrayLevelZoneEmphasis", 0.4787037037037037),
                ("SizeZoneNonUniformity", 9.2),
                ("SizeZoneNonUniformityNormalized", 0.30666666666666664),
                ("SmallAreaEmphasis", 0.500462962962963),
                ("SmallAreaHighGrayLevelEmphasis", 2.1706018518518517),
                ("SmallAreaLowGrayLevelEmphasis", 0.27119984567901234),
                ("ZoneEntropy", 3.2892464285091547),
                ("ZonePercentage", 0.5),
                ("ZoneVariance", 0.9333333333333333),
            ],
        );
    }

    #[test]
    fn sums_follow_the_layout_numpy_delete_leaves() {
        // Slices (binWidth 1) whose ZoneEntropy rounds differently summed
        // row by row or column by column; PyRadiomics 3.1.4 gives the
        // values below, bit for bit. Its matrix has 0, 1 and 2 empty size
        // columns: only the single deletion keeps `P` row-major.
        let cases: [(&[f64], [usize; 3], f64); 3] = [
            (
                &[
                    1., 3., 3., 3., 3., 2., 2., 2., 1., 1., 3., 3., 1., 2., 2., 1., 3., 3., 1., 2.,
                    2., 3., 2., 3.,
                ],
                [1, 6, 4],
                3.3219280948873595,
            ),
            (
                &[
                    2., 2., 2., 2., 3., 3., 1., 2., 2., 1., 1., 3., 2., 2., 2., 2.,
                ],
                [1, 4, 4],
                1.9219280948873612,
            ),
            (
                &[3., 3., 3., 1., 2., 3., 3., 1., 2., 1., 2., 1., 2., 3., 2.],
                [1, 5, 3],
                1.9219280948873614,
            ),
        ];
        for (values, shape, entropy) in cases {
            let case = Case {
                image: Array3::from_shape_vec(shape, values.to_vec()).unwrap(),
                mask: Array3::from_elem(shape, true),
            };
            let got = glszm(&case, &settings(1.0));
            let got = got.iter().find(|(n, _)| *n == "ZoneEntropy").unwrap().1;
            assert_eq!(
                got.to_bits(),
                entropy.to_bits(),
                "{shape:?}: {got} vs {entropy}"
            );
        }
    }

    #[test]
    fn distances_and_gldm_a_do_not_change_the_zones() {
        let case = testing::cube();
        let plain = glszm(&case, &settings(1.0));
        let other = Settings {
            distances: vec![1, 2],
            gldm_a: 1.0,
            ..settings(1.0)
        };
        assert_eq!(glszm(&case, &other), plain);
    }

    #[test]
    fn unusable_input_is_an_error_not_a_panic() {
        let image = Array3::from_elem([2, 2, 2], 1.0);
        let mut case = Case {
            image: image.clone(),
            mask: Array3::from_elem([2, 2, 2], false),
        };
        let fails = |case: &Case, settings: &Settings, needle: &str| {
            let error = run(compute, FEATURES, case, settings).unwrap_err();
            assert!(error.to_string().contains(needle), "{error}");
        };
        fails(&case, &settings(1.0), "the ROI is empty");
        // One voxel in a 1 × 1 × 1 box: PyRadiomics finds no angle.
        let single = Case {
            image: Array3::from_elem([1, 1, 1], 1.0),
            mask: Array3::from_elem([1, 1, 1], true),
        };
        fails(&single, &settings(1.0), "no neighbour");
        // A line along z with force2D on z has no in-plane neighbour either.
        let line = Case {
            image: Array3::from_elem([3, 1, 1], 1.0),
            mask: Array3::from_elem([3, 1, 1], true),
        };
        let force = Settings {
            force_2d: true,
            ..settings(1.0)
        };
        fails(&line, &force, "with force2D");
        case.mask[[0, 0, 0]] = true;
        case.mask[[1, 1, 1]] = true;
        case.image[[1, 1, 1]] = f64::NAN;
        fails(&case, &settings(1.0), "non-finite");
        case.image[[1, 1, 1]] = 1e300;
        fails(&case, &settings(1.0), "gray levels");
        fails(&case, &settings(0.0), "binWidth");
        let mismatched = Case {
            image: Array3::from_elem([2, 2, 3], 1.0),
            mask: case.mask.clone(),
        };
        fails(&mismatched, &settings(1.0), "differ in shape");
    }

    #[test]
    fn sum_of_is_numpy_sum() {
        // Lengths around every branch of numpy's pairwise sum and its
        // 8192-element blocks; values spread over many magnitudes so that
        // the order shows in the rounding.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mantissa = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            mantissa * 10f64.powi((state % 17) as i32 - 8)
        };
        for n in [0, 1, 7, 8, 9, 127, 128, 129, 1000, 8191, 8192, 8193, 20_000] {
            let values: Vec<f64> = (0..n).map(|_| next()).collect();
            assert_eq!(
                sum_of(n, |k| values[k]).to_bits(),
                numpy_sum(&values).to_bits(),
                "n = {n}"
            );
        }
    }

    /// Zones found the slow way: union-find over every pair of
    /// 26-neighbours with the same level, for comparison.
    fn reference_zones(levels: &Array3<u32>) -> Vec<(u32, usize)> {
        let shape = levels.shape();
        let n = levels.len();
        let index = |z: usize, y: usize, x: usize| (z * shape[1] + y) * shape[2] + x;
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                i = parent[i];
            }
            i
        }
        for ((z, y, x), &level) in levels.indexed_iter() {
            if level == 0 {
                continue;
            }
            for (z2, y2, x2) in neighbours_26(z, y, x)
                .filter(|&(a, b, c)| a < shape[0] && b < shape[1] && c < shape[2])
            {
                if levels[[z2, y2, x2]] == level {
                    let (a, b) = (
                        root(&mut parent, index(z, y, x)),
                        root(&mut parent, index(z2, y2, x2)),
                    );
                    parent[a] = b;
                }
            }
        }
        let mut sizes = std::collections::BTreeMap::new();
        for ((z, y, x), &level) in levels.indexed_iter() {
            if level != 0 {
                let r = root(&mut parent, index(z, y, x));
                sizes.entry(r).or_insert((level, 0)).1 += 1;
            }
        }
        let mut zones: Vec<(u32, usize)> = sizes.into_values().collect();
        zones.sort_unstable();
        zones
    }

    /// The 26 neighbours of a voxel (wrapping below 0 to huge indices, which
    /// the caller filters out).
    fn neighbours_26(z: usize, y: usize, x: usize) -> impl Iterator<Item = (usize, usize, usize)> {
        let around = |c: usize| [c.wrapping_sub(1), c, c + 1];
        around(z).into_iter().flat_map(move |a| {
            around(y).into_iter().flat_map(move |b| {
                around(x)
                    .into_iter()
                    .filter(move |&c| (a, b, c) != (z, y, x))
                    .map(move |c| (a, b, c))
            })
        })
    }

    fn roi() -> impl Strategy<Value = Case> {
        (1usize..5, 1usize..6, 1usize..6).prop_flat_map(|(d, h, w)| {
            let n = d * h * w;
            (
                proptest::collection::vec(0u8..4, n),
                proptest::collection::vec(proptest::bool::weighted(0.7), n),
            )
                .prop_map(move |(values, inside)| Case {
                    image: Array3::from_shape_vec(
                        [d, h, w],
                        values.into_iter().map(f64::from).collect(),
                    )
                    .unwrap(),
                    mask: Array3::from_shape_vec([d, h, w], inside).unwrap(),
                })
        })
    }

    proptest! {
        #[test]
        fn zones_cover_the_roi_and_match_a_union_find_labelling(case in roi()) {
            let voxels = case.mask.iter().filter(|&&inside| inside).count();
            prop_assume!(voxels > 0 && case.image.len() > 1);
            let settings = settings(1.0);
            let input = ClassInput {
                image: &case.image,
                mask: &case.mask,
                spacing: [1.0; 3],
                settings: &settings,
            };
            let gray = GrayImage::new(&input, CLASS).unwrap();
            let binned = crate::radiomics::discretize::discretize(&case.image, &case.mask, &settings);
            let neighbourhood = Neighbourhood::new(gray.shape, &[1], &input, CLASS).unwrap();
            let m = size_zone_matrix(gray, &neighbourhood);
            // Σ j · (zones of size j) is the voxel count.
            prop_assert_eq!(m.weighted_column_total(), voxels as f64);
            let mut zones = Vec::new();
            for (level, size, count) in m.cells() {
                zones.extend(std::iter::repeat_n((level as u32, size as usize), count as usize));
            }
            zones.sort_unstable();
            prop_assert_eq!(zones, reference_zones(&binned.levels));
        }
    }
}
