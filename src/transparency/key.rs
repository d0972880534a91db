//! Ed25519 keys written as C2SP signed-note keys: verifier keys `name+keyid+base64(0x01 ‖
//! public key)` and signer keys `PRIVATE+KEY+name+keyid+base64(0x01 ‖ seed)`, where the key
//! ID is the first four bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
//!
//! The same keys sign any bytes ([`SignerKey::sign`], [`VerifierKey::verify`]), so a log's
//! canonical event bytes and its checkpoints are signed alike.

use std::fmt;

use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::hash::{decode_base64, encode_base64};

/// The signature-type byte of Ed25519 in signed notes.
const ALG_ED25519: u8 = 0x01;

/// Why a key or a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// A key name that is empty or holds a Unicode space or a `+`.
    #[error("key name {name:?} is empty or contains a space or a plus sign")]
    BadName {
        /// The name (at most 80 characters of it).
        name: String,
    },
    /// Key text not shaped `name+keyid+base64` (or `PRIVATE+KEY+name+keyid+base64`).
    #[error("key text {text:?} is malformed: {reason}")]
    Malformed {
        /// The text, with any private key material left out.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A key of another signature type than Ed25519 (0x01).
    #[error("key {name:?} has signature type {alg:#04x}, only Ed25519 (0x01) is supported")]
    UnsupportedAlgorithm {
        /// The key's name.
        name: String,
        /// Its signature-type byte.
        alg: u8,
    },
    /// A key whose key ID does not match its name and public key.
    #[error("key {name:?} claims key ID {claimed} but its name and public key give {computed}")]
    WrongKeyId {
        /// The key's name.
        name: String,
        /// The key ID written in the key text.
        claimed: KeyId,
        /// The key ID computed from name and key.
        computed: KeyId,
    },
    /// 32 bytes that are not an Ed25519 public key, or a weak one (of small order or with a
    /// small-order component).
    #[error("key {name:?} is not a usable Ed25519 public key")]
    BadPublicKey {
        /// The key's name.
        name: String,
    },
    /// Bytes that are not a 64-byte Ed25519 signature.
    #[error("a signature must be 64 bytes, not {len}")]
    BadSignatureLength {
        /// The length found.
        len: usize,
    },
    /// A signature that does not verify (under Ed25519 strict verification).
    #[error("signature does not verify under key {name:?} ({id})")]
    BadSignature {
        /// The key's name.
        name: String,
        /// The key's ID.
        id: KeyId,
    },
    /// The operating system gave no random bytes for a new key.
    #[error("no randomness for a new key: {reason}")]
    NoRandomness {
        /// The operating system's error.
        reason: String,
    },
}

/// A key name: non-empty, without Unicode spaces or `+` (a schema-less URL such as
/// `example.org/monitor` is recommended).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyName(String);

impl KeyName {
    /// Checks and wraps a name.
    ///
    /// # Errors
    /// [`KeyError::BadName`] if it is empty or holds a Unicode space or a `+`.
    pub fn new(name: &str) -> Result<KeyName, KeyError> {
        if name.is_empty() || name.contains('+') || name.chars().any(char::is_whitespace) {
            return Err(KeyError::BadName {
                name: name.chars().take(80).collect(),
            });
        }
        Ok(KeyName(name.to_owned()))
    }

    /// The name as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A key ID: four bytes that, with the key name, pick a key; written as 8 lowercase hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub u32);

impl KeyId {
    /// The key ID of an Ed25519 key: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), first 4 bytes.
    #[must_use]
    pub fn ed25519(name: &KeyName, public: &[u8; 32]) -> KeyId {
        let mut h = Sha256::new();
        h.update(name.0.as_bytes());
        h.update([b'\n', ALG_ED25519]);
        h.update(public);
        let d: [u8; 32] = h.finalize().into();
        KeyId(u32::from_be_bytes([d[0], d[1], d[2], d[3]]))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}", self.0)
    }
}

