//! `radcohort info`: counts of the cohort and its endpoints.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use radcohort::study::summary::{self, EndpointSummary};

/// Arguments of `info`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(db: &Path, args: Args) -> Result<ExitCode> {
    let study = super::open(db)?;
    let summary = summary::summarize(&study)?;
    if args.json {
        super::print_json(&summary)?;
        return Ok(ExitCode::SUCCESS);
    }
    let s = &summary.settings;
    let r = &summary.records;
    println!("{} — {}", s.name, db.display());
    println!(
        "schema v{}; early recurrence within {} days; adjuvant chemotherapy within {} days of surgery",
        summary.schema_version, s.early_recurrence_window_days, s.adjuvant_window_days
    );
    println!(
        "patients {} (training {}, validation {}, unassigned {}); {} M / {} F; {} dictionary variables",
        r.patients,
        r.training,
        r.validation,
        r.unassigned,
        r.male,
        r.female,
        summary.dictionary_variables
    );
    println!(
        "events: {} recurrences, {} deaths, {} last contacts; {} chemotherapy courses",
        r.recurrence_events, r.death_events, r.last_contact_events, r.chemotherapy_courses
    );
    println!(
        "imaging: {} DWI, {} ADC, {} masks, {} other",
        r.dwi_series, r.adc_series, r.mask_series, r.other_series
    );
    println!();
    println!(
        "{:<12}{:>9}{:>16}{:>16}{:>22}{:>18}",
        "", "patients", "DFS events", "OS events", "early rec. y/n/?", "adjuvant y/n/?"
    );
    let rows = [
        ("all", &summary.endpoints.all),
        ("training", &summary.endpoints.training),
        ("validation", &summary.endpoints.validation),
    ];
    for (name, e) in rows {
        println!(
            "{name:<12}{:>9}{:>16}{:>16}{:>22}{:>18}",
            e.patients,
            events(e, true),
            events(e, false),
            yes_no(&e.early_recurrence),
            yes_no(&e.adjuvant_chemo)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn events(e: &EndpointSummary, dfs: bool) -> String {
    let counts = if dfs { &e.dfs } else { &e.os };
    format!("{}/{}", counts.events, counts.known)
}

fn yes_no(counts: &radcohort::study::summary::BinaryCounts) -> String {
    format!("{}/{}/{}", counts.yes, counts.no, counts.unknown)
}
