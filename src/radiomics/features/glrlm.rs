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
    let mut matrices = count_runs(&roi, &angles, max_run);
    if let Some(norm) = settings.weighting_norm {
        let spacing = [input.spacing[2], input.spacing[1], input.spacing[0]];
        let weights: Vec<f64> = angles.iter().map(|&a| weight(norm, a, spacing)).collect();
        let mut terms = vec![0.0; angles.len()];
        matrices = (0..per_angle)
            .map(|cell| {
                for (a, term) in terms.iter_mut().enumerate() {
                    *term = matrices[a * per_angle + cell] * weights[a];
                }
                numpy_sum(&terms)
            })
            .collect();
    }
    let stacked = matrices.len() / per_angle;
    let mut r = Reducer::for_angles(stacked);
    let totals: Vec<f64> = matrices
        .chunks_exact(per_angle)
        .map(|m| r.sum(m.iter().copied()))
        .collect();
    let kept_angles: Vec<usize> = (0..stacked)
        .filter(|&a| stacked == 1 || totals[a] != 0.0)
        .collect();
    if kept_angles.iter().all(|&a| totals[a] == 0.0) {
        return Err(no_runs());
    }

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
