//! Identity benchmarks (issue 12), run with `cargo bench --bench iam`.
//!
//! - admins, trust and escalation over a 100,000-resource synthetic
//!   organization (about 10,000 users and roles; target: the three < 2 s)
//! - one `can` question on a fresh engine and on a warm one (target < 1 ms)
//! - the engine's memory against the graph's own (target ≤ 1.5×)
//!
//! Each analysis runs on a fresh engine, as `skyhound admins`, `trust` and
//! `escalation` do, and then all three on one engine, as `findings` does.
//! `SKYHOUND_BENCH_RESOURCES` changes the size.

use std::time::Instant;

use peak_alloc::PeakAlloc;
use skyhound::analysis::iam::{Engine, Request};
use skyhound::model::NodeKind;

mod support;
use support::median;

#[global_allocator]
static ALLOCATED: PeakAlloc = PeakAlloc;

fn timed<T>(runs: usize, mut f: impl FnMut() -> T) -> (Vec<f64>, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    (times, last.expect("at least one run"))
}

fn line(what: &str, times: &[f64], note: &str) {
    println!(
        "{what:<34} median {:>8.1} ms  min {:>8.1} ms  ({note})",
        median(times.to_vec()),
        times.iter().copied().fold(f64::INFINITY, f64::min)
    );
}

fn main() {
    let resources = support::resources();
    let before_graph = ALLOCATED.current_usage();
    let nodes = skyhound::source::synth::nodes(resources, 1);
    let graph = skyhound::graph::Graph::build(nodes, Default::default());
    let graph_bytes = ALLOCATED.current_usage().saturating_sub(before_graph) as f64;
    let users = graph.nodes_of(NodeKind::IamUser).count();
    let roles = graph.nodes_of(NodeKind::IamRole).count();
    let policies = graph.nodes_of(NodeKind::IamPolicy).count();
    println!(
        "synthetic organization {} resources: {users} users, {roles} roles, {policies} managed policies",
        graph.len()
    );

    let (times, admins) = timed(3, || Engine::new(&graph).admins());
    line("admins", &times, &format!("{} admins", admins.len()));
    let (times, trusts) = timed(3, || Engine::new(&graph).trusts());
    line(
        "trust",
        &times,
        &format!("{} trust relationships", trusts.len()),
    );
    let (times, escalations) = timed(3, || Engine::new(&graph).escalations(None));
    line(
        "escalation (admins included)",
        &times,
        &format!("{} principals can become admin", escalations.len()),
    );
    let (times, _) = timed(3, || {
        let mut e = Engine::new(&graph);
        let admins = e.admins();
        let escalations = e.escalations_with(&admins, None);
        (admins.len(), escalations.len(), e.trusts().len())
    });
    line(
        "admins + trust + escalation",
        &times,
        "one engine, as findings does; target < 2 s",
    );
    let (times, problems) = timed(3, || skyhound::analysis::iam::problems::findings(&graph));
    line(
        "policy problems (every document)",
        &times,
        &format!(
            "{} documents' holders, {} with problems",
            problems.len(),
            problems
                .iter()
                .filter(|f| f.status == skyhound::analysis::finding::Status::Fail)
                .count()
        ),
    );

    // One question: can this principal do that, on a fresh engine (its
    // policies parsed for the question) and on one that has seen it.
    let principals: Vec<_> = graph
        .nodes_of(NodeKind::IamRole)
        .chain(graph.nodes_of(NodeKind::IamUser))
        .map(|(id, _)| id)
        .step_by(7)
        .take(500)
        .collect();
    let questions = [
        ("s3:GetObject", "arn:aws:s3:::bucket-10/report.csv"),
        ("iam:CreateAccessKey", "*"),
        ("ec2:RunInstances", "*"),
    ];
    let ask = |engine: &mut Engine, i: usize, p| {
        let (action, resource) = questions[i % questions.len()];
        engine.decide(&Request {
            principal: p,
            action,
            resource,
            context: &[],
        })
    };
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    let mut shared = Engine::new(&graph);
    for (i, p) in principals.iter().enumerate() {
        let t = Instant::now();
        std::hint::black_box(ask(&mut Engine::new(&graph), i, *p));
        cold.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(ask(&mut shared, i, *p));
        let t = Instant::now();
        std::hint::black_box(ask(&mut shared, i + 1, *p));
        warm.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    for (what, v) in [("can, fresh engine", cold), ("can, warm engine", warm)] {
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        let p99 = sorted[(sorted.len() * 99 / 100).min(sorted.len() - 1)];
        println!(
            "{what:<34} median {:>8.3} ms  p99 {p99:>8.3} ms  ({} questions; target < 1 ms)",
            median(v),
            sorted.len()
        );
    }

    // The engine's peak on top of the graph, all three analyses and their
    // results included.
    let base = ALLOCATED.current_usage();
    ALLOCATED.reset_peak_usage();
    let mut engine = Engine::new(&graph);
    let admins = engine.admins();
    let escalations = engine.escalations_with(&admins, None);
    let trusts = engine.trusts();
    let peak = ALLOCATED.peak_usage().saturating_sub(base) as f64;
    std::hint::black_box((&admins, &escalations, &trusts));
    let mb = |b: f64| b / 1_048_576.0;
    println!(
        "memory: graph {:.1} MB, identity analyses peak {:.1} MB on top ({:.2}× the graph; target ≤ 1.5×)",
        mb(graph_bytes),
        mb(peak),
        peak / graph_bytes
    );
}
