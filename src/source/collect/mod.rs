//! Live collection from AWS: credentials and scope as the AWS CLI does
//! them, every account and region in parallel with bounded concurrency,
//! only Describe/List/Get calls (see `guard`), and every failure recorded
//! as a gap rather than ending the run.
//!
//! Answers are kept as the API's JSON shapes and built into the graph by
//! the importer, so a live collection and an imported dump mean the same.

/// Collect every page of a paginated call, counting pages.
macro_rules! paged {
    ($ctx:expr, $at:expr, $op:expr, $req:expr, $items:ident) => {
        $ctx.call($at, $op, async {
            let mut out = Vec::new();
            let mut pages = $req.into_paginator().send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| reason(&e))?;
                $ctx.page($op.service.prefix());
                out.extend(page.$items().iter().cloned());
            }
            Ok(out)
        })
    };
}

/// A service's client on the account's configuration, with the read-only
/// guard, the attempt counter and the retry rule every client has.
macro_rules! client {
    ($sdk:ident, $cfg:expr, $ctx:expr) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from($cfg)
                .interceptor($crate::source::collect::guard::ReadOnly)
                .interceptor($ctx.attempts.clone())
                .retry_classifier($crate::source::collect::guard::RetryUnreadable)
                .build(),
        )
    };
}

pub mod account_data;
pub mod guard;
pub mod history;
pub mod json;
mod logging;
mod services;
mod storage;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{Semaphore, mpsc};

use crate::model::Gap;
use crate::source::import::read::MemoryFolder;
use crate::source::import::{Imported, MemoryAccount, import_memory};
use crate::source::operations::{self as ops, Operation};

/// What to collect and how.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    pub profile: Option<String>,
    /// Regions to read; empty means every region enabled for the account.
    pub regions: Vec<String>,
    pub endpoint_url: Option<String>,
    /// Assume this role in every account of the organization.
    pub org_role: Option<String>,
    /// Roles to assume directly, one account each.
    pub role_arns: Vec<String>,
    pub external_id: Option<String>,
    /// Calls in flight at once, over every account and region.
    pub concurrency: usize,
    /// The longest one call may take, retries included.
    pub call_timeout: Duration,
    pub include_archived_findings: bool,
}

impl Default for CollectOptions {
    fn default() -> CollectOptions {
        CollectOptions {
            profile: None,
            regions: Vec::new(),
            endpoint_url: None,
            org_role: None,
            role_arns: Vec::new(),
            external_id: None,
            concurrency: 64,
            call_timeout: Duration::from_secs(60),
            include_archived_findings: false,
        }
    }
}

/// Progress, for the explorer's header and `collect`'s stderr.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    Account {
        account: String,
    },
    Started {
        account: String,
        region: Option<String>,
        service: &'static str,
    },
    Finished {
        account: String,
        region: Option<String>,
        service: &'static str,
        gaps: usize,
    },
    Gap(Gap),
    /// A region's (or, with no region, the account's global) answers are
    /// all in: the explorer builds what it has so far.
    Collected {
        account: String,
        region: Option<String>,
        folder: Arc<MemoryFolder>,
    },
}

/// Calls, pages, retries and errors of one service.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ServiceStats {
    pub calls: u64,
    pub pages: u64,
    /// HTTP requests, retries included.
    pub requests: u64,
    /// Requests that repeated an earlier one (throttling, a dropped
    /// connection, a server error).
    pub retries: u64,
    /// Calls that failed after their retries: each is a gap.
    pub errors: u64,
}

/// What a collection did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub services: BTreeMap<String, ServiceStats>,
    pub accounts: usize,
    pub regions: usize,
    pub wall_seconds: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error(
        "no AWS credentials or identity: {0} (set AWS_PROFILE, pass --profile, or use --demo / --from)"
    )]
    Identity(String),
    #[error(
        "AWS STS did not answer GetCallerIdentity after {tries} tries (the credentials were not refused; try again): {reason}"
    )]
    IdentityService { tries: u32, reason: String },
    #[error("cannot list the organization's accounts for --org-role: {0}")]
    Organization(String),
}

