//! What the log knows about one allegation: denial, findings, corroborations, retraction, and
//! the verification status they add up to.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::agreement::{Confidence, EvidenceStandard, TargetCategory};
use crate::event::{Allegation, Finding, Method, Place};
use crate::id::{EventId, PartyId, Seq};
use crate::time::{Occurred, Timestamp};

/// Where an allegation stands with the verifiers.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VerificationStatus {
    /// Alleged, nothing else known.
    Alleged,
    /// Denied by the accused; no monitor has ruled.
    Disputed,
    /// Some monitor's latest finding confirms it and none refutes it.
    Confirmed,
    /// Some monitor's latest finding refutes it. A refuted allegation never counts.
    Refuted,
    /// Monitors have ruled, inconclusively.
    Inconclusive,
    /// Withdrawn by its reporter. A retracted allegation never counts.
    Retracted,
}

impl fmt::Display for VerificationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VerificationStatus::Alleged => "alleged",
            VerificationStatus::Disputed => "disputed",
            VerificationStatus::Confirmed => "confirmed",
            VerificationStatus::Refuted => "refuted",
            VerificationStatus::Inconclusive => "inconclusive",
            VerificationStatus::Retracted => "retracted",
        })
    }
}

/// One monitor's finding on an allegation.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct FindingRecord {
    /// The finding event.
    pub event: EventId,
    /// The monitor.
    pub monitor: PartyId,
    /// The ruling.
    pub finding: Finding,
    /// How it was reached.
    pub method: Method,
    /// How sure.
    pub confidence: Confidence,
    /// When it was logged.
    pub recorded_at: Timestamp,
    /// The target as the monitor classified it, if the finding classified it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetCategory>,
    /// The place as the monitor established it, if the finding did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
}

/// An allegation and everything said about it since.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct AllegationRecord {
    /// The allegation event.
    pub id: EventId,
    /// Its sequence number.
    pub seq: Seq,
    /// Who alleges it.
    pub accuser: PartyId,
    /// When it allegedly happened.
    pub occurred: Occurred,
    /// When it was logged.
    pub recorded_at: Timestamp,
    /// What is alleged: shared with the event that alleged it, so the state holds no copy of
    /// its text.
    pub allegation: Arc<Allegation>,
    /// The accused's denial, if any.
    pub denial: Option<EventId>,
    /// The target the accused's denial says was hit, if it disputes the alleged one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disputed_target: Option<TargetCategory>,
    /// Every finding, in log order (a monitor's later finding supersedes its earlier one).
    pub findings: Vec<FindingRecord>,
    /// Corroborations: who and in which event.
    pub corroborations: Vec<(PartyId, EventId)>,
    /// The retraction, if any.
    pub retraction: Option<EventId>,
    /// When the status first became confirmed (the `recorded_at` of that event).
    pub confirmed_at: Option<Timestamp>,
}

impl AllegationRecord {
    /// A new allegation with nothing said about it yet.
    #[must_use]
    pub fn new(
        id: EventId,
        seq: Seq,
        accuser: PartyId,
        occurred: Occurred,
        recorded_at: Timestamp,
        allegation: impl Into<Arc<Allegation>>,
    ) -> AllegationRecord {
        AllegationRecord {
            id,
            seq,
            accuser,
            occurred,
            recorded_at,
            allegation: allegation.into(),
            denial: None,
            disputed_target: None,
            findings: Vec::new(),
            corroborations: Vec::new(),
            retraction: None,
            confirmed_at: None,
        }
    }

    /// The accused party.
    #[must_use]
    pub fn accused(&self) -> &PartyId {
        &self.allegation.accused
    }

    /// The latest finding (in log order, by any monitor) that classified the target or
    /// established the place.
    #[must_use]
    pub fn classification(&self) -> Option<&FindingRecord> {
        self.findings
            .iter()
            .rev()
            .find(|f| f.target.is_some() || f.place.is_some())
    }

    /// The target as it stands now: the latest monitor's classification, else the alleged one.
    #[must_use]
    pub fn target(&self) -> &TargetCategory {
        self.classified_target().unwrap_or(&self.allegation.target)
    }

    /// The latest monitor's classification of the target, if any monitor classified it.
    fn classified_target(&self) -> Option<&TargetCategory> {
        self.findings.iter().rev().find_map(|f| f.target.as_ref())
    }

