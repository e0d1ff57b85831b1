//! PyRadiomics 3.1's intensity maps (`getSquareImage`,
//! `getSquareRootImage`, `getLogarithmImage`, `getExponentialImage`): each
//! rescaled by the largest absolute intensity so the result stays in the
//! range of the original, computed in `f64` as PyRadiomics casts the image
//! to `float64` first.

use rayon::prelude::*;

use super::{FilterError, derived_region, require_region, voxels, whole_region};
use crate::imaging::{BoundingBox, PixelType, Volume};

/// `numpy.max(numpy.abs(f(im)))`: exact whatever the order, as the maximum
/// rounds nothing.
fn max_abs_of(values: &[f64], f: impl Fn(f64) -> f64 + Sync) -> f64 {
    values
        .par_iter()
        .fold(|| 0.0, |acc: f64, &v| acc.max(f(v).abs()))
        .reduce(|| 0.0, f64::max)
}

/// The region's voxels of a pointwise map whose scale `scale` derives from
/// the whole image (the maps' maxima are PyRadiomics' whole-image maxima,
/// whatever part of the image is kept).
fn map_in(
    volume: &Volume,
    region: &BoundingBox,
    filter: &'static str,
    scale: impl FnOnce(&[f64]) -> Result<f64, FilterError>,
    f: impl Fn(f64, f64) -> f64 + Sync,
) -> Result<Volume, FilterError> {
    let shape = require_region(volume, filter, region)?;
    let input = voxels(volume);
    let coeff = scale(&input)?;
    let size = region.size();
    let mut values = vec![0.0; size.iter().product()];
    values
        .par_chunks_mut(size[2])
        .enumerate()
        .for_each(|(row, out)| {
            let (z, y) = (
                region.lower[0] + row / size[1],
                region.lower[1] + row % size[1],
            );
            let start = (z * shape[1] + y) * shape[2] + region.lower[2];
            for (v, &x) in out.iter_mut().zip(&input[start..start + size[2]]) {
                *v = f(coeff, x);
            }
        });
    Ok(derived_region(volume, region, values, PixelType::F64))
}

/// `(c·x)²` with `c = 1 / sqrt(max|x|)` (PyRadiomics `getSquareImage`):
/// squares scaled back to the original range. An all-zero image is refused
/// (PyRadiomics would produce NaN).
pub fn square(volume: &Volume) -> Result<Volume, FilterError> {
    square_in(volume, &whole_region(volume, "square")?)
}

/// The voxels of `region` of [`square`] of the whole volume, bit for bit,
/// on the region's grid: `c` from the whole image, the map only in the
/// region.
pub fn square_in(volume: &Volume, region: &BoundingBox) -> Result<Volume, FilterError> {
    let scale = |values: &[f64]| {
        let peak = max_abs_of(values, |x| x);
        if peak == 0.0 {
            return Err(FilterError::ZeroImage { filter: "square" });
        }
        Ok(1.0 / peak.sqrt())
    };
    map_in(volume, region, "square", scale, |coeff, x| {
        let scaled = coeff * x;
        scaled * scaled
    })
}

/// `sqrt(c·x)` for `x > 0`, `-sqrt(-c·x)` for `x < 0`, with `c = max|x|`
/// (PyRadiomics `getSquareRootImage`).
pub fn square_root(volume: &Volume) -> Result<Volume, FilterError> {
    square_root_in(volume, &whole_region(volume, "squareroot")?)
}

/// The voxels of `region` of [`square_root`] of the whole volume, bit for
/// bit, on the region's grid: `c` from the whole image, the map only in the
/// region.
pub fn square_root_in(volume: &Volume, region: &BoundingBox) -> Result<Volume, FilterError> {
    let scale = |values: &[f64]| Ok(max_abs_of(values, |x| x));
    map_in(volume, region, "squareroot", scale, |coeff, x| {
        if x > 0.0 {
            (x * coeff).sqrt()
        } else if x < 0.0 {
            -(-x * coeff).sqrt()
        } else {
            x
        }
    })
}

/// PyRadiomics' signed logarithm before rescaling.
fn signed_log(x: f64) -> f64 {
    if x > 0.0 {
        (x + 1.0).ln()
    } else if x < 0.0 {
        -(-(x - 1.0)).ln()
    } else {
        x
    }
}

/// `log(x + 1)` for `x > 0`, `-log(1 - x)` for `x < 0`, rescaled so the
/// largest absolute value is `max|x|` again (PyRadiomics
/// `getLogarithmImage`). An all-zero image is refused (0/0 in PyRadiomics).
pub fn logarithm(volume: &Volume) -> Result<Volume, FilterError> {
    logarithm_in(volume, &whole_region(volume, "logarithm")?)
}

/// The voxels of `region` of [`logarithm`] of the whole volume, bit for
/// bit, on the region's grid. The rescaling needs the largest logarithm of
/// the whole image, so the logarithm is taken of every voxel once (not
/// stored), then again for the region's voxels to keep.
pub fn logarithm_in(volume: &Volume, region: &BoundingBox) -> Result<Volume, FilterError> {
    let scale = |values: &[f64]| {
        let peak = max_abs_of(values, |x| x);
        if peak == 0.0 {
            return Err(FilterError::ZeroImage {
                filter: "logarithm",
            });
        }
        // The largest logarithm is that of the largest |x| only if `ln` is
        // monotonic to the last bit, which libm does not promise: taking
        // the maximum keeps PyRadiomics' value whatever the libm.
        Ok(peak / max_abs_of(values, signed_log))
    };
    map_in(volume, region, "logarithm", scale, |scale, x| {
        signed_log(x) * scale
    })
}

