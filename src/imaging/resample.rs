//! Resampling onto another voxel grid, voxel for voxel as ITK 5.4's
//! `ResampleImageFilter` does it with an identity transform (what
//! SimpleITK 2.5's `sitk.Resample` and PyRadiomics run).
//!
//! What has to match ITK bit for bit, and why each piece is here:
//!
//! - **Geometry arithmetic** ([`ItkFrame`]): ITK works in LPS, maps an index
//!   to a point as `origin + M·index` summed origin-first
//!   (`ImageBase::TransformIndexToPhysicalPoint`), a continuous index to a
//!   point as `M·index` summed first and the origin added last
//!   (`TransformContinuousIndexToPhysicalPoint`), and a point back to a
//!   continuous index by multiplying with the precomputed inverse matrix
//!   (`TransformPhysicalPointToContinuousIndex`: `(p − o)·(1/s)`, not
//!   `(p − o)/s`). Integer outputs are truncated, so one ulp can change a
//!   voxel.
//! - **The scan-line fast path** (`ResampleImageFilter::
//!   LinearThreadedGenerateData`): for each output row ITK maps only its
//!   first voxel and the voxel one past its end, and places voxel `x` at
//!   `start + α·(end − start)` with `α = x / size_x`. ITK 5.4 uses exactly
//!   this form; `start·(1 − α) + end·α` rounds differently (checked against
//!   SimpleITK 2.5.7 on random grids: the first form matched every voxel).
//! - **`IsInsideBuffer`**: a continuous index is inside when
//!   `−0.5 ≤ i < size − 0.5` on every axis; outside voxels get the default
//!   value 0 (ITK's NaN-safe comparison: a NaN index is outside).
//! - **The interpolators**, each documented at its type.
//! - **The cast** to the output pixel type: [`PixelType::cast`] clamps and
//!   truncates as `ResampleImageFilter::CastComponentWithBoundsChecking`.
//!
//! Geometries here are radcohort's (NIfTI RAS+); they are converted to LPS
//! at the boundary so the arithmetic reads like ITK's. Negating a
//! coordinate is exact, so the conversion never changes a result.

use ndarray::Array3;
use rayon::prelude::*;

use super::{Geometry, MAX_VOXELS, PixelType, Volume};

/// How values between voxel centres are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpolation {
    /// ITK 5.4 `NearestNeighborInterpolateImageFunction` (`sitkNearestNeighbor`):
    /// the voxel whose index is the continuous index rounded half up.
    NearestNeighbor,
    /// ITK 5.4 `LinearInterpolateImageFunction` (`sitkLinear`): trilinear,
    /// lerping x, then y, then z, constant beyond the outer voxel centres.
    Linear,
    /// ITK 5.4 `BSplineInterpolateImageFunction` of order 3 (`sitkBSpline`):
    /// cubic B-spline on coefficients from `BSplineDecompositionImageFilter`
    /// with mirror boundaries.
    BSpline,
}

/// Why a resampling could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResampleError {
    /// A grid's spacing, origin or direction cannot describe voxels.
    #[error("{which} grid is invalid: {problem}")]
    InvalidGrid {
        /// `input` or `output`.
        which: &'static str,
        /// What is wrong, with the offending values.
        problem: String,
    },
    /// The voxel array does not have the shape its geometry states.
    #[error(
        "the input's voxel array is {actual:?} ([z, y, x]) but its geometry says {expected:?} ([z, y, x])"
    )]
    ShapeMismatch {
        /// Shape the geometry implies, `[z, y, x]`.
        expected: [usize; 3],
        /// Shape of the array.
        actual: [usize; 3],
    },
    /// The output grid has more voxels than radcohort allocates.
    #[error("the output grid {dims:?} has more than the {MAX_VOXELS} voxels radcohort handles")]
    TooLarge {
        /// Output dimensions (x, y, z).
        dims: [usize; 3],
    },
}

/// One grid's index↔physical maps, in ITK's LPS frame and with ITK's
/// floating-point operation order (ITK 5.4 `ImageBase`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItkFrame {
    /// Origin in LPS mm.
    origin: [f64; 3],
    /// `direction · diag(spacing)`, LPS (ITK's `m_IndexToPhysicalPoint`).
    index_to_physical: [[f64; 3]; 3],
    /// Its inverse (ITK's `m_PhysicalPointToIndex`).
    physical_to_index: [[f64; 3]; 3],
}

