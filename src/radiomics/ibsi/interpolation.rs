//! Interpolation onto a new grid as the IBSI reference manual prescribes
//! (section 2.4, "grid centres aligned"): the new grid keeps the image's
//! orientation and centre, has `⌈n·s/s′⌉` voxels of the new spacing `s′`
//! along each axis, and so its first voxel centre lies
//! `(s(n − 1) − s′(n′ − 1))/2` mm along the axis from the old first
//! centre. Because `s′(n′ − 1) < s·n`, every new centre lies inside the
//! old image's extent.
//!
//! The image is interpolated with the chosen interpolator (nearest
//! neighbour, trilinear or cubic B-spline, evaluated as ITK does) and its
//! intensities optionally rounded to the nearest integer, as the standard
//! does for CT; the morphological mask is interpolated trilinearly as a
//! 0/1 image and kept where the result is at least the partial-volume
//! threshold (0.5).

use ndarray::Array3;

use crate::imaging::{Geometry, Interpolation, PixelType, ResampleError, Volume, resample};

/// How the image and mask reach the new grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InterpolationSettings {
    /// The new spacing along (x, y, z) in mm; `None` keeps an axis as it is
    /// (a 2D interpolation keeps z).
    pub spacing: [Option<f64>; 3],
    /// The image's interpolator.
    pub image: Interpolation,
    /// Round interpolated intensities to the nearest integer (half away
    /// from zero), as for CT in Hounsfield units.
    pub round_intensities: bool,
    /// The partial-volume threshold of the interpolated mask.
    pub mask_threshold: f64,
}

/// The grid of `geometry` at the new spacing, centres aligned.
pub fn aligned_grid(geometry: &Geometry, spacing: [Option<f64>; 3]) -> Geometry {
    let mut grid = geometry.clone();
    let mut offset = [0.0; 3];
    for axis in 0..3 {
        let Some(new) = spacing[axis] else {
            continue;
        };
        let (n, old) = (geometry.dims[axis], geometry.spacing[axis]);
        let count = ((n as f64 * old / new) - 1e-9).ceil().max(1.0) as usize;
        offset[axis] = (old * (n as f64 - 1.0) - new * (count as f64 - 1.0)) / 2.0;
        grid.dims[axis] = count;
        grid.spacing[axis] = new;
    }
    for (row, origin) in grid.origin.iter_mut().enumerate() {
        *origin += (0..3)
            .map(|axis| geometry.direction[row][axis] * offset[axis])
            .sum::<f64>();
    }
    grid
}

