//! C2SP signed notes (c2sp.org/signed-note): a text ending in a newline, a blank line, and
//! one or more signature lines `— <key name> base64(key ID ‖ signature)`.

use super::hash::{decode_base64, encode_base64};
use super::key::{KeyError, KeyId, KeyName, Signature, SignerKey, VerifierKey};

/// The most signature lines a note may carry (the spec asks verifiers to accept at least 16;
/// the Go implementation stops at 100).
pub const MAX_SIGNATURES: usize = 100;

/// The start of every signature line: an em dash and a space.
const SIG_PREFIX: &str = "\u{2014} ";

/// Why a note was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// Bytes that are not UTF-8.
    #[error("note is not UTF-8 (byte offset {offset})")]
    NotUtf8 {
        /// Where the first bad byte is.
        offset: usize,
    },
    /// An ASCII control character other than newline.
    #[error("note has control character {byte:#04x} at byte offset {offset}")]
    ControlCharacter {
        /// The character.
        byte: u8,
        /// Where it is.
        offset: usize,
    },
    /// Note text that does not end in a newline.
    #[error("note text must be non-empty and end with a newline")]
    TextWithoutNewline,
    /// No blank line followed by signature lines ending in a newline.
    #[error(
        "note has no signature block (a blank line, then signature lines each ending in a newline)"
    )]
    NoSignatureBlock,
    /// A signature line that is not `— name base64`, or whose signature is under 5 bytes.
    #[error("signature line {line}: {reason}")]
    BadSignatureLine {
        /// 1-based line number within the signature block.
        line: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// More signature lines than [`MAX_SIGNATURES`].
    #[error("note has more than {max} signatures")]
    TooManySignatures {
        /// [`MAX_SIGNATURES`].
        max: usize,
    },
    /// Two of the given verifier keys share a name and key ID.
    #[error("two verifier keys are named {name:?} with key ID {id}")]
    AmbiguousKey {
        /// The shared name.
        name: String,
        /// The shared key ID.
        id: KeyId,
    },
    /// A signature by a known key that does not verify: the whole note is refused.
    #[error("the signature by known key {name:?} ({id}) does not verify")]
    BadSignature {
        /// The key's name.
        name: String,
        /// The key's ID.
        id: KeyId,
    },
    /// No signature by any of the given keys.
    #[error("no signature by a known key ({unknown} signatures by unknown keys)")]
    NoKnownSignature {
        /// How many signature lines were by keys not given.
        unknown: usize,
    },
}

/// One signature line: key name, key ID and signature bytes (any algorithm's, as written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The signing key's name.
    pub name: KeyName,
    /// The signing key's ID.
    pub id: KeyId,
    /// The signature bytes after the key ID.
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The line as written, without its newline.
    #[must_use]
    pub fn to_line(&self) -> String {
        let mut raw = self.id.0.to_be_bytes().to_vec();
        raw.extend_from_slice(&self.signature);
        format!("{SIG_PREFIX}{} {}", self.name, encode_base64(&raw))
    }
}

/// A signed note: its text and its signature lines, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

impl Note {
    /// A note with this text and no signature yet (add them with [`sign`](Self::sign)).
    ///
    /// # Errors
    /// [`NoteError::TextWithoutNewline`] or [`NoteError::ControlCharacter`].
    pub fn new(text: impl Into<String>) -> Result<Note, NoteError> {
        let text = text.into();
        check_characters(text.as_bytes())?;
        if !text.ends_with('\n') {
            return Err(NoteError::TextWithoutNewline);
        }
        Ok(Note {
            text,
            signatures: Vec::new(),
        })
    }

    /// The signed text, final newline included.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines, in order.
    #[must_use]
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Adds (cosigns) a signature by `key` over the text, after those already there; an
    /// earlier signature by the same key name and ID is replaced.
    pub fn sign(&mut self, key: &SignerKey) {
        let signature = key.sign(self.text.as_bytes()).to_bytes().to_vec();
        self.signatures
            .retain(|s| !(s.name == *key.name() && s.id == key.id()));
        self.signatures.push(NoteSignature {
            name: key.name().clone(),
            id: key.id(),
            signature,
        });
    }

