//! TCP: a listener that accepts connections and a stream that reads and
//! writes them, the halves a stream splits into, and a socket to configure
//! before either.

mod listener;
mod socket;
mod split;
mod stream;

pub use listener::TcpListener;
pub use socket::TcpSocket;
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
pub use stream::TcpStream;
