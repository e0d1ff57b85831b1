//! Parameter files in PyRadiomics' YAML form: `imageType`, `featureClass`
//! and `setting`, validated as PyRadiomics' schema validates them, so a
//! study's existing `params.yaml` works unchanged.

use std::fmt;
use std::path::Path;

use sha2::{Digest, Sha256};
use yaml_rust2::{Yaml, YamlLoader};

use super::features::FeatureClass;
use super::settings::Settings;

/// The filters ("image types") features are computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageType {
    /// The image as loaded.
    Original,
    /// Laplacian of Gaussian, one image per `sigma`.
    LoG,
    /// Stationary wavelet decompositions.
    Wavelet,
    /// Squared intensities.
    Square,
    /// Square root of intensities.
    SquareRoot,
    /// Logarithm of intensities.
    Logarithm,
    /// Exponential of intensities.
    Exponential,
    /// Gradient magnitude.
    Gradient,
    /// Local binary pattern in 2D.
    Lbp2D,
    /// Local binary pattern in 3D.
    Lbp3D,
}

impl ImageType {
    /// Every image type, in PyRadiomics' documentation order.
    pub const ALL: [ImageType; 10] = [
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
    ];

    /// The name in parameter files.
    pub fn name(self) -> &'static str {
        match self {
            ImageType::Original => "Original",
            ImageType::LoG => "LoG",
            ImageType::Wavelet => "Wavelet",
            ImageType::Square => "Square",
            ImageType::SquareRoot => "SquareRoot",
            ImageType::Logarithm => "Logarithm",
            ImageType::Exponential => "Exponential",
            ImageType::Gradient => "Gradient",
            ImageType::Lbp2D => "LBP2D",
            ImageType::Lbp3D => "LBP3D",
        }
    }

    /// The image type of a parameter-file name.
    pub fn from_name(name: &str) -> Option<ImageType> {
        ImageType::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// An enabled image type with its settings (the global ones overridden by
/// the image type's own).
#[derive(Debug, Clone, PartialEq)]
pub struct ImageTypeSpec {
    /// Which filter.
    pub kind: ImageType,
    /// Its settings.
    pub settings: Settings,
}

/// An enabled feature class and the features asked for (`None`: every
/// non-deprecated feature).
#[derive(Debug, Clone, PartialEq)]
pub struct ClassSpec {
    /// Which class.
    pub class: FeatureClass,
    /// Feature names asked for, or `None` for all.
    pub features: Option<Vec<&'static str>>,
}

impl ClassSpec {
    /// The feature names to compute, in the class's order.
    pub fn wanted(&self) -> Vec<&'static str> {
        match &self.features {
            Some(names) => names.clone(),
            None => self
                .class
                .features()
                .iter()
                .filter(|f| !f.deprecated)
                .map(|f| f.name)
                .collect(),
        }
    }
}

/// A parsed parameter file.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// The global settings.
    pub settings: Settings,
    /// Enabled image types, in file order (`Original` alone if none).
    pub image_types: Vec<ImageTypeSpec>,
    /// Enabled feature classes, in file order (all if none).
    pub classes: Vec<ClassSpec>,
    /// SHA-256 of the canonical form of the parameters, identifying them in
    /// extraction runs whatever their layout or comments.
    pub hash: String,
    /// The parameters in canonical text, as stored with a run.
    pub canonical: String,
}

/// A problem in a parameter file or override.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {location}: {reason}")]
pub struct ParamsError {
    /// The file, or `--setting` for an override.
    pub source_name: String,
    /// Where: the section and key, e.g. `setting.binWidth`.
    pub location: String,
    /// What is wrong.
    pub reason: String,
}

impl Params {
    /// PyRadiomics' defaults: Original image, every class, default settings.
    pub fn pyradiomics_default() -> Params {
        Params::from_parts(Settings::default(), Vec::new(), Vec::new(), &[])
    }

