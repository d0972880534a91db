//! The law checks are tested: they hold for the built-in rules under several policies and on
//! random agreements, and each catches a rule with the bug it is about, with a readable account.

#![cfg(feature = "proptest")]

use std::sync::atomic::{AtomicUsize, Ordering};

use ceasefire::agreement::{
    Confidence, Escalation, EvidenceStandard, Level, Procedure, ReliefPolicy, SanctionPolicy,
    SeverityWeights, TargetCategory, ThresholdRule,
};
use ceasefire::allegation::VerificationStatus;
use ceasefire::sanction::{Rule, RuleSet, Trigger, Verdict, View};
use ceasefire::testing::laws::{self, Law, LawViolation};
use ceasefire::testing::{
    Config, Log, Mix, StepKind, any_agreement_log, fixtures, proptest_config, valid_log,
};
use ceasefire::time::Span;
use ceasefire::{Agreement, RuleId};
use proptest::prelude::*;
use proptest::test_runner::{
    Config as ProptestConfig, RngAlgorithm, TestError, TestRng, TestRunner,
};

fn rule(threshold: u32, days: u64) -> ThresholdRule {
    ThresholdRule::new(fixtures::rule("threshold"), threshold, Span::days(days))
}

fn notice(days: u64) -> Procedure {
    Procedure::NoticeAndDeadline {
        dispute_window: Span::days(days),
    }
}

fn relief(days: u64) -> ReliefPolicy {
    ReliefPolicy {
        compliance: Span::days(days),
        approvers: [fixtures::party("CONGRESS"), fixtures::party("COUNCIL")]
            .into_iter()
            .collect(),
        quorum: 1,
    }
}

/// The laws but the confirmed-violation one, for policies that sanction allegations alone on
/// purpose.
fn some_laws(log: &Log, rules: &RuleSet) -> Result<(), LawViolation> {
    laws::replay_is_deterministic(log, rules)?;
    laws::incremental_apply_equals_replay(log, rules)?;
    laws::snapshot_resumes_like_replay(log, rules)?;
    laws::discounted_allegations_change_nothing(log, rules)?;
    laws::confirmations_never_lower_escalation(log, rules)?;
    laws::reappend_is_idempotent(log, rules)?;
    laws::refused_batch_changes_nothing(log, rules)
}

/// Policies that need a monitor's confirmation, at a fixed level and at once: every law holds.
fn confirmed_policies() -> Vec<Agreement> {
    [
        SanctionPolicy::new()
            .rule(rule(1, 14).escalation(Escalation::Fixed))
            .relief(relief(5)),
        SanctionPolicy::new().rule(rule(2, 14).escalation(Escalation::Fixed)),
        SanctionPolicy::new()
            .rule(
                rule(3, 10)
                    .escalation(Escalation::Fixed)
                    .weights(SeverityWeights {
                        minor: 1,
                        serious: 2,
                        grave: 3,
                    }),
            )
            .rule(
                ThresholdRule::new(fixtures::rule("two-monitors"), 1, Span::days(5))
                    .escalation(Escalation::Fixed)
                    .level(Level::Sectoral)
                    .evidence(EvidenceStandard::Confirmed {
                        monitors: 2,
                        min_confidence: Confidence::percent(50).expect("percent"),
                    }),
            ),
    ]
    .into_iter()
    .map(fixtures::energy_truce_with)
    .collect()
}

/// Policies that sanction allegations alone, or corroborated ones, at a fixed level and at
/// once.
fn lax_policies() -> Vec<Agreement> {
    [
        SanctionPolicy::new().rule(
            rule(1, 14)
                .evidence(EvidenceStandard::Alleged)
                .escalation(Escalation::Fixed),
        ),
        SanctionPolicy::new().rule(
            rule(3, 10)
                .evidence(EvidenceStandard::Alleged)
                .escalation(Escalation::Fixed),
        ),
        SanctionPolicy::new().rule(
            rule(2, 7)
                .evidence(EvidenceStandard::Corroborated)
                .escalation(Escalation::Fixed),
        ),
    ]
    .into_iter()
    .map(fixtures::energy_truce_with)
    .collect()
}

/// Ladders and notices, the fixture's `energy-3` among them.
fn laddered_policies() -> Vec<Agreement> {
    [
        fixtures::energy_policy(),
        SanctionPolicy::new().rule(rule(2, 14).evidence(EvidenceStandard::Alleged)),
        SanctionPolicy::new().rule(
            rule(1, 14)
                .evidence(EvidenceStandard::Alleged)
                .procedure(notice(5)),
        ),
        SanctionPolicy::new()
            .rule(rule(2, 14).procedure(notice(5)))
            .relief(relief(5)),
    ]
    .into_iter()
    .map(fixtures::energy_truce_with)
    .collect()
}

fn any_of(agreements: Vec<Agreement>, config: Config) -> impl Strategy<Value = Log> {
    proptest::sample::select(agreements)
        .prop_flat_map(move |a| valid_log(&a, &RuleSet::new(), config.clone()))
}

