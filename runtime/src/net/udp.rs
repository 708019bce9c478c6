//! `UdpSocket`: datagrams sent and received without blocking the thread.
//!
//! A UDP socket moves whole datagrams: one `send_to` is one datagram on the
//! wire, and one `recv_from` returns exactly one datagram, never two merged
//! and never one split (a datagram larger than the buffer is truncated by
//! the kernel, and the rest is lost, as with `recvfrom(2)`).
//!
//! Every operation goes through `Registration::poll_io` (see
//! `registration.rs`), so it waits on the reactor when the socket is not
//! ready, exactly like a TCP read or write, and readiness is cleared only
//! when the kernel answers `WouldBlock`.
//!
//! # Why not the short-read rule
//!
//! A TCP read that returns fewer bytes than asked proves the receive buffer
//! was empty, so `poll_io_sized` clears readiness at once. A short datagram
//! proves nothing: the next datagram in the queue may be right behind it.
//! So UDP uses plain `poll_io` and keeps readiness until `WouldBlock`.
//!
//! # Where it sits in the loop
//!
//! `recv_from` → `WouldBlock` → clear `READABLE`, park the waker in the
//! socket's reactor slot → `Pending` → a datagram arrives → the reactor's
//! event sets `READABLE` and wakes the task → `recv_from` runs again.
//!
//! # Invariants
//!
//! - One call, one datagram: every receive is one `recvfrom(2)` (or
//!   `recv`, `peek_from`) and every send one `sendto(2)`; nothing is
//!   buffered or reassembled here.
//! - **Stale readiness.** Readiness is cleared only on `WouldBlock`, never
//!   after a short datagram, so a queued datagram is never left waiting for
//!   an edge that will not come.
//! - All syscalls are mio's own methods, so on mio's `poll(2)` backend a
//!   `WouldBlock` re-arms the socket as it must.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::task::{Context, Poll};

use crate::reactor::Direction;
use crate::registration::IoSource;

