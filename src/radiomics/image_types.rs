//! Derived images ("image types"): the original image and its filtered
//! versions, named as PyRadiomics names them (`original`,
//! `log-sigma-1-0-mm-3D`, `wavelet-LLH`, ...).

use ndarray::Array3;

use super::params::ImageType;
use super::settings::Settings;
use crate::imaging::Volume;

/// One derived image and its name.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedImage {
    /// PyRadiomics' image type name, the prefix of its feature names.
    pub name: String,
    /// The image.
    pub volume: Volume,
}

/// The images one image type yields, and what it skipped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Derived {
    /// The images, in PyRadiomics' order.
    pub images: Vec<DerivedImage>,
    /// Why some images were not made, as PyRadiomics warns.
    pub warnings: Vec<String>,
}

/// Why an image type could not be derived.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImageTypeError {
    /// The image type is not available in this build.
    #[error("image type {0} is not available yet")]
    Unavailable(&'static str),
}

/// Derives the images of one image type from the (preprocessed, uncropped)
/// image; `roi` is the ROI on the same grid.
pub fn derive(
    kind: ImageType,
    image: &Volume,
    roi: &Array3<bool>,
    settings: &Settings,
) -> Result<Derived, ImageTypeError> {
    let _ = (roi, settings);
    match kind {
        ImageType::Original => Ok(Derived {
            images: vec![DerivedImage {
                name: "original".to_owned(),
                volume: image.clone(),
            }],
            warnings: Vec::new(),
        }),
        other => Err(ImageTypeError::Unavailable(other.name())),
    }
}
