//! Per-thread server counters: what each worker's accept loop and
//! connections have done.
//!
//! Each worker thread owns one [`Counters`] and is the only writer of it;
//! the [`ServerHandle`](crate::ServerHandle) keeps an `Arc` to every
//! thread's counters so a test or an operator can read them from any
//! thread. The counters are atomics only so that reading from another
//! thread is sound: each is written by one thread with `Relaxed` stores (no
//! read-modify-write contention, no cache line shared by two writers on
//! the hot path), and a reader gets a value that was true a moment ago.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of one worker thread's counters.
///
/// # Examples
///
/// ```
/// let metrics = spindle_server::WorkerMetrics::default();
/// assert_eq!(metrics.accepted, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerMetrics {
    /// Connections accepted since the worker started.
    pub accepted: u64,
    /// Connections open now.
    pub active: u64,
    /// HTTP requests answered (by the HTTP connection handler).
    pub requests: u64,
    /// `accept(2)` calls that failed, for any reason.
    pub accept_errors: u64,
    /// Times the accept loop paused: the process or system was out of file
    /// descriptors or memory (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`), or
    /// `accept(2)` failed in a way not known to concern one client only.
    pub accept_backoffs: u64,
    /// Connection handlers that panicked (each closed its connection only).
    pub handler_panics: u64,
}

/// The live counters behind [`WorkerMetrics`]; one per worker thread.
///
/// Written by the worker that owns it (the accept loop, the connection
/// guard, the HTTP handler); read by [`Counters::snapshot`] from anywhere.
#[derive(Default)]
pub(crate) struct Counters {
    /// Bumped by the accept loop per accepted connection.
    pub(crate) accepted: AtomicU64,
    /// Raised by the accept loop, lowered by the connection guard's drop.
    pub(crate) active: AtomicU64,
    /// Bumped by the HTTP connection per response to a parsed request.
    pub(crate) requests: AtomicU64,
    /// Bumped by the accept loop per failed `accept(2)`.
    pub(crate) accept_errors: AtomicU64,
    /// Bumped by the accept loop per back-off pause.
    pub(crate) accept_backoffs: AtomicU64,
    /// Bumped by the connection task wrapper when a handler panicked.
    pub(crate) handler_panics: AtomicU64,
}

impl Counters {
    /// Adds one. A load and a store, not a `fetch_add`: only the owning
    /// thread writes, so no update can be lost, and a plain store is
    /// cheaper than a locked read-modify-write.
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    /// Subtracts one (see [`Counters::bump`]).
    pub(crate) fn drop_one(counter: &AtomicU64) {
        counter.store(
            counter.load(Ordering::Relaxed).saturating_sub(1),
            Ordering::Relaxed,
        );
    }

    /// Reads every counter.
    pub(crate) fn snapshot(&self) -> WorkerMetrics {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        WorkerMetrics {
            accepted: get(&self.accepted),
            active: get(&self.active),
            requests: get(&self.requests),
            accept_errors: get(&self.accept_errors),
            accept_backoffs: get(&self.accept_backoffs),
            handler_panics: get(&self.handler_panics),
        }
    }
}

impl fmt::Debug for Counters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.snapshot().fmt(f)
    }
}
