//! Gray-level run-length matrix (GLRLM), as PyRadiomics 3.1 `glrlm.py`
//! (with its C helper `cmatrices.c`) computes it.
//!
//! - Angles: the 13 (3D) or 4 (2D) offsets of distance 1 from
//!   `generate_angles`, one of each opposite pair; the `distances` setting
//!   does not apply (PyRadiomics does not pass it).
//! - A run is a maximal chain of ROI voxels of one gray level along an
//!   angle; the matrix of an angle counts runs by (gray level, length).
//!   Rows are the gray levels present in the ROI only; run lengths go up to
//!   the longest side of the ROI's bounding box.
//! - An angle along which no line through the bounding box meets two ROI
//!   voxels (e.g. across a single slice) is emptied: its runs would all be
//!   single voxels that say nothing about that direction.
//! - `weightingNorm` sums the angles' matrices, each weighted by the angle's
//!   length in mm under the norm, into one.
//! - Otherwise, empty angles are dropped, every feature is computed per
//!   angle (normalised by that angle's number of runs `Nr`) and the features
//!   are averaged with `numpy.nanmean`. Run lengths that occur in no angle
//!   are dropped before the features.
//! - Logarithms are base 2 with `eps = numpy.spacing(1)` added; sums follow
//!   numpy's order as in the GLCM (see [`super::glcm`]).

use super::angles::{Angle, generate_angles};
use super::glcm::{
    EPS, MAX_MATRIX_ELEMENTS, Reducer, RoiLevels, input_shape, nanmean, not_applicable,
    weigh_and_keep,
};
use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, feature, select};
use crate::radiomics::numeric::numpy_sum;
use crate::radiomics::settings::WeightingNorm;

/// The class's features, in PyRadiomics' order.
pub const FEATURES: &[FeatureDef] = &[
    feature("GrayLevelNonUniformity"),
    feature("GrayLevelNonUniformityNormalized"),
    feature("GrayLevelVariance"),
    feature("HighGrayLevelRunEmphasis"),
    feature("LongRunEmphasis"),
    feature("LongRunHighGrayLevelEmphasis"),
    feature("LongRunLowGrayLevelEmphasis"),
    feature("LowGrayLevelRunEmphasis"),
    feature("RunEntropy"),
    feature("RunLengthNonUniformity"),
    feature("RunLengthNonUniformityNormalized"),
    feature("RunPercentage"),
    feature("RunVariance"),
    feature("ShortRunEmphasis"),
    feature("ShortRunHighGrayLevelEmphasis"),
    feature("ShortRunLowGrayLevelEmphasis"),
];

const CLASS: &str = "glrlm";

/// The weight of an angle's matrix under `weightingNorm` (GLRLM): the
/// angle's length in mm, as PyRadiomics 3.1 glrlm.py. `spacing` is
/// (z, y, x), the angle's order.
fn weight(norm: WeightingNorm, angle: Angle, spacing: [f64; 3]) -> f64 {
    let lengths = [0, 1, 2].map(|axis| f64::from(angle[axis].unsigned_abs()) * spacing[axis]);
    match norm {
        WeightingNorm::Infinity => lengths.iter().copied().fold(lengths[0], f64::max),
        WeightingNorm::Euclidean => numpy_sum(&lengths.map(|l| l * l)).sqrt(),
        WeightingNorm::Manhattan => numpy_sum(&lengths),
        WeightingNorm::NoWeighting => 1.0,
    }
}

/// Whether some line along `angle` through the bounding box meets two ROI
/// voxels (PyRadiomics' `multiElement`). Only asked when no run is longer
/// than one voxel; each line is then walked at most once in full, as a walk
/// stops at the first ROI voxel it meets.
fn some_line_has_two_voxels(roi: &RoiLevels, angle: Angle) -> bool {
    let [sz, sy, sx] = roi.shape;
    let size = [sz as isize, sy as isize, sx as isize];
    let step = angle.map(|d| d as isize);
    for z in 0..sz {
        for y in 0..sy {
            for x in 0..sx {
                if !roi.inside(z, y, x) {
                    continue;
                }
                let mut at = [
                    z as isize + step[0],
                    y as isize + step[1],
                    x as isize + step[2],
                ];
                while (0..3).all(|axis| (0..size[axis]).contains(&at[axis])) {
                    if roi.inside(at[0] as usize, at[1] as usize, at[2] as usize) {
                        return true;
                    }
                    for axis in 0..3 {
                        at[axis] += step[axis];
                    }
                }
            }
        }
    }
    false
}

