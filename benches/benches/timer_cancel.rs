//! Timer arm and cancel: the cost of a timeout that never fires.
//!
//! Most timers in a server are timeouts that are cancelled because the
//! operation finished first. Each iteration creates 10,000 one-second
//! sleeps; each is polled once (so it is registered in the runtime's timer
//! store and holds a waker) and then dropped (so it must be removed). This
//! is the cost that spindle's binary heap, tokio's timing wheel and
//! async-io's `BTreeMap` of timers (fed through a lock-free queue) pay per
//! timeout. Compared on spindle, tokio current_thread and async-executor's
//! `LocalExecutor` with async-io's `Timer`.

mod support;

use std::pin::pin;
use std::time::Duration;

use criterion::{Criterion, Throughput};

/// Timers armed and cancelled per iteration.
const TIMERS: u64 = 10_000;

/// How far away each timer is: far enough that none ever fires.
const AWAY: Duration = Duration::from_secs(1);

/// The three runtimes side by side.
fn timer_cancel(c: &mut Criterion) {
    let mut group = c.benchmark_group("timer_arm_cancel_10000");
    group.throughput(Throughput::Elements(TIMERS));

    let rt = support::spindle();
    group.bench_function("spindle", |b| {
        b.iter(|| {
            rt.block_on(async {
                for _ in 0..TIMERS {
                    let mut sleep = pin!(spindle::time::sleep(AWAY));
                    assert!(futures::poll!(sleep.as_mut()).is_pending());
                }
            })
        })
    });

    let rt = support::tokio();
    group.bench_function("tokio", |b| {
        b.iter(|| {
            rt.block_on(async {
                for _ in 0..TIMERS {
                    let mut sleep = pin!(tokio::time::sleep(AWAY));
                    assert!(futures::poll!(sleep.as_mut()).is_pending());
                }
            })
        })
    });

    let ex = async_executor::LocalExecutor::new();
    group.bench_function("async-executor", |b| {
        b.iter(|| {
            async_io::block_on(ex.run(async {
                for _ in 0..TIMERS {
                    let mut timer = async_io::Timer::after(AWAY);
                    assert!(futures::poll!(&mut timer).is_pending());
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
    timer_cancel(&mut criterion);
    criterion.final_summary();
}
