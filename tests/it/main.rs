//! skyhound's integration tests, in one binary.

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
mod posture;
mod snapshot;
mod terminal;
mod tui;

use std::path::PathBuf;

/// A fixture folder under `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}
