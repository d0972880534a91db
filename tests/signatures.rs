//! Signed events, keys in the agreement and checkpoints: every way of writing in another's
//! name or rewriting history is refused with its own error, and the log stays as it was.
#![cfg(feature = "transparency")]

use ceasefire::agreement::Confidence;
use ceasefire::agreement::{
    Agreement, PartyKey, Severity, SignaturePolicy, Signing, TargetCategory, Term, TermKind,
};
use ceasefire::event::{
    Allegation, Event, Finding, Method, Payload, Place, SigningContext, TreeRoot, Verification,
};
use ceasefire::id::{PartyId, Seq};
use ceasefire::log::{EventLog, Store, StoreError};
use ceasefire::state::{KeyEnd, KeyFault, Rejection, SignatureFault};
use ceasefire::time::Timestamp;
use ceasefire::transparency::{ConsistencyProof, KeyName, Quorum, SignerKey};
use ceasefire::{replay, replay_lenient};

fn pid(s: &str) -> PartyId {
    PartyId::new(s).expect("id")
}

fn key(who: &str, seed: u8) -> SignerKey {
    SignerKey::from_seed(
        KeyName::new(&format!("ceasefire.example/{who}")).expect("name"),
        &[seed; 32],
    )
    .expect("key")
}

fn at(hour: i64) -> Timestamp {
    "2025-03-19T00:00:00Z".parse::<Timestamp>().expect("time") + chrono::Duration::hours(hour)
}

struct Keys {
    ua: SignerKey,
    ru: SignerKey,
    mon: SignerKey,
    med: SignerKey,
}

fn keys() -> Keys {
    Keys {
        ua: key("ua", 1),
        ru: key("ru", 2),
        mon: key("monitor", 3),
        med: key("mediator", 4),
    }
}

fn agreement(k: &Keys, title: &str) -> Agreement {
    Agreement::new(title)
        .belligerent(pid("UA"), "Ukraine")
        .belligerent(pid("RU"), "Russia")
        .monitor(pid("MON"), "Monitor")
        .mediator(pid("MED"), "Mediator")
        .term(
            Term::new(
                ceasefire::id::TermId::new("energy").expect("id"),
                "Energy",
                TermKind::energy_moratorium(),
            )
            .binding([pid("UA"), pid("RU")]),
        )
        .signing(
            Signing::required()
                .key(pid("UA"), PartyKey::from(k.ua.verifier()))
                .key(pid("RU"), PartyKey::from(k.ru.verifier()))
                .key(pid("MON"), PartyKey::from(k.mon.verifier()))
                .key(pid("MED"), PartyKey::from(k.med.verifier()))
                .revocation_quorum(2)
                .checkpoint_quorum(3),
        )
}

/// A signed log: the mediator's genesis.
fn log(k: &Keys, title: &str) -> EventLog {
    let log = EventLog::new();
    let genesis = Event::by(pid("MED"))
        .at(at(0))
        .concludes(agreement(k, title))
        .expect("genesis")
        .signed_genesis(&k.med);
    log.append_next(genesis).expect("genesis appends");
    log
}

fn place(log: &EventLog) -> SigningContext {
    log.with_state(|s| s.signing_context())
        .expect("state")
        .expect("a signed log")
}

fn allegation(by: &str, hour: i64) -> Event {
    Event::by(pid(by))
        .at(at(hour))
        .alleges(
            Allegation::new(
                pid(if by == "UA" { "RU" } else { "UA" }),
                ceasefire::id::TermId::new("energy").expect("id"),
                TargetCategory::PowerGrid,
                Place::named("Sloviansk"),
                Severity::Serious,
            )
            .described("strike on a substation"),
        )
        .expect("event")
}

fn finding(by: &str, on: ceasefire::id::EventId, hour: i64) -> Event {
    Event::by(pid(by))
        .at(at(hour))
        .finds(Verification::new(
            on,
            Finding::Confirmed,
            Method::SatelliteImagery,
            Confidence::percent(90).expect("confidence"),
        ))
        .expect("event")
}

fn says(by: &str, hour: i64, payload: Payload) -> Event {
    Event::by(pid(by))
        .at(at(hour))
        .says(payload)
        .expect("event")
}

/// Appends `event` signed by `key` where it stands next.
fn append(log: &EventLog, key: &SignerKey, event: Event) -> Result<Seq, StoreError> {
    let place = place(log);
    log.append_next(event.signed(key, &place))
}

/// The refusal's reason, after checking the log did not change.
fn refused(log: &EventLog, event: Event) -> Rejection {
    let before = log.head().expect("head");
    let records = log.records().expect("records");
    let err = log.append_next(event).expect_err("refused");
    assert_eq!(log.head().expect("head"), before, "the log changed");
    assert_eq!(log.records().expect("records"), records, "the log changed");
    match err {
        StoreError::Rejected(r) => r.reason,
        other => panic!("not a rejection: {other}"),
    }
}

