//! The PostgreSQL store against a real server, named by `CEASEFIRE_POSTGRES_URL` (for example
//! `postgresql://postgres@127.0.0.1:5432/ceasefire_test`). Without it these tests pass and
//! print that they were skipped. The restart test also needs `CEASEFIRE_POSTGRES_RESTART=1`
//! (it restarts the server with `pg_ctlcluster`; `.ci/run` sets both).
//!
//! Every test works on logs of its own (fresh ids), so they run in parallel; the restart test
//! takes the server exclusively.
#![cfg(feature = "postgres")]

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use ceasefire::agreement::{Agreement, Party, Role, Severity, TargetCategory, Term, TermKind};
use ceasefire::event::{Allegation, Place};
use ceasefire::log::copy_log;
use ceasefire::store::postgres::{
    LogId, PostgresError, PostgresLog, PostgresOptions, Subscription,
};
use ceasefire::store::{FileLog, FileLogOptions};
use ceasefire::time::Span;
use ceasefire::{
    Event, EventId, EventLog, ExpectedVersion, PartyId, Payload, Seq, Store, StoreError, TermId,
};
use chrono::{DateTime, TimeDelta, Utc};

/// Held shared by every test and exclusively by the one that restarts the server.
static SERVER: RwLock<()> = RwLock::new(());

fn url() -> Option<String> {
    match std::env::var("CEASEFIRE_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            println!("skipped: postgres tests (CEASEFIRE_POSTGRES_URL is not set)");
            None
        }
    }
}

fn fresh(name: &str) -> LogId {
    let unique = EventId::generate().as_uuid().simple().to_string();
    LogId::new(format!("test-{name}-{unique}")).expect("a valid log id")
}

fn open(url: &str, log: &LogId) -> PostgresLog {
    PostgresLog::open(url, log.clone(), PostgresOptions::new()).expect("opens the log")
}

fn t0() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + TimeDelta::days(20_165)
}

fn party(id: &str) -> PartyId {
    PartyId::new(id).expect("valid party id")
}

fn term() -> TermId {
    TermId::new("energy").expect("valid term id")
}

/// An event id naming its writer and number: a UUID version 7 made by hand (bytes 6 and 8
/// carry the version and variant; the writer goes in byte 7). Every event is recorded at the
/// same instant so that writers' events are valid in any order.
fn id(writer: u8, n: u32) -> EventId {
    let millis = t0().timestamp_millis().to_be_bytes();
    let n = n.to_be_bytes();
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&millis[2..]);
    bytes[6..9].copy_from_slice(&[0x70, writer, 0x80]);
    bytes[9..13].copy_from_slice(&n);
    EventId::from_uuid(uuid::Uuid::from_bytes(bytes)).expect("a version 7 uuid")
}

fn writer_of(id: &EventId) -> u8 {
    id.as_uuid().as_bytes()[7]
}

fn genesis() -> Event {
    let agreement = Agreement::new("energy moratorium")
        .party(Party::new(party("UA"), Role::Belligerent, "Ukraine"))
        .party(Party::new(party("RU"), Role::Belligerent, "Russia"))
        .party(Party::new(party("US"), Role::Mediator, "United States"))
        .term(
            Term::new(term(), "Energy", TermKind::energy_moratorium())
                .binding([party("UA"), party("RU")])
                .lasting(Span::days(30)),
        );
    Event::new(
        id(255, 0),
        party("US"),
        t0(),
        t0(),
        Payload::AgreementConcluded(Box::new(agreement)),
    )
}

fn allegation(writer: u8, n: u32) -> Event {
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

/// Every record of a log, read through a fresh handle (which checks the whole chain on open
/// and again on read).
fn all_ids(url: &str, log: &LogId) -> Vec<EventId> {
    let fresh = open(url, log);
    let head = fresh.head().expect("head");
    let records = fresh.read(Seq::FIRST, usize::MAX).expect("reads");
    assert_eq!(records.len() as u64, head.version);
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.seq, Seq(i as u64 + 1), "gapless and in order");
    }
    records.into_iter().map(|r| r.event.id).collect()
}

