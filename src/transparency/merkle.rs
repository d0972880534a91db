//! An append-only RFC 9162 Merkle tree that can prove inclusion and consistency, and its
//! right edge alone ([`Frontier`]) for those who only need roots.

use super::hash::{TreeHash, empty_root, leaf_hash, node_hash};
use super::proof::{ConsistencyProof, InclusionProof};

/// A proof asked of a tree that cannot give it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TreeError {
    /// The tree does not have that many leaves yet.
    #[error("tree size {size} is larger than the tree, which has {len} leaves")]
    SizeTooLarge {
        /// The size asked for.
        size: u64,
        /// The leaves the tree has.
        len: u64,
    },
    /// The leaf index is not inside the tree of the given size.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange {
        /// The leaf asked for (0-based).
        index: u64,
        /// The tree size the proof was asked against.
        size: u64,
    },
    /// A consistency proof from a larger tree to a smaller one.
    #[error("cannot prove consistency from size {first} to the smaller size {second}")]
    SizesOutOfOrder {
        /// The earlier tree size.
        first: u64,
        /// The later tree size.
        second: u64,
    },
}

/// An append-only Merkle tree over leaf hashes, able to give its root at any earlier size
/// and inclusion and consistency proofs between any sizes.
///
/// It keeps every complete subtree's hash: `levels[l][i]` covers leaves `i·2^l .. (i+1)·2^l`,
/// about two hashes per leaf in all, so that a root or a proof costs O(log n) hashing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MerkleTree {
    levels: Vec<Vec<TreeHash>>,
}

impl MerkleTree {
    /// An empty tree.
    #[must_use]
    pub fn new() -> MerkleTree {
        MerkleTree::default()
    }

    /// The number of leaves.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// Whether the tree has no leaves.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a leaf given its hash (see [`leaf_hash`]) and returns its 0-based index.
    pub fn push(&mut self, leaf: TreeHash) -> u64 {
        let index = self.len();
        let mut carry = leaf;
        let mut level = 0;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let Some(row) = self.levels.get_mut(level) else {
                break;
            };
            row.push(carry);
            // An even count means the last two hashes of this level form a complete parent.
            if !row.len().is_multiple_of(2) {
                break;
            }
            match (row.get(row.len() - 2), row.last()) {
                (Some(left), Some(right)) => carry = node_hash(left, right),
                _ => break,
            }
            level += 1;
        }
        index
    }

    /// Appends a leaf given its bytes, hashed as `0x00 ‖ data`, and returns its index.
    pub fn push_data(&mut self, data: &[u8]) -> u64 {
        self.push(leaf_hash(data))
    }

    /// The hash of leaf `index`, if the tree has it.
    #[must_use]
    pub fn leaf(&self, index: u64) -> Option<TreeHash> {
        let i = usize::try_from(index).ok()?;
        self.levels.first()?.get(i).copied()
    }

    /// The root of the whole tree.
    #[must_use]
    pub fn root(&self) -> TreeHash {
        self.range(0, self.len())
    }

    /// The root of the tree as it was when it had `size` leaves.
    ///
    /// # Errors
    /// [`TreeError::SizeTooLarge`] if the tree has fewer leaves than `size`.
    pub fn root_at(&self, size: u64) -> Result<TreeHash, TreeError> {
        self.check_size(size)?;
        Ok(self.range(0, size))
    }

    /// The proof that leaf `index` is in the tree of `size` leaves (RFC 9162 `PATH`).
    ///
    /// # Errors
    /// [`TreeError::SizeTooLarge`] or [`TreeError::IndexOutOfRange`].
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<InclusionProof, TreeError> {
        self.check_size(size)?;
        if index >= size {
            return Err(TreeError::IndexOutOfRange { index, size });
        }
        let mut hashes = Vec::new();
        self.path(index, 0, size, &mut hashes);
        Ok(InclusionProof::new(index, size, hashes))
    }

    /// The proof that the tree of `second` leaves extends the tree of `first` leaves
    /// (RFC 9162 `PROOF`; empty when `first` is 0 or equals `second`).
    ///
    /// # Errors
    /// [`TreeError::SizeTooLarge`] or [`TreeError::SizesOutOfOrder`].
    pub fn consistency_proof(
        &self,
        first: u64,
        second: u64,
    ) -> Result<ConsistencyProof, TreeError> {
        self.check_size(second)?;
        if first > second {
            return Err(TreeError::SizesOutOfOrder { first, second });
        }
        let mut hashes = Vec::new();
        if first > 0 && first < second {
            self.subproof(first, 0, second, true, &mut hashes);
        }
        Ok(ConsistencyProof::new(first, second, hashes))
    }

    fn check_size(&self, size: u64) -> Result<(), TreeError> {
        let len = self.len();
        if size > len {
            return Err(TreeError::SizeTooLarge { size, len });
        }
        Ok(())
    }

    /// MTH(D[lo..hi]) for `lo <= hi <= len`, from the stored complete subtrees.
    fn range(&self, lo: u64, hi: u64) -> TreeHash {
        let width = hi.saturating_sub(lo);
        if width == 0 {
            return empty_root();
        }
        if width.is_power_of_two() && lo.is_multiple_of(width) {
            let level = width.trailing_zeros() as usize;
            let stored = usize::try_from(lo >> level)
                .ok()
                .and_then(|i| self.levels.get(level)?.get(i));
            if let Some(hash) = stored {
                return *hash;
            }
            if width == 1 {
                // Unreachable for lo < len; an empty answer rather than a panic.
                return empty_root();
            }
        }
        let k = split(width);
        node_hash(&self.range(lo, lo + k), &self.range(lo + k, hi))
    }

    /// RFC 9162 PATH(m, D[lo..hi]) with `m` absolute.
    fn path(&self, m: u64, lo: u64, hi: u64, out: &mut Vec<TreeHash>) {
        if hi - lo <= 1 {
            return;
        }
        let k = split(hi - lo);
        if m < lo + k {
            self.path(m, lo, lo + k, out);
            out.push(self.range(lo + k, hi));
        } else {
            self.path(m, lo + k, hi, out);
            out.push(self.range(lo, lo + k));
        }
    }

    /// RFC 9162 SUBPROOF(m, D[lo..hi], b) with `m` the absolute old size.
    fn subproof(&self, m: u64, lo: u64, hi: u64, whole: bool, out: &mut Vec<TreeHash>) {
        if m == hi {
            if !whole {
                out.push(self.range(lo, hi));
            }
            return;
        }
        let k = split(hi - lo);
        if m <= lo + k {
            self.subproof(m, lo, lo + k, whole, out);
            out.push(self.range(lo + k, hi));
        } else {
            self.subproof(m, lo + k, hi, false, out);
            out.push(self.range(lo, lo + k));
        }
    }
}

