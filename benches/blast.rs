//! Blast radius benchmark (issue 14), run with `cargo bench --bench blast`.
//!
//! Over a 100,000-resource synthetic organization: 1,000 starting points
//! spread over instances, interfaces, load balancers, access keys, users,
//! roles and GuardDuty findings, each answered whole (network, identity,
//! data). One engine serves them all, as the explorer's does; the first
//! answer on a fresh engine, which builds the shared indexes, is timed
//! apart. Target: under 100 ms for any resource.
//! `SKYHOUND_BENCH_RESOURCES` changes the size.

use std::time::Instant;

use skyhound::analysis::blast::{self, Limits};
use skyhound::analysis::iam::Engine;
use skyhound::model::NodeKind;

mod support;
use support::median;

const STARTS: usize = 1000;

fn main() {
    let resources = support::resources();
    let graph = skyhound::source::synth::graph(resources, 1);
    let kinds = [
        NodeKind::Instance,
        NodeKind::NetworkInterface,
        NodeKind::LoadBalancer,
        NodeKind::AccessKey,
        NodeKind::IamUser,
        NodeKind::IamRole,
        NodeKind::GuardDutyFinding,
    ];
    let per_kind = STARTS / kinds.len() + 1;
    let mut starts = Vec::new();
    for kind in kinds {
        let all: Vec<_> = graph.nodes_of(kind).map(|(id, _)| id).collect();
        let step = (all.len() / per_kind).max(1);
        starts.extend(all.iter().step_by(step).take(per_kind).copied());
    }
    starts.truncate(STARTS);
    println!(
        "synthetic organization {} resources, {} starting points",
        graph.len(),
        starts.len()
    );

    let t = Instant::now();
    let mut engine = Engine::new(&graph);
    let mut search = blast::network::Search::new(&graph);
    let first = blast::blast_radius(&mut engine, &mut search, starts[0], Limits::default());
    println!(
        "first answer on a fresh engine (builds the indexes): {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    drop(first);

    let mut times = Vec::new();
    let mut worst = (0.0, String::new(), String::new());
    for s in &starts {
        let t = Instant::now();
        let b = blast::blast_radius(&mut engine, &mut search, *s, Limits::default());
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if ms > worst.0 {
            let summary = b.map(|b| b.summary).unwrap_or_else(|e| e.to_string());
            worst = (ms, graph.node(*s).id.clone(), summary);
        }
        times.push(ms);
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let p99 = sorted[(sorted.len() * 99 / 100).min(sorted.len() - 1)];
    println!(
        "blast radius over {} resources: median {:.2} ms  p99 {:.2} ms  worst {:.1} ms",
        times.len(),
        median(times),
        p99,
        worst.0
    );
    println!("worst: {} — {}", worst.1, worst.2);

    // The worst one again, part by part, on a fresh engine and a warm one.
    let start = graph.by_id(&worst.1).expect("the worst start");
    for warm in [false, true] {
        let mut engine = Engine::new(&graph);
        let mut search = blast::network::Search::new(&graph);
        if warm {
            let _ = blast::blast_radius(&mut engine, &mut search, starts[0], Limits::default());
        }
        let t = Instant::now();
        let (reach, _) = search.reach(start, 3, 500);
        let network = t.elapsed().as_secs_f64() * 1000.0;
        let held = blast::identity::credentials(&graph, start);
        let t = Instant::now();
        for h in &held {
            let _ = engine.onward(*h, 500);
        }
        let onward = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        for h in &held {
            let _ = engine.permissions(*h);
        }
        let permissions = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "  of which: where the credentials lead {onward:.1} ms, their permissions {permissions:.1} ms"
        );
        let t = Instant::now();
        let (id, _) = blast::identity::identity(&mut engine, &held, 500);
        let identity = t.elapsed().as_secs_f64() * 1000.0;
        let mut acting = held.clone();
        acting.extend(id.assumable.iter().filter_map(|r| graph.by_id(r)));
        let near: Vec<_> = reach
            .iter()
            .filter_map(|r| graph.by_id(&r.resource))
            .collect();
        let t = Instant::now();
        let (data, _) = blast::data::data(&mut engine, &acting, &near, 500);
        let data_ms = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "worst, {} engine: network {network:.1} ms, identity {identity:.1} ms ({} principals reached), data {data_ms:.1} ms ({} stores, {} principals acting)",
            if warm { "warm" } else { "fresh" },
            id.reached.len(),
            data.len(),
            acting.len()
        );
    }
}
