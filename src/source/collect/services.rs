//! The calls, service by service: each listing paginated to the end, the
//! independent ones in parallel, the answers kept as the API's JSON.

use std::collections::BTreeSet;
use std::sync::Arc;

use aws_config::{Region, SdkConfig};
use serde_json::{Value, json};

use super::json::{ec2, elbv2, guardduty, iam, org};
use super::{CollectOptions, Ctx, Progress, memory_account, reason};
use crate::source::import::MemoryAccount;
use crate::source::import::read::MemoryFolder;
use crate::source::operations::{self as ops, Operation};

fn ec2_client(ctx: &Ctx, cfg: &SdkConfig) -> aws_sdk_ec2::Client {
    client!(aws_sdk_ec2, cfg, ctx)
}

/// One account: IAM and the other global services beside its regions.
/// The calls at the head of the longest chains (the credential report,
/// GuardDuty) go first, so that a full concurrency bound or a slow endpoint
/// delays them least.
pub(crate) async fn account(
    ctx: Arc<Ctx>,
    account: String,
    config: SdkConfig,
    opts: CollectOptions,
) -> MemoryAccount {
    ctx.say(Progress::Account {
        account: account.clone(),
    });
    let global_task = {
        let (ctx, account, config) = (ctx.clone(), account.clone(), config.clone());
        tokio::spawn(async move {
            let folder = Arc::new(global(&ctx, &account, &config).await);
            ctx.say(Progress::Collected {
                account,
                region: None,
                folder: folder.clone(),
            });
            folder
        })
    };
    let regions = if opts.regions.is_empty() {
        enabled_regions(&ctx, &account, &config).await
    } else {
        opts.regions.clone()
    };
    let mut tasks = Vec::new();
    for r in &regions {
        let cfg = config.to_builder().region(Region::new(r.clone())).build();
        let (ctx, account, region, archived) = (
            ctx.clone(),
            account.clone(),
            r.clone(),
            opts.include_archived_findings,
        );
        tasks.push(tokio::spawn(async move {
            let folder = Arc::new(regional(&ctx, &account, &region, &cfg, archived).await);
            ctx.say(Progress::Collected {
                account,
                region: Some(region.clone()),
                folder: folder.clone(),
            });
            (region, folder)
        }));
    }
    let mut folders: Vec<(String, Arc<MemoryFolder>)> = Vec::new();
    for t in tasks {
        match t.await {
            Ok(done) => folders.push(done),
            Err(e) => tracing::error!("a region's collection task failed: {e}"),
        }
    }
    let global = global_task.await.unwrap_or_else(|e| {
        tracing::error!("the account's global collection task failed: {e}");
        Arc::new(MemoryFolder::default())
    });
    let home = config.region().map_or("us-east-1", |r| r.as_ref());
    memory_account(account, folders, Some(global), home)
}

/// The partition a region belongs to: credentials never cross partitions.
fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.contains("-iso") {
        "aws-iso"
    } else {
        "aws"
    }
}

/// Regions enabled for the account (opted in, or needing no opt-in), in the
/// partition of the region the credentials were given for.
async fn enabled_regions(ctx: &Ctx, account: &str, config: &SdkConfig) -> Vec<String> {
    let client = ec2_client(ctx, config);
    let home = partition(config.region().map(|r| r.as_ref()).unwrap_or("us-east-1"));
    let found = ctx
        .call((account, None), &ops::DESCRIBE_REGIONS, async {
            let out = client
                .describe_regions()
                .all_regions(true)
                .send()
                .await
                .map_err(|e| reason(&e))?;
            Ok(out
                .regions()
                .iter()
                .filter(|r| {
                    matches!(
                        r.opt_in_status(),
                        Some("opt-in-not-required" | "opted-in") | None
                    )
                })
                .filter_map(|r| r.region_name().map(str::to_string))
                .filter(|r| partition(r) == home)
                .collect::<Vec<_>>())
        })
        .await;
    match found {
        Some(r) if !r.is_empty() => r,
        _ => config
            .region()
            .map(|r| vec![r.to_string()])
            .unwrap_or_else(|| vec!["us-east-1".into()]),
    }
}

