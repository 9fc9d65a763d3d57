//! Opening what the user asked for: the demo, a snapshot file, or a folder
//! of AWS JSON.

use std::path::{Path, PathBuf};

use crate::graph::{Graph, snapshot};
use crate::source::import::{self, ImportOptions};

/// Where the data comes from.
#[derive(Debug, Clone)]
pub enum Source {
    Demo,
    Path(PathBuf),
    /// Collect from AWS now.
    Live(crate::source::collect::CollectOptions),
}

/// A loaded graph and what the user should know about how it loaded.
#[derive(Debug)]
pub struct Loaded {
    pub graph: Graph,
    /// Files that could not be read (each names the file and the place).
    pub problems: Vec<String>,
    /// Content that was skipped or guessed.
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Snapshot(#[from] snapshot::SnapshotError),
    #[error(transparent)]
    Import(#[from] import::ImportError),
    #[error("{0}: no such file or folder")]
    NotFound(PathBuf),
    #[error(transparent)]
    Collect(#[from] crate::source::collect::CollectError),
    #[error("live collection needs the async runtime (skyhound's own commands provide it)")]
    NeedsRuntime,
}

pub fn load(source: &Source, opts: &ImportOptions) -> Result<Loaded, LoadError> {
    match source {
        Source::Demo => Ok(Loaded {
            graph: crate::source::demo::graph(),
            problems: vec![],
            warnings: vec![],
        }),
        Source::Path(path) => load_path(path, opts),
        Source::Live(_) => Err(LoadError::NeedsRuntime),
    }
}

/// Collect live; progress goes to `progress`.
pub async fn collect(
    opts: &crate::source::collect::CollectOptions,
    progress: Option<tokio::sync::mpsc::UnboundedSender<crate::source::collect::Progress>>,
) -> Result<(Loaded, crate::source::collect::Stats), LoadError> {
    let (imported, stats) = crate::source::collect::collect(opts, progress).await?;
    let loaded = Loaded {
        graph: imported.graph,
        problems: imported.problems.iter().map(ToString::to_string).collect(),
        warnings: imported.warnings,
    };
    Ok((loaded, stats))
}

fn load_path(path: &Path, opts: &ImportOptions) -> Result<Loaded, LoadError> {
    if path.is_dir() {
        let imported = import::import_dir(path, opts)?;
        return Ok(Loaded {
            graph: imported.graph,
            problems: imported.problems.iter().map(ToString::to_string).collect(),
            warnings: imported.warnings,
        });
    }
    if !path.exists() {
        return Err(LoadError::NotFound(path.to_path_buf()));
    }
    let mut graph = snapshot::load(path)?;
    graph.note_source(format!("snapshot {}", path.display()));
    Ok(Loaded {
        graph,
        problems: vec![],
        warnings: vec![],
    })
}
