//! Snapshot files: the whole graph in one file.
//!
//! Layout: the first line is a JSON header (format, versions, collection
//! time, accounts, regions, gaps); each following line is one resource as
//! JSON. The header is read first, so a file from a newer skyhound gives a
//! clear error before anything else is parsed, and an error in the body
//! names its line. Relationships are not stored: they are derived on load.
//!
//! Snapshots never hold credentials: the model has no field for a secret
//! key, session token or password.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Collection, Graph};
use crate::model::Node;

/// The magic string in every snapshot header.
pub const FORMAT: &str = "skyhound-snapshot";
/// The snapshot format this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub format_version: u32,
    pub skyhound_version: String,
    #[serde(default)]
    pub node_count: usize,
    #[serde(flatten)]
    pub collection: Collection,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    // The I/O error is said in the message, not chained as a source too,
    // so it is printed once.
    #[error("cannot read snapshot {path}: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot write snapshot {path}: {error}")]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{path} is not a skyhound snapshot (its first line is not a snapshot header); to import AWS JSON, pass the folder that holds it"
    )]
    NotASnapshot { path: PathBuf },
    #[error(
        "{path} was written by skyhound {writer} in snapshot format {found}; this skyhound ({ours}) reads format {FORMAT_VERSION} and older: upgrade skyhound to open it"
    )]
    TooNew {
        path: PathBuf,
        found: u64,
        writer: String,
        ours: &'static str,
    },
    #[error("{path}: line {line}: {message}")]
    Malformed {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error(
        "{path}: the header promises {expected} resources but the file holds {found}; the file is truncated"
    )]
    Truncated {
        path: PathBuf,
        expected: usize,
        found: usize,
    },
}

/// Write the graph to `path` with owner-only permissions (0600).
///
/// The file is written beside its destination under a temporary name and
/// renamed into place, so an interrupted write never leaves half a snapshot.
pub fn save(graph: &Graph, path: &Path) -> Result<(), SnapshotError> {
    crate::files::write_atomically(path, |out| write_to(graph, out)).map_err(|error| {
        SnapshotError::Write {
            path: path.to_path_buf(),
            error,
        }
    })
}

