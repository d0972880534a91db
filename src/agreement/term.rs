//! Terms: what each term forbids or requires, whom it binds, and when.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::id::{ConditionId, PartyId, TermId};
use crate::time::{Span, Timestamp};

/// A category of target that a strike moratorium can protect and an allegation can name.
///
/// The five energy categories are the list the Kremlin published on 25 March 2025.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum TargetCategory {
    /// Oil refineries.
    Refinery,
    /// Oil and gas pipelines and storage, including pumping and metering stations.
    PipelineOrStorage,
    /// Power generation and transmission: plants, substations, transformers, distribution.
    PowerGrid,
    /// Nuclear power plants.
    NuclearPowerPlant,
    /// Hydroelectric dams.
    HydroelectricDam,
    /// Ports and port infrastructure.
    Port,
    /// Ships at sea, including military use of commercial vessels.
    Shipping,
    /// Railways.
    Railway,
    /// Civilian sites: homes, hospitals, schools.
    CivilianSite,
    /// Military positions, units and equipment.
    MilitaryObjective,
    /// A breach of a non-kinetic obligation (conscription, arms deliveries, prisoners), not a
    /// strike.
    Obligation,
    /// Not yet known ("a strike in the Dnipropetrovsk region, target not yet known"): an
    /// allegation may name it under any term; it is logged and shown but never counts until a
    /// monitor's finding classifies the target (schema 2). No term may list it.
    Unknown,
    /// A category this crate does not name.
    Other(String),
}

impl TargetCategory {
    /// The five categories of energy infrastructure.
    pub const ENERGY: [TargetCategory; 5] = [
        TargetCategory::Refinery,
        TargetCategory::PipelineOrStorage,
        TargetCategory::PowerGrid,
        TargetCategory::NuclearPowerPlant,
        TargetCategory::HydroelectricDam,
    ];

    /// Every category this crate names (all but [`TargetCategory::Other`]).
    pub const NAMED: [TargetCategory; 11] = [
        TargetCategory::Refinery,
        TargetCategory::PipelineOrStorage,
        TargetCategory::PowerGrid,
        TargetCategory::NuclearPowerPlant,
        TargetCategory::HydroelectricDam,
        TargetCategory::Port,
        TargetCategory::Shipping,
        TargetCategory::Railway,
        TargetCategory::CivilianSite,
        TargetCategory::MilitaryObjective,
        TargetCategory::Obligation,
    ];

    /// Whether this is one of the energy categories.
    #[must_use]
    pub fn is_energy(&self) -> bool {
        Self::ENERGY.contains(self)
    }
}

impl fmt::Display for TargetCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            TargetCategory::Refinery => "refinery",
            TargetCategory::PipelineOrStorage => "pipeline or storage",
            TargetCategory::PowerGrid => "power grid",
            TargetCategory::NuclearPowerPlant => "nuclear power plant",
            TargetCategory::HydroelectricDam => "hydroelectric dam",
            TargetCategory::Port => "port",
            TargetCategory::Shipping => "shipping",
            TargetCategory::Railway => "railway",
            TargetCategory::CivilianSite => "civilian site",
            TargetCategory::MilitaryObjective => "military objective",
            TargetCategory::Obligation => "non-kinetic obligation",
            TargetCategory::Unknown => "unknown target",
            TargetCategory::Other(s) => s,
        };
        f.write_str(s)
    }
}

