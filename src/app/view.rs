//! The explorer's views and the rows they show, computed when a view is
//! opened or its filter or sort changes, never while drawing.

use std::net::IpAddr;

use crate::analysis::finding::Status;
use crate::analysis::{Explanation, Hop, explain, explain_all};
use crate::graph::NodeId;
use crate::model::network::Protocol;
use crate::model::{NodeData, NodeKind, Severity};
use crate::report::relations;

use super::data::Data;
use crate::analysis::checks::internet;
use crate::labels::{account_with_name, short_id};

/// What a list lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Kind(NodeKind),
    /// Every resource of every kind.
    All,
    Exposed,
    Findings,
    /// Principals by an identity analysis, worst first.
    Identity(Identity),
    /// The resources one check fails on or cannot answer for, worst first.
    Check(&'static str),
}

/// The identity views: admins, who can become admin, trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    Admins,
    Escalation,
    Trust,
}

impl Identity {
    /// The checks whose findings the view lists.
    pub fn checks(self) -> &'static [&'static str] {
        use crate::analysis::iam::findings as f;
        match self {
            Identity::Admins => &[f::ADMIN.id],
            Identity::Escalation => &[f::ESCALATION.id],
            Identity::Trust => &[
                f::TRUST_PUBLIC.id,
                f::TRUST_NO_EXTERNAL_ID.id,
                f::TRUST_CROSS_ACCOUNT.id,
                f::TRUST_ACCOUNT_ROOT.id,
            ],
        }
    }

    /// The worst finding of this view on a resource.
    fn worst(self, d: &Data, id: NodeId) -> Option<&crate::analysis::Finding> {
        d.analysed()
            .posture_of(id)
            .filter(|f| self.checks().contains(&f.check))
            .max_by_key(|f| f.severity)
    }

    /// Every resource with a finding of this view, worst first.
    fn rows(self, d: &Data) -> Vec<NodeId> {
        super::checks::resources(d, self.checks())
    }
}

fn identity_severity(view: Identity, d: &Data, id: NodeId) -> String {
    view.worst(d, id)
        .map(|f| f.severity.label().to_uppercase())
        .unwrap_or_default()
}
fn identity_severity_key(view: Identity, d: &Data, id: NodeId) -> SortKey {
    SortKey::Number(
        view.worst(d, id)
            .map(|f| f.severity as i64 + 1)
            .unwrap_or(0),
    )
}
fn identity_title(view: Identity, d: &Data, id: NodeId) -> String {
    let mut titles: Vec<String> = d
        .analysed()
        .posture_of(id)
        .filter(|f| view.checks().contains(&f.check))
        .map(|f| f.title.clone())
        .collect();
    titles.dedup();
    titles.join("; ")
}

/// One check's failures and unknowns on a resource, worst first.
fn check_findings<'a>(
    check: &'a str,
    d: &'a Data,
    id: NodeId,
) -> impl Iterator<Item = &'a crate::analysis::Finding> {
    d.analysed()
        .findings_of(id)
        .filter(move |f| f.check == check && f.status != Status::Pass)
}

/// "FAIL HIGH", "UNKNOWN": the worst of one check's results on a resource.
fn check_status(check: &str, d: &Data, id: NodeId) -> String {
    check_findings(check, d, id)
        .next()
        .map(status_badge)
        .unwrap_or_default()
}

/// A finding's status in a list's words: "FAIL HIGH", "UNKNOWN".
pub fn status_badge(f: &crate::analysis::Finding) -> String {
    match f.status {
        Status::Fail => format!("FAIL {}", f.severity.label().to_uppercase()),
        Status::Unknown => "UNKNOWN".to_string(),
        Status::Pass => "PASS".to_string(),
    }
}

fn check_status_key(check: &str, d: &Data, id: NodeId) -> SortKey {
    SortKey::Number(
        check_findings(check, d, id)
            .next()
            .map(|f| match f.status {
                Status::Fail => f.severity as i64 + 2,
                Status::Unknown => 1,
                Status::Pass => 0,
            })
            .unwrap_or(0),
    )
}

fn check_title(check: &str, d: &Data, id: NodeId) -> String {
    let mut titles: Vec<&str> = check_findings(check, d, id)
        .map(|f| f.title.as_str())
        .collect();
    titles.dedup();
    titles.join("; ")
}

impl ListKind {
    pub fn title(self) -> String {
        match self {
            ListKind::Check(check) => match crate::analysis::checks::find(check) {
                Some(c) => format!("{}: {}", c.id, c.title),
                None => check.to_string(),
            },
            ListKind::Identity(Identity::Admins) => "admins".to_string(),
            ListKind::Identity(Identity::Escalation) => "can become admin".to_string(),
            ListKind::Identity(Identity::Trust) => "trust that reaches far".to_string(),
            ListKind::Kind(k) => k.plural().to_string(),
            ListKind::All => "all resources".to_string(),
            ListKind::Exposed => "exposed resources".to_string(),
            ListKind::Findings => "GuardDuty findings".to_string(),
        }
    }
}

/// A column: its title, width and how to read a row's value and sort key.
pub struct Column {
    pub title: &'static str,
    /// The width it asks for.
    pub width: u16,
    /// A column that takes the room left (names, summaries), and the
    /// least it is given before others are dropped.
    pub flex: Option<u16>,
    /// On a narrow terminal, columns go highest rank first; 0 stays.
    pub drop: u8,
    pub value: ValueFn,
    pub key: KeyFn,
}

/// How a column reads a row's value.
pub type ValueFn = Box<dyn Fn(&Data, NodeId) -> String + Send + Sync>;
/// How a column reads a row's sort key.
pub type KeyFn = Box<dyn Fn(&Data, NodeId) -> SortKey + Send + Sync>;

/// A column's value: a function of the data and the row.
fn value(f: impl Fn(&Data, NodeId) -> String + Send + Sync + 'static) -> ValueFn {
    Box::new(f)
}

/// A column's sort key.
fn key(f: impl Fn(&Data, NodeId) -> SortKey + Send + Sync + 'static) -> KeyFn {
    Box::new(f)
}

impl Column {
    const fn flex(mut self, min: u16) -> Column {
        self.flex = Some(min);
        self
    }

    const fn drop(mut self, rank: u8) -> Column {
        self.drop = rank;
        self
    }