#[test]
fn a_signed_log_appends_replays_and_says_it_is_signed() {
    let k = keys();
    let log = log(&k, "signed");
    let a = allegation("UA", 1);
    let a_id = a.id;
    append(&log, &k.ua, a).expect("allegation");
    append(&log, &k.mon, finding("MON", a_id, 2)).expect("finding");
    let records = log.records().expect("records");
    let state = replay(&records).expect("replays");
    assert!(state.is_signed());
    assert_eq!(state.signature_policy(), SignaturePolicy::Required);
    assert_eq!(
        state.key_at(&pid("UA"), Seq(2)),
        Some(&PartyKey::from(k.ua.verifier()))
    );
    assert_eq!(state, log.state().expect("state"));
    assert!(records.iter().all(|r| r.event.signature.is_some()));

    // An unsigned agreement writes neither keys nor signatures and says it is unsigned.
    let plain = Agreement::new("plain").belligerent(pid("UA"), "Ukraine");
    let genesis = Event::by(pid("UA"))
        .at(at(0))
        .concludes(plain)
        .expect("genesis");
    let json = serde_json::to_string(&genesis).expect("json");
    assert!(
        !json.contains("signing") && !json.contains("signature"),
        "{json}"
    );
    let state = replay([ceasefire::event::Record::new(Seq(1), genesis)]).expect("replays");
    assert!(!state.is_signed());
    assert_eq!(state.signature_policy(), SignaturePolicy::Unsigned);
}

#[test]
fn an_unsigned_event_is_refused_where_signatures_are_required() {
    let k = keys();
    let log = log(&k, "signed");
    let reason = refused(&log, allegation("UA", 1));
    assert_eq!(
        reason,
        Rejection::Signature(SignatureFault::Missing { author: pid("UA") })
    );
}

#[test]
fn a_forged_verification_by_a_belligerent_is_refused() {
    let k = keys();
    let log = log(&k, "signed");
    let a = allegation("UA", 1);
    let a_id = a.id;
    append(&log, &k.ua, a).expect("allegation");
    // UA writes a "monitor confirmed" finding in the monitor's name, signing with its own key.
    let forged = finding("MON", a_id, 2).signed(&k.ua, &place(&log));
    assert_eq!(
        refused(&log, forged),
        Rejection::Signature(SignatureFault::WrongKey {
            author: pid("MON"),
            key_id: k.ua.id().0,
            holder: Some(pid("UA")),
        })
    );
    // In its own name, the role check refuses it.
    let own = finding("UA", a_id, 2).signed(&k.ua, &place(&log));
    assert!(matches!(refused(&log, own), Rejection::Unauthorized { .. }));
}

#[test]
fn a_valid_signature_by_the_wrong_key_is_refused() {
    let k = keys();
    let log = log(&k, "signed");
    // A key with the monitor's name that the agreement never registered.
    let impostor = key("monitor", 99);
    let e = allegation("RU", 1).signed(&impostor, &place(&log));
    assert_eq!(
        refused(&log, e),
        Rejection::Signature(SignatureFault::WrongKey {
            author: pid("RU"),
            key_id: impostor.id().0,
            holder: None,
        })
    );
    // The right author, another party's registered key.
    let e = allegation("RU", 1).signed(&k.ua, &place(&log));
    assert!(matches!(
        refused(&log, e),
        Rejection::Signature(SignatureFault::WrongKey { holder: Some(h), .. }) if h == pid("UA")
    ));
}

#[test]
fn an_event_copied_from_another_log_is_refused() {
    let k = keys();
    let first = log(&k, "first log");
    let second = log(&k, "second log");
    let e = allegation("UA", 1).signed(&k.ua, &place(&first));
    first.append_next(e.clone()).expect("in its own log");
    assert_eq!(
        refused(&second, e),
        Rejection::Signature(SignatureFault::DoesNotVerify {
            author: pid("UA"),
            key_id: k.ua.id().0,
        })
    );
}

#[test]
fn an_event_moved_to_another_position_is_refused() {
    let k = keys();
    let original = log(&k, "signed");
    append(&original, &k.ua, allegation("UA", 1)).expect("first");
    let second = allegation("RU", 2).signed(&k.ru, &place(&original));
    original.append_next(second.clone()).expect("second");
    // The same genesis, without the first allegation: the second would move up a place.
    let copy = log(&k, "signed");
    assert!(matches!(
        refused(&copy, second),
        Rejection::Signature(SignatureFault::DoesNotVerify { .. })
    ));
}

