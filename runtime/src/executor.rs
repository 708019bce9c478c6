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

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::io;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe, Location};
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use slab::Slab;

use crate::blocking::RuntimeJobs;
use crate::builder::{Builder, PanicPolicy};
use crate::context;
use crate::coop;
use crate::explain::{self, Explain, ExplainConfig, PollResult};
use crate::handle::Handle;
use crate::metrics::{Counters, Metrics};
use crate::reactor::{IoDriver, SIGNAL_TOKEN};
#[cfg(unix)]
use crate::signal::SignalDriver;
use crate::stall::{StallDetector, Stalled};
use crate::task::{join_handle, JoinHandle, JoinState, Outcome, Task, TaskCell};
use crate::time::store::TimerStore;
use crate::waker::{Header, Inbox, Shared, TaskRef};

/// Runs a future to completion on a new default runtime.
///
/// This is `Runtime::new()?.block_on(future)` for programs that need one
/// runtime for their whole life.
///
/// # Examples
///
/// ```
/// let answer = spindle::block_on(async { 40 + 2 });
/// assert_eq!(answer, 42);
/// ```
///
/// # Panics
///
/// Panics if the runtime cannot be created (the OS refused an epoll/kqueue
/// instance), if called from inside another `block_on`, or if `future`
/// panics.
#[track_caller]
pub fn block_on<F: Future>(future: F) -> F::Output {
    let runtime = match Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => panic!("spindle::block_on: could not create a runtime: {err}"),
    };
    runtime.block_on(future)
}

/// A single-threaded async runtime: an executor, a reactor and timers.
///
/// The runtime does nothing until [`block_on`](Runtime::block_on) is called;
/// then it runs the given future and every spawned task on the calling
/// thread until that future completes. Dropping it drops every task.
///
/// A `Runtime` is `!Send`: its tasks need not be `Send` because they never
/// leave its thread.
///
/// ```compile_fail
/// fn assert_send<T: Send>(_: T) {}
/// assert_send(spindle::Runtime::new().unwrap());
/// ```
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let rt = spindle::Runtime::new()?;
/// let out = rt.block_on(async {
///     let a = spindle::spawn(async { 1 });
///     spindle::time::sleep(Duration::from_millis(1)).await;
///     a.await.unwrap() + 1
/// });
/// assert_eq!(out, 2);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Runtime {
    /// Everything the loop owns; shared with the thread-local context while
    /// `block_on` runs. (`pub(crate)` for `Runtime::shutdown_timeout` in
    /// `blocking/shutdown.rs`.)
    pub(crate) core: Rc<Core>,
    /// See [`Builder::name`].
    name: Option<String>,
    /// The tokio runtime this one runs inside, with [`Builder::tokio`]
    /// (`tokio/host.rs`); its `block_on` carries spindle's loop.
    #[cfg(all(feature = "tokio", unix))]
    host: Option<::tokio::runtime::Runtime>,
}

impl Runtime {
    /// Wraps a freshly built core; used by [`Builder::build`].
    pub(crate) fn from_core(core: Core, name: Option<String>) -> Runtime {
        Runtime {
            core: Rc::new(core),
            name,
            #[cfg(all(feature = "tokio", unix))]
            host: None,
        }
    }

    /// Makes this runtime run inside `host` (see [`Builder::tokio`]).
    #[cfg(all(feature = "tokio", unix))]
    pub(crate) fn with_host(mut self, host: ::tokio::runtime::Runtime) -> Runtime {
        self.host = Some(host);
        self
    }

    /// The name given by [`Builder::name`], if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(spindle::Runtime::new()?.name(), None);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Creates a runtime with the default settings.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::new()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Builder::build`].
    pub fn new() -> io::Result<Runtime> {
        Builder::new().build()
    }

