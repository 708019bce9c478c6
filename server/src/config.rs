//! `Config`: every knob of a server, with the defaults the binary uses.
//!
//! The binary fills a `Config` from its command line (clap, in `main.rs`);
//! library users and tests fill one in code. Limits are per process: a
//! server with several threads splits [`Config::max_connections`] between
//! them (see [`Config::per_thread_limit`]).

use std::net::SocketAddr;
use std::time::Duration;

/// How a server is configured.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let config = spindle_server::Config {
///     addr: "127.0.0.1:0".parse().unwrap(),
///     idle_timeout: Duration::from_secs(5),
///     ..Default::default()
/// };
/// assert_eq!(config.threads, 1);
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen. Port 0 asks the OS for a free port; with several
    /// threads, the first listener gets it and the others bind the same one.
    pub addr: SocketAddr,
    /// Worker threads, each with its own runtime and `SO_REUSEPORT`
    /// listener. Values below 1 count as 1.
    pub threads: usize,
    /// Most connections open at once, for the whole process. At the limit
    /// the accept loop stops accepting (clients wait in the kernel's
    /// backlog) until a connection ends.
    pub max_connections: usize,
    /// How long a keep-alive connection may sit between requests before it
    /// is closed (silently). Also how long a write may wait for a client
    /// that takes no byte of its answers (HTTP and echo) before the
    /// connection is closed: a client that never reads cannot hold it.
    pub idle_timeout: Duration,
    /// How long a client may take to send a whole request once it has sent
    /// its first byte (head and body) before it gets `408` and is closed.
    pub header_timeout: Duration,
    /// How long a graceful shutdown waits for in-flight requests before it
    /// drops the connections that are left.
    pub shutdown_timeout: Duration,
    /// Largest request head (request line and headers) in bytes; a larger
    /// one gets `431` and the connection is closed.
    pub max_head_size: usize,
    /// Largest request body in bytes; a larger one gets `413` and the
    /// connection is closed.
    pub max_body_size: usize,
    /// Whether the server listens for `SIGINT` and `SIGTERM` itself (the
    /// first starts a graceful shutdown, the second stops at once). The
    /// binary sets it; tests usually shut down through a
    /// [`ServerHandle`](crate::ServerHandle) instead.
    pub handle_signals: bool,
    /// Whether each worker's runtime narrates its loop (spindle's explain
    /// trace, target `spindle::explain`). `SPINDLE_EXPLAIN=1` in the
    /// environment does the same.
    pub explain: bool,
    /// Operations one poll of a connection may complete before it must
    /// give the thread back (the runtime's cooperative budget,
    /// `spindle::Builder::budget`); 128 by default, as in the runtime.
    pub budget: u32,
}

impl Config {
    /// The binary's default address.
    pub const DEFAULT_ADDR: &'static str = "127.0.0.1:8080";
    /// 10,000 connections: a C10K server by default, under the usual
    /// `RLIMIT_NOFILE` hard limits.
    pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;
    /// 8 KiB, the common default of nginx, Node.js and hyper for the head.
    pub const DEFAULT_MAX_HEAD_SIZE: usize = 8 * 1024;
    /// 1 MiB: enough for any form post a plaintext server meets.
    pub const DEFAULT_MAX_BODY_SIZE: usize = 1024 * 1024;

    /// The share of [`max_connections`](Self::max_connections) that worker
    /// `index` enforces: an even split, the remainder going to the first
    /// threads, so the shares add up to the process limit.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = spindle_server::Config { max_connections: 5, threads: 2, ..Default::default() };
    /// assert_eq!(config.per_thread_limit(0), 3);
    /// assert_eq!(config.per_thread_limit(1), 2);
    /// ```
    pub fn per_thread_limit(&self, index: usize) -> usize {
        let threads = self.threads.max(1);
        let base = self.max_connections / threads;
        base + usize::from(index < self.max_connections % threads)
    }
}

impl Default for Config {
    /// The binary's defaults: `127.0.0.1:8080`, 1 thread, 10,000
    /// connections, idle 60 s, header 10 s, shutdown 10 s.
    fn default() -> Config {
        Config {
            addr: Config::DEFAULT_ADDR
                .parse()
                .expect("a valid default address"),
            threads: 1,
            max_connections: Config::DEFAULT_MAX_CONNECTIONS,
            idle_timeout: Duration::from_secs(60),
            header_timeout: Duration::from_secs(10),
            shutdown_timeout: Duration::from_secs(10),
            max_head_size: Config::DEFAULT_MAX_HEAD_SIZE,
            max_body_size: Config::DEFAULT_MAX_BODY_SIZE,
            handle_signals: false,
            explain: false,
            budget: 128,
        }
    }
}
