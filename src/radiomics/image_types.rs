//! Derived images ("image types"): the original image and its filtered
//! versions, named as PyRadiomics 3.1 names them (`original`,
//! `log-sigma-1-0-mm-3D`, `wavelet-LLH`, ...) and skipped where PyRadiomics
//! skips them with a warning.

use ndarray::Array3;

use super::params::ImageType;
use super::settings::Settings;
use crate::imaging::filters::{self, FilterError, Lbp3dSettings};
use crate::imaging::{BoundingBox, Volume};

/// One derived image and its name.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedImage {
    /// PyRadiomics' image type name, the prefix of its feature names.
    pub name: String,
    /// The image.
    pub volume: Volume,
}

/// The images one image type yields, and what it skipped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Derived {
    /// The images, in PyRadiomics' order.
    pub images: Vec<DerivedImage>,
    /// Why some images were not made, as PyRadiomics warns.
    pub warnings: Vec<String>,
}

/// Why an image type could not be derived.
#[derive(Debug, thiserror::Error)]
#[error("image type {image_type}")]
pub struct ImageTypeError {
    /// The image type, as named in parameter files.
    pub image_type: &'static str,
    /// The filter's error.
    pub source: FilterError,
}

fn one(name: &str, volume: Volume) -> Derived {
    Derived {
        images: vec![DerivedImage {
            name: name.to_owned(),
            volume,
        }],
        warnings: Vec::new(),
    }
}

/// Derives the images of one image type from the (preprocessed, uncropped)
/// image; `roi` is the ROI on the same grid (LBP3D describes only its
/// voxels). With a `region` (the ROI's bounding box, say), every image is
/// only that region of the image PyRadiomics derives from the whole image,
/// on the region's grid, bit for bit, and most filters compute only what
/// the region needs; `None` derives whole images.
pub fn derive(
    kind: ImageType,
    image: &Volume,
    roi: &Array3<bool>,
    settings: &Settings,
    region: Option<&BoundingBox>,
) -> Result<Derived, ImageTypeError> {
    let failed = |source| ImageTypeError {
        image_type: kind.name(),
        source,
    };
    let shape = image.data.shape();
    let whole = BoundingBox::whole([shape[0], shape[1], shape[2]]);
    let region = match (region, &whole) {
        (Some(region), _) => region,
        (None, Some(whole)) => whole,
        (None, None) => {
            return Err(failed(FilterError::EmptyImage {
                filter: kind.name(),
                dims: image.geometry.dims,
            }));
        }
    };
    let cut = |volume: &Volume| {
        volume.region(region).ok_or(FilterError::RegionOutside {
            filter: kind.name(),
            lower: region.lower,
            upper: region.upper,
            shape: [shape[0], shape[1], shape[2]],
        })
    };
    Ok(match kind {
        ImageType::Original => one("original", cut(image).map_err(failed)?),
        ImageType::LoG => laplacians(image, settings, region).map_err(failed)?,
        ImageType::Wavelet => {
            let axes =
                filters::pyradiomics_wavelet_axes(settings.force_2d, settings.force_2d_dimension)
                    .map_err(failed)?;
            let images = filters::wavelet_decompositions_in(
                image,
                &settings.wavelet,
                settings.start_level,
                settings.level,
                &axes,
                region,
            )
            .map_err(failed)?;
            Derived {
                images: images
                    .into_iter()
                    .map(|(name, volume)| DerivedImage { name, volume })
                    .collect(),
                warnings: Vec::new(),
            }
        }
        ImageType::Square => one("square", filters::square_in(image, region).map_err(failed)?),
        ImageType::SquareRoot => one(
            "squareroot",
            filters::square_root_in(image, region).map_err(failed)?,
        ),
        ImageType::Logarithm => one(
            "logarithm",
            filters::logarithm_in(image, region).map_err(failed)?,
        ),
        ImageType::Exponential => one(
            "exponential",
            filters::exponential_in(image, region).map_err(failed)?,
        ),
        ImageType::Gradient => one(
            "gradient",
            filters::gradient_magnitude_in(image, settings.gradient_use_spacing, region)
                .map_err(failed)?,
        ),
        ImageType::Lbp2D => {
            let volume = filters::lbp_2d_in(
                image,
                settings.lbp_2d_radius,
                settings.lbp_2d_samples,
                settings.lbp_2d_method,
                settings.force_2d_dimension,
                region,
            )
            .map_err(failed)?;
            let mut derived = one("lbp-2D", volume);
            if !settings.force_2d {
                derived.warnings.push(
                    "LBP2D is computed slice by slice while features are extracted in 3D"
                        .to_owned(),
                );
            }
            derived
        }
        ImageType::Lbp3D => {
            let lbp = Lbp3dSettings {
                levels: settings.lbp_3d_levels,
                icosphere_radius: settings.lbp_3d_icosphere_radius,
                icosphere_subdivision: settings.lbp_3d_icosphere_subdivision,
            };
            // SciPy's spline prefilter runs over whole lines with a sum over
            // each line for its first value: the whole image is filtered,
            // then cut.
            let images = filters::lbp_3d(image, roi, &lbp).map_err(failed)?;
            let mut warnings = Vec::new();
            if settings.force_2d {
                warnings
                    .push("LBP3D is computed in 3D while features are extracted in 2D".to_owned());
            }
            let mut derived = Vec::with_capacity(images.len());
            for (name, volume) in images {
                let volume = if region.is_whole([shape[0], shape[1], shape[2]]) {
                    volume
                } else {
                    cut(&volume).map_err(failed)?
                };
                derived.push(DerivedImage { name, volume });
            }
            Derived {
                images: derived,
                warnings,
            }
        }
    })
}

