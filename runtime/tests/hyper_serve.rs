//! `spindle::hyper::serve`: an axum `Router` or any tower service over
//! HTTP/1 and HTTP/2 on one listener, TCP and Unix, upgrades, graceful
//! shutdown, and accept errors that back off instead of ending the server.
#![cfg(feature = "hyper")]

mod support;

use std::convert::Infallible;
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::{get, post};
use axum::Router;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode, Version};
use spindle::hyper::{serve, Listener, SpindleExecutor, SpindleTimer};
use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};

/// How long any one test may take before it fails instead of hanging.
const LIMIT: Duration = Duration::from_secs(20);

/// Runs `test` on a fresh runtime, bounded by a spindle timeout.
fn run<F: Future<Output = ()>>(test: F) {
    spindle::block_on(async {
        spindle::time::timeout(LIMIT, test)
            .await
            .expect("test did not finish in time");
    });
}

/// The router every test serves: a fast route, a slow one (a 100 ms spindle
/// sleep; `started` is set when it begins, `finished` when it ends) and an
/// echo of the request body.
fn app(started: Arc<AtomicBool>, finished: Arc<AtomicBool>) -> Router {
    Router::new()
        .route("/", get(|| async { "hello" }))
        .route(
            "/slow",
            get(move || async move {
                started.store(true, Ordering::SeqCst);
                spindle::time::sleep(Duration::from_millis(100)).await;
                finished.store(true, Ordering::SeqCst);
                "slept"
            }),
        )
        .route("/echo", post(|body: Bytes| async move { body }))
}

/// A router without the slow route's flags.
fn plain_app() -> Router {
    app(Arc::default(), Arc::default())
}

/// Sends `request` on `stream` and reads until the server closes.
async fn exchange<S>(mut stream: S, request: &[u8]) -> String
where
    S: futures::io::AsyncRead + futures::io::AsyncWrite + Unpin,
{
    stream.write_all(request).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
}

/// `GET path` over HTTP/1.1 with `Connection: close`.
fn get_request(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").into_bytes()
}

/// Waits until `flag` is set, polling every millisecond.
async fn until_set(flag: &AtomicBool) {
    while !flag.load(Ordering::SeqCst) {
        spindle::time::sleep(Duration::from_millis(1)).await;
    }
}

/// A connection that made one keep-alive `GET /` and read the whole
/// response; the server now waits on it for the next request.
async fn idle_keep_alive_connection(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0; 1024];
    let mut got = Vec::new();
    while !got.ends_with(b"hello") {
        let n = stream.read(&mut buf).await.unwrap();
        assert_ne!(n, 0, "closed early: {}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    stream
}

/// A one-shot shutdown signal: the sender and the future to hand to
/// `with_graceful_shutdown`.
fn signal() -> (
    futures::channel::oneshot::Sender<()>,
    impl Future<Output = ()> + 'static,
) {
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    (tx, async move {
        let _ = rx.await;
    })
}

#[test]
fn axum_router_over_http1() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        spindle::spawn(serve(listener, plain_app()).into_future());

        let response = exchange(TcpStream::connect(addr).await.unwrap(), &get_request("/")).await;
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(response.ends_with("\r\n\r\nhello"), "{response}");

        let response = exchange(
            TcpStream::connect(addr).await.unwrap(),
            b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 4\r\n\r\nping",
        )
        .await;
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(response.ends_with("\r\n\r\nping"), "{response}");
    });
}

#[test]
fn axum_router_over_http1_with_the_pooled_client() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        spindle::spawn(serve(listener, plain_app()).into_future());

        let client = hyper_util::client::legacy::Client::builder(SpindleExecutor::new())
            .timer(SpindleTimer::new())
            .pool_timer(SpindleTimer::new())
            .build::<_, Empty<Bytes>>(spindle::hyper::SpindleConnector::new());
        // Two requests: the second reuses the pooled keep-alive connection.
        for _ in 0..2 {
            let response = client
                .get(format!("http://{addr}/").parse().unwrap())
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(response.version(), Version::HTTP_11);
            let body = response.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(&body[..], b"hello");
        }
    });
}

/// Opens an HTTP/2 connection with prior knowledge (h2c) over `stream`.
async fn http2_client(stream: TcpStream) -> hyper::client::conn::http2::SendRequest<Full<Bytes>> {
    let (sender, conn) = hyper::client::conn::http2::Builder::new(SpindleExecutor::new())
        .timer(SpindleTimer::new())
        .handshake(stream)
        .await
        .unwrap();
    spindle::spawn(conn);
    sender
}

