//! Why an event is refused: by `append` before it enters a log, and by replay when a log
//! written elsewhere breaks the rules.

use serde::Serialize;

use crate::agreement::{AgreementError, Limited, PartyKey, Role, TargetCategory};
use crate::event::{PayloadKind, TimeField, TreeRoot};
use crate::id::{ConditionId, DecisionId, EventId, PartyId, RuleId, Seq, TermId};
use crate::time::TimeError;
use crate::time::Timestamp;

/// Why the state refuses an event. Every variant names what a user needs to find and fix it.
/// Serializes (for export of a lenient replay's refusals) as `{"kind": {fields}}`.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rejection {
    /// The event's signature is missing, by the wrong key, or does not verify.
    #[error("{0}")]
    Signature(SignatureFault),
    /// A key or checkpoint event breaks the agreement's key rules.
    #[error("{0}")]
    Keys(KeyFault),
    /// The record's sequence number is not the next one.
    #[error("sequence number {found} where {expected} was expected")]
    OutOfSequence {
        /// The number the state expected.
        expected: Seq,
        /// The number found.
        found: Seq,
    },
    /// The event id is already in the log.
    #[error("event id {id} is already in the log at {seq}")]
    DuplicateId {
        /// The id.
        id: EventId,
        /// Where it already is.
        seq: Seq,
    },
    /// The schema version is not one this crate reads.
    #[error("schema version {found} is not supported (this crate reads versions 1 and 2)")]
    UnsupportedSchema {
        /// The version found.
        found: u16,
    },
    /// The event says it was written with a schema version older than what it uses (a v1
    /// event carrying a form added in v2).
    #[error("the event uses schema version {needed} but says it was written with {found}")]
    SchemaTooOld {
        /// The version the event says.
        found: u16,
        /// The version its contents need.
        needed: u16,
    },
    /// The term added to the live agreement breaks a rule the genesis's terms keep (checked
    /// by [`crate::agreement::Agreement::check_added_term`]).
    #[error("the proposed term is not valid: {0}")]
    InvalidTerm(AgreementError),
    /// A belligerent declared a term that binds others under a common clock: a declaration
    /// binds its author alone until others accept, which needs a per-party clock.
    #[error(
        "term {0} is declared by a belligerent and binds others, so it needs a per-party clock"
    )]
    UnilateralCommonClock(TermId),
    /// The party has committed to the term (bindingly or on conditions): it can no longer
    /// refuse it, only withdraw.
    #[error("{party} has committed to {term} and cannot refuse it")]
    AlreadyCommitted {
        /// The party.
        party: PartyId,
        /// The term.
        term: TermId,
    },
    /// The party's current answer to the term is already a refusal.
    #[error("{party} has already refused {term}")]
    AlreadyRefused {
        /// The party.
        party: PartyId,
        /// The term.
        term: TermId,
    },
    /// The first event must conclude the agreement.
    #[error("the first event must be the agreement (agreement_concluded), not {found}")]
    NotGenesis {
        /// What was found instead.
        found: PayloadKind,
    },
    /// The agreement was already concluded.
    #[error("the agreement was already concluded by event {genesis}")]
    SecondGenesis {
        /// The genesis event.
        genesis: EventId,
    },
    /// The agreement carried by the genesis is not valid.
    #[error("the agreement is not valid: {0}")]
    InvalidAgreement(#[from] AgreementError),
    /// The amended term would break a rule the agreement's own terms must keep (checked by
    /// [`crate::agreement::Agreement::check_term`], as at the genesis).
    #[error("the amended term is not valid: {0}")]
    InvalidAmendment(AgreementError),
    /// The state was read from a snapshot computed with downstream rules that have not been
    /// attached again (see [`crate::AgreementState::with_rules`]).
    #[error("the state was read from a snapshot computed with rules that are not attached")]
    AwaitingRules {
        /// The rules the snapshot was computed with.
        rules: Vec<crate::sanction::RuleStamp>,
    },
    /// A party alleges that it violated a term itself.
    #[error("{0} alleges a violation against itself")]
    AgainstItself(PartyId),
    /// A downstream rule has the id of a policy rule.
    #[error("rule id {0} is used by the policy and by a downstream rule")]
    RuleIdCollision(RuleId),
    /// A time the event carries lies outside the accepted range (years 0000 to 9999 in UTC,
    /// no leap second), so it could not be written in a form that reads back.
    #[error("{field} is not an accepted time: {error}")]
    TimeOutOfRange {
        /// Which time.
        field: TimeField,
        /// Why.
        error: TimeError,
    },
    /// `recorded_at` is earlier than the previous event's.
    #[error("recorded at {recorded_at}, earlier than the previous event ({previous})")]
    RecordedBeforePrevious {
        /// This event's `recorded_at`.
        recorded_at: Timestamp,
        /// The previous event's.
        previous: Timestamp,
    },
    /// The event says it happened after it was recorded.
    #[error("occurred at {occurred} but recorded earlier, at {recorded_at}")]
    OccurredAfterRecorded {
        /// The earliest instant it may have occurred at.
        occurred: Timestamp,
        /// When it was recorded.
        recorded_at: Timestamp,
    },
    /// The party is not in the agreement.
    #[error("unknown party {0}")]
    UnknownParty(PartyId),
    /// The term is not in the agreement.
    #[error("unknown term {0}")]
    UnknownTerm(TermId),
    /// The condition was never declared.
    #[error("unknown condition {0}")]
    UnknownCondition(ConditionId),
    /// No allegation has this event id.
    #[error("unknown allegation {0}")]
    UnknownAllegation(EventId),
    /// No decision has this number.
    #[error("unknown decision {0}")]
    UnknownDecision(DecisionId),
    /// No recorded sanction has this event id.
    #[error("unknown sanction imposition {0}")]
    UnknownImposition(EventId),
    /// The author's role (or identity) does not allow this kind of event.
    #[error("{author} ({role}) may not record {action}")]
    Unauthorized {
        /// The author.
        author: PartyId,
        /// Its role.
        role: Role,
        /// What it tried to record.
        action: PayloadKind,
    },
    /// The party is not bound by the term.
    #[error("{party} is not bound by term {term}")]
    NotBound {
        /// The party.
        party: PartyId,
        /// The term.
        term: TermId,
    },
    /// The term does not cover the target category.
    #[error("term {term} does not cover {target}")]
    TargetNotCovered {
        /// The term.
        term: TermId,
        /// The category.
        target: TargetCategory,
    },
    /// An acceptance that does not raise the party's level.
    #[error("{party} has already accepted {term} at this level or higher")]
    AcceptanceNotRaised {
        /// The party.
        party: PartyId,
        /// The term.
        term: TermId,
    },
    /// A conditional acceptance with more conditions than the crate accepts.
    #[error("a conditional acceptance names {found} conditions; at most {limit} are accepted")]
    TooManyConditions {
        /// How many it names.
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// More suspensions of a term, or findings on an allegation, than the crate accepts (see
    /// `Agreement::LIMITS`).
    #[error("too many {what} (at most {limit})")]
    LimitReached {
        /// What reached its limit.
        what: Limited,
        /// The limit.
        limit: usize,
    },
    /// A conditional acceptance without conditions.
    #[error("a conditional acceptance must name at least one condition")]
    NoConditions,
    /// A condition id that is already declared.
    #[error("condition {0} is already declared")]
    DuplicateCondition(ConditionId),
    /// The condition was already met.
    #[error("condition {0} was already met")]
    ConditionAlreadyMet(ConditionId),
    /// The term has been terminated.
    #[error("term {0} has been terminated")]
    TermTerminated(TermId),
    /// The term is already suspended.
    #[error("term {0} is already suspended")]
    AlreadySuspended(TermId),
    /// The term is not suspended.
    #[error("term {0} is not suspended")]
    NotSuspended(TermId),
    /// The party has already withdrawn.
    #[error("{0} has already withdrawn")]
    AlreadyWithdrawn(PartyId),
    /// The allegation was retracted; nothing more can be said about it.
    #[error("allegation {0} was retracted")]
    AllegationRetracted(EventId),
    /// The accused already denied the allegation.
    #[error("allegation {0} was already denied")]
    AlreadyDenied(EventId),
    /// The party already corroborated the allegation.
    #[error("{party} already corroborated allegation {allegation}")]
    AlreadyCorroborated {
        /// The party.
        party: PartyId,
        /// The allegation.
        allegation: EventId,
    },
    /// A period that ends before it starts, or ends after it was recorded.
    #[error("period {from} to {to} is not valid here")]
    InvalidPeriod {
        /// Its start.
        from: Timestamp,
        /// Its end.
        to: Timestamp,
    },
    /// An extension of zero seconds.
    #[error("an amendment must change something")]
    EmptyAmendment,
    /// The decision is against another party than the event says.
    #[error("decision {decision} is against {against}, not {party}")]
    DecisionMismatch {
        /// The decision.
        decision: DecisionId,
        /// Whom it is against.
        against: PartyId,
        /// Whom the event names.
        party: PartyId,
    },
    /// The decision has ended (stopped, voided, halted or relieved).
    #[error("decision {0} has ended")]
    DecisionEnded(DecisionId),
    /// The decision is not a notice-and-deadline procedure.
    #[error("decision {0} has no procedure to halt")]
    NotAProcedure(DecisionId),
    /// The procedure's deadline has passed: the sanction is in force.
    #[error("decision {decision} took effect at {deadline}; it can no longer be halted")]
    DeadlinePassed {
        /// The decision.
        decision: DecisionId,
        /// Its deadline.
        deadline: Timestamp,
    },
    /// The sanction was already lifted.
    #[error("sanction {0} was already lifted")]
    AlreadyLifted(EventId),
    /// Relief has not been granted: compliance period not served or quorum not reached.
    #[error("relief has not been granted to {0}")]
    ReliefNotGranted(PartyId),
    /// Relief approved for a party with no sanction in force.
    #[error("{0} has no sanction to relieve")]
    NothingToRelieve(PartyId),
    /// The approver already approved relief in the current compliance period.
    #[error("{0} already approved relief in this period")]
    AlreadyApproved(PartyId),
}

/// A record the rules refused: where it is, which event, and why. The one type for "this
/// record was refused", shared by every store's `append`
/// ([`crate::log::StoreError::Rejected`]), strict replay
/// ([`crate::replay::ReplayError::Rejected`]) and lenient replay's list.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[error("record {seq} (event {id}) was refused: {reason}")]
pub struct Refused {
    /// Its sequence number (as written, or as it would have been).
    pub seq: Seq,
    /// Its event id.
    pub id: EventId,
    /// The rule it breaks.
    pub reason: Rejection,
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SignatureFault {
    /// The agreement requires signatures (or the event is a key rotation) and the event
    /// carries none.
    #[error("the event by {author} carries no signature")]
    Missing {
        /// The author.
        author: PartyId,
    },
    /// The event is signed but its author has no key to check it with.
    #[error("the event is signed, but its author {author} has no key in this log")]
    NoKey {
        /// The author.
        author: PartyId,
    },
    /// The signature is by a key another party holds (or an unknown key), not the author's.
    #[error(
        "the event names {author} as its author but is signed by key {key_id:08x}{}",
        holder.as_ref().map(|p| format!(", which is {p}'s")).unwrap_or_default()
    )]
    WrongKey {
        /// The author the event names.
        author: PartyId,
        /// The key ID of the signature.
        key_id: u32,
        /// Whose key that is, if it is a registered one.
        holder: Option<PartyId>,
    },
    /// The signature is by the author's key that was rotated away.
    #[error("the event by {author} is signed by key {key_id:08x}, rotated away at {at}")]
    RotatedKey {
        /// The author.
        author: PartyId,
        /// The key ID.
        key_id: u32,
        /// The first record the key may no longer sign.
        at: Seq,
    },
    /// The signature is by the author's key that was revoked.
    #[error("the event by {author} is signed by key {key_id:08x}, revoked at {at}")]
    RevokedKey {
        /// The author.
        author: PartyId,
        /// The key ID.
        key_id: u32,
        /// The first record the key may no longer sign.
        at: Seq,
    },
    /// The signature does not verify over this log's origin, this position, the previous
    /// chain hash and the event's bytes: forged, altered, moved or from another log.
    #[error(
        "the signature by {author}'s key {key_id:08x} does not verify for this log, position and content"
    )]
    DoesNotVerify {
        /// The author.
        author: PartyId,
        /// The key ID.
        key_id: u32,
    },
}

