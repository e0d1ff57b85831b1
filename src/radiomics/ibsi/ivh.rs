//! Intensity-volume histogram features (IBSI 1, section 3.5, P88C): the
//! cumulative histogram of the intensities `X_gl` of the voxels in the
//! intensity mask, over the 3D volume (DHQ4).
//!
//! The IVH needs its own discretisation `X_d,gl` (finer than the texture
//! families', so [`IbsiRoi::levels`] is not used), a total range `G` and an
//! interval `w_d` (3.5, "Discrete / Continuous calibrated image
//! intensities", "Arbitrary intensity units"); [`IvhSettings`] chooses
//! among the manual's three recipes. On the grid `i ∈ {min G, min G + w_d,
//! …} ∩ G`:
//!
//! - the volume fraction `ν_i = 1 − (1/N_v) Σ [X_d,gl < i]`, the fraction of
//!   voxels with at least intensity `i`;
//! - the intensity fraction `γ_i = (i − min G) / (max G − min G)`.
//!
//! Then (3.5.1–3.5.5):
//! - `V_x` is the largest `ν_i` with `γ_i ≥ x`;
//! - `I_x` is the smallest `i` with `ν_i ≤ x`. When no grid intensity
//!   qualifies (more than `x` of the voxels hold the highest intensity of
//!   `G`), the manual gives no value; following the reference
//!   implementation (MIRP) `I_x` is then the largest `X_d,gl`;
//! - the area under the IVH is the trapezoidal rule over the points
//!   `(γ_i, ν_i)`, and 0 when `G` holds one intensity only.
//!
//! With a single grid intensity `γ` is 0/0, so `V_x` is NaN. An empty
//! intensity mask gives NaN for every feature.

use super::statistics::masked_intensities;
use super::{IbsiFeature, IbsiRoi};

/// The tags of this family, in the manual's order.
pub const TAGS: [&str; 7] = [
    "ivh_v10",
    "ivh_v90",
    "ivh_i10",
    "ivh_i90",
    "ivh_diff_v10_v90",
    "ivh_diff_i10_i90",
    "ivh_auc",
];

/// The most grid intensities an IVH may have (a guard against ranges far
/// wider than the data, e.g. a bin width of 10⁻⁹).
pub const MAX_GRID_POINTS: usize = 10_000_000;

/// How the IVH discretises intensities (IBSI 3.5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IvhDiscretisation {
    /// Discrete calibrated intensities (e.g. CT in HU, and the digital
    /// phantom): used as they are, `X_d,gl = X_gl`, with `w_d = 1`. The
    /// range `G` is the re-segmentation range when given (an infinite
    /// bound is replaced by the intensities' minimum or maximum, as for a
    /// half-open range), else `[min X_gl, max X_gl]`.
    Calibrated {
        /// The re-segmentation range, if any.
        range: Option<(f64, f64)>,
    },
    /// Continuous calibrated intensities (e.g. PET in SUV): fixed bin size
    /// `w_b` from `X_min` (the range's lower bound, else `min X_gl`) up to
    /// `X_max` (the upper bound, else `max X_gl`), bin `X_d = ⌊(X − X_min) /
    /// w_b⌋ + 1` replaced by its centre `X_min + (X_d − 0.5) w_b`;
    /// `G = [X_min + w_b/2, X_max − w_b/2]` and `w_d = w_b`.
    FixedBinSize {
        /// The bin width `w_b`, e.g. 0.1 SUV.
        bin_width: f64,
        /// The re-segmentation range, if any.
        range: Option<(f64, f64)>,
    },
    /// Arbitrary intensity units (e.g. MRI): fixed bin number
    /// `X_d = ⌊N_g (X − min) / (max − min)⌋ + 1` (the maximum in bin `N_g`),
    /// `X_d,gl = X_d`, `w_d = 1` and `G = [1, N_g]`; the manual recommends
    /// `N_g = 1000`.
    FixedBinNumber {
        /// The number of bins `N_g`.
        bins: u32,
    },
}

/// The IVH's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IvhSettings {
    /// The discretisation; by default [`IvhDiscretisation::Calibrated`]
    /// without a range, the recipe for the digital phantom (its
    /// intensities are used as they are, `G = [1, 6]`, `w_d = 1`).
    pub discretisation: IvhDiscretisation,
}

impl Default for IvhSettings {
    fn default() -> Self {
        IvhSettings {
            discretisation: IvhDiscretisation::Calibrated { range: None },
        }
    }
}

