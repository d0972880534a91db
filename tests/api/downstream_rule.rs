//! Property tests of a downstream rule, written as a user's crate would write them: the public
//! API and the `proptest` feature only. The rule ("any confirmed strike on a nuclear power
//! plant triggers the top escalation level at once") is the one `examples/custom_rule.rs`
//! runs; a user would import it from their own crate.

#![cfg(feature = "proptest")]

use crate::nuclear::NuclearRedLine;
use ceasefire::agreement::{Level, Procedure, SanctionPolicy, TargetCategory};
use ceasefire::allegation::VerificationStatus;
use ceasefire::replay::Replayer;
use ceasefire::sanction::{Rule, RuleSet, Trigger, Verdict, View};
use ceasefire::testing::scenario::{given, sanction};
use ceasefire::testing::{
    Config, Events, any_agreement_log, fixtures, hostile_log, laws, proptest_config, valid_log,
};
use ceasefire::{AgreementState, RuleId};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestError, TestRunner};

fn rules() -> RuleSet {
    RuleSet::new().with(NuclearRedLine::new())
}

fn replay_with_rules(
    log: &[ceasefire::Record],
) -> Result<ceasefire::AgreementState, TestCaseError> {
    let replayer = Replayer::new()
        .rules(rules())
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    replayer
        .strict(log)
        .map_err(|e| TestCaseError::fail(e.to_string()))
}

proptest! {
    #![proptest_config(proptest_config(64))]

    // The whole of what a downstream crate needs: a strategy of valid logs, and the laws. The
    // fixture's own policy is left out, to see the rule's behaviour alone.
    #[test]
    fn the_red_line_keeps_every_law(
        log in valid_log(&fixtures::energy_truce_with(SanctionPolicy::new()), &rules(), Config::default())
    ) {
        laws::sanctions_need_confirmed_violations(&log, &rules())?;
        laws::all(&log, &rules())?;
    }

    // A property of this rule in particular: every confirmed strike on a nuclear plant that
    // counts is cited by a standing red-line decision at the top level, against its party.
    #[test]
    fn every_confirmed_nuclear_strike_reaches_the_top(
        log in valid_log(&fixtures::energy_truce_with(SanctionPolicy::new()), &rules(), Config::default())
    ) {
        let state = replay_with_rules(&log)?;
        for a in state.allegations() {
            let hit = a.allegation.target == TargetCategory::NuclearPowerPlant
                && a.status() == VerificationStatus::Confirmed
                && state.counts_against(&a.id);
            let cited = state.decisions().iter().any(|d| {
                d.rule.as_str() == "nuclear-red-line"
                    && d.stands()
                    && d.violations.contains(&a.id)
                    && &d.party == a.accused()
                    && d.level == Level::Reimposition
            });
            // Not the converse: a decision stands while its violation counts, even if a monitor
            // later revises its finding to inconclusive.
            prop_assert!(!hit || cited, "allegation {} in\n{:?}", a.id, log);
        }
    }

    // On agreements of any shape (the policy's own rules may count allegations alone, so the
    // confirmation law is checked for the red line's decisions only).
    #[test]
    fn the_red_line_on_any_agreement(log in any_agreement_log(&rules(), Config::default())) {
        // Checked when each decision is made, event by event.
        let mut state = AgreementState::new()
            .with_rules(rules())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        for record in log.iter() {
            let applied = state.apply(record).map_err(|e| TestCaseError::fail(e.to_string()))?;
            for id in applied.decided {
                let Some(d) = state.decision(id) else { continue };
                if d.rule.as_str() != "nuclear-red-line" {
                    continue;
                }
                for v in &d.violations {
                    let status = state.allegation(v).map(|a| a.status());
                    prop_assert_eq!(status, Some(VerificationStatus::Confirmed));
                }
            }
        }
        laws::replay_is_deterministic(&log, &rules())?;
        laws::snapshot_resumes_like_replay(&log, &rules())?;
    }

    #[test]
    fn the_red_line_never_panics(
        hostile in hostile_log(&fixtures::energy_truce(), Config::default())
    ) {
        laws::replay_never_panics(&hostile.log, &rules())?;
    }
}

/// The red line with a planted bug: it forgets to check the confirmation.
struct Hasty(RuleId);

impl Rule for Hasty {
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
            .filter_map(|id| view.allegation(id))
            .filter(|a| a.allegation.target == TargetCategory::NuclearPowerPlant)
            .filter(|a| view.stands(&a.id) && !view.is_cited(&a.id, &self.0))
            .map(|a| Verdict {
                party: a.accused().clone(),
                level: Level::Reimposition,
                violations: vec![a.id],
                evidence: Vec::new(),
                procedure: Procedure::Immediate,
            })
            .collect()
    }
}

#[test]
fn a_wrong_rule_shrinks_to_a_short_valid_counterexample() {
    let rules = RuleSet::new().with(Hasty(RuleId::new("hasty-red-line").expect("id")));
    let agreement = fixtures::energy_truce();
    let strategy = valid_log(&agreement, &rules, Config::default());
    // Several runs from different seeds: the bound holds for each, not by luck.
    for seed in 0..8u8 {
        let mut runner = TestRunner::new_with_rng(
            ProptestConfig {
                failure_persistence: None,
                ..ProptestConfig::default()
            },
            proptest::test_runner::TestRng::from_seed(
                proptest::test_runner::RngAlgorithm::ChaCha,
                &[seed; 32],
            ),
        );
        let result = runner.run(&strategy, |log| {
            laws::sanctions_need_confirmed_violations(&log, &rules)?;
            Ok(())
        });
        let Err(TestError::Fail(why, log)) = result else {
            panic!("the law should catch the planted bug (seed {seed})");
        };
        let besides_genesis = log.len() - 1;
        assert!(
            besides_genesis <= 5,
            "seed {seed}: {besides_genesis} events besides the genesis\n{log:?}"
        );
        eprintln!("seed {seed}: shrunk to {besides_genesis} events besides the genesis");
        // Still valid, and still failing for the planted reason.
        let store = ceasefire::EventLog::with_rules(rules.clone()).expect("rules");
        for r in log.iter() {
            ceasefire::Store::append(&store, ceasefire::ExpectedVersion::Any, r.event.clone())
                .expect("the shrunk log is valid");
        }
        assert!(
            why.message().contains("alleged, not confirmed"),
            "{}",
            why.message()
        );
        assert!(
            why.message().contains("nuclear power plant"),
            "{}",
            why.message()
        );
    }
}

