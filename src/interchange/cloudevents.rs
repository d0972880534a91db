//! Events as CloudEvents 1.0 in JSON, one per line (feature `cloudevents`), so event buses
//! and other event-driven systems can consume a log. The mapping is in `docs/cloudevents.md`.
//!
//! Export writes, for each record, `id` (the event id), `source` (the log, by its genesis
//! event), `type` (`org.ceasefire.<payload kind>`), `time` (`recorded_at`), `specversion`
//! `1.0`, `datacontenttype` `application/json`, `subject` (the author), `sequence` (the
//! record's sequence number, as a decimal string) and `data` (the event as the log stores it).
//! Import reads them back, checks that the attributes agree with `data`, and appends the
//! events in order: the same events and the same head.

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::event::{Event, Record};
use crate::id::{EventId, Seq};
use crate::log::{Store, StoreError};

/// The `type` prefix: `org.ceasefire.violation_alleged`.
pub const TYPE_PREFIX: &str = "org.ceasefire.";

/// Why a CloudEvents line was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CloudEventError {
    /// The line is not a CloudEvent this crate wrote.
    #[error("line {line}: {reason}")]
    Line {
        /// The line (from 1).
        line: u64,
        /// Why.
        reason: String,
    },
    /// The store refused an event.
    #[error("line {line}: the log refused event {id}: {source}")]
    Refused {
        /// The line (from 1).
        line: u64,
        /// The event.
        id: EventId,
        /// Why.
        source: StoreError,
    },
    /// Writing failed.
    #[error("writing CloudEvents: {0}")]
    Io(#[from] std::io::Error),
}

/// One CloudEvent, as written and read.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudEvent {
    /// The event id.
    pub id: String,
    /// The log: `urn:ceasefire:log:<genesis event id>`.
    pub source: String,
    /// `org.ceasefire.<payload kind>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `recorded_at`, RFC 3339.
    pub time: String,
    /// Always `1.0`.
    pub specversion: String,
    /// Always `application/json`.
    pub datacontenttype: String,
    /// The author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The sequence number in the exporting log, as a decimal string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<String>,
    /// The event, as the log stores it.
    pub data: Event,
}

/// The `source` of a log whose genesis event is `genesis`.
#[must_use]
pub fn source_of(genesis: Option<EventId>) -> String {
    genesis.map_or_else(
        || "urn:ceasefire:log".to_owned(),
        |g| format!("urn:ceasefire:log:{g}"),
    )
}

/// The CloudEvent for a record.
#[must_use]
pub fn to_cloudevent(record: &Record, source: &str) -> CloudEvent {
    let kind = serde_json::to_value(record.event.payload.kind())
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    CloudEvent {
        id: record.event.id.to_string(),
        source: source.to_owned(),
        kind: format!("{TYPE_PREFIX}{kind}"),
        time: record
            .event
            .recorded_at
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        specversion: "1.0".into(),
        datacontenttype: "application/json".into(),
        subject: Some(record.event.author.to_string()),
        sequence: Some(record.seq.get().to_string()),
        data: record.event.clone(),
    }
}

/// Writes `records` as CloudEvents JSON lines.
///
/// # Errors
/// [`CloudEventError::Io`] if writing fails.
pub fn export<'a, W: Write>(
    records: impl IntoIterator<Item = &'a Record>,
    source: &str,
    mut out: W,
) -> Result<(), CloudEventError> {
    for record in records {
        let json =
            serde_json::to_string(&to_cloudevent(record, source)).map_err(std::io::Error::other)?;
        writeln!(out, "{json}")?;
    }
    out.flush()?;
    Ok(())
}

/// Reads one CloudEvent line written by [`export`] and checks its attributes against its data.
///
/// # Errors
/// [`CloudEventError::Line`] naming the line and what is wrong.
pub fn from_line(text: &str, line: u64) -> Result<Event, CloudEventError> {
    let bad = |reason: String| CloudEventError::Line { line, reason };
    let ce: CloudEvent = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    if ce.specversion != "1.0" {
        return Err(bad(format!("specversion {:?} is not 1.0", ce.specversion)));
    }
    if ce.datacontenttype != "application/json" {
        return Err(bad(format!(
            "datacontenttype {:?} is not application/json",
            ce.datacontenttype
        )));
    }
    let expected = to_cloudevent(&Record::new(Seq::FIRST, ce.data.clone()), &ce.source);
    for (name, given, wanted) in [
        ("id", &ce.id, &expected.id),
        ("type", &ce.kind, &expected.kind),
    ] {
        if given != wanted {
            return Err(bad(format!(
                "{name} {given:?} does not match data ({wanted:?})"
            )));
        }
    }
    let time = crate::time::parse_instant(&ce.time).map_err(|e| bad(format!("time: {e}")))?;
    if time != ce.data.recorded_at {
        return Err(bad(format!(
            "time {} does not match data.recorded_at",
            ce.time
        )));
    }
    Ok(ce.data)
}

/// Reads CloudEvents JSON lines (blank lines are ignored).
///
/// # Errors
/// The first bad line, as [`from_line`].
pub fn read_events(input: &str) -> Result<Vec<(u64, Event)>, CloudEventError> {
    input
        .lines()
        .zip(1u64..)
        .filter(|(text, _)| !text.trim().is_empty())
        .map(|(text, line)| from_line(text, line).map(|e| (line, e)))
        .collect()
}

/// Reads CloudEvents JSON lines and appends their events to `store` in order. An event the
/// log already holds unchanged is not appended again. Returns how many lines were read.
///
/// # Errors
/// The first bad line ([`CloudEventError::Line`]), or the first event the log refuses
/// ([`CloudEventError::Refused`]); events before it stay appended.
pub fn import<S: Store>(store: &S, input: &str) -> Result<usize, CloudEventError> {
    let events = read_events(input)?;
    let count = events.len();
    for (line, event) in events {
        let id = event.id;
        store
            .append_next(event)
            .map_err(|source| CloudEventError::Refused { line, id, source })?;
    }
    Ok(count)
}
