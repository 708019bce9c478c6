//! The web ecosystem's `Send` line, crossed on spindle: an axum handler
//! that awaits spindle resources, hyper's upgrades, hyper over a Unix
//! stream and over any futures-io stream, and hyper-util's pooled client.
#![cfg(feature = "hyper")]

mod support;

use std::convert::Infallible;
use std::future::poll_fn;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use spindle::hyper::{Io, SpindleConnector, SpindleExecutor, SpindleTimer};
use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};
use support::within;
use tower::ServiceExt;

/// Sends `request` on a fresh connection and reads until the server closes.
async fn exchange(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let mut client = TcpStream::connect(addr).await.unwrap();
    client.write_all(request).await.unwrap();
    let mut response = String::new();
    client.read_to_string(&mut response).await.unwrap();
    response
}

#[test]
fn axum_handler_that_awaits_a_spindle_timer_and_socket() {
    within(Duration::from_secs(60), || {
        spindle::block_on(async {
            // A backend the handler talks to over a spindle socket.
            let backend = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let backend_addr = backend.local_addr().unwrap();
            spindle::spawn(async move {
                let (mut conn, _) = backend.accept().await.unwrap();
                let mut buf = [0; 4];
                conn.read_exact(&mut buf).await.unwrap();
                conn.write_all(b"pong").await.unwrap();
            });
            // The handler's future must be `Send`: axum checks it.
            let app = Router::new().route(
                "/",
                get(move || async move {
                    spindle::time::sleep(Duration::from_millis(5)).await;
                    let mut db = TcpStream::connect(backend_addr).await.unwrap();
                    db.write_all(b"ping").await.unwrap();
                    let mut reply = [0; 4];
                    db.read_exact(&mut reply).await.unwrap();
                    String::from_utf8(reply.to_vec()).unwrap()
                }),
            );
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            spindle::spawn(async move {
                let (stream, _) = listener.accept().await.unwrap();
                let service = service_fn(move |req: Request<Incoming>| {
                    let app = app.clone();
                    async move {
                        let response = app.oneshot(req.map(axum::body::Body::new)).await;
                        Ok::<_, Infallible>(response.unwrap_or_else(|never| match never {}))
                    }
                });
                http1::Builder::new()
                    .timer(SpindleTimer::new())
                    .serve_connection(stream, service)
                    .await
                    .unwrap();
            });
            let response = exchange(
                addr,
                b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            )
            .await;
            assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
            assert!(response.ends_with("\r\n\r\npong"), "{response}");
        });
    });
}

#[test]
fn websocket_style_upgrade_through_with_upgrades() {
    within(Duration::from_secs(60), || {
        spindle::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            spindle::spawn(async move {
                let (stream, _) = listener.accept().await.unwrap();
                let service = service_fn(|mut req: Request<Incoming>| async move {
                    // After the 101, echo what the client sends, uppercased.
                    spindle::spawn(async move {
                        let mut upgraded = hyper::upgrade::on(&mut req).await.unwrap();
                        let mut buf = [0u8; 5];
                        let mut filled = 0;
                        while filled < buf.len() {
                            let mut read = hyper::rt::ReadBuf::new(&mut buf[filled..]);
                            poll_fn(|cx| {
                                hyper::rt::Read::poll_read(
                                    Pin::new(&mut upgraded),
                                    cx,
                                    read.unfilled(),
                                )
                            })
                            .await
                            .unwrap();
                            filled += read.filled().len();
                        }
                        let upper = buf.to_ascii_uppercase();
                        poll_fn(|cx| {
                            hyper::rt::Write::poll_write(Pin::new(&mut upgraded), cx, &upper)
                        })
                        .await
                        .unwrap();
                    });
                    let response = Response::builder()
                        .status(101)
                        .header("Connection", "upgrade")
                        .header("Upgrade", "echo")
                        .body(Empty::<Bytes>::new())
                        .unwrap();
                    Ok::<_, Infallible>(response)
                });
                http1::Builder::new()
                    .serve_connection(stream, service)
                    .with_upgrades()
                    .await
                    .unwrap();
            });
            let mut client = TcpStream::connect(addr).await.unwrap();
            client
                .write_all(
                    b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n",
                )
                .await
                .unwrap();
            let mut head = Vec::new();
            let mut byte = [0];
            while !head.ends_with(b"\r\n\r\n") {
                client.read_exact(&mut byte).await.unwrap();
                head.push(byte[0]);
            }
            let head = String::from_utf8(head).unwrap();
            assert!(
                head.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
                "{head}"
            );
            client.write_all(b"hello").await.unwrap();
            let mut echoed = [0; 5];
            client.read_exact(&mut echoed).await.unwrap();
            assert_eq!(&echoed, b"HELLO");
        });
    });
}

