//! Validation: whether an event may enter the log. Nothing here changes the state.

use std::collections::BTreeSet;

use crate::agreement::{
    AcceptanceLevel, Agreement, ObligationClock, Procedure, Role, TargetCategory,
};
use crate::event::{Amendment, Event, Payload, Period, Record, SchemaVersion};
use crate::id::{ConditionId, DecisionId, EventId, PartyId, Seq, TermId};
use crate::sanction::Stage;
use crate::sanction::engine::relief;
use crate::state::{AgreementState, Rejection, SeqCheck, TermRecord};
use crate::time::Timestamp;

impl AgreementState {
    pub(crate) fn validate(&self, record: &Record, seq_check: SeqCheck) -> Result<(), Rejection> {
        if let Some(rules) = &self.awaiting {
            return Err(Rejection::AwaitingRules {
                rules: rules.clone(),
            });
        }
        let event = &record.event;
        let expected = match self.facts.last_seq {
            None => Seq::FIRST,
            Some(last) => last.next().ok_or(Rejection::OutOfSequence {
                expected: last,
                found: record.seq,
            })?,
        };
        let in_order = match seq_check {
            SeqCheck::Next => record.seq == expected,
            SeqCheck::Increasing => record.seq >= expected,
        };
        if !in_order {
            return Err(Rejection::OutOfSequence {
                expected,
                found: record.seq,
            });
        }
        if event.schema.0 == 0 || event.schema > SchemaVersion::CURRENT {
            return Err(Rejection::UnsupportedSchema {
                found: event.schema.0,
            });
        }
        let needed = event.schema_needed();
        if event.schema < needed {
            return Err(Rejection::SchemaTooOld {
                found: event.schema.0,
                needed: needed.0,
            });
        }
        if let Some(seq) = self.facts.ids.get(&event.id) {
            return Err(Rejection::DuplicateId { id: event.id, seq });
        }
        match (&self.facts.genesis, &event.payload) {
            (None, Payload::AgreementConcluded(agreement)) => {
                agreement.validate()?;
                if agreement.find_party(&event.author).is_none() {
                    return Err(Rejection::UnknownParty(event.author.clone()));
                }
                let mut ids: BTreeSet<_> = agreement.policy.rules.iter().map(|r| &r.id).collect();
                for id in self.custom.iter().map(|r| r.id()) {
                    if !ids.insert(id) {
                        return Err(Rejection::RuleIdCollision(id.clone()));
                    }
                }
                Ok(())
            }
            (None, other) => Err(Rejection::NotGenesis {
                found: other.kind(),
            }),
            (Some(genesis), Payload::AgreementConcluded(_)) => {
                Err(Rejection::SecondGenesis { genesis: *genesis })
            }
            (Some(_), _) => Ok(()),
        }?;
        self.check_signature(record)?;
        event
            .check_times()
            .map_err(|(field, error)| Rejection::TimeOutOfRange { field, error })?;
        if let Some(previous) = self.facts.last_recorded
            && event.recorded_at < previous
        {
            return Err(Rejection::RecordedBeforePrevious {
                recorded_at: event.recorded_at,
                previous,
            });
        }
        if event.occurred_at.earliest() > event.recorded_at {
            return Err(Rejection::OccurredAfterRecorded {
                occurred: event.occurred_at.earliest(),
                recorded_at: event.recorded_at,
            });
        }
        if self.facts.genesis.is_some() {
            self.validate_payload(event)?;
            self.check_key_event(record)?;
        }
        Ok(())
    }

    fn author_role(&self, event: &Event) -> Result<Role, Rejection> {
        self.role(&event.author)
            .ok_or_else(|| Rejection::UnknownParty(event.author.clone()))
    }

    fn known_party(&self, party: &PartyId) -> Result<Role, Rejection> {
        self.role(party)
            .ok_or_else(|| Rejection::UnknownParty(party.clone()))
    }

    fn known_term(&self, term: &TermId) -> Result<&TermRecord, Rejection> {
        self.facts
            .terms
            .get(term)
            .ok_or_else(|| Rejection::UnknownTerm(term.clone()))
    }

    fn live_term(&self, term: &TermId) -> Result<&TermRecord, Rejection> {
        let record = self.known_term(term)?;
        if record.terminated.is_some() {
            return Err(Rejection::TermTerminated(term.clone()));
        }
        Ok(record)
    }

    fn bound(record: &TermRecord, party: &PartyId) -> Result<(), Rejection> {
        Self::bound_by(&record.term, party)
    }

