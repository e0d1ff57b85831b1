use std::fmt;

/// Where a voxel grid sits in the world: size, spacing, origin and axes.
///
/// The voxel with index `(i, j, k)` has world position
/// `origin + direction · diag(spacing) · (i, j, k)`, in NIfTI's RAS+
/// millimetres. `direction[r][c]` is row `r`, column `c`: column `c` is the
/// unit vector of voxel axis `c`, as in ITK's direction matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Geometry {
    /// Voxels along each axis (i, j, k).
    pub dims: [usize; 3],
    /// Voxel size along each axis in mm, always positive.
    pub spacing: [f64; 3],
    /// World position of voxel (0, 0, 0) in mm.
    pub origin: [f64; 3],
    /// Direction cosines; columns are the voxel axes.
    pub direction: [[f64; 3]; 3],
}

/// How far two geometries may differ and still describe the same grid.
///
/// Headers store single-precision floats, so files written from one grid by
/// different tools can differ in the last bits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeometryTolerance {
    /// Largest absolute difference of voxel spacing, in mm.
    pub spacing_mm: f64,
    /// Largest absolute difference of the origin, in mm.
    pub origin_mm: f64,
    /// Largest absolute difference of any direction cosine.
    pub direction: f64,
}

impl Default for GeometryTolerance {
    fn default() -> Self {
        GeometryTolerance {
            spacing_mm: 1e-4,
            origin_mm: 1e-3,
            direction: 1e-4,
        }
    }
}

/// One way in which two geometries differ.
#[derive(Debug, Clone, PartialEq)]
pub enum GeometryMismatch {
    /// The grids have different numbers of voxels.
    Dimensions {
        /// Dimensions of the first grid.
        left: [usize; 3],
        /// Dimensions of the second grid.
        right: [usize; 3],
    },
    /// The voxel sizes differ.
    Spacing {
        /// Spacing of the first grid.
        left: [f64; 3],
        /// Spacing of the second grid.
        right: [f64; 3],
    },
    /// The grids start at different world positions.
    Origin {
        /// Origin of the first grid.
        left: [f64; 3],
        /// Origin of the second grid.
        right: [f64; 3],
    },
    /// The axes point in different directions.
    Direction {
        /// Direction cosines of the first grid.
        left: [[f64; 3]; 3],
        /// Direction cosines of the second grid.
        right: [[f64; 3]; 3],
    },
}

impl fmt::Display for GeometryMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GeometryMismatch::Dimensions { left, right } => write!(
                f,
                "dimensions {} vs {}",
                format_dims(left),
                format_dims(right)
            ),
            GeometryMismatch::Spacing { left, right } => write!(
                f,
                "spacing {} vs {} mm",
                format_triple(left),
                format_triple(right)
            ),
            GeometryMismatch::Origin { left, right } => write!(
                f,
                "origin {} vs {} mm",
                format_triple(left),
                format_triple(right)
            ),
            GeometryMismatch::Direction { left, right } => write!(
                f,
                "orientation {} vs {}",
                orientation_code(left),
                orientation_code(right)
            ),
        }
    }
}

impl Geometry {
    /// Number of voxels in the grid.
    pub fn voxel_count(&self) -> usize {
        self.dims.iter().product()
    }

    /// Every way in which `other` differs from `self` beyond `tolerance`;
    /// empty when the two describe the same grid.
    pub fn mismatches(
        &self,
        other: &Geometry,
        tolerance: GeometryTolerance,
    ) -> Vec<GeometryMismatch> {
        let mut found = Vec::new();
        if self.dims != other.dims {
            found.push(GeometryMismatch::Dimensions {
                left: self.dims,
                right: other.dims,
            });
        }
        let spacing_differs = self
            .spacing
            .iter()
            .zip(&other.spacing)
            .any(|(a, b)| (a - b).abs() > tolerance.spacing_mm);
        if spacing_differs {
            found.push(GeometryMismatch::Spacing {
                left: self.spacing,
                right: other.spacing,
            });
        }
        let origin_differs = self
            .origin
            .iter()
            .zip(&other.origin)
            .any(|(a, b)| (a - b).abs() > tolerance.origin_mm);
        if origin_differs {
            found.push(GeometryMismatch::Origin {
                left: self.origin,
                right: other.origin,
            });
        }
        let direction_differs = self
            .direction
            .iter()
            .flatten()
            .zip(other.direction.iter().flatten())
            .any(|(a, b)| (a - b).abs() > tolerance.direction);
        if direction_differs {
            found.push(GeometryMismatch::Direction {
                left: self.direction,
                right: other.direction,
            });
        }
        found
    }

