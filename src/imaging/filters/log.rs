//! Laplacian of Gaussian as ITK 5 `LaplacianRecursiveGaussianImageFilter`
//! computes it for SimpleITK with `NormalizeAcrossScale(True)`, the call of
//! PyRadiomics' `getLoGImage`.
//!
//! ITK approximates the Gaussian and its second derivative by Deriche's
//! fourth-order recursive filters (`RecursiveGaussianImageFilter`,
//! `RecursiveSeparableImageFilter`): a causal and an anti-causal pass whose
//! sum is the filtered line, with the border value assumed to extend to
//! infinity. For every axis `d` (x, then y, then z) the input is filtered
//! with the second derivative along `d`, then smoothed along the two other
//! axes in increasing order; the three results are summed, each divided by
//! the squared spacing of its axis. Reproducing ITK to the last bit of
//! single precision needs its exact arithmetic: coefficients and line passes
//! in double precision with the same operation order, every intermediate
//! image rounded to `f32` (ITK's `InternalRealType`), and the running sum
//! rounded to `f32` after each axis.

use std::ops::Range;

use super::lines::{LineKernel, along_axis, along_axis_into};
use super::{FilterError, derived_region, require_region, voxels, whole_region};
use crate::imaging::{BoundingBox, PixelType, Volume};

/// Which kernel a recursive pass approximates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// The Gaussian itself.
    Zero,
    /// Its second derivative.
    Second,
}

/// Coefficients of ITK's recursive filter (names as in
/// `RecursiveSeparableImageFilter`: `n` causal input weights, `d` feedback
/// weights, `m` anti-causal input weights, `bn`/`bm` border weights).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Recursive {
    n: [f64; 4],
    d: [f64; 4],
    m: [f64; 4],
    bn: [f64; 4],
    bm: [f64; 4],
}

/// ITK's `ComputeNCoefficients`, operation for operation.
#[allow(clippy::too_many_arguments)]
fn n_coefficients(
    sigmad: f64,
    a1: f64,
    b1: f64,
    w1: f64,
    l1: f64,
    a2: f64,
    b2: f64,
    w2: f64,
    l2: f64,
) -> ([f64; 4], f64, f64, f64) {
    let sin1 = (w1 / sigmad).sin();
    let sin2 = (w2 / sigmad).sin();
    let cos1 = (w1 / sigmad).cos();
    let cos2 = (w2 / sigmad).cos();
    let exp1 = (l1 / sigmad).exp();
    let exp2 = (l2 / sigmad).exp();

    let n0 = a1 + a2;
    let mut n1 = exp2 * (b2 * sin2 - (a2 + 2.0 * a1) * cos2);
    n1 += exp1 * (b1 * sin1 - (a1 + 2.0 * a2) * cos1);
    let mut n2 = (a1 + a2) * cos2 * cos1;
    n2 -= b1 * cos2 * sin1 + b2 * cos1 * sin2;
    n2 *= 2.0 * exp1 * exp2;
    n2 += a2 * exp1 * exp1 + a1 * exp2 * exp2;
    let mut n3 = exp2 * exp1 * exp1 * (b2 * sin2 - a2 * cos2);
    n3 += exp1 * exp2 * exp2 * (b1 * sin1 - a1 * cos1);

    let sn = n0 + n1 + n2 + n3;
    let dn = n1 + 2.0 * n2 + 3.0 * n3;
    let en = n1 + 4.0 * n2 + 9.0 * n3;
    ([n0, n1, n2, n3], sn, dn, en)
}

