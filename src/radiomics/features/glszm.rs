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
//! (see `CountMatrix::new` in the `texture` module), so the values round as PyRadiomics' do.

use super::texture::{CountMatrix, GrayImage, Neighbourhood, finish};
use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, feature};

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

#[cfg(test)]
mod tests {
    use ndarray::Array3;
    use proptest::prelude::*;

    use super::super::texture::testing::{self, Case, assert_features, run, settings};
    use super::*;
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
            let binned = crate::radiomics::discretize::discretize(&case.image, &case.mask, &settings).unwrap();
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
