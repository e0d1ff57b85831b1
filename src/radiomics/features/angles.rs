//! Neighbour offsets ("angles") of the texture matrices, generated as
//! PyRadiomics' `cMatrices.generate_angles` does.

/// An offset (dz, dy, dx) between a voxel and its neighbour, in array order.
pub type Angle = [i32; 3];

/// The offsets whose Chebyshev length is one of `distances`, within the
/// ROI's bounding box `size` (z, y, x): no offset along an axis may exceed
/// the box's extent minus one. Without `bidirectional`, only one of each
/// pair of opposite offsets is kept (the one whose first non-zero component
/// is positive). With `force_2d`, offsets along `force_2d_dimension` are 0.
/// The order is PyRadiomics': dz, then dy, then dx descending from the
/// largest distance.
pub fn generate_angles(
    size: [usize; 3],
    distances: &[u32],
    bidirectional: bool,
    force_2d: bool,
    force_2d_dimension: usize,
) -> Vec<Angle> {
    let largest = distances.iter().copied().max().unwrap_or(0) as i32;
    let reach = |axis: usize| -> i32 {
        if force_2d && axis == force_2d_dimension {
            0
        } else {
            largest.min(size[axis].saturating_sub(1) as i32)
        }
    };
    let (rz, ry, rx) = (reach(0), reach(1), reach(2));
    let mut angles = Vec::new();
    for dz in (-rz..=rz).rev() {
        for dy in (-ry..=ry).rev() {
            for dx in (-rx..=rx).rev() {
                let angle = [dz, dy, dx];
                let length = dz.abs().max(dy.abs()).max(dx.abs());
                if length == 0 || !distances.contains(&(length as u32)) {
                    continue;
                }
                let first_nonzero = angle.iter().copied().find(|&d| d != 0).unwrap_or(0);
                if bidirectional || first_nonzero > 0 {
                    angles.push(angle);
                }
            }
        }
    }
    angles
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected lists are PyRadiomics 3.1.4 `cMatrices.generate_angles` outputs.
    #[test]
    fn thirteen_unidirectional_angles_in_3d() {
        assert_eq!(
            generate_angles([5, 5, 5], &[1], false, false, 0),
            [
                [1, 1, 1],
                [1, 1, 0],
                [1, 1, -1],
                [1, 0, 1],
                [1, 0, 0],
                [1, 0, -1],
                [1, -1, 1],
                [1, -1, 0],
                [1, -1, -1],
                [0, 1, 1],
                [0, 1, 0],
                [0, 1, -1],
                [0, 0, 1]
            ]
        );
        assert_eq!(
            generate_angles([5, 5, 5], &[1, 2], false, false, 0).len(),
            62
        );
    }

    #[test]
    fn a_flat_box_or_force_2d_keeps_in_plane_angles() {
        let in_plane = [[0, 1, 1], [0, 1, 0], [0, 1, -1], [0, 0, 1]];
        assert_eq!(generate_angles([1, 5, 5], &[1], false, false, 0), in_plane);
        assert_eq!(
            generate_angles([5, 5, 5], &[1], true, true, 0),
            [
                [0, 1, 1],
                [0, 1, 0],
                [0, 1, -1],
                [0, 0, 1],
                [0, 0, -1],
                [0, -1, 1],
                [0, -1, 0],
                [0, -1, -1]
            ]
        );
    }

    #[test]
    fn the_box_limits_each_axis() {
        let angles = generate_angles([5, 5, 2], &[2], false, false, 0);
        assert_eq!(angles.len(), 24);
        assert_eq!(angles[..3], [[2, 2, 1], [2, 2, 0], [2, 2, -1]]);
        assert_eq!(angles[15..18], [[1, 2, 1], [1, 2, 0], [1, 2, -1]]);
        assert_eq!(angles[21..], [[0, 2, 1], [0, 2, 0], [0, 2, -1]]);
    }
}
