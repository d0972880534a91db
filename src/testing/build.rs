//! [`Events`]: a terse builder of deterministic events for example-based tests.

use crate::agreement::{AcceptanceLevel, Agreement, Confidence, Role, Severity, TargetCategory};
use crate::event::{Allegation, Event, Finding, Method, Payload, Place, Verification};
use crate::id::{DecisionId, EventId, PartyId};
use crate::testing::fixtures;
use crate::time::{Occurred, Span, Timestamp, parse_occurred};

/// Builds events for tests: deterministic ids, a clock that only moves when told, and short
/// methods for the common payloads.
///
/// The author and the time are sticky: set them with [`Events::by`] and [`Events::at`], and
/// every following event uses them until changed. [`Events::occurred`] sets when the *next*
/// event happened in the world, if earlier than when it is recorded (a late report); otherwise
/// it occurred when it was recorded. Ids are UUID v7 built from the recorded time and a
/// counter, so the same calls always give the same events.
///
/// ```
/// use ceasefire::agreement::TargetCategory;
/// use ceasefire::testing::{Events, fixtures};
///
/// let mut e = Events::new();
/// let genesis = e.genesis(fixtures::energy_truce());
/// let binds = e.at("2025-03-18T18:00:00Z").by("RU").accepts("energy");
/// let strike = e
///     .at("2025-03-20T06:00:00Z")
///     .occurred("2025-03-20T02:00:00Z")
///     .by("UA")
///     .alleges("RU", "energy", TargetCategory::PowerGrid);
/// let confirmed = e.at("2025-03-21T09:00:00Z").by("MON").confirms(strike.id);
/// let state = ceasefire::replay(&ceasefire::testing::Log::from_events([
///     genesis, binds, strike, confirmed,
/// ]))
/// .expect("a valid log");
/// assert_eq!(state.tallies().len(), 1);
/// ```
///
/// The builder is a thin layer over the core's [`Event::by`] for hand-written tests: where
/// [`crate::event::EventBuilder`] returns an error, it panics, naming it (a malformed id or
/// time, an event that would occur after it is recorded).
#[derive(Clone, Debug)]
pub struct Events {
    recorded: Timestamp,
    occurred: Option<Occurred>,
    author: Option<PartyId>,
    counter: u32,
}

impl Default for Events {
    fn default() -> Self {
        Events::new()
    }
}

fn instant(text: &str) -> Timestamp {
    match parse_occurred(text) {
        Ok(o) => o.earliest(),
        Err(e) => panic!("Events: {e}"),
    }
}

impl Events {
    /// A builder whose clock starts at [`fixtures::start`] (18 March 2025, 12:00 UTC).
    #[must_use]
    pub fn new() -> Events {
        Events::starting(fixtures::start())
    }

    /// A builder whose clock starts at `at`.
    #[must_use]
    pub fn starting(at: Timestamp) -> Events {
        Events {
            recorded: at,
            occurred: None,
            author: None,
            counter: 0,
        }
    }

    /// Sets the clock (when the following events are recorded) to an RFC 3339 time or a date
    /// (midnight UTC).
    ///
    /// # Panics
    /// If `when` is neither.
    pub fn at(&mut self, when: &str) -> &mut Events {
        self.recorded = instant(when);
        self
    }

    /// Sets the clock to `at`.
    pub fn at_time(&mut self, at: Timestamp) -> &mut Events {
        self.recorded = at;
        self
    }

    /// Moves the clock forward.
    pub fn after(&mut self, span: Span) -> &mut Events {
        self.recorded = span.after(self.recorded).unwrap_or(self.recorded);
        self
    }

    /// The clock: when the next event will be recorded.
    #[must_use]
    pub fn now(&self) -> Timestamp {
        self.recorded
    }

    /// Sets the author of the following events.
    ///
    /// # Panics
    /// If `party` is not a valid party id.
    pub fn by(&mut self, party: &str) -> &mut Events {
        self.author = Some(fixtures::party(party));
        self
    }

    /// Sets when the next event occurred: an RFC 3339 time, or a date for a report dated only
    /// by its day (`"2025-03-19"`).
    ///
    /// # Panics
    /// If `when` is neither.
    pub fn occurred(&mut self, when: &str) -> &mut Events {
        match parse_occurred(when) {
            Ok(o) => self.occurred = Some(o),
            Err(e) => panic!("Events: {e}"),
        }
        self
    }

