//! Graceful shutdown, driven in-process through `ServerHandle`: in-flight
//! requests finish and say `Connection: close`, idle connections close at
//! once, the listener stops accepting, and what outlives the shutdown
//! timeout is cut and counted. (The binary's SIGTERM path is tested in the
//! `spindle-tests` crate.)

mod support;

use std::io::Write;
use std::time::{Duration, Instant};

use spindle_server::http::{Request, Response};
use spindle_server::Config;
use support::{read_response, read_to_close, TestServer, HELLO};

/// Sleeps for `?ms=N` milliseconds, then says hello.
async fn slow(request: Request) -> Response {
    let ms = request
        .query()
        .and_then(|q| q.strip_prefix("ms="))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    spindle::time::sleep(Duration::from_millis(ms)).await;
    spindle_server::http::hello_world(Request::new("GET", "/")).await
}

#[test]
fn fifty_in_flight_requests_finish_with_connection_close() {
    let server = TestServer::http(Config::default(), slow);
    let mut idle = server.connect();
    idle.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut idle, false), HELLO);

    let mut clients: Vec<_> = (0..50)
        .map(|_| {
            let mut stream = server.connect();
            stream
                .write_all(b"GET /?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            stream
        })
        .collect();
    support::wait_until(Duration::from_secs(5), || {
        server.handle.metrics()[0].accepted == 51
    });
    std::thread::sleep(Duration::from_millis(50)); // let them reach the handler

    let start = Instant::now();
    server.handle.shutdown();
    // The idle connection closes at once, without a response.
    assert_eq!(read_to_close(&mut idle), "");
    assert!(
        start.elapsed() < Duration::from_millis(250),
        "{:?}",
        start.elapsed()
    );
    // Every in-flight request is answered, with `Connection: close`.
    let expected = support::HELLO_CLOSE;
    for stream in &mut clients {
        assert_eq!(support::normalize(&read_to_close(stream)), expected);
    }
    // No new connections are accepted.
    let refused = std::net::TcpStream::connect(server.addr);
    if let Ok(mut stream) = refused {
        let _ = stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(read_to_close(&mut stream), "");
    }
    let mut server = server;
    let report = server.join();
    assert_eq!(report.cut, 0);
    assert_eq!(report.accepted, [51]);
}

#[test]
fn requests_still_running_at_the_shutdown_timeout_are_cut() {
    let config = Config {
        shutdown_timeout: Duration::from_millis(200),
        ..Config::default()
    };
    let server = TestServer::http(config, slow);
    let mut stuck = server.connect();
    stuck
        .write_all(b"GET /?ms=10000 HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    support::wait_until(Duration::from_secs(5), || {
        server.handle.metrics()[0].accepted == 1
    });
    std::thread::sleep(Duration::from_millis(50));

    let start = Instant::now();
    let report = server.shutdown();
    let took = start.elapsed();
    assert_eq!(report.cut, 1);
    assert!(took >= Duration::from_millis(190), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(read_to_close(&mut stuck), "", "cut without a response");
}

#[test]
fn stop_now_does_not_wait() {
    let server = TestServer::http(Config::default(), slow);
    let mut stuck = server.connect();
    stuck
        .write_all(b"GET /?ms=10000 HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    support::wait_until(Duration::from_secs(5), || {
        server.handle.metrics()[0].accepted == 1
    });
    let start = Instant::now();
    server.handle.stop_now();
    let mut server = server;
    let report = server.join();
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(report.cut, 1);
}

#[test]
fn a_partial_request_at_shutdown_is_finished_and_answered() {
    let server = TestServer::http(Config::default(), slow);
    let mut stream = server.connect();
    stream.write_all(b"GET / HTTP/1.1\r\nHost:").unwrap();
    support::wait_until(Duration::from_secs(5), || {
        server.handle.metrics()[0].accepted == 1
    });
    std::thread::sleep(Duration::from_millis(50));
    server.handle.shutdown();
    std::thread::sleep(Duration::from_millis(50));
    stream.write_all(b" x\r\n\r\n").unwrap();
    assert_eq!(
        support::normalize(&read_to_close(&mut stream)),
        support::HELLO_CLOSE
    );
}
