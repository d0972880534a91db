//! PostgreSQL store benchmarks, against the server named by `CEASEFIRE_POSTGRES_URL` (they
//! print a message and do nothing without it): appends per second with 1, 4 and 8 writers on
//! connections of their own, single events and batches of 10; and the latency from the start
//! of an append to its delivery to a subscriber (p50, p99), measured directly.
//!
//! Run with `cargo bench --features postgres --bench postgres`. Figures are quoted in
//! docs/performance.md.

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use ceasefire::agreement::{Agreement, Party, Role, Severity, TargetCategory, Term, TermKind};
use ceasefire::event::{Allegation, Place};
use ceasefire::store::postgres::{LogId, PostgresLog, PostgresOptions};
use ceasefire::time::Span;
use ceasefire::{Event, EventId, ExpectedVersion, PartyId, Payload, Seq, Store, TermId};
use chrono::{DateTime, TimeDelta, Utc};
use criterion::{Criterion, Throughput};

fn t0() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + TimeDelta::days(20_165)
}

fn party(id: &str) -> PartyId {
    PartyId::new(id).expect("valid party id")
}

fn term() -> TermId {
    TermId::new("energy").expect("valid term id")
}

/// A UUID version 7 made by hand: the writer in byte 7, the number in bytes 9 to 15.
fn id(writer: u8, n: u64) -> EventId {
    let millis = t0().timestamp_millis().to_be_bytes();
    let n = n.to_be_bytes();
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&millis[2..]);
    bytes[6..9].copy_from_slice(&[0x70, writer, 0x80]);
    bytes[9..].copy_from_slice(&n[1..]);
    EventId::from_uuid(uuid::Uuid::from_bytes(bytes)).expect("a version 7 uuid")
}

fn genesis() -> Event {
    let agreement = Agreement::new("benchmark")
        .party(Party::new(party("UA"), Role::Belligerent, "Ukraine"))
        .party(Party::new(party("RU"), Role::Belligerent, "Russia"))
        .party(Party::new(party("US"), Role::Mediator, "United States"))
        .term(
            Term::new(term(), "Energy", TermKind::energy_moratorium())
                .binding([party("UA"), party("RU")])
                .lasting(Span::days(30)),
        );
    let payload = Payload::AgreementConcluded(Box::new(agreement));
    Event::new(id(255, 0), party("US"), t0(), t0(), payload)
}

fn allegation(writer: u8, n: u64) -> Event {
    Event::new(
        id(writer, n),
        party("UA"),
        t0(),
        t0(),
        Payload::from(Allegation {
            accused: party("RU"),
            term: term(),
            target: TargetCategory::PowerGrid,
            place: Place::named("Kherson"),
            severity: Severity::Serious,
            description: format!("report {n} of writer {writer}"),
            evidence: Vec::new(),
        }),
    )
}

/// A new log holding only its genesis.
fn fresh(url: &str, name: &str) -> LogId {
    let unique = EventId::generate().as_uuid().simple().to_string();
    let log = LogId::new(format!("bench-{name}-{unique}")).expect("log id");
    PostgresLog::open(url, log.clone(), PostgresOptions::new())
        .expect("opens")
        .append(ExpectedVersion::Exactly(0), genesis())
        .expect("genesis");
    log
}

/// `writers` handles append `iters` appends of `batch` events between them; the wall-clock
/// time of the appends alone.
fn run(url: &str, writers: u8, batch: u64, iters: u64) -> Duration {
    let log = fresh(url, "appends");
    let stores: Vec<_> = (0..writers)
        .map(|_| PostgresLog::open(url, log.clone(), PostgresOptions::new()).expect("opens"))
        .collect();
    let barrier = Arc::new(Barrier::new(usize::from(writers) + 1));
    let handles: Vec<_> = stores
        .into_iter()
        .enumerate()
        .map(|(w, store)| {
            let barrier = Arc::clone(&barrier);
            let share =
                iters / u64::from(writers) + u64::from((w as u64) < iters % u64::from(writers));
            thread::spawn(move || {
                let w = u8::try_from(w).expect("few writers");
                barrier.wait();
                for i in 0..share {
                    let events: Vec<Event> =
                        (0..batch).map(|k| allegation(w, i * batch + k)).collect();
                    store
                        .append_batch(ExpectedVersion::Any, events)
                        .expect("appends");
                }
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    for h in handles {
        h.join().expect("writer");
    }
    start.elapsed()
}

fn bench_appends(c: &mut Criterion, url: &str) {
    let mut group = c.benchmark_group("postgres");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));
    for batch in [1u64, 10] {
        group.throughput(Throughput::Elements(batch));
        for writers in [1u8, 4, 8] {
            let name = format!("append_batch_{batch}_writers_{writers}");
            group.bench_function(name, |b| {
                b.iter_custom(|iters| run(url, writers, batch, iters))
            });
        }
    }
    group.finish();
}

/// Start of an append to its delivery to a subscriber on another connection, `n` times.
fn latency(url: &str, n: usize) {
    let log = fresh(url, "latency");
    let store = PostgresLog::open(url, log.clone(), PostgresOptions::new()).expect("opens");
    let mut sub = store.subscribe(Seq(2)).expect("subscribes");
    let (tx, rx) = std::sync::mpsc::channel::<Instant>();
    let reader = thread::spawn(move || {
        let mut delays = Vec::with_capacity(n);
        for start in rx {
            let record = sub
                .next_timeout(Duration::from_secs(10))
                .expect("subscription");
            assert!(record.is_some(), "delivered");
            delays.push(start.elapsed());
        }
        delays
    });
    let mut round_trips = Vec::with_capacity(n);
    for i in 0..n {
        let start = Instant::now();
        tx.send(start).expect("reader alive");
        store
            .append(ExpectedVersion::Any, allegation(1, i as u64))
            .expect("appends");
        round_trips.push(start.elapsed());
        thread::sleep(Duration::from_millis(2));
    }
    drop(tx);
    let mut delays = reader.join().expect("reader");
    let pct = |v: &mut Vec<Duration>, p: usize| {
        v.sort();
        v[(v.len() * p / 100).min(v.len() - 1)]
    };
    println!(
        "postgres/subscription_latency: {n} appends, append start -> delivery p50 {:?} p99 {:?} \
         (the append's own round trip p50 {:?} p99 {:?})",
        pct(&mut delays, 50),
        pct(&mut delays, 99),
        pct(&mut round_trips, 50),
        pct(&mut round_trips, 99),
    );
}

fn main() {
    let url = match std::env::var("CEASEFIRE_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            println!("skipped: postgres benchmarks (CEASEFIRE_POSTGRES_URL is not set)");
            return;
        }
    };
    let test_mode = std::env::args().any(|a| a == "--test");
    let mut c = Criterion::default().configure_from_args();
    bench_appends(&mut c, &url);
    latency(&url, if test_mode { 20 } else { 1000 });
    c.final_summary();
}
