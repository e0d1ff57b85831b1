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

use super::texture::{GrayImage, Neighbourhood, finish};
use super::{ClassInput, FeatureDef, FeatureError, FeatureValues, feature};
use crate::radiomics::numeric::numpy_sum_of as sum_of;

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
                        // Integer sums are what the C code's `double`
                        // sums of `int` levels hold (exactly, far below
                        // 2^53), and voxels outside the ROI add 0, so the
                        // loop needs no unpredictable branch.
                        let mut count = 0u32;
                        let mut sum = 0u64;
                        neighbourhood.for_each([z, y, x], index, |neighbour| {
                            let other = levels[neighbour];
                            count += u32::from(other != 0);
                            sum += u64::from(other);
                        });
                        let difference = if count == 0 {
                            0.0
                        } else {
                            (f64::from(level) - sum as f64 / f64::from(count)).abs()
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

#[cfg(test)]
mod tests {
    use ndarray::Array3;
    use proptest::prelude::*;

    use super::super::texture::testing::{self, Case, assert_features, run, settings};
    use super::*;
    use crate::radiomics::settings::Settings;

    fn ngtdm(case: &Case, settings: &Settings) -> FeatureValues {
        run(compute, FEATURES, case, settings).unwrap()
    }

    fn matrix_of(case: &Case, settings: &Settings) -> Ngtdm {
        let input = ClassInput {
            image: &case.image,
            mask: &case.mask,
            spacing: [1.0; 3],
            settings,
        };
        let gray = GrayImage::new(&input, CLASS).unwrap();
        let neighbourhood =
            Neighbourhood::new(gray.shape, &settings.distances, &input, CLASS).unwrap();
        Ngtdm::new(&gray, &neighbourhood)
    }

    #[test]
    fn documentation_example() {
        // PyRadiomics' ngtdm.py docstring: n = 6, 2, 4, 4 for levels 1, 2,
        // 3, 5 (none of 4) and s1 = 13.35, s2 = 2, s3 = 3.03 (its table's
        // 2.63 is a typo: the terms listed add up to 3.0333), s5 = 10.075.
        let case = testing::doc_ngtdm();
        let m = matrix_of(&case, &settings(1.0));
        assert_eq!(m.levels, [1.0, 2.0, 3.0, 5.0]);
        assert_eq!(m.voxels, 16.0);
        let n: Vec<f64> = m.p.iter().map(|p| p * 16.0).collect();
        assert_eq!(n, [6.0, 2.0, 4.0, 4.0]);
        let s1 = (1.0 - 10.0 / 3.0f64).abs()
            + (1.0 - 30.0 / 8.0f64).abs()
            + (1.0 - 15.0 / 5.0f64).abs()
            + (1.0 - 13.0 / 5.0f64).abs()
            + (1.0 - 15.0 / 5.0f64).abs()
            + (1.0 - 11.0 / 3.0f64).abs();
        let s3 = 0.6 + 0.6 + 0.5 + 4.0 / 3.0;
        for (got, want) in m.s.iter().zip([s1, 2.0, s3, 10.075]) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        // PyRadiomics 3.1.4 RadiomicsNGTDM on this slice, binWidth 1.
        assert_features(
            &ngtdm(&case, &settings(1.0)),
            &[
                ("Busyness", 1.2641975308641973),
                ("Coarseness", 0.11718750000000003),
                ("Complexity", 14.38329861111111),
                ("Contrast", 0.7364705403645834),
                ("Strength", 1.3177159590043925),
            ],
        );
    }

    #[test]
    fn a_flat_roi_takes_pyradiomics_fixed_values() {
        // No differences at all: Coarseness is PyRadiomics' 1e6, the rest 0
        // (PyRadiomics 3.1.4, binWidth 25).
        assert_features(
            &ngtdm(&testing::flat(), &settings(25.0)),
            &[
                ("Busyness", 0.0),
                ("Coarseness", 1e6),
                ("Complexity", 0.0),
                ("Contrast", 0.0),
                ("Strength", 0.0),
            ],
        );
    }

    #[test]
    fn voxels_without_neighbours_count_with_no_difference() {
        // 1 1 . 2
        // 1 . . .
        // The 2 has no ROI neighbour: PyRadiomics 3.1.4 still counts it
        // (n = 3, 1; s = 0, 0). Two gray levels but no difference, so
        // Coarseness 1e6, Busyness 0/…, Contrast and Strength 0.
        let image = Array3::from_shape_vec([1, 2, 4], vec![1.0, 1.0, 0.0, 2.0, 1.0, 0.0, 0.0, 0.0])
            .unwrap();
        let case = Case {
            mask: image.mapv(|v| v > 0.0),
            image,
        };
        let m = matrix_of(&case, &settings(1.0));
        assert_eq!((m.voxels, m.s.clone()), (4.0, vec![0.0, 0.0]));
        assert_features(
            &ngtdm(&case, &settings(1.0)),
            &[
                ("Busyness", 0.0),
                ("Coarseness", 1e6),
                ("Complexity", 0.0),
                ("Contrast", 0.0),
                ("Strength", 0.0),
            ],
        );
    }

    #[test]
    fn a_2d_roi_inside_a_3d_array() {
        // PyRadiomics 3.1.4 on the uncropped 3 × 4 × 4 array, binWidth 10.
        assert_features(
            &ngtdm(&testing::slice(), &settings(10.0)),
            &[
                ("Busyness", 0.20148148148148148),
                ("Coarseness", 0.7720588235294119),
                ("Complexity", 2.1001700680272104),
                ("Contrast", 0.0742007091952427),
                ("Strength", 3.9455143259746364),
            ],
        );
    }

    #[test]
    fn an_roi_with_holes() {
        // PyRadiomics 3.1.4, binWidth 1.
        assert_features(
            &ngtdm(&testing::holes(), &settings(1.0)),
            &[
                ("Busyness", 0.7315108759553204),
                ("Coarseness", 0.15189263039459935),
                ("Complexity", 12.48697490780824),
                ("Contrast", 0.2751260288065844),
                ("Strength", 1.2073591414334992),
            ],
        );
    }

    #[test]
    fn two_distances() {
        // PyRadiomics 3.1.4, binWidth 1, distances [1, 2].
        let two = Settings {
            distances: vec![1, 2],
            ..settings(1.0)
        };
        assert_features(
            &ngtdm(&testing::cube(), &two),
            &[
                ("Busyness", 1.285754301747411),
                ("Coarseness", 0.06189020461283197),
                ("Complexity", 20.92905932236924),
                ("Contrast", 0.31970519925352153),
                ("Strength", 0.7714746116745477),
            ],
        );
    }

    #[test]
    fn force_2d_keeps_neighbours_in_their_slice() {
        // PyRadiomics 3.1.4, binWidth 1, force2D, force2Ddimension 0.
        let force = Settings {
            force_2d: true,
            ..settings(1.0)
        };
        assert_features(
            &ngtdm(&testing::cube3(), &force),
            &[
                ("Busyness", 6.422289253539252),
                ("Coarseness", 0.06312475028775619),
                ("Complexity", 2.352833641685776),
                ("Contrast", 0.17509842004703113),
                ("Strength", 0.1628546186315893),
            ],
        );
    }

    #[test]
    fn an_empty_roi_is_an_error() {
        let case = Case {
            image: Array3::zeros([2, 2, 2]),
            mask: Array3::from_elem([2, 2, 2], false),
        };
        let error = run(compute, FEATURES, &case, &settings(1.0)).unwrap_err();
        assert!(
            error.to_string().starts_with("ngtdm: the ROI is empty"),
            "{error}"
        );
    }

    fn roi() -> impl Strategy<Value = Case> {
        (1usize..5, 1usize..6, 1usize..6).prop_flat_map(|(d, h, w)| {
            let n = d * h * w;
            (
                proptest::collection::vec(0u8..5, n),
                proptest::collection::vec(proptest::bool::weighted(0.6), n),
            )
                .prop_map(move |(values, inside)| Case {
                    image: Array3::from_shape_vec(
                        [d, h, w],
                        values.into_iter().map(f64::from).collect(),
                    )
                    .unwrap(),
                    mask: Array3::from_shape_vec([d, h, w], inside).unwrap(),
                })
        })
    }

    proptest! {
        #[test]
        fn every_roi_voxel_is_counted_and_no_feature_is_nan(case in roi()) {
            let voxels = case.mask.iter().filter(|&&inside| inside).count();
            prop_assume!(voxels > 0 && case.image.len() > 1);
            let m = matrix_of(&case, &settings(1.0));
            prop_assert_eq!(m.voxels, voxels as f64);
            let total_p: f64 = m.p.iter().sum();
            prop_assert!((total_p - 1.0).abs() < 1e-12);
            let values = ngtdm(&case, &settings(1.0));
            prop_assert!(values.iter().all(|(_, v)| v.is_finite()), "{:?}", values);
        }
    }
}
