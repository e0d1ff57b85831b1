//! What the benchmark binaries share: their command line, the median and
//! percentiles they report, and the seeded generator of their synthetic
//! cohorts.

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

/// SplitMix64: a small seeded generator, so a synthetic cohort is the same
/// on every run and machine.
// Only the benchmarks that generate cohorts use it; the others compile it too.
#[allow(dead_code)]
pub struct Rng(pub u64);

#[allow(dead_code)]
impl Rng {
    /// A uniform draw in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// A standard normal draw (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// A standard exponential draw.
    pub fn exponential(&mut self) -> f64 {
        -self.uniform().ln()
    }
}
