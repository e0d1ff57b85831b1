//! Three-dimensional local binary patterns as PyRadiomics 3.1
//! `getLBP3DImage` computes them (Banerjee et al. 2013): for every ROI
//! voxel, the image is sampled on an icosphere around it (trimesh's
//! `icosphere`, SciPy's cubic-spline `map_coordinates`), the samples are
//! binarised against the centre, projected on spherical harmonics (SciPy's
//! `sph_harm`) and summed per degree; the spherical kurtosis of the samples
//! is the last image.
//!
//! PyRadiomics' quirks are kept: the samples are rounded to the image's own
//! pixel type (`map_coordinates` returns the input dtype), the vertex offset
//! `(x, y, z)` is added to the voxel index `(z, y, x)` as it comes, and the
//! polar and azimuthal angles are passed to `sph_harm` swapped.

use ndarray::Array3;
use rayon::prelude::*;

use std::ops::Range;

use super::lines::{LineKernel, along_axis};
use super::{FilterError, derived, require_voxels, voxels};
use crate::imaging::{PixelType, Volume};
use crate::radiomics::numeric::numpy_mean;

/// The settings of `getLBP3DImage`, with PyRadiomics' names and defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lbp3dSettings {
    /// `lbp3DLevels` (default 2): spherical-harmonic degrees used (images `m1`..).
    pub levels: u32,
    /// `lbp3DIcosphereRadius` (default 1): sampling radius in voxels.
    pub icosphere_radius: f64,
    /// `lbp3DIcosphereSubdivision` (default 1): subdivisions of the icosahedron.
    pub icosphere_subdivision: u32,
}

impl Default for Lbp3dSettings {
    fn default() -> Self {
        Lbp3dSettings {
            levels: 2,
            icosphere_radius: 1.0,
            icosphere_subdivision: 1,
        }
    }
}

/// trimesh's baked icosahedron (`trimesh.creation.icosahedron()`, trimesh
/// 5.2): unit vertices and faces, in trimesh's order.
const ICOSAHEDRON_VERTICES: [[f64; 3]; 12] = {
    const A: f64 = 0.5257311121191336;
    const B: f64 = 0.85065080835204;
    [
        [-A, B, 0.0],
        [A, B, 0.0],
        [-A, -B, 0.0],
        [A, -B, 0.0],
        [0.0, -A, B],
        [0.0, A, B],
        [0.0, -A, -B],
        [0.0, A, -B],
        [B, 0.0, -A],
        [B, 0.0, A],
        [-B, 0.0, -A],
        [-B, 0.0, A],
    ]
};

const ICOSAHEDRON_FACES: [[usize; 3]; 20] = [
    [0, 11, 5],
    [0, 5, 1],
    [0, 1, 7],
    [0, 7, 10],
    [0, 10, 11],
    [1, 5, 9],
    [5, 11, 4],
    [11, 10, 2],
    [10, 7, 6],
    [7, 1, 8],
    [3, 9, 4],
    [3, 4, 2],
    [3, 2, 6],
    [3, 6, 8],
    [3, 8, 9],
    [4, 9, 5],
    [2, 4, 11],
    [6, 2, 10],
    [8, 6, 7],
    [9, 8, 1],
];

/// trimesh's `remesh.subdivide`: one midpoint per unique edge, the edges
/// ordered as `grouping.unique_rows` hashes them (by larger vertex index,
/// then smaller), each face split in four.
fn subdivide(vertices: &mut Vec<[f64; 3]>, faces: &mut Vec<[usize; 3]>) {
    let edge = |a: usize, b: usize| (a.min(b), a.max(b));
    let mut edges: Vec<(usize, usize)> = faces
        .iter()
        .flat_map(|f| [edge(f[0], f[1]), edge(f[1], f[2]), edge(f[2], f[0])])
        .collect();
    let all = edges.clone();
    edges.sort_by_key(|&(a, b)| (b, a));
    edges.dedup();
    let base = vertices.len();
    let rank = |e: (usize, usize)| {
        base + edges
            .binary_search_by_key(&(e.1, e.0), |&(a, b)| (b, a))
            .unwrap_or_default()
    };
    for &(a, b) in &edges {
        let (va, vb) = (vertices[a], vertices[b]);
        vertices.push([0, 1, 2].map(|k| (va[k] + vb[k]) / 2.0));
    }
    let mut next = Vec::with_capacity(faces.len() * 4);
    for (f, e) in faces.iter().zip(all.chunks_exact(3)) {
        let (m0, m1, m2) = (rank(e[0]), rank(e[1]), rank(e[2]));
        next.push([f[0], m0, m2]);
        next.push([m0, f[1], m1]);
        next.push([m2, m1, f[2]]);
        next.push([m0, m1, m2]);
    }
    *faces = next;
}

