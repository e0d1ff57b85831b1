//! Volumes in memory: voxel values in SimpleITK's array order, with the grid
//! they sit on and the pixel type they were stored as.

use std::path::Path;

use ndarray::Array3;
use nifti::NiftiType;

use super::nifti_io::read_raw;
use super::{Geometry, ImagingError};

/// The voxel type an image was stored with. Values are always held as
/// `f64`; the type is kept because PyRadiomics (through SimpleITK) casts
/// some results back to it, e.g. after resampling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelType {
    /// Unsigned 8-bit integer.
    U8,
    /// Signed 8-bit integer.
    I8,
    /// Unsigned 16-bit integer.
    U16,
    /// Signed 16-bit integer.
    I16,
    /// Unsigned 32-bit integer.
    U32,
    /// Signed 32-bit integer.
    I32,
    /// Unsigned 64-bit integer.
    U64,
    /// Signed 64-bit integer.
    I64,
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
}

impl PixelType {
    /// Whether values of this type are whole numbers.
    pub fn is_integer(self) -> bool {
        !matches!(self, PixelType::F32 | PixelType::F64)
    }

    /// The smallest and largest value of the type.
    pub fn range(self) -> (f64, f64) {
        match self {
            PixelType::U8 => (0.0, f64::from(u8::MAX)),
            PixelType::I8 => (f64::from(i8::MIN), f64::from(i8::MAX)),
            PixelType::U16 => (0.0, f64::from(u16::MAX)),
            PixelType::I16 => (f64::from(i16::MIN), f64::from(i16::MAX)),
            PixelType::U32 => (0.0, f64::from(u32::MAX)),
            PixelType::I32 => (f64::from(i32::MIN), f64::from(i32::MAX)),
            PixelType::U64 => (0.0, u64::MAX as f64),
            PixelType::I64 => (i64::MIN as f64, i64::MAX as f64),
            PixelType::F32 => (f64::from(f32::MIN), f64::from(f32::MAX)),
            PixelType::F64 => (f64::MIN, f64::MAX),
        }
    }

    /// A value cast to this type as ITK's `static_cast` after bounds
    /// clamping does (`ResampleImageFilter`, `CastImageFilter`): clamped to
    /// the type's range, then truncated toward zero for integers, rounded to
    /// the nearest `f32` for single precision.
    pub fn cast(self, value: f64) -> f64 {
        let (low, high) = self.range();
        let clamped = value.clamp(low, high);
        match self {
            PixelType::F64 => value,
            PixelType::F32 => f64::from(clamped as f32),
            _ => clamped.trunc(),
        }
    }
}

/// A scalar volume. `data` is indexed `[z, y, x]` with x varying fastest —
/// the order of SimpleITK's `GetArrayFromImage` and of the voxels in a NIfTI
/// file — while `geometry` lists sizes and spacings in (x, y, z) order.
#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    /// Voxel values, `[z, y, x]`.
    pub data: Array3<f64>,
    /// The grid, (x, y, z).
    pub geometry: Geometry,
    /// The stored voxel type.
    pub pixel_type: PixelType,
}

impl Volume {
    /// Voxel spacing (x, y, z) in mm.
    pub fn spacing(&self) -> [f64; 3] {
        self.geometry.spacing
    }

    /// Writes the volume as 32-bit floats (NIfTI-1, gzip-compressed when the
    /// name ends in `.gz`), complete or not at all.
    pub fn write_f32(&self, path: &Path) -> Result<(), ImagingError> {
        // The writer takes (x, y, z) arrays; ours are (z, y, x).
        let xyz = self.data.mapv(|v| v as f32).reversed_axes();
        super::write_volume(path, &xyz, &self.geometry)
    }
}

/// Mean, minimum and maximum of a volume's voxels, summed in blocks of
/// [`Statistics::BLOCK`] values with four running lanes each: a diagnostic,
/// fast on any size, and the same whether the voxels come from memory or
/// straight from a file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Statistics {
    total: f64,
    count: usize,
    /// The smallest value.
    pub minimum: f64,
    /// The largest value.
    pub maximum: f64,
}

impl Default for Statistics {
    fn default() -> Self {
        Statistics {
            total: 0.0,
            count: 0,
            minimum: f64::INFINITY,
            maximum: f64::NEG_INFINITY,
        }
    }
}

