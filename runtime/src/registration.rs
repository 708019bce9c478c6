//! A socket's link to the reactor, and the one helper every socket
//! operation goes through.
//!
//! [`IoSource<S>`] wraps a mio socket `S` together with its [`Registration`].
//! Each operation (`read`, `write`, `accept`, `send_to`, …) is a closure that
//! performs the non-blocking syscall; [`Registration::poll_io`] runs it only
//! when the reactor says the socket is ready, and turns `WouldBlock` into
//! "clear readiness, park the waker, return `Pending`":
//!
//! ```text
//!   poll_io(dir, op)
//!     ├─ readiness has no `dir` bit? ── park waker in the slot ── Pending
//!     ├─ op() = Err(WouldBlock) ──────── clear `dir` bit ── loop (re-check)
//!     ├─ op() = Ok(n), 0 < n < asked ─── clear `dir` bit ── Ready(Ok(n))
//!     └─ op() = anything else ────────────────────────────── Ready(result)
//! ```
//!
//! # Invariants
//!
//! - **Stale readiness.** Readiness is only ever cleared right after an
//!   operation proved the socket drained. Events are only dispatched while
//!   no task runs, so no event can arrive between the syscall and the clear
//!   and be wiped out; data that arrives after the syscall makes the kernel
//!   report a fresh edge at the next poll.
//! - **The short-read rule.** A read that returns fewer bytes than asked
//!   proves the receive buffer was empty at that moment, so the next read
//!   would only return `WouldBlock`; clearing now saves that syscall on every
//!   request (tokio does the same). A read of `0` bytes is EOF, not a short
//!   read: `READ_CLOSED` is sticky and further reads return `0` at once.
//! - **Deregister on drop.** Dropping an `IoSource` deregisters the socket
//!   and frees its slot before the fd is closed.

use std::fmt;
use std::io::{self, IoSlice, Read, Write};
use std::ops::Deref;
use std::rc::Rc;
use std::task::{Context, Poll};

use mio::event::Source;

use crate::context;
use crate::explain::TaskName;
use crate::reactor::{Direction, IoDriver, IoSlot, Ready};

/// Whether a short read or write proves the socket drained (see "the
/// short-read rule" above).
///
/// True for the real edge-triggered selectors, epoll and kqueue. Not for
/// mio's `poll(2)` backend (`--cfg mio_unsupported_force_poll_poll`): it
/// emulates edge triggering by disarming an fd after each event and
/// re-arming it only when an operation returns `WouldBlock`, so skipping
/// that `WouldBlock` would leave the socket disarmed and its task asleep
/// forever. tokio gates the rule the same way (tokio issue #5866).
const SHORT_IO_PROVES_DRAINED: bool = cfg!(all(
    not(mio_unsupported_force_poll_poll),
    any(
        target_os = "android",
        target_os = "linux",
        target_os = "illumos",
        target_os = "redox",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "ios",
        target_os = "macos",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "tvos",
        target_os = "visionos",
        target_os = "watchos",
    )
));

/// A registered socket's handle on its reactor slot.
pub(crate) struct Registration {
    /// The reactor the socket is registered with; kept alive by every socket.
    driver: Rc<IoDriver>,
    /// The socket's slot: readiness bits and parked wakers.
    slot: Rc<IoSlot>,
}

