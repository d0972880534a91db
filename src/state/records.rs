//! The facts the state keeps, as read-only records a user can inspect.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::agreement::{AcceptanceLevel, Level, Term};
use crate::event::{Period, Place, RefusalReason};
use crate::id::{DecisionId, EventId, PartyId, RuleId, TermId};
use crate::time::{Occurred, Timestamp, Window};

/// An instant and the event that set it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Stamp {
    /// The instant (world time for facts, log time for decisions).
    pub at: Timestamp,
    /// The event.
    pub event: EventId,
}

/// A party's current acceptance of a term.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AcceptanceRecord {
    /// The level.
    pub level: AcceptanceLevel,
    /// From when the commitment runs (the event's `effective_from`, else when it occurred; for
    /// an acceptance raising one that already bound, no later than when that one bound).
    pub effective_from: Timestamp,
    /// When the acceptance occurred.
    pub accepted_at: Timestamp,
    /// The acceptance event.
    pub event: EventId,
    /// Earlier acceptances it raised, oldest first.
    pub earlier: Vec<EventId>,
}

/// A suspension of a term.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Suspension {
    /// When it started (world time).
    pub from: Stamp,
    /// When it ended, if it has.
    pub until: Option<Stamp>,
}

impl Suspension {
    /// The suspension as a window.
    #[must_use]
    pub fn window(&self) -> Window {
        Window {
            start: self.from.at,
            end: self.until.map(|u| u.at.max(self.from.at)),
        }
    }
}

/// How a term added after the genesis entered the log.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Proposal {
    /// The `TermProposed` event.
    pub event: EventId,
    /// Who proposed (or, for a belligerent, declared) it.
    pub by: PartyId,
    /// When it was logged: before this, no query knows the term.
    pub recorded_at: Timestamp,
    /// The term it counters, if it is a counter-proposal.
    pub counters: Option<TermId>,
}

/// A party's refusal of a term.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RefusalRecord {
    /// The refusal (or counter-proposal) event.
    pub event: EventId,
    /// When it was made (world time).
    pub at: Timestamp,
    /// Its conditions or reasons.
    pub reasons: Vec<RefusalReason>,
    /// The acceptance that later replaced it, if the party accepted after all.
    pub superseded: Option<Stamp>,
}

impl RefusalRecord {
    /// Whether the refusal is the party's answer at `at`: made by then, not yet superseded.
    #[must_use]
    pub fn stands_at(&self, at: Timestamp) -> bool {
        self.at <= at && self.superseded.is_none_or(|s| s.at > at)
    }
}

/// A term as the log has shaped it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TermRecord {
    /// The term, with every amendment applied.
    pub term: Term,
    /// The current acceptance of each party that has accepted.
    pub acceptances: BTreeMap<PartyId, AcceptanceRecord>,
    /// Suspensions, in order.
    pub suspensions: Vec<Suspension>,
    /// Its termination, if any.
    pub terminated: Option<Stamp>,
    /// The amendment events, in order.
    pub amendments: Vec<EventId>,
    /// For a term added after the genesis: how it was proposed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed: Option<Proposal>,
    /// Each party's latest refusal.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub refusals: BTreeMap<PartyId, RefusalRecord>,
}

impl TermRecord {
    /// A term nobody has accepted yet.
    #[must_use]
    pub fn new(term: Term) -> TermRecord {
        TermRecord {
            term,
            acceptances: BTreeMap::new(),
            suspensions: Vec::new(),
            terminated: None,
            amendments: Vec::new(),
            proposed: None,
            refusals: BTreeMap::new(),
        }
    }

    /// Whether the log knows the term at `at`: a genesis term always, an added term from its
    /// proposal's `recorded_at`.
    #[must_use]
    pub fn known_at(&self, at: Timestamp) -> bool {
        self.proposed.as_ref().is_none_or(|p| p.recorded_at <= at)
    }

