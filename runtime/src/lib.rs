//! spindle: a small, fast, single-threaded async runtime on mio that you can
//! read end to end.
//!
//! It runs `async fn`s and the futures they spawn on one thread, puts that
//! thread to sleep in `epoll_wait` (Linux) or `kevent` (macOS, BSD) when
//! nothing is ready, and wakes exactly the tasks whose sockets or timers
//! became ready.
//!
//! ```
//! use std::time::Duration;
//!
//! spindle::block_on(async {
//!     let task = spindle::spawn(async {
//!         spindle::time::sleep(Duration::from_millis(10)).await;
//!         "slept"
//!     });
//!     assert_eq!(task.await.unwrap(), "slept");
//! });
//! ```
//!
//! # One turn of the loop
//!
//! ```text
//!             spawn(fut) ──► run queue ◄──────────── wake (same thread: push TaskRef)
//!                               │        ◄── remote wake queue + mio::Waker (other thread)
//!                               ▼
//!                       poll task ── Ready ──► store output in JoinHandle, free slot
//!                               │
//!                            Pending: the future left its Waker in a reactor
//!                               │     slot (socket readiness) or a timer entry
//!                               ▼
//!       run queue empty? ── yes ──► mio::Poll::poll(timeout = next timer deadline or none)
//!                               │        (blocks: 0% CPU while idle)
//!                               ▼
//!       events: token ──► reactor slot ──► set readiness bits, wake reader / writer wakers
//!       timers: due entries ──► wake
//! ```
//!
//! After 61 task polls in a row the loop turns the reactor with a zero
//! timeout, so busy tasks cannot starve sockets and timers.
//!
//! # Glossary
//!
//! - **task**: a spawned future, stored in the runtime's task slab until it
//!   completes. [`spawn`] creates one; a [`JoinHandle`] awaits its output.
//! - **waker**: the handle a future keeps to say "poll me again". In spindle
//!   it names a task by slab index and id; waking it pushes the task onto
//!   the run queue (at most once until it is polled).
//! - **run queue**: the tasks that are ready to be polled, in wake order.
//! - **reactor**: the part that owns `mio::Poll`, registers sockets and turns
//!   kernel events into wakes.
//! - **token**: the number a socket is registered with; each event carries
//!   it back, and it leads to the socket's slot in the reactor.
//! - **readiness**: what the kernel said a socket can do without blocking
//!   (read, write, closed, error), kept until an operation proves otherwise.
//! - **timer**: a deadline with a waker, kept in the timer store; the loop
//!   never sleeps past the earliest one.
//!
//! # Reading order
//!
//! 1. `executor.rs`: [`Runtime`], [`Builder`], the loop.
//! 2. `task.rs`: [`spawn`], [`JoinHandle`], [`JoinError`], a task's lifecycle.
//! 3. `waker.rs` and `remote.rs`: how a wake reaches the run queue, from this
//!    thread or another.
//! 4. `context.rs`: how [`spawn`] finds the running runtime.
//! 5. `reactor.rs`: `mio::Poll`, tokens, readiness, event dispatch.
//! 6. `registration.rs`: the helper every socket operation goes through.
//! 7. `time/`: [`time::sleep`], [`time::timeout`], [`time::interval`] and the timer store.
//! 8. `net/`: [`net::TcpListener`], [`net::TcpStream`].
//! 9. `signal.rs`: [`signal::ctrl_c`] and [`signal::signal`], through the reactor.
//! 10. `yield_now.rs`, `metrics.rs`, `io.rs`: the small pieces.
//!
//! # Dependencies, and why each is here
//!
//! - `mio`: the portable epoll/kqueue layer; spindle is a loop on top of it.
//! - `socket2`: socket options mio does not expose (listen backlog,
//!   `SO_REUSEADDR`, `SO_LINGER`).
//! - `futures`: the `AsyncRead`/`AsyncWrite` traits and their extension
//!   methods, channels and combinators, so spindle interoperates instead of
//!   inventing its own.
//! - `slab`: the task slab, the reactor's registrations and the timer slots:
//!   vectors with free lists, keyed by index.
//! - `pin-project-lite`: safe pin projection for [`time::Timeout`].
//! - `signal-hook`, `signal-hook-mio`: the async-signal-safe handler and
//!   self-pipe that turn Unix signals into reactor events.
//!
//! # Where spindle is simpler than tokio
//!
//! spindle has one thread per runtime and no work stealing; a task's future
//! is boxed separately from its header (tokio puts both in one allocation
//! with unsafe code); timers live in a binary heap rather than a timing
//! wheel; and there is no cooperative budget that forces a task reading a
//! flood of ready data to yield. Each file says where it simplifies.

mod context;
mod executor;
pub mod io;
mod metrics;
pub mod net;
mod reactor;
mod registration;
mod remote;
#[cfg(unix)]
pub mod signal;
mod task;
pub mod time;
mod waker;
mod yield_now;

pub use executor::{block_on, Builder, PanicPolicy, Runtime};
pub use metrics::Metrics;
pub use task::{spawn, JoinError, JoinHandle};
pub use yield_now::yield_now;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