    /// The place as it stands now: the latest monitor's, else the alleged one.
    #[must_use]
    pub fn place(&self) -> &Place {
        self.findings
            .iter()
            .rev()
            .find_map(|f| f.place.as_ref())
            .unwrap_or(&self.allegation.place)
    }

    /// The target the allegation counts by, if it is settled: a monitor's latest
    /// classification; else, while no monitor has classified it, the alleged target unless it
    /// is [`TargetCategory::Unknown`] or the accused disputes it and no monitor's latest
    /// finding confirms the allegation (a confirmation without a classification upholds the
    /// alleged target). `None` while unknown or disputed: the allegation is shown but never
    /// counted.
    #[must_use]
    pub fn counted_target(&self) -> Option<&TargetCategory> {
        let target = match self.classified_target() {
            Some(classified) => classified,
            None => {
                let disputed = self
                    .disputed_target
                    .as_ref()
                    .is_some_and(|d| *d != self.allegation.target);
                if disputed
                    && !self
                        .latest_findings()
                        .any(|f| f.finding == Finding::Confirmed)
                {
                    return None;
                }
                &self.allegation.target
            }
        };
        (*target != TargetCategory::Unknown).then_some(target)
    }

    /// Whether the target is unknown or disputed, so the allegation does not count yet.
    #[must_use]
    pub fn target_unsettled(&self) -> bool {
        self.counted_target().is_none()
    }

    /// Each monitor's latest finding, in log order.
    pub fn latest_findings(&self) -> impl Iterator<Item = &FindingRecord> {
        let all = &self.findings;
        all.iter()
            .enumerate()
            .filter(move |(i, f)| {
                all.get(i + 1..)
                    .is_none_or(|later| later.iter().all(|g| g.monitor != f.monitor))
            })
            .map(|(_, f)| f)
    }

    /// The status the findings, denial and retraction add up to: retracted, else refuted if
    /// any monitor's latest finding refutes, else confirmed if any confirms, else inconclusive
    /// if any ruled, else disputed if denied, else alleged.
    #[must_use]
    pub fn status(&self) -> VerificationStatus {
        if self.retraction.is_some() {
            return VerificationStatus::Retracted;
        }
        let mut confirmed = false;
        let mut ruled = false;
        for f in self.latest_findings() {
            ruled = true;
            match f.finding {
                Finding::Refuted => return VerificationStatus::Refuted,
                Finding::Confirmed => confirmed = true,
                Finding::Inconclusive => {}
            }
        }
        if confirmed {
            VerificationStatus::Confirmed
        } else if ruled {
            VerificationStatus::Inconclusive
        } else if self.denial.is_some() {
            VerificationStatus::Disputed
        } else {
            VerificationStatus::Alleged
        }
    }

    /// Whether the allegation is out of the count for good: refuted or retracted.
    #[must_use]
    pub fn is_discounted(&self) -> bool {
        matches!(
            self.status(),
            VerificationStatus::Refuted | VerificationStatus::Retracted
        )
    }

    /// How many distinct monitors' latest findings confirm it with at least `min` confidence.
    #[must_use]
    pub fn confirmations(&self, min: Confidence) -> usize {
        self.latest_findings()
            .filter(|f| f.finding == Finding::Confirmed && f.confidence >= min)
            .count()
    }

    /// Whether the allegation meets `standard` (never when refuted or retracted).
    #[must_use]
    pub fn meets(&self, standard: &EvidenceStandard) -> bool {
        if self.is_discounted() {
            return false;
        }
        match standard {
            EvidenceStandard::Alleged => true,
            EvidenceStandard::Corroborated => {
                !self.corroborations.is_empty() || self.status() == VerificationStatus::Confirmed
            }
            EvidenceStandard::Confirmed {
                monitors,
                min_confidence,
            } => self.confirmations(*min_confidence) >= usize::from(*monitors),
        }
    }

