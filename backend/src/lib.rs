//! A web backend on spindle, built from the crates of the tokio ecosystem:
//! an axum router behind tower-http's `TimeoutLayer`, an sqlx SQLite pool,
//! and a reqwest client calling an upstream service over HTTP or HTTPS,
//! all on one thread.
//!
//! spindle runs with [`spindle::Builder::tokio`] (`#[spindle::main(tokio)]`
//! in `main.rs`): tokio's runtime is hosted on spindle's thread, so
//! `axum::serve`, sqlx's pool, reqwest and tower-http's timer find the
//! tokio context they need, and every request's handler runs next to
//! spindle's own tasks with no second thread and no cross-thread wake.
//!
//! | route | what it does |
//! | --- | --- |
//! | `GET /notes` | every note in the database, one per line |
//! | `POST /notes` | stores the request body as a note; `201` with its id |
//! | `GET /upstream` | the upstream's answer to `GET /`, fetched with reqwest |
//! | `GET /slow?ms=N` | waits N ms (a slow handler); past the timeout, `408` |
//!
//! # Dependencies, and why each is here
//!
//! - `spindle` (features `tokio`, `hyper`): the runtime, hosting tokio.
//! - `axum`: the router and `axum::serve` (over a `tokio::net::TcpListener`).
//! - `tower-http`: `TimeoutLayer`, which answers `408` for a slow handler.
//! - `tower` (tests only): its own `TimeoutLayer`, tested on spindle.
//! - `rcgen` (tests only; features `crypto`, `pem`, `ring`, no defaults):
//!   the test's root and server certificates, made at run time.
//! - `tokio-rustls` (tests only; features `ring`, `tls12`, no defaults):
//!   the TLS server of the HTTPS test, over a `tokio::net` listener;
//!   reqwest's rustls already builds it.
//! - `sqlx` (SQLite, the tokio runtime): the connection pool.
//! - `reqwest` (no default features; `rustls-no-provider`): the HTTP client
//!   for the upstream call, `http://` and `https://`. Its default TLS
//!   brings rustls on aws-lc-rs, whose `aws-lc-sys` compiles a large C and
//!   assembly library (cmake or a long `cc` run) on every clean CI build;
//!   `rustls-no-provider` is rustls with no crypto of its own, and
//!   [`client_builder`] gives it ring's.
//! - `rustls` (features `ring`, `std`, `tls12`; no defaults, which would
//!   bring aws-lc-rs back): named only for
//!   `rustls::crypto::ring::default_provider()`, the crypto provider
//!   reqwest's rustls uses. ring is the smaller build: Rust plus a few C
//!   and assembly files that `cc` compiles in seconds. What it lacks:
//!   post-quantum key exchange (X25519MLKEM768, which rustls prefers
//!   where aws-lc-rs provides it), and for that rustls 0.23.48 deprecated
//!   `ring::default_provider`; our connections use X25519 or the NIST
//!   curves instead.
//! - The roots: `rustls-platform-verifier`, which reqwest's rustls
//!   features bring in any case (reqwest 0.13 offers no other). On Linux
//!   it reads the system's store (`/etc/ssl/certs`, through
//!   `rustls-native-certs`) each time a client is built and verifies with
//!   webpki. It is kept by the rustls project, adds no crate to the build,
//!   and trusts what the host's other programs trust: roots updated with
//!   the OS packages, a company CA installed once. The compiled-in
//!   alternative, `webpki-roots` (Mozilla's list in the binary), would add
//!   a crate and a copy of the roots that only a rebuild updates; it suits
//!   a `scratch` container with no store at all, where building a client
//!   here fails with "No CA certificates were loaded from the system"
//!   unless roots are given with `tls_certs_only` (as the tests do) or
//!   `tls_certs_merge` (as `--upstream-ca` does).
//! - `tokio`: the listener `axum::serve` takes, `tokio::time` in the slow
//!   handler, and the stop signals (axum wants a `Send` shutdown future);
//!   in the tests also `io-util`, the reads and writes of the TLS server.
//! - `clap`: the command line; `futures`: `select` over the two stop
//!   signals.

