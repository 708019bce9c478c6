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
//! (`Shared` in `task/waker.rs`), so a wake is counted on its task's runtime
//! wherever it came from.
//!
//! The blocking pool is shared by every runtime of the process, so its four
//! figures (`blocking_threads`, `blocking_threads_idle`,
//! `blocking_jobs_queued`, `blocking_jobs_run`) are process-wide: two
//! runtimes report the same values. Only `blocking_jobs` counts this
//! runtime's own jobs.

use std::cell::Cell;

/// A snapshot of a runtime's counters, returned by
/// [`Runtime::metrics`](crate::Runtime::metrics).
///
/// All fields are running totals since the runtime was built, except
/// `tasks_alive`, which is the number of spawned tasks that have not
/// finished, and the `blocking_*` figures of the process-wide pool (see
/// each field).
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
    /// task is polled once for the whole batch; from this thread or any
    /// other, counted on the task's own runtime.
    pub wakes_deduplicated: u64,
    /// Calls to `mio::Poll::poll`, blocking or not.
    pub reactor_turns: u64,
    /// Reactor turns that were allowed to block (no task was runnable).
    pub reactor_blocked_turns: u64,
    /// Readiness events returned by `mio::Poll::poll` for sockets.
    pub events: u64,
    /// Timers that reached their deadline and woke their task.
    pub timers_fired: u64,
    /// Times a task spent its budget (see [`Builder::budget`]) and was made
    /// to yield: each is one poll that would otherwise have gone on.
    ///
    /// [`Builder::budget`]: crate::Builder::budget
    pub budget_yields: u64,
    /// Polls that held the thread longer than the stall threshold (see
    /// [`Builder::stall_threshold`]); 0 while the detector is off.
    ///
    /// [`Builder::stall_threshold`]: crate::Builder::stall_threshold
    pub stalls: u64,
    /// Sockets registered with the reactor now (a gauge, like
    /// `tasks_alive`): a socket dropped on another thread still counts
    /// until the loop frees its slot at its next turn.
    pub registrations: u64,
    /// Jobs this runtime handed to the blocking pool (`spawn_blocking`,
    /// `spindle::fs`, DNS lookups).
    pub blocking_jobs: u64,
    /// Blocking pool threads alive now, **process-wide** (the pool is shared
    /// by all runtimes).
    pub blocking_threads: u64,
    /// Blocking pool threads alive and waiting for work now, process-wide;
    /// an idle thread leaves after 10 s.
    pub blocking_threads_idle: u64,
    /// Blocking jobs waiting for a thread now, process-wide: in the pool's
    /// queue, or in a runtime's queue over its
    /// [`max_blocking_threads`](crate::Builder::max_blocking_threads).
    pub blocking_jobs_queued: u64,
    /// Blocking jobs finished since the process started, process-wide.
    pub blocking_jobs_run: u64,
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
    /// Bumped by the same-thread wake path in `task/waker.rs`.
    pub(crate) wakes_local: Cell<u64>,
    /// Bumped by `Core::turn` for every call into the reactor.
    pub(crate) reactor_turns: Cell<u64>,
    /// Bumped by `Core::turn` when the reactor was allowed to block.
    pub(crate) reactor_blocked_turns: Cell<u64>,
    /// Bumped by the reactor's event dispatch for every socket event.
    pub(crate) events: Cell<u64>,
    /// Bumped by `Core::turn` for every timer that fired.
    pub(crate) timers_fired: Cell<u64>,
    /// Bumped by `Core::budget_spent` when an operation found the budget
    /// spent and made its task yield.
    pub(crate) budget_yields: Cell<u64>,
    /// Bumped by the loop when the stall detector reported a poll.
    pub(crate) stalls: Cell<u64>,
}

impl Counters {
    /// Adds `n` to a counter.
    pub(crate) fn add(counter: &Cell<u64>, n: u64) {
        counter.set(counter.get().wrapping_add(n));
    }

    /// Copies the counters into a public [`Metrics`] value, with the
    /// pool's figures from the process-wide pool. The counters that other
    /// threads bump too (`wakes_remote`, `wakes_deduplicated`) live in the
    /// runtime's shared half, and the runtime's share of the pool in its
    /// `RuntimeJobs`: `Core::metrics` fills those in.
    pub(crate) fn snapshot(&self, registrations: u64) -> Metrics {
        let pool = crate::blocking::global_stats();
        Metrics {
            tasks_spawned: self.tasks_spawned.get(),
            tasks_alive: self.tasks_alive.get(),
            polls: self.polls.get(),
            wakes_local: self.wakes_local.get(),
            wakes_remote: 0,
            wakes_deduplicated: 0,
            reactor_turns: self.reactor_turns.get(),
            reactor_blocked_turns: self.reactor_blocked_turns.get(),
            events: self.events.get(),
            timers_fired: self.timers_fired.get(),
            budget_yields: self.budget_yields.get(),
            stalls: self.stalls.get(),
            registrations,
            blocking_jobs: 0,
            blocking_threads: pool.threads,
            blocking_threads_idle: pool.idle,
            blocking_jobs_queued: pool.queued + crate::blocking::backlogged(),
            blocking_jobs_run: pool.jobs_run,
        }
    }
}
