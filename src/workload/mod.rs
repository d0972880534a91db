//! A realistic, valid log of any length, deterministic for a seed: the workload every bench
//! and the `throughput` example measure.
//!
//! The log is one agreement between two belligerents (`UA`, `RU`) with a mediator (`US`), a
//! guarantor (`TR`), two monitors (`MON`, `MON2`) and three approvers of relief (`CONGRESS`,
//! `COUNCIL`, `EU`, quorum 2). It has four terms in two phases: an energy moratorium with a
//! per-party clock, a maritime truce, a general ceasefire that starts once the energy
//! moratorium has held for 10 days, and a prisoner exchange checked by attestation. Its policy
//! has two rules: three confirmed violations in 14 days (escalating, immediate), and five
//! corroborated violations of the maritime truce in 7 days (notice and a 3-day dispute
//! window); relief needs 30 days without a newly confirmed violation and two approvals.
//!
//! After the genesis and the acceptances (one raised from in principle to binding), events are
//! drawn one at a time in the proportions of [`MIX`] (allegations 60%, findings 25%, then
//! denials, corroborations, retractions, aggregate claims, compliance attestations and control
//! changes), with a few events on a schedule: suspensions and resumptions of the maritime
//! truce, and every 75 days a *calm* in which one belligerent is accused of nothing for 40
//! days, a sanction is imposed on it, approvers approve relief (one time in four only one
//! does, short of the quorum) and the sanction is lifted once relief is granted. Allegations
//! carry descriptions of a few hundred characters, places (half with coordinates) and evidence
//! references; 7% are reported late (recorded 2 to 21 days after they occurred). Findings come
//! on recent allegations; some get a second monitor's finding or a revision, and a revision
//! that refutes a confirmed allegation voids the decisions that cite it. Along a long log
//! decisions fire, are voided and are relieved.
//!
//! Events arrive on average [`Workload::DEFAULT_PACE`] a day (a mission that records hundreds
//! of thousands of events a year); [`Workload::pace`] changes it (a short log at a slow pace
//! spans months, and so holds calms and relief). Ids are deterministic
//! ([`EventId::from_parts`]): the same seed, pace and length give the same records, byte for
//! byte.
//!
//! The generator keeps its own account of the allegations it made (retracted, denied,
//! corroborated by whom), so the events it draws are valid by construction. It also folds
//! every event into an [`AgreementState`] as it goes: the events whose validity depends on
//! derived facts (an imposition citing a decision in force, relief approvals, lifting a
//! sanction) are checked against that state first and left out when the rules would refuse
//! them; any other refusal is a bug of the generator and is returned as
//! [`WorkloadError::Refused`]. Generating a log therefore costs about one replay of it.
//!
//! To add a kind of event, add a variant to [`Drawn`], its share to [`MIX`] and its arm to
//! the generator's `draw` (one `match`); scheduled events are one variant of `Action` each.
//!
//! ```
//! use ceasefire::prelude::*;
//! use ceasefire::workload::Workload;
//!
//! let records = Workload::new(7).pace(12).generate(1_500)?;
//! assert_eq!(records.len(), 1_500);
//! // The same seed gives the same log, and strict replay accepts it.
//! assert_eq!(records, Workload::new(7).pace(12).generate(1_500)?);
//! let state = replay(&records)?;
//! assert!(!state.decisions().is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, VecDeque};

use chrono::TimeDelta;

use crate::agreement::{
    AcceptanceLevel, Activation, Agreement, AgreementError, Confidence, ConfidenceError,
    Escalation, EvidenceStandard, Level, Obligation, Procedure, ReliefPolicy, SanctionPolicy,
    Severity, TargetCategory, Term, TermKind, ThresholdRule,
};
use crate::event::{
    Allegation, BuildError, Coordinates, Event, Finding, Method, Payload, PayloadKind, Period,
    Place, Record, Verification,
};
use crate::id::{EventId, IdError, PartyId, RuleId, Seq, TermId};
use crate::state::{AgreementState, Refused};
use crate::time::{Span, Timestamp};

mod generate;
mod text;

use generate::{CEASEFIRE, Cast, ENERGY, Gen, PRISONERS, SEA};

/// The events drawn at random, one kind per variant (see [`MIX`] for their shares).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Drawn {
    /// `violation_alleged`: a belligerent accuses the other.
    Allegation,
    /// `verification_finding` on a recent allegation (first, second opinion or revision).
    Finding,
    /// `allegation_denied` by the accused.
    Denial,
    /// `allegation_corroborated` by the mediator or the guarantor.
    Corroboration,
    /// `allegation_retracted` by the reporter.
    Retraction,
    /// `aggregate_claimed`: a claimed count over a period.
    Claim,
    /// `compliance_attested`, by a monitor or by the party itself.
    Attestation,
    /// `control_changed` of a front-line place.
    ControlChange,
}

/// The share of each drawn kind, in events per thousand (they sum to 1,000). Scheduled
/// events (suspensions, resumptions, impositions, relief approvals, lifts) come on top, a few
/// per thousand at the default pace; a drawn kind with nothing to act on (no recent allegation
/// left to deny, say) is replaced by an allegation.
pub const MIX: [(Drawn, u32); 8] = [
    (Drawn::Allegation, 600),
    (Drawn::Finding, 250),
    (Drawn::Denial, 40),
    (Drawn::Corroboration, 30),
    (Drawn::Retraction, 20),
    (Drawn::Claim, 15),
    (Drawn::Attestation, 25),
    (Drawn::ControlChange, 20),
];

