//! The attack suite's target when a scenario needs more than the built-in
//! handler: `spindle-server`'s library with two extra routes.
//!
//! - `GET /sleep?ms=N` answers after N milliseconds (requests in flight
//!   during a shutdown);
//! - `GET /panic` panics in the handler (panic isolation);
//! - everything else goes to the built-in plaintext handler.
//!
//! Usage: `attack-target --addr 127.0.0.1:0 [--shutdown-timeout SECS]`. It
//! prints `listening on ADDR` on stdout, shuts down gracefully on SIGINT or
//! SIGTERM, and prints `handler panics: N` on stdout when it exits.

use std::time::Duration;

use spindle_server::http::{hello_world, Request, Response};
use spindle_server::{Config, Server};

/// The routes.
async fn handler(request: Request) -> Response {
    match request.path() {
        "/panic" => panic!("attack-target: /panic was requested"),
        "/sleep" => {
            let ms = request
                .query()
                .and_then(|q| q.strip_prefix("ms="))
                .and_then(|ms| ms.parse().ok())
                .unwrap_or(100);
            spindle::time::sleep(Duration::from_millis(ms)).await;
            Response::new(200).with_body(format!("slept {ms} ms\n"))
        }
        _ => hello_world(request).await,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = Config {
        addr: "127.0.0.1:0".parse()?,
        handle_signals: true,
        ..Config::default()
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--addr" => config.addr = value.parse()?,
            "--shutdown-timeout" => config.shutdown_timeout = Duration::from_secs(value.parse()?),
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    let server = Server::bind(config)?;
    let handle = server.handle();
    println!("listening on {}", server.local_addr());
    let report = server.serve_http(handler)?;
    let panics: u64 = handle.metrics().iter().map(|m| m.handler_panics).sum();
    println!("handler panics: {panics}");
    println!("cut: {}", report.cut);
    Ok(())
}
