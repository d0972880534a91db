//! Term clocks: when each party's obligations run, when a term is in force, and whether an
//! allegation falls inside the accused's obligations. Every answer is a pure function of the
//! facts and, where asked, an explicit instant.

use crate::agreement::{AcceptanceLevel, Activation, ObligationClock};
use crate::allegation::AllegationRecord;
use crate::id::{PartyId, TermId};
use crate::state::{AgreementState, Hold, Slot, TermRecord};
use crate::time::{Coverage, Occurred, Span, Timestamp, Window};

impl AgreementState {
    /// When `party`'s commitment to the term binds: its binding acceptance's effective time,
    /// or for a conditional acceptance the later of that and the last of its conditions being
    /// met. `None` while it does not bind.
    pub(crate) fn binding_start(&self, term: &TermRecord, party: &PartyId) -> Option<Timestamp> {
        let acc = term.acceptances.get(party)?;
        match &acc.level {
            AcceptanceLevel::InPrinciple => None,
            AcceptanceLevel::Binding => Some(acc.effective_from),
            AcceptanceLevel::Conditional { conditions } => {
                let mut start = acc.effective_from;
                for c in conditions {
                    let met = self.facts.conditions.get(&c.id)?.met?;
                    start = start.max(met.at);
                }
                Some(start)
            }
        }
    }

    /// The latest instant at which one of the term's own conditions was met: `Some(None)`
    /// when it has none, `None` while one is unmet.
    fn condition_floor(&self, term: &TermRecord) -> Option<Option<Timestamp>> {
        let mut floor: Option<Timestamp> = None;
        for c in &term.term.conditions {
            let met = self.facts.conditions.get(&c.id)?.met?;
            floor = Some(floor.map_or(met.at, |f| f.max(met.at)));
        }
        Some(floor)
    }

    /// The earliest instant the term's own activation and conditions allow: `Some(None)` when
    /// nothing holds it back, `None` while it cannot start (condition unmet, phase not held).
    fn activation_floor(&self, term: &TermRecord) -> Option<Option<Timestamp>> {
        let floor = self.condition_floor(term)?;
        let base = match &term.term.activation {
            Activation::OnAcceptance => None,
            Activation::At(at) => Some(*at),
            Activation::AfterHeld { term: prev, days } => Some(self.phase_start(prev, *days)?),
        };
        Some(later_of(floor, base))
    }

    /// The activation floor, reading the earlier phase's window from the shape cache and its
    /// hold from the hold counts (so it costs the term's conditions and the earlier phase's
    /// suspensions, not the log).
    pub(crate) fn activation_floor_cached(&mut self, term: &TermId) -> Option<Option<Timestamp>> {
        let record = self.facts.terms.get(term)?;
        let floor = self.condition_floor(record)?;
        self.tick(1 + record.term.conditions.len());
        let base = match record.term.activation.clone() {
            Activation::OnAcceptance => None,
            Activation::At(at) => Some(at),
            Activation::AfterHeld { term: prev, days } => {
                Some(self.phase_start_cached(&prev, days)?)
            }
        };
        Some(later_of(floor, base))
    }

    /// When a phase waiting `days` on `prev` (whose window is `window`) would start, if
    /// `prev` ran and was not suspended for those days: `(start, held)`.
    fn hold_span(
        &self,
        prev: &TermId,
        window: Window,
        days: u32,
    ) -> Option<(Timestamp, Timestamp)> {
        let start = window.start;
        let held = Span::days(u64::from(days)).after(start)?;
        if window.end.is_some_and(|end| end < held) {
            return None;
        }
        let record = self.facts.terms.get(prev)?;
        let span = Window {
            start,
            end: Some(held),
        };
        if record
            .suspensions
            .iter()
            .any(|s| overlaps(&s.window(), &span))
        {
            return None;
        }
        Some((start, held))
    }

    /// When a term waiting on `prev` starts: `prev`'s start plus `days`, provided `prev` was in
    /// force and unsuspended for all of those days, and no violation in them had been
    /// confirmed by that instant; else never.
    fn phase_start(&self, prev: &TermId, days: u32) -> Option<Timestamp> {
        let window = self.term_window(prev)?;
        let (start, held) = self.hold_span(prev, window, days)?;
        if self.breakers(prev, start, days) > 0 {
            None
        } else {
            Some(held)
        }
    }

