//! The sanction policy: data carried by the agreement, run by [`crate::sanction`].

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::id::{PartyId, RuleId, TermId};
use crate::time::Span;

/// How serious an alleged violation is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Minor: no damage reported.
    Minor,
    /// Serious: damage to a protected target.
    Serious,
    /// Grave: casualties or lasting damage.
    Grave,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Minor => "minor",
            Severity::Serious => "serious",
            Severity::Grave => "grave",
        })
    }
}

/// A verifier's confidence in a finding, in whole percent (0 to 100).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Confidence(u8);

/// A confidence above 100 percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("confidence {0} is above 100 percent")]
pub struct ConfidenceError(pub u8);

impl Confidence {
    /// No confidence required.
    pub const ZERO: Confidence = Confidence(0);

    /// A confidence in percent.
    ///
    /// # Errors
    /// [`ConfidenceError`] above 100.
    pub fn percent(p: u8) -> Result<Confidence, ConfidenceError> {
        if p <= 100 {
            Ok(Confidence(p))
        } else {
            Err(ConfidenceError(p))
        }
    }

    /// The value in percent.
    #[must_use]
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Confidence {
    type Error = ConfidenceError;
    fn try_from(p: u8) -> Result<Self, ConfidenceError> {
        Confidence::percent(p)
    }
}

impl From<Confidence> for u8 {
    fn from(c: Confidence) -> u8 {
        c.0
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

/// What an allegation needs before a rule may count it. A refuted or retracted allegation
/// never counts, whatever the standard.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum EvidenceStandard {
    /// The allegation alone.
    Alleged,
    /// Corroborated by a party other than the accuser and the accused, or confirmed by a
    /// monitor.
    Corroborated,
    /// Confirmed by at least `monitors` distinct monitors, each with at least `min_confidence`,
    /// counting each monitor's latest finding.
    Confirmed {
        /// How many distinct monitors (at least 1).
        monitors: u8,
        /// The least confidence a confirming finding needs.
        min_confidence: Confidence,
    },
}

/// How much each severity weighs towards a threshold.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityWeights {
    /// Weight of a minor violation.
    pub minor: u32,
    /// Weight of a serious violation.
    pub serious: u32,
    /// Weight of a grave violation.
    pub grave: u32,
}

impl SeverityWeights {
    /// Every violation weighs 1: the threshold counts violations.
    pub const UNIFORM: SeverityWeights = SeverityWeights {
        minor: 1,
        serious: 1,
        grave: 1,
    };

    /// The weight of `severity`.
    #[must_use]
    pub fn of(&self, severity: Severity) -> u32 {
        match severity {
            Severity::Minor => self.minor,
            Severity::Serious => self.serious,
            Severity::Grave => self.grave,
        }
    }
}

impl Default for SeverityWeights {
    fn default() -> Self {
        Self::UNIFORM
    }
}

crate::name::from_names!(Severity, "severity", [
    Severity::Minor => "minor",
    Severity::Serious => "serious",
    Severity::Grave => "grave",
]);

/// A rung of the escalation ladder, lowest first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// A formal warning.
    Warning,
    /// Targeted sanctions on named people and entities.
    Targeted,
    /// Sectoral sanctions.
    Sectoral,
    /// Full reimposition of every sanction lifted under the agreement.
    Reimposition,
}

impl Level {
    /// The rung above, or the top rung again.
    #[must_use]
    pub fn up(self) -> Level {
        match self {
            Level::Warning => Level::Targeted,
            Level::Targeted => Level::Sectoral,
            Level::Sectoral | Level::Reimposition => Level::Reimposition,
        }
    }

    /// `steps` rungs up, capped at the top.
    #[must_use]
    pub fn up_by(self, steps: usize) -> Level {
        (0..steps.min(3)).fold(self, |l, _| l.up())
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Warning => "warning",
            Level::Targeted => "targeted sanctions",
            Level::Sectoral => "sectoral sanctions",
            Level::Reimposition => "full reimposition",
        })
    }
}

crate::name::from_names!(Level, "level", [
    Level::Warning => "warning",
    Level::Targeted => "targeted",
    Level::Sectoral => "sectoral",
    Level::Reimposition => "reimposition",
]);

/// Whether repeated firings against the same party climb the ladder.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    /// Every firing is at the rule's level.
    Fixed,
    /// Each firing climbs one rung above the previous one (voided decisions do not count).
    #[default]
    Ladder,
}

/// How a decision takes effect.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Procedure {
    /// At once, at the `recorded_at` of the event that crossed the threshold.
    #[default]
    Immediate,
    /// Snapback-style: a notice first; during the dispute window the refutation of a cited
    /// violation or a mediator's halt stops the procedure; otherwise the sanction takes effect
    /// at the deadline, not before.
    NoticeAndDeadline {
        /// The dispute window (e.g. 30 days).
        dispute_window: Span,
    },
}