/// The largest power of two strictly below `n` (for `n >= 2`; 1 otherwise).
fn split(n: u64) -> u64 {
    if n < 2 {
        return 1;
    }
    1 << (63 - (n - 1).leading_zeros())
}

/// The right edge of a Merkle tree: one hash per complete subtree of its size's binary
/// decomposition, so at most 64 hashes whatever the size. Enough to append and to compute
/// the root, not to prove anything. Serialized as `{"size": n, "hashes": [base64, ...]}`;
/// reading refuses a hash count that is not the number of set bits of the size.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, try_from = "FrontierParts")]
pub struct Frontier {
    size: u64,
    /// Complete subtrees from the leftmost (largest) to the rightmost (smallest).
    hashes: Vec<TreeHash>,
}

/// A frontier as read, before its shape is checked.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontierParts {
    size: u64,
    hashes: Vec<TreeHash>,
}

impl TryFrom<FrontierParts> for Frontier {
    type Error = String;

    fn try_from(parts: FrontierParts) -> Result<Frontier, String> {
        if parts.hashes.len() != parts.size.count_ones() as usize {
            return Err(format!(
                "a frontier of size {} has {} hashes, not {}",
                parts.size,
                parts.hashes.len(),
                parts.size.count_ones()
            ));
        }
        Ok(Frontier {
            size: parts.size,
            hashes: parts.hashes,
        })
    }
}

impl Frontier {
    /// The frontier of the empty tree.
    #[must_use]
    pub fn new() -> Frontier {
        Frontier::default()
    }

    /// The number of leaves appended.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.size
    }

    /// Whether nothing has been appended.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// The hashes kept: one per set bit of the size, largest subtree first.
    #[must_use]
    pub fn hashes(&self) -> &[TreeHash] {
        &self.hashes
    }

    /// Appends a leaf given its hash and returns its index.
    pub fn push(&mut self, leaf: TreeHash) -> u64 {
        let index = self.size;
        let mut carry = leaf;
        let mut bits = self.size;
        while bits & 1 == 1 {
            let Some(left) = self.hashes.pop() else {
                break;
            };
            carry = node_hash(&left, &carry);
            bits >>= 1;
        }
        self.hashes.push(carry);
        self.size += 1;
        index
    }

    /// The root of the tree so far.
    #[must_use]
    pub fn root(&self) -> TreeHash {
        let mut subtrees = self.hashes.iter().rev();
        let Some(last) = subtrees.next() else {
            return empty_root();
        };
        subtrees.fold(*last, |acc, left| node_hash(left, &acc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_the_largest_power_of_two_below() {
        let got: Vec<u64> = (2..=9).map(split).collect();
        assert_eq!(got, [1, 2, 2, 4, 4, 4, 4, 8]);
        assert_eq!(split(u64::MAX), 1 << 63);
    }

    #[test]
    fn frontier_keeps_one_hash_per_set_bit() {
        let mut f = Frontier::new();
        let mut t = MerkleTree::new();
        for i in 0u64..100 {
            f.push(leaf_hash(&i.to_be_bytes()));
            t.push_data(&i.to_be_bytes());
            assert_eq!(f.hashes().len() as u32, f.len().count_ones());
            assert_eq!(f.root(), t.root());
        }
    }

    #[test]
    fn frontier_round_trips_and_refuses_a_wrong_shape() {
        let mut f = Frontier::new();
        for i in 0u64..11 {
            f.push(leaf_hash(&i.to_be_bytes()));
        }
        let json = serde_json::to_string(&f).expect("serializes");
        let back: Frontier = serde_json::from_str(&json).expect("reads");
        assert_eq!(back, f);
        assert_eq!(back.root(), f.root());
        let wrong = json.replace("\"size\":11", "\"size\":12");
        assert!(serde_json::from_str::<Frontier>(&wrong).is_err());
    }

    #[test]
    fn refuses_proofs_beyond_the_tree() {
        let mut t = MerkleTree::new();
        t.push_data(b"a");
        assert_eq!(
            t.inclusion_proof(0, 2),
            Err(TreeError::SizeTooLarge { size: 2, len: 1 })
        );
        assert_eq!(
            t.inclusion_proof(1, 1),
            Err(TreeError::IndexOutOfRange { index: 1, size: 1 })
        );
        assert_eq!(
            t.consistency_proof(1, 0),
            Err(TreeError::SizesOutOfOrder {
                first: 1,
                second: 0
            })
        );
        assert_eq!(t.root_at(0), Ok(empty_root()));
        assert_eq!(t.leaf(1), None);
    }
}
