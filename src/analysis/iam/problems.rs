//! Policies skyhound cannot read whole: a document that does not parse, a
//! statement with a wrong type or an unknown element, an action that does
//! not exist. The rest of the policy is still evaluated; what could not be
//! read counts as conditional, never as a silent allow or deny — and a
//! Deny with a misspelt action protects nothing, so people are told.

use super::evaluate::read_document;
use crate::analysis::checks::{Check, Cis, Epic};
use crate::analysis::finding::{Evidence, Finding, Remediation, Status};
use crate::graph::Graph;
use crate::model::{Answer, NodeData, Severity};

pub const POLICY_PROBLEM: Check = Check {
    id: "iam.policy-problem",
    badge: Some("POLICY PROBLEM"),
    title: "Policy skyhound cannot read whole",
    severity: Severity::Low,
    epic: Epic::IdentityAndAccess,
    cis: Cis::NONE,
    description: "a customer managed, inline, trust, bucket, key or service control policy with a statement that does not parse, a wrong type, or an action that does not exist: that statement allows or denies nothing in AWS, and skyhound's answers treat it as conditional",
};

/// The policy documents a resource holds, by name: a managed policy's
/// default version, a principal's inline policies and trust policy, a
/// bucket's, key's or SCP's policy. AWS's own policies are left out: no
/// one can change them.
fn documents(data: &NodeData) -> Vec<(String, &serde_json::Value)> {
    fn answer<'a>(
        a: &'a Option<Answer<crate::model::policy::PolicyDocument>>,
        what: &str,
    ) -> Vec<(String, &'a serde_json::Value)> {
        match a {
            Some(Answer::Value(d)) => vec![(what.to_string(), &d.0)],
            _ => Vec::new(),
        }
    }
    fn inline(list: &[crate::model::InlinePolicy]) -> Vec<(String, &serde_json::Value)> {
        list.iter()
            .map(|p| (format!("inline policy {}", p.name), &p.document.0))
            .collect()
    }
    match data {
        NodeData::IamPolicy(p) if !p.aws_managed => p
            .document
            .iter()
            .map(|d| ("default version".to_string(), &d.0))
            .collect(),
        NodeData::ServiceControlPolicy(p) if !p.aws_managed => p
            .document
            .iter()
            .map(|d| ("policy".to_string(), &d.0))
            .collect(),
        NodeData::IamUser(u) => inline(&u.inline_policies),
        NodeData::IamGroup(g) => inline(&g.inline_policies),
        NodeData::IamRole(r) => {
            let mut all = inline(&r.inline_policies);
            all.push(("trust policy".to_string(), &r.trust_policy.0));
            all
        }
        NodeData::Bucket(b) => answer(&b.policy, "bucket policy"),
        NodeData::KmsKey(k) => answer(&k.policy, "key policy"),
        _ => Vec::new(),
    }
}

pub fn findings(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in graph.nodes() {
        let docs = documents(&n.data);
        if docs.is_empty() {
            continue;
        }
        let mut evidence = Vec::new();
        for (what, doc) in &docs {
            let (_, problems) = read_document(doc);
            evidence.extend(
                problems
                    .into_iter()
                    .map(|p| Evidence::property(what.as_str(), "problem", p)),
            );
        }
        if evidence.is_empty() {
            out.push(Finding::passed(
                &POLICY_PROBLEM,
                (id, n),
                format!(
                    "{} read whole",
                    crate::labels::plural(docs.len(), "policy document")
                ),
                Vec::new(),
            ));
            continue;
        }
        out.push(Finding::on(
            &POLICY_PROBLEM,
            Status::Fail,
            (id, n),
            format!(
                "{}: part of what it says counts for nothing",
                crate::labels::plural(evidence.len(), "policy problem")
            ),
            evidence,
            Remediation::new(
                "Correct the statements named (IAM Access Analyzer's policy validation names the same errors), then check that what they were meant to allow or deny now holds",
            )
            .with_command("aws accessanalyzer validate-policy --policy-type IDENTITY_POLICY --policy-document file://policy.json"),
        ));
    }
    out
}
