//! Properties of the GLCM and GLRLM classes on random small ROIs:
//! translating the ROI inside a larger zero-padded array changes no
//! feature, and neither does scaling the intensities by a positive constant
//! when the binning is relative (`binCount`).

use ndarray::{Array3, s};
use proptest::prelude::*;
use radcohort::radiomics::features::{ClassInput, FeatureClass};
use radcohort::radiomics::settings::{Settings, WeightingNorm};

/// A random image and ROI of shape up to 3 × 5 × 5.
fn volume() -> impl Strategy<Value = (Array3<f64>, Array3<bool>)> {
    (1usize..=3, 2usize..=5, 2usize..=5).prop_flat_map(|(z, y, x)| {
        let n = z * y * x;
        (
            prop::collection::vec(-1000.0f64..1000.0, n),
            prop::collection::vec(prop::bool::weighted(0.75), n),
        )
            .prop_map(move |(values, inside)| {
                (
                    Array3::from_shape_vec((z, y, x), values).unwrap(),
                    Array3::from_shape_vec((z, y, x), inside).unwrap(),
                )
            })
    })
}

/// Random texture settings: binning, distances, symmetry, weighting, 2D.
fn settings() -> impl Strategy<Value = Settings> {
    let norms = prop_oneof![
        Just(None),
        Just(Some(WeightingNorm::Infinity)),
        Just(Some(WeightingNorm::Euclidean)),
        Just(Some(WeightingNorm::Manhattan)),
        Just(Some(WeightingNorm::NoWeighting)),
    ];
    (
        prop_oneof![Just(None), (2u32..12).prop_map(Some)],
        50.0f64..400.0,
        prop_oneof![Just(vec![1]), Just(vec![1, 2]), Just(vec![2])],
        any::<bool>(),
        norms,
        any::<bool>(),
    )
        .prop_map(
            |(bin_count, bin_width, distances, symmetrical_glcm, weighting_norm, force_2d)| {
                Settings {
                    bin_count,
                    bin_width,
                    distances,
                    symmetrical_glcm,
                    weighting_norm,
                    force_2d,
                    ..Settings::default()
                }
            },
        )
}

/// Every feature (deprecated ones included) of both classes, or the error.
fn features(
    image: &Array3<f64>,
    mask: &Array3<bool>,
    settings: &Settings,
) -> Vec<Result<Vec<(&'static str, f64)>, String>> {
    let input = ClassInput {
        image,
        mask,
        spacing: [0.8, 1.1, 3.0],
        settings,
    };
    [FeatureClass::Glcm, FeatureClass::Glrlm]
        .into_iter()
        .map(|class| {
            let names: Vec<&'static str> = class.features().iter().map(|f| f.name).collect();
            class
                .compute(&input, &names)
                .map_err(|error| error.to_string())
        })
        .collect()
}

/// Equal errors, or the same features to 1e-12 relative (summation order
/// may change with zero angles or columns that the padding adds). MCC and
/// Imc2 are square roots of quantities that are 0 for a rank-one matrix,
/// where a rounding residue of ε leaves √ε ≈ 1.5e-8: they are compared to
/// 1e-7 absolute as well.
fn assert_same(
    a: &[Result<Vec<(&'static str, f64)>, String>],
    b: &[Result<Vec<(&'static str, f64)>, String>],
) -> Result<(), TestCaseError> {
    for (a, b) in a.iter().zip(b) {
        match (a, b) {
            (Ok(a), Ok(b)) => {
                for ((name, x), (_, y)) in a.iter().zip(b) {
                    let square_root_noise = if matches!(*name, "MCC" | "Imc2") {
                        1e-7
                    } else {
                        0.0
                    };
                    prop_assert!(
                        (x - y).abs() <= (1e-12 * x.abs().max(1.0)).max(square_root_noise),
                        "{}: {} vs {}",
                        name,
                        x,
                        y
                    );
                }
            }
            _ => prop_assert_eq!(a, b),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn translating_the_roi_in_a_zero_padded_array_changes_nothing(
        (image, mask) in volume(),
        settings in settings(),
        before in prop::array::uniform3(0usize..3),
        after in prop::array::uniform3(0usize..3),
    ) {
        let (z, y, x) = image.dim();
        let shape = (
            z + before[0] + after[0],
            y + before[1] + after[1],
            x + before[2] + after[2],
        );
        let mut padded_image = Array3::zeros(shape);
        let mut padded_mask = Array3::from_elem(shape, false);
        let inner = s![
            before[0]..before[0] + z,
            before[1]..before[1] + y,
            before[2]..before[2] + x
        ];
        padded_image.slice_mut(inner).assign(&image);
        padded_mask.slice_mut(inner).assign(&mask);
        assert_same(
            &features(&image, &mask, &settings),
            &features(&padded_image, &padded_mask, &settings),
        )?;
    }

    #[test]
    fn scaling_intensities_with_a_bin_count_changes_nothing(
        (image, mask) in volume(),
        settings in settings(),
        bins in 2u32..16,
        factor in prop_oneof![0.001f64..1.0, 1.0f64..1000.0],
    ) {
        let settings = Settings { bin_count: Some(bins), ..settings };
        let scaled = image.mapv(|v| v * factor);
        assert_same(
            &features(&image, &mask, &settings),
            &features(&scaled, &mask, &settings),
        )?;
    }
}