impl ItkFrame {
    /// The frame of a radcohort (RAS+) geometry. Fails on a non-positive or
    /// non-finite spacing, a non-finite origin or a singular direction —
    /// the cases ITK refuses with an exception.
    ///
    /// ITK inverts `M` with `vnl_svd` (LINPACK `dsvdc`). For diagonal
    /// directions (any axis flips) that yields exactly `±1/spacing`, which
    /// is what is used here, so those grids match ITK bit for bit. For
    /// permuted axes (e.g. sagittal or coronal acquisitions) ITK's SVD
    /// leaves 1-ulp errors and ~1e-16 cross terms that the exact `±1/spacing`
    /// used here does not have, and for oblique directions the cofactor
    /// inverse used here differs from it in the last bits: values then agree
    /// to ~1e-11 rather than bit for bit.
    pub fn new(geometry: &Geometry, which: &'static str) -> Result<ItkFrame, ResampleError> {
        let invalid = |problem: String| ResampleError::InvalidGrid { which, problem };
        if geometry
            .spacing
            .iter()
            .any(|s| !(s.is_finite() && *s > 0.0))
        {
            return Err(invalid(format!(
                "spacing {:?} must be positive",
                geometry.spacing
            )));
        }
        if geometry.origin.iter().any(|o| !o.is_finite()) {
            return Err(invalid(format!(
                "origin {:?} is not finite",
                geometry.origin
            )));
        }
        if geometry.direction.iter().flatten().any(|d| !d.is_finite()) {
            return Err(invalid(format!(
                "direction {:?} is not finite",
                geometry.direction
            )));
        }
        let flip = [-1.0, -1.0, 1.0];
        let origin = [0, 1, 2].map(|r| flip[r] * geometry.origin[r]);
        let direction = [0, 1, 2].map(|r| [0, 1, 2].map(|c| flip[r] * geometry.direction[r][c]));
        let index_to_physical =
            [0, 1, 2].map(|r| [0, 1, 2].map(|c| direction[r][c] * geometry.spacing[c]));
        let physical_to_index = match is_signed_permutation(&direction) {
            true => [0, 1, 2].map(|r| {
                [0, 1, 2].map(|c| {
                    if direction[c][r] == 0.0 {
                        0.0
                    } else {
                        direction[c][r] * (1.0 / geometry.spacing[r])
                    }
                })
            }),
            false => inverse(&index_to_physical).ok_or_else(|| {
                invalid(format!("direction {:?} is singular", geometry.direction))
            })?,
        };
        Ok(ItkFrame {
            origin,
            index_to_physical,
            physical_to_index,
        })
    }

    /// The LPS point of an integer index: `origin + M·index`, accumulated
    /// from the origin (ITK 5.4 `TransformIndexToPhysicalPoint`).
    pub fn index_to_physical(&self, index: [i64; 3]) -> [f64; 3] {
        [0, 1, 2].map(|r| {
            let mut sum = self.origin[r];
            for (c, &i) in index.iter().enumerate() {
                sum += self.index_to_physical[r][c] * i as f64;
            }
            sum
        })
    }

    /// The LPS point of a continuous index: `M·index` first, then the origin
    /// (ITK 5.4 `TransformContinuousIndexToPhysicalPoint`; the order differs
    /// from [`ItkFrame::index_to_physical`] and so do the last bits).
    pub fn continuous_index_to_physical(&self, index: [f64; 3]) -> [f64; 3] {
        [0, 1, 2].map(|r| {
            let mut sum = 0.0;
            for (c, &i) in index.iter().enumerate() {
                sum += self.index_to_physical[r][c] * i;
            }
            sum + self.origin[r]
        })
    }

    /// The continuous index of an LPS point: `M⁻¹·(point − origin)` (ITK 5.4
    /// `TransformPhysicalPointToContinuousIndex`).
    pub fn physical_to_continuous_index(&self, point: [f64; 3]) -> [f64; 3] {
        let offset = [0, 1, 2].map(|k| point[k] - self.origin[k]);
        [0, 1, 2].map(|r| {
            let mut sum = 0.0;
            for (c, &v) in offset.iter().enumerate() {
                sum += self.physical_to_index[r][c] * v;
            }
            sum
        })
    }
}

/// Converts an LPS point (ITK, SimpleITK) to radcohort's RAS+ or back; the
/// map is its own inverse.
pub fn lps_ras(point: [f64; 3]) -> [f64; 3] {
    [-point[0], -point[1], point[2]]
}

/// Whether a matrix has exactly one ±1 in each row and column and zeros
/// elsewhere (an axis-aligned orientation).
fn is_signed_permutation(direction: &[[f64; 3]; 3]) -> bool {
    let unit = |v: f64| v == 1.0 || v == -1.0;
    let rows = direction.iter().all(|row| {
        row.iter().filter(|&&v| unit(v)).count() == 1 && row.iter().all(|&v| unit(v) || v == 0.0)
    });
    let columns = (0..3).all(|c| (0..3).filter(|&r| unit(direction[r][c])).count() == 1);
    rows && columns
}

/// The inverse of a 3×3 matrix by cofactors, or `None` when singular.
fn inverse(m: &[[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    let cofactor = |r: usize, c: usize| {
        let (r1, r2) = ((r + 1) % 3, (r + 2) % 3);
        let (c1, c2) = ((c + 1) % 3, (c + 2) % 3);
        m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1]
    };
    let det = m[0][0] * cofactor(0, 0) + m[0][1] * cofactor(0, 1) + m[0][2] * cofactor(0, 2);
    if det == 0.0 || !det.is_finite() {
        return None;
    }
    let inv = [0, 1, 2].map(|r| [0, 1, 2].map(|c| cofactor(c, r) / det));
    inv.iter().flatten().all(|v| v.is_finite()).then_some(inv)
}

/// A scalar image in ITK's memory order (x fastest), read by interpolators.
struct Buffer<'a> {
    values: &'a [f64],
    /// Voxels along x, y, z.
    dims: [usize; 3],
}

impl Buffer<'_> {
    fn at(&self, x: usize, y: usize, z: usize) -> f64 {
        self.values[(z * self.dims[1] + y) * self.dims[0] + x]
    }
}

/// Something that evaluates an image at a continuous index known to be
/// inside the buffer.
trait Interpolate: Sync {
    fn evaluate(&self, index: [f64; 3]) -> f64;
}

/// ITK 5.4 `NearestNeighborInterpolateImageFunction`.
struct Nearest<'a>(Buffer<'a>);

/// `itk::Math::RoundHalfIntegerUp` as compiled with SSE2: round
/// `2x + 0.5` half to even, then halve with an arithmetic shift. Equal to
/// `floor(x + 0.5)` except where `x + 0.5` itself rounds.
fn round_half_up(x: f64) -> i64 {
    ((2.0 * x + 0.5).round_ties_even() as i64) >> 1
}

