//! Folding a validated record into the facts.

use crate::agreement::{AcceptanceLevel, Activation, Agreement, Role, Term};
use crate::allegation::{AllegationRecord, FindingRecord, VerificationStatus};
use crate::event::{Payload, Record, RefusalReason};
use crate::id::{DecisionId, Seq, TermId};
use crate::sanction::{EndReason, Ending};
use crate::state::clock::{breaks, target_counts};
use crate::state::{
    AcceptanceRecord, AgreementState, Applied, ApprovalRecord, AttestationRecord, ClaimRecord,
    ConditionRecord, ControlRecord, ImpositionRecord, Proposal, RefusalRecord, Stamp, Suspension,
    TermRecord,
};
use crate::time::Timestamp;

impl AgreementState {
    /// Folds a record that [`AgreementState::validate`] accepted: facts first, then the
    /// sanction engine, then relief that has come due.
    pub(crate) fn fold(&mut self, record: &Record) -> Applied {
        let recorded_at = record.event.recorded_at;
        let mut applied = Applied {
            seq: record.seq,
            ..Applied::default()
        };
        applied.ended.extend(self.grant_due_relief(recorded_at));
        let seeds = self.seeds(&record.event);
        let own = self.mutate(record, &mut applied);
        self.fold_keys(record);
        let mut affected = self.reshape(&seeds);
        affected.extend(own);
        self.run_rules(record, affected, &mut applied);
        applied.ended.extend(self.grant_due_relief(recorded_at));
        debug_assert!(
            self.coverage_cache_is_current(),
            "an event changed a coverage its seeds did not reach"
        );
        debug_assert!(
            self.shape_cache_is_current(),
            "an event changed a term window its seeds did not reach"
        );
        applied
    }

    /// Whether every cached coverage equals a fresh computation (checked in debug builds).
    fn coverage_cache_is_current(&self) -> bool {
        let terms = self.facts.terms.keys().cloned().collect();
        self.coverages(&terms)
            .into_iter()
            .all(|(t, p, c)| self.cached_coverage(&t, &p) == Some(&c))
    }