use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use sqlx::sqlite::{SqlitePool, SqlitePoolOptions};
use tower_http::timeout::TimeoutLayer;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct App {
    /// The notes database.
    pub pool: SqlitePool,
    /// The client for the upstream call.
    pub client: reqwest::Client,
    /// The upstream's base URL (`http://127.0.0.1:PORT`, or `https://`).
    pub upstream: String,
}

/// The builder of every reqwest client of the backend: TLS through rustls
/// with ring's crypto, verified against the platform's root certificates.
///
/// reqwest's `rustls-no-provider` feature brings no crypto provider, and
/// its `build()` panics when none is installed process-wide; so this first
/// installs ring's as rustls' process default. One installed before, by an
/// earlier call or by other code, is kept and used. Add roots of your own
/// with `tls_certs_merge` (on top of the platform's) or `tls_certs_only`
/// (instead of them).
///
/// # Examples
///
/// ```
/// let client = spindle_backend::client_builder()
///     .timeout(std::time::Duration::from_secs(5))
///     .build()
///     .unwrap();
/// # drop(client);
/// ```
pub fn client_builder() -> reqwest::ClientBuilder {
    // rustls 0.23.48 deprecates ring's provider: ring has no post-quantum
    // key exchange (X25519MLKEM768), aws-lc-rs has. Kept for the build it
    // saves (the crate doc says what it costs).
    #[allow(deprecated)]
    let ring = rustls::crypto::ring::default_provider();
    // An `Err` says a provider is installed already; that one is used.
    let _ = ring.install_default();
    reqwest::Client::builder()
}

/// Opens the SQLite database at `url` (`sqlite::memory:` or
/// `sqlite://path?mode=rwc`) with a pool of `connections` and creates the
/// notes table.
///
/// # Errors
///
/// Whatever sqlx reports: the file cannot be opened or created, the schema
/// cannot be written.
pub async fn open_database(url: &str, connections: u32) -> Result<SqlitePool, sqlx::Error> {
    let pool = SqlitePoolOptions::new()
        .max_connections(connections)
        .connect(url)
        .await?;
    sqlx::query("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .execute(&pool)
        .await?;
    Ok(pool)
}

/// The router: the routes of the module doc behind a `TimeoutLayer` of
/// `timeout`.
pub fn router(app: App, timeout: Duration) -> Router {
    Router::new()
        .route("/notes", get(list_notes).post(add_note))
        .route("/upstream", get(upstream))
        .route("/slow", get(slow))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .with_state(app)
}

/// `GET /notes`.
async fn list_notes(State(app): State<App>) -> Result<String, (StatusCode, String)> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, body FROM notes ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .map_err(internal)?;
    Ok(rows
        .into_iter()
        .map(|(id, body)| format!("{id}: {body}\n"))
        .collect())
}

/// `POST /notes`.
async fn add_note(
    State(app): State<App>,
    body: String,
) -> Result<(StatusCode, String), (StatusCode, String)> {
    if body.is_empty() {
        return Err((StatusCode::BAD_REQUEST, "a note needs a body\n".into()));
    }
    let done = sqlx::query("INSERT INTO notes (body) VALUES (?)")
        .bind(body)
        .execute(&app.pool)
        .await
        .map_err(internal)?;
    Ok((
        StatusCode::CREATED,
        format!("{}\n", done.last_insert_rowid()),
    ))
}

/// `GET /upstream`.
async fn upstream(State(app): State<App>) -> Result<String, (StatusCode, String)> {
    let answer = app
        .client
        .get(format!("{}/", app.upstream))
        .send()
        .await
        .and_then(|response| response.error_for_status())
        .map_err(|err| (StatusCode::BAD_GATEWAY, format!("upstream: {err}\n")))?;
    answer
        .text()
        .await
        .map_err(|err| (StatusCode::BAD_GATEWAY, format!("upstream: {err}\n")))
}

/// `GET /slow?ms=N`.
async fn slow(
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Result<String, (StatusCode, String)> {
    let ms: u64 = query
        .get("ms")
        .and_then(|ms| ms.parse().ok())
        .ok_or((StatusCode::BAD_REQUEST, "expected ?ms=N\n".into()))?;
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Ok(format!("waited {ms} ms\n"))
}

/// A database error as a `500`.
fn internal(err: sqlx::Error) -> (StatusCode, String) {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("database: {err}\n"),
    )
}
