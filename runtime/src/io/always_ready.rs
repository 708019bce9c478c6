//! [`empty`], [`repeat`] and [`sink`]: readers and a writer that are always
//! ready, and that still spend the task's budget.
//!
//! futures' own `empty`, `repeat` and `sink` complete every call at once,
//! so a loop over one never returns `Pending` and never gives the thread
//! back: `timeout(1ms, async { loop { empty().read(&mut b).await } })` would
//! spin forever, its timer never polled. These take one unit of the
//! cooperative budget per call (`executor/coop.rs`), as spindle's sockets do, so such
//! a loop yields every 128 calls and a `timeout` around it fires; tokio's
//! `empty`, `repeat` and `sink` do the same.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures::io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};

use crate::executor::coop;

/// A reader that is always at end of file. Returned by [`empty`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Empty {
    /// Keeps the type open to fields without a breaking change.
    _private: (),
}

/// A reader that always fills the buffer with one byte. Returned by
/// [`repeat`].
#[derive(Debug, Clone, Copy)]
pub struct Repeat {
    /// The byte every read fills the buffer with.
    byte: u8,
}

/// A writer that accepts and discards every byte. Returned by [`sink`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Sink {
    /// Keeps the type open to fields without a breaking change.
    _private: (),
}

/// A reader at end of file: every read returns 0 bytes, and every seek
/// lands at position 0.
///
/// Each read takes one unit of the task's budget, so a loop over it yields.
///
/// # Examples
///
/// ```
/// use spindle::io::AsyncReadExt;
///
/// spindle::block_on(async {
///     let mut buf = [0; 8];
///     assert_eq!(spindle::io::empty().read(&mut buf).await.unwrap(), 0);
/// });
/// ```
pub fn empty() -> Empty {
    Empty { _private: () }
}

/// A reader that fills every buffer with `byte`, forever.
///
/// Each read takes one unit of the task's budget, so a loop over it yields.
///
/// # Examples
///
/// ```
/// use spindle::io::AsyncReadExt;
///
/// spindle::block_on(async {
///     let mut buf = [0; 3];
///     spindle::io::repeat(7).read_exact(&mut buf).await.unwrap();
///     assert_eq!(buf, [7, 7, 7]);
/// });
/// ```
pub fn repeat(byte: u8) -> Repeat {
    Repeat { byte }
}

/// A writer that discards everything written to it.
///
/// Each write, flush and close takes one unit of the task's budget, so a loop over
/// it yields.
///
/// # Examples
///
/// ```
/// use spindle::io::AsyncWriteExt;
///
/// spindle::block_on(async {
///     let written = spindle::io::sink().write(b"gone").await.unwrap();
///     assert_eq!(written, 4);
/// });
/// ```
pub fn sink() -> Sink {
    Sink { _private: () }
}

/// One unit of the budget for an operation that is always ready: `Pending`
/// (after arranging the yield) when the budget is spent.
fn proceed(cx: &mut Context<'_>) -> Poll<()> {
    ready!(coop::poll_proceed(cx));
    coop::consume();
    Poll::Ready(())
}

impl AsyncRead for Empty {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        _: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(0))
    }
}

impl AsyncBufRead for Empty {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(&[]))
    }

    fn consume(self: Pin<&mut Self>, _: usize) {}
}

impl AsyncSeek for Empty {
    /// There is nowhere to go: every seek lands at position 0, as with an
    /// empty `Cursor` clamped to its end.
    fn poll_seek(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: io::SeekFrom,
    ) -> Poll<io::Result<u64>> {
        Poll::Ready(Ok(0))
    }
}

impl AsyncRead for Repeat {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        ready!(proceed(cx));
        buf.fill(self.byte);
        Poll::Ready(Ok(buf.len()))
    }
}

impl AsyncWrite for Sink {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(bufs.iter().map(|b| b.len()).sum()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(()))
    }
}
