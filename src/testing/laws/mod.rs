//! Laws every rule set should keep, as one-line checks for `proptest!` bodies.
//!
//! Each law takes the records of a log (a [`crate::testing::Log`] dereferences to them) and the
//! downstream rules to run beside the agreement's policy, replays, and returns
//! `Err(LawViolation)` with a readable account of the counterexample: what went wrong and the
//! events involved. [`LawViolation`] is a `std::error::Error`, so `?` works inside `proptest!`
//! (proptest turns it into a test failure and shrinks the log).
//!
//! | law | what it checks |
//! |---|---|
//! | [`replay_is_deterministic`] | two replays give the same state, byte for byte |
//! | [`incremental_apply_equals_replay`] | appending one event at a time to an [`EventLog`](crate::EventLog) gives the state a full replay gives |
//! | [`snapshot_resumes_like_replay`] | a serialized state plus the remaining events gives the full replay's state |
//! | [`sanctions_need_confirmed_violations`] | every decision cites only violations by its party confirmed by a monitor at that moment |
//! | [`discounted_allegations_change_nothing`] | adding an allegation that is at once refuted (or retracted) leaves the standing decisions as they were |
//! | [`confirmations_never_lower_escalation`] | adding a confirmed violation never lowers its party's escalation level |
//! | [`reappend_is_idempotent`] | appending an event already in the log returns its number and changes nothing |
//! | [`refused_batch_changes_nothing`] | a batch refused by its last event leaves the log, its state and its lookups as they were |
//! | [`replay_never_panics`] | strict and lenient replay, and the queries, never panic (for hostile logs) |
//!
//! [`all`] runs all but the last.
//!
//! ```
//! use ceasefire::sanction::RuleSet;
//! use ceasefire::testing::{Config, fixtures, laws, valid_log};
//! use proptest::prelude::*;
//!
//! let rules = RuleSet::new();
//! proptest!(ProptestConfig::with_cases(4), |(log in valid_log(&fixtures::energy_truce(), &rules, Config::default()))| {
//!     laws::all(&log, &rules)?;
//! });
//! ```

use std::fmt;

use crate::event::Record;
use crate::id::EventId;
use crate::sanction::{Decision, RuleSet};
use crate::state::AgreementState;
use crate::testing::log::{tag, timeline};

mod batch;
mod probe;
mod replay;
mod sanctions;

pub use batch::refused_batch_changes_nothing;
pub use replay::{
    incremental_apply_equals_replay, reappend_is_idempotent, replay_is_deterministic,
    replay_never_panics, snapshot_resumes_like_replay,
};
pub use sanctions::{
    confirmations_never_lower_escalation, discounted_allegations_change_nothing,
    sanctions_need_confirmed_violations,
};

/// The laws, by name.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[non_exhaustive]
pub enum Law {
    /// See [`replay_is_deterministic`].
    ReplayIsDeterministic,
    /// See [`incremental_apply_equals_replay`].
    IncrementalApplyEqualsReplay,
    /// See [`snapshot_resumes_like_replay`].
    SnapshotResumesLikeReplay,
    /// See [`sanctions_need_confirmed_violations`].
    SanctionsNeedConfirmedViolations,
    /// See [`discounted_allegations_change_nothing`].
    DiscountedAllegationsChangeNothing,
    /// See [`confirmations_never_lower_escalation`].
    ConfirmationsNeverLowerEscalation,
    /// See [`reappend_is_idempotent`].
    ReappendIsIdempotent,
    /// See [`replay_never_panics`].
    ReplayNeverPanics,
    /// See [`refused_batch_changes_nothing`].
    RefusedBatchChangesNothing,
}

impl fmt::Display for Law {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Law::ReplayIsDeterministic => "replay is deterministic",
            Law::IncrementalApplyEqualsReplay => "incremental apply equals full replay",
            Law::SnapshotResumesLikeReplay => {
                "a snapshot plus the remaining events equals a full replay"
            }
            Law::SanctionsNeedConfirmedViolations => {
                "a rule never sanctions a party without a confirmed violation by that party"
            }
            Law::DiscountedAllegationsChangeNothing => {
                "adding a refuted or retracted allegation never changes sanctions"
            }
            Law::ConfirmationsNeverLowerEscalation => {
                "more confirmed violations never lower a party's escalation level"
            }
            Law::ReappendIsIdempotent => "re-appending an identical event is idempotent",
            Law::ReplayNeverPanics => "replay never panics",
            Law::RefusedBatchChangesNothing => "a refused batch changes nothing",
        })
    }
}

/// A broken law: which, what went wrong, and the events involved. Its `Debug` is its
/// `Display`, so that `expect` and `unwrap` print the account.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct LawViolation {
    /// The law.
    pub law: Law,
    /// What went wrong, in a sentence or two.
    pub problem: String,
    /// The events involved, in the order they are (or would be) in the log: the records of the
    /// log that matter, and any events the law added to it.
    pub events: Vec<Record>,
    /// How many records the log holds.
    pub log_len: usize,
}

impl LawViolation {
    pub(crate) fn new(
        law: Law,
        problem: impl Into<String>,
        events: Vec<Record>,
        log_len: usize,
    ) -> Self {
        LawViolation {
            law,
            problem: problem.into(),
            events,
            log_len,
        }
    }
}

