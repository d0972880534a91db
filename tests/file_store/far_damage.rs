//! Damage far into a long log, where open checks lines on one thread and folds them on
//! another: the error names the damaged line exactly, and the earliest damage wins.

use std::io::Cursor;

use ceasefire::log::ChainHash;
use ceasefire::store::{FileLog, FileLogOptions, OpenError, verify};

use crate::support::{craft, events};

/// Records in the test log: well past the lines open checks on one thread.
const RECORDS: u32 = 6000;

/// The line the damage is on.
const FAR: usize = 5500;

/// The log of `events` (stored bytes), one append each, and where each line starts.
fn log(events: &[String]) -> (Vec<u8>, Vec<u64>) {
    let mut out = Vec::new();
    let mut starts = Vec::new();
    let mut prev = ChainHash::ZERO;
    for (i, event) in events.iter().enumerate() {
        starts.push(out.len() as u64);
        let (line, next) = craft(i as u64 + 1, 0, prev, event);
        out.extend_from_slice(line.as_bytes());
        prev = next;
    }
    (out, starts)
}

fn stored() -> Vec<String> {
    events(RECORDS)
        .iter()
        .map(|e| serde_json::to_string(e).expect("events encode"))
        .collect()
}

fn check(bytes: &[u8]) -> Result<ceasefire::store::Verified, OpenError> {
    verify(Cursor::new(bytes), &FileLogOptions::new())
}

/// `bytes` with the first `from` on line `line` (from 1) replaced by `to`.
fn edit(bytes: &[u8], starts: &[u64], line: usize, from: &str, to: &str) -> Vec<u8> {
    let at = starts[line - 1] as usize;
    let pos = at
        + bytes[at..]
            .windows(from.len())
            .position(|w| w == from.as_bytes())
            .expect("the text is on the line");
    let mut out = bytes[..pos].to_vec();
    out.extend_from_slice(to.as_bytes());
    out.extend_from_slice(&bytes[pos + from.len()..]);
    out
}

#[test]
fn an_intact_long_log_opens_whole() {
    let (bytes, _) = log(&stored());
    let verified = check(&bytes).expect("intact");
    assert_eq!(verified.report.records, u64::from(RECORDS));
    assert!(verified.report.torn.is_none());
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("long.log");
    std::fs::write(&path, &bytes).expect("written");
    let (_, report) = FileLog::open(&path, FileLogOptions::new()).expect("opens");
    assert_eq!(report, verified.report);
}

#[test]
fn a_damaged_crc_far_in_names_its_line() {
    let (bytes, starts) = log(&stored());
    let damaged = edit(&bytes, &starts, FAR, "substation", "Substation");
    let e = check(&damaged).expect_err("refused");
    assert!(
        matches!(e, OpenError::Crc { line, offset, seq, .. }
            if line == FAR as u64 && offset == starts[FAR - 1] && seq.get() == FAR as u64),
        "{e}"
    );
}

#[test]
fn a_broken_chain_far_in_names_its_line() {
    let (bytes, starts) = log(&stored());
    let at = starts[FAR - 1] as usize;
    let hash = at
        + bytes[at..]
            .windows(8)
            .position(|w| w == b"\"hash\":\"")
            .expect("a hash")
        + 8;
    let mut damaged = bytes.clone();
    damaged[hash] = if damaged[hash] == b'0' { b'1' } else { b'0' };
    let e = check(&damaged).expect_err("refused");
    assert!(
        matches!(e, OpenError::Chain { line, offset, seq, .. }
            if line == FAR as u64 && offset == starts[FAR - 1] && seq.get() == FAR as u64),
        "{e}"
    );
}

#[test]
fn an_event_that_does_not_decode_far_in_names_its_line() {
    let mut events = stored();
    events[FAR - 1] = r#"{"id":"not an event"}"#.to_owned();
    let (bytes, starts) = log(&events);
    let e = check(&bytes).expect_err("refused");
    assert!(
        matches!(&e, OpenError::InvalidEvent { line, offset, seq, .. }
            if *line == FAR as u64 && *offset == starts[FAR - 1] && seq.get() == FAR as u64),
        "{e}"
    );
}

#[test]
fn a_refused_event_far_in_names_its_line() {
    let mut events = stored();
    events[FAR - 1] = events[FAR - 2].clone();
    let (bytes, starts) = log(&events);
    let e = check(&bytes).expect_err("refused");
    assert!(
        matches!(&e, OpenError::Refused { line, offset, seq, .. }
            if *line == FAR as u64 && *offset == starts[FAR - 1] && seq.get() == FAR as u64),
        "{e}"
    );
}

#[test]
fn a_refused_event_before_a_damaged_crc_is_the_error() {
    let mut events = stored();
    let refused = 5000;
    events[refused - 1] = events[refused - 2].clone();
    let (bytes, starts) = log(&events);
    // The reader finds the damaged CRC while the folder is still short of the refused event.
    let damaged = edit(&bytes, &starts, FAR, "substation", "Substation");
    let e = check(&damaged).expect_err("refused");
    assert!(
        matches!(&e, OpenError::Refused { line, offset, .. }
            if *line == refused as u64 && *offset == starts[refused - 1]),
        "{e}"
    );
    // And the other way round: the damaged CRC comes first.
    let damaged = edit(&bytes, &starts, 4500, "substation", "Substation");
    let e = check(&damaged).expect_err("refused");
    assert!(
        matches!(&e, OpenError::Crc { line, offset, .. }
            if *line == 4500 && *offset == starts[4499]),
        "{e}"
    );
}
