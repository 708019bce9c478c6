//! Ping-pong between two tasks: the cost of a same-thread wake.
//!
//! Each iteration spawns a task that answers every message it gets on one
//! `futures::channel::mpsc` channel (capacity 1) on another, then sends it
//! 1,000 messages, waiting for each answer. Every message is two wakes of a
//! task parked on a channel and two polls. The channel is the same code on
//! all three runtimes, so the difference is the wake → schedule → poll path.
//! Compared on spindle, tokio current_thread and async-executor's
//! `LocalExecutor`.

mod support;

use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};

use criterion::{Criterion, Throughput};

/// Round trips per iteration.
const ROUND_TRIPS: u64 = 1_000;

/// The pinging side, and the ponging task's body: the same on every runtime.
mod game {
    use super::*;

    /// Answers every ping until the channel closes.
    pub(crate) async fn pong(mut pings: mpsc::Receiver<u64>, mut pongs: mpsc::Sender<u64>) {
        while let Some(n) = pings.next().await {
            if pongs.send(n).await.is_err() {
                return;
            }
        }
    }

    /// Sends `ROUND_TRIPS` pings, awaiting each pong.
    pub(crate) async fn ping(mut pings: mpsc::Sender<u64>, mut pongs: mpsc::Receiver<u64>) {
        for n in 0..ROUND_TRIPS {
            pings.send(n).await.expect("ponger alive");
            assert_eq!(pongs.next().await, Some(n));
        }
    }

    /// The two channels: (ping sender, ping receiver, pong sender, pong receiver).
    pub(crate) fn channels() -> (
        mpsc::Sender<u64>,
        mpsc::Receiver<u64>,
        mpsc::Sender<u64>,
        mpsc::Receiver<u64>,
    ) {
        let (ping_tx, ping_rx) = mpsc::channel(1);
        let (pong_tx, pong_rx) = mpsc::channel(1);
        (ping_tx, ping_rx, pong_tx, pong_rx)
    }
}

/// The three runtimes side by side.
fn ping_pong(c: &mut Criterion) {
    let mut group = c.benchmark_group("ping_pong_1000");
    group.throughput(Throughput::Elements(ROUND_TRIPS));

    let rt = support::spindle();
    group.bench_function("spindle", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (ping_tx, ping_rx, pong_tx, pong_rx) = game::channels();
                let ponger = spindle::spawn(game::pong(ping_rx, pong_tx));
                game::ping(ping_tx, pong_rx).await;
                ponger.await.expect("ponger finished");
            })
        })
    });

    let rt = support::tokio();
    group.bench_function("tokio", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (ping_tx, ping_rx, pong_tx, pong_rx) = game::channels();
                let ponger = tokio::spawn(game::pong(ping_rx, pong_tx));
                game::ping(ping_tx, pong_rx).await;
                ponger.await.expect("ponger finished");
            })
        })
    });

    let ex = async_executor::LocalExecutor::new();
    group.bench_function("async-executor", |b| {
        b.iter(|| {
            async_io::block_on(ex.run(async {
                let (ping_tx, ping_rx, pong_tx, pong_rx) = game::channels();
                let ponger = ex.spawn(game::pong(ping_rx, pong_tx));
                game::ping(ping_tx, pong_rx).await;
                ponger.await;
            }))
        })
    });
    group.finish();
}

/// Runs this file's benchmarks (what `criterion_group!` and
/// `criterion_main!` would generate, written out so it can be documented).
fn main() {
    let mut criterion = support::criterion();
    ping_pong(&mut criterion);
    criterion.final_summary();
}
