//! Two-dimensional local binary patterns as PyRadiomics 3.1
//! `getLBP2DImage` computes them: scikit-image's `local_binary_pattern`
//! (0.26) on every slice across `force2Ddimension`, written back into an
//! array of the image's own pixel type.

use std::ops::Range;

use rayon::prelude::*;

use super::{FilterError, derived_region, require_region, voxels, whole_region};
use crate::imaging::{BoundingBox, PixelType, Volume};
use crate::radiomics::settings::LbpMethod;

/// The neighbour offsets scikit-image samples: `(-R sin(2πi/P),
/// R cos(2πi/P))` (row, column), rounded to 5 decimals as `numpy.round`
/// does (scaled by 1e5, rounded half to even, divided back). `R` is a C
/// `float` in scikit-image's signature, so it is rounded to `f32` first.
fn offsets(radius: f64, samples: usize) -> Vec<(f64, f64)> {
    let radius = f64::from(radius as f32);
    let round5 = |v: f64| (v * 100_000.0).round_ties_even() / 100_000.0;
    (0..samples)
        .map(|i| {
            let angle = 2.0 * std::f64::consts::PI * i as f64 / samples as f64;
            (round5(-radius * angle.sin()), round5(radius * angle.cos()))
        })
        .collect()
}

/// One neighbour of scikit-image's circle: its offset and the integer
/// offsets of the four pixels around it. `floor(r + dr) = r + floor(dr)`
/// for a whole row index `r` and an offset with 5 decimals (the sum is
/// never rounded onto an integer), which spares a `floor` per sample.
#[derive(Debug, Clone, Copy)]
struct Neighbour {
    dr: f64,
    dc: f64,
    r0: isize,
    r1: isize,
    c0: isize,
    c1: isize,
}

impl Neighbour {
    fn new((dr, dc): (f64, f64)) -> Neighbour {
        Neighbour {
            dr,
            dc,
            r0: dr.floor() as isize,
            r1: dr.ceil() as isize,
            c0: dc.floor() as isize,
            c1: dc.ceil() as isize,
        }
    }

    /// scikit-image's `bilinear_interpolation` with mode `'C'` (0 outside
    /// the slice) at `(r + dr, c + dc)`, with its arithmetic.
    #[inline(always)]
    fn sample(&self, slice: &Window<'_>, r: usize, c: usize) -> f64 {
        let (ri, ci) = (r as isize, c as isize);
        let (minr, minc) = (ri + self.r0, ci + self.c0);
        let (maxr, maxc) = (ri + self.r1, ci + self.c1);
        let fr = (r as f64 + self.dr) - minr as f64;
        let fc = (c as f64 + self.dc) - minc as f64;
        let top = (1.0 - fc) * slice.pixel(minr, minc) + fc * slice.pixel(minr, maxc);
        let bottom = (1.0 - fc) * slice.pixel(maxr, minc) + fc * slice.pixel(maxr, maxc);
        (1.0 - fr) * top + fr * bottom
    }
}

/// The part of a `rows × cols` slice around the pixels to compute: rows
/// from `row0` and columns from `col0` on, `width` columns wide, wide
/// enough that every in-slice pixel a sample reads is in it.
struct Window<'a> {
    values: &'a [f64],
    rows: usize,
    cols: usize,
    row0: usize,
    col0: usize,
    width: usize,
}

impl Window<'_> {
    /// Pixel `(r, c)` of the slice, 0 outside it (scikit-image's `'C'`
    /// mode with `cval = 0`).
    #[inline(always)]
    fn pixel(&self, r: isize, c: isize) -> f64 {
        if r < 0 || c < 0 || r >= self.rows as isize || c >= self.cols as isize {
            0.0
        } else {
            let (r, c) = (r as usize - self.row0, c as usize - self.col0);
            self.values[r * self.width + c]
        }
    }
}

