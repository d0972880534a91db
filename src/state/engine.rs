//! The sanction engine inside replay: which allegations an event may have changed, voiding
//! decisions whose violations no longer count, running the rules, and checking their
//! verdicts.

use std::collections::BTreeSet;

use crate::agreement::{ObligationClock, Procedure};
use crate::allegation::AllegationRecord;
use crate::event::{Event, Payload, Record};
use crate::id::{DecisionId, EventId, PartyId, RuleId, Seq, TermId};
use crate::sanction::{Decision, EndReason, Trigger, Verdict, View};
use crate::state::{AgreementState, Applied, FaultReason, RuleFault, Shape, TermRecord};
use crate::time::{Coverage, Occurred, Timestamp, Window};

/// Coverage of each (term, bound party) pair, in a fixed order.
pub(crate) type Coverages = Vec<(TermId, PartyId, Coverage)>;

/// What an event may change in the obligation windows (see [`AgreementState::seeds`]).
#[derive(Default)]
pub(crate) struct Seeds {
    /// Terms whose own facts changed.
    pub(crate) own: BTreeSet<TermId>,
    /// Terms whose confirmed violations changed.
    pub(crate) holds: BTreeSet<TermId>,
}

impl AgreementState {
    /// The terms whose obligation windows the event may move directly (`own`: the term it
    /// changes), and those whose phases' holds it may change (`holds`: for an event about an
    /// allegation, the allegation's term). The phases waiting on them are reshaped only if
    /// their activation floor actually moves (see [`AgreementState::reshape`]).
    pub(crate) fn seeds(&self, event: &Event) -> Seeds {
        let mut seeds = Seeds::default();
        match &event.payload {
            Payload::TermAccepted { term, .. }
            | Payload::TermAmended { term, .. }
            | Payload::TermSuspended { term, .. }
            | Payload::TermResumed { term }
            | Payload::TermTerminated { term, .. } => {
                seeds.own.insert(term.clone());
            }
            Payload::ConditionMet { condition, .. } => {
                if let Some(c) = self.facts.conditions.get(condition) {
                    seeds.own.insert(c.term.clone());
                }
            }
            Payload::PartyWithdrew { .. } => {
                self.tick(self.facts.terms.len());
                for (id, rec) in &self.facts.terms {
                    if rec.term.binds(&event.author) {
                        seeds.own.insert(id.clone());
                    }
                }
            }
            Payload::ViolationAlleged(a) => {
                seeds.holds.insert(a.term.clone());
            }
            other => {
                if let Some(a) = other
                    .allegation_ref()
                    .and_then(|id| self.allegation_by_id(&id))
                {
                    seeds.holds.insert(a.allegation.term.clone());
                }
            }
        }
        seeds
    }

    /// Brings the cached shapes and coverages up to date after the facts changed as `seeds`
    /// says, in agreement order (an earlier phase before the phases waiting on it): each
    /// seeded term is recomputed, and each phase waiting on a term whose window moved (or
    /// that was seeded) is recomputed only if its activation floor moved. Returns the
    /// allegations whose standing may have changed: those near an instant where an old and a
    /// new coverage differ.
    pub(crate) fn reshape(&mut self, seeds: &Seeds) -> BTreeSet<Seq> {
        let mut queue: BTreeSet<usize> = BTreeSet::new();
        for t in &seeds.own {
            queue.extend(self.index.position.get(t));
        }
        for t in &seeds.holds {
            self.queue_dependents(t, &mut queue);
        }
        let mut affected = BTreeSet::new();
        while let Some(i) = queue.pop_first() {
            let Some(id) = self.index.order.get(i).cloned() else {
                continue;
            };
            let floor = self.activation_floor_cached(&id);
            let Some(record) = self.facts.terms.get(&id) else {
                continue;
            };
            let old = self.index.shapes.get(&id).copied();
            let own = seeds.own.contains(&id);
            if !own && old.is_some_and(|o| o.floor == floor) {
                continue;
            }
            self.tick(record.term.binds.len());
            let window = floor.and_then(|f| self.window_from(record, f));
            let shape = Shape { floor, window };
            let fresh = self.party_coverages(record, &shape);
            for (party, new) in fresh {
                let old = self.cached_coverage(&id, &party);
                if old != Some(&new) {
                    let old = old.cloned().unwrap_or_default();
                    affected.extend(self.near_differences(&id, &party, &old, &new));
                    self.index
                        .coverage
                        .entry(id.clone())
                        .or_default()
                        .insert(party, new);
                }
            }
            self.index.shapes.insert(id.clone(), shape);
            if own || old.is_none_or(|o| o.window != window) {
                self.queue_dependents(&id, &mut queue);
            }
        }
        affected
    }

