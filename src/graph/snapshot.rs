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

/// Load a snapshot into a graph.
pub fn load(path: &Path) -> Result<Graph, SnapshotError> {
    let text = read_text(path)?;
    parse(path, &text)
}

/// Parse snapshot text; `path` is only used in messages.
pub fn parse(path: &Path, text: &str) -> Result<Graph, SnapshotError> {
    let mut lines = text.lines();
    let header = parse_header(path, lines.next().unwrap_or(""))?;
    let mut nodes: Vec<Node> = Vec::with_capacity(header.node_count.min(10_000_000));
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let node = serde_json::from_str::<Node>(line).map_err(|e| SnapshotError::Malformed {
            path: path.to_path_buf(),
            line: i + 2,
            message: e.to_string(),
        })?;
        nodes.push(node);
    }
    if header.node_count > 0 && nodes.len() < header.node_count {
        return Err(SnapshotError::Truncated {
            path: path.to_path_buf(),
            expected: header.node_count,
            found: nodes.len(),
        });
    }
    Ok(Graph::build(nodes, header.collection))
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