impl Interpolate for Nearest<'_> {
    fn evaluate(&self, index: [f64; 3]) -> f64 {
        let rounded = index.map(round_half_up);
        let [nx, ny, _] = self.0.dims.map(|n| n as i64);
        // Within an ulp of the upper buffer edge (i = size − 0.5 − ε, which
        // IsInsideBuffer accepts) ITK rounds to `size` and reads the voxel at
        // that flat offset, unchecked: the first voxel of the next row or
        // slice. Reading the same offset reproduces it; only past the end of
        // the whole buffer, where ITK reads foreign memory, is the index
        // clamped instead.
        let offset = rounded[0] + nx * (rounded[1] + ny * rounded[2]);
        if let Some(&value) = usize::try_from(offset)
            .ok()
            .and_then(|o| self.0.values.get(o))
        {
            return value;
        }
        let [x, y, z] = [0, 1, 2].map(|a| rounded[a].clamp(0, self.0.dims[a] as i64 - 1) as usize);
        self.0.at(x, y, z)
    }
}

/// ITK 5.4 `LinearInterpolateImageFunction` (its optimised 3-D branch).
///
/// ITK takes `base = max(floor(i), start)` and `d = i − base` per axis and
/// skips an axis when `d ≤ 0` or `base + 1` is past the end. Lerping such an
/// axis with `d = 0` and both neighbours equal gives the same bits
/// (`v + (v − v)·0 = v`), so one general formula reproduces every branch.
struct Trilinear<'a>(Buffer<'a>);

impl Interpolate for Trilinear<'_> {
    fn evaluate(&self, index: [f64; 3]) -> f64 {
        let mut low = [0usize; 3];
        let mut high = [0usize; 3];
        let mut d = [0.0; 3];
        for a in 0..3 {
            let last = self.0.dims[a] as i64 - 1;
            let base = (index[a].floor() as i64).clamp(0, last);
            let distance = index[a] - base as f64;
            low[a] = base as usize;
            if distance > 0.0 && base < last {
                high[a] = low[a] + 1;
                d[a] = distance;
            } else {
                high[a] = low[a];
            }
        }
        let b = &self.0;
        let lerp = |v0: f64, v1: f64, t: f64| v0 + (v1 - v0) * t;
        let (x0, x1, y0, y1, z0, z1) = (low[0], high[0], low[1], high[1], low[2], high[2]);
        let vx00 = lerp(b.at(x0, y0, z0), b.at(x1, y0, z0), d[0]);
        let vx10 = lerp(b.at(x0, y1, z0), b.at(x1, y1, z0), d[0]);
        let vxx0 = lerp(vx00, vx10, d[1]);
        let vx01 = lerp(b.at(x0, y0, z1), b.at(x1, y0, z1), d[0]);
        let vx11 = lerp(b.at(x0, y1, z1), b.at(x1, y1, z1), d[0]);
        let vxx1 = lerp(vx01, vx11, d[1]);
        lerp(vxx0, vxx1, d[2])
    }
}

/// ITK 5.4 `BSplineInterpolateImageFunction` with spline order 3, on
/// coefficients kept for a box of the image.
struct CubicBSpline {
    coefficients: Coefficients,
    /// Image size along x, y, z (for the mirror boundary).
    dims: [usize; 3],
}

/// Cubic B-spline weights of the four support points of one axis and the
/// index of the first, as `DetermineRegionOfSupport` and
/// `SetInterpolationWeights` compute them.
fn cubic_weights(x: f64) -> (i64, [f64; 4]) {
    // ITK floors the index after a cast to float: `floor((float)x + 0.0f)`.
    let base = ((x as f32) + 0.0f32).floor() as i64;
    let w = x - base as f64;
    let w3 = (1.0 / 6.0) * w * w * w;
    let w0 = (1.0 / 6.0) + 0.5 * w * (w - 1.0) - w3;
    let w2 = w + w0 - 2.0 * w3;
    let w1 = 1.0 - w0 - w2 - w3;
    (base - 1, [w0, w1, w2, w3])
}

/// `ApplyMirrorBoundaryConditions`: indices before the first voxel are
/// reflected about it, then indices at or past the last about the last.
/// A single reflection can still miss the buffer on an axis of two voxels,
/// where ITK reads outside its buffer (undefined); here the index is then
/// clamped, so radcohort stays defined but may differ from ITK there.
fn mirror(index: i64, size: usize) -> usize {
    if size == 1 {
        return 0;
    }
    let end = size as i64 - 1;
    let mut i = index;
    if i < 0 {
        i = -i;
    }
    if i >= end {
        i = end - (i - end);
    }
    i.clamp(0, end) as usize
}

impl Interpolate for CubicBSpline {
    fn evaluate(&self, index: [f64; 3]) -> f64 {
        let mut at = [[0usize; 4]; 3];
        let mut weights = [[0.0; 4]; 3];
        for a in 0..3 {
            let (first, w) = cubic_weights(index[a]);
            weights[a] = w;
            for (k, slot) in at[a].iter_mut().enumerate() {
                *slot = mirror(first + k as i64, self.dims[a]);
            }
        }
        // ITK steps through the 4×4×4 support with x fastest and forms each
        // weight as ((1·wx)·wy)·wz before adding its term.
        let mut sum = 0.0;
        for (kz, &z) in at[2].iter().enumerate() {
            for (ky, &y) in at[1].iter().enumerate() {
                let wyz = weights[2][kz];
                for (kx, &x) in at[0].iter().enumerate() {
                    let w = weights[0][kx] * weights[1][ky] * wyz;
                    sum += w * self.coefficients.at(x, y, z);
                }
            }
        }
        sum
    }
}

