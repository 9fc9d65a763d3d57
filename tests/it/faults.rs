//! Fault injection: a proxy in front of moto that answers some requests
//! with server errors, throttling in each service's own dialect, connection
//! resets, truncated and garbage bodies, or long delays (with a fixed seed
//! where it chooses). Collection must finish within its time bounds, say
//! every failure as a gap with a readable reason, and leave no gap for a
//! call that succeeded when retried.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::live::{Moto, collect_with, need_moto, temp};
use skyhound::graph::snapshot;

/// What the proxy does with one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    Pass,
    ServerError,
    Throttle,
    Reset,
    Truncate,
    Garbage,
    Delay(Duration),
}

/// One request as the proxy saw it.
pub struct Request {
    /// The operation: the query `Action`, the JSON `X-Amz-Target`, or the
    /// REST path.
    pub operation: String,
}

type Decide = dyn Fn(&Request, u64) -> Fault + Send + Sync;

pub struct FaultProxy {
    pub port: u16,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    pub fn start(upstream: u16, decide: Box<Decide>) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicU64::new(0));
        let decide: Arc<Decide> = Arc::from(decide);
        let (stop2, requests2) = (stop.clone(), requests);
        std::thread::spawn(move || {
            while !stop2.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let decide = decide.clone();
                        let n = requests2.fetch_add(1, Ordering::SeqCst);
                        std::thread::spawn(move || {
                            let _ = serve(client, upstream, &*decide, n);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        FaultProxy { port, stop }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Read one HTTP request: its head and as much body as it says it has.
fn read_request(s: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = s.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok((head, body))
}

fn operation(head: &str, body: &[u8]) -> String {
    let body = String::from_utf8_lossy(body);
    if let Some(action) = body.split('&').find_map(|p| p.strip_prefix("Action=")) {
        return action.to_string();
    }
    if let Some(target) = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("x-amz-target")
            .then(|| v.trim().to_string())
    }) {
        return target;
    }
    head.split_whitespace().nth(1).unwrap_or("").to_string()
}

/// A throttling answer as the service would give it.
fn throttle(head: &str, body: &[u8], op: &str) -> (u16, &'static str, String) {
    let json = head
        .to_ascii_lowercase()
        .contains("content-type: application/x-amz-json")
        || head.contains("/detector");
    if json {
        return (
            400,
            "application/x-amz-json-1.1",
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.to_string(),
        );
    }
    // S3's REST paths (no Action, no target): S3 slows callers down so.
    if op.starts_with('/') {
        return (
            503,
            "application/xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>injected</RequestId></Error>".to_string(),
        );
    }
    // EC2's query API names its version; its errors have a dialect.
    let ec2 = String::from_utf8_lossy(body).contains("Version=2016-11-15");
    if ec2 {
        // EC2's dialect.
        return (
            503,
            "text/xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>injected</RequestID></Response>".to_string(),
        );
    }
    (
        400,
        "text/xml",
        "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>injected</RequestId></ErrorResponse>".to_string(),
    )
}

fn respond(s: &mut TcpStream, status: u16, kind: &str, body: &[u8]) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} Injected\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    s.flush()
}

fn forward(head: &str, body: &[u8], upstream: u16) -> std::io::Result<Vec<u8>> {
    let mut up = TcpStream::connect(("127.0.0.1", upstream))?;
    // moto has been seen to stall an answer on a loaded machine; the proxy
    // then drops the connection (as a network would), and the collector's
    // retry is what is under test, not moto's stall. Well under the
    // collector's 60 s call limit.
    up.set_read_timeout(Some(Duration::from_secs(15)))?;
    let head: String = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect::<Vec<_>>()
        .join("\r\n");
    let head = head.trim_end_matches("\r\n").to_string() + "\r\nConnection: close\r\n\r\n";
    up.write_all(head.as_bytes())?;
    up.write_all(body)?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer)?;
    Ok(answer)
}