    /// Returns a builder to configure a runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::builder().event_interval(61).build()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// Runs `future` to completion, running spawned tasks, sockets and timers
    /// while it waits.
    ///
    /// Tasks that are still pending when `future` completes stay in the
    /// runtime and continue at the next `block_on`, or are dropped with the
    /// runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::new()?;
    /// assert_eq!(rt.block_on(async { "done" }), "done");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if this thread is already inside a `block_on` (of any spindle
    /// runtime), if `future` panics, or, under [`PanicPolicy::FailFast`], if
    /// a spawned task panics.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let called_at = Location::caller();
        let _enter = context::enter(self.core.clone());
        #[cfg(all(feature = "tokio", unix))]
        if let Some(host) = &self.host {
            return crate::tokio::host::block_on(&self.core, host, future, called_at);
        }
        self.core.run(future, called_at)
    }

    /// Spawns a task onto this runtime from outside it; it starts running at
    /// the next `block_on`.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::new()?;
    /// let handle = rt.spawn(async { 5 });
    /// assert_eq!(rt.block_on(handle).unwrap(), 5);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.core.spawn(future)
    }

    /// Returns a `Send + Sync` handle to this runtime, to spawn onto it
    /// from other threads.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::new()?;
    /// let handle = rt.handle();
    /// let task = std::thread::spawn(move || handle.spawn(async { 1 + 1 })).join().unwrap();
    /// assert_eq!(rt.block_on(task).unwrap(), 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn handle(&self) -> Handle {
        Handle::new(self.core.shared.clone())
    }

    /// Returns a snapshot of the runtime's counters.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::new()?;
    /// rt.block_on(async {});
    /// assert_eq!(rt.metrics().polls, 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn metrics(&self) -> Metrics {
        self.core.metrics()
    }
}

impl Drop for Runtime {
    /// Drops every task's future, with this runtime entered as the thread's
    /// current one (unless the thread is inside another `block_on`), so a
    /// destructor that spawns or touches a socket finds its runtime.
    fn drop(&mut self) {
        let _enter = context::try_enter(self.core.clone());
        #[cfg(all(feature = "tokio", unix))]
        if let Some(host) = self.host.take() {
            // spindle's tasks first, with tokio's context entered: their
            // destructors may call `tokio::spawn` (a pooled connection
            // going home). Then tokio's tasks, with spindle's still entered.
            let tokio_context = host.enter();
            self.core.shutdown();
            drop(tokio_context);
            drop(host);
            return;
        }
        self.core.shutdown();
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("name", &self.name)
            .field("metrics", &self.metrics())
            .finish_non_exhaustive()
    }
}

/// The `block_on` future as the loop polls it: the future, its header (the
/// `scheduled` flag a wake sets), its waker, and where `block_on` was
/// called (for stall reports).
pub(crate) struct MainTask<'a, F> {
    /// The future `block_on` was given, pinned on `block_on`'s stack.
    future: Pin<&'a mut F>,
    /// Its header: `TaskRef::MAIN`, scheduled by its waker.
    header: Arc<Header>,
    /// The waker every poll of it gets.
    waker: Waker,
    /// Where `block_on` was called.
    called_at: &'static Location<'static>,
}

impl<'a, F> MainTask<'a, F> {
    /// Wraps `future` and puts it on `core`'s run queue for its first poll.
    pub(crate) fn new(
        core: &Core,
        future: Pin<&'a mut F>,
        called_at: &'static Location<'static>,
    ) -> MainTask<'a, F> {
        let header = Arc::new(Header::new(TaskRef::MAIN, core.shared.clone()));
        let waker = Waker::from(header.clone());
        core.schedule(TaskRef::MAIN);
        MainTask {
            future,
            header,
            waker,
            called_at,
        }
    }
}