/// Why a workload could not be generated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkloadError {
    /// The workload's agreement does not validate (a bug of the generator).
    #[error("the workload's agreement is not valid: {0}")]
    Agreement(#[from] AgreementError),
    /// An identifier of the workload does not parse (a bug of the generator).
    #[error("a workload identifier is not valid: {0}")]
    Id(#[from] IdError),
    /// A confidence of the workload is out of range (a bug of the generator).
    #[error("a workload confidence is not valid: {0}")]
    Confidence(#[from] ConfidenceError),
    /// An event could not be built: a time out of range (a pace so slow, or a log so long,
    /// that it runs past the year 9999).
    #[error("event {index} of the workload could not be built: {error}")]
    Build {
        /// Its index in the log (from 0).
        index: usize,
        /// Why.
        error: BuildError,
    },
    /// The rules refused a generated event (a bug of the generator).
    #[error("the workload generated a record the rules refuse: {0}")]
    Refused(Box<Refused>),
}

/// A workload: a seed and a pace. See the [module documentation](self).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Workload {
    seed: u64,
    pace: u32,
}

impl Workload {
    /// Events a day, on average, unless [`Workload::pace`] says otherwise.
    pub const DEFAULT_PACE: u32 = 400;

    /// When the genesis is recorded: `2025-03-18T00:00:00Z`.
    pub const START: Timestamp = match chrono::NaiveDate::from_ymd_opt(2025, 3, 18) {
        Some(d) => d.and_time(chrono::NaiveTime::MIN).and_utc(),
        None => crate::time::EARLIEST,
    };

    /// The workload of `seed`, at the default pace.
    #[must_use]
    pub fn new(seed: u64) -> Workload {
        Workload {
            seed,
            pace: Self::DEFAULT_PACE,
        }
    }

    /// Sets the average number of events a day (at least 1).
    #[must_use]
    pub fn pace(mut self, events_per_day: u32) -> Workload {
        self.pace = events_per_day.max(1);
        self
    }

    /// The agreement the log concludes.
    ///
    /// # Errors
    /// [`WorkloadError::Agreement`] or [`WorkloadError::Id`] (neither happens: the agreement
    /// is fixed).
    pub fn agreement() -> Result<Agreement, WorkloadError> {
        let c = Cast::new()?;
        let [ua, ru] = c.belligerents.clone();
        let agreement = Agreement::new("Black Sea and energy ceasefire (workload)")
            .belligerent(&ua, "Ukraine")
            .belligerent(&ru, "Russia")
            .mediator(&c.us, "United States")
            .guarantor(&c.tr, "Türkiye")
            .monitor(&c.monitors[0], "Special monitoring mission")
            .monitor(&c.monitors[1], "IAEA support and assistance mission")
            .approver(&c.approvers[0], "United States Congress")
            .approver(&c.approvers[1], "Council of the European Union")
            .approver(&c.approvers[2], "European Commission")
            .term(
                Term::new(
                    &c.terms[ENERGY],
                    "No strikes on energy infrastructure",
                    TermKind::energy_moratorium(),
                )
                .binding([&ua, &ru])
                .per_party(),
            )
            .term(
                Term::new(
                    &c.terms[SEA],
                    "Safe navigation in the Black Sea",
                    TermKind::MaritimeTruce {
                        zone: "Black Sea".into(),
                    },
                )
                .binding([&ua, &ru]),
            )
            .term(
                Term::new(
                    &c.terms[CEASEFIRE],
                    "General ceasefire along the line of contact",
                    TermKind::GeneralCeasefire {
                        area: Some("line of contact".into()),
                    },
                )
                .binding([&ua, &ru])
                .phase(2)
                .activation(Activation::AfterHeld {
                    term: c.terms[ENERGY].clone(),
                    days: 10,
                }),
            )
            .term(
                Term::new(
                    &c.terms[PRISONERS],
                    "Exchange of prisoners of war",
                    TermKind::NonKinetic {
                        obligation: Obligation::ExchangePrisoners { count: Some(175) },
                    },
                )
                .binding([&ua, &ru]),
            )
            .policy(
                SanctionPolicy::new()
                    .rule(
                        ThresholdRule::new(RuleId::new("three-in-14")?, 3, Span::days(14))
                            .evidence(EvidenceStandard::Confirmed {
                                monitors: 1,
                                min_confidence: Confidence::percent(60)?,
                            })
                            .level(Level::Warning)
                            .escalation(Escalation::Ladder),
                    )
                    .rule(
                        ThresholdRule::new(RuleId::new("sea-five-in-7")?, 5, Span::days(7))
                            .terms([c.terms[SEA].clone()])
                            .evidence(EvidenceStandard::Corroborated)
                            .level(Level::Targeted)
                            .escalation(Escalation::Fixed)
                            .procedure(Procedure::NoticeAndDeadline {
                                dispute_window: Span::days(3),
                            }),
                    )
                    .relief(ReliefPolicy {
                        compliance: Span::days(30),
                        approvers: c.approvers.iter().cloned().collect(),
                        quorum: 2,
                    }),
            )
            .validated()?;
        Ok(agreement)
    }

    /// The first `n` records of the log (all of them valid: strict replay accepts them).
    ///
    /// # Errors
    /// [`WorkloadError::Build`] if the log runs past the year 9999; the other variants only
    /// for a bug of the generator.
    pub fn generate(&self, n: usize) -> Result<Vec<Record>, WorkloadError> {
        let mut g = Gen::new(*self, n)?;
        g.run(n)?;
        let mut records = g.records;
        records.truncate(n);
        Ok(records)
    }
}

/// How many records of each kind `records` holds.
#[must_use]
pub fn kinds(records: &[Record]) -> BTreeMap<PayloadKind, usize> {
    let mut counts = BTreeMap::new();
    for r in records {
        *counts.entry(r.event.payload.kind()).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests;
