//! Image filters ("image types") as PyRadiomics 3.1 builds them with
//! SimpleITK, PyWavelets, scikit-image and SciPy, reproduced voxel for voxel
//! (to floating-point rounding) so that features of filtered images equal
//! PyRadiomics' own.
//!
//! Every filter takes the whole image, as PyRadiomics applies them before
//! cropping to the ROI, and returns volumes on the input's grid with the
//! pixel type the reference library gives (which decides the precision of
//! its arithmetic and so matters for exact agreement). Each but LBP3D also
//! has an `_in` form that returns only a region of that result (the ROI's
//! bounding box, all that feature extraction reads), bit for bit the same
//! voxels, computing only what the region depends on:
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

pub use gradient::{gradient_magnitude, gradient_magnitude_in};
pub use intensity::{
    exponential, exponential_in, logarithm, logarithm_in, square, square_in, square_root,
    square_root_in,
};
pub use lbp2d::{lbp_2d, lbp_2d_in};
pub use lbp3d::{Lbp3dSettings, lbp_3d};
pub use log::{
    check_log_size, laplacian_of_gaussian, laplacian_of_gaussian_in, laplacians_of_gaussian_in,
    log_image_name,
};
pub use wavelet::{
    pyradiomics_wavelet_axes, wavelet_decompositions, wavelet_decompositions_in, wavelet_names,
};

use ndarray::Array3;

