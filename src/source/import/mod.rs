//! Offline import of AWS JSON: CloudMapper `account-data` trees and folders
//! of AWS CLI output.
//!
//! Layout: `<account>/<region>/<service>-<operation>.json`; an operation made
//! once per parameter is a folder `<service>-<operation>/` of files named
//! by the URL-quoted parameter. IAM, STS and Organizations live under the
//! account's default region. A flat folder of such files also loads.
//!
//! A missing file is a gap ("not collected"), never an error. A file that
//! does not parse is reported with its path and the place in it, and the
//! rest of the import goes on.

mod ec2;
mod elbv2;
mod guardduty;
mod iam;
mod logging;
mod org;
pub mod read;
mod storage;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::graph::{Collection, Graph, is_account_id};
use crate::model::{
    Account, Gap, Node, NodeData, Organization, OrganizationalUnit, ServiceControlPolicy,
};
use crate::source::operations as ops;
pub use read::Problem;
use read::{Folder, Found, OrError};

/// Choices the caller makes about an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The region of a flat folder whose content does not say.
    pub region: Option<String>,
}

/// What an import produced: the graph, the files that could not be read,
/// and warnings about content that was skipped.
#[derive(Debug)]
pub struct Imported {
    pub graph: Graph,
    pub problems: Vec<Problem>,
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}: no such file or folder")]
    NotFound(PathBuf),
    #[error(
        "{0}: no AWS JSON found (expected CloudMapper's account-data layout, <account>/<region>/ec2-describe-vpcs.json and so on, or a folder of such files)"
    )]
    NothingToImport(PathBuf),
    #[error("{path}: cannot list folder: {error}")]
    List {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// The account and region that files in one folder describe.
pub struct Ctx {
    pub account: String,
    pub region: String,
}

/// Nodes as an import produces them, with in-place replacement by id.
#[derive(Default)]
pub struct Sink {
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
    warnings: Vec<String>,
}

impl Sink {
    pub fn push(&mut self, node: Node) {
        match self.index.get(&node.id) {
            Some(&i) => self.nodes[i] = node,
            None => {
                self.index.insert(node.id.clone(), self.nodes.len());
                self.nodes.push(node);
            }
        }
    }

    pub fn warn(&mut self, message: String) {
        self.warnings.push(message);
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn find_mut(&mut self, id: &str) -> Option<&mut Node> {
        self.index.get(id).map(|&i| &mut self.nodes[i])
    }
}

/// Does this folder hold any file skyhound reads?
fn has_aws_json(dir: &Path) -> bool {
    let folder = Folder::new(dir);
    ops::ALL
        .iter()
        .filter(|o| o.absent != ops::Absent::NotRead)
        .any(|o| folder.has(&o.file()))
}

/// Region names look like `us-east-1`, `us-gov-west-1`, `ap-southeast-2`.
pub fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

fn subdirs(dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let rd = std::fs::read_dir(dir).map_err(|error| ImportError::List {
        path: dir.to_path_buf(),
        error,
    })?;
    let mut out: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    Ok(out)
}

fn dir_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// One account's folder.
struct AccountDir {
    label: String,
    /// (region, folder); one entry with region `None` for a flat folder.
    regions: Vec<(Option<String>, Folder)>,
    /// Why the folder itself could not be listed, when it could not.
    unreadable: Option<String>,
}

fn region_dirs(dir: &Path) -> Result<Vec<(Option<String>, Folder)>, ImportError> {
    Ok(subdirs(dir)?
        .into_iter()
        .filter(|p| is_region_name(&dir_name(p)))
        .map(|p| (Some(dir_name(&p)), Folder::new(p)))
        .collect())
}

fn discover(root: &Path) -> Result<Vec<AccountDir>, ImportError> {
    if !root.exists() {
        return Err(ImportError::NotFound(root.to_path_buf()));
    }
    let nested = root.join("account-data");
    let root = if nested.is_dir() {
        nested
    } else {
        root.to_path_buf()
    };
    let regions = region_dirs(&root)?;
    if !regions.is_empty() {
        return Ok(vec![AccountDir {
            label: dir_name(&root),
            regions,
            unreadable: None,
        }]);
    }
    let mut accounts = Vec::new();
    for sub in subdirs(&root)? {
        let regions = match region_dirs(&sub) {
            Ok(r) => r,
            // One folder that cannot be read is a gap; the rest goes on.
            Err(e) => {
                accounts.push(AccountDir {
                    label: dir_name(&sub),
                    regions: Vec::new(),
                    unreadable: Some(e.to_string()),
                });
                continue;
            }
        };
        if !regions.is_empty() {
            accounts.push(AccountDir {
                label: dir_name(&sub),
                regions,
                unreadable: None,
            });
        } else if has_aws_json(&sub) {
            accounts.push(AccountDir {
                label: dir_name(&sub),
                regions: vec![(None, Folder::new(sub))],
                unreadable: None,
            });
        }
    }
    if !accounts.is_empty() {
        return Ok(accounts);
    }
    if has_aws_json(&root) {
        return Ok(vec![AccountDir {
            label: dir_name(&root),
            regions: vec![(None, Folder::new(root.clone()))],
            unreadable: None,
        }]);
    }
    Err(ImportError::NothingToImport(root))
}

/// One account's responses collected live, region by region (IAM and the
/// other global services in the region named first).
pub struct MemoryAccount {
    pub account_id: String,
    /// Each region's responses, layer by layer (see `Folder::in_memory`).
    pub regions: Vec<(String, Vec<std::sync::Arc<read::MemoryFolder>>)>,
}

/// Build a graph from responses held in memory, laid out as an
/// account-data tree would be. `gaps` are what could not be collected,
/// with their real reasons; `collected_at` is when.
pub fn import_memory(
    accounts: Vec<MemoryAccount>,
    gaps: Vec<Gap>,
    source: String,
    collected_at: DateTime<Utc>,
) -> Imported {
    memory(accounts, gaps, source, collected_at, false)
}

/// What a live collection still running has gathered so far: as
/// `import_memory`, but an answer not in yet is not a gap.
pub fn import_partial(
    accounts: Vec<MemoryAccount>,
    gaps: Vec<Gap>,
    source: String,
    collected_at: DateTime<Utc>,
) -> Imported {
    memory(accounts, gaps, source, collected_at, true)
}

fn memory(
    accounts: Vec<MemoryAccount>,
    gaps: Vec<Gap>,
    source: String,
    collected_at: DateTime<Utc>,
    in_progress: bool,
) -> Imported {
    let mut run = Run {
        gaps,
        in_progress,
        ..Run::default()
    };
    for a in accounts {
        let dir = AccountDir {
            unreadable: None,
            label: a.account_id.clone(),
            regions: a
                .regions
                .into_iter()
                .map(|(region, m)| {
                    (
                        Some(region.clone()),
                        Folder::in_memory(format!("live/{}/{region}", a.account_id), m),
                    )
                })
                .collect(),
        };
        run.account(&dir, &ImportOptions::default());
    }
    run.finish(source, Some(collected_at))
}

/// Import a folder of AWS JSON.
pub fn import_dir(root: &Path, opts: &ImportOptions) -> Result<Imported, ImportError> {
    let accounts = discover(root)?;
    let mut run = Run::default();
    for dir in &accounts {
        run.account(dir, opts);
    }
    let source = format!("import {}", root.display());
    let newest = run.newest;
    Ok(run.finish(source, newest))
}

impl Run {
    /// Link Elastic IPs, gather the nodes and build the graph.
    fn finish(self, source: String, collected_at: Option<DateTime<Utc>>) -> Imported {
        let Run {
            mut sink,
            problems,
            gaps,
            accounts: account_nodes,
            orgs,
            eip_links,
            ..
        } = self;
        for (eni, private_ip, assoc) in eip_links {
            apply_eip(&mut sink, &eni, private_ip, assoc);
        }
        let mut nodes: Vec<Node> = orgs.into_values().collect();
        nodes.extend(account_nodes.into_values());
        nodes.append(&mut sink.nodes);
        let collection = Collection {
            collected_at,
            source,
            accounts: Vec::new(),
            regions: Vec::new(),
            gaps,
        };
        Imported {
            graph: Graph::build(nodes, collection),
            problems,
            warnings: sink.warnings,
        }
    }
}

/// Give an interface the Elastic IP that DescribeAddresses associates with
/// it, when its own listing did not show it.
fn apply_eip(
    sink: &mut Sink,
    eni: &str,
    private_ip: Option<std::net::Ipv4Addr>,
    assoc: crate::model::PublicIpAssociation,
) {
    let Some(Node {
        data: NodeData::NetworkInterface(e),
        ..
    }) = sink.find_mut(eni)
    else {
        return;
    };
    if e.private_ips.iter().any(|p| {
        p.association
            .as_ref()
            .is_some_and(|a| a.public_ip == assoc.public_ip)
    }) {
        return;
    }
    let slot = match private_ip {
        Some(ip) => e.private_ips.iter_mut().find(|p| p.address == ip),
        None => e.private_ips.iter_mut().find(|p| p.primary),
    };
    if let Some(p) = slot {
        p.association = Some(assoc);
    }
}

#[derive(Default)]
struct Run {
    sink: Sink,
    problems: Vec<Problem>,
    gaps: Vec<Gap>,
    accounts: BTreeMap<String, Node>,
    orgs: BTreeMap<String, Node>,
    eip_links: Vec<(
        String,
        Option<std::net::Ipv4Addr>,
        crate::model::PublicIpAssociation,
    )>,
    newest: Option<DateTime<Utc>>,
    /// Building from a live collection that is still running: a file not
    /// there yet is not a gap.
    in_progress: bool,
}

impl Run {
    /// A file that is not there: a gap, unless it may still be coming.
    fn missing(
        &mut self,
        account: &str,
        region: Option<&str>,
        service: &str,
        op: &str,
        reason: &str,
    ) {
        if !self.in_progress {
            self.gap(account, region, service, op, reason);
        }
    }

    fn gap(&mut self, account: &str, region: Option<&str>, service: &str, op: &str, reason: &str) {
        // A gap already known (from live collection, with its real reason) stands.
        if self.gaps.iter().any(|g| {
            g.account == account
                && g.region.as_deref() == region
                && g.service == service
                && g.operation == op
        }) {
            return;
        }
        self.gaps.push(Gap {
            account: account.to_string(),
            region: region.map(str::to_string),
            service: service.to_string(),
            operation: op.to_string(),
            reason: reason.to_string(),
        });
    }

    /// Read one operation; a missing file is recorded as a gap.
    fn read<T: serde::de::DeserializeOwned>(
        &mut self,
        folder: &Folder,
        ctx: (&str, Option<&str>),
        op: &ops::Operation,
    ) -> Vec<(Option<String>, T)> {
        let name = op.file();
        self.note_time(folder, &name);
        let before = self.problems.len();
        let found = folder.read(&name, &mut self.problems);
        self.unreadable(ctx, op, before);
        match found {
            Found::Files(v) => v,
            Found::Missing => {
                self.missing(
                    ctx.0,
                    ctx.1,
                    op.service.prefix(),
                    op.cli,
                    "not collected (no file)",
                );
                Vec::new()
            }
        }
    }

    /// Read an operation whose absence is not a gap.
    fn read_optional<T: serde::de::DeserializeOwned>(
        &mut self,
        folder: &Folder,
        ctx: (&str, Option<&str>),
        op: &ops::Operation,
    ) -> Vec<(Option<String>, T)> {
        let name = op.file();
        self.note_time(folder, &name);
        let before = self.problems.len();
        let found = folder.read(&name, &mut self.problems);
        self.unreadable(ctx, op, before);
        match found {
            Found::Files(v) => v,
            Found::Missing => Vec::new(),
        }
    }

    /// Problems reading an operation's files (since `before`) are gaps too,
    /// so the summary, the snapshot and the collection view keep them.
    fn unreadable(&mut self, ctx: (&str, Option<&str>), op: &ops::Operation, before: usize) {
        let new = &self.problems[before..];
        let Some(first) = new.first() else { return };
        let reason = match new.len() {
            1 => format!("could not be read: {first}"),
            n => format!("{n} problems reading it; the first: {first}"),
        };
        self.gap(ctx.0, ctx.1, op.service.prefix(), op.cli, &reason);
    }

    fn note_time(&mut self, folder: &Folder, name: &str) {
        if let Some(t) = folder.modified(name) {
            let t: DateTime<Utc> = t.into();
            if self.newest.is_none_or(|n| t > n) {
                self.newest = Some(t);
            }
        }
    }

    fn account(&mut self, dir: &AccountDir, opts: &ImportOptions) {
        if let Some(why) = &dir.unreadable {
            self.gap(&dir.label, None, "files", "read folder", why);
            return;
        }
        // IAM and friends live in the default region's folder: the one that
        // has them, else us-east-1, else the first.
        let global_dir = dir
            .regions
            .iter()
            .find(|(_, f)| {
                f.has(&ops::GET_ACCOUNT_AUTHORIZATION_DETAILS.file())
                    || f.has(&ops::GET_CALLER_IDENTITY.file())
            })
            .or_else(|| {
                dir.regions
                    .iter()
                    .find(|(r, _)| r.as_deref() == Some("us-east-1"))
            })
            .or_else(|| dir.regions.first())
            .map(|(_, f)| f.clone());
        let Some(global_dir) = global_dir else { return };

        let identity: Vec<(Option<String>, org::CallerIdentity)> = self.read_optional(
            &global_dir,
            (dir.label.as_str(), None),
            &ops::GET_CALLER_IDENTITY,
        );
        let account = if is_account_id(&dir.label) {
            dir.label.clone()
        } else if let Some(id) = identity.iter().find_map(|(_, i)| i.account_id()) {
            id
        } else if let Some(id) = dir.regions.iter().find_map(|(_, f)| scan_account(f)) {
            id
        } else {
            self.sink.warn(format!(
                "{}: cannot tell the account id (no sts-get-caller-identity.json, owner id or ARN); using the folder name",
                dir.label
            ));
            dir.label.clone()
        };

        let mut account_data = Account::default();
        if !is_account_id(&dir.label) {
            account_data.aliases.push(dir.label.clone());
        }
        for (region, folder) in &dir.regions {
            let path = &folder.path;
            let region = match region {
                Some(r) => r.clone(),
                None => match opts.region.clone().or_else(|| scan_region(folder)) {
                    Some(r) => r,
                    None => {
                        self.sink.warn(format!(
                            "{}: cannot tell the region of these files; pass --region (using \"unknown\")",
                            path.display()
                        ));
                        "unknown".to_string()
                    }
                },
            };
            if let Some(why) = folder.unreadable() {
                self.gap(&account, Some(&region), "files", "read folder", &why);
                continue;
            }
            let ctx = Ctx {
                account: account.clone(),
                region,
            };
            self.region(folder, &ctx);
        }
        match global_dir.unreadable() {
            Some(why) => self.gap(&account, None, "files", "read folder", &why),
            None => self.global(&global_dir, &account, &mut account_data),
        }

        let node = Node::new(&account, &account, NodeData::Account(account_data));
        self.merge_account(node);
    }

    fn merge_account(&mut self, node: Node) {
        let NodeData::Account(new) = node.data else {
            return;
        };
        let entry = self.accounts.entry(node.id.clone()).or_insert_with(|| {
            Node::new(
                &node.id,
                &node.account,
                NodeData::Account(Account::default()),
            )
        });
        if entry.name.is_none() {
            entry.name = node.name;
        }
        if let NodeData::Account(old) = &mut entry.data {
            old.email = old.email.take().or(new.email);
            old.status = old.status.take().or(new.status);
            old.organization_id = old.organization_id.take().or(new.organization_id);
            old.parent_id = old.parent_id.take().or(new.parent_id);
            old.password_policy = old.password_policy.take().or(new.password_policy);
            old.credential_report = old.credential_report.take().or(new.credential_report);
            old.virtual_mfa_devices = old.virtual_mfa_devices.take().or(new.virtual_mfa_devices);
            old.s3_public_access_block = old
                .s3_public_access_block
                .take()
                .or(new.s3_public_access_block);
            if old.summary.is_empty() {
                old.summary = new.summary;
            }
            for a in new.aliases {
                if !old.aliases.contains(&a) {
                    old.aliases.push(a);
                }
            }
        }
    }

    fn region(&mut self, folder: &Folder, ctx: &Ctx) {
        let at = (ctx.account.as_str(), Some(ctx.region.as_str()));
        macro_rules! each {
            ($op:expr, $conv:path) => {
                for (_, r) in self.read(folder, at, &$op) {
                    $conv(ctx, r, &mut self.sink);
                }
            };
        }
        each!(ops::DESCRIBE_VPCS, ec2::vpcs);
        each!(ops::DESCRIBE_SUBNETS, ec2::subnets);
        each!(ops::DESCRIBE_ROUTE_TABLES, ec2::route_tables);
        each!(ops::DESCRIBE_INTERNET_GATEWAYS, ec2::internet_gateways);
        each!(
            ops::DESCRIBE_EGRESS_ONLY_INTERNET_GATEWAYS,
            ec2::egress_only_internet_gateways
        );
        each!(ops::DESCRIBE_NAT_GATEWAYS, ec2::nat_gateways);
        each!(ops::DESCRIBE_NETWORK_ACLS, ec2::network_acls);
        each!(ops::DESCRIBE_SECURITY_GROUPS, ec2::security_groups);
        each!(
            ops::DESCRIBE_VPC_PEERING_CONNECTIONS,
            ec2::vpc_peering_connections
        );

        let mut seen = HashSet::new();
        for (_, r) in self.read(folder, at, &ops::DESCRIBE_NETWORK_INTERFACES) {
            ec2::network_interfaces(ctx, r, &mut seen, &mut self.sink);
        }
        for (_, r) in self.read(folder, at, &ops::DESCRIBE_INSTANCES) {
            ec2::instances(ctx, r, &seen, &mut self.sink);
        }
        for (_, r) in self.read(folder, at, &ops::DESCRIBE_ADDRESSES) {
            let links = ec2::addresses(ctx, r, &mut self.sink);
            self.eip_links.extend(links);
        }
        for op in [
            &ops::DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS,
            &ops::DESCRIBE_TRANSIT_GATEWAY_VPC_ATTACHMENTS,
        ] {
            for (_, r) in self.read_optional(folder, at, op) {
                ec2::transit_gateway_attachments(ctx, r, &mut self.sink);
            }
        }

        let lists: Vec<(Option<String>, ec2::PrefixLists)> =
            self.read(folder, at, &ops::DESCRIBE_MANAGED_PREFIX_LISTS);
        if !lists.is_empty() {
            let entries: BTreeMap<String, ec2::PrefixListEntries> = self
                .read_optional(folder, at, &ops::GET_MANAGED_PREFIX_LIST_ENTRIES)
                .into_iter()
                .filter_map(|(param, e)| Some((param?, e)))
                .collect();
            for (_, r) in lists {
                ec2::prefix_lists(ctx, r, &entries, &mut self.sink);
            }
        }

        self.load_balancing(folder, ctx);
        self.guardduty(folder, ctx);
        self.posture(folder, ctx);
    }

    /// Answers of a per-item operation, by the item they are named after.
    fn per_item<T: serde::de::DeserializeOwned>(
        &mut self,
        folder: &Folder,
        at: (&str, Option<&str>),
        op: &ops::Operation,
    ) -> BTreeMap<String, T> {
        self.read_optional(folder, at, op)
            .into_iter()
            .filter_map(|(param, v)| Some((param?, v)))
            .collect()
    }

    /// What the posture checks read in a region: trails, Config recorders,
    /// flow logs, volumes, EBS default encryption, KMS keys, databases.
    fn posture(&mut self, folder: &Folder, ctx: &Ctx) {
        let at = (ctx.account.as_str(), Some(ctx.region.as_str()));
        let mut details = logging::TrailDetails {
            status: self.per_item(folder, at, &ops::GET_TRAIL_STATUS),
            selectors: self.per_item(folder, at, &ops::GET_EVENT_SELECTORS),
        };
        for (_, r) in self.read(folder, at, &ops::DESCRIBE_TRAILS) {
            logging::trails(ctx, r, &mut details, &mut self.sink);
        }
        let statuses: Vec<logging::RecorderStatuses> = self
            .read(folder, at, &ops::DESCRIBE_CONFIGURATION_RECORDER_STATUS)
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        for (_, r) in self.read(folder, at, &ops::DESCRIBE_CONFIGURATION_RECORDERS) {
            logging::recorders(ctx, r, &statuses, &mut self.sink);
        }
        for (_, r) in self.read(folder, at, &ops::DESCRIBE_FLOW_LOGS) {
            logging::flow_logs(ctx, r, &mut self.sink);
        }
        for (_, r) in self.read(folder, at, &ops::GET_EBS_ENCRYPTION_BY_DEFAULT) {
            logging::ebs_default(ctx, r, &mut self.sink);
        }
        for (_, r) in self.read(folder, at, &ops::DESCRIBE_VOLUMES) {
            storage::volumes(ctx, r, &mut self.sink);
        }
        for (_, r) in self.read(folder, at, &ops::DESCRIBE_DB_INSTANCES) {
            storage::db_instances(ctx, r, &mut self.sink);
        }
        let keys: Vec<storage::KeyList> = self
            .read(folder, at, &ops::LIST_KEYS)
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        if !keys.is_empty() {
            let mut details = storage::KeyDetails {
                described: self.per_item(folder, at, &ops::DESCRIBE_KEY),
                rotation: self.per_item(folder, at, &ops::GET_KEY_ROTATION_STATUS),
                policy: self.per_item(folder, at, &ops::GET_KEY_POLICY),
                aliases: self
                    .read_optional(folder, at, &ops::LIST_ALIASES)
                    .into_iter()
                    .map(|(_, r)| r)
                    .collect(),
            };
            for r in keys {
                let d = storage::KeyDetails {
                    described: std::mem::take(&mut details.described),
                    rotation: std::mem::take(&mut details.rotation),
                    policy: std::mem::take(&mut details.policy),
                    aliases: std::mem::take(&mut details.aliases),
                };
                let mut problems = Vec::new();
                storage::keys(ctx, r, d, &mut problems, &mut self.sink);
                for message in problems {
                    self.problems.push(Problem {
                        file: folder.file(&ops::GET_KEY_POLICY.file()),
                        message,
                    });
                }
            }
        }
    }

    /// The account's buckets (every bucket's files are in the account's
    /// us-east-1 folder) and its S3 Block Public Access.
    fn buckets(&mut self, folder: &Folder, account: &str, data: &mut Account) {
        let at = (account, None);
        for (_, r) in self.read::<OrError<storage::PublicAccessBlockAnswer>>(
            folder,
            at,
            &ops::GET_ACCOUNT_PUBLIC_ACCESS_BLOCK,
        ) {
            data.s3_public_access_block = Some(r.answer(storage::PublicAccessBlockAnswer::model));
        }
        let lists: Vec<storage::BucketList> = self
            .read(folder, at, &ops::LIST_BUCKETS)
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        if lists.is_empty() {
            return;
        }
        let mut details = storage::BucketDetails {
            location: self.per_item(folder, at, &ops::GET_BUCKET_LOCATION),
            policy: self.per_item(folder, at, &ops::GET_BUCKET_POLICY),
            policy_status: self.per_item(folder, at, &ops::GET_BUCKET_POLICY_STATUS),
            acl: self.per_item(folder, at, &ops::GET_BUCKET_ACL),
            public_access_block: self.per_item(folder, at, &ops::GET_PUBLIC_ACCESS_BLOCK),
            encryption: self.per_item(folder, at, &ops::GET_BUCKET_ENCRYPTION),
            logging: self.per_item(folder, at, &ops::GET_BUCKET_LOGGING),
            versioning: self.per_item(folder, at, &ops::GET_BUCKET_VERSIONING),
        };
        for r in lists {
            let mut problems = Vec::new();
            storage::buckets(
                account,
                r,
                std::mem::take(&mut details),
                &mut problems,
                &mut self.sink,
            );
            for message in problems {
                self.problems.push(Problem {
                    file: folder.file(&ops::GET_BUCKET_POLICY.file()),
                    message,
                });
            }
        }
    }

    fn load_balancing(&mut self, folder: &Folder, ctx: &Ctx) {
        let at = (ctx.account.as_str(), Some(ctx.region.as_str()));
        let lbs: Vec<(Option<String>, elbv2::LoadBalancers)> =
            self.read(folder, at, &ops::DESCRIBE_LOAD_BALANCERS);
        let before = self.sink.nodes.len();
        for (_, r) in lbs {
            elbv2::load_balancers(ctx, r, &mut self.sink);
        }
        let any_lb = self.sink.nodes.len() > before;
        let optional_or_gap = |run: &mut Run, op: &ops::Operation| -> bool {
            if any_lb && !folder.has(&op.file()) {
                run.missing(
                    at.0,
                    at.1,
                    op.service.prefix(),
                    op.cli,
                    "not collected (no file)",
                );
                return false;
            }
            true
        };
        if optional_or_gap(self, &ops::DESCRIBE_LISTENERS) {
            for (param, r) in self.read_optional(folder, at, &ops::DESCRIBE_LISTENERS) {
                elbv2::listeners(ctx, param.as_deref(), r, &mut self.sink);
            }
        }
        let groups: Vec<elbv2::TargetGroups> =
            if optional_or_gap(self, &ops::DESCRIBE_TARGET_GROUPS) {
                self.read_optional(folder, at, &ops::DESCRIBE_TARGET_GROUPS)
                    .into_iter()
                    .map(|(_, r)| r)
                    .collect()
            } else {
                Vec::new()
            };
        let any_tg = groups.iter().any(|g| !g.is_empty());
        let health: BTreeMap<String, elbv2::TargetHealth> =
            if any_tg && optional_or_gap(self, &ops::DESCRIBE_TARGET_HEALTH) {
                self.read_optional(folder, at, &ops::DESCRIBE_TARGET_HEALTH)
                    .into_iter()
                    .filter_map(|(param, h)| Some((param?, h)))
                    .collect()
            } else {
                BTreeMap::new()
            };
        elbv2::target_groups(ctx, groups, health, &mut self.sink);
    }

    fn guardduty(&mut self, folder: &Folder, ctx: &Ctx) {
        let at = (ctx.account.as_str(), Some(ctx.region.as_str()));
        let mut ids: Vec<String> = self
            .read::<guardduty::DetectorList>(folder, at, &ops::LIST_DETECTORS)
            .into_iter()
            .flat_map(|(_, l)| l.detector_ids)
            .collect();
        let described: BTreeMap<String, guardduty::Detector> = self
            .read_optional(folder, at, &ops::GET_DETECTOR)
            .into_iter()
            .filter_map(|(param, d)| Some((param?, d)))
            .collect();
        for id in described.keys() {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        let mut described = described;
        for id in &ids {
            guardduty::detector(ctx, id, described.remove(id), &mut self.sink);
        }
        let listing_failed = self.gaps.iter().any(|g| {
            g.account == at.0
                && g.region.as_deref() == at.1
                && g.operation == ops::LIST_FINDINGS.cli
        });
        let findings = &ops::GET_FINDINGS;
        if !ids.is_empty() && !folder.has(&findings.file()) && !listing_failed {
            self.missing(
                at.0,
                at.1,
                findings.service.prefix(),
                findings.cli,
                "not collected (no file)",
            );
        }
        for (param, r) in self.read_optional(folder, at, findings) {
            guardduty::findings(ctx, param.as_deref(), r, &mut self.sink);
        }
    }

    fn global(&mut self, folder: &Folder, account: &str, data: &mut Account) {
        let at = (account, None);
        self.buckets(folder, account, data);
        for (_, r) in self.read(folder, at, &ops::GET_ACCOUNT_AUTHORIZATION_DETAILS) {
            iam::authorization_details(account, r, &mut self.sink);
        }
        // CloudMapper writes no file when the account has no password policy.
        let password = &ops::GET_ACCOUNT_PASSWORD_POLICY;
        match folder.read::<iam::PasswordPolicyResponse>(&password.file(), &mut self.problems) {
            Found::Files(v) => {
                data.password_policy = v.into_iter().next().map(|(_, p)| iam::password_policy(p))
            }
            Found::Missing => self.missing(
                account,
                None,
                password.service.prefix(),
                password.cli,
                "not collected (no file), or the account has no password policy",
            ),
        }
        for (_, r) in self.read(folder, at, &ops::GET_ACCOUNT_SUMMARY) {
            data.summary = iam::account_summary(r);
        }
        for (_, r) in self.read_optional(folder, at, &ops::LIST_ACCOUNT_ALIASES) {
            for a in iam::account_aliases(r) {
                if !data.aliases.contains(&a) {
                    data.aliases.push(a);
                }
            }
        }
        let report = self
            .read::<iam::CredentialReport>(folder, at, &ops::GET_CREDENTIAL_REPORT)
            .into_iter()
            .next()
            .map(|(_, r)| r);
        if let Some(r) = &report {
            data.credential_report = Some(r.meta());
        }
        let mut virtual_mfa = None;
        for (_, r) in self.read(folder, at, &ops::LIST_VIRTUAL_MFA_DEVICES) {
            virtual_mfa
                .get_or_insert_with(Vec::new)
                .extend(iam::virtual_mfa_devices(r));
        }
        if virtual_mfa.is_some() {
            data.virtual_mfa_devices = virtual_mfa;
        }
        let listings = self
            .read_optional(folder, at, &ops::LIST_ACCESS_KEYS)
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        let last_used = self
            .read_optional(folder, at, &ops::GET_ACCESS_KEY_LAST_USED)
            .into_iter()
            .filter_map(|(param, r)| Some((param?, r)))
            .collect();
        let sources = iam::KeySources {
            report,
            listings,
            last_used,
        };
        if let Err(message) = iam::access_keys(account, sources, &mut self.sink) {
            self.problems.push(Problem {
                file: folder.file(&ops::GET_CREDENTIAL_REPORT.file()),
                message,
            });
        }

        for (_, r) in
            self.read_optional::<org::DescribeOrganization>(folder, at, &ops::DESCRIBE_ORGANIZATION)
        {
            if let Some(o) = r.organization {
                let mut n = Node::new(
                    &o.id,
                    o.master_account_id.clone().unwrap_or_default(),
                    NodeData::Organization(Organization {
                        management_account_id: o.master_account_id,
                        ..Organization::default()
                    }),
                );
                n.arn = o.arn;
                let scps = matches!(self.orgs.get(&o.id).map(|n| &n.data),
                    Some(NodeData::Organization(x)) if x.scps_collected);
                if let NodeData::Organization(x) = &mut n.data {
                    x.scps_collected = scps;
                }
                self.orgs.insert(o.id.clone(), n);
            }
        }
        for (_, r) in self.read_optional::<org::AccountList>(folder, at, &ops::LIST_ACCOUNTS) {
            for a in r.accounts {
                let org = a.organization_id();
                if let Some(org_id) = &org {
                    let mgmt = a.management_account();
                    self.orgs.entry(org_id.clone()).or_insert_with(|| {
                        Node::new(
                            org_id,
                            mgmt.clone().unwrap_or_default(),
                            NodeData::Organization(Organization {
                                management_account_id: mgmt,
                                ..Organization::default()
                            }),
                        )
                    });
                }
                let data = Account {
                    email: a.email,
                    status: a.status,
                    organization_id: org,
                    ..Account::default()
                };
                let mut n = Node::new(&a.id, &a.id, NodeData::Account(data));
                n.name = a.name;
                n.arn = a.arn;
                self.merge_account(n);
            }
        }
        self.organization_tree(folder, account);
    }

    /// The management account's view of its organization: the root, the
    /// OUs under each parent, the accounts in each, and the service
    /// control policies with their documents and targets.
    fn organization_tree(&mut self, folder: &Folder, account: &str) {
        let at = (account, None);
        let mut org_id: Option<String> = None;
        let mut note_org = |arn: Option<&str>| {
            if org_id.is_none() {
                org_id = arn.and_then(org::organization_in_arn);
            }
        };
        for (_, r) in self.read_optional::<org::RootList>(folder, at, &ops::LIST_ROOTS) {
            for root in r.roots {
                note_org(root.arn.as_deref());
                let data = OrganizationalUnit {
                    parent_id: None,
                    is_root: true,
                    policy_types: root
                        .policy_types
                        .into_iter()
                        .filter(|t| t.status.as_deref() == Some("ENABLED"))
                        .filter_map(|t| t.kind)
                        .collect(),
                };
                let mut n = Node::new(&root.id, account, NodeData::OrganizationalUnit(data));
                n.arn = root.arn;
                n.name = root.name.or(Some("Root".into()));
                self.sink.nodes.push(n);
            }
        }
        for (parent, r) in self.read_optional::<org::UnitList>(
            folder,
            at,
            &ops::LIST_ORGANIZATIONAL_UNITS_FOR_PARENT,
        ) {
            for ou in r.organizational_units {
                note_org(ou.arn.as_deref());
                let data = OrganizationalUnit {
                    parent_id: parent.clone(),
                    ..OrganizationalUnit::default()
                };
                let mut n = Node::new(&ou.id, account, NodeData::OrganizationalUnit(data));
                n.arn = ou.arn;
                n.name = ou.name;
                self.sink.nodes.push(n);
            }
        }
        for (parent, r) in
            self.read_optional::<org::AccountList>(folder, at, &ops::LIST_ACCOUNTS_FOR_PARENT)
        {
            for a in r.accounts {
                let data = Account {
                    email: a.email.clone(),
                    status: a.status.clone(),
                    organization_id: a.organization_id(),
                    parent_id: parent.clone(),
                    ..Account::default()
                };
                let mut n = Node::new(&a.id, &a.id, NodeData::Account(data));
                n.name = a.name;
                n.arn = a.arn;
                self.merge_account(n);
            }
        }
        let listed = self.read_optional::<org::PolicyList>(folder, at, &ops::LIST_POLICIES);
        if listed.is_empty() {
            return;
        }
        let mut documents: BTreeMap<String, Option<String>> = self
            .read_optional::<org::DescribePolicy>(folder, at, &ops::DESCRIBE_POLICY)
            .into_iter()
            .filter_map(|(id, r)| Some((id?, r.policy?.content)))
            .collect();
        let mut targets: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (id, r) in
            self.read_optional::<org::TargetList>(folder, at, &ops::LIST_TARGETS_FOR_POLICY)
        {
            if let Some(id) = id {
                targets
                    .entry(id)
                    .or_default()
                    .extend(r.targets.into_iter().map(|t| t.target_id));
            }
        }
        for (_, r) in listed {
            for p in r.policies {
                if p.kind
                    .as_deref()
                    .is_some_and(|k| k != "SERVICE_CONTROL_POLICY")
                {
                    continue;
                }
                if !p.aws_managed {
                    note_org(p.arn.as_deref());
                }
                let document = match documents.remove(&p.id).flatten() {
                    Some(text) => match crate::model::policy::PolicyDocument::from_text(&text) {
                        Ok(d) => Some(d),
                        Err(e) => {
                            self.sink.warn(format!(
                                "service control policy {}: {e}; what it denies is unknown",
                                p.id
                            ));
                            None
                        }
                    },
                    None => None,
                };
                let data = ServiceControlPolicy {
                    description: p.description,
                    aws_managed: p.aws_managed,
                    document,
                    targets: targets.remove(&p.id).unwrap_or_default(),
                };
                let mut n = Node::new(&p.id, account, NodeData::ServiceControlPolicy(data));
                n.arn = p.arn;
                n.name = p.name;
                self.sink.nodes.push(n);
            }
        }
        // The policies were read: mark the organization that has them.
        let org_id = org_id.or_else(|| {
            self.orgs.iter().find_map(|(id, n)| match &n.data {
                NodeData::Organization(o)
                    if o.management_account_id.as_deref() == Some(account) =>
                {
                    Some(id.clone())
                }
                _ => None,
            })
        });
        if let Some(id) = org_id {
            let n = self.orgs.entry(id.clone()).or_insert_with(|| {
                Node::new(
                    &id,
                    account,
                    NodeData::Organization(Organization {
                        management_account_id: Some(account.to_string()),
                        ..Organization::default()
                    }),
                )
            });
            if let NodeData::Organization(o) = &mut n.data {
                o.scps_collected = true;
            }
        }
    }
}

/// Look through a folder's EC2 and IAM files for the owning account.
fn scan_account(folder: &Folder) -> Option<String> {
    let candidates = [
        &ops::DESCRIBE_VPCS,
        &ops::DESCRIBE_SECURITY_GROUPS,
        &ops::DESCRIBE_INSTANCES,
        &ops::DESCRIBE_NETWORK_INTERFACES,
        &ops::GET_ACCOUNT_AUTHORIZATION_DETAILS,
    ];
    candidates.iter().find_map(|op| {
        let value = first_value(folder, op)?;
        find_in(&value, &|key, v| {
            let s = v.as_str()?;
            match key {
                "OwnerId" | "AccountId" if is_account_id(s) => Some(s.to_string()),
                "Arn" => read::arn_account(s).map(str::to_string),
                _ => None,
            }
        })
    })
}

/// Look through a flat folder's files for the region they describe.
fn scan_region(folder: &Folder) -> Option<String> {
    let candidates = [
        &ops::DESCRIBE_SUBNETS,
        &ops::DESCRIBE_INSTANCES,
        &ops::DESCRIBE_NETWORK_INTERFACES,
        &ops::DESCRIBE_LOAD_BALANCERS,
        &ops::GET_FINDINGS,
    ];
    candidates.iter().find_map(|op| {
        let value = first_value(folder, op)?;
        find_in(&value, &|key, v| {
            let s = v.as_str()?;
            match key {
                "AvailabilityZone" | "ZoneName" => {
                    let region = s.trim_end_matches(|c: char| c.is_ascii_lowercase());
                    is_region_name(region).then(|| region.to_string())
                }
                "Region" if is_region_name(s) => Some(s.to_string()),
                "LoadBalancerArn" => read::arn_region(s).map(str::to_string),
                _ => None,
            }
        })
    })
}

/// The first response of an operation, as plain JSON.
fn first_value(folder: &Folder, op: &ops::Operation) -> Option<serde_json::Value> {
    match folder.read::<serde_json::Value>(&op.file(), &mut Vec::new()) {
        Found::Files(v) => v.into_iter().next().map(|(_, v)| v),
        Found::Missing => None,
    }
}

/// Depth-first search of a JSON value for the first key/value `f` accepts.
fn find_in(
    value: &serde_json::Value,
    f: &dyn Fn(&str, &serde_json::Value) -> Option<String>,
) -> Option<String> {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| f(k, v))
            .or_else(|| map.values().find_map(|v| find_in(v, f))),
        serde_json::Value::Array(items) => items.iter().find_map(|v| find_in(v, f)),
        _ => None,
    }
}