proptest! {
    #![proptest_config(proptest_config(48))]

    #[test]
    fn every_law_holds_for_built_in_rules_that_need_confirmation(
        log in any_of(confirmed_policies(), Config::default())
    ) {
        laws::all(&log, &RuleSet::new())?;
    }

    #[test]
    fn the_other_laws_hold_for_built_in_rules_that_count_allegations(
        log in any_of(lax_policies(), Config::default())
    ) {
        some_laws(&log, &RuleSet::new())?;
    }

    #[test]
    fn the_laws_hold_for_laddered_thresholds_and_notices(
        log in any_of(laddered_policies(), Config::default())
    ) {
        laws::sanctions_need_confirmed_violations(&log, &RuleSet::new()).or_else(|v| {
            // Two of the policies count allegations alone, on purpose.
            if v.law == Law::SanctionsNeedConfirmedViolations { Ok(()) } else { Err(v) }
        })?;
        some_laws(&log, &RuleSet::new())?;
    }

    #[test]
    fn the_laws_hold_on_random_agreements(
        log in any_agreement_log(&RuleSet::new(), Config::default())
    ) {
        some_laws(&log, &RuleSet::new())?;
    }
}

/// Runs `law` with `rules` over generated logs for `agreement` until it fails; the shrunk
/// failure.
fn catch(
    agreement: &Agreement,
    rules: &RuleSet,
    law: fn(&[ceasefire::Record], &RuleSet) -> Result<(), LawViolation>,
) -> (String, Log) {
    catch_with(agreement, rules, Config::default(), law)
}

fn catch_with(
    agreement: &Agreement,
    rules: &RuleSet,
    config: Config,
    law: fn(&[ceasefire::Record], &RuleSet) -> Result<(), LawViolation>,
) -> (String, Log) {
    // A fixed seed: the same counterexample on every run (the size bounds below hold for 100
    // seeds out of 100, except the escalation law's, which stalled once above 8 records).
    let mut runner = TestRunner::new_with_rng(
        ProptestConfig {
            cases: 1024,
            failure_persistence: None,
            ..ProptestConfig::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = valid_log(agreement, rules, config);
    match runner.run(&strategy, |log| {
        law(&log, rules)?;
        Ok(())
    }) {
        Err(TestError::Fail(why, log)) => (why.message().to_string(), log),
        other => panic!("the law should catch the rule: {other:?}"),
    }
}

fn id(s: &str) -> RuleId {
    RuleId::new(s).expect("id")
}

/// Fires at every other evaluation: hidden state.
struct Moody(RuleId, AtomicUsize);

impl Rule for Moody {
    fn id(&self) -> &RuleId {
        &self.0
    }

    fn version(&self) -> u32 {
        1
    }
    fn evaluate(&self, view: &dyn View, trigger: &Trigger<'_>) -> Vec<Verdict> {
        if self.1.fetch_add(1, Ordering::Relaxed) % 2 == 1 {
            return Vec::new();
        }
        trigger
            .changed
            .iter()
            .filter(|a| view.stands(a) && !view.is_cited(a, &self.0))
            .filter_map(|a| view.allegation(a))
            .filter(|a| a.status() == VerificationStatus::Confirmed)
            .map(|a| Verdict {
                party: a.accused().clone(),
                level: Level::Warning,
                violations: vec![a.id],
                evidence: Vec::new(),
                procedure: Procedure::Immediate,
            })
            .collect()
    }
}

#[test]
fn a_rule_with_hidden_state_breaks_determinism() {
    let rules = RuleSet::new().with(Moody(id("moody"), AtomicUsize::new(0)));
    // Without events that name decisions, so that the log stays valid whatever the rule did.
    let quiet = Mix::default()
        .with(StepKind::Relief, 0)
        .with(StepKind::Enforce, 0)
        .with(StepKind::Halt, 0);
    let (why, log) = catch_with(
        &fixtures::energy_truce(),
        &rules,
        Config::default().mix(quiet),
        laws::replay_is_deterministic,
    );
    assert!(why.contains("law broken: replay is deterministic"), "{why}");
    assert!(why.contains("two replays differ at #"), "{why}");
    assert!(log.len() <= 6, "{log:?}");
    assert!(laws::snapshot_resumes_like_replay(&log, &rules).is_err());
}

/// Fires on the allegation alone.
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
            .filter(|a| view.stands(a) && !view.is_cited(a, &self.0))
            .filter_map(|a| view.allegation(a))
            .map(|a| Verdict {
                party: a.accused().clone(),
                level: Level::Targeted,
                violations: vec![a.id],
                evidence: Vec::new(),
                procedure: Procedure::Immediate,
            })
            .collect()
    }
}

#[test]
fn a_rule_firing_on_allegations_breaks_the_confirmation_law() {
    let rules = RuleSet::new().with(Hasty(id("hasty")));
    let (why, log) = catch(
        &fixtures::energy_truce(),
        &rules,
        laws::sanctions_need_confirmed_violations,
    );
    assert!(why.contains("which is alleged, not confirmed"), "{why}");
    assert!(why.contains("events involved:"), "{why}");
    assert!(log.len() <= 4, "{log:?}");
}

/// Counts every allegation against a party, refuted or not, and sanctions at the third,
/// citing the latest one that stands.
struct Gullible(RuleId);

