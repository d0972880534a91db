//! What the state answers. Questions about the world take an explicit instant; the answers
//! are as the log knows them now.

use std::collections::BTreeMap;

use crate::agreement::{Agreement, Level};
use crate::allegation::{AllegationRecord, VerificationStatus};
use crate::id::{ConditionId, DecisionId, EventId, PartyId, Seq, TermId};
use crate::sanction::engine::relief;
use crate::sanction::{Decision, EndReason, Stage};
use crate::state::{
    AcceptanceRecord, AgreementState, AttestationRecord, ClaimRecord, ConditionRecord,
    ControlRecord, ImpositionRecord, ReliefGrant, RuleFault, Stamp, Tally, TermRecord,
};
use crate::time::Timestamp;

impl AgreementState {
    /// The agreement, once the genesis has been applied.
    #[must_use]
    pub fn agreement(&self) -> Option<&Agreement> {
        self.facts.agreement.as_ref()
    }

    /// The genesis event's id.
    #[must_use]
    pub fn genesis(&self) -> Option<EventId> {
        self.facts.genesis
    }

    /// The last sequence number applied (or skipped by a lenient replay).
    #[must_use]
    pub fn last_seq(&self) -> Option<Seq> {
        self.facts.last_seq
    }

    /// The sequence number the next record must carry.
    #[must_use]
    pub fn next_seq(&self) -> Seq {
        self.facts
            .last_seq
            .and_then(Seq::next)
            .unwrap_or(Seq::FIRST)
    }

    /// The `recorded_at` of the last event applied: what the state knows is known as of then.
    #[must_use]
    pub fn known_as_of(&self) -> Option<Timestamp> {
        self.facts.last_recorded
    }

    /// Where an event id sits in the log, if it has been applied.
    #[must_use]
    pub fn seq_of(&self, id: &EventId) -> Option<Seq> {
        self.facts.ids.get(id)
    }

    /// How many events have been applied.
    #[must_use]
    pub fn event_count(&self) -> usize {
        self.facts.ids.len()
    }

    /// A term as the log has shaped it (amendments, acceptances, suspensions).
    #[must_use]
    pub fn term(&self, id: &TermId) -> Option<&TermRecord> {
        self.facts.terms.get(id)
    }

    /// Every term, by id.
    pub fn terms(&self) -> impl Iterator<Item = (&TermId, &TermRecord)> {
        self.facts.terms.iter()
    }

    /// A party's current acceptance of a term.
    #[must_use]
    pub fn acceptance(&self, term: &TermId, party: &PartyId) -> Option<&AcceptanceRecord> {
        self.facts.terms.get(term)?.acceptances.get(party)
    }

    /// Every condition, by id.
    pub fn conditions(&self) -> impl Iterator<Item = (&ConditionId, &ConditionRecord)> {
        self.facts.conditions.iter()
    }

    /// An allegation by its event id.
    #[must_use]
    pub fn allegation(&self, id: &EventId) -> Option<&AllegationRecord> {
        self.allegation_by_id(id)
    }

    /// Every allegation, in log order.
    pub fn allegations(&self) -> impl Iterator<Item = &AllegationRecord> {
        self.facts.allegations.values()
    }

