//! What the explain trace costs when it is off: a hot-path micro-benchmark.
//!
//! Runs two loops that go through every explain hook (spawn, poll, park a
//! waker in a reactor slot, block in the reactor, dispatch events) with the
//! trace off, and prints the best of five runs (by default):
//!
//! - `spawn+join`: 1,000,000 times `spawn(async { 1 }).await`;
//! - `tcp ping-pong`: 100,000 one-byte round trips over loopback TCP.
//!
//! To see the cost of the hooks, run it here and on a checkout without them
//! (the commit before the trace was added), both in release mode:
//!
//! ```text
//! cargo run --release -p spindle --example explain_cost
//! ```
//!
//! Wall-clock time on a shared machine is noisy. For a figure that other
//! processes cannot disturb, count instructions instead, with smaller loops
//! (`[SPAWNS] [ROUND_TRIPS] [RUNS]` on the command line):
//!
//! ```text
//! valgrind --tool=cachegrind --cache-sim=no \
//!     target/release/examples/explain_cost 200000 20000 1
//! ```

use std::time::{Duration, Instant};

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};

/// Runs `f` `runs` times and returns the fastest run.
fn best_of(runs: u32, mut f: impl FnMut() -> Duration) -> Duration {
    (0..runs.max(1)).map(|_| f()).min().unwrap_or_default()
}

/// The `n`th command-line argument as a number, or `default`.
fn arg(n: usize, default: u32) -> u32 {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn main() -> std::io::Result<()> {
    let spawns = arg(1, 1_000_000);
    let round_trips = arg(2, 100_000);
    let runs = arg(3, 5);
    let rt = spindle::Runtime::builder().explain(false).build()?;

    let spawn = best_of(runs, || {
        rt.block_on(async {
            let start = Instant::now();
            for _ in 0..spawns {
                spindle::spawn(async { 1 }).await.unwrap();
            }
            start.elapsed()
        })
    });
    println!(
        "spawn+join     {:>8.1} ns/op  ({spawns} ops, best of {runs})",
        spawn.as_nanos() as f64 / f64::from(spawns)
    );

    let ping = best_of(runs, || {
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            client.set_nodelay(true).unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            server.set_nodelay(true).unwrap();
            let echo = spindle::spawn(async move {
                let mut byte = [0; 1];
                while server.read(&mut byte).await.unwrap() == 1 {
                    server.write_all(&byte).await.unwrap();
                }
            });
            let start = Instant::now();
            let mut byte = [7; 1];
            for _ in 0..round_trips {
                client.write_all(&byte).await.unwrap();
                client.read_exact(&mut byte).await.unwrap();
            }
            let elapsed = start.elapsed();
            drop(client);
            echo.await.unwrap();
            elapsed
        })
    });
    println!(
        "tcp ping-pong  {:>8.2} us/rt  ({round_trips} round trips, best of {runs})",
        ping.as_nanos() as f64 / 1000.0 / f64::from(round_trips)
    );
    Ok(())
}