/// One region: EC2, ELBv2, GuardDuty, CloudTrail, Config, KMS and RDS side
/// by side.
async fn regional(
    ctx: &Ctx,
    account: &str,
    region: &str,
    cfg: &SdkConfig,
    archived: bool,
) -> MemoryFolder {
    // `join!` starts them in this order: the longest chain first.
    let (gd, lb, mut folder, logging, storage) = tokio::join!(
        guardduty(ctx, account, region, cfg, archived),
        load_balancing(ctx, account, region, cfg),
        ec2_region(ctx, account, region, cfg),
        super::logging::region(ctx, account, region, cfg),
        super::storage::region(ctx, account, region, cfg)
    );
    for part in [lb, gd, logging, storage] {
        folder.absorb(part);
    }
    folder
}

async fn ec2_region(ctx: &Ctx, account: &str, region: &str, cfg: &SdkConfig) -> MemoryFolder {
    let at = (account, Some(region));
    let mut folder = MemoryFolder::default();
    ctx.say(Progress::Started {
        account: account.into(),
        region: Some(region.into()),
        service: ops::Service::Ec2.prefix(),
    });
    let c = ec2_client(ctx, cfg);
    let (
        vpcs,
        subnets,
        rts,
        igws,
        eigws,
        nats,
        acls,
        sgs,
        enis,
        reservations,
        peerings,
        lists,
        tgws,
        volumes,
        flow_logs,
        ebs_default,
    ) = tokio::join!(
        paged!(ctx, at, &ops::DESCRIBE_VPCS, c.describe_vpcs(), vpcs),
        paged!(
            ctx,
            at,
            &ops::DESCRIBE_SUBNETS,
            c.describe_subnets(),
            subnets
        ),
        paged!(
            ctx,
            at,
            &ops::DESCRIBE_ROUTE_TABLES,
            c.describe_route_tables(),
            route_tables
        ),
        paged!(
            ctx,
            at,
            &ops::DESCRIBE_INTERNET_GATEWAYS,
            c.describe_internet_gateways(),
            internet_gateways
        ),
        paged!(
            ctx,
            at,
            &ops::DESCRIBE_EGRESS_ONLY_INTERNET_GATEWAYS,
            c.describe_egress_only_internet_gateways(),
            egress_only_internet_gateways
        ),
        paged!(
            ctx,
            at,
            &ops::DESCRIBE_NAT_GATEWAYS,
            c.describe_nat_gateways(),
            nat_gateways
        ),
        paged!(
            ctx,
            at,
            &ops::DESCRIBE_NETWORK_ACLS,
            c.describe_network_acls(),
            network_acls
        ),
        paged!(
            ctx,
            at,
            &ops::DESCRIBE_SECURITY_GROUPS,
            c.describe_security_groups(),
            security_groups
        ),
        paged!(
            ctx,
            at,
            &ops::DESCRIBE_NETWORK_INTERFACES,
            c.describe_network_interfaces(),
            network_interfaces
        ),
        paged!(
            ctx,
            at,
            &ops::DESCRIBE_INSTANCES,
            c.describe_instances(),
            reservations
        ),
        paged!(
            ctx,
            at,
            &ops::DESCRIBE_VPC_PEERING_CONNECTIONS,
            c.describe_vpc_peering_connections(),
            vpc_peering_connections
        ),
        paged!(
            ctx,
            at,
            &ops::DESCRIBE_MANAGED_PREFIX_LISTS,
            c.describe_managed_prefix_lists(),
            prefix_lists
        ),
        paged!(
            ctx,
            at,
            &ops::DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS,
            c.describe_transit_gateway_attachments(),
            transit_gateway_attachments
        ),
        paged!(
            ctx,
            at,
            &ops::DESCRIBE_VOLUMES,
            c.describe_volumes(),
            volumes
        ),
        paged!(
            ctx,
            at,
            &ops::DESCRIBE_FLOW_LOGS,
            c.describe_flow_logs(),
            flow_logs
        ),
        ctx.call(at, &ops::GET_EBS_ENCRYPTION_BY_DEFAULT, async {
            c.get_ebs_encryption_by_default()
                .send()
                .await
                .map(|o| o.ebs_encryption_by_default())
                .map_err(|e| reason(&e))
        }),
    );
    let mut put = |op: &Operation, items: Option<Vec<Value>>| {
        if let (Some(items), Some(key)) = (items, op.list_field) {
            folder.put(op, None, json!({ key: items }));
        }
    };
    // Prefix lists named by security group rules or routes: their entries.
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    for g in sgs.iter().flatten() {
        for p in g.ip_permissions().iter().chain(g.ip_permissions_egress()) {
            wanted.extend(
                p.prefix_list_ids()
                    .iter()
                    .filter_map(|x| x.prefix_list_id().map(str::to_string)),
            );
        }
    }
    for t in rts.iter().flatten() {
        wanted.extend(
            t.routes()
                .iter()
                .filter_map(|r| r.destination_prefix_list_id().map(str::to_string)),
        );
    }
    put(
        &ops::DESCRIBE_VPCS,
        vpcs.map(|v| v.iter().map(ec2::vpc).collect()),
    );
    put(
        &ops::DESCRIBE_VOLUMES,
        volumes.map(|v| v.iter().map(ec2::volume).collect()),
    );
    put(
        &ops::DESCRIBE_FLOW_LOGS,
        flow_logs.map(|v| v.iter().map(ec2::flow_log).collect()),
    );
    put(
        &ops::DESCRIBE_SUBNETS,
        subnets.map(|v| v.iter().map(ec2::subnet).collect()),
    );
    put(
        &ops::DESCRIBE_ROUTE_TABLES,
        rts.map(|v| v.iter().map(ec2::route_table).collect()),
    );
    put(
        &ops::DESCRIBE_INTERNET_GATEWAYS,
        igws.map(|v| v.iter().map(ec2::internet_gateway).collect()),
    );
    put(
        &ops::DESCRIBE_EGRESS_ONLY_INTERNET_GATEWAYS,
        eigws.map(|v| v.iter().map(ec2::egress_only_gateway).collect()),
    );
    put(
        &ops::DESCRIBE_NAT_GATEWAYS,
        nats.map(|v| v.iter().map(ec2::nat_gateway).collect()),
    );
    put(
        &ops::DESCRIBE_NETWORK_ACLS,
        acls.map(|v| v.iter().map(ec2::network_acl).collect()),
    );
    put(
        &ops::DESCRIBE_SECURITY_GROUPS,
        sgs.map(|v| v.iter().map(ec2::security_group).collect()),
    );
    put(
        &ops::DESCRIBE_NETWORK_INTERFACES,
        enis.map(|v| v.iter().map(ec2::network_interface).collect()),
    );
    put(
        &ops::DESCRIBE_INSTANCES,
        reservations.map(|v| v.iter().map(ec2::reservation).collect()),
    );
    put(
        &ops::DESCRIBE_VPC_PEERING_CONNECTIONS,
        peerings.map(|v| v.iter().map(ec2::peering).collect()),
    );
    put(
        &ops::DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS,
        tgws.map(|v| v.iter().map(ec2::transit_gateway_attachment).collect()),
    );
    let known: Vec<String> = lists
        .iter()
        .flatten()
        .filter_map(|l| l.prefix_list_id().map(str::to_string))
        .collect();
    put(
        &ops::DESCRIBE_MANAGED_PREFIX_LISTS,
        lists.map(|v| v.iter().map(ec2::prefix_list).collect()),
    );
    if let Some(on) = ebs_default {
        folder.put(
            &ops::GET_EBS_ENCRYPTION_BY_DEFAULT,
            None,
            ec2::ebs_encryption_by_default(on),
        );
    }
    // DescribeAddresses does not paginate.
    if let Some(addresses) = ctx
        .call(at, &ops::DESCRIBE_ADDRESSES, async {
            c.describe_addresses()
                .send()
                .await
                .map(|o| o.addresses().to_vec())
                .map_err(|e| reason(&e))
        })
        .await
    {
        folder.put(
            &ops::DESCRIBE_ADDRESSES,
            None,
            json!({"Addresses": addresses.iter().map(ec2::address).collect::<Vec<_>>()}),
        );
    }
    for pl in wanted.into_iter().filter(|p| known.contains(p)) {
        let entries = paged!(
            ctx,
            at,
            &ops::GET_MANAGED_PREFIX_LIST_ENTRIES,
            c.get_managed_prefix_list_entries().prefix_list_id(&pl),
            entries
        )
        .await;
        if let Some(entries) = entries {
            folder.put(
                &ops::GET_MANAGED_PREFIX_LIST_ENTRIES,
                Some(pl),
                ec2::prefix_list_entries(&entries),
            );
        }
    }
    let ec2_gaps = ctx
        .gaps
        .lock()
        .map(|g| {
            g.iter()
                .filter(|x| {
                    x.account == account
                        && x.region.as_deref() == Some(region)
                        && x.service == "ec2"
                })
                .count()
        })
        .unwrap_or(0);
    ctx.say(Progress::Finished {
        account: account.into(),
        region: Some(region.into()),
        service: ops::Service::Ec2.prefix(),
        gaps: ec2_gaps,
    });

    folder
}

