//! The IBSI image processing chain (reference manual, chapter 2) after
//! the image is on its final grid: the masks, re-segmentation and
//! discretisation, and the diagnostic features that let two
//! implementations find where their chains part (section 5.2).
//!
//! - **Masks.** The morphological mask is the ROI as segmented; the
//!   intensity mask is the morphological mask less the voxels that
//!   re-segmentation removes. Morphology reads the first, every intensity
//!   and texture family the second (section 2.4).
//! - **Re-segmentation** (section 2.5): range re-segmentation keeps
//!   intensities in `[lower, upper]` (either bound may be absent); outlier
//!   filtering keeps intensities within `μ ± kσ` of the ROI (σ the
//!   population deviation), both computed on the morphological mask and
//!   combined by intersection.
//! - **Discretisation** (section 2.7): a fixed bin size `w` gives
//!   `⌊(X − X_min)/w⌋ + 1`, with `X_min` the lower re-segmentation bound
//!   when there is one, else the ROI's minimum; a fixed bin number `N_g`
//!   gives `⌊N_g (X − X_min)/(X_max − X_min)⌋ + 1`, the maximum taking
//!   level `N_g`, over the ROI's own range (every voxel level 1 when that
//!   range is empty).

use ndarray::{Array3, Zip};

use super::{IbsiFeature, IbsiRoi};

/// How intensities become grey levels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Discretisation {
    /// Fixed bin size: bins of `width` from `lower` (the lower
    /// re-segmentation bound), else from the ROI's minimum.
    FixedBinSize {
        /// The bin width, in intensity units.
        width: f64,
        /// Where the first bin starts; `None`: at the ROI's minimum.
        lower: Option<f64>,
    },
    /// Fixed bin number: `count` bins over the ROI's range.
    FixedBinNumber {
        /// The number of bins `N_g`.
        count: u32,
    },
}

/// Re-segmentation of the intensity mask.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Resegmentation {
    /// Keep intensities at or above this.
    pub lower: Option<f64>,
    /// Keep intensities at or below this.
    pub upper: Option<f64>,
    /// Keep intensities within this many standard deviations of the ROI's
    /// mean (outlier filtering; 3 in the standard's configurations).
    pub outlier_sigma: Option<f64>,
}

/// Why the chain cannot produce a ROI.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChainError {
    /// The mask has no voxel of the label.
    #[error("the mask has no voxel of the region of interest")]
    EmptyRoi,
    /// Re-segmentation removed every voxel.
    #[error("re-segmentation left no voxel in the region of interest ({0})")]
    EmptyAfterResegmentation(String),
    /// A setting is out of its range.
    #[error("{0}")]
    Setting(String),
}

/// A stage of the chain, as the diagnostic tags name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// As loaded (`init`).
    Initial,
    /// After interpolation (`interp`).
    Interpolated,
    /// After re-segmentation (`reseg`).
    Resegmented,
}

impl Stage {
    fn tag(self) -> &'static str {
        match self {
            Stage::Initial => "init",
            Stage::Interpolated => "interp",
            Stage::Resegmented => "reseg",
        }
    }
}

/// The intensity mask: the morphological mask less what re-segmentation
/// removes (both criteria computed on the morphological mask).
pub fn resegment(
    intensity: &Array3<f64>,
    morphological: &Array3<bool>,
    resegmentation: &Resegmentation,
) -> Result<Array3<bool>, ChainError> {
    if let (Some(lower), Some(upper)) = (resegmentation.lower, resegmentation.upper)
        && lower > upper
    {
        return Err(ChainError::Setting(format!(
            "the re-segmentation range [{lower}, {upper}] is empty"
        )));
    }
    let outlier = match resegmentation.outlier_sigma {
        Some(k) if k.is_nan() || k <= 0.0 => {
            return Err(ChainError::Setting(format!(
                "outlier filtering needs a positive number of standard deviations, not {k}"
            )));
        }
        Some(k) => {
            let (mean, sd) = mean_sd(intensity, morphological).ok_or(ChainError::EmptyRoi)?;
            Some((mean - k * sd, mean + k * sd))
        }
        None => None,
    };
    let mut mask = morphological.clone();
    Zip::from(&mut mask).and(intensity).for_each(|inside, &x| {
        let in_range = resegmentation.lower.is_none_or(|l| x >= l)
            && resegmentation.upper.is_none_or(|u| x <= u);
        let not_outlier = outlier.is_none_or(|(l, u)| x >= l && x <= u);
        *inside = *inside && in_range && not_outlier;
    });
    if !mask.iter().any(|&inside| inside) {
        return Err(ChainError::EmptyAfterResegmentation(format!(
            "{resegmentation:?}"
        )));
    }
    Ok(mask)
}

