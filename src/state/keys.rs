//! The key registry of a signed agreement: each party's keys over the log, pending
//! revocations, the chain hash signatures bind, and acknowledged checkpoints.
//!
//! It is empty (and absent from snapshots) for an unsigned agreement. For a signed one the
//! state keeps the chain hash after the last record itself, computed over each record's
//! stored bytes as it is folded (or skipped by lenient replay), so that `apply`, replay and
//! every store verify signatures with the same rule and without being handed the chain.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::agreement::{PartyKey, SignaturePolicy, Signing};
use crate::event::{Event, LogOrigin, Payload, Record, SigningContext, TreeRoot};
use crate::id::{EventId, PartyId, Seq};
use crate::log::ChainHash;

mod events;
use crate::state::{AgreementState, Rejection, SignatureFault};

/// What replay worked out for one record before the fold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Verified {
    /// The record's sequence number.
    pub(crate) seq: Seq,
    /// The chain hash before it.
    pub(crate) prev: ChainHash,
    /// The chain hash after it.
    pub(crate) next: ChainHash,
    /// The key its signature verified with (for the log's origin, `seq` and `prev`).
    pub(crate) key: Option<PartyKey>,
    /// Its Merkle leaf hash (of the same bytes the chain links).
    #[cfg(feature = "transparency")]
    pub(crate) leaf: crate::transparency::TreeHash,
}

/// How a key stopped being valid.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum KeyEnd {
    /// Its holder rotated it (an event signed by it).
    Rotated,
    /// A quorum of other parties revoked it.
    Revoked,
}

/// A key and the records it is valid for: sequence numbers `from` up to, not including,
/// `until`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySpan {
    /// The key.
    pub key: PartyKey,
    /// The first record it may sign.
    pub from: Seq,
    /// The first record it may no longer sign, once it has ended.
    pub until: Option<Seq>,
    /// How it ended.
    pub ended: Option<KeyEnd>,
}

/// A party's acknowledgement of the log's Merkle tree at a size.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointAck {
    /// The acknowledging event's sequence number.
    pub seq: Seq,
    /// The acknowledging event.
    pub event: EventId,
    /// The tree size acknowledged.
    pub size: u64,
    /// The root acknowledged.
    pub root: TreeRoot,
}

/// A pending revocation: who approved revoking which key for which replacement.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Pending {
    party: PartyId,
    key: PartyKey,
    replacement: Option<PartyKey>,
    approvers: BTreeSet<PartyId>,
}

/// The registry, part of the state's facts (absent from snapshots when empty).
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Keys {
    policy: SignaturePolicy,
    origin: Option<LogOrigin>,
    /// The chain hash after the last record folded or skipped.
    head: Option<ChainHash>,
    revocation_quorum: u8,
    checkpoint_quorum: u8,
    history: BTreeMap<PartyId, Vec<KeySpan>>,
    pending: Vec<Pending>,
    acks: BTreeMap<PartyId, CheckpointAck>,
    joint: Option<CheckpointAck>,
    /// The right edge of the Merkle tree over the records folded or skipped (their stored
    /// bytes, as the chain links them): the root at the current size, in O(log n) hashes.
    #[cfg(feature = "transparency")]
    #[serde(
        default,
        skip_serializing_if = "crate::transparency::Frontier::is_empty"
    )]
    tree: crate::transparency::Frontier,
    /// The root at every size acknowledged so far (each checked when first acknowledged, at
    /// the log's size then), so that other parties can cosign it later.
    #[cfg(feature = "transparency")]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    roots: BTreeMap<u64, TreeRoot>,
    #[cfg(feature = "transparency")]
    #[serde(skip)]
    parsed: Parsed,
    #[serde(skip)]
    hint: Hint,
}

/// The hint for the record being applied; not a fact (compares equal whatever it holds).
#[derive(Clone, Debug, Default)]
struct Hint(Option<Verified>);

impl PartialEq for Hint {
    fn eq(&self, _: &Hint) -> bool {
        true
    }
}

/// Verifier keys parsed once when the log registers them, so that a signature check does not
/// parse its key again. Not a fact: it compares equal whatever it holds, and a state read from
/// a snapshot starts without it (keys are then parsed as they are used).
#[cfg(feature = "transparency")]
#[derive(Clone, Debug, Default)]
struct Parsed(BTreeMap<PartyKey, crate::transparency::VerifierKey>);

#[cfg(feature = "transparency")]
impl PartialEq for Parsed {
    fn eq(&self, _: &Parsed) -> bool {
        true
    }
}

impl Keys {
    /// Nothing registered: an unsigned log.
    pub(crate) fn is_empty(&self) -> bool {
        self.origin.is_none()
    }

    fn current(&self, party: &PartyId) -> Option<&PartyKey> {
        self.history
            .get(party)?
            .last()
            .filter(|s| s.until.is_none())
            .map(|s| &s.key)
    }

