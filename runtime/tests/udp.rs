//! UDP: round trips, datagram boundaries, connected sockets, peeking.

mod support;

use std::io::ErrorKind;
use std::time::Duration;

use spindle::net::UdpSocket;
use support::within;

#[test]
fn send_to_and_recv_from_round_trip() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
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
            let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
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
            let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
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
            let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            a.connect(b.local_addr().unwrap()).await.unwrap();
            b.connect(a.local_addr().unwrap()).await.unwrap();
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
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        assert!(a.send(b"nowhere").await.is_err());
        assert!(a.peer_addr().is_err());
    });
}

#[test]
fn peek_from_leaves_the_datagram_queued() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
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
            let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
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

#[test]
fn try_recv_from_loop_driven_by_readable_gets_every_datagram() {
    const COUNT: usize = 200;
    within(Duration::from_secs(20), || {
        spindle::block_on(async {
            let receiver = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let to = receiver.local_addr().unwrap();
            let from = sender.local_addr().unwrap();
            let sending = spindle::spawn(async move {
                for i in 0..COUNT {
                    sender.send_to(&(i as u32).to_be_bytes(), to).await.unwrap();
                    if i % 16 == 0 {
                        spindle::yield_now().await; // arrive in several bursts
                    }
                }
            });
            let mut got = Vec::new();
            let mut would_block = 0;
            let mut buf = [0; 16];
            while got.len() < COUNT {
                receiver.readable().await.unwrap();
                loop {
                    match receiver.try_recv_from(&mut buf) {
                        Ok((n, peer)) => {
                            assert_eq!((n, peer), (4, from));
                            got.push(u32::from_be_bytes(buf[..4].try_into().unwrap()));
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            would_block += 1;
                            break;
                        }
                        Err(e) => panic!("try_recv_from: {e}"),
                    }
                }
            }
            sending.await.unwrap();
            assert_eq!(got, (0..COUNT as u32).collect::<Vec<_>>());
            assert!(would_block >= 1, "the loop drained the socket");
            // Drained: without a new readiness event there is no syscall
            // and no datagram.
            assert_eq!(
                receiver.try_recv_from(&mut buf).unwrap_err().kind(),
                ErrorKind::WouldBlock
            );
        })
    });
}

#[test]
fn try_recv_on_a_connected_socket_after_readable() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            a.connect(b.local_addr().unwrap()).await.unwrap();
            b.connect(a.local_addr().unwrap()).await.unwrap();
            a.writable().await.unwrap();
            assert_eq!(a.try_send(b"connected").unwrap(), 9);
            let mut buf = [0; 16];
            let n = loop {
                b.readable().await.unwrap();
                match b.try_recv(&mut buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                    Err(e) => panic!("{e}"),
                }
            };
            assert_eq!(&buf[..n], b"connected");
        })
    });
}

#[test]
fn try_receives_before_the_reactor_reported_readable_would_block() {
    spindle::block_on(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let mut buf = [0; 4];
        // Fresh: the reactor has reported nothing yet.
        assert_eq!(
            a.try_recv_from(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        assert_eq!(
            a.try_peek_from(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
    });
}

#[test]
fn poll_send_poll_recv_and_poll_peek_from() {
    use std::future::poll_fn;
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            a.connect(b.local_addr().unwrap()).await.unwrap();
            b.connect(a.local_addr().unwrap()).await.unwrap();
            let receiving = spindle::spawn(async move {
                let mut buf = [0; 8];
                let (n, from) = poll_fn(|cx| b.poll_peek_from(cx, &mut buf)).await.unwrap();
                let peeked = buf[..n].to_vec();
                let n = poll_fn(|cx| b.poll_recv(cx, &mut buf)).await.unwrap();
                (peeked, buf[..n].to_vec(), from)
            });
            spindle::yield_now().await; // the receiver waits first
            assert_eq!(poll_fn(|cx| a.poll_send(cx, b"polled")).await.unwrap(), 6);
            let (peeked, received, from) = receiving.await.unwrap();
            assert_eq!(
                (peeked.as_slice(), received.as_slice()),
                (&b"polled"[..], &b"polled"[..])
            );
            assert_eq!(from, a.local_addr().unwrap());
        })
    });
}

#[test]
fn peek_sender_names_the_sender_and_leaves_the_datagram() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let receiver = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let to = receiver.local_addr().unwrap();
            let waiting = spindle::spawn(async move {
                let from = receiver.peek_sender().await.unwrap();
                let mut buf = [0; 8];
                let (n, from_again) = receiver.recv_from(&mut buf).await.unwrap();
                (from, from_again, buf[..n].to_vec())
            });
            spindle::yield_now().await;
            sender.send_to(b"who", to).await.unwrap();
            let (from, from_again, data) = waiting.await.unwrap();
            assert_eq!(from, sender.local_addr().unwrap());
            assert_eq!(from_again, from);
            assert_eq!(data, b"who");
        })
    });
}

