//! The sanction engine, all of it: run inside replay after the facts of each event are
//! folded in, it voids the decisions whose violations no longer stand, runs the policy's
//! threshold rules (each on its pool, see [`pools`]) and the downstream rules through the
//! read-only [`View`], checks their verdicts and records the decisions, moves ladder
//! decisions between rungs ([`ladder`]) and grants relief that has come due ([`relief`]).
//!
//! Its books (which decisions cite which allegation, the standing and active decisions per
//! party and rule, open impositions, relief granted, the pools) are kept here, beside the
//! state's facts; the state folds facts and answers queries, and calls the engine.

pub(crate) mod ladder;
pub(crate) mod pools;
pub(crate) mod relief;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::agreement::Procedure;
use crate::agreement::{Agreement, ThresholdRule};
use crate::event::Record;
use crate::id::{DecisionId, EventId, PartyId, RuleId};
use crate::sanction::{Decision, EndReason, Trigger, Verdict, View};
use crate::state::{AgreementState, Applied, Facts, FaultReason, Keyed, RuleFault, Scratch, Slot};

use crate::time::Timestamp;
pub(crate) use ladder::end_decision;
pub(crate) use pools::refresh_pools;
use pools::{pool, refresh_pools_of};

/// The engine's books: lookups derived from the decisions, impositions and relief of the
/// facts, kept current by the engine and rebuilt when a snapshot is loaded.
#[derive(Clone, Default, Debug)]
pub(crate) struct Books {
    /// Active decisions citing each allegation (for voiding).
    pub(crate) cited: BTreeMap<EventId, BTreeSet<DecisionId>>,
    /// Per allegation and rule, how many of the rule's decisions hold it (`is_cited`).
    pub(crate) held: BTreeMap<EventId, BTreeMap<RuleId, usize>>,
    /// Active decisions per party.
    pub(crate) active: BTreeMap<PartyId, BTreeSet<DecisionId>>,
    /// Standing decisions per (rule, party), for the ladder.
    pub(crate) standing: BTreeMap<(RuleId, PartyId), usize>,
    /// The standing decisions per rule and party, in order (for the ladder).
    pub(crate) by_rule_party: BTreeMap<(RuleId, PartyId), BTreeSet<DecisionId>>,
    /// Recorded impositions not yet lifted, per party, by when they were imposed.
    pub(crate) open_impositions: BTreeMap<PartyId, BTreeSet<(Timestamp, EventId)>>,
    /// Active decisions per party, by when they take effect (`MAX_UTC` if never).
    pub(crate) active_until: BTreeMap<PartyId, BTreeSet<(Timestamp, DecisionId)>>,
    /// When relief was granted, per party.
    pub(crate) granted: BTreeMap<PartyId, BTreeSet<Timestamp>>,
    /// The policy's threshold rules, run first.
    pub(crate) policy_rules: Vec<Arc<ThresholdRule>>,
    /// When relief will be due for each party that has a candidate (see
    /// [`relief::settle`]).
    pub(crate) relief_due: BTreeMap<PartyId, Timestamp>,
    /// The parties whose relief the event being folded may have changed (empty between
    /// events).
    pub(crate) relief_touched: Vec<PartyId>,
    /// For each accused party, each policy rule's pool (by the rule's place in the policy;
    /// see [`pools`]).
    pub(crate) pools: BTreeMap<PartyId, Vec<Keyed>>,
}

