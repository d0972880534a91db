//! Signed events: the signature an event may carry, the log origin it binds, and the exact
//! bytes it signs (specified in the format guide, "Signed events").
//!
//! The signed bytes are
//! `"ceasefire/event-signature/v1\n" ‖ origin ‖ "\n" ‖ seq ‖ "\n" ‖ previous chain hash ‖ "\n" ‖
//! the event's canonical bytes`, where the canonical bytes are the event's stored JSON without
//! its `signature` member. Signing and verifying need the `transparency` feature; carrying and
//! reading signatures does not.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::event::{Event, Payload, SchemaVersion};
use crate::id::{EventId, PartyId, Seq};
use crate::log::ChainHash;
use crate::time::{Occurred, Timestamp};

/// The first line of every signed message: the domain and the version of the format.
pub const SIGNED_BYTES_PREFIX: &[u8] = b"ceasefire/event-signature/v1\n";

/// An Ed25519 signature on an event, with the C2SP key ID of the key that made it.
/// Written as `{"key_id": "<8 hex digits>", "ed25519": "<128 hex digits>"}`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventSignature {
    /// The signing key's C2SP key ID.
    pub key_id: u32,
    /// The 64-byte Ed25519 signature.
    pub bytes: [u8; 64],
}

impl fmt::Debug for EventSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "EventSignature({:08x}, {})",
            self.key_id,
            hex::encode(self.bytes)
        )
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureText {
    key_id: String,
    ed25519: String,
}

impl Serialize for EventSignature {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SignatureText {
            key_id: format!("{:08x}", self.key_id),
            ed25519: hex::encode(self.bytes),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for EventSignature {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let text = SignatureText::deserialize(d)?;
        let lower = |t: &str| t.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let mut id = [0u8; 4];
        if !lower(&text.key_id) || hex::decode_to_slice(&text.key_id, &mut id).is_err() {
            return Err(D::Error::custom("key_id is not 8 lowercase hex digits"));
        }
        let mut bytes = [0u8; 64];
        if !lower(&text.ed25519) || hex::decode_to_slice(&text.ed25519, &mut bytes).is_err() {
            return Err(D::Error::custom("ed25519 is not 128 lowercase hex digits"));
        }
        Ok(EventSignature {
            key_id: u32::from_be_bytes(id),
            bytes,
        })
    }
}

/// A Merkle tree root hash (RFC 9162, SHA-256), written as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TreeRoot(pub [u8; 32]);

impl fmt::Display for TreeRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for TreeRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TreeRoot({self})")
    }
}

impl Serialize for TreeRoot {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TreeRoot {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        ChainHash::from_hex(&text)
            .map(|h| TreeRoot(*h.as_bytes()))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "transparency")]
impl From<crate::transparency::TreeHash> for TreeRoot {
    fn from(hash: crate::transparency::TreeHash) -> TreeRoot {
        TreeRoot(*hash.as_bytes())
    }
}

/// A log's identity for signatures and checkpoints: `ceasefire/` followed by the 64 hex
/// digits of SHA-256 over the genesis event's canonical bytes. Every signature binds it, so
/// an event cannot be transplanted into another log.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LogOrigin(String);

impl LogOrigin {
    /// The origin of the log whose genesis is `genesis`.
    #[must_use]
    pub fn of_genesis(genesis: &Event) -> LogOrigin {
        let digest = Sha256::digest(canonical_bytes(genesis));
        LogOrigin(format!("ceasefire/{}", hex::encode(digest)))
    }

    /// The origin as text (the first line of the log's checkpoints).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LogOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The event as stored, without its signature: the same members in the same order.
#[derive(Serialize)]
struct Unsigned<'a> {
    id: &'a EventId,
    occurred_at: &'a Occurred,
    recorded_at: &'a Timestamp,
    author: &'a PartyId,
    schema: &'a SchemaVersion,
    payload: &'a Payload,
}

/// The event's canonical bytes: its stored JSON without the `signature` member.
#[must_use]
pub fn canonical_bytes(event: &Event) -> Vec<u8> {
    let unsigned = Unsigned {
        id: &event.id,
        occurred_at: &event.occurred_at,
        recorded_at: &event.recorded_at,
        author: &event.author,
        schema: &event.schema,
        payload: &event.payload,
    };
    // Serializing plain data with string keys into memory cannot fail.
    serde_json::to_vec(&unsigned).unwrap_or_default()
}

/// Where an event is signed to stand: the log, its position and the chain hash before it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SigningContext {
    /// The log's origin.
    pub origin: LogOrigin,
    /// The event's sequence number.
    pub seq: Seq,
    /// The chain hash after the previous record ([`ChainHash::ZERO`] for the genesis).
    pub prev: ChainHash,
}

impl SigningContext {
    /// The context of a genesis event: its own origin, number 1, the zero hash.
    #[must_use]
    pub fn genesis(genesis: &Event) -> SigningContext {
        SigningContext {
            origin: LogOrigin::of_genesis(genesis),
            seq: Seq::FIRST,
            prev: ChainHash::ZERO,
        }
    }

    /// The exact bytes a signature on `event` in this place signs.
    #[must_use]
    pub fn signed_bytes(&self, event: &Event) -> Vec<u8> {
        let body = canonical_bytes(event);
        let mut out = Vec::with_capacity(body.len() + 200);
        out.extend_from_slice(SIGNED_BYTES_PREFIX);
        out.extend_from_slice(self.origin.as_str().as_bytes());
        out.push(b'\n');
        out.extend_from_slice(self.seq.get().to_string().as_bytes());
        out.push(b'\n');
        out.extend_from_slice(self.prev.to_string().as_bytes());
        out.push(b'\n');
        out.extend_from_slice(&body);
        out
    }

