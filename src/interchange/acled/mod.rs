//! Importing ACLED conflict-event exports (CSV) as allegations (feature `acled`).
//!
//! [`import`] reads an export, maps each row through a [`Mapping`] (which actors are which
//! parties, which event types can breach which term kinds, which target the notes name) and
//! appends one allegation per row that can breach a term of the log's agreement. It is
//! idempotent by ACLED's `event_id_cnty`, turns a revised row into a retraction plus a new
//! allegation that names the old one, never attributes a row whose actor is unmapped, and
//! skips a bad row with a reason naming its line. The rules are in `docs/acled.md`.

mod mapping;
mod row;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;

use sha2::{Digest, Sha256};

use crate::event::{Allegation, Event, Payload, Place};
use crate::id::{EventId, PartyId, Seq};
use crate::log::{Store, StoreError};
use crate::time::{Occurred, Timestamp};

pub use mapping::{DEFAULT_MAPPING, KindName, Mapping, MappingError};
pub use row::{Encoding, Row, TimePrecision, parse_date, read_rows};

/// Why an import could not run at all (a bad row never stops it: see [`ImportReport`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AcledError {
    /// The header is unusable.
    #[error("line 1: {reason}")]
    Header {
        /// Why.
        reason: String,
    },
    /// The CSV reader failed outside any row.
    #[error("line {line}: {reason}")]
    Csv {
        /// Where.
        line: u64,
        /// Why.
        reason: String,
    },
    /// The log has no agreement to map rows onto.
    #[error("the log has no agreement yet (append its genesis first)")]
    NoAgreement,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A row skipped, with why.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Skipped {
    /// The line it starts on.
    pub line: u64,
    /// Why.
    pub reason: String,
}

/// What an import did, row by row.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct ImportReport {
    /// New allegations: the line and the event appended.
    pub added: Vec<(u64, EventId)>,
    /// Revised rows: the line, the retraction and the new allegation.
    pub corrected: Vec<(u64, EventId, EventId)>,
    /// Rows already imported at this revision or a newer one.
    pub unchanged: Vec<u64>,
    /// Rows whose acting actor (`actor1`) the mapping does not name: the line and the actor.
    pub unmapped: Vec<(u64, String)>,
    /// Valid rows that breach no term (an event type not mapped, or no term that binds the
    /// actor's party and covers the target).
    pub ignored: Vec<Skipped>,
    /// Bad rows, imprecise rows and rows the log refused.
    pub skipped: Vec<Skipped>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} added, {} corrected, {} unchanged, {} unmapped, {} ignored, {} skipped",
            self.added.len(),
            self.corrected.len(),
            self.unchanged.len(),
            self.unmapped.len(),
            self.ignored.len(),
            self.skipped.len()
        )?;
        for (line, actor) in &self.unmapped {
            writeln!(f, "line {line}: unmapped actor {actor:?}")?;
        }
        for s in &self.skipped {
            writeln!(f, "line {}: skipped: {}", s.line, s.reason)?;
        }
        for s in &self.ignored {
            writeln!(f, "line {}: ignored: {}", s.line, s.reason)?;
        }
        Ok(())
    }
}

/// The evidence reference that marks an allegation as ACLED row `event_id` at revision
/// `timestamp` (Unix seconds): `acled:<event_id_cnty>@<timestamp>`.
#[must_use]
pub fn evidence_ref(event_id: &str, timestamp: Timestamp) -> String {
    format!("acled:{event_id}@{}", timestamp.timestamp())
}

