//! Inclusion and consistency proofs (RFC 9162 sections 2.1.3 and 2.1.4) and their
//! verification, which needs only the proof, the sizes, the index and the root hashes.

use super::hash::{HashError, TreeHash, empty_root, node_hash};

/// The most hashes a proof about trees of up to 2⁶⁴ − 1 leaves can hold; longer text is
/// refused before it is decoded.
pub const MAX_PROOF_HASHES: usize = 65;

/// Why a proof was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// An inclusion proof for a leaf outside the tree.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange {
        /// The leaf's 0-based index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof from a larger tree to a smaller one.
    #[error("consistency from tree size {first} to the smaller size {second}")]
    SizesOutOfOrder {
        /// The earlier size.
        first: u64,
        /// The later size.
        second: u64,
    },
    /// The proof does not have the number of hashes its sizes and index call for.
    #[error("the proof has {got} hashes, but sizes and index call for {expected}")]
    WrongLength {
        /// How many the sizes and index call for.
        expected: usize,
        /// How many the proof has.
        got: usize,
    },
    /// The hashes lead to another root than the one given.
    #[error("the proof leads to root {computed}, not to {expected}")]
    RootMismatch {
        /// The root given (of the later tree, for a consistency proof).
        expected: TreeHash,
        /// The root the proof leads to.
        computed: TreeHash,
    },
    /// A consistency proof that leads to another root for the earlier tree.
    #[error("the proof leads to earlier root {computed}, not to {expected}")]
    FirstRootMismatch {
        /// The earlier root given.
        expected: TreeHash,
        /// The earlier root the proof leads to.
        computed: TreeHash,
    },
    /// Two equal sizes (or an empty earlier tree) whose roots cannot both be right.
    #[error("tree size {size} cannot have both root {first} and root {second}")]
    RootsDiffer {
        /// The size both roots claim.
        size: u64,
        /// The earlier root given.
        first: TreeHash,
        /// The later root given.
        second: TreeHash,
    },
    /// A line of proof text that is not one base64-encoded hash.
    #[error("proof line {line}: {source}")]
    BadLine {
        /// 1-based line number within the proof's hash lines.
        line: usize,
        /// What is wrong with it.
        source: HashError,
    },
    /// Proof text whose last line does not end in a newline.
    #[error("proof text must end with a newline")]
    MissingNewline,
    /// Proof text with more hash lines than any proof has.
    #[error("proof text has more than {max} hash lines")]
    TooLong {
        /// [`MAX_PROOF_HASHES`].
        max: usize,
    },
}

/// A proof that the leaf at `index` is in the tree of `size` leaves: the sibling hashes
/// from the leaf up to the root (RFC 9162 `PATH`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    /// The leaf's 0-based index.
    pub index: u64,
    /// The tree size the proof is for.
    pub size: u64,
    /// The audit path, leaf level first.
    pub hashes: Vec<TreeHash>,
}

impl InclusionProof {
    /// Gathers a proof.
    #[must_use]
    pub fn new(index: u64, size: u64, hashes: Vec<TreeHash>) -> InclusionProof {
        InclusionProof {
            index,
            size,
            hashes,
        }
    }

    /// The root the proof leads to from `leaf` (a [`leaf_hash`](super::leaf_hash)).
    ///
    /// # Errors
    /// [`ProofError::IndexOutOfRange`] or [`ProofError::WrongLength`].
    pub fn root_from(&self, leaf: &TreeHash) -> Result<TreeHash, ProofError> {
        let (index, size) = (self.index, self.size);
        if index >= size {
            return Err(ProofError::IndexOutOfRange { index, size });
        }
        let (inner, border) = decompose(index, size);
        check_length(inner + border, self.hashes.len())?;
        // Below `inner` the leaf's side decides; above it the leaf is always the right child.
        let mut hash = *leaf;
        for (level, sibling) in self.hashes.iter().enumerate() {
            hash = if level < inner && (index >> level) & 1 == 0 {
                node_hash(&hash, sibling)
            } else {
                node_hash(sibling, &hash)
            };
        }
        Ok(hash)
    }

    /// Checks that `leaf` (a leaf hash) is at `index` in the tree of `size` with `root`.
    ///
    /// # Errors
    /// [`ProofError::IndexOutOfRange`], [`ProofError::WrongLength`] or
    /// [`ProofError::RootMismatch`].
    pub fn verify(&self, leaf: &TreeHash, root: &TreeHash) -> Result<(), ProofError> {
        let computed = self.root_from(leaf)?;
        if computed != *root {
            return Err(ProofError::RootMismatch {
                expected: *root,
                computed,
            });
        }
        Ok(())
    }
}

/// A proof that the tree of `second` leaves extends the tree of `first` leaves (RFC 9162
/// `PROOF`), written as one base64 hash per line by [`to_text`](Self::to_text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyProof {
    /// The earlier tree size.
    pub first: u64,
    /// The later tree size.
    pub second: u64,
    /// The proof's hashes, in RFC 9162 order.
    pub hashes: Vec<TreeHash>,
}

impl ConsistencyProof {
    /// Gathers a proof.
    #[must_use]
    pub fn new(first: u64, second: u64, hashes: Vec<TreeHash>) -> ConsistencyProof {
        ConsistencyProof {
            first,
            second,
            hashes,
        }
    }

