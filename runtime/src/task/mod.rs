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
//! runtime's thread; the result slot holds only the output, in cells whose
//! owner one atomic word names (`join_state.rs`, no lock).
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
//! - The result slot runs no user code while it decides who owns a cell:
//!   results and wakers are moved in and out, and dropped or woken after
//!   the word said whose they are. A future's and an output's destructor
//!   run with the task's id current (`id::enter`).

use std::future::Future;

use crate::executor::context;

mod cell;
pub(crate) mod id;
mod join;
mod join_set;
mod join_state;
mod local;
pub(crate) mod remote;
mod task_ref;
pub(crate) mod waker;
pub(crate) mod yield_now;

pub use crate::executor::coop::{consume_budget, unconstrained, Unconstrained};
pub(crate) use cell::{Outcome, Task, TaskCell};
pub use id::{id, try_id, Id};
pub(crate) use join::join_handle;
pub use join::{JoinError, JoinHandle};
pub use join_set::JoinSet;
pub(crate) use join_state::JoinState;
pub use local::{AccessError, LocalKey, TaskLocalFuture};
pub(crate) use task_ref::TaskRef;
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