/// Shared by every task of one collection.
pub(crate) struct Ctx {
    /// HTTP requests per service, retries included.
    pub(crate) attempts: guard::Attempts,
    permits: Semaphore,
    /// A few more, kept for the calls that lead chains (see `leads_chain`):
    /// a long queue of listings never holds up the calls others wait on.
    lead_permits: Semaphore,
    /// For the calls asked once per item of a long list.
    fan_out_permits: Semaphore,
    stats: Mutex<BTreeMap<String, ServiceStats>>,
    gaps: Mutex<Vec<Gap>>,
    progress: Option<mpsc::UnboundedSender<Progress>>,
    timeout: Duration,
}

/// Why a call failed, in words: the service's error code and message, or
/// the transport failure.
pub(crate) fn reason<E>(
    e: &aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> String
where
    E: std::error::Error + aws_sdk_ec2::error::ProvideErrorMetadata + 'static,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    match e {
        SdkError::ServiceError(s) => {
            let err = s.err();
            let throttled = err.code().is_some_and(|c| {
                c.contains("Throttl")
                    || matches!(
                        c,
                        "RequestLimitExceeded" | "TooManyRequestsException" | "SlowDown"
                    )
            });
            match (err.code(), err.message()) {
                (Some(c), Some(m)) if throttled => {
                    format!("throttled, still after the retries: {c}: {m}")
                }
                (Some(c), Some(m)) => format!("{c}: {m}"),
                (Some(c), None) => c.to_string(),
                // No AWS error in the answer: an HTML page, a 404 from an
                // endpoint that does not implement the operation, …
                _ => unparsed_error(s.raw()),
            }
        }
        SdkError::TimeoutError(_) => "timed out".to_string(),
        SdkError::DispatchFailure(_) => {
            format!("could not reach the service: {}", causes(e))
        }
        SdkError::ResponseError(r) => format!(
            "unexpected answer (HTTP {}, not a readable AWS response; truncated or not the AWS API?): {}",
            r.raw().status().as_u16(),
            causes(e)
        ),
        _ => causes(e),
    }
}

/// An error and its causes in words, each once: never the Debug dump of a
/// response (headers, bodies) that the SDK's own context printer adds.
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    let joined = parts.join(": ");
    crate::text::inert(&joined).into_owned()
}

/// Whether a failed call is worth trying again: the service failed (5xx),
/// the answer was cut short or unreadable, the connection broke or timed
/// out. Not a refusal of the credentials, which another try cannot fix.
pub(crate) fn transient<E, R>(e: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> bool
where
    R: std::fmt::Debug,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    match e {
        SdkError::ResponseError(_) | SdkError::TimeoutError(_) => true,
        SdkError::DispatchFailure(d) => d.is_io() || d.is_timeout(),
        _ => false,
    }
}

/// An error answer the SDK could not read: take the code and message from
/// the body if it has them, else say what the status means.
fn unparsed_error(raw: &aws_smithy_runtime_api::client::orchestrator::HttpResponse) -> String {
    let status = raw.status().as_u16();
    let body = raw
        .body()
        .bytes()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let between = |open: &str, close: &str| {
        body.split(open)
            .nth(1)
            .and_then(|r| r.split(close).next())
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
    };
    match (
        between("<Code>", "</Code>"),
        between("<Message>", "</Message>"),
    ) {
        (Some(code), Some(message)) => return format!("{code}: {message}"),
        (Some(code), None) => return code,
        _ => {}
    }
    match status {
        401 | 403 => format!("AccessDenied (HTTP {status})"),
        404 => {
            "HTTP 404 with no AWS error: the endpoint does not implement this operation".to_string()
        }
        _ => format!("HTTP {status} with no AWS error in the body"),
    }
}

impl Ctx {
    fn new(opts: &CollectOptions, progress: Option<mpsc::UnboundedSender<Progress>>) -> Ctx {
        Ctx {
            attempts: guard::Attempts::default(),
            permits: Semaphore::new(opts.concurrency.max(1)),
            lead_permits: Semaphore::new((opts.concurrency / 4).max(1)),
            fan_out_permits: Semaphore::new(opts.concurrency.max(1) * 4),
            stats: Mutex::new(BTreeMap::new()),
            gaps: Mutex::new(Vec::new()),
            progress,
            timeout: opts.call_timeout,
        }
    }

