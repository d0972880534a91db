//! The phased 2025 talks as a log: the energy moratorium, the Black Sea truce and the 30-day
//! ceasefire, the acceptances (Russia's "in principle" among them), the allegations both sides
//! made, and what an automatic-sanction policy does with them.
//!
//! Dates, places and claims follow public reporting of March and April 2025. The monitor, its
//! findings, the guarantor and the sanction policy are hypothetical: no agreed third-party
//! monitor existed, which is exactly what this crate is for.
//!
//! Run with `cargo run --example energy_truce_2025`; give a path as its argument to also write
//! the log there as a log file.

use std::error::Error;

use ceasefire::agreement::{
    AcceptanceLevel, Activation, Agreement, Condition, Confidence, EvidenceStandard, Level,
    Obligation, Party, ReliefPolicy, Role, SanctionPolicy, Severity, TargetCategory, Term,
    TermKind, ThresholdRule,
};
use ceasefire::event::{
    Allegation, Finding, Method, Payload, Period, Place, RefusalReason, Verification,
};
use ceasefire::store::{FileLog, FileLogOptions};
use ceasefire::time::{Occurred, Span, Timestamp};
use ceasefire::{
    AgreementState, ConditionId, Event, EventId, EventLog, ExpectedVersion, PartyId, RuleId, Store,
    TermId,
};

fn at(text: &str) -> Result<Timestamp, Box<dyn Error>> {
    Ok(ceasefire::time::parse_instant(text)?)
}

fn party(id: &str) -> Result<PartyId, Box<dyn Error>> {
    Ok(PartyId::new(id)?)
}

fn term(id: &str) -> Result<TermId, Box<dyn Error>> {
    Ok(TermId::new(id)?)
}

/// The monitoring desk: writes events to the log with deterministic ids.
struct Desk {
    log: EventLog,
    written: u8,
}

impl Desk {
    fn record(
        &mut self,
        author: &str,
        occurred: &str,
        recorded: &str,
        payload: Payload,
    ) -> Result<EventId, Box<dyn Error>> {
        self.written += 1;
        let recorded = at(recorded)?;
        let occurred: Occurred = ceasefire::time::parse_occurred(occurred)?;
        let id = EventId::from_parts(recorded, u128::from(self.written))?;
        let event = Event::by(party(author)?)
            .id(id)
            .occurred(occurred)
            .recorded(recorded)
            .says(payload)?;
        let version = self.log.head()?.version;
        self.log.append(ExpectedVersion::Exactly(version), event)?;
        Ok(id)
    }

