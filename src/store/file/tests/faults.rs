//! Failures that are not crashes: an I/O error, a failed sync, a full disk, short and empty
//! writes, once and for good. A failed append is rolled back and poisons the handle; the log
//! opens again with every acknowledged event.

use super::fixture;
use super::{events_of, streamed};
use crate::event::Event;
use crate::log::{ExpectedVersion, Store, StoreError};
use crate::store::file::sim::{Fault, SimDisk};
use crate::store::file::{FileLog, FileLogOptions, OpenError};

/// A disk holding a log of three events (two single appends, then a batch of one).
fn disk_with_three() -> (SimDisk, FileLog, Vec<Event>) {
    let disk = SimDisk::default();
    let (log, _) = disk.open(FileLogOptions::new()).expect("opens");
    let events = fixture::events(3);
    log.append(ExpectedVersion::Exactly(0), events[0].clone())
        .expect("genesis");
    log.append_batch(ExpectedVersion::Exactly(1), events[1..].to_vec())
        .expect("batch");
    (disk, log, events)
}

fn append_two(log: &FileLog) -> Result<u64, StoreError> {
    let batch = vec![fixture::allegation(10), fixture::allegation(11)];
    log.append_batch(ExpectedVersion::Exactly(3), batch)
        .map(|s| s.get())
}

/// The fault makes an append fail; the file is cut back, the handle is poisoned, and a
/// reopened log holds exactly the acknowledged events.
fn fails_once_then_recovers(fault: Fault) {
    let (disk, log, acked) = disk_with_three();
    let durable = disk.durable();
    let state = log.with_state(|s| (s.clone(), s.lookups())).expect("state");
    disk.arm(&[fault]);
    let failed = append_two(&log);
    assert!(
        matches!(failed, Err(StoreError::Io { .. })),
        "{fault:?}: {failed:?}"
    );
    assert_eq!(disk.current(), durable, "{fault:?}: not rolled back");
    // The batch was folded into the state in place before the write: it is taken back.
    let after = log.with_state(|s| (s.clone(), s.lookups())).expect("state");
    assert_eq!(after, state, "{fault:?}: the state keeps the failed batch");
    assert!(
        matches!(append_two(&log), Err(StoreError::Poisoned)),
        "{fault:?}"
    );
    assert_eq!(
        events_of(&log),
        acked,
        "{fault:?}: the poisoned handle still reads"
    );
    drop(log);
    let (log, report) = disk.open(FileLogOptions::new()).expect("reopens");
    assert!(report.torn.is_none(), "{fault:?}");
    assert_eq!(events_of(&log), acked, "{fault:?}");
    assert_eq!(
        append_two(&log).ok(),
        Some(5),
        "{fault:?}: the fault was once only"
    );
}

#[test]
fn a_write_error_rolls_back_and_poisons_the_handle() {
    fails_once_then_recovers(Fault::WriteError {
        at: 1,
        permanent: false,
    });
}

#[test]
fn a_failed_sync_is_never_retried_or_trusted() {
    fails_once_then_recovers(Fault::SyncError {
        at: 1,
        permanent: false,
    });
}

#[test]
fn a_full_disk_rolls_back_a_partial_write() {
    let (disk, _, _) = disk_with_three();
    let capacity = disk.current().len() + 100;
    fails_once_then_recovers(Fault::DiskFull {
        capacity,
        permanent: false,
    });
}

#[test]
fn a_write_of_zero_bytes_is_an_error() {
    fails_once_then_recovers(Fault::ZeroWrite { at: 1 });
}

#[test]
fn short_writes_are_completed() {
    let (disk, log, mut acked) = disk_with_three();
    disk.arm(&[Fault::ShortWrites { chunk: 7 }]);
    assert_eq!(append_two(&log).ok(), Some(5));
    acked.extend([fixture::allegation(10), fixture::allegation(11)]);
    assert!(disk.ops() > 100, "the writes were not short");
    drop(log);
    let (log, _) = disk.open(FileLogOptions::new()).expect("reopens");
    assert_eq!(events_of(&log), acked);
}

#[test]
fn permanent_failures_keep_the_log_readable() {
    let faults = [
        Fault::WriteError {
            at: 1,
            permanent: true,
        },
        Fault::SyncError {
            at: 1,
            permanent: true,
        },
        Fault::DiskFull {
            capacity: 0,
            permanent: true,
        },
    ];
    for fault in faults {
        let (disk, log, acked) = disk_with_three();
        disk.arm(&[fault]);
        assert!(
            matches!(append_two(&log), Err(StoreError::Io { .. })),
            "{fault:?}"
        );
        drop(log);
        for _ in 0..2 {
            let (log, _) = disk.open(FileLogOptions::new()).expect("reopens");
            assert_eq!(events_of(&log), acked, "{fault:?}");
            assert_eq!(streamed(&log), acked, "{fault:?}");
            assert!(
                matches!(append_two(&log), Err(StoreError::Io { .. })),
                "{fault:?}"
            );
        }
    }
}

#[test]
fn a_failed_rollback_leaves_only_attempted_events() {
    // The sync fails and so does the cut back: the batch is in the file but was never
    // acknowledged. It may come back on reopen (it was attempted), whole.
    let (disk, log, acked) = disk_with_three();
    disk.arm(&[
        Fault::SyncError {
            at: 1,
            permanent: false,
        },
        Fault::TruncateError,
    ]);
    assert!(matches!(append_two(&log), Err(StoreError::Io { .. })));
    assert!(matches!(append_two(&log), Err(StoreError::Poisoned)));
    drop(log);
    disk.arm(&[]);
    let (log, report) = disk.open(FileLogOptions::new()).expect("reopens");
    assert!(report.torn.is_none());
    let recovered = events_of(&log);
    assert_eq!(
        recovered.len(),
        5,
        "the unacknowledged batch is whole in the file"
    );
    assert_eq!(recovered.get(..3), Some(acked.as_slice()));

    // A full disk leaves part of the batch, and the cut back fails: reopening finds a torn
    // tail, reports it and cuts it off.
    let (disk, log, acked) = disk_with_three();
    let capacity = disk.current().len() + 100;
    disk.arm(&[
        Fault::DiskFull {
            capacity,
            permanent: true,
        },
        Fault::TruncateError,
    ]);
    assert!(matches!(append_two(&log), Err(StoreError::Io { .. })));
    drop(log);
    disk.arm(&[]);
    let (log, report) = disk.open(FileLogOptions::new()).expect("reopens");
    let torn = report.torn.expect("the partial write is a torn tail");
    assert_eq!((torn.bytes, torn.records, torn.cut), (100, 0, true));
    assert_eq!(events_of(&log), acked);
}

#[test]
fn a_read_error_on_open_is_an_io_error() {
    let (disk, log, _) = disk_with_three();
    drop(log);
    disk.arm(&[Fault::ReadError]);
    assert!(matches!(
        disk.open(FileLogOptions::new()),
        Err(OpenError::Io { .. })
    ));
}

#[test]
fn read_only_handles_refuse_appends_and_do_not_write() {
    let (disk, log, acked) = disk_with_three();
    drop(log);
    let before = disk.current();
    let (log, _) = disk.open_read_only(FileLogOptions::new()).expect("opens");
    assert!(matches!(append_two(&log), Err(StoreError::ReadOnly)));
    assert_eq!(events_of(&log), acked);
    assert_eq!(disk.current(), before);
}
