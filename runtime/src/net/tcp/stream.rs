//! `TcpStream`: one TCP connection, read and written without blocking.
//!
//! Reads and writes go through `Registration::poll_io_sized`, so they wait
//! on the reactor when the socket is not ready and obey the short-read rule
//! (see `reactor/registration.rs`). `TcpStream` and `&TcpStream` implement
//! `futures_io::AsyncRead` and `AsyncWrite`, so everything written against
//! futures-io (and the extension traits in [`spindle::io`](crate::io)) works
//! on it; with the feature `tokio` they implement tokio's `AsyncRead` and
//! `AsyncWrite` too (`tokio/io.rs`).
//!
//! Connecting follows mio's documented recipe: start a non-blocking
//! `connect(2)`, wait until the socket is writable, then ask `SO_ERROR`
//! (`take_error`) and `getpeername` (`peer_addr`) whether the connection was
//! made, failed, or is still in progress (`ENOTCONN`: wait again).

use std::fmt;
use std::future::poll_fn;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::{Shutdown, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use futures::io::{AsyncRead, AsyncWrite};

use crate::io::{Interest, Ready};
use crate::net::lookup::ToSocketAddrs;
use crate::net::tcp::split::{self, OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use crate::reactor::Direction;
use crate::reactor::{close_result, IoSource};

/// A TCP connection between a local and a remote socket.
///
/// Made by [`TcpStream::connect`] or accepted by a
/// [`TcpListener`](crate::net::TcpListener). Dropping it closes the
/// connection.
///
/// # Examples
///
/// ```
/// use spindle::io::{AsyncReadExt, AsyncWriteExt};
/// use spindle::net::{TcpListener, TcpStream};
///
/// spindle::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let mut client = TcpStream::connect(listener.local_addr()?).await?;
///     let (mut server, _) = listener.accept().await?;
///     client.write_all(b"ping").await?;
///     let mut buf = [0; 4];
///     server.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpStream {
    /// The registered mio stream.
    source: IoSource<mio::net::TcpStream>,
}

impl TcpStream {
    /// Opens a connection to `addr`, trying each address it resolves to in
    /// turn. A host name is resolved on the blocking pool (see
    /// [`lookup_host`](crate::net::lookup_host)), so the loop keeps running;
    /// an IP address is used at once.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The error of the last address tried, naming it: for example
    /// `ConnectionRefused` when nothing listens there.
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        crate::net::lookup::try_each_addr(addr, "could not connect to", TcpStream::connect_addr)
            .await
    }

    /// Connects to one address.
    async fn connect_addr(addr: SocketAddr) -> io::Result<TcpStream> {
        let stream = mio::net::TcpStream::connect(addr)?;
        let stream = TcpStream::from_mio(stream, "TcpStream::connect")?;
        stream.connected().await?;
        Ok(stream)
    }

    /// Waits until a non-blocking `connect(2)` started on this stream has
    /// finished, and reports how (also used by `TcpSocket::connect`).
    pub(crate) async fn connected(&self) -> io::Result<()> {
        poll_fn(|cx| self.poll_connected(cx)).await
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
                // Still in progress: the writable edge was not the final one.
                Err(err) if err.kind() == io::ErrorKind::NotConnected => {
                    registration.clear(Direction::Write)
                }
                Err(err) => return Poll::Ready(Err(err)),
            }
        }
    }

    /// Wraps a connected std stream, switching it to non-blocking mode.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let std_stream = std::net::TcpStream::connect(listener.local_addr()?)?;
    ///     let stream = spindle::net::TcpStream::from_std(std_stream)?;
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
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        TcpStream::from_mio(mio::net::TcpStream::from_std(stream), "TcpStream::from_std")
    }

    /// Registers a mio stream; `what` names the public call for the panic
    /// message outside a runtime.
    pub(crate) fn from_mio(stream: mio::net::TcpStream, what: &str) -> io::Result<TcpStream> {
        Ok(TcpStream {
            source: IoSource::new(stream, what)?,
        })
    }

    /// The remote address.
    ///
    /// # Examples
    ///
    /// ```
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails with `NotConnected` once the connection is gone.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.source.peer_addr()
    }

    /// The local address.
    ///
    /// # Examples
    ///
    /// ```
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// assert!(stream.local_addr()?.ip().is_loopback());
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails only if the OS cannot report the address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.source.local_addr()
    }

    /// Sets `TCP_NODELAY`: send small writes at once instead of waiting to
    /// coalesce them (Nagle's algorithm). Request/response servers want it.
    ///
    /// # Examples
    ///
    /// ```
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// stream.set_nodelay(true)?;
    /// assert!(stream.nodelay()?);
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the option.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.source.set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// # Examples
    ///
    /// ```
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// assert!(!stream.nodelay()?);
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.source.nodelay()
    }

    /// Sets `SO_LINGER`. `Some(Duration::ZERO)` makes dropping the stream
    /// send a reset (RST) instead of a FIN.
    ///
    /// # Examples
    ///
    /// ```
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// stream.set_linger(Some(std::time::Duration::ZERO))?;
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the option.
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        socket2::SockRef::from(&*self.source).set_linger(linger)
    }

    /// Shuts down the read side, the write side (sending a FIN), or both.
    ///
    /// # Examples
    ///
    /// ```
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// stream.shutdown(std::net::Shutdown::Write)?; // the peer reads EOF
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails with `NotConnected` if the connection is already gone.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.source.shutdown(how)
    }

    /// Reads data without removing it from the receive queue, waiting until
    /// some is there. Returns 0 at EOF.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::{AsyncReadExt, AsyncWriteExt};
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut client = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (mut server, _) = listener.accept().await?;
    /// client.write_all(b"hello").await?;
    /// let mut buf = [0; 5];
    /// let n = server.peek(&mut buf).await?;
    /// assert_eq!(&buf[..n], &b"hello"[..n]);
    /// server.read_exact(&mut buf).await?; // still there
    /// assert_eq!(&buf, b"hello");
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Returns the socket's error, such as `ConnectionReset`.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_peek(cx, buf)).await
    }

    /// Polls for [`peek`](Self::peek).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use spindle::io::AsyncWriteExt;
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut client = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (server, _) = listener.accept().await?;
    /// client.write_all(b"x").await?;
    /// let mut buf = [0; 1];
    /// assert_eq!(poll_fn(|cx| server.poll_peek(cx, &mut buf)).await?, 1);
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`peek`](Self::peek).
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        // No short-read rule: peeking leaves the data queued.
        self.source
            .registration()
            .poll_io(Direction::Read, cx, || self.source.peek(buf))
    }

    /// Waits until the socket may be readable. A later
    /// [`try_read`](Self::try_read) can still give `WouldBlock` (the
    /// readiness was stale); then wait again.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::AsyncWriteExt;
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut client = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (server, _) = listener.accept().await?;
    /// client.write_all(b"data").await?;
    /// let mut buf = [0; 16];
    /// let n = loop {
    ///     server.readable().await?;
    ///     match server.try_read(&mut buf) {
    ///         Ok(n) => break n,
    ///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
    ///         Err(e) => return Err(e),
    ///     }
    /// };
    /// assert_eq!(&buf[..n], b"data");
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// Any number of tasks may wait on one socket at once: readiness wakes
    /// them all. A `readable()` future that is dropped before it completes
    /// removes its waker from the socket.
    ///
    /// # Errors
    ///
    /// Fails if the socket's runtime is not running on this thread, or has
    /// shut down.
    pub async fn readable(&self) -> io::Result<()> {
        self.source
            .registration()
            .ready(Direction::Read)
            .await
            .map(|_| ())
    }

    /// Waits until the socket may be writable; see
    /// [`readable`](Self::readable).
    ///
    /// # Examples
    ///
    /// ```
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let client = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// client.writable().await?;
    /// assert_eq!(client.try_write(b"hi")?, 2);
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`readable`](Self::readable).
    pub async fn writable(&self) -> io::Result<()> {
        self.source
            .registration()
            .ready(Direction::Write)
            .await
            .map(|_| ())
    }

    /// Reads what is available now, without waiting; `WouldBlock` if the
    /// reactor has not reported the socket readable (no syscall then).
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
    /// has not reported the socket writable (no syscall then).
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

    /// Waits until the socket is ready in a direction of `interest` and
    /// returns the readiness seen, so one task can serve both directions.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::{AsyncWriteExt, Interest};
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut client = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (server, _) = listener.accept().await?;
    /// client.write_all(b"x").await?;
    /// let ready = server.ready(Interest::READABLE | Interest::WRITABLE).await?;
    /// if ready.is_readable() {
    ///     let mut buf = [0; 1];
    ///     let _ = server.try_read(&mut buf); // may still be WouldBlock: wait again then
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
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

    /// Polls for read readiness: `Ready(Ok(()))` when the reactor has seen
    /// the socket readable (or closed), else the waker is kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use spindle::io::AsyncWriteExt;
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut client = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (server, _) = listener.accept().await?;
    /// client.write_all(b"x").await?;
    /// poll_fn(|cx| server.poll_read_ready(cx)).await?;
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
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
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let client = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// poll_fn(|cx| client.poll_write_ready(cx)).await?;
    /// assert_eq!(client.try_write(b"x")?, 1);
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
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

    /// Reads what is available now into several buffers (one `readv(2)`),
    /// without waiting; `WouldBlock` if the socket is not readable.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::IoSliceMut;
    /// use spindle::io::AsyncWriteExt;
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut client = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (server, _) = listener.accept().await?;
    /// client.write_all(b"headbody").await?;
    /// let (mut head, mut body) = ([0; 4], [0; 4]);
    /// let n = loop {
    ///     server.readable().await?;
    ///     let mut bufs = [IoSliceMut::new(&mut head), IoSliceMut::new(&mut body)];
    ///     match server.try_read_vectored(&mut bufs) {
    ///         Ok(n) if n < 8 => continue, // a partial arrival; not here on loopback
    ///         Ok(n) => break n,
    ///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
    ///         Err(e) => return Err(e),
    ///     }
    /// };
    /// assert_eq!((n, &head, &body), (8, b"head", b"body"));
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
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

    /// Writes from several buffers (one `writev(2)`) what fits now,
    /// without waiting; `WouldBlock` if the socket is not writable.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::IoSlice;
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let client = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// client.writable().await?;
    /// let n = client.try_write_vectored(&[IoSlice::new(b"head"), IoSlice::new(b"body")])?;
    /// assert_eq!(n, 8);
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
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

    /// Deregisters the stream from the reactor and returns it as a std
    /// stream, still in non-blocking mode (as tokio does; call
    /// `set_nonblocking(false)` for blocking I/O).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let client = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (server, _) = listener.accept().await?;
    /// let mut client = client.into_std()?;
    /// client.set_nonblocking(false)?;
    /// client.write_all(b"std")?;
    /// let mut server = server.into_std()?;
    /// server.set_nonblocking(false)?;
    /// let mut buf = [0; 3];
    /// server.read_exact(&mut buf)?;
    /// assert_eq!(&buf, b"std");
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the process is out of file descriptors (the socket is
    /// handed over through `dup(2)`; see `net/readiness.rs`).
    #[cfg(unix)]
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        self.source.into_fd().map(std::net::TcpStream::from)
    }

    /// The `SO_LINGER` setting: `None` (the default) closes in the
    /// background, `Some(d)` makes closing wait up to `d` for unsent data.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// assert_eq!(stream.linger()?, None);
    /// stream.set_linger(Some(Duration::from_secs(1)))?;
    /// assert_eq!(stream.linger()?, Some(Duration::from_secs(1)));
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        socket2::SockRef::from(&*self.source).linger()
    }

    /// Sets `IP_TTL`: how many hops the connection's packets may travel.
    ///
    /// # Examples
    ///
    /// ```
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// stream.set_ttl(42)?;
    /// assert_eq!(stream.ttl()?, 42);
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the value (0, or above 255).
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.source.set_ttl(ttl)
    }

    /// The `IP_TTL` of the connection's packets.
    ///
    /// # Examples
    ///
    /// See [`set_ttl`](Self::set_ttl).
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    pub fn ttl(&self) -> io::Result<u32> {
        self.source.ttl()
    }

    /// Sets `SO_KEEPALIVE`: the kernel probes an idle connection and
    /// reports a dead peer as an error (after the system's keepalive time,
    /// two hours by default on Linux).
    ///
    /// # Examples
    ///
    /// ```
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// stream.set_keepalive(true)?;
    /// assert!(stream.keepalive()?);
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the option.
    pub fn set_keepalive(&self, keepalive: bool) -> io::Result<()> {
        socket2::SockRef::from(&*self.source).set_keepalive(keepalive)
    }

    /// Whether `SO_KEEPALIVE` is set.
    ///
    /// The probe timing (`TCP_KEEPIDLE` and friends) is set through
    /// socket2: `socket2::SockRef::from(&stream).set_tcp_keepalive(..)`.
    ///
    /// # Examples
    ///
    /// See [`set_keepalive`](Self::set_keepalive).
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    pub fn keepalive(&self) -> io::Result<bool> {
        socket2::SockRef::from(&*self.source).keepalive()
    }

    /// Splits the stream into a read half and a write half that borrow it,
    /// so one task can read while another writes (for example with
    /// `futures::join!`).
    ///
    /// With [`AsyncReadExt`](crate::io::AsyncReadExt) in scope, method-call
    /// syntax `stream.split()` resolves to that trait's by-value `split`
    /// (a lock-based split that works on any stream); write
    /// `TcpStream::split(&mut stream)` to get this one, which needs no lock.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::{AsyncReadExt, AsyncWriteExt};
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (mut reader, mut writer) = spindle::net::TcpStream::split(&mut stream);
    /// writer.write_all(b"x").await?;
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        split::split(self)
    }

    /// Splits the stream into owned halves that can move into two tasks.
    /// Dropping the write half shuts down the write side (sends a FIN).
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::AsyncWriteExt;
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (reader, mut writer) = stream.into_split();
    /// spindle::spawn(async move { writer.write_all(b"x").await });
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split::into_split(Arc::new(self))
    }

    /// The registered socket, for the split halves and the hyper adapter,
    /// which do their I/O through it.
    pub(crate) fn source(&self) -> &IoSource<mio::net::TcpStream> {
        &self.source
    }

    /// Sends a FIN (the body of `poll_close`).
    pub(crate) fn poll_close_priv(&self) -> Poll<io::Result<()>> {
        close_result(self.source.shutdown(Shutdown::Write))
    }
}

impl AsyncRead for TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.source.poll_read(cx, buf)
    }
}

impl AsyncRead for &TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.source.poll_read(cx, buf)
    }
}

impl AsyncWrite for TcpStream {
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

impl AsyncWrite for &TcpStream {
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
crate::tokio::io::async_read!(TcpStream, &TcpStream);
#[cfg(feature = "tokio")]
crate::tokio::io::async_write!(vectored: true; TcpStream, &TcpStream);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.source.as_raw_fd()
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for TcpStream {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.source.as_fd()
    }
}
