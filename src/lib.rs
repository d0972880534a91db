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
//! violation, and a monitor that confirms one, with one `use`:
//!
//! ```
//! use ceasefire::prelude::*;
//!
//! let (ua, ru, mon): (PartyId, PartyId, PartyId) = ("UA".parse()?, "RU".parse()?, "MON".parse()?);
//! let energy: TermId = "energy".parse()?;
//! let agreement = Agreement::new("Energy moratorium")
//!     .belligerent(&ua, "Ukraine")
//!     .belligerent(&ru, "Russia")
//!     .monitor(&mon, "Monitoring mission")
//!     .term(
//!         Term::new(&energy, "No strikes on energy", TermKind::energy_moratorium())
//!             .binding([&ua, &ru])
//!             .lasting(Span::days(30)),
//!     )
//!     .rule(ThresholdRule::new("first-strike".parse()?, 1, Span::days(7)))
//!     .validated()?;
//!
//! let at = time::parse_instant;
//! let log = EventLog::new();
//! log.append_next(Event::by(&mon).at(at("2025-03-25T12:00:00Z")?).concludes(agreement)?)?;
//! for p in [&ru, &ua] {
//!     let accepts = Event::by(p).at(at("2025-03-25T14:00:00Z")?);
//!     log.append_next(accepts.accepts(&energy, AcceptanceLevel::Binding)?)?;
//! }
//! let strike = Event::by(&ua)
//!     .occurred(at("2025-03-27T02:00:00Z")?)
//!     .recorded(at("2025-03-27T09:00:00Z")?)
//!     .alleges(
//!         Allegation::new(&ru, &energy, TargetCategory::PowerGrid, "Kherson", Severity::Serious)
//!             .described("strike on a substation"),
//!     )?;
//! let strike_id = strike.id;
//! log.append_next(strike)?;
//! let confirmed = Verification::new(
//!     strike_id,
//!     Finding::Confirmed,
//!     Method::SatelliteImagery,
//!     Confidence::percent(85)?,
//! );
//! log.append_next(Event::by(&mon).at(at("2025-03-29T10:00:00Z")?).finds(confirmed)?)?;
//!
//! // Replay the log from scratch: the same state, and a sanction citing the strike.
//! let state = replay(log.records()?)?;
//! assert_eq!(state, log.state()?);
//! let decision = &state.decisions()[0];
//! assert_eq!((&decision.party, &decision.violations), (&ru, &vec![strike_id]));
//! println!("{}", timeline(&log.records()?));
//! println!("{}", state.summary(at("2025-03-30T00:00:00Z")?));
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
//! | [`store`] | durable stores: the append-only, hash-chained [`FileLog`]; `PostgresLog` (feature `postgres`) |
//! | [`time`] | instants, spans, day-precision occurrences, windows |
//! | [`workload`] | a realistic, valid log of any length, deterministic for a seed (benches, examples) |
//! | [`id`] | identifier newtypes |
//! | [`name`] | reading the names people type (`FromStr` for roles, targets, levels…) |
//! | [`prelude`] | the names most programs need, in one `use` |
//! | `transparency` | (feature `transparency`) Merkle proofs, signed notes, checkpoints, tlog-proofs |
//! | `interchange` | (features `acled`, `cloudevents`) ACLED CSV import, CloudEvents export and import |
//! | `report` | (feature `report`) a self-contained HTML page and SVG timeline of a state |
//! | `testing` | (feature `proptest`) strategies, law checks and the storage contract suite |
//! | [`guide`] | the longer guides from `docs/` |

pub mod agreement;
pub mod allegation;
pub mod event;
pub mod id;
#[cfg(any(feature = "acled", feature = "cloudevents"))]
pub mod interchange;
pub mod log;
pub mod name;
pub mod prelude;
pub mod replay;
#[cfg(feature = "report")]
pub mod report;
pub mod sanction;
pub mod state;
pub mod store;
#[cfg(feature = "proptest")]
pub mod testing;
pub mod time;
#[cfg(feature = "transparency")]
pub mod transparency;
pub mod workload;

pub use agreement::Agreement;
pub use event::{Event, Payload, Record};
pub use id::{ConditionId, DecisionId, EventId, PartyId, RuleId, Seq, TermId};
pub use log::{EventLog, ExpectedVersion, Store, StoreError};
pub use replay::{ReplayError, Replayer, replay, replay_as_of, replay_lenient};
pub use state::{AgreementState, Refused, Rejection};
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

    #[cfg(feature = "transparency")]
    #[doc = include_str!("../docs/transparency.md")]
    pub mod transparency {}
    #[cfg(feature = "postgres")]
    #[doc = include_str!("../docs/postgres.md")]
    pub mod postgres {}

    #[cfg(feature = "acled")]
    #[doc = include_str!("../docs/acled.md")]
    pub mod acled {}

    #[cfg(feature = "cloudevents")]
    #[doc = include_str!("../docs/cloudevents.md")]
    pub mod cloudevents {}

    #[cfg(feature = "cli")]
    #[doc = include_str!("../docs/cli.md")]
    pub mod cli {}

    #[doc = include_str!("../docs/security.md")]
    pub mod security {}
}

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
