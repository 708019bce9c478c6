//! TCP: round trips, bulk transfer, many connections, half-close, resets,
//! split halves.

mod support;

use std::io::{ErrorKind, Write as _};
use std::net::{Shutdown, SocketAddr};
use std::time::Duration;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};
use support::within;

/// Spawns a task that echoes every connection on a fresh listener.
async fn spawn_echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    spindle::spawn(async move {
        loop {
            let (conn, _) = listener.accept().await.unwrap();
            spindle::spawn(async move {
                let (mut r, mut w) = (&conn, &conn);
                spindle::io::copy(&mut r, &mut w).await.unwrap();
                w.close().await.unwrap();
            });
        }
    });
    addr
}

#[test]
fn echo_round_trip() {
    spindle::block_on(async {
        let addr = spawn_echo_server().await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(b"hello, spindle").await.unwrap();
        let mut buf = [0; 14];
        client.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hello, spindle");
    });
}

/// A deterministic byte pattern, so corruption or reordering shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i % 251) as u8 ^ (i >> 16) as u8)
        .collect()
}

#[test]
fn sixty_four_mib_through_one_connection_byte_exact_both_ways() {
    within(Duration::from_secs(120), || {
        spindle::block_on(async {
            const LEN: usize = 64 << 20;
            let addr = spawn_echo_server().await;
            let client = TcpStream::connect(addr).await.unwrap();
            let (mut reader, mut writer) = client.into_split();
            let data = pattern(LEN);
            let sender = spindle::spawn({
                let data = data.clone();
                async move {
                    writer.write_all(&data).await.unwrap();
                    writer.close().await.unwrap();
                }
            });
            // Read in 64 KiB steps rather than with `read_to_end` into a
            // 64 MiB capacity: futures' `read_to_end` zero-fills the spare
            // capacity again after every `Pending`, which in a debug build
            // costs more than the transfer itself.
            let mut back = Vec::with_capacity(LEN);
            let mut chunk = vec![0; 64 * 1024];
            loop {
                let n = reader.read(&mut chunk).await.unwrap();
                if n == 0 {
                    break;
                }
                back.extend_from_slice(&chunk[..n]);
            }
            sender.await.unwrap();
            assert_eq!(back.len(), LEN);
            assert!(back == data, "the echoed bytes differ");
        });
    });
}

#[test]
fn thousand_concurrent_connections_each_exchange_data() {
    within(Duration::from_secs(120), || {
        spindle::block_on(async {
            let addr = spawn_echo_server().await;
            let clients: Vec<_> = (0..1_000u32)
                .map(|i| {
                    spindle::spawn(async move {
                        let mut stream = TcpStream::connect(addr).await.unwrap();
                        for round in 0..3u32 {
                            let msg = format!("client {i} round {round}\n");
                            stream.write_all(msg.as_bytes()).await.unwrap();
                            let mut back = vec![0; msg.len()];
                            stream.read_exact(&mut back).await.unwrap();
                            assert_eq!(back, msg.as_bytes());
                        }
                    })
                })
                .collect();
            for client in clients {
                client.await.unwrap();
            }
        });
    });
}

#[test]
fn half_close_lets_the_peer_read_to_eof_and_still_answer() {
    spindle::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spindle::spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            conn.read_to_end(&mut request).await.unwrap(); // ends at the FIN
            conn.write_all(&request).await.unwrap();
            conn.write_all(b" -- done").await.unwrap();
        });
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(b"question").await.unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let mut answer = String::new();
        client.read_to_string(&mut answer).await.unwrap();
        assert_eq!(answer, "question -- done");
        server.await.unwrap();
    });
}

#[test]
fn peer_reset_gives_an_io_error_not_a_panic() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let client = TcpStream::connect(addr).await.unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            server.write_all(b"unread data").await.unwrap();
            spindle::time::sleep(Duration::from_millis(10)).await;
            // Closing with unread data in the receive buffer sends RST; so
            // does SO_LINGER 0.
            client.set_linger(Some(Duration::ZERO)).unwrap();
            drop(client);
            spindle::time::sleep(Duration::from_millis(10)).await;
            let mut buf = [0; 16];
            let read = server.read(&mut buf).await;
            let err = read.expect_err("a reset connection cannot be read");
            assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
            // Writing fails too, with an error.
            let mut failed = false;
            for _ in 0..10 {
                if server.write_all(&[0; 1024]).await.is_err() {
                    failed = true;
                    break;
                }
            }
            assert!(failed);
        });
    });
}

#[test]
fn connect_to_a_closed_port_is_refused_with_context() {
    spindle::block_on(async {
        let addr = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap()
        };
        let err = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert!(err.to_string().contains(&addr.to_string()), "{err}");
    });
}

#[test]
fn bind_to_a_port_in_use_fails_with_context() {
    spindle::block_on(async {
        let first = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = first.local_addr().unwrap();
        let err = TcpListener::bind(addr).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        assert!(err.to_string().contains(&addr.to_string()), "{err}");
    });
}