    /// Changes the facts; returns the allegation the event is about, if any.
    fn mutate(&mut self, record: &Record, applied: &mut Applied) -> Option<Seq> {
        let event = &record.event;
        let at = event.occurred_at.earliest();
        let stamp = Stamp {
            at,
            event: event.id,
        };
        self.facts.last_seq = Some(record.seq);
        self.facts.last_recorded = Some(event.recorded_at);
        self.facts.ids.insert(event.id, record.seq);
        match &event.payload {
            Payload::AgreementConcluded(agreement) => {
                self.conclude(agreement, event.id);
                None
            }
            Payload::TermAccepted {
                term,
                level,
                effective_from,
            } => {
                if let AcceptanceLevel::Conditional { conditions } = level {
                    for c in conditions {
                        self.facts.conditions.insert(
                            c.id.clone(),
                            ConditionRecord {
                                term: term.clone(),
                                owner: Some(event.author.clone()),
                                description: c.description.clone(),
                                met: None,
                            },
                        );
                    }
                }
                // A raised acceptance never starts later than the commitment it raises, if that
                // already binds (a conditional acceptance whose conditions are met).
                let already = self
                    .facts
                    .terms
                    .get(term)
                    .and_then(|rec| self.binding_start(rec, &event.author));
                let effective_from = match (effective_from.unwrap_or(at), already) {
                    (new, Some(since)) => new.min(since),
                    (new, None) => new,
                };
                if let Some(rec) = self.facts.terms.get_mut(term) {
                    if let Some(refusal) = rec.refusals.get_mut(&event.author)
                        && refusal.superseded.is_none()
                    {
                        refusal.superseded = Some(stamp);
                    }
                    let earlier = match rec.acceptances.remove(&event.author) {
                        Some(prev) => {
                            let mut e = prev.earlier;
                            e.push(prev.event);
                            e
                        }
                        None => Vec::new(),
                    };
                    rec.acceptances.insert(
                        event.author.clone(),
                        AcceptanceRecord {
                            level: level.clone(),
                            effective_from,
                            accepted_at: at,
                            event: event.id,
                            earlier,
                        },
                    );
                }
                None
            }
            Payload::ConditionMet { condition, .. } => {
                if let Some(c) = self.facts.conditions.get_mut(condition) {
                    c.met = Some(stamp);
                }
                None
            }
            Payload::TermProposed { term, counters } => {
                self.add_term(term, record);
                if let Some(countered) = counters {
                    self.refuse(
                        countered,
                        record,
                        vec![RefusalReason::CounterProposal(term.id.clone())],
                    );
                }
                None
            }
            Payload::TermRefused { term, reasons } => {
                self.refuse(term, record, reasons.clone());
                None
            }
            Payload::TermAmended { term, amendment } => {
                if let Some(rec) = self.facts.terms.get_mut(term) {
                    amendment.apply_to(&mut rec.term);
                    rec.amendments.push(event.id);
                }
                None
            }
            Payload::TermSuspended { term, .. } => {
                if let Some(rec) = self.facts.terms.get_mut(term) {
                    rec.suspensions.push(Suspension {
                        from: stamp,
                        until: None,
                    });
                }
                None
            }
            Payload::TermResumed { term } => {
                if let Some(s) = self
                    .facts
                    .terms
                    .get_mut(term)
                    .and_then(|rec| rec.suspensions.last_mut())
                {
                    s.until = Some(stamp);
                }
                None
            }
            Payload::TermTerminated { term, .. } => {
                if let Some(rec) = self.facts.terms.get_mut(term) {
                    rec.terminated = Some(stamp);
                }
                None
            }
            Payload::PartyWithdrew { .. } => {
                self.facts.withdrawals.insert(event.author.clone(), stamp);
                None
            }
            Payload::ViolationAlleged(a) => {
                let rec = AllegationRecord::new(
                    event.id,
                    record.seq,
                    event.author.clone(),
                    event.occurred_at,
                    event.recorded_at,
                    a.clone(),
                );
                let key = (rec.occurred.earliest(), record.seq);
                self.index
                    .by_term_party
                    .entry((a.term.clone(), a.accused.clone()))
                    .or_default()
                    .insert(key);
                self.index
                    .by_party
                    .entry(a.accused.clone())
                    .or_default()
                    .insert(key);
                self.facts.allegations.insert(record.seq, rec);
                Some(record.seq)
            }
            Payload::AllegationDenied {
                allegation, target, ..
            } => self.update_allegation(allegation, record, |a| {
                a.denial = Some(event.id);
                a.disputed_target.clone_from(target);
            }),
            Payload::AllegationCorroborated { allegation, .. } => {
                self.update_allegation(allegation, record, |a| {
                    a.corroborations.push((event.author.clone(), event.id));
                })
            }
            Payload::VerificationFinding(v) => {
                let finding = FindingRecord {
                    event: event.id,
                    monitor: event.author.clone(),
                    finding: v.finding,
                    method: v.method,
                    confidence: v.confidence,
                    recorded_at: event.recorded_at,
                    target: v.target.clone(),
                    place: v.place.clone(),
                };
                self.update_allegation(&v.allegation, record, |a| a.findings.push(finding))
            }
            Payload::AllegationRetracted { allegation, .. } => {
                self.update_allegation(allegation, record, |a| a.retraction = Some(event.id))
            }
            Payload::AggregateClaimed {
                accused,
                term,
                count,
                period,
                description,
            } => {
                self.facts.claims.push(ClaimRecord {
                    event: event.id,
                    claimant: event.author.clone(),
                    accused: accused.clone(),
                    term: term.clone(),
                    count: *count,
                    period: *period,
                    description: description.clone(),
                });
                None
            }
            Payload::ComplianceAttested {
                party,
                term,
                period,
                statement,
            } => {
                self.facts.attestations.push(AttestationRecord {
                    event: event.id,
                    author: event.author.clone(),
                    party: party.clone(),
                    term: term.clone(),
                    period: *period,
                    statement: statement.clone(),
                });
                None
            }
            Payload::ControlChanged { place, controller } => {
                self.facts
                    .control
                    .entry(place.name.clone())
                    .or_default()
                    .push(ControlRecord {
                        event: event.id,
                        place: place.clone(),
                        controller: controller.clone(),
                        since: event.occurred_at,
                    });
                None
            }
            Payload::SanctionImposed {
                against,
                level,
                decision,
                measures,
            } => {
                self.index
                    .open_impositions
                    .entry(against.clone())
                    .or_default()
                    .insert((event.recorded_at, event.id));
                self.facts.impositions.insert(
                    event.id,
                    ImpositionRecord {
                        event: event.id,
                        against: against.clone(),
                        level: *level,
                        decision: *decision,
                        measures: measures.clone(),
                        imposed_at: event.recorded_at,
                        lifted: None,
                    },
                );
                None
            }
            Payload::SanctionLifted { imposition, .. } => {
                if let Some(imp) = self.facts.impositions.get_mut(imposition) {
                    imp.lifted = Some(Stamp {
                        at: event.recorded_at,
                        event: event.id,
                    });
                    if let Some(open) = self.index.open_impositions.get_mut(&imp.against) {
                        open.remove(&(imp.imposed_at, *imposition));
                    }
                }
                None
            }
            Payload::ProcedureHalted { decision, .. } => {
                self.end_decision(*decision, event.recorded_at, event.id, EndReason::Halted);
                applied.ended.push(*decision);
                None
            }
            Payload::ReliefApproved { party } => {
                self.facts
                    .approvals
                    .entry(party.clone())
                    .or_default()
                    .push(ApprovalRecord {
                        approver: event.author.clone(),
                        event: event.id,
                        recorded_at: event.recorded_at,
                    });
                None
            }
            // Keys and checkpoints are folded by `fold_keys`.
            Payload::KeyRotated { .. }
            | Payload::KeyRevoked { .. }
            | Payload::CheckpointAcknowledged { .. } => None,
        }
    }

