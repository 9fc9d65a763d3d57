//! Analyses over the graph: pure functions, no I/O, each answer with its
//! evidence.

pub mod explain;
pub mod exposure;
pub mod hops;
pub mod ipset;
pub mod lateral;

pub use explain::{Explanation, explain, explain_all};
pub use exposure::{Exposure, Via, exposures};
pub use hops::{Hop, HopKind};