use super::{BoundingBox, PixelType, Volume};

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
    /// The region asked for is empty or reaches outside the image.
    #[error(
        "{filter}: the region {lower:?}..={upper:?} ([z, y, x]) is empty or outside the image \
         of {shape:?} voxels"
    )]
    RegionOutside {
        /// The filter asked for.
        filter: &'static str,
        /// The region's lowest index per axis, `[z, y, x]`.
        lower: [usize; 3],
        /// The region's highest index per axis, `[z, y, x]`.
        upper: [usize; 3],
        /// Image array shape, `[z, y, x]`.
        shape: [usize; 3],
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

/// The box of every voxel of the volume; refuses volumes with an empty axis.
fn whole_region(volume: &Volume, filter: &'static str) -> Result<BoundingBox, FilterError> {
    let shape = require_voxels(volume, filter)?;
    BoundingBox::whole(shape).ok_or(FilterError::EmptyImage {
        filter,
        dims: [shape[2], shape[1], shape[0]],
    })
}

/// Refuses volumes with an empty axis and regions that do not fit the
/// volume; returns the volume's array shape.
fn require_region(
    volume: &Volume,
    filter: &'static str,
    region: &BoundingBox,
) -> Result<[usize; 3], FilterError> {
    let shape = require_voxels(volume, filter)?;
    if !region.fits(shape) {
        return Err(FilterError::RegionOutside {
            filter,
            lower: region.lower,
            upper: region.upper,
            shape,
        });
    }
    Ok(shape)
}

/// A filtered volume of array shape `shape` (non-empty) on the input's grid.
fn derived(input: &Volume, shape: [usize; 3], values: Vec<f64>, pixel_type: PixelType) -> Volume {
    let region = BoundingBox {
        lower: [0; 3],
        upper: shape.map(|n| n.saturating_sub(1)),
    };
    derived_region(input, &region, values, pixel_type)
}

/// A filtered region (`values` in `[z, y, x]` order) on the region's grid.
fn derived_region(
    input: &Volume,
    region: &BoundingBox,
    values: Vec<f64>,
    pixel_type: PixelType,
) -> Volume {
    let shape = region.size();
    let data = Array3::from_shape_vec((shape[0], shape[1], shape[2]), values)
        .unwrap_or_else(|_| Array3::zeros((shape[0], shape[1], shape[2])));
    Volume {
        data,
        geometry: input.geometry.region(region.lower, shape),
        pixel_type,
    }
}

/// Volumes for the filters' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use ndarray::Array3;
    use proptest::prelude::*;

    use crate::imaging::{BoundingBox, Geometry, PixelType, Volume};

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

    /// A volume of pseudo-random values from `seed`: whole numbers in
    /// `[-1000, 1000)` for integer types, fractions (exact in `f32` for
    /// `f32` images, as a `float32` image holds) otherwise, with runs of
    /// equal values for ties.
    pub(crate) fn noise(
        shape: [usize; 3],
        spacing: [f64; 3],
        pixel_type: PixelType,
        seed: u64,
    ) -> Volume {
        volume(shape, spacing, pixel_type, |z, y, x| {
            let mut h = seed ^ ((z * 1_000_003 + y * 1009 + x) as u64);
            h = h.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            h ^= h >> 29;
            h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
            h ^= h >> 32;
            // One voxel in eight repeats a neighbour's value class.
            let whole = ((h % 2000) as f64 - 1000.0) * if h.is_multiple_of(8) { 0.0 } else { 1.0 };
            match pixel_type {
                PixelType::F32 => f64::from(whole as f32 * 0.37),
                PixelType::F64 => whole * 0.123_456_789 + 1e-3,
                _ => whole,
            }
        })
    }

    /// An array shape with every axis from `min` to `max` voxels, and a
    /// region inside it: along each axis touching the lower border, the
    /// upper one, a single voxel thick, or anywhere.
    pub(crate) fn shape_and_region(
        min: usize,
        max: usize,
    ) -> impl Strategy<Value = ([usize; 3], BoundingBox)> {
        (min..=max, min..=max, min..=max).prop_flat_map(|(nz, ny, nx)| {
            let axis = |n: usize| {
                (0..n, 0..n, 0u8..5).prop_map(move |(a, b, kind)| match kind {
                    0 => (0, a.max(b)),
                    1 => (a.min(b), n - 1),
                    2 => (a, a),
                    3 => (0, n - 1),
                    _ => (a.min(b), a.max(b)),
                })
            };
            (axis(nz), axis(ny), axis(nx)).prop_map(move |(z, y, x)| {
                (
                    [nz, ny, nx],
                    BoundingBox {
                        lower: [z.0, y.0, x.0],
                        upper: [z.1, y.1, x.1],
                    },
                )
            })
        })
    }

    /// Asserts that `part` is `region` of `whole` to the last bit (NaN
    /// included), on the region's grid.
    pub(crate) fn assert_region_of(part: &Volume, whole: &Volume, region: &BoundingBox) {
        let expected = whole.region(region).expect("the region fits");
        assert_eq!(part.data.shape(), expected.data.shape(), "{region:?}");
        assert_eq!(part.geometry, expected.geometry, "{region:?}");
        assert_eq!(part.pixel_type, expected.pixel_type, "{region:?}");
        for ((index, a), e) in part.data.indexed_iter().zip(expected.data.iter()) {
            assert_eq!(
                a.to_bits(),
                e.to_bits(),
                "{index:?} of {region:?}: {a} against {e}"
            );
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// Every region filter answers any region, empty, reversed or
        /// reaching outside the image included, with an image of the
        /// region's shape or an error; none panics.
        #[test]
        fn no_region_filter_panics(
            shape in (1usize..6, 1usize..6, 1usize..6),
            lower in (0usize..7, 0usize..7, 0usize..7),
            upper in (0usize..7, 0usize..7, 0usize..7),
            seed in 0u64..1000,
            kind in 0usize..4,
            sigma in 0.1f64..4.0,
        ) {
            let shape = [shape.0, shape.1, shape.2];
            let region = BoundingBox {
                lower: [lower.0, lower.1, lower.2],
                upper: [upper.0, upper.1, upper.2],
            };
            let img = testing::noise(shape, [0.7, 1.0, 2.5], TYPES[kind], seed);
            let fits = region.fits(shape);
            let size = region.size();
            let check = |result: Result<Volume, FilterError>| match result {
                Ok(v) => fits && v.data.shape() == size,
                Err(FilterError::RegionOutside { .. }) => !fits,
                Err(_) => true,
            };
            prop_assert!(check(laplacian_of_gaussian_in(&img, sigma, &region)));
            match wavelet_decompositions_in(&img, "coif1", 1, 2, &[2, 1, 0], &region) {
                Ok(images) => prop_assert!(images.into_iter().all(|(_, v)| check(Ok(v)))),
                Err(err) => prop_assert!(check(Err(err))),
            }
            for filter in [square_in, square_root_in, logarithm_in, exponential_in] {
                prop_assert!(check(filter(&img, &region)));
            }
            prop_assert!(check(gradient_magnitude_in(&img, true, &region)));
            prop_assert!(check(lbp_2d_in(&img, 1.5, 8, LbpMethod::Uniform, 1, &region)));
        }
    }
}