    fn queue_dependents(&self, term: &TermId, queue: &mut BTreeSet<usize>) {
        for dep in self.index.dependents.get(term).into_iter().flatten() {
            self.tick(1);
            queue.extend(self.index.position.get(dep));
        }
    }

    /// The coverage of each bound party of a term of this shape.
    fn party_coverages(&self, record: &TermRecord, shape: &Shape) -> Vec<(PartyId, Coverage)> {
        let holes: Vec<Window> = record.suspensions.iter().map(|s| s.window()).collect();
        let binds = &record.term.binds;
        self.tick(binds.len().saturating_mul(1 + holes.len()));
        let common = match record.term.clock {
            ObligationClock::Common => Some(
                shape
                    .window
                    .map_or_else(Coverage::empty, |w| Coverage::from_window(w, &holes)),
            ),
            ObligationClock::PerParty => None,
        };
        binds
            .iter()
            .map(|p| {
                let c = match &common {
                    Some(c) => c.clone(),
                    None => shape
                        .floor
                        .and_then(|f| self.party_window_of(record, p, f))
                        .map_or_else(Coverage::empty, |w| Coverage::from_window(w, &holes)),
                };
                (p.clone(), c)
            })
            .collect()
    }

    /// The coverage of each bound party of each term, computed afresh (for the debug check).
    pub(crate) fn coverages(&self, terms: &BTreeSet<TermId>) -> Coverages {
        let mut out = Vec::new();
        for t in terms {
            if let Some(rec) = self.facts.terms.get(t) {
                for p in &rec.term.binds {
                    out.push((t.clone(), p.clone(), self.coverage(t, p)));
                }
            }
        }
        out
    }

    pub(crate) fn cached_coverage(&self, term: &TermId, party: &PartyId) -> Option<&Coverage> {
        self.index.coverage.get(term)?.get(party)
    }

    /// Whether every cached shape equals a fresh computation (checked in debug builds).
    pub(crate) fn shape_cache_is_current(&self) -> bool {
        self.facts.terms.iter().all(|(id, rec)| {
            let floor = self.window_of(rec);
            self.index.shapes.get(id).map(|s| s.window) == Some(floor)
        })
    }

    /// Allegations against `party` under `term` whose standing may differ between two
    /// coverages: those whose occurrence may touch an instant covered by exactly one of them,
    /// or a window edge only one of them has.
    fn near_differences(
        &self,
        term: &TermId,
        party: &PartyId,
        old: &Coverage,
        new: &Coverage,
    ) -> Vec<Seq> {
        let Some(keys) = self.index.by_term_party.get(&(term.clone(), party.clone())) else {
            return Vec::new();
        };
        let edges = |c: &Coverage| -> BTreeSet<Timestamp> {
            c.windows()
                .iter()
                .flat_map(|w| std::iter::once(w.start).chain(w.end))
                .collect()
        };
        let (a, b) = (edges(old), edges(new));
        let points: Vec<Timestamp> = a.union(&b).copied().collect();
        self.tick(points.len());
        // Regions [from, to] (to: None for open-ended) an occurrence must touch to be affected.
        let mut regions: Vec<(Timestamp, Option<Timestamp>)> = Vec::new();
        for (i, p) in points.iter().enumerate() {
            if a.contains(p) != b.contains(p) {
                regions.push((*p, Some(*p)));
            }
            if old.contains(*p) != new.contains(*p) {
                regions.push((*p, points.get(i + 1).copied()));
            }
        }
        let mut out: Vec<Seq> = Vec::new();
        for (from, to) in regions {
            let from = Occurred::MAX_EXTENT.before(from);
            let range = match to {
                Some(to) => keys.range((from, Seq(0))..=(to, Seq(u64::MAX))),
                None => keys.range((from, Seq(0))..),
            };
            for (_, seq) in range {
                self.tick(1);
                out.push(*seq);
            }
        }
        debug_assert!(
            keys.iter().all(|(_, seq)| {
                let o = self.facts.allegations.get(seq).map(|a| a.occurred);
                o.is_none_or(|o| old.contains_occurred(&o) == new.contains_occurred(&o))
                    || out.contains(seq)
            }),
            "every allegation of {party} under {term} whose standing moved is affected"
        );
        out
    }

