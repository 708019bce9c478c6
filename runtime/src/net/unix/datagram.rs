//! `UnixDatagram`: Unix-domain datagrams, sent and received without
//! blocking the thread.
//!
//! The Unix twin of [`UdpSocket`](crate::net::UdpSocket): one send is one
//! datagram, one receive returns exactly one, never merged or split, and
//! the kernel keeps them in order (Unix datagrams, unlike UDP, are reliable
//! and ordered on one machine; a full receiver makes the sender wait). A
//! socket is named by a filesystem path, by an abstract name on Linux (a
//! name in a kernel namespace, no file, gone with the socket: write it
//! `"\0name"`, built with `SocketAddrExt::from_abstract_name`), or not at
//! all (`unbound`, `pair`).
//!
//! Every operation goes through `Registration::poll_io` or `try_io`, like
//! UDP: readiness is cleared only on `WouldBlock`, never after a short
//! datagram (the next one may be right behind it; see `udp.rs`). The
//! syscalls mio has no method for (peek, send and connect to an abstract
//! address) run inside mio's `try_io`, so that its `poll(2)` backend
//! re-arms the socket on `WouldBlock` as it must.
//!
//! # Where it sits in the loop
//!
//! `recv` → `WouldBlock` → clear `READABLE`, park the waker in the
//! socket's reactor slot → `Pending` → a datagram arrives → the event sets
//! `READABLE` and wakes the task → `recv` runs again.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::Shutdown;
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::task::{Context, Poll};

use crate::io::{Interest, Ready};
use crate::reactor::Direction;
use crate::reactor::IoSource;

/// A Unix-domain datagram socket.
///
/// All methods take `&self`, so one socket can be shared by several tasks
/// (for example in an `Rc`).
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let (a, b) = spindle::net::UnixDatagram::pair()?;
///     a.send(b"one datagram").await?;
///     let mut buf = [0; 32];
///     let n = b.recv(&mut buf).await?;
///     assert_eq!(&buf[..n], b"one datagram");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixDatagram {
    /// The registered mio socket.
    source: IoSource<mio::net::UnixDatagram>,
}

impl UnixDatagram {
    /// Creates a socket bound to the filesystem path `path` (the file is
    /// created; remove it yourself when done, as with
    /// [`UnixListener`](crate::net::UnixListener)).
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("spindle-doc-udb-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("dgram");
    /// spindle::block_on(async {
    ///     let socket = spindle::net::UnixDatagram::bind(&path)?;
    ///     assert_eq!(socket.local_addr()?.as_pathname(), Some(path.as_path()));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `AddrInUse` if a file exists at `path`, `NotFound` for a missing
    /// directory; the message names the path.
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        let path = path.as_ref();
        let socket = mio::net::UnixDatagram::bind(path).map_err(|err| {
            io::Error::new(
                err.kind(),
                format!(
                    "could not bind Unix datagram socket to {}: {err}",
                    path.display()
                ),
            )
        })?;
        UnixDatagram::from_mio(socket, "UnixDatagram::bind")
    }

