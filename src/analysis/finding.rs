//! The one shape every analysis answers in: a finding names the check, how
//! bad it is, the resource, a title in the user's words, the evidence that
//! makes it so, and what to change.

use serde::Serialize;

use super::hops::{Hop, HopKind};
use crate::graph::NodeId;
use crate::model::Severity;

/// What a person should do about a finding: in words, and the AWS CLI
/// command where one exists (printed for a person to run; skyhound never
/// runs it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remediation {
    pub text: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<String>,
}

impl Remediation {
    pub fn new(text: impl Into<String>) -> Remediation {
        Remediation {
            text: text.into(),
            commands: Vec::new(),
        }
    }

    pub fn with_command(mut self, command: impl Into<String>) -> Remediation {
        self.commands.push(command.into());
        self
    }
}

/// Allow or Deny, as a policy statement says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// One piece of proof behind a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Evidence {
    /// A network component on the path: gateway, route, address, network
    /// ACL entry, security group rule, load balancer, listener.
    Network {
        component: HopKind,
        id: String,
        detail: String,
        /// Not collected, assumed to let traffic through.
        assumed: bool,
    },
    /// A policy statement: the managed policy's ARN or the inline policy's
    /// name with its owner, the statement's 0-based index, its Sid and
    /// effect, and the pattern that matched.
    Statement {
        policy: String,
        /// Where the document is in the graph, for the explorer.
        #[serde(skip)]
        source: Option<crate::analysis::iam::PolicySource>,
        #[serde(skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
        statement: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        sid: Option<String>,
        effect: Effect,
        matched: String,
    },
    /// A property of the resource as collected (`metadata_options.http_tokens
    /// = optional`), or that it was not collected.
    Property {
        resource: String,
        field: String,
        value: String,
    },
}

impl Evidence {
    pub fn property(
        resource: impl Into<String>,
        field: impl Into<String>,
        value: impl Into<String>,
    ) -> Evidence {
        Evidence::Property {
            resource: resource.into(),
            field: field.into(),
            value: value.into(),
        }
    }

    /// One line for people: "security-group sg-1: tcp 22 from 0.0.0.0/0".
    pub fn describe(&self) -> String {
        match self {
            Evidence::Network {
                component,
                id,
                detail,
                ..
            } => format!("{} {id}: {detail}", component.label()),
            Evidence::Statement {
                policy,
                owner,
                statement,
                sid,
                effect,
                matched,
                ..
            } => {
                let owner = owner
                    .as_deref()
                    .map(|o| format!(" of {o}"))
                    .unwrap_or_default();
                let sid = sid
                    .as_deref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default();
                format!("{policy}{owner} statement {statement}{sid}: {effect:?} {matched}")
            }
            Evidence::Property {
                resource,
                field,
                value,
            } => format!("{resource} {field} = {value}"),
        }
    }
}

impl From<&Hop> for Evidence {
    fn from(h: &Hop) -> Evidence {
        Evidence::Network {
            component: h.kind,
            id: h.id.clone(),
            detail: h.detail.clone(),
            assumed: h.assumed,
        }
    }
}

/// Whether a check failed for the resource, could not be decided because
/// what it needs was not collected (never a silent pass), or passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Fail,
    Unknown,
    Pass,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::Pass => "pass",
        }
    }
}

impl std::str::FromStr for Status {
    type Err = String;

    fn from_str(text: &str) -> Result<Status, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "fail" | "failed" => Ok(Status::Fail),
            "unknown" => Ok(Status::Unknown),
            "pass" | "passed" => Ok(Status::Pass),
            _ => Err(format!(
                "no status {text:?}; the statuses are: fail, pass, unknown"
            )),
        }
    }
}

/// One result a person acts on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The check's id, as `skyhound checks --list` names it.
    pub check: &'static str,
    pub status: Status,
    pub severity: Severity,
    pub account: String,
    pub region: Option<String>,
    /// The resource's id, or its ARN where it has no shorter one.
    pub resource: String,
    /// The resource's Name tag or name, where it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip)]
    pub node: NodeId,
    pub title: String,
    /// A word or two for a list's badge column (`ADMIN`, `CAN BECOME
    /// ADMIN`), where the check gives one.
    #[serde(skip)]
    pub badge: Option<&'static str>,
    pub evidence: Vec<Evidence>,
    pub remediation: Remediation,
}

impl Finding {
    /// A pass on one resource, with the evidence that makes it one.
    pub fn passed(
        check: &crate::analysis::checks::Check,
        at: (NodeId, &crate::model::Node),
        title: impl Into<String>,
        evidence: Vec<Evidence>,
    ) -> Finding {
        Finding::on(
            check,
            Status::Pass,
            at,
            title,
            evidence,
            Remediation::new("nothing to do"),
        )
    }

    /// A finding on one resource: a failure or a pass has the check's
    /// severity; an unknown (what it needs was not collected) is low, and
    /// never a pass.
    pub fn on(
        check: &crate::analysis::checks::Check,
        status: Status,
        (id, n): (NodeId, &crate::model::Node),
        title: impl Into<String>,
        evidence: Vec<Evidence>,
        remediation: Remediation,
    ) -> Finding {
        Finding {
            check: check.id,
            status,
            severity: match status {
                Status::Fail | Status::Pass => check.severity,
                Status::Unknown => Severity::Low,
            },
            account: n.account.clone(),
            region: n.region.clone(),
            resource: n.id.clone(),
            name: n.name.clone(),
            node: id,
            title: title.into(),
            badge: check.badge.filter(|_| status == Status::Fail),
            evidence,
            remediation,
        }
    }
}