#[cfg(feature = "proptest")]
#[test]
fn the_postgres_log_keeps_the_storage_contract() {
    let Some(url) = url() else { return };
    let _server = SERVER.read().unwrap_or_else(|e| e.into_inner());
    ceasefire::testing::contract::check(|| open(&url, &fresh("contract")))
        .expect("the postgres log keeps the contract");
}

/// What one racing writer saw.
#[derive(Default)]
struct Tally {
    acked: Vec<(Seq, EventId)>,
    /// The version each lost append expected, and the version the log was at instead.
    conflicts: Vec<(u64, u64)>,
}

#[test]
fn eight_writers_racing_on_one_log_leave_no_gap_and_exactly_the_losers_conflict() {
    let Some(url) = url() else { return };
    let _server = SERVER.read().unwrap_or_else(|e| e.into_inner());
    const WRITERS: u8 = 8;
    const EACH: u32 = 250;
    let log = fresh("race");
    open(&url, &log)
        .append(ExpectedVersion::Exactly(0), genesis())
        .expect("genesis");
    let handles: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (url, log) = (url.clone(), log.clone());
            thread::spawn(move || {
                let store = open(&url, &log);
                let mut tally = Tally::default();
                let mut seen = store.head().expect("head").version;
                for n in 0..EACH {
                    let event = allegation(w, n);
                    loop {
                        match store.append(ExpectedVersion::Exactly(seen), event.clone()) {
                            Ok(seq) => {
                                assert_eq!(
                                    seq,
                                    Seq(seen + 1),
                                    "a win lands right after what was seen"
                                );
                                tally.acked.push((seq, event.id));
                                seen = seq.get();
                                break;
                            }
                            Err(StoreError::WrongExpectedVersion { expected, actual }) => {
                                assert_eq!(expected, seen);
                                assert!(actual > expected, "a conflict means someone else won");
                                tally.conflicts.push((expected, actual));
                                seen = actual;
                            }
                            Err(other) => panic!("writer {w}: unexpected error {other}"),
                        }
                    }
                }
                tally
            })
        })
        .collect();
    let tallies: Vec<Tally> = handles
        .into_iter()
        .map(|h| h.join().expect("writer"))
        .collect();
    let ids = all_ids(&url, &log);
    let total = usize::from(WRITERS) * EACH as usize;
    assert_eq!(ids.len(), 1 + total, "every append landed once");
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        ids.len(),
        "no duplicate"
    );
    let mut conflicts = 0;
    for (w, tally) in tallies.iter().enumerate() {
        assert_eq!(tally.acked.len(), EACH as usize);
        for (seq, id) in &tally.acked {
            assert_eq!(
                ids[seq.get() as usize - 1],
                *id,
                "acknowledged event {id} at {seq}"
            );
        }
        // A writer lost exactly when the slot it aimed at went to another writer.
        for &(expected, _) in &tally.conflicts {
            let winner = writer_of(&ids[expected as usize]);
            assert_ne!(
                usize::from(winner),
                w,
                "writer {w} lost slot {} to itself",
                expected + 1
            );
        }
        conflicts += tally.conflicts.len();
    }
    println!("{total} appends by {WRITERS} writers, {conflicts} conflicts");
}

