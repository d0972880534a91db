//! Every clock at its edges: exactly at a deadline, one second before, one second after.

use crate::common::{Writer, at, log_of, pid, records, relief, snapback, threshold, tid};
use ceasefire::Refused;
use ceasefire::agreement::{Activation, Agreement, Party, Role, SanctionPolicy, Term, TermKind};
use ceasefire::event::{Amendment, Finding, Payload, Period};
use ceasefire::sanction::{EndReason, Stage};
use ceasefire::state::TermStatus;
use ceasefire::time::{Span, Timestamp};
use ceasefire::{
    AgreementState, DecisionId, ExpectedVersion, Rejection, Store, StoreError, replay, replay_as_of,
};
use chrono::TimeDelta;

const SECOND: TimeDelta = TimeDelta::seconds(1);

fn around(t: Timestamp) -> [Timestamp; 3] {
    [t - SECOND, t, t + SECOND]
}

/// The term is in force one second before `end`, and expired at `end` and one second after.
fn expires_at(state: &AgreementState, term: &str, end: Timestamp) {
    let status = |t| state.term_status(&tid(term), t).expect("known term");
    assert_eq!(
        around(end).map(status),
        [
            TermStatus::InForce,
            TermStatus::Expired,
            TermStatus::Expired
        ],
        "{term} expires at {end}"
    );
}

/// The 2025 Easter truce, declared in Moscow time: 18:00 on 19 April to 00:00 on 21 April.
fn easter() -> Vec<ceasefire::Event> {
    let agreement = Agreement::new("Easter truce")
        .party(Party::new(pid("UA"), Role::Belligerent, "Ukraine"))
        .party(Party::new(pid("RU"), Role::Belligerent, "Russia"))
        .party(Party::new(pid("MON"), Role::Monitor, "Monitor"))
        .term(
            Term::new(
                tid("easter"),
                "Easter truce",
                TermKind::GeneralCeasefire { area: None },
            )
            .binding([pid("UA"), pid("RU")])
            .activation(Activation::At(at("2025-04-19T18:00:00+03:00")))
            .lasting(Span::hours(30)),
        )
        .policy(SanctionPolicy::new().rule(threshold(1).terms([tid("easter")])));
    let mut w = Writer::new();
    vec![
        w.event(
            "RU",
            "2025-04-19T15:00:00+03:00",
            "2025-04-19T15:00:00+03:00",
            Payload::AgreementConcluded(Box::new(agreement)),
        ),
        w.accept("RU", "easter", "2025-04-19T15:00:00+03:00"),
        w.accept("UA", "easter", "2025-04-19T16:00:00+03:00"),
    ]
}

#[test]
fn a_truce_declared_in_moscow_time_is_compared_in_utc() {
    let state = replay(records(easter())).expect("valid log");
    let start = at("2025-04-19T15:00:00Z");
    let status = |t| state.term_status(&tid("easter"), t).expect("known term");
    assert_eq!(
        around(start).map(status),
        [
            TermStatus::Pending,
            TermStatus::InForce,
            TermStatus::InForce
        ]
    );
    expires_at(&state, "easter", at("2025-04-20T21:00:00Z"));
}

#[test]
fn day_precision_reports_count_only_when_the_whole_day_is_inside() {
    let mut events = easter();
    let mut w = Writer::new();
    // Two reports about 20 April: one dated by its day, one to the minute in Kyiv time.
    let day = w.allege("UA", "RU", "2025-04-20", "2025-04-21T09:00:00Z");
    let exact = w.allege(
        "UA",
        "RU",
        "2025-04-20T23:30:00+03:00",
        "2025-04-21T09:01:00Z",
    );
    for e in [&day, &exact] {
        let mut e = (*e).clone();
        if let Payload::ViolationAlleged(a) = &mut e.payload {
            let a = std::sync::Arc::make_mut(a);
            a.term = tid("easter");
            a.target = ceasefire::agreement::TargetCategory::MilitaryObjective;
        }
        events.push(e);
    }
    let state = replay(records(events)).expect("valid log");
    let ids: Vec<_> = state.allegations().map(|a| a.id).collect();
    assert!(
        !state.counts_against(&ids[0]),
        "the truce ended at 21:00 UTC on the 20th"
    );
    assert!(
        state.counts_against(&ids[1]),
        "23:30 Kyiv time is 20:30 UTC"
    );
}

#[test]
fn a_thirty_day_term_expires_at_its_start_plus_thirty_days_across_a_month_end() {
    let mut w = Writer::new();
    let log = log_of(w.bound(SanctionPolicy::new()));
    let state = log.state().expect("state");
    expires_at(&state, "energy", at("2025-04-17T16:00:00Z"));
    // An extension recorded by the mediator moves the expiry.
    log.append(
        ExpectedVersion::Any,
        w.event(
            "US",
            "2025-04-10T00:00:00Z",
            "2025-04-10T00:00:00Z",
            Payload::TermAmended {
                term: tid("energy"),
                amendment: Amendment::Extend(Span::days(7)),
            },
        ),
    )
    .expect("extension");
    let state = log.state().expect("state");
    expires_at(&state, "energy", at("2025-04-24T16:00:00Z"));
}

