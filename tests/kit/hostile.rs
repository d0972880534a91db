//! The hostile-log strategy is tested: it really produces each kind of invalid input (counted
//! over a few hundred logs, from what lenient replay refuses), and nothing panics on it.

#![cfg(feature = "proptest")]

use std::collections::BTreeMap;

use ceasefire::agreement::{Level, Procedure};
use ceasefire::event::Record;
use ceasefire::sanction::{Rule, RuleSet, Trigger, Verdict, View};
use ceasefire::testing::{
    Config, Defect, HostileLog, fixtures, hostile_log, laws, proptest_config,
};
use ceasefire::time::Span;
use ceasefire::{EventId, PartyId, Rejection, RuleId, replay_lenient};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

/// The kinds of invalid input the issue names, as lenient replay reports them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Found {
    WrongOrder,
    UnknownId,
    Unauthorized,
    Duplicate,
    TimeBackwards,
    NoGenesis,
    Other,
}

fn classify(reason: &Rejection) -> Found {
    match reason {
        Rejection::OutOfSequence { .. } => Found::WrongOrder,
        Rejection::NotGenesis { .. } => Found::NoGenesis,
        Rejection::UnknownParty(_)
        | Rejection::UnknownTerm(_)
        | Rejection::UnknownCondition(_)
        | Rejection::UnknownAllegation(_)
        | Rejection::UnknownDecision(_)
        | Rejection::UnknownImposition(_) => Found::UnknownId,
        Rejection::Unauthorized { .. } => Found::Unauthorized,
        Rejection::DuplicateId { .. } | Rejection::SecondGenesis { .. } => Found::Duplicate,
        Rejection::RecordedBeforePrevious { .. } => Found::TimeBackwards,
        _ => Found::Other,
    }
}

fn sample(n: usize) -> Vec<HostileLog> {
    let strategy = hostile_log(&fixtures::energy_truce(), Config::default());
    let mut runner = TestRunner::deterministic();
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).expect("a value").current())
        .collect()
}

#[test]
fn every_kind_of_invalid_input_is_produced() {
    let logs = sample(300);
    let mut planted: BTreeMap<Defect, usize> = BTreeMap::new();
    let mut found: BTreeMap<Found, usize> = BTreeMap::new();
    let mut broken = 0;
    for h in &logs {
        for d in &h.defects {
            *planted.entry(*d).or_default() += 1;
        }
        let lenient = replay_lenient(&h.log);
        for r in &lenient.rejected {
            *found.entry(classify(&r.reason)).or_default() += 1;
        }
        let applied = lenient.state.event_count();
        assert_eq!(
            applied + lenient.rejected.len(),
            h.log.len(),
            "every record is applied or refused"
        );
        if !lenient.rejected.is_empty() || !lenient.gaps.is_empty() {
            broken += 1;
        }
    }
    eprintln!("planted over 300 logs: {planted:?}");
    eprintln!("refused by lenient replay: {found:?}; logs with a refusal or gap: {broken}");
    for d in Defect::ALL {
        assert!(
            planted.get(&d).copied().unwrap_or(0) >= 20,
            "{d} planted too rarely: {planted:?}"
        );
    }
    for f in [
        Found::WrongOrder,
        Found::UnknownId,
        Found::Unauthorized,
        Found::Duplicate,
        Found::TimeBackwards,
        Found::NoGenesis,
    ] {
        assert!(
            found.get(&f).copied().unwrap_or(0) >= 20,
            "{f:?} refused too rarely: {found:?}"
        );
    }
    assert!(
        broken * 10 >= 300 * 9,
        "most hostile logs are broken: {broken}"
    );
}

/// A rule written carelessly: it cites whatever it finds, against whomever, with made-up
/// evidence, and it reads the view with ids that do not exist.
struct Careless(RuleId);

impl Rule for Careless {
    fn id(&self) -> &RuleId {
        &self.0
    }

    fn version(&self) -> u32 {
        1
    }
    fn evaluate(&self, view: &dyn View, trigger: &Trigger<'_>) -> Vec<Verdict> {
        let nowhere = EventId::from_parts(fixtures::start(), 9).expect("a small tail fits");
        let _ = view.allegation(&nowhere);
        let _ = view.stands(&nowhere);
        let _ = view.standing_decisions(&self.0, &fixtures::party("XX"));
        let mut verdicts = vec![Verdict {
            party: PartyId::new("nobody").expect("id"),
            level: Level::Warning,
            violations: Vec::new(),
            evidence: vec![nowhere],
            procedure: Procedure::Immediate,
        }];
        for id in trigger.changed {
            verdicts.push(Verdict {
                party: trigger.record.event.author.clone(),
                level: Level::Sectoral,
                violations: vec![*id, nowhere],
                evidence: vec![trigger.record.event.id],
                procedure: Procedure::NoticeAndDeadline {
                    dispute_window: Span::seconds(u64::MAX),
                },
            });
        }
        verdicts
    }
}

fn careless() -> RuleSet {
    RuleSet::new().with(Careless(RuleId::new("careless").expect("id")))
}

proptest! {
    #![proptest_config(proptest_config(64))]

    #[test]
    fn nothing_panics_on_hostile_logs(hostile in hostile_log(&fixtures::energy_truce(), Config::default())) {
        laws::replay_never_panics(&hostile.log, &RuleSet::new())?;
        laws::replay_never_panics(&hostile.log, &careless())?;
    }

    #[test]
    fn nothing_panics_on_arbitrary_events(
        events in proptest::collection::vec(ceasefire::testing::strategy::event(&fixtures::energy_truce()), 0..20),
        seqs in proptest::collection::vec(0..30u64, 20),
    ) {
        let records: Vec<Record> = events
            .into_iter()
            .zip(seqs)
            .map(|(e, s)| Record::new(ceasefire::Seq(s), e))
            .collect();
        laws::replay_never_panics(&records, &careless())?;
    }
}

#[test]
fn a_panicking_rule_is_reported_with_the_log() {
    struct Panicky(RuleId);
    impl Rule for Panicky {
        fn id(&self) -> &RuleId {
            &self.0
        }

        fn version(&self) -> u32 {
            1
        }
        fn evaluate(&self, _: &dyn View, trigger: &Trigger<'_>) -> Vec<Verdict> {
            assert!(
                trigger.record.seq.get() < 3,
                "the rule gave up at {}",
                trigger.record.seq
            );
            Vec::new()
        }
    }
    let rules = RuleSet::new().with(Panicky(RuleId::new("panicky").expect("id")));
    let strategy = ceasefire::testing::valid_log(
        &fixtures::energy_truce(),
        &RuleSet::new(),
        Config::default(),
    );
    let mut runner = TestRunner::deterministic();
    let log = std::iter::repeat_with(|| strategy.new_tree(&mut runner).expect("a value").current())
        .find(|log| log.len() > 5)
        .expect("a long enough log");
    // The panic message is printed (the panic hook is global, so it is left alone); the law
    // catches the panic and reports it.
    let outcome = laws::replay_never_panics(&log, &rules);
    let violation = outcome.expect_err("the panic is caught");
    let text = violation.to_string();
    assert!(text.contains("replay never panics"), "{text}");
    assert!(text.contains("the rule gave up at #3"), "{text}");
}
