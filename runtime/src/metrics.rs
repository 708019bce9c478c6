//! Counters that show what the loop has been doing.
//!
//! Every number here is a plain running total since the runtime was built. A
//! learner can print them after a `block_on` to see how many times tasks were
//! polled, how often the loop slept in the reactor, and how many wakes came
//! from other threads; an operator can export them.
//!
//! The counters live in [`Counters`], owned by the runtime's core and bumped
//! with plain (non-atomic) `Cell`s, because only the runtime's thread touches
//! them. The two exceptions are bumped by wakers, which may run on any
//! thread: the count of wakes from other threads and the count of
//! de-duplicated wakes live in the shared half of the runtime as atomics
//! (`Shared` in `waker.rs`), so a wake is counted on its task's runtime
//! wherever it came from.

use std::cell::Cell;
use std::sync::atomic::Ordering;

use crate::waker::Shared;

/// A snapshot of a runtime's counters, returned by
/// [`Runtime::metrics`](crate::Runtime::metrics).
///
/// All fields are running totals since the runtime was built, except
/// `tasks_alive`, which is the number of spawned tasks that have not finished.
///
/// # Examples
///
/// ```
/// let rt = spindle::Runtime::new()?;
/// rt.block_on(async {
///     spindle::spawn(async {}).await.unwrap();
/// });
/// let m = rt.metrics();
/// assert_eq!(m.tasks_spawned, 1);
/// assert_eq!(m.tasks_alive, 0);
/// assert!(m.polls >= 2); // the task, and the `block_on` future
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// Tasks created with `spawn` since the runtime was built.
    pub tasks_spawned: u64,
    /// Spawned tasks that have not yet completed, been aborted or panicked.
    pub tasks_alive: u64,
    /// Calls to `Future::poll`, on spawned tasks and on `block_on` futures.
    pub polls: u64,
    /// Wakes delivered on the runtime's own thread, straight to the run queue.
    pub wakes_local: u64,
    /// Wakes delivered from other threads, through the remote queue and the
    /// `mio::Waker`.
    pub wakes_remote: u64,
    /// Wakes that found their task already scheduled and were dropped, so the
    /// task is polled once for the whole batch. Every duplicate counts, from
    /// this thread or any other, and always on the task's own runtime.
    pub wakes_deduplicated: u64,
    /// Calls to `mio::Poll::poll`, blocking or not.
    pub reactor_turns: u64,
    /// Reactor turns that were allowed to block (no task was runnable).
    pub reactor_blocked_turns: u64,
    /// Readiness events returned by `mio::Poll::poll` for sockets.
    pub events: u64,
    /// Timers that reached their deadline and woke their task.
    pub timers_fired: u64,
}

/// The live counters behind [`Metrics`], owned by the runtime's core.
///
/// Each field is bumped by the part of the loop named in its doc and read
/// only by [`Counters::snapshot`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// Bumped by `Core::spawn`.
    pub(crate) tasks_spawned: Cell<u64>,
    /// Bumped by `Core::spawn`, lowered when a task leaves the task slab.
    pub(crate) tasks_alive: Cell<u64>,
    /// Bumped by the loop before every `poll` of a task or `block_on` future.
    pub(crate) polls: Cell<u64>,
    /// Bumped by the same-thread wake path in `waker.rs`.
    pub(crate) wakes_local: Cell<u64>,
    /// Bumped by `Core::turn` for every call into the reactor.
    pub(crate) reactor_turns: Cell<u64>,
    /// Bumped by `Core::turn` when the reactor was allowed to block.
    pub(crate) reactor_blocked_turns: Cell<u64>,
    /// Bumped by the reactor's event dispatch for every socket event.
    pub(crate) events: Cell<u64>,
    /// Bumped by `Core::turn` for every timer that fired.
    pub(crate) timers_fired: Cell<u64>,
}

impl Counters {
    /// Adds `n` to a counter.
    pub(crate) fn add(counter: &Cell<u64>, n: u64) {
        counter.set(counter.get().wrapping_add(n));
    }

    /// Copies the counters into a public [`Metrics`] value.
    pub(crate) fn snapshot(&self, shared: &Shared) -> Metrics {
        Metrics {
            tasks_spawned: self.tasks_spawned.get(),
            tasks_alive: self.tasks_alive.get(),
            polls: self.polls.get(),
            wakes_local: self.wakes_local.get(),
            wakes_remote: shared.wakes_remote.load(Ordering::Relaxed),
            wakes_deduplicated: shared.wakes_deduplicated.load(Ordering::Relaxed),
            reactor_turns: self.reactor_turns.get(),
            reactor_blocked_turns: self.reactor_blocked_turns.get(),
            events: self.events.get(),
            timers_fired: self.timers_fired.get(),
        }
    }
}
