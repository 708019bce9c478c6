//! `Shutdown`: the per-thread watch that tells connections the server is
//! going away.
//!
//! Graceful shutdown has three phases, and every task on a worker thread
//! needs to learn when the phase moves on:
//!
//! ```text
//!   Running ──(1) first SIGINT/SIGTERM, ServerHandle::shutdown──► Draining
//!   Draining ──(2) shutdown timeout, second signal, stop_now──► Stopping
//! ```
//!
//! 1. `Draining`: the listener stops accepting at once; idle keep-alive
//!    connections close; a connection in the middle of a request finishes
//!    it and answers with `Connection: close`.
//! 2. `Stopping`: the worker stops waiting; what is left is dropped with the
//!    runtime.
//!
//! A `Shutdown` lives on one thread (it is an `Rc`), so reading the phase on
//! the hot path is a plain `Cell` read with no atomic and no lock. Tasks
//! that must wake when the phase changes hold a [`ShutdownWait`], which
//! parks one waker in a slab slot it owns; moving the phase wakes every
//! parked waker. Across threads, a [`ServerHandle`](crate::ServerHandle)
//! sends the new phase over a `futures` channel to one relay task per
//! worker thread, which calls [`Shutdown::advance`] there.
//!
//! # Invariants
//!
//! - The phase only moves forward (`Running` → `Draining` → `Stopping`).
//! - The lost wake-up: a `ShutdownWait` checks the phase *before* parking
//!   its waker, and `advance` sets the phase *before* waking, both on the
//!   same thread, so a change between the check and the park cannot happen.
//! - A dropped `ShutdownWait` frees its slot, so an idle connection that
//!   closes leaves no waker behind.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use slab::Slab;

/// Where a server is in its life.
///
/// # Examples
///
/// ```
/// use spindle_server::Phase;
///
/// assert!(Phase::Running < Phase::Draining);
/// assert!(Phase::Draining < Phase::Stopping);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// Accepting and serving.
    Running,
    /// Not accepting; finishing in-flight requests, closing idle connections.
    Draining,
    /// Giving up on what is left: the worker returns and drops it.
    Stopping,
}

/// A worker thread's shutdown watch: the current [`Phase`] and the wakers of
/// the tasks waiting for it to change.
///
/// Cloning is cheap (an `Rc`); every clone sees the same phase.
///
/// # Examples
///
/// ```
/// use spindle_server::{Phase, Shutdown};
///
/// spindle::block_on(async {
///     let shutdown = Shutdown::new();
///     let waiter = spindle::spawn({
///         let shutdown = shutdown.clone();
///         async move { shutdown.wait(Phase::Draining).await }
///     });
///     spindle::yield_now().await;
///     shutdown.advance(Phase::Draining);
///     waiter.await.unwrap();
///     assert_eq!(shutdown.phase(), Phase::Draining);
/// });
/// ```
#[derive(Clone, Default)]
pub struct Shutdown {
    /// The state every clone shares.
    inner: Rc<Inner>,
}

/// The shared state behind a [`Shutdown`].
struct Inner {
    /// The current phase. Written only by `advance`; read by everyone.
    phase: Cell<Phase>,
    /// One slot per live [`ShutdownWait`] that has parked a waker. Filled
    /// and refreshed by `ShutdownWait::poll`, emptied by its `Drop`, woken
    /// (not emptied) by `advance`.
    wakers: RefCell<Slab<Waker>>,
}

impl Default for Inner {
    fn default() -> Inner {
        Inner {
            phase: Cell::new(Phase::Running),
            wakers: RefCell::new(Slab::new()),
        }
    }
}

impl Shutdown {
    /// A watch in [`Phase::Running`].
    ///
    /// # Examples
    ///
    /// ```
    /// let shutdown = spindle_server::Shutdown::new();
    /// assert_eq!(shutdown.phase(), spindle_server::Phase::Running);
    /// ```
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// The watch of the worker thread this code runs on, if it runs inside a
    /// [`Server`](crate::Server) worker: the way a per-connection `async fn`
    /// learns that the server is draining (like `spindle::spawn` finds its
    /// runtime, through a thread-local).
    ///
    /// # Examples
    ///
    /// ```
    /// // Outside a server worker there is none.
    /// assert!(spindle_server::Shutdown::current().is_none());
    /// ```
    pub fn current() -> Option<Shutdown> {
        crate::worker::current().map(|worker| worker.shutdown.clone())
    }