#[test]
fn given_a_confirmed_strike_the_red_line_goes_to_the_top() {
    let mut e = Events::new();
    let genesis = e.genesis(fixtures::energy_truce());
    let binds = e.at("2025-03-18T18:00:00Z").by("RU").accepts("energy");
    let strike = e.at("2025-03-20T06:00:00Z").by("UA").alleges(
        "RU",
        "energy",
        TargetCategory::NuclearPowerPlant,
    );
    let confirmed = e.at("2025-03-21T09:00:00Z").by("MON").confirms(strike.id);

    given([genesis.clone(), binds.clone()])
        .rules(rules())
        .when(strike.clone())
        .then_no_sanction()
        .expect("an allegation alone does not cross the line");

    given([genesis.clone(), binds.clone(), strike.clone()])
        .rules(rules())
        .when(confirmed.clone())
        .then_sanctions([sanction("RU")
            .rule("nuclear-red-line")
            .level(Level::Reimposition)
            .citing([strike.id])])
        .expect("a confirmed strike goes to the top at once");

    given([genesis, binds, strike.clone(), confirmed])
        .rules(rules())
        .when(e.at("2025-03-25T09:00:00Z").by("MON2").refutes(strike.id))
        .then_in_force([])
        .expect("a refutation voids it");
}

/// The red line under another version: what a snapshot taken with version 1 must refuse.
struct RedLineV2(NuclearRedLine);

impl Rule for RedLineV2 {
    fn id(&self) -> &RuleId {
        self.0.id()
    }

    fn version(&self) -> u32 {
        2
    }

    fn evaluate(&self, view: &dyn View, trigger: &Trigger<'_>) -> Vec<Verdict> {
        self.0.evaluate(view, trigger)
    }
}

/// A snapshot carries its format, the downstream rules it was computed with (ids and
/// versions) and their fingerprint. Resuming it with other rules is refused; without its
/// rules it refuses every event; the replayer keeps rules given before `from_state`.
#[test]
fn snapshots_cannot_be_resumed_with_other_rules() {
    use ceasefire::Rejection;
    use ceasefire::sanction::ConfigError;

    let mut e = Events::new();
    let genesis = e.genesis(fixtures::energy_truce_with(SanctionPolicy::new()));
    let accepts = e.at("2025-03-18T18:00:00Z").by("RU").accepts("energy");
    let records = ceasefire::testing::Log::from_events([genesis, accepts]);
    let state = replay_with_rules(records.records()).expect("replays");
    let snapshot = serde_json::to_string(&state).expect("serializes");
    assert!(snapshot.starts_with("{\"format\":1,\"fingerprint\":"));
    assert!(snapshot.contains("\"rules\":[{\"id\":\"nuclear-red-line\",\"version\":1}]"));

    let read = |text: &str| serde_json::from_str::<AgreementState>(text);
    // The same rules: accepted, and the state continues.
    let resumed = read(&snapshot)
        .expect("reads back")
        .with_rules(rules())
        .expect("the same rules");
    assert_eq!(resumed, state);
    // Another version of the rule, or no rule at all: refused with the difference named.
    let v2 = RuleSet::new().with(RedLineV2(NuclearRedLine::new()));
    match read(&snapshot).expect("reads back").with_rules(v2) {
        Err(ConfigError::SnapshotRulesDiffer { snapshot, given }) => {
            assert_eq!((snapshot[0].version, given[0].version), (1, 2));
        }
        other => panic!("expected SnapshotRulesDiffer, got {other:?}"),
    }
    let mut bare = read(&snapshot).expect("reads back");
    let next = e.at("2025-03-25T12:00:00Z").by("UA").accepts("energy");
    let next = ceasefire::Record::new(ceasefire::Seq(3), next);
    assert!(matches!(
        bare.apply(&next),
        Err(Rejection::AwaitingRules { .. })
    ));
    // The replayer keeps rules given before the snapshot.
    let kept = Replayer::new()
        .rules(rules())
        .expect("rules")
        .from_state(read(&snapshot).expect("reads back"))
        .expect("the same rules")
        .strict([&next])
        .expect("continues");
    assert_eq!(kept.rules().ids(), rules().ids());
    assert!(
        Replayer::new()
            .rules(RuleSet::new().with(RedLineV2(NuclearRedLine::new())))
            .expect("rules")
            .from_state(read(&snapshot).expect("reads back"))
            .is_err()
    );
    // Another format, or a fingerprint that does not match the rules: refused when read.
    assert!(read(&snapshot.replacen("\"format\":1", "\"format\":2", 1)).is_err());
    let forged = snapshot.replacen("\"version\":1", "\"version\":2", 1);
    assert!(
        read(&forged)
            .unwrap_err()
            .to_string()
            .contains("fingerprint")
    );
}
