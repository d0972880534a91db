//! The text formats refuse what they would not write, with the error that says why, and
//! never panic on arbitrary bytes.

use proptest::prelude::*;

use super::*;

fn key(seed: u8) -> SignerKey {
    let name = KeyName::new(&format!("test.example/k{seed}")).unwrap();
    SignerKey::from_seed(name, &[seed; 32]).unwrap()
}

fn signed(text: &str) -> Vec<u8> {
    let mut note = Note::new(text).unwrap();
    note.sign(&key(1));
    note.to_bytes()
}

#[test]
fn note_rules() {
    let good = signed("hello\n\nworld\n");
    let note = Note::parse(&good).unwrap();
    assert_eq!(note.text(), "hello\n\nworld\n");
    assert_eq!(note.to_bytes(), good);
    assert_eq!(Note::new("no newline"), Err(NoteError::TextWithoutNewline));
    assert_eq!(
        Note::new("tab\there\n"),
        Err(NoteError::ControlCharacter { byte: 9, offset: 3 })
    );
    assert_eq!(Note::parse(b"hello\n"), Err(NoteError::NoSignatureBlock));
    assert_eq!(Note::parse(b"hello\n\n"), Err(NoteError::NoSignatureBlock));
    let mut unterminated = good.clone();
    unterminated.pop();
    assert_eq!(Note::parse(&unterminated), Err(NoteError::NoSignatureBlock));
    assert_eq!(
        Note::parse(b"hi\n\xff\n\n"),
        Err(NoteError::NotUtf8 { offset: 3 })
    );
    let cr = String::from_utf8(good.clone())
        .unwrap()
        .replace("hello", "hel\rlo");
    assert!(matches!(
        Note::parse(cr.as_bytes()),
        Err(NoteError::ControlCharacter { byte: 0x0d, .. })
    ));
    for (line, reason) in [
        (
            "- test.example/k1 AAAAAAA=",
            "does not start with an em dash and a space",
        ),
        (
            "\u{2014} test.example/k1",
            "no space between key name and signature",
        ),
        ("\u{2014} a+b AAAAAAA=", "bad key name"),
        (
            "\u{2014} test.example/k1 AAAA",
            "signature shorter than 5 bytes",
        ),
        ("\u{2014} test.example/k1 !!!!", "signature is not base64"),
    ] {
        let text = format!("hello\n\n{line}\n");
        assert_eq!(
            Note::parse(text.as_bytes()),
            Err(NoteError::BadSignatureLine { line: 1, reason }),
            "{line}"
        );
    }
    let line = note.signatures()[0].to_line();
    let many = format!(
        "hello\n\n{}",
        format!("{line}\n").repeat(MAX_SIGNATURES + 1)
    );
    assert_eq!(
        Note::parse(many.as_bytes()),
        Err(NoteError::TooManySignatures {
            max: MAX_SIGNATURES
        })
    );
    let enough = format!(
        "{}\n{}",
        note.text(),
        format!("{line}\n").repeat(MAX_SIGNATURES)
    );
    let opened = Note::parse(enough.as_bytes()).unwrap();
    assert_eq!(
        opened
            .verify(&[key(1).verifier().clone()])
            .unwrap()
            .verified
            .len(),
        1
    );
    let twice = [key(1).verifier().clone(), key(1).verifier().clone()];
    assert!(matches!(
        opened.verify(&twice),
        Err(NoteError::AmbiguousKey { .. })
    ));
}

#[test]
fn checkpoint_rules() {
    let root = empty_root();
    let cp = Checkpoint::new("log.example/a", 0, root).unwrap();
    assert_eq!(Checkpoint::parse(&cp.to_text()), Ok(cp.clone()));
    let with_ext = format!("{}ext one\next two\n", cp.to_text());
    assert_eq!(
        Checkpoint::parse(&with_ext).unwrap().extensions,
        ["ext one", "ext two"]
    );
    let bad = |text: &str| Checkpoint::parse(text).unwrap_err();
    assert_eq!(bad("log\n0\n"), CheckpointError::TooFewLines { lines: 2 });
    assert_eq!(
        bad(&format!("log\n0\n{root}")),
        CheckpointError::MissingNewline
    );
    assert!(matches!(
        bad(&format!("\n0\n{root}\n")),
        CheckpointError::BadOrigin { .. }
    ));
    for size in ["01", "-1", "+1", "1.0", "", " 1", "18446744073709551616"] {
        assert!(
            matches!(
                bad(&format!("log\n{size}\n{root}\n")),
                CheckpointError::BadSize { .. }
            ),
            "{size}"
        );
    }
    assert!(matches!(bad("log\n1\nAAAA\n"), CheckpointError::BadRoot(_)));
    assert_eq!(
        bad(&format!("log\n1\n{root}\n\n")),
        CheckpointError::BadExtension { line: 4 }
    );
    assert!(Checkpoint::new("", 1, root).is_err());
    assert!(Checkpoint::new("two\nlines", 1, root).is_err());
}

