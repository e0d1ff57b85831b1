//! What the benchmark binaries share: their command line and the median
//! they report.

/// The arguments, without the `--bench` that `cargo bench` passes.
pub fn arguments() -> Vec<String> {
    std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect()
}

/// The value after option `name`, parsed; `None` when absent or
/// unreadable.
pub fn option<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|value| value.parse().ok())
}

/// The median of some timings (the upper one of an even count), sorting
/// them in place.
pub fn median(seconds: &mut [f64]) -> f64 {
    seconds.sort_by(f64::total_cmp);
    seconds[seconds.len() / 2]
}

/// The `p`-th percentile (0 < p ≤ 100) of some timings by the nearest-rank
/// method — the smallest value with at least p% of them at or below it —
/// sorting them in place.
// Only some benchmarks report percentiles; the others compile this too.
#[allow(dead_code)]
pub fn percentile(seconds: &mut [f64], p: f64) -> f64 {
    seconds.sort_by(f64::total_cmp);
    let rank = (p / 100.0 * seconds.len() as f64).ceil() as usize;
    seconds[rank.clamp(1, seconds.len()) - 1]
}
