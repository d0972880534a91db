//! Laws about replay itself: determinism, incremental apply, snapshots, idempotent appends,
//! and never panicking.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::event::{Event, Record};
use crate::id::{PartyId, TermId};
use crate::log::{EventLog, ExpectedVersion, Store};
use crate::replay::Replayer;
use crate::sanction::RuleSet;
use crate::state::AgreementState;
use crate::testing::laws::{
    Law, LawViolation, Outcome, difference, fresh, json, positions, replay_all,
};
use crate::time::Timestamp;

/// Two replays of the same records with the same rules give the same outcome for every record
/// and the same state, serialized byte for byte (decisions, their numbers and endings, rule
/// faults, everything).
///
/// # Errors
/// A [`LawViolation`] naming the first record at or after which the two replays differ.
pub fn replay_is_deterministic(records: &[Record], rules: &RuleSet) -> Outcome {
    const LAW: Law = Law::ReplayIsDeterministic;
    let n = records.len();
    let mut x = fresh(LAW, rules, n)?;
    let mut y = fresh(LAW, rules, n)?;
    for r in records {
        let a = x.apply(r);
        let b = y.apply(r);
        if a != b {
            return Err(LawViolation::new(
                LAW,
                format!(
                    "two replays differ at {}: one gave {a:?}, the other {b:?}",
                    r.seq
                ),
                vec![r.clone()],
                n,
            ));
        }
        if let Err(e) = a {
            return Err(LawViolation::new(
                LAW,
                format!(
                    "the log itself is refused at {}: {e} (laws need a valid log)",
                    r.seq
                ),
                vec![r.clone()],
                n,
            ));
        }
    }
    if json(&x) == json(&y) {
        return Ok(());
    }
    // Same outcomes, different states: find where they part.
    let mut x = fresh(LAW, rules, n)?;
    let mut y = fresh(LAW, rules, n)?;
    for r in records {
        let _ = x.apply(r);
        let _ = y.apply(r);
        if json(&x) != json(&y) {
            return Err(LawViolation::new(
                LAW,
                format!("two replays differ after {}; {}", r.seq, difference(&x, &y)),
                vec![r.clone()],
                n,
            ));
        }
    }
    Err(LawViolation::new(
        LAW,
        format!("two replays differ; {}", difference(&x, &y)),
        Vec::new(),
        n,
    ))
}

/// Appending the events one at a time to an [`EventLog`] running `rules` (validation, then
/// apply) is accepted at every step, numbers them as the log does, and ends in the state that
/// a full replay of the records gives.
///
/// # Errors
/// A [`LawViolation`] naming the refused append, or the first record after which the two
/// states differ.
pub fn incremental_apply_equals_replay(records: &[Record], rules: &RuleSet) -> Outcome {
    const LAW: Law = Law::IncrementalApplyEqualsReplay;
    let n = records.len();
    let log = EventLog::with_rules(rules.clone())
        .map_err(|e| LawViolation::new(LAW, format!("the rules cannot run: {e}"), Vec::new(), n))?;
    for (i, r) in records.iter().enumerate() {
        match log.append(ExpectedVersion::Exactly(i as u64), r.event.clone()) {
            Ok(seq) if seq == r.seq => {}
            Ok(seq) => {
                return Err(LawViolation::new(
                    LAW,
                    format!("append numbered the event {seq}, the log says {}", r.seq),
                    vec![r.clone()],
                    n,
                ));
            }
            Err(e) => {
                return Err(LawViolation::new(
                    LAW,
                    format!("append refused the event: {e}"),
                    vec![r.clone()],
                    n,
                ));
            }
        }
    }
    let incremental = log
        .state()
        .map_err(|e| LawViolation::new(LAW, format!("the log failed: {e}"), Vec::new(), n))?;
    let refused =
        |e: String| LawViolation::new(LAW, format!("replay refused the log: {e}"), Vec::new(), n);
    let full = Replayer::new()
        .rules(rules.clone())
        .map_err(|e| refused(e.to_string()))?
        .strict(records)
        .map_err(|e| refused(e.to_string()))?;
    if json(&incremental) == json(&full) {
        return Ok(());
    }
    // Find the first prefix where they part.
    let mut state = fresh(LAW, rules, n)?;
    for (k, r) in records.iter().enumerate() {
        let _ = state.apply(r);
        let replayed = replay_all(LAW, &records[..=k], rules)?;
        if json(&state) != json(&replayed) {
            return Err(LawViolation::new(
                LAW,
                format!(
                    "after {} the incremental state and the replay differ; {}",
                    r.seq,
                    difference(&state, &replayed)
                ),
                vec![r.clone()],
                n,
            ));
        }
    }
    Err(LawViolation::new(
        LAW,
        format!(
            "the appended log's state and the replay differ; {}",
            difference(&incremental, &full)
        ),
        Vec::new(),
        n,
    ))
}