impl Rule for Gullible {
    fn id(&self) -> &RuleId {
        &self.0
    }

    fn version(&self) -> u32 {
        1
    }
    fn evaluate(&self, view: &dyn View, trigger: &Trigger<'_>) -> Vec<Verdict> {
        let Some(a) = trigger.changed.last().and_then(|a| view.allegation(a)) else {
            return Vec::new();
        };
        let all = view.allegations_against(
            a.accused(),
            chrono::DateTime::<chrono::Utc>::MIN_UTC,
            chrono::DateTime::<chrono::Utc>::MAX_UTC,
        );
        let standing: Vec<_> = all
            .iter()
            .filter(|c| view.stands(&c.id) && !view.is_cited(&c.id, &self.0))
            .collect();
        match standing.last() {
            Some(c) if all.len() >= 3 => vec![Verdict {
                party: c.accused().clone(),
                level: Level::Warning,
                violations: vec![c.id],
                evidence: Vec::new(),
                procedure: Procedure::Immediate,
            }],
            _ => Vec::new(),
        }
    }
}

#[test]
fn a_rule_counting_refuted_allegations_breaks_the_discounted_law() {
    let rules = RuleSet::new().with(Gullible(id("gullible")));
    let (why, log) = catch(
        &fixtures::energy_truce(),
        &rules,
        laws::discounted_allegations_change_nothing,
    );
    assert!(why.contains("the standing decisions change"), "{why}");
    assert!(why.contains("only with it:"), "{why}");
    assert!(log.len() <= 8, "{log:?}");
}

/// A confirmed strike on a nuclear plant goes to the top, unless the party has other
/// confirmed violations: clemency for repeat offenders.
struct Lenient(RuleId);

impl Rule for Lenient {
    fn id(&self) -> &RuleId {
        &self.0
    }

    fn version(&self) -> u32 {
        1
    }
    fn evaluate(&self, view: &dyn View, trigger: &Trigger<'_>) -> Vec<Verdict> {
        let mut out = Vec::new();
        for a in trigger.changed.iter().filter_map(|a| view.allegation(a)) {
            if a.allegation.target != TargetCategory::NuclearPowerPlant
                || a.status() != VerificationStatus::Confirmed
                || !view.stands(&a.id)
                || view.is_cited(&a.id, &self.0)
            {
                continue;
            }
            let others = view
                .allegations_against(
                    a.accused(),
                    chrono::DateTime::<chrono::Utc>::MIN_UTC,
                    chrono::DateTime::<chrono::Utc>::MAX_UTC,
                )
                .into_iter()
                .filter(|o| o.id != a.id && o.status() == VerificationStatus::Confirmed)
                .count();
            out.push(Verdict {
                party: a.accused().clone(),
                level: if others == 0 {
                    Level::Reimposition
                } else {
                    Level::Warning
                },
                violations: vec![a.id],
                evidence: Vec::new(),
                procedure: Procedure::Immediate,
            });
        }
        out
    }
}

#[test]
fn a_rule_with_clemency_for_repeat_offenders_breaks_the_escalation_law() {
    let rules = RuleSet::new().with(Lenient(id("lenient")));
    let (why, log) = catch(
        &fixtures::energy_truce_with(SanctionPolicy::new()),
        &rules,
        laws::confirmations_never_lower_escalation,
    );
    assert!(
        why.contains("falls from full reimposition to warning"),
        "{why}"
    );
    assert!(log.len() <= 8, "{log:?}");
}

#[test]
fn a_violation_reads_well() {
    let rules = RuleSet::new().with(Hasty(id("hasty")));
    let (_, log) = catch(
        &fixtures::energy_truce(),
        &rules,
        laws::sanctions_need_confirmed_violations,
    );
    let v = laws::sanctions_need_confirmed_violations(&log, &rules).expect_err("still broken");
    assert_eq!(v.law, Law::SanctionsNeedConfirmedViolations);
    assert_eq!(v.log_len, log.len());
    let text = v.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "law broken: a rule never sanctions a party without a confirmed violation by that party"
    );
    assert!(
        lines[1].starts_with("decision D1 by rule hasty sanctions"),
        "{text}"
    );
    assert_eq!(lines[2], "events involved:");
    assert!(lines[3].starts_with("  #"), "{text}");
    assert!(text.ends_with(&format!("(the log holds {} records)", log.len())));
    // Usable with `?` where errors are boxed.
    let boxed: Box<dyn std::error::Error> = Box::new(v);
    assert!(boxed.to_string().contains("alleged, not confirmed"));
}

#[test]
fn laws_refuse_to_judge_an_invalid_log() {
    let log = Log::from_events([]);
    assert!(
        laws::all(&log, &RuleSet::new()).is_ok(),
        "an empty log breaks nothing"
    );
    let mut e = ceasefire::testing::Events::new();
    let broken = Log::from_events([e.by("UA").accepts("energy")]);
    let v = laws::replay_is_deterministic(&broken, &RuleSet::new()).expect_err("refused");
    assert!(v.problem.contains("the log itself is refused at #1"), "{v}");
}
