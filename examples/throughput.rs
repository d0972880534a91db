//! Every throughput figure of `docs/performance.md`, from one run, beside bare baselines
//! measured in the same run on the same records.
//!
//! ```sh
//! cargo run --release --example throughput            # 1,000,000 events
//! cargo run --release --example throughput -- 200000  # another size
//! ```
//!
//! Built without optimisations (`cargo run --example throughput`, as CI runs every example)
//! the default size is 3,000 events, so that the example stays quick; the figures of such a
//! build mean nothing.
//!
//! The log is `ceasefire::workload` (seed 1, default pace). Each figure is measured once, at
//! full size, and the run ends with one `name: value` line per figure and one line per ratio
//! to a bare baseline:
//!
//! - `replay_events_per_s`: `replay` of the whole log in memory.
//! - `apply_ns_at_10k`, `apply_ns_at_1m`: the least time to apply one allegation (the
//!   commonest event) to a state that already holds 10,000 (or all `N`) records: the state
//!   replayed from the log's prefix is given the next 60 generated records one at a time,
//!   each timed alone (never a clone of the state per repetition: that would measure the
//!   clone), and the minimum is taken over the allegations among them (at least 15; about
//!   36). The same kind of event at both lengths, so the two are comparable: a minimum over
//!   every kind would compare whichever cheap kinds happen to come next. At sizes other than
//!   1,000,000 the second line still says `apply_ns_at_1m` and measures at `N`.
//! - `file_open_verify_replay_events_per_s`: `FileLog::open_read_only` of the log's file
//!   (every check of the format guide, and replay).
//! - `append_single_events_per_s`: 2,000 single `FileLog` appends (each synced) to a fresh
//!   log; `append_batch_events_per_s`: batches of 1,000 (one sync each), the first 100,000
//!   events (or `N`) to a fresh log; `append_batch_onto_full_events_per_s`: 10 batches of
//!   1,000 appended to the full log (fewer below 100,000 events).
//! - `snapshot_restore_ms`: reading the state back from its JSON snapshot.
//! - `peak_rss_mib` and `state_bytes_per_allegation`: measured in a child process (this
//!   program again, with `--memory`) that decodes the log file into records and replays them:
//!   its peak resident set (`VmHWM`), and the growth of its resident set (`VmRSS`) during
//!   replay divided by the number of allegations. The crate forbids `unsafe` in every target,
//!   examples included, so no counting `#[global_allocator]` is possible: resident-set deltas
//!   include the allocator's overhead and fragmentation, which is memory the process really
//!   uses. `unavailable` where `/proc/self/status` is missing (not Linux).
//!
//! The bare baselines, on the same records and bytes:
//!
//! - `bare_fold_events_per_s`: a small hand-written fold over the typed records (an index from
//!   event id to allegation, a sliding window of confirmed violations per party, a decision
//!   when three fall in 14 days, voiding on refutation), with none of the rules' generality.
//! - `bare_decode_fold_events_per_s`: `serde_json` decode of each line of the file (the line's
//!   fields and the typed event) and the same fold, on one core.
//! - `bare_sync_single_per_s`: `write` + `sync_data` of the same line bytes, one line at a
//!   time, 2,000 lines; `bare_sync_batch_events_per_s`: the same in groups of 1,000 lines,
//!   over the whole file.
//!
//! Two more modes serve to time opening a file alone: `-- --write N PATH` writes the log file
//! of `N` events, `-- --open PATH` opens it and prints the rate.
//!
//! The log file is written here line by line from the format guide (CRC-32C, SHA-256 chain,
//! batch markers of 1,000), not by `FileLog` appends, so that building a file of a million
//! records does not take minutes; opening it verifies every line, so a wrong byte would fail
//! the run.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use ceasefire::event::{Finding, Payload};
use ceasefire::store::FileLogOptions;
use ceasefire::workload::Workload;
use ceasefire::{AgreementState, Event, EventId, ExpectedVersion, FileLog, Record, Store, replay};
use serde::Deserialize;

#[path = "../benches/support/mod.rs"]
mod support;
use support::write_log;

