//! How events read to people: `Display` for payloads, events and records, and a
//! [`Timeline`] of a log.

use std::fmt;

use crate::event::{Allegation, Amendment, Event, Payload, PayloadKind, Record, Verification};
use crate::time::Timestamp;

impl PayloadKind {
    /// The kind's name as written in the log (`violation_alleged`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            PayloadKind::AgreementConcluded => "agreement_concluded",
            PayloadKind::TermAccepted => "term_accepted",
            PayloadKind::ConditionMet => "condition_met",
            PayloadKind::TermAmended => "term_amended",
            PayloadKind::TermProposed => "term_proposed",
            PayloadKind::TermRefused => "term_refused",
            PayloadKind::TermSuspended => "term_suspended",
            PayloadKind::TermResumed => "term_resumed",
            PayloadKind::TermTerminated => "term_terminated",
            PayloadKind::PartyWithdrew => "party_withdrew",
            PayloadKind::ViolationAlleged => "violation_alleged",
            PayloadKind::AllegationDenied => "allegation_denied",
            PayloadKind::AllegationCorroborated => "allegation_corroborated",
            PayloadKind::VerificationFinding => "verification_finding",
            PayloadKind::AllegationRetracted => "allegation_retracted",
            PayloadKind::AggregateClaimed => "aggregate_claimed",
            PayloadKind::ComplianceAttested => "compliance_attested",
            PayloadKind::ControlChanged => "control_changed",
            PayloadKind::SanctionImposed => "sanction_imposed",
            PayloadKind::SanctionLifted => "sanction_lifted",
            PayloadKind::ProcedureHalted => "procedure_halted",
            PayloadKind::ReliefApproved => "relief_approved",
            PayloadKind::KeyRotated => "key_rotated",
            PayloadKind::KeyRevoked => "key_revoked",
            PayloadKind::CheckpointAcknowledged => "checkpoint_acknowledged",
        }
    }
}

impl fmt::Display for PayloadKind {
    /// The name with spaces: `violation alleged`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, word) in self.name().split('_').enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(word)?;
        }
        Ok(())
    }
}

impl std::str::FromStr for PayloadKind {
    type Err = crate::name::UnknownName;
    /// A kind's name as written in the log (`violation_alleged`) or displayed
    /// (`violation alleged`).
    fn from_str(text: &str) -> Result<Self, crate::name::UnknownName> {
        const NAMES: [&str; PayloadKind::ALL.len()] = {
            let mut names = [""; PayloadKind::ALL.len()];
            let mut i = 0;
            while i < names.len() {
                names[i] = PayloadKind::ALL[i].name();
                i += 1;
            }
            names
        };
        let wanted = crate::name::normalize(text);
        PayloadKind::ALL
            .into_iter()
            .find(|k| k.name() == wanted)
            .ok_or_else(|| crate::name::UnknownName {
                what: "payload kind",
                text: text.to_owned(),
                expected: &NAMES,
            })
    }
}

/// `18 Mar 2025 16:00`: the form timelines use.
pub(crate) fn short_time(t: Timestamp) -> impl fmt::Display {
    t.format("%d %b %Y %H:%M")
}

impl fmt::Display for Allegation {
    /// `RU violated energy: power grid at Kherson (serious): strike on a substation`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} violated {}: {} at {} ({})",
            self.accused, self.term, self.target, self.place.name, self.severity
        )?;
        if !self.description.is_empty() {
            write!(f, ": {}", self.description)?;
        }
        Ok(())
    }
}

impl fmt::Display for Verification {
    /// `0195b6e1 confirmed (satellite imagery, 85%)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({}, {})",
            self.allegation.short(),
            self.finding,
            self.method,
            self.confidence
        )?;
        if let Some(t) = &self.target {
            write!(f, ", target classified as {t}")?;
        }
        if let Some(p) = &self.place {
            write!(f, ", at {}", p.name)?;
        }
        Ok(())
    }
}

impl fmt::Display for Amendment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Amendment::Extend(span) => write!(f, "extended by {span}"),
            Amendment::SetDuration(Some(span)) => write!(f, "now lasting {span}"),
            Amendment::SetDuration(None) => f.write_str("now open-ended"),
            Amendment::ChangeKind(kind) => write!(f, "now a {}", kind.label()),
        }
    }
}

