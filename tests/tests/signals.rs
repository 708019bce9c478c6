//! Graceful shutdown of the processes: SIGTERM with 50 requests in flight
//! (all answered with `Connection: close`, exit 0), the shutdown timeout
//! cutting what is left (logged, exit 0), a second signal stopping at once,
//! and per-thread accept counts in the log with `--threads 2`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use spindle_tests::{binary, example, ServerProcess};

/// Starts the `hello_handler` example (it has `/sleep?ms=N`) on port 0.
fn slow_server() -> ServerProcess {
    let mut command = Command::new(example("hello_handler"));
    command.arg("127.0.0.1:0");
    ServerProcess::start(command)
}

/// Opens a connection with a read timeout and sends `request`.
fn send(server: &ServerProcess, request: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    stream
}

/// Reads until the server closes.
fn read_all(stream: &mut TcpStream) -> String {
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    text
}

#[test]
fn sigterm_lets_fifty_in_flight_requests_finish() {
    let mut server = slow_server();
    let mut clients: Vec<TcpStream> = (0..50)
        .map(|_| send(&server, b"GET /sleep?ms=500 HTTP/1.1\r\nHost: x\r\n\r\n"))
        .collect();
    std::thread::sleep(Duration::from_millis(200)); // all 50 are now sleeping in the handler
    let start = Instant::now();
    server.signal("TERM");
    for stream in &mut clients {
        let response = read_all(stream);
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(response.contains("\r\nConnection: close\r\n"), "{response}");
        assert!(response.ends_with("\r\n\r\nslept 500 ms\n"), "{response}");
    }
    let status = server.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "{status}");
    assert!(start.elapsed() < Duration::from_secs(5));
    let log = server.stderr();
    println!("{status}\nserver log:\n{log}");
    assert!(log.contains("SIGTERM: shutting down gracefully"), "{log}");
    assert!(log.contains("thread 0 accepted 50 connections"), "{log}");
    assert!(log.contains("every connection finished"), "{log}");
}

#[test]
fn the_shutdown_timeout_cuts_what_is_left_and_says_how_many() {
    let mut command = Command::new(binary());
    command.args(["--addr", "127.0.0.1:0", "--shutdown-timeout", "1"]);
    let mut server = ServerProcess::start(command);
    // Two connections that never finish a request: they are not idle, so
    // the drain waits for them until the timeout.
    let _stalled: Vec<TcpStream> = (0..2)
        .map(|_| send(&server, b"GET / HTTP/1.1\r\nHo"))
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    server.signal("TERM");
    let status = server.wait_exit(Duration::from_secs(10));
    let took = start.elapsed();
    assert!(status.success(), "{status}");
    assert!(took >= Duration::from_millis(900), "{took:?}");
    let log = server.stderr();
    assert!(log.contains("cut 2 connections"), "{log}");
}

#[test]
fn a_second_signal_stops_at_once() {
    let mut command = Command::new(binary());
    command.args(["--addr", "127.0.0.1:0", "--shutdown-timeout", "60"]);
    let mut server = ServerProcess::start(command);
    let _stalled = send(&server, b"GET / HTTP/1.1\r\nHo");
    std::thread::sleep(Duration::from_millis(200));
    server.signal("INT");
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    server.signal("INT");
    let status = server.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "{status}");
    assert!(start.elapsed() < Duration::from_secs(2));
    assert!(
        server.stderr().contains("cut 1 connections"),
        "{}",
        server.stderr()
    );
}

#[test]
fn two_threads_both_accept_and_log_their_counts() {
    let mut command = Command::new(binary());
    command.args(["--addr", "127.0.0.1:0", "--threads", "2"]);
    let mut server = ServerProcess::start(command);
    assert!(
        server.stderr().contains("(http, 2 threads)") || {
            std::thread::sleep(Duration::from_millis(100));
            server.stderr().contains("(http, 2 threads)")
        }
    );
    for _ in 0..64 {
        let response = spindle_tests::get(server.addr, "/").unwrap();
        assert!(response.ends_with("Hello, World!"), "{response}");
    }
    server.signal("TERM");
    assert!(server.wait_exit(Duration::from_secs(10)).success());
    let log = server.stderr();
    let count = |thread: usize| -> u64 {
        let prefix = format!("thread {thread} accepted ");
        let at = log
            .find(&prefix)
            .unwrap_or_else(|| panic!("no count for thread {thread}: {log}"));
        log[at + prefix.len()..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (first, second) = (count(0), count(1));
    assert_eq!(first + second, 64, "{log}");
    // 64 connections all hashed to one listener: probability 2^-63.
    assert!(first > 0 && second > 0, "{log}");
}
