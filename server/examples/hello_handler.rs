//! Serve your own `async fn(Request) -> Response` over HTTP/1.1.
//!
//! The library does the parsing, keep-alive, pipelining, limits, timeouts
//! and graceful shutdown; the handler only routes:
//!
//! - `GET /hello/NAME`: a greeting;
//! - `GET /sleep?ms=N`: answers after N milliseconds (a slow request, to
//!   watch a graceful shutdown let it finish);
//! - everything else: the built-in plaintext handler.
//!
//! ```text
//! cargo run -p spindle-server --example hello_handler -- 127.0.0.1:8080
//! curl -v http://127.0.0.1:8080/hello/reader
//! curl -v 'http://127.0.0.1:8080/sleep?ms=2000' & kill -TERM <pid>   # still answered
//! ```
//!
//! It prints `listening on ADDR` on stdout (the end-to-end tests read it)
//! and shuts down on SIGINT or SIGTERM.

use std::time::Duration;

use spindle_server::http::{hello_world, Request, Response};
use spindle_server::{Config, Server};

/// The example's routes.
async fn handler(request: Request) -> Response {
    if let Some(name) = request.path().strip_prefix("/hello/") {
        return Response::new(200)
            .with_header("Content-Type", "text/plain")
            .with_body(format!("Hello, {name}!\n"));
    }
    if request.path() == "/sleep" {
        let ms = request
            .query()
            .and_then(|query| query.strip_prefix("ms="))
            .and_then(|ms| ms.parse().ok())
            .unwrap_or(100);
        spindle::time::sleep(Duration::from_millis(ms)).await;
        return Response::new(200)
            .with_header("Content-Type", "text/plain")
            .with_body(format!("slept {ms} ms\n"));
    }
    hello_world(request).await
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let server = Server::bind(Config {
        addr: addr.parse()?,
        handle_signals: true,
        ..Config::default()
    })?;
    println!("listening on {}", server.local_addr());
    let report = server.serve_http(handler)?;
    println!("done: {report:?}");
    Ok(())
}