type Error = Box<dyn std::error::Error>;

const SINGLE: usize = 2_000;
const BATCH: usize = 1_000;
const REPS: usize = 60;

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let first = args.next();
    match first.as_deref() {
        Some("--memory") => {
            let path = args.next().ok_or("--memory needs a path")?;
            return memory(Path::new(&path));
        }
        // `--write N PATH`: only write the log file of N events (to time opening it alone).
        Some("--write") => {
            let n: usize = args.next().ok_or("--write needs N")?.parse()?;
            let path = args.next().ok_or("--write needs a path")?;
            let records = Workload::new(1).generate(n)?;
            write_log(Path::new(&path), &records, BATCH)?;
            return Ok(());
        }
        // `--open PATH`: only open (verify and replay) a log file.
        Some("--open") => {
            let path = args.next().ok_or("--open needs a path")?;
            let started = Instant::now();
            let (log, _) = FileLog::open_read_only(&path, FileLogOptions::new())?;
            let n = log.head()?.version;
            let s = started.elapsed().as_secs_f64();
            println!("file_open_verify_replay_events_per_s: {:.0}", n as f64 / s);
            return Ok(());
        }
        _ => {}
    }
    let default = if cfg!(debug_assertions) {
        3_000
    } else {
        1_000_000
    };
    let n: usize = match first {
        Some(text) => text.replace(['_', ','], "").parse()?,
        None => default,
    };
    let n = n.max(2 * BATCH);
    let small = 10_000.min(n / 2);
    // Batches appended onto the full log: 10 at 100,000 events and more, fewer below.
    let extra = (n / 10_000).clamp(1, 10) * BATCH;
    let dir = tempfile::tempdir()?;

    eprintln!("generating {} events…", n + extra);
    let started = Instant::now();
    let records = Workload::new(1).generate(n + extra)?;
    let (log, tail) = records.split_at(n);
    eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
    let allegations = log
        .iter()
        .filter(|r| matches!(r.event.payload, Payload::ViolationAlleged(_)))
        .count();

    // In-memory replay, and apply after the whole log.
    let started = Instant::now();
    let mut state = replay(log)?;
    let replay_s = started.elapsed().as_secs_f64();
    eprintln!(
        "replayed in {replay_s:.2} s: {} decisions",
        state.decisions().len()
    );
    let apply_full = apply_min(&mut state, &tail[..REPS])?;
    // Snapshot write and restore.
    let started = Instant::now();
    let snapshot = serde_json::to_vec(&state)?;
    let snapshot_write_ms = ms(started.elapsed());
    drop(state);
    let started = Instant::now();
    let restored: AgreementState = serde_json::from_slice(&snapshot)?;
    let snapshot_restore_ms = ms(started.elapsed());
    black_box(&restored);
    drop(restored);
    let snapshot_mib = snapshot.len() as f64 / MIB;
    drop(snapshot);
    // Apply after 10,000.
    let mut early = replay(&log[..small])?;
    let apply_small = apply_min(&mut early, &log[small..small + REPS])?;
    drop(early);

    // The bare typed fold over the same records.
    let started = Instant::now();
    let mut fold = BareFold::default();
    for r in log {
        fold.apply(&r.event);
    }
    let bare_fold_s = started.elapsed().as_secs_f64();
    black_box(fold.decisions);

    // The log file, and its lines.
    let path = dir.path().join("log.jsonl");
    let bytes = write_log(&path, log, BATCH)?;
    eprintln!("wrote {:.0} MiB", bytes as f64 / MIB);
    let started = Instant::now();
    let (opened, _) = FileLog::open_read_only(&path, FileLogOptions::new())?;
    let open_s = started.elapsed().as_secs_f64();
    if opened.head()?.version != n as u64 {
        return Err("the file log does not hold every record".into());
    }
    drop(opened);

    // serde_json decode of the same lines and the bare fold, one core.
    let file_bytes = std::fs::read(&path)?;
    let started = Instant::now();
    let mut fold = BareFold::default();
    for line in file_bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let line: Line<'_> = serde_json::from_slice(line)?;
        black_box((line.format, line.seq, line.more, line.crc32c, line.hash));
        fold.apply(&line.event);
    }
    let bare_decode_s = started.elapsed().as_secs_f64();
    black_box(fold.decisions);
    let lines: Vec<&[u8]> = file_bytes
        .split_inclusive(|b| *b == b'\n')
        .collect::<Vec<_>>();

    // Bare write + sync_data of the same bytes.
    let bare_single_s = {
        let mut f = File::create(dir.path().join("bare-single"))?;
        let started = Instant::now();
        for line in lines.iter().take(SINGLE) {
            f.write_all(line)?;
            f.sync_data()?;
        }
        started.elapsed().as_secs_f64()
    };
    let bare_batch_s = {
        let mut f = File::create(dir.path().join("bare-batch"))?;
        let mut buf = Vec::new();
        let started = Instant::now();
        for chunk in lines.chunks(BATCH) {
            buf.clear();
            for line in chunk {
                buf.extend_from_slice(line);
            }
            f.write_all(&buf)?;
            f.sync_data()?;
        }
        started.elapsed().as_secs_f64()
    };
    drop(lines);
    drop(file_bytes);

    // FileLog appends: single, then batches, onto a fresh log.
    let single_s = {
        let store = FileLog::create(dir.path().join("single.jsonl"), FileLogOptions::new())?;
        let started = Instant::now();
        for r in log.iter().take(SINGLE) {
            store.append(ExpectedVersion::Any, r.event.clone())?;
        }
        started.elapsed().as_secs_f64()
    };
    let batched = n.min(100_000);
    let batch_s = {
        let store = FileLog::create(dir.path().join("batch.jsonl"), FileLogOptions::new())?;
        append_batches(&store, &log[..batched])?
    };
    // Batches onto the full log.
    let onto_full_s = {
        let (store, _) = FileLog::open(&path, FileLogOptions::new())?;
        append_batches(&store, tail)?
    };
    // Memory, in a fresh process that holds nothing else.
    let child = std::process::Command::new(std::env::current_exe()?)
        .arg("--memory")
        .arg(&path)
        .arg(n.to_string())
        .output()?;
    if !child.status.success() {
        return Err(format!(
            "the memory measurement failed: {}",
            String::from_utf8_lossy(&child.stderr)
        )
        .into());
    }
    let memory = String::from_utf8(child.stdout)?;

    let per_s = |events: usize, s: f64| events as f64 / s;
    let replay_rate = per_s(n, replay_s);
    let bare_fold = per_s(n, bare_fold_s);
    let open_rate = per_s(n, open_s);
    let bare_decode = per_s(n, bare_decode_s);
    let single = per_s(SINGLE.min(n), single_s);
    let bare_single = per_s(SINGLE.min(n), bare_single_s);
    let batch = per_s(batched, batch_s);
    let bare_batch = per_s(n, bare_batch_s);
    let onto_full = per_s(tail.len(), onto_full_s);

    println!("events: {n}");
    println!("allegations: {allegations}");
    println!("file_mib: {:.0}", bytes as f64 / MIB);
    println!("snapshot_mib: {snapshot_mib:.0}");
    println!("snapshot_write_ms: {snapshot_write_ms:.0}");
    println!("append_batch_onto_full_events_per_s: {onto_full:.0}");
    print!("{memory}");
    println!("ratios:");
    println!("replay_vs_bare_fold: {:.3}", replay_rate / bare_fold);
    println!(
        "file_open_vs_bare_decode_fold: {:.3}",
        open_rate / bare_decode
    );
    println!("apply_1m_vs_10k: {:.3}", apply_full / apply_small);
    println!("append_single_vs_bare: {:.3}", single / bare_single);
    println!("append_batch_vs_bare: {:.3}", batch / bare_batch);
    println!("append_batch_onto_full_vs_fresh: {:.3}", onto_full / batch);
    println!("figures:");
    println!("replay_events_per_s: {replay_rate:.0}");
    println!("apply_ns_at_10k: {apply_small:.0}");
    println!("apply_ns_at_1m: {apply_full:.0}");
    println!("file_open_verify_replay_events_per_s: {open_rate:.0}");
    println!("append_single_events_per_s: {single:.0}");
    println!("append_batch_events_per_s: {batch:.0}");
    println!("snapshot_restore_ms: {snapshot_restore_ms:.0}");
    for name in ["peak_rss_mib", "state_bytes_per_allegation"] {
        let value = memory
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
            .unwrap_or("unavailable");
        println!("{name}: {value}");
    }
    println!("bare_fold_events_per_s: {bare_fold:.0}");
    println!("bare_decode_fold_events_per_s: {bare_decode:.0}");
    println!("bare_sync_single_per_s: {bare_single:.0}");
    println!("bare_sync_batch_events_per_s: {bare_batch:.0}");
    signed_figures()?;
    Ok(())
}

