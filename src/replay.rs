//! Replay: the fold of [`AgreementState::apply`] over a log.
//!
//! Replay is pure and total. It reads no clock, file or random source; the same records and
//! rules always give the same state and the same serialized JSON. Any sequence of records,
//! however broken, gives a state or a typed error naming the offending record; it never
//! panics. Strict replay stops at the first record the rules refuse; lenient replay skips it
//! and lists it with the reason.

pub(crate) mod preverify;

use std::borrow::Borrow;

use serde::{Deserialize, Serialize};

use crate::event::Record;
use crate::id::Seq;
use crate::sanction::{ConfigError, RuleSet};
use crate::state::{AgreementState, Refused, Rejection, SeqCheck};
use crate::time::Timestamp;

/// Why strict replay stopped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// A record breaks a rule.
    #[error("{0}")]
    Rejected(Refused),
}

/// Numbers missing from a log: lenient replay carries on after them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// The number that was expected.
    pub expected: Seq,
    /// The number found instead.
    pub found: Seq,
}

/// What lenient replay gives: the state of the records it accepted, and what it skipped.
#[derive(Debug, Clone)]
pub struct LenientReplay {
    /// The state.
    pub state: AgreementState,
    /// Skipped records, in log order.
    pub rejected: Vec<Refused>,
    /// Missing sequence numbers.
    pub gaps: Vec<Gap>,
}

/// Replay with options: downstream rules, a knowledge time, a snapshot to start from.
#[derive(Debug, Clone, Default)]
pub struct Replayer {
    start: AgreementState,
    rules: Option<RuleSet>,
    as_of: Option<Timestamp>,
}

impl Replayer {
    /// Replay from the empty state with the policy's rules only.
    #[must_use]
    pub fn new() -> Replayer {
        Replayer::default()
    }

    /// Also run these downstream rules, whether given before or after
    /// [`Replayer::from_state`]: they are never dropped.
    ///
    /// # Errors
    /// [`ConfigError::RuleIdCollision`] if two rules share an id (collisions with the
    /// policy's rules are reported when the genesis is applied);
    /// [`ConfigError::SnapshotRulesDiffer`] if the starting state is a snapshot computed with
    /// other rules.
    pub fn rules(mut self, rules: RuleSet) -> Result<Replayer, ConfigError> {
        self.start = self.start.with_rules(rules.clone())?;
        self.rules = Some(rules);
        Ok(self)
    }

    /// Continue from a state (a snapshot). Rules given with [`Replayer::rules`] are attached
    /// to it; without them, it keeps the rules it has.
    ///
    /// # Errors
    /// As [`AgreementState::with_rules`] when rules were given: a snapshot computed with
    /// other rules is refused.
    pub fn from_state(mut self, state: AgreementState) -> Result<Replayer, ConfigError> {
        self.start = match &self.rules {
            Some(rules) => state.with_rules(rules.clone())?,
            None => state,
        };
        Ok(self)
    }

    /// Use only records recorded at or before `known_at`: the state a monitor had then.
    #[must_use]
    pub fn as_of(mut self, known_at: Timestamp) -> Replayer {
        self.as_of = Some(known_at);
        self
    }

    /// Strict replay.
    ///
    /// # Errors
    /// [`ReplayError::Rejected`] for the first record the rules refuse.
    pub fn strict<I>(self, records: I) -> Result<AgreementState, ReplayError>
    where
        I: IntoIterator,
        I::Item: Borrow<Record>,
    {
        let mut state = self.start;
        let records = records.into_iter();
        state.reserve_ids(records.size_hint().0);
        let mut refused = None;
        let as_of = self.as_of;
        let ahead = preverify::Ahead::new(&state);
        verified_ahead(ahead, records, |r, hint| {
            if as_of.is_some_and(|t| r.event.recorded_at > t) {
                return false;
            }
            state.set_hint(hint);
            let applied = state.apply_with(r, SeqCheck::Next);
            state.set_hint(None);
            match applied {
                Ok(_) => true,
                Err(reason) => {
                    refused = Some(Refused {
                        seq: r.seq,
                        id: r.event.id,
                        reason,
                    });
                    false
                }
            }
        });
        match refused {
            Some(r) => Err(ReplayError::Rejected(r)),
            None => Ok(state),
        }
    }