/// The image and morphological mask on the new grid.
pub fn interpolate(
    image: &Volume,
    mask: &Array3<bool>,
    settings: &InterpolationSettings,
) -> Result<(Volume, Array3<bool>), ResampleError> {
    let grid = aligned_grid(&image.geometry, settings.spacing);
    let mut resampled = resample(image, &grid, settings.image, PixelType::F64)?;
    if settings.round_intensities {
        resampled.data.mapv_inplace(f64::round);
    }
    let mask_volume = Volume {
        data: mask.mapv(|inside| if inside { 1.0 } else { 0.0 }),
        geometry: image.geometry.clone(),
        pixel_type: PixelType::F64,
    };
    let fraction = resample(&mask_volume, &grid, Interpolation::Linear, PixelType::F64)?;
    let threshold = settings.mask_threshold;
    Ok((resampled, fraction.data.mapv(|f| f >= threshold)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(values: &[f64], spacing: f64) -> Volume {
        let n = values.len();
        Volume {
            data: Array3::from_shape_vec((1, 1, n), values.to_vec()).expect("a line"),
            geometry: Geometry {
                dims: [n, 1, 1],
                spacing: [spacing, 1.0, 1.0],
                origin: [10.0, 0.0, 0.0],
                direction: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            },
            pixel_type: PixelType::F64,
        }
    }

    #[test]
    fn the_new_grid_keeps_the_centre_and_covers_the_image() {
        let five = line(&[0.0; 5], 1.0).geometry;
        // 5 mm of image at 2 mm: ⌈2.5⌉ = 3 voxels, centres at 0, 2, 4 mm
        // from the old first centre (offset (4 − 4)/2 = 0).
        let grid = aligned_grid(&five, [Some(2.0), None, None]);
        assert_eq!(
            (grid.dims[0], grid.spacing[0], grid.origin[0]),
            (3, 2.0, 10.0)
        );
        // 4 mm at 2 mm: 2 voxels, offset (3 − 2)/2 = 0.5 mm.
        let four = line(&[0.0; 4], 1.0).geometry;
        let grid = aligned_grid(&four, [Some(2.0), None, None]);
        assert_eq!((grid.dims[0], grid.origin[0]), (2, 10.5));
        // Finer: 2 voxels of 3 mm at 1 mm: 6 voxels, offset (3 − 5)/2 = −1.
        let coarse = line(&[0.0; 2], 3.0).geometry;
        let grid = aligned_grid(&coarse, [Some(1.0), None, None]);
        assert_eq!((grid.dims[0], grid.origin[0]), (6, 9.0));
        // Axes not given keep their grid; a flipped axis shifts the other way.
        assert_eq!(
            (grid.dims[1], grid.spacing[1], grid.origin[1]),
            (1, 1.0, 0.0)
        );
        let mut flipped = four.clone();
        flipped.direction[0][0] = -1.0;
        assert_eq!(
            aligned_grid(&flipped, [Some(2.0), None, None]).origin[0],
            9.5
        );
    }

    #[test]
    fn a_ramp_is_interpolated_at_the_new_centres_and_rounded_on_request() {
        // Values equal their index; the new centres at old indices 0.5 and
        // 2.5 take 0.5 and 2.5 linearly, 1 and 3 rounded (half away from 0).
        let ramp = line(&[0.0, 1.0, 2.0, 3.0], 1.0);
        let all = Array3::from_elem((1, 1, 4), true);
        let mut settings = InterpolationSettings {
            spacing: [Some(2.0), None, None],
            image: Interpolation::Linear,
            round_intensities: false,
            mask_threshold: 0.5,
        };
        let (image, _) = interpolate(&ramp, &all, &settings).unwrap();
        assert_eq!(image.data.as_slice().unwrap(), [0.5, 2.5]);
        settings.round_intensities = true;
        let (image, _) = interpolate(&ramp, &all, &settings).unwrap();
        assert_eq!(image.data.as_slice().unwrap(), [1.0, 3.0]);
    }

    #[test]
    fn the_mask_keeps_voxels_at_least_half_inside() {
        // Mask 0 0 1 1 1 1 at 1 mm, to 1.5 mm: ⌈4⌉ = 4 voxels, offset
        // (5 − 4.5)/2 = 0.25 mm: centres at old indices 0.25, 1.75, 3.25,
        // 4.75, where the mask is 0, 0.75, 1, 1.
        let image = line(&[0.0; 6], 1.0);
        let mut mask = Array3::from_elem((1, 1, 6), true);
        mask[[0, 0, 0]] = false;
        mask[[0, 0, 1]] = false;
        let settings = InterpolationSettings {
            spacing: [Some(1.5), None, None],
            image: Interpolation::NearestNeighbor,
            round_intensities: false,
            mask_threshold: 0.5,
        };
        let (_, kept) = interpolate(&image, &mask, &settings).unwrap();
        assert_eq!(kept.as_slice().unwrap(), [false, true, true, true]);
        let strict = InterpolationSettings {
            mask_threshold: 0.8,
            ..settings
        };
        let (_, kept) = interpolate(&image, &mask, &strict).unwrap();
        assert_eq!(kept.as_slice().unwrap(), [false, false, true, true]);
    }
}
