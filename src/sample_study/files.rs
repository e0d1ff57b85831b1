//! The sample study's CSV files, in radcohort's import formats.

use super::simulate::SimPatient;
use crate::study::dates::iso;
use crate::study::import::ImportKind;

/// The data dictionary of the clinicopathological-radiographic (CPR)
/// variables, in `dictionary.csv` form:
/// name, label, type, unit, levels, min, max, required.
const DICTIONARY: &[[&str; 8]] = &[
    [
        "ca19_9", "CA19-9", "numeric", "U/mL", "", "0", "100000", "yes",
    ],
    ["cea", "CEA", "numeric", "ng/mL", "", "0", "10000", "no"],
    [
        "tumour_size",
        "Tumour size (largest diameter)",
        "numeric",
        "cm",
        "",
        "0.1",
        "30",
        "yes",
    ],
    [
        "tumour_number",
        "Tumour number",
        "categorical",
        "",
        "single|multiple",
        "",
        "",
        "yes",
    ],
    [
        "satellite_lesions",
        "Satellite lesions",
        "boolean",
        "",
        "",
        "",
        "",
        "no",
    ],
    [
        "vascular_invasion",
        "Vascular invasion",
        "categorical",
        "",
        "none|micro|macro",
        "",
        "",
        "yes",
    ],
    [
        "lymph_node_metastasis",
        "Lymph-node metastasis",
        "boolean",
        "",
        "",
        "",
        "",
        "yes",
    ],
    [
        "perineural_invasion",
        "Perineural invasion",
        "boolean",
        "",
        "",
        "",
        "",
        "no",
    ],
    [
        "resection_margin",
        "Resection margin",
        "categorical",
        "",
        "R0|R1",
        "",
        "",
        "yes",
    ],
    [
        "differentiation",
        "Differentiation",
        "categorical",
        "",
        "well|moderate|poor",
        "",
        "",
        "no",
    ],
    [
        "ajcc_t",
        "AJCC T category (8th ed.)",
        "categorical",
        "",
        "T1a|T1b|T2|T3|T4",
        "",
        "",
        "yes",
    ],
    [
        "ajcc_n",
        "AJCC N category (8th ed.)",
        "categorical",
        "",
        "N0|N1|NX",
        "",
        "",
        "yes",
    ],
    [
        "hbv_infection",
        "HBV infection",
        "boolean",
        "",
        "",
        "",
        "",
        "no",
    ],
    [
        "cirrhosis",
        "Liver cirrhosis",
        "boolean",
        "",
        "",
        "",
        "",
        "no",
    ],
    [
        "rim_enhancement",
        "Rim enhancement (arterial phase)",
        "boolean",
        "",
        "",
        "",
        "",
        "no",
    ],
    [
        "biliary_dilatation",
        "Intrahepatic biliary dilatation",
        "boolean",
        "",
        "",
        "",
        "",
        "no",
    ],
];

/// The sample study's files as text, exactly as committed in
/// `sample_study/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleCsvFiles {
    /// `dictionary.csv`.
    pub dictionary: String,
    /// `patients.csv`.
    pub patients: String,
    /// `chemo.csv`.
    pub chemo: String,
    /// `imaging.csv`, paths relative to the study folder.
    pub imaging: String,
    /// `truth.csv`: the hidden latent risk and chemotherapy assignment.
    pub truth: String,
}

