//! Unit tests of the state: term clocks, the sanction engine, relief, snapshots.

use super::*;
use crate::agreement::{
    AcceptanceLevel, Activation, Condition, Confidence, EvidenceStandard, Level, Party, Procedure,
    ReliefPolicy, SanctionPolicy, Severity, TargetCategory, Term, TermKind, ThresholdRule,
};
use crate::event::{Allegation, Event, Finding, Method, Payload, Place, Verification};
use crate::sanction::{EndReason, Stage};
use crate::time::{Occurred, Span};

fn at(s: &str) -> Timestamp {
    s.parse::<chrono::DateTime<chrono::FixedOffset>>()
        .expect("timestamp")
        .to_utc()
}

fn pid(s: &str) -> PartyId {
    PartyId::new(s).expect("party id")
}

fn tid(s: &str) -> TermId {
    TermId::new(s).expect("term id")
}

fn rule(threshold: u32, days: u64) -> ThresholdRule {
    ThresholdRule::new(
        RuleId::new("energy-3").expect("id"),
        threshold,
        Span::days(days),
    )
    .terms([tid("energy")])
}

fn agreement(policy: SanctionPolicy) -> Agreement {
    Agreement::new("test")
        .party(Party::new(pid("UA"), Role::Belligerent, "Ukraine"))
        .party(Party::new(pid("RU"), Role::Belligerent, "Russia"))
        .party(Party::new(pid("US"), Role::Mediator, "United States"))
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
                tid("sea"),
                "Black Sea",
                TermKind::MaritimeTruce {
                    zone: "Black Sea".into(),
                },
            )
            .binding([pid("UA"), pid("RU")])
            .phase(2),
        )
        .term(
            Term::new(
                tid("ceasefire"),
                "30 days",
                TermKind::GeneralCeasefire { area: None },
            )
            .binding([pid("UA"), pid("RU")])
            .activation(Activation::AfterHeld {
                term: tid("energy"),
                days: 10,
            })
            .lasting(Span::days(30))
            .phase(3),
        )
        .policy(policy)
}

/// A log being written in a test: ids and sequence numbers are assigned in order.
struct Script {
    state: AgreementState,
    records: Vec<Record>,
    counter: u8,
}

impl Script {
    fn new(policy: SanctionPolicy) -> Script {
        let mut s = Script {
            state: AgreementState::new(),
            records: Vec::new(),
            counter: 0,
        };
        s.push(
            "US",
            "2025-03-18T12:00:00Z",
            "2025-03-18T12:00:00Z",
            Payload::AgreementConcluded(Box::new(agreement(policy))),
        )
        .expect("genesis");
        s
    }

    fn event(&mut self, author: &str, occurred: &str, recorded: &str, payload: Payload) -> Event {
        self.counter = self.counter.wrapping_add(1);
        let recorded = at(recorded);
        let occurred = if occurred.len() == 10 {
            crate::time::parse_occurred(occurred).expect("date")
        } else {
            Occurred::At(at(occurred))
        };
        Event::new(
            EventId::from_parts(recorded, u128::from(self.counter)).expect("a small tail fits"),
            pid(author),
            occurred,
            recorded,
            payload,
        )
    }

    fn push(
        &mut self,
        author: &str,
        occurred: &str,
        recorded: &str,
        payload: Payload,
    ) -> Result<Applied, Rejection> {
        let event = self.event(author, occurred, recorded, payload);
        let record = Record::new(self.state.next_seq(), event);
        let applied = self.state.apply(&record)?;
        self.records.push(record);
        Ok(applied)
    }

    fn last_id(&self) -> EventId {
        self.records.last().expect("a record").event.id
    }

    fn accept(&mut self, party: &str, term: &str, level: AcceptanceLevel, when: &str) {
        self.push(
            party,
            when,
            when,
            Payload::TermAccepted {
                term: tid(term),
                level,
                effective_from: None,
            },
        )
        .expect("acceptance");
    }

    fn allege(&mut self, by: &str, accused: &str, occurred: &str, recorded: &str) -> EventId {
        self.allege_on(
            by,
            accused,
            "energy",
            TargetCategory::PowerGrid,
            occurred,
            recorded,
        )
    }

