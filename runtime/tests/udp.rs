//! UDP: round trips, datagram boundaries, connected sockets, peeking.

mod support;

use std::time::Duration;

use spindle::net::UdpSocket;
use support::within;

#[test]
fn send_to_and_recv_from_round_trip() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let server = UdpSocket::bind("127.0.0.1:0").unwrap();
            let client = UdpSocket::bind("127.0.0.1:0").unwrap();
            let server_addr = server.local_addr().unwrap();
            let echo = spindle::spawn(async move {
                let mut buf = [0; 64];
                let (n, from) = server.recv_from(&mut buf).await.unwrap();
                server.send_to(&buf[..n], from).await.unwrap();
            });
            client.send_to(b"marco", server_addr).await.unwrap();
            let mut buf = [0; 64];
            let (n, from) = client.recv_from(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"marco");
            assert_eq!(from, server_addr);
            echo.await.unwrap();
        })
    });
}

#[test]
fn datagrams_are_never_merged_or_split() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let a = UdpSocket::bind("127.0.0.1:0").unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").unwrap();
            let to = b.local_addr().unwrap();
            let sizes = [1usize, 700, 1400];
            for (i, &len) in sizes.iter().enumerate() {
                a.send_to(&vec![i as u8; len], to).await.unwrap();
            }
            let mut buf = vec![0; 4096];
            for (i, &len) in sizes.iter().enumerate() {
                let (n, _) = b.recv_from(&mut buf).await.unwrap();
                assert_eq!(n, len, "datagram {i} has its own size");
                assert!(buf[..n].iter().all(|&x| x == i as u8));
            }
            // Exactly three: a fourth receive finds nothing.
            let fourth =
                spindle::time::timeout(Duration::from_millis(50), b.recv_from(&mut buf)).await;
            assert!(fourth.is_err(), "no fourth datagram: {fourth:?}");
        })
    });
}

#[test]
fn receiver_waits_for_a_datagram_sent_later() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let a = UdpSocket::bind("127.0.0.1:0").unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").unwrap();
            let to = b.local_addr().unwrap();
            let receiver = spindle::spawn(async move {
                let mut buf = [0; 8];
                b.recv_from(&mut buf).await.unwrap().0
            });
            spindle::time::sleep(Duration::from_millis(20)).await;
            assert!(!receiver.is_finished());
            a.send_to(b"late", to).await.unwrap();
            assert_eq!(receiver.await.unwrap(), 4);
        })
    });
}

#[test]
fn connected_sockets_send_and_recv() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let a = UdpSocket::bind("127.0.0.1:0").unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").unwrap();
            a.connect(b.local_addr().unwrap()).unwrap();
            b.connect(a.local_addr().unwrap()).unwrap();
            assert_eq!(a.peer_addr().unwrap(), b.local_addr().unwrap());
            a.send(b"one").await.unwrap();
            let mut buf = [0; 8];
            assert_eq!(b.recv(&mut buf).await.unwrap(), 3);
            assert_eq!(&buf[..3], b"one");
            b.send(b"two!").await.unwrap();
            assert_eq!(a.recv(&mut buf).await.unwrap(), 4);
            assert_eq!(&buf[..4], b"two!");
        })
    });
}

#[test]
fn send_on_an_unconnected_socket_fails() {
    spindle::block_on(async {
        let a = UdpSocket::bind("127.0.0.1:0").unwrap();
        assert!(a.send(b"nowhere").await.is_err());
        assert!(a.peer_addr().is_err());
    });
}

#[test]
fn peek_from_leaves_the_datagram_queued() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let a = UdpSocket::bind("127.0.0.1:0").unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").unwrap();
            a.send_to(b"first", b.local_addr().unwrap()).await.unwrap();
            a.send_to(b"second", b.local_addr().unwrap()).await.unwrap();
            let mut buf = [0; 16];
            for _ in 0..2 {
                let (n, from) = b.peek_from(&mut buf).await.unwrap();
                assert_eq!(&buf[..n], b"first");
                assert_eq!(from, a.local_addr().unwrap());
            }
            let (n, _) = b.recv_from(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"first");
            let (n, _) = b.recv_from(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"second");
        })
    });
}

#[test]
fn many_datagrams_each_arrive_whole() {
    within(Duration::from_secs(20), || {
        spindle::block_on(async {
            let a = UdpSocket::bind("127.0.0.1:0").unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").unwrap();
            let to = b.local_addr().unwrap();
            let receiver = spindle::spawn(async move {
                let mut buf = [0; 64];
                for i in 0..200u32 {
                    let (n, _) = b.recv_from(&mut buf).await.unwrap();
                    assert_eq!(&buf[..n], i.to_be_bytes());
                }
            });
            for i in 0..200u32 {
                a.send_to(&i.to_be_bytes(), to).await.unwrap();
                if i % 16 == 0 {
                    // Let the receiver drain so loopback never drops one.
                    spindle::yield_now().await;
                }
            }
            receiver.await.unwrap();
        })
    });
}
