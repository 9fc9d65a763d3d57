//! The in-memory graph: resources, the relationships derived from them, and
//! constant-time lookups by id, ARN and name.
//!
//! Nodes are the only input: every edge is derived from the ids the nodes
//! hold (see `link`), so a snapshot only needs the nodes, and every source
//! gets the same relationships.

mod link;
mod scope;
pub mod snapshot;

pub use link::{is_account_id, region_node_id};

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{EdgeKind, Gap, Node, NodeKind};

/// A handle on a node of one graph. Obtained from lookups; meaningless in
/// any other graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

impl NodeId {
    /// A dense position (0..graph.len()), for tables kept beside the graph.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A relationship, stored from subject to object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: EdgeKind,
    /// Why, more precisely: the route's destination, the rule's ports, …
    pub detail: Option<crate::model::EdgeDetail>,
}

/// Which way an edge is read from a given node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Outgoing,
    Incoming,
}

/// What was collected, when, from where, and what could not be read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Collection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<DateTime<Utc>>,
    /// `demo`, `import <path>`, `live`, `snapshot <path>`, `synthetic`.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub accounts: Vec<String>,
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub gaps: Vec<Gap>,
}

/// The resource graph.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    nodes: Vec<Node>,
    by_id: HashMap<String, NodeId>,
    by_arn: HashMap<String, NodeId>,
    by_name: HashMap<String, Vec<NodeId>>,
    edges: Vec<Edge>,
    /// Compressed adjacency: edges of node i are `out_edges[out_start[i]..out_start[i+1]]`.
    out_start: Vec<u32>,
    out_edges: Vec<u32>,
    in_start: Vec<u32>,
    in_edges: Vec<u32>,
    /// The nodes of each kind, in node order; built once the nodes are in.
    by_kind: Option<HashMap<NodeKind, Vec<NodeId>>>,
    collection: Collection,
}

impl Graph {
    /// Build a graph from nodes. A later node with the same id replaces an
    /// earlier one; accounts and regions that resources name get nodes of
    /// their own; relationships are derived.
    pub fn build(nodes: Vec<Node>, mut collection: Collection) -> Graph {
        let mut graph = Graph::default();
        for node in nodes {
            if let Some(conflict) = graph.insert(node) {
                collection.gaps.push(conflict);
            }
        }
        link::add_implied_nodes(&mut graph);
        let mut by_kind: HashMap<NodeKind, Vec<NodeId>> = HashMap::new();
        for (id, n) in graph.nodes() {
            by_kind.entry(n.kind()).or_default().push(id);
        }
        graph.by_kind = Some(by_kind);
        let edges = link::derive_edges(&graph);
        graph.set_edges(edges);

        let mut accounts: BTreeSet<String> = collection.accounts.iter().cloned().collect();
        let mut regions: BTreeSet<String> = collection.regions.iter().cloned().collect();
        for node in &graph.nodes {
            if let crate::model::NodeData::Account(a) = &node.data {
                if !a.external {
                    accounts.insert(node.id.clone());
                }
            }
            if let Some(r) = &node.region {
                regions.insert(r.clone());
            }
        }
        collection.accounts = accounts.into_iter().collect();
        collection.regions = regions.into_iter().collect();
        collection.gaps.sort();
        collection.gaps.dedup();
        graph.collection = collection;
        graph
    }

    /// Add a node; a later record of the same resource replaces the earlier
    /// one. Two resources of different kinds under one id cannot both be
    /// kept: the later stays, and the returned gap says which was lost.
    fn insert(&mut self, node: Node) -> Option<crate::model::Gap> {
        if let Some(&existing) = self.by_id.get(&node.id) {
            let old = &self.nodes[existing.index()];
            let conflict = (old.kind() != node.kind()).then(|| crate::model::Gap {
                account: node.account.clone(),
                region: node.region.clone(),
                service: "skyhound".to_string(),
                operation: "merge resources".to_string(),
                reason: format!(
                    "two resources have the id {}: a {} (dropped) and a {} (kept)",
                    node.id,
                    old.kind(),
                    node.kind()
                ),
            });
            if conflict.is_some() {
                tracing::warn!(id = %node.id, "two kinds of resource share an id");
            } else {
                tracing::debug!(id = %node.id, "replacing an earlier record of the same resource");
            }
            self.unindex(existing);
            self.nodes[existing.index()] = node;
            self.index(existing);
            return conflict;
        }
        let id = NodeId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        self.nodes.push(node);
        self.index(id);
        None
    }

    fn index(&mut self, id: NodeId) {
        let node = &self.nodes[id.index()];
        self.by_id.insert(node.id.clone(), id);
        if let Some(arn) = &node.arn {
            self.by_arn.insert(arn.clone(), id);
        }
        if let Some(name) = &node.name {
            self.by_name.entry(name.clone()).or_default().push(id);
        }
    }

    fn unindex(&mut self, id: NodeId) {
        let node = &self.nodes[id.index()];
        if let Some(arn) = &node.arn {
            self.by_arn.remove(arn);
        }
        if let Some(name) = &node.name {
            if let Some(list) = self.by_name.get_mut(name) {
                list.retain(|n| *n != id);
            }
        }
    }

