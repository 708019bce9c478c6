//! `UnixStream`: one Unix-domain stream connection, read and written
//! without blocking.
//!
//! The twin of [`TcpStream`](crate::net::TcpStream): reads and writes go
//! through `Registration::poll_io_sized`, so they wait on the reactor when
//! the socket is not ready and obey the same short-read rule (a short read
//! of a stream socket proves its receive buffer empty; see
//! `reactor/registration.rs`). `UnixStream` and `&UnixStream` implement
//! `futures_io::AsyncRead` and `AsyncWrite`; `poll_close` shuts down the
//! write side, so the peer reads EOF. With the feature `tokio` they
//! implement tokio's `AsyncRead` and `AsyncWrite` too (`tokio/io.rs`).
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
use std::io::{self, IoSlice, IoSliceMut};
use std::net::Shutdown;
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use futures::io::{AsyncRead, AsyncWrite};

use crate::io::{Interest, Ready};
use crate::net::unix::addr;
use crate::net::unix::split::{self, OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use crate::reactor::Direction;
use crate::reactor::{close_result, IoSource};

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

    /// Waits until the stream is ready in a direction of `interest` and
    /// returns the readiness seen.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::{AsyncWriteExt, Interest};
    /// spindle::block_on(async {
    ///     let (mut a, b) = spindle::net::UnixStream::pair()?;
    ///     a.write_all(b"x").await?;
    ///     let ready = b.ready(Interest::READABLE).await?;
    ///     assert!(ready.is_readable());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Used away from its runtime (anywhere but inside that runtime's
    /// `block_on`, on its thread), or after the runtime shut down: an
    /// `io::Error` of kind `Other` that says which (see
    /// [`net`](crate::net#one-runtime-one-thread)).
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.source.ready(interest).await
    }

    /// Waits until the stream may be readable; then
    /// [`try_read`](Self::try_read) until `WouldBlock`.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::AsyncWriteExt;
    /// spindle::block_on(async {
    ///     let (mut a, b) = spindle::net::UnixStream::pair()?;
    ///     a.write_all(b"data").await?;
    ///     let mut buf = [0; 16];
    ///     let n = loop {
    ///         b.readable().await?;
    ///         match b.try_read(&mut buf) {
    ///             Ok(n) => break n,
    ///             Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
    ///             Err(e) => return Err(e),
    ///         }
    ///     };
    ///     assert_eq!(&buf[..n], b"data");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Used away from its runtime (anywhere but inside that runtime's
    /// `block_on`, on its thread), or after the runtime shut down: an
    /// `io::Error` of kind `Other` that says which (see
    /// [`net`](crate::net#one-runtime-one-thread)).
    pub async fn readable(&self) -> io::Result<()> {
        self.source.readable().await
    }

    /// Waits until the stream may be writable; then
    /// [`try_write`](Self::try_write).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let (a, _b) = spindle::net::UnixStream::pair()?;
    ///     a.writable().await?;
    ///     assert_eq!(a.try_write(b"hi")?, 2);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Used away from its runtime (anywhere but inside that runtime's
    /// `block_on`, on its thread), or after the runtime shut down: an
    /// `io::Error` of kind `Other` that says which (see
    /// [`net`](crate::net#one-runtime-one-thread)).
    pub async fn writable(&self) -> io::Result<()> {
        self.source.writable().await
    }

    /// Polls for read readiness: `Ready(Ok(()))` once the reactor has seen
    /// the stream readable (or closed), else the waker is kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// spindle::block_on(async {
    ///     let (a, b) = spindle::net::UnixStream::pair()?;
    ///     drop(a); // EOF counts as readable
    ///     poll_fn(|cx| b.poll_read_ready(cx)).await?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Used away from its runtime (anywhere but inside that runtime's
    /// `block_on`, on its thread), or after the runtime shut down: an
    /// `io::Error` of kind `Other` that says which (see
    /// [`net`](crate::net#one-runtime-one-thread)).
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.source.poll_read_ready(cx)
    }

    /// Polls for write readiness; see
    /// [`poll_read_ready`](Self::poll_read_ready).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// spindle::block_on(async {
    ///     let (a, _b) = spindle::net::UnixStream::pair()?;
    ///     poll_fn(|cx| a.poll_write_ready(cx)).await?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Used away from its runtime (anywhere but inside that runtime's
    /// `block_on`, on its thread), or after the runtime shut down: an
    /// `io::Error` of kind `Other` that says which (see
    /// [`net`](crate::net#one-runtime-one-thread)).
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.source.poll_write_ready(cx)
    }

    /// Reads what is available now, without waiting; `WouldBlock` if the
    /// reactor has not reported the stream readable (no syscall then).
    ///
    /// # Examples
    ///
    /// See [`readable`](Self::readable).
    ///
    /// # Errors
    ///
    /// `WouldBlock` when nothing can be read now; otherwise the socket's
    /// error.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.source.try_read(buf)
    }

    /// Writes what fits now, without waiting; `WouldBlock` if the reactor
    /// has not reported the stream writable.
    ///
    /// # Examples
    ///
    /// See [`writable`](Self::writable).
    ///
    /// # Errors
    ///
    /// `WouldBlock` when nothing can be written now; otherwise the socket's
    /// error.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.source.try_write(buf)
    }

    /// Reads what is available now into several buffers (one `readv(2)`);
    /// `WouldBlock` if the stream is not readable.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::IoSliceMut;
    /// use spindle::io::AsyncWriteExt;
    /// spindle::block_on(async {
    ///     let (mut a, b) = spindle::net::UnixStream::pair()?;
    ///     a.write_all(b"headbody").await?;
    ///     b.readable().await?;
    ///     let (mut head, mut body) = ([0; 4], [0; 4]);
    ///     let n = b.try_read_vectored(&mut [IoSliceMut::new(&mut head), IoSliceMut::new(&mut body)])?;
    ///     assert_eq!((n, &head, &body), (8, b"head", b"body"));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `WouldBlock` when nothing can be read now; otherwise the socket's
    /// error.
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.source.try_read_vectored(bufs)
    }

    /// Writes from several buffers (one `writev(2)`) what fits now;
    /// `WouldBlock` if the stream is not writable.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::IoSlice;
    /// spindle::block_on(async {
    ///     let (a, _b) = spindle::net::UnixStream::pair()?;
    ///     a.writable().await?;
    ///     assert_eq!(a.try_write_vectored(&[IoSlice::new(b"ab"), IoSlice::new(b"cd")])?, 4);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `WouldBlock` when nothing can be written now; otherwise the socket's
    /// error.
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.source.try_write_vectored(bufs)
    }

    /// Splits the stream into a read half and a write half that borrow it,
    /// so one task can read while another writes.
    ///
    /// With [`AsyncReadExt`](crate::io::AsyncReadExt) in scope, method-call
    /// syntax `stream.split()` resolves to that trait's by-value `split`;
    /// write `UnixStream::split(&mut stream)` to get this one, which needs
    /// no lock.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::AsyncWriteExt;
    /// spindle::block_on(async {
    ///     let (mut a, _b) = spindle::net::UnixStream::pair()?;
    ///     let (_reader, mut writer) = spindle::net::UnixStream::split(&mut a);
    ///     writer.write_all(b"x").await?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        split::split(self)
    }

    /// Splits the stream into owned halves that can move into two tasks.
    /// Dropping the write half shuts down the write side.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::AsyncWriteExt;
    /// spindle::block_on(async {
    ///     let (a, _b) = spindle::net::UnixStream::pair()?;
    ///     let (_reader, mut writer) = a.into_split();
    ///     spindle::spawn(async move { writer.write_all(b"x").await });
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split::into_split(Arc::new(self))
    }

    /// Deregisters the stream from the reactor and returns it as a std
    /// stream, still in non-blocking mode (as tokio does).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// spindle::block_on(async {
    ///     let (a, b) = spindle::net::UnixStream::pair()?;
    ///     let (mut a, mut b) = (a.into_std()?, b.into_std()?);
    ///     a.set_nonblocking(false)?;
    ///     b.set_nonblocking(false)?;
    ///     a.write_all(b"std")?;
    ///     let mut buf = [0; 3];
    ///     b.read_exact(&mut buf)?;
    ///     assert_eq!(&buf, b"std");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the process is out of file descriptors (the socket is
    /// handed over through `dup(2)`).
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        self.source
            .into_fd()
            .map(std::os::unix::net::UnixStream::from)
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

#[cfg(feature = "tokio")]
crate::tokio::io::async_read!(UnixStream, &UnixStream);
#[cfg(feature = "tokio")]
crate::tokio::io::async_write!(vectored: true; UnixStream, &UnixStream);

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
