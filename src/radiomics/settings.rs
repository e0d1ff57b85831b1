//! Extraction settings, named and defaulted as in PyRadiomics 3.1
//! (`featureextractor._getDefaultSettings`, the feature classes' own
//! defaults and the parameter schema `paramSchema.yaml`).

use yaml_rust2::Yaml;

/// Which definitions the pipeline follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// PyRadiomics 3.1, exactly: binning anchored at 0, its resampling grid,
    /// its feature definitions and names.
    PyRadiomics,
    /// The IBSI reference manual: binning from the lower re-segmentation
    /// bound or the ROI's minimum, the intensity and morphological masks
    /// kept apart, every feature family and aggregation, IBSI tags (see
    /// [`super::ibsi`]).
    Ibsi,
}

impl Mode {
    /// The setting's value in parameter files.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::PyRadiomics => "pyradiomics",
            Mode::Ibsi => "ibsi",
        }
    }
}

/// Interpolators of `interpolator`, as SimpleITK names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpolator {
    /// `sitkNearestNeighbor`.
    NearestNeighbor,
    /// `sitkLinear`.
    Linear,
    /// `sitkBSpline` (cubic B-spline), PyRadiomics' default.
    BSpline,
}

/// How `resegmentRange` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResegmentMode {
    /// Thresholds are intensities.
    Absolute,
    /// Thresholds are fractions of the ROI's maximum.
    Relative,
    /// Thresholds are standard deviations from the ROI's mean.
    Sigma,
}

/// Weighting of GLCM/GLRLM matrices by the distance of their angles
/// (`weightingNorm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightingNorm {
    /// Infinity norm.
    Infinity,
    /// Euclidean norm.
    Euclidean,
    /// Manhattan norm.
    Manhattan,
    /// No weighting, but angles are summed before features are computed.
    NoWeighting,
}

/// Method of the 2D local binary pattern (`lbp2DMethod`), as scikit-image
/// names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LbpMethod {
    /// Grey-scale but not rotation invariant.
    Default,
    /// Rotation invariant.
    Ror,
    /// Uniform patterns, rotation invariant.
    Uniform,
    /// Variance of the neighbourhood (rotation invariant, not grey-scale).
    Var,
}

