//! `TcpListener`: accepts TCP connections without blocking the thread.
//!
//! `bind` creates the socket with socket2 so the listen backlog can be 1024
//! (mio's own `bind` fixes it at 128, which a burst of connections
//! overflows), and registers it with the reactor. `accept` waits for the
//! listener's read readiness, then calls `accept(2)` until it would block.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use socket2::{Domain, Protocol, Socket, Type};

use crate::net::lookup::try_each_addr;
use crate::net::{TcpStream, ToSocketAddrs};
use crate::reactor::Direction;
use crate::reactor::IoSource;

/// A TCP socket server, listening for connections.
///
/// # Examples
///
/// ```
/// use spindle::io::{AsyncReadExt, AsyncWriteExt};
/// use spindle::net::{TcpListener, TcpStream};
///
/// spindle::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let addr = listener.local_addr()?;
///     spindle::spawn(async move {
///         let (mut conn, _peer) = listener.accept().await.unwrap();
///         conn.write_all(b"hi").await.unwrap();
///     });
///     let mut client = TcpStream::connect(addr).await?;
///     let mut buf = [0; 2];
///     client.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"hi");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpListener {
    /// The registered mio listener.
    source: IoSource<mio::net::TcpListener>,
}

impl TcpListener {
    /// The listen backlog: how many finished handshakes the kernel holds
    /// before `accept`. 1024 matches tokio and lets a burst of clients (or a
    /// server at its connection limit) queue instead of being refused. The
    /// kernel caps it at `net.core.somaxconn`.
    pub const BACKLOG: i32 = 1024;

    /// Binds a listener to `addr`, with `SO_REUSEADDR` and a backlog of
    /// [`BACKLOG`](Self::BACKLOG). Port 0 asks the OS for a free port.
    ///
    /// If `addr` yields several addresses, each is tried in turn and the
    /// first that binds is used. A host name is resolved on the blocking
    /// pool (see [`lookup_host`](crate::net::lookup_host)), so the loop keeps running; an IP address
    /// is used at once, without a thread hop.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     assert_ne!(listener.local_addr()?.port(), 0);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the host does not resolve, or no address could be bound (in
    /// use, not permitted, not local); the error names the host or address.
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        let listener = try_each_addr(addr, "could not bind TCP listener to", |addr| {
            std::future::ready(bind_socket(addr))
        })
        .await?;
        TcpListener::from_std(listener)
    }

    /// Wraps a listener made elsewhere (with custom socket options, such as
    /// `SO_REUSEPORT`), switching it to non-blocking mode.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let listener = spindle::net::TcpListener::from_std(std_listener)?;
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
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        let listener = mio::net::TcpListener::from_std(listener);
        Ok(TcpListener {
            source: IoSource::new(listener, "TcpListener::from_std")?,
        })
    }

    /// Waits for a connection and returns it with the peer's address.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::net::{TcpListener, TcpStream};
    ///
    /// spindle::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let client = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (_conn, peer) = listener.accept().await?;
    ///     assert_eq!(peer, client.local_addr()?);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Returns the error of `accept(2)`: for example `EMFILE` when the
    /// process is out of file descriptors, or `ECONNABORTED` when a client
    /// gave up before it was accepted. The listener stays usable.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// Polls for a connection; the building block of
    /// [`accept`](Self::accept) for hand-written futures.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use spindle::net::{TcpListener, TcpStream};
    ///
    /// spindle::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let _client = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (_conn, _peer) = poll_fn(|cx| listener.poll_accept(cx)).await?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`accept`](Self::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let registration = self.source.registration();
        let (stream, addr) =
            match registration.poll_io(Direction::Read, cx, || self.source.accept()) {
                Poll::Ready(Ok(accepted)) => accepted,
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            };
        Poll::Ready(TcpStream::from_mio(stream, "TcpListener::accept").map(|s| (s, addr)))
    }

    /// Deregisters the listener from the reactor and returns it as a std
    /// listener, still in non-blocking mode (as tokio does; call
    /// `set_nonblocking(false)` for a blocking `accept`).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let addr = listener.local_addr()?;
    ///     let std_listener = listener.into_std()?;
    ///     assert_eq!(std_listener.local_addr()?, addr);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the process is out of file descriptors (the socket is
    /// handed over through `dup(2)`).
    #[cfg(unix)]
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
        self.source.into_fd().map(std::net::TcpListener::from)
    }

    /// Sets `IP_TTL` for the connections this listener accepts.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     listener.set_ttl(100)?;
    ///     assert_eq!(listener.ttl()?, 100);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the value.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.source.set_ttl(ttl)
    }

    /// The `IP_TTL` of the listener.
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

    /// The address the listener is bound to.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     assert!(listener.local_addr()?.ip().is_loopback());
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
}

/// Creates, binds and listens on a non-blocking socket for `addr`.
fn bind_socket(addr: SocketAddr) -> io::Result<std::net::TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    // SO_REUSEADDR lets a restarted server bind while old connections sit in
    // TIME_WAIT; it does not let two listeners share a port (that is
    // SO_REUSEPORT). Windows' meaning differs, hence unix only.
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(TcpListener::BACKLOG)?;
    Ok(socket.into())
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.source.as_raw_fd()
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for TcpListener {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.source.as_fd()
    }
}