    /// An event with this payload, by the current author at the current time.
    ///
    /// # Panics
    /// If no author was set with [`Events::by`].
    pub fn says(&mut self, payload: Payload) -> Event {
        let author = match &self.author {
            Some(a) => a.clone(),
            None => panic!("Events: set an author with `by` before building an event"),
        };
        self.counter = self.counter.wrapping_add(1);
        let tail = 0xB1 << 64 | u128::from(self.counter);
        let occurred = self.occurred.take().unwrap_or(Occurred::At(self.recorded));
        let built = Event::by(author)
            .id(EventId::deterministic(self.recorded, tail))
            .occurred(occurred)
            .recorded(self.recorded)
            .says(payload);
        match built {
            Ok(event) => event,
            Err(e) => panic!("Events: {e}"),
        }
    }

    /// The genesis, by the agreement's first mediator (or its first party), at the current
    /// time.
    pub fn genesis(&mut self, agreement: Agreement) -> Event {
        let author = agreement
            .parties
            .iter()
            .find(|p| p.role == Role::Mediator)
            .or_else(|| agreement.parties.first())
            .map(|p| p.id.clone());
        if let Some(a) = author {
            self.author = Some(a);
        }
        self.says(Payload::AgreementConcluded(Box::new(agreement)))
    }

    /// A binding acceptance of `term` by the current author.
    pub fn accepts(&mut self, term: &str) -> Event {
        self.accepts_at(term, AcceptanceLevel::Binding)
    }

    /// An acceptance of `term` at `level` by the current author.
    pub fn accepts_at(&mut self, term: &str, level: AcceptanceLevel) -> Event {
        self.says(Payload::TermAccepted {
            term: fixtures::term(term),
            level,
            effective_from: None,
        })
    }

    /// An allegation by the current author that `accused` violated `term` by hitting `target`
    /// (a serious violation at a place named after the target).
    pub fn alleges(&mut self, accused: &str, term: &str, target: TargetCategory) -> Event {
        self.alleges_that(Allegation {
            accused: fixtures::party(accused),
            term: fixtures::term(term),
            place: Place::named(format!("{target} site")),
            target,
            severity: Severity::Serious,
            description: "strike".into(),
            evidence: Vec::new(),
        })
    }

    /// An allegation with every field given.
    pub fn alleges_that(&mut self, allegation: Allegation) -> Event {
        self.says(Payload::from(allegation))
    }

    /// A finding confirming `allegation`, by satellite imagery with 90 percent confidence.
    pub fn confirms(&mut self, allegation: EventId) -> Event {
        self.finds(allegation, Finding::Confirmed)
    }

    /// A finding refuting `allegation`.
    pub fn refutes(&mut self, allegation: EventId) -> Event {
        self.finds(allegation, Finding::Refuted)
    }

    /// A finding on `allegation`, by satellite imagery with 90 percent confidence.
    pub fn finds(&mut self, allegation: EventId, finding: Finding) -> Event {
        self.says(Payload::VerificationFinding(Verification {
            allegation,
            finding,
            method: Method::SatelliteImagery,
            confidence: Confidence::percent(90).unwrap_or(Confidence::ZERO),
            notes: String::new(),
            target: None,
            place: None,
        }))
    }

    /// The retraction of `allegation` (by its reporter, if the author is right).
    pub fn retracts(&mut self, allegation: EventId) -> Event {
        self.says(Payload::AllegationRetracted {
            allegation,
            reason: "retracted".into(),
        })
    }

    /// A denial of `allegation` (by the accused, if the author is right).
    pub fn denies(&mut self, allegation: EventId) -> Event {
        self.says(Payload::AllegationDenied {
            allegation,
            statement: "groundless".into(),
            target: None,
        })
    }

    /// An approval of relief for `party` (by an approver, if the author is right).
    pub fn approves_relief(&mut self, party: &str) -> Event {
        self.says(Payload::ReliefApproved {
            party: fixtures::party(party),
        })
    }

    /// A halt of a notice-and-deadline procedure (by the mediator, if the author is right).
    pub fn halts(&mut self, decision: DecisionId) -> Event {
        self.says(Payload::ProcedureHalted {
            decision,
            reason: "halted".into(),
        })
    }

    /// A suspension of `term`.
    pub fn suspends(&mut self, term: &str) -> Event {
        self.says(Payload::TermSuspended {
            term: fixtures::term(term),
            reason: "suspended".into(),
        })
    }

    /// The end of a suspension of `term`.
    pub fn resumes(&mut self, term: &str) -> Event {
        self.says(Payload::TermResumed {
            term: fixtures::term(term),
        })
    }

    /// The current author withdraws from the agreement.
    pub fn withdraws(&mut self) -> Event {
        self.says(Payload::PartyWithdrew {
            reason: "withdrawn".into(),
        })
    }
}
