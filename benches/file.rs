//! File store benchmarks: a durable append (one `sync_data` each), a batch of 100 with one
//! sync, and opening a 20,000-record log (every record verified and replayed).
//!
//! Run with `cargo bench --bench file`. Figures are quoted in docs/performance.md.

use std::time::{Duration, Instant};

use ceasefire::store::{FileLog, FileLogOptions};
use ceasefire::{ExpectedVersion, Store};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

mod support;
use support::log;

fn bench_append(c: &mut Criterion) {
    let records = log(20_000);
    let mut group = c.benchmark_group("file");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1));
    group.bench_function("append_synced", |b| {
        b.iter_custom(|iters| {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let log = FileLog::create(dir.path().join("bench.log"), FileLogOptions::new())
                .expect("created");
            // One log holds at most the workload's records; extrapolate beyond (never reached
            // with these sample sizes).
            let n = (iters as usize).min(records.len());
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
    group.throughput(Throughput::Elements(100));
    group.bench_function("append_batch_100_synced", |b| {
        b.iter_custom(|iters| {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let log = FileLog::create(dir.path().join("bench.log"), FileLogOptions::new())
                .expect("created");
            let chunks: Vec<_> = records.chunks(100).take(iters as usize).collect();
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
    let records = log(20_000);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bench.log");
    {
        let log = FileLog::create(&path, FileLogOptions::new()).expect("created");
        for chunk in records.chunks(1_000) {
            let batch = chunk.iter().map(|r| r.event.clone()).collect();
            log.append_batch(ExpectedVersion::Any, batch)
                .expect("valid");
        }
    }
    let mut group = c.benchmark_group("file");
    group.sample_size(10);
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("open_verify/20000", |b| {
        b.iter(|| FileLog::open_read_only(&path, FileLogOptions::new()).expect("a sound log"))
    });
    group.finish();
}

criterion_group!(benches, bench_append, bench_open);
criterion_main!(benches);
