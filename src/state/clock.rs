//! Term clocks: when each party's obligations run, when a term is in force, and whether an
//! allegation falls inside the accused's obligations. Every answer is a pure function of the
//! facts and, where asked, an explicit instant.

use crate::agreement::{AcceptanceLevel, Activation, ObligationClock};
use crate::allegation::AllegationRecord;
use crate::id::{PartyId, Seq, TermId};
use crate::state::{AgreementState, TermRecord, TermStatus};
use crate::time::{Coverage, Span, Timestamp, Window};

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

    /// The earliest instant the term's own activation and conditions allow: `Some(None)` when
    /// nothing holds it back, `None` while it cannot start (condition unmet, phase not held).
    fn activation_floor(&self, term: &TermRecord) -> Option<Option<Timestamp>> {
        let mut floor: Option<Timestamp> = None;
        for c in &term.term.conditions {
            let met = self.facts.conditions.get(&c.id)?.met?;
            floor = Some(floor.map_or(met.at, |f| f.max(met.at)));
        }
        let base = match &term.term.activation {
            Activation::OnAcceptance => None,
            Activation::At(at) => Some(*at),
            Activation::AfterHeld { term: prev, days } => Some(self.phase_start(prev, *days)?),
        };
        Some(match (floor, base) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        })
    }

    /// When a term waiting on `prev` starts: `prev`'s start plus `days`, provided `prev` was in
    /// force and unsuspended for all of those days, and no violation in them had been
    /// confirmed by that instant; else never.
    fn phase_start(&self, prev: &TermId, days: u32) -> Option<Timestamp> {
        let window = self.term_window(prev)?;
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
        // Judged on what was known at the instant the phase would start: a violation confirmed
        // later is still a violation of the earlier phase, but does not un-start this one.
        let broken = self.index.confirmed.get(prev).is_some_and(|keys| {
            keys.range((start, Seq(0))..(held, Seq(0)))
                .filter_map(|(_, seq)| self.facts.allegations.get(seq))
                .any(|a| {
                    span.contains_occurred(&a.occurred) && a.confirmed_at.is_some_and(|c| c <= held)
                })
        });
        if broken { None } else { Some(held) }
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
        let parties: Vec<&PartyId> = term.term.binds.iter().collect();
        match term.term.clock {
            ObligationClock::Common => {
                let mut start = floor;
                for p in &parties {
                    let s = self.binding_start(term, p)?;
                    start = Some(start.map_or(s, |f| f.max(s)));
                }
                let start = start?;
                let end = term.term.duration.and_then(|d| d.after(start));
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

    fn party_window_of(
        &self,
        term: &TermRecord,
        party: &PartyId,
        floor: Option<Timestamp>,
    ) -> Option<Window> {
        let own = self.binding_start(term, party)?;
        let start = floor.map_or(own, |f| f.max(own));
        let end = term.term.duration.and_then(|d| d.after(start));
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
            && self
                .cached_coverage(&a.allegation.term, a.accused())
                .is_some_and(|c| c.contains_occurred(&a.occurred))
    }

    /// The term's status at `at`, as the log knows it now. `None` for an unknown term.
    #[must_use]
    pub fn term_status(&self, term: &TermId, at: Timestamp) -> Option<TermStatus> {
        let record = self.facts.terms.get(term)?;
        if record.terminated.is_some_and(|t| t.at <= at)
            || record
                .term
                .binds
                .iter()
                .any(|p| self.facts.withdrawals.get(p).is_some_and(|w| w.at <= at))
        {
            return Some(TermStatus::Terminated);
        }
        if let Some(w) = self.window_of(record) {
            if w.contains(at) {
                return Some(if record.suspended_at(at) {
                    TermStatus::Suspended
                } else {
                    TermStatus::InForce
                });
            }
            if w.end.is_some_and(|e| e <= at) {
                return Some(TermStatus::Expired);
            }
        }
        let accepted: Vec<_> = record
            .acceptances
            .values()
            .filter(|a| a.accepted_at <= at)
            .collect();
        let committed = accepted.iter().filter(|a| a.level.rank() >= 1).count();
        Some(if committed == record.term.binds.len() {
            TermStatus::Pending
        } else if committed > 0 {
            TermStatus::PartlyAccepted
        } else if accepted.is_empty() {
            TermStatus::Proposed
        } else {
            TermStatus::AcceptedInPrinciple
        })
    }
}

fn overlaps(a: &Window, b: &Window) -> bool {
    a.end.is_none_or(|e| b.start < e) && b.end.is_none_or(|e| a.start < e)
}
