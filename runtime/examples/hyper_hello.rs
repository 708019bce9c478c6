//! HTTP/1.1 with hyper on spindle: every connection served by
//! `hyper::server::conn::http1` in a spindle task.
//!
//! Run it with `cargo run -p spindle --features hyper --example hyper_hello
//! [ADDR]` (default `127.0.0.1:3000`), then try:
//!
//! ```text
//! curl -v http://127.0.0.1:3000/spindle
//! hello from spindle: GET /spindle
//! ```
//!
//! A client that sends half a request and stalls is disconnected after the
//! 5 s `header_read_timeout`, which runs on spindle's timers through
//! [`SpindleTimer`]. Stop the server with Ctrl-C.

use std::convert::Infallible;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use spindle::hyper::SpindleTimer;
use spindle::net::TcpListener;

/// Answers every request with a line naming its method and path.
async fn hello(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = format!(
        "hello from spindle: {} {}\n",
        request.method(),
        request.uri().path()
    );
    Ok(Response::new(Full::new(Bytes::from(body))))
}

#[spindle::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".to_string());
    let listener = TcpListener::bind(&addr).await?;
    println!("hyper on spindle: http://{}", listener.local_addr()?);
    loop {
        let (stream, peer) = listener.accept().await?;
        stream.set_nodelay(true)?;
        spindle::spawn(async move {
            let served = http1::Builder::new()
                .timer(SpindleTimer::new())
                .header_read_timeout(Duration::from_secs(5))
                .serve_connection(stream, service_fn(hello))
                .await;
            if let Err(err) = served {
                eprintln!("{peer}: {err}");
            }
        });
    }
}
