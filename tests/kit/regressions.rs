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
        let a = std::sync::Arc::make_mut(a);
        a.place = Place::named("Sloviansk")
            .at(Coordinates::new(-11.912_520_031_807_091, 0.0).expect("a point"));
    }
    let json = serde_json::to_string(&strike).expect("serializes");
    let back: ceasefire::Event = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, strike);
}

// Core behaviour the kit found that broke a law, and the model decisions that settled it.

use ceasefire::agreement::{EvidenceStandard, Level, Procedure};
use ceasefire::sanction::RuleSet;
use ceasefire::testing::laws;
use ceasefire::testing::scenario::given;
use ceasefire::{DecisionId, Event};

fn threshold(n: u32) -> ThresholdRule {
    ThresholdRule::new(fixtures::rule("threshold"), n, Span::days(14))
}

/// Found by `laws::discounted_allegations_change_nothing` on a generated agreement. A
/// mediator halts a notice-and-deadline procedure; its violations used to be released (a
/// halted decision does not stand), so the next event that touched one of them, here Russia's
/// own denial, made the rule decide again on the same violations. Fixed: a halted decision
/// keeps its violations cited (`Decision::holds_violations`); only a stopped or voided one
/// releases them.
#[test]
fn a_denial_does_not_reopen_a_halted_procedure() {
    let policy =
        SanctionPolicy::new().rule(threshold(2).evidence(EvidenceStandard::Alleged).procedure(
            Procedure::NoticeAndDeadline {
                dispute_window: Span::days(30),
            },
        ));
    let mut e = Events::new();
    let first = [
        e.genesis(fixtures::energy_truce_with(policy)),
        e.at("2025-03-18T18:00:00Z").by("RU").accepts("energy"),
        e.at("2025-03-19T02:00:00Z")
            .by("UA")
            .alleges("RU", "energy", TargetCategory::PowerGrid),
        e.at("2025-03-20T02:00:00Z")
            .by("UA")
            .alleges("RU", "energy", TargetCategory::Refinery),
        e.at("2025-03-25T00:00:00Z").by("US").halts(DecisionId(1)),
    ];
    let strike = first[2].id;
    given(first)
        .when(e.at("2025-03-26T00:00:00Z").by("RU").denies(strike))
        .then_no_sanction()
        .expect("the halted procedure stays halted");
}

/// Found by `laws::confirmations_never_lower_escalation` (threshold 2 within 14 days,
/// confirmed by one monitor, ladder). Rungs used to be fixed when decisions were made.
/// Without the extra violation the pair (a1, a2) was sanctioned first, at a warning, and
/// (a3, a4) next, a rung higher; the retraction of a2 voided the warning and Russia ended at
/// targeted sanctions. With one more confirmed violation next to a3, that pair took the
/// warning, (a1, a2) the higher rung, and the retraction voided it: Russia ended a rung lower.
/// Fixed: a decision's rung follows its rank among the standing decisions of its rule against
/// the party (`Decision::revisions`), so once the first decision is voided the second is the
/// first that stands and is a warning, in both logs.
#[test]
fn an_extra_confirmed_violation_never_leaves_a_party_a_rung_lower() {
    let policy = SanctionPolicy::new().rule(threshold(2));
    let mut e = Events::new();
    let genesis = e.genesis(fixtures::energy_truce_with(policy));
    let binds = e.at("2025-03-18T13:00:00Z").by("RU").accepts("energy");
    let mut allege = |recorded: &str, occurred: &str| {
        e.at(recorded).occurred(occurred).by("UA").alleges(
            "RU",
            "energy",
            TargetCategory::PowerGrid,
        )
    };
    // Two pairs, more than 14 days apart.
    let a1 = allege("2025-03-21T00:00:00Z", "2025-03-19T00:00:00Z");
    let a2 = allege("2025-03-21T00:00:00Z", "2025-03-20T00:00:00Z");
    let a3 = allege("2025-04-07T00:00:00Z", "2025-04-05T00:00:00Z");
    let a4 = allege("2025-04-07T00:00:00Z", "2025-04-06T00:00:00Z");
    let extra = allege("2025-04-10T00:00:00Z", "2025-04-04T12:00:00Z");
    let confirm_a3 = e.at("2025-04-10T00:00:00Z").by("MON").confirms(a3.id);
    let confirm_extra = e.by("MON").confirms(extra.id);
    let rest = [
        e.at("2025-04-10T01:00:00Z").by("MON").confirms(a1.id),
        e.by("MON").confirms(a2.id),
        e.at("2025-04-10T02:00:00Z").by("MON").confirms(a4.id),
        e.at("2025-04-10T03:00:00Z").by("UA").retracts(a2.id),
    ];
    let end = e.now();
    let level = |events: &[Event]| {
        let state = ceasefire::replay(Log::from_events(events.to_vec())).expect("a valid log");
        state.escalation_level(&fixtures::party("RU"), end)
    };
    let base = vec![genesis, binds, a1, a2, a3, a4, confirm_a3];
    let without: Vec<Event> = base.iter().cloned().chain(rest.clone()).collect();
    let with: Vec<Event> = base
        .into_iter()
        .chain([extra, confirm_extra])
        .chain(rest)
        .collect();
    assert_eq!(level(&without), Some(Level::Warning), "revised down a rung");
    assert_eq!(level(&with), Some(Level::Warning));
    let found =
        laws::confirmations_never_lower_escalation(&Log::from_events(without), &RuleSet::new());
    assert!(found.is_ok(), "{found:?}");
}