async fn load_balancing(ctx: &Ctx, account: &str, region: &str, cfg: &SdkConfig) -> MemoryFolder {
    use aws_sdk_elasticloadbalancingv2 as elb;
    let at = (account, Some(region));
    let svc = ops::Service::Elbv2.prefix();
    ctx.say(Progress::Started {
        account: account.into(),
        region: Some(region.into()),
        service: svc,
    });
    let c = client!(elb, cfg, ctx);
    // Load balancers then their listeners, and target groups then their
    // targets' health: two chains, side by side.
    let (mut folder, tgs) = tokio::join!(load_balancers(ctx, at, &c), target_groups(ctx, at, &c));
    folder.absorb(tgs);
    ctx.say(Progress::Finished {
        account: account.into(),
        region: Some(region.into()),
        service: svc,
        gaps: 0,
    });
    folder
}

/// Load balancers, then the listeners of each.
async fn load_balancers(
    ctx: &Ctx,
    at: (&str, Option<&str>),
    c: &aws_sdk_elasticloadbalancingv2::Client,
) -> MemoryFolder {
    let mut folder = MemoryFolder::default();
    let Some(lbs) = paged!(
        ctx,
        at,
        &ops::DESCRIBE_LOAD_BALANCERS,
        c.describe_load_balancers(),
        load_balancers
    )
    .await
    else {
        return folder;
    };
    folder.put(
        &ops::DESCRIBE_LOAD_BALANCERS,
        None,
        json!({"LoadBalancers": lbs.iter().map(elbv2::load_balancer).collect::<Vec<_>>()}),
    );
    // Listeners are listed per load balancer: the API has no other way.
    let calls = lbs
        .iter()
        .filter_map(|l| l.load_balancer_arn())
        .map(|arn| async move {
            let listeners = paged!(
                ctx,
                at,
                &ops::DESCRIBE_LISTENERS,
                c.describe_listeners().load_balancer_arn(arn),
                listeners
            )
            .await;
            (arn.to_string(), listeners)
        });
    for (arn, listeners) in join_all(calls).await {
        if let Some(listeners) = listeners {
            folder.put(
                &ops::DESCRIBE_LISTENERS,
                Some(arn),
                elbv2::listeners(&listeners),
            );
        }
    }
    folder
}

