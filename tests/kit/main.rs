//! The property-testing kit (feature `proptest`) as a downstream crate uses it: strategies,
//! sequences, hostile logs, the laws, scenarios, the regressions the kit found, and the
//! cost of replay's worst cases, counted in work.

#![cfg(feature = "proptest")]

#[path = "../../examples/support/nuclear.rs"]
mod nuclear;

mod hostile;
mod laws;
mod regressions;
mod scenario;
mod sequences;
mod strategies;
mod worst_case;