impl<F> fmt::Debug for MainTask<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MainTask")
            .field("called_at", &self.called_at)
            .finish_non_exhaustive()
    }
}

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
    pub(crate) fn new(
        max_events: usize,
        event_interval: u32,
        budget: u32,
        stall_threshold: Option<Duration>,
        panic_policy: PanicPolicy,
        explain: ExplainConfig,
    ) -> io::Result<Core> {
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

    /// Creates a task for `future`, schedules it, and returns its handle.
    #[track_caller]
    pub(crate) fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let id = self.shared.next_task_id();
        let join = self.spawn_task(id, future, Arc::new(JoinState::new(id)), Location::caller());
        join_handle(join)
    }

    /// Creates task `id` for `future`, reporting to `join`, and schedules
    /// it; returns `join` for the handle.
    pub(crate) fn spawn_task<F>(
        &self,
        id: u64,
        future: F,
        mut join: Arc<JoinState<F::Output>>,
        spawned_at: &'static Location<'static>,
    ) -> Arc<JoinState<F::Output>>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let mut tasks = self.tasks.borrow_mut();
        let entry = tasks.vacant_entry();
        let task = TaskRef {
            index: entry.key(),
            id,
        };
        let header = self.header_for(task);
        // A local spawn owns the only `Arc` of its slot yet: no lock needed.
        match Arc::get_mut(&mut join) {
            Some(unique) => unique.set_header(header.clone()),
            None => join.attach(header.clone()),
        }
        let cell: Pin<Box<dyn Task>> = Box::pin(TaskCell::new(future, header, join.clone()));
        entry.insert(TaskEntry {
            id,
            task: Some(cell),
            spawned_at,
        });
        drop(tasks);
        Counters::add(&self.counters.tasks_spawned, 1);
        Counters::add(&self.counters.tasks_alive, 1);
        if self.explain_on {
            explain::spawned(&self.explain, id);
        }
        self.schedule(task);
        join
    }

    /// A header for a new task: a recycled one if the pool has one, else a
    /// new allocation.
    fn header_for(&self, task: TaskRef) -> Arc<Header> {
        if let Some(mut header) = self.header_pool.borrow_mut().pop() {
            // Pooled headers are unique (see `recycle_header`); `get_mut`
            // checks it again rather than trusting it.
            if let Some(unique) = Arc::get_mut(&mut header) {
                unique.reuse(task);
                return header;
            }
        }
        Arc::new(Header::new(task, self.shared.clone()))
    }

    /// Keeps the header of a task that is gone for the next `spawn`.
    /// Called when the task's cell drops while it holds the only reference:
    /// no waker of the old task exists, so none can ever wake the new one.
    pub(crate) fn recycle_header(&self, header: &Arc<Header>) {
        let mut pool = self.header_pool.borrow_mut();
        if pool.len() < Self::HEADER_POOL && header.belongs_to(&self.shared) {
            pool.push(header.clone());
        }
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

    /// The loop: runs `future` and the tasks until `future` completes.
    /// `called_at` is where `block_on` was called, for stall reports.
    fn run<F: Future>(&self, future: F, called_at: &'static Location<'static>) -> F::Output {
        let future = pin!(future);
        let mut main = MainTask::new(self, future, called_at);
        loop {
            // Step 1.
            if let Some(output) = self.run_batch(&mut main) {
                return output;
            }
            // Steps 2 and 3.
            self.turn();
        }
    }

    /// Step 1 of the loop: polls what is runnable, at most
    /// `event_interval` times, each poll with a fresh budget. Returns the
    /// `block_on` future's output once it completes.
    #[inline]
    pub(crate) fn run_batch<F: Future>(&self, main: &mut MainTask<'_, F>) -> Option<F::Output> {
        if self.explain_on {
            explain::turn(
                &self.explain,
                self.counters.reactor_turns.get() + 1,
                self.run_queue.borrow().len(),
            );
        }
        if let Some(stall) = &self.stall {
            stall.begin();
        }
        for _ in 0..self.event_interval {
            let Some(next) = self.run_queue.borrow_mut().pop_front() else {
                break;
            };
            let spawned_at = if next.is_main() {
                main.header.scheduled.swap(false, Ordering::AcqRel);
                Counters::add(&self.counters.polls, 1);
                if self.explain_on {
                    self.explain.set_polling(Some(0));
                }
                let mut cx = Context::from_waker(&main.waker);
                let poll = coop::budgeted(self.budget, || main.future.as_mut().poll(&mut cx));
                if self.explain_on {
                    explain::polled(
                        &self.explain,
                        0,
                        if poll.is_ready() {
                            PollResult::Ready
                        } else {
                            PollResult::Pending
                        },
                    );
                }
                if let Poll::Ready(output) = poll {
                    if let Some(stall) = &self.stall {
                        self.check_stall(stall, next, main.called_at);
                    }
                    return Some(output);
                }
                Some(main.called_at)
            } else {
                self.run_task(next)
            };
            if let (Some(stall), Some(spawned_at)) = (&self.stall, spawned_at) {
                self.check_stall(stall, next, spawned_at);
            }
        }
        if self.explain_on {
            explain::interval_limit(
                &self.explain,
                self.event_interval,
                self.run_queue.borrow().len(),
            );
        }
        None
    }

    /// Stall detector: times the poll of `task` that just returned.
    #[inline]
    fn check_stall(
        &self,
        stall: &StallDetector,
        task: TaskRef,
        spawned_at: &'static Location<'static>,
    ) {
        let stalled = stall.after_poll(|| Stalled {
            task: task.id,
            spawned_at,
            waiting: self.run_queue.borrow().len(),
        });
        if stalled {
            Counters::add(&self.counters.stalls, 1);
        }
    }

    /// Polls one spawned task, if `task` still names a live one; returns
    /// where it was spawned, or `None` for a stale wake (nothing polled).
    fn run_task(&self, task: TaskRef) -> Option<&'static Location<'static>> {
        // Take the task out of its slot for the poll, so the slab is not
        // borrowed while user code runs (it may spawn).
        let (mut cell, spawned_at) = match self.tasks.borrow_mut().get_mut(task.index) {
            Some(entry) if entry.id == task.id => (entry.task.take()?, entry.spawned_at),
            _ => return None, // a stale wake: the task finished, the slot moved on
        };
        Counters::add(&self.counters.polls, 1);
        if self.explain_on {
            self.explain.set_polling(Some(task.id));
        }
        let outcome = coop::budgeted(self.budget, || cell.as_mut().poll());
        if self.explain_on {
            let result = match &outcome {
                Outcome::Pending => PollResult::Pending,
                Outcome::Done if cell.is_cancelled() => PollResult::Cancelled,
                Outcome::Done => PollResult::Ready,
                Outcome::Panicked(_) => PollResult::Panicked,
            };
            explain::polled(&self.explain, task.id, result);
        }
        match outcome {
            Outcome::Pending => {
                if let Some(entry) = self.tasks.borrow_mut().get_mut(task.index) {
                    entry.task = Some(cell);
                    return Some(spawned_at);
                }
                // The slab was emptied during the poll (the runtime is
                // shutting down): cancel the task here.
                cell.as_mut().cancel();
            }
            Outcome::Done => self.remove(task),
            Outcome::Panicked(payload) => {
                self.remove(task);
                match self.panic_policy {
                    PanicPolicy::Isolate => cell.as_mut().fail(payload),
                    PanicPolicy::FailFast => {
                        cell.as_mut().cancel();
                        resume_unwind(payload);
                    }
                }
            }
        }
        // The task is done; its box goes, and with it (if the handle was
        // dropped) an output nobody will take: a destructor that panics
        // must not take the loop down.
        let _ = catch_unwind(AssertUnwindSafe(move || drop(cell)));
        Some(spawned_at)
    }

    /// Frees a finished task's slot.
    fn remove(&self, task: TaskRef) {
        let entry = self.tasks.borrow_mut().try_remove(task.index);
        if entry.is_some() {
            let alive = &self.counters.tasks_alive;
            alive.set(alive.get() - 1);
        }
        // `entry` drops here, with no borrow held; the caller holds
        // another `Rc` of the task and drops it last.
        drop(entry);
    }

    /// Steps 2 and 3 of the loop: one reactor turn, then timers and
    /// yielded tasks. Blocks in the kernel when nothing is runnable.
    fn turn(&self) {
        // Step 2: wakes from other threads, then the kernel.
        self.drain_remote();
        let timeout = if self.has_runnable() {
            Some(Duration::ZERO)
        } else {
            self.timers.borrow_mut().next_timeout(Instant::now())
        };
        self.turn_with(timeout, true);
    }

    /// Whether a task is waiting to be polled: on the run queue, or
    /// yielded and due again after this turn.
    pub(crate) fn has_runnable(&self) -> bool {
        !self.run_queue.borrow().is_empty() || !self.deferred.borrow().is_empty()
    }

    /// The body of a turn: polls the reactor with `timeout` (`None`: until
    /// an event) unless `poll_io` is false (a hosted turn whose poller has
    /// nothing to report), then fires due timers and wakes the tasks that
    /// yielded. Returns the number of events the reactor reported.
    pub(crate) fn turn_with(&self, timeout: Option<Duration>, poll_io: bool) -> usize {
        let mut signalled = false;
        let events = if poll_io {
            self.poll_io(timeout, &mut signalled)
        } else {
            0
        };
        #[cfg(unix)]
        if signalled {
            if let Some(signals) = self.signals.borrow().clone() {
                signals.dispatch();
            }
        }
        self.drain_remote();
        self.fire_timers_and_yields();
        events
    }

    /// Step 2's kernel half: one `mio::Poll::poll`, counted and narrated.
    /// Sets `signalled` if the signal pipe had an event.
    fn poll_io(&self, timeout: Option<Duration>, signalled: &mut bool) -> usize {
        if self.explain_on {
            explain::block(
                &self.explain,
                timeout,
                self.run_queue.borrow().len() + self.deferred.borrow().len(),
                self.io.registrations(),
            );
        }
        Counters::add(&self.counters.reactor_turns, 1);
        if timeout != Some(Duration::ZERO) {
            Counters::add(&self.counters.reactor_blocked_turns, 1);
        }
        self.io.poll(timeout, &self.counters, |token, _| {
            *signalled |= token == SIGNAL_TOKEN;
        })
    }

    /// Step 3: due timers, then the tasks that yielded. One buffer, kept
    /// between turns, collects both so no turn allocates.
    fn fire_timers_and_yields(&self) {
        let mut to_wake = std::mem::take(&mut *self.to_wake.borrow_mut());
        {
            let mut timers = self.timers.borrow_mut();
            // No armed timer: skip reading the clock.
            if timers.next_tick().is_some() {
                let now = timers.now_tick(Instant::now());
                let count = timers.advance(now, &mut to_wake);
                Counters::add(&self.counters.timers_fired, count as u64);
            }
        }
        to_wake.append(&mut self.deferred.borrow_mut());
        for waker in &to_wake {
            waker.wake_by_ref();
        }
        to_wake.clear();
        *self.to_wake.borrow_mut() = to_wake;
    }

    /// Moves tasks woken from other threads onto the run queue.
    #[inline]
    fn drain_remote(&self) {
        if self.shared.has_remote_wakes() {
            self.drain_remote_slow();
        }
    }

    /// The work of [`drain_remote`](Self::drain_remote), out of line: most
    /// turns have nothing from other threads.
    #[inline(never)]
    fn drain_remote_slow(&self) {
        let before = if self.explain_on {
            self.run_queue.borrow().len()
        } else {
            0
        };
        self.shared.drain_remote(&mut *self.run_queue.borrow_mut());
        if self.explain_on {
            explain::remote_wakes(&self.explain, &self.run_queue.borrow(), before);
        }
        for work in self.shared.take_inbox() {
            match work {
                Inbox::Io(token) => self.io.release(token),
                Inbox::Timer(key) => self.timers.borrow_mut().cancel(key),
                Inbox::Spawn(spawn) => spawn(self),
            }
        }
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
        let mut metrics = self
            .counters
            .snapshot(&self.shared, self.io.registrations() as u64);
        metrics.blocking_jobs = self.blocking.submitted();
        metrics
    }

    /// Drops every task's future (the runtime is going away).
    fn shutdown(&self) {
        // Close first: from now on this runtime's sockets and timers answer
        // other threads and runtimes with "shut down". Work handed in and
        // not yet run is dropped (a `Handle::spawn` not yet started reports
        // `Cancelled`).
        drop(self.shared.close());
        // Dropping a future may spawn or drop other tasks; repeat until none
        // is left.
        loop {
            let mut entries: Vec<TaskEntry> = self.tasks.borrow_mut().drain().collect();
            if entries.is_empty() {
                break;
            }
            for entry in entries.iter_mut() {
                if self.explain_on {
                    explain::shutdown_drop(&self.explain, entry.id);
                }
                if let Some(task) = entry.task.as_mut() {
                    task.as_mut().cancel();
                }
            }
            let alive = &self.counters.tasks_alive;
            alive.set(alive.get().saturating_sub(entries.len() as u64));
        }
        self.run_queue.borrow_mut().clear();
        self.deferred.borrow_mut().clear();
        // Wake whoever still waits on one of this runtime's sockets or
        // timers (a task of another runtime, a future kept after the drop):
        // their next poll gets the error instead of waiting forever.
        self.io.wake_all();
        let mut wakers = Vec::new();
        self.timers.borrow_mut().take_all_wakers(&mut wakers);
        for waker in wakers {
            waker.wake();
        }
        if self.explain_on {
            self.explain.finish();
        }
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
