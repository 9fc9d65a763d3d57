//! Turning what a person types for an account or a region into one the data
//! holds, or refusing it with the choices: a scope that matches nothing must
//! never read as "nothing here".

use super::Graph;
use crate::model::NodeData;

impl Graph {
    /// The collected accounts: an id typed exactly, or a name or alias in
    /// any case.
    pub fn resolve_account(&self, text: &str) -> Result<String, String> {
        let text = text.trim();
        let accounts = &self.collection().accounts;
        if accounts.iter().any(|a| a == text) {
            return Ok(text.to_string());
        }
        let named: Vec<&String> = accounts
            .iter()
            .filter(|a| self.account_names(a).any(|n| n.eq_ignore_ascii_case(text)))
            .collect();
        match named.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(format!(
                "no account {text:?} in this data; its accounts are: {}",
                self.account_choices().join(", ")
            )),
            many => Err(format!(
                "{text:?} names {} accounts ({}); use the id",
                many.len(),
                many.iter()
                    .map(|a| a.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// A region the data holds, typed exactly as AWS names it.
    pub fn resolve_region(&self, text: &str) -> Result<String, String> {
        let text = text.trim();
        let regions = &self.collection().regions;
        match regions.iter().find(|r| *r == text) {
            Some(r) => Ok(r.clone()),
            None => Err(format!(
                "no region {text:?} in this data; its regions are: {}",
                if regions.is_empty() {
                    "(none)".to_string()
                } else {
                    regions.join(", ")
                }
            )),
        }
    }

    /// Every collected account as "id (name)", for choices and completion.
    pub fn account_choices(&self) -> Vec<String> {
        self.collection()
            .accounts
            .iter()
            .map(|a| crate::labels::account_with_name(self, a))
            .collect()
    }

    /// What an account is called: its name and its aliases.
    pub fn account_names<'a>(&'a self, account: &str) -> impl Iterator<Item = &'a str> + 'a {
        let node = self.by_id(account).map(|id| self.node(id));
        let (name, aliases) = match node {
            Some(n) => match &n.data {
                NodeData::Account(a) => (n.name.as_deref(), a.aliases.as_slice()),
                _ => (None, &[][..]),
            },
            None => (None, &[][..]),
        };
        name.into_iter().chain(aliases.iter().map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn accounts_resolve_by_id_name_or_alias_and_others_are_refused_with_the_choices() {
        let g = crate::source::demo::graph();
        assert_eq!(
            g.resolve_account("555555555555").as_deref(),
            Ok("555555555555")
        );
        assert_eq!(
            g.resolve_account("bill-company").as_deref(),
            Ok("555555555555")
        );
        assert_eq!(
            g.resolve_account("BILL-COMPANY").as_deref(),
            Ok("555555555555")
        );
        let e = g.resolve_account("123").expect_err("no such account");
        assert!(
            e.contains("no account \"123\"") && e.contains("555555555555"),
            "{e}"
        );
        assert_eq!(g.resolve_region("us-east-1").as_deref(), Ok("us-east-1"));
        assert!(g.resolve_region("US-EAST-1").is_err());
        let e = g.resolve_region("mars-1").expect_err("no such region");
        assert!(e.contains("us-east-1"), "{e}");
    }
}
