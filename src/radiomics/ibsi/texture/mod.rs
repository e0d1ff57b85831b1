//! IBSI texture features (IBSI reference manual, chapter 3, sections
//! 3.6–3.11): the grey level co-occurrence matrix (GLCM, `cm_*`), run length
//! matrix (GLRLM, `rlm_*`), size zone matrix (GLSZM, `szm_*`), distance zone
//! matrix (GLDZM, `dzm_*`), neighbourhood grey tone difference matrix
//! (NGTDM, `ngt_*`) and neighbouring grey level dependence matrix (NGLDM,
//! `ngl_*`), each under every aggregation method the standard names (see
//! [`DirectionalAggregation`] and [`TextureAggregation`]).
//!
//! Conventions shared by all families:
//!
//! - A voxel belongs to the ROI when its discretised level
//!   ([`IbsiRoi::levels`]) is 1 or more: the levels carry the intensity
//!   mask. Only the distance map of the GLDZM reads the morphological mask.
//! - Grey levels run from 1 to `N_g`, where `N_g` is [`IbsiRoi::n_levels`]
//!   (raised to the highest level present should a level exceed it, so that
//!   nothing is lost and nothing panics). `N_g` enters the features only
//!   through the GLCM's normalised inverse differences.
//! - Neighbourhoods and directions use the Chebyshev norm: 4 in-plane
//!   directions in 2D and 13 in 3D for GLCM and GLRLM, 8-connected zones in
//!   2D and 26-connected zones in 3D, (2δ+1)² − 1 and (2δ+1)³ − 1 neighbours
//!   for NGTDM and NGLDM.
//! - 2D means slice by slice (`z` fixed), 3D the whole volume. Slices without
//!   ROI voxels are skipped, and a matrix without any entry (a slice whose
//!   voxels have no neighbour in some direction, for example) contributes
//!   nothing to a mean or a merge.
//! - Logarithms are base 2.
//! - A definition that divides by zero gives NaN (e.g. a correlation of a
//!   single grey level, busyness with one grey level, coarseness of an
//!   image without any grey tone difference); NaN is never replaced by a
//!   default, and a mean over slices or directions that includes a NaN is
//!   NaN. With no matrix at all (an empty ROI) every feature is NaN.
//!
//! The aggregation names in the tags follow the IBSI digital phantom's
//! reference table: `_2D_avg` (2D:avg), `_2D_comb` (2D:mrg), `_2_5D_avg`
//! (2.5D:dmrg), `_2_5D_comb` (2.5D:vmrg), `_3D_avg` (3D:avg), `_3D_comb`
//! (3D:mrg) for GLCM and GLRLM ([`DirectionalAggregation`]), and `_2D`,
//! `_2_5D`, `_3D` for the others ([`TextureAggregation`]).

mod aggregation;
mod count_matrix;
mod glcm;
mod gldzm;
mod glrlm;
mod glszm;
mod ngldm;
mod ngtdm;

#[cfg(test)]
mod tests;

use ndarray::{Array3, Zip, s};

use super::{IbsiFeature, IbsiRoi};

pub use aggregation::{DirectionalAggregation, TextureAggregation};
pub use glcm::{GLCM_FEATURES, glcm_features};
pub use gldzm::{GLDZM_FEATURES, gldzm_features};
pub use glrlm::{GLRLM_FEATURES, glrlm_features};
pub use glszm::{GLSZM_FEATURES, glszm_features};
pub use ngldm::{NGLDM_FEATURES, ngldm_features};
pub use ngtdm::{NGTDM_FEATURES, ngtdm_features};

/// A texture family of the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextureFamily {
    /// Grey level co-occurrence matrix (section 3.6), `cm_*`.
    Glcm,
    /// Grey level run length matrix (section 3.7), `rlm_*`.
    Glrlm,
    /// Grey level size zone matrix (section 3.8), `szm_*`.
    Glszm,
    /// Grey level distance zone matrix (section 3.9), `dzm_*`.
    Gldzm,
    /// Neighbourhood grey tone difference matrix (section 3.10), `ngt_*`.
    Ngtdm,
    /// Neighbouring grey level dependence matrix (section 3.11), `ngl_*`.
    Ngldm,
}

impl TextureFamily {
    /// Every family, in the order of the standard (and of the output).
    pub const ALL: [TextureFamily; 6] = [
        TextureFamily::Glcm,
        TextureFamily::Glrlm,
        TextureFamily::Glszm,
        TextureFamily::Gldzm,
        TextureFamily::Ngtdm,
        TextureFamily::Ngldm,
    ];
}

