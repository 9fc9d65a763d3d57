//! Foundation benchmarks (issue 2), run with `cargo bench --bench foundation`.
//!
//! - load a 100,000-resource synthetic snapshot (target < 1 s, < 400 MB peak RSS)
//! - import the same organization as an account-data tree (target < 3 s)
//! - `skyhound --demo summary` end to end (target < 50 ms)
//!
//! Each measurement runs in a fresh child process so that its peak RSS
//! (VmHWM) is its own. `SKYHOUND_BENCH_RESOURCES` changes the size.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use skyhound::graph::snapshot;
use skyhound::source::import::{ImportOptions, import_dir};

mod support;
use support::median;

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Child mode: do one thing, print `seconds peak_mb resources`.
fn child(mode: &str, path: &Path) -> Result<(), String> {
    let start = Instant::now();
    let graph = match mode {
        "load" => snapshot::load(path).map_err(|e| e.to_string())?,
        "import" => {
            let imported =
                import_dir(path, &ImportOptions::default()).map_err(|e| e.to_string())?;
            if !imported.problems.is_empty() {
                return Err(format!(
                    "{} problems, first: {}",
                    imported.problems.len(),
                    imported.problems[0]
                ));
            }
            imported.graph
        }
        other => return Err(format!("unknown mode {other}")),
    };
    let secs = start.elapsed().as_secs_f64();
    println!("{secs} {} {}", peak_rss_mb(), graph.len());
    Ok(())
}

fn run_child(mode: &str, path: &Path) -> (f64, f64, usize) {
    let exe = std::env::current_exe().expect("bench binary path");
    let out = Command::new(exe)
        .args(["--child", mode])
        .arg(path)
        .output()
        .expect("child runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let secs = parts.next().and_then(|s| s.parse().ok());
    let mb = parts.next().and_then(|s| s.parse().ok());
    let n = parts.next().and_then(|s| s.parse().ok());
    match (secs, mb, n) {
        (Some(s), Some(m), Some(n)) => (s, m, n),
        _ => panic!("{mode} failed: {}", String::from_utf8_lossy(&out.stderr)),
    }
}

fn report(name: &str, runs: Vec<(f64, f64, usize)>, target: &str) {
    let n = runs[0].2;
    let times: Vec<f64> = runs.iter().map(|r| r.0 * 1000.0).collect();
    let rss = runs.iter().map(|r| r.1).fold(0.0, f64::max);
    let min = times.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "{name:<38} {n:>7} resources  median {:>8.1} ms  min {min:>8.1} ms  peak RSS {rss:>6.1} MB   (target {target})",
        median(times.clone())
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        let (Some(mode), Some(path)) = (args.get(2), args.get(3)) else {
            std::process::exit(2)
        };
        if let Err(e) = child(mode, Path::new(path)) {
            eprintln!("{e}");
            std::process::exit(1);
        }
        return;
    }
    // `cargo bench` passes `--bench`; any other argument filter is ignored.
    let resources = support::resources();
    let dir: PathBuf = std::env::temp_dir().join(format!("skyhound-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");

    let start = Instant::now();
    let graph = skyhound::source::synth::graph(resources, 1);
    println!(
        "generated {} resources, {} relationships in {:.0} ms",
        graph.len(),
        graph.edge_count(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    let snap = dir.join("synthetic.snapshot");
    snapshot::save(&graph, &snap).expect("save snapshot");
    let size = std::fs::metadata(&snap).map(|m| m.len()).unwrap_or(0);
    println!("snapshot {:.1} MB", size as f64 / 1e6);
    let tree = dir.join("account-data");
    skyhound::source::collect::account_data::write_tree(&graph, &tree).expect("write tree");
    drop(graph);

    let load: Vec<_> = (0..5).map(|_| run_child("load", &snap)).collect();
    report("load snapshot", load, "< 1 s, < 400 MB");
    let import: Vec<_> = (0..3).map(|_| run_child("import", &tree)).collect();
    report("import account-data tree", import, "< 3 s");

    let exe = env!("CARGO_BIN_EXE_skyhound");
    let mut demo = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let out = Command::new(exe)
            .args(["--demo", "summary"])
            .output()
            .expect("skyhound runs");
        assert!(out.status.success());
        demo.push(t.elapsed());
    }
    let ms: Vec<f64> = demo
        .iter()
        .map(Duration::as_secs_f64)
        .map(|s| s * 1000.0)
        .collect();
    println!(
        "{:<38} {:>7} runs       median {:>8.1} ms  min {:>8.1} ms   (target < 50 ms)",
        "skyhound --demo summary (process)",
        ms.len(),
        median(ms.clone()),
        ms.iter().copied().fold(f64::INFINITY, f64::min)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