impl Statistics {
    /// Values summed per block.
    pub const BLOCK: usize = 8192;

    /// The statistics of a volume in memory.
    pub fn of(data: &Array3<f64>) -> Statistics {
        let mut statistics = Statistics::default();
        match data.as_slice() {
            Some(values) => values
                .chunks(Self::BLOCK)
                .for_each(|block| statistics.add_block(block)),
            None => {
                let values: Vec<f64> = data.iter().copied().collect();
                values
                    .chunks(Self::BLOCK)
                    .for_each(|block| statistics.add_block(block));
            }
        }
        statistics
    }

    fn add_block(&mut self, block: &[f64]) {
        // Four independent lanes, so the loop vectorises.
        let mut sum = [0.0; 4];
        let mut low = [f64::INFINITY; 4];
        let mut high = [f64::NEG_INFINITY; 4];
        let chunks = block.chunks_exact(4);
        let rest = chunks.remainder();
        for chunk in chunks {
            for lane in 0..4 {
                let v = chunk[lane];
                sum[lane] += v;
                low[lane] = if v < low[lane] { v } else { low[lane] };
                high[lane] = if v > high[lane] { v } else { high[lane] };
            }
        }
        for (lane, &v) in rest.iter().enumerate() {
            sum[lane] += v;
            low[lane] = if v < low[lane] { v } else { low[lane] };
            high[lane] = if v > high[lane] { v } else { high[lane] };
        }
        self.total += (sum[0] + sum[1]) + (sum[2] + sum[3]);
        self.count += block.len();
        self.minimum = low.into_iter().fold(self.minimum, f64::min);
        self.maximum = high.into_iter().fold(self.maximum, f64::max);
    }

    /// The mean value.
    pub fn mean(&self) -> f64 {
        self.total / self.count.max(1) as f64
    }
}

/// A volume read from a file, with the checksum of the file.
#[derive(Debug, Clone)]
pub struct LoadedVolume {
    /// The volume.
    pub volume: Volume,
    /// SHA-256 of the file as stored, lowercase hex.
    pub sha256: String,
}

/// Reads a NIfTI-1 volume whole (see [`NiftiImage`]).
pub fn read_volume(path: &Path) -> Result<LoadedVolume, ImagingError> {
    let image = NiftiImage::read(path)?;
    Ok(LoadedVolume {
        volume: image.volume()?,
        sha256: image.sha256().to_owned(),
    })
}

/// A NIfTI-1 file decoded but not yet converted: the voxels stay as stored
/// until a region of them is asked for, so a small ROI in a large image
/// costs only the decompression, not a 64-bit copy of every voxel.
///
/// Values come out as `f64`, with `scl_slope`/`scl_inter` applied when they
/// scale (slope neither 0 nor the identity), which, as in ITK, makes the
/// pixel type `f32` for integer data. NaN and infinite voxels are refused
/// wherever they are read.
#[derive(Debug, Clone)]
pub struct NiftiImage {
    path: std::path::PathBuf,
    raw: super::nifti_io::RawNifti,
    stored: PixelType,
    pixel_type: PixelType,
    little_endian: bool,
    scale: Option<(f64, f64)>,
}

impl NiftiImage {
    /// Reads and checks a file (see [`super::read_header`] for the checks).
    pub fn read(path: &Path) -> Result<NiftiImage, ImagingError> {
        let raw = read_raw(path)?;
        let stored = match raw.data_type {
            NiftiType::Uint8 => PixelType::U8,
            NiftiType::Int8 => PixelType::I8,
            NiftiType::Uint16 => PixelType::U16,
            NiftiType::Int16 => PixelType::I16,
            NiftiType::Uint32 => PixelType::U32,
            NiftiType::Int32 => PixelType::I32,
            NiftiType::Uint64 => PixelType::U64,
            NiftiType::Int64 => PixelType::I64,
            NiftiType::Float32 => PixelType::F32,
            NiftiType::Float64 => PixelType::F64,
            other => {
                return Err(ImagingError::InvalidHeader {
                    path: path.to_owned(),
                    field: "datatype",
                    value: format!("{other:?} (radcohort reads integer and real scalar volumes)"),
                });
            }
        };
        let slope = f64::from(raw.header.scl_slope);
        let intercept = f64::from(raw.header.scl_inter);
        let scaled = slope != 0.0 && slope.is_finite() && !(slope == 1.0 && intercept == 0.0);
        let pixel_type = match (scaled, stored) {
            (false, stored) => stored,
            (true, PixelType::F64) => PixelType::F64,
            (true, _) => PixelType::F32,
        };
        Ok(NiftiImage {
            path: path.to_owned(),
            little_endian: raw.header.endianness == nifti::Endianness::Little,
            scale: scaled.then_some((slope, intercept)),
            raw,
            stored,
            pixel_type,
        })
    }

