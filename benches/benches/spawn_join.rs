//! Spawn and join: the cost of creating a task, scheduling it once, and
//! collecting its output.
//!
//! Each iteration spawns 1,000 tasks that return a number at once, then
//! awaits every `JoinHandle` in order. This is the executor's bookkeeping
//! with nothing else in the way: allocating the task, putting it on the run
//! queue, polling it, storing its output and waking the joiner. Compared on
//! spindle, tokio current_thread and async-executor's `LocalExecutor`.

mod support;

use std::hint::black_box;

use criterion::{Criterion, Throughput};

/// Tasks spawned per iteration.
const TASKS: u64 = 1_000;

/// The three runtimes side by side.
fn spawn_join(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn_join_1000");
    group.throughput(Throughput::Elements(TASKS));

    let rt = support::spindle();
    group.bench_function("spindle", |b| {
        b.iter(|| {
            rt.block_on(async {
                let handles: Vec<_> = (0..TASKS)
                    .map(|i| spindle::spawn(async move { black_box(i) }))
                    .collect();
                for handle in handles {
                    black_box(handle.await.expect("task finished"));
                }
            })
        })
    });

    let rt = support::tokio();
    group.bench_function("tokio", |b| {
        b.iter(|| {
            rt.block_on(async {
                let handles: Vec<_> = (0..TASKS)
                    .map(|i| tokio::spawn(async move { black_box(i) }))
                    .collect();
                for handle in handles {
                    black_box(handle.await.expect("task finished"));
                }
            })
        })
    });

    let ex = async_executor::LocalExecutor::new();
    group.bench_function("async-executor", |b| {
        b.iter(|| {
            async_io::block_on(ex.run(async {
                let handles: Vec<_> = (0..TASKS)
                    .map(|i| ex.spawn(async move { black_box(i) }))
                    .collect();
                for handle in handles {
                    black_box(handle.await);
                }
            }))
        })
    });
    group.finish();
}

/// Runs this file's benchmarks (what `criterion_group!` and
/// `criterion_main!` would generate, written out so it can be documented).
fn main() {
    let mut criterion = support::criterion();
    spawn_join(&mut criterion);
    criterion.final_summary();
}
