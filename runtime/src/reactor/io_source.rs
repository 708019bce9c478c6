//! [`IoSource<S>`]: a mio socket `S` with its [`Registration`], the type
//! every spindle socket wraps. It registers the socket when created,
//! derefs to it for the syscalls, and deregisters it on drop, on whichever
//! thread that happens. The byte-stream reads and writes every stream type
//! shares (TCP, Unix, their halves, the pipes) are written once here, on
//! `Registration::poll_io_sized` (`registration.rs`), so the short-read
//! rule applies to all of them alike.

use std::fmt;
use std::io::{self, IoSlice, Read, Write};
use std::ops::Deref;
use std::task::{Context, Poll};

use mio::event::Source;

use super::{Direction, Registration};
use crate::executor::context;
use crate::task::waker::Inbox;

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
    #[track_caller]
    pub(crate) fn new(mut io: S, what: &str) -> io::Result<IoSource<S>> {
        let core = context::expect_core(what);
        let slot = core.io.register(&mut io)?;
        Ok(IoSource {
            io,
            registration: Registration {
                shared: core.shared.clone(),
                slot,
            },
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
    /// Deregisters the socket and frees its slot, on whichever thread it is
    /// dropped: on the runtime's own thread directly; on another thread,
    /// the fd is deregistered here (`mio::Registry` is thread-safe) and the
    /// slot handed to the loop, which frees it at its next turn. With the
    /// runtime gone there is no slot left to free.
    fn drop(&mut self) {
        let Registration { shared, slot } = &self.registration;
        if context::current_id() == shared.id {
            if let Some(()) = context::with_core(|core| core.io.deregister(&mut self.io, slot)) {
                return;
            }
        }
        let _ = shared.registry.deregister(&mut self.io);
        let _ = shared.send(Inbox::Io(slot.token));
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
