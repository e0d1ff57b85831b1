//! Gray-level dependence matrix (GLDM), as PyRadiomics 3.1 computes it
//! (`gldm.py`, and `calculate_gldm` in its C extension).
//!
//! A neighbour of a voxel is any ROI voxel at one of the `distances`
//! (Chebyshev length) in either direction of an offset; it depends on the
//! voxel when their gray levels differ by at most `gldm_a` (α). `P(i, j)`
//! counts the voxels of gray level `i` with `j - 1` dependent neighbours, so
//! the counts add up to the number of ROI voxels (`Nz = Np`). Gray levels
//! absent from the ROI and dependence counts that never occur are removed,
//! and the features share GLSZM's formulas with `j` the dependence count
//! plus one.

use super::glszm::{CountMatrix, GrayImage, Neighbourhood, finish};
use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, deprecated, feature};

/// The class's features, in PyRadiomics' order.
pub const FEATURES: &[FeatureDef] = &[
    feature("DependenceEntropy"),
    feature("DependenceNonUniformity"),
    feature("DependenceNonUniformityNormalized"),
    deprecated("DependencePercentage"),
    feature("DependenceVariance"),
    feature("GrayLevelNonUniformity"),
    deprecated("GrayLevelNonUniformityNormalized"),
    feature("GrayLevelVariance"),
    feature("HighGrayLevelEmphasis"),
    feature("LargeDependenceEmphasis"),
    feature("LargeDependenceHighGrayLevelEmphasis"),
    feature("LargeDependenceLowGrayLevelEmphasis"),
    feature("LowGrayLevelEmphasis"),
    feature("SmallDependenceEmphasis"),
    feature("SmallDependenceHighGrayLevelEmphasis"),
    feature("SmallDependenceLowGrayLevelEmphasis"),
];

const CLASS: &str = "gldm";

/// Computes the requested features (PyRadiomics 3.1 `RadiomicsGLDM`).
///
/// The two deprecated features get the values their definitions give:
/// DependencePercentage `Nz / Np` (always 1) and
/// GrayLevelNonUniformityNormalized `Σ pg² / Nz²` (first-order Uniformity).
/// PyRadiomics 3.1 raises a `DeprecationWarning` for them instead and leaves
/// them out of its results.
pub fn compute(
    input: &ClassInput<'_>,
    wanted: &[&'static str],
) -> Result<FeatureValues, FeatureError> {
    let gray = GrayImage::new(input, CLASS)?;
    let neighbourhood = Neighbourhood::new(gray.shape, &input.settings.distances, input, CLASS)?;
    let matrix = dependence_matrix(&gray, &neighbourhood, input.settings.gldm_a);
    let all = [
        ("DependenceEntropy", matrix.entropy()),
        ("DependenceNonUniformity", matrix.column_non_uniformity()),
        (
            "DependenceNonUniformityNormalized",
            matrix.column_non_uniformity_normalized(),
        ),
        ("DependencePercentage", matrix.total / gray.voxels as f64),
        ("DependenceVariance", matrix.column_variance()),
        ("GrayLevelNonUniformity", matrix.row_non_uniformity()),
        (
            "GrayLevelNonUniformityNormalized",
            matrix.row_non_uniformity_normalized(),
        ),
        ("GrayLevelVariance", matrix.row_variance()),
        ("HighGrayLevelEmphasis", matrix.high_row_emphasis()),
        ("LargeDependenceEmphasis", matrix.large_column_emphasis()),
        (
            "LargeDependenceHighGrayLevelEmphasis",
            // gldm.py multiplies P by the full array j² · i².
            matrix.joint_emphasis_row_major(|p, i, j| p * ((j * j) * (i * i))),
        ),
        (
            "LargeDependenceLowGrayLevelEmphasis",
            matrix.large_column_low_row_emphasis(),
        ),
        ("LowGrayLevelEmphasis", matrix.low_row_emphasis()),
        ("SmallDependenceEmphasis", matrix.small_column_emphasis()),
        (
            "SmallDependenceHighGrayLevelEmphasis",
            matrix.small_column_high_row_emphasis(),
        ),
        (
            "SmallDependenceLowGrayLevelEmphasis",
            matrix.small_column_low_row_emphasis(),
        ),
    ];
    finish(&all, wanted, CLASS)
}

/// The GLDM in one raster pass over the ROI. A neighbour depends on the
/// centre when `|level difference| ≤ alpha`; PyRadiomics passes α to its C
/// code as an `int`, and the settings only hold whole numbers, so comparing
/// the integer difference with the `f64` is the same test.
fn dependence_matrix(gray: &GrayImage, neighbourhood: &Neighbourhood, alpha: f64) -> CountMatrix {
    let levels = &gray.levels;
    let [depth, height, width] = gray.shape;
    // A voxel has at most one dependent neighbour per offset.
    let columns = neighbourhood.len() + 1;
    let rows = gray.gray_levels.len();
    let mut counts = vec![0.0; rows * columns];
    let mut index = 0;
    for z in 0..depth {
        for y in 0..height {
            for x in 0..width {
                let level = levels[index];
                if level != 0 {
                    let mut dependent = 0;
                    neighbourhood.for_each([z, y, x], index, |neighbour| {
                        let other = levels[neighbour];
                        if other != 0 && f64::from(level.abs_diff(other)) <= alpha {
                            dependent += 1;
                        }
                    });
                    let row = gray.index_of[level as usize] as usize;
                    counts[row * columns + dependent] += 1.0;
                }
                index += 1;
            }
        }
    }

    // Keep the dependence counts that occur, as PyRadiomics deletes the
    // empty columns; `j` is the count plus one.
    let kept: Vec<usize> = (0..columns)
        .filter(|&column| (0..rows).any(|row| counts[row * columns + column] > 0.0))
        .collect();
    let mut compact = Vec::with_capacity(rows * kept.len());
    for row in counts.chunks(columns) {
        compact.extend(kept.iter().map(|&column| row[column]));
    }
    let dependences = kept.iter().map(|&column| (column + 1) as f64).collect();
    let gray_levels = gray.gray_levels.iter().map(|&l| f64::from(l)).collect();
    // PyRadiomics' C code makes 2·Na + 1 columns, of which only the first
    // Na + 1 can be filled.
    let allocated = 2 * neighbourhood.len() + 1;
    CountMatrix::new(compact, gray_levels, dependences, allocated - kept.len())
}