/// Which terms a rule counts violations of.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TermScope {
    /// Every term.
    #[default]
    All,
    /// Only these terms.
    Only(BTreeSet<TermId>),
}

impl TermScope {
    /// Whether the scope includes `term`.
    #[must_use]
    pub fn includes(&self, term: &TermId) -> bool {
        match self {
            TermScope::All => true,
            TermScope::Only(terms) => terms.contains(term),
        }
    }
}

/// The built-in rule: weighted violations by one party, of terms binding it, within a sliding
/// window, reaching a threshold, trigger a sanction at a level against that party.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdRule {
    /// Unique among the policy's rules and any downstream rules.
    pub id: RuleId,
    /// Which terms count.
    pub terms: TermScope,
    /// The total weight that triggers the rule (at least 1).
    pub threshold: u32,
    /// The sliding window: all counted violations occurred within this span (not zero).
    pub window: Span,
    /// What an allegation needs to count.
    pub evidence: EvidenceStandard,
    /// Weight per severity.
    pub weights: SeverityWeights,
    /// The level of the first firing against a party.
    pub level: Level,
    /// Whether later firings climb.
    pub escalation: Escalation,
    /// How a firing takes effect.
    pub procedure: Procedure,
}

impl ThresholdRule {
    /// `threshold` violations within `window`, confirmed by one monitor, every term, uniform
    /// weights, starting with a warning and climbing the ladder, taking effect at once.
    #[must_use]
    pub fn new(id: RuleId, threshold: u32, window: Span) -> ThresholdRule {
        ThresholdRule {
            id,
            terms: TermScope::All,
            threshold,
            window,
            evidence: EvidenceStandard::Confirmed {
                monitors: 1,
                min_confidence: Confidence::ZERO,
            },
            weights: SeverityWeights::UNIFORM,
            level: Level::Warning,
            escalation: Escalation::Ladder,
            procedure: Procedure::Immediate,
        }
    }

    /// Counts only these terms.
    #[must_use]
    pub fn terms<I: IntoIterator<Item = TermId>>(mut self, terms: I) -> ThresholdRule {
        self.terms = TermScope::Only(terms.into_iter().collect());
        self
    }

    /// Sets the evidence standard.
    #[must_use]
    pub fn evidence(mut self, evidence: EvidenceStandard) -> ThresholdRule {
        self.evidence = evidence;
        self
    }

    /// Sets the severity weights.
    #[must_use]
    pub fn weights(mut self, weights: SeverityWeights) -> ThresholdRule {
        self.weights = weights;
        self
    }

    /// Sets the first level.
    #[must_use]
    pub fn level(mut self, level: Level) -> ThresholdRule {
        self.level = level;
        self
    }

    /// Sets the escalation.
    #[must_use]
    pub fn escalation(mut self, escalation: Escalation) -> ThresholdRule {
        self.escalation = escalation;
        self
    }

    /// Sets the procedure.
    #[must_use]
    pub fn procedure(mut self, procedure: Procedure) -> ThresholdRule {
        self.procedure = procedure;
        self
    }
}

/// What lifting sanctions against a party needs: a sustained-compliance period and a quorum of
/// named approvers.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReliefPolicy {
    /// How long the party must go without a newly confirmed violation (counted from the later
    /// of its latest sanction taking effect and its latest confirmed violation).
    pub compliance: Span,
    /// The approvers whose approvals count (each must have the approver role).
    pub approvers: BTreeSet<PartyId>,
    /// How many distinct approvers must approve (1 to the number of approvers).
    pub quorum: u8,
}

/// The sanction policy carried by the agreement.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SanctionPolicy {
    /// Built-in threshold rules, run in this order.
    pub rules: Vec<ThresholdRule>,
    /// How sanctions are lifted; `None`: decisions stand until voided.
    pub relief: Option<ReliefPolicy>,
}

impl SanctionPolicy {
    /// A policy with no rules and no relief.
    #[must_use]
    pub fn new() -> SanctionPolicy {
        SanctionPolicy::default()
    }

    /// Adds a rule.
    #[must_use]
    pub fn rule(mut self, rule: ThresholdRule) -> SanctionPolicy {
        self.rules.push(rule);
        self
    }

    /// Sets the relief policy.
    #[must_use]
    pub fn relief(mut self, relief: ReliefPolicy) -> SanctionPolicy {
        self.relief = Some(relief);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_is_bounded() {
        assert!(Confidence::percent(100).is_ok());
        assert_eq!(Confidence::percent(101), Err(ConfidenceError(101)));
        assert!(serde_json::from_str::<Confidence>("101").is_err());
        assert!(serde_json::from_str::<Confidence>("-1").is_err());
    }

    #[test]
    fn ladder_climbs_and_caps() {
        assert_eq!(Level::Warning.up(), Level::Targeted);
        assert_eq!(Level::Warning.up_by(2), Level::Sectoral);
        assert_eq!(Level::Targeted.up_by(usize::MAX), Level::Reimposition);
        assert!(Level::Warning < Level::Reimposition);
    }
}