/// trimesh's projection onto the sphere: `v += v/|v| · (radius - |v|)`.
fn project(vertices: &mut [[f64; 3]], radius: f64) {
    for v in vertices {
        let norm = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
        let stretch = radius - norm;
        for c in v.iter_mut() {
            *c += *c / norm * stretch;
        }
    }
}

/// `trimesh.creation.icosphere(subdivisions, radius).vertices`.
fn icosphere(subdivisions: u32, radius: f64) -> Vec<[f64; 3]> {
    let mut vertices = ICOSAHEDRON_VERTICES.to_vec();
    let mut faces = ICOSAHEDRON_FACES.to_vec();
    for _ in 0..subdivisions {
        subdivide(&mut vertices, &mut faces);
        project(&mut vertices, radius);
    }
    if subdivisions == 0 {
        project(&mut vertices, radius);
    }
    vertices
}

/// SciPy's `sph_harm(m, n, theta, phi)` (azimuth `theta`, polar `phi`):
/// `sqrt((2n+1)/4π · (n-m)!/(n+m)!) · P_n^m(cos phi) · e^{i m theta}`, with
/// the Condon–Shortley phase in `P_n^m`. Returns (re, im).
fn sph_harm(m: i32, n: i32, theta: f64, phi: f64) -> (f64, f64) {
    let x = phi.cos();
    let order = m.unsigned_abs() as i32;
    // P_order^order, then upwards in degree.
    let s = (1.0 - x * x).max(0.0).sqrt();
    let mut p_mm = 1.0;
    for k in 0..order {
        p_mm *= -f64::from(2 * k + 1) * s;
    }
    let legendre = if n == order {
        p_mm
    } else {
        let mut prev = p_mm;
        let mut cur = x * f64::from(2 * order + 1) * p_mm;
        for l in order + 2..=n {
            let next = (f64::from(2 * l - 1) * x * cur - f64::from(l + order - 1) * prev)
                / f64::from(l - order);
            prev = cur;
            cur = next;
        }
        cur
    };
    // (n-|m|)!/(n+|m|)!, and the negative-order relation.
    let ratio: f64 = (n - order + 1..=n + order)
        .map(|k| 1.0 / f64::from(k))
        .product();
    let norm = (f64::from(2 * n + 1) / (4.0 * std::f64::consts::PI) * ratio).sqrt();
    let mut value = norm * legendre;
    if m < 0 && order % 2 == 1 {
        value = -value;
    }
    let angle = f64::from(m) * theta;
    (value * angle.cos(), value * angle.sin())
}

/// SciPy's cubic B-spline prefilter along one line (`ni_splines.c`
/// `apply_filter` with the mirror initialisation that mode `'constant'`
/// uses), on `w` lines at once.
struct SplinePrefilter;

/// The cubic spline's pole, `sqrt(3) - 2`, as SciPy writes it (the literal
/// rounds to the same `f64`).
#[allow(clippy::excessive_precision)]
const POLE: f64 = -0.267949192431122706472553658494127633;

impl LineKernel<f64> for SplinePrefilter {
    fn apply(
        &self,
        input: &[f64],
        kept: &mut [f64],
        w: usize,
        out: Range<usize>,
        scratch: &mut Vec<f64>,
    ) {
        // The prefilter's first value sums the whole line: every position
        // is computed, and `out` (indices into the line) copied out.
        let n = input.len() / w;
        scratch.clear();
        scratch.extend_from_slice(input);
        self.whole_lines(scratch, n, w);
        kept.copy_from_slice(&scratch[out.start * w..out.end * w]);
    }
}

