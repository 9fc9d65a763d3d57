//! Where graphs come from: the built-in demo organization, imports of AWS
//! JSON, snapshot files and the synthetic generator.

pub mod build;
pub mod collect;
pub mod demo;
pub mod import;
pub mod operations;
pub mod synth;
