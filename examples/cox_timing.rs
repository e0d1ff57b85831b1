//! Times a Cox (Efron) fit and Harrell's C on a synthetic cohort shaped like
//! `shared/tools/lifelines-anchor.py` (normal covariates, exponential event
//! and censoring times, times rounded to 0.001 so that many are tied).
//! Not a test: run once in release to measure.
//!
//!     cargo run --release --example cox_timing -- [N] [P]

use std::time::Instant;

use radcohort::stats::{CoxModel, CoxOptions, Design, SurvivalData, concordance_index};

/// A small seeded generator (SplitMix64) so the cohort is reproducible.
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * self.uniform().ln()
    }
}

/// CPU seconds used by the process so far (all threads): on a loaded
/// machine the wall clock says little, this says what the work costs.
fn cpu_seconds() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    now.tv_sec as f64 + now.tv_nsec as f64 * 1e-9
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(1_000_000, |a| a.parse().expect("N"));
    let p: usize = args.next().map_or(10, |a| a.parse().expect("P"));
    let mut rng = Rng(1);
    let beta: Vec<f64> = (0..p).map(|_| 0.3 * rng.normal()).collect();
    let x: Vec<Vec<f64>> = (0..p)
        .map(|_| (0..n).map(|_| rng.normal()).collect())
        .collect();
    let lp: Vec<f64> = (0..n)
        .map(|i| (0..p).map(|j| x[j][i] * beta[j]).sum())
        .collect();
    let mut time = Vec::with_capacity(n);
    let mut event = Vec::with_capacity(n);
    for &eta in &lp {
        let t = rng.exponential((-eta).exp());
        let c = rng.exponential(1.0);
        time.push((t.min(c) * 1000.0).round() / 1000.0 + 0.001);
        event.push(t <= c);
    }
    let data = SurvivalData::new(time, event).expect("data");
    let design = Design::from_columns(
        x.into_iter()
            .enumerate()
            .map(|(j, column)| (format!("x{j}"), column))
            .collect(),
    )
    .expect("design");
    println!(
        "n={n} p={p} events={} threads={}",
        data.events(),
        rayon::current_num_threads()
    );
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    for run in 0..runs {
        let (start, cpu) = (Instant::now(), cpu_seconds());
        let fit = CoxModel::fit(&data, &design, &CoxOptions::default()).expect("fit");
        let seconds = start.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu;
        let error = fit
            .coefficients()
            .iter()
            .zip(&beta)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        println!(
            "run {run}: cox_efron_s {seconds:.3} (cpu {cpu:.3}; iterations {}, incl. concordance; max |coef - true| {error:.3})",
            fit.iterations
        );
    }
    for run in 0..3 {
        let (start, cpu) = (Instant::now(), cpu_seconds());
        let c = concordance_index(&data, &lp).expect("cindex");
        println!(
            "run {run}: cindex_s {:.3} (cpu {:.3}; C = {:.4})",
            start.elapsed().as_secs_f64(),
            cpu_seconds() - cpu,
            c.cindex
        );
    }
}