impl std::str::FromStr for TargetCategory {
    type Err = crate::name::UnknownName;
    /// A named category (`power_grid`, `power grid`), or `other:<text>` for
    /// [`TargetCategory::Other`].
    fn from_str(text: &str) -> Result<Self, crate::name::UnknownName> {
        const NAMES: &[&str] = &[
            "refinery",
            "pipeline_or_storage",
            "power_grid",
            "nuclear_power_plant",
            "hydroelectric_dam",
            "port",
            "shipping",
            "railway",
            "civilian_site",
            "military_objective",
            "obligation",
            "unknown",
            "other:<name>",
        ];
        if let Some(other) = text.trim().strip_prefix("other:") {
            return Ok(TargetCategory::Other(other.trim().to_owned()));
        }
        let wanted = crate::name::normalize(text);
        if wanted == "unknown" || wanted == "unknown_target" {
            return Ok(TargetCategory::Unknown);
        }
        TargetCategory::NAMED
            .into_iter()
            .zip(NAMES)
            .find(|(c, name)| wanted == **name || wanted == crate::name::normalize(&c.to_string()))
            .map(|(c, _)| c)
            .ok_or_else(|| crate::name::UnknownName {
                what: "target category",
                text: text.to_owned(),
                expected: NAMES,
            })
    }
}

/// A non-kinetic obligation, checked by attestation rather than by strike reports.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Obligation {
    /// Halt conscription or mobilisation.
    HaltConscription,
    /// Curtail deliveries of arms.
    CurtailArmsDeliveries,
    /// Stop sharing intelligence with a belligerent (schema 2).
    HaltIntelligenceSharing,
    /// Exchange prisoners, optionally a stated number from each side.
    ExchangePrisoners {
        /// Prisoners each side releases, if stated.
        count: Option<u32>,
    },
    /// An obligation this crate does not name.
    Other(String),
}

impl fmt::Display for Obligation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Obligation::HaltConscription => f.write_str("halt conscription"),
            Obligation::CurtailArmsDeliveries => f.write_str("curtail arms deliveries"),
            Obligation::HaltIntelligenceSharing => f.write_str("halt intelligence sharing"),
            Obligation::ExchangePrisoners { count: Some(n) } => {
                write!(f, "exchange {n} prisoners each")
            }
            Obligation::ExchangePrisoners { count: None } => f.write_str("exchange prisoners"),
            Obligation::Other(s) => f.write_str(s),
        }
    }
}

/// What a term forbids or requires, with the fields of its kind.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum TermKind {
    /// No strikes on the listed target categories.
    StrikeMoratorium {
        /// The protected categories (not empty).
        targets: BTreeSet<TargetCategory>,
    },
    /// No attacks on shipping and no military use of commercial vessels in a named zone.
    MaritimeTruce {
        /// The zone, e.g. "Black Sea".
        zone: String,
    },
    /// All hostilities cease, optionally only in an area.
    GeneralCeasefire {
        /// The area, if the ceasefire is local.
        area: Option<String>,
    },
    /// A demilitarized buffer zone along a line.
    BufferZone {
        /// The line the zone follows.
        line: String,
        /// Its depth on each side, in kilometres.
        depth_km: u32,
    },
    /// A non-kinetic obligation, checked by attestation.
    NonKinetic {
        /// The obligation.
        obligation: Obligation,
    },
    /// A kind this crate does not know.
    Custom {
        /// Its name.
        name: String,
        /// Which categories an allegation under it may name; `None` for all.
        covers: Option<BTreeSet<TargetCategory>>,
    },
}

impl TermKind {
    /// A strike moratorium on the five energy categories.
    #[must_use]
    pub fn energy_moratorium() -> TermKind {
        TermKind::StrikeMoratorium {
            targets: TargetCategory::ENERGY.into_iter().collect(),
        }
    }

    /// Whether an allegation naming `target` can be a violation of a term of this kind.
    ///
    /// A moratorium covers its listed categories; a maritime truce covers ports and shipping;
    /// a non-kinetic obligation covers only [`TargetCategory::Obligation`]; a general ceasefire
    /// and a buffer zone cover every category but that one; a custom kind covers what it says.
    /// No kind covers [`TargetCategory::Unknown`]: an unknown target never counts.
    #[must_use]
    pub fn covers(&self, target: &TargetCategory) -> bool {
        if *target == TargetCategory::Unknown {
            return false;
        }
        match self {
            TermKind::StrikeMoratorium { targets } => targets.contains(target),
            TermKind::MaritimeTruce { .. } => {
                matches!(target, TargetCategory::Port | TargetCategory::Shipping)
            }
            TermKind::GeneralCeasefire { .. } | TermKind::BufferZone { .. } => {
                *target != TargetCategory::Obligation
            }
            TermKind::NonKinetic { .. } => *target == TargetCategory::Obligation,
            TermKind::Custom { covers, .. } => covers.as_ref().is_none_or(|c| c.contains(target)),
        }
    }

