//! Damage to a log file: cut at every byte, every byte flipped, records edited (CRC
//! recomputed), deleted, duplicated and swapped. A cut at the end is a torn tail, reported,
//! unless it leaves a whole record without its newline (that record may have been
//! acknowledged: refused, not cut); anything else is an error naming the line, byte offset and
//! sequence number.

use std::io::{Cursor, Seek, SeekFrom, Write};
use std::path::Path;

use crate::support::{craft, events, events_of, hash_after, line_of, line_starts, write_log};
use ceasefire::store::{FileLog, FileLogOptions, OpenError, decode_line, verify};
use ceasefire::{Event, Seq};

/// A log of 20 records and its bytes. With `batches`, some appends are batches.
fn sample(dir: &Path, batches: bool) -> (Vec<Event>, Vec<u8>) {
    let path = dir.join(if batches { "batched" } else { "single" });
    let all = events(20);
    let sizes: &[usize] = if batches {
        &[1, 3, 1, 1, 4, 2, 1, 5]
    } else {
        &[]
    };
    write_log(&path, &all, sizes);
    let bytes = std::fs::read(&path).expect("file");
    (all, bytes)
}

fn check(bytes: &[u8]) -> Result<ceasefire::store::Verified, OpenError> {
    verify(Cursor::new(bytes), &FileLogOptions::new())
}

/// Cuts the log at every length, from the whole file down to nothing. `whole` lists the
/// record counts a crash may leave (batch boundaries).
fn cut_everywhere(dir: &Path, all: &[Event], bytes: &[u8], whole: &[usize]) {
    let starts = line_starts(bytes);
    let path = dir.join("cut");
    // Rewriting a file from empty is slow on some file systems (ext4 flushes it on close):
    // write it once and shorten it step by step.
    let mut file = std::fs::File::create(&path).expect("created");
    file.write_all(bytes).expect("written");
    for len in (0..=bytes.len()).rev() {
        file.set_len(len as u64).expect("cut");
        let lines = starts.iter().filter(|&&s| s > 0 && s <= len).count();
        // A whole line without its newline: refused if it ends its append, else part of an
        // unfinished batch.
        let unterminated = len > 0 && bytes.get(len) == Some(&b'\n');
        if unterminated && decode_line(&bytes[starts[lines]..len]).expect("whole").more == 0 {
            let seq = Seq(lines as u64 + 1);
            let refused = |e: OpenError| {
                assert!(
                    matches!(e, OpenError::Unterminated { line, offset, seq: s, found: None }
                        if line == seq.get() && offset == starts[lines] as u64 && s == seq),
                    "cut at {len}: {e}"
                );
            };
            refused(FileLog::open_read_only(&path, FileLogOptions::new()).expect_err("refused"));
            if len.is_multiple_of(7) || len + 1 == bytes.len() {
                refused(FileLog::open(&path, FileLogOptions::new()).expect_err("refused"));
                assert_eq!(std::fs::read(&path).expect("file"), &bytes[..len]);
            }
            continue;
        }
        let kept = whole
            .iter()
            .copied()
            .filter(|&w| w <= lines)
            .max()
            .unwrap_or(0);
        let (log, report) = FileLog::open_read_only(&path, FileLogOptions::new())
            .unwrap_or_else(|e| panic!("cut at {len}: {e}"));
        assert_eq!(report.records, kept as u64, "cut at {len}");
        assert_eq!(events_of(&log), &all[..kept], "cut at {len}");
        match report.torn {
            None => assert_eq!(starts[kept], len, "cut at {len} not reported"),
            Some(torn) => {
                assert_eq!(torn.offset, starts[kept] as u64, "cut at {len}");
                assert_eq!(torn.bytes, (len - starts[kept]) as u64, "cut at {len}");
                let records = lines - kept + usize::from(unterminated);
                assert_eq!(torn.records, records as u64, "cut at {len}");
                assert_eq!(torn.last_seq_kept, kept as u64, "cut at {len}");
                assert!(!torn.cut);
            }
        }
        // Opening for writing cuts the tail off (checked on a sample: each cut is synced).
        if len.is_multiple_of(53) || unterminated {
            let (log, report) = FileLog::open(&path, FileLogOptions::new())
                .unwrap_or_else(|e| panic!("cut at {len}: {e}"));
            assert_eq!(report.torn.is_some(), starts[kept] != len);
            assert!(report.torn.is_none_or(|t| t.cut));
            assert_eq!(
                std::fs::metadata(&path).expect("file").len(),
                starts[kept] as u64
            );
            assert_eq!(events_of(&log), &all[..kept]);
            drop(log);
            file.seek(SeekFrom::Start(0)).expect("rewound");
            file.write_all(&bytes[..len]).expect("restored");
        }
    }
}