/// The mean and population standard deviation of the intensities in
/// `mask`, or `None` for an empty mask.
fn mean_sd(intensity: &Array3<f64>, mask: &Array3<bool>) -> Option<(f64, f64)> {
    let mut n = 0usize;
    let mut sum = 0.0;
    Zip::from(intensity).and(mask).for_each(|&x, &inside| {
        if inside {
            n += 1;
            sum += x;
        }
    });
    if n == 0 {
        return None;
    }
    let mean = sum / n as f64;
    let mut squares = 0.0;
    Zip::from(intensity).and(mask).for_each(|&x, &inside| {
        if inside {
            squares += (x - mean) * (x - mean);
        }
    });
    Some((mean, (squares / n as f64).sqrt()))
}

/// The smallest and largest intensity in `mask`.
fn range(intensity: &Array3<f64>, mask: &Array3<bool>) -> Option<(f64, f64)> {
    let mut found: Option<(f64, f64)> = None;
    Zip::from(intensity).and(mask).for_each(|&x, &inside| {
        if inside {
            found = Some(found.map_or((x, x), |(lo, hi)| (lo.min(x), hi.max(x))));
        }
    });
    found
}

/// The grey levels of the intensity mask (0 outside) and the number of
/// levels `N_g` texture matrices are sized by: the bin number, or for a
/// fixed bin size the level of the upper re-segmentation bound when there
/// is one, else the highest level in the ROI.
pub fn discretise(
    intensity: &Array3<f64>,
    mask: &Array3<bool>,
    discretisation: Discretisation,
    upper: Option<f64>,
) -> Result<(Array3<u32>, u32), ChainError> {
    let (min, max) = range(intensity, mask).ok_or(ChainError::EmptyRoi)?;
    let level_of: Box<dyn Fn(f64) -> u32> = match discretisation {
        Discretisation::FixedBinSize { width, lower } => {
            if width.is_nan() || width <= 0.0 || width.is_infinite() {
                return Err(ChainError::Setting(format!(
                    "the bin width must be positive, not {width}"
                )));
            }
            let origin = lower.unwrap_or(min);
            Box::new(move |x| ((x - origin) / width).floor().max(0.0) as u32 + 1)
        }
        Discretisation::FixedBinNumber { count } => {
            if count == 0 {
                return Err(ChainError::Setting(
                    "the bin number must be at least 1".into(),
                ));
            }
            let span = max - min;
            Box::new(move |x| {
                if span > 0.0 {
                    ((f64::from(count) * (x - min) / span).floor() as u32 + 1).min(count)
                } else {
                    1
                }
            })
        }
    };
    let mut levels = Array3::<u32>::zeros(intensity.raw_dim());
    Zip::from(&mut levels)
        .and(intensity)
        .and(mask)
        .for_each(|level, &x, &inside| {
            if inside {
                *level = level_of(x);
            }
        });
    let highest = levels.iter().copied().max().unwrap_or(1);
    let n_levels = match discretisation {
        Discretisation::FixedBinNumber { count } => count,
        Discretisation::FixedBinSize { .. } => upper.map_or(highest, |u| level_of(u).max(highest)),
    };
    Ok((levels, n_levels))
}