    /// Lenient replay: skips what the rules refuse, notes gaps, never fails.
    pub fn lenient<I>(self, records: I) -> LenientReplay
    where
        I: IntoIterator,
        I::Item: Borrow<Record>,
    {
        let mut state = self.start;
        let mut rejected = Vec::new();
        let mut gaps = Vec::new();
        let mut prev = state.last_seq();
        let as_of = self.as_of;
        let ahead = preverify::Ahead::new(&state);
        verified_ahead(ahead, records, |r, hint| {
            if as_of.is_some_and(|t| r.event.recorded_at > t) {
                return true;
            }
            state.set_hint(hint);
            lenient_one(&mut state, r, &mut prev, &mut rejected, &mut gaps);
            state.set_hint(None);
            true
        });
        LenientReplay {
            state,
            rejected,
            gaps,
        }
    }
}

/// Reads `records` in windows of [`preverify::WINDOW`], verifies each window's signatures
/// ahead (on other threads, while the fold is still on the window before) and calls `each`
/// with every record and its hint, in order, until `each` returns `false`.
fn verified_ahead<I>(
    mut ahead: preverify::Ahead,
    records: I,
    mut each: impl FnMut(&Record, Option<crate::state::Verified>) -> bool,
) where
    I: IntoIterator,
    I::Item: Borrow<Record>,
{
    let mut records = records.into_iter();
    let mut current: Vec<I::Item> = records.by_ref().take(preverify::WINDOW).collect();
    let mut hints = {
        let window: Vec<&Record> = current.iter().map(Borrow::borrow).collect();
        ahead.window(&window)
    };
    while !current.is_empty() {
        let next: Vec<I::Item> = records.by_ref().take(preverify::WINDOW).collect();
        let window: Vec<&Record> = next.iter().map(Borrow::borrow).collect();
        let ahead = &mut ahead;
        let (go_on, next_hints) = std::thread::scope(|scope| {
            let verifying = scope.spawn(move || ahead.window(&window));
            let mut these = hints.into_iter();
            let go_on = current.iter().all(|r| each(r.borrow(), these.next()));
            // A verifying thread that panicked gives no hints: the fold then verifies itself.
            (go_on, verifying.join().unwrap_or_default())
        });
        if !go_on {
            return;
        }
        current = next;
        hints = next_hints;
    }
}

/// One record of lenient replay.
fn lenient_one(
    state: &mut AgreementState,
    r: &Record,
    prev: &mut Option<Seq>,
    rejected: &mut Vec<Refused>,
    gaps: &mut Vec<Gap>,
) {
    let expected = prev.map_or(Some(Seq::FIRST), Seq::next);
    let reject = |reason: Rejection| Refused {
        seq: r.seq,
        id: r.event.id,
        reason,
    };
    match expected {
        Some(expected) if r.seq < expected => {
            rejected.push(reject(Rejection::OutOfSequence {
                expected,
                found: r.seq,
            }));
            return;
        }
        Some(expected) if r.seq > expected => gaps.push(Gap {
            expected,
            found: r.seq,
        }),
        Some(_) => {}
        None => {
            rejected.push(reject(Rejection::OutOfSequence {
                expected: Seq(u64::MAX),
                found: r.seq,
            }));
            return;
        }
    }
    if let Err(reason) = state.apply_with(r, SeqCheck::Increasing) {
        rejected.push(reject(reason));
        state.skip_record(r);
    }
    *prev = Some(r.seq);
}

/// Strict replay with the policy's rules.
///
/// # Errors
/// [`ReplayError::Rejected`] for the first record the rules refuse.
pub fn replay<I>(records: I) -> Result<AgreementState, ReplayError>
where
    I: IntoIterator,
    I::Item: Borrow<Record>,
{
    Replayer::new().strict(records)
}

/// Lenient replay with the policy's rules: skips what the rules refuse and lists it.
pub fn replay_lenient<I>(records: I) -> LenientReplay
where
    I: IntoIterator,
    I::Item: Borrow<Record>,
{
    Replayer::new().lenient(records)
}

/// Strict replay of the records recorded at or before `known_at`: what was known then.
///
/// # Errors
/// [`ReplayError::Rejected`] for the first of those records the rules refuse.
pub fn replay_as_of<I>(records: I, known_at: Timestamp) -> Result<AgreementState, ReplayError>
where
    I: IntoIterator,
    I::Item: Borrow<Record>,
{
    Replayer::new().as_of(known_at).strict(records)
}
