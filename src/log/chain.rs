//! The hash chain every store keeps: `hash(n) = SHA-256(hash(n-1) ‖ seq(n) as 8 bytes
//! big-endian ‖ the exact stored bytes of event n)`, with `hash(0)` = 32 zero bytes.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::id::Seq;

/// A link of the hash chain: 32 bytes, written as 64 lowercase hexadecimal digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChainHash([u8; 32]);

/// Text that is not 64 hexadecimal digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not 64 hexadecimal digits")]
pub struct HexError(pub String);

impl ChainHash {
    /// The hash before the first record: 32 zero bytes.
    pub const ZERO: ChainHash = ChainHash([0; 32]);

    /// The next link: this hash, the record's sequence number and its exact bytes.
    #[must_use]
    pub fn link(&self, seq: Seq, bytes: &[u8]) -> ChainHash {
        let mut h = Sha256::new();
        h.update(self.0);
        h.update(seq.get().to_be_bytes());
        h.update(bytes);
        ChainHash(h.finalize().into())
    }

    /// The raw bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Wraps raw bytes.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> ChainHash {
        ChainHash(bytes)
    }

    /// Parses 64 hexadecimal digits (either case).
    ///
    /// # Errors
    /// [`HexError`] if the text is anything else.
    pub fn from_hex(text: &str) -> Result<ChainHash, HexError> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(text, &mut out)
            .map_err(|_| HexError(text.chars().take(80).collect()))?;
        Ok(ChainHash(out))
    }
}

impl fmt::Display for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash({self})")
    }
}

impl Serialize for ChainHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ChainHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        ChainHash::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_junk() {
        let h = ChainHash::ZERO.link(Seq(1), b"{}");
        let text = h.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(ChainHash::from_hex(&text), Ok(h));
        assert_eq!(ChainHash::from_hex(&text.to_uppercase()), Ok(h));
        assert!(ChainHash::from_hex("00").is_err());
        assert!(ChainHash::from_hex(&"g".repeat(64)).is_err());
        assert!(ChainHash::from_hex(&"é".repeat(32)).is_err());
    }

    #[test]
    fn every_input_changes_the_link() {
        let base = ChainHash::ZERO.link(Seq(1), b"abc");
        assert_ne!(base, ChainHash::ZERO.link(Seq(2), b"abc"));
        assert_ne!(base, ChainHash::ZERO.link(Seq(1), b"abd"));
        assert_ne!(base, base.link(Seq(1), b"abc"));
        // SHA-256 of 32 zero bytes, 0x0000000000000001 and "abc", computed with Python's hashlib.
        assert_eq!(
            base.to_string(),
            "328976acf07e9b1c4a8967f2d63902c9a724235b6363ac83087246ad84cd222a"
        );
    }
}