/// An Ed25519 signature (64 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature(ed25519_dalek::Signature);

impl Signature {
    /// Reads 64 signature bytes.
    ///
    /// # Errors
    /// [`KeyError::BadSignatureLength`] for any other length.
    pub fn from_slice(bytes: &[u8]) -> Result<Signature, KeyError> {
        let raw: [u8; 64] = bytes
            .try_into()
            .map_err(|_| KeyError::BadSignatureLength { len: bytes.len() })?;
        Ok(Signature(ed25519_dalek::Signature::from_bytes(&raw)))
    }

    /// The 64 bytes.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; 64] {
        self.0.to_bytes()
    }

    /// Parses standard padded base64 of 64 bytes (what [`Display`](fmt::Display) writes).
    ///
    /// # Errors
    /// [`KeyError::BadSignatureLength`] (length 0 for text that is not base64).
    pub fn from_base64(text: &str) -> Result<Signature, KeyError> {
        let raw = decode_base64(text).ok_or(KeyError::BadSignatureLength { len: 0 })?;
        Signature::from_slice(&raw)
    }

    /// The `ed25519-dalek` signature, for batch verification.
    #[must_use]
    pub fn as_dalek(&self) -> &ed25519_dalek::Signature {
        &self.0
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_base64(&self.0.to_bytes()))
    }
}

/// Whether a signature's `R` (its first 32 bytes) is a canonical encoding of a point not of
/// small order: what `verify_strict` requires of `R` and `ed25519-dalek`'s `verify_batch`
/// does not check. Checked on the bytes: `y` below the field's prime `2^255 - 19`, and not the
/// `y` of one of the eight small-order points (taken from `curve25519-dalek`'s own table),
/// which also rules out `x = 0` with the sign bit set (`y = ±1`, small order).
pub(crate) fn strict_r(signature: &ed25519_dalek::Signature) -> bool {
    static SMALL_ORDER: std::sync::OnceLock<[[u8; 32]; 8]> = std::sync::OnceLock::new();
    let small = SMALL_ORDER.get_or_init(|| {
        curve25519_dalek::constants::EIGHT_TORSION.map(|point| {
            let mut y = point.compress().to_bytes();
            y[31] &= 0x7f;
            y
        })
    });
    let mut y = *signature.r_bytes();
    y[31] &= 0x7f;
    let (low, middle, high) = (y[0], &y[1..31], y[31]);
    let at_least_p = high == 0x7f && middle.iter().all(|&b| b == 0xff) && low >= 0xed;
    !at_least_p && !small.contains(&y)
}

/// A named Ed25519 public key, as C2SP signed notes write it: `name+keyid+base64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: KeyName,
    id: KeyId,
    key: VerifyingKey,
}

impl VerifierKey {
    /// Names a public key.
    ///
    /// # Errors
    /// [`KeyError::BadPublicKey`] if the bytes are not a point or are a weak key.
    pub fn from_public(name: KeyName, public: &[u8; 32]) -> Result<VerifierKey, KeyError> {
        let bad = || KeyError::BadPublicKey {
            name: name.0.clone(),
        };
        let key = VerifyingKey::from_bytes(public).map_err(|_| bad())?;
        // Weak (small-order) keys, and keys with a small-order component, which no key
        // generation makes: batch verification (which replay uses) would not treat the
        // signatures of such a key exactly as `verify_strict` does.
        if key.is_weak() || !key.to_edwards().is_torsion_free() {
            return Err(bad());
        }
        let id = KeyId::ed25519(&name, public);
        Ok(VerifierKey { name, id, key })
    }