/// B-spline coefficients of the whole image, stored only for a box.
struct Coefficients {
    /// First image index (x, y, z) of the box.
    low: [usize; 3],
    /// Box size (x, y, z).
    dims: [usize; 3],
    /// Values, x fastest.
    values: Vec<f64>,
}

impl Coefficients {
    fn at(&self, x: usize, y: usize, z: usize) -> f64 {
        // The box covers every index the output can reach (see
        // `bspline_box`); clamping keeps an unforeseen index defined.
        let [x, y, z] = [(x, 0), (y, 1), (z, 2)]
            .map(|(i, a)| i.clamp(self.low[a], self.low[a] + self.dims[a] - 1) - self.low[a]);
        self.values[(z * self.dims[1] + y) * self.dims[0] + x]
    }
}

/// The cubic B-spline pole `√3 − 2`, and the filter constants ITK derives
/// from it.
struct Pole {
    z: f64,
    /// Overall gain `(1 − z)(1 − 1/z)`, formed as ITK forms it.
    gain: f64,
    /// Terms of the truncated causal initial sum for tolerance 1e-10.
    horizon: usize,
}

impl Pole {
    fn cubic() -> Pole {
        let z = 3.0f64.sqrt() - 2.0;
        let gain = 1.0 * (1.0 - z) * (1.0 - 1.0 / z);
        let horizon = ((1e-10f64).ln() / z.abs().ln()).ceil() as usize;
        Pole { z, gain, horizon }
    }

    /// One line of data to coefficients, in place: ITK 5.4
    /// `BSplineDecompositionImageFilter::DataToCoefficients1D` for a single
    /// pole with mirror boundaries (Unser 1999, Box 2). A line of one sample
    /// is left as it is, gain included, as ITK does.
    fn to_coefficients(&self, s: &mut [f64]) {
        let n = s.len();
        if n <= 1 {
            return;
        }
        let z = self.z;
        for v in s.iter_mut() {
            *v *= self.gain;
        }
        s[0] = self.initial_causal(s);
        for i in 1..n {
            s[i] += z * s[i - 1];
        }
        s[n - 1] = (z / (z * z - 1.0)) * (z * s[n - 2] + s[n - 1]);
        for i in (0..n - 1).rev() {
            s[i] = z * (s[i + 1] - s[i]);
        }
    }

    /// `SetInitialCausalCoefficient`: a truncated sum when the line is
    /// longer than the horizon, else the exact mirror-boundary sum.
    fn initial_causal(&self, s: &[f64]) -> f64 {
        let n = s.len();
        let z = self.z;
        let mut zn = z;
        if self.horizon < n {
            let mut sum = s[0];
            for &v in &s[1..self.horizon] {
                sum += zn * v;
                zn *= z;
            }
            sum
        } else {
            let iz = 1.0 / z;
            let mut z2n = z.powf((n - 1) as f64);
            let mut sum = s[0] + z2n * s[n - 1];
            // ITK's `z2n *= z2n * iz`: the product in brackets rounds first.
            z2n = z2n * (z2n * iz);
            for &v in &s[1..n - 1] {
                sum += (zn + z2n) * v;
                zn *= z;
                z2n *= iz;
            }
            sum / (1.0 - zn * zn)
        }
    }
}

/// The B-spline coefficients ITK computes for the whole image (x pass, then
/// y, then z, each over complete lines), kept for the box `low..=high`.
///
/// Every line is filtered whole, because each coefficient depends on its
/// entire line; but a y line is needed only where x is in the box, and a z
/// line only where x and y are — so a small output box costs one pass over
/// the image instead of three.
fn bspline_coefficients(image: &Buffer<'_>, low: [usize; 3], high: [usize; 3]) -> Coefficients {
    let [nx, ny, nz] = image.dims;
    let pole = Pole::cubic();
    let bx = high[0] - low[0] + 1;
    let by = high[1] - low[1] + 1;
    let bz = high[2] - low[2] + 1;

    // x pass over every row; keep the box's x range. [z][y][x - low.x]
    let mut partial = vec![0.0; nz * ny * bx];
    partial
        .par_chunks_mut(ny * bx)
        .enumerate()
        .for_each(|(z, slab)| {
            let mut row = vec![0.0; nx];
            for y in 0..ny {
                let start = (z * ny + y) * nx;
                row.copy_from_slice(&image.values[start..start + nx]);
                pole.to_coefficients(&mut row);
                slab[y * bx..(y + 1) * bx].copy_from_slice(&row[low[0]..=high[0]]);
            }
        });

    // y pass over every column with x in the box.
    partial.par_chunks_mut(ny * bx).for_each(|slab| {
        let mut column = vec![0.0; ny];
        for x in 0..bx {
            for (y, v) in column.iter_mut().enumerate() {
                *v = slab[y * bx + x];
            }
            pole.to_coefficients(&mut column);
            for (y, v) in column.iter().enumerate() {
                slab[y * bx + x] = *v;
            }
        }
    });

    // z pass over every line with x and y in the box; keep the box's z range.
    let lines: Vec<Vec<f64>> = (0..by * bx)
        .into_par_iter()
        .map(|line| {
            let (y, x) = (low[1] + line / bx, line % bx);
            let mut column: Vec<f64> = (0..nz).map(|z| partial[(z * ny + y) * bx + x]).collect();
            pole.to_coefficients(&mut column);
            column[low[2]..=high[2]].to_vec()
        })
        .collect();
    let mut values = vec![0.0; bz * by * bx];
    for (line, column) in lines.iter().enumerate() {
        for (z, v) in column.iter().enumerate() {
            values[z * by * bx + line] = *v;
        }
    }
    Coefficients {
        low,
        dims: [bx, by, bz],
        values,
    }
}

