//! Unix domain sockets: a listener bound to a filesystem path and the
//! streams it accepts (and the halves a stream splits into), and datagram
//! sockets, for talking to processes on the same machine without the
//! TCP/IP stack.
//!
//! They work exactly like their TCP counterparts (`../tcp/`): the same
//! reactor registration, the same `poll_io` / `poll_io_sized` helper, the
//! same short-read rule for stream reads and writes. On Linux a path that
//! starts with `"\0"` names an abstract socket (`addr.rs`).

mod addr;
mod datagram;
mod listener;
mod split;
mod stream;

pub use datagram::UnixDatagram;
pub use listener::UnixListener;
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
pub use stream::UnixStream;