/// Target groups, then the health of each one's targets.
async fn target_groups(
    ctx: &Ctx,
    at: (&str, Option<&str>),
    c: &aws_sdk_elasticloadbalancingv2::Client,
) -> MemoryFolder {
    let mut folder = MemoryFolder::default();
    let Some(tgs) = paged!(
        ctx,
        at,
        &ops::DESCRIBE_TARGET_GROUPS,
        c.describe_target_groups(),
        target_groups
    )
    .await
    else {
        return folder;
    };
    folder.put(
        &ops::DESCRIBE_TARGET_GROUPS,
        None,
        json!({"TargetGroups": tgs.iter().map(elbv2::target_group).collect::<Vec<_>>()}),
    );
    let calls = tgs
        .iter()
        .filter_map(|t| t.target_group_arn())
        .map(|arn| async move {
            let health = ctx
                .call(at, &ops::DESCRIBE_TARGET_HEALTH, async {
                    c.describe_target_health()
                        .target_group_arn(arn)
                        .send()
                        .await
                        .map(|o| o.target_health_descriptions().to_vec())
                        .map_err(|e| reason(&e))
                })
                .await;
            (arn.to_string(), health)
        });
    for (arn, health) in join_all(calls).await {
        if let Some(health) = health {
            folder.put(
                &ops::DESCRIBE_TARGET_HEALTH,
                Some(arn),
                elbv2::target_healths(&health),
            );
        }
    }
    folder
}