#[test]
fn tlog_proof_rules() {
    let mut tree = MerkleTree::new();
    for i in 0u8..5 {
        tree.push_data(&[i]);
    }
    let cp = Checkpoint::new("log.example/a", 5, tree.root()).unwrap();
    let note = cp.sign(&[&key(1)]).unwrap().to_bytes();
    let proof = TlogProof::new(&tree.inclusion_proof(2, 5).unwrap(), note.clone());
    let bytes = proof.to_bytes();
    assert_eq!(TlogProof::parse(&bytes), Ok(proof.clone()));
    let text = String::from_utf8(bytes).unwrap();
    let bad = |t: String| TlogProof::parse(t.as_bytes()).unwrap_err();
    assert_eq!(bad(text.replace("@v1", "@v2")), TlogProofError::BadHeader);
    assert!(matches!(
        bad(text.replace("index 2", "index 02")),
        TlogProofError::BadIndex { line: 2, .. }
    ));
    assert!(matches!(
        bad(text.replace("index 2", "idx 2")),
        TlogProofError::BadIndex { line: 2, .. }
    ));
    assert!(matches!(
        bad(text.replace("index 2\n", "extra !!\nindex 2\n")),
        TlogProofError::BadExtra
    ));
    let first = proof.hashes[0].to_string();
    assert!(matches!(
        bad(text.replacen(&first, "AAAA", 1)),
        TlogProofError::BadHash { line: 3, .. }
    ));
    assert_eq!(
        bad(text.split("\n\n").next().unwrap().to_owned() + "\n"),
        TlogProofError::NoCheckpoint
    );
    let long = text.replacen(&format!("{first}\n"), &format!("{first}\n").repeat(70), 1);
    assert_eq!(
        bad(long),
        TlogProofError::TooManyHashes {
            max: MAX_PROOF_HASHES
        }
    );
    // A proof against a checkpoint of another log, or with a wrong key, is refused.
    let leaf = leaf_hash(&[2]);
    let keys = [key(1).verifier().clone()];
    assert!(proof.verify(&leaf, "log.example/a", &keys).is_ok());
    assert!(matches!(
        proof.verify(&leaf, "log.example/b", &keys),
        Err(TlogProofError::Checkpoint(
            CheckpointError::WrongOrigin { .. }
        ))
    ));
    assert!(matches!(
        proof.verify(&leaf, "log.example/a", &[key(2).verifier().clone()]),
        Err(TlogProofError::Checkpoint(CheckpointError::Note(
            NoteError::NoKnownSignature { unknown: 1 }
        )))
    ));
}

proptest! {
    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Note::parse(&bytes);
        let _ = TlogProof::parse(&bytes);
        let text = String::from_utf8_lossy(&bytes);
        let _ = Checkpoint::parse(&text);
        let _ = VerifierKey::parse(&text);
        let _ = SignerKey::parse(&text);
        let _ = ConsistencyProof::from_text(3, 7, &text);
        let _ = TreeHash::from_base64(&text);
    }

    #[test]
    fn any_single_byte_change_to_a_signed_note_is_refused(
        at in any::<proptest::sample::Index>(),
        to in any::<u8>(),
    ) {
        let good = signed("log.example/a\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
        let mut bad = good.clone();
        let i = at.index(bad.len());
        prop_assume!(bad[i] != to);
        bad[i] = to;
        let keys = [key(1).verifier().clone()];
        prop_assert!(Note::parse(&bad).and_then(|n| n.verify(&keys)).is_err());
    }
}
