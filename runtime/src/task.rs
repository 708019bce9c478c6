//! Tasks: a spawned future, its output slot, and the handle that awaits it.
//!
//! The public side: [`spawn`], [`JoinHandle`] and [`JoinError`] here; many
//! tasks joined in completion order with [`JoinSet`] (`task/join_set.rs`);
//! values scoped to a task with [`task_local!`](crate::task_local)
//! (`task/local.rs`); task ids with [`Id`] and [`id()`] (`task/id.rs`).
//! The rest of this doc is how a task is stored and run.
//!
//! `spawn(fut)` boxes the future into a `TaskCell`, stores an `Rc` of it in
//! the runtime's task slab, puts its `TaskRef` on the run queue and returns
//! a [`JoinHandle`] that shares the same cell. The loop finds the cell through
//! the slab when the task is scheduled, polls the future with the task's own
//! waker, and, when the future is ready, moves the output into the cell and
//! wakes whoever awaits the handle.
//!
//! # Lifecycle
//!
//! ```text
//!   spawn ──(1)──► Running ──(2)──► Finished(Ok(output)) ──(4)──► Consumed
//!                     │ │
//!                     │ └──(3)──► Finished(Err(JoinError::Panicked))
//!                     └────(5)──► Finished(Err(JoinError::Cancelled))
//! ```
//!
//! 1. `Core::spawn`: the cell is created `Running`
//!    and scheduled.
//! 2. `TaskCell::poll`: the future returned `Ready`; the future is dropped,
//!    the output stored, the join waker woken, `scheduled` set for good.
//! 3. `Task::fail`: the future panicked; the loop records the payload
//!    (under the default panic policy) and drops the future.
//! 4. [`JoinHandle::poll`]: the handle takes the output.
//! 5. `TaskCell::poll` after [`JoinHandle::abort`], or `Task::cancel`
//!    when the runtime is dropped: the future is dropped without being polled
//!    again.
//!
//! # Invariants
//!
//! - A future is never polled after it returned `Ready`, panicked or was
//!   cancelled: every one of those moves the stage out of `Running`.
//! - A future is dropped outside the `RefCell` borrow of its stage, so its
//!   destructor may freely touch the runtime (drop sockets, abort other tasks).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use crate::context;
use crate::waker::Header;

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

/// Why a task produced no output.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let handle = spindle::spawn(std::future::pending::<()>());
///     handle.abort();
///     let err = handle.await.unwrap_err();
///     assert!(err.is_cancelled());
/// });
/// ```
pub enum JoinError {
    /// The task was aborted with [`JoinHandle::abort`], or the runtime was
    /// dropped, before the future completed.
    Cancelled,
    /// The future panicked; this is the payload that `panic!` was given.
    Panicked(Box<dyn Any + Send + 'static>),
}

impl JoinError {
    /// Whether the task was cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(spindle::JoinError::Cancelled.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self, JoinError::Cancelled)
    }

