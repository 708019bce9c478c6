//! One connection served with blocking `std::net` calls.
//!
//! The classic server loop: `read` puts the thread to sleep until bytes
//! arrive, the [`Session`] answers them, `write_all` sleeps until the
//! answer is in the kernel's send buffer, and round again. Both blocking
//! contenders use this function: `blocking-iterative` calls it on its only
//! thread, one connection after another; `blocking-threads` calls it on a
//! thread per connection.

use std::io::{self, Read, Write};
use std::net::TcpStream;

use crate::server_cli::{Mode, READ_BUF};
use crate::session::{Flow, Session};

/// Serves `stream` until the peer closes or the protocol says to close.
///
/// Sets `TCP_NODELAY` first, as every contender does: responses are small
/// and Nagle's algorithm would hold the second of two pipelined writes back
/// until the first is acknowledged.
///
/// # Errors
///
/// Any I/O error on the connection (a reset peer, typically); the caller
/// drops the connection either way.
///
/// # Examples
///
/// ```no_run
/// use spindle_benches::{blocking::serve, Mode};
///
/// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
/// let (stream, _) = listener.accept()?;
/// serve(stream, Mode::Echo)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn serve(mut stream: TcpStream, mode: Mode) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut session = Session::new(mode);
    let mut buf = [0u8; READ_BUF];
    let mut out = Vec::new(); // grows to the largest reply once, then reused
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) => return Ok(()), // peer closed; nothing is pending
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let flow = session.on_data(&buf[..n], &mut out);
        stream.write_all(&out)?;
        out.clear();
        if flow == Flow::Close {
            return Ok(());
        }
    }
}
