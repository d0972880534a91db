//! The valid-sequence strategy is tested: what it generates is accepted by `append` in order,
//! covers every kind of event, follows its knobs, is deterministic, and stays valid when shrunk.

#![cfg(feature = "proptest")]

use std::collections::{BTreeMap, BTreeSet};

use ceasefire::agreement::{
    Level, Procedure, ReliefPolicy, SanctionPolicy, TargetCategory, ThresholdRule,
};
use ceasefire::allegation::VerificationStatus;
use ceasefire::event::PayloadKind;
use ceasefire::sanction::{Rule, RuleSet, Trigger, Verdict, View};
use ceasefire::testing::{
    Config, Log, Mix, Outcomes, StepKind, any_agreement_log, fixtures, proptest_config, valid_log,
};
use ceasefire::time::{Occurred, Span};
use ceasefire::{AgreementState, EventLog, ExpectedVersion, Payload, RuleId, Seq, Store, replay};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{
    Config as ProptestConfig, RngAlgorithm, TestError, TestRng, TestRunner,
};

/// A downstream rule that fires on any standing allegation, so that decisions (and the events
/// that name them) differ from the policy's alone.
struct TriggerHappy(RuleId);

impl Rule for TriggerHappy {
    fn id(&self) -> &RuleId {
        &self.0
    }

    fn version(&self) -> u32 {
        1
    }
    fn evaluate(&self, view: &dyn View, trigger: &Trigger<'_>) -> Vec<Verdict> {
        trigger
            .changed
            .iter()
            .filter(|id| view.stands(id) && !view.is_cited(id, &self.0))
            .filter_map(|id| view.allegation(id))
            .map(|a| Verdict {
                party: a.accused().clone(),
                level: Level::Targeted,
                violations: vec![a.id],
                evidence: Vec::new(),
                procedure: Procedure::NoticeAndDeadline {
                    dispute_window: Span::days(2),
                },
            })
            .collect()
    }
}

fn trigger_happy() -> RuleSet {
    RuleSet::new().with(TriggerHappy(RuleId::new("trigger-happy").expect("id")))
}

/// Appends every record to a fresh log running `rules`, checking what the log promises.
fn append_all(log: &Log, rules: &RuleSet) -> Result<EventLog, TestCaseError> {
    let store =
        EventLog::with_rules(rules.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(
        matches!(
            log.first().map(|r| &r.event.payload),
            Some(Payload::AgreementConcluded(_))
        ),
        "the first event is the genesis"
    );
    let mut previous = None;
    let mut ids = BTreeSet::new();
    for (i, r) in log.iter().enumerate() {
        prop_assert_eq!(r.seq, Seq(i as u64 + 1), "numbered from 1, gapless");
        prop_assert!(ids.insert(r.event.id), "ids are unique");
        prop_assert!(r.event.occurred_at.earliest() <= r.event.recorded_at);
        if let Some(p) = previous {
            prop_assert!(
                r.event.recorded_at >= p,
                "recorded times never go backwards"
            );
        }
        previous = Some(r.event.recorded_at);
        let seq = store
            .append(ExpectedVersion::Exactly(i as u64), r.event.clone())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{log:?}")))?;
        prop_assert_eq!(seq, r.seq);
    }
    Ok(store)
}

proptest! {
    #![proptest_config(proptest_config(128))]

    #[test]
    fn generated_logs_are_accepted_by_append_in_order(
        log in valid_log(&fixtures::energy_truce(), &RuleSet::new(), Config::default())
    ) {
        append_all(&log, &RuleSet::new())?;
    }
}

proptest! {
    #![proptest_config(proptest_config(64))]

    #[test]
    fn generated_logs_are_accepted_with_downstream_rules(
        log in valid_log(&fixtures::energy_truce(), &trigger_happy(), Config::default())
    ) {
        let store = append_all(&log, &trigger_happy())?;
        let state = store.state().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(state.rule_faults().is_empty(), "{:?}", state.rule_faults());
    }

    #[test]
    fn logs_for_any_agreement_are_accepted(
        log in any_agreement_log(&trigger_happy(), Config::default())
    ) {
        prop_assert!(log.agreement().is_some());
        append_all(&log, &trigger_happy())?;
    }
}

/// A policy under which every kind of event can happen within the default span: one confirmed
/// violation triggers a three-day notice; relief after two days with one approval.
fn busy_policy() -> SanctionPolicy {
    SanctionPolicy::new()
        .rule(
            ThresholdRule::new(fixtures::rule("one"), 1, Span::days(14)).procedure(
                Procedure::NoticeAndDeadline {
                    dispute_window: Span::days(3),
                },
            ),
        )
        .relief(ReliefPolicy {
            compliance: Span::days(2),
            approvers: [fixtures::party("CONGRESS"), fixtures::party("COUNCIL")]
                .into_iter()
                .collect(),
            quorum: 1,
        })
}

fn sample(strategy: &impl Strategy<Value = Log>, n: usize) -> Vec<Log> {
    let mut runner = TestRunner::deterministic();
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).expect("a value").current())
        .collect()
}