    /// Whether the task panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!spindle::JoinError::Cancelled.is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self, JoinError::Panicked(_))
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
        match self {
            JoinError::Panicked(payload) => Ok(payload),
            cancelled => Err(cancelled),
        }
    }

    /// The panic message, when the payload is a string (as with `panic!`).
    fn panic_message(&self) -> Option<&str> {
        match self {
            JoinError::Panicked(payload) => payload
                .downcast_ref::<&'static str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str)),
            JoinError::Cancelled => None,
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Cancelled => f.write_str("Cancelled"),
            JoinError::Panicked(_) => f
                .debug_tuple("Panicked")
                .field(&self.panic_message().unwrap_or("<non-string payload>"))
                .finish(),
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self, self.panic_message()) {
            (JoinError::Cancelled, _) => f.write_str("task was cancelled"),
            (JoinError::Panicked(_), Some(msg)) => write!(f, "task panicked: {msg}"),
            (JoinError::Panicked(_), None) => f.write_str("task panicked"),
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
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let handle = spindle::spawn(async { 6 * 7 });
///     assert_eq!(handle.await.unwrap(), 42);
/// });
/// ```
pub struct JoinHandle<T> {
    /// The task's cell, seen through the part of it that knows `T`.
    task: Rc<dyn Join<T>>,
}

impl<T> JoinHandle<T> {
    /// Asks the task to stop: its future is dropped the next time the loop
    /// reaches it, without being polled again, and the handle then yields
    /// [`JoinError::Cancelled`]. Does nothing if the task already finished.
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
        self.task.abort();
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
        self.task.is_finished()
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
        Id::new(self.task.id())
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.task.poll_join(cx)
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("finished", &self.is_finished())
            .finish()
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
pub(crate) trait Task {
    /// Polls the future once with the task's own waker (see [`TaskCell::poll`]).
    fn poll(&self) -> Outcome;
    /// Records a panic as the task's result and drops the future.
    fn fail(&self, payload: Box<dyn Any + Send + 'static>);
    /// Drops the future without polling it; the result is `Cancelled`.
    fn cancel(&self);
    /// Whether `JoinHandle::abort` was called (for the explain trace).
    fn is_cancelled(&self) -> bool;
}

/// A [`JoinHandle`]'s view of a task: the part that knows the output type.
trait Join<T> {
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>>;
    fn abort(&self);
    fn is_finished(&self) -> bool;
    fn id(&self) -> u64;
}

/// Where a task is in its lifecycle (see the module doc).
enum Stage<F: Future> {
    /// Spawned and not yet done; the future is boxed so the cell can move
    /// freely while the future stays pinned.
    Running(Pin<Box<F>>),
    /// Done; the result waits for the `JoinHandle`.
    Finished(Result<F::Output, JoinError>),
    /// The `JoinHandle` took the result.
    Consumed,
}

/// One spawned task: its future or output, its waker and its join waker.
///
/// The slab holds one `Rc` (as `dyn Task`), the `JoinHandle` another (as
/// `dyn Join<T>`); the cell is freed when both are gone.
pub(crate) struct TaskCell<F: Future> {
    /// The future or its result. Borrowed mutably by `poll`, `fail`, `cancel`
    /// and `poll_join`, never across a call into user code other than the
    /// future's own `poll`.
    stage: RefCell<Stage<F>>,
    /// The waker of whoever awaits the `JoinHandle`; written by `poll_join`,
    /// taken and woken when the task finishes.
    join_waker: RefCell<Option<Waker>>,
    /// Set by `JoinHandle::abort`; read by `poll`, which then cancels instead
    /// of polling.
    aborted: Cell<bool>,
    /// The shared header, lent to each poll as the task's waker (see
    /// `ArcWake for Header`); the loop clears its `scheduled`
    /// flag before each poll.
    header: Arc<Header>,
}

impl<F: Future> TaskCell<F> {
    /// Wraps `future` for the task named by `header`.
    pub(crate) fn new(future: F, header: Arc<Header>) -> TaskCell<F> {
        TaskCell {
            stage: RefCell::new(Stage::Running(Box::pin(future))),
            join_waker: RefCell::new(None),
            aborted: Cell::new(false),
            header,
        }
    }

    /// Stores the task's result, drops the future, and wakes the joiner.
    fn finish(&self, result: Result<F::Output, JoinError>) {
        let old = std::mem::replace(&mut *self.stage.borrow_mut(), Stage::Finished(result));
        // No more polls: wakes of a finished task stop at the de-duplication
        // step in `waker.rs`.
        self.header.scheduled.store(true, Ordering::Release);
        // A destructor that panics must not take the loop down with it.
        let _ = catch_unwind(AssertUnwindSafe(move || drop(old)));
        if let Some(waker) = self.join_waker.borrow_mut().take() {
            waker.wake();
        }
    }
}

impl<F: Future> Drop for TaskCell<F> {
    /// Hands the header back to the runtime for the next `spawn` when no
    /// waker of this task is left anywhere (this cell holds the only
    /// reference), saving an allocation and a free per task.
    fn drop(&mut self) {
        if Arc::strong_count(&self.header) == 1 {
            context::with_core(|core| core.recycle_header(&self.header));
        }
    }
}

impl<F: Future> Task for TaskCell<F> {
    /// Polls the future once.
    fn poll(&self) -> Outcome {
        // Clear `scheduled` before polling, so a wake during the poll queues
        // the task again instead of being lost. A swap (not a store) so that
        // this poll sees everything a de-duplicated waker published before
        // its wake: the swap reads that waker's write and acquires it.
        self.header.scheduled.swap(false, Ordering::AcqRel);
        if self.aborted.get() {
            self.cancel();
            return Outcome::Done;
        }
        let mut stage = self.stage.borrow_mut();
        let Stage::Running(future) = &mut *stage else {
            return Outcome::Done;
        };
        let waker = futures::task::waker_ref(&self.header);
        let mut cx = Context::from_waker(&waker);
        let _current = id::enter(self.header.task.id);
        match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx))) {
            Ok(Poll::Pending) => Outcome::Pending,
            Ok(Poll::Ready(output)) => {
                drop(stage);
                self.finish(Ok(output));
                Outcome::Done
            }
            Err(payload) => Outcome::Panicked(payload),
        }
    }

    fn fail(&self, payload: Box<dyn Any + Send + 'static>) {
        self.finish(Err(JoinError::Panicked(payload)));
    }

    fn cancel(&self) {
        if matches!(&*self.stage.borrow(), Stage::Running(_)) {
            self.finish(Err(JoinError::Cancelled));
        }
    }

    fn is_cancelled(&self) -> bool {
        self.aborted.get()
    }
}

impl<F: Future> Join<F::Output> for TaskCell<F> {
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<F::Output, JoinError>> {
        // A task awaiting its own handle finds its stage borrowed by its own
        // poll; it can never finish, so it simply stays pending.
        if let Ok(mut stage) = self.stage.try_borrow_mut() {
            match std::mem::replace(&mut *stage, Stage::Consumed) {
                Stage::Finished(result) => return Poll::Ready(result),
                Stage::Consumed => panic!("`JoinHandle` polled after it completed"),
                running => *stage = running,
            }
        }
        let mut join_waker = self.join_waker.borrow_mut();
        match &mut *join_waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    fn abort(&self) {
        if !self.is_finished() && !self.aborted.replace(true) {
            // Schedule the task so the loop gets to cancel it.
            self.header.wake_task();
        }
    }

    fn is_finished(&self) -> bool {
        match self.stage.try_borrow() {
            Ok(stage) => !matches!(*stage, Stage::Running(_)),
            // Borrowed: the task is being polled right now, so it is running.
            Err(_) => false,
        }
    }

    fn id(&self) -> u64 {
        self.header.task.id
    }
}

/// Builds the handle for a task cell; used by `Core::spawn`.
pub(crate) fn join_handle<F>(cell: Rc<TaskCell<F>>) -> JoinHandle<F::Output>
where
    F: Future + 'static,
{
    JoinHandle { task: cell }
}