impl Recursive {
    /// ITK's `RecursiveGaussianImageFilter::SetUp` for a spacing (positive,
    /// checked by the caller) and sigma in mm, with across-scale
    /// normalisation on (it only affects derivatives).
    fn new(order: Order, sigma: f64, spacing: f64) -> Recursive {
        // Deriche's fitted constants, as ITK types them.
        const A1: [f64; 3] = [1.3530, -0.6724, -1.3563];
        const B1: [f64; 3] = [1.8151, -3.4327, 5.2318];
        const W1: f64 = 0.6681;
        const L1: f64 = -1.3932;
        const A2: [f64; 3] = [-0.3531, 0.6724, 0.3446];
        const B2: [f64; 3] = [0.0902, 0.6100, -2.2355];
        const W2: f64 = 2.0787;
        const L2: f64 = -1.3732;

        let sigmad = sigma / spacing;

        // ComputeDCoefficients.
        let cos1 = (W1 / sigmad).cos();
        let cos2 = (W2 / sigmad).cos();
        let exp1 = (L1 / sigmad).exp();
        let exp2 = (L2 / sigmad).exp();
        let d4 = exp1 * exp1 * exp2 * exp2;
        let mut d3 = -2.0 * cos1 * exp1 * exp2 * exp2;
        d3 += -2.0 * cos2 * exp2 * exp1 * exp1;
        let mut d2 = 4.0 * cos2 * cos1 * exp1 * exp2;
        d2 += exp1 * exp1 + exp2 * exp2;
        let d1 = -2.0 * (exp2 * cos2 + exp1 * cos1);
        let sd = 1.0 + d1 + d2 + d3 + d4;
        let dd = d1 + 2.0 * d2 + 3.0 * d3 + 4.0 * d4;
        let ed = d1 + 4.0 * d2 + 9.0 * d3 + 16.0 * d4;

        let n = match order {
            Order::Zero => {
                let (mut n, sn, _, _) =
                    n_coefficients(sigmad, A1[0], B1[0], W1, L1, A2[0], B2[0], W2, L2);
                let alpha0 = 2.0 * sn / sd - n[0];
                for v in &mut n {
                    *v *= 1.0 / alpha0;
                }
                n
            }
            Order::Second => {
                let across_scale_normalization = sigma * sigma;
                let (n_0, sn0, dn0, en0) =
                    n_coefficients(sigmad, A1[0], B1[0], W1, L1, A2[0], B2[0], W2, L2);
                let (n_2, sn2, dn2, en2) =
                    n_coefficients(sigmad, A1[2], B1[2], W1, L1, A2[2], B2[2], W2, L2);
                let beta = -(2.0 * sn2 - sd * n_2[0]) / (2.0 * sn0 - sd * n_0[0]);
                let mut n = [0.0; 4];
                for i in 0..4 {
                    n[i] = n_2[i] + beta * n_0[i];
                }
                let sn = sn2 + beta * sn0;
                let dn = dn2 + beta * dn0;
                let en = en2 + beta * en0;
                let mut alpha2 =
                    en * sd * sd - ed * sn * sd - 2.0 * dn * dd * sd + 2.0 * dd * dd * sn;
                alpha2 /= sd * sd * sd;
                for v in &mut n {
                    *v *= across_scale_normalization / alpha2;
                }
                n
            }
        };
        // Both orders are symmetric kernels (ComputeRemainingCoefficients).
        let d = [d1, d2, d3, d4];
        let m = [
            n[1] - d1 * n[0],
            n[2] - d2 * n[0],
            n[3] - d3 * n[0],
            -d4 * n[0],
        ];
        let sn = n[0] + n[1] + n[2] + n[3];
        let sm = m[0] + m[1] + m[2] + m[3];
        let sd = 1.0 + d1 + d2 + d3 + d4;
        let bn = d.map(|di| di * sn / sd);
        let bm = d.map(|di| di * sm / sd);
        Recursive { n, d, m, bn, bm }
    }
}

/// ITK's `MathEMAMAMAM`: `a1*b1 + a2*b2 + a3*b3 + a4*b4`, left to right.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn ema(a1: f64, b1: f64, a2: f64, b2: f64, a3: f64, b3: f64, a4: f64, b4: f64) -> f64 {
    a1 * b1 + a2 * b2 + a3 * b3 + a4 * b4
}

impl LineKernel<f64> for Recursive {
    fn apply(
        &self,
        data: &[f64],
        out: &mut [f64],
        w: usize,
        keep: Range<usize>,
        scratch: &mut Vec<f64>,
    ) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2, checked just above.
            unsafe { self.lines_avx2(data, out, w, keep, scratch) };
            return;
        }
        self.lines(data, out, w, keep, scratch);
    }
}

