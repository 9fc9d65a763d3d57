//! What to do now: the containment and investigation steps for a
//! compromised resource, in order (keep the evidence, contain,
//! investigate, recover), each with the AWS CLI command filled in with the
//! graph's ids. skyhound never runs them: they are printed for a person.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::graph::{Direction, Graph, NodeId};
use crate::model::{EdgeKind, Node, NodeData, NodeKind};

/// Where a step belongs; steps come in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Evidence,
    Contain,
    Investigate,
    Recover,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Evidence => "keep the evidence",
            Phase::Contain => "contain",
            Phase::Investigate => "investigate",
            Phase::Recover => "recover",
        }
    }
}

/// One step.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub phase: Phase,
    pub title: String,
    /// The AWS CLI line, filled in; `None` for a step a person does by hand.
    pub command: Option<String>,
    /// What the step breaks or does not do, where the graph shows it.
    pub warning: Option<String>,
}

/// The steps for one resource.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub resource: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub kind: NodeKind,
    /// The GuardDuty finding the plan was asked for, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finding: Option<String>,
    pub steps: Vec<Step>,
}

/// The resource has no response steps.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoPlan {
    #[error(
        "response steps are written for an instance (or its network interface), access key, \
         user, role, S3 bucket or GuardDuty finding; {0} is a {1}"
    )]
    Kind(String, &'static str),
    #[error("the finding {0} names no resource this snapshot holds")]
    NoResource(String),
}

/// Whether response steps are written for this kind of resource.
pub fn applies(kind: NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::Instance
            | NodeKind::NetworkInterface
            | NodeKind::AccessKey
            | NodeKind::IamUser
            | NodeKind::IamRole
            | NodeKind::Bucket
            | NodeKind::GuardDutyFinding
    )
}

