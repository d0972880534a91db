//! Deterministic events for the file store's unit tests: a genesis, then allegations, one
//! minute apart.

use chrono::{DateTime, TimeDelta, Utc};

use crate::agreement::{Agreement, Party, Role, Severity, TargetCategory, Term, TermKind};
use crate::event::{Allegation, Event, Payload, Place};
use crate::id::{EventId, PartyId, TermId};
use crate::time::Span;

fn at(n: u32) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + TimeDelta::days(20_165) + TimeDelta::minutes(i64::from(n))
}

fn party(id: &str) -> PartyId {
    PartyId::new(id).expect("fixture party ids are valid")
}

fn term() -> TermId {
    TermId::new("energy").expect("fixture term id is valid")
}

fn id(n: u32) -> EventId {
    EventId::from_parts(at(n), u128::from(n) << 8 | 1).expect("fixture ids fit")
}

/// The genesis, as event number `n` (its time and id).
pub(crate) fn genesis(n: u32) -> Event {
    let agreement = Agreement::new("file store fixture")
        .party(Party::new(party("UA"), Role::Belligerent, "Ukraine"))
        .party(Party::new(party("RU"), Role::Belligerent, "Russia"))
        .party(Party::new(party("US"), Role::Mediator, "United States"))
        .term(
            Term::new(term(), "Energy", TermKind::energy_moratorium())
                .binding([party("UA"), party("RU")])
                .lasting(Span::days(30)),
        );
    Event::new(
        id(n),
        party("US"),
        at(n),
        at(n),
        Payload::AgreementConcluded(Box::new(agreement)),
    )
}

/// An allegation, as event number `n`.
pub(crate) fn allegation(n: u32) -> Event {
    Event::new(
        id(n),
        party("UA"),
        at(n),
        at(n),
        Payload::from(Allegation {
            accused: party("RU"),
            term: term(),
            target: TargetCategory::PowerGrid,
            place: Place::named("Kherson"),
            severity: Severity::Serious,
            description: format!("strike on a substation, report {n}"),
            evidence: Vec::new(),
        }),
    )
}

/// Event number `n` of a log that holds `len` records: the genesis if it is empty.
pub(crate) fn next(n: u32, len: usize) -> Event {
    if len == 0 { genesis(n) } else { allegation(n) }
}

/// A genesis and `count - 1` allegations.
pub(crate) fn events(count: u32) -> Vec<Event> {
    (0..count).map(|n| next(n, n as usize)).collect()
}
