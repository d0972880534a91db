//! The storage contract suite can fail: stores that break a promise are caught.

#![cfg(feature = "proptest")]

use ceasefire::log::{ChainHash, Head};
use ceasefire::testing::contract;
use ceasefire::{AgreementState, Event, EventLog, ExpectedVersion, Record, Seq, Store, StoreError};

/// Wraps the in-memory log and breaks one promise.
struct Broken {
    inner: EventLog,
    flaw: Flaw,
}

#[derive(Clone, Copy)]
enum Flaw {
    IgnoresExpectedVersion,
    NotIdempotent,
    ForgetsHash,
}

impl Store for Broken {
    fn append(&self, expected: ExpectedVersion, event: Event) -> Result<Seq, StoreError> {
        match self.flaw {
            Flaw::IgnoresExpectedVersion => self.inner.append(ExpectedVersion::Any, event),
            Flaw::NotIdempotent => {
                let present = self.inner.with_state(|s| s.seq_of(&event.id))?;
                match present {
                    Some(seq) => Err(StoreError::IdConflict { id: event.id, seq }),
                    None => self.inner.append(expected, event),
                }
            }
            Flaw::ForgetsHash => self.inner.append(expected, event),
        }
    }

    fn append_batch(
        &self,
        expected: ExpectedVersion,
        events: Vec<Event>,
    ) -> Result<Seq, StoreError> {
        self.inner.append_batch(expected, events)
    }

    fn read(&self, from: Seq, limit: usize) -> Result<Vec<Record>, StoreError> {
        self.inner.read(from, limit)
    }

    fn head(&self) -> Result<Head, StoreError> {
        let head = self.inner.head()?;
        Ok(match self.flaw {
            Flaw::ForgetsHash => Head {
                hash: ChainHash::ZERO,
                ..head
            },
            _ => head,
        })
    }

    fn hash_at(&self, version: u64) -> Result<Option<ChainHash>, StoreError> {
        self.inner.hash_at(version)
    }

    fn state(&self) -> Result<AgreementState, StoreError> {
        self.inner.state()
    }
}

fn failing_check(flaw: Flaw) -> &'static str {
    contract::check(|| Broken {
        inner: EventLog::new(),
        flaw,
    })
    .expect_err("a broken store must fail the contract")
    .check
}

#[test]
fn the_suite_catches_broken_stores() {
    assert_eq!(
        failing_check(Flaw::IgnoresExpectedVersion),
        "expected version"
    );
    assert_eq!(failing_check(Flaw::NotIdempotent), "idempotent re-append");
    assert_eq!(failing_check(Flaw::ForgetsHash), "head and extension");
}

#[test]
fn the_in_memory_log_keeps_the_contract() {
    contract::check(EventLog::new).expect("the in-memory log keeps the contract");
}