/// Waits until a backend of this database is blocked inserting records; returns its pid.
fn blocked_insert(admin: &mut postgres::Client) -> i32 {
    let start = Instant::now();
    loop {
        let rows = admin
            .query(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
                 AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' \
                 AND query LIKE '%INSERT INTO ceasefire_events%'",
                &[],
            )
            .expect("pg_stat_activity");
        if let Some(row) = rows.first() {
            return row.get(0);
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the append never blocked"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_connection_terminated_mid_transaction_leaves_no_partial_event() {
    let Some(url) = url() else { return };
    let _server = SERVER.read().unwrap_or_else(|e| e.into_inner());
    let log = fresh("terminate");
    let store = Arc::new(open(&url, &log));
    store
        .append(ExpectedVersion::Exactly(0), genesis())
        .expect("genesis");
    // Another session holds an uncommitted row at seq 3 (foreign keys off, so it does not
    // lock the head row): a batch for 2 and 3 inserts 2, then waits on the key of 3.
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("admin connection");
    let mut blocker = admin.transaction().expect("transaction");
    blocker
        .batch_execute(&format!(
            "SET LOCAL session_replication_role = replica; \
             INSERT INTO ceasefire_events (log_id, seq, event_id, body, chain) \
             VALUES ('{log}', 3, gen_random_uuid(), '\\x00', decode(repeat('00', 32), 'hex'))"
        ))
        .expect("blocking row");
    let batch = vec![allegation(1, 1), allegation(1, 2)];
    let appender = {
        let (store, batch) = (Arc::clone(&store), batch.clone());
        thread::spawn(move || store.append_batch(ExpectedVersion::Exactly(1), batch))
    };
    let mut killer = postgres::Client::connect(&url, postgres::NoTls).expect("second admin");
    let pid = blocked_insert(&mut killer);
    let killed: bool = killer
        .query_one("SELECT pg_terminate_backend($1)", &[&pid])
        .expect("terminate")
        .get(0);
    assert!(killed);
    match appender.join().expect("appender") {
        Err(StoreError::Backend(e)) => {
            assert!(e.downcast_ref::<PostgresError>().is_some(), "{e}");
        }
        other => panic!("the terminated append returned {other:?}"),
    }
    blocker.rollback().expect("rollback");
    assert_eq!(all_ids(&url, &log), vec![genesis().id], "no partial event");
    // Retrying the same batch (the outcome was unknown to the writer) reconnects and lands it.
    let seq = store
        .append_batch(ExpectedVersion::Exactly(1), batch.clone())
        .expect("the retry lands");
    assert_eq!(seq, Seq(3));
    // And once more: the batch is already there, so the retry is idempotent.
    let again = store
        .append_batch(ExpectedVersion::Exactly(1), batch.clone())
        .expect("idempotent");
    assert_eq!(again, Seq(3));
    assert_eq!(
        all_ids(&url, &log),
        vec![genesis().id, batch[0].id, batch[1].id]
    );
}

fn restart_server() {
    let versions = std::fs::read_dir("/etc/postgresql").expect("/etc/postgresql");
    let version = versions
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .next()
        .expect("a cluster version");
    let status = std::process::Command::new("pg_ctlcluster")
        .args(["--skip-systemctl-redirect", &version, "main", "restart"])
        .status()
        .expect("pg_ctlcluster runs");
    assert!(status.success(), "pg_ctlcluster restart: {status}");
}

#[test]
fn a_server_restart_mid_run_loses_nothing_acknowledged() {
    let Some(url) = url() else { return };
    if std::env::var("CEASEFIRE_POSTGRES_RESTART").as_deref() != Ok("1") {
        println!("skipped: postgres restart test (CEASEFIRE_POSTGRES_RESTART is not 1)");
        return;
    }
    let _server = SERVER.write().unwrap_or_else(|e| e.into_inner());
    const EACH: u32 = 150;
    let log = fresh("restart");
    open(&url, &log)
        .append(ExpectedVersion::Exactly(0), genesis())
        .expect("genesis");
    let acked = Arc::new(Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..2u8)
        .map(|w| {
            let (url, log, acked) = (url.clone(), log.clone(), Arc::clone(&acked));
            thread::spawn(move || {
                let store = open(&url, &log);
                let mut failures = 0u32;
                for n in 0..EACH {
                    let event = allegation(w, n);
                    // Retry the same event until it is acknowledged: safe, by its id.
                    loop {
                        match store.append(ExpectedVersion::Any, event.clone()) {
                            Ok(seq) => {
                                acked.lock().expect("lock").push((seq, event.id));
                                break;
                            }
                            Err(StoreError::Backend(_)) => {
                                failures += 1;
                                assert!(failures < 600, "the server never came back");
                                thread::sleep(Duration::from_millis(50));
                            }
                            Err(other) => panic!("unexpected error {other}"),
                        }
                    }
                }
                failures
            })
        })
        .collect();
    while acked.lock().expect("lock").len() < 60 {
        thread::sleep(Duration::from_millis(5));
    }
    restart_server();
    let failures: u32 = writers.into_iter().map(|h| h.join().expect("writer")).sum();
    let ids = all_ids(&url, &log);
    assert_eq!(ids.len(), 1 + 2 * EACH as usize);
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        ids.len(),
        "no duplicate"
    );
    for (seq, id) in acked.lock().expect("lock").iter() {
        assert_eq!(
            ids[seq.get() as usize - 1],
            *id,
            "acknowledged {id} at {seq}"
        );
    }
    assert!(failures > 0, "the restart was not noticed by any writer");
    println!("restart: {failures} failed attempts retried, nothing acknowledged lost");
}

fn drain(sub: &mut Subscription, count: usize) -> Vec<ceasefire::Record> {
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        match sub
            .next_timeout(Duration::from_secs(30))
            .expect("subscription")
        {
            Some(r) => out.push(r),
            None => panic!("no record within 30 s after {}", out.len()),
        }
    }
    out
}