fn serve(mut client: TcpStream, upstream: u16, decide: &Decide, n: u64) -> std::io::Result<()> {
    let (head, body) = read_request(&mut client)?;
    let op = operation(&head, &body);
    match decide(&Request { operation: op.clone() }, n) {
        Fault::Pass => {
            let answer = forward(&head, &body, upstream)?;
            client.write_all(&answer)?;
        }
        Fault::Delay(d) => {
            std::thread::sleep(d);
            let answer = forward(&head, &body, upstream)?;
            client.write_all(&answer)?;
        }
        Fault::ServerError => respond(
            &mut client,
            500,
            "text/xml",
            b"<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>injected</Message></Error></ErrorResponse>",
        )?,
        Fault::Throttle => {
            let (status, kind, text) = throttle(&head, &body, &op);
            respond(&mut client, status, kind, text.as_bytes())?;
        }
        Fault::Reset => {
            let _ = client.shutdown(Shutdown::Both);
        }
        Fault::Truncate => {
            let answer = forward(&head, &body, upstream)?;
            let cut = answer
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map(|h| h + 4 + (answer.len() - h - 4) / 2)
                .unwrap_or(answer.len() / 2);
            client.write_all(&answer[..cut])?;
        }
        Fault::Garbage => {
            let mut x = n.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
            let bytes: Vec<u8> = (0..200)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x & 0xff) as u8
                })
                .collect();
            respond(&mut client, 200, "text/xml", &bytes)?;
        }
    }
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}

/// A gap reason a person can read: no Rust debug text.
fn readable(reason: &str) -> bool {
    ![
        "ResponseError {",
        "HeaderValue",
        "Response {",
        "SdkBody",
        "Some(",
        "{ source",
    ]
    .iter()
    .any(|p| reason.contains(p))
        && reason.len() < 600
}

#[test]
fn a_fault_on_every_first_try_is_retried_and_leaves_no_gap() {
    let Some(python) = need_moto() else { return };
    let moto = Moto::start(&python, &[]);
    moto.seed(&python, "main");
    let clean_out = temp("faults-clean").join("clean.snapshot");
    let (ok, err) = collect_with(
        &moto.url(),
        "testing",
        "testing",
        &["--region", "us-east-1"],
        &clean_out,
    );
    assert!(ok, "{err}");
    let clean = snapshot::load(&clean_out).expect("clean snapshot");

    // Every operation fails the first time it is asked, each way in turn:
    // a server error, throttling, a reset, a body cut short, garbage.
    let seen: Mutex<HashSet<String>> = Mutex::new(HashSet::new());
    let proxy = FaultProxy::start(
        moto.port,
        Box::new(move |r, _| {
            let first = seen
                .lock()
                .map(|mut s| s.insert(r.operation.clone()))
                .unwrap_or(false);
            if !first {
                return Fault::Pass;
            }
            // Each operation its own kind of fault, whatever order the
            // calls arrive in (ids in paths do not count).
            let name: String = r
                .operation
                .split('/')
                .filter(|p| !(p.len() >= 20 && p.bytes().all(|b| b.is_ascii_hexdigit())))
                .collect();
            let kind = name
                .bytes()
                .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
            match kind % 5 {
                0 => Fault::ServerError,
                1 => Fault::Throttle,
                2 => Fault::Reset,
                3 => Fault::Truncate,
                _ => Fault::Garbage,
            }
        }),
    );
    let out = temp("faults-first").join("retried.snapshot");
    let started = Instant::now();
    let (ok, err) = collect_with(
        &proxy.url(),
        "testing",
        "testing",
        &["--region", "us-east-1"],
        &out,
    );
    assert!(ok, "{err}");
    // A guard against hanging, not a timing figure (every call has a 60 s limit).
    assert!(
        started.elapsed() < Duration::from_secs(600),
        "took {:?}",
        started.elapsed()
    );
    let g = snapshot::load(&out).expect("snapshot");
    let missing: Vec<String> = clean
        .nodes()
        .filter(|(_, n)| g.by_id(&n.id).is_none())
        .map(|(_, n)| format!("{} {}", n.kind(), n.id))
        .collect();
    assert_eq!(
        g.len(),
        clean.len(),
        "the same resources as without faults; missing: {missing:?}; gaps: {:?}",
        g.collection().gaps
    );
    assert_eq!(
        g.collection().gaps,
        clean.collection().gaps,
        "a call that succeeded when retried leaves no gap"
    );
    assert!(err.contains("retries"), "{err}");
}

