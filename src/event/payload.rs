//! What an event says: one variant per kind of fact the log records.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::agreement::{
    AcceptanceLevel, Agreement, Confidence, Level, Obligation, PartyKey, Severity, TargetCategory,
    Term, TermKind,
};
use crate::event::TreeRoot;
use crate::id::{ConditionId, DecisionId, EventId, PartyId, TermId};
use crate::time::{Span, Timestamp};

/// A point on the map: latitude and longitude in degrees, validated when built or read.
#[derive(Clone, Copy, PartialEq, Debug, Serialize, Deserialize)]
#[serde(try_from = "RawCoordinates", into = "RawCoordinates")]
pub struct Coordinates {
    lat: f64,
    lon: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCoordinates {
    lat: f64,
    lon: f64,
}

/// Coordinates outside [-90, 90] × [-180, 180] or not finite.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("coordinates ({lat}, {lon}) are not a point on earth")]
pub struct CoordinatesError {
    /// The latitude given.
    pub lat: f64,
    /// The longitude given.
    pub lon: f64,
}

impl Coordinates {
    /// A point.
    ///
    /// # Errors
    /// [`CoordinatesError`] if a value is not finite or out of range.
    pub fn new(lat: f64, lon: f64) -> Result<Coordinates, CoordinatesError> {
        if lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0 {
            Ok(Coordinates { lat, lon })
        } else {
            Err(CoordinatesError { lat, lon })
        }
    }

    /// Latitude in degrees.
    #[must_use]
    pub fn lat(&self) -> f64 {
        self.lat
    }

    /// Longitude in degrees.
    #[must_use]
    pub fn lon(&self) -> f64 {
        self.lon
    }
}

impl TryFrom<RawCoordinates> for Coordinates {
    type Error = CoordinatesError;
    fn try_from(raw: RawCoordinates) -> Result<Self, CoordinatesError> {
        Coordinates::new(raw.lat, raw.lon)
    }
}

impl From<Coordinates> for RawCoordinates {
    fn from(c: Coordinates) -> Self {
        RawCoordinates {
            lat: c.lat,
            lon: c.lon,
        }
    }
}

/// A named place, optionally with coordinates.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// The name (also the key for control of the place).
    pub name: String,
    /// The region, if known.
    pub region: Option<String>,
    /// Coordinates, if known.
    pub coordinates: Option<Coordinates>,
}

impl Place {
    /// A place known by name only.
    #[must_use]
    pub fn named(name: impl Into<String>) -> Place {
        Place {
            name: name.into(),
            region: None,
            coordinates: None,
        }
    }

    /// Sets the region.
    #[must_use]
    pub fn in_region(mut self, region: impl Into<String>) -> Place {
        self.region = Some(region.into());
        self
    }

    /// Sets the coordinates.
    #[must_use]
    pub fn at(mut self, coordinates: Coordinates) -> Place {
        self.coordinates = Some(coordinates);
        self
    }
}

impl From<&str> for Place {
    fn from(name: &str) -> Place {
        Place::named(name)
    }
}

impl From<String> for Place {
    fn from(name: String) -> Place {
        Place::named(name)
    }
}

/// A closed period of time.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// The first instant.
    #[serde(with = "crate::time::instant")]
    pub from: Timestamp,
    /// The last instant (not earlier than `from`).
    #[serde(with = "crate::time::instant")]
    pub to: Timestamp,
}

/// A violation alleged by the event's author against another party.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allegation {
    /// The accused party (bound by the term, not the author).
    pub accused: PartyId,
    /// The term allegedly violated.
    pub term: TermId,
    /// What was hit (the term must cover it).
    pub target: TargetCategory,
    /// Where.
    pub place: Place,
    /// How serious.
    pub severity: Severity,
    /// What happened, in the accuser's words.
    pub description: String,
    /// References to evidence: links, file hashes, report numbers.
    pub evidence: Vec<String>,
}

impl From<Allegation> for Payload {
    /// [`Payload::ViolationAlleged`].
    fn from(allegation: Allegation) -> Payload {
        Payload::ViolationAlleged(Arc::new(allegation))
    }
}

impl Allegation {
    /// An allegation that `accused` violated `term` by hitting `target` at `place`, with no
    /// description or evidence yet (add them with [`Allegation::described`] and
    /// [`Allegation::evidence`]).
    #[must_use]
    pub fn new(
        accused: impl Into<PartyId>,
        term: impl Into<TermId>,
        target: TargetCategory,
        place: impl Into<Place>,
        severity: Severity,
    ) -> Allegation {
        Allegation {
            accused: accused.into(),
            term: term.into(),
            target,
            place: place.into(),
            severity,
            description: String::new(),
            evidence: Vec::new(),
        }
    }

