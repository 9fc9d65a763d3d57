//! The fuzzy finder across every resource: name, id, ARN, tag values, kind,
//! account and region, with kind prefixes (`sg:web`, `role:admin`). Its
//! lowercase text per resource also serves list filters.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::graph::{Graph, NodeId};
use crate::model::{NodeData, NodeKind};

pub struct Finder {
    /// Lowercase search text per node, by `NodeId::index`.
    texts: Vec<Box<str>>,
    kinds: Vec<NodeKind>,
    nodes: Vec<NodeId>,
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

/// The finder's answer: node positions with scores, best first.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    pub query: String,
    pub hits: Vec<(u32, i64)>,
}

/// Cheap score of a contiguous match (minus where it starts).
const CONTIGUOUS: i64 = 1_000_000;
/// How many of the best cheap matches get the full fuzzy score.
const RESCORED: usize = 500;
/// Rescored hits rank above every cheap score.
const RESCORED_BASE: i64 = 10_000_000;

/// Where the pattern's characters occur in order in the text, if they do:
/// the position of the first one. A cheap test before the real scoring.
fn subsequence(text: &[u8], pattern: &[u8]) -> Option<usize> {
    let mut first = None;
    let mut p = 0;
    for (i, b) in text.iter().enumerate() {
        if p < pattern.len() && *b == pattern[p] {
            first.get_or_insert(i);
            p += 1;
            if p == pattern.len() {
                return first;
            }
        }
    }
    None
}

fn policy_names(
    text: &mut String,
    attached: &[crate::model::AttachedPolicy],
    inline: &[crate::model::InlinePolicy],
) {
    for p in attached {
        text.push(' ');
        text.push_str(
            p.name
                .as_deref()
                .unwrap_or_else(|| crate::labels::short_id(&p.arn)),
        );
    }
    for p in inline {
        text.push(' ');
        text.push_str(&p.name);
    }
}

/// Whether a query is an address (or the start of one): digits and dots
/// with a dot, or an IPv6 address. It is matched as a whole word, exactly
/// or by its start, never as scattered characters.
fn is_address_query(pattern: &str) -> bool {
    let v4 = pattern.contains('.')
        && pattern
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '/');
    v4 || pattern.parse::<std::net::Ipv6Addr>().is_ok()
}

/// An address query's score in a text: an exact word first, then a word it
/// starts (`10.10.10` starts `10.10.10.11`).
fn address_score(text: &str, pattern: &str) -> Option<i64> {
    let words = text.split(' ');
    let mut best = None;
    for w in words {
        let score = if w == pattern {
            2 * CONTIGUOUS
        } else if w.starts_with(pattern) {
            CONTIGUOUS
        } else {
            continue;
        };
        best = best.max(Some(score));
    }
    best
}

/// A query as the finder scores it.
struct Query<'q> {
    kind: Option<NodeKind>,
    /// Lowercase.
    pattern: &'q str,
    address: bool,
}