/// Every setting of an extraction. Field docs give the PyRadiomics name and
/// default.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// `mode` (radcohort): which definitions to follow; `pyradiomics`.
    pub mode: Mode,
    /// `minimumROIDimensions` (default 2): dimensions in which the ROI must span more
    /// than one voxel (1–3).
    pub minimum_roi_dimensions: u32,
    /// `minimumROISize` (default none): the ROI must have more voxels than this.
    pub minimum_roi_size: Option<u64>,
    /// `geometryTolerance` (default none): tolerance of the image/mask geometry check.
    pub geometry_tolerance: Option<f64>,
    /// `correctMask` (default false): resample a mask that does not match its image.
    pub correct_mask: bool,
    /// `additionalInfo` (default true): add `diagnostics_*` entries.
    pub additional_info: bool,
    /// `label` (default 1): the mask value of the ROI.
    pub label: u32,
    /// `binWidth` (default 25): width of the gray-level bins.
    pub bin_width: f64,
    /// `binCount` (default none): a fixed number of bins instead of a width.
    pub bin_count: Option<u32>,
    /// `normalize` (default false): z-score the whole image first.
    pub normalize: bool,
    /// `normalizeScale` (default 1): scale after normalisation.
    pub normalize_scale: f64,
    /// `removeOutliers` (default none): clip normalised values beyond this many SDs.
    pub remove_outliers: Option<f64>,
    /// `resampledPixelSpacing` (default none): resample to this spacing (x, y, z);
    /// a 0 keeps that axis' spacing.
    pub resampled_pixel_spacing: Option<[f64; 3]>,
    /// `interpolator` (default sitkBSpline).
    pub interpolator: Interpolator,
    /// `padDistance` (default 5): voxels kept around the ROI when cropping before
    /// filtering.
    pub pad_distance: usize,
    /// `preCrop` (default false): crop to the ROI plus padding before filtering.
    pub pre_crop: bool,
    /// `distances` (default 1): neighbour distances of GLCM and NGTDM.
    pub distances: Vec<u32>,
    /// `force2D` (default false): texture in 2D slices.
    pub force_2d: bool,
    /// `force2Ddimension` (default 0): the axis across slices (0 = z, as numpy).
    pub force_2d_dimension: usize,
    /// `resegmentRange` (default none): one or two thresholds.
    pub resegment_range: Option<Vec<f64>>,
    /// `resegmentMode` (default absolute).
    pub resegment_mode: ResegmentMode,
    /// `resegmentShape` (default false): use the resegmented mask for shape too.
    pub resegment_shape: bool,
    /// `sigma` (default none): LoG widths in mm.
    pub sigma: Vec<f64>,
    /// Whether each sigma was written as an integer (`1`, not `1.0`):
    /// PyRadiomics names the image after the number as written
    /// (`log-sigma-1-mm-3D` against `log-sigma-1-0-mm-3D`).
    pub sigma_integers: Vec<bool>,
    /// `start_level` (default 0): first wavelet level used.
    pub start_level: u32,
    /// `level` (default 1): wavelet levels used.
    pub level: u32,
    /// `wavelet` (default coif1).
    pub wavelet: String,
    /// `gradientUseSpacing` (default true).
    pub gradient_use_spacing: bool,
    /// `lbp2DRadius` (default 1).
    pub lbp_2d_radius: f64,
    /// `lbp2DSamples` (default 8).
    pub lbp_2d_samples: u32,
    /// `lbp2DMethod` (default uniform).
    pub lbp_2d_method: LbpMethod,
    /// `lbp3DLevels` (default 2).
    pub lbp_3d_levels: u32,
    /// `lbp3DIcosphereRadius` (default 1).
    pub lbp_3d_icosphere_radius: f64,
    /// `lbp3DIcosphereSubdivision` (default 1).
    pub lbp_3d_icosphere_subdivision: u32,
    /// `voxelArrayShift` (default 0): added to intensities before energy features.
    pub voxel_array_shift: f64,
    /// `symmetricalGLCM` (default true).
    pub symmetrical_glcm: bool,
    /// `weightingNorm` (default none).
    pub weighting_norm: Option<WeightingNorm>,
    /// `gldm_a` (default 0): dependence cut-off α of GLDM.
    pub gldm_a: f64,
    /// `resegmentOutlier` (radcohort, IBSI mode; default none): outlier
    /// filtering, keeping intensities within this many standard deviations
    /// of the ROI's mean, on top of an absolute `resegmentRange`.
    pub resegment_outlier: Option<f64>,
    /// `roundIntensities` (radcohort, IBSI mode; default false): round
    /// interpolated intensities to the nearest integer, as for CT.
    pub round_intensities: bool,
    /// `maskThreshold` (radcohort, IBSI mode; default 0.5): the partial
    /// volume an interpolated mask voxel needs to stay in the ROI.
    pub mask_threshold: f64,
    /// `ivhBinWidth` (radcohort, IBSI mode; default none): the
    /// intensity-volume histogram's bins for continuous intensities (e.g.
    /// 0.1 SUV); without it and `ivhBinCount`, intensities are used as they
    /// are (CT in HU).
    pub ivh_bin_width: Option<f64>,
    /// `ivhBinCount` (radcohort, IBSI mode; default none): the IVH's
    /// number of bins for arbitrary units (e.g. 1000 for MRI).
    pub ivh_bin_count: Option<u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mode: Mode::PyRadiomics,
            minimum_roi_dimensions: 2,
            minimum_roi_size: None,
            geometry_tolerance: None,
            correct_mask: false,
            additional_info: true,
            label: 1,
            bin_width: 25.0,
            bin_count: None,
            normalize: false,
            normalize_scale: 1.0,
            remove_outliers: None,
            resampled_pixel_spacing: None,
            interpolator: Interpolator::BSpline,
            pad_distance: 5,
            pre_crop: false,
            distances: vec![1],
            force_2d: false,
            force_2d_dimension: 0,
            resegment_range: None,
            resegment_mode: ResegmentMode::Absolute,
            resegment_shape: false,
            sigma: Vec::new(),
            sigma_integers: Vec::new(),
            start_level: 0,
            level: 1,
            wavelet: "coif1".to_owned(),
            gradient_use_spacing: true,
            lbp_2d_radius: 1.0,
            lbp_2d_samples: 8,
            lbp_2d_method: LbpMethod::Uniform,
            lbp_3d_levels: 2,
            lbp_3d_icosphere_radius: 1.0,
            lbp_3d_icosphere_subdivision: 1,
            voxel_array_shift: 0.0,
            symmetrical_glcm: true,
            weighting_norm: None,
            gldm_a: 0.0,
            resegment_outlier: None,
            round_intensities: false,
            mask_threshold: 0.5,
            ivh_bin_width: None,
            ivh_bin_count: None,
        }
    }
}

