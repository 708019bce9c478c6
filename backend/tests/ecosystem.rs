//! The crates of the tokio ecosystem on a spindle runtime with the `tokio`
//! feature: tower-http's and tower's timeouts, reqwest over HTTP and over
//! HTTPS (rustls on ring, a root made by the test), an sqlx SQLite pool,
//! `axum::serve`, and the backend example as a process. All on loopback,
//! port 0, every wait bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream as StdTcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use spindle::net::TcpListener;
use spindle_backend::{client_builder, open_database, router, App};

/// A hosted runtime.
fn hosted() -> spindle::Runtime {
    spindle::Runtime::builder().tokio(true).build().unwrap()
}

/// The longest any one test step may take.
const DEADLINE: Duration = Duration::from_secs(10);

/// The backend's client (rustls on ring, the platform's roots), each
/// request bounded by `DEADLINE`.
fn client() -> reqwest::Client {
    client_builder().timeout(DEADLINE).build().unwrap()
}

/// Serves `router` with `axum::serve` on a tokio listener, from inside the
/// current (hosted) spindle runtime; returns its address.
async fn serve_axum(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

/// Reads one request's head from `stream`, answers it with `body` and
/// shuts the connection down (for TLS: close_notify, then the FIN). Both
/// upstreams below run it, through tokio's I/O traits, which spindle's
/// streams implement with the `tokio` feature.
async fn answer<S>(stream: &mut S, body: &str)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut request = Vec::new();
    let mut buf = [0; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(answer.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// A spindle-native upstream answering every request with `body`.
async fn spindle_upstream(body: &'static str) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    spindle::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            spindle::spawn(async move { answer(&mut stream, body).await });
        }
    });
    addr
}

/// A root certificate made for one test and, signed by it, a server
/// certificate for `127.0.0.1`: what a private CA gives an upstream.
struct TestPki {
    /// The root, for a client's `tls_certs_only`.
    root: reqwest::Certificate,
    /// The root in PEM, for the backend's `--upstream-ca`.
    root_pem: String,
    /// The server's side: its certificate and key, ring's crypto.
    server: Arc<rustls::ServerConfig>,
}

impl TestPki {
    /// A fresh root and server certificate, each with its own key.
    fn new() -> TestPki {
        let mut root = rcgen::CertificateParams::new(Vec::new()).unwrap();
        root.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        root.distinguished_name
            .push(rcgen::DnType::CommonName, "spindle test root");
        let root =
            rcgen::CertifiedIssuer::self_signed(root, rcgen::KeyPair::generate().unwrap()).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let mut leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
        leaf.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let leaf = leaf.signed_by(&key, &root).unwrap();
        let key = rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der());
        // Deprecated for its lack of post-quantum key exchange: see lib.rs.
        #[allow(deprecated)]
        let ring = Arc::new(rustls::crypto::ring::default_provider());
        let server = rustls::ServerConfig::builder_with_provider(ring)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![leaf.der().clone()], key.into())
            .unwrap();
        TestPki {
            root: reqwest::Certificate::from_der(root.der()).unwrap(),
            root_pem: root.pem(),
            server: Arc::new(server),
        }
    }
}

/// An HTTPS upstream answering every request with `body`: tokio-rustls
/// over a `tokio::net` listener, its tasks spawned on spindle.
async fn tls_upstream(server: Arc<rustls::ServerConfig>, body: &'static str) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(server);
    spindle::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            spindle::spawn(async move {
                // A client that does not trust the certificate ends here.
                let Ok(mut stream) = acceptor.accept(tcp).await else {
                    return;
                };
                answer(&mut stream, body).await;
            });
        }
    });
    addr
}

/// The rustls error somewhere in `err`'s chain of sources.
fn tls_error(err: &reqwest::Error) -> Option<&rustls::Error> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(err) = next {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        // An `io::Error`'s `source()` skips the error it wraps (reqwest's
        // connector nests two): step into that one instead.
        next = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner),
            None => err.source(),
        };
    }
    None
}

/// How many threads tokio or spindle started (their pools'
/// `tokio-runtime-worker` and `spindle-blocking`, cut to 15 bytes).
fn runtime_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path().join("comm")).ok())
        .filter(|name| name.starts_with("tokio-runtime") || name.starts_with("spindle-blockin"))
        .count()
}

