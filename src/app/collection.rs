//! What was read and what was not: live collection's progress per account,
//! region and service, and the gaps (what could not be read, and why), for
//! the header and the collection view.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Gap;
use crate::source::collect::Progress;

use super::data::Data;

/// Where one service's reads in one account and region stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReadState {
    /// At least one of its calls failed: a gap.
    Gap,
    Reading,
    Done,
}

impl ReadState {
    pub fn label(self) -> &'static str {
        match self {
            ReadState::Gap => "gap",
            ReadState::Reading => "reading…",
            ReadState::Done => "done",
        }
    }
}

/// One line of the collection view.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadRow {
    pub account: String,
    /// `None`: the account's global services (IAM, STS, Organizations).
    pub region: Option<String>,
    pub service: String,
    pub state: ReadState,
    /// For a gap: the operation and why it failed.
    pub detail: String,
}

/// Live collection as the header and the collection view show it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CollectProgress {
    pub accounts: usize,
    /// The last thing that happened, in words.
    pub last: String,
    /// Each (account, region, service) read, as it goes.
    pub reads: BTreeMap<(String, Option<String>, String), ReadState>,
    /// Gaps as the collector reports them, before the data that carries
    /// them has been built.
    pub gap_list: Vec<Gap>,
}

impl CollectProgress {
    pub fn apply(&mut self, p: Progress) {
        match p {
            Progress::Account { account } => {
                self.accounts += 1;
                self.last = format!("account {account}");
            }
            Progress::Started {
                account,
                region,
                service,
            } => {
                self.reads
                    .insert((account, region, service.to_string()), ReadState::Reading);
            }
            Progress::Finished {
                account,
                region,
                service,
                ..
            } => {
                self.last = format!(
                    "{account} {} {service} done",
                    region.as_deref().unwrap_or("global")
                );
                self.reads
                    .insert((account, region, service.to_string()), ReadState::Done);
            }
            Progress::Gap(g) => {
                self.last = format!("gap: {g}");
                self.gap_list.push(g);
            }
            Progress::Collected {
                account, region, ..
            } => {
                self.last = format!(
                    "{account} {} in; the views update",
                    region.as_deref().unwrap_or("global")
                );
            }
        }
    }

    /// "2 accounts, 5 of 9 service reads done, 1 gap".
    pub fn summary(&self) -> String {
        let done = self
            .reads
            .values()
            .filter(|s| **s == ReadState::Done)
            .count();
        let gaps = self.gap_list.len();
        format!(
            "{} account{}, {done} of {} service reads done, {gaps} gap{}",
            self.accounts,
            if self.accounts == 1 { "" } else { "s" },
            self.reads.len(),
            if gaps == 1 { "" } else { "s" }
        )
    }
}

/// Every gap (from the data, and any the collector reported since), then
/// every service read without one: gaps first, then reads still running,
/// then those done, each by account, region and service.
pub fn rows(data: Option<&Data>, progress: &CollectProgress) -> Vec<ReadRow> {
    let mut seen = BTreeSet::new();
    let mut rows = Vec::new();
    let known = data
        .map(|d| d.graph.collection().gaps.as_slice())
        .unwrap_or_default();
    for g in known.iter().chain(&progress.gap_list) {
        if seen.insert((&g.account, &g.region, &g.service, &g.operation)) {
            rows.push(ReadRow {
                account: g.account.clone(),
                region: g.region.clone(),
                service: g.service.clone(),
                state: ReadState::Gap,
                detail: format!("{}: {}", g.operation, g.reason),
            });
        }
    }
    let with_gaps: BTreeSet<(String, Option<String>, String)> = rows
        .iter()
        .map(|r| (r.account.clone(), r.region.clone(), r.service.clone()))
        .collect();
    for ((account, region, service), state) in &progress.reads {
        if !with_gaps.contains(&(account.clone(), region.clone(), service.clone())) {
            rows.push(ReadRow {
                account: account.clone(),
                region: region.clone(),
                service: service.clone(),
                state: *state,
                detail: String::new(),
            });
        }
    }
    // Gaps first, then what is still being read, then what is done.
    rows.sort_by(|a, b| {
        (a.state, &a.account, &a.region, &a.service, &a.detail)
            .cmp(&(b.state, &b.account, &b.region, &b.service, &b.detail))
    });
    rows
}