    /// Allegations that certainly occurred within `[from, to)` (world time), in log order.
    pub fn allegations_occurred_within(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> impl Iterator<Item = &AllegationRecord> {
        let window = crate::time::Window {
            start: from,
            end: Some(to),
        };
        self.facts
            .allegations
            .values()
            .filter(move |a| window.contains_occurred(&a.occurred))
    }

    /// Whether an allegation counts against its accused: not refuted or retracted, its
    /// target settled and covered by its term, and certainly inside the accused's obligation
    /// window for the term, outside suspensions.
    #[must_use]
    pub fn counts_against(&self, allegation: &EventId) -> bool {
        self.allegation_by_id(allegation)
            .is_some_and(|a| self.stands_rec(a))
    }

    /// The allegations that are *possibly inside* the accused's obligations but not certainly
    /// (see `docs/time.md`): not refuted or retracted, their uncertain time overlapping the
    /// accused's coverage of the term without lying wholly inside it. They are reported,
    /// never counted. In log order.
    pub fn possibly_inside(&self) -> impl Iterator<Item = &AllegationRecord> {
        self.facts
            .allegations
            .values()
            .filter(move |a| self.is_possibly_inside(a))
    }

    /// Whether one allegation is possibly but not certainly inside the accused's obligations
    /// (see [`AgreementState::possibly_inside`]).
    pub(crate) fn is_possibly_inside(&self, a: &AllegationRecord) -> bool {
        !a.is_discounted()
            && self
                .cached_coverage(&a.allegation.term, a.accused())
                .is_some_and(|c| {
                    c.may_contain_occurred(&a.occurred) && !c.contains_occurred(&a.occurred)
                })
    }

    /// The allegations whose target is unknown or disputed and not yet settled by a
    /// monitor's finding (see [`AllegationRecord::counted_target`]): shown, never counted.
    /// Retracted and refuted ones are left out. In log order.
    pub fn unsettled_targets(&self) -> impl Iterator<Item = &AllegationRecord> {
        self.facts
            .allegations
            .values()
            .filter(|a| !a.is_discounted() && a.target_unsettled())
    }

    /// Confirmed violations per party per term: confirmed allegations that count.
    #[must_use]
    pub fn tallies(&self) -> Vec<Tally> {
        let mut map: BTreeMap<(PartyId, TermId), Vec<EventId>> = BTreeMap::new();
        for a in self.facts.allegations.values() {
            if a.status() == VerificationStatus::Confirmed && self.stands_rec(a) {
                map.entry((a.accused().clone(), a.allegation.term.clone()))
                    .or_default()
                    .push(a.id);
            }
        }
        map.into_iter()
            .map(|((party, term), confirmed)| Tally {
                party,
                term,
                confirmed,
            })
            .collect()
    }

    /// Claimed counts of violations, in log order.
    #[must_use]
    pub fn claims(&self) -> &[ClaimRecord] {
        &self.facts.claims
    }

    /// Compliance attestations, in log order.
    #[must_use]
    pub fn attestations(&self) -> &[AttestationRecord] {
        &self.facts.attestations
    }

    /// Who controlled `place` at `at` (world time): the latest change at or before `at`.
    #[must_use]
    pub fn controller_at(&self, place: &str, at: Timestamp) -> Option<&ControlRecord> {
        self.facts
            .control
            .get(place)?
            .iter()
            .filter(|c| c.since.earliest() <= at)
            .max_by_key(|c| c.since.earliest())
    }

    /// The places whose control has been recorded, with every change in log order.
    pub fn control(&self) -> impl Iterator<Item = (&str, &[ControlRecord])> {
        self.facts
            .control
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The parties that withdrew, with when.
    pub fn withdrawals(&self) -> impl Iterator<Item = (&PartyId, &Stamp)> {
        self.facts.withdrawals.iter()
    }

    /// Every decision, in the order made.
    #[must_use]
    pub fn decisions(&self) -> &[Decision] {
        &self.facts.decisions
    }

    /// A decision by its number.
    #[must_use]
    pub fn decision(&self, id: DecisionId) -> Option<&Decision> {
        self.decision_ref(id)
    }

    /// A decision's stage at `at`, counting relief that will be due by then on the facts as
    /// they stand.
    #[must_use]
    pub fn decision_stage(&self, id: DecisionId, at: Timestamp) -> Option<Stage> {
        let d = self.decision_ref(id)?;
        let stage = d.stage_at(at);
        if d.is_active()
            && matches!(stage, Stage::InForce | Stage::Notice { .. })
            && let Some(c) = relief::relief_candidate(self, &d.party)
            && c.at <= at
            && self
                .index
                .books
                .active
                .get(&d.party)
                .is_some_and(|s| s.contains(&id))
        {
            return Some(Stage::Ended(EndReason::Relieved));
        }
        Some(stage)
    }

    /// Decisions in force at `at`.
    #[must_use]
    pub fn sanctions_in_force(&self, at: Timestamp) -> Vec<&Decision> {
        self.facts
            .decisions
            .iter()
            .filter(|d| self.decision_stage(d.id, at) == Some(Stage::InForce))
            .collect()
    }

    /// Notices pending at `at`: decided, deadline not reached, not stopped.
    #[must_use]
    pub fn notices_pending(&self, at: Timestamp) -> Vec<&Decision> {
        self.facts
            .decisions
            .iter()
            .filter(|d| matches!(self.decision_stage(d.id, at), Some(Stage::Notice { .. })))
            .collect()
    }

    /// The highest level of the decisions in force against `party` at `at`.
    #[must_use]
    pub fn escalation_level(&self, party: &PartyId, at: Timestamp) -> Option<Level> {
        self.sanctions_in_force(at)
            .into_iter()
            .filter(|d| &d.party == party)
            .map(|d| d.level_at(at))
            .max()
    }

    /// Recorded impositions, by event id.
    pub fn impositions(&self) -> impl Iterator<Item = &ImpositionRecord> {
        self.facts.impositions.values()
    }

    /// Relief granted so far, in order.
    #[must_use]
    pub fn reliefs(&self) -> &[ReliefGrant] {
        &self.facts.reliefs
    }

    /// When relief for `party` will be due on the facts as they stand (compliance period and
    /// quorum), if it will.
    #[must_use]
    pub fn relief_due(&self, party: &PartyId) -> Option<Timestamp> {
        relief::relief_candidate(self, party).map(|c| c.at)
    }

    /// When `party`'s compliance clock started, if a sanction against it is in force.
    #[must_use]
    pub fn compliance_clock(&self, party: &PartyId) -> Option<Timestamp> {
        relief::compliance_start(self, party)
    }

    /// Verdicts replay refused, in order.
    #[must_use]
    pub fn rule_faults(&self) -> &[RuleFault] {
        &self.facts.faults
    }
}