/// The signed-log figures (issue 12): strict replay of a signed log against `ed25519-dalek`'s
/// `verify_strict` on as many threads, from the same run. Needs the `transparency` feature.
#[cfg(feature = "transparency")]
fn signed_figures() -> Result<(), Error> {
    let n = if cfg!(debug_assertions) { 100 } else { 20_000 };
    let f = signed::measure(n)?;
    println!("signed_events: {} on {} threads", f.events, f.threads);
    println!("bare_ed25519_batch_verify_per_s: {:.0}", f.batch);
    println!("signed_verify_events_per_s: {:.0}", f.replay);
    println!("bare_ed25519_verify_per_s: {:.0}", f.bare);
    println!("signed_verify_vs_bare: {:.3}", f.ratio);
    Ok(())
}

#[cfg(not(feature = "transparency"))]
fn signed_figures() -> Result<(), Error> {
    println!("signed_verify_events_per_s: unavailable (build with --features transparency)");
    println!("bare_ed25519_verify_per_s: unavailable (build with --features transparency)");
    Ok(())
}

#[cfg(feature = "transparency")]
#[path = "support/signed.rs"]
mod signed;

const MIB: f64 = 1024.0 * 1024.0;

/// Appends `records`' events to `store` in batches of `BATCH`; the seconds it took (building
/// the batches is not timed).
fn append_batches(store: &FileLog, records: &[Record]) -> Result<f64, Error> {
    let batches: Vec<Vec<Event>> = records
        .chunks(BATCH)
        .map(|c| c.iter().map(|r| r.event.clone()).collect())
        .collect();
    let started = Instant::now();
    for batch in batches {
        store.append_batch(ExpectedVersion::Any, batch)?;
    }
    Ok(started.elapsed().as_secs_f64())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Applies each record to the warm state, timing each alone; the least time, in ns.
fn apply_min(state: &mut AgreementState, next: &[Record]) -> Result<f64, Error> {
    let mut best = f64::INFINITY;
    let mut timed = 0;
    for r in next {
        let started = Instant::now();
        state.apply(r)?;
        let ns = started.elapsed().as_nanos() as f64;
        if matches!(r.event.payload, Payload::ViolationAlleged(_)) {
            best = best.min(ns);
            timed += 1;
        }
    }
    if timed < 15 {
        return Err(format!(
            "only {timed} allegations among {} events to time",
            next.len()
        )
        .into());
    }
    Ok(best)
}

/// One line of the file, as a plain `serde_json` decoder sees it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    #[serde(default, borrow)]
    format: Option<&'a str>,
    seq: u64,
    #[serde(default)]
    more: u64,
    #[serde(borrow)]
    crc32c: &'a str,
    #[serde(borrow)]
    hash: &'a str,
    event: Event,
}

