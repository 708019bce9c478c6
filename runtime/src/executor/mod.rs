//! The runtime: the run queue, the task slab, and the loop that drives them.
//!
//! A [`Runtime`] owns a [`Core`]: the run queue of scheduled tasks, the slab
//! that holds every spawned task, the reactor, the timer store and the
//! counters. [`Runtime::block_on`] makes the core current on this thread
//! (see `context.rs`) and runs the loop until the given future completes:
//!
//! 1. Pop up to `event_interval` tasks from the run queue and poll each one.
//!    The `block_on` future itself takes its turn in the same queue.
//! 2. Turn the reactor (every turn, whether or not tasks are runnable):
//!    drain wakes from other threads, then call `mio::Poll::poll`, with a
//!    zero timeout if something is runnable, else with the time until the
//!    next timer (or none), so an idle loop sleeps in the kernel and uses no
//!    CPU; dispatch the events (socket wakes, the signal pipe), then drain
//!    the remote queue again, for the wakes that arrived while the loop
//!    slept (the ones whose `mio::Waker` ended the poll).
//! 3. Advance the timer store and wake the tasks whose timers are due; wake
//!    the tasks that yielded in step 1, now that the reactor had its turn.
//!
//! Step 1 is bounded, so a set of tasks that keep each other busy cannot
//! starve sockets and timers: after 61 polls (tokio's figure, the default of
//! [`Builder::event_interval`]) the reactor gets a turn.
//!
//! Each poll in step 1 is bounded too: it runs with a budget of 128
//! operations (`coop.rs`, [`Builder::budget`]); a task that spends it
//! yields, so one task that always finds data ready cannot hold the
//! thread. When the stall detector is on (`stall.rs`,
//! [`Builder::stall_threshold`]), step 1 times every poll with one clock
//! read and reports the ones that held the thread too long.
//!
//! # Invariants
//!
//! - A task is polled only from step 1, never from inside another poll, and
//!   only if its `TaskRef` still matches the task in its slab slot.
//! - Nothing is borrowed from the core while a task is polled, so tasks may
//!   spawn, wake and drop sockets freely.
//! - Dropping the runtime drops every task's future, without polling it.
//!
//! # Files
//!
//! The loop, in the order a reader meets it:
//!
//! - `runtime.rs`: [`Runtime`] and [`block_on`], the public face;
//!   `builder.rs` and `config.rs`: how one is made.
//! - `turn.rs`: the loop itself, and steps 2 and 3 (the reactor, remote
//!   wakes, timers and yields).
//! - `poll.rs`: step 1, polling what is runnable, the `block_on` future
//!   among it, each poll with its budget and under the stall detector.
//! - `spawn.rs`: the task slab: a task goes in, and comes out when done.
//! - `shutdown.rs`: what dropping a runtime does to its tasks and waiters.
//! - This file: [`Core`], everything one loop owns, and scheduling (the
//!   run queue and the deferred wakers).
//! - Around it: `context.rs` (the thread's current runtime), `handle.rs`
//!   ([`Handle`](crate::Handle)), `coop.rs` (the budget), `stall.rs` (the
//!   stall detector), `metrics.rs` (the counters).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::Waker;
use std::time::Instant;

use slab::Slab;

use crate::blocking::RuntimeJobs;
use crate::explain::{self, Explain};
#[cfg(unix)]
use crate::reactor::signal::SignalDriver;
use crate::reactor::IoDriver;
use crate::task::waker::{Header, Shared};
use crate::task::Task;
use crate::task::TaskRef;
use crate::time::store::TimerStore;

pub(crate) mod builder;
pub(crate) mod config;
pub(crate) mod context;
pub(crate) mod coop;
pub(crate) mod handle;
pub(crate) mod metrics;
mod poll;
mod runtime;
mod shutdown;
mod spawn;
pub(crate) mod stall;
mod turn;

use config::{Config, PanicPolicy};
use metrics::{Counters, Metrics};
pub(crate) use poll::MainTask;
pub use runtime::{block_on, Runtime};
use stall::StallDetector;

