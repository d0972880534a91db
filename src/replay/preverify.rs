//! Verifying the signatures of a window of records on every core, in batches, before the fold.
//!
//! The fold checks each signature against the key its author holds at that point, which
//! depends on every earlier record; but the chain hashes around a record depend only on the
//! records' bytes, and the keys a signature can name are the few the log registers. So replay
//! works out each record's place (origin, number, previous chain hash) and Merkle leaf first,
//! verifies each signature with the registered key its key ID names, and hands the fold the
//! result: the fold then only checks that the key that verified is the author's at that point.
//! A hint that does not fit (another place, another key) is ignored and the fold verifies as
//! usual.
//!
//! Signatures are verified one at a time with `verify_strict`, exactly as `append` and file open
//! verify them, in chunks of [`BATCH`] records spread over every core (a fixed split of the
//! window, never dependent on the number of cores). Batch verification (`verify_batch`) is not
//! used: it accepts, with some probability, a signature whose `R` has a small-order component,
//! which `verify_strict` refuses, so replay and append would disagree on the same record (see
//! the security guide). A signature whose `R` is not canonical or of small order is not even
//! tried here (the fold refuses it).

#[cfg(feature = "transparency")]
use crate::agreement::PartyKey;
use crate::event::Record;
#[cfg(feature = "transparency")]
use crate::log::ChainHash;
use crate::state::{AgreementState, Verified};

/// How many records replay reads ahead and verifies together.
pub(crate) const WINDOW: usize = 2048;

/// How many records' signatures one task verifies.
#[cfg(feature = "transparency")]
const BATCH: usize = 256;

/// What verifying ahead carries from one window to the next: the log's origin, every key
/// registered so far (the genesis's, rotations', replacements') and the chain hash after the
/// last record seen. Worked out from the records alone, so that the next window can be verified
/// while the fold is still on this one.
#[cfg(feature = "transparency")]
pub(crate) struct Ahead {
    origin: Option<crate::event::LogOrigin>,
    keys: Keyring,
    head: ChainHash,
    /// Nothing seen yet and the state is empty: the first record may be a signed genesis.
    fresh: bool,
}

/// Registered keys by key ID, parsed.
#[cfg(feature = "transparency")]
type Keyring = std::collections::BTreeMap<u32, Vec<(PartyKey, crate::transparency::VerifierKey)>>;

#[cfg(feature = "transparency")]
fn register(keys: &mut Keyring, key: &PartyKey) {
    if let (Some(id), Ok(parsed)) = (
        key.key_id(),
        crate::transparency::VerifierKey::parse(key.as_str()),
    ) {
        let entry = keys.entry(id).or_default();
        if !entry.iter().any(|(k, _)| k == key) {
            entry.push((key.clone(), parsed));
        }
    }
}

#[cfg(feature = "transparency")]
impl Ahead {
    /// Verifying ahead of `state`'s last record.
    pub(crate) fn new(state: &AgreementState) -> Ahead {
        let (registered, head) = state.registered_keys();
        let mut keys = Keyring::new();
        for key in registered {
            register(&mut keys, key);
        }
        Ahead {
            origin: state.origin().cloned(),
            keys,
            head: head.unwrap_or(ChainHash::ZERO),
            fresh: state.last_seq().is_none(),
        }
    }