/// Why a key or checkpoint event was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum KeyFault {
    /// Key and checkpoint events need an agreement with keys.
    #[error("the agreement registers no keys")]
    UnsignedAgreement,
    /// The new key is not a usable verifier key.
    #[error("key {key} is not a usable verifier key: {reason}")]
    BadKey {
        /// The key.
        key: PartyKey,
        /// Why.
        reason: String,
    },
    /// The key was already used in this log.
    #[error("key {0} was already used in this log")]
    KeyReused(PartyKey),
    /// The party has no current key to rotate or revoke.
    #[error("{0} has no current key")]
    NoCurrentKey(PartyId),
    /// The revocation names a key that is not the party's current one.
    #[error("{key} is not the current key of {party}")]
    NotCurrentKey {
        /// The party.
        party: PartyId,
        /// The key named.
        key: PartyKey,
    },
    /// A party may not approve revoking its own key (it rotates it instead).
    #[error("{0} cannot approve revoking its own key")]
    OwnKey(PartyId),
    /// The agreement's revocation quorum is zero: keys cannot be revoked.
    #[error("the agreement does not allow revoking keys")]
    RevocationNotAllowed,
    /// The author already approved this revocation.
    #[error("{0} already approved this revocation")]
    AlreadyApproved(PartyId),
    /// The checkpoint is larger than the log before the acknowledging event.
    #[error("a checkpoint of size {size} acknowledged when the log holds {records} records")]
    CheckpointBeyondLog {
        /// The size acknowledged.
        size: u64,
        /// The records before the event.
        records: u64,
    },
    /// The checkpoint is smaller than the author's previous acknowledgement.
    #[error("{party} acknowledged size {previous} already; size {size} is older")]
    CheckpointOlder {
        /// The author.
        party: PartyId,
        /// Its previous acknowledged size.
        previous: u64,
        /// The size acknowledged now.
        size: u64,
    },
    /// The acknowledged root is not the log's Merkle root at that size (`expected`), or the
    /// size is neither the log's current size nor one acknowledged before, so the state does
    /// not hold its root (`expected` is `None`; see the format guide, "Merkle tree and
    /// checkpoints").
    #[error("{}", match expected {
        Some(root) => format!("the log's Merkle root at size {size} is {root}, not {given}"),
        None => format!("root {given} at size {size} cannot be checked: an acknowledgement names the log's current size or a size acknowledged before"),
    })]
    CheckpointMismatch {
        /// The size acknowledged.
        size: u64,
        /// The log's root at that size, where the state holds it (boxed, as is `given`, to
        /// keep refusals small).
        expected: Option<Box<TreeRoot>>,
        /// The root the event names.
        given: Box<TreeRoot>,
    },
}
