//! How often applying one event allocates, counted by a counting allocator (`dhat` in testing
//! mode, this binary's global allocator): appending an allegation or a finding to a warm state
//! allocates at most a small constant number of times, whatever the log's length.
//!
//! The state is warmed with the profiler stopped (the allocator then only passes through);
//! each event is then applied with the profiler running, alone.
//!
//! The count means something only in a build without debug assertions: a debug build
//! cross-checks every cached coverage and window against a fresh computation after each
//! event, and that check allocates. So a debug `cargo test` prints that it skipped the count;
//! `.ci/run` runs `cargo test --release --all-features --test allocations`.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use ceasefire::event::PayloadKind;
use ceasefire::workload::Workload;
use ceasefire::{AgreementState, Record, replay};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// The most allocations applying one allegation or one finding may make when it decides and
/// ends nothing (the common path), at any log length. Most such events allocate nothing (the
/// medians are 0 to 3, and the test holds them there): an allegation allocates only when one of its index trees (by term and
/// party, by party, each rule's pool) splits a node, a few at once now and then; a finding
/// when the allegation's list of findings grows, and when a confirmation makes a threshold
/// rule gather its window of candidates.
const QUIET: u64 = 8;

/// The most allocations applying one allegation or finding may make when it imposes or ends
/// decisions: bounded by the agreement's rules (the violations a decision cites), not by the
/// log's length.
const DECIDING: u64 = 64;

/// The events after the warm prefix that are applied one by one and counted.
const COUNTED: usize = 300;

/// Per kind, and whether the event decided or ended anything: the allocations of each
/// counted event.
type Counts = BTreeMap<(PayloadKind, bool), Vec<u64>>;

fn count(state: &mut AgreementState, tail: &[Record]) -> Counts {
    let mut counts = Counts::new();
    for record in tail {
        let (blocks, deciding) = {
            let _profiler = dhat::Profiler::builder().testing().build();
            let applied = state.apply(record).unwrap();
            let blocks = dhat::HeapStats::get().total_blocks;
            (
                blocks,
                !(applied.decided.is_empty() && applied.ended.is_empty()),
            )
        };
        counts
            .entry((record.event.payload.kind(), deciding))
            .or_default()
            .push(blocks);
    }
    counts
}

/// The allocations of the counted events of the workload after `warm` events.
fn after(warm: usize) -> Counts {
    let records = Workload::new(7).generate(warm + COUNTED).unwrap();
    let (prefix, tail) = records.split_at(warm);
    let mut state = replay(prefix).unwrap();
    count(&mut state, tail)
}

fn worst(counts: &Counts, kind: PayloadKind, deciding: bool) -> Option<u64> {
    counts.get(&(kind, deciding))?.iter().max().copied()
}

fn median(counts: &Counts, kind: PayloadKind, deciding: bool) -> Option<u64> {
    let mut sorted = counts.get(&(kind, deciding))?.clone();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied()
}

#[test]
fn an_allegation_or_a_finding_allocates_a_bounded_number_of_times_at_any_length() {
    if cfg!(debug_assertions) {
        eprintln!(
            "skipped: a debug build cross-checks its caches after every event, which \
             allocates; run `cargo test --release --all-features --test allocations`"
        );
        return;
    }
    // One test: one profiler at a time per process.
    let short = after(10_000);
    let long = after(100_000);
    for (label, counts) in [("after 10,000", &short), ("after 100,000", &long)] {
        for ((kind, deciding), list) in counts {
            eprintln!(
                "{label}: {kind:?}{}: {} events, median {:?}, max {:?}",
                if *deciding { " deciding" } else { "" },
                list.len(),
                median(counts, *kind, *deciding),
                worst(counts, *kind, *deciding),
            );
        }
    }
    for kind in [
        PayloadKind::ViolationAlleged,
        PayloadKind::VerificationFinding,
    ] {
        for counts in [&short, &long] {
            let quiet = worst(counts, kind, false);
            assert!(quiet.is_some(), "no quiet {kind:?} was counted");
            assert!(
                quiet <= Some(QUIET),
                "{kind:?} deciding nothing: {quiet:?} allocations, bound {QUIET}"
            );
            let typical = median(counts, kind, false);
            assert!(
                typical <= Some(3),
                "{kind:?} deciding nothing: a median of {typical:?} allocations, bound 3"
            );
            let deciding = worst(counts, kind, true);
            assert!(
                deciding <= Some(DECIDING),
                "{kind:?} deciding: {deciding:?} allocations, bound {DECIDING}"
            );
        }
    }
    assert!(
        worst(&short, PayloadKind::VerificationFinding, true).is_some()
            || worst(&long, PayloadKind::VerificationFinding, true).is_some(),
        "no finding that decides was counted"
    );
}
