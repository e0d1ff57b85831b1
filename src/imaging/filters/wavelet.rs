//! Wavelet decompositions as PyRadiomics 3.1 `getWaveletImage` / `_swt3`
//! builds them with PyWavelets' stationary wavelet transform.
//!
//! `_swt3` pads every odd axis with one wrapped voxel (`numpy.pad(...,
//! 'wrap')`), then repeatedly calls `pywt.swtn(data, wavelet, level=1,
//! start_level=0, axes)` on the previous approximation. Because every call
//! is a first-level transform, the filters are never upsampled: PyRadiomics'
//! level 2 is the level-1 transform of the level-1 approximation, not
//! `swtn(level=2)`. Each one-dimensional pass is PyWavelets'
//! `downsampling_convolution_periodization` with step 1: a circular
//! convolution whose output `o` is centred on input `o + F/2` (F the filter
//! length), summed in PyWavelets' order. The axes are transformed in the
//! order given (x, y, z for PyRadiomics), low-pass before high-pass, which
//! fixes the order of the sub-bands (`LLH`, `LHL`, ... `HHH`, first letter
//! for the first axis). Integer images are transformed in `f64`, `f32`
//! images in `f32` with PyWavelets' single-precision filters, as
//! PyWavelets does.

use std::ops::{Add, Mul, Range};

use rayon::prelude::*;

use super::lines::{LineKernel, along_axis_into};
use super::wavelet_banks::{BANKS, Bank, F32_DEC_LO};
use super::{FilterError, derived_region, require_region, voxels, whole_region};
use crate::imaging::{BoundingBox, PixelType, Volume};

/// A floating-point type PyWavelets computes in.
trait Sample: Copy + Default + Send + Sync + Add<Output = Self> + Mul<Output = Self> {
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    /// A whole array as `f64`, without a copy where it already is.
    fn into_f64s(values: Vec<Self>) -> Vec<f64>;
}

impl Sample for f64 {
    fn from_f64(v: f64) -> Self {
        v
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn into_f64s(values: Vec<Self>) -> Vec<f64> {
        values
    }
}

impl Sample for f32 {
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn into_f64s(values: Vec<Self>) -> Vec<f64> {
        values.into_par_iter().map(f64::from).collect()
    }
}

/// PyWavelets' `dec_hi` of an orthogonal wavelet: the quadrature mirror
/// `(-1)^(i+1) dec_lo[L-1-i]`.
fn mirror<T: Copy + std::ops::Neg<Output = T>>(lo: &[T]) -> Vec<T> {
    let len = lo.len();
    (0..len)
        .map(|i| {
            let v = lo[len - 1 - i];
            if i % 2 == 0 { -v } else { v }
        })
        .collect()
}

fn find_bank(name: &str) -> Result<&'static Bank, FilterError> {
    BANKS
        .iter()
        .find(|bank| bank.name == name)
        .ok_or_else(|| FilterError::UnknownWavelet {
            name: name.to_owned(),
            known: BANKS
                .iter()
                .map(|bank| bank.name)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// The double-precision decomposition filters (low, high).
fn filters_f64(bank: &Bank) -> (Vec<f64>, Vec<f64>) {
    let lo = bank.dec_lo.to_vec();
    let hi = match bank.dec_hi {
        Some(hi) => hi.to_vec(),
        None => mirror(&lo),
    };
    (lo, hi)
}

/// The single-precision filters PyWavelets uses for `float32` data.
fn filters_f32(bank: &Bank) -> (Vec<f32>, Vec<f32>) {
    let own = F32_DEC_LO.iter().find(|(name, _)| *name == bank.name);
    let lo: Vec<f32> = match own {
        Some((_, lo)) => lo.to_vec(),
        None => bank.dec_lo.iter().map(|&v| v as f32).collect(),
    };
    let hi = match (own, bank.dec_hi) {
        (None, Some(hi)) => hi.iter().map(|&v| v as f32).collect(),
        _ => mirror(&lo),
    };
    (lo, hi)
}

/// A stretch of a periodic axis: the `len` positions from `start` on,
/// counted modulo the axis' period (so it may wrap past the end). A window
/// as long as the period is the whole axis and starts at 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    start: usize,
    len: usize,
}

impl Window {
    /// The positions `range` of an axis.
    fn of(range: Range<usize>) -> Window {
        Window {
            start: range.start,
            len: range.len(),
        }
    }

    /// The input positions that the outputs in `self` of a periodic
    /// convolution with a filter of `taps` taps read: output `o` reads
    /// `o + taps/2 - m` for every tap `m` ([`Periodic`]), so the window
    /// grows by `taps - 1 - taps/2` below and `taps/2` above, modulo
    /// `period`.
    fn widened(self, taps: usize, period: usize) -> Window {
        let below = taps - 1 - taps / 2;
        let len = self.len + below + taps / 2;
        if len >= period {
            Window {
                start: 0,
                len: period,
            }
        } else {
            // Here below < len < period.
            Window {
                start: (self.start + period - below) % period,
                len,
            }
        }
    }

    /// Where position `p` (below `period`) sits in the window, if it does.
    fn offset(self, p: usize, period: usize) -> Option<usize> {
        let offset = (p + period - self.start) % period;
        (offset < self.len).then_some(offset)
    }
}

/// PyWavelets' `downsampling_convolution_periodization` with step 1 and an
/// un-upsampled filter, `out[o] = Σ_m filter[m] · in[(o + F/2 - m) mod N]`,
/// for one or more filters of the same length (low and high pass share
/// every input read). The input lines hold the positions `input` of the
/// period-`period` axis ([`Window::widened`] of the outputs kept); the
/// outputs kept, the `out` of [`LineKernel::apply`], are positions
/// `out.start..out.end` modulo the period.
struct Periodic<T> {
    filters: Vec<Vec<T>>,
    period: usize,
    input: Window,
}

/// `(i - m) mod n` without a division: `i < n + F/2` and `m < F`, so few
/// wraps are ever needed.
#[inline(always)]
fn wrap(i: usize, m: usize, n: usize) -> usize {
    let mut index = i as isize - m as isize;
    let period = n as isize;
    while index < 0 {
        index += period;
    }
    while index >= period {
        index -= period;
    }
    index as usize
}

impl<T: Sample> LineKernel<T> for Periodic<T> {
    fn outputs(&self) -> usize {
        self.filters.len()
    }

    fn apply(&self, input: &[T], output: &mut [T], w: usize, out: Range<usize>, _: &mut Vec<T>) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2, checked just above.
            unsafe { self.lines_avx2(input, output, w, out) };
            return;
        }
        self.lines(input, output, w, out);
    }
}

