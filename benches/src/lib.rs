//! The pieces every spindle benchmark shares: one protocol, served the same
//! way by every contender, and the plumbing the harness needs around it.
//!
//! The contender servers in `src/bin/` (blocking iterative, blocking
//! threads, busy-poll, raw mio, tokio current_thread) differ only in *how*
//! they wait for sockets. *What* they say is decided here, in a sans-I/O
//! [`Session`]: bytes in, bytes out, and whether to close. So when `compare`
//! shows one contender beating another, the difference is the I/O model,
//! not the parser.
//!
//! # Modules
//!
//! - [`session`]: the per-connection protocol state ([`Session`], [`Flow`]).
//! - [`http`]: HTTP/1.1 plaintext framing and the fixed responses.
//! - [`date`]: the `Date:` header value, formatted at most once per second.
//! - [`hyper_service`]: the same answers as a hyper 1.x service, for the
//!   two hyper contenders.
//! - [`blocking`]: the connection loop of the two blocking contenders.
//! - [`outbox`]: bytes accepted for sending but not yet written, for the
//!   non-blocking servers.
//! - [`server_cli`]: the command line every contender takes, the listening
//!   socket they all bind the same way, and the `listening on ADDR` line.
//! - [`report`]: the JSON object `loadgen` prints and `compare` reads.
//! - [`affinity`]: pinning a thread (and the processes it spawns) to CPUs.
//! - [`rlimit`]: raising the open-file limit so 10,000 sockets fit.
//!
//! # Dependencies, and why each is here
//!
//! - `httparse`: the request parser every contender shares (and the
//!   response parser in `loadgen`).
//! - `httpdate`: IMF-fixdate formatting for the `Date:` header.
//! - `ctrlc`: `compare` stops cleanly on Ctrl-C or SIGTERM (its guards
//!   then kill every server it started).
//! - `clap`: the command lines of the contenders, `loadgen` and `compare`.
//! - `mio`: the raw-mio contender's event loop and `loadgen`'s client loop
//!   (`loadgen` deliberately uses neither spindle nor tokio, so it cannot
//!   flatter either).
//! - `tokio`: the tokio current_thread contender (and hyper-tokio's runtime).
//! - `hyper`, `hyper-util` (its `TokioIo` adapter and `TokioTimer`),
//!   `http-body-util` (`Full`): the two hyper contenders, hyper-tokio and
//!   hyper-spindle (spindle's `hyper` feature gives the other side), the
//!   stack a user would pick for HTTP.
//! - `spindle`: the `spindle-runtime` contender (and the micro-benchmarks).
//! - `slab`: connection tables keyed by mio `Token`.
//! - `socket2`: the listen backlog (std's is 128, too small for 10,000
//!   connections) and `SO_LINGER` on `loadgen`'s sockets, so closing 10,000
//!   of them does not leave 10,000 ports in `TIME_WAIT`.
//! - `hdrhistogram`: latency percentiles in `loadgen`.
//! - `serde`, `serde_json`: `loadgen`'s JSON line and `compare`'s
//!   `report.json`.
//! - `plotters` (SVG backend only, no fonts): `compare`'s `chart.svg`.
//! - `libc`: `sched_setaffinity`, `setrlimit` and `sysconf`, each wrapped in
//!   one small documented function.
//!
//! The micro-benchmarks (`benches/*.rs`) add, as dev-dependencies, the
//! runtimes they compare: `spindle`, `tokio`, `async-executor` with
//! `async-io`, plus `criterion`, `futures` and `futures-lite`.

pub mod affinity;
pub mod blocking;
pub mod date;
pub mod http;
pub mod hyper_service;
pub mod outbox;
pub mod report;
pub mod rlimit;
pub mod server_cli;
pub mod session;

pub use server_cli::{Mode, ServerArgs};
pub use session::{Flow, Session};
