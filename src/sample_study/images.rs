//! Synthetic diffusion-weighted MRI of the liver with a tumour.
//!
//! Each patient gets a b = 0 and a b = 800 s/mm² volume on a 72×72×18 grid
//! of 2×2×5 mm voxels (an axial liver DWI), and a tumour mask. Signal
//! follows the mono-exponential model S(b) = S0·exp(−b·ADC) with Rician
//! noise. The tumour's mean ADC falls, and its ADC heterogeneity and outline
//! irregularity rise, with the patient's latent risk — each mixed with
//! patient-level noise, so image features carry the risk only in part.

use std::f64::consts::{PI, TAU};

use ndarray::Array3;

use super::rng::Rng;
use super::simulate::SEED;
use crate::imaging::Geometry;

/// Voxels per axis.
pub(crate) const DIMS: [usize; 3] = [72, 72, 18];
/// Voxel size in mm.
pub(crate) const SPACING: [f64; 3] = [2.0, 2.0, 5.0];
/// Rician noise level of the magnitude images.
const NOISE_SIGMA: f64 = 10.0;
/// The diffusion weighting of the second volume, s/mm².
pub(crate) const B_HIGH: f64 = 800.0;

/// One patient's volumes.
pub(crate) struct PatientImages {
    pub geometry: Geometry,
    pub b0: Array3<i16>,
    pub b800: Array3<i16>,
    pub mask: Array3<u8>,
}

/// A smooth random field of unit variance: a sum of plane waves with random
/// directions, wavelengths and phases (a cheap stand-in for a Gaussian
/// random field with a band-limited spectrum).
struct WaveField {
    waves: Vec<([f64; 3], f64)>,
    amplitude: f64,
}

impl WaveField {
    fn new(rng: &mut Rng, count: usize, shortest_mm: f64, longest_mm: f64) -> Self {
        let waves = (0..count)
            .map(|_| {
                let wavelength = rng.between(shortest_mm, longest_mm);
                let cos_polar = rng.between(-1.0, 1.0);
                let sin_polar = (1.0 - cos_polar * cos_polar).sqrt();
                let azimuth = rng.between(0.0, TAU);
                let k = TAU / wavelength;
                let direction = [
                    k * sin_polar * azimuth.cos(),
                    k * sin_polar * azimuth.sin(),
                    k * cos_polar,
                ];
                (direction, rng.between(0.0, TAU))
            })
            .collect();
        WaveField {
            waves,
            amplitude: (2.0 / count as f64).sqrt(),
        }
    }

    fn at(&self, p: [f64; 3]) -> f64 {
        self.amplitude
            * self
                .waves
                .iter()
                .map(|(k, phase)| (k[0] * p[0] + k[1] * p[1] + k[2] * p[2] + phase).cos())
                .sum::<f64>()
    }
}

/// The tumour's outline: an ellipsoid whose radius undulates with direction.
struct Outline {
    centre: [f64; 3],
    radius: f64,
    stretch: [f64; 3],
    irregularity: f64,
    lobes: [(f64, f64); 2],
}

impl Outline {
    /// Distance from the centre relative to the local radius: below 1 is
    /// inside the tumour.
    fn relative_distance(&self, p: [f64; 3]) -> f64 {
        let d = [
            (p[0] - self.centre[0]) / self.stretch[0],
            (p[1] - self.centre[1]) / self.stretch[1],
            (p[2] - self.centre[2]) / self.stretch[2],
        ];
        let r = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
        if r == 0.0 {
            return 0.0;
        }
        let azimuth = d[1].atan2(d[0]);
        let polar = (d[2] / r).acos();
        let undulation = (3.0 * azimuth + self.lobes[0].0).sin()
            * (2.0 * polar + self.lobes[0].1).cos()
            + 0.5 * (5.0 * azimuth + self.lobes[1].0).cos() * (3.0 * polar).sin();
        r / (self.radius * (1.0 + self.irregularity * undulation))
    }
}

/// Standard normal distribution function, by the Abramowitz–Stegun 7.1.26
/// approximation of erf (error below 1.5e-7, ample for shaping images).
fn normal_cdf(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs() / std::f64::consts::SQRT_2);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-(x * x) / 2.0).exp();
    if x >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

/// A magnitude image voxel: the true signal with Rician noise, as i16.
fn rician(rng: &mut Rng, signal: f64) -> i16 {
    let real = signal + NOISE_SIGMA * rng.normal();
    let imaginary = NOISE_SIGMA * rng.normal();
    (real * real + imaginary * imaginary)
        .sqrt()
        .round()
        .clamp(0.0, f64::from(i16::MAX)) as i16
}