    fn allege_on(
        &mut self,
        by: &str,
        accused: &str,
        term: &str,
        target: TargetCategory,
        occurred: &str,
        recorded: &str,
    ) -> EventId {
        self.push(
            by,
            occurred,
            recorded,
            Payload::from(Allegation {
                accused: pid(accused),
                term: tid(term),
                target,
                place: Place::named("somewhere"),
                severity: Severity::Serious,
                description: "strike".into(),
                evidence: vec![],
            }),
        )
        .expect("allegation");
        self.last_id()
    }

    fn find(
        &mut self,
        monitor: &str,
        allegation: EventId,
        finding: Finding,
        when: &str,
    ) -> Applied {
        self.push(
            monitor,
            when,
            when,
            Payload::VerificationFinding(Verification {
                allegation,
                finding,
                method: Method::SatelliteImagery,
                confidence: Confidence::percent(90).expect("confidence"),
                notes: String::new(),
                target: None,
                place: None,
            }),
        )
        .expect("finding")
    }

    fn both_bind_energy(&mut self) {
        self.accept(
            "RU",
            "energy",
            AcceptanceLevel::Binding,
            "2025-03-18T18:00:00Z",
        );
        self.accept(
            "UA",
            "energy",
            AcceptanceLevel::Binding,
            "2025-03-25T12:00:00Z",
        );
    }
}

fn threshold_policy() -> SanctionPolicy {
    SanctionPolicy::new().rule(rule(3, 14))
}

#[test]
fn in_principle_acceptance_does_not_put_a_term_in_force() {
    let mut s = Script::new(threshold_policy());
    let t = at("2025-03-20T00:00:00Z");
    assert_eq!(
        s.state.term_status(&tid("energy"), t),
        Some(TermStatus::Proposed)
    );
    s.accept(
        "RU",
        "energy",
        AcceptanceLevel::InPrinciple,
        "2025-03-18T18:00:00Z",
    );
    assert_eq!(
        s.state.term_status(&tid("energy"), t),
        Some(TermStatus::AcceptedInPrinciple)
    );
    assert_eq!(s.state.obligation_window(&tid("energy"), &pid("RU")), None);
    s.accept(
        "RU",
        "energy",
        AcceptanceLevel::Binding,
        "2025-03-19T00:00:00Z",
    );
    assert!(
        s.state.is_bound_at(&tid("energy"), &pid("RU"), t),
        "per-party clock"
    );
    assert_eq!(
        s.state.term_status(&tid("energy"), t),
        Some(TermStatus::PartlyInForce),
        "Russia is bound under its own clock; Ukraine has not committed yet"
    );
    s.accept(
        "UA",
        "energy",
        AcceptanceLevel::Binding,
        "2025-03-25T12:00:00Z",
    );
    let w = s.state.term_window(&tid("energy")).expect("window");
    assert_eq!(w.start, at("2025-03-25T12:00:00Z"));
    assert_eq!(
        w.end,
        Some(at("2025-04-18T00:00:00Z")),
        "Russia's 30 days end first"
    );
    assert_eq!(
        s.state
            .term_status(&tid("energy"), at("2025-03-26T00:00:00Z")),
        Some(TermStatus::InForce)
    );
    // Russia's clock has run out, Ukraine's has not: the joint status says so.
    let apr18 = at("2025-04-18T00:00:00Z");
    assert_eq!(
        s.state.term_status(&tid("energy"), apr18),
        Some(TermStatus::PartlyInForce)
    );
    assert_eq!(
        s.state.party_status(&tid("energy"), &pid("RU"), apr18),
        Some(PartyStatus::Expired)
    );
    assert_eq!(
        s.state.party_status(&tid("energy"), &pid("UA"), apr18),
        Some(PartyStatus::Bound)
    );
    assert_eq!(
        s.state
            .term_status(&tid("energy"), at("2025-04-24T12:00:00Z")),
        Some(TermStatus::Expired),
        "expired once every party's clock has run out"
    );
    let ua = s
        .state
        .obligation_window(&tid("energy"), &pid("UA"))
        .expect("window");
    assert_eq!(ua.end, Some(at("2025-04-24T12:00:00Z")));
}

