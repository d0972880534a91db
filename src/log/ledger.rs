//! The part of appending every store shares: idempotency, the version check, validation with
//! the replay rules, encoding and chaining. Stores add only persistence.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::event::{Event, Record};
use crate::id::Seq;
use crate::log::{ChainHash, ExpectedVersion, Head, StoreError};
use crate::state::{AgreementState, Refused};

/// Events ready to be written: records, their exact bytes and chain hashes. A batch is
/// already folded into the ledger's state, inside a transaction that [`Ledger::commit`] keeps
/// and [`Ledger::abort`] takes back; a single event is folded on commit.
#[must_use = "staged events must be committed or aborted"]
pub(crate) struct Staged {
    /// Each record with the bytes a store must write and the chain hash after it.
    pub(crate) records: Vec<(Record, Vec<u8>, ChainHash)>,
    /// Whether the records are folded in already (a batch, in an open transaction).
    folded: bool,
}

/// What an append comes to.
pub(crate) enum Admission {
    /// Already in the log, identical: nothing to write.
    Present(Seq),
    /// New: stage these with [`Ledger::stage`], write them, then commit.
    New(Vec<Event>),
}

/// The state of a log, its chain hashes and (feature `transparency`) its Merkle tree.
///
/// Records enter only through [`Ledger::commit`] (appends) and [`Ledger::push_stored`] (a
/// store reading its log back), each with its exact stored bytes, so the chain and the tree
/// always cover the same records. A refused append never reaches either.
#[derive(Clone, Default)]
pub(crate) struct Ledger {
    pub(crate) state: AgreementState,
    /// `hashes[i]` is the chain hash after record `i + 1`.
    hashes: Vec<ChainHash>,
    /// The RFC 9162 Merkle tree whose leaf `i` is record `i + 1`'s stored bytes. Kept only
    /// with the feature: it is read only through the feature's `Store` methods.
    #[cfg(feature = "transparency")]
    tree: crate::transparency::MerkleTree,
}

impl Ledger {
    /// A ledger over an empty log.
    pub(crate) fn new(state: AgreementState) -> Ledger {
        Ledger {
            state,
            hashes: Vec::new(),
            #[cfg(feature = "transparency")]
            tree: crate::transparency::MerkleTree::new(),
        }
    }

    /// Adds a record a store read back from its storage and checked (the state has folded
    /// it): its chain hash and its exact stored bytes, the Merkle leaf.
    pub(crate) fn push_stored(&mut self, hash: ChainHash, bytes: &[u8]) {
        self.hashes.push(hash);
        #[cfg(feature = "transparency")]
        self.tree.push_data(bytes);
        #[cfg(not(feature = "transparency"))]
        let _ = bytes;
    }

    /// The Merkle tree over the records, kept as they are appended or read back.
    #[cfg(feature = "transparency")]
    pub(crate) fn tree(&self) -> &crate::transparency::MerkleTree {
        &self.tree
    }

    pub(crate) fn version(&self) -> u64 {
        self.hashes.len() as u64
    }

    pub(crate) fn head(&self) -> Head {
        Head {
            version: self.version(),
            hash: self.hashes.last().copied().unwrap_or(ChainHash::ZERO),
        }
    }

    pub(crate) fn hash_at(&self, version: u64) -> Option<ChainHash> {
        if version == 0 {
            return Some(ChainHash::ZERO);
        }
        let i = usize::try_from(version - 1).ok()?;
        self.hashes.get(i).copied()
    }

    /// Decides what appending `events` means: already present (a retry), or new. `stored`
    /// reads the event at a sequence number (for the identity check of a retried append; a
    /// file store reads it from disk, hence `FnMut`).
    ///
    /// # Errors
    /// The contract's refusals that come before validation, in the contract's order.
    pub(crate) fn prepare(
        &self,
        expected: ExpectedVersion,
        events: Vec<Event>,
        stored: impl FnMut(Seq) -> Result<Event, StoreError>,
    ) -> Result<Admission, StoreError> {
        let Some(first) = events.first() else {
            return Err(StoreError::EmptyBatch);
        };
        if let Some(start) = self.state.seq_of(&first.id) {
            return self.retry(start, &events, stored);
        }
        for e in &events {
            if let Some(seq) = self.state.seq_of(&e.id) {
                return Err(StoreError::IdConflict { id: e.id, seq });
            }
        }
        if let ExpectedVersion::Exactly(v) = expected
            && v != self.version()
        {
            return Err(StoreError::WrongExpectedVersion {
                expected: v,
                actual: self.version(),
            });
        }
        Ok(Admission::New(events))
    }