/// scikit-image's `_local_binary_pattern` of one slice, at the pixels
/// `rows × cols` (slice indices), written row by row into `out`.
fn slice_lbp(
    slice: &Window<'_>,
    rows: Range<usize>,
    cols: Range<usize>,
    neighbours: &[Neighbour],
    method: LbpMethod,
    out: &mut [f64],
) {
    let p = neighbours.len();
    let mut texture = vec![0.0; p];
    let mut signs = vec![0u8; p];
    let width = cols.len();
    for (row, r) in rows.enumerate() {
        for (col, c) in cols.clone().enumerate() {
            let centre = slice.pixel(r as isize, c as isize);
            for (i, neighbour) in neighbours.iter().enumerate() {
                texture[i] = neighbour.sample(slice, r, c);
                signs[i] = u8::from(texture[i] - centre >= 0.0);
            }
            out[row * width + col] = match method {
                LbpMethod::Var => {
                    // Biased variance, accumulated as scikit-image does.
                    let (mut sum, mut squares) = (0.0, 0.0);
                    for &t in &texture {
                        sum += t;
                        squares += t * t;
                    }
                    let var = (squares - (sum * sum) / p as f64) / p as f64;
                    if var != 0.0 { var } else { f64::NAN }
                }
                LbpMethod::Uniform => {
                    // Changes between neighbours 0..P-1, not wrapping round.
                    let changes: usize = signs.windows(2).map(|w| usize::from(w[0] != w[1])).sum();
                    if changes <= 2 {
                        signs.iter().map(|&s| f64::from(s)).sum()
                    } else {
                        (p + 1) as f64
                    }
                }
                LbpMethod::Default | LbpMethod::Ror => {
                    let code = signs
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| **s == 1)
                        .fold(0u32, |acc, (i, _)| acc | 1 << i);
                    if method == LbpMethod::Ror {
                        // The smallest of the P cyclic rotations.
                        let mut rotated = code;
                        let mut lowest = code;
                        for _ in 1..p {
                            rotated = (rotated >> 1) | ((rotated & 1) << (p - 1));
                            lowest = lowest.min(rotated);
                        }
                        f64::from(lowest)
                    } else {
                        f64::from(code)
                    }
                }
            };
        }
    }
}

/// numpy's assignment of a `float64` value into an array of `pixel_type`
/// (C casts on x86-64): truncation toward zero, out-of-range values and NaN
/// through the conversion to a 32-bit (or, for 64-bit types, 64-bit)
/// integer, whose low bits are kept. PyRadiomics writes the LBP codes into
/// the image's own array this way.
fn numpy_cast(pixel_type: PixelType, value: f64) -> f64 {
    let via_i32 = |v: f64| -> i32 {
        if !(-2_147_483_648.0..2_147_483_648.0).contains(&v) {
            i32::MIN
        } else {
            v as i32
        }
    };
    let via_i64 = |v: f64| -> i64 {
        let limit = 2f64.powi(63);
        if !(-limit..limit).contains(&v) {
            i64::MIN
        } else {
            v as i64
        }
    };
    match pixel_type {
        PixelType::I8 => f64::from(via_i32(value) as i8),
        PixelType::U8 => f64::from(via_i32(value) as u8),
        PixelType::I16 => f64::from(via_i32(value) as i16),
        PixelType::U16 => f64::from(via_i32(value) as u16),
        PixelType::I32 => f64::from(via_i32(value)),
        PixelType::U32 => f64::from(via_i64(value) as u32),
        PixelType::I64 => via_i64(value) as f64,
        PixelType::U64 => via_i64(value) as u64 as f64,
        PixelType::F32 => f64::from(value as f32),
        PixelType::F64 => value,
    }
}

/// Local binary pattern of every slice across array axis `axis` (numpy
/// axis of `[z, y, x]`; PyRadiomics' `force2Ddimension`, 0 by default), as
/// PyRadiomics `getLBP2DImage` calls scikit-image 0.26
/// `local_binary_pattern(slice, P=samples, R=radius, method)`: `P`
/// neighbours on a circle of `radius` voxels (bilinear, 0 outside the
/// slice), each 1 when not below the centre; `default` is their binary
/// code, `ror` its smallest rotation, `uniform` the number of ones for
/// patterns with at most two changes (else `P + 1`), `var` the neighbours'
/// variance (NaN when 0). The slice axes keep numpy's order after
/// `swapaxes(0, axis)`. The result keeps the image's pixel type, values cast
/// as numpy casts them (integers truncated, out-of-range values wrapped).
pub fn lbp_2d(
    volume: &Volume,
    radius: f64,
    samples: u32,
    method: LbpMethod,
    axis: usize,
) -> Result<Volume, FilterError> {
    let region = whole_region(volume, "LBP 2D")?;
    lbp_2d_in(volume, radius, samples, method, axis, &region)
}

