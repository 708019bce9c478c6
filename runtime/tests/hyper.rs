//! hyper on spindle: real HTTP/1.1 over raw TCP — keep-alive, `Connection:
//! close`, and `header_read_timeout` for a stalled client.
#![cfg(feature = "hyper")]

mod support;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use spindle::hyper::SpindleTimer;
use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};
use spindle::JoinHandle;
use support::within;

/// Answers with the request's path.
async fn echo_path(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = format!("path={}", request.uri().path());
    Ok(Response::new(Full::new(Bytes::from(body))))
}

/// Serves one connection with hyper; the handle yields hyper's result as
/// text (`Ok` or the error's message).
async fn serve_one(header_read_timeout: Duration) -> (SocketAddr, JoinHandle<Result<(), String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = spindle::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        http1::Builder::new()
            .timer(SpindleTimer::new())
            .header_read_timeout(header_read_timeout)
            .serve_connection(stream, service_fn(echo_path))
            .await
            .map_err(|err| err.to_string())
    });
    (addr, server)
}

/// Reads one response with a `content-length` body; returns head and body.
async fn read_response(stream: &mut TcpStream) -> (String, String) {
    let mut data = Vec::new();
    let mut byte = [0; 1];
    while !data.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).await.unwrap(), 1, "EOF in head");
        data.push(byte[0]);
    }
    let head = String::from_utf8(data).unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .expect("a content-length header")
        .trim()
        .parse()
        .unwrap();
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.unwrap();
    (head, String::from_utf8(body).unwrap())
}

#[test]
fn two_keep_alive_requests_then_connection_close_on_one_connection() {
    within(Duration::from_secs(20), || {
        spindle::block_on(async {
            let (addr, server) = serve_one(Duration::from_secs(5)).await;
            let mut client = TcpStream::connect(addr).await.unwrap();
            for path in ["/one", "/two"] {
                let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n");
                client.write_all(request.as_bytes()).await.unwrap();
                let (head, body) = read_response(&mut client).await;
                assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
                assert!(!head.contains("connection: close"), "{head}");
                assert_eq!(body, format!("path={path}"));
            }
            client
                .write_all(b"GET /three HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                .await
                .unwrap();
            let (head, body) = read_response(&mut client).await;
            assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
            assert_eq!(body, "path=/three");
            // The server closes after a `Connection: close` reply.
            let mut rest = Vec::new();
            client.read_to_end(&mut rest).await.unwrap();
            assert!(rest.is_empty());
            assert_eq!(server.await.unwrap(), Ok(()));
        })
    });
}

#[test]
fn header_read_timeout_disconnects_a_stalled_client() {
    within(Duration::from_secs(20), || {
        spindle::block_on(async {
            let timeout = Duration::from_millis(100);
            let (addr, server) = serve_one(timeout).await;
            // Before connecting: hyper may arm its timer as soon as it accepts.
            let start = Instant::now();
            let mut client = TcpStream::connect(addr).await.unwrap();
            // Half a request head, then silence.
            client
                .write_all(b"GET /slow HTTP/1.1\r\nHost: te")
                .await
                .unwrap();
            let mut rest = Vec::new();
            // EOF or a reset: either way the server hung up.
            let _ = client.read_to_end(&mut rest).await;
            let elapsed = start.elapsed();
            assert!(
                elapsed >= timeout,
                "closed after {elapsed:?}, before the timeout"
            );
            assert!(
                elapsed < Duration::from_secs(5),
                "closed only after {elapsed:?}"
            );
            let err = server.await.unwrap().unwrap_err();
            assert!(err.contains("timeout"), "hyper's error: {err}");
        })
    });
}

#[test]
fn a_client_that_keeps_the_connection_idle_is_timed_out_between_requests() {
    within(Duration::from_secs(20), || {
        spindle::block_on(async {
            let timeout = Duration::from_millis(100);
            let (addr, server) = serve_one(timeout).await;
            let mut client = TcpStream::connect(addr).await.unwrap();
            client
                .write_all(b"GET /a HTTP/1.1\r\nHost: test\r\n\r\n")
                .await
                .unwrap();
            // hyper re-arms the timer for the next head once it has written
            // this response, so the lower bound must start before that.
            let start = Instant::now();
            let (_, body) = read_response(&mut client).await;
            assert_eq!(body, "path=/a");
            // Start the next request's head, then stall.
            client.write_all(b"GET /b HT").await.unwrap();
            let mut rest = Vec::new();
            let _ = client.read_to_end(&mut rest).await;
            assert!(start.elapsed() >= timeout);
            let err = server.await.unwrap().unwrap_err();
            assert!(err.contains("timeout"), "hyper's error: {err}");
        })
    });
}
