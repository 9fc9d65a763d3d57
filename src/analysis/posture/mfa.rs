//! `iam.console-user-mfa`: a user who can sign in to the console with a
//! password alone.

use crate::analysis::checks::{Check, Cis, Epic};
use crate::analysis::finding::{Evidence, Finding, Remediation, Status};
use crate::graph::Graph;
use crate::model::{NodeData, NodeKind, Severity};

pub const CHECK: Check = Check {
    id: "iam.console-user-mfa",
    badge: Some("NO MFA"),
    title: "Console user without MFA",
    severity: Severity::High,
    epic: Epic::IdentityAndAccess,
    cis: Cis::both("1.10"),
    description: "an IAM user with a console password and no MFA device, from the credential report (CIS 1.10)",
};

fn flag(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "true",
        Some(false) => "false",
        None => "not collected",
    }
}

pub fn findings(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in graph.nodes_of(NodeKind::IamUser) {
        let NodeData::IamUser(u) = &n.data else {
            continue;
        };
        // The root user has checks of its own.
        if u.is_root {
            continue;
        }
        let name = n.display_name();
        let evidence = vec![
            Evidence::property(name, "password_enabled", flag(u.password_enabled)),
            Evidence::property(name, "mfa_active", flag(u.mfa_active)),
        ];
        let (status, title) = match (u.password_enabled, u.mfa_active) {
            (Some(false), _) => {
                out.push(Finding::passed(
                    &CHECK,
                    (id, n),
                    "no console password",
                    evidence,
                ));
                continue;
            }
            (_, Some(true)) => {
                out.push(Finding::passed(&CHECK, (id, n), "MFA active", evidence));
                continue;
            }
            (Some(true), Some(false)) => (Status::Fail, "console password without MFA".to_string()),
            _ => (
                Status::Unknown,
                "credential report not collected: console password and MFA unknown".to_string(),
            ),
        };
        out.push(Finding::on(
            &CHECK,
            status,
            (id, n),
            title,
            evidence,
            Remediation::new(
                "Have the user enable an MFA device, or remove the console password if the user does not sign in to the console",
            )
            .with_command(format!(
                "aws iam list-mfa-devices --user-name {name}"
            ))
            .with_command(format!("aws iam delete-login-profile --user-name {name}")),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Graph;
    use crate::model::{IamUser, Node};

    fn user(name: &str, password: Option<bool>, mfa: Option<bool>, root: bool) -> Node {
        Node::new(
            format!("arn:aws:iam::111122223333:user/{name}"),
            "111122223333",
            NodeData::IamUser(IamUser {
                password_enabled: password,
                mfa_active: mfa,
                is_root: root,
                ..IamUser::default()
            }),
        )
        .with_arn(format!("arn:aws:iam::111122223333:user/{name}"))
        .with_name(name)
    }

    #[test]
    fn a_console_password_without_mfa_fails_and_an_unread_report_is_unknown() {
        let g = Graph::build(
            vec![
                user("console", Some(true), Some(false), false),
                user("with-mfa", Some(true), Some(true), false),
                user("api-only", Some(false), Some(false), false),
                user("unread", None, None, false),
                user("root", Some(true), Some(false), true),
            ],
            Default::default(),
        );
        let found = findings(&g);
        let status = |name: &str| {
            found
                .iter()
                .find(|f| f.name.as_deref() == Some(name))
                .map(|f| f.status)
        };
        assert_eq!(status("console"), Some(Status::Fail));
        assert_eq!(status("unread"), Some(Status::Unknown));
        assert_eq!(status("with-mfa"), Some(Status::Pass));
        assert_eq!(status("api-only"), Some(Status::Pass));
        assert_eq!(status("root"), None, "the root user has checks of its own");
    }
}
