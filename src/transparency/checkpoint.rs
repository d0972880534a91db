//! C2SP tlog-checkpoints (c2sp.org/tlog-checkpoint) inside signed notes, and the quorum of
//! keys whose signatures make a checkpoint jointly acknowledged.

use super::hash::{HashError, TreeHash};
use super::key::{KeyName, SignerKey, VerifierKey};
use super::note::{Note, NoteError, VerifiedNote};
use super::proof::{ConsistencyProof, ProofError};

/// Why a checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// Checkpoint text without origin, tree size and root hash lines.
    #[error("checkpoint has {lines} lines, at least origin, tree size and root hash are needed")]
    TooFewLines {
        /// How many non-final lines it had.
        lines: usize,
    },
    /// An empty origin, or one holding a control character.
    #[error("checkpoint origin {origin:?} is empty or holds a control character")]
    BadOrigin {
        /// The origin (at most 80 characters of it).
        origin: String,
    },
    /// A tree size that is not a decimal without leading zeros.
    #[error("checkpoint tree size {text:?} is not a decimal number without leading zeros")]
    BadSize {
        /// The line (at most 80 characters of it).
        text: String,
    },
    /// A root hash line that is not a base64 hash.
    #[error("checkpoint root hash: {0}")]
    BadRoot(#[source] HashError),
    /// An empty extension line, or one holding a control character.
    #[error("checkpoint extension line {line} is empty or holds a control character")]
    BadExtension {
        /// 1-based line number in the checkpoint text.
        line: usize,
    },
    /// The checkpoint's text does not end in a newline.
    #[error("checkpoint text must end with a newline")]
    MissingNewline,
    /// The note around the checkpoint was refused.
    #[error("checkpoint note: {0}")]
    Note(#[source] NoteError),
    /// A checkpoint of another log than the one expected.
    #[error("checkpoint is for log {found:?}, not {expected:?}")]
    WrongOrigin {
        /// The origin expected.
        expected: String,
        /// The origin found.
        found: String,
    },
    /// Fewer of the quorum's keys signed than it needs.
    #[error("checkpoint signed by {have} of the quorum's keys ({signers:?}), {need} needed")]
    ShortOfQuorum {
        /// How many of the quorum's keys signed.
        have: usize,
        /// How many are needed.
        need: usize,
        /// The names of those that signed.
        signers: Vec<String>,
    },
    /// A proof that does not link or reach the checkpoint(s).
    #[error("proof against checkpoint: {0}")]
    Proof(#[source] ProofError),
}

/// Why a quorum could not be formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QuorumError {
    /// A threshold of zero, or larger than the number of keys.
    #[error("a quorum of {threshold} out of {keys} keys is impossible or empty")]
    BadThreshold {
        /// The threshold asked.
        threshold: usize,
        /// How many keys were given.
        keys: usize,
    },
    /// The same key name and ID given twice.
    #[error("key {name:?} ({id}) is given twice")]
    DuplicateKey {
        /// The key's name.
        name: String,
        /// Its key ID, as 8 hex digits.
        id: String,
    },
}

/// A tree head: the log's origin, its tree size and root hash, and optional extension lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity, e.g. `example.org/ceasefire/2025-03`.
    pub origin: String,
    /// The number of leaves.
    pub size: u64,
    /// The Merkle root at that size.
    pub root: TreeHash,
    /// Opaque extension lines (not recommended by the spec), without their newlines.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    ///
    /// # Errors
    /// [`CheckpointError::BadOrigin`] if the origin is empty or holds a control character.
    pub fn new(origin: &str, size: u64, root: TreeHash) -> Result<Checkpoint, CheckpointError> {
        check_origin(origin)?;
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions: Vec::new(),
        })
    }

    /// The note text: origin, size, base64 root, then each extension, one per line.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n{}\n{}\n", self.origin, self.size, self.root);
        for line in &self.extensions {
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// Parses checkpoint text (the note's text, final newline included).
    ///
    /// # Errors
    /// [`CheckpointError::MissingNewline`], [`CheckpointError::TooFewLines`],
    /// [`CheckpointError::BadOrigin`], [`CheckpointError::BadSize`],
    /// [`CheckpointError::BadRoot`] or [`CheckpointError::BadExtension`].
    pub fn parse(text: &str) -> Result<Checkpoint, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::MissingNewline)?;
        let lines: Vec<&str> = body.split('\n').collect();
        let [origin, size, root, extensions @ ..] = lines.as_slice() else {
            return Err(CheckpointError::TooFewLines { lines: lines.len() });
        };
        check_origin(origin)?;
        let size = parse_size(size)?;
        let root = TreeHash::from_base64(root).map_err(CheckpointError::BadRoot)?;
        for (i, line) in extensions.iter().enumerate() {
            if line.is_empty() || line.chars().any(char::is_control) {
                return Err(CheckpointError::BadExtension { line: i + 4 });
            }
        }
        Ok(Checkpoint {
            origin: (*origin).to_owned(),
            size,
            root,
            extensions: extensions.iter().map(|s| (*s).to_owned()).collect(),
        })
    }

    /// The checkpoint as a note signed by each of `signers`, in order.
    ///
    /// # Errors
    /// [`CheckpointError::Note`] if an extension line makes the text unfit for a note.
    pub fn sign(&self, signers: &[&SignerKey]) -> Result<Note, CheckpointError> {
        let mut note = Note::new(self.to_text()).map_err(CheckpointError::Note)?;
        for key in signers {
            note.sign(key);
        }
        Ok(note)
    }

    /// Opens a signed checkpoint: the note's signatures by `keys` verify (see
    /// [`Note::verify`]), and it is a checkpoint of the log `origin`.
    ///
    /// # Errors
    /// [`CheckpointError::Note`], any parse error of [`Checkpoint::parse`], or
    /// [`CheckpointError::WrongOrigin`].
    pub fn open(
        bytes: &[u8],
        origin: &str,
        keys: &[VerifierKey],
    ) -> Result<(Checkpoint, VerifiedNote), CheckpointError> {
        let note = Note::parse(bytes).map_err(CheckpointError::Note)?;
        let verified = note.verify(keys).map_err(CheckpointError::Note)?;
        let checkpoint = Checkpoint::parse(&verified.text)?;
        if checkpoint.origin != origin {
            return Err(CheckpointError::WrongOrigin {
                expected: origin.to_owned(),
                found: checkpoint.origin,
            });
        }
        Ok((checkpoint, verified))
    }

    /// Checks that `later` extends this checkpoint: same origin, and `proof` (RFC 9162
    /// consistency hashes) links this size and root to the later ones.
    ///
    /// # Errors
    /// [`CheckpointError::WrongOrigin`] or [`CheckpointError::Proof`].
    pub fn verify_extension(
        &self,
        later: &Checkpoint,
        proof: &[TreeHash],
    ) -> Result<(), CheckpointError> {
        if later.origin != self.origin {
            return Err(CheckpointError::WrongOrigin {
                expected: self.origin.clone(),
                found: later.origin.clone(),
            });
        }
        ConsistencyProof::new(self.size, later.size, proof.to_vec())
            .verify(&self.root, &later.root)
            .map_err(CheckpointError::Proof)
    }
}

