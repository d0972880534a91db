//! The ladder: ending a decision, and putting the standing decisions of a ladder rule back
//! on the rungs their rank calls for.

use crate::id::DecisionId;
use crate::sanction::{EndReason, Ending};
use crate::state::AgreementState;
use crate::time::Timestamp;

/// Ends an active decision.
pub(crate) fn end_decision(
    state: &mut AgreementState,
    id: DecisionId,
    at: crate::time::Timestamp,
    by: crate::id::EventId,
    reason: EndReason,
) {
    if state.decision_ref(id).is_none_or(|d| d.ending.is_some()) {
        return;
    }
    state.touch_decision(id);
    let Some(d) = state.decision_mut(id) else {
        return;
    };
    d.ending = Some(Ending { at, by, reason });
    let party = d.party.clone();
    let rule = d.rule.clone();
    let stands = d.stands();
    let holds = d.holds_violations();
    let until = d.effective_at.unwrap_or(Timestamp::MAX_UTC);
    let violations = d.violations.clone();
    state.set_remove(|s| &mut s.index.books.active_until, &party, &(until, id));
    super::relief::touched(state, &party);
    state.tick(violations.len());
    state.set_remove(|s| &mut s.index.books.active, &party, &id);
    for v in &violations {
        state.set_remove(|s| &mut s.index.books.cited, v, &id);
        if !holds && state.index.books.held.contains_key(v) {
            state.touch(|s| &mut s.index.books.held, v);
            if let Some(n) = state
                .index
                .books
                .held
                .get_mut(v)
                .and_then(|r| r.get_mut(&rule))
            {
                *n = n.saturating_sub(1);
            }
        }
    }
    if !stands {
        let key = (rule.clone(), party.clone());
        state.count_down(|s| &mut s.index.books.standing, &key);
        state.set_remove(|s| &mut s.index.books.by_rule_party, &key, &id);
        revise_rungs(state, &rule, &party, at, by);
    }
}

/// After a decision stopped standing, puts the standing decisions of a ladder rule against
/// the party back on the rungs their rank calls for, from `at` on.
pub(crate) fn revise_rungs(
    state: &mut AgreementState,
    rule: &crate::id::RuleId,
    party: &crate::id::PartyId,
    at: crate::time::Timestamp,
    by: crate::id::EventId,
) {
    let Some(ladder) = state
        .index
        .books
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
    let ids: Vec<DecisionId> = state
        .index
        .books
        .by_rule_party
        .get(&(rule.clone(), party.clone()))
        .map(|ids| ids.iter().copied().take(LADDER).collect())
        .unwrap_or_default();
    state.tick(ids.len());
    let mut rank = 0;
    for id in ids {
        let Some(d) = state.decision_ref(id) else {
            continue;
        };
        if !d.stands() {
            continue;
        }
        let level = ladder.up_by(rank);
        rank += 1;
        if d.current_level() != level {
            state.touch_decision(id);
            if let Some(d) = state.decision_mut(id) {
                d.revisions
                    .push(crate::sanction::Revision { at, level, by });
            }
        }
    }
}
