//! [`Log`]: a generated or hand-written sequence of records, printed as a readable timeline.

use std::fmt;
use std::ops::Deref;

use crate::agreement::Agreement;
use crate::event::{Amendment, Event, Payload, Record};
use crate::id::{EventId, Seq};

/// A sequence of records, as the strategies generate them and the laws read them.
///
/// It dereferences to `[Record]`, so `&log` goes wherever records do: `ceasefire::replay(&log)`,
/// a law's `&[Record]` argument, `log.iter()`. Its `Debug` is a timeline with one line per
/// event (see [`describe`]), which is what proptest prints as the minimal failing input.
#[derive(Clone, PartialEq, Default)]
pub struct Log {
    records: Vec<Record>,
}

impl Log {
    /// A log of these records, as they are (not renumbered, not checked).
    #[must_use]
    pub fn from_records(records: Vec<Record>) -> Log {
        Log { records }
    }

    /// A log of these events numbered from 1.
    pub fn from_events<I: IntoIterator<Item = Event>>(events: I) -> Log {
        Log {
            records: events
                .into_iter()
                .zip(1u64..)
                .map(|(e, n)| Record::new(Seq(n), e))
                .collect(),
        }
    }

    /// The records.
    #[must_use]
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The records, by value.
    #[must_use]
    pub fn into_records(self) -> Vec<Record> {
        self.records
    }

    /// The events, in order.
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.records.iter().map(|r| &r.event)
    }

    /// The agreement the first record concludes, if it is a genesis.
    #[must_use]
    pub fn agreement(&self) -> Option<&Agreement> {
        match self.records.first().map(|r| &r.event.payload) {
            Some(Payload::AgreementConcluded(a)) => Some(a),
            _ => None,
        }
    }

    /// The timeline: one line per record, as [`describe`] writes it.
    #[must_use]
    pub fn timeline(&self) -> String {
        timeline(&self.records)
    }
}

impl Deref for Log {
    type Target = [Record];
    fn deref(&self) -> &[Record] {
        &self.records
    }
}

impl AsRef<[Record]> for Log {
    fn as_ref(&self) -> &[Record] {
        &self.records
    }
}

impl From<Vec<Record>> for Log {
    fn from(records: Vec<Record>) -> Log {
        Log { records }
    }
}

impl<'a> IntoIterator for &'a Log {
    type Item = &'a Record;
    type IntoIter = std::slice::Iter<'a, Record>;
    fn into_iter(self) -> Self::IntoIter {
        self.records.iter()
    }
}

impl IntoIterator for Log {
    type Item = Record;
    type IntoIter = std::vec::IntoIter<Record>;
    fn into_iter(self) -> Self::IntoIter {
        self.records.into_iter()
    }
}

impl fmt::Debug for Log {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.records.len();
        writeln!(
            f,
            "Log of {n} record{} ({} besides the genesis):",
            if n == 1 { "" } else { "s" },
            n.saturating_sub(1)
        )?;
        f.write_str(&timeline(&self.records))
    }
}

impl fmt::Display for Log {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&timeline(&self.records))
    }
}

/// A short tag for an event id that tells apart the events of one log: the first eight
/// hexadecimal digits (the time, to about a minute) and the last four (the random or
/// counter bits), as in `0195dfd9-000b`.
#[must_use]
pub fn tag(id: &EventId) -> String {
    let hex = id.as_uuid().simple().to_string();
    format!("{}-{}", &hex[..8], &hex[hex.len() - 4..])
}

/// One line per record, each as [`describe`] writes it, indented by two spaces.
#[must_use]
pub fn timeline(records: &[Record]) -> String {
    let mut out = String::new();
    for r in records {
        out.push_str("  ");
        out.push_str(&describe(r));
        out.push('\n');
    }
    out
}