/// A UDP socket: send datagrams to any address, receive them from any.
///
/// After [`connect`](UdpSocket::connect), [`send`](UdpSocket::send) and
/// [`recv`](UdpSocket::recv) talk to that one peer, and datagrams from
/// other addresses are dropped by the kernel.
///
/// All methods take `&self`, so one socket can be shared by several tasks
/// (for example in an `Rc`); each waiting direction parks one waker, so one
/// task should receive and one send at a time.
///
/// # Examples
///
/// ```
/// use spindle::net::UdpSocket;
///
/// spindle::block_on(async {
///     let a = UdpSocket::bind("127.0.0.1:0")?;
///     let b = UdpSocket::bind("127.0.0.1:0")?;
///     a.send_to(b"ping", b.local_addr()?).await?;
///     let mut buf = [0; 16];
///     let (n, from) = b.recv_from(&mut buf).await?;
///     assert_eq!(&buf[..n], b"ping");
///     assert_eq!(from, a.local_addr()?);
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UdpSocket {
    /// The registered mio socket.
    source: IoSource<mio::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds a socket to `addr`. Port 0 asks the OS for a free port.
    ///
    /// If `addr` yields several addresses, each is tried in turn and the
    /// first that binds is used. Resolving a host name blocks the thread.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let socket = spindle::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     assert_ne!(socket.local_addr()?.port(), 0);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if no address could be bound (in use, not permitted, not
    /// local); the error names the address.
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        let mut last_err = None;
        for addr in addr.to_socket_addrs()? {
            match mio::net::UdpSocket::bind(addr) {
                Ok(socket) => {
                    return Ok(UdpSocket {
                        source: IoSource::new(socket, "UdpSocket::bind")?,
                    })
                }
                Err(err) => {
                    last_err = Some(io::Error::new(
                        err.kind(),
                        format!("could not bind UDP socket to {addr}: {err}"),
                    ))
                }
            }
        }
        Err(last_err.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "could not resolve to any address",
            )
        }))
    }

    /// Wraps a std socket, switching it to non-blocking mode.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let std_socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     let socket = spindle::net::UdpSocket::from_std(std_socket)?;
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
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        let socket = mio::net::UdpSocket::from_std(socket);
        Ok(UdpSocket {
            source: IoSource::new(socket, "UdpSocket::from_std")?,
        })
    }

    /// Sets the default peer: [`send`](Self::send) goes there, and only
    /// datagrams from there are received. No packet is sent.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     let b = spindle::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     a.connect(b.local_addr()?)?;
    ///     assert_eq!(a.peer_addr()?, b.local_addr()?);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if `addr` resolves to nothing, or the OS refuses it (for
    /// example an IPv6 peer for an IPv4 socket); the error names the address.
    pub fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let mut last_err = None;
        for addr in addr.to_socket_addrs()? {
            match self.source.connect(addr) {
                Ok(()) => return Ok(()),
                Err(err) => {
                    last_err = Some(io::Error::new(
                        err.kind(),
                        format!("could not connect UDP socket to {addr}: {err}"),
                    ))
                }
            }
        }
        Err(last_err.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "could not resolve to any address",
            )
        }))
    }

    /// Sends one datagram to `target`, waiting until the socket can send.
    /// Returns the number of bytes sent, which is all of `buf`.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     let b = spindle::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     assert_eq!(a.send_to(b"hello", b.local_addr()?).await?, 5);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `EMSGSIZE` if the datagram is too large, or the socket's error.
    pub async fn send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        poll_fn(|cx| self.poll_send_to(cx, buf, target)).await
    }

    /// Polls for [`send_to`](Self::send_to).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     let to = a.local_addr()?;
    ///     assert_eq!(poll_fn(|cx| a.poll_send_to(cx, b"x", to)).await?, 1);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`send_to`](Self::send_to).
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        self.source
            .registration()
            .poll_io(Direction::Write, cx, || self.source.send_to(buf, target))
    }

    /// Receives one datagram into `buf`, waiting until one arrives; returns
    /// its length and sender. A datagram longer than `buf` is truncated.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     a.send_to(b"to myself", a.local_addr()?).await?;
    ///     let mut buf = [0; 32];
    ///     let (n, from) = a.recv_from(&mut buf).await?;
    ///     assert_eq!((&buf[..n], from), (&b"to myself"[..], a.local_addr()?));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The socket's error, for example `ConnectionRefused` on a connected
    /// socket whose peer's port is closed (reported by ICMP).
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        poll_fn(|cx| self.poll_recv_from(cx, buf)).await
    }

    /// Polls for [`recv_from`](Self::recv_from).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     a.send_to(b"x", a.local_addr()?).await?;
    ///     let mut buf = [0; 4];
    ///     let (n, _) = poll_fn(|cx| a.poll_recv_from(cx, &mut buf)).await?;
    ///     assert_eq!(n, 1);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`recv_from`](Self::recv_from).
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        // `poll_io`, not `poll_io_sized`: a short datagram proves nothing
        // (see the module doc).
        self.source
            .registration()
            .poll_io(Direction::Read, cx, || self.source.recv_from(buf))
    }

    /// Receives one datagram like [`recv_from`](Self::recv_from) but leaves
    /// it queued, so the next receive returns it again.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     a.send_to(b"again", a.local_addr()?).await?;
    ///     let mut buf = [0; 8];
    ///     let (n, _) = a.peek_from(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"again");
    ///     let (n, _) = a.recv_from(&mut buf).await?; // still there
    ///     assert_eq!(&buf[..n], b"again");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`recv_from`](Self::recv_from).
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let registration = self.source.registration();
        poll_fn(|cx| registration.poll_io(Direction::Read, cx, || self.source.peek_from(buf))).await
    }

    /// Sends one datagram to the peer set by [`connect`](Self::connect).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     let b = spindle::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     a.connect(b.local_addr()?)?;
    ///     a.send(b"hi").await?;
    ///     let mut buf = [0; 2];
    ///     assert_eq!(b.recv_from(&mut buf).await?.0, 2);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `NotConnected` (`EDESTADDRREQ`) if the socket is not connected, or
    /// as [`send_to`](Self::send_to).
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        let registration = self.source.registration();
        poll_fn(|cx| registration.poll_io(Direction::Write, cx, || self.source.send(buf))).await
    }

    /// Receives one datagram from the peer set by
    /// [`connect`](Self::connect).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     let b = spindle::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     a.connect(b.local_addr()?)?;
    ///     b.send_to(b"yo", a.local_addr()?).await?;
    ///     let mut buf = [0; 8];
    ///     assert_eq!(a.recv(&mut buf).await?, 2);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`recv_from`](Self::recv_from).
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        let registration = self.source.registration();
        poll_fn(|cx| registration.poll_io(Direction::Read, cx, || self.source.recv(buf))).await
    }

    /// The local address.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let socket = spindle::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     assert!(socket.local_addr()?.ip().is_loopback());
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

    /// The address set by [`connect`](Self::connect).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let socket = spindle::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     assert!(socket.peer_addr().is_err()); // not connected yet
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `NotConnected` if the socket is not connected.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.source.peer_addr()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.source.as_raw_fd()
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for UdpSocket {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.source.as_fd()
    }
}
