//! Hostile lines: invalid UTF-8, deep nesting, duplicate keys, unknown fields, enormous
//! numbers, over-long lines, other formats, random garbage. Each is a typed error naming the
//! line; nothing panics. Lines whose CRC and chain hash are right (made by hand) get past the
//! integrity checks and are refused by the event decoder or the rules.

use std::io::Cursor;

use crate::support::{craft, events, write_log};
use ceasefire::log::ChainHash;
use ceasefire::store::{FileLogOptions, LineError, OpenError, verify};

/// A valid two-record log (genesis and one allegation) and the chain hash after it.
fn base() -> (Vec<u8>, ChainHash) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    write_log(&path, &events(2), &[]);
    let bytes = std::fs::read(&path).expect("file");
    let hash = crate::support::hash_after(&bytes, 2);
    (bytes, hash)
}

fn open_with(line: &[u8]) -> Result<ceasefire::store::Verified, OpenError> {
    let (mut bytes, _) = base();
    bytes.extend_from_slice(line);
    bytes.push(b'\n');
    verify(Cursor::new(bytes), &FileLogOptions::new())
}

fn malformed(line: &[u8]) -> LineError {
    match open_with(line) {
        Err(OpenError::Malformed {
            line: 3, source, ..
        }) => source,
        other => panic!("{:?} gave {other:?}", String::from_utf8_lossy(line)),
    }
}

/// An event whose CRC and chain hash are right, as record 3.
fn crafted(event: &str) -> Result<ceasefire::store::Verified, OpenError> {
    let (_, prev) = base();
    let (line, _) = craft(3, 0, prev, event);
    open_with(line.trim_end().as_bytes())
}

fn invalid_event(event: &str) -> String {
    match crafted(event) {
        Err(OpenError::InvalidEvent {
            line: 3,
            seq,
            message,
            ..
        }) => {
            assert_eq!(seq.get(), 3);
            message
        }
        other => panic!("{event:.80} gave {other:?}"),
    }
}

#[test]
fn invalid_utf8_is_named() {
    assert!(matches!(
        malformed(b"{\"seq\":3,\"crc32c\":\"\xff\xfe\"}"),
        LineError::NotUtf8 { valid_up_to: 19 }
    ));
    let mut nul = b"{\"seq\":3}".to_vec();
    nul.insert(3, 0);
    assert!(matches!(malformed(&nul), LineError::Syntax { .. }));
    assert!(matches!(malformed(b""), LineError::Syntax { .. }));
    assert!(matches!(malformed(b"[]"), LineError::Syntax { .. }));
    assert!(matches!(malformed(b"null"), LineError::Syntax { .. }));
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(matches!(
        malformed(deep(200_000).as_bytes()),
        LineError::Syntax { .. }
    ));
    let in_field = format!("{{\"seq\":{}}}", deep(200_000));
    assert!(matches!(
        malformed(in_field.as_bytes()),
        LineError::Syntax { .. }
    ));
    // Inside the event, with the CRC and hash right: the event decoder refuses it.
    let message = invalid_event(&deep(100_000));
    assert!(!message.is_empty());
    let nested_object = format!("{{\"id\":{}}}", deep(100_000));
    invalid_event(&nested_object);
}

#[test]
fn duplicate_keys_are_refused() {
    let (_, prev) = base();
    let (line, _) = craft(3, 0, prev, "{}");
    let dup = line
        .trim_end()
        .replacen("{\"seq\":3,", "{\"seq\":3,\"seq\":3,", 1);
    assert!(matches!(
        malformed(dup.as_bytes()),
        LineError::Syntax { .. }
    ));
    let event = serde_json::to_string(&crate::support::allegation(5)).expect("encodes");
    let id = event.split(',').next().expect("id first").to_owned();
    let twice = event.replacen(&format!("{id},"), &format!("{id},{},", &id[1..]), 1);
    assert_ne!(twice, event);
    let message = invalid_event(&twice);
    assert!(message.contains("duplicate"), "{message}");
}

#[test]
fn unknown_fields_are_refused() {
    let (_, prev) = base();
    let (line, _) = craft(3, 0, prev, "{}");
    let extra = line
        .trim_end()
        .replacen("{\"seq\":3,", "{\"seq\":3,\"note\":\"x\",", 1);
    assert!(matches!(
        malformed(extra.as_bytes()),
        LineError::Syntax { .. }
    ));
    let event = serde_json::to_string(&crate::support::allegation(5)).expect("encodes");
    let more = event.replacen('{', "{\"signed_by\":\"nobody\",", 1);
    let message = invalid_event(&more);
    assert!(message.contains("unknown field"), "{message}");
}

