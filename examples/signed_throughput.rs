//! How fast replay checks a signed log, against `ed25519-dalek`'s own throughput in the same
//! run and the same mode: `verify_strict`, one signature at a time, on every core (replay
//! does not use batch verification: see the security guide). For the record it also prints
//! what `verify_batch` (256 signatures a batch) would do on every core.
//!
//! ```text
//! cargo run --release --features transparency --example signed_throughput -- [EVENTS]
//! ```
//!
//! Runs replay and bare verification in turn five times and prints the medians:
//! `signed_verify_events_per_s` (strict replay of a log whose every event is signed,
//! the fold included), `bare_ed25519_verify_per_s` (the same signatures over the same bytes,
//! `verify_strict` with nothing else, on as many threads as replay uses), their ratio, and
//! `bare_ed25519_batch_verify_per_s`.
//! EVENTS defaults to 500, enough for CI to run it; measure with 20000 in release.

use std::error::Error;

#[path = "support/signed.rs"]
mod signed;

fn main() -> Result<(), Box<dyn Error>> {
    let n: u64 = std::env::args().nth(1).map_or(Ok(500), |a| a.parse())?;
    let f = signed::measure(n)?;
    println!(
        "events: {}, threads: {}, rounds: 5 (medians)",
        f.events, f.threads
    );
    println!("signed_verify_events_per_s: {:.0}", f.replay);
    println!("bare_ed25519_verify_per_s: {:.0}", f.bare);
    println!("ratio: {:.2}", f.ratio);
    println!("bare_ed25519_batch_verify_per_s: {:.0}", f.batch);
    Ok(())
}