/// The output grid, its frame and the input frame, with the scan-line map.
struct Mapping {
    output: ItkFrame,
    input: ItkFrame,
    /// Output voxels along x, y, z.
    dims: [usize; 3],
    /// Input voxels along x, y, z.
    input_dims: [usize; 3],
}

impl Mapping {
    /// ITK 5.4 `ImageFunction::IsInsideBuffer(ContinuousIndex)`: between the
    /// start index − 0.5 (inclusive) and the end index + 0.5 (exclusive),
    /// written so that NaN is outside.
    fn is_inside(&self, index: [f64; 3]) -> bool {
        (0..3).all(|a| index[a] >= -0.5 && index[a] < (self.input_dims[a] - 1) as f64 + 0.5)
    }

    /// The input continuous indices of output voxel 0 and of the voxel one
    /// past the end of row (y, z).
    fn row_ends(&self, y: usize, z: usize) -> ([f64; 3], [f64; 3]) {
        let map = |x: usize| {
            let point = self
                .output
                .index_to_physical([x as i64, y as i64, z as i64]);
            // Identity transform: the output point is the input point.
            self.input.physical_to_continuous_index(point)
        };
        (map(0), map(self.dims[0]))
    }

    /// The input continuous index of voxel `x` of a row, as ITK 5.4's
    /// linear-transform fast path interpolates it.
    fn along(&self, start: &[f64; 3], end: &[f64; 3], x: usize) -> [f64; 3] {
        let alpha = x as f64 / self.dims[0] as f64;
        [0, 1, 2].map(|a| start[a] + alpha * (end[a] - start[a]))
    }
}

/// The box of image indices that cubic B-spline evaluation can touch for
/// this output grid, mirrored indices included.
///
/// Continuous indices are an affine function of the output index, so their
/// range is spanned by the grid's corners; rounding moves them by far less
/// than the margin of two voxels kept on each side.
fn bspline_box(mapping: &Mapping, image_dims: [usize; 3]) -> ([usize; 3], [usize; 3]) {
    let [nx, ny, nz] = mapping.dims;
    let mut min = [f64::INFINITY; 3];
    let mut max = [f64::NEG_INFINITY; 3];
    for z in [0, nz.saturating_sub(1)] {
        for y in [0, ny.saturating_sub(1)] {
            let (start, end) = mapping.row_ends(y, z);
            for x in [0, nx.saturating_sub(1)] {
                let index = mapping.along(&start, &end, x);
                for a in 0..3 {
                    min[a] = min[a].min(index[a]);
                    max[a] = max[a].max(index[a]);
                }
            }
        }
    }
    let mut low = [0; 3];
    let mut high = [0; 3];
    for a in 0..3 {
        let last = image_dims[a] as i64 - 1;
        if last < 8 {
            // Reflections can chain on tiny axes; keep all of it.
            high[a] = last.max(0) as usize;
            continue;
        }
        // Outside the buffer nothing is evaluated, so the inside range bounds
        // what is needed even when the output reaches far beyond the image.
        let lo = min[a].clamp(-1.0, last as f64 + 1.0).floor() as i64 - 3;
        let hi = max[a].clamp(-1.0, last as f64 + 1.0).floor() as i64 + 4;
        // Indices below 0 reflect to at most −lo, those past the end to at
        // least 2·last − hi.
        let hi = if lo < 0 { hi.max(-lo) } else { hi };
        let lo = if hi > last { lo.min(2 * last - hi) } else { lo };
        low[a] = lo.clamp(0, last) as usize;
        high[a] = hi.clamp(0, last) as usize;
    }
    (low, high)
}

/// Resamples `input` onto `grid` as ITK 5.4's `ResampleImageFilter` with
/// an identity transform, default value 0 outside the input, and output
/// values cast to `output_type` (what `sitk.Resample(input, size,
/// sitk.Transform(), interpolator, origin, spacing, direction, 0,
/// output_type)` returns, in radcohort's RAS+ geometry).
///
/// The result has the grid's geometry and `output_type` as pixel type.
/// Every output voxel is computed independently, so running on several
/// threads does not change any value.
pub fn resample(
    input: &Volume,
    grid: &Geometry,
    interpolation: Interpolation,
    output_type: PixelType,
) -> Result<Volume, ResampleError> {
    let [ix, iy, iz] = input.geometry.dims;
    let actual = input.data.shape();
    let actual = [actual[0], actual[1], actual[2]];
    if actual != [iz, iy, ix] {
        return Err(ResampleError::ShapeMismatch {
            expected: [iz, iy, ix],
            actual,
        });
    }
    let [nx, ny, nz] = grid.dims;
    let voxels = (nx as u128) * (ny as u128) * (nz as u128);
    if voxels > u128::from(MAX_VOXELS) {
        return Err(ResampleError::TooLarge { dims: grid.dims });
    }
    let mapping = Mapping {
        output: ItkFrame::new(grid, "output")?,
        input: ItkFrame::new(&input.geometry, "input")?,
        dims: grid.dims,
        input_dims: input.geometry.dims,
    };
    let output_geometry = grid.clone();
    if voxels == 0 || ix * iy * iz == 0 {
        let fill = output_type.cast(0.0);
        return Ok(Volume {
            data: Array3::from_elem((nz, ny, nx), fill),
            geometry: output_geometry,
            pixel_type: output_type,
        });
    }
    let contiguous = input.data.as_standard_layout();
    let values = contiguous.as_slice().unwrap_or(&[]);
    if values.len() != ix * iy * iz {
        // A standard-layout array always has a slice; this keeps indexing
        // safe should that ever not hold.
        return Err(ResampleError::ShapeMismatch {
            expected: [iz, iy, ix],
            actual,
        });
    }
    let buffer = || Buffer {
        values,
        dims: input.geometry.dims,
    };
    let data = match interpolation {
        Interpolation::NearestNeighbor => run(&mapping, &Nearest(buffer()), output_type),
        Interpolation::Linear => run(&mapping, &Trilinear(buffer()), output_type),
        Interpolation::BSpline => {
            let (low, high) = bspline_box(&mapping, input.geometry.dims);
            let spline = CubicBSpline {
                coefficients: bspline_coefficients(&buffer(), low, high),
                dims: input.geometry.dims,
            };
            run(&mapping, &spline, output_type)
        }
    };
    Ok(Volume {
        data: Array3::from_shape_vec((nz, ny, nx), data).unwrap_or_else(|_| {
            // Unreachable: `run` fills exactly nx·ny·nz values.
            Array3::from_elem((nz, ny, nx), 0.0)
        }),
        geometry: output_geometry,
        pixel_type: output_type,
    })
}

