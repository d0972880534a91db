//! Key and checkpoint events: checking them, and folding them (and the genesis's keys)
//! into the registry.

use std::collections::BTreeSet;

use super::{CheckpointAck, KeyEnd, KeySpan, Keys, Pending};
use crate::agreement::PartyKey;
use crate::event::{LogOrigin, Payload, Record};
use crate::id::{PartyId, Seq};
use crate::state::{AgreementState, KeyFault, Rejection};

impl AgreementState {
    /// Checks a key or checkpoint event (its role and signature are checked elsewhere).
    pub(crate) fn check_key_event(&self, record: &Record) -> Result<(), Rejection> {
        let keys = &self.facts.keys;
        let event = &record.event;
        let fault = |f| Err(Rejection::Keys(f));
        let key_event = matches!(
            event.payload,
            Payload::KeyRotated { .. }
                | Payload::KeyRevoked { .. }
                | Payload::CheckpointAcknowledged { .. }
        );
        if !key_event {
            return Ok(());
        }
        if keys.is_empty() {
            return fault(KeyFault::UnsignedAgreement);
        }
        let fresh = |key: &PartyKey| -> Result<(), Rejection> {
            if let Err(e) = key.check(&event.author) {
                return Err(Rejection::Keys(KeyFault::BadKey {
                    key: key.clone(),
                    reason: e.to_string(),
                }));
            }
            if keys.used(key) {
                return Err(Rejection::Keys(KeyFault::KeyReused(key.clone())));
            }
            Ok(())
        };
        match &event.payload {
            Payload::KeyRotated { key } => {
                if keys.current(&event.author).is_none() {
                    return fault(KeyFault::NoCurrentKey(event.author.clone()));
                }
                fresh(key)
            }
            Payload::KeyRevoked {
                party,
                key,
                replacement,
            } => {
                if party == &event.author {
                    return fault(KeyFault::OwnKey(party.clone()));
                }
                if keys.revocation_quorum == 0 {
                    return fault(KeyFault::RevocationNotAllowed);
                }
                if keys.current(party) != Some(key) {
                    return fault(KeyFault::NotCurrentKey {
                        party: party.clone(),
                        key: key.clone(),
                    });
                }
                if let Some(r) = replacement {
                    fresh(r)?;
                }
                let approved = keys.pending.iter().any(|p| {
                    &p.party == party
                        && &p.key == key
                        && &p.replacement == replacement
                        && p.approvers.contains(&event.author)
                });
                if approved {
                    return fault(KeyFault::AlreadyApproved(event.author.clone()));
                }
                Ok(())
            }
            Payload::CheckpointAcknowledged { size, root } => {
                let records = record.seq.get().saturating_sub(1);
                if *size > records {
                    return fault(KeyFault::CheckpointBeyondLog {
                        size: *size,
                        records,
                    });
                }
                #[cfg(feature = "transparency")]
                {
                    let expected = self.merkle_root_at(*size);
                    if expected != Some(*root) {
                        return fault(KeyFault::CheckpointMismatch {
                            size: *size,
                            expected: expected.map(Box::new),
                            given: Box::new(*root),
                        });
                    }
                }
                #[cfg(not(feature = "transparency"))]
                let _ = root;
                if let Some(prev) = keys.acks.get(&event.author)
                    && prev.size > *size
                {
                    return fault(KeyFault::CheckpointOlder {
                        party: event.author.clone(),
                        previous: prev.size,
                        size: *size,
                    });
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Folds a record into the registry: the genesis's keys, key and checkpoint events, and
    /// the chain hash.
    pub(crate) fn fold_keys(&mut self, record: &Record) {
        let event = &record.event;
        if let Payload::AgreementConcluded(a) = &event.payload {
            if a.signing.is_unsigned() {
                return;
            }
            let keys = &mut self.facts.keys;
            keys.policy = a.signing.policy;
            keys.revocation_quorum = a.signing.revocation_quorum;
            keys.checkpoint_quorum = a.signing.checkpoint_quorum;
            keys.origin = Some(LogOrigin::of_genesis(event));
            for (party, key) in &a.signing.keys {
                keys.remember(key);
                keys.history
                    .entry(party.clone())
                    .or_default()
                    .push(KeySpan {
                        key: key.clone(),
                        from: record.seq,
                        until: None,
                        ended: None,
                    });
            }
        }
        if self.facts.keys.is_empty() {
            return;
        }
        let after = record.seq.next().unwrap_or(record.seq);
        let keys = &mut self.facts.keys;
        match &event.payload {
            Payload::KeyRotated { key } => {
                replace(keys, &event.author, Some(key), after, KeyEnd::Rotated);
            }
            Payload::KeyRevoked {
                party,
                key,
                replacement,
            } => {
                let i = match keys.pending.iter().position(|p| {
                    &p.party == party && &p.key == key && &p.replacement == replacement
                }) {
                    Some(i) => i,
                    None => {
                        keys.pending.push(Pending {
                            party: party.clone(),
                            key: key.clone(),
                            replacement: replacement.clone(),
                            approvers: BTreeSet::new(),
                        });
                        keys.pending.len() - 1
                    }
                };
                keys.pending[i].approvers.insert(event.author.clone());
                if keys.pending[i].approvers.len() >= usize::from(keys.revocation_quorum) {
                    let done = keys.pending.remove(i);
                    keys.pending.retain(|p| p.party != done.party);
                    replace(
                        keys,
                        &done.party,
                        done.replacement.as_ref(),
                        after,
                        KeyEnd::Revoked,
                    );
                }
            }
            Payload::CheckpointAcknowledged { size, root } => {
                let ack = CheckpointAck {
                    seq: record.seq,
                    event: event.id,
                    size: *size,
                    root: *root,
                };
                #[cfg(feature = "transparency")]
                keys.roots.insert(*size, *root);
                keys.acks.insert(event.author.clone(), ack.clone());
                let agreeing = keys
                    .acks
                    .values()
                    .filter(|a| a.size == *size && a.root == *root)
                    .count();
                if keys.checkpoint_quorum > 0
                    && agreeing >= usize::from(keys.checkpoint_quorum)
                    && keys.joint.as_ref().is_none_or(|j| j.size <= *size)
                {
                    keys.joint = Some(ack);
                }
            }
            _ => {}
        }
        self.advance_chain(event);
    }
}

/// Ends `party`'s current key at `at` and starts `next`, if any.
fn replace(keys: &mut Keys, party: &PartyId, next: Option<&PartyKey>, at: Seq, end: KeyEnd) {
    let spans = keys.history.entry(party.clone()).or_default();
    if let Some(last) = spans.last_mut()
        && last.until.is_none()
    {
        last.until = Some(at);
        last.ended = Some(end);
    }
    if let Some(key) = next {
        keys.remember(key);
        let spans = keys.history.entry(party.clone()).or_default();
        spans.push(KeySpan {
            key: key.clone(),
            from: at,
            until: None,
            ended: None,
        });
    }
}