    fn set_edges(&mut self, mut edges: Vec<Edge>) {
        edges.sort_by_key(|e| (e.from, e.kind, e.to));
        edges.dedup_by(|a, b| a.from == b.from && a.to == b.to && a.kind == b.kind);
        let n = self.nodes.len();
        let (out_start, out_edges) = csr(n, edges.iter().map(|e| e.from.index()));
        let (in_start, in_edges) = csr(n, edges.iter().map(|e| e.to.index()));
        self.edges = edges;
        self.out_start = out_start;
        self.out_edges = out_edges;
        self.in_start = in_start;
        self.in_edges = in_edges;
    }

    /// Say where this graph was read from, keeping where it was collected.
    pub fn note_source(&mut self, source: String) {
        if self.collection.source.is_empty() {
            self.collection.source = source;
        } else if !self.collection.source.starts_with("snapshot ") {
            self.collection.source =
                format!("{source} (collected from {})", self.collection.source);
        }
    }

    pub fn collection(&self) -> &Collection {
        &self.collection
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Every node with its handle.
    pub fn nodes(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (NodeId(i as u32), n))
    }

    /// Nodes of one kind, in node order (from the index once it is built,
    /// by a scan while the graph is being built).
    pub fn nodes_of(&self, kind: NodeKind) -> impl Iterator<Item = (NodeId, &Node)> {
        let indexed = self
            .by_kind
            .as_ref()
            .map(|m| m.get(&kind).map_or(&[][..], Vec::as_slice));
        let scan = indexed
            .is_none()
            .then(|| self.nodes().filter(move |(_, n)| n.kind() == kind));
        indexed
            .unwrap_or(&[])
            .iter()
            .map(|id| (*id, &self.nodes[id.index()]))
            .chain(scan.into_iter().flatten())
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    pub fn by_id(&self, id: &str) -> Option<NodeId> {
        self.by_id.get(id).copied()
    }

    pub fn by_arn(&self, arn: &str) -> Option<NodeId> {
        self.by_arn.get(arn).copied()
    }

    /// Every node with this exact name (Name tag or IAM/ELB name).
    pub fn by_name(&self, name: &str) -> &[NodeId] {
        self.by_name.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Resolve what a person typed: an id, an ARN, or a name. A name shared
    /// by several resources is ambiguous and returns all of them.
    pub fn resolve(&self, text: &str) -> Vec<NodeId> {
        if let Some(id) = self.by_id(text).or_else(|| self.by_arn(text)) {
            return vec![id];
        }
        self.by_name(text).to_vec()
    }

    /// Edges leaving `id`.
    pub fn outgoing(&self, id: NodeId) -> impl Iterator<Item = &Edge> {
        let i = id.index();
        let range = self.out_start[i] as usize..self.out_start[i + 1] as usize;
        self.out_edges[range]
            .iter()
            .map(|&e| &self.edges[e as usize])
    }

    /// Edges arriving at `id`.
    pub fn incoming(&self, id: NodeId) -> impl Iterator<Item = &Edge> {
        let i = id.index();
        let range = self.in_start[i] as usize..self.in_start[i + 1] as usize;
        self.in_edges[range]
            .iter()
            .map(|&e| &self.edges[e as usize])
    }

    /// Neighbours over edges of one kind, in one direction.
    pub fn neighbours(
        &self,
        id: NodeId,
        kind: EdgeKind,
        direction: Direction,
    ) -> impl Iterator<Item = NodeId> + '_ {
        let out = (direction == Direction::Outgoing)
            .then(|| self.outgoing(id))
            .into_iter()
            .flatten()
            .filter(move |e| e.kind == kind)
            .map(|e| e.to);
        let inc = (direction == Direction::Incoming)
            .then(|| self.incoming(id))
            .into_iter()
            .flatten()
            .filter(move |e| e.kind == kind)
            .map(|e| e.from);
        out.chain(inc)
    }

    /// Counts of nodes by kind for each (account, region); global resources
    /// are counted under region `None`.
    pub fn counts(&self) -> BTreeMap<(String, Option<String>), BTreeMap<NodeKind, usize>> {
        let mut out: BTreeMap<(String, Option<String>), BTreeMap<NodeKind, usize>> =
            BTreeMap::new();
        for node in &self.nodes {
            if matches!(
                node.kind(),
                NodeKind::Organization | NodeKind::Account | NodeKind::Region
            ) {
                continue;
            }
            *out.entry((node.account.clone(), node.region.clone()))
                .or_default()
                .entry(node.kind())
                .or_default() += 1;
        }
        out
    }

    /// The nodes, for writing a snapshot.
    pub fn all_nodes(&self) -> &[Node] {
        &self.nodes
    }
}

/// Group edge indices by endpoint into compressed rows.
fn csr(n: usize, endpoints: impl Iterator<Item = usize> + Clone) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; n + 1];
    for e in endpoints.clone() {
        start[e + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut rows = vec![0u32; start[n] as usize];
    for (edge, e) in endpoints.enumerate() {
        rows[fill[e] as usize] = edge as u32;
        fill[e] += 1;
    }
    (start, rows)
}

#[cfg(test)]
mod tests;
