//! tokio's `AsyncRead` and `AsyncWrite` on spindle's streams (feature
//! `tokio`): round trips with tokio's extension traits on a TCP stream, its
//! halves, a Unix stream and a child's pipes; shutdown reaching the peer as
//! EOF; `tokio::io::copy_bidirectional` and tokio-util's `Framed` on spindle
//! streams; and the error from another thread. Each behaviour runs twice, on
//! a plain runtime and on one hosted in tokio: the traits need no host, and
//! must work with one.

mod support;

use std::future::Future;
use std::io::{ErrorKind, IoSlice};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use spindle::net::TcpStream;
use support::{tcp_pair, within};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_util::codec::{Framed, LinesCodec};

/// How long one run of a test may take before it counts as hung.
const LIMIT: Duration = Duration::from_secs(20);

/// Runs `test` on a plain spindle runtime, then on one hosted in tokio
/// (`Builder::tokio`), each on a fresh thread within [`LIMIT`].
fn on_both_runtimes<Fut: Future<Output = ()> + 'static>(test: fn() -> Fut) {
    within(LIMIT, move || spindle::block_on(test()));
    within(LIMIT, move || {
        let hosted = spindle::Runtime::builder().tokio(true).build().unwrap();
        hosted.block_on(test());
    });
}

/// Writes `bytes` into `writer` with tokio's `write_all` and reads them
/// back out of `reader` with `read_exact`.
async fn carry(
    writer: &mut (impl AsyncWrite + Unpin),
    reader: &mut (impl AsyncRead + Unpin),
    bytes: &[u8],
) {
    writer.write_all(bytes).await.unwrap();
    let mut got = vec![0; bytes.len()];
    reader.read_exact(&mut got).await.unwrap();
    assert_eq!(got, bytes);
}

/// Writes `last` into `writer`, shuts it down with tokio's `shutdown`, and
/// reads `reader` to the EOF that must follow, expecting exactly `last`.
async fn write_last(
    writer: &mut (impl AsyncWrite + Unpin),
    reader: &mut (impl AsyncRead + Unpin),
    last: &[u8],
) {
    writer.write_all(last).await.unwrap();
    // Called as a function: on a stream, method syntax would find the
    // inherent `TcpStream::shutdown(how)`.
    AsyncWriteExt::shutdown(writer).await.unwrap();
    let mut got = Vec::new();
    reader.read_to_end(&mut got).await.unwrap();
    assert_eq!(got, last);
}

#[test]
fn tokio_reads_and_writes_round_trip_on_a_tcp_stream() {
    on_both_runtimes(|| async {
        let (mut client, mut server) = tcp_pair().await;
        carry(&mut client, &mut server, b"ping").await;
        carry(&mut server, &mut client, b"pong").await;
        // Through shared references, as with futures-io's traits.
        carry(&mut &client, &mut &server, b"by reference").await;

        // Two buffers in one writev(2); loopback takes all of them.
        assert!(client.is_write_vectored());
        let bufs = [IoSlice::new(b"head"), IoSlice::new(b"body")];
        assert_eq!(client.write_vectored(&bufs).await.unwrap(), 8);
        // `read_buf` hands a `ReadBuf` over a Vec's uninitialised capacity.
        let mut got = Vec::with_capacity(64);
        while got.len() < 8 {
            assert_ne!(server.read_buf(&mut got).await.unwrap(), 0, "early EOF");
        }
        assert_eq!(got, b"headbody");
    });
}

#[test]
fn tokio_traits_work_on_borrowed_and_owned_tcp_halves() {
    on_both_runtimes(|| async {
        let (mut client, server) = tcp_pair().await;
        let (mut client_reader, mut client_writer) = TcpStream::split(&mut client);
        let (mut server_reader, mut server_writer) = server.into_split();
        carry(&mut client_writer, &mut server_reader, b"to the server").await;
        carry(&mut server_writer, &mut client_reader, b"to the client").await;
        assert!(client_writer.is_write_vectored() && server_writer.is_write_vectored());

        // Shutting down a write half sends a FIN: the other side reads EOF.
        write_last(&mut server_writer, &mut client_reader, b"").await;
        write_last(&mut client_writer, &mut server_reader, b"bye").await;
    });
}

#[test]
fn shutdown_reaches_the_peer_as_eof_and_the_other_direction_stays_open() {
    on_both_runtimes(|| async {
        let (mut client, mut server) = tcp_pair().await;
        write_last(&mut client, &mut server, b"last words").await;
        // Half-closed: the server can still answer.
        write_last(&mut server, &mut client, b"reply").await;
        // A second shutdown is not an error (as futures-io's `close`).
        AsyncWriteExt::shutdown(&mut client).await.unwrap();
    });
}

