//! The model the 2025 record needs, at its edges: terms proposed and declared after the
//! genesis, fixed windows, refusals and counter-proposals, per-party status, uncertain times,
//! unknown and disputed targets, and the schema version that says which of them an event
//! uses.

use crate::common::{Writer, at, log_of, pid, records, threshold, tid};
use ceasefire::agreement::{
    AcceptanceLevel, AgreementError, Obligation, SanctionPolicy, TargetCategory, Term, TermKind,
};
use ceasefire::event::{Allegation, Finding, Payload, RefusalReason, SchemaVersion};
use ceasefire::sanction::EndReason;
use ceasefire::state::{PartyStatus, TermStatus};
use ceasefire::time::{Occurred, Span, TimeError, parse_occurred};
use ceasefire::{
    AgreementState, Event, EventLog, ExpectedVersion, Rejection, Store, StoreError, replay,
    replay_as_of,
};

/// The Easter truce as declared: 18:00 Moscow time on 19 April to midnight on 20/21 April,
/// that is 15:00 UTC on 19 April to 21:00 UTC on 20 April; a per-party clock.
fn easter() -> Term {
    Term::new(
        tid("easter"),
        "Easter truce",
        TermKind::GeneralCeasefire { area: None },
    )
    .binding([pid("UA"), pid("RU")])
    .fixed_window(
        at("2025-04-19T18:00:00+03:00"),
        at("2025-04-21T00:00:00+03:00"),
    )
    .per_party()
}

fn propose(w: &mut Writer, by: &str, term: Term, when: &str) -> Event {
    w.event(
        by,
        when,
        when,
        Payload::TermProposed {
            term,
            counters: None,
        },
    )
}

fn refuse(w: &mut Writer, by: &str, term: &str, reasons: Vec<RefusalReason>, when: &str) -> Event {
    w.event(
        by,
        when,
        when,
        Payload::TermRefused {
            term: tid(term),
            reasons,
        },
    )
}

