//! A real kill test: a child process appends in a loop and prints each acknowledgement; the
//! parent kills it at pseudo-random points (fixed seed, bounded count and time) and checks
//! that every acknowledged event is in the log, and nothing but the events the child wrote.
//!
//! The child is this very test binary, run again with an environment variable set.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{events_of, next};
use ceasefire::store::{FileLog, FileLogOptions};
use ceasefire::{ExpectedVersion, Store};

const CHILD: &str = "CEASEFIRE_FILE_KILL_TEST_LOG";
const TEST_NAME: &str = "kill::acknowledged_appends_survive_kill_9";

/// A tiny deterministic generator (splitmix64).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The event at position `p` (from 0) of the log: the same in every child.
fn event_at(p: u64) -> ceasefire::Event {
    let p = u32::try_from(p).expect("a short log");
    next(p, p as usize)
}

/// The child: opens the log, appends singles and batches of three forever (bounded), and
/// prints `ack N` after each append returns.
fn child(path: &Path) {
    let (log, _) = FileLog::open(path, FileLogOptions::new()).expect("the child opens the log");
    let started = Instant::now();
    let mut out = std::io::stdout().lock();
    for round in 0..5_000u64 {
        if started.elapsed() > Duration::from_secs(30) {
            break;
        }
        let len = log.head().expect("head").version;
        let expected = ExpectedVersion::Exactly(len);
        let last = if round % 3 == 2 {
            let batch = (len..len + 3).map(event_at).collect();
            log.append_batch(expected, batch)
        } else {
            log.append(expected, event_at(len))
        }
        .expect("the child appends");
        writeln!(out, "ack {}", last.get()).expect("the parent listens");
        out.flush().expect("the parent listens");
    }
}

#[test]
fn acknowledged_appends_survive_kill_9() {
    if let Some(path) = std::env::var_os(CHILD) {
        child(Path::new(&path));
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("killed.log");
    drop(FileLog::create(&path, FileLogOptions::new()).expect("created"));
    let exe = std::env::current_exe().expect("the test binary");
    let mut mix = Mix(0x00c0_ffee);
    let started = Instant::now();
    let (mut rounds, mut acked, mut torn) = (0, 0u64, 0);
    while rounds < 15 && started.elapsed() < Duration::from_secs(8) {
        rounds += 1;
        let mut child = Command::new(&exe)
            .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the child starts");
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let wait_for = mix.next() % 40;
        let mut seen = 0;
        while seen < wait_for {
            let Some(Ok(line)) = lines.next() else { break };
            if let Some(n) = line.strip_prefix("ack ") {
                acked = n.parse().expect("a number");
                seen += 1;
            }
        }
        std::thread::sleep(Duration::from_micros(mix.next() % 3_000));
        child.kill().expect("killed");
        // Acknowledgements printed before the kill count too.
        for line in lines.map_while(Result::ok) {
            if let Some(n) = line.strip_prefix("ack ") {
                acked = n.parse().expect("a number");
            }
        }
        child.wait().expect("reaped");
        let (log, report) = FileLog::open(&path, FileLogOptions::new())
            .unwrap_or_else(|e| panic!("round {rounds}: the killed log does not open: {e}"));
        torn += usize::from(report.torn.is_some());
        assert!(
            report.records >= acked,
            "round {rounds}: {} records, {acked} acknowledged",
            report.records
        );
        let recovered = events_of(&log);
        for (p, e) in recovered.iter().enumerate() {
            assert_eq!(
                *e,
                event_at(p as u64),
                "round {rounds}: record {} is not the child's",
                p + 1
            );
        }
    }
    eprintln!(
        "{rounds} kills, {acked} acknowledged, {torn} torn tails, {:?}",
        started.elapsed()
    );
    assert!(rounds >= 5, "only {rounds} rounds in the time allowed");
    assert!(acked > 0, "the children acknowledged nothing");
}