#[test]
fn conditional_acceptance_waits_for_its_conditions() {
    let mut s = Script::new(threshold_policy());
    s.accept(
        "UA",
        "sea",
        AcceptanceLevel::Binding,
        "2025-03-25T12:00:00Z",
    );
    let bank = ConditionId::new("rosselkhozbank-swift").expect("id");
    s.accept(
        "RU",
        "sea",
        AcceptanceLevel::Conditional {
            conditions: vec![Condition::new(bank.clone(), "reconnect to SWIFT")],
        },
        "2025-03-25T13:00:00Z",
    );
    let later = at("2025-04-10T00:00:00Z");
    assert_eq!(
        s.state.term_status(&tid("sea"), later),
        Some(TermStatus::Pending)
    );
    let err = s.push(
        "RU",
        "2025-04-01T00:00:00Z",
        "2025-04-01T00:00:00Z",
        Payload::ConditionMet {
            condition: ConditionId::new("other").expect("id"),
            note: String::new(),
        },
    );
    assert!(matches!(err, Err(Rejection::UnknownCondition(_))));
    s.push(
        "US",
        "2025-04-01T00:00:00Z",
        "2025-04-01T00:00:00Z",
        Payload::ConditionMet {
            condition: bank,
            note: "reconnected".into(),
        },
    )
    .expect("condition met");
    assert_eq!(
        s.state.term_status(&tid("sea"), later),
        Some(TermStatus::InForce)
    );
    assert_eq!(
        s.state.term_window(&tid("sea")).map(|w| w.start),
        Some(at("2025-04-01T00:00:00Z"))
    );
}

#[test]
fn the_trigger_fires_at_the_crossing_event_and_cites_its_violations() {
    let mut s = Script::new(threshold_policy());
    s.both_bind_energy();
    let a1 = s.allege("UA", "RU", "2025-03-26T01:00:00Z", "2025-03-26T06:00:00Z");
    let a2 = s.allege("UA", "RU", "2025-03-27T01:00:00Z", "2025-03-27T06:00:00Z");
    let a3 = s.allege("UA", "RU", "2025-03-28T01:00:00Z", "2025-03-28T06:00:00Z");
    // Ukraine's violation never sanctions Russia, nor the reverse.
    let u1 = s.allege("RU", "UA", "2025-03-28T02:00:00Z", "2025-03-28T07:00:00Z");
    s.find("MON", a1, Finding::Confirmed, "2025-03-29T00:00:00Z");
    s.find("MON", u1, Finding::Confirmed, "2025-03-29T01:00:00Z");
    s.find("MON", a2, Finding::Confirmed, "2025-03-30T00:00:00Z");
    assert!(s.state.decisions().is_empty());
    let crossing = s.find("MON", a3, Finding::Confirmed, "2025-03-31T00:00:00Z");
    assert_eq!(crossing.decided, vec![DecisionId(1)]);
    let d = s.state.decision(DecisionId(1)).expect("decision");
    assert_eq!(d.party, pid("RU"));
    assert_eq!(d.level, Level::Warning);
    assert_eq!(d.violations, vec![a1, a2, a3]);
    assert_eq!(d.trigger, s.last_id());
    assert_eq!(d.decided_at, at("2025-03-31T00:00:00Z"));
    assert_eq!(d.evidence.len(), 3);
    assert_eq!(
        s.state
            .decision_stage(DecisionId(1), at("2025-03-30T23:59:59Z")),
        Some(Stage::NotYetDecided),
        "never before the facts were known"
    );
    assert_eq!(
        s.state
            .escalation_level(&pid("RU"), at("2025-03-31T00:00:00Z")),
        Some(Level::Warning)
    );
    assert_eq!(
        s.state
            .escalation_level(&pid("UA"), at("2025-04-01T00:00:00Z")),
        None
    );
}

#[test]
fn the_ladder_climbs_and_cited_violations_are_not_counted_twice() {
    let mut s = Script::new(SanctionPolicy::new().rule(rule(2, 14)));
    s.both_bind_energy();
    let mut ids = Vec::new();
    for day in 26..30 {
        let occurred = format!("2025-03-{day}T01:00:00Z");
        let recorded = format!("2025-03-{day}T06:00:00Z");
        ids.push(s.allege("UA", "RU", &occurred, &recorded));
    }
    for (i, id) in ids.iter().enumerate() {
        s.find(
            "MON",
            *id,
            Finding::Confirmed,
            &format!("2025-03-30T0{i}:00:00Z"),
        );
    }
    let levels: Vec<Level> = s.state.decisions().iter().map(|d| d.level).collect();
    assert_eq!(levels, vec![Level::Warning, Level::Targeted]);
    assert_eq!(s.state.decisions()[1].violations, vec![ids[2], ids[3]]);
}