    /// The grid.
    pub fn geometry(&self) -> &Geometry {
        &self.raw.geometry
    }

    /// The pixel type of the values (after scaling).
    pub fn pixel_type(&self) -> PixelType {
        self.pixel_type
    }

    /// SHA-256 of the file as stored, lowercase hex.
    pub fn sha256(&self) -> &str {
        self.raw.sha256()
    }

    /// The array shape, `[z, y, x]`.
    pub fn shape(&self) -> [usize; 3] {
        let [nx, ny, nz] = self.geometry().dims;
        [nz, ny, nx]
    }

    /// Appends the values of whole stored voxels in `bytes` to `out`: one
    /// tight loop per stored type, scaling applied.
    fn decode(&self, bytes: &[u8], out: &mut Vec<f64>) {
        let before = out.len();
        let little = self.little_endian;
        macro_rules! run {
            ($t:ty, $n:literal, $convert:expr) => {{
                // One loop per byte order, so the branch is not taken per voxel.
                let words = bytes
                    .chunks_exact($n)
                    .map(|chunk| <[u8; $n]>::try_from(chunk).unwrap_or([0; $n]));
                if little {
                    out.extend(words.map(|word| $convert(<$t>::from_le_bytes(word))))
                } else {
                    out.extend(words.map(|word| $convert(<$t>::from_be_bytes(word))))
                }
            }};
        }
        match self.stored {
            PixelType::U8 => out.extend(bytes.iter().map(|&b| f64::from(b))),
            PixelType::I8 => out.extend(bytes.iter().map(|&b| f64::from(b as i8))),
            PixelType::U16 => run!(u16, 2, f64::from),
            PixelType::I16 => run!(i16, 2, f64::from),
            PixelType::U32 => run!(u32, 4, f64::from),
            PixelType::I32 => run!(i32, 4, f64::from),
            PixelType::U64 => run!(u64, 8, |v: u64| v as f64),
            PixelType::I64 => run!(i64, 8, |v: i64| v as f64),
            PixelType::F32 => run!(f32, 4, f64::from),
            PixelType::F64 => run!(f64, 8, |v: f64| v),
        }
        if let Some((slope, intercept)) = self.scale {
            for v in &mut out[before..] {
                *v = *v * slope + intercept;
            }
        }
    }

    /// Whether the stored values are integers of at most 16 bits, unscaled:
    /// their statistics can then be summed exactly as integers.
    fn small_integers(&self) -> bool {
        self.scale.is_none()
            && matches!(
                self.stored,
                PixelType::U8 | PixelType::I8 | PixelType::U16 | PixelType::I16
            )
    }

    /// How to read stored words as integers, when they are unscaled
    /// integers of at most 32 bits (exact as f64).
    fn whole_numbers(&self) -> Option<WholeNumbers> {
        if self.scale.is_some() {
            return None;
        }
        let signed = matches!(self.stored, PixelType::I8 | PixelType::I16 | PixelType::I32);
        let unsigned = matches!(self.stored, PixelType::U8 | PixelType::U16 | PixelType::U32);
        (signed || unsigned).then_some(WholeNumbers {
            signed,
            little: self.little_endian,
        })
    }

    /// Streams every voxel's value in array order to `visit(first, values)`,
    /// `first` being the flat index of `values[0]`, a cache-sized run at a
    /// time. The whole file is read, so truncation is always found.
    fn stream(&self, mut visit: impl FnMut(usize, &[f64])) -> Result<(), ImagingError> {
        let width = self.raw.voxel_width().max(1);
        let mut values = Vec::new();
        let mut first = 0;
        self.raw.stream_voxels(|bytes| {
            values.clear();
            self.decode(bytes, &mut values);
            visit(first, &values);
            first += bytes.len() / width;
        })
    }