/// A slot of the task slab.
struct TaskEntry {
    /// The task's unique id; a `TaskRef` with another id is stale.
    id: u64,
    /// The task, type-erased and pinned in its box; `None` while the loop
    /// has it out for a poll.
    task: Option<Pin<Box<dyn Task>>>,
    /// Where `spawn` was called (`#[track_caller]`), for stall reports.
    spawned_at: &'static Location<'static>,
}

/// Everything one runtime's loop owns. Only ever touched from the runtime's
/// thread; the parts other threads need are in [`Shared`].
pub(crate) struct Core {
    /// The cross-thread half: remote run queue and `mio::Waker`. Wakers hold
    /// it; the same-thread wake path compares it to find its runtime.
    pub(crate) shared: Arc<Shared>,
    /// The host runtime's waker while a hosted loop is idle (feature
    /// `tokio`, `tokio/host.rs`): a task scheduled from tokio's side then
    /// wakes the host. Set when the host goes idle, taken by the first
    /// `schedule` or the host's next poll.
    #[cfg(feature = "tokio")]
    host_waker: std::cell::Cell<Option<Waker>>,
    /// Scheduled tasks, in wake order. Pushed by wakes and spawn; popped by
    /// the loop in step 1.
    run_queue: RefCell<VecDeque<TaskRef>>,
    /// Every live spawned task. Inserted by `spawn`; removed by the loop when
    /// a task finishes, and emptied by `shutdown`.
    tasks: RefCell<Slab<TaskEntry>>,
    /// Wakers of tasks that called `yield_now`; woken after the next reactor
    /// turn so a yielding task cannot starve the reactor.
    deferred: RefCell<Vec<Waker>>,
    /// The reactor; sockets keep a clone.
    pub(crate) io: Rc<IoDriver>,
    /// The timer store; armed `Sleep`s keep a clone.
    pub(crate) timers: Rc<RefCell<TimerStore>>,
    /// The signal self-pipe and listeners, created by the first
    /// `spindle::signal::signal` call; dispatched on `SIGNAL_TOKEN` events.
    #[cfg(unix)]
    signals: RefCell<Option<Rc<SignalDriver>>>,
    /// Counters behind [`Metrics`].
    pub(crate) counters: Counters,
    /// This runtime's share of the blocking pool (`blocking/jobs.rs`):
    /// its limit, backlog and outstanding jobs. Pool runners hold clones.
    pub(crate) blocking: Arc<RuntimeJobs>,
    /// Headers of finished tasks that no waker refers to any more, reused by
    /// `spawn`; at most `Core::HEADER_POOL` of them.
    header_pool: RefCell<Vec<Arc<Header>>>,
    /// Wakers of fired timers and yielded tasks, woken at the end of a
    /// turn; a buffer kept between turns so a turn does not allocate.
    to_wake: RefCell<Vec<Waker>>,
    /// See [`Builder::event_interval`].
    event_interval: u32,
    /// The units each poll starts with; see [`Builder::budget`].
    budget: u32,
    /// The stall detector, when [`Builder::stall_threshold`] (or
    /// `SPINDLE_STALL_MS`) turned it on; read by the loop after each poll.
    stall: Option<StallDetector>,
    /// See [`Builder::panic_policy`].
    panic_policy: PanicPolicy,
    /// The explain trace (see `explain/mod.rs`). Shared with the reactor and
    /// the timer store.
    pub(crate) explain: Rc<Explain>,
    /// A copy of `explain.on`, fixed at build, beside the loop's other
    /// fields: every hook in the loop is one load of this `bool` and one
    /// branch, with no pointer to follow.
    pub(crate) explain_on: bool,
}

impl Core {
    /// Recycled task headers kept at most: a burst of a thousand short tasks
    /// reuses them all; at about 64 bytes each, a full pool holds 64 KiB.
    const HEADER_POOL: usize = 1024;