/// The voxels of `region` of [`lbp_2d`] of the whole volume, bit for bit,
/// on the region's grid: each slice's pixels in the region, sampled from
/// the region widened by the radius (plus the pixel bilinear interpolation
/// reads beyond), and 0 only outside the slice itself.
pub fn lbp_2d_in(
    volume: &Volume,
    radius: f64,
    samples: u32,
    method: LbpMethod,
    axis: usize,
    region: &BoundingBox,
) -> Result<Volume, FilterError> {
    let shape = require_region(volume, "LBP 2D", region)?;
    let problem = |detail: String| FilterError::LbpParameters {
        filter: "LBP 2D",
        detail,
    };
    if axis > 2 {
        return Err(problem(format!(
            "the slice axis must be 0, 1 or 2, got {axis}"
        )));
    }
    // Beyond a million voxels every neighbour is outside any image; the bound
    // keeps the integer offsets far from overflow.
    if !(radius > 0.0 && radius <= 1e6) {
        return Err(problem(format!(
            "the radius must be a positive number of voxels up to 1e6, got {radius}"
        )));
    }
    let p = samples as usize;
    let limit = if matches!(method, LbpMethod::Default | LbpMethod::Ror) {
        // scikit-image's int32 weights 2**i overflow from i = 31 on.
        31
    } else {
        1024
    };
    if p == 0 || p > limit {
        return Err(problem(format!(
            "the number of samples must be from 1 to {limit} for this method, got {samples}"
        )));
    }
    let neighbours: Vec<Neighbour> = offsets(radius, p).into_iter().map(Neighbour::new).collect();
    let input = voxels(volume);
    let [_, ny, nx] = shape;
    // After swapaxes(0, axis) a slice keeps the other two axes in order,
    // except that axis 2 swaps with 0: its slices are [y, z]. The array
    // axes of a slice's rows and columns:
    let (row_axis, col_axis) = match axis {
        0 => (1, 2),
        1 => (0, 2),
        _ => (1, 0),
    };
    let (rows, cols) = (shape[row_axis], shape[col_axis]);
    let zyx = |s: usize, r: usize, c: usize| {
        let mut at = [0; 3];
        at[axis] = s;
        at[row_axis] = r;
        at[col_axis] = c;
        at
    };
    let index = |s: usize, r: usize, c: usize| {
        let [z, y, x] = zyx(s, r, c);
        (z * ny + y) * nx + x
    };
    // Every offset is within ±radius (5 decimals) of the pixel; one more
    // for the far corner of the bilinear interpolation.
    let margin = (f64::from(radius as f32).ceil() as usize).saturating_add(1);
    let (out_rows, out_cols) = (region.range(row_axis), region.range(col_axis));
    let window_rows =
        out_rows.start.saturating_sub(margin)..(out_rows.end.saturating_add(margin)).min(rows);
    let window_cols =
        out_cols.start.saturating_sub(margin)..(out_cols.end.saturating_add(margin)).min(cols);
    let slices: Vec<Vec<f64>> = region
        .range(axis)
        .into_par_iter()
        .map(|s| {
            let mut values = Vec::with_capacity(window_rows.len() * window_cols.len());
            for r in window_rows.clone() {
                values.extend(window_cols.clone().map(|c| input[index(s, r, c)]));
            }
            let window = Window {
                values: &values,
                rows,
                cols,
                row0: window_rows.start,
                col0: window_cols.start,
                width: window_cols.len(),
            };
            let mut out = vec![0.0; out_rows.len() * out_cols.len()];
            slice_lbp(
                &window,
                out_rows.clone(),
                out_cols.clone(),
                &neighbours,
                method,
                &mut out,
            );
            out
        })
        .collect();
    let size = region.size();
    let mut values = vec![0.0; size.iter().product()];
    for (s, slice) in slices.iter().enumerate() {
        for (k, &v) in slice.iter().enumerate() {
            let [z, y, x] = zyx(s, k / out_cols.len(), k % out_cols.len());
            values[(z * size[1] + y) * size[2] + x] = numpy_cast(volume.pixel_type, v);
        }
    }
    Ok(derived_region(volume, region, values, volume.pixel_type))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::imaging::filters::testing::{
        assert_region_of, assert_voxels, noise, shape_and_region, volume,
    };

    /// `((37r + 91c) mod 101) / 4 - 7` on a 6 × 7 slice (rows r, columns
    /// c), float64, with pixel (2, 3) set to pixel (2, 4) for a tie.
    fn slice() -> Volume {
        let value = |r: usize, c: usize| ((r * 37 + c * 91) % 101) as f64 * 0.25 - 7.0;
        volume([1, 6, 7], [1.0; 3], PixelType::F64, move |_, r, c| {
            if (r, c) == (2, 3) {
                value(2, 4)
            } else {
                value(r, c)
            }
        })
    }

    #[test]
    fn matches_scikit_image_for_every_method() {
        // scikit-image 0.26 local_binary_pattern(slice, P, R, method).
        #[rustfmt::skip]
        let cases: [(LbpMethod, u32, f64, [f64; 42]); 6] = [
            (LbpMethod::Default, 8, 1.0, [
            255.0, 0.0, 16.0, 16.0, 208.0, 240.0, 112.0, 226.0, 254.0, 254.0, 255.0, 0.0,
            16.0, 16.0, 0.0, 16.0, 208.0, 243.0, 246.0, 254.0, 255.0, 254.0, 255.0, 0.0,
            16.0, 16.0, 208.0, 112.0, 192.0, 242.0, 254.0, 254.0, 255.0, 0.0, 16.0, 0.0,
            16.0, 16.0, 16.0, 18.0, 30.0, 255.0,
        ]),
            (LbpMethod::Ror, 8, 1.0, [
            255.0, 0.0, 1.0, 1.0, 13.0, 15.0, 7.0, 23.0, 127.0, 127.0, 255.0, 0.0, 1.0, 1.0,
            0.0, 1.0, 13.0, 63.0, 111.0, 127.0, 255.0, 127.0, 255.0, 0.0, 1.0, 1.0, 13.0,
            7.0, 3.0, 47.0, 127.0, 127.0, 255.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 9.0, 15.0,
            255.0,
        ]),
            (LbpMethod::Uniform, 8, 1.0, [
            8.0, 0.0, 1.0, 1.0, 9.0, 4.0, 3.0, 9.0, 7.0, 7.0, 8.0, 0.0, 1.0, 1.0, 0.0, 1.0,
            9.0, 6.0, 9.0, 7.0, 8.0, 7.0, 8.0, 0.0, 1.0, 1.0, 9.0, 3.0, 2.0, 9.0, 7.0, 7.0,
            8.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 9.0, 4.0, 8.0,
        ]),
            (LbpMethod::Var, 8, 1.0, [
            25.485609676135354, 28.277655671438122, 32.38610747173846, 31.759699807222443,
            32.88821701125463, 30.951558573404476, 23.155184944226537, 29.510851583976567,
            30.64859557014543, 31.51399072159002, 35.158024461257874, 32.98826132920279,
            30.45342814302306, 28.08964051351841, 13.61778148894385, 30.64859557014543,
            38.39426414041948, 36.78909847528912, 33.944695215000685, 30.45342814302306,
            19.965441809679547, 24.608824417454105, 31.976129451052625, 30.967350724510034,
            31.845846916713104, 30.423009132450385, 37.11605000137943, 41.86978227775519,
            35.419844629230205, 37.116050001379406, 30.64859557014544, 30.453428143023046,
            31.97612945105262, 31.976129451052643, 33.34934685465569, 12.722967512625631,
            17.652969509050955, 13.71970298712908, 11.77307994669158, 15.64323567365893,
            37.782032825625976, 32.05711285828984,
        ]),
            (LbpMethod::Uniform, 6, 1.3, [
            6.0, 0.0, 0.0, 1.0, 7.0, 3.0, 3.0, 7.0, 5.0, 6.0, 6.0, 0.0, 0.0, 1.0, 0.0, 0.0,
            7.0, 7.0, 5.0, 5.0, 6.0, 6.0, 6.0, 0.0, 0.0, 1.0, 7.0, 2.0, 1.0, 7.0, 5.0, 6.0,
            6.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 7.0, 3.0, 6.0,
        ]),
            (LbpMethod::Var, 6, 1.3, [
            29.287521748533234, 28.73295032783472, 25.171844992264443, 34.32113555292381,
            29.21855720951802, 32.92093677408888, 19.944464954462223, 14.669684319649535,
            28.830739697020437, 19.901945326701835, 35.06407091923908, 34.875574826652816,
            17.05924604350886, 34.19320847844126, 15.634723111112827, 17.916019147850932,
            27.32997981861634, 26.40367712243579, 29.69019397146204, 37.074690834656515,
            22.542965523762547, 9.0935210793181, 32.49151940017081, 34.31927211369465,
            21.59338564567558, 29.46358490084695, 26.814812136498293, 31.146228259656848,
            22.131081124957607, 28.267733135780247, 27.788100690704685, 21.741948832978636,
            36.89072980878166, 26.180213865489417, 16.170469595231896, 14.745755201658232,
            15.165727252581144, 20.295085851478436, 14.974694190755551, 17.283750719968037,
            28.181426857181844, 30.463344788897814,
        ]),
        ];
        for (method, samples, radius, expected) in cases {
            let out = lbp_2d(&slice(), radius, samples, method, 0).unwrap();
            assert_eq!(out.pixel_type, PixelType::F64);
            assert_voxels(&out, &expected);
        }
    }

    #[test]
    fn slices_across_x_are_y_by_z_and_keep_the_integer_type() {
        // PyRadiomics getLBP2DImage(force2Ddimension=2, method default) on
        // `((5x + 7y + 3z) mod 11) * 3 - 10`, int16, [z, y, x] = [3, 4, 5].
        let img = volume([3, 4, 5], [1.0; 3], PixelType::I16, |z, y, x| {
            (((5 * x + 7 * y + 3 * z) % 11) * 3) as f64 - 10.0
        });
        let out = lbp_2d(&img, 1.0, 8, LbpMethod::Default, 2).unwrap();
        assert_eq!(out.pixel_type, PixelType::I16);
        #[rustfmt::skip]
        let expected: [f64; 60] = [
            255.0, 1.0, 0.0, 3.0, 0.0, 1.0, 255.0, 5.0, 255.0, 5.0, 255.0, 0.0, 255.0, 1.0,
            255.0, 0.0, 141.0, 0.0, 255.0, 0.0, 231.0, 0.0, 255.0, 1.0, 255.0, 0.0, 45.0,
            0.0, 239.0, 0.0, 45.0, 255.0, 45.0, 0.0, 45.0, 255.0, 1.0, 255.0, 13.0, 255.0,
            32.0, 255.0, 32.0, 0.0, 32.0, 255.0, 0.0, 255.0, 44.0, 255.0, 0.0, 239.0, 0.0,
            255.0, 0.0, 12.0, 0.0, 14.0, 0.0, 207.0,
        ];
        assert_voxels(&out, &expected);
    }

    #[test]
    fn flat_neighbourhoods_and_casts_follow_numpy() {
        let flat = volume([1, 3, 3], [1.0; 3], PixelType::F32, |_, _, _| 5.0);
        let var = lbp_2d(&flat, 1.0, 8, LbpMethod::Var, 0).unwrap();
        // The centre sees only 5s: variance 0 is NaN in scikit-image.
        assert!(var.data[[0, 1, 1]].is_nan());
        assert_eq!(numpy_cast(PixelType::I16, f64::NAN), 0.0);
        assert_eq!(numpy_cast(PixelType::I16, 40_000.5), -25_536.0);
        assert_eq!(numpy_cast(PixelType::U8, 300.9), 44.0);
        assert_eq!(numpy_cast(PixelType::I32, 1e10), f64::from(i32::MIN));
        assert_eq!(numpy_cast(PixelType::F32, 0.1), f64::from(0.1f32));
    }

    #[test]
    fn bad_parameters_are_refused() {
        let img = slice();
        for (radius, samples, method, axis) in [
            (0.0, 8, LbpMethod::Uniform, 0),
            (f64::NAN, 8, LbpMethod::Uniform, 0),
            (1e30, 8, LbpMethod::Uniform, 0),
            (1.0, 0, LbpMethod::Uniform, 0),
            (1.0, 32, LbpMethod::Default, 0),
            (1.0, 8, LbpMethod::Uniform, 3),
        ] {
            let err = lbp_2d(&img, radius, samples, method, axis).unwrap_err();
            assert!(matches!(err, FilterError::LbpParameters { .. }), "{err}");
        }
        assert!(lbp_2d(&img, 1.0, 40, LbpMethod::Uniform, 0).is_ok());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any region of the 2D LBP, for every method and slice axis, is
        /// the whole-volume LBP cropped, to the last bit: samples are read
        /// across the region's edges, 0 only outside the slice.
        #[test]
        fn a_region_is_the_whole_image_cropped_bit_for_bit(
            (shape, region) in shape_and_region(1, 10),
            seed in any::<u64>(),
            kind in 0usize..3,
            radius in 0.3f64..4.0,
            samples in 1u32..13,
            method in 0usize..4,
            axis in 0usize..3,
        ) {
            let pixel_type = [PixelType::I16, PixelType::F32, PixelType::F64][kind];
            let method = [LbpMethod::Default, LbpMethod::Ror, LbpMethod::Uniform, LbpMethod::Var][method];
            let img = noise(shape, [1.0; 3], pixel_type, seed);
            let whole = lbp_2d(&img, radius, samples, method, axis).unwrap();
            let part = lbp_2d_in(&img, radius, samples, method, axis, &region).unwrap();
            assert_region_of(&part, &whole, &region);
        }
    }
}
