//! `UnixDatagram`: path and abstract (Linux) addresses, pairs, connected
//! sockets, peeking, the `try_*` family driven by readiness, and errors
//! that name the path.
#![cfg(unix)]

mod support;

use std::io::ErrorKind;
use std::os::unix::net::SocketAddr;
use std::time::Duration;

use spindle::net::UnixDatagram;
use support::{within, TempDir};

#[test]
fn datagrams_between_two_paths_keep_boundaries_and_sender() {
    let dir = TempDir::new();
    let (a_path, b_path) = (dir.path("a"), dir.path("b"));
    within(Duration::from_secs(10), move || {
        spindle::block_on(async {
            let a = UnixDatagram::bind(&a_path).unwrap();
            let b = UnixDatagram::bind(&b_path).unwrap();
            for len in [1usize, 300, 4000] {
                a.send_to(&vec![len as u8; len], &b_path).await.unwrap();
            }
            let mut buf = vec![0; 8192];
            for len in [1usize, 300, 4000] {
                let (n, from) = b.recv_from(&mut buf).await.unwrap();
                assert_eq!(n, len, "one datagram per receive");
                assert!(buf[..n].iter().all(|&x| x == len as u8));
                assert_eq!(from.as_pathname(), Some(a_path.as_path()));
            }
            // Reply to the address the datagram came from.
            let (n, from) = {
                b.send_to(b"reply", &a_path).await.unwrap();
                a.recv_from(&mut buf).await.unwrap()
            };
            assert_eq!(
                (&buf[..n], from.as_pathname()),
                (&b"reply"[..], Some(b_path.as_path()))
            );
        })
    });
}

#[test]
fn receiver_waits_for_a_datagram_sent_later() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let (a, b) = UnixDatagram::pair().unwrap();
            let waiting = spindle::spawn(async move {
                let mut buf = [0; 16];
                let n = b.recv(&mut buf).await.unwrap();
                buf[..n].to_vec()
            });
            spindle::time::sleep(Duration::from_millis(10)).await;
            assert!(!waiting.is_finished());
            a.send(b"later").await.unwrap();
            assert_eq!(waiting.await.unwrap(), b"later");
        })
    });
}

#[cfg(target_os = "linux")]
#[test]
fn abstract_names_bind_connect_send_and_receive() {
    use std::os::linux::net::SocketAddrExt;
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let name = format!("spindle-test-{}", std::process::id());
            let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
            let server = UnixDatagram::bind_addr(&addr).unwrap();
            assert_eq!(
                server.local_addr().unwrap().as_abstract_name(),
                Some(name.as_bytes())
            );

            // Unconnected send to the name.
            let client = UnixDatagram::unbound().unwrap();
            client.send_to_addr(b"by name", &addr).await.unwrap();
            let mut buf = [0; 16];
            let n = server.recv(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"by name");

            // Connected to the name; the reply goes to the client's own name.
            let client_name = format!("spindle-test-client-{}", std::process::id());
            let client_addr = SocketAddr::from_abstract_name(client_name.as_bytes()).unwrap();
            let client = UnixDatagram::bind_addr(&client_addr).unwrap();
            client.connect_addr(&addr).unwrap();
            assert_eq!(
                client.peer_addr().unwrap().as_abstract_name(),
                Some(name.as_bytes())
            );
            client.send(b"connected").await.unwrap();
            let (n, from) = server.recv_from(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"connected");
            assert_eq!(from.as_abstract_name(), Some(client_name.as_bytes()));
            server.send_to_addr(b"back", &from).await.unwrap();
            assert_eq!(client.recv(&mut buf).await.unwrap(), 4);

            // The name is taken while the server lives.
            let err = UnixDatagram::bind_addr(&addr).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AddrInUse);
            assert!(err.to_string().contains(&name), "{err}");
        })
    });
}

#[test]
fn peek_leaves_the_datagram_for_the_next_receive() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let (a, b) = UnixDatagram::pair().unwrap();
            a.send(b"first").await.unwrap();
            a.send(b"second").await.unwrap();
            let mut buf = [0; 16];
            assert_eq!(b.peek(&mut buf).await.unwrap(), 5);
            assert_eq!(&buf[..5], b"first");
            assert_eq!(b.try_peek(&mut buf).unwrap(), 5, "still the first");
            assert_eq!(b.recv(&mut buf).await.unwrap(), 5);
            assert_eq!(b.recv(&mut buf).await.unwrap(), 6);
            assert_eq!(&buf[..6], b"second");
        })
    });
}

#[test]
fn try_recv_loop_driven_by_readable() {
    const COUNT: usize = 100;
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let (a, b) = UnixDatagram::pair().unwrap();
            let sending = spindle::spawn(async move {
                for i in 0..COUNT {
                    a.writable().await.unwrap();
                    match a.try_send(&(i as u32).to_be_bytes()) {
                        Ok(4) => {}
                        Ok(n) => panic!("a datagram is sent whole, not {n} bytes"),
                        Err(e) => panic!("{e}"),
                    }
                    if i % 10 == 0 {
                        spindle::yield_now().await;
                    }
                }
            });
            let mut got = Vec::new();
            let mut buf = [0; 8];
            while got.len() < COUNT {
                b.readable().await.unwrap();
                loop {
                    match b.try_recv(&mut buf) {
                        Ok(n) => got.push(u32::from_be_bytes(buf[..n].try_into().unwrap())),
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        Err(e) => panic!("{e}"),
                    }
                }
            }
            sending.await.unwrap();
            assert_eq!(
                got,
                (0..COUNT as u32).collect::<Vec<_>>(),
                "in order, none lost"
            );
        })
    });
}

#[test]
fn errors_name_the_path() {
    let dir = TempDir::new();
    let missing = dir.path("nobody-here");
    let taken = dir.path("taken");
    spindle::block_on(async {
        let socket = UnixDatagram::unbound().unwrap();
        let err = socket.send_to(b"x", &missing).await.unwrap_err();
        assert!(err.to_string().contains("nobody-here"), "{err}");
        let err = socket.connect(&missing).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.to_string().contains("nobody-here"), "{err}");
        let _first = UnixDatagram::bind(&taken).unwrap();
        let err = UnixDatagram::bind(&taken).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        assert!(err.to_string().contains("taken"), "{err}");
        // An unnamed address cannot be a destination.
        let unnamed = UnixDatagram::unbound().unwrap().local_addr().unwrap();
        let err = socket.send_to_addr(b"x", &unnamed).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        // Not connected.
        assert!(socket.send(b"x").await.is_err());
    });
}

#[test]
fn try_receive_before_any_readiness_would_block() {
    spindle::block_on(async {
        let (_a, b) = UnixDatagram::pair().unwrap();
        let mut buf = [0; 4];
        assert_eq!(
            b.try_recv(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        assert_eq!(
            b.try_recv_from(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        assert_eq!(
            b.try_peek(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
    });
}
