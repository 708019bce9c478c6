//! One task reads a flooded socket; a timer elsewhere still fires on time.
//!
//! A thread keeps a Unix socket full of bytes, and a task reads it 64 bytes
//! at a time: every read completes at once, so without help the task would
//! never return `Pending`. Meanwhile another task asks for five 10 ms
//! sleeps in a row and prints how late each one woke.
//!
//! ```text
//! cargo run --release -p spindle --example flood              # with the budget
//! cargo run --release -p spindle --example flood -- --no-budget
//! ```
//!
//! With the budget (the default, 128 operations per poll) the reader
//! yields every 128 reads, the loop turns the reactor and the timer task
//! runs: each sleep ends within about a millisecond of its deadline. With
//! `--no-budget` the reader runs inside `spindle::task::unconstrained`, the
//! opt-out, and holds the thread for as long as it reads: the sleeps end
//! only when it stops (after a fixed number of reads), hundreds of
//! milliseconds late. Run it with `SPINDLE_EXPLAIN=1` (and a small read
//! count) to watch `task 1 spent its budget (128) -> yield` lines.

use std::io::Write;
use std::time::{Duration, Instant};

use spindle::io::AsyncReadExt;
use spindle::net::UnixStream;

/// Reads the flooded socket does at most, so the example always ends.
const READS: u64 = 2_000_000;

fn main() -> std::io::Result<()> {
    let no_budget = std::env::args().any(|a| a == "--no-budget");
    let (reader, mut writer) = std::os::unix::net::UnixStream::pair()?;
    // The flood: stops when the reader is gone (EPIPE).
    std::thread::spawn(move || {
        let chunk = vec![b'f'; 64 * 1024];
        while writer.write_all(&chunk).is_ok() {}
    });
    let rt = spindle::Runtime::new()?;
    rt.block_on(async move {
        let mut reader = UnixStream::from_std(reader)?;
        let flood = async move {
            let mut buf = [0u8; 64];
            let mut reads = 0u64;
            while reads < READS {
                reader.read_exact(&mut buf).await?;
                reads += 1;
            }
            Ok::<u64, std::io::Error>(reads)
        };
        let flood = if no_budget {
            spindle::spawn(async move { spindle::task::unconstrained(flood).await })
        } else {
            spindle::spawn(flood)
        };
        let timer = spindle::spawn(async {
            let mut late = Vec::new();
            for _ in 0..5 {
                let deadline = Instant::now() + Duration::from_millis(10);
                spindle::time::sleep_until(deadline).await;
                late.push(deadline.elapsed());
            }
            late
        });
        for (i, late) in timer.await.unwrap().iter().enumerate() {
            println!(
                "sleep {}: woke {:.1} ms after its deadline",
                i + 1,
                ms(*late)
            );
        }
        flood.abort();
        let _ = flood.await;
        Ok::<(), std::io::Error>(())
    })?;
    let m = rt.metrics();
    println!(
        "{} mode: {} budget yields, {} reactor turns",
        if no_budget { "--no-budget" } else { "budget" },
        m.budget_yields,
        m.reactor_turns
    );
    Ok(())
}

/// A duration in milliseconds.
fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
