//! `copy_bidirectional`: a TCP proxy moving 64 MiB each way byte-exact,
//! with half-close carried through in both directions.

mod support;

use std::net::Shutdown;
use std::time::Duration;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};
use support::within;

/// Bytes each side sends.
const TOTAL: usize = 64 * 1024 * 1024;

/// The byte at offset `i` of the stream that `seed` names: a pattern that
/// never repeats with a short period, so a lost, doubled or reordered chunk
/// shows.
fn byte(seed: u8, i: usize) -> u8 {
    ((i ^ (i >> 11) ^ (i >> 19)) as u8)
        .wrapping_mul(31)
        .wrapping_add(seed)
}

/// Writes `TOTAL` bytes of pattern `seed`, then shuts down the write side.
async fn send_all(stream: &TcpStream, seed: u8) {
    let mut chunk = vec![0; 64 * 1024];
    let mut sent = 0;
    let mut w = stream;
    while sent < TOTAL {
        let len = chunk.len().min(TOTAL - sent);
        for (k, b) in chunk[..len].iter_mut().enumerate() {
            *b = byte(seed, sent + k);
        }
        w.write_all(&chunk[..len]).await.unwrap();
        sent += len;
    }
    stream.shutdown(Shutdown::Write).unwrap();
}

/// Reads until EOF, checking every byte against pattern `seed`; returns
/// the count.
async fn receive_all(stream: &TcpStream, seed: u8) -> usize {
    let mut buf = vec![0; 64 * 1024];
    let mut got = 0;
    let mut r = stream;
    loop {
        let n = r.read(&mut buf).await.unwrap();
        if n == 0 {
            return got;
        }
        for (k, &b) in buf[..n].iter().enumerate() {
            assert_eq!(b, byte(seed, got + k), "byte {} differs", got + k);
        }
        got += n;
    }
}

#[test]
fn proxy_moves_64_mib_each_way_byte_exact_with_half_close() {
    within(Duration::from_secs(240), || {
        spindle::block_on(async {
            let server = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let server_addr = server.local_addr().unwrap();
            let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let proxy_addr = proxy.local_addr().unwrap();

            // The server sends its 64 MiB and reads the client's, at once.
            let serving = spindle::spawn(async move {
                let (conn, _) = server.accept().await.unwrap();
                let (_, got) = futures::join!(send_all(&conn, 2), receive_all(&conn, 1));
                got
            });
            let proxying = spindle::spawn(async move {
                let (mut inbound, _) = proxy.accept().await.unwrap();
                let mut outbound = TcpStream::connect(server_addr).await.unwrap();
                spindle::io::copy_bidirectional(&mut inbound, &mut outbound)
                    .await
                    .unwrap()
            });

            let client = TcpStream::connect(proxy_addr).await.unwrap();
            let (_, client_got) = futures::join!(send_all(&client, 1), receive_all(&client, 2));

            let server_got = serving.await.unwrap();
            let (client_to_server, server_to_client) = proxying.await.unwrap();
            assert_eq!(
                client_got, TOTAL,
                "the client read the server's bytes, then EOF"
            );
            assert_eq!(
                server_got, TOTAL,
                "the server read the client's bytes, then EOF"
            );
            assert_eq!(client_to_server, TOTAL as u64);
            assert_eq!(server_to_client, TOTAL as u64);
        })
    });
}

#[test]
fn half_close_lets_the_other_direction_go_on() {
    within(Duration::from_secs(20), || {
        spindle::block_on(async {
            let server = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let server_addr = server.local_addr().unwrap();
            let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let proxy_addr = proxy.local_addr().unwrap();
            let proxying = spindle::spawn(async move {
                let (mut inbound, _) = proxy.accept().await.unwrap();
                let mut outbound = TcpStream::connect(server_addr).await.unwrap();
                spindle::io::copy_bidirectional(&mut inbound, &mut outbound)
                    .await
                    .unwrap()
            });
            let mut client = TcpStream::connect(proxy_addr).await.unwrap();
            let (mut upstream, _) = server.accept().await.unwrap();

            // The client is done sending at once.
            client.write_all(b"request").await.unwrap();
            client.shutdown(Shutdown::Write).unwrap();
            let mut request = Vec::new();
            upstream.read_to_end(&mut request).await.unwrap(); // EOF came through
            assert_eq!(request, b"request");

            // The server can still answer, and then close.
            upstream.write_all(b"response after EOF").await.unwrap();
            upstream.shutdown(Shutdown::Write).unwrap();
            let mut response = Vec::new();
            client.read_to_end(&mut response).await.unwrap();
            assert_eq!(response, b"response after EOF");
            assert_eq!(proxying.await.unwrap(), (7, 18));
        })
    });
}

#[test]
fn works_on_unix_streams_too() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let (mut near, mut proxy_a) = spindle::net::UnixStream::pair().unwrap();
            let (mut proxy_b, mut far) = spindle::net::UnixStream::pair().unwrap();
            let proxying = spindle::spawn(async move {
                spindle::io::copy_bidirectional(&mut proxy_a, &mut proxy_b)
                    .await
                    .unwrap()
            });
            near.write_all(b"ab").await.unwrap();
            near.close().await.unwrap();
            far.write_all(b"xyz").await.unwrap();
            far.close().await.unwrap();
            let (mut from_far, mut from_near) = (Vec::new(), Vec::new());
            near.read_to_end(&mut from_far).await.unwrap();
            far.read_to_end(&mut from_near).await.unwrap();
            assert_eq!(
                (from_near.as_slice(), from_far.as_slice()),
                (&b"ab"[..], &b"xyz"[..])
            );
            assert_eq!(proxying.await.unwrap(), (2, 3));
        })
    });
}