fn refused(log: &EventLog, event: Event) -> Rejection {
    let before = log.head().expect("head");
    match log.append(ExpectedVersion::Any, event) {
        Err(StoreError::Rejected(r)) => {
            assert_eq!(log.head().expect("head"), before, "the log is unchanged");
            r.reason
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn status(state: &AgreementState, term: &str, when: &str) -> Option<TermStatus> {
    state.term_status(&tid(term), at(when))
}

fn party(state: &AgreementState, term: &str, who: &str, when: &str) -> Option<PartyStatus> {
    state.party_status(&tid(term), &pid(who), at(when))
}

#[test]
fn a_declared_truce_is_unknown_before_it_is_recorded_and_binds_its_author_alone() {
    let mut w = Writer::new();
    let mut events = w.bound(SanctionPolicy::new());
    events.push(propose(&mut w, "RU", easter(), "2025-04-19T12:00:00Z"));
    let log = log_of(events.clone());
    let state = log.state().expect("state");

    // Five weeks earlier nobody had heard of it, in every query and in as-of replay.
    assert_eq!(status(&state, "easter", "2025-03-20T00:00:00Z"), None);
    assert_eq!(party(&state, "easter", "RU", "2025-04-19T11:59:59Z"), None);
    let before = replay_as_of(records(events.clone()), at("2025-04-19T11:00:00Z")).expect("as of");
    assert!(before.term(&tid("easter")).is_none());
    assert!(
        before
            .agreement()
            .is_some_and(|a| a.find_term(&tid("easter")).is_none())
    );

    // Russia's declaration binds Russia inside the fixed window; Ukraine has not answered.
    assert_eq!(
        party(&state, "easter", "RU", "2025-04-19T14:59:59Z"),
        Some(PartyStatus::NotYetBound)
    );
    assert_eq!(
        party(&state, "easter", "RU", "2025-04-19T15:00:00Z"),
        Some(PartyStatus::Bound)
    );
    assert_eq!(
        party(&state, "easter", "UA", "2025-04-19T16:00:00Z"),
        Some(PartyStatus::NotAnswered)
    );
    assert_eq!(
        status(&state, "easter", "2025-04-19T16:00:00Z"),
        Some(TermStatus::PartlyInForce)
    );
    assert_eq!(
        status(&state, "easter", "2025-04-20T21:00:00Z"),
        Some(TermStatus::Expired),
        "the fixed window closed for everybody"
    );
    assert_eq!(
        party(&state, "easter", "UA", "2025-04-20T21:00:00Z"),
        Some(PartyStatus::Expired)
    );
    // The same answers from a replay of the records.
    assert_eq!(replay(records(events)).expect("replays"), state);
}

#[test]
fn a_proposed_term_obeys_the_genesis_rules_and_the_roles() {
    let mut w = Writer::new();
    let log = log_of(w.bound(SanctionPolicy::new()));
    let empty = Term::new(
        tid("empty"),
        "nothing",
        TermKind::StrikeMoratorium {
            targets: Default::default(),
        },
    )
    .binding([pid("UA")]);
    assert_eq!(
        refused(&log, propose(&mut w, "US", empty, "2025-04-01T00:00:00Z")),
        Rejection::InvalidTerm(AgreementError::EmptyMoratorium(tid("empty")))
    );
    let again =
        Term::new(tid("energy"), "again", TermKind::energy_moratorium()).binding([pid("UA")]);
    assert_eq!(
        refused(&log, propose(&mut w, "US", again, "2025-04-01T00:00:00Z")),
        Rejection::InvalidTerm(AgreementError::DuplicateTerm(tid("energy")))
    );
    let both = easter().lasting(Span::days(2));
    assert_eq!(
        refused(&log, propose(&mut w, "US", both, "2025-04-01T00:00:00Z")),
        Rejection::InvalidTerm(AgreementError::WindowAndDuration(tid("easter")))
    );
    assert!(matches!(
        refused(
            &log,
            propose(&mut w, "MON", easter(), "2025-04-01T00:00:00Z")
        ),
        Rejection::Unauthorized { .. }
    ));
    let mut common = easter();
    common.clock = Default::default();
    assert_eq!(
        refused(
            &log,
            propose(&mut w, "RU", common.clone(), "2025-04-01T00:00:00Z")
        ),
        Rejection::UnilateralCommonClock(tid("easter"))
    );
    let others = Term::new(tid("theirs"), "x", TermKind::energy_moratorium()).binding([pid("UA")]);
    assert!(matches!(
        refused(&log, propose(&mut w, "RU", others, "2025-04-01T00:00:00Z")),
        Rejection::NotBound { .. }
    ));
    // A mediator may propose a common-clock term; it binds nobody until all accept.
    log.append(
        ExpectedVersion::Any,
        propose(&mut w, "US", common, "2025-04-18T00:00:00Z"),
    )
    .expect("a mediator's proposal");
    let state = log.state().expect("state");
    assert_eq!(
        status(&state, "easter", "2025-04-19T16:00:00Z"),
        Some(TermStatus::Proposed)
    );
}

#[test]
fn a_late_acceptance_of_a_fixed_window_binds_until_the_same_end() {
    for per_party in [true, false] {
        let mut w = Writer::new();
        let mut events = w.bound(SanctionPolicy::new());
        let mut term = easter();
        if !per_party {
            term.clock = Default::default();
        }
        events.push(propose(&mut w, "US", term, "2025-04-19T12:00:00Z"));
        events.push(w.accept("RU", "easter", "2025-04-19T15:00:00Z"));
        // Ukraine accepts three hours after the window opened.
        events.push(w.accept("UA", "easter", "2025-04-19T18:00:00Z"));
        let state = log_of(events).state().expect("state");
        let ua = state
            .obligation_window(&tid("easter"), &pid("UA"))
            .expect("bound");
        assert_eq!(ua.start, at("2025-04-19T18:00:00Z"));
        assert_eq!(
            ua.end,
            Some(at("2025-04-20T21:00:00Z")),
            "the end does not move"
        );
        let ru = state
            .obligation_window(&tid("easter"), &pid("RU"))
            .expect("bound");
        let expected_start = if per_party {
            "2025-04-19T15:00:00Z"
        } else {
            "2025-04-19T18:00:00Z"
        };
        assert_eq!(ru.start, at(expected_start));
        assert_eq!(ru.end, Some(at("2025-04-20T21:00:00Z")));
        // Added, then accepted, then expired at the fixed end, for everybody at once.
        assert_eq!(
            status(&state, "easter", "2025-04-20T20:59:59Z"),
            Some(TermStatus::InForce)
        );
        assert_eq!(
            status(&state, "easter", "2025-04-20T21:00:00Z"),
            Some(TermStatus::Expired)
        );
    }

    // An acceptance after the window closed binds nothing: expired for it.
    let mut w = Writer::new();
    let mut events = w.bound(SanctionPolicy::new());
    events.push(propose(&mut w, "US", easter(), "2025-04-19T12:00:00Z"));
    events.push(w.accept("UA", "easter", "2025-04-22T00:00:00Z"));
    let state = log_of(events).state().expect("state");
    assert_eq!(
        party(&state, "easter", "UA", "2025-04-22T01:00:00Z"),
        Some(PartyStatus::Expired)
    );
    assert!(!state.is_bound_at(&tid("easter"), &pid("UA"), at("2025-04-22T01:00:00Z")));
}

#[test]
fn a_refusal_says_why_and_a_later_acceptance_replaces_it() {
    let mut w = Writer::new();
    let mut events = w.bound(SanctionPolicy::new());
    let conditions = vec![
        RefusalReason::Demands(Obligation::CurtailArmsDeliveries),
        RefusalReason::Demands(Obligation::HaltIntelligenceSharing),
        RefusalReason::Demands(Obligation::HaltConscription),
    ];
    // Russia refuses the ceasefire (which waits on the energy term) and names its conditions.
    events.push(refuse(
        &mut w,
        "RU",
        "ceasefire",
        conditions.clone(),
        "2025-03-19T10:00:00Z",
    ));
    let log = log_of(events);
    let state = log.state().expect("state");
    assert_eq!(
        party(&state, "ceasefire", "RU", "2025-03-20T00:00:00Z"),
        Some(PartyStatus::Refused)
    );
    assert_eq!(
        party(&state, "ceasefire", "UA", "2025-03-20T00:00:00Z"),
        Some(PartyStatus::NotAnswered),
        "never answered is not refused"
    );
    assert_eq!(
        status(&state, "ceasefire", "2025-03-20T00:00:00Z"),
        Some(TermStatus::Refused)
    );
    let record = state.term(&tid("ceasefire")).expect("term");
    assert_eq!(
        record
            .current_refusal(&pid("RU"))
            .map(|r| r.reasons.clone()),
        Some(conditions)
    );
    assert_eq!(
        refused(
            &log,
            refuse(&mut w, "RU", "ceasefire", vec![], "2025-03-20T00:00:00Z")
        ),
        Rejection::AlreadyRefused {
            party: pid("RU"),
            term: tid("ceasefire"),
        }
    );
    assert_eq!(
        refused(
            &log,
            refuse(&mut w, "UA", "energy", vec![], "2025-03-20T00:00:00Z")
        ),
        Rejection::AlreadyCommitted {
            party: pid("UA"),
            term: tid("energy"),
        }
    );

    // Russia accepts after all: from then on it is committed; before, it had refused.
    log.append(
        ExpectedVersion::Any,
        w.accept("RU", "ceasefire", "2025-03-25T00:00:00Z"),
    )
    .expect("a party that refused may accept");
    let state = log.state().expect("state");
    assert_eq!(
        party(&state, "ceasefire", "RU", "2025-03-24T00:00:00Z"),
        Some(PartyStatus::Refused)
    );
    assert_eq!(
        party(&state, "ceasefire", "RU", "2025-03-26T00:00:00Z"),
        Some(PartyStatus::NotYetBound),
        "committed, waiting for the energy term to hold"
    );
}

#[test]
fn a_counter_proposal_refuses_one_term_and_proposes_another() {
    let mut w = Writer::new();
    let mut events = w.bound(SanctionPolicy::new());
    events.push(w.event(
        "RU",
        "2025-04-19T12:00:00Z",
        "2025-04-19T12:00:00Z",
        Payload::TermProposed {
            term: easter(),
            counters: Some(tid("ceasefire")),
        },
    ));
    let state = log_of(events).state().expect("state");
    let refusal = state
        .term(&tid("ceasefire"))
        .and_then(|r| r.current_refusal(&pid("RU")).cloned())
        .expect("the counter-proposal refuses the ceasefire");
    assert_eq!(
        refusal.reasons,
        vec![RefusalReason::CounterProposal(tid("easter"))]
    );
    let proposal = state
        .term(&tid("easter"))
        .and_then(|r| r.proposed.clone())
        .expect("proposed");
    assert_eq!(proposal.counters, Some(tid("ceasefire")));
}

#[test]
fn every_uncertain_form_reads_back_and_counts_only_wholly_inside() {
    for text in [
        "2025-04-20",
        "2025-04-20+03:00",
        "2025-04-20-05:30",
        "2025-04-19T18:00:00+03:00/2025-04-20T08:00:00+03:00",
    ] {
        let o = parse_occurred(text).expect(text);
        let written = serde_json::to_string(&o).expect("writes");
        assert_eq!(
            serde_json::from_str::<Occurred>(&written).expect("reads"),
            o,
            "{text}"
        );
    }
    let local = parse_occurred("2025-04-20+03:00").expect("local day");
    assert_eq!(local.earliest(), at("2025-04-19T21:00:00Z"));
    assert_eq!(
        parse_occurred("2025-04-19T18:00:00Z/2025-04-21T18:00:01Z"),
        Err(TimeError::BadInterval {
            text: "2025-04-19T18:00:00Z/2025-04-21T18:00:01Z".into()
        }),
        "longer than two days"
    );
    assert!(matches!(
        parse_occurred("2025-04-20T08:00:00Z/2025-04-19T18:00:00Z"),
        Err(TimeError::BadInterval { .. })
    ));
    assert!(parse_occurred("2025-04-20+24:00").is_err());
    // An interval built in Rust the wrong way round is refused by the rules, not stored.
    let mut w = Writer::new();
    let log = log_of(w.bound(SanctionPolicy::new()));
    let mut reversed = w.accept("UA", "ceasefire", "2025-04-19T12:00:00Z");
    reversed.occurred_at = Occurred::Between {
        from: at("2025-04-19T12:00:00Z"),
        to: at("2025-04-19T10:00:00Z"),
    };
    assert!(matches!(
        refused(&log, reversed),
        Rejection::TimeOutOfRange {
            error: TimeError::BadInterval { .. },
            ..
        }
    ));
    assert!(parse_occurred("2025-04-20Z").is_err());
    assert!(parse_occurred("2025-04-2é").is_err());

    // Allegations under the Easter truce (RU declared it, UA accepted at once).
    let mut w = Writer::new();
    let mut events = w.bound(SanctionPolicy::new());
    events.push(propose(&mut w, "RU", easter(), "2025-04-19T12:00:00Z"));
    events.push(w.accept("UA", "easter", "2025-04-19T12:00:00Z"));
    let mut allege = |occurred: &str| {
        let e = w.event(
            "UA",
            occurred,
            "2025-04-22T00:00:00Z",
            Payload::from(Allegation::new(
                pid("RU"),
                tid("easter"),
                TargetCategory::CivilianSite,
                "Kherson",
                ceasefire::agreement::Severity::Serious,
            )),
        );
        (e.id, e)
    };
    // A wave from 18:00 to 20:00 UTC on 19 April: wholly inside.
    let (inside, e1) = allege("2025-04-19T18:00:00Z/2025-04-19T20:00:00Z");
    // A wave from 20:00 to 22:00 UTC on 20 April straddles the truce's end (21:00 UTC).
    let (straddling, e2) = allege("2025-04-20T20:00:00Z/2025-04-20T22:00:00Z");
    // 20 April in Kyiv time runs from 21:00 UTC on the 19th to 21:00 UTC on the 20th: inside.
    let (kyiv_day, e3) = allege("2025-04-20+03:00");
    // 20 April in UTC runs past the truce's end: possibly inside, not counted.
    let (utc_day, e4) = allege("2025-04-20");
    events.extend([e1, e2, e3, e4]);
    let state = log_of(events).state().expect("state");
    assert!(state.counts_against(&inside));
    assert!(state.counts_against(&kyiv_day));
    assert!(!state.counts_against(&straddling));
    assert!(!state.counts_against(&utc_day));
    let possibly: Vec<_> = state.possibly_inside().map(|a| a.id).collect();
    assert_eq!(possibly, vec![straddling, utc_day]);
}

/// The Pavlohrad case: a strike first logged with an unknown target, one whose category the
/// accused disputes, and a monitor who classifies and reclassifies.
#[test]
fn unknown_and_disputed_targets_count_only_once_a_monitor_settles_them() {
    let policy = SanctionPolicy::new().rule(threshold(1));
    let mut w = Writer::new();
    let mut events = w.bound(policy);
    let strike = |w: &mut Writer, target: TargetCategory, when: &str| {
        w.event(
            "UA",
            when,
            when,
            Payload::from(Allegation::new(
                pid("RU"),
                tid("energy"),
                target,
                "Pavlohrad",
                ceasefire::agreement::Severity::Serious,
            )),
        )
    };
    let unknown = strike(&mut w, TargetCategory::Unknown, "2025-03-20T10:00:00Z");
    let unknown_id = unknown.id;
    events.push(unknown);
    let log = log_of(events);
    let state = log.state().expect("state");
    assert!(
        !state.counts_against(&unknown_id),
        "an unknown target never counts"
    );
    assert_eq!(
        state.unsettled_targets().map(|a| a.id).collect::<Vec<_>>(),
        vec![unknown_id]
    );
    // A confirmation without a classification leaves it unknown.
    log.append(
        ExpectedVersion::Any,
        w.find(
            "MON",
            unknown_id,
            Finding::Confirmed,
            "2025-03-21T00:00:00Z",
        ),
    )
    .expect("finding");
    assert!(!log.state().expect("state").counts_against(&unknown_id));
    assert!(log.state().expect("state").decisions().is_empty());
    // The monitor classifies it as power grid: it counts, and the rule fires.
    let classify = |w: &mut Writer, target: TargetCategory, when: &str| {
        w.event(
            "MON",
            when,
            when,
            Payload::VerificationFinding(
                ceasefire::event::Verification::new(
                    unknown_id,
                    Finding::Confirmed,
                    ceasefire::event::Method::SatelliteImagery,
                    ceasefire::agreement::Confidence::percent(90).expect("confidence"),
                )
                .classifying(target)
                .placing("Pavlohrad traction substation"),
            ),
        )
    };
    log.append(
        ExpectedVersion::Any,
        classify(&mut w, TargetCategory::PowerGrid, "2025-03-22T00:00:00Z"),
    )
    .expect("classification");
    let state = log.state().expect("state");
    assert!(state.counts_against(&unknown_id));
    let record = state.allegation(&unknown_id).expect("allegation");
    assert_eq!(record.target(), &TargetCategory::PowerGrid);
    assert_eq!(record.place().name, "Pavlohrad traction substation");
    assert_eq!(state.decisions().len(), 1, "the rule fired");
    assert!(state.decisions()[0].ending.is_none());

    // Reclassified as a railway after the sanction fired: the energy term does not cover
    // it, so the decision is voided, as for a refutation.
    log.append(
        ExpectedVersion::Any,
        classify(&mut w, TargetCategory::Railway, "2025-03-23T00:00:00Z"),
    )
    .expect("reclassification");
    let state = log.state().expect("state");
    assert!(!state.counts_against(&unknown_id));
    assert_eq!(
        state.decisions()[0].ending.as_ref().map(|e| e.reason),
        Some(EndReason::Voided)
    );

    // A disputed target: the accused says railway; nothing counts until a monitor rules.
    let disputed = strike(&mut w, TargetCategory::PowerGrid, "2025-03-24T10:00:00Z");
    let disputed_id = disputed.id;
    log.append(ExpectedVersion::Any, disputed)
        .expect("allegation");
    log.append(
        ExpectedVersion::Any,
        w.event(
            "RU",
            "2025-03-24T12:00:00Z",
            "2025-03-24T12:00:00Z",
            Payload::AllegationDenied {
                allegation: disputed_id,
                statement: "a military railway hub".into(),
                target: Some(TargetCategory::Railway),
            },
        ),
    )
    .expect("denial");
    assert!(!log.state().expect("state").counts_against(&disputed_id));
    // A confirmation without a classification upholds the alleged category.
    log.append(
        ExpectedVersion::Any,
        w.find(
            "MON",
            disputed_id,
            Finding::Confirmed,
            "2025-03-25T00:00:00Z",
        ),
    )
    .expect("finding");
    let state = log.state().expect("state");
    assert!(state.counts_against(&disputed_id));
    // A reclassification within the term's categories keeps the decision it fired.
    let fired = state
        .decisions()
        .iter()
        .find(|d| d.violations.contains(&disputed_id))
        .map(|d| d.id)
        .expect("a decision on the disputed strike");
    log.append(
        ExpectedVersion::Any,
        w.event(
            "MON2",
            "2025-03-26T00:00:00Z",
            "2025-03-26T00:00:00Z",
            Payload::VerificationFinding(
                ceasefire::event::Verification::new(
                    disputed_id,
                    Finding::Confirmed,
                    ceasefire::event::Method::OnSiteObserver,
                    ceasefire::agreement::Confidence::percent(80).expect("confidence"),
                )
                .classifying(TargetCategory::PipelineOrStorage),
            ),
        ),
    )
    .expect("reclassification within the term");
    let state = log.state().expect("state");
    assert!(state.counts_against(&disputed_id));
    let kept = state
        .decisions()
        .iter()
        .find(|d| d.id == fired)
        .expect("decision");
    assert!(kept.ending.is_none(), "still covered: the decision stands");
}

#[test]
fn the_schema_version_says_which_forms_an_event_may_use() {
    let mut w = Writer::new();
    let log = log_of(w.bound(SanctionPolicy::new()));
    let mut old = propose(&mut w, "US", easter(), "2025-04-19T12:00:00Z");
    old.schema = SchemaVersion(1);
    assert_eq!(
        refused(&log, old),
        Rejection::SchemaTooOld {
            found: 1,
            needed: 2
        }
    );
    let mut future = w.accept("UA", "ceasefire", "2025-04-19T12:00:00Z");
    future.schema = SchemaVersion(3);
    assert_eq!(
        refused(&log, future),
        Rejection::UnsupportedSchema { found: 3 }
    );
    // A version-1 event that uses nothing newer is read as it was written.
    let mut v1 = w.accept("UA", "ceasefire", "2025-04-19T12:00:00Z");
    v1.schema = SchemaVersion(1);
    log.append(ExpectedVersion::Any, v1)
        .expect("a version-1 event is still accepted");
    assert_eq!(
        AcceptanceLevel::Binding,
        log.state()
            .expect("state")
            .acceptance(&tid("ceasefire"), &pid("UA"))
            .expect("accepted")
            .level
    );
}
