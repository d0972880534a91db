//! Term shapes: each term's activation floor, window and per-party coverage, cached and
//! brought up to date after each event in agreement order, touching only the terms the event
//! names and the phases whose floor actually moves; and which allegations an event may have
//! changed.

use std::collections::BTreeSet;

use crate::agreement::ObligationClock;
use crate::event::{Event, Payload};
use crate::id::{PartyId, TermId};
use crate::state::{AgreementState, Slot, TermRecord};
use crate::time::{Coverage, Occurred, Timestamp, Window};

/// A term's activation floor (`None` while it cannot start) and window.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Shape {
    pub(crate) floor: Option<Option<Timestamp>>,
    pub(crate) window: Option<Window>,
}

/// The number of confirmed violations breaking a hold from `start`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hold {
    pub(crate) start: Timestamp,
    pub(crate) breakers: usize,
}

/// Queues a term's place in agreement order unless it is queued already.
fn enqueue(queue: &mut Vec<usize>, place: Option<usize>) {
    if let Some(i) = place
        && !queue.contains(&i)
    {
        queue.push(i);
    }
}

/// Takes the earliest place off the queue. The queue holds the terms one event reaches: one or
/// two as a rule, at most `Agreement::LIMITS.terms`, so a scan is cheapest where it matters and
/// bounded where it does not.
fn pop_first(queue: &mut Vec<usize>) -> Option<usize> {
    let (at, _) = queue.iter().enumerate().min_by_key(|(_, i)| **i)?;
    Some(queue.swap_remove(at))
}

/// Coverage of each (term, bound party) pair, in a fixed order.
pub(crate) type Coverages = Vec<(TermId, PartyId, Coverage)>;

/// What an event may change in the obligation windows (see [`AgreementState::seeds`]). Short
/// lists without repeats (an event names a few terms), reused from event to event.
#[derive(Clone, Default, Debug)]
pub(crate) struct Seeds {
    /// Terms whose own facts changed.
    pub(crate) own: Vec<TermId>,
    /// Terms whose confirmed violations changed.
    pub(crate) holds: Vec<TermId>,
}

/// Adds a term to a list of seeds unless it is there already.
fn seed(list: &mut Vec<TermId>, term: &TermId) {
    if !list.contains(term) {
        list.push(term.clone());
    }
}

/// The buffers the fold reuses from event to event, so that folding a common event allocates
/// nothing for its own bookkeeping: the seeds, the queue of terms to reshape, the allegations
/// whose standing may have changed, and their ids as rules read them.
#[derive(Clone, Default, Debug)]
pub(crate) struct Scratch {
    pub(crate) seeds: Seeds,
    pub(crate) queue: Vec<usize>,
    pub(crate) affected: Vec<Slot>,
    pub(crate) changed: Vec<crate::id::EventId>,
}

impl Scratch {
    /// Empties every buffer, keeping its room.
    pub(crate) fn clear(&mut self) {
        self.seeds.own.clear();
        self.seeds.holds.clear();
        self.queue.clear();
        self.affected.clear();
        self.changed.clear();
    }
}

impl AgreementState {
    /// The terms whose obligation windows the event may move directly (`own`: the term it
    /// changes), and those whose phases' holds it may change (`holds`: for an event about an
    /// allegation, the allegation's term). The phases waiting on them are reshaped only if
    /// their activation floor actually moves (see [`AgreementState::reshape`]).
    pub(crate) fn seeds(&self, event: &Event, seeds: &mut Seeds) {
        match &event.payload {
            Payload::TermProposed { term, counters } => {
                seed(&mut seeds.own, &term.id);
                if let Some(t) = counters {
                    seed(&mut seeds.own, t);
                }
            }
            Payload::TermAccepted { term, .. }
            | Payload::TermRefused { term, .. }
            | Payload::TermAmended { term, .. }
            | Payload::TermSuspended { term, .. }
            | Payload::TermResumed { term }
            | Payload::TermTerminated { term, .. } => {
                seed(&mut seeds.own, term);
            }
            Payload::ConditionMet { condition, .. } => {
                if let Some(c) = self.facts.conditions.get(condition) {
                    seed(&mut seeds.own, &c.term);
                }
            }
            Payload::PartyWithdrew { .. } => {
                self.tick(self.facts.terms.len());
                for (id, rec) in &self.facts.terms {
                    if rec.term.binds(&event.author) {
                        seed(&mut seeds.own, id);
                    }
                }
            }
            Payload::ViolationAlleged(a) => {
                seed(&mut seeds.holds, &a.term);
            }
            other => {
                if let Some(a) = other
                    .allegation_ref()
                    .and_then(|id| self.allegation_by_id(&id))
                {
                    seed(&mut seeds.holds, &a.allegation.term);
                }
            }
        }
    }

    /// Brings the cached shapes and coverages up to date after the facts changed as `seeds`
    /// says, in agreement order (an earlier phase before the phases waiting on it): each
    /// seeded term is recomputed, and each phase waiting on a term whose window moved (or
    /// that was seeded) is recomputed only if its activation floor moved. Returns the
    /// allegations whose standing may have changed: those near an instant where an old and a
    /// new coverage differ, added to `affected` (unsorted, perhaps repeated). `queue` is an
    /// empty buffer to work in.
    pub(crate) fn reshape(
        &mut self,
        seeds: &Seeds,
        queue: &mut Vec<usize>,
        affected: &mut Vec<Slot>,
    ) {
        for t in &seeds.own {
            enqueue(queue, self.index.position.get(t).copied());
        }
        for t in &seeds.holds {
            self.queue_dependents(t, queue);
        }
        while let Some(i) = pop_first(queue) {
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
                self.queue_dependents(&id, queue);
            }
        }
    }

    fn queue_dependents(&self, term: &TermId, queue: &mut Vec<usize>) {
        for dep in self.index.dependents.get(term).into_iter().flatten() {
            self.tick(1);
            enqueue(queue, self.index.position.get(dep).copied());
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
    ) -> Vec<Slot> {
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
        let mut out: Vec<Slot> = Vec::new();
        for (from, to) in regions {
            let from = Occurred::MAX_EXTENT.before(from);
            let range = match to {
                Some(to) => keys.range((from, Slot::MIN)..=(to, Slot::MAX)),
                None => keys.range((from, Slot::MIN)..),
            };
            for (_, seq) in range {
                self.tick(1);
                out.push(*seq);
            }
        }
        debug_assert!(
            keys.iter().all(|(_, seq)| {
                let o = self.facts.allegations.get(*seq).map(|a| a.occurred);
                o.is_none_or(|o| old.contains_occurred(&o) == new.contains_occurred(&o))
                    || out.contains(seq)
            }),
            "every allegation of {party} under {term} whose standing moved is affected"
        );
        out
    }
}
