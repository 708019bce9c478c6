//! The `spindle-server` binary: parse the command line, bind, serve.
//!
//! Everything else is in the library; this file only turns flags into a
//! [`Config`], sets up logging, and maps errors to exit code 2 with a
//! one-line message (no panic, no backtrace).
//!
//! # Logging to a closed pipe
//!
//! Rust programs start with `SIGPIPE` ignored, so writing to a pipe whose
//! reader has gone (`spindle-server 2>&1 | head -1`) fails with `EPIPE`
//! instead of killing the process. tracing-subscriber reports a failed
//! write with `eprintln!`, which panics when stderr is that same broken
//! pipe, and the panic would take down whichever thread logged: the signal
//! thread on the first `SIGINT`, a worker as it logs its shutdown. The log
//! therefore goes through [`LossyStderr`], which drops a line it cannot
//! write and counts it ([`DROPPED_LINES`]); logging never fails, so it
//! never panics.
//!
//! ```text
//! cargo run --release -p spindle-server -- --mode http --addr 127.0.0.1:8080 --threads 2
//! ```

#![forbid(unsafe_code)]

use std::io::{self, IsTerminal, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use clap::{Parser, ValueEnum};
use spindle_server::{Config, Server};

/// An async TCP server on the spindle runtime: HTTP/1.1 plaintext or echo.
///
/// Log level through RUST_LOG (default: info). SIGINT or SIGTERM shuts down
/// gracefully; a second signal stops at once.
#[derive(Debug, Parser)]
#[command(name = "spindle-server", version)]
struct Args {
    /// What to serve.
    #[arg(long, value_enum, default_value_t = Mode::Http)]
    mode: Mode,
    /// Address to listen on; port 0 picks a free port (the log line shows it).
    #[arg(long, default_value = Config::DEFAULT_ADDR)]
    addr: SocketAddr,
    /// Worker threads, each with its own runtime and SO_REUSEPORT listener.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    threads: u16,
    /// Most connections open at once (for the whole process).
    #[arg(long, default_value_t = Config::DEFAULT_MAX_CONNECTIONS as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    max_connections: u64,
    /// Seconds a keep-alive connection may stay idle between requests, and
    /// a write may wait for a client that reads nothing.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    idle_timeout: u64,
    /// Seconds a client may take to send a request once it started.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    header_timeout: u64,
    /// Seconds a graceful shutdown waits for in-flight requests.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    shutdown_timeout: u64,
    /// Narrate every turn of each worker's event loop (the runtime's explain
    /// trace) in the log.
    #[arg(long)]
    explain: bool,
    /// Operations one poll of a connection may complete before it yields
    /// the thread to the others (the runtime's cooperative budget).
    #[arg(long, default_value_t = 128, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    budget: u32,
}

/// The built-in protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// HTTP/1.1: "Hello, World!" on / and /plaintext.
    Http,
    /// Echo every byte back until the client closes.
    Echo,
}

/// Log lines that could not be written to stderr and were dropped;
/// incremented by [`LossyStderr`], read once as `main` returns.
static DROPPED_LINES: AtomicU64 = AtomicU64::new(0);

/// The log's writer: stderr, minus its errors.
///
/// tracing-subscriber formats each event into a buffer and hands it over
/// with one `write_all`, so one [`Write::write`] call here is one log line:
/// it is written whole, or dropped and counted in [`DROPPED_LINES`], and
/// either way reported as written.
#[derive(Debug)]
struct LossyStderr;

impl Write for LossyStderr {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        if io::stderr().write_all(line).is_err() {
            DROPPED_LINES.fetch_add(1, Ordering::Relaxed);
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        // Stderr is unbuffered: there is nothing to flush, and nothing to
        // fail.
        Ok(())
    }
}

/// Writes `spindle-server: {message}` on stderr, ignoring a closed stderr
/// (`eprintln!` would panic on it).
fn report(message: &str) {
    let _ = writeln!(io::stderr(), "spindle-server: {message}");
}

fn main() -> ExitCode {
    let code = run();
    let dropped = DROPPED_LINES.load(Ordering::Relaxed);
    if dropped > 0 {
        // Most likely lost too, but a stderr that came back would show it.
        report(&format!("{dropped} log lines could not be written"));
    }
    code
}

/// Parses the flags, then binds and serves until shut down; the exit code.
fn run() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(err) if !err.use_stderr() => {
            // --help and --version: print them, exit 0.
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            let message = err.to_string();
            let first = message.lines().next().unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            report(&format!("{first} (see --help)"));
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(|| LossyStderr)
        .with_ansi(io::stderr().is_terminal())
        .init();

    let config = Config {
        addr: args.addr,
        threads: usize::from(args.threads),
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        idle_timeout: Duration::from_secs(args.idle_timeout),
        header_timeout: Duration::from_secs(args.header_timeout),
        shutdown_timeout: Duration::from_secs(args.shutdown_timeout),
        handle_signals: true,
        explain: args.explain,
        budget: args.budget,
        ..Config::default()
    };
    let server = match Server::bind(config) {
        Ok(server) => server,
        Err(err) => {
            report(&err.to_string());
            return ExitCode::from(2);
        }
    };
    let addr = server.local_addr();
    let mode = match args.mode {
        Mode::Http => "http",
        Mode::Echo => "echo",
    };
    let threads = match args.threads {
        1 => "1 thread".to_string(),
        n => format!("{n} threads"),
    };
    tracing::info!("spindle-server listening on {addr} ({mode}, {threads})");
    // Also on stdout, for harnesses that start the server on port 0.
    let mut stdout = io::stdout();
    let _ = writeln!(stdout, "listening on {addr}");
    let _ = stdout.flush();

    let served = match args.mode {
        Mode::Http => server.serve_http(spindle_server::http::hello_world),
        Mode::Echo => server.serve(spindle_server::echo),
    };
    match served {
        Ok(_) => ExitCode::SUCCESS,
        Err(err) => {
            report(&err.to_string());
            ExitCode::from(2)
        }
    }
}