    /// Sets what happened, in the accuser's words.
    #[must_use]
    pub fn described(mut self, description: impl Into<String>) -> Allegation {
        self.description = description.into();
        self
    }

    /// Adds references to evidence.
    #[must_use]
    pub fn evidence<I: IntoIterator<Item = S>, S: Into<String>>(mut self, refs: I) -> Allegation {
        self.evidence.extend(refs.into_iter().map(Into::into));
        self
    }
}

/// A monitor's ruling on an allegation.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// The violation happened as alleged.
    Confirmed,
    /// It did not.
    Refuted,
    /// The evidence does not decide.
    Inconclusive,
}

/// How a finding was reached.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Method {
    /// Satellite imagery.
    SatelliteImagery,
    /// Observers on site.
    OnSiteObserver,
    /// Sensors: cameras, acoustic, seismic.
    Sensor,
    /// Open sources.
    OpenSource,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Finding::Confirmed => "confirmed",
            Finding::Refuted => "refuted",
            Finding::Inconclusive => "inconclusive",
        })
    }
}

crate::name::from_names!(Finding, "finding", [
    Finding::Confirmed => "confirmed",
    Finding::Refuted => "refuted",
    Finding::Inconclusive => "inconclusive",
]);

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::SatelliteImagery => "satellite imagery",
            Method::OnSiteObserver => "on-site observer",
            Method::Sensor => "sensor",
            Method::OpenSource => "open source",
        })
    }
}

crate::name::from_names!(Method, "method", [
    Method::SatelliteImagery => "satellite_imagery",
    Method::OnSiteObserver => "on_site_observer",
    Method::Sensor => "sensor",
    Method::OpenSource => "open_source",
]);

/// A verification finding by a monitor. Build it with [`Verification::new`] (it may grow new
/// fields, as it did in schema 2).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Verification {
    /// The allegation's event id.
    pub allegation: EventId,
    /// The ruling.
    pub finding: Finding,
    /// How it was reached.
    pub method: Method,
    /// How sure the monitor is.
    pub confidence: Confidence,
    /// Notes.
    pub notes: String,
    /// The target as the monitor classifies it, if the finding classifies or reclassifies it
    /// (schema 2): from this finding on, the allegation counts by this category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetCategory>,
    /// The place as the monitor establishes it, if it differs from the alleged one (schema 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
}

impl Verification {
    /// A finding on `allegation`, with no notes (add them with [`Verification::noting`]).
    #[must_use]
    pub fn new(
        allegation: EventId,
        finding: Finding,
        method: Method,
        confidence: Confidence,
    ) -> Verification {
        Verification {
            allegation,
            finding,
            method,
            confidence,
            notes: String::new(),
            target: None,
            place: None,
        }
    }

    /// Classifies (or reclassifies) the allegation's target: from this finding on it counts
    /// by this category.
    #[must_use]
    pub fn classifying(mut self, target: TargetCategory) -> Verification {
        self.target = Some(target);
        self
    }

    /// Establishes where it happened, if not where alleged.
    #[must_use]
    pub fn placing(mut self, place: impl Into<Place>) -> Verification {
        self.place = Some(place.into());
        self
    }

    /// Sets the notes.
    #[must_use]
    pub fn noting(mut self, notes: impl Into<String>) -> Verification {
        self.notes = notes.into();
        self
    }
}

/// Why a party refuses a term: the conditions or reasons it gives, as typed data.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum RefusalReason {
    /// It demands that others first take on this obligation (Russia's demand, March 2025,
    /// that foreign military aid and intelligence sharing end and mobilisation halt).
    Demands(Obligation),
    /// There is no monitoring or verification it trusts.
    NoMonitoring,
    /// It proposes this term instead (set by a counter-proposal).
    CounterProposal(TermId),
    /// In its own words.
    Stated(String),
}

impl fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefusalReason::Demands(o) => write!(f, "demands: {o}"),
            RefusalReason::NoMonitoring => f.write_str("no trusted monitoring"),
            RefusalReason::CounterProposal(t) => write!(f, "proposes {t} instead"),
            RefusalReason::Stated(s) => f.write_str(s),
        }
    }
}