    /// The hints for `records`, which follow the records seen so far: empty for an unsigned
    /// log.
    pub(crate) fn window(&mut self, records: &[&Record]) -> Vec<Verified> {
        use crate::event::{LogOrigin, Payload};
        use crate::transparency::{TreeHash, leaf_hash};

        let Some(first) = records.first() else {
            return Vec::new();
        };
        if std::mem::take(&mut self.fresh)
            && let Payload::AgreementConcluded(a) = &first.event.payload
            && !a.signing.is_unsigned()
        {
            self.origin = Some(LogOrigin::of_genesis(&first.event));
            self.head = ChainHash::ZERO;
            for key in a.signing.keys.values() {
                register(&mut self.keys, key);
            }
        }
        let Some(origin) = self.origin.clone() else {
            return Vec::new();
        };
        for r in records {
            match &r.event.payload {
                Payload::KeyRotated { key }
                | Payload::KeyRevoked {
                    replacement: Some(key),
                    ..
                } => register(&mut self.keys, key),
                _ => {}
            }
        }
        let cores = std::thread::available_parallelism().map_or(1, usize::from);

        // Each record's stored bytes and Merkle leaf, on every core.
        let mut stored: Vec<(Vec<u8>, TreeHash)> =
            vec![(Vec::new(), leaf_hash(&[])); records.len()];
        let share = records.len().div_ceil(cores).max(1);
        std::thread::scope(|scope| {
            for (rs, out) in records.chunks(share).zip(stored.chunks_mut(share)) {
                scope.spawn(move || {
                    for (r, slot) in rs.iter().zip(out.iter_mut()) {
                        let bytes = serde_json::to_vec(&r.event).unwrap_or_default();
                        let leaf = leaf_hash(&bytes);
                        *slot = (bytes, leaf);
                    }
                });
            }
        });

        // The chain, in order.
        let mut prev = self.head;
        let mut out: Vec<Verified> = records
            .iter()
            .zip(&stored)
            .map(|(r, (bytes, leaf))| {
                let next = prev.link(r.seq, bytes);
                let v = Verified {
                    seq: r.seq,
                    prev,
                    next,
                    key: None,
                    leaf: *leaf,
                };
                prev = next;
                v
            })
            .collect();
        self.head = prev;

        // The signatures, a batch of records at a time, the batches spread over every core.
        let batches: Vec<_> = records
            .chunks(BATCH)
            .zip(stored.chunks(BATCH))
            .zip(out.chunks_mut(BATCH))
            .collect();
        let per_core = batches.len().div_ceil(cores).max(1);
        let mut batches = batches.into_iter();
        let (origin, keys) = (&origin, &self.keys);
        std::thread::scope(|scope| {
            loop {
                let mine: Vec<_> = batches.by_ref().take(per_core).collect();
                if mine.is_empty() {
                    break;
                }
                scope.spawn(move || {
                    for ((rs, ss), vs) in mine {
                        verify_batch(origin, keys, rs, ss, vs);
                    }
                });
            }
        });
        out
    }
}

/// Verifies one chunk of records' signatures with `verify_strict` and notes in `verified` the
/// key each verified with.
#[cfg(feature = "transparency")]
fn verify_batch(
    origin: &crate::event::LogOrigin,
    by_id: &Keyring,
    records: &[&Record],
    stored: &[(Vec<u8>, crate::transparency::TreeHash)],
    verified: &mut [Verified],
) {
    use crate::event::SigningContext;
    use crate::transparency::{Signature, VerifierKey, strict_r};

    struct Item<'a> {
        at: usize,
        message: Vec<u8>,
        signature: Signature,
        candidates: &'a [(PartyKey, VerifierKey)],
    }
    let mut items = Vec::with_capacity(records.len());
    for (at, ((r, (bytes, _)), v)) in records.iter().zip(stored).zip(&*verified).enumerate() {
        let Some(sig) = &r.event.signature else {
            continue;
        };
        let Ok(signature) = Signature::from_slice(&sig.bytes) else {
            continue;
        };
        let Some(candidates) = by_id.get(&sig.key_id) else {
            continue;
        };
        if !strict_r(signature.as_dalek()) {
            // `verify_strict` refuses it; the batch would not check it: left to the fold.
            continue;
        }
        let place = SigningContext {
            origin: origin.clone(),
            seq: v.seq,
            prev: v.prev,
        };
        items.push(Item {
            at,
            message: place.signed_bytes_from_stored(&r.event, bytes),
            signature,
            candidates,
        });
    }
    for item in items {
        let key = item
            .candidates
            .iter()
            .find(|(_, k)| k.verify(&item.message, &item.signature).is_ok())
            .map(|(key, _)| key.clone());
        if let Some(v) = verified.get_mut(item.at) {
            v.key = key;
        }
    }
}

/// Without the `transparency` feature no log is signed: no hints.
#[cfg(not(feature = "transparency"))]
pub(crate) struct Ahead;

#[cfg(not(feature = "transparency"))]
impl Ahead {
    /// Nothing to verify ahead.
    pub(crate) fn new(_: &AgreementState) -> Ahead {
        Ahead
    }

    /// No hints.
    #[allow(clippy::unused_self)]
    pub(crate) fn window(&mut self, _: &[&Record]) -> Vec<Verified> {
        Vec::new()
    }
}