#[test]
fn a_byte_altered_after_signing_is_refused() {
    let k = keys();
    let log = log(&k, "signed");
    let mut e = allegation("UA", 1).signed(&k.ua, &place(&log));
    if let Payload::ViolationAlleged(a) = &mut e.payload {
        let a = std::sync::Arc::make_mut(a);
        a.description = "strike on a substatioN".into();
    }
    assert!(matches!(
        refused(&log, e),
        Rejection::Signature(SignatureFault::DoesNotVerify { .. })
    ));
    let mut e = allegation("UA", 1).signed(&k.ua, &place(&log));
    if let Some(sig) = &mut e.signature {
        sig.bytes[10] ^= 1;
    }
    assert!(matches!(
        refused(&log, e),
        Rejection::Signature(SignatureFault::DoesNotVerify { .. })
    ));
}

#[test]
fn a_rotated_key_is_refused_after_rotation() {
    let k = keys();
    let log = log(&k, "signed");
    let new = key("ua", 11);
    let rotation = says(
        "UA",
        1,
        Payload::KeyRotated {
            key: PartyKey::from(new.verifier()),
        },
    );
    // A rotation signed by the new key is not signed by the key it replaces.
    let by_new = rotation.clone().signed(&new, &place(&log));
    assert!(matches!(
        refused(&log, by_new),
        Rejection::Signature(SignatureFault::WrongKey { holder: None, .. })
    ));
    let seq = append(&log, &k.ua, rotation).expect("rotation signed by the old key");
    assert_eq!(seq, Seq(2));
    let old = allegation("UA", 2).signed(&k.ua, &place(&log));
    assert_eq!(
        refused(&log, old),
        Rejection::Signature(SignatureFault::RotatedKey {
            author: pid("UA"),
            key_id: k.ua.id().0,
            at: Seq(3),
        })
    );
    append(&log, &new, allegation("UA", 2)).expect("the new key signs");
    let state = log.state().expect("state");
    assert_eq!(
        state.key_at(&pid("UA"), Seq(2)),
        Some(&PartyKey::from(k.ua.verifier()))
    );
    assert_eq!(
        state.key_at(&pid("UA"), Seq(3)),
        Some(&PartyKey::from(new.verifier()))
    );
    assert_eq!(
        state.key_history(&pid("UA"))[0].ended,
        Some(KeyEnd::Rotated)
    );
    // Reusing a retired key is refused.
    let back = says(
        "UA",
        3,
        Payload::KeyRotated {
            key: PartyKey::from(k.ua.verifier()),
        },
    )
    .signed(&new, &place(&log));
    assert!(matches!(
        refused(&log, back),
        Rejection::Keys(KeyFault::KeyReused(_))
    ));
}

#[test]
fn a_revoked_key_is_refused_once_the_quorum_approves() {
    let k = keys();
    let log = log(&k, "signed");
    let replacement = key("ru", 22);
    let revoke = |by: &str, hour| {
        says(
            by,
            hour,
            Payload::KeyRevoked {
                party: pid("RU"),
                key: PartyKey::from(k.ru.verifier()),
                replacement: Some(PartyKey::from(replacement.verifier())),
            },
        )
    };
    // RU cannot approve revoking its own key.
    assert_eq!(
        refused(&log, revoke("RU", 1).signed(&k.ru, &place(&log))),
        Rejection::Keys(KeyFault::OwnKey(pid("RU")))
    );
    append(&log, &k.mon, revoke("MON", 1)).expect("first approval");
    assert_eq!(
        refused(&log, revoke("MON", 1).signed(&k.mon, &place(&log))),
        Rejection::Keys(KeyFault::AlreadyApproved(pid("MON")))
    );
    // One approval is short of the quorum of two: the old key still signs.
    append(&log, &k.ru, allegation("RU", 2)).expect("old key, not yet revoked");
    let seq = append(&log, &k.med, revoke("MED", 3)).expect("second approval");
    let lost = allegation("RU", 4).signed(&k.ru, &place(&log));
    assert_eq!(
        refused(&log, lost),
        Rejection::Signature(SignatureFault::RevokedKey {
            author: pid("RU"),
            key_id: k.ru.id().0,
            at: seq.next().expect("next"),
        })
    );
    append(&log, &replacement, allegation("RU", 4)).expect("the replacement signs");
    replay(log.records().expect("records")).expect("replays");
}

