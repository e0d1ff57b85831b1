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

/// A volume read from a file, with the checksum of the file.
#[derive(Debug, Clone)]
pub struct LoadedVolume {
    /// The volume.
    pub volume: Volume,
    /// SHA-256 of the file as stored, lowercase hex.
    pub sha256: String,
}

/// Reads a NIfTI-1 volume. `scl_slope`/`scl_inter` are applied when they
/// scale (slope not 0 and not the identity), which, as in ITK, makes the
/// pixel type `f32` for integer data. NaN and infinite voxels are refused.
pub fn read_volume(path: &Path) -> Result<LoadedVolume, ImagingError> {
    let raw = read_raw(path)?;
    let header = &raw.header;
    let [nx, ny, nz] = header.geometry.dims;
    let count = nx * ny * nz;
    let bytes = &raw.bytes[raw.data_start..];
    let little = header.raw.endianness == nifti::Endianness::Little;
    let unsupported = || ImagingError::InvalidHeader {
        path: path.to_owned(),
        field: "datatype",
        value: format!(
            "{:?} (radcohort reads integer and real scalar volumes)",
            header.data_type
        ),
    };
    let (pixel_type, width) = match header.data_type {
        NiftiType::Uint8 => (PixelType::U8, 1),
        NiftiType::Int8 => (PixelType::I8, 1),
        NiftiType::Uint16 => (PixelType::U16, 2),
        NiftiType::Int16 => (PixelType::I16, 2),
        NiftiType::Uint32 => (PixelType::U32, 4),
        NiftiType::Int32 => (PixelType::I32, 4),
        NiftiType::Uint64 => (PixelType::U64, 8),
        NiftiType::Int64 => (PixelType::I64, 8),
        NiftiType::Float32 => (PixelType::F32, 4),
        NiftiType::Float64 => (PixelType::F64, 8),
        _ => return Err(unsupported()),
    };
    let mut values = Vec::with_capacity(count);
    for chunk in bytes.chunks_exact(width).take(count) {
        values.push(decode(pixel_type, chunk, little));
    }
    let slope = f64::from(header.raw.scl_slope);
    let intercept = f64::from(header.raw.scl_inter);
    let scaled = slope != 0.0 && slope.is_finite() && !(slope == 1.0 && intercept == 0.0);
    let pixel_type = if scaled {
        for v in &mut values {
            *v = *v * slope + intercept;
        }
        if pixel_type == PixelType::F64 {
            PixelType::F64
        } else {
            PixelType::F32
        }
    } else {
        pixel_type
    };
    if let Some(index) = values.iter().position(|v| !v.is_finite()) {
        let bad = values.iter().filter(|v| !v.is_finite()).count();
        let (x, y, z) = (index % nx, (index / nx) % ny, index / (nx * ny));
        return Err(ImagingError::NonFinite {
            path: path.to_owned(),
            count: bad,
            first: [x, y, z],
        });
    }
    let data =
        Array3::from_shape_vec((nz, ny, nx), values).map_err(|_| ImagingError::Truncated {
            path: path.to_owned(),
            detail: "fewer voxels than the header's dimensions".to_owned(),
        })?;
    Ok(LoadedVolume {
        volume: Volume {
            data,
            geometry: header.geometry.clone(),
            pixel_type,
        },
        sha256: header.sha256.clone(),
    })
}

fn decode(pixel_type: PixelType, chunk: &[u8], little: bool) -> f64 {
    macro_rules! read {
        ($t:ty) => {{
            let bytes = chunk.try_into().unwrap_or_default();
            if little {
                <$t>::from_le_bytes(bytes)
            } else {
                <$t>::from_be_bytes(bytes)
            }
        }};
    }
    match pixel_type {
        PixelType::U8 => f64::from(chunk[0]),
        PixelType::I8 => f64::from(chunk[0] as i8),
        PixelType::U16 => f64::from(read!(u16)),
        PixelType::I16 => f64::from(read!(i16)),
        PixelType::U32 => f64::from(read!(u32)),
        PixelType::I32 => f64::from(read!(i32)),
        PixelType::U64 => read!(u64) as f64,
        PixelType::I64 => read!(i64) as f64,
        PixelType::F32 => f64::from(read!(f32)),
        PixelType::F64 => read!(f64),
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
    fn casts_follow_itk() {
        assert_eq!(PixelType::I16.cast(12.7), 12.0);
        assert_eq!(PixelType::I16.cast(-12.7), -12.0);
        assert_eq!(PixelType::I16.cast(40_000.0), 32_767.0);
        assert_eq!(PixelType::U8.cast(-3.0), 0.0);
        assert_eq!(PixelType::F32.cast(0.1), f64::from(0.1f32));
    }
}
