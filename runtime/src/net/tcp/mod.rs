//! TCP: a listener that accepts connections and a stream that reads and
//! writes them, plus the halves a stream splits into.

mod listener;
mod split;
mod stream;

pub use listener::TcpListener;
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
pub use stream::TcpStream;
