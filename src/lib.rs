//! skyhound: a terminal explorer for AWS security.
//!
//! Data flows one way: sources (demo, import, snapshot, synthetic) build a
//! [`graph::Graph`] of [`model`] nodes; [`analysis`] reads it; the explorer
//! ([`app`] state, [`ui`] drawing, [`tui`] terminal) and the command-line
//! [`report`]s show it.

pub mod analysis;
pub mod app;
pub mod config;
pub mod files;
pub mod graph;
pub mod labels;
pub mod load;
pub mod logging;
pub mod model;
pub mod ocsf;
pub mod report;
pub mod source;
pub mod text;
pub mod theme;
pub mod tui;
pub mod ui;