    /// The refusal that is `party`'s current answer (not superseded by an acceptance).
    #[must_use]
    pub fn current_refusal(&self, party: &PartyId) -> Option<&RefusalRecord> {
        self.refusals.get(party).filter(|r| r.superseded.is_none())
    }

    /// Whether a suspension is open now (not resumed).
    #[must_use]
    pub fn is_suspended(&self) -> bool {
        self.suspensions.last().is_some_and(|s| s.until.is_none())
    }

    /// Whether a suspension covers `at`.
    #[must_use]
    pub fn suspended_at(&self, at: Timestamp) -> bool {
        self.suspensions.iter().any(|s| s.window().contains(at))
    }
}

/// A condition and whether it has been met.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ConditionRecord {
    /// The term it belongs to.
    pub term: TermId,
    /// The party whose conditional acceptance named it; `None` for the term's own conditions.
    pub owner: Option<PartyId>,
    /// What must happen.
    pub description: String,
    /// When it was met (world time), if it has been.
    pub met: Option<Stamp>,
}

/// A claimed count of violations (never counted towards a sanction).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ClaimRecord {
    /// The claim event.
    pub event: EventId,
    /// Who claims.
    pub claimant: PartyId,
    /// Against whom.
    pub accused: PartyId,
    /// The term, if named.
    pub term: Option<TermId>,
    /// How many.
    pub count: u64,
    /// Over when.
    pub period: Period,
    /// In the claimant's words.
    pub description: String,
}

/// An attestation of compliance.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AttestationRecord {
    /// The attestation event.
    pub event: EventId,
    /// Who attests (the party itself or a monitor).
    pub author: PartyId,
    /// Who complied.
    pub party: PartyId,
    /// With which term.
    pub term: TermId,
    /// Over when.
    pub period: Period,
    /// The statement.
    pub statement: String,
}

/// Who took control of a place, and when.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct ControlRecord {
    /// The event.
    pub event: EventId,
    /// The place as the event names it.
    pub place: Place,
    /// Who controls it from then on.
    pub controller: PartyId,
    /// When control changed.
    pub since: Occurred,
}

/// A sanction actually imposed (recorded enforcement).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ImpositionRecord {
    /// The `SanctionImposed` event.
    pub event: EventId,
    /// Against whom.
    pub against: PartyId,
    /// At what level.
    pub level: Level,
    /// The decision it enforces, if any.
    pub decision: Option<DecisionId>,
    /// The measures.
    pub measures: String,
    /// When it was recorded.
    pub imposed_at: Timestamp,
    /// When it was lifted (log time), if it was.
    pub lifted: Option<Stamp>,
}

/// An approval of relief.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ApprovalRecord {
    /// The approver.
    pub approver: PartyId,
    /// The approval event.
    pub event: EventId,
    /// When it was recorded.
    pub recorded_at: Timestamp,
}

/// Relief granted to a party.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ReliefGrant {
    /// The party relieved.
    pub party: PartyId,
    /// From when (the later of the compliance period's end and the quorum's completion).
    pub at: Timestamp,
    /// The approvals that made the quorum.
    pub approvals: Vec<EventId>,
    /// The decisions it ended.
    pub decisions: Vec<DecisionId>,
}

/// Why replay did not apply a rule's verdict.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultReason {
    /// The verdict names a party not in the agreement.
    #[error("verdict against unknown party {0}")]
    UnknownParty(PartyId),
    /// The verdict cites no violation.
    #[error("verdict cites no violation")]
    NoViolations,
    /// The verdict cites an event that is not an allegation.
    #[error("verdict cites {0}, which is not an allegation")]
    UnknownAllegation(EventId),
    /// The verdict cites an allegation against another party.
    #[error("verdict against {party} cites allegation {allegation} against {accused}")]
    WrongParty {
        /// Whom the verdict is against.
        party: PartyId,
        /// The allegation.
        allegation: EventId,
        /// Whom it accuses.
        accused: PartyId,
    },
    /// The verdict cites an allegation that does not stand (refuted, retracted, or outside
    /// the accused's obligation window).
    #[error("verdict cites allegation {0}, which does not count")]
    NotStanding(EventId),
    /// The verdict's evidence names an event that is not in the log.
    #[error("verdict's evidence names unknown event {0}")]
    UnknownEvidence(EventId),
}

