//! The readiness API every socket shares: `ready(interest)`, `readable`,
//! `writable`, `poll_read_ready`, `poll_write_ready`, the `try_*` vectored
//! operations, and handing the socket back to std (`into_std`).
//!
//! Each is a thin wrapper over the helpers on `Registration`
//! (`poll_ready`, `try_io`, `try_io_sized`; see `reactor/registration.rs`), written
//! once here as more methods of `IoSource` and called by every socket
//! type. Keeping them thin is deliberate: whatever those helpers learn
//! (several waiters per direction, the cooperative budget, an error when
//! the runtime is gone) every socket's readiness API inherits.
//!
//! # Invariants
//!
//! - A `try_*` operation never waits and makes no syscall when the reactor
//!   has not reported the direction ready; a `WouldBlock` from the kernel
//!   clears the bit (stale readiness), a short vectored read or write on
//!   epoll/kqueue too (the short-read rule).
//! - `into_std` deregisters the socket from the reactor before the std
//!   socket is returned, so no event for it reaches the runtime again.

use std::future::poll_fn;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::task::{Context, Poll};

use mio::event::Source;

use crate::io::{Interest, Ready};
use crate::reactor::Direction;
use crate::reactor::IoSource;

impl<S: Source> IoSource<S> {
    /// Waits until the reactor reports readiness in a direction of
    /// `interest`; returns the bits seen, filtered by `interest`.
    ///
    /// With both directions asked, the task parks in both and is woken by
    /// whichever comes first. When one direction is ready and the other
    /// was not, the waker left in the other's slot may later wake the task
    /// once for nothing: a spurious wake, harmless by the reactor's rules.
    pub(crate) fn poll_ready_interest(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
    ) -> Poll<io::Result<Ready>> {
        let registration = self.registration();
        let mut seen = None;
        if interest.is_readable() {
            if let Poll::Ready(bits) = registration.poll_ready(Direction::Read, cx) {
                seen = Some(bits?);
            }
        }
        if seen.is_none() && interest.is_writable() {
            if let Poll::Ready(bits) = registration.poll_ready(Direction::Write, cx) {
                seen = Some(bits?);
            }
        }
        match seen {
            Some(bits) => Poll::Ready(Ok(Ready::from_reactor(bits, interest))),
            None => Poll::Pending,
        }
    }

    /// `ready(interest).await`.
    pub(crate) async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        poll_fn(|cx| self.poll_ready_interest(cx, interest)).await
    }

    /// Waits until the socket may be readable.
    pub(crate) fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.registration()
            .poll_ready(Direction::Read, cx)
            .map_ok(|_| ())
    }

    /// Waits until the socket may be writable.
    pub(crate) fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.registration()
            .poll_ready(Direction::Write, cx)
            .map_ok(|_| ())
    }

    /// `readable().await`: a future that removes its waker from the
    /// socket if it is dropped before it completes.
    pub(crate) async fn readable(&self) -> io::Result<()> {
        self.registration().ready(Direction::Read).await.map(|_| ())
    }

    /// `writable().await`, likewise.
    pub(crate) async fn writable(&self) -> io::Result<()> {
        self.registration()
            .ready(Direction::Write)
            .await
            .map(|_| ())
    }

    /// Runs a non-waiting operation in `direction` through `try_io`.
    pub(crate) fn try_op<R>(
        &self,
        direction: Direction,
        mut op: impl FnMut(&S) -> io::Result<R>,
    ) -> io::Result<R> {
        self.registration().try_io(direction, || op(self))
    }
}

/// The non-waiting stream operations.
impl<S: Source> IoSource<S>
where
    for<'a> &'a S: Read + Write,
{
    /// Reads what is there now, or `WouldBlock`.
    pub(crate) fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.registration()
            .try_io_sized(Direction::Read, buf.len(), || (&**self).read(buf))
    }

    /// Writes what fits now, or `WouldBlock`.
    pub(crate) fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.registration()
            .try_io_sized(Direction::Write, buf.len(), || (&**self).write(buf))
    }

    /// Reads into several buffers with one `readv(2)`, or `WouldBlock`.
    pub(crate) fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        let asked = bufs.iter().map(|b| b.len()).sum();
        self.registration()
            .try_io_sized(Direction::Read, asked, || (&**self).read_vectored(bufs))
    }

    /// Writes from several buffers with one `writev(2)`, or `WouldBlock`.
    pub(crate) fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let asked = bufs.iter().map(|b| b.len()).sum();
        self.registration()
            .try_io_sized(Direction::Write, asked, || (&**self).write_vectored(bufs))
    }
}

#[cfg(unix)]
impl<S: Source + std::os::fd::AsFd> IoSource<S> {
    /// Deregisters the socket and returns its file descriptor, for
    /// `into_std`.
    ///
    /// Done safely with `dup(2)`: the copy is taken, then `self` drops
    /// (deregistering the socket, then closing the original descriptor).
    /// The socket itself lives on in the copy: a socket closes only when
    /// its last descriptor does, so the peer notices nothing. The copy
    /// shares the file status flags, so it stays non-blocking. tokio moves
    /// the descriptor out instead, which saves the `dup` but needs unsafe
    /// code here.
    pub(crate) fn into_fd(self) -> io::Result<std::os::fd::OwnedFd> {
        let fd = self.as_fd().try_clone_to_owned()?;
        drop(self);
        Ok(fd)
    }
}
