//! The halves a [`UnixStream`] splits into: the Unix twin of
//! `tcp/split.rs`.
//!
//! A socket has independent read and write readiness in the reactor, so
//! one task may read while another writes. The borrowed halves wrap
//! `&UnixStream`; the owned halves share the stream through an `Arc`
//! (spindle's tasks never leave their thread). Dropping the owned write
//! half shuts down the write side, so the peer reads EOF, as in tokio.

use std::fmt;
use std::io::{self, IoSlice};
use std::net::Shutdown;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::io::{AsyncRead, AsyncWrite};

use crate::net::UnixStream;

/// The read half of a borrowed [`UnixStream::split`].
///
/// # Examples
///
/// ```
/// use spindle::io::{AsyncReadExt, AsyncWriteExt};
/// spindle::block_on(async {
///     let (mut a, mut b) = spindle::net::UnixStream::pair()?;
///     let (mut reader, mut writer) = spindle::net::UnixStream::split(&mut a);
///     b.write_all(b"in").await?;
///     writer.write_all(b"out").await?;
///     let mut buf = [0; 2];
///     reader.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"in");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct ReadHalf<'a>(&'a UnixStream);

/// The write half of a borrowed [`UnixStream::split`].
///
/// # Examples
///
/// See [`ReadHalf`].
#[derive(Debug)]
pub struct WriteHalf<'a>(&'a UnixStream);

/// The read half of [`UnixStream::into_split`], movable into its own task.
///
/// # Examples
///
/// ```
/// use spindle::io::{AsyncReadExt, AsyncWriteExt};
/// spindle::block_on(async {
///     let (a, mut b) = spindle::net::UnixStream::pair()?;
///     let (mut reader, _writer) = a.into_split();
///     let reading = spindle::spawn(async move {
///         let mut buf = Vec::new();
///         reader.read_to_end(&mut buf).await.map(|_| buf)
///     });
///     b.write_all(b"bye").await?;
///     drop(b);
///     assert_eq!(reading.await.unwrap()?, b"bye");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct OwnedReadHalf {
    /// The stream, shared with the write half.
    stream: Arc<UnixStream>,
}

/// The write half of [`UnixStream::into_split`]; dropping it shuts down
/// the write side.
///
/// # Examples
///
/// ```
/// use spindle::io::{AsyncReadExt, AsyncWriteExt};
/// spindle::block_on(async {
///     let (a, mut b) = spindle::net::UnixStream::pair()?;
///     let (_reader, mut writer) = a.into_split();
///     writer.write_all(b"done").await?;
///     drop(writer); // the peer reads "done", then EOF
///     let mut got = Vec::new();
///     b.read_to_end(&mut got).await?;
///     assert_eq!(got, b"done");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct OwnedWriteHalf {
    /// The stream, shared with the read half.
    stream: Arc<UnixStream>,
    /// Whether `drop` shuts down the write side; cleared by `reunite`.
    shutdown_on_drop: bool,
}

/// The error of [`OwnedReadHalf::reunite`] with a write half of another
/// stream; it gives both halves back.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let (a, b) = spindle::net::UnixStream::pair()?;
///     let (r1, _w1) = a.into_split();
///     let (_r2, w2) = b.into_split();
///     let err: spindle::net::unix::ReuniteError = r1.reunite(w2).unwrap_err();
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same UnixStream")
    }
}

impl std::error::Error for ReuniteError {}

/// See [`UnixStream::split`].
pub(crate) fn split(stream: &mut UnixStream) -> (ReadHalf<'_>, WriteHalf<'_>) {
    (ReadHalf(stream), WriteHalf(stream))
}

/// See [`UnixStream::into_split`].
pub(crate) fn into_split(stream: Arc<UnixStream>) -> (OwnedReadHalf, OwnedWriteHalf) {
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

impl OwnedReadHalf {
    /// Puts the stream back together.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let (a, _b) = spindle::net::UnixStream::pair()?;
    ///     let (reader, writer) = a.into_split();
    ///     let a = reader.reunite(writer).unwrap();
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ReuniteError`] if the halves come from different streams.
    pub fn reunite(self, mut other: OwnedWriteHalf) -> Result<UnixStream, ReuniteError> {
        if !Arc::ptr_eq(&self.stream, &other.stream) {
            return Err(ReuniteError(self, other));
        }
        other.shutdown_on_drop = false;
        drop(other);
        // The write half is gone, so this is the last `Arc`.
        Ok(Arc::into_inner(self.stream).expect("both halves of the stream were consumed"))
    }
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        // The writer going away means "no more data": tell the peer. An
        // error means the connection is already gone.
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
    fn stream(&self) -> &UnixStream;
}

impl Half for ReadHalf<'_> {
    fn stream(&self) -> &UnixStream {
        self.0
    }
}

impl Half for WriteHalf<'_> {
    fn stream(&self) -> &UnixStream {
        self.0
    }
}

impl Half for OwnedReadHalf {
    fn stream(&self) -> &UnixStream {
        &self.stream
    }
}

impl Half for OwnedWriteHalf {
    fn stream(&self) -> &UnixStream {
        &self.stream
    }
}

/// Implements `AsyncRead` for a half by delegating to its `&UnixStream`.
macro_rules! delegate_read {
    ($ty:ty) => {
        impl AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut self.stream()).poll_read(cx, buf)
            }
        }
    };
}

/// Implements `AsyncWrite` for a half by delegating to its `&UnixStream`.
macro_rules! delegate_write {
    ($ty:ty) => {
        impl AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut self.stream()).poll_write(cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut self.stream()).poll_write_vectored(cx, bufs)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Pin::new(&mut self.stream()).poll_flush(cx)
            }

            fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Pin::new(&mut self.stream()).poll_close(cx)
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