/// `GET`s `uri` on an HTTP/2 connection; the status and the body.
async fn http2_get(
    sender: &mut hyper::client::conn::http2::SendRequest<Full<Bytes>>,
    uri: String,
) -> (StatusCode, Version, Bytes) {
    let request = Request::get(uri).body(Full::new(Bytes::new())).unwrap();
    let response = sender.send_request(request).await.unwrap();
    let (status, version) = (response.status(), response.version());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, version, body)
}

#[test]
fn axum_router_over_http2_prior_knowledge_on_the_same_port() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        spindle::spawn(serve(listener, plain_app()).into_future());

        let mut sender = http2_client(TcpStream::connect(addr).await.unwrap()).await;
        // Two streams on the one connection, at the same time.
        let mut second = sender.clone();
        let (one, two) = futures::join!(
            http2_get(&mut sender, format!("http://{addr}/")),
            http2_get(&mut second, format!("http://{addr}/")),
        );
        for (status, version, body) in [one, two] {
            assert_eq!(status, StatusCode::OK);
            assert_eq!(version, Version::HTTP_2);
            assert_eq!(&body[..], b"hello");
        }

        // The same port still speaks HTTP/1.1.
        let response = exchange(TcpStream::connect(addr).await.unwrap(), &get_request("/")).await;
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    });
}

#[cfg(unix)]
#[test]
fn axum_router_over_a_unix_listener() {
    use spindle::net::{UnixListener, UnixStream};

    run(async {
        let dir = support::TempDir::new();
        let path = dir.path("serve.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let (stop, stopped) = signal();
        let server = spindle::spawn(
            serve(listener, plain_app())
                .with_graceful_shutdown(stopped)
                .into_future(),
        );

        let response = exchange(UnixStream::connect(&path).await.unwrap(), &get_request("/")).await;
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(response.ends_with("\r\n\r\nhello"), "{response}");

        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
    });
}

#[test]
fn graceful_shutdown_lets_an_in_flight_request_finish() {
    run(async {
        let started = Arc::new(AtomicBool::new(false));
        let finished = Arc::new(AtomicBool::new(false));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = signal();
        let server = spindle::spawn(
            serve(listener, app(started.clone(), finished.clone()))
                .with_graceful_shutdown(stopped)
                .into_future(),
        );

        let client = spindle::spawn(async move {
            exchange(
                TcpStream::connect(addr).await.unwrap(),
                &get_request("/slow"),
            )
            .await
        });
        until_set(&started).await;
        let signalled = Instant::now();
        stop.send(()).unwrap();

        server.await.unwrap().unwrap();
        // The server waited for the handler (100 ms of sleep, most of it
        // after the signal) before it returned.
        assert!(finished.load(Ordering::SeqCst));
        assert!(signalled.elapsed() >= Duration::from_millis(50));
        let response = client.await.unwrap();
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(response.ends_with("\r\n\r\nslept"), "{response}");

        // The listener is closed: a new connection is refused.
        let err = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    });
}

#[test]
fn graceful_shutdown_lets_an_in_flight_http2_stream_finish() {
    run(async {
        let started = Arc::new(AtomicBool::new(false));
        let finished = Arc::new(AtomicBool::new(false));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = signal();
        let server = spindle::spawn(
            serve(listener, app(started.clone(), finished.clone()))
                .with_graceful_shutdown(stopped)
                .into_future(),
        );

        let mut sender = http2_client(TcpStream::connect(addr).await.unwrap()).await;
        let client =
            spindle::spawn(
                async move { http2_get(&mut sender, format!("http://{addr}/slow")).await },
            );
        until_set(&started).await;
        stop.send(()).unwrap();

        server.await.unwrap().unwrap();
        assert!(finished.load(Ordering::SeqCst));
        let (status, version, body) = client.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(version, Version::HTTP_2);
        assert_eq!(&body[..], b"slept");
    });
}

#[test]
fn graceful_shutdown_closes_an_idle_keep_alive_connection() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = signal();
        let server = spindle::spawn(
            serve(listener, plain_app())
                .with_graceful_shutdown(stopped)
                .into_future(),
        );

        let mut stream = idle_keep_alive_connection(addr).await;

        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
        // The server closed the idle connection instead of waiting for it.
        assert_eq!(stream.read(&mut [0; 16]).await.unwrap(), 0);
    });
}

