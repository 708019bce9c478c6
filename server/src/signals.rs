//! Shutdown on `SIGINT` and `SIGTERM`.
//!
//! A signal is delivered to the process, not to a worker, so one small
//! thread with its own spindle runtime listens for both
//! (`spindle::signal`, which turns a signal into a reactor event through a
//! self-pipe) and tells every worker through the
//! [`ServerHandle`](crate::ServerHandle):
//!
//! - the first signal starts a graceful shutdown ([`ServerHandle::shutdown`]);
//! - a second one stops at once ([`ServerHandle::stop_now`]): the operator
//!   does not want to wait for the shutdown timeout.
//!
//! The thread must not die while the server runs: its signal handlers stay
//! installed, so every later signal would be caught and dropped, and the
//! server could only be killed. Each signal's log line is written under
//! `catch_unwind` (a panic there only loses the line), and should anything
//! else in the thread panic, the thread starts a graceful shutdown as it
//! goes: a server that can no longer be told to stop stops by itself.
//!
//! The thread registers its signal handlers before [`SignalThread::start`]
//! returns, so a signal sent as soon as the server's address is known
//! cannot hit the default action (which would kill the process with no
//! drain at all).
//!
//! [`ServerHandle::shutdown`]: crate::ServerHandle::shutdown
//! [`ServerHandle::stop_now`]: crate::ServerHandle::stop_now

use std::future::poll_fn;
use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::task::Poll;
use std::thread::{self, JoinHandle};

use futures::channel::oneshot;
use futures::FutureExt;
use spindle::signal::{signal, SignalKind};

use crate::server::ServerHandle;

/// The signal-listening thread; dropping it stops and joins the thread.
#[derive(Debug)]
pub(crate) struct SignalThread {
    /// Tells the thread to stop (the server has finished).
    stop: Option<oneshot::Sender<()>>,
    /// The thread, joined on drop.
    thread: Option<JoinHandle<()>>,
}

impl SignalThread {
    /// Starts the thread and waits until its signal handlers are installed.
    pub(crate) fn start(handle: ServerHandle) -> io::Result<SignalThread> {
        let (ready_tx, ready_rx) = mpsc::channel::<io::Result<()>>();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = thread::Builder::new()
            .name("spindle-signals".into())
            .spawn(move || {
                let runtime = match spindle::Runtime::new() {
                    Ok(runtime) => runtime,
                    Err(err) => return drop(ready_tx.send(Err(err))),
                };
                let listened = panic::catch_unwind(AssertUnwindSafe(|| {
                    runtime.block_on(listen(handle.clone(), ready_tx, stop_rx));
                }));
                if listened.is_err() {
                    // Nobody relays signals any more (the panic message is
                    // already on stderr, from the panic hook).
                    handle.shutdown();
                }
            })?;
        let ready = ready_rx
            .recv()
            .unwrap_or_else(|_| Err(io::Error::other("the signal thread ended early")));
        let signals = SignalThread {
            stop: Some(stop_tx),
            thread: Some(thread),
        };
        ready.map(|()| signals)
    }
}

impl Drop for SignalThread {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The signal thread's future: relays signals to the workers until told to
/// stop.
async fn listen(
    handle: ServerHandle,
    ready: mpsc::Sender<io::Result<()>>,
    mut stop: oneshot::Receiver<()>,
) {
    let listeners = signal(SignalKind::interrupt()).and_then(|interrupt| {
        signal(SignalKind::terminate()).map(|terminate| (interrupt, terminate))
    });
    let (mut interrupt, mut terminate) = match listeners {
        Ok(listeners) => listeners,
        Err(err) => return drop(ready.send(Err(err))),
    };
    let _ = ready.send(Ok(()));
    let mut received = 0;
    loop {
        let next = poll_fn(|cx| {
            if stop.poll_unpin(cx).is_ready() {
                return Poll::Ready(None);
            }
            if interrupt.poll_recv(cx).is_ready() {
                return Poll::Ready(Some("SIGINT"));
            }
            if terminate.poll_recv(cx).is_ready() {
                return Poll::Ready(Some("SIGTERM"));
            }
            Poll::Pending
        })
        .await;
        let Some(name) = next else { return };
        received += 1;
        // The log line first, so it comes before the workers' lines about
        // the shutdown; a panic while logging must not stop the relay.
        let _ = panic::catch_unwind(|| {
            if received == 1 {
                tracing::info!(
                    "{name}: shutting down gracefully (send another signal to stop at once)"
                );
            } else {
                tracing::warn!("{name} again: stopping at once");
            }
        });
        if received == 1 {
            handle.shutdown();
        } else {
            handle.stop_now();
        }
    }
}