#[test]
fn every_kind_of_event_is_generated() {
    let agreement = fixtures::energy_truce_with(busy_policy());
    let logs = sample(
        &valid_log(&agreement, &RuleSet::new(), Config::default()),
        300,
    );
    let mut kinds: BTreeMap<PayloadKind, usize> = BTreeMap::new();
    for log in &logs {
        for e in log.events() {
            *kinds.entry(e.payload.kind()).or_default() += 1;
        }
    }
    // The generated agreements are unsigned: key and checkpoint events cannot be valid.
    for kind in PayloadKind::ALL.into_iter().filter(|k| !k.needs_keys()) {
        assert!(
            kinds.get(&kind).copied().unwrap_or(0) > 0,
            "{kind} never generated: {kinds:?}"
        );
    }
    eprintln!("event kinds over 300 logs: {kinds:?}");
}

#[test]
fn the_length_and_time_knobs_are_respected() {
    let agreement = fixtures::energy_truce();
    let openings = 6; // two belligerents bound by three terms
    let start = fixtures::start() + chrono::TimeDelta::days(3);
    let config = Config::default().len(0..5).span(Span::days(4)).start(start);
    for log in sample(&valid_log(&agreement, &RuleSet::new(), config), 100) {
        assert!(log.len() <= 1 + openings + 4, "{log:?}");
        assert_eq!(log[0].event.recorded_at, start);
        let last = log.last().expect("a genesis").event.recorded_at;
        // Commitments within 6 hours of each other, then at most 4 steps of at most 4 days
        // (twice the mean gap for 4 days over a mean of 2 steps).
        assert!(last - start <= chrono::TimeDelta::hours(36) + chrono::TimeDelta::days(16));
    }
}

#[test]
fn the_mix_chooses_the_kinds_of_events() {
    let agreement = fixtures::energy_truce();
    let mix = Mix::none()
        .with(StepKind::Allege, 1)
        .with(StepKind::FollowUp, 1);
    let logs = sample(
        &valid_log(&agreement, &RuleSet::new(), Config::default().mix(mix)),
        100,
    );
    let allowed = [
        PayloadKind::AgreementConcluded,
        PayloadKind::ViolationAlleged,
        PayloadKind::VerificationFinding,
        PayloadKind::AllegationRetracted,
    ];
    let mut alleged = 0;
    for log in &logs {
        for e in log.events() {
            assert!(allowed.contains(&e.payload.kind()), "{log:?}");
            alleged += usize::from(e.payload.kind() == PayloadKind::ViolationAlleged);
        }
    }
    assert!(alleged > 100);
    let none = sample(
        &valid_log(
            &agreement,
            &RuleSet::new(),
            Config::default().mix(Mix::none()),
        ),
        10,
    );
    assert!(none.iter().all(|l| l.len() == 1), "only the genesis");
}

#[test]
fn monitors_and_outcomes_are_respected() {
    let agreement = fixtures::energy_truce();
    let one = sample(
        &valid_log(&agreement, &RuleSet::new(), Config::default().monitors(1)),
        100,
    );
    let mut findings = 0;
    for e in one.iter().flat_map(|l| l.events()) {
        if let Payload::VerificationFinding(_) = e.payload {
            assert_eq!(
                e.author,
                fixtures::party("MON"),
                "only the first monitor rules"
            );
            findings += 1;
        }
    }
    assert!(findings > 50);

    let retract_only = sample(
        &valid_log(
            &agreement,
            &RuleSet::new(),
            Config::default().outcomes(Outcomes::new(0, 0, 0, 1)),
        ),
        100,
    );
    let kinds: Vec<PayloadKind> = retract_only
        .iter()
        .flat_map(|l| l.events())
        .map(|e| e.payload.kind())
        .collect();
    assert!(!kinds.contains(&PayloadKind::VerificationFinding));
    assert!(kinds.contains(&PayloadKind::AllegationRetracted));

    let refute_only = sample(
        &valid_log(
            &agreement,
            &RuleSet::new(),
            Config::default().outcomes(Outcomes::new(0, 1, 0, 0)),
        ),
        50,
    );
    for log in &refute_only {
        let state = replay(log).expect("valid");
        assert!(
            state
                .allegations()
                .all(|a| a.status() != VerificationStatus::Confirmed),
            "nothing is confirmed"
        );
        assert!(state.decisions().is_empty());
    }
}

