//! The thread-local that lets free functions find the running runtime.
//!
//! `spindle::spawn(fut)` and `spindle::time::sleep(d)` take no runtime
//! argument: they look up the runtime that is currently inside `block_on` on
//! this thread. [`enter`] stores the runtime's core in a thread-local for the
//! length of a `block_on` call and the returned guard removes it again, also
//! when the `block_on` future panics (the guard's `Drop` runs during
//! unwinding, the same drop-guard pattern tokio's current_thread scheduler
//! uses).
//!
//! # Invariants
//!
//! - At most one runtime is entered per thread: a nested `block_on` panics in
//!   [`enter`] with a message that says why, rather than deadlocking (the
//!   outer loop could never run while the inner one blocks the thread).
//! - The thread-local holds a clone of the core's `Rc`, never a borrow, so a
//!   task may call `spawn` while the loop is polling it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::thread::{self, ThreadId};

use crate::executor::Core;

thread_local! {
    /// The core of the runtime inside `block_on` on this thread, if any.
    /// Written only by [`enter`] and [`EnterGuard::drop`]; read by [`with_core`].
    static CURRENT: RefCell<Option<Rc<Core>>> = const { RefCell::new(None) };

    /// What every operation reads: the running runtime's id and the
    /// budget of the poll in progress, side by side so that a socket
    /// operation's runtime check and its budget are one thread-local
    /// access (`coop::admit`). No destructor, so it is there for as long
    /// as the thread, also while its other thread-locals are torn down.
    static LOCAL: Local = const {
        Local {
            runtime: Cell::new(0),
            budget: Cell::new(None),
            thread: Cell::new(None),
        }
    };
}

/// The per-thread state every operation reads (see `LOCAL`).
pub(crate) struct Local {
    /// The id of the runtime inside `block_on` on this thread
    /// (`Shared::id`), or 0: what every socket and timer operation compares
    /// its own runtime's id with. Written with `CURRENT`.
    pub(crate) runtime: Cell<u64>,
    /// The budget of the poll running on this thread: `Some(units left)`
    /// inside a poll by spindle's loop, `None` (unconstrained) elsewhere.
    /// Written and read by `coop.rs`.
    pub(crate) budget: Cell<Option<u32>>,
    /// This thread's id, once [`this_thread`] has been asked (every thread
    /// that builds a runtime has): what a socket compares with its
    /// runtime's owner thread when no runtime is entered here.
    thread: Cell<Option<ThreadId>>,
}

/// Runs `f` with this thread's [`Local`].
#[inline]
pub(crate) fn with_local<R>(f: impl FnOnce(&Local) -> R) -> R {
    LOCAL.with(f)
}

/// The id of the runtime running on this thread, 0 if none.
///
/// Sockets and timers are `Send`: they can be moved to any thread, but
/// their I/O runs only where their runtime runs. Each operation checks
/// this first (`reactor/registration.rs`, `time/sleep.rs`).
#[inline]
pub(crate) fn current_id() -> u64 {
    LOCAL.with(|local| local.runtime.get())
}

/// The id of this thread, remembered in [`Local`] so that later checks
/// ([`is_thread`]) read a thread-local instead of asking `std::thread`.
/// Called by `Core::new`: the thread that builds a runtime is its owner.
pub(crate) fn this_thread() -> ThreadId {
    LOCAL.with(|local| match local.thread.get() {
        Some(id) => id,
        None => {
            let id = thread::current().id();
            local.thread.set(Some(id));
            id
        }
    })
}

/// Whether this thread is `owner`: the thread that built the runtime
/// whose id is `owner`'s (a `Runtime` is `!Send`, so it never leaves that
/// thread). A thread that never built a runtime has no id in [`Local`] and
/// is nobody's owner, so this never calls into `std::thread` (which may be
/// gone while the thread tears down its thread-locals).
#[inline]
pub(crate) fn is_thread(owner: ThreadId) -> bool {
    LOCAL.with(|local| local.thread.get() == Some(owner))
}

/// Marks this thread as running `core` until the guard is dropped.
#[derive(Debug)]
pub(crate) struct EnterGuard {
    /// Keeps the guard from being built outside this module.
    _private: (),
}

/// Makes `core` the current runtime of this thread.
///
/// # Panics
///
/// Panics if this thread is already inside a `block_on`.
pub(crate) fn enter(core: Rc<Core>) -> EnterGuard {
    CURRENT.with(|current| {
        let mut current = current.borrow_mut();
        if current.is_some() {
            panic!(
                "cannot call `block_on` while this thread is already inside `block_on`: \
                 the outer runtime could not make progress while the inner one blocks; \
                 use `spindle::spawn` and `.await` instead"
            );
        }
        LOCAL.with(|local| local.runtime.set(core.shared.id));
        *current = Some(core);
    });
    EnterGuard { _private: () }
}

/// Makes `core` the current runtime of this thread if none is, for work
/// done outside `block_on` that must still find its runtime (dropping the
/// runtime's tasks). Returns `None`, and enters nothing, when this thread
/// is already inside a `block_on`.
pub(crate) fn try_enter(core: Rc<Core>) -> Option<EnterGuard> {
    CURRENT
        .try_with(|current| {
            let mut current = current.borrow_mut();
            if current.is_some() {
                return None;
            }
            LOCAL.with(|local| local.runtime.set(core.shared.id));
            *current = Some(core);
            Some(EnterGuard { _private: () })
        })
        .ok()
        .flatten()
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        // `try_with`: the guard may be dropped while the thread is tearing down
        // its thread-locals, after `CURRENT` itself is gone.
        LOCAL.with(|local| local.runtime.set(0));
        let _ = CURRENT.try_with(|current| current.borrow_mut().take());
    }
}

/// Calls `f` with the current runtime's core, or returns `None` when this
/// thread is not inside `block_on` (or is tearing down its thread-locals).
pub(crate) fn with_core<R>(f: impl FnOnce(&Rc<Core>) -> R) -> Option<R> {
    CURRENT
        .try_with(|current| current.borrow().as_ref().map(f))
        .ok()
        .flatten()
}

/// Returns a clone of the current runtime's core.
///
/// # Panics
///
/// Panics with a message naming `what` if no runtime is running on this
/// thread. The panic names the caller's caller: `#[track_caller]` carries
/// the location from the public function (`spawn`, `sleep`'s poll, …), so
/// the message points at the user's line, not at this file.
#[track_caller]
pub(crate) fn expect_core(what: &str) -> Rc<Core> {
    match with_core(Rc::clone) {
        Some(core) => core,
        None => panic!(
            "`{what}` must be called from inside a spindle runtime \
             (within `block_on` or a task it runs), but none is running on this thread"
        ),
    }
}