/// A change to a term, recorded by the mediator once the parties agree it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Amendment {
    /// The term lasts this much longer (an open-ended term is unaffected).
    Extend(Span),
    /// The term now lasts this long from its start, or is open-ended.
    SetDuration(Option<Span>),
    /// The term's substance changes (allegations already recorded keep their target).
    ChangeKind(TermKind),
}

impl Amendment {
    /// Applies the change to a term: the one place that says what each amendment does. On a
    /// term with a fixed window, `Extend` moves the window's end (an end past the year 9999
    /// is never) and `SetDuration` sets the end to the window's start plus the span (`None`:
    /// open-ended).
    pub fn apply_to(&self, term: &mut crate::agreement::Term) {
        match (self, &mut term.fixed) {
            (Amendment::Extend(by), Some(fixed)) => {
                fixed.until = fixed
                    .until
                    .and_then(|u| by.after(u))
                    .filter(|u| *u <= crate::time::LATEST);
            }
            (Amendment::SetDuration(d), Some(fixed)) => {
                fixed.until = d
                    .and_then(|d| d.after(fixed.from))
                    .filter(|u| *u <= crate::time::LATEST);
            }
            (Amendment::Extend(by), None) => term.duration = term.duration.map(|d| d.plus(*by)),
            (Amendment::SetDuration(d), None) => term.duration = *d,
            (Amendment::ChangeKind(kind), _) => term.kind = kind.clone(),
        }
    }
}

/// Everything the log can say. Serialized externally tagged: `{"violation_alleged": {...}}`.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Payload {
    /// The genesis: the whole agreement with its sanction policy. Always the first event.
    AgreementConcluded(Box<Agreement>),
    /// The author accepts a term it is bound by.
    TermAccepted {
        /// The term.
        term: TermId,
        /// How far.
        level: AcceptanceLevel,
        /// From when the commitment runs, if not from when it occurred (e.g. Russia's order of
        /// 18 March announced on 25 March).
        #[serde(with = "crate::time::instant::option")]
        effective_from: Option<Timestamp>,
    },
    /// A condition (of a term or of a conditional acceptance) is met.
    ConditionMet {
        /// The condition.
        condition: ConditionId,
        /// How it was met.
        note: String,
    },
    /// A term is added to the live agreement (schema 2): by a mediator, as proposed to the
    /// parties it binds; or by a belligerent, which binds itself by declaring it (the term
    /// must bind it and, if it binds others too, use a per-party clock: it binds them only
    /// once they accept). Checked by the rules the genesis's terms obey, and unknown to every
    /// query before the event's `recorded_at`.
    TermProposed {
        /// The term (its id new to the agreement, its conditions' ids new too).
        term: Term,
        /// The term this one answers, if it is a counter-proposal: the author refuses that
        /// term, giving this one as its reason.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        counters: Option<TermId>,
    },
    /// The author refuses a term it is bound by and has not committed to (schema 2). It may
    /// accept later.
    TermRefused {
        /// The term.
        term: TermId,
        /// Its conditions or reasons.
        reasons: Vec<RefusalReason>,
    },
    /// A term is amended.
    TermAmended {
        /// The term.
        term: TermId,
        /// The change.
        amendment: Amendment,
    },
    /// A term is suspended: nothing inside the suspension counts.
    TermSuspended {
        /// The term.
        term: TermId,
        /// Why.
        reason: String,
    },
    /// A suspended term resumes.
    TermResumed {
        /// The term.
        term: TermId,
    },
    /// A term ends for good.
    TermTerminated {
        /// The term.
        term: TermId,
        /// Why.
        reason: String,
    },
    /// The author withdraws from the agreement: every term binding it ends.
    PartyWithdrew {
        /// Why.
        reason: String,
    },
    /// The author alleges a violation. The allegation is shared: the state that folds this
    /// event keeps a reference to the same allegation, not a copy of its text (build one with
    /// `Payload::from(allegation)` or `Arc::new`; change one in place with `Arc::make_mut`).
    ViolationAlleged(Arc<Allegation>),
    /// The accused denies an allegation; it stays disputed until a monitor rules.
    AllegationDenied {
        /// The allegation.
        allegation: EventId,
        /// The denial.
        statement: String,
        /// The target category the accused says was hit, if it disputes the alleged one
        /// (schema 2): the allegation then counts only once a monitor's finding settles it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<TargetCategory>,
    },
    /// A party other than the accuser and the accused supports an allegation.
    AllegationCorroborated {
        /// The allegation.
        allegation: EventId,
        /// References to its evidence.
        evidence: Vec<String>,
    },
    /// A monitor rules on an allegation.
    VerificationFinding(Verification),
    /// The original reporter withdraws an allegation; it never counts again.
    AllegationRetracted {
        /// The allegation.
        allegation: EventId,
        /// Why.
        reason: String,
    },
    /// A party claims the other committed a number of violations over a period. Kept apart
    /// from allegations: a claimed count never counts towards a sanction.
    AggregateClaimed {
        /// Whom the claim is against.
        accused: PartyId,
        /// The term, if the claim names one.
        term: Option<TermId>,
        /// How many violations are claimed.
        count: u64,
        /// Over when.
        period: Period,
        /// The claim in the author's words.
        description: String,
    },
    /// A party (by itself, or a monitor on its behalf) attests compliance with a term.
    ComplianceAttested {
        /// The party that complied.
        party: PartyId,
        /// The term.
        term: TermId,
        /// Over when.
        period: Period,
        /// The attestation.
        statement: String,
    },
    /// Control of a place changed.
    ControlChanged {
        /// The place.
        place: Place,
        /// Who controls it now.
        controller: PartyId,
    },
    /// A sanction was actually imposed (recorded enforcement).
    SanctionImposed {
        /// Against whom.
        against: PartyId,
        /// At what level.
        level: Level,
        /// The decision it enforces, if any.
        decision: Option<DecisionId>,
        /// The measures taken.
        measures: String,
    },
    /// A recorded sanction was lifted.
    SanctionLifted {
        /// The `SanctionImposed` event.
        imposition: EventId,
        /// Why.
        reason: String,
    },
    /// The mediator stops a notice-and-deadline procedure before its deadline.
    ProcedureHalted {
        /// The decision whose procedure stops.
        decision: DecisionId,
        /// Why.
        reason: String,
    },
    /// An approver approves relief for a sanctioned party.
    ReliefApproved {
        /// The sanctioned party.
        party: PartyId,
    },
    /// The author replaces its own key; the event must be signed by the key it replaces.
    KeyRotated {
        /// The new key.
        key: PartyKey,
    },
    /// The author approves revoking another party's (lost) key. The revocation takes effect
    /// at the approval that meets the agreement's revocation quorum of distinct approvers.
    KeyRevoked {
        /// Whose key.
        party: PartyId,
        /// The key revoked (the party's current key).
        key: PartyKey,
        /// The key that replaces it, if any.
        replacement: Option<PartyKey>,
    },
    /// The author acknowledges the log's Merkle tree at a size: its signature on this event
    /// is its cosignature of that checkpoint.
    CheckpointAcknowledged {
        /// The tree size (a number of records before this event).
        size: u64,
        /// The tree's root hash at that size.
        root: TreeRoot,
    },
}

