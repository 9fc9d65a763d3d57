//! CloudTrail trails, AWS Config recorders and VPC flow logs as the AWS
//! CLI writes them, into model nodes.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::read::{Items, OrError};
use super::{Ctx, Sink};
use crate::model::{self as m, Node, NodeData};

#[derive(Deserialize)]
pub struct Trails {
    #[serde(rename = "trailList", default)]
    trails: Items<TrailShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrailShape {
    name: String,
    #[serde(rename = "TrailARN")]
    trail_arn: Option<String>,
    home_region: Option<String>,
    #[serde(default)]
    is_multi_region_trail: bool,
    #[serde(default)]
    is_organization_trail: bool,
    s3_bucket_name: Option<String>,
    kms_key_id: Option<String>,
    #[serde(default)]
    log_file_validation_enabled: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrailStatus {
    is_logging: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventSelectorsShape {
    #[serde(default)]
    event_selectors: Vec<BasicShape>,
    #[serde(default)]
    advanced_event_selectors: Vec<AdvancedShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BasicShape {
    read_write_type: Option<String>,
    include_management_events: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AdvancedShape {
    name: Option<String>,
    #[serde(default)]
    field_selectors: Vec<FieldShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FieldShape {
    field: String,
    #[serde(default)]
    equals: Vec<String>,
    #[serde(default)]
    not_equals: Vec<String>,
}

fn selectors(s: EventSelectorsShape) -> m::EventSelectors {
    m::EventSelectors {
        basic: s
            .event_selectors
            .into_iter()
            .map(|b| m::BasicSelector {
                // CloudTrail's defaults when a selector leaves them out.
                read_write_type: b.read_write_type.unwrap_or_else(|| "All".into()),
                include_management_events: b.include_management_events.unwrap_or(true),
            })
            .collect(),
        advanced: s
            .advanced_event_selectors
            .into_iter()
            .map(|a| m::AdvancedSelector {
                name: a.name,
                fields: a
                    .field_selectors
                    .into_iter()
                    .map(|f| m::FieldSelector {
                        field: f.field,
                        equals: f.equals,
                        not_equals: f.not_equals,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The per-trail files, by the name or ARN they are named after.
pub struct TrailDetails {
    pub status: BTreeMap<String, OrError<TrailStatus>>,
    pub selectors: BTreeMap<String, OrError<EventSelectorsShape>>,
}

/// A per-trail answer, named after the trail's ARN or its name.
fn take<T>(answers: &mut BTreeMap<String, T>, arn: &str, name: &str) -> Option<T> {
    answers.remove(arn).or_else(|| answers.remove(name))
}

/// Trails listed in a region (shadow trails included: the same trail is
/// listed in every region it covers); each becomes one node in its home
/// region, whichever region listed it.
pub fn trails(ctx: &Ctx, r: Trails, details: &mut TrailDetails, out: &mut Sink) {
    for t in r.trails {
        let home = t.home_region.clone().unwrap_or_else(|| ctx.region.clone());
        let arn = t.trail_arn.clone().unwrap_or_else(|| {
            format!("arn:aws:cloudtrail:{home}:{}:trail/{}", ctx.account, t.name)
        });
        // An organization trail listed in a member account belongs to the
        // management account: its ARN says which.
        let account = arn.split(':').nth(4).unwrap_or(&ctx.account).to_string();
        let logging = take(&mut details.status, &arn, &t.name).and_then(|s| match s {
            OrError::Answer(s) => s.is_logging,
            OrError::Error { .. } => None,
        });
        let selectors = take(&mut details.selectors, &arn, &t.name).and_then(|s| match s {
            OrError::Answer(s) => Some(selectors(s)),
            OrError::Error { .. } => None,
        });
        let data = m::Trail {
            home_region: Some(home.clone()),
            multi_region: t.is_multi_region_trail,
            organization: t.is_organization_trail,
            bucket: t.s3_bucket_name,
            kms_key_id: t.kms_key_id,
            log_file_validation: t.log_file_validation_enabled,
            logging,
            selectors,
        };
        if let Some(n) = out.find_mut(&arn) {
            if let NodeData::Trail(old) = &mut n.data {
                old.logging = old.logging.or(data.logging);
                if old.selectors.is_none() {
                    old.selectors = data.selectors;
                }
            }
            continue;
        }
        out.push(
            Node::new(&arn, account, NodeData::Trail(data))
                .with_arn(&arn)
                .with_name(&t.name)
                .in_region(home),
        );
    }
}

#[derive(Deserialize)]
pub struct Recorders {
    #[serde(rename = "ConfigurationRecorders", default)]
    recorders: Items<RecorderShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecorderShape {
    name: String,
    #[serde(rename = "roleARN")]
    role_arn: Option<String>,
    recording_group: Option<RecordingGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordingGroup {
    all_supported: Option<bool>,
    include_global_resource_types: Option<bool>,
}

#[derive(Deserialize)]
pub struct RecorderStatuses {
    #[serde(rename = "ConfigurationRecordersStatus", default)]
    statuses: Items<RecorderStatusShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecorderStatusShape {
    name: String,
    recording: Option<bool>,
    last_status: Option<String>,
}

/// The region's recorders, with their status where it was read.
pub fn recorders(ctx: &Ctx, r: Recorders, statuses: &[RecorderStatuses], out: &mut Sink) {
    for rec in r.recorders {
        let status = statuses
            .iter()
            .flat_map(|s| s.statuses.iter())
            .find(|s| s.name == rec.name);
        let group = rec.recording_group.as_ref();
        let data = m::ConfigRecorder {
            role_arn: rec.role_arn,
            all_supported: group.and_then(|g| g.all_supported),
            include_global: group.and_then(|g| g.include_global_resource_types),
            recording: status.and_then(|s| s.recording),
            last_status: status.and_then(|s| s.last_status.clone()),
        };
        let id = format!(
            "{}/{}/config-recorder/{}",
            ctx.account, ctx.region, rec.name
        );
        out.push(
            Node::new(id, &ctx.account, NodeData::ConfigRecorder(data))
                .with_name(rec.name)
                .in_region(&ctx.region),
        );
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FlowLogs {
    #[serde(default)]
    flow_logs: Items<FlowLogShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FlowLogShape {
    flow_log_id: String,
    resource_id: String,
    flow_log_status: Option<String>,
    traffic_type: Option<String>,
    log_destination: Option<String>,
    log_group_name: Option<String>,
}

pub fn flow_logs(ctx: &Ctx, r: FlowLogs, out: &mut Sink) {
    for f in r.flow_logs {
        let data = m::FlowLog {
            resource_id: f.resource_id,
            status: f.flow_log_status,
            traffic_type: f.traffic_type,
            destination: f.log_destination.or(f.log_group_name),
        };
        out.push(
            Node::new(f.flow_log_id, &ctx.account, NodeData::FlowLog(data)).in_region(&ctx.region),
        );
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EbsDefault {
    ebs_encryption_by_default: Option<bool>,
}

/// The region's node, with EBS encryption by default.
pub fn ebs_default(ctx: &Ctx, r: EbsDefault, out: &mut Sink) {
    let id = crate::graph::region_node_id(&ctx.account, &ctx.region);
    let data = m::Region {
        ebs_encryption_by_default: r.ebs_encryption_by_default,
    };
    out.push(
        Node::new(id, &ctx.account, NodeData::Region(data))
            .in_region(&ctx.region)
            .with_name(&ctx.region),
    );
}
