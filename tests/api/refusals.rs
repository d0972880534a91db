//! Every refusal of `append`: the typed error, and a log left exactly as it was.

use crate::common::{Writer, at, log_of, pid, snapshot, threshold, tid};
use ceasefire::agreement::{AcceptanceLevel, Level, Role, SanctionPolicy, TargetCategory};
use ceasefire::event::{Allegation, Finding, Payload, PayloadKind, Place};
use ceasefire::{EventId, EventLog, ExpectedVersion, Refused, Rejection, Seq, Store, StoreError};

/// A log with the genesis, both parties bound, and one allegation by Ukraine against Russia.
fn started() -> (EventLog, Writer, EventId) {
    let mut w = Writer::new();
    let genesis = w.genesis(
        SanctionPolicy::new()
            .rule(threshold(3))
            .relief(crate::common::relief(30)),
    );
    let ru = w.accept("RU", "energy", "2025-03-18T18:00:00Z");
    let ua = w.accept("UA", "energy", "2025-03-25T12:00:00Z");
    let a = w.allege("UA", "RU", "2025-03-26T01:00:00Z", "2025-03-26T06:00:00Z");
    let id = a.id;
    (log_of(vec![genesis, ru, ua, a]), w, id)
}

/// Appends `event`, expects a rejection matching `check`, and that nothing changed.
fn refused(log: &EventLog, event: ceasefire::Event, check: impl Fn(&Rejection) -> bool) {
    let before = snapshot(log);
    let next = Seq(before.0 + 1);
    match log.append(ExpectedVersion::Any, event) {
        Err(StoreError::Rejected(Refused { seq, reason, .. })) => {
            assert_eq!(
                seq, next,
                "the rejection names the would-be sequence number"
            );
            assert!(check(&reason), "unexpected rejection: {reason}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(snapshot(log), before, "a refused append changed the log");
}

#[test]
fn a_first_event_that_is_not_the_genesis() {
    let log = EventLog::new();
    let mut w = Writer::new();
    let e = w.accept("RU", "energy", "2025-03-18T18:00:00Z");
    refused(&log, e, |r| {
        matches!(
            r,
            Rejection::NotGenesis {
                found: PayloadKind::TermAccepted
            }
        )
    });
}

#[test]
fn a_second_genesis() {
    let (log, mut w, _) = started();
    let again = w.genesis(SanctionPolicy::new());
    refused(&log, again, |r| {
        matches!(r, Rejection::SecondGenesis { .. })
    });
}

#[test]
fn an_invalid_agreement() {
    let log = EventLog::new();
    let mut w = Writer::new();
    let bad = SanctionPolicy::new().rule(threshold(0));
    refused(&log, w.genesis(bad), |r| {
        matches!(r, Rejection::InvalidAgreement(_))
    });
}

#[test]
fn an_unknown_party() {
    let (log, mut w, _) = started();
    let by_stranger = w.event(
        "XX",
        "2025-03-27T00:00:00Z",
        "2025-03-27T00:00:00Z",
        Payload::PartyWithdrew {
            reason: String::new(),
        },
    );
    refused(&log, by_stranger, |r| {
        *r == Rejection::UnknownParty(pid("XX"))
    });
    let mut against_stranger = w.allege("UA", "RU", "2025-03-27T00:00:00Z", "2025-03-27T00:00:00Z");
    if let Payload::ViolationAlleged(a) = &mut against_stranger.payload {
        let a = std::sync::Arc::make_mut(a);
        a.accused = pid("BY");
    }
    refused(&log, against_stranger, |r| {
        *r == Rejection::UnknownParty(pid("BY"))
    });
}

#[test]
fn an_unknown_term() {
    let (log, mut w, _) = started();
    let e = w.event(
        "UA",
        "2025-03-27T00:00:00Z",
        "2025-03-27T00:00:00Z",
        Payload::TermAccepted {
            term: tid("grain-corridor"),
            level: AcceptanceLevel::Binding,
            effective_from: None,
        },
    );
    refused(&log, e, |r| {
        *r == Rejection::UnknownTerm(tid("grain-corridor"))
    });
}

#[test]
fn a_verification_of_an_unknown_allegation() {
    let (log, mut w, _) = started();
    let nothing = EventId::from_parts(at("2025-03-27T00:00:00Z"), 0xAB).expect("a small tail fits");
    let e = w.find("MON", nothing, Finding::Confirmed, "2025-03-27T00:00:00Z");
    refused(&log, e, |r| *r == Rejection::UnknownAllegation(nothing));
}

#[test]
fn only_monitors_verify() {
    let (log, mut w, a) = started();
    for author in ["UA", "RU", "US", "TR", "CONGRESS"] {
        let e = w.find(author, a, Finding::Confirmed, "2025-03-27T00:00:00Z");
        refused(&log, e, |r| {
            matches!(
                r,
                Rejection::Unauthorized { author: who, action: PayloadKind::VerificationFinding, .. }
                    if who == &pid(author)
            )
        });
    }
}

#[test]
fn only_the_original_reporter_retracts() {
    let (log, mut w, a) = started();
    for author in ["RU", "US", "MON"] {
        let e = w.event(
            author,
            "2025-03-27T00:00:00Z",
            "2025-03-27T00:00:00Z",
            Payload::AllegationRetracted {
                allegation: a,
                reason: "not ours to retract".into(),
            },
        );
        refused(&log, e, |r| {
            matches!(
                r,
                Rejection::Unauthorized {
                    action: PayloadKind::AllegationRetracted,
                    ..
                }
            )
        });
    }
}

#[test]
fn only_approvers_approve_relief() {
    let (log, mut w, a) = started();
    // Put a sanction in force so that relief is meaningful.
    for (i, when) in ["2025-03-26T07:00:00Z", "2025-03-27T07:00:00Z"]
        .iter()
        .enumerate()
    {
        let b = w.allege("UA", "RU", &format!("2025-03-2{}T01:00:00Z", 6 + i), when);
        let id = b.id;
        log.append(ExpectedVersion::Any, b).expect("allegation");
        log.append(
            ExpectedVersion::Any,
            w.find("MON", id, Finding::Confirmed, when),
        )
        .expect("finding");
    }
    log.append(
        ExpectedVersion::Any,
        w.find("MON", a, Finding::Confirmed, "2025-03-28T00:00:00Z"),
    )
    .expect("finding");
    let in_force = log
        .with_state(|s| s.escalation_level(&pid("RU"), at("2025-03-28T00:00:00Z")))
        .expect("state");
    assert_eq!(in_force, Some(Level::Warning));
    for (author, role) in [
        ("UA", Role::Belligerent),
        ("US", Role::Mediator),
        ("MON", Role::Monitor),
    ] {
        let e = w.event(
            author,
            "2025-03-29T00:00:00Z",
            "2025-03-29T00:00:00Z",
            Payload::ReliefApproved { party: pid("RU") },
        );
        refused(&log, e, |r| {
            *r == Rejection::Unauthorized {
                author: pid(author),
                role,
                action: PayloadKind::ReliefApproved,
            }
        });
    }
    let ok = w.event(
        "CONGRESS",
        "2025-03-29T00:00:00Z",
        "2025-03-29T00:00:00Z",
        Payload::ReliefApproved { party: pid("RU") },
    );
    log.append(ExpectedVersion::Any, ok)
        .expect("an approver may approve");
}

#[test]
fn alleging_against_oneself_is_named_as_such() {
    let (log, mut w, _) = started();
    let e = w.allege("RU", "RU", "2025-03-27T00:00:00Z", "2025-03-27T00:00:00Z");
    refused(&log, e, |r| *r == Rejection::AgainstItself(pid("RU")));
}

#[test]
fn recorded_before_the_previous_event() {
    let (log, mut w, _) = started();
    let e = w.allege("UA", "RU", "2025-03-25T00:00:00Z", "2025-03-26T05:59:59Z");
    refused(&log, e, |r| {
        *r == Rejection::RecordedBeforePrevious {
            recorded_at: at("2025-03-26T05:59:59Z"),
            previous: at("2025-03-26T06:00:00Z"),
        }
    });
}

#[test]
fn occurred_after_it_was_recorded() {
    let (log, mut w, _) = started();
    let e = w.allege("UA", "RU", "2025-03-27T00:00:01Z", "2025-03-27T00:00:00Z");
    refused(&log, e, |r| {
        matches!(r, Rejection::OccurredAfterRecorded { .. })
    });
    // A day-precision report may be recorded on that day.
    let same_day = w.allege("UA", "RU", "2025-03-27", "2025-03-27T00:00:00Z");
    log.append(ExpectedVersion::Any, same_day)
        .expect("a report dated by its day");
}

#[test]
fn a_wrong_expected_version() {
    let (log, mut w, _) = started();
    let before = snapshot(&log);
    let e = w.allege("UA", "RU", "2025-03-27T00:00:00Z", "2025-03-27T00:00:00Z");
    match log.append(ExpectedVersion::Exactly(3), e.clone()) {
        Err(StoreError::WrongExpectedVersion {
            expected: 3,
            actual: 4,
        }) => {}
        other => panic!("expected a version conflict, got {other:?}"),
    }
    assert_eq!(snapshot(&log), before);
    assert_eq!(
        log.append(ExpectedVersion::Exactly(4), e)
            .expect("the right version"),
        Seq(5)
    );
}

#[test]
fn an_event_id_already_in_the_log() {
    let (log, mut w, a) = started();
    let before = snapshot(&log);
    let mut other = w.allege("RU", "UA", "2025-03-27T00:00:00Z", "2025-03-27T00:00:00Z");
    other.id = a;
    match log.append(ExpectedVersion::Any, other) {
        Err(StoreError::IdConflict { id, seq: Seq(4) }) if id == a => {}
        res => panic!("expected an id conflict, got {res:?}"),
    }
    assert_eq!(snapshot(&log), before);
    // The identical event again is idempotent, even with a stale expected version.
    let same = log.read(Seq(4), 1).expect("read").remove(0).event;
    assert_eq!(
        log.append(ExpectedVersion::Exactly(1), same)
            .expect("idempotent"),
        Seq(4)
    );
    assert_eq!(snapshot(&log), before);
}

#[test]
fn allegations_must_fit_the_term() {
    let (log, mut w, _) = started();
    let mut port = w.allege("UA", "RU", "2025-03-27T00:00:00Z", "2025-03-27T00:00:00Z");
    if let Payload::ViolationAlleged(a) = &mut port.payload {
        let a = std::sync::Arc::make_mut(a);
        a.target = TargetCategory::Port;
    }
    refused(&log, port, |r| {
        matches!(r, Rejection::TargetNotCovered { .. })
    });
    let own = w.allege("UA", "UA", "2025-03-27T00:00:00Z", "2025-03-27T00:00:00Z");
    refused(&log, own, |r| *r == Rejection::AgainstItself(pid("UA")));
    let by_us_against_monitor = w.event(
        "US",
        "2025-03-27T00:00:00Z",
        "2025-03-27T00:00:00Z",
        Payload::from(Allegation {
            accused: pid("MON"),
            term: tid("energy"),
            target: TargetCategory::PowerGrid,
            place: Place::named("nowhere"),
            severity: ceasefire::agreement::Severity::Minor,
            description: String::new(),
            evidence: vec![],
        }),
    );
    refused(&log, by_us_against_monitor, |r| {
        *r == Rejection::NotBound {
            party: pid("MON"),
            term: tid("energy"),
        }
    });
}

#[test]
fn acceptances_only_go_up() {
    let (log, mut w, _) = started();
    let again = w.accept("RU", "energy", "2025-03-27T00:00:00Z");
    refused(&log, again, |r| {
        matches!(r, Rejection::AcceptanceNotRaised { .. })
    });
    let outsider = w.accept("US", "energy", "2025-03-27T00:00:00Z");
    refused(&log, outsider, |r| matches!(r, Rejection::NotBound { .. }));
}

/// Issue 15: a day before year 0 used to parse, be accepted, be written as `-0001-12-31`, and
/// then make the log unreadable. Now it is refused where it is read; an event built in Rust
/// with such a time is refused by every store before anything is written, and by replay.
#[test]
fn times_outside_the_accepted_range_never_enter_a_log() {
    use ceasefire::event::TimeField;
    use ceasefire::store::{FileLog, FileLogOptions};
    use ceasefire::time::{Occurred, TimeError, parse_instant, parse_occurred};

    for text in [
        "-001-12-31",
        "-999-01-01",
        "-0001-12-31",
        "+10000-01-01T00:00:00Z",
        "10000-01-01",
    ] {
        assert!(parse_occurred(text).is_err(), "{text} parses");
        let json = format!("\"{text}\"");
        assert!(
            serde_json::from_str::<Occurred>(&json).is_err(),
            "{text} deserializes"
        );
    }
    assert!(matches!(
        parse_instant("0000-01-01T00:00:00+01:00"),
        Err(TimeError::OutOfRange { .. })
    ));
    assert!(matches!(
        parse_instant("2016-12-31T23:59:60Z"),
        Err(TimeError::LeapSecond { .. })
    ));
    assert!(parse_occurred("0000-01-01").is_ok() && parse_occurred("9999-12-31").is_ok());

    let (log, mut w, _) = started();
    let mut ancient = w.allege("UA", "RU", "2025-03-26T02:00:00Z", "2025-03-26T07:00:00Z");
    ancient.occurred_at =
        Occurred::OnDay(chrono::NaiveDate::from_ymd_opt(-1, 12, 31).expect("a date"));
    refused(&log, ancient.clone(), |r| {
        matches!(
            r,
            Rejection::TimeOutOfRange {
                field: TimeField::OccurredAt,
                ..
            }
        )
    });

    // The file store: refused, the file byte-identical.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("log");
    let file = FileLog::create(&path, FileLogOptions::new()).expect("created");
    for r in log.records().expect("records") {
        file.append_next(r.event).expect("a valid record");
    }
    let before = std::fs::read(&path).expect("read");
    assert!(matches!(
        file.append_next(ancient.clone()),
        Err(StoreError::Rejected(Refused {
            reason: Rejection::TimeOutOfRange { .. },
            ..
        }))
    ));
    assert_eq!(
        std::fs::read(&path).expect("read"),
        before,
        "the file changed"
    );
    drop(file);
    FileLog::open(&path, FileLogOptions::new()).expect("the log still opens");

    // Replay of a log written elsewhere: strict names the record, lenient lists it.
    let mut records = log.records().expect("records");
    records.push(ceasefire::Record::new(Seq(5), ancient.clone()));
    match ceasefire::replay(&records) {
        Err(ceasefire::ReplayError::Rejected(Refused { seq, id, .. })) => {
            assert_eq!((seq, id), (Seq(5), ancient.id));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let lenient = ceasefire::replay_lenient(&records);
    assert_eq!(lenient.rejected.len(), 1);
    assert_eq!(lenient.rejected[0].id, ancient.id);
    assert!(
        serde_json::to_string(&lenient.rejected)
            .expect("exports")
            .contains("time_out_of_range")
    );
}

/// A batch that starts with an event already in the log and goes on with a new one is
/// described as what it is, not as an id conflict of the new event.
#[test]
fn a_batch_overlapping_the_log_says_so() {
    let (log, mut w, _) = started();
    let present = log.records().expect("records")[3].event.clone();
    let new = w.allege("UA", "RU", "2025-03-26T02:00:00Z", "2025-03-26T07:00:00Z");
    let before = snapshot(&log);
    match log.append_batch(ExpectedVersion::Any, vec![present.clone(), new.clone()]) {
        Err(StoreError::BatchOverlapsLog {
            present: p,
            at,
            other,
            other_at: None,
        }) => {
            assert_eq!((p, at, other), (present.id, Seq(4), new.id));
        }
        other => panic!("expected BatchOverlapsLog, got {other:?}"),
    }
    assert_eq!(snapshot(&log), before);
}