/// What [`texture_features`] computes.
#[derive(Debug, Clone, PartialEq)]
pub struct TextureSettings {
    /// The families to compute; the output follows [`TextureFamily::ALL`]'s
    /// order whatever the order here.
    pub families: Vec<TextureFamily>,
    /// Aggregations of GLCM and GLRLM, output in this order.
    pub directional_aggregations: Vec<DirectionalAggregation>,
    /// Aggregations of GLSZM, GLDZM, NGTDM and NGLDM, output in this order.
    pub aggregations: Vec<TextureAggregation>,
    /// GLCM Chebyshev distance δ: pairs `(v, v + δ·d)` for each direction
    /// `d` (0 is read as 1).
    pub glcm_distance: usize,
    /// NGTDM neighbourhood: voxels within Chebyshev distance δ (0 is read
    /// as 1).
    pub ngtdm_distance: usize,
    /// NGLDM neighbourhood: voxels within Chebyshev distance δ (0 is read
    /// as 1).
    pub ngldm_distance: usize,
    /// NGLDM coarseness α: a neighbour is dependent when its grey level
    /// differs from the centre's by at most α.
    pub ngldm_alpha: u32,
}

impl Default for TextureSettings {
    /// Everything, with the parameters of the IBSI digital phantom's
    /// reference values: distances 1, α = 0.
    fn default() -> Self {
        TextureSettings {
            families: TextureFamily::ALL.to_vec(),
            directional_aggregations: DirectionalAggregation::ALL.to_vec(),
            aggregations: TextureAggregation::ALL.to_vec(),
            glcm_distance: 1,
            ngtdm_distance: 1,
            ngldm_distance: 1,
            ngldm_alpha: 0,
        }
    }
}

/// Every requested texture feature of `roi`, family by family (in
/// [`TextureFamily::ALL`]'s order), aggregation by aggregation (in the
/// settings' order), feature by feature (in the family's `*_FEATURES`
/// order), tagged as the IBSI reference tables tag them
/// (`cm_joint_max_2D_avg`, `szm_sze_3D`, …).
pub fn texture_features(roi: &IbsiRoi, settings: &TextureSettings) -> Vec<IbsiFeature> {
    let grid = Grid::new(roi);
    let mut out = Vec::new();
    for family in TextureFamily::ALL {
        if !settings.families.contains(&family) {
            continue;
        }
        match family {
            TextureFamily::Glcm => glcm::compute(
                &grid,
                &settings.directional_aggregations,
                settings.glcm_distance,
                &mut out,
            ),
            TextureFamily::Glrlm => {
                glrlm::compute(&grid, &settings.directional_aggregations, &mut out)
            }
            TextureFamily::Glszm => glszm::compute(&grid, &settings.aggregations, &mut out),
            TextureFamily::Gldzm => gldzm::compute(&grid, &settings.aggregations, &mut out),
            TextureFamily::Ngtdm => ngtdm::compute(
                &grid,
                &settings.aggregations,
                settings.ngtdm_distance,
                &mut out,
            ),
            TextureFamily::Ngldm => ngldm::compute(
                &grid,
                &settings.aggregations,
                settings.ngldm_distance,
                settings.ngldm_alpha,
                &mut out,
            ),
        }
    }
    out
}

/// The ROI as the families read it: cropped to the bounding box of the
/// ROI and the morphological mask, flattened `[z, y, x]` (x fastest).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grid {
    /// Grey level per voxel, 1..=`ng` inside the ROI, 0 outside.
    pub(crate) levels: Vec<u32>,
    /// The morphological mask, united with the ROI (so that every ROI
    /// voxel is inside it whatever the caller passed).
    pub(crate) morph: Vec<bool>,
    /// `[nz, ny, nx]` of the cropped box.
    pub(crate) dims: [usize; 3],
    /// `N_g`.
    pub(crate) ng: usize,
}