/// The kind of a payload, without its data.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PayloadKind {
    /// See [`Payload::AgreementConcluded`].
    AgreementConcluded,
    /// See [`Payload::TermAccepted`].
    TermAccepted,
    /// See [`Payload::ConditionMet`].
    ConditionMet,
    /// See [`Payload::TermAmended`].
    TermAmended,
    /// See [`Payload::TermProposed`].
    TermProposed,
    /// See [`Payload::TermRefused`].
    TermRefused,
    /// See [`Payload::TermSuspended`].
    TermSuspended,
    /// See [`Payload::TermResumed`].
    TermResumed,
    /// See [`Payload::TermTerminated`].
    TermTerminated,
    /// See [`Payload::PartyWithdrew`].
    PartyWithdrew,
    /// See [`Payload::ViolationAlleged`].
    ViolationAlleged,
    /// See [`Payload::AllegationDenied`].
    AllegationDenied,
    /// See [`Payload::AllegationCorroborated`].
    AllegationCorroborated,
    /// See [`Payload::VerificationFinding`].
    VerificationFinding,
    /// See [`Payload::AllegationRetracted`].
    AllegationRetracted,
    /// See [`Payload::AggregateClaimed`].
    AggregateClaimed,
    /// See [`Payload::ComplianceAttested`].
    ComplianceAttested,
    /// See [`Payload::ControlChanged`].
    ControlChanged,
    /// See [`Payload::SanctionImposed`].
    SanctionImposed,
    /// See [`Payload::SanctionLifted`].
    SanctionLifted,
    /// See [`Payload::ProcedureHalted`].
    ProcedureHalted,
    /// See [`Payload::ReliefApproved`].
    ReliefApproved,
    /// See [`Payload::KeyRotated`].
    KeyRotated,
    /// See [`Payload::KeyRevoked`].
    KeyRevoked,
    /// See [`Payload::CheckpointAcknowledged`].
    CheckpointAcknowledged,
}