    /// Parses `name+keyid+base64(0x01 ‖ public key)`.
    ///
    /// # Errors
    /// [`KeyError::Malformed`], [`KeyError::BadName`], [`KeyError::UnsupportedAlgorithm`],
    /// [`KeyError::BadPublicKey`] or [`KeyError::WrongKeyId`].
    pub fn parse(text: &str) -> Result<VerifierKey, KeyError> {
        let malformed = |reason| KeyError::Malformed {
            text: text.chars().take(120).collect(),
            reason,
        };
        let (name, rest) = text.split_once('+').ok_or_else(|| malformed("no `+`"))?;
        let (id, b64) = rest
            .split_once('+')
            .ok_or_else(|| malformed("no second `+`"))?;
        let name = KeyName::new(name)?;
        let claimed = parse_key_id(id).ok_or_else(|| malformed("key ID is not 8 hex digits"))?;
        let raw = decode_base64(b64).ok_or_else(|| malformed("key is not base64"))?;
        let public = algorithm_payload(&name, &raw)?;
        let key = VerifierKey::from_public(name, &public)?;
        check_id(&key.name, claimed, key.id)?;
        Ok(key)
    }

    /// The key's name.
    #[must_use]
    pub fn name(&self) -> &KeyName {
        &self.name
    }

    /// The key's ID.
    #[must_use]
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The 32 public-key bytes.
    #[must_use]
    pub fn public_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The `ed25519-dalek` key, for batch verification.
    #[must_use]
    pub fn as_dalek(&self) -> &VerifyingKey {
        &self.key
    }

    /// Checks a signature over `message` with Ed25519 strict verification (no small-order
    /// keys or R points, canonical S), as `ed25519-dalek`'s `verify_strict` does.
    ///
    /// # Errors
    /// [`KeyError::BadSignature`] if it does not verify.
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<(), KeyError> {
        self.key
            .verify_strict(message, &signature.0)
            .map_err(|_| KeyError::BadSignature {
                name: self.name.0.clone(),
                id: self.id,
            })
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        write!(f, "{}+{}+{}", self.name, self.id, encode_base64(&raw))
    }
}

impl std::str::FromStr for VerifierKey {
    type Err = KeyError;

    fn from_str(text: &str) -> Result<VerifierKey, KeyError> {
        VerifierKey::parse(text)
    }
}

/// A named Ed25519 private key. Its text form `PRIVATE+KEY+name+keyid+base64(0x01 ‖ seed)`
/// is only written by [`to_secret_text`](Self::to_secret_text); `Debug` leaves the key out.
#[derive(Clone)]
pub struct SignerKey {
    verifier: VerifierKey,
    key: SigningKey,
}

impl SignerKey {
    /// The key with this 32-byte seed (RFC 8032 private key).
    ///
    /// # Errors
    /// [`KeyError::BadPublicKey`] never in practice (a seed always gives a strong key).
    pub fn from_seed(name: KeyName, seed: &[u8; 32]) -> Result<SignerKey, KeyError> {
        let key = SigningKey::from_bytes(seed);
        let verifier = VerifierKey::from_public(name, key.verifying_key().as_bytes())?;
        Ok(SignerKey { verifier, key })
    }

