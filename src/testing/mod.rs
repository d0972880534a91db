#![doc = include_str!("../../docs/testing.md")]
// The guide shows a user's test file with `#[test]` functions: the doctest compiles them but
// does not run them; `tests/api/downstream_rule.rs` runs the same properties.
#![allow(clippy::test_attr_in_doctest)]
//!
//! # What is here
//!
//! | item | what for |
//! |---|---|
//! | [`valid_log`] with [`Config`] ([`Mix`], [`Outcomes`]) | logs every store accepts, for a given agreement and your rules |
//! | [`any_agreement_log`] | the same for agreements drawn from [`strategy::agreement`] |
//! | [`hostile_log`] ([`HostileLog`], [`Defect`]) | broken logs, to check that nothing panics |
//! | [`laws`] | one-line law checks returning [`LawViolation`] |
//! | [`scenario`] | given / when / then tests of one event |
//! | [`Events`] | a terse builder of deterministic events |
//! | [`fixtures`] | the energy-truce agreement of spring 2025 |
//! | [`strategy`] | strategies for ids, roles, term kinds, agreements, policies, single events |
//! | [`Log`], [`describe`], [`timeline`], [`tag`] | logs printed one event per line |
//! | [`proptest_config`] | a case count that `PROPTEST_CASES` overrides |
//! | [`contract`] | the storage contract suite every store must pass |
//! | [`worst`] | pathological valid agreements and logs, for cost tests and benchmarks |

pub mod contract;
pub mod fixtures;
pub mod laws;
pub mod scenario;
pub mod strategy;

mod build;
mod hostile;
mod log;
mod sequence;
pub mod worst;

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

use crate::RuleId;
use crate::sanction::RuleSet;

pub use build::Events;
pub use hostile::{Defect, HostileLog, hostile_log};
pub use laws::LawViolation;
pub use log::{Log, describe, tag, timeline};
pub use sequence::{Config, Mix, Outcomes, StepKind, valid_log};

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

/// Logs for agreements drawn from [`strategy::agreement`] (any term kinds, activations,
/// clocks, policies), each valid for its agreement and `rules` as [`valid_log`] makes them.
/// A policy rule whose id a downstream rule also uses is renamed (`threshold-1` becomes
/// `threshold-1-policy`). The agreement is the log's genesis: [`Log::agreement`].
pub fn any_agreement_log(rules: &RuleSet, config: Config) -> impl Strategy<Value = Log> + use<> {
    let rules = rules.clone();
    strategy::agreement().prop_flat_map(move |mut agreement| {
        let taken = rules.ids();
        for rule in &mut agreement.policy.rules {
            if taken.contains(&rule.id)
                && let Ok(id) = RuleId::new(format!("{}-policy", rule.id))
            {
                rule.id = id;
            }
        }
        valid_log(&agreement, &rules, config.clone())
    })
}