impl Recursive {
    /// [`Recursive::lines`] compiled for AVX2: four lanes per instruction
    /// instead of SSE2's two. Each lane's arithmetic is the same separate
    /// multiplications and additions in the same order (Rust never fuses
    /// them), so the results are identical bit for bit.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn lines_avx2(
        &self,
        data: &[f64],
        out: &mut [f64],
        w: usize,
        keep: Range<usize>,
        scratch: &mut Vec<f64>,
    ) {
        self.lines(data, out, w, keep, scratch);
    }

    /// `RecursiveSeparableImageFilter::FilterDataArray` on `w` lines at once,
    /// keeping positions `out` (indices into the line) of the result. The
    /// causal pass runs only from the start to the end of `out`, the
    /// anti-causal one only from the end of the line down to the start of
    /// `out`: each kept value gets exactly ITK's operations on the whole
    /// line, and the values it never needs are not computed.
    // Indexing several equal-length rows by one lane index is the clearest
    // form of the recursion, and vectorises once the rows are cut to `w`.
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    fn lines(
        &self,
        data: &[f64],
        out: &mut [f64],
        w: usize,
        keep: Range<usize>,
        scratch: &mut Vec<f64>,
    ) {
        let len = data.len() / w;
        // ITK needs 4 values per line (`check_log_size` makes sure).
        if len < 4 || keep.is_empty() || keep.end > len {
            debug_assert!(false, "line of {len} values, keeping {keep:?}");
            return;
        }
        let [n0, n1, n2, n3] = self.n;
        let [d1, d2, d3, d4] = self.d;
        let [m1, m2, m3, m4] = self.m;
        let [bn1, bn2, bn3, bn4] = self.bn;
        let [bm1, bm2, bm3, bm4] = self.bm;
        fn line(values: &[f64], w: usize, i: usize) -> &[f64] {
            &values[i * w..(i + 1) * w]
        }
        // The causal result at 0..causal_end, the anti-causal one at
        // anti_start..len (stored from anti_start on); both start with
        // four values set from the border.
        let causal_end = keep.end.max(4);
        let anti_start = keep.start.min(len - 4);
        scratch.resize((causal_end + len - anti_start) * w, 0.0);
        let (causal, anti) = scratch.split_at_mut(causal_end * w);

        // Causal pass; the first value is assumed to extend to infinity.
        for k in 0..w {
            let o = data[k];
            let (x1, x2, x3) = (data[w + k], data[2 * w + k], data[3 * w + k]);
            let mut s0 = ema(o, n0, o, n1, o, n2, o, n3);
            let mut s1 = ema(x1, n0, o, n1, o, n2, o, n3);
            let mut s2 = ema(x2, n0, x1, n1, o, n2, o, n3);
            let mut s3 = ema(x3, n0, x2, n1, x1, n2, o, n3);
            s0 -= ema(o, bn1, o, bn2, o, bn3, o, bn4);
            s1 -= ema(s0, d1, o, bn2, o, bn3, o, bn4);
            s2 -= ema(s1, d1, s0, d2, o, bn3, o, bn4);
            s3 -= ema(s2, d1, s1, d2, s0, d3, o, bn4);
            causal[k] = s0;
            causal[w + k] = s1;
            causal[2 * w + k] = s2;
            causal[3 * w + k] = s3;
        }
        for i in 4..causal_end {
            let (before, rest) = causal.split_at_mut(i * w);
            let (p1, p2, p3, p4) = (
                line(before, w, i - 1),
                line(before, w, i - 2),
                line(before, w, i - 3),
                line(before, w, i - 4),
            );
            let (x0, x1, x2, x3) = (
                line(data, w, i),
                line(data, w, i - 1),
                line(data, w, i - 2),
                line(data, w, i - 3),
            );
            // Equal lengths let the compiler drop bounds checks and
            // vectorise across the lanes.
            let (x0, x1, x2, x3) = (&x0[..w], &x1[..w], &x2[..w], &x3[..w]);
            let (p1, p2, p3, p4) = (&p1[..w], &p2[..w], &p3[..w], &p4[..w]);
            let target = &mut rest[..w];
            for k in 0..w {
                let mut s = ema(x0[k], n0, x1[k], n1, x2[k], n2, x3[k], n3);
                s -= ema(p1[k], d1, p2[k], d2, p3[k], d3, p4[k], d4);
                target[k] = s;
            }
        }

        // Anti-causal pass; the last value extends. Position p is stored at
        // p - anti_start.
        let last = len - 1;
        let at = |p: usize| (p - anti_start) * w;
        for k in 0..w {
            let o = data[last * w + k];
            let (x1, x2) = (data[(last - 1) * w + k], data[(last - 2) * w + k]);
            let mut s0 = ema(o, m1, o, m2, o, m3, o, m4);
            // The anti-causal output at p reads data from p + 1 on, so the
            // second value also sees only the border value.
            let mut s1 = ema(o, m1, o, m2, o, m3, o, m4);
            let mut s2 = ema(x1, m1, o, m2, o, m3, o, m4);
            let mut s3 = ema(x2, m1, x1, m2, o, m3, o, m4);
            s0 -= ema(o, bm1, o, bm2, o, bm3, o, bm4);
            s1 -= ema(s0, d1, o, bm2, o, bm3, o, bm4);
            s2 -= ema(s1, d1, s0, d2, o, bm3, o, bm4);
            s3 -= ema(s2, d1, s1, d2, s0, d3, o, bm4);
            anti[at(last) + k] = s0;
            anti[at(last - 1) + k] = s1;
            anti[at(last - 2) + k] = s2;
            anti[at(last - 3) + k] = s3;
        }
        for i in (anti_start + 1..=len - 4).rev() {
            let (before, after) = anti.split_at_mut(at(i));
            let target = &mut before[at(i - 1)..];
            let (p1, p2, p3, p4) = (
                line(after, w, 0),
                line(after, w, 1),
                line(after, w, 2),
                line(after, w, 3),
            );
            let (x0, x1, x2, x3) = (
                line(data, w, i),
                line(data, w, i + 1),
                line(data, w, i + 2),
                line(data, w, i + 3),
            );
            let (x0, x1, x2, x3) = (&x0[..w], &x1[..w], &x2[..w], &x3[..w]);
            let (p1, p2, p3, p4) = (&p1[..w], &p2[..w], &p3[..w], &p4[..w]);
            let target = &mut target[..w];
            for k in 0..w {
                let mut s = ema(x0[k], m1, x1[k], m2, x2[k], m3, x3[k], m4);
                s -= ema(p1[k], d1, p2[k], d2, p3[k], d3, p4[k], d4);
                target[k] = s;
            }
        }
        // ITK adds the anti-causal result to the causal one.
        let kept = keep.len() * w;
        let causal = &causal[keep.start * w..keep.end * w];
        let anti = &anti[at(keep.start)..at(keep.start) + kept];
        for ((v, c), a) in out[..kept].iter_mut().zip(causal).zip(anti) {
            *v = c + a;
        }
    }
}

