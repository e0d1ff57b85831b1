//! Image filters ("image types") as PyRadiomics 3.1 builds them with
//! SimpleITK, PyWavelets, scikit-image and SciPy, reproduced voxel for voxel
//! (to floating-point rounding) so that features of filtered images equal
//! PyRadiomics' own.
//!
//! Every filter takes the whole image, as PyRadiomics applies them before
//! cropping to the ROI, and returns volumes on the input's grid with the
//! pixel type the reference library gives (which decides the precision of
//! its arithmetic and so matters for exact agreement):
//!
//! - [`laplacian_of_gaussian`]: ITK's recursive LoG, `f32` output.
//! - [`wavelet_decompositions`]: PyWavelets' stationary wavelet transform as
//!   PyRadiomics' `_swt3` repeats it.
//! - [`square`], [`square_root`], [`logarithm`], [`exponential`]: PyRadiomics'
//!   own intensity maps, `f64`.
//! - [`gradient_magnitude`]: ITK's central-difference gradient, `f32`.
//! - [`lbp_2d`]: scikit-image's local binary patterns per slice, in the
//!   image's own pixel type.
//! - [`lbp_3d`]: PyRadiomics' spherical-harmonic LBP of the ROI voxels.

mod gradient;
mod intensity;
mod lbp2d;
mod lbp3d;
mod lines;
mod log;
mod wavelet;
mod wavelet_banks;

pub use gradient::gradient_magnitude;
pub use intensity::{exponential, logarithm, square, square_root};
pub use lbp2d::lbp_2d;
pub use lbp3d::{Lbp3dSettings, lbp_3d};
pub use log::{check_log_size, laplacian_of_gaussian, log_image_name};
pub use wavelet::{pyradiomics_wavelet_axes, wavelet_decompositions, wavelet_names};

use ndarray::Array3;

use super::{PixelType, Volume};

/// Why a filter cannot be applied. Each variant says what was wrong and,
/// where PyRadiomics skips the image type instead of failing, says so.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FilterError {
    /// An axis of the image has no voxel.
    #[error("{filter}: the image has no voxels (size {dims:?}, x y z)")]
    EmptyImage {
        /// The filter asked for.
        filter: &'static str,
        /// Image size, (x, y, z).
        dims: [usize; 3],
    },
    /// A spacing is not a positive finite number (ITK refuses spacings
    /// below 1e-8 as "suspiciously small").
    #[error("{filter}: spacing {spacing:?} (x y z) must be finite and at least 1e-8 mm")]
    InvalidSpacing {
        /// The filter asked for.
        filter: &'static str,
        /// Spacing, (x, y, z).
        spacing: [f64; 3],
    },
    /// The image is under 4 voxels along an axis: ITK's recursive Gaussian
    /// needs 4, and PyRadiomics skips every LoG sigma with a warning.
    #[error(
        "LoG: the image is {dims:?} voxels (x y z); the recursive Gaussian needs at least 4 \
         along every axis (PyRadiomics skips LoG)"
    )]
    LogImageTooSmall {
        /// Image size, (x, y, z).
        dims: [usize; 3],
    },
    /// Sigma is not a positive finite number (PyRadiomics skips it).
    #[error("LoG: sigma must be a positive number of mm, got {sigma} (PyRadiomics skips it)")]
    LogSigmaNotPositive {
        /// The sigma asked for.
        sigma: f64,
    },
    /// The image is too small for this sigma along an axis: PyRadiomics
    /// requires `size >= ceil(sigma / spacing) + 1` and skips the sigma.
    #[error(
        "LoG: sigma {sigma} mm spans {required} voxels along {axis} but the image has only \
         {size} (PyRadiomics skips this sigma)"
    )]
    LogSigmaTooLarge {
        /// The sigma asked for.
        sigma: f64,
        /// The axis, `x`, `y` or `z`.
        axis: char,
        /// Image size along it.
        size: usize,
        /// `ceil(sigma / spacing) + 1`.
        required: usize,
    },
    /// The wavelet is not one PyWavelets defines as a discrete wavelet.
    #[error("wavelet: unknown wavelet {name:?}; expected one of {known}")]
    UnknownWavelet {
        /// The name asked for.
        name: String,
        /// The supported names.
        known: String,
    },
    /// The wavelet levels or axes are unusable.
    #[error("wavelet: {detail}")]
    WaveletParameters {
        /// What is wrong.
        detail: String,
    },
    /// The intensity map is undefined because every voxel is 0 (PyRadiomics
    /// would divide by zero and fill the image with NaN).
    #[error("{filter}: every voxel is 0, so the scaling by the maximum absolute value is 0/0")]
    ZeroImage {
        /// The filter asked for.
        filter: &'static str,
    },
    /// A local-binary-pattern parameter is unusable.
    #[error("{filter}: {detail}")]
    LbpParameters {
        /// The filter asked for.
        filter: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The mask does not match the image.
    #[error("{filter}: the mask is {mask:?} voxels but the image {image:?} ([z, y, x])")]
    MaskShape {
        /// The filter asked for.
        filter: &'static str,
        /// Image array shape, `[z, y, x]`.
        image: [usize; 3],
        /// Mask array shape, `[z, y, x]`.
        mask: [usize; 3],
    },
    /// The ROI has no voxel.
    #[error("{filter}: the ROI has no voxel to compute at")]
    EmptyRoi {
        /// The filter asked for.
        filter: &'static str,
    },
}

