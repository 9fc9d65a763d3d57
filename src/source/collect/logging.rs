//! CloudTrail and AWS Config in one region: the trails (shadow trails
//! included) with, for those whose home is this region, their status and
//! event selectors; the configuration recorders and their status.

use aws_config::SdkConfig;

use super::json::logging as json;
use super::{Ctx, Progress, reason};
use crate::source::import::read::MemoryFolder;
use crate::source::operations as ops;

pub(super) async fn region(
    ctx: &Ctx,
    account: &str,
    region: &str,
    cfg: &SdkConfig,
) -> MemoryFolder {
    let (mut folder, config) = tokio::join!(
        cloudtrail(ctx, account, region, cfg),
        config(ctx, account, region, cfg)
    );
    folder.absorb(config);
    folder
}

async fn cloudtrail(ctx: &Ctx, account: &str, region: &str, cfg: &SdkConfig) -> MemoryFolder {
    ctx.say(Progress::Started {
        account: account.into(),
        region: Some(region.into()),
        service: ops::Service::CloudTrail.prefix(),
    });
    let folder =
        cloudtrail_with(ctx, account, region, &client!(aws_sdk_cloudtrail, cfg, ctx)).await;
    ctx.say(Progress::Finished {
        account: account.into(),
        region: Some(region.into()),
        service: ops::Service::CloudTrail.prefix(),
        gaps: 0,
    });
    folder
}

/// One region's trails through `c`: all of them, shadows included, and
/// for those at home here their status and event selectors.
pub async fn cloudtrail_with(
    ctx: &Ctx,
    account: &str,
    region: &str,
    c: &aws_sdk_cloudtrail::Client,
) -> MemoryFolder {
    let at = (account, Some(region));
    let mut folder = MemoryFolder::default();
    let trails = ctx
        .call(at, &ops::DESCRIBE_TRAILS, async {
            c.describe_trails()
                .include_shadow_trails(true)
                .send()
                .await
                .map(|o| o.trail_list().to_vec())
                .map_err(|e| reason(&e))
        })
        .await;
    if let Some(trails) = trails {
        folder.put(&ops::DESCRIBE_TRAILS, None, json::trails(&trails));
        // Status and selectors are asked in the trail's home region only:
        // elsewhere it is a shadow, and its home answers for it.
        for t in trails.iter().filter(|t| t.home_region() == Some(region)) {
            let Some(arn) = t.trail_arn() else { continue };
            let status = ctx.call(at, &ops::GET_TRAIL_STATUS, async {
                c.get_trail_status()
                    .name(arn)
                    .send()
                    .await
                    .map(|o| o.is_logging())
                    .map_err(|e| reason(&e))
            });
            let selectors = ctx.call(at, &ops::GET_EVENT_SELECTORS, async {
                c.get_event_selectors()
                    .trail_name(arn)
                    .send()
                    .await
                    .map_err(|e| reason(&e))
            });
            let (status, selectors) = tokio::join!(status, selectors);
            if let Some(s) = status {
                folder.put(
                    &ops::GET_TRAIL_STATUS,
                    Some(arn.to_string()),
                    json::trail_status(s),
                );
            }
            if let Some(s) = selectors {
                folder.put(
                    &ops::GET_EVENT_SELECTORS,
                    Some(arn.to_string()),
                    json::event_selectors(
                        s.trail_arn(),
                        s.event_selectors(),
                        s.advanced_event_selectors(),
                    ),
                );
            }
        }
    }
    folder
}

async fn config(ctx: &Ctx, account: &str, region: &str, cfg: &SdkConfig) -> MemoryFolder {
    config_with(ctx, account, region, &client!(aws_sdk_config, cfg, ctx)).await
}

/// One region's configuration recorders and their status through `c`.
pub async fn config_with(
    ctx: &Ctx,
    account: &str,
    region: &str,
    c: &aws_sdk_config::Client,
) -> MemoryFolder {
    let at = (account, Some(region));
    let mut folder = MemoryFolder::default();
    let recorders = ctx.call(at, &ops::DESCRIBE_CONFIGURATION_RECORDERS, async {
        c.describe_configuration_recorders()
            .send()
            .await
            .map(|o| o.configuration_recorders().to_vec())
            .map_err(|e| reason(&e))
    });
    let statuses = ctx.call(at, &ops::DESCRIBE_CONFIGURATION_RECORDER_STATUS, async {
        c.describe_configuration_recorder_status()
            .send()
            .await
            .map(|o| o.configuration_recorders_status().to_vec())
            .map_err(|e| reason(&e))
    });
    let (recorders, statuses) = tokio::join!(recorders, statuses);
    if let Some(r) = recorders {
        folder.put(
            &ops::DESCRIBE_CONFIGURATION_RECORDERS,
            None,
            json::recorders(&r),
        );
    }
    if let Some(s) = statuses {
        folder.put(
            &ops::DESCRIBE_CONFIGURATION_RECORDER_STATUS,
            None,
            json::recorder_statuses(&s),
        );
    }
    folder
}
