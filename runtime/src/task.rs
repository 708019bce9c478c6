//! Tasks: a spawned future, its result slot, and the handle that awaits it.
//!
//! The public side: [`spawn`], [`JoinHandle`] and [`JoinError`] here; many
//! tasks joined in completion order with [`JoinSet`] (`task/join_set.rs`);
//! values scoped to a task with [`task_local!`](crate::task_local)
//! (`task/local.rs`); task ids with [`Id`] and [`id()`] (`task/id.rs`).
//! The rest of this doc is how a task is stored and run.
//!
//! `spawn(fut)` puts the future into a `TaskCell`, boxed and pinned, in
//! the runtime's task slab; puts its `TaskRef` on the run queue; and
//! returns a [`JoinHandle`] that shares the task's result slot
//! (`JoinState`, an `Arc`) but not its future. The loop finds the cell
//! through the slab when the task is scheduled, polls the future with the
//! task's own waker, and, when the future is ready, drops it, moves the
//! output into the result slot and wakes whoever awaits the handle.
//!
//! That split is what makes a handle `Send + Sync` while the task need not
//! be: the future (perhaps full of `Rc`s) stays in the slab, on the
//! runtime's thread; the result slot holds only the output, behind a mutex.
//!
//! # Lifecycle
//!
//! ```text
//!   spawn ──(1)──► Running ──(2)──► Finished(Ok(output)) ──(4)──► Consumed
//!                     │ │
//!                     │ └──(3)──► Finished(Err(panicked))
//!                     └────(5)──► Finished(Err(cancelled))
//! ```
//!
//! 1. `Core::spawn`: the cell is created `Running`
//!    and scheduled.
//! 2. `Task::poll`: the future returned `Ready`; the future is dropped,
//!    the output stored, the join waker woken, `scheduled` set for good.
//! 3. `Task::fail`: the future panicked; the loop records the payload
//!    (under the default panic policy) and drops the future.
//! 4. [`JoinHandle::poll`]: the handle takes the output.
//! 5. `Task::poll` after [`JoinHandle::abort`], or `Task::cancel`
//!    when the runtime is dropped: the future is dropped without being polled
//!    again.
//!
//! # Invariants
//!
//! - A future is never polled after it returned `Ready`, panicked or was
//!   cancelled: every one of those moves the stage to `Done`.
//! - A future is dropped in place, outside any borrow of the slab, so its
//!   destructor may freely touch the runtime (drop sockets, spawn, abort
//!   other tasks); a panic in it becomes the task's result.
//! - The result slot's mutex is never held while user code runs: results
//!   are moved in and out under it and dropped after it is released.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use crate::context;
use crate::coop;
use crate::waker::Header;

pub use crate::coop::{consume_budget, unconstrained, Unconstrained};
mod id;
mod join_set;
mod local;

pub use id::{id, try_id, Id};
pub use join_set::JoinSet;
pub use local::{AccessError, LocalKey, TaskLocalFuture};
// `task_local!` is exported at the crate root (`#[macro_export]`); this
// makes it `spindle::task::task_local!` too, where a tokio user looks.
pub use crate::task_local;

/// Spawns a future onto the current runtime and returns a handle to await
/// its output.
///
/// The future need not be `Send`: it runs on the thread that runs the
/// runtime, interleaved with the other tasks at each `.await` that returns
/// `Pending`. The task starts running when the current task next yields.
/// Dropping the [`JoinHandle`] detaches the task: it keeps running.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
///
/// spindle::block_on(async {
///     let shared = Rc::new(41); // not Send, and that is fine
///     let handle = spindle::spawn({
///         let shared = shared.clone();
///         async move { *shared + 1 }
///     });
///     assert_eq!(handle.await.unwrap(), 42);
/// });
/// ```
///
/// # Panics
///
/// Panics if called outside a spindle runtime (outside `block_on` and the
/// tasks it runs). Use [`Runtime::spawn`](crate::Runtime::spawn) to spawn
/// from outside.
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    context::expect_core("spindle::spawn").spawn(future)
}

