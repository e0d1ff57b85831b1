//! Medical images: NIfTI-1 headers and volumes, and the geometry that ties an
//! image to its mask.
//!
//! World coordinates here are NIfTI's own (RAS+, millimetres), exactly as the
//! header's sform or qform states them; conversion to ITK's LPS convention is
//! the business of code that must match ITK-based tools.

pub mod adc;
mod error;
pub mod filters;
mod geometry;
mod nifti_io;
mod region;
pub mod resample;
mod volume;

pub use error::ImagingError;
pub use geometry::{Geometry, GeometryMismatch, GeometryTolerance};
pub use nifti_io::{ImageHeader, MAX_VOXELS, file_checksum, read_header, write_volume};
pub use region::BoundingBox;
pub use resample::{Interpolation, ItkFrame, ResampleError, resample};
pub use volume::{LoadedVolume, NiftiImage, PixelType, Statistics, Volume, read_volume};