    /// The three-letter orientation code of the voxel axes (e.g. `RAS`,
    /// `LPS`): for each axis, the world direction it points towards most.
    pub fn orientation(&self) -> String {
        orientation_code(&self.direction)
    }

    /// The 4×4 voxel-to-world affine, row-major, as in a NIfTI sform.
    pub fn affine(&self) -> [[f64; 4]; 4] {
        let mut affine = [[0.0; 4]; 4];
        for (r, row) in affine.iter_mut().take(3).enumerate() {
            for (c, cell) in row.iter_mut().take(3).enumerate() {
                *cell = self.direction[r][c] * self.spacing[c];
            }
            row[3] = self.origin[r];
        }
        affine[3][3] = 1.0;
        affine
    }
}

fn format_dims(dims: &[usize; 3]) -> String {
    format!("{}×{}×{}", dims[0], dims[1], dims[2])
}

fn format_triple(values: &[f64; 3]) -> String {
    format!(
        "({}, {}, {})",
        round4(values[0]),
        round4(values[1]),
        round4(values[2])
    )
}

fn round4(value: f64) -> f64 {
    (value * 1e4).round() / 1e4
}

/// NIfTI world axes point to Right, Anterior and Superior; each voxel axis is
/// named after the world axis it is closest to, with its sign.
fn orientation_code(direction: &[[f64; 3]; 3]) -> String {
    (0..3)
        .map(|c| {
            let column = [direction[0][c], direction[1][c], direction[2][c]];
            let (axis, value) = column
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
                .map(|(axis, value)| (axis, *value))
                .unwrap_or((0, 0.0));
            let (positive, negative) = [('R', 'L'), ('A', 'P'), ('S', 'I')][axis];
            if value >= 0.0 { positive } else { negative }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Geometry {
        Geometry {
            dims: [64, 64, 16],
            spacing: [2.0, 2.0, 5.0],
            origin: [-64.0, -64.0, -40.0],
            direction: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        }
    }

    #[test]
    fn identical_grids_match() {
        assert!(
            grid()
                .mismatches(&grid(), GeometryTolerance::default())
                .is_empty()
        );
    }

    #[test]
    fn float32_rounding_is_tolerated() {
        let mut other = grid();
        other.spacing[2] = 5.0_f32 as f64 + 1e-7;
        other.origin[0] += 1e-5;
        assert!(
            grid()
                .mismatches(&other, GeometryTolerance::default())
                .is_empty()
        );
    }

    #[test]
    fn every_difference_is_reported() {
        let mut other = grid();
        other.dims[2] = 15;
        other.spacing = [2.0, 2.0, 4.0];
        other.origin[1] = 0.0;
        other.direction[0][0] = -1.0;
        let found = grid().mismatches(&other, GeometryTolerance::default());
        let text: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "dimensions 64×64×16 vs 64×64×15",
                "spacing (2, 2, 5) vs (2, 2, 4) mm",
                "origin (-64, -64, -40) vs (-64, 0, -40) mm",
                "orientation RAS vs LAS",
            ]
        );
    }

    #[test]
    fn affine_scales_axes_by_spacing() {
        let affine = grid().affine();
        assert_eq!(affine[2], [0.0, 0.0, 5.0, -40.0]);
        assert_eq!(affine[3], [0.0, 0.0, 0.0, 1.0]);
    }
}
