//! Sanctions: the rule trait, the built-in threshold rule, and the decisions rules derive.
//!
//! The policy (what the rules say) is data in [`crate::agreement`]; this module is the
//! engine's side. Rules are pure functions of a read-only [`View`] of the state and the
//! [`Trigger`] just applied; they return [`Verdict`]s, which replay checks and turns into
//! [`Decision`]s that name the party, the rule, the level and the violation events behind them.
//! Downstream crates implement [`Rule`] and pass their rules in a [`RuleSet`].

mod config;
mod decision;
pub(crate) mod engine;
mod rule;
mod threshold;

pub(crate) use config::fingerprint;
pub use config::{ConfigError, RuleStamp};
pub use decision::{Decision, EndReason, Ending, Revision, Stage};
pub use rule::{Rule, RuleSet, Trigger, Verdict, View};