/// A snapshot of the state (serialized to JSON and read back, rules attached again) taken
/// after any prefix of the log, with the remaining records applied to it, gives the state a
/// full replay gives. Up to 12 cut points are tried, spread over the log (all of them for
/// short logs), including before the genesis and after the last record.
///
/// # Errors
/// A [`LawViolation`] naming the cut point and the first record after it where the resumed
/// state parts from the original.
pub fn snapshot_resumes_like_replay(records: &[Record], rules: &RuleSet) -> Outcome {
    const LAW: Law = Law::SnapshotResumesLikeReplay;
    let n = records.len();
    let full = replay_all(LAW, records, rules)?;
    let full_json = json(&full);
    let mut cuts = vec![0];
    cuts.extend(positions(n, 11));
    let mut state = fresh(LAW, rules, n)?;
    let mut applied = 0;
    for cut in cuts {
        while applied < cut {
            let _ = state.apply(&records[applied]);
            applied += 1;
        }
        let snapshot = json(&state);
        let restored = serde_json::from_str::<AgreementState>(&snapshot)
            .map_err(|e| e.to_string())
            .and_then(|s| s.with_rules(rules.clone()).map_err(|e| e.to_string()));
        let mut resumed = match restored {
            Ok(s) => s,
            Err(e) => {
                return Err(LawViolation::new(
                    LAW,
                    format!("the snapshot taken after {cut} records cannot be read back: {e}"),
                    records[cut.saturating_sub(1)..cut].to_vec(),
                    n,
                ));
            }
        };
        if resumed != state {
            return Err(LawViolation::new(
                LAW,
                format!(
                    "the snapshot taken after {cut} records does not read back as the state it was \
                     taken from; {}",
                    difference(&resumed, &state)
                ),
                records[cut.saturating_sub(1)..cut].to_vec(),
                n,
            ));
        }
        let mut original = state.clone();
        for r in &records[cut..] {
            let a = resumed.apply(r);
            let b = original.apply(r);
            if a != b {
                return Err(LawViolation::new(
                    LAW,
                    format!(
                        "resuming from the snapshot taken after {cut} records parts from the \
                         original at {}: the snapshot gave {a:?}, the original {b:?}",
                        r.seq
                    ),
                    vec![r.clone()],
                    n,
                ));
            }
        }
        if json(&resumed) != full_json {
            let mut x = serde_json::from_str::<AgreementState>(&snapshot)
                .ok()
                .and_then(|s| s.with_rules(rules.clone()).ok())
                .unwrap_or_default();
            let mut y = state.clone();
            let mut culprit = Vec::new();
            for r in &records[cut..] {
                let _ = x.apply(r);
                let _ = y.apply(r);
                if json(&x) != json(&y) {
                    culprit.push(r.clone());
                    break;
                }
            }
            return Err(LawViolation::new(
                LAW,
                format!(
                    "resuming from the snapshot taken after {cut} records does not end where the \
                     full replay does{}; {}",
                    culprit
                        .first()
                        .map(|r| format!(" (they part at {})", r.seq))
                        .unwrap_or_default(),
                    difference(&resumed, &full)
                ),
                culprit,
                n,
            ));
        }
    }
    Ok(())
}

