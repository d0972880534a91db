//! Fixtures shared by the integration tests: a small 2025-style agreement and a writer that
//! numbers events deterministically. Public API only, as a downstream crate would write it.

#![allow(dead_code)]

use ceasefire::agreement::{
    AcceptanceLevel, Activation, Agreement, Confidence, Party, Procedure, ReliefPolicy, Role,
    SanctionPolicy, Severity, TargetCategory, Term, TermKind, ThresholdRule,
};
use ceasefire::event::{Allegation, Finding, Method, Payload, Place, Verification};
use ceasefire::time::{Occurred, Span, Timestamp, parse_occurred};
use ceasefire::{
    AgreementState, Event, EventId, EventLog, ExpectedVersion, PartyId, Record, RuleId, Seq, Store,
    TermId,
};

pub fn at(text: &str) -> Timestamp {
    text.parse::<chrono::DateTime<chrono::FixedOffset>>()
        .expect("test timestamps are valid")
        .to_utc()
}

pub fn pid(id: &str) -> PartyId {
    PartyId::new(id).expect("test party ids are valid")
}

pub fn tid(id: &str) -> TermId {
    TermId::new(id).expect("test term ids are valid")
}

pub fn occurred(text: &str) -> Occurred {
    parse_occurred(text).expect("test occurrences are valid")
}

/// Ukraine and Russia bound by a 30-day energy moratorium (per-party clock) and a general
/// ceasefire that waits for it to hold 10 days; a mediator, two monitors, two approvers.
pub fn agreement(policy: SanctionPolicy) -> Agreement {
    Agreement::new("fixture")
        .party(Party::new(pid("UA"), Role::Belligerent, "Ukraine"))
        .party(Party::new(pid("RU"), Role::Belligerent, "Russia"))
        .party(Party::new(pid("US"), Role::Mediator, "United States"))
        .party(Party::new(pid("TR"), Role::Guarantor, "Guarantor"))
        .party(Party::new(pid("MON"), Role::Monitor, "Monitor"))
        .party(Party::new(pid("MON2"), Role::Monitor, "Second monitor"))
        .party(Party::new(pid("CONGRESS"), Role::Approver, "US Congress"))
        .party(Party::new(pid("COUNCIL"), Role::Approver, "EU Council"))
        .term(
            Term::new(tid("energy"), "Energy", TermKind::energy_moratorium())
                .binding([pid("UA"), pid("RU")])
                .lasting(Span::days(30))
                .per_party(),
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
            })
            .lasting(Span::days(30))
            .phase(2),
        )
        .policy(policy)
}

/// Three confirmed violations of the energy term within 14 days: a warning, then climbing.
pub fn threshold(n: u32) -> ThresholdRule {
    ThresholdRule::new(
        RuleId::new("energy-strikes").expect("id"),
        n,
        Span::days(14),
    )
    .terms([tid("energy")])
}

pub fn snapback(days: u64) -> SanctionPolicy {
    SanctionPolicy::new().rule(threshold(1).procedure(Procedure::NoticeAndDeadline {
        dispute_window: Span::days(days),
    }))
}

pub fn relief(days: u64) -> ReliefPolicy {
    ReliefPolicy {
        compliance: Span::days(days),
        approvers: [pid("CONGRESS"), pid("COUNCIL")].into_iter().collect(),
        quorum: 2,
    }
}

/// Builds events with deterministic ids.
pub struct Writer {
    n: u64,
}

impl Writer {
    pub fn new() -> Writer {
        Writer { n: 0 }
    }

    pub fn event(
        &mut self,
        author: &str,
        occurred_at: &str,
        recorded: &str,
        payload: Payload,
    ) -> Event {
        self.n += 1;
        let recorded = at(recorded);
        let tail = u128::from(self.n);
        Event::new(
            EventId::from_parts(recorded, tail).expect("test ids fit"),
            pid(author),
            occurred(occurred_at),
            recorded,
            payload,
        )
    }

    pub fn genesis(&mut self, policy: SanctionPolicy) -> Event {
        self.event(
            "US",
            "2025-03-18T12:00:00Z",
            "2025-03-18T12:00:00Z",
            Payload::AgreementConcluded(Box::new(agreement(policy))),
        )
    }

    /// The genesis under `policy`, and both belligerents bound by the energy term from 16:00
    /// on 18 March 2025.
    pub fn bound(&mut self, policy: SanctionPolicy) -> Vec<Event> {
        vec![
            self.genesis(policy),
            self.accept("RU", "energy", "2025-03-18T16:00:00Z"),
            self.accept("UA", "energy", "2025-03-18T16:00:00Z"),
        ]
    }

    pub fn accept(&mut self, party: &str, term: &str, when: &str) -> Event {
        self.event(
            party,
            when,
            when,
            Payload::TermAccepted {
                term: tid(term),
                level: AcceptanceLevel::Binding,
                effective_from: None,
            },
        )
    }

    pub fn allege(&mut self, by: &str, accused: &str, occurred_at: &str, recorded: &str) -> Event {
        self.event(
            by,
            occurred_at,
            recorded,
            Payload::from(Allegation {
                accused: pid(accused),
                term: tid("energy"),
                target: TargetCategory::PowerGrid,
                place: Place::named("Kherson"),
                severity: Severity::Serious,
                description: "strike on a substation".into(),
                evidence: vec![],
            }),
        )
    }

    pub fn find(
        &mut self,
        monitor: &str,
        allegation: EventId,
        finding: Finding,
        when: &str,
    ) -> Event {
        self.event(
            monitor,
            when,
            when,
            Payload::VerificationFinding(Verification::new(
                allegation,
                finding,
                Method::SatelliteImagery,
                Confidence::percent(90).expect("confidence"),
            )),
        )
    }
}

/// Numbers events as a log would.
pub fn records(events: Vec<Event>) -> Vec<Record> {
    events
        .into_iter()
        .enumerate()
        .map(|(i, e)| Record::new(Seq(i as u64 + 1), e))
        .collect()
}

/// Appends every event, expecting each to be accepted.
pub fn log_of(events: Vec<Event>) -> EventLog {
    let log = EventLog::new();
    for e in events {
        log.append(ExpectedVersion::Any, e)
            .expect("fixture events are valid");
    }
    log
}

/// What a store looks like from outside, to compare before and after a refused append.
pub fn snapshot(log: &impl Store) -> (u64, String, String) {
    let head = log.head().expect("head");
    let records = log.read(Seq::FIRST, usize::MAX).expect("read");
    let state: AgreementState = log.state().expect("state");
    (
        head.version,
        serde_json::to_string(&records).expect("json"),
        serde_json::to_string(&state).expect("json"),
    )
}