#[test]
fn a_checkpoint_short_of_its_quorum_is_not_joint() {
    let k = keys();
    let log = log(&k, "signed");
    append(&log, &k.ua, allegation("UA", 1)).expect("allegation");
    let cp = log.checkpoint(2).expect("checkpoint");
    let ack = |by: &str| {
        says(
            by,
            2,
            Payload::CheckpointAcknowledged {
                size: cp.size,
                root: TreeRoot::from(cp.root),
            },
        )
    };
    append(&log, &k.mon, ack("MON")).expect("monitor");
    append(&log, &k.ua, ack("UA")).expect("ua");
    log.with_state(|s| {
        assert_eq!(
            s.acknowledged_checkpoint(&pid("UA")).map(|a| a.size),
            Some(2)
        );
        assert_eq!(s.joint_checkpoint(), None, "two of three");
    })
    .expect("state");
    append(&log, &k.ru, ack("RU")).expect("ru");
    log.with_state(|s| assert_eq!(s.joint_checkpoint().map(|a| a.size), Some(2)))
        .expect("state");
    let beyond = says(
        "MED",
        3,
        Payload::CheckpointAcknowledged {
            size: 99,
            root: TreeRoot([0; 32]),
        },
    )
    .signed(&k.med, &place(&log));
    assert!(matches!(
        refused(&log, beyond),
        Rejection::Keys(KeyFault::CheckpointBeyondLog { size: 99, .. })
    ));

    // The same quorum as a cosigned note: two signatures of three are short.
    let verifiers = vec![
        k.mon.verifier().clone(),
        k.ua.verifier().clone(),
        k.ru.verifier().clone(),
    ];
    let quorum = Quorum::new(verifiers, 3).expect("quorum");
    let two = cp.sign(&[&k.mon, &k.ua]).expect("signs").to_bytes();
    assert!(quorum.check(&two, &cp.origin).is_err());
    let three = cp.sign(&[&k.mon, &k.ua, &k.ru]).expect("signs").to_bytes();
    quorum.check(&three, &cp.origin).expect("three of three");
}

#[test]
fn a_truncated_log_is_caught_by_an_earlier_checkpoint() {
    let k = keys();
    let full = log(&k, "signed");
    for h in 1..=3 {
        append(&full, &k.ua, allegation("UA", h)).expect("allegation");
    }
    let cp = full.checkpoint(4).expect("checkpoint");
    full.verify_checkpoint(&cp).expect("the log holds it");
    // The same log, its last record dropped.
    let records = full.records().expect("records");
    let short = EventLog::new();
    short
        .append_batch(
            ceasefire::log::ExpectedVersion::Exactly(0),
            records[..3].iter().map(|r| r.event.clone()).collect(),
        )
        .expect("a prefix appends");
    let err = short.verify_checkpoint(&cp).expect_err("truncated");
    assert!(
        matches!(
            err,
            StoreError::DoesNotExtend {
                version: 4,
                found: ceasefire::log::Divergence::Shorter { records: 3 }
            }
        ),
        "{err}"
    );
}

#[test]
fn a_rewritten_record_fails_the_consistency_proof() {
    let k = keys();
    let honest = log(&k, "signed");
    append(&honest, &k.ua, allegation("UA", 1)).expect("allegation");
    append(&honest, &k.ru, allegation("RU", 2)).expect("allegation");
    let old = honest.checkpoint(3).expect("checkpoint");
    // UA rewrites its own allegation (it can sign it again) and the log goes on.
    let rewritten = log(&k, "signed");
    let mut again = allegation("UA", 1);
    if let Payload::ViolationAlleged(a) = &mut again.payload {
        let a = std::sync::Arc::make_mut(a);
        a.severity = Severity::Minor;
    }
    append(&rewritten, &k.ua, again).expect("rewritten allegation");
    append(&rewritten, &k.ru, allegation("RU", 2)).expect("allegation");
    append(&rewritten, &k.mon, allegation("MON", 3)).ok();
    append(&rewritten, &k.ua, allegation("UA", 4)).expect("allegation");
    let size = rewritten.head().expect("head").version;
    let new = rewritten.checkpoint(size).expect("checkpoint");
    let tree = rewritten.merkle_tree().expect("tree");
    let text = tree.consistency_proof(3, size).expect("proof").to_text();
    let proof = ConsistencyProof::from_text(3, size, &text).expect("parses");
    assert!(old.verify_extension(&new, &proof.hashes).is_err());
    assert!(rewritten.verify_checkpoint(&old).is_err());
    // The honest log extended does pass.
    append(&honest, &k.ua, allegation("UA", 4)).expect("allegation");
    let later = honest.checkpoint(4).expect("checkpoint");
    let proof = honest
        .merkle_tree()
        .expect("tree")
        .consistency_proof(3, 4)
        .expect("proof");
    old.verify_extension(&later, &proof.hashes)
        .expect("extends");
}

