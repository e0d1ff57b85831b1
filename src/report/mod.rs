//! The publication output of the analyses: `results.json` (everything,
//! machine-readable), each table as CSV, Markdown and LaTeX (booktabs),
//! the figures as SVG, and a `report.md` that ties them together in the
//! order of a paper's Results section.
//!
//! The folder is written whole or not at all: everything goes into a
//! sibling temporary folder first, which then replaces the target.

pub mod figures;
pub mod format;
pub mod table;
pub mod tables;

use std::path::{Path, PathBuf};

use crate::analysis::StudyResults;
use crate::signature::Signature;
use format::{auc_ci, p_value};

pub use figures::Figure;
pub use table::Table;

/// What can go wrong writing a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file or folder could not be written.
    #[error("{path}: {context}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The output folder exists and is not an earlier report.
    #[error(
        "{path}: exists and is not a radcohort report (no results.json and report.md); \
         choose a new or empty folder"
    )]
    NotAReport {
        /// The folder.
        path: PathBuf,
    },
    /// A figure could not be drawn.
    #[error("drawing the figures: {reason}")]
    Figure {
        /// The drawing library's message.
        reason: String,
    },
}

/// What was written.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReportFiles {
    /// The folder.
    pub folder: PathBuf,
    /// The files, relative to it.
    pub files: Vec<String>,
}

/// Writes the report of `results` into `folder`: created, or replaced
/// whole when it is empty or an earlier report; any other existing folder
/// is refused ([`ReportError::NotAReport`]). `signatures` are shown in the
/// report's model section.
pub fn write_report(
    results: &StudyResults,
    signatures: &[&Signature],
    folder: &Path,
) -> Result<ReportFiles, ReportError> {
    // Only a folder this function wrote, or an empty one, is replaced:
    // `--out` naming a folder of other files must not delete them.
    if folder.exists() && !is_replaceable(folder) {
        return Err(ReportError::NotAReport {
            path: folder.to_owned(),
        });
    }
    let tables = tables::tables(results);
    let figures = figures::figures(results).map_err(|reason| ReportError::Figure { reason })?;
    let name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".to_owned());
    let staging = folder.with_file_name(format!(".partial-{name}"));
    let io = |path: &Path, context: &str| {
        let path = path.to_owned();
        let context = context.to_owned();
        move |source| ReportError::Io {
            path,
            context,
            source,
        }
    };
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .map_err(io(&staging, "removing an old partial report"))?;
    }
    std::fs::create_dir_all(staging.join("tables"))
        .map_err(io(&staging, "creating the report folder"))?;
    std::fs::create_dir_all(staging.join("figures"))
        .map_err(io(&staging, "creating the report folder"))?;
    let mut files = Vec::new();
    let mut write = |relative: String, text: &str| -> Result<(), ReportError> {
        let path = staging.join(&relative);
        std::fs::write(&path, text).map_err(io(&path, "writing the report"))?;
        files.push(relative);
        Ok(())
    };
    let json = serde_json::to_string_pretty(results).unwrap_or_default() + "\n";
    write("results.json".into(), &json)?;
    for table in &tables {
        write(format!("tables/{}.csv", table.name), &table.to_csv())?;
        write(format!("tables/{}.md", table.name), &table.to_markdown())?;
        write(format!("tables/{}.tex", table.name), &table.to_latex())?;
    }
    for figure in &figures {
        write(format!("figures/{}.svg", figure.name), &figure.svg)?;
    }
    write(
        "report.md".into(),
        &report_markdown(results, signatures, &tables, &figures),
    )?;
    if folder.exists() {
        std::fs::remove_dir_all(folder).map_err(io(folder, "replacing the previous report"))?;
    }
    std::fs::rename(&staging, folder).map_err(io(folder, "moving the report into place"))?;
    Ok(ReportFiles {
        folder: folder.to_owned(),
        files,
    })
}

/// Whether `folder` may be replaced: empty, or a report written before
/// (it has `results.json` and `report.md`, and nothing but those, `tables`
/// and `figures`).
fn is_replaceable(folder: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return false;
    };
    let names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let known = ["results.json", "report.md", "tables", "figures"];
    names.is_empty()
        || (names.iter().any(|n| n == "results.json")
            && names.iter().any(|n| n == "report.md")
            && names.iter().all(|n| known.contains(&n.as_str())))
}

fn table_named<'a>(tables: &'a [Table], name: &str) -> Option<&'a Table> {
    tables.iter().find(|t| t.name == name)
}