#[test]
fn refutation_and_retraction_void_what_rests_on_them() {
    let policy = SanctionPolicy::new().rule(rule(2, 14).evidence(EvidenceStandard::Alleged));
    let mut s = Script::new(policy);
    s.both_bind_energy();
    let a1 = s.allege("UA", "RU", "2025-03-26T01:00:00Z", "2025-03-26T06:00:00Z");
    let a2 = s.allege("UA", "RU", "2025-03-27T01:00:00Z", "2025-03-27T06:00:00Z");
    assert_eq!(
        s.state.decisions().len(),
        1,
        "the allegation alone counts here"
    );
    let refuted = s.find("MON", a2, Finding::Refuted, "2025-03-28T00:00:00Z");
    assert_eq!(refuted.ended, vec![DecisionId(1)]);
    let d = s.state.decision(DecisionId(1)).expect("decision");
    assert_eq!(d.ending.map(|e| e.reason), Some(EndReason::Voided));
    assert!(
        s.state
            .sanctions_in_force(at("2025-03-29T00:00:00Z"))
            .is_empty()
    );
    assert_eq!(
        s.state
            .decision_stage(DecisionId(1), at("2025-03-27T12:00:00Z")),
        Some(Stage::InForce),
        "not undone before the refutation"
    );
    let a3 = s.allege("UA", "RU", "2025-03-28T01:00:00Z", "2025-03-28T06:00:00Z");
    assert_eq!(
        s.state.decisions().len(),
        2,
        "a1 was released and counts again"
    );
    assert_eq!(s.state.decisions()[1].violations, vec![a1, a3]);
    assert_eq!(
        s.state.decisions()[1].level,
        Level::Warning,
        "voided ones do not climb"
    );
    s.push(
        "UA",
        "2025-03-29T00:00:00Z",
        "2025-03-29T00:00:00Z",
        Payload::AllegationRetracted {
            allegation: a3,
            reason: "misidentified".into(),
        },
    )
    .expect("retraction");
    assert!(
        s.state
            .sanctions_in_force(at("2025-03-30T00:00:00Z"))
            .is_empty()
    );
}

#[test]
fn only_violations_inside_the_accused_window_count() {
    let policy = SanctionPolicy::new().rule(rule(1, 14).evidence(EvidenceStandard::Alleged));
    let mut s = Script::new(policy);
    s.both_bind_energy();
    // Ukraine is bound from 25 March 12:00; Russia from 18 March 18:00.
    let early = s.allege("RU", "UA", "2025-03-21T00:00:00Z", "2025-03-26T00:00:00Z");
    assert!(!s.state.counts_against(&early));
    let ru = s.allege("UA", "RU", "2025-03-21T00:00:00Z", "2025-03-26T01:00:00Z");
    assert!(
        s.state.counts_against(&ru),
        "Russia's own window started on the 18th"
    );
    // A late report: occurred while in force, reported after it ended, still counts.
    let late = s.allege("UA", "RU", "2025-04-10T00:00:00Z", "2025-05-01T00:00:00Z");
    assert!(s.state.counts_against(&late));
    // After Russia's window closed (17 April 18:00) nothing counts against it.
    let after = s.allege("UA", "RU", "2025-04-17T18:00:00Z", "2025-05-01T00:00:00Z");
    assert!(!s.state.counts_against(&after));
    // A day-precision report counts only if the whole day is inside.
    let day = s.allege("UA", "RU", "2025-04-17", "2025-05-01T00:00:00Z");
    assert!(!s.state.counts_against(&day));
    let inside = s.allege("UA", "RU", "2025-04-16", "2025-05-01T00:00:00Z");
    assert!(s.state.counts_against(&inside));
    assert!(
        s.state
            .decisions()
            .iter()
            .all(|d| d.violations.iter().all(|v| *v != early))
    );
}

