//! The texture API's bookkeeping: settings, empty ROIs and cropping (the
//! timings are in `benches/ibsi.rs`). The digital phantom's reference values are
//! checked for every family together, in `ibsi::phantom`.

use super::*;

#[test]
fn settings_select_families_and_aggregations() {
    let levels = ndarray::array![[[1, 2, 2], [1, 1, 3]], [[2, 2, 1], [3, 0, 1]]];
    let roi = roi_from_levels(levels, 3);
    let all = texture_features(&roi, &TextureSettings::default());
    assert_eq!(
        all.len(),
        6 * 25 + 6 * 16 + 3 * 16 + 3 * 16 + 3 * 5 + 3 * 17
    );
    let settings = TextureSettings {
        families: vec![TextureFamily::Ngldm, TextureFamily::Glcm],
        directional_aggregations: vec![DirectionalAggregation::ThreeDComb],
        aggregations: vec![TextureAggregation::TwoHalfD],
        ..TextureSettings::default()
    };
    let some = texture_features(&roi, &settings);
    assert_eq!(some.len(), 25 + 17);
    assert_eq!(some[0].tag, "cm_joint_max_3D_comb");
    assert_eq!(some[25].tag, "ngl_lde_2_5D");
    // The same values as in the full run, and as the family functions give.
    for f in &some {
        let full = all.iter().find(|g| g.tag == f.tag).unwrap();
        assert!(f.value == full.value || (f.value.is_nan() && full.value.is_nan()));
    }
    let direct = glcm_features(&roi, &[DirectionalAggregation::ThreeDComb], 1);
    assert_eq!(direct, some[..25].to_vec());
}

#[test]
fn empty_and_single_voxel_rois_give_nan_without_panicking() {
    let empty = roi_from_levels(ndarray::Array3::zeros((2, 3, 3)), 4);
    let out = texture_features(&empty, &TextureSettings::default());
    assert!(out.iter().all(|f| f.value.is_nan()));
    let mut one = ndarray::Array3::zeros((2, 3, 3));
    one[(1, 1, 1)] = 2;
    let out = texture_features(&roi_from_levels(one, 4), &TextureSettings::default());
    let szm = out.iter().find(|f| f.tag == "szm_sze_3D").unwrap();
    assert_eq!(szm.value, 1.0);
    assert!(
        out.iter()
            .find(|f| f.tag == "cm_joint_max_3D_avg")
            .unwrap()
            .value
            .is_nan()
    );
}

#[test]
fn the_grid_is_cropped_to_the_roi_and_the_morphological_mask() {
    let mut levels = ndarray::Array3::zeros((4, 5, 6));
    levels[(1, 2, 3)] = 2;
    levels[(2, 3, 3)] = 1;
    let mut roi = roi_from_levels(levels, 3);
    roi.morphological_mask[(2, 1, 4)] = true;
    let grid = Grid::new(&roi);
    // z 1..3, y 1..4, x 3..5.
    assert_eq!(grid.dims, [2, 3, 2]);
    assert_eq!(grid.ng, 3);
    let at = |z: usize, y: usize, x: usize| (z * 3 + y) * 2 + x;
    assert_eq!(grid.levels[at(0, 1, 0)], 2);
    assert_eq!(grid.levels[at(1, 2, 0)], 1);
    assert_eq!(grid.levels.iter().filter(|&&l| l > 0).count(), 2);
    assert!(grid.morph[at(1, 0, 1)] && grid.morph[at(0, 1, 0)]);
    assert_eq!(grid.morph.iter().filter(|&&m| m).count(), 3);
    assert_eq!(grid.slices().count(), 2);
    // A level above n_levels raises N_g; a mask of another shape is
    // ignored.
    roi.levels[(1, 2, 3)] = 5;
    roi.morphological_mask = ndarray::Array3::from_elem((1, 1, 1), true);
    let grid = Grid::new(&roi);
    assert_eq!((grid.dims, grid.ng), ([2, 2, 1], 5));
    assert_eq!(grid.morph, vec![true, false, false, true]);
}
