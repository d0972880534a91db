//! A 100 MB line is refused without being read whole: opening stays within bounded memory
//! and time. (Its own test binary, so that the process's peak memory is this test's alone.)

use std::io::Write;
use std::time::Instant;

use crate::support::{events, write_log};
use ceasefire::store::{FileLog, FileLogOptions, OpenError, verify};

const HUGE: usize = 100 << 20;

/// The process's peak resident memory in bytes (Linux), if known.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[test]
fn a_100_mb_line_is_refused_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    write_log(&path, &events(2), &[]);
    let offset = std::fs::metadata(&path).expect("file").len();
    let before = peak_rss();
    {
        // Streamed to the file in 1 MiB chunks: no 100 MB buffer.
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("opens");
        file.write_all(b"{\"seq\":3,\"event\":\"").expect("written");
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..HUGE / chunk.len() {
            file.write_all(&chunk).expect("written");
        }
        file.write_all(b"\"}\n").expect("written");
    }
    let started = Instant::now();
    for attempt in 0..3 {
        let result = match attempt {
            0 => FileLog::open(&path, FileLogOptions::new()).map(|_| ()),
            1 => FileLog::open_read_only(&path, FileLogOptions::new()).map(|_| ()),
            _ => verify(
                std::fs::File::open(&path).expect("opens"),
                &FileLogOptions::new(),
            )
            .map(|_| ()),
        };
        match result {
            Err(OpenError::RecordTooLarge {
                line: 3,
                offset: o,
                max,
            }) => {
                assert_eq!(o, offset);
                assert_eq!(max, 1 << 20);
            }
            other => panic!("a 100 MB line gave {other:?}"),
        }
    }
    let elapsed = started.elapsed();
    assert!(elapsed.as_secs() < 5, "took {elapsed:?}");
    // The same line without its newline, at the end of the file, is refused too (not cut
    // off as a torn tail: no writer leaves a line that long).
    let len = std::fs::metadata(&path).expect("file").len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_len(len - 1))
        .expect("cut");
    assert!(matches!(
        FileLog::open(&path, FileLogOptions::new()),
        Err(OpenError::RecordTooLarge { line: 3, .. })
    ));
    assert_eq!(
        std::fs::metadata(&path).expect("file").len(),
        len - 1,
        "left in place"
    );
    if let (Some(before), Some(after)) = (before, peak_rss()) {
        let grown = after.saturating_sub(before);
        eprintln!("peak memory grew by {grown} bytes ({before} before)");
        assert!(grown < 16 << 20, "peak memory grew by {grown} bytes");
    }
}