impl fmt::Display for Payload {
    /// One line saying what the event says, as a verb phrase: `alleges RU violated …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payload::AgreementConcluded(a) => write!(
                f,
                "concludes \"{}\" ({} parties, {} terms, {} rules)",
                a.title,
                a.parties.len(),
                a.terms.len(),
                a.policy.rules.len()
            ),
            Payload::TermAccepted {
                term,
                level,
                effective_from,
            } => {
                write!(f, "accepts {term} {}", level.label())?;
                match effective_from {
                    Some(t) => write!(f, " with effect from {}", short_time(*t)),
                    None => Ok(()),
                }
            }
            Payload::ConditionMet { condition, note } => {
                write!(f, "records condition {condition} met: {note}")
            }
            Payload::TermAmended { term, amendment } => write!(f, "amends {term}: {amendment}"),
            Payload::TermSuspended { term, reason } => write!(f, "suspends {term}: {reason}"),
            Payload::TermResumed { term } => write!(f, "resumes {term}"),
            Payload::TermTerminated { term, reason } => write!(f, "terminates {term}: {reason}"),
            Payload::PartyWithdrew { reason } => write!(f, "withdraws: {reason}"),
            Payload::ViolationAlleged(a) => write!(f, "alleges {a}"),
            Payload::AllegationDenied {
                allegation,
                statement,
                target,
            } => {
                write!(f, "denies {}", allegation.short())?;
                if let Some(t) = target {
                    write!(f, " (says the target was {t})")?;
                }
                write!(f, ": {statement}")
            }
            Payload::TermProposed { term, counters } => {
                write!(
                    f,
                    "proposes {} \"{}\" ({})",
                    term.id,
                    term.title,
                    term.kind.label()
                )?;
                if let Some(fixed) = &term.fixed {
                    write!(f, " from {}", short_time(fixed.from))?;
                    if let Some(until) = fixed.until {
                        write!(f, " until {} UTC", short_time(until))?;
                    }
                }
                match counters {
                    Some(c) => write!(f, " instead of {c}"),
                    None => Ok(()),
                }
            }
            Payload::TermRefused { term, reasons } => {
                write!(f, "refuses {term}")?;
                for (i, r) in reasons.iter().enumerate() {
                    write!(f, "{}{r}", if i == 0 { ": " } else { "; " })?;
                }
                Ok(())
            }
            Payload::AllegationCorroborated {
                allegation,
                evidence,
            } => write!(
                f,
                "corroborates {} ({} pieces of evidence)",
                allegation.short(),
                evidence.len()
            ),
            Payload::VerificationFinding(v) => write!(f, "finds {v}"),
            Payload::AllegationRetracted { allegation, reason } => {
                write!(f, "retracts {}: {reason}", allegation.short())
            }
            Payload::AggregateClaimed {
                accused,
                count,
                period,
                ..
            } => write!(
                f,
                "claims {accused} committed {count} violations from {} to {}",
                short_time(period.from),
                short_time(period.to)
            ),
            Payload::ComplianceAttested {
                party,
                term,
                statement,
                ..
            } => write!(f, "attests {party} complied with {term}: {statement}"),
            Payload::ControlChanged { place, controller } => {
                write!(f, "reports {controller} controls {}", place.name)
            }
            Payload::SanctionImposed {
                against,
                level,
                decision,
                measures,
            } => {
                write!(f, "imposes {level} on {against}")?;
                if let Some(d) = decision {
                    write!(f, " under decision {d}")?;
                }
                write!(f, ": {measures}")
            }
            Payload::SanctionLifted { imposition, reason } => {
                write!(f, "lifts sanction {}: {reason}", imposition.short())
            }
            Payload::ProcedureHalted { decision, reason } => {
                write!(f, "halts the procedure of {decision}: {reason}")
            }
            Payload::ReliefApproved { party } => write!(f, "approves relief for {party}"),
            Payload::KeyRotated { key } => write!(f, "rotates its key to {key}"),
            Payload::KeyRevoked { party, key, .. } => {
                write!(f, "approves revoking key {key} of {party}")
            }
            Payload::CheckpointAcknowledged { size, root } => {
                write!(f, "acknowledges the log at size {size} with root {root}")
            }
        }
    }
}

impl fmt::Display for Event {
    /// `18 Mar 2025 16:00  0195b6e1  RU  accepts energy in principle`, with when it
    /// occurred when that differs from when it was recorded.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}  {}  {:<6} {}",
            short_time(self.recorded_at),
            self.id.short(),
            self.author,
            self.payload
        )?;
        if self.occurred_at.earliest() != self.recorded_at
            || self.occurred_at.latest() != self.recorded_at
        {
            write!(f, " (occurred {})", self.occurred_at)?;
        }
        Ok(())
    }
}

impl fmt::Display for Record {
    /// The event, after its sequence number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>5}  {}", self.seq.to_string(), self.event)
    }
}

/// A log as people read it: one line per record. Made by [`timeline`].
#[derive(Clone, Copy, Debug)]
pub struct Timeline<'a>(&'a [Record]);

/// The records as a timeline: `println!("{}", timeline(&records))`.
#[must_use]
pub fn timeline(records: &[Record]) -> Timeline<'_> {
    Timeline(records)
}

impl fmt::Display for Timeline<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in self.0 {
            writeln!(f, "{r}")?;
        }
        Ok(())
    }
}
