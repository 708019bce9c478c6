//! axum on spindle: a `Router` served by `spindle::hyper::serve` on
//! spindle's loop, with handlers that await spindle timers and sockets.
//!
//! axum requires every handler's future to be `Send`. spindle's sockets
//! and timers are `Send + Sync` (their I/O still runs on the runtime's one
//! thread), so a handler can `.await` them; tasks spawned with
//! `spindle::spawn` still need not be `Send`.
//!
//! ```text
//! cargo run -p spindle --features hyper --example axum_on_spindle
//! curl http://127.0.0.1:3000/          # hello from axum on spindle
//! curl http://127.0.0.1:3000/slow      # answers after a 100 ms spindle sleep
//! curl --http2-prior-knowledge http://127.0.0.1:3000/   # the same over HTTP/2
//! ```
//!
//! Pass an address as the first argument to listen elsewhere
//! (`127.0.0.1:0` picks a free port and prints it).

use std::time::Duration;

use axum::routing::get;
use axum::Router;
use spindle::net::TcpListener;

async fn hello() -> &'static str {
    "hello from axum on spindle\n"
}

/// A `Send` handler future that awaits a spindle timer.
async fn slow() -> String {
    spindle::time::sleep(Duration::from_millis(100)).await;
    "slept 100 ms on a spindle timer\n".to_owned()
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".into());
    let app = Router::new()
        .route("/", get(hello))
        .route("/slow", get(slow));
    spindle::block_on(async move {
        let listener = TcpListener::bind(addr.as_str()).await?;
        println!("listening on {}", listener.local_addr()?);
        // HTTP/1 and HTTP/2 on one port, a spindle task per connection;
        // Ctrl-C stops accepting and lets the open requests finish.
        spindle::hyper::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = spindle::signal::ctrl_c().await;
                println!("shutting down");
            })
            .await
    })
}