impl Books {
    /// The books of these facts, but the pools (filled by [`pools::refresh_pools`] once the
    /// state's other lookups are built).
    pub(crate) fn rebuild(facts: &Facts) -> Books {
        let mut books = Books {
            policy_rules: policy_rules(facts.agreement.as_ref()),
            ..Books::default()
        };
        for d in &facts.decisions {
            for v in &d.violations {
                if d.is_active() {
                    books.cited.entry(*v).or_default().insert(d.id);
                }
                if d.holds_violations() {
                    *books
                        .held
                        .entry(*v)
                        .or_default()
                        .entry(d.rule.clone())
                        .or_default() += 1;
                }
            }
            if d.is_active() {
                file(&mut books.active, d.party.clone(), d.id);
                let until = d.effective_at.unwrap_or(Timestamp::MAX_UTC);
                file(&mut books.active_until, d.party.clone(), (until, d.id));
            }
            if d.stands() {
                let key = (d.rule.clone(), d.party.clone());
                *books.standing.entry(key.clone()).or_default() += 1;
                file(&mut books.by_rule_party, key, d.id);
            }
        }
        for imp in facts.impositions.values() {
            if imp.lifted.is_none() {
                let key = (imp.imposed_at, imp.event);
                file(&mut books.open_impositions, imp.against.clone(), key);
            }
        }
        for g in &facts.reliefs {
            file(&mut books.granted, g.party.clone(), g.at);
        }
        books
    }
}

/// The policy's threshold rules, in the policy's order (each rule's place is its index in the
/// books: see [`pools`]).
pub(crate) fn policy_rules(agreement: Option<&Agreement>) -> Vec<Arc<ThresholdRule>> {
    agreement
        .iter()
        .flat_map(|a| a.policy.rules.iter().map(|r| Arc::new(r.clone())))
        .collect()
}

/// Files `item` under `key`.
fn file<K: Ord, T: Ord>(map: &mut BTreeMap<K, BTreeSet<T>>, key: K, item: T) {
    map.entry(key).or_default().insert(item);
}

/// Voids decisions resting on allegations that no longer stand, then runs every rule.
/// `scratch.affected` holds the allegations whose standing may have changed (in any order,
/// perhaps repeated); `scratch.changed` is an empty buffer for their ids.
pub(crate) fn run_rules(
    state: &mut AgreementState,
    record: &Record,
    scratch: &mut Scratch,
    applied: &mut Applied,
) {
    let event = &record.event;
    let affected = &mut scratch.affected;
    affected.sort_unstable();
    affected.dedup();
    let mut released_all = Vec::new();
    for slot in affected.iter() {
        state.tick(1);
        let Some(a) = state.facts.allegations.get(*slot) else {
            continue;
        };
        if state.stands_rec(a) {
            continue;
        }
        let citing: Vec<DecisionId> = state
            .index
            .books
            .cited
            .get(&a.id)
            .map(|ds| ds.iter().copied().collect())
            .unwrap_or_default();
        for id in citing {
            let Some(d) = state.decision_ref(id).filter(|d| d.is_active()) else {
                continue;
            };
            let reason = if d.effective_at.is_some_and(|e| e <= event.recorded_at) {
                EndReason::Voided
            } else {
                EndReason::Stopped
            };
            released_all.extend(
                d.violations
                    .iter()
                    .filter_map(|v| state.facts.ids.allegation(v)),
            );
            end_decision(state, id, event.recorded_at, event.id, reason);
            applied.ended.push(id);
        }
    }
    if !released_all.is_empty() {
        affected.extend(released_all);
        affected.sort_unstable();
        affected.dedup();
    }
    refresh_pools(state, affected.iter().copied());
    let changed = &mut scratch.changed;
    changed.extend(
        affected
            .iter()
            .filter_map(|s| state.facts.allegations.get(*s).map(|a| a.id)),
    );
    let trigger = Trigger {
        record,
        changed: changed.as_slice(),
    };
    for i in 0..state.index.books.policy_rules.len() {
        let Some(rule) = state.index.books.policy_rules.get(i).cloned() else {
            continue;
        };
        let mut steps = 0;
        let verdicts = rule.evaluate(
            state,
            &trigger,
            |party, from, to| pool(state, i, party, from, to),
            &mut steps,
        );
        state.tick(steps);
        admit_all(state, &rule.id, Some(i), verdicts, record, applied);
    }
    for i in 0..state.custom.len() {
        let Some(rule) = state.custom.get(i) else {
            continue;
        };
        state.tick(1 + changed.len());
        let verdicts = rule.evaluate(state, &trigger);
        admit_all(state, rule.id(), None, verdicts, record, applied);
    }
}

