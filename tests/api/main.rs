//! The public API as a downstream crate uses it: every refusal of `append`, the time model,
//! the storage contract, the replay laws and the round-trip law, a downstream rule, and the
//! golden logs that every version must keep reading.

mod common;
#[cfg(feature = "proptest")]
#[path = "../../examples/support/nuclear.rs"]
mod nuclear;

mod contract;
mod downstream_rule;
mod golden;
mod model;
mod refusals;
mod replay_properties;
mod time;
