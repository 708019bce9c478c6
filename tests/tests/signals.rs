//! Graceful shutdown of the processes: SIGTERM with 50 requests in flight
//! (all answered with `Connection: close`, exit 0), the shutdown timeout
//! cutting what is left (logged, exit 0), a second signal stopping at once,
//! per-thread accept counts in the log with `--threads 2`, and both signals
//! still shutting down gracefully when the log's pipe has been closed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
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

/// A server process whose stdout and stderr share one pipe, read up to the
/// `listening on` line and then closed (`spindle-server 2>&1 | head -1`):
/// every later log line meets `EPIPE`. Killed and reaped when dropped.
struct DeafServer {
    /// The process (`sh` exec'd into the binary, so the same pid).
    child: Child,
    /// The address from its `listening on ADDR` line.
    addr: SocketAddr,
}

impl DeafServer {
    /// Starts the binary on port 0 and closes its log pipe once it listens.
    fn start() -> DeafServer {
        let mut child = Command::new("sh")
            .args(["-c", r#"exec "$0" --addr 127.0.0.1:0 2>&1"#])
            .arg(binary())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server process could not start");
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("the server never said where it listens")
                .unwrap();
            if let Some(addr) = line.strip_prefix("listening on ") {
                break addr.trim().parse().expect("a socket address");
            }
        };
        // Dropping the reader closes the pipe's only read end.
        drop(lines);
        DeafServer { child, addr }
    }

    /// Sends a signal by name with kill(1).
    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill(1) could not start");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits at most `limit` for the process to exit.
    fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("waitpid") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for DeafServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// With the log pipe closed: one request answered on a keep-alive
/// connection, the next one half sent, then `signal`; the half request is
/// finished after the signal and must be answered with `Connection: close`,
/// and the process must exit 0.
fn shuts_down_gracefully_with_a_closed_log_pipe(signal: &str) {
    let mut server = DeafServer::start();
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut first = [0; 4096];
    let n = stream.read(&mut first).unwrap();
    let first = String::from_utf8_lossy(&first[..n]);
    assert!(first.starts_with("HTTP/1.1 200 OK\r\n"), "{first}");
    assert!(first.ends_with("\r\n\r\nHello, World!"), "{first}");
    stream.write_all(b"GET / HTTP/1.1\r\nHo").unwrap();
    std::thread::sleep(Duration::from_millis(200));

    server.signal(signal);
    // Time for the signal thread to log (into the closed pipe) and start
    // the shutdown; the half request keeps the drain waiting.
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(b"st: x\r\n\r\n").unwrap();
    let response = read_all(&mut stream);
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains("\r\nConnection: close\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\nHello, World!"), "{response}");
    let status = server.wait_exit(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{status}");
}

#[test]
fn sigint_shuts_down_gracefully_with_a_closed_log_pipe() {
    shuts_down_gracefully_with_a_closed_log_pipe("INT");
}

#[test]
fn sigterm_shuts_down_gracefully_with_a_closed_log_pipe() {
    shuts_down_gracefully_with_a_closed_log_pipe("TERM");
}