impl Registration {
    /// Waits until the socket may be ready in `direction`; returns the bits
    /// seen, or parks the task's waker and returns `Pending`.
    #[inline]
    pub(crate) fn poll_ready(&self, direction: Direction, cx: &mut Context<'_>) -> Poll<Ready> {
        let ready = self.slot.readiness.get();
        if ready.intersects(direction.mask()) {
            return Poll::Ready(ready);
        }
        let mut parked = self.slot.waker(direction).borrow_mut();
        match &mut *parked {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        if self.driver.explain_on {
            self.explain_wait(direction);
        }
        Poll::Pending
    }

    /// Explain trace: records and says which task waits on this socket.
    // Cold and never inlined: keeps the formatting out of the hot path's
    // code, so with the trace off the hook is a branch over a call.
    #[cold]
    #[inline(never)]
    fn explain_wait(&self, direction: Direction) {
        let explain = &self.driver.explain;
        let task = explain.polling();
        self.slot.parked_by(direction).set(task);
        explain.line(format_args!(
            "{} waits: token {} {}",
            TaskName(task),
            self.slot.index(),
            direction.name()
        ));
    }

    /// Forgets the readiness bit of `direction`: the socket proved drained.
    pub(crate) fn clear(&self, direction: Direction) {
        let ready = self.slot.readiness.get();
        self.slot
            .readiness
            .set(ready.difference(direction.clearable()));
    }

    /// Runs `op` when the socket is ready in `direction`, clearing readiness
    /// on `WouldBlock`. See the module doc.
    pub(crate) fn poll_io<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            if self.poll_ready(direction, cx).is_pending() {
                return Poll::Pending;
            }
            match op() {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => self.clear(direction),
                // EINTR on a non-blocking socket: simply try again.
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                result => return Poll::Ready(result),
            }
        }
    }

    /// Like [`poll_io`](Self::poll_io) for an operation on `asked` bytes
    /// that returns how many it moved: a short result also clears readiness.
    pub(crate) fn poll_io_sized(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        asked: usize,
        op: impl FnMut() -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let result = self.poll_io(direction, cx, op);
        if let Poll::Ready(Ok(n)) = result {
            if SHORT_IO_PROVES_DRAINED && n > 0 && n < asked {
                self.clear(direction);
            }
        }
        result
    }

    /// Runs `op` once if the socket is ready, without waiting: the
    /// `try_read`/`try_write` style. Not ready gives `WouldBlock` without a
    /// syscall. `EINTR` is retried, as in [`poll_io`](Self::poll_io): a
    /// signal that lands during the syscall says nothing about the socket.
    pub(crate) fn try_io<R>(
        &self,
        direction: Direction,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        if !self.slot.readiness.get().intersects(direction.mask()) {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let result = loop {
            match op() {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                result => break result,
            }
        };
        if matches!(&result, Err(err) if err.kind() == io::ErrorKind::WouldBlock) {
            self.clear(direction);
        }
        result
    }

    /// Like [`try_io`](Self::try_io) for an operation on `asked` bytes that
    /// returns how many it moved: a short result also clears readiness, as
    /// in [`poll_io_sized`](Self::poll_io_sized). This is what makes
    /// `readable().await` + `try_read` cost one `read` per request, not two.
    pub(crate) fn try_io_sized(
        &self,
        direction: Direction,
        asked: usize,
        op: impl FnMut() -> io::Result<usize>,
    ) -> io::Result<usize> {
        let n = self.try_io(direction, op)?;
        if SHORT_IO_PROVES_DRAINED && n > 0 && n < asked {
            self.clear(direction);
        }
        Ok(n)
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("token", &self.slot.token)
            .field("readiness", &self.slot.readiness.get())
            .finish()
    }
}

/// A mio socket registered with the current runtime's reactor.
///
/// Derefs to the socket for the syscalls themselves; dropping it deregisters
/// the socket, then closes it.
pub(crate) struct IoSource<S: Source> {
    /// The socket.
    io: S,
    /// Its reactor slot.
    registration: Registration,
}

impl<S: Source> IoSource<S> {
    /// Registers `io` with the current runtime's reactor.
    ///
    /// # Panics
    ///
    /// Panics if no spindle runtime is running on this thread; `what` names
    /// the public call in the message.
    pub(crate) fn new(mut io: S, what: &str) -> io::Result<IoSource<S>> {
        let driver = context::expect_core(what).io.clone();
        let slot = driver.register(&mut io)?;
        Ok(IoSource {
            io,
            registration: Registration { driver, slot },
        })
    }

    /// The socket's registration, for `poll_io` and friends.
    pub(crate) fn registration(&self) -> &Registration {
        &self.registration
    }
}

/// The byte-stream operations every stream socket shares (TCP, Unix, and
/// the halves and adapters built on them), written once here.
impl<S: Source> IoSource<S>
where
    for<'a> &'a S: Read + Write,
{
    /// Reads into `buf`, waiting for readiness; the body of every stream's
    /// `poll_read`. An empty `buf` reads nothing and does not wait.
    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        self.registration
            .poll_io_sized(Direction::Read, cx, buf.len(), || (&self.io).read(buf))
    }

    /// Writes from `buf`, waiting for readiness; the body of `poll_write`.
    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        self.registration
            .poll_io_sized(Direction::Write, cx, buf.len(), || (&self.io).write(buf))
    }

    /// Writes from several buffers with one `writev(2)`.
    pub(crate) fn poll_write_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        if total == 0 {
            return Poll::Ready(Ok(0));
        }
        self.registration
            .poll_io_sized(Direction::Write, cx, total, || {
                (&self.io).write_vectored(bufs)
            })
    }
}

/// The result of `shutdown(Write)` as `poll_close` reports it: a connection
/// the peer already tore down (`NotConnected`) counts as closed.
pub(crate) fn close_result(result: io::Result<()>) -> Poll<io::Result<()>> {
    match result {
        Err(err) if err.kind() == io::ErrorKind::NotConnected => Poll::Ready(Ok(())),
        result => Poll::Ready(result),
    }
}

impl<S: Source> Deref for IoSource<S> {
    type Target = S;

    fn deref(&self) -> &S {
        &self.io
    }
}

impl<S: Source> Drop for IoSource<S> {
    fn drop(&mut self) {
        let Registration { driver, slot } = &self.registration;
        driver.deregister(&mut self.io, slot);
    }
}

impl<S: Source + fmt::Debug> fmt::Debug for IoSource<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IoSource")
            .field("io", &self.io)
            .field("registration", &self.registration)
            .finish()
    }
}
