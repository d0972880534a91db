//! The sanction engine inside replay: voiding
//! decisions whose violations no longer count, running the rules, and checking their
//! verdicts.

use std::collections::BTreeSet;

use crate::agreement::Procedure;
use crate::allegation::AllegationRecord;
use crate::event::Record;
use crate::id::{DecisionId, EventId, PartyId, RuleId};
use crate::sanction::{Decision, EndReason, Trigger, Verdict, View};
use crate::state::{AgreementState, Applied, FaultReason, RuleFault, Slot};
use crate::time::Timestamp;

impl AgreementState {
    /// Voids decisions resting on allegations that no longer stand, then runs every rule.
    pub(crate) fn run_rules(
        &mut self,
        record: &Record,
        affected: BTreeSet<Slot>,
        applied: &mut Applied,
    ) {
        let event = &record.event;
        let mut released_all = Vec::new();
        for slot in &affected {
            self.tick(1);
            let Some(a) = self.facts.allegations.get(*slot) else {
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
                released_all.extend(released.iter().filter_map(|v| self.facts.ids.allegation(v)));
            }
        }
        let mut changed = affected;
        changed.extend(released_all);
        self.refresh_pools(changed.iter().copied());
        let changed: Vec<EventId> = changed
            .iter()
            .filter_map(|s| self.facts.allegations.get(*s).map(|a| a.id))
            .collect();
        let trigger = Trigger {
            record,
            changed: &changed,
        };
        for i in 0..self.index.policy_rules.len() {
            let Some(rule) = self.index.policy_rules.get(i).cloned() else {
                continue;
            };
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
        for i in 0..self.custom.len() {
            let Some(rule) = self.custom.get(i) else {
                continue;
            };
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
                    let cited: Vec<Slot> = self
                        .decision_ref(id)
                        .into_iter()
                        .flat_map(|d| d.violations.iter())
                        .filter_map(|v| self.facts.ids.allegation(v))
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
                    self.push(|s| &mut s.facts.faults, fault.clone());
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
        let keys = self.index.pools.get(&(rule.clone(), party.clone()));
        self.keyed_between(keys, from, to)
    }

    /// Recomputes the pool membership of these allegations for every policy rule.
    pub(crate) fn refresh_pools(&mut self, seqs: impl IntoIterator<Item = Slot>) {
        let rules = self.index.policy_rules.clone();
        self.refresh_pools_of(&rules, seqs);
    }

    /// Recomputes the pool membership of these allegations for these policy rules.
    fn refresh_pools_of(
        &mut self,
        rules: &[std::sync::Arc<crate::agreement::ThresholdRule>],
        seqs: impl IntoIterator<Item = Slot>,
    ) {
        if rules.is_empty() {
            return;
        }
        for seq in seqs {
            self.tick(rules.len());
            let Some(a) = self.facts.allegations.get(seq) else {
                continue;
            };
            let key = (a.occurred.earliest(), seq);
            let party = a.accused().clone();
            let membership: Vec<bool> = rules.iter().map(|r| r.counts(self, a)).collect();
            for (rule, member) in rules.iter().zip(membership) {
                let pool = (rule.id.clone(), party.clone());
                if member {
                    self.set_insert(|s| &mut s.index.pools, pool, key);
                } else {
                    self.set_remove(|s| &mut s.index.pools, &pool, &key);
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
            self.set_insert(|s| &mut s.index.cited, *v, id);
            self.touch(|s| &mut s.index.held, v);
            *self
                .index
                .held
                .entry(*v)
                .or_default()
                .entry(rule.clone())
                .or_default() += 1;
        }
        let party = verdict.party.clone();
        self.set_insert(|s| &mut s.index.active, party.clone(), id);
        let until = effective_at.unwrap_or(Timestamp::MAX_UTC);
        self.set_insert(|s| &mut s.index.active_until, party.clone(), (until, id));
        self.count_up(|s| &mut s.index.standing, (rule.clone(), party.clone()));
        self.set_insert(|s| &mut s.index.by_rule_party, (rule.clone(), party), id);
        let decision = Decision {
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
        };
        self.push(|s| &mut s.facts.decisions, decision);
        Ok(Some(id))
    }
}
