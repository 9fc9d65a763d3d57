//! Who changed a resource: the management events of CloudTrail's event
//! history that name it, read live on demand (LookupEvents by resource
//! name, by access key id for a key, by user name for a user). AWS allows
//! two LookupEvents requests a second per account and region: the pages
//! are paced, and the reading stops at a bound and says so.

use std::time::Duration;

use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{CollectOptions, guard, reason};

/// What the events are looked up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    ResourceName(String),
    AccessKeyId(String),
    Username(String),
}

impl Lookup {
    /// An access key id (`AKIA…`, `ASIA…`) by its id, a user's ARN by its
    /// name, anything else (an id, an ARN, a bucket's name) as a resource
    /// name.
    pub fn of(text: &str) -> Lookup {
        let key_like = text.len() >= 16
            && (text.starts_with("AKIA") || text.starts_with("ASIA"))
            && text
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if key_like {
            return Lookup::AccessKeyId(text.to_string());
        }
        if let Some(rest) = text.strip_prefix("arn:aws:iam::")
            && let Some((_, user)) = rest.split_once(":user/")
        {
            let name = user.rsplit('/').next().unwrap_or(user);
            return Lookup::Username(name.to_string());
        }
        Lookup::ResourceName(text.to_string())
    }

    fn attribute(&self) -> Result<LookupAttribute, aws_sdk_cloudtrail::error::BuildError> {
        let (key, value) = match self {
            Lookup::ResourceName(v) => (LookupAttributeKey::ResourceName, v),
            Lookup::AccessKeyId(v) => (LookupAttributeKey::AccessKeyId, v),
            Lookup::Username(v) => (LookupAttributeKey::Username, v),
        };
        LookupAttribute::builder()
            .attribute_key(key)
            .attribute_value(value)
            .build()
    }

    /// `resource name i-0abc`, for messages.
    pub fn describe(&self) -> String {
        match self {
            Lookup::ResourceName(v) => format!("resource name {v}"),
            Lookup::AccessKeyId(v) => format!("access key id {v}"),
            Lookup::Username(v) => format!("user name {v}"),
        }
    }
}

/// One management event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub time: Option<DateTime<Utc>>,
    /// `AuthorizeSecurityGroupIngress`
    pub event: String,
    pub user: Option<String>,
    pub source_ip: Option<String>,
    /// The request's parameters, as CloudTrail recorded them.
    pub request: Option<serde_json::Value>,
    pub region: String,
}

/// How fast and how far to read.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// The wait before each request after the first.
    pub between: Duration,
    /// Pages read at most (fifty events each) per region.
    pub pages: usize,
}

impl Default for Pace {
    fn default() -> Pace {
        // Two a second is AWS's limit; a little under it leaves room.
        Pace {
            between: Duration::from_millis(550),
            pages: 10,
        }
    }
}

/// The lookups that find a resource's events: an access key by its id, a
/// user by its name, a role by its name and by its ARN (IAM's management
/// events name a role by its name, AssumeRole by its ARN), a bucket by its
/// name, anything else by its id (an instance's, a group's; a load
/// balancer's is its ARN).
pub fn lookups_for(
    kind: crate::model::NodeKind,
    id: &str,
    arn: Option<&str>,
    name: Option<&str>,
) -> Vec<Lookup> {
    use crate::model::NodeKind;
    let name = name.unwrap_or(id).to_string();
    let mut out = match kind {
        NodeKind::AccessKey => vec![Lookup::AccessKeyId(id.to_string())],
        NodeKind::IamUser => vec![Lookup::Username(name)],
        NodeKind::IamRole | NodeKind::Bucket => vec![Lookup::ResourceName(name)],
        _ => vec![Lookup::ResourceName(id.to_string())],
    };
    if let Some(arn) = arn
        && kind == NodeKind::IamRole
        && !out.contains(&Lookup::ResourceName(arn.to_string()))
    {
        out.push(Lookup::ResourceName(arn.to_string()));
    }
    out
}