    /// Parses a key the log registers (validation has checked it) and keeps it.
    fn remember(&mut self, key: &PartyKey) {
        #[cfg(feature = "transparency")]
        if let Ok(parsed) = crate::transparency::VerifierKey::parse(key.as_str()) {
            self.parsed.0.insert(key.clone(), parsed);
        }
        #[cfg(not(feature = "transparency"))]
        let _ = key;
    }

    fn used(&self, key: &PartyKey) -> bool {
        self.history.values().flatten().any(|s| &s.key == key)
    }
}

impl fmt::Display for KeyEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyEnd::Rotated => "rotated",
            KeyEnd::Revoked => "revoked",
        })
    }
}

impl AgreementState {
    /// Whether the agreement requires signatures.
    #[must_use]
    pub fn signature_policy(&self) -> SignaturePolicy {
        self.facts.keys.policy
    }

    /// Whether the log is a signed one: its agreement registers keys or requires signatures.
    #[must_use]
    pub fn is_signed(&self) -> bool {
        !self.facts.keys.is_empty()
    }

    /// The log's origin (signed logs only): what its signatures and checkpoints bind.
    #[must_use]
    pub fn origin(&self) -> Option<&LogOrigin> {
        self.facts.keys.origin.as_ref()
    }

    /// The key valid for `party` at record `seq`, if any.
    #[must_use]
    pub fn key_at(&self, party: &PartyId, seq: Seq) -> Option<&PartyKey> {
        self.facts
            .keys
            .history
            .get(party)?
            .iter()
            .find(|s| s.from <= seq && s.until.is_none_or(|u| seq < u))
            .map(|s| &s.key)
    }

    /// Every key `party` has held, oldest first.
    #[must_use]
    pub fn key_history(&self, party: &PartyId) -> &[KeySpan] {
        self.facts
            .keys
            .history
            .get(party)
            .map_or(&[][..], Vec::as_slice)
    }

    /// The latest checkpoint `party` acknowledged.
    #[must_use]
    pub fn acknowledged_checkpoint(&self, party: &PartyId) -> Option<&CheckpointAck> {
        self.facts.keys.acks.get(party)
    }

    /// The latest checkpoint acknowledged (as their latest) by at least the agreement's
    /// checkpoint quorum of parties; the acknowledgement that met the quorum.
    #[must_use]
    pub fn joint_checkpoint(&self) -> Option<&CheckpointAck> {
        self.facts.keys.joint.as_ref()
    }

    /// Where the next event must be signed to stand (signed logs only).
    #[must_use]
    pub fn signing_context(&self) -> Option<SigningContext> {
        let keys = &self.facts.keys;
        Some(SigningContext {
            origin: keys.origin.clone()?,
            seq: self.next_seq(),
            prev: keys.head?,
        })
    }

    /// Every key the log has registered so far, and the chain hash after the last record.
    #[cfg(feature = "transparency")]
    pub(crate) fn registered_keys(&self) -> (Vec<&PartyKey>, Option<ChainHash>) {
        let keys = &self.facts.keys;
        let all = keys.history.values().flatten().map(|s| &s.key).collect();
        (all, keys.head)
    }

    /// Gives the fold what replay verified ahead for the next record (or clears it).
    pub(crate) fn set_hint(&mut self, hint: Option<Verified>) {
        self.facts.keys.hint = Hint(hint);
    }

    /// The hint, if it is for record `seq` standing after `prev`.
    fn hint_for(&self, seq: Seq, prev: ChainHash) -> Option<&Verified> {
        self.facts
            .keys
            .hint
            .0
            .as_ref()
            .filter(|h| h.seq == seq && h.prev == prev)
    }

    /// Checks the event's signature against the key valid for its author here.
    pub(crate) fn check_signature(&self, record: &Record) -> Result<(), Rejection> {
        let event = &record.event;
        let genesis = match &event.payload {
            Payload::AgreementConcluded(a) if self.facts.genesis.is_none() => Some(&a.signing),
            _ => None,
        };
        let (policy, active) = match genesis {
            Some(s) => (s.policy, !s.is_unsigned()),
            None => (self.facts.keys.policy, !self.facts.keys.is_empty()),
        };
        let fault = |f| Err(Rejection::Signature(f));
        let author = || event.author.clone();
        let Some(sig) = &event.signature else {
            let needed = policy == SignaturePolicy::Required
                || (active && matches!(event.payload, Payload::KeyRotated { .. }));
            return if needed {
                fault(SignatureFault::Missing { author: author() })
            } else {
                Ok(())
            };
        };
        if !active {
            return fault(SignatureFault::NoKey { author: author() });
        }
        let (current, place) = match genesis {
            Some(s) => (s.keys.get(&event.author), SigningContext::genesis(event)),
            None => match self.signing_context() {
                Some(place) => (self.facts.keys.current(&event.author), place),
                None => return fault(SignatureFault::NoKey { author: author() }),
            },
        };
        let Some(current) = current.filter(|k| k.key_id() == Some(sig.key_id)) else {
            return Err(Rejection::Signature(
                self.misattributed(event, sig.key_id, genesis),
            ));
        };
        if self
            .hint_for(record.seq, place.prev)
            .is_some_and(|h| h.key.as_ref() == Some(current))
        {
            // Verified ahead, in parallel, for this very place and key.
            return Ok(());
        }
        verify(&self.facts.keys, current, &place.signed_bytes(event), sig).map_err(|()| {
            Rejection::Signature(SignatureFault::DoesNotVerify {
                author: author(),
                key_id: sig.key_id,
            })
        })
    }