    /// A new key from the operating system's random source.
    ///
    /// # Errors
    /// [`KeyError::NoRandomness`] if the operating system gives none.
    pub fn generate(name: KeyName) -> Result<SignerKey, KeyError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| KeyError::NoRandomness {
            reason: e.to_string(),
        })?;
        let key = SignerKey::from_seed(name, &seed);
        seed.fill(0);
        key
    }

    /// Parses `PRIVATE+KEY+name+keyid+base64(0x01 ‖ seed)`.
    ///
    /// # Errors
    /// [`KeyError::Malformed`] (whose text never holds the key material),
    /// [`KeyError::BadName`], [`KeyError::UnsupportedAlgorithm`] or [`KeyError::WrongKeyId`].
    pub fn parse(text: &str) -> Result<SignerKey, KeyError> {
        let shown: String = text.split('+').take(4).collect::<Vec<_>>().join("+");
        let malformed = |reason| KeyError::Malformed {
            text: shown.chars().take(120).collect(),
            reason,
        };
        let rest = text
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| malformed("does not start with PRIVATE+KEY+"))?;
        let (name, rest) = rest.split_once('+').ok_or_else(|| malformed("no `+`"))?;
        let (id, b64) = rest
            .split_once('+')
            .ok_or_else(|| malformed("no second `+`"))?;
        let name = KeyName::new(name)?;
        let claimed = parse_key_id(id).ok_or_else(|| malformed("key ID is not 8 hex digits"))?;
        let mut raw = decode_base64(b64).ok_or_else(|| malformed("key is not base64"))?;
        let mut seed = algorithm_payload(&name, &raw)?;
        raw.fill(0);
        let key = SignerKey::from_seed(name, &seed);
        seed.fill(0);
        let key = key?;
        check_id(key.name(), claimed, key.id())?;
        Ok(key)
    }

    /// The private key as text. Keep it secret.
    #[must_use]
    pub fn to_secret_text(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        let text = format!(
            "PRIVATE+KEY+{}+{}+{}",
            self.verifier.name,
            self.verifier.id,
            encode_base64(&raw)
        );
        raw.fill(0);
        text
    }

    /// The matching public key.
    #[must_use]
    pub fn verifier(&self) -> &VerifierKey {
        &self.verifier
    }

    /// The key's name.
    #[must_use]
    pub fn name(&self) -> &KeyName {
        &self.verifier.name
    }

    /// The key's ID.
    #[must_use]
    pub fn id(&self) -> KeyId {
        self.verifier.id
    }

    /// Signs `message` (Ed25519, RFC 8032: deterministic, the same bytes for the same message).
    #[must_use]
    pub fn sign(&self, message: &[u8]) -> Signature {
        use ed25519_dalek::Signer as _;
        Signature(self.key.sign(message))
    }
}

impl fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignerKey")
            .field("verifier", &self.verifier.to_string())
            .finish_non_exhaustive()
    }
}

/// Exactly 8 hexadecimal digits, either case.
fn parse_key_id(text: &str) -> Option<KeyId> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(text, 16).ok().map(KeyId)
}

/// The 32 bytes after the 0x01 signature-type byte.
fn algorithm_payload(name: &KeyName, raw: &[u8]) -> Result<[u8; 32], KeyError> {
    match raw.split_first() {
        Some((&ALG_ED25519, rest)) => rest.try_into().map_err(|_| KeyError::Malformed {
            text: name.0.clone(),
            reason: "an Ed25519 key must be 32 bytes",
        }),
        Some((&alg, _)) => Err(KeyError::UnsupportedAlgorithm {
            name: name.0.clone(),
            alg,
        }),
        None => Err(KeyError::Malformed {
            text: name.0.clone(),
            reason: "empty key",
        }),
    }
}

fn check_id(name: &KeyName, claimed: KeyId, computed: KeyId) -> Result<(), KeyError> {
    if claimed != computed {
        return Err(KeyError::WrongKeyId {
            name: name.0.clone(),
            claimed,
            computed,
        });
    }
    Ok(())
}

#[cfg(test)]
mod strict_tests {
    use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
    use curve25519_dalek::edwards::CompressedEdwardsY;
    use curve25519_dalek::scalar::Scalar;

    use super::*;

    /// What `verify_strict` asks of `R`, the slow way: it decompresses, is not of small
    /// order, and compresses back to the same bytes.
    fn strict_r_slowly(r: [u8; 32]) -> bool {
        CompressedEdwardsY(r)
            .decompress()
            .is_some_and(|p| !p.is_small_order() && p.compress().to_bytes() == r)
    }

    fn with_r(r: [u8; 32]) -> ed25519_dalek::Signature {
        let mut bytes = [0u8; 64];
        bytes[..32].copy_from_slice(&r);
        ed25519_dalek::Signature::from_bytes(&bytes)
    }