/// Runs per angle: `counts[a][i][l - 1]` runs of level index `i` and length
/// `l` along angle `a`, with angles that have no multi-voxel line emptied
/// (PyRadiomics' `P_glrlm` after the deletion of absent levels).
fn count_runs(roi: &RoiLevels, angles: &[Angle], max_run: usize) -> Vec<f64> {
    let g = roi.levels.len();
    let per_angle = g * max_run;
    let width = roi.shape[2];
    let data = &roi.data;
    // Integer counts: increments of one cell in a row are then cheap.
    let mut counts = vec![0u64; angles.len() * per_angle];
    // Run lengths so far, by flat index modulo a power of two larger than
    // any angle's step: the entry of the previous voxel along the angle is
    // still there when its successor is reached.
    let longest_step = angles
        .iter()
        .map(|&angle| roi.offset(angle).unsigned_abs())
        .max()
        .unwrap_or(0);
    let mut ring_buffer = vec![0u32; (longest_step + 1).next_power_of_two()];
    for (&angle, counts) in angles.iter().zip(counts.chunks_exact_mut(per_angle)) {
        let offset = roi.offset(angle);
        let ring = &mut ring_buffer[..(offset.unsigned_abs() + 1).next_power_of_two()];
        let ring_mask = ring.len() - 1;
        let mut long_run = false;
        // Row-major order visits the previous voxel along an angle (whose
        // first non-zero step is positive) before the voxel itself. The
        // zero padding ends every run inside the array.
        for start in roi.row_starts() {
            let before = start.wrapping_add_signed(-offset);
            let after = start.wrapping_add_signed(offset);
            let row = &data[start..start + width];
            let previous = &data[before..before + width];
            let next = &data[after..after + width];
            for (x, &level) in row.iter().enumerate() {
                if level == 0 {
                    continue;
                }
                // Branch-free: whether a run goes on or ends is as good as
                // random in textured images.
                let goes_on = u32::from(previous[x] == level);
                let length = ring[(before + x) & ring_mask] * goes_on + 1;
                ring[(start + x) & ring_mask] = length;
                let ends = next[x] != level;
                counts[(level as usize - 1) * max_run + length as usize - 1] += u64::from(ends);
                long_run |= ends & (length > 1);
            }
        }
        if !long_run && !some_line_has_two_voxels(roi, angle) {
            counts.fill(0);
        }
    }
    counts.into_iter().map(|c| c as f64).collect()
}

/// One angle's features before averaging.
#[derive(Debug, Clone, Copy)]
struct AngleFeatures {
    gray_level_non_uniformity: f64,
    gray_level_non_uniformity_normalized: f64,
    gray_level_variance: f64,
    high_gray_level_run_emphasis: f64,
    long_run_emphasis: f64,
    long_run_high_gray_level_emphasis: f64,
    long_run_low_gray_level_emphasis: f64,
    low_gray_level_run_emphasis: f64,
    run_entropy: f64,
    run_length_non_uniformity: f64,
    run_length_non_uniformity_normalized: f64,
    run_percentage: f64,
    run_variance: f64,
    short_run_emphasis: f64,
    short_run_high_gray_level_emphasis: f64,
    short_run_low_gray_level_emphasis: f64,
}

/// One angle's matrix with the quantities its features share.
struct AngleMatrix<'a> {
    /// Counts `[level][run length index]`, all run lengths.
    counts: &'a [f64],
    /// Number of run-length columns in `counts`.
    width: usize,
    /// The run-length columns kept (those occurring in some angle).
    kept: &'a [usize],
    /// Number of runs (`Nr`).
    runs: f64,
    /// Runs per kept run length (`pr`).
    pr: &'a [f64],
    /// Runs per level (`pg`).
    pg: &'a [f64],
}