#[test]
fn persistent_faults_are_gaps_with_readable_reasons() {
    let Some(python) = need_moto() else { return };
    let moto = Moto::start(&python, &[]);
    moto.seed(&python, "main");
    let proxy = FaultProxy::start(
        moto.port,
        Box::new(|r, _| match r.operation.as_str() {
            "DescribeSecurityGroups" => Fault::Truncate,
            "DescribeSubnets" => Fault::Garbage,
            "DescribeRouteTables" => Fault::Reset,
            "DescribeNetworkAcls" => Fault::Throttle,
            "DescribeInstances" => Fault::ServerError,
            "GetAccountSummary" => Fault::Throttle,
            "DescribeVpcs" => Fault::Delay(Duration::from_millis(300)),
            _ => Fault::Pass,
        }),
    );
    let out = temp("faults-persistent").join("gaps.snapshot");
    let started = Instant::now();
    let (ok, err) = collect_with(
        &proxy.url(),
        "testing",
        "testing",
        &["--region", "us-east-1"],
        &out,
    );
    assert!(ok, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(600),
        "took {:?}",
        started.elapsed()
    );
    let g = snapshot::load(&out).expect("snapshot");
    let gap = |op: &str| {
        g.collection()
            .gaps
            .iter()
            .find(|x| x.operation == op)
            .unwrap_or_else(|| panic!("no gap for {op}: {:#?}", g.collection().gaps))
            .reason
            .clone()
    };
    for op in [
        "describe-security-groups",
        "describe-subnets",
        "describe-route-tables",
        "describe-network-acls",
        "describe-instances",
        "get-account-summary",
    ] {
        let reason = gap(op);
        assert!(readable(&reason), "{op}: {reason}");
    }
    assert!(
        gap("describe-network-acls").contains("throttled"),
        "{}",
        gap("describe-network-acls")
    );
    assert!(gap("get-account-summary").contains("throttled"));
    assert!(gap("describe-instances").contains("InternalFailure"));
    // Delayed answers still arrive: no gap.
    assert!(
        !g.collection()
            .gaps
            .iter()
            .any(|x| x.operation == "describe-vpcs")
    );
    for line in err.lines() {
        assert!(readable(line), "{line}");
    }
}

#[test]
fn a_failing_identity_call_is_retried_and_a_persistent_one_is_not_called_a_credentials_problem() {
    let Some(python) = need_moto() else { return };
    let moto = Moto::start(&python, &[]);
    moto.seed(&python, "main");
    // The first answers to GetCallerIdentity are cut short, then fine.
    let left = Arc::new(AtomicU64::new(2));
    let l = left.clone();
    let proxy = FaultProxy::start(
        moto.port,
        Box::new(move |r, _| {
            if r.operation == "GetCallerIdentity"
                && l.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok()
            {
                Fault::Truncate
            } else {
                Fault::Pass
            }
        }),
    );
    let out = temp("faults-identity").join("identity.snapshot");
    let (ok, err) = collect_with(
        &proxy.url(),
        "testing",
        "testing",
        &["--region", "us-east-1"],
        &out,
    );
    assert!(ok, "a truncated identity answer is tried again: {err}");
    drop(proxy);

    let broken = FaultProxy::start(
        moto.port,
        Box::new(|r, _| {
            if r.operation == "GetCallerIdentity" {
                Fault::ServerError
            } else {
                Fault::Pass
            }
        }),
    );
    let out = temp("faults-identity-down").join("none.snapshot");
    let (ok, err) = collect_with(
        &broken.url(),
        "testing",
        "testing",
        &["--region", "us-east-1"],
        &out,
    );
    assert!(!ok);
    assert!(err.contains("did not answer GetCallerIdentity"), "{err}");
    assert!(!err.contains("no AWS credentials"), "{err}");
    assert!(err.lines().all(readable) && err.len() < 1000, "{err}");
    assert!(!out.exists());
}