/// Why a task produced no output: it was cancelled, or it panicked.
///
/// Its message names the task and, for a panic with a string payload,
/// what the panic said: `task 3 panicked with message "boom"`.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let handle = spindle::spawn(std::future::pending::<()>());
///     handle.abort();
///     let err = handle.await.unwrap_err();
///     assert!(err.is_cancelled());
///     assert_eq!(err.to_string(), "task 1 was cancelled");
/// });
/// ```
pub struct JoinError {
    /// The task that produced no output.
    id: Id,
    /// Why.
    repr: Repr,
}

/// The two reasons behind a [`JoinError`].
enum Repr {
    /// Aborted with [`JoinHandle::abort`], or the runtime was dropped,
    /// before the future completed.
    Cancelled,
    /// The future panicked (or its destructor did); the payload that
    /// `panic!` was given.
    Panicked(Box<dyn Any + Send + 'static>),
}

impl JoinError {
    /// The error of task `id` that was cancelled.
    pub(crate) fn cancelled(id: Id) -> JoinError {
        JoinError {
            id,
            repr: Repr::Cancelled,
        }
    }

    /// The error of task `id` that panicked with `payload`.
    pub(crate) fn panicked(id: Id, payload: Box<dyn Any + Send + 'static>) -> JoinError {
        JoinError {
            id,
            repr: Repr::Panicked(payload),
        }
    }

    /// The id of the task.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let handle = spindle::spawn(async { panic!("boom") });
    ///     assert_eq!(handle.await.unwrap_err().id().to_string(), "1");
    /// });
    /// ```
    pub fn id(&self) -> Id {
        self.id
    }

