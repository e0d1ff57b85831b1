//! ADC maps for the cohort: fitted from each patient's DWI series, written
//! as NIfTI beside the study and registered as an `adc` imaging series, so
//! they can be extracted like any image (`--series-kind adc`).

use std::path::PathBuf;

use crate::imaging::adc::adc_map;
use crate::imaging::{read_header, read_volume};
use crate::study::model::{ImagingSeries, PatientRecord, SeriesKind};
use crate::study::{Actor, SaveError, StudyDb};

/// The series name ADC maps are registered under.
pub const ADC_SERIES: &str = "adc";

/// What an ADC step did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct AdcSummary {
    /// Maps written and registered.
    pub written: usize,
    /// Patients that already had an ADC series (left alone).
    pub skipped: usize,
    /// Patients that could not get a map, with why.
    pub failed: Vec<(String, String)>,
    /// Voxels without a fit (fewer than two positive signals), all patients.
    pub voxels_without_signal: usize,
    /// Voxels with a negative fit set to 0, all patients.
    pub voxels_negative: usize,
}

/// Computes the ADC map of every selected patient that has two or more DWI
/// b-values and no `adc` series yet, writing `adc/<study_id>_adc.nii.gz` in
/// the study's folder. `progress` gets (done, total) after each patient.
pub fn compute_adc_maps(
    db: &mut StudyDb,
    patients: Option<&[String]>,
    actor: &Actor,
    progress: &dyn Fn(usize, usize),
) -> Result<AdcSummary, SaveError> {
    let folder = db.folder();
    let records: Vec<PatientRecord> = db
        .load_records()?
        .into_iter()
        .filter(|r| patients.is_none_or(|wanted| wanted.iter().any(|id| id == r.study_id())))
        .collect();
    let mut summary = AdcSummary::default();
    let total = records.len();
    for (done, record) in records.iter().enumerate() {
        if record.imaging.iter().any(|s| s.kind == SeriesKind::Adc) {
            summary.skipped += 1;
        } else {
            match fit_patient(record, &folder) {
                Ok((series, without_signal, negative)) => {
                    let mut edited = record.clone();
                    edited.imaging.push(series);
                    db.save_record(Some(record), &edited, actor)?;
                    summary.written += 1;
                    summary.voxels_without_signal += without_signal;
                    summary.voxels_negative += negative;
                }
                Err(reason) => summary.failed.push((record.study_id().to_owned(), reason)),
            }
        }
        progress(done + 1, total);
    }
    Ok(summary)
}

/// Fits and writes one patient's map; returns its series and fit counts.
fn fit_patient(
    record: &PatientRecord,
    folder: &std::path::Path,
) -> Result<(ImagingSeries, usize, usize), String> {
    let dwi: Vec<&ImagingSeries> = record
        .imaging
        .iter()
        .filter(|s| s.kind == SeriesKind::Dwi && s.b_value.is_some())
        .collect();
    if dwi.len() < 2 {
        return Err(format!(
            "{} DWI series with a b-value; an ADC fit needs two",
            dwi.len()
        ));
    }
    let mut volumes = Vec::new();
    for series in &dwi {
        let path = folder.join(&series.path);
        let loaded = read_volume(&path).map_err(|err| crate::error_chain(&err))?;
        if loaded.sha256 != series.checksum {
            return Err(format!(
                "{} changed since it was imported; re-import it",
                path.display()
            ));
        }
        volumes.push((series.b_value.unwrap_or_default(), loaded.volume));
    }
    let inputs: Vec<(f64, &crate::imaging::Volume)> =
        volumes.iter().map(|(b, v)| (*b, v)).collect();
    let map = adc_map(&inputs).map_err(|err| err.to_string())?;
    let relative = PathBuf::from("adc").join(format!("{}_adc.nii.gz", record.study_id()));
    let path = folder.join(&relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|err| format!("{}: {err}", parent.display()))?;
    }
    map.volume
        .write_f32(&path)
        .map_err(|err| crate::error_chain(&err))?;
    let header = read_header(&path).map_err(|err| crate::error_chain(&err))?;
    let series = ImagingSeries {
        series: ADC_SERIES.to_owned(),
        kind: SeriesKind::Adc,
        b_value: None,
        path: relative.to_string_lossy().into_owned(),
        checksum: header.sha256,
        geometry: header.geometry,
        mask_of: None,
        label: None,
    };
    Ok((series, map.without_signal, map.negative))
}
