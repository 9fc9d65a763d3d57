//! skyhound's integration tests, in one binary.

mod blast;
mod cli;
mod demo;
mod escalation;
mod exposure;
mod faults;
mod fuzz;
mod hostile;
mod iam;
mod import;
mod live;
mod mocked;
mod posture;
mod respond;
mod snapshot;
mod terminal;
mod tui;

use std::path::{Path, PathBuf};

/// A fixture folder under `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// An empty scratch folder for one test, under the build's own temporary
/// folder (`target/tmp`), so runs never fill the machine's `/tmp` and a
/// rerun starts clean.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}