impl<T: Sample> Periodic<T> {
    /// [`Periodic::lines`] compiled for AVX2: twice the lanes per
    /// instruction of SSE2, each lane with the same separate multiplications
    /// and additions in the same order (Rust never fuses them), so the
    /// results are identical bit for bit.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn lines_avx2(&self, input: &[T], output: &mut [T], w: usize, out: Range<usize>) {
        self.lines(input, output, w, out);
    }

    /// Filters `w` interleaved lines ([`LineKernel::apply`]).
    #[inline(always)]
    fn lines(&self, input: &[T], output: &mut [T], w: usize, out: Range<usize>) {
        let n = self.period;
        let (start, len) = (self.input.start, input.len() / w);
        let kept = out.len();
        // The block is small enough to stay in cache while each filter
        // reads it in turn.
        for (filter, result) in self.filters.iter().zip(output.chunks_exact_mut(kept * w)) {
            let f = filter.len();
            for (o, row) in out.clone().zip(result.chunks_exact_mut(w)) {
                row.fill(T::default());
                // The output's position on the period decides PyWavelets'
                // order of summation, so it is taken modulo the period.
                let i = o % n + f / 2;
                let mut add = |m: usize| {
                    // The tap's position in the input window (`start < n`).
                    let mut index = wrap(i, m, n) + n - start;
                    if index >= n {
                        index -= n;
                    }
                    debug_assert!(index < len, "tap outside the input window");
                    let tap = filter[m];
                    for (acc, &x) in row.iter_mut().zip(&input[index * w..(index + 1) * w]) {
                        *acc = *acc + tap * x;
                    }
                };
                if i >= n {
                    // PyWavelets sums the taps that wrapped past the end
                    // first, from tap i - N down to 0, then the rest upwards.
                    let split = i - n;
                    for m in (0..=split).rev() {
                        add(m);
                    }
                    for m in split + 1..f {
                        add(m);
                    }
                } else {
                    for m in 0..f {
                        add(m);
                    }
                }
            }
        }
    }
}

/// The axes PyRadiomics transforms: numpy axes `(2, 1, 0)` (x, y, z of a
/// `[z, y, x]` array), without `force2Ddimension` when `force2D` is on.
pub fn pyradiomics_wavelet_axes(
    force_2d: bool,
    force_2d_dimension: usize,
) -> Result<Vec<usize>, FilterError> {
    let mut axes = vec![2, 1, 0];
    if force_2d {
        if force_2d_dimension > 2 {
            return Err(FilterError::WaveletParameters {
                detail: format!("force2Ddimension must be 0, 1 or 2, got {force_2d_dimension}"),
            });
        }
        axes.retain(|&a| a != force_2d_dimension);
    }
    Ok(axes)
}

/// The image type names PyRadiomics yields for `level` levels over
/// `axis_count` axes, in its order: each level's details (`wavelet-LLH`,
/// ..., `wavelet2-LLH`, ...), then the last approximation (`wavelet-LLL`,
/// or `wavelet<level>-LLL` past level 1).
pub fn wavelet_names(level: u32, axis_count: usize) -> Vec<String> {
    let mut names = Vec::new();
    for idx in 1..=level {
        let prefix = level_prefix(idx);
        for band in 1..(1usize << axis_count) {
            names.push(format!("{prefix}-{}", band_name(band, axis_count)));
        }
    }
    names.push(format!(
        "{}-{}",
        level_prefix(level),
        "L".repeat(axis_count)
    ));
    names
}

