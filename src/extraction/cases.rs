//! Which image and mask of each patient a run reads.

use std::path::PathBuf;

use crate::study::model::{ImagingSeries, PatientRecord, SeriesKind};

/// The series a run extracts: a kind, for DWI a b-value, and optionally
/// the mask to use (a repeat segmentation, for a reproducibility filter).
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSelection {
    /// DWI, ADC or other images.
    pub kind: SeriesKind,
    /// The b-value (s/mm²) of a DWI series; `None` takes the patient's only
    /// series of the kind.
    pub b_value: Option<f64>,
    /// The mask series to read, by name; `None` takes the mask that
    /// segments the image (see [`select_case`]).
    pub mask_series: Option<String>,
}

impl SeriesSelection {
    /// How the selection is named in the run table, e.g. `dwi b=800`.
    pub fn label(&self) -> String {
        let series = match self.b_value {
            Some(b) => format!("{} b={b}", self.kind),
            None => self.kind.to_string(),
        };
        match &self.mask_series {
            Some(mask) => format!("{series} mask={mask}"),
            None => series,
        }
    }
}

/// One patient's inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The patient.
    pub study_id: String,
    /// The image series' name.
    pub image_series: String,
    /// The mask series' name.
    pub mask_series: String,
    /// The image file.
    pub image_path: PathBuf,
    /// The mask file.
    pub mask_path: PathBuf,
    /// The image's checksum at import.
    pub image_checksum: String,
    /// The mask's checksum at import.
    pub mask_checksum: String,
    /// The mask's label value.
    pub label: u32,
}

/// Finds a patient's image of the selection and the mask that segments it:
/// the mask whose `mask_of` is the image, else the patient's only mask if it
/// shares the image's grid (an ADC map computed from a DWI series shares
/// its mask). The error says what is missing or ambiguous.
pub fn select_case(
    record: &PatientRecord,
    selection: &SeriesSelection,
    folder: &std::path::Path,
) -> Result<Case, String> {
    let images: Vec<&ImagingSeries> = record
        .imaging
        .iter()
        .filter(|s| s.kind == selection.kind)
        .filter(|s| selection.b_value.is_none_or(|b| s.b_value == Some(b)))
        .collect();
    let image = match images.as_slice() {
        [one] => *one,
        [] => return Err(format!("no {} series", selection.label())),
        several => {
            let names: Vec<&str> = several.iter().map(|s| s.series.as_str()).collect();
            return Err(format!(
                "{} {} series ({}); choose one with --b-value",
                several.len(),
                selection.label(),
                names.join(", ")
            ));
        }
    };
    let masks: Vec<&ImagingSeries> = record
        .imaging
        .iter()
        .filter(|s| s.kind == SeriesKind::Mask)
        .collect();
    let same_grid = |mask: &ImagingSeries| {
        mask.geometry
            .mismatches(&image.geometry, Default::default())
            .is_empty()
    };
    let own: Vec<&&ImagingSeries> = masks
        .iter()
        .filter(|m| m.mask_of.as_deref() == Some(image.series.as_str()))
        .collect();
    let mask = if let Some(name) = &selection.mask_series {
        let named = masks
            .iter()
            .find(|m| m.series == *name)
            .ok_or_else(|| format!("no mask series '{name}'"))?;
        if named.mask_of.as_deref() != Some(image.series.as_str()) && !same_grid(named) {
            return Err(format!(
                "mask '{name}' neither segments series '{}' nor shares its grid",
                image.series
            ));
        }
        *named
    } else {
        match (own.as_slice(), masks.as_slice()) {
            ([mask], _) => **mask,
            ([], [only]) if same_grid(only) => *only,
            ([], []) => return Err("no tumour mask".to_owned()),
            ([], _) => return Err(format!("no mask segments series '{}'", image.series)),
            (several, _) => {
                let names: Vec<&str> = several.iter().map(|m| m.series.as_str()).collect();
                return Err(format!(
                    "{} masks segment series '{}' ({}); choose one with --mask-series",
                    several.len(),
                    image.series,
                    names.join(", ")
                ));
            }
        }
    };
    Ok(Case {
        study_id: record.study_id().to_owned(),
        image_series: image.series.clone(),
        mask_series: mask.series.clone(),
        image_path: folder.join(&image.path),
        mask_path: folder.join(&mask.path),
        image_checksum: image.checksum.clone(),
        mask_checksum: mask.checksum.clone(),
        label: mask.label.and_then(|l| u32::try_from(l).ok()).unwrap_or(1),
    })
}