#[test]
fn tower_http_timeout_layer_answers_408_for_a_slow_handler() {
    hosted().block_on(async {
        let app = Router::new()
            .route(
                "/slow",
                get(|| async {
                    spindle::time::sleep(Duration::from_secs(5)).await;
                    "too late"
                }),
            )
            .route("/fast", get(|| async { "fast" }))
            .layer(tower_http::timeout::TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                Duration::from_millis(50),
            ));
        let addr = serve_axum(app).await;
        let client = client();
        let slow = client
            .get(format!("http://{addr}/slow"))
            .send()
            .await
            .unwrap();
        assert_eq!(slow.status(), 408);
        let fast = client
            .get(format!("http://{addr}/fast"))
            .send()
            .await
            .unwrap();
        assert_eq!(fast.text().await.unwrap(), "fast");
    });
}

#[test]
fn tower_timeout_layer_ends_a_slow_call() {
    use tower::{Service, ServiceBuilder, ServiceExt};
    hosted().block_on(async {
        let mut service = ServiceBuilder::new()
            .timeout(Duration::from_millis(30))
            .service_fn(|wait: u64| async move {
                spindle::time::sleep(Duration::from_millis(wait)).await;
                Ok::<_, std::convert::Infallible>(wait)
            });
        let fast = service.ready().await.unwrap().call(1).await.unwrap();
        assert_eq!(fast, 1);
        let slow = service.ready().await.unwrap().call(5_000).await;
        let err = slow.unwrap_err();
        assert!(err.is::<tower::timeout::error::Elapsed>(), "{err}");
    });
}

