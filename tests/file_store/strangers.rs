//! Opening the wrong thing, or a log damaged at its very end: a text file, random bytes, a log
//! followed by garbage, a damaged final newline, a named pipe, a directory, a device. Each is
//! refused with an error that says what it is, at once, and the file is left byte for byte as
//! it was. Only what a crash can leave after the last newline (the beginning of the record due
//! there, perhaps followed by zero bytes) is a torn tail, reported and cut.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::{events, events_of, line_starts, write_log};
use ceasefire::store::{FileLog, FileLogOptions, OpenError, verify};
use ceasefire::{ExpectedVersion, Store};

/// Deterministic pseudo-random bytes (xorshift64*).
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

/// Opens `path` for writing and for reading; both must be refused, the file unchanged.
fn refused_both_ways(path: &Path) -> [OpenError; 2] {
    let before = std::fs::read(path).expect("file");
    let writer = FileLog::open(path, FileLogOptions::new()).expect_err("the writer refuses");
    assert_eq!(std::fs::read(path).expect("file"), before, "{writer}");
    let reader =
        FileLog::open_read_only(path, FileLogOptions::new()).expect_err("the reader refuses");
    assert_eq!(std::fs::read(path).expect("file"), before, "{reader}");
    assert_eq!(writer.to_string(), reader.to_string());
    [writer, reader]
}

#[test]
fn a_damaged_final_newline_never_cuts_the_last_record() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    let all = events(1_000);
    // Nine batches of 100, one of 99, then record 1,000 appended (and acknowledged) alone.
    let mut sizes = vec![100; 9];
    sizes.push(99);
    write_log(&path, &all, &sizes);
    let good = std::fs::read(&path).expect("file");
    assert_eq!(good.last(), Some(&b'\n'));
    let last_start = line_starts(&good)[999] as u64;

    let mut damages: Vec<(&str, Vec<u8>, Option<u8>)> = Vec::new();
    for byte in [b'X', b'\r', b' ', b'}', 0x0b, 0x8a, 0] {
        let mut bytes = good.clone();
        *bytes.last_mut().expect("not empty") = byte;
        damages.push(("changed", bytes, Some(byte)));
    }
    damages.push(("removed", good[..good.len() - 1].to_vec(), None));
    let mut zeros = good[..good.len() - 1].to_vec();
    zeros.extend([0; 300]);
    damages.push(("replaced by zeros", zeros, Some(0)));

    for (how, bytes, found) in damages {
        std::fs::write(&path, &bytes).expect("written");
        for e in refused_both_ways(&path)
            .into_iter()
            .chain(verify(Cursor::new(&bytes), &FileLogOptions::new()).err())
        {
            assert!(
                matches!(e, OpenError::Unterminated { line: 1_000, offset, seq, found: f }
                    if offset == last_start && seq.get() == 1_000 && f == found),
                "newline {how} ({found:?}): {e}"
            );
            assert_eq!(
                (e.line(), e.offset(), e.seq().map(|s| s.get())),
                (Some(1_000), Some(last_start), Some(1_000))
            );
            let message = e.to_string();
            for part in [
                "line 1000 ",
                &format!("byte offset {last_start}"),
                "record #1000",
            ] {
                assert!(message.contains(part), "{message}");
            }
        }
    }
    // Every record was kept: with its newline back, the log opens whole.
    std::fs::write(&path, &good).expect("restored");
    let (log, report) = FileLog::open(&path, FileLogOptions::new()).expect("opens");
    assert_eq!((report.records, report.torn), (1_000, None));
    assert_eq!(events_of(&log), all);
}