impl SplinePrefilter {
    /// SciPy's prefilter of `w` interleaved lines of `n` values, in place.
    // One index runs over several equal-length lanes.
    #[allow(clippy::needless_range_loop)]
    fn whole_lines(&self, output: &mut [f64], n: usize, w: usize) {
        if n < 2 {
            return;
        }
        let z = POLE;
        let gain = 1.0 * ((1.0 - z) * (1.0 - 1.0 / z));
        for v in output.iter_mut() {
            *v *= gain;
        }
        let z_n_1 = z.powf((n - 1) as f64);
        for k in 0..w {
            let c = |i: usize| i * w + k;
            let mut first = output[c(0)] + z_n_1 * output[c(n - 1)];
            let mut z_i = z;
            for i in 1..n - 1 {
                first += z_i * (output[c(i)] + z_n_1 * output[c(n - 1 - i)]);
                z_i *= z;
            }
            output[c(0)] = first / (1.0 - z_n_1 * z_n_1);
        }
        for i in 1..n {
            for k in 0..w {
                output[i * w + k] += z * output[(i - 1) * w + k];
            }
        }
        for k in 0..w {
            let last = (n - 1) * w + k;
            output[last] = (z * output[(n - 2) * w + k] + output[last]) * z / (z * z - 1.0);
        }
        for i in (0..n - 1).rev() {
            for k in 0..w {
                output[i * w + k] = z * (output[(i + 1) * w + k] - output[i * w + k]);
            }
        }
    }
}

/// SciPy's `map_coordinate` for the mirror extension of the spline
/// coefficients.
fn mirror(index: isize, len: isize) -> isize {
    if len <= 1 {
        return 0;
    }
    let period = 2 * len - 2;
    if index < 0 {
        let folded = period * (-index / period) + index;
        if folded <= 1 - len {
            folded + period
        } else {
            -folded
        }
    } else if index > len - 1 {
        let folded = index - period * (index / period);
        if folded >= len {
            period - folded
        } else {
            folded
        }
    } else {
        index
    }
}

/// SciPy's `get_spline_interpolation_weights` for order 3.
fn weights(x: f64) -> [f64; 4] {
    let x = x - x.floor();
    let (y, z) = (x, 1.0 - x);
    let w1 = (y * y * (y - 2.0) * 3.0 + 4.0) / 6.0;
    let w2 = (z * z * (z - 2.0) * 3.0 + 4.0) / 6.0;
    let w0 = z * z * z / 6.0;
    let mut w3 = 1.0;
    for w in [w0, w1, w2] {
        w3 -= w;
    }
    [w0, w1, w2, w3]
}

/// SciPy's `NI_GeometricTransform` at one point for order 3 and mode
/// `'constant'` (cval 0): 0 outside `[0, len - 1]` on any axis, otherwise
/// the 64 coefficients around the point, mirrored at the borders, weighted
/// and summed in C order.
fn interpolate(coeffs: &[f64], shape: [usize; 3], point: [f64; 3]) -> f64 {
    let mut index = [[0usize; 4]; 3];
    let mut weight = [[0.0; 4]; 3];
    for a in 0..3 {
        let cc = point[a];
        let len = shape[a] as isize;
        if !(cc >= 0.0 && cc <= (len - 1) as f64) {
            return 0.0;
        }
        let start = cc.floor() as isize - 1;
        for (l, slot) in index[a].iter_mut().enumerate() {
            *slot = mirror(start + l as isize, len) as usize;
        }
        weight[a] = weights(cc);
    }
    let mut t = 0.0;
    for i in 0..4 {
        for j in 0..4 {
            let row = (index[0][i] * shape[1] + index[1][j]) * shape[2];
            for k in 0..4 {
                let mut coeff = coeffs[row + index[2][k]];
                coeff *= weight[0][i];
                coeff *= weight[1][j];
                coeff *= weight[2][k];
                t += coeff;
            }
        }
    }
    t
}

/// `map_coordinates`' store into an output of the input's dtype: integers
/// rounded half away from zero and clamped, `f32` rounded.
fn store(pixel_type: PixelType, t: f64) -> f64 {
    if pixel_type.is_integer() {
        let (low, high) = pixel_type.range();
        let rounded = if pixel_type.range().0 == 0.0 {
            if t > 0.0 { t + 0.5 } else { 0.0 }
        } else if t > 0.0 {
            t + 0.5
        } else {
            t - 0.5
        };
        rounded.clamp(low, high).trunc()
    } else if pixel_type == PixelType::F32 {
        f64::from(t as f32)
    } else {
        t
    }
}

