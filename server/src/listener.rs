//! `Listener`: a worker thread's accept loop.
//!
//! This is the loop from the seed, grown up: it sleeps in the reactor until
//! the listening socket is readable, accepts, and spawns one task per
//! connection. Around that core it keeps four promises:
//!
//! 1. **Connection limit.** At the limit it stops calling `accept(2)`:
//!    new clients wait in the kernel's listen backlog (their handshake is
//!    done, their bytes are buffered) instead of being accepted and
//!    dropped. When a connection ends, its [`ConnGuard`] wakes the loop,
//!    which accepts the next one.
//! 2. **Accept errors never end the loop.** A client that gave up before it
//!    was accepted (`ECONNABORTED`, `EPROTO`, …) is skipped. Running out of
//!    file descriptors or kernel memory (`EMFILE`, `ENFILE`, `ENOBUFS`,
//!    `ENOMEM`), or any error not known to concern one client only, pauses
//!    accepting with a back-off, 50 ms doubling to 1 s, a warning and a
//!    counter: retrying at once would spin, because the pending connection
//!    keeps the socket readable.
//! 3. **A panic stays in its connection.** Each connection's future runs
//!    under `catch_unwind`; a panic closes that connection (its socket
//!    drops), is counted and logged, and the server goes on.
//! 4. **Shutdown.** When the thread's [`Shutdown`](crate::Shutdown) moves to `Draining`, the
//!    loop drops the listening socket at once and waits until every
//!    connection has ended, or the shutdown timeout passes, or the phase
//!    moves to `Stopping`; it returns how many connections it gave up on.
//!
//! # Notes
//!
//! A production server (nginx, tokio's examples with a spare descriptor)
//! sometimes keeps a spare file descriptor so that at `EMFILE` it can
//! accept a connection and close it at once, telling that client to go
//! away instead of leaving it in the backlog. spindle only pauses: the
//! clients in the backlog are served as soon as descriptors free up.

use std::cell::Cell;
use std::future::{poll_fn, Future};
use std::io;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures::FutureExt;
use spindle::net::{TcpListener, TcpStream};

use crate::metrics::Counters;
use crate::shutdown::Phase;
use crate::worker::Worker;

/// The first pause after an accept error that means "out of resources".
const BACKOFF_START: Duration = Duration::from_millis(50);
/// The longest pause: long enough not to burn CPU, short enough that the
/// server is back within a second of descriptors freeing up.
const BACKOFF_MAX: Duration = Duration::from_secs(1);

/// One worker thread's accept loop; see the module docs.
#[derive(Debug)]
pub(crate) struct Listener {
    /// The thread's listening socket; dropped when draining starts.
    listener: TcpListener,
    /// How many connections this thread may hold open at once.
    limit: usize,
    /// How long draining waits before giving up on connections.
    shutdown_timeout: Duration,
    /// The thread's shutdown watch and counters.
    worker: Worker,
    /// Open connections, shared with their guards.
    tracker: Rc<Tracker>,
}

/// Counts this thread's open connections and wakes the accept loop when one
/// ends.
#[derive(Default)]
struct Tracker {
    /// Open connections. Raised by the accept loop, lowered by
    /// `ConnGuard::drop`.
    active: Cell<usize>,
    /// The accept loop's waker while it waits for room (at the limit) or
    /// for the last connection (draining). Taken and woken by
    /// `ConnGuard::drop`.
    waiter: Cell<Option<Waker>>,
}

impl std::fmt::Debug for Tracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracker")
            .field("active", &self.active.get())
            .finish_non_exhaustive()
    }
}

impl Tracker {
    /// Ready when fewer than `limit` connections are open; else parks the
    /// waker. The check and the park happen in one poll on the one thread
    /// that also drops guards, so a guard cannot drop in between (no lost
    /// wake-up).
    fn poll_below(&self, limit: usize, cx: &mut Context<'_>) -> Poll<()> {
        if self.active.get() < limit {
            return Poll::Ready(());
        }
        self.waiter.set(Some(cx.waker().clone()));
        Poll::Pending
    }
}

/// Held by each connection task; its drop ends the connection's accounting.
struct ConnGuard {
    /// The thread's tracker.
    tracker: Rc<Tracker>,
    /// The thread's counters (for `active`).
    counters: Arc<Counters>,
}

impl ConnGuard {
    /// Counts a new connection.
    fn new(tracker: &Rc<Tracker>, counters: &Arc<Counters>) -> ConnGuard {
        tracker.active.set(tracker.active.get() + 1);
        Counters::bump(&counters.accepted);
        Counters::bump(&counters.active);
        ConnGuard {
            tracker: tracker.clone(),
            counters: counters.clone(),
        }
    }
}

impl Drop for ConnGuard {
    fn drop(&mut self) {
        self.tracker.active.set(self.tracker.active.get() - 1);
        Counters::drop_one(&self.counters.active);
        if let Some(waker) = self.tracker.waiter.take() {
            waker.wake();
        }
    }
}

impl Listener {
    /// An accept loop for `listener` that keeps at most `limit`
    /// connections open.
    pub(crate) fn new(
        listener: TcpListener,
        limit: usize,
        shutdown_timeout: Duration,
        worker: Worker,
    ) -> Listener {
        Listener {
            listener,
            limit: limit.max(1),
            shutdown_timeout,
            worker,
            tracker: Rc::default(),
        }
    }

