//! Verifying the signatures of a window of records on every core before the fold.
//!
//! The fold checks each signature against the key its author holds at that point, which
//! depends on every earlier record; but the chain hashes around a record depend only on the
//! records' bytes, and the keys a signature can name are the few the log registers. So replay
//! works out each record's place (origin, number, previous chain hash) first, verifies each
//! signature with the registered key its key ID names, spread over the available cores, and
//! hands the fold the result: the fold then only checks that the key that verified is the
//! author's at that point. A hint that does not fit (another place, another key) is ignored
//! and the fold verifies as usual, so the outcome is the same as without it.

#[cfg(feature = "transparency")]
use crate::agreement::PartyKey;
use crate::event::Record;
#[cfg(feature = "transparency")]
use crate::log::ChainHash;
use crate::state::{AgreementState, Verified};

/// How many records replay reads ahead and verifies together.
pub(crate) const WINDOW: usize = 2048;

/// The hints for `records`, which follow `state`'s last record: empty for an unsigned log.
#[cfg(feature = "transparency")]
pub(crate) fn window(state: &AgreementState, records: &[&Record]) -> Vec<Verified> {
    use std::collections::BTreeMap;

    use crate::event::{LogOrigin, Payload, SigningContext};
    use crate::transparency::{Signature, VerifierKey};

    let Some(first) = records.first() else {
        return Vec::new();
    };
    let (mut keys, head) = state.registered_keys();
    let genesis = match &first.event.payload {
        Payload::AgreementConcluded(a)
            if state.last_seq().is_none() && !a.signing.is_unsigned() =>
        {
            keys.extend(a.signing.keys.values());
            true
        }
        _ => false,
    };
    let origin = match state.origin() {
        Some(o) => o.clone(),
        None if genesis => LogOrigin::of_genesis(&first.event),
        None => return Vec::new(),
    };
    for r in records {
        match &r.event.payload {
            Payload::KeyRotated { key }
            | Payload::KeyRevoked {
                replacement: Some(key),
                ..
            } => keys.push(key),
            _ => {}
        }
    }
    let mut by_id: BTreeMap<u32, Vec<(PartyKey, VerifierKey)>> = BTreeMap::new();
    for key in keys {
        if let (Some(id), Ok(parsed)) = (key.key_id(), VerifierKey::parse(key.as_str())) {
            let entry = by_id.entry(id).or_default();
            if !entry.iter().any(|(k, _)| k == key) {
                entry.push((key.clone(), parsed));
            }
        }
    }
    let mut prev = if genesis {
        ChainHash::ZERO
    } else {
        head.unwrap_or(ChainHash::ZERO)
    };
    let mut out: Vec<Verified> = records
        .iter()
        .map(|r| {
            let bytes = serde_json::to_vec(&r.event).unwrap_or_default();
            let next = prev.link(r.seq, &bytes);
            let v = Verified {
                seq: r.seq,
                prev,
                next,
                key: None,
            };
            prev = next;
            v
        })
        .collect();
    let verify = |r: &Record, v: &Verified| -> Option<PartyKey> {
        let sig = r.event.signature.as_ref()?;
        let signature = Signature::from_slice(&sig.bytes).ok()?;
        let place = SigningContext {
            origin: origin.clone(),
            seq: v.seq,
            prev: v.prev,
        };
        let message = place.signed_bytes(&r.event);
        by_id
            .get(&sig.key_id)?
            .iter()
            .find(|(_, k)| k.verify(&message, &signature).is_ok())
            .map(|(key, _)| key.clone())
    };
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = records.len().div_ceil(cores).max(64);
    std::thread::scope(|scope| {
        for (rs, vs) in records.chunks(chunk).zip(out.chunks_mut(chunk)) {
            scope.spawn(|| {
                for (r, v) in rs.iter().zip(vs.iter_mut()) {
                    v.key = verify(r, v);
                }
            });
        }
    });
    out
}

/// Without the `transparency` feature no log is signed: no hints.
#[cfg(not(feature = "transparency"))]
pub(crate) fn window(_: &AgreementState, _: &[&Record]) -> Vec<Verified> {
    Vec::new()
}