/// One line about a record, for people: sequence number, when it was recorded, the author,
/// what it says, and the short event id (with when it occurred, if that differs).
///
/// ```
/// use ceasefire::agreement::TargetCategory;
/// use ceasefire::testing::{Events, Log, describe, fixtures};
///
/// let mut e = Events::new();
/// let log = Log::from_events([
///     e.genesis(fixtures::energy_truce()),
///     e.at("2025-03-19T02:00:00Z").by("UA").alleges("RU", "energy", TargetCategory::PowerGrid),
/// ]);
/// let line = describe(&log[1]);
/// assert!(line.starts_with("#2 2025-03-19 02:00 UA alleges RU violated energy"), "{line}");
/// ```
#[must_use]
pub fn describe(record: &Record) -> String {
    let e = &record.event;
    let mut line = format!(
        "{} {} {} {}",
        record.seq,
        e.recorded_at.format("%Y-%m-%d %H:%M"),
        e.author,
        says(&e.payload)
    );
    if crate::time::Occurred::At(e.recorded_at) != e.occurred_at {
        line.push_str(&format!(" (occurred {})", e.occurred_at));
    }
    if e.schema != crate::event::SchemaVersion::CURRENT {
        line.push_str(&format!(" (schema {})", e.schema.0));
    }
    line.push_str(&format!(" [{}]", tag(&e.id)));
    line
}

fn says(payload: &Payload) -> String {
    match payload {
        Payload::TermProposed { .. } | Payload::TermRefused { .. } => payload.to_string(),
        Payload::AgreementConcluded(a) => format!(
            "concludes {:?} ({} parties, {} terms, {} rules)",
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
            let mut s = format!("accepts {term} {}", level.label());
            if let Some(from) = effective_from {
                s.push_str(&format!(" from {}", from.format("%Y-%m-%d %H:%M")));
            }
            s
        }
        Payload::ConditionMet { condition, .. } => format!("records condition {condition} met"),
        Payload::TermAmended { term, amendment } => match amendment {
            Amendment::Extend(by) => format!("extends {term} by {by}"),
            Amendment::SetDuration(Some(d)) => format!("sets {term} to last {d}"),
            Amendment::SetDuration(None) => format!("makes {term} open-ended"),
            Amendment::ChangeKind(k) => format!("changes {term} into a {}", k.label()),
        },
        Payload::TermSuspended { term, .. } => format!("suspends {term}"),
        Payload::TermResumed { term } => format!("resumes {term}"),
        Payload::TermTerminated { term, .. } => format!("terminates {term}"),
        Payload::PartyWithdrew { .. } => "withdraws from the agreement".into(),
        Payload::ViolationAlleged(a) => format!(
            "alleges {} violated {} ({} {}, {})",
            a.accused, a.term, a.severity, a.target, a.place.name
        ),
        Payload::AllegationDenied { allegation, .. } => {
            format!("denies allegation {}", tag(allegation))
        }
        Payload::AllegationCorroborated { allegation, .. } => {
            format!("corroborates allegation {}", tag(allegation))
        }
        Payload::VerificationFinding(v) => {
            let verb = match v.finding {
                crate::event::Finding::Confirmed => "confirms",
                crate::event::Finding::Refuted => "refutes",
                crate::event::Finding::Inconclusive => "finds inconclusive",
            };
            format!(
                "{verb} allegation {} ({})",
                tag(&v.allegation),
                v.confidence
            )
        }
        Payload::AllegationRetracted { allegation, .. } => {
            format!("retracts allegation {}", tag(allegation))
        }
        Payload::AggregateClaimed {
            accused,
            term,
            count,
            ..
        } => match term {
            Some(t) => format!("claims {count} violations of {t} by {accused}"),
            None => format!("claims {count} violations by {accused}"),
        },
        Payload::ComplianceAttested { party, term, .. } => {
            format!("attests that {party} complied with {term}")
        }
        Payload::ControlChanged { place, controller } => {
            format!("reports {} now held by {controller}", place.name)
        }
        Payload::SanctionImposed {
            against,
            level,
            decision,
            ..
        } => match decision {
            Some(d) => format!("imposes {level} on {against} under {d}"),
            None => format!("imposes {level} on {against}"),
        },
        Payload::SanctionLifted { imposition, .. } => {
            format!("lifts sanction {}", tag(imposition))
        }
        Payload::ProcedureHalted { decision, .. } => format!("halts the procedure of {decision}"),
        Payload::ReliefApproved { party } => format!("approves relief for {party}"),
        Payload::KeyRotated { .. } => "rotates its key".to_string(),
        Payload::KeyRevoked { party, .. } => format!("approves revoking the key of {party}"),
        Payload::CheckpointAcknowledged { size, .. } => format!("acknowledges size {size}"),
    }
}
