//! Folding a validated record into the facts.

use crate::agreement::{AcceptanceLevel, Activation, Agreement, Role, Term};
use crate::allegation::{AllegationRecord, FindingRecord, VerificationStatus};
use crate::event::{Payload, Record, RefusalReason};
use crate::id::TermId;
use crate::sanction::EndReason;
use crate::sanction::engine::{self, relief};
use crate::state::clock::{breaks_at, target_counts};
use crate::state::{
    AcceptanceRecord, AgreementState, Applied, ApprovalRecord, AttestationRecord, ClaimRecord,
    ConditionRecord, ControlRecord, ImpositionRecord, Proposal, RefusalRecord, Slot, Stamp,
    Suspension, TermRecord,
};

impl AgreementState {
    /// Folds a record that [`AgreementState::validate`] accepted: facts first, then the
    /// sanction engine, then relief that has come due.
    pub(crate) fn fold(&mut self, record: &Record) -> Applied {
        let recorded_at = record.event.recorded_at;
        let mut applied = Applied {
            seq: record.seq,
            ..Applied::default()
        };
        applied
            .ended
            .extend(relief::grant_due_relief(self, recorded_at));
        let mut scratch = std::mem::take(&mut self.index.scratch);
        self.seeds(&record.event, &mut scratch.seeds);
        let own = self.mutate(record, &mut applied);
        self.fold_keys(record);
        self.reshape(&scratch.seeds, &mut scratch.queue, &mut scratch.affected);
        scratch.affected.extend(own);
        engine::run_rules(self, record, &mut scratch, &mut applied);
        scratch.clear();
        self.index.scratch = scratch;
        relief::settle(self);
        applied
            .ended
            .extend(relief::grant_due_relief(self, recorded_at));
        relief::settle(self);
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
    fn mutate(&mut self, record: &Record, applied: &mut Applied) -> Option<Slot> {
        let event = &record.event;
        let at = event.occurred_at.earliest();
        let stamp = Stamp {
            at,
            event: event.id,
        };
        self.facts.last_seq = Some(record.seq);
        self.facts.last_recorded = Some(event.recorded_at);
        let slot = match event.payload {
            Payload::ViolationAlleged(_) => self.facts.allegations.next_slot(),
            _ => None,
        };
        self.note_id(event.id, record.seq, slot);
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
                        self.put(
                            |s| &mut s.facts.conditions,
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
                self.touch(|s| &mut s.facts.terms, term);
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
                self.touch(|s| &mut s.facts.conditions, condition);
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
                self.touch(|s| &mut s.facts.terms, term);
                if let Some(rec) = self.facts.terms.get_mut(term) {
                    amendment.apply_to(&mut rec.term);
                    rec.amendments.push(event.id);
                }
                None
            }
            Payload::TermSuspended { term, .. } => {
                self.touch(|s| &mut s.facts.terms, term);
                if let Some(rec) = self.facts.terms.get_mut(term) {
                    rec.suspensions.push(Suspension {
                        from: stamp,
                        until: None,
                    });
                }
                None
            }
            Payload::TermResumed { term } => {
                self.touch(|s| &mut s.facts.terms, term);
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
                self.touch(|s| &mut s.facts.terms, term);
                if let Some(rec) = self.facts.terms.get_mut(term) {
                    rec.terminated = Some(stamp);
                }
                None
            }
            Payload::PartyWithdrew { .. } => {
                self.put(|s| &mut s.facts.withdrawals, event.author.clone(), stamp);
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
                let earliest = rec.occurred.earliest();
                let slot = self.add_allegation(rec)?;
                let key = (earliest, slot);
                let (term, accused) = (a.term.clone(), a.accused.clone());
                self.set_insert(|s| &mut s.index.by_term_party, (term, accused.clone()), key);
                self.set_insert(|s| &mut s.index.by_party, accused, key);
                Some(slot)
            }
            Payload::AllegationDenied {
                allegation, target, ..
            } => self.update_allegation(allegation, record, |a| {
                a.denial = Some(event.id);
                a.disputed_target.clone_from(target);
            }),
            Payload::AllegationCorroborated { allegation, .. } => {
                self.update_allegation(allegation, record, |a| {
                    push_exact(&mut a.corroborations, (event.author.clone(), event.id));
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
                self.update_allegation(&v.allegation, record, |a| {
                    push_exact(&mut a.findings, finding);
                })
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
                self.push(
                    |s| &mut s.facts.claims,
                    ClaimRecord {
                        event: event.id,
                        claimant: event.author.clone(),
                        accused: accused.clone(),
                        term: term.clone(),
                        count: *count,
                        period: *period,
                        description: description.clone(),
                    },
                );
                None
            }
            Payload::ComplianceAttested {
                party,
                term,
                period,
                statement,
            } => {
                self.push(
                    |s| &mut s.facts.attestations,
                    AttestationRecord {
                        event: event.id,
                        author: event.author.clone(),
                        party: party.clone(),
                        term: term.clone(),
                        period: *period,
                        statement: statement.clone(),
                    },
                );
                None
            }
            Payload::ControlChanged { place, controller } => {
                let change = ControlRecord {
                    event: event.id,
                    place: place.clone(),
                    controller: controller.clone(),
                    since: event.occurred_at,
                };
                self.push_under(|s| &mut s.facts.control, place.name.clone(), change);
                None
            }
            Payload::SanctionImposed {
                against,
                level,
                decision,
                measures,
            } => {
                self.set_insert(
                    |s| &mut s.index.books.open_impositions,
                    against.clone(),
                    (event.recorded_at, event.id),
                );
                relief::touched(self, against);
                self.put(
                    |s| &mut s.facts.impositions,
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
                self.touch(|s| &mut s.facts.impositions, imposition);
                if let Some(imp) = self.facts.impositions.get_mut(imposition) {
                    imp.lifted = Some(Stamp {
                        at: event.recorded_at,
                        event: event.id,
                    });
                    let (against, key) = (imp.against.clone(), (imp.imposed_at, *imposition));
                    self.set_remove(|s| &mut s.index.books.open_impositions, &against, &key);
                    relief::touched(self, &against);
                }
                None
            }
            Payload::ProcedureHalted { decision, .. } => {
                engine::end_decision(
                    self,
                    *decision,
                    event.recorded_at,
                    event.id,
                    EndReason::Halted,
                );
                applied.ended.push(*decision);
                None
            }
            Payload::ReliefApproved { party } => {
                let approval = ApprovalRecord {
                    approver: event.author.clone(),
                    event: event.id,
                    recorded_at: event.recorded_at,
                };
                self.push_under(|s| &mut s.facts.approvals, party.clone(), approval);
                relief::touched(self, party);
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
            self.put(
                |s| &mut s.facts.conditions,
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
        self.put(|s| &mut s.facts.terms, term.id.clone(), rec);
        if let Some(a) = self.facts.agreement.as_mut() {
            a.terms.push(term.clone());
            self.undo_with(|s| {
                if let Some(a) = s.facts.agreement.as_mut() {
                    a.terms.pop();
                }
            });
        }
        let place = self.index.order.len();
        self.put(|s| &mut s.index.position, term.id.clone(), place);
        self.push(|s| &mut s.index.order, term.id.clone());
        if let Activation::AfterHeld { term: prev, .. } = &term.activation {
            self.push_under(|s| &mut s.index.dependents, prev.clone(), term.id.clone());
        }
    }

    /// Records the author's refusal of `term`.
    fn refuse(&mut self, term: &TermId, record: &Record, reasons: Vec<RefusalReason>) {
        let event = &record.event;
        self.touch(|s| &mut s.facts.terms, term);
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
    ) -> Option<Slot> {
        let seq = self.facts.ids.allegation(id)?;
        self.touch_allegation(seq);
        let terms = &self.facts.terms;
        let counts = |a: &AllegationRecord| target_counts(terms, a);
        let a = self.facts.allegations.get_mut(seq)?;
        let was = a.status();
        let counted_before = counts(a);
        let (occurred, confirmed_before) = (a.occurred, a.confirmed_at);
        let broke_before = was == VerificationStatus::Confirmed && counted_before;
        change(a);
        let now = a.status();
        let key = (a.occurred.earliest(), seq);
        let term = a.allegation.term.clone();
        let newly_confirmed = now == VerificationStatus::Confirmed && a.confirmed_at.is_none();
        if newly_confirmed {
            a.confirmed_at = Some(record.event.recorded_at);
        }
        let breaks_now = now == VerificationStatus::Confirmed && counts(a);
        let confirmed_now = a.confirmed_at;
        // Keep the hold counts of the phases waiting on the term in step (what breaks a hold
        // is the allegation's time, its standing and when it was confirmed: compared before
        // and after the change, in one pass and without a copy).
        for ((_, days), h) in self
            .index
            .holds
            .range_mut((term.clone(), 0)..=(term.clone(), u32::MAX))
        {
            let broke = breaks_at(&occurred, broke_before, confirmed_before, h.start, *days);
            let breaks = breaks_at(&occurred, breaks_now, confirmed_now, h.start, *days);
            match (broke, breaks) {
                (false, true) => h.breakers += 1,
                (true, false) => h.breakers = h.breakers.saturating_sub(1),
                _ => {}
            }
        }
        if was != now {
            if now == VerificationStatus::Confirmed {
                self.set_insert(|s| &mut s.index.confirmed, term, key);
            } else {
                self.set_remove(|s| &mut s.index.confirmed, &term, &key);
            }
        }
        if newly_confirmed
            && let Some(a) = self.facts.allegations.get(seq)
            && self.stands_rec(a)
        {
            let party = a.accused().clone();
            let at = record.event.recorded_at;
            self.touch(|s| &mut s.facts.last_confirmation, &party);
            let last = self
                .facts
                .last_confirmation
                .entry(party.clone())
                .or_insert(at);
            *last = (*last).max(at);
            relief::touched(self, &party);
        }
        Some(seq)
    }
}

/// Pushes onto a list that stays short (an allegation's findings or corroborations, bounded by
/// the agreement's limits), growing it by one place at a time: a first push would otherwise
/// reserve four places, most of them never used.
fn push_exact<T>(list: &mut Vec<T>, item: T) {
    list.reserve_exact(1);
    list.push(item);
}
