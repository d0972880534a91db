//! A downstream sanction rule plugged into replay: any confirmed strike on a nuclear power plant
//! triggers the top escalation level at once.
//!
//! Run it with `cargo run --example custom_rule`. The rule lives in `examples/support/nuclear.rs`;
//! its property tests, written as a user's crate would write them, are in
//! `tests/downstream_rule.rs`.

#[path = "support/nuclear.rs"]
mod nuclear;

use std::error::Error;

use ceasefire::agreement::{
    Agreement, Confidence, Party, Role, SanctionPolicy, Severity, TargetCategory, Term, TermKind,
    ThresholdRule,
};
use ceasefire::event::{Allegation, Finding, Method, Place, Verification};
use ceasefire::replay::Replayer;
use ceasefire::sanction::RuleSet;
use ceasefire::time::{Span, Timestamp};
use ceasefire::{Event, EventId, PartyId, Payload, Record, Seq, TermId};

use nuclear::NuclearRedLine;

fn at(text: &str) -> Result<Timestamp, Box<dyn Error>> {
    Ok(text.parse::<Timestamp>()?)
}

/// Numbers events from 1 and gives them ids derived from their time and number, so that the
/// output is the same on every run.
struct Script {
    records: Vec<Record>,
}

impl Script {
    fn push(
        &mut self,
        author: &PartyId,
        when: &str,
        payload: Payload,
    ) -> Result<EventId, Box<dyn Error>> {
        let t = at(when)?;
        let n = self.records.len() as u64 + 1;
        let id = EventId::from_parts(t, u128::from(n))?;
        self.records.push(Record::new(
            Seq(n),
            Event::new(id, author.clone(), t, t, payload),
        ));
        Ok(id)
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let ua = PartyId::new("UA")?;
    let ru = PartyId::new("RU")?;
    let us = PartyId::new("US")?;
    let iaea = PartyId::new("IAEA")?;
    let energy = TermId::new("energy")?;

    // The 30-day halt on strikes against energy infrastructure of March 2025, with a built-in
    // rule (three confirmed violations within 14 days) beside the downstream one.
    let agreement = Agreement::new("Energy moratorium, spring 2025")
        .party(Party::new(ua.clone(), Role::Belligerent, "Ukraine"))
        .party(Party::new(ru.clone(), Role::Belligerent, "Russia"))
        .party(Party::new(us.clone(), Role::Mediator, "United States"))
        .party(Party::new(
            iaea.clone(),
            Role::Monitor,
            "IAEA support and assistance mission",
        ))
        .term(
            Term::new(
                energy.clone(),
                "No strikes on energy infrastructure",
                TermKind::energy_moratorium(),
            )
            .binding([ua.clone(), ru.clone()])
            .lasting(Span::days(30))
            .per_party(),
        )
        .policy(SanctionPolicy::new().rule(ThresholdRule::new(
            ceasefire::RuleId::new("energy-3")?,
            3,
            Span::days(14),
        )));

    let mut log = Script {
        records: Vec::new(),
    };
    log.push(
        &us,
        "2025-03-18T12:00:00Z",
        Payload::AgreementConcluded(Box::new(agreement)),
    )?;
    for party in [&ru, &ua] {
        log.push(
            party,
            "2025-03-18T18:00:00Z",
            Payload::TermAccepted {
                term: energy.clone(),
                level: ceasefire::agreement::AcceptanceLevel::Binding,
                effective_from: None,
            },
        )?;
    }
    let strike = log.push(
        &ua,
        "2025-03-20T06:00:00Z",
        Payload::from(Allegation {
            accused: ru.clone(),
            term: energy.clone(),
            target: TargetCategory::NuclearPowerPlant,
            place: Place::named("Zaporizhzhia NPP").in_region("Zaporizhzhia"),
            severity: Severity::Grave,
            description: "drone strike on the plant's training centre".into(),
            evidence: vec!["photo:znpp-2025-03-20".into()],
        }),
    )?;

    let rules = RuleSet::new().with(NuclearRedLine::new());
    let alleged = Replayer::new().rules(rules.clone())?.strict(&log.records)?;
    println!(
        "After the allegation alone: {} decision(s).",
        alleged.decisions().len()
    );

    log.push(
        &iaea,
        "2025-03-21T09:00:00Z",
        Payload::VerificationFinding(
            Verification::new(
                strike,
                Finding::Confirmed,
                Method::OnSiteObserver,
                Confidence::percent(95)?,
            )
            .noting("damage seen by the team on site"),
        ),
    )?;
    let confirmed = Replayer::new().rules(rules.clone())?.strict(&log.records)?;
    for d in confirmed.decisions() {
        println!(
            "Decision {}: rule {} sanctions {} at {} from {}, citing {} violation(s); the built-in \
             threshold rule has not fired.",
            d.id,
            d.rule,
            d.party,
            d.level,
            d.decided_at.format("%Y-%m-%d %H:%M UTC"),
            d.violations.len()
        );
    }
    let now = at("2025-03-22T00:00:00Z")?;
    println!(
        "Escalation level of {ru} on 22 March: {}.",
        confirmed
            .escalation_level(&ru, now)
            .map_or("none".to_string(), |l| l.to_string())
    );

    // The mission revises its finding: the strike is refuted, and the decision no longer stands.
    log.push(
        &iaea,
        "2025-03-25T09:00:00Z",
        Payload::VerificationFinding(
            Verification::new(
                strike,
                Finding::Refuted,
                Method::SatelliteImagery,
                Confidence::percent(80)?,
            )
            .noting("the damage predates the moratorium"),
        ),
    )?;
    let refuted = Replayer::new().rules(rules)?.strict(&log.records)?;
    for d in refuted.decisions() {
        let ending = d
            .ending
            .map(|e| format!("{} from {}", e.reason, e.at.format("%Y-%m-%d %H:%M UTC")))
            .unwrap_or_else(|| "still in force".into());
        println!("After the revised finding, decision {} is {ending}.", d.id);
    }
    println!(
        "Escalation level of {ru} on 26 March: {}.",
        refuted
            .escalation_level(&ru, at("2025-03-26T00:00:00Z")?)
            .map_or("none".to_string(), |l| l.to_string())
    );
    Ok(())
}
