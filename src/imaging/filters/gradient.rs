//! Gradient magnitude as ITK 5 `GradientMagnitudeImageFilter` computes it
//! for SimpleITK (PyRadiomics `getGradientImage`).

use rayon::prelude::*;

use super::{FilterError, derived_region, require_region, voxels, whole_region};
use crate::imaging::{BoundingBox, PixelType, Volume};

/// Gradient magnitude of the whole volume, as ITK 5
/// `GradientMagnitudeImageFilter` with `UseImageSpacing(use_spacing)`:
/// central differences `(f(i+1) - f(i-1)) / 2` (divided by the spacing when
/// `use_spacing`), the image's border value repeated outside it (ITK's
/// zero-flux Neumann condition), squares summed over x, y, z in double
/// precision and the square root rounded to SimpleITK's `f32` output.
pub fn gradient_magnitude(volume: &Volume, use_spacing: bool) -> Result<Volume, FilterError> {
    gradient_magnitude_in(volume, use_spacing, &whole_region(volume, "gradient")?)
}

/// The voxels of `region` of [`gradient_magnitude`] of the whole volume,
/// bit for bit, on the region's grid: each reads its neighbours in the
/// whole image, repeating the border only at the image's own border.
pub fn gradient_magnitude_in(
    volume: &Volume,
    use_spacing: bool,
    region: &BoundingBox,
) -> Result<Volume, FilterError> {
    let shape = require_region(volume, "gradient", region)?;
    let spacing = volume.spacing();
    if use_spacing && spacing.iter().any(|s| *s == 0.0 || !s.is_finite()) {
        return Err(FilterError::InvalidSpacing {
            filter: "gradient",
            spacing,
        });
    }
    // ITK's DerivativeOperator is (0.5, 0, -0.5), each coefficient scaled
    // by 1 / spacing; the sign does not matter once squared.
    let coeff = if use_spacing {
        spacing.map(|s| 0.5 * (1.0 / s))
    } else {
        [0.5; 3]
    };
    let [nz, ny, nx] = shape;
    let input = voxels(volume);
    let f = |z: usize, y: usize, x: usize| input[(z * ny + y) * nx + x];
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
            let (z0, z1) = (z.saturating_sub(1), (z + 1).min(nz - 1));
            let (y0, y1) = (y.saturating_sub(1), (y + 1).min(ny - 1));
            for (x, v) in region.range(2).zip(out.iter_mut()) {
                let (x0, x1) = (x.saturating_sub(1), (x + 1).min(nx - 1));
                // Sum of op[k] * pixel[k] from the lower neighbour up.
                let gx = coeff[0] * f(z, y, x0) - coeff[0] * f(z, y, x1);
                let gy = coeff[1] * f(z, y0, x) - coeff[1] * f(z, y1, x);
                let gz = coeff[2] * f(z0, y, x) - coeff[2] * f(z1, y, x);
                let sum = 0.0 + gx * gx + gy * gy + gz * gz;
                *v = f64::from(sum.sqrt() as f32);
            }
        });
    Ok(derived_region(volume, region, values, PixelType::F32))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::imaging::filters::testing::{
        assert_region_of, assert_voxels, noise, shape_and_region, volume,
    };

    #[test]
    fn matches_simpleitk_voxel_for_voxel() {
        // SimpleITK 2.5.7 GradientMagnitudeImageFilter, UseImageSpacing(True),
        // on `((7x + 3y + 11z) mod 13) * 10 - 40` (int16, [z, y, x] = [4, 5,
        // 6], spacing (1.0, 0.8, 2.0)); float32 output.
        let img = volume([4, 5, 6], [1.0, 0.8, 2.0], PixelType::I16, |z, y, x| {
            (((7 * x + 3 * y + 11 * z) % 13) * 10) as f64 - 40.0
        });
        #[rustfmt::skip]
        let expected: [f32; 120] = [
            48.2992, 20.039024, 33.65728, 20.039024, 20.039024, 40.019527, 51.538822,
            44.317745, 38.160843, 44.317745, 38.160843, 56.25, 48.28302, 51.9164, 38.160843,
            51.9164, 38.160843, 53.282852, 48.28302, 38.160843, 44.317745, 38.160843,
            44.317745, 48.28302, 35.729015, 63.05999, 68.46532, 20.039024, 68.46532,
            40.019527, 72.8869, 21.83031, 66.61456, 63.651886, 29.71216, 40.945847,
            60.376423, 39.13119, 45.15598, 39.13119, 39.13119, 56.91276, 52.261364, 49.4501,
            39.13119, 49.4501, 71.45803, 57.622154, 49.053543, 49.4501, 39.13119, 45.15598,
            39.13119, 49.053543, 36.763603, 21.83031, 29.71216, 21.83031, 29.71216,
            36.763603, 36.763603, 21.83031, 63.492126, 21.83031, 66.61456, 36.763603,
            57.622154, 71.45803, 49.4501, 39.13119, 49.4501, 52.261364, 56.91276, 39.13119,
            39.13119, 45.15598, 39.13119, 60.376423, 52.261364, 49.4501, 71.45803, 49.4501,
            39.13119, 57.622154, 36.763603, 63.492126, 21.83031, 21.83031, 21.83031,
            36.763603, 35.729015, 20.039024, 20.039024, 20.039024, 20.039024, 35.729015,
            53.282852, 38.160843, 51.9164, 38.160843, 51.9164, 48.28302, 56.25, 38.160843,
            44.317745, 38.160843, 44.317745, 51.538822, 51.538822, 44.317745, 38.160843,
            51.9164, 38.160843, 62.412437, 35.729015, 62.898727, 20.039024, 62.898727,
            20.039024, 69.507195,
        ];
        let out = gradient_magnitude(&img, true).unwrap();
        assert_eq!(out.pixel_type, PixelType::F32);
        assert_voxels(&out, &expected.map(f64::from));
    }

    #[test]
    fn borders_repeat_and_spacing_divides() {
        // f = x² along x only: interior (f(x+1) - f(x-1)) / 2 = 2x, border
        // x = 0 gives (1 - 0) / 2, x = 3 gives (9 - 4) / 2; spacing 2 halves.
        let img = volume([1, 1, 4], [2.0, 1.0, 1.0], PixelType::I16, |_, _, x| {
            (x * x) as f64
        });
        assert_voxels(
            &gradient_magnitude(&img, false).unwrap(),
            &[0.5, 2.0, 4.0, 2.5],
        );
        assert_voxels(
            &gradient_magnitude(&img, true).unwrap(),
            &[0.25, 1.0, 2.0, 1.25],
        );
        let mut bad = img.clone();
        bad.geometry.spacing[0] = 0.0;
        assert!(gradient_magnitude(&bad, true).is_err());
        assert!(gradient_magnitude(&bad, false).is_ok());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any region of the gradient magnitude is the whole-volume one
        /// cropped, to the last bit: neighbours are read across the
        /// region's faces, the border repeated only at the image's.
        #[test]
        fn a_region_is_the_whole_image_cropped_bit_for_bit(
            (shape, region) in shape_and_region(1, 9),
            spacing in (0.3f64..3.0, 0.3f64..3.0, 0.3f64..3.0),
            seed in any::<u64>(),
            kind in 0usize..3,
            use_spacing in any::<bool>(),
        ) {
            let pixel_type = [PixelType::I16, PixelType::F32, PixelType::F64][kind];
            let img = noise(shape, [spacing.0, spacing.1, spacing.2], pixel_type, seed);
            let whole = gradient_magnitude(&img, use_spacing).unwrap();
            let part = gradient_magnitude_in(&img, use_spacing, &region).unwrap();
            assert_region_of(&part, &whole, &region);
        }
    }
}