#[test]
fn a_log_cut_at_every_length_gives_back_its_longest_whole_prefix() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (all, bytes) = sample(dir.path(), false);
    assert!(bytes.len() > 8_000, "about 20 records");
    let whole: Vec<usize> = (0..=20).collect();
    cut_everywhere(dir.path(), &all, &bytes, &whole);
}

#[test]
fn a_batched_log_cut_at_every_length_gives_back_whole_batches() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (all, bytes) = sample(dir.path(), true);
    let whole = [0, 1, 4, 5, 6, 10, 12, 13, 18, 19, 20];
    cut_everywhere(dir.path(), &all, &bytes, &whole);
}

/// Every flip is an error on its line, the final newline's included: a whole record is never
/// dropped as a torn tail.
fn flip_everywhere(bytes: &[u8], mask: u8) {
    let starts = line_starts(bytes);
    for pos in 0..bytes.len() {
        let mut damaged = bytes.to_vec();
        damaged[pos] ^= mask;
        let line = line_of(bytes, pos);
        match check(&damaged) {
            Err(e) => {
                assert_eq!(e.line(), Some(line), "flip {mask:#04x} at {pos}: {e}");
                assert_eq!(e.offset(), Some(starts[line as usize - 1] as u64), "{e}");
            }
            Ok(v) => panic!(
                "flip {mask:#04x} at {pos} was accepted (torn: {:?})",
                v.report.torn
            ),
        }
    }
}

#[test]
fn every_flipped_byte_is_found_on_its_line() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_, bytes) = sample(dir.path(), true);
    for mask in [0x01, 0x20, 0xff] {
        flip_everywhere(&bytes, mask);
    }
    let (_, bytes) = sample(dir.path(), false);
    flip_everywhere(&bytes, 0x10);
}

#[test]
fn a_flipped_byte_is_found_when_the_file_is_opened() {
    // The same check through the real file, on a sample of positions.
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_, bytes) = sample(dir.path(), true);
    let path = dir.path().join("flipped");
    let last_start = *line_starts(&bytes).iter().rev().nth(1).expect("lines");
    for pos in (0..last_start).step_by(97) {
        let mut damaged = bytes.clone();
        damaged[pos] ^= 0x04;
        std::fs::write(&path, &damaged).expect("written");
        match FileLog::open(&path, FileLogOptions::new()) {
            Err(e) => assert_eq!(e.line(), Some(line_of(&bytes, pos)), "{e}"),
            Ok(_) => panic!("flip at {pos} accepted"),
        }
        assert_eq!(
            std::fs::read(&path).expect("file"),
            damaged,
            "a failed open changed the file"
        );
    }
}