    /// A short name of the kind, for timelines.
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            TermKind::StrikeMoratorium { .. } => "strike moratorium",
            TermKind::MaritimeTruce { .. } => "maritime truce",
            TermKind::GeneralCeasefire { .. } => "general ceasefire",
            TermKind::BufferZone { .. } => "buffer zone",
            TermKind::NonKinetic { .. } => "non-kinetic obligation",
            TermKind::Custom { .. } => "custom term",
        }
    }
}

/// When a term takes effect (its obligations may begin later still: see
/// [`ObligationClock`]).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Activation {
    /// At a date, once every bound party has accepted bindingly (not before either).
    At(#[serde(with = "crate::time::instant")] Timestamp),
    /// As soon as every bound party has accepted bindingly and every condition is met.
    OnAcceptance,
    /// Once an earlier term has been in force for `days` days with no confirmed violation:
    /// exactly at its start plus `days`, or never.
    AfterHeld {
        /// The earlier phase's term (it must come before this one in the agreement).
        term: TermId,
        /// How many days it must hold.
        days: u32,
    },
}

/// From when each bound party's obligations run.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ObligationClock {
    /// One window for everybody, from the term's start.
    #[default]
    Common,
    /// Each party is bound from its own binding commitment for the term's duration, as in the
    /// 2025 energy halt (Russia from 18 March, Ukraine from 25 March).
    PerParty,
}

/// A condition that must be recorded as met (by a `ConditionMet` event) before something
/// binds.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Unique across the agreement and every conditional acceptance.
    pub id: ConditionId,
    /// What must happen.
    pub description: String,
}

impl Condition {
    /// A condition.
    #[must_use]
    pub fn new(id: ConditionId, description: impl Into<String>) -> Condition {
        Condition {
            id,
            description: description.into(),
        }
    }
}

/// How far a party has accepted a term.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum AcceptanceLevel {
    /// Agreed in principle: binds nothing.
    InPrinciple,
    /// Binding once every named condition is recorded as met.
    Conditional {
        /// The conditions (not empty; ids new to the agreement).
        conditions: Vec<Condition>,
    },
    /// Binding.
    Binding,
}

impl AcceptanceLevel {
    /// 0 for in principle, 1 for conditional, 2 for binding: a new acceptance must rank higher.
    #[must_use]
    pub fn rank(&self) -> u8 {
        match self {
            AcceptanceLevel::InPrinciple => 0,
            AcceptanceLevel::Conditional { .. } => 1,
            AcceptanceLevel::Binding => 2,
        }
    }

    /// A short name, for timelines.
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            AcceptanceLevel::InPrinciple => "in principle",
            AcceptanceLevel::Conditional { .. } => "conditionally",
            AcceptanceLevel::Binding => "bindingly",
        }
    }
}

impl std::str::FromStr for AcceptanceLevel {
    type Err = crate::name::UnknownName;
    /// `in_principle` or `binding` (a conditional acceptance needs its conditions, so it has
    /// no name).
    fn from_str(text: &str) -> Result<Self, crate::name::UnknownName> {
        match crate::name::normalize(text).as_str() {
            "in_principle" => Ok(AcceptanceLevel::InPrinciple),
            "binding" | "bindingly" => Ok(AcceptanceLevel::Binding),
            _ => Err(crate::name::UnknownName {
                what: "acceptance level",
                text: text.to_owned(),
                expected: &["in_principle", "binding"],
            }),
        }
    }
}

