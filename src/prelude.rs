//! The names most programs need, in one `use`:
//!
//! ```
//! use ceasefire::prelude::*;
//! ```
//!
//! It brings the agreement's building blocks, the event builder and payload parts, the
//! identifiers, the stores and their contract, the state and its statuses, replay, and the
//! [`time`] module with [`Span`] and [`Timestamp`].

pub use crate::agreement::{
    AcceptanceLevel, Activation, Agreement, Condition, Confidence, EvidenceStandard, Level,
    Obligation, Party, Role, SanctionPolicy, Severity, TargetCategory, Term, TermKind,
    ThresholdRule,
};
pub use crate::event::{
    Allegation, Event, Finding, Method, Payload, Place, Record, RefusalReason, Verification,
    timeline,
};
pub use crate::id::{ConditionId, DecisionId, EventId, PartyId, RuleId, Seq, TermId};
pub use crate::log::{EventLog, ExpectedVersion, Head, Store, StoreError};
pub use crate::replay::{Replayer, replay, replay_as_of, replay_lenient};
pub use crate::state::{AgreementState, PartyStatus, Refused, Rejection, TermStatus};
pub use crate::store::FileLog;
pub use crate::time::{self, Occurred, Span, Timestamp};