    /// The least room it needs.
    pub fn least(&self) -> u16 {
        self.flex.unwrap_or(self.width)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    Number(i64),
    Text(String),
}

fn text_key(v: impl Fn(&Data, NodeId) -> String) -> impl Fn(&Data, NodeId) -> SortKey {
    move |d, id| SortKey::Text(v(d, id).to_ascii_lowercase())
}

fn name(d: &Data, id: NodeId) -> String {
    d.graph.node(id).name.clone().unwrap_or_default()
}
fn ident(d: &Data, id: NodeId) -> String {
    short_id(&d.graph.node(id).id).to_string()
}
fn account(d: &Data, id: NodeId) -> String {
    d.graph.node(id).account.clone()
}
fn region(d: &Data, id: NodeId) -> String {
    d.graph
        .node(id)
        .region
        .clone()
        .unwrap_or_else(|| "global".into())
}
/// The exposure badge: words, not only colour.
pub fn badge(d: &Data, id: NodeId) -> String {
    match d.exposure(id) {
        Some(e) => format!("OPEN {}", e.severity.label()),
        None => String::new(),
    }
}
/// What a user or role can do at worst: `ADMIN`, `ADMIN EXCEPT` (cut
/// down by a deny, boundary or SCP), `ADMIN IF` (under conditions), `CAN
/// BECOME ADMIN`.
pub fn iam_badge(d: &Data, id: NodeId) -> String {
    use crate::analysis::iam::findings::{ADMIN, ESCALATION};
    if !d.identity_analysed() {
        return "…".to_string();
    }
    let mut found = d
        .analysed()
        .posture_of(id)
        .filter(|f| f.check == ADMIN.id || f.check == ESCALATION.id);
    // An admin finding outranks a way to become admin.
    let first = found.next();
    let pick = match first {
        Some(f) if f.check == ADMIN.id => Some(f),
        other => found.find(|f| f.check == ADMIN.id).or(other),
    };
    pick.and_then(|f| f.badge).unwrap_or_default().to_string()
}

/// The checks a resource fails, in a word or two, worst first: "PUBLIC",
/// "UNENCRYPTED +1".
pub fn checks_badge(d: &Data, id: NodeId) -> String {
    let mut failing = d.analysed().posture_of(id);
    let Some(first) = failing.next() else {
        return String::new();
    };
    let word = first
        .badge
        .map(str::to_string)
        .unwrap_or_else(|| format!("FAIL {}", first.severity.label().to_uppercase()));
    match failing.count() {
        0 => word,
        more => format!("{word} +{more}"),
    }
}
fn checks_badge_key(d: &Data, id: NodeId) -> SortKey {
    SortKey::Number(
        d.analysed()
            .posture_of(id)
            .next()
            .map(|f| f.severity as i64 + 1)
            .unwrap_or(0),
    )
}
fn iam_badge_key(d: &Data, id: NodeId) -> SortKey {
    SortKey::Number(match iam_badge(d, id).as_str() {
        "ADMIN" => 4,
        "CAN BECOME ADMIN" => 3,
        "ADMIN EXCEPT" => 2,
        "ADMIN IF" => 1,
        _ => 0,
    })
}
fn badge_key(d: &Data, id: NodeId) -> SortKey {
    SortKey::Number(d.exposure(id).map(|e| e.severity as i64 + 1).unwrap_or(0))
}
fn exposure_summary(d: &Data, id: NodeId) -> String {
    d.exposure(id).map(|e| e.column()).unwrap_or_default()
}
fn kind_label(d: &Data, id: NodeId) -> String {
    d.graph.node(id).kind().label().to_string()
}
fn state(d: &Data, id: NodeId) -> String {
    match &d.graph.node(id).data {
        NodeData::Instance(i) => i.state.clone().unwrap_or_default(),
        NodeData::LoadBalancer(l) => l.scheme.clone(),
        NodeData::NetworkInterface(e) => e
            .interface_type
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        NodeData::Vpc(v) => v
            .cidr_blocks
            .first()
            .map(|c| c.to_string())
            .unwrap_or_default(),
        NodeData::Subnet(s) => s.cidr_block.map(|c| c.to_string()).unwrap_or_default(),
        NodeData::SecurityGroup(s) => {
            // The ingress rules open to every address: a hint, the exposure
            // analysis decides whether anything is reached.
            let world: Vec<String> = s
                .ingress
                .iter()
                .filter(|r| {
                    r.ipv4.iter().any(|c| c.cidr.prefix_len() == 0)
                        || r.ipv6.iter().any(|c| c.cidr.prefix_len() == 0)
                })
                .map(|r| r.describe_ports())
                .collect();
            let counts = format!("{} in / {} out", s.ingress.len(), s.egress.len());
            if world.is_empty() {
                counts
            } else {
                format!("open to 0.0.0.0/0: {}; {counts}", world.join(", "))
            }
        }
        NodeData::NetworkAcl(a) => {
            let world: Vec<String> = a
                .entries
                .iter()
                .filter(|e| {
                    !e.egress
                        && e.action == crate::model::network::RuleAction::Allow
                        && e.cidr.prefix_len() == 0
                })
                .map(|e| format!("{} {}", e.rule_number, e.cidr))
                .collect();
            if world.is_empty() {
                format!("{} entries", a.entries.len())
            } else {
                format!(
                    "inbound allows 0.0.0.0/0 or ::/0 (entry {})",
                    world.join(", ")
                )
            }
        }
        NodeData::IamUser(u) => {
            let failing = d
                .analysed()
                .posture_of(id)
                .any(|f| f.check == crate::analysis::posture::mfa::CHECK.id);
            match (u.mfa_active, failing) {
                (_, true) => "console password, no MFA".into(),
                (Some(true), _) => "MFA".into(),
                (Some(false), _) => "no MFA (no console password)".into(),
                (None, _) => String::new(),
            }
        }
        NodeData::IamRole(r) => {
            let account = &d.graph.node(id).account;
            r.trust_policy
                .trusted_principals()
                .iter()
                .map(|t| crate::labels::trusted(&d.graph, account, t))
                .collect::<Vec<_>>()
                .join("; ")
        }
        NodeData::AccessKey(k) => match k.created {
            Some(c) => format!("{}, created {}", k.status, c.format("%Y-%m-%d")),
            None => k.status.clone(),
        },
        NodeData::GuardDutyDetector(g) => g.status.clone().unwrap_or_default(),
        NodeData::Account(a) if a.external => "external".into(),
        NodeData::Bucket(b) => {
            use crate::model::Answer;
            let encryption = match &b.encryption {
                Some(Answer::Value(e)) => e.algorithm.clone(),
                Some(Answer::None { .. }) => "no default encryption".into(),
                None => "encryption not read".into(),
            };
            let versioning = match b.versioning.as_ref().and_then(|v| v.status.as_deref()) {
                Some(s) => format!("versioning {}", s.to_ascii_lowercase()),
                None => "no versioning".into(),
            };
            format!("{encryption}, {versioning}")
        }
        NodeData::Volume(v) => format!(
            "{} GiB {}, {}",
            v.size_gib
                .map(|s| s.to_string())
                .unwrap_or_else(|| "?".into()),
            v.state.as_deref().unwrap_or(""),
            if v.encrypted {
                "encrypted"
            } else {
                "unencrypted"
            }
        ),
        NodeData::DbInstance(db) => format!(
            "{} {}, {}, {}",
            db.engine.as_deref().unwrap_or(""),
            db.status.as_deref().unwrap_or(""),
            if db.publicly_accessible {
                "publicly accessible"
            } else {
                "private"
            },
            match db.storage_encrypted {
                Some(true) => "encrypted",
                Some(false) => "unencrypted",
                None => "encryption unknown",
            }
        ),
        NodeData::KmsKey(k) => format!(
            "{} {}, rotation {}",
            k.key_manager.as_deref().unwrap_or("").to_ascii_lowercase(),
            k.key_state.as_deref().unwrap_or(""),
            match k.rotation_enabled {
                Some(true) => "on",
                Some(false) => "off",
                None => "not read",
            }
        ),
        NodeData::Trail(t) => format!(
            "{}{}, {}",
            if t.multi_region {
                "multi-region"
            } else {
                "one region"
            },
            if t.organization {
                " organization trail"
            } else {
                ""
            },
            match t.logging {
                Some(true) => "logging",
                Some(false) => "not logging",
                None => "status not read",
            }
        ),
        NodeData::ConfigRecorder(r) => format!(
            "{}{}",
            match r.recording {
                Some(true) => "recording",
                Some(false) => "stopped",
                None => "status not read",
            },
            r.last_status
                .as_deref()
                .map(|s| format!(", last {}", s.to_ascii_lowercase()))
                .unwrap_or_default()
        ),
        NodeData::FlowLog(l) => format!(
            "{} {}",
            l.resource_id,
            l.status.as_deref().unwrap_or("").to_ascii_lowercase()
        ),
        _ => String::new(),
    }
}
fn address(d: &Data, id: NodeId) -> String {
    match &d.graph.node(id).data {
        NodeData::Instance(i) => match (i.private_ip, i.public_ip) {
            (Some(p), Some(q)) => format!("{p} / {q}"),
            (Some(p), None) => p.to_string(),
            _ => String::new(),
        },
        NodeData::NetworkInterface(e) => {
            let public: Vec<String> = e.public_ips().map(|p| p.to_string()).collect();
            match (e.primary_private_ip(), public.is_empty()) {
                (Some(p), true) => p.to_string(),
                (Some(p), false) => format!("{p} / {}", public.join(",")),
                _ => String::new(),
            }
        }
        NodeData::LoadBalancer(l) => l.dns_name.clone().unwrap_or_default(),
        _ => String::new(),
    }
}
fn finding_severity(d: &Data, id: NodeId) -> String {
    match &d.graph.node(id).data {
        NodeData::GuardDutyFinding(f) => format!(
            "{} {:.1}",
            f.severity_band().label().to_uppercase(),
            f.severity
        ),
        _ => String::new(),
    }
}
fn finding_severity_key(d: &Data, id: NodeId) -> SortKey {
    match &d.graph.node(id).data {
        NodeData::GuardDutyFinding(f) => SortKey::Number((f.severity * 10.0) as i64),
        _ => SortKey::Number(0),
    }
}
fn finding_type(d: &Data, id: NodeId) -> String {
    match &d.graph.node(id).data {
        NodeData::GuardDutyFinding(f) => f.finding_type.clone(),
        _ => String::new(),
    }
}
fn finding_resource(d: &Data, id: NodeId) -> String {
    match &d.graph.node(id).data {
        NodeData::GuardDutyFinding(f) => {
            let target = f
                .instance_id
                .clone()
                .or(f.user_name.clone())
                .or(f.access_key_id.clone())
                .unwrap_or_default();
            match d
                .graph
                .by_id(&target)
                .and_then(|t| d.graph.node(t).name.clone())
            {
                Some(name) => format!("{name} ({target})"),
                None => target,
            }
        }
        _ => String::new(),
    }
}
fn finding_updated(d: &Data, id: NodeId) -> String {
    match &d.graph.node(id).data {
        NodeData::GuardDutyFinding(f) => f
            .updated_at
            .map(|t| t.format("%m-%d %H:%M").to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

macro_rules! col {
    ($title:literal, $w:literal, $v:expr) => {
        Column {
            title: $title,
            width: $w,
            flex: None,
            drop: 0,
            value: value($v),
            key: key(text_key($v)),
        }
    };
    ($title:literal, $w:literal, $v:expr, $k:expr) => {
        Column {
            title: $title,
            width: $w,
            flex: None,
            drop: 0,
            value: value($v),
            key: key($k),
        }
    };
}

/// The columns of a list, with what gives way on a narrow terminal: at
/// 80 columns every list keeps what tells its rows apart (the account, and
/// a finding's region and time).
pub fn columns(kind: ListKind) -> Vec<Column> {
    match kind {
        ListKind::Identity(view) => vec![
            col!(
                "SEVERITY",
                10,
                move |d, id| identity_severity(view, d, id),
                move |d, id| identity_severity_key(view, d, id)
            ),
            col!("NAME", 28, name).flex(16),
            col!("WHAT", 60, move |d, id| identity_title(view, d, id)).flex(24),
            col!("ACCOUNT", 12, account),
        ],
        ListKind::Check(check) => vec![
            col!(
                "STATUS",
                13,
                move |d, id| check_status(check, d, id),
                move |d, id| check_status_key(check, d, id)
            ),
            col!("NAME", 26, name).flex(16),
            col!("KIND", 16, kind_label).drop(2),
            col!("WHAT", 40, move |d, id| check_title(check, d, id)).flex(24),
            col!("ACCOUNT", 12, account),
            col!("REGION", 14, region).drop(3),
        ],
        ListKind::Exposed => vec![
            col!("EXPOSURE", 14, badge, badge_key),
            col!("NAME", 18, name).flex(16),
            col!("KIND", 12, kind_label).drop(2),
            col!("WAYS IN", 40, exposure_summary).flex(32),
            col!("ACCOUNT", 12, account),
            col!("REGION", 14, region).drop(3),
        ],
        ListKind::Findings => vec![
            col!("SEVERITY", 11, finding_severity, finding_severity_key),
            col!("TYPE", 30, finding_type).flex(16),
            col!("RESOURCE", 24, finding_resource).flex(12),
            col!("ACCOUNT", 12, account),
            col!("REGION", 10, region),
            col!("UPDATED", 11, finding_updated),
        ],
        ListKind::Kind(
            NodeKind::Instance | NodeKind::NetworkInterface | NodeKind::LoadBalancer,
        ) => vec![
            col!("EXPOSURE", 14, badge, badge_key),
            col!("NAME", 26, name).flex(18),
            // The side pane says the same of the selected row: the first
            // column to give way.
            col!("CHECKS", 14, checks_badge, checks_badge_key).drop(6),
            col!("ID", 20, ident).drop(1),
            col!("STATE", 15, state).drop(3),
            col!("ADDRESS", 24, address).drop(4),
            col!("ACCOUNT", 12, account),
            col!("REGION", 14, region).drop(5),
        ],
        ListKind::All => vec![
            col!("EXPOSURE", 14, badge, badge_key),
            col!("NAME", 28, name).flex(20),
            col!("KIND", 18, kind_label),
            col!("ID", 24, ident).drop(5),
            col!("ACCOUNT", 12, account),
            col!("REGION", 14, region).drop(4),
        ],
        // IAM is global and named by its ARN's last part: what it allows
        // or trusts gets the room.
        ListKind::Kind(NodeKind::IamRole | NodeKind::IamUser) => vec![
            col!("ACCESS", 16, iam_badge, iam_badge_key),
            col!("NAME", 28, name).flex(20),
            col!("INFO", 60, state).flex(24),
            col!("ACCOUNT", 12, account),
        ],
        ListKind::Kind(NodeKind::IamGroup | NodeKind::IamPolicy | NodeKind::InstanceProfile) => {
            vec![
                col!("NAME", 28, name).flex(20),
                col!("INFO", 60, state).flex(24),
                col!("ACCOUNT", 12, account),
            ]
        }
        ListKind::Kind(_) => vec![
            col!("CHECKS", 14, checks_badge, checks_badge_key),
            col!("NAME", 24, name).flex(20),
            col!("ID", 21, ident).drop(5),
            col!("INFO", 40, state).flex(20).drop(2),
            col!("ACCOUNT", 12, account),
            col!("REGION", 14, region).drop(4),
        ],
    }
}

/// Which resources a scope keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub account: Option<String>,
    pub region: Option<String>,
}

impl Scope {
    pub fn keeps(&self, d: &Data, id: NodeId) -> bool {
        let n = d.graph.node(id);
        self.account.as_ref().is_none_or(|a| &n.account == a)
            && self
                .region
                .as_ref()
                .is_none_or(|r| n.region.is_none() || n.region.as_ref() == Some(r))
    }

    pub fn label(&self, d: &Data) -> (String, String) {
        let account = match &self.account {
            Some(a) => account_with_name(&d.graph, a),
            None => "all".to_string(),
        };
        (
            account,
            self.region.clone().unwrap_or_else(|| "all".to_string()),
        )
    }
}

#[derive(Debug, Clone)]
pub struct ListView {
    pub kind: ListKind,
    pub rows: Vec<NodeId>,
    pub filter: String,
    /// A background sort is under way.
    pub sorting: bool,
    /// The filter and scope `rows` were computed for.
    filtered_by: Option<String>,
    scope_seen: Option<Scope>,
    /// Rows of this kind the scope leaves out (the filter aside).
    pub outside_scope: usize,
    pub sort: usize,
    pub reverse: bool,
    pub selected: usize,
    pub offset: usize,
}

impl ListView {
    pub fn new(d: &Data, kind: ListKind, scope: &Scope) -> ListView {
        let mut v = ListView {
            sorting: false,
            filtered_by: None,
            scope_seen: None,
            outside_scope: 0,
            kind,
            rows: Vec::new(),
            filter: String::new(),
            sort: 0,
            reverse: false,
            selected: 0,
            offset: 0,
        };
        // Exposure, findings and check lists come worst first; others by
        // name (their first column is the exposure or the checks).
        v.sort = match kind {
            ListKind::Kind(
                NodeKind::IamRole
                | NodeKind::IamUser
                | NodeKind::IamGroup
                | NodeKind::IamPolicy
                | NodeKind::InstanceProfile,
            ) => 0,
            ListKind::Kind(_) => 1,
            _ => 0,
        };
        v.refresh(d, scope);
        v
    }

    /// Recompute the rows: scope, filter, then sort.
    pub fn refresh(&mut self, d: &Data, scope: &Scope) {
        let base: Vec<NodeId> = match self.kind {
            ListKind::Kind(k) => d.graph.nodes_of(k).map(|(id, _)| id).collect(),
            ListKind::All => d
                .graph
                .nodes()
                .filter(|(_, n)| n.kind() != NodeKind::Region)
                .map(|(id, _)| id)
                .collect(),
            ListKind::Exposed => d.analysed().exposed_order.clone(),
            ListKind::Findings => d.findings.clone(),
            ListKind::Identity(view) => view.rows(d),
            ListKind::Check(check) => super::checks::resources(d, &[check]),
        };
        let cols = columns(self.kind);
        let needle = self.filter.to_lowercase();
        // A filter that extends the last one only searches what it kept.
        let narrows = matches!(&self.filtered_by, Some(prev)
            if !prev.is_empty()
                && needle.starts_with(prev.as_str())
                && self.scope_seen.as_ref() == Some(scope));
        let base: Vec<NodeId> = if narrows {
            std::mem::take(&mut self.rows)
        } else {
            let all = base.len();
            let kept: Vec<NodeId> = base.into_iter().filter(|id| scope.keeps(d, *id)).collect();
            self.outside_scope = all - kept.len();
            kept
        };
        let mut rows: Vec<NodeId> = base
            .into_iter()
            .filter(|id| {
                needle.is_empty()
                    || d.finder.text(*id).contains(&needle)
                    || (self.kind == ListKind::Exposed
                        && exposure_summary(d, *id).to_lowercase().contains(&needle))
            })
            .collect();
        let keep_order = matches!(
            self.kind,
            ListKind::Exposed | ListKind::Findings | ListKind::Identity(_) | ListKind::Check(_)
        ) && self.sort == 0
            && !self.reverse;
        if !keep_order {
            let col = &cols[self.sort.min(cols.len() - 1)];
            // Each key once, with its first bytes packed into a number so
            // that most comparisons never touch the strings.
            let mut keyed: Vec<(u64, SortKey, NodeId)> = rows
                .iter()
                .map(|id| {
                    let k = (col.key)(d, *id);
                    let prefix = match &k {
                        SortKey::Number(n) => (*n as u64) ^ (1 << 63),
                        SortKey::Text(t) => t
                            .bytes()
                            .chain(std::iter::repeat(0))
                            .take(8)
                            .fold(0u64, |acc, b| (acc << 8) | u64::from(b)),
                    };
                    (prefix, k, *id)
                })
                .collect();
            let numeric = keyed
                .first()
                .is_some_and(|k| matches!(k.1, SortKey::Number(_)));
            keyed.sort_unstable_by(|a, b| {
                let o =
                    a.0.cmp(&b.0)
                        .then_with(|| a.1.cmp(&b.1))
                        .then(a.2.cmp(&b.2));
                // Severity columns read worst first.
                let o = if numeric { o.reverse() } else { o };
                if self.reverse { o.reverse() } else { o }
            });
            rows = keyed.into_iter().map(|(_, _, id)| id).collect();
        }
        self.rows = rows;
        self.filtered_by = Some(needle);
        self.scope_seen = Some(scope.clone());
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    pub fn current(&self) -> Option<NodeId> {
        self.rows.get(self.selected).copied()
    }

    /// Forget the rows: the next refresh starts from every resource again
    /// (after the data changed).
    pub fn invalidate(&mut self) {
        self.filtered_by = None;
    }

    /// Keep the selection inside a window of `height` rows.
    pub fn scroll_to_selection(&mut self, height: usize) {
        let h = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + h {
            self.offset = self.selected + 1 - h;
        }
    }
}

/// A resource view's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Detail,
    Relations,
    Why,
    /// A user's or role's effective permissions, by service and level.
    Permissions,
    /// If it is compromised: what the attacker reaches from it.
    Blast,
    /// What to do now: the response steps, commands filled in.
    Respond,
}

impl Tab {
    pub const ALL: [Tab; 3] = [Tab::Detail, Tab::Relations, Tab::Why];
    const PRINCIPAL: [Tab; 5] = [
        Tab::Detail,
        Tab::Relations,
        Tab::Permissions,
        Tab::Blast,
        Tab::Respond,
    ];
    const COMPUTE: [Tab; 5] = [
        Tab::Detail,
        Tab::Relations,
        Tab::Why,
        Tab::Blast,
        Tab::Respond,
    ];
    const LOAD_BALANCER: [Tab; 4] = [Tab::Detail, Tab::Relations, Tab::Why, Tab::Blast];
    const CREDENTIAL: [Tab; 4] = [Tab::Detail, Tab::Relations, Tab::Blast, Tab::Respond];
    const BUCKET: [Tab; 3] = [Tab::Detail, Tab::Relations, Tab::Respond];

    /// The tabs a kind of resource has: "why exposed" only where the
    /// internet's reach means something (endpoints and the network parts
    /// around them), not on a policy, a user or an account; "permissions"
    /// on users and roles.
    pub fn of(kind: NodeKind) -> &'static [Tab] {
        match kind {
            NodeKind::IamUser | NodeKind::IamRole => return &Tab::PRINCIPAL,
            NodeKind::Instance | NodeKind::NetworkInterface => return &Tab::COMPUTE,
            NodeKind::LoadBalancer => return &Tab::LOAD_BALANCER,
            NodeKind::AccessKey | NodeKind::GuardDutyFinding => return &Tab::CREDENTIAL,
            NodeKind::Bucket => return &Tab::BUCKET,
            _ => {}
        }
        let network = !matches!(
            kind,
            NodeKind::Organization
                | NodeKind::OrganizationalUnit
                | NodeKind::ServiceControlPolicy
                | NodeKind::Account
                | NodeKind::Region
                | NodeKind::IamGroup
                | NodeKind::IamPolicy
                | NodeKind::InstanceProfile
                | NodeKind::AccessKey
                | NodeKind::GuardDutyDetector
                | NodeKind::GuardDutyFinding
                | NodeKind::Trail
                | NodeKind::ConfigRecorder
                | NodeKind::FlowLog
                | NodeKind::Bucket
                | NodeKind::KmsKey
                | NodeKind::Volume
        );
        if network { &Tab::ALL } else { &Tab::ALL[..2] }
    }

    pub fn title(self) -> &'static str {
        match self {
            Tab::Detail => "detail",
            Tab::Relations => "relationships",
            Tab::Why => "why exposed",
            Tab::Permissions => "permissions",
            Tab::Blast => "blast radius",
            Tab::Respond => "respond",
        }
    }
}

/// `a` on a user or role: `ACTION [RESOURCE] [KEY=VALUE]…`, decided as
/// `skyhound can` decides it, in its words, a blank line after.
pub fn ask_can(d: &Data, id: NodeId, text: &str) -> Result<Vec<String>, String> {
    let mut words = text.split_whitespace();
    let action = words
        .next()
        .filter(|a| a.contains(':'))
        .ok_or("ask as ACTION [RESOURCE] [KEY=VALUE]…, such as s3:GetObject arn:aws:s3:::b/k aws:MultiFactorAuthPresent=true")?;
    let mut resource = "*".to_string();
    let mut context = Vec::new();
    for (i, w) in words.enumerate() {
        match w.split_once('=') {
            Some((k, v)) if k.contains(':') && !w.starts_with("arn:") => {
                context.push((k.to_string(), v.to_string()));
            }
            _ if i == 0 => resource = w.to_string(),
            _ => return Err(format!("{w:?} is neither the resource nor KEY=VALUE")),
        }
    }
    let mut engine = crate::analysis::iam::Engine::new(&d.graph);
    let answer = engine.decide(&crate::analysis::iam::Request {
        principal: id,
        action,
        resource: &resource,
        context: &context,
    });
    let mut lines: Vec<String> = crate::report::can_text(&answer)
        .lines()
        .map(str::to_string)
        .collect();
    lines.push(String::new());
    Ok(lines)
}

/// The blast radius tab: what `skyhound blast-radius` says, as a tree
/// wrapped to `width`.
pub fn blast_tree(d: &Data, id: NodeId, width: usize) -> super::blast::BlastTree {
    let mut engine = crate::analysis::iam::Engine::new(&d.graph);
    let mut network = crate::analysis::blast::network::Search::new(&d.graph);
    let answer = crate::analysis::blast::blast_radius(
        &mut engine,
        &mut network,
        id,
        crate::analysis::blast::Limits::default(),
    )
    .map_err(|e| e.to_string());
    super::blast::BlastTree::new(&d.graph, answer, width)
}

/// The respond tab: `skyhound respond` in its words, sessions revoked as
/// of `now`.
pub fn respond_lines(d: &Data, id: NodeId, now: chrono::DateTime<chrono::Utc>) -> Vec<String> {
    let text = match crate::analysis::respond::respond(&d.graph, id, now) {
        Ok(p) => crate::report::respond_text(&p),
        Err(e) => e.to_string(),
    };
    text.lines().map(str::to_string).collect()
}

/// A principal's permissions as the tab shows them: services to open,
/// in the same words as `skyhound permissions`.
pub fn permissions_tree(d: &Data, id: NodeId) -> super::permissions::PermissionsTree {
    let mut engine = crate::analysis::iam::Engine::new(&d.graph);
    let found = engine.permissions(id);
    super::permissions::PermissionsTree::new(d.graph.node(id).display_name(), found)
}

/// One line of a resource's detail tab.
#[derive(Debug, Clone, PartialEq)]
pub enum DetailRow {
    Field {
        key: &'static str,
        value: String,
    },
    /// A way in or a failed check, in its severity's colour.
    Finding {
        key: &'static str,
        severity: Severity,
        text: String,
    },
    Blank,
    /// A line of the properties as pretty JSON.
    Json(String),
    /// A line of the statement the person came to see, highlighted.
    Marked(String),
    /// A statement behind a finding: `n` selects it, Enter opens it.
    Link {
        text: String,
        to: StatementLink,
    },
}

/// A statement to open: where its policy's document is, and its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLink {
    pub source: crate::analysis::iam::PolicySource,
    pub statement: usize,
}