/// The regions whose history holds a resource's events: its own region;
/// us-east-1 for IAM's (its events are recorded there); and for a key or a
/// user, whose calls may be made anywhere, every region in `anywhere`.
pub fn regions_for(own: Option<&str>, iam: bool, anywhere: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let candidates = own
        .map(str::to_string)
        .into_iter()
        .chain(iam.then(|| "us-east-1".to_string()))
        .chain(anywhere.iter().cloned());
    for r in candidates {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// Where to read: the account the resource is in (`None`: whichever the
/// credentials are for) and its regions (empty: the home region).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub account: Option<String>,
    pub regions: Vec<String>,
}

/// What one region's event history said.
#[derive(Debug, Clone, Default, Serialize)]
pub struct History {
    pub events: Vec<Event>,
    /// Regions whose history could not be read, and why.
    pub gaps: Vec<String>,
    /// The bound stopped the reading before the history ended.
    pub truncated: bool,
}

/// The events of one region naming `lookup` between `start` and `end`.
pub async fn history_with_client(
    client: &aws_sdk_cloudtrail::Client,
    region: &str,
    lookup: &Lookup,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    pace: Pace,
) -> History {
    let mut out = History::default();
    let attribute = match lookup.attribute() {
        Ok(a) => a,
        Err(e) => {
            out.gaps.push(format!("{}: {e}", lookup.describe()));
            return out;
        }
    };
    let mut token: Option<String> = None;
    for page in 0..pace.pages {
        if page > 0 {
            tokio::time::sleep(pace.between).await;
        }
        let answer = client
            .lookup_events()
            .lookup_attributes(attribute.clone())
            .start_time(aws_smithy_types::DateTime::from_secs(start.timestamp()))
            .end_time(aws_smithy_types::DateTime::from_secs(end.timestamp()))
            .max_results(50)
            .set_next_token(token.take())
            .send()
            .await;
        let answer = match answer {
            Ok(a) => a,
            Err(e) => {
                out.gaps.push(format!(
                    "cloudtrail:LookupEvents in {region} for {}: {}",
                    lookup.describe(),
                    reason(&e)
                ));
                return out;
            }
        };
        for e in answer.events() {
            out.events.push(event(e, region));
        }
        token = answer.next_token().map(str::to_string);
        if token.is_none() {
            return out;
        }
    }
    out.truncated = true;
    out
}

fn event(e: &aws_sdk_cloudtrail::types::Event, region: &str) -> Event {
    let record: Option<serde_json::Value> = e
        .cloud_trail_event()
        .and_then(|t| serde_json::from_str(t).ok());
    let field = |name: &str| {
        record
            .as_ref()
            .and_then(|r| r.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    Event {
        time: e
            .event_time()
            .and_then(|t| DateTime::<Utc>::from_timestamp(t.secs(), t.subsec_nanos())),
        event: e.event_name().unwrap_or_default().to_string(),
        user: e.username().map(str::to_string),
        source_ip: field("sourceIPAddress"),
        request: record
            .as_ref()
            .and_then(|r| r.get("requestParameters"))
            .filter(|v| !v.is_null())
            .cloned(),
        region: region.to_string(),
    }
}

/// The events naming any of `lookups` in the last `days` days, in the
/// place's account and regions, newest first. Another account's history is
/// read through the role the options lead into it (`--role-arn` for that
/// account, else `--org-role`); without one it is a gap, never the
/// caller's own account read instead.
pub async fn history(
    opts: &CollectOptions,
    place: &Place,
    lookups: &[Lookup],
    days: u32,
) -> History {
    let regions: Vec<String> = if !place.regions.is_empty() {
        place.regions.clone()
    } else if !opts.regions.is_empty() {
        opts.regions.clone()
    } else {
        vec![
            std::env::var("AWS_REGION")
                .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
                .unwrap_or_else(|_| "us-east-1".to_string()),
        ]
    };
    let end = Utc::now();
    let start = end - chrono::Duration::days(i64::from(days));
    let mut out = History::default();
    let home = regions.first().map_or("us-east-1", String::as_str);
    let base = super::base_config(opts, home).await;
    let config = match &place.account {
        None => base,
        Some(account) => match config_for(opts, &base, account).await {
            Ok(c) => c,
            Err(gap) => {
                out.gaps.push(gap);
                return out;
            }
        },
    };
    for region in regions {
        let client = aws_sdk_cloudtrail::Client::from_conf(
            aws_sdk_cloudtrail::config::Builder::from(&config)
                .region(aws_config::Region::new(region.clone()))
                .interceptor(guard::ReadOnly)
                .build(),
        );
        for lookup in lookups {
            let h =
                history_with_client(&client, &region, lookup, start, end, Pace::default()).await;
            for e in h.events {
                if !out.events.contains(&e) {
                    out.events.push(e);
                }
            }
            out.gaps.extend(h.gaps);
            out.truncated |= h.truncated;
        }
    }
    out.events.sort_by_key(|e| std::cmp::Reverse(e.time));
    out
}

/// The credentials for reading `account`: a `--role-arn` into it, the
/// caller's own when it is theirs, else `--org-role` in it.
async fn config_for(
    opts: &CollectOptions,
    base: &aws_config::SdkConfig,
    account: &str,
) -> Result<aws_config::SdkConfig, String> {
    let external = opts.external_id.as_deref();
    if let Some(arn) = opts
        .role_arns
        .iter()
        .find(|a| super::account_of(a) == account)
    {
        return Ok(super::assumed(base, arn, external).await);
    }
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(base)
            .interceptor(guard::ReadOnly)
            .build(),
    );
    let me = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| format!("sts:GetCallerIdentity: {}", reason(&e)))?;
    let me = me.account().unwrap_or_default();
    if me == account {
        return Ok(base.clone());
    }
    match &opts.org_role {
        Some(role) => {
            let arn = format!("arn:aws:iam::{account}:role/{role}");
            Ok(super::assumed(base, &arn, external).await)
        }
        None => Err(format!(
            "account {account}: the credentials are account {me}'s, and no --org-role or --role-arn leads into {account}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_users_and_resources_are_looked_up_by_what_they_are() {
        assert_eq!(
            Lookup::of("AKIAIOSFODNN7EXAMPLE"),
            Lookup::AccessKeyId("AKIAIOSFODNN7EXAMPLE".into())
        );
        assert_eq!(
            Lookup::of("arn:aws:iam::123456789012:user/dev/sam"),
            Lookup::Username("sam".into())
        );
        assert_eq!(
            Lookup::of("sg-0123456789abcdef0"),
            Lookup::ResourceName("sg-0123456789abcdef0".into())
        );
        assert_eq!(
            Lookup::of("arn:aws:iam::123456789012:role/web"),
            Lookup::ResourceName("arn:aws:iam::123456789012:role/web".into())
        );
    }

    #[test]
    fn a_role_is_looked_up_by_name_and_arn_a_key_by_its_id_alone() {
        use crate::model::NodeKind;
        let arn = "arn:aws:iam::123456789012:role/web";
        assert_eq!(
            lookups_for(NodeKind::IamRole, arn, Some(arn), Some("web")),
            [
                Lookup::ResourceName("web".into()),
                Lookup::ResourceName(arn.into())
            ]
        );
        assert_eq!(
            lookups_for(NodeKind::AccessKey, "AKIAEXAMPLE", None, None),
            [Lookup::AccessKeyId("AKIAEXAMPLE".into())]
        );
        assert_eq!(
            lookups_for(
                NodeKind::Bucket,
                "arn:aws:s3:::b",
                Some("arn:aws:s3:::b"),
                Some("b")
            ),
            [Lookup::ResourceName("b".into())]
        );
        assert_eq!(
            lookups_for(
                NodeKind::Instance,
                "i-1",
                Some("arn:aws:ec2:us-east-1:1:instance/i-1"),
                Some("web")
            ),
            [Lookup::ResourceName("i-1".into())]
        );
    }

    #[test]
    fn iam_history_is_in_us_east_1_and_a_keys_anywhere() {
        assert_eq!(regions_for(Some("eu-west-1"), false, &[]), ["eu-west-1"]);
        assert_eq!(regions_for(None, true, &[]), ["us-east-1"]);
        let asked = ["us-east-1".to_string(), "eu-west-1".to_string()];
        assert_eq!(regions_for(None, true, &asked), ["us-east-1", "eu-west-1"]);
    }
}