/// GuardDuty: detectors, then findings (ListFindings, then GetFindings in
/// batches of 50).
pub async fn guardduty_with(
    ctx: &Ctx,
    account: &str,
    region: &str,
    c: &aws_sdk_guardduty::Client,
    archived: bool,
) -> MemoryFolder {
    let at = (account, Some(region));
    let mut folder = MemoryFolder::default();
    let Some(ids) = paged!(
        ctx,
        at,
        &ops::LIST_DETECTORS,
        c.list_detectors(),
        detector_ids
    )
    .await
    else {
        return folder;
    };
    folder.put(&ops::LIST_DETECTORS, None, json!({"DetectorIds": ids}));
    for id in &ids {
        // The detector's settings and its findings do not wait on each other.
        let detector = ctx.call(at, &ops::GET_DETECTOR, async {
            c.get_detector()
                .detector_id(id)
                .send()
                .await
                .map_err(|e| reason(&e))
        });
        let (detector, findings) = tokio::join!(detector, findings(ctx, at, c, id, archived));
        if let Some(d) = detector {
            folder.put(
                &ops::GET_DETECTOR,
                Some(id.clone()),
                guardduty::detector(&d),
            );
        }
        let Some(findings) = findings else {
            continue;
        };
        folder.put(
            &ops::GET_FINDINGS,
            Some(id.clone()),
            guardduty::findings(&findings),
        );
    }
    folder
}

/// A detector's findings: ListFindings to the last page, then GetFindings
/// in batches of 50. `None` when the listing failed (a gap).
async fn findings(
    ctx: &Ctx,
    at: (&str, Option<&str>),
    c: &aws_sdk_guardduty::Client,
    id: &str,
    archived: bool,
) -> Option<Vec<aws_sdk_guardduty::types::Finding>> {
    let mut request = c.list_findings().detector_id(id);
    if !archived {
        let criterion = aws_sdk_guardduty::types::Condition::builder()
            .equals("false")
            .build();
        request = request.finding_criteria(
            aws_sdk_guardduty::types::FindingCriteria::builder()
                .criterion("service.archived", criterion)
                .build(),
        );
    }
    let finding_ids = paged!(ctx, at, &ops::LIST_FINDINGS, request, finding_ids).await?;
    let mut findings = Vec::new();
    for batch in finding_ids.chunks(50) {
        let got = ctx
            .call(at, &ops::GET_FINDINGS, async {
                c.get_findings()
                    .detector_id(id)
                    .set_finding_ids(Some(batch.to_vec()))
                    .send()
                    .await
                    .map(|o| o.findings().to_vec())
                    .map_err(|e| reason(&e))
            })
            .await;
        findings.extend(got.unwrap_or_default());
    }
    Some(findings)
}