    /// Creates a socket bound to `addr`: a path, or on Linux an abstract
    /// name.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(target_os = "linux")] {
    /// use std::os::linux::net::SocketAddrExt;
    /// use std::os::unix::net::SocketAddr;
    ///
    /// let name = format!("spindle-doc-{}", std::process::id());
    /// let addr = SocketAddr::from_abstract_name(name.as_bytes())?;
    /// spindle::block_on(async {
    ///     let server = spindle::net::UnixDatagram::bind_addr(&addr)?;
    ///     let client = spindle::net::UnixDatagram::unbound()?;
    ///     client.send_to_addr(b"no file needed", &addr).await?;
    ///     let mut buf = [0; 32];
    ///     let n = server.recv(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"no file needed");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `AddrInUse` if another socket holds the name; the message names it.
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub fn bind_addr(addr: &SocketAddr) -> io::Result<UnixDatagram> {
        let socket = mio::net::UnixDatagram::bind_addr(addr).map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("could not bind Unix datagram socket to {addr:?}: {err}"),
            )
        })?;
        UnixDatagram::from_mio(socket, "UnixDatagram::bind_addr")
    }

    /// Creates a socket with no name: it can send, and receive replies
    /// only on a connection or from a peer it sent to with its own name
    /// (an unbound socket's sends carry no address to reply to).
    ///
    /// # Examples
    ///
    /// See [`bind_addr`](Self::bind_addr).
    ///
    /// # Errors
    ///
    /// Fails if the process is out of file descriptors.
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::from_mio(mio::net::UnixDatagram::unbound()?, "UnixDatagram::unbound")
    }

    /// Creates a connected pair of unnamed sockets (`socketpair(2)`).
    ///
    /// # Examples
    ///
    /// See [`UnixDatagram`].
    ///
    /// # Errors
    ///
    /// Fails if the process is out of file descriptors.
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = mio::net::UnixDatagram::pair()?;
        Ok((
            UnixDatagram::from_mio(a, "UnixDatagram::pair")?,
            UnixDatagram::from_mio(b, "UnixDatagram::pair")?,
        ))
    }

    /// Wraps a std socket, switching it to non-blocking mode.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = std::os::unix::net::UnixDatagram::pair()?;
    /// spindle::block_on(async {
    ///     let _a = spindle::net::UnixDatagram::from_std(a)?;
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
    pub fn from_std(socket: std::os::unix::net::UnixDatagram) -> io::Result<UnixDatagram> {
        socket.set_nonblocking(true)?;
        UnixDatagram::from_mio(
            mio::net::UnixDatagram::from_std(socket),
            "UnixDatagram::from_std",
        )
    }

    /// Registers a mio socket; `what` names the public call for the panic
    /// message outside a runtime.
    fn from_mio(socket: mio::net::UnixDatagram, what: &str) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            source: IoSource::new(socket, what)?,
        })
    }

    /// Sets the default peer to the socket at `path`: [`send`](Self::send)
    /// goes there, and only its datagrams are received.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("spindle-doc-udc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("server");
    /// spindle::block_on(async {
    ///     let server = spindle::net::UnixDatagram::bind(&path)?;
    ///     let client = spindle::net::UnixDatagram::unbound()?;
    ///     client.connect(&path)?;
    ///     client.send(b"hi").await?;
    ///     let mut buf = [0; 2];
    ///     assert_eq!(server.recv(&mut buf).await?, 2);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `NotFound` if no socket exists at `path`, `ConnectionRefused` if it
    /// is not a datagram socket; the message names the path.
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref();
        self.source.connect(path).map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("could not connect to {}: {err}", path.display()),
            )
        })
    }

    /// Sets the default peer to `addr`: a path, or on Linux an abstract
    /// name.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(target_os = "linux")] {
    /// use std::os::linux::net::SocketAddrExt;
    /// use std::os::unix::net::SocketAddr;
    ///
    /// let addr = SocketAddr::from_abstract_name(format!("spindle-doc-c-{}", std::process::id()))?;
    /// spindle::block_on(async {
    ///     let server = spindle::net::UnixDatagram::bind_addr(&addr)?;
    ///     let client = spindle::net::UnixDatagram::unbound()?;
    ///     client.connect_addr(&addr)?;
    ///     client.send(b"abstract").await?;
    ///     let mut buf = [0; 8];
    ///     assert_eq!(server.recv(&mut buf).await?, 8);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `InvalidInput` for an unnamed address; otherwise as
    /// [`connect`](Self::connect). The message names the address.
    pub fn connect_addr(&self, addr: &SocketAddr) -> io::Result<()> {
        let named = |err: io::Error| {
            io::Error::new(err.kind(), format!("could not connect to {addr:?}: {err}"))
        };
        let target = sock_addr(addr).map_err(named)?;
        socket2::SockRef::from(&*self.source)
            .connect(&target)
            .map_err(named)
    }

    /// Sends one datagram to the connected peer, waiting while the peer's
    /// receive queue is full.
    ///
    /// # Examples
    ///
    /// See [`UnixDatagram`].
    ///
    /// # Errors
    ///
    /// `NotConnected` if the socket is not connected; `ConnectionRefused`
    /// once the peer is gone.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_send(cx, buf)).await
    }

    /// Polls for [`send`](Self::send).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// spindle::block_on(async {
    ///     let (a, _b) = spindle::net::UnixDatagram::pair()?;
    ///     assert_eq!(poll_fn(|cx| a.poll_send(cx, b"x")).await?, 1);
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

    /// Sends one datagram to the connected peer if it can go now;
    /// `WouldBlock` otherwise (no syscall when the reactor has not reported
    /// the socket writable).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let (a, _b) = spindle::net::UnixDatagram::pair()?;
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

    /// Sends one datagram to the socket at `path`.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("spindle-doc-uds-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("server");
    /// spindle::block_on(async {
    ///     let server = spindle::net::UnixDatagram::bind(&path)?;
    ///     let client = spindle::net::UnixDatagram::unbound()?;
    ///     client.send_to(b"to a path", &path).await?;
    ///     let mut buf = [0; 16];
    ///     let n = server.recv(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"to a path");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `NotFound` if no socket exists at `path`; the message names it.
    pub async fn send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let path = path.as_ref();
        poll_fn(|cx| self.poll_send_to(cx, buf, path)).await
    }

    /// Polls for [`send_to`](Self::send_to).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// let dir = std::env::temp_dir().join(format!("spindle-doc-udps-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("server");
    /// spindle::block_on(async {
    ///     let _server = spindle::net::UnixDatagram::bind(&path)?;
    ///     let client = spindle::net::UnixDatagram::unbound()?;
    ///     assert_eq!(poll_fn(|cx| client.poll_send_to(cx, b"x", &path)).await?, 1);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_dir_all(&dir)?;
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
        path: &Path,
    ) -> Poll<io::Result<usize>> {
        self.source
            .registration()
            .poll_io(Direction::Write, cx, || self.source.send_to(buf, path))
            .map_err(|err| {
                io::Error::new(
                    err.kind(),
                    format!("could not send to {}: {err}", path.display()),
                )
            })
    }

    /// Sends one datagram to the socket at `path` if it can go now;
    /// `WouldBlock` otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("spindle-doc-udts-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("server");
    /// spindle::block_on(async {
    ///     let _server = spindle::net::UnixDatagram::bind(&path)?;
    ///     let client = spindle::net::UnixDatagram::unbound()?;
    ///     client.writable().await?;
    ///     assert_eq!(client.try_send_to(b"x", &path)?, 1);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or as [`send_to`](Self::send_to).
    pub fn try_send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        self.source
            .try_op(Direction::Write, |s| s.send_to(buf, path.as_ref()))
    }

    /// Sends one datagram to `addr`: a path, or on Linux an abstract name.
    ///
    /// # Examples
    ///
    /// See [`bind_addr`](Self::bind_addr).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for an unnamed address, `ConnectionRefused` if no
    /// socket has the name; the message names the address.
    pub async fn send_to_addr(&self, buf: &[u8], addr: &SocketAddr) -> io::Result<usize> {
        let named = |err: io::Error| {
            io::Error::new(err.kind(), format!("could not send to {addr:?}: {err}"))
        };
        let target = sock_addr(addr).map_err(named)?;
        let registration = self.source.registration();
        poll_fn(|cx| {
            registration.poll_io(Direction::Write, cx, || {
                self.source
                    .try_io(|| socket2::SockRef::from(&*self.source).send_to(buf, &target))
            })
        })
        .await
        .map_err(named)
    }

    /// Receives one datagram from the connected peer (or from anyone, on an
    /// unconnected bound socket), waiting until one arrives. A datagram
    /// longer than `buf` is truncated.
    ///
    /// # Examples
    ///
    /// See [`UnixDatagram`].
    ///
    /// # Errors
    ///
    /// The socket's error.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_recv(cx, buf)).await
    }

    /// Polls for [`recv`](Self::recv).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// spindle::block_on(async {
    ///     let (a, b) = spindle::net::UnixDatagram::pair()?;
    ///     a.send(b"x").await?;
    ///     let mut buf = [0; 4];
    ///     assert_eq!(poll_fn(|cx| b.poll_recv(cx, &mut buf)).await?, 1);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv).
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        // `poll_io`, not `poll_io_sized`: a short datagram proves nothing.
        self.source
            .registration()
            .poll_io(Direction::Read, cx, || self.source.recv(buf))
    }

    /// Receives one datagram if one is there now; `WouldBlock` otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let (a, b) = spindle::net::UnixDatagram::pair()?;
    ///     a.send(b"x").await?;
    ///     b.readable().await?;
    ///     let mut buf = [0; 4];
    ///     assert_eq!(b.try_recv(&mut buf)?, 1);
    ///     assert_eq!(b.try_recv(&mut buf).unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
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

    /// Receives one datagram and its sender's address, waiting until one
    /// arrives.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("spindle-doc-udrf-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let (a_path, b_path) = (dir.join("a"), dir.join("b"));
    /// spindle::block_on(async {
    ///     let a = spindle::net::UnixDatagram::bind(&a_path)?;
    ///     let b = spindle::net::UnixDatagram::bind(&b_path)?;
    ///     a.send_to(b"from a", &b_path).await?;
    ///     let mut buf = [0; 8];
    ///     let (n, from) = b.recv_from(&mut buf).await?;
    ///     assert_eq!((&buf[..n], from.as_pathname()), (&b"from a"[..], Some(a_path.as_path())));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The socket's error.
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
    ///     let (a, b) = spindle::net::UnixDatagram::pair()?;
    ///     a.send(b"x").await?;
    ///     let mut buf = [0; 4];
    ///     let (n, from) = poll_fn(|cx| b.poll_recv_from(cx, &mut buf)).await?;
    ///     assert_eq!(n, 1);
    ///     assert!(from.is_unnamed());
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
        self.source
            .registration()
            .poll_io(Direction::Read, cx, || self.source.recv_from(buf))
    }

    /// Receives one datagram and its sender if one is there now;
    /// `WouldBlock` otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let (a, b) = spindle::net::UnixDatagram::pair()?;
    ///     a.send(b"x").await?;
    ///     b.readable().await?;
    ///     let mut buf = [0; 4];
    ///     assert_eq!(b.try_recv_from(&mut buf)?.0, 1);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or as [`recv_from`](Self::recv_from).
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.source.try_op(Direction::Read, |s| s.recv_from(buf))
    }

    /// Receives one datagram like [`recv`](Self::recv) but leaves it
    /// queued, so the next receive returns it again.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let (a, b) = spindle::net::UnixDatagram::pair()?;
    ///     a.send(b"again").await?;
    ///     let mut buf = [0; 8];
    ///     assert_eq!(b.peek(&mut buf).await?, 5);
    ///     assert_eq!(b.recv(&mut buf).await?, 5); // still there
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv).
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_peek(cx, buf)).await
    }

    /// Polls for [`peek`](Self::peek).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// spindle::block_on(async {
    ///     let (a, b) = spindle::net::UnixDatagram::pair()?;
    ///     a.send(b"x").await?;
    ///     let mut buf = [0; 4];
    ///     assert_eq!(poll_fn(|cx| b.poll_peek(cx, &mut buf)).await?, 1);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv).
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.source
            .registration()
            .poll_io(Direction::Read, cx, || self.peek_now(buf))
    }

    /// Like [`try_recv`](Self::try_recv) but leaves the datagram queued.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let (a, b) = spindle::net::UnixDatagram::pair()?;
    ///     a.send(b"x").await?;
    ///     b.readable().await?;
    ///     let mut buf = [0; 4];
    ///     assert_eq!(b.try_peek(&mut buf)?, 1);
    ///     assert_eq!(b.try_recv(&mut buf)?, 1);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or as [`recv`](Self::recv).
    pub fn try_peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.source
            .registration()
            .try_io(Direction::Read, || self.peek_now(buf))
    }

    /// One `recv(MSG_PEEK)`: std's `peek` for Unix datagrams is not stable
    /// yet, so through rustix (a safe syscall wrapper), inside mio's
    /// `try_io` so that its `poll(2)` backend re-arms on `WouldBlock`.
    fn peek_now(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.source.try_io(|| {
            let (n, _len) = rustix::net::recv(&*self.source, buf, rustix::net::RecvFlags::PEEK)?;
            Ok(n)
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
    ///     let (a, _b) = spindle::net::UnixDatagram::pair()?;
    ///     assert!(a.ready(Interest::WRITABLE).await?.is_writable());
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

    /// Waits until a datagram may be there to receive.
    ///
    /// # Examples
    ///
    /// See [`try_recv`](Self::try_recv).
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
    /// See [`try_send`](Self::try_send).
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

    /// Polls for receive readiness.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// spindle::block_on(async {
    ///     let (a, b) = spindle::net::UnixDatagram::pair()?;
    ///     a.send(b"x").await?;
    ///     poll_fn(|cx| b.poll_recv_ready(cx)).await?;
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

    /// Polls for send readiness.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// spindle::block_on(async {
    ///     let (a, _b) = spindle::net::UnixDatagram::pair()?;
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

    /// The local address: a path, an abstract name, or unnamed.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let socket = spindle::net::UnixDatagram::unbound()?;
    ///     assert!(socket.local_addr()?.is_unnamed());
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

    /// The address of the connected peer.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let (a, _b) = spindle::net::UnixDatagram::pair()?;
    ///     assert!(a.peer_addr()?.is_unnamed());
    ///     assert!(spindle::net::UnixDatagram::unbound()?.peer_addr().is_err());
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

    /// Shuts down the read side, the write side, or both.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let (a, _b) = spindle::net::UnixDatagram::pair()?;
    ///     a.shutdown(std::net::Shutdown::Write)?;
    ///     assert!(a.send(b"x").await.is_err());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS rejects the call.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.source.shutdown(how)
    }

    /// Takes the socket's pending error (`SO_ERROR`), if any.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let (a, _b) = spindle::net::UnixDatagram::pair()?;
    ///     assert!(a.take_error()?.is_none());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS cannot report the option.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.source.take_error()
    }

    /// Deregisters the socket from the reactor and returns it as a std
    /// socket, still in non-blocking mode (as tokio does).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let (a, b) = spindle::net::UnixDatagram::pair()?;
    ///     let a = a.into_std()?;
    ///     a.send(b"x")?;
    ///     let mut buf = [0; 1];
    ///     assert_eq!(b.recv(&mut buf).await?, 1);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the process is out of file descriptors (the socket is
    /// handed over through `dup(2)`).
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixDatagram> {
        self.source
            .into_fd()
            .map(std::os::unix::net::UnixDatagram::from)
    }
}

/// The socket2 form of a Unix address, for the calls mio has no method
/// for: a path, or on Linux an abstract name (socket2 spells it as a path
/// that starts with a NUL byte).
fn sock_addr(addr: &SocketAddr) -> io::Result<socket2::SockAddr> {
    if let Some(path) = addr.as_pathname() {
        return socket2::SockAddr::unix(path);
    }
    #[cfg(target_os = "linux")]
    {
        use std::os::linux::net::SocketAddrExt;
        use std::os::unix::ffi::OsStrExt;
        if let Some(name) = addr.as_abstract_name() {
            let mut bytes = Vec::with_capacity(name.len() + 1);
            bytes.push(0);
            bytes.extend_from_slice(name);
            return socket2::SockAddr::unix(std::ffi::OsStr::from_bytes(&bytes));
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        "an unnamed Unix address cannot be sent to or connected to",
    ))
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixDatagram")
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}

impl std::os::fd::AsRawFd for UnixDatagram {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.source.as_raw_fd()
    }
}

impl std::os::fd::AsFd for UnixDatagram {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.source.as_fd()
    }
}