    fn say(&self, p: Progress) {
        if let Some(tx) = &self.progress {
            let _ = tx.send(p);
        }
    }

    /// The gaps recorded so far.
    fn gaps_so_far(&self) -> Vec<Gap> {
        self.gaps.lock().map(|g| g.clone()).unwrap_or_default()
    }

    pub(crate) fn page(&self, service: &str) {
        if let Ok(mut s) = self.stats.lock() {
            s.entry(service.to_string()).or_default().pages += 1;
        }
    }

    /// Run one call (all its pages) under the concurrency bound and the
    /// time limit; a failure becomes a gap and `None`.
    ///
    /// The calls others wait on (the heads and links of the longest chains:
    /// the credential report's polling, GuardDuty's detectors then
    /// findings, load balancers then listeners and target health, prefix
    /// lists then entries, the regions then everything in them) may also
    /// take a permit kept for them, so a collection takes as long as its
    /// longest chain rather than its queue.
    pub(crate) async fn call<T, F>(
        &self,
        at: (&str, Option<&str>),
        op: &Operation,
        fut: F,
    ) -> Option<T>
    where
        F: std::future::Future<Output = Result<T, String>>,
    {
        let (service, operation) = (op.service.prefix(), op.cli);
        let _permit = if op.fan_out {
            self.fan_out_permits.acquire().await.ok()?
        } else if op.leads_chain {
            tokio::select! {
                p = self.permits.acquire() => p.ok()?,
                p = self.lead_permits.acquire() => p.ok()?,
            }
        } else {
            self.permits.acquire().await.ok()?
        };
        if let Ok(mut s) = self.stats.lock() {
            s.entry(service.to_string()).or_default().calls += 1;
        }
        let result = match tokio::time::timeout(self.timeout, fut).await {
            Ok(r) => r,
            Err(_) => Err(format!("timed out after {}s", self.timeout.as_secs())),
        };
        match result {
            Ok(v) => Some(v),
            Err(reason) => {
                tracing::warn!(account = at.0, region = ?at.1, service, operation, %reason, "gap");
                if let Ok(mut s) = self.stats.lock() {
                    s.entry(service.to_string()).or_default().errors += 1;
                }
                let gap = Gap {
                    account: at.0.to_string(),
                    region: at.1.map(str::to_string),
                    service: service.to_string(),
                    operation: operation.to_string(),
                    reason,
                };
                self.say(Progress::Gap(gap.clone()));
                if let Ok(mut g) = self.gaps.lock() {
                    g.push(gap);
                }
                None
            }
        }
    }
}

/// An account to collect, with the credentials to do it.
struct Target {
    account: String,
    config: SdkConfig,
}

async fn base_config(opts: &CollectOptions, region: &str) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        // Standard retries: throttling and server faults are retried with
        // exponential backoff and jitter, then reported as what they are.
        // (Adaptive mode's client-side rate limiter makes a throttled call
        // wait out its time limit, so the gap said "timed out".)
        .retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_max_attempts(5)
                .with_initial_backoff(Duration::from_millis(200)),
        );
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(u) = &opts.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    loader.load().await
}

/// Credentials for another account: AssumeRole, refreshed before they expire.
async fn assumed(base: &SdkConfig, role_arn: &str, external_id: Option<&str>) -> SdkConfig {
    let mut builder =
        aws_config::sts::AssumeRoleProvider::builder(role_arn).session_name("skyhound");
    if let Some(x) = external_id {
        builder = builder.external_id(x);
    }
    let provider = builder.configure(base).build().await;
    base.to_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(provider),
        )
        .build()
}

fn account_of(role_arn: &str) -> String {
    role_arn.split(':').nth(4).unwrap_or(role_arn).to_string()
}

