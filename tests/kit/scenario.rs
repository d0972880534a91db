//! The given / when / then helper is tested: each expectation passes when it should, and fails
//! with an account of what happened when it should not.

#![cfg(feature = "proptest")]

use crate::nuclear::NuclearRedLine;
use ceasefire::Event;
use ceasefire::Rejection;
use ceasefire::agreement::{Level, Procedure, SanctionPolicy, TargetCategory, ThresholdRule};
use ceasefire::sanction::RuleSet;
use ceasefire::testing::scenario::{given, sanction};
use ceasefire::testing::{Events, fixtures};
use ceasefire::time::Span;

/// The genesis, Russia bound from 18 March, and three strikes on energy alleged by Ukraine.
fn three_strikes(e: &mut Events) -> (Vec<Event>, Vec<Event>) {
    let mut given = vec![
        e.genesis(fixtures::energy_truce()),
        e.at("2025-03-18T18:00:00Z").by("RU").accepts("energy"),
    ];
    let strikes: Vec<Event> = (19..22)
        .map(|day| {
            e.at(&format!("2025-03-{day}T02:00:00Z")).by("UA").alleges(
                "RU",
                "energy",
                TargetCategory::PowerGrid,
            )
        })
        .collect();
    given.extend(strikes.clone());
    (given, strikes)
}

#[test]
fn the_third_confirmation_crosses_the_threshold() {
    let mut e = Events::new();
    let (before, strikes) = three_strikes(&mut e);
    let first_two: Vec<Event> = strikes[..2]
        .iter()
        .map(|s| e.at("2025-03-23T00:00:00Z").by("MON").confirms(s.id))
        .collect();
    let third = e.by("MON").confirms(strikes[2].id);
    let outcome = given(before).and(first_two).when(third);
    outcome
        .then_sanctions([sanction("RU")
            .rule("energy-3")
            .level(Level::Warning)
            .procedure(Procedure::Immediate)
            .citing(strikes.iter().map(|s| s.id))])
        .expect("a warning citing the three strikes");
    outcome
        .then_in_force([sanction("RU").level(Level::Warning)])
        .expect("in force at once");
    assert_eq!(outcome.changes().map(|c| c.decided.len()), Some(1));

    let wrong = outcome
        .then_sanctions([sanction("RU").level(Level::Sectoral)])
        .expect_err("not at that level");
    let text = wrong.to_string();
    assert!(
        text.starts_with("expected a sanction against RU at sectoral sanctions; the event made D1 by energy-3 against RU at warning"),
        "{text}"
    );
    assert!(
        text.contains("missing: a sanction against RU at sectoral sanctions"),
        "{text}"
    );
    assert!(text.contains("the log:\n  #1 "), "{text}");
    assert!(outcome.then_no_sanction().is_err());
}

#[test]
fn refusals_are_expected_by_reason() {
    let mut e = Events::new();
    let (before, strikes) = three_strikes(&mut e);
    let by_a_belligerent = e
        .at("2025-03-23T00:00:00Z")
        .by("UA")
        .confirms(strikes[0].id);
    let outcome = given(before.clone()).when(by_a_belligerent);
    outcome
        .then_rejected(|r| matches!(r, Rejection::Unauthorized { .. }))
        .expect("only monitors rule");
    let other = outcome
        .then_rejected(|r| matches!(r, Rejection::UnknownAllegation(_)))
        .expect_err("another reason");
    assert!(
        other
            .to_string()
            .contains("refused, but for another reason")
    );
    assert!(outcome.then_no_sanction().is_err(), "the event was refused");

    let fine = given(before).when(e.by("MON").confirms(strikes[0].id));
    let accepted = fine.then_rejected(|_| true).expect_err("it was accepted");
    assert!(
        accepted
            .to_string()
            .contains("expected a refusal; the event was accepted")
    );
}

#[test]
fn a_refused_given_event_is_named() {
    let mut e = Events::new();
    let genesis = e.genesis(fixtures::energy_truce());
    let bad = e.by("MON").accepts("energy");
    let failure = given([genesis, bad])
        .when(e.by("RU").accepts("energy"))
        .then_no_sanction()
        .expect_err("the given log is broken");
    assert!(
        failure
            .to_string()
            .starts_with("given event 2 was refused: MON is not bound by term energy"),
        "{failure}"
    );
}

#[test]
fn downstream_rules_run_beside_the_policy() {
    let rules = RuleSet::new().with(NuclearRedLine::new());
    let mut e = Events::new();
    let policy = SanctionPolicy::new().rule(ThresholdRule::new(
        fixtures::rule("one-strike"),
        1,
        Span::days(14),
    ));
    let genesis = e.genesis(fixtures::energy_truce_with(policy));
    let binds = e.at("2025-03-18T18:00:00Z").by("RU").accepts("energy");
    let strike = e.at("2025-03-20T06:00:00Z").by("UA").alleges(
        "RU",
        "energy",
        TargetCategory::NuclearPowerPlant,
    );
    given([genesis, binds, strike.clone()])
        .rules(rules)
        .when(e.at("2025-03-21T09:00:00Z").by("MON").confirms(strike.id))
        .then_sanctions([
            sanction("RU").rule("one-strike").level(Level::Warning),
            sanction("RU")
                .rule("nuclear-red-line")
                .level(Level::Reimposition)
                .citing([strike.id]),
        ])
        .expect("both rules fire on the same strike");
}