    fn bound_by(term: &crate::agreement::Term, party: &PartyId) -> Result<(), Rejection> {
        if term.binds(party) {
            Ok(())
        } else {
            Err(Rejection::NotBound {
                party: party.clone(),
                term: term.id.clone(),
            })
        }
    }

    /// Whether `party` may refuse the term: it has not committed to it, and its current
    /// answer is not already a refusal.
    fn may_refuse(record: &TermRecord, party: &PartyId) -> Result<(), Rejection> {
        if record.current_refusal(party).is_some() {
            return Err(Rejection::AlreadyRefused {
                party: party.clone(),
                term: record.term.id.clone(),
            });
        }
        if record
            .acceptances
            .get(party)
            .is_some_and(|a| a.level.rank() >= 1)
        {
            return Err(Rejection::AlreadyCommitted {
                party: party.clone(),
                term: record.term.id.clone(),
            });
        }
        Ok(())
    }

    fn period(period: &Period, recorded_at: Timestamp) -> Result<(), Rejection> {
        if period.from <= period.to && period.to <= recorded_at {
            Ok(())
        } else {
            Err(Rejection::InvalidPeriod {
                from: period.from,
                to: period.to,
            })
        }
    }

    fn validate_payload(&self, event: &Event) -> Result<(), Rejection> {
        let role = self.author_role(event)?;
        let kind = event.payload.kind();
        let deny = || Rejection::Unauthorized {
            author: event.author.clone(),
            role,
            action: kind,
        };
        let staff = matches!(role, Role::Mediator | Role::Guarantor);
        match &event.payload {
            Payload::AgreementConcluded(_) => Err(Rejection::SecondGenesis {
                genesis: self.facts.genesis.unwrap_or(event.id),
            }),
            Payload::TermAccepted { term, level, .. } => {
                let record = self.live_term(term)?;
                Self::bound(record, &event.author)?;
                if self.facts.withdrawals.contains_key(&event.author) {
                    return Err(Rejection::AlreadyWithdrawn(event.author.clone()));
                }
                // After a refusal, any acceptance is a new answer.
                let refused = record.current_refusal(&event.author).is_some();
                if !refused
                    && record
                        .acceptances
                        .get(&event.author)
                        .is_some_and(|a| a.level.rank() >= level.rank())
                {
                    return Err(Rejection::AcceptanceNotRaised {
                        party: event.author.clone(),
                        term: term.clone(),
                    });
                }
                if let AcceptanceLevel::Conditional { conditions } = level {
                    let limit = Agreement::LIMITS.conditions;
                    if conditions.len() > limit {
                        return Err(Rejection::TooManyConditions {
                            found: conditions.len(),
                            limit,
                        });
                    }
                    self.new_conditions(conditions.iter().map(|c| &c.id))?;
                }
                Ok(())
            }
            Payload::ConditionMet { condition, .. } => {
                let c = self
                    .facts
                    .conditions
                    .get(condition)
                    .ok_or_else(|| Rejection::UnknownCondition(condition.clone()))?;
                if c.met.is_some() {
                    return Err(Rejection::ConditionAlreadyMet(condition.clone()));
                }
                let owner = c.owner.as_ref() == Some(&event.author);
                if owner || staff || role == Role::Monitor {
                    Ok(())
                } else {
                    Err(deny())
                }
            }
            Payload::TermAmended { term, amendment } => {
                if role != Role::Mediator {
                    return Err(deny());
                }
                let record = self.live_term(term)?;
                if let Amendment::Extend(span) = amendment
                    && span.as_secs() == 0
                {
                    return Err(Rejection::EmptyAmendment);
                }
                let mut amended = record.term.clone();
                amendment.apply_to(&mut amended);
                match self.agreement() {
                    Some(agreement) => agreement
                        .check_term(&amended)
                        .map_err(Rejection::InvalidAmendment),
                    None => Ok(()),
                }
            }
            Payload::TermProposed { term, counters } => {
                match role {
                    Role::Mediator => {}
                    Role::Belligerent => {
                        Self::bound_by(term, &event.author)?;
                        if term.binds.len() > 1 && term.clock != ObligationClock::PerParty {
                            return Err(Rejection::UnilateralCommonClock(term.id.clone()));
                        }
                    }
                    _ => return Err(deny()),
                }
                if self.facts.withdrawals.contains_key(&event.author) {
                    return Err(Rejection::AlreadyWithdrawn(event.author.clone()));
                }
                if let Some(agreement) = self.agreement_ref() {
                    agreement
                        .check_added_term(term)
                        .map_err(Rejection::InvalidTerm)?;
                }
                if !term.conditions.is_empty() {
                    self.new_conditions(term.conditions.iter().map(|c| &c.id))?;
                }
                if let Some(countered) = counters {
                    let record = self.live_term(countered)?;
                    Self::bound(record, &event.author)?;
                    Self::may_refuse(record, &event.author)?;
                }
                Ok(())
            }
            Payload::TermRefused { term, .. } => {
                let record = self.live_term(term)?;
                Self::bound(record, &event.author)?;
                if self.facts.withdrawals.contains_key(&event.author) {
                    return Err(Rejection::AlreadyWithdrawn(event.author.clone()));
                }
                Self::may_refuse(record, &event.author)
            }
            Payload::TermSuspended { term, .. } => {
                if !staff {
                    return Err(deny());
                }
                let record = self.live_term(term)?;
                if record.is_suspended() {
                    return Err(Rejection::AlreadySuspended(term.clone()));
                }
                let limit = Agreement::LIMITS.suspensions;
                if record.suspensions.len() >= limit {
                    return Err(Rejection::LimitReached {
                        what: crate::agreement::Limited::Suspensions,
                        limit,
                    });
                }
                Ok(())
            }
            Payload::TermResumed { term } => {
                if !staff {
                    return Err(deny());
                }
                if !self.live_term(term)?.is_suspended() {
                    return Err(Rejection::NotSuspended(term.clone()));
                }
                Ok(())
            }
            Payload::TermTerminated { term, .. } => {
                if !staff {
                    return Err(deny());
                }
                self.live_term(term).map(|_| ())
            }
            Payload::PartyWithdrew { .. } => {
                if self.facts.withdrawals.contains_key(&event.author) {
                    Err(Rejection::AlreadyWithdrawn(event.author.clone()))
                } else {
                    Ok(())
                }
            }
            Payload::ViolationAlleged(a) => {
                if !self.facts.allegations.has_room() {
                    return Err(Rejection::LimitReached {
                        what: crate::agreement::Limited::Allegations,
                        limit: Agreement::LIMITS.allegations,
                    });
                }
                self.known_party(&a.accused)?;
                let record = self.known_term(&a.term)?;
                Self::bound(record, &a.accused)?;
                if a.accused == event.author {
                    return Err(Rejection::AgainstItself(event.author.clone()));
                }
                // An unknown target may be logged under any term; it counts once classified.
                if a.target != TargetCategory::Unknown && !record.term.kind.covers(&a.target) {
                    return Err(Rejection::TargetNotCovered {
                        term: a.term.clone(),
                        target: a.target.clone(),
                    });
                }
                Ok(())
            }
            Payload::AllegationDenied { allegation, .. } => {
                let a = self.open_allegation(allegation)?;
                if a.accused() != &event.author {
                    return Err(deny());
                }
                if a.denial.is_some() {
                    return Err(Rejection::AlreadyDenied(*allegation));
                }
                Ok(())
            }
            Payload::AllegationCorroborated { allegation, .. } => {
                let a = self.open_allegation(allegation)?;
                if a.accused() == &event.author || a.accuser == event.author {
                    return Err(deny());
                }
                if a.corroborations.iter().any(|(p, _)| p == &event.author) {
                    return Err(Rejection::AlreadyCorroborated {
                        party: event.author.clone(),
                        allegation: *allegation,
                    });
                }
                Ok(())
            }
            Payload::VerificationFinding(v) => {
                let a = self.open_allegation(&v.allegation)?;
                if role != Role::Monitor {
                    return Err(deny());
                }
                let limit = Agreement::LIMITS.findings;
                if a.findings.len() >= limit {
                    return Err(Rejection::LimitReached {
                        what: crate::agreement::Limited::Findings,
                        limit,
                    });
                }
                Ok(())
            }
            Payload::AllegationRetracted { allegation, .. } => {
                let a = self.open_allegation(allegation)?;
                if a.accuser == event.author {
                    Ok(())
                } else {
                    Err(deny())
                }
            }
            Payload::AggregateClaimed {
                accused,
                term,
                period,
                ..
            } => {
                self.known_party(accused)?;
                if let Some(term) = term {
                    self.known_term(term)?;
                }
                if accused == &event.author {
                    return Err(deny());
                }
                Self::period(period, event.recorded_at)
            }
            Payload::ComplianceAttested {
                party,
                term,
                period,
                ..
            } => {
                self.known_party(party)?;
                Self::bound(self.known_term(term)?, party)?;
                if party != &event.author && role != Role::Monitor {
                    return Err(deny());
                }
                Self::period(period, event.recorded_at)
            }
            Payload::ControlChanged { controller, .. } => {
                self.known_party(controller)?;
                if matches!(role, Role::Belligerent | Role::Monitor | Role::Mediator) {
                    Ok(())
                } else {
                    Err(deny())
                }
            }
            Payload::SanctionImposed {
                against, decision, ..
            } => {
                if !staff {
                    return Err(deny());
                }
                self.known_party(against)?;
                if let Some(id) = decision {
                    let d = self
                        .decision_ref(*id)
                        .ok_or(Rejection::UnknownDecision(*id))?;
                    if &d.party != against {
                        return Err(Rejection::DecisionMismatch {
                            decision: *id,
                            against: d.party.clone(),
                            party: against.clone(),
                        });
                    }
                    if !matches!(
                        self.decision_stage(*id, event.recorded_at),
                        Some(Stage::InForce | Stage::Notice { .. })
                    ) {
                        return Err(Rejection::DecisionEnded(*id));
                    }
                }
                Ok(())
            }
            Payload::SanctionLifted { imposition, .. } => {
                if !staff {
                    return Err(deny());
                }
                let imp = self
                    .facts
                    .impositions
                    .get(imposition)
                    .ok_or(Rejection::UnknownImposition(*imposition))?;
                if imp.lifted.is_some() {
                    return Err(Rejection::AlreadyLifted(*imposition));
                }
                if self
                    .agreement_ref()
                    .is_some_and(|a| a.policy.relief.is_some())
                    && !relief::relief_covers(self, &imp.against, imp.imposed_at, event.recorded_at)
                {
                    return Err(Rejection::ReliefNotGranted(imp.against.clone()));
                }
                Ok(())
            }
            Payload::ProcedureHalted { decision, .. } => {
                if role != Role::Mediator {
                    return Err(deny());
                }
                self.haltable(*decision, event.recorded_at)
            }
            Payload::ReliefApproved { party } => {
                if role != Role::Approver {
                    return Err(deny());
                }
                let named = self
                    .agreement_ref()
                    .and_then(|a| a.policy.relief.as_ref())
                    .is_some_and(|r| r.approvers.contains(&event.author));
                if !named {
                    return Err(deny());
                }
                self.known_party(party)?;
                relief::approvable(self, party, &event.author, event.recorded_at)
            }
            Payload::KeyRevoked { party, .. } => self.known_party(party).map(|_| ()),
            Payload::KeyRotated { .. } | Payload::CheckpointAcknowledged { .. } => Ok(()),
        }
    }

