//! `TcpSocket`: a TCP socket configured before it becomes a stream or a
//! listener.
//!
//! Some options only mean something before `connect(2)` or `listen(2)`:
//! `SO_REUSEPORT` (several listeners on one port, the kernel spreading
//! connections between them), `SO_REUSEADDR`, the buffer sizes that fix
//! the TCP window scale at the handshake, a local address for an outgoing
//! connection. [`TcpSocket`] is that unconnected socket (a socket2
//! `Socket`, non-blocking from the start); [`connect`](TcpSocket::connect)
//! turns it into a [`TcpStream`] and [`listen`](TcpSocket::listen) into a
//! [`TcpListener`]:
//!
//! ```text
//!   new_v4 / new_v6 ──► set_* options ──► bind (optional for connect)
//!                                    ├──► connect(addr).await ──► TcpStream
//!                                    └──► listen(backlog) ──────► TcpListener
//! ```
//!
//! Nothing here touches the reactor until the last step: the socket is
//! registered when it becomes a stream or a listener.
//!
//! # Where it sits in the loop
//!
//! `connect` starts a non-blocking `connect(2)` (it answers `EINPROGRESS`),
//! registers the socket, then waits for it to become writable and asks
//! `SO_ERROR` how it went, exactly as [`TcpStream::connect`] does.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

use crate::net::{TcpListener, TcpStream};

/// A TCP socket that has not yet connected or listened.
///
/// # Examples
///
/// ```
/// use spindle::net::TcpSocket;
///
/// spindle::block_on(async {
///     let socket = TcpSocket::new_v4()?;
///     socket.set_reuseaddr(true)?;
///     socket.bind("127.0.0.1:0".parse().unwrap())?;
///     let listener = socket.listen(128)?;
///
///     let client = TcpSocket::new_v4()?;
///     client.set_nodelay(true)?;
///     let stream = client.connect(listener.local_addr()?).await?;
///     assert!(stream.nodelay()?);
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpSocket {
    /// The socket, non-blocking, not yet registered with a reactor.
    inner: Socket,
}