#[test]
fn files_that_are_not_logs_are_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("not a log");
    let text = b"Shopping list: bread, milk, eggs, coffee.\n";
    assert_eq!(text.len(), 42);
    let mut long_text = b"Lorem ipsum ".repeat(200_000);
    long_text.truncate(2 << 20);
    for (what, bytes) in [
        ("text", text.to_vec()),
        ("text without a newline", text[..41].to_vec()),
        ("random bytes", noise(1 << 20, 42)),
        ("text longer than a record", long_text),
        ("an empty line", b"\n".to_vec()),
        ("json lines", b"{\"format\":1}\n{\"a\":2}\n".to_vec()),
    ] {
        std::fs::write(&path, &bytes).expect("written");
        for e in refused_both_ways(&path) {
            match &e {
                OpenError::NotALog { begins } => {
                    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
                    let start = String::from_utf8_lossy(&first[..first.len().min(32)]);
                    assert_eq!(begins, &start, "{what}");
                }
                other => panic!("{what}: {other}"),
            }
            assert!(e.to_string().starts_with("not a ceasefire log"), "{e}");
            assert_eq!((e.line(), e.offset()), (Some(1), Some(0)));
        }
    }
}

#[test]
fn a_log_followed_by_garbage_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    write_log(&path, &events(3), &[]);
    let good = std::fs::read(&path).expect("file");
    let end = good.len() as u64;

    let mut random = good.clone();
    random.extend(noise(3_000, 7));
    std::fs::write(&path, &random).expect("written");
    for e in refused_both_ways(&path) {
        assert_eq!((e.line(), e.offset()), (Some(4), Some(end)), "{e}");
    }

    // Without a newline in it, the garbage is all after the last newline: still not a tail.
    let mut text = good.clone();
    text.extend(b"garbage! ".repeat(334).into_iter().take(3_000));
    std::fs::write(&path, &text).expect("written");
    for e in refused_both_ways(&path) {
        assert!(
            matches!(e, OpenError::TrailingBytes { line: 4, offset, bytes: 3_000, at, expected }
                if offset == end && at == end && expected.get() == 4),
            "{e}"
        );
    }

    // The beginning of record 4, then garbage where the CRC belongs.
    let mut late = good.clone();
    late.extend(b"{\"seq\":4,\"crc32c\":\"0123zz");
    std::fs::write(&path, &late).expect("written");
    for e in refused_both_ways(&path) {
        assert!(
            matches!(e, OpenError::TrailingBytes { at, .. } if at == end + 23),
            "{e}"
        );
    }
}

/// The line record `seq` would have: written by a store, then read back.
fn next_lines(dir: &Path, count: u32) -> (Vec<u8>, Vec<u8>) {
    let path = dir.join("longer");
    write_log(&path, &events(count), &[]);
    let bytes = std::fs::read(&path).expect("file");
    let starts = line_starts(&bytes);
    let last = starts[starts.len() - 2];
    (bytes[..last].to_vec(), bytes[last..].to_vec())
}

#[test]
fn what_a_crash_leaves_is_still_cut_and_reported() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    let (log, next) = next_lines(dir.path(), 4);
    let kept = log.len() as u64;
    let mut tails: Vec<Vec<u8>> = [0, 1, 9, next.len() / 2, next.len() - 2]
        .iter()
        .map(|&n| next[..n].to_vec())
        .collect();
    // A prefix followed by zeros, as a preallocated block leaves it; zeros alone.
    for n in [0, 30, next.len() - 2] {
        let mut tail = next[..n].to_vec();
        tail.resize(4_096, 0);
        tails.push(tail);
    }
    for tail in tails {
        let mut bytes = log.clone();
        bytes.extend(&tail);
        std::fs::write(&path, &bytes).expect("written");
        let what = String::from_utf8_lossy(&tail[..tail.len().min(40)]).into_owned();
        if tail.is_empty() {
            let (_, report) = FileLog::open(&path, FileLogOptions::new()).expect("opens");
            assert!(report.torn.is_none());
            continue;
        }
        let (_, report) =
            FileLog::open_read_only(&path, FileLogOptions::new()).expect("a reader opens");
        let torn = report.torn.expect("a torn tail");
        assert_eq!(
            (torn.offset, torn.bytes, torn.records, torn.cut),
            (kept, tail.len() as u64, 0, false),
            "{what}"
        );
        assert_eq!(std::fs::read(&path).expect("file"), bytes, "{what}");
        let (writer, report) = FileLog::open(&path, FileLogOptions::new()).expect("opens");
        assert!(
            report.torn.is_some_and(|t| t.cut && t.offset == kept),
            "{what}"
        );
        assert_eq!(report.records, 3);
        assert_eq!(std::fs::read(&path).expect("file"), log, "{what}");
        writer
            .append(ExpectedVersion::Exactly(3), events(4)[3].clone())
            .expect("appends after the cut");
        drop(writer);
        assert_eq!(
            std::fs::read(&path).expect("file").len(),
            log.len() + next.len()
        );
    }
    // Nothing but zeros is what a crash during the first append can leave.
    std::fs::write(&path, [0; 512]).expect("written");
    let (_, report) = FileLog::open(&path, FileLogOptions::new()).expect("opens");
    assert_eq!(report.records, 0);
    assert!(report.torn.is_some_and(|t| t.bytes == 512 && t.cut));
}