/// The lines of the pretty JSON that are one statement of a document it
/// holds: the document found by value among the properties, its statement
/// replaced by a mark, and the mark's line is where the statement starts.
fn statement_lines(
    props: &serde_json::Value,
    document: &serde_json::Value,
    statement: usize,
) -> Option<std::ops::Range<usize>> {
    use serde_json::Value;
    fn find<'a>(v: &'a mut Value, doc: &Value) -> Option<&'a mut Value> {
        if v == doc {
            return Some(v);
        }
        match v {
            Value::Object(o) => o.values_mut().find_map(|x| find(x, doc)),
            Value::Array(a) => a.iter_mut().find_map(|x| find(x, doc)),
            _ => None,
        }
    }
    const MARK: &str = "\u{1}skyhound-statement\u{1}";
    let mut marked = props.clone();
    let doc = find(&mut marked, document)?;
    let st = match doc.get_mut("Statement")? {
        Value::Array(list) => list.get_mut(statement)?,
        one @ Value::Object(_) if statement == 0 => one,
        _ => return None,
    };
    let length = serde_json::to_string_pretty(st).ok()?.lines().count();
    *st = Value::String(MARK.into());
    let text = serde_json::to_string_pretty(&marked).ok()?;
    let written = serde_json::to_string(MARK).ok()?;
    let start = text.lines().position(|l| {
        let l = l.trim_start();
        l.strip_suffix(',').unwrap_or(l) == written
            || l.split_once(": ")
                .is_some_and(|(_, v)| v.strip_suffix(',').unwrap_or(v) == written)
    })?;
    Some(start..start + length)
}