impl TcpSocket {
    /// Creates an IPv4 TCP socket.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = spindle::net::TcpSocket::new_v4()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the process is out of file descriptors.
    pub fn new_v4() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV4)
    }

    /// Creates an IPv6 TCP socket.
    ///
    /// # Examples
    ///
    /// ```
    /// // Fails only where the kernel has no IPv6 at all.
    /// if let Ok(socket) = spindle::net::TcpSocket::new_v6() {
    ///     drop(socket);
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the process is out of file descriptors or the system has
    /// no IPv6.
    pub fn new_v6() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV6)
    }

    /// Creates a non-blocking socket of `domain`.
    fn new(domain: Domain) -> io::Result<TcpSocket> {
        let inner = Socket::new(domain, Type::STREAM, Some(Protocol::TCP))?;
        inner.set_nonblocking(true)?;
        Ok(TcpSocket { inner })
    }

    /// Sets `SO_REUSEADDR`: bind a port whose old connections still sit in
    /// `TIME_WAIT` (a restarted server wants this).
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = spindle::net::TcpSocket::new_v4()?;
    /// socket.set_reuseaddr(true)?;
    /// assert!(socket.reuseaddr()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the option.
    pub fn set_reuseaddr(&self, reuse: bool) -> io::Result<()> {
        self.inner.set_reuse_address(reuse)
    }

    /// Whether `SO_REUSEADDR` is set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!spindle::net::TcpSocket::new_v4()?.reuseaddr()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    pub fn reuseaddr(&self) -> io::Result<bool> {
        self.inner.reuse_address()
    }

    /// Sets `SO_REUSEPORT`: several sockets, each with the option set, may
    /// bind and listen on the same address; the kernel spreads incoming
    /// connections between them (how `spindle-server --threads N` gives
    /// each thread its own listener).
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = spindle::net::TcpSocket::new_v4()?;
    /// socket.set_reuseport(true)?;
    /// assert!(socket.reuseport()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the option.
    ///
    /// # Portability
    ///
    /// Unix only (not Solaris or illumos). On Linux, the sockets must
    /// belong to the same user.
    #[cfg(all(unix, not(any(target_os = "solaris", target_os = "illumos"))))]
    pub fn set_reuseport(&self, reuse: bool) -> io::Result<()> {
        self.inner.set_reuse_port(reuse)
    }

    /// Whether `SO_REUSEPORT` is set.
    ///
    /// # Examples
    ///
    /// See [`set_reuseport`](Self::set_reuseport).
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    #[cfg(all(unix, not(any(target_os = "solaris", target_os = "illumos"))))]
    pub fn reuseport(&self) -> io::Result<bool> {
        self.inner.reuse_port()
    }

    /// Sets `TCP_NODELAY` for the stream this socket becomes (see
    /// [`TcpStream::set_nodelay`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = spindle::net::TcpSocket::new_v4()?;
    /// socket.set_nodelay(true)?;
    /// assert!(socket.nodelay()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the option.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// # Examples
    ///
    /// See [`set_nodelay`](Self::set_nodelay).
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.nodelay()
    }

    /// Sets `SO_KEEPALIVE` (see [`TcpStream::set_keepalive`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = spindle::net::TcpSocket::new_v4()?;
    /// socket.set_keepalive(true)?;
    /// assert!(socket.keepalive()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the option.
    pub fn set_keepalive(&self, keepalive: bool) -> io::Result<()> {
        self.inner.set_keepalive(keepalive)
    }

    /// Whether `SO_KEEPALIVE` is set.
    ///
    /// # Examples
    ///
    /// See [`set_keepalive`](Self::set_keepalive).
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    pub fn keepalive(&self) -> io::Result<bool> {
        self.inner.keepalive()
    }

    /// Sets `SO_SNDBUF`, the kernel's send buffer. Linux doubles the value
    /// (for its bookkeeping) and clamps it to `net.core.wmem_max`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = spindle::net::TcpSocket::new_v4()?;
    /// socket.set_send_buffer_size(64 * 1024)?;
    /// assert!(socket.send_buffer_size()? >= 64 * 1024 / 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the value.
    pub fn set_send_buffer_size(&self, size: u32) -> io::Result<()> {
        self.inner.set_send_buffer_size(size as usize)
    }

    /// The size of the send buffer, as the kernel reports it.
    ///
    /// # Examples
    ///
    /// See [`set_send_buffer_size`](Self::set_send_buffer_size).
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        self.inner.send_buffer_size().map(saturate)
    }

    /// Sets `SO_RCVBUF`, the kernel's receive buffer (which bounds the TCP
    /// window; set it before `connect` or `listen` for it to count in the
    /// handshake). Linux doubles the value and clamps it to
    /// `net.core.rmem_max`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = spindle::net::TcpSocket::new_v4()?;
    /// socket.set_recv_buffer_size(64 * 1024)?;
    /// assert!(socket.recv_buffer_size()? >= 64 * 1024 / 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the value.
    pub fn set_recv_buffer_size(&self, size: u32) -> io::Result<()> {
        self.inner.set_recv_buffer_size(size as usize)
    }

    /// The size of the receive buffer, as the kernel reports it.
    ///
    /// # Examples
    ///
    /// See [`set_recv_buffer_size`](Self::set_recv_buffer_size).
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        self.inner.recv_buffer_size().map(saturate)
    }

    /// Sets `SO_LINGER` (see [`TcpStream::set_linger`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let socket = spindle::net::TcpSocket::new_v4()?;
    /// socket.set_linger(Some(Duration::from_secs(2)))?;
    /// assert_eq!(socket.linger()?, Some(Duration::from_secs(2)));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the option.
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        self.inner.set_linger(linger)
    }

    /// The `SO_LINGER` setting.
    ///
    /// # Examples
    ///
    /// See [`set_linger`](Self::set_linger).
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        self.inner.linger()
    }

    /// Binds the socket to a local address. Port 0 asks the OS for a free
    /// port.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = spindle::net::TcpSocket::new_v4()?;
    /// socket.bind("127.0.0.1:0".parse().unwrap())?;
    /// assert_ne!(socket.local_addr()?.port(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `AddrInUse` if another socket holds the address (and not both set
    /// `SO_REUSEPORT`), `AddrNotAvailable` if it is not local; the message
    /// names the address.
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        self.inner.bind(&addr.into()).map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("could not bind TCP socket to {addr}: {err}"),
            )
        })
    }

    /// The local address: the one bound, or the one the OS picked.
    ///
    /// # Examples
    ///
    /// See [`bind`](Self::bind).
    ///
    /// # Errors
    ///
    /// Fails if the socket is not bound, or the OS cannot report it.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()?.as_socket().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "TcpSocket has no IP address (not bound)",
            )
        })
    }

    /// Connects to `addr` and returns the stream.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let socket = spindle::net::TcpSocket::new_v4()?;
    ///     let stream = socket.connect(listener.local_addr()?).await?;
    ///     assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `ConnectionRefused` when nothing listens there, or another error of
    /// `connect(2)`; the message names the address.
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        let named = |err: io::Error| {
            io::Error::new(err.kind(), format!("could not connect to {addr}: {err}"))
        };
        match self.inner.connect(&addr.into()) {
            Ok(()) => {}
            Err(err) if connect_in_progress(&err) => {}
            Err(err) => return Err(named(err)),
        }
        let stream = mio::net::TcpStream::from_std(self.inner.into());
        let stream = TcpStream::from_mio(stream, "TcpSocket::connect")?;
        stream.connected().await.map_err(named)?;
        Ok(stream)
    }

    /// Starts listening, with at most `backlog` finished handshakes queued
    /// before `accept` (the kernel caps it at `net.core.somaxconn`).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let socket = spindle::net::TcpSocket::new_v4()?;
    ///     socket.bind("127.0.0.1:0".parse().unwrap())?;
    ///     let listener = socket.listen(1024)?;
    ///     let _client = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let (_conn, _peer) = listener.accept().await?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The error of `listen(2)` (for example `AddrInUse` when another
    /// listener holds the port), naming the address.
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        let backlog = i32::try_from(backlog).unwrap_or(i32::MAX);
        if let Err(err) = self.inner.listen(backlog) {
            let addr = self
                .local_addr()
                .map_or_else(|_| "an unbound socket".to_string(), |a| a.to_string());
            return Err(io::Error::new(
                err.kind(),
                format!("could not listen on {addr}: {err}"),
            ));
        }
        TcpListener::from_std(self.inner.into())
    }
}

/// Whether a non-blocking `connect(2)` answered "started, not finished":
/// `EINPROGRESS` on Unix (`WouldBlock` covers the platforms that answer
/// `EAGAIN`/`EWOULDBLOCK` instead).
fn connect_in_progress(err: &io::Error) -> bool {
    #[cfg(unix)]
    if err.raw_os_error() == Some(rustix::io::Errno::INPROGRESS.raw_os_error()) {
        return true;
    }
    err.kind() == io::ErrorKind::WouldBlock
}

/// A buffer size as `u32` (the kernel's are `int`s, so this never cuts).
fn saturate(size: usize) -> u32 {
    u32::try_from(size).unwrap_or(u32::MAX)
}

impl fmt::Debug for TcpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpSocket")
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for TcpSocket {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.inner.as_raw_fd()
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for TcpSocket {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.inner.as_fd()
    }
}