/// Runs `f` on a thread; fails if it has not answered within five seconds (a regression must
/// not hang the test run).
fn within_seconds<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(f());
    });
    receive
        .recv_timeout(Duration::from_secs(5))
        .unwrap_or_else(|_| panic!("opening {what} did not answer within 5 s"))
}

fn open_both(what: &str, path: PathBuf) -> [OpenError; 2] {
    let p = path.clone();
    let writer = within_seconds(what, move || {
        FileLog::open(&p, FileLogOptions::new()).map(|_| ())
    });
    let reader = within_seconds(what, move || {
        FileLog::open_read_only(&path, FileLogOptions::new()).map(|_| ())
    });
    [
        writer.expect_err("the writer refuses"),
        reader.expect_err("the reader refuses"),
    ]
}

fn not_a_file(what: &str, path: PathBuf, says: &str) {
    for e in open_both(what, path) {
        assert!(matches!(e, OpenError::NotAFile { .. }), "{what}: {e}");
        assert!(
            e.to_string()
                .contains(&format!("is {says}, not a regular file")),
            "{what}: {e}"
        );
    }
}

#[test]
fn a_directory_is_refused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    not_a_file("a directory", dir.path().to_path_buf(), "a directory");
}

#[cfg(unix)]
#[test]
fn a_named_pipe_a_socket_and_a_device_are_refused_at_once() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let fifo = dir.path().join("pipe");
    match std::process::Command::new("mkfifo").arg(&fifo).status() {
        Ok(status) if status.success() => not_a_file("a fifo", fifo, "a named pipe (fifo)"),
        other => println!("skipped the named pipe: mkfifo is not available ({other:?})"),
    }
    let socket = dir.path().join("socket");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).expect("a socket");
    not_a_file("a socket", socket, "a socket");
    let null = PathBuf::from("/dev/null");
    if null.exists() {
        not_a_file("/dev/null", null, "a character device");
    } else {
        println!("skipped /dev/null: it does not exist here");
    }
}

#[test]
fn parser_positions_are_columns_of_the_files_line() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    write_log(&path, &events(2), &[]);
    let mut bytes = std::fs::read(&path).expect("file");
    let prev = crate::support::hash_after(&bytes, 2);
    // An event whose bytes are intact (CRC and hash right) but which does not decode.
    let event = r#"{"id":12}"#;
    let (line, _) = crate::support::craft(3, 0, prev, event);
    let parser = serde_json::from_str::<ceasefire::Event>(event).expect_err("not an event");
    let column = line.find(event).expect("the event") + parser.column();
    bytes.extend(line.as_bytes());
    let e = verify(Cursor::new(&bytes), &FileLogOptions::new()).expect_err("refused");
    let message = e.to_string();
    assert!(
        matches!(e, OpenError::InvalidEvent { line: 3, .. }),
        "{message}"
    );
    assert!(!message.contains("line 1 column"), "{message}");
    assert!(
        message.ends_with(&format!("at column {column} of the line")),
        "{message}"
    );
}
