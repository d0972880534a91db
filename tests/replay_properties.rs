//! The replay laws the docs claim, over generated logs: determinism, incremental apply,
//! prefix-then-rest, a JSON round trip of the log, the sanction guarantees, lenient replay of
//! a valid log, and knowledge-time (as-of) replay.

#![cfg(feature = "proptest")]

use ceasefire::sanction::RuleSet;
use ceasefire::testing::{
    Config, Log, any_agreement_log, fixtures, laws, proptest_config, valid_log,
};
use ceasefire::time::Timestamp;
use ceasefire::{AgreementState, Record, Replayer, replay, replay_as_of, replay_lenient};
use proptest::prelude::*;

fn json(state: &AgreementState) -> String {
    serde_json::to_string(state).expect("a state serializes")
}

fn energy_truce_log() -> impl Strategy<Value = Log> {
    valid_log(
        &fixtures::energy_truce(),
        &RuleSet::new(),
        Config::default(),
    )
}

/// Any log: the fixture's or one for a random agreement.
fn any_log() -> impl Strategy<Value = Log> {
    prop_oneof![
        energy_truce_log(),
        any_agreement_log(&RuleSet::new(), Config::default()),
    ]
}

proptest! {
    #![proptest_config(proptest_config(64))]

    /// The same log always gives the same state and the same serialized JSON; applying the
    /// records one by one gives it too, and so does replaying a prefix and applying the rest.
    #[test]
    fn replay_is_a_deterministic_fold(log in any_log(), cut in any::<prop::sample::Index>()) {
        let full = replay(&log).expect("a valid log");
        prop_assert_eq!(json(&full), json(&replay(&log).expect("a valid log")));
        let mut one_by_one = AgreementState::new();
        for r in &log {
            one_by_one.apply(r).expect("a valid record");
        }
        prop_assert_eq!(json(&one_by_one), json(&full));
        let k = cut.index(log.len() + 1);
        let mut resumed = replay(&log[..k]).expect("a valid prefix");
        for r in &log[k..] {
            resumed.apply(r).expect("a valid record");
        }
        prop_assert_eq!(json(&resumed), json(&full));
    }

    /// A log written to JSON and read back replays to the same state.
    #[test]
    fn a_log_read_back_from_json_replays_the_same(log in any_log()) {
        let text = serde_json::to_string(log.records()).expect("records serialize");
        let back: Vec<Record> = serde_json::from_str(&text).expect("records deserialize");
        prop_assert_eq!(&back[..], log.records());
        prop_assert_eq!(
            json(&replay(&back).expect("a valid log")),
            json(&replay(&log).expect("a valid log"))
        );
    }

    /// No sanction without a confirmed violation by that party (the fixture's policy needs a
    /// monitor's confirmation), and adding a refuted or retracted allegation changes nothing.
    #[test]
    fn sanctions_rest_on_confirmed_violations_by_their_party(log in energy_truce_log()) {
        laws::sanctions_need_confirmed_violations(&log, &RuleSet::new())?;
        laws::discounted_allegations_change_nothing(&log, &RuleSet::new())?;
        let state = replay(&log).expect("a valid log");
        for d in state.decisions() {
            for v in &d.violations {
                let a = state.allegation(v).expect("a cited allegation");
                prop_assert_eq!(a.accused(), &d.party);
            }
        }
    }

    /// Lenient replay of a valid log rejects nothing and gives the strict state.
    #[test]
    fn lenient_replay_of_a_valid_log_is_strict_replay(log in any_log()) {
        let lenient = replay_lenient(&log);
        prop_assert!(lenient.rejected.is_empty(), "{:?}", lenient.rejected);
        prop_assert!(lenient.gaps.is_empty());
        prop_assert_eq!(json(&lenient.state), json(&replay(&log).expect("a valid log")));
    }

    /// Replay as of the last event's recorded time is full replay; as of any instant, it is
    /// the replay of the records recorded by then.
    #[test]
    fn as_of_replay_is_the_log_recorded_by_then(
        log in any_log(),
        pick in any::<prop::sample::Index>(),
        offset in -3_600i64..3_600,
    ) {
        let last = log.last().expect("a genesis at least").event.recorded_at;
        prop_assert_eq!(
            json(&replay_as_of(&log, last).expect("a valid log")),
            json(&replay(&log).expect("a valid log"))
        );
        let base = log[pick.index(log.len())].event.recorded_at;
        let known_at: Timestamp = base + chrono::TimeDelta::seconds(offset);
        let as_of = Replayer::new().as_of(known_at).strict(&log).expect("a valid log");
        let prefix = replay(log.iter().take_while(|r| r.event.recorded_at <= known_at))
            .expect("a valid prefix");
        prop_assert_eq!(json(&as_of), json(&prefix));
        // Every fact of that state was recorded by then.
        prop_assert!(as_of.known_as_of().is_none_or(|t| t <= known_at));
        prop_assert!(as_of.decisions().iter().all(|d| d.decided_at <= known_at));
    }
}
