//! Regression tests for core bugs found by the property-testing kit, each with the minimal log
//! the kit shrank to (rewritten by hand with `Events`).

#![cfg(feature = "proptest")]

use ceasefire::Payload;
use ceasefire::agreement::{
    AcceptanceLevel, Condition, SanctionPolicy, TargetCategory, ThresholdRule,
};
use ceasefire::id::ConditionId;
use ceasefire::testing::{Events, Log, fixtures};
use ceasefire::time::Span;

/// Found by `laws::confirmations_never_lower_escalation`: Ukraine accepts the energy halt on a
/// condition, the condition is met (Ukraine is bound from then), a violation by Ukraine is
/// confirmed and sanctioned; Ukraine then "raises" its acceptance to binding. Before the fix
/// the raised acceptance restarted Ukraine's obligations at the later date, so the confirmed
/// violation stopped counting and the sanction was voided.
#[test]
fn raising_an_acceptance_that_already_binds_keeps_the_earlier_start() {
    let policy = SanctionPolicy::new().rule(ThresholdRule::new(
        fixtures::rule("one-strike"),
        1,
        Span::days(14),
    ));
    let condition = ConditionId::new("guarantees").expect("a valid id");
    let mut e = Events::new();
    let mut events = vec![
        e.genesis(fixtures::energy_truce_with(policy)),
        e.at("2025-03-18T13:00:00Z").by("RU").accepts("energy"),
        e.by("UA").accepts_at(
            "energy",
            AcceptanceLevel::Conditional {
                conditions: vec![Condition::new(condition.clone(), "security guarantees")],
            },
        ),
        e.at("2025-03-19T00:00:00Z")
            .by("US")
            .says(Payload::ConditionMet {
                condition,
                note: "given".into(),
            }),
        e.at("2025-03-20T00:00:00Z")
            .by("RU")
            .alleges("UA", "energy", TargetCategory::PowerGrid),
    ];
    let strike = events[4].id;
    events.push(e.at("2025-03-21T00:00:00Z").by("MON").confirms(strike));
    events.push(e.at("2025-03-22T00:00:00Z").by("UA").accepts("energy"));
    let state = ceasefire::replay(Log::from_events(events)).expect("a valid log");
    let window = state
        .obligation_window(&fixtures::term("energy"), &fixtures::party("UA"))
        .expect("Ukraine is bound");
    assert_eq!(
        window.start,
        "2025-03-19T00:00:00Z"
            .parse::<ceasefire::time::Timestamp>()
            .expect("time"),
        "bound since the condition was met"
    );
    assert!(state.counts_against(&strike), "the violation still counts");
    assert!(
        state.decisions().iter().all(|d| d.ending.is_none()),
        "the sanction is not voided: {:?}",
        state.decisions()
    );
}

/// Found by the kit's `strategy::event` round-trip test: a coordinate read back from JSON was
/// not the one written (`-11.912520031807091` came back as `-11.912520031807093`), so an event
/// read back from a store was not equal to the event appended, and a retried append of it
/// would be taken for a conflicting one. serde_json needs its `float_roundtrip` feature.
#[test]
fn coordinates_survive_a_json_round_trip() {
    use ceasefire::event::{Coordinates, Place};
    let mut e = Events::new();
    let mut strike = e.by("UA").alleges("RU", "energy", TargetCategory::Refinery);
    if let Payload::ViolationAlleged(a) = &mut strike.payload {
        a.place = Place::named("Sloviansk")
            .at(Coordinates::new(-11.912_520_031_807_091, 0.0).expect("a point"));
    }
    let json = serde_json::to_string(&strike).expect("serializes");
    let back: ceasefire::Event = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, strike);
}
