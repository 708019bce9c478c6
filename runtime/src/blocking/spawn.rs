//! `spawn_blocking`: run a blocking closure on the pool, await its result.
//!
//! ```text
//!   loop thread                                pool thread
//!   ───────────                                ───────────
//!   unblock(f): oneshot (tx, rx)
//!               RuntimeJobs::submit(job) ───►  job: r = catch_unwind(f)
//!   rx.await ── Pending (waker kept in rx)          tx.send(r) ── wakes rx's waker:
//!      ⋮  (the loop runs other tasks,                 remote queue + mio::Waker
//!      ⋮   or sleeps in epoll_wait)      ◄──────────┘
//!   rx.await ── Ready(r): Ok(v) → v; Err(payload) → resume_unwind(payload)
//! ```
//!
//! The result comes back through a `futures::channel::oneshot`: sending on
//! it from the pool thread wakes the awaiting task's waker, and a spindle
//! waker fired from another thread takes the remote path (`task/remote.rs`),
//! which interrupts a loop blocked in the reactor. The loop itself never
//! blocks and never polls the pool.
//!
//! [`spawn_blocking`] wraps that future in a spawned task, so it returns an
//! ordinary [`JoinHandle`]: a panic in the closure is caught on the pool
//! thread, carried back as the payload, and re-raised inside the task with
//! `resume_unwind` (which does not run the panic hook a second time), so
//! the handle yields a panicked `JoinError` with the closure's own payload.
//! A job the pool refused (the OS would not start a thread, `pool.rs`)
//! ends the task the same way, with the `io::Error`'s message as payload.
//!
//! # Races this file prevents
//!
//! - **A result sent before the task waits.** The oneshot keeps the value
//!   until it is received; a `send` that happens before the first poll of
//!   `rx` finds no waker and simply stores it, and that first poll returns
//!   `Ready` at once.
//! - **A result for a runtime that is gone.** Dropping the runtime drops
//!   the task and with it `rx`; `tx.send` then fails and the value is
//!   dropped on the pool thread (it is `Send`, so that is allowed).

use std::future::Future;
use std::io;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use futures::channel::oneshot;

use std::panic::Location;
use std::sync::Arc;

use crate::executor::context;
use crate::task::{self, join_handle, JoinHandle, JoinState};

/// Runs a blocking closure on the blocking pool and returns a handle to
/// await its result.
///
/// Use it for work that would hold the loop's thread: a CPU-heavy
/// computation, a synchronous library call, a blocking read. While `f`
/// runs on a pool thread, the runtime keeps running its other tasks,
/// sockets and timers. The pool is shared by all runtimes of the process;
/// a runtime runs at most
/// [`Builder::max_blocking_threads`](crate::Builder::max_blocking_threads)
/// of its jobs at once, and queues the rest.
///
/// The job starts at once, whether or not the handle is awaited. Dropping
/// the handle (or the runtime) does not stop a running closure: a thread
/// cannot be interrupted; the result is then dropped.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let sum = spindle::spawn_blocking(|| (1..=100u64).sum::<u64>()).await.unwrap();
///     assert_eq!(sum, 5050);
/// });
/// ```
///
/// A panic in the closure is the handle's error:
///
/// ```
/// spindle::block_on(async {
///     let err = spindle::spawn_blocking(|| panic!("disk on fire")).await.unwrap_err();
///     assert_eq!(*err.into_panic().unwrap().downcast::<&str>().unwrap(), "disk on fire");
/// });
/// ```
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
///
/// # Errors
///
/// If the OS refuses to start a pool thread while none is alive (see
/// `pool.rs`), the closure never runs and the handle yields a `JoinError`
/// whose message is the `io::Error`: `task 3 panicked with message
/// "spindle::spawn_blocking: could not start a blocking thread: Resource
/// temporarily unavailable (os error 11)"`. The task ends by unwinding
/// (`resume_unwind`) without running the panic hook: nothing is printed,
/// and a hook that counts or aborts on panics is not triggered, since no
/// code is at fault. While another pool thread is alive the job is queued
/// for it instead, and runs later.
///
/// # Notes
///
/// The re-raised panic (and the unwinding of a refused thread) is a task
/// panic like any other, so under
/// [`PanicPolicy::FailFast`](crate::PanicPolicy::FailFast) it propagates out
/// of `block_on`.
#[track_caller]
pub fn spawn_blocking<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    // The task's id is taken first, so the closure runs with it current
    // on the pool thread (`task::id()` there names the blocking task, as
    // under tokio).
    let core = context::expect_core("spindle::spawn_blocking");
    let id = core.shared.next_task_id();
    let result = unblock("spindle::spawn_blocking", move || {
        let _current = task::id::enter(id);
        f()
    });
    let task = async move {
        match result.await {
            Ok(value) => value,
            // Not `panic!`: no code is at fault, so the panic hook (which
            // prints "thread panicked at" and may count or abort) is
            // skipped; the handle still yields the message.
            Err(err) => resume_unwind(Box::new(err.to_string())),
        }
    };
    let join = core.spawn_task(id, task, Arc::new(JoinState::new(id)), Location::caller());
    join_handle(join)
}

/// Submits `f` to the current runtime's share of the pool now and returns
/// a future of its result; the building block of `spawn_blocking`, the
/// file system and DNS. A panic in `f` resumes in whoever awaits.
///
/// # Errors
///
/// The future yields an error, naming `what`, only if the pool could not
/// start a thread (see `Pool::submit`).
///
/// # Panics
///
/// Panics outside a spindle runtime; `what` names the public call.
#[track_caller]
pub(crate) fn unblock<F, T>(what: &str, f: F) -> impl Future<Output = io::Result<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let jobs = context::expect_core(what).blocking.clone();
    let (tx, rx) = oneshot::channel();
    let submitted = jobs
        .submit(Box::new(move || {
            let result = catch_unwind(AssertUnwindSafe(f));
            // The receiver is gone when the awaiting task or its runtime was
            // dropped; the result is not wanted then.
            let _ = tx.send(result);
        }))
        .map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("{what}: could not start a blocking thread: {err}"),
            )
        });
    async move {
        submitted?;
        match rx.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(payload)) => resume_unwind(payload),
            Err(oneshot::Canceled) => Err(io::Error::other(
                "the blocking job was dropped before it ran",
            )),
        }
    }
}