#[test]
fn enormous_numbers_are_refused() {
    for seq in [
        "99999999999999999999999",
        "1e999999",
        "-1",
        "3.0",
        "18446744073709551616",
    ] {
        let line = format!(
            "{{\"seq\":{seq},\"crc32c\":\"00000000\",\"hash\":\"{}\",\"event\":{{}}}}",
            ChainHash::ZERO
        );
        assert!(
            matches!(malformed(line.as_bytes()), LineError::Syntax { .. }),
            "{seq}"
        );
    }
    let (_, prev) = base();
    let (line, _) = craft(u64::MAX, 0, prev, "{}");
    assert!(matches!(
        open_with(line.trim_end().as_bytes()),
        Err(OpenError::Sequence { line: 3, .. })
    ));
    let event = serde_json::to_string(&crate::support::allegation(5)).expect("encodes");
    let huge = event.replacen(
        "\"schema\":2",
        &format!("\"schema\":2{}", "0".repeat(400)),
        1,
    );
    assert_ne!(huge, event);
    invalid_event(&huge);
    let float = event.replacen("\"schema\":2", "\"schema\":2e400", 1);
    invalid_event(&float);
}

#[test]
fn valid_json_that_is_not_a_valid_event_is_refused_by_the_rules_or_the_decoder() {
    invalid_event("{}");
    invalid_event("\"text\"");
    // A well-formed event the rules refuse: a second genesis.
    let genesis = serde_json::to_string(&crate::support::genesis(7)).expect("encodes");
    match crafted(&genesis) {
        Err(e @ OpenError::Refused { line: 3, .. }) => {
            assert_eq!(e.seq().map(|s| s.get()), Some(3))
        }
        other => panic!("a second genesis gave {other:?}"),
    }
}

#[test]
fn lines_over_the_maximum_are_refused_whoever_made_them() {
    let (bytes, _) = base();
    let options = FileLogOptions::new().with_max_record_size(2_000);
    let mut long = bytes.clone();
    long.extend(std::iter::repeat_n(b'x', 2_001));
    long.push(b'\n');
    let offset = bytes.len() as u64;
    assert!(matches!(
        verify(Cursor::new(&long), &options),
        Err(OpenError::RecordTooLarge { line: 3, offset: o, max: 2_000 }) if o == offset
    ));
    // Without a newline too: a writer never leaves a line longer than the maximum.
    long.pop();
    assert!(matches!(
        verify(Cursor::new(&long), &options),
        Err(OpenError::RecordTooLarge { line: 3, .. })
    ));
    // Exactly the maximum is fine as far as length goes.
    let mut exact = bytes;
    exact.extend(std::iter::repeat_n(b'x', 2_000));
    exact.push(b'\n');
    assert!(matches!(
        verify(Cursor::new(&exact), &options),
        Err(OpenError::Malformed { line: 3, .. })
    ));
}

#[test]
fn other_formats_are_named() {
    let (bytes, _) = base();
    let text = String::from_utf8(bytes).expect("utf-8");
    let v2 = text.replacen("ceasefire-log-v1", "ceasefire-log-v2", 1);
    assert!(matches!(
        verify(Cursor::new(v2), &FileLogOptions::new()),
        Err(OpenError::UnsupportedFormat { found }) if found == "ceasefire-log-v2"
    ));
    let future = text.replacen(
        "{\"format\":\"ceasefire-log-v1\",",
        "{\"format\":\"ceasefire-log-v9\",\"signature\":\"…\",",
        1,
    );
    assert!(matches!(
        verify(Cursor::new(future), &FileLogOptions::new()),
        Err(OpenError::UnsupportedFormat { .. })
    ));
    let (_, prev) = base();
    let (line, _) = craft(3, 0, prev, "{}");
    let late = line
        .trim_end()
        .replacen("{", "{\"format\":\"ceasefire-log-v1\",", 1);
    assert!(matches!(
        malformed(late.as_bytes()),
        LineError::NotCanonical { .. }
    ));
}

/// A tiny deterministic generator (splitmix64).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[test]
fn random_garbage_never_panics_and_never_passes() {
    let (bytes, _) = base();
    let alphabet = b"{}[]\":,0123456789.eE-+ \\/abcdefnrstuxzy\xff\x00";
    let mut mix = Mix(0x5eed);
    for _ in 0..3_000 {
        let len = (mix.next() % 200) as usize;
        let mut line: Vec<u8> = (0..len)
            .map(|_| alphabet[(mix.next() % alphabet.len() as u64) as usize])
            .filter(|&b| b != b'\n')
            .collect();
        if mix.next().is_multiple_of(2) {
            line.splice(0..0, b"{\"seq\":3,".iter().copied());
        }
        let mut file = bytes.clone();
        file.extend_from_slice(&line);
        file.push(b'\n');
        let result = verify(Cursor::new(file), &FileLogOptions::new());
        assert!(
            matches!(result, Err(ref e) if e.line() == Some(3)),
            "{:?} gave {result:?}",
            String::from_utf8_lossy(&line)
        );
    }
}