fn level_prefix(idx: u32) -> String {
    if idx == 1 {
        "wavelet".to_owned()
    } else {
        format!("wavelet{idx}")
    }
}

/// Sub-band `band` (bit `axis_count - 1 - j` set = high-pass along the j-th
/// axis), as PyRadiomics names it: `L`/`H` per axis, first axis first.
fn band_name(band: usize, axis_count: usize) -> String {
    (0..axis_count)
        .map(|j| {
            if band >> (axis_count - 1 - j) & 1 == 1 {
                'H'
            } else {
                'L'
            }
        })
        .collect()
}

/// Wavelet decompositions of the whole volume as PyRadiomics
/// `getWaveletImage` yields them: for each of `level` levels after
/// `start_level` discarded ones, the detail sub-bands in PyRadiomics' order,
/// then the last approximation, each named as [`wavelet_names`] lists and
/// on the input's grid. `axes` are numpy axes of the `[z, y, x]` array, in
/// transform order (see [`pyradiomics_wavelet_axes`]). The pixel type is
/// `f32` for `f32` images and `f64` otherwise, as PyWavelets computes.
pub fn wavelet_decompositions(
    volume: &Volume,
    wavelet: &str,
    start_level: u32,
    level: u32,
    axes: &[usize],
) -> Result<Vec<(String, Volume)>, FilterError> {
    let region = whole_region(volume, "wavelet")?;
    wavelet_decompositions_in(volume, wavelet, start_level, level, axes, &region)
}

/// The voxels of `region` of every image of [`wavelet_decompositions`] of
/// the whole volume, bit for bit, each on the region's grid (origin moved
/// to its first voxel), at a fraction of the cost for a small region.
///
/// An output `o` of PyWavelets' periodic convolution with `F` taps reads
/// only the inputs `o - (F - 1 - F/2) ..= o + F/2`, modulo the (padded)
/// axis length. So each level is computed only on the region widened by
/// the supports of the levels after it (wrapping round the axis where the
/// region nears a border, as the transform does), from the padded image
/// widened once more; every computed value gets PyWavelets' operations in
/// PyWavelets' order.
///
/// Fails as [`wavelet_decompositions`] does, and when the region does not
/// fit the volume.
pub fn wavelet_decompositions_in(
    volume: &Volume,
    wavelet: &str,
    start_level: u32,
    level: u32,
    axes: &[usize],
    region: &BoundingBox,
) -> Result<Vec<(String, Volume)>, FilterError> {
    let shape = require_region(volume, "wavelet", region)?;
    let bank = find_bank(wavelet)?;
    if level == 0 {
        return Err(FilterError::WaveletParameters {
            detail: "level must be at least 1".to_owned(),
        });
    }
    if axes.is_empty()
        || axes.iter().any(|&a| a > 2)
        || (1..axes.len()).any(|i| axes[..i].contains(&axes[i]))
    {
        return Err(FilterError::WaveletParameters {
            detail: format!("axes must be distinct numpy axes 0, 1 or 2, got {axes:?}"),
        });
    }
    let levels = Levels {
        start_level: start_level as usize,
        level,
        axes,
    };
    if volume.pixel_type == PixelType::F32 {
        let (lo, hi) = filters_f32(bank);
        Ok(decompose(volume, shape, region, lo, hi, &levels))
    } else {
        let (lo, hi) = filters_f64(bank);
        Ok(decompose(volume, shape, region, lo, hi, &levels))
    }
}

/// Which levels along which axes `_swt3` computes.
struct Levels<'a> {
    /// Levels transformed and discarded first.
    start_level: usize,
    /// Levels kept, at least 1.
    level: u32,
    /// Numpy axes, in transform order.
    axes: &'a [usize],
}

/// A level's values: the positions `windows[a]` along each axis `a` of the
/// padded volume, `[z, y, x]` order.
struct Part<T> {
    values: Vec<T>,
    windows: [Window; 3],
}

impl<T> Part<T> {
    fn shape(&self) -> [usize; 3] {
        self.windows.map(|w| w.len)
    }
}