/// The ROI the families read, from the image and morphological mask on
/// their final grid.
pub fn roi(
    intensity: Array3<f64>,
    morphological_mask: Array3<bool>,
    spacing: [f64; 3],
    resegmentation: &Resegmentation,
    discretisation: Discretisation,
) -> Result<IbsiRoi, ChainError> {
    if !morphological_mask.iter().any(|&inside| inside) {
        return Err(ChainError::EmptyRoi);
    }
    let intensity_mask = resegment(&intensity, &morphological_mask, resegmentation)?;
    let (levels, n_levels) = discretise(
        &intensity,
        &intensity_mask,
        discretisation,
        resegmentation.upper,
    )?;
    Ok(IbsiRoi {
        intensity,
        intensity_mask,
        morphological_mask,
        spacing,
        levels,
        n_levels,
    })
}

/// The image diagnostics of a stage: dimensions, voxel size and the mean,
/// minimum and maximum intensity (`img_dim_x_init_img`, …).
pub fn image_diagnostics(
    intensity: &Array3<f64>,
    spacing: [f64; 3],
    stage: Stage,
) -> Vec<IbsiFeature> {
    let stage = stage.tag();
    let (nz, ny, nx) = intensity.dim();
    let all = Array3::from_elem(intensity.raw_dim(), true);
    let (min, max) = range(intensity, &all).unwrap_or((f64::NAN, f64::NAN));
    let mean = mean_sd(intensity, &all).map_or(f64::NAN, |(mean, _)| mean);
    let mut out = Vec::new();
    for (axis, n) in [("x", nx), ("y", ny), ("z", nz)] {
        out.push(IbsiFeature::new(
            format!("img_dim_{axis}_{stage}_img"),
            n as f64,
        ));
    }
    for (axis, s) in ["x", "y", "z"].iter().zip(spacing) {
        out.push(IbsiFeature::new(format!("vox_dim_{axis}_{stage}_img"), s));
    }
    out.push(IbsiFeature::new(format!("mean_int_{stage}_img"), mean));
    out.push(IbsiFeature::new(format!("min_int_{stage}_img"), min));
    out.push(IbsiFeature::new(format!("max_int_{stage}_img"), max));
    out
}

/// The ROI diagnostics of a stage: the intensity mask's array and
/// bounding-box dimensions, both masks' bounding boxes and voxel counts,
/// and the intensity mask's mean, minimum and maximum intensity
/// (`int_mask_vox_count_reseg_roi`, `morph_mask_bb_dim_z_interp_roi`, …).
pub fn roi_diagnostics(
    intensity: &Array3<f64>,
    intensity_mask: &Array3<bool>,
    morphological_mask: &Array3<bool>,
    stage: Stage,
) -> Vec<IbsiFeature> {
    let stage = stage.tag();
    let (nz, ny, nx) = intensity_mask.dim();
    let mut out = Vec::new();
    for (axis, n) in [("x", nx), ("y", ny), ("z", nz)] {
        out.push(IbsiFeature::new(
            format!("int_mask_dim_{axis}_{stage}_roi"),
            n as f64,
        ));
    }
    for (name, mask) in [
        ("int_mask", intensity_mask),
        ("morph_mask", morphological_mask),
    ] {
        let extent = bounding_box_extent(mask);
        for (axis, n) in ["x", "y", "z"].iter().zip(extent) {
            out.push(IbsiFeature::new(
                format!("{name}_bb_dim_{axis}_{stage}_roi"),
                n as f64,
            ));
        }
    }
    let count = |mask: &Array3<bool>| mask.iter().filter(|&&inside| inside).count() as f64;
    out.push(IbsiFeature::new(
        format!("int_mask_vox_count_{stage}_roi"),
        count(intensity_mask),
    ));
    out.push(IbsiFeature::new(
        format!("morph_mask_vox_count_{stage}_roi"),
        count(morphological_mask),
    ));
    let (min, max) = range(intensity, intensity_mask).unwrap_or((f64::NAN, f64::NAN));
    let mean = mean_sd(intensity, intensity_mask).map_or(f64::NAN, |(mean, _)| mean);
    out.push(IbsiFeature::new(
        format!("int_mask_mean_int_{stage}_roi"),
        mean,
    ));
    out.push(IbsiFeature::new(
        format!("int_mask_min_int_{stage}_roi"),
        min,
    ));
    out.push(IbsiFeature::new(
        format!("int_mask_max_int_{stage}_roi"),
        max,
    ));
    out
}

