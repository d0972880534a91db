//! One snapback procedure, step by step.
//!
//! The only automatic sanction that has run in the world is the "snapback" of UN Security
//! Council resolution 2231: a participant notified the Council on 28 August 2025, the draft to
//! continue relief failed on 19 September, and the earlier sanctions returned at 00:00 GMT on
//! 28 September, the end of the 30 days after the day of notification. Nothing was
//! retroactive and a veto could not stop it.
//!
//! Here the same mechanism guards a (hypothetical) Black Sea arrangement: a confirmed attack
//! on shipping issues a notice; during the dispute window a refutation or the mediator's halt
//! stops it; otherwise the lifted sanctions return at the deadline. The dates mirror 2025.
//!
//! Run with `cargo run --example snapback`.

use std::error::Error;

use ceasefire::Refused;
use ceasefire::agreement::{
    AcceptanceLevel, Agreement, Confidence, Escalation, EvidenceStandard, Level, Party, Procedure,
    Role, SanctionPolicy, Severity, TargetCategory, Term, TermKind, ThresholdRule,
};
use ceasefire::event::{Allegation, Finding, Method, Payload, Place, Verification};
use ceasefire::sanction::Stage;
use ceasefire::time::{Span, Timestamp};
use ceasefire::{
    DecisionId, Event, EventId, EventLog, ExpectedVersion, PartyId, Rejection, RuleId, Store,
    StoreError, TermId,
};

fn at(text: &str) -> Result<Timestamp, Box<dyn Error>> {
    Ok(text.parse()?)
}

struct Writer {
    n: u8,
}

impl Writer {
    fn event(
        &mut self,
        author: &str,
        when: &str,
        payload: Payload,
    ) -> Result<Event, Box<dyn Error>> {
        self.n += 1;
        let t = at(when)?;
        Ok(Event::new(
            EventId::from_parts(t, u128::from(self.n)).expect("a small tail fits"),
            PartyId::new(author)?,
            t,
            t,
            payload,
        ))
    }
}

fn agreement() -> Result<Agreement, Box<dyn Error>> {
    let sea = TermId::new("black-sea")?;
    let snapback = ThresholdRule::new(RuleId::new("snapback")?, 1, Span::days(30))
        .terms([sea.clone()])
        .evidence(EvidenceStandard::Confirmed {
            monitors: 1,
            min_confidence: Confidence::percent(70)?,
        })
        .level(Level::Reimposition)
        .escalation(Escalation::Fixed)
        // 00:00 on 28 August to 00:00 on 28 September: the day of notice and 30 days after it.
        .procedure(Procedure::NoticeAndDeadline {
            dispute_window: Span::days(31),
        });
    Ok(
        Agreement::new("Black Sea arrangement with a snapback clause (hypothetical)")
            .party(Party::new(
                PartyId::new("UA")?,
                Role::Belligerent,
                "Ukraine",
            ))
            .party(Party::new(
                PartyId::new("RU")?,
                Role::Belligerent,
                "Russian Federation",
            ))
            .party(Party::new(
                PartyId::new("US")?,
                Role::Mediator,
                "Mediator (votes like the Council)",
            ))
            .party(Party::new(
                PartyId::new("MON")?,
                Role::Monitor,
                "Maritime monitoring mission",
            ))
            .term(
                Term::new(
                    sea,
                    "Safe navigation in the Black Sea",
                    TermKind::MaritimeTruce {
                        zone: "Black Sea".into(),
                    },
                )
                .binding([PartyId::new("UA")?, PartyId::new("RU")?]),
            )
            .policy(SanctionPolicy::new().rule(snapback)),
    )
}

