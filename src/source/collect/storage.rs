//! Where data lives: S3 buckets (each asked in its own region: S3 does not
//! follow region redirects) and the account's Block Public Access, KMS keys
//! and RDS databases in each region. An answer that says there is none
//! (`NoSuchBucketPolicy`) is kept as that answer; any other error is a gap.

use std::collections::HashMap;

use aws_config::{Region, SdkConfig};
use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use serde_json::{Value, json};

use super::json::storage as json;
use super::{Ctx, Progress, guard, reason};
use crate::source::import::read::MemoryFolder;
use crate::source::operations::{self as ops, Operation};

/// The error codes that mean "asked, and there is none".
const NONE: &[&str] = &[
    "NoSuchBucketPolicy",
    "NoSuchPublicAccessBlockConfiguration",
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchEntity",
];

/// The answer, or the error answer when AWS says there is none.
fn or_none<T, E>(
    r: Result<T, SdkError<E, HttpResponse>>,
    ok: impl FnOnce(T) -> Value,
) -> Result<Value, String>
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    match r {
        Ok(v) => Ok(ok(v)),
        Err(e) => match e.as_service_error().and_then(|s| s.code()) {
            Some(code) if NONE.contains(&code) => Ok(json::error(code)),
            _ => Err(reason(&e)),
        },
    }
}

/// One endpoint for every S3 Control request.
#[derive(Debug)]
struct FixedEndpoint(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(
        &'a self,
        _params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(
            aws_smithy_types::endpoint::Endpoint::builder()
                .url(self.0.clone())
                .build(),
        ))
    }
}

fn s3_client(ctx: &Ctx, cfg: &SdkConfig, region: &str) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(cfg)
            .region(Region::new(region.to_string()))
            // An emulator or proxy at one address cannot take bucket names
            // as host names.
            .force_path_style(cfg.endpoint_url().is_some())
            .interceptor(guard::ReadOnly)
            .interceptor(ctx.attempts.clone())
            .retry_classifier(guard::RetryUnreadable)
            .build(),
    )
}

/// The account's buckets with their settings, and its Block Public Access.
pub(super) async fn s3(ctx: &Ctx, account: &str, cfg: &SdkConfig) -> MemoryFolder {
    let at = (account, None);
    let mut folder = MemoryFolder::default();
    ctx.say(Progress::Started {
        account: account.into(),
        region: None,
        service: ops::Service::S3.prefix(),
    });
    let mut control = aws_sdk_s3control::config::Builder::from(cfg)
        .region(Region::new("us-east-1"))
        .interceptor(guard::ReadOnly)
        .interceptor(ctx.attempts.clone())
        .retry_classifier(guard::RetryUnreadable);
    // S3 Control puts the account id in front of the host name; an
    // endpoint given by hand (an emulator, a proxy) is used as it is.
    if let Some(url) = cfg.endpoint_url() {
        control = control.endpoint_resolver(FixedEndpoint(url.to_string()));
    }
    let control = aws_sdk_s3control::Client::from_conf(control.build());
    let home = s3_client(ctx, cfg, "us-east-1");
    let account_block = ctx.call(at, &ops::GET_ACCOUNT_PUBLIC_ACCESS_BLOCK, async {
        or_none(
            control
                .get_public_access_block()
                .account_id(account)
                .send()
                .await,
            |o| {
                let c = o.public_access_block_configuration();
                json::public_access_block(
                    c.and_then(|c| c.block_public_acls()),
                    c.and_then(|c| c.ignore_public_acls()),
                    c.and_then(|c| c.block_public_policy()),
                    c.and_then(|c| c.restrict_public_buckets()),
                )
            },
        )
    });
    let listed = ctx.call(at, &ops::LIST_BUCKETS, async {
        home.list_buckets()
            .send()
            .await
            .map(|o| o.buckets().to_vec())
            .map_err(|e| reason(&e))
    });
    let (account_block, listed) = tokio::join!(account_block, listed);
    if let Some(v) = account_block {
        folder.put(&ops::GET_ACCOUNT_PUBLIC_ACCESS_BLOCK, None, v);
    }
    if let Some(buckets) = listed {
        folder.put(&ops::LIST_BUCKETS, None, json::buckets(&buckets));
        let names: Vec<String> = buckets
            .iter()
            .filter_map(|b| b.name().map(str::to_string))
            .collect();
        // One client per region, so that its connections are reused from
        // bucket to bucket rather than opened anew for each.
        let clients = Clients {
            cfg,
            ctx,
            by_region: std::sync::Mutex::new(HashMap::from([(
                "us-east-1".to_string(),
                home.clone(),
            )])),
        };
        let answers = super::services::join_all(
            names
                .iter()
                .map(|name| bucket(ctx, at, &clients, &home, name)),
        )
        .await;
        for answer in answers {
            for (op, name, value) in answer {
                folder.put(op, Some(name), value);
            }
        }
    }
    ctx.say(Progress::Finished {
        account: account.into(),
        region: None,
        service: ops::Service::S3.prefix(),
        gaps: 0,
    });
    folder
}