#[test]
fn a_retroactive_commitment_makes_earlier_violations_count_from_then() {
    let policy = SanctionPolicy::new().rule(rule(1, 14).evidence(EvidenceStandard::Alleged));
    let mut s = Script::new(policy);
    s.accept(
        "UA",
        "energy",
        AcceptanceLevel::Binding,
        "2025-03-18T18:00:00Z",
    );
    let a = s.allege("UA", "RU", "2025-03-20T00:00:00Z", "2025-03-20T06:00:00Z");
    assert!(s.state.decisions().is_empty(), "Russia is not bound yet");
    let applied = s
        .push(
            "RU",
            "2025-03-25T10:00:00Z",
            "2025-03-25T10:00:00Z",
            Payload::TermAccepted {
                term: tid("energy"),
                level: AcceptanceLevel::Binding,
                effective_from: Some(at("2025-03-18T18:00:00Z")),
            },
        )
        .expect("acceptance");
    assert_eq!(applied.decided.len(), 1);
    let d = &s.state.decisions()[0];
    assert_eq!(d.violations, vec![a]);
    assert_eq!(
        d.decided_at,
        at("2025-03-25T10:00:00Z"),
        "when it became known"
    );
}

#[test]
fn a_phase_starts_exactly_when_the_previous_one_has_held() {
    let mut s = Script::new(threshold_policy());
    s.both_bind_energy();
    s.accept(
        "UA",
        "ceasefire",
        AcceptanceLevel::Binding,
        "2025-03-26T00:00:00Z",
    );
    s.accept(
        "RU",
        "ceasefire",
        AcceptanceLevel::Binding,
        "2025-03-26T00:00:00Z",
    );
    let start = at("2025-04-04T12:00:00Z"); // energy in force from 25 March 12:00, + 10 days
    let one_before = start - chrono::TimeDelta::seconds(1);
    assert_eq!(
        s.state.term_status(&tid("ceasefire"), one_before),
        Some(TermStatus::Pending)
    );
    assert_eq!(
        s.state.term_status(&tid("ceasefire"), start),
        Some(TermStatus::InForce)
    );
    assert_eq!(
        s.state
            .term_status(&tid("ceasefire"), at("2025-05-04T12:00:00Z")),
        Some(TermStatus::Expired),
        "thirty days later, across the month end"
    );
    // A confirmed violation during the ten days means the phase never starts.
    let a = s.allege("UA", "RU", "2025-03-30T00:00:00Z", "2025-03-30T06:00:00Z");
    s.find("MON", a, Finding::Confirmed, "2025-04-01T00:00:00Z");
    assert_eq!(
        s.state
            .term_status(&tid("ceasefire"), at("2025-04-20T00:00:00Z")),
        Some(TermStatus::Pending)
    );
    assert_eq!(s.state.term_window(&tid("ceasefire")), None);
}

fn snapback_policy() -> SanctionPolicy {
    SanctionPolicy::new().rule(rule(1, 14).procedure(Procedure::NoticeAndDeadline {
        dispute_window: Span::days(30),
    }))
}

#[test]
fn a_notice_takes_effect_at_its_deadline_unless_stopped() {
    let mut s = Script::new(snapback_policy());
    s.both_bind_energy();
    let a = s.allege("UA", "RU", "2025-03-26T01:00:00Z", "2025-03-26T06:00:00Z");
    s.find("MON", a, Finding::Confirmed, "2025-03-28T00:00:00Z");
    let deadline = at("2025-04-27T00:00:00Z");
    let id = DecisionId(1);
    let second = chrono::TimeDelta::seconds(1);
    assert_eq!(
        s.state.decision_stage(id, deadline - second),
        Some(Stage::Notice { deadline })
    );
    assert_eq!(s.state.decision_stage(id, deadline), Some(Stage::InForce));
    assert_eq!(
        s.state.decision_stage(id, deadline + second),
        Some(Stage::InForce)
    );

    // Halting after the deadline is refused; before it, it stops the procedure.
    let late = s.push(
        "US",
        "2025-04-27T00:00:00Z",
        "2025-04-27T00:00:00Z",
        Payload::ProcedureHalted {
            decision: id,
            reason: "too late".into(),
        },
    );
    assert!(matches!(late, Err(Rejection::DeadlinePassed { .. })));

    let mut s = Script::new(snapback_policy());
    s.both_bind_energy();
    let a = s.allege("UA", "RU", "2025-03-26T01:00:00Z", "2025-03-26T06:00:00Z");
    s.find("MON", a, Finding::Confirmed, "2025-03-28T00:00:00Z");
    s.push(
        "US",
        "2025-04-26T23:59:59Z",
        "2025-04-26T23:59:59Z",
        Payload::ProcedureHalted {
            decision: id,
            reason: "continuation adopted".into(),
        },
    )
    .expect("halt one second before the deadline");
    assert_eq!(
        s.state.decision_stage(id, deadline),
        Some(Stage::Ended(EndReason::Halted))
    );

    // A refutation during the window stops it.
    let mut s = Script::new(snapback_policy());
    s.both_bind_energy();
    let a = s.allege("UA", "RU", "2025-03-26T01:00:00Z", "2025-03-26T06:00:00Z");
    s.find("MON", a, Finding::Confirmed, "2025-03-28T00:00:00Z");
    s.find("MON2", a, Finding::Refuted, "2025-04-10T00:00:00Z");
    assert_eq!(
        s.state.decision_stage(id, deadline),
        Some(Stage::Ended(EndReason::Stopped))
    );
}

