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

pub mod tcp;

pub use tcp::{TcpListener, TcpStream};
