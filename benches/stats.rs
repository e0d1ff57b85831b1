//! Statistics benchmark: times radcohort's Kaplan–Meier, log-rank, Cox
//! (Efron) and Harrell's C on the synthetic cohort that
//! `../shared/tools/lifelines-anchor.py` times lifelines on, for
//! `benches/stats.sh` to set beside it in the same session. Not a test: it
//! asserts nothing and prints one JSON line.
//!
//! ```text
//! cargo bench --bench stats -- COHORT.csv [--threads N] [--repeats R]
//! ```
//!
//! COHORT.csv is written by `benches/stats_cohort.py N P` (the anchor's
//! seeded draws): columns x0..x{P-1}, T, E, g and the true risk. Reading
//! the CSV is not timed; each method's median wall time over the repeats
//! is, as the anchor times each lifelines call.

mod common;

use std::time::Instant;

use radcohort::stats::{
    CoxModel, CoxOptions, CvOptions, Design, Frame, Grouping, KaplanMeier, KmOptions,
    LogRankWeights, PenaltyOptions, SurvivalData, concordance_index, cv_cox, logrank_test,
};

fn main() {
    if let Err(err) = run() {
        eprintln!("bench: {err}");
        std::process::exit(1);
    }
}

/// Median wall seconds of `repeats` runs of `work`.
fn median_seconds<T>(repeats: usize, mut work: impl FnMut() -> T) -> f64 {
    let mut times: Vec<f64> = (0..repeats.max(1))
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(work());
            start.elapsed().as_secs_f64()
        })
        .collect();
    common::median(&mut times)
}

fn run() -> Result<(), String> {
    let args = common::arguments();
    let threads: usize = common::option(&args, "--threads").unwrap_or(1);
    let repeats: usize = common::option(&args, "--repeats").unwrap_or(3);
    let path = args
        .first()
        .filter(|a| !a.starts_with("--"))
        .ok_or("usage: stats COHORT.csv [--threads N] [--repeats R]")?;
    let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let frame = Frame::from_csv(std::io::BufReader::new(file), path).map_err(|e| e.to_string())?;
    let rows: Vec<usize> = (0..frame.rows()).collect();
    let covariates: Vec<String> = frame
        .names()
        .iter()
        .filter(|name| name.starts_with('x'))
        .cloned()
        .collect();
    let time = frame.numbers_at("T", &rows).map_err(|e| e.to_string())?;
    let event = frame.indicator_at("E", &rows).map_err(|e| e.to_string())?;
    let data = SurvivalData::new(time, event).map_err(|e| e.to_string())?;
    let groups = Grouping::from_column(&frame, "g").map_err(|e| e.to_string())?;
    let risk = frame.numbers_at("risk", &rows).map_err(|e| e.to_string())?;
    let design = Design::from_columns(
        covariates
            .iter()
            .map(|name| Ok((name.clone(), frame.numbers_at(name, &rows)?)))
            .collect::<Result<_, radcohort::stats::StatsError>>()
            .map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| e.to_string())?;
    let n = data.len();
    let timings = pool.install(|| {
        let km = median_seconds(repeats, || KaplanMeier::fit(&data, KmOptions::default()));
        let logrank = median_seconds(repeats, || {
            logrank_test(&data, &groups, None, LogRankWeights::LOGRANK)
        });
        let cox = median_seconds(repeats, || {
            CoxModel::fit(&data, &design, &CoxOptions::default())
        });
        let cindex = median_seconds(repeats, || concordance_index(&data, &risk));
        // As the anchor: a 100-λ path down to 0.01·λmax, then 10 folds.
        let lasso = (n <= 20_000).then(|| {
            median_seconds(repeats, || {
                cv_cox(
                    &design,
                    &data,
                    &PenaltyOptions {
                        lambda_min_ratio: Some(0.01),
                        ..PenaltyOptions::default()
                    },
                    &CvOptions::default(),
                )
            })
        });
        (km, logrank, cox, cindex, lasso)
    });
    let (km, logrank, cox, cindex, lasso) = timings;
    // Check the fits succeed once outside the timing, so a failure is seen.
    CoxModel::fit(&data, &design, &CoxOptions::default()).map_err(|e| e.to_string())?;
    println!(
        "{{\"n\": {n}, \"p\": {}, \"threads\": {threads}, \"km_s\": {km}, \"logrank_s\": {logrank}, \"cox_efron_s\": {cox}, \"cindex_s\": {cindex}, \"coxnet_10fold_path_s\": {}}}",
        covariates.len(),
        lasso.map_or("null".to_owned(), |s| s.to_string())
    );
    Ok(())
}