    /// Names what is wrong with a signature by a key that is not the author's current one.
    fn misattributed(
        &self,
        event: &Event,
        key_id: u32,
        genesis: Option<&Signing>,
    ) -> SignatureFault {
        let author = event.author.clone();
        let keys = &self.facts.keys;
        if let Some(span) = keys
            .history
            .get(&author)
            .into_iter()
            .flatten()
            .find(|s| s.key.key_id() == Some(key_id) && s.until.is_some())
            && let (Some(at), Some(end)) = (span.until, span.ended)
        {
            return match end {
                KeyEnd::Rotated => SignatureFault::RotatedKey { author, key_id, at },
                KeyEnd::Revoked => SignatureFault::RevokedKey { author, key_id, at },
            };
        }
        let holder = match genesis {
            Some(s) => s
                .keys
                .iter()
                .find(|(_, k)| k.key_id() == Some(key_id))
                .map(|(p, _)| p.clone()),
            None => keys
                .history
                .iter()
                .find(|(_, spans)| spans.iter().any(|s| s.key.key_id() == Some(key_id)))
                .map(|(p, _)| p.clone()),
        };
        if holder.is_none()
            && genesis
                .map_or(keys.current(&author), |s| s.keys.get(&author))
                .is_none()
        {
            return SignatureFault::NoKey { author };
        }
        SignatureFault::WrongKey {
            author,
            key_id,
            holder,
        }
    }

    /// Advances the chain hash over a record lenient replay skipped (it is still in the log).
    pub(crate) fn skip_record(&mut self, record: &Record) {
        self.skip_seq(record.seq);
        if !self.facts.keys.is_empty() {
            self.advance_chain_at(record.seq, &record.event);
        }
    }

    fn advance_chain(&mut self, event: &Event) {
        if let Some(seq) = self.facts.last_seq {
            self.advance_chain_at(seq, event);
        }
    }

    fn advance_chain_at(&mut self, seq: Seq, event: &Event) {
        let prev = self.facts.keys.head.unwrap_or(ChainHash::ZERO);
        #[cfg(feature = "transparency")]
        let (next, leaf) = match self.hint_for(seq, prev) {
            Some(h) => (h.next, h.leaf),
            None => {
                // The stored bytes: what every store writes and hashes.
                let bytes = serde_json::to_vec(event).unwrap_or_default();
                (
                    prev.link(seq, &bytes),
                    crate::transparency::leaf_hash(&bytes),
                )
            }
        };
        #[cfg(not(feature = "transparency"))]
        let next = match self.hint_for(seq, prev) {
            Some(h) => h.next,
            None => prev.link(seq, &serde_json::to_vec(event).unwrap_or_default()),
        };
        self.facts.keys.head = Some(next);
        #[cfg(feature = "transparency")]
        self.facts.keys.tree.push(leaf);
    }

    /// The log's Merkle root at `size`, if the state holds it: at the current size (the
    /// records folded or skipped so far), at 0, or at a size acknowledged before.
    #[cfg(feature = "transparency")]
    pub(crate) fn merkle_root_at(&self, size: u64) -> Option<TreeRoot> {
        let keys = &self.facts.keys;
        if size == keys.tree.len() {
            return Some(TreeRoot::from(keys.tree.root()));
        }
        if size == 0 {
            return Some(TreeRoot::from(crate::transparency::empty_root()));
        }
        keys.roots.get(&size).copied()
    }
}

#[cfg(feature = "transparency")]
fn verify(
    keys: &Keys,
    key: &PartyKey,
    message: &[u8],
    sig: &crate::event::EventSignature,
) -> Result<(), ()> {
    let sig = crate::transparency::Signature::from_slice(&sig.bytes).map_err(|_| ())?;
    match keys.parsed.0.get(key) {
        Some(parsed) => parsed.verify(message, &sig).map_err(|_| ()),
        None => crate::transparency::VerifierKey::parse(key.as_str())
            .map_err(|_| ())?
            .verify(message, &sig)
            .map_err(|_| ()),
    }
}

#[cfg(not(feature = "transparency"))]
fn verify(_: &Keys, _: &PartyKey, _: &[u8], _: &crate::event::EventSignature) -> Result<(), ()> {
    // Unreachable in practice: an agreement with keys is refused without the feature.
    Err(())
}
