//! A crash at every write, sync and truncation, with every kind of aftermath: whatever the
//! disk holds when the machine comes back, opening it gives every acknowledged event, only
//! attempted events, and whole batches only. The one crash image that is refused rather than
//! recovered is a whole last record without its newline (it cannot be told apart from an
//! acknowledged record whose newline was damaged): nothing is cut, and cutting it by hand at
//! the offset the error names recovers the log.

use super::fixture;
use super::{events_of, streamed};
use crate::event::Event;
use crate::log::{ExpectedVersion, Store};
use crate::store::file::sim::{Aftermath, Fault, SimDisk};
use crate::store::file::{FileLogOptions, OpenError, decode_line};

/// Single appends and batches: 16 events in 10 appends.
fn workload() -> Vec<Vec<Event>> {
    let mut events = fixture::events(16).into_iter();
    [1, 1, 3, 1, 2, 1, 4, 1, 1, 1]
        .iter()
        .map(|&n| events.by_ref().take(n).collect())
        .collect()
}

struct Run {
    disk: SimDisk,
    acked: Vec<Event>,
    attempted: Vec<Event>,
    /// The number of events after each whole append (batch boundaries).
    boundaries: Vec<usize>,
}

fn run(faults: &[Fault]) -> Run {
    let disk = SimDisk::default();
    let (log, _) = disk
        .open(FileLogOptions::new())
        .expect("an empty disk opens");
    disk.arm(faults);
    let mut out = Run {
        disk: disk.clone(),
        acked: Vec::new(),
        attempted: Vec::new(),
        boundaries: vec![0],
    };
    for group in workload() {
        out.attempted.extend(group.iter().cloned());
        out.boundaries.push(out.attempted.len());
        let result = match group.as_slice() {
            [one] => log.append(ExpectedVersion::Any, one.clone()),
            _ => log.append_batch(ExpectedVersion::Any, group.clone()),
        };
        match result {
            Ok(_) => out.acked.extend(group),
            Err(_) => break,
        }
    }
    out
}

/// Cut points worth trying in `unsynced`: the ends, thirds, and around every newline.
fn cuts(unsynced: &[u8]) -> Vec<usize> {
    let len = unsynced.len();
    let mut points = vec![
        0,
        1,
        len / 3,
        len / 2,
        2 * len / 3,
        len.saturating_sub(1),
        len,
    ];
    for (i, &b) in unsynced.iter().enumerate() {
        if b == b'\n' {
            points.extend([i, i + 1, i + 2]);
        }
    }
    points.retain(|&p| p <= len);
    points.sort_unstable();
    points.dedup();
    points
}

fn aftermaths(unsynced: &[u8]) -> Vec<Aftermath> {
    let mut out = vec![Aftermath::Drop];
    for n in cuts(unsynced) {
        out.extend([Aftermath::Tear(n), Aftermath::Garble(n, 0)]);
    }
    out
}

fn is_prefix(short: &[Event], long: &[Event]) -> bool {
    long.len() >= short.len() && long.iter().zip(short).all(|(a, b)| a == b)
}

/// Opens the image and checks acknowledged ⊆ recovered ⊆ attempted, on batch boundaries.
fn recover(image: Vec<u8>, run: &Run, what: &str) -> Vec<Event> {
    let disk = SimDisk::with(image.clone());
    let (log, report) = match disk.open(FileLogOptions::new()) {
        Ok(opened) => opened,
        Err(OpenError::Unterminated {
            offset, seq, found, ..
        }) => {
            assert_eq!(
                disk.current(),
                image,
                "{what}: a refused open changed the file"
            );
            let start = usize::try_from(offset).expect("an offset in the image");
            let line = &image[start..];
            let zeros = line.iter().rev().take_while(|&&b| b == 0).count();
            let record = decode_line(&line[..line.len() - zeros]).expect("a whole record");
            assert_eq!((record.seq, record.more), (seq, 0), "{what}");
            assert_eq!(found, (zeros > 0).then_some(0), "{what}");
            assert!(!line.contains(&b'\n'), "{what}: not the last line");
            // Cut by hand where the error says: nothing acknowledged is lost.
            return recover(
                image[..start].to_vec(),
                run,
                &format!("{what}, cut by hand"),
            );
        }
        Err(e) => panic!("{what}: the crash image does not open: {e}"),
    };
    let recovered = events_of(&log);
    assert_eq!(streamed(&log), recovered, "{what}: read and stream differ");
    assert!(
        is_prefix(&run.acked, &recovered),
        "{what}: lost an acknowledged event"
    );
    assert!(
        is_prefix(&recovered, &run.attempted),
        "{what}: recovered an event never appended"
    );
    assert!(
        run.boundaries.contains(&recovered.len()),
        "{what}: recovered part of a batch ({} events)",
        recovered.len()
    );
    assert_eq!(report.records, recovered.len() as u64, "{what}");
    let kept = disk.current();
    match report.torn {
        None => assert_eq!(kept, image, "{what}: a clean open changed the file"),
        Some(torn) => {
            assert!(torn.cut, "{what}");
            assert_eq!(torn.offset, kept.len() as u64, "{what}: cut elsewhere");
            assert_eq!(torn.offset + torn.bytes, image.len() as u64, "{what}");
            assert_eq!(torn.last_seq_kept, report.records, "{what}");
            assert_eq!(disk.durable(), kept, "{what}: the cut was not synced");
        }
    }
    // The recovered log takes appends again.
    let next = fixture::next(1_000, recovered.len());
    log.append(ExpectedVersion::Exactly(recovered.len() as u64), next)
        .unwrap_or_else(|e| panic!("{what}: the recovered log refuses an append: {e}"));
    recovered
}