#[test]
fn lenient_replay_lists_a_forgery_and_keeps_the_chain() {
    let k = keys();
    let log = log(&k, "signed");
    let a = allegation("UA", 1);
    let a_id = a.id;
    append(&log, &k.ua, a).expect("allegation");
    let mut records = log.records().expect("records");

    // A validly signed event the rules refuse (a belligerent's finding), followed by an
    // event signed after it: lenient replay skips the first and still links it into the
    // chain, so the second verifies.
    let here = place(&log);
    let refused = finding("UA", a_id, 2).signed(&k.ua, &here);
    let bytes = serde_json::to_vec(&refused).expect("bytes");
    let after = SigningContext {
        origin: here.origin.clone(),
        seq: Seq(4),
        prev: here.prev.link(Seq(3), &bytes),
    };
    records.push(ceasefire::event::Record::new(Seq(3), refused));
    records.push(ceasefire::event::Record::new(
        Seq(4),
        allegation("RU", 3).signed(&k.ru, &after),
    ));
    assert!(replay(&records).is_err());
    let lenient = replay_lenient(&records);
    assert_eq!(lenient.rejected.len(), 1, "{:?}", lenient.rejected);
    assert_eq!(lenient.rejected[0].seq, Seq(3));
    assert!(matches!(
        lenient.rejected[0].reason,
        Rejection::Unauthorized { .. }
    ));
    assert_eq!(lenient.state.last_seq(), Some(Seq(4)));

    // A record altered in place (a mis-attribution) is refused, and so is everything signed
    // after it: their signatures bind the history it changed.
    let mut forged = records.clone();
    forged[1].event.author = pid("RU");
    let lenient = replay_lenient(&forged);
    assert!(matches!(
        lenient.rejected[0].reason,
        Rejection::Signature(SignatureFault::WrongKey { .. })
    ));
    assert_eq!(lenient.rejected[0].seq, Seq(2));
    assert!(lenient.rejected.iter().any(|r| r.seq == Seq(4)
        && matches!(
            r.reason,
            Rejection::Signature(SignatureFault::DoesNotVerify { .. })
        )));
}

mod property {
    use super::*;
    use proptest::prelude::*;

    /// A signed log generated from `plan`: 0 an allegation by UA, 1 by RU, 2 a monitor's
    /// finding on the latest allegation, 3 a checkpoint acknowledgement by the mediator.
    fn signed_log(plan: &[u8]) -> Vec<Vec<u8>> {
        let k = keys();
        let log = log(&k, "property");
        let mut last = None;
        for (i, step) in plan.iter().enumerate() {
            let hour = i as i64 + 1;
            match (step, last) {
                (2, Some(a)) => {
                    append(&log, &k.mon, finding("MON", a, hour)).expect("finding");
                }
                (3, _) => {
                    let size = log.head().expect("head").version;
                    let cp = log.checkpoint(size).expect("checkpoint");
                    let ack = Payload::CheckpointAcknowledged {
                        size,
                        root: TreeRoot::from(cp.root),
                    };
                    append(&log, &k.med, says("MED", hour, ack)).expect("ack");
                }
                (1, _) => {
                    let a = allegation("RU", hour);
                    last = Some(a.id);
                    append(&log, &k.ru, a).expect("allegation");
                }
                _ => {
                    let a = allegation("UA", hour);
                    last = Some(a.id);
                    append(&log, &k.ua, a).expect("allegation");
                }
            }
        }
        log.records()
            .expect("records")
            .iter()
            .map(|r| serde_json::to_vec(&r.event).expect("bytes"))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn any_single_byte_change_is_detected(
            plan in prop::collection::vec(0u8..4, 1..6),
            which in any::<prop::sample::Index>(),
            at in any::<prop::sample::Index>(),
            xor in 1u8..=255,
        ) {
            let stored = signed_log(&plan);
            let which = which.index(stored.len());
            let mut bytes = stored.clone();
            let i = at.index(bytes[which].len());
            bytes[which][i] ^= xor;
            let events: Result<Vec<Event>, _> =
                bytes.iter().map(|b| serde_json::from_slice::<Event>(b)).collect();
            // Unreadable bytes are detected by the parser; readable ones by the signatures.
            if let Ok(events) = events {
                let records: Vec<_> = events
                    .into_iter()
                    .enumerate()
                    .map(|(n, e)| ceasefire::event::Record::new(Seq(n as u64 + 1), e))
                    .collect();
                let original: Vec<Event> =
                    stored.iter().map(|b| serde_json::from_slice(b).expect("reads")).collect();
                prop_assume!(records[which].event != original[which]);
                let err = replay(&records).expect_err("detected");
                let ceasefire::ReplayError::Rejected(r) = err else { unreachable!() };
                prop_assert!(r.seq.get() as usize <= which + 1);
            }
        }
    }
}

mod go_interop {
    use super::*;
    use std::io::Write as _;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use ceasefire::transparency::TlogProof;

    fn go_toolchain() -> Result<(), String> {
        match Command::new("go").arg("version").output() {
            Ok(out) if out.status.success() => {}
            _ => return Err("go not found on PATH; install golang-go".into()),
        }
        let note = Path::new("/usr/share/gocode/src/golang.org/x/mod/sumdb/note");
        if !note.is_dir() {
            return Err(format!(
                "{} not found; install golang-golang-x-mod-dev",
                note.display()
            ));
        }
        Ok(())
    }

