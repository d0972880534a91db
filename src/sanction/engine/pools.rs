//! The pools: for each policy rule and accused party, the allegations that count for the
//! rule now and that it has not cited, by earliest occurrence. The threshold rule draws its
//! candidates from its pool and from nowhere else; the pool is kept current from the same
//! "what may have changed" set that drives voiding.

use std::sync::Arc;

use crate::agreement::ThresholdRule;
use crate::allegation::AllegationRecord;
use crate::id::{PartyId, RuleId};
use crate::state::{AgreementState, Slot};
use crate::time::Timestamp;

/// The pool of a policy rule: allegations against `party` that count for it, with earliest
/// occurrence in `[from, to]`.
pub(crate) fn pool<'s>(
    state: &'s AgreementState,
    rule: &RuleId,
    party: &PartyId,
    from: Timestamp,
    to: Timestamp,
) -> Vec<&'s AllegationRecord> {
    let keys = state.index.books.pools.get(&(rule.clone(), party.clone()));
    state.keyed_between(keys, from, to)
}

/// Recomputes the pool membership of these allegations for every policy rule.
pub(crate) fn refresh_pools(state: &mut AgreementState, seqs: impl IntoIterator<Item = Slot>) {
    let rules = state.index.books.policy_rules.clone();
    refresh_pools_of(state, &rules, seqs);
}

/// Recomputes the pool membership of these allegations for these policy rules.
pub(crate) fn refresh_pools_of(
    state: &mut AgreementState,
    rules: &[Arc<ThresholdRule>],
    seqs: impl IntoIterator<Item = Slot>,
) {
    if rules.is_empty() {
        return;
    }
    for seq in seqs {
        state.tick(rules.len());
        let Some(a) = state.facts.allegations.get(seq) else {
            continue;
        };
        let key = (a.occurred.earliest(), seq);
        let party = a.accused().clone();
        let membership: Vec<bool> = rules.iter().map(|r| r.counts(state, a)).collect();
        for (rule, member) in rules.iter().zip(membership) {
            let pool = (rule.id.clone(), party.clone());
            if member {
                state.set_insert(|s| &mut s.index.books.pools, pool, key);
            } else {
                state.set_remove(|s| &mut s.index.books.pools, &pool, &key);
            }
        }
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
                for rule in &rules {
                    for party in &parties {
                        let (from, to) = (Timestamp::MIN_UTC, Timestamp::MAX_UTC);
                        let pooled: Vec<_> = pool(&state, &rule.id, party, from, to)
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
