//! The rule trait that built-in and downstream sanction rules share, and the read-only view of
//! the state a rule sees.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::agreement::{Agreement, Level, Procedure};
use crate::allegation::AllegationRecord;
use crate::event::Record;
use crate::id::{EventId, PartyId, RuleId};
use crate::sanction::Decision;
use crate::time::Timestamp;

/// What a rule sees of the state. Implemented by [`crate::AgreementState`]; rules never see
/// anything else (no clock, no I/O).
pub trait View {
    /// The agreement.
    fn agreement(&self) -> &Agreement;

    /// An allegation by its event id.
    fn allegation(&self, id: &EventId) -> Option<&AllegationRecord>;

    /// Whether an allegation counts against its accused at all: not refuted or retracted, and
    /// certainly inside the accused's obligation window for the term, outside suspensions.
    fn stands(&self, id: &EventId) -> bool;

    /// Allegations against `party` whose earliest possible occurrence lies in `[from, to]`,
    /// ordered by that instant, then by sequence number.
    fn allegations_against(
        &self,
        party: &PartyId,
        from: Timestamp,
        to: Timestamp,
    ) -> Vec<&AllegationRecord>;

    /// Whether a decision of `rule` that holds its violations (not stopped or voided) already
    /// cites `allegation`: a violation is cited at most once per rule.
    fn is_cited(&self, allegation: &EventId, rule: &RuleId) -> bool;

    /// How many standing decisions `rule` has made against `party` (for escalation).
    fn standing_decisions(&self, rule: &RuleId, party: &PartyId) -> usize;

    /// Every decision so far, in order.
    fn decisions(&self) -> &[Decision];
}

/// What a rule is asked to consider: the record just applied, and the allegations whose
/// standing may have changed with it (its own allegation, allegations touched by a change of
/// obligation windows, and violations released by a voided decision), in log order.
#[derive(Debug, Clone, Copy)]
pub struct Trigger<'a> {
    /// The record just applied.
    pub record: &'a Record,
    /// Allegations whose standing may have changed.
    pub changed: &'a [EventId],
}

/// What a rule concludes: sanction this party at this level, citing these violations.
///
/// Replay checks every verdict: the party must be known, the violations must be allegations
/// against that party that stand, and the evidence must be events of the log. A verdict that
/// fails is not applied but recorded as a [`crate::state::RuleFault`]. A verdict citing a
/// violation the same rule already cites is dropped silently.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Verdict {
    /// Against whom.
    pub party: PartyId,
    /// At which level.
    pub level: Level,
    /// The allegations relied on (not empty).
    pub violations: Vec<EventId>,
    /// The events that made them count.
    pub evidence: Vec<EventId>,
    /// How it takes effect.
    pub procedure: Procedure,
}

/// A sanction rule. Implementations must be pure: the verdicts depend only on the view and
/// the trigger (no clock, no I/O, no randomness, no interior mutability), and they must not
/// panic. Replay runs the policy's built-in rules first, in policy order, then downstream
/// rules in the order they were added; each rule sees the decisions of the rules before it.
pub trait Rule: Send + Sync {
    /// The rule's id, unique among all rules in use.
    fn id(&self) -> &RuleId;

    /// The rule's version: change it whenever what the rule decides changes, so that a
    /// snapshot computed with an older version is not resumed with the new one.
    fn version(&self) -> u32;

    /// The verdicts this rule reaches after `trigger.record` was applied.
    fn evaluate(&self, view: &dyn View, trigger: &Trigger<'_>) -> Vec<Verdict>;
}

/// Downstream rules to run beside the policy's built-in ones.
#[derive(Clone, Default)]
pub struct RuleSet(Vec<Arc<dyn Rule>>);

impl RuleSet {
    /// No rules.
    #[must_use]
    pub fn new() -> RuleSet {
        RuleSet::default()
    }

    /// Adds a rule.
    #[must_use]
    pub fn with<R: Rule + 'static>(mut self, rule: R) -> RuleSet {
        self.0.push(Arc::new(rule));
        self
    }

    /// Adds a shared rule.
    #[must_use]
    pub fn with_shared(mut self, rule: Arc<dyn Rule>) -> RuleSet {
        self.0.push(rule);
        self
    }

    /// The rules, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Rule>> {
        self.0.iter()
    }

    /// How many there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The rule at `i` (in order), shared.
    #[must_use]
    pub fn get(&self, i: usize) -> Option<Arc<dyn Rule>> {
        self.0.get(i).cloned()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Their ids, in order.
    #[must_use]
    pub fn ids(&self) -> Vec<RuleId> {
        self.0.iter().map(|r| r.id().clone()).collect()
    }
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|r| r.id()))
            .finish()
    }
}
