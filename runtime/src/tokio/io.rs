//! tokio's `AsyncRead` and `AsyncWrite` on spindle's streams (feature
//! `tokio`), written once for every stream type.
//!
//! tokio's ecosystem (tokio-util's codecs, tokio-rustls,
//! tokio-tungstenite, h2) is written against tokio's I/O traits, not
//! futures-io's. Both pairs ask the same questions in slightly different
//! shapes, and every spindle stream already answers futures-io's on the
//! byte-stream helpers of `reactor/io_source.rs`. So the impls made here
//! forward to a type's futures-io impl, and a read or write takes the same
//! road either way: poll → `Registration::poll_io_sized` → pending →
//! register → event → wake → schedule → poll, with the same short-read
//! rule, budget, explain trace and "one runtime, one thread" check. None of
//! this needs the tokio host: the traits work on a plain spindle runtime
//! as well as under `Builder::tokio`.
//!
//! Where the two traits differ:
//!
//! - **Reads fill a `ReadBuf`**, which may hold uninitialised memory. The
//!   helper [`poll_read_buf`] zeroes the unfilled part
//!   (`ReadBuf::initialize_unfilled`), reads into it as a plain `&mut [u8]`,
//!   then `advance`s the filled mark. tokio's own `TcpStream` reads into
//!   the uninitialised memory directly (`unsafe`, `ReadBuf::assume_init`);
//!   spindle stays free of `unsafe` here and pays a `memset` instead. The
//!   `ReadBuf` remembers how much of it is initialised, so a buffer reused
//!   across reads is zeroed once; a caller that builds a fresh `ReadBuf`
//!   over spare capacity for every read (tokio-util's `poll_read_buf`)
//!   pays it each time, a few hundred nanoseconds for 8 KiB next to a
//!   syscall that costs more.
//! - **`poll_shutdown` is futures-io's `poll_close`**: a socket sends a
//!   FIN (`shutdown(Write)`, with a connection the peer already tore down
//!   counted as closed; `close_result` in `reactor/io_source.rs`), a
//!   child's stdin drops our end so the child reads EOF.
//! - **`is_write_vectored`** says whether `poll_write_vectored` is one
//!   `writev(2)` (the sockets and their halves) or writes only the first
//!   buffer that is not empty (a child's stdin), so tokio's callers know
//!   whether gathering buffers pays.
//!
//! There is no `AsyncBufRead`: no spindle stream keeps a buffer of its own
//! (a read goes straight to the kernel), so there is nothing to lend;
//! `tokio::io::BufReader` adds one, as it does for tokio's own streams.

use std::io;
use std::task::{ready, Poll};

use ::tokio::io::ReadBuf;

/// Reads through `read` (a futures-io `poll_read`) into the unfilled part
/// of `buf`, zeroed first, and marks what it read as filled.
pub(crate) fn poll_read_buf(
    buf: &mut ReadBuf<'_>,
    read: impl FnOnce(&mut [u8]) -> Poll<io::Result<usize>>,
) -> Poll<io::Result<()>> {
    let n = ready!(read(buf.initialize_unfilled()))?;
    buf.advance(n);
    Poll::Ready(Ok(()))
}

/// Implements tokio's `AsyncRead` for each type by forwarding to its
/// futures-io `AsyncRead`, through [`poll_read_buf`]. Each impl gets the
/// same doc line, written once here; a type may carry more doc comments
/// and attributes, which go after it.
macro_rules! async_read {
    ($($(#[$attr:meta])* $ty:ty),+ $(,)?) => {$(
        /// tokio's `AsyncRead` (feature `tokio`), so tokio-util's codecs,
        /// tokio-rustls, h2 and the rest take it: the same reads as this
        /// type's futures-io `AsyncRead` ([`spindle::tokio`](crate::tokio)).
        $(#[$attr])*
        impl ::tokio::io::AsyncRead for $ty {
            fn poll_read(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut ::tokio::io::ReadBuf<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                $crate::tokio::io::poll_read_buf(buf, |unfilled| {
                    ::futures::io::AsyncRead::poll_read(self, cx, unfilled)
                })
            }
        }
    )+};
}

/// Implements tokio's `AsyncWrite` for each type by forwarding to its
/// futures-io `AsyncWrite` (`poll_shutdown` to `poll_close`); `vectored`
/// is what `is_write_vectored` answers. Docs and attributes as for
/// [`async_read`].
macro_rules! async_write {
    (vectored: $vectored:literal; $($(#[$attr:meta])* $ty:ty),+ $(,)?) => {$(
        /// tokio's `AsyncWrite` (feature `tokio`): the same writes as this
        /// type's futures-io `AsyncWrite`; `poll_shutdown` does what its
        /// `poll_close` does ([`spindle::tokio`](crate::tokio)).
        $(#[$attr])*
        impl ::tokio::io::AsyncWrite for $ty {
            fn poll_write(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &[u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                ::futures::io::AsyncWrite::poll_write(self, cx, buf)
            }

            fn poll_write_vectored(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                ::futures::io::AsyncWrite::poll_write_vectored(self, cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                $vectored
            }

            fn poll_flush(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                ::futures::io::AsyncWrite::poll_flush(self, cx)
            }

            fn poll_shutdown(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                ::futures::io::AsyncWrite::poll_close(self, cx)
            }
        }
    )+};
}

pub(crate) use {async_read, async_write};