    /// Voids decisions resting on allegations that no longer stand, then runs every rule.
    pub(crate) fn run_rules(
        &mut self,
        record: &Record,
        affected: BTreeSet<Seq>,
        applied: &mut Applied,
    ) {
        let event = &record.event;
        let mut changed = affected.clone();
        for seq in &affected {
            self.tick(1);
            let Some(a) = self.facts.allegations.get(seq) else {
                continue;
            };
            if self.stands_rec(a) {
                continue;
            }
            let citing: Vec<DecisionId> = self
                .index
                .cited
                .get(&a.id)
                .map(|ds| ds.iter().copied().collect())
                .unwrap_or_default();
            for id in citing {
                let Some(d) = self.decision_ref(id).filter(|d| d.is_active()) else {
                    continue;
                };
                let reason = if d.effective_at.is_some_and(|e| e <= event.recorded_at) {
                    EndReason::Voided
                } else {
                    EndReason::Stopped
                };
                let released: Vec<EventId> = d.violations.clone();
                self.end_decision(id, event.recorded_at, event.id, reason);
                applied.ended.push(id);
                changed.extend(
                    released
                        .iter()
                        .filter_map(|v| self.facts.ids.get(v).copied()),
                );
            }
        }
        self.refresh_pools(changed.iter().copied());
        let changed: Vec<EventId> = changed
            .iter()
            .filter_map(|s| self.facts.allegations.get(s).map(|a| a.id))
            .collect();
        let trigger = Trigger {
            record,
            changed: &changed,
        };
        for rule in self.index.policy_rules.clone() {
            let mut steps = 0;
            let verdicts = rule.evaluate_with(
                self,
                &trigger,
                |party, from, to| {
                    let pooled = self.pool(&rule.id, party, from, to);
                    debug_assert_eq!(
                        pooled.iter().map(|a| a.id).collect::<Vec<_>>(),
                        self.allegations_against(party, from, to)
                            .into_iter()
                            .filter(|c| rule.counts(self, c))
                            .map(|a| a.id)
                            .collect::<Vec<_>>(),
                        "the pool of rule {} holds exactly what counts for it",
                        rule.id
                    );
                    pooled
                },
                &mut steps,
            );
            self.tick(steps);
            self.admit_all(&rule.id, verdicts, record, applied);
        }
        for rule in self.custom.clone().iter() {
            self.tick(1 + changed.len());
            let verdicts = rule.evaluate(self, &trigger);
            self.admit_all(rule.id(), verdicts, record, applied);
        }
    }

    fn admit_all(
        &mut self,
        rule: &RuleId,
        verdicts: Vec<Verdict>,
        record: &Record,
        applied: &mut Applied,
    ) {
        for verdict in verdicts {
            self.tick(1 + verdict.violations.len() + verdict.evidence.len());
            match self.admit(rule, verdict, record) {
                Ok(Some(id)) => {
                    applied.decided.push(id);
                    let cited: Vec<Seq> = self
                        .decision_ref(id)
                        .into_iter()
                        .flat_map(|d| d.violations.iter())
                        .filter_map(|v| self.facts.ids.get(v).copied())
                        .collect();
                    // Only this rule's pool can change: the decision cites for it alone,
                    // and changes no allegation's standing.
                    let own: Vec<_> = self
                        .index
                        .policy_rules
                        .iter()
                        .filter(|r| &r.id == rule)
                        .cloned()
                        .collect();
                    self.refresh_pools_of(&own, cited);
                }
                Ok(None) => {}
                Err(reason) => {
                    let fault = RuleFault {
                        rule: rule.clone(),
                        event: record.event.id,
                        reason,
                    };
                    self.facts.faults.push(fault.clone());
                    applied.faults.push(fault);
                }
            }
        }
    }

    /// The pool of a policy rule: allegations against `party` that count for it, with earliest
    /// occurrence in `[from, to]`.
    fn pool(
        &self,
        rule: &RuleId,
        party: &PartyId,
        from: Timestamp,
        to: Timestamp,
    ) -> Vec<&AllegationRecord> {
        let keys = self.index.pools.get(rule).and_then(|p| p.get(party));
        self.keyed_between(keys, from, to)
    }