    /// The current phase.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle_server::{Phase, Shutdown};
    ///
    /// let shutdown = Shutdown::new();
    /// shutdown.advance(Phase::Stopping);
    /// assert_eq!(shutdown.phase(), Phase::Stopping);
    /// ```
    pub fn phase(&self) -> Phase {
        self.inner.phase.get()
    }

    /// Whether the server has begun shutting down (`Draining` or later).
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle_server::{Phase, Shutdown};
    ///
    /// let shutdown = Shutdown::new();
    /// assert!(!shutdown.is_draining());
    /// shutdown.advance(Phase::Draining);
    /// assert!(shutdown.is_draining());
    /// ```
    pub fn is_draining(&self) -> bool {
        self.phase() >= Phase::Draining
    }

    /// Moves to `phase` if it is later than the current one, and wakes every
    /// waiting task. Moving backwards does nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle_server::{Phase, Shutdown};
    ///
    /// let shutdown = Shutdown::new();
    /// shutdown.advance(Phase::Stopping);
    /// shutdown.advance(Phase::Draining); // ignored: phases only move forward
    /// assert_eq!(shutdown.phase(), Phase::Stopping);
    /// ```
    pub fn advance(&self, phase: Phase) {
        if phase <= self.phase() {
            return;
        }
        // Phase first, then wakes: a woken task always sees the new phase.
        self.inner.phase.set(phase);
        let wakers: Vec<Waker> = self
            .inner
            .wakers
            .borrow()
            .iter()
            .map(|(_, w)| w.clone())
            .collect();
        // No borrow is held while waking: a waker may run code that drops a
        // `ShutdownWait` (which borrows the slab).
        wakers.into_iter().for_each(Waker::wake);
    }

    /// A future that completes once the phase is `phase` or later.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle_server::{Phase, Shutdown};
    ///
    /// spindle::block_on(async {
    ///     let shutdown = Shutdown::new();
    ///     shutdown.advance(Phase::Draining);
    ///     shutdown.wait(Phase::Draining).await; // already there: ready at once
    /// });
    /// ```
    pub fn wait(&self, phase: Phase) -> ShutdownWait {
        ShutdownWait {
            shutdown: self.clone(),
            phase,
            key: None,
        }
    }
}

impl fmt::Debug for Shutdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shutdown")
            .field("phase", &self.phase())
            .field("waiting", &self.inner.wakers.borrow().len())
            .finish()
    }
}

/// Future returned by [`Shutdown::wait`]. It is `Unpin` and can be polled
/// again after it completed (it stays ready), so a connection keeps one for
/// its whole life and polls it next to its socket.
///
/// # Examples
///
/// ```
/// use spindle_server::{Phase, Shutdown};
///
/// spindle::block_on(async {
///     let shutdown = Shutdown::new();
///     let mut wait = shutdown.wait(Phase::Stopping);
///     shutdown.advance(Phase::Stopping);
///     (&mut wait).await;
///     (&mut wait).await; // still ready
/// });
/// ```
pub struct ShutdownWait {
    /// The watch.
    shutdown: Shutdown,
    /// The phase this future waits for.
    phase: Phase,
    /// This future's slot in the watch's waker slab, once it parked.
    key: Option<usize>,
}

impl ShutdownWait {
    /// The watch this future waits on.
    pub(crate) fn shutdown(&self) -> &Shutdown {
        &self.shutdown
    }
}

impl Future for ShutdownWait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if this.shutdown.phase() >= this.phase {
            return Poll::Ready(());
        }
        let mut wakers = this.shutdown.inner.wakers.borrow_mut();
        match this.key {
            // Refresh the parked waker only if the task changed.
            Some(key) => {
                if !wakers[key].will_wake(cx.waker()) {
                    wakers[key] = cx.waker().clone();
                }
            }
            None => this.key = Some(wakers.insert(cx.waker().clone())),
        }
        Poll::Pending
    }
}

impl Drop for ShutdownWait {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            // `try_`: a wait dropped while `advance` iterates must not panic.
            if let Ok(mut wakers) = self.shutdown.inner.wakers.try_borrow_mut() {
                wakers.try_remove(key);
            }
        }
    }
}

impl fmt::Debug for ShutdownWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShutdownWait")
            .field("phase", &self.phase)
            .field("parked", &self.key.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_wait_frees_its_slot() {
        spindle::block_on(async {
            let shutdown = Shutdown::new();
            let mut wait = shutdown.wait(Phase::Draining);
            let polled = std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut wait).poll(cx))).await;
            assert!(polled.is_pending());
            assert_eq!(shutdown.inner.wakers.borrow().len(), 1);
            drop(wait);
            assert_eq!(shutdown.inner.wakers.borrow().len(), 0);
        });
    }
}