/// Several recursive filters of the same lines, one output each: the LoG
/// of several sigmas reads each line of the image once for all of them.
struct Each<'a>(&'a [Recursive]);

impl LineKernel<f64> for Each<'_> {
    fn outputs(&self) -> usize {
        self.0.len()
    }

    fn apply(
        &self,
        data: &[f64],
        out: &mut [f64],
        w: usize,
        keep: Range<usize>,
        scratch: &mut Vec<f64>,
    ) {
        let kept = keep.len() * w;
        for (kernel, out) in self.0.iter().zip(out.chunks_exact_mut(kept)) {
            kernel.apply(data, out, w, keep.clone(), scratch);
        }
    }
}

/// PyRadiomics' preconditions of `getLoGImage`, in its order: every axis at
/// least 4 voxels (otherwise no sigma is computed), sigma above 0, and
/// `size >= ceil(sigma / spacing) + 1` along every axis (otherwise this
/// sigma is skipped). `dims` and `spacing` are (x, y, z). Callers that
/// follow PyRadiomics log the error as a warning and skip the image type.
pub fn check_log_size(dims: [usize; 3], spacing: [f64; 3], sigma: f64) -> Result<(), FilterError> {
    if dims.iter().any(|&n| n < 4) {
        return Err(FilterError::LogImageTooSmall { dims });
    }
    if !(sigma > 0.0 && sigma.is_finite()) {
        return Err(FilterError::LogSigmaNotPositive { sigma });
    }
    for (a, (&size, &step)) in dims.iter().zip(spacing.iter()).enumerate() {
        let required = (sigma / step).ceil() + 1.0;
        // NaN (from a NaN spacing) fails too.
        if (size as f64).partial_cmp(&required) == Some(std::cmp::Ordering::Less)
            || required.is_nan()
        {
            return Err(FilterError::LogSigmaTooLarge {
                sigma,
                axis: ['x', 'y', 'z'][a],
                size,
                // Saturates for absurd ratios (and NaN gives 0): only shown.
                required: required as usize,
            });
        }
    }
    Ok(())
}