/// A set of keys and how many of them must sign a checkpoint for it to count as
/// acknowledged (e.g. both belligerents and the monitor: 3 of 3; any two of four: 2 of 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quorum {
    keys: Vec<VerifierKey>,
    threshold: usize,
}

/// A checkpoint signed by at least a quorum's threshold of its keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledged {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// The quorum's keys that signed it, each once, in signature order.
    pub signers: Vec<KeyName>,
}

impl Quorum {
    /// `threshold` of `keys`.
    ///
    /// # Errors
    /// [`QuorumError::BadThreshold`] or [`QuorumError::DuplicateKey`].
    pub fn new(keys: Vec<VerifierKey>, threshold: usize) -> Result<Quorum, QuorumError> {
        if threshold == 0 || threshold > keys.len() {
            return Err(QuorumError::BadThreshold {
                threshold,
                keys: keys.len(),
            });
        }
        for (i, k) in keys.iter().enumerate() {
            if keys
                .iter()
                .skip(i + 1)
                .any(|o| o.name() == k.name() && o.id() == k.id())
            {
                return Err(QuorumError::DuplicateKey {
                    name: k.name().to_string(),
                    id: k.id().to_string(),
                });
            }
        }
        Ok(Quorum { keys, threshold })
    }

    /// The keys.
    #[must_use]
    pub fn keys(&self) -> &[VerifierKey] {
        &self.keys
    }

    /// How many must sign.
    #[must_use]
    pub fn threshold(&self) -> usize {
        self.threshold
    }

    /// Opens a signed checkpoint of the log `origin` (see [`Checkpoint::open`]) and checks
    /// that at least the threshold of the quorum's keys signed it. Signatures by other keys
    /// are ignored; a bad signature by a quorum key refuses the checkpoint.
    ///
    /// # Errors
    /// [`CheckpointError::ShortOfQuorum`], or any error of [`Checkpoint::open`].
    pub fn check(&self, bytes: &[u8], origin: &str) -> Result<Acknowledged, CheckpointError> {
        let (checkpoint, verified) = match Checkpoint::open(bytes, origin, &self.keys) {
            Err(CheckpointError::Note(NoteError::NoKnownSignature { .. })) => {
                return Err(self.short(&[]));
            }
            other => other?,
        };
        let signers: Vec<KeyName> = verified.verified.iter().map(|k| k.name().clone()).collect();
        if signers.len() < self.threshold {
            return Err(self.short(&signers));
        }
        Ok(Acknowledged {
            checkpoint,
            signers,
        })
    }

    fn short(&self, signers: &[KeyName]) -> CheckpointError {
        CheckpointError::ShortOfQuorum {
            have: signers.len(),
            need: self.threshold,
            signers: signers.iter().map(ToString::to_string).collect(),
        }
    }
}

fn check_origin(origin: &str) -> Result<(), CheckpointError> {
    if origin.is_empty() || origin.chars().any(char::is_control) {
        return Err(CheckpointError::BadOrigin {
            origin: origin.chars().take(80).collect(),
        });
    }
    Ok(())
}

fn parse_size(text: &str) -> Result<u64, CheckpointError> {
    let bad = || CheckpointError::BadSize {
        text: text.chars().take(80).collect(),
    };
    let digits_only = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !digits_only || (text.len() > 1 && text.starts_with('0')) {
        return Err(bad());
    }
    text.parse().map_err(|_| bad())
}
