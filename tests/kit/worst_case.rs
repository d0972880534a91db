//! Replay's worst cases: the work of applying one event (counted by
//! `AgreementState::work`, never timed) stays within the documented bound and does not grow
//! with the log, for the three pathological shapes of `ceasefire::testing::worst`.

use ceasefire::AgreementState;
use ceasefire::testing::{Log, worst};

/// Applies the log one record at a time: the work of each record, and the state.
fn work_per_event(log: &Log) -> (AgreementState, Vec<u64>) {
    let mut state = AgreementState::new();
    let mut work = Vec::new();
    for r in log.records() {
        let before = state.work();
        state.apply(r).expect("the generated log is valid");
        let spent = state.work() - before;
        let agreement = state.agreement().expect("the genesis was applied");
        let limit = worst::bound(
            agreement,
            state.allegations().count(),
            state.decisions().len(),
        );
        assert!(
            spent <= limit,
            "record #{} cost {spent} steps, over the bound {limit}",
            r.seq
        );
        work.push(spent);
    }
    (state, work)
}

fn max(work: &[u64]) -> u64 {
    work.iter().copied().max().unwrap_or(0)
}

/// The records from `from` on cost no more in the long log than in the short one (the
/// events are the same kind; only the log before them is longer).
fn assert_flat(short: &[u64], long: &[u64], from: usize, slack: u64, what: &str) {
    let (short_max, long_max) = (max(&short[from..]), max(&long[from..]));
    assert!(short_max > 0, "{what}: the events do some work");
    assert!(
        long_max <= short_max + slack,
        "{what}: an event costs up to {long_max} steps after {} records, {short_max} after {}",
        long.len(),
        short.len()
    );
}

#[test]
fn the_phase_chain_costs_the_same_per_event_however_long_the_log() {
    let (parties, phases, rules) = (12, 6, 8);
    let acceptances = 1 + parties * phases;
    let (_, short) = work_per_event(&worst::phase_chain(parties, phases, rules, 12));
    let (state, long) = work_per_event(&worst::phase_chain(parties, phases, rules, 48));
    assert_eq!(long.len(), acceptances + 2 * 48);
    // Every phase started (the allegations come after), and the rules fired.
    let last = ceasefire::TermId::new("g05").expect("a valid id");
    assert!(state.term_window(&last).is_some());
    assert!(!state.decisions().is_empty());
    // The acceptances cost the same in both logs; the allegations after them do not grow.
    assert_eq!(short[..acceptances], long[..acceptances]);
    // A confirmation's cost depends on which earlier violations share its rules' windows,
    // which varies from one to the next (never with the log's length): a quarter of slack.
    let slack = max(&short[acceptances..]) / 4;
    assert_flat(&short, &long, acceptances + 8, slack, "phase chain");
}

#[test]
fn a_phase_chain_acceptance_costs_its_own_term_not_every_earlier_phase() {
    // Acceptances of the last phase while earlier ones are pending: each costs one term's
    // parties, the same for the first and the last accepting party.
    let (parties, phases) = (24, 8);
    let (_, work) = work_per_event(&worst::phase_chain(parties, phases, 0, 0));
    let first_phase = &work[1..=parties];
    let last_phase = &work[1 + parties * (phases - 1)..];
    assert!(max(last_phase) <= 2 * max(first_phase) + 64);
}

#[test]
fn the_phase_star_costs_the_same_per_root_acceptance() {
    let (parties, terms) = (20, 20);
    let (_, short) = work_per_event(&worst::phase_star(parties, terms, 6));
    let (_, long) = work_per_event(&worst::phase_star(parties, terms, 19));
    assert_flat(&short, &long, 2, 0, "phase star");
    // The acceptance completing the root starts every dependent term: bounded, and once.
    let (_, all) = work_per_event(&worst::phase_star(parties, terms, parties));
    let completing = *all.last().expect("some events");
    assert!(completing > max(&long[1..]));
}

#[test]
fn back_dated_suspensions_cost_the_same_each_time() {
    let (rules, allegations) = (16, 10);
    let from = 3 + allegations;
    let (_, short) = work_per_event(&worst::rules_suspensions(rules, allegations, 6));
    let (state, long) = work_per_event(&worst::rules_suspensions(rules, allegations, 60));
    assert_eq!(long.len(), from + 60);
    // The suspensions and resumptions really move every allegation (decisions end and are
    // made again), at the same cost each time.
    assert!(state.decisions().len() > rules);
    // Each suspension kept adds one hole to the term's coverage (at most
    // `Agreement::LIMITS.suspensions` of them): a step per bound party and one per edge.
    let kept = 60 / 2;
    assert_flat(&short, &long, from, kept * 4, "rules × suspensions");
}