impl Finder {
    pub fn build(graph: &Graph) -> Finder {
        let mut texts = Vec::with_capacity(graph.len());
        let mut kinds = Vec::with_capacity(graph.len());
        let mut nodes = Vec::with_capacity(graph.len());
        for (id, n) in graph.nodes() {
            let mut text = String::with_capacity(96);
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
            text.push(' ');
            text.push_str(n.kind().label());
            text.push(' ');
            text.push_str(&n.account);
            if let Some(r) = &n.region {
                text.push(' ');
                text.push_str(r);
            }
            // What lists show beside the name: state, addresses.
            match &n.data {
                NodeData::Instance(i) => {
                    for part in [i.state.as_deref(), i.instance_type.as_deref()]
                        .into_iter()
                        .flatten()
                    {
                        text.push(' ');
                        text.push_str(part);
                    }
                    for ip in i.private_ip.iter().chain(i.public_ip.iter()) {
                        text.push(' ');
                        text.push_str(&ip.to_string());
                    }
                }
                NodeData::GuardDutyFinding(f) => {
                    text.push(' ');
                    text.push_str(&f.finding_type);
                }
                NodeData::NetworkInterface(e) => {
                    for ip in e.private_ips.iter().map(|p| p.address) {
                        text.push(' ');
                        text.push_str(&ip.to_string());
                    }
                    for ip in e.public_ips() {
                        text.push(' ');
                        text.push_str(&ip.to_string());
                    }
                    for ip in &e.ipv6_addresses {
                        text.push(' ');
                        text.push_str(&ip.to_string());
                    }
                }
                NodeData::ElasticIp(e) => {
                    text.push(' ');
                    text.push_str(&e.public_ip.to_string());
                }
                // What a principal may do, by its policies' names: `role:admin`
                // finds the roles with AdministratorAccess.
                NodeData::IamRole(r) => {
                    policy_names(&mut text, &r.attached_policies, &r.inline_policies)
                }
                NodeData::IamUser(u) => {
                    policy_names(&mut text, &u.attached_policies, &u.inline_policies)
                }
                NodeData::IamGroup(g) => {
                    policy_names(&mut text, &g.attached_policies, &g.inline_policies)
                }
                _ => {}
            }
            texts.push(text.to_lowercase().into_boxed_str());
            kinds.push(n.kind());
            nodes.push(id);
        }
        Finder {
            texts,
            kinds,
            nodes,
            matcher: SkimMatcherV2::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.texts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    pub fn node(&self, position: u32) -> NodeId {
        self.nodes[position as usize]
    }

    /// The lowercase search text of a node (for list filters).
    pub fn text(&self, id: NodeId) -> &str {
        self.texts.get(id.index()).map(|t| &**t).unwrap_or("")
    }

    /// One text's score for a query, if it matches.
    fn score(&self, i: u32, q: &Query) -> Option<(u32, i64)> {
        let kind = self.kinds[i as usize];
        if q.kind.is_some_and(|k| k != kind) || kind == NodeKind::Region {
            return None;
        }
        if q.pattern.is_empty() {
            return Some((i, 0));
        }
        let text = &self.texts[i as usize];
        if q.address {
            return address_score(text, q.pattern).map(|score| (i, score));
        }
        let first = subsequence(text.as_bytes(), q.pattern.as_bytes())?;
        // A cheap first ranking: a contiguous match early in the text
        // beats a scattered one.
        let score = match text.find(q.pattern) {
            Some(at) => CONTIGUOUS - at as i64,
            None => -(first as i64),
        };
        Some((i, score))
    }

    /// Every text's score, the texts split over the cores when there are
    /// many (the hits come back in the texts' order either way).
    fn score_all(&self, q: &Query) -> Vec<(u32, i64)> {
        let n = self.texts.len() as u32;
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get().min(8));
        if n < 50_000 || cores < 2 {
            return (0..n).filter_map(|i| self.score(i, q)).collect();
        }
        let chunk = n.div_ceil(cores as u32);
        std::thread::scope(|scope| {
            let parts: Vec<_> = (0..cores as u32)
                .map(|c| {
                    let (from, to) = (c * chunk, ((c + 1) * chunk).min(n));
                    scope.spawn(move || {
                        (from..to)
                            .filter_map(|i| self.score(i, q))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }

    /// Search; when `previous` answered a query that this one extends
    /// (same kind, longer pattern), only its hits are searched again.
    pub fn search(&self, query: &str, previous: Option<&Hits>) -> Hits {
        let (kind, pattern) = parse_query(query);
        let pattern = pattern.to_lowercase();
        let narrowing = previous.filter(|p| {
            let (pk, pp) = parse_query(&p.query);
            pk == kind && !pp.is_empty() && pattern.starts_with(&pp.to_lowercase())
        });
        let pat = pattern.as_bytes();
        let address = is_address_query(&pattern);
        let query_of = Query {
            kind,
            pattern: &pattern,
            address,
        };
        let mut hits: Vec<(u32, i64)> = match narrowing {
            Some(p) => p
                .hits
                .iter()
                .filter_map(|(i, _)| self.score(*i, &query_of))
                .collect(),
            None => self.score_all(&query_of),
        };
        if kind.is_none() && pat.is_empty() {
            hits.clear();
        }
        // Positions are unique: the order is total, stable or not.
        hits.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        // The full fuzzy score orders the best candidates only: what the
        // finder shows, without scoring a hundred thousand texts per key.
        if pat.len() >= 3 && !address {
            let top = hits.len().min(RESCORED);
            for h in &mut hits[..top] {
                let fuzzy = self
                    .matcher
                    .fuzzy_match(&self.texts[h.0 as usize], &pattern)
                    .unwrap_or(0);
                h.1 = RESCORED_BASE + fuzzy + h.1.max(0) / 1000;
            }
            hits[..top].sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        Hits {
            query: query.to_string(),
            hits,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Over the cores or on one, the same hits in the same order.
    #[test]
    fn scoring_split_over_the_cores_gives_what_one_core_gives() {
        let g = crate::source::synth::graph(60_000, 1);
        let f = Finder::build(&g);
        assert!(f.len() >= 50_000, "large enough to be split");
        for (kind, pattern, address) in [
            (None, "web", false),
            (Some(NodeKind::SecurityGroup), "", false),
            (None, "10.1", true),
            (Some(NodeKind::IamRole), "admin", false),
        ] {
            let q = Query {
                kind,
                pattern,
                address,
            };
            let one: Vec<(u32, i64)> = (0..f.len() as u32).filter_map(|i| f.score(i, &q)).collect();
            assert!(!one.is_empty(), "{pattern:?} finds something");
            assert_eq!(f.score_all(&q), one, "{pattern:?}");
        }
    }

    #[test]
    fn an_address_matches_whole_addresses_exactly_or_by_their_start() {
        let g = crate::source::demo::graph();
        let f = Finder::build(&g);
        let texts: Vec<&str> = f
            .search("10.10.10.11", None)
            .hits
            .iter()
            .map(|(i, _)| f.texts[*i as usize].as_ref())
            .collect();
        assert!(!texts.is_empty());
        for t in &texts {
            assert!(t.split(' ').any(|w| w.starts_with("10.10.10.11")), "{t}");
        }
        assert!(
            !texts
                .iter()
                .any(|t| t.contains("10.30.10.11") && !t.contains("10.10.10.11"))
        );
        // A prefix finds every address it starts.
        let prefix = f.search("10.10.1", None);
        assert!(prefix.hits.len() >= texts.len());
    }

    #[test]
    fn a_role_is_found_by_what_its_policies_grant() {
        let g = crate::source::demo::graph();
        let f = Finder::build(&g);
        let admins = f.search("role:admin", None);
        let names: Vec<String> = admins
            .hits
            .iter()
            .filter_map(|(i, _)| g.node(f.node(*i)).name.clone())
            .collect();
        assert!(names.iter().any(|n| n == "web-server-role"), "{names:?}");
    }

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
        // Upper case in the query still matches.
        assert_eq!(f.search("BILL-WEB", None).hits.first(), hits.hits.first());
        // Tags and addresses are searchable.
        assert!(!f.search("storefront", None).hits.is_empty());
        assert!(!f.search("54.210.33.7", None).hits.is_empty());
    }

    #[test]
    fn subsequence_finds_characters_in_order() {
        assert_eq!(subsequence(b"bill-web-server", b"bws"), Some(0));
        assert_eq!(subsequence(b"bill-web-server", b"web"), Some(5));
        assert_eq!(subsequence(b"bill", b"lib"), None);
    }
}
