//! Live collection benchmark (issue 5), run with `cargo bench --bench collect`.
//!
//! Seeds three accounts × two regions in moto, puts a proxy that adds
//! 100 ms to every API call in front of it, and collects through it. The
//! target: within 1.5× of the longest chain of dependent calls × 100 ms.
//!
//! moto serves one request at a time, so one moto for all three accounts
//! measures moto's own serial time as much as skyhound's concurrency. AWS
//! answers in parallel: the main figure runs a moto per account behind a
//! proxy that routes each request by the account of its access key (learnt
//! from the AssumeRole answers that pass through it) and tells moto the
//! account in its `x-moto-account-id` header. The single-moto figure is
//! printed beside it.
//!
//! `-- storage` (issue 13): one account of 300 roles and 200 buckets,
//! recorded from moto and replayed with 100 ms per call.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use skyhound::source::collect::{CollectOptions, collect};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const LATENCY: Duration = Duration::from_millis(100);
const ACCOUNTS: [&str; 3] = ["123456789012", "111122223333", "222233334444"];

/// The longest chain of calls that wait on one another, in round trips:
/// AssumeRole (each account's first call), GenerateCredentialReport
/// (STARTED), GenerateCredentialReport again (COMPLETE),
/// GetCredentialReport. GuardDuty's AssumeRole, ListDetectors, ListFindings,
/// GetFindings is as long; GetCallerIdentity runs beside them.
const LONGEST_CHAIN: u32 = 4;

/// Which moto answers which account, and the accounts of the access keys
/// moto has handed out through AssumeRole.
struct Routes {
    ports: HashMap<String, u16>,
    keys: Mutex<HashMap<String, String>>,
    /// With `SKYHOUND_BENCH_TRACE` set: when each request arrived (from
    /// this instant) and how long it took, on stderr.
    trace: Option<Instant>,
    /// Answers kept per request, in the order moto gave them.
    tape: Tape,
}

/// Recorded answers, keyed by what identifies a request (account, region,
/// service, request line, body; not the signature or invocation id).
type Answers = HashMap<String, Vec<(String, Vec<u8>)>>;

/// A proxy either records moto's answers while forwarding, or answers from
/// a recording without moto at all: an endpoint that is never busy, as AWS
/// is to one client.
enum Tape {
    Off,
    Record(Mutex<Answers>),
    Replay(Answers, Mutex<HashMap<String, usize>>),
}

fn request_key(account: &str, head: &str, body: &[u8]) -> String {
    let scope: Vec<&str> = between(head, "Credential=", ",")
        .unwrap_or("")
        .split('/')
        .collect();
    let line = head.lines().next().unwrap_or("");
    format!(
        "{account} {} {} {line} {}",
        scope.get(2).unwrap_or(&""),
        scope.get(3).unwrap_or(&""),
        String::from_utf8_lossy(body)
    )
}

/// One HTTP/1.1 message head and body, read from `r`; `None` at the end of
/// the stream.
async fn message<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> Option<(String, Vec<u8>)> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let mut body = Vec::new();
    if let Some(n) = header("content-length").and_then(|n| n.parse::<usize>().ok()) {
        body.resize(n, 0);
        r.read_exact(&mut body).await.ok()?;
    } else if header("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        loop {
            let mut size = String::new();
            r.read_line(&mut size).await.ok()?;
            let n = usize::from_str_radix(size.trim(), 16).ok()?;
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk).await.ok()?;
            body.extend_from_slice(&chunk[..n]);
            if n == 0 {
                break;
            }
        }
        head = head
            .lines()
            .filter(|l| !l.to_ascii_lowercase().starts_with("transfer-encoding"))
            .map(|l| format!("{l}\r\n"))
            .collect::<String>();
        head.insert_str(
            head.len() - 2,
            &format!("content-length: {}\r\n", body.len()),
        );
    }
    Some((head, body))
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    text.split(open).nth(1)?.split(close).next()
}