    /// Refuses NaN and infinite values among `values`, the voxels of the box
    /// starting at `lower` with `shape` (both `[z, y, x]`).
    fn check_finite(
        &self,
        values: &[f64],
        lower: [usize; 3],
        shape: [usize; 3],
    ) -> Result<(), ImagingError> {
        let Some(index) = values.iter().position(|v| !v.is_finite()) else {
            return Ok(());
        };
        let count = values.iter().filter(|v| !v.is_finite()).count();
        let (x, y, z) = (
            index % shape[2],
            (index / shape[2]) % shape[1],
            index / (shape[2] * shape[1]),
        );
        Err(ImagingError::NonFinite {
            path: self.path.clone(),
            count,
            first: [lower[2] + x, lower[1] + y, lower[0] + z],
        })
    }

    /// The whole volume.
    pub fn volume(&self) -> Result<Volume, ImagingError> {
        let shape = self.shape();
        Ok(self
            .region([0, 0, 0], [shape[0] - 1, shape[1] - 1, shape[2] - 1], false)?
            .0)
    }

    /// The voxels from `lower` to `upper` inclusive (`[z, y, x]` indices)
    /// as a volume whose origin moves with the box, and, when asked, the
    /// [`Statistics`] of the whole image — all in one pass through the file.
    pub fn region(
        &self,
        lower: [usize; 3],
        upper: [usize; 3],
        with_statistics: bool,
    ) -> Result<(Volume, Option<Statistics>), ImagingError> {
        let full = self.shape();
        let upper = [0, 1, 2].map(|a| upper[a].min(full[a] - 1));
        let lower = [0, 1, 2].map(|a| lower[a].min(upper[a]));
        let shape = [0, 1, 2].map(|a| upper[a] + 1 - lower[a]);
        let whole = shape == full;
        let mut values = Vec::with_capacity(shape.iter().product());
        let mut statistics = with_statistics.then(StatisticsBuilder::default);
        // Small whole numbers are summed exactly as integers, which gives
        // the very statistics the f64 blocks give (see `SmallIntegers`)
        // without converting the voxels outside the box.
        let mut integers = if self.small_integers() {
            statistics.take().map(|_| SmallIntegers::default())
        } else {
            None
        };
        let direct = integers.is_some() || statistics.is_none();
        // The box is a sequence of runs of `shape[2]` voxels, one per row.
        let row_start = |row: usize| {
            let (z, y) = (lower[0] + row / shape[1], lower[1] + row % shape[1]);
            (z * full[1] + y) * full[2] + lower[2]
        };
        let rows = shape[0] * shape[1];
        let mut row = 0;
        let width = self.raw.voxel_width().max(1);
        let mut first = 0;
        let mut decoded = Vec::new();
        self.raw.stream_voxels(|bytes| {
            let count = bytes.len() / width;
            if let Some(integers) = &mut integers {
                integers.add(self.stored, self.little_endian, bytes);
            }
            if !direct {
                decoded.clear();
                self.decode(bytes, &mut decoded);
                if let Some(statistics) = &mut statistics {
                    statistics.add(&decoded);
                }
            }
            // Appends the values of voxels `from..to` (flat indices in
            // this run) to the box.
            let take = |values: &mut Vec<f64>, from: usize, to: usize| {
                if direct {
                    self.decode(&bytes[(from - first) * width..(to - first) * width], values);
                } else {
                    values.extend_from_slice(&decoded[from - first..to - first]);
                }
            };
            let last = first + count;
            if whole {
                take(&mut values, first, last);
                first = last;
                return;
            }
            while row < rows {
                let start = row_start(row);
                let end = start + shape[2];
                // The part of this row that has been decoded so far and not
                // copied yet.
                let copied = values.len() - row * shape[2];
                let from = (start + copied).max(first);
                let to = end.min(last);
                if from < to {
                    take(&mut values, from, to);
                }
                if end <= last {
                    row += 1;
                } else {
                    break;
                }
            }
            first = last;
        })?;
        self.check_finite(&values, lower, shape)?;
        let data =
            Array3::from_shape_vec((shape[0], shape[1], shape[2]), values).map_err(|_| {
                ImagingError::Truncated {
                    path: self.path.clone(),
                    detail: "fewer voxels than the header's dimensions".to_owned(),
                }
            })?;
        let volume = Volume {
            data,
            geometry: self.geometry().region(lower, shape),
            pixel_type: self.pixel_type,
        };
        let statistics = match integers {
            Some(integers) => Some(integers.finish()),
            None => statistics.map(StatisticsBuilder::finish),
        };
        Ok((volume, statistics))
    }

