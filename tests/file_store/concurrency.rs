//! One writer per log, enforced with an OS lock; threads racing on one handle are serialized.

use std::sync::{Arc, Barrier};
use std::thread;

use crate::support::{allegation, events, events_of, write_log};
use ceasefire::store::{FileLog, FileLogOptions, OpenError};
use ceasefire::{ExpectedVersion, Seq, Store, StoreError};

#[test]
fn a_second_writer_is_refused_and_readers_are_not() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    let writer = FileLog::create(&path, FileLogOptions::new()).expect("created");
    match FileLog::open(&path, FileLogOptions::new()) {
        Err(OpenError::Locked { path: locked }) => assert_eq!(locked, path),
        other => panic!("a second writer gave {other:?}"),
    }
    let (reader, _) = FileLog::open_read_only(&path, FileLogOptions::new()).expect("a reader");
    writer
        .append(ExpectedVersion::Exactly(0), events(1).remove(0))
        .expect("the writer still writes");
    drop(writer);
    let (writer, report) = FileLog::open(&path, FileLogOptions::new()).expect("the lock is free");
    assert_eq!(report.records, 1);
    assert!(matches!(
        FileLog::open(&path, FileLogOptions::new()),
        Err(OpenError::Locked { .. })
    ));
    drop((reader, writer));
}

#[test]
fn threads_racing_with_the_same_expected_version_have_one_winner() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    write_log(&path, &events(1), &[]);
    let (log, _) = FileLog::open(&path, FileLogOptions::new()).expect("opens");
    let log = Arc::new(log);
    for round in 0..3u32 {
        let threads = 6;
        let barrier = Arc::new(Barrier::new(threads));
        let version = u64::from(round) + 1;
        let handles: Vec<_> = (0..threads as u32)
            .map(|t| {
                let (log, barrier) = (Arc::clone(&log), Arc::clone(&barrier));
                thread::spawn(move || {
                    let event = allegation(100 + round * 10 + t);
                    barrier.wait();
                    log.append(ExpectedVersion::Exactly(version), event)
                })
            })
            .collect();
        let results: Vec<_> = handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect();
        let winners = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(winners, 1, "round {round}: {results:?}");
        let losers_refused = results.iter().all(|r| match r {
            Ok(_) => true,
            Err(StoreError::WrongExpectedVersion { expected, actual }) => {
                *expected == version && *actual == version + 1
            }
            Err(_) => false,
        });
        assert!(losers_refused, "round {round}: {results:?}");
    }
    assert_eq!(log.head().expect("head").version, 4);
    drop(log);
    let (log, _) = FileLog::open(&path, FileLogOptions::new()).expect("reopens");
    assert_eq!(events_of(&log).len(), 4);
}

#[test]
fn threads_racing_with_the_same_event_write_it_once() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    write_log(&path, &events(1), &[]);
    let (log, _) = FileLog::open(&path, FileLogOptions::new()).expect("opens");
    let log = Arc::new(log);
    let event = allegation(7);
    let threads = 6;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (log, barrier, event) = (Arc::clone(&log), Arc::clone(&barrier), event.clone());
            thread::spawn(move || {
                barrier.wait();
                log.append(ExpectedVersion::Any, event)
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("no panic").ok(), Some(Seq(2)));
    }
    drop(log);
    let (log, report) = FileLog::open(&path, FileLogOptions::new()).expect("reopens");
    assert_eq!(report.records, 2);
    assert_eq!(events_of(&log)[1], event);
}

#[test]
fn readers_streaming_while_a_writer_appends_see_whole_records() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    let all = events(40);
    write_log(&path, &all[..1], &[]);
    let (log, _) = FileLog::open(&path, FileLogOptions::new()).expect("opens");
    let log = Arc::new(log);
    let writer = {
        let (log, all) = (Arc::clone(&log), all.clone());
        thread::spawn(move || {
            for (i, e) in all.into_iter().enumerate().skip(1) {
                log.append(ExpectedVersion::Exactly(i as u64), e)
                    .expect("appends");
            }
        })
    };
    for _ in 0..20 {
        let seen: Vec<_> = log
            .records()
            .expect("a read handle")
            .map(|r| r.expect("whole records").event)
            .collect();
        assert_eq!(seen, all[..seen.len()]);
        let (reader, _) =
            FileLog::open_read_only(&path, FileLogOptions::new()).expect("a consistent prefix");
        let read = events_of(&reader);
        assert_eq!(read, all[..read.len()]);
    }
    writer.join().expect("no panic");
}