#[test]
fn a_subscriber_under_concurrent_writers_sees_a_gapless_ordered_stream() {
    let Some(url) = url() else { return };
    let _server = SERVER.read().unwrap_or_else(|e| e.into_inner());
    const WRITERS: u8 = 4;
    const EACH: u32 = 150;
    let log = fresh("subscribe");
    let store = open(&url, &log);
    let mut sub = store.subscribe(Seq::FIRST).expect("subscribes");
    store
        .append(ExpectedVersion::Exactly(0), genesis())
        .expect("genesis");
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (url, log) = (url.clone(), log.clone());
            thread::spawn(move || {
                let store = open(&url, &log);
                for n in 0..EACH {
                    if n % 10 == 0 {
                        let batch = (n..n + 3).map(|k| allegation(w, 1000 + k)).collect();
                        store
                            .append_batch(ExpectedVersion::Any, batch)
                            .expect("batch");
                    }
                    store
                        .append(ExpectedVersion::Any, allegation(w, n))
                        .expect("append");
                }
            })
        })
        .collect();
    let total = 1 + usize::from(WRITERS) * (EACH as usize + 3 * EACH.div_ceil(10) as usize);
    let stream = drain(&mut sub, total);
    for h in writers {
        h.join().expect("writer");
    }
    for (i, r) in stream.iter().enumerate() {
        assert_eq!(
            r.seq,
            Seq(i as u64 + 1),
            "in order, without gap or duplicate"
        );
    }
    let stored = all_ids(&url, &log);
    assert_eq!(
        stream.iter().map(|r| r.event.id).collect::<Vec<_>>(),
        stored
    );
    assert_eq!(sub.position(), store.head().expect("head"));
    assert!(
        sub.next_timeout(Duration::from_millis(200))
            .expect("quiet")
            .is_none()
    );
    // Resuming from a sequence number gives the same records from there on.
    let mut resumed = store.subscribe(Seq(100)).expect("resumes");
    let tail = drain(&mut resumed, total - 99);
    assert_eq!(tail.as_slice(), &stream[99..]);
    println!("subscriber: waited at {} gaps", sub.gaps_waited());
}

fn file_events(count: u32) -> Vec<Event> {
    std::iter::once(genesis())
        .chain((1..count).map(|n| allegation(9, n)))
        .collect()
}

#[test]
fn a_log_copied_file_to_postgres_to_file_keeps_its_head() {
    let Some(url) = url() else { return };
    let _server = SERVER.read().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("temporary directory");
    let source =
        FileLog::create(dir.path().join("source.log"), FileLogOptions::new()).expect("file log");
    for chunk in file_events(120).chunks(7) {
        source
            .append_batch(ExpectedVersion::Any, chunk.to_vec())
            .expect("appends");
    }
    let log = fresh("copy");
    let pg = open(&url, &log);
    let head = copy_log(&source, &pg, 50).expect("file to postgres");
    assert_eq!(head, source.head().expect("head"));
    // A fresh handle verifies the copied chain from the start.
    assert_eq!(open(&url, &log).head().expect("head"), head);
    let back =
        FileLog::create(dir.path().join("back.log"), FileLogOptions::new()).expect("file log");
    assert_eq!(copy_log(&pg, &back, 33).expect("postgres to file"), head);
    assert_eq!(
        back.read(Seq::FIRST, usize::MAX).expect("reads"),
        source.read(Seq::FIRST, usize::MAX).expect("reads")
    );
    assert_eq!(
        copy_log(&source, &pg, 50).expect("nothing left to copy"),
        head
    );
}