async fn guardduty(
    ctx: &Ctx,
    account: &str,
    region: &str,
    cfg: &SdkConfig,
    archived: bool,
) -> MemoryFolder {
    ctx.say(Progress::Started {
        account: account.into(),
        region: Some(region.into()),
        service: ops::Service::GuardDuty.prefix(),
    });
    let c = client!(aws_sdk_guardduty, cfg, ctx);
    let f = guardduty_with(ctx, account, region, &c, archived).await;
    ctx.say(Progress::Finished {
        account: account.into(),
        region: Some(region.into()),
        service: ops::Service::GuardDuty.prefix(),
        gaps: 0,
    });
    f
}

/// The credential report: asked for, polled until IAM has it, then read.
pub async fn credential_report(
    ctx: &Ctx,
    at: (&str, Option<&str>),
    iam: &aws_sdk_iam::Client,
) -> Option<serde_json::Value> {
    ctx.call(at, &ops::GET_CREDENTIAL_REPORT, async {
        // Ask for a report (IAM answers COMPLETE at once when it has one
        // under four hours old), then poll until it is ready: at once (the
        // round trip is the first wait), then less and less often, about
        // half a minute in all.
        let mut wait = std::time::Duration::ZERO;
        for _ in 0..20 {
            let state = iam
                .generate_credential_report()
                .send()
                .await
                .map_err(|e| reason(&e))?;
            if state.state().is_some_and(|s| s.as_str() == "COMPLETE") {
                break;
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).clamp(
                std::time::Duration::from_millis(200),
                std::time::Duration::from_secs(2),
            );
        }
        let r = iam
            .get_credential_report()
            .send()
            .await
            .map_err(|e| reason(&e))?;
        Ok(iam::credential_report(&r))
    })
    .await
}

