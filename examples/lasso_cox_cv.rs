//! Times the LASSO-Cox path with 10-fold cross-validation on a synthetic
//! cohort shaped like `../shared/tools/lifelines-anchor.py`'s (N(0, 1)
//! covariates, exponential event and censoring times rounded to 0.001, so
//! with ties; 100 λ down to 0.01·λ_max), the workload scikit-survival's
//! Coxnet is timed on there.
//!
//! usage: cargo run --release --example lasso_cox_cv -- [N] [P] [REPEATS]

use std::time::Instant;

use radcohort::stats::penalized::{CvOptions, Folds, PenaltyOptions, cv_cox, fit_cox_path};
use radcohort::stats::{Design, SurvivalData};

/// SplitMix64, for reproducible synthetic data without a dependency.
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

    fn exponential(&mut self, rate: f64) -> f64 {
        -self.uniform().ln() / rate
    }
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(10_000);
    let p = args.get(1).copied().unwrap_or(10);
    let repeats = args.get(2).copied().unwrap_or(5);
    let mut rng = Rng(1);
    let x: Vec<Vec<f64>> = (0..p)
        .map(|_| (0..n).map(|_| rng.normal()).collect())
        .collect();
    let beta: Vec<f64> = (0..p).map(|_| 0.3 * rng.normal()).collect();
    let mut time = Vec::with_capacity(n);
    let mut event = Vec::with_capacity(n);
    for i in 0..n {
        let eta: f64 = x.iter().zip(&beta).map(|(column, b)| column[i] * b).sum();
        let t = rng.exponential(eta.exp());
        let c = rng.exponential(1.0);
        time.push((t.min(c) * 1000.0).round() / 1000.0 + 0.001);
        event.push(t <= c);
    }
    let design = Design::from_columns(
        x.into_iter()
            .enumerate()
            .map(|(j, column)| (format!("x{j}"), column))
            .collect(),
    )
    .expect("finite synthetic covariates");
    let survival = SurvivalData::new(time, event).expect("valid synthetic times");
    let options = PenaltyOptions {
        lambda_min_ratio: Some(0.01),
        ..PenaltyOptions::default()
    };
    let cv = CvOptions {
        folds: Folds::Seeded {
            nfolds: 10,
            seed: 1,
        },
        ..CvOptions::default()
    };
    let median = |mut times: Vec<f64>| {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    let mut path_times = Vec::new();
    let mut cv_times = Vec::new();
    let mut result = None;
    for _ in 0..repeats {
        let start = Instant::now();
        let path = fit_cox_path(&design, &survival, &options).expect("path");
        path_times.push(start.elapsed().as_secs_f64());
        let start = Instant::now();
        result = Some((path, cv_cox(&design, &survival, &options, &cv).expect("cv")));
        cv_times.push(start.elapsed().as_secs_f64());
    }
    if let Some((path, fitted)) = result {
        let iterations: usize = path.iterations.iter().sum();
        println!(
            "n={n} p={p} events={} threads={}: path {:.4} s ({} λ, {iterations} Newton iterations), \
             10-fold CV path {:.4} s (median of {repeats}); λ.min {:.5}, λ.1se {:.5}",
            survival.events(),
            rayon::current_num_threads(),
            median(path_times),
            path.lambda.len(),
            median(cv_times),
            fitted.cv.lambda_min,
            fitted.cv.lambda_1se,
        );
    }
}
