//! Exposure benchmarks (issue 3), run with `cargo bench --bench exposure`.
//!
//! - full exposure of a 100,000-resource synthetic organization (target < 1 s, one core)
//! - one `explain` query (target < 5 ms)
//! - the analysis's memory against the graph's own (target: smaller)
//!
//! Memory is counted by a tracking allocator: the bytes the graph holds,
//! and the peak bytes the analysis allocates on top of it (caches and
//! result). `SKYHOUND_BENCH_RESOURCES` changes the size.

use std::time::Instant;

use peak_alloc::PeakAlloc;
use skyhound::model::NodeKind;
use skyhound::model::network::Protocol;

mod support;
use support::median;

#[global_allocator]
static ALLOCATED: PeakAlloc = PeakAlloc;

fn main() {
    let resources = support::resources();
    let before_graph = ALLOCATED.current_usage();
    let nodes = skyhound::source::synth::nodes(resources, 1);
    let graph = skyhound::graph::Graph::build(nodes, Default::default());
    let graph_bytes = ALLOCATED.current_usage().saturating_sub(before_graph) as f64;

    let mut times = Vec::new();
    let mut count = 0;
    for _ in 0..5 {
        let t = Instant::now();
        count = skyhound::analysis::exposures(&graph).len();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "full exposure                {:>7} resources  median {:>8.1} ms  min {:>8.1} ms  ({count} exposures; target < 1 s on one core)",
        graph.len(),
        median(times.clone()),
        times.iter().copied().fold(f64::INFINITY, f64::min)
    );

    // explain: instances with a public address, tcp 22 (open or blocked).
    let instances: Vec<_> = graph
        .nodes_of(NodeKind::Instance)
        .filter(|(_, n)| matches!(&n.data, skyhound::model::NodeData::Instance(i) if i.public_ip.is_some()))
        .map(|(id, _)| id)
        .take(500)
        .collect();
    let mut per = Vec::new();
    for id in &instances {
        let t = Instant::now();
        let x =
            skyhound::analysis::explain(&graph, *id, Protocol::Tcp, 22, None).expect("explains");
        per.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(x);
    }
    let mut sorted = per.clone();
    sorted.sort_by(f64::total_cmp);
    let p99 = sorted[(sorted.len() * 99 / 100).min(sorted.len() - 1)];
    println!(
        "explain one resource, tcp 22 {:>7} queries    median {:>8.3} ms  p99 {p99:>8.3} ms  (target < 5 ms)",
        per.len(),
        median(per)
    );

    // The graph's own memory (its nodes, indexes and relationships) against
    // the analysis's peak on top of it, result included.
    let base = ALLOCATED.current_usage();
    ALLOCATED.reset_peak_usage();
    let result = skyhound::analysis::exposures(&graph);
    let peak = ALLOCATED.peak_usage().saturating_sub(base) as f64;
    let kept = ALLOCATED.current_usage().saturating_sub(base) as f64;
    std::hint::black_box(&result);
    let mb = |b: f64| b / (1024.0 * 1024.0);
    println!(
        "memory: graph {:.1} MB; analysis peak {:.1} MB ({:.0}% of the graph), result kept {:.1} MB  (target: smaller than the graph)",
        mb(graph_bytes),
        mb(peak),
        peak / graph_bytes * 100.0,
        mb(kept)
    );
}
