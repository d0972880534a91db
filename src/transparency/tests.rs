//! Exhaustive proof tests up to 64 leaves against a naive recursive reference written from
//! the RFC 9162 section 2.1 definitions, and hostile-input checks of the verifiers.

use super::*;

/// MTH(D[n]) straight from the definition.
fn mth(leaves: &[TreeHash]) -> TreeHash {
    match leaves {
        [] => empty_root(),
        [one] => *one,
        _ => {
            let k = largest_power_below(leaves.len());
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

fn largest_power_below(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// PATH(m, D[n]).
fn path(m: usize, leaves: &[TreeHash]) -> Vec<TreeHash> {
    if leaves.len() <= 1 {
        return Vec::new();
    }
    let k = largest_power_below(leaves.len());
    if m < k {
        let mut p = path(m, &leaves[..k]);
        p.push(mth(&leaves[k..]));
        p
    } else {
        let mut p = path(m - k, &leaves[k..]);
        p.push(mth(&leaves[..k]));
        p
    }
}

/// SUBPROOF(m, D[n], b).
fn subproof(m: usize, leaves: &[TreeHash], whole: bool) -> Vec<TreeHash> {
    if m == leaves.len() {
        return if whole { Vec::new() } else { vec![mth(leaves)] };
    }
    let k = largest_power_below(leaves.len());
    if m <= k {
        let mut p = subproof(m, &leaves[..k], whole);
        p.push(mth(&leaves[k..]));
        p
    } else {
        let mut p = subproof(m - k, &leaves[k..], false);
        p.push(mth(&leaves[..k]));
        p
    }
}

fn leaves(n: usize) -> Vec<TreeHash> {
    (0..n)
        .map(|i| leaf_hash(format!("leaf {i}").as_bytes()))
        .collect()
}

fn tree(leaves: &[TreeHash]) -> MerkleTree {
    let mut t = MerkleTree::new();
    for l in leaves {
        t.push(*l);
    }
    t
}

fn flip(h: &TreeHash, bit: usize) -> TreeHash {
    let mut b = *h.as_bytes();
    b[bit / 8 % 32] ^= 1 << (bit % 8);
    TreeHash::from_bytes(b)
}

#[test]
fn every_inclusion_proof_up_to_64_leaves_matches_the_reference_and_verifies() {
    let all = leaves(64);
    let spare = leaves(65);
    let t = tree(&all);
    let other = leaf_hash(b"not a leaf");
    for size in 1..=64usize {
        let root = mth(&all[..size]);
        assert_eq!(t.root_at(size as u64), Ok(root), "root at {size}");
        for index in 0..size {
            let proof = t.inclusion_proof(index as u64, size as u64).unwrap();
            assert_eq!(
                proof.hashes,
                path(index, &all[..size]),
                "path({index}, {size})"
            );
            assert_eq!(proof.verify(&all[index], &root), Ok(()));
            // Every other leaf, index, size, bit flip, dropped or added hash fails.
            assert!(proof.verify(&other, &root).is_err());
            for wrong in [index + 1, index ^ 1, index.wrapping_sub(1)] {
                let moved = InclusionProof::new(wrong as u64, size as u64, proof.hashes.clone());
                if wrong != index && all.get(wrong) != Some(&all[index]) {
                    assert!(moved.verify(&all[index], &root).is_err(), "{wrong} {size}");
                }
            }
            // A size is bound only through the path's shape: another size with another
            // shape fails, one with the same shape (e.g. leaf 0 of 3 and of 4) may pass.
            for wrong_size in [size - 1, size + 1] {
                let resized =
                    InclusionProof::new(index as u64, wrong_size as u64, proof.hashes.clone());
                let same_shape = index < wrong_size
                    && path(index, &spare[..wrong_size]).len() == proof.hashes.len();
                if !same_shape {
                    assert!(
                        resized.verify(&all[index], &root).is_err(),
                        "{index} {wrong_size}"
                    );
                }
            }
            for i in 0..proof.hashes.len() {
                let mut bad = proof.clone();
                bad.hashes[i] = flip(&bad.hashes[i], i * 7);
                assert!(bad.verify(&all[index], &root).is_err());
                let mut short = proof.clone();
                short.hashes.remove(i);
                assert!(matches!(
                    short.verify(&all[index], &root),
                    Err(ProofError::WrongLength { .. })
                ));
            }
            let mut long = proof.clone();
            long.hashes.push(root);
            assert!(matches!(
                long.verify(&all[index], &root),
                Err(ProofError::WrongLength { .. })
            ));
        }
    }
}

#[test]
fn every_consistency_proof_up_to_64_leaves_matches_the_reference_and_verifies() {
    let all = leaves(64);
    let spare = leaves(65);
    let t = tree(&all);
    for second in 1..=64usize {
        let root2 = mth(&all[..second]);
        for first in 0..=second {
            let root1 = mth(&all[..first]);
            let proof = t.consistency_proof(first as u64, second as u64).unwrap();
            let expected = if first == 0 || first == second {
                Vec::new()
            } else {
                subproof(first, &all[..second], true)
            };
            assert_eq!(proof.hashes, expected, "PROOF({first}, {second})");
            assert_eq!(proof.verify(&root1, &root2), Ok(()), "{first} -> {second}");
            // Text round trip.
            let text = proof.to_text();
            assert_eq!(
                ConsistencyProof::from_text(proof.first, proof.second, &text),
                Ok(proof.clone())
            );
            // Wrong roots, sizes, flipped, dropped and added hashes all fail.
            // Every tree extends the empty one, whatever its root; otherwise both roots count.
            assert!(proof.verify(&flip(&root1, 3), &root2).is_err());
            if first > 0 {
                assert!(proof.verify(&root1, &flip(&root2, 5)).is_err());
            }
            let mutated = [
                (first + 1, second),
                (first.saturating_sub(1), second),
                (first, second + 1),
            ];
            for (f, s) in mutated.into_iter().filter(|_| first > 0) {
                let bad = ConsistencyProof::new(f as u64, s as u64, proof.hashes.clone());
                // Sizes are bound only through the proof's shape (1 -> 3 looks like 1 -> 4).
                let shape = |f: usize, s: usize| {
                    (f > 0 && f < s).then(|| subproof(f, &spare[..s], true).len())
                };
                if shape(f, s) != shape(first, second) || f == s {
                    assert!(
                        bad.verify(&root1, &root2).is_err(),
                        "{f} -> {s} posing as {first} -> {second}"
                    );
                }
            }
            for i in 0..proof.hashes.len() {
                let mut bad = proof.clone();
                bad.hashes[i] = flip(&bad.hashes[i], i * 11);
                assert!(bad.verify(&root1, &root2).is_err());
                let mut short = proof.clone();
                short.hashes.remove(i);
                assert!(short.verify(&root1, &root2).is_err());
            }
            let mut long = proof.clone();
            long.hashes.push(root2);
            assert!(long.verify(&root1, &root2).is_err());
        }
    }
}

#[test]
fn verifiers_survive_hostile_sizes_and_lengths() {
    let h = leaf_hash(b"x");
    let many = vec![h; 200];
    for (index, size) in [
        (0, 0),
        (u64::MAX, u64::MAX),
        (u64::MAX - 1, u64::MAX),
        (0, u64::MAX),
        (1 << 63, u64::MAX),
    ] {
        for n in [0, 1, 63, 64, 65, 200] {
            let p = InclusionProof::new(index, size, many[..n].to_vec());
            assert!(p.verify(&h, &h).is_err());
        }
    }
    for (first, second) in [
        (u64::MAX, u64::MAX),
        (1, u64::MAX),
        (u64::MAX - 1, u64::MAX),
        (1 << 63, u64::MAX),
        (3, 2),
        (0, u64::MAX),
    ] {
        for n in [0, 1, 63, 64, 65, 200] {
            let p = ConsistencyProof::new(first, second, many[..n].to_vec());
            let _ = p.verify(&h, &h);
        }
    }
    // A valid-length proof for the largest trees does not panic either.
    let p = InclusionProof::new(u64::MAX - 1, u64::MAX, vec![h; 64]);
    assert!(p.verify(&h, &h).is_err());
}

#[test]
fn consistency_text_refuses_what_it_did_not_write() {
    let h = leaf_hash(b"x");
    assert_eq!(
        ConsistencyProof::from_text(1, 1, ""),
        Ok(ConsistencyProof::new(1, 1, vec![]))
    );
    assert_eq!(
        ConsistencyProof::from_text(1, 2, &h.to_string()),
        Err(ProofError::MissingNewline)
    );
    assert!(matches!(
        ConsistencyProof::from_text(1, 3, &format!("{h}\n\n")),
        Err(ProofError::BadLine { line: 2, .. })
    ));
    assert!(matches!(
        ConsistencyProof::from_text(1, 3, &format!("{h}\nnot base64\n")),
        Err(ProofError::BadLine { line: 2, .. })
    ));
    let long = format!("{h}\n").repeat(MAX_PROOF_HASHES + 1);
    assert_eq!(
        ConsistencyProof::from_text(1, 3, &long),
        Err(ProofError::TooLong {
            max: MAX_PROOF_HASHES
        })
    );
}
