//! RFC 6962 / RFC 9162 (section 2.1) Merkle hashing with SHA-256, and the standard base64
//! (RFC 4648 section 4, padded) every C2SP format writes hashes in.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// A Merkle tree hash: 32 bytes, written as standard padded base64 (44 characters).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TreeHash([u8; 32]);

/// Text that is not the base64 encoding of exactly 32 bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a base64-encoded 32-byte hash")]
pub struct HashError {
    /// The offending text (at most 80 characters of it).
    pub text: String,
}

impl TreeHash {
    /// Wraps raw bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> TreeHash {
        TreeHash(bytes)
    }

    /// The raw bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Parses standard padded base64 of exactly 32 bytes (what [`Display`](fmt::Display) writes).
    ///
    /// # Errors
    /// [`HashError`] for anything else, including non-canonical encodings.
    pub fn from_base64(text: &str) -> Result<TreeHash, HashError> {
        let bad = || HashError {
            text: text.chars().take(80).collect(),
        };
        let raw = decode_base64(text).ok_or_else(bad)?;
        let bytes: [u8; 32] = raw.try_into().map_err(|_| bad())?;
        Ok(TreeHash(bytes))
    }
}

impl fmt::Display for TreeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_base64(&self.0))
    }
}

impl serde::Serialize for TreeHash {
    /// As its text: standard padded base64.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for TreeHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        TreeHash::from_base64(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Debug for TreeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TreeHash({self})")
    }
}

/// The hash of a leaf: SHA-256(0x00 ‖ data).
#[must_use]
pub fn leaf_hash(data: &[u8]) -> TreeHash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    TreeHash(h.finalize().into())
}

/// The hash of an interior node: SHA-256(0x01 ‖ left ‖ right).
#[must_use]
pub fn node_hash(left: &TreeHash, right: &TreeHash) -> TreeHash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left.0);
    h.update(right.0);
    TreeHash(h.finalize().into())
}

/// The root of the empty tree: SHA-256 of no bytes.
#[must_use]
pub fn empty_root() -> TreeHash {
    TreeHash(Sha256::digest([]).into())
}

/// Standard padded base64.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Standard padded base64, canonical only (no stray trailing bits, no missing padding).
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_refuses_other_lengths() {
        let h = leaf_hash(b"x");
        assert_eq!(TreeHash::from_base64(&h.to_string()), Ok(h));
        assert_eq!(h.to_string().len(), 44);
        assert!(TreeHash::from_base64("AAAA").is_err());
        assert!(TreeHash::from_base64("").is_err());
        // Same 32 bytes' encoding with stray low bits in the last character: not canonical.
        let root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        assert!(TreeHash::from_base64(root).is_ok());
        assert!(TreeHash::from_base64(&root.replace("FU=", "FV=")).is_err());
        assert!(TreeHash::from_base64(root.trim_end_matches('=')).is_err());
    }

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(
            empty_root().to_string(),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }
}
