//! The benchmarks' workload: a deterministic, valid log of any length, with allegations by
//! both sides every few minutes, findings on most of them, denials, and sanctions firing.

#![allow(dead_code)]

use ceasefire::agreement::{
    AcceptanceLevel, Activation, Agreement, Confidence, EvidenceStandard, Party, ReliefPolicy,
    Role, SanctionPolicy, Severity, TargetCategory, Term, TermKind, ThresholdRule,
};
use ceasefire::event::{Allegation, Finding, Method, Payload, Place, Verification};
use ceasefire::time::{Span, Timestamp};
use ceasefire::{Event, EventId, PartyId, Record, RuleId, Seq, TermId};

pub fn pid(s: &str) -> PartyId {
    PartyId::new(s).expect("valid id")
}

pub fn tid(s: &str) -> TermId {
    TermId::new(s).expect("valid id")
}

fn agreement() -> Agreement {
    Agreement::new("benchmark")
        .party(Party::new(pid("UA"), Role::Belligerent, "Ukraine"))
        .party(Party::new(pid("RU"), Role::Belligerent, "Russia"))
        .party(Party::new(pid("US"), Role::Mediator, "United States"))
        .party(Party::new(pid("MON"), Role::Monitor, "Monitor"))
        .party(Party::new(pid("MON2"), Role::Monitor, "Second monitor"))
        .party(Party::new(pid("CONGRESS"), Role::Approver, "Congress"))
        .party(Party::new(pid("COUNCIL"), Role::Approver, "Council"))
        .term(
            Term::new(tid("energy"), "Energy", TermKind::energy_moratorium())
                .binding([pid("UA"), pid("RU")])
                .per_party(),
        )
        .term(
            Term::new(
                tid("sea"),
                "Sea",
                TermKind::MaritimeTruce {
                    zone: "Black Sea".into(),
                },
            )
            .binding([pid("UA"), pid("RU")]),
        )
        .term(
            Term::new(
                tid("ceasefire"),
                "Ceasefire",
                TermKind::GeneralCeasefire { area: None },
            )
            .binding([pid("UA"), pid("RU")])
            .activation(Activation::AfterHeld {
                term: tid("energy"),
                days: 10,
            }),
        )
        .policy(
            SanctionPolicy::new()
                .rule(
                    ThresholdRule::new(RuleId::new("three-in-14").expect("id"), 3, Span::days(14))
                        .evidence(EvidenceStandard::Confirmed {
                            monitors: 1,
                            min_confidence: Confidence::percent(60).expect("confidence"),
                        }),
                )
                .relief(ReliefPolicy {
                    compliance: Span::days(30),
                    approvers: [pid("CONGRESS"), pid("COUNCIL")].into_iter().collect(),
                    quorum: 2,
                }),
        )
}

/// A deterministic pseudo-random sequence (splitmix64).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A valid log of `n` events: allegations by both sides every few minutes, findings on most
/// of them (confirmed, refuted, inconclusive), denials; sanctions fire along the way.
pub fn log(n: usize) -> Vec<Record> {
    let t0: Timestamp = "2025-03-18T00:00:00Z".parse().expect("time");
    let mut mix = Mix(42);
    let mut events = Vec::with_capacity(n);
    let push = |events: &mut Vec<Event>,
                author: &str,
                occurred: Timestamp,
                recorded: Timestamp,
                payload| {
        let i = events.len() as u64;
        let tail = u128::from(i);
        events.push(Event::new(
            EventId::from_parts(recorded, tail).expect("bench ids fit"),
            pid(author),
            occurred,
            recorded,
            payload,
        ));
    };
    push(
        &mut events,
        "US",
        t0,
        t0,
        Payload::AgreementConcluded(Box::new(agreement())),
    );
    for term in ["energy", "sea", "ceasefire"] {
        for p in ["UA", "RU"] {
            push(
                &mut events,
                p,
                t0,
                t0,
                Payload::TermAccepted {
                    term: tid(term),
                    level: AcceptanceLevel::Binding,
                    effective_from: None,
                },
            );
        }
    }
    let mut open: Vec<(EventId, &str)> = Vec::new();
    let mut denied = std::collections::HashSet::new();
    let mut step = 0i64;
    while events.len() < n {
        step += 1;
        let now = t0 + chrono::TimeDelta::minutes(10 * step);
        let roll = mix.next() % 10;
        if roll < 4 || open.is_empty() {
            let (by, accused, term, target) = if mix.next().is_multiple_of(2) {
                ("UA", "RU", "energy", TargetCategory::PowerGrid)
            } else {
                ("RU", "UA", "sea", TargetCategory::Shipping)
            };
            let before = now - chrono::TimeDelta::hours(2);
            push(
                &mut events,
                by,
                before,
                now,
                Payload::ViolationAlleged(Allegation {
                    accused: pid(accused),
                    term: tid(term),
                    target,
                    place: Place::named("front line"),
                    severity: Severity::Serious,
                    description: "strike".into(),
                    evidence: vec![],
                }),
            );
            let id = events.last().map(|e: &Event| e.id).expect("just pushed");
            open.push((id, accused));
        } else if roll < 9 {
            let (allegation, _) = open.remove((mix.next() as usize) % open.len());
            let finding = match mix.next() % 10 {
                0..=5 => Finding::Confirmed,
                6..=7 => Finding::Refuted,
                _ => Finding::Inconclusive,
            };
            let monitor = if mix.next().is_multiple_of(2) {
                "MON"
            } else {
                "MON2"
            };
            push(
                &mut events,
                monitor,
                now,
                now,
                Payload::VerificationFinding(Verification {
                    allegation,
                    finding,
                    method: Method::SatelliteImagery,
                    confidence: Confidence::percent(80).expect("confidence"),
                    notes: String::new(),
                    target: None,
                    place: None,
                }),
            );
        } else {
            let (allegation, accused) = open[(mix.next() as usize) % open.len()];
            if denied.insert(allegation) {
                push(
                    &mut events,
                    accused,
                    now,
                    now,
                    Payload::AllegationDenied {
                        allegation,
                        statement: "denied".into(),
                        target: None,
                    },
                );
            }
        }
    }
    events
        .into_iter()
        .enumerate()
        .map(|(i, e)| Record::new(Seq(i as u64 + 1), e))
        .collect()
}