/// The image type name PyRadiomics gives a LoG image,
/// `log-sigma-<sigma>-mm-3D`, with sigma written as Python writes a float
/// (`1.0` → `1-0`, `0.5` → `0-5`, `1e-05` → `1e-05`). PyRadiomics writes a
/// sigma given as an integer in the parameter file without the `.0`; that
/// distinction is the caller's to keep.
pub fn log_image_name(sigma: f64) -> String {
    format!("log-sigma-{}-mm-3D", python_float(sigma).replace('.', "-"))
}

/// Python's `repr` of a float, for the values a sigma can take.
fn python_float(value: f64) -> String {
    // Rust's `Debug` and Python's `repr` both print the shortest string that
    // reads back and switch to exponents at the same magnitudes; only the
    // exponent is written differently (`1e-5` against `1e-05`).
    let text = format!("{value:?}");
    match text.split_once('e') {
        Some((mantissa, exponent)) => {
            let (sign, digits) = match exponent.strip_prefix('-') {
                Some(digits) => ('-', digits),
                None => ('+', exponent),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None => text,
    }
}

/// Laplacian of Gaussian of the whole volume, as ITK 5
/// `LaplacianRecursiveGaussianImageFilter` with `NormalizeAcrossScale(True)`
/// and `Sigma(sigma_mm)` computes it for PyRadiomics `getLoGImage`: the
/// scale-normalised sum `sigma² (∂²/∂x² + ∂²/∂y² + ∂²/∂z²)` of the Gaussian-
/// smoothed image, derivatives in mm. The result has SimpleITK's pixel type,
/// `f32`, whatever the input type.
///
/// Fails where PyRadiomics skips the sigma ([`check_log_size`]) and on
/// spacings ITK refuses.
pub fn laplacian_of_gaussian(volume: &Volume, sigma_mm: f64) -> Result<Volume, FilterError> {
    let region = whole_region(volume, "LoG")?;
    laplacian_of_gaussian_in(volume, sigma_mm, &region)
}

/// The voxels of `region` of [`laplacian_of_gaussian`] of the whole volume,
/// bit for bit, on the region's grid (origin moved to its first voxel), at
/// a fraction of the cost for a small region ([`laplacians_of_gaussian_in`]
/// for one sigma).
///
/// Fails as [`laplacian_of_gaussian`] does, and when the region does not
/// fit the volume.
pub fn laplacian_of_gaussian_in(
    volume: &Volume,
    sigma_mm: f64,
    region: &BoundingBox,
) -> Result<Volume, FilterError> {
    let mut images = laplacians_of_gaussian_in(volume, &[sigma_mm], region)?;
    // One sigma, one image.
    Ok(images.swap_remove(0))
}

/// The voxels of `region` of [`laplacian_of_gaussian`] of the whole volume
/// for each sigma in `sigmas_mm`, in order, each bit for bit the whole
/// image's LoG cropped, on the region's grid (origin moved to its first
/// voxel).
///
/// Each pass of ITK's separable filter still runs over whole lines (the
/// recursive filter has infinite support), but only over the lines that a
/// later pass or the region reads: the first pass of each axis' term over
/// every line, keeping the region's extent along its axis; the second over
/// the lines inside that extent; the third over the lines inside the
/// region's extent along both filtered axes. The first passes, the only
/// ones over the whole image, filter each line for every sigma while it is
/// loaded. Every kept value gets ITK's operations in ITK's order,
/// intermediate images rounded to `f32` as ITK rounds them.
///
/// Fails as [`laplacian_of_gaussian`] does for any of the sigmas (callers
/// that skip sigmas as PyRadiomics does check them first with
/// [`check_log_size`]), and when the region does not fit the volume.
pub fn laplacians_of_gaussian_in(
    volume: &Volume,
    sigmas_mm: &[f64],
    region: &BoundingBox,
) -> Result<Vec<Volume>, FilterError> {
    let shape = require_region(volume, "LoG", region)?;
    let spacing = volume.spacing();
    if spacing.iter().any(|s| !(s.abs() >= 1e-8 && s.is_finite())) {
        return Err(FilterError::InvalidSpacing {
            filter: "LoG",
            spacing,
        });
    }
    let spacing = spacing.map(f64::abs);
    let dims = [shape[2], shape[1], shape[0]];
    for &sigma in sigmas_mm {
        check_log_size(dims, spacing, sigma)?;
    }

    let input = voxels(volume);
    let size = region.size();
    let mut sums = vec![vec![0f32; size.iter().product()]; sigmas_mm.len()];
    // ITK direction d (x, y, z) is array axis 2 - d.
    for dim in 0..3 {
        let derivatives: Vec<Recursive> = sigmas_mm
            .iter()
            .map(|&sigma| Recursive::new(Order::Second, sigma, spacing[dim]))
            .collect();
        let mut first_kept = shape;
        first_kept[2 - dim] = size[2 - dim];
        let mut firsts = vec![vec![0f32; first_kept.iter().product()]; sigmas_mm.len()];
        let mut dsts: Vec<&mut [f32]> = firsts.iter_mut().map(Vec::as_mut_slice).collect();
        along_axis_into(
            &input,
            &mut dsts,
            shape,
            2 - dim,
            region.range(2 - dim),
            |v| v,
            |v| v as f32,
            &Each(&derivatives),
        );
        for ((&sigma, mut first), sum) in sigmas_mm.iter().zip(firsts).zip(&mut sums) {
            let mut current = first_kept;
            let mut second = Vec::new();
            for other in (0..3).filter(|&d| d != dim) {
                let smoothing = Recursive::new(Order::Zero, sigma, spacing[other]);
                let mut kept = current;
                kept[2 - other] = size[2 - other];
                second.resize(kept.iter().product(), 0.0);
                along_axis(
                    &first,
                    &mut second,
                    current,
                    2 - other,
                    region.range(2 - other),
                    f64::from,
                    |v| v as f32,
                    &smoothing,
                );
                std::mem::swap(&mut first, &mut second);
                current = kept;
            }
            // Two smoothing passes leave the result, the region, in `first`.
            let scale = 1.0 / (spacing[dim] * spacing[dim]);
            for (acc, &term) in sum.iter_mut().zip(first.iter()) {
                *acc = (f64::from(*acc) + f64::from(term) * scale) as f32;
            }
        }
    }
    Ok(sums
        .into_iter()
        .map(|sum| {
            let values = sum.into_iter().map(f64::from).collect();
            derived_region(volume, region, values, PixelType::F32)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::imaging::filters::testing::{
        assert_region_of, assert_voxels, noise, shape_and_region, volume,
    };

    /// `((7x + 3y + 11z) mod 13) * 10 - 40` as int16, array shape
    /// `[z, y, x] = [4, 5, 6]`, spacing (1.0, 0.8, 2.0).
    fn ramp() -> Volume {
        volume([4, 5, 6], [1.0, 0.8, 2.0], PixelType::I16, |z, y, x| {
            (((7 * x + 3 * y + 11 * z) % 13) * 10) as f64 - 40.0
        })
    }

    #[test]
    fn matches_simpleitk_voxel_for_voxel() {
        // SimpleITK 2.5.7 (ITK 5.4): LaplacianRecursiveGaussianImageFilter,
        // NormalizeAcrossScale(True), Sigma(1.0) on ramp(); float32 output.
        #[rustfmt::skip]
        let expected: [f32; 120] = [
            22.266407, -1.0202904, 5.8757205, -1.7623357, 7.4454417, -16.73178, 13.815094,
            -0.53858423, -0.3283069, -6.4115725, -3.7276695, -15.071162, 4.9570055,
            9.698724, 1.957069, -2.3903775, -5.7254343, 4.0017433, -11.002055, 12.206422,
            8.042978, 1.341068, -3.6983109, 5.6905446, -26.576826, 10.544943, 22.47882,
            9.530199, 8.319782, -2.9273798, -13.053734, -8.495583, -20.794912, -0.6291365,
            29.124788, 0.4439659, 13.604079, -1.0089827, -8.170604, -8.191477, 11.609828,
            3.0524964, 19.089327, 3.1580892, -3.985229, -12.030023, 0.4664509, 21.532026,
            6.0760865, 8.572308, -2.7920017, -7.378589, -10.121904, 17.658216, -7.1932797,
            7.9743586, -8.801046, -10.121897, -25.222897, -4.8062954, -16.260244, 9.59833,
            4.310574, -0.07072902, -10.081261, -5.5363026, -15.649565, 3.2539673, 15.246444,
            8.217844, 2.1759934, -12.411621, 0.76733875, -7.539078, 9.723904, 11.101729,
            5.709981, -8.863993, 2.6922574, -12.54159, 0.44611543, 14.115204, 4.194913,
            8.610268, -3.489131, 0.096288204, -1.9372375, 9.472455, -7.017958, 10.293673,
            -4.302976, 14.000853, -1.0479149, 2.1760607, -11.492069, 7.837643, -3.5759454,
            2.448464, -5.5266786, -5.7840395, -12.747887, -6.579249, 14.345931, -0.95930576,
            -3.0898926, -6.7716246, -8.615662, -22.606003, 15.005031, -0.42258883,
            -2.5426092, -5.2732506, -8.083017, -21.425344, 5.6040006, 11.470081, 3.1060154,
            4.195797, -4.8119726, 1.8451425,
        ];
        let log = laplacian_of_gaussian(&ramp(), 1.0).unwrap();
        assert_eq!(log.pixel_type, PixelType::F32);
        assert_eq!(log.geometry, ramp().geometry);
        assert_voxels(&log, &expected.map(f64::from));
    }

    #[test]
    fn a_constant_image_has_no_laplacian() {
        for (value, sigma) in [(1000.0, 0.7), (-3.0, 2.5), (12345.0, 1.5)] {
            let flat = volume([9, 8, 7], [0.6, 0.9, 3.1], PixelType::I16, |_, _, _| value);
            let log = laplacian_of_gaussian(&flat, sigma).unwrap();
            for v in log.data.iter() {
                assert!(
                    v.abs() <= 1e-9 * value.abs(),
                    "{v} for {value} at sigma {sigma}"
                );
            }
        }
    }

    #[test]
    fn pyradiomics_size_rules_are_reported() {
        let small = volume([3, 9, 9], [1.0; 3], PixelType::I16, |_, _, _| 0.0);
        assert_eq!(
            laplacian_of_gaussian(&small, 1.0),
            Err(FilterError::LogImageTooSmall { dims: [9, 9, 3] })
        );
        let img = ramp();
        assert!(matches!(
            laplacian_of_gaussian(&img, 0.0),
            Err(FilterError::LogSigmaNotPositive { .. })
        ));
        assert!(matches!(
            laplacian_of_gaussian(&img, f64::NAN),
            Err(FilterError::LogSigmaNotPositive { .. })
        ));
        // z: 4 voxels of 2 mm hold ceil(6 / 2) + 1 = 4; y: 5 voxels of
        // 0.8 mm do not hold ceil(4.1 / 0.8) + 1 = 7.
        assert!(check_log_size([6, 5, 4], [1.0, 0.8, 2.0], 3.0).is_ok());
        let err = check_log_size([6, 5, 4], [1.0, 0.8, 2.0], 4.1).unwrap_err();
        assert_eq!(
            err,
            FilterError::LogSigmaTooLarge {
                sigma: 4.1,
                axis: 'y',
                size: 5,
                required: 7
            }
        );
        assert!(
            err.to_string().contains("PyRadiomics skips this sigma"),
            "{err}"
        );
        let mut bad = ramp();
        bad.geometry.spacing[1] = 0.0;
        assert!(matches!(
            laplacian_of_gaussian(&bad, 1.0),
            Err(FilterError::InvalidSpacing { .. })
        ));
        let empty = volume([0, 5, 5], [1.0; 3], PixelType::I16, |_, _, _| 0.0);
        assert!(matches!(
            laplacian_of_gaussian(&empty, 1.0),
            Err(FilterError::EmptyImage { .. })
        ));
    }

    #[test]
    fn names_follow_python_float_formatting() {
        assert_eq!(log_image_name(1.0), "log-sigma-1-0-mm-3D");
        assert_eq!(log_image_name(0.5), "log-sigma-0-5-mm-3D");
        assert_eq!(log_image_name(2.25), "log-sigma-2-25-mm-3D");
        assert_eq!(log_image_name(1e-5), "log-sigma-1e-05-mm-3D");
        assert_eq!(log_image_name(1e20), "log-sigma-1e+20-mm-3D");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any region of the LoG, borders and single-voxel slabs included,
        /// is the whole-volume LoG cropped, to the last bit.
        #[test]
        fn a_region_is_the_whole_image_cropped_bit_for_bit(
            (shape, region) in shape_and_region(4, 13),
            spacing in (0.5f64..2.5, 0.5f64..2.5, 0.5f64..2.5),
            // At most 2.4 voxels, so that 4 voxels always hold the sigma.
            sigma in 0.2f64..1.2,
            seed in any::<u64>(),
            kind in 0usize..3,
        ) {
            let pixel_type = [PixelType::I16, PixelType::F32, PixelType::F64][kind];
            let img = noise(shape, [spacing.0, spacing.1, spacing.2], pixel_type, seed);
            let whole = laplacian_of_gaussian(&img, sigma).unwrap();
            let part = laplacian_of_gaussian_in(&img, sigma, &region).unwrap();
            assert_region_of(&part, &whole, &region);
        }
    }

    #[test]
    fn a_roi_sized_region_of_a_larger_image_is_exact() {
        // Enough lines for several blocks of lanes along every axis.
        let img = noise([9, 40, 70], [0.8, 0.8, 3.0], PixelType::I16, 7);
        let region = BoundingBox {
            lower: [2, 5, 40],
            upper: [6, 30, 69],
        };
        for sigma in [1.0, 2.0, 3.0] {
            let whole = laplacian_of_gaussian(&img, sigma).unwrap();
            assert_region_of(
                &laplacian_of_gaussian_in(&img, sigma, &region).unwrap(),
                &whole,
                &region,
            );
        }
    }

    #[test]
    fn regions_outside_the_image_are_refused() {
        let img = ramp();
        for (lower, upper) in [([0, 0, 0], [4, 4, 5]), ([2, 0, 0], [1, 4, 5])] {
            let err =
                laplacian_of_gaussian_in(&img, 1.0, &BoundingBox { lower, upper }).unwrap_err();
            assert!(matches!(err, FilterError::RegionOutside { .. }), "{err}");
        }
    }

    #[test]
    fn several_sigmas_at_once_are_each_sigma_alone() {
        let img = noise([7, 12, 15], [0.9, 1.1, 2.0], PixelType::F32, 11);
        let region = BoundingBox {
            lower: [1, 0, 9],
            upper: [5, 11, 14],
        };
        let sigmas = [1.0, 0.6, 1.5];
        let together = laplacians_of_gaussian_in(&img, &sigmas, &region).unwrap();
        assert_eq!(together.len(), 3);
        for (image, sigma) in together.iter().zip(sigmas) {
            let whole = laplacian_of_gaussian(&img, sigma).unwrap();
            assert_region_of(image, &whole, &region);
        }
        assert_eq!(
            laplacians_of_gaussian_in(&img, &[], &region),
            Ok(Vec::new())
        );
        assert!(matches!(
            laplacians_of_gaussian_in(&img, &[1.0, 40.0], &region),
            Err(FilterError::LogSigmaTooLarge { .. })
        ));
    }
}
