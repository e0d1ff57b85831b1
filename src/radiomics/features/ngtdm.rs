//! Neighbouring gray-tone difference matrix (NGTDM), as PyRadiomics 3.1
//! computes it (`ngtdm.py`, and `calculate_ngtdm` in its C extension).
//!
//! For every ROI voxel, the neighbourhood average is the mean gray level of
//! the ROI voxels at one of the `distances` (Chebyshev length, both
//! directions of each offset). The matrix holds, per gray level `i` present
//! in the ROI, the voxel count `n_i` and `s_i = Σ |i - average|`.
//!
//! PyRadiomics 3.1's C code counts a voxel without any neighbour in the ROI
//! in `n_i` with a difference of 0 — its documentation says such voxels are
//! left out, but the installed 3.1.4 counts them, so `Nvp` is the number of
//! ROI voxels. Where a feature's denominator vanishes PyRadiomics returns a
//! fixed value, matched here: Coarseness 10⁶ when `Σ p_i s_i = 0`, Contrast
//! 0 for a single gray level, Busyness 0 when `Σ Σ |i p_i - j p_j| = 0`,
//! Strength 0 when `Σ s_i = 0`.

use super::glszm::{GrayImage, Neighbourhood, finish, sum_of};
use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, feature};

/// The class's features, in PyRadiomics' order.
pub const FEATURES: &[FeatureDef] = &[
    feature("Busyness"),
    feature("Coarseness"),
    feature("Complexity"),
    feature("Contrast"),
    feature("Strength"),
];

const CLASS: &str = "ngtdm";

/// Coarseness of an ROI without any gray-tone difference (PyRadiomics'
/// stand-in for the infinite `1 / 0`).
const COARSENESS_WITHOUT_DIFFERENCES: f64 = 1e6;

/// Computes the requested features (PyRadiomics 3.1 `RadiomicsNGTDM`).
pub fn compute(
    input: &ClassInput<'_>,
    wanted: &[&'static str],
) -> Result<FeatureValues, FeatureError> {
    let gray = GrayImage::new(input, CLASS)?;
    let neighbourhood = Neighbourhood::new(gray.shape, &input.settings.distances, input, CLASS)?;
    let matrix = Ngtdm::new(&gray, &neighbourhood);
    let all = [
        ("Busyness", matrix.busyness()),
        ("Coarseness", matrix.coarseness()),
        ("Complexity", matrix.complexity()),
        ("Contrast", matrix.contrast()),
        ("Strength", matrix.strength()),
    ];
    finish(&all, wanted, CLASS)
}

/// The NGTDM of the gray levels present in the ROI, with the coefficients
/// of `ngtdm.py` (`p_i`, `s_i`, `ivector`, `Nvp`, `Ngp`).
#[derive(Debug, Clone, PartialEq)]
struct Ngtdm {
    /// Gray level `i` of each row.
    levels: Vec<f64>,
    /// `p_i = n_i / Nvp`.
    p: Vec<f64>,
    /// `s_i`.
    s: Vec<f64>,
    /// `Nvp`, the voxels counted.
    voxels: f64,
}

impl Ngtdm {
    /// The matrix in one raster pass. `s_i` is accumulated voxel by voxel in
    /// that order and the neighbour sum in offset order, as the C code does,
    /// so the sums round identically.
    fn new(gray: &GrayImage, neighbourhood: &Neighbourhood) -> Self {
        let levels = &gray.levels;
        let [depth, height, width] = gray.shape;
        let rows = gray.gray_levels.len();
        let mut n = vec![0.0; rows];
        let mut s = vec![0.0; rows];
        let mut index = 0;
        for z in 0..depth {
            for y in 0..height {
                for x in 0..width {
                    let level = levels[index];
                    if level != 0 {
                        let mut count = 0.0;
                        let mut sum = 0.0;
                        neighbourhood.for_each([z, y, x], index, |neighbour| {
                            let other = levels[neighbour];
                            if other != 0 {
                                count += 1.0;
                                sum += f64::from(other);
                            }
                        });
                        let difference = if count == 0.0 {
                            0.0
                        } else {
                            (f64::from(level) - sum / count).abs()
                        };
                        let row = gray.index_of[level as usize] as usize;
                        n[row] += 1.0;
                        s[row] += difference;
                    }
                    index += 1;
                }
            }
        }
        // Counts are integers: their sum is exact in any order.
        let voxels: f64 = n.iter().sum();
        Ngtdm {
            levels: gray.gray_levels.iter().map(|&l| f64::from(l)).collect(),
            p: n.iter().map(|count| count / voxels).collect(),
            s,
            voxels,
        }
    }

    /// `Σ_i Σ_j term(i, j)` over all pairs of rows, summed as numpy sums the
    /// flattened Ngp × Ngp array.
    fn pair_sum(&self, term: impl Fn(usize, usize) -> f64) -> f64 {
        let rows = self.levels.len();
        sum_of(rows * rows, |k| term(k / rows, k % rows))
    }

    /// `Σ p_i s_i`.
    fn weighted_difference(&self) -> f64 {
        sum_of(self.p.len(), |i| self.p[i] * self.s[i])
    }

    /// `1 / Σ p_i s_i`, or 10⁶ when the sum is 0.
    fn coarseness(&self) -> f64 {
        let sum = self.weighted_difference();
        if sum != 0.0 {
            1.0 / sum
        } else {
            COARSENESS_WITHOUT_DIFFERENCES
        }
    }

    /// `Σ Σ p_i p_j (i - j)² · Σ s_i / Nvp / (Ngp (Ngp - 1))`, 0 for a single
    /// gray level.
    fn contrast(&self) -> f64 {
        let ngp = self.levels.len() as f64;
        let divisor = ngp * (ngp - 1.0);
        if divisor == 0.0 {
            return 0.0;
        }
        let spread = self.pair_sum(|a, b| {
            let d = self.levels[a] - self.levels[b];
            self.p[a] * self.p[b] * (d * d)
        });
        let total_difference = sum_of(self.s.len(), |i| self.s[i]);
        spread * total_difference / self.voxels / divisor
    }

    /// `Σ p_i s_i / Σ Σ |i p_i - j p_j|`, 0 when the divisor is 0.
    fn busyness(&self) -> f64 {
        let divisor =
            self.pair_sum(|a, b| (self.levels[a] * self.p[a] - self.levels[b] * self.p[b]).abs());
        if divisor != 0.0 {
            self.weighted_difference() / divisor
        } else {
            0.0
        }
    }

    /// `Σ Σ |i - j| (p_i s_i + p_j s_j) / (p_i + p_j) / Nvp`. Every `p` is
    /// positive (absent gray levels have no row), so no divisor is 0.
    fn complexity(&self) -> f64 {
        self.pair_sum(|a, b| {
            let numerator = self.p[a] * self.s[a] + self.p[b] * self.s[b];
            (self.levels[a] - self.levels[b]).abs() * numerator / (self.p[a] + self.p[b])
        }) / self.voxels
    }

    /// `Σ Σ (p_i + p_j) (i - j)² / Σ s_i`, 0 when `Σ s_i = 0`.
    fn strength(&self) -> f64 {
        let total_difference = sum_of(self.s.len(), |i| self.s[i]);
        if total_difference == 0.0 {
            return 0.0;
        }
        self.pair_sum(|a, b| {
            let d = self.levels[a] - self.levels[b];
            (self.p[a] + self.p[b]) * (d * d)
        }) / total_difference
    }
}