impl SampleCsvFiles {
    /// The files with their names, in import order.
    pub fn named(&self) -> [(&'static str, &str); 5] {
        [
            ("dictionary.csv", &self.dictionary),
            ("patients.csv", &self.patients),
            ("chemo.csv", &self.chemo),
            ("imaging.csv", &self.imaging),
            ("truth.csv", &self.truth),
        ]
    }
}

/// Relative path of one patient's image.
pub(crate) fn image_path(study_id: &str, series: &str) -> String {
    format!("images/{study_id}_{series}.nii.gz")
}

fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut text = header.join(",");
    text.push('\n');
    for row in rows {
        let cells: Vec<String> = row
            .into_iter()
            .map(|cell| {
                if cell.contains([',', '"', '\n']) {
                    format!("\"{}\"", cell.replace('"', "\"\""))
                } else {
                    cell
                }
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

/// Writes every CSV of the simulated cohort.
pub(crate) fn csv_files(patients: &[SimPatient]) -> SampleCsvFiles {
    let dictionary = table(
        &[
            "name", "label", "type", "unit", "levels", "min", "max", "required",
        ],
        DICTIONARY
            .iter()
            .map(|row| row.iter().map(|c| (*c).to_owned()).collect()),
    );

    let mut header = ImportKind::Patients.columns().to_vec();
    header.extend(DICTIONARY.iter().map(|row| row[0]));
    let patient_rows = patients.iter().map(|p| {
        let c = &p.clinical;
        vec![
            p.study_id.clone(),
            p.sex.to_string(),
            p.age.to_string(),
            p.cohort.to_string(),
            iso(p.surgery),
            p.procedure.to_string(),
            yes_no(p.lymphadenectomy),
            p.recurrence.map(|r| iso(r.0)).unwrap_or_default(),
            p.recurrence.map(|r| r.1.to_owned()).unwrap_or_default(),
            p.death.map(|d| iso(d.0)).unwrap_or_default(),
            p.death.map(|d| d.1.to_owned()).unwrap_or_default(),
            iso(p.last_contact),
            c.ca19_9.to_string(),
            c.cea.map(|v| v.to_string()).unwrap_or_default(),
            c.tumour_size_cm.to_string(),
            c.tumour_number.to_owned(),
            yes_no(c.satellite_lesions),
            c.vascular_invasion.to_owned(),
            yes_no(c.lymph_node_metastasis),
            yes_no(c.perineural_invasion),
            c.resection_margin.to_owned(),
            c.differentiation.to_owned(),
            c.ajcc_t.to_owned(),
            c.ajcc_n.to_owned(),
            yes_no(c.hbv_infection),
            yes_no(c.cirrhosis),
            yes_no(c.rim_enhancement),
            c.biliary_dilatation.map(yes_no).unwrap_or_default(),
        ]
    });
    let patients_csv = table(&header, patient_rows);

    let chemo_rows = patients.iter().flat_map(|p| {
        p.courses.iter().map(|c| {
            vec![
                p.study_id.clone(),
                c.regimen.to_owned(),
                iso(c.start),
                iso(c.end),
                c.cycles.to_string(),
                c.completed.map(yes_no).unwrap_or_default(),
            ]
        })
    });
    let chemo = table(
        &[
            "study_id",
            "regimen",
            "start_date",
            "end_date",
            "cycles",
            "completed",
        ],
        chemo_rows,
    );

    let imaging_rows = patients.iter().flat_map(|p| {
        let id = &p.study_id;
        [
            vec![
                id.clone(),
                "b0".into(),
                "dwi".into(),
                "0".into(),
                image_path(id, "b0"),
                String::new(),
                String::new(),
            ],
            vec![
                id.clone(),
                "b800".into(),
                "dwi".into(),
                "800".into(),
                image_path(id, "b800"),
                String::new(),
                String::new(),
            ],
            vec![
                id.clone(),
                "tumour".into(),
                "mask".into(),
                String::new(),
                image_path(id, "mask"),
                "b800".into(),
                "1".into(),
            ],
        ]
    });
    let imaging = table(
        &[
            "study_id", "series", "kind", "b_value", "path", "mask_of", "label",
        ],
        imaging_rows,
    );

    let truth_rows = patients.iter().map(|p| {
        vec![
            p.study_id.clone(),
            format!("{:.4}", p.latent_risk),
            if p.truly_high_risk() { "1" } else { "0" }.to_owned(),
            if p.chemo_assigned { "1" } else { "0" }.to_owned(),
        ]
    });
    let truth = table(
        &[
            "study_id",
            "latent_risk",
            "true_high_risk",
            "chemo_assigned",
        ],
        truth_rows,
    );

    SampleCsvFiles {
        dictionary,
        patients: patients_csv,
        chemo,
        imaging,
        truth,
    }
}
