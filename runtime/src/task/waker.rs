//! Wakers: how a task that returned `Pending` gets back on the run queue.
//!
//! A [`Waker`](std::task::Waker) in spindle is an `Arc<Header>`. The header
//! names its task by slab index and task id ([`TaskRef`]) and carries a
//! `scheduled` flag. Two safe ways turn it into a waker, so no unsafe
//! vtable code lives here: a spawned task's poll borrows its header as a
//! `&Waker` with `futures::task::waker_ref` (through [`ArcWake`], without
//! touching the reference count; `Waker::clone` makes an owned one), and
//! the `block_on` future's waker is made once with [`std::task::Wake`]
//! (`Waker::from(Arc<Header>)`). Both end in the same function.
//!
//! Waking is `Header::wake_task`, step by step:
//!
//! 1. Set `scheduled`. If it was already set, the task is already on a run
//!    queue (or being polled right now and will be re-queued): drop this wake.
//!    This is the de-duplication that makes a task woken ten times before it
//!    runs get polled once. Every dropped wake is counted in
//!    `Shared::wakes_deduplicated`, an atomic beside the remote queue, so a
//!    duplicate from any thread counts on the task's own runtime.
//! 2. If this thread is inside `block_on` of the task's own runtime, push the
//!    `TaskRef` onto the local run queue: no lock, no syscall.
//! 3. Otherwise push it onto the shared remote queue (`remote.rs`) and, if
//!    nobody has done so since the loop last looked, fire the `mio::Waker`
//!    so a loop blocked in `epoll_wait`/`kevent` returns.
//!
//! # Races this file prevents
//!
//! - **The lost wake-up across threads.** A remote wake pushes first, then
//!   sets `notified`; the loop clears `notified` first, then drains. Either the
//!   loop's drain sees the push, or the pusher sees `notified == false` and
//!   fires the `mio::Waker`, which makes the next `poll` return at once
//!   (`remote.rs`, checked by a loom model).
//! - **A wake while the task is being polled.** The loop clears `scheduled`
//!   just before polling, so a wake from inside the poll (or from another
//!   thread during it) queues the task again and it is polled once more
//!   after the current poll returns, never re-entrantly.
//! - **A stale waker.** When a task finishes, its `scheduled` flag is set for
//!   good, so wakes of a finished task stop at step 1. Should one slip
//!   through, the loop compares the task id in the `TaskRef` with the id in
//!   the slab slot, so a waker that outlived its task never polls the task
//!   that reused the slot.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Wake;
use std::thread::ThreadId;

use futures::task::ArcWake;

use crate::executor::context;
use crate::executor::metrics::Counters;
use crate::executor::Core;
use crate::explain;
use crate::task::remote::RemoteQueue;
use crate::task::TaskRef;
use crate::time::store::TimerKey;

/// The part of a task that wakers share; it is `Send + Sync`, so a waker can
/// go to any thread.
#[derive(Debug)]
pub(crate) struct Header {
    /// Which task to schedule. Fixed at spawn.
    pub(crate) task: TaskRef,
    /// Set by a wake (or by spawn) when the task is put on a run queue;
    /// cleared by the loop just before it polls the task; set for good when
    /// the task completes so that later wakes do nothing.
    pub(crate) scheduled: AtomicBool,
    /// The runtime's shared half: where wakes from other threads go.
    shared: Arc<Shared>,
}

impl Header {
    /// Creates the header of a task that starts out scheduled (spawn puts it
    /// on the run queue at once).
    pub(crate) fn new(task: TaskRef, shared: Arc<Shared>) -> Header {
        Header {
            task,
            scheduled: AtomicBool::new(true),
            shared,
        }
    }
}

