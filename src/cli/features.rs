//! `radcohort features`: extract one image/mask pair stand-alone, like
//! `pyradiomics IMAGE MASK`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use radcohort::radiomics::extractor::CaseFiles;
use radcohort::radiomics::params::Params;

/// Arguments of `features`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The image (NIfTI-1, .nii or .nii.gz).
    #[arg(long)]
    image: PathBuf,
    /// The label mask, on the image's grid.
    #[arg(long)]
    mask: PathBuf,
    /// A PyRadiomics parameter file (YAML); PyRadiomics' defaults without.
    #[arg(long, value_name = "P.yaml")]
    params: Option<PathBuf>,
    /// Override one setting, e.g. --setting binWidth=10 (repeatable).
    #[arg(long = "setting", value_name = "KEY=VALUE")]
    settings: Vec<String>,
    /// The definitions to follow: pyradiomics (default) or ibsi (the
    /// standard's, features named by IBSI tags); the same as
    /// --setting mode=MODE.
    #[arg(long, value_name = "MODE")]
    mode: Option<String>,
    /// Print one flat JSON object {name: value}.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print PyRadiomics' batch CSV layout (header and one row).
    #[arg(long)]
    csv: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let mut settings = args.settings.clone();
    if let Some(mode) = &args.mode {
        settings.push(format!("mode={mode}"));
    }
    let params = load_params(args.params.as_deref(), &settings)?;
    let files = CaseFiles::read(&args.image, &args.mask)?;
    let extraction = files.extract(&params)?;
    let mut out = std::io::stdout().lock();
    for warning in &extraction.warnings {
        eprintln!("radcohort: warning: {warning}");
    }
    if args.json {
        let mut object = serde_json::Map::new();
        let ibsi = params.settings.mode == radcohort::radiomics::settings::Mode::Ibsi;
        for (name, value) in &extraction.diagnostics {
            // IBSI's diagnostic features are numbers, PyRadiomics' text.
            let json = match value.parse::<f64>() {
                Ok(number) if ibsi => serde_json::json!(number),
                _ => serde_json::Value::String(value.clone()),
            };
            object.insert(name.clone(), json);
        }
        for feature in &extraction.features {
            object.insert(feature.name.clone(), serde_json::json!(feature.value));
        }
        serde_json::to_writer_pretty(&mut out, &object)?;
        writeln!(out)?;
    } else if args.csv {
        let mut writer = csv::Writer::from_writer(out);
        let mut header = vec!["Image".to_owned(), "Mask".to_owned()];
        header.extend(extraction.diagnostics.iter().map(|(name, _)| name.clone()));
        header.extend(extraction.features.iter().map(|f| f.name.clone()));
        writer.write_record(&header)?;
        let mut row = vec![
            args.image.display().to_string(),
            args.mask.display().to_string(),
        ];
        row.extend(
            extraction
                .diagnostics
                .iter()
                .map(|(_, value)| value.clone()),
        );
        row.extend(extraction.features.iter().map(|f| f.value.to_string()));
        writer.write_record(&row)?;
        writer.flush()?;
    } else {
        for (name, value) in &extraction.diagnostics {
            writeln!(out, "{name}: {value}")?;
        }
        for feature in &extraction.features {
            writeln!(out, "{}: {}", feature.name, feature.value)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A parameter file with `--setting` overrides, or the defaults with them.
pub fn load_params(path: Option<&Path>, overrides: &[String]) -> Result<Params> {
    let (text, name) = match path {
        Some(path) => (
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?,
            path.display().to_string(),
        ),
        None => (String::new(), "defaults".to_owned()),
    };
    Ok(Params::from_yaml(&text, &name, overrides)?)
}