/// A deterministic event id: the millisecond of `at` and 74 bits of SHA-256 of `key`.
fn derived_id(at: Timestamp, key: &str) -> Result<EventId, String> {
    let digest = Sha256::digest(key.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    let tail = u128::from_be_bytes(bytes) >> (128 - EventId::FREE_BITS);
    EventId::from_parts(at, tail).map_err(|e| e.to_string())
}

/// An allegation already in the log for an ACLED row.
struct Imported {
    id: EventId,
    accuser: PartyId,
    timestamp: i64,
}

/// Every ACLED row the log already holds, latest revision first.
fn index<S: Store>(store: &S) -> Result<HashMap<String, Imported>, StoreError> {
    let mut seen: HashMap<String, Imported> = HashMap::new();
    for record in store.read(Seq::FIRST, usize::MAX)? {
        let Payload::ViolationAlleged(a) = &record.event.payload else {
            continue;
        };
        let Some((key, ts)) = a
            .evidence
            .iter()
            .filter_map(|e| e.strip_prefix("acled:")?.rsplit_once('@'))
            .find_map(|(k, t)| Some((k.to_owned(), t.parse::<i64>().ok()?)))
        else {
            continue;
        };
        if seen.get(&key).is_none_or(|i| i.timestamp < ts) {
            let imported = Imported {
                id: record.event.id,
                accuser: record.event.author.clone(),
                timestamp: ts,
            };
            seen.insert(key, imported);
        }
    }
    Ok(seen)
}

/// Imports an export into `store` (see the module documentation).
///
/// # Errors
/// [`AcledError::Header`] or [`AcledError::Csv`] for a file that cannot be read at all,
/// [`AcledError::NoAgreement`] for an empty log, [`AcledError::Store`] if the store fails.
pub fn import<S: Store>(
    store: &S,
    input: &[u8],
    mapping: &Mapping,
    encoding: Encoding,
) -> Result<ImportReport, AcledError> {
    import_with_progress(store, input, mapping, encoding, |_, _| {})
}

/// [`import`], calling `progress(done, total)` after each row.
///
/// # Errors
/// As [`import`].
pub fn import_with_progress<S: Store>(
    store: &S,
    input: &[u8],
    mapping: &Mapping,
    encoding: Encoding,
    mut progress: impl FnMut(usize, usize),
) -> Result<ImportReport, AcledError> {
    let (mut rows, skipped) = read_rows(input, encoding)?;
    let mut report = ImportReport {
        skipped,
        ..ImportReport::default()
    };
    let state = store.state()?;
    let agreement = state.agreement().ok_or(AcledError::NoAgreement)?.clone();
    let mut floor = state.known_as_of();
    let mut seen = index(store)?;
    rows.sort_by_key(|r| (r.timestamp, r.line));
    let total = rows.len();
    for (done, row) in rows.into_iter().enumerate() {
        progress(done, total);
        let line = row.line;
        let skip = |reason: String| Skipped { line, reason };
        if row.time_precision != TimePrecision::Day {
            let reason = format!(
                "time precision {:?} (event_date {} is only the {}); only day precision is \
                 imported until the time model has intervals",
                row.time_precision,
                row.date,
                if row.time_precision == TimePrecision::Week {
                    "week"
                } else {
                    "month"
                }
            );
            report.skipped.push(skip(reason));
            continue;
        }
        let kinds = mapping.kinds_for(&row.event_type, &row.sub_event_type);
        if kinds.is_empty() {
            let reason = format!(
                "event type {} › {} breaches no term kind in the mapping",
                row.event_type, row.sub_event_type
            );
            report.ignored.push(skip(reason));
            continue;
        }
        let Some(accused) = mapping.party_of(&row.actor1) else {
            report.unmapped.push((line, row.actor1.clone()));
            continue;
        };
        let target = mapping.target_for(&row.notes, row.civilian_targeting);
        let term = kinds.iter().find_map(|kind| {
            agreement
                .terms
                .iter()
                .find(|t| kind.matches(&t.kind) && t.binds(accused) && t.kind.covers(&target))
        });
        let Some(term) = term else {
            let reason = format!("no term of the mapped kinds binds {accused} and covers {target}");
            report.ignored.push(skip(reason));
            continue;
        };
        let previous = seen.get(&row.event_id);
        if previous.is_some_and(|p| p.timestamp >= row.timestamp.timestamp()) {
            report.unchanged.push(line);
            continue;
        }
        let occurred = Occurred::OnDay(row.date);
        let recorded = [Some(row.timestamp), Some(occurred.latest()), floor]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(row.timestamp);
        let reporter = mapping.reporter_for(&row.source).clone();
        let mut place = Place::named(if row.location.is_empty() {
            &row.admin1
        } else {
            &row.location
        });
        if !row.admin1.is_empty() {
            place = place.in_region(&row.admin1);
        }
        if mapping.keeps_coordinates(row.geo_precision) {
            place = place.at(row.coordinates);
        }
        let mut evidence = vec![evidence_ref(&row.event_id, row.timestamp)];
        if !row.source.is_empty() {
            evidence.push(format!("source:{}", row.source));
        }
        if let Some(p) = previous {
            evidence.push(format!("revises:{}", p.id));
        }
        let allegation = Allegation::new(
            accused,
            &term.id,
            target,
            place,
            mapping.severity_for(row.fatalities),
        )
        .described(format!(
            "{} › {}: {} ({}) against {}. {}",
            row.event_type, row.sub_event_type, row.actor1, row.inter1, row.actor2, row.notes
        ))
        .evidence(evidence);
        let key = format!("{}@{}", row.event_id, row.timestamp.timestamp());
        let built = derived_id(row.timestamp, &row.event_id).and_then(|id| {
            Event::by(&reporter)
                .id(id)
                .occurred(occurred)
                .recorded(recorded)
                .alleges(allegation)
                .map_err(|e| e.to_string())
        });
        let event = match built {
            Ok(event) => event,
            Err(reason) => {
                report.skipped.push(skip(reason));
                continue;
            }
        };
        let mut retraction = None;
        if let Some(p) = previous {
            let built = derived_id(row.timestamp, &format!("retract:{key}")).and_then(|id| {
                Event::by(&p.accuser)
                    .id(id)
                    .at(recorded)
                    .retracts(
                        p.id,
                        format!("ACLED revised row {} at {}", row.event_id, row.timestamp),
                    )
                    .map_err(|e| e.to_string())
            });
            match built.map(|e| (e.id, store.append_next(e))) {
                Ok((id, Ok(_))) => retraction = Some(id),
                Ok((_, Err(e))) => {
                    report
                        .skipped
                        .push(skip(format!("the log refused the retraction: {e}")));
                    continue;
                }
                Err(reason) => {
                    report.skipped.push(skip(reason));
                    continue;
                }
            }
        }
        let id = event.id;
        match store.append_next(event) {
            Ok(_) => {
                floor = Some(recorded);
                match retraction {
                    Some(r) => report.corrected.push((line, r, id)),
                    None => report.added.push((line, id)),
                }
                let imported = Imported {
                    id,
                    accuser: reporter,
                    timestamp: row.timestamp.timestamp(),
                };
                seen.insert(row.event_id.clone(), imported);
            }
            Err(e) => report
                .skipped
                .push(skip(format!("the log refused the allegation: {e}"))),
        }
    }
    progress(total, total);
    Ok(report)
}