/// The S3 clients of one account, one per region, made when first needed.
struct Clients<'a> {
    cfg: &'a SdkConfig,
    ctx: &'a Ctx,
    by_region: std::sync::Mutex<HashMap<String, aws_sdk_s3::Client>>,
}

impl Clients<'_> {
    fn of(&self, region: &str) -> aws_sdk_s3::Client {
        let mut map = match self.by_region.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        map.entry(region.to_string())
            .or_insert_with(|| s3_client(self.ctx, self.cfg, region))
            .clone()
    }
}

/// One bucket: its location first, then its settings in its region.
async fn bucket(
    ctx: &Ctx,
    at: (&str, Option<&str>),
    clients: &Clients<'_>,
    home: &aws_sdk_s3::Client,
    name: &str,
) -> Vec<(&'static Operation, String, Value)> {
    let mut out = Vec::new();
    let Some(constraint) = ctx
        .call(at, &ops::GET_BUCKET_LOCATION, async {
            home.get_bucket_location()
                .bucket(name)
                .send()
                .await
                .map(|o| o.location_constraint().map(|c| c.as_str().to_string()))
                .map_err(|e| reason(&e))
        })
        .await
    else {
        return out;
    };
    out.push((
        &ops::GET_BUCKET_LOCATION,
        name.to_string(),
        json::location(constraint.as_deref()),
    ));
    let region = match constraint.as_deref() {
        None | Some("") => "us-east-1",
        Some("EU") => "eu-west-1",
        Some(r) => r,
    };
    let c = clients.of(region);
    let (policy, status, acl, block, encryption, logging, versioning) = tokio::join!(
        ctx.call(at, &ops::GET_BUCKET_POLICY, async {
            or_none(c.get_bucket_policy().bucket(name).send().await, |o| {
                json::policy(o.policy())
            })
        }),
        ctx.call(at, &ops::GET_BUCKET_POLICY_STATUS, async {
            or_none(
                c.get_bucket_policy_status().bucket(name).send().await,
                |o| json::policy_status(o.policy_status().and_then(|s| s.is_public())),
            )
        }),
        ctx.call(at, &ops::GET_BUCKET_ACL, async {
            or_none(c.get_bucket_acl().bucket(name).send().await, |o| {
                json::acl(o.grants())
            })
        }),
        ctx.call(at, &ops::GET_PUBLIC_ACCESS_BLOCK, async {
            or_none(c.get_public_access_block().bucket(name).send().await, |o| {
                let b = o.public_access_block_configuration();
                json::public_access_block(
                    b.and_then(|b| b.block_public_acls()),
                    b.and_then(|b| b.ignore_public_acls()),
                    b.and_then(|b| b.block_public_policy()),
                    b.and_then(|b| b.restrict_public_buckets()),
                )
            })
        }),
        ctx.call(at, &ops::GET_BUCKET_ENCRYPTION, async {
            or_none(c.get_bucket_encryption().bucket(name).send().await, |o| {
                json::encryption(
                    o.server_side_encryption_configuration()
                        .map(|c| c.rules())
                        .unwrap_or_default(),
                )
            })
        }),
        ctx.call(at, &ops::GET_BUCKET_LOGGING, async {
            or_none(c.get_bucket_logging().bucket(name).send().await, |o| {
                json::logging(o.logging_enabled())
            })
        }),
        ctx.call(at, &ops::GET_BUCKET_VERSIONING, async {
            or_none(c.get_bucket_versioning().bucket(name).send().await, |o| {
                json::versioning(o.status().map(|s| s.as_str()))
            })
        }),
    );
    for (op, v) in [
        (&ops::GET_BUCKET_POLICY, policy),
        (&ops::GET_BUCKET_POLICY_STATUS, status),
        (&ops::GET_BUCKET_ACL, acl),
        (&ops::GET_PUBLIC_ACCESS_BLOCK, block),
        (&ops::GET_BUCKET_ENCRYPTION, encryption),
        (&ops::GET_BUCKET_LOGGING, logging),
        (&ops::GET_BUCKET_VERSIONING, versioning),
    ] {
        if let Some(v) = v {
            out.push((op, name.to_string(), v));
        }
    }
    out
}

