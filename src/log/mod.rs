//! The append-only log: one storage contract ([`Store`]), the in-memory [`EventLog`], and the
//! hash chain every store keeps.
//!
//! Every store follows the same contract, checked by the shared suite in
//! `ceasefire::testing::contract` (feature `proptest`):
//! - `append` takes an expected version (optimistic concurrency): [`ExpectedVersion::Any`], or
//!   [`ExpectedVersion::Exactly`] the number of records the writer last saw.
//! - An event is validated against the current state with the same rules replay uses; a refused
//!   append returns a typed error and leaves the log exactly as it was.
//! - Appending an event whose id is already in the log returns its existing sequence number if
//!   the event is identical, and [`StoreError::IdConflict`] if it is not; this check comes
//!   before the version check, so a retried append is idempotent.
//! - A batch is all-or-nothing.
//! - The head names the number of records and the hash of the last one; a head published
//!   earlier can be checked with [`Store::verify_extends`].

mod chain;
mod copy;
mod ledger;
mod memory;

use serde::{Deserialize, Serialize};

use crate::event::{Event, Record};
use crate::id::{EventId, Seq};
use crate::state::{AgreementState, Refused};

pub use chain::{ChainHash, HexError};
pub use copy::copy_log;
#[cfg(feature = "postgres")]
pub(crate) use ledger::Staged;
pub(crate) use ledger::{Admission, Ledger};
pub use memory::EventLog;

/// The version a writer expects the log to be at: the number of records it holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum ExpectedVersion {
    /// Append whatever the log holds.
    Any,
    /// Append only if the log holds exactly this many records (0: empty).
    Exactly(u64),
}

/// The head of a log: how many records it holds and the chain hash of the last one.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Head {
    /// The number of records (the last sequence number; 0 when empty).
    pub version: u64,
    /// The chain hash after the last record ([`ChainHash::ZERO`] when empty).
    pub hash: ChainHash,
}

impl Head {
    /// The head of an empty log.
    pub const EMPTY: Head = Head {
        version: 0,
        hash: ChainHash::ZERO,
    };
}

impl std::fmt::Display for Head {
    /// `version 42, hash 3f2a…` (the whole hash, so it can be compared and published).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "version {}, hash {}", self.version, self.hash)
    }
}

/// How a log differs from a head it should extend.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Divergence {
    /// The log is shorter: it holds only this many records (truncated).
    Shorter {
        /// How many records it holds.
        records: u64,
    },
    /// The log has another chain hash at the head's version (rewritten).
    OtherHash {
        /// The hash the log has there.
        hash: ChainHash,
    },
    /// The log has another Merkle root at a checkpoint's size (rewritten).
    #[cfg(feature = "transparency")]
    OtherRoot {
        /// The root the log has there.
        root: crate::transparency::TreeHash,
    },
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Divergence::Shorter { records } => write!(f, "it holds only {records} records"),
            Divergence::OtherHash { hash } => write!(f, "its chain hash there is {hash}"),
            #[cfg(feature = "transparency")]
            Divergence::OtherRoot { root } => write!(f, "its Merkle root there is {root}"),
        }
    }
}

