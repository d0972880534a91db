//! The property-testing kit (feature `proptest`) as a downstream crate uses it: strategies,
//! sequences, hostile logs, the laws, scenarios, and the regressions the kit found.

#![cfg(feature = "proptest")]

#[path = "../../examples/support/nuclear.rs"]
mod nuclear;

mod hostile;
mod laws;
mod regressions;
mod scenario;
mod sequences;
mod strategies;
