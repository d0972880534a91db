//! Shared by the `signed_throughput` and `throughput` examples: strict replay of a log whose
//! every event is signed, against `ed25519-dalek`'s own `verify_strict` of the same signatures
//! over the same bytes on as many threads (the same mode), and, for the record, its
//! `verify_batch`. Replay and bare verification alternate for five rounds; medians.

use std::error::Error;
use std::time::Instant;

use ceasefire::agreement::{
    Agreement, PartyKey, Severity, Signing, TargetCategory, Term, TermKind,
};
use ceasefire::event::{Allegation, Event, Place, SigningContext};
use ceasefire::time::Timestamp;
use ceasefire::transparency::{KeyName, Signature, SignerKey};
use ceasefire::{PartyId, Record, Seq, TermId, replay};

/// Signatures per batch for the batch figure.
const BATCH: usize = 256;

/// Rounds of replay and bare verification, in turn.
const ROUNDS: usize = 5;

/// The figures of one run (medians of the rounds).
pub struct Figures {
    /// Events in the log.
    pub events: u64,
    /// Threads the bare side used (as many as replay uses).
    pub threads: usize,
    /// `signed_verify_events_per_s`.
    pub replay: f64,
    /// `bare_ed25519_verify_per_s` (`verify_strict` on every thread).
    pub bare: f64,
    /// Replay's rate over the bare rate, per round.
    pub ratio: f64,
    /// `bare_ed25519_batch_verify_per_s` (not used by the crate; for the record).
    pub batch: f64,
}

/// Runs the comparison on a signed log of `n` events.
///
/// # Errors
/// Building, signing or replaying the log fails.
pub fn measure(n: u64) -> Result<Figures, Box<dyn Error>> {
    let party = |s: &str| PartyId::new(s);
    let ua = SignerKey::from_seed(KeyName::new("ua")?, &[1; 32])?;
    let med = SignerKey::from_seed(KeyName::new("mediator")?, &[2; 32])?;
    let agreement = Agreement::new("throughput")
        .belligerent(party("UA")?, "Ukraine")
        .belligerent(party("RU")?, "Russia")
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
                .key(party("MED")?, PartyKey::from(med.verifier())),
        );
    let start: Timestamp = "2025-03-19T00:00:00Z".parse()?;
    let genesis = Event::by(party("MED")?)
        .at(start)
        .concludes(agreement)?
        .signed_genesis(&med);
    let mut place = SigningContext::genesis(&genesis);
    let mut records = Vec::new();
    let mut messages = Vec::new();
    let mut push = |event: Event, place: &mut SigningContext, records: &mut Vec<Record>| {
        messages.push(place.signed_bytes(&event));
        let bytes = serde_json::to_vec(&event).unwrap_or_default();
        let next = place.prev.link(place.seq, &bytes);
        records.push(Record::new(place.seq, event));
        place.prev = next;
        place.seq = place.seq.next().unwrap_or(Seq(u64::MAX));
    };
    push(genesis, &mut place, &mut records);
    for i in 1..n {
        let at = start + chrono::Duration::seconds(i as i64);
        let e = Event::by(party("UA")?).at(at).alleges(Allegation::new(
            party("RU")?,
            TermId::new("energy")?,
            TargetCategory::PowerGrid,
            Place::named("Sloviansk"),
            Severity::Minor,
        ))?;
        let signed = e.signed(&ua, &place);
        push(signed, &mut place, &mut records);
    }

    // The same signatures over the same bytes, for the bare side.
    let keys = [*med.verifier().as_dalek(), *ua.verifier().as_dalek()];
    let sigs: Vec<ed25519_dalek::Signature> = records
        .iter()
        .filter_map(|r| r.event.signature.as_ref())
        .map(|s| Signature::from_slice(&s.bytes).map(|s| *s.as_dalek()))
        .collect::<Result<_, _>>()?;
    let keys: Vec<_> = (0..sigs.len()).map(|i| keys[usize::from(i > 0)]).collect();
    let messages: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = messages.len().div_ceil(cores);

    // Replay and bare verification in turn, ROUNDS times, so that both see the same machine.
    let (mut replays, mut bares, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut batches = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let state = replay(&records)?;
        let replay_s = t.elapsed().as_secs_f64();
        assert_eq!(state.last_seq(), Some(Seq(n)));

        // Bare strict verification on every core.
        let t = Instant::now();
        std::thread::scope(|scope| {
            for ((ms, ss), ks) in messages
                .chunks(chunk)
                .zip(sigs.chunks(chunk))
                .zip(keys.chunks(chunk))
            {
                scope.spawn(move || {
                    for ((m, s), k) in ms.iter().zip(ss).zip(ks) {
                        assert!(k.verify_strict(m, s).is_ok());
                    }
                });
            }
        });
        let bare_s = t.elapsed().as_secs_f64();

        // Bare batch verification on every core, for the record.
        let t = Instant::now();
        std::thread::scope(|scope| {
            for ((ms, ss), ks) in messages
                .chunks(chunk)
                .zip(sigs.chunks(chunk))
                .zip(keys.chunks(chunk))
            {
                scope.spawn(move || {
                    for ((m, s), k) in ms.chunks(BATCH).zip(ss.chunks(BATCH)).zip(ks.chunks(BATCH))
                    {
                        assert!(ed25519_dalek::verify_batch(m, s, k).is_ok());
                    }
                });
            }
        });
        let batch_s = t.elapsed().as_secs_f64();
        replays.push(n as f64 / replay_s);
        bares.push(n as f64 / bare_s);
        batches.push(n as f64 / batch_s);
        ratios.push(bare_s / replay_s);
    }

    Ok(Figures {
        events: n,
        threads: cores,
        replay: median(&mut replays),
        bare: median(&mut bares),
        ratio: median(&mut ratios),
        batch: median(&mut batches),
    })
}

/// The median (the upper one of an even count).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}
