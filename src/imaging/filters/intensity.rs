//! PyRadiomics 3.1's intensity maps (`getSquareImage`,
//! `getSquareRootImage`, `getLogarithmImage`, `getExponentialImage`): each
//! rescaled by the largest absolute intensity so the result stays in the
//! range of the original, computed in `f64` as PyRadiomics casts the image
//! to `float64` first.

use rayon::prelude::*;

use super::{FilterError, derived, require_voxels, voxels};
use crate::imaging::{PixelType, Volume};

/// `numpy.max(numpy.abs(im))`.
fn max_abs(values: &[f64]) -> f64 {
    values
        .par_iter()
        .fold(|| 0.0, |acc: f64, v| acc.max(v.abs()))
        .reduce(|| 0.0, f64::max)
}

fn map(
    volume: &Volume,
    filter: &'static str,
    build: impl Fn(&[f64]) -> Result<Vec<f64>, FilterError>,
) -> Result<Volume, FilterError> {
    let shape = require_voxels(volume, filter)?;
    let values = build(&voxels(volume))?;
    Ok(derived(volume, shape, values, PixelType::F64))
}

/// `(c·x)²` with `c = 1 / sqrt(max|x|)` (PyRadiomics `getSquareImage`):
/// squares scaled back to the original range. An all-zero image is refused
/// (PyRadiomics would produce NaN).
pub fn square(volume: &Volume) -> Result<Volume, FilterError> {
    map(volume, "square", |values| {
        let peak = max_abs(values);
        if peak == 0.0 {
            return Err(FilterError::ZeroImage { filter: "square" });
        }
        let coeff = 1.0 / peak.sqrt();
        Ok(values
            .par_iter()
            .map(|&x| {
                let scaled = coeff * x;
                scaled * scaled
            })
            .collect())
    })
}

/// `sqrt(c·x)` for `x > 0`, `-sqrt(-c·x)` for `x < 0`, with `c = max|x|`
/// (PyRadiomics `getSquareRootImage`).
pub fn square_root(volume: &Volume) -> Result<Volume, FilterError> {
    map(volume, "squareroot", |values| {
        let coeff = max_abs(values);
        Ok(values
            .par_iter()
            .map(|&x| {
                if x > 0.0 {
                    (x * coeff).sqrt()
                } else if x < 0.0 {
                    -(-x * coeff).sqrt()
                } else {
                    x
                }
            })
            .collect())
    })
}

/// `log(x + 1)` for `x > 0`, `-log(1 - x)` for `x < 0`, rescaled so the
/// largest absolute value is `max|x|` again (PyRadiomics
/// `getLogarithmImage`). An all-zero image is refused (0/0 in PyRadiomics).
pub fn logarithm(volume: &Volume) -> Result<Volume, FilterError> {
    map(volume, "logarithm", |values| {
        let peak = max_abs(values);
        if peak == 0.0 {
            return Err(FilterError::ZeroImage {
                filter: "logarithm",
            });
        }
        let mut logs: Vec<f64> = values
            .par_iter()
            .map(|&x| {
                if x > 0.0 {
                    (x + 1.0).ln()
                } else if x < 0.0 {
                    -(-(x - 1.0)).ln()
                } else {
                    x
                }
            })
            .collect();
        let scale = peak / max_abs(&logs);
        logs.par_iter_mut().for_each(|v| *v *= scale);
        Ok(logs)
    })
}

/// `exp(c·x)` with `c = log(max|x|) / max|x|` (PyRadiomics
/// `getExponentialImage`), so that `max|x|` maps to itself. An all-zero
/// image is refused (0/0 in PyRadiomics).
pub fn exponential(volume: &Volume) -> Result<Volume, FilterError> {
    map(volume, "exponential", |values| {
        let peak = max_abs(values);
        if peak == 0.0 {
            return Err(FilterError::ZeroImage {
                filter: "exponential",
            });
        }
        let coeff = peak.ln() / peak;
        Ok(values.par_iter().map(|&x| (coeff * x).exp()).collect())
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::imaging::filters::testing::{assert_voxels, volume};

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
}