    /// Reads a YAML parameter file.
    pub fn from_file(path: &Path) -> Result<Params, ParamsError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|err| ParamsError {
            source_name: name.clone(),
            location: "file".to_owned(),
            reason: err.to_string(),
        })?;
        Params::from_yaml(&text, &name, &[])
    }

    /// Parses YAML text; `overrides` (`KEY=VALUE`, as `--setting` gives them)
    /// are applied to the global settings after the file's.
    pub fn from_yaml(
        text: &str,
        source_name: &str,
        overrides: &[String],
    ) -> Result<Params, ParamsError> {
        let problem = |location: &str, reason: String| ParamsError {
            source_name: source_name.to_owned(),
            location: location.to_owned(),
            reason,
        };
        let docs =
            YamlLoader::load_from_str(text).map_err(|err| problem("YAML", err.to_string()))?;
        let root = docs.into_iter().next().unwrap_or(Yaml::Null);
        let root = match root {
            Yaml::Hash(hash) => hash,
            Yaml::Null => Default::default(),
            _ => {
                return Err(problem(
                    "top level",
                    "expected a mapping of setting, imageType and featureClass".to_owned(),
                ));
            }
        };
        let mut settings = Settings::default();
        let mut image_sections = Vec::new();
        let mut class_sections = Vec::new();
        for (key, value) in &root {
            let section = key.as_str().unwrap_or_default();
            match section {
                "setting" => apply_settings(&mut settings, value, "setting", &problem)?,
                "imageType" => image_sections.push(value.clone()),
                "featureClass" => class_sections.push(value.clone()),
                "voxelSetting" => {
                    return Err(problem(
                        "voxelSetting",
                        "voxel-based extraction is not supported".to_owned(),
                    ));
                }
                other => {
                    return Err(problem(
                        other,
                        "unknown section; expected setting, imageType or featureClass".to_owned(),
                    ));
                }
            }
        }
        let mut override_lines = Vec::new();
        for item in overrides {
            // Overrides come from the command line, not the file: their
            // errors name `--setting` and quote the whole override, so an
            // empty or odd key is still visible.
            let override_problem = |reason: String| ParamsError {
                source_name: "--setting".to_owned(),
                location: format!("{item:?}"),
                reason,
            };
            let (key, value) = item
                .split_once('=')
                .ok_or_else(|| override_problem("expected KEY=VALUE".to_owned()))?;
            let value = YamlLoader::load_from_str(value)
                .ok()
                .and_then(|mut docs| docs.pop())
                .unwrap_or(Yaml::Null);
            settings.set(key.trim(), &value).map_err(override_problem)?;
            override_lines.push(format!("{}={}", key.trim(), value_text(&value)));
        }

        let mut image_types = Vec::new();
        for section in &image_sections {
            let Yaml::Hash(types) = section else {
                if matches!(section, Yaml::Null) {
                    continue;
                }
                return Err(problem(
                    "imageType",
                    "expected a mapping of image types".to_owned(),
                ));
            };
            for (name, custom) in types {
                let name = name.as_str().unwrap_or_default();
                let kind = ImageType::from_name(name).ok_or_else(|| {
                    let known: Vec<&str> = ImageType::ALL.iter().map(|t| t.name()).collect();
                    problem(
                        &format!("imageType.{name}"),
                        format!("unknown image type; expected one of {}", known.join(", ")),
                    )
                })?;
                let mut own = settings.clone();
                apply_settings(&mut own, custom, &format!("imageType.{name}"), &problem)?;
                image_types.push(ImageTypeSpec {
                    kind,
                    settings: own,
                });
            }
        }

        let mut classes = Vec::new();
        for section in &class_sections {
            let Yaml::Hash(entries) = section else {
                if matches!(section, Yaml::Null) {
                    continue;
                }
                return Err(problem(
                    "featureClass",
                    "expected a mapping of feature classes".to_owned(),
                ));
            };
            for (name, features) in entries {
                let name = name.as_str().unwrap_or_default();
                let class = FeatureClass::from_name(name).ok_or_else(|| {
                    let known: Vec<&str> = FeatureClass::ALL.iter().map(|c| c.name()).collect();
                    problem(
                        &format!("featureClass.{name}"),
                        format!(
                            "unknown feature class; expected one of {}",
                            known.join(", ")
                        ),
                    )
                })?;
                let features = match features {
                    Yaml::Null => None,
                    Yaml::Array(list) if list.is_empty() => None,
                    Yaml::Array(list) => {
                        let mut names = Vec::new();
                        for item in list {
                            let wanted = item.as_str().unwrap_or_default();
                            let def = class
                                .features()
                                .iter()
                                .find(|f| f.name == wanted)
                                .ok_or_else(|| {
                                    problem(
                                        &format!("featureClass.{name}"),
                                        format!("unknown feature '{wanted}'"),
                                    )
                                })?;
                            names.push(def.name);
                        }
                        Some(names)
                    }
                    _ => {
                        return Err(problem(
                            &format!("featureClass.{name}"),
                            "expected a list of feature names".to_owned(),
                        ));
                    }
                };
                classes.push(ClassSpec { class, features });
            }
        }
        Ok(Params::from_parts(
            settings,
            image_types,
            classes,
            &override_lines,
        ))
    }

    fn from_parts(
        settings: Settings,
        mut image_types: Vec<ImageTypeSpec>,
        mut classes: Vec<ClassSpec>,
        overrides: &[String],
    ) -> Params {
        if image_types.is_empty() {
            image_types.push(ImageTypeSpec {
                kind: ImageType::Original,
                settings: settings.clone(),
            });
        }
        if classes.is_empty() {
            classes = FeatureClass::ALL
                .into_iter()
                .map(|class| ClassSpec {
                    class,
                    features: None,
                })
                .collect();
        }
        let canonical = canonical_text(&settings, &image_types, &classes, overrides);
        let hash = Sha256::digest(canonical.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Params {
            settings,
            image_types,
            classes,
            hash,
            canonical,
        }
    }
}

