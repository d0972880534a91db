//! [`EventBuilder`]: events with named times and no panics.
//!
//! ```
//! use ceasefire::prelude::*;
//!
//! let ru: PartyId = "RU".parse()?;
//! let at = time::parse_instant("2025-03-18T16:00:00Z")?;
//! let energy: TermId = "energy".parse()?;
//! let accepted = Event::by(&ru).at(at).accepts(&energy, AcceptanceLevel::InPrinciple)?;
//! assert_eq!(accepted.recorded_at, at);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::agreement::{AcceptanceLevel, Agreement, TargetCategory, Term};
use crate::event::{
    Allegation, Event, Payload, RefusalReason, SchemaVersion, TimeField, Verification,
};
use crate::id::{EventId, PartyId, TermId};
use crate::time::{Occurred, TimeError, Timestamp};

/// Why an [`EventBuilder`] could not build its event.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// No time says when the event was recorded.
    #[error("the event has no recorded time: set one with `at` or `recorded`")]
    NotRecorded,
    /// A time lies outside the accepted range.
    #[error("{field} is not an accepted time: {error}")]
    Time {
        /// Which time.
        field: TimeField,
        /// Why.
        error: TimeError,
    },
    /// The event would say it happened after it was recorded.
    #[error("the event occurred at {occurred} but is recorded earlier, at {recorded_at}")]
    OccurredAfterRecorded {
        /// The earliest instant it may have occurred at.
        occurred: Timestamp,
        /// When it is recorded.
        recorded_at: Timestamp,
    },
}

/// Builds an [`Event`]: who says it ([`Event::by`]), when it happened and when it was
/// recorded (named setters, so the two cannot be swapped unnoticed), then what it says.
///
/// When it happened defaults to when it was recorded. The id defaults to a fresh UUID v7
/// ([`EventId::generate`]); set one with [`EventBuilder::id`] for reproducible events.
#[derive(Clone, Debug)]
#[must_use = "an event builder does nothing until it is finished with a payload"]
pub struct EventBuilder {
    author: PartyId,
    id: Option<EventId>,
    occurred: Option<Occurred>,
    recorded: Option<Timestamp>,
}

impl Event {
    /// Starts an event said by `author`.
    pub fn by(author: impl Into<PartyId>) -> EventBuilder {
        EventBuilder {
            author: author.into(),
            id: None,
            occurred: None,
            recorded: None,
        }
    }
}

impl EventBuilder {
    /// The event's id.
    pub fn id(mut self, id: EventId) -> EventBuilder {
        self.id = Some(id);
        self
    }

    /// It happened, and was recorded, at `at`.
    pub fn at(mut self, at: Timestamp) -> EventBuilder {
        self.occurred = Some(Occurred::At(at));
        self.recorded = Some(at);
        self
    }

    /// When it happened in the world (an instant, a day, or an [`Occurred`]).
    pub fn occurred(mut self, occurred: impl Into<Occurred>) -> EventBuilder {
        self.occurred = Some(occurred.into());
        self
    }

    /// When it was recorded.
    pub fn recorded(mut self, recorded_at: Timestamp) -> EventBuilder {
        self.recorded = Some(recorded_at);
        self
    }

    /// The event saying `payload`.
    ///
    /// # Errors
    /// [`BuildError::NotRecorded`] without a recorded time, [`BuildError::Time`] for a time
    /// outside the accepted range, [`BuildError::OccurredAfterRecorded`].
    pub fn says(self, payload: Payload) -> Result<Event, BuildError> {
        let recorded_at = self.recorded.ok_or(BuildError::NotRecorded)?;
        let occurred_at = self.occurred.unwrap_or(Occurred::At(recorded_at));
        let event = Event {
            id: self.id.unwrap_or_else(EventId::generate),
            occurred_at,
            recorded_at,
            author: self.author,
            schema: SchemaVersion::CURRENT,
            payload,
            signature: None,
        };
        event
            .check_times()
            .map_err(|(field, error)| BuildError::Time { field, error })?;
        if occurred_at.earliest() > recorded_at {
            return Err(BuildError::OccurredAfterRecorded {
                occurred: occurred_at.earliest(),
                recorded_at,
            });
        }
        Ok(event)
    }

    /// The genesis: the agreement is concluded.
    ///
    /// # Errors
    /// As [`EventBuilder::says`].
    pub fn concludes(self, agreement: Agreement) -> Result<Event, BuildError> {
        self.says(Payload::AgreementConcluded(Box::new(agreement)))
    }

    /// The author accepts `term` at `level`, from when the event occurred.
    ///
    /// # Errors
    /// As [`EventBuilder::says`].
    pub fn accepts(
        self,
        term: impl Into<TermId>,
        level: AcceptanceLevel,
    ) -> Result<Event, BuildError> {
        self.says(Payload::TermAccepted {
            term: term.into(),
            level,
            effective_from: None,
        })
    }

