//! Replay benchmarks on `ceasefire::workload`: full replay of 1,000,000 events, the cost of
//! applying one more event to a state that already holds 10,000 or 1,000,000 (it must not
//! grow with the log's length), and a snapshot written and restored.
//!
//! Run with `cargo bench --bench replay`; `cargo bench --bench replay -- --test` runs each once
//! on small logs. Figures are quoted in docs/performance.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use ceasefire::workload::Workload;
use ceasefire::{AgreementState, Record, replay};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

mod support;
use support::size;

fn bench_replay(c: &mut Criterion) {
    let n = size(1_000_000, 2_000);
    let records = Workload::new(1)
        .generate(n)
        .expect("the workload generates");
    let mut group = c.benchmark_group("replay");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(format!("full/{n}"), |b| {
        b.iter(|| replay(black_box(&records)).expect("valid"))
    });
    group.finish();
}

/// Applies one event at a time to a state warm with `n` records: each iteration applies the
/// next generated record (at most `PER_CALL` per measurement, extrapolated), so no state is
/// cloned per iteration; when the generated tail runs out, the state starts again from a
/// copy taken once (outside the timing).
fn bench_apply_after(c: &mut Criterion) {
    const TAIL: usize = 20_000;
    const PER_CALL: u64 = 50;
    let mut group = c.benchmark_group("apply");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(1));
    for (name, n) in [("10k", 10_000), ("1m", size(1_000_000, 2_000))] {
        let records = Workload::new(1)
            .generate(n + TAIL)
            .expect("the workload generates");
        let (log, tail): (&[Record], &[Record]) = records.split_at(n);
        let base: AgreementState = replay(log).expect("valid");
        let mut state = base.clone();
        let mut next = 0;
        group.bench_function(format!("one_after/{name}"), |b| {
            b.iter_custom(|iters| {
                let k = iters.min(PER_CALL);
                let mut total = Duration::ZERO;
                for _ in 0..k {
                    if next == tail.len() {
                        state = base.clone();
                        next = 0;
                    }
                    let started = Instant::now();
                    state.apply(&tail[next]).expect("valid");
                    total += started.elapsed();
                    next += 1;
                }
                total.mul_f64(iters as f64 / k.max(1) as f64)
            })
        });
    }
    group.finish();
}

fn bench_snapshot(c: &mut Criterion) {
    let n = size(100_000, 2_000);
    let records = Workload::new(1)
        .generate(n)
        .expect("the workload generates");
    let state = replay(&records).expect("valid");
    let snapshot = serde_json::to_vec(&state).expect("serializes");
    let mut group = c.benchmark_group("snapshot");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(snapshot.len() as u64));
    group.bench_function(format!("write/{n}"), |b| {
        b.iter(|| serde_json::to_vec(black_box(&state)).expect("serializes"))
    });
    group.bench_function(format!("restore/{n}"), |b| {
        b.iter(|| serde_json::from_slice::<AgreementState>(black_box(&snapshot)).expect("restores"))
    });
    group.finish();
}

criterion_group!(benches, bench_replay, bench_apply_after, bench_snapshot);
criterion_main!(benches);