#[test]
fn split_halves_are_used_by_two_tasks() {
    spindle::block_on(async {
        let addr = spawn_echo_server().await;
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut reader, mut writer) = stream.into_split();
        let writing = spindle::spawn(async move {
            for i in 0..100u8 {
                writer.write_all(&[i; 100]).await.unwrap();
                spindle::yield_now().await;
            }
            writer // keep the write side open until the reader is done
        });
        let reading = spindle::spawn(async move {
            let mut buf = vec![0; 100 * 100];
            reader.read_exact(&mut buf).await.unwrap();
            for (i, chunk) in buf.chunks(100).enumerate() {
                assert!(chunk.iter().all(|&b| b == i as u8));
            }
            reader
        });
        let writer = writing.await.unwrap();
        let reader = reading.await.unwrap();
        reader.reunite(writer).unwrap();
    });
}

#[test]
fn borrowed_split_reads_and_writes_concurrently() {
    spindle::block_on(async {
        let addr = spawn_echo_server().await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        // `TcpStream::split(&mut ..)`: with `AsyncReadExt` in scope,
        // `stream.split()` would pick that trait's by-value `split`.
        let (mut r, mut w) = TcpStream::split(&mut stream);
        let data = pattern(1 << 20);
        let write = async {
            w.write_all(&data).await.unwrap();
        };
        let read = async {
            let mut back = vec![0; data.len()];
            r.read_exact(&mut back).await.unwrap();
            back
        };
        let ((), back) = futures::join!(write, read);
        assert!(back == data);
    });
}

#[test]
fn peek_try_read_and_try_write() {
    spindle::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        client.set_nodelay(true).unwrap();
        assert!(client.nodelay().unwrap());

        // Not yet reported readable: WouldBlock without waiting.
        let mut buf = [0; 8];
        assert_eq!(
            server.try_read(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );

        client.writable().await.unwrap();
        assert_eq!(client.try_write(b"peekaboo").unwrap(), 8);
        let n = server.peek(&mut buf).await.unwrap();
        assert!(n > 0);
        assert_eq!(&buf[..n], &b"peekaboo"[..n]);
        let mut got = Vec::new();
        while got.len() < 8 {
            server.readable().await.unwrap();
            match server.try_read(&mut buf) {
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(got, b"peekaboo");
    });
}

#[test]
fn vectored_writes_send_every_buffer() {
    spindle::block_on(async {
        let addr = spawn_echo_server().await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let bufs = [
            std::io::IoSlice::new(b"one "),
            std::io::IoSlice::new(b"two "),
            std::io::IoSlice::new(b"three"),
        ];
        let n = stream.write_vectored(&bufs).await.unwrap();
        assert_eq!(n, 13, "loopback takes 13 bytes in one writev");
        let mut back = [0; 13];
        stream.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"one two three");
    });
}

#[test]
fn dropping_a_stream_deregisters_it() {
    let rt = spindle::Runtime::new().unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        for _ in 0..100 {
            let client = TcpStream::connect(addr).await.unwrap();
            let (server, _) = listener.accept().await.unwrap();
            drop((client, server));
        }
    });
    // Events for the dropped sockets may still arrive; they must wake
    // nothing and break nothing: a later block_on runs normally.
    rt.block_on(spindle::time::sleep(Duration::from_millis(5)));
}

/// The short-read rule, seen from outside: after a read that returned fewer
/// bytes than asked, the next `try_read` does not even ask the kernel (it
/// says `WouldBlock` although new data has arrived) until the reactor
/// reports the socket again. That saved syscall is one per request for a
/// server that reads with `readable().await` + `try_read`.
#[cfg(not(mio_unsupported_force_poll_poll))]
#[test]
fn short_try_read_clears_readiness_until_the_next_event() {
    spindle::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let mut buf = [0; 64];
        (&client).write_all(b"a").unwrap();
        server.readable().await.unwrap();
        assert_eq!(server.try_read(&mut buf).unwrap(), 1);
        // New data is in the socket, but readiness was cleared by the short
        // read: no syscall, WouldBlock.
        (&client).write_all(b"b").unwrap();
        std::thread::sleep(Duration::from_millis(10));
        assert_eq!(
            server.try_read(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        // The kernel's edge for "b" brings readiness back.
        server.readable().await.unwrap();
        assert_eq!(server.try_read(&mut buf).unwrap(), 1);
        assert_eq!(buf[0], b'b');
    });
}

#[test]
fn peek_on_split_halves_leaves_the_data() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            client.write_all(b"peeked").await.unwrap();
            {
                let (mut reader, _writer) = TcpStream::split(&mut server);
                let mut buf = [0; 6];
                let n = reader.peek(&mut buf).await.unwrap();
                assert_eq!(&buf[..n], &b"peeked"[..n]);
            }
            let (mut reader, _writer) = server.into_split();
            let mut buf = [0; 6];
            let n = reader.peek(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], &b"peeked"[..n]);
            reader.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"peeked");
        })
    });
}