    fn accept(
        &mut self,
        who: &str,
        what: &str,
        level: AcceptanceLevel,
        when: &str,
        effective_from: Option<&str>,
    ) -> Result<EventId, Box<dyn Error>> {
        let effective_from = effective_from.map(at).transpose()?;
        self.record(
            who,
            when,
            when,
            Payload::TermAccepted {
                term: term(what)?,
                level,
                effective_from,
            },
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn allege(
        &mut self,
        by: &str,
        accused: &str,
        target: TargetCategory,
        place: Place,
        what: &str,
        occurred: &str,
        recorded: &str,
    ) -> Result<EventId, Box<dyn Error>> {
        self.record(
            by,
            occurred,
            recorded,
            Payload::from(Allegation {
                accused: party(accused)?,
                term: term("energy-moratorium")?,
                target,
                place,
                severity: Severity::Serious,
                description: what.into(),
                evidence: vec![],
            }),
        )
    }

    fn find(
        &mut self,
        allegation: EventId,
        finding: Finding,
        method: Method,
        confidence: u8,
        when: &str,
    ) -> Result<EventId, Box<dyn Error>> {
        self.record(
            "JMM",
            when,
            when,
            Payload::VerificationFinding(Verification::new(
                allegation,
                finding,
                method,
                Confidence::percent(confidence)?,
            )),
        )
    }

    fn deny(
        &mut self,
        who: &str,
        allegation: EventId,
        when: &str,
    ) -> Result<EventId, Box<dyn Error>> {
        self.record(
            who,
            when,
            when,
            Payload::AllegationDenied {
                allegation,
                statement: "groundless".into(),
                target: None,
            },
        )
    }
}

fn agreement() -> Result<Agreement, Box<dyn Error>> {
    let energy = term("energy-moratorium")?;
    Ok(
        Agreement::new("US-brokered phased de-escalation, March 2025")
            .party(Party::new(party("UA")?, Role::Belligerent, "Ukraine"))
            .party(Party::new(
                party("RU")?,
                Role::Belligerent,
                "Russian Federation",
            ))
            .party(Party::new(party("US")?, Role::Mediator, "United States"))
            .party(Party::new(
                party("TR")?,
                Role::Guarantor,
                "Türkiye (hypothetical guarantor)",
            ))
            .party(Party::new(
                party("JMM")?,
                Role::Monitor,
                "Joint Monitoring Mission (hypothetical)",
            ))
            .party(Party::new(
                party("US-CONGRESS")?,
                Role::Approver,
                "United States Congress",
            ))
            .party(Party::new(
                party("EU-COUNCIL")?,
                Role::Approver,
                "Council of the European Union",
            ))
            .term(
                Term::new(
                    energy.clone(),
                    "Halt on strikes against energy infrastructure",
                    TermKind::energy_moratorium(),
                )
                .binding([party("RU")?, party("UA")?])
                .lasting(Span::days(30))
                .per_party()
                .phase(1),
            )
            .term(
                Term::new(
                    term("prisoner-exchange")?,
                    "175-for-175 prisoner exchange",
                    TermKind::NonKinetic {
                        obligation: Obligation::ExchangePrisoners { count: Some(175) },
                    },
                )
                .binding([party("RU")?, party("UA")?])
                .phase(1),
            )
            .term(
                Term::new(
                    term("black-sea")?,
                    "Safe navigation in the Black Sea",
                    TermKind::MaritimeTruce {
                        zone: "Black Sea".into(),
                    },
                )
                .binding([party("RU")?, party("UA")?])
                .phase(2),
            )
            .term(
                Term::new(
                    term("ceasefire-30d")?,
                    "Interim 30-day ceasefire",
                    TermKind::GeneralCeasefire { area: None },
                )
                .binding([party("RU")?, party("UA")?])
                .activation(Activation::AfterHeld {
                    term: energy.clone(),
                    days: 30,
                })
                .lasting(Span::days(30))
                .phase(3),
            )
            .policy(
                SanctionPolicy::new()
                    .rule(
                        ThresholdRule::new(RuleId::new("energy-strikes")?, 3, Span::days(14))
                            .terms([energy])
                            .evidence(EvidenceStandard::Confirmed {
                                monitors: 1,
                                min_confidence: Confidence::percent(70)?,
                            })
                            .level(Level::Warning),
                    )
                    .relief(ReliefPolicy {
                        compliance: Span::days(30),
                        approvers: [party("US-CONGRESS")?, party("EU-COUNCIL")?]
                            .into_iter()
                            .collect(),
                        quorum: 2,
                    }),
            ),
    )
}

fn write_the_log(desk: &mut Desk) -> Result<(), Box<dyn Error>> {
    use AcceptanceLevel::{Binding, InPrinciple};
    use TargetCategory::{PipelineOrStorage, PowerGrid};
    let agreement = agreement()?;
    desk.record(
        "US",
        "2025-03-18T16:00:00Z",
        "2025-03-18T16:00:00Z",
        Payload::AgreementConcluded(Box::new(agreement)),
    )?;
    // Ukraine said at Jeddah on 11 March it would accept the 30-day ceasefire.
    desk.record(
        "UA",
        "2025-03-11T15:00:00Z",
        "2025-03-18T16:01:00Z",
        Payload::TermAccepted {
            term: term("ceasefire-30d")?,
            level: Binding,
            effective_from: None,
        },
    )?;
    desk.accept(
        "RU",
        "energy-moratorium",
        InPrinciple,
        "2025-03-18T16:05:00Z",
        None,
    )?;
    // Russia rejects the full ceasefire and names its conditions.
    desk.record(
        "RU",
        "2025-03-18T16:05:30Z",
        "2025-03-18T16:05:30Z",
        Payload::TermRefused {
            term: term("ceasefire-30d")?,
            reasons: vec![
                RefusalReason::Demands(Obligation::CurtailArmsDeliveries),
                RefusalReason::Demands(Obligation::HaltIntelligenceSharing),
                RefusalReason::Demands(Obligation::HaltConscription),
                RefusalReason::Stated("effective control of any ceasefire".into()),
            ],
        },
    )?;
    desk.accept(
        "RU",
        "prisoner-exchange",
        Binding,
        "2025-03-18T16:06:00Z",
        None,
    )?;
    desk.accept(
        "UA",
        "prisoner-exchange",
        Binding,
        "2025-03-18T16:07:00Z",
        None,
    )?;
    let sloviansk = desk.allege(
        "UA",
        "RU",
        PowerGrid,
        Place::named("Sloviansk").in_region("Donetsk"),
        "drone strike on an energy facility during the overnight wave",
        // The wave ran from 22:00 to 06:00 Kyiv time (UTC+2 until 30 March).
        "2025-03-18T20:00:00Z/2025-03-19T04:00:00Z",
        "2025-03-19T06:00:00Z",
    )?;
    // Pavlohrad: Ukraine reports a strike on power; Russia says the target was the railway.
    let pavlohrad = desk.allege(
        "UA",
        "RU",
        PowerGrid,
        Place::named("Pavlohrad traction substation").in_region("Dnipropetrovsk"),
        "strike on railway traction power",
        "2025-03-19T01:00:00Z",
        "2025-03-19T06:05:00Z",
    )?;
    desk.record(
        "RU",
        "2025-03-19T07:00:00Z",
        "2025-03-19T07:00:00Z",
        Payload::AllegationDenied {
            allegation: pavlohrad,
            statement: "a railway hub supplying the front, not energy infrastructure".into(),
            target: Some(TargetCategory::Railway),
        },
    )?;
    let kavkazskaya = desk.allege(
        "RU",
        "UA",
        PipelineOrStorage,
        Place::named("Kavkazskaya").in_region("Krasnodar"),
        "drone set fire to an oil depot",
        "2025-03-19T01:00:00Z",
        "2025-03-19T09:00:00Z",
    )?;
    // The 175-for-175 exchange of 19 March, attested by the monitor for each side.
    for (side, recorded) in [
        ("RU", "2025-03-19T18:00:00Z"),
        ("UA", "2025-03-19T18:05:00Z"),
    ] {
        let exchange = Period {
            from: at("2025-03-19T08:00:00Z")?,
            to: at("2025-03-19T14:00:00Z")?,
        };
        desk.record(
            "JMM",
            "2025-03-19T14:00:00Z",
            recorded,
            Payload::ComplianceAttested {
                party: party(side)?,
                term: term("prisoner-exchange")?,
                period: exchange,
                statement: "175 prisoners released".into(),
            },
        )?;
    }
    desk.record(
        "RU",
        "2025-03-13",
        "2025-03-21T08:00:00Z",
        Payload::ControlChanged {
            place: Place::named("Sudzha").in_region("Kursk"),
            controller: party("RU")?,
        },
    )?;
    let sudzha = desk.allege(
        "RU",
        "UA",
        PipelineOrStorage,
        Place::named("Sudzha gas metering station"),
        "blown up by retreating troops",
        "2025-03-21",
        "2025-03-21T12:00:00Z",
    )?;
    desk.deny("UA", sudzha, "2025-03-21T15:00:00Z")?;
    // 25 March: the Kremlin publishes the covered facilities, counting from its order of
    // 18 March; Ukraine commits from 25 March. The Black Sea arrangement is announced, with
    // Russia's conditions attached.
    desk.accept(
        "RU",
        "energy-moratorium",
        Binding,
        "2025-03-25T12:00:00Z",
        Some("2025-03-18T16:00:00Z"),
    )?;
    desk.accept(
        "UA",
        "energy-moratorium",
        Binding,
        "2025-03-25T14:00:00Z",
        None,
    )?;
    desk.accept("UA", "black-sea", Binding, "2025-03-25T18:00:00Z", None)?;
    desk.accept("RU", "black-sea", AcceptanceLevel::Conditional {
        conditions: vec![
            Condition::new(ConditionId::new("rosselkhozbank-swift")?, "lift sanctions on Rosselkhozbank and reconnect it to SWIFT"),
            Condition::new(ConditionId::new("agri-exports")?, "lift restrictions on food and fertiliser exporters, insurers and port services"),
        ],
    }, "2025-03-25T19:00:00Z", None)?;
    desk.find(
        sloviansk,
        Finding::Confirmed,
        Method::SatelliteImagery,
        85,
        "2025-03-26T10:00:00Z",
    )?;
    desk.find(
        kavkazskaya,
        Finding::Confirmed,
        Method::SatelliteImagery,
        75,
        "2025-03-26T11:00:00Z",
    )?;
    desk.find(
        sudzha,
        Finding::Inconclusive,
        Method::OnSiteObserver,
        40,
        "2025-03-26T12:00:00Z",
    )?;
    // The monitor confirms the Pavlohrad strike and classifies the target as the railway's
    // traction supply: outside the energy moratorium, so it does not count under it.
    desk.record(
        "JMM",
        "2025-03-26T13:00:00Z",
        "2025-03-26T13:00:00Z",
        Payload::VerificationFinding(
            Verification::new(
                pavlohrad,
                Finding::Confirmed,
                Method::SatelliteImagery,
                Confidence::percent(80)?,
            )
            .classifying(TargetCategory::Railway),
        ),
    )?;
    let bryansk = desk.allege(
        "RU",
        "UA",
        PowerGrid,
        Place::named("Bryansk region"),
        "drone attack on power lines",
        "2025-03-26T22:00:00Z",
        "2025-03-27T08:00:00Z",
    )?;
    let kherson = desk.allege(
        "UA",
        "RU",
        PowerGrid,
        Place::named("Kherson"),
        "artillery strike on a substation",
        "2025-03-27T04:00:00Z",
        "2025-03-27T09:00:00Z",
    )?;
    desk.deny("UA", bryansk, "2025-03-27T12:00:00Z")?;
    let himars = desk.allege(
        "RU",
        "UA",
        PipelineOrStorage,
        Place::named("Sudzha gas metering station"),
        "HIMARS strike",
        "2025-03-28T10:00:00Z",
        "2025-03-28T16:00:00Z",
    )?;
    let poltava = desk.allege(
        "UA",
        "RU",
        PipelineOrStorage,
        Place::named("Poltava region"),
        "missile strike on gas production",
        "2025-03-28T02:00:00Z",
        "2025-03-28T17:00:00Z",
    )?;
    desk.deny("UA", himars, "2025-03-28T18:00:00Z")?;
    desk.find(
        kherson,
        Finding::Confirmed,
        Method::OnSiteObserver,
        80,
        "2025-03-29T10:00:00Z",
    )?;
    desk.find(
        bryansk,
        Finding::Refuted,
        Method::OpenSource,
        70,
        "2025-03-30T10:00:00Z",
    )?;
    desk.find(
        himars,
        Finding::Inconclusive,
        Method::Sensor,
        50,
        "2025-03-30T11:00:00Z",
    )?;
    // The third confirmed Russian strike within 14 days crosses the threshold.
    desk.find(
        poltava,
        Finding::Confirmed,
        Method::SatelliteImagery,
        90,
        "2025-03-31T09:00:00Z",
    )?;
    desk.record(
        "US",
        "2025-03-31T15:00:00Z",
        "2025-03-31T15:00:00Z",
        Payload::SanctionImposed {
            against: party("RU")?,
            level: Level::Warning,
            decision: Some(ceasefire::DecisionId(1)),
            measures: "formal warning delivered by the mediator".into(),
        },
    )?;
    // After the month: each side's tally, kept apart from individual allegations.
    let month = Period {
        from: at("2025-03-18T00:00:00Z")?,
        to: at("2025-04-18T00:00:00Z")?,
    };
    desk.record(
        "RU",
        "2025-04-18T09:00:00Z",
        "2025-04-18T09:00:00Z",
        Payload::AggregateClaimed {
            accused: party("UA")?,
            term: Some(term("energy-moratorium")?),
            count: 120,
            period: month,
            description: "more than 120 strikes on energy facilities".into(),
        },
    )?;
    desk.record(
        "UA",
        "2025-04-18T10:00:00Z",
        "2025-04-18T10:00:00Z",
        Payload::AggregateClaimed {
            accused: party("RU")?,
            term: Some(term("energy-moratorium")?),
            count: 30,
            period: month,
            description: "over 30 violations".into(),
        },
    )?;
    later_truces(desk)
}

/// The truces Russia declared after the talks: Easter (19 April) and Victory Day (28 April),
/// each with a window fixed in Moscow time, added to the live agreement when declared.
fn later_truces(desk: &mut Desk) -> Result<(), Box<dyn Error>> {
    let truce = |id: &str, title: &str, from: &str, until: &str| -> Result<Term, Box<dyn Error>> {
        Ok(
            Term::new(term(id)?, title, TermKind::GeneralCeasefire { area: None })
                .binding([party("RU")?, party("UA")?])
                .fixed_window(at(from)?, at(until)?)
                .per_party()
                .phase(4),
        )
    };
    // Declared on 19 April for 18:00 Moscow time that day until midnight on 20/21 April.
    let easter = truce(
        "easter-truce",
        "Easter truce",
        "2025-04-19T18:00:00+03:00",
        "2025-04-21T00:00:00+03:00",
    )?;
    desk.record(
        "RU",
        "2025-04-19T12:00:00Z",
        "2025-04-19T12:00:00Z",
        Payload::TermProposed {
            term: easter,
            counters: None,
        },
    )?;
    // Ukraine says it will mirror the truce, three hours after it began: bound from then
    // until the same fixed end.
    desk.accept(
        "UA",
        "easter-truce",
        AcceptanceLevel::Binding,
        "2025-04-19T18:00:00Z",
        None,
    )?;
    // An overnight drone wave reported from 22:00 to 02:00 Kyiv time: it straddles the
    // truce's end (21:00 UTC on 20 April), so it is possibly inside and never counted.
    desk.record(
        "UA",
        "2025-04-20T19:00:00Z/2025-04-20T23:00:00Z",
        "2025-04-21T06:00:00Z",
        Payload::from(
            Allegation::new(
                party("RU")?,
                term("easter-truce")?,
                TargetCategory::CivilianSite,
                Place::named("Kherson region"),
                Severity::Serious,
            )
            .described("drone wave across the front line"),
        ),
    )?;
    // Declared on 28 April for 8 to 10 May, Moscow time; Ukraine declines it.
    let victory_day = truce(
        "victory-day-truce",
        "Victory Day truce",
        "2025-05-08T00:00:00+03:00",
        "2025-05-11T00:00:00+03:00",
    )?;
    desk.record(
        "RU",
        "2025-04-28T09:00:00Z",
        "2025-04-28T09:00:00Z",
        Payload::TermProposed {
            term: victory_day,
            counters: None,
        },
    )?;
    desk.record(
        "UA",
        "2025-04-28T15:00:00Z",
        "2025-04-28T15:00:00Z",
        Payload::TermRefused {
            term: term("victory-day-truce")?,
            reasons: vec![RefusalReason::Stated(
                "a three-day truce for a parade; Ukraine stands by an immediate 30-day ceasefire"
                    .into(),
            )],
        },
    )?;
    Ok(())
}

fn report(state: &AgreementState, records: &[ceasefire::Record]) -> Result<(), Box<dyn Error>> {
    let when = at("2025-04-20T00:00:00Z")?;
    println!("\nState as the log knows it:\n{}", state.summary(when));
    println!("Who is bound, party by party:");
    for (what, day) in [
        ("energy-moratorium", "2025-03-20T12:00:00Z"),
        ("energy-moratorium", "2025-04-20T12:00:00Z"),
        ("easter-truce", "2025-04-20T12:00:00Z"),
        ("victory-day-truce", "2025-05-09T12:00:00Z"),
    ] {
        let (id, day) = (term(what)?, at(day)?);
        let joint = state
            .term_status(&id, day)
            .map_or_else(|| "not yet proposed".to_string(), |s| s.to_string());
        print!("  {what} on {}: {joint}", day.format("%d %b"));
        for side in ["RU", "UA"] {
            if let Some(p) = state.party_status(&id, &party(side)?, day) {
                print!("; {side} {p}");
            }
        }
        println!();
    }
    if let Some(c) = state.controller_at("Sudzha", when) {
        println!("Control: Sudzha held by {} since {}", c.controller, c.since);
    }
    for d in state.decisions() {
        let trigger = records
            .iter()
            .find(|r| r.event.id == d.trigger)
            .map(|r| r.seq.to_string())
            .unwrap_or_default();
        println!("{} was triggered by record {trigger}; it cites:", d.id);
        for v in &d.violations {
            if let Some(r) = records.iter().find(|r| r.event.id == *v) {
                println!("  {r}");
            }
        }
        for e in &d.evidence {
            if let Some(r) = records.iter().find(|r| r.event.id == *e) {
                println!("  on the evidence of {r}");
            }
        }
    }
    let ru = party("RU")?;
    if let Some(due) = state.relief_due(&ru) {
        println!("Relief for RU due {due}");
    } else if let Some(clock) = state.compliance_clock(&ru) {
        println!(
            "Relief for RU: compliance clock running since {}, needs 30 days and approvals from US-CONGRESS and EU-COUNCIL",
            clock.format("%d %b %H:%M")
        );
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut desk = Desk {
        log: EventLog::new(),
        written: 0,
    };
    let warnings = agreement()?.lint();
    for w in &warnings {
        println!("warning: {w}");
    }
    if warnings.is_empty() {
        println!("The agreement lints clean.");
    }
    write_the_log(&mut desk)?;
    let records = desk.log.records()?;
    println!("Timeline ({} records):", records.len());
    print!("{}", ceasefire::event::timeline(&records));
    let state = ceasefire::replay(&records)?;
    assert_eq!(state, desk.log.state()?, "replay equals the live state");
    report(&state, &records)?;
    // Knowledge time: what a monitor knew on the evening of 25 March, from the same log.
    let then = at("2025-03-25T23:59:59Z")?;
    let known = ceasefire::replay_as_of(&records, then)?;
    let energy = term("energy-moratorium")?;
    println!(
        "\nAs known on 25 March: energy moratorium {}, {} allegations, {} decisions",
        known
            .term_status(&energy, then)
            .map(|s| s.to_string())
            .unwrap_or_default(),
        known.allegations().count(),
        known.decisions().len()
    );
    println!("\nHead: {}", desk.log.head()?);
    // `cargo run --example energy_truce_2025 -- PATH` also writes the log to a file there.
    if let Some(path) = std::env::args_os().nth(1) {
        let file = FileLog::create(&path, FileLogOptions::new())?;
        file.append_batch(
            ExpectedVersion::Exactly(0),
            records.into_iter().map(|r| r.event).collect(),
        )?;
        println!("Wrote the log to {}", std::path::Path::new(&path).display());
    }
    Ok(())
}