/// Every setting name, as parameter files spell them.
pub const SETTING_NAMES: &[&str] = &[
    "mode",
    "minimumROIDimensions",
    "minimumROISize",
    "geometryTolerance",
    "correctMask",
    "additionalInfo",
    "label",
    "binWidth",
    "binCount",
    "normalize",
    "normalizeScale",
    "removeOutliers",
    "resampledPixelSpacing",
    "interpolator",
    "padDistance",
    "preCrop",
    "distances",
    "force2D",
    "force2Ddimension",
    "resegmentRange",
    "resegmentMode",
    "resegmentShape",
    "resegmentOutlier",
    "roundIntensities",
    "maskThreshold",
    "ivhBinWidth",
    "ivhBinCount",
    "sigma",
    "start_level",
    "level",
    "wavelet",
    "gradientUseSpacing",
    "lbp2DRadius",
    "lbp2DSamples",
    "lbp2DMethod",
    "lbp3DLevels",
    "lbp3DIcosphereRadius",
    "lbp3DIcosphereSubdivision",
    "voxelArrayShift",
    "symmetricalGLCM",
    "weightingNorm",
    "gldm_a",
];

/// Wavelets PyWavelets offers and radcohort implements: every discrete
/// wavelet of `pywt.wavelist(kind="discrete")` (PyWavelets 1.8), whose
/// filters `imaging::filters` carries.
pub const WAVELETS: &[&str] = &[
    "haar", "db1", "db2", "db3", "db4", "db5", "db6", "db7", "db8", "db9", "db10", "db11", "db12",
    "db13", "db14", "db15", "db16", "db17", "db18", "db19", "db20", "db21", "db22", "db23", "db24",
    "db25", "db26", "db27", "db28", "db29", "db30", "db31", "db32", "db33", "db34", "db35", "db36",
    "db37", "db38", "sym2", "sym3", "sym4", "sym5", "sym6", "sym7", "sym8", "sym9", "sym10",
    "sym11", "sym12", "sym13", "sym14", "sym15", "sym16", "sym17", "sym18", "sym19", "sym20",
    "coif1", "coif2", "coif3", "coif4", "coif5", "coif6", "coif7", "coif8", "coif9", "coif10",
    "coif11", "coif12", "coif13", "coif14", "coif15", "coif16", "coif17", "bior1.1", "bior1.3",
    "bior1.5", "bior2.2", "bior2.4", "bior2.6", "bior2.8", "bior3.1", "bior3.3", "bior3.5",
    "bior3.7", "bior3.9", "bior4.4", "bior5.5", "bior6.8", "rbio1.1", "rbio1.3", "rbio1.5",
    "rbio2.2", "rbio2.4", "rbio2.6", "rbio2.8", "rbio3.1", "rbio3.3", "rbio3.5", "rbio3.7",
    "rbio3.9", "rbio4.4", "rbio5.5", "rbio6.8", "dmey",
];