    /// Recomputes the pool membership of these allegations for every policy rule.
    pub(crate) fn refresh_pools(&mut self, seqs: impl IntoIterator<Item = Seq>) {
        let rules = self.index.policy_rules.clone();
        self.refresh_pools_of(&rules, seqs);
    }

    /// Recomputes the pool membership of these allegations for these policy rules.
    fn refresh_pools_of(
        &mut self,
        rules: &[std::sync::Arc<crate::agreement::ThresholdRule>],
        seqs: impl IntoIterator<Item = Seq>,
    ) {
        if rules.is_empty() {
            return;
        }
        for seq in seqs {
            self.tick(rules.len());
            let Some(a) = self.facts.allegations.get(&seq) else {
                continue;
            };
            let key = (a.occurred.earliest(), seq);
            let party = a.accused().clone();
            let membership: Vec<bool> = rules.iter().map(|r| r.counts(self, a)).collect();
            for (rule, member) in rules.iter().zip(membership) {
                let pool = self
                    .index
                    .pools
                    .entry(rule.id.clone())
                    .or_default()
                    .entry(party.clone())
                    .or_default();
                if member {
                    pool.insert(key);
                } else {
                    pool.remove(&key);
                }
            }
        }
    }

    /// Checks a verdict and records the decision. `Ok(None)`: a violation is already cited by
    /// this rule, so the verdict is dropped.
    fn admit(
        &mut self,
        rule: &RuleId,
        verdict: Verdict,
        record: &Record,
    ) -> Result<Option<DecisionId>, FaultReason> {
        if self.role(&verdict.party).is_none() {
            return Err(FaultReason::UnknownParty(verdict.party));
        }
        let mut violations: Vec<EventId> = Vec::new();
        for v in &verdict.violations {
            if !violations.contains(v) {
                violations.push(*v);
            }
        }
        if violations.is_empty() {
            return Err(FaultReason::NoViolations);
        }
        for v in &violations {
            let a = self
                .allegation_by_id(v)
                .ok_or(FaultReason::UnknownAllegation(*v))?;
            if a.accused() != &verdict.party {
                return Err(FaultReason::WrongParty {
                    party: verdict.party.clone(),
                    allegation: *v,
                    accused: a.accused().clone(),
                });
            }
            if !self.stands_rec(a) {
                return Err(FaultReason::NotStanding(*v));
            }
        }
        if let Some(e) = verdict
            .evidence
            .iter()
            .find(|e| !self.facts.ids.contains_key(e))
        {
            return Err(FaultReason::UnknownEvidence(*e));
        }
        if violations.iter().any(|v| self.is_cited(v, rule)) {
            return Ok(None);
        }
        let decided_at = record.event.recorded_at;
        let effective_at = match verdict.procedure {
            Procedure::Immediate => Some(decided_at),
            Procedure::NoticeAndDeadline { dispute_window } => dispute_window.after(decided_at),
        };
        let id = DecisionId(u64::try_from(self.facts.decisions.len()).unwrap_or(u64::MAX - 1) + 1);
        for v in &violations {
            self.index.cited.entry(*v).or_default().insert(id);
            *self
                .index
                .held
                .entry(*v)
                .or_default()
                .entry(rule.clone())
                .or_default() += 1;
        }
        self.index
            .active
            .entry(verdict.party.clone())
            .or_default()
            .insert(id);
        self.index
            .active_until
            .entry(verdict.party.clone())
            .or_default()
            .insert((effective_at.unwrap_or(Timestamp::MAX_UTC), id));
        *self
            .index
            .standing
            .entry((rule.clone(), verdict.party.clone()))
            .or_default() += 1;
        let verdict_party = verdict.party.clone();
        self.facts.decisions.push(Decision {
            id,
            rule: rule.clone(),
            party: verdict.party,
            level: verdict.level,
            violations,
            evidence: verdict.evidence,
            trigger: record.event.id,
            trigger_seq: record.seq,
            decided_at,
            procedure: verdict.procedure,
            effective_at,
            ending: None,
            revisions: Vec::new(),
        });
        self.index
            .by_rule_party
            .entry(rule.clone())
            .or_default()
            .entry(verdict_party)
            .or_default()
            .insert(id);
        Ok(Some(id))
    }
}