/// A verdict replay refused, with the rule and the event being applied.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RuleFault {
    /// The rule.
    pub rule: RuleId,
    /// The event being applied.
    pub event: EventId,
    /// What was wrong.
    pub reason: FaultReason,
}

/// Where one bound party stands with one term at an instant (see
/// [`crate::AgreementState::party_status`]).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PartyStatus {
    /// It has not answered.
    NotAnswered,
    /// It refused (see [`TermRecord::refusals`] for why).
    Refused,
    /// It accepted in principle only: that binds nothing.
    InPrinciple,
    /// It accepted on conditions not all met yet.
    Conditional,
    /// It committed, but its obligations have not begun (a start date, an earlier phase, a
    /// condition of the term, or, under a common clock, another party's commitment).
    NotYetBound,
    /// It is bound.
    Bound,
    /// It is bound, but the term is suspended.
    Suspended,
    /// Its obligations have run out (or the term's fixed window closed before it was bound).
    Expired,
    /// It withdrew from the agreement.
    Withdrawn,
    /// The term was terminated.
    Terminated,
}

impl fmt::Display for PartyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            PartyStatus::NotAnswered => "not answered",
            PartyStatus::Refused => "refused",
            PartyStatus::InPrinciple => "accepted in principle",
            PartyStatus::Conditional => "accepted on conditions",
            PartyStatus::NotYetBound => "not yet bound",
            PartyStatus::Bound => "bound",
            PartyStatus::Suspended => "suspended",
            PartyStatus::Expired => "expired",
            PartyStatus::Withdrawn => "withdrawn",
            PartyStatus::Terminated => "terminated",
        })
    }
}

/// What a term's status is at an instant.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TermStatus {
    /// No bound party has accepted.
    Proposed,
    /// Accepted in principle by some bound parties; none has committed yet.
    AcceptedInPrinciple,
    /// Some, but not all, bound parties have committed (bindingly or on conditions).
    PartlyAccepted,
    /// A bound party refused it, and nobody is bound by it.
    Refused,
    /// Every bound party has committed, but a condition, the start date or an earlier phase
    /// is still awaited.
    Pending,
    /// In force.
    InForce,
    /// Some bound parties are bound, others are not (not yet, no longer, or never): a
    /// per-party clock or a unilateral declaration.
    PartlyInForce,
    /// In its window, but suspended.
    Suspended,
    /// Its duration has run out.
    Expired,
    /// Terminated, or a bound party withdrew.
    Terminated,
}

impl fmt::Display for TermStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            TermStatus::Proposed => "proposed",
            TermStatus::AcceptedInPrinciple => "accepted in principle",
            TermStatus::PartlyAccepted => "partly accepted",
            TermStatus::Pending => "pending",
            TermStatus::InForce => "in force",
            TermStatus::PartlyInForce => "partly in force",
            TermStatus::Refused => "refused",
            TermStatus::Suspended => "suspended",
            TermStatus::Expired => "expired",
            TermStatus::Terminated => "terminated",
        })
    }
}

/// Confirmed violations by one party of one term.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Tally {
    /// The party.
    pub party: PartyId,
    /// The term.
    pub term: TermId,
    /// The confirmed allegations that count against it, in log order.
    pub confirmed: Vec<EventId>,
}

/// What applying one event changed in the sanctions.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Applied {
    /// The record's sequence number.
    pub seq: crate::id::Seq,
    /// Decisions made while applying it.
    pub decided: Vec<DecisionId>,
    /// Decisions it ended (stopped, voided, halted, relieved).
    pub ended: Vec<DecisionId>,
    /// Verdicts refused while applying it.
    pub faults: Vec<RuleFault>,
}