#[test]
fn strays_never_count_and_day_precision_dates_by_day() {
    let agreement = fixtures::energy_truce();
    let strays = sample(
        &valid_log(&agreement, &RuleSet::new(), Config::default().strays(100)),
        100,
    );
    let mut alleged = 0;
    for log in &strays {
        // Check each allegation right when it is alleged (a later, backdated commitment may
        // still bring it inside).
        let mut state = AgreementState::new();
        for r in log.iter() {
            state.apply(r).expect("valid");
            if let Payload::ViolationAlleged(_) = r.event.payload {
                alleged += 1;
                assert!(!state.counts_against(&r.event.id), "{log:?}");
            }
        }
    }
    assert!(alleged > 100);

    let inside = sample(
        &valid_log(&agreement, &RuleSet::new(), Config::default().strays(0)),
        100,
    );
    let (mut counted, mut total) = (0, 0);
    for log in &inside {
        let mut state = AgreementState::new();
        for r in log.iter() {
            state.apply(r).expect("valid");
            if let Payload::ViolationAlleged(_) = r.event.payload {
                total += 1;
                counted += usize::from(state.counts_against(&r.event.id));
            }
        }
    }
    assert!(
        counted * 10 >= total * 7,
        "most allegations count when placed inside: {counted} of {total}"
    );

    let days = sample(
        &valid_log(
            &agreement,
            &RuleSet::new(),
            Config::default().strays(0).day_precision(100),
        ),
        100,
    );
    let dated: Vec<bool> = days
        .iter()
        .flat_map(|l| l.events())
        .filter(|e| matches!(e.payload, Payload::ViolationAlleged(_)))
        .map(|e| !e.occurred_at.is_exact())
        .collect();
    assert!(dated.iter().filter(|d| **d).count() * 2 > dated.len());
    for form in ["day", "local day", "interval"] {
        let seen = days
            .iter()
            .flat_map(|l| l.events())
            .any(|e| match e.occurred_at {
                Occurred::OnDay(_) => form == "day",
                Occurred::OnLocalDay { .. } => form == "local day",
                Occurred::Between { .. } => form == "interval",
                _ => false,
            });
        assert!(seen, "no allegation dated by a {form}");
    }
    let exact = sample(
        &valid_log(
            &agreement,
            &RuleSet::new(),
            Config::default().day_precision(0).strays(0),
        ),
        50,
    );
    assert!(
        exact
            .iter()
            .flat_map(|l| l.events())
            .all(|e| !matches!(e.occurred_at, Occurred::OnDay(_)))
    );
}

#[test]
fn generation_is_deterministic() {
    let strategy = valid_log(
        &fixtures::energy_truce(),
        &RuleSet::new(),
        Config::default(),
    );
    assert_eq!(sample(&strategy, 20), sample(&strategy, 20));
}

#[test]
fn shrunk_logs_stay_valid_and_short() {
    // A false property: "no log ever has a confirmed strike on a nuclear power plant".
    let strategy = valid_log(
        &fixtures::energy_truce(),
        &RuleSet::new(),
        Config::default(),
    );
    let mut runner = TestRunner::new_with_rng(
        ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let result = runner.run(&strategy, |log| {
        let state = replay(&log).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let nuclear = state.allegations().any(|a| {
            a.allegation.target == TargetCategory::NuclearPowerPlant
                && a.status() == VerificationStatus::Confirmed
        });
        prop_assert!(!nuclear);
        Ok(())
    });
    let Err(TestError::Fail(_, log)) = result else {
        panic!("some log has a confirmed nuclear strike");
    };
    replay(&log).expect("the shrunk log is still valid");
    // The genesis, an allegation and its confirmation, maybe the accused's commitment.
    assert!(log.len() <= 4, "{log:?}");
}