    /// Writes, from a signed log, the files `examples/signed_reports.rs` writes.
    fn write_directory(dir: &Path) {
        let k = keys();
        let log = log(&k, "go interop");
        let a = allegation("UA", 1);
        let a_id = a.id;
        append(&log, &k.ua, a).expect("allegation");
        append(&log, &k.mon, finding("MON", a_id, 2)).expect("finding");
        let signers = [&k.mon, &k.med, &k.ua, &k.ru];
        let old = log.checkpoint(3).expect("checkpoint");
        append(&log, &k.ru, allegation("RU", 3)).expect("allegation");
        append(&log, &k.ua, allegation("UA", 4)).expect("allegation");
        let latest = log.checkpoint(5).expect("checkpoint");
        let latest_note = latest.sign(&signers).expect("signs").to_bytes();
        let tree = log.merkle_tree().expect("tree");
        let proof = TlogProof::new(
            &tree.inclusion_proof(2, 5).expect("proof"),
            latest_note.clone(),
        );
        let leaf = serde_json::to_vec(&log.records().expect("records")[2].event).expect("bytes");
        let keys: String = signers
            .iter()
            .map(|s| format!("{}\n", s.verifier()))
            .collect();
        for (name, bytes) in [
            ("keys", keys.into_bytes()),
            ("checkpoint", latest_note),
            (
                "checkpoint.old",
                old.sign(&signers).expect("signs").to_bytes(),
            ),
            (
                "consistency",
                tree.consistency_proof(3, 5)
                    .expect("proof")
                    .to_text()
                    .into_bytes(),
            ),
            ("proof.tlog-proof", proof.to_bytes()),
            ("leaf", leaf),
        ] {
            std::fs::write(dir.join(name), bytes).expect("writes");
        }
    }