    #[test]
    fn the_checks_on_r_agree_with_decompression() {
        let mut cases: Vec<[u8; 32]> = Vec::new();
        for t in EIGHT_TORSION {
            let b = t.compress().to_bytes();
            cases.push(b);
            let mut flipped = b;
            flipped[31] ^= 0x80;
            cases.push(flipped);
        }
        // Every y at or above the prime 2^255 - 19 (non-canonical), with either sign bit.
        for low in 0xedu8..=0xff {
            let mut y = [0xffu8; 32];
            y[0] = low;
            y[31] = 0x7f;
            cases.push(y);
            y[31] = 0xff;
            cases.push(y);
        }
        // y = 1 and y = -1 with the sign bit set: x = 0, non-canonical.
        let mut one = [0u8; 32];
        one[0] = 1;
        one[31] = 0x80;
        cases.push(one);
        // Points of prime order, and points with a small-order component.
        for k in 1u8..40 {
            let p = ED25519_BASEPOINT_POINT * Scalar::from(k);
            cases.push(p.compress().to_bytes());
            cases.push(
                (p + EIGHT_TORSION[usize::from(k % 8)])
                    .compress()
                    .to_bytes(),
            );
        }
        let mut refused = 0;
        for r in cases {
            let slow = strict_r_slowly(r);
            // Bytes that do not decompress fail the batch itself; the check need not see them.
            if CompressedEdwardsY(r).decompress().is_some() {
                assert_eq!(strict_r(&with_r(r)), slow, "{}", hex::encode(r));
            }
            refused += usize::from(!slow);
        }
        assert!(refused > 30, "the cases exercise refusals");
    }

    /// A key's holder signs with a small-order `R`: `verify_strict` refuses it, a batch of
    /// `ed25519-dalek`'s accepts it for some messages (the equation it checks is blind to a
    /// small-order difference times an even coefficient), and `strict_r` keeps it out.
    #[test]
    fn a_small_order_r_passes_a_batch_but_not_the_check() {
        use sha2::Sha512;
        let a = Scalar::from(0x1234_5678_u64);
        let public = (ED25519_BASEPOINT_POINT * a).compress().to_bytes();
        let key = VerifyingKey::from_bytes(&public).expect("key");
        let r = EIGHT_TORSION[4].compress().to_bytes(); // y = -1: order 2
        let mut batch_accepted = 0;
        for n in 0u32..32 {
            let message = n.to_be_bytes();
            let mut h = Sha512::new();
            h.update(r);
            h.update(public);
            h.update(message);
            let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
            let mut bytes = [0u8; 64];
            bytes[..32].copy_from_slice(&r);
            bytes[32..].copy_from_slice((k * a).as_bytes());
            let signature = ed25519_dalek::Signature::from_bytes(&bytes);
            assert!(key.verify_strict(&message, &signature).is_err());
            assert!(!strict_r(&signature));
            let batch = ed25519_dalek::verify_batch(&[&message[..]], &[signature], &[key]);
            batch_accepted += usize::from(batch.is_ok());
        }
        assert!(batch_accepted > 0, "the batch equation lets some through");
    }

    #[test]
    fn keys_with_a_small_order_component_are_refused() {
        let name = KeyName::new("k").expect("name");
        let honest = (ED25519_BASEPOINT_POINT * Scalar::from(5u8)).compress();
        assert!(VerifierKey::from_public(name.clone(), &honest.to_bytes()).is_ok());
        for t in EIGHT_TORSION {
            let mixed = (ED25519_BASEPOINT_POINT * Scalar::from(5u8) + t).compress();
            let small = t.compress();
            if t != EIGHT_TORSION[0] {
                assert!(VerifierKey::from_public(name.clone(), &mixed.to_bytes()).is_err());
            }
            assert!(VerifierKey::from_public(name.clone(), &small.to_bytes()).is_err());
        }
    }
}
