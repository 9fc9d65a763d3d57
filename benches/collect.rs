//! Live collection benchmark (issue 5), run with `cargo bench --bench collect`.
//!
//! Starts moto (the venv `scripts/test` makes, or `SKYHOUND_MOTO_PYTHON`),
//! seeds three accounts × two regions, puts a proxy that adds 100 ms to
//! every API call in front of it, and collects through it. The target:
//! within 1.5× of the longest chain of dependent calls × 100 ms.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use skyhound::source::collect::{CollectOptions, collect};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const LATENCY: Duration = Duration::from_millis(100);

/// The longest chain of calls that wait on one another: GetCallerIdentity,
/// then AssumeRole (on the account's first call), then GuardDuty's
/// ListDetectors, GetDetector, ListFindings and GetFindings in a region.
const LONGEST_CHAIN: u32 = 6;

/// Forward to `upstream`, holding every request back by `LATENCY`.
async fn proxy(upstream: u16, latency: Duration) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                    return;
                };
                let (mut cr, mut cw) = client.split();
                let (mut sr, mut sw) = server.split();
                let up = async {
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = cr.read(&mut buf).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        tokio::time::sleep(latency).await;
                        if sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = sw.shutdown().await;
                };
                let down = async {
                    let _ = tokio::io::copy(&mut sr, &mut cw).await;
                    let _ = cw.shutdown().await;
                };
                tokio::join!(up, down);
            });
        }
    });
    port
}

fn main() {
    // The SDK reads moto's test credentials from the environment: run again
    // with them set, rather than changing this process's environment.
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
        let status = Command::new(std::env::current_exe().expect("bench binary"))
            .args(std::env::args().skip(1))
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .status()
            .expect("runs");
        std::process::exit(status.code().unwrap_or(1));
    }
    let python = std::env::var_os("SKYHOUND_MOTO_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/moto-venv/bin/python")
        });
    if !python.is_file() {
        eprintln!("moto is not installed: run ./scripts/test once (it makes target/moto-venv)");
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let mut moto = Command::new(&python)
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")
        .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto starts");
    std::thread::sleep(Duration::from_secs(3));
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/moto/seed.py");
    let seeded = Command::new(&python)
        .arg(seed)
        .arg(format!("http://127.0.0.1:{port}"))
        .arg("bench")
        .output()
        .expect("seed");
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let slow = proxy(port, LATENCY).await;
        let direct = proxy(port, Duration::ZERO).await;
        for (label, via, concurrency) in [("100 ms per call", slow, 16usize), ("100 ms per call", slow, 64), ("no added latency (moto's own time)", direct, 64)] {
            let opts = CollectOptions {
                regions: vec!["us-east-1".into(), "eu-west-1".into()],
                endpoint_url: Some(format!("http://127.0.0.1:{via}")),
                role_arns: ["123456789012", "111122223333", "222233334444"].iter().map(|a| format!("arn:aws:iam::{a}:role/skyhound-audit")).collect(),
                concurrency,
                ..CollectOptions::default()
            };
            let t = Instant::now();
            let (imported, stats) = collect(&opts, None).await.expect("collects");
            let wall = t.elapsed().as_secs_f64();
            let calls: u64 = stats.services.values().map(|s| s.requests).sum();
            let bound = f64::from(LONGEST_CHAIN) * LATENCY.as_secs_f64();
            println!(
                "3 accounts × 2 regions, {label}, concurrency {concurrency}: {wall:.2} s for {calls} requests, {} resources, {} gaps (chain {LONGEST_CHAIN} × 100 ms = {bound:.1} s; target ≤ {:.2} s)",
                imported.graph.len(),
                imported.graph.collection().gaps.len(),
                bound * 1.5
            );
            for (svc, s) in &stats.services {
                println!("    {svc:<14} calls {:>4}  pages {:>4}  requests {:>4}  errors {:>3}", s.calls, s.pages, s.requests, s.errors);
            }
        }
    });
    let _ = moto.kill();
    let _ = moto.wait();
    memory(&python);
}

/// Peak memory of `skyhound collect` on one account of 2,000 security
/// groups, 500 instances and 300 roles (target < 200 MB). The peak RSS is
/// the child's, as Python's `resource` module reports it.
fn memory(python: &PathBuf) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let mut moto = Command::new(python)
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto starts");
    std::thread::sleep(Duration::from_secs(3));
    let url = format!("http://127.0.0.1:{port}");
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/moto/seed.py");
    let t = Instant::now();
    let seeded = Command::new(python)
        .arg(&seed)
        .arg(&url)
        .arg("big")
        .output()
        .expect("seed");
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    println!(
        "seeded 2,000 security groups, 500 instances, 300 roles in {:.0} s",
        t.elapsed().as_secs_f64()
    );
    let out = std::env::temp_dir().join(format!(
        "skyhound-bench-memory-{}.snapshot",
        std::process::id()
    ));
    let measure = "import resource, subprocess, sys\nr = subprocess.run(sys.argv[1:], capture_output=True, text=True)\nprint(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\nsys.stderr.write(r.stderr[-2000:])";
    let t = Instant::now();
    let run = Command::new(python)
        .args([
            "-c",
            measure,
            env!("CARGO_BIN_EXE_skyhound"),
            "collect",
            "--out",
        ])
        .arg(&out)
        .args(["--endpoint-url", &url, "--region", "us-east-1"])
        .output()
        .expect("measure");
    let text = String::from_utf8_lossy(&run.stdout);
    let mut parts = text.split_whitespace();
    let code = parts.next().unwrap_or("?").to_string();
    let kb: f64 = parts
        .next()
        .and_then(|k| k.parse().ok())
        .unwrap_or(f64::NAN);
    println!(
        "collect one account (2,000 SGs, 500 instances, 300 roles): exit {code}, {:.1} s, peak RSS {:.1} MB (target < 200 MB)",
        t.elapsed().as_secs_f64(),
        kb / 1024.0
    );
    if code != "0" {
        println!("{}", String::from_utf8_lossy(&run.stderr));
    }
    let _ = std::fs::remove_file(&out);
    let _ = moto.kill();
    let _ = moto.wait();
}