/// A value as one shell word: bare when it is plain, else single-quoted.
pub fn sh(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=@+,".contains(c));
    if plain {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

struct Steps(Vec<Step>);

impl Steps {
    fn run(&mut self, phase: Phase, title: impl Into<String>, command: String) -> &mut Step {
        self.push(phase, title.into(), Some(command))
    }

    fn by_hand(&mut self, phase: Phase, title: impl Into<String>) -> &mut Step {
        self.push(phase, title.into(), None)
    }

    fn push(&mut self, phase: Phase, title: String, command: Option<String>) -> &mut Step {
        self.0.push(Step {
            phase,
            title,
            command,
            warning: None,
        });
        let last = self.0.len() - 1;
        &mut self.0[last]
    }
}

trait Warn {
    fn warn(&mut self, text: impl Into<String>);
}

impl Warn for Step {
    fn warn(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.warning = Some(match self.warning.take() {
            Some(w) => format!("{w} {text}"),
            None => text,
        });
    }
}

/// `--region R `, for regional resources.
fn region(n: &Node) -> String {
    n.region
        .as_deref()
        .map(|r| format!("--region {} ", sh(r)))
        .unwrap_or_default()
}

/// The last part of an IAM ARN: a user's or role's name.
fn iam_name(n: &Node) -> String {
    n.name
        .clone()
        .unwrap_or_else(|| n.id.rsplit('/').next().unwrap_or(&n.id).to_string())
}

/// The response steps for a resource or finding, with `now` as the time
/// sessions issued before are revoked.
pub fn respond(graph: &Graph, node: NodeId, now: DateTime<Utc>) -> Result<Plan, NoPlan> {
    let n = graph.node(node);
    let (target, finding) = match n.kind() {
        NodeKind::GuardDutyFinding => {
            let subject = crate::analysis::blast::finding_subject(graph, node)
                .ok_or_else(|| NoPlan::NoResource(n.id.clone()))?;
            (subject, Some(node))
        }
        NodeKind::NetworkInterface => match graph
            .neighbours(node, EdgeKind::AttachedToInstance, Direction::Outgoing)
            .next()
        {
            Some(i) => (i, None),
            None => return Err(NoPlan::Kind(n.id.clone(), n.kind().label())),
        },
        _ => (node, None),
    };
    let mut steps = Steps(Vec::new());
    if let Some(f) = finding {
        finding_evidence(graph, f, &mut steps);
    }
    let t = graph.node(target);
    let incident = finding
        .map(|f| graph.node(f).id.clone())
        .unwrap_or_else(|| format!("investigating-{}", now.format("%Y-%m-%d")));
    match t.kind() {
        NodeKind::Instance => instance(graph, target, &incident, now, &mut steps),
        NodeKind::AccessKey => access_key(graph, target, &mut steps),
        NodeKind::IamUser => user(graph, target, &mut steps),
        NodeKind::IamRole => role(graph, target, now, &mut steps),
        NodeKind::Bucket => bucket(graph, target, &mut steps),
        k => return Err(NoPlan::Kind(t.id.clone(), k.label())),
    }
    if let Some(f) = finding {
        finding_recover(graph, f, &mut steps);
    }
    let mut steps = steps.0;
    steps.sort_by_key(|s| s.phase);
    Ok(Plan {
        resource: t.id.clone(),
        name: t.name.clone(),
        kind: t.kind(),
        finding: finding.map(|f| graph.node(f).id.clone()),
        steps,
    })
}

fn detector_of(graph: &Graph, finding: NodeId) -> Option<String> {
    match &graph.node(finding).data {
        NodeData::GuardDutyFinding(f) => f.detector_id.clone(),
        _ => None,
    }
}

fn finding_evidence(graph: &Graph, f: NodeId, s: &mut Steps) {
    let n = graph.node(f);
    if let Some(det) = detector_of(graph, f) {
        s.run(
            Phase::Evidence,
            format!("Save the finding {} as it is now", n.id),
            format!(
                "aws guardduty get-findings {}--detector-id {} --finding-ids {} > {}",
                region(n),
                sh(&det),
                sh(&n.id),
                sh(&format!("finding-{}.json", n.id))
            ),
        );
    }
}

fn finding_recover(graph: &Graph, f: NodeId, s: &mut Steps) {
    let n = graph.node(f);
    if let Some(det) = detector_of(graph, f) {
        s.run(
            Phase::Recover,
            "Archive the finding once the case is closed",
            format!(
                "aws guardduty archive-findings {}--detector-id {} --finding-ids {}",
                region(n),
                sh(&det),
                sh(&n.id)
            ),
        );
    }
}

fn instance(graph: &Graph, id: NodeId, incident: &str, now: DateTime<Utc>, s: &mut Steps) {
    let n = graph.node(id);
    let NodeData::Instance(inst) = &n.data else {
        return;
    };
    let r = region(n);
    let i = sh(&n.id);
    let volumes: Vec<&str> = graph
        .neighbours(id, EdgeKind::VolumeOf, Direction::Incoming)
        .map(|v| graph.node(v).id.as_str())
        .collect();
    let title = if volumes.is_empty() {
        "Snapshot its volumes before anything changes (none were collected: this snapshots whatever is attached)".to_string()
    } else {
        format!(
            "Snapshot its volumes before anything changes ({})",
            volumes.join(", ")
        )
    };
    s.run(
        Phase::Evidence,
        title,
        format!(
            "aws ec2 create-snapshots {r}--instance-specification InstanceId={} --description {} --copy-tags-from-source volume",
            n.id,
            sh(&format!("evidence for {incident}"))
        ),
    );
    s.run(
        Phase::Evidence,
        "Record the instance as it is now (addresses, profile, tags, groups)",
        format!(
            "aws ec2 describe-instances {r}--instance-ids {i} > {}",
            sh(&format!("{}-describe.json", n.id))
        ),
    );
    if !inst.security_group_ids.is_empty() {
        let groups: Vec<String> = inst.security_group_ids.iter().map(|g| sh(g)).collect();
        s.run(
            Phase::Evidence,
            format!(
                "Record its security groups ({})",
                inst.security_group_ids.join(", ")
            ),
            format!(
                "aws ec2 describe-security-groups {r}--group-ids {} > {}",
                groups.join(" "),
                sh(&format!("{}-security-groups.json", n.id))
            ),
        );
    }
    for (profile, _) in crate::analysis::blast::identity::instance_roles(graph, id) {
        let name = graph.node(profile).display_name().to_string();
        s.run(
            Phase::Evidence,
            format!("Record its instance profile {name} and the role in it"),
            format!(
                "aws iam get-instance-profile --instance-profile-name {} > {}",
                sh(&name),
                sh(&format!("{}-instance-profile.json", n.id))
            ),
        );
    }
    s.by_hand(
        Phase::Evidence,
        "Capture its memory (AVML or LiME through SSM Run Command or your forensic tooling) before it is stopped",
    )
    .warn("Stopping, hibernating, rebooting or terminating it loses what is in memory.");

    s.run(
        Phase::Contain,
        "Protect it from termination",
        format!("aws ec2 modify-instance-attribute {r}--instance-id {i} --disable-api-termination"),
    );
    s.run(
        Phase::Contain,
        "Tag it as under investigation",
        format!(
            "aws ec2 create-tags {r}--resources {i} --tags {}",
            sh(&format!("Key=incident,Value={incident}"))
        ),
    );
    if let Some(group) = n.tags.get("aws:autoscaling:groupName") {
        s.run(
            Phase::Contain,
            format!("Detach it from its Auto Scaling group {group}, so that the group does not terminate or replace it"),
            format!(
                "aws autoscaling detach-instances {r}--instance-ids {i} --auto-scaling-group-name {} --no-should-decrement-desired-capacity",
                sh(group)
            ),
        )
        .warn("The group launches a replacement to keep its capacity.");
    }
    let enis: Vec<NodeId> = graph
        .neighbours(id, EdgeKind::AttachedToInstance, Direction::Incoming)
        .collect();
    for tg in graph
        .incoming(id)
        .chain(enis.iter().flat_map(|e| graph.incoming(*e)))
        .filter(|e| e.kind == EdgeKind::Targets)
    {
        let group = graph.node(tg.from);
        let port = match &tg.detail {
            Some(crate::model::EdgeDetail::Port(p)) => format!(",Port={p}"),
            _ => String::new(),
        };
        let target_id = if tg.to == id {
            n.id.clone()
        } else {
            inst.private_ip.map(|ip| ip.to_string()).unwrap_or_default()
        };
        let step = s.run(
            Phase::Contain,
            format!(
                "Deregister it from target group {}",
                group.name.as_deref().unwrap_or(&group.id)
            ),
            format!(
                "aws elbv2 deregister-targets {}--target-group-arn {} --targets {}",
                region(group),
                sh(&group.id),
                sh(&format!("Id={target_id}{port}"))
            ),
        );
        let others = graph
            .outgoing(tg.from)
            .filter(|e| e.kind == EdgeKind::Targets && e.to != tg.to)
            .count();
        if others == 0 {
            let lbs: Vec<String> = graph
                .neighbours(tg.from, EdgeKind::TargetGroupOf, Direction::Outgoing)
                .map(|lb| graph.node(lb).display_name().to_string())
                .collect();
            step.warn(format!(
                "It is the only target of this group: {} stops serving what the group receives.",
                if lbs.is_empty() {
                    "its load balancer".to_string()
                } else {
                    lbs.join(", ")
                }
            ));
        }
    }
    if let Some(vpc) = &inst.vpc_id {
        s.run(
            Phase::Contain,
            "Isolate it: create a security group that allows nothing (no rules in, its default rule out removed)",
            format!(
                "ISOLATION=$(aws ec2 create-security-group {r}--vpc-id {} --group-name {} --description {} --query GroupId --output text) && aws ec2 revoke-security-group-egress {r}--group-id \"$ISOLATION\" --ip-permissions 'IpProtocol=-1,IpRanges=[{{CidrIp=0.0.0.0/0}}]'",
                sh(vpc),
                sh(&format!("isolation-{}", n.id)),
                sh(&format!("isolates {} for {incident}", n.id))
            ),
        );
        let subnet = inst.subnet_id.as_deref().unwrap_or("its subnet");
        let warning = format!(
            "Connections already tracked (the attacker's open session) survive a security group change; to cut them at once, also deny the attacker's address in the network ACL of {subnet}, which is stateless (and applies to every resource in the subnet)."
        );
        if enis.len() > 1 {
            for e in &enis {
                s.run(
                    Phase::Contain,
                    format!(
                        "Put its interface {} in the isolation group alone ($ISOLATION, from the step before)",
                        graph.node(*e).id
                    ),
                    format!(
                        "aws ec2 modify-network-interface-attribute {r}--network-interface-id {} --groups \"$ISOLATION\"",
                        sh(&graph.node(*e).id)
                    ),
                )
                .warn(warning.clone());
            }
        } else {
            s.run(
                Phase::Contain,
                "Put it in the isolation group alone ($ISOLATION, from the step before)",
                format!(
                    "aws ec2 modify-instance-attribute {r}--instance-id {i} --groups \"$ISOLATION\""
                ),
            )
            .warn(warning);
        }
    }
    for (profile, role_id) in crate::analysis::blast::identity::instance_roles(graph, id) {
        let p = graph.node(profile);
        let role = graph.node(role_id);
        s.run(
            Phase::Contain,
            format!(
                "Remove its instance profile {} (role {})",
                p.display_name(),
                iam_name(role)
            ),
            format!(
                "ASSOCIATION=$(aws ec2 describe-iam-instance-profile-associations {r}--filters Name=instance-id,Values={} --query 'IamInstanceProfileAssociations[0].AssociationId' --output text) && aws ec2 disassociate-iam-instance-profile {r}--association-id \"$ASSOCIATION\"",
                n.id
            ),
        )
        .warn("Credentials already issued to it stay valid until they expire: revoke the role's sessions too.");
        revoke_sessions(graph, role_id, now, s);
    }
    s.run(
        Phase::Investigate,
        "What its credentials did (an instance role's session is named after the instance)",
        format!(
            "aws cloudtrail lookup-events {r}--lookup-attributes AttributeKey=Username,AttributeValue={} --max-results 50",
            n.id
        ),
    );
    who_changed(n, s);
    flow_logs(graph, id, &enis, s);
    s.run(
        Phase::Investigate,
        "What else an attacker on it reaches (network, credentials, data)",
        format!("skyhound blast-radius {i}"),
    );
    s.by_hand(
        Phase::Recover,
        "Rebuild it from a known-good image rather than cleaning it, and rotate every secret it held",
    );
}

/// Who changed a resource, from CloudTrail's event history.
fn who_changed(n: &Node, s: &mut Steps) {
    let name = n.name.as_deref().filter(|_| n.kind() == NodeKind::Bucket);
    s.run(
        Phase::Investigate,
        "Who changed it, and when (CloudTrail event history, 90 days)",
        format!(
            "aws cloudtrail lookup-events {}--lookup-attributes AttributeKey=ResourceName,AttributeValue={} --max-results 50",
            region(n),
            sh(name.unwrap_or(&n.id))
        ),
    );
}

/// The flow logs that record an instance's traffic, or a warning that
/// none does.
fn flow_logs(graph: &Graph, instance: NodeId, enis: &[NodeId], s: &mut Steps) {
    let n = graph.node(instance);
    let NodeData::Instance(inst) = &n.data else {
        return;
    };
    let mut recorded: Vec<NodeId> = enis.to_vec();
    for id in [&inst.subnet_id, &inst.vpc_id].into_iter().flatten() {
        recorded.extend(graph.by_id(id));
    }
    let mut found = false;
    for r in recorded {
        for fl in graph.neighbours(r, EdgeKind::Records, Direction::Incoming) {
            let NodeData::FlowLog(f) = &graph.node(fl).data else {
                continue;
            };
            if !f.is_active() {
                continue;
            }
            found = true;
            let dest = f.destination.as_deref().unwrap_or("its destination");
            let group = dest
                .strip_prefix("arn:aws:logs:")
                .and_then(|rest| rest.split(":log-group:").nth(1))
                .map(|g| g.trim_end_matches(":*"));
            let private = inst
                .private_ip
                .map(|ip| ip.to_string())
                .unwrap_or_else(|| n.id.clone());
            match group {
                Some(g) => {
                    s.run(
                        Phase::Investigate,
                        format!("Read its traffic in flow log {}", graph.node(fl).id),
                        format!(
                            "aws logs filter-log-events {}--log-group-name {} --filter-pattern {}",
                            region(n),
                            sh(g),
                            sh(&format!("\"{private}\""))
                        ),
                    );
                }
                None => {
                    s.by_hand(
                        Phase::Investigate,
                        format!(
                            "Read its traffic ({private}) in flow log {}, delivered to {dest}",
                            graph.node(fl).id
                        ),
                    );
                }
            }
        }
    }
    if !found {
        s.by_hand(
            Phase::Investigate,
            "Reconstruct its traffic from other sources (load balancer, application, DNS logs)",
        )
        .warn("No active flow log records its interface, subnet or VPC: its network traffic was not recorded.");
    }
}

/// Deny every session of a role issued before now.
fn revoke_sessions(graph: &Graph, role_id: NodeId, now: DateTime<Utc>, s: &mut Steps) {
    let role = graph.node(role_id);
    let name = iam_name(role);
    let service_linked = matches!(&role.data, NodeData::IamRole(r)
        if r.path.as_deref().is_some_and(|p| p.starts_with("/aws-service-role/")));
    if service_linked {
        s.by_hand(
            Phase::Contain,
            format!("Sessions of the service-linked role {name} cannot be revoked: contain what uses it instead"),
        )
        .warn("AWS does not allow policies on service-linked roles.");
        return;
    }
    let stamp = now.to_rfc3339_opts(SecondsFormat::Secs, true);
    let document = format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{{\"DateLessThan\":{{\"aws:TokenIssueTime\":\"{stamp}\"}}}}}}]}}"
    );
    s.run(
        Phase::Contain,
        format!("Revoke every session of role {name} issued before {stamp}"),
        format!(
            "aws iam put-role-policy --role-name {} --policy-name AWSRevokeOlderSessions --policy-document {}",
            sh(&name),
            sh(&document)
        ),
    )
    .warn("Everything running as the role (other instances, functions) loses access until it gets new credentials.");
}

fn user_of(graph: &Graph, key: NodeId) -> Option<NodeId> {
    graph
        .neighbours(key, EdgeKind::HasAccessKey, Direction::Incoming)
        .next()
}

fn access_key(graph: &Graph, key: NodeId, s: &mut Steps) {
    let k = graph.node(key);
    let NodeData::AccessKey(data) = &k.data else {
        return;
    };
    let user = user_of(graph, key);
    let root =
        user.is_some_and(|u| matches!(&graph.node(u).data, NodeData::IamUser(x) if x.is_root));
    s.run(
        Phase::Evidence,
        format!("Record when and where {} was last used", k.id),
        format!(
            "aws iam get-access-key-last-used --access-key-id {} > {}",
            sh(&k.id),
            sh(&format!("{}-last-used.json", k.id))
        ),
    );
    let user_name = user.map(|u| iam_name(graph.node(u)));
    if root {
        s.by_hand(
            Phase::Contain,
            format!("Sign in as the root user and deactivate the root access key {}, then delete it", k.id),
        )
        .warn("A root key can only be managed by the root user, and no IAM policy (AWSDenyAll included) limits root: only a service control policy does.");
    } else if let Some(u) = &user_name {
        s.run(
            Phase::Contain,
            format!(
                "Deactivate {} (do not delete it: deleting loses the evidence)",
                k.id
            ),
            format!(
                "aws iam update-access-key --user-name {} --access-key-id {} --status Inactive",
                sh(u),
                sh(&k.id)
            ),
        )
        .warn("Anything that signs with this key stops working.");
        if let Some(u) = user {
            user_containment(graph, u, Some(key), s);
        }
    }
    let mut regions: Vec<&str> = data.last_used_region.iter().map(String::as_str).collect();
    regions.push("us-east-1");
    regions.dedup();
    for region in regions {
        s.run(
            Phase::Investigate,
            format!("What {} did in {region} (CloudTrail event history, 90 days)", k.id),
            format!(
                "aws cloudtrail lookup-events --region {} --lookup-attributes AttributeKey=AccessKeyId,AttributeValue={} --max-results 50",
                sh(region),
                sh(&k.id)
            ),
        )
        .warn("Event history is kept per region: repeat for every region the account uses.");
    }
    s.run(
        Phase::Investigate,
        "What else the key reaches (roles, admin, data)",
        format!("skyhound blast-radius {}", sh(&k.id)),
    );
    s.by_hand(
        Phase::Recover,
        format!(
            "Give the workload new credentials (a role rather than a key where it can), then delete {} when the case is closed",
            k.id
        ),
    );
}

/// Deny a user everything and take away its other ways in.
fn user_containment(graph: &Graph, u: NodeId, except: Option<NodeId>, s: &mut Steps) {
    let n = graph.node(u);
    let name = iam_name(n);
    for other in graph.neighbours(u, EdgeKind::HasAccessKey, Direction::Outgoing) {
        let key = graph.node(other);
        let active = matches!(&key.data, NodeData::AccessKey(k) if k.is_active());
        if Some(other) == except || !active {
            continue;
        }
        s.run(
            Phase::Contain,
            format!("Deactivate {name}'s other active access key {}", key.id),
            format!(
                "aws iam update-access-key --user-name {} --access-key-id {} --status Inactive",
                sh(&name),
                sh(&key.id)
            ),
        );
    }
    s.run(
        Phase::Contain,
        format!("Deny {name} everything while the case is open"),
        format!(
            "aws iam attach-user-policy --user-name {} --policy-arn arn:aws:iam::aws:policy/AWSDenyAll",
            sh(&name)
        ),
    );
    if matches!(&n.data, NodeData::IamUser(x) if x.password_enabled == Some(true)) {
        s.run(
            Phase::Contain,
            format!("Remove {name}'s console password"),
            format!("aws iam delete-login-profile --user-name {}", sh(&name)),
        )
        .warn("The password cannot be restored: set a new one when the user is cleared.");
    }
}

fn user(graph: &Graph, u: NodeId, s: &mut Steps) {
    let n = graph.node(u);
    let name = iam_name(n);
    if matches!(&n.data, NodeData::IamUser(x) if x.is_root) {
        s.by_hand(
            Phase::Contain,
            "Sign in as the root user, change its password, and check its MFA device and access keys",
        )
        .warn("No IAM policy limits the root user: only a service control policy does.");
    } else {
        s.run(
            Phase::Evidence,
            format!("Record {name}'s policies and groups"),
            format!(
                "aws iam get-account-authorization-details --filter User --query {} > {}",
                sh(&format!("UserDetailList[?UserName==`{name}`]")),
                sh(&format!("{name}-authorization.json"))
            ),
        );
        user_containment(graph, u, None, s);
    }
    s.run(
        Phase::Investigate,
        format!("What {name} did (CloudTrail event history, 90 days)"),
        format!(
            "aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=Username,AttributeValue={} --max-results 50",
            sh(&name)
        ),
    )
    .warn("Event history is kept per region: repeat for every region the account uses.");
    s.run(
        Phase::Investigate,
        "What else the user reaches (roles, admin, data)",
        format!("skyhound blast-radius {}", sh(&n.id)),
    );
    s.by_hand(
        Phase::Recover,
        format!(
            "Detach AWSDenyAll from {name} only when the case is closed and its credentials are new"
        ),
    );
}

fn role(graph: &Graph, r: NodeId, now: DateTime<Utc>, s: &mut Steps) {
    let n = graph.node(r);
    let name = iam_name(n);
    s.run(
        Phase::Evidence,
        format!("Record role {name}: its trust policy and permissions"),
        format!(
            "aws iam get-account-authorization-details --filter Role --query {} > {}",
            sh(&format!("RoleDetailList[?RoleName==`{name}`]")),
            sh(&format!("{name}-authorization.json"))
        ),
    );
    revoke_sessions(graph, r, now, s);
    let trusted: Vec<String> = match &n.data {
        NodeData::IamRole(data) => data
            .trust_policy
            .trusted_principals()
            .into_iter()
            .map(|p| {
                let external = if p.requires_external_id {
                    " (with an ExternalId)"
                } else {
                    ""
                };
                format!("{}{external}", p.value)
            })
            .collect(),
        _ => Vec::new(),
    };
    let step = s.by_hand(
        Phase::Contain,
        if trusted.is_empty() {
            format!("Review who may assume {name} (its trust policy names no principal)")
        } else {
            format!("Review who may assume {name}: {}", trusted.join(", "))
        },
    );
    step.warn("Narrowing the trust policy stops new sessions only; revoking stops the old ones.");
    s.run(
        Phase::Investigate,
        format!("Who assumed {name}, and what changed it"),
        format!(
            "aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=ResourceName,AttributeValue={} --max-results 50",
            sh(&n.id)
        ),
    );
    s.run(
        Phase::Investigate,
        "What else the role reaches (roles, admin, data)",
        format!("skyhound blast-radius {}", sh(&n.id)),
    );
    s.by_hand(
        Phase::Recover,
        format!("Delete the AWSRevokeOlderSessions policy from {name} once every legitimate user has new credentials, and keep only the permissions it needs"),
    );
}

fn bucket(graph: &Graph, b: NodeId, s: &mut Steps) {
    let n = graph.node(b);
    let NodeData::Bucket(data) = &n.data else {
        return;
    };
    let name = n.name.clone().unwrap_or_else(|| n.id.clone());
    let q = sh(&name);
    s.run(
        Phase::Evidence,
        format!("Save the policy of {name} as evidence"),
        format!(
            "aws s3api get-bucket-policy --bucket {q} > {}",
            sh(&format!("{name}-policy.json"))
        ),
    );
    s.run(
        Phase::Evidence,
        format!("Save the ACL of {name} as evidence"),
        format!(
            "aws s3api get-bucket-acl --bucket {q} > {}",
            sh(&format!("{name}-acl.json"))
        ),
    );
    s.run(
        Phase::Contain,
        format!("Block public access on {name}"),
        format!(
            "aws s3api put-public-access-block --bucket {q} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
        ),
    )
    .warn("Whatever reads it publicly (a website, a partner) stops working.");
    s.run(
        Phase::Contain,
        format!("Block public access for every bucket of account {}", n.account),
        format!(
            "aws s3control put-public-access-block --account-id {} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
            sh(&n.account)
        ),
    )
    .warn("This applies to every bucket of the account, not this one alone.");
    match data.logging.as_ref().and_then(|l| l.target.as_deref()) {
        Some(target) => {
            s.by_hand(
                Phase::Investigate,
                format!("Read who fetched what from its server access logs in {target}"),
            );
        }
        None => {
            s.by_hand(
                Phase::Investigate,
                "Look for its object reads in CloudTrail data events, if a trail records them",
            )
            .warn("Server access logging is off: who read it is known only if a trail records S3 data events.");
        }
    }
    who_changed(n, s);
    s.by_hand(
        Phase::Recover,
        format!("Write the policy of {name} again without public grants, and restore deleted objects from versions or backups"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_stay_bare_and_others_are_quoted() {
        assert_eq!(sh("i-0abc"), "i-0abc");
        assert_eq!(sh("arn:aws:iam::1:role/x"), "arn:aws:iam::1:role/x");
        assert_eq!(sh("a b"), "'a b'");
        assert_eq!(sh("it's"), r"'it'\''s'");
        assert_eq!(sh("$(rm -rf /)"), "'$(rm -rf /)'");
        assert_eq!(sh(""), "''");
    }
}
