//! `copy_bidirectional`: a proxy's inner loop, bytes both ways until both
//! sides are done.
//!
//! Two streams `a` and `b`; each direction (`a → b`, `b → a`) is a small
//! state machine with its own buffer, and one future polls both, so a slow
//! direction never stalls the other:
//!
//! ```text
//!   Copying ── read 0 (EOF) ──► ShuttingDown ── poll_close(writer) ok ──► Done(bytes)
//!     │  ▲                         (half-close: the other side reads EOF
//!     ▼  │                          but can still send the other way)
//!   read into buf, write it all out, repeat
//! ```
//!
//! When one side stops sending (EOF), the other side's write half is
//! closed (`poll_close`, which for a socket is `shutdown(Write)`: a FIN), so
//! the peer learns it too, while the other direction goes on. The future
//! completes when both directions are done, with the byte count of each.
//!
//! # Where it sits in the loop
//!
//! Every read and write is the streams' own `poll_read` / `poll_write`; a
//! direction that cannot move parks its task on that socket's reactor slot
//! and the future returns `Pending` only when neither direction can move.
//!
//! # The budget
//!
//! Each chunk read takes one unit of the task's cooperative budget
//! (`executor/coop.rs`), on top of the unit a spindle socket's own read
//! takes. Without it, a copy between streams that are always ready (in
//! memory, or not spindle's) would never return `Pending`, and a task
//! looping over such copies would hold the thread for good. tokio's copy
//! takes its own unit the same way. So a proxy between two spindle sockets
//! yields after 64 chunks (4 MiB) rather than 128.
//!
//! # Notes
//!
//! tokio's version is the same design (a buffer per direction, shutdown on
//! EOF). Its buffer is 8 KiB; spindle's is 64 KiB, which needs an eighth of
//! the syscalls for bulk transfers on loopback at a cost of 128 KiB per
//! proxied pair while it runs.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures::io::{AsyncRead, AsyncWrite};

use crate::executor::coop;

/// Bytes each direction reads before it writes them on: 64 KiB, so a bulk
/// transfer costs one `read` and one `write` per 64 KiB instead of per
/// 8 KiB (see the module notes).
const BUFFER: usize = 64 * 1024;

/// Copies `a → b` and `b → a` at the same time until both have reached
/// EOF, closing each writer when its reader ends (half-close); returns the
/// bytes copied `(a_to_b, b_to_a)`.
///
/// # Examples
///
/// ```
/// use spindle::io::{AsyncReadExt, AsyncWriteExt};
/// use spindle::net::{TcpListener, TcpStream};
///
/// spindle::block_on(async {
///     // An echo server behind a proxy.
///     let server = TcpListener::bind("127.0.0.1:0").await?;
///     let server_addr = server.local_addr()?;
///     spindle::spawn(async move {
///         let (conn, _) = server.accept().await?;
///         let (mut r, mut w) = conn.into_split();
///         spindle::io::copy(&mut r, &mut w).await?; // echo until EOF, then FIN
///         Ok::<(), std::io::Error>(())
///     });
///     let proxy = TcpListener::bind("127.0.0.1:0").await?;
///     let proxy_addr = proxy.local_addr()?;
///     let proxying = spindle::spawn(async move {
///         let (mut inbound, _) = proxy.accept().await?;
///         let mut outbound = TcpStream::connect(server_addr).await?;
///         spindle::io::copy_bidirectional(&mut inbound, &mut outbound).await
///     });
///
///     let mut client = TcpStream::connect(proxy_addr).await?;
///     client.write_all(b"through the proxy").await?;
///     client.close().await?; // half-close: we are done sending
///     let mut echoed = String::new();
///     client.read_to_string(&mut echoed).await?;
///     assert_eq!(echoed, "through the proxy");
///     assert_eq!(proxying.await.unwrap()?, (17, 17));
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// The first error of a read, write or close on either stream; the copy
/// stops there, and the byte counts are lost with it (as in tokio).
pub async fn copy_bidirectional<A, B>(a: &mut A, b: &mut B) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    let mut a_to_b = Direction::new();
    let mut b_to_a = Direction::new();
    poll_fn(|cx| {
        // Poll both directions every time, so each makes progress.
        let a_to_b = a_to_b.poll(cx, &mut *a, &mut *b)?;
        let b_to_a = b_to_a.poll(cx, &mut *b, &mut *a)?;
        match (a_to_b, b_to_a) {
            (Poll::Ready(ab), Poll::Ready(ba)) => Poll::Ready(Ok((ab, ba))),
            _ => Poll::Pending,
        }
    })
    .await
}

/// Where one direction is (see the diagram in the module doc).
enum State {
    /// Reading and writing.
    Copying,
    /// The reader hit EOF and everything was written: closing the writer.
    ShuttingDown,
    /// Finished; the writer is closed.
    Done,
}

/// One direction of the copy: its buffer and progress.
struct Direction {
    /// Its state.
    state: State,
    /// Bytes read but not yet written: `buf[pos..filled]`.
    buf: Box<[u8]>,
    /// How much of `buf` has been written on.
    pos: usize,
    /// How much of `buf` holds data read.
    filled: usize,
    /// Bytes written so far, returned at the end.
    copied: u64,
}

impl Direction {
    /// A direction with an empty buffer, in `Copying`.
    fn new() -> Direction {
        Direction {
            state: State::Copying,
            buf: vec![0; BUFFER].into_boxed_slice(),
            pos: 0,
            filled: 0,
            copied: 0,
        }
    }

    /// Moves as many bytes as it can from `reader` to `writer`; `Ready`
    /// with the total once the writer is closed.
    fn poll<R, W>(
        &mut self,
        cx: &mut Context<'_>,
        reader: &mut R,
        writer: &mut W,
    ) -> Poll<io::Result<u64>>
    where
        R: AsyncRead + Unpin + ?Sized,
        W: AsyncWrite + Unpin + ?Sized,
    {
        loop {
            match self.state {
                State::Copying => {
                    // Write out what is buffered first.
                    while self.pos < self.filled {
                        let n =
                            ready!(Pin::new(&mut *writer)
                                .poll_write(cx, &self.buf[self.pos..self.filled]))?;
                        if n == 0 {
                            return Poll::Ready(Err(io::Error::new(
                                io::ErrorKind::WriteZero,
                                "copy_bidirectional: the writer accepted 0 bytes",
                            )));
                        }
                        self.pos += n;
                        self.copied += n as u64;
                    }
                    self.pos = 0;
                    self.filled = 0;
                    // One unit of the budget per chunk read, taken when the
                    // read completes (see "The budget" in the module doc).
                    ready!(coop::poll_proceed(cx));
                    let n = ready!(Pin::new(&mut *reader).poll_read(cx, &mut self.buf))?;
                    coop::consume();
                    if n == 0 {
                        self.state = State::ShuttingDown;
                    } else {
                        self.filled = n;
                    }
                }
                State::ShuttingDown => {
                    ready!(Pin::new(&mut *writer).poll_close(cx))?;
                    self.state = State::Done;
                }
                State::Done => return Poll::Ready(Ok(self.copied)),
            }
        }
    }
}