    /// The flat indices (`[z, y, x]` order) of the voxels that, cast to a
    /// whole number as PyRadiomics casts masks (truncation), equal `label`,
    /// in one pass through the file without converting the volume.
    pub fn label_voxels(&self, label: u32) -> Result<Vec<usize>, ImagingError> {
        let wanted = f64::from(label);
        let mut found = Vec::new();
        if let Some(whole) = self.whole_numbers() {
            // Integers up to 32 bits convert to f64 exactly, so the cast
            // PyRadiomics makes leaves them as they are: compare the stored
            // words themselves, and skip runs of zero bytes (the background
            // of a mask) a block at a time.
            const BLOCK: usize = 256;
            let width = self.raw.voxel_width();
            let mut first = 0;
            self.raw.stream_voxels(|bytes| {
                for (b, block) in bytes.chunks(BLOCK * width).enumerate() {
                    if label != 0 && block.iter().fold(0u8, |any, &byte| any | byte) == 0 {
                        continue;
                    }
                    let start = first + b * BLOCK;
                    for (offset, word) in block.chunks_exact(width).enumerate() {
                        if whole.read(word) == i64::from(label) {
                            found.push(start + offset);
                        }
                    }
                }
                first += bytes.len() / width;
            })?;
            return Ok(found);
        }
        self.stream(|first, chunk| {
            for (offset, &v) in chunk.iter().enumerate() {
                if v >= wanted && v < wanted + 1.0 {
                    found.push(first + offset);
                }
            }
        })?;
        Ok(found)
    }

    /// Mean, minimum and maximum of every voxel ([`Statistics`]), in one
    /// pass through the file.
    pub fn statistics(&self) -> Result<Statistics, ImagingError> {
        let mut statistics = StatisticsBuilder::default();
        self.stream(|_, chunk| statistics.add(chunk))?;
        Ok(statistics.finish())
    }
}

/// Reads one stored integer word (1, 2 or 4 bytes) of a given signedness
/// and byte order.
#[derive(Debug, Clone, Copy)]
struct WholeNumbers {
    signed: bool,
    little: bool,
}

impl WholeNumbers {
    fn read(self, word: &[u8]) -> i64 {
        let mut bytes = [0u8; 4];
        let n = word.len().min(4);
        if self.little {
            bytes[..n].copy_from_slice(&word[..n]);
        } else {
            for (i, &b) in word[..n].iter().rev().enumerate() {
                bytes[i] = b;
            }
        }
        let unsigned = u32::from_le_bytes(bytes);
        if self.signed {
            // Sign-extend from the word's width.
            let shift = 32 - 8 * n as u32;
            i64::from(((unsigned << shift) as i32) >> shift)
        } else {
            i64::from(unsigned)
        }
    }
}

/// [`Statistics`] of unscaled integers of at most 16 bits, kept as
/// integers. Every partial sum of such values (at most 2¹⁶ · 2³⁰ = 2⁴⁶ in
/// magnitude, [`MAX_VOXELS`](super::nifti_io::MAX_VOXELS) being 2³⁰) is
/// exact in f64, so the f64 block sums of [`Statistics::add_block`] are
/// exact too, in any order: the integer total converted once is the same
/// number, and so are the minimum and maximum.
#[derive(Debug, Clone, Copy)]
struct SmallIntegers {
    total: i64,
    count: usize,
    minimum: i32,
    maximum: i32,
}

impl Default for SmallIntegers {
    fn default() -> Self {
        SmallIntegers {
            total: 0,
            count: 0,
            minimum: i32::MAX,
            maximum: i32::MIN,
        }
    }
}

