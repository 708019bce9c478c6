//! `Handle`: a thread-safe way into a runtime, for spawning from anywhere.
//!
//! A [`Runtime`](crate::Runtime) is `!Send`: its loop, run queue and task
//! slab belong to the thread that runs it, so nothing on another thread may
//! touch them. What another thread may touch is the runtime's *shared
//! half* (`Shared` in `task/waker.rs`): the remote wake queue, the `mio::Waker`
//! that interrupts a blocked `epoll_wait`, and an inbox of work handed in.
//! A `Handle` is an `Arc` of that half, so it is `Send + Sync + Clone`.
//!
//! [`Handle::spawn`] from the runtime's own thread spawns at once. From
//! any other thread it cannot, so it hands the loop a closure through the
//! inbox:
//!
//! ```text
//!   other thread                          runtime thread (Core::drain_remote)
//!   ────────────                          ───────────────────────────────────
//!   result slot + handle made here
//!   inbox.push(Spawn(future, slot)) ───►  take the inbox
//!   mio::Waker::wake()  ───────────────►  epoll_wait returns
//!   return the JoinHandle                 spawn the future as a task
//! ```
//!
//! The handle returned exists before its task does: it holds the task's
//! result slot (`JoinState` in `task.rs`), made on the calling thread with
//! an id taken from the runtime's atomic id counter. A spawn the runtime
//! never runs (it shut down first) completes that slot as cancelled, so
//! no one awaits it forever.
//!
//! # Where spindle is simpler than tokio
//!
//! tokio's `Handle` also lets another thread drive I/O (`block_on` on a
//! handle) and enter the runtime's context; spindle's sockets and timers
//! do their I/O only on their runtime's thread, so a spindle `Handle` is
//! for spawning and for telling whether the runtime is still there.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

use crate::executor::context;
use crate::executor::Core;
use crate::task::waker::{Inbox, Shared};
use crate::task::{join_handle, JoinError, JoinHandle, JoinState};

/// A `Send + Sync` handle to a runtime: spawn onto it from any thread.
///
/// # Examples
///
/// ```
/// let rt = spindle::Runtime::new()?;
/// let handle = rt.handle();
/// let from_thread = std::thread::spawn(move || handle.spawn(async { 6 * 7 }))
///     .join()
///     .unwrap();
/// assert_eq!(rt.block_on(from_thread).unwrap(), 42);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct Handle {
    /// The runtime's shared half.
    shared: Arc<Shared>,
}

impl Handle {
    /// Wraps a runtime's shared half; used by `Runtime::handle`.
    pub(crate) fn new(shared: Arc<Shared>) -> Handle {
        Handle { shared }
    }

    /// The handle of the runtime running on this thread.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let handle = spindle::Handle::current();
    ///     let task = handle.spawn(async { "spawned through the handle" });
    ///     assert_eq!(task.await.unwrap(), "spawned through the handle");
    /// });
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if no spindle runtime is running on this thread; see
    /// [`try_current`](Self::try_current).
    #[track_caller]
    pub fn current() -> Handle {
        Handle::new(context::expect_core("Handle::current").shared.clone())
    }

    /// The handle of the runtime running on this thread, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(spindle::Handle::try_current().is_none());
    /// spindle::block_on(async {
    ///     assert!(spindle::Handle::try_current().is_some());
    /// });
    /// ```
    pub fn try_current() -> Option<Handle> {
        context::with_core(|core| Handle::new(core.shared.clone()))
    }

    /// Spawns `future` onto the handle's runtime, from any thread.
    ///
    /// On the runtime's own thread (inside its `block_on`) this is
    /// [`spawn`](crate::spawn). Elsewhere the future is handed to the
    /// runtime's loop, which is woken if it sleeps in the kernel, and
    /// becomes a task at its next turn; a runtime that is not inside
    /// `block_on` right now starts it at the next one. The returned
    /// [`JoinHandle`] can be awaited on any runtime, or on any executor.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = spindle::Runtime::new()?;
    /// let handle = rt.handle();
    /// let waiter = std::thread::spawn(move || {
    ///     let task = handle.spawn(async {
    ///         spindle::time::sleep(Duration::from_millis(5)).await;
    ///         "done"
    ///     });
    ///     // Awaited on a second runtime, on another thread.
    ///     spindle::block_on(task).unwrap()
    /// });
    /// rt.block_on(spindle::time::sleep(Duration::from_millis(50)));
    /// assert_eq!(waiter.join().unwrap(), "done");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// If the runtime is gone (dropped), or drops before it starts the
    /// task, the returned handle yields a cancelled [`JoinError`]: never a
    /// panic, never a hang.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let spawned_at = Location::caller();
        let id = self.shared.next_task_id();
        let join = Arc::new(JoinState::new(id));
        if context::current_id() == self.shared.id {
            let core = context::expect_core("Handle::spawn");
            return join_handle(core.spawn_task(id, future, join, spawned_at));
        }
        let mut pending = PendingSpawn {
            future: Some(future),
            join: join.clone(),
        };
        let work = Inbox::Spawn(Box::new(move |core: &Core| {
            if let Some(future) = pending.future.take() {
                core.spawn_task(id, future, pending.join.clone(), spawned_at);
            }
        }));
        // A runtime already gone hands the work back; dropping it completes
        // the slot as cancelled (`PendingSpawn::drop`).
        drop(self.shared.send(work));
        join_handle(join)
    }

    /// Whether the runtime was dropped: spawning then only gives cancelled
    /// handles.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::new()?;
    /// let handle = rt.handle();
    /// assert!(!handle.is_closed());
    /// drop(rt);
    /// assert!(handle.is_closed());
    /// assert!(spindle::block_on(handle.spawn(async {})).unwrap_err().is_cancelled());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("runtime", &self.shared.id)
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// A future on its way to a runtime's loop, with its handle's result slot.
///
/// If it is dropped before the loop spawned it (the runtime shut down
/// first), it completes the slot as cancelled.
struct PendingSpawn<F: Future> {
    /// The future, until the loop takes it.
    future: Option<F>,
    /// The handle's result slot.
    join: Arc<JoinState<F::Output>>,
}

impl<F: Future> Drop for PendingSpawn<F> {
    fn drop(&mut self) {
        let future = self.future.take();
        if future.is_some() {
            drop(future);
            self.join.complete(Err(JoinError::cancelled(self.join.id)));
        }
    }
}