#[test]
fn a_phase_starts_at_exactly_the_instant_the_previous_one_has_held() {
    let mut w = Writer::new();
    let state = replay(records(vec![
        w.genesis(SanctionPolicy::new()),
        w.accept("RU", "energy", "2025-03-18T16:00:00Z"),
        w.accept("UA", "energy", "2025-03-25T14:00:00Z"),
        w.accept("RU", "ceasefire", "2025-03-25T15:00:00Z"),
        w.accept("UA", "ceasefire", "2025-03-25T15:00:00Z"),
    ]))
    .expect("valid log");
    let held = at("2025-04-04T14:00:00Z");
    let status = |t| state.term_status(&tid("ceasefire"), t).expect("known term");
    assert_eq!(
        around(held).map(status),
        [
            TermStatus::Pending,
            TermStatus::InForce,
            TermStatus::InForce
        ]
    );
}

#[test]
fn late_reports_count_against_the_term_they_fall_in_and_no_other() {
    let mut w = Writer::new();
    let mut events = w.bound(SanctionPolicy::new().rule(threshold(1)));
    // Reported in May, about the term's last second, and about the instant it expired.
    let inside = w.allege("UA", "RU", "2025-04-17T15:59:59Z", "2025-05-02T00:00:00Z");
    let at_expiry = w.allege("UA", "RU", "2025-04-17T16:00:00Z", "2025-05-02T00:01:00Z");
    let before_start = w.allege("UA", "RU", "2025-03-18T15:59:59Z", "2025-05-02T00:02:00Z");
    let ids = [inside.id, at_expiry.id, before_start.id];
    events.extend([inside, at_expiry, before_start]);
    for (i, id) in ids.iter().enumerate() {
        events.push(w.find(
            "MON",
            *id,
            Finding::Confirmed,
            &format!("2025-05-03T00:0{i}:00Z"),
        ));
    }
    let state = replay(records(events)).expect("valid log");
    assert!(state.counts_against(&ids[0]));
    assert!(!state.counts_against(&ids[1]));
    assert!(!state.counts_against(&ids[2]));
    let d = &state.decisions()[0];
    assert_eq!(d.violations, vec![ids[0]]);
    assert_eq!(
        d.decided_at,
        at("2025-05-03T00:00:00Z"),
        "counted from its confirmation"
    );
    assert_eq!(state.decisions().len(), 1);
}

fn snapback_log(days: u64) -> (Writer, Vec<ceasefire::Event>) {
    let mut w = Writer::new();
    let mut events = w.bound(snapback(days));
    let a = w.allege("UA", "RU", "2025-03-26T01:00:00Z", "2025-03-26T06:00:00Z");
    let id = a.id;
    events.push(a);
    events.push(w.find("MON", id, Finding::Confirmed, "2025-03-28T00:00:00Z"));
    (w, events)
}

#[test]
fn a_notice_is_a_notice_until_the_deadline_and_in_force_from_it() {
    let (_, events) = snapback_log(30);
    let state = replay(records(events)).expect("valid log");
    let deadline = at("2025-04-27T00:00:00Z");
    let stage = |t| state.decision_stage(DecisionId(1), t).expect("decision");
    assert_eq!(
        around(deadline).map(stage),
        [Stage::Notice { deadline }, Stage::InForce, Stage::InForce]
    );
    assert_eq!(state.notices_pending(deadline - SECOND).len(), 1);
    assert!(
        state.sanctions_in_force(deadline - SECOND).is_empty(),
        "not retroactive"
    );
}

#[test]
fn a_confirmation_after_the_dispute_window_counts_from_its_confirmation() {
    let (mut w, mut events) = snapback_log(30);
    // A refutation stops the first procedure; a second violation is confirmed only after
    // the first window would have closed: its own notice runs from its confirmation.
    let first = events[3].id;
    events.push(w.find("MON2", first, Finding::Refuted, "2025-04-01T00:00:00Z"));
    let b = w.allege("UA", "RU", "2025-04-02T01:00:00Z", "2025-04-02T06:00:00Z");
    let b_id = b.id;
    events.push(b);
    events.push(w.find("MON", b_id, Finding::Confirmed, "2025-04-28T00:00:00Z"));
    let state = replay(records(events)).expect("valid log");
    assert_eq!(
        state.decision_stage(DecisionId(1), at("2025-04-27T00:00:00Z")),
        Some(Stage::Ended(EndReason::Stopped))
    );
    let second = state.decision(DecisionId(2)).expect("second decision");
    assert_eq!(second.decided_at, at("2025-04-28T00:00:00Z"));
    assert_eq!(second.effective_at, Some(at("2025-05-28T00:00:00Z")));
}

