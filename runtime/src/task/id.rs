//! Task ids: the number that names a task, and how a task learns its own.
//!
//! Every spawned task gets an id from its runtime's counter at `spawn`
//! (`Core::spawn`, the same number the explain trace prints as `task N`).
//! A [`JoinHandle`](crate::JoinHandle) knows the id of its task
//! ([`JoinHandle::id`](crate::JoinHandle::id)); a running task finds its own
//! with [`id()`] or [`try_id()`].
//!
//! How the running task is known: the loop polls one task at a time, so a
//! thread-local cell ([`CURRENT`]) holds the id of the task being polled.
//! `TaskCell::poll` sets it just before it polls the future and an
//! [`EnterGuard`] puts the previous value back when the poll returns (or
//! unwinds), so outside a task's poll the cell is empty. The `block_on`
//! future is not a spawned task and has no id, as in tokio.
//!
//! # Invariants
//!
//! - [`CURRENT`] is `Some` exactly while a spawned task's future is being
//!   polled on this thread, and it names that task.
//! - Ids are unique within one runtime and never reused by it; two
//!   runtimes (on two threads) count separately, so ids of different
//!   runtimes may be equal. tokio's ids are unique process-wide.

use std::cell::Cell;
use std::fmt;

/// The id of a task, unique among the tasks of its runtime.
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
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(u64);

impl Id {
    /// Wraps the runtime's number for a task; used by the task cell.
    pub(crate) fn new(id: u64) -> Id {
        Id(id)
    }

    /// The id as a number, as the explain trace prints it (`task 3`).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let handle = spindle::spawn(async {});
    ///     assert!(handle.id().as_u64() >= 1); // 0 would be the `block_on` future
    /// });
    /// ```
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.0)
    }
}

thread_local! {
    /// The id of the task whose future is being polled on this thread.
    /// Written only by [`enter`] and [`EnterGuard::drop`].
    static CURRENT: Cell<Option<Id>> = const { Cell::new(None) };
}

/// Returns the id of the task that is running now.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let a = spindle::spawn(async { spindle::task::id() });
///     let b = spindle::spawn(async { spindle::task::id() });
///     assert_ne!(a.await.unwrap(), b.await.unwrap());
/// });
/// ```
///
/// # Panics
///
/// Panics when called outside a spawned task: in the `block_on` future
/// itself, or outside any runtime. [`try_id`] returns `None` there instead.
#[track_caller]
pub fn id() -> Id {
    try_id().expect(
        "`spindle::task::id()` must be called from a spawned task; \
         the `block_on` future and code outside a runtime have no task id \
         (use `spindle::task::try_id()` to get `None` there)",
    )
}

/// Returns the id of the task that is running now, or `None` outside a
/// spawned task.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     assert_eq!(spindle::task::try_id(), None); // the `block_on` future
///     let inner = spindle::spawn(async { spindle::task::try_id() }).await.unwrap();
///     assert!(inner.is_some());
/// });
/// ```
pub fn try_id() -> Option<Id> {
    CURRENT.try_with(Cell::get).ok().flatten()
}

/// Restores the previous current task id when dropped.
#[derive(Debug)]
pub(crate) struct EnterGuard {
    /// What [`CURRENT`] held before [`enter`].
    previous: Option<Id>,
}

/// Marks the task `id` as running on this thread until the guard drops.
#[inline]
pub(crate) fn enter(id: u64) -> EnterGuard {
    let previous = CURRENT.with(|current| current.replace(Some(Id(id))));
    EnterGuard { previous }
}

impl Drop for EnterGuard {
    #[inline]
    fn drop(&mut self) {
        // `try_with`: the thread may be tearing down its thread-locals.
        let _ = CURRENT.try_with(|current| current.set(self.previous));
    }
}