fn relief_policy() -> SanctionPolicy {
    SanctionPolicy::new()
        .rule(rule(1, 14))
        .relief(ReliefPolicy {
            compliance: Span::days(30),
            approvers: [pid("CONGRESS"), pid("COUNCIL")].into_iter().collect(),
            quorum: 2,
        })
}

#[test]
fn relief_needs_the_period_and_the_quorum_and_restarts_on_a_violation() {
    let mut s = Script::new(relief_policy());
    s.both_bind_energy();
    let a = s.allege("UA", "RU", "2025-03-26T01:00:00Z", "2025-03-26T06:00:00Z");
    s.find("MON", a, Finding::Confirmed, "2025-03-28T00:00:00Z");
    let id = DecisionId(1);
    let refused = s.push(
        "UA",
        "2025-04-01T00:00:00Z",
        "2025-04-01T00:00:00Z",
        Payload::ReliefApproved { party: pid("RU") },
    );
    assert!(matches!(refused, Err(Rejection::Unauthorized { .. })));
    let approve = |s: &mut Script, who: &str, when: &str| {
        s.push(
            who,
            when,
            when,
            Payload::ReliefApproved { party: pid("RU") },
        )
    };
    approve(&mut s, "CONGRESS", "2025-04-01T00:00:00Z").expect("approval");
    assert_eq!(
        s.state.relief_due(&pid("RU")),
        None,
        "one approval is not a quorum"
    );
    assert!(matches!(
        approve(&mut s, "CONGRESS", "2025-04-02T00:00:00Z"),
        Err(Rejection::AlreadyApproved(_))
    ));
    approve(&mut s, "COUNCIL", "2025-04-02T00:00:00Z").expect("approval");
    let due = at("2025-04-27T00:00:00Z"); // 30 days after the sanction took effect
    assert_eq!(s.state.relief_due(&pid("RU")), Some(due));
    assert_eq!(
        s.state
            .decision_stage(id, due - chrono::TimeDelta::seconds(1)),
        Some(Stage::InForce)
    );
    assert_eq!(
        s.state.decision_stage(id, due),
        Some(Stage::Ended(EndReason::Relieved))
    );
    // A violation confirmed during the period restarts it and the approvals lapse.
    let b = s.allege("UA", "RU", "2025-04-05T01:00:00Z", "2025-04-05T06:00:00Z");
    s.find("MON", b, Finding::Confirmed, "2025-04-10T00:00:00Z");
    assert_eq!(s.state.relief_due(&pid("RU")), None);
    approve(&mut s, "CONGRESS", "2025-04-11T00:00:00Z").expect("approval");
    assert!(
        s.state.relief_due(&pid("RU")).is_none(),
        "not before the quorum"
    );
    let granted = approve(&mut s, "COUNCIL", "2025-05-20T00:00:00Z").expect("approval");
    // The period had run (10 April + 30 days), so the approval completing the quorum grants
    // relief at once.
    assert_eq!(granted.ended, vec![DecisionId(1), DecisionId(2)]);
    assert_eq!(s.state.reliefs().len(), 1);
    assert_eq!(s.state.reliefs()[0].at, at("2025-05-20T00:00:00Z"));
    assert!(
        s.state
            .sanctions_in_force(at("2025-05-21T00:00:00Z"))
            .is_empty()
    );
}