/// The array shape `[z, y, x]` of a volume's data.
fn shape_of(volume: &Volume) -> [usize; 3] {
    let s = volume.data.shape();
    [s[0], s[1], s[2]]
}

/// Refuses volumes with an empty axis.
fn require_voxels(volume: &Volume, filter: &'static str) -> Result<[usize; 3], FilterError> {
    let shape = shape_of(volume);
    if shape.contains(&0) {
        return Err(FilterError::EmptyImage {
            filter,
            dims: [shape[2], shape[1], shape[0]],
        });
    }
    Ok(shape)
}

/// The voxels in `[z, y, x]` order, x fastest, whatever the array's memory
/// layout.
fn voxels(volume: &Volume) -> std::borrow::Cow<'_, [f64]> {
    match volume.data.as_slice() {
        Some(slice) => std::borrow::Cow::Borrowed(slice),
        None => std::borrow::Cow::Owned(volume.data.iter().copied().collect()),
    }
}

/// A filtered volume on the input's grid.
fn derived(input: &Volume, shape: [usize; 3], values: Vec<f64>, pixel_type: PixelType) -> Volume {
    let data = Array3::from_shape_vec((shape[0], shape[1], shape[2]), values)
        .unwrap_or_else(|_| Array3::zeros((shape[0], shape[1], shape[2])));
    Volume {
        data,
        geometry: input.geometry.clone(),
        pixel_type,
    }
}

/// Volumes for the filters' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use ndarray::Array3;

    use crate::imaging::{Geometry, PixelType, Volume};

    /// A volume of array shape `[z, y, x]` whose voxel `(z, y, x)` is
    /// `value(z, y, x)`.
    pub(crate) fn volume(
        shape: [usize; 3],
        spacing: [f64; 3],
        pixel_type: PixelType,
        value: impl Fn(usize, usize, usize) -> f64,
    ) -> Volume {
        Volume {
            data: Array3::from_shape_fn((shape[0], shape[1], shape[2]), |(z, y, x)| value(z, y, x)),
            geometry: Geometry {
                dims: [shape[2], shape[1], shape[0]],
                spacing,
                origin: [0.0; 3],
                direction: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            },
            pixel_type,
        }
    }

    /// Asserts voxel-wise equality with values printed by the reference
    /// library (`repr` of `float32`/`float64`, so exact).
    pub(crate) fn assert_voxels(actual: &Volume, expected: &[f64]) {
        let got: Vec<f64> = actual.data.iter().copied().collect();
        assert_eq!(got.len(), expected.len());
        for (i, (a, e)) in got.iter().zip(expected).enumerate() {
            assert_eq!(a, e, "voxel {i}: {a} against {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array3;
    use proptest::prelude::*;

    use super::testing::volume;
    use super::*;
    use crate::radiomics::settings::LbpMethod;

    const TYPES: [PixelType; 4] = [
        PixelType::I16,
        PixelType::U8,
        PixelType::F32,
        PixelType::F64,
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// Every filter answers any small volume, degenerate sizes included,
        /// with an image of the input's shape or an error; none panics.
        #[test]
        fn no_filter_panics(
            shape in (1usize..6, 1usize..6, 1usize..6),
            seed in 0u64..1000,
            kind in 0usize..4,
            sigma in 0.1f64..4.0,
            samples in 1u32..12,
            radius in 0.5f64..2.5,
        ) {
            let shape = [shape.0, shape.1, shape.2];
            let img = volume(shape, [0.7, 1.0, 2.5], TYPES[kind], |z, y, x| {
                let h = (z * 131 + y * 31 + x * 7) as u64 * 2654435761 + seed;
                ((h % 200) as f64) - 50.0
            });
            let same = |v: &Volume| v.data.shape() == img.data.shape();
            if let Ok(v) = laplacian_of_gaussian(&img, sigma) {
                prop_assert!(same(&v));
            }
            for (_, v) in wavelet_decompositions(&img, "coif1", 0, 2, &[2, 1, 0]).unwrap() {
                prop_assert!(same(&v));
            }
            for filter in [square, square_root, logarithm, exponential] {
                if let Ok(v) = filter(&img) {
                    prop_assert!(same(&v));
                }
            }
            prop_assert!(same(&gradient_magnitude(&img, true).unwrap()));
            for method in [LbpMethod::Default, LbpMethod::Ror, LbpMethod::Uniform, LbpMethod::Var] {
                for axis in 0..3 {
                    prop_assert!(same(&lbp_2d(&img, radius, samples, method, axis).unwrap()));
                }
            }
            let roi = Array3::from_shape_fn((shape[0], shape[1], shape[2]), |(z, y, x)| {
                (z + y + x + seed as usize).is_multiple_of(3)
            });
            let settings = lbp3d::Lbp3dSettings {
                icosphere_radius: radius,
                ..lbp3d::Lbp3dSettings::default()
            };
            if let Ok(images) = lbp_3d(&img, &roi, &settings) {
                prop_assert!(images.iter().all(|(_, v)| same(v)));
            }
        }
    }
}
