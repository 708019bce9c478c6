//! `backend`: the example backend of `lib.rs` as a program.
//!
//! ```text
//! backend [--addr 127.0.0.1:3000] [--database sqlite::memory:] \
//!         [--upstream http://127.0.0.1:8080] [--upstream-ca ROOTS.pem] \
//!         [--timeout-ms 1000]
//! ```
//!
//! The upstream may be `http://` or `https://`; an `https://` one is
//! verified against the platform's root certificates, plus those of
//! `--upstream-ca` (a PEM file) for an upstream with a private CA.
//!
//! Prints `listening on ADDR` once it accepts connections; Ctrl-C or
//! SIGTERM stops it (in-flight requests finish first).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::pin;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use futures::future::select;
use spindle_backend::{client_builder, open_database, router, App};
use tokio::signal::unix::{signal, SignalKind};

/// Command line.
#[derive(Debug, Parser)]
#[command(about = "A web backend on spindle: axum, tower-http, sqlx and reqwest on one thread")]
struct Cli {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    /// The SQLite database: `sqlite::memory:` or `sqlite://FILE?mode=rwc`.
    #[arg(long, default_value = "sqlite::memory:")]
    database: String,
    /// The upstream service `GET /upstream` calls, `http://` or `https://`.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    upstream: String,
    /// A PEM file of root certificates to trust for an `https://` upstream,
    /// on top of the platform's.
    #[arg(long, value_name = "ROOTS.pem")]
    upstream_ca: Option<PathBuf>,
    /// Milliseconds a request may take before it is answered `408`.
    #[arg(long, default_value_t = 1000)]
    timeout_ms: u64,
}

#[spindle::main(tokio)]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match serve(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("backend: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Opens the database, binds, and serves until Ctrl-C or SIGTERM.
async fn serve(cli: Cli) -> Result<(), String> {
    // One connection: an in-memory database is private to its connection.
    let connections = if cli.database.contains(":memory:") {
        1
    } else {
        4
    };
    let pool = open_database(&cli.database, connections)
        .await
        .map_err(|err| format!("cannot open the database {}: {err}", cli.database))?;
    let mut client = client_builder();
    if let Some(path) = &cli.upstream_ca {
        let pem =
            std::fs::read(path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        let roots = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|err| format!("cannot parse {}: {err}", path.display()))?;
        if roots.is_empty() {
            return Err(format!("no certificate in {}", path.display()));
        }
        client = client.tls_certs_merge(roots);
    }
    let client = client
        .build()
        .map_err(|err| format!("cannot build the HTTP client: {err}"))?;
    let app = App {
        pool,
        client,
        upstream: cli.upstream.trim_end_matches('/').to_owned(),
    };
    let listener = tokio::net::TcpListener::bind(cli.addr)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", cli.addr))?;
    let addr = listener.local_addr().map_err(|err| err.to_string())?;
    println!("listening on {addr}");
    // tokio's signals: axum wants a `Send` shutdown future.
    let mut interrupt = signal(SignalKind::interrupt()).map_err(|err| err.to_string())?;
    let mut terminate = signal(SignalKind::terminate()).map_err(|err| err.to_string())?;
    let shutdown = async move {
        select(pin!(interrupt.recv()), pin!(terminate.recv())).await;
    };
    axum::serve(listener, router(app, Duration::from_millis(cli.timeout_ms)))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|err| format!("serving: {err}"))
}
