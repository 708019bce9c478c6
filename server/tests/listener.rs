//! The accept loop: the connection limit holds new clients in the backlog
//! until a connection ends; a panicking handler closes its connection only
//! and is counted; several threads share the port and each accepts.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::time::Duration;

use spindle_server::http::{Request, Response};
use spindle_server::Config;
use support::{read_response, TestServer, HELLO};

#[test]
fn at_the_limit_the_next_client_waits_until_a_connection_closes() {
    let config = Config {
        max_connections: 2,
        ..Config::default()
    };
    let server = TestServer::http(config, spindle_server::http::hello_world);
    let mut first = server.connect();
    let mut second = server.connect();
    for stream in [&mut first, &mut second] {
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        assert_eq!(read_response(stream, false), HELLO);
    }

    // The third connects (the kernel completes the handshake) and sends a
    // request, but is not accepted, so nothing answers it.
    let mut third = server.connect();
    third
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    third
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut byte = [0; 1];
    let early = third.read(&mut byte);
    assert!(
        matches!(&early, Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
        "served before a slot was free: {early:?}"
    );
    assert_eq!(server.handle.metrics()[0].accepted, 2);

    // One closes: the third is accepted and answered.
    drop(first);
    third.set_read_timeout(Some(support::READ_TIMEOUT)).unwrap();
    assert_eq!(read_response(&mut third, false), HELLO);
    let metrics = server.handle.metrics()[0];
    assert_eq!(metrics.accepted, 3);
    assert_eq!(metrics.active, 2);
}

#[test]
fn a_panicking_handler_closes_its_connection_only() {
    async fn fragile(request: Request) -> Response {
        if request.path() == "/panic" {
            panic!("handler failed on purpose");
        }
        spindle_server::http::hello_world(request).await
    }
    let server = TestServer::http(Config::default(), fragile);
    let mut bystander = server.connect();
    bystander
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut bystander, false), HELLO);

    assert_eq!(
        server.exchange(b"GET /panic HTTP/1.1\r\nHost: x\r\n\r\n"),
        ""
    );
    support::wait_until(Duration::from_secs(2), || {
        server.handle.metrics()[0].handler_panics == 1
    });

    // The other connection and new ones are served as before.
    bystander
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut bystander, false), HELLO);
    let mut fresh = server.connect();
    fresh
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut fresh, false), HELLO);
    assert_eq!(server.handle.metrics()[0].active, 2);
}

#[test]
fn two_threads_share_the_port_and_both_accept() {
    let config = Config {
        threads: 2,
        ..Config::default()
    };
    let server = TestServer::http(config, spindle_server::http::hello_world);
    // SO_REUSEPORT spreads by a hash of the client's port: 64 connections
    // all landing on one thread has probability 2^-63.
    for _ in 0..64 {
        let mut stream = server.connect();
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        assert_eq!(read_response(&mut stream, false), HELLO);
    }
    let report = server.shutdown();
    assert_eq!(report.accepted.len(), 2);
    assert_eq!(report.accepted.iter().sum::<u64>(), 64);
    assert!(
        report.accepted.iter().all(|&n| n > 0),
        "{:?}",
        report.accepted
    );
}

#[test]
fn the_connection_limit_is_split_between_threads() {
    let config = Config {
        threads: 3,
        max_connections: 10,
        ..Config::default()
    };
    let limits: Vec<usize> = (0..3).map(|i| config.per_thread_limit(i)).collect();
    assert_eq!(limits, [4, 3, 3]);
}
