//! Local intensity features (IBSI 1, section 3.2, 9ST6), computed in 3D
//! (DHQ4).
//!
//! The local mean of a voxel is the mean intensity of every voxel whose
//! centre lies within `r = (3 / (4π))^{1/3} cm ≈ 6.2035 mm` of its centre
//! (the radius of a 1 cm³ sphere; distance ≤ r, in world coordinates, the
//! centre voxel included). The neighbourhood draws on all voxels of the
//! image, in the ROI or not (3.2); at the image's edge only voxels inside
//! the image count (the direct computation of the manual and of MIRP for
//! small ROIs, not a convolution that pads the image).
//!
//! - The local intensity peak (3.2.1) is the local mean at the voxel of
//!   the intensity mask with the highest intensity; when several voxels
//!   share it, the highest of their local means.
//! - The global intensity peak (3.2.2) is the highest local mean over all
//!   voxels of the intensity mask.
//!
//! Cost: O(N · S) for N voxels in the intensity mask and S voxels in the
//! sphere (summed row by row). An empty intensity mask gives NaN.

use super::{IbsiFeature, IbsiRoi};

/// The tags of this family.
pub const TAGS: [&str; 2] = ["loc_peak_loc", "loc_peak_glob"];

/// The radius in mm of a sphere of 1 cm³: `10 (3 / (4π))^{1/3}`.
pub fn sphere_radius_mm() -> f64 {
    10.0 * (3.0 / (4.0 * std::f64::consts::PI)).cbrt()
}

/// The sphere as runs along x: for each `(dz, dy)` offset within reach,
/// the largest `dx` with the offset inside the sphere.
fn sphere_rows(spacing: [f64; 3]) -> Vec<(isize, isize, isize)> {
    let r = sphere_radius_mm();
    let [sx, sy, sz] = spacing;
    let reach = |s: f64| (r / s).floor() as isize;
    let mut rows = Vec::new();
    for dz in -reach(sz)..=reach(sz) {
        for dy in -reach(sy)..=reach(sy) {
            let rest = r * r - (dz as f64 * sz).powi(2) - (dy as f64 * sy).powi(2);
            if rest < 0.0 {
                continue;
            }
            // The largest dx with (dx sx)² ≤ rest, checked exactly.
            let mut dx = (rest.sqrt() / sx).floor() as isize;
            while dx >= 0 && (dx as f64 * sx).powi(2) > rest {
                dx -= 1;
            }
            while ((dx + 1) as f64 * sx).powi(2) <= rest {
                dx += 1;
            }
            if dx >= 0 {
                rows.push((dz, dy, dx));
            }
        }
    }
    rows
}

/// The local mean intensity (over the 1 cm³ sphere, image voxels only) of
/// every voxel of the intensity mask, with its intensity, in raster order.
pub fn local_means(roi: &IbsiRoi) -> Vec<(f64, f64)> {
    let rows = sphere_rows(roi.spacing);
    let (nz, ny, nx) = roi.intensity.dim();
    let image = &roi.intensity;
    let mut means = Vec::new();
    for ((z, y, x), &inside) in roi.intensity_mask.indexed_iter() {
        if !inside {
            continue;
        }
        let (mut sum, mut count) = (0.0, 0usize);
        for &(dz, dy, dx) in &rows {
            let (zz, yy) = (z as isize + dz, y as isize + dy);
            if zz < 0 || yy < 0 || zz >= nz as isize || yy >= ny as isize {
                continue;
            }
            let low = (x as isize - dx).max(0) as usize;
            let high = ((x as isize + dx) as usize).min(nx - 1);
            let row = image.slice(ndarray::s![zz as usize, yy as usize, low..=high]);
            sum += row.sum();
            count += high - low + 1;
        }
        means.push((image[(z, y, x)], sum / count as f64));
    }
    means
}

/// Both `loc_*` features of [`TAGS`] (IBSI 3.2.1–3.2.2).
pub fn features(roi: &IbsiRoi) -> Vec<IbsiFeature> {
    let means = local_means(roi);
    let highest = means.iter().map(|m| m.0).fold(f64::NEG_INFINITY, f64::max);
    let local = means
        .iter()
        .filter(|m| m.0 == highest)
        .map(|m| m.1)
        .fold(f64::NAN, f64::max);
    let global = means.iter().map(|m| m.1).fold(f64::NAN, f64::max);
    vec![
        IbsiFeature::new(TAGS[0], local),
        IbsiFeature::new(TAGS[1], global),
    ]
}

#[cfg(test)]
mod tests {
    use ndarray::Array3;

    use super::*;

    #[test]
    fn sphere_has_the_expected_voxels() {
        assert!((sphere_radius_mm() - 6.203504908994).abs() < 1e-11);
        let count = |spacing| -> isize {
            sphere_rows(spacing)
                .iter()
                .map(|&(_, _, dx)| 2 * dx + 1)
                .sum()
        };
        // 2 mm voxels: offsets with a² + b² + c² ≤ 9.62 (in voxels), i.e.
        // ≤ 9: 1 + 6 + 12 + 8 + 6 + 24 + 24 + 12 + 30 (norms 0..9) = 123.
        assert_eq!(count([2.0; 3]), 123);
        // 1 mm voxels: the lattice points in a ball of radius 6.2035; close
        // to its volume 1000.
        let n = count([1.0; 3]);
        assert!((900..1100).contains(&n), "{n}");
        // Anisotropic: 7 mm slices reach no other slice.
        assert!(
            sphere_rows([1.0, 1.0, 7.0])
                .iter()
                .all(|&(dz, _, _)| dz == 0)
        );
    }

    #[test]
    fn peaks_by_hand() {
        // A 1 × 1 × 5 row with 10 mm voxels: every sphere holds its centre
        // only, so the local means are the intensities.
        let intensity = Array3::from_shape_vec((1, 1, 5), vec![1.0, 5.0, 2.0, 5.0, 9.0]).unwrap();
        let mut mask = Array3::from_elem((1, 1, 5), true);
        mask[(0, 0, 4)] = false;
        let features = features(&IbsiRoi::undiscretised(
            intensity.clone(),
            mask.clone(),
            [10.0; 3],
        ));
        assert_eq!(features[0].value, 5.0);
        assert_eq!(features[1].value, 5.0);
        // 4 mm voxels along x: neighbours at ±4 mm count, the image's edge
        // cuts the sphere. Means: (1+5)/2, (1+5+2)/3, (5+2+5)/3, (2+5+9)/3.
        let features = super::features(&IbsiRoi::undiscretised(intensity, mask, [4.0, 10.0, 10.0]));
        // The two voxels of 5 have means 8/3 and 16/3: the local peak is
        // the larger; the global peak is the largest mean in the mask.
        assert!((features[0].value - 16.0 / 3.0).abs() < 1e-12);
        assert!((features[1].value - 16.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn empty_mask_gives_nan() {
        let features = features(&IbsiRoi::undiscretised(
            Array3::zeros((2, 2, 2)),
            Array3::from_elem((2, 2, 2), false),
            [1.0; 3],
        ));
        assert!(features.iter().all(|f| f.value.is_nan()));
    }
}
