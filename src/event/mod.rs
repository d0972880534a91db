//! Events: the envelope every fact travels in, and the record a log keeps.
//!
//! An [`Event`] is what a party says: its id, when it happened, when it was logged, who says
//! it, the schema version and the [`Payload`]. A [`Record`] is an event at its place in a log
//! (its sequence number). The log assigns sequence numbers; authors never do.

mod build;
mod display;
mod payload;
mod signing;

use serde::{Deserialize, Serialize};

use crate::agreement::{Activation, TargetCategory, Term, TermKind};
use crate::id::{EventId, PartyId, Seq, TermId};
use crate::time::{Occurred, TimeError, Timestamp, check_instant};

pub use build::{BuildError, EventBuilder};
pub use display::{Timeline, timeline};
pub use payload::{
    Allegation, Amendment, Coordinates, CoordinatesError, Finding, Method, Payload, PayloadKind,
    Period, Place, RefusalReason, Verification,
};
pub use signing::{
    EventSignature, LogOrigin, SIGNED_BYTES_PREFIX, SigningContext, TreeRoot, canonical_bytes,
};

/// The version of the event schema.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SchemaVersion(pub u16);

impl SchemaVersion {
    /// The version this crate writes and reads.
    pub const CURRENT: SchemaVersion = SchemaVersion(2);
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
    #[serde(with = "crate::time::instant")]
    pub recorded_at: Timestamp,
    /// Who says it.
    pub author: PartyId,
    /// The schema version it was written with.
    pub schema: SchemaVersion,
    /// What it says.
    pub payload: Payload,
    /// Its author's signature, if it is signed (see [`SigningContext`]); absent from the
    /// stored form when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<EventSignature>,
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
            signature: None,
        }
    }
}

/// Which time of an event lies outside the accepted range (see [`crate::time::check_instant`]).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TimeField {
    /// [`Event::occurred_at`].
    OccurredAt,
    /// [`Event::recorded_at`].
    RecordedAt,
    /// A `TermAccepted` event's `effective_from`.
    EffectiveFrom,
    /// The start of a [`Period`].
    PeriodFrom,
    /// The end of a [`Period`].
    PeriodTo,
    /// The activation date of a term in the agreement.
    Activation(TermId),
    /// The start or end of a term's fixed window.
    Window(TermId),
}

impl std::fmt::Display for TimeField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimeField::OccurredAt => f.write_str("occurred_at"),
            TimeField::RecordedAt => f.write_str("recorded_at"),
            TimeField::EffectiveFrom => f.write_str("effective_from"),
            TimeField::PeriodFrom => f.write_str("period.from"),
            TimeField::PeriodTo => f.write_str("period.to"),
            TimeField::Activation(term) => write!(f, "the activation date of term {term}"),
            TimeField::Window(term) => write!(f, "the fixed window of term {term}"),
        }
    }
}

impl Event {
    /// Checks that every time the event carries lies in the accepted range (years 0000 to
    /// 9999 in UTC, no leap second), so that it is written in a form that reads back.
    /// Parsing refuses such times already; this catches events built in Rust.
    ///
    /// # Errors
    /// The first field out of range, with why.
    pub fn check_times(&self) -> Result<(), (TimeField, TimeError)> {
        let at =
            |field: TimeField, t: Timestamp| check_instant(t).map(|_| ()).map_err(|e| (field, e));
        at(TimeField::OccurredAt, self.occurred_at.earliest())?;
        at(TimeField::OccurredAt, self.occurred_at.latest())?;
        // An interval built in Rust must be one `Occurred::between` accepts (and so reads back).
        if let Occurred::Between { from, to } = self.occurred_at {
            Occurred::between(from, to).map_err(|e| (TimeField::OccurredAt, e))?;
        }
        at(TimeField::RecordedAt, self.recorded_at)?;
        match &self.payload {
            Payload::TermAccepted {
                effective_from: Some(t),
                ..
            } => at(TimeField::EffectiveFrom, *t),
            Payload::AggregateClaimed { period, .. }
            | Payload::ComplianceAttested { period, .. } => {
                at(TimeField::PeriodFrom, period.from)?;
                at(TimeField::PeriodTo, period.to)
            }
            Payload::AgreementConcluded(agreement) => agreement
                .terms
                .iter()
                .try_for_each(|term| term_times(term, &at)),
            Payload::TermProposed { term, .. } => term_times(term, &at),
            _ => Ok(()),
        }
    }

    /// The oldest schema version that can say what this event says: 2 if it uses a form added
    /// in version 2 (see `docs/format.md`), else 1.
    #[must_use]
    pub fn schema_needed(&self) -> SchemaVersion {
        let v2 = !matches!(self.occurred_at, Occurred::At(_) | Occurred::OnDay(_))
            || match &self.payload {
                Payload::TermProposed { .. } | Payload::TermRefused { .. } => true,
                Payload::AllegationDenied { target, .. } => target.is_some(),
                Payload::VerificationFinding(v) => v.target.is_some() || v.place.is_some(),
                Payload::ViolationAlleged(a) => a.target == TargetCategory::Unknown,
                Payload::AgreementConcluded(a) => a.terms.iter().any(term_is_v2),
                Payload::TermAmended {
                    amendment: Amendment::ChangeKind(kind),
                    ..
                } => kind_is_v2(kind),
                _ => false,
            };
        SchemaVersion(if v2 { 2 } else { 1 })
    }
}

/// Checks the instants a term carries.
fn term_times(
    term: &Term,
    at: &impl Fn(TimeField, Timestamp) -> Result<(), (TimeField, TimeError)>,
) -> Result<(), (TimeField, TimeError)> {
    if let Activation::At(t) = term.activation {
        at(TimeField::Activation(term.id.clone()), t)?;
    }
    if let Some(fixed) = &term.fixed {
        at(TimeField::Window(term.id.clone()), fixed.from)?;
        if let Some(until) = fixed.until {
            at(TimeField::Window(term.id.clone()), until)?;
        }
    }
    Ok(())
}

/// Whether a term uses a form added in schema version 2.
fn term_is_v2(term: &Term) -> bool {
    term.fixed.is_some() || kind_is_v2(&term.kind)
}

/// Whether a term kind uses a form added in schema version 2.
fn kind_is_v2(kind: &TermKind) -> bool {
    match kind {
        TermKind::NonKinetic { obligation } => {
            *obligation == crate::agreement::Obligation::HaltIntelligenceSharing
        }
        _ => false,
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
            EventId::from_parts(at, 7).expect("a small tail fits"),
            PartyId::new("UA").expect("id"),
            at,
            at,
            Payload::from(Allegation {
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
