//! The halves a [`TcpStream`] splits into.
//!
//! A socket has independent read and write readiness, each with its own
//! waiters in the reactor slot, so one task may read while another writes.
//! The borrowed halves are thin wrappers over `&TcpStream`; the owned
//! halves share the stream through an `Arc`, so they are `Send + Sync` like
//! the stream, and can go to tasks spawned through a `Handle`.

use std::fmt;
use std::future::poll_fn;
use std::io::{self, IoSlice};
use std::net::{Shutdown, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::io::{AsyncRead, AsyncWrite};

use crate::net::TcpStream;

/// The read half of a borrowed [`TcpStream::split`].
///
/// # Examples
///
/// ```
/// use spindle::io::AsyncReadExt;
/// # spindle::block_on(async {
/// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
/// let mut stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
/// let (mut reader, _writer): (spindle::net::tcp::ReadHalf<'_>, _) = spindle::net::TcpStream::split(&mut stream);
/// drop(listener.accept().await?); // the peer closes
/// let mut buf = Vec::new();
/// reader.read_to_end(&mut buf).await?;
/// # Ok::<(), std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct ReadHalf<'a>(&'a TcpStream);

/// The write half of a borrowed [`TcpStream::split`].
///
/// # Examples
///
/// ```
/// use spindle::io::AsyncWriteExt;
/// # spindle::block_on(async {
/// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
/// let mut stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
/// let (_reader, mut writer): (_, spindle::net::tcp::WriteHalf<'_>) = spindle::net::TcpStream::split(&mut stream);
/// writer.write_all(b"hello").await?;
/// # Ok::<(), std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct WriteHalf<'a>(&'a TcpStream);

/// The read half of [`TcpStream::into_split`], movable into its own task.
///
/// # Examples
///
/// ```
/// use spindle::io::AsyncReadExt;
/// # spindle::block_on(async {
/// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
/// let stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
/// let (mut reader, _writer) = stream.into_split();
/// let peer = listener.accept().await?;
/// drop(peer);
/// let reading = spindle::spawn(async move {
///     let mut buf = Vec::new();
///     reader.read_to_end(&mut buf).await.map(|_| buf)
/// });
/// assert!(reading.await.unwrap()?.is_empty());
/// # Ok::<(), std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct OwnedReadHalf {
    /// The stream, shared with the write half.
    stream: Arc<TcpStream>,
}

/// The write half of [`TcpStream::into_split`]; dropping it sends a FIN.
///
/// # Examples
///
/// ```
/// use spindle::io::AsyncWriteExt;
/// # spindle::block_on(async {
/// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
/// let stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
/// let (_reader, mut writer) = stream.into_split();
/// writer.write_all(b"bye").await?;
/// drop(writer); // the peer reads "bye", then EOF
/// # Ok::<(), std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct OwnedWriteHalf {
    /// The stream, shared with the read half.
    stream: Arc<TcpStream>,
    /// Whether `drop` sends a FIN; cleared by `reunite`.
    shutdown_on_drop: bool,
}

/// The error of [`OwnedReadHalf::reunite`] with a write half of another
/// stream; it gives both halves back.
///
/// # Examples
///
/// ```
/// # spindle::block_on(async {
/// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
/// # let addr = listener.local_addr()?;
/// let (r1, _w1) = spindle::net::TcpStream::connect(addr).await?.into_split();
/// let (_r2, w2) = spindle::net::TcpStream::connect(addr).await?.into_split();
/// let err: spindle::net::tcp::ReuniteError = r1.reunite(w2).unwrap_err();
/// # Ok::<(), std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same TcpStream")
    }
}

impl std::error::Error for ReuniteError {}

/// See [`TcpStream::split`].
pub(crate) fn split(stream: &mut TcpStream) -> (ReadHalf<'_>, WriteHalf<'_>) {
    (ReadHalf(stream), WriteHalf(stream))
}

/// See [`TcpStream::into_split`].
pub(crate) fn into_split(stream: Arc<TcpStream>) -> (OwnedReadHalf, OwnedWriteHalf) {
    (
        OwnedReadHalf {
            stream: stream.clone(),
        },
        OwnedWriteHalf {
            stream,
            shutdown_on_drop: true,
        },
    )
}

impl ReadHalf<'_> {
    /// Reads data without removing it from the receive queue, waiting
    /// until some is there; see [`TcpStream::peek`].
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::{AsyncReadExt, AsyncWriteExt};
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut client = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (mut server, _) = listener.accept().await?;
    /// client.write_all(b"abc").await?;
    /// let (mut reader, _writer) = spindle::net::TcpStream::split(&mut server);
    /// let mut buf = [0; 3];
    /// let n = reader.peek(&mut buf).await?;
    /// assert_eq!(&buf[..n], &b"abc"[..n]);
    /// reader.read_exact(&mut buf).await?; // still there
    /// assert_eq!(&buf, b"abc");
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`TcpStream::peek`].
    pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.0.poll_peek(cx, buf)).await
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
    /// let (mut server, _) = listener.accept().await?;
    /// client.write_all(b"x").await?;
    /// let (mut reader, _) = spindle::net::TcpStream::split(&mut server);
    /// let mut buf = [0; 1];
    /// assert_eq!(poll_fn(|cx| reader.poll_peek(cx, &mut buf)).await?, 1);
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`TcpStream::peek`].
    pub fn poll_peek(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.0.poll_peek(cx, buf)
    }
}