/// Forward requests to the moto of their account, holding each back by
/// `latency`.
async fn proxy(routes: Arc<Routes>, latency: Duration) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let _ = client.set_nodelay(true);
            let routes = routes.clone();
            tokio::spawn(async move {
                let (cr, mut cw) = client.into_split();
                let mut cr = BufReader::new(cr);
                let mut upstreams: HashMap<u16, BufReader<TcpStream>> = HashMap::new();
                while let Some((head, body)) = message(&mut cr).await {
                    let key = between(&head, "Credential=", "/").unwrap_or("").to_string();
                    let account = routes
                        .keys
                        .lock()
                        .expect("keys")
                        .get(&key)
                        .cloned()
                        .unwrap_or_else(|| ACCOUNTS[0].to_string());
                    let text = String::from_utf8_lossy(&body).into_owned();
                    let assumed = text
                        .contains("Action=AssumeRole")
                        .then(|| between(&text, "RoleArn=arn%3Aaws%3Aiam%3A%3A", "%3A"))
                        .flatten()
                        .map(str::to_string);
                    let port = routes.ports[&account];
                    let arrived = Instant::now();
                    tokio::time::sleep(latency).await;
                    let recorded = match &routes.tape {
                        Tape::Replay(answers, played) => {
                            let key = request_key(&account, &head, &body);
                            let mut played = played.lock().expect("played");
                            let n = played.entry(key.clone()).or_default();
                            let list = answers.get(&key).map(Vec::as_slice).unwrap_or_default();
                            // Past the end of a sequence, the last answer again.
                            let answer = list.get(*n).or(list.last()).cloned();
                            *n += 1;
                            Some(answer.unwrap_or_else(|| {
                                eprintln!("replay: nothing recorded for {key}");
                                ("HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n".to_string(), Vec::new())
                            }))
                        }
                        _ => None,
                    };
                    let mut tries = 0;
                    let (rhead, rbody) = if let Some(answer) = recorded {
                        answer
                    } else {
                        loop {
                            tries += 1;
                            let up = match upstreams.entry(port) {
                                Entry::Occupied(e) => e.into_mut(),
                                Entry::Vacant(e) => {
                                    let Ok(s) = TcpStream::connect(("127.0.0.1", port)).await
                                    else {
                                        return;
                                    };
                                    let _ = s.set_nodelay(true);
                                    e.insert(BufReader::new(s))
                                }
                            };
                            let mut out = head.clone().into_bytes();
                            out.truncate(out.len() - 2);
                            out.extend_from_slice(
                                format!("x-moto-account-id: {account}\r\n\r\n").as_bytes(),
                            );
                            out.extend_from_slice(&body);
                            let sent = up.get_mut().write_all(&out).await.is_ok();
                            match (sent, message(up).await) {
                                (true, Some(answer)) => break answer,
                                // moto closed a kept-alive connection: reconnect once.
                                _ if tries < 2 => {
                                    upstreams.remove(&port);
                                }
                                _ => return,
                            }
                        }
                    };
                    if let Tape::Record(tape) = &routes.tape {
                        tape.lock()
                            .expect("tape")
                            .entry(request_key(&account, &head, &body))
                            .or_default()
                            .push((rhead.clone(), rbody.clone()));
                    }
                    if let Some(t0) = routes.trace {
                        let op = between(&text, "Action=", "&")
                            .or_else(|| between(&head, " ", " "))
                            .unwrap_or("?");
                        eprintln!(
                            "trace {:>6.0} ms +{:>4.0} ms {account} {op}",
                            (arrived - t0).as_secs_f64() * 1e3,
                            arrived.elapsed().as_secs_f64() * 1e3
                        );
                    }
                    if rhead.to_ascii_lowercase().contains("connection: close") {
                        upstreams.remove(&port);
                    }
                    if let Some(target) = assumed {
                        let answer = String::from_utf8_lossy(&rbody);
                        if let Some(k) = between(&answer, "<AccessKeyId>", "</AccessKeyId>") {
                            routes
                                .keys
                                .lock()
                                .expect("keys")
                                .insert(k.to_string(), target);
                        }
                    }
                    let mut answer = rhead
                        .replace("Connection: close\r\n", "")
                        .replace("connection: close\r\n", "")
                        .into_bytes();
                    // One write: a head and a body written apart meet Nagle's
                    // algorithm and the client's delayed ACK (40 ms).
                    answer.extend_from_slice(&rbody);
                    if cw.write_all(&answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

/// A moto server on a free port, ready to answer.
fn moto(python: &Path, env: &[(&str, &str)]) -> (Child, u16) {
    let port = free_port();
    let child = Command::new(python)
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto starts");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    (child, port)
}

fn seed(python: &Path, url: &str, scenario: &str) {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/moto/seed.py");
    let seeded = Command::new(python)
        .arg(seed)
        .arg(url)
        .arg(scenario)
        .output()
        .expect("seed");
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
}

/// One collection through the proxy on port `via`; prints its figures and
/// returns its wall time.
async fn run(label: &str, via: u16, concurrency: usize) -> f64 {
    let opts = CollectOptions {
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        endpoint_url: Some(format!("http://127.0.0.1:{via}")),
        role_arns: ACCOUNTS
            .iter()
            .map(|a| format!("arn:aws:iam::{a}:role/skyhound-audit"))
            .collect(),
        concurrency,
        ..CollectOptions::default()
    };
    let (imported, stats, wall, requests) = timed(&opts).await;
    let bound = f64::from(LONGEST_CHAIN) * LATENCY.as_secs_f64();
    println!(
        "3 accounts × 2 regions, {label}, concurrency {concurrency}: {wall:.2} s for {requests} requests (+3 AssumeRole), {} resources, {} gaps (chain {LONGEST_CHAIN} × 100 ms = {bound:.1} s; target ≤ {:.2} s)",
        imported.graph.len(),
        imported.graph.collection().gaps.len(),
        bound * 1.5
    );
    print_services(&stats);
    wall
}

/// "min 0.45 s, median 0.46 s, max 0.54 s over 5 runs".
fn spread(mut walls: Vec<f64>) -> String {
    walls.sort_by(f64::total_cmp);
    format!(
        "min {:.2} s, median {:.2} s, max {:.2} s over {} runs",
        walls[0],
        walls[walls.len() / 2],
        walls[walls.len() - 1],
        walls.len()
    )
}

/// One collection under `opts`: what it imported, its counters, its wall
/// time and how many requests it sent.
async fn timed(
    opts: &CollectOptions,
) -> (
    skyhound::source::import::Imported,
    skyhound::source::collect::Stats,
    f64,
    u64,
) {
    let t = Instant::now();
    let (imported, stats) = collect(opts, None).await.expect("collects");
    let wall = t.elapsed().as_secs_f64();
    let requests = stats.services.values().map(|s| s.requests).sum();
    (imported, stats, wall, requests)
}

/// Calls, pages, requests, retries and errors per service.
fn print_services(stats: &skyhound::source::collect::Stats) {
    for (svc, s) in &stats.services {
        println!(
            "    {svc:<14} calls {:>4}  pages {:>4}  requests {:>4}  retries {:>2}  errors {:>3}",
            s.calls, s.pages, s.requests, s.retries, s.errors
        );
    }
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
    // `cargo bench --bench collect -- latency` (or `-- memory`) runs one half.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |part: &str| only.is_empty() || only.iter().any(|a| a == part);
    if wants("latency") {
        latency(&python);
    }
    if wants("memory") {
        memory(&python);
    }
    if wants("storage") {
        storage(&python);
    }
}

/// Fresh moto servers, seeded with the three accounts: one per account, or
/// one for all. Every measured run starts from fresh servers: moto keeps a
/// generated credential report, and a second collection would find it
/// ready and skip the wait.
async fn seeded(
    python: &Path,
    apart: bool,
) -> (Vec<Child>, HashMap<String, u16>, HashMap<String, String>) {
    let mut servers = Vec::new();
    let mut ports = HashMap::new();
    let mut port = 0;
    for a in ACCOUNTS {
        if apart || servers.is_empty() {
            let (child, p) = moto(python, &[]);
            servers.push(child);
            port = p;
        }
        ports.insert(a.to_string(), port);
    }
    let routes = Arc::new(Routes {
        ports: ports.clone(),
        keys: Mutex::new(HashMap::new()),
        trace: None,
        tape: Tape::Off,
    });
    let direct = proxy(routes.clone(), Duration::ZERO).await;
    let url = format!("http://127.0.0.1:{direct}");
    let py = python.to_path_buf();
    tokio::task::spawn_blocking(move || seed(&py, &url, "bench"))
        .await
        .expect("seeded");
    let keys = routes.keys.lock().expect("keys").clone();
    (servers, ports, keys)
}

fn stop(servers: Vec<Child>) {
    for mut s in servers {
        let _ = s.kill();
        let _ = s.wait();
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// When `SKYHOUND_BENCH_TRACE` is set, the clock every request's timing
/// is printed against.
fn trace_start() -> Option<Instant> {
    std::env::var_os("SKYHOUND_BENCH_TRACE").map(|_| Instant::now())
}

/// Three accounts × two regions through the 100 ms proxy.
fn latency(python: &Path) {
    let rt = runtime();
    rt.block_on(async {
        // Recorded from a moto per account, then replayed with 100 ms per
        // call and no server time: what skyhound's scheduling achieves.
        let (servers, ports, keys) = seeded(python, true).await;
        let recorder = Arc::new(Routes {
            ports: ports.clone(),
            keys: Mutex::new(keys.clone()),
            trace: trace_start(),
            tape: Tape::Record(Mutex::new(HashMap::new())),
        });
        let via = proxy(recorder.clone(), Duration::ZERO).await;
        run("a moto per account, no added latency (recorded)", via, 64).await;
        stop(servers);
        let answers = match &recorder.tape {
            Tape::Record(t) => t.lock().expect("tape").clone(),
            _ => HashMap::new(),
        };
        // Replays need no servers: several of each, for the spread.
        for concurrency in [64, 16] {
            let mut walls = Vec::new();
            for _ in 0..5 {
                let replay = Arc::new(Routes {
                    ports: ports.clone(),
                    keys: Mutex::new(keys.clone()),
                    trace: trace_start(),
                    tape: Tape::Replay(answers.clone(), Mutex::new(HashMap::new())),
                });
                let via = proxy(replay, LATENCY).await;
                walls.push(run("moto's answers replayed, 100 ms per call", via, concurrency).await);
            }
            println!("replayed at concurrency {concurrency}: {}", spread(walls));
        }
        // Against moto itself, which answers one request at a time.
        for (name, apart) in [
            ("a moto per account", true),
            ("one moto for all accounts", false),
        ] {
            let (servers, ports, keys) = seeded(python, apart).await;
            let slow = Arc::new(Routes {
                ports,
                keys: Mutex::new(keys),
                trace: trace_start(),
                tape: Tape::Off,
            });
            let via = proxy(slow, LATENCY).await;
            run(&format!("{name}, 100 ms per call"), via, 64).await;
            stop(servers);
        }
    });
}

/// Peak memory of `skyhound collect` on one account of 2,000 security
/// groups, 500 instances and 300 roles (target < 200 MB), then the time to
/// analyse it (target: collected and analysed < 5 s). The peak RSS is the
/// child's, as Python's `resource` module reports it.
fn memory(python: &Path) {
    let (mut moto, port) = moto(python, &[]);
    let url = format!("http://127.0.0.1:{port}");
    let t = Instant::now();
    seed(python, &url, "big");
    println!(
        "seeded 2,000 security groups, 500 instances, 300 roles, 30 users in {:.0} s",
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
    let collected = t.elapsed().as_secs_f64();
    // The same account analysed: every finding (exposure, identity with
    // admins, trust and escalation) from the snapshot just written.
    for what in ["findings", "escalation"] {
        let t = Instant::now();
        let analysed = Command::new(env!("CARGO_BIN_EXE_skyhound"))
            .arg("--from")
            .arg(&out)
            .args([what, "--json"])
            .output()
            .expect("analyse");
        let took = t.elapsed().as_secs_f64();
        let listed = serde_json::from_slice::<serde_json::Value>(&analysed.stdout)
            .ok()
            .and_then(|v| v.as_array().map(Vec::len))
            .unwrap_or(0);
        println!(
            "  then `skyhound --from SNAPSHOT {what}`: exit {:?}, {took:.2} s, {listed} entries; collected and analysed end to end {:.1} s (target < 5 s)",
            analysed.status.code(),
            collected + took
        );
    }
    let _ = std::fs::remove_file(&out);
    let _ = moto.kill();
    let _ = moto.wait();
}

/// moto's recorded answers as AWS gives them where moto differs on the
/// wire: GetBucketVersioning's root element is `VersioningConfiguration`
/// (moto writes `GetBucketVersioningResponse`, which the SDK refuses and
/// retries, a wait AWS never causes).
fn as_aws(mut answers: Answers) -> Answers {
    for (key, list) in answers.iter_mut() {
        if !key.contains("?versioning") {
            continue;
        }
        for (head, body) in list.iter_mut() {
            let text = String::from_utf8_lossy(body)
                .replace("GetBucketVersioningResponse", "VersioningConfiguration");
            *body = text.into_bytes();
            *head = head
                .lines()
                .filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("content-length"))
                .map(|l| format!("{l}\r\n"))
                .collect::<String>()
                + &format!("content-length: {}\r\n\r\n", body.len());
        }
    }
    answers
}

/// One collection of the storage account through the proxy on port `via`:
/// its wall time and request count.
async fn run_storage(label: &str, via: u16, concurrency: usize, chain: usize) -> f64 {
    let opts = CollectOptions {
        regions: vec!["us-east-1".into()],
        endpoint_url: Some(format!("http://127.0.0.1:{via}")),
        concurrency,
        ..CollectOptions::default()
    };
    let (imported, stats, wall, requests) = timed(&opts).await;
    let buckets = imported
        .graph
        .nodes_of(skyhound::model::NodeKind::Bucket)
        .count();
    let roles = imported
        .graph
        .nodes_of(skyhound::model::NodeKind::IamRole)
        .count();
    let bound = chain as f64 * LATENCY.as_secs_f64();
    println!(
        "300 roles + 200 buckets, {label}, concurrency {concurrency}: {wall:.2} s for {requests} requests, {roles} roles, {buckets} buckets, {} gaps (chain {chain} × 100 ms = {bound:.1} s; target ≤ {:.2} s)",
        imported.graph.collection().gaps.len(),
        bound * 1.5
    );
    if label.contains("recorded") {
        print_services(&stats);
    }
    wall
}

/// One account of 300 roles (an inline policy each) and 200 buckets
/// (issue 13). The longest chain of dependent calls is the longer of
/// GetAccountAuthorizationDetails' pages (counted from the recording), the
/// credential report's three calls, and ListBuckets → GetBucketLocation →
/// each bucket's settings (three).
fn storage(python: &Path) {
    let rt = runtime();
    rt.block_on(async {
        let (server, port) = moto(python, &[]);
        let ports: HashMap<String, u16> = [(ACCOUNTS[0].to_string(), port)].into();
        let t = Instant::now();
        let py = python.to_path_buf();
        let url = format!("http://127.0.0.1:{port}");
        tokio::task::spawn_blocking(move || seed(&py, &url, "storage"))
            .await
            .expect("seeded");
        println!(
            "seeded 300 roles and 200 buckets in {:.0} s",
            t.elapsed().as_secs_f64()
        );
        let recorder = Arc::new(Routes {
            ports: ports.clone(),
            keys: Mutex::new(HashMap::new()),
            trace: trace_start(),
            tape: Tape::Record(Mutex::new(HashMap::new())),
        });
        let via = proxy(recorder.clone(), Duration::ZERO).await;
        let answers = match &recorder.tape {
            Tape::Record(t) => {
                // The chain is known once the recording is.
                run_storage("moto, no added latency (recorded)", via, 64, 0).await;
                t.lock().expect("tape").clone()
            }
            _ => HashMap::new(),
        };
        stop(vec![server]);
        let answers = as_aws(answers);
        let pages: usize = answers
            .iter()
            .filter(|(k, _)| k.contains("GetAccountAuthorizationDetails"))
            .map(|(_, v)| v.len())
            .sum();
        let chain = pages.max(3);
        println!(
            "GetAccountAuthorizationDetails took {pages} pages: the longest chain is {chain} calls"
        );
        for concurrency in [64, 256] {
            let mut walls = Vec::new();
            for _ in 0..5 {
                let replay = Arc::new(Routes {
                    ports: ports.clone(),
                    keys: Mutex::new(HashMap::new()),
                    trace: trace_start(),
                    tape: Tape::Replay(answers.clone(), Mutex::new(HashMap::new())),
                });
                let via = proxy(replay, LATENCY).await;
                walls.push(
                    run_storage(
                        "moto's answers replayed, 100 ms per call",
                        via,
                        concurrency,
                        chain,
                    )
                    .await,
                );
            }
            println!(
                "storage replayed at concurrency {concurrency}: {} (target ≤ {:.2} s)",
                spread(walls),
                1.5 * chain as f64 * LATENCY.as_secs_f64()
            );
        }
    });
}
