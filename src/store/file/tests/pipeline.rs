//! Open on two threads against open on one: for intact and damaged files of several chunks,
//! every way of splitting the work gives the same result, the same error for the same line, or
//! the same ledger, offsets and torn tail.

use std::io::Cursor;

use crate::id::Seq;
use crate::log::ChainHash;
use crate::store::file::format::encode_line;
use crate::store::file::options::FileLogOptions;
use crate::store::file::scan::pipeline::CHUNK;
use crate::store::file::scan::{Scanned, scan_with};
use crate::store::file::tests::fixture;

/// How many lines the test logs hold: more than three chunks.
const LINES: usize = 3 * CHUNK + 100;

/// The stored bytes of the fixture's events.
fn events(count: usize) -> Vec<Vec<u8>> {
    fixture::events(u32::try_from(count).expect("few events"))
        .iter()
        .map(|e| serde_json::to_vec(e).expect("events encode"))
        .collect()
}

/// A log of `events` in appends of the sizes `batches` gives (one by one after it runs out).
fn log(events: &[Vec<u8>], batches: &[usize]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut prev = ChainHash::ZERO;
    let mut sizes = batches.iter().copied();
    let mut seq = 1u64;
    let mut rest = events;
    while !rest.is_empty() {
        let n = sizes.next().unwrap_or(1).clamp(1, rest.len());
        let (now, later) = rest.split_at(n);
        for (i, event) in now.iter().enumerate() {
            let more = (n - 1 - i) as u64;
            prev = prev.link(Seq(seq), event);
            encode_line(&mut out, Seq(seq), more, &prev, event);
            seq += 1;
        }
        rest = later;
    }
    out
}

/// Where line `n` (from 1) starts.
fn start_of(bytes: &[u8], n: usize) -> usize {
    if n == 1 {
        return 0;
    }
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(n - 2)
        .map_or(bytes.len(), |(i, _)| i + 1)
}

/// What an open comes to, comparable: the error, or the report, offsets, end and state.
fn outcome(bytes: &[u8], options: &FileLogOptions, alone: u64) -> String {
    match scan_with(Cursor::new(bytes), options, alone) {
        Err(e) => format!("error: {e:?}"),
        Ok(Scanned {
            ledger,
            offsets,
            end,
            tail,
        }) => format!(
            "head {:?}, offsets {offsets:?}, end {end}, tail {tail:?}, state {}",
            ledger.head(),
            serde_json::to_string(&ledger.state).expect("a state serializes"),
        ),
    }
}

/// Opens `bytes` on one thread and with the fold handed over after 0, 1 and some lines, and
/// checks they agree; returns the outcome.
fn same_everywhere(bytes: &[u8], options: &FileLogOptions) -> String {
    let alone = outcome(bytes, options, u64::MAX);
    for switch in [0, 1, 700] {
        let split = outcome(bytes, options, switch);
        assert!(
            split == alone,
            "switching after {switch} lines: {} instead of {}",
            short(&split),
            short(&alone)
        );
    }
    alone
}

/// The start of a verdict, for messages.
fn short(verdict: &str) -> String {
    verdict.chars().take(300).collect()
}

fn replace(bytes: &[u8], at: usize, from: &[u8], to: &[u8]) -> Vec<u8> {
    let line_end = at + bytes[at..].iter().position(|&b| b == b'\n').unwrap_or(0);
    let line = &bytes[at..line_end];
    let pos = at
        + line
            .windows(from.len())
            .position(|w| w == from)
            .expect("the text is on the line");
    let mut out = bytes[..pos].to_vec();
    out.extend_from_slice(to);
    out.extend_from_slice(&bytes[pos + from.len()..]);
    out
}

