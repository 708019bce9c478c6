//! The readiness API on streams: `ready(Interest)` and the bits it
//! returns, `is_read_closed`, `poll_read_ready`/`poll_write_ready`, and the
//! vectored `try_read_vectored`/`try_write_vectored` (TCP and Unix).

mod support;

use std::future::poll_fn;
use std::io::{ErrorKind, IoSlice, IoSliceMut};
use std::net::Shutdown;
use std::time::Duration;

use spindle::io::{AsyncWriteExt, Interest};
use spindle::net::UnixStream;
use support::{tcp_pair, within};

#[test]
fn ready_waits_for_the_first_of_both_directions() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let (client, server) = tcp_pair().await;
            // Writable at once: a fresh connection has buffer space.
            let ready = server
                .ready(Interest::READABLE | Interest::WRITABLE)
                .await
                .unwrap();
            assert!(ready.is_writable(), "{ready:?}");
            // Only readable asked: waits until data comes.
            let waiting = spindle::spawn(async move {
                let ready = server.ready(Interest::READABLE).await.unwrap();
                (ready, server)
            });
            spindle::time::sleep(Duration::from_millis(10)).await;
            assert!(!waiting.is_finished(), "nothing to read yet");
            client.try_write(b"x").unwrap();
            let (ready, server) = waiting.await.unwrap();
            assert!(ready.is_readable() && !ready.is_writable(), "{ready:?}");
            let mut buf = [0; 1];
            assert_eq!(server.try_read(&mut buf).unwrap(), 1);
        })
    });
}

#[test]
fn is_read_closed_after_the_peer_shuts_down_its_write_side() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let (client, server) = tcp_pair().await;
            client.shutdown(Shutdown::Write).unwrap();
            let ready = server.ready(Interest::READABLE).await.unwrap();
            assert!(ready.is_read_closed(), "{ready:?}");
            assert!(!ready.is_write_closed(), "our side can still write");
            let mut buf = [0; 4];
            assert_eq!(server.try_read(&mut buf).unwrap(), 0, "EOF");
        })
    });
}

#[test]
fn unix_stream_ready_sees_read_closed_when_the_peer_is_gone() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let (a, b) = UnixStream::pair().unwrap();
            drop(a);
            let ready = b
                .ready(Interest::READABLE | Interest::WRITABLE)
                .await
                .unwrap();
            // The peer is gone: reads see EOF.
            let ready = if ready.is_read_closed() {
                ready
            } else {
                b.ready(Interest::READABLE).await.unwrap()
            };
            assert!(ready.is_read_closed(), "{ready:?}");
        })
    });
}

#[test]
fn poll_read_ready_and_poll_write_ready_on_tcp_and_unix() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let (client, server) = tcp_pair().await;
            poll_fn(|cx| client.poll_write_ready(cx)).await.unwrap();
            client.try_write(b"ping").unwrap();
            poll_fn(|cx| server.poll_read_ready(cx)).await.unwrap();

            let (a, b) = UnixStream::pair().unwrap();
            poll_fn(|cx| a.poll_write_ready(cx)).await.unwrap();
            a.writable().await.unwrap();
            assert_eq!(a.try_write(b"ping").unwrap(), 4);
            poll_fn(|cx| b.poll_read_ready(cx)).await.unwrap();
            let mut buf = [0; 4];
            assert_eq!(b.try_read(&mut buf).unwrap(), 4);
        })
    });
}

#[test]
fn try_vectored_moves_bytes_across_buffers_on_tcp() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let (client, server) = tcp_pair().await;
            client.writable().await.unwrap();
            let n = client
                .try_write_vectored(&[IoSlice::new(b"GET "), IoSlice::new(b"/ HTTP/1.1")])
                .unwrap();
            assert_eq!(n, 14);
            let mut method = [0; 4];
            let mut rest = [0; 32];
            let mut got = 0;
            while got < 14 {
                server.readable().await.unwrap();
                let (m, r) = if got < 4 {
                    (&mut method[got..], &mut rest[..])
                } else {
                    (&mut method[4..], &mut rest[got - 4..])
                };
                match server.try_read_vectored(&mut [IoSliceMut::new(m), IoSliceMut::new(r)]) {
                    Ok(n) => got += n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                    Err(e) => panic!("{e}"),
                }
            }
            assert_eq!(&method, b"GET ");
            assert_eq!(&rest[..10], b"/ HTTP/1.1");
        })
    });
}

#[test]
fn try_vectored_moves_bytes_across_buffers_on_unix() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let (a, b) = UnixStream::pair().unwrap();
            a.writable().await.unwrap();
            assert_eq!(
                a.try_write_vectored(&[IoSlice::new(b"12"), IoSlice::new(b"345")])
                    .unwrap(),
                5
            );
            b.readable().await.unwrap();
            let (mut x, mut y) = ([0; 3], [0; 3]);
            let n = b
                .try_read_vectored(&mut [IoSliceMut::new(&mut x), IoSliceMut::new(&mut y)])
                .unwrap();
            assert_eq!((n, &x, &y[..2]), (5, b"123", &b"45"[..]));
            // Drained by a short read: the next try is WouldBlock without
            // a syscall on epoll; with one on poll(2). Either way: WouldBlock.
            assert_eq!(
                b.try_read_vectored(&mut [IoSliceMut::new(&mut x)])
                    .unwrap_err()
                    .kind(),
                ErrorKind::WouldBlock
            );
        })
    });
}

#[test]
fn tcp_stream_options_read_back() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let (mut client, _server) = tcp_pair().await;
            assert_eq!(client.linger().unwrap(), None);
            client.set_linger(Some(Duration::from_secs(5))).unwrap();
            assert_eq!(client.linger().unwrap(), Some(Duration::from_secs(5)));
            client.set_ttl(17).unwrap();
            assert_eq!(client.ttl().unwrap(), 17);
            assert!(!client.keepalive().unwrap());
            client.set_keepalive(true).unwrap();
            assert!(client.keepalive().unwrap());
            client.write_all(b"still works").await.unwrap();
        })
    });
}
