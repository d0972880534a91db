//! Monitor ceasefires by event sourcing.
//!
//! Placeholder crate docs; replaced below once the API settles.

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
pub use replay::{ReplayError, replay, replay_as_of, replay_lenient};
pub use state::{AgreementState, Rejection};