#[test]
fn ready_reports_the_directions_asked_for() {
    use spindle::io::Interest;
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let ready = a.ready(Interest::WRITABLE).await.unwrap();
            assert!(ready.is_writable() && !ready.is_readable());
            a.send_to(b"x", a.local_addr().unwrap()).await.unwrap();
            let ready = a.ready(Interest::READABLE).await.unwrap();
            assert!(ready.is_readable() && !ready.is_writable(), "{ready:?}");
        })
    });
}

#[test]
fn socket_options_read_back_what_was_set() {
    spindle::block_on(async {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        socket.set_ttl(33).unwrap();
        assert_eq!(socket.ttl().unwrap(), 33);
        socket.set_broadcast(true).unwrap();
        assert!(socket.broadcast().unwrap());
        socket.set_broadcast(false).unwrap();
        assert!(!socket.broadcast().unwrap());
        socket.set_multicast_ttl_v4(5).unwrap();
        assert_eq!(socket.multicast_ttl_v4().unwrap(), 5);
        socket.set_multicast_loop_v4(false).unwrap();
        assert!(!socket.multicast_loop_v4().unwrap());
        socket.set_multicast_loop_v4(true).unwrap();
        assert!(socket.multicast_loop_v4().unwrap());
        socket.set_tos(0x20).unwrap();
        assert_eq!(socket.tos().unwrap(), 0x20);
        // Bad input: a clear error, no panic.
        assert!(socket.set_ttl(0).is_err());
    });
}

#[test]
fn joining_a_non_multicast_address_fails_naming_it() {
    use std::net::Ipv4Addr;
    spindle::block_on(async {
        let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        let err = socket
            .join_multicast_v4(Ipv4Addr::new(10, 1, 2, 3), Ipv4Addr::UNSPECIFIED)
            .unwrap_err();
        assert!(err.to_string().contains("10.1.2.3"), "{err}");
    });
}

#[test]
fn multicast_v4_on_loopback_delivers_to_the_group() {
    use std::net::{Ipv4Addr, SocketAddr};
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let group = Ipv4Addr::new(239, 255, 77, 1);
            let receiver = UdpSocket::bind("0.0.0.0:0").await.unwrap();
            let port = receiver.local_addr().unwrap().port();
            if let Err(err) = receiver.join_multicast_v4(group, Ipv4Addr::LOCALHOST) {
                println!("SKIPPED: the kernel refuses multicast on loopback: {err}");
                return;
            }
            let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            sender.set_multicast_loop_v4(true).unwrap();
            // Send through the loopback interface.
            let sref = socket2::SockRef::from(&sender);
            if let Err(err) = sref.set_multicast_if_v4(&Ipv4Addr::LOCALHOST) {
                println!("SKIPPED: cannot pick loopback for multicast: {err}");
                return;
            }
            let to = SocketAddr::from((group, port));
            if let Err(err) = sender.send_to(b"to the group", to).await {
                println!("SKIPPED: no multicast route on loopback: {err}");
                return;
            }
            let mut buf = [0; 32];
            match spindle::time::timeout(Duration::from_secs(2), receiver.recv_from(&mut buf)).await
            {
                Ok(Ok((n, from))) => {
                    assert_eq!(&buf[..n], b"to the group");
                    assert_eq!(from, sender.local_addr().unwrap());
                }
                Ok(Err(err)) => panic!("recv_from: {err}"),
                Err(_) => {
                    println!("SKIPPED: the kernel did not loop the multicast datagram back");
                    return;
                }
            }
            receiver
                .leave_multicast_v4(group, Ipv4Addr::LOCALHOST)
                .unwrap();
            // Leaving twice is an error that names the group.
            let err = receiver
                .leave_multicast_v4(group, Ipv4Addr::LOCALHOST)
                .unwrap_err();
            assert!(err.to_string().contains("239.255.77.1"), "{err}");
        })
    });
}

#[test]
fn multicast_v6_join_and_leave_where_ipv6_exists() {
    use std::net::Ipv6Addr;
    spindle::block_on(async {
        let socket = match UdpSocket::bind("[::]:0").await {
            Ok(socket) => socket,
            Err(err) => {
                println!("SKIPPED: no IPv6 here: {err}");
                return;
            }
        };
        let group: Ipv6Addr = "ff02::1:77".parse().unwrap();
        socket.set_multicast_loop_v6(false).unwrap();
        assert!(!socket.multicast_loop_v6().unwrap());
        match socket.join_multicast_v6(&group, 0) {
            Ok(()) => socket.leave_multicast_v6(&group, 0).unwrap(),
            Err(err) => {
                assert!(err.to_string().contains("ff02::1:77"), "{err}");
                println!("SKIPPED: the kernel refuses the IPv6 group: {err}");
            }
        }
    });
}

#[test]
fn into_std_hands_back_a_working_non_blocking_socket() {
    spindle::block_on(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let a = a.into_std().unwrap();
        let mut buf = [0; 4];
        // Non-blocking, as tokio hands it back.
        assert_eq!(
            a.recv_from(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        a.send_to(b"std", b.local_addr().unwrap()).unwrap();
        let (n, _) = b.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"std");
    });
}