/// The child's side: decode the file into records, replay them, and report memory.
fn memory(path: &Path) -> Result<(), Error> {
    let base = status("VmRSS:");
    let mut records = Vec::new();
    for line in BufReader::new(File::open(path)?).split(b'\n') {
        let line = line?;
        let decoded: Line<'_> = serde_json::from_slice(&line)?;
        records.push(Record::new(ceasefire::Seq(decoded.seq), decoded.event));
    }
    let before = status("VmRSS:");
    let state = replay(&records)?;
    let after = status("VmRSS:");
    let allegations = state.allegations().count();
    black_box(&state);
    let peak = status("VmHWM:");
    match (base, before, after, peak) {
        (Some(base), Some(before), Some(after), Some(peak)) => {
            let records_mib = before.saturating_sub(base) as f64 / MIB;
            println!("records_rss_mib: {records_mib:.0}");
            println!(
                "peak_rss_vs_records: {:.2}",
                peak as f64 / MIB / records_mib
            );
            println!("peak_rss_mib: {:.0}", peak as f64 / MIB);
            println!(
                "state_bytes_per_allegation: {:.0}",
                after.saturating_sub(before) as f64 / allegations.max(1) as f64
            );
        }
        _ => {
            println!("peak_rss_mib: unavailable");
            println!("state_bytes_per_allegation: unavailable");
        }
    }
    Ok(())
}

