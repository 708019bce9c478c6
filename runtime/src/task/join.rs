//! A task's result and the handle that awaits it: [`JoinHandle`], the
//! `Send + Sync` half a caller keeps; [`JoinError`], why a task produced
//! no output. The result slot the handle and the task's cell share is
//! `JoinState`, in `join_state.rs` (the task's future stays in the slab,
//! see `cell.rs`).

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::join_state::JoinState;
use super::Id;
use crate::executor::coop;

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
/// (a lock-free state machine, `join_state.rs`), never its future. It can be awaited on another runtime
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
    /// Set when `poll` handed out the result, so dropping the handle need
    /// not touch the slot (the common `.await` case).
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
        self.state.is_complete()
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
        let Some(result) = self.state.drop_handle() else {
            return;
        };
        // The output's destructor runs with the task's id current, as the
        // future's did (`cell.rs`), on whichever thread drops the handle.
        let _current = super::id::enter(self.state.id.as_u64());
        let _ = catch_unwind(AssertUnwindSafe(move || drop(result)));
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // A handle that is ready takes a unit of the budget (`executor/coop.rs`), so
        // a loop joining finished tasks cannot hold the thread either.
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let this = self.get_mut();
        if this.taken {
            panic!("`JoinHandle` polled after it completed");
        }
        match this.state.poll_result(cx) {
            Poll::Ready(result) => {
                coop::consume();
                this.taken = true;
                Poll::Ready(result)
            }
            Poll::Pending => Poll::Pending,
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

/// Builds the handle of a result slot.
pub(crate) fn join_handle<T>(state: Arc<JoinState<T>>) -> JoinHandle<T> {
    JoinHandle {
        state,
        taken: false,
    }
}