impl Header {
    /// Wakes the task: the three steps of the module doc.
    pub(crate) fn wake_task(self: &Arc<Self>) {
        // Step 1: de-duplicate.
        if self.scheduled.swap(true, Ordering::AcqRel) {
            self.shared
                .wakes_deduplicated
                .fetch_add(1, Ordering::Relaxed);
            context::with_core(|core| {
                if core.explain_on && Arc::ptr_eq(&core.shared, &self.shared) {
                    explain::deduplicated(&core.explain, self.task.id);
                }
            });
            return;
        }
        // Step 2: the same-thread fast path.
        let local = context::with_core(|core| {
            if Arc::ptr_eq(&core.shared, &self.shared) {
                Counters::add(&core.counters.wakes_local, 1);
                if core.explain_on {
                    explain::woke(&core.explain, self.task.id);
                }
                core.schedule(self.task);
                true
            } else {
                false
            }
        });
        // Step 3: the cross-thread path.
        if local != Some(true) {
            self.shared.schedule_remote(self.task);
        }
    }

    /// Whether this header belongs to the runtime whose shared half is
    /// `shared` (a recycled header must stay in its own runtime).
    pub(crate) fn belongs_to(&self, shared: &Arc<Shared>) -> bool {
        Arc::ptr_eq(&self.shared, shared)
    }

    /// Makes a recycled header name a new task, scheduled, as `new` does.
    /// Taking `&mut self` proves no waker of the old task is left.
    pub(crate) fn reuse(&mut self, task: TaskRef) {
        self.task = task;
        *self.scheduled.get_mut() = true;
    }
}

/// The `std` way to make a waker from a header: used for the `block_on`
/// future's waker.
impl Wake for Header {
    fn wake(self: Arc<Self>) {
        self.wake_task();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wake_task();
    }
}

/// The `futures` way: [`futures::task::waker_ref`] lends a spawned task's
/// header to a poll as a `&Waker` without touching its reference count (the
/// unsafe vtable lives in the well-kept futures crate, not here).
impl ArcWake for Header {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.wake_task();
    }
}

/// The half of a runtime that other threads may touch: the remote run queue
/// and the `mio::Waker` that interrupts a blocked poll, the runtime's id,
/// and the queues through which other threads hand it work: tasks to spawn
/// (`Handle::spawn`) and resources dropped away from its thread.
///
/// Every waker, socket and timer keeps an `Arc` of it, so it outlives the
/// runtime; `closed` then tells them the runtime is gone.
pub(crate) struct Shared {
    /// Unique per runtime in this process, never 0; compared with the
    /// thread's current runtime id (`executor/context.rs`) by every socket and timer
    /// operation.
    pub(crate) id: u64,
    /// The thread that built the runtime and is the only one that runs it
    /// (`Runtime` is `!Send`): a socket of this runtime may be used there
    /// also outside `block_on` (`reactor/registration.rs`, "Outside
    /// `block_on`").
    pub(crate) owner: ThreadId,
    /// Tasks woken from other threads (or from this thread outside
    /// `block_on`), drained by the loop in `Core::turn`.
    remote: RemoteQueue,
    /// Registered with the runtime's `mio::Poll`; `wake()` makes a blocked
    /// `poll` return with an event for `reactor::WAKER_TOKEN`.
    waker: mio::Waker,
    /// A clone of the poll's registry. `mio::Registry` is thread-safe, so a
    /// socket dropped on another thread deregisters its fd itself, then
    /// leaves its reactor slot to the loop through `released`.
    pub(crate) registry: mio::Registry,
    /// Work handed in from other threads, run by the loop in
    /// `Core::drain_remote`: slots and timers to free, tasks to spawn.
    inbox: Mutex<Vec<Inbox>>,
    /// Set by the first push into `inbox` since the loop last drained it;
    /// checked by the loop before it locks anything.
    inbox_notified: AtomicBool,
    /// Whether the explain trace is on (fixed at build): read by sockets
    /// when they park a waker, to name the task.
    pub(crate) explain_on: bool,
    /// Whether it is at the detailed level 2: sockets narrate each
    /// operation.
    pub(crate) explain_detail: bool,
    /// The id of the next spawned task (0 is the `block_on` future). An
    /// atomic, so that `Handle::spawn` on another thread can give a handle
    /// its task's id before the task exists.
    next_task_id: AtomicU64,
    /// Count of wakes that took the remote path, for [`crate::Metrics`].
    pub(crate) wakes_remote: AtomicU64,
    /// Count of wakes that found their task already scheduled, from any
    /// thread, for [`crate::Metrics`]: it lives here, beside the task's
    /// header, so that a duplicate is counted on the task's own runtime
    /// wherever the wake came from.
    pub(crate) wakes_deduplicated: AtomicU64,
}

