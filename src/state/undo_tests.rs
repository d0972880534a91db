//! Rolling back a transaction leaves the state exactly as it was: the same facts, the same
//! lookups, and the same answers to every event that follows.

use crate::event::Record;
use crate::state::AgreementState;
use crate::workload::Workload;

fn replayed(records: &[Record]) -> AgreementState {
    let mut state = AgreementState::new();
    for r in records {
        state.apply(r).expect("a workload record applies");
    }
    state
}

/// Applies `records[at..at + len]` in a transaction, rolls it back, and checks the state
/// against the one that never saw them, then feeds both the rest of the log.
fn check_rollback(records: &[Record], at: usize, len: usize) {
    let untouched = replayed(&records[..at]);
    let mut state = untouched.clone();
    state.begin();
    for r in &records[at..(at + len).min(records.len())] {
        state.apply(r).expect("a workload record applies");
    }
    state.rollback();
    assert_eq!(state, untouched, "facts after rolling back {len} at {at}");
    assert_eq!(
        state.lookups(),
        untouched.lookups(),
        "lookups after rolling back {len} at {at}"
    );
    let mut fresh = untouched;
    for r in &records[at..] {
        assert_eq!(
            state.apply(r),
            fresh.apply(r),
            "record {} after rollback",
            r.seq
        );
    }
    assert_eq!(state, fresh);
    assert_eq!(state.lookups(), fresh.lookups());
}

#[test]
fn rolling_back_any_window_of_a_workload_restores_the_state() {
    for seed in 1..=4 {
        let records = Workload::new(seed).generate(1_500).expect("workload");
        for (at, len) in [
            (0, 40),
            (1, 1),
            (1, 600),
            (300, 1),
            (300, 250),
            (900, 400),
            (1_400, 100),
        ] {
            check_rollback(&records, at, len);
        }
    }
}

#[test]
fn a_busy_pace_rolls_back_decisions_relief_and_phases() {
    // A fast pace fires decisions and relief within a few hundred events.
    let records = Workload::new(7)
        .pace(400)
        .generate(2_000)
        .expect("workload");
    let decided = replayed(&records).decisions().len();
    assert!(decided > 0, "the workload fires decisions");
    for at in (0..2_000).step_by(173) {
        check_rollback(&records, at, 200);
    }
}

#[test]
fn committing_keeps_the_changes_and_closes_the_transaction() {
    let records = Workload::new(3).generate(500).expect("workload");
    let mut state = replayed(&records[..200]);
    state.begin();
    for r in &records[200..300] {
        state.apply(r).expect("applies");
    }
    state.commit_changes();
    state.rollback(); // nothing open: a no-op
    let full = replayed(&records[..300]);
    assert_eq!(state, full);
    assert_eq!(state.lookups(), full.lookups());
}
