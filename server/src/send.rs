//! Writing to a client that may have stopped reading.
//!
//! A connection writes its answers with `write_all(..).await`, and while it
//! waits for the socket to take them it reads nothing more from the
//! client: that is the server's back-pressure (a client that does not read
//! stops being read from, so nothing piles up in the server's memory). But
//! a client that *never* reads again would keep that write, and with it
//! the connection, its fd and its output buffer, forever: the timers of
//! the HTTP loop only run while the connection waits to read.
//!
//! [`send_all`] is `write_all` with a stall limit, nginx's `send_timeout`:
//! it fails with `TimedOut` once the socket has taken no byte for the
//! limit (the server's idle timeout: the client is idle, only in the other
//! direction). The limit counts from the last progress, not from the start
//! of the write, so a slow reader that keeps taking bytes is never cut.
//!
//! ```text
//!   send_all(buf, limit)
//!     ├─ poll_write = Ready(n) ─── buf = buf[n..], forget the timer ── loop
//!     ├─ poll_write = Pending ──── arm a timer at now + limit (once) ── Pending
//!     └─ timer fired first ────────────────────────────── Err(TimedOut)
//! ```
//!
//! The timer exists only while a write waits: a write the socket takes at
//! once, the common case, costs no timer at all.

use std::future::{poll_fn, Future};
use std::io;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use futures::AsyncWrite;
use spindle::net::TcpStream;
use spindle::time::Sleep;

/// Writes all of `buf` to `stream`, failing with `TimedOut` if the socket
/// takes no byte for `limit` (`None`: waits as long as it takes).
///
/// # Errors
///
/// The socket's errors; `WriteZero` if it takes nothing; `TimedOut` after
/// `limit` without progress.
pub(crate) async fn send_all(
    stream: &mut TcpStream,
    mut buf: &[u8],
    limit: Option<Duration>,
) -> io::Result<()> {
    // Armed when a write first has to wait, dropped on progress.
    let mut stall: Option<Sleep> = None;
    poll_fn(|cx| loop {
        if buf.is_empty() {
            return Poll::Ready(Ok(()));
        }
        match Pin::new(&mut *stream).poll_write(cx, buf) {
            Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
            Poll::Ready(Ok(n)) => {
                buf = &buf[n..];
                stall = None;
            }
            Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
            Poll::Pending => {
                let Some(limit) = limit else {
                    return Poll::Pending;
                };
                let timer = stall.get_or_insert_with(|| spindle::time::sleep(limit));
                if Pin::new(timer).poll(cx).is_ready() {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("the client read nothing for {} ms", limit.as_millis()),
                    )));
                }
                return Poll::Pending;
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::AsyncReadExt;
    use spindle::net::TcpListener;
    use std::time::Instant;

    /// A peer that never reads: the write fails after the limit, not
    /// before, and the bytes taken before the stall are the right ones.
    #[test]
    fn a_write_the_peer_never_reads_fails_after_the_limit() {
        spindle::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            let big: Vec<u8> = (0..64 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
            let start = Instant::now();
            let limit = Duration::from_millis(200);
            let err = send_all(&mut server, &big, Some(limit)).await.unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::TimedOut);
            // A lower bound, and a very loose upper one.
            assert!(start.elapsed() >= limit);
            assert!(start.elapsed() < Duration::from_secs(30));
            drop(server);
            let mut got = Vec::new();
            let _ = client.read_to_end(&mut got).await;
            assert!(got.len() < big.len());
            assert_eq!(got, big[..got.len()]);
        });
    }

    /// A write the socket takes at once needs no timer and succeeds.
    #[test]
    fn a_write_that_fits_succeeds() {
        spindle::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            send_all(&mut server, b"hello", Some(Duration::from_millis(1)))
                .await
                .unwrap();
            let mut got = [0; 5];
            client.read_exact(&mut got).await.unwrap();
            assert_eq!(&got, b"hello");
        });
    }
}