impl fmt::Display for LawViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "law broken: {}", self.law)?;
        writeln!(f, "{}", self.problem)?;
        if !self.events.is_empty() {
            writeln!(f, "events involved:")?;
            f.write_str(&timeline(&self.events))?;
        }
        write!(f, "(the log holds {} records)", self.log_len)
    }
}

impl fmt::Debug for LawViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for LawViolation {}

pub(crate) type Outcome = Result<(), LawViolation>;

/// Runs every law for valid logs: determinism, incremental apply, snapshots, confirmed
/// violations, discounted allegations, escalation and idempotent appends.
///
/// # Errors
/// The first [`LawViolation`] found.
pub fn all(records: &[Record], rules: &RuleSet) -> Outcome {
    replay_is_deterministic(records, rules)?;
    incremental_apply_equals_replay(records, rules)?;
    snapshot_resumes_like_replay(records, rules)?;
    sanctions_need_confirmed_violations(records, rules)?;
    discounted_allegations_change_nothing(records, rules)?;
    confirmations_never_lower_escalation(records, rules)?;
    reappend_is_idempotent(records, rules)?;
    refused_batch_changes_nothing(records, rules)
}

pub(crate) fn fresh(law: Law, rules: &RuleSet, n: usize) -> Result<AgreementState, LawViolation> {
    AgreementState::new()
        .with_rules(rules.clone())
        .map_err(|e| LawViolation::new(law, format!("the rules cannot run: {e}"), Vec::new(), n))
}

pub(crate) fn replay_all(
    law: Law,
    records: &[Record],
    rules: &RuleSet,
) -> Result<AgreementState, LawViolation> {
    let n = records.len();
    let mut state = fresh(law, rules, n)?;
    for r in records {
        if let Err(e) = state.apply(r) {
            return Err(LawViolation::new(
                law,
                format!(
                    "the log itself is refused at {}: {e} (laws need a valid log)",
                    r.seq
                ),
                vec![r.clone()],
                n,
            ));
        }
    }
    Ok(state)
}

pub(crate) fn json(state: &AgreementState) -> String {
    serde_json::to_string(state).unwrap_or_else(|e| format!("<unserializable: {e}>"))
}

/// The top-level parts of two states' snapshots that differ, for explanations.
pub(crate) fn difference(a: &AgreementState, b: &AgreementState) -> String {
    let (Ok(va), Ok(vb)) = (serde_json::to_value(a), serde_json::to_value(b)) else {
        return "the states differ".into();
    };
    let (Some(oa), Some(ob)) = (va.as_object(), vb.as_object()) else {
        return "the states differ".into();
    };
    let keys: Vec<&String> = oa
        .keys()
        .chain(ob.keys())
        .filter(|k| oa.get(*k) != ob.get(*k))
        .collect();
    let mut keys: Vec<&str> = keys.into_iter().map(String::as_str).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut out = format!("they differ in: {}", keys.join(", "));
    if keys.contains(&"decisions") {
        out.push_str(&format!(
            "\n  decisions one way: {}\n  decisions the other: {}",
            summary(a.decisions()),
            summary(b.decisions())
        ));
    }
    out
}

pub(crate) fn summary(decisions: &[Decision]) -> String {
    if decisions.is_empty() {
        return "none".into();
    }
    decisions
        .iter()
        .map(|d| {
            let cited: Vec<String> = d.violations.iter().map(tag).collect();
            let ended = d
                .ending
                .map(|e| format!(", {} {}", e.reason, e.at.format("%Y-%m-%d %H:%M")))
                .unwrap_or_default();
            let effective = match d.effective_at {
                Some(t) if t != d.decided_at => {
                    format!(", effective {}", t.format("%Y-%m-%d %H:%M"))
                }
                Some(_) => String::new(),
                None => ", never effective".into(),
            };
            format!(
                "{} {} against {} at {} citing [{}], decided {}{effective}{ended}",
                d.id,
                d.rule,
                d.party,
                d.level,
                cited.join(", "),
                d.decided_at.format("%Y-%m-%d %H:%M")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub(crate) fn by_id<'a>(records: &'a [Record], id: &EventId) -> Option<&'a Record> {
    records.iter().find(|r| &r.event.id == id)
}

/// Every event about an allegation: itself, and the denial, findings, corroborations and
/// retraction that name it.
pub(crate) fn about(records: &[Record], allegation: &EventId) -> Vec<Record> {
    records
        .iter()
        .filter(|r| {
            &r.event.id == allegation || r.event.payload.allegation_ref() == Some(*allegation)
        })
        .cloned()
        .collect()
}

/// Evenly spread positions in `1..=n` (all of them when there are few).
pub(crate) fn positions(n: usize, max: usize) -> Vec<usize> {
    if n == 0 || max == 0 {
        return Vec::new();
    }
    if n <= max {
        return (1..=n).collect();
    }
    let mut out: Vec<usize> = (0..max)
        .map(|i| 1 + i * (n - 1) / (max - 1).max(1))
        .collect();
    out.dedup();
    out
}