/// Why a store refused an operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The rules refused the event; nothing was written.
    #[error("{0}")]
    Rejected(Refused),
    /// The log is not at the expected version; nothing was written.
    #[error("expected the log at version {expected}, but it is at {actual}")]
    WrongExpectedVersion {
        /// What the writer expected.
        expected: u64,
        /// What the log holds.
        actual: u64,
    },
    /// The id is in the log with different content; nothing was written.
    #[error("event id {id} is already in the log at {seq} with different content")]
    IdConflict {
        /// The id.
        id: EventId,
        /// Where it is.
        seq: Seq,
    },
    /// A batch begins with an event already in the log but is not an exact retry of what
    /// the log holds from there (another event is new, or elsewhere); nothing was written.
    #[error(
        "the batch is neither new nor a retry: its first event {present} is already in the log at {at}, but event {other} is {}",
        match other_at { Some(seq) => format!("at {seq}, out of the batch's order"), None => "not in the log".to_string() }
    )]
    BatchOverlapsLog {
        /// The batch's first event, already in the log.
        present: EventId,
        /// Where it is.
        at: Seq,
        /// The first event of the batch that breaks the retry.
        other: EventId,
        /// Where that event is in the log, if it is.
        other_at: Option<Seq>,
    },
    /// The log holds `u64::MAX` records: no sequence number is left.
    #[error("the log has no sequence numbers left")]
    SequenceExhausted,
    /// The event would be written in a form that does not read back as the same event (a
    /// value outside what the format represents); nothing was written.
    #[error(
        "event {id} was refused as record {seq}: its stored form does not read back ({message})"
    )]
    DoesNotRoundTrip {
        /// The sequence number it would have had.
        seq: Seq,
        /// Its id.
        id: EventId,
        /// What went wrong reading it back.
        message: String,
    },
    /// An empty batch.
    #[error("a batch must hold at least one event")]
    EmptyBatch,
    /// The event's record would be larger than the store accepts; nothing was written.
    #[error(
        "event {id} would be a record of {size} bytes, more than the {max} bytes the store accepts"
    )]
    TooLarge {
        /// The event.
        id: EventId,
        /// The size of its record, in bytes.
        size: u64,
        /// The store's maximum, in bytes.
        max: u64,
    },
    /// The event could not be encoded.
    #[error("event {id} could not be encoded: {message}")]
    Encode {
        /// The event.
        id: EventId,
        /// The encoder's message.
        message: String,
    },
    /// A published head that this log does not extend (truncated or rewritten).
    #[error("the log does not extend the head at version {version}: {found}")]
    DoesNotExtend {
        /// The head's version.
        version: u64,
        /// What the log has there instead.
        found: Divergence,
    },
    /// An input/output error.
    #[error("i/o error while {action}: {source}")]
    Io {
        /// What the store was doing.
        action: &'static str,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A thread panicked while it held the store's lock; the store refuses to go on, since
    /// what that thread was doing may be half done in memory.
    #[error("a thread panicked while holding the log's lock; open the log again")]
    LockPoisoned,
    /// A write or sync failed earlier; the store refuses appends until it is reopened.
    #[error("a write or sync failed earlier; reopen the log before appending")]
    Poisoned,
    /// The store was opened read-only.
    #[error("the log was opened read-only")]
    ReadOnly,
    /// Stored data failed an integrity check while being read.
    #[error("record at line {line} (byte offset {offset}) is damaged: {reason}")]
    Corrupt {
        /// The line (1-based).
        line: u64,
        /// The byte offset of the line's start.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// Another backend's error.
    #[error("storage backend error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The storage contract. Every method takes `&self`: a store is shared between threads and
/// serializes writers itself.
pub trait Store {
    /// Appends one event after validating it; returns its sequence number (the existing one
    /// if the identical event is already in the log).
    ///
    /// # Errors
    /// [`StoreError::IdConflict`], [`StoreError::WrongExpectedVersion`],
    /// [`StoreError::Rejected`], or a backend error; the log is then unchanged.
    fn append(&self, expected: ExpectedVersion, event: Event) -> Result<Seq, StoreError>;

    /// Appends one event after whatever the log holds: [`Store::append`] with
    /// [`ExpectedVersion::Any`], for writers that do not do optimistic concurrency.
    ///
    /// # Errors
    /// As [`Store::append`], except for the version check.
    fn append_next(&self, event: Event) -> Result<Seq, StoreError> {
        self.append(ExpectedVersion::Any, event)
    }

    /// Appends events all-or-nothing; returns the last sequence number. A batch whose events
    /// are all already in the log, identical and in order, is a retry and returns the
    /// existing last number.
    ///
    /// # Errors
    /// As [`Store::append`], for the first event that fails, and [`StoreError::EmptyBatch`];
    /// the log is then unchanged.
    fn append_batch(
        &self,
        expected: ExpectedVersion,
        events: Vec<Event>,
    ) -> Result<Seq, StoreError>;

    /// Up to `limit` records from `from` on, in order.
    ///
    /// # Errors
    /// A backend error.
    fn read(&self, from: Seq, limit: usize) -> Result<Vec<Record>, StoreError>;

    /// The head.
    ///
    /// # Errors
    /// A backend error.
    fn head(&self) -> Result<Head, StoreError>;

    /// The chain hash after record `version` (`ChainHash::ZERO` for 0), if the log is that
    /// long.
    ///
    /// # Errors
    /// A backend error.
    fn hash_at(&self, version: u64) -> Result<Option<ChainHash>, StoreError>;

    /// A copy of the current state. To read it without copying, use [`Store::with_state`].
    ///
    /// # Errors
    /// A backend error.
    fn state(&self) -> Result<AgreementState, StoreError>;

    /// Runs `f` on the current state. The in-memory and file stores lend their state without
    /// copying it; the default copies it with [`Store::state`].
    ///
    /// # Errors
    /// A backend error.
    fn with_state<R>(&self, f: impl FnOnce(&AgreementState) -> R) -> Result<R, StoreError>
    where
        Self: Sized,
    {
        Ok(f(&self.state()?))
    }

    /// Lends `f` the RFC 9162 Merkle tree over the log's records, beside the hash chain:
    /// leaf `i` is record `i + 1`'s exact stored bytes (see the format guide, "Merkle
    /// tree"). The crate's stores keep the tree as records are appended or read back when the
    /// log is opened, and lend it without copying; the default, for other stores, builds it
    /// from the records on every call. The other Merkle methods are built on this one.
    ///
    /// # Errors
    /// A backend error.
    #[cfg(feature = "transparency")]
    fn with_merkle_tree(
        &self,
        f: &mut dyn FnMut(&crate::transparency::MerkleTree),
    ) -> Result<(), StoreError> {
        f(&build_merkle_tree(self)?);
        Ok(())
    }

    /// A copy of the log's Merkle tree (see [`Store::with_merkle_tree`], which lends it
    /// without copying).
    ///
    /// # Errors
    /// A backend error.
    #[cfg(feature = "transparency")]
    fn merkle_tree(&self) -> Result<crate::transparency::MerkleTree, StoreError> {
        let mut copy = crate::transparency::MerkleTree::new();
        self.with_merkle_tree(&mut |tree| copy = tree.clone())?;
        Ok(copy)
    }

    /// The checkpoint of the log at `size` records: its origin (derived from the genesis,
    /// [`crate::event::LogOrigin`]), the size and the Merkle root there, ready to be signed.
    ///
    /// # Errors
    /// [`StoreError::DoesNotExtend`] if the log is empty or shorter than `size`, or a
    /// backend error.
    #[cfg(feature = "transparency")]
    fn checkpoint(&self, size: u64) -> Result<crate::transparency::Checkpoint, StoreError> {
        let short = |records: u64| StoreError::DoesNotExtend {
            version: size,
            found: Divergence::Shorter { records },
        };
        let genesis = self
            .read(Seq::FIRST, 1)?
            .into_iter()
            .next()
            .ok_or(short(0))?;
        let mut root = Err(short(0));
        self.with_merkle_tree(&mut |tree| {
            root = tree.root_at(size).map_err(|_| short(tree.len()));
        })?;
        let root = root?;
        let origin = crate::event::LogOrigin::of_genesis(&genesis.event);
        crate::transparency::Checkpoint::new(origin.as_str(), size, root).map_err(|e| {
            StoreError::Encode {
                id: genesis.event.id,
                message: e.to_string(),
            }
        })
    }

    /// Checks that the log still holds what a checkpoint published earlier says: at least
    /// its number of records, and the same Merkle root at that size. Detects truncation and
    /// rewriting (check the checkpoint's signatures first, e.g. with
    /// [`crate::transparency::Quorum::check`]).
    ///
    /// # Errors
    /// [`StoreError::DoesNotExtend`] naming what differs, or a backend error.
    #[cfg(feature = "transparency")]
    fn verify_checkpoint(
        &self,
        checkpoint: &crate::transparency::Checkpoint,
    ) -> Result<(), StoreError> {
        let mut found = Some(Divergence::Shorter { records: 0 });
        self.with_merkle_tree(&mut |tree| {
            found = match tree.root_at(checkpoint.size) {
                Ok(root) if root == checkpoint.root => None,
                Ok(root) => Some(Divergence::OtherRoot { root }),
                Err(_) => Some(Divergence::Shorter {
                    records: tree.len(),
                }),
            };
        })?;
        match found {
            None => Ok(()),
            Some(found) => Err(StoreError::DoesNotExtend {
                version: checkpoint.size,
                found,
            }),
        }
    }

    /// Checks that the log still extends a head published earlier: it holds at least that
    /// many records and the chain hash there is the same. Detects truncation and rewriting.
    ///
    /// # Errors
    /// [`StoreError::DoesNotExtend`] if it does not, or a backend error.
    fn verify_extends(&self, head: &Head) -> Result<(), StoreError> {
        match self.hash_at(head.version)? {
            Some(hash) if hash == head.hash => Ok(()),
            Some(hash) => Err(StoreError::DoesNotExtend {
                version: head.version,
                found: Divergence::OtherHash { hash },
            }),
            None => Err(StoreError::DoesNotExtend {
                version: head.version,
                found: Divergence::Shorter {
                    records: self.head()?.version,
                },
            }),
        }
    }
}

/// The Merkle tree of a store that does not keep one, built from its records as read.
#[cfg(feature = "transparency")]
fn build_merkle_tree<S: Store + ?Sized>(
    store: &S,
) -> Result<crate::transparency::MerkleTree, StoreError> {
    let mut tree = crate::transparency::MerkleTree::new();
    let mut from = Seq::FIRST;
    loop {
        let chunk = store.read(from, 4096)?;
        let Some(last) = chunk.last() else {
            return Ok(tree);
        };
        let next = last.seq.next().ok_or(StoreError::SequenceExhausted)?;
        for r in &chunk {
            let bytes = serde_json::to_vec(&r.event).map_err(|e| StoreError::Encode {
                id: r.event.id,
                message: e.to_string(),
            })?;
            tree.push_data(&bytes);
        }
        from = next;
    }
}