/// A piece of work another thread hands to a runtime's loop.
pub(crate) enum Inbox {
    /// A socket dropped on another thread: free its reactor slot.
    Io(mio::Token),
    /// A timer dropped (or reset) on another thread: cancel it.
    Timer(TimerKey),
    /// `Handle::spawn`: a `Send` future to spawn as a task of this runtime.
    Spawn(Box<dyn FnOnce(&Core) + Send>),
}

impl fmt::Debug for Inbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Inbox::Io(token) => f.debug_tuple("Io").field(token).finish(),
            Inbox::Timer(key) => f.debug_tuple("Timer").field(key).finish(),
            Inbox::Spawn(_) => f.write_str("Spawn(..)"),
        }
    }
}

impl Shared {
    /// Wraps the `mio::Waker` and a registry clone of the reactor's poll.
    pub(crate) fn new(
        waker: mio::Waker,
        registry: mio::Registry,
        explain_on: bool,
        explain_detail: bool,
    ) -> Shared {
        /// The id of the next runtime; 0 means "no runtime" in `executor/context.rs`.
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Shared {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            owner: context::this_thread(),
            remote: RemoteQueue::new(),
            waker,
            registry,
            inbox: Mutex::new(Vec::new()),
            inbox_notified: AtomicBool::new(false),
            explain_on,
            explain_detail,
            next_task_id: AtomicU64::new(1),
            wakes_remote: AtomicU64::new(0),
            wakes_deduplicated: AtomicU64::new(0),
        }
    }

    /// A new task id, unique in this runtime.
    #[inline]
    pub(crate) fn next_task_id(&self) -> u64 {
        self.next_task_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Queues `task` from any thread and makes sure the loop will look.
    fn schedule_remote(&self, task: TaskRef) {
        self.wakes_remote.fetch_add(1, Ordering::Relaxed);
        if self.remote.push(task) {
            // An error here means the eventfd/pipe could not be written, which
            // mio documents only for a full pipe: the loop is already due to
            // wake, so there is nothing more to do.
            let _ = self.waker.wake();
        }
    }

    /// Hands `work` to the loop from any thread, interrupting a blocked
    /// poll. Returns it back if the runtime is gone.
    pub(crate) fn send(&self, work: Inbox) -> Result<(), Inbox> {
        if self.is_closed() {
            return Err(work);
        }
        self.inbox
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(work);
        // Push first, then notify, as in `remote.rs`.
        if !self.inbox_notified.swap(true, Ordering::AcqRel) {
            let _ = self.waker.wake();
        }
        Ok(())
    }

    /// Takes everything other threads handed in since the last call.
    /// Called by the loop only.
    pub(crate) fn take_inbox(&self) -> Vec<Inbox> {
        if !self.inbox_notified.load(Ordering::Acquire)
            || !self.inbox_notified.swap(false, Ordering::AcqRel)
        {
            return Vec::new();
        }
        std::mem::take(
            &mut *self
                .inbox
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Whether tasks were woken, or work handed in, from other threads
    /// since the last drain.
    #[inline]
    pub(crate) fn has_remote_wakes(&self) -> bool {
        self.remote.is_notified() || self.inbox_notified.load(Ordering::Acquire)
    }

    /// Moves every remotely woken task into `into`. Called by the loop only.
    pub(crate) fn drain_remote(&self, into: &mut impl Extend<TaskRef>) {
        self.remote.drain(into);
    }

    /// Stops further remote wakes and hand-ins (the runtime is gone), and
    /// returns what was handed in but not yet run.
    pub(crate) fn close(&self) -> Vec<Inbox> {
        self.remote.close();
        let mut inbox = self
            .inbox
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        std::mem::take(&mut *inbox)
    }

    /// Whether the runtime was dropped.
    pub(crate) fn is_closed(&self) -> bool {
        self.remote.is_closed()
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("id", &self.id)
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}