fn number(value: &Yaml) -> Option<f64> {
    match value {
        Yaml::Integer(n) => Some(*n as f64),
        Yaml::Real(text) => value.as_f64().or_else(|| text.parse().ok()),
        _ => None,
    }
}

fn float(value: &Yaml, check: impl Fn(f64) -> bool, rule: &str) -> Result<f64, String> {
    match number(value) {
        Some(x) if x.is_finite() && check(x) => Ok(x),
        _ => Err(format!("expected a number {rule}")),
    }
}

fn integer(value: &Yaml, low: i64, high: i64) -> Result<i64, String> {
    match value {
        Yaml::Integer(n) if (low..=high).contains(n) => Ok(*n),
        _ if high == i64::MAX => Err(format!("expected a whole number of at least {low}")),
        _ => Err(format!("expected a whole number from {low} to {high}")),
    }
}

fn boolean(value: &Yaml) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| "expected true or false".to_owned())
}

fn text(value: &Yaml) -> Result<&str, String> {
    value.as_str().ok_or_else(|| "expected a word".to_owned())
}

fn list(value: &Yaml) -> Result<Vec<&Yaml>, String> {
    match value {
        Yaml::Array(items) => Ok(items.iter().collect()),
        Yaml::Integer(_) | Yaml::Real(_) => Ok(vec![value]),
        _ => Err("expected a list".to_owned()),
    }
}

fn one_of<T: Copy>(value: &Yaml, choices: &[(&str, T)]) -> Result<T, String> {
    let word = text(value)?;
    choices
        .iter()
        .find(|(name, _)| *name == word)
        .map(|(_, choice)| *choice)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
            format!("expected one of {}", names.join(", "))
        })
}