    /// The author accepts `term` at `level` with effect from `effective_from` (e.g. an order
    /// of 18 March announced on 25 March).
    ///
    /// # Errors
    /// As [`EventBuilder::says`].
    pub fn accepts_from(
        self,
        term: impl Into<TermId>,
        level: AcceptanceLevel,
        effective_from: Timestamp,
    ) -> Result<Event, BuildError> {
        self.says(Payload::TermAccepted {
            term: term.into(),
            level,
            effective_from: Some(effective_from),
        })
    }

    /// The author alleges a violation.
    ///
    /// # Errors
    /// As [`EventBuilder::says`].
    pub fn alleges(self, allegation: Allegation) -> Result<Event, BuildError> {
        self.says(Payload::from(allegation))
    }

    /// A monitor's finding.
    ///
    /// # Errors
    /// As [`EventBuilder::says`].
    pub fn finds(self, verification: Verification) -> Result<Event, BuildError> {
        self.says(Payload::VerificationFinding(verification))
    }

    /// The accused denies an allegation.
    ///
    /// # Errors
    /// As [`EventBuilder::says`].
    pub fn denies(
        self,
        allegation: EventId,
        statement: impl Into<String>,
    ) -> Result<Event, BuildError> {
        self.says(Payload::AllegationDenied {
            allegation,
            statement: statement.into(),
            target: None,
        })
    }

    /// The accused denies an allegation and says the target was another category: the
    /// allegation does not count until a monitor's finding settles it.
    ///
    /// # Errors
    /// As [`EventBuilder::says`].
    pub fn disputes(
        self,
        allegation: EventId,
        target: TargetCategory,
        statement: impl Into<String>,
    ) -> Result<Event, BuildError> {
        self.says(Payload::AllegationDenied {
            allegation,
            statement: statement.into(),
            target: Some(target),
        })
    }

    /// The author proposes a term to the live agreement (a mediator), or declares one that
    /// binds it (a belligerent).
    ///
    /// # Errors
    /// As [`EventBuilder::says`].
    pub fn proposes(self, term: Term) -> Result<Event, BuildError> {
        self.says(Payload::TermProposed {
            term,
            counters: None,
        })
    }

    /// The author refuses `countered` and proposes `term` instead.
    ///
    /// # Errors
    /// As [`EventBuilder::says`].
    pub fn counter_proposes(
        self,
        countered: impl Into<TermId>,
        term: Term,
    ) -> Result<Event, BuildError> {
        self.says(Payload::TermProposed {
            term,
            counters: Some(countered.into()),
        })
    }

    /// The author refuses a term, with its conditions or reasons.
    ///
    /// # Errors
    /// As [`EventBuilder::says`].
    pub fn refuses(
        self,
        term: impl Into<TermId>,
        reasons: impl IntoIterator<Item = RefusalReason>,
    ) -> Result<Event, BuildError> {
        self.says(Payload::TermRefused {
            term: term.into(),
            reasons: reasons.into_iter().collect(),
        })
    }

    /// The reporter retracts an allegation.
    ///
    /// # Errors
    /// As [`EventBuilder::says`].
    pub fn retracts(
        self,
        allegation: EventId,
        reason: impl Into<String>,
    ) -> Result<Event, BuildError> {
        self.says(Payload::AllegationRetracted {
            allegation,
            reason: reason.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_instant;

    fn t(s: &str) -> Timestamp {
        parse_instant(s).expect("time")
    }

    #[test]
    fn times_are_named_and_checked() {
        let ua = PartyId::new("UA").expect("id");
        let reported = Event::by(&ua)
            .occurred(t("2025-03-19T02:00:00Z"))
            .recorded(t("2025-03-19T08:00:00Z"))
            .denies(EventId::generate(), "no")
            .expect("builds");
        assert_eq!(reported.recorded_at, t("2025-03-19T08:00:00Z"));
        assert_eq!(
            reported.occurred_at,
            Occurred::At(t("2025-03-19T02:00:00Z"))
        );

        let swapped = Event::by(&ua)
            .occurred(t("2025-03-19T08:00:00Z"))
            .recorded(t("2025-03-19T02:00:00Z"))
            .denies(EventId::generate(), "no");
        assert!(matches!(
            swapped,
            Err(BuildError::OccurredAfterRecorded { .. })
        ));
        let unrecorded = Event::by(&ua)
            .occurred(t("2025-03-19T08:00:00Z"))
            .denies(EventId::generate(), "no");
        assert_eq!(unrecorded, Err(BuildError::NotRecorded));
        let day = chrono::NaiveDate::from_ymd_opt(-1, 12, 31).expect("date");
        let ancient = Event::by(&ua)
            .occurred(day)
            .recorded(t("2025-03-19T02:00:00Z"))
            .denies(EventId::generate(), "no");
        assert!(matches!(
            ancient,
            Err(BuildError::Time {
                field: TimeField::OccurredAt,
                ..
            })
        ));
    }
}