fn show(log: &EventLog, label: &str, when: &str) -> Result<(), Box<dyn Error>> {
    let t = at(when)?;
    let stage = log.with_state(|s| s.decision_stage(DecisionId(1), t))?;
    let text = match stage {
        None => "no procedure".to_string(),
        Some(Stage::NotYetDecided) => "no notice yet".to_string(),
        Some(Stage::Notice { deadline }) => {
            format!("notice pending, sanctions return at {deadline}")
        }
        Some(Stage::InForce) => "sanctions back in force".to_string(),
        Some(Stage::Ended(reason)) => format!("procedure ended: {reason}"),
        Some(other) => other.to_string(),
    };
    println!("  {when}  {label:<34} {text}");
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut w = Writer { n: 0 };
    let log = EventLog::new();
    let sea = TermId::new("black-sea")?;
    let append = |log: &EventLog, e: Event| log.append(ExpectedVersion::Any, e);
    append(
        &log,
        w.event(
            "US",
            "2025-08-01T00:00:00Z",
            Payload::AgreementConcluded(Box::new(agreement()?)),
        )?,
    )?;
    for p in ["RU", "UA"] {
        let accept = Payload::TermAccepted {
            term: sea.clone(),
            level: AcceptanceLevel::Binding,
            effective_from: None,
        };
        append(&log, w.event(p, "2025-08-01T00:00:00Z", accept)?)?;
    }
    let attack = w.event(
        "UA",
        "2025-08-21T09:00:00Z",
        Payload::from(Allegation {
            accused: PartyId::new("RU")?,
            term: sea.clone(),
            target: TargetCategory::Shipping,
            place: Place::named("off Odesa"),
            severity: Severity::Grave,
            description: "missile strike on a grain carrier".into(),
            evidence: vec!["imagery:2025-08-20".into()],
        }),
    )?;
    let attack_id = attack.id;
    append(&log, attack)?;
    append(
        &log,
        w.event(
            "RU",
            "2025-08-22T12:00:00Z",
            Payload::AllegationDenied {
                allegation: attack_id,
                statement: "a provocation".into(),
                target: None,
            },
        )?,
    )?;

    println!("Snapback, step by step (decision D1):");
    show(&log, "allegation denied", "2025-08-22T12:00:00Z")?;
    // The monitor's confirmation crosses the threshold: the notice is issued at once.
    append(
        &log,
        w.event(
            "MON",
            "2025-08-28T00:00:00Z",
            Payload::VerificationFinding(
                Verification::new(
                    attack_id,
                    Finding::Confirmed,
                    Method::SatelliteImagery,
                    Confidence::percent(90)?,
                )
                .noting("debris field and hull damage consistent with the report"),
            ),
        )?,
    )?;
    show(&log, "confirmed: notice issued", "2025-08-28T00:00:00Z")?;
    show(
        &log,
        "draft fails: no halt is recorded",
        "2025-09-19T20:00:00Z",
    )?;
    show(
        &log,
        "one second before the deadline",
        "2025-09-27T23:59:59Z",
    )?;
    show(&log, "the deadline", "2025-09-28T00:00:00Z")?;

    // Too late to halt: the deadline has passed.
    let late_halt = w.event(
        "US",
        "2025-09-28T00:00:00Z",
        Payload::ProcedureHalted {
            decision: DecisionId(1),
            reason: "continuation resolution".into(),
        },
    )?;
    match log.append(ExpectedVersion::Any, late_halt) {
        Err(StoreError::Rejected(Refused {
            reason: Rejection::DeadlinePassed { deadline, .. },
            ..
        })) => {
            println!("  a halt at the deadline is refused: in force since {deadline}");
        }
        other => return Err(format!("a late halt should be refused, got {other:?}").into()),
    }

    // The same log where the mediator halts in time (the continuation resolution adopted).
    let halted = EventLog::new();
    for r in log.records()? {
        halted.append(ExpectedVersion::Any, r.event)?;
    }
    halted.append(
        ExpectedVersion::Any,
        w.event(
            "US",
            "2025-09-19T20:00:00Z",
            Payload::ProcedureHalted {
                decision: DecisionId(1),
                reason: "continuation of relief adopted".into(),
            },
        )?,
    )?;
    println!("Had the continuation been adopted on 19 September:");
    show(&halted, "the deadline", "2025-09-28T00:00:00Z")?;

    let state = log.state()?;
    let d = state.decision(DecisionId(1)).ok_or("no decision")?;
    println!(
        "D1: {} against {} by rule {}, citing {}, decided {}, effective {:?}",
        d.level,
        d.party,
        d.rule,
        d.violations
            .first()
            .map(|v| v.to_string())
            .unwrap_or_default(),
        d.decided_at,
        d.effective_at
    );
    Ok(())
}
