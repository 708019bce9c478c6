//! Time limits: a client that stalls mid-request gets `408` at the header
//! timeout; an idle keep-alive connection is closed silently at the idle
//! timeout; a connection that keeps busy is not cut by either.

mod support;

use std::io::Write;
use std::time::{Duration, Instant};

use spindle_server::Config;
use support::{error_close, normalize, read_response, read_to_close, TestServer, HELLO};

fn server(idle_ms: u64, header_ms: u64) -> TestServer {
    let config = Config {
        idle_timeout: Duration::from_millis(idle_ms),
        header_timeout: Duration::from_millis(header_ms),
        ..Config::default()
    };
    TestServer::http(config, spindle_server::http::hello_world)
}

#[test]
fn a_stalled_request_head_gets_408_at_the_header_timeout() {
    let server = server(10_000, 200);
    let mut stream = server.connect();
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x").unwrap();
    let start = Instant::now();
    let answer = normalize(&read_to_close(&mut stream));
    let waited = start.elapsed();
    assert_eq!(answer, error_close("408 Request Timeout"));
    assert!(waited >= Duration::from_millis(190), "cut after {waited:?}");
    assert!(waited < Duration::from_secs(3), "cut after {waited:?}");
}

#[test]
fn a_stalled_body_gets_408_too() {
    let server = server(10_000, 200);
    let mut stream = server.connect();
    stream
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        .unwrap();
    assert_eq!(
        normalize(&read_to_close(&mut stream)),
        error_close("408 Request Timeout")
    );
}

#[test]
fn an_idle_keep_alive_connection_is_closed_silently() {
    let server = server(300, 10_000);
    let mut stream = server.connect();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut stream, false), HELLO);
    let start = Instant::now();
    assert_eq!(read_to_close(&mut stream), "", "closed without a response");
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(280),
        "closed after {waited:?}"
    );
    assert!(waited < Duration::from_secs(3), "closed after {waited:?}");
    support::wait_until(Duration::from_secs(2), || {
        server.handle.metrics()[0].active == 0
    });
}

#[test]
fn a_fresh_connection_that_sends_nothing_is_closed_at_the_idle_timeout() {
    let server = server(200, 10_000);
    let mut stream = server.connect();
    let start = Instant::now();
    assert_eq!(read_to_close(&mut stream), "");
    assert!(start.elapsed() >= Duration::from_millis(190));
}

#[test]
fn requests_keep_resetting_the_idle_timer() {
    let server = server(300, 10_000);
    let mut stream = server.connect();
    // Six requests 100 ms apart: 600 ms in all, twice the idle timeout.
    for _ in 0..6 {
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        assert_eq!(read_response(&mut stream, false), HELLO);
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_idle_timeout_counts_from_the_last_request() {
    // The idle timer is not moved on each request (see connection.rs,
    // "Timers"): when the first deadline passes, the connection must re-arm
    // for the last request's deadline rather than close.
    let server = server(300, 10_000);
    let mut stream = server.connect();
    for _ in 0..3 {
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        assert_eq!(read_response(&mut stream, false), HELLO);
        std::thread::sleep(Duration::from_millis(200));
    }
    // 600 ms after the first request; the last one was 200 ms ago.
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut stream, false), HELLO);
    let last = Instant::now();
    assert_eq!(read_to_close(&mut stream), "", "closed without a response");
    let waited = last.elapsed();
    assert!(
        waited >= Duration::from_millis(280),
        "closed {waited:?} after the last request"
    );
    assert!(waited < Duration::from_secs(3), "closed after {waited:?}");
}
