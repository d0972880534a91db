//! Transparency-log primitives in the formats the web's Certificate Transparency and the Go
//! checksum database use, so that tools nobody here wrote can audit a ceasefire log
//! (feature `transparency`).
//!
//! | item | what it is |
//! |---|---|
//! | [`TreeHash`], [`leaf_hash`], [`node_hash`] | RFC 6962 / RFC 9162 Merkle hashing (SHA-256) |
//! | [`MerkleTree`], [`Frontier`] | an append-only tree with proofs; the O(log n) right edge alone |
//! | [`InclusionProof`], [`ConsistencyProof`] | proofs and their verification, which needs only sizes, indexes and hashes |
//! | [`SignerKey`], [`VerifierKey`] | Ed25519 keys written as C2SP signed-note keys |
//! | [`Note`], [`VerifiedNote`] | C2SP signed notes: text plus one or more signature lines (cosigning) |
//! | [`Checkpoint`], [`Quorum`] | C2SP tlog-checkpoints and "signed by at least N of these keys" |
//! | [`TlogProof`] | C2SP tlog-proof files: one leaf's inclusion against a signed checkpoint |
//!
//! The formats, what each function checks and why these are written here rather than taken
//! from another crate are in [the transparency guide](crate::guide::transparency).

mod checkpoint;
mod hash;
mod key;
mod merkle;
mod note;
mod proof;
mod tlog_proof;

#[cfg(test)]
mod format_tests;
#[cfg(test)]
mod tests;

pub use checkpoint::{Acknowledged, Checkpoint, CheckpointError, Quorum, QuorumError};
pub use hash::{HashError, TreeHash, empty_root, leaf_hash, node_hash};
pub(crate) use key::strict_r;
pub use key::{KeyError, KeyId, KeyName, Signature, SignerKey, VerifierKey};
pub use merkle::{Frontier, MerkleTree, TreeError};
pub use note::{MAX_SIGNATURES, Note, NoteError, NoteSignature, VerifiedNote};
pub use proof::{ConsistencyProof, InclusionProof, MAX_PROOF_HASHES, ProofError};
pub use tlog_proof::{TlogProof, TlogProofError};