/// One LoG image per `sigma`, skipping (with PyRadiomics' warnings) those
/// the image is too small for, or all of them for an image under 4 voxels
/// along an axis.
fn laplacians(
    image: &Volume,
    settings: &Settings,
    region: &BoundingBox,
) -> Result<Derived, FilterError> {
    let mut derived = Derived::default();
    // The names and sigmas computed, in the order given.
    let mut kept = Vec::new();
    for (index, &sigma) in settings.sigma.iter().enumerate() {
        match filters::check_log_size(image.geometry.dims, image.spacing(), sigma) {
            Ok(()) => {}
            Err(FilterError::LogImageTooSmall { dims }) => {
                derived.warnings.push(format!(
                    "LoG skipped: the image ({}×{}×{}) is under 4 voxels along an axis",
                    dims[0], dims[1], dims[2]
                ));
                return Ok(derived);
            }
            Err(
                reason @ (FilterError::LogSigmaNotPositive { .. }
                | FilterError::LogSigmaTooLarge { .. }),
            ) => {
                derived
                    .warnings
                    .push(format!("LoG sigma {sigma} skipped: {reason}"));
                continue;
            }
            Err(other) => return Err(other),
        }
        let name = if settings.sigma_integers.get(index).copied().unwrap_or(false) {
            format!("log-sigma-{}-mm-3D", sigma as i64)
        } else {
            filters::log_image_name(sigma)
        };
        kept.push((name, sigma));
    }
    if kept.is_empty() {
        return Ok(derived);
    }
    // All sigmas at once: the passes over the whole image read it once.
    let sigmas: Vec<f64> = kept.iter().map(|&(_, sigma)| sigma).collect();
    let volumes = filters::laplacians_of_gaussian_in(image, &sigmas, region)?;
    for ((name, _), volume) in kept.into_iter().zip(volumes) {
        derived.images.push(DerivedImage { name, volume });
    }
    Ok(derived)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::{Geometry, PixelType};

    fn image(dims: [usize; 3]) -> Volume {
        Volume {
            data: Array3::from_shape_fn((dims[2], dims[1], dims[0]), |(z, y, x)| {
                (z * 7 + y * 3 + x) as f64
            }),
            geometry: Geometry {
                dims,
                spacing: [1.0, 1.0, 2.0],
                origin: [0.0; 3],
                direction: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            },
            pixel_type: PixelType::I16,
        }
    }

    fn names(derived: &Derived) -> Vec<&str> {
        derived.images.iter().map(|d| d.name.as_str()).collect()
    }

    #[test]
    fn log_names_follow_the_sigma_as_written_and_skip_as_pyradiomics() {
        let volume = image([8, 8, 6]);
        let roi = Array3::from_elem((6, 8, 8), true);
        let mut settings = Settings::default();
        let yaml = yaml_rust2::YamlLoader::load_from_str("[1, 2.0, 0.5, 20.0]").unwrap();
        settings.set("sigma", &yaml[0]).unwrap();
        let derived = derive(ImageType::LoG, &volume, &roi, &settings, None).unwrap();
        // sigma 20 mm needs 11 slices of 2 mm; the image has 6.
        assert_eq!(
            names(&derived),
            [
                "log-sigma-1-mm-3D",
                "log-sigma-2-0-mm-3D",
                "log-sigma-0-5-mm-3D"
            ]
        );
        assert_eq!(derived.warnings.len(), 1);
        assert!(
            derived.warnings[0].starts_with("LoG sigma 20 skipped"),
            "{:?}",
            derived.warnings
        );
        let small = image([3, 8, 8]);
        let derived = derive(
            ImageType::LoG,
            &small,
            &Array3::from_elem((8, 8, 3), true),
            &settings,
            None,
        )
        .unwrap();
        assert!(derived.images.is_empty());
        assert!(
            derived.warnings[0].contains("under 4 voxels"),
            "{:?}",
            derived.warnings
        );
    }

    #[test]
    fn every_image_type_yields_its_names() {
        let volume = image([8, 8, 6]);
        let roi = Array3::from_shape_fn((6, 8, 8), |(z, y, x)| {
            (1..5).contains(&z) && (2..6).contains(&y) && (2..6).contains(&x)
        });
        let settings = Settings::default();
        let wavelet = derive(ImageType::Wavelet, &volume, &roi, &settings, None).unwrap();
        assert_eq!(
            names(&wavelet),
            [
                "wavelet-LLH",
                "wavelet-LHL",
                "wavelet-LHH",
                "wavelet-HLL",
                "wavelet-HLH",
                "wavelet-HHL",
                "wavelet-HHH",
                "wavelet-LLL"
            ]
        );
        for (kind, name) in [
            (ImageType::Original, "original"),
            (ImageType::Square, "square"),
            (ImageType::SquareRoot, "squareroot"),
            (ImageType::Logarithm, "logarithm"),
            (ImageType::Exponential, "exponential"),
            (ImageType::Gradient, "gradient"),
            (ImageType::Lbp2D, "lbp-2D"),
        ] {
            assert_eq!(
                names(&derive(kind, &volume, &roi, &settings, None).unwrap()),
                [name]
            );
        }
        let lbp3d = derive(ImageType::Lbp3D, &volume, &roi, &settings, None).unwrap();
        assert_eq!(names(&lbp3d), ["lbp-3D-m1", "lbp-3D-m2", "lbp-3D-k"]);
    }

    #[test]
    fn a_region_yields_the_whole_images_cropped_bit_for_bit() {
        let volume = image([9, 8, 6]);
        let roi = Array3::from_shape_fn((6, 8, 9), |(z, y, x)| {
            (1..5).contains(&z) && (2..6).contains(&y) && (3..9).contains(&x)
        });
        let region = BoundingBox {
            lower: [1, 2, 3],
            upper: [4, 5, 8],
        };
        let mut settings = Settings::default();
        let yaml = yaml_rust2::YamlLoader::load_from_str("[1.0, 2.5]").unwrap();
        settings.set("sigma", &yaml[0]).unwrap();
        for kind in [
            ImageType::Original,
            ImageType::LoG,
            ImageType::Wavelet,
            ImageType::Square,
            ImageType::SquareRoot,
            ImageType::Logarithm,
            ImageType::Exponential,
            ImageType::Gradient,
            ImageType::Lbp2D,
            ImageType::Lbp3D,
        ] {
            let whole = derive(kind, &volume, &roi, &settings, None).unwrap();
            let part = derive(kind, &volume, &roi, &settings, Some(&region)).unwrap();
            assert_eq!(part.warnings, whole.warnings, "{kind:?}");
            assert_eq!(names(&part), names(&whole), "{kind:?}");
            assert!(!part.images.is_empty(), "{kind:?}");
            for (p, w) in part.images.iter().zip(&whole.images) {
                let expected = w.volume.region(&region).unwrap();
                assert_eq!(p.volume.geometry, expected.geometry, "{}", p.name);
                let bits = |v: &Volume| v.data.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&p.volume), bits(&expected), "{}", p.name);
            }
        }
        let outside = BoundingBox {
            lower: [0, 0, 0],
            upper: [6, 0, 0],
        };
        let err = derive(
            ImageType::Gradient,
            &volume,
            &roi,
            &settings,
            Some(&outside),
        )
        .unwrap_err();
        assert!(matches!(err.source, FilterError::RegionOutside { .. }));
    }
}