    /// Creates the core: the selector and its waker, the timer store, an
    /// empty run queue and task slab. Called by [`Builder::build`].
    pub(crate) fn new(config: Config) -> io::Result<Core> {
        let Config {
            max_events,
            event_interval,
            budget,
            stall_threshold,
            panic_policy,
            explain,
        } = config;
        let explain = Rc::new(Explain::new(explain));
        let (io, waker, registry) = IoDriver::new(max_events, explain.clone())?;
        Ok(Core {
            shared: Arc::new(Shared::new(waker, registry, explain.on, explain.detail)),
            #[cfg(feature = "tokio")]
            host_waker: std::cell::Cell::new(None),
            run_queue: RefCell::new(VecDeque::new()),
            tasks: RefCell::new(Slab::new()),
            deferred: RefCell::new(Vec::new()),
            io: Rc::new(io),
            timers: Rc::new(RefCell::new(TimerStore::with_explain(
                Instant::now(),
                explain.clone(),
            ))),
            #[cfg(unix)]
            signals: RefCell::new(None),
            counters: Counters::default(),
            blocking: Arc::new(RuntimeJobs::new()),
            to_wake: RefCell::new(Vec::new()),
            header_pool: RefCell::new(Vec::new()),
            event_interval,
            budget,
            stall: stall_threshold.map(StallDetector::new),
            panic_policy,
            explain_on: explain.on,
            explain,
        })
    }
    /// Puts a task on the local run queue. Its `scheduled` flag is already
    /// set by the caller (a wake, or spawn).
    pub(crate) fn schedule(&self, task: TaskRef) {
        self.run_queue.borrow_mut().push_back(task);
        #[cfg(feature = "tokio")]
        if let Some(host) = self.host_waker.take() {
            host.wake();
        }
    }

    /// Leaves the host's waker with the run queue and the timers: the
    /// hosted loop is going idle (`tokio/host.rs`).
    #[cfg(all(feature = "tokio", unix))]
    pub(crate) fn set_host_waker(&self, waker: &Waker) {
        self.host_waker.set(Some(waker.clone()));
        self.timers.borrow_mut().host_waker = Some(waker.clone());
    }

    /// Forgets the host's waker: the hosted loop is running.
    #[cfg(all(feature = "tokio", unix))]
    pub(crate) fn clear_host_waker(&self) {
        self.host_waker.set(None);
        self.timers.borrow_mut().host_waker = None;
    }

    /// A task's operation found its budget spent (`coop.rs`): count it,
    /// say so in the trace, and defer the task past the reactor turn.
    #[cold]
    pub(crate) fn budget_spent(&self, waker: &Waker) {
        Counters::add(&self.counters.budget_yields, 1);
        if self.explain_on {
            explain::budget_spent(&self.explain, self.budget);
        }
        self.deferred.borrow_mut().push(waker.clone());
    }

    /// Remembers the waker of a task that yielded (see `yield_now`).
    pub(crate) fn defer(&self, waker: &Waker) {
        if self.explain_on {
            explain::yielded(&self.explain);
        }
        self.deferred.borrow_mut().push(waker.clone());
    }
    /// The runtime's signal driver, created on first use.
    #[cfg(unix)]
    pub(crate) fn signal_driver(&self) -> io::Result<Rc<SignalDriver>> {
        let mut slot = self.signals.borrow_mut();
        if let Some(driver) = &*slot {
            return Ok(driver.clone());
        }
        let driver = Rc::new(SignalDriver::new(self.io.registry(), self.explain.clone())?);
        *slot = Some(driver.clone());
        Ok(driver)
    }

    /// Snapshot of the counters.
    fn metrics(&self) -> Metrics {
        let mut metrics = self.counters.snapshot(self.io.registrations() as u64);
        metrics.wakes_remote = self.shared.wakes_remote.load(Ordering::Relaxed);
        metrics.wakes_deduplicated = self.shared.wakes_deduplicated.load(Ordering::Relaxed);
        metrics.blocking_jobs = self.blocking.submitted();
        metrics
    }
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Core")
            .field("tasks", &self.tasks.borrow().len())
            .field("run_queue", &self.run_queue.borrow().len())
            .field("io", &self.io)
            .finish_non_exhaustive()
    }
}
