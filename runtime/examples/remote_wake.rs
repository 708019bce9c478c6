//! A wake from another thread, narrated: the eventfd path.
//!
//! Run it with `cargo run -p spindle --example remote_wake`. A task waits
//! on a `futures` oneshot channel; a plain OS thread sleeps 20 ms and sends.
//! The runtime has no socket and no timer, so it blocks in `epoll_wait`
//! with no timeout, and only the thread can end that wait. The trace
//! (level 2) shows each step of the remote path of `task/waker.rs` and
//! `task/remote.rs`:
//!
//! ```text
//! spindle::explain: poll task 1 -> Pending
//! spindle::explain: block in poll: no timeout (no socket, no timer: only a wake from another thread, through the mio::Waker, or a signal can end it)
//! spindle::explain: poll returned 1 event after 20ms
//! spindle::explain: event waker: wake from another thread
//! spindle::explain: remote wake -> task 1
//! spindle::explain: turn 2: 1 runnable
//! spindle::explain: task 1 wakes block_on
//! spindle::explain: poll task 1 -> Ready
//! ```
//!
//! (`poll task 1 -> Pending` has no `waits:` line before it: the channel,
//! not the runtime, keeps the task's waker.)
//!
//! The sending thread's `wake()` found the task's header on another
//! thread, so it pushed the task onto the runtime's remote queue and fired
//! the `mio::Waker` (on Linux, a write to an eventfd that epoll watches
//! under the runtime's own token): `event waker` is that write arriving;
//! `remote wake` is the loop draining the queue onto its run queue.
//! Then the metrics count the wake as remote.

use std::io;
use std::time::Duration;

fn main() -> io::Result<()> {
    let rt = spindle::Runtime::builder().explain_level(2).build()?;
    let value = rt.block_on(async {
        let (tx, rx) = futures::channel::oneshot::channel();
        let waiter = spindle::spawn(rx); // a task that waits for the channel
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            // This thread is not the runtime's: the wake takes the remote path.
            let _ = tx.send(42);
        });
        waiter.await
    });
    let value = value
        .map_err(io::Error::from)?
        .map_err(|_| io::Error::other("the sender was dropped"))?;
    let metrics = rt.metrics();
    println!(
        "received {value}; wakes: {} remote, {} local",
        metrics.wakes_remote, metrics.wakes_local
    );
    Ok(())
}