/// Walks the output row by row (ITK's scan-line order), slices in parallel.
fn run<I: Interpolate>(mapping: &Mapping, interpolator: &I, output_type: PixelType) -> Vec<f64> {
    let [nx, ny, nz] = mapping.dims;
    let fill = output_type.cast(0.0);
    let mut data = vec![fill; nx * ny * nz];
    data.par_chunks_mut(nx * ny)
        .enumerate()
        .for_each(|(z, slice)| {
            for y in 0..ny {
                let (start, end) = mapping.row_ends(y, z);
                for x in 0..nx {
                    let index = mapping.along(&start, &end, x);
                    if mapping.is_inside(index) {
                        slice[y * nx + x] = output_type.cast(interpolator.evaluate(index));
                    }
                }
            }
        });
    data
}

#[cfg(test)]
mod tests {
    //! Expected values come from SimpleITK 2.5.7 (ITK 5.4): `sitk.Resample(
    //! image, size, sitk.Transform(), interpolator, origin, spacing,
    //! identity, 0.0, output_type)` on the image described in each test,
    //! with origin 0 and identity direction in SimpleITK's LPS (here RAS
    //! direction diag(−1, −1, 1)). Values are compared bit for bit.

    use super::*;
    use proptest::prelude::*;

    const LPS_IDENTITY: [[f64; 3]; 3] = [[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]];

    /// A volume with LPS-identity direction and origin 0; `values` x fastest.
    fn volume(
        values: &[f64],
        dims: [usize; 3],
        spacing: [f64; 3],
        pixel_type: PixelType,
    ) -> Volume {
        Volume {
            data: Array3::from_shape_vec((dims[2], dims[1], dims[0]), values.to_vec()).unwrap(),
            geometry: Geometry {
                dims,
                spacing,
                origin: [0.0; 3],
                direction: LPS_IDENTITY,
            },
            pixel_type,
        }
    }

    /// An output grid given by its LPS origin, as SimpleITK is given it.
    fn grid(dims: [usize; 3], lps_origin: [f64; 3], spacing: [f64; 3]) -> Geometry {
        Geometry {
            dims,
            spacing,
            origin: lps_ras(lps_origin),
            direction: LPS_IDENTITY,
        }
    }

    fn at(image: &Volume, point: [f64; 3], interpolation: Interpolation) -> f64 {
        let out = resample(
            image,
            &grid([1, 1, 1], point, [1.0; 3]),
            interpolation,
            PixelType::F64,
        )
        .unwrap();
        out.data[[0, 0, 0]]
    }

    #[test]
    fn nearest_neighbour_rounds_half_up_and_respects_the_buffer_edge() {
        // 4×1×1 image [10, 20, 30, 40].
        let image = volume(
            &[10.0, 20.0, 30.0, 40.0],
            [4, 1, 1],
            [1.0; 3],
            PixelType::F64,
        );
        let cases = [
            (-0.5, 10.0),                    // on the lower buffer edge: inside
            (-0.500_000_000_000_000_1, 0.0), // just beyond it: default value
            (0.5, 20.0),                     // half rounds up
            (1.499_999_999_999_999_8, 20.0),
            (3.499_999_999_999_999_6, 40.0),
            (3.5, 0.0), // the upper edge is outside
        ];
        for (x, want) in cases {
            assert_eq!(
                at(&image, [x, 0.0, 0.0], Interpolation::NearestNeighbor),
                want,
                "x = {x}"
            );
        }
    }

    #[test]
    fn linear_matches_simpleitk_inside_and_at_the_borders() {
        // 2×2×2 image, v(x, y, z) = 1 + x + 2y + 4z + 8xyz.
        let values: Vec<f64> = (0..8)
            .map(|i| {
                let (x, y, z) = ((i % 2) as f64, ((i / 2) % 2) as f64, (i / 4) as f64);
                1.0 + x + 2.0 * y + 4.0 * z + 8.0 * x * y * z
            })
            .collect();
        let image = volume(&values, [2, 2, 2], [1.0; 3], PixelType::F64);
        let cases = [
            ([0.5, 0.5, 0.5], 5.5),
            ([1.25, 0.0, 0.0], 2.0), // beyond the last centre: constant
            ([-0.5, -0.5, -0.5], 1.0),
            ([0.25, 0.75, 1.4], 8.25),
            ([0.3, 0.6, 0.9], 7.396),
        ];
        for (point, want) in cases {
            assert_eq!(at(&image, point, Interpolation::Linear), want, "{point:?}");
        }
    }