fn lines_of(bytes: &[u8]) -> Vec<String> {
    String::from_utf8(bytes.to_vec())
        .expect("utf-8")
        .lines()
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn an_edited_record_with_its_crc_recomputed_breaks_the_chain() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (all, bytes) = sample(dir.path(), false);
    let mut lines = lines_of(&bytes);
    let k = 7; // record 8
    let mut edited = all[k].clone();
    if let ceasefire::Payload::ViolationAlleged(a) = &mut edited.payload {
        let a = std::sync::Arc::make_mut(a);
        a.description = "nothing happened".into();
    }
    let event = serde_json::to_string(&edited).expect("encodes");
    let (line, fresh_hash) = craft(8, 0, hash_after(&bytes, k), &event);
    // Keep the old chain hash: only the CRC is recomputed.
    let old = ceasefire::store::decode_line(lines[k].trim_end().as_bytes()).expect("intact");
    lines[k] = line.replace(&fresh_hash.to_string(), &old.hash.to_string());
    let offset = line_starts(&bytes)[k] as u64;
    match check(lines.concat().as_bytes()) {
        Err(OpenError::Chain {
            line: 8,
            offset: o,
            seq: Seq(8),
            ..
        }) => assert_eq!(o, offset),
        other => panic!("an edited record gave {other:?}"),
    }
    // With its own hash recomputed too, the next record no longer follows.
    lines[k] = line;
    let next_offset = offset + lines[k].len() as u64;
    match check(lines.concat().as_bytes()) {
        Err(OpenError::Chain {
            line: 9,
            offset: o,
            seq: Seq(9),
            ..
        }) => assert_eq!(o, next_offset),
        other => panic!("an edited record with its hash gave {other:?}"),
    }
}

#[test]
fn deleted_duplicated_and_swapped_lines_are_found_where_they_are() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_, bytes) = sample(dir.path(), false);
    let lines = lines_of(&bytes);
    let starts = line_starts(&bytes);
    // The error's fields, and what its message says is wrong.
    let seq_error = |damaged: Vec<String>| match check(damaged.concat().as_bytes()) {
        Err(
            e @ OpenError::Sequence {
                line,
                offset,
                expected,
                found,
                later,
            },
        ) => {
            let message = e.to_string();
            let (_, why) = message.split_once(": ").expect("a reason");
            (
                (line, offset, expected.get(), found.get(), later),
                why.to_owned(),
            )
        }
        other => panic!("gave {other:?}"),
    };

    let mut deleted = lines.clone();
    deleted.remove(5); // record 6
    assert_eq!(
        seq_error(deleted),
        (
            (6, starts[5] as u64, 6, 7, None),
            "record #6 is missing".into()
        )
    );
    let mut two_deleted = lines.clone();
    two_deleted.drain(5..7); // records 6 and 7
    assert_eq!(
        seq_error(two_deleted).1,
        "records #6 to #7 are missing",
        "two deleted"
    );

    let mut duplicated = lines.clone();
    duplicated.insert(6, lines[5].clone()); // record 6 twice
    assert_eq!(
        seq_error(duplicated),
        (
            (7, starts[6] as u64, 7, 6, None),
            "record #6 is repeated (line 6 holds it already)".into()
        )
    );

    // A swap is not reported as records missing.
    let mut swapped = lines.clone();
    swapped.swap(10, 11); // records 11 and 12
    assert_eq!(
        seq_error(swapped),
        (
            (11, starts[10] as u64, 11, 12, Some(12)),
            "the lines are out of order (record #11 is at line 12)".into()
        )
    );
    let mut moved = lines.clone();
    let line = moved.remove(3); // record 4, moved to the end
    moved.push(line);
    assert_eq!(
        seq_error(moved).1,
        "the lines are out of order (record #4 is at line 20)"
    );

    let mut first_gone = lines.clone();
    first_gone.remove(0);
    assert!(matches!(
        check(first_gone.concat().as_bytes()),
        Err(OpenError::MissingFormat)
    ));

    // The last line deleted leaves a valid, shorter log: only a published head tells (see
    // file_basics). A duplicated last line is an error on the duplicate.
    let mut last_twice = lines.clone();
    last_twice.push(lines[19].clone());
    assert_eq!(
        seq_error(last_twice).0,
        (21, bytes.len() as u64, 21, 20, None)
    );
}
