//! Replay of the pathological agreements of `ceasefire::testing::worst`, at the limits of
//! `Agreement::LIMITS`: the shapes whose per-event cost issues 10 and 15 measured in seconds.
//!
//! Run with `cargo bench --features proptest --bench worst`. Figures are quoted in
//! docs/performance.md ("Worst cases").

use std::hint::black_box;

use ceasefire::replay;
use ceasefire::testing::{Log, worst};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn bench_shape(c: &mut Criterion, name: &str, log: &Log) {
    let records = log.records();
    let state = replay(records).expect("the generated log is valid");
    let mut group = c.benchmark_group("worst");
    group.sample_size(10);
    group.throughput(Throughput::Elements(records.len() as u64));
    println!(
        "{name}: {} records, {} steps of work in all",
        records.len(),
        state.work()
    );
    group.bench_function(name, |b| {
        b.iter(|| replay(black_box(records)).expect("valid"))
    });
    group.finish();
}

fn bench_worst(c: &mut Criterion) {
    // Issue 10: 200 belligerents, 16 chained phases, 64 rules, 20 confirmed allegations.
    bench_shape(c, "phase_chain/3241", &worst::phase_chain(200, 16, 64, 20));
    // Issue 15: 256 parties (254 belligerents), 256 terms waiting on the first, 98
    // acceptances of the first.
    bench_shape(c, "phase_star/99", &worst::phase_star(254, 256, 98));
    // Issue 15: 64 rules counting bare allegations, 40 allegations, 56 back-dated
    // suspensions and resumptions.
    bench_shape(
        c,
        "rules_suspensions/99",
        &worst::rules_suspensions(64, 40, 56),
    );
}

criterion_group!(benches, bench_worst);
criterion_main!(benches);
