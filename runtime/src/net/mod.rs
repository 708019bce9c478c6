//! Networking: sockets whose operations wait on the reactor instead of
//! blocking the thread.
//!
//! Every socket type wraps a mio socket registered with the current
//! runtime's reactor (`reactor/io_source.rs`, on the helpers of
//! `reactor/registration.rs`). An operation that would block returns
//! `Pending` and parks the task until the reactor sees readiness.
//!
//! | type | file |
//! | --- | --- |
//! | [`TcpListener`] | `tcp/listener.rs` |
//! | [`TcpStream`] | `tcp/stream.rs` |
//! | [`TcpSocket`]: options set before `connect` or `listen` | `tcp/socket.rs` |
//! | [`tcp::ReadHalf`], [`tcp::WriteHalf`], [`tcp::OwnedReadHalf`], [`tcp::OwnedWriteHalf`] | `tcp/split.rs` |
//! | [`UdpSocket`] | `udp.rs` |
//! | `UnixListener`, `UnixStream` (Unix only) | `unix/listener.rs`, `unix/stream.rs` |
//! | `unix::ReadHalf`, `unix::WriteHalf`, `unix::OwnedReadHalf`, `unix::OwnedWriteHalf` | `unix/split.rs` |
//! | `UnixDatagram` (Unix only) | `unix/datagram.rs` |
//! | what every socket shares: `ready`, `poll_read_ready`, `try_*_vectored`, `into_std` | `readiness.rs` |
//! | [`lookup_host`], [`ToSocketAddrs`] | `lookup.rs` |
//!
//! Host names are resolved on the blocking pool by [`lookup_host`], and
//! every constructor that takes an address goes through it:
//! [`TcpStream::connect`], [`TcpListener::bind`], [`UdpSocket::bind`] and
//! [`UdpSocket::connect`] are `async` for that reason. An IP literal is
//! parsed at once, with no thread hop, so binding `"127.0.0.1:0"` costs
//! what a synchronous bind would.
//!
//! # One runtime, one thread
//!
//! A socket is registered with the runtime that was current when it was
//! created, and its I/O runs on that runtime's thread: the thread that
//! built it (a [`Runtime`](crate::Runtime) is `!Send`). Inside its
//! `block_on` (in the `block_on` future or in one of the runtime's tasks)
//! that is the common case; outside any `block_on` on the same thread (a
//! test harness polling a future by hand after `block_on` returned) the
//! socket works too: the syscall runs, a wait parks, the next `block_on`
//! dispatches the event and wakes it, and dropping the runtime wakes it
//! with the shut-down error below, as tokio does.
//!
//! The socket itself is `Send + Sync` and may be moved anywhere; what it
//! refuses is I/O anywhere else. Every operation checks this first (one
//! thread-local load and a compare) and answers with an `io::Error` of
//! kind `Other`, never with `Pending` forever:
//!
//! - on another thread (a plain thread, another runtime's thread, a
//!   `spawn_blocking` job): `spindle: this socket belongs to a runtime that
//!   is not running on this thread; a socket may be moved between threads,
//!   but its I/O runs on its own runtime's thread (use it from a task of
//!   that runtime)`;
//! - on its own thread inside *another* runtime's `block_on`, whose loop
//!   shuts this one out until it returns: `spindle: this socket belongs to
//!   another runtime of this thread, which does not run while this one's
//!   `block_on` does; use it from a task of its own runtime, or outside any
//!   `block_on``;
//! - after its runtime was dropped: `spindle: the runtime this socket was
//!   registered with has shut down`.
//!
//! The waits (`ready`, `readable`, `writable`, `poll_read_ready`, …) give
//! the same errors. A task waiting on a socket when its runtime drops
//! is woken, to the last one.
//!
//! # Peeking
//!
//! `peek`, `peek_from` and `peek_sender` go through
//! `Registration::poll_io`, not the byte-stream helper
//! `IoSource::poll_read` that reads use: a peek leaves the data queued, so
//! a peek that returns fewer bytes than asked proves nothing about the
//! receive buffer, and clearing `READABLE` on it (the short-read rule of
//! `reactor/registration.rs`) would park a task on data that is already
//! there. A peek clears readiness only on `WouldBlock`.

mod lookup;
mod readiness;
pub mod tcp;
mod udp;
#[cfg(unix)]
pub mod unix;

pub use lookup::{lookup_host, ToSocketAddrs};
pub use tcp::{TcpListener, TcpSocket, TcpStream};
pub use udp::UdpSocket;
#[cfg(unix)]
pub use unix::{UnixDatagram, UnixListener, UnixStream};
