//! `yield_now` chain: the cost of one trip through the scheduler.
//!
//! Each iteration runs one task that yields 1,000 times in a row. A yield
//! returns `Pending` after waking itself, so each one is a full round: wake,
//! push onto the run queue, pop, poll. spindle and tokio both defer a
//! yielded task until after the next reactor turn (so a yielding loop
//! cannot starve sockets and timers), which adds a non-blocking
//! `epoll_wait` per yield when nothing else is runnable; async-executor
//! re-queues at once. Compared on spindle, tokio current_thread and
//! async-executor's `LocalExecutor`.

mod support;

use criterion::{Criterion, Throughput};

/// Yields per iteration.
const YIELDS: u64 = 1_000;

/// The three runtimes side by side.
fn yield_chain(c: &mut Criterion) {
    let mut group = c.benchmark_group("yield_chain_1000");
    group.throughput(Throughput::Elements(YIELDS));

    let rt = support::spindle();
    group.bench_function("spindle", |b| {
        b.iter(|| {
            rt.block_on(async {
                for _ in 0..YIELDS {
                    spindle::yield_now().await;
                }
            })
        })
    });

    let rt = support::tokio();
    group.bench_function("tokio", |b| {
        b.iter(|| {
            rt.block_on(async {
                for _ in 0..YIELDS {
                    tokio::task::yield_now().await;
                }
            })
        })
    });

    let ex = async_executor::LocalExecutor::new();
    group.bench_function("async-executor", |b| {
        b.iter(|| {
            async_io::block_on(ex.run(async {
                for _ in 0..YIELDS {
                    futures_lite::future::yield_now().await;
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
    yield_chain(&mut criterion);
    criterion.final_summary();
}
