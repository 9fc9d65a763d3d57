//! ELBv2 responses (`elbv2-describe-*`): load balancers, listeners, target
//! groups and target health.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Deserialize;

use super::read::{arn_account, arn_region};
use super::{Ctx, Sink};
use crate::model::{self as m, LoadBalancerType, Node, NodeData};

fn node(ctx: &Ctx, arn: &str, name: Option<String>, data: NodeData) -> Node {
    let account = arn_account(arn).unwrap_or(&ctx.account).to_string();
    let region = arn_region(arn).unwrap_or(&ctx.region).to_string();
    let mut n = Node::new(arn, account, data)
        .in_region(region)
        .with_arn(arn);
    n.name = name;
    n
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoadBalancers {
    #[serde(default)]
    load_balancers: Vec<LoadBalancer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LoadBalancer {
    load_balancer_arn: String,
    load_balancer_name: Option<String>,
    #[serde(rename = "DNSName")]
    dns_name: Option<String>,
    scheme: Option<String>,
    vpc_id: Option<String>,
    state: Option<LbState>,
    #[serde(rename = "Type")]
    lb_type: Option<String>,
    ip_address_type: Option<String>,
    #[serde(default)]
    availability_zones: Vec<Zone>,
    #[serde(default)]
    security_groups: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LbState {
    code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Zone {
    zone_name: Option<String>,
    subnet_id: Option<String>,
    #[serde(default)]
    load_balancer_addresses: Vec<LbAddress>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LbAddress {
    ip_address: Option<IpAddr>,
    #[serde(rename = "PrivateIPv4Address")]
    private_ipv4_address: Option<IpAddr>,
    #[serde(rename = "IPv6Address")]
    ipv6_address: Option<IpAddr>,
}

pub fn load_balancers(ctx: &Ctx, r: LoadBalancers, out: &mut Sink) {
    for lb in r.load_balancers {
        let zones = lb
            .availability_zones
            .into_iter()
            .filter_map(|z| {
                let addresses = z
                    .load_balancer_addresses
                    .iter()
                    .flat_map(|a| [a.ip_address, a.private_ipv4_address, a.ipv6_address])
                    .flatten()
                    .collect();
                Some(m::LoadBalancerZone {
                    subnet_id: z.subnet_id?,
                    zone: z.zone_name,
                    addresses,
                })
            })
            .collect();
        let data = m::LoadBalancer {
            lb_type: lb
                .lb_type
                .as_deref()
                .map(LoadBalancerType::from)
                .unwrap_or(LoadBalancerType::Application),
            scheme: lb.scheme.unwrap_or_else(|| "internet-facing".into()),
            vpc_id: lb.vpc_id,
            dns_name: lb.dns_name,
            state: lb.state.and_then(|s| s.code),
            ip_address_type: lb.ip_address_type,
            security_group_ids: lb.security_groups,
            zones,
        };
        let name = lb.load_balancer_name;
        out.push(node(
            ctx,
            &lb.load_balancer_arn,
            name,
            NodeData::LoadBalancer(data),
        ));
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Listeners {
    #[serde(default)]
    listeners: Vec<Listener>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Listener {
    listener_arn: String,
    load_balancer_arn: Option<String>,
    port: Option<u16>,
    protocol: Option<String>,
    #[serde(default)]
    default_actions: Vec<Action>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Action {
    #[serde(rename = "Type")]
    action_type: String,
    target_group_arn: Option<String>,
    forward_config: Option<ForwardConfig>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ForwardConfig {
    #[serde(default)]
    target_groups: Vec<WeightedGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WeightedGroup {
    target_group_arn: String,
}

/// Listeners of one file; `lb_arn` is the load balancer the file is named
/// after, used when a listener does not say.
pub fn listeners(ctx: &Ctx, lb_arn: Option<&str>, r: Listeners, out: &mut Sink) {
    for l in r.listeners {
        let Some(lb) = l.load_balancer_arn.or_else(|| lb_arn.map(str::to_string)) else {
            out.warn(format!(
                "listener {} names no load balancer; skipped",
                l.listener_arn
            ));
            continue;
        };
        let actions = l
            .default_actions
            .into_iter()
            .map(|a| {
                let mut arns: Vec<String> = a.target_group_arn.into_iter().collect();
                for g in a
                    .forward_config
                    .map(|f| f.target_groups)
                    .unwrap_or_default()
                {
                    if !arns.contains(&g.target_group_arn) {
                        arns.push(g.target_group_arn);
                    }
                }
                m::ListenerAction {
                    action_type: a.action_type,
                    target_group_arns: arns,
                }
            })
            .collect();
        let name = match (&l.protocol, l.port) {
            (Some(p), Some(port)) => Some(format!("{p}:{port}")),
            _ => None,
        };
        let data = m::Listener {
            load_balancer_arn: lb,
            port: l.port,
            protocol: l.protocol,
            default_actions: actions,
        };
        out.push(node(ctx, &l.listener_arn, name, NodeData::Listener(data)));
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetGroups {
    #[serde(default)]
    target_groups: Vec<TargetGroup>,
}

impl TargetGroups {
    pub fn is_empty(&self) -> bool {
        self.target_groups.is_empty()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TargetGroup {
    target_group_arn: String,
    target_group_name: Option<String>,
    protocol: Option<String>,
    port: Option<u16>,
    target_type: Option<String>,
    vpc_id: Option<String>,
    #[serde(default)]
    load_balancer_arns: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetHealth {
    #[serde(default)]
    target_health_descriptions: Vec<HealthDescription>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HealthDescription {
    target: TargetShape,
    target_health: Option<HealthState>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TargetShape {
    id: String,
    port: Option<u16>,
    availability_zone: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HealthState {
    state: Option<String>,
}

/// Target groups (possibly listed once per load balancer, so the same group
/// may come twice) with their targets from the target-health files.
pub fn target_groups(
    ctx: &Ctx,
    lists: Vec<TargetGroups>,
    health: BTreeMap<String, TargetHealth>,
    out: &mut Sink,
) {
    let mut merged: BTreeMap<String, TargetGroup> = BTreeMap::new();
    for tg in lists.into_iter().flat_map(|l| l.target_groups) {
        match merged.get_mut(&tg.target_group_arn) {
            Some(existing) => {
                for lb in tg.load_balancer_arns {
                    if !existing.load_balancer_arns.contains(&lb) {
                        existing.load_balancer_arns.push(lb);
                    }
                }
            }
            None => {
                merged.insert(tg.target_group_arn.clone(), tg);
            }
        }
    }
    let mut health = health;
    for (arn, tg) in merged {
        let targets = health.remove(&arn).map(|h| {
            h.target_health_descriptions
                .into_iter()
                .map(|d| m::Target {
                    id: d.target.id,
                    port: d.target.port,
                    availability_zone: d.target.availability_zone,
                    health: d.target_health.and_then(|s| s.state),
                })
                .collect()
        });
        let data = m::TargetGroup {
            protocol: tg.protocol,
            port: tg.port,
            target_type: tg.target_type,
            vpc_id: tg.vpc_id,
            load_balancer_arns: tg.load_balancer_arns,
            targets,
        };
        out.push(node(
            ctx,
            &arn,
            tg.target_group_name,
            NodeData::TargetGroup(data),
        ));
    }
    for arn in health.keys() {
        out.warn(format!(
            "target health for {arn}, which no target group listing names; skipped"
        ));
    }
}
