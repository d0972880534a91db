//! Events: the envelope every fact travels in, and the record a log keeps.
//!
//! An [`Event`] is what a party says: its id, when it happened, when it was logged, who says
//! it, the schema version and the [`Payload`]. A [`Record`] is an event at its place in a log
//! (its sequence number). The log assigns sequence numbers; authors never do.

mod payload;

use serde::{Deserialize, Serialize};

use crate::id::{EventId, PartyId, Seq};
use crate::time::{Occurred, Timestamp};

pub use payload::{
    Allegation, Amendment, Coordinates, CoordinatesError, Finding, Method, Payload, PayloadKind,
    Period, Place, Verification,
};

/// The version of the event schema.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SchemaVersion(pub u16);

impl SchemaVersion {
    /// The version this crate writes and reads.
    pub const CURRENT: SchemaVersion = SchemaVersion(1);
}

/// An event: a fact in the world as a party reports it.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Unique in its log (UUID version 7).
    pub id: EventId,
    /// When it happened in the world.
    pub occurred_at: Occurred,
    /// When it was logged: never earlier than the previous event's, never earlier than
    /// `occurred_at`.
    pub recorded_at: Timestamp,
    /// Who says it.
    pub author: PartyId,
    /// The schema version it was written with.
    pub schema: SchemaVersion,
    /// What it says.
    pub payload: Payload,
}

impl Event {
    /// An event with the current schema version.
    #[must_use]
    pub fn new(
        id: EventId,
        author: PartyId,
        occurred_at: impl Into<Occurred>,
        recorded_at: Timestamp,
        payload: Payload,
    ) -> Event {
        Event {
            id,
            occurred_at: occurred_at.into(),
            recorded_at,
            author,
            schema: SchemaVersion::CURRENT,
            payload,
        }
    }
}

/// An event at its place in a log.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Its sequence number (gapless from 1).
    pub seq: Seq,
    /// The event.
    pub event: Event,
}

impl Record {
    /// A record.
    #[must_use]
    pub fn new(seq: Seq, event: Event) -> Record {
        Record { seq, event }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::{Severity, TargetCategory};
    use crate::id::TermId;

    #[test]
    fn events_round_trip_and_refuse_unknown_fields() {
        let at = "2025-03-19T02:00:00Z".parse::<Timestamp>().expect("time");
        let e = Event::new(
            EventId::from_parts(at, [7; 10]),
            PartyId::new("UA").expect("id"),
            at,
            at,
            Payload::ViolationAlleged(Allegation {
                accused: PartyId::new("RU").expect("id"),
                term: TermId::new("energy").expect("id"),
                target: TargetCategory::PowerGrid,
                place: Place::named("Sloviansk").at(Coordinates::new(48.85, 37.6).expect("point")),
                severity: Severity::Serious,
                description: "drone strike on a substation".into(),
                evidence: vec!["photo:1".into()],
            }),
        );
        let json = serde_json::to_string(&e).expect("serializes");
        let back: Event = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, e);
        assert!(json.contains("\"violation_alleged\""));

        let extra = json.replacen("{\"id\"", "{\"extra\":1,\"id\"", 1);
        assert!(serde_json::from_str::<Event>(&extra).is_err());
        let dup = json.replacen("{\"id\"", &format!("{{\"id\":\"{}\",\"id\"", e.id), 1);
        assert!(
            serde_json::from_str::<Event>(&dup).is_err(),
            "duplicate key"
        );
        let far = json.replace("48.85", "123.0");
        assert!(serde_json::from_str::<Event>(&far).is_err(), "latitude");
    }
}