    #[test]
    fn go_checks_the_checkpoints_and_proofs_of_a_signed_log() {
        if let Err(why) = go_toolchain() {
            assert!(
                std::env::var_os("CEASEFIRE_REQUIRE_GO").is_none(),
                "CEASEFIRE_REQUIRE_GO is set but {why}"
            );
            let _ = writeln!(std::io::stderr(), "skipped: go interop ({why})");
            return;
        }
        let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let bin = tmp.join("ceasefire-go-interop-signed");
        let built = Command::new("go")
            .args(["build", "-o", bin.to_str().expect("utf-8"), "./interop/go"])
            .env("GOPATH", "/usr/share/gocode")
            .env("GO111MODULE", "off")
            .env("GOCACHE", tmp.join("go-cache"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("go runs");
        assert!(
            built.status.success(),
            "go build: {}",
            String::from_utf8_lossy(&built.stderr)
        );
        let dir = tempfile::tempdir().expect("tempdir");
        write_directory(dir.path());
        let run = || {
            let out = Command::new(&bin).arg(dir.path()).output().expect("runs");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            (out.status.success(), text)
        };
        let (ok, output) = run();
        assert!(ok, "Go refused the signed log's files:\n{output}");
        assert!(output.contains("ok: consistency 3 -> 5"), "{output}");
        assert!(
            output.contains("ok: inclusion of leaf 2 in tree 5"),
            "{output}"
        );
        // The leaf altered by one byte must fail in Go too.
        let leaf = dir.path().join("leaf");
        let mut bytes = std::fs::read(&leaf).expect("reads");
        bytes[20] ^= 1;
        std::fs::write(&leaf, bytes).expect("writes");
        let (ok, output) = run();
        assert!(!ok, "Go accepted an altered leaf:\n{output}");
    }
}

#[test]
fn replay_verifies_across_read_ahead_windows() {
    let k = keys();
    let genesis = Event::by(pid("MED"))
        .at(at(0))
        .concludes(agreement(&k, "long"))
        .expect("genesis")
        .signed_genesis(&k.med);
    let mut place = SigningContext::genesis(&genesis);
    let mut records = Vec::new();
    let mut push = |event: Event, place: &mut SigningContext| {
        let bytes = serde_json::to_vec(&event).expect("bytes");
        let next = place.prev.link(place.seq, &bytes);
        records.push(ceasefire::event::Record::new(place.seq, event));
        place.prev = next;
        place.seq = place.seq.next().expect("next");
    };
    push(genesis, &mut place);
    for i in 1..2100 {
        let e = allegation("UA", 1);
        let e = Event {
            recorded_at: at(1) + chrono::Duration::seconds(i),
            occurred_at: (at(1) + chrono::Duration::seconds(i)).into(),
            ..e
        };
        let signed = e.signed(&k.ua, &place);
        push(signed, &mut place);
    }
    let state = replay(&records).expect("replays");
    assert_eq!(state.last_seq(), Some(Seq(2100)));
    assert!(replay_lenient(&records).rejected.is_empty());
    // A signature broken past the first window is found at its own record.
    let mut broken = records.clone();
    if let Some(sig) = &mut broken[2060].event.signature {
        sig.bytes[0] ^= 1;
    }
    let ceasefire::ReplayError::Rejected(r) = replay(&broken).expect_err("refused") else {
        unreachable!()
    };
    assert_eq!(r.seq, Seq(2061));
    assert!(matches!(
        r.reason,
        Rejection::Signature(SignatureFault::DoesNotVerify { .. })
    ));
}

#[test]
fn a_signed_file_log_reopens_and_goes_on() {
    use ceasefire::store::{FileLog, FileLogOptions};
    let k = keys();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("log");
    let log = FileLog::create(&path, FileLogOptions::new()).expect("created");
    let genesis = Event::by(pid("MED"))
        .at(at(0))
        .concludes(agreement(&k, "file"))
        .expect("genesis")
        .signed_genesis(&k.med);
    log.append_next(genesis).expect("genesis");
    let next = |log: &FileLog| {
        log.with_state(|s| s.signing_context())
            .expect("state")
            .expect("signed")
    };
    let place = next(&log);
    assert_eq!(
        place.prev,
        log.head().expect("head").hash,
        "the state's chain is the store's"
    );
    log.append_next(allegation("UA", 1).signed(&k.ua, &place))
        .expect("allegation");
    let forged = allegation("RU", 2).signed(&k.ua, &next(&log));
    assert!(matches!(
        log.append_next(forged),
        Err(StoreError::Rejected(_))
    ));
    drop(log);
    let (log, report) = FileLog::open(&path, FileLogOptions::new()).expect("reopened");
    assert_eq!(report.records, 2);
    let place = next(&log);
    assert_eq!(place.prev, log.head().expect("head").hash);
    log.append_next(allegation("RU", 2).signed(&k.ru, &place))
        .expect("goes on after reopening");
    let cp = log.checkpoint(3).expect("checkpoint");
    log.verify_checkpoint(&cp).expect("holds");
    assert_eq!(
        cp.origin,
        log.state()
            .expect("state")
            .origin()
            .expect("origin")
            .as_str()
    );
}

#[test]
fn a_snapshot_of_a_signed_state_goes_on_checking_signatures() {
    let k = keys();
    let log = log(&k, "snapshot");
    append(&log, &k.ua, allegation("UA", 1)).expect("allegation");
    let state = log.state().expect("state");
    let json = serde_json::to_string(&state).expect("snapshot");
    let mut back: ceasefire::AgreementState = serde_json::from_str(&json).expect("reads");
    assert_eq!(back, state);
    assert!(back.is_signed());
    let place = back.signing_context().expect("signed");
    assert_eq!(place.prev, log.head().expect("head").hash);
    let good = allegation("RU", 2).signed(&k.ru, &place);
    let forged = allegation("RU", 2).signed(&k.ua, &place);
    let seq = back.next_seq();
    assert!(matches!(
        back.apply(&ceasefire::event::Record::new(seq, forged)),
        Err(Rejection::Signature(SignatureFault::WrongKey { .. }))
    ));
    back.apply(&ceasefire::event::Record::new(seq, good))
        .expect("a good signature still verifies");
}

/// The Merkle tree recomputed from a store's records, leaf by leaf from their stored bytes.
fn tree_of(records: &[ceasefire::event::Record]) -> ceasefire::transparency::MerkleTree {
    let mut tree = ceasefire::transparency::MerkleTree::new();
    for r in records {
        tree.push_data(&serde_json::to_vec(&r.event).expect("bytes"));
    }
    tree
}

#[test]
fn every_store_keeps_the_tree_of_its_records() {
    use ceasefire::log::ExpectedVersion;
    use ceasefire::store::{FileLog, FileLogOptions};
    let k = keys();
    let log = log(&k, "kept");
    append(&log, &k.ua, allegation("UA", 1)).expect("allegation");
    append(&log, &k.ru, allegation("RU", 2)).expect("allegation");
    let kept = log.merkle_tree().expect("tree");
    assert_eq!(kept, tree_of(&log.records().expect("records")));
    // A refused append leaves the tree exactly as it was.
    let forged = allegation("RU", 3).signed(&k.ua, &place(&log));
    refused(&log, forged);
    assert_eq!(log.merkle_tree().expect("tree"), kept);

    // A file log: appended one at a time and in a batch, refused, then reopened.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("log");
    let file = FileLog::create(&path, FileLogOptions::new()).expect("created");
    let records = log.records().expect("records");
    file.append_next(records[0].event.clone()).expect("genesis");
    file.append_batch(
        ExpectedVersion::Exactly(1),
        records[1..].iter().map(|r| r.event.clone()).collect(),
    )
    .expect("a batch");
    let read = file.read(Seq::FIRST, 100).expect("read");
    assert_eq!(file.merkle_tree().expect("tree"), tree_of(&read));
    assert_eq!(file.merkle_tree().expect("tree"), kept);
    let place = file
        .with_state(|s| s.signing_context())
        .expect("state")
        .expect("signed");
    let forged = allegation("RU", 3).signed(&k.ua, &place);
    assert!(file.append_next(forged).is_err());
    assert_eq!(file.merkle_tree().expect("tree"), kept);
    file.append_next(allegation("RU", 3).signed(&k.ru, &place))
        .expect("appends");
    drop(file);
    let (file, _) = FileLog::open(&path, FileLogOptions::new()).expect("reopened");
    let read = file.read(Seq::FIRST, 100).expect("read");
    assert_eq!(read.len(), 4);
    let reopened = file.merkle_tree().expect("tree");
    assert_eq!(reopened, tree_of(&read));
    assert_eq!(reopened.root_at(3), kept.root_at(3));
    // Checkpoints and proofs come from the kept tree.
    let cp = file.checkpoint(4).expect("checkpoint");
    assert_eq!(cp.root, reopened.root());
    file.verify_checkpoint(&cp).expect("holds");
    let mut proof = None;
    file.with_merkle_tree(&mut |t| proof = t.inclusion_proof(1, 4).ok())
        .expect("lent");
    let leaf = serde_json::to_vec(&read[1].event).expect("bytes");
    assert!(
        proof
            .expect("a proof")
            .verify(&ceasefire::transparency::leaf_hash(&leaf), &cp.root)
            .is_ok()
    );
}

#[test]
fn an_acknowledged_root_must_be_the_log_s() {
    let k = keys();
    let log = log(&k, "roots");
    append(&log, &k.ua, allegation("UA", 1)).expect("allegation");
    let cp = log.checkpoint(2).expect("checkpoint");
    let ack =
        |size: u64, root: TreeRoot| says("MON", 2, Payload::CheckpointAcknowledged { size, root });
    let wrong = TreeRoot([7; 32]);
    // At the current size, a wrong root is refused naming the right one; the log is unchanged.
    assert_eq!(
        refused(&log, ack(2, wrong).signed(&k.mon, &place(&log))),
        Rejection::Keys(KeyFault::CheckpointMismatch {
            size: 2,
            expected: Some(Box::new(TreeRoot::from(cp.root))),
            given: Box::new(wrong),
        })
    );
    // An older size nobody acknowledged: its root is not held, so it cannot be acknowledged.
    let old = log.checkpoint(1).expect("checkpoint");
    assert_eq!(
        refused(
            &log,
            ack(1, TreeRoot::from(old.root)).signed(&k.mon, &place(&log))
        ),
        Rejection::Keys(KeyFault::CheckpointMismatch {
            size: 1,
            expected: None,
            given: Box::new(TreeRoot::from(old.root)),
        })
    );
    // The right root at the current size stands, and others cosign it later.
    append(&log, &k.mon, ack(2, TreeRoot::from(cp.root))).expect("monitor");
    append(&log, &k.ua, allegation("UA", 3)).expect("allegation");
    let cosign = says(
        "UA",
        4,
        Payload::CheckpointAcknowledged {
            size: 2,
            root: TreeRoot::from(cp.root),
        },
    );
    append(&log, &k.ua, cosign).expect("a cosignature of an acknowledged size");
    let bad_cosign = says(
        "RU",
        5,
        Payload::CheckpointAcknowledged {
            size: 2,
            root: wrong,
        },
    )
    .signed(&k.ru, &place(&log));
    assert!(matches!(
        refused(&log, bad_cosign),
        Rejection::Keys(KeyFault::CheckpointMismatch {
            size: 2,
            expected: Some(_),
            ..
        })
    ));
    let records = log.records().expect("records");
    replay(&records).expect("the log replays");

    // A log written elsewhere with a wrong root: strict replay names it, lenient lists it and
    // goes on (the record stays in the chain and the tree).
    let here = place(&log);
    let late = |size: u64, root: TreeRoot, hour| {
        says("MON", hour, Payload::CheckpointAcknowledged { size, root })
    };
    let forged = late(5, wrong, 6).signed(&k.mon, &here);
    let bytes = serde_json::to_vec(&forged).expect("bytes");
    let forged_id = forged.id;
    let after = SigningContext {
        origin: here.origin.clone(),
        seq: here.seq.next().expect("next"),
        prev: here.prev.link(here.seq, &bytes),
    };
    let mut elsewhere = records.clone();
    elsewhere.push(ceasefire::event::Record::new(here.seq, forged));
    let tree = tree_of(&elsewhere);
    let right = late(tree.len(), TreeRoot::from(tree.root()), 7);
    elsewhere.push(ceasefire::event::Record::new(
        after.seq,
        right.signed(&k.mon, &after),
    ));
    let ceasefire::ReplayError::Rejected(r) = replay(&elsewhere).expect_err("refused") else {
        unreachable!()
    };
    assert_eq!((r.seq, r.id), (here.seq, forged_id));
    assert!(matches!(
        r.reason,
        Rejection::Keys(KeyFault::CheckpointMismatch {
            size: 5,
            expected: Some(_),
            ..
        })
    ));
    let lenient = replay_lenient(&elsewhere);
    assert_eq!(lenient.rejected.len(), 1, "{:?}", lenient.rejected);
    assert_eq!(lenient.rejected[0].seq, here.seq);
    assert_eq!(
        lenient.state.last_seq(),
        Some(after.seq),
        "the next one stands"
    );
}
