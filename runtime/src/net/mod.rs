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
//! | [`tcp::ReadHalf`], [`tcp::WriteHalf`], [`tcp::OwnedReadHalf`], [`tcp::OwnedWriteHalf`] | `tcp/split.rs` |
//! | [`UdpSocket`] | `udp.rs` |
//! | `UnixListener`, `UnixStream` (Unix only) | `unix/listener.rs`, `unix/stream.rs` |

pub mod tcp;
mod udp;
#[cfg(unix)]
mod unix;

pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;
#[cfg(unix)]
pub use unix::{UnixListener, UnixStream};
