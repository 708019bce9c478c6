//! What the explain trace costs when it is off: a hot-path micro-benchmark.
//!
//! Runs two loops that go through every explain hook (spawn, poll, park a
//! waker in a reactor slot, block in the reactor, dispatch events) with the
//! trace off, and prints the best of five runs:
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

use std::time::{Duration, Instant};

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};

/// Runs `f` five times and returns the fastest run.
fn best_of_five(mut f: impl FnMut() -> Duration) -> Duration {
    (0..5).map(|_| f()).min().unwrap_or_default()
}

fn main() -> std::io::Result<()> {
    const SPAWNS: u32 = 1_000_000;
    const ROUND_TRIPS: u32 = 100_000;
    let rt = spindle::Runtime::builder().explain(false).build()?;

    let spawn = best_of_five(|| {
        rt.block_on(async {
            let start = Instant::now();
            for _ in 0..SPAWNS {
                spindle::spawn(async { 1 }).await.unwrap();
            }
            start.elapsed()
        })
    });
    println!(
        "spawn+join     {:>8.1} ns/op  ({SPAWNS} ops, best of 5)",
        spawn.as_nanos() as f64 / f64::from(SPAWNS)
    );

    let ping = best_of_five(|| {
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
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
            for _ in 0..ROUND_TRIPS {
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
        "tcp ping-pong  {:>8.2} us/rt  ({ROUND_TRIPS} round trips, best of 5)",
        ping.as_nanos() as f64 / 1000.0 / f64::from(ROUND_TRIPS)
    );
    Ok(())
}