    /// Validates new events with the replay rules, encodes and chains them. A batch is folded
    /// into the state in place, in a transaction: if any of its events is refused (or cannot
    /// be encoded) the transaction is rolled back, leaving the state exactly as it was, and
    /// nothing is copied either way. A single event is only checked here, and folded on
    /// commit.
    ///
    /// # Errors
    /// The contract's refusals: a record refused by the rules, too large, not encodable or not
    /// reading back as itself, or a sequence number past the last.
    pub(crate) fn stage(&mut self, events: Vec<Event>) -> Result<Staged, StoreError> {
        // A transaction left open by a store that neither committed nor aborted is taken back.
        self.state.rollback();
        let folded = events.len() > 1;
        if folded {
            self.state.begin();
        }
        let staged = self.encode(events, folded);
        if staged.is_err() {
            self.state.rollback();
        }
        staged
    }

    /// Checks (or, for a batch, folds) each event in order and encodes it, chaining the
    /// hashes. The first event (in order) that fails gives the error: refused by the rules,
    /// then not encodable (too large, or not reading back as itself), then no sequence number
    /// left after it.
    ///
    /// Encoding a record needs no state, so a batch of [`ENCODE_APART`] events or more is
    /// encoded by a second thread while this one folds; once the fold is done this thread
    /// encodes too, taking the next record not yet taken. The hashes are chained afterwards,
    /// in order. The same work and the same outcome, sooner.
    fn encode(&mut self, events: Vec<Event>, fold: bool) -> Result<Staged, StoreError> {
        let mut prev = self.head().hash;
        let (records, exhausted) = numbered(self.state.next_seq(), events);
        let state = &mut self.state;
        let check = |state: &mut AgreementState| -> Option<(usize, Refused)> {
            records.iter().enumerate().find_map(|(i, record)| {
                let result = if fold {
                    state.apply(record).map(|_| ())
                } else {
                    state.check(record)
                };
                result.err().map(|reason| {
                    let refused = Refused {
                        seq: record.seq,
                        id: record.event.id,
                        reason,
                    };
                    (i, refused)
                })
            })
        };
        let (refused, encoded) = if records.len() >= ENCODE_APART {
            let encoder = Encoder::new(&records);
            let refused = std::thread::scope(|scope| {
                // Without a second thread (the system refuses one), this thread encodes alone.
                let helper = std::thread::Builder::new()
                    .name("ceasefire-encode".into())
                    .spawn_scoped(scope, || encoder.run())
                    .ok();
                let refused = check(state);
                encoder.run();
                // A failed thread leaves its record unencoded: that record then says so below.
                if let Some(helper) = helper {
                    let _ = helper.join();
                }
                refused
            });
            (refused, encoder.into_results())
        } else {
            // On one thread, only the records before a refused one need encoding: the refusal
            // is the error whatever comes after it.
            let refused = check(state);
            let end = refused.as_ref().map_or(records.len(), |(at, _)| *at);
            let encoder = Encoder::new(records.get(..end).unwrap_or_default());
            encoder.run();
            (refused, encoder.into_results())
        };
        let mut encoded = encoded.into_iter();
        let mut out = Vec::with_capacity(records.len());
        for (i, record) in records.into_iter().enumerate() {
            if let Some((at, refused)) = &refused
                && *at == i
            {
                return Err(StoreError::Rejected(refused.clone()));
            }
            let bytes = match encoded.next().flatten() {
                Some(result) => result?,
                None => {
                    return Err(StoreError::Encode {
                        id: record.event.id,
                        message: "the encoding thread failed before this event".into(),
                    });
                }
            };
            let hash = prev.link(record.seq, &bytes);
            prev = hash;
            out.push((record, bytes, hash));
            if exhausted == Some(i) {
                return Err(StoreError::SequenceExhausted);
            }
        }
        Ok(Staged {
            records: out,
            folded: fold,
        })
    }

    /// Takes staged events back: the store could not make them durable.
    pub(crate) fn abort(&mut self, staged: Staged) {
        if staged.folded {
            self.state.rollback();
        }
    }

    fn retry(
        &self,
        start: Seq,
        events: &[Event],
        mut stored: impl FnMut(Seq) -> Result<Event, StoreError>,
    ) -> Result<Admission, StoreError> {
        let mut last = start;
        for (i, e) in events.iter().enumerate() {
            let want = Seq(start.get().saturating_add(i as u64));
            match self.state.seq_of(&e.id) {
                Some(seq) if seq == want && stored(seq)? == *e => last = seq,
                Some(seq) if seq == want => return Err(StoreError::IdConflict { id: e.id, seq }),
                Some(seq) => {
                    return Err(StoreError::BatchOverlapsLog {
                        present: events[0].id,
                        at: start,
                        other: e.id,
                        other_at: Some(seq),
                    });
                }
                None => {
                    return Err(StoreError::BatchOverlapsLog {
                        present: events[0].id,
                        at: start,
                        other: e.id,
                        other_at: None,
                    });
                }
            }
        }
        Ok(Admission::Present(last))
    }

