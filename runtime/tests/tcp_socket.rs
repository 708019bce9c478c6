//! `TcpSocket`: options before connect or listen, `SO_REUSEPORT` listeners
//! sharing a port, and errors that name the address.

mod support;

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::time::Duration;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpSocket, TcpStream};
use support::within;

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

#[test]
fn reuseport_lets_two_listeners_share_one_port() {
    within(Duration::from_secs(20), || {
        spindle::block_on(async {
            let first = TcpSocket::new_v4().unwrap();
            first.set_reuseport(true).unwrap();
            first.bind(loopback()).unwrap();
            let addr = first.local_addr().unwrap();
            let second = TcpSocket::new_v4().unwrap();
            second.set_reuseport(true).unwrap();
            second.bind(addr).unwrap(); // the same port: allowed
            let a = first.listen(64).unwrap();
            let b = second.listen(64).unwrap();
            assert_eq!(a.local_addr().unwrap(), b.local_addr().unwrap());

            // The kernel spreads connections by a hash of the client's
            // address and port; accept on both until each got one (or all
            // 200 clients are served by one listener, which would only
            // happen with vanishing probability).
            let (mut on_a, mut on_b) = (0, 0);
            let mut clients = Vec::new();
            for _ in 0..200 {
                clients.push(TcpStream::connect(addr).await.unwrap());
                loop {
                    let which =
                        futures::future::select(Box::pin(a.accept()), Box::pin(b.accept())).await;
                    match which {
                        futures::future::Either::Left((r, _)) => {
                            r.unwrap();
                            on_a += 1;
                        }
                        futures::future::Either::Right((r, _)) => {
                            r.unwrap();
                            on_b += 1;
                        }
                    }
                    if on_a + on_b == clients.len() {
                        break;
                    }
                }
                if on_a > 0 && on_b > 0 {
                    break;
                }
            }
            assert!(on_a > 0 && on_b > 0, "a got {on_a}, b got {on_b}");
        })
    });
}

#[test]
fn without_reuseport_a_second_bind_fails_naming_the_address() {
    let first = TcpSocket::new_v4().unwrap();
    first.bind(loopback()).unwrap();
    let addr = first.local_addr().unwrap();
    spindle::block_on(async {
        let _listener = first.listen(8).unwrap();
        let second = TcpSocket::new_v4().unwrap();
        let err = second.bind(addr).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        assert!(err.to_string().contains(&addr.to_string()), "{err}");
    });
}

#[test]
fn connect_applies_the_options_set_before() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let socket = TcpSocket::new_v4().unwrap();
            socket.set_nodelay(true).unwrap();
            socket.set_keepalive(true).unwrap();
            socket.set_linger(Some(Duration::from_secs(3))).unwrap();
            socket.set_recv_buffer_size(32 * 1024).unwrap();
            socket.set_send_buffer_size(32 * 1024).unwrap();
            assert!(socket.recv_buffer_size().unwrap() >= 16 * 1024);
            assert!(socket.send_buffer_size().unwrap() >= 16 * 1024);
            socket.bind(loopback()).unwrap();
            let local = socket.local_addr().unwrap();
            let mut stream = socket
                .connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            assert_eq!(
                stream.local_addr().unwrap(),
                local,
                "connected from the bound address"
            );
            assert!(stream.nodelay().unwrap());
            assert!(stream.keepalive().unwrap());
            assert_eq!(stream.linger().unwrap(), Some(Duration::from_secs(3)));
            let (mut server, peer) = listener.accept().await.unwrap();
            assert_eq!(peer, local);
            stream.write_all(b"configured").await.unwrap();
            let mut buf = [0; 10];
            server.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"configured");
        })
    });
}

#[test]
fn connect_to_a_closed_port_fails_naming_the_address() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            // Bind, then close, a listener: its port is very likely free.
            let addr = TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap()
                .local_addr()
                .unwrap();
            let err = TcpSocket::new_v4()
                .unwrap()
                .connect(addr)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
            assert!(err.to_string().contains(&addr.to_string()), "{err}");
        })
    });
}

#[test]
fn listen_gives_a_listener_that_accepts() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let socket = TcpSocket::new_v4().unwrap();
            socket.set_reuseaddr(true).unwrap();
            assert!(socket.reuseaddr().unwrap());
            socket.bind(loopback()).unwrap();
            let listener = socket.listen(16).unwrap();
            let addr = listener.local_addr().unwrap();
            let client = spindle::spawn(async move {
                let mut s = TcpStream::connect(addr).await.unwrap();
                s.write_all(b"hi").await.unwrap();
            });
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut buf = [0; 2];
            conn.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"hi");
            client.await.unwrap();
        })
    });
}

#[test]
fn an_ipv4_address_on_an_ipv6_socket_is_a_clear_error() {
    let Ok(socket) = TcpSocket::new_v6() else {
        println!("SKIPPED: no IPv6 sockets here");
        return;
    };
    let err = socket.bind(loopback()).unwrap_err();
    assert!(err.to_string().contains("127.0.0.1"), "{err}");
}

#[test]
fn ipv6_loopback_where_available() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let Ok(socket) = TcpSocket::new_v6() else {
                println!("SKIPPED: no IPv6 sockets here");
                return;
            };
            if let Err(err) = socket.bind("[::1]:0".parse().unwrap()) {
                println!("SKIPPED: no IPv6 loopback: {err}");
                return;
            }
            let listener = socket.listen(8).unwrap();
            let stream = TcpSocket::new_v6()
                .unwrap()
                .connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            assert!(stream.peer_addr().unwrap().is_ipv6());
        })
    });
}