impl Settings {
    /// Sets one setting from its parameter-file value, checking it as
    /// PyRadiomics' schema does. The error says what was expected.
    pub fn set(&mut self, key: &str, value: &Yaml) -> Result<(), String> {
        let positive = |x: f64| x > 0.0;
        match key {
            "mode" => {
                self.mode = one_of(
                    value,
                    &[("pyradiomics", Mode::PyRadiomics), ("ibsi", Mode::Ibsi)],
                )?
            }
            "roundIntensities" => self.round_intensities = boolean(value)?,
            "ivhBinWidth" => {
                self.ivh_bin_width = match value {
                    Yaml::Null => None,
                    _ => Some(float(value, positive, "above 0")?),
                }
            }
            "ivhBinCount" => {
                self.ivh_bin_count = match value {
                    Yaml::Null => None,
                    _ => Some(integer(value, 1, i64::from(u32::MAX))? as u32),
                }
            }
            "maskThreshold" => {
                self.mask_threshold = float(value, |t| t > 0.0 && t <= 1.0, "in (0, 1]")?
            }
            "resegmentOutlier" => {
                self.resegment_outlier = match value {
                    Yaml::Null => None,
                    _ => Some(float(value, positive, "above 0")?),
                }
            }
            "minimumROIDimensions" => self.minimum_roi_dimensions = integer(value, 1, 3)? as u32,
            "minimumROISize" => {
                self.minimum_roi_size = match value {
                    Yaml::Null => None,
                    _ => Some(integer(value, 1, i64::MAX)? as u64),
                }
            }
            "geometryTolerance" => {
                self.geometry_tolerance = Some(float(value, positive, "above 0")?)
            }
            "correctMask" => self.correct_mask = boolean(value)?,
            "additionalInfo" => self.additional_info = boolean(value)?,
            "label" => self.label = integer(value, 1, i64::from(u32::MAX))? as u32,
            "binWidth" => self.bin_width = float(value, positive, "above 0")?,
            "binCount" => {
                self.bin_count = match value {
                    Yaml::Null => None,
                    _ => Some(integer(value, 1, i64::from(u32::MAX))? as u32),
                }
            }
            "normalize" => self.normalize = boolean(value)?,
            "normalizeScale" => self.normalize_scale = float(value, positive, "above 0")?,
            "removeOutliers" => {
                self.remove_outliers = match value {
                    Yaml::Null => None,
                    _ => Some(float(value, positive, "above 0")?),
                }
            }
            "resampledPixelSpacing" => {
                self.resampled_pixel_spacing = match value {
                    Yaml::Null => None,
                    _ => {
                        let items = list(value)?;
                        let spacing: Vec<f64> = items
                            .iter()
                            .map(|v| float(v, |x| x >= 0.0, "of at least 0"))
                            .collect::<Result<_, _>>()?;
                        let spacing: [f64; 3] = spacing
                            .try_into()
                            .map_err(|_| "expected three spacings (x, y, z) in mm".to_owned())?;
                        Some(spacing)
                    }
                }
            }
            "interpolator" => {
                self.interpolator = match value {
                    Yaml::Integer(1) => Interpolator::NearestNeighbor,
                    Yaml::Integer(2) => Interpolator::Linear,
                    Yaml::Integer(3) => Interpolator::BSpline,
                    _ => one_of(
                        value,
                        &[
                            ("sitkNearestNeighbor", Interpolator::NearestNeighbor),
                            ("sitkLinear", Interpolator::Linear),
                            ("sitkBSpline", Interpolator::BSpline),
                        ],
                    )?,
                }
            }
            "padDistance" => self.pad_distance = integer(value, 0, 1000)? as usize,
            "preCrop" => self.pre_crop = boolean(value)?,
            "distances" => {
                self.distances = list(value)?
                    .iter()
                    .map(|v| integer(v, 1, 1000).map(|d| d as u32))
                    .collect::<Result<_, _>>()?;
                if self.distances.is_empty() {
                    return Err("expected at least one distance".to_owned());
                }
            }
            "force2D" => self.force_2d = boolean(value)?,
            "force2Ddimension" => self.force_2d_dimension = integer(value, 0, 2)? as usize,
            "resegmentRange" => {
                self.resegment_range = match value {
                    Yaml::Null => None,
                    _ => {
                        let range: Vec<f64> = list(value)?
                            .iter()
                            .map(|v| float(v, |_| true, ""))
                            .collect::<Result<_, _>>()?;
                        if !(1..=2).contains(&range.len()) {
                            return Err("expected one or two thresholds".to_owned());
                        }
                        Some(range)
                    }
                }
            }
            "resegmentMode" => {
                self.resegment_mode = one_of(
                    value,
                    &[
                        ("absolute", ResegmentMode::Absolute),
                        ("relative", ResegmentMode::Relative),
                        ("sigma", ResegmentMode::Sigma),
                    ],
                )?
            }
            "resegmentShape" => self.resegment_shape = boolean(value)?,
            "sigma" => {
                let items = list(value)?;
                self.sigma = items
                    .iter()
                    .map(|v| float(v, positive, "above 0"))
                    .collect::<Result<_, _>>()?;
                self.sigma_integers = items
                    .iter()
                    .map(|v| matches!(v, Yaml::Integer(_)))
                    .collect();
            }
            "start_level" => self.start_level = integer(value, 0, 20)? as u32,
            "level" => self.level = integer(value, 1, 20)? as u32,
            "wavelet" => {
                let name = text(value)?;
                if !WAVELETS.contains(&name) {
                    return Err(format!(
                        "unknown wavelet; expected one of {}",
                        WAVELETS.join(", ")
                    ));
                }
                self.wavelet = name.to_owned();
            }
            "gradientUseSpacing" => self.gradient_use_spacing = boolean(value)?,
            "lbp2DRadius" => self.lbp_2d_radius = float(value, positive, "above 0")?,
            "lbp2DSamples" => self.lbp_2d_samples = integer(value, 1, 64)? as u32,
            "lbp2DMethod" => {
                self.lbp_2d_method = one_of(
                    value,
                    &[
                        ("default", LbpMethod::Default),
                        ("ror", LbpMethod::Ror),
                        ("uniform", LbpMethod::Uniform),
                        ("var", LbpMethod::Var),
                    ],
                )?
            }
            "lbp3DLevels" => self.lbp_3d_levels = integer(value, 1, 10)? as u32,
            "lbp3DIcosphereRadius" => {
                self.lbp_3d_icosphere_radius = float(value, positive, "above 0")?
            }
            "lbp3DIcosphereSubdivision" => {
                self.lbp_3d_icosphere_subdivision = integer(value, 0, 5)? as u32
            }
            "voxelArrayShift" => {
                self.voxel_array_shift = integer(value, i64::MIN, i64::MAX)? as f64
            }
            "symmetricalGLCM" => self.symmetrical_glcm = boolean(value)?,
            "weightingNorm" => {
                self.weighting_norm = match value {
                    Yaml::Null => None,
                    _ => Some(one_of(
                        value,
                        &[
                            ("infinity", WeightingNorm::Infinity),
                            ("euclidean", WeightingNorm::Euclidean),
                            ("manhattan", WeightingNorm::Manhattan),
                            ("no_weighting", WeightingNorm::NoWeighting),
                        ],
                    )?),
                }
            }
            "gldm_a" => self.gldm_a = integer(value, 0, i64::MAX)? as f64,
            _ => {
                let hint = SETTING_NAMES
                    .iter()
                    .find(|name| name.eq_ignore_ascii_case(key))
                    .map(|name| format!(" (did you mean {name}?)"))
                    .unwrap_or_default();
                return Err(format!("unknown setting{hint}"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Yaml {
        yaml_rust2::YamlLoader::load_from_str(text)
            .unwrap()
            .remove(0)
    }

    #[test]
    fn settings_parse_and_check_like_the_schema() {
        let mut s = Settings::default();
        s.set("binWidth", &yaml("0.5")).unwrap();
        s.set("binCount", &yaml("32")).unwrap();
        s.set("resampledPixelSpacing", &yaml("[2, 2, 0]")).unwrap();
        s.set("interpolator", &yaml("sitkLinear")).unwrap();
        s.set("sigma", &yaml("[1.0, 2, 3.5]")).unwrap();
        s.set("distances", &yaml("[1, 2]")).unwrap();
        assert_eq!(s.bin_width, 0.5);
        assert_eq!(s.bin_count, Some(32));
        assert_eq!(s.resampled_pixel_spacing, Some([2.0, 2.0, 0.0]));
        assert_eq!(s.interpolator, Interpolator::Linear);
        assert_eq!(s.sigma, [1.0, 2.0, 3.5]);
        assert_eq!(s.distances, [1, 2]);
    }

    #[test]
    fn bad_values_and_unknown_keys_say_why() {
        let mut s = Settings::default();
        assert_eq!(
            s.set("binWidth", &yaml("-1")).unwrap_err(),
            "expected a number above 0"
        );
        assert_eq!(
            s.set("minimumROIDimensions", &yaml("4")).unwrap_err(),
            "expected a whole number from 1 to 3"
        );
        assert_eq!(
            s.set("interpolator", &yaml("cubic")).unwrap_err(),
            "expected one of sitkNearestNeighbor, sitkLinear, sitkBSpline"
        );
        assert_eq!(
            s.set("binwidth", &yaml("5")).unwrap_err(),
            "unknown setting (did you mean binWidth?)"
        );
        assert!(s.set("resampledPixelSpacing", &yaml("[1, 1]")).is_err());
        assert!(s.set("wavelet", &yaml("coif18")).is_err());
        assert_eq!(s, Settings::default());
    }

    #[test]
    fn every_named_setting_is_accepted() {
        for name in SETTING_NAMES {
            let mut s = Settings::default();
            let err = s.set(name, &Yaml::BadValue).unwrap_err();
            assert!(!err.starts_with("unknown setting"), "{name}");
        }
    }
}