#[test]
fn the_mediator_can_halt_until_one_second_before_the_deadline() {
    let deadline = at("2025-04-27T00:00:00Z");
    for (when, ok) in [
        (deadline - SECOND, true),
        (deadline, false),
        (deadline + SECOND, false),
    ] {
        let (mut w, events) = snapback_log(30);
        let log = log_of(events);
        let stamp = when.to_rfc3339();
        let halt = w.event(
            "US",
            &stamp,
            &stamp,
            Payload::ProcedureHalted {
                decision: DecisionId(1),
                reason: "continuation of relief adopted".into(),
            },
        );
        match (log.append(ExpectedVersion::Any, halt), ok) {
            (Ok(_), true) => {}
            (
                Err(StoreError::Rejected(Refused {
                    reason: Rejection::DeadlinePassed { deadline: d, .. },
                    ..
                })),
                false,
            ) => {
                assert_eq!(d, deadline);
            }
            (other, _) => panic!("halt at {when}: {other:?}"),
        }
    }
}

#[test]
fn relief_is_granted_exactly_when_period_and_quorum_are_both_in() {
    let mut w = Writer::new();
    let mut events = w.bound(SanctionPolicy::new().rule(threshold(1)).relief(relief(30)));
    let a = w.allege("UA", "RU", "2025-03-26T01:00:00Z", "2025-03-26T06:00:00Z");
    let a_id = a.id;
    events.push(a);
    events.push(w.find("MON", a_id, Finding::Confirmed, "2025-03-28T00:00:00Z"));
    let imposition = w.event(
        "US",
        "2025-03-28T00:00:00Z",
        "2025-03-28T00:00:00Z",
        Payload::SanctionImposed {
            against: pid("RU"),
            level: ceasefire::agreement::Level::Warning,
            decision: Some(DecisionId(1)),
            measures: "warning".into(),
        },
    );
    let imposition_id = imposition.id;
    events.push(imposition);
    events.push(w.event(
        "CONGRESS",
        "2025-04-01T00:00:00Z",
        "2025-04-01T00:00:00Z",
        Payload::ReliefApproved { party: pid("RU") },
    ));
    events.push(w.event(
        "COUNCIL",
        "2025-04-02T00:00:00Z",
        "2025-04-02T00:00:00Z",
        Payload::ReliefApproved { party: pid("RU") },
    ));
    let log = log_of(events);
    let due = at("2025-04-27T00:00:00Z");
    let state = log.state().expect("state");
    assert_eq!(state.relief_due(&pid("RU")), Some(due));
    let stage = |t| state.decision_stage(DecisionId(1), t).expect("decision");
    assert_eq!(
        around(due).map(stage),
        [
            Stage::InForce,
            Stage::Ended(EndReason::Relieved),
            Stage::Ended(EndReason::Relieved)
        ]
    );
    // Lifting the recorded sanction is refused one second early and accepted at the instant.
    let lift = |w: &mut Writer, t: Timestamp| {
        let s = t.to_rfc3339();
        w.event(
            "US",
            &s,
            &s,
            Payload::SanctionLifted {
                imposition: imposition_id,
                reason: "relief".into(),
            },
        )
    };
    let early = lift(&mut w, due - SECOND);
    match log.append(ExpectedVersion::Any, early) {
        Err(StoreError::Rejected(Refused {
            reason: Rejection::ReliefNotGranted(p),
            ..
        })) => assert_eq!(p, pid("RU")),
        other => panic!("lifting early: {other:?}"),
    }
    log.append(ExpectedVersion::Any, lift(&mut w, due))
        .expect("lifting at the instant");
    let state = log.state().expect("state");
    assert_eq!(
        state.reliefs().len(),
        1,
        "recorded at the first event at or after it was due"
    );
    assert_eq!(state.reliefs()[0].at, due);
}

#[test]
fn as_of_a_knowledge_time_equals_the_log_recorded_by_then() {
    let (mut w, mut events) = snapback_log(30);
    events.push(w.event(
        "MON",
        "2025-03-20T00:00:00Z",
        "2025-04-05T00:00:00Z",
        Payload::ComplianceAttested {
            party: pid("UA"),
            term: tid("energy"),
            period: Period {
                from: at("2025-03-18T16:00:00Z"),
                to: at("2025-03-20T00:00:00Z"),
            },
            statement: "no strikes observed".into(),
        },
    ));
    let all = records(events);
    for cut in 0..=all.len() {
        let known_at = match cut {
            0 => at("2025-03-01T00:00:00Z"),
            n => all[n - 1].event.recorded_at,
        };
        let as_of = replay_as_of(&all, known_at).expect("valid log");
        let recorded_by_then = all.iter().take_while(|r| r.event.recorded_at <= known_at);
        let prefix = replay(recorded_by_then).expect("valid prefix");
        assert_eq!(as_of, prefix, "as of {known_at}");
    }
    // What was known on 27 March: the allegation, not yet its confirmation.
    let then = replay_as_of(&all, at("2025-03-27T23:59:59Z")).expect("valid log");
    assert_eq!(then.decisions().len(), 0);
    assert_eq!(then.allegations().count(), 1);
    // What happened between 18 and 27 March (world time) is answered from the full log.
    let full: AgreementState = replay(&all).expect("valid log");
    let within: Vec<_> = full
        .allegations_occurred_within(at("2025-03-18T00:00:00Z"), at("2025-03-27T00:00:00Z"))
        .collect();
    assert_eq!(within.len(), 1);
}
