//! The replay laws the docs claim, over generated logs: determinism, incremental apply,
//! prefix-then-rest, a JSON round trip of the log, the sanction guarantees, lenient replay of
//! a valid log, and knowledge-time (as-of) replay.

#![cfg(feature = "proptest")]

use ceasefire::agreement::{ReliefPolicy, SanctionPolicy, ThresholdRule};
use ceasefire::allegation::VerificationStatus;
use ceasefire::sanction::{EndReason, RuleSet};
use ceasefire::testing::{
    Config, Log, any_agreement_log, fixtures, laws, proptest_config, valid_log,
};
use ceasefire::time::Span;
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

/// The fixture with a policy under which relief happens often: every confirmed violation is
/// sanctioned, and relief needs both approvers and five days of compliance.
fn relief_log() -> impl Strategy<Value = Log> {
    let policy = SanctionPolicy::new()
        .rule(ThresholdRule::new(
            fixtures::rule("every-strike"),
            1,
            Span::days(14),
        ))
        .relief(ReliefPolicy {
            compliance: Span::days(5),
            approvers: [fixtures::party("CONGRESS"), fixtures::party("COUNCIL")]
                .into_iter()
                .collect(),
            quorum: 2,
        });
    valid_log(
        &fixtures::energy_truce_with(policy),
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

    /// Relief is never granted with fewer approvals than the quorum, by anyone but the named
    /// approvers, before the approvals were given, before the compliance period has run from
    /// the sanctions it ends, or while a violation confirmed within that period counts.
    #[test]
    fn relief_never_comes_early_or_short_of_the_quorum(log in relief_log()) {
        let state = replay(&log).expect("a valid log");
        let policy = state
            .agreement()
            .and_then(|a| a.policy.relief.clone())
            .expect("the policy has relief");
        let at = |id| log.iter().find(|r| r.event.id == id).expect("an event of the log");
        for grant in state.reliefs() {
            let mut approvers: Vec<_> = grant.approvals.iter().map(|id| at(*id).event.author.clone()).collect();
            approvers.sort();
            approvers.dedup();
            prop_assert!(approvers.len() >= usize::from(policy.quorum), "{grant:?}");
            prop_assert!(approvers.iter().all(|a| policy.approvers.contains(a)));
            for id in &grant.approvals {
                prop_assert!(at(*id).event.recorded_at <= grant.at);
            }
            for d in &grant.decisions {
                let d = state.decision(*d).expect("a decision");
                prop_assert_eq!(d.ending.map(|e| e.reason), Some(EndReason::Relieved));
                let served = policy.compliance.after(d.effective_at.expect("in force")).expect("a date");
                prop_assert!(served <= grant.at, "relieved {} before its period ran", d.id);
            }
            let since = Span::before(policy.compliance, grant.at);
            for a in state.allegations() {
                if a.accused() == &grant.party
                    && a.status() == VerificationStatus::Confirmed
                    && state.counts_against(&a.id)
                    && a.confirmed_at.is_some_and(|c| since < c && c < grant.at)
                {
                    prop_assert!(false, "relief at {} despite {} confirmed at {:?}", grant.at, a.id, a.confirmed_at);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The round-trip law: every event that `append` or replay accepts serializes to bytes that
// parse back to an equal event, and every state's snapshot reads back to an equal state.

mod round_trip {
    use super::*;
    use ceasefire::store::{FileLog, FileLogOptions};
    use ceasefire::{Event, EventLog, Store};
    use serde_json::Value;

    /// Odd values put into a leaf (or in place of a collection) of an event's JSON.
    fn odd_values() -> Vec<Value> {
        let strings = [
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "0000-01-01",
            "9999-12-31",
            "-0001-12-31",
            "-001-12-31",
            "-999-01-01",
            "+10000-01-01T00:00:00Z",
            "10000-01-01",
            "2025-06-30T23:59:60Z",
            "0000-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "2025-03-18T12:00:00.000000001+14:00",
            "",
            "\u{0}",
            "ア\u{202e}🏳\u{fe0f}\u{200d}🌈\u{ffff}",
            " padded ",
        ];
        let mut values: Vec<Value> = strings.iter().map(|s| Value::from(*s)).collect();
        values.push(Value::from("x".repeat(70_000)));
        values.push(Value::from("й".repeat(40)));
        values.extend([
            Value::from(u64::MAX),
            Value::from(i64::MIN),
            Value::from(-0.0),
            Value::from(1e308),
            Value::from(-1),
            Value::from(0),
            Value::from(255),
            Value::from(256),
            Value::from(65_536),
            Value::from(4_294_967_296u64),
            Value::from(0.1),
            Value::Null,
            Value::Bool(true),
            Value::Array(Vec::new()),
            Value::Object(serde_json::Map::new()),
        ]);
        values
    }

    /// JSON pointers to every node below the root.
    fn paths(v: &Value, here: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    let p = format!("{here}/{}", k.replace('~', "~0").replace('/', "~1"));
                    out.push(p.clone());
                    paths(child, p, out);
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    let p = format!("{here}/{i}");
                    out.push(p.clone());
                    paths(child, p, out);
                }
            }
            _ => {}
        }
    }

    /// Checks the law for an event a store accepted: its stored bytes read back equal, and
    /// the state snapshots and reads back equal.
    fn holds_for(log: &EventLog) -> Result<(), TestCaseError> {
        let records = log.records().expect("records");
        for r in &records {
            let bytes = serde_json::to_vec(&r.event).expect("serializes");
            let back: Event = serde_json::from_slice(&bytes).map_err(|e| {
                TestCaseError::fail(format!("record {} does not read back: {e}", r.seq))
            })?;
            prop_assert_eq!(&back, &r.event);
        }
        let state = log.state().expect("state");
        let snapshot = json(&state);
        let restored: AgreementState = serde_json::from_str(&snapshot)
            .map_err(|e| TestCaseError::fail(format!("the snapshot does not read back: {e}")))?;
        prop_assert_eq!(&restored, &state);
        Ok(())
    }

    proptest! {
        #![proptest_config(proptest_config(48))]

        /// Over generated logs: every record reads back, and the state after every prefix
        /// snapshots and reads back equal.
        #[test]
        fn generated_logs_round_trip(log in any_log()) {
            let mut state = AgreementState::new();
            for r in &log {
                let bytes = serde_json::to_vec(&r.event).expect("serializes");
                let back: Event = serde_json::from_slice(&bytes).expect("reads back");
                prop_assert_eq!(&back, &r.event);
                state.apply(r).expect("a valid record");
                let restored: AgreementState =
                    serde_json::from_str(&json(&state)).expect("the snapshot reads back");
                prop_assert_eq!(&restored, &state);
            }
        }

        /// Over mutated inputs: an odd value put anywhere in one event. Whatever parses and
        /// `append` accepts reads back, in memory and on disk, and the file reopens to the
        /// same state with an equal snapshot.
        #[test]
        fn mutated_events_that_are_accepted_round_trip(
            log in any_log(),
            which in any::<prop::sample::Index>(),
            leaf in any::<prop::sample::Index>(),
            odd in any::<prop::sample::Index>(),
        ) {
            let k = which.index(log.len());
            let target = &log.records()[k].event;
            let mut value = serde_json::to_value(target).expect("serializes");
            let mut all = Vec::new();
            paths(&value, String::new(), &mut all);
            let path = &all[leaf.index(all.len())];
            let odd_values = odd_values();
            if let Some(slot) = value.pointer_mut(path) {
                *slot = odd_values[odd.index(odd_values.len())].clone();
            }
            let Ok(mutated) = serde_json::from_value::<Event>(value) else {
                return Ok(());
            };
            let memory = EventLog::new();
            for r in &log.records()[..k] {
                memory.append_next(r.event.clone()).expect("a valid prefix");
            }
            if memory.append_next(mutated.clone()).is_err() {
                return Ok(());
            }
            holds_for(&memory)?;

            let dir = tempfile::tempdir().expect("a temporary directory");
            let path = dir.path().join("log");
            let file = FileLog::create(&path, FileLogOptions::new()).expect("created");
            for r in &log.records()[..k] {
                file.append_next(r.event.clone()).expect("a valid prefix");
            }
            file.append_next(mutated).expect("the file store accepts what memory accepted");
            let state = file.state().expect("state");
            drop(file);
            let (reopened, _) = FileLog::open(&path, FileLogOptions::new())
                .map_err(|e| TestCaseError::fail(format!("the file does not reopen: {e}")))?;
            let again = reopened.state().expect("state");
            prop_assert_eq!(json(&again), json(&state));
            prop_assert_eq!(&again, &memory.state().expect("state"));
        }
    }
}