/// KMS keys and RDS databases in one region.
pub(super) async fn region(
    ctx: &Ctx,
    account: &str,
    region: &str,
    cfg: &SdkConfig,
) -> MemoryFolder {
    let (mut folder, databases) = tokio::join!(
        keys(ctx, account, region, cfg),
        databases(ctx, account, region, cfg)
    );
    folder.absorb(databases);
    folder
}

async fn keys(ctx: &Ctx, account: &str, region: &str, cfg: &SdkConfig) -> MemoryFolder {
    let at = (account, Some(region));
    let mut folder = MemoryFolder::default();
    let c = client!(aws_sdk_kms, cfg, ctx);
    let (keys, aliases) = tokio::join!(
        paged!(ctx, at, &ops::LIST_KEYS, c.list_keys(), keys),
        paged!(ctx, at, &ops::LIST_ALIASES, c.list_aliases(), aliases),
    );
    if let Some(a) = aliases {
        folder.put(
            &ops::LIST_ALIASES,
            None,
            json!({"Aliases": a.iter().map(json::alias).collect::<Vec<_>>()}),
        );
    }
    let Some(keys) = keys else { return folder };
    folder.put(
        &ops::LIST_KEYS,
        None,
        json!({"Keys": keys.iter().map(json::key).collect::<Vec<_>>()}),
    );
    let described = super::services::join_all(keys.iter().map(|k| {
        let c = &c;
        async move {
            let id = k.key_id()?.to_string();
            let meta = ctx
                .call(at, &ops::DESCRIBE_KEY, async {
                    c.describe_key()
                        .key_id(&id)
                        .send()
                        .await
                        .map(|o| o.key_metadata().cloned())
                        .map_err(|e| reason(&e))
                })
                .await
                .flatten();
            // Only customer managed keys can rotate on request; asking for
            // the others would be a gap for nothing.
            let customer = meta
                .as_ref()
                .and_then(|m| m.key_manager())
                .is_some_and(|m| m.as_str() == "CUSTOMER");
            let policy = ctx
                .call(at, &ops::GET_KEY_POLICY, async {
                    c.get_key_policy()
                        .key_id(&id)
                        .policy_name("default")
                        .send()
                        .await
                        .map(|o| json::policy(o.policy()))
                        .map_err(|e| reason(&e))
                })
                .await;
            let rotation = if customer {
                ctx.call(at, &ops::GET_KEY_ROTATION_STATUS, async {
                    c.get_key_rotation_status()
                        .key_id(&id)
                        .send()
                        .await
                        .map(|o| o.key_rotation_enabled())
                        .map_err(|e| reason(&e))
                })
                .await
            } else {
                None
            };
            Some((id, meta, rotation, policy))
        }
    }))
    .await;
    for (id, meta, rotation, policy) in described.into_iter().flatten() {
        if let Some(p) = policy {
            folder.put(&ops::GET_KEY_POLICY, Some(id.clone()), p);
        }
        if let Some(m) = meta {
            folder.put(&ops::DESCRIBE_KEY, Some(id.clone()), json::key_metadata(&m));
        }
        if let Some(r) = rotation {
            folder.put(&ops::GET_KEY_ROTATION_STATUS, Some(id), json::rotation(r));
        }
    }
    folder
}

async fn databases(ctx: &Ctx, account: &str, region: &str, cfg: &SdkConfig) -> MemoryFolder {
    let at = (account, Some(region));
    let mut folder = MemoryFolder::default();
    let c = client!(aws_sdk_rds, cfg, ctx);
    let found = paged!(
        ctx,
        at,
        &ops::DESCRIBE_DB_INSTANCES,
        c.describe_db_instances(),
        db_instances
    )
    .await;
    if let Some(list) = found {
        folder.put(
            &ops::DESCRIBE_DB_INSTANCES,
            None,
            json!({"DBInstances": list.iter().map(json::db_instance).collect::<Vec<_>>()}),
        );
    }
    folder
}