    fn open_allegation(
        &self,
        id: &EventId,
    ) -> Result<&crate::allegation::AllegationRecord, Rejection> {
        let a = self
            .allegation_by_id(id)
            .ok_or(Rejection::UnknownAllegation(*id))?;
        if a.retraction.is_some() {
            return Err(Rejection::AllegationRetracted(*id));
        }
        Ok(a)
    }

    fn new_conditions<'a>(
        &self,
        ids: impl Iterator<Item = &'a ConditionId>,
    ) -> Result<(), Rejection> {
        let mut seen = BTreeSet::new();
        let mut any = false;
        for id in ids {
            any = true;
            if self.facts.conditions.contains_key(id) || !seen.insert(id) {
                return Err(Rejection::DuplicateCondition(id.clone()));
            }
        }
        if any {
            Ok(())
        } else {
            Err(Rejection::NoConditions)
        }
    }

    fn haltable(&self, id: DecisionId, at: Timestamp) -> Result<(), Rejection> {
        let d = self
            .decision_ref(id)
            .ok_or(Rejection::UnknownDecision(id))?;
        if !matches!(d.procedure, Procedure::NoticeAndDeadline { .. }) {
            return Err(Rejection::NotAProcedure(id));
        }
        match self.decision_stage(id, at) {
            Some(Stage::Notice { .. }) => Ok(()),
            Some(Stage::InForce) => Err(Rejection::DeadlinePassed {
                decision: id,
                deadline: d.effective_at.unwrap_or(d.decided_at),
            }),
            _ => Err(Rejection::DecisionEnded(id)),
        }
    }
}
