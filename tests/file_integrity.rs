//! Damage to a log file: cut at every byte, every byte flipped, records edited (CRC
//! recomputed), deleted, duplicated and swapped. A cut at the end is a torn tail, reported;
//! anything else is an error naming the line, byte offset and sequence number.

mod file_support;

use std::io::{Cursor, Seek, SeekFrom, Write};
use std::path::Path;

use ceasefire::store::{FileLog, FileLogOptions, OpenError, verify};
use ceasefire::{Event, Seq};
use file_support::{craft, events, events_of, hash_after, line_of, line_starts, write_log};

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
                assert_eq!(torn.records, (lines - kept) as u64, "cut at {len}");
                assert_eq!(torn.last_seq_kept, kept as u64, "cut at {len}");
                assert!(!torn.cut);
            }
        }
        // Opening for writing cuts the tail off (checked on a sample: each cut is synced).
        if len.is_multiple_of(53) || len + 1 == bytes.len() {
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

fn flip_everywhere(bytes: &[u8], mask: u8) {
    let starts = line_starts(bytes);
    let last_line = starts.len() - 1;
    let last_start = starts[last_line - 1];
    for pos in 0..bytes.len() {
        let mut damaged = bytes.to_vec();
        damaged[pos] ^= mask;
        let line = line_of(bytes, pos);
        match check(&damaged) {
            Err(e) => {
                assert_eq!(e.line(), Some(line), "flip {mask:#04x} at {pos}: {e}");
                assert_eq!(e.offset(), Some(starts[line as usize - 1] as u64), "{e}");
            }
            Ok(v) => {
                // Only the final record may go, and only as a torn tail.
                let torn = v
                    .report
                    .torn
                    .unwrap_or_else(|| panic!("flip {mask:#04x} at {pos} was accepted as valid"));
                assert!(pos >= last_start, "flip at {pos} dropped as a tail");
                assert!(torn.offset <= pos as u64);
            }
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
    let seq_error = |damaged: Vec<String>| match check(damaged.concat().as_bytes()) {
        Err(OpenError::Sequence {
            line,
            offset,
            expected,
            found,
        }) => (line, offset, expected.get(), found.get()),
        other => panic!("gave {other:?}"),
    };

    let mut deleted = lines.clone();
    deleted.remove(5); // record 6
    assert_eq!(seq_error(deleted), (6, starts[5] as u64, 6, 7));

    let mut duplicated = lines.clone();
    duplicated.insert(6, lines[5].clone()); // record 6 twice
    assert_eq!(seq_error(duplicated), (7, starts[6] as u64, 7, 6));

    let mut swapped = lines.clone();
    swapped.swap(10, 11); // records 11 and 12
    assert_eq!(seq_error(swapped), (11, starts[10] as u64, 11, 12));

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
    assert_eq!(seq_error(last_twice), (21, bytes.len() as u64, 21, 20));
}