#[test]
fn one_database_holds_several_logs_and_a_stale_handle_retries_idempotently() {
    let Some(url) = url() else { return };
    let _server = SERVER.read().unwrap_or_else(|e| e.into_inner());
    let (a, b) = (fresh("several-a"), fresh("several-b"));
    let (first, second) = (open(&url, &a), open(&url, &a));
    let other = open(&url, &b);
    first
        .append(ExpectedVersion::Exactly(0), genesis())
        .expect("genesis a");
    other
        .append(ExpectedVersion::Exactly(0), genesis())
        .expect("genesis b");
    let event = allegation(1, 1);
    assert_eq!(
        first
            .append(ExpectedVersion::Exactly(1), event.clone())
            .ok(),
        Some(Seq(2))
    );
    // The second handle has not seen it; appending it again is a retry, not a new record.
    assert_eq!(
        second
            .append(ExpectedVersion::Exactly(1), event.clone())
            .ok(),
        Some(Seq(2))
    );
    assert_eq!(second.head().expect("head"), first.head().expect("head"));
    assert_eq!(other.head().expect("head").version, 1, "logs are separate");
    assert_eq!(other.append(ExpectedVersion::Any, event).ok(), Some(Seq(2)));
}

#[test]
fn a_damaged_row_is_caught_on_open_and_on_read() {
    let Some(url) = url() else { return };
    let _server = SERVER.read().unwrap_or_else(|e| e.into_inner());
    let log = fresh("damaged");
    let store = open(&url, &log);
    let events = file_events(3);
    store
        .append(ExpectedVersion::Exactly(0), events[0].clone())
        .expect("appends");
    // A handle that has seen only the genesis, and will catch up over the damaged record.
    let stale = open(&url, &log);
    store
        .append_batch(ExpectedVersion::Exactly(1), events[1..].to_vec())
        .expect("appends");
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("admin connection");
    // Rewrite one report's text (the append-only trigger is bypassed as a superuser can).
    admin
        .batch_execute(&format!(
            "SET session_replication_role = replica; \
             UPDATE ceasefire_events SET body = convert_to(replace(convert_from(body, 'UTF8'), \
             'report 2 ', 'report 9 '), 'UTF8') WHERE log_id = '{log}' AND seq = 3"
        ))
        .expect("tampers");
    let damaged = |e: &StoreError| match e {
        StoreError::Backend(b) => matches!(
            b.downcast_ref::<PostgresError>(),
            Some(PostgresError::Corrupt { seq: 3, .. })
        ),
        _ => false,
    };
    let read = store.read(Seq::FIRST, 10).expect_err("the read is refused");
    assert!(damaged(&read), "{read}");
    let caught = stale.head().expect_err("catching up is refused");
    assert!(damaged(&caught), "{caught}");
    // Its ledger may be half-way through the record: it refuses everything until reopened.
    assert!(matches!(stale.head(), Err(StoreError::Poisoned)));
    match PostgresLog::open(&url, log.clone(), PostgresOptions::new()) {
        Err(PostgresError::Corrupt { seq: 3, .. }) => {}
        other => panic!("open gave {other:?}"),
    }
    // Nothing may change a stored record through the ordinary path.
    let refused = admin.batch_execute(&format!(
        "SET session_replication_role = origin; \
         DELETE FROM ceasefire_events WHERE log_id = '{log}'"
    ));
    assert!(refused.is_err(), "the append-only trigger refuses a delete");
}

#[test]
fn copy_log_works_between_memory_logs_and_refuses_a_diverging_target() {
    // Needs no server.
    let source = EventLog::new();
    source
        .append_batch(ExpectedVersion::Exactly(0), file_events(20))
        .expect("appends");
    let target = EventLog::new();
    let head = copy_log(&source, &target, 6).expect("copies");
    assert_eq!(head, source.head().expect("head"));
    assert_eq!(
        target.records().expect("records"),
        source.records().expect("records")
    );
    let diverging = EventLog::new();
    diverging
        .append_batch(
            ExpectedVersion::Exactly(0),
            vec![genesis(), allegation(3, 3)],
        )
        .expect("appends");
    assert!(matches!(
        copy_log(&source, &diverging, 6),
        Err(StoreError::DoesNotExtend { version: 2, .. })
    ));
}
