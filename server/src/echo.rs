//! The echo protocol: every byte a client sends comes back, until it
//! closes.
//!
//! Like the HTTP connection, an echo connection owns no buffer while it
//! waits: it waits for readiness, reads into the thread's scratch buffer and
//! writes straight back from it with a non-blocking `try_write`. Only when
//! the socket cannot take everything at once (the client is slow to read)
//! does the rest go into a buffer of the connection's own, which is written
//! with an `.await` before the next read; that is also the back-pressure:
//! a client that does not read stops being read from. On a server worker,
//! that write gives up when the client has taken no byte for the server's
//! idle timeout (see `send.rs`): a client that never reads is closed, not
//! kept forever.
//!
//! Half-close is respected: when the client shuts down its write side (the
//! read returns 0), everything read so far has been written back; the
//! connection then shuts down its own write side, so the client reads an
//! orderly end of stream, and closes.
//!
//! Echo has no request boundaries, so a graceful shutdown has nothing to
//! let finish: open echo connections run until the client closes them or
//! the shutdown timeout cuts them.

use std::io;
use std::net::{Shutdown, SocketAddr};

use spindle::net::TcpStream;

use crate::scratch::with_scratch;
use crate::send::send_all;
use crate::worker;

/// Echoes `stream` until the peer closes its side; a per-connection handler
/// for [`Server::serve`](crate::Server::serve).
///
/// # Examples
///
/// ```
/// use spindle::io::{AsyncReadExt, AsyncWriteExt};
/// use spindle::net::{TcpListener, TcpStream};
///
/// spindle::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let mut client = TcpStream::connect(listener.local_addr()?).await?;
///     let (conn, peer) = listener.accept().await?;
///     spindle::spawn(spindle_server::echo(conn, peer));
///     client.write_all(b"ping").await?;
///     client.shutdown(std::net::Shutdown::Write)?; // half-close
///     let mut echoed = Vec::new();
///     client.read_to_end(&mut echoed).await?;
///     assert_eq!(echoed, b"ping");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// The socket's errors, such as `ConnectionReset`; `TimedOut` on a server
/// worker when the client took no echoed byte for the idle timeout.
pub async fn echo(mut stream: TcpStream, _peer: SocketAddr) -> io::Result<()> {
    // Outside a server worker (a user's own accept loop): no limit.
    let stall = worker::current().map(|worker| worker.idle_timeout);
    loop {
        stream.readable().await?;
        // Read and write back from the scratch buffer, with no `.await`;
        // `rest` is what the socket could not take now.
        let read = with_scratch(|buf| -> io::Result<Option<Vec<u8>>> {
            let n = match stream.try_read(buf) {
                Ok(0) => return Ok(None),
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => return Ok(Some(Vec::new())),
                Err(err) => return Err(err),
            };
            let mut written = 0;
            while written < n {
                match stream.try_write(&buf[written..n]) {
                    Ok(k) => written += k,
                    Err(err) if err.kind() == io::ErrorKind::WouldBlock => break,
                    Err(err) => return Err(err),
                }
            }
            Ok(Some(buf[written..n].to_vec()))
        })?;
        match read {
            None => break,
            Some(rest) if !rest.is_empty() => send_all(&mut stream, &rest, stall).await?,
            Some(_) => {}
        }
    }
    // The client half-closed and everything is written: close our side.
    match stream.shutdown(Shutdown::Write) {
        Err(err) if err.kind() != io::ErrorKind::NotConnected => Err(err),
        _ => Ok(()),
    }
}