impl SmallIntegers {
    /// Adds whole stored words of type `stored` (8 or 16 bits).
    fn add(&mut self, stored: PixelType, little: bool, bytes: &[u8]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2, checked just above.
            unsafe { self.add_avx2(stored, little, bytes) };
            return;
        }
        self.add_any(stored, little, bytes);
    }

    /// [`SmallIntegers::add_any`] compiled for AVX2 (integer sums, minima
    /// and maxima: the same in any instruction set).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn add_avx2(&mut self, stored: PixelType, little: bool, bytes: &[u8]) {
        self.add_any(stored, little, bytes);
    }

    #[inline(always)]
    fn add_any(&mut self, stored: PixelType, little: bool, bytes: &[u8]) {
        // One loop per case, so each vectorises without a branch per voxel.
        match (stored, little) {
            (PixelType::U8, _) => self.add_words(bytes, |[b]: [u8; 1]| b),
            (PixelType::I8, _) => self.add_words(bytes, |[b]: [u8; 1]| b as i8),
            (PixelType::I16, true) => self.add_words(bytes, i16::from_le_bytes),
            (PixelType::I16, false) => self.add_words(bytes, i16::from_be_bytes),
            (PixelType::U16, true) => self.add_words(bytes, u16::from_le_bytes),
            (PixelType::U16, false) => self.add_words(bytes, u16::from_be_bytes),
            _ => unreachable!("SmallIntegers holds 8- and 16-bit integers only"),
        }
    }

    /// Adds words converted by `convert`; minima and maxima are kept in the
    /// stored type itself, which the vector units compare natively.
    #[inline(always)]
    fn add_words<const N: usize, T>(&mut self, bytes: &[u8], convert: impl Fn([u8; N]) -> T)
    where
        T: Copy + Ord + Into<i32>,
    {
        // Sixteen lanes of i32 sums over at most 2¹¹ values of at most 2¹⁶
        // in magnitude each cannot overflow.
        const LANES: usize = 16;
        const PER_LANE: usize = 1 << 11;
        let word = |bytes: &[u8]| convert(<[u8; N]>::try_from(bytes).unwrap_or([0; N]));
        for block in bytes.chunks(N * LANES * PER_LANE) {
            let Some(first) = block.get(..N).map(word) else {
                continue;
            };
            let mut sum = [0i32; LANES];
            let mut low = [first; LANES];
            let mut high = [first; LANES];
            let groups = block.chunks_exact(N * LANES);
            let rest = groups.remainder();
            for group in groups {
                for lane in 0..LANES {
                    let v = word(&group[lane * N..(lane + 1) * N]);
                    sum[lane] += v.into();
                    low[lane] = low[lane].min(v);
                    high[lane] = high[lane].max(v);
                }
            }
            for bytes in rest.chunks_exact(N) {
                let v = word(bytes);
                sum[0] += v.into();
                low[0] = low[0].min(v);
                high[0] = high[0].max(v);
            }
            self.total += sum.iter().map(|&s| i64::from(s)).sum::<i64>();
            self.count += block.len() / N;
            self.minimum = low.into_iter().map(Into::into).fold(self.minimum, i32::min);
            self.maximum = high
                .into_iter()
                .map(Into::into)
                .fold(self.maximum, i32::max);
        }
    }

    fn finish(self) -> Statistics {
        if self.count == 0 {
            return Statistics::default();
        }
        Statistics {
            total: self.total as f64,
            count: self.count,
            minimum: f64::from(self.minimum),
            maximum: f64::from(self.maximum),
        }
    }
}

/// Feeds values arriving in runs of any length to [`Statistics`] in its
/// fixed blocks, so the sums do not depend on how the file was read.
#[derive(Default)]
struct StatisticsBuilder {
    statistics: Statistics,
    pending: Vec<f64>,
}

impl StatisticsBuilder {
    fn add(&mut self, mut values: &[f64]) {
        while !values.is_empty() {
            let room = Statistics::BLOCK - self.pending.len();
            let (now, later) = values.split_at(room.min(values.len()));
            self.pending.extend_from_slice(now);
            values = later;
            if self.pending.len() == Statistics::BLOCK {
                self.statistics.add_block(&self.pending);
                self.pending.clear();
            }
        }
    }

