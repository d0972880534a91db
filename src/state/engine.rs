//! The sanction engine inside replay: which allegations an event may have changed, voiding
//! decisions whose violations no longer count, running the rules, and checking their
//! verdicts.

use std::collections::{BTreeSet, VecDeque};

use crate::agreement::Procedure;
use crate::allegation::AllegationRecord;
use crate::event::{Event, Payload, Record};
use crate::id::{DecisionId, EventId, PartyId, RuleId, Seq, TermId};
use crate::sanction::{Decision, EndReason, Trigger, Verdict, View};
use crate::state::{AgreementState, Applied, FaultReason, RuleFault};
use crate::time::{Coverage, Occurred, Timestamp};

/// Coverage of each (term, bound party) pair, in a fixed order.
pub(crate) type Coverages = Vec<(TermId, PartyId, Coverage)>;

impl AgreementState {
    /// The terms whose obligation windows the event may move: the term it changes, or for an
    /// event about an allegation the phases waiting on that allegation's term; with every
    /// phase waiting on those, transitively.
    pub(crate) fn touched_terms(&self, event: &Event) -> BTreeSet<TermId> {
        let mut start: Vec<TermId> = Vec::new();
        let mut seed_self = true;
        match &event.payload {
            Payload::TermAccepted { term, .. }
            | Payload::TermAmended { term, .. }
            | Payload::TermSuspended { term, .. }
            | Payload::TermResumed { term }
            | Payload::TermTerminated { term, .. } => start.push(term.clone()),
            Payload::ConditionMet { condition, .. } => {
                if let Some(c) = self.facts.conditions.get(condition) {
                    start.push(c.term.clone());
                }
            }
            Payload::PartyWithdrew { .. } => {
                for (id, rec) in &self.facts.terms {
                    if rec.term.binds(&event.author) {
                        start.push(id.clone());
                    }
                }
            }
            Payload::ViolationAlleged(a) => {
                seed_self = false;
                start.push(a.term.clone());
            }
            other => {
                if let Some(a) = other
                    .allegation_ref()
                    .and_then(|id| self.allegation_by_id(&id))
                {
                    seed_self = false;
                    start.push(a.allegation.term.clone());
                }
            }
        }
        let mut touched = BTreeSet::new();
        let mut queue: VecDeque<TermId> = VecDeque::new();
        for t in start {
            if seed_self {
                touched.insert(t.clone());
            }
            queue.push_back(t);
        }
        while let Some(t) = queue.pop_front() {
            for dep in self.index.dependents.get(&t).into_iter().flatten() {
                if touched.insert(dep.clone()) {
                    queue.push_back(dep.clone());
                }
            }
        }
        touched
    }

    /// The coverage of each bound party of each term, computed afresh.
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

    /// The cached coverage of each bound party of each term.
    pub(crate) fn cached_coverages(&self, terms: &BTreeSet<TermId>) -> Coverages {
        let mut out = Vec::new();
        for t in terms {
            if let Some(rec) = self.facts.terms.get(t) {
                for p in &rec.term.binds {
                    let c = self.cached_coverage(t, p).cloned().unwrap_or_default();
                    out.push((t.clone(), p.clone(), c));
                }
            }
        }
        out
    }

    pub(crate) fn cached_coverage(&self, term: &TermId, party: &PartyId) -> Option<&Coverage> {
        self.index.coverage.get(term)?.get(party)
    }

    pub(crate) fn store_coverages(&mut self, coverages: Coverages) {
        for (t, p, c) in coverages {
            self.index.coverage.entry(t).or_default().insert(p, c);
        }
    }

    /// Allegations whose standing may differ between two sets of coverages: those against the
    /// party under the term that may have occurred at or after the first instant where the
    /// coverages differ.
    pub(crate) fn affected(&self, before: &Coverages, after: &Coverages) -> BTreeSet<Seq> {
        let mut out = BTreeSet::new();
        for ((term, party, old), (_, _, new)) in before.iter().zip(after) {
            let Some(first) = old.first_difference(new) else {
                continue;
            };
            let from = Occurred::MAX_EXTENT.before(first);
            if let Some(keys) = self.index.by_term_party.get(&(term.clone(), party.clone())) {
                out.extend(keys.range((from, Seq(0))..).map(|(_, seq)| *seq));
            }
        }
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
            let Some(a) = self.facts.allegations.get(seq) else {
                continue;
            };
            if self.stands_rec(a) {
                continue;
            }
            let citing = self.index.cited.get(&a.id).cloned().unwrap_or_default();
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
            let verdicts = rule.evaluate_with(self, &trigger, |party, from, to| {
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
            });
            self.admit_all(&rule.id, verdicts, record, applied);
        }
        for rule in self.custom.clone().iter() {
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
            match self.admit(rule, verdict, record) {
                Ok(Some(id)) => {
                    applied.decided.push(id);
                    let cited: Vec<Seq> = self
                        .decision_ref(id)
                        .into_iter()
                        .flat_map(|d| d.violations.iter())
                        .filter_map(|v| self.facts.ids.get(v).copied())
                        .collect();
                    self.refresh_pools(cited);
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
        if rules.is_empty() {
            return;
        }
        for seq in seqs {
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
            self.index.cited.entry(*v).or_default().push(id);
        }
        self.index
            .active
            .entry(verdict.party.clone())
            .or_default()
            .insert(id);
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
            .push(id);
        Ok(Some(id))
    }
}
