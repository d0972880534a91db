//! A state-machine model test: appends, batches, retries, stale versions, reopens, crashes,
//! failed writes and corruptions, against a `Vec` of the events the log must hold.

use proptest::prelude::*;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};

use super::fixture;
use super::{events_of, streamed};
use crate::event::Event;
use crate::id::Seq;
use crate::log::{ChainHash, ExpectedVersion, Store, StoreError};
use crate::store::file::sim::{Aftermath, Fault, SimDisk};
use crate::store::file::{FileLog, FileLogOptions};

#[derive(Clone, Debug)]
enum Step {
    Append,
    Batch(usize),
    /// Re-append the event at this position (modulo the length): a retry.
    Retry(usize),
    /// Append with an expected version that is off.
    Stale,
    Reopen,
    /// Crash at the first or second operation of an append of `batch` events; of the bytes
    /// written since the last sync, keep `keep`/1000, garbled or not.
    Crash {
        op: u64,
        batch: usize,
        keep: u16,
        garble: bool,
    },
    /// A failed write or sync during an append of `batch` events.
    Fail {
        sync: bool,
        batch: usize,
    },
    /// Flip the bits `mask` of the byte at `at`/65536 of the file, on a copy.
    Corrupt {
        at: u16,
        mask: u8,
    },
}

struct Model;

impl ReferenceStateMachine for Model {
    type State = ();
    type Transition = Step;

    fn init_state() -> BoxedStrategy<()> {
        Just(()).boxed()
    }

    fn transitions(_: &()) -> BoxedStrategy<Step> {
        prop_oneof![
            4 => Just(Step::Append),
            2 => (2usize..5).prop_map(Step::Batch),
            1 => any::<usize>().prop_map(Step::Retry),
            1 => Just(Step::Stale),
            1 => Just(Step::Reopen),
            2 => (1u64..=2, 1usize..4, 0u16..=1000, any::<bool>())
                .prop_map(|(op, batch, keep, garble)| Step::Crash { op, batch, keep, garble }),
            1 => (any::<bool>(), 1usize..3).prop_map(|(sync, batch)| Step::Fail { sync, batch }),
            2 => (any::<u16>(), 1u8..=255).prop_map(|(at, mask)| Step::Corrupt { at, mask }),
        ]
        .boxed()
    }

    fn apply(state: (), _: &Step) {
        state
    }
}

struct Sut {
    disk: SimDisk,
    log: FileLog,
    model: Vec<Event>,
    next: u32,
}

impl Sut {
    fn fresh(&mut self, count: usize) -> Vec<Event> {
        let len = self.model.len();
        (0..count)
            .map(|i| {
                self.next += 1;
                fixture::next(self.next, len + i)
            })
            .collect()
    }

    fn version(&self) -> u64 {
        self.model.len() as u64
    }

    fn append(&self, events: Vec<Event>) -> Result<Seq, StoreError> {
        let expected = ExpectedVersion::Exactly(self.version());
        match <[Event; 1]>::try_from(events) {
            Ok([one]) => self.log.append(expected, one),
            Err(many) => self.log.append_batch(expected, many),
        }
    }

    fn reopen(&mut self, disk: SimDisk) -> crate::store::file::OpenReport {
        let (log, report) = disk.open(FileLogOptions::new()).expect("the log reopens");
        self.disk = disk;
        self.log = log;
        report
    }
}

fn line_of(bytes: &[u8], pos: usize) -> u64 {
    bytes.iter().take(pos).filter(|&&b| b == b'\n').count() as u64 + 1
}

impl StateMachineTest for Sut {
    type SystemUnderTest = Sut;
    type Reference = Model;

    fn init_test(_: &()) -> Sut {
        let disk = SimDisk::default();
        let (log, _) = disk
            .open(FileLogOptions::new())
            .expect("an empty disk opens");
        Sut {
            disk,
            log,
            model: Vec::new(),
            next: 0,
        }
    }