    fn finish(mut self) -> Statistics {
        if !self.pending.is_empty() {
            self.statistics.add_block(&self.pending);
        }
        self.statistics
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::write_volume;

    fn grid(dims: [usize; 3]) -> Geometry {
        Geometry {
            dims,
            spacing: [1.0, 2.0, 3.0],
            origin: [0.0; 3],
            direction: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        }
    }

    #[test]
    fn voxels_come_back_in_zyx_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.nii.gz");
        // write_volume takes [x, y, z]; read_volume gives [z, y, x].
        let data = Array3::from_shape_fn((4, 3, 2), |(x, y, z)| (100 * x + 10 * y + z) as i16);
        write_volume(&path, &data, &grid([4, 3, 2])).unwrap();
        let loaded = read_volume(&path).unwrap();
        let v = &loaded.volume;
        assert_eq!(v.data.shape(), [2, 3, 4]);
        assert_eq!(v.data[[1, 2, 3]], 321.0);
        assert_eq!(v.pixel_type, PixelType::I16);
        assert_eq!(loaded.sha256.len(), 64);
    }

    #[test]
    fn scaling_and_non_finite_values_are_handled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.nii");
        let mut data = Array3::<f32>::from_elem((2, 2, 2), 1.5);
        write_volume(&path, &data, &grid([2, 2, 2])).unwrap();
        assert_eq!(
            read_volume(&path).unwrap().volume.pixel_type,
            PixelType::F32
        );
        data[(1, 0, 1)] = f32::NAN;
        write_volume(&path, &data, &grid([2, 2, 2])).unwrap();
        let err = read_volume(&path).unwrap_err().to_string();
        assert!(
            err.contains("1 voxel is NaN or infinite, the first at (1, 0, 1)"),
            "{err}"
        );
    }

    #[test]
    fn absurd_dimensions_are_refused_before_allocating() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.nii");
        write_volume(&path, &Array3::<u8>::zeros((2, 2, 2)), &grid([2, 2, 2])).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        for (offset, value) in [(42, 30_000i16), (44, 30_000), (46, 30_000)] {
            bytes[offset..offset + 2].copy_from_slice(&value.to_le_bytes());
        }
        std::fs::write(&path, bytes).unwrap();
        let err = read_volume(&path).unwrap_err().to_string();
        assert!(
            err.contains("more than the 1073741824 radcohort reads"),
            "{err}"
        );
    }

    #[test]
    fn a_float_volume_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.nii.gz");
        let volume = Volume {
            data: Array3::from_shape_fn((2, 3, 4), |(z, y, x)| (100 * z + 10 * y + x) as f64 + 0.5),
            geometry: grid([4, 3, 2]),
            pixel_type: PixelType::F32,
        };
        volume.write_f32(&path).unwrap();
        assert_eq!(read_volume(&path).unwrap().volume, volume);
    }

    #[test]
    fn regions_and_labels_stream_across_chunk_boundaries() {
        // 90×70×25 16-bit voxels decode to ~315 kB: more than one streamed
        // chunk, with a boundary inside a row.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.nii.gz");
        let data = Array3::from_shape_fn((90, 70, 25), |(x, y, z)| {
            ((x * 7 + y * 13 + z * 29) % 1000) as i16 - 300
        });
        write_volume(&path, &data, &grid([90, 70, 25])).unwrap();
        let file = NiftiImage::read(&path).unwrap();
        let whole = file.volume().unwrap();
        for (lower, upper) in [
            ([0, 0, 0], [24, 69, 89]),
            ([3, 10, 5], [20, 60, 80]),
            ([24, 69, 89], [24, 69, 89]),
            ([7, 0, 0], [7, 69, 89]),
        ] {
            let (region, statistics) = file.region(lower, upper, true).unwrap();
            let expected = whole.data.slice(ndarray::s![
                lower[0]..=upper[0],
                lower[1]..=upper[1],
                lower[2]..=upper[2]
            ]);
            assert_eq!(region.data, expected, "{lower:?}..{upper:?}");
            assert_eq!(statistics.unwrap(), Statistics::of(&whole.data));
        }
        let labels = file.label_voxels(5).unwrap();
        let expected: Vec<usize> = whole
            .data
            .iter()
            .enumerate()
            .filter(|(_, v)| **v == 5.0)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(labels, expected);
        assert!(!labels.is_empty());
    }

    #[test]
    fn casts_follow_itk() {
        assert_eq!(PixelType::I16.cast(12.7), 12.0);
        assert_eq!(PixelType::I16.cast(-12.7), -12.0);
        assert_eq!(PixelType::I16.cast(40_000.0), 32_767.0);
        assert_eq!(PixelType::U8.cast(-3.0), 0.0);
        assert_eq!(PixelType::F32.cast(0.1), f64::from(0.1f32));
    }
}