    /// [`AgreementState::phase_start`] from the caches: `prev`'s cached window, and the count
    /// of breaking violations kept per (phase, days), rescanned only when `prev`'s start moves.
    fn phase_start_cached(&mut self, prev: &TermId, days: u32) -> Option<Timestamp> {
        let window = self.index.shapes.get(prev)?.window?;
        self.tick(
            self.facts
                .terms
                .get(prev)
                .map_or(0, |r| r.suspensions.len()),
        );
        let (start, held) = self.hold_span(prev, window, days)?;
        let key = (prev.clone(), days);
        let breakers = match self.index.holds.get(&key) {
            Some(h) if h.start == start => h.breakers,
            _ => {
                let breakers = self.breakers(prev, start, days);
                // The rescan, paid when the phase's start moves.
                self.tick(self.hold_period(prev, start, days).count());
                self.index.holds.insert(key, Hold { start, breakers });
                breakers
            }
        };
        debug_assert_eq!(
            breakers,
            self.breakers(prev, start, days),
            "the hold count of {prev} is current"
        );
        if breakers > 0 { None } else { Some(held) }
    }

    /// How many confirmed violations of `prev` break a hold of `days` from `start`: judged on
    /// what was known at the instant the phase would start (a violation confirmed later is
    /// still a violation of the earlier phase, but does not un-start this one).
    fn breakers(&self, prev: &TermId, start: Timestamp, days: u32) -> usize {
        self.hold_period(prev, start, days)
            .filter(|a| breaks(a, self.counts_target(a), start, days))
            .count()
    }

    /// The confirmed allegations of `prev` whose earliest occurrence lies in the hold period
    /// of `days` from `start`.
    fn hold_period(
        &self,
        prev: &TermId,
        start: Timestamp,
        days: u32,
    ) -> impl Iterator<Item = &AllegationRecord> {
        let held = Span::days(u64::from(days)).after(start);
        held.and_then(|held| {
            self.index
                .confirmed
                .get(prev)
                .map(|keys| keys.range((start, Slot::MIN)..(held, Slot::MIN)))
        })
        .into_iter()
        .flatten()
        .filter_map(|(_, slot)| self.facts.allegations.get(*slot))
    }

    /// Cuts a window at the term's termination and at `withdrawals`.
    fn cut(&self, term: &TermRecord, window: Window, parties: &[&PartyId]) -> Window {
        let mut w = window.cut_at(term.terminated.map(|t| t.at));
        for p in parties {
            w = w.cut_at(self.facts.withdrawals.get(*p).map(|s| s.at));
        }
        w
    }

    /// The window in which every bound party is bound: `None` until it can start.
    pub(crate) fn window_of(&self, term: &TermRecord) -> Option<Window> {
        let floor = self.activation_floor(term)?;
        self.window_from(term, floor)
    }

    /// The window in which every bound party is bound, given the term's activation floor.
    pub(crate) fn window_from(
        &self,
        term: &TermRecord,
        floor: Option<Timestamp>,
    ) -> Option<Window> {
        let parties: Vec<&PartyId> = term.term.binds.iter().collect();
        match term.term.clock {
            ObligationClock::Common => {
                let mut start = later_of(floor, term.term.fixed_start());
                for p in &parties {
                    let s = self.binding_start(term, p)?;
                    start = Some(start.map_or(s, |f| f.max(s)));
                }
                let start = start?;
                let end = term.term.end_for(start).map(|e| e.max(start));
                Some(self.cut(term, Window { start, end }, &parties))
            }
            ObligationClock::PerParty => {
                let mut joint: Option<Window> = None;
                for p in &parties {
                    let w = self.party_window_of(term, p, floor)?;
                    joint = Some(match joint {
                        None => w,
                        Some(j) => Window {
                            start: j.start.max(w.start),
                            end: match (j.end, w.end) {
                                (Some(a), Some(b)) => Some(a.min(b)),
                                (a, b) => a.or(b),
                            },
                        },
                    });
                }
                joint.map(|j| Window {
                    start: j.start,
                    end: j.end.map(|e| e.max(j.start)),
                })
            }
        }
    }