    /// Adds a term proposed (or declared) after the genesis: to the agreement, after every
    /// other term, and to the lookups; a belligerent's declaration is its own binding
    /// commitment from when it occurred.
    fn add_term(&mut self, term: &Term, record: &Record) {
        let event = &record.event;
        let at = event.occurred_at.earliest();
        for c in &term.conditions {
            self.facts.conditions.insert(
                c.id.clone(),
                ConditionRecord {
                    term: term.id.clone(),
                    owner: None,
                    description: c.description.clone(),
                    met: None,
                },
            );
        }
        let mut rec = TermRecord::new(term.clone());
        rec.proposed = Some(Proposal {
            event: event.id,
            by: event.author.clone(),
            recorded_at: event.recorded_at,
            counters: match &event.payload {
                Payload::TermProposed { counters, .. } => counters.clone(),
                _ => None,
            },
        });
        if self.role(&event.author) == Some(Role::Belligerent) {
            rec.acceptances.insert(
                event.author.clone(),
                AcceptanceRecord {
                    level: AcceptanceLevel::Binding,
                    effective_from: at,
                    accepted_at: at,
                    event: event.id,
                    earlier: Vec::new(),
                },
            );
        }
        self.facts.terms.insert(term.id.clone(), rec);
        if let Some(a) = self.facts.agreement.as_mut() {
            a.terms.push(term.clone());
        }
        self.index
            .position
            .insert(term.id.clone(), self.index.order.len());
        self.index.order.push(term.id.clone());
        if let Activation::AfterHeld { term: prev, .. } = &term.activation {
            self.index
                .dependents
                .entry(prev.clone())
                .or_default()
                .push(term.id.clone());
        }
    }

    /// Records the author's refusal of `term`.
    fn refuse(&mut self, term: &TermId, record: &Record, reasons: Vec<RefusalReason>) {
        let event = &record.event;
        if let Some(rec) = self.facts.terms.get_mut(term) {
            rec.refusals.insert(
                event.author.clone(),
                RefusalRecord {
                    event: event.id,
                    at: event.occurred_at.earliest(),
                    reasons,
                    superseded: None,
                },
            );
        }
    }

    fn conclude(&mut self, agreement: &Agreement, genesis: crate::id::EventId) {
        self.facts.genesis = Some(genesis);
        for t in &agreement.terms {
            for c in &t.conditions {
                self.facts.conditions.insert(
                    c.id.clone(),
                    ConditionRecord {
                        term: t.id.clone(),
                        owner: None,
                        description: c.description.clone(),
                        met: None,
                    },
                );
            }
            self.facts
                .terms
                .insert(t.id.clone(), TermRecord::new(t.clone()));
        }
        self.facts.agreement = Some(agreement.clone());
        self.index.roles = agreement
            .parties
            .iter()
            .map(|p| (p.id.clone(), p.role))
            .collect();
        self.index.dependents = super::dependents_of(agreement);
        self.index.order = agreement.terms.iter().map(|t| t.id.clone()).collect();
        self.index.position = super::positions(agreement);
        self.refresh_coverage_all();
        self.refresh_rules();
    }