/// numpy's pairwise sum of a short complex array (`CDOUBLE_pairwise_sum`
/// below 128 values): sequential under 4 values, else four interleaved
/// complex accumulators, then the rest in order.
fn complex_sum(values: &[(f64, f64)]) -> (f64, f64) {
    let n = values.len();
    if n < 4 {
        return values
            .iter()
            .fold((-0.0, -0.0), |acc, v| (acc.0 + v.0, acc.1 + v.1));
    }
    let mut r = [(0.0, 0.0); 4];
    r.copy_from_slice(&values[..4]);
    let mut i = 4;
    while i + 4 <= n && n <= 64 {
        for (j, acc) in r.iter_mut().enumerate() {
            acc.0 += values[i + j].0;
            acc.1 += values[i + j].1;
        }
        i += 4;
    }
    let mut total = (
        (r[0].0 + r[1].0) + (r[2].0 + r[3].0),
        (r[0].1 + r[1].1) + (r[2].1 + r[3].1),
    );
    for v in &values[i..] {
        total.0 += v.0;
        total.1 += v.1;
    }
    total
}

/// The real part of the principal complex square root.
fn csqrt_re(re: f64, im: f64) -> f64 {
    if re == 0.0 && im == 0.0 {
        return 0.0;
    }
    // glibc's csqrt: the real part directly for a positive real part,
    // otherwise through the imaginary one to avoid cancellation.
    if im == 0.0 {
        return if re < 0.0 { 0.0 } else { re.sqrt() };
    }
    let d = re.hypot(im);
    if re > 0.0 {
        (0.5 * (d + re)).sqrt()
    } else {
        let s = (0.5 * (d - re)).sqrt();
        (0.5 * (im / s)).abs()
    }
}

/// numpy's pairwise sum of a contiguous `float32` array, accumulated in
/// single precision (see [`numpy_sum`](crate::radiomics::numeric::numpy_sum)).
fn numpy_sum_f32(values: &[f32]) -> f32 {
    let n = values.len();
    if n < 8 {
        values.iter().fold(-0.0, |acc, v| acc + v)
    } else if n <= 128 {
        let mut r = [0.0f32; 8];
        r.copy_from_slice(&values[..8]);
        let mut i = 8;
        while i < n - (n % 8) {
            for (j, acc) in r.iter_mut().enumerate() {
                *acc += values[i + j];
            }
            i += 8;
        }
        let mut total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for v in &values[i..] {
            total += v;
        }
        total
    } else {
        let mut half = n / 2;
        half -= half % 8;
        numpy_sum_f32(&values[..half]) + numpy_sum_f32(&values[half..])
    }
}

/// `scipy.stats.kurtosis(samples)` (Fisher, biased): `m4 / m2² - 3`, NaN
/// when the variance is 0 to machine precision. SciPy computes in the
/// samples' dtype: `f32` for `f32` images, `f64` otherwise.
fn kurtosis(samples: &[f64], single: bool, scratch: &mut Vec<f64>) -> f64 {
    if single {
        let values: Vec<f32> = samples.iter().map(|&v| v as f32).collect();
        let n = values.len() as f32;
        let mean = numpy_sum_f32(&values) / n;
        let squares: Vec<f32> = values.iter().map(|v| (v - mean) * (v - mean)).collect();
        let m2 = numpy_sum_f32(&squares) / n;
        let fourth: Vec<f32> = squares.iter().map(|s| s * s).collect();
        let m4 = numpy_sum_f32(&fourth) / n;
        let floor = f32::EPSILON * mean;
        return if m2 <= floor * floor {
            f64::NAN
        } else {
            f64::from(m4 / (m2 * m2) - 3.0)
        };
    }
    let mean = numpy_mean(samples);
    scratch.clear();
    scratch.extend(samples.iter().map(|v| (v - mean) * (v - mean)));
    let m2 = numpy_mean(scratch);
    for s in scratch.iter_mut() {
        *s *= *s;
    }
    let m4 = numpy_mean(scratch);
    let floor = f64::EPSILON * mean;
    if m2 <= floor * floor {
        f64::NAN
    } else {
        m4 / (m2 * m2) - 3.0
    }
}

