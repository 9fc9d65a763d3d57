//! Posture benchmarks (issue 13), run with `cargo bench --bench posture`.
//!
//! - every posture check over the 100,000-resource synthetic organization,
//!   with the exposure analysis they grade network findings by already
//!   done (target < 500 ms, one core)
//!
//! `SKYHOUND_BENCH_RESOURCES` changes the size.

use std::time::Instant;

use skyhound::analysis::finding::Status;

mod support;
use support::median;

fn main() {
    let resources = support::resources();
    let nodes = skyhound::source::synth::nodes(resources, 1);
    let graph = skyhound::graph::Graph::build(nodes, Default::default());
    let exposures = skyhound::analysis::exposures(&graph);

    let mut times = Vec::new();
    let mut results = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        results = skyhound::analysis::posture::findings(&graph, &exposures);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let count = |s: Status| results.iter().filter(|f| f.status == s).count();
    println!(
        "every posture check          {:>7} resources  median {:>8.1} ms  min {:>8.1} ms  ({} results: {} pass, {} fail, {} unknown; target < 500 ms on one core)",
        graph.len(),
        median(times.clone()),
        times.iter().copied().fold(f64::INFINITY, f64::min),
        results.len(),
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Unknown),
    );
}
