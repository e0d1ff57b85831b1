//! What the neighbourhood-based classes GLSZM, GLDM and NGTDM share: the
//! checked, discretised ROI ([`GrayImage`]), the neighbour offsets
//! ([`Neighbourhood`]) and the gray level × size matrix of GLSZM and GLDM
//! ([`CountMatrix`]), whose features share their formulas.

use super::angles::generate_angles;
use super::{ClassInput, FeatureError, FeatureValues, select};
use crate::radiomics::discretize::discretize;
use crate::radiomics::numeric::numpy_sum_of as sum_of;

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
    /// Discretises the ROI of `input`. Fails, naming `class`, when the ROI
    /// cannot be discretised (see [`discretize`]).
    pub(super) fn new(input: &ClassInput<'_>, class: &'static str) -> Result<Self, FeatureError> {
        let binned = discretize(input.image, input.mask, input.settings)
            .map_err(|err| FeatureError::binning(class, err))?;
        let voxels = input.mask.iter().filter(|&&inside| inside).count();
        // `discretize` makes a fresh array, normally in standard layout,
        // whose storage is then already in `[z, y, x]` order.
        let levels = if binned.levels.is_standard_layout() {
            binned.levels.into_raw_vec_and_offset().0
        } else {
            binned.levels.iter().copied().collect()
        };
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