/// Write the snapshot text to any writer.
pub fn write_to(graph: &Graph, out: &mut dyn Write) -> std::io::Result<()> {
    let header = Header {
        format: FORMAT.to_string(),
        format_version: FORMAT_VERSION,
        skyhound_version: env!("CARGO_PKG_VERSION").to_string(),
        node_count: graph.len(),
        collection: graph.collection().clone(),
    };
    serde_json::to_writer(&mut *out, &header)?;
    out.write_all(b"\n")?;
    for node in graph.all_nodes() {
        serde_json::to_writer(&mut *out, node)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Read only the header of a snapshot (cheap: the first line).
pub fn read_header(path: &Path) -> Result<Header, SnapshotError> {
    let file = File::open(path).map_err(|error| SnapshotError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    let mut first = String::new();
    BufReader::new(file)
        .read_line(&mut first)
        .map_err(|error| SnapshotError::Read {
            path: path.to_path_buf(),
            error,
        })?;
    parse_header(path, &first)
}

/// Load a snapshot into a graph. The file's text is let go before the
/// graph is built from what was parsed, so the two are never both held.
pub fn load(path: &Path) -> Result<Graph, SnapshotError> {
    let text = read_text(path)?;
    let (header, nodes) = parse_nodes(path, &text)?;
    drop(text);
    Ok(Graph::build(nodes, header.collection))
}

/// Parse snapshot text; `path` is only used in messages.
pub fn parse(path: &Path, text: &str) -> Result<Graph, SnapshotError> {
    let (header, nodes) = parse_nodes(path, text)?;
    Ok(Graph::build(nodes, header.collection))
}

/// Below this many bytes of resources the lines are parsed on one thread.
const PARALLEL_FROM: usize = 1 << 20;

/// The header and every resource, the lines parsed on every core in
/// contiguous parts; the resources come back in file order, and an error
/// names the first malformed line of the file.
fn parse_nodes(path: &Path, text: &str) -> Result<(Header, Vec<Node>), SnapshotError> {
    let (first, body) = text.split_once('\n').unwrap_or((text, ""));
    let header = parse_header(path, first)?;
    let threads = if body.len() < PARALLEL_FROM {
        1
    } else {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    };
    let parts = split_at_lines(body, threads);
    let parsed: Vec<Part> = if parts.len() == 1 {
        parts.iter().map(|p| parse_part(p)).collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .iter()
                .map(|p| scope.spawn(move || parse_part(p)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };
    let mut nodes: Vec<Node> = Vec::with_capacity(parsed.iter().map(|p| p.nodes.len()).sum());
    // The header is line 1; each part's lines follow the ones before it.
    let mut line_before = 1;
    for mut part in parsed {
        if let Some((line, message)) = part.error {
            return Err(SnapshotError::Malformed {
                path: path.to_path_buf(),
                line: line_before + line,
                message,
            });
        }
        line_before += part.lines;
        nodes.append(&mut part.nodes);
    }
    if header.node_count > 0 && nodes.len() < header.node_count {
        return Err(SnapshotError::Truncated {
            path: path.to_path_buf(),
            expected: header.node_count,
            found: nodes.len(),
        });
    }
    Ok((header, nodes))
}

/// What one part of the lines held.
struct Part {
    nodes: Vec<Node>,
    /// How many lines the part has.
    lines: usize,
    /// The first malformed line (counted from 1 within the part) and why.
    error: Option<(usize, String)>,
}

fn parse_part(text: &str) -> Part {
    let mut part = Part {
        nodes: Vec::new(),
        lines: 0,
        error: None,
    };
    for line in text.lines() {
        part.lines += 1;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Node>(line) {
            Ok(node) => part.nodes.push(node),
            Err(e) => {
                part.error = Some((part.lines, e.to_string()));
                break;
            }
        }
    }
    part
}

/// About `n` parts of nearly equal size, each ending after a newline (the
/// last at the end of the text), so no line is cut.
fn split_at_lines(text: &str, n: usize) -> Vec<&str> {
    let mut parts = Vec::with_capacity(n);
    let mut rest = text;
    let size = text.len() / n.max(1) + 1;
    while parts.len() + 1 < n && rest.len() > size {
        let cut = rest.as_bytes()[size..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| size + i + 1);
        let (head, tail) = rest.split_at(cut);
        parts.push(head);
        rest = tail;
    }
    parts.push(rest);
    parts
}

fn read_text(path: &Path) -> Result<String, SnapshotError> {
    std::fs::read_to_string(path).map_err(|error| SnapshotError::Read {
        path: path.to_path_buf(),
        error,
    })
}

fn parse_header(path: &Path, line: &str) -> Result<Header, SnapshotError> {
    #[derive(Deserialize)]
    struct Probe {
        format: Option<String>,
        // Wider than the format's own number, so that any number read is
        // compared rather than failing to parse.
        format_version: Option<u64>,
        skyhound_version: Option<String>,
    }
    let not_snapshot = || SnapshotError::NotASnapshot {
        path: path.to_path_buf(),
    };
    let probe: Probe = serde_json::from_str(line).map_err(|_| not_snapshot())?;
    if probe.format.as_deref() != Some(FORMAT) {
        return Err(not_snapshot());
    }
    let found = probe.format_version.ok_or_else(not_snapshot)?;
    if found > u64::from(FORMAT_VERSION) {
        return Err(SnapshotError::TooNew {
            path: path.to_path_buf(),
            found,
            writer: probe.skyhound_version.unwrap_or_else(|| "(unknown)".into()),
            ours: env!("CARGO_PKG_VERSION"),
        });
    }
    serde_json::from_str(line).map_err(|e| SnapshotError::Malformed {
        path: path.to_path_buf(),
        line: 1,
        message: e.to_string(),
    })
}
