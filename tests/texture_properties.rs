//! Properties of the GLSZM, GLDM and NGTDM classes that hold for any ROI:
//! where the ROI sits in its array does not matter.

use ndarray::{Array3, s};
use proptest::prelude::*;
use radcohort::radiomics::features::{ClassInput, FeatureClass, FeatureError, FeatureValues};
use radcohort::radiomics::settings::Settings;

const CLASSES: [FeatureClass; 3] = [FeatureClass::Glszm, FeatureClass::Gldm, FeatureClass::Ngtdm];

/// Every feature of the three classes, deprecated ones included.
fn all_features(
    image: &Array3<f64>,
    mask: &Array3<bool>,
    settings: &Settings,
) -> Vec<Result<FeatureValues, FeatureError>> {
    let input = ClassInput {
        image,
        mask,
        spacing: [0.7, 0.7, 2.5],
        settings,
    };
    CLASSES
        .iter()
        .map(|class| {
            let names: Vec<&'static str> = class.features().iter().map(|f| f.name).collect();
            class.compute(&input, &names)
        })
        .collect()
}

/// `array` placed at `offset` in a larger array of `fill`.
fn embed<T: Clone>(
    array: &Array3<T>,
    offset: [usize; 3],
    margin: [usize; 3],
    fill: T,
) -> Array3<T> {
    let shape = array.shape();
    let big = [0, 1, 2].map(|a| shape[a] + offset[a] + margin[a]);
    let mut out = Array3::from_elem(big, fill);
    out.slice_mut(s![
        offset[0]..offset[0] + shape[0],
        offset[1]..offset[1] + shape[1],
        offset[2]..offset[2] + shape[2]
    ])
    .assign(array);
    out
}

/// Feature values compared bit for bit (NaN never occurs: the classes
/// refuse to return one).
fn bits(
    results: &[Result<FeatureValues, FeatureError>],
) -> Vec<Result<Vec<(&'static str, u64)>, String>> {
    results
        .iter()
        .map(|r| match r {
            Ok(values) => Ok(values.iter().map(|(n, v)| (*n, v.to_bits())).collect()),
            Err(e) => Err(e.to_string()),
        })
        .collect()
}

fn settings() -> impl Strategy<Value = Settings> {
    (
        prop_oneof![Just(1.0), Just(2.0), Just(25.0)],
        0u8..3,
        1u32..3,
        any::<bool>(),
        0usize..3,
    )
        .prop_map(
            |(bin_width, alpha, distance, force_2d, dimension)| Settings {
                bin_width,
                gldm_a: f64::from(alpha),
                distances: (1..=distance).collect(),
                force_2d,
                force_2d_dimension: dimension,
                ..Settings::default()
            },
        )
}

fn roi() -> impl Strategy<Value = (Array3<f64>, Array3<bool>)> {
    (1usize..5, 1usize..5, 1usize..5).prop_flat_map(|(d, h, w)| {
        let n = d * h * w;
        (
            proptest::collection::vec(-3i32..6, n),
            proptest::collection::vec(proptest::bool::weighted(0.7), n),
        )
            .prop_map(move |(values, inside)| {
                (
                    Array3::from_shape_vec([d, h, w], values.into_iter().map(f64::from).collect())
                        .unwrap(),
                    Array3::from_shape_vec([d, h, w], inside).unwrap(),
                )
            })
    })
}

fn placement() -> impl Strategy<Value = ([usize; 3], [usize; 3])> {
    (
        proptest::array::uniform3(1usize..4),
        proptest::array::uniform3(1usize..4),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Moving the ROI inside a larger zero-padded array changes nothing,
    /// down to the last bit. (The tight box itself may have no room for
    /// any offset, e.g. a single voxel, which PyRadiomics refuses; once
    /// padded on every side, every placement agrees.)
    #[test]
    fn translating_the_roi_changes_no_feature(
        (image, mask) in roi(),
        settings in settings(),
        (offset_a, margin_a) in placement(),
        (offset_b, margin_b) in placement(),
    ) {
        prop_assume!(mask.iter().any(|&inside| inside));
        let a = all_features(
            &embed(&image, offset_a, margin_a, 0.0),
            &embed(&mask, offset_a, margin_a, false),
            &settings,
        );
        let b = all_features(
            &embed(&image, offset_b, margin_b, 0.0),
            &embed(&mask, offset_b, margin_b, false),
            &settings,
        );
        prop_assert_eq!(bits(&a), bits(&b));
        for result in &a {
            prop_assert!(result.is_ok(), "{:?}", result);
        }
        let tight = all_features(&image, &mask, &settings);
        if tight.iter().all(Result::is_ok) {
            prop_assert_eq!(bits(&tight), bits(&a));
        }
    }
}