/// The IVH on its grid: intensities `i`, volume fractions `ν_i` and
/// intensity fractions `γ_i`, plus the largest discretised intensity.
#[derive(Debug, Clone, PartialEq)]
pub struct IntensityVolumeHistogram {
    /// The grid intensities `i`, ascending.
    pub intensity: Vec<f64>,
    /// The volume fractions `ν_i`.
    pub volume_fraction: Vec<f64>,
    /// The intensity fractions `γ_i` (NaN when `G` is a single intensity).
    pub intensity_fraction: Vec<f64>,
    /// The largest discretised intensity `max X_d,gl`.
    pub max_intensity: f64,
}

/// Resolves an optional range against the data's extremes.
fn bounds(range: Option<(f64, f64)>, low: f64, high: f64) -> (f64, f64) {
    match range {
        None => (low, high),
        Some((a, b)) => (
            if a.is_finite() { a } else { low },
            if b.is_finite() { b } else { high },
        ),
    }
}

impl IntensityVolumeHistogram {
    /// The IVH of `values` (`X_gl`) under `discretisation`; `None` without
    /// values, with a bin width or bin number that is not positive, or with
    /// a grid of more than [`MAX_GRID_POINTS`] intensities.
    pub fn new(values: &[f64], discretisation: IvhDiscretisation) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        let low = values.iter().copied().fold(f64::INFINITY, f64::min);
        let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // Each recipe gives the grid as `g_min + k w` for k = 0..m, the
        // range G, and each voxel's position on the grid: a count of
        // voxels below every grid point is all ν needs.
        let n = values.len() as f64;
        match discretisation {
            IvhDiscretisation::Calibrated { range } => {
                let (g_min, g_max) = bounds(range, low, high);
                let steps = (g_max - g_min).floor();
                if !steps.is_finite() || steps < 0.0 || steps >= MAX_GRID_POINTS as f64 {
                    return None;
                }
                let intensity: Vec<f64> = (0..=steps as usize).map(|k| g_min + k as f64).collect();
                let mut sorted = values.to_vec();
                sorted.sort_by(f64::total_cmp);
                let volume_fraction = intensity
                    .iter()
                    .map(|&i| 1.0 - sorted.partition_point(|&x| x < i) as f64 / n)
                    .collect();
                Some(Self::finish(intensity, volume_fraction, g_min, g_max, high))
            }
            IvhDiscretisation::FixedBinSize { bin_width, range } => {
                let (x_min, x_max) = bounds(range, low, high);
                let bins = (x_max - x_min) / bin_width;
                if !bin_width.is_finite()
                    || bin_width <= 0.0
                    || !bins.is_finite()
                    || bins >= MAX_GRID_POINTS as f64
                {
                    return None;
                }
                let bin = |x: f64| ((x - x_min) / bin_width).floor().max(0.0) as usize;
                let m = (((x_max - x_min) / bin_width).floor() as usize).max(1);
                let centre = |k: usize| x_min + (k as f64 + 0.5) * bin_width;
                let max_bin = values.iter().map(|&x| bin(x)).max().unwrap_or(0);
                let (intensity, volume_fraction) = Self::cumulate(values, bin, m, centre);
                Some(Self::finish(
                    intensity,
                    volume_fraction,
                    x_min + 0.5 * bin_width,
                    x_max - 0.5 * bin_width,
                    centre(max_bin),
                ))
            }
            IvhDiscretisation::FixedBinNumber { bins } => {
                if bins == 0 || bins as usize > MAX_GRID_POINTS {
                    return None;
                }
                let n_g = bins as usize;
                let bin = |x: f64| {
                    if high > low {
                        ((n_g as f64 * (x - low) / (high - low)).floor() as usize).min(n_g - 1)
                    } else {
                        0
                    }
                };
                let level = |k: usize| (k + 1) as f64;
                let max_bin = values.iter().map(|&x| bin(x)).max().unwrap_or(0);
                let (intensity, volume_fraction) = Self::cumulate(values, bin, n_g, level);
                Some(Self::finish(
                    intensity,
                    volume_fraction,
                    1.0,
                    n_g as f64,
                    level(max_bin),
                ))
            }
        }
    }

    /// Grid intensities `at(k)` for `k < m` and their volume fractions, for
    /// values binned by `bin` (0-based bins on the same grid).
    fn cumulate(
        values: &[f64],
        bin: impl Fn(f64) -> usize,
        m: usize,
        at: impl Fn(usize) -> f64,
    ) -> (Vec<f64>, Vec<f64>) {
        let mut counts = vec![0u64; m];
        for &x in values {
            // Bins past the grid hold voxels above every grid point.
            if let Some(c) = counts.get_mut(bin(x)) {
                *c += 1;
            }
        }
        let n = values.len() as f64;
        let mut below = 0u64;
        let mut volume_fraction = Vec::with_capacity(m);
        for &c in &counts {
            volume_fraction.push(1.0 - below as f64 / n);
            below += c;
        }
        ((0..m).map(at).collect(), volume_fraction)
    }

    fn finish(
        intensity: Vec<f64>,
        volume_fraction: Vec<f64>,
        g_min: f64,
        g_max: f64,
        max_intensity: f64,
    ) -> Self {
        let span = g_max - g_min;
        let intensity_fraction = intensity
            .iter()
            .map(|&i| {
                if span > 0.0 {
                    (i - g_min) / span
                } else {
                    f64::NAN
                }
            })
            .collect();
        IntensityVolumeHistogram {
            intensity,
            volume_fraction,
            intensity_fraction,
            max_intensity,
        }
    }

    /// `V_x`: the largest volume fraction at intensity fraction ≥ `x`
    /// (a fraction, 0.1 for V10); NaN when none.
    pub fn volume_at(&self, x: f64) -> f64 {
        self.intensity_fraction
            .iter()
            .zip(&self.volume_fraction)
            .filter(|&(&gamma, _)| gamma >= x)
            .map(|(_, &nu)| nu)
            .fold(f64::NAN, f64::max)
    }

    /// `I_x`: the smallest intensity whose volume fraction is at most `x`;
    /// the largest discretised intensity when none is.
    pub fn intensity_at(&self, x: f64) -> f64 {
        self.intensity
            .iter()
            .zip(&self.volume_fraction)
            .find(|&(_, &nu)| nu <= x)
            .map_or(self.max_intensity, |(&i, _)| i)
    }

    /// The area under the curve `ν(γ)` by the trapezoidal rule; 0 with a
    /// single grid intensity.
    pub fn area(&self) -> f64 {
        if self.intensity.len() < 2 {
            return 0.0;
        }
        self.intensity_fraction
            .windows(2)
            .zip(self.volume_fraction.windows(2))
            .map(|(g, v)| (g[1] - g[0]) * 0.5 * (v[0] + v[1]))
            .sum()
    }
}