/// Found by `laws::confirmations_never_lower_escalation` on the fixture. The ceasefire phase
/// starts once the energy halt has held for ten days with no confirmed violation. A violation
/// of the energy halt inside those ten days, confirmed late, used to mean the ceasefire never
/// started, so a confirmed ceasefire violation stopped counting and its sanction was voided: a
/// party could escape sanctions for a ceasefire by having violated the phase before it.
/// Decided: whether a phase has held is judged on what was known at the instant it would
/// start; a violation confirmed later still counts against the earlier phase, but does not
/// un-start the later one.
#[test]
fn a_late_confirmed_violation_of_an_earlier_phase_keeps_the_later_sanctions() {
    let policy = SanctionPolicy::new().rule(
        ThresholdRule::new(fixtures::rule("ceasefire-1"), 1, Span::days(14))
            .terms([fixtures::term("ceasefire")]),
    );
    let mut e = Events::new();
    let mut events = vec![
        e.genesis(fixtures::energy_truce_with(policy)),
        e.by("RU").accepts("energy"),
        e.by("UA").accepts("energy"),
        e.by("RU").accepts("ceasefire"),
        e.by("UA").accepts("ceasefire"),
        e.at("2025-03-30T00:00:00Z").by("UA").alleges(
            "RU",
            "ceasefire",
            TargetCategory::MilitaryObjective,
        ),
    ];
    let breach = events[5].id;
    events.push(e.at("2025-03-31T00:00:00Z").by("MON").confirms(breach));
    let early = e
        .at("2025-04-01T00:00:00Z")
        .occurred("2025-03-20T00:00:00Z")
        .by("UA")
        .alleges("RU", "energy", TargetCategory::PowerGrid);
    let confirm = e.at("2025-04-02T00:00:00Z").by("MON").confirms(early.id);
    let at = e.now();
    let before = ceasefire::replay(Log::from_events(events.clone())).expect("valid");
    assert_eq!(
        before.escalation_level(&fixtures::party("RU"), at),
        Some(Level::Warning)
    );
    events.extend([early, confirm]);
    let after = ceasefire::replay(Log::from_events(events)).expect("valid");
    assert_eq!(
        after.escalation_level(&fixtures::party("RU"), at),
        Some(Level::Warning),
        "the ceasefire sanction was voided: {:?}",
        after.decisions()
    );
}