#[test]
fn intact_logs_and_torn_tails_open_alike() {
    let events = events(LINES);
    let options = FileLogOptions::new();
    let single = log(&events, &[]);
    let verdict = same_everywhere(&single, &options);
    assert!(
        verdict.starts_with("head Head { version: 1636"),
        "{}",
        short(&verdict)
    );
    // Batches across chunk boundaries, and an unfinished batch at the end (read twice).
    let batched = log(&events, &[1, 600, 3, 900, 1, 1, 40]);
    same_everywhere(&batched, &options);
    let whole = log(&events, &[1, 1000, 1, 1, 1, 1, 1, LINES]);
    let open = &whole[..start_of(&whole, LINES)];
    let verdict = same_everywhere(open, &options);
    assert!(
        verdict.contains("records: 629, last_seq_kept: 1006"),
        "{}",
        short(&verdict)
    );
    for cut in [1, 50, 200] {
        same_everywhere(&single[..single.len() - cut], &options);
        same_everywhere(&open[..open.len() - cut], &options);
    }
    // A whole record without its newline, zero bytes after the last newline.
    same_everywhere(&single[..single.len() - 1], &options);
    let mut zeros = single.clone();
    zeros.extend_from_slice(&[0; 100]);
    same_everywhere(&zeros, &options);
}

#[test]
fn damage_anywhere_gives_the_same_error() {
    let events = events(LINES);
    let options = FileLogOptions::new();
    let intact = log(&events, &[1, 10, 1, 700, 1, 5]);
    for line in [1, 2, 600, 1200, LINES] {
        let at = start_of(&intact, line);
        let crc = if line == 1 {
            replace(&intact, at, b"Ukraine", b"Ukraina")
        } else {
            replace(&intact, at, b"substation", b"Substation")
        };
        let flipped = {
            let mut b = intact.clone();
            b[at + 100] ^= 0x01;
            b
        };
        let chain = {
            let pos = at
                + 8
                + intact[at..]
                    .windows(8)
                    .position(|w| w == b"\"hash\":\"")
                    .expect("a hash");
            let mut b = intact.clone();
            b[pos] = if b[pos] == b'0' { b'1' } else { b'0' };
            b
        };
        let deleted = {
            let end = start_of(&intact, line + 1);
            let mut b = intact[..at].to_vec();
            b.extend_from_slice(&intact[end..]);
            b
        };
        let long_options = FileLogOptions::new().with_max_record_size(4096);
        let mut long = intact[..at].to_vec();
        long.extend_from_slice(&[b'x'; 5000]);
        long.extend_from_slice(&intact[at..]);
        let mut garbage = intact[..at].to_vec();
        garbage.extend_from_slice(b"not a record at all\n");
        garbage.extend_from_slice(&intact[at..]);
        for (what, bytes, options) in [
            ("crc", &crc, &options),
            ("flipped", &flipped, &options),
            ("chain", &chain, &options),
            ("deleted", &deleted, &options),
            ("garbage", &garbage, &options),
            ("long", &long, &long_options),
        ] {
            let verdict = same_everywhere(bytes, options);
            if what == "deleted" && line == LINES {
                // The log without its last record.
                continue;
            }
            let at = short(&verdict);
            assert!(verdict.starts_with("error"), "{what} at {line}: {at}");
        }
    }
}

#[test]
fn the_earliest_damage_wins_whichever_thread_finds_it() {
    let mut events = events(LINES);
    let options = FileLogOptions::new();
    // An event the rules refuse (the same event twice), then an event that does not decode.
    let refused_at = 1300;
    events[refused_at - 1] = events[refused_at - 2].clone();
    let undecodable = b"{\"id\":\"not an event\"}".to_vec();
    let mut later = events.clone();
    later[1500] = undecodable.clone();
    let verdict = same_everywhere(&log(&later, &[]), &options);
    assert!(
        verdict.starts_with("error: Refused { line: 1300,"),
        "{}",
        short(&verdict)
    );
    // The other way round: the event that does not decode comes first.
    let mut earlier = events.clone();
    earlier[900] = undecodable;
    let verdict = same_everywhere(&log(&earlier, &[]), &options);
    assert!(
        verdict.starts_with("error: InvalidEvent { line: 901,"),
        "{}",
        short(&verdict)
    );
    // A refused event, then a damaged CRC.
    let bytes = log(&events, &[]);
    let at = start_of(&bytes, 1600);
    let damaged = replace(&bytes, at, b"substation", b"Substation");
    let verdict = same_everywhere(&damaged, &options);
    assert!(
        verdict.starts_with("error: Refused { line: 1300,"),
        "{}",
        short(&verdict)
    );
}