impl PayloadKind {
    /// Every kind, in declaration order.
    pub const ALL: [PayloadKind; 25] = [
        PayloadKind::AgreementConcluded,
        PayloadKind::TermAccepted,
        PayloadKind::ConditionMet,
        PayloadKind::TermAmended,
        PayloadKind::TermSuspended,
        PayloadKind::TermResumed,
        PayloadKind::TermTerminated,
        PayloadKind::PartyWithdrew,
        PayloadKind::ViolationAlleged,
        PayloadKind::AllegationDenied,
        PayloadKind::AllegationCorroborated,
        PayloadKind::VerificationFinding,
        PayloadKind::AllegationRetracted,
        PayloadKind::AggregateClaimed,
        PayloadKind::ComplianceAttested,
        PayloadKind::ControlChanged,
        PayloadKind::SanctionImposed,
        PayloadKind::SanctionLifted,
        PayloadKind::ProcedureHalted,
        PayloadKind::ReliefApproved,
        PayloadKind::KeyRotated,
        PayloadKind::KeyRevoked,
        PayloadKind::CheckpointAcknowledged,
        PayloadKind::TermProposed,
        PayloadKind::TermRefused,
    ];
}

impl PayloadKind {
    /// Whether events of this kind need an agreement with keys (key rotation, revocation and
    /// checkpoint acknowledgement): no unsigned log holds one.
    #[must_use]
    pub fn needs_keys(self) -> bool {
        matches!(
            self,
            PayloadKind::KeyRotated | PayloadKind::KeyRevoked | PayloadKind::CheckpointAcknowledged
        )
    }
}

impl Payload {
    /// The kind of this payload.
    #[must_use]
    pub fn kind(&self) -> PayloadKind {
        match self {
            Payload::AgreementConcluded(_) => PayloadKind::AgreementConcluded,
            Payload::TermAccepted { .. } => PayloadKind::TermAccepted,
            Payload::ConditionMet { .. } => PayloadKind::ConditionMet,
            Payload::TermAmended { .. } => PayloadKind::TermAmended,
            Payload::TermProposed { .. } => PayloadKind::TermProposed,
            Payload::TermRefused { .. } => PayloadKind::TermRefused,
            Payload::TermSuspended { .. } => PayloadKind::TermSuspended,
            Payload::TermResumed { .. } => PayloadKind::TermResumed,
            Payload::TermTerminated { .. } => PayloadKind::TermTerminated,
            Payload::PartyWithdrew { .. } => PayloadKind::PartyWithdrew,
            Payload::ViolationAlleged(_) => PayloadKind::ViolationAlleged,
            Payload::AllegationDenied { .. } => PayloadKind::AllegationDenied,
            Payload::AllegationCorroborated { .. } => PayloadKind::AllegationCorroborated,
            Payload::VerificationFinding(_) => PayloadKind::VerificationFinding,
            Payload::AllegationRetracted { .. } => PayloadKind::AllegationRetracted,
            Payload::AggregateClaimed { .. } => PayloadKind::AggregateClaimed,
            Payload::ComplianceAttested { .. } => PayloadKind::ComplianceAttested,
            Payload::ControlChanged { .. } => PayloadKind::ControlChanged,
            Payload::SanctionImposed { .. } => PayloadKind::SanctionImposed,
            Payload::SanctionLifted { .. } => PayloadKind::SanctionLifted,
            Payload::ProcedureHalted { .. } => PayloadKind::ProcedureHalted,
            Payload::ReliefApproved { .. } => PayloadKind::ReliefApproved,
            Payload::KeyRotated { .. } => PayloadKind::KeyRotated,
            Payload::KeyRevoked { .. } => PayloadKind::KeyRevoked,
            Payload::CheckpointAcknowledged { .. } => PayloadKind::CheckpointAcknowledged,
        }
    }

    /// The allegation an event about an allegation refers to (denial, corroboration, finding,
    /// retraction).
    #[must_use]
    pub fn allegation_ref(&self) -> Option<EventId> {
        match self {
            Payload::AllegationDenied { allegation, .. }
            | Payload::AllegationCorroborated { allegation, .. }
            | Payload::AllegationRetracted { allegation, .. } => Some(*allegation),
            Payload::VerificationFinding(v) => Some(v.allegation),
            _ => None,
        }
    }
}
