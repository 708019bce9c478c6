//! Helpers shared by the server's integration tests: an in-process server
//! on port 0 that is always stopped, and blocking clients with timeouts.

#![allow(dead_code)] // each test file uses a different subset

pub(crate) mod rfc9112;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use spindle_server::http::{Request, Response};
use spindle_server::{Config, Report, Server, ServerHandle};

/// How long any client read may block before the test fails.
pub(crate) const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// A server running on its own thread. Dropping it stops the server at
/// once and joins the thread, also when the test panicked.
pub(crate) struct TestServer {
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    /// Its handle.
    pub(crate) handle: ServerHandle,
    /// The thread running `serve`, until joined.
    thread: Option<JoinHandle<io::Result<Report>>>,
}

impl TestServer {
    /// Starts `serve(server)` on a thread, bound to 127.0.0.1:0.
    pub(crate) fn start(
        config: Config,
        serve: impl FnOnce(Server) -> io::Result<Report> + Send + 'static,
    ) -> TestServer {
        let server = Server::bind(Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            ..config
        })
        .unwrap();
        let addr = server.local_addr();
        let handle = server.handle();
        let thread = std::thread::spawn(move || serve(server));
        TestServer {
            addr,
            handle,
            thread: Some(thread),
        }
    }

    /// Starts an HTTP server with `handler`.
    pub(crate) fn http<H, Fut>(config: Config, handler: H) -> TestServer
    where
        H: Fn(Request) -> Fut + Clone + Send + 'static,
        Fut: std::future::Future<Output = Response> + 'static,
    {
        TestServer::start(config, move |server| server.serve_http(handler))
    }

    /// Starts the built-in plaintext server with default settings.
    pub(crate) fn hello() -> TestServer {
        TestServer::http(Config::default(), spindle_server::http::hello_world)
    }

    /// Shuts down gracefully and returns the report.
    pub(crate) fn shutdown(mut self) -> Report {
        self.handle.shutdown();
        self.join()
    }

    /// Waits for `serve` to return (after a shutdown began).
    pub(crate) fn join(&mut self) -> Report {
        let thread = self.thread.take().expect("joined once");
        let deadline = Instant::now() + Duration::from_secs(20);
        while !thread.is_finished() {
            assert!(Instant::now() < deadline, "server did not stop within 20 s");
            std::thread::sleep(Duration::from_millis(5));
        }
        thread.join().unwrap().unwrap()
    }

    /// Opens a client connection with read and write timeouts.
    pub(crate) fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr).unwrap();
        stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(READ_TIMEOUT)).unwrap();
        stream
    }

    /// Sends `request` on a new connection and returns everything the
    /// server sends until it closes, with the dates normalized.
    pub(crate) fn exchange(&self, request: &[u8]) -> String {
        let mut stream = self.connect();
        stream.write_all(request).unwrap();
        normalize(&read_to_close(&mut stream))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            self.handle.stop_now();
            let _ = thread.join();
        }
    }
}

/// Reads until the server closes (EOF or reset), as text.
pub(crate) fn read_to_close(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut buf = [0; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
            Err(err) if err.kind() == io::ErrorKind::ConnectionReset => break,
            Err(err) => panic!(
                "read failed after {:?}: {err}",
                String::from_utf8_lossy(&bytes)
            ),
        }
    }
    String::from_utf8(bytes).unwrap()
}

/// Reads exactly one response (head, then `Content-Length` bytes of body,
/// or no body for a HEAD request when `head_only`), dates normalized.
pub(crate) fn read_response(stream: &mut TcpStream, head_only: bool) -> String {
    let mut bytes = Vec::new();
    let mut byte = [0; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).unwrap();
        assert_eq!(
            n,
            1,
            "server closed mid-head after {:?}",
            String::from_utf8_lossy(&bytes)
        );
        bytes.push(byte[0]);
    }
    let head = String::from_utf8(bytes.clone()).unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("Content-Length: "))
        .map_or(0, |n| n.trim().parse().unwrap());
    if !head_only {
        let mut body = vec![0; length];
        stream.read_exact(&mut body).unwrap();
        bytes.extend_from_slice(&body);
    }
    normalize(&String::from_utf8(bytes).unwrap())
}

/// Replaces every `Date:` value with `<date>` after checking it is an
/// IMF-fixdate of about now.
pub(crate) fn normalize(text: &str) -> String {
    let re = regex::Regex::new(r"Date: ([^\r]*)\r\n").unwrap();
    for captures in re.captures_iter(text) {
        let date = httpdate_parse(&captures[1]);
        let skew = date
            .elapsed()
            .unwrap_or_else(|err| err.duration())
            .as_secs();
        assert!(skew <= 5, "Date {:?} is not now", &captures[1]);
    }
    re.replace_all(text, "Date: <date>\r\n").into_owned()
}

/// Parses an IMF-fixdate strictly: `Sun, 06 Nov 1994 08:49:37 GMT`.
fn httpdate_parse(text: &str) -> std::time::SystemTime {
    let re = regex::Regex::new(
        r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$",
    )
    .unwrap();
    assert!(re.is_match(text), "not an IMF-fixdate: {text:?}");
    httpdate::parse_http_date(text).unwrap()
}

/// The plaintext `200` response, as normalized bytes.
pub(crate) const HELLO: &str = "HTTP/1.1 200 OK\r\nServer: spindle\r\nContent-Type: text/plain\r\n\
                         Content-Length: 13\r\nDate: <date>\r\n\r\nHello, World!";

/// The same `200` with `Connection: close` before the date.
pub(crate) const HELLO_CLOSE: &str = "HTTP/1.1 200 OK\r\nServer: spindle\r\nContent-Type: text/plain\r\n\
                               Content-Length: 13\r\nConnection: close\r\nDate: <date>\r\n\r\nHello, World!";

/// An error response that closes the connection.
pub(crate) fn error_close(status_line: &str) -> String {
    format!("HTTP/1.1 {status_line}\r\nServer: spindle\r\nContent-Length: 0\r\nConnection: close\r\nDate: <date>\r\n\r\n")
}

/// Waits until `condition` holds, polling every 5 ms, for at most `limit`.
pub(crate) fn wait_until(limit: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(
            Instant::now() < deadline,
            "condition not met within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}