#[test]
fn a_snapshot_continues_exactly_like_the_original() {
    let mut s = Script::new(relief_policy());
    s.both_bind_energy();
    let a = s.allege("UA", "RU", "2025-03-26T01:00:00Z", "2025-03-26T06:00:00Z");
    let json = serde_json::to_string(&s.state).expect("serializes");
    let mut restored: AgreementState = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(restored, s.state);
    let applied = s.find("MON", a, Finding::Confirmed, "2025-03-28T00:00:00Z");
    let last = s.records.last().expect("record").clone();
    let again = restored.apply(&last).expect("applies");
    assert_eq!(again, applied);
    assert_eq!(
        serde_json::to_string(&restored).expect("serializes"),
        serde_json::to_string(&s.state).expect("serializes")
    );
}

#[test]
fn refused_events_leave_the_state_unchanged() {
    let mut s = Script::new(threshold_policy());
    let before = serde_json::to_string(&s.state).expect("serializes");
    let errors = [
        s.push(
            "RU",
            "2025-03-19T00:00:00Z",
            "2025-03-19T00:00:00Z",
            Payload::VerificationFinding(Verification {
                allegation: EventId::from_parts(at("2025-03-19T00:00:00Z"), 9)
                    .expect("a small tail fits"),
                finding: Finding::Confirmed,
                method: Method::Sensor,
                confidence: Confidence::ZERO,
                notes: String::new(),
                target: None,
                place: None,
            }),
        ),
        s.push(
            "UA",
            "2025-03-19T00:00:00Z",
            "2025-03-17T00:00:00Z",
            Payload::PartyWithdrew {
                reason: String::new(),
            },
        ),
        s.push(
            "UA",
            "2025-03-20T00:00:00Z",
            "2025-03-19T00:00:00Z",
            Payload::PartyWithdrew {
                reason: String::new(),
            },
        ),
    ];
    assert!(matches!(errors[0], Err(Rejection::UnknownAllegation(_))));
    assert!(matches!(
        errors[1],
        Err(Rejection::RecordedBeforePrevious { .. })
    ));
    assert!(matches!(
        errors[2],
        Err(Rejection::OccurredAfterRecorded { .. })
    ));
    assert_eq!(serde_json::to_string(&s.state).expect("serializes"), before);
}

#[test]
fn findings_and_suspensions_are_bounded() {
    let mut s = Script::new(threshold_policy());
    s.both_bind_energy();
    let a = s.allege("UA", "RU", "2025-03-26T01:00:00Z", "2025-03-26T06:00:00Z");
    let limit = Agreement::LIMITS.findings;
    for i in 0..limit {
        let when = format!("2025-03-27T{:02}:{:02}:00Z", i / 60, i % 60);
        s.find("MON", a, Finding::Inconclusive, &when);
    }
    let more = s.push(
        "MON",
        "2025-03-28T00:00:00Z",
        "2025-03-28T00:00:00Z",
        Payload::VerificationFinding(Verification {
            allegation: a,
            finding: Finding::Confirmed,
            method: Method::Sensor,
            confidence: Confidence::ZERO,
            notes: String::new(),
            target: None,
            place: None,
        }),
    );
    assert_eq!(
        more,
        Err(Rejection::LimitReached {
            what: crate::agreement::Limited::Findings,
            limit
        })
    );
    let limit = Agreement::LIMITS.suspensions;
    for i in 0..limit {
        let when = format!(
            "2025-04-{:02}T{:02}:{:02}:00Z",
            1 + i / 120,
            (i % 120) / 5,
            (i % 5) * 10
        );
        let payload = Payload::TermSuspended {
            term: tid("sea"),
            reason: String::new(),
        };
        s.push("US", &when, &when, payload).expect("suspension");
        s.push(
            "US",
            &when,
            &when,
            Payload::TermResumed { term: tid("sea") },
        )
        .expect("resumption");
    }
    let more = s.push(
        "US",
        "2025-04-10T00:00:00Z",
        "2025-04-10T00:00:00Z",
        Payload::TermSuspended {
            term: tid("sea"),
            reason: String::new(),
        },
    );
    assert_eq!(
        more,
        Err(Rejection::LimitReached {
            what: crate::agreement::Limited::Suspensions,
            limit
        })
    );
}
