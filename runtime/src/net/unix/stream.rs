//! `UnixStream`: one Unix-domain stream connection, read and written
//! without blocking.
//!
//! The twin of [`TcpStream`](crate::net::TcpStream): reads and writes go
//! through `Registration::poll_io_sized`, so they wait on the reactor when
//! the socket is not ready and obey the same short-read rule (a short read
//! of a stream socket proves its receive buffer empty; see
//! `registration.rs`). `UnixStream` and `&UnixStream` implement
//! `futures_io::AsyncRead` and `AsyncWrite`; `poll_close` shuts down the
//! write side, so the peer reads EOF.
//!
//! Connecting follows the TCP recipe: start a non-blocking `connect(2)`,
//! wait until the socket is writable, then ask `SO_ERROR` and
//! `getpeername` how it went. On Linux a Unix connect usually completes at
//! once, so the wait costs nothing.
//!
//! # Invariants
//!
//! - Every read and write is one of mio's own methods run through
//!   `poll_io_sized`, so readiness is cleared only when the kernel proved
//!   the socket drained (`WouldBlock`, or a short read or write on
//!   epoll/kqueue), and mio's `poll(2)` backend is re-armed on `WouldBlock`.
//! - A read of 0 bytes is EOF, not a short read: `READ_CLOSED` is sticky,
//!   so later reads return 0 at once.

use std::fmt;
use std::future::poll_fn;
use std::io::{self, IoSlice};
use std::net::Shutdown;
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures::io::{AsyncRead, AsyncWrite};

use crate::net::unix::addr;
use crate::reactor::Direction;
use crate::registration::{close_result, IoSource};

/// A Unix-domain stream connection.
///
/// Made by [`UnixStream::connect`], [`UnixStream::pair`], or accepted by a
/// [`UnixListener`](crate::net::UnixListener). Dropping it closes the
/// connection.
///
/// # Examples
///
/// ```
/// use spindle::io::{AsyncReadExt, AsyncWriteExt};
///
/// spindle::block_on(async {
///     let (mut a, mut b) = spindle::net::UnixStream::pair()?;
///     a.write_all(b"ping").await?;
///     let mut buf = [0; 4];
///     b.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixStream {
    /// The registered mio stream.
    source: IoSource<mio::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the listener at `path`.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("spindle-doc-usc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("sock");
    /// spindle::block_on(async {
    ///     let _listener = spindle::net::UnixListener::bind(&path)?;
    ///     let stream = spindle::net::UnixStream::connect(&path).await?;
    ///     assert_eq!(stream.peer_addr()?.as_pathname(), Some(path.as_path()));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `NotFound` if no socket file exists at `path`, `ConnectionRefused`
    /// if nothing listens on it; the message names the path.
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let path = path.as_ref();
        let named = |err: io::Error| {
            io::Error::new(
                err.kind(),
                format!("could not connect to {}: {err}", addr::describe(path)),
            )
        };
        let stream = addr::socket_addr(path)
            .and_then(|addr| mio::net::UnixStream::connect_addr(&addr))
            .map_err(named)?;
        let stream = UnixStream::from_mio(stream, "UnixStream::connect")?;
        poll_fn(|cx| stream.poll_connected(cx))
            .await
            .map_err(named)?;
        Ok(stream)
    }

    /// Waits until a non-blocking connect finished, then reports how.
    fn poll_connected(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let registration = self.source.registration();
        loop {
            if let Err(err) = ready!(registration.poll_ready(Direction::Write, cx)) {
                return Poll::Ready(Err(err));
            }
            if let Some(err) = self.source.take_error()? {
                return Poll::Ready(Err(err));
            }
            match self.source.peer_addr() {
                Ok(_) => return Poll::Ready(Ok(())),
                Err(err) if err.kind() == io::ErrorKind::NotConnected => {
                    registration.clear(Direction::Write)
                }
                Err(err) => return Poll::Ready(Err(err)),
            }
        }
    }

    /// Creates a connected pair of unnamed streams (`socketpair(2)`).
    ///
    /// # Examples
    ///
    /// See [`UnixStream`].
    ///
    /// # Errors
    ///
    /// Fails if the process is out of file descriptors.
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = mio::net::UnixStream::pair()?;
        Ok((
            UnixStream::from_mio(a, "UnixStream::pair")?,
            UnixStream::from_mio(b, "UnixStream::pair")?,
        ))
    }

    /// Wraps a connected std stream, switching it to non-blocking mode.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// spindle::block_on(async {
    ///     let _a = spindle::net::UnixStream::from_std(a)?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the socket cannot be made non-blocking or registered.
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        UnixStream::from_mio(
            mio::net::UnixStream::from_std(stream),
            "UnixStream::from_std",
        )
    }

    /// Registers a mio stream; `what` names the public call for the panic
    /// message outside a runtime.
    pub(crate) fn from_mio(stream: mio::net::UnixStream, what: &str) -> io::Result<UnixStream> {
        Ok(UnixStream {
            source: IoSource::new(stream, what)?,
        })
    }

    /// The remote address: the listener's path for a client, usually
    /// unnamed for an accepted stream.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let (a, _b) = spindle::net::UnixStream::pair()?;
    ///     assert!(a.peer_addr()?.is_unnamed());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails with `NotConnected` once the connection is gone.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.source.peer_addr()
    }

    /// The local address: usually unnamed for a client.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let (a, _b) = spindle::net::UnixStream::pair()?;
    ///     assert!(a.local_addr()?.is_unnamed());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails only if the OS cannot report the address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.source.local_addr()
    }

    /// Shuts down the read side, the write side (the peer reads EOF), or
    /// both.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::AsyncReadExt;
    /// spindle::block_on(async {
    ///     let (a, mut b) = spindle::net::UnixStream::pair()?;
    ///     a.shutdown(std::net::Shutdown::Write)?;
    ///     let mut buf = [0; 1];
    ///     assert_eq!(b.read(&mut buf).await?, 0); // EOF
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails with `NotConnected` if the connection is already gone.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.source.shutdown(how)
    }

    /// Sends a FIN (the body of `poll_close`).
    /// The registered socket, for the hyper adapter.
    #[cfg(feature = "hyper")]
    pub(crate) fn source(&self) -> &IoSource<mio::net::UnixStream> {
        &self.source
    }

    pub(crate) fn poll_close_priv(&self) -> Poll<io::Result<()>> {
        close_result(self.source.shutdown(Shutdown::Write))
    }
}

impl AsyncRead for UnixStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.source.poll_read(cx, buf)
    }
}

impl AsyncRead for &UnixStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.source.poll_read(cx, buf)
    }
}

impl AsyncWrite for UnixStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.source.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.source.poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Writes go straight to the kernel: nothing is buffered here.
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_close_priv()
    }
}

impl AsyncWrite for &UnixStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.source.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.source.poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_close_priv()
    }
}

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixStream")
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}

impl std::os::fd::AsRawFd for UnixStream {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.source.as_raw_fd()
    }
}

impl std::os::fd::AsFd for UnixStream {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.source.as_fd()
    }
}
