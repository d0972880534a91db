//! Signed reports: a monitor signs a finding, the parties cosign a checkpoint, a forgery is
//! refused, and a party verifies an inclusion proof and a consistency proof.
//!
//! ```text
//! cargo run --features transparency --example signed_reports -- DIR
//! ```
//!
//! Writes to DIR (default: a fresh temporary directory) the files another tool can check,
//! such as the Go checksum database's packages (`interop/go`):
//! `log` (the log file), `keys` (one verifier key per line, for every signer), `checkpoint`
//! (the latest cosigned checkpoint), `checkpoint.old` (an earlier one), `consistency` (the
//! consistency proof from the earlier to the latest, one base64 hash per line),
//! `proof.tlog-proof` (an inclusion proof of the monitor's finding against `checkpoint`) and
//! `leaf` (that record's stored bytes, exactly as hashed).
//!
//! The keys come from fixed seeds, so `keys` is the same on every run (event ids, and so the
//! log's origin, are new each time); real parties generate theirs (`SignerKey::generate`)
//! and register only the verifier keys.

use std::error::Error;
use std::path::PathBuf;

use ceasefire::agreement::{
    Agreement, Confidence, PartyKey, Severity, Signing, TargetCategory, Term, TermKind,
};
use ceasefire::event::{Allegation, Event, Finding, Method, Payload, Place, TreeRoot};
use ceasefire::event::{Verification, canonical_bytes};
use ceasefire::store::FileLogOptions;
use ceasefire::time::Timestamp;
use ceasefire::transparency::{
    Checkpoint, ConsistencyProof, KeyName, Quorum, SignerKey, TlogProof, leaf_hash,
};
use ceasefire::{FileLog, PartyId, Store, StoreError, TermId};