/// `exp(c·x)` with `c = log(max|x|) / max|x|` (PyRadiomics
/// `getExponentialImage`), so that `max|x|` maps to itself. An all-zero
/// image is refused (0/0 in PyRadiomics).
pub fn exponential(volume: &Volume) -> Result<Volume, FilterError> {
    exponential_in(volume, &whole_region(volume, "exponential")?)
}

/// The voxels of `region` of [`exponential`] of the whole volume, bit for
/// bit, on the region's grid: `c` from the whole image, the map only in the
/// region.
pub fn exponential_in(volume: &Volume, region: &BoundingBox) -> Result<Volume, FilterError> {
    let scale = |values: &[f64]| {
        let peak = max_abs_of(values, |x| x);
        if peak == 0.0 {
            return Err(FilterError::ZeroImage {
                filter: "exponential",
            });
        }
        Ok(peak.ln() / peak)
    };
    map_in(volume, region, "exponential", scale, |coeff, x| {
        (coeff * x).exp()
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::imaging::filters::testing::{
        assert_region_of, assert_voxels, noise, shape_and_region, volume,
    };

    fn line(values: &[f64]) -> Volume {
        let values = values.to_vec();
        volume(
            [1, 1, values.len()],
            [1.0; 3],
            PixelType::I16,
            move |_, _, x| values[x],
        )
    }

    #[test]
    fn maps_follow_pyradiomics_formulas() {
        // max |x| = 4.
        let img = line(&[-4.0, -1.0, 0.0, 1.0, 2.0]);
        assert_voxels(&square(&img).unwrap(), &[4.0, 0.25, 0.0, 0.25, 1.0]);
        assert_voxels(
            &square_root(&img).unwrap(),
            &[-4.0, -2.0, 0.0, 2.0, 8f64.sqrt()],
        );
        let log = logarithm(&img).unwrap();
        let c = 4.0 / 5f64.ln();
        let expected = [-4.0, -c * 2f64.ln(), 0.0, c * 2f64.ln(), c * 3f64.ln()];
        for (v, e) in log.data.iter().zip(expected) {
            assert!((v - e).abs() <= 1e-14 * e.abs(), "{v} {e}");
        }
        let exp = exponential(&img).unwrap();
        let k = 4f64.ln() / 4.0;
        for (v, x) in exp.data.iter().zip([-4.0, -1.0, 0.0, 1.0, 2.0]) {
            assert!((v - (k * x).exp()).abs() <= 1e-14 * v.abs(), "{v}");
        }
        assert_eq!(exp.data[[0, 0, 2]], 1.0);
        assert!((exp.data[[0, 0, 0]] - 0.25).abs() < 1e-15);
        assert!(square(&img).unwrap().pixel_type == PixelType::F64);
    }

    #[test]
    fn all_zero_images_are_refused_where_pyradiomics_divides_by_zero() {
        let zero = line(&[0.0; 4]);
        for result in [square(&zero), logarithm(&zero), exponential(&zero)] {
            assert!(matches!(result, Err(FilterError::ZeroImage { .. })));
        }
        assert_voxels(&square_root(&zero).unwrap(), &[0.0; 4]);
    }

    proptest! {
        /// Square and square root stay within [0, max|x|] (signed for the
        /// root), preserve signs and order, and the maximum maps to itself.
        #[test]
        fn ranges_are_kept(values in prop::collection::vec(-5000i32..5000, 1..40)) {
            let values: Vec<f64> = values.into_iter().map(f64::from).collect();
            let peak = values.iter().fold(0f64, |a, v| a.max(v.abs()));
            prop_assume!(peak > 0.0);
            let img = line(&values);
            let sq = square(&img).unwrap();
            let root = square_root(&img).unwrap();
            let log = logarithm(&img).unwrap();
            for (i, &x) in values.iter().enumerate() {
                let (s, r, l) = (sq.data[[0, 0, i]], root.data[[0, 0, i]], log.data[[0, 0, i]]);
                prop_assert!((0.0..=peak * (1.0 + 1e-12)).contains(&s));
                prop_assert!(r.abs() <= peak * (1.0 + 1e-12) && r.signum() * x >= 0.0);
                prop_assert!(l.abs() <= peak * (1.0 + 1e-12) && l.signum() * x >= 0.0);
                if x.abs() == peak {
                    prop_assert!((s - peak).abs() <= 1e-9 * peak);
                    prop_assert!((r.abs() - peak).abs() <= 1e-9 * peak);
                }
            }
        }
    }

    type Whole = fn(&Volume) -> Result<Volume, FilterError>;
    type Part = fn(&Volume, &BoundingBox) -> Result<Volume, FilterError>;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any region of every intensity map is the whole-volume map
        /// cropped, to the last bit: the scale is the whole image's.
        #[test]
        fn a_region_is_the_whole_image_cropped_bit_for_bit(
            (shape, region) in shape_and_region(1, 9),
            seed in any::<u64>(),
            kind in 0usize..3,
        ) {
            let pixel_type = [PixelType::I16, PixelType::F32, PixelType::F64][kind];
            let img = noise(shape, [1.0; 3], pixel_type, seed);
            let maps: [(Whole, Part); 4] = [
                (square, square_in),
                (square_root, square_root_in),
                (logarithm, logarithm_in),
                (exponential, exponential_in),
            ];
            for (whole, part) in maps {
                match whole(&img) {
                    Ok(image) => assert_region_of(&part(&img, &region).unwrap(), &image, &region),
                    Err(err) => prop_assert_eq!(part(&img, &region).unwrap_err(), err),
                }
            }
        }
    }
}