    pub(crate) fn party_window_of(
        &self,
        term: &TermRecord,
        party: &PartyId,
        floor: Option<Timestamp>,
    ) -> Option<Window> {
        let own = self.binding_start(term, party)?;
        let floor = later_of(floor, term.term.fixed_start());
        let start = floor.map_or(own, |f| f.max(own));
        let end = term.term.end_for(start).map(|e| e.max(start));
        Some(self.cut(term, Window { start, end }, &[party]))
    }

    /// The window in which `party` is bound by `term`, as the log knows it now: for a common
    /// clock the term's window, for a per-party clock the party's own. `None` while the party
    /// is not bound (or is not bound by the term at all).
    #[must_use]
    pub fn obligation_window(&self, term: &TermId, party: &PartyId) -> Option<Window> {
        let record = self.facts.terms.get(term)?;
        if !record.term.binds(party) {
            return None;
        }
        match record.term.clock {
            ObligationClock::Common => self.window_of(record),
            ObligationClock::PerParty => {
                let floor = self.activation_floor(record)?;
                self.party_window_of(record, party, floor)
            }
        }
    }

    /// The window in which the term binds every party it binds. `None` until it can start.
    #[must_use]
    pub fn term_window(&self, term: &TermId) -> Option<Window> {
        self.window_of(self.facts.terms.get(term)?)
    }

    /// The instants at which `party` is bound by `term`: its obligation window minus the
    /// term's suspensions.
    #[must_use]
    pub fn coverage(&self, term: &TermId, party: &PartyId) -> Coverage {
        let Some(record) = self.facts.terms.get(term) else {
            return Coverage::empty();
        };
        let Some(window) = self.obligation_window(term, party) else {
            return Coverage::empty();
        };
        let holes: Vec<Window> = record.suspensions.iter().map(|s| s.window()).collect();
        Coverage::from_window(window, &holes)
    }

    /// Whether `party` is bound by `term` at `at`.
    #[must_use]
    pub fn is_bound_at(&self, term: &TermId, party: &PartyId, at: Timestamp) -> bool {
        self.coverage(term, party).contains(at)
    }

    /// Whether an allegation counts against its accused at all: not refuted or retracted, and
    /// certainly inside the accused's coverage.
    pub(crate) fn stands_rec(&self, a: &AllegationRecord) -> bool {
        !a.is_discounted()
            && self.counts_target(a)
            && self
                .cached_coverage(&a.allegation.term, a.accused())
                .is_some_and(|c| c.contains_occurred(&a.occurred))
    }

    /// Whether the allegation's target, as it stands now (see
    /// [`AllegationRecord::counted_target`]), is settled and covered by its term.
    pub(crate) fn counts_target(&self, a: &AllegationRecord) -> bool {
        target_counts(&self.facts.terms, a)
    }
}

/// Whether the allegation's settled target is one its term (among `terms`) covers: the one
/// check behind [`AgreementState::counts_target`], usable while an allegation is borrowed
/// mutably.
pub(crate) fn target_counts(
    terms: &std::collections::BTreeMap<crate::id::TermId, TermRecord>,
    a: &AllegationRecord,
) -> bool {
    a.counted_target().is_some_and(|t| {
        terms
            .get(&a.allegation.term)
            .is_some_and(|rec| rec.term.kind.covers(t))
    })
}

/// The later of two optional floors.
fn later_of(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Whether allegation `a`, counted as confirmed when `confirmed` is true, breaks a hold of
/// `days` from `start`: it certainly occurred in the held days and was confirmed by their end.
pub(crate) fn breaks(a: &AllegationRecord, confirmed: bool, start: Timestamp, days: u32) -> bool {
    breaks_at(&a.occurred, confirmed, a.confirmed_at, start, days)
}

/// [`breaks`], from the parts of the allegation it reads: when it happened, whether it stands
/// confirmed and counted, and when it was confirmed.
pub(crate) fn breaks_at(
    occurred: &Occurred,
    confirmed: bool,
    confirmed_at: Option<Timestamp>,
    start: Timestamp,
    days: u32,
) -> bool {
    let Some(held) = Span::days(u64::from(days)).after(start) else {
        return false;
    };
    let span = Window {
        start,
        end: Some(held),
    };
    confirmed && span.contains_occurred(occurred) && confirmed_at.is_some_and(|c| c <= held)
}

fn overlaps(a: &Window, b: &Window) -> bool {
    a.end.is_none_or(|e| b.start < e) && b.end.is_none_or(|e| a.start < e)
}
