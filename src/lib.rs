//! Monitor ceasefires by event sourcing.
//!
//! `ceasefire` keeps an append-only log of everything that happens around one agreement (the
//! agreement itself first, then acceptances, allegations of violations, verification
//! findings, retractions, attestations, changes of control, sanctions and relief) and derives
//! everything else from it by **pure replay**: which terms are in force at any instant, which
//! allegations count against whom, and which sanctions the agreement's own policy calls for,
//! each citing the events behind it. Replay reads no clock, file or random source, never
//! panics on hostile input, and gives the same state for the same log.
//!
//! # Example
//!
//! Two parties bound by an energy moratorium, a rule that sanctions the first confirmed
//! violation, and a monitor that confirms one:
//!
//! ```
//! use ceasefire::agreement::{
//!     AcceptanceLevel, Agreement, Confidence, Party, Role, SanctionPolicy, Severity,
//!     TargetCategory, Term, TermKind, ThresholdRule,
//! };
//! use ceasefire::event::{Allegation, Finding, Method, Payload, Place, Verification};
//! use ceasefire::time::{Span, Timestamp};
//! use ceasefire::{Event, EventId, EventLog, ExpectedVersion, PartyId, RuleId, Store, TermId};
//!
//! let party = |id: &str| PartyId::new(id);
//! let (ua, ru, us, mon) = (party("UA")?, party("RU")?, party("US")?, party("MON")?);
//! let energy = TermId::new("energy")?;
//! let agreement = Agreement::new("Energy moratorium")
//!     .party(Party::new(ua.clone(), Role::Belligerent, "Ukraine"))
//!     .party(Party::new(ru.clone(), Role::Belligerent, "Russia"))
//!     .party(Party::new(us.clone(), Role::Mediator, "United States"))
//!     .party(Party::new(mon.clone(), Role::Monitor, "Monitoring mission"))
//!     .term(
//!         Term::new(energy.clone(), "No strikes on energy", TermKind::energy_moratorium())
//!             .binding([ua.clone(), ru.clone()])
//!             .lasting(Span::days(30)),
//!     )
//!     .policy(SanctionPolicy::new().rule(ThresholdRule::new(RuleId::new("first-strike")?, 1, Span::days(7))));
//!
//! let log = EventLog::new();
//! let event = |who: &PartyId, when: &str, payload| -> Result<Event, chrono::ParseError> {
//!     let at: Timestamp = when.parse()?;
//!     Ok(Event::new(EventId::generate(), who.clone(), at, at, payload))
//! };
//! log.append(ExpectedVersion::Exactly(0), event(&us, "2025-03-25T12:00:00Z", Payload::AgreementConcluded(Box::new(agreement)))?)?;
//! for p in [&ru, &ua] {
//!     let accept = Payload::TermAccepted { term: energy.clone(), level: AcceptanceLevel::Binding, effective_from: None };
//!     log.append(ExpectedVersion::Any, event(p, "2025-03-25T14:00:00Z", accept)?)?;
//! }
//! let strike = event(&ua, "2025-03-27T09:00:00Z", Payload::ViolationAlleged(Allegation {
//!     accused: ru.clone(),
//!     term: energy.clone(),
//!     target: TargetCategory::PowerGrid,
//!     place: Place::named("Kherson"),
//!     severity: Severity::Serious,
//!     description: "strike on a substation".into(),
//!     evidence: vec![],
//! }))?;
//! let strike_id = strike.id;
//! log.append(ExpectedVersion::Any, strike)?;
//! let finding = event(&mon, "2025-03-29T10:00:00Z", Payload::VerificationFinding(Verification {
//!     allegation: strike_id,
//!     finding: Finding::Confirmed,
//!     method: Method::SatelliteImagery,
//!     confidence: Confidence::percent(85)?,
//!     notes: String::new(),
//! }))?;
//! log.append(ExpectedVersion::Any, finding)?;
//!
//! // Replay the log from scratch: the same state, and a sanction citing the strike.
//! let state = ceasefire::replay(log.records()?)?;
//! assert_eq!(state, log.state()?);
//! let decision = &state.decisions()[0];
//! assert_eq!((&decision.party, &decision.violations), (&ru, &vec![strike_id]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Modules
//!
//! | module | holds |
//! |---|---|
//! | [`agreement`] | [`Agreement`], parties and roles, typed terms, acceptance levels, the sanction policy |
//! | [`event`] | the [`Event`] envelope, the [`Payload`] kinds, the [`Record`] a log keeps |
//! | [`allegation`] | what is known about one allegation and its verification status |
//! | [`sanction`] | the [`sanction::Rule`] trait, the built-in threshold rule, [`sanction::Decision`]s |
//! | [`state`] | [`AgreementState`]: `apply`, `check`, and every question the state answers |
//! | [`replay`](mod@replay) | strict, lenient and as-of replay |
//! | [`log`] | the [`Store`] contract, the in-memory [`EventLog`], the hash chain |
//! | [`store`] | durable stores: the append-only, hash-chained [`FileLog`] |
//! | [`time`] | instants, spans, day-precision occurrences, windows |
//! | [`id`] | identifier newtypes |
//! | `testing` | (feature `proptest`) strategies, law checks and the storage contract suite |
//! | [`guide`] | the longer guides from `docs/` |

pub mod agreement;
pub mod allegation;
pub mod event;
pub mod id;
pub mod log;
pub mod replay;
pub mod sanction;
pub mod state;
pub mod store;
#[cfg(feature = "proptest")]
pub mod testing;
pub mod time;

pub use agreement::Agreement;
pub use event::{Event, Payload, Record};
pub use id::{ConditionId, DecisionId, EventId, PartyId, RuleId, Seq, TermId};
pub use log::{EventLog, ExpectedVersion, Store, StoreError};
pub use replay::{ReplayError, Replayer, replay, replay_as_of, replay_lenient};
pub use state::{AgreementState, Rejection};
pub use store::FileLog;

/// The longer guides, rendered from the `docs/` folder. Their examples run as doctests.
pub mod guide {
    #[doc = include_str!("../docs/model.md")]
    pub mod model {}

    #[doc = include_str!("../docs/sanctions.md")]
    pub mod sanctions {}

    #[doc = include_str!("../docs/time.md")]
    pub mod time {}

    #[doc = include_str!("../docs/format.md")]
    pub mod format {}

    #[doc = include_str!("../docs/performance.md")]
    pub mod performance {}

    #[cfg(feature = "postgres")]
    #[doc = include_str!("../docs/postgres.md")]
    pub mod postgres {}
}

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