fn apply_settings(
    settings: &mut Settings,
    value: &Yaml,
    section: &str,
    problem: &impl Fn(&str, String) -> ParamsError,
) -> Result<(), ParamsError> {
    match value {
        Yaml::Null => Ok(()),
        Yaml::Hash(entries) => {
            for (key, value) in entries {
                let key = key.as_str().unwrap_or_default();
                settings.set(key, value).map_err(|reason| {
                    problem(
                        &format!("{section}.{key}"),
                        format!("{} ({reason})", value_text(value)),
                    )
                })?;
            }
            Ok(())
        }
        _ => Err(problem(
            section,
            "expected a mapping of settings".to_owned(),
        )),
    }
}

/// A YAML value as compact text, for messages and the canonical form.
fn value_text(value: &Yaml) -> String {
    match value {
        Yaml::Real(text) => text.clone(),
        Yaml::Integer(n) => n.to_string(),
        Yaml::String(text) => text.clone(),
        Yaml::Boolean(b) => b.to_string(),
        Yaml::Array(items) => format!(
            "[{}]",
            items.iter().map(value_text).collect::<Vec<_>>().join(", ")
        ),
        Yaml::Hash(_) => "{…}".to_owned(),
        Yaml::Null => "null".to_owned(),
        Yaml::Alias(_) | Yaml::BadValue => "?".to_owned(),
    }
}

/// The parameters written out in one fixed layout: every setting of every
/// image type, then the classes and their features. Equal parameters give
/// equal text, whatever the file's order of settings or comments.
fn canonical_text(
    settings: &Settings,
    image_types: &[ImageTypeSpec],
    classes: &[ClassSpec],
    overrides: &[String],
) -> String {
    let mut text = format!(
        "engine: radcohort {}\nsetting: {}\n",
        env!("CARGO_PKG_VERSION"),
        Canonical(settings)
    );
    for spec in image_types {
        text.push_str(&format!(
            "imageType {}: {}\n",
            spec.kind.name(),
            Canonical(&spec.settings)
        ));
    }
    for spec in classes {
        text.push_str(&format!(
            "featureClass {}: {}\n",
            spec.class.name(),
            spec.wanted().join(",")
        ));
    }
    for line in overrides {
        text.push_str(&format!("override {line}\n"));
    }
    text
}

