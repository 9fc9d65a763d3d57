//! skyhound: a terminal explorer for AWS security.
//!
//! Data flows one way: sources (demo, import, snapshot, synthetic) build a
//! [`graph::Graph`] of [`model`] nodes; analysis and views read it.

pub mod analysis;
pub mod graph;
pub mod load;
pub mod model;
pub mod report;
pub mod source;
