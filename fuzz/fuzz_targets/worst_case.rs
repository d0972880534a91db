//! Pathological agreements and short logs: applying any one event must cost no more work
//! (`AgreementState::work`) than the bound docs/performance.md documents
//! (`ceasefire::testing::worst::bound`). The input chooses one of the worst-case shapes of
//! `ceasefire::testing::worst` with its sizes, or seeds the testing kit's generator of random
//! agreements with valid logs.
#![no_main]

use ceasefire::AgreementState;
use ceasefire::sanction::RuleSet;
use ceasefire::testing::{Config, Log, any_agreement_log, worst};
use libfuzzer_sys::fuzz_target;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};

fn log_for(data: &[u8]) -> Option<Log> {
    let (&[shape, a, b, c], rest) = data.split_first_chunk::<4>()?;
    let (a, b, c) = (usize::from(a), usize::from(b), usize::from(c));
    Some(match shape % 4 {
        0 => worst::phase_chain(2 + a % 40, 1 + b % 16, c % 65, rest.len() % 24),
        1 => worst::phase_star(2 + a % 60, 1 + b % 60, c % 62),
        2 => worst::rules_suspensions(a % 65, b % 41, c % 120),
        _ => {
            let mut seed = [0u8; 32];
            for (s, d) in seed.iter_mut().zip(rest) {
                *s = *d;
            }
            let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
            let mut runner =
                TestRunner::new_with_rng(proptest::test_runner::Config::default(), rng);
            any_agreement_log(&RuleSet::new(), Config::default())
                .new_tree(&mut runner)
                .ok()?
                .current()
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(log) = log_for(data) else {
        return;
    };
    let mut state = AgreementState::new();
    for record in log.records() {
        let before = state.work();
        if state.apply(record).is_err() {
            return;
        }
        let spent = state.work() - before;
        let agreement = state.agreement().expect("the genesis was applied");
        let bound = worst::bound(
            agreement,
            state.allegations().count(),
            state.decisions().len(),
        );
        assert!(
            spent <= bound,
            "record #{} cost {spent} steps of work, over the documented bound {bound}",
            record.seq
        );
    }
});