    /// Accepts until the thread starts draining, running `handler` in a
    /// task per connection; then drains. Returns how many connections were
    /// still open when draining gave up (0 after a clean drain).
    pub(crate) async fn run<F, Fut>(self, handler: F) -> usize
    where
        F: Fn(TcpStream, SocketAddr) -> Fut + 'static,
        Fut: Future<Output = io::Result<()>> + 'static,
    {
        let Listener {
            listener,
            limit,
            shutdown_timeout,
            worker,
            tracker,
        } = self;
        let shutdown = worker.shutdown.clone();
        let counters = worker.counters.clone();
        let mut draining = shutdown.wait(Phase::Draining);
        let mut backoff = BACKOFF_START;

        loop {
            // Wait for room below the limit, then for a connection, and
            // watch the shutdown phase all along.
            let next = poll_fn(|cx| {
                if Pin::new(&mut draining).poll(cx).is_ready() {
                    return Poll::Ready(None);
                }
                if tracker.poll_below(limit, cx).is_pending() {
                    return Poll::Pending;
                }
                listener.poll_accept(cx).map(Some)
            })
            .await;
            let Some(accepted) = next else { break };
            match accepted {
                Ok((stream, peer)) => {
                    backoff = BACKOFF_START;
                    let guard = ConnGuard::new(&tracker, &counters);
                    // Calling the handler only builds its future (for an
                    // `async fn`); a closure that panics while doing so is
                    // caught here like a panic while polling.
                    match std::panic::catch_unwind(AssertUnwindSafe(|| handler(stream, peer))) {
                        Ok(connection) => {
                            drop(spindle::spawn(run_connection(guard, connection, peer)))
                        }
                        Err(payload) => report_panic(&guard, payload, peer),
                    }
                }
                Err(err) => {
                    Counters::bump(&counters.accept_errors);
                    if is_about_one_client(&err) {
                        tracing::debug!("accept failed, skipped: {err}");
                        continue;
                    }
                    Counters::bump(&counters.accept_backoffs);
                    tracing::warn!(
                        "thread {}: accept failed ({err}); pausing accepts for {} ms",
                        worker.index,
                        backoff.as_millis()
                    );
                    let mut pause = spindle::time::sleep(backoff);
                    poll_fn(|cx| {
                        if Pin::new(&mut draining).poll(cx).is_ready() {
                            return Poll::Ready(());
                        }
                        Pin::new(&mut pause).poll(cx)
                    })
                    .await;
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                }
            }
        }

        // Draining: stop accepting at once. Connections still in this
        // socket's backlog are reset by the kernel when it closes.
        drop(listener);
        let mut deadline = spindle::time::sleep(shutdown_timeout);
        let mut stopping = shutdown.wait(Phase::Stopping);
        poll_fn(|cx| {
            if tracker.poll_below(1, cx).is_ready() {
                return Poll::Ready(());
            }
            if Pin::new(&mut stopping).poll(cx).is_ready() {
                return Poll::Ready(());
            }
            Pin::new(&mut deadline).poll(cx)
        })
        .await;
        let cut = tracker.active.get();
        shutdown.advance(Phase::Stopping);
        cut
    }
}

/// One connection's task: polls the handler's future under
/// `catch_unwind` and keeps the guard until the connection is done.
///
/// Built with combinators rather than as an `async fn`: an `async fn`
/// keeps its arguments and its locals in separate slots of its state
/// (rust-lang/rust#62958), which would hold the connection's future twice
/// in every idle connection's task.
fn run_connection<Fut>(
    guard: ConnGuard,
    connection: Fut,
    peer: SocketAddr,
) -> impl Future<Output = ()>
where
    Fut: Future<Output = io::Result<()>>,
{
    // `AssertUnwindSafe`: after a panic nothing of the connection is used
    // again (its socket drops with the future), so no broken state leaks.
    AssertUnwindSafe(connection)
        .catch_unwind()
        .map(move |outcome| match outcome {
            Ok(Ok(())) => {}
            Ok(Err(err)) => tracing::debug!("connection from {peer} ended: {err}"),
            Err(payload) => report_panic(&guard, payload, peer),
        })
}

/// Counts and logs a handler's panic.
fn report_panic(guard: &ConnGuard, payload: Box<dyn std::any::Any + Send>, peer: SocketAddr) {
    Counters::bump(&guard.counters.handler_panics);
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("<non-string payload>");
    tracing::warn!("connection handler for {peer} panicked: {message}; connection closed");
}

/// Whether an accept error concerns only the connection being accepted
/// (it was aborted or reset before `accept(2)`, a firewall rule refused it,
/// a signal interrupted the call), so the next `accept` may well succeed.
///
/// Everything else pauses the loop: first of all `EMFILE`, `ENFILE`,
/// `ENOBUFS` and `ENOMEM`, which fail again at once until something is
/// freed (the pending connection keeps the socket readable, so retrying at
/// once would spin), but also any error this list does not know, so that no
/// error can make the loop spin.
fn is_about_one_client(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    ) || matches!(err.raw_os_error(), Some(libc::EPROTO | libc::EPERM))
}