fn main() -> Result<(), Box<dyn Error>> {
    let (dir, _keep) = match std::env::args_os().nth(1) {
        Some(dir) => (PathBuf::from(dir), None),
        None => {
            let tmp = tempfile::tempdir()?;
            (tmp.path().to_path_buf(), Some(tmp))
        }
    };
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("log");
    if path.exists() {
        std::fs::remove_file(&path)?;
    }

    let key = |who: &str, seed: u8| {
        SignerKey::from_seed(
            KeyName::new(&format!("ceasefire.example/{who}"))?,
            &[seed; 32],
        )
    };
    let (ua, ru, monitor, mediator) = (
        key("ua", 1)?,
        key("ru", 2)?,
        key("monitor", 3)?,
        key("mediator", 4)?,
    );
    let party = |s: &str| PartyId::new(s);
    let t = |h: i64| -> Result<Timestamp, Box<dyn Error>> {
        Ok("2025-03-19T00:00:00Z".parse::<Timestamp>()? + chrono::Duration::hours(h))
    };

    // The agreement registers each party's key and requires every event to be signed.
    let agreement = Agreement::new("Energy truce (signed)")
        .belligerent(party("UA")?, "Ukraine")
        .belligerent(party("RU")?, "Russia")
        .monitor(party("MON")?, "Monitor")
        .mediator(party("MED")?, "Mediator")
        .term(
            Term::new(
                TermId::new("energy")?,
                "Energy",
                TermKind::energy_moratorium(),
            )
            .binding([party("UA")?, party("RU")?]),
        )
        .signing(
            Signing::required()
                .key(party("UA")?, PartyKey::from(ua.verifier()))
                .key(party("RU")?, PartyKey::from(ru.verifier()))
                .key(party("MON")?, PartyKey::from(monitor.verifier()))
                .key(party("MED")?, PartyKey::from(mediator.verifier()))
                .revocation_quorum(2)
                .checkpoint_quorum(3),
        )
        .validated()?;

    let log = FileLog::create(&path, FileLogOptions::new())?;
    let genesis = Event::by(party("MED")?).at(t(0)?).concludes(agreement)?;
    log.append_next(genesis.signed_genesis(&mediator))?;
    // Each author signs its event for the place it will stand in the log.
    let append = |signer: &SignerKey, event: Event| -> Result<u64, Box<dyn Error>> {
        let place = log
            .with_state(|s| s.signing_context())?
            .ok_or("the log is signed")?;
        Ok(log.append_next(event.signed(signer, &place))?.get())
    };

    let strike = Event::by(party("UA")?).at(t(1)?).alleges(
        Allegation::new(
            party("RU")?,
            TermId::new("energy")?,
            TargetCategory::PowerGrid,
            Place::named("Sloviansk"),
            Severity::Serious,
        )
        .described("drone strike on a substation"),
    )?;
    let strike_id = strike.id;
    append(&ua, strike)?;
    let confirmed = Verification::new(
        strike_id,
        Finding::Confirmed,
        Method::SatelliteImagery,
        Confidence::percent(90)?,
    );
    let finding_seq = append(
        &monitor,
        Event::by(party("MON")?)
            .at(t(2)?)
            .finds(confirmed.clone())?,
    )?;
    println!("the monitor signed its finding (record {finding_seq})");

    // Everyone cosigns the checkpoint of the log so far...
    let signers = [&monitor, &mediator, &ua, &ru];
    let old = log.checkpoint(log.head()?.version)?;
    let old_note = old.sign(&signers)?.to_bytes();
    // ...and the belligerents and the monitor acknowledge it in the log itself.
    for (who, signer) in [("MON", &monitor), ("UA", &ua), ("RU", &ru)] {
        let ack = Payload::CheckpointAcknowledged {
            size: old.size,
            root: TreeRoot::from(old.root),
        };
        append(signer, Event::by(party(who)?).at(t(3)?).says(ack)?)?;
    }
    let joint = log.with_state(|s| s.joint_checkpoint().map(|c| c.size))?;
    println!(
        "checkpoint at size {} jointly acknowledged: {joint:?}",
        old.size
    );

    // RU writes a "monitor refuted" finding in the monitor's name: refused, log unchanged.
    let before = log.head()?;
    let forged = Event::by(party("MON")?).at(t(4)?).finds(Verification::new(
        confirmed.allegation,
        Finding::Refuted,
        confirmed.method,
        confirmed.confidence,
    ))?;
    let place = log.with_state(|s| s.signing_context())?.ok_or("signed")?;
    match log.append_next(forged.signed(&ru, &place)) {
        Err(StoreError::Rejected(refused)) => println!("forgery refused: {refused}"),
        other => return Err(format!("the forgery was not refused: {other:?}").into()),
    }
    assert_eq!(log.head()?, before);

    // The latest checkpoint, cosigned by everyone.
    let latest = log.checkpoint(log.head()?.version)?;
    let latest_note = latest.sign(&signers)?.to_bytes();

    // What a party checks offline, with nothing but the files and the keys.
    let keys: Vec<_> = signers.iter().map(|k| k.verifier().clone()).collect();
    let quorum = Quorum::new(keys.clone(), 3)?;
    let acknowledged = quorum.check(&latest_note, &latest.origin)?;
    let records = log.read(ceasefire::Seq(finding_seq), 1)?;
    let leaf = serde_json::to_vec(&records.first().ok_or("the finding")?.event)?;
    assert!(
        canonical_bytes(&records[0].event).len() < leaf.len(),
        "signed"
    );
    let tree = log.merkle_tree()?;
    let proof = TlogProof::new(
        &tree.inclusion_proof(finding_seq - 1, latest.size)?,
        latest_note.clone(),
    )
    .to_bytes();
    TlogProof::parse(&proof)?.verify_quorum(&leaf_hash(&leaf), &latest.origin, &quorum)?;
    let consistency = tree.consistency_proof(old.size, latest.size)?.to_text();
    let earlier = Checkpoint::open(&old_note, &old.origin, &keys)?.0;
    let hashes = ConsistencyProof::from_text(old.size, latest.size, &consistency)?.hashes;
    earlier.verify_extension(&acknowledged.checkpoint, &hashes)?;
    println!(
        "inclusion of record {finding_seq} and consistency {} -> {} verified",
        old.size, latest.size
    );

    let key_lines: String = keys.iter().map(|k| format!("{k}\n")).collect();
    for (name, bytes) in [
        ("keys", key_lines.as_bytes()),
        ("checkpoint", &latest_note),
        ("checkpoint.old", &old_note),
        ("consistency", consistency.as_bytes()),
        ("proof.tlog-proof", &proof),
        ("leaf", &leaf),
    ] {
        std::fs::write(dir.join(name), bytes)?;
    }
    println!(
        "wrote log, keys, checkpoints and proofs to {}",
        dir.display()
    );
    Ok(())
}