/// IAM (authorization details, password policy, summary, credential
/// report), STS and Organizations.
async fn global(ctx: &Ctx, account: &str, cfg: &SdkConfig) -> MemoryFolder {
    let at = (account, None);
    let mut folder = MemoryFolder::default();
    ctx.say(Progress::Started {
        account: account.into(),
        region: None,
        service: ops::Service::Iam.prefix(),
    });
    let iam = client!(aws_sdk_iam, cfg, ctx);
    let sts = client!(aws_sdk_sts, cfg, ctx);
    let org = client!(aws_sdk_organizations, cfg, ctx);
    // None of these depends on another: all at once.
    let identity = ctx.call(at, &ops::GET_CALLER_IDENTITY, async {
        let me = sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| reason(&e))?;
        Ok(iam::caller_identity(&me))
    });
    let details = ctx.call(at, &ops::GET_ACCOUNT_AUTHORIZATION_DETAILS, async {
        let mut users = Vec::new();
        let mut groups = Vec::new();
        let mut roles = Vec::new();
        let mut policies = Vec::new();
        let mut pages = iam
            .get_account_authorization_details()
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| reason(&e))?;
            ctx.page(ops::Service::Iam.prefix());
            users.extend_from_slice(page.user_detail_list());
            groups.extend_from_slice(page.group_detail_list());
            roles.extend_from_slice(page.role_detail_list());
            policies.extend_from_slice(page.policies());
        }
        Ok(iam::authorization_details(
            &users, &groups, &roles, &policies,
        ))
    });
    // No password policy is an answer (NoSuchEntity), not a failure.
    let password = ctx.call(at, &ops::GET_ACCOUNT_PASSWORD_POLICY, async {
        match iam.get_account_password_policy().send().await {
            Ok(o) => Ok(iam::password_policy(o.password_policy())),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_no_such_entity_exception()) =>
            {
                Ok(iam::password_policy(None))
            }
            Err(e) => Err(reason(&e)),
        }
    });
    let summary = ctx.call(at, &ops::GET_ACCOUNT_SUMMARY, async {
        let s = iam
            .get_account_summary()
            .send()
            .await
            .map_err(|e| reason(&e))?;
        Ok(iam::account_summary(s.summary_map()))
    });
    let aliases = ctx.call(at, &ops::LIST_ACCOUNT_ALIASES, async {
        let a = iam
            .list_account_aliases()
            .send()
            .await
            .map_err(|e| reason(&e))?;
        Ok(iam::account_aliases(a.account_aliases()))
    });
    let virtual_mfa = ctx.call(at, &ops::LIST_VIRTUAL_MFA_DEVICES, async {
        let mut devices = Vec::new();
        let mut pages = iam.list_virtual_mfa_devices().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| reason(&e))?;
            ctx.page(ops::Service::Iam.prefix());
            devices.extend_from_slice(page.virtual_mfa_devices());
        }
        Ok(iam::virtual_mfa_devices(&devices))
    });
    let report = credential_report(ctx, at, &iam);
    // Organizations: only the management account (or a delegated
    // administrator) may list accounts; elsewhere that is no gap.
    let organization = async {
        let mut pages = org.list_accounts().into_paginator().send();
        let mut accounts = Vec::new();
        while let Some(page) = pages.next().await {
            match page {
                Ok(p) => {
                    ctx.page(ops::Service::Organizations.prefix());
                    accounts.extend_from_slice(p.accounts());
                }
                Err(e) => {
                    tracing::info!(
                        "organizations: {} (not the management account?)",
                        reason(&e)
                    );
                    return None;
                }
            }
        }
        if accounts.is_empty() {
            return None;
        }
        let described = org
            .describe_organization()
            .send()
            .await
            .ok()
            .and_then(|o| o.organization().map(org::organization));
        let tree = organization_tree(ctx, (account, None), &org).await;
        Some((org::accounts(&accounts), described, tree))
    };
    // The credential report's chain is the longest: it goes first.
    let (report, identity, details, password, summary, aliases, virtual_mfa, organization, buckets) = tokio::join!(
        report,
        identity,
        details,
        password,
        summary,
        aliases,
        virtual_mfa,
        organization,
        super::storage::s3(ctx, account, cfg)
    );
    folder.absorb(buckets);
    if let Some(v) = identity {
        folder.put(&ops::GET_CALLER_IDENTITY, None, v);
    }
    if let Some(v) = details {
        folder.put(&ops::GET_ACCOUNT_AUTHORIZATION_DETAILS, None, v);
    }
    if let Some(v) = password {
        folder.put(&ops::GET_ACCOUNT_PASSWORD_POLICY, None, v);
    }
    if let Some(v) = summary {
        folder.put(&ops::GET_ACCOUNT_SUMMARY, None, v);
    }
    if let Some(v) = aliases {
        folder.put(&ops::LIST_ACCOUNT_ALIASES, None, v);
    }
    if let Some(v) = report {
        folder.put(&ops::GET_CREDENTIAL_REPORT, None, v);
    }
    if let Some(v) = virtual_mfa {
        folder.put(&ops::LIST_VIRTUAL_MFA_DEVICES, None, v);
    }
    if let Some((accounts, described, tree)) = organization {
        folder.put(&ops::LIST_ACCOUNTS, None, accounts);
        if let Some(d) = described {
            folder.put(&ops::DESCRIBE_ORGANIZATION, None, d);
        }
        for (op, param, value) in tree {
            folder.put(op, param, value);
        }
    }
    ctx.say(Progress::Finished {
        account: account.into(),
        region: None,
        service: ops::Service::Iam.prefix(),
        gaps: 0,
    });
    folder
}

