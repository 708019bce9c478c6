//! I/O traits and helpers, re-exported from the `futures` crate.
//!
//! spindle's sockets implement the `futures-io` traits
//! [`AsyncRead`] and [`AsyncWrite`]; the extension traits below add the
//! `.read(..).await`, `.write_all(..).await`, `read_exact`, `read_to_end`
//! methods, and the helpers ([`copy`], [`BufReader`], …) work on any of them.
//! Re-exporting rather than redefining keeps spindle interoperable: code
//! written against futures-io runs on spindle unchanged.
//!
//! spindle's own additions:
//!
//! | item | file |
//! | --- | --- |
//! | [`copy_bidirectional`]: a proxy's two-way copy with half-close | `io/copy_bidirectional.rs` |
//! | [`Interest`], [`Ready`]: what `ready(interest)` waits for and returns | `io/ready.rs` |
//! | [`empty`], [`repeat`], [`sink`]: always ready, yet spending the task's budget | `io/always_ready.rs` |
//!
//! # Examples
//!
//! ```
//! use spindle::io::{AsyncReadExt, AsyncWriteExt};
//!
//! spindle::block_on(async {
//!     let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
//!     let mut client = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
//!     let (mut server, _) = listener.accept().await?;
//!     client.write_all(b"abc").await?;
//!     client.close().await?; // FIN
//!     let mut got = String::new();
//!     server.read_to_string(&mut got).await?;
//!     assert_eq!(got, "abc");
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```

mod always_ready;
mod copy_bidirectional;
mod ready;

pub use always_ready::{empty, repeat, sink, Empty, Repeat, Sink};
pub use copy_bidirectional::copy_bidirectional;
pub use ready::{Interest, Ready};

pub use futures::io::{
    copy, copy_buf, AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncSeek,
    AsyncSeekExt, AsyncWrite, AsyncWriteExt, BufReader, BufWriter, Cursor, Error, ErrorKind,
    IoSlice, IoSliceMut, ReadHalf, Result, SeekFrom, WriteHalf,
};
