//! Name resolution: `lookup_host` resolves names on the blocking pool and
//! IP literals without it, `TcpStream::connect`, `TcpListener::bind` and
//! `UdpSocket::bind`/`connect` go through it, a slow
//! lookup leaves the loop free, and a name that does not resolve is an
//! error naming it.
#![cfg(unix)]

mod support;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{lookup_host, TcpListener, TcpStream, UdpSocket};
use support::within;

#[test]
fn ip_literals_resolve_without_a_blocking_job() {
    within(Duration::from_secs(30), || {
        let rt = spindle::Runtime::new().unwrap();
        rt.block_on(async {
            let addrs: Vec<_> = lookup_host("127.0.0.1:80").await.unwrap().collect();
            assert_eq!(addrs, [SocketAddr::from((Ipv4Addr::LOCALHOST, 80))]);
            let addrs: Vec<_> = lookup_host(("::1", 443)).await.unwrap().collect();
            assert_eq!(addrs, ["[::1]:443".parse::<SocketAddr>().unwrap()]);
            let addrs: Vec<_> = lookup_host(SocketAddr::from((Ipv4Addr::LOCALHOST, 1)))
                .await
                .unwrap()
                .collect();
            assert_eq!(addrs.len(), 1);

            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            TcpStream::connect(format!("127.0.0.1:{port}"))
                .await
                .unwrap();
        });
        assert_eq!(rt.metrics().blocking_jobs, 0);
    });
}

#[test]
fn localhost_resolves_on_the_pool_and_connect_uses_it() {
    within(Duration::from_secs(30), || {
        let rt = spindle::Runtime::new().unwrap();
        rt.block_on(async {
            let addrs: Vec<_> = lookup_host("localhost:80").await.unwrap().collect();
            assert!(!addrs.is_empty());
            assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 80));

            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            // `localhost` may resolve to ::1 first; connect tries each
            // address in turn and reaches the IPv4 listener.
            let mut client = TcpStream::connect(("localhost", port)).await.unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            client.write_all(b"hi").await.unwrap();
            let mut buf = [0; 2];
            server.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"hi");
        });
        assert_eq!(rt.metrics().blocking_jobs, 2);
    });
}

#[test]
fn binds_and_udp_connect_resolve_names_on_the_pool() {
    within(Duration::from_secs(30), || {
        let rt = spindle::Runtime::new().unwrap();
        rt.block_on(async {
            let listener = TcpListener::bind("localhost:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            assert!(addr.ip().is_loopback() && addr.port() != 0, "{addr}");
            let mut client = TcpStream::connect(addr).await.unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            client.write_all(b"tcp").await.unwrap();
            let mut buf = [0; 3];
            server.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"tcp");

            // Both sockets bind the first address of `localhost` that
            // binds, so they share a family, and `connect` skips any
            // address of the other family and reaches the receiver.
            let receiver = UdpSocket::bind("localhost:0").await.unwrap();
            let to = receiver.local_addr().unwrap();
            let sender = UdpSocket::bind(("localhost", 0)).await.unwrap();
            sender.connect(("localhost", to.port())).await.unwrap();
            assert_eq!(sender.peer_addr().unwrap(), to);
            sender.send(b"udp").await.unwrap();
            let mut buf = [0; 8];
            let (n, from) = receiver.recv_from(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"udp");
            assert_eq!(from, sender.local_addr().unwrap());
        });
        // Four names, four jobs on the pool: one TCP bind, two UDP binds, one
        // UDP connect.
        assert_eq!(rt.metrics().blocking_jobs, 4);
    });
}

#[test]
fn a_name_that_does_not_resolve_is_an_error_naming_it() {
    within(Duration::from_secs(60), || {
        spindle::block_on(async {
            // `.invalid` is reserved (RFC 2606): it never resolves.
            let err = lookup_host("spindle-test.invalid:80").await.unwrap_err();
            assert!(err.to_string().contains("spindle-test.invalid"), "{err}");
            let err = TcpStream::connect(("spindle-test.invalid", 80))
                .await
                .unwrap_err();
            assert!(err.to_string().contains("spindle-test.invalid"), "{err}");
            let err = TcpListener::bind("spindle-test.invalid:0")
                .await
                .unwrap_err();
            assert!(err.to_string().contains("spindle-test.invalid"), "{err}");
            let err = UdpSocket::bind(("spindle-test.invalid", 0))
                .await
                .unwrap_err();
            assert!(err.to_string().contains("spindle-test.invalid"), "{err}");
            let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let err = socket.connect("spindle-test.invalid:53").await.unwrap_err();
            assert!(err.to_string().contains("spindle-test.invalid"), "{err}");
            let err = lookup_host("no-port-here").await.unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
            assert!(err.to_string().contains("no-port-here"), "{err}");
        });
    });
}

#[test]
fn a_timer_and_a_tcp_round_trip_run_while_a_slow_blocking_call_is_held() {
    // The same path a lookup takes (`unblock` on the pool, answer through
    // the remote wake), with a stand-in resolver that only this loop can
    // release: it cannot finish before the timer and the round trip do.
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let release = Arc::new(Barrier::new(2));
            let slow = spindle::spawn_blocking({
                let release = release.clone();
                move || {
                    release.wait();
                    "localhost:80".to_owned()
                }
            });
            spindle::time::sleep(Duration::from_millis(10)).await;
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            client.write_all(b"ping").await.unwrap();
            let mut buf = [0; 4];
            server.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"ping");
            assert!(!slow.is_finished());
            spindle::spawn_blocking(move || {
                release.wait();
            })
            .await
            .unwrap();
            let name = slow.await.unwrap();
            assert!(lookup_host(name).await.unwrap().next().is_some());
        });
    });
}