/// Renders one patient's volumes. `index` picks the patient's own random
/// stream; `latent_risk` and `tumour_size_cm` come from the simulation.
pub(crate) fn render(index: usize, latent_risk: f64, tumour_size_cm: f64) -> PatientImages {
    let mut rng = Rng::new(SEED ^ 0x1_0000, index as u64);
    let extent = [
        DIMS[0] as f64 * SPACING[0],
        DIMS[1] as f64 * SPACING[1],
        DIMS[2] as f64 * SPACING[2],
    ];
    // Radiological (LPS-like) storage, as most DICOM-converted NIfTI: the
    // first two axes run right-to-left and anterior-to-posterior.
    let geometry = Geometry {
        dims: DIMS,
        spacing: SPACING,
        origin: [
            extent[0] / 2.0 + rng.between(-5.0, 5.0),
            extent[1] / 2.0 + rng.between(-5.0, 5.0),
            -extent[2] / 2.0 + rng.between(-10.0, 10.0),
        ],
        direction: [[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]],
    };

    // Latent imaging phenotypes: each follows the risk in part.
    let diffusion_score = 0.75 * latent_risk + 0.66 * rng.normal();
    let heterogeneity_score = 0.7 * latent_risk + 0.71 * rng.normal();
    let irregularity_score = 0.5 * latent_risk + 0.87 * rng.normal();
    let adc_mean = 1.35e-3 - 0.22e-3 * diffusion_score;
    let adc_spread = 0.12e-3 * (0.35 * heterogeneity_score).exp();

    let liver_centre = [extent[0] * 0.36, extent[1] * 0.48, extent[2] * 0.5];
    let liver_axes = [44.0, 42.0, 70.0];
    let radius = (tumour_size_cm * 5.0).clamp(8.0, 36.0);
    let mut centre = [0.0; 3];
    for axis in 0..3 {
        let wanted = liver_centre[axis] + rng.between(-8.0, 8.0);
        let margin = (radius * 1.15 + 4.0).min(extent[axis] / 2.0);
        centre[axis] = wanted.clamp(margin, extent[axis] - margin);
    }
    let outline = Outline {
        centre,
        radius,
        stretch: [
            rng.between(0.88, 1.12),
            rng.between(0.88, 1.12),
            rng.between(0.88, 1.12),
        ],
        irregularity: 0.04 + 0.12 * normal_cdf(irregularity_score),
        lobes: [
            (rng.between(0.0, TAU), rng.between(0.0, PI)),
            (rng.between(0.0, TAU), 0.0),
        ],
    };
    let tumour_texture = WaveField::new(&mut rng, 12, 6.0, 20.0);
    let tumour_s0 = WaveField::new(&mut rng, 6, 10.0, 30.0);
    let liver_texture = WaveField::new(&mut rng, 4, 20.0, 60.0);
    let necrotic = radius > 25.0;

    let mut b0 = Array3::<i16>::zeros(DIMS);
    let mut b800 = Array3::<i16>::zeros(DIMS);
    let mut mask = Array3::<u8>::zeros(DIMS);
    for ((i, j, k), value) in b0.indexed_iter_mut() {
        let p = [
            i as f64 * SPACING[0],
            j as f64 * SPACING[1],
            k as f64 * SPACING[2],
        ];
        let body = ((p[0] - extent[0] / 2.0) / 66.0).powi(2)
            + ((p[1] - extent[1] / 2.0) / 54.0).powi(2)
            <= 1.0;
        let liver = (0..3)
            .map(|a| ((p[a] - liver_centre[a]) / liver_axes[a]).powi(2))
            .sum::<f64>()
            <= 1.0;
        let relative = outline.relative_distance(p);
        let (s0, adc) = if relative < 1.0 {
            mask[(i, j, k)] = 1;
            let necrosis = if necrotic && relative < 0.35 {
                0.8e-3
            } else {
                0.0
            };
            let adc =
                (adc_mean + adc_spread * tumour_texture.at(p) + necrosis).clamp(0.4e-3, 3.0e-3);
            (620.0 * (1.0 + 0.08 * tumour_s0.at(p)), adc)
        } else if liver && body {
            let texture = liver_texture.at(p);
            (
                420.0 * (1.0 + 0.04 * texture),
                1.1e-3 * (1.0 + 0.05 * texture),
            )
        } else if body {
            (160.0, 1.5e-3)
        } else {
            (0.0, 0.0)
        };
        *value = rician(&mut rng, s0);
        b800[(i, j, k)] = rician(&mut rng, s0 * (-B_HIGH * adc).exp());
    }
    PatientImages {
        geometry,
        b0,
        b800,
        mask,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tumour_adc(images: &PatientImages) -> (f64, usize) {
        let mut sum = 0.0;
        let mut count = 0;
        for ((index, &m), (&s0, &s800)) in images
            .mask
            .indexed_iter()
            .zip(images.b0.iter().zip(images.b800.iter()))
        {
            let _ = index;
            if m == 1 && s0 > 0 && s800 > 0 {
                sum += (f64::from(s0) / f64::from(s800)).ln() / B_HIGH;
                count += 1;
            }
        }
        (sum / count as f64, count)
    }

    #[test]
    fn tumour_volume_follows_its_size_and_fits_the_grid() {
        let small = render(0, 0.0, 3.0);
        let large = render(0, 0.0, 8.0);
        let voxels = |m: &Array3<u8>| m.iter().filter(|&&v| v == 1).count();
        let (s, l) = (voxels(&small.mask), voxels(&large.mask));
        // A 3 cm sphere is about 14 cm³, i.e. ~700 voxels of 20 mm³.
        assert!((400..1100).contains(&s), "{s}");
        assert!(l > 10 * s, "{l} vs {s}");
        // The mask never touches the grid's border.
        for ((i, j, _), &v) in large.mask.indexed_iter() {
            assert!(v == 0 || (i > 0 && j > 0 && i < DIMS[0] - 1 && j < DIMS[1] - 1));
        }
    }

    #[test]
    fn higher_risk_lowers_the_tumour_adc() {
        let mean = |risk: f64| {
            (0..12)
                .map(|index| tumour_adc(&render(index, risk, 4.0)).0)
                .sum::<f64>()
                / 12.0
        };
        let (low, high) = (mean(-1.5), mean(1.5));
        assert!(
            low > high + 0.3e-3,
            "ADC low-risk {low:e}, high-risk {high:e}"
        );
    }

    #[test]
    fn rendering_is_deterministic() {
        let a = render(5, 0.3, 5.0);
        let b = render(5, 0.3, 5.0);
        assert_eq!(a.b800, b.b800);
        assert_eq!(a.mask, b.mask);
        assert_eq!(a.geometry, b.geometry);
    }
}
