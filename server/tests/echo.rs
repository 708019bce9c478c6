//! The echo protocol and the per-connection API: bytes come back in order,
//! a half-close is answered by flushing then closing, large transfers
//! survive back-pressure, and any `async fn(TcpStream, SocketAddr)` can be
//! served with the same accept loop.

mod support;

use std::io::{Read, Write};
use std::net::Shutdown;

use spindle::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use spindle::net::TcpStream;
use spindle_server::Config;
use support::TestServer;

fn echo_server() -> TestServer {
    TestServer::start(Config::default(), |server| {
        server.serve(spindle_server::echo)
    })
}

#[test]
fn echo_returns_every_byte_and_closes_after_half_close() {
    let server = echo_server();
    let mut stream = server.connect();
    stream.write_all(b"hello ").unwrap();
    let mut buf = [0; 6];
    stream.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"hello ");
    stream.write_all(b"world").unwrap();
    stream.shutdown(Shutdown::Write).unwrap(); // half-close
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap(); // EOF: the server closed its side
    assert_eq!(rest, b"world");
    support::wait_until(std::time::Duration::from_secs(2), || {
        server.handle.metrics()[0].active == 0
    });
}

#[test]
fn echo_survives_a_client_that_writes_everything_before_reading() {
    let server = echo_server();
    let stream = server.connect();
    let payload: Vec<u8> = (0..4 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let mut writer = stream.try_clone().unwrap();
    let sent = payload.clone();
    let sender = std::thread::spawn(move || {
        writer.write_all(&sent).unwrap();
        writer.shutdown(Shutdown::Write).unwrap();
    });
    let mut echoed = Vec::new();
    let mut reader = stream;
    reader.read_to_end(&mut echoed).unwrap();
    sender.join().unwrap();
    assert!(
        echoed == payload,
        "echoed {} of {} bytes",
        echoed.len(),
        payload.len()
    );
}

#[test]
fn any_async_fn_per_connection_can_be_served() {
    // A line protocol: the server answers each line with its length.
    let server = TestServer::start(Config::default(), |server| {
        server.serve(|stream: TcpStream, _peer| async move {
            let mut lines = BufReader::new(&stream).lines();
            let mut writer = &stream;
            while let Some(line) = futures::StreamExt::next(&mut lines).await {
                writer
                    .write_all(format!("{}\n", line?.len()).as_bytes())
                    .await?;
            }
            Ok(())
        })
    });
    let mut stream = server.connect();
    stream.write_all(b"abc\nhello\n").unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    assert_eq!(support::read_to_close(&mut stream), "3\n5\n");
}
