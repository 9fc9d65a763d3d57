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