    /// Checks that the tree of `second` leaves with `second_root` extends the tree of `first`
    /// leaves with `first_root`. Equal sizes need an empty proof and equal roots; an empty
    /// earlier tree needs an empty proof and the empty-tree root.
    ///
    /// # Errors
    /// [`ProofError::SizesOutOfOrder`], [`ProofError::WrongLength`],
    /// [`ProofError::RootsDiffer`], [`ProofError::FirstRootMismatch`] or
    /// [`ProofError::RootMismatch`].
    pub fn verify(&self, first_root: &TreeHash, second_root: &TreeHash) -> Result<(), ProofError> {
        let (first, second) = (self.first, self.second);
        if first > second {
            return Err(ProofError::SizesOutOfOrder { first, second });
        }
        if first == 0 || first == second {
            check_length(0, self.hashes.len())?;
            let expected_first = if first == 0 {
                empty_root()
            } else {
                *second_root
            };
            if *first_root != expected_first {
                return Err(ProofError::RootsDiffer {
                    size: first,
                    first: *first_root,
                    second: expected_first,
                });
            }
            return Ok(());
        }
        // The earlier tree's rightmost complete subtree is the seed; when the earlier tree is
        // itself complete (a power of two) the proof leaves it out and its root stands in.
        let shift = first.trailing_zeros() as usize;
        let (inner, border) = decompose(first - 1, second);
        let inner = inner.saturating_sub(shift);
        let complete = first.is_power_of_two();
        check_length(usize::from(!complete) + inner + border, self.hashes.len())?;
        let (seed, rest) = if complete {
            (*first_root, self.hashes.as_slice())
        } else {
            match self.hashes.split_first() {
                Some((seed, rest)) => (*seed, rest),
                None => {
                    return Err(ProofError::WrongLength {
                        expected: 1,
                        got: 0,
                    });
                }
            }
        };
        let index = (first - 1) >> shift;
        let mut old = seed;
        let mut new = seed;
        // Walking up from the seed: a sibling on the right (below `inner`, where the seed's
        // side is left) holds only new leaves, so it joins the new root alone; a sibling on
        // the left (odd bits below `inner`, and every level above it) holds old leaves and
        // joins both roots.
        for (level, sibling) in rest.iter().enumerate() {
            if level < inner && (index >> level) & 1 == 0 {
                new = node_hash(&new, sibling);
            } else {
                old = node_hash(sibling, &old);
                new = node_hash(sibling, &new);
            }
        }
        if old != *first_root {
            return Err(ProofError::FirstRootMismatch {
                expected: *first_root,
                computed: old,
            });
        }
        if new != *second_root {
            return Err(ProofError::RootMismatch {
                expected: *second_root,
                computed: new,
            });
        }
        Ok(())
    }

    /// The proof's hashes, one standard base64 hash per line, each line ending in a newline
    /// (nothing at all for an empty proof).
    #[must_use]
    pub fn to_text(&self) -> String {
        hashes_to_text(&self.hashes)
    }

    /// Reads proof text written by [`to_text`](Self::to_text); the sizes come from the two
    /// checkpoints it links.
    ///
    /// # Errors
    /// [`ProofError::BadLine`], [`ProofError::MissingNewline`] or [`ProofError::TooLong`].
    pub fn from_text(first: u64, second: u64, text: &str) -> Result<ConsistencyProof, ProofError> {
        Ok(ConsistencyProof::new(
            first,
            second,
            hashes_from_text(text)?,
        ))
    }
}

/// Lines of base64 hashes, each ending in a newline.
pub(crate) fn hashes_to_text(hashes: &[TreeHash]) -> String {
    hashes.iter().map(|h| format!("{h}\n")).collect()
}

/// The inverse of [`hashes_to_text`].
pub(crate) fn hashes_from_text(text: &str) -> Result<Vec<TreeHash>, ProofError> {
    let Some(body) = text.strip_suffix('\n') else {
        return if text.is_empty() {
            Ok(Vec::new())
        } else {
            Err(ProofError::MissingNewline)
        };
    };
    let mut hashes = Vec::new();
    for (i, line) in body.split('\n').enumerate() {
        if i >= MAX_PROOF_HASHES {
            return Err(ProofError::TooLong {
                max: MAX_PROOF_HASHES,
            });
        }
        let hash = TreeHash::from_base64(line).map_err(|source| ProofError::BadLine {
            line: i + 1,
            source,
        })?;
        hashes.push(hash);
    }
    Ok(hashes)
}

/// Splits the audit path of leaf `index` in a tree of `size` leaves (`index < size`) into
/// the levels below the point where the paths to `index` and to the last leaf meet
/// (`inner`), and the complete left subtrees above it (`border`).
fn decompose(index: u64, size: u64) -> (usize, usize) {
    let last = size.saturating_sub(1);
    let inner = (64 - (index ^ last).leading_zeros()) as usize;
    let border = index.checked_shr(inner as u32).unwrap_or(0).count_ones() as usize;
    (inner, border)
}

fn check_length(expected: usize, got: usize) -> Result<(), ProofError> {
    if expected != got {
        return Err(ProofError::WrongLength { expected, got });
    }
    Ok(())
}