    /// Changes an allegation and keeps the confirmed index, the first-confirmation time and the
    /// party's relief clock in step with its status.
    fn update_allegation(
        &mut self,
        id: &crate::id::EventId,
        record: &Record,
        change: impl FnOnce(&mut AllegationRecord),
    ) -> Option<Seq> {
        let seq = *self.facts.ids.get(id)?;
        let terms = &self.facts.terms;
        let counts = |a: &AllegationRecord| target_counts(terms, a);
        let a = self.facts.allegations.get_mut(&seq)?;
        let was = a.status();
        let counted_before = counts(a);
        let holds: Vec<((TermId, u32), Timestamp)> = self
            .index
            .holds
            .range((a.allegation.term.clone(), 0)..=(a.allegation.term.clone(), u32::MAX))
            .map(|(k, h)| (k.clone(), h.start))
            .collect();
        let broke: Vec<bool> = holds
            .iter()
            .map(|((_, days), start)| {
                breaks(
                    a,
                    was == VerificationStatus::Confirmed && counted_before,
                    *start,
                    *days,
                )
            })
            .collect();
        change(a);
        let now = a.status();
        let key = (a.occurred.earliest(), seq);
        let term = a.allegation.term.clone();
        let newly_confirmed = now == VerificationStatus::Confirmed && a.confirmed_at.is_none();
        if newly_confirmed {
            a.confirmed_at = Some(record.event.recorded_at);
        }
        let counted_now = counts(a);
        // Keep the hold counts of the phases waiting on the term in step.
        for ((key, start), broke) in holds.into_iter().zip(broke) {
            let breaks_now = breaks(
                a,
                now == VerificationStatus::Confirmed && counted_now,
                start,
                key.1,
            );
            if let Some(h) = self.index.holds.get_mut(&key) {
                match (broke, breaks_now) {
                    (false, true) => h.breakers += 1,
                    (true, false) => h.breakers = h.breakers.saturating_sub(1),
                    _ => {}
                }
            }
        }
        if was != now {
            let confirmed = self.index.confirmed.entry(term).or_default();
            if now == VerificationStatus::Confirmed {
                confirmed.insert(key);
            } else {
                confirmed.remove(&key);
            }
        }
        if newly_confirmed
            && let Some(a) = self.facts.allegations.get(&seq)
            && self.stands_rec(a)
        {
            let party = a.accused().clone();
            let at = record.event.recorded_at;
            let last = self.facts.last_confirmation.entry(party).or_insert(at);
            *last = (*last).max(at);
        }
        Some(seq)
    }

    /// Ends an active decision.
    pub(crate) fn end_decision(
        &mut self,
        id: DecisionId,
        at: crate::time::Timestamp,
        by: crate::id::EventId,
        reason: EndReason,
    ) {
        let Some(d) = self.decision_mut(id) else {
            return;
        };
        if d.ending.is_some() {
            return;
        }
        d.ending = Some(Ending { at, by, reason });
        let party = d.party.clone();
        let rule = d.rule.clone();
        let stands = d.stands();
        let holds = d.holds_violations();
        let until = d.effective_at.unwrap_or(Timestamp::MAX_UTC);
        let violations = d.violations.clone();
        if let Some(active) = self.index.active_until.get_mut(&party) {
            active.remove(&(until, id));
        }
        self.tick(violations.len());
        if let Some(active) = self.index.active.get_mut(&party) {
            active.remove(&id);
        }
        for v in &violations {
            if let Some(citing) = self.index.cited.get_mut(v) {
                citing.remove(&id);
            }
            if !holds && let Some(n) = self.index.held.get_mut(v).and_then(|r| r.get_mut(&rule)) {
                *n = n.saturating_sub(1);
            }
        }
        if !stands {
            if let Some(n) = self.index.standing.get_mut(&(rule.clone(), party.clone())) {
                *n = n.saturating_sub(1);
            }
            if let Some(ids) = self
                .index
                .by_rule_party
                .get_mut(&rule)
                .and_then(|p| p.get_mut(&party))
            {
                ids.remove(&id);
            }
            self.revise_rungs(&rule, &party, at, by);
        }
    }

    /// After a decision stopped standing, puts the standing decisions of a ladder rule against
    /// the party back on the rungs their rank calls for, from `at` on.
    fn revise_rungs(
        &mut self,
        rule: &crate::id::RuleId,
        party: &crate::id::PartyId,
        at: crate::time::Timestamp,
        by: crate::id::EventId,
    ) {
        let Some(ladder) = self
            .index
            .policy_rules
            .iter()
            .find(|r| &r.id == rule && r.escalation == crate::agreement::Escalation::Ladder)
            .map(|r| r.level)
        else {
            return;
        };
        // Only the first rungs can move: `up_by` stops climbing after `LADDER` steps, so every
        // later standing decision was and stays at the top.
        const LADDER: usize = 4;
        let ids: Vec<DecisionId> = self
            .index
            .by_rule_party
            .get(rule)
            .and_then(|p| p.get(party))
            .map(|ids| ids.iter().copied().take(LADDER).collect())
            .unwrap_or_default();
        self.tick(ids.len());
        let mut rank = 0;
        for id in ids {
            let Some(d) = self.decision_mut(id) else {
                continue;
            };
            if !d.stands() {
                continue;
            }
            let level = ladder.up_by(rank);
            rank += 1;
            if d.current_level() != level {
                d.revisions
                    .push(crate::sanction::Revision { at, level, by });
            }
        }
    }
}