/// `report.md`: the results in the order a paper reports them, each
/// section with its key numbers, tables and figures.
fn report_markdown(
    results: &StudyResults,
    signatures: &[&Signature],
    tables: &[Table],
    figures: &[Figure],
) -> String {
    let mut md = format!(
        "# {}: results\n\nWritten by {}. Every number is in `results.json`; tables are in \
         `tables/` as CSV, Markdown and LaTeX (booktabs), figures in `figures/` as SVG.\n\n",
        results.study, results.tool
    );
    let figure = |md: &mut String, name: &str| {
        if let Some(f) = figures.iter().find(|f| f.name == name) {
            md.push_str(&format!("![{}](figures/{}.svg)\n\n", f.caption, f.name));
        }
    };
    let table = |md: &mut String, name: &str| {
        if let Some(t) = table_named(tables, name) {
            md.push_str(&t.to_markdown());
            md.push('\n');
        }
    };

    let [training, validation, unassigned] = results.patients;
    md.push_str(&format!(
        "## Patients\n\n{} patients: {training} in the training and {validation} in the validation \
         cohort{}.\n\n",
        training + validation + unassigned,
        if unassigned > 0 {
            format!(", {unassigned} unassigned")
        } else {
            String::new()
        }
    ));
    table(&mut md, "table1_by_cohort");
    for note in &results.baseline.notes {
        md.push_str(&format!("{note}\n\n"));
    }

    md.push_str("## Models\n\n");
    for (summary, signature) in results.models.iter().zip(signatures) {
        md.push_str(&format!(
            "- **{}** ({}, id `{}`): {} inputs; cutoff {}; scored {} patients{}.{}\n",
            summary.name,
            summary.model,
            summary.id,
            signature.inputs.len(),
            summary
                .cutoff
                .map_or("none".to_owned(), |c| format!("{c:.4}")),
            summary.scored,
            if summary.not_scored.is_empty() {
                String::new()
            } else {
                format!(", {} could not be scored", summary.not_scored.len())
            },
            signature
                .provenance
                .method
                .as_ref()
                .map_or(String::new(), |m| format!(" {m}."))
        ));
    }
    md.push('\n');

    md.push_str(&format!(
        "## Discrimination of early recurrence\n\nEarly recurrence: within {} days of surgery.",
        results.early_recurrence_days
    ));
    for m in &results.discrimination.models {
        if let Some(auc) = &m.auc {
            md.push_str(&format!(
                " {} AUC in the {} cohort {}.",
                m.model,
                m.cohort,
                auc_ci(auc)
            ));
        }
    }
    md.push_str("\n\n");
    table(&mut md, "discrimination");
    table(&mut md, "auc_comparisons");
    for cohort in ["training", "validation"] {
        figure(&mut md, &format!("roc_{cohort}"));
    }
    for cohort in ["training", "validation"] {
        figure(&mut md, &format!("calibration_{cohort}"));
        figure(&mut md, &format!("decision_{cohort}"));
    }

    md.push_str("## Prognosis by radiomic risk group\n\n");
    for c in &results.prognosis.by_risk_group {
        if let (Some(test), Some(hr)) = (&c.logrank, &c.hazard_ratio) {
            md.push_str(&format!(
                "- {} cohort, {}: high vs low risk HR {:.2} ({:.2}–{:.2}), log-rank p {}.\n",
                c.cohort,
                c.endpoint.label(),
                hr.hr,
                hr.ci_lower,
                hr.ci_upper,
                p_value(test.p)
            ));
        }
    }
    md.push('\n');
    table(&mut md, "survival_by_risk_group");
    for cohort in ["training", "validation"] {
        figure(&mut md, &format!("km_dfs_{cohort}"));
        figure(&mut md, &format!("km_os_{cohort}"));
    }
    table(&mut md, "cox_models");

    md.push_str("## Adjuvant chemotherapy by risk group\n\n");
    for m in &results.chemo_benefit.interaction {
        md.push_str(&format!(
            "- {}: chemotherapy HR {:.2} ({:.2}–{:.2}, p {}) in high-risk and {:.2} ({:.2}–{:.2}, \
             p {}) in low-risk patients; p for interaction {}.\n",
            m.endpoint.label(),
            m.chemo_in_high_risk.hr,
            m.chemo_in_high_risk.ci_lower,
            m.chemo_in_high_risk.ci_upper,
            p_value(m.chemo_in_high_risk.p),
            m.chemo_in_low_risk.hr,
            m.chemo_in_low_risk.ci_lower,
            m.chemo_in_low_risk.ci_upper,
            p_value(m.chemo_in_low_risk.p),
            p_value(m.p_interaction)
        ));
    }
    md.push('\n');
    table(&mut md, "chemotherapy_benefit");
    figure(&mut md, "chemotherapy_forest");
    for endpoint in ["dfs", "os"] {
        for group in ["high", "low"] {
            figure(&mut md, &format!("km_{endpoint}_chemo_{group}_risk"));
        }
    }
    table(&mut md, "table1_by_risk_group");
    md
}
