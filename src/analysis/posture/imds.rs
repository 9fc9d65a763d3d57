//! `ec2.imdsv2`: an instance whose metadata service still answers IMDSv1
//! (no session token) hands its role's credentials to anything that can
//! make it fetch a URL (SSRF).

use crate::analysis::checks::{Check, Cis, Epic};
use crate::analysis::finding::{Evidence, Finding, Remediation, Status};
use crate::graph::Graph;
use crate::model::{NodeData, NodeKind, Severity};

pub const CHECK: Check = Check {
    id: "ec2.imdsv2",
    badge: Some("IMDSV1"),
    title: "Instance allows IMDSv1",
    severity: Severity::Medium,
    epic: Epic::InfrastructureSecurity,
    cis: Cis::v3_only("5.6"),
    description: "the instance metadata service accepts requests without a session token (HttpTokens optional), so an SSRF can read the instance role's credentials (CIS 5.6)",
};

pub fn findings(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in graph.nodes_of(NodeKind::Instance) {
        let NodeData::Instance(i) = &n.data else {
            continue;
        };
        if i.state.as_deref() == Some("terminated") {
            continue;
        }
        let m = &i.metadata_options;
        let tokens = Evidence::property(
            &n.id,
            "metadata_options.http_tokens",
            m.http_tokens.as_deref().unwrap_or("not collected"),
        );
        if m.http_endpoint.as_deref() == Some("disabled") {
            out.push(Finding::passed(
                &CHECK,
                (id, n),
                "metadata service disabled",
                vec![Evidence::property(
                    &n.id,
                    "metadata_options.http_endpoint",
                    "disabled",
                )],
            ));
            continue;
        }
        let (status, title) = match m.http_tokens.as_deref() {
            Some("required") => {
                out.push(Finding::passed(
                    &CHECK,
                    (id, n),
                    "IMDSv2 required",
                    vec![tokens],
                ));
                continue;
            }
            Some(_) => (Status::Fail, "IMDSv1 allowed (http tokens optional)"),
            None => (
                Status::Unknown,
                "metadata options not collected: IMDSv1 may be allowed",
            ),
        };
        let region = super::account::region_flag(n);
        out.push(Finding::on(
            &CHECK,
            status,
            (id, n),
            title,
            vec![tokens],
            Remediation::new(                "Require IMDSv2 session tokens (check first that the software on the instance uses an SDK or agent recent enough to send them)",
            )
            .with_command(format!(
                "aws ec2 modify-instance-metadata-options --instance-id {} --http-tokens required --http-endpoint enabled{region}",
                n.id
            )),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Graph;
    use crate::model::{Instance, MetadataOptions, Node};

    fn instance(id: &str, tokens: Option<&str>, endpoint: Option<&str>, state: &str) -> Node {
        Node::new(
            id,
            "111122223333",
            NodeData::Instance(Instance {
                state: Some(state.into()),
                metadata_options: MetadataOptions {
                    http_tokens: tokens.map(str::to_string),
                    http_endpoint: endpoint.map(str::to_string),
                    hop_limit: None,
                },
                ..Instance::default()
            }),
        )
        .in_region("us-east-1")
    }

    #[test]
    fn fails_on_optional_tokens_and_is_unknown_when_not_collected() {
        let g = Graph::build(
            vec![
                instance("i-v1", Some("optional"), Some("enabled"), "running"),
                instance("i-v2", Some("required"), Some("enabled"), "running"),
                instance("i-off", Some("optional"), Some("disabled"), "running"),
                instance("i-gone", Some("optional"), None, "terminated"),
                instance("i-unread", None, None, "running"),
            ],
            Default::default(),
        );
        let found = findings(&g);
        let status = |id: &str| found.iter().find(|f| f.resource == id).map(|f| f.status);
        assert_eq!(status("i-v1"), Some(Status::Fail));
        assert_eq!(status("i-unread"), Some(Status::Unknown));
        assert_eq!(status("i-v2"), Some(Status::Pass));
        assert_eq!(
            status("i-off"),
            Some(Status::Pass),
            "no metadata service, nothing to steal"
        );
        assert_eq!(status("i-gone"), None);
        let v1 = found.iter().find(|f| f.resource == "i-v1").expect("i-v1");
        assert!(v1.remediation.commands[0].contains("--instance-id i-v1 --http-tokens required"));
        assert!(v1.remediation.commands[0].ends_with("--region us-east-1"));
    }
}