#[test]
fn reqwest_gets_from_a_local_spindle_server_without_a_new_thread() {
    hosted().block_on(async {
        let addr = spindle_upstream("from spindle").await;
        let client = client();
        let before = runtime_threads();
        for _ in 0..20 {
            let body = client
                .get(format!("http://{addr}/"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_eq!(body, "from spindle");
        }
        // `<=`: a pool thread left by another test may end meanwhile.
        assert!(runtime_threads() <= before, "a runtime thread was started");
    });
}

#[test]
fn reqwest_gets_over_https_trusting_only_the_tests_root() {
    hosted().block_on(async {
        let pki = TestPki::new();
        let addr = tls_upstream(pki.server.clone(), "from spindle over TLS").await;
        let url = format!("https://{addr}/");
        // The test's root and no other: the server's certificate verifies.
        let trusting = client_builder()
            .tls_certs_only([pki.root.clone()])
            .timeout(DEADLINE)
            .build()
            .unwrap();
        for _ in 0..3 {
            let body = trusting
                .get(&url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_eq!(body, "from spindle over TLS");
        }
        // The platform's roots, the backend's default: they do not hold the
        // test's root, so the same server is refused.
        let err = client().get(&url).send().await.unwrap_err();
        assert!(
            matches!(
                tls_error(&err),
                Some(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::UnknownIssuer
                ))
            ),
            "{err:?}"
        );
    });
}

#[test]
fn an_sqlx_sqlite_pool_creates_inserts_and_selects() {
    hosted().block_on(async {
        let pool = open_database("sqlite::memory:", 1).await.unwrap();
        for body in ["one", "two", "three"] {
            sqlx::query("INSERT INTO notes (body) VALUES (?)")
                .bind(body)
                .execute(&pool)
                .await
                .unwrap();
        }
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, body FROM notes WHERE id > ? ORDER BY id")
                .bind(1)
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(rows, vec![(2, "two".to_owned()), (3, "three".to_owned())]);
        pool.close().await;
    });
}

#[test]
fn axum_serve_with_a_tokio_listener_runs_inside_spindle() {
    hosted().block_on(async {
        let app = Router::new().route(
            "/",
            get(|| async {
                // A spindle timer inside a handler that tokio's side runs.
                spindle::time::sleep(Duration::from_millis(1)).await;
                "served by axum::serve"
            }),
        );
        let addr = serve_axum(app).await;
        let body = client()
            .get(format!("http://{addr}/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(body, "served by axum::serve");
    });
}

#[test]
fn the_backend_router_uses_the_pool_the_upstream_and_the_timeout() {
    hosted().block_on(async {
        let upstream = spindle_upstream("upstream says hi").await;
        let app = App {
            pool: open_database("sqlite::memory:", 1).await.unwrap(),
            client: client(),
            upstream: format!("http://{upstream}"),
        };
        let addr = serve_axum(router(app, Duration::from_millis(100))).await;
        let client = client();
        let url = |path: &str| format!("http://{addr}{path}");
        let created = client
            .post(url("/notes"))
            .body("milk")
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        assert_eq!(created.text().await.unwrap(), "1\n");
        let empty = client.post(url("/notes")).send().await.unwrap();
        assert_eq!(empty.status(), 400);
        let notes = client.get(url("/notes")).send().await.unwrap();
        assert_eq!(notes.text().await.unwrap(), "1: milk\n");
        let up = client.get(url("/upstream")).send().await.unwrap();
        assert_eq!(up.text().await.unwrap(), "upstream says hi");
        let quick = client.get(url("/slow?ms=1")).send().await.unwrap();
        assert_eq!(quick.status(), 200);
        let slow = client.get(url("/slow?ms=5000")).send().await.unwrap();
        assert_eq!(slow.status(), 408);
    });
}

/// The backend binary, killed when dropped (also when a test panics).
struct Backend(Option<Child>);

impl Drop for Backend {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One raw HTTP/1.1 exchange ending in `Connection: close`: (status line,
/// body).
fn exchange(addr: SocketAddr, request: &str) -> (String, String) {
    let mut stream = StdTcpStream::connect_timeout(&addr, DEADLINE).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.lines().next().unwrap_or_default().to_owned();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Starts the backend binary on port 0 with a 200 ms timeout and `args`;
/// returns it and the address it printed.
fn start_backend(args: &[&str]) -> (Backend, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_backend"))
        .args(["--addr", "127.0.0.1:0", "--timeout-ms", "200"])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let backend = Backend(Some(child));
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr: SocketAddr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();
    (backend, addr)
}

/// A `GET path` through `exchange`.
fn raw_get(addr: SocketAddr, path: &str) -> (String, String) {
    exchange(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    )
}

#[test]
fn the_backend_example_serves_as_a_process() {
    // The upstream: a plain thread answering one request.
    let upstream = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream_addr = upstream.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = upstream.accept() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    let (mut backend, addr) = start_backend(&["--upstream", &format!("http://{upstream_addr}")]);
    let post =
        "POST /notes HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbread";
    let (status, body) = exchange(addr, post);
    assert!(status.starts_with("HTTP/1.1 201"), "{status}");
    assert_eq!(body, "1\n");
    assert_eq!(raw_get(addr, "/notes").1, "1: bread\n");
    assert_eq!(raw_get(addr, "/upstream").1, "ok");
    assert!(raw_get(addr, "/slow?ms=2000").0.starts_with("HTTP/1.1 408"));
    // SIGTERM: a graceful stop, exit 0.
    let child = backend.0.as_mut().unwrap();
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the backend did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_backend_example_trusts_an_https_upstream_through_upstream_ca() {
    // The upstream: a plain thread serving two connections over rustls,
    // one request each; a handshake the client refuses ends its connection.
    let pki = TestPki::new();
    let upstream = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream_addr = upstream.local_addr().unwrap();
    let server = pki.server.clone();
    std::thread::spawn(move || {
        for tcp in upstream.incoming().take(2) {
            let Ok(tcp) = tcp else {
                return;
            };
            tcp.set_read_timeout(Some(DEADLINE)).unwrap();
            let tls = rustls::ServerConnection::new(server.clone()).unwrap();
            let mut stream = rustls::StreamOwned::new(tls, tcp);
            let mut request = Vec::new();
            let mut buf = [0; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nok TLS",
            );
            stream.conn.send_close_notify();
            let _ = stream.flush();
        }
    });
    let upstream_url = format!("https://{upstream_addr}");
    // The platform's roots only: the upstream's certificate is refused.
    let (_untrusting, addr) = start_backend(&["--upstream", &upstream_url]);
    let (status, body) = raw_get(addr, "/upstream");
    assert!(status.starts_with("HTTP/1.1 502"), "{status}: {body}");
    assert!(body.contains("upstream: "), "{body}");
    // With the test's root in `--upstream-ca`: trusted.
    let roots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ecosystem-upstream-root.pem");
    std::fs::write(&roots, &pki.root_pem).unwrap();
    let (_trusting, addr) = start_backend(&[
        "--upstream",
        &upstream_url,
        "--upstream-ca",
        roots.to_str().unwrap(),
    ]);
    let (status, body) = raw_get(addr, "/upstream");
    assert!(status.starts_with("HTTP/1.1 200"), "{status}: {body}");
    assert_eq!(body, "ok TLS");
}