#[test]
fn a_crash_at_every_operation_keeps_every_acknowledged_event() {
    let clean = run(&[]);
    assert_eq!(clean.acked, clean.attempted);
    let total = clean.disk.ops();
    assert_eq!(total, 20, "one write and one sync per append");
    let mut images = 0;
    for n in 1..=total {
        let crashed = run(&[Fault::CrashAt(n)]);
        assert!(crashed.disk.crashed(), "crash {n} did not happen");
        assert!(crashed.acked.len() < crashed.attempted.len());
        for how in aftermaths(&crashed.disk.unsynced()) {
            let what = format!("crash at operation {n}, {how:?}");
            recover(crashed.disk.image(how), &crashed, &what);
            images += 1;
        }
    }
    assert!(images > 200, "only {images} crash images tried");
}

#[test]
fn a_crash_while_cutting_a_torn_tail_is_recovered_on_the_next_open() {
    let crashed = run(&[Fault::CrashAt(8)]);
    let unsynced = crashed.disk.unsynced();
    for how in [
        Aftermath::Tear(unsynced.len() / 2),
        Aftermath::Garble(unsynced.len() - 1, 0),
    ] {
        let image = crashed.disk.image(how);
        for step in 1..=2 {
            let disk = SimDisk::with(image.clone());
            disk.arm(&[Fault::CrashAt(step)]);
            assert!(
                disk.open(FileLogOptions::new()).is_err(),
                "crash {step} while cutting"
            );
            for after in [Aftermath::Drop, Aftermath::Tear(usize::MAX)] {
                let what = format!("{how:?}, crash {step} while cutting, {after:?}");
                recover(disk.image(after), &crashed, &what);
            }
        }
    }
}

#[test]
fn a_torn_batch_is_dropped_whole_and_reported() {
    let crashed = run(&[Fault::CrashAt(6)]);
    // Operation 6 is the sync of the batch of three (appends 1 and 2 took four operations).
    let unsynced = crashed.disk.unsynced();
    assert_eq!(unsynced.iter().filter(|&&b| b == b'\n').count(), 3);
    // Cut inside the last line: its closing brace and newline are missing.
    let image = crashed.disk.image(Aftermath::Tear(unsynced.len() - 2));
    let disk = SimDisk::with(image.clone());
    let (_, report) = disk
        .open_read_only(FileLogOptions::new())
        .expect("opens read-only");
    let torn = report.torn.expect("a torn tail");
    assert_eq!(
        (report.records, torn.records, torn.last_seq_kept),
        (2, 2, 2)
    );
    assert_eq!(torn.bytes, unsynced.len() as u64 - 2);
    assert!(!torn.cut);
    assert_eq!(disk.current(), image, "a read-only open changed the file");
}

#[test]
fn a_whole_batch_without_its_last_newline_is_refused_and_a_record_of_it_is_cut() {
    let crashed = run(&[Fault::CrashAt(6)]);
    let unsynced = crashed.disk.unsynced();
    let durable = crashed.disk.durable().len() as u64;
    // The batch of three whole but for its final newline: it may have been acknowledged.
    let image = crashed.disk.image(Aftermath::Tear(unsynced.len() - 1));
    let disk = SimDisk::with(image.clone());
    let refused = disk.open(FileLogOptions::new()).expect_err("refused");
    let last = unsynced[..unsynced.len() - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .expect("three lines");
    assert!(
        matches!(refused, OpenError::Unterminated { line: 5, seq, found: None, offset }
            if seq.get() == 5 && offset == durable + last as u64 + 1),
        "{refused}"
    );
    assert_eq!(disk.current(), image, "nothing was cut");
    // The first two records of the batch, whole, the second without its newline: the batch is
    // unfinished (its marker says one more follows), so it is a torn tail.
    let image = crashed.disk.image(Aftermath::Tear(last));
    let disk = SimDisk::with(image.clone());
    let (_, report) = disk.open(FileLogOptions::new()).expect("opens");
    let torn = report.torn.expect("a torn tail");
    assert_eq!((report.records, torn.records, torn.offset), (2, 2, durable));
    assert_eq!(
        disk.current(),
        image[..usize::try_from(durable).expect("small")]
    );
}

#[test]
fn garbage_where_a_torn_line_would_be_is_refused_and_left_alone() {
    let crashed = run(&[Fault::CrashAt(8)]);
    let unsynced = crashed.disk.unsynced();
    for n in cuts(&unsynced) {
        let image = crashed.disk.image(Aftermath::Garble(n, b'x'));
        let disk = SimDisk::with(image.clone());
        let partial = image.last().is_some_and(|&b| b == b'x');
        match disk.open(FileLogOptions::new()) {
            Ok(_) => assert!(!partial, "garbage at {n} was cut"),
            Err(e) => {
                assert!(partial, "{n}: {e}");
                assert!(matches!(e, OpenError::TrailingBytes { .. }), "{n}: {e}");
                assert_eq!(disk.current(), image, "{n}: the file was changed");
            }
        }
    }
}
