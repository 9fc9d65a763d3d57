//! The words shown to people for ids, accounts and paths: one place, used
//! by the command line's reports, the explorer and its exports alike.

use crate::analysis::exposure::Exposure;
use crate::graph::Graph;
use crate::model::NodeData;

/// A short form of an id for tables: ids as they are; for an ARN, the
/// resource's name (a load balancer's or target group's name, a listener's
/// load balancer, an IAM resource's last path segment), else its last
/// segment.
pub fn short_id(id: &str) -> &str {
    if !id.starts_with("arn:") {
        return id;
    }
    let resource = id.splitn(6, ':').nth(5).unwrap_or(id);
    let mut parts = resource.split('/');
    match parts.next() {
        // loadbalancer/app/NAME/ID, listener/app/NAME/LB-ID/ID
        Some("loadbalancer" | "listener") => parts.nth(1).unwrap_or(resource),
        // targetgroup/NAME/ID
        Some("targetgroup") => parts.next().unwrap_or(resource),
        _ => resource.rsplit(['/', ':']).next().unwrap_or(resource),
    }
}

/// The node's name where the graph has it, else the short id.
pub fn name_or_short_id(graph: &Graph, id: &str) -> String {
    graph
        .by_id(id)
        .and_then(|n| graph.node(n).name.clone())
        .unwrap_or_else(|| short_id(id).to_string())
}

/// An account's name (or first alias); "AWS managed" for the pseudo-account
/// AWS managed policies live in; empty when the graph knows no name.
pub fn account_name(graph: &Graph, account: &str) -> String {
    match graph.by_id(account).map(|id| graph.node(id)) {
        Some(n) => match &n.data {
            NodeData::Account(a) => n
                .name
                .clone()
                .or_else(|| a.aliases.first().cloned())
                .unwrap_or_default(),
            _ => String::new(),
        },
        None if account == "aws" => "AWS managed".to_string(),
        None => String::new(),
    }
}

/// "111122223333 (production)", or the id alone when it has no name.
pub fn account_with_name(graph: &Graph, account: &str) -> String {
    let name = account_name(graph, account);
    if name.is_empty() {
        account.to_string()
    } else {
        format!("{account} ({name})")
    }
}

/// How the internet gets to an exposure: "direct", or "via load balancer
/// NAME -> port 8080".
pub fn via(graph: &Graph, e: &Exposure) -> String {
    match &e.load_balancer {
        Some(lb) => format!(
            "via load balancer {} -> port {}",
            name_or_short_id(graph, lb),
            e.target_port.map(|p| p.to_string()).unwrap_or_default()
        ),
        None => "direct".to_string(),
    }
}

/// What an explanation asked about: "tcp 22", "tcp all ports",
/// "udp 1024-2048", "icmp all types".
pub fn ports_asked(a: &crate::analysis::Explanation) -> String {
    let (p, from, to) = (&a.protocol, a.port, a.to_port);
    match (p.as_str(), from, to) {
        (_, f, t) if f == t => format!("{p} {f}"),
        ("tcp" | "udp", 0, 65535) => format!("{p} all ports"),
        ("icmp" | "icmpv6", 0, 255) => format!("{p} all types"),
        _ => format!("{p} {from}-{to}"),
    }
}