    /// Makes staged records part of the ledger (after the store has made them durable).
    /// Returns the last sequence number.
    pub(crate) fn commit(&mut self, staged: Staged) -> Seq {
        let mut last = self.state.last_seq().unwrap_or_default();
        match staged.folded {
            true => {
                self.state.commit_changes();
                for (record, bytes, hash) in staged.records {
                    self.push_stored(hash, &bytes);
                    last = record.seq;
                }
            }
            false => {
                for (record, bytes, hash) in staged.records {
                    // Validated against this very state in `stage` (under the store's
                    // lock): folded in without validating a second time.
                    self.state.apply_prechecked(&record);
                    self.push_stored(hash, &bytes);
                    last = record.seq;
                }
            }
        }
        last
    }
}

/// The size of batch from which [`Ledger::stage`] encodes on a second thread: below it the
/// thread would cost more than it saves.
const ENCODE_APART: usize = 32;

/// The events numbered from `first`, and the index of the event after which no sequence
/// number is left, if there is one (the events after it are dropped: they are never reached).
fn numbered(first: Seq, events: Vec<Event>) -> (Vec<Record>, Option<usize>) {
    let mut records = Vec::with_capacity(events.len());
    let mut seq = Some(first);
    for (i, event) in events.into_iter().enumerate() {
        let Some(this) = seq else {
            return (records, i.checked_sub(1));
        };
        records.push(Record::new(this, event));
        seq = this.next();
    }
    let exhausted = seq
        .is_none()
        .then(|| records.len().checked_sub(1))
        .flatten();
    (records, exhausted)
}

/// Encodes records from any number of threads: each takes the next record no thread has
/// taken, until none is left or one fails (a record before the failed one is always finished,
/// since records are taken in order).
struct Encoder<'r> {
    records: &'r [Record],
    next: AtomicUsize,
    failed: AtomicBool,
    results: Vec<OnceLock<Result<Vec<u8>, StoreError>>>,
}

impl<'r> Encoder<'r> {
    fn new(records: &'r [Record]) -> Encoder<'r> {
        Encoder {
            records,
            next: AtomicUsize::new(0),
            failed: AtomicBool::new(false),
            results: records.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// Encodes records until none is left or one has failed.
    fn run(&self) {
        while !self.failed.load(Ordering::Relaxed) {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let (Some(record), Some(slot)) = (self.records.get(i), self.results.get(i)) else {
                return;
            };
            let encoded = encode_one(record);
            if encoded.is_err() {
                self.failed.store(true, Ordering::Relaxed);
            }
            let _ = slot.set(encoded);
        }
    }

    /// Each record's bytes or error, in order; `None` for a record never encoded.
    fn into_results(self) -> Vec<Option<Result<Vec<u8>, StoreError>>> {
        self.results.into_iter().map(OnceLock::into_inner).collect()
    }
}

/// One record's bytes, checked to read back as the same event.
///
/// # Errors
/// [`StoreError::Encode`], [`StoreError::TooLarge`] or [`StoreError::DoesNotRoundTrip`].
fn encode_one(record: &Record) -> Result<Vec<u8>, StoreError> {
    let bytes = serde_json::to_vec(&record.event).map_err(|e| StoreError::Encode {
        id: record.event.id,
        message: e.to_string(),
    })?;
    let max = crate::agreement::Agreement::LIMITS.event_bytes;
    if bytes.len() > max {
        return Err(StoreError::TooLarge {
            id: record.event.id,
            size: bytes.len() as u64,
            max: max as u64,
        });
    }
    // The round-trip law: what is written must read back as the very same event.
    match serde_json::from_slice::<Event>(&bytes) {
        Ok(back) if back == record.event => {}
        Ok(_) => {
            return Err(StoreError::DoesNotRoundTrip {
                seq: record.seq,
                id: record.event.id,
                message: "it reads back as a different event".into(),
            });
        }
        Err(e) => {
            return Err(StoreError::DoesNotRoundTrip {
                seq: record.seq,
                id: record.event.id,
                message: e.to_string(),
            });
        }
    }
    Ok(bytes)
}
