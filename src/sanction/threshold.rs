//! The built-in threshold rule: weighted violations by one party within a sliding window.

use std::collections::{BTreeMap, BTreeSet};

use crate::agreement::{Escalation, ThresholdRule};
use crate::allegation::AllegationRecord;
use crate::id::{EventId, PartyId};
use crate::sanction::{Trigger, Verdict, View};
use crate::state::AgreementState;
use crate::time::Timestamp;

impl ThresholdRule {
    /// Whether `a` counts for this rule now: its term is in scope, it weighs something, its
    /// occurrence fits in the rule's window, it meets the evidence standard, it stands, and no
    /// standing decision of this rule cites it yet. A violation that weighs nothing, or that
    /// could never fit in a window (a day-precision report under a rule of a few hours), can
    /// never help reach the threshold: it is never counted or cited, so it never waits in the
    /// rule's pool (which keeps the work of one event bounded; see the performance guide).
    pub(crate) fn counts(&self, state: &AgreementState, a: &AllegationRecord) -> bool {
        // Pure checks, the cheapest and most selective first: most allegations fail the
        // evidence standard (not yet confirmed or corroborated), so the window arithmetic
        // and the lookups run only for the few that meet it.
        self.weight(a) > 0
            && a.meets(&self.evidence)
            && self.terms.includes(&a.allegation.term)
            && self
                .window
                .after(a.occurred.earliest())
                .is_none_or(|end| a.occurred.latest() <= end)
            && state.stands_rec(a)
            && !state.is_cited(&a.id, &self.id)
    }

    fn weight(&self, a: &AllegationRecord) -> u64 {
        u64::from(self.weights.of(a.allegation.severity))
    }

    /// The violations to cite if some window `[start, start + window]` holding all of `a`
    /// reaches the threshold: the earliest such window, and in it `a` plus the earliest
    /// others until the weight reaches the threshold. `candidates` are sorted by earliest
    /// occurrence, then sequence number.
    fn window_with(
        &self,
        a: &AllegationRecord,
        candidates: &[&AllegationRecord],
        steps: &mut usize,
    ) -> Option<Vec<EventId>> {
        let need = u64::from(self.threshold);
        let mut previous_start = None;
        for (i, first) in candidates.iter().enumerate() {
            *steps += 1;
            let start = first.occurred.earliest();
            if start > a.occurred.earliest() {
                break;
            }
            if previous_start == Some(start) {
                continue;
            }
            previous_start = Some(start);
            let end = self.window.after(start);
            if end.is_some_and(|e| a.occurred.latest() > e) {
                continue;
            }
            let mut total = self.weight(a);
            let mut cited = Vec::new();
            for m in candidates.get(i..).unwrap_or_default() {
                *steps += 1;
                if total >= need || end.is_some_and(|e| m.occurred.earliest() > e) {
                    break;
                }
                let inside = end.is_none_or(|e| m.occurred.latest() <= e);
                if m.id != a.id && inside {
                    total = total.saturating_add(self.weight(m));
                    cited.push(*m);
                }
            }
            if total >= need {
                cited.push(a);
                cited.sort_by_key(|c| (c.occurred.earliest(), c.seq));
                return Some(cited.into_iter().map(|c| c.id).collect());
            }
        }
        None
    }
}

impl ThresholdRule {
    /// The rule's verdicts: its one evaluation, run by the sanction engine. The violations
    /// that count for it (see `counts`) come from its pool, `pool(party, from, to)`: those
    /// against `party` whose earliest occurrence is in `[from, to]` that count and that the
    /// rule has not cited, sorted by earliest occurrence and then by sequence number (the
    /// engine keeps the pools; see `sanction::engine::pools`). Adds the steps it took to
    /// `steps`.
    pub(crate) fn evaluate<'v>(
        &self,
        view: &'v AgreementState,
        trigger: &Trigger<'_>,
        pool: impl Fn(&PartyId, Timestamp, Timestamp) -> Vec<&'v AllegationRecord>,
        steps: &mut usize,
    ) -> Vec<Verdict> {
        let mut verdicts = Vec::new();
        let mut taken: BTreeSet<EventId> = BTreeSet::new();
        let mut fired: BTreeMap<PartyId, usize> = BTreeMap::new();
        for id in trigger.changed {
            *steps += 1;
            if taken.contains(id) {
                continue;
            }
            let Some(a) = view.allegation(id) else {
                continue;
            };
            if !self.counts(view, a) {
                continue;
            }
            let party = a.accused();
            let from = self.window.before(a.occurred.latest());
            let to = self
                .window
                .after(a.occurred.earliest())
                .unwrap_or(Timestamp::MAX_UTC);
            let mut candidates = pool(party, from, to);
            candidates.retain(|c| !taken.contains(&c.id));
            *steps += candidates.len();
            let Some(cited) = self.window_with(a, &candidates, steps) else {
                continue;
            };
            let prior =
                view.standing_decisions(&self.id, party) + fired.get(party).copied().unwrap_or(0);
            let level = match self.escalation {
                Escalation::Fixed => self.level,
                Escalation::Ladder => self.level.up_by(prior),
            };
            let mut evidence = Vec::new();
            for c in &cited {
                if let Some(rec) = view.allegation(c) {
                    for e in rec.evidence_for(&self.evidence) {
                        if !evidence.contains(&e) {
                            evidence.push(e);
                        }
                    }
                }
            }
            taken.extend(cited.iter().copied());
            *fired.entry(party.clone()).or_default() += 1;
            verdicts.push(Verdict {
                party: party.clone(),
                level,
                violations: cited,
                evidence,
                procedure: self.procedure,
            });
        }
        verdicts
    }
}