/// What the detail tab shows: the common fields, every way in and failed
/// check, then the kind's properties as pretty JSON (policy documents
/// included).
pub fn detail_rows(d: &Data, id: NodeId, highlight: Option<&StatementLink>) -> Vec<DetailRow> {
    let n = d.graph.node(id);
    let field = |key, value: String| DetailRow::Field { key, value };
    let mut rows = vec![field("id", n.id.clone())];
    if let Some(name) = &n.name {
        rows.push(field("name", name.clone()));
    }
    if let Some(arn) = &n.arn {
        rows.push(field("arn", arn.clone()));
    }
    rows.push(field(
        "account",
        crate::labels::account_with_name(&d.graph, &n.account),
    ));
    rows.push(field(
        "region",
        n.region.clone().unwrap_or_else(|| "global".into()),
    ));
    for (k, v) in &n.tags {
        rows.push(field("tag", format!("{k} = {v}")));
    }
    if let Some(e) = d.exposure(id) {
        rows.push(DetailRow::Finding {
            key: "exposure",
            severity: e.severity,
            text: format!("OPEN {}: {} (w: why)", e.severity.label(), e.line()),
        });
    }
    for f in d.analysed().posture_of(id) {
        finding_with_evidence(f, "check", &mut rows);
    }
    identity_of_runner(d, id, &mut rows);
    if let NodeData::GuardDutyFinding(f) = &n.data {
        finding_rows(d, id, f, &mut rows);
    }
    if let NodeData::SecurityGroup(sg) = &n.data {
        rows.push(DetailRow::Blank);
        rows.push(DetailRow::Field {
            key: "rules",
            value: format!(
                "{:<9}{:<18}{:<28}DESCRIPTION",
                "WAY", "PROTOCOL PORTS", "SOURCE / DESTINATION"
            ),
        });
        for (way, rules) in [("inbound", &sg.ingress), ("outbound", &sg.egress)] {
            for r in rules.iter() {
                for (peer, description) in rule_peers(r) {
                    rows.push(DetailRow::Field {
                        key: "",
                        value: format!(
                            "{way:<9}{:<18}{peer:<28}{}",
                            r.describe_ports(),
                            description.unwrap_or_default()
                        ),
                    });
                }
            }
        }
    }
    rows.push(DetailRow::Blank);
    let props = serde_json::to_value(&n.data)
        .ok()
        .and_then(|v| v.as_object().and_then(|o| o.values().next().cloned()))
        .unwrap_or_default();
    let text = serde_json::to_string_pretty(&props).unwrap_or_default();
    let marked = highlight
        .filter(|h| h.source.node() == Some(id))
        .and_then(|h| {
            let doc = h.source.document(&d.graph)?;
            statement_lines(&props, doc, h.statement)
        })
        .unwrap_or_default();
    rows.extend(text.lines().enumerate().map(|(i, l)| {
        if marked.contains(&i) {
            DetailRow::Marked(l.to_string())
        } else {
            DetailRow::Json(l.to_string())
        }
    }));
    rows
}

