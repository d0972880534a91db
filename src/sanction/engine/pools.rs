//! The pools: for each policy rule and accused party, the allegations that count for the
//! rule now and that it has not cited, by earliest occurrence. The threshold rule draws its
//! candidates from its pool and from nowhere else; the pool is kept current from the same
//! "what may have changed" set that drives voiding.

use std::ops::Range;

use crate::allegation::AllegationRecord;
use crate::id::PartyId;
use crate::state::{AgreementState, Keyed, Slot};
use crate::time::Timestamp;

/// The pool of the policy's rule `rule` (its place in the policy): allegations against
/// `party` that count for it, with earliest occurrence in `[from, to]`.
pub(crate) fn pool<'s>(
    state: &'s AgreementState,
    rule: usize,
    party: &PartyId,
    from: Timestamp,
    to: Timestamp,
) -> Vec<&'s AllegationRecord> {
    let keys = state.index.books.pools.get(party).and_then(|p| p.get(rule));
    state.keyed_between(keys, from, to)
}

/// Recomputes the pool membership of these allegations for every policy rule.
pub(crate) fn refresh_pools(state: &mut AgreementState, slots: impl IntoIterator<Item = Slot>) {
    let all = 0..state.index.books.policy_rules.len();
    refresh_pools_of(state, all, slots);
}

/// Recomputes the pool membership of these allegations for the policy's rules in `rules`
/// (their places in the policy).
pub(crate) fn refresh_pools_of(
    state: &mut AgreementState,
    rules: Range<usize>,
    slots: impl IntoIterator<Item = Slot>,
) {
    if rules.is_empty() {
        return;
    }
    for slot in slots {
        state.tick(rules.len());
        for i in rules.clone() {
            let Some(rule) = state.index.books.policy_rules.get(i).cloned() else {
                continue;
            };
            let Some(a) = state.facts.allegations.get(slot) else {
                break;
            };
            let key = (a.occurred.earliest(), slot);
            if rule.counts(state, a) {
                let party = a.accused().clone();
                enter(state, party, i, key);
            } else {
                let party = a.accused().clone();
                leave(state, &party, i, key);
            }
        }
    }
}

/// Puts `key` in the pool of rule `i` against `party`; rollback takes it out again (and the
/// party's pools, if this made them).
fn enter(state: &mut AgreementState, party: PartyId, i: usize, key: (Timestamp, Slot)) {
    let rules = state.index.books.policy_rules.len();
    let pools = &mut state.index.books.pools;
    let (made, entered) = match pools.get_mut(&party) {
        Some(sets) => (false, sets.get_mut(i).is_some_and(|s| s.insert(key))),
        None => {
            let mut sets = vec![Keyed::new(); rules];
            let entered = sets.get_mut(i).is_some_and(|s| s.insert(key));
            pools.insert(party.clone(), sets);
            (true, entered)
        }
    };
    if entered && state.journaling() {
        state.undo_with(move |s| {
            let pools = &mut s.index.books.pools;
            if let Some(sets) = pools.get_mut(&party) {
                if let Some(set) = sets.get_mut(i) {
                    set.remove(&key);
                }
                if made && sets.iter().all(Keyed::is_empty) {
                    pools.remove(&party);
                }
            }
        });
    }
}

/// Takes `key` out of the pool of rule `i` against `party`; rollback puts it back.
fn leave(state: &mut AgreementState, party: &PartyId, i: usize, key: (Timestamp, Slot)) {
    let left = state
        .index
        .books
        .pools
        .get_mut(party)
        .and_then(|sets| sets.get_mut(i))
        .is_some_and(|set| set.remove(&key));
    if left && state.journaling() {
        let party = party.clone();
        state.undo_with(move |s| {
            if let Some(set) = s
                .index
                .books
                .pools
                .get_mut(&party)
                .and_then(|sets| sets.get_mut(i))
            {
                set.insert(key);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::pool;
    use crate::sanction::View;
    use crate::state::AgreementState;
    use crate::time::Timestamp;
    use crate::workload::Workload;

    /// The pool of every policy rule holds, for every party and after every event, exactly
    /// the allegations against the party that count for the rule: what scanning them all and
    /// asking the rule would give. (The rule reads its pool only; this is what makes that
    /// enough.)
    #[test]
    fn pools_hold_exactly_what_counts() {
        for (seed, pace) in [(1, 40), (5, 400)] {
            let records = Workload::new(seed)
                .pace(pace)
                .generate(1_200)
                .expect("workload");
            let mut state = AgreementState::new();
            let mut checked = 0;
            for r in &records {
                state.apply(r).expect("applies");
                let rules = state.index.books.policy_rules.clone();
                let parties: Vec<_> = state.index.roles.keys().cloned().collect();
                for (i, rule) in rules.iter().enumerate() {
                    for party in &parties {
                        let (from, to) = (Timestamp::MIN_UTC, Timestamp::MAX_UTC);
                        let pooled: Vec<_> = pool(&state, i, party, from, to)
                            .iter()
                            .map(|a| a.id)
                            .collect();
                        let scanned: Vec<_> = state
                            .allegations_against(party, from, to)
                            .into_iter()
                            .filter(|a| rule.counts(&state, a))
                            .map(|a| a.id)
                            .collect();
                        assert_eq!(
                            pooled, scanned,
                            "rule {} against {party} at {}",
                            rule.id, r.seq
                        );
                        checked += pooled.len();
                    }
                }
            }
            assert!(checked > 0, "some pool held something");
        }
    }
}
