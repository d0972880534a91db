//! Testing kit (feature `proptest`): the storage contract suite, and tools for testing sanction
//! rules: the [`fixtures`] agreement, the [`Events`] builder, [`Log`]s printed one event per
//! line, and [`strategy`]: strategies for ids, roles, term kinds, agreements and single events.

pub mod contract;
pub mod fixtures;
pub mod strategy;

mod build;
mod log;

use proptest::test_runner::Config as ProptestConfig;

pub use build::Events;
pub use log::{Log, describe, tag, timeline};

/// A proptest configuration running `cases` cases, unless the `PROPTEST_CASES` environment
/// variable says otherwise: keep CI quick and raise the count locally
/// (`PROPTEST_CASES=5000 cargo test`).
///
/// ```
/// use ceasefire::testing::proptest_config;
///
/// let config = proptest_config(64);
/// assert!(config.cases > 0);
/// ```
#[must_use]
pub fn proptest_config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}