/// Where the k-th statement link of a detail is, and what it opens.
pub fn detail_link(rows: &[DetailRow], k: usize) -> Option<(usize, &StatementLink)> {
    rows.iter()
        .enumerate()
        .filter_map(|(i, r)| match r {
            DetailRow::Link { to, .. } => Some((i, to)),
            _ => None,
        })
        .nth(k)
}

/// How many statement links a detail has.
pub fn detail_links(rows: &[DetailRow]) -> usize {
    rows.iter()
        .filter(|r| matches!(r, DetailRow::Link { .. }))
        .count()
}

/// The first highlighted line of a detail.
pub fn detail_marked(rows: &[DetailRow]) -> Option<usize> {
    rows.iter().position(|r| matches!(r, DetailRow::Marked(_)))
}

/// How wide a finding's evidence and fix are wrapped: whole on an 80-column
/// terminal, past the detail's key column and indent.
const FINDING_TEXT_WIDTH: usize = 64;

/// A failed check and, under it, the evidence that makes it so (the
/// statements, the steps of an escalation).
fn finding_with_evidence(
    f: &crate::analysis::Finding,
    key: &'static str,
    rows: &mut Vec<DetailRow>,
) {
    rows.push(DetailRow::Finding {
        key,
        severity: f.severity,
        text: format!("FAIL {} {}: {}", f.severity.label(), f.check, f.title),
    });
    for e in &f.evidence {
        let text = format!("  {}", e.describe());
        match e {
            crate::analysis::finding::Evidence::Statement {
                source: Some(source),
                statement,
                ..
            } if source.node().is_some() => rows.push(DetailRow::Link {
                text,
                to: StatementLink {
                    source: source.clone(),
                    statement: *statement,
                },
            }),
            // Long evidence in lines a narrow terminal shows whole.
            _ => {
                for (i, line) in crate::text::wrap(&e.describe(), FINDING_TEXT_WIDTH)
                    .into_iter()
                    .enumerate()
                {
                    rows.push(DetailRow::Field {
                        key: "",
                        value: format!("{}{line}", if i == 0 { "  " } else { "    " }),
                    });
                }
            }
        }
    }
    // The fix in lines a narrow terminal shows whole; commands stay whole
    // so that they copy as they are.
    for (i, line) in crate::text::wrap(&f.remediation.text, FINDING_TEXT_WIDTH)
        .into_iter()
        .enumerate()
    {
        let lead = if i == 0 { "  fix: " } else { "       " };
        rows.push(DetailRow::Field {
            key: "",
            value: format!("{lead}{line}"),
        });
    }
    for c in &f.remediation.commands {
        rows.push(DetailRow::Field {
            key: "",
            value: format!("    $ {c}"),
        });
    }
}