/// A `/proc/self/status` field in bytes (Linux).
fn status(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix(field))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// A bare typed fold: what a minimal monitor computes from the same events.
#[derive(Default)]
struct BareFold {
    index: HashMap<EventId, u32>,
    allegations: Vec<BareAllegation>,
    parties: Vec<ceasefire::PartyId>,
    /// Per party: when its counted, uncited confirmed violations occurred (seconds).
    windows: Vec<VecDeque<(i64, u32)>>,
    decisions: u64,
    voided: u64,
    other: u64,
}

struct BareAllegation {
    accused: u8,
    occurred: i64,
    retracted: bool,
    denied: bool,
    corroborations: u8,
    /// Counted in a window or cited by a decision.
    counted: bool,
}

impl BareFold {
    /// The allegation an event refers to, if the fold has it.
    fn allegation(&mut self, id: &EventId) -> Option<&mut BareAllegation> {
        let i = *self.index.get(id)?;
        self.allegations.get_mut(i as usize)
    }

    fn party(&mut self, p: &ceasefire::PartyId) -> u8 {
        match self.parties.iter().position(|q| q == p) {
            Some(i) => i as u8,
            None => {
                self.parties.push(p.clone());
                self.windows.push(VecDeque::new());
                (self.parties.len() - 1) as u8
            }
        }
    }

    fn apply(&mut self, event: &Event) {
        const WINDOW: i64 = 14 * 86_400;
        match &event.payload {
            Payload::ViolationAlleged(a) => {
                let accused = self.party(&a.accused);
                self.index.insert(event.id, self.allegations.len() as u32);
                self.allegations.push(BareAllegation {
                    accused,
                    occurred: event.occurred_at.latest().timestamp(),
                    retracted: false,
                    denied: false,
                    corroborations: 0,
                    counted: false,
                });
            }
            Payload::VerificationFinding(v) => {
                let Some(&i) = self.index.get(&v.allegation) else {
                    return;
                };
                let Some(a) = self.allegations.get_mut(i as usize) else {
                    return;
                };
                match v.finding {
                    Finding::Confirmed if !a.retracted && !a.counted => {
                        if v.confidence.get() < 60 {
                            return;
                        }
                        a.counted = true;
                        let (party, at) = (a.accused as usize, a.occurred);
                        if let Some(w) = self.windows.get_mut(party) {
                            w.push_back((at, i));
                            while w.front().is_some_and(|(t, _)| *t < at - WINDOW) {
                                w.pop_front();
                            }
                            if w.len() >= 3 {
                                w.clear();
                                self.decisions += 1;
                            }
                        }
                    }
                    Finding::Refuted if a.counted => {
                        a.counted = false;
                        self.voided += 1;
                    }
                    _ => {}
                }
            }
            Payload::AllegationRetracted { allegation, .. } => {
                if let Some(a) = self.allegation(allegation) {
                    a.retracted = true;
                }
            }
            Payload::AllegationDenied { allegation, .. } => {
                if let Some(a) = self.allegation(allegation) {
                    a.denied = true;
                }
            }
            Payload::AllegationCorroborated { allegation, .. } => {
                if let Some(a) = self.allegation(allegation) {
                    a.corroborations += 1;
                }
            }
            _ => self.other += 1,
        }
    }
}