/// The organization's tree from its root down, level by level (the OUs
/// and accounts of each parent together), then its service control
/// policies with their documents and targets. Only called where the
/// account list could be read, so a failure here is a gap: the answers
/// then say that SCPs were not known.
async fn organization_tree(
    ctx: &Ctx,
    at: (&str, Option<&str>),
    client: &aws_sdk_organizations::Client,
) -> Vec<(&'static Operation, Option<String>, Value)> {
    let mut out: Vec<(&'static Operation, Option<String>, Value)> = Vec::new();
    let Some(roots) = paged!(ctx, at, &ops::LIST_ROOTS, client.list_roots(), roots).await else {
        return out;
    };
    let mut level: Vec<String> = roots
        .iter()
        .filter_map(|r| r.id().map(str::to_string))
        .collect();
    out.push((&ops::LIST_ROOTS, None, org::roots(&roots)));
    // An organization is at most five OUs deep; the bound guards against
    // an answer that loops.
    for _ in 0..8 {
        if level.is_empty() {
            break;
        }
        let calls = level.iter().map(|parent| async move {
            let units = paged!(
                ctx,
                at,
                &ops::LIST_ORGANIZATIONAL_UNITS_FOR_PARENT,
                client
                    .list_organizational_units_for_parent()
                    .parent_id(parent),
                organizational_units
            )
            .await;
            let accounts = paged!(
                ctx,
                at,
                &ops::LIST_ACCOUNTS_FOR_PARENT,
                client.list_accounts_for_parent().parent_id(parent),
                accounts
            )
            .await;
            (parent.clone(), units, accounts)
        });
        let mut next = Vec::new();
        for (parent, units, accounts) in join_all(calls).await {
            if let Some(units) = units {
                next.extend(units.iter().filter_map(|u| u.id().map(str::to_string)));
                out.push((
                    &ops::LIST_ORGANIZATIONAL_UNITS_FOR_PARENT,
                    Some(parent.clone()),
                    org::units(&units),
                ));
            }
            if let Some(accounts) = accounts {
                out.push((
                    &ops::LIST_ACCOUNTS_FOR_PARENT,
                    Some(parent),
                    org::accounts(&accounts),
                ));
            }
        }
        level = next;
    }
    let Some(policies) = paged!(
        ctx,
        at,
        &ops::LIST_POLICIES,
        client
            .list_policies()
            .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy),
        policies
    )
    .await
    else {
        return out;
    };
    let calls = policies.iter().filter_map(|p| p.id()).map(|id| async move {
        let described = ctx
            .call(at, &ops::DESCRIBE_POLICY, async {
                client
                    .describe_policy()
                    .policy_id(id)
                    .send()
                    .await
                    .map_err(|e| reason(&e))
            })
            .await;
        let targets = paged!(
            ctx,
            at,
            &ops::LIST_TARGETS_FOR_POLICY,
            client.list_targets_for_policy().policy_id(id),
            targets
        )
        .await;
        (id.to_string(), described, targets)
    });
    for (id, described, targets) in join_all(calls).await {
        if let Some(p) = described.as_ref().and_then(|d| d.policy()) {
            out.push((&ops::DESCRIBE_POLICY, Some(id.clone()), org::policy(p)));
        }
        if let Some(t) = targets {
            out.push((&ops::LIST_TARGETS_FOR_POLICY, Some(id), org::targets(&t)));
        }
    }
    out.push((&ops::LIST_POLICIES, None, org::policies(&policies)));
    out
}

/// Run futures concurrently (the concurrency bound is the context's).
pub(super) async fn join_all<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(f);
    }
    let mut out = Vec::with_capacity(set.len());
    // Poll them together: each awaits its permit inside.
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = set.into_iter().map(Box::pin).collect();
    let results = std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if out.len() <= i {
                out.push(None);
            }
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(std::mem::take(&mut out))
        }
    })
    .await;
    results.into_iter().flatten().collect()
}