/// The organization's active accounts (from the management account or a
/// delegated administrator).
async fn organization_accounts(base: &SdkConfig) -> Result<Vec<String>, CollectError> {
    let org = aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::config::Builder::from(base)
            .interceptor(guard::ReadOnly)
            .build(),
    );
    let mut pages = org.list_accounts().into_paginator().send();
    let mut ids = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CollectError::Organization(reason(&e)))?;
        for a in page.accounts() {
            let active = a.status().is_none_or(|s| s.as_str() == "ACTIVE");
            if let (Some(id), true) = (a.id(), active) {
                ids.push(id.to_string());
            }
        }
    }
    Ok(ids)
}

/// Collect everything the options name. Progress goes to `progress`.
pub async fn collect(
    opts: &CollectOptions,
    progress: Option<mpsc::UnboundedSender<Progress>>,
) -> Result<(Imported, Stats), CollectError> {
    let started = Instant::now();
    let collected_at: DateTime<Utc> = Utc::now();
    let home_region = opts
        .regions
        .first()
        .cloned()
        .or_else(|| std::env::var("AWS_REGION").ok())
        .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
        .unwrap_or_else(|| "us-east-1".to_string());
    let base = base_config(opts, &home_region).await;
    // Progress waits until the credentials have proved themselves, so that
    // bad credentials give one error rather than a gap per account.
    let (proved, gate) = tokio::sync::oneshot::channel::<bool>();
    let progress = progress.map(|outer| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            if gate.await == Ok(true) {
                while let Some(p) = rx.recv().await {
                    if outer.send(p).is_err() {
                        break;
                    }
                }
            }
        });
        tx
    });
    let ctx = Arc::new(Ctx::new(opts, progress));

    // Who are we? This also proves the credentials work. It runs beside the
    // first calls rather than before them: nothing else waits on its answer
    // except a single account's own label.
    let sts = client!(aws_sdk_sts, &base, ctx);
    let identity = async {
        // The SDK retries what it knows to be transient (5xx, throttling);
        // an answer cut short or unreadable is tried again here too, and
        // only a refusal of the credentials is said to be one.
        const TRIES: u32 = 3;
        let mut tries = 0;
        loop {
            tries += 1;
            match sts.get_caller_identity().send().await {
                Ok(me) => {
                    return Ok::<_, CollectError>(me.account().unwrap_or_default().to_string());
                }
                Err(e) => {
                    let server_fault = matches!(&e,
                        aws_smithy_runtime_api::client::result::SdkError::ServiceError(s)
                            if s.raw().status().is_server_error());
                    if !(transient(&e) || server_fault) {
                        return Err(CollectError::Identity(reason(&e)));
                    }
                    if tries >= TRIES {
                        return Err(CollectError::IdentityService {
                            tries,
                            reason: reason(&e),
                        });
                    }
                    tracing::warn!(tries, reason = %reason(&e), "GetCallerIdentity failed; trying again");
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(tries))).await;
                }
            }
        }
    };

    let spawn = |t: Target| {
        let ctx = ctx.clone();
        let opts = opts.clone();
        tokio::spawn(async move { services::account(ctx, t.account, t.config, opts).await })
    };
    let mut handles = Vec::new();
    let proof = if let Some(role) = &opts.org_role {
        let (me, ids) = tokio::join!(identity, organization_accounts(&base));
        match (me, ids) {
            (Ok(me), Ok(ids)) => {
                handles.push(spawn(Target {
                    account: me.clone(),
                    config: base.clone(),
                }));
                for id in ids.into_iter().filter(|id| *id != me) {
                    let arn = format!("arn:aws:iam::{id}:role/{role}");
                    let config = assumed(&base, &arn, opts.external_id.as_deref()).await;
                    handles.push(spawn(Target {
                        account: id,
                        config,
                    }));
                }
                Ok(())
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    } else if !opts.role_arns.is_empty() {
        for arn in &opts.role_arns {
            let config = assumed(&base, arn, opts.external_id.as_deref()).await;
            handles.push(spawn(Target {
                account: account_of(arn),
                config,
            }));
        }
        identity.await.map(|_| ())
    } else {
        identity.await.map(|me| {
            handles.push(spawn(Target {
                account: me,
                config: base.clone(),
            }));
        })
    };
    let _ = proved.send(proof.is_ok());
    if let Err(e) = proof {
        for h in &handles {
            h.abort();
        }
        return Err(e);
    }

    let mut accounts = Vec::new();
    let mut regions_seen = std::collections::BTreeSet::new();
    for h in handles {
        match h.await {
            Ok(a) => {
                for (r, _) in &a.regions {
                    regions_seen.insert(r.clone());
                }
                accounts.push(a);
            }
            Err(e) => tracing::error!("an account's collection task failed: {e}"),
        }
    }
    let gaps = ctx.gaps_so_far();
    let mut services = ctx.stats.lock().map(|s| s.clone()).unwrap_or_default();
    if let Ok(attempts) = ctx.attempts.0.lock() {
        for (svc, sent) in attempts.iter() {
            let key = if svc.contains("load balancing") {
                "elbv2".to_string()
            } else {
                svc.clone()
            };
            let s = services.entry(key).or_default();
            s.requests += sent.requests;
            s.retries += sent.retries;
        }
    }
    let stats = Stats {
        services,
        accounts: accounts.len(),
        regions: regions_seen.len(),
        wall_seconds: started.elapsed().as_secs_f64(),
    };
    let source = match &opts.profile {
        Some(p) => format!("live (profile {p})"),
        None => "live".to_string(),
    };
    let imported = import_memory(accounts, gaps, source, collected_at);
    Ok((imported, stats))
}

/// What one account's collection gathered (or has so far): each region's
/// answers, with the global ones (IAM, STS, Organizations) in the first
/// region's folder as CloudMapper keeps them, or in `home` if no region has
/// answered.
pub fn memory_account(
    account: String,
    regions: Vec<(String, Arc<MemoryFolder>)>,
    global: Option<Arc<MemoryFolder>>,
    home: &str,
) -> MemoryAccount {
    let mut regions: Vec<(String, Vec<Arc<MemoryFolder>>)> =
        regions.into_iter().map(|(r, m)| (r, vec![m])).collect();
    if let Some(global) = global {
        match regions.first_mut() {
            Some((_, first)) => first.push(global),
            None => regions.push((home.to_string(), vec![global])),
        }
    }
    MemoryAccount {
        account_id: account,
        regions,
    }
}

/// Read one region's CloudTrail and AWS Config through the given clients
/// (the tests give ones built on the SDK's mocks), under `opts`'
/// concurrency and time limit. Returns what was read and the gaps.
pub async fn logging_with_clients(
    trail: &aws_sdk_cloudtrail::Client,
    config: &aws_sdk_config::Client,
    account: &str,
    region: &str,
    opts: &CollectOptions,
) -> (MemoryFolder, Vec<Gap>) {
    let ctx = Ctx::new(opts, None);
    let (mut folder, recorders) = tokio::join!(
        logging::cloudtrail_with(&ctx, account, region, trail),
        logging::config_with(&ctx, account, region, config)
    );
    folder.absorb(recorders);
    let gaps = ctx.gaps_so_far();
    (folder, gaps)
}

/// Read the account's credential report through the given client (the
/// tests give one built on the SDK's mocks). Returns the global folder it
/// goes in and the gaps.
pub async fn credential_report_with_client(
    iam: &aws_sdk_iam::Client,
    account: &str,
    opts: &CollectOptions,
) -> (MemoryFolder, Vec<Gap>) {
    let ctx = Ctx::new(opts, None);
    let mut folder = MemoryFolder::default();
    if let Some(v) = services::credential_report(&ctx, (account, None), iam).await {
        folder.put(&ops::GET_CREDENTIAL_REPORT, None, v);
    }
    let gaps = ctx.gaps_so_far();
    (folder, gaps)
}

/// Read one region's GuardDuty detectors and findings through the given
/// client (the tests give one built on the SDK's mocks), under `opts`'
/// concurrency and time limit. Returns what was read and the gaps.
pub async fn guardduty_with_client(
    client: &aws_sdk_guardduty::Client,
    account: &str,
    region: &str,
    opts: &CollectOptions,
) -> (MemoryFolder, Vec<Gap>) {
    let ctx = Ctx::new(opts, None);
    let folder = services::guardduty_with(
        &ctx,
        account,
        region,
        client,
        opts.include_archived_findings,
    )
    .await;
    let gaps = ctx.gaps_so_far();
    (folder, gaps)
}