fn decompose<T: Sample>(
    volume: &Volume,
    shape: [usize; 3],
    region: &BoundingBox,
    lo: Vec<T>,
    hi: Vec<T>,
    levels: &Levels<'_>,
) -> Vec<(String, Volume)> {
    let pixel_type = if std::mem::size_of::<T>() == 4 {
        PixelType::F32
    } else {
        PixelType::F64
    };
    let axes = levels.axes;
    let taps = lo.len();
    let padded = shape.map(|n| n + n % 2);
    // The positions each level must yield, last level first: the region,
    // then the region widened by the supports of the levels after it
    // (only along the transformed axes).
    let total = levels.start_level + levels.level as usize;
    let widen = |windows: [Window; 3]| -> [Window; 3] {
        let mut wider = windows;
        for &a in axes {
            wider[a] = windows[a].widened(taps, padded[a]);
        }
        wider
    };
    // Once a window is the whole axis it stays so: the list stops there,
    // however many levels are asked for.
    let mut from_last = vec![[0, 1, 2].map(|a| Window::of(region.range(a)))];
    while from_last.len() < total {
        let last = from_last[from_last.len() - 1];
        let wider = widen(last);
        if wider == last {
            break;
        }
        from_last.push(wider);
    }
    let widest = from_last[from_last.len() - 1];
    let target = |level: usize| -> [Window; 3] {
        from_last.get(total - 1 - level).copied().unwrap_or(widest)
    };
    let first_input = widen(target(0));

    // numpy.pad(..., 'wrap') by one voxel at the end of odd axes: padded
    // position p holds voxel p mod n.
    let source = voxels(volume);
    let input_shape = first_input.map(|w| w.len);
    let mut values = vec![T::default(); input_shape.iter().product()];
    let position = |w: Window, i: usize, a: usize| ((w.start + i) % padded[a]) % shape[a];
    values
        .par_chunks_mut(input_shape[1] * input_shape[2])
        .enumerate()
        .for_each(|(z, slab)| {
            let z = position(first_input[0], z, 0);
            for (y, row) in slab.chunks_exact_mut(input_shape[2]).enumerate() {
                let y = position(first_input[1], y, 1);
                let line =
                    &source[(z * shape[1] + y) * shape[2]..(z * shape[1] + y + 1) * shape[2]];
                for (x, v) in row.iter_mut().enumerate() {
                    *v = T::from_f64(line[position(first_input[2], x, 2)]);
                }
            }
        });
    let mut data = Part {
        values,
        windows: first_input,
    };

    // One pass along `axis` of the part `input`, keeping `target` there,
    // with the given filters.
    let pass =
        |input: &Part<T>, axis: usize, target: Window, filters: Vec<Vec<T>>| -> Vec<Part<T>> {
            let mut windows = input.windows;
            windows[axis] = target;
            let count = windows.iter().map(|w| w.len).product();
            let mut outputs: Vec<Vec<T>> =
                filters.iter().map(|_| vec![T::default(); count]).collect();
            let kernel = Periodic {
                filters,
                period: padded[axis],
                input: input.windows[axis],
            };
            let mut dsts: Vec<&mut [T]> = outputs.iter_mut().map(Vec::as_mut_slice).collect();
            along_axis_into(
                &input.values,
                &mut dsts,
                input.shape(),
                axis,
                target.start..target.start + target.len,
                |v| v,
                |v| v,
                &kernel,
            );
            outputs
                .into_iter()
                .map(|values| Part { values, windows })
                .collect()
        };
    // The region's voxels of a part, as f64 on the region's grid.
    let crop = |part: Part<T>| -> Volume {
        let size = region.size();
        let offsets: [usize; 3] = [0, 1, 2].map(|a| {
            part.windows[a]
                .offset(region.lower[a], padded[a])
                .unwrap_or_default()
        });
        let values = if part.shape() == size {
            T::into_f64s(part.values)
        } else {
            let [_, py, px] = part.shape();
            let mut out = vec![0.0; size.iter().product()];
            out.par_chunks_mut(size[1] * size[2])
                .enumerate()
                .for_each(|(z, slab)| {
                    for (y, row) in slab.chunks_exact_mut(size[2]).enumerate() {
                        let start = ((z + offsets[0]) * py + y + offsets[1]) * px + offsets[2];
                        for (v, t) in row.iter_mut().zip(&part.values[start..start + size[2]]) {
                            *v = t.to_f64();
                        }
                    }
                });
            out
        };
        derived_region(volume, region, values, pixel_type)
    };

    for level in 0..levels.start_level {
        let target = target(level);
        for &axis in axes {
            data = pass(&data, axis, target[axis], vec![lo.clone()]).swap_remove(0);
        }
    }
    let mut results = Vec::new();
    for (idx, level) in (1..=levels.level).zip(levels.start_level..) {
        let target = target(level);
        let prefix = level_prefix(idx);
        // Sub-bands in PyWavelets' order: band b's bits, high first axis
        // first, are the filters applied so far.
        let mut bands = vec![data];
        for (j, &axis) in axes.iter().enumerate() {
            let last = j + 1 == axes.len();
            let mut next = Vec::with_capacity(bands.len() * 2);
            for (b, band) in bands.into_iter().enumerate() {
                let mut split = pass(&band, axis, target[axis], vec![lo.clone(), hi.clone()]);
                drop(band);
                let detail = split.swap_remove(1);
                let approx = split.swap_remove(0);
                if last {
                    if b == 0 {
                        next.push(approx);
                    } else {
                        let name = format!("{prefix}-{}", band_name(2 * b, axes.len()));
                        results.push((name, crop(approx)));
                    }
                    let name = format!("{prefix}-{}", band_name(2 * b + 1, axes.len()));
                    results.push((name, crop(detail)));
                } else {
                    next.push(approx);
                    next.push(detail);
                }
            }
            bands = next;
        }
        data = bands.swap_remove(0);
    }
    let name = format!("{}-{}", level_prefix(levels.level), "L".repeat(axes.len()));
    results.push((name, crop(data)));
    results
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::imaging::filters::testing::{
        assert_region_of, assert_voxels, noise, shape_and_region, volume,
    };

    /// `((5x + 7y + 3z) mod 11) * 3 - 10`, array shape `[z, y, x] = [3, 4,
    /// 5]`: odd along z and x, so PyRadiomics pads both.
    /// For `f32` images the product is taken in single precision, as numpy
    /// multiplies a `float32` array by a `float32` scalar.
    fn input(pixel_type: PixelType, scale: f32) -> Volume {
        volume([3, 4, 5], [1.0; 3], pixel_type, |z, y, x| {
            let v = (((5 * x + 7 * y + 3 * z) % 11) * 3) as f32 - 10.0;
            f64::from(v * scale)
        })
    }

    fn band<'a>(out: &'a [(String, Volume)], name: &str) -> &'a Volume {
        &out.iter().find(|(n, _)| n == name).unwrap().1
    }

    #[test]
    fn matches_pyradiomics_and_pywavelets_voxel_for_voxel() {
        // PyRadiomics 3.1.4 getWaveletImage(wavelet="coif1", level=2) on the
        // int16 input (PyWavelets 1.8, float64 arithmetic).
        let out =
            wavelet_decompositions(&input(PixelType::I16, 1.0), "coif1", 0, 2, &[2, 1, 0]).unwrap();
        let names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, wavelet_names(2, 3));
        assert_eq!(names[0], "wavelet-LLH");
        assert_eq!(names[6], "wavelet-HHH");
        assert_eq!(names[14], "wavelet2-LLL");
        #[rustfmt::skip]
        let expected: [f64; 60] = [
            -8.792820461639518, -7.267986213061796, 5.631474404886078, 10.183279246174619,
            10.283842331655476, -15.363041809808463, -5.911154595689024,
            -7.8338937509397475, -10.765841159630673, -13.462346391392565,
            6.5621633096802565, 12.11275076909684, -1.367928755892314, -12.413936398133881,
            -5.4390777756204365, 13.132384657849194, 10.755919151724068, 12.097439399933512,
            8.535184007671411, 18.307110947427603, -0.7345758937577513, 9.951715548285678,
            3.194307499240902, -9.300695277229382, 2.0285352832515207, 3.8377213524212594,
            3.8701907245682468, 4.384983119229056, 1.762470367995834, 7.278921254312023,
            -4.642966881865928, -9.089322903822422, -2.844501749884309, 3.923152501605703,
            -1.1661426387882683, -9.215264128044941, -3.0077980801049886,
            -4.035177369872462, -7.1400131436195124, -6.416528609848772, 4.426154163928241,
            -2.909433692126958, -4.529111691857652, 1.188465365420259, -5.904114345557699,
            4.54792738576723, 0.2609949935238519, 0.8087314950745288, 3.7635562410769947,
            1.5493740318289257, -0.07417666840932874, 0.18598947965156254,
            2.3868863864235337, 3.1635121300986513, 3.1806701330823053,
            -0.19594989024831833, -2.9844392059992506, -2.9509568005086497,
            0.5884212544419183, -4.272818244304316,
        ];
        assert_voxels(band(&out, "wavelet-LLH"), &expected);
        #[rustfmt::skip]
        let expected: [f64; 60] = [
            9.657899118932338, -14.20785732640055, 16.95768320093373, -10.882890744887797,
            0.6609307218978397, 16.725934291645345, -6.377674178699046, -5.881052820365501,
            1.190675619988154, 0.17658163269677246, -14.143456880707316, 7.394807266021279,
            -5.036153930489599, 0.055167276591606446, 4.4206190174810125,
            -12.240376529870371, 13.190724239078314, -6.0404764500786206, 9.637047848308034,
            -5.258131372075624, -27.85367981543071, 20.226828338245074, -19.242164623069822,
            6.636827293416317, 7.164546124819397, 19.031266984405747, -24.766181477534225,
            33.73675870248345, -16.674819148428213, -3.8737161164070435, -17.47396336368104,
            12.108357105586139, -11.615787880627071, 3.401164561595571, 5.034127863802363,
            26.296376194706003, -7.569003966296994, -2.878806198786552, 6.63682729341632,
            -8.32495787221472, 12.966245996062167, -6.168148439112406, 4.314336597672267,
            0.7843711446902369, -4.754957078937492, -19.38848238317376, 18.28443037858058,
            -18.33065978794654, 9.834839617362933, 2.329877231025345, 17.25401198878225,
            -10.869964308145528, 9.49883435495304, -2.140548594453216, -5.126945548268102,
            -10.831775601670662, -1.246317631322643, 4.517488835321226, -8.47866216759995,
            7.552025396180249,
        ];
        assert_voxels(band(&out, "wavelet-HHH"), &expected);
        #[rustfmt::skip]
        let expected: [f64; 60] = [
            2.301770354481336, 9.123003493129128, 11.231250675931296, 9.562499659329132,
            3.541379374743756, -12.687825067152444, 1.4286438668114818, 9.606755718789033,
            7.546728817270792, 3.604921121116156, -2.301770354481317, -9.123003493129119,
            -11.231250675931296, -9.562499659329129, -3.5413793747437445,
            12.687825067152438, -1.4286438668114783, -9.606755718789024, -7.546728817270782,
            -3.6049211211161545, -8.115983390985523, 2.0796829275517705, 4.158001940030259,
            1.1496287400210214, -9.405669864236827, -8.242392458823659, 1.8059985555290488,
            3.151869513062125, -0.9194028603811883, -7.050791222182683, 8.115983390985537,
            -2.0796829275517625, -4.158001940030248, -1.149628740021016, 9.405669864236833,
            8.242392458823659, -1.8059985555290514, -3.1518695130621195, 0.9194028603811981,
            7.050791222182689, 4.986388867778859, 10.062506366269343, 12.301875425000311,
            11.669113433153122, 6.182918451331768, -16.49986824300832, -7.34029403776103,
            3.7798057489631645, 7.457070438142841, -1.9831999535505744, -4.986388867778856,
            -10.062506366269334, -12.3018754250003, -11.669113433153115, -6.182918451331762,
            16.49986824300833, 7.340294037761026, -3.779805748963158, -7.457070438142835,
            1.983199953550586,
        ];
        assert_voxels(band(&out, "wavelet2-LHL"), &expected);
        #[rustfmt::skip]
        let expected: [f64; 60] = [
            26.73280805509285, 44.13740587893043, 54.53131277895442, 46.60035802463798,
            41.04686338246858, 37.11886276776396, 33.585758518989834, 33.6933063842341,
            29.49112954803806, 33.90056288660867, 52.10845818939773, 41.28011814530748,
            35.31780134137637, 31.506900390096405, 33.83702114023627, 41.72240347672662,
            51.83176550524808, 56.15580773609669, 48.61612886669633, 40.98332163609618,
            33.63616521352399, 41.657260956195444, 46.06203140963006, 40.59215089708836,
            27.533651427717174, 49.99454106333317, 37.77157947311463, 38.752159956537675,
            40.36192501744853, 43.99011251413669, 50.120950131171305, 38.04526384513735,
            39.75829238350582, 42.43095661785074, 41.635233872082544, 33.76257428136211,
            41.93094532821816, 47.06816383659818, 42.66118249749057, 25.178772785663032,
            26.580877935617615, 34.382837366531184, 48.45561547304848, 50.170812701890675,
            34.47311169997511, 38.09435731084707, 31.66062503802287, 32.37393429908502,
            31.04462883059471, 30.27339320219392, 59.58061442163426, 49.063425442053244,
            40.89600397512216, 35.256671825605, 38.43951160707626, 48.06713504640479,
            51.78563777056156, 56.97768514908563, 54.38285569690095, 42.639230104857454,
        ];
        assert_voxels(band(&out, "wavelet2-LLL"), &expected);
        assert!(out.iter().all(|(_, v)| v.pixel_type == PixelType::F64));
    }

    #[test]
    fn float_images_use_single_precision_filters() {
        // Same pattern times float32(0.37) as a float32 image; coif2, whose
        // float filters PyWavelets scales in single precision.
        let out = wavelet_decompositions(&input(PixelType::F32, 0.37), "coif2", 0, 1, &[2, 1, 0])
            .unwrap();
        #[rustfmt::skip]
        let expected: [f32; 60] = [
            -0.66332334, 1.9208866, -1.89535, 0.7993793, 1.1882528, -5.7381935, 10.070526,
            -6.9736543, 1.2022406, 2.112438, -4.0558705, 4.671346, -2.8570478, 0.24014452,
            -0.35473692, 1.0189999, -3.4782922, 2.221256, -0.1627168, -1.2789221, 3.5602422,
            -4.593257, 3.1161692, -0.534543, -0.21942326, 6.339713, -8.070524, 5.9275312,
            -1.4200848, -0.6996951, 1.7112447, -2.7704744, 2.1924086, -0.6266378,
            -0.7116399, -1.068225, 0.70679164, -0.6189536, 0.2589041, -0.23136799,
            4.1519284, -4.9495215, 3.131524, -0.35590678, 0.18266004, 5.651539, -6.137344,
            4.6692843, -1.2976996, -0.058387935, 0.567264, -1.642713, 1.6208745, -0.683617,
            -1.0161757, -0.93234444, -0.45488974, 0.08311469, 0.2581757, -0.77512753,
        ];
        let hlh = band(&out, "wavelet-HLH");
        assert_eq!(hlh.pixel_type, PixelType::F32);
        assert_voxels(hlh, &expected.map(f64::from));
    }

    #[test]
    fn force_2d_drops_an_axis() {
        // force2D with force2Ddimension 0: axes (2, 1); bior2.2.
        let axes = pyradiomics_wavelet_axes(true, 0).unwrap();
        assert_eq!(axes, [2, 1]);
        let out =
            wavelet_decompositions(&input(PixelType::I16, 1.0), "bior2.2", 0, 1, &axes).unwrap();
        let names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["wavelet-LH", "wavelet-HL", "wavelet-HH", "wavelet-LL"]
        );
        #[rustfmt::skip]
        let expected: [f64; 60] = [
            12.375000000000002, -24.75, 24.75, -21.0, 9.375, 4.125, -8.249999999999996,
            8.249999999999996, -4.5, 1.1250000000000004, -4.124999999999996, 8.25, -8.25,
            12.0, -7.125, 4.125, -8.249999999999996, 8.25, -4.5, 1.1250000000000004,
            -16.499999999999996, 12.375, -8.25, 7.875, -2.9999999999999996, 16.5,
            -12.374999999999996, 8.25, -0.3749999999999991, -3.0, 16.499999999999996,
            -4.125, -8.249999999999996, 7.875, -3.0, -16.5, 20.625, -24.75, 16.125, -3.0,
            -3.9968028886505635e-15, 12.375000000000002, -24.75, 16.125, -3.0,
            8.881784197001252e-16, 4.125, -8.249999999999996, 7.875, -3.0,
            -8.881784197001252e-16, -4.124999999999996, 8.25, -0.3749999999999991, -3.0,
            3.1086244689504383e-15, 4.125, -8.249999999999996, 7.875, -3.0,
        ];
        assert_voxels(band(&out, "wavelet-HL"), &expected);
        #[rustfmt::skip]
        let expected: [f64; 60] = [
            -9.874999999999996, 10.749999999999998, 25.937499999999993, 14.875,
            21.437499999999996, -1.6250000000000044, 2.500000000000001, 5.312499999999998,
            -1.6249999999999976, 0.8124999999999991, 24.625, 12.249999999999998,
            2.687500000000002, -0.12500000000000266, -1.8124999999999978,
            16.374999999999996, 20.5, 23.3125, 16.375, 18.8125, 12.25, 22.5625, 8.875,
            -0.12500000000000266, -3.8749999999999982, 28.749999999999996,
            10.187499999999998, 17.125, 16.375, 20.875, 13.749999999999998,
            -8.937499999999998, 10.375, 26.124999999999996, 14.125, -2.749999999999999,
            3.4374999999999964, 2.1249999999999996, 9.624999999999998, -10.624999999999998,
            5.499999999999998, -4.812499999999999, 10.375, 30.249999999999996, 5.875, 5.5,
            -0.6875000000000013, 2.125, 5.499999999999999, -2.374999999999999,
            23.499999999999996, 21.4375, 11.874999999999996, -1.25, 7.374999999999995,
            23.499999999999996, 17.312499999999993, 20.125, 23.5, 15.625,
        ];
        assert_voxels(band(&out, "wavelet-LL"), &expected);
    }

    #[test]
    fn start_level_skips_levels_and_keeps_the_names() {
        let img = input(PixelType::I16, 1.0);
        let two = wavelet_decompositions(&img, "haar", 0, 2, &[2, 1, 0]).unwrap();
        let skipped = wavelet_decompositions(&img, "haar", 1, 1, &[2, 1, 0]).unwrap();
        assert_eq!(skipped[0].0, "wavelet-LLH");
        assert_eq!(skipped[0].1, band(&two, "wavelet2-LLH").clone());
        assert_eq!(skipped[7].1, band(&two, "wavelet2-LLL").clone());
    }

    #[test]
    fn bad_parameters_are_refused() {
        let img = input(PixelType::I16, 1.0);
        let err = wavelet_decompositions(&img, "coif99", 0, 1, &[2, 1, 0]).unwrap_err();
        assert!(
            err.to_string().contains("unknown wavelet \"coif99\""),
            "{err}"
        );
        for (level, axes) in [
            (0, vec![2, 1, 0]),
            (1, vec![]),
            (1, vec![2, 2]),
            (1, vec![3]),
        ] {
            assert!(matches!(
                wavelet_decompositions(&img, "haar", 0, level, &axes),
                Err(FilterError::WaveletParameters { .. })
            ));
        }
        assert!(pyradiomics_wavelet_axes(true, 3).is_err());
        assert_eq!(pyradiomics_wavelet_axes(false, 7).unwrap(), [2, 1, 0]);
    }

    #[test]
    fn every_table_entry_is_a_wavelet() {
        for bank in BANKS {
            let (lo, hi) = filters_f64(bank);
            assert_eq!(lo.len(), hi.len(), "{}", bank.name);
            assert!(lo.len() % 2 == 0, "{}", bank.name);
            // Low-pass gain sqrt(2), high-pass gain 0 (the discrete Meyer
            // filters only approximately).
            let gain: f64 = lo.iter().sum();
            assert!((gain - 2f64.sqrt()).abs() < 1e-2, "{} {gain}", bank.name);
            assert!(hi.iter().sum::<f64>().abs() < 1e-2, "{}", bank.name);
            let (lo32, hi32) = filters_f32(bank);
            for (a, b) in lo32.iter().zip(&lo).chain(hi32.iter().zip(&hi)) {
                assert!(
                    (f64::from(*a) - b).abs() <= 1e-7 * b.abs().max(1e-3),
                    "{}",
                    bank.name
                );
            }
        }
        for name in crate::radiomics::settings::WAVELETS {
            assert!(find_bank(name).is_ok(), "{name}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Every sub-band of a constant image is the constant times the
        /// gains (sums) of the filters applied along the three axes: the
        /// approximation `c·(Σ lo)³`, details about 0 (exactly 0 only for
        /// filters whose high-pass sum is).
        #[test]
        fn constant_images_keep_only_the_approximation(
            value in -3000i32..3000,
            which in 0usize..6,
            shape in (1usize..6, 1usize..6, 1usize..6),
        ) {
            let name = ["haar", "db4", "sym5", "coif1", "bior3.5", "dmey"][which];
            let img = volume([shape.0, shape.1, shape.2], [1.0; 3], PixelType::I16,
                |_, _, _| f64::from(value));
            let out = wavelet_decompositions(&img, name, 0, 1, &[2, 1, 0]).unwrap();
            let (lo, hi) = filters_f64(find_bank(name).unwrap());
            let (low, high): (f64, f64) = (lo.iter().sum(), hi.iter().sum());
            let tolerance = 1e-9 * f64::from(value.abs()).max(1.0);
            for (band, image) in &out {
                let target = band["wavelet-".len()..]
                    .chars()
                    .fold(f64::from(value), |acc, c| acc * if c == 'L' { low } else { high });
                for v in image.data.iter() {
                    prop_assert!((v - target).abs() <= tolerance, "{} {} {}", band, v, target);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any region of every sub-band, at every level, of any wavelet is
        /// the whole-volume sub-band cropped, to the last bit: odd and even
        /// sizes, regions at the borders (whose supports wrap round the
        /// padded axis), single-voxel slabs, 2D and reordered axes.
        #[test]
        fn a_region_is_the_whole_image_cropped_bit_for_bit(
            (shape, region) in shape_and_region(1, 11),
            seed in any::<u64>(),
            kind in 0usize..3,
            which in 0usize..7,
            start_level in 0u32..2,
            level in 1u32..3,
            axes in 0usize..5,
        ) {
            let pixel_type = [PixelType::I16, PixelType::F32, PixelType::F64][kind];
            let name = ["haar", "db4", "sym5", "coif1", "bior3.5", "coif3", "dmey"][which];
            let axes: &[usize] = [&[2, 1, 0][..], &[2, 1], &[0, 2], &[1], &[0, 1, 2]][axes];
            let img = noise(shape, [1.0; 3], pixel_type, seed);
            let whole = wavelet_decompositions(&img, name, start_level, level, axes).unwrap();
            let parts =
                wavelet_decompositions_in(&img, name, start_level, level, axes, &region).unwrap();
            prop_assert_eq!(parts.len(), whole.len());
            for ((name, part), (whole_name, image)) in parts.iter().zip(&whole) {
                prop_assert_eq!(name, whole_name);
                assert_region_of(part, image, &region);
            }
        }
    }

    #[test]
    fn a_roi_sized_region_of_a_larger_image_is_exact() {
        // Odd sizes, several blocks of lanes, a region at the upper x border.
        let img = noise([25, 48, 71], [1.0; 3], PixelType::I16, 3);
        let region = BoundingBox {
            lower: [11, 20, 50],
            upper: [17, 41, 70],
        };
        let whole = wavelet_decompositions(&img, "coif1", 0, 2, &[2, 1, 0]).unwrap();
        let parts = wavelet_decompositions_in(&img, "coif1", 0, 2, &[2, 1, 0], &region).unwrap();
        for ((_, part), (_, image)) in parts.iter().zip(&whole) {
            assert_region_of(part, image, &region);
        }
    }

    #[test]
    fn windows_grow_by_the_support_and_wrap() {
        // coif1 has 6 taps: output o reads o - 2 ..= o + 3.
        let w = Window::of(0..3).widened(6, 10);
        assert_eq!(w, Window { start: 8, len: 8 });
        assert_eq!(w.offset(9, 10), Some(1));
        assert_eq!(w.offset(5, 10), Some(7));
        assert_eq!(w.offset(6, 10), None);
        assert_eq!(
            Window::of(2..9).widened(6, 10),
            Window { start: 0, len: 10 }
        );
        assert_eq!(Window::of(0..1).widened(62, 4), Window { start: 0, len: 4 });
        let img = input(PixelType::I16, 1.0);
        let outside = BoundingBox {
            lower: [0, 0, 0],
            upper: [3, 0, 0],
        };
        assert!(matches!(
            wavelet_decompositions_in(&img, "haar", 0, 1, &[2, 1, 0], &outside),
            Err(FilterError::RegionOutside { .. })
        ));
    }
}