#[cfg(unix)]
#[test]
fn tokio_traits_work_on_a_unix_stream_and_its_halves() {
    use spindle::net::UnixStream;
    on_both_runtimes(|| async {
        let (mut a, mut b) = UnixStream::pair().unwrap();
        carry(&mut a, &mut b, b"ping").await;
        carry(&mut &b, &mut &a, b"pong").await;
        assert!(a.is_write_vectored());
        {
            let (mut a_reader, mut a_writer) = UnixStream::split(&mut a);
            carry(&mut a_writer, &mut b, b"from a's half").await;
            carry(&mut b, &mut a_reader, b"to a's half").await;
        }
        let (mut b_reader, mut b_writer) = b.into_split();
        carry(&mut b_writer, &mut a, b"from b's half").await;
        carry(&mut a, &mut b_reader, b"to b's half").await;
        write_last(&mut b_writer, &mut a, b"").await;
    });
}

#[cfg(unix)]
#[test]
fn a_child_s_pipes_carry_bytes_and_shutdown_sends_it_eof() {
    use spindle::process::{Command, Stdio};
    on_both_runtimes(|| async {
        let mut cat = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = cat.stdin.take().unwrap();
        let mut stdout = cat.stdout.take().unwrap();
        assert!(!stdin.is_write_vectored());
        stdin.write_all(b"through cat").await.unwrap();
        // Closes our end: cat reads EOF, writes what it has and exits.
        stdin.shutdown().await.unwrap();
        let err = stdin.write(b"more").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        let mut out = String::new();
        stdout.read_to_string(&mut out).await.unwrap();
        assert_eq!(out, "through cat");
        assert!(cat.wait().await.unwrap().success());

        let mut sh = Command::new("sh")
            .args(["-c", "echo oops >&2"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut err = Vec::new();
        sh.stderr
            .take()
            .unwrap()
            .read_to_end(&mut err)
            .await
            .unwrap();
        assert_eq!(err, b"oops\n");
        assert!(sh.wait().await.unwrap().success());
    });
}

#[test]
fn copy_bidirectional_moves_bytes_between_two_spindle_streams() {
    on_both_runtimes(|| async {
        // client <-> (proxy_in | proxy_out) <-> upstream
        let (mut client, mut proxy_in) = tcp_pair().await;
        let (mut proxy_out, mut upstream) = tcp_pair().await;
        let proxy = spindle::spawn(async move {
            tokio::io::copy_bidirectional(&mut proxy_in, &mut proxy_out)
                .await
                .unwrap()
        });

        // Each EOF is carried through as a shutdown of the other side.
        write_last(&mut client, &mut upstream, b"request").await;
        write_last(&mut upstream, &mut client, b"response!").await;

        // Bytes client -> upstream, upstream -> client.
        assert_eq!(proxy.await.unwrap(), (7, 9));
    });
}

#[test]
fn tokio_util_framed_lines_run_over_a_spindle_tcp_stream() {
    on_both_runtimes(|| async {
        let (client, server) = tcp_pair().await;
        let echo = spindle::spawn(async move {
            let mut lines = Framed::new(server, LinesCodec::new());
            while let Some(line) = lines.next().await {
                lines.send(line.unwrap().to_uppercase()).await.unwrap();
            }
        });

        let mut lines = Framed::new(client, LinesCodec::new());
        lines.send("hello").await.unwrap();
        lines.send("world").await.unwrap();
        assert_eq!(lines.next().await.unwrap().unwrap(), "HELLO");
        assert_eq!(lines.next().await.unwrap().unwrap(), "WORLD");

        // Closing the sink shuts the stream down (`poll_shutdown`): the
        // echo's stream ends, it drops its side, and ours ends too.
        SinkExt::<&str>::close(&mut lines).await.unwrap();
        echo.await.unwrap();
        assert!(lines.next().await.is_none());
    });
}

#[test]
fn tokio_trait_methods_on_another_thread_give_the_not_this_thread_error() {
    within(LIMIT, || {
        let rt = spindle::Runtime::new().unwrap();
        let (client, mut server) = rt.block_on(tcp_pair());
        let (mut client, errors) = std::thread::spawn(move || {
            let mut client = client;
            // A tokio runtime on another thread: the stream is not its.
            let tokio_rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            let write = tokio_rt.block_on(client.write(b"x")).unwrap_err();
            let mut buf = [0; 1];
            let read = tokio_rt.block_on(client.read(&mut buf)).unwrap_err();
            (client, [write, read])
        })
        .join()
        .unwrap();
        for err in errors {
            assert_eq!(err.kind(), ErrorKind::Other);
            assert!(
                err.to_string().contains("not running on this thread"),
                "{err}"
            );
        }
        // Moved back, it works again.
        rt.block_on(carry(&mut client, &mut server, b"home again"));
    });
}