/// The credentials a resource runs with: an instance's role, an access
/// key's user. What they can do is the responder's first question, so
/// their admin and escalation findings show here too.
fn identity_of_runner(d: &Data, id: NodeId, rows: &mut Vec<DetailRow>) {
    use crate::graph::Direction;
    use crate::model::EdgeKind;
    let g = &d.graph;
    let principals: Vec<NodeId> = match g.node(id).kind() {
        NodeKind::Instance => g
            .neighbours(id, EdgeKind::UsesInstanceProfile, Direction::Outgoing)
            .flat_map(|p| g.neighbours(p, EdgeKind::HasRole, Direction::Outgoing))
            .collect(),
        NodeKind::AccessKey => g
            .neighbours(id, EdgeKind::HasAccessKey, Direction::Incoming)
            .collect(),
        _ => return,
    };
    for p in principals {
        let n = g.node(p);
        let what = if n.kind() == NodeKind::IamRole {
            "role"
        } else {
            "user"
        };
        rows.push(DetailRow::Blank);
        let access = iam_badge(d, p);
        rows.push(DetailRow::Field {
            key: what,
            value: format!(
                "{} {}",
                n.display_name(),
                if !d.identity_analysed() {
                    "(analysing what it can do…)".to_string()
                } else if access.is_empty() {
                    "(not admin, cannot become admin)".to_string()
                } else {
                    access
                }
            ),
        });
        let identity: Vec<&crate::analysis::Finding> = d
            .analysed()
            .posture_of(p)
            .filter(|f| f.check.starts_with("iam."))
            .collect();
        for f in identity {
            finding_with_evidence(f, what, rows);
        }
    }
}

