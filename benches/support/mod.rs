//! What the benchmarks share: the organization's size, and the median.

/// The synthetic organization's size: `SKYHOUND_BENCH_RESOURCES`, else
/// 100,000.
pub fn resources() -> usize {
    std::env::var("SKYHOUND_BENCH_RESOURCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