/// Found by `laws::confirmations_never_lower_escalation` with a threshold of one (allegations
/// alone, ladder), when a late-confirmed breach of the energy halt un-started the ceasefire
/// and voided two ceasefire sanctions while the sectoral one that followed them kept its rung.
/// Both decisions above settle it. A breach confirmed after the ceasefire started no longer
/// un-starts it, so Ukraine keeps all three sanctions; a breach confirmed before the ceasefire
/// would start means it never starts, so what would have violated it never counts: that is a
/// change of who is bound, which the law leaves out on purpose, not a lower escalation.
#[test]
fn a_phase_that_started_stays_started_and_one_that_never_did_binds_nobody() {
    let policy = SanctionPolicy::new().rule(threshold(1).evidence(EvidenceStandard::Alleged));
    let mut e = Events::new();
    let genesis = e.genesis(fixtures::energy_truce_with(policy));
    let commitments = [
        e.by("RU").accepts("energy"),
        e.by("UA").accepts("energy"),
        e.by("RU").accepts("ceasefire"),
        e.by("UA").accepts("ceasefire"),
    ];
    // A violation by Ukraine of the energy halt in its first ten days, confirmed at once.
    let extra =
        e.at("2025-03-19T12:00:00Z")
            .by("RU")
            .alleges("UA", "energy", TargetCategory::Refinery);
    let confirm_extra = e.by("MON").confirms(extra.id);
    // The ceasefire starts on 28 March at 12:00 if the energy halt held until then.
    let later = [
        e.at("2025-03-29T00:00:00Z").by("RU").alleges(
            "UA",
            "ceasefire",
            TargetCategory::MilitaryObjective,
        ),
        e.by("RU")
            .alleges("UA", "ceasefire", TargetCategory::CivilianSite),
        e.by("RU")
            .alleges("UA", "energy", TargetCategory::PowerGrid),
    ];
    // Russia's own breach of the energy halt in its first ten days, reported late.
    let russian = e
        .at("2025-03-30T00:00:00Z")
        .occurred("2025-03-20T00:00:00Z")
        .by("UA")
        .alleges("RU", "energy", TargetCategory::PowerGrid);
    let confirm_russian = e.by("MON").confirms(russian.id);
    let end = e.now();
    let ua = fixtures::party("UA");
    let level = |events: Vec<Event>| {
        let state = ceasefire::replay(Log::from_events(events)).expect("a valid log");
        state.escalation_level(&ua, end)
    };
    let mut without = vec![genesis];
    without.extend(commitments);
    let mut with = without.clone();
    without.extend(later.clone());
    without.extend([russian.clone(), confirm_russian.clone()]);
    with.extend([extra, confirm_extra]);
    with.extend(later);
    with.extend([russian, confirm_russian]);
    assert_eq!(
        level(without.clone()),
        Some(Level::Sectoral),
        "nothing un-starts"
    );
    assert_eq!(
        level(with.clone()),
        Some(Level::Targeted),
        "the ceasefire never started: its breaches are not violations"
    );
    for events in [without, with] {
        let log = Log::from_events(events);
        let law = laws::confirmations_never_lower_escalation(&log, &RuleSet::new());
        assert!(law.is_ok(), "{law:?}");
    }
}

/// Found by `laws::snapshot_resumes_like_replay` in `tests/downstream_rule.rs` (its seed is in
/// `downstream_rule.proptest-regressions`): a state restored from a snapshot did not rebuild
/// its index of recorded sanctions still in force, so it refused a relief approval the
/// original accepted (`NothingToRelieve`).
#[test]
fn a_snapshot_remembers_the_sanctions_in_force() {
    let mut e = Events::new();
    let genesis = e.genesis(fixtures::energy_truce());
    let imposed = e.by("US").says(Payload::SanctionImposed {
        against: fixtures::party("UA"),
        level: Level::Warning,
        decision: None,
        measures: "a warning".into(),
    });
    let approval = e.by("CONGRESS").approves_relief("UA");
    let log = Log::from_events([genesis, imposed, approval]);
    let mut original = ceasefire::replay(&log[..2]).expect("a valid prefix");
    let json = serde_json::to_string(&original).expect("serializes");
    let mut restored: ceasefire::AgreementState = serde_json::from_str(&json).expect("restores");
    let last = &log[2];
    assert_eq!(
        restored
            .apply(last)
            .expect("the restored state accepts the approval"),
        original.apply(last).expect("the original accepts it")
    );
    laws::snapshot_resumes_like_replay(&log, &RuleSet::new()).expect("the law holds");
}
