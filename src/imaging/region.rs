//! Boxes of voxels: the part of an image that feature extraction reads
//! (the ROI's bounding box), and the grid such a part sits on.

use std::ops::Range;

use ndarray::s;

use super::{Geometry, Volume};

/// A box of voxels in array indices, inclusive: `lower[a]..=upper[a]` along
/// axis `a` of `[z, y, x]` (PyRadiomics' bounding box of an ROI, in numpy's
/// axis order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundingBox {
    /// Lowest index per axis.
    pub lower: [usize; 3],
    /// Highest index per axis.
    pub upper: [usize; 3],
}

impl BoundingBox {
    /// The box of every voxel of an array of shape `[z, y, x]`, or `None`
    /// when an axis is empty.
    pub fn whole(shape: [usize; 3]) -> Option<BoundingBox> {
        if shape.contains(&0) {
            return None;
        }
        Some(BoundingBox {
            lower: [0; 3],
            upper: shape.map(|n| n - 1),
        })
    }

    /// Extent per axis (0 along an axis whose bounds are reversed).
    pub fn size(&self) -> [usize; 3] {
        [0, 1, 2].map(|a| (self.upper[a] + 1).saturating_sub(self.lower[a]))
    }

    /// The indices along array axis `axis` (0, 1 or 2), as a half-open
    /// range.
    pub fn range(&self, axis: usize) -> Range<usize> {
        self.lower[axis]..self.upper[axis] + 1
    }

    /// Whether the box holds at least one voxel and lies inside an array of
    /// shape `[z, y, x]`.
    pub fn fits(&self, shape: [usize; 3]) -> bool {
        (0..3).all(|a| self.lower[a] <= self.upper[a] && self.upper[a] < shape[a])
    }

    /// Whether the box is the whole of an array of shape `[z, y, x]`.
    pub fn is_whole(&self, shape: [usize; 3]) -> bool {
        Some(*self) == BoundingBox::whole(shape)
    }
}

impl Geometry {
    /// The grid of the part of this grid that starts at array index
    /// `lower` (`[z, y, x]`) and has array shape `shape`: same spacing and
    /// axes, the origin moved to the part's first voxel (as SimpleITK's
    /// region of interest and PyRadiomics' `cropToTumorMask` move it).
    pub fn region(&self, lower: [usize; 3], shape: [usize; 3]) -> Geometry {
        let mut geometry = self.clone();
        let offset = [lower[2], lower[1], lower[0]];
        for (row, origin) in geometry.origin.iter_mut().enumerate() {
            *origin += (0..3)
                .map(|axis| {
                    geometry.direction[row][axis] * geometry.spacing[axis] * offset[axis] as f64
                })
                .sum::<f64>();
        }
        geometry.dims = [shape[2], shape[1], shape[0]];
        geometry
    }
}

impl Volume {
    /// The voxels of `region` on their own grid ([`Geometry::region`]), or
    /// `None` when the region does not fit the volume.
    pub fn region(&self, region: &BoundingBox) -> Option<Volume> {
        let s = self.data.shape();
        if !region.fits([s[0], s[1], s[2]]) {
            return None;
        }
        let (lo, hi) = (region.lower, region.upper);
        let data = self
            .data
            .slice(s![lo[0]..=hi[0], lo[1]..=hi[1], lo[2]..=hi[2]])
            .to_owned();
        Some(Volume {
            data,
            geometry: self.geometry.region(lo, region.size()),
            pixel_type: self.pixel_type,
        })
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array3;

    use super::*;
    use crate::imaging::PixelType;

    #[test]
    fn boxes_know_their_extent_and_fit() {
        let whole = BoundingBox::whole([3, 4, 5]).unwrap();
        assert_eq!(whole.size(), [3, 4, 5]);
        assert!(whole.fits([3, 4, 5]) && whole.is_whole([3, 4, 5]));
        assert!(!whole.fits([3, 4, 4]));
        assert_eq!(BoundingBox::whole([3, 0, 5]), None);
        let reversed = BoundingBox {
            lower: [2, 0, 0],
            upper: [1, 0, 0],
        };
        assert_eq!(reversed.size(), [0, 1, 1]);
        assert!(!reversed.fits([3, 4, 5]));
        assert_eq!(whole.range(2), 0..5);
    }

    #[test]
    fn regions_move_the_origin_along_the_axes() {
        let volume = Volume {
            data: Array3::from_shape_fn((3, 4, 5), |(z, y, x)| (z * 100 + y * 10 + x) as f64),
            geometry: Geometry {
                dims: [5, 4, 3],
                spacing: [0.5, 2.0, 3.0],
                origin: [10.0, 0.0, 1.0],
                direction: [[-1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            },
            pixel_type: PixelType::I16,
        };
        let region = BoundingBox {
            lower: [1, 2, 3],
            upper: [2, 2, 4],
        };
        let part = volume.region(&region).unwrap();
        assert_eq!(part.data.shape(), [2, 1, 2]);
        assert_eq!(part.data[[0, 0, 0]], 123.0);
        assert_eq!(part.geometry.dims, [2, 1, 2]);
        assert_eq!(part.geometry.origin, [10.0 - 1.5, 4.0, 4.0]);
        let whole = volume
            .region(&BoundingBox::whole([3, 4, 5]).unwrap())
            .unwrap();
        assert_eq!(whole, volume);
        assert_eq!(
            volume.region(&BoundingBox {
                lower: [0; 3],
                upper: [3, 0, 0]
            }),
            None
        );
    }
}
