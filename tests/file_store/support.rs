//! Shared helpers of the file store's integration tests: deterministic events, logs written
//! to temporary files, and hand-made lines. Public API only, as a downstream crate would.
#![allow(dead_code)]

use std::path::Path;

use ceasefire::agreement::{Agreement, Party, Role, Severity, TargetCategory, Term, TermKind};
use ceasefire::event::{Allegation, Place};
use ceasefire::log::ChainHash;
use ceasefire::store::{FileLog, FileLogOptions};
use ceasefire::time::Span;
use ceasefire::{Event, EventId, ExpectedVersion, PartyId, Payload, Seq, Store, TermId};
use chrono::{DateTime, TimeDelta, Utc};

fn at(n: u32) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + TimeDelta::days(20_165) + TimeDelta::minutes(i64::from(n))
}

fn party(id: &str) -> PartyId {
    PartyId::new(id).expect("fixture party ids are valid")
}

fn term() -> TermId {
    TermId::new("energy").expect("fixture term id is valid")
}

fn id(n: u32) -> EventId {
    EventId::from_parts(at(n), u128::from(n) << 8 | 2).expect("fixture ids fit")
}

/// The genesis, as event number `n` (its time and id).
pub fn genesis(n: u32) -> Event {
    let agreement = Agreement::new("energy moratorium")
        .party(Party::new(party("UA"), Role::Belligerent, "Ukraine"))
        .party(Party::new(party("RU"), Role::Belligerent, "Russia"))
        .party(Party::new(party("US"), Role::Mediator, "United States"))
        .term(
            Term::new(term(), "Energy", TermKind::energy_moratorium())
                .binding([party("UA"), party("RU")])
                .lasting(Span::days(30)),
        );
    Event::new(
        id(n),
        party("US"),
        at(n),
        at(n),
        Payload::AgreementConcluded(Box::new(agreement)),
    )
}

/// An allegation, as event number `n`.
pub fn allegation(n: u32) -> Event {
    Event::new(
        id(n),
        party("UA"),
        at(n),
        at(n),
        Payload::from(Allegation {
            accused: party("RU"),
            term: term(),
            target: TargetCategory::PowerGrid,
            place: Place::named("Kherson"),
            severity: Severity::Serious,
            description: format!("strike on a substation, report {n}"),
            evidence: Vec::new(),
        }),
    )
}

/// Event number `n` of a log that holds `len` records: the genesis if it is empty.
pub fn next(n: u32, len: usize) -> Event {
    if len == 0 { genesis(n) } else { allegation(n) }
}

/// A genesis and `count - 1` allegations.
pub fn events(count: u32) -> Vec<Event> {
    (0..count).map(|n| next(n, n as usize)).collect()
}

/// Writes `events` to a new log at `path`, in appends of the given sizes (the rest one by one).
pub fn write_log(path: &Path, events: &[Event], batches: &[usize]) {
    let log = FileLog::create(path, FileLogOptions::new()).expect("created");
    let mut rest = events;
    let mut sizes = batches.iter().copied();
    while !rest.is_empty() {
        let n = sizes.next().unwrap_or(1).clamp(1, rest.len());
        let (now, later) = rest.split_at(n);
        log.append_batch(ExpectedVersion::Any, now.to_vec())
            .expect("a valid append");
        rest = later;
    }
}

/// Every event of a log, read back.
pub fn events_of(log: &FileLog) -> Vec<Event> {
    log.read(Seq::FIRST, usize::MAX)
        .expect("reads")
        .into_iter()
        .map(|r| r.event)
        .collect()
}

/// Where each line starts, and the file's length at the end.
pub fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1),
    );
    starts
}

/// The line (from 1) holding byte `pos`.
pub fn line_of(bytes: &[u8], pos: usize) -> u64 {
    bytes.iter().take(pos).filter(|&&b| b == b'\n').count() as u64 + 1
}

/// The CRC a line states: CRC32C of the sequence number and batch marker (8 bytes big-endian
/// each) and the event's bytes, as `docs/format.md` defines it.
pub fn crc(seq: u64, more: u64, event: &[u8]) -> u32 {
    let c = crc32c::crc32c(&seq.to_be_bytes());
    let c = crc32c::crc32c_append(c, &more.to_be_bytes());
    crc32c::crc32c_append(c, event)
}

/// A hand-made line (with its newline) whose CRC and chain hash are right for `event`, and
/// the chain hash after it.
pub fn craft(seq: u64, more: u64, prev: ChainHash, event: &str) -> (String, ChainHash) {
    let hash = prev.link(Seq(seq), event.as_bytes());
    let format = if seq == 1 {
        "\"format\":\"ceasefire-log-v1\","
    } else {
        ""
    };
    let marker = if more > 0 {
        format!(",\"more\":{more}")
    } else {
        String::new()
    };
    let crc = crc(seq, more, event.as_bytes());
    let line = format!(
        "{{{format}\"seq\":{seq}{marker},\"crc32c\":\"{crc:08x}\",\"hash\":\"{hash}\",\"event\":{event}}}\n"
    );
    (line, hash)
}

/// The chain hash after the first `n` lines of a log file (read from the lines themselves).
pub fn hash_after(bytes: &[u8], n: usize) -> ChainHash {
    if n == 0 {
        return ChainHash::ZERO;
    }
    let text = std::str::from_utf8(bytes).expect("utf-8");
    let line = text.lines().nth(n - 1).expect("line exists");
    let decoded = ceasefire::store::decode_line(line.as_bytes()).expect("an intact line");
    decoded.hash
}