/// What an explanation answers, in words: reachable directly, or only
/// through a load balancer (and then on which listener, forwarded to which
/// port), or not at all. A target behind a load balancer is never said to
/// be reachable on its own port from the internet.
pub fn reach_verdict(graph: &Graph, a: &crate::analysis::Explanation) -> String {
    if !a.reachable {
        return "NOT REACHABLE".to_string();
    }
    let from = |sources: &[ipnet::IpNet]| {
        sources
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let open: Vec<&crate::analysis::explain::Attempt> =
        a.attempts.iter().filter(|t| t.reachable).collect();
    let through: Vec<String> = open
        .iter()
        .filter(|t| t.via == crate::analysis::Via::LoadBalancer)
        .map(|t| {
            format!(
                "load balancer {} on listener {}, forwarded to port {}",
                name_or_short_id(graph, &t.through),
                t.listener_port
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "?".into()),
                t.target_port
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "?".into())
            )
        })
        .collect();
    let direct: Vec<&&crate::analysis::explain::Attempt> = open
        .iter()
        .filter(|t| t.via == crate::analysis::Via::Direct)
        .collect();
    if let Some(d) = direct.first() {
        let also = if through.is_empty() {
            String::new()
        } else {
            format!("; also through {}", through.join("; "))
        };
        return format!("REACHABLE directly from {}{also}", from(&d.sources));
    }
    // Only through load balancers: say on which port the internet arrives.
    let on_listener = open.iter().any(|t| t.listener_port == Some(a.port));
    if on_listener {
        format!(
            "REACHABLE through {} (from {}); not directly",
            through.join("; "),
            from(&a.sources)
        )
    } else {
        format!(
            "NOT REACHABLE directly on {}; served through {} (from {})",
            ports_asked(a),
            through.join("; "),
            from(&a.sources)
        )
    }
}

/// Who a trust policy lets in, in words: "service ec2", "this account",
/// "account 111111111111 (alice-mgmt)" for one the data holds, "external
/// account 999988887777, no ExternalId", "role deploy in 222222222222",
/// "anyone (*)".
pub fn trusted(
    graph: &Graph,
    own_account: &str,
    t: &crate::model::policy::TrustedPrincipal,
) -> String {
    use crate::model::policy::PrincipalType;
    let external_id = if t.requires_external_id {
        ", ExternalId required"
    } else {
        ", no ExternalId"
    };
    match t.principal_type {
        PrincipalType::Anyone => "anyone (*)".to_string(),
        PrincipalType::Service => format!(
            "service {}",
            t.value.strip_suffix(".amazonaws.com").unwrap_or(&t.value)
        ),
        PrincipalType::Federated => format!("federated {}", short_id(&t.value)),
        PrincipalType::CanonicalUser => format!("canonical user {}", short_id(&t.value)),
        PrincipalType::Aws | PrincipalType::Other(_) => {
            // An account id, or an ARN in an account.
            let account = if crate::graph::is_account_id(&t.value) {
                t.value.as_str()
            } else {
                t.value.split(':').nth(4).unwrap_or("")
            };
            let who = match t.value.rsplit(':').next().unwrap_or("") {
                "root" => None,
                _ if crate::graph::is_account_id(&t.value) => None,
                resource => Some(resource.replace('/', " ")),
            };
            let collected = graph.collection().accounts.iter().any(|a| a == account);
            let place = if account == own_account {
                "this account".to_string()
            } else if collected {
                format!("account {}", account_with_name(graph, account))
            } else if account.is_empty() {
                t.value.clone()
            } else {
                format!("external account {account}{external_id}")
            };
            match who {
                Some(w) => format!("{w} in {place}"),
                None => place,
            }
        }
    }
}

/// "1 gap", "3 gaps".
/// `1 instance`, `3 DB instances`.
pub fn kinds(n: usize, kind: crate::model::NodeKind) -> String {
    if n == 1 {
        format!("1 {}", kind.label())
    } else {
        format!("{n} {}", kind.plural())
    }
}

pub fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_name_the_resource() {
        assert_eq!(short_id("sg-0123"), "sg-0123");
        assert_eq!(
            short_id(
                "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web/50dc6c495c0c9188"
            ),
            "web"
        );
        assert_eq!(
            short_id(
                "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/app-tg/6d0ecf831eec9f09"
            ),
            "app-tg"
        );
        // A listener is named by its load balancer (its own name says the
        // protocol and port).
        assert_eq!(
            short_id(
                "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2"
            ),
            "web"
        );
        assert_eq!(
            short_id("arn:aws:iam::111122223333:role/service/app-role"),
            "app-role"
        );
        assert_eq!(
            short_id("arn:aws:iam::aws:policy/AdministratorAccess"),
            "AdministratorAccess"
        );
        assert_eq!(short_id("arn:aws:iam::111122223333:root"), "root");
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "gap"), "1 gap");
        assert_eq!(plural(0, "gap"), "0 gaps");
    }
}
