//! The worker context: what code running on a server worker thread can
//! find without being handed it.
//!
//! A [`Server`](crate::Server) runs one spindle runtime per worker thread.
//! Before it starts the runtime, it installs a [`Worker`] in a
//! thread-local, the way spindle's own `executor/context.rs` lets `spindle::spawn`
//! find the running runtime. Per-connection code reads it through
//! [`current`]: the HTTP handler to count requests and to see the shutdown
//! phase, a user's protocol through [`Shutdown::current`].
//!
//! The thread-local is read once per connection (the HTTP handler clones
//! what it needs when the connection starts), not per request.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use crate::metrics::Counters;
use crate::shutdown::Shutdown;

/// What a worker thread shares with the connections it runs.
#[derive(Debug, Clone)]
pub(crate) struct Worker {
    /// The thread's index, 0 to threads - 1; used in log lines.
    pub(crate) index: usize,
    /// The thread's shutdown watch.
    pub(crate) shutdown: Shutdown,
    /// The thread's counters.
    pub(crate) counters: Arc<Counters>,
    /// The server's idle timeout; the echo protocol closes a client that
    /// takes no echoed byte for this long (see `send.rs`).
    pub(crate) idle_timeout: Duration,
}

thread_local! {
    /// Set by [`enter`] for the life of a worker; `None` elsewhere.
    static CURRENT: RefCell<Option<Worker>> = const { RefCell::new(None) };
}

/// The worker running on this thread, if any.
pub(crate) fn current() -> Option<Worker> {
    CURRENT.with(|current| current.borrow().clone())
}

/// Installs `worker` as this thread's worker until the guard drops.
pub(crate) fn enter(worker: Worker) -> EnterGuard {
    CURRENT.with(|current| *current.borrow_mut() = Some(worker));
    EnterGuard(())
}

/// Clears the thread's worker when dropped (also if the worker panics).
#[derive(Debug)]
pub(crate) struct EnterGuard(());

impl Drop for EnterGuard {
    fn drop(&mut self) {
        CURRENT.with(|current| current.borrow_mut().take());
    }
}