/// A signed log of `n` records (a signed genesis, then signed allegations), as stored events.
#[cfg(feature = "transparency")]
fn signed_events(n: u64) -> Vec<crate::event::Event> {
    use crate::agreement::{
        Agreement, PartyKey, Severity, Signing, TargetCategory, Term, TermKind,
    };
    use crate::event::{Allegation, Event, Place, SigningContext};
    use crate::id::{PartyId, TermId};
    use crate::time::Timestamp;
    use crate::transparency::{KeyName, SignerKey};

    let party = |s: &str| PartyId::new(s).expect("a party id");
    let ua = SignerKey::from_seed(KeyName::new("ua").expect("a name"), &[1; 32]).expect("a key");
    let med =
        SignerKey::from_seed(KeyName::new("mediator").expect("a name"), &[2; 32]).expect("a key");
    let agreement = Agreement::new("signed pipeline")
        .belligerent(party("UA"), "Ukraine")
        .belligerent(party("RU"), "Russia")
        .mediator(party("MED"), "Mediator")
        .term(
            Term::new(
                TermId::new("energy").expect("a term id"),
                "Energy",
                TermKind::energy_moratorium(),
            )
            .binding([party("UA"), party("RU")]),
        )
        .signing(
            Signing::required()
                .key(party("UA"), PartyKey::from(ua.verifier()))
                .key(party("MED"), PartyKey::from(med.verifier())),
        );
    let start: Timestamp = "2025-03-19T00:00:00Z".parse().expect("a time");
    let genesis = Event::by(party("MED"))
        .at(start)
        .concludes(agreement)
        .expect("a genesis")
        .signed_genesis(&med);
    let mut place = SigningContext::genesis(&genesis);
    let mut events = Vec::new();
    let mut push = |event: Event, place: &mut SigningContext| {
        let bytes = serde_json::to_vec(&event).expect("events encode");
        place.prev = place.prev.link(place.seq, &bytes);
        place.seq = place.seq.next().expect("a next number");
        events.push(event);
    };
    push(genesis, &mut place);
    for i in 1..n {
        let at = start + chrono::Duration::seconds(i64::try_from(i).expect("few"));
        let e = Event::by(party("UA"))
            .at(at)
            .alleges(Allegation::new(
                party("RU"),
                TermId::new("energy").expect("a term id"),
                TargetCategory::PowerGrid,
                Place::named("Sloviansk"),
                Severity::Minor,
            ))
            .expect("an allegation");
        let signed = e.signed(&ua, &place);
        push(signed, &mut place);
    }
    events
}

#[cfg(feature = "transparency")]
#[test]
fn signed_logs_open_alike_and_a_bad_signature_is_refused_on_its_line() {
    let events = signed_events(1200);
    let stored: Vec<Vec<u8>> = events
        .iter()
        .map(|e| serde_json::to_vec(e).expect("events encode"))
        .collect();
    let options = FileLogOptions::new();
    let verdict = same_everywhere(&log(&stored, &[1, 2, 600]), &options);
    assert!(
        verdict.starts_with("head Head { version: 1200"),
        "{}",
        short(&verdict)
    );
    // A signature that does not verify, far in (its line's CRC and chain are right).
    let mut bad = events;
    if let Some(sig) = bad[1099].signature.as_mut() {
        sig.bytes[40] ^= 0x01;
    }
    let stored: Vec<Vec<u8>> = bad
        .iter()
        .map(|e| serde_json::to_vec(e).expect("events encode"))
        .collect();
    let verdict = same_everywhere(&log(&stored, &[]), &options);
    assert!(
        verdict.starts_with("error: Refused { line: 1100,") && verdict.contains("Signature"),
        "{}",
        short(&verdict)
    );
}
