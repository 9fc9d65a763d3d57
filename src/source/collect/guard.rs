//! Read-only by construction: every client skyhound builds carries this
//! guard, which refuses any operation not on the list below before it is
//! signed or sent. The list holds only Describe, List and Get calls, plus
//! credential-report generation (which changes nothing in the account) and
//! CloudTrail's LookupEvents (reading the event history).
//! AssumeRole and GetCallerIdentity go through aws-config's own STS client.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use crate::source::operations as ops;

/// Is this operation one skyhound calls (the operation table's collected
/// entries)? Service names are compared loosely (`Elastic Load Balancing
/// v2`, `elasticloadbalancingv2`).
pub fn allowed(service: &str, operation: &str) -> bool {
    let svc: String = service
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    ops::ALL
        .iter()
        .filter(|o| o.collected)
        .any(|o| o.api == operation && svc.contains(o.service.sdk_name()))
}

/// The guard, added to every client.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOnly;

/// HTTP requests per service: every attempt, and how many of them were
/// retries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    pub requests: u64,
    pub retries: u64,
}

/// Counts attempts per service (first tries and retries), for the summary.
#[derive(Debug, Clone, Default)]
pub struct Attempts(pub std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, Sent>>>);

impl Intercept for Attempts {
    fn name(&self) -> &'static str {
        "skyhound attempt counter"
    }

    fn read_before_attempt(
        &self,
        _context: &aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let service = cfg
            .load::<Metadata>()
            .map(|m| m.service().to_ascii_lowercase())
            .unwrap_or_default();
        // The orchestrator numbers each attempt of an operation from 1.
        let retry = cfg
            .load::<aws_smithy_runtime_api::client::retries::RequestAttempts>()
            .is_some_and(|a| a.attempts() > 1);
        if let Ok(mut counts) = self.0.lock() {
            let sent = counts.entry(service).or_default();
            sent.requests += 1;
            sent.retries += u64::from(retry);
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("skyhound is read-only: {service} {operation} is not an operation it may call")]
pub struct Refused {
    pub service: String,
    pub operation: String,
}

impl Intercept for ReadOnly {
    fn name(&self) -> &'static str {
        "skyhound read-only guard"
    }

    // Before the request is serialised (let alone signed or sent), and after
    // the operation has put its name in the config bag.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(meta) = cfg.load::<Metadata>() else {
            return Err(Box::new(Refused {
                service: "unknown".into(),
                operation: "unknown".into(),
            }));
        };
        if allowed(meta.service(), meta.name()) {
            Ok(())
        } else {
            Err(Box::new(Refused {
                service: meta.service().into(),
                operation: meta.name().into(),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_reads_pass() {
        assert!(allowed("ec2", "DescribeVpcs"));
        assert!(allowed("Elastic Load Balancing v2", "DescribeListeners"));
        assert!(!allowed("ec2", "TerminateInstances"));
        assert!(
            !allowed("ec2", "GetPasswordData"),
            "a Get that reads a secret is not on the list"
        );
        assert!(!allowed("iam", "CreateUser"));
        for op in ops::ALL.iter().filter(|o| o.collected) {
            assert!(
                [
                    "Describe",
                    "List",
                    "Get",
                    "GenerateCredentialReport",
                    "LookupEvents"
                ]
                .iter()
                .any(|p| op.api.starts_with(p)),
                "{}",
                op.api
            );
            assert!(allowed(op.service.sdk_name(), op.api), "{}", op.api);
        }
    }
}

#[cfg(test)]
mod policy_file {
    /// The minimal IAM policy shipped in `assets/` grants exactly what the
    /// guard lets skyhound call.
    #[test]
    fn the_shipped_policy_matches_the_allow_list() {
        let text = include_str!("../../../assets/skyhound-readonly-policy.json");
        let doc: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
        let mut granted: Vec<String> = doc["Statement"][0]["Action"]
            .as_array()
            .expect("actions")
            .iter()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect();
        let mut allowed: Vec<String> = crate::source::operations::ALL
            .iter()
            .filter(|o| o.collected)
            .map(|o| o.action())
            .collect();
        granted.sort();
        allowed.sort();
        assert_eq!(granted, allowed);
    }
}

/// Answers that could not be read (cut short, or a success status with a
/// body that does not parse) are tried again like any transient fault: the
/// SDK's own classifiers retry server errors, throttling and broken
/// connections, not these.
#[derive(Debug, Clone, Copy, Default)]
pub struct RetryUnreadable;

impl aws_smithy_runtime_api::client::retries::classifiers::ClassifyRetry for RetryUnreadable {
    fn classify_retry(
        &self,
        ctx: &aws_smithy_runtime_api::client::interceptors::context::InterceptorContext,
    ) -> aws_smithy_runtime_api::client::retries::classifiers::RetryAction {
        use aws_smithy_runtime_api::client::retries::classifiers::RetryAction;
        let Some(Err(err)) = ctx.output_or_error() else {
            return RetryAction::NoActionIndicated;
        };
        let answered_ok = ctx.response().is_some_and(|r| r.status().is_success());
        if err.is_response_error() || answered_ok {
            RetryAction::transient_error()
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "skyhound: unreadable answers"
    }
}
