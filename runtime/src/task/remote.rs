//! The remote run queue: how a wake from another thread reaches the loop.
//!
//! A waker may be sent to any thread. When it fires away from the runtime's
//! thread, it cannot touch the local run queue (a `RefCell`), so it pushes
//! the task onto this mutex-protected queue instead, and the loop drains the
//! queue once per turn. If the loop is blocked in `epoll_wait`/`kevent`, the
//! pusher must also interrupt it, through the runtime's `mio::Waker` — a
//! syscall. The `notified` flag makes that syscall happen once per batch of
//! remote wakes rather than once per wake.
//!
//! ```text
//!   other thread                         runtime thread (Core::turn)
//!   ────────────                         ───────────────────────────
//!   lock, push task, unlock              if notified.swap(false):
//!   if !notified.swap(true):                 lock, take every task, unlock
//!       mio::Waker::wake() ───────────►  mio::Poll::poll returns
//! ```
//!
//! # Invariants
//!
//! - **No lost wake-up.** The pusher pushes *before* it sets `notified`; the
//!   loop clears `notified` *before* it drains. So either the drain sees the
//!   push, or the pusher's swap finds `notified` clear and fires the
//!   `mio::Waker`, which makes the loop's next poll return at once. A loom
//!   model (`loom_tests` below, run with `--cfg loom`) checks every
//!   interleaving of two pushers and the loop.
//! - The loop never blocks with a task in this queue that it has not been
//!   told about.

#[cfg(loom)]
use loom::sync::{
    atomic::{AtomicBool, Ordering},
    Mutex,
};
#[cfg(not(loom))]
use std::sync::{
    atomic::{AtomicBool, Ordering},
    Mutex,
};

use crate::task::TaskRef;

/// Tasks woken from other threads, waiting for the loop.
#[derive(Debug)]
pub(crate) struct RemoteQueue {
    /// The woken tasks, in wake order. Pushed by any thread; taken whole by
    /// the loop.
    tasks: Mutex<Vec<TaskRef>>,
    /// Set by the first push after a drain, cleared by the loop just before
    /// it drains; while set, pushers skip the `mio::Waker` syscall.
    notified: AtomicBool,
    /// Set when the runtime is dropped, so late pushes are ignored.
    closed: AtomicBool,
}

impl RemoteQueue {
    /// An empty queue.
    pub(crate) fn new() -> RemoteQueue {
        RemoteQueue {
            tasks: Mutex::new(Vec::new()),
            notified: AtomicBool::new(false),
            closed: AtomicBool::new(false),
        }
    }

    /// Queues `task`. Returns `true` when the caller must interrupt the loop
    /// (fire the `mio::Waker`): no other push since the last drain did.
    pub(crate) fn push(&self, task: TaskRef) -> bool {
        if self.closed.load(Ordering::Acquire) {
            return false;
        }
        lock(&self.tasks).push(task);
        // Push first, then notify: see "no lost wake-up" above.
        !self.notified.swap(true, Ordering::AcqRel)
    }

    /// Whether a push happened since the last drain: the loop's cheap check
    /// before it borrows anything to drain.
    #[inline]
    pub(crate) fn is_notified(&self) -> bool {
        self.notified.load(Ordering::Acquire)
    }

    /// Moves every queued task into `into`. Called by the loop only.
    pub(crate) fn drain(&self, into: &mut impl Extend<TaskRef>) {
        // Clear first, then drain: see "no lost wake-up" above. The plain
        // load first keeps the common case (no remote wake) free of a locked
        // instruction.
        if self.notified.load(Ordering::Acquire) && self.notified.swap(false, Ordering::AcqRel) {
            let batch = std::mem::take(&mut *lock(&self.tasks));
            into.extend(batch);
        }
    }

    /// Whether [`close`](Self::close) was called.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Ignores further pushes and forgets queued ones (the runtime is gone).
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        lock(&self.tasks).clear();
    }
}

/// Locks the queue. A pusher cannot panic while holding the lock (it only
/// pushes onto a `Vec`), but if an allocation failure ever did, the queue is
/// still consistent, so poisoning is ignored.
#[cfg(not(loom))]
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Locks the queue (loom's mutex does not poison).
#[cfg(loom)]
fn lock<T>(mutex: &Mutex<T>) -> loom::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap()
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::atomic::AtomicUsize;
    use loom::sync::Arc;

    /// Two threads each wake one task while the loop drains and "blocks".
    /// The loop may only block when a notification it has not consumed yet
    /// is pending (the `mio::Waker` is modelled by a counter); if a wake
    /// were lost, the loop would wait forever and loom would report it.
    #[test]
    fn remote_wakes_are_never_lost() {
        loom::model(|| {
            let queue = Arc::new(RemoteQueue::new());
            let notifications = Arc::new(AtomicUsize::new(0));
            let pushers: Vec<_> = (0..2)
                .map(|id| {
                    let queue = queue.clone();
                    let notifications = notifications.clone();
                    loom::thread::spawn(move || {
                        if queue.push(TaskRef {
                            index: id,
                            id: id as u64 + 1,
                        }) {
                            notifications.fetch_add(1, Ordering::SeqCst);
                        }
                    })
                })
                .collect();

            let mut seen = 0;
            let mut drained = Vec::new();
            loop {
                queue.drain(&mut drained);
                if drained.len() == 2 {
                    break;
                }
                // Block in "poll" until a notification arrives.
                while notifications.load(Ordering::SeqCst) == seen {
                    loom::thread::yield_now();
                }
                seen = notifications.load(Ordering::SeqCst);
            }
            for pusher in pushers {
                pusher.join().unwrap();
            }
            drained.sort_by_key(|t| t.id);
            assert_eq!(drained.iter().map(|t| t.id).collect::<Vec<_>>(), [1, 2]);
        });
    }
}
