//! spindle-server: an async TCP server on the spindle runtime.
//!
//! A server is a library plus a thin binary, as in mini-redis. The library
//! has three layers, and the built-in modes use the same public API that
//! your code does:
//!
//! 1. **Per connection**: [`Server::serve`] runs any
//!    `async fn(TcpStream, SocketAddr)` for each connection, with the
//!    accept loop, the connection limit, the accept-error back-off, panic
//!    isolation, threads and graceful shutdown done for you. [`echo`] is
//!    one such function.
//! 2. **Per request**: [`Server::serve_http`] runs any
//!    `async fn(Request) -> Response` over HTTP/1.1, with parsing
//!    (httparse), keep-alive, pipelining, size limits, timeouts and clear
//!    4xx answers. [`http::hello_world`] is one such function.
//! 3. **The binary** (`src/main.rs`) parses the command line, binds, picks
//!    one of the two built-in handlers, and maps errors to exit code 2.
//!
//! ```
//! use std::io::{Read, Write};
//! use spindle_server::http::{Request, Response};
//! use spindle_server::{Config, Server};
//!
//! async fn handler(request: Request) -> Response {
//!     match request.path() {
//!         "/hello" => Response::new(200).with_body("hello"),
//!         _ => Response::new(404),
//!     }
//! }
//!
//! let server = Server::bind(Config { addr: "127.0.0.1:0".parse()?, ..Config::default() })?;
//! let (addr, handle) = (server.local_addr(), server.handle());
//! let thread = std::thread::spawn(move || server.serve_http(handler));
//!
//! let mut client = std::net::TcpStream::connect(addr)?;
//! client.write_all(b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
//! let mut response = String::new();
//! client.read_to_string(&mut response)?;
//! assert!(response.ends_with("\r\n\r\nhello"));
//!
//! handle.shutdown();
//! thread.join().unwrap()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Reading order
//!
//! 1. `server.rs`: [`Server`], [`ServerHandle`]: threads, `SO_REUSEPORT`,
//!    bringing everything down together.
//! 2. `listener.rs`: the accept loop: limit, back-off, panic isolation,
//!    draining.
//! 3. `shutdown.rs`: [`Shutdown`], the per-thread phase watch.
//! 4. `http/`: framing, the connection loop, requests and responses.
//! 5. `echo.rs`, `scratch.rs`, `send.rs`, `worker.rs`, `metrics.rs`, `signals.rs`,
//!    `config.rs`: the smaller pieces.
//!
//! # Dependencies, and why each is here
//!
//! - `spindle`: the runtime everything runs on.
//! - `futures`: the channels that carry the shutdown to each worker thread,
//!   `catch_unwind` for connection futures, and the I/O extension traits.
//! - `httparse`: a fast, zero-copy, well-fuzzed HTTP/1.x head and chunk-size
//!   parser; the framing around it is ours.
//! - `bytes`: the read buffer (`BytesMut`) a request's bytes are split
//!   from without a copy, and the `Bytes` each request keeps them in,
//!   shared by reference count; hyper keeps its heads the same way.
//! - `httpdate`: formats the `Date` header (IMF-fixdate).
//! - `socket2`: `SO_REUSEPORT` and the listen backlog for the per-thread
//!   listeners, which std and mio do not expose.
//! - `slab`: the waker slots of the shutdown watch.
//! - `libc`: the `EMFILE`-family error numbers the accept loop backs off on
//!   (constants only; the crate has no `unsafe`).
//! - `tracing`: structured log lines (listening, back-off, panics,
//!   shutdown); `tracing-subscriber` (binary only, with `env-filter`) prints
//!   them to stderr, filtered by `RUST_LOG`.
//! - `clap` (binary only): the command line and its `--help`.

#![forbid(unsafe_code)]

mod config;
mod echo;
pub mod http;
mod listener;
mod metrics;
mod scratch;
mod send;
mod server;
mod shutdown;
mod signals;
mod worker;

pub use config::Config;
pub use echo::echo;
pub use metrics::WorkerMetrics;
pub use server::{Report, Server, ServerHandle};
pub use shutdown::{Phase, Shutdown, ShutdownWait};
