//! C2SP tlog-proof files (c2sp.org/tlog-proof): an offline-checkable proof that one entry is
//! in a log, as of a signed (and possibly cosigned) checkpoint.
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! extra <base64, optional, not authenticated>
//! index <0-based leaf index>
//! <inclusion proof, one base64 hash per line, leaf level first>
//!
//! <the signed checkpoint note, verbatim>
//! ```

use super::checkpoint::{Acknowledged, Checkpoint, CheckpointError, Quorum};
use super::hash::{HashError, TreeHash, decode_base64, encode_base64};
use super::key::VerifierKey;
use super::note::VerifiedNote;
use super::proof::{InclusionProof, MAX_PROOF_HASHES, ProofError};

/// The first line of every tlog-proof file.
const HEADER: &str = "c2sp.org/tlog-proof@v1";

/// Why a tlog-proof was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlogProofError {
    /// Bytes before the checkpoint that are not UTF-8.
    #[error("tlog-proof is not UTF-8 (byte offset {offset})")]
    NotUtf8 {
        /// Where the first bad byte is.
        offset: usize,
    },
    /// A first line other than `c2sp.org/tlog-proof@v1`.
    #[error("tlog-proof does not start with the line {HEADER}")]
    BadHeader,
    /// An `extra` line whose data is not base64.
    #[error("tlog-proof extra data is not base64")]
    BadExtra,
    /// A missing or malformed `index` line.
    #[error("tlog-proof line {line} {text:?} is not `index` and a decimal without leading zeros")]
    BadIndex {
        /// 1-based line number.
        line: usize,
        /// The line (at most 80 characters of it).
        text: String,
    },
    /// A proof line that is not one base64 hash.
    #[error("tlog-proof line {line}: {source}")]
    BadHash {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        source: HashError,
    },
    /// More proof lines than any proof has.
    #[error("tlog-proof has more than {max} proof hashes")]
    TooManyHashes {
        /// [`MAX_PROOF_HASHES`].
        max: usize,
    },
    /// No blank line followed by a checkpoint.
    #[error("tlog-proof has no blank line followed by a checkpoint")]
    NoCheckpoint,
    /// The checkpoint was refused (signatures, quorum, origin or format).
    #[error("tlog-proof checkpoint: {0}")]
    Checkpoint(#[source] CheckpointError),
    /// The inclusion proof does not lead from the leaf to the checkpoint's root.
    #[error("tlog-proof inclusion: {0}")]
    Proof(#[source] ProofError),
}

/// A tlog-proof: leaf index, inclusion proof, the signed checkpoint and optional extra data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Opaque application data, not authenticated by anything: never trust it implicitly.
    pub extra: Option<Vec<u8>>,
    /// The entry's 0-based index.
    pub index: u64,
    /// The inclusion proof against the checkpoint's tree size, leaf level first.
    pub hashes: Vec<TreeHash>,
    /// The signed checkpoint note, byte for byte.
    pub checkpoint: Vec<u8>,
}

impl TlogProof {
    /// Gathers a proof from an inclusion proof and the signed checkpoint it was made against.
    #[must_use]
    pub fn new(proof: &InclusionProof, checkpoint: Vec<u8>) -> TlogProof {
        TlogProof {
            extra: None,
            index: proof.index,
            hashes: proof.hashes.clone(),
            checkpoint,
        }
    }

