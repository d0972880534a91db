//! File store benchmarks on `ceasefire::workload`: a durable append (one `sync_data` each),
//! batches of 1,000 with one sync each, and opening a 1,000,000-record log (every line
//! verified as `docs/format.md` says, and replayed).
//!
//! Run with `cargo bench --bench file`; `cargo bench --bench file -- --test` runs each once on
//! small logs. Figures are quoted in docs/performance.md.

use std::time::{Duration, Instant};

use ceasefire::store::{FileLog, FileLogOptions};
use ceasefire::workload::Workload;
use ceasefire::{ExpectedVersion, Store};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

mod support;
use support::{size, write_log};

const BATCH: usize = 1_000;

fn bench_append(c: &mut Criterion) {
    let records = Workload::new(1)
        .generate(size(50_000, 3_000))
        .expect("the workload generates");
    let mut group = c.benchmark_group("file");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1));
    group.bench_function("append_synced", |b| {
        b.iter_custom(|iters| {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let log = FileLog::create(dir.path().join("bench.log"), FileLogOptions::new())
                .expect("created");
            // One log holds at most 2,000 of the workload's records; extrapolate beyond.
            let n = (iters as usize).min(2_000);
            let mut total = Duration::ZERO;
            for r in &records[..n] {
                let start = Instant::now();
                log.append(ExpectedVersion::Any, r.event.clone())
                    .expect("valid");
                total += start.elapsed();
            }
            total.mul_f64(iters as f64 / n.max(1) as f64)
        })
    });
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("append_batch_1000_synced", |b| {
        b.iter_custom(|iters| {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let log = FileLog::create(dir.path().join("bench.log"), FileLogOptions::new())
                .expect("created");
            let chunks: Vec<_> = records.chunks(BATCH).take(iters as usize).collect();
            let mut total = Duration::ZERO;
            for chunk in &chunks {
                let batch: Vec<_> = chunk.iter().map(|r| r.event.clone()).collect();
                let start = Instant::now();
                log.append_batch(ExpectedVersion::Any, batch)
                    .expect("valid");
                total += start.elapsed();
            }
            total.mul_f64(iters as f64 / chunks.len().max(1) as f64)
        })
    });
    group.finish();
}

fn bench_open(c: &mut Criterion) {
    let n = size(1_000_000, 2_000);
    let records = Workload::new(1)
        .generate(n)
        .expect("the workload generates");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bench.log");
    write_log(&path, &records, BATCH).expect("written");
    drop(records);
    let mut group = c.benchmark_group("file");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(format!("open_verify_replay/{n}"), |b| {
        b.iter(|| FileLog::open_read_only(&path, FileLogOptions::new()).expect("a sound log"))
    });
    group.finish();
}

criterion_group!(benches, bench_append, bench_open);
criterion_main!(benches);
