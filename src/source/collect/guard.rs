//! Read-only by construction: every client skyhound builds carries this
//! guard, which refuses any operation not on the list below before it is
//! signed or sent. The list holds only Describe, List and Get calls, plus
//! credential-report generation (which changes nothing in the account).
//! AssumeRole and GetCallerIdentity go through aws-config's own STS client.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Every operation skyhound may call, as (service, operation).
pub const ALLOWED: &[(&str, &str)] = &[
    ("ec2", "DescribeRegions"),
    ("ec2", "DescribeVpcs"),
    ("ec2", "DescribeSubnets"),
    ("ec2", "DescribeRouteTables"),
    ("ec2", "DescribeInternetGateways"),
    ("ec2", "DescribeEgressOnlyInternetGateways"),
    ("ec2", "DescribeNatGateways"),
    ("ec2", "DescribeNetworkAcls"),
    ("ec2", "DescribeSecurityGroups"),
    ("ec2", "DescribeNetworkInterfaces"),
    ("ec2", "DescribeInstances"),
    ("ec2", "DescribeAddresses"),
    ("ec2", "DescribeVpcPeeringConnections"),
    ("ec2", "DescribeManagedPrefixLists"),
    ("ec2", "GetManagedPrefixListEntries"),
    ("ec2", "DescribeTransitGatewayAttachments"),
    ("elasticloadbalancingv2", "DescribeLoadBalancers"),
    ("elasticloadbalancingv2", "DescribeListeners"),
    ("elasticloadbalancingv2", "DescribeTargetGroups"),
    ("elasticloadbalancingv2", "DescribeTargetHealth"),
    ("iam", "GetAccountAuthorizationDetails"),
    ("iam", "GetAccountPasswordPolicy"),
    ("iam", "GetAccountSummary"),
    ("iam", "ListAccountAliases"),
    ("iam", "GenerateCredentialReport"),
    ("iam", "GetCredentialReport"),
    ("guardduty", "ListDetectors"),
    ("guardduty", "GetDetector"),
    ("guardduty", "ListFindings"),
    ("guardduty", "GetFindings"),
    ("sts", "GetCallerIdentity"),
    ("organizations", "ListAccounts"),
    ("organizations", "DescribeOrganization"),
];

/// Is this operation allowed? Service names are compared loosely
/// (`Elastic Load Balancing v2`, `elasticloadbalancingv2`).
pub fn allowed(service: &str, operation: &str) -> bool {
    let svc: String = service
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    ALLOWED
        .iter()
        .any(|(s, o)| *o == operation && svc.contains(&s.replace('-', "")))
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
        for (_, op) in ALLOWED {
            assert!(
                ["Describe", "List", "Get", "Generate"]
                    .iter()
                    .any(|p| op.starts_with(p)),
                "{op}"
            );
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
        let prefix = |s: &str| {
            if s == "elasticloadbalancingv2" {
                "elasticloadbalancing".to_string()
            } else {
                s.to_string()
            }
        };
        let mut allowed: Vec<String> = super::ALLOWED
            .iter()
            .map(|(s, o)| format!("{}:{o}", prefix(s)))
            .collect();
        granted.sort();
        allowed.sort();
        assert_eq!(granted, allowed);
    }
}