    /// Whether the task was cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let handle = spindle::spawn(std::future::pending::<()>());
    ///     handle.abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// Whether the task panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let err = spindle::spawn(async { panic!("boom") }).await.unwrap_err();
    ///     assert!(err.is_panic());
    /// });
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panicked(_))
    }

    /// Returns the panic payload, so the caller can re-raise it with
    /// [`std::panic::resume_unwind`].
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let err = spindle::spawn(async { panic!("boom") }).await.unwrap_err();
    ///     let payload = err.into_panic().unwrap();
    ///     assert_eq!(*payload.downcast::<&str>().unwrap(), "boom");
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// Returns the error itself if the task was cancelled rather than panicked.
    pub fn into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panicked(payload) => Ok(payload),
            Repr::Cancelled => Err(self),
        }
    }

    /// The panic message, when the payload is a string (as with `panic!`).
    fn panic_message(&self) -> Option<&str> {
        match &self.repr {
            Repr::Panicked(payload) => payload
                .downcast_ref::<&'static str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str)),
            Repr::Cancelled => None,
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => f.debug_tuple("Cancelled").field(&self.id).finish(),
            Repr::Panicked(_) => f
                .debug_tuple("Panicked")
                .field(&self.id)
                .field(&self.panic_message().unwrap_or("<non-string payload>"))
                .finish(),
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.id;
        match (&self.repr, self.panic_message()) {
            (Repr::Cancelled, _) => write!(f, "task {id} was cancelled"),
            (Repr::Panicked(_), Some(msg)) => write!(f, "task {id} panicked with message {msg:?}"),
            (Repr::Panicked(_), None) => write!(f, "task {id} panicked"),
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for std::io::Error {
    fn from(err: JoinError) -> std::io::Error {
        std::io::Error::other(err.to_string())
    }
}

/// An owned permission to await a spawned task's output.
///
/// Awaiting it gives `Ok(output)`, or a [`JoinError`] if the task panicked or
/// was aborted. Dropping it detaches the task, which keeps running.
///
/// A `JoinHandle<T>` is `Send + Sync` when `T` is `Send`, even though the
/// task itself need not be: the handle holds only the task's *result slot*
/// (behind a mutex), never its future. It can be awaited on another runtime
/// or thread, blocked on, or aborted from anywhere.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let handle = spindle::spawn(async { 6 * 7 });
///     assert_eq!(handle.await.unwrap(), 42);
/// });
/// ```
pub struct JoinHandle<T> {
    /// The task's result slot, shared with the task.
    state: Arc<JoinState<T>>,
    /// Set when `poll` handed out the result: the slot is `Consumed`, so
    /// dropping the handle need not lock it (the common `.await` case).
    taken: bool,
}

impl<T> JoinHandle<T> {
    /// Asks the task to stop: its future is dropped the next time the loop
    /// reaches it, without being polled again, and the handle then yields
    /// a cancelled [`JoinError`]. Does nothing if the task already
    /// finished. May be called from any thread.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let handle = spindle::spawn(async {
    ///         spindle::time::sleep(std::time::Duration::from_secs(3600)).await;
    ///     });
    ///     handle.abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        self.state.abort();
    }

    /// Whether the task has finished: completed, panicked or been cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let handle = spindle::spawn(async {});
    ///     assert!(!handle.is_finished());
    ///     spindle::yield_now().await;
    ///     assert!(handle.is_finished());
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        !matches!(self.state.lock().stage, JoinStage::Running)
    }

    /// The id of the task, the one [`task::id()`](crate::task::id) returns
    /// inside it.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let handle = spindle::spawn(async { spindle::task::id() });
    ///     let id = handle.id();
    ///     assert_eq!(handle.await.unwrap(), id);
    /// });
    /// ```
    pub fn id(&self) -> Id {
        self.state.id
    }
}

impl<T> Drop for JoinHandle<T> {
    /// Detaches the task; drops a result nobody took, containing a panic in
    /// its destructor.
    fn drop(&mut self) {
        if self.taken {
            return;
        }
        let result = {
            let mut inner = self.state.lock();
            match inner.stage {
                JoinStage::Finished(_) => std::mem::replace(&mut inner.stage, JoinStage::Consumed),
                _ => return,
            }
        };
        let _ = catch_unwind(AssertUnwindSafe(move || drop(result)));
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // A handle that is ready takes a unit of the budget (`coop.rs`), so
        // a loop joining finished tasks cannot hold the thread either.
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let mut inner = self.state.lock();
        match std::mem::replace(&mut inner.stage, JoinStage::Consumed) {
            JoinStage::Finished(result) => {
                drop(inner);
                coop::consume();
                self.get_mut().taken = true;
                Poll::Ready(result)
            }
            JoinStage::Consumed => panic!("`JoinHandle` polled after it completed"),
            JoinStage::Running => {
                inner.stage = JoinStage::Running;
                match &mut inner.waker {
                    Some(waker) if waker.will_wake(cx.waker()) => {}
                    slot => *slot = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.state.id)
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// A task's result slot: what its [`JoinHandle`] and the task share.
///
/// `Send + Sync` for a `Send` output: everything in it is behind a mutex or
/// atomic, so a handle may be awaited, aborted or dropped on any thread.
/// The task writes it once, when it finishes ([`complete`](Self::complete)).
pub(crate) struct JoinState<T> {
    /// The task's id.
    id: Id,
    /// Set by `JoinHandle::abort`; read by the task's next poll, which
    /// then cancels instead of polling.
    aborted: AtomicBool,
    /// The result, the joiner's waker and the task's header.
    inner: Mutex<JoinInner<T>>,
}

/// The mutable part of a [`JoinState`].
struct JoinInner<T> {
    /// Where the result is.
    stage: JoinStage<T>,
    /// The waker of whoever awaits the handle; written by its poll, taken
    /// and woken when the task finishes.
    waker: Option<Waker>,
    /// The task's header while it runs, so `abort` can schedule it (from
    /// any thread); dropped when the task finishes, so the header can be
    /// recycled for the next spawn.
    header: Option<Arc<Header>>,
}

/// Where a task's result is (see the module doc's lifecycle).
enum JoinStage<T> {
    /// The task has not finished.
    Running,
    /// Done; the result waits for the handle.
    Finished(Result<T, JoinError>),
    /// The handle took the result (or dropped it).
    Consumed,
}

impl<T> JoinState<T> {
    /// The result slot of task `id`, whose header comes later
    /// ([`set_header`](Self::set_header) or [`attach`](Self::attach)).
    pub(crate) fn new(id: u64) -> JoinState<T> {
        JoinState {
            id: Id::new(id),
            aborted: AtomicBool::new(false),
            inner: Mutex::new(JoinInner {
                stage: JoinStage::Running,
                waker: None,
                header: None,
            }),
        }
    }

    /// Gives a slot nobody else holds yet its task's header, without a lock.
    pub(crate) fn set_header(&mut self, header: Arc<Header>) {
        self.inner
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .header = Some(header);
    }

    /// Locks the slot. Nothing panics while holding the lock (results are
    /// moved, never dropped, under it), so poisoning is ignored.
    fn lock(&self) -> MutexGuard<'_, JoinInner<T>> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Gives the slot the header of its task (for `Handle::spawn`, whose
    /// handle exists before the task does).
    pub(crate) fn attach(&self, header: Arc<Header>) {
        let aborted = {
            let mut inner = self.lock();
            if matches!(inner.stage, JoinStage::Running) {
                inner.header = Some(header.clone());
            }
            self.aborted.load(Ordering::Acquire)
        };
        if aborted {
            header.wake_task();
        }
    }

    /// Stores the result and wakes the joiner.
    pub(crate) fn complete(&self, result: Result<T, JoinError>) {
        let (waker, header) = {
            let mut inner = self.lock();
            inner.stage = JoinStage::Finished(result);
            (inner.waker.take(), inner.header.take())
        };
        drop(header);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// `JoinHandle::abort`: flag the task and schedule it, so the loop
    /// cancels it at its next turn.
    fn abort(&self) {
        let header = {
            let inner = self.lock();
            if !matches!(inner.stage, JoinStage::Running) {
                return;
            }
            inner.header.clone()
        };
        if !self.aborted.swap(true, Ordering::AcqRel) {
            if let Some(header) = header {
                header.wake_task();
            }
        }
    }

    /// The task's id.
    pub(crate) fn id(&self) -> Id {
        self.id
    }

    /// Whether `abort` was called.
    pub(crate) fn is_aborted(&self) -> bool {
        self.aborted.load(Ordering::Acquire)
    }
}

/// Builds the handle of a result slot.
pub(crate) fn join_handle<T>(state: Arc<JoinState<T>>) -> JoinHandle<T> {
    JoinHandle {
        state,
        taken: false,
    }
}

/// What one poll of a task came to, as the loop needs to know it.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The future returned `Pending`: it stays in the slab.
    Pending,
    /// The task is done (output stored, or cancelled): free its slot.
    Done,
    /// The future panicked; the loop applies the panic policy.
    Panicked(Box<dyn Any + Send + 'static>),
}

/// The loop's view of a task, whatever its future type.
///
/// The slab owns each task as a `Pin<Box<dyn Task>>`: the future lives
/// inside the box and never moves, and the loop takes the box out of its
/// slot for the length of a poll, so a task may spawn freely.
pub(crate) trait Task {
    /// Polls the future once with the task's own waker (see [`TaskCell`]).
    fn poll(self: Pin<&mut Self>) -> Outcome;
    /// Records a panic as the task's result and drops the future.
    fn fail(self: Pin<&mut Self>, payload: Box<dyn Any + Send + 'static>);
    /// Drops the future without polling it; the result is `Cancelled`.
    fn cancel(self: Pin<&mut Self>);
    /// Whether `JoinHandle::abort` was called (for the explain trace).
    fn is_cancelled(&self) -> bool;
}

pin_project_lite::pin_project! {
    /// Where a task's future is: running, or gone.
    #[project = StageProj]
    #[project_replace = StageReplace]
    enum Stage<F> {
        // Spawned and not yet done.
        Running { #[pin] future: F },
        // Completed, panicked or cancelled: the future was dropped.
        Done,
    }
}

pin_project_lite::pin_project! {
    /// One spawned task: its future, its result slot and its header.
    pub(crate) struct TaskCell<F: Future> {
        // The future, pinned in the task's box.
        #[pin]
        stage: Stage<F>,
        // The result slot, shared with the `JoinHandle`.
        join: Arc<JoinState<F::Output>>,
        // The shared header, lent to each poll as the task's waker (see
        // `ArcWake for Header`); the loop clears its `scheduled` flag
        // before each poll.
        header: Arc<Header>,
    }

    impl<F: Future> PinnedDrop for TaskCell<F> {
        // Hands the header back to the runtime for the next `spawn` when no
        // waker of this task is left anywhere (this cell holds the only
        // reference), saving an allocation and a free per task.
        fn drop(this: Pin<&mut Self>) {
            let header = &*this.project().header;
            if Arc::strong_count(header) == 1 {
                context::with_core(|core| core.recycle_header(header));
            }
        }
    }
}

impl<F: Future> TaskCell<F> {
    /// Wraps `future` for the task named by `header`, reporting to `join`.
    pub(crate) fn new(
        future: F,
        header: Arc<Header>,
        join: Arc<JoinState<F::Output>>,
    ) -> TaskCell<F> {
        TaskCell {
            stage: Stage::Running { future },
            join,
            header,
        }
    }

    /// Drops the future, stores the task's result, and wakes the joiner.
    ///
    /// The future is dropped first, in place and under `catch_unwind`: its
    /// destructor may touch the runtime, and if it panics, that panic is
    /// the task's result (a task aborted while its destructor panics
    /// reports `Panicked` with the payload, not `Cancelled`), and the loop
    /// goes on.
    fn finish(self: Pin<&mut Self>, result: Result<F::Output, JoinError>) {
        let this = self.project();
        // No more polls: wakes of a finished task stop at the de-duplication
        // step in `waker.rs`.
        this.header.scheduled.store(true, Ordering::Release);
        let mut stage = this.stage;
        let dropped = catch_unwind(AssertUnwindSafe(|| {
            stage.as_mut().project_replace(Stage::Done);
        }));
        let result = match dropped {
            Ok(()) => result,
            Err(payload) => {
                // The output (if any) goes too; dropping it must not unwind.
                let _ = catch_unwind(AssertUnwindSafe(move || drop(result)));
                Err(JoinError::panicked(this.join.id, payload))
            }
        };
        this.join.complete(result);
    }
}

impl<F: Future> Task for TaskCell<F> {
    /// Polls the future once.
    fn poll(mut self: Pin<&mut Self>) -> Outcome {
        // Clear `scheduled` before polling, so a wake during the poll queues
        // the task again instead of being lost. A swap (not a store) so that
        // this poll sees everything a de-duplicated waker published before
        // its wake: the swap reads that waker's write and acquires it.
        self.header.scheduled.swap(false, Ordering::AcqRel);
        if self.join.is_aborted() {
            self.cancel();
            return Outcome::Done;
        }
        let this = self.as_mut().project();
        let StageProj::Running { future } = this.stage.project() else {
            return Outcome::Done;
        };
        let waker = futures::task::waker_ref(this.header);
        let mut cx = Context::from_waker(&waker);
        let _current = id::enter(this.header.task.id);
        match catch_unwind(AssertUnwindSafe(|| future.poll(&mut cx))) {
            Ok(Poll::Pending) => Outcome::Pending,
            Ok(Poll::Ready(output)) => {
                self.finish(Ok(output));
                Outcome::Done
            }
            Err(payload) => Outcome::Panicked(payload),
        }
    }

    fn fail(self: Pin<&mut Self>, payload: Box<dyn Any + Send + 'static>) {
        let id = self.join.id;
        self.finish(Err(JoinError::panicked(id, payload)));
    }

    fn cancel(self: Pin<&mut Self>) {
        if matches!(self.stage, Stage::Running { .. }) {
            let id = self.join.id;
            self.finish(Err(JoinError::cancelled(id)));
        }
    }

    fn is_cancelled(&self) -> bool {
        self.join.is_aborted()
    }
}