/// A GuardDuty finding as its console shows it: what, how bad, what was
/// seen and from where, how often and when, and what it is about.
fn finding_rows(
    d: &Data,
    id: NodeId,
    f: &crate::model::GuardDutyFinding,
    rows: &mut Vec<DetailRow>,
) {
    let field = |key, value: String| DetailRow::Field { key, value };
    rows.push(DetailRow::Blank);
    rows.push(field("type", f.finding_type.clone()));
    rows.push(DetailRow::Finding {
        key: "severity",
        severity: f.severity_band(),
        text: format!(
            "{} {:.1}",
            f.severity_band().label().to_uppercase(),
            f.severity
        ),
    });
    if let Some(t) = &f.description {
        rows.push(field("what", t.clone()));
    }
    if let Some(a) = &f.action {
        let kind = match a.action_type.as_str() {
            "AWS_API_CALL" => "an AWS API call",
            "NETWORK_CONNECTION" => "a network connection",
            "PORT_PROBE" => "a port probe",
            "DNS_REQUEST" => "a DNS request",
            other => other,
        };
        rows.push(field("saw", kind.to_string()));
        if let Some(api) = &a.api {
            let service = a
                .service_name
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            rows.push(field("api", format!("{api}{service}")));
        }
        if !a.local_ports.is_empty() {
            let ports: Vec<String> = a.local_ports.iter().map(ToString::to_string).collect();
            let how = [a.direction.as_deref(), a.protocol.as_deref()]
                .into_iter()
                .flatten()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
                .join(" ");
            rows.push(field(
                "ports",
                format!(
                    "{}{}",
                    ports.join(", "),
                    if how.is_empty() {
                        String::new()
                    } else {
                        format!(" ({how})")
                    }
                ),
            ));
        }
        if let Some(domain) = &a.domain {
            rows.push(field("domain", domain.clone()));
        }
        if let Some(ip) = a.remote_ip {
            let whose = [a.remote_org.as_deref(), a.remote_country.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            rows.push(field(
                "from",
                if whose.is_empty() {
                    ip.to_string()
                } else {
                    format!("{ip} ({whose})")
                },
            ));
        }
    }
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "unknown".into())
    };
    rows.push(field(
        "seen",
        format!(
            "{} times, first {}, last {}",
            f.count.map(|c| c.to_string()).unwrap_or_else(|| "?".into()),
            when(f.first_seen.or(f.created_at)),
            when(f.last_seen.or(f.updated_at))
        ),
    ));
    let affected = d
        .graph
        .outgoing(id)
        .find(|e| e.kind == crate::model::EdgeKind::FindingAffects)
        .map(|e| d.graph.node(e.to));
    rows.push(field(
        "affects",
        match affected {
            Some(r) => format!("{} {} (Enter opens it)", r.kind().label(), r.display_name()),
            None => f
                .instance_id
                .clone()
                .or_else(|| f.user_name.clone())
                .map(|x| format!("{x} (not in the data)"))
                .unwrap_or_else(|| "not named".into()),
        },
    ));
    if f.archived {
        rows.push(field("archived", "yes".into()));
    }
}

/// Each source (or destination) of a rule, with its description, as the
/// console lists them: one line per CIDR, prefix list or group.
fn rule_peers(r: &crate::model::network::SgRule) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    out.extend(
        r.ipv4
            .iter()
            .map(|c| (c.cidr.to_string(), c.description.clone())),
    );
    out.extend(
        r.ipv6
            .iter()
            .map(|c| (c.cidr.to_string(), c.description.clone())),
    );
    out.extend(
        r.prefix_lists
            .iter()
            .map(|p| (p.prefix_list_id.clone(), p.description.clone())),
    );
    out.extend(r.groups.iter().map(|g| {
        let who = match &g.user_id {
            Some(u) => format!("{} ({u})", g.group_id),
            None => g.group_id.clone(),
        };
        (who, g.description.clone())
    }));
    if out.is_empty() {
        out.push(("(none)".into(), None));
    }
    out
}

/// One line of the relationships view: a group heading, or a neighbour.
#[derive(Debug, Clone)]
pub enum RelRow {
    Group(String),
    Item { node: NodeId, text: String },
}

/// What a line of the why view is, for colour and words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhyTone {
    Heading,
    Open(Severity),
    Blocked,
    Hop,
    BlockingHop,
    Note,
}

#[derive(Debug, Clone)]
pub struct WhyLine {
    pub depth: u8,
    pub tone: WhyTone,
    pub text: String,
    /// The component a hop names, which Enter opens.
    pub target: Option<NodeId>,
}

/// A question asked in the why view.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub protocol: Protocol,
    pub port: u16,
    pub source: Option<IpAddr>,
}

impl Question {
    /// `tcp 22`, `udp 53 198.51.100.7`, `443` (tcp), `icmp 8`.
    pub fn parse(text: &str) -> Result<Question, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let (protocol, rest) = match words.first() {
            Some(w) if w.parse::<u16>().is_ok() => (Protocol::Tcp, &words[..]),
            Some(w) => (
                w.parse::<Protocol>().map_err(|e| e.to_string())?,
                &words[1..],
            ),
            None => return Err("ask as: PROTOCOL PORT [SOURCE], e.g. tcp 22 198.51.100.7".into()),
        };
        let port = rest
            .first()
            .ok_or("a port (or ICMP type) is needed")?
            .parse::<u16>()
            .map_err(|_| format!("{:?} is not a port", rest[0]))?;
        let source = rest
            .get(1)
            .map(|s| {
                s.parse::<IpAddr>()
                    .map_err(|_| format!("{s:?} is not an IP address"))
            })
            .transpose()?;
        if protocol == Protocol::All {
            return Err("ask about one protocol: tcp, udp, icmp, icmpv6 or a number".into());
        }
        Ok(Question {
            protocol,
            port,
            source,
        })
    }
}

#[derive(Debug, Clone)]
pub struct ResourceView {
    pub node: NodeId,
    pub tab: Tab,
    pub scroll: usize,
    pub relations: Vec<RelRow>,
    pub rel_selected: usize,
    pub why: Vec<WhyLine>,
    /// The why view's cursor: Enter opens the component its hop names.
    pub why_selected: usize,
    pub question: Option<Question>,
    /// The explanations behind the why view, for export.
    pub answers: Vec<Explanation>,
    /// The permissions tab, worked out when it is first shown.
    pub permissions: Option<super::permissions::PermissionsTree>,
    /// The answer to the last `a` (can it …?), shown above them.
    pub asked: Vec<String>,
    /// The statement link `n` selected in the detail (the k-th).
    pub link: Option<usize>,
    /// The statement this view was opened to show.
    pub highlight: Option<StatementLink>,
    /// The blast radius and the response steps, as their tabs show them:
    /// worked out when first shown.
    pub blast: Option<Box<super::blast::BlastTree>>,
    pub respond: Option<Vec<String>>,
}

impl ResourceView {
    pub fn new(d: &Data, node: NodeId, tab: Tab) -> ResourceView {
        let mut v = ResourceView {
            node,
            tab,
            scroll: 0,
            relations: relation_rows(d, node),
            rel_selected: 0,
            why: Vec::new(),
            why_selected: 0,
            question: None,
            answers: Vec::new(),
            permissions: None,
            asked: Vec::new(),
            link: None,
            highlight: None,
            blast: None,
            respond: None,
        };
        v.rel_selected = v
            .relations
            .iter()
            .position(|r| matches!(r, RelRow::Item { .. }))
            .unwrap_or(0);
        v.compute_why(d);
        v
    }

    pub fn compute_why(&mut self, d: &Data) {
        let (lines, answers) = why_lines(d, self.node, self.question.as_ref());
        self.why = lines;
        self.answers = answers;
        self.why_selected = self.why_selected.min(self.why.len().saturating_sub(1));
    }

    /// The component under the why view's cursor.
    pub fn selected_hop(&self) -> Option<NodeId> {
        self.why.get(self.why_selected).and_then(|w| w.target)
    }

    pub fn selected_relation(&self) -> Option<NodeId> {
        match self.relations.get(self.rel_selected) {
            Some(RelRow::Item { node, .. }) => Some(*node),
            _ => None,
        }
    }

