//! Testing kit (feature `proptest`): the storage contract suite, and tools for testing sanction
//! rules: the [`fixtures`] agreement, the [`Events`] builder, and [`Log`]s printed one event per
//! line.

pub mod contract;
pub mod fixtures;

mod build;
mod log;

pub use build::Events;
pub use log::{Log, describe, tag, timeline};