    #[test]
    fn integer_outputs_are_truncated_after_interpolation() {
        // Int16 image [0, 7, 14, 21], spacing (0.7, 1, 1); output origin 0,
        // spacing 0.3, 6 voxels. In double precision the values are
        // 0, 2.9999999999999996, 5.999999999999999, 9, 11.999999999999998, 15.
        let image = volume(
            &[0.0, 7.0, 14.0, 21.0],
            [4, 1, 1],
            [0.7, 1.0, 1.0],
            PixelType::I16,
        );
        let target = grid([6, 1, 1], [0.0; 3], [0.3, 1.0, 1.0]);
        let out = resample(&image, &target, Interpolation::Linear, PixelType::I16).unwrap();
        assert_eq!(
            out.data.iter().copied().collect::<Vec<_>>(),
            [0.0, 2.0, 5.0, 9.0, 11.0, 15.0]
        );
        assert_eq!(out.pixel_type, PixelType::I16);
        let real = resample(&image, &target, Interpolation::Linear, PixelType::F64).unwrap();
        assert_eq!(real.data[[0, 0, 1]], 2.999_999_999_999_999_6);
    }

    #[test]
    fn bspline_matches_simpleitk_including_the_borders() {
        // 6×1×1 image [3, −1, 4, 1, −5, 9].
        let image = volume(
            &[3.0, -1.0, 4.0, 1.0, -5.0, 9.0],
            [6, 1, 1],
            [1.0; 3],
            PixelType::F64,
        );
        let cases = [
            (-0.5, 1.032_296_650_717_702_7),
            (0.0, 3.000_000_000_000_001),
            (0.3, 2.152_277_511_961_723),
            (2.5, 4.238_636_363_636_366),
            (4.9, 8.684_220_095_693_783),
            (5.4999, 3.060_500_675_339_319_4),
        ];
        for (x, want) in cases {
            assert_eq!(
                at(&image, [x, 0.0, 0.0], Interpolation::BSpline),
                want,
                "x = {x}"
            );
        }
    }

    #[test]
    fn bspline_in_three_dimensions_matches_simpleitk() {
        // 5×4×3 image, v = (7x + 3y − 5z) mod 11 (Python's modulo); output
        // origin (−0.4, −0.4, −0.4), spacing (1.7, 1.7, 1.2), 3×3×3 voxels.
        let values: Vec<f64> = (0..60i32)
            .map(|i| {
                let (x, y, z): (i32, i32, i32) = (i % 5, (i / 5) % 4, i / 20);
                f64::from((7 * x + 3 * y - 5 * z).rem_euclid(11))
            })
            .collect();
        let image = volume(&values, [5, 4, 3], [1.0; 3], PixelType::F64);
        let target = grid([3, 3, 3], [-0.4; 3], [1.7, 1.7, 1.2]);
        let out = resample(&image, &target, Interpolation::BSpline, PixelType::F64).unwrap();
        let want = [
            4.107253365028565,
            6.1787172608,
            7.713843200000001,
            5.972865442742854,
            8.0617565348,
            2.927715199999999,
            6.124731428571431,
            2.4046289999999977,
            6.167999999999999,
            5.5553788196571405,
            3.536998886399996,
            7.152665600000005,
            7.362236264228571,
            5.9246205684,
            5.318321600000001,
            2.9191085714285703,
            1.740816999999995,
            3.423999999999997,
            2.7716187428571404,
            6.301888800000006,
            0.7103999999999933,
            2.83445417142857,
            1.6433470499999927,
            3.950399999999997,
            9.255428571428576,
            3.890624999999999,
            9.000000000000005,
        ];
        assert_eq!(out.data.iter().copied().collect::<Vec<_>>(), want);
    }

    #[test]
    fn bspline_overshoot_is_clamped_to_the_pixel_type() {
        // UInt8 image [0, 0, 255, 255, 0, 0]; output origin −0.5, spacing
        // 0.5, 12 voxels. The spline rings below 0 and above 255.
        let image = volume(
            &[0.0, 0.0, 255.0, 255.0, 0.0, 0.0],
            [6, 1, 1],
            [1.0; 3],
            PixelType::U8,
        );
        let target = grid([12, 1, 1], [-0.5, 0.0, 0.0], [0.5, 1.0, 1.0]);
        let bytes = resample(&image, &target, Interpolation::BSpline, PixelType::U8).unwrap();
        assert_eq!(
            bytes.data.iter().copied().collect::<Vec<_>>(),
            [
                0.0, 0.0, 0.0, 0.0, 118.0, 255.0, 255.0, 255.0, 118.0, 0.0, 0.0, 0.0
            ]
        );
        let real = resample(&image, &target, Interpolation::BSpline, PixelType::F64).unwrap();
        assert_eq!(real.data[[0, 0, 0]], -17.386363636363637);
        assert_eq!(real.data[[0, 0, 6]], 307.159090909091);
    }

