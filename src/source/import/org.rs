//! STS and Organizations responses: who the account is, and its siblings.

use serde::Deserialize;

use super::read::arn_account;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallerIdentity {
    pub account: Option<String>,
    pub arn: Option<String>,
}

impl CallerIdentity {
    pub fn account_id(&self) -> Option<String> {
        self.account
            .clone()
            .filter(|a| crate::graph::is_account_id(a))
            .or_else(|| {
                self.arn
                    .as_deref()
                    .and_then(arn_account)
                    .map(str::to_string)
            })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountList {
    #[serde(default)]
    pub accounts: Vec<OrgAccount>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrgAccount {
    pub id: String,
    pub arn: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub status: Option<String>,
}

impl OrgAccount {
    /// `o-…` from `arn:aws:organizations::MGMT:account/o-…/ACCOUNT`.
    pub fn organization_id(&self) -> Option<String> {
        let arn = self.arn.as_deref()?;
        let rest = arn.split_once(":account/")?.1;
        rest.split('/')
            .next()
            .filter(|o| o.starts_with("o-"))
            .map(str::to_string)
    }

    /// The management account, from the same ARN.
    pub fn management_account(&self) -> Option<String> {
        self.arn.as_deref()?.split(':').nth(4).map(str::to_string)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeOrganization {
    pub organization: Option<OrganizationShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrganizationShape {
    pub id: String,
    pub arn: Option<String>,
    pub master_account_id: Option<String>,
}

/// `organizations list-roots`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RootList {
    #[serde(default)]
    pub roots: Vec<RootShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RootShape {
    pub id: String,
    pub arn: Option<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub policy_types: Vec<PolicyTypeShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyTypeShape {
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    pub status: Option<String>,
}

/// `organizations list-organizational-units-for-parent`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UnitList {
    #[serde(default)]
    pub organizational_units: Vec<UnitShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UnitShape {
    pub id: String,
    pub arn: Option<String>,
    pub name: Option<String>,
}

/// `organizations list-policies --filter SERVICE_CONTROL_POLICY`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyList {
    #[serde(default)]
    pub policies: Vec<PolicySummary>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicySummary {
    pub id: String,
    pub arn: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub aws_managed: bool,
}

/// `organizations describe-policy`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribePolicy {
    pub policy: Option<PolicyShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyShape {
    /// The document, as a JSON string.
    pub content: Option<String>,
}

/// `organizations list-targets-for-policy`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetList {
    #[serde(default)]
    pub targets: Vec<TargetShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetShape {
    pub target_id: String,
}

/// `o-…` from an Organizations ARN (`…:root/o-…/r-…`, `…:ou/o-…/ou-…`,
/// `…:policy/o-…/service_control_policy/p-…`).
pub fn organization_in_arn(arn: &str) -> Option<String> {
    arn.split('/')
        .find(|p| p.starts_with("o-"))
        .map(str::to_string)
}
