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

use super::texture::{CountMatrix, GrayImage, Neighbourhood, finish};
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
/// centre when `|level difference| ≤ alpha` (PyRadiomics passes α to its C
/// code as an `int`; the settings only hold whole numbers).
fn dependence_matrix(gray: &GrayImage, neighbourhood: &Neighbourhood, alpha: f64) -> CountMatrix {
    // Level differences are whole numbers, so `difference ≤ α` is
    // `difference ≤ ⌊α⌋`; a negative (or NaN) α admits no neighbour at all.
    let (limit, admits_any) = if alpha >= 0.0 {
        (alpha.floor().min(u64::MAX as f64) as u64, true)
    } else {
        (0, false)
    };
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
                    // Branch-free: which neighbours are in the ROI and alike
                    // is unpredictable, and mispredictions would dominate.
                    neighbourhood.for_each([z, y, x], index, |neighbour| {
                        let other = levels[neighbour];
                        let alike = u64::from(level.abs_diff(other)) <= limit;
                        dependent += usize::from((other != 0) & alike & admits_any);
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

#[cfg(test)]
mod tests {
    use ndarray::Array3;
    use proptest::prelude::*;

    use super::super::firstorder;
    use super::super::texture::testing::{self, Case, assert_features, run, settings};
    use super::*;
    use crate::radiomics::settings::Settings;

    fn gldm(case: &Case, settings: &Settings) -> FeatureValues {
        run(compute, FEATURES, case, settings).unwrap()
    }

    fn value(values: &FeatureValues, name: &str) -> f64 {
        values.iter().find(|(n, _)| *n == name).unwrap().1
    }

    fn matrix_of(case: &Case, settings: &Settings) -> CountMatrix {
        let input = ClassInput {
            image: &case.image,
            mask: &case.mask,
            spacing: [1.0; 3],
            settings,
        };
        let gray = GrayImage::new(&input, CLASS).unwrap();
        let neighbourhood =
            Neighbourhood::new(gray.shape, &settings.distances, &input, CLASS).unwrap();
        dependence_matrix(&gray, &neighbourhood, settings.gldm_a)
    }

    #[test]
    fn small_slice_by_hand() {
        // 1 1 2 / 2 1 3 / 3 3 3, 8-neighbours, α = 0. Each 1 touches the
        // two other 1s (2 dependents, j = 3); the 2s touch no 2 (j = 1); the
        // 3s: (1,2) touches (2,1), (2,2) -> 2; (2,0) touches (2,1) -> 1;
        // (2,1) touches three -> 3; (2,2) touches two -> 2.
        let case = testing::small();
        assert_eq!(
            matrix_of(&case, &settings(1.0)).cells(),
            [
                (1.0, 3.0, 3.0),
                (2.0, 1.0, 2.0),
                (3.0, 2.0, 1.0),
                (3.0, 3.0, 2.0),
                (3.0, 4.0, 1.0)
            ]
        );
        let values = gldm(&case, &settings(1.0));
        // Nz = 9; pd = (2, 1, 5, 1) for j = 1, 2, 3, 4.
        let sde = (2.0 + 1.0 / 4.0 + 5.0 / 9.0 + 1.0 / 16.0) / 9.0;
        assert!((value(&values, "SmallDependenceEmphasis") - sde).abs() < 1e-15);
        let lde = (2.0 + 4.0 + 45.0 + 16.0) / 9.0;
        assert!((value(&values, "LargeDependenceEmphasis") - lde).abs() < 1e-14);
        // pg = (3, 2, 4).
        let gln = (9.0 + 4.0 + 16.0) / 9.0;
        assert!((value(&values, "GrayLevelNonUniformity") - gln).abs() < 1e-14);
        // PyRadiomics 3.1.4 RadiomicsGLDM on the same slice, binWidth 1.
        assert_features(
            &values,
            &[
                ("DependenceEntropy", 2.1971597234241473),
                ("DependenceNonUniformity", 3.4444444444444446),
                ("DependenceNonUniformityNormalized", 0.38271604938271603),
                ("DependenceVariance", 0.9135802469135801),
                ("GrayLevelNonUniformity", 3.2222222222222223),
                ("GrayLevelVariance", 0.7654320987654321),
                ("HighGrayLevelEmphasis", 5.222222222222222),
                ("LargeDependenceEmphasis", 7.444444444444445),
                ("LargeDependenceHighGrayLevelEmphasis", 41.888888888888886),
                ("LargeDependenceLowGrayLevelEmphasis", 3.5246913580246915),
                ("LowGrayLevelEmphasis", 0.4382716049382716),
                ("SmallDependenceEmphasis", 0.3186728395061728),
                ("SmallDependenceHighGrayLevelEmphasis", 1.4606481481481481),
                ("SmallDependenceLowGrayLevelEmphasis", 0.09919410150891632),
            ],
        );
    }

    #[test]
    fn deprecated_features_follow_their_definitions() {
        // PyRadiomics 3.1 raises DeprecationWarning for both; their
        // documented values are Nz / Np = 1 and first-order Uniformity.
        let case = testing::holes();
        let settings = settings(1.0);
        let values = gldm(&case, &settings);
        assert_eq!(value(&values, "DependencePercentage"), 1.0);
        let input = ClassInput {
            image: &case.image,
            mask: &case.mask,
            spacing: [1.0; 3],
            settings: &settings,
        };
        let uniformity = firstorder::compute(&input, &["Uniformity"]).unwrap()[0].1;
        let normalized = value(&values, "GrayLevelNonUniformityNormalized");
        assert!(
            (normalized - uniformity).abs() < 1e-15,
            "{normalized} vs {uniformity}"
        );
        // Not asked for, not returned.
        let default = run(compute, &FEATURES[..3], &case, &settings).unwrap();
        assert_eq!(default.len(), 3);
    }

    #[test]
    fn a_flat_roi_depends_on_every_neighbour() {
        // PyRadiomics 3.1.4, binWidth 25: P = [[1, 6, 4, 4, 2]].
        assert_features(
            &gldm(&testing::flat(), &settings(25.0)),
            &[
                ("DependenceEntropy", 2.1162996057016943),
                ("DependenceNonUniformity", 4.294117647058823),
                ("DependenceNonUniformityNormalized", 0.25259515570934254),
                ("DependenceVariance", 8.463667820069205),
                ("GrayLevelNonUniformity", 17.0),
                ("GrayLevelVariance", 0.0),
                ("HighGrayLevelEmphasis", 1.0),
                ("LargeDependenceEmphasis", 121.82352941176471),
                ("LargeDependenceHighGrayLevelEmphasis", 121.82352941176471),
                ("LargeDependenceLowGrayLevelEmphasis", 121.82352941176471),
                ("LowGrayLevelEmphasis", 1.0),
                ("SmallDependenceEmphasis", 0.010700835735745106),
                ("SmallDependenceHighGrayLevelEmphasis", 0.010700835735745106),
                ("SmallDependenceLowGrayLevelEmphasis", 0.010700835735745106),
            ],
        );
    }

    #[test]
    fn a_2d_roi_inside_a_3d_array() {
        // PyRadiomics 3.1.4 on the uncropped 3 × 4 × 4 array, binWidth 10.
        assert_features(
            &gldm(&testing::slice(), &settings(10.0)),
            &[
                ("DependenceEntropy", 2.9502120649147443),
                ("DependenceNonUniformity", 7.142857142857143),
                ("DependenceNonUniformityNormalized", 0.5102040816326531),
                ("DependenceVariance", 0.24489795918367346),
                ("GrayLevelNonUniformity", 3.5714285714285716),
                ("GrayLevelVariance", 1.2295918367346936),
                ("HighGrayLevelEmphasis", 8.214285714285714),
                ("LargeDependenceEmphasis", 6.142857142857143),
                ("LargeDependenceHighGrayLevelEmphasis", 52.5),
                ("LargeDependenceLowGrayLevelEmphasis", 1.840277777777778),
                ("LowGrayLevelEmphasis", 0.3174603174603175),
                ("SmallDependenceEmphasis", 0.19047619047619047),
                ("SmallDependenceHighGrayLevelEmphasis", 1.507936507936508),
                ("SmallDependenceLowGrayLevelEmphasis", 0.06351962081128748),
            ],
        );
    }

    #[test]
    fn an_roi_with_holes() {
        // PyRadiomics 3.1.4, binWidth 1.
        assert_features(
            &gldm(&testing::holes(), &settings(1.0)),
            &[
                ("DependenceEntropy", 2.9031071683628085),
                ("DependenceNonUniformity", 7.833333333333333),
                ("DependenceNonUniformityNormalized", 0.3263888888888889),
                ("DependenceVariance", 0.6875),
                ("GrayLevelNonUniformity", 5.0),
                ("GrayLevelVariance", 1.9930555555555558),
                ("HighGrayLevelEmphasis", 11.5),
                ("LargeDependenceEmphasis", 5.75),
                ("LargeDependenceHighGrayLevelEmphasis", 78.25),
                ("LargeDependenceLowGrayLevelEmphasis", 1.3976041666666665),
                ("LowGrayLevelEmphasis", 0.2887152777777778),
                ("SmallDependenceEmphasis", 0.3463541666666667),
                ("SmallDependenceHighGrayLevelEmphasis", 3.5060763888888893),
                ("SmallDependenceLowGrayLevelEmphasis", 0.08979166666666667),
            ],
        );
    }

    #[test]
    fn alpha_one_counts_neighbours_one_level_apart() {
        // PyRadiomics 3.1.4, binWidth 1, gldm_a 1.
        let alpha = Settings {
            gldm_a: 1.0,
            ..settings(1.0)
        };
        assert_features(
            &gldm(&testing::cube(), &alpha),
            &[
                ("DependenceEntropy", 4.637907837484883),
                ("DependenceNonUniformity", 7.866666666666666),
                ("DependenceNonUniformityNormalized", 0.13111111111111112),
                ("DependenceVariance", 6.982222222222223),
                ("GrayLevelNonUniformity", 10.066666666666666),
                ("GrayLevelVariance", 3.083055555555555),
                ("HighGrayLevelEmphasis", 15.45),
                ("LargeDependenceEmphasis", 48.8),
                ("LargeDependenceHighGrayLevelEmphasis", 720.9166666666666),
                ("LargeDependenceLowGrayLevelEmphasis", 9.102064814814815),
                ("LowGrayLevelEmphasis", 0.2604861111111111),
                ("SmallDependenceEmphasis", 0.05281087803939604),
                ("SmallDependenceHighGrayLevelEmphasis", 0.6401711035270635),
                ("SmallDependenceLowGrayLevelEmphasis", 0.028006240349817805),
            ],
        );
    }

    #[test]
    fn two_distances() {
        // PyRadiomics 3.1.4, binWidth 1, distances [1, 2].
        let two = Settings {
            distances: vec![1, 2],
            ..settings(1.0)
        };
        assert_features(
            &gldm(&testing::cube(), &two),
            &[
                ("DependenceEntropy", 3.9773166370948903),
                ("DependenceNonUniformity", 11.933333333333334),
                ("DependenceNonUniformityNormalized", 0.1988888888888889),
                ("DependenceVariance", 2.728888888888889),
                ("GrayLevelNonUniformity", 10.066666666666666),
                ("GrayLevelVariance", 3.083055555555555),
                ("HighGrayLevelEmphasis", 15.45),
                ("LargeDependenceEmphasis", 62.53333333333333),
                ("LargeDependenceHighGrayLevelEmphasis", 981.55),
                ("LargeDependenceLowGrayLevelEmphasis", 17.20588425925926),
                ("LowGrayLevelEmphasis", 0.2604861111111111),
                ("SmallDependenceEmphasis", 0.019064714736522097),
                ("SmallDependenceHighGrayLevelEmphasis", 0.2973402293653918),
                ("SmallDependenceLowGrayLevelEmphasis", 0.004773533865591946),
            ],
        );
    }

    #[test]
    fn force_2d_keeps_neighbours_in_their_slice() {
        // PyRadiomics 3.1.4, binWidth 1, force2D, force2Ddimension 0.
        let force = Settings {
            force_2d: true,
            ..settings(1.0)
        };
        assert_features(
            &gldm(&testing::cube3(), &force),
            &[
                ("DependenceEntropy", 2.850073467409175),
                ("DependenceNonUniformity", 28.133333333333333),
                ("DependenceNonUniformityNormalized", 0.4688888888888889),
                ("DependenceVariance", 0.3655555555555555),
                ("GrayLevelNonUniformity", 20.033333333333335),
                ("GrayLevelVariance", 0.6497222222222223),
                ("HighGrayLevelEmphasis", 4.583333333333333),
                ("LargeDependenceEmphasis", 4.5),
                ("LargeDependenceHighGrayLevelEmphasis", 19.916666666666668),
                ("LargeDependenceLowGrayLevelEmphasis", 2.0717592592592595),
                ("LowGrayLevelEmphasis", 0.4560185185185185),
                ("SmallDependenceEmphasis", 0.3472222222222222),
                ("SmallDependenceHighGrayLevelEmphasis", 1.5462962962962963),
                ("SmallDependenceLowGrayLevelEmphasis", 0.17193930041152264),
            ],
        );
    }

    #[test]
    fn an_empty_roi_is_an_error() {
        let case = Case {
            image: Array3::zeros([2, 2, 2]),
            mask: Array3::from_elem([2, 2, 2], false),
        };
        let error = run(compute, FEATURES, &case, &settings(1.0)).unwrap_err();
        assert!(
            error.to_string().starts_with("gldm: the ROI is empty"),
            "{error}"
        );
    }

    fn roi() -> impl Strategy<Value = (Case, Settings)> {
        (
            1usize..5,
            1usize..6,
            1usize..6,
            0u8..3,
            1u32..3,
            any::<bool>(),
        )
            .prop_flat_map(|(d, h, w, alpha, distance, force_2d)| {
                let n = d * h * w;
                (
                    proptest::collection::vec(0u8..5, n),
                    proptest::collection::vec(proptest::bool::weighted(0.7), n),
                )
                    .prop_map(move |(values, inside)| {
                        let case = Case {
                            image: Array3::from_shape_vec(
                                [d, h, w],
                                values.into_iter().map(f64::from).collect(),
                            )
                            .unwrap(),
                            mask: Array3::from_shape_vec([d, h, w], inside).unwrap(),
                        };
                        let settings = Settings {
                            gldm_a: f64::from(alpha),
                            distances: (1..=distance).collect(),
                            force_2d,
                            ..settings(1.0)
                        };
                        (case, settings)
                    })
            })
    }

    proptest! {
        #[test]
        fn every_roi_voxel_is_counted_once((case, settings) in roi()) {
            let voxels = case.mask.iter().filter(|&&inside| inside).count();
            let input = ClassInput {
                image: &case.image,
                mask: &case.mask,
                spacing: [1.0; 3],
                settings: &settings,
            };
            let Ok(gray) = GrayImage::new(&input, CLASS) else {
                prop_assert_eq!(voxels, 0);
                return Ok(());
            };
            let Ok(neighbourhood) =
                Neighbourhood::new(gray.shape, &settings.distances, &input, CLASS)
            else {
                return Ok(());
            };
            let matrix = dependence_matrix(&gray, &neighbourhood, settings.gldm_a);
            prop_assert_eq!(matrix.total, voxels as f64);
            let counted: f64 = matrix.cells().iter().map(|cell| cell.2).sum();
            prop_assert_eq!(counted, voxels as f64);
            // A voxel depends on at most every offset.
            prop_assert!(matrix.cells().iter().all(|cell| cell.1 <= (neighbourhood.len() + 1) as f64));
        }
    }
}
