//! `UdpSocket`: datagrams sent and received without blocking the thread.
//!
//! A UDP socket moves whole datagrams: one `send_to` is one datagram on the
//! wire, and one `recv_from` returns exactly one datagram, never two merged
//! and never one split (a datagram larger than the buffer is truncated by
//! the kernel, and the rest is lost, as with `recvfrom(2)`).
//!
//! Every operation goes through `Registration::poll_io` (see
//! `reactor/registration.rs`), so it waits on the reactor when the socket is not
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
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::task::{Context, Poll};

use crate::io::{Interest, Ready};
use crate::net::lookup::try_each_addr;
use crate::net::ToSocketAddrs;
use crate::reactor::Direction;
use crate::reactor::IoSource;

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
///     let a = UdpSocket::bind("127.0.0.1:0").await?;
///     let b = UdpSocket::bind("127.0.0.1:0").await?;
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
    /// first that binds is used. A host name is resolved on the blocking
    /// pool (see [`lookup_host`](crate::net::lookup_host)), so the loop keeps running; an IP address
    /// is used at once, without a thread hop.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let socket = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert_ne!(socket.local_addr()?.port(), 0);
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
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        let socket = try_each_addr(addr, "could not bind UDP socket to", |addr| {
            std::future::ready(mio::net::UdpSocket::bind(addr))
        })
        .await?;
        Ok(UdpSocket {
            source: IoSource::new(socket, "UdpSocket::bind")?,
        })
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
    /// datagrams from there are received. No packet is sent. A host name is
    /// resolved on the blocking pool, as for [`bind`](Self::bind).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
    ///     assert_eq!(a.peer_addr()?, b.local_addr()?);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if `addr` resolves to nothing, or the OS refuses it (for
    /// example an IPv6 peer for an IPv4 socket); the error names the host or
    /// address.
    pub async fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        try_each_addr(addr, "could not connect UDP socket to", |addr| {
            std::future::ready(self.source.connect(addr))
        })
        .await
    }

    /// Sends one datagram to `target`, waiting until the socket can send.
    /// Returns the number of bytes sent, which is all of `buf`.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
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
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
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
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
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
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
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
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
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
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
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
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
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
    ///     let socket = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
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
    ///     let socket = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
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

    /// Receives one datagram from the connected peer like
    /// [`recv`](Self::recv) but leaves it queued.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(a.local_addr()?).await?;
    ///     a.send(b"twice").await?;
    ///     let mut buf = [0; 8];
    ///     assert_eq!(a.peek(&mut buf).await?, 5);
    ///     assert_eq!(a.recv(&mut buf).await?, 5); // still there
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`recv_from`](Self::recv_from).
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        let registration = self.source.registration();
        poll_fn(|cx| registration.poll_io(Direction::Read, cx, || self.source.peek(buf))).await
    }

    /// Polls for [`send`](Self::send): sends one datagram to the connected
    /// peer, or keeps the waker until the socket can send.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(a.local_addr()?).await?;
    ///     assert_eq!(poll_fn(|cx| a.poll_send(cx, b"hey")).await?, 3);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.source
            .registration()
            .poll_io(Direction::Write, cx, || self.source.send(buf))
    }

    /// Polls for [`recv`](Self::recv): receives one datagram from the
    /// connected peer, or keeps the waker until one arrives.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(a.local_addr()?).await?;
    ///     a.send(b"hey").await?;
    ///     let mut buf = [0; 8];
    ///     assert_eq!(poll_fn(|cx| a.poll_recv(cx, &mut buf)).await?, 3);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv).
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.source
            .registration()
            .poll_io(Direction::Read, cx, || self.source.recv(buf))
    }

    /// Polls for [`peek_from`](Self::peek_from).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"x", a.local_addr()?).await?;
    ///     let mut buf = [0; 4];
    ///     let (n, from) = poll_fn(|cx| a.poll_peek_from(cx, &mut buf)).await?;
    ///     assert_eq!((n, from), (1, a.local_addr()?));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`recv_from`](Self::recv_from).
    pub fn poll_peek_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.source
            .registration()
            .poll_io(Direction::Read, cx, || self.source.peek_from(buf))
    }

    /// Waits for a datagram and returns its sender, leaving the datagram
    /// queued (`MSG_PEEK` with an empty buffer: nothing is copied).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"who?", b.local_addr()?).await?;
    ///     assert_eq!(b.peek_sender().await?, a.local_addr()?);
    ///     let mut buf = [0; 8];
    ///     assert_eq!(b.recv(&mut buf).await?, 4); // still queued
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`recv_from`](Self::recv_from).
    pub async fn peek_sender(&self) -> io::Result<SocketAddr> {
        poll_fn(|cx| self.poll_peek_sender(cx)).await
    }

    /// Polls for [`peek_sender`](Self::peek_sender).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"x", a.local_addr()?).await?;
    ///     assert_eq!(poll_fn(|cx| a.poll_peek_sender(cx)).await?, a.local_addr()?);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`recv_from`](Self::recv_from).
    pub fn poll_peek_sender(&self, cx: &mut Context<'_>) -> Poll<io::Result<SocketAddr>> {
        self.source
            .registration()
            .poll_io(Direction::Read, cx, || self.peek_sender_now())
    }

    /// One `recvfrom(MSG_PEEK)` for the sender, through mio's `try_io` so
    /// that mio's `poll(2)` backend re-arms the socket on `WouldBlock`.
    fn peek_sender_now(&self) -> io::Result<SocketAddr> {
        let addr = self
            .source
            .try_io(|| socket2::SockRef::from(&*self.source).peek_sender())?;
        addr.as_socket().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                "peek_sender: the sender has no IP address",
            )
        })
    }

    /// Waits until the socket is ready in a direction of `interest` and
    /// returns the readiness seen.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::Interest;
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let ready = a.ready(Interest::READABLE | Interest::WRITABLE).await?;
    ///     assert!(ready.is_writable()); // a fresh socket can send
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

    /// Waits until a datagram may be there to receive; then call
    /// [`try_recv_from`](Self::try_recv_from) (or `try_recv`) until it says
    /// `WouldBlock`.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"one", a.local_addr()?).await?;
    ///     let mut buf = [0; 8];
    ///     let (n, _) = loop {
    ///         a.readable().await?;
    ///         match a.try_recv_from(&mut buf) {
    ///             Ok(got) => break got,
    ///             Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
    ///             Err(e) => return Err(e),
    ///         }
    ///     };
    ///     assert_eq!(&buf[..n], b"one");
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

    /// Waits until the socket may be able to send.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.writable().await?;
    ///     assert_eq!(a.try_send_to(b"x", a.local_addr()?)?, 1);
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

    /// Polls for receive readiness (see [`readable`](Self::readable)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"x", a.local_addr()?).await?;
    ///     poll_fn(|cx| a.poll_recv_ready(cx)).await?;
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
    pub fn poll_recv_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.source.poll_read_ready(cx)
    }

    /// Polls for send readiness (see [`writable`](Self::writable)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     poll_fn(|cx| a.poll_send_ready(cx)).await?;
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
    pub fn poll_send_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.source.poll_write_ready(cx)
    }

    /// Sends one datagram to the connected peer if the socket can send now;
    /// `WouldBlock` otherwise (no syscall when the reactor has not reported
    /// it writable).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(a.local_addr()?).await?;
    ///     a.writable().await?;
    ///     assert_eq!(a.try_send(b"now")?, 3);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or as [`send`](Self::send).
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.source.try_op(Direction::Write, |s| s.send(buf))
    }

    /// Sends one datagram to `target` if the socket can send now;
    /// `WouldBlock` otherwise.
    ///
    /// # Examples
    ///
    /// See [`writable`](Self::writable).
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or as [`send_to`](Self::send_to).
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.source
            .try_op(Direction::Write, |s| s.send_to(buf, target))
    }

    /// Receives one datagram from the connected peer if one is there now;
    /// `WouldBlock` otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(a.local_addr()?).await?;
    ///     a.send(b"hi").await?;
    ///     let mut buf = [0; 8];
    ///     let n = loop {
    ///         a.readable().await?;
    ///         match a.try_recv(&mut buf) {
    ///             Ok(n) => break n,
    ///             Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
    ///             Err(e) => return Err(e),
    ///         }
    ///     };
    ///     assert_eq!(&buf[..n], b"hi");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or as [`recv`](Self::recv).
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.source.try_op(Direction::Read, |s| s.recv(buf))
    }

    /// Receives one datagram if one is there now, with its sender;
    /// `WouldBlock` otherwise.
    ///
    /// # Examples
    ///
    /// See [`readable`](Self::readable).
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or as [`recv_from`](Self::recv_from).
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.source.try_op(Direction::Read, |s| s.recv_from(buf))
    }

    /// Like [`try_recv_from`](Self::try_recv_from) but leaves the datagram
    /// queued.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let a = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"p", a.local_addr()?).await?;
    ///     a.readable().await?;
    ///     let mut buf = [0; 4];
    ///     assert_eq!(a.try_peek_from(&mut buf)?.0, 1);
    ///     assert_eq!(a.try_recv_from(&mut buf)?.0, 1); // still there
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or as [`recv_from`](Self::recv_from).
    pub fn try_peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.source.try_op(Direction::Read, |s| s.peek_from(buf))
    }

    /// Deregisters the socket from the reactor and returns it as a std
    /// socket, still in non-blocking mode (as tokio does).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let socket = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let addr = socket.local_addr()?;
    ///     let std_socket = socket.into_std()?;
    ///     assert_eq!(std_socket.local_addr()?, addr);
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
    pub fn into_std(self) -> io::Result<std::net::UdpSocket> {
        self.source.into_fd().map(std::net::UdpSocket::from)
    }

    /// Sets `IP_TTL`: how many hops unicast datagrams may travel.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let socket = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     socket.set_ttl(7)?;
    ///     assert_eq!(socket.ttl()?, 7);
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

    /// The `IP_TTL` of unicast datagrams.
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

    /// Sets `SO_BROADCAST`: allow sending to a broadcast address.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let socket = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     socket.set_broadcast(true)?;
    ///     assert!(socket.broadcast()?);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the option.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.source.set_broadcast(on)
    }

    /// Whether `SO_BROADCAST` is set.
    ///
    /// # Examples
    ///
    /// See [`set_broadcast`](Self::set_broadcast).
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.source.broadcast()
    }

    /// Sets `IP_MULTICAST_LOOP`: whether IPv4 multicast datagrams this
    /// socket sends are delivered back to sockets on this host (on by
    /// default).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let socket = spindle::net::UdpSocket::bind("0.0.0.0:0").await?;
    ///     socket.set_multicast_loop_v4(false)?;
    ///     assert!(!socket.multicast_loop_v4()?);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the option.
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.source.set_multicast_loop_v4(on)
    }

    /// Whether `IP_MULTICAST_LOOP` is set.
    ///
    /// # Examples
    ///
    /// See [`set_multicast_loop_v4`](Self::set_multicast_loop_v4).
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    pub fn multicast_loop_v4(&self) -> io::Result<bool> {
        self.source.multicast_loop_v4()
    }

    /// Sets `IP_MULTICAST_TTL`: how many hops IPv4 multicast datagrams may
    /// travel (1 by default: the local network only).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let socket = spindle::net::UdpSocket::bind("0.0.0.0:0").await?;
    ///     socket.set_multicast_ttl_v4(4)?;
    ///     assert_eq!(socket.multicast_ttl_v4()?, 4);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the value.
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        self.source.set_multicast_ttl_v4(ttl)
    }

    /// The `IP_MULTICAST_TTL`.
    ///
    /// # Examples
    ///
    /// See [`set_multicast_ttl_v4`](Self::set_multicast_ttl_v4).
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    pub fn multicast_ttl_v4(&self) -> io::Result<u32> {
        self.source.multicast_ttl_v4()
    }

    /// Sets `IPV6_MULTICAST_LOOP` for an IPv6 socket.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     // Only where the host has IPv6.
    ///     if let Ok(socket) = spindle::net::UdpSocket::bind("[::1]:0").await {
    ///         socket.set_multicast_loop_v6(false)?;
    ///         assert!(!socket.multicast_loop_v6()?);
    ///     }
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the option (for example on an IPv4 socket).
    pub fn set_multicast_loop_v6(&self, on: bool) -> io::Result<()> {
        self.source.set_multicast_loop_v6(on)
    }

    /// Whether `IPV6_MULTICAST_LOOP` is set.
    ///
    /// # Examples
    ///
    /// See [`set_multicast_loop_v6`](Self::set_multicast_loop_v6).
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    pub fn multicast_loop_v6(&self) -> io::Result<bool> {
        self.source.multicast_loop_v6()
    }

    /// Joins the IPv4 multicast group `group` on the interface with
    /// address `interface` (`0.0.0.0`: the kernel picks one).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    /// spindle::block_on(async {
    ///     let socket = spindle::net::UdpSocket::bind("0.0.0.0:0").await?;
    ///     let group = Ipv4Addr::new(239, 255, 0, 1);
    ///     // A host without a multicast route refuses; that is not a bug here.
    ///     if socket.join_multicast_v4(group, Ipv4Addr::LOCALHOST).is_ok() {
    ///         socket.leave_multicast_v4(group, Ipv4Addr::LOCALHOST)?;
    ///     }
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if `group` is not a multicast address or the interface cannot
    /// join it; the message names both.
    pub fn join_multicast_v4(&self, group: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.source
            .join_multicast_v4(&group, &interface)
            .map_err(|err| {
                io::Error::new(
                    err.kind(),
                    format!("could not join multicast group {group} on {interface}: {err}"),
                )
            })
    }

    /// Leaves an IPv4 multicast group joined with
    /// [`join_multicast_v4`](Self::join_multicast_v4).
    ///
    /// # Examples
    ///
    /// See [`join_multicast_v4`](Self::join_multicast_v4).
    ///
    /// # Errors
    ///
    /// Fails if the socket is not in the group; the message names it.
    pub fn leave_multicast_v4(&self, group: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.source
            .leave_multicast_v4(&group, &interface)
            .map_err(|err| {
                io::Error::new(
                    err.kind(),
                    format!("could not leave multicast group {group} on {interface}: {err}"),
                )
            })
    }

    /// Joins the IPv6 multicast group `group` on the interface with index
    /// `interface` (0: the kernel picks one).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::Ipv6Addr;
    /// spindle::block_on(async {
    ///     if let Ok(socket) = spindle::net::UdpSocket::bind("[::]:0").await {
    ///         let group: Ipv6Addr = "ff02::1:3".parse().unwrap();
    ///         if socket.join_multicast_v6(&group, 0).is_ok() {
    ///             socket.leave_multicast_v6(&group, 0)?;
    ///         }
    ///     }
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if `group` is not a multicast address or the interface cannot
    /// join it; the message names both.
    pub fn join_multicast_v6(&self, group: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.source
            .join_multicast_v6(group, interface)
            .map_err(|err| {
                io::Error::new(
                    err.kind(),
                    format!(
                        "could not join multicast group {group} on interface {interface}: {err}"
                    ),
                )
            })
    }

    /// Leaves an IPv6 multicast group joined with
    /// [`join_multicast_v6`](Self::join_multicast_v6).
    ///
    /// # Examples
    ///
    /// See [`join_multicast_v6`](Self::join_multicast_v6).
    ///
    /// # Errors
    ///
    /// Fails if the socket is not in the group; the message names it.
    pub fn leave_multicast_v6(&self, group: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.source
            .leave_multicast_v6(group, interface)
            .map_err(|err| {
                io::Error::new(
                    err.kind(),
                    format!(
                        "could not leave multicast group {group} on interface {interface}: {err}"
                    ),
                )
            })
    }

    /// Sets `IP_TOS`, the type-of-service byte (DSCP and ECN) of the IPv4
    /// datagrams this socket sends.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let socket = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     socket.set_tos(0x10)?; // "low delay"
    ///     assert_eq!(socket.tos()?, 0x10);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the value.
    ///
    /// # Portability
    ///
    /// Not on Solaris, illumos, Fuchsia, Redox or Haiku (socket2 has no
    /// `IP_TOS` there).
    #[cfg(not(any(
        target_os = "fuchsia",
        target_os = "redox",
        target_os = "solaris",
        target_os = "illumos",
        target_os = "haiku",
    )))]
    pub fn set_tos(&self, tos: u32) -> io::Result<()> {
        socket2::SockRef::from(&*self.source).set_tos(tos)
    }

    /// The `IP_TOS` byte.
    ///
    /// # Examples
    ///
    /// See [`set_tos`](Self::set_tos).
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    #[cfg(not(any(
        target_os = "fuchsia",
        target_os = "redox",
        target_os = "solaris",
        target_os = "illumos",
        target_os = "haiku",
    )))]
    pub fn tos(&self) -> io::Result<u32> {
        socket2::SockRef::from(&*self.source).tos()
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
