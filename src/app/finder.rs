//! The fuzzy finder across every resource: name, id, ARN and tag values,
//! with kind prefixes (`sg:web`, `role:admin`).

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::graph::{Graph, NodeId};
use crate::model::NodeKind;

struct Entry {
    id: NodeId,
    kind: NodeKind,
    text: String,
}

pub struct Finder {
    entries: Vec<Entry>,
    matcher: SkimMatcherV2,
}

/// A query split into its kind prefix and the pattern.
pub fn parse_query(query: &str) -> (Option<NodeKind>, &str) {
    if let Some((prefix, rest)) = query.split_once(':') {
        if let Some(kind) = NodeKind::parse(prefix) {
            return (Some(kind), rest.trim());
        }
    }
    (None, query.trim())
}

/// The finder's answer: entry positions with scores, best first.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    pub query: String,
    pub hits: Vec<(u32, i64)>,
}

impl Finder {
    pub fn build(graph: &Graph) -> Finder {
        let entries = graph
            .nodes()
            .filter(|(_, n)| !matches!(n.kind(), NodeKind::Region))
            .map(|(id, n)| {
                let mut text = String::with_capacity(64);
                if let Some(name) = &n.name {
                    text.push_str(name);
                    text.push(' ');
                }
                text.push_str(&n.id);
                if let Some(arn) = n.arn.as_ref().filter(|a| **a != n.id) {
                    text.push(' ');
                    text.push_str(arn);
                }
                for (k, v) in &n.tags {
                    if k != "Name" {
                        text.push(' ');
                        text.push_str(v);
                    }
                }
                Entry {
                    id,
                    kind: n.kind(),
                    text,
                }
            })
            .collect();
        Finder {
            entries,
            matcher: SkimMatcherV2::default().ignore_case(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn node(&self, entry: u32) -> NodeId {
        self.entries[entry as usize].id
    }

    /// Search; when `previous` answered a query that this one extends
    /// (same kind, longer pattern), only its hits are searched again.
    pub fn search(&self, query: &str, previous: Option<&Hits>) -> Hits {
        let (kind, pattern) = parse_query(query);
        let narrowing = previous.filter(|p| {
            let (pk, pp) = parse_query(&p.query);
            pk == kind && !pp.is_empty() && pattern.starts_with(pp)
        });
        let mut hits: Vec<(u32, i64)> = Vec::new();
        let mut consider = |i: u32| {
            let e = &self.entries[i as usize];
            if kind.is_some_and(|k| k != e.kind) {
                return;
            }
            if pattern.is_empty() {
                hits.push((i, 0));
            } else if let Some(score) = self.matcher.fuzzy_match(&e.text, pattern) {
                hits.push((i, score));
            }
        };
        match narrowing {
            Some(p) => p.hits.iter().for_each(|(i, _)| consider(*i)),
            None => (0..self.entries.len() as u32).for_each(&mut consider),
        }
        if kind.is_none() && pattern.is_empty() {
            hits.clear();
        }
        hits.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Hits {
            query: query.to_string(),
            hits,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_name_id_and_kind_prefix() {
        let g = crate::source::demo::graph();
        let f = Finder::build(&g);
        let hits = f.search("bill-web", None);
        let best = g.node(f.node(hits.hits[0].0));
        assert_eq!(best.name.as_deref(), Some("bill-web-server"));
        let sgs = f.search("sg:launch", None);
        assert!(!sgs.hits.is_empty());
        assert!(
            sgs.hits
                .iter()
                .all(|(i, _)| g.node(f.node(*i)).kind() == NodeKind::SecurityGroup)
        );
        let all_roles = f.search("role:", None);
        assert_eq!(all_roles.hits.len(), g.nodes_of(NodeKind::IamRole).count());
        // Narrowing gives the same answer as a fresh search.
        let wide = f.search("alice", None);
        let narrow = f.search("alice-prod", Some(&wide));
        assert_eq!(narrow.hits, f.search("alice-prod", None).hits);
        assert!(f.search("", None).hits.is_empty());
    }
}