/// The size of a mask's bounding box in voxels, (x, y, z); zeros when the
/// mask is empty.
fn bounding_box_extent(mask: &Array3<bool>) -> [usize; 3] {
    let mut lower = [usize::MAX; 3];
    let mut upper = [0usize; 3];
    for ((z, y, x), &inside) in mask.indexed_iter() {
        if inside {
            for (axis, i) in [x, y, z].into_iter().enumerate() {
                lower[axis] = lower[axis].min(i);
                upper[axis] = upper[axis].max(i);
            }
        }
    }
    if lower[0] == usize::MAX {
        return [0; 3];
    }
    [0, 1, 2].map(|a| upper[a] - lower[a] + 1)
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    /// One slice of six voxels, `[z, y, x]`, all in the ROI but the last.
    fn slice() -> (Array3<f64>, Array3<bool>) {
        let intensity = array![[[-20.0, 0.0, 10.0], [24.9, 25.0, 400.0]]];
        let mask = array![[[true, true, true], [true, true, false]]];
        (intensity, mask)
    }

    #[test]
    fn a_fixed_bin_size_counts_bins_from_the_lower_bound_or_the_minimum() {
        let (intensity, mask) = slice();
        let by_minimum = Discretisation::FixedBinSize {
            width: 25.0,
            lower: None,
        };
        // From -20: (x + 20) / 25 → 0, 0.8, 1.2, 1.796, 1.8 → 1, 1, 2, 2, 2.
        let (levels, n) = discretise(&intensity, &mask, by_minimum, None).unwrap();
        assert_eq!(levels, array![[[1, 1, 2], [2, 2, 0]]]);
        assert_eq!(n, 2);
        // From -500 (a range's lower bound): (x + 500) / 25 → 19.2, 20, 20.4,
        // 20.996, 21 → 20, 21, 21, 21, 22; N_g from the upper bound 400: 37.
        let by_bound = Discretisation::FixedBinSize {
            width: 25.0,
            lower: Some(-500.0),
        };
        let (levels, n) = discretise(&intensity, &mask, by_bound, Some(400.0)).unwrap();
        assert_eq!(levels, array![[[20, 21, 21], [21, 22, 0]]]);
        assert_eq!(n, 37);
    }

    #[test]
    fn a_fixed_bin_number_spans_the_rois_range_and_the_maximum_takes_the_top_level() {
        let (intensity, mask) = slice();
        // Range -20 to 25 (45): 4·(x + 20)/45 → 0, 1.78, 2.67, 3.99, 4 → 1, 2, 3, 4, 4.
        let (levels, n) = discretise(
            &intensity,
            &mask,
            Discretisation::FixedBinNumber { count: 4 },
            None,
        )
        .unwrap();
        assert_eq!(levels, array![[[1, 2, 3], [4, 4, 0]]]);
        assert_eq!(n, 4);
        let flat = Array3::from_elem((1, 2, 2), 7.0);
        let all = Array3::from_elem((1, 2, 2), true);
        let (levels, _) = discretise(
            &flat,
            &all,
            Discretisation::FixedBinNumber { count: 8 },
            None,
        )
        .unwrap();
        assert!(
            levels.iter().all(|&l| l == 1),
            "an empty range is one level"
        );
    }

    #[test]
    fn the_phantoms_levels_are_its_intensities_with_a_unit_bin_from_the_minimum() {
        let intensity = array![[[1.0, 3.0], [4.0, 6.0]]];
        let mask = Array3::from_elem((1, 2, 2), true);
        let unit = Discretisation::FixedBinSize {
            width: 1.0,
            lower: None,
        };
        let (levels, n) = discretise(&intensity, &mask, unit, None).unwrap();
        assert_eq!(levels, array![[[1, 3], [4, 6]]]);
        assert_eq!(n, 6);
    }

    #[test]
    fn range_and_outlier_resegmentation_intersect_on_the_morphological_mask() {
        // Nine voxels at 0 and one at 100: mean 10, σ = 30, so 3σ keeps
        // [-80, 100] and 2σ keeps [-50, 70], dropping the 100.
        let mut intensity = Array3::zeros((1, 1, 10));
        intensity[[0, 0, 9]] = 100.0;
        let mask = Array3::from_elem((1, 1, 10), true);
        let three = Resegmentation {
            outlier_sigma: Some(3.0),
            ..Resegmentation::default()
        };
        assert_eq!(resegment(&intensity, &mask, &three).unwrap(), mask);
        let two = Resegmentation {
            outlier_sigma: Some(2.0),
            ..Resegmentation::default()
        };
        let kept = resegment(&intensity, &mask, &two).unwrap();
        assert!(!kept[[0, 0, 9]] && kept[[0, 0, 0]]);
        let range = Resegmentation {
            lower: Some(50.0),
            upper: Some(150.0),
            outlier_sigma: None,
        };
        let kept = resegment(&intensity, &mask, &range).unwrap();
        assert_eq!(kept.iter().filter(|&&k| k).count(), 1);
        let both = Resegmentation {
            lower: Some(50.0),
            upper: None,
            outlier_sigma: Some(2.0),
        };
        assert!(matches!(
            resegment(&intensity, &mask, &both),
            Err(ChainError::EmptyAfterResegmentation(_))
        ));
        let empty = Resegmentation {
            lower: Some(1.0),
            upper: Some(0.0),
            outlier_sigma: None,
        };
        assert!(matches!(
            resegment(&intensity, &mask, &empty),
            Err(ChainError::Setting(_))
        ));
    }

    #[test]
    fn diagnostics_name_each_stage_and_count_each_mask() {
        let (intensity, mask) = slice();
        let range = Resegmentation {
            lower: Some(0.0),
            ..Resegmentation::default()
        };
        let roi = roi(
            intensity.clone(),
            mask.clone(),
            [1.0, 2.0, 3.0],
            &range,
            Discretisation::FixedBinSize {
                width: 25.0,
                lower: Some(0.0),
            },
        )
        .unwrap();
        let found = roi_diagnostics(
            &roi.intensity,
            &roi.intensity_mask,
            &roi.morphological_mask,
            Stage::Resegmented,
        );
        let value = |tag: &str| {
            found
                .iter()
                .find(|f| f.tag == tag)
                .map(|f| f.value)
                .unwrap_or_else(|| panic!("no {tag}"))
        };
        assert_eq!(value("int_mask_vox_count_reseg_roi"), 4.0);
        assert_eq!(value("morph_mask_vox_count_reseg_roi"), 5.0);
        assert_eq!(value("int_mask_bb_dim_x_reseg_roi"), 3.0);
        assert_eq!(value("morph_mask_bb_dim_y_reseg_roi"), 2.0);
        assert_eq!(value("int_mask_min_int_reseg_roi"), 0.0);
        assert_eq!(value("int_mask_max_int_reseg_roi"), 25.0);
        assert!((value("int_mask_mean_int_reseg_roi") - 59.9 / 4.0).abs() < 1e-12);
        let image = image_diagnostics(&intensity, [1.0, 2.0, 3.0], Stage::Initial);
        let tags: Vec<&str> = image.iter().map(|f| f.tag.as_str()).collect();
        assert_eq!(
            tags,
            [
                "img_dim_x_init_img",
                "img_dim_y_init_img",
                "img_dim_z_init_img",
                "vox_dim_x_init_img",
                "vox_dim_y_init_img",
                "vox_dim_z_init_img",
                "mean_int_init_img",
                "min_int_init_img",
                "max_int_init_img"
            ]
        );
        assert_eq!(image[8].value, 400.0);
    }

    #[test]
    fn an_empty_roi_is_refused_not_computed() {
        let intensity = Array3::zeros((1, 2, 2));
        let none = Array3::from_elem((1, 2, 2), false);
        let unit = Discretisation::FixedBinSize {
            width: 1.0,
            lower: None,
        };
        assert_eq!(
            roi(intensity, none, [1.0; 3], &Resegmentation::default(), unit).unwrap_err(),
            ChainError::EmptyRoi
        );
    }
}