    /// The file's bytes.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{HEADER}\n");
        if let Some(extra) = &self.extra {
            out.push_str(&format!("extra {}\n", encode_base64(extra)));
        }
        out.push_str(&format!("index {}\n", self.index));
        for h in &self.hashes {
            out.push_str(&format!("{h}\n"));
        }
        out.push('\n');
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.checkpoint);
        bytes
    }

    /// Parses a file, without checking the proof or the checkpoint's signatures.
    ///
    /// # Errors
    /// [`TlogProofError::NotUtf8`], [`TlogProofError::BadHeader`],
    /// [`TlogProofError::BadExtra`], [`TlogProofError::BadIndex`],
    /// [`TlogProofError::BadHash`], [`TlogProofError::TooManyHashes`] or
    /// [`TlogProofError::NoCheckpoint`].
    pub fn parse(bytes: &[u8]) -> Result<TlogProof, TlogProofError> {
        // The head ends at the first blank line; everything after it is the checkpoint.
        let split = bytes
            .windows(2)
            .position(|w| w == b"\n\n")
            .ok_or(TlogProofError::NoCheckpoint)?;
        let (head, checkpoint) = (&bytes[..=split], &bytes[split + 2..]);
        if checkpoint.is_empty() {
            return Err(TlogProofError::NoCheckpoint);
        }
        let head = std::str::from_utf8(head).map_err(|e| TlogProofError::NotUtf8 {
            offset: e.valid_up_to(),
        })?;
        let mut lines = head
            .strip_suffix('\n')
            .unwrap_or(head)
            .split('\n')
            .peekable();
        if lines.next() != Some(HEADER) {
            return Err(TlogProofError::BadHeader);
        }
        let mut line_no = 2;
        let mut extra = None;
        if let Some(b64) = lines.peek().and_then(|l| l.strip_prefix("extra ")) {
            extra = Some(decode_base64(b64).ok_or(TlogProofError::BadExtra)?);
            lines.next();
            line_no += 1;
        }
        let index_line = lines.next().unwrap_or_default();
        let index = index_line
            .strip_prefix("index ")
            .and_then(parse_decimal)
            .ok_or_else(|| TlogProofError::BadIndex {
                line: line_no,
                text: index_line.chars().take(80).collect(),
            })?;
        let mut hashes = Vec::new();
        for line in lines {
            line_no += 1;
            if hashes.len() == MAX_PROOF_HASHES {
                return Err(TlogProofError::TooManyHashes {
                    max: MAX_PROOF_HASHES,
                });
            }
            let hash = TreeHash::from_base64(line).map_err(|source| TlogProofError::BadHash {
                line: line_no,
                source,
            })?;
            hashes.push(hash);
        }
        Ok(TlogProof {
            extra,
            index,
            hashes,
            checkpoint: checkpoint.to_vec(),
        })
    }

    /// Checks that `leaf` (the entry's [`leaf_hash`](super::leaf_hash)) is at `index` in the
    /// log `origin` as of the checkpoint, whose signatures by `keys` verify (at least one).
    ///
    /// # Errors
    /// [`TlogProofError::Checkpoint`] or [`TlogProofError::Proof`].
    pub fn verify(
        &self,
        leaf: &TreeHash,
        origin: &str,
        keys: &[VerifierKey],
    ) -> Result<(Checkpoint, VerifiedNote), TlogProofError> {
        let (checkpoint, note) =
            Checkpoint::open(&self.checkpoint, origin, keys).map_err(TlogProofError::Checkpoint)?;
        self.check_inclusion(leaf, &checkpoint)?;
        Ok((checkpoint, note))
    }

    /// As [`verify`](Self::verify), but the checkpoint must be signed by a quorum.
    ///
    /// # Errors
    /// [`TlogProofError::Checkpoint`] (e.g. short of the quorum) or [`TlogProofError::Proof`].
    pub fn verify_quorum(
        &self,
        leaf: &TreeHash,
        origin: &str,
        quorum: &Quorum,
    ) -> Result<Acknowledged, TlogProofError> {
        let acknowledged = quorum
            .check(&self.checkpoint, origin)
            .map_err(TlogProofError::Checkpoint)?;
        self.check_inclusion(leaf, &acknowledged.checkpoint)?;
        Ok(acknowledged)
    }

    fn check_inclusion(
        &self,
        leaf: &TreeHash,
        checkpoint: &Checkpoint,
    ) -> Result<(), TlogProofError> {
        InclusionProof::new(self.index, checkpoint.size, self.hashes.clone())
            .verify(leaf, &checkpoint.root)
            .map_err(TlogProofError::Proof)
    }
}

/// A decimal without leading zeros (`0` itself allowed).
fn parse_decimal(text: &str) -> Option<u64> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !digits || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    text.parse().ok()
}
