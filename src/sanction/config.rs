//! What a state runs: the rules it was given, stamped with their versions, and why a set of
//! rules or a snapshot does not fit. Configuration errors are kept apart from
//! [`crate::Rejection`], which is about events.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::agreement::ThresholdRule;
use crate::id::RuleId;
use crate::sanction::RuleSet;

/// A downstream rule as a snapshot remembers it: its id and version.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleStamp {
    /// The rule's id.
    pub id: RuleId,
    /// The rule's version ([`crate::sanction::Rule::version`]).
    pub version: u32,
}

impl std::fmt::Display for RuleStamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} v{}", self.id, self.version)
    }
}

impl RuleSet {
    /// The rules' ids and versions, in order.
    #[must_use]
    pub fn stamps(&self) -> Vec<RuleStamp> {
        self.iter()
            .map(|r| RuleStamp {
                id: r.id().clone(),
                version: r.version(),
            })
            .collect()
    }
}

/// The fingerprint of a rule set: SHA-256 (hex) over the policy's built-in rules and the
/// downstream rules' stamps, as canonical JSON.
pub(crate) fn fingerprint(policy: &[ThresholdRule], downstream: &[RuleStamp]) -> String {
    let text = serde_json::to_vec(&(policy, downstream)).unwrap_or_default();
    hex::encode(Sha256::digest(&text))
}

/// Why rules or a snapshot cannot be used together.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Two rules share an id (a downstream rule and a policy rule, or two downstream rules).
    #[error("rule id {0} is used by two rules")]
    RuleIdCollision(RuleId),
    /// A snapshot was taken with other downstream rules than the ones given to resume it.
    #[error(
        "the snapshot was computed with the rules [{}] but is resumed with [{}]",
        list(snapshot),
        list(given)
    )]
    SnapshotRulesDiffer {
        /// The rules the snapshot was computed with.
        snapshot: Vec<RuleStamp>,
        /// The rules given.
        given: Vec<RuleStamp>,
    },
}

fn list(stamps: &[RuleStamp]) -> String {
    stamps
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