/// Every `ivh_*` feature of [`TAGS`], in that order (IBSI 3.5.1–3.5.5),
/// with V10, V90, I10 and I90.
pub fn features(roi: &IbsiRoi, settings: &IvhSettings) -> Vec<IbsiFeature> {
    let values = masked_intensities(roi);
    let values = match IntensityVolumeHistogram::new(&values, settings.discretisation) {
        None => [f64::NAN; 7],
        Some(ivh) => {
            let (v10, v90) = (ivh.volume_at(0.1), ivh.volume_at(0.9));
            let (i10, i90) = (ivh.intensity_at(0.1), ivh.intensity_at(0.9));
            [v10, v90, i10, i90, v10 - v90, i10 - i90, ivh.area()]
        }
    };
    TAGS.iter()
        .zip(values)
        .map(|(tag, value)| IbsiFeature::new(*tag, value))
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The digital phantom's intensities: 50 × 1, 1 × 3, 16 × 4, 7 × 6.
    fn phantom_values() -> Vec<f64> {
        let mut values = vec![1.0; 50];
        values.push(3.0);
        values.extend([4.0; 16]);
        values.extend([6.0; 7]);
        values
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12
    }

    #[test]
    fn phantom_ivh_by_hand() {
        // The manual's example table (3.5): ν = 1, .324, .324, .311, .095,
        // .095 at i = 1..6, γ = 0, 0.2, …, 1.
        let ivh =
            IntensityVolumeHistogram::new(&phantom_values(), IvhSettings::default().discretisation)
                .unwrap();
        assert_eq!(ivh.intensity, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let want = [74.0, 24.0, 24.0, 23.0, 7.0, 7.0].map(|c| c / 74.0);
        for (nu, w) in ivh.volume_fraction.iter().zip(want) {
            assert!(close(*nu, w), "{:?}", ivh.volume_fraction);
        }
        assert!(close(ivh.volume_at(0.1), 24.0 / 74.0));
        assert!(close(ivh.volume_at(0.9), 7.0 / 74.0));
        assert_eq!(ivh.intensity_at(0.1), 5.0);
        assert_eq!(ivh.intensity_at(0.9), 2.0);
        // 0.2 (1/2 + (24 + 24 + 23 + 7) / 74 + 7/148): the manual's 0.32.
        let auc = 0.2 * (0.5 + 78.0 / 74.0 + 3.5 / 74.0);
        assert!(close(ivh.area(), auc), "{}", ivh.area());
        assert!((ivh.area() - 0.32).abs() < 0.001);
    }

    #[test]
    fn fixed_bin_recipes() {
        // Fixed bin size 0.5 from 0 to 2: bins [0, .5) … [1.5, 2), centres
        // .25 … 1.75; G = [.25, 1.75]; the maximum 2 lands past the grid.
        let values = [0.1, 0.6, 0.7, 1.9, 2.0];
        let ivh = IntensityVolumeHistogram::new(
            &values,
            IvhDiscretisation::FixedBinSize {
                bin_width: 0.5,
                range: Some((0.0, 2.0)),
            },
        )
        .unwrap();
        assert_eq!(ivh.intensity, vec![0.25, 0.75, 1.25, 1.75]);
        assert_eq!(ivh.volume_fraction, vec![1.0, 0.8, 0.4, 0.4]);
        assert_eq!(ivh.intensity_fraction, vec![0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0]);
        assert_eq!(ivh.max_intensity, 2.25);
        // No grid intensity holds at most 10 %: the largest X_d,gl.
        assert_eq!(ivh.intensity_at(0.1), 2.25);
        // Fixed bin number 4 over [0, 8]: levels 1 2 2 4 4.
        let ivh = IntensityVolumeHistogram::new(
            &[0.0, 2.0, 3.9, 7.0, 8.0],
            IvhDiscretisation::FixedBinNumber { bins: 4 },
        )
        .unwrap();
        assert_eq!(ivh.intensity, vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(ivh.volume_fraction, vec![1.0, 0.8, 0.4, 0.4]);
        assert_eq!(ivh.max_intensity, 4.0);
    }

    #[test]
    fn calibrated_range_and_single_intensity() {
        // A re-segmentation range wider than the data: G = [0, 10].
        let ivh = IntensityVolumeHistogram::new(
            &[2.0, 4.0],
            IvhDiscretisation::Calibrated {
                range: Some((0.0, 10.0)),
            },
        )
        .unwrap();
        assert_eq!(ivh.intensity.len(), 11);
        assert_eq!(ivh.intensity_at(0.1), 5.0);
        assert_eq!(ivh.volume_at(0.1), 1.0);
        assert_eq!(ivh.volume_at(0.3), 0.5);
        // Half-open: the upper bound is the maximum.
        let ivh = IntensityVolumeHistogram::new(
            &[2.0, 4.0],
            IvhDiscretisation::Calibrated {
                range: Some((0.0, f64::INFINITY)),
            },
        )
        .unwrap();
        assert_eq!(ivh.intensity, vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        // One intensity: no intensity fraction, area 0.
        let ivh = IntensityVolumeHistogram::new(&[3.0; 4], IvhSettings::default().discretisation)
            .unwrap();
        assert!(ivh.volume_at(0.1).is_nan());
        assert_eq!(ivh.area(), 0.0);
        assert_eq!(ivh.intensity_at(0.9), 3.0);
        assert!(
            IntensityVolumeHistogram::new(&[], IvhSettings::default().discretisation).is_none()
        );
    }

    proptest! {
        #[test]
        fn ivh_is_monotone(values in prop::collection::vec(-50i32..50, 1..200)) {
            let values: Vec<f64> = values.into_iter().map(f64::from).collect();
            let ivh = IntensityVolumeHistogram::new(&values, IvhSettings::default().discretisation)
                .unwrap();
            prop_assert_eq!(ivh.volume_fraction[0], 1.0);
            prop_assert!(ivh.volume_fraction.windows(2).all(|w| w[1] <= w[0]));
            // One intensity has no intensity fractions (V_x is NaN).
            prop_assume!(ivh.intensity.len() > 1);
            prop_assert!(ivh.volume_at(0.1) >= ivh.volume_at(0.9));
            prop_assert!(ivh.intensity_at(0.1) >= ivh.intensity_at(0.9));
            let area = ivh.area();
            prop_assert!((0.0..=1.0).contains(&area));
        }
    }
}