/// The features of one angle, as PyRadiomics 3.1 glrlm.py computes them.
fn angle_features(m: &AngleMatrix<'_>, levels: &[f64], r: &mut Reducer) -> AngleFeatures {
    let nr = m.runs;
    let run_length = |c: usize| (m.kept[c] + 1) as f64;
    let pr = m.pr.iter().copied().enumerate();
    let pg = m.pg.iter().copied().enumerate();
    let cells = || {
        (0..levels.len()).flat_map(move |i| {
            m.kept
                .iter()
                .enumerate()
                .map(move |(c, &l)| (levels[i], (l + 1) as f64, m.counts[i * m.width + l], c))
        })
    };

    let short_run_emphasis = r.sum(pr.clone().map(|(c, v)| {
        let j = run_length(c);
        v / (j * j)
    })) / nr;
    let long_run_emphasis = r.sum(pr.clone().map(|(c, v)| {
        let j = run_length(c);
        v * (j * j)
    })) / nr;
    let gln = r.sum(pg.clone().map(|(_, v)| v * v));
    let rln = r.sum(pr.clone().map(|(_, v)| v * v));
    let voxels = r.sum(pr.clone().map(|(c, v)| v * run_length(c)));

    let u_i = r.sum(pg.clone().map(|(i, v)| v / nr * levels[i]));
    let gray_level_variance = r.sum(pg.clone().map(|(i, v)| {
        let d = levels[i] - u_i;
        v / nr * (d * d)
    }));
    let u_j = r.sum(pr.clone().map(|(c, v)| v / nr * run_length(c)));
    let run_variance = r.sum(pr.clone().map(|(c, v)| {
        let d = run_length(c) - u_j;
        v / nr * (d * d)
    }));
    let run_entropy = -r.sum(cells().map(|(_, _, v, _)| {
        let p = v / nr;
        p * (p + EPS).log2()
    }));
    let low_gray_level_run_emphasis = r.sum(pg.clone().map(|(i, v)| {
        let l = levels[i];
        v / (l * l)
    })) / nr;
    let high_gray_level_run_emphasis = r.sum(pg.clone().map(|(i, v)| {
        let l = levels[i];
        v * (l * l)
    })) / nr;
    let short_run_low = r.sum(cells().map(|(i, j, v, _)| v / ((i * i) * (j * j)))) / nr;
    let short_run_high = r.sum(cells().map(|(i, j, v, _)| v * (i * i) / (j * j))) / nr;
    let long_run_low = r.sum(cells().map(|(i, j, v, _)| v * (j * j) / (i * i))) / nr;
    let long_run_high = r.sum(cells().map(|(i, j, v, _)| v * ((j * j) * (i * i)))) / nr;

    AngleFeatures {
        gray_level_non_uniformity: gln / nr,
        gray_level_non_uniformity_normalized: gln / (nr * nr),
        gray_level_variance,
        high_gray_level_run_emphasis,
        long_run_emphasis,
        long_run_high_gray_level_emphasis: long_run_high,
        long_run_low_gray_level_emphasis: long_run_low,
        low_gray_level_run_emphasis,
        run_entropy,
        run_length_non_uniformity: rln / nr,
        run_length_non_uniformity_normalized: rln / (nr * nr),
        run_percentage: nr / voxels,
        run_variance,
        short_run_emphasis,
        short_run_high_gray_level_emphasis: short_run_high,
        short_run_low_gray_level_emphasis: short_run_low,
    }
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
        &[1],
        false,
        settings.force_2d,
        settings.force_2d_dimension,
    );
    let roi = RoiLevels::new(input, CLASS, &angles)?;
    let g = roi.levels.len();
    // PyRadiomics' run-length dimension: the longest side of the box.
    let max_run = shape.iter().copied().max().unwrap_or(0);
    if g.saturating_mul(max_run).saturating_mul(angles.len()) > MAX_MATRIX_ELEMENTS {
        return Err(not_applicable(
            CLASS,
            format!(
                "{g} gray levels over {} angles make too large a matrix; use a larger binWidth or a binCount",
                angles.len()
            ),
        ));
    }
    let no_runs = || {
        not_applicable(
            CLASS,
            "no line through the ROI meets two of its voxels in any direction (PyRadiomics returns NaN)",
        )
    };
    if angles.is_empty() {
        return Err(no_runs());
    }
    let per_angle = g * max_run;
    let matrices = count_runs(&roi, &angles, max_run);
    let weights = settings.weighting_norm.map(|norm| {
        let spacing = [input.spacing[2], input.spacing[1], input.spacing[0]];
        angles
            .iter()
            .map(|&a| weight(norm, a, spacing))
            .collect::<Vec<f64>>()
    });
    let Some((matrices, totals, kept_angles)) =
        weigh_and_keep(matrices, per_angle, weights.as_deref())
    else {
        return Err(no_runs());
    };

    let mut r = Reducer::for_angles(kept_angles.len());
    // pr sums over levels one row after another, whatever the angles.
    let pr_full: Vec<Vec<f64>> = kept_angles
        .iter()
        .map(|&a| {
            let m = &matrices[a * per_angle..(a + 1) * per_angle];
            (0..max_run)
                .map(|l| (0..g).fold(-0.0, |total, i| total + m[i * max_run + l]))
                .collect()
        })
        .collect();
    let pg: Vec<Vec<f64>> = kept_angles
        .iter()
        .map(|&a| {
            let m = &matrices[a * per_angle..(a + 1) * per_angle];
            (0..g)
                .map(|i| r.sum(m[i * max_run..(i + 1) * max_run].iter().copied()))
                .collect()
        })
        .collect();
    let kept_lengths: Vec<usize> = (0..max_run)
        .filter(|&l| pr_full.iter().any(|pr| pr[l] != 0.0))
        .collect();
    let mut per_angle_features = Vec::with_capacity(kept_angles.len());
    for (n, &a) in kept_angles.iter().enumerate() {
        let pr: Vec<f64> = kept_lengths.iter().map(|&l| pr_full[n][l]).collect();
        let matrix = AngleMatrix {
            counts: &matrices[a * per_angle..(a + 1) * per_angle],
            width: max_run,
            kept: &kept_lengths,
            runs: totals[a],
            pr: &pr,
            pg: &pg[n],
        };
        per_angle_features.push(angle_features(&matrix, &roi.levels, &mut r));
    }

    let mean_of = |f: fn(&AngleFeatures) -> f64| {
        let values: Vec<f64> = per_angle_features.iter().map(f).collect();
        nanmean(&values)
    };
    let all = [
        (
            "GrayLevelNonUniformity",
            mean_of(|f| f.gray_level_non_uniformity),
        ),
        (
            "GrayLevelNonUniformityNormalized",
            mean_of(|f| f.gray_level_non_uniformity_normalized),
        ),
        ("GrayLevelVariance", mean_of(|f| f.gray_level_variance)),
        (
            "HighGrayLevelRunEmphasis",
            mean_of(|f| f.high_gray_level_run_emphasis),
        ),
        ("LongRunEmphasis", mean_of(|f| f.long_run_emphasis)),
        (
            "LongRunHighGrayLevelEmphasis",
            mean_of(|f| f.long_run_high_gray_level_emphasis),
        ),
        (
            "LongRunLowGrayLevelEmphasis",
            mean_of(|f| f.long_run_low_gray_level_emphasis),
        ),
        (
            "LowGrayLevelRunEmphasis",
            mean_of(|f| f.low_gray_level_run_emphasis),
        ),
        ("RunEntropy", mean_of(|f| f.run_entropy)),
        (
            "RunLengthNonUniformity",
            mean_of(|f| f.run_length_non_uniformity),
        ),
        (
            "RunLengthNonUniformityNormalized",
            mean_of(|f| f.run_length_non_uniformity_normalized),
        ),
        ("RunPercentage", mean_of(|f| f.run_percentage)),
        ("RunVariance", mean_of(|f| f.run_variance)),
        ("ShortRunEmphasis", mean_of(|f| f.short_run_emphasis)),
        (
            "ShortRunHighGrayLevelEmphasis",
            mean_of(|f| f.short_run_high_gray_level_emphasis),
        ),
        (
            "ShortRunLowGrayLevelEmphasis",
            mean_of(|f| f.short_run_low_gray_level_emphasis),
        ),
    ];
    let values = select(&all, wanted);
    if let Some((name, _)) = values.iter().find(|(_, v)| !v.is_finite()) {
        return Err(not_applicable(
            CLASS,
            format!("{name} is undefined for this ROI"),
        ));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use ndarray::Array3;

    use super::*;
    use crate::radiomics::features::glcm::tests::{
        SHAPE, all_features, assert_matches, holes, slab, textured, width_10,
    };
    use crate::radiomics::settings::{Settings, WeightingNorm};

    fn glrlm(
        image: &Array3<f64>,
        mask: &Array3<bool>,
        settings: &Settings,
    ) -> HashMap<&'static str, f64> {
        all_features(compute, FEATURES, image, mask, settings).unwrap()
    }

    #[test]
    fn a_two_by_two_slice_by_hand() {
        // Levels [[1, 2], [2, 1]] (binWidth 1), four in-plane angles:
        // (0,1,1): runs (1, length 2), (2, 1), (2, 1): Nr 3;
        // (0,1,0): four runs of length 1; (0,1,-1): (2, length 2), (1, 1),
        // (1, 1): Nr 3; (0,0,1): four runs of length 1.
        let image = Array3::from_shape_vec((1, 2, 2), vec![1.0, 2.0, 2.0, 1.0]).unwrap();
        let mask = Array3::from_elem((1, 2, 2), true);
        let settings = Settings {
            bin_width: 1.0,
            ..Settings::default()
        };
        let f = glrlm(&image, &mask, &settings);
        let exact = |name: &str, want: f64| assert_eq!(f[name], want, "{name}");
        exact("ShortRunEmphasis", (0.75 + 1.0 + 0.75 + 1.0) / 4.0);
        exact("LongRunEmphasis", (2.0 + 1.0 + 2.0 + 1.0) / 4.0);
        exact("RunPercentage", (0.75 + 1.0 + 0.75 + 1.0) / 4.0);
        exact(
            "GrayLevelNonUniformity",
            (5.0 / 3.0 + 2.0 + 5.0 / 3.0 + 2.0) / 4.0,
        );
        exact(
            "RunLengthNonUniformity",
            (5.0 / 3.0 + 4.0 + 5.0 / 3.0 + 4.0) / 4.0,
        );
        exact("HighGrayLevelRunEmphasis", (3.0 + 2.5 + 2.0 + 2.5) / 4.0);
    }

    // Expected values in the tests below are PyRadiomics 3.1.4's
    // (`glrlm.RadiomicsGLRLM` on the same numpy arrays, spacing (0.7, 0.9,
    // 2.5), binWidth 10; fixtures in `glcm::tests`).

    #[test]
    fn a_flat_roi_matches_pyradiomics() {
        const FLAT: &[(&str, f64)] = &[
            ("GrayLevelNonUniformity", 30.307692307692307),
            ("GrayLevelNonUniformityNormalized", 1.0),
            ("GrayLevelVariance", 0.0),
            ("HighGrayLevelRunEmphasis", 1.0),
            ("LongRunEmphasis", 4.933885058647868),
            ("LongRunHighGrayLevelEmphasis", 4.933885058647868),
            ("LongRunLowGrayLevelEmphasis", 4.933885058647868),
            ("LowGrayLevelRunEmphasis", 1.0),
            ("RunEntropy", 1.4023050609767163),
            ("RunLengthNonUniformity", 12.927132174061164),
            ("RunLengthNonUniformityNormalized", 0.4242563766228876),
            ("RunPercentage", 0.5510489510489509),
            ("RunVariance", 0.8695421641795252),
            ("ShortRunEmphasis", 0.5498902188246041),
            ("ShortRunHighGrayLevelEmphasis", 0.5498902188246041),
            ("ShortRunLowGrayLevelEmphasis", 0.5498902188246041),
        ];
        let image = textured().mapv(|_| 42.0);
        assert_matches(&glrlm(&image, &holes(), &width_10()), FLAT);
    }

    #[test]
    fn an_roi_with_holes_matches_pyradiomics() {
        const HOLES: &[(&str, f64)] = &[
            ("GrayLevelNonUniformity", 8.52262777583215),
            ("GrayLevelNonUniformityNormalized", 0.16757249703942725),
            ("GrayLevelVariance", 4.323966578526626),
            ("HighGrayLevelRunEmphasis", 22.692999579858622),
            ("LongRunEmphasis", 1.3297901888603307),
            ("LongRunHighGrayLevelEmphasis", 31.406575102434893),
            ("LongRunLowGrayLevelEmphasis", 0.2413981720167741),
            ("LowGrayLevelRunEmphasis", 0.1990716866622592),
            ("RunEntropy", 2.940860149615962),
            ("RunLengthNonUniformity", 45.25981844230628),
            ("RunLengthNonUniformityNormalized", 0.8845888365677781),
            ("RunPercentage", 0.9244755244755244),
            ("RunVariance", 0.13387948090645047),
            ("ShortRunEmphasis", 0.9489483490790037),
            ("ShortRunHighGrayLevelEmphasis", 21.25037602115004),
            ("ShortRunLowGrayLevelEmphasis", 0.1929056940194071),
        ];
        assert_matches(&glrlm(&textured(), &holes(), &width_10()), HOLES);
    }

    #[test]
    fn a_2d_roi_in_a_3d_array_matches_pyradiomics_and_its_own_slice() {
        const SLAB: &[(&str, f64)] = &[
            ("GrayLevelNonUniformity", 3.393092105263158),
            ("GrayLevelNonUniformityNormalized", 0.19262788578612422),
            ("GrayLevelVariance", 4.5825878394397215),
            ("HighGrayLevelRunEmphasis", 25.813268618851048),
            ("LongRunEmphasis", 1.7183952528379773),
            ("LongRunHighGrayLevelEmphasis", 59.13963600791194),
            ("LongRunLowGrayLevelEmphasis", 0.1998309931002128),
            ("LowGrayLevelRunEmphasis", 0.17560353896066222),
            ("RunEntropy", 2.810829237446524),
            ("RunLengthNonUniformity", 15.198088665290676),
            ("RunLengthNonUniformityNormalized", 0.8687080001285257),
            ("RunPercentage", 0.875),
            ("RunVariance", 0.3960992060343531),
            ("ShortRunEmphasis", 0.9405114809081527),
            ("ShortRunHighGrayLevelEmphasis", 23.367081183350535),
            ("ShortRunLowGrayLevelEmphasis", 0.17199790591797148),
        ];
        assert_matches(&glrlm(&textured(), &slab(), &width_10()), SLAB);
        // Every line across slices meets one ROI voxel: those angles are
        // emptied and dropped, so the slice alone gives the same features.
        let slice = textured().slice(ndarray::s![1..2, .., ..]).to_owned();
        let mask = Array3::from_elem(slice.raw_dim(), true);
        assert_matches(&glrlm(&slice, &mask, &width_10()), SLAB);
    }

    #[test]
    fn angles_whose_lines_meet_one_voxel_each_are_dropped_like_pyradiomics() {
        // Voxels (0,0,0), (0,0,1), (1,1,0) and (1,1,1) of the 2 × 2 × 2
        // image [[[10, 20], [30, 40]], [[40, 30], [20, 10]]]: only 4 of
        // the 13 angles have a line through two of them.
        const SPARSE_Z: &[(&str, f64)] = &[
            ("GrayLevelNonUniformity", 1.8333333333333335),
            ("GrayLevelNonUniformityNormalized", 0.5277777777777778),
            ("GrayLevelVariance", 0.2361111111111111),
            ("HighGrayLevelRunEmphasis", 2.5),
            ("LongRunEmphasis", 1.5),
            ("LongRunHighGrayLevelEmphasis", 3.75),
            ("LongRunLowGrayLevelEmphasis", 0.9375),
            ("LowGrayLevelRunEmphasis", 0.625),
            ("RunEntropy", 0.9591479170272441),
            ("RunLengthNonUniformity", 2.8333333333333335),
            ("RunLengthNonUniformityNormalized", 0.7777777777777778),
            ("RunPercentage", 0.875),
            ("RunVariance", 0.1111111111111111),
            ("ShortRunEmphasis", 0.875),
            ("ShortRunHighGrayLevelEmphasis", 2.1875),
            ("ShortRunLowGrayLevelEmphasis", 0.546875),
        ];
        let image = Array3::from_shape_vec(
            (2, 2, 2),
            vec![10.0, 20.0, 30.0, 40.0, 40.0, 30.0, 20.0, 10.0],
        )
        .unwrap();
        let mut mask = Array3::from_elem((2, 2, 2), false);
        for voxel in [[0, 0, 0], [0, 0, 1], [1, 1, 0], [1, 1, 1]] {
            mask[voxel] = true;
        }
        assert_matches(&glrlm(&image, &mask, &width_10()), SPARSE_Z);
    }

    #[test]
    fn every_weighting_norm_matches_pyradiomics() {
        const INFINITY: &[(&str, f64)] = &[
            ("GrayLevelNonUniformity", 221.4087791182942),
            ("GrayLevelNonUniformityNormalized", 0.168001198207978),
            ("GrayLevelVariance", 4.327347377328959),
            ("HighGrayLevelRunEmphasis", 22.735412398512786),
            ("LongRunEmphasis", 1.287275210562258),
            ("LongRunHighGrayLevelEmphasis", 30.288033993474464),
            ("LongRunLowGrayLevelEmphasis", 0.23647297012236365),
            ("LowGrayLevelRunEmphasis", 0.19868928037613612),
            ("RunEntropy", 3.0544874113820604),
            ("RunLengthNonUniformity", 1165.1536914788678),
            ("RunLengthNonUniformityNormalized", 0.8840987111911889),
            ("RunPercentage", 0.9251667251667253),
            ("RunVariance", 0.11896010687467969),
            ("ShortRunEmphasis", 0.9517484255254572),
            ("ShortRunHighGrayLevelEmphasis", 21.3720239480318),
            ("ShortRunLowGrayLevelEmphasis", 0.19325369878948986),
        ];
        const EUCLIDEAN: &[(&str, f64)] = &[
            ("GrayLevelNonUniformity", 238.82133026068112),
            ("GrayLevelNonUniformityNormalized", 0.16804767562379158),
            ("GrayLevelVariance", 4.326406773079603),
            ("HighGrayLevelRunEmphasis", 22.739639910742586),
            ("LongRunEmphasis", 1.2784062289625047),
            ("LongRunHighGrayLevelEmphasis", 30.070483797327014),
            ("LongRunLowGrayLevelEmphasis", 0.23509664625562898),
            ("LowGrayLevelRunEmphasis", 0.19857746061079895),
            ("RunEntropy", 3.049602920731522),
            ("RunLengthNonUniformity", 1258.3409670680608),
            ("RunLengthNonUniformityNormalized", 0.8854371359005703),
            ("RunPercentage", 0.9268749074166295),
            ("RunVariance", 0.11439344509241241),
            ("ShortRunEmphasis", 0.9524471020434808),
            ("ShortRunHighGrayLevelEmphasis", 21.39434425508935),
            ("ShortRunLowGrayLevelEmphasis", 0.19321505866594013),
        ];
        const MANHATTAN: &[(&str, f64)] = &[
            ("GrayLevelNonUniformity", 318.6551259705276),
            ("GrayLevelNonUniformityNormalized", 0.16830672686342765),
            ("GrayLevelVariance", 4.3265293460521175),
            ("HighGrayLevelRunEmphasis", 22.75439708445571),
            ("LongRunEmphasis", 1.2485607140970794),
            ("LongRunHighGrayLevelEmphasis", 29.333755875983734),
            ("LongRunLowGrayLevelEmphasis", 0.22999980447820953),
            ("LowGrayLevelRunEmphasis", 0.19843005284298262),
            ("RunEntropy", 3.028950311175766),
            ("RunLengthNonUniformity", 1686.9858817936943),
            ("RunLengthNonUniformityNormalized", 0.8910293570980268),
            ("RunPercentage", 0.932889874353289),
            ("RunVariance", 0.09950988216099968),
            ("ShortRunEmphasis", 0.9552036274112808),
            ("ShortRunHighGrayLevelEmphasis", 21.478596351461587),
            ("ShortRunLowGrayLevelEmphasis", 0.1935639037687725),
        ];
        const NO_WEIGHTING: &[(&str, f64)] = &[
            ("GrayLevelNonUniformity", 110.29803328290468),
            ("GrayLevelNonUniformityNormalized", 0.1668654058742885),
            ("GrayLevelVariance", 4.327578669828184),
            ("HighGrayLevelRunEmphasis", 22.683812405446293),
            ("LongRunEmphasis", 1.2995461422087746),
            ("LongRunHighGrayLevelEmphasis", 30.738275340393344),
            ("LongRunLowGrayLevelEmphasis", 0.23562396869993585),
            ("LowGrayLevelRunEmphasis", 0.19907376818604394),
            ("RunEntropy", 3.0590927694185472),
            ("RunLengthNonUniformity", 584.8184568835098),
            ("RunLengthNonUniformityNormalized", 0.8847480436966866),
            ("RunPercentage", 0.9244755244755245),
            ("RunVariance", 0.12948336198076998),
            ("ShortRunEmphasis", 0.9521217851739787),
            ("ShortRunHighGrayLevelEmphasis", 21.309980248781308),
            ("ShortRunLowGrayLevelEmphasis", 0.19353323163747485),
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
            assert_matches(&glrlm(&textured(), &holes(), &settings), expected);
        }
    }

    #[test]
    fn force_2d_matches_pyradiomics() {
        const FORCE_2D: &[(&str, f64)] = &[
            ("GrayLevelNonUniformity", 8.313787053282852),
            ("GrayLevelNonUniformityNormalized", 0.16376624898593803),
            ("GrayLevelVariance", 4.317020889893898),
            ("HighGrayLevelRunEmphasis", 22.480149752208575),
            ("LongRunEmphasis", 1.3433892787884385),
            ("LongRunHighGrayLevelEmphasis", 32.45121125373226),
            ("LongRunLowGrayLevelEmphasis", 0.23215941872344614),
            ("LowGrayLevelRunEmphasis", 0.20037016995879112),
            ("RunEntropy", 2.958814733664706),
            ("RunLengthNonUniformity", 45.09424154277095),
            ("RunLengthNonUniformityNormalized", 0.8884924403437805),
            ("RunPercentage", 0.9227272727272726),
            ("RunVariance", 0.1672309837548986),
            ("ShortRunEmphasis", 0.9536537307230585),
            ("ShortRunHighGrayLevelEmphasis", 21.07436441884446),
            ("ShortRunLowGrayLevelEmphasis", 0.19431136316978825),
        ];
        let settings = Settings {
            force_2d: true,
            ..width_10()
        };
        assert_matches(&glrlm(&textured(), &holes(), &settings), FORCE_2D);
    }

    #[test]
    fn distances_do_not_apply() {
        let two = Settings {
            distances: vec![2],
            ..width_10()
        };
        assert_eq!(
            glrlm(&textured(), &holes(), &two),
            glrlm(&textured(), &holes(), &width_10())
        );
    }

    #[test]
    fn rois_without_runs_are_errors_that_say_why() {
        let image = textured();
        let settings = width_10();
        let error = |mask: &Array3<bool>| {
            all_features(compute, FEATURES, &image, mask, &settings)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            error(&Array3::from_elem(SHAPE, false)),
            "glrlm: the ROI is empty"
        );
        // (0,0,0) and (1,2,0): no angle of distance 1 joins them.
        let mut apart = Array3::from_elem(SHAPE, false);
        apart[[0, 0, 0]] = true;
        apart[[1, 2, 0]] = true;
        assert!(error(&apart).contains("no line through the ROI"));
    }
}