#[test]
fn http1_upgrades_are_served() {
    run(async {
        // A tower service (not axum) that upgrades `GET /` to a protocol
        // that echoes four bytes.
        let service = tower::service_fn(|mut req: Request<Incoming>| async move {
            let on_upgrade = hyper::upgrade::on(&mut req);
            spindle::spawn(async move {
                let upgraded = on_upgrade.await.unwrap();
                let parts =
                    hyper_util::server::conn::auto::upgrade::downcast::<TcpStream>(upgraded)
                        .unwrap();
                let mut io = parts.io;
                let mut got = parts.read_buf.to_vec();
                let mut buf = [0; 4];
                while got.len() < 4 {
                    let n = io.read(&mut buf).await.unwrap();
                    got.extend_from_slice(&buf[..n]);
                }
                io.write_all(&got).await.unwrap();
            });
            let response = Response::builder()
                .status(StatusCode::SWITCHING_PROTOCOLS)
                .header("connection", "upgrade")
                .header("upgrade", "echo")
                .body(Empty::<Bytes>::new())
                .unwrap();
            Ok::<_, Infallible>(response)
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        spindle::spawn(serve(listener, service).into_future());

        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n")
            .await
            .unwrap();
        let mut head = Vec::new();
        let mut byte = [0; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).await.unwrap();
            head.push(byte[0]);
        }
        let head = String::from_utf8(head).unwrap();
        assert!(
            head.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
            "{head}"
        );
        stream.write_all(b"ping").await.unwrap();
        let mut echoed = [0; 4];
        stream.read_exact(&mut echoed).await.unwrap();
        assert_eq!(&echoed, b"ping");
    });
}

#[test]
fn service_futures_need_not_be_send() {
    run(async {
        // The future holds an `Rc` across an await: it is not `Send`.
        let service = tower::service_fn(|_req: Request<Incoming>| async move {
            let local = Rc::new("not send");
            spindle::time::sleep(Duration::from_millis(1)).await;
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(*local))))
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        spindle::spawn(serve(listener, service).into_future());

        let response = exchange(TcpStream::connect(addr).await.unwrap(), &get_request("/")).await;
        assert!(response.ends_with("\r\n\r\nnot send"), "{response}");
    });
}

/// A listener whose first `failures` accepts fail with `EMFILE`, as when
/// the process is out of file descriptors; it counts every accept call.
struct Exhausted {
    inner: TcpListener,
    failures: usize,
    calls: Arc<AtomicUsize>,
}

impl Listener for Exhausted {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> std::io::Result<(TcpStream, SocketAddr)> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        if call < self.failures {
            return Err(std::io::Error::from_raw_os_error(libc::EMFILE));
        }
        self.inner.accept().await
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

#[test]
fn accept_errors_back_off_and_do_not_end_the_server() {
    run(async {
        let inner = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = inner.local_addr().unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let listener = Exhausted {
            inner,
            failures: 3,
            calls: calls.clone(),
        };
        let start = Instant::now();
        spindle::spawn(serve(listener, plain_app()).into_future());

        let response = exchange(TcpStream::connect(addr).await.unwrap(), &get_request("/")).await;
        assert!(response.ends_with("\r\n\r\nhello"), "{response}");
        // Three failures, each followed by a 10 ms wait, then the accept
        // that got the connection (and the next one, now waiting): no spin.
        assert!(start.elapsed() >= Duration::from_millis(30));
        let calls = calls.load(Ordering::SeqCst);
        assert!((4..=5).contains(&calls), "{calls} accept calls");
    });
}

#[test]
fn local_addr_is_the_listeners() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = serve(listener, plain_app());
        assert_eq!(server.local_addr().unwrap(), addr);
        let server = server.with_graceful_shutdown(async {});
        assert_eq!(server.local_addr().unwrap(), addr);
        // A signal that is already complete: the server stops at once.
        server.await.unwrap();
        assert!(TcpStream::connect(addr).await.is_err());
    });
}

#[test]
fn dropping_a_graceful_server_shuts_its_connections_down() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spindle::spawn(
            serve(listener, plain_app())
                .with_graceful_shutdown(std::future::pending())
                .into_future(),
        );

        let mut stream = idle_keep_alive_connection(addr).await;

        // Aborting the task drops the server's future mid-run.
        server.abort();
        assert!(server.await.unwrap_err().is_cancelled());
        assert_eq!(stream.read(&mut [0; 16]).await.unwrap(), 0);
        assert!(TcpStream::connect(addr).await.is_err());
    });
}
