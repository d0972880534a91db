//! Term status: where each bound party stands with a term at an instant, and the joint status
//! derived from those (the rule is stated in `docs/model.md`).

use crate::agreement::AcceptanceLevel;
use crate::id::{PartyId, TermId};
use crate::state::{AgreementState, PartyStatus, TermRecord, TermStatus};
use crate::time::Timestamp;

impl AgreementState {
    /// Where `party` stands with `term` at `at`, as the log knows it now. `None` for an unknown
    /// term, a term not yet proposed at `at`, or a party the term does not bind.
    ///
    /// In order: withdrawn (the party left the agreement by `at`); terminated (the term ended
    /// by `at`); bound or suspended (`at` is inside its obligation window: the term's window
    /// under a common clock, its own under a per-party clock); expired (its window, or the
    /// term's fixed window, ended by `at`); otherwise its answer at `at`: refused (a refusal
    /// made by then and not yet replaced by an acceptance), not yet bound (committed), on
    /// conditions (conditions unmet), in principle, or not answered.
    #[must_use]
    pub fn party_status(
        &self,
        term: &TermId,
        party: &PartyId,
        at: Timestamp,
    ) -> Option<PartyStatus> {
        let record = self.facts.terms.get(term)?;
        if !record.known_at(at) || !record.term.binds(party) {
            return None;
        }
        Some(self.party_status_in(record, party, at))
    }

    fn party_status_in(&self, record: &TermRecord, party: &PartyId, at: Timestamp) -> PartyStatus {
        if self
            .facts
            .withdrawals
            .get(party)
            .is_some_and(|w| w.at <= at)
        {
            return PartyStatus::Withdrawn;
        }
        if record.terminated.is_some_and(|t| t.at <= at) {
            return PartyStatus::Terminated;
        }
        if let Some(w) = self.obligation_window(&record.term.id, party) {
            if w.contains(at) {
                return if record.suspended_at(at) {
                    PartyStatus::Suspended
                } else {
                    PartyStatus::Bound
                };
            }
            if w.end.is_some_and(|e| e <= at) {
                return PartyStatus::Expired;
            }
        }
        if record
            .term
            .fixed
            .and_then(|f| f.until)
            .is_some_and(|until| until <= at)
        {
            return PartyStatus::Expired;
        }
        if record.refusals.get(party).is_some_and(|r| r.stands_at(at)) {
            return PartyStatus::Refused;
        }
        match record
            .acceptances
            .get(party)
            .filter(|a| a.accepted_at <= at)
        {
            None => PartyStatus::NotAnswered,
            Some(a) => match a.level {
                AcceptanceLevel::InPrinciple => PartyStatus::InPrinciple,
                _ if self.binding_start(record, party).is_none() => PartyStatus::Conditional,
                _ => PartyStatus::NotYetBound,
            },
        }
    }

    /// The term's status at `at`, as the log knows it now: derived from every bound party's
    /// [`AgreementState::party_status`]. `None` for an unknown term, or one not yet proposed
    /// at `at`.
    ///
    /// Terminated if the term was terminated or any bound party withdrew; suspended or in
    /// force if every bound party is bound (suspended if the term is); expired if every bound
    /// party's obligations ran out; partly in force if some, not all, are bound; expired if
    /// some ran out and none is bound; refused if some refused; pending if all committed
    /// (bindingly or on conditions); partly accepted if some did; accepted in principle if
    /// some accepted so; else proposed.
    #[must_use]
    pub fn term_status(&self, term: &TermId, at: Timestamp) -> Option<TermStatus> {
        let record = self.facts.terms.get(term)?;
        if !record.known_at(at) {
            return None;
        }
        let parties: Vec<PartyStatus> = record
            .term
            .binds
            .iter()
            .map(|p| self.party_status_in(record, p, at))
            .collect();
        let all = |f: fn(&PartyStatus) -> bool| parties.iter().all(f);
        let any = |s: PartyStatus| parties.contains(&s);
        let bound = |s: &PartyStatus| matches!(s, PartyStatus::Bound | PartyStatus::Suspended);
        let committed =
            |s: &PartyStatus| matches!(s, PartyStatus::NotYetBound | PartyStatus::Conditional);
        Some(
            if any(PartyStatus::Terminated) || any(PartyStatus::Withdrawn) {
                TermStatus::Terminated
            } else if all(bound) {
                if record.suspended_at(at) {
                    TermStatus::Suspended
                } else {
                    TermStatus::InForce
                }
            } else if all(|s| *s == PartyStatus::Expired) {
                TermStatus::Expired
            } else if parties.iter().any(bound) {
                TermStatus::PartlyInForce
            } else if any(PartyStatus::Expired) {
                TermStatus::Expired
            } else if any(PartyStatus::Refused) {
                TermStatus::Refused
            } else if all(committed) {
                TermStatus::Pending
            } else if parties.iter().any(committed) {
                TermStatus::PartlyAccepted
            } else if any(PartyStatus::InPrinciple) {
                TermStatus::AcceptedInPrinciple
            } else {
                TermStatus::Proposed
            },
        )
    }
}
