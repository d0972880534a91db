//! The in-memory log: the storage contract with nothing on disk.

use std::sync::{Mutex, MutexGuard};

use crate::event::{Event, Record};
use crate::id::Seq;
use crate::log::{Admission, ChainHash, ExpectedVersion, Head, Ledger, Store, StoreError};
use crate::sanction::{ConfigError, RuleSet};
use crate::state::AgreementState;

struct Inner {
    ledger: Ledger,
    records: Vec<Record>,
}

/// An append-only log held in memory, validated like every store. Share it between threads
/// behind an `Arc`; appends are serialized.
pub struct EventLog {
    inner: Mutex<Inner>,
}

impl Default for EventLog {
    fn default() -> Self {
        EventLog::new()
    }
}

impl std::fmt::Debug for EventLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let head = self.head().ok();
        f.debug_struct("EventLog").field("head", &head).finish()
    }
}

impl EventLog {
    /// An empty log running the policy's built-in rules.
    #[must_use]
    pub fn new() -> EventLog {
        EventLog::starting(AgreementState::new())
    }

    /// An empty log that also runs these downstream rules.
    ///
    /// # Errors
    /// [`ConfigError::RuleIdCollision`] if two rules share an id.
    pub fn with_rules(rules: RuleSet) -> Result<EventLog, ConfigError> {
        Ok(EventLog::starting(AgreementState::new().with_rules(rules)?))
    }

    fn starting(state: AgreementState) -> EventLog {
        EventLog {
            inner: Mutex::new(Inner {
                ledger: Ledger::new(state),
                records: Vec::new(),
            }),
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, StoreError> {
        self.inner.lock().map_err(|_| StoreError::LockPoisoned)
    }

    /// Every record, in order (a copy).
    ///
    /// # Errors
    /// [`StoreError::LockPoisoned`] if a thread panicked while appending.
    pub fn records(&self) -> Result<Vec<Record>, StoreError> {
        Ok(self.lock()?.records.clone())
    }

    /// Runs `f` on the current state without copying it.
    ///
    /// # Errors
    /// [`StoreError::LockPoisoned`] if a thread panicked while appending.
    pub fn with_state<R>(&self, f: impl FnOnce(&AgreementState) -> R) -> Result<R, StoreError> {
        Ok(f(&self.lock()?.ledger.state))
    }

    fn append_all(&self, expected: ExpectedVersion, events: Vec<Event>) -> Result<Seq, StoreError> {
        let mut inner = self.lock()?;
        let admission = {
            let records = &inner.records;
            inner.ledger.prepare(expected, events, |seq| {
                usize::try_from(seq.get().saturating_sub(1))
                    .ok()
                    .and_then(|i| records.get(i))
                    .map(|r| r.event.clone())
                    .ok_or(StoreError::Corrupt {
                        line: seq.get(),
                        offset: 0,
                        reason: "record missing from memory".into(),
                    })
            })?
        };
        match admission {
            Admission::Present(seq) => Ok(seq),
            Admission::New(events) => {
                let staged = inner.ledger.stage(events)?;
                inner
                    .records
                    .extend(staged.records.iter().map(|(r, _, _)| r.clone()));
                Ok(inner.ledger.commit(staged))
            }
        }
    }
}

impl Store for EventLog {
    fn append(&self, expected: ExpectedVersion, event: Event) -> Result<Seq, StoreError> {
        self.append_all(expected, vec![event])
    }

    fn append_batch(
        &self,
        expected: ExpectedVersion,
        events: Vec<Event>,
    ) -> Result<Seq, StoreError> {
        self.append_all(expected, events)
    }

    fn read(&self, from: Seq, limit: usize) -> Result<Vec<Record>, StoreError> {
        let inner = self.lock()?;
        let start = usize::try_from(from.get().saturating_sub(1)).unwrap_or(usize::MAX);
        Ok(inner
            .records
            .iter()
            .skip(start)
            .take(limit)
            .cloned()
            .collect())
    }

    fn head(&self) -> Result<Head, StoreError> {
        Ok(self.lock()?.ledger.head())
    }

    fn hash_at(&self, version: u64) -> Result<Option<ChainHash>, StoreError> {
        Ok(self.lock()?.ledger.hash_at(version))
    }

    fn state(&self) -> Result<AgreementState, StoreError> {
        Ok(self.lock()?.ledger.state.clone())
    }

    fn with_state<R>(&self, f: impl FnOnce(&AgreementState) -> R) -> Result<R, StoreError> {
        EventLog::with_state(self, f)
    }

    #[cfg(feature = "transparency")]
    fn with_merkle_tree(
        &self,
        f: &mut dyn FnMut(&crate::transparency::MerkleTree),
    ) -> Result<(), StoreError> {
        f(self.lock()?.ledger.tree());
        Ok(())
    }
}
