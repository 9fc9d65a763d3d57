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

/// The events naming `lookup` in the last `days` days, in every region
/// the options name (else the home region), newest first.
pub async fn history(opts: &CollectOptions, lookup: &Lookup, days: u32) -> History {
    let regions: Vec<String> = if opts.regions.is_empty() {
        vec![
            std::env::var("AWS_REGION")
                .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
                .unwrap_or_else(|_| "us-east-1".to_string()),
        ]
    } else {
        opts.regions.clone()
    };
    let end = Utc::now();
    let start = end - chrono::Duration::days(i64::from(days));
    let mut out = History::default();
    for region in regions {
        let cfg = super::base_config(opts, &region).await;
        let client = aws_sdk_cloudtrail::Client::from_conf(
            aws_sdk_cloudtrail::config::Builder::from(&cfg)
                .interceptor(guard::ReadOnly)
                .build(),
        );
        let h = history_with_client(&client, &region, lookup, start, end, Pace::default()).await;
        out.events.extend(h.events);
        out.gaps.extend(h.gaps);
        out.truncated |= h.truncated;
    }
    out.events.sort_by_key(|e| std::cmp::Reverse(e.time));
    out
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
}