    /// [`SigningContext::signed_bytes`] of an event given its stored bytes
    /// (`serde_json::to_vec(event)`), without serializing it again: the canonical bytes are
    /// the stored ones less the signature member, which is the last one. Stored bytes that
    /// do not end with the event's own signature member are not trusted: the event is then
    /// serialized as `signed_bytes` does.
    #[must_use]
    #[cfg_attr(not(feature = "transparency"), allow(dead_code))]
    pub(crate) fn signed_bytes_from_stored(&self, event: &Event, stored: &[u8]) -> Vec<u8> {
        let body = match &event.signature {
            None => None,
            Some(sig) => {
                let member = format!(
                    ",\"signature\":{{\"key_id\":\"{:08x}\",\"ed25519\":\"{}\"}}}}",
                    sig.key_id,
                    hex::encode(sig.bytes)
                );
                stored
                    .strip_suffix(member.as_bytes())
                    .filter(|head| head.starts_with(b"{"))
            }
        };
        let Some(head) = body else {
            return self.signed_bytes(event);
        };
        let mut out = Vec::with_capacity(head.len() + 200);
        out.extend_from_slice(SIGNED_BYTES_PREFIX);
        out.extend_from_slice(self.origin.as_str().as_bytes());
        out.push(b'\n');
        out.extend_from_slice(self.seq.get().to_string().as_bytes());
        out.push(b'\n');
        out.extend_from_slice(self.prev.to_string().as_bytes());
        out.push(b'\n');
        out.extend_from_slice(head);
        out.push(b'}');
        out
    }
}

#[cfg(feature = "transparency")]
impl Event {
    /// The event signed by `key` to stand at `place` (any earlier signature is replaced).
    #[must_use]
    pub fn signed(mut self, key: &crate::transparency::SignerKey, place: &SigningContext) -> Event {
        let signature = key.sign(&place.signed_bytes(&self));
        self.signature = Some(EventSignature {
            key_id: key.id().0,
            bytes: signature.to_bytes(),
        });
        self
    }

    /// A genesis event signed by `key` ([`SigningContext::genesis`]).
    #[must_use]
    pub fn signed_genesis(self, key: &crate::transparency::SignerKey) -> Event {
        let place = SigningContext::genesis(&self);
        self.signed(key, &place)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_round_trip_and_refuse_bad_hex() {
        let sig = EventSignature {
            key_id: 0x0102_abcd,
            bytes: [7; 64],
        };
        let json = serde_json::to_string(&sig).expect("serializes");
        assert!(json.starts_with("{\"key_id\":\"0102abcd\",\"ed25519\":\"0707"));
        assert_eq!(
            serde_json::from_str::<EventSignature>(&json).expect("reads"),
            sig
        );
        for bad in [
            json.replace("0102abcd", "0102ABCD"),
            json.replace("0102abcd", "0102abc"),
            json.replace("\"ed25519\":\"07", "\"ed25519\":\""),
        ] {
            assert!(
                serde_json::from_str::<EventSignature>(&bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_signed_bytes_are_as_specified() {
        let at = "2025-03-19T02:00:00Z".parse::<Timestamp>().expect("time");
        let mut event = Event::new(
            EventId::from_parts(at, 7).expect("id"),
            PartyId::new("UA").expect("id"),
            at,
            at,
            Payload::PartyWithdrew { reason: "r".into() },
        );
        let unsigned = serde_json::to_vec(&event).expect("json");
        assert_eq!(canonical_bytes(&event), unsigned);
        let place = SigningContext {
            origin: LogOrigin::of_genesis(&event),
            seq: Seq(12),
            prev: ChainHash::from_bytes([0xab; 32]),
        };
        let expected = format!(
            "ceasefire/event-signature/v1\n{}\n12\n{}\n{}",
            place.origin,
            "ab".repeat(32),
            String::from_utf8(unsigned.clone()).expect("utf-8")
        );
        assert_eq!(place.signed_bytes(&event), expected.into_bytes());
        assert!(place.origin.as_str().starts_with("ceasefire/"));
        assert_eq!(place.origin.as_str().len(), "ceasefire/".len() + 64);

        // The stored form of a signed event is the canonical bytes with the signature last.
        event.signature = Some(EventSignature {
            key_id: 1,
            bytes: [2; 64],
        });
        let stored = String::from_utf8(serde_json::to_vec(&event).expect("json")).expect("utf-8");
        let cut = stored.find(",\"signature\":").expect("last member");
        assert_eq!(
            format!("{}}}", &stored[..cut]).into_bytes(),
            canonical_bytes(&event)
        );
        // What replay builds from the stored bytes is what `signed_bytes` builds.
        assert_eq!(
            place.signed_bytes_from_stored(&event, stored.as_bytes()),
            place.signed_bytes(&event)
        );
        // Bytes that do not end with the event's signature member are not cut.
        let other = stored.replace("\"key_id\":\"00000001\"", "\"key_id\":\"00000002\"");
        assert_eq!(
            place.signed_bytes_from_stored(&event, other.as_bytes()),
            place.signed_bytes(&event)
        );
        event.signature = None;
        assert_eq!(
            place.signed_bytes_from_stored(&event, &unsigned),
            place.signed_bytes(&event)
        );
    }
}