/// Local binary patterns in 3D of the ROI voxels, as PyRadiomics
/// `getLBP3DImage` computes them with trimesh 5.2 and SciPy 1.16 (the last
/// SciPy with `scipy.special.sph_harm`, which PyRadiomics imports): images
/// `lbp-3D-m1` … `lbp-3D-m<levels>` and `lbp-3D-k`, `f64`, in that order.
/// Voxels outside the ROI are 0 (PyRadiomics leaves them uninitialised).
pub fn lbp_3d(
    volume: &Volume,
    roi: &Array3<bool>,
    settings: &Lbp3dSettings,
) -> Result<Vec<(String, Volume)>, FilterError> {
    let shape = require_voxels(volume, "LBP 3D")?;
    let mask_shape = roi.shape();
    if mask_shape != shape {
        return Err(FilterError::MaskShape {
            filter: "LBP 3D",
            image: shape,
            mask: [mask_shape[0], mask_shape[1], mask_shape[2]],
        });
    }
    let problem = |detail: String| FilterError::LbpParameters {
        filter: "LBP 3D",
        detail,
    };
    let Lbp3dSettings {
        levels,
        icosphere_radius: radius,
        icosphere_subdivision: subdivision,
    } = *settings;
    if !(1..=16).contains(&levels) {
        return Err(problem(format!(
            "levels must be from 1 to 16, got {levels}"
        )));
    }
    if !(radius > 0.0 && radius <= 1e6) {
        return Err(problem(format!(
            "the icosphere radius must be a positive number of voxels up to 1e6, got {radius}"
        )));
    }
    if subdivision > 5 {
        return Err(problem(format!(
            "at most 5 icosphere subdivisions (10242 vertices), got {subdivision}"
        )));
    }
    let roi_voxels: Vec<[usize; 3]> = roi
        .indexed_iter()
        .filter(|(_, inside)| **inside)
        .map(|((z, y, x), _)| [z, y, x])
        .collect();
    if roi_voxels.is_empty() {
        return Err(FilterError::EmptyRoi { filter: "LBP 3D" });
    }

    let vertices = icosphere(subdivision, radius);
    // Spherical harmonics per vertex, columns (0, 0), then (n, -n..=n).
    let mut degrees = vec![0usize];
    let mut columns = vec![(0, 0)];
    for n in 1..levels as i32 {
        for m in -n..=n {
            degrees.push(n as usize);
            columns.push((m, n));
        }
    }
    let harmonics: Vec<Vec<(f64, f64)>> = vertices
        .iter()
        .map(|v| {
            let polar = (v[2] / radius).acos();
            let azimuth = v[1].atan2(v[0]);
            // PyRadiomics passes the polar angle as sph_harm's azimuth.
            columns
                .iter()
                .map(|&(m, n)| sph_harm(m, n, polar, azimuth))
                .collect()
        })
        .collect();

    let input = voxels(volume);
    let mut coeffs = input.to_vec();
    for axis in 0..3 {
        let mut next = vec![0.0; coeffs.len()];
        along_axis(
            &coeffs,
            &mut next,
            shape,
            axis,
            0..shape[axis],
            |v| v,
            |v| v,
            &SplinePrefilter,
        );
        coeffs = next;
    }

    let levels = levels as usize;
    let results: Vec<(Vec<f64>, f64)> = roi_voxels
        .par_iter()
        .map_init(
            || (Vec::new(), Vec::new(), Vec::new()),
            |(samples, scratch, terms), &[z, y, x]| {
                samples.clear();
                samples.extend(vertices.iter().map(|v| {
                    let point = [z as f64 + v[0], y as f64 + v[1], x as f64 + v[2]];
                    store(volume.pixel_type, interpolate(&coeffs, shape, point))
                }));
                let k = kurtosis(samples, volume.pixel_type == PixelType::F32, scratch);
                let centre = input[(z * shape[1] + y) * shape[2] + x];
                // c_j: the harmonics of the vertices at or above the centre.
                let mut c = vec![(0.0, 0.0); columns.len()];
                for (sample, row) in samples.iter().zip(&harmonics) {
                    if *sample >= centre {
                        for (acc, h) in c.iter_mut().zip(row) {
                            acc.0 += h.0;
                            acc.1 += h.1;
                        }
                    }
                }
                let mut out = Vec::with_capacity(levels);
                for degree in 0..levels {
                    let mut total = (0.0, 0.0);
                    for (v, row) in harmonics.iter().enumerate() {
                        terms.clear();
                        terms.extend(
                            columns
                                .iter()
                                .enumerate()
                                .filter(|(j, _)| degrees[*j] == degree)
                                .map(|(j, _)| {
                                    let (a, b) = (c[j], row[j]);
                                    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
                                }),
                        );
                        let g = complex_sum(terms);
                        let square = (g.0 * g.0 - g.1 * g.1, g.0 * g.1 + g.1 * g.0);
                        if v == 0 {
                            total = square;
                        } else {
                            total.0 += square.0;
                            total.1 += square.1;
                        }
                    }
                    out.push(csqrt_re(total.0, total.1));
                }
                (out, k)
            },
        )
        .collect();

    let count = input.len();
    let index = |[z, y, x]: [usize; 3]| (z * shape[1] + y) * shape[2] + x;
    let mut images = Vec::with_capacity(levels + 1);
    for level in 0..levels {
        let mut values = vec![0.0; count];
        for (voxel, (out, _)) in roi_voxels.iter().zip(&results) {
            values[index(*voxel)] = out[level];
        }
        images.push((
            format!("lbp-3D-m{}", level + 1),
            derived(volume, shape, values, PixelType::F64),
        ));
    }
    let mut values = vec![0.0; count];
    for (voxel, (_, k)) in roi_voxels.iter().zip(&results) {
        values[index(*voxel)] = *k;
    }
    images.push((
        "lbp-3D-k".to_owned(),
        derived(volume, shape, values, PixelType::F64),
    ));
    Ok(images)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::filters::testing::volume;

    /// `((5x + 7y + 3z) mod 11) * 3 - 10`, `[z, y, x] = [5, 6, 7]`, and
    /// an ROI of five voxels, three of them on the border.
    const ROI: [[usize; 3]; 5] = [[0, 0, 0], [2, 3, 3], [4, 5, 6], [1, 2, 5], [3, 0, 2]];

    fn input(pixel_type: PixelType, scale: f32) -> (Volume, Array3<bool>) {
        let img = volume([5, 6, 7], [1.0; 3], pixel_type, |z, y, x| {
            let v = (((5 * x + 7 * y + 3 * z) % 11) * 3) as f32 - 10.0;
            f64::from(v * scale)
        });
        let mut roi = Array3::from_elem((5, 6, 7), false);
        for [z, y, x] in ROI {
            roi[[z, y, x]] = true;
        }
        (img, roi)
    }

    fn check(out: &[(String, Volume)], name: &str, expected: &[f64]) {
        let image = &out.iter().find(|(n, _)| n == name).unwrap().1;
        for (voxel, want) in ROI.iter().zip(expected) {
            let got = image.data[*voxel];
            assert!(
                (got - want).abs() <= 1e-13 * want.abs().max(1.0),
                "{name} at {voxel:?}: {got} against {want}"
            );
        }
    }

    #[test]
    fn matches_pyradiomics_with_scipy_1_16() {
        // PyRadiomics 3.1.4 getLBP3DImage (trimesh 5.2, SciPy 1.16.3) on
        // input(), values at the ROI voxels in ROI order.
        let (img, roi) = input(PixelType::I16, 1.0);
        let out = lbp_3d(&img, &roi, &Lbp3dSettings::default()).unwrap();
        let names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["lbp-3D-m1", "lbp-3D-m2", "lbp-3D-k"]);
        check(
            &out,
            "lbp-3D-m1",
            &[
                21.660280258017085,
                0.0,
                21.660280258017085,
                0.0,
                0.5157209585242164,
            ],
        );
        check(
            &out,
            "lbp-3D-m2",
            &[
                18.401806215963283,
                0.0,
                18.401806215963283,
                0.0,
                1.112140984097814,
            ],
        );
        check(
            &out,
            "lbp-3D-k",
            &[
                7.35894575350051,
                -0.9205438274211222,
                5.074055634096368,
                -0.8969062704623232,
                0.6804994276103478,
            ],
        );
        assert_eq!(out[0].1.data[[0, 0, 1]], 0.0);

        let settings = Lbp3dSettings {
            levels: 3,
            icosphere_radius: 1.5,
            icosphere_subdivision: 0,
        };
        let out = lbp_3d(&img, &roi, &settings).unwrap();
        check(
            &out,
            "lbp-3D-m1",
            &[
                3.3079733725307525,
                0.0,
                3.3079733725307525,
                0.0,
                0.551328895421792,
            ],
        );
        check(
            &out,
            "lbp-3D-m2",
            &[
                2.628695834703639,
                0.0,
                2.628695834703639,
                0.0,
                0.6880122732607837,
            ],
        );
        check(
            &out,
            "lbp-3D-m3",
            &[
                1.6692782520335625,
                0.0,
                1.6692782520335625,
                0.0,
                0.6664863753499728,
            ],
        );
        check(
            &out,
            "lbp-3D-k",
            &[
                3.7935995060783547,
                -1.2350828359144368,
                5.0980280523782415,
                -1.4642348422496572,
                -0.40257389246665687,
            ],
        );
    }

    #[test]
    fn float_images_keep_single_precision_samples_and_kurtosis() {
        // The same pattern times float32(0.37), float32.
        let (img, roi) = input(PixelType::F32, 0.37);
        let out = lbp_3d(&img, &roi, &Lbp3dSettings::default()).unwrap();
        check(
            &out,
            "lbp-3D-m1",
            &[
                21.660280258017085,
                0.0,
                21.660280258017085,
                0.0,
                0.5157209585242164,
            ],
        );
        check(
            &out,
            "lbp-3D-k",
            &[
                6.516301155090332,
                -0.945228099822998,
                4.900683403015137,
                -0.894416332244873,
                0.7451417446136475,
            ],
        );
    }

    #[test]
    fn icosphere_matches_trimesh() {
        // trimesh.creation.icosphere(2, 1.0).vertices[[12, 41, 100, 161]].
        let vertices = icosphere(2, 1.0);
        assert_eq!(vertices.len(), 162);
        let expected: [f64; 12] = [
            0.0,
            1.0,
            0.0,
            -1.0,
            0.0,
            0.0,
            0.8626684804161862,
            -0.25989191300775444,
            0.4338885645526948,
            -0.9510565162951536,
            -0.26286555605956685,
            0.1624598481164532,
        ];
        for (got, want) in [12, 41, 100, 161]
            .iter()
            .flat_map(|&i| vertices[i])
            .zip(expected)
        {
            assert_eq!(got, want);
        }
        assert_eq!(icosphere(0, 2.0).len(), 12);
        assert_eq!(icosphere(1, 1.0).len(), 42);
    }

    #[test]
    fn spherical_harmonics_follow_scipy() {
        // scipy.special.sph_harm(m, n, 0.7, 2.1) (azimuth 0.7, polar 2.1).
        let close = |(a, b): (f64, f64), (c, d): (f64, f64)| {
            assert!(
                (a - c).abs() < 1e-15 && (b - d).abs() < 1e-15,
                "{a} {b} / {c} {d}"
            );
        };
        close(
            sph_harm(1, 1, 0.7, 2.1),
            (-0.22810178116510535, -0.1921274798383003),
        );
        close(
            sph_harm(-1, 1, 0.7, 2.1),
            (0.22810178116510535, -0.1921274798383003),
        );
        close(sph_harm(0, 1, 0.7, 2.1), (-0.24666907483189462, 0.0));
        close(
            sph_harm(-2, 3, 0.7, 2.1),
            (-0.06534328984300214, 0.3788527960968204),
        );
        // Negative polar angles act through cos only.
        close(sph_harm(1, 1, 0.7, -2.1), sph_harm(1, 1, 0.7, 2.1));
    }

    #[test]
    fn bad_inputs_are_refused() {
        let (img, roi) = input(PixelType::I16, 1.0);
        let empty = Array3::from_elem((5, 6, 7), false);
        assert!(matches!(
            lbp_3d(&img, &empty, &Lbp3dSettings::default()),
            Err(FilterError::EmptyRoi { .. })
        ));
        let wrong = Array3::from_elem((5, 6, 6), true);
        assert!(matches!(
            lbp_3d(&img, &wrong, &Lbp3dSettings::default()),
            Err(FilterError::MaskShape { .. })
        ));
        for settings in [
            Lbp3dSettings {
                levels: 0,
                ..Lbp3dSettings::default()
            },
            Lbp3dSettings {
                icosphere_radius: -1.0,
                ..Lbp3dSettings::default()
            },
            Lbp3dSettings {
                icosphere_subdivision: 9,
                ..Lbp3dSettings::default()
            },
        ] {
            assert!(matches!(
                lbp_3d(&img, &roi, &settings),
                Err(FilterError::LbpParameters { .. })
            ));
        }
    }
}