    #[test]
    fn outside_voxels_get_zero_and_bad_grids_are_refused() {
        let image = volume(&[5.0; 8], [2, 2, 2], [1.0; 3], PixelType::I16);
        let far = grid([2, 1, 1], [100.0, 0.0, 0.0], [1.0; 3]);
        for interpolation in [
            Interpolation::NearestNeighbor,
            Interpolation::Linear,
            Interpolation::BSpline,
        ] {
            let out = resample(&image, &far, interpolation, PixelType::I16).unwrap();
            assert!(out.data.iter().all(|&v| v == 0.0));
        }
        let mut bad = far.clone();
        bad.spacing[1] = 0.0;
        assert!(matches!(
            resample(&image, &bad, Interpolation::Linear, PixelType::F64),
            Err(ResampleError::InvalidGrid {
                which: "output",
                ..
            })
        ));
        bad = far.clone();
        bad.direction = [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]];
        assert!(resample(&image, &bad, Interpolation::Linear, PixelType::F64).is_err());
        let mut wrong = image.clone();
        wrong.geometry.dims = [3, 2, 2];
        assert!(matches!(
            resample(&wrong, &far, Interpolation::Linear, PixelType::F64),
            Err(ResampleError::ShapeMismatch { .. })
        ));
        let huge = grid([1 << 20, 1 << 20, 2], [0.0; 3], [1.0; 3]);
        assert!(matches!(
            resample(&image, &huge, Interpolation::Linear, PixelType::F64),
            Err(ResampleError::TooLarge { .. })
        ));
    }

    #[test]
    fn frames_follow_itk_operation_order() {
        // ITK maps a point to a continuous index with the reciprocal of the
        // spacing: (p − o)·(1/s), which differs from (p − o)/s here.
        let geometry = Geometry {
            dims: [4, 4, 4],
            spacing: [0.5703125, 0.5703125, 5.0],
            origin: [146.0, 325.0, -777.5],
            direction: [[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]],
        };
        let frame = ItkFrame::new(&geometry, "input").unwrap();
        let point = [-100.1, -300.3, -700.7];
        let index = frame.physical_to_continuous_index(point);
        assert_eq!(index[0], (point[0] + 146.0) * (1.0 / 0.5703125));
        assert_eq!(
            frame.index_to_physical([2, 3, 4]),
            [-146.0 + 0.5703125 * 2.0, -325.0 + 0.5703125 * 3.0, -757.5]
        );
        assert_eq!(lps_ras(lps_ras(point)), point);
    }

    #[test]
    fn identity_resampling_can_change_integers() {
        // As in ITK: Int16 image 1×2×1 [858, −851], spacing (0.8, 1.3, 2.5),
        // LPS origin (−12.5, 40.25, 7), resampled onto itself with
        // sitkLinear gives [858, −850]: 1.3·(1/1.3) is 0.9999999999999999.
        let mut image = volume(&[858.0, -851.0], [1, 2, 1], [0.8, 1.3, 2.5], PixelType::I16);
        image.geometry.origin = [12.5, -40.25, 7.0];
        let out = resample(
            &image,
            &image.geometry,
            Interpolation::Linear,
            PixelType::I16,
        )
        .unwrap();
        assert_eq!(
            out.data.iter().copied().collect::<Vec<_>>(),
            [858.0, -850.0]
        );
    }

    fn random_volume(dims: [usize; 3], seed: u64, pixel_type: PixelType) -> Volume {
        let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let values: Vec<f64> = (0..dims.iter().product::<usize>())
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                pixel_type.cast(((state >> 33) % 2000) as f64 - 1000.0)
            })
            .collect();
        let mut v = volume(&values, dims, [0.8, 1.3, 2.5], pixel_type);
        v.geometry.origin = [12.5, -40.25, 7.0];
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn resampling_onto_the_same_grid_returns_the_image(
            dims in proptest::array::uniform3(1usize..9),
            seed in any::<u64>(),
        ) {
            let image = random_volume(dims, seed, PixelType::I16);
            let out = resample(&image, &image.geometry, Interpolation::NearestNeighbor, PixelType::I16)
                .unwrap();
            prop_assert_eq!(&out.data, &image.data);
            prop_assert_eq!(&out.geometry, &image.geometry);
            // Linear and spline land within an ulp of the samples (the index
            // is (p − o)·(1/s), not exactly an integer), so compare in double
            // precision; see `identity_resampling_can_change_integers` for
            // what truncation then does.
            for interpolation in [Interpolation::Linear, Interpolation::BSpline] {
                let out = resample(&image, &image.geometry, interpolation, PixelType::F64).unwrap();
                for (a, b) in out.data.iter().zip(image.data.iter()) {
                    prop_assert!((a - b).abs() <= 1e-9 * (1.0 + b.abs()), "{} vs {}", a, b);
                }
            }
            // With power-of-two spacings 1/s is exact and so is linear.
            let mut exact = image.clone();
            exact.geometry.spacing = [0.5, 1.0, 2.0];
            let out = resample(&exact, &exact.geometry, Interpolation::Linear, PixelType::I16).unwrap();
            prop_assert_eq!(&out.data, &exact.data);
        }

        #[test]
        fn linear_interpolation_of_a_ramp_is_exact_inside_the_buffer(
            slope in proptest::array::uniform3(-10.0f64..10.0),
            offset in proptest::array::uniform3(-0.3f64..0.9),
            step in proptest::array::uniform3(0.15f64..1.4),
        ) {
            // v = 3 + a·x + b·y + c·z on a 6×5×4 grid of unit spacing.
            let dims = [6usize, 5, 4];
            let values: Vec<f64> = (0..120)
                .map(|i| {
                    let (x, y, z) = ((i % 6) as f64, ((i / 6) % 5) as f64, (i / 30) as f64);
                    3.0 + slope[0] * x + slope[1] * y + slope[2] * z
                })
                .collect();
            let image = volume(&values, dims, [1.0; 3], PixelType::F64);
            let target = grid([4, 4, 3], offset, step);
            let out = resample(&image, &target, Interpolation::Linear, PixelType::F64).unwrap();
            for ((z, y, x), &v) in out.data.indexed_iter() {
                let p = [offset[0] + step[0] * x as f64, offset[1] + step[1] * y as f64, offset[2] + step[2] * z as f64];
                // Only between the outer voxel centres is the ramp linear.
                if (0..3).all(|a| p[a] >= 0.0 && p[a] <= (dims[a] - 1) as f64) {
                    let want = 3.0 + slope[0] * p[0] + slope[1] * p[1] + slope[2] * p[2];
                    prop_assert!((v - want).abs() <= 1e-12 * (1.0 + want.abs() + 30.0), "{} vs {}", v, want);
                }
            }
        }
    }
}
