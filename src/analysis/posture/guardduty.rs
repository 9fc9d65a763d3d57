//! `guardduty.all-regions`: a GuardDuty detector enabled in every region
//! of every account read. A region whose detectors could not be listed is
//! unknown, never a pass.

use std::collections::{BTreeMap, BTreeSet};

use super::account;
use crate::analysis::checks::{Check, Cis, Epic};
use crate::analysis::finding::{Evidence, Finding, Remediation, Status};
use crate::graph::Graph;
use crate::model::{NodeData, NodeKind, Severity};
use crate::source::operations as ops;

pub const CHECK: Check = Check {
    id: "guardduty.all-regions",
    badge: Some("NO GUARDDUTY"),
    title: "GuardDuty off in a region",
    severity: Severity::High,
    epic: Epic::IncidentResponse,
    cis: Cis::NONE,
    description: "a region of an account with no GuardDuty detector, or only disabled ones: threats there go unseen",
};

pub fn findings(graph: &Graph) -> Vec<Finding> {
    // Detectors by (account, region): enabled or not.
    let mut detectors: BTreeMap<(&str, &str), Vec<(&str, bool)>> = BTreeMap::new();
    for (_, n) in graph.nodes_of(NodeKind::GuardDutyDetector) {
        let NodeData::GuardDutyDetector(d) = &n.data else {
            continue;
        };
        if let Some(r) = n.region.as_deref() {
            detectors
                .entry((n.account.as_str(), r))
                .or_default()
                .push((n.id.as_str(), d.is_enabled()));
        }
    }
    let loaded: BTreeSet<&str> = account::loaded(graph)
        .map(|(_, n, _)| n.id.as_str())
        .collect();
    let mut out = Vec::new();
    for (id, n) in graph.nodes_of(NodeKind::Region) {
        if !loaded.contains(n.account.as_str()) {
            continue;
        }
        let Some(region) = n.region.as_deref() else {
            continue;
        };
        let found = detectors.get(&(n.account.as_str(), region));
        let enabled = found.and_then(|d| d.iter().find(|(_, on)| *on));
        let fix = Remediation::new(
            "Enable GuardDuty in this region (with an organization, from the delegated administrator for every member at once)",
        )
        .with_command(format!("aws guardduty create-detector --enable --region {region}"));
        let f = match (enabled, found) {
            (Some((d, _)), _) => Finding::passed(
                &CHECK,
                (id, n),
                "GuardDuty enabled",
                vec![Evidence::property(*d, "status", "ENABLED")],
            ),
            (None, Some(list)) => Finding::on(
                &CHECK,
                Status::Fail,
                (id, n),
                "GuardDuty detector disabled",
                list.iter()
                    .map(|(d, _)| Evidence::property(*d, "status", "not ENABLED"))
                    .collect(),
                fix,
            ),
            (None, None) => {
                match account::gap(graph, &n.account, Some(region), &ops::LIST_DETECTORS) {
                    Some(g) => Finding::on(
                        &CHECK,
                        Status::Unknown,
                        (id, n),
                        format!("GuardDuty detectors not listed: {}", g.reason),
                        vec![Evidence::property(region, "list-detectors", &g.reason)],
                        Remediation::new(
                            "Collect with guardduty:ListDetectors and guardduty:GetDetector allowed",
                        ),
                    ),
                    None => Finding::on(
                        &CHECK,
                        Status::Fail,
                        (id, n),
                        "no GuardDuty detector",
                        vec![Evidence::property(region, "detectors", "none")],
                        fix,
                    ),
                }
            }
        };
        out.push(f);
    }
    out
}
