//! Radiomic feature extraction that reproduces PyRadiomics 3.1.
//!
//! - [`settings`]: every extraction setting, named as in PyRadiomics;
//! - [`discretize`]: gray-level binning;
//! - [`features`]: the feature classes (first order, shape, GLCM, GLRLM,
//!   GLSZM, GLDM, NGTDM);
//! - [`preprocess`]: resampling, normalisation and mask correction before
//!   extraction, as PyRadiomics' `imageoperations` does them;
//! - [`roi`]: selecting, checking and cropping to the region of interest;
//! - [`numeric`]: reductions that round as numpy does;
//! - [`ibsi`]: the IBSI mode, the standard's own definitions and tags.
//!
//! Arrays are indexed `[z, y, x]` as in PyRadiomics (SimpleITK's
//! `GetArrayFromImage`); spacings are (x, y, z).

pub mod discretize;
pub mod extractor;
pub mod features;
pub mod ibsi;
pub mod image_types;
pub mod numeric;
pub mod params;
pub mod preprocess;
pub mod resegment;
pub mod roi;
pub mod settings;