    /// The events that make the allegation meet `standard`: corroborations and confirming
    /// findings (empty for the allegation-alone standard).
    #[must_use]
    pub fn evidence_for(&self, standard: &EvidenceStandard) -> Vec<EventId> {
        match standard {
            EvidenceStandard::Alleged => Vec::new(),
            EvidenceStandard::Corroborated => self
                .corroborations
                .iter()
                .map(|(_, e)| *e)
                .chain(
                    self.latest_findings()
                        .filter(|f| f.finding == Finding::Confirmed)
                        .map(|f| f.event),
                )
                .collect(),
            EvidenceStandard::Confirmed { min_confidence, .. } => self
                .latest_findings()
                .filter(|f| f.finding == Finding::Confirmed && f.confidence >= *min_confidence)
                .map(|f| f.event)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::{Severity, TargetCategory};
    use crate::event::Place;
    use crate::id::TermId;

    fn t(h: u32) -> Timestamp {
        format!("2025-03-19T{h:02}:00:00Z").parse().expect("time")
    }

    fn pid(s: &str) -> PartyId {
        PartyId::new(s).expect("id")
    }

    fn record() -> AllegationRecord {
        AllegationRecord::new(
            EventId::from_parts(t(1), 1).expect("a small tail fits"),
            Seq(2),
            pid("UA"),
            Occurred::At(t(1)),
            t(2),
            Allegation {
                accused: pid("RU"),
                term: TermId::new("energy").expect("id"),
                target: TargetCategory::PowerGrid,
                place: Place::named("Sloviansk"),
                severity: Severity::Serious,
                description: String::new(),
                evidence: Vec::new(),
            },
        )
    }

    fn finding(monitor: &str, finding: Finding, confidence: u8, n: u8) -> FindingRecord {
        FindingRecord {
            event: EventId::from_parts(t(3), u128::from(n)).expect("a small tail fits"),
            monitor: pid(monitor),
            finding,
            method: Method::SatelliteImagery,
            confidence: Confidence::percent(confidence).expect("confidence"),
            recorded_at: t(3),
            target: None,
            place: None,
        }
    }

    #[test]
    fn status_follows_latest_findings() {
        let mut r = record();
        assert_eq!(r.status(), VerificationStatus::Alleged);
        r.denial = Some(EventId::from_parts(t(2), 2).expect("a small tail fits"));
        assert_eq!(r.status(), VerificationStatus::Disputed);
        r.findings.push(finding("M1", Finding::Inconclusive, 50, 3));
        assert_eq!(r.status(), VerificationStatus::Inconclusive);
        r.findings.push(finding("M1", Finding::Confirmed, 80, 4));
        assert_eq!(r.status(), VerificationStatus::Confirmed);
        r.findings.push(finding("M2", Finding::Refuted, 60, 5));
        assert_eq!(r.status(), VerificationStatus::Refuted, "a refutation wins");
        r.findings.push(finding("M2", Finding::Confirmed, 90, 6));
        assert_eq!(
            r.status(),
            VerificationStatus::Confirmed,
            "a revised finding"
        );
        assert_eq!(r.confirmations(Confidence::percent(85).expect("c")), 1);
        assert_eq!(r.confirmations(Confidence::ZERO), 2);
        r.retraction = Some(EventId::from_parts(t(4), 7).expect("a small tail fits"));
        assert_eq!(r.status(), VerificationStatus::Retracted);
    }

    #[test]
    fn standards_never_count_a_refuted_allegation() {
        let mut r = record();
        let two = EvidenceStandard::Confirmed {
            monitors: 2,
            min_confidence: Confidence::percent(70).expect("c"),
        };
        assert!(r.meets(&EvidenceStandard::Alleged));
        assert!(!r.meets(&EvidenceStandard::Corroborated));
        r.corroborations.push((
            pid("US"),
            EventId::from_parts(t(2), 9).expect("a small tail fits"),
        ));
        assert!(r.meets(&EvidenceStandard::Corroborated));
        r.findings.push(finding("M1", Finding::Confirmed, 80, 3));
        assert!(!r.meets(&two));
        r.findings.push(finding("M2", Finding::Confirmed, 69, 4));
        assert!(!r.meets(&two), "below the confidence");
        r.findings.push(finding("M2", Finding::Confirmed, 75, 5));
        assert!(r.meets(&two));
        assert_eq!(r.evidence_for(&two).len(), 2);
        r.findings.push(finding("M3", Finding::Refuted, 10, 6));
        for s in [
            EvidenceStandard::Alleged,
            EvidenceStandard::Corroborated,
            two,
        ] {
            assert!(!r.meets(&s));
        }
    }
}
