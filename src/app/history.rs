//! Who changed it: the `:history` view of one resource, with the
//! management events CloudTrail's event history holds naming it, read live
//! on demand (the runner reads them; this holds the request and what came
//! back).

use std::collections::BTreeMap;

use crate::graph::{Graph, NodeId};
use crate::model::NodeKind;
use crate::source::collect::history::{self, History, Lookup, Place};

/// What was asked of CloudTrail for one resource.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRequest {
    /// The resource's id: where the answer goes.
    pub resource: String,
    pub place: Place,
    pub lookups: Vec<Lookup>,
    pub days: u32,
}

impl HistoryRequest {
    /// The request for a resource (a finding's: its resource's): looked up
    /// by what CloudTrail names it by, in its account, in the regions
    /// that hold its events.
    pub fn of(graph: &Graph, node: NodeId, days: u32) -> HistoryRequest {
        let node = if graph.node(node).kind() == NodeKind::GuardDutyFinding {
            crate::analysis::blast::finding_subject(graph, node).unwrap_or(node)
        } else {
            node
        };
        let n = graph.node(node);
        let kind = n.kind();
        let lookups = history::lookups_for(kind, &n.id, n.arn.as_deref(), n.name.as_deref());
        let anywhere = matches!(kind, NodeKind::AccessKey | NodeKind::IamUser);
        let collected: Vec<String> = if anywhere {
            graph
                .nodes_of(NodeKind::Region)
                .filter(|(_, r)| r.account == n.account)
                .filter_map(|(_, r)| r.region.clone())
                .collect()
        } else {
            Vec::new()
        };
        let iam = matches!(
            kind,
            NodeKind::IamUser
                | NodeKind::IamRole
                | NodeKind::IamGroup
                | NodeKind::IamPolicy
                | NodeKind::InstanceProfile
                | NodeKind::AccessKey
        );
        HistoryRequest {
            resource: n.id.clone(),
            place: Place {
                account: (!n.account.is_empty()).then(|| n.account.clone()),
                regions: history::regions_for(n.region.as_deref(), iam, &collected),
            },
            lookups,
            days,
        }
    }

    /// `resource name i-0abc or arn:…`, for the view's head.
    pub fn looked_up_by(&self) -> String {
        self.lookups
            .iter()
            .map(Lookup::describe)
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

/// Where one resource's history stands.
#[derive(Debug, Clone)]
pub enum HistoryState {
    Reading(HistoryRequest),
    Read(HistoryRequest, History),
    /// The data is not live: nothing can be read.
    Offline,
}

/// Every history asked for in this session, by resource id.
pub type Histories = BTreeMap<String, HistoryState>;

/// The view: one resource's events, newest first, the cursor on one; its
/// request parameters show below the list.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryView {
    pub node: NodeId,
    /// The resource's id, the key of its history.
    pub resource: String,
    pub selected: usize,
    pub offset: usize,
}

/// The words for the offline case, the same in the view and the note.
pub fn offline_text(resource: &str) -> String {
    format!(
        "CloudTrail's event history is read live: open skyhound without --demo or --from, with credentials that allow cloudtrail:LookupEvents, then :history; or run `skyhound history {resource}`"
    )
}