/// Appending an event that is already in an [`EventLog`] returns its sequence number (even
/// with a stale expected version) and changes nothing: head, records and state stay as they
/// were; so does re-appending the whole log as one batch.
///
/// # Errors
/// A [`LawViolation`] naming the event whose re-append did otherwise.
pub fn reappend_is_idempotent(records: &[Record], rules: &RuleSet) -> Outcome {
    const LAW: Law = Law::ReappendIsIdempotent;
    let n = records.len();
    let fail = |problem: String, events: Vec<Record>| LawViolation::new(LAW, problem, events, n);
    let log = EventLog::with_rules(rules.clone())
        .map_err(|e| fail(format!("the rules cannot run: {e}"), Vec::new()))?;
    for r in records {
        log.append(ExpectedVersion::Any, r.event.clone())
            .map_err(|e| fail(format!("append refused the event: {e}"), vec![r.clone()]))?;
    }
    let observe = |log: &EventLog| {
        let head = log.head().ok();
        let records = log.records().ok();
        let state = log.state().ok().map(|s| json(&s));
        (head, records, state)
    };
    let before = observe(&log);
    for r in records {
        for expected in [ExpectedVersion::Any, ExpectedVersion::Exactly(0)] {
            match log.append(expected, r.event.clone()) {
                Ok(seq) if seq == r.seq => {}
                other => {
                    return Err(fail(
                        format!(
                            "re-appending the event with {expected:?} gave {other:?}, not {}",
                            r.seq
                        ),
                        vec![r.clone()],
                    ));
                }
            }
            if observe(&log) != before {
                return Err(fail(
                    format!("re-appending the event with {expected:?} changed the log"),
                    vec![r.clone()],
                ));
            }
        }
    }
    if let Some(last) = records.last() {
        let events: Vec<Event> = records.iter().map(|r| r.event.clone()).collect();
        match log.append_batch(ExpectedVersion::Exactly(0), events) {
            Ok(seq) if seq == last.seq => {}
            other => {
                return Err(fail(
                    format!(
                        "re-appending the whole log as a batch gave {other:?}, not {}",
                        last.seq
                    ),
                    Vec::new(),
                ));
            }
        }
        if observe(&log) != before {
            return Err(fail(
                "re-appending the whole log as a batch changed it".into(),
                Vec::new(),
            ));
        }
    }
    Ok(())
}

/// Nothing panics on any records, however broken: strict and lenient replay with `rules`,
/// replay as of the middle of the log, appending every event to an [`EventLog`], reading a
/// snapshot back, and the state's queries (term status, coverage, tallies, decisions,
/// sanctions in force, escalation levels, relief) at every recorded time. Use it with
/// [`crate::testing::hostile_log`].
///
/// # Errors
/// A [`LawViolation`] with the panic message.
pub fn replay_never_panics(records: &[Record], rules: &RuleSet) -> Outcome {
    const LAW: Law = Law::ReplayNeverPanics;
    let n = records.len();
    let run = || {
        let strict = Replayer::new()
            .rules(rules.clone())
            .map(|r| r.strict(records));
        let lenient = Replayer::new()
            .rules(rules.clone())
            .map(|r| r.lenient(records).state)
            .unwrap_or_default();
        if let Some(middle) = records.get(n / 2) {
            let _ = Replayer::new()
                .rules(rules.clone())
                .map(|r| r.as_of(middle.event.recorded_at).lenient(records));
        }
        if let Ok(log) = EventLog::with_rules(rules.clone()) {
            for r in records {
                let _ = log.append(ExpectedVersion::Any, r.event.clone());
            }
            let _ = log.state();
        }
        let mut states = vec![lenient];
        if let Ok(Ok(s)) = strict {
            states.push(s);
        }
        for state in &states {
            let snapshot = json(state);
            let _ = serde_json::from_str::<AgreementState>(&snapshot);
            query_everything(state, records);
        }
    };
    match catch_unwind(AssertUnwindSafe(run)) {
        Ok(()) => Ok(()),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(ToString::to_string)
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            Err(LawViolation::new(
                LAW,
                format!("something panicked: {message}"),
                records.to_vec(),
                n,
            ))
        }
    }
}

fn query_everything(state: &AgreementState, records: &[Record]) {
    let parties: Vec<PartyId> = state
        .agreement()
        .map(|a| a.parties.iter().map(|p| p.id.clone()).collect())
        .unwrap_or_default();
    let terms: Vec<TermId> = state.terms().map(|(t, _)| t.clone()).collect();
    let mut times: Vec<Timestamp> = records.iter().map(|r| r.event.recorded_at).collect();
    times.sort_unstable();
    times.dedup();
    let _ = state.tallies();
    for t in times.iter().step_by((times.len() / 8).max(1)) {
        let _ = state.sanctions_in_force(*t);
        let _ = state.notices_pending(*t);
        for term in &terms {
            let _ = state.term_status(term, *t);
            let _ = state.term_window(term);
            for p in &parties {
                let _ = state.is_bound_at(term, p, *t);
            }
        }
        for p in &parties {
            let _ = state.escalation_level(p, *t);
        }
        for d in state.decisions() {
            let _ = state.decision_stage(d.id, *t);
        }
    }
    for p in &parties {
        let _ = state.relief_due(p);
        let _ = state.compliance_clock(p);
    }
}