impl OwnedReadHalf {
    /// Reads data without removing it from the receive queue, waiting
    /// until some is there; see [`TcpStream::peek`].
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::{AsyncReadExt, AsyncWriteExt};
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut client = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (server, _) = listener.accept().await?;
    /// client.write_all(b"abc").await?;
    /// let (mut reader, _writer) = server.into_split();
    /// let mut buf = [0; 3];
    /// let n = reader.peek(&mut buf).await?;
    /// assert_eq!(&buf[..n], &b"abc"[..n]);
    /// reader.read_exact(&mut buf).await?; // still there
    /// assert_eq!(&buf, b"abc");
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`TcpStream::peek`].
    pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.stream.poll_peek(cx, buf)).await
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
    /// let (mut reader, _writer) = server.into_split();
    /// let mut buf = [0; 1];
    /// assert_eq!(poll_fn(|cx| reader.poll_peek(cx, &mut buf)).await?, 1);
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`TcpStream::peek`].
    pub fn poll_peek(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.stream.poll_peek(cx, buf)
    }

    /// Puts the stream back together.
    ///
    /// # Examples
    ///
    /// ```
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (reader, writer) = stream.into_split();
    /// let stream = reader.reunite(writer).unwrap();
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ReuniteError`] if the halves come from different streams.
    pub fn reunite(self, other: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
        if !Arc::ptr_eq(&self.stream, &other.stream) {
            return Err(ReuniteError(self, other));
        }
        let stream = other.into_inner();
        drop(self.stream);
        // Both halves are gone, so this is the last `Arc`.
        Ok(Arc::into_inner(stream).expect("both halves of the stream were consumed"))
    }

    /// The remote address.
    ///
    /// # Examples
    ///
    /// ```
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let (reader, _) = spindle::net::TcpStream::connect(listener.local_addr()?).await?.into_split();
    /// assert_eq!(reader.peer_addr()?, listener.local_addr()?);
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`TcpStream::peer_addr`].
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.stream.peer_addr()
    }
}

impl OwnedWriteHalf {
    /// Takes the stream out without the shutdown that `drop` performs.
    fn into_inner(mut self) -> Arc<TcpStream> {
        self.shutdown_on_drop = false;
        Arc::clone(&self.stream)
        // `self` drops here, giving back its own `Arc`.
    }

    /// The remote address.
    ///
    /// # Examples
    ///
    /// ```
    /// # spindle::block_on(async {
    /// # let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let (_, writer) = spindle::net::TcpStream::connect(listener.local_addr()?).await?.into_split();
    /// assert_eq!(writer.peer_addr()?, listener.local_addr()?);
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`TcpStream::peer_addr`].
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.stream.peer_addr()
    }
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        // Like tokio: the writer going away means "no more data", so tell
        // the peer. An error means the connection is already gone.
        if self.shutdown_on_drop {
            let _ = self.stream.shutdown(Shutdown::Write);
        }
    }
}

impl fmt::Debug for OwnedWriteHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedWriteHalf")
            .field("stream", &self.stream)
            .finish()
    }
}

/// The stream behind each half, for the trait impls below.
trait Half {
    fn stream(&self) -> &TcpStream;
}

impl Half for ReadHalf<'_> {
    fn stream(&self) -> &TcpStream {
        self.0
    }
}

impl Half for WriteHalf<'_> {
    fn stream(&self) -> &TcpStream {
        self.0
    }
}

impl Half for OwnedReadHalf {
    fn stream(&self) -> &TcpStream {
        &self.stream
    }
}

impl Half for OwnedWriteHalf {
    fn stream(&self) -> &TcpStream {
        &self.stream
    }
}

/// Implements `AsyncRead` for a half by delegating to its `&TcpStream`.
macro_rules! delegate_read {
    ($ty:ty) => {
        impl AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                self.stream().source().poll_read(cx, buf)
            }
        }
    };
}

/// Implements `AsyncWrite` for a half by delegating to its `&TcpStream`.
macro_rules! delegate_write {
    ($ty:ty) => {
        impl AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.stream().source().poll_write(cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                self.stream().source().poll_write_vectored(cx, bufs)
            }

            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }

            fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.stream().poll_close_priv()
            }
        }
    };
}

delegate_read!(ReadHalf<'_>);
delegate_read!(OwnedReadHalf);
delegate_write!(WriteHalf<'_>);
delegate_write!(OwnedWriteHalf);

#[cfg(feature = "tokio")]
crate::tokio::io::async_read!(ReadHalf<'_>, OwnedReadHalf);
#[cfg(feature = "tokio")]
crate::tokio::io::async_write!(vectored: true; WriteHalf<'_>, OwnedWriteHalf);