    /// Move the relationship selection, skipping group headings.
    pub fn move_relation(&mut self, delta: isize) {
        let items: Vec<usize> = self
            .relations
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, RelRow::Item { .. }))
            .map(|(i, _)| i)
            .collect();
        if items.is_empty() {
            return;
        }
        let pos = items
            .iter()
            .position(|i| *i == self.rel_selected)
            .unwrap_or(0) as isize;
        let next = (pos + delta).clamp(0, items.len() as isize - 1) as usize;
        self.rel_selected = items[next];
    }
}

/// Neighbours grouped by relationship, outgoing first.
pub fn relation_rows(d: &Data, node: NodeId) -> Vec<RelRow> {
    let mut rows = Vec::new();
    let mut current = String::new();
    for r in relations(&d.graph, node) {
        let group = format!(
            "{} {}",
            if r.direction == "outgoing" {
                "→"
            } else {
                "←"
            },
            r.label
        );
        if group != current {
            rows.push(RelRow::Group(group.clone()));
            current = group;
        }
        let Some(id) = d.graph.by_id(&r.id) else {
            continue;
        };
        let name = r
            .name
            .as_deref()
            .map(|n| format!("{n}  "))
            .unwrap_or_default();
        let detail = r
            .detail
            .as_deref()
            .map(|x| format!("  [{x}]"))
            .unwrap_or_default();
        let flag = d
            .exposure(id)
            .map(|e| format!("  OPEN {}", e.severity.label()))
            .unwrap_or_default();
        rows.push(RelRow::Item {
            node: id,
            text: format!("{name}{} {}{detail}{flag}", r.kind.label(), r.id),
        });
    }
    rows
}

/// The resource a hop is about (the first, when a hop names several).
fn hop_target(d: &Data, h: &Hop) -> Option<NodeId> {
    h.id.split(',').find_map(|id| d.graph.by_id(id.trim()))
}

fn hop_text(h: &Hop) -> String {
    format!("{} {}: {}", h.kind.label(), short_id(&h.id), h.detail)
}

/// The why view: every exposure as a tree of hops, then the ports its
/// rules open that do not get through, with what blocks each; or the
/// answer to one question.
pub fn why_lines(
    d: &Data,
    node: NodeId,
    question: Option<&Question>,
) -> (Vec<WhyLine>, Vec<Explanation>) {
    let mut out = Vec::new();
    let n = d.graph.node(node);
    let endpoint = matches!(
        n.kind(),
        NodeKind::Instance
            | NodeKind::NetworkInterface
            | NodeKind::LoadBalancer
            | NodeKind::DbInstance
    );
    if !endpoint {
        // Other kinds: the exposed resources they lead to.
        let neighbours: Vec<NodeId> = d
            .graph
            .outgoing(node)
            .map(|e| e.to)
            .chain(d.graph.incoming(node).map(|e| e.from))
            .filter(|x| d.exposure(*x).is_some())
            .collect();
        out.push(WhyLine { depth: 0, tone: WhyTone::Heading, text: format!("{} is not a network endpoint; exposure is answered for instances, interfaces, databases and load balancers", n.kind()), target: None });
        for (x, e) in neighbours
            .into_iter()
            .filter_map(|x| d.exposure(x).map(|e| (x, e)))
        {
            out.push(WhyLine {
                depth: 1,
                tone: WhyTone::Open(e.severity),
                text: format!(
                    "related {} {}: {}",
                    d.graph.node(x).kind(),
                    d.graph.node(x).display_name(),
                    e.line()
                ),
                target: None,
            });
        }
        return (out, Vec::new());
    }
    let answers = match question {
        Some(q) => match explain(&d.graph, node, q.protocol, q.port, q.source) {
            Ok(a) => vec![a],
            Err(e) => {
                out.push(WhyLine {
                    depth: 0,
                    tone: WhyTone::Note,
                    text: e.to_string(),
                    target: None,
                });
                Vec::new()
            }
        },
        None => {
            // Open first: every exposure with its path.
            if let Some(e) = d.exposure(node) {
                out.push(WhyLine {
                    depth: 0,
                    tone: WhyTone::Heading,
                    text: format!(
                        "OPEN to the internet: {} way{} in",
                        e.count,
                        if e.count == 1 { "" } else { "s" }
                    ),
                    target: None,
                });
                for x in d.analysed().exposures_of(node) {
                    let severity = internet::severity(x);
                    out.push(WhyLine {
                        depth: 1,
                        tone: WhyTone::Open(severity),
                        text: format!(
                            "[{}] {} open to {} {}",
                            severity.label().to_uppercase(),
                            x.service(),
                            x.sources_label(),
                            crate::labels::via(&d.graph, x)
                        ),
                        target: None,
                    });
                    for h in &x.path {
                        out.push(WhyLine {
                            depth: 2,
                            tone: WhyTone::Hop,
                            text: hop_text(h),
                            target: hop_target(d, h),
                        });
                    }
                }
            } else {
                out.push(WhyLine {
                    depth: 0,
                    tone: WhyTone::Heading,
                    text: "NOT EXPOSED: nothing from the internet gets through".into(),
                    target: None,
                });
            }
            explain_all(&d.graph, node, None)
                .unwrap_or_default()
                .into_iter()
                .filter(|a| !a.reachable)
                .collect()
        }
    };
    if question.is_none() && !answers.is_empty() {
        out.push(WhyLine {
            depth: 0,
            tone: WhyTone::Heading,
            text: "BLOCKED: ports its rules open that the internet cannot reach".into(),
            target: None,
        });
    }
    for a in &answers {
        let from = a.source.map(|s| format!(" from {s}")).unwrap_or_default();
        if a.reachable {
            out.push(WhyLine {
                depth: 1,
                tone: WhyTone::Open(Severity::High),
                text: format!(
                    "{}{from}: {}",
                    crate::labels::ports_asked(a),
                    crate::labels::reach_verdict(&d.graph, a)
                ),
                target: None,
            });
            for h in &a.path {
                out.push(WhyLine {
                    depth: 2,
                    tone: WhyTone::Hop,
                    text: hop_text(h),
                    target: hop_target(d, h),
                });
            }
        } else {
            out.push(WhyLine {
                depth: 1,
                tone: WhyTone::Blocked,
                text: format!("{}{from}: BLOCKED by", crate::labels::ports_asked(a)),
                target: None,
            });
            for h in &a.blocked_by {
                out.push(WhyLine {
                    depth: 2,
                    tone: WhyTone::BlockingHop,
                    text: hop_text(h),
                    target: hop_target(d, h),
                });
            }
        }
    }
    let lateral = crate::analysis::lateral::lateral(&d.graph, node);
    if !lateral.is_empty() {
        out.push(WhyLine {
            depth: 0,
            tone: WhyTone::Heading,
            text: "REACHABLE FROM INSIDE".into(),
            target: None,
        });
        for l in lateral {
            let members = if l.members.is_empty() {
                String::new()
            } else {
                format!(" ({})", crate::labels::plural(l.members.len(), "member"))
            };
            out.push(WhyLine {
                depth: 1,
                tone: WhyTone::Note,
                text: format!(
                    "{} from {} {} in {}{members}",
                    l.ports, l.source_kind, l.source, l.scope
                ),
                target: None,
            });
        }
    }
    (out, answers)
}
