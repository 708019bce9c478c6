//! Networking: sockets whose operations wait on the reactor instead of
//! blocking the thread.
//!
//! Every socket type wraps a mio socket registered with the current
//! runtime's reactor (`registration.rs`). An operation that would block
//! returns `Pending` and parks the task until the reactor sees readiness.
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
