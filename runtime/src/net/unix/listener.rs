//! `UnixListener`: accepts Unix-domain stream connections without blocking
//! the thread.
//!
//! `bind` creates the socket file at the given path, listens, and registers
//! the socket with the reactor; `accept` waits for the listener's read
//! readiness and calls `accept(2)` through `Registration::poll_io`, exactly
//! as [`TcpListener`](crate::net::TcpListener) does.
//!
//! # Notes
//!
//! The socket file outlives the listener: `bind` on a path that exists
//! fails with `AddrInUse` (the error names the path), and dropping the
//! listener does not remove the file. That is what the OS, std and tokio
//! do; removing a file that might belong to another live server would be a
//! surprise. Remove it yourself (`std::fs::remove_file`) before binding
//! again.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::task::{Context, Poll};

use crate::net::unix::addr;
use crate::net::UnixStream;
use crate::reactor::Direction;
use crate::reactor::IoSource;

/// A Unix-domain socket server, listening for connections on a path.
///
/// # Examples
///
/// ```
/// use spindle::io::{AsyncReadExt, AsyncWriteExt};
/// use spindle::net::{UnixListener, UnixStream};
///
/// let dir = std::env::temp_dir().join(format!("spindle-doc-ul-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("sock");
/// spindle::block_on(async {
///     let listener = UnixListener::bind(&path)?;
///     let mut client = UnixStream::connect(&path).await?;
///     let (mut server, _) = listener.accept().await?;
///     client.write_all(b"hi").await?;
///     let mut buf = [0; 2];
///     server.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"hi");
///     Ok::<(), std::io::Error>(())
/// })?;
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixListener {
    /// The registered mio listener.
    source: IoSource<mio::net::UnixListener>,
}

impl UnixListener {
    /// Creates the socket file at `path` and listens on it.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("spindle-doc-ub-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// spindle::block_on(async {
    ///     let listener = spindle::net::UnixListener::bind(dir.join("sock"))?;
    ///     assert!(listener.local_addr()?.as_pathname().is_some());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `AddrInUse` if a file already exists at `path` (a stale socket file
    /// from an earlier run, most often); otherwise the error of `bind(2)`,
    /// such as `NotFound` for a missing directory. The message names the
    /// path.
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let path = path.as_ref();
        let listener = addr::socket_addr(path)
            .and_then(|addr| mio::net::UnixListener::bind_addr(&addr))
            .map_err(|err| {
                let hint = if err.kind() == io::ErrorKind::AddrInUse
                    && addr::abstract_name(path).is_none()
                {
                    " (the file exists: remove the stale socket file first)"
                } else {
                    ""
                };
                io::Error::new(
                    err.kind(),
                    format!(
                        "could not bind Unix listener to {}: {err}{hint}",
                        addr::describe(path)
                    ),
                )
            })?;
        Ok(UnixListener {
            source: IoSource::new(listener, "UnixListener::bind")?,
        })
    }

    /// Wraps a std listener, switching it to non-blocking mode.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("spindle-doc-uf-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let std_listener = std::os::unix::net::UnixListener::bind(dir.join("sock"))?;
    /// spindle::block_on(async {
    ///     let _listener = spindle::net::UnixListener::from_std(std_listener)?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_dir_all(&dir)?;
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
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        let listener = mio::net::UnixListener::from_std(listener);
        Ok(UnixListener {
            source: IoSource::new(listener, "UnixListener::from_std")?,
        })
    }

    /// Waits for a connection and returns it with the peer's address
    /// (usually unnamed: clients rarely bind a path).
    ///
    /// # Examples
    ///
    /// See [`UnixListener`].
    ///
    /// # Errors
    ///
    /// Returns the error of `accept(2)`, such as `EMFILE`; the listener
    /// stays usable.
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// Polls for a connection; the building block of
    /// [`accept`](Self::accept).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// let dir = std::env::temp_dir().join(format!("spindle-doc-upa-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("sock");
    /// spindle::block_on(async {
    ///     let listener = spindle::net::UnixListener::bind(&path)?;
    ///     let _client = spindle::net::UnixStream::connect(&path).await?;
    ///     let (_conn, _peer) = poll_fn(|cx| listener.poll_accept(cx)).await?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`accept`](Self::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        let registration = self.source.registration();
        let (stream, addr) =
            match registration.poll_io(Direction::Read, cx, || self.source.accept()) {
                Poll::Ready(Ok(accepted)) => accepted,
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            };
        Poll::Ready(UnixStream::from_mio(stream, "UnixListener::accept").map(|s| (s, addr)))
    }

    /// Deregisters the listener from the reactor and returns it as a std
    /// listener, still in non-blocking mode (as tokio does). The socket
    /// file stays where it is.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("spindle-doc-uis-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("sock");
    /// spindle::block_on(async {
    ///     let listener = spindle::net::UnixListener::bind(&path)?.into_std()?;
    ///     assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_path()));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the process is out of file descriptors (the socket is
    /// handed over through `dup(2)`).
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixListener> {
        self.source
            .into_fd()
            .map(std::os::unix::net::UnixListener::from)
    }

    /// The address (path) the listener is bound to.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("spindle-doc-ula-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("sock");
    /// spindle::block_on(async {
    ///     let listener = spindle::net::UnixListener::bind(&path)?;
    ///     assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_path()));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_dir_all(&dir)?;
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

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixListener")
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}

impl std::os::fd::AsRawFd for UnixListener {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.source.as_raw_fd()
    }
}

impl std::os::fd::AsFd for UnixListener {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.source.as_fd()
    }
}
