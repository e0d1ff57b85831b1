use std::path::PathBuf;

/// Why an image could not be read or written. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ImagingError {
    /// The file could not be opened, read or written.
    #[error("{path}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The file ends before a complete NIfTI header, or its gzip stream is
    /// corrupt or truncated.
    #[error("{path}: truncated or corrupt file ({detail})")]
    Truncated {
        /// The file concerned.
        path: PathBuf,
        /// What the decoder reported.
        detail: String,
    },
    /// The header is a NIfTI-2 header, which radcohort does not read.
    #[error(
        "{path}: NIfTI-2 files are not supported; convert to NIfTI-1 (e.g. with nibabel or c3d)"
    )]
    Nifti2 {
        /// The file concerned.
        path: PathBuf,
    },
    /// The file is not a NIfTI-1 file at all.
    #[error("{path}: not a NIfTI-1 file ({reason})")]
    NotNifti {
        /// The file concerned.
        path: PathBuf,
        /// What gave it away.
        reason: String,
    },
    /// The header parses but describes something other than one 3D volume.
    #[error("{path}: expected a 3D volume, the header says {dims}")]
    NotThreeDimensional {
        /// The file concerned.
        path: PathBuf,
        /// The header's `dim` field as written, e.g. `4D 64×64×16×3`.
        dims: String,
    },
    /// A header field holds a value that makes no sense, e.g. zero spacing.
    #[error("{path}: invalid header field {field} = {value}")]
    InvalidHeader {
        /// The file concerned.
        path: PathBuf,
        /// The header field, named as in the NIfTI-1 standard.
        field: &'static str,
        /// The offending value.
        value: String,
    },
    /// The nifti crate refused the header or the volume.
    #[error("{path}")]
    Nifti {
        /// The file concerned.
        path: PathBuf,
        /// The nifti crate's error.
        source: nifti::NiftiError,
    },
    /// Voxels that are NaN or infinite.
    #[error("{path}: {count} voxel{} NaN or infinite, the first at ({}, {}, {})",
            if *count == 1 { " is" } else { "s are" }, first[0], first[1], first[2])]
    NonFinite {
        /// The file concerned.
        path: PathBuf,
        /// How many voxels.
        count: usize,
        /// Index (x, y, z) of the first.
        first: [usize; 3],
    },
}