struct Canonical<'a>(&'a Settings);

impl fmt::Display for Canonical<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug output of the struct lists every field in declaration order.
        write!(f, "{:?}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::radiomics::settings::Interpolator;

    const FILTERS: &str = "
# A typical published radiomics setting.
imageType:
  Original: {}
  Wavelet: {}
  LoG:
    sigma: [1.0, 2.0, 3.0]
featureClass:
  firstorder:
  glcm: [Contrast, Correlation]
setting:
  binWidth: 25
  label: 1
";

    #[test]
    fn a_pyradiomics_parameter_file_parses() {
        let params = Params::from_yaml(FILTERS, "filters.yaml", &[]).unwrap();
        let kinds: Vec<ImageType> = params.image_types.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [ImageType::Original, ImageType::Wavelet, ImageType::LoG]
        );
        assert_eq!(params.image_types[2].settings.sigma, [1.0, 2.0, 3.0]);
        assert!(params.image_types[0].settings.sigma.is_empty());
        assert_eq!(params.classes.len(), 2);
        assert_eq!(params.classes[1].wanted(), ["Contrast", "Correlation"]);
        assert_eq!(params.classes[0].wanted().len(), 18);
    }

    #[test]
    fn an_empty_file_means_pyradiomics_defaults() {
        let params = Params::from_yaml("", "empty.yaml", &[]).unwrap();
        assert_eq!(params, Params::pyradiomics_default());
        assert_eq!(params.image_types[0].kind, ImageType::Original);
        assert_eq!(params.classes.len(), 8);
    }

    #[test]
    fn overrides_apply_after_the_file_and_change_the_hash() {
        let base = Params::from_yaml(FILTERS, "f", &[]).unwrap();
        let params = Params::from_yaml(
            FILTERS,
            "f",
            &["binWidth=5".into(), "interpolator=sitkLinear".into()],
        )
        .unwrap();
        assert_eq!(params.settings.bin_width, 5.0);
        assert_eq!(params.settings.interpolator, Interpolator::Linear);
        assert_ne!(params.hash, base.hash);
        let reordered = "setting:\n  label: 1\n  binWidth: 25\n".to_owned()
            + &FILTERS.replace("setting:\n  binWidth: 25\n  label: 1\n", "");
        assert_eq!(
            Params::from_yaml(&reordered, "g", &[]).unwrap().hash,
            base.hash
        );
    }

    #[test]
    fn mistakes_name_their_place() {
        let err = |text: &str| {
            Params::from_yaml(text, "p.yaml", &[])
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("setting:\n  binWidth: -2\n"),
            "p.yaml: setting.binWidth: -2 (expected a number above 0)"
        );
        assert_eq!(
            err("imageType:\n  Wavelett: {}\n"),
            "p.yaml: imageType.Wavelett: unknown image type; expected one of Original, LoG, Wavelet, Square, SquareRoot, Logarithm, Exponential, Gradient, LBP2D, LBP3D"
        );
        assert_eq!(
            err("featureClass:\n  glcm: [Contrastt]\n"),
            "p.yaml: featureClass.glcm: unknown feature 'Contrastt'"
        );
        assert!(err("setting: [1, 2\n").starts_with("p.yaml: YAML:"));
        assert!(err("imageType:\n  LoG:\n    sigma: [0]\n").contains("imageType.LoG.sigma"));
        let override_err = Params::from_yaml("", "p", &["bogus=1".into()])
            .unwrap_err()
            .to_string();
        assert_eq!(override_err, "--setting: \"bogus=1\": unknown setting");
        let no_equals = Params::from_yaml("", "p", &["binWidth".into()])
            .unwrap_err()
            .to_string();
        assert_eq!(no_equals, "--setting: \"binWidth\": expected KEY=VALUE");
    }

    #[test]
    fn the_reference_parameter_files_parse() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/reference/pyradiomics/params");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!(
                "*** SKIPPED: no reference parameter files at {} ***",
                dir.display()
            );
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            Params::from_file(&path).unwrap_or_else(|err| panic!("{err}"));
        }
    }
}