/// Answers every request with its path.
async fn path(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from(
        req.uri().path().to_owned(),
    ))))
}

#[cfg(unix)]
#[test]
fn hyper_serves_a_unix_stream() {
    within(Duration::from_secs(60), || {
        spindle::block_on(async {
            let (server, mut client) = spindle::net::UnixStream::pair().unwrap();
            spindle::spawn(async move {
                http1::Builder::new()
                    .serve_connection(server, service_fn(path))
                    .await
                    .unwrap();
            });
            client
                .write_all(b"GET /over-unix HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .await
                .unwrap();
            let mut response = String::new();
            client.read_to_string(&mut response).await.unwrap();
            assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
            assert!(response.ends_with("\r\n\r\n/over-unix"), "{response}");
        });
    });
}

#[test]
fn hyper_serves_any_futures_io_stream_through_io() {
    within(Duration::from_secs(60), || {
        spindle::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            spindle::spawn(async move {
                let (stream, _) = listener.accept().await.unwrap();
                // `BufReader` stands in for a TLS stream: a futures-io
                // stream that is not a spindle socket.
                let wrapped = futures::io::BufReader::new(stream);
                http1::Builder::new()
                    .serve_connection(Io::new(wrapped), service_fn(path))
                    .await
                    .unwrap();
            });
            let response = exchange(
                addr,
                b"GET /wrapped HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            )
            .await;
            assert!(response.ends_with("\r\n\r\n/wrapped"), "{response}");
        });
    });
}

#[test]
fn pooled_client_makes_a_hundred_requests_over_two_kept_connections() {
    within(Duration::from_secs(60), || {
        spindle::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let accepted = Arc::new(AtomicUsize::new(0));
            let counted = accepted.clone();
            spindle::spawn(async move {
                loop {
                    let (stream, _) = listener.accept().await.unwrap();
                    counted.fetch_add(1, Ordering::Relaxed);
                    spindle::spawn(async move {
                        let _ = http1::Builder::new()
                            .serve_connection(stream, service_fn(path))
                            .await;
                    });
                }
            });
            let client = Client::builder(SpindleExecutor::new())
                .timer(SpindleTimer::new())
                .pool_timer(SpindleTimer::new())
                .pool_max_idle_per_host(2)
                .build::<_, Empty<Bytes>>(SpindleConnector::new());
            // Two loops of 50 sequential requests: two connections at most
            // are ever busy at once, and the pool keeps both.
            let loops: Vec<_> = (0..2)
                .map(|n| {
                    let client = client.clone();
                    spindle::spawn(async move {
                        for i in 0..50 {
                            let uri = format!("http://{addr}/{n}/{i}").parse().unwrap();
                            let response = client.get(uri).await.unwrap();
                            assert_eq!(response.status(), 200);
                            let body = response.into_body().collect().await.unwrap().to_bytes();
                            assert_eq!(body, format!("/{n}/{i}"));
                        }
                    })
                })
                .collect();
            for l in loops {
                l.await.unwrap();
            }
            assert_eq!(accepted.load(Ordering::Relaxed), 2, "two kept connections");
        });
    });
}