impl Grid {
    /// Crops `roi`. A morphological mask whose shape differs from the
    /// levels' is ignored (the ROI alone then makes the mask).
    pub(crate) fn new(roi: &IbsiRoi) -> Grid {
        // The mask of the box: the ROI united with the morphological mask.
        let union: Array3<bool> = if roi.morphological_mask.shape() == roi.levels.shape() {
            Zip::from(&roi.levels)
                .and(&roi.morphological_mask)
                .map_collect(|&l, &m| l > 0 || m)
        } else {
            roi.levels.mapv(|l| l > 0)
        };
        let mut lo = [usize::MAX; 3];
        let mut hi = [0usize; 3];
        for (z, plane) in union.outer_iter().enumerate() {
            for (y, row) in plane.outer_iter().enumerate() {
                let first = row.iter().position(|&m| m);
                let last = row.iter().rposition(|&m| m);
                if let (Some(first), Some(last)) = (first, last) {
                    lo = [lo[0].min(z), lo[1].min(y), lo[2].min(first)];
                    hi = [hi[0].max(z + 1), hi[1].max(y + 1), hi[2].max(last + 1)];
                }
            }
        }
        if lo[0] == usize::MAX {
            return Grid {
                levels: Vec::new(),
                morph: Vec::new(),
                dims: [0, 0, 0],
                ng: roi.n_levels.max(1) as usize,
            };
        }
        let window = s![lo[0]..hi[0], lo[1]..hi[1], lo[2]..hi[2]];
        let levels: Vec<u32> = roi.levels.slice(window).iter().copied().collect();
        let morph: Vec<bool> = union.slice(window).iter().copied().collect();
        let dims = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
        let highest = levels.iter().copied().max().unwrap_or(0);
        let ng = roi.n_levels.max(highest).max(1) as usize;
        Grid {
            levels,
            morph,
            dims,
            ng,
        }
    }

    /// A grid straight from levels (0 outside) and the morphological mask,
    /// uncropped: for the unit tests.
    #[cfg(test)]
    pub(crate) fn from_arrays(levels: &Array3<u32>, morph: &Array3<bool>, ng: u32) -> Grid {
        let shape = levels.shape();
        Grid {
            levels: levels.iter().copied().collect(),
            morph: levels
                .iter()
                .zip(morph.iter())
                .map(|(&l, &m)| l > 0 || m)
                .collect(),
            dims: [shape[0], shape[1], shape[2]],
            ng: ng.max(levels.iter().copied().max().unwrap_or(0)).max(1) as usize,
        }
    }

    /// The whole volume.
    pub(crate) fn volume(&self) -> Slab<'_> {
        Slab {
            levels: &self.levels,
            morph: &self.morph,
            dims: self.dims,
        }
    }

    /// The slices that hold ROI voxels, each as a one-slice slab.
    pub(crate) fn slices(&self) -> impl Iterator<Item = Slab<'_>> {
        let plane = self.dims[1] * self.dims[2];
        (0..self.dims[0]).filter_map(move |z| {
            let range = z * plane..(z + 1) * plane;
            let levels = &self.levels[range.clone()];
            levels.iter().any(|&l| l > 0).then(|| Slab {
                levels,
                morph: &self.morph[range],
                dims: [1, self.dims[1], self.dims[2]],
            })
        })
    }
}

/// A box of the grid: the whole volume or one slice (`dims[0] == 1`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slab<'a> {
    /// Grey levels, `[z, y, x]`, 0 outside the ROI.
    pub(crate) levels: &'a [u32],
    /// Morphological mask.
    pub(crate) morph: &'a [bool],
    /// `[nz, ny, nx]`.
    pub(crate) dims: [usize; 3],
}

impl Slab<'_> {
    /// Number of ROI voxels.
    pub(crate) fn roi_voxels(&self) -> usize {
        self.levels.iter().filter(|&&l| l > 0).count()
    }
}

/// Appends `prefix_name_suffix` for each feature of one aggregation.
pub(crate) fn push_tagged(
    out: &mut Vec<IbsiFeature>,
    prefix: &str,
    names: &[&str],
    suffix: &str,
    values: &[f64],
) {
    debug_assert_eq!(names.len(), values.len());
    for (name, &value) in names.iter().zip(values) {
        out.push(IbsiFeature::new(format!("{prefix}_{name}_{suffix}"), value));
    }
}

/// `x · log2(x)` with the convention `0 · log2 0 = 0`.
pub(crate) fn xlog2x(x: f64) -> f64 {
    if x > 0.0 { x * x.log2() } else { 0.0 }
}

/// A grid of `levels` (0 outside) with the morphological mask
/// `levels > 0` and `ng` grey levels: for the families' unit tests.
#[cfg(test)]
pub(crate) fn grid_from_levels(levels: Array3<u32>, ng: u32) -> Grid {
    let morph = levels.mapv(|l| l > 0);
    Grid::from_arrays(&levels, &morph, ng)
}

/// Builds an [`IbsiRoi`] whose levels are `levels` (0 outside), both masks
/// `levels > 0`, unit spacing: for the unit and property tests.
#[cfg(test)]
pub(crate) fn roi_from_levels(levels: Array3<u32>, n_levels: u32) -> IbsiRoi {
    let mask = levels.mapv(|l| l > 0);
    IbsiRoi {
        intensity: levels.mapv(f64::from),
        intensity_mask: mask.clone(),
        morphological_mask: mask,
        spacing: [1.0, 1.0, 1.0],
        levels,
        n_levels,
    }
}
