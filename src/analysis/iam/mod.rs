//! Identity: policy documents as typed statements, the three-valued
//! evaluation of one request in AWS's order, and the answers built on it.

pub mod admin;
pub mod catalogue;
pub mod condition;
pub mod escalation;
pub mod evaluate;
pub mod findings;
pub mod pattern;
pub mod permissions;
pub mod policy;
pub mod problems;
mod scp;
pub mod trust;

pub use admin::{Admin, AdminKind};
pub use escalation::{Escalation, Onward, Reached, Step};
pub use evaluate::{Answer, Decision, Engine, PolicyKind, PolicySource, Request, StatementRef};
pub use trust::Trust;