    /// The note as bytes: text, a blank line, one line per signature. A note is only
    /// well-formed with at least one signature.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.text.clone();
        out.push('\n');
        for s in &self.signatures {
            out.push_str(&s.to_line());
            out.push('\n');
        }
        out.into_bytes()
    }

    /// Parses a signed note, without checking any signature.
    ///
    /// # Errors
    /// [`NoteError::NotUtf8`], [`NoteError::ControlCharacter`], [`NoteError::NoSignatureBlock`],
    /// [`NoteError::BadSignatureLine`] or [`NoteError::TooManySignatures`].
    pub fn parse(bytes: &[u8]) -> Result<Note, NoteError> {
        let all = std::str::from_utf8(bytes).map_err(|e| NoteError::NotUtf8 {
            offset: e.valid_up_to(),
        })?;
        check_characters(bytes)?;
        // The text is separated from the signatures by the last blank line.
        let split = all.rfind("\n\n").ok_or(NoteError::NoSignatureBlock)?;
        let (text, block) = (&all[..=split], &all[split + 2..]);
        let lines = block
            .strip_suffix('\n')
            .filter(|b| !b.is_empty())
            .ok_or(NoteError::NoSignatureBlock)?;
        let mut signatures = Vec::new();
        for (i, line) in lines.split('\n').enumerate() {
            if i >= MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures {
                    max: MAX_SIGNATURES,
                });
            }
            signatures.push(parse_signature_line(i + 1, line)?);
        }
        Ok(Note {
            text: text.to_owned(),
            signatures,
        })
    }

    /// Checks the signatures against `keys`. A signature whose key name and ID match no
    /// given key is set aside (unverified); one that matches must verify, or the whole note
    /// is refused; at least one must verify. Repeated signatures by one key count once.
    ///
    /// # Errors
    /// [`NoteError::AmbiguousKey`], [`NoteError::BadSignature`] or
    /// [`NoteError::NoKnownSignature`].
    pub fn verify(&self, keys: &[VerifierKey]) -> Result<VerifiedNote, NoteError> {
        let mut verified: Vec<VerifierKey> = Vec::new();
        let mut unverified: Vec<NoteSignature> = Vec::new();
        for sig in &self.signatures {
            let mut matching = keys
                .iter()
                .filter(|k| *k.name() == sig.name && k.id() == sig.id);
            let Some(key) = matching.next() else {
                if !unverified.contains(sig) {
                    unverified.push(sig.clone());
                }
                continue;
            };
            if matching.next().is_some() {
                return Err(NoteError::AmbiguousKey {
                    name: sig.name.to_string(),
                    id: sig.id,
                });
            }
            let refused = || NoteError::BadSignature {
                name: sig.name.to_string(),
                id: sig.id,
            };
            let signature = Signature::from_slice(&sig.signature).map_err(|_| refused())?;
            key.verify(self.text.as_bytes(), &signature)
                .map_err(|_: KeyError| refused())?;
            if !verified.contains(key) {
                verified.push(key.clone());
            }
        }
        if verified.is_empty() {
            return Err(NoteError::NoKnownSignature {
                unknown: unverified.len(),
            });
        }
        Ok(VerifiedNote {
            text: self.text.clone(),
            verified,
            unverified,
        })
    }
}

/// A note whose signatures by known keys all verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedNote {
    /// The signed text.
    pub text: String,
    /// The known keys that signed it, each once, in signature order.
    pub verified: Vec<VerifierKey>,
    /// Signatures by keys not given, each distinct line once.
    pub unverified: Vec<NoteSignature>,
}

/// No ASCII control character but newline.
fn check_characters(bytes: &[u8]) -> Result<(), NoteError> {
    match bytes.iter().position(|&b| b < 0x20 && b != b'\n') {
        Some(offset) => Err(NoteError::ControlCharacter {
            byte: bytes.get(offset).copied().unwrap_or_default(),
            offset,
        }),
        None => Ok(()),
    }
}

fn parse_signature_line(line: usize, text: &str) -> Result<NoteSignature, NoteError> {
    let bad = |reason| NoteError::BadSignatureLine { line, reason };
    let rest = text
        .strip_prefix(SIG_PREFIX)
        .ok_or_else(|| bad("does not start with an em dash and a space"))?;
    let (name, b64) = rest
        .split_once(' ')
        .ok_or_else(|| bad("no space between key name and signature"))?;
    let name = KeyName::new(name).map_err(|_| bad("bad key name"))?;
    let raw = decode_base64(b64).ok_or_else(|| bad("signature is not base64"))?;
    match raw.split_first_chunk::<4>() {
        Some((id, signature)) if !signature.is_empty() => Ok(NoteSignature {
            name,
            id: KeyId(u32::from_be_bytes(*id)),
            signature: signature.to_vec(),
        }),
        _ => Err(bad("signature shorter than 5 bytes")),
    }
}