pub(crate) fn admit_all(
    state: &mut AgreementState,
    rule: &RuleId,
    pooled: Option<usize>,
    verdicts: Vec<Verdict>,
    record: &Record,
    applied: &mut Applied,
) {
    for verdict in verdicts {
        state.tick(1 + verdict.violations.len() + verdict.evidence.len());
        match admit(state, rule, verdict, record) {
            Ok(Some(id)) => {
                applied.decided.push(id);
                let cited: Vec<Slot> = state
                    .decision_ref(id)
                    .into_iter()
                    .flat_map(|d| d.violations.iter())
                    .filter_map(|v| state.facts.ids.allegation(v))
                    .collect();
                // Only this rule's pool can change: the decision cites for it alone,
                // and changes no allegation's standing.
                if let Some(i) = pooled {
                    refresh_pools_of(state, i..i + 1, cited);
                }
            }
            Ok(None) => {}
            Err(reason) => {
                let fault = RuleFault {
                    rule: rule.clone(),
                    event: record.event.id,
                    reason,
                };
                state.push(|s| &mut s.facts.faults, fault.clone());
                applied.faults.push(fault);
            }
        }
    }
}

/// Checks a verdict and records the decision. `Ok(None)`: a violation is already cited by
/// this rule, so the verdict is dropped.
pub(crate) fn admit(
    state: &mut AgreementState,
    rule: &RuleId,
    verdict: Verdict,
    record: &Record,
) -> Result<Option<DecisionId>, FaultReason> {
    if state.role(&verdict.party).is_none() {
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
        let a = state
            .allegation_by_id(v)
            .ok_or(FaultReason::UnknownAllegation(*v))?;
        if a.accused() != &verdict.party {
            return Err(FaultReason::WrongParty {
                party: verdict.party.clone(),
                allegation: *v,
                accused: a.accused().clone(),
            });
        }
        if !state.stands_rec(a) {
            return Err(FaultReason::NotStanding(*v));
        }
    }
    if let Some(e) = verdict
        .evidence
        .iter()
        .find(|e| !state.facts.ids.contains_key(e))
    {
        return Err(FaultReason::UnknownEvidence(*e));
    }
    if violations.iter().any(|v| state.is_cited(v, rule)) {
        return Ok(None);
    }
    let decided_at = record.event.recorded_at;
    let effective_at = match verdict.procedure {
        Procedure::Immediate => Some(decided_at),
        Procedure::NoticeAndDeadline { dispute_window } => dispute_window.after(decided_at),
    };
    let id = DecisionId(u64::try_from(state.facts.decisions.len()).unwrap_or(u64::MAX - 1) + 1);
    for v in &violations {
        state.set_insert(|s| &mut s.index.books.cited, *v, id);
        state.touch(|s| &mut s.index.books.held, v);
        *state
            .index
            .books
            .held
            .entry(*v)
            .or_default()
            .entry(rule.clone())
            .or_default() += 1;
    }
    let party = verdict.party.clone();
    state.set_insert(|s| &mut s.index.books.active, party.clone(), id);
    let until = effective_at.unwrap_or(Timestamp::MAX_UTC);
    state.set_insert(
        |s| &mut s.index.books.active_until,
        party.clone(),
        (until, id),
    );
    relief::touched(state, &party);
    state.count_up(
        |s| &mut s.index.books.standing,
        (rule.clone(), party.clone()),
    );
    state.set_insert(
        |s| &mut s.index.books.by_rule_party,
        (rule.clone(), party),
        id,
    );
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
    state.push(|s| &mut s.facts.decisions, decision);
    Ok(Some(id))
}
