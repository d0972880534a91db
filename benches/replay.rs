//! Replay benchmarks: full replay throughput, and the cost of applying more events to a state
//! that already holds a long log (it must not grow with the log's length).
//!
//! Run with `cargo bench --bench replay`. Figures are quoted in docs/performance.md.

use std::hint::black_box;

use ceasefire::{AgreementState, EventLog, ExpectedVersion, Store, replay};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

mod support;
use support::log;

fn bench_replay(c: &mut Criterion) {
    let mut group = c.benchmark_group("replay");
    group.sample_size(10);
    for n in [1_000usize, 10_000, 100_000] {
        let records = log(n);
        replay(&records).expect("the generated log is valid");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("full/{n}"), |b| {
            b.iter(|| replay(black_box(&records)).expect("valid"))
        });
    }
    group.finish();
}

fn bench_apply_tail(c: &mut Criterion) {
    const TAIL: usize = 1_000;
    let mut group = c.benchmark_group("apply");
    group.sample_size(10);
    for n in [1_000usize, 10_000, 100_000] {
        // The same kind of traffic, applied after logs of different lengths.
        let records = log(n + TAIL);
        let state: AgreementState = replay(&records[..n]).expect("valid");
        let tail = records[n..].to_vec();
        group.throughput(Throughput::Elements(TAIL as u64));
        group.bench_function(format!("1000_more_after/{n}"), |b| {
            b.iter_batched(
                || state.clone(),
                |mut s| {
                    for r in &tail {
                        s.apply(r).expect("valid");
                    }
                    s
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn bench_append(c: &mut Criterion) {
    let mut group = c.benchmark_group("append");
    group.sample_size(10);
    let records = log(10_000);
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("memory/10000", |b| {
        b.iter(|| {
            let log = EventLog::new();
            for r in &records {
                log.append(ExpectedVersion::Any, r.event.clone())
                    .expect("valid");
            }
            log
        })
    });
    group.finish();
}

criterion_group!(benches, bench_replay, bench_apply_tail, bench_append);
criterion_main!(benches);