    fn apply(mut sut: Sut, _: &(), step: Step) -> Sut {
        match step {
            Step::Append | Step::Batch(_) => {
                let n = if let Step::Batch(n) = step { n } else { 1 };
                let events = sut.fresh(n);
                let last = sut.append(events.clone()).expect("a valid append");
                sut.model.extend(events);
                assert_eq!(last.get(), sut.version());
            }
            Step::Retry(i) if !sut.model.is_empty() => {
                let i = i % sut.model.len();
                let again = sut.model[i].clone();
                let seq = sut.log.append(ExpectedVersion::Exactly(0), again);
                assert_eq!(seq.ok(), Some(Seq(i as u64 + 1)));
            }
            Step::Retry(_) => {}
            Step::Stale => {
                let events = sut.fresh(1);
                let stale = ExpectedVersion::Exactly(sut.version() + 1);
                let refused = sut.log.append(stale, events[0].clone());
                assert!(matches!(
                    refused,
                    Err(StoreError::WrongExpectedVersion { .. })
                ));
            }
            Step::Reopen => {
                let disk = sut.disk.clone();
                let report = sut.reopen(disk);
                assert!(report.torn.is_none());
            }
            Step::Crash {
                op,
                batch,
                keep,
                garble,
            } => {
                let events = sut.fresh(batch);
                sut.disk.arm(&[Fault::CrashAt(op)]);
                assert!(
                    sut.append(events.clone()).is_err(),
                    "the crash fails the append"
                );
                let unsynced = sut.disk.unsynced().len();
                let n = unsynced * usize::from(keep) / 1000;
                let how = if garble {
                    Aftermath::Garble(n, 0)
                } else {
                    Aftermath::Tear(n)
                };
                let image = sut.disk.image(how);
                let mut attempted = sut.model.clone();
                attempted.extend(events);
                sut.reopen(SimDisk::with(image));
                let recovered = events_of(&sut.log);
                assert!(
                    recovered == sut.model || recovered == attempted,
                    "crash at {op}, {how:?}: recovered {} events, acknowledged {}, attempted {}",
                    recovered.len(),
                    sut.model.len(),
                    attempted.len()
                );
                sut.model = recovered;
            }
            Step::Fail { sync, batch } => {
                let events = sut.fresh(batch);
                let fault = if sync {
                    Fault::SyncError {
                        at: 1,
                        permanent: false,
                    }
                } else {
                    Fault::WriteError {
                        at: 1,
                        permanent: false,
                    }
                };
                sut.disk.arm(&[fault]);
                assert!(matches!(sut.append(events), Err(StoreError::Io { .. })));
                let more = sut.fresh(1);
                assert!(matches!(sut.append(more), Err(StoreError::Poisoned)));
                let disk = sut.disk.clone();
                let report = sut.reopen(disk);
                assert!(report.torn.is_none(), "the failed append was rolled back");
            }
            Step::Corrupt { at, mask } => {
                let mut bytes = sut.disk.current();
                if bytes.is_empty() {
                    return sut;
                }
                let pos = bytes.len() * usize::from(at) / 65_536;
                bytes[pos] ^= mask;
                let line = line_of(&bytes, pos);
                // Never accepted, not even as a torn tail (the final newline included).
                match SimDisk::with(bytes).open_read_only(FileLogOptions::new()) {
                    Err(e) => assert_eq!(e.line(), Some(line), "flip at byte {pos}: {e}"),
                    Ok((_, report)) => panic!("flip at {pos} accepted: {report:?}"),
                }
            }
        }
        sut
    }

    fn check_invariants(sut: &Sut, _: &()) {
        assert_eq!(events_of(&sut.log), sut.model);
        assert_eq!(streamed(&sut.log), sut.model);
        let head = sut.log.head().expect("head");
        let mut chain = ChainHash::ZERO;
        for (i, e) in sut.model.iter().enumerate() {
            let bytes = serde_json::to_vec(e).expect("events encode");
            chain = chain.link(Seq(i as u64 + 1), &bytes);
        }
        assert_eq!((head.version, head.hash), (sut.version(), chain));
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_file_log_behaves_like_a_vec_through_crashes_and_corruption(sequential 1..40 => Sut);
}