/// A window fixed in world time: the term binds from `from` until `until`, whoever accepts
/// late. A party committing after `from` is bound from its own commitment (or its
/// `effective_from`) until the same `until`; see `docs/time.md`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedWindow {
    /// The first instant the term can bind.
    #[serde(with = "crate::time::instant")]
    pub from: Timestamp,
    /// The first instant it no longer binds; `None` for open-ended.
    #[serde(
        with = "crate::time::instant::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub until: Option<Timestamp>,
}

/// A term of the agreement.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// Stable id.
    pub id: TermId,
    /// A title for people.
    pub title: String,
    /// What it forbids or requires.
    pub kind: TermKind,
    /// The parties it binds (not empty).
    pub binds: BTreeSet<PartyId>,
    /// When it takes effect.
    pub activation: Activation,
    /// How long it lasts from its start; `None` is open-ended (or, with a fixed window, ends
    /// when the window does).
    pub duration: Option<Span>,
    /// A window fixed in world time, independent of when parties accept (schema 2; a term has
    /// a fixed window or a duration, not both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<FixedWindow>,
    /// Its phase in a phased agreement (1 first).
    pub phase: u8,
    /// Whether obligations run from a common start or from each party's own commitment.
    pub clock: ObligationClock,
    /// Conditions attached to the term itself.
    pub conditions: Vec<Condition>,
}

impl Term {
    /// A term binding nobody yet, taking effect on acceptance, open-ended, phase 1.
    #[must_use]
    pub fn new(id: impl Into<TermId>, title: impl Into<String>, kind: TermKind) -> Term {
        Term {
            id: id.into(),
            title: title.into(),
            kind,
            binds: BTreeSet::new(),
            activation: Activation::OnAcceptance,
            duration: None,
            fixed: None,
            phase: 1,
            clock: ObligationClock::Common,
            conditions: Vec::new(),
        }
    }

    /// Binds these parties.
    #[must_use]
    pub fn binding<I: IntoIterator<Item = P>, P: Into<PartyId>>(mut self, parties: I) -> Term {
        self.binds.extend(parties.into_iter().map(Into::into));
        self
    }

    /// Sets when it takes effect.
    #[must_use]
    pub fn activation(mut self, activation: Activation) -> Term {
        self.activation = activation;
        self
    }

    /// Lasts this long from its start.
    #[must_use]
    pub fn lasting(mut self, duration: Span) -> Term {
        self.duration = Some(duration);
        self
    }

    /// Binds from `from` until `until` in world time, whoever accepts late (instead of a
    /// duration counted from the term's start).
    #[must_use]
    pub fn fixed_window(mut self, from: Timestamp, until: Timestamp) -> Term {
        self.fixed = Some(FixedWindow {
            from,
            until: Some(until),
        });
        self
    }

    /// The instant the term's window ends for a start of `start`: the fixed window's end, or
    /// the duration after `start`; `None` for never.
    #[must_use]
    pub fn end_for(&self, start: Timestamp) -> Option<Timestamp> {
        match &self.fixed {
            Some(fixed) => fixed.until,
            None => self.duration.and_then(|d| d.after(start)),
        }
    }

    /// The earliest instant the term's window may start (the fixed window's start).
    #[must_use]
    pub fn fixed_start(&self) -> Option<Timestamp> {
        self.fixed.map(|f| f.from)
    }

    /// Sets its phase.
    #[must_use]
    pub fn phase(mut self, phase: u8) -> Term {
        self.phase = phase;
        self
    }

    /// Binds each party from its own commitment.
    #[must_use]
    pub fn per_party(mut self) -> Term {
        self.clock = ObligationClock::PerParty;
        self
    }

    /// Attaches a condition.
    #[must_use]
    pub fn condition(mut self, condition: Condition) -> Term {
        self.conditions.push(condition);
        self
    }

    /// Whether the term binds `party`.
    #[must_use]
    pub fn binds(&self, party: &PartyId) -> bool {
        self.binds.contains(party)
    }
}
